/*
 * job_int.h: what the job's files share (job.c, job_retry.c), and
 * nobody else: how a delivery outcome is told, recorded and counted, so
 * that `run` and `retry` say it the same way.
 */
#ifndef DIGEST_JOB_INT_H
#define DIGEST_JOB_INT_H

#include <stdint.h>

#include "deliver.h"
#include "job.h"
#include "logging.h"
#include "store.h"

/*
 * One message's outcome: one line through core/logging ("sent",
 * "deferred (next try ...)", "failed: ...", "not sent, delivery stopped:
 * ...", "not tried, stays queued: ..."), the user's verdict in st, and
 * one count in sum.
 */
void job_report_delivery(struct store *st, int64_t now_ms,
			 struct job_summary *sum,
			 const struct deliver_report *r);

/*
 * One user's outcome line, "user date: <fmt>" ("user: <fmt>" when date
 * is NULL), with the fields (user, date, outcome, reason) a structured
 * log (--log-format json) shows apart.
 */
void job_say(enum logging_level level, const char *user, const char *date,
	     const char *outcome, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* "user date: deferred (next try <UTC time>): why", a warning. */
void job_log_deferred(const char *user, const char *date, int64_t next,
		      const char *why);

#endif
