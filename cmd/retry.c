/* digest retry [--user EMAIL]: the deferred messages, sent now. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "job.h"

const char usage_retry[] =
	"usage: digest retry [--user EMAIL]\n"
	"\n"
	"Send the messages a run deferred (a 4xx reply, a dropped connection)\n"
	"now, without waiting for their next try; with --user, only that\n"
	"user's. Each is reported as a run reports it, and the exit status is\n"
	"a run's: 1 while one is still undelivered.\n"
	"\n"
	"  -u, --user EMAIL  only this user's messages\n"
	"  -h, --help        this help\n";

int cmd_retry(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct job_opts o = { .out_fd = -1 };
	struct job_summary sum = { 0 };
	struct dg_err err = DG_ERR_INIT;
	const char *user = NULL, *date = NULL;
	struct config cfg;
	int c, rc;

	while ((c = getopt_long(argc, argv, "u:h", opts, NULL)) != -1)
		if (!cmd_user_date_option(c, &user, &date))
			return cmd_option_end(c, usage_retry);
	if (cmd_check_rest("retry", usage_retry, argc, argv, false, user,
			   date) ||
	    cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	o.cfg = &cfg;
	o.now_ms = ctx->now_ms;
	o.stop = &cmd_stop;
	rc = job_retry(&o, user, &sum, &err);
	if (rc && rc != DG_ETEMP)
		cmd_error("%s", err.msg);
	cmd_print_summary(&sum, false);
	config_release(&cfg);
	return cmd_exit_code(rc);
}
