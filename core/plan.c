#include "plan.h"

#include "logging.h"
#include "plan_int.h"
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
 * Whose date-time a message names ("event AAMk...", "user zoe@..."),
 * written out only when a message needs it: most events need none.
 */
struct owner {
	const char *kind; /* "event", "user" */
	const char *name; /* as given */
	bool show;        /* name goes through shown() */
	char text[SHOWN_MAX + 8];
};

static const char *owner_text(struct owner *o)
{
	char id[SHOWN_MAX];

	if (!o->text[0])
		snprintf(o->text, sizeof(o->text), "%s %s", o->kind,
			 o->show ? shown(o->name, id, sizeof(id)) : o->name);
	return o->text;
}

/*
 * The fields of a Graph dateTime. Errors name the owner ("event AAMk=",
 * "user zoe@contoso.com") and the field ("start").
 */
static int datetime_fields(const struct cal_datetime *dt, struct owner *owner,
			   const char *field, struct tz_civil *c,
			   struct dg_err *err)
{
	char text[SHOWN_MAX];

	if (!dt->date_time)
		return dg_errf(err, DG_EPARSE, "%s: %s.dateTime is missing",
			       owner_text(owner), field);
	if (!tz_parse_graph_datetime(dt->date_time, c))
		return dg_errf(err, DG_EPARSE,
			       "%s: %s.dateTime '%s' is not a date-time like "
			       "2026-11-24T09:00:00.0000000",
			       owner_text(owner), field,
			       shown(dt->date_time, text, sizeof(text)));
	return 0;
}

/*
 * The instant of a Graph dateTimeTimeZone; errors as datetime_fields().
 * A zone ICU does not know is read as fallback (an IANA id) with a
 * warning: Graph writes zones of its own ("Customized Time Zone"), and one
 * odd event must not cost the user the digest.
 */
struct zone_fallback {
	const char *zone; /* IANA id; NULL: an unknown zone is an error */
	bool warned;      /* once per user is enough */
};

static int datetime_to_ms(struct tz_cache *zc, const struct cal_datetime *dt,
			  struct owner *owner, const char *field,
			  struct zone_fallback *fallback, int64_t *ms,
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
	if (ret == DG_ENOTFOUND && fallback && fallback->zone) {
		if (!fallback->warned)
			logging_warn("%s: %s.timeZone: unknown time zone '%s'; "
				     "read as %s",
				     owner_text(owner), field,
				     shown(zone, text, sizeof(text)),
				     fallback->zone);
		fallback->warned = true;
		ret = tz_cache_get(zc, fallback->zone, &z, err);
	}
	if (ret == DG_ENOTFOUND)
		return dg_errf(err, ret,
			       "%s: %s.timeZone: unknown time zone "
			       "'%s'",
			       owner_text(owner), field,
			       shown(zone, text, sizeof(text)));
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
 * The user's zone: the mailbox's, else the working-hours zone, else the
 * configured one, else UTC. Graph gives zones ICU does not know
 * ("Customized Time Zone", a custom zone with only a bias): a digest in a
 * near zone beats no digest, so each fallback is a warning, never an
 * error. An opted-out user gets no digest whatever the zone: no warning.
 */
static int target_zone(const struct cal_mailbox *mb, const char *who,
		       const struct plan_opts *o, struct plan_target *t,
		       struct dg_err *err)
{
	const char *names[] = {mb ? mb->time_zone : NULL,
			       mb ? mb->working_zone : NULL, o->default_zone,
			       "UTC"};
	static const char *const whence[] = {
		"", " (the working-hours zone)", " ([digest] timezone)", ""};
	char text[SHOWN_MAX];
	size_t i;
	int ret = DG_ENOTFOUND;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!names[i] || !*names[i])
			continue;
		ret = tz_resolve(names[i], &t->zone);
		if (ret != DG_ENOTFOUND)
			break;
	}
	if (ret)
		return dg_errf(err, ret, "out of memory");
	if (i == 0 || o->opted_out)
		return 0;
	if (names[0] && *names[0])
		logging_warn("user %s: unknown time zone '%s' in the mailbox "
			     "settings; using %s%s",
			     who, shown(names[0], text, sizeof(text)), names[i],
			     whence[i]);
	else
		logging_warn("user %s: the mailbox settings name no time "
			     "zone; using %s%s",
			     who, names[i], whence[i]);
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

/* Whether weekday (0 = Sunday) is a working day; none given: every day. */
static bool works_on(const struct cal_mailbox *mb, int weekday)
{
	if (!mb || !mb->has_working_days || !mb->working_days)
		return true;
	return mb->working_days & (1u << weekday);
}

/*
 * The date the digest covers (see plan_target()). *off_today: no date
 * was given and today is none of the user's working days, so nothing is
 * sent today; *days is then today, to label the skip.
 */
static int target_date(struct tz *z, const struct cal_mailbox *mb,
		       const struct plan_opts *o, int64_t *days,
		       bool *off_today, struct dg_err *err)
{
	char text[SHOWN_MAX];
	struct tz_civil c;
	int off, ret;

	*off_today = false;
	if (o->date) {
		if (!tz_parse_date(o->date, &c) || c.year < 1970)
			return dg_errf(err, DG_EINVAL,
				       "date '%s' is not a calendar date "
				       "YYYY-MM-DD between 1970 and 9999",
				       shown(o->date, text, sizeof(text)));
		*days = tz_civil_days(&c);
		return 0;
	}
	ret = tz_ms_to_local(z, o->now_ms, &c, &off, err);
	if (ret)
		return ret;
	*days = tz_civil_days(&c);
	if (o->covers == PLAN_COVERS_TODAY)
		return 0;
	if (!works_on(mb, tz_weekday(*days))) {
		*off_today = true;
		return 0;
	}
	/* Today is a working day, so one comes within a week. */
	do
		(*days)++;
	while (!works_on(mb, tz_weekday(*days)));
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

/* Graph's own default working hours, for a mailbox that has none. */
#define WORK_START_DEFAULT (8 * 60)
#define WORK_END_DEFAULT (17 * 60)

/*
 * The working hours of the target day as instants: workingHours in its
 * own zone (it may differ from the mailbox zone), else the user's zone;
 * a mailbox without hours works 08:00 to 17:00.
 */
static int target_work_hours(const struct cal_mailbox *mb, struct tz *user,
			     int64_t days, struct plan_cache *pc,
			     struct plan_target *t, struct dg_err *err)
{
	int from = WORK_START_DEFAULT, to = WORK_END_DEFAULT;
	struct tz *own = NULL, *z = user;
	char *iana = NULL;
	struct tz_civil c;
	int ret = 0;

	if (mb && mb->has_working_hours) {
		from = mb->work_start_min;
		to = mb->work_end_min;
		if (mb->working_zone && !tz_resolve(mb->working_zone, &iana))
			ret = pc ? plan_cache_zone(pc, iana, &z, err)
				 : tz_open(iana, &own, err);
		free(iana);
		if (ret)
			return ret;
		if (own)
			z = own;
	}
	tz_civil_from_days(days, &c);
	c.hour = from / 60;
	c.minute = from % 60;
	ret = tz_local_to_ms(z, &c, &t->work_start_ms, err);
	c.hour = to / 60;
	c.minute = to % 60;
	if (!ret)
		ret = tz_local_to_ms(z, &c, &t->work_end_ms, err);
	tz_close(own);
	return ret;
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
	struct zone_fallback fb = {.zone = t->zone, .warned = false};
	struct owner owner = {.kind = "user", .name = who};
	int64_t from, to;
	int ret;

	*oof = mb->autoreply == CAL_AUTOREPLY_ALWAYS;
	if (mb->autoreply != CAL_AUTOREPLY_SCHEDULED)
		return 0;
	ret = datetime_to_ms(&zc, &mb->autoreply_start, &owner,
			     "automaticRepliesSetting.scheduledStartDateTime",
			     &fb, &from, err);
	if (!ret)
		ret = datetime_to_ms(
			&zc, &mb->autoreply_end, &owner,
			"automaticRepliesSetting.scheduledEndDateTime", &fb,
			&to, err);
	tz_cache_release(&zc);
	if (ret)
		return ret;
	*oof = from <= t->start_ms && to >= t->end_ms;
	return 0;
}

/* Rooms, equipment and shared mailboxes read no digest. */
static const char *purpose_skip(const struct cal_mailbox *mb)
{
	switch (mb ? mb->purpose : CAL_PURPOSE_UNKNOWN) {
	case CAL_PURPOSE_ROOM:
		return PLAN_SKIP_ROOM_MAILBOX;
	case CAL_PURPOSE_EQUIPMENT:
		return PLAN_SKIP_EQUIPMENT_MAILBOX;
	case CAL_PURPOSE_SHARED:
		return PLAN_SKIP_SHARED_MAILBOX;
	default:
		return NULL;
	}
}

static int target_skip(const struct cal_mailbox *mb, const char *who,
		       const struct plan_opts *o, bool off_today,
		       struct plan_target *t, struct dg_err *err)
{
	bool oof;
	int ret;

	if (o->opted_out) {
		t->skip_reason = PLAN_SKIP_OPTED_OUT;
		return 0;
	}
	t->skip_reason = purpose_skip(mb);
	if (t->skip_reason)
		return 0;
	if (off_today) {
		t->skip_reason = PLAN_SKIP_NOT_WORKING_DAY;
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
	if (!works_on(mb, t->weekday))
		t->skip_reason = PLAN_SKIP_NOT_WORKING_DAY;
	return 0;
}

int plan_target(const struct cal_mailbox *mb, const char *user_label,
		const struct plan_opts *o, struct plan_target *out,
		struct dg_err *err)
{
	char who[SHOWN_MAX];
	struct tz *z = NULL;
	bool off_today = false;
	int64_t days = 0;
	int ret;

	*out = (struct plan_target)PLAN_TARGET_INIT;
	shown(user_label ? user_label : "(unnamed)", who, sizeof(who));
	ret = target_zone(mb, who, o, out, err);
	if (!ret)
		ret = target_locale(mb, o->default_locale, out, err);
	if (!ret)
		ret = o->cache ? plan_cache_zone(o->cache, out->zone, &z, err)
			       : tz_open(out->zone, &z, err);
	if (!ret)
		ret = target_date(z, mb, o, &days, &off_today, err);
	if (!ret)
		ret = target_bounds(z, days, out, err);
	if (!ret)
		ret = target_work_hours(mb, z, days, o->cache, out, err);
	if (!o->cache)
		tz_close(z);
	if (!ret)
		ret = target_skip(mb, who, o, off_today, out, err);
	if (ret)
		plan_target_release(out);
	return ret;
}

/* What plan_day() keeps open while it walks the events. */
struct day_ctx {
	const struct plan_target *t;
	int64_t days;		   /* the target date */
	struct plan_cache *pc;	   /* NULL: what follows is ours to close */
	struct tz *z;		   /* the user's zone: offsets */
	struct tz_label *time_fmt; /* the user's zone and locale: labels */
	struct tz_label *date_fmt;
	struct tz_cache *events;   /* the zone of events' times */
	struct tz_cache own_events;
	struct zone_fallback fallback; /* the user's zone */
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
			struct owner *owner, struct plan_meeting *m, bool *keep,
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
		      struct owner *owner, struct plan_meeting *m, bool *keep,
		      struct dg_err *err)
{
	const struct plan_target *t = ctx->t;
	int64_t s, e;
	bool overlaps;
	int ret;

	ret = datetime_to_ms(ctx->events, &ev->start, owner, "start",
			     &ctx->fallback, &s, err);
	if (!ret)
		ret = datetime_to_ms(ctx->events, &ev->end, owner, "end",
				     &ctx->fallback, &e, err);
	if (ret)
		return ret;
	if (e < s)
		return dg_errf(err, DG_EPARSE, "%s: end is before start",
			       owner_text(owner));
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
	struct owner owner = {.kind = "event", .name = ev->id, .show = true};

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
