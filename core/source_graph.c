/*
 * source_graph: the graph kind of source, live Microsoft Graph.
 *
 * Users come from the store (table users, or the connected users in
 * delegated mode). Mailbox settings and events are fetched ahead for many
 * users at once (source_prefetch_*), batched and in parallel by graph.c,
 * and each user's answer or failure is kept in a record until the job
 * asks for it; a user nobody fetched ahead is fetched when asked. The
 * attendees looked up as distribution lists are source_graph_groups.c's,
 * behind source_graph_int.h.
 */
#include "source.h"
#include "auth.h"
#include "graph.h"
#include "graphjson.h"
#include "hmap.h"
#include "logging.h"
#include "source_graph_int.h"
#include "users.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Every field graphjson reads from an event, and no other. */
#define EVENT_FIELDS                                                           \
	"id,subject,sensitivity,isAllDay,isCancelled,responseStatus,"          \
	"showAs,type,start,end,location,onlineMeeting,organizer,"              \
	"attendees"

/* Times in the answers: UTC, so plan alone deals with zones. */
#define PREFER_UTC "outlook.timezone=\"UTC\""

/* A progress line is redrawn at most this often. */
#define PROGRESS_EVERY_MS 100

enum fetch_state {
	FETCH_NONE,    /* never asked */
	FETCH_PENDING, /* requests in flight */
	FETCH_DONE,    /* the answer is here */
	FETCH_FAILED,  /* msg says why */
	FETCH_TAKEN    /* events handed to the caller */
};

/* One user's answers, fetched ahead or on demand. */
struct guser {
	struct gsrc *src;
	const struct cal_user *cu; /* the caller's, for its notifications */
	char *id;
	char *mail;
	int who;     /* token identity, -1: none (not connected) */
	int mailbox; /* graph's handle for per-mailbox limits */

	enum fetch_state mb_state;
	struct cal_mailbox mb; /* read as it came, until handed out */
	int mb_rc;
	char *mb_msg;

	enum fetch_state ev_state;
	char *ev_start, *ev_end; /* the window fetched */
	struct cal_event_list events;
	int ev_rc;
	char *ev_msg;
};

/* ---- progress ---------------------------------------------------- */

static int64_t elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void report(struct gsrc *s, bool force)
{
	struct source_progress p = {.stage = s->stage};
	struct graph_stats gs;

	if (!s->progress ||
	    (!force && elapsed_ms(&s->last) < PROGRESS_EVERY_MS))
		return;
	clock_gettime(CLOCK_MONOTONIC, &s->last);
	graph_get_stats(s->g, &gs);
	p.done = s->done;
	p.total = s->total;
	p.requests = gs.requests;
	p.throttled = gs.throttled;
	s->progress(&p, s->progress_ctx);
}

static void tick(void *ctx)
{
	report(ctx, false);
}

/* ---- the records ----------------------------------------------------- */

static void guser_free(struct guser *u)
{
	if (!u)
		return;
	free(u->id);
	free(u->mail);
	cal_mailbox_release(&u->mb);
	free(u->mb_msg);
	free(u->ev_start);
	free(u->ev_end);
	cal_event_list_release(&u->events);
	free(u->ev_msg);
	free(u);
}

static int guser_new(struct gsrc *s, const struct cal_user *cu,
		     struct guser **out, struct dg_err *err)
{
	struct guser *u = calloc(1, sizeof(*u));

	*out = u;
	if (!u)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	u->src = s;
	u->cu = cu;
	u->id = strdup(cu->id);
	u->mail = strdup(cu->mail ? cu->mail : cu->id);
	if (!u->id || !u->mail)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	u->who = auth_who(s->auth, cu);
	return graph_mailbox(s->g, &u->mailbox, err);
}

/* The record of user cu, made on first sight. */
static int record(struct gsrc *s, const struct cal_user *cu, struct guser **out,
		  struct dg_err *err)
{
	struct guser *u;
	int rc;

	*out = NULL; /* set on every path: gcc -O3 cannot see dg_errf's */
	if (!cu->id)
		return dg_errf(err, DG_EINVAL,
			       "a user without id cannot be "
			       "fetched");
	*out = hmap_get(&s->by_id, cu->id);
	if (*out)
		return 0;
	rc = guser_new(s, cu, &u, err);
	if (rc) {
		guser_free(u);
		return rc;
	}
	if (hmap_put(&s->by_id, u->id, u, NULL)) {
		guser_free(u);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	*out = u;
	return 0;
}

/* "user a@b: <what>", kept for when the job asks. */
static void set_failure(const struct guser *u, int rc, const char *what,
			int *rc_out, char **msg_out)
{
	struct strbuf sb = STRBUF_INIT;

	*rc_out = rc;
	free(*msg_out);
	if (strbuf_addf(&sb, "user %s: %s", u->mail, what))
		strbuf_reset(&sb);
	*msg_out = sb.len ? strbuf_detach(&sb, NULL) : NULL;
	strbuf_release(&sb);
}

static int failure(struct dg_err *err, int rc, const char *msg)
{
	return dg_errf(err, rc, "%s", msg ? msg : "out of memory");
}

/* Tell the caller an answer is in (a user's, or an address's). */
void source_graph_notify(struct gsrc *s, enum source_what what,
			 const struct cal_user *cu, const char *address)
{
	struct source_answer a = { what, cu, address };

	if (s->answer)
		s->answer(s->answer_ctx, &a);
}

/* "/users/{id}" or, delegated, "/me": whose data a request reads. */
static int user_path(const struct gsrc *s, const struct guser *u,
		     struct strbuf *url)
{
	int rc;

	if (s->delegated)
		return strbuf_addstr(url, "/me");
	rc = strbuf_addstr(url, "/users/");
	return rc ? rc : graph_escape(u->id, url);
}

static int submit(struct gsrc *s, struct guser *u, const char *url,
		  const char *prefer, graph_done_fn *done, struct dg_err *err)
{
	struct graph_request rq = {
		.method = "GET",
		.url = url,
		.prefer = prefer,
		.who = u->who,
		.mailbox = u->mailbox,
		.batch = true,
		.done = done,
		.arg = u,
	};

	if (u->who < 0)
		return dg_errf(err, DG_EPERM,
			       "not connected: run 'digest "
			       "connect'");
	return graph_submit(s->g, &rq, err);
}

/* ---- mailbox settings -------------------------------------------------- */

/*
 * The settings are read as they come, from the $batch answer parsed
 * once (or the text of a direct answer), and kept as plain data.
 */
static void mailbox_done(void *arg, const struct graph_result *r)
{
	struct guser *u = arg;
	struct gsrc *s = u->src;
	struct dg_err err = DG_ERR_INIT;
	int rc = r->rc;

	s->done++;
	cal_mailbox_release(&u->mb);
	if (!rc && r->json)
		rc = graphjson_mailbox_value(r->json, &u->mb, &err);
	else if (!rc)
		rc = graphjson_mailbox(r->body, r->len, &u->mb, &err);
	if (!r->rc && rc)
		dg_err_prefix(&err, "GET %s%s/mailboxSettings",
			      s->delegated ? "/me" : "/users/",
			      s->delegated ? "" : u->id);
	u->mb_state = rc ? FETCH_FAILED : FETCH_DONE;
	if (rc)
		set_failure(u, rc, r->rc ? r->msg : err.msg, &u->mb_rc,
			    &u->mb_msg);
	source_graph_notify(s, SOURCE_MAILBOX, u->cu, NULL);
}

static void ask_mailbox(struct gsrc *s, struct guser *u)
{
	struct strbuf url = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	int rc;

	cal_mailbox_release(&u->mb);
	rc = user_path(s, u, &url);
	if (!rc)
		rc = strbuf_addstr(&url, "/mailboxSettings");
	if (rc)
		rc = dg_errf(&err, rc, "out of memory");
	else
		rc = submit(s, u, url.buf, NULL, mailbox_done, &err);
	strbuf_release(&url);
	u->mb_state = rc ? FETCH_FAILED : FETCH_PENDING;
	if (rc)
		set_failure(u, rc, err.msg, &u->mb_rc, &u->mb_msg);
	else
		s->total++;
}

static void stage(struct gsrc *s, const char *name)
{
	s->stage = name;
	s->done = 0;
	s->total = 0;
}

/* graph_run() with the progress line drawn before and after. */
int source_graph_run(struct gsrc *s, struct dg_err *err)
{
	int rc;

	report(s, true);
	rc = graph_run(s->g, err);
	report(s, true);
	return rc;
}

/* App mode: a refused sign-in stops everything, not user by user. */
static int sign_in(struct gsrc *s, struct dg_err *err)
{
	int rc;

	if (s->signed_in)
		return 0;
	rc = auth_check(s->auth, err);
	s->signed_in = !rc;
	return rc;
}

/* The start of every ask: signed in, and the record of cu in *u. */
static int begin_ask(struct gsrc *s, const struct cal_user *cu,
		     struct guser **u, struct dg_err *err)
{
	int rc = sign_in(s, err);

	return rc ? rc : record(s, cu, u, err);
}

static int gs_ask_mailbox(void *impl, const struct cal_user *cu,
			  struct dg_err *err)
{
	struct gsrc *s = impl;
	struct guser *u;
	int rc = begin_ask(s, cu, &u, err);

	if (rc)
		return rc;
	if (u->mb_state == FETCH_NONE) {
		ask_mailbox(s, u);
		if (u->mb_state == FETCH_FAILED)
			source_graph_notify(s, SOURCE_MAILBOX, cu, NULL);
	} else if (u->mb_state != FETCH_PENDING) {
		source_graph_notify(s, SOURCE_MAILBOX, cu, NULL);
	}
	return 0;
}

static int gs_pump(void *impl, struct dg_err *err)
{
	struct gsrc *s = impl;

	return graph_run_some(s->g, err);
}

static bool gs_busy(void *impl)
{
	struct gsrc *s = impl;

	return graph_busy(s->g);
}

static void gs_wakeup(void *impl)
{
	struct gsrc *s = impl;

	if (s->g)
		graph_wakeup(s->g);
}

/* Drop what is kept for cu, unless requests of it are still out. */
static void gs_forget(void *impl, const struct cal_user *cu)
{
	struct gsrc *s = impl;
	struct guser *u = cu->id ? hmap_get(&s->by_id, cu->id) : NULL;

	if (!u || u->mb_state == FETCH_PENDING ||
	    u->ev_state == FETCH_PENDING)
		return;
	hmap_remove(&s->by_id, u->id);
	guser_free(u);
}

static void gs_on_answer(void *impl, source_answer_fn *fn, void *ctx)
{
	struct gsrc *s = impl;

	s->answer = fn;
	s->answer_ctx = ctx;
}

/* The settings are handed out once: asked again, they are fetched again. */
static int gs_mailbox(void *impl, const struct cal_user *cu,
		      struct cal_mailbox *out, struct dg_err *err)
{
	struct gsrc *s = impl;
	struct guser *u;
	int rc;

	rc = record(s, cu, &u, err);
	if (!rc && u->mb_state == FETCH_NONE) {
		stage(s, "mailboxes");
		ask_mailbox(s, u);
		rc = source_graph_run(s, err);
	}
	if (rc)
		return rc;
	if (u->mb_state != FETCH_DONE)
		return failure(err, u->mb_rc, u->mb_msg);
	*out = u->mb;
	memset(&u->mb, 0, sizeof(u->mb));
	u->mb_state = FETCH_NONE;
	return 0;
}

/* ---- events ---------------------------------------------------------- */

static void events_failed(struct guser *u, int rc, const char *msg)
{
	cal_event_list_release(&u->events);
	u->ev_state = FETCH_FAILED;
	set_failure(u, rc, msg, &u->ev_rc, &u->ev_msg);
	u->src->done++;
	source_graph_notify(u->src, SOURCE_EVENTS, u->cu, NULL);
}

/* A page: keep its events, ask for the next one or call it done. */
static void events_page(void *arg, const struct graph_result *r)
{
	struct guser *u = arg;
	struct dg_err err = DG_ERR_INIT;
	char *next = NULL;
	int rc;

	if (r->rc) {
		events_failed(u, r->rc, r->msg);
		return;
	}
	rc = r->json ? graphjson_events_page_value(r->json, &u->events, &next,
						   &err)
		     : graphjson_events_page(r->body, r->len, &u->events,
					     &next, &err);
	if (rc) {
		dg_err_prefix(&err, "%s", r->what);
		events_failed(u, rc, err.msg);
		return;
	}
	if (!next) {
		u->ev_state = FETCH_DONE;
		u->src->done++;
		source_graph_notify(u->src, SOURCE_EVENTS, u->cu, NULL);
		return;
	}
	rc = submit(u->src, u, next, PREFER_UTC, events_page, &err);
	free(next);
	if (rc)
		events_failed(u, rc, err.msg);
}

static int events_url(struct gsrc *s, struct guser *u, struct strbuf *url)
{
	int rc = user_path(s, u, url);

	if (!rc)
		rc = strbuf_addstr(url, "/calendarView?startDateTime=");
	if (!rc)
		rc = graph_escape(u->ev_start, url);
	if (!rc)
		rc = strbuf_addstr(url, "&endDateTime=");
	if (!rc)
		rc = graph_escape(u->ev_end, url);
	if (!rc)
		rc = strbuf_addstr(url, "&$top=100&$select=" EVENT_FIELDS);
	return rc;
}

static bool same_window(const struct guser *u, const char *start,
			const char *end)
{
	return u->ev_start && !strcmp(u->ev_start, start) &&
	       !strcmp(u->ev_end, end);
}

static void ask_events(struct gsrc *s, struct guser *u, const char *start,
		       const char *end)
{
	struct strbuf url = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	int rc = 0;

	cal_event_list_release(&u->events);
	free(u->ev_start);
	free(u->ev_end);
	u->ev_start = strdup(start);
	u->ev_end = strdup(end);
	if (!u->ev_start || !u->ev_end || events_url(s, u, &url))
		rc = dg_errf(&err, DG_ENOMEM, "out of memory");
	if (!rc)
		rc = submit(s, u, url.buf, PREFER_UTC, events_page, &err);
	strbuf_release(&url);
	u->ev_state = rc ? FETCH_FAILED : FETCH_PENDING;
	if (rc)
		set_failure(u, rc, err.msg, &u->ev_rc, &u->ev_msg);
	else
		s->total++;
}

/* Asked already for this window and not handed out yet. */
static bool have_events(const struct guser *u, const char *start,
			const char *end)
{
	return (u->ev_state == FETCH_DONE || u->ev_state == FETCH_FAILED ||
		u->ev_state == FETCH_PENDING) &&
	       same_window(u, start, end);
}

static int gs_ask_events(void *impl, const struct cal_user *cu,
			 const char *start_utc, const char *end_utc,
			 struct dg_err *err)
{
	struct guser *u;
	int rc = begin_ask(impl, cu, &u, err);

	if (rc)
		return rc;
	if (have_events(u, start_utc, end_utc)) {
		if (u->ev_state != FETCH_PENDING)
			source_graph_notify(impl, SOURCE_EVENTS, cu, NULL);
		return 0;
	}
	ask_events(impl, u, start_utc, end_utc);
	if (u->ev_state == FETCH_FAILED)
		source_graph_notify(impl, SOURCE_EVENTS, cu, NULL);
	return 0;
}

/* Hand the fetched events over to out (appended), emptying u's. */
static int move_events(struct guser *u, struct cal_event_list *out,
		       struct dg_err *err)
{
	struct cal_event *ev;
	size_t i, n0 = out->n;

	if (!out->n) {
		cal_event_list_release(out);
		*out = u->events;
		memset(&u->events, 0, sizeof(u->events));
		return 0;
	}
	for (i = 0; i < u->events.n; i++) {
		if (cal_event_list_push(out, &ev)) {
			out->n = n0; /* the moved ones are still u's */
			return dg_errf(err, DG_ENOMEM, "out of memory");
		}
		*ev = u->events.v[i];
	}
	free(u->events.v);
	memset(&u->events, 0, sizeof(u->events));
	return 0;
}

static int gs_events(void *impl, const struct cal_user *cu,
		     const char *start_utc, const char *end_utc,
		     struct cal_event_list *out, struct dg_err *err)
{
	struct gsrc *s = impl;
	struct guser *u;
	int rc;

	rc = record(s, cu, &u, err);
	if (!rc && !have_events(u, start_utc, end_utc)) {
		stage(s, "calendars");
		ask_events(s, u, start_utc, end_utc);
		rc = source_graph_run(s, err);
	}
	if (rc)
		return rc;
	if (u->ev_state != FETCH_DONE)
		return failure(err, u->ev_rc, u->ev_msg);
	rc = move_events(u, out, err);
	if (!rc)
		u->ev_state = FETCH_TAKEN;
	return rc;
}

/* ---- users ---------------------------------------------------------- */

static int gs_users(void *impl, struct cal_user_list *out, struct dg_err *err)
{
	struct gsrc *s = impl;
	size_t n0 = out->n;
	int rc;

	rc = users_load(s->st, s->delegated ? USERS_CONNECTED : USERS_ALL, out,
			err);
	if (rc || out->n > n0)
		return rc;
	if (s->delegated)
		return dg_errf(err, DG_ENOTFOUND,
			       "no users: nobody has "
			       "connected; run 'digest connect' first");
	return dg_errf(err, DG_ENOTFOUND,
		       "no users: run 'digest users "
		       "sync' first");
}

/* ---- the kind -------------------------------------------------------- */

static void gs_close(void *impl)
{
	struct gsrc *s = impl;
	const struct hmap_entry *e;
	size_t pos = 0;

	if (!s)
		return;
	while ((e = hmap_next(&s->by_id, &pos)))
		guser_free(e->value);
	hmap_release(&s->by_id);
	source_graph_groups_release(s);
	auth_close(s->auth);
	graph_close(s->g);
	free(s);
}

static const struct source_ops graph_ops = {
	.kind = "graph",
	.users = gs_users,
	.mailbox = gs_mailbox,
	.events = gs_events,
	.group = source_graph_group,
	.close = gs_close,
	.on_answer = gs_on_answer,
	.ask_mailbox = gs_ask_mailbox,
	.ask_events = gs_ask_events,
	.ask_group = source_graph_ask_group,
	.pump = gs_pump,
	.wakeup = gs_wakeup,
	.busy = gs_busy,
	.forget = gs_forget,
};

int source_open_graph(const struct config *cfg, struct store *st, int jobs,
		      source_progress_fn *progress, void *progress_ctx,
		      struct source **out, struct dg_err *err)
{
	struct graph_settings gs;
	struct gsrc *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	s->cfg = cfg;
	s->st = st;
	hmap_init(&s->by_id, 0);
	hmap_init(&s->pre, HMAP_NOCASE);
	s->delegated = cfg->graph.auth == CONFIG_AUTH_DELEGATED;
	s->progress = progress;
	s->progress_ctx = progress_ctx;
	s->stage = "users";
	graph_settings_of(cfg, jobs, &gs);
	rc = graph_open(&gs, &s->g, err);
	if (!rc)
		rc = auth_open(cfg, st, s->g, &s->auth, err);
	if (rc) {
		gs_close(s);
		return rc;
	}
	graph_set_tick(s->g, tick, s);
	return source_new(&graph_ops, s, out, err);
}
