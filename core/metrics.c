#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAST_SUCCESS "digest_last_success_timestamp_seconds"
/* An old textfile larger than this is not ours: its time is not read. */
#define TEXTFILE_MAX ((size_t)1 << 20)

static int family(struct strbuf *out, const char *name, const char *help)
{
	return strbuf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
			   name);
}

/* A label value, escaped as the text format wants: \\, \" and \n. */
static int add_label_value(struct strbuf *out, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++) {
		if (*s == '\\' || *s == '"')
			rc = strbuf_addch(out, '\\') || strbuf_addch(out, *s);
		else if (*s == '\n')
			rc = strbuf_addstr(out, "\\n");
		else
			rc = strbuf_addch(out, *s);
	}
	return rc;
}

/* name{label="value"} n, one line per count; nothing when n is 0. */
static int labelled(struct strbuf *out, const char *name, const char *help,
		    const char *label, const struct metrics_count *v,
		    size_t n)
{
	int rc;

	if (!n)
		return 0;
	rc = family(out, name, help);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = strbuf_addf(out, "%s{%s=\"", name, label);
		if (!rc)
			rc = add_label_value(out, v[i].label);
		if (!rc)
			rc = strbuf_addf(out, "\"} %zu\n", v[i].n);
	}
	return rc;
}

static int plain(struct strbuf *out, const char *name, const char *help,
		 size_t n)
{
	return family(out, name, help) || strbuf_addf(out, "%s %zu\n", name, n);
}

/* ms as seconds with three decimals, without going through a double. */
static int seconds(struct strbuf *out, const char *name, const char *help,
		   int64_t ms)
{
	if (ms < 0)
		ms = 0;
	return family(out, name, help) ||
	       strbuf_addf(out, "%s %lld.%03d\n", name, (long long)(ms / 1000),
			   (int)(ms % 1000));
}

int metrics_format(struct strbuf *out, const struct metrics_run *m,
		   int64_t last_success_ms)
{
	int rc;

	rc = labelled(out, "digest_last_run_digests",
		      "Users of the last run by outcome.", "outcome",
		      m->outcomes, m->noutcomes);
	if (!rc)
		rc = labelled(out, "digest_last_run_skipped_digests",
			      "Users the last run skipped, by reason.",
			      "reason", m->skips, m->nskips);
	if (!rc)
		rc = labelled(out, "digest_last_run_smtp_replies",
			      "SMTP server replies to the last run's "
			      "messages, by class (none: no reply).",
			      "class", m->smtp_replies, m->nsmtp_replies);
	if (!rc)
		rc = plain(out, "digest_queue_depth",
			   "Messages still to deliver after the last run.",
			   m->queue_depth);
	if (!rc)
		rc = plain(out, "digest_last_run_graph_requests",
			   "Microsoft Graph requests of the last run.",
			   m->graph_requests);
	if (!rc)
		rc = plain(out, "digest_last_run_graph_throttled",
			   "Graph answers of the last run that said to wait.",
			   m->graph_throttled);
	if (!rc)
		rc = seconds(out, "digest_last_run_duration_seconds",
			     "How long the last run took.", m->duration_ms);
	if (!rc)
		rc = plain(out, "digest_last_run_success",
			   "1 if the last run exited 0, else 0.",
			   m->success ? 1 : 0);
	if (!rc)
		rc = seconds(out, "digest_last_run_timestamp_seconds",
			     "When the last run ended.", m->end_ms);
	if (!rc && last_success_ms > 0)
		rc = seconds(out, LAST_SUCCESS,
			     "When the last successful run ended.",
			     last_success_ms);
	return rc;
}

/* The value of the LAST_SUCCESS sample in text, in ms; 0: none. */
static int64_t find_last_success(const char *text)
{
	static const char name[] = LAST_SUCCESS " ";
	const char *p = text;

	while (p) {
		if (!strncmp(p, name, sizeof(name) - 1)) {
			char *end;
			double v = strtod(p + sizeof(name) - 1, &end);

			if (end == p + sizeof(name) - 1 || v <= 0 || v > 1e11)
				return 0;
			return (int64_t)(v * 1000.0 + 0.5);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

int64_t metrics_last_success(const char *path)
{
	struct strbuf text = STRBUF_INIT;
	int64_t ms = 0;

	strbuf_init(&text, TEXTFILE_MAX);
	if (!strbuf_read_file(&text, path))
		ms = find_last_success(text.buf);
	strbuf_release(&text);
	return ms;
}

/* Write text to a new file next to path; *tmp gets its name. */
static int write_temp(const char *path, const struct strbuf *text,
		      struct strbuf *tmp, struct dg_err *err)
{
	int fd, rc;

	if (strbuf_addf(tmp, "%s.tmp.XXXXXX", path))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	fd = mkstemp(tmp->buf);
	if (fd < 0)
		return dg_errf(err, DG_EIO, "cannot create a file next to "
			       "%s: %s", path, strerror(errno));
	/* mkstemp makes it 0600; node_exporter reads as another user. */
	rc = fchmod(fd, 0644) || strbuf_write_fd(text, fd) || fsync(fd);
	if (rc)
		rc = dg_errf(err, DG_EIO, "cannot write %s: %s", tmp->buf,
			     strerror(errno));
	if (close(fd) && !rc)
		rc = dg_errf(err, DG_EIO, "cannot write %s: %s", tmp->buf,
			     strerror(errno));
	if (rc)
		unlink(tmp->buf);
	return rc;
}

int metrics_write(const char *path, const struct metrics_run *m,
		  struct dg_err *err)
{
	struct strbuf text = STRBUF_INIT, tmp = STRBUF_INIT;
	int64_t last = m->success ? m->end_ms : metrics_last_success(path);
	int rc;

	if (metrics_format(&text, m, last)) {
		strbuf_release(&text);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	rc = write_temp(path, &text, &tmp, err);
	if (!rc && rename(tmp.buf, path)) {
		rc = dg_errf(err, DG_EIO, "cannot replace %s: %s", path,
			     strerror(errno));
		unlink(tmp.buf);
	}
	strbuf_release(&tmp);
	strbuf_release(&text);
	return rc;
}
