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
