/*
 * tz: time zones, local days and local labels, with ICU's rules.
 *
 * Graph names zones the Windows way ("Pacific Standard Time") or the IANA
 * way; tz_resolve() turns either into an IANA id through CLDR's table. A
 * struct tz is a Gregorian calendar in one zone: it turns local wall
 * times into instants and back with that zone's rules, so a local day is
 * 23 or 25 hours long on DST days. Dates themselves have no zone: the
 * tz_civil arithmetic (days since 1970-01-01, weekdays) needs no ICU.
 *
 * Invariants: no global state (ICU's default zone is never used or set):
 * calls may run in parallel threads, one struct tz per thread. Where a
 * DST jump skips a local midnight the day starts at the first wall time
 * that exists; where it repeats one, at the first of the two.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure:
 * DG_ENOMEM, DG_EINTERNAL when ICU itself fails; tz_resolve() and
 * tz_cache_get() say DG_ENOTFOUND for a zone ICU does not know and leave
 * the wording to the caller, who knows whose zone it was.
 */
#ifndef DIGEST_TZ_H
#define DIGEST_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "memo.h"

#define TZ_MS_PER_MINUTE 60000
#define TZ_MS_PER_DAY 86400000

/* A local (or UTC) date and time of day; month 1..12. */
struct tz_civil {
	int year, month, day, hour, minute, second, ms;
};

/* Days since 1970-01-01 of c's date (proleptic Gregorian). */
int64_t tz_civil_days(const struct tz_civil *c);

/* The date days after 1970-01-01, at 00:00:00.000. */
void tz_civil_from_days(int64_t days, struct tz_civil *c);

/* 0 = Sunday .. 6 = Saturday, of the date days after 1970-01-01. */
int tz_weekday(int64_t days);

/*
 * The one date parser of the project (--date, Graph's dateTimes, RFC 3339
 * instants): "YYYY-MM-DD" at *s, a real calendar date of years
 * 0001..9999. Fills *c (time of day 0) and steps *s past it; what follows
 * is the caller's. False (and *s untouched) when there is no such date.
 */
bool tz_scan_date(const char **s, struct tz_civil *c);

/* tz_scan_date() of all of s: nothing may follow. NULL is no date. */
bool tz_parse_date(const char *s, struct tz_civil *c);

/* "HH:MM", 00:00 to 23:59, as minutes after midnight. NULL is none. */
bool tz_parse_time_of_day(const char *s, int *minutes);

/*
 * A Graph dateTime: "2026-11-24T17:00:00.0000000", no offset, up to 7
 * digits of fraction (milliseconds are kept).
 */
bool tz_parse_graph_datetime(const char *s, struct tz_civil *c);

/*
 * The IANA id for a zone name from Graph: a Windows name through CLDR's
 * table (the "001" default zone of that name, renamed to today's IANA id
 * where CLDR still has an old one: "Asia/Kolkata", not "Asia/Calcutta"),
 * else an id ICU knows, kept as given. *iana is yours: free() it.
 * DG_ENOTFOUND when it is neither, DG_ENOMEM; err is not used.
 */
int tz_resolve(const char *name, char **iana);

/*
 * A calendar in one zone; opaque. It remembers the span between two of
 * its zone's transitions (where the UTC offset is constant) around the
 * last instant ICU converted for it: conversions inside the span are
 * arithmetic, with ICU's results, and keeping a struct tz open for many
 * conversions (a run's users of one zone) is what makes them cheap.
 */
struct tz;

/* Open zone iana (as tz_resolve() gives). *out is yours: tz_close() it. */
int tz_open(const char *iana, struct tz **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free z. NULL is a no-op. */
void tz_close(struct tz *z);

/* The instant (UTC epoch milliseconds) of local wall time c in z. */
int tz_local_to_ms(struct tz *z, const struct tz_civil *c, int64_t *ms,
		   struct dg_err *err) __attribute__((warn_unused_result));

/* The local fields of instant ms in z, and z's UTC offset then. */
int tz_ms_to_local(struct tz *z, int64_t ms, struct tz_civil *c,
		   int *offset_min, struct dg_err *err)
	__attribute__((warn_unused_result));

/* "2026-11-24T09:00:00-08:00": instant ms with the offset it has in z. */
int tz_format_rfc3339(struct tz *z, int64_t ms, char *buf, size_t size,
		      struct dg_err *err) __attribute__((warn_unused_result));

/* "2026-11-24T08:00:00Z": UTC has no rules, so no ICU is needed. */
int tz_format_utc(int64_t ms, char *buf, size_t size, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The wall-clock time of now_ms in zone (an IANA id), in minutes after
 * local midnight: for [digest] send_at.
 */
int tz_local_minutes(const char *zone, int64_t now_ms, int *minutes,
		     struct dg_err *err) __attribute__((warn_unused_result));

/*
 * The zone a run of Graph times was last written in: one open calendar,
 * because Graph writes all times of a response in one zone.
 */
struct tz_cache {
	char *name;
	struct tz *zone;
};

#define TZ_CACHE_INIT                                                          \
	{                                                                      \
		.name = NULL, .zone = NULL                                     \
	}

/*
 * The zone of Graph's zone name (Windows or IANA); *z is borrowed from zc,
 * valid until the next call. DG_ENOTFOUND (err untouched): unknown zone.
 */
int tz_cache_get(struct tz_cache *zc, const char *name, struct tz **z,
		 struct dg_err *err) __attribute__((warn_unused_result));

/* Free what zc holds; zc is then as after TZ_CACHE_INIT. */
void tz_cache_release(struct tz_cache *zc);

/* How tz_label_open() shows an instant. */
enum tz_label_style {
	TZ_LABEL_TIME, /* the short time of day: "9:00 AM", "09:00" */
	TZ_LABEL_DATE, /* the full date: "Tuesday, November 24, 2026" */
	/*
	 * The zone's exemplar city, localized ("Sydney", "Katmandou",
	 * "カトマンズ"), whatever the instant; "" for a zone that has none
	 * (Etc/UTC, Etc/GMT+5): ICU's "Unknown City" is never shown.
	 */
	TZ_LABEL_CITY,
	TZ_LABEL_WEEKDAY, /* the day of the week: "Wednesday", "mercredi" */
};

/*
 * Instants shown in one zone and locale; opaque. A label remembers its
 * last answers (memo.h, up to TZ_LABEL_SLOTS instants): the same meeting
 * times come back for every reader of a zone and locale.
 */
struct tz_label;

#define TZ_LABEL_SLOTS 256

/*
 * Labels in zone iana and locale (a BCP 47 tag, "en-US"; one ICU cannot
 * read falls back as ICU's own locales do). *out is yours: close it with
 * tz_label_close().
 */
int tz_label_open(const char *iana, const char *locale,
		  enum tz_label_style style, struct tz_label **out,
		  struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Instant ms as UTF-8, with U+202F (which CLDR puts before AM/PM and
 * plain-text mail shows poorly) as a plain space. *out is yours.
 */
int tz_label(struct tz_label *l, int64_t ms, char **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free l. NULL is a no-op. */
void tz_label_close(struct tz_label *l);

/* What l remembers (for tests and profiles). */
void tz_label_stats(const struct tz_label *l, struct memo_stats *out);

#endif
