/* digest preview: one user's digest on stdout, never sent or recorded. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "i18n.h"
#include "job.h"

const char usage_preview[] =
	"usage: digest preview --user EMAIL [--date YYYY-MM-DD]\n"
	"                      [--format text|html|mime|json] [--locale TAG]\n"
	"\n"
	"Print one user's digest on stdout. Never sends, never records.\n"
	"\n"
	"  -u, --user EMAIL       the user (required)\n"
	"  -d, --date YYYY-MM-DD  the day instead of the user's tomorrow\n"
	"  -f, --format FORMAT    text (default), html, mime, or json: the\n"
	"                         digest model of DESIGN.md\n"
	"  -l, --locale TAG       the reader's language instead of theirs\n"
	"                         (a BCP 47 tag: de-AT, ja, fr-CA)\n"
	"  -h, --help             this help\n";

static int parse_format(const char *s, enum job_format *out)
{
	static const char *const names[] = { "text", "html", "mime", "json" };

	for (int i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum job_format)i;
			return 0;
		}
	}
	return -1;
}

int cmd_preview(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "date", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "locale", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum job_format format = JOB_FORMAT_TEXT;
	struct job_opts o = { .out_fd = -1, .dry_run = true };
	struct dg_err err = DG_ERR_INIT;
	struct strbuf out = STRBUF_INIT;
	const char *user = NULL;
	struct config cfg;
	int c, rc;

	while ((c = getopt_long(argc, argv, "u:d:f:l:h", opts, NULL)) != -1) {
		if (cmd_user_date_option(c, &user, &o.date))
			continue;
		switch (c) {
		case 'f':
			if (parse_format(optarg, &format)) {
				cmd_error("--format takes text, html, mime "
					  "or json, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'l':
			if (!i18n_tag_valid(optarg)) {
				cmd_error("--locale takes a language tag "
					  "such as de-AT, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o.locale = optarg;
			break;
		default:
			return cmd_option_end(c, usage_preview);
		}
	}
	if (cmd_check_rest("preview", usage_preview, argc, argv, true, user,
			   o.date) ||
	    cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	o.cfg = &cfg;
	o.now_ms = ctx->now_ms;
	o.progress = cmd_progress;
	rc = job_preview(&o, user, format, &out, &err);
	cmd_progress_clear();
	if (!rc && strbuf_write_fd(&out, STDOUT_FILENO)) {
		cmd_error("cannot write the preview to stdout");
		rc = DG_EIO;
	} else if (rc) {
		cmd_error("%s", err.msg);
	}
	strbuf_release(&out);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
