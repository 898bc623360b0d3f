/*
 * cmd: what the subcommands share. One file per command: cmd_<name>()
 * parses its options with getopt_long (a command without options of its
 * own through cmd_no_options()), validates them all, calls core/ and turns
 * the result into an exit status with cmd_exit_code(), the one mapping of
 * core statuses to the exit statuses of DESIGN.md.
 */
#ifndef DIGEST_CMD_H
#define DIGEST_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "source.h"

enum cmd_exit {
	EXIT_DONE = 0,     /* every user sent or skipped for a reason */
	EXIT_SOME_FAILED = 1,
	EXIT_USAGE = 2,    /* bad usage or configuration */
	EXIT_LOCKED = 3    /* another run holds the lock */
};

struct cmd_ctx {
	const char *config_path; /* --config, $DIGEST_CONFIG, ./digest.toml */
	bool now_fixed;          /* --now was given */
	int64_t now_ms;
};

/*
 * Print "digest: <message>" on stderr, or one JSON object per line in the
 * json log format (cmd/log.c). cmd_error() is an error, cmd_info() news
 * (a summary, a count).
 */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Route core's log lines to stderr (text until told otherwise). */
void cmd_log_start(void);

/* --log-format NAME ("text" or "json"); it wins over the config. -1: bad. */
int cmd_log_set_format(const char *name);

/* [log] format of a loaded config, unless --log-format was given. */
void cmd_log_config(const struct config *cfg);

/*
 * Map a core status to the exit status of DESIGN.md: 0 done, DG_EINVAL
 * bad usage or configuration, DG_ELOCKED another run holds the lock,
 * anything else some users failed.
 */
int cmd_exit_code(int status);

/*
 * Load the config named by ctx into cfg, printing the error on failure.
 * Returns 0 or EXIT_USAGE. Also settles ctx->now_ms: --now, else the
 * fixtures' recording clock, else the real clock.
 */
int cmd_load_config(struct cmd_ctx *ctx, struct config *cfg);

/* Print usage on stdout (asked for: --help) or stderr (a bad call). */
void cmd_usage(const char *usage, bool to_stderr);

/*
 * The last arm of every getopt_long switch: for 'h' (--help) print usage
 * on stdout and give EXIT_DONE; for anything else (an unknown option, a
 * missing value: getopt has said which) print it on stderr and give
 * EXIT_USAGE.
 */
int cmd_option_end(int c, const char *usage);

/*
 * -u/--user EMAIL and -d/--date YYYY-MM-DD of the commands about one user
 * (preview, resend): sets *user or *date from optarg when c is 'u' or
 * 'd' and returns true; false for any other c.
 */
bool cmd_user_date_option(int c, const char **user, const char **date);

/*
 * The last arm of the getopt_long switch of a command that prints text
 * or JSON (about, status): for 'f' (-f/--format NAME) sets *json from
 * optarg and returns -1 to go on, or EXIT_USAGE with a message for a name
 * other than text or json; any other c as cmd_option_end().
 */
int cmd_format_option_end(int c, bool *json, const char *usage);

/*
 * What is left after the options: refused, with a message and the usage
 * on stderr, when an argument is left over (from argv[optind]), --date is
 * not YYYY-MM-DD, or need_user and no --user was given. Returns 0 to go
 * on, else EXIT_USAGE. name is the command's ("preview").
 */
int cmd_check_rest(const char *name, const char *usage, int argc,
		   char **argv, bool need_user, const char *user,
		   const char *date);

/*
 * Options of a command that has none but -h/--help, parsed with
 * getopt_long as every command's are; parsing stops at the first
 * argument, which stays the command's (a file name may start with '-').
 * Returns -1 to go on with argv[optind..argc), else the exit status to
 * return: EXIT_DONE after the usage was printed for --help, EXIT_USAGE
 * after an unknown option.
 */
int cmd_no_options(int argc, char **argv, const char *usage);

/* Set by SIGTERM/SIGINT: finish the message in flight, then stop. */
extern volatile sig_atomic_t cmd_stop;
void cmd_catch_stop_signals(void);

/* A calendar date YYYY-MM-DD (tz_parse_date); plan checks the range. */
bool cmd_is_date(const char *s);

/*
 * The progress line of Graph fetches (source_progress_fn): redrawn in
 * place on stderr when it is a terminal, nothing otherwise.
 */
void cmd_progress(const struct source_progress *p, void *ctx);

/* Erase the progress line, if one is shown, before printing a line. */
void cmd_progress_clear(void);

struct job_summary;

/* What a run's metrics need beside the job's summary (cmd/metrics.c). */
struct cmd_run_stats {
	int64_t start_mono_ms;
	size_t graph_requests, graph_throttled;
};

void cmd_run_stats_start(struct cmd_run_stats *s);

/* cmd_progress(), keeping the Graph counts in ctx (a cmd_run_stats). */
void cmd_progress_counting(const struct source_progress *p, void *ctx);

/* Write [metrics] textfile, if set, for a run that ended so. */
void cmd_write_metrics(const struct config *cfg, const struct job_summary *sum,
		       bool success, const struct cmd_run_stats *s);

/*
 * The run's summary line on stderr: counts by outcome in words, by ICU's
 * plural rules; a dry run says "ready", never "sent".
 */
void cmd_print_summary(const struct job_summary *sum, bool dry_run);

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_preview(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_roster(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_check(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_resend(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_retry(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_status(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_unsubscribe(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_serve(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_subscribe(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_prefs(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_about(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_history(int argc, char **argv, struct cmd_ctx *ctx);

int cmd_users(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_connect(int argc, char **argv, struct cmd_ctx *ctx);

extern const char usage_run[], usage_preview[], usage_resend[],
	usage_retry[],
	usage_roster[], usage_users[], usage_connect[], usage_status[],
	usage_check[], usage_unsubscribe[], usage_serve[],
	usage_subscribe[], usage_prefs[], usage_about[], usage_history[];

#endif
