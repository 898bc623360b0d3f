/* digest run and digest preview: option parsing, then core/job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "job.h"

const char usage_run[] =
	"usage: digest run [--date YYYY-MM-DD] [--user EMAIL]... [--dry-run]\n"
	"                  [--jobs N]\n"
	"\n"
	"Build each user's digest of their tomorrow (in their own time zone)\n"
	"and deliver it as [delivery] says. One summary line per user goes to\n"
	"stderr: sent, skipped (reason) or failed (reason).\n"
	"\n"
	"  -d, --date YYYY-MM-DD  the day to digest instead of tomorrow\n"
	"  -u, --user EMAIL       only this user (repeatable)\n"
	"  -n, --dry-run          plan and render, deliver and record nothing\n"
	"  -j, --jobs N           requests in flight to Graph (default 8)\n"
	"  -h, --help             this help\n";

const char usage_preview[] =
	"usage: digest preview --user EMAIL [--date YYYY-MM-DD]\n"
	"                      [--format text|html|mime|json]\n"
	"\n"
	"Print one user's digest on stdout. Never sends, never records.\n"
	"\n"
	"  -u, --user EMAIL       the user (required)\n"
	"  -d, --date YYYY-MM-DD  the day instead of the user's tomorrow\n"
	"  -f, --format FORMAT    text (default), html, mime, or json: the\n"
	"                         digest model of DESIGN.md\n"
	"  -h, --help             this help\n";

static int parse_jobs(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 1 || v > 64)
		return -1;
	*out = (int)v;
	return 0;
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct job_opts o = { .out_fd = STDOUT_FILENO };
	struct job_summary sum = { 0 };
	struct cmd_run_stats stats;
	struct dg_err err = DG_ERR_INIT;
	const char **users;
	struct config cfg;
	int c, jobs = 8, rc;

	users = calloc((size_t)argc, sizeof(*users));
	if (!users)
		return EXIT_SOME_FAILED;
	while ((c = getopt_long(argc, argv, "d:u:nj:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.date = optarg;
			break;
		case 'u':
			users[o.nusers++] = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'j':
			if (parse_jobs(optarg, &jobs)) {
				cmd_error("--jobs takes a number from 1 to "
					  "64, not '%s'", optarg);
				free(users);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_usage(usage_run, false);
			free(users);
			return EXIT_DONE;
		default:
			cmd_usage(usage_run, true);
			free(users);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || (o.date && !cmd_is_date(o.date))) {
		if (optind < argc)
			cmd_error("run: unexpected argument '%s'",
				  argv[optind]);
		else
			cmd_error("--date takes YYYY-MM-DD, not '%s'",
				  o.date);
		cmd_usage(usage_run, true);
		free(users);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg)) {
		free(users);
		return EXIT_USAGE;
	}
	o.cfg = &cfg;
	o.now_ms = ctx->now_ms;
	o.jobs = jobs;
	o.stop = &cmd_stop;
	o.users = o.nusers ? users : NULL;
	o.progress = cmd_progress_counting;
	o.progress_ctx = &stats;
	cmd_run_stats_start(&stats);
	rc = job_run(&o, &sum, &err);
	cmd_progress_clear();
	if (rc && rc != DG_ETEMP)
		cmd_error("%s", err.msg);
	cmd_info("%zu sent, %zu skipped, %zu waiting, %zu failed", sum.sent,
		 sum.skipped, sum.waiting, sum.failed);
	/* A dry run delivers nothing, and another run's lock is its own. */
	if (!o.dry_run && rc != DG_ELOCKED)
		cmd_write_metrics(&cfg, &sum, !rc, &stats);
	config_release(&cfg);
	free(users);
	return rc == DG_ETEMP ? EXIT_SOME_FAILED : cmd_exit_code(rc);
}

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

	while ((c = getopt_long(argc, argv, "u:d:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'd':
			o.date = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &format)) {
				cmd_error("--format takes text, html, mime "
					  "or json, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_usage(usage_preview, false);
			return EXIT_DONE;
		default:
			cmd_usage(usage_preview, true);
			return EXIT_USAGE;
		}
	}
	if (!user || optind < argc || (o.date && !cmd_is_date(o.date))) {
		if (!user)
			cmd_error("preview needs --user EMAIL");
		else if (optind < argc)
			cmd_error("preview: unexpected argument '%s'",
				  argv[optind]);
		else
			cmd_error("--date takes YYYY-MM-DD, not '%s'",
				  o.date);
		cmd_usage(usage_preview, true);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg))
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
	if (rc == DG_ENOTFOUND)
		return EXIT_SOME_FAILED;
	return cmd_exit_code(rc);
}
