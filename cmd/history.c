/*
 * digest history backfill --days N | forget --user EMAIL: the whom-met
 * history behind a digest's relationship lines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "history.h"
#include "job.h"
#include "runlock.h"
#include "store.h"

const char usage_history[] =
	"usage: digest history backfill --days N [--user EMAIL]... [--jobs N]\n"
	"       digest history forget --user EMAIL\n"
	"\n"
	"The history holds, for each reader and day, the addresses of the\n"
	"people they met and how many meetings they shared: nothing else.\n"
	"Each run records the day it fetched and deletes the days older than\n"
	"[history] days (default 90).\n"
	"\n"
	"backfill  read the last N days of every user's calendar (or only\n"
	"          --user's) once, fetched as a run fetches, so that a new\n"
	"          installation has context from its first morning; N is 1 to\n"
	"          [history] days. A day read again replaces what was kept.\n"
	"forget    wipe EMAIL from the history: the days they read and every\n"
	"          day they were met in.\n"
	"\n"
	"  -n, --days N      backfill: how many past days\n"
	"  -u, --user EMAIL  backfill: only this user (repeatable);\n"
	"                    forget: the person to wipe\n"
	"  -j, --jobs N      backfill: requests in flight to Graph (default 8)\n"
	"  -h, --help        this help\n";

struct history_opts {
	const char **users;
	size_t nusers;
	long days; /* 0: not given */
	int jobs;
};

/* A number from min to max, all of s; -1 when it is not one. */
static long number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < min || v > max)
		return -1;
	return v;
}

static int parse(int argc, char **argv, struct history_opts *ho)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:u:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ho->days = number(optarg, 1, HISTORY_DAYS_MAX);
			if (ho->days < 0) {
				cmd_error("--days takes a number from 1 to %d, "
					  "not '%s'",
					  HISTORY_DAYS_MAX, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'u':
			ho->users[ho->nusers++] = optarg;
			break;
		case 'j':
			ho->jobs = (int)number(optarg, 1, 64);
			if (ho->jobs < 0) {
				cmd_error("--jobs takes a number from 1 to "
					  "64, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return cmd_option_end(c, usage_history);
		}
	}
	if (optind < argc) {
		cmd_error("history: unexpected argument '%s'", argv[optind]);
		cmd_usage(usage_history, true);
		return EXIT_USAGE;
	}
	return -1;
}

static int backfill(struct cmd_ctx *ctx, const struct history_opts *ho)
{
	struct job_opts o = { .out_fd = -1 };
	struct job_backfill_summary sum = { 0 };
	struct dg_err err = DG_ERR_INIT;
	struct config cfg;
	int rc;

	if (!ho->days) {
		cmd_error("history backfill needs --days N");
		cmd_usage(usage_history, true);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	o.cfg = &cfg;
	o.now_ms = ctx->now_ms;
	o.jobs = ho->jobs;
	o.stop = &cmd_stop;
	o.users = ho->nusers ? ho->users : NULL;
	o.nusers = ho->nusers;
	o.progress = cmd_progress;
	rc = job_backfill(&o, (unsigned)ho->days, &sum, &err);
	cmd_progress_clear();
	if (rc)
		cmd_error("history backfill: %s", err.msg);
	if (rc != DG_EINVAL && rc != DG_ELOCKED)
		cmd_info("history backfill: %zu user%s, %zu day%s recorded; "
			 "%zu skipped, %zu failed",
			 sum.users, sum.users == 1 ? "" : "s", sum.days,
			 sum.days == 1 ? "" : "s", sum.skipped, sum.failed);
	config_release(&cfg);
	return cmd_exit_code(rc);
}

static int forget(struct cmd_ctx *ctx, const struct history_opts *ho)
{
	struct dg_err err = DG_ERR_INIT;
	struct runlock *lock = NULL;
	struct store *st = NULL;
	struct config cfg;
	size_t deleted = 0;
	int rc;

	if (ho->nusers != 1 || ho->days || ho->jobs) {
		cmd_error("history forget takes one --user EMAIL and nothing "
			  "else");
		cmd_usage(usage_history, true);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg))
		return EXIT_USAGE;
	/* A run in flight would record the person again: wait for none. */
	rc = runlock_acquire(cfg.store.path, &lock, NULL, &err);
	if (!rc)
		rc = store_open(cfg.store.path, &st, &err);
	if (!rc)
		rc = history_forget(st, ho->users[0], &deleted, &err);
	if (rc)
		cmd_error("history forget: %s", err.msg);
	else if (deleted)
		cmd_info("history: %s forgotten (%zu rows deleted)",
			 ho->users[0], deleted);
	else
		cmd_info("history: nothing kept about %s", ho->users[0]);
	store_close(st);
	runlock_release(lock);
	config_release(&cfg);
	return cmd_exit_code(rc);
}

int cmd_history(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct history_opts ho = { .users = NULL };
	const char *sub = argc > 1 ? argv[1] : NULL;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "--help"))) {
		cmd_usage(usage_history, false);
		return EXIT_DONE;
	}
	if (!sub || (strcmp(sub, "backfill") && strcmp(sub, "forget"))) {
		if (sub)
			cmd_error("history takes 'backfill' or 'forget', not "
				  "'%s'", sub);
		else
			cmd_error("history needs a subcommand: backfill or "
				  "forget");
		cmd_usage(usage_history, true);
		return EXIT_USAGE;
	}
	ho.users = calloc((size_t)argc, sizeof(*ho.users));
	if (!ho.users)
		return EXIT_SOME_FAILED;
	rc = parse(argc - 1, argv + 1, &ho);
	if (rc < 0)
		rc = !strcmp(sub, "backfill") ? backfill(ctx, &ho)
					      : forget(ctx, &ho);
	free(ho.users);
	return rc;
}
