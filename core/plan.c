#include "plan.h"

#include "logging.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How much of an untrusted string an error message shows. */
#define SHOWN_MAX 96

/*
 * Calendar text is untrusted: copy at most size - 1 bytes of s into buf
 * with control characters replaced, so an error message cannot carry
 * terminal escapes or run on for pages.
 */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t i = 0, o = 0;

	if (!s)
		return "(none)";
	while (s[i] && o + 4 < size) {
		unsigned char c = s[i++];

		buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (s[i]) {
		/* Do not leave half a UTF-8 sequence before the dots. */
		while (o && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
			o--;
		if (o && (unsigned char)buf[o - 1] >= 0xC0)
			o--;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * The fields of a Graph dateTime. Errors name the owner ("event AAMk=",
 * "user zoe@contoso.com") and the field ("start").
 */
static int datetime_fields(const struct cal_datetime *dt, const char *owner,
			   const char *field, struct tz_civil *c,
			   struct dg_err *err)
{
	char text[SHOWN_MAX];

	if (!dt->date_time)
		return dg_errf(err, DG_EPARSE, "%s: %s.dateTime is missing",
			       owner, field);
	if (!tz_parse_graph_datetime(dt->date_time, c))
		return dg_errf(err, DG_EPARSE,
			       "%s: %s.dateTime '%s' is not a date-time like "
			       "2026-11-24T09:00:00.0000000",
			       owner, field,
			       shown(dt->date_time, text, sizeof(text)));
	return 0;
}

/* The instant of a Graph dateTimeTimeZone; errors as datetime_fields(). */
static int datetime_to_ms(struct tz_cache *zc, const struct cal_datetime *dt,
			  const char *owner, const char *field, int64_t *ms,
			  struct dg_err *err)
{
	/* Graph's default zone for times is UTC. */
	const char *zone =
		dt->time_zone && *dt->time_zone ? dt->time_zone : "UTC";
	char text[SHOWN_MAX];
	struct tz *z = NULL;
	struct tz_civil c;
	int ret;

	ret = datetime_fields(dt, owner, field, &c, err);
	if (ret)
		return ret;
	ret = tz_cache_get(zc, zone, &z, err);
	if (ret == DG_ENOTFOUND)
		return dg_errf(err, ret,
			       "%s: %s.timeZone: unknown time zone "
			       "'%s'",
			       owner, field, shown(zone, text, sizeof(text)));
	if (ret)
		return ret;
	return tz_local_to_ms(z, &c, ms, err);
}

void plan_target_release(struct plan_target *t)
{
	free(t->zone);
	free(t->locale);
	*t = (struct plan_target)PLAN_TARGET_INIT;
}

/*
 * The user's zone. An opted-out user gets no digest whatever the zone, so
 * for them a missing or unknown one quietly means UTC: the date only
 * labels the skip, and failing (or warning about) such a user every run
 * would be noise.
 */
static int target_zone(const struct cal_mailbox *mb, const char *who,
		       bool opted_out, struct plan_target *t,
		       struct dg_err *err)
{
	const char *name = mb ? mb->time_zone : NULL;
	char text[SHOWN_MAX];
	int ret;

	if ((!name || !*name) && !opted_out)
		logging_warn("user %s: the mailbox settings name no time "
			     "zone; using UTC",
			     who);
	if (!name || !*name)
		name = "UTC";
	ret = tz_resolve(name, &t->zone);
	if (ret == DG_ENOTFOUND && opted_out)
		ret = tz_resolve("UTC", &t->zone);
	if (ret == DG_ENOTFOUND)
		return dg_errf(err, ret,
			       "user %s: unknown time zone '%s' in "
			       "the mailbox settings",
			       who, shown(name, text, sizeof(text)));
	if (ret)
		return dg_errf(err, ret, "out of memory");
	return 0;
}

static int target_locale(const struct cal_mailbox *mb,
			 const char *default_locale, struct plan_target *t,
			 struct dg_err *err)
{
	const char *locale = PLAN_LOCALE_FALLBACK;

	if (mb && mb->locale && *mb->locale)
		locale = mb->locale;
	else if (default_locale && *default_locale)
		locale = default_locale;
	t->locale = strdup(locale);
	if (!t->locale)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 0;
}

/* The given date, or the day after now's date in the user's zone. */
static int target_date(struct tz *z, int64_t now_ms, const char *date,
		       int64_t *days, struct dg_err *err)
{
	char text[SHOWN_MAX];
	struct tz_civil c;
	int off, ret;

	if (date) {
		if (!tz_parse_date(date, &c) || c.year < 1970)
			return dg_errf(err, DG_EINVAL,
				       "date '%s' is not a calendar date "
				       "YYYY-MM-DD between 1970 and 9999",
				       shown(date, text, sizeof(text)));
		*days = tz_civil_days(&c);
		return 0;
	}
	ret = tz_ms_to_local(z, now_ms, &c, &off, err);
	if (ret)
		return ret;
	*days = tz_civil_days(&c) + 1;
	return 0;
}

static int day_start_ms(struct tz *z, int64_t days, int64_t *ms,
			struct dg_err *err)
{
	struct tz_civil c;

	tz_civil_from_days(days, &c);
	return tz_local_to_ms(z, &c, ms, err);
}

/* Bounds by the zone's own midnights: a day is 23 or 25 h on DST days. */
static int target_bounds(struct tz *z, int64_t days, struct plan_target *t,
			 struct dg_err *err)
{
	int64_t before, after;
	struct tz_civil c;
	int ret, n;

	ret = day_start_ms(z, days, &t->start_ms, err);
	if (!ret)
		ret = day_start_ms(z, days + 1, &t->end_ms, err);
	if (!ret)
		ret = day_start_ms(z, days - 1, &before, err);
	if (!ret)
		ret = day_start_ms(z, days + 2, &after, err);
	if (!ret)
		ret = tz_format_utc(before, t->fetch_start,
				    sizeof(t->fetch_start), err);
	if (!ret)
		ret = tz_format_utc(after, t->fetch_end, sizeof(t->fetch_end),
				    err);
	if (ret)
		return ret;
	tz_civil_from_days(days, &c);
	n = snprintf(t->date, sizeof(t->date), "%04d-%02d-%02d", c.year,
		     c.month, c.day);
	if (n < 0 || (size_t)n >= sizeof(t->date))
		return dg_errf(err, DG_EINVAL, "year %d is out of range",
			       c.year);
	t->weekday = tz_weekday(days);
	return 0;
}

/*
 * Out of office for the whole local day: replies always on, or scheduled
 * from before the day starts until after it ends.
 */
static int out_of_office(const struct cal_mailbox *mb, const char *who,
			 const struct plan_target *t, bool *oof,
			 struct dg_err *err)
{
	struct tz_cache zc = TZ_CACHE_INIT;
	char owner[SHOWN_MAX + 8];
	int64_t from, to;
	int ret;

	*oof = mb->autoreply == CAL_AUTOREPLY_ALWAYS;
	if (mb->autoreply != CAL_AUTOREPLY_SCHEDULED)
		return 0;
	snprintf(owner, sizeof(owner), "user %s", who);
	ret = datetime_to_ms(&zc, &mb->autoreply_start, owner,
			     "automaticRepliesSetting.scheduledStartDateTime",
			     &from, err);
	if (!ret)
		ret = datetime_to_ms(
			&zc, &mb->autoreply_end, owner,
			"automaticRepliesSetting.scheduledEndDateTime", &to,
			err);
	tz_cache_release(&zc);
	if (ret)
		return ret;
	*oof = from <= t->start_ms && to >= t->end_ms;
	return 0;
}

static int target_skip(const struct cal_mailbox *mb, const char *who,
		       bool opted_out, struct plan_target *t,
		       struct dg_err *err)
{
	bool oof;
	int ret;

	if (opted_out) {
		t->skip_reason = PLAN_SKIP_OPTED_OUT;
		return 0;
	}
	if (!mb)
		return 0;
	ret = out_of_office(mb, who, t, &oof, err);
	if (ret)
		return ret;
	if (oof) {
		t->skip_reason = PLAN_SKIP_OUT_OF_OFFICE;
		return 0;
	}
	/*
	 * An empty daysOfWeek is a mailbox nobody set up, not a person who
	 * never works: skipping every day for it would be silent loss.
	 */
	if (mb->has_working_days && mb->working_days &&
	    !(mb->working_days & (1u << t->weekday)))
		t->skip_reason = PLAN_SKIP_NOT_WORKING_DAY;
	return 0;
}

int plan_target(const struct cal_mailbox *mb, const char *user_label,
		int64_t now_ms, const char *date, const char *default_locale,
		bool opted_out, struct plan_target *out, struct dg_err *err)
{
	char who[SHOWN_MAX];
	struct tz *z = NULL;
	int64_t days = 0;
	int ret;

	*out = (struct plan_target)PLAN_TARGET_INIT;
	shown(user_label ? user_label : "(unnamed)", who, sizeof(who));
	ret = target_zone(mb, who, opted_out, out, err);
	if (!ret)
		ret = target_locale(mb, default_locale, out, err);
	if (!ret)
		ret = tz_open(out->zone, &z, err);
	if (!ret)
		ret = target_date(z, now_ms, date, &days, err);
	if (!ret)
		ret = target_bounds(z, days, out, err);
	tz_close(z);
	if (!ret)
		ret = target_skip(mb, who, opted_out, out, err);
	if (ret)
		plan_target_release(out);
	return ret;
}

/* What plan_day() keeps open while it walks the events. */
struct day_ctx {
	const struct plan_target *t;
	int64_t days;		   /* the target date */
	struct tz *z;		   /* the user's zone: offsets */
	struct tz_label *time_fmt; /* the user's zone and locale: labels */
	struct tz_label *date_fmt;
	struct tz_cache event_zone;
};

static int day_open(struct day_ctx *ctx, struct dg_err *err)
{
	const char *locale =
		ctx->t->locale ? ctx->t->locale : PLAN_LOCALE_FALLBACK;
	struct tz_civil c;
	int ret;

	if (!tz_parse_date(ctx->t->date, &c) || !ctx->t->zone)
		return dg_errf(err, DG_EINVAL,
			       "plan_day() needs a target from plan_target()");
	ctx->days = tz_civil_days(&c);
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
	tz_label_close(ctx->time_fmt);
	tz_label_close(ctx->date_fmt);
	tz_close(ctx->z);
	tz_cache_release(&ctx->event_zone);
}

static bool left_out(const struct cal_event *ev)
{
	return ev->is_cancelled ||
	       (ev->response && !strcasecmp(ev->response, "declined"));
}

/* All-day events are floating dates: kept when [start, end) has the day. */
static int pick_all_day(struct day_ctx *ctx, const struct cal_event *ev,
			const char *owner, struct plan_meeting *m, bool *keep,
			struct dg_err *err)
{
	struct tz_civil s, e;
	int64_t first, end;
	int ret;

	ret = datetime_fields(&ev->start, owner, "start", &s, err);
	if (!ret)
		ret = datetime_fields(&ev->end, owner, "end", &e, err);
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
		      const char *owner, struct plan_meeting *m, bool *keep,
		      struct dg_err *err)
{
	const struct plan_target *t = ctx->t;
	int64_t s, e;
	bool overlaps;
	int ret;

	ret = datetime_to_ms(&ctx->event_zone, &ev->start, owner, "start", &s,
			     err);
	if (!ret)
		ret = datetime_to_ms(&ctx->event_zone, &ev->end, owner, "end",
				     &e, err);
	if (ret)
		return ret;
	if (e < s)
		return dg_errf(err, DG_EPARSE, "%s: end is before start",
			       owner);
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
	char owner[SHOWN_MAX + 8], id[SHOWN_MAX];

	*keep = false;
	if (left_out(ev))
		return 0;
	memset(m, 0, sizeof(*m));
	m->event = ev;
	m->is_private = ev->sensitivity == CAL_SENSITIVITY_PRIVATE ||
			ev->sensitivity == CAL_SENSITIVITY_CONFIDENTIAL;
	snprintf(owner, sizeof(owner), "event %s",
		 shown(ev->id, id, sizeof(id)));
	if (ev->is_all_day)
		return pick_all_day(ctx, ev, owner, m, keep, err);
	return pick_timed(ctx, ev, owner, m, keep, err);
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

static int pick_meetings(struct day_ctx *ctx,
			 const struct cal_event_list *events,
			 struct plan_day *out, struct dg_err *err)
{
	bool keep;
	int ret;

	if (!events->n)
		return 0;
	out->meetings = calloc(events->n, sizeof(*out->meetings));
	if (!out->meetings)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	for (size_t i = 0; i < events->n; i++) {
		struct plan_meeting *m = &out->meetings[out->n];

		ret = pick_event(ctx, &events->v[i], m, &keep, err);
		if (ret)
			return ret;
		if (!keep)
			continue;
		/* Counted first, so a failure below frees its labels. */
		out->n++;
		ret = dress_meeting(ctx, m, err);
		if (ret)
			return ret;
	}
	return 0;
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
	struct day_ctx ctx = {.t = t};
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
	if (t->skip_reason)
		out->skip_reason = t->skip_reason;
	else if (!out->n)
		out->skip_reason = PLAN_SKIP_NO_MEETINGS;
	return 0;
}

void plan_day_release(struct plan_day *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->meetings[i].start_label);
		free(d->meetings[i].end_label);
	}
	free(d->meetings);
	free(d->date_label);
	*d = (struct plan_day)PLAN_DAY_INIT;
}
