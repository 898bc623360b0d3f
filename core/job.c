#include "job.h"
#include "job_int.h"

#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "queue.h"
#include "tz.h"

static bool stop_requested(const struct job_opts *o)
{
	return o->stop && *o->stop;
}

/* Whether the queue holds this day's digest of the user already. */
static bool in_queue(struct job_ctx *c, const struct job_user *ju)
{
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg m;
	bool found;

	memset(&m, 0, sizeof(m));
	found = !queue_find(c->store, ju->user->mail, ju->target.date, &m,
			    &err);
	queue_msg_release(&m);
	return found;
}

/* The user's own send time, else [digest] send_at, else NULL. */
static const char *send_at(const struct job_ctx *c, const struct job_user *ju)
{
	return ju->prefs.send_at[0] ? ju->prefs.send_at
				    : c->o->cfg->digest.send_at;
}

/*
 * Before [digest] send_at in the user's own zone, the user waits for a
 * later run: an hourly cron then reaches everyone at their morning.
 */
static int before_send_at(struct job_ctx *c, struct job_user *ju,
			  bool *wait, struct dg_err *err)
{
	const char *at = send_at(c, ju);
	int minutes = 0, send_at_min = 0, rc;

	*wait = false;
	/* config and prefs checked send_at: a bad one is as none */
	if (!tz_parse_time_of_day(at, &send_at_min) || c->o->date)
		return 0;
	rc = tz_local_minutes(ju->target.zone, c->o->now_ms, &minutes, err);
	if (!rc)
		*wait = minutes < send_at_min;
	return rc;
}

enum job_step job_decide(const struct job_facts *f, const char **reason)
{
	*reason = f->skip_reason;
	if (f->skip_reason)
		return JOB_SKIP;
	if (f->before_send_at)
		return JOB_WAIT;
	if (f->in_queue)
		return JOB_IN_QUEUE;
	return JOB_FETCH;
}

/*
 * The facts about u once its mailbox settings are in, and the one
 * decision made of them. Returns 0 with *step set, or a failure.
 */
static int decide(struct job_ctx *c, struct job_user *ju, enum job_step *step,
		  struct dg_err *err)
{
	struct job_facts f = { 0 };
	const char *reason;
	int rc = job_user_target(c, ju->user, ju, err);

	f.skip_reason = ju->skip_reason;
	if (!rc && !f.skip_reason)
		rc = before_send_at(c, ju, &f.before_send_at, err);
	if (!rc && !f.skip_reason && !f.before_send_at && c->queued)
		f.in_queue = in_queue(c, ju);
	*step = job_decide(&f, &reason);
	return rc;
}

/* ---- the stream: a window of users in flight ------------------------ */

/* An answer of the source, noted to be acted on outside its callback. */
struct job_answer {
	enum source_what what;
	const struct cal_user *user;
	char *address;
};

struct job_stream {
	struct job_summary *sum;
	size_t window;             /* users in flight, at most */
	struct hmap users;         /* user id -> struct job_user */
	struct job_answer *answers; /* heard, not yet acted on */
	size_t nanswers, answers_alloc;
	struct job_user **waiting; /* AT_LISTS */
	size_t nwaiting, waiting_alloc;
	bool lists_heard;          /* a list's answer came since the check */
	size_t unreached;          /* a stop left them for the next run */
	int rc;                    /* the source failed as a whole */
	struct dg_err err;
};

/* How long the loop waits for a composed message, in ms. */
#define JOB_WAIT_MS 10

/* Users in flight are known by id (every source gives one), or mail. */
static const char *user_key(const struct cal_user *u)
{
	return u->id ? u->id : u->mail;
}

static int grow(void **v, size_t *alloc, size_t n, size_t size)
{
	size_t cap = *alloc ? *alloc * 2 : 16;
	void *nv;

	if (n < *alloc)
		return 0;
	nv = realloc(*v, cap * size);
	if (!nv)
		return DG_ENOMEM;
	*v = nv;
	*alloc = cap;
	return 0;
}

/* The source's answer function: note it, act after. */
static void heard(void *ctx, const struct source_answer *a)
{
	struct job_stream *st = ctx;
	struct job_answer *n;

	if (st->rc)
		return;
	if (grow((void **)&st->answers, &st->answers_alloc, st->nanswers,
		 sizeof(*st->answers))) {
		st->rc = dg_errf(&st->err, DG_ENOMEM, "out of memory");
		return;
	}
	n = &st->answers[st->nanswers];
	n->what = a->what;
	n->user = a->user;
	n->address = a->address ? strdup(a->address) : NULL;
	if (a->address && !n->address) {
		st->rc = dg_errf(&st->err, DG_ENOMEM, "out of memory");
		return;
	}
	st->nanswers++;
}

/* The user leaves the window; everything held for it is freed. */
static void user_done(struct job_ctx *c, struct job_user *ju)
{
	struct job_stream *st = c->stream;

	hmap_remove(&st->users, user_key(ju->user));
	source_forget(c->source, ju->user);
	job_user_release(ju);
	free(ju);
}

static int admit(struct job_ctx *c, const struct cal_user *u)
{
	struct job_stream *st = c->stream;
	struct job_user *ju = malloc(sizeof(*ju));

	if (!ju)
		return dg_errf(&st->err, DG_ENOMEM, "out of memory");
	job_user_init(ju);
	ju->user = u;
	ju->stage = AT_MAILBOX;
	if (hmap_put(&st->users, user_key(u), ju, NULL)) {
		free(ju);
		/* Twice the same user: the first one goes on. */
		return 0;
	}
	return source_ask_mailbox(c->source, u, &st->err);
}

/* The user's lists are in: match, build, send, leave. */
static void finish(struct job_ctx *c, struct job_user *ju)
{
	struct job_stream *st = c->stream;
	struct dg_err err = DG_ERR_INIT;
	int rc = job_user_weigh(c, ju, &err);

	if (!rc)
		job_user_record(c, ju, &ju->day);
	if (!rc && ju->skip_reason) {
		job_report_skip(c, ju, st->sum);
	} else if (!rc && c->pool) {
		/* The pool composes it; composed() sends it on. */
		rc = job_user_links(c, ju, &err);
		ju->input = job_user_input(ju);
		if (!rc)
			rc = compose_pool_add(c->pool, &ju->input, 1, ju,
					      &err);
		ju->stage = AT_COMPOSE;
		if (!rc)
			return;
		job_report_failure(c, ju, &err, st->sum);
	} else if (rc || job_user_send(c, ju, st->sum, &err)) {
		job_report_failure(c, ju, &err, st->sum);
	}
	user_done(c, ju);
}

/* The messages the pool has composed: sent on, their users done. */
static void composed(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	struct compose_result r;

	while (c->pool && compose_pool_next(c->pool, &r)) {
		struct job_user *ju = r.tag;

		if (r.status ||
		    job_user_send_built(c, ju, &r.msg, &r.id, st->sum, &r.err))
			job_report_failure(c, ju, &r.err, st->sum);
		strbuf_release(&r.msg);
		strbuf_release(&r.id);
		user_done(c, ju);
	}
}

static int wait_lists(struct job_ctx *c, struct job_user *ju)
{
	struct job_stream *st = c->stream;

	if (grow((void **)&st->waiting, &st->waiting_alloc, st->nwaiting,
		 sizeof(*st->waiting)))
		return dg_errf(&st->err, DG_ENOMEM, "out of memory");
	ju->stage = AT_LISTS;
	st->waiting[st->nwaiting++] = ju;
	return 0;
}

/* The calendar is in: plan the day, then ask about its lists. */
static void on_events(struct job_ctx *c, struct job_user *ju)
{
	struct job_summary *sum = c->stream->sum;
	struct dg_err err = DG_ERR_INIT;
	size_t pending = 0;
	int rc = job_user_day(c, ju, &err);

	if (!rc && ju->skip_reason) {
		job_user_record(c, ju, NULL);
		job_report_skip(c, ju, sum);
		user_done(c, ju);
		return;
	}
	if (!rc)
		rc = job_user_ask_lists(c, ju, &pending, &err);
	if (rc) {
		job_report_failure(c, ju, &err, sum);
		user_done(c, ju);
	} else if (!pending) {
		finish(c, ju);
	} else if (wait_lists(c, ju)) {
		job_report_failure(c, ju, &c->stream->err, sum);
		user_done(c, ju);
	}
}

/* The mailbox settings are in: decide, once, what the user gets. */
static void on_mailbox(struct job_ctx *c, struct job_user *ju)
{
	struct job_summary *sum = c->stream->sum;
	struct dg_err err = DG_ERR_INIT;
	enum job_step step = JOB_FETCH;
	int rc = decide(c, ju, &step, &err);

	if (!rc && step == JOB_FETCH) {
		ju->stage = AT_EVENTS;
		rc = source_ask_events(c->source, ju->user,
				       ju->target.fetch_start,
				       ju->target.fetch_end, &c->stream->err);
		if (rc)
			c->stream->rc = rc;
		return;
	}
	if (rc)
		job_report_failure(c, ju, &err, sum);
	else if (step == JOB_SKIP)
		job_report_skip(c, ju, sum);
	else if (step == JOB_IN_QUEUE)
		job_already_queued(c, ju, sum);
	else {
		job_say(LOGGING_INFO, ju->user->mail, ju->target.date,
			"waiting", NULL, "waiting (sends at %s in %s)",
			send_at(c, ju), ju->target.zone);
		sum->waiting++;
	}
	user_done(c, ju);
}

/* Users waiting for lists whose answers are all in go on. */
static void check_waiting(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	size_t i, w = 0;

	st->lists_heard = false;
	for (i = 0; i < st->nwaiting; i++) {
		struct job_user *ju = st->waiting[i];
		struct dg_err err = DG_ERR_INIT;
		size_t pending = 0;

		if (job_user_ask_lists(c, ju, &pending, &err)) {
			job_report_failure(c, ju, &err, st->sum);
			user_done(c, ju);
		} else if (pending) {
			st->waiting[w++] = ju;
		} else {
			finish(c, ju);
		}
	}
	st->nwaiting = w;
}

static void act(struct job_ctx *c, const struct job_answer *a)
{
	struct job_stream *st = c->stream;
	struct job_user *ju;
	struct dg_err err = DG_ERR_INIT;

	if (a->what == SOURCE_GROUP) {
		if (directory_answered(c->dir, a->address, &err))
			st->rc = dg_errf(&st->err, DG_ENOMEM, "%s", err.msg);
		st->lists_heard = true;
		return;
	}
	ju = hmap_get(&st->users, user_key(a->user));
	if (!ju)
		return;
	if (a->what == SOURCE_MAILBOX && ju->stage == AT_MAILBOX)
		on_mailbox(c, ju);
	else if (a->what == SOURCE_EVENTS && ju->stage == AT_EVENTS)
		on_events(c, ju);
}

/* Act on what was heard; acting may hear more (at once, from memory). */
static void act_all(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	struct dg_err err = DG_ERR_INIT;
	int rc;

	st->rc = job_batch_begin(c, &st->err);
	for (size_t i = 0; !st->rc && i < st->nanswers; i++) {
		act(c, &st->answers[i]);
		free(st->answers[i].address);
		st->answers[i].address = NULL;
	}
	for (size_t i = 0; i < st->nanswers; i++)
		free(st->answers[i].address);
	st->nanswers = 0;
	if (!st->rc && st->lists_heard)
		check_waiting(c);
	if (!st->rc)
		composed(c);
	/* What was done stands, even when the source failed meanwhile. */
	rc = job_batch_end(c, &err);
	if (rc && !st->rc) {
		st->rc = rc;
		st->err = err;
	}
}

/* --jobs requests in flight keep this many users busy. */
static size_t window_of(const struct job_opts *o)
{
	size_t jobs = o->jobs > 0 ? (size_t)o->jobs : 8;

	return jobs * JOB_USERS_PER_JOB;
}

/* The users not finished when the run stops: they wait for the next. */
static void stopped(struct job_ctx *c, size_t next)
{
	struct job_stream *st = c->stream;
	size_t n = st->users.n;

	for (size_t i = next; i < c->users.n; i++)
		n += job_selected(c->o, &c->users.v[i]);
	if (n)
		logging_warn("stopped before %zu of the users; their digests "
			     "wait for the next run", n);
	st->unreached = n;
}

static int stream_run(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	size_t next = 0;

	while (!st->rc && !stop_requested(c->o)) {
		while (!st->rc && st->users.n < st->window &&
		       next < c->users.n) {
			const struct cal_user *u = &c->users.v[next++];

			if (job_selected(c->o, u))
				st->rc = admit(c, u);
		}
		/*
		 * Messages queued so far go out while calendars come in, at
		 * every turn: answers and composed messages may keep coming
		 * for seconds, and a connection that is done waits for this.
		 */
		if (!st->rc && c->queued)
			st->rc = deliver_poll(c->deliver, 0, &st->err);
		if (st->rc)
			break;
		if (st->nanswers || (c->pool && compose_pool_ready(c->pool))) {
			act_all(c);
			continue;
		}
		if (!st->users.n && next == c->users.n)
			break;
		if (source_busy(c->source))
			st->rc = source_pump(c->source, &st->err);
		else if (c->pool && compose_pool_pending(c->pool))
			compose_pool_wait(c->pool, JOB_WAIT_MS);
		else
			return st->rc = dg_errf(&st->err, DG_EINTERNAL,
						"%zu users wait for answers "
						"nobody fetches",
						st->users.n);
	}
	/* A stop in the middle of a fetch is a stop, not a failure. */
	if (st->rc == DG_ESTOPPED)
		st->rc = 0;
	else if (st->rc || !stop_requested(c->o))
		return st->rc;
	stopped(c, next);
	return 0;
}

static void stream_release(struct job_ctx *c)
{
	struct job_stream *st = c->stream;
	const struct hmap_entry *e;
	size_t pos = 0;

	if (!st)
		return;
	/* First: its threads may be reading users in flight. */
	compose_pool_close(c->pool);
	c->pool = NULL;
	source_on_answer(c->source, NULL, NULL);
	while ((e = hmap_next(&st->users, &pos))) {
		job_user_release(e->value);
		free(e->value);
	}
	hmap_release(&st->users);
	for (size_t i = 0; i < st->nanswers; i++)
		free(st->answers[i].address);
	free(st->answers);
	free(st->waiting);
	c->stream = NULL;
}

/*
 * Every selected user through the flow, a window of them at a time: each
 * user's digest is built and queued as soon as its answers are in, and
 * its memory released.
 */
static int stream_users(struct job_ctx *c, struct job_summary *sum,
			size_t *unreached, struct dg_err *err)
{
	struct job_stream st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.sum = sum;
	st.window = window_of(c->o);
	hmap_init(&st.users, 0);
	c->stream = &st;
	source_on_answer(c->source, heard, &st);
	rc = job_pool_open(c, &st.err);
	if (!rc)
		rc = stream_run(c);
	if (rc)
		*err = st.err;
	*unreached = st.unreached;
	stream_release(c);
	return rc;
}

/* A --user that names nobody in the tenant is a failure, not silence. */
static size_t unknown_users(const struct job_ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; c->o->users && i < c->o->nusers; i++) {
		if (job_find_user(c, c->o->users[i]))
			continue;
		job_say(LOGGING_ERROR, c->o->users[i], NULL, "failed",
			"no such user in the tenant",
			"failed: no such user in the tenant");
		n++;
	}
	return n;
}

int job_run(const struct job_opts *o, struct job_summary *sum,
	    struct dg_err *err)
{
	size_t unreached = 0;
	struct job_ctx c;
	int rc;

	memset(sum, 0, sizeof(*sum));
	c.sum = sum;
	rc = job_ctx_open(&c, o, !o->dry_run, err);
	c.sum = sum;
	if (rc) {
		job_ctx_release(&c);
		return rc;
	}
	sum->failed += unknown_users(&c);
	rc = stream_users(&c, sum, &unreached, err);
	if (rc) {
		job_ctx_release(&c);
		return rc;
	}
	/* the history on disk before the rest of the delivery */
	job_history_write(&c);
	if (c.queued)
		rc = deliver_finish(c.deliver, err);
	job_finish_summary(&c, sum);
	job_ctx_release(&c);
	if (rc)
		return rc;
	return job_undelivered(sum) || unreached ? DG_ETEMP : 0;
}
