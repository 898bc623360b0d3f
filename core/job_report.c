/*
 * job_report: how an outcome is told (one line through core/logging),
 * recorded (table outcomes, through queue) and counted (struct
 * job_summary), so that `run`, `resend` and `retry` say it the same way.
 */
#include "job.h"
#include "job_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "queue.h"

static void record_in(struct store *st, const char *user, const char *date,
		   const char *outcome, const char *reason, int64_t now_ms)
{
	struct dg_err err = DG_ERR_INIT;

	if (queue_record_outcome(st, user, date, outcome, reason, now_ms,
				 &err))
		logging_warn("%s %s: cannot record the outcome: %s", user, date,
			     err.msg);
}

void job_log_deferred(const char *user, const char *date, int64_t next,
		      const char *why)
{
	char at[32];

	clock_format_utc(next, at, sizeof(at));
	job_say(LOGGING_WARN, user, date, "deferred", why,
		"deferred (next try %s): %s", at,
		why ? why : "no reason recorded");
}

void job_report_delivery(struct store *st, int64_t now_ms,
			 struct job_summary *sum,
			 const struct deliver_report *r)
{
	const struct queue_msg *m = r->msg;

	switch (r->result) {
	case DELIVER_SENT:
		job_say(LOGGING_INFO, m->user, m->date, "sent", NULL, "sent%s",
			strcmp(m->kind, "resend") ? "" : " (resend)");
		record_in(st, m->user, m->date, "sent", NULL, now_ms);
		sum->sent++;
		break;
	case DELIVER_DEFERRED:
		job_log_deferred(m->user, m->date, r->next_attempt_at,
				 r->reason);
		record_in(st, m->user, m->date, "queued", r->reason, now_ms);
		sum->deferred++;
		break;
	case DELIVER_FAILED:
		job_say(LOGGING_ERROR, m->user, m->date, "failed", r->reason,
			"failed: %s", r->reason);
		record_in(st, m->user, m->date, "failed", r->reason, now_ms);
		sum->failed++;
		break;
	case DELIVER_STOP:
		job_say(LOGGING_ERROR, m->user, m->date, "untried", r->reason,
			"not sent, delivery stopped: %s", r->reason);
		record_in(st, m->user, m->date, "queued", r->reason, now_ms);
		sum->untried++;
		break;
	case DELIVER_UNTRIED:
		job_say(LOGGING_WARN, m->user, m->date, "untried", r->reason,
			"not tried, stays queued: %s", r->reason);
		sum->untried++;
		break;
	}
}

void job_say(enum logging_level level, const char *user, const char *date,
	     const char *outcome, const char *reason, const char *fmt, ...)
{
	struct logging_fields f = { .user = user, .date = date,
				    .outcome = outcome, .reason = reason };
	char tail[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	if (date)
		logging_outcome(level, &f, "%s %s: %s", user, date, tail);
	else
		logging_outcome(level, &f, "%s: %s", user, tail);
}

/* One more user skipped for reason, in the summary's per-reason table. */
void job_count_skip(struct job_summary *sum, const char *reason)
{
	size_t i;

	sum->skipped++;
	for (i = 0; i < sum->nskips; i++)
		if (!strcmp(sum->skips[i].reason, reason))
			break;
	if (i == sum->nskips) {
		if (i == JOB_SKIP_REASONS_MAX)
			return;
		snprintf(sum->skips[i].reason, sizeof(sum->skips[i].reason),
			 "%s", reason);
		sum->nskips++;
	}
	sum->skips[i].n++;
}

void job_record(struct job_ctx *c, const char *user, const char *date,
		   const char *outcome, const char *reason)
{
	struct dg_err err = DG_ERR_INIT;

	if (!c->queued)
		return;
	if (queue_record_outcome(c->store, user, date, outcome, reason,
				 c->o->now_ms, &err))
		logging_warn("%s %s: cannot record the outcome: %s", user, date,
			     err.msg);
}

const char *job_date_of(const struct job_user *ju)
{
	return ju->target.date[0] ? ju->target.date : "-";
}

void job_report_skip(struct job_ctx *c, struct job_user *ju,
			struct job_summary *sum)
{
	job_say(LOGGING_INFO, ju->user->mail, job_date_of(ju), "skipped",
		ju->skip_reason, "skipped (%s)", ju->skip_reason);
	job_record(c, ju->user->mail, job_date_of(ju), "skipped", ju->skip_reason);
	job_count_skip(sum, ju->skip_reason);
}

void job_report_failure(struct job_ctx *c, struct job_user *ju,
			   const struct dg_err *err, struct job_summary *sum)
{
	job_say(LOGGING_ERROR, ju->user->mail, job_date_of(ju), "failed",
		err->msg, "failed: %s", err->msg);
	job_record(c, ju->user->mail, job_date_of(ju), "failed", err->msg);
	sum->failed++;
}

/*
 * A digest already in the queue for this day is not built again: it was
 * sent, or the delivery phase retries it. Returns true when handled.
 */
bool job_already_queued(struct job_ctx *c, struct job_user *ju,
			   struct job_summary *sum)
{
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg m;
	bool sent;

	memset(&m, 0, sizeof(m));
	if (queue_find(c->store, ju->user->mail, ju->target.date, &m, &err))
		return false;
	sent = !strcmp(m.state, "sent");
	if (sent || !strcmp(m.state, "failed")) {
		job_say(LOGGING_INFO, ju->user->mail, ju->target.date,
			"skipped", sent ? "already_sent" : "already_failed",
			"skipped (%s)",
			sent ? "already_sent" : "already_failed");
		job_count_skip(sum, sent ? "already_sent" : "already_failed");
	} else if (!strcmp(m.state, "queued") &&
		   m.next_attempt_at > c->o->now_ms) {
		/* Not due this run; deliver does not see it: say so here. */
		job_log_deferred(m.user, m.date, m.next_attempt_at,
				m.last_reply);
		sum->deferred++;
	}
	queue_msg_release(&m);
	return true;
}

/* What only the end of a run knows: the queue left, the replies seen. */
void job_finish_summary(struct job_ctx *c, struct job_summary *sum)
{
	struct dg_err err = DG_ERR_INIT;
	const struct deliver_counts *dc;

	if (!c->queued)
		return;
	dc = deliver_counts(c->deliver);
	memcpy(sum->smtp_replies, dc->smtp_replies,
	       sizeof(sum->smtp_replies));
	if (queue_depth(c->store, &sum->queue_depth, &err))
		logging_warn("cannot count the queue: %s", err.msg);
}

/* Whether a digest that was due is still undelivered. */
bool job_undelivered(const struct job_summary *sum)
{
	return sum->failed || sum->deferred || sum->untried;
}
