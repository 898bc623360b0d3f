/*
 * job_retry: `digest retry`, the deferred messages sent now.
 *
 * No source, no rendering: the messages are in the queue already. The
 * run lock is taken as for a run, so a retry and a run never send the
 * same row at once; delivery walks the queue with the backoff ignored.
 */
#include "job.h"
#include "job_int.h"

#include <string.h>
#include <strings.h>

#include "clock.h"
#include "logging.h"
#include "queue.h"
#include "runlock.h"

static void record(struct store *st, const char *user, const char *date,
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
		record(st, m->user, m->date, "sent", NULL, now_ms);
		sum->sent++;
		break;
	case DELIVER_DEFERRED:
		job_log_deferred(m->user, m->date, r->next_attempt_at,
				 r->reason);
		record(st, m->user, m->date, "queued", r->reason, now_ms);
		sum->deferred++;
		break;
	case DELIVER_FAILED:
		job_say(LOGGING_ERROR, m->user, m->date, "failed", r->reason,
			"failed: %s", r->reason);
		record(st, m->user, m->date, "failed", r->reason, now_ms);
		sum->failed++;
		break;
	case DELIVER_STOP:
		job_say(LOGGING_ERROR, m->user, m->date, "untried", r->reason,
			"not sent, delivery stopped: %s", r->reason);
		record(st, m->user, m->date, "queued", r->reason, now_ms);
		sum->untried++;
		break;
	case DELIVER_UNTRIED:
		job_say(LOGGING_WARN, m->user, m->date, "untried", r->reason,
			"not tried, stays queued: %s", r->reason);
		sum->untried++;
		break;
	}
}

struct retry {
	struct store *st;
	int64_t now_ms;
	const char *user;
	struct job_summary *sum;
};

static bool wanted(const struct queue_msg *m, void *ctx)
{
	const struct retry *r = ctx;

	return !r->user || !strcasecmp(m->user, r->user);
}

static void reported(const struct deliver_report *rep, void *ctx)
{
	struct retry *r = ctx;

	job_report_delivery(r->st, r->now_ms, r->sum, rep);
}

static int retry_all(const struct job_opts *o, struct retry *r,
		     struct dg_err *err)
{
	struct deliver_opts d = {
		.now_ms = o->now_ms,
		.ignore_backoff = true,
		.stop = o->stop,
		.want = wanted,
		.report = reported,
		.ctx = r,
	};
	struct deliver *dl = NULL;
	int rc = deliver_open(o->cfg, r->st, &d, &dl, err);

	if (!rc)
		rc = deliver_finish(dl, err);
	deliver_close(dl);
	return rc;
}

int job_retry(const struct job_opts *o, const char *user,
	      struct job_summary *sum, struct dg_err *err)
{
	struct retry r = { .now_ms = o->now_ms, .user = user, .sum = sum };
	struct runlock *lock = NULL;
	int rc;

	memset(sum, 0, sizeof(*sum));
	if (o->cfg->delivery.kind == CONFIG_DELIVERY_STDOUT)
		return dg_errf(err, DG_EINVAL, "retry: [delivery] kind = "
			       "\"stdout\" queues nothing to retry");
	rc = runlock_acquire(o->cfg->store.path, &lock, NULL, err);
	if (!rc)
		rc = store_open(o->cfg->store.path, &r.st, err);
	if (!rc)
		rc = retry_all(o, &r, err);
	store_close(r.st);
	runlock_release(lock);
	if (rc)
		return rc;
	if (!sum->sent && !sum->deferred && !sum->failed && !sum->untried)
		logging_info("nothing to retry%s%s", user ? " for " : "",
			     user ? user : "");
	return sum->failed || sum->deferred || sum->untried ? DG_ETEMP : 0;
}
