/*
 * The run's metrics file ([metrics] textfile): the job's summary and the
 * Graph counts the progress hook saw, handed to core/metrics. A failure
 * to write it is reported and does not change the run's exit status: the
 * stale last-success time is what an alert notices.
 */
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cmd.h"
#include "job.h"
#include "metrics.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cmd_run_stats_start(struct cmd_run_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->start_mono_ms = mono_ms();
}

void cmd_progress_counting(const struct source_progress *p, void *ctx)
{
	struct cmd_run_stats *s = ctx;

	/* The counts only grow; the last report has them all. */
	if (p->requests > s->graph_requests)
		s->graph_requests = p->requests;
	if (p->throttled > s->graph_throttled)
		s->graph_throttled = p->throttled;
	cmd_progress(p, NULL);
}

void cmd_write_metrics(const struct config *cfg, const struct job_summary *sum,
		       bool success, const struct cmd_run_stats *s)
{
	const struct metrics_count outcomes[] = {
		{ "sent", sum->sent },	       { "skipped", sum->skipped },
		{ "waiting", sum->waiting },   { "deferred", sum->deferred },
		{ "failed", sum->failed },     { "untried", sum->untried },
	};
	const struct metrics_count replies[] = {
		{ "2xx", sum->smtp_replies[DELIVER_REPLY_2XX] },
		{ "4xx", sum->smtp_replies[DELIVER_REPLY_4XX] },
		{ "5xx", sum->smtp_replies[DELIVER_REPLY_5XX] },
		{ "none", sum->smtp_replies[DELIVER_REPLY_NONE] },
	};
	struct metrics_count skips[JOB_SKIP_REASONS_MAX];
	struct metrics_run m = METRICS_RUN_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (!cfg->metrics.textfile)
		return;
	for (size_t i = 0; i < sum->nskips; i++) {
		skips[i].label = sum->skips[i].reason;
		skips[i].n = sum->skips[i].n;
	}
	m.end_ms = clock_now_ms();
	m.duration_ms = mono_ms() - s->start_mono_ms;
	m.success = success;
	m.outcomes = outcomes;
	m.noutcomes = sizeof(outcomes) / sizeof(*outcomes);
	m.skips = skips;
	m.nskips = sum->nskips;
	if (cfg->delivery.kind == CONFIG_DELIVERY_SMTP) {
		m.smtp_replies = replies;
		m.nsmtp_replies = sizeof(replies) / sizeof(*replies);
	}
	m.queue_depth = sum->queue_depth;
	m.graph_requests = s->graph_requests;
	m.graph_throttled = s->graph_throttled;
	if (metrics_write(cfg->metrics.textfile, &m, &err))
		cmd_error("[metrics] textfile: %s", err.msg);
}
