#include "plan.h"

#include "logging.h"
#include "plan_int.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

const char *plan_owner_text(struct plan_owner *o)
{
	char id[PLAN_SHOWN_MAX];

	if (!o->text[0])
		snprintf(o->text, sizeof(o->text), "%s %s", o->kind,
			 o->show ? shown(o->name, id, sizeof(id)) : o->name);
	return o->text;
}

int plan_datetime_fields(const struct cal_datetime *dt,
			 struct plan_owner *owner, const char *field,
			 struct tz_civil *c, struct dg_err *err)
{
	char text[PLAN_SHOWN_MAX];

	if (!dt->date_time)
		return dg_errf(err, DG_EPARSE, "%s: %s.dateTime is missing",
			       plan_owner_text(owner), field);
	if (!tz_parse_graph_datetime(dt->date_time, c))
		return dg_errf(err, DG_EPARSE,
			       "%s: %s.dateTime '%s' is not a date-time like "
			       "2026-11-24T09:00:00.0000000",
			       plan_owner_text(owner), field,
			       shown(dt->date_time, text, sizeof(text)));
	return 0;
}

int plan_datetime_to_ms(struct tz_cache *zc, const struct cal_datetime *dt,
			struct plan_owner *owner, const char *field,
			struct plan_zone_fallback *fallback, int64_t *ms,
			struct dg_err *err)
{
	/* Graph's default zone for times is UTC. */
	const char *zone =
		dt->time_zone && *dt->time_zone ? dt->time_zone : "UTC";
	char text[PLAN_SHOWN_MAX];
	struct tz *z = NULL;
	struct tz_civil c;
	int ret;

	ret = plan_datetime_fields(dt, owner, field, &c, err);
	if (ret)
		return ret;
	ret = tz_cache_get(zc, zone, &z, err);
	if (ret == DG_ENOTFOUND && fallback && fallback->zone) {
		if (!fallback->warned)
			logging_warn("%s: %s.timeZone: unknown time zone '%s'; "
				     "read as %s",
				     plan_owner_text(owner), field,
				     shown(zone, text, sizeof(text)),
				     fallback->zone);
		fallback->warned = true;
		ret = tz_cache_get(zc, fallback->zone, &z, err);
	}
	if (ret == DG_ENOTFOUND)
		return dg_errf(err, ret,
			       "%s: %s.timeZone: unknown time zone "
			       "'%s'",
			       plan_owner_text(owner), field,
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
	char text[PLAN_SHOWN_MAX];
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
	char text[PLAN_SHOWN_MAX];
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
	struct plan_zone_fallback fb = {.zone = t->zone, .warned = false};
	struct plan_owner owner = {.kind = "user", .name = who};
	int64_t from, to;
	int ret;

	*oof = mb->autoreply == CAL_AUTOREPLY_ALWAYS;
	if (mb->autoreply != CAL_AUTOREPLY_SCHEDULED)
		return 0;
	ret = plan_datetime_to_ms(
		&zc, &mb->autoreply_start, &owner,
		"automaticRepliesSetting.scheduledStartDateTime", &fb, &from,
		err);
	if (!ret)
		ret = plan_datetime_to_ms(
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
	char who[PLAN_SHOWN_MAX];
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
