/*
 * job_backfill: `digest history backfill`, the past days of every
 * reader's calendar read once into the history, so that a new
 * installation has relationship context from its first morning.
 *
 * It fetches as a run does, through the source's batches and with its
 * throttling rules (source_prefetch_*: JSON batches, --jobs requests in
 * flight, Retry-After obeyed): the mailbox settings of a window of users,
 * then each one's calendar over the whole span in one ask; each past day
 * is then planned and matched as a run would, and recorded with
 * job_history_record(). A user who fails is told and the others go on.
 */
#include "job.h"
#include "job_int.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "directory.h"
#include "history.h"
#include "logging.h"
#include "match.h"
#include "plan.h"
#include "roster.h"
#include "roster_db.h"
#include "roster_import.h"
#include "runlock.h"
#include "source.h"
#include "store.h"
#include "unsubscribe.h"

/* Users whose calendars are in memory at once: a span is many days. */
#define BACKFILL_USERS_PER_JOB 4

struct backfill {
	const struct job_opts *o;
	unsigned days;
	struct runlock *lock;
	struct store *store;
	struct roster roster;
	struct source *source;
	struct cal_user_list users;
	struct directory *dir;
};

/* One user of the window: what the first fetch told of them. */
struct backfill_user {
	const struct cal_user *user;
	struct cal_mailbox mailbox;
	bool skip;          /* no reader: opted out, a room, failed */
	char first[11], last[11];
	char start[32], end[32]; /* the UTC span asked for */
};

static int open_source(struct backfill *b, struct dg_err *err)
{
	const struct config *cfg = b->o->cfg;

	if (cfg->source.kind == CONFIG_SOURCE_GRAPH)
		return source_open_graph(cfg, b->store, b->o->jobs,
					 b->o->progress, b->o->progress_ctx,
					 &b->source, err);
	return source_open_fixtures(cfg->source.path, &b->source, err);
}

static int backfill_open(struct backfill *b, struct dg_err *err)
{
	const struct config *cfg = b->o->cfg;
	const struct directory_limits lim = {
		.per_run = (size_t)cfg->digest.max_list_lookups,
		.per_meeting = (size_t)cfg->digest.max_list_lookups_per_meeting,
	};
	int rc = runlock_acquire(cfg->store.path, &b->lock, NULL, err);

	if (!rc)
		rc = store_open(cfg->store.path, &b->store, err);
	if (!rc && cfg->roster.file) {
		rc = roster_sync(b->store, cfg->roster.file, err);
		rc = rc && rc != DG_ENOMEM ? DG_EINVAL : rc;
	}
	if (!rc)
		rc = roster_db_load(b->store, &b->roster, err);
	if (!rc)
		rc = open_source(b, err);
	if (!rc)
		rc = source_users(b->source, &b->users, err);
	if (!rc)
		rc = directory_open(&b->roster, &b->users, b->source, &lim,
				    &b->dir, err);
	return rc;
}

static void backfill_close(struct backfill *b)
{
	directory_close(b->dir);
	cal_user_list_release(&b->users);
	source_close(b->source);
	roster_release(&b->roster);
	store_close(b->store);
	runlock_release(b->lock);
}

static struct plan_opts plan_opts_of(const struct backfill *b,
				     const char *date, bool opted_out)
{
	const struct config *cfg = b->o->cfg;
	struct plan_opts po = {
		.now_ms = b->o->now_ms,
		.date = date,
		.covers = PLAN_COVERS_TODAY,
		.default_locale = cfg->digest.locale,
		.default_zone = cfg->digest.timezone,
		.opted_out = opted_out,
	};
	return po;
}

/* A reader's target of date (NULL: today in their zone). */
static int target_of(const struct backfill *b, struct backfill_user *bu,
		     const char *date, bool opted_out, struct plan_target *t,
		     struct dg_err *err)
{
	struct plan_opts po = plan_opts_of(b, date, opted_out);

	*t = (struct plan_target)PLAN_TARGET_INIT;
	return plan_target(&bu->mailbox, bu->user->mail, &po, t, err);
}

/* No history for who gets no digest at all, nor for a room's calendar. */
static bool no_reader(const char *why)
{
	return why && (!strcmp(why, PLAN_SKIP_OPTED_OUT) ||
		       !strcmp(why, PLAN_SKIP_ROOM_MAILBOX) ||
		       !strcmp(why, PLAN_SKIP_EQUIPMENT_MAILBOX) ||
		       !strcmp(why, PLAN_SKIP_SHARED_MAILBOX));
}

static int opted_out(struct backfill *b, const struct cal_user *u, bool *out,
		     struct dg_err *err)
{
	const char *via;
	const struct roster_person *p = directory_person(b->dir, u->mail, &via);

	*out = p && (p->opt_out || p->no_digest);
	return *out ? 0
		    : unsubscribe_is_opted_out(b->store, u->mail, out, err);
}

/* The span of u's past days, from its mailbox settings; or a skip. */
static int plan_span(struct backfill *b, struct backfill_user *bu,
		     struct dg_err *err)
{
	struct plan_target today, t;
	bool out = false;
	int rc = opted_out(b, bu->user, &out, err);

	if (!rc)
		rc = source_mailbox(b->source, bu->user, &bu->mailbox, err);
	if (!rc)
		rc = target_of(b, bu, NULL, out, &today, err);
	if (!rc && no_reader(today.skip_reason))
		bu->skip = true;
	if (!rc && !bu->skip &&
	    (history_date_add(today.date, -(int)b->days, bu->first) ||
	     history_date_add(today.date, -1, bu->last)))
		rc = dg_errf(err, DG_EINTERNAL, "bad date %s", today.date);
	plan_target_release(&today);
	if (rc || bu->skip)
		return rc;
	rc = target_of(b, bu, bu->first, false, &t, err);
	if (!rc)
		memcpy(bu->start, t.fetch_start, sizeof(bu->start));
	plan_target_release(&t);
	if (!rc)
		rc = target_of(b, bu, bu->last, false, &t, err);
	if (!rc)
		memcpy(bu->end, t.fetch_end, sizeof(bu->end));
	plan_target_release(&t);
	return rc;
}

static void matched_release(struct match_list *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		match_list_release(&l[i]);
	free(l);
}

/* One past day of a reader: planned, matched and recorded. */
static int backfill_day(struct backfill *b, struct backfill_user *bu,
			const char *date, const struct cal_event_list *events,
			size_t *people, struct dg_err *err)
{
	struct plan_day day = PLAN_DAY_INIT;
	struct match_list *lists = NULL;
	struct plan_target t;
	logging_fn *was;
	void *was_ctx;
	int rc;

	logging_get_routine(&was, &was_ctx);
	/* the zone's warnings were told for today: not once a day */
	logging_set_routine(NULL, NULL);
	rc = target_of(b, bu, date, false, &t, err);
	if (!rc)
		rc = plan_day(&t, events, &day, err);
	logging_set_routine(was, was_ctx);
	if (!rc) {
		lists = calloc(day.n ? day.n : 1, sizeof(*lists));
		if (!lists)
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < day.n; i++) {
		const struct cal_event *ev = day.meetings[i].event;

		if (day.meetings[i].is_private)
			continue;
		rc = directory_resolve(b->dir, bu->user, ev, err);
		if (!rc)
			rc = match_event(b->dir, bu->user, ev, &lists[i], err);
		*people += rc ? 0 : lists[i].n;
	}
	if (!rc)
		rc = job_history_record(b->store, b->dir, bu->user->mail, date,
					&day, lists, b->o->now_ms, err);
	matched_release(lists, day.n);
	plan_day_release(&day);
	plan_target_release(&t);
	return rc;
}

/* Every past day of one reader, in one transaction. */
static int backfill_user(struct backfill *b, struct backfill_user *bu,
			 struct job_backfill_summary *sum, struct dg_err *err)
{
	struct cal_event_list events = {0};
	char date[11];
	size_t people = 0;
	unsigned n = 0;
	int rc = source_events(b->source, bu->user, bu->start, bu->end,
			       &events, err);

	if (!rc)
		rc = store_begin(b->store, err);
	memcpy(date, bu->first, sizeof(date));
	while (!rc && strcmp(date, bu->last) <= 0) {
		rc = backfill_day(b, bu, date, &events, &people, err);
		n++;
		if (!rc && history_date_add(date, 1, date))
			rc = dg_errf(err, DG_EINTERNAL, "bad date %s", date);
	}
	if (!rc)
		rc = store_commit(b->store, err);
	else
		store_rollback(b->store);
	cal_event_list_release(&events);
	if (rc)
		return rc;
	job_say(LOGGING_INFO, bu->user->mail, NULL, "backfilled", NULL,
		"history backfilled: %u days from %s (%zu people in meetings)",
		n, bu->first, people);
	sum->users++;
	sum->days += n;
	return 0;
}

static void user_failed(const struct cal_user *u, const struct dg_err *e,
			struct job_backfill_summary *sum)
{
	job_say(LOGGING_ERROR, u->mail, NULL, "failed", e->msg,
		"history backfill failed: %s", e->msg);
	sum->failed++;
}

static bool stop_requested(const struct job_opts *o)
{
	return o->stop && *o->stop;
}

/* A window of users: mailboxes, then calendars, then the days. */
static int backfill_window(struct backfill *b, struct backfill_user *w,
			   size_t n, struct job_backfill_summary *sum,
			   struct dg_err *err)
{
	const struct cal_user **users = calloc(n, sizeof(*users));
	struct source_window *win = calloc(n, sizeof(*win));
	size_t nwin = 0;
	int rc = 0;

	if (!users || !win)
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++)
		users[i] = w[i].user;
	if (!rc)
		rc = source_prefetch_mailboxes(b->source, users, n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct dg_err e = DG_ERR_INIT;

		if (plan_span(b, &w[i], &e)) {
			user_failed(w[i].user, &e, sum);
			w[i].skip = true;
		} else if (w[i].skip) {
			sum->skipped++;
		} else {
			win[nwin++] = (struct source_window){
				w[i].user, w[i].start, w[i].end
			};
		}
	}
	if (!rc && nwin)
		rc = source_prefetch_events(b->source, win, nwin, err);
	for (size_t i = 0; !rc && i < n && !stop_requested(b->o); i++) {
		struct dg_err e = DG_ERR_INIT;

		if (!w[i].skip && backfill_user(b, &w[i], sum, &e))
			user_failed(w[i].user, &e, sum);
	}
	for (size_t i = 0; i < n; i++) {
		source_forget(b->source, w[i].user);
		cal_mailbox_release(&w[i].mailbox);
	}
	free(users);
	free(win);
	return rc;
}

static size_t window_of(const struct job_opts *o)
{
	size_t jobs = o->jobs > 0 ? (size_t)o->jobs : 8;
	size_t n = jobs * BACKFILL_USERS_PER_JOB;

	return n;
}

static int backfill_all(struct backfill *b, struct job_backfill_summary *sum,
			struct dg_err *err)
{
	size_t cap = window_of(b->o), next = 0;
	struct backfill_user *w = calloc(cap, sizeof(*w));
	int rc = w ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");

	while (!rc && next < b->users.n && !stop_requested(b->o)) {
		size_t n = 0;

		memset(w, 0, cap * sizeof(*w));
		while (n < cap && next < b->users.n) {
			const struct cal_user *u = &b->users.v[next++];

			if (job_selected(b->o, u))
				w[n++].user = u;
		}
		if (n)
			rc = backfill_window(b, w, n, sum, err);
	}
	free(w);
	if (rc == DG_ESTOPPED || (!rc && stop_requested(b->o)))
		return dg_errf(err, DG_ESTOPPED,
			       "stopped: the users not done yet can be "
			       "backfilled again");
	return rc;
}

/* A --user that names nobody in the tenant is a failure, not silence. */
static void unknown_users(const struct backfill *b,
			  struct job_backfill_summary *sum)
{
	for (size_t i = 0; b->o->users && i < b->o->nusers; i++) {
		if (directory_user(b->dir, b->o->users[i]))
			continue;
		job_say(LOGGING_ERROR, b->o->users[i], NULL, "failed",
			"no such user in the tenant",
			"failed: no such user in the tenant");
		sum->failed++;
	}
}

int job_backfill(const struct job_opts *o, unsigned days,
		 struct job_backfill_summary *sum, struct dg_err *err)
{
	struct backfill b = {.o = o, .days = days};
	int rc;

	memset(sum, 0, sizeof(*sum));
	if (!days || (long)days > o->cfg->history.days)
		return dg_errf(err, DG_EINVAL,
			       "history backfill --days must be from 1 to "
			       "[history] days (%ld)",
			       o->cfg->history.days);
	rc = backfill_open(&b, err);
	if (!rc) {
		unknown_users(&b, sum);
		rc = backfill_all(&b, sum, err);
	}
	backfill_close(&b);
	if (!rc && sum->failed)
		rc = dg_errf(err, DG_ETEMP, "%zu of the users failed",
			     sum->failed);
	return rc;
}
