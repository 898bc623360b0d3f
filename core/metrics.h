/*
 * metrics: a run's numbers in the Prometheus text format, for
 * node_exporter's textfile collector ([metrics] textfile).
 *
 * The file describes the last run (digests by outcome and skip reason,
 * the queue left, Graph requests and throttled answers, SMTP replies by
 * class, the duration) and the time of the last successful run, which an
 * alert compares with time(). It is replaced whole at the end of every
 * run: written to a temporary file in the same folder, flushed, then
 * renamed over the old one, so that the collector never reads half a
 * file. A run that did not succeed carries the last success time over
 * from the file it replaces.
 *
 * Base layer: it knows numbers, not jobs; cmd/ fills struct metrics_run
 * from the job's summary. All counts are of this run; all are gauges.
 */
#ifndef DIGEST_METRICS_H
#define DIGEST_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

/* A label value and its count: a skip reason, an SMTP reply class. */
struct metrics_count {
	const char *label; /* borrowed */
	size_t n;
};

struct metrics_run {
	int64_t end_ms;		/* wall clock at the end: Unix ms */
	int64_t duration_ms;
	bool success;		/* the run exits 0 */

	/* Users by outcome ("sent", "skipped", "waiting", "failed", ...). */
	const struct metrics_count *outcomes;
	size_t noutcomes;
	/* Skipped users by reason ("out_of_office", ...). */
	const struct metrics_count *skips;
	size_t nskips;
	/* SMTP replies by class ("2xx", "4xx", "5xx", "none"). */
	const struct metrics_count *smtp_replies;
	size_t nsmtp_replies;

	size_t queue_depth;	/* messages still to deliver */
	size_t graph_requests;	/* Graph requests, batched ones included */
	size_t graph_throttled; /* answers that said to wait (429, 503) */
};

#define METRICS_RUN_INIT { .end_ms = 0 }

/*
 * Append the text format of m to out. last_success_ms is the time of the
 * last successful run (m's own end when m->success); 0: none known, and
 * the metric is left out.
 */
int metrics_format(struct strbuf *out, const struct metrics_run *m,
		   int64_t last_success_ms) __attribute__((warn_unused_result));

/*
 * The last success time written in the textfile at path, in ms; 0 when
 * the file or the line is absent or unreadable.
 */
int64_t metrics_last_success(const char *path);

/*
 * Replace the file at path with the text format of m, atomically (a
 * temporary file in the same folder, renamed), readable by all (the
 * collector runs as another user). DG_EIO with the path and the cause on
 * failure; the old file is then untouched.
 */
int metrics_write(const char *path, const struct metrics_run *m,
		  struct dg_err *err) __attribute__((warn_unused_result));

#endif
