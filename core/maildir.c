#include "maildir.h"
#include "logging.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Names taken in a row before we give up: something else is wrong. */
#define MAILDIR_NAME_TRIES 100

/* Deliveries of this process, for the Q part of the name. */
static atomic_ulong deliveries;

int maildir_name(int64_t now_ms, unsigned long count, const char *host,
		 struct strbuf *out)
{
	int rc;

	rc = strbuf_addf(
		out, "%lld.M%06lldP%ldQ%lu.", (long long)(now_ms / 1000),
		(long long)(now_ms % 1000 * 1000), (long)getpid(), count);
	for (; !rc && *host; host++) {
		if (*host == '/')
			rc = strbuf_addstr(out, "\\057");
		else if (*host == ':')
			rc = strbuf_addstr(out, "\\072");
		else
			rc = strbuf_addch(out, *host);
	}
	return rc;
}

/* Create path as a folder unless it is there; *made says if we did. */
static int make_dir(const char *path, bool *made, struct dg_err *err)
{
	if (!mkdir(path, 0700)) {
		*made = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return dg_errf(err, DG_EIO, "cannot create maildir folder %s: %s", path,
		       strerror(errno));
}

/* Flush a folder's entries to disk: a new name is durable only then. */
static int sync_dir(const char *path, struct dg_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd))
		rc = dg_errf(err, DG_EIO, "cannot sync maildir folder %s: %s",
			     path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* "<dir>/<sub>" into out (reset first). */
static int sub_path(struct strbuf *out, const char *dir, const char *sub,
		    struct dg_err *err)
{
	int rc;

	strbuf_reset(out);
	rc = strbuf_addf(out, "%s/%s", dir, sub);
	if (rc)
		return dg_errf(err, rc, "%s: path too long", dir);
	return 0;
}

static int make_maildir(const char *dir, struct dg_err *err)
{
	static const char *const subs[] = {"tmp", "new", "cur"};
	struct strbuf path = STRBUF_INIT;
	bool made = false;
	size_t i;
	int rc;

	rc = make_dir(dir, &made, err);
	for (i = 0; !rc && i < sizeof(subs) / sizeof(subs[0]); i++) {
		rc = sub_path(&path, dir, subs[i], err);
		if (!rc)
			rc = make_dir(path.buf, &made, err);
	}
	if (!rc && made)
		rc = sync_dir(dir, err);
	strbuf_release(&path);
	return rc;
}

/* msg with each CRLF turned into LF (see maildir.h for why). */
static int to_lf(const char *msg, size_t len, struct strbuf *out)
{
	size_t i = 0;
	int rc = strbuf_grow(out, len);

	while (!rc && i < len) {
		const char *cr = memchr(msg + i, '\r', len - i);
		size_t n = cr ? (size_t)(cr - msg) - i : len - i;

		rc = strbuf_add(out, msg + i, n);
		i += n;
		if (!rc && cr) {
			bool crlf = i + 1 < len && msg[i + 1] == '\n';

			rc = strbuf_addch(out, crlf ? '\n' : '\r');
			i += crlf ? 2 : 1;
		}
	}
	return rc;
}

/*
 * Write data into a new file at path, on disk before this returns.
 * DG_EEXISTS (err untouched) when the name is taken.
 */
static int write_new(const char *path, const struct strbuf *data,
		     struct dg_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EEXIST)
		return DG_EEXISTS;
	if (fd < 0)
		return dg_errf(err, DG_EIO, "cannot write %s: %s", path,
			       strerror(errno));
	if (strbuf_write_fd(data, fd) || fsync(fd)) {
		int saved = errno;

		close(fd);
		unlink(path);
		return dg_errf(err, DG_EIO, "cannot write %s: %s", path,
			       strerror(saved));
	}
	if (close(fd)) {
		int saved = errno;

		unlink(path);
		return dg_errf(err, DG_EIO, "cannot write %s: %s", path,
			       strerror(saved));
	}
	return 0;
}

/* The paths of one try: tmp/<name> and new/<name>. */
struct names {
	struct strbuf name;
	struct strbuf tmp;
	struct strbuf new;
};

static int next_names(struct names *nm, const char *dir, int64_t now_ms,
		      const char *host, struct dg_err *err)
{
	unsigned long q = atomic_fetch_add(&deliveries, 1) + 1;
	int rc;

	strbuf_reset(&nm->name);
	strbuf_reset(&nm->tmp);
	strbuf_reset(&nm->new);
	rc = maildir_name(now_ms, q, host, &nm->name);
	if (!rc)
		rc = strbuf_addf(&nm->tmp, "%s/tmp/%s", dir, nm->name.buf);
	if (!rc)
		rc = strbuf_addf(&nm->new, "%s/new/%s", dir, nm->name.buf);
	if (rc)
		return dg_errf(err, rc, "%s: path too long", dir);
	return 0;
}

/*
 * One try at a delivery under a fresh name: DG_EEXISTS (err untouched)
 * when the name is taken in tmp/ or new/, and nothing is left behind.
 */
static int try_deliver(struct names *nm, const struct strbuf *data,
		       struct dg_err *err)
{
	int rc = write_new(nm->tmp.buf, data, err);

	if (rc)
		return rc;
	/* link, not rename: rename would replace a file of the same name */
	if (link(nm->tmp.buf, nm->new.buf)) {
		int saved = errno;

		unlink(nm->tmp.buf);
		if (saved == EEXIST)
			return DG_EEXISTS;
		return dg_errf(err, DG_EIO, "cannot move %s to %s: %s",
			       nm->tmp.buf, nm->new.buf, strerror(saved));
	}
	if (unlink(nm->tmp.buf))
		logging_warn("cannot remove %s after delivery: %s", nm->tmp.buf,
			     strerror(errno));
	return 0;
}

/*
 * Make the new name in new/ durable. Too late to fail: the message is
 * there for readers, and a failure would make the caller deliver it twice.
 */
static void sync_new(struct names *nm)
{
	struct dg_err err = DG_ERR_INIT;

	strbuf_setlen(&nm->new, nm->new.len - nm->name.len - 1);
	if (sync_dir(nm->new.buf, &err))
		logging_warn("%s (the message %s is delivered, but may not "
			     "survive a crash)",
			     err.msg, nm->name.buf);
}

static void host_name(char *buf, size_t size)
{
	if (gethostname(buf, size) || !buf[0])
		snprintf(buf, size, "localhost");
	buf[size - 1] = '\0';
}

int maildir_deliver(const char *dir, const char *msg, size_t len,
		    int64_t now_ms, struct strbuf *name_out, struct dg_err *err)
{
	struct names nm = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
	struct strbuf data = STRBUF_INIT;
	char host[HOST_NAME_MAX + 1];
	int rc, tries;

	if (now_ms < 0)
		return dg_errf(err, DG_EINVAL,
			       "%s: the delivery time is before 1970", dir);
	host_name(host, sizeof(host));
	rc = make_maildir(dir, err);
	if (!rc && to_lf(msg, len, &data))
		rc = dg_errf(err, DG_ENOMEM,
			     "%s: out of memory for a message of %zu bytes",
			     dir, len);
	for (tries = 0; !rc && tries < MAILDIR_NAME_TRIES; tries++) {
		rc = next_names(&nm, dir, now_ms, host, err);
		if (!rc)
			rc = try_deliver(&nm, &data, err);
		if (rc != DG_EEXISTS)
			break;
		rc = 0;
	}
	if (!rc && tries == MAILDIR_NAME_TRIES)
		rc = dg_errf(err, DG_EIO,
			     "%s: %d names in a row were taken in tmp/ or new/",
			     dir, MAILDIR_NAME_TRIES);
	if (!rc)
		sync_new(&nm);
	if (!rc && name_out && strbuf_addbuf(name_out, &nm.name))
		rc = dg_errf(err, DG_ENOMEM, "%s: out of memory", dir);
	strbuf_release(&data);
	strbuf_release(&nm.name);
	strbuf_release(&nm.tmp);
	strbuf_release(&nm.new);
	return rc;
}
