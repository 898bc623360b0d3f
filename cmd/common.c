/* Helpers every subcommand uses: messages, exit codes, config loading. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "interrupt.h"
#include "cmd.h"
#include "tz.h"

int cmd_exit_code(int status)
{
	switch (status) {
	case DG_OK:
		return EXIT_DONE;
	case DG_EINVAL:
		return EXIT_USAGE;
	case DG_ELOCKED:
		return EXIT_LOCKED;
	default:
		return EXIT_SOME_FAILED;
	}
}

void cmd_usage(const char *usage, bool to_stderr)
{
	fputs(usage, to_stderr ? stderr : stdout);
}

int cmd_no_options(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int c = getopt_long(argc, argv, "+h", opts, NULL);

	return c == -1 ? -1 : cmd_option_end(c, usage);
}

int cmd_option_end(int c, const char *usage)
{
	cmd_usage(usage, c != 'h');
	return c == 'h' ? EXIT_DONE : EXIT_USAGE;
}

bool cmd_user_date_option(int c, const char **user, const char **date)
{
	if (c == 'u')
		*user = optarg;
	else if (c == 'd')
		*date = optarg;
	return c == 'u' || c == 'd';
}

int cmd_format_option_end(int c, bool *json, const char *usage)
{
	if (c != 'f')
		return cmd_option_end(c, usage);
	if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
		cmd_error("--format takes text or json, not '%s'", optarg);
		return EXIT_USAGE;
	}
	*json = !strcmp(optarg, "json");
	return -1;
}

int cmd_check_rest(const char *name, const char *usage, int argc,
		   char **argv, bool need_user, const char *user,
		   const char *date)
{
	if (need_user && !user)
		cmd_error("%s needs --user EMAIL", name);
	else if (optind < argc)
		cmd_error("%s: unexpected argument '%s'", name, argv[optind]);
	else if (date && !cmd_is_date(date))
		cmd_error("--date takes YYYY-MM-DD, not '%s'", date);
	else
		return 0;
	cmd_usage(usage, true);
	return EXIT_USAGE;
}

int cmd_load_config(struct cmd_ctx *ctx, struct config *cfg)
{
	struct dg_err err = DG_ERR_INIT;

	memset(cfg, 0, sizeof(*cfg));
	if (config_load(cfg, ctx->config_path, &err)) {
		cmd_error("%s", err.msg);
		return EXIT_USAGE;
	}
	cmd_log_config(cfg);
	if (ctx->now_fixed)
		return 0;
	/*
	 * A fixtures tenant is a recording of one morning: replaying it
	 * against the real clock would find no meetings "tomorrow".
	 */
	if (cfg->source.kind == CONFIG_SOURCE_FIXTURES &&
	    cfg->source.recorded_at) {
		if (clock_parse_rfc3339(cfg->source.recorded_at,
					"[source] recorded_at", &ctx->now_ms,
					&err)) {
			cmd_error("%s: %s", ctx->config_path, err.msg);
			config_release(cfg);
			return EXIT_USAGE;
		}
		return 0;
	}
	ctx->now_ms = clock_now_ms();
	return 0;
}

volatile sig_atomic_t cmd_stop;

static void on_stop(int sig)
{
	cmd_stop = 1;
	interrupt_request(sig);
}

void cmd_catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait ends early, the loop then stops. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

bool cmd_is_date(const char *s)
{
	struct tz_civil c;

	return tz_parse_date(s, &c);
}
