#include "plan.h"

#include "plan_int.h"
#include "tz.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What plan_day() keeps open while it walks the events. */
struct day_ctx {
	const struct plan_target *t;
	int64_t days;		   /* the target date */
	struct plan_cache *pc;	   /* NULL: what follows is ours to close */
	struct tz *z;		   /* the user's zone: offsets */
	struct tz_label *time_fmt; /* the user's zone and locale: labels */
	struct tz_label *date_fmt;
	struct tz_cache *events; /* the zone of events' times */
	struct tz_cache own_events;
	struct plan_zone_fallback fallback; /* the user's zone */
};

/* The zone and labels of the day: the run's, else opened here. */
static int day_open(struct day_ctx *ctx, struct dg_err *err)
{
	const char *locale =
		ctx->t->locale ? ctx->t->locale : PLAN_LOCALE_FALLBACK;
	struct tz_civil c;
	int ret;

	ctx->own_events = (struct tz_cache)TZ_CACHE_INIT;
	ctx->events = ctx->pc ? plan_cache_events(ctx->pc) : &ctx->own_events;
	if (!tz_parse_date(ctx->t->date, &c) || !ctx->t->zone)
		return dg_errf(err, DG_EINVAL,
			       "plan_day() needs a target from plan_target()");
	ctx->days = tz_civil_days(&c);
	if (ctx->pc) {
		ret = plan_cache_zone(ctx->pc, ctx->t->zone, &ctx->z, err);
		return ret ? ret
			   : plan_cache_labels(ctx->pc, ctx->t->zone, locale,
					       &ctx->time_fmt, &ctx->date_fmt,
					       err);
	}
	ret = tz_open(ctx->t->zone, &ctx->z, err);
	if (!ret)
		ret = tz_label_open(ctx->t->zone, locale, TZ_LABEL_TIME,
				    &ctx->time_fmt, err);
	if (!ret)
		ret = tz_label_open(ctx->t->zone, locale, TZ_LABEL_DATE,
				    &ctx->date_fmt, err);
	return ret;
}

static void day_close(struct day_ctx *ctx)
{
	if (ctx->pc)
		return;
	tz_label_close(ctx->time_fmt);
	tz_label_close(ctx->date_fmt);
	tz_close(ctx->z);
	tz_cache_release(&ctx->own_events);
}

static bool left_out(const struct cal_event *ev)
{
	return ev->is_cancelled ||
	       (ev->response && !strcasecmp(ev->response, "declined"));
}

/* All-day events are floating dates: kept when [start, end) has the day. */
static int pick_all_day(struct day_ctx *ctx, const struct cal_event *ev,
			struct plan_owner *owner, struct plan_meeting *m,
			bool *keep, struct dg_err *err)
{
	struct tz_civil s, e;
	int64_t first, end;
	int ret;

	ret = plan_datetime_fields(&ev->start, owner, "start", &s, err);
	if (!ret)
		ret = plan_datetime_fields(&ev->end, owner, "end", &e, err);
	if (ret)
		return ret;
	first = tz_civil_days(&s);
	end = tz_civil_days(&e);
	if (first > ctx->days || end <= ctx->days)
		return 0;
	m->all_day = true;
	m->start_ms = ctx->t->start_ms;
	m->end_ms = ctx->t->end_ms;
	m->starts_before_day = first < ctx->days;
	m->ends_after_day = end > ctx->days + 1;
	*keep = true;
	return 0;
}

/* Timed events are instants: kept when they overlap the local day. */
static int pick_timed(struct day_ctx *ctx, const struct cal_event *ev,
		      struct plan_owner *owner, struct plan_meeting *m,
		      bool *keep, struct dg_err *err)
{
	const struct plan_target *t = ctx->t;
	int64_t s, e;
	bool overlaps;
	int ret;

	ret = plan_datetime_to_ms(ctx->events, &ev->start, owner, "start",
				  &ctx->fallback, &s, err);
	if (!ret)
		ret = plan_datetime_to_ms(ctx->events, &ev->end, owner, "end",
					  &ctx->fallback, &e, err);
	if (ret)
		return ret;
	if (e < s)
		return dg_errf(err, DG_EPARSE, "%s: end is before start",
			       plan_owner_text(owner));
	/* A zero-length event at 00:00 belongs to the day it starts. */
	overlaps = s < t->end_ms && (e > t->start_ms || s >= t->start_ms);
	if (!overlaps)
		return 0;
	m->start_ms = s;
	m->end_ms = e;
	m->starts_before_day = s < t->start_ms;
	m->ends_after_day = e > t->end_ms;
	*keep = true;
	return 0;
}

/* Decide whether ev is a meeting of the day; allocates nothing. */
static int pick_event(struct day_ctx *ctx, const struct cal_event *ev,
		      struct plan_meeting *m, bool *keep, struct dg_err *err)
{
	struct plan_owner owner = {
		.kind = "event", .name = ev->id, .show = true};

	*keep = false;
	if (left_out(ev))
		return 0;
	memset(m, 0, sizeof(*m));
	m->event = ev;
	m->is_private = ev->sensitivity == CAL_SENSITIVITY_PRIVATE ||
			ev->sensitivity == CAL_SENSITIVITY_CONFIDENTIAL;
	if (ev->is_all_day)
		return pick_all_day(ctx, ev, &owner, m, keep, err);
	return pick_timed(ctx, ev, &owner, m, keep, err);
}

/* The user-facing times of a kept meeting; all-day ones have no labels. */
static int dress_meeting(struct day_ctx *ctx, struct plan_meeting *m,
			 struct dg_err *err)
{
	int ret;

	ret = tz_format_rfc3339(ctx->z, m->start_ms, m->start, sizeof(m->start),
				err);
	if (!ret)
		ret = tz_format_rfc3339(ctx->z, m->end_ms, m->end,
					sizeof(m->end), err);
	if (ret || m->all_day)
		return ret;
	ret = tz_label(ctx->time_fmt, m->start_ms, &m->start_label, err);
	if (!ret)
		ret = tz_label(ctx->time_fmt, m->end_ms, &m->end_label, err);
	return ret;
}

/* The user's own absence: Outlook's "Out of office" in the event. */
static bool is_away(const struct cal_event *ev)
{
	return ev->show_as && !strcasecmp(ev->show_as, "oof");
}

/*
 * Room for one more meeting in *v (n used of *cap). The arrays grow from
 * a few: sized for every event at once, they were one allocation per user
 * large enough to make glibc consolidate its free lists, while most
 * events of the window are not kept.
 */
#define PLAN_FIRST_MEETINGS 4

static int room_for_one(struct plan_meeting **v, size_t n, size_t *cap,
			struct dg_err *err)
{
	struct plan_meeting *p;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : PLAN_FIRST_MEETINGS;
	p = reallocarray(*v, want, sizeof(**v));
	if (!p)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	*v = p;
	*cap = want;
	return 0;
}

static int pick_meetings(struct day_ctx *ctx,
			 const struct cal_event_list *events,
			 struct plan_day *out, struct dg_err *err)
{
	size_t cap_meetings = 0, cap_away = 0;
	struct plan_meeting m;
	bool keep;
	int ret;

	for (size_t i = 0; i < events->n; i++) {
		struct plan_meeting *to;

		ret = pick_event(ctx, &events->v[i], &m, &keep, err);
		if (ret)
			return ret;
		if (!keep)
			continue;
		/* Counted first, so a failure below frees its labels. */
		if (is_away(m.event)) {
			ret = room_for_one(&out->away, out->naway, &cap_away,
					   err);
			to = ret ? NULL : &out->away[out->naway++];
		} else {
			ret = room_for_one(&out->meetings, out->n,
					   &cap_meetings, err);
			to = ret ? NULL : &out->meetings[out->n++];
		}
		if (ret)
			return ret;
		*to = m;
		ret = dress_meeting(ctx, to, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct plan_meeting *a = pa, *b = pb;

	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	return 0;
}

/*
 * Whether the away events (sorted by start) leave no gap in the working
 * hours [from, to): the reader is out for the day even without automatic
 * replies.
 */
static bool away_all_day(const struct plan_meeting *away, size_t n,
			 int64_t from, int64_t to)
{
	int64_t covered = from;

	for (size_t i = 0; i < n && covered < to; i++) {
		if (away[i].start_ms > covered)
			return false;
		if (away[i].end_ms > covered)
			covered = away[i].end_ms;
	}
	return covered >= to;
}

static int strcmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int meeting_cmp(const void *pa, const void *pb)
{
	const struct plan_meeting *a = pa, *b = pb;
	int c;

	if (a->all_day != b->all_day)
		return a->all_day ? -1 : 1;
	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	c = strcmp_null(a->event->subject, b->event->subject);
	if (c)
		return c;
	return strcmp_null(a->event->id, b->event->id);
}

int plan_day(const struct plan_target *t, const struct cal_event_list *events,
	     struct plan_day *out, struct dg_err *err)
{
	return plan_day_cached(t, events, NULL, out, err);
}

int plan_day_cached(const struct plan_target *t,
		    const struct cal_event_list *events, struct plan_cache *pc,
		    struct plan_day *out, struct dg_err *err)
{
	struct day_ctx ctx = {.t = t, .pc = pc, .fallback = {.zone = t->zone}};
	int ret;

	*out = (struct plan_day)PLAN_DAY_INIT;
	ret = day_open(&ctx, err);
	if (!ret)
		ret = tz_label(ctx.date_fmt, t->start_ms, &out->date_label,
			       err);
	if (!ret && events)
		ret = pick_meetings(&ctx, events, out, err);
	day_close(&ctx);
	if (ret) {
		plan_day_release(out);
		return ret;
	}
	if (out->n)
		qsort(out->meetings, out->n, sizeof(*out->meetings),
		      meeting_cmp);
	if (out->naway)
		qsort(out->away, out->naway, sizeof(*out->away), span_cmp);
	if (t->skip_reason)
		out->skip_reason = t->skip_reason;
	else if (out->naway && away_all_day(out->away, out->naway,
					    t->work_start_ms, t->work_end_ms))
		out->skip_reason = PLAN_SKIP_OUT_OF_OFFICE;
	else if (!out->n)
		out->skip_reason = PLAN_SKIP_NO_MEETINGS;
	return 0;
}

static void meetings_release(struct plan_meeting *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].start_label);
		free(v[i].end_label);
	}
	free(v);
}

void plan_day_release(struct plan_day *d)
{
	meetings_release(d->meetings, d->n);
	meetings_release(d->away, d->naway);
	free(d->date_label);
	*d = (struct plan_day)PLAN_DAY_INIT;
}

/* Someone in l whose profile a digest shows. */
static bool has_profile(const struct match_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].person && !l->v[i].person->opt_out)
			return true;
	return false;
}

const char *plan_relevance(const struct plan_day *d,
			   const struct match_list *attendees,
			   enum plan_send_when send_when)
{
	if (d->skip_reason)
		return d->skip_reason;
	if (!d->n)
		return PLAN_SKIP_NO_MEETINGS;
	if (send_when == PLAN_SEND_MEETINGS)
		return NULL;
	for (size_t i = 0; attendees && i < d->n; i++)
		if (!d->meetings[i].is_private && has_profile(&attendees[i]))
			return NULL;
	return PLAN_SKIP_NO_PROFILES;
}
