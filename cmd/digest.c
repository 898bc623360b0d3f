/*
 * digest: the command. Global options, then a subcommand from the table;
 * everything real happens in core/.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "interrupt.h"
#include "cmd.h"

static const char usage_main[] =
	"usage: digest [--config FILE] [--now RFC3339] [--log-format FORMAT]\n"
	"              COMMAND [options]\n"
	"\n"
	"Mails each connected user a digest of tomorrow's meetings, with tips\n"
	"for meeting each person in them.\n"
	"\n"
	"Commands:\n"
	"  run          build and deliver the digests of one day\n"
	"  preview      print one user's digest; never sends, never records\n"
	"  resend       send one user's digest once more\n"
	"  retry        send the deferred messages now\n"
	"  roster       import or list the people and their results\n"
	"  users        sync the tenant's users from Microsoft Graph\n"
	"  connect      sign a user in (delegated mode), store the token\n"
	"  status       each user's outcome of the last runs\n"
	"  check        validate config, templates, database, credentials\n"
	"  unsubscribe  record a recipient's one-click opt-out\n"
	"  subscribe    undo a recipient's unsubscribe\n"
	"  serve        answer the digests' links over HTTP\n"
	"  prefs        show or change one person's own choices\n"
	"  about        what colleagues' digests say about one person\n"
	"  history      backfill the whom-met history, or forget a person\n"
	"\n"
	"Global options:\n"
	"  -c, --config FILE  config file (default: $DIGEST_CONFIG, then\n"
	"                     ./digest.toml)\n"
	"      --now RFC3339  fix the clock, e.g. 2026-11-23T06:00:00Z\n"
	"      --log-format text|json\n"
	"                     stderr as text (default) or one JSON object\n"
	"                     per line (also [log] format)\n"
	"  -h, --help         this help; 'digest COMMAND --help' for more\n"
	"  -V, --version      print the version\n"
	"\n"
	"Exit status: 0 all done (each user sent or skipped for a reason),\n"
	"1 some users failed, 2 bad usage or configuration, 3 another run\n"
	"holds the lock.\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
};

static const struct command commands[] = {
	{ "about", cmd_about },	    { "prefs", cmd_prefs },
	{ "check", cmd_check },	    { "connect", cmd_connect },
	{ "history", cmd_history },
	{ "preview", cmd_preview }, { "resend", cmd_resend },
	{ "retry", cmd_retry },	    { "roster", cmd_roster },
	{ "run", cmd_run },	    { "serve", cmd_serve },
	{ "subscribe", cmd_subscribe },
	{ "status", cmd_status },   { "unsubscribe", cmd_unsubscribe },
	{ "users", cmd_users },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/*
 * A command stopped by SIGTERM or SIGINT exits 128 + the signal's number
 * (143, 130), as a shell reports a process the signal ended: whatever it
 * had not done yet is left for the next run, so that is not a failure of
 * any user, and a scheduler can tell it from one.
 */
static int stopped_or(int status)
{
	int sig = interrupt_signal();

	if (!sig)
		return status;
	cmd_error("stopped by %s; what was not done is left for the next run",
		  sig == SIGINT ? "SIGINT" : "SIGTERM");
	return 128 + sig;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "now", required_argument, NULL, 'n' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_ctx ctx = { .config_path = NULL };
	const struct command *cmd;
	struct dg_err err = DG_ERR_INIT;
	const char *now = NULL;
	int c;

	/*
	 * A write to a closed socket must be an error we report, not a
	 * silent death; and a closed pipe on stdout (digest run | head)
	 * likewise.
	 */
	signal(SIGPIPE, SIG_IGN);
	cmd_catch_stop_signals();
	cmd_log_start();
	/* Once, before any thread or handle: libcurl's global state. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		cmd_error("libcurl failed to start");
		return EXIT_SOME_FAILED;
	}
	atexit(curl_global_cleanup);

	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'n':
			now = optarg;
			break;
		case 'l':
			if (!cmd_log_set_format(optarg))
				break;
			cmd_error("--log-format must be text or json, not '%s'",
				  optarg);
			return EXIT_USAGE;
		case 'h':
			cmd_usage(usage_main, false);
			return EXIT_DONE;
		case 'V':
			printf("digest %s\n", DIGEST_VERSION);
			return EXIT_DONE;
		default:
			cmd_usage(usage_main, true);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cmd_error("no command given");
		cmd_usage(usage_main, true);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		cmd_error("'%s' is not a digest command", argv[optind]);
		cmd_usage(usage_main, true);
		return EXIT_USAGE;
	}
	if (now) {
		if (clock_parse_rfc3339(now, "--now", &ctx.now_ms, &err)) {
			cmd_error("%s", err.msg);
			return EXIT_USAGE;
		}
		ctx.now_fixed = true;
	}
	if (!ctx.config_path)
		ctx.config_path = getenv("DIGEST_CONFIG");
	if (!ctx.config_path || !*ctx.config_path)
		ctx.config_path = "digest.toml";

	argc -= optind;
	argv += optind;
	optind = 0; /* glibc: a full re-initialisation for the command */
	return stopped_or(cmd->fn(argc, argv, &ctx));
}
