/* digest resend --user EMAIL [--date YYYY-MM-DD] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "job.h"

const char usage_resend[] =
	"usage: digest resend --user EMAIL [--date YYYY-MM-DD]\n"
	"\n"
	"Fetch and render a user's digest again and send exactly one new\n"
	"copy, even when it was already sent; the queue records it as a\n"
	"resend.\n"
	"\n"
	"  -u, --user EMAIL       the user (required)\n"
	"  -d, --date YYYY-MM-DD  the day instead of the user's tomorrow\n"
	"  -h, --help             this help\n";

int cmd_resend(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct job_opts o = { .out_fd = STDOUT_FILENO };
	struct job_summary sum = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *user = NULL;
	struct config cfg;
	int c, rc;

	while ((c = getopt_long(argc, argv, "u:d:h", opts, NULL)) != -1)
		if (!cmd_user_date_option(c, &user, &o.date))
			return cmd_option_end(c, usage_resend);
	if (cmd_check_rest("resend", usage_resend, argc, argv, true, user,
			   o.date) ||
	    cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	o.cfg = &cfg;
	o.now_ms = ctx->now_ms;
	o.stop = &cmd_stop;
	rc = job_resend(&o, user, &sum, &err);
	if (rc && rc != DG_ETEMP)
		cmd_error("%s", err.msg);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
