/* digest about --user EMAIL [--format text|json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "about.h"
#include "cmd.h"
#include "job.h"
#include "store.h"

const char usage_about[] =
	"usage: digest about --user EMAIL [--format text|json]\n"
	"\n"
	"Print what colleagues' digests say about EMAIL: the profile line,\n"
	"the tips, whether the profile is hidden (by the roster or by the\n"
	"person's own choice), and the lines on the mix of the room of the\n"
	"person's meetings of the day that count their results. The words\n"
	"are the digest's own: the same templates make both. The\n"
	"preferences page shows the same profile and tips.\n"
	"\n"
	"  -u, --user EMAIL      the person (email or alias, any case)\n"
	"  -f, --format FORMAT   text (default) or json\n"
	"  -h, --help            this help\n";

/*
 * The group lines of user's own meetings of the day; none (and a
 * warning) when the calendar cannot be read, none when user is no user
 * of the tenant.
 */
static void group_lines(struct cmd_ctx *ctx, const struct config *cfg,
			const char *user, char ***lines, size_t *n)
{
	struct job_opts o = {.cfg = cfg, .now_ms = ctx->now_ms, .out_fd = -1,
			     .dry_run = true};
	struct dg_err err = DG_ERR_INIT;
	int rc = job_group_lines(&o, user, lines, n, &err);

	if (rc && rc != DG_ENOTFOUND)
		cmd_error("warning: group lines left out: %s", err.msg);
}

static int about(struct cmd_ctx *ctx, const char *user,
		 enum render_about_format format)
{
	struct dg_err err = DG_ERR_INIT;
	struct strbuf out = STRBUF_INIT;
	struct about *a = NULL;
	struct store *st = NULL;
	char **lines = NULL;
	size_t n = 0;
	struct config cfg;
	int rc;

	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	group_lines(ctx, &cfg, user, &lines, &n);
	rc = store_open(cfg.store.path, &st, &err);
	if (!rc)
		rc = about_open(&cfg, st, &a, &err);
	if (!rc)
		rc = about_render(a, user, (const char *const *)lines, n,
				  format, &out, &err);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	if (rc)
		cmd_error("%s", err.msg);
	else
		fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	about_close(a);
	store_close(st);
	config_release(&cfg);
	return cmd_exit_code(rc);
}

int cmd_about(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{"user", required_argument, NULL, 'u'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *user = NULL;
	bool json = false;
	int c, end;

	while ((c = getopt_long(argc, argv, "u:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		default:
			end = cmd_format_option_end(c, &json, usage_about);
			if (end >= 0)
				return end;
		}
	}
	if (cmd_check_rest("about", usage_about, argc, argv, true, user,
			   NULL))
		return EXIT_USAGE;
	return about(ctx, user,
		     json ? RENDER_ABOUT_JSON : RENDER_ABOUT_TEXT);
}
