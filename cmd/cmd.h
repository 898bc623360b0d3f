/*
 * cmd: what the subcommands share. Each cmd_<name>() parses its own
 * options with getopt_long, validates them all, calls core/ and turns the
 * result into one of the exit statuses of DESIGN.md.
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

/* Map a core status to the exit status of DESIGN.md. */
int cmd_exit_code(int status);

/*
 * Load the config named by ctx into cfg, printing the error on failure.
 * Returns 0 or EXIT_USAGE. Also settles ctx->now_ms: --now, else the
 * fixtures' recording clock, else the real clock.
 */
int cmd_load_config(struct cmd_ctx *ctx, struct config *cfg);

/*
 * Shared option parsing tail: "--help" prints usage on stdout (returns
 * -1, caller exits 0); an unknown option prints usage on stderr (returns
 * EXIT_USAGE).
 */
void cmd_usage(const char *usage, bool to_stderr);

/* Set by SIGTERM/SIGINT: finish the message in flight, then stop. */
extern volatile sig_atomic_t cmd_stop;
void cmd_catch_stop_signals(void);

/* YYYY-MM-DD with digits in place; plan checks the calendar. */
bool cmd_is_date(const char *s);

/*
 * The progress line of Graph fetches (source_progress_fn): redrawn in
 * place on stderr when it is a terminal, nothing otherwise.
 */
void cmd_progress(const struct source_progress *p, void *ctx);

/* Erase the progress line, if one is shown, before printing a line. */
void cmd_progress_clear(void);

/* What a run's metrics need beside the job's summary (cmd/metrics.c). */
struct cmd_run_stats {
	int64_t start_mono_ms;
	size_t graph_requests, graph_throttled;
};

struct job_summary;

void cmd_run_stats_start(struct cmd_run_stats *s);

/* cmd_progress(), keeping the Graph counts in ctx (a cmd_run_stats). */
void cmd_progress_counting(const struct source_progress *p, void *ctx);

/* Write [metrics] textfile, if set, for a run that ended so. */
void cmd_write_metrics(const struct config *cfg, const struct job_summary *sum,
		       bool success, const struct cmd_run_stats *s);

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_preview(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_roster(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_check(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_resend(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_status(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_unsubscribe(int argc, char **argv, struct cmd_ctx *ctx);

int cmd_users(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_connect(int argc, char **argv, struct cmd_ctx *ctx);

extern const char usage_run[], usage_preview[], usage_resend[],
	usage_roster[], usage_users[], usage_connect[], usage_status[],
	usage_check[], usage_unsubscribe[];

#endif
