/* digest status [--date YYYY-MM-DD] [--format text|json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "queue.h"
#include "status.h"
#include "store.h"

const char usage_status[] =
	"usage: digest status [--date YYYY-MM-DD] [--format text|json]\n"
	"\n"
	"One row per user of a day (default: the latest day run): sent,\n"
	"queued, skipped (reason) or failed (reason), with attempts and the\n"
	"time of the last change.\n"
	"\n"
	"  -d, --date YYYY-MM-DD  the day\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"  -h, --help             this help\n";

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
	int c, rc;

	while ((c = getopt_long(argc, argv, "d:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			date = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				cmd_error("--format takes text or json, not "
					  "'%s'", optarg);
				return EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		default:
			return cmd_option_end(c, usage_status);
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
