/*
 * tz: zones and dates. The zone-free date arithmetic and parsers (tz_civil),
 * the names of zones (Windows and IANA, through ICU and CLDR), struct tz
 * (an ICU calendar in one zone, with the span of its last transition that
 * spares most conversions a call of ICU), RFC 3339 times and the cache of
 * one zone of Graph's. The labels of instants in a language are in
 * tz_label.c; both share tz_int.h.
 */
#include "tz.h"
#include "tz_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#define MS_PER_SECOND 1000
#define MS_PER_HOUR 3600000

/*
 * A zone's offset is constant between two of its transitions: while an
 * instant falls in the span of the last one ICU was asked about, the
 * local fields are plain arithmetic on the instant plus that offset.
 */
struct tz {
	UCalendar *cal;
	bool fixed;	/* an Etc/ zone: one offset for ever */
	bool span_known;
	int64_t span_lo, span_hi; /* [lo, hi): the offset is span_offset */
	int32_t span_offset;	  /* milliseconds east of UTC */
};

/*
 * A wall time this far from both ends of the span exists once, in it:
 * no zone's offset jumps by as much (Samoa skipped a whole day).
 */
#define SPAN_MARGIN (3 * (int64_t)TZ_MS_PER_DAY)

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

void tz_civil_from_days(int64_t z, struct tz_civil *c)
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

int64_t tz_civil_days(const struct tz_civil *c)
{
	return days_from_civil(c->year, c->month, c->day);
}

/* 1970-01-01 was a Thursday. */
int tz_weekday(int64_t days)
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

static bool valid_date(const struct tz_civil *c)
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

bool tz_scan_date(const char **sp, struct tz_civil *c)
{
	const char *s = *sp;

	memset(c, 0, sizeof(*c));
	if (!(parse_digits(s, 4, &c->year) && s[4] == '-' &&
	      parse_digits(s + 5, 2, &c->month) && s[7] == '-' &&
	      parse_digits(s + 8, 2, &c->day) && valid_date(c)))
		return false;
	*sp = s + 10;
	return true;
}

bool tz_parse_date(const char *s, struct tz_civil *c)
{
	return s && tz_scan_date(&s, c) && *s == '\0';
}

bool tz_parse_time_of_day(const char *s, int *minutes)
{
	int h, m;

	if (!s || !parse_digits(s, 2, &h) || s[2] != ':' ||
	    !parse_digits(s + 3, 2, &m) || s[5] || h > 23 || m > 59)
		return false;
	*minutes = h * 60 + m;
	return true;
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

bool tz_parse_graph_datetime(const char *s, struct tz_civil *c)
{
	if (!s || !tz_scan_date(&s, c) || *s != 'T')
		return false;
	s++;
	if (!parse_digits(s, 2, &c->hour) || s[2] != ':' ||
	    !parse_digits(s + 3, 2, &c->minute) || s[5] != ':' ||
	    !parse_digits(s + 6, 2, &c->second))
		return false;
	s += 8;
	if (*s == '.' && !parse_fraction(&s, &c->ms))
		return false;
	return !*s && c->hour < 24 && c->minute < 60 && c->second < 60;
}

/* ICU's canonical id of zone id, in out[TZ_ZONE_MAX]; false if none. */
static bool canonical_id(const char *id, char *out, UBool *is_system)
{
	UChar uid[TZ_ZONE_MAX], canon[TZ_ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	*is_system = false;
	if (!tz_to_uchars(id, uid, TZ_ZONE_MAX))
		return false;
	len = ucal_getCanonicalTimeZoneID(uid, -1, canon, TZ_ZONE_MAX, is_system,
					  &st);
	if (U_FAILURE(st) || len <= 0 || len >= TZ_ZONE_MAX)
		return false;
	u_UCharsToChars(canon, out, len);
	out[len] = '\0';
	return true;
}

/* A zone id in ICU's database (not a custom "GMT+05:00" one). */
static bool zone_known(const char *id)
{
	char canon[TZ_ZONE_MAX];
	UBool is_system;

	return canonical_id(id, canon, &is_system) && is_system;
}

/* One of the fixed offsets, which have no transitions: "UTC", "Etc/GMT+5". */
static bool zone_fixed(const char *id)
{
	char canon[TZ_ZONE_MAX];
	UBool is_system;

	return canonical_id(id, canon, &is_system) &&
	       !strncmp(canon, "Etc/", 4);
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

int tz_resolve(const char *name, char **iana)
{
	UChar uname[TZ_ZONE_MAX], uid[TZ_ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	char id[TZ_ZONE_MAX];
	int32_t len;

	*iana = NULL;
	if (!tz_to_uchars(name, uname, TZ_ZONE_MAX))
		return DG_ENOTFOUND;
	/* region NULL: the "001" default zone of that Windows name */
	len = ucal_getTimeZoneIDForWindowsID(uname, -1, NULL, uid, TZ_ZONE_MAX,
					     &st);
	if (U_SUCCESS(st) && len > 0 && len < TZ_ZONE_MAX) {
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

/*
 * Whether cal is in zone iana. ICU gives a calendar in "Etc/Unknown"
 * (UTC) and no error when it cannot load a zone; iana was resolved, so
 * ICU knows it and only running out of memory gets there. Without this
 * check a digest would show UTC times under a user's zone.
 */
static bool zone_loaded(const UCalendar *cal, const char *iana)
{
	UChar id[TZ_ZONE_MAX];
	char got[TZ_ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	len = ucal_getTimeZoneID(cal, id, TZ_ZONE_MAX, &st);
	if (U_FAILURE(st) || len <= 0 || len >= TZ_ZONE_MAX)
		return false;
	u_UCharsToChars(id, got, len);
	got[len] = '\0';
	return strcmp(got, UCAL_UNKNOWN_ZONE_ID) || !strcmp(iana, got);
}

/* A Gregorian calendar in zone iana (resolved). *out is yours: close it. */
static int zone_calendar(const char *iana, UCalendar **out, struct dg_err *err)
{
	UChar uzone[TZ_ZONE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	*out = NULL;
	if (!tz_to_uchars(iana, uzone, TZ_ZONE_MAX))
		return dg_errf(err, DG_EINTERNAL, "zone id '%s' is too long",
			       iana);
	cal = ucal_open(uzone, -1, "", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return tz_icu_fail(err, st, "ucal_open");
	if (!zone_loaded(cal, iana)) {
		ucal_close(cal);
		return dg_errf(err, DG_ENOMEM,
			       "ICU could not load time zone '%s' "
			       "(out of memory)", iana);
	}
	/* Agree with days_from_civil() before 1582 too. */
	ucal_setGregorianChange(cal, -8.64e15, &st);
	if (U_FAILURE(st)) {
		ucal_close(cal);
		return tz_icu_fail(err, st, "ucal_setGregorianChange");
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

int tz_open(const char *iana, struct tz **out, struct dg_err *err)
{
	UCalendar *cal;
	int ret;

	*out = NULL;
	ret = zone_calendar(iana, &cal, err);
	if (ret)
		return ret;
	*out = malloc(sizeof(**out));
	if (!*out) {
		ucal_close(cal);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	(*out)->cal = cal;
	(*out)->fixed = zone_fixed(iana);
	(*out)->span_known = false;
	return 0;
}

void tz_close(struct tz *z)
{
	if (!z)
		return;
	ucal_close(z->cal);
	free(z);
}

/*
 * Learn the span of z's calendar time (just set, at offset ms east of UTC)
 * from its zone's transitions; a zone ICU gives none of is one span.
 */
static void learn_span(struct tz *z, int32_t offset)
{
	UErrorCode st = U_ZERO_ERROR;
	UDate prev = 0, next = 0;
	UBool has_prev, has_next;

	z->span_known = false;
	has_prev = ucal_getTimeZoneTransitionDate(
		z->cal, UCAL_TZ_TRANSITION_PREVIOUS_INCLUSIVE, &prev, &st);
	has_next = ucal_getTimeZoneTransitionDate(
		z->cal, UCAL_TZ_TRANSITION_NEXT, &next, &st);
	if (U_FAILURE(st))
		return;
	/*
	 * No transition either way: a fixed zone, or ICU could not build the
	 * zone's rules (out of memory), which it does not report. Taking that
	 * as one span would put a summer date in winter time; ICU converts
	 * right without the rules, so ask it each time.
	 */
	if (!has_prev && !has_next && !z->fixed)
		return;
	z->span_lo = has_prev ? (int64_t)prev : INT64_MIN;
	z->span_hi = has_next ? (int64_t)next : INT64_MAX;
	z->span_offset = offset;
	z->span_known = true;
}

/* Whether ms is in z's span, margin away from its ends. */
static bool in_span(const struct tz *z, int64_t ms, int64_t margin)
{
	if (!z->span_known)
		return false;
	if (z->span_lo != INT64_MIN && (ms < z->span_lo ||
					ms - z->span_lo < margin))
		return false;
	return z->span_hi == INT64_MAX || (ms < z->span_hi &&
					   z->span_hi - ms > margin);
}

/* A wall time the civil arithmetic takes as ICU does (no lenient rolls). */
static bool plain_civil(const struct tz_civil *c)
{
	return c->year >= 1 && c->year <= 9999 && c->month >= 1 &&
	       c->month <= 12 && c->day >= 1 && c->day <= 31 &&
	       c->hour >= 0 && c->hour <= 24 && c->minute >= 0 &&
	       c->minute < 60 && c->second >= 0 && c->second < 60 &&
	       c->ms >= 0 && c->ms < MS_PER_SECOND;
}

static int64_t civil_wall_ms(const struct tz_civil *c)
{
	return days_from_civil(c->year, c->month, c->day) * TZ_MS_PER_DAY +
	       (int64_t)c->hour * MS_PER_HOUR +
	       (int64_t)c->minute * TZ_MS_PER_MINUTE +
	       (int64_t)c->second * MS_PER_SECOND + c->ms;
}

/* The offset of z's calendar at its time, as ICU's fields say. */
static int32_t cal_offset(UCalendar *cal, UErrorCode *st)
{
	return ucal_get(cal, UCAL_ZONE_OFFSET, st) +
	       ucal_get(cal, UCAL_DST_OFFSET, st);
}

int tz_local_to_ms(struct tz *z, const struct tz_civil *c, int64_t *ms,
		   struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	UDate when;
	int32_t offset;

	if (z->span_known && plain_civil(c)) {
		int64_t guess = civil_wall_ms(c) - z->span_offset;

		if (in_span(z, guess, SPAN_MARGIN)) {
			*ms = guess;
			return 0;
		}
	}
	ucal_clear(z->cal);
	ucal_setDateTime(z->cal, c->year, c->month - 1, c->day, c->hour,
			 c->minute, c->second, &st);
	ucal_set(z->cal, UCAL_MILLISECOND, c->ms);
	when = ucal_getMillis(z->cal, &st);
	if (U_FAILURE(st))
		return tz_icu_fail(err, st, "ucal_getMillis");
	*ms = (int64_t)when;
	/* the calendar's time is when now: learn its span */
	ucal_setMillis(z->cal, when, &st);
	offset = cal_offset(z->cal, &st);
	if (U_SUCCESS(st))
		learn_span(z, offset);
	return 0;
}

/* The local fields of ms in z's span, by arithmetic. */
static void span_local(const struct tz *z, int64_t ms, struct tz_civil *c,
		       int *offset_min)
{
	int64_t local = ms + z->span_offset;
	int64_t days = floor_div(local, TZ_MS_PER_DAY);
	int64_t rest = local - days * TZ_MS_PER_DAY;

	tz_civil_from_days(days, c);
	c->hour = (int)(rest / MS_PER_HOUR);
	c->minute = (int)(rest / TZ_MS_PER_MINUTE % 60);
	c->second = (int)(rest / MS_PER_SECOND % 60);
	c->ms = (int)(rest % MS_PER_SECOND);
	*offset_min = z->span_offset / TZ_MS_PER_MINUTE;
}

int tz_ms_to_local(struct tz *z, int64_t ms, struct tz_civil *c,
		   int *offset_min, struct dg_err *err)
{
	UCalendar *cal = z->cal;
	UErrorCode st = U_ZERO_ERROR;
	int32_t offset;

	if (in_span(z, ms, 0)) {
		span_local(z, ms, c, offset_min);
		return 0;
	}
	ucal_setMillis(cal, (UDate)ms, &st);
	c->year = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	c->month = ucal_get(cal, UCAL_MONTH, &st) + 1;
	c->day = ucal_get(cal, UCAL_DATE, &st);
	c->hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	c->minute = ucal_get(cal, UCAL_MINUTE, &st);
	c->second = ucal_get(cal, UCAL_SECOND, &st);
	c->ms = ucal_get(cal, UCAL_MILLISECOND, &st);
	offset = cal_offset(cal, &st);
	*offset_min = offset / TZ_MS_PER_MINUTE;
	if (U_FAILURE(st))
		return tz_icu_fail(err, st, "ucal_get");
	learn_span(z, offset);
	return 0;
}

/* Length of "2026-11-24T09:00:00-08:00". */
#define RFC3339_LEN 25

/* v (0 <= v < 10^width) in width decimal digits, zero-padded. */
static void put_digits(char *out, int v, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

int tz_format_rfc3339(struct tz *z, int64_t ms, char *buf, size_t size,
		      struct dg_err *err)
{
	struct tz_civil c;
	int off, n, ret;
	char sign = '+';

	ret = tz_ms_to_local(z, ms, &c, &off, err);
	if (ret)
		return ret;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	/* by hand: snprintf() was most of the cost, once per meeting end */
	if (c.year >= 0 && c.year <= 9999 && off < 100 * 60 &&
	    size > RFC3339_LEN) {
		put_digits(buf, c.year, 4);
		buf[4] = '-';
		put_digits(buf + 5, c.month, 2);
		buf[7] = '-';
		put_digits(buf + 8, c.day, 2);
		buf[10] = 'T';
		put_digits(buf + 11, c.hour, 2);
		buf[13] = ':';
		put_digits(buf + 14, c.minute, 2);
		buf[16] = ':';
		put_digits(buf + 17, c.second, 2);
		buf[19] = sign;
		put_digits(buf + 20, off / 60, 2);
		buf[22] = ':';
		put_digits(buf + 23, off % 60, 2);
		buf[RFC3339_LEN] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		     c.year, c.month, c.day, c.hour, c.minute, c.second, sign,
		     off / 60, off % 60);
	if (n < 0 || (size_t)n >= size)
		return dg_errf(err, DG_EINTERNAL,
			       "year %d does not fit a time stamp", c.year);
	return 0;
}

int tz_format_utc(int64_t ms, char *buf, size_t size, struct dg_err *err)
{
	int64_t days = floor_div(ms, TZ_MS_PER_DAY);
	int64_t rest = ms - days * TZ_MS_PER_DAY;
	struct tz_civil c;
	int n;

	tz_civil_from_days(days, &c);
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year,
		     c.month, c.day, (int)(rest / MS_PER_HOUR),
		     (int)(rest / TZ_MS_PER_MINUTE % 60),
		     (int)(rest / MS_PER_SECOND % 60));
	if (n < 0 || (size_t)n >= size)
		return dg_errf(err, DG_EINTERNAL,
			       "year %d does not fit a time stamp", c.year);
	return 0;
}

int tz_local_minutes(const char *zone, int64_t now_ms, int *minutes,
		     struct dg_err *err)
{
	struct tz *z;
	struct tz_civil c;
	int offset, rc = tz_open(zone, &z, err);

	if (rc)
		return rc;
	rc = tz_ms_to_local(z, now_ms, &c, &offset, err);
	tz_close(z);
	if (!rc)
		*minutes = c.hour * 60 + c.minute;
	return rc;
}

void tz_cache_release(struct tz_cache *zc)
{
	tz_close(zc->zone);
	free(zc->name);
	zc->name = NULL;
	zc->zone = NULL;
}

int tz_cache_get(struct tz_cache *zc, const char *name, struct tz **z,
		 struct dg_err *err)
{
	char *iana;
	int ret;

	if (zc->name && !strcmp(zc->name, name)) {
		*z = zc->zone;
		return 0;
	}
	tz_cache_release(zc);
	ret = tz_resolve(name, &iana);
	if (ret == DG_ENOMEM)
		return dg_errf(err, ret, "out of memory");
	if (ret)
		return ret;
	ret = tz_open(iana, &zc->zone, err);
	free(iana);
	if (ret)
		return ret;
	zc->name = strdup(name);
	if (!zc->name) {
		tz_cache_release(zc);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	*z = zc->zone;
	return 0;
}
