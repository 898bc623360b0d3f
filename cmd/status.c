/* digest status [--date YYYY-MM-DD] [--format text|json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "prefs.h"
#include "queue_status.h"
#include "status.h"
#include "store.h"

const char usage_status[] =
	"usage: digest status [--date YYYY-MM-DD] [--format text|json]\n"
	"\n"
	"One row per user of a day (default: the latest day run): sent,\n"
	"queued, skipped (reason) or failed (reason), with attempts and the\n"
	"time of the last change; then each person's own choices (digest\n"
	"prefs), in the text format.\n"
	"\n"
	"  -d, --date YYYY-MM-DD  the day\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"  -h, --help             this help\n";

/* One line per person with choices of their own (digest prefs). */
static int add_pref_line(const char *address, const struct prefs *p,
			 void *ctx)
{
	struct strbuf *out = ctx;
	int rc = strbuf_addf(out, "  %s: ", address);

	rc = rc ? rc : prefs_describe(p, out);
	return rc ? rc : strbuf_addch(out, '\n');
}

static int add_prefs(struct store *st, struct strbuf *out, struct dg_err *err)
{
	struct strbuf lines = STRBUF_INIT;
	int rc = prefs_each(st, add_pref_line, &lines, err);

	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	if (!rc && lines.len)
		rc = strbuf_addf(out, "\npreferences:\n%s", lines.buf);
	strbuf_release(&lines);
	return rc;
}

static int show(struct store *st, const char *date, bool json)
{
	struct queue_status_row *rows = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t n = 0;
	int rc = status_rows(st, date, &rows, &n, &err);

	if (!rc && json)
		rc = status_format_json(rows, n, &out, &err);
	else if (!rc && status_format_text(rows, n, &out))
		rc = dg_errf(&err, DG_ENOMEM, "out of memory");
	else if (!rc)
		rc = add_prefs(st, &out, &err);
	if (rc)
		cmd_error("%s", err.msg);
	else
		fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	queue_status_free(rows, n);
	return rc;
}

int cmd_status(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct dg_err err = DG_ERR_INIT;
	const char *date = NULL;
	struct store *st = NULL;
	struct config cfg;
	bool json = false;
	int c, end, rc;

	while ((c = getopt_long(argc, argv, "d:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			date = optarg;
			break;
		default:
			end = cmd_format_option_end(c, &json, usage_status);
			if (end >= 0)
				return end;
		}
	}
	if (cmd_check_rest("status", usage_status, argc, argv, false, NULL,
			   date) ||
	    cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	rc = store_open(cfg.store.path, &st, &err);
	if (rc)
		cmd_error("%s", err.msg);
	else
		rc = show(st, date, json);
	store_close(st);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
