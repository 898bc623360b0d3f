#include "plan.h"

#include "logging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#define MS_PER_SECOND 1000
#define MS_PER_MINUTE 60000
#define MS_PER_HOUR 3600000
#define MS_PER_DAY 86400000

/* Zone names are short ASCII; a longer name is no zone at all. */
#define ZONE_MAX 128

/* How much of an untrusted string an error message shows. */
#define SHOWN_MAX 96

/* CLDR 42 puts U+202F before AM/PM; plain-text mail shows it poorly. */
#define NARROW_NBSP 0x202F

/* A local (or UTC) date and time of day; month 1..12. */
struct civil {
	int year, month, day, hour, minute, second, ms;
};

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

static int icu_fail(struct dg_err *err, UErrorCode st, const char *what)
{
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return dg_errf(err, DG_ENOMEM, "out of memory in ICU %s", what);
	return dg_errf(err, DG_EINTERNAL, "ICU %s failed: %s", what,
		       u_errorName(st));
}

/*
 * Plain date arithmetic on the proleptic Gregorian calendar (Howard
 * Hinnant's algorithms): days since 1970-01-01 and back. Dates have no
 * zone, so "the day after" needs no ICU; instants do, and get it.
 */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct civil *c)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	memset(c, 0, sizeof(*c));
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(yoe + era * 400 + (c->month <= 2));
}

static int64_t civil_days(const struct civil *c)
{
	return days_from_civil(c->year, c->month, c->day);
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_of(int64_t days)
{
	return (int)(((days + 4) % 7 + 7) % 7);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static bool parse_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool valid_date(const struct civil *c)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	bool leap = (c->year % 4 == 0 && c->year % 100) || c->year % 400 == 0;
	int last;

	if (c->year < 1 || c->month < 1 || c->month > 12 || c->day < 1)
		return false;
	last = mdays[c->month - 1] + (c->month == 2 && leap);
	return c->day <= last;
}

/* "YYYY-MM-DD" at the start of s; what follows is the caller's. */
static bool parse_date_prefix(const char *s, struct civil *c)
{
	memset(c, 0, sizeof(*c));
	return parse_digits(s, 4, &c->year) && s[4] == '-' &&
	       parse_digits(s + 5, 2, &c->month) && s[7] == '-' &&
	       parse_digits(s + 8, 2, &c->day) && valid_date(c);
}

static bool parse_date(const char *s, struct civil *c)
{
	return s && parse_date_prefix(s, c) && s[10] == '\0';
}

/* Up to 7 digits after the dot (Graph writes 7); keep milliseconds. */
static bool parse_fraction(const char **sp, int *ms)
{
	const char *s = *sp + 1;
	int n = 0, v = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == 7)
			return false;
		if (n < 3)
			v = v * 10 + (s[n] - '0');
		n++;
	}
	if (!n)
		return false;
	for (int i = n; i < 3; i++)
		v *= 10;
	*ms = v;
	*sp = s + n;
	return true;
}

/* A Graph dateTime: "2026-11-24T17:00:00.0000000", no offset. */
static bool parse_graph_datetime(const char *s, struct civil *c)
{
	if (!s || !parse_date_prefix(s, c) || s[10] != 'T')
		return false;
	s += 11;
	if (!parse_digits(s, 2, &c->hour) || s[2] != ':' ||
	    !parse_digits(s + 3, 2, &c->minute) || s[5] != ':' ||
	    !parse_digits(s + 6, 2, &c->second))
		return false;
	s += 8;
	if (*s == '.' && !parse_fraction(&s, &c->ms))
		return false;
	return !*s && c->hour < 24 && c->minute < 60 && c->second < 60;
}

/* s as UTF-16 in buf; false when it does not fit or is not UTF-8. */
static bool to_uchars(const char *s, UChar *buf, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	if (!s || strlen(s) >= (size_t)size)
		return false;
	u_strFromUTF8(buf, size, &len, s, -1, &st);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING;
}

/* A zone id in ICU's database (not a custom "GMT+05:00" one). */
static bool zone_known(const char *id)
{
	UChar uid[ZONE_MAX], canon[ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	UBool is_system = false;

	if (!to_uchars(id, uid, ZONE_MAX))
		return false;
	ucal_getCanonicalTimeZoneID(uid, -1, canon, ZONE_MAX, &is_system, &st);
	return U_SUCCESS(st) && is_system;
}

/*
 * CLDR still maps some Windows zones to ids IANA has since renamed (ICU
 * 72: "India Standard Time" gives Asia/Calcutta). Users see the zone in
 * their digest, and other tools read it: prefer today's IANA names.
 */
static const char *iana_name(const char *cldr)
{
	static const struct {
		const char *cldr, *iana;
	} renamed[] = {
		{"America/Buenos_Aires", "America/Argentina/Buenos_Aires"},
		{"America/Godthab", "America/Nuuk"},
		{"America/Indianapolis", "America/Indiana/Indianapolis"},
		{"Asia/Calcutta", "Asia/Kolkata"},
		{"Asia/Katmandu", "Asia/Kathmandu"},
		{"Asia/Rangoon", "Asia/Yangon"},
		{"Europe/Kiev", "Europe/Kyiv"},
	};

	for (size_t i = 0; i < sizeof(renamed) / sizeof(*renamed); i++)
		if (!strcmp(cldr, renamed[i].cldr))
			return zone_known(renamed[i].iana) ? renamed[i].iana
							   : cldr;
	return cldr;
}

/*
 * The IANA id for a zone name from Graph: a Windows name through CLDR's
 * table (region NULL: the "001" default zone of that name), else an id ICU
 * knows, kept as given. *iana is yours. DG_ENOTFOUND when it is neither.
 */
static int zone_resolve(const char *name, char **iana)
{
	UChar uname[ZONE_MAX], uid[ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	char id[ZONE_MAX];
	int32_t len;

	*iana = NULL;
	if (!to_uchars(name, uname, ZONE_MAX))
		return DG_ENOTFOUND;
	len = ucal_getTimeZoneIDForWindowsID(uname, -1, NULL, uid, ZONE_MAX,
					     &st);
	if (U_SUCCESS(st) && len > 0 && len < ZONE_MAX) {
		u_UCharsToChars(uid, id, len);
		id[len] = '\0';
		*iana = strdup(iana_name(id));
	} else if (zone_known(name)) {
		*iana = strdup(name);
	} else {
		return DG_ENOTFOUND;
	}
	return *iana ? 0 : DG_ENOMEM;
}

/* A Gregorian calendar in zone iana (resolved). *out is yours: close it. */
static int zone_calendar(const char *iana, UCalendar **out, struct dg_err *err)
{
	UChar uzone[ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	*out = NULL;
	if (!to_uchars(iana, uzone, ZONE_MAX))
		return dg_errf(err, DG_EINTERNAL, "zone id '%s' is too long",
			       iana);
	cal = ucal_open(uzone, -1, "", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return icu_fail(err, st, "ucal_open");
	/* Agree with days_from_civil() before 1582 too. */
	ucal_setGregorianChange(cal, -8.64e15, &st);
	if (U_FAILURE(st)) {
		ucal_close(cal);
		return icu_fail(err, st, "ucal_setGregorianChange");
	}
	/*
	 * Where a DST jump skips a local midnight (America/Havana in March),
	 * the day starts at the first wall time that exists; where it repeats
	 * one (Havana in November), at the first of the two (ICU would take
	 * the later one and lose an hour of the day).
	 */
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME,
			  UCAL_WALLTIME_NEXT_VALID);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	*out = cal;
	return 0;
}

static int local_to_ms(UCalendar *cal, const struct civil *c, int64_t *ms,
		       struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	UDate when;

	ucal_clear(cal);
	ucal_setDateTime(cal, c->year, c->month - 1, c->day, c->hour, c->minute,
			 c->second, &st);
	ucal_set(cal, UCAL_MILLISECOND, c->ms);
	when = ucal_getMillis(cal, &st);
	if (U_FAILURE(st))
		return icu_fail(err, st, "ucal_getMillis");
	*ms = (int64_t)when;
	return 0;
}

/* The local fields of instant ms, and the zone's UTC offset then. */
static int ms_to_local(UCalendar *cal, int64_t ms, struct civil *c,
		       int *offset_min, struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;

	ucal_setMillis(cal, (UDate)ms, &st);
	c->year = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	c->month = ucal_get(cal, UCAL_MONTH, &st) + 1;
	c->day = ucal_get(cal, UCAL_DATE, &st);
	c->hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	c->minute = ucal_get(cal, UCAL_MINUTE, &st);
	c->second = ucal_get(cal, UCAL_SECOND, &st);
	c->ms = ucal_get(cal, UCAL_MILLISECOND, &st);
	*offset_min = (ucal_get(cal, UCAL_ZONE_OFFSET, &st) +
		       ucal_get(cal, UCAL_DST_OFFSET, &st)) /
		      MS_PER_MINUTE;
	if (U_FAILURE(st))
		return icu_fail(err, st, "ucal_get");
	return 0;
}

/* "2026-11-24T09:00:00-08:00": instant ms with the offset it has in cal. */
static int format_rfc3339(UCalendar *cal, int64_t ms, char *buf, size_t size,
			  struct dg_err *err)
{
	struct civil c;
	int off, n, ret;
	char sign = '+';

	ret = ms_to_local(cal, ms, &c, &off, err);
	if (ret)
		return ret;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		     c.year, c.month, c.day, c.hour, c.minute, c.second, sign,
		     off / 60, off % 60);
	if (n < 0 || (size_t)n >= size)
		return dg_errf(err, DG_EINTERNAL,
			       "year %d does not fit a time stamp", c.year);
	return 0;
}

/* "2026-11-24T08:00:00Z": UTC has no rules, so no ICU is needed. */
static int format_utc(int64_t ms, char *buf, size_t size, struct dg_err *err)
{
	int64_t days = floor_div(ms, MS_PER_DAY);
	int64_t rest = ms - days * MS_PER_DAY;
	struct civil c;
	int n;

	civil_from_days(days, &c);
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year,
		     c.month, c.day, (int)(rest / MS_PER_HOUR),
		     (int)(rest / MS_PER_MINUTE % 60),
		     (int)(rest / MS_PER_SECOND % 60));
	if (n < 0 || (size_t)n >= size)
		return dg_errf(err, DG_EINTERNAL,
			       "year %d does not fit a time stamp", c.year);
	return 0;
}

/*
 * The calendar of the zone Graph last wrote times in: one open calendar,
 * because Graph writes all times of a response in one zone.
 */
struct zone_cache {
	char *name;
	UCalendar *cal;
};

static void zone_cache_release(struct zone_cache *zc)
{
	if (zc->cal)
		ucal_close(zc->cal);
	free(zc->name);
	zc->name = NULL;
	zc->cal = NULL;
}

/* *cal is borrowed from zc. DG_ENOTFOUND (err untouched): unknown zone. */
static int zone_cache_get(struct zone_cache *zc, const char *name,
			  UCalendar **cal, struct dg_err *err)
{
	char *iana;
	int ret;

	if (zc->name && !strcmp(zc->name, name)) {
		*cal = zc->cal;
		return 0;
	}
	zone_cache_release(zc);
	ret = zone_resolve(name, &iana);
	if (ret == DG_ENOMEM)
		return dg_errf(err, ret, "out of memory");
	if (ret)
		return ret;
	ret = zone_calendar(iana, &zc->cal, err);
	free(iana);
	if (ret)
		return ret;
	zc->name = strdup(name);
	if (!zc->name) {
		zone_cache_release(zc);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	*cal = zc->cal;
	return 0;
}

/*
 * The fields of a Graph dateTime. Errors name the owner ("event AAMk=",
 * "user zoe@contoso.com") and the field ("start").
 */
static int datetime_fields(const struct cal_datetime *dt, const char *owner,
			   const char *field, struct civil *c,
			   struct dg_err *err)
{
	char text[SHOWN_MAX];

	if (!dt->date_time)
		return dg_errf(err, DG_EPARSE, "%s: %s.dateTime is missing",
			       owner, field);
	if (!parse_graph_datetime(dt->date_time, c))
		return dg_errf(err, DG_EPARSE,
			       "%s: %s.dateTime '%s' is not a date-time like "
			       "2026-11-24T09:00:00.0000000",
			       owner, field,
			       shown(dt->date_time, text, sizeof(text)));
	return 0;
}

/* The instant of a Graph dateTimeTimeZone; errors as datetime_fields(). */
static int datetime_to_ms(struct zone_cache *zc, const struct cal_datetime *dt,
			  const char *owner, const char *field, int64_t *ms,
			  struct dg_err *err)
{
	/* Graph's default zone for times is UTC. */
	const char *zone =
		dt->time_zone && *dt->time_zone ? dt->time_zone : "UTC";
	char text[SHOWN_MAX];
	UCalendar *cal = NULL;
	struct civil c;
	int ret;

	ret = datetime_fields(dt, owner, field, &c, err);
	if (ret)
		return ret;
	ret = zone_cache_get(zc, zone, &cal, err);
	if (ret == DG_ENOTFOUND)
		return dg_errf(err, ret,
			       "%s: %s.timeZone: unknown time zone "
			       "'%s'",
			       owner, field, shown(zone, text, sizeof(text)));
	if (ret)
		return ret;
	return local_to_ms(cal, &c, ms, err);
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
	ret = zone_resolve(name, &t->zone);
	if (ret == DG_ENOTFOUND && opted_out)
		ret = zone_resolve("UTC", &t->zone);
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
static int target_date(UCalendar *cal, int64_t now_ms, const char *date,
		       int64_t *days, struct dg_err *err)
{
	char text[SHOWN_MAX];
	struct civil c;
	int off, ret;

	if (date) {
		if (!parse_date(date, &c) || c.year < 1970)
			return dg_errf(err, DG_EINVAL,
				       "date '%s' is not a calendar date "
				       "YYYY-MM-DD between 1970 and 9999",
				       shown(date, text, sizeof(text)));
		*days = civil_days(&c);
		return 0;
	}
	ret = ms_to_local(cal, now_ms, &c, &off, err);
	if (ret)
		return ret;
	*days = civil_days(&c) + 1;
	return 0;
}

static int day_start_ms(UCalendar *cal, int64_t days, int64_t *ms,
			struct dg_err *err)
{
	struct civil c;

	civil_from_days(days, &c);
	return local_to_ms(cal, &c, ms, err);
}

/* Bounds by the zone's own midnights: a day is 23 or 25 h on DST days. */
static int target_bounds(UCalendar *cal, int64_t days, struct plan_target *t,
			 struct dg_err *err)
{
	int64_t before, after;
	struct civil c;
	int ret, n;

	ret = day_start_ms(cal, days, &t->start_ms, err);
	if (!ret)
		ret = day_start_ms(cal, days + 1, &t->end_ms, err);
	if (!ret)
		ret = day_start_ms(cal, days - 1, &before, err);
	if (!ret)
		ret = day_start_ms(cal, days + 2, &after, err);
	if (!ret)
		ret = format_utc(before, t->fetch_start, sizeof(t->fetch_start),
				 err);
	if (!ret)
		ret = format_utc(after, t->fetch_end, sizeof(t->fetch_end),
				 err);
	if (ret)
		return ret;
	civil_from_days(days, &c);
	n = snprintf(t->date, sizeof(t->date), "%04d-%02d-%02d", c.year,
		     c.month, c.day);
	if (n < 0 || (size_t)n >= sizeof(t->date))
		return dg_errf(err, DG_EINVAL, "year %d is out of range",
			       c.year);
	t->weekday = weekday_of(days);
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
	struct zone_cache zc = {.name = NULL, .cal = NULL};
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
	zone_cache_release(&zc);
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
	UCalendar *cal = NULL;
	int64_t days = 0;
	int ret;

	*out = (struct plan_target)PLAN_TARGET_INIT;
	shown(user_label ? user_label : "(unnamed)", who, sizeof(who));
	ret = target_zone(mb, who, opted_out, out, err);
	if (!ret)
		ret = target_locale(mb, default_locale, out, err);
	if (!ret)
		ret = zone_calendar(out->zone, &cal, err);
	if (!ret)
		ret = target_date(cal, now_ms, date, &days, err);
	if (!ret)
		ret = target_bounds(cal, days, out, err);
	if (cal)
		ucal_close(cal);
	if (!ret)
		ret = target_skip(mb, who, opted_out, out, err);
	if (ret)
		plan_target_release(out);
	return ret;
}

/* What plan_day() keeps open while it walks the events. */
struct day_ctx {
	const struct plan_target *t;
	int64_t days;	       /* the target date */
	UCalendar *cal;	       /* the user's zone: offsets */
	UDateFormat *time_fmt; /* the user's zone and locale: labels */
	UDateFormat *date_fmt;
	struct zone_cache event_zone;
};

/* ICU's locale id for a BCP 47 tag ("en-US" -> "en_US"). */
static void icu_locale(const char *tag, char *id, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	len = uloc_forLanguageTag(tag, id, size, NULL, &st);
	if (U_SUCCESS(st) && len > 0 && len < size)
		return;
	/* Not a tag ICU can read: its own fallback takes it from here. */
	if (strlen(tag) < (size_t)size)
		memcpy(id, tag, strlen(tag) + 1);
	else
		id[0] = '\0';
}

static int day_open(struct day_ctx *ctx, struct dg_err *err)
{
	char locale[ULOC_FULLNAME_CAPACITY];
	UChar uzone[ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	struct civil c;
	int ret;

	if (!parse_date(ctx->t->date, &c) || !ctx->t->zone)
		return dg_errf(err, DG_EINVAL,
			       "plan_day() needs a target from plan_target()");
	ctx->days = civil_days(&c);
	ret = zone_calendar(ctx->t->zone, &ctx->cal, err);
	if (ret)
		return ret;
	icu_locale(ctx->t->locale ? ctx->t->locale : PLAN_LOCALE_FALLBACK,
		   locale, sizeof(locale));
	if (!to_uchars(ctx->t->zone, uzone, ZONE_MAX))
		return dg_errf(err, DG_EINTERNAL, "zone id is too long");
	ctx->time_fmt = udat_open(UDAT_SHORT, UDAT_NONE, locale, uzone, -1,
				  NULL, 0, &st);
	if (U_FAILURE(st))
		return icu_fail(err, st, "udat_open");
	ctx->date_fmt = udat_open(UDAT_NONE, UDAT_FULL, locale, uzone, -1, NULL,
				  0, &st);
	if (U_FAILURE(st))
		return icu_fail(err, st, "udat_open");
	return 0;
}

static void day_close(struct day_ctx *ctx)
{
	if (ctx->time_fmt)
		udat_close(ctx->time_fmt);
	if (ctx->date_fmt)
		udat_close(ctx->date_fmt);
	if (ctx->cal)
		ucal_close(ctx->cal);
	zone_cache_release(&ctx->event_zone);
}

static int utf16_to_utf8(const UChar *u, int32_t len, char **out,
			 struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	u_strToUTF8(NULL, 0, &n, u, len, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return icu_fail(err, st, "u_strToUTF8");
	*out = malloc((size_t)n + 1);
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	st = U_ZERO_ERROR;
	u_strToUTF8(*out, n + 1, NULL, u, len, &st);
	if (U_FAILURE(st)) {
		free(*out);
		*out = NULL;
		return icu_fail(err, st, "u_strToUTF8");
	}
	return 0;
}

/* Instant ms through fmt, as UTF-8. *out is yours. */
static int format_label(UDateFormat *fmt, int64_t ms, char **out,
			struct dg_err *err)
{
	UChar small[64], *u = small;
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;
	int ret;

	len = udat_format(fmt, (UDate)ms, small, 64, NULL, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		u = malloc(((size_t)len + 1) * sizeof(*u));
		if (!u)
			return dg_errf(err, DG_ENOMEM, "out of memory");
		st = U_ZERO_ERROR;
		len = udat_format(fmt, (UDate)ms, u, len + 1, NULL, &st);
	}
	if (U_FAILURE(st)) {
		ret = icu_fail(err, st, "udat_format");
	} else {
		for (int32_t i = 0; i < len; i++)
			if (u[i] == NARROW_NBSP)
				u[i] = ' ';
		ret = utf16_to_utf8(u, len, out, err);
	}
	if (u != small)
		free(u);
	return ret;
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
	struct civil s, e;
	int64_t first, end;
	int ret;

	ret = datetime_fields(&ev->start, owner, "start", &s, err);
	if (!ret)
		ret = datetime_fields(&ev->end, owner, "end", &e, err);
	if (ret)
		return ret;
	first = civil_days(&s);
	end = civil_days(&e);
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

	ret = format_rfc3339(ctx->cal, m->start_ms, m->start, sizeof(m->start),
			     err);
	if (!ret)
		ret = format_rfc3339(ctx->cal, m->end_ms, m->end,
				     sizeof(m->end), err);
	if (ret || m->all_day)
		return ret;
	ret = format_label(ctx->time_fmt, m->start_ms, &m->start_label, err);
	if (!ret)
		ret = format_label(ctx->time_fmt, m->end_ms, &m->end_label,
				   err);
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
		ret = format_label(ctx.date_fmt, t->start_ms, &out->date_label,
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

int plan_local_minutes(const char *zone, int64_t now_ms, int *minutes,
		       struct dg_err *err)
{
	UCalendar *cal;
	struct civil c;
	int offset, rc = zone_calendar(zone, &cal, err);

	if (rc)
		return rc;
	rc = ms_to_local(cal, now_ms, &c, &offset, err);
	ucal_close(cal);
	if (!rc)
		*minutes = c.hour * 60 + c.minute;
	return rc;
}
