/*
 * i18n_fmt: ICU's formats for one reader: dates, times, time ranges and
 * plural categories in the locale's own patterns and the reader's zone.
 *
 * A set of formats remembers its answers (memo.h): the same meeting is in
 * the digest of each of its attendees, at the same time, with the same
 * people, so most times, ranges and dates of a run are asked for many
 * times and ICU formats each once (as long as its memo slot keeps it).
 * A remembered answer is byte for byte the one ICU gave. The lists of
 * names a set joins are i18n_list.h's.
 *
 * Invariants: no global state: ICU objects live in the set that opened
 * them; a set is used by one thread at a time. Memory stays bounded: a
 * set's memos have a fixed number of slots, a cache a fixed number of
 * sets.
 * Ownership: a set from i18n_fmt_open() is the caller's; one from
 * i18n_fmt_cache_get() is the cache's. Strings go into the caller's
 * strbuf.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_I18N_FMT_H
#define DIGEST_I18N_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "memo.h"
#include "strbuf.h"

/*
 * Answers remembered: times, ranges and dates per set of formats (they
 * depend on the zone; a day of one zone has several hundred distinct
 * ones: starts, ends and the ranges between), lists per cache of sets,
 * by locale and names. At most about 100 bytes a slot: a few hundred KiB
 * a set in use.
 */
#define I18N_TIME_SLOTS 1024
#define I18N_LIST_SLOTS 2048

struct i18n_fmt;

/*
 * Formats in locale (an ICU id or a BCP 47 tag) and zone (an IANA id).
 * *out is yours: i18n_fmt_close() it. It remembers up to
 * I18N_TIME_SLOTS times, ranges and dates, and a few lists.
 */
int i18n_fmt_open(const char *locale, const char *zone,
		  struct i18n_fmt **out, struct dg_err *err)
	__attribute__((warn_unused_result));

void i18n_fmt_close(struct i18n_fmt *f);

/*
 * The formats of a run, one set per locale and zone met: ICU's formatter
 * objects take far longer to open (locale data, pattern generation) than
 * to use, so a run opens them once per locale, in UTC, and the sets of
 * that locale's zones borrow them: a set gives them its zone's wall time
 * (what none of a locale's patterns tells from the zone's own formatters,
 * checked when they are opened; a locale whose patterns name the zone
 * gets formatters per zone). The zones of a locale thus share what its
 * formatters remember too: 9:00 to 9:30 is formatted once, not once per
 * zone. At most I18N_FMT_CACHE_MAX sets are kept; past that the least
 * recently used one is closed (and its locale's formatters with the last
 * set that borrows them). Its sets share one memo of lists (a list does
 * not depend on the zone) of I18N_LIST_SLOTS answers: memory stays
 * bounded whatever the number of readers.
 */
#define I18N_FMT_CACHE_MAX 32

struct i18n_fmt_cache;

/* An empty cache; NULL when out of memory. i18n_fmt_cache_free() it. */
struct i18n_fmt_cache *i18n_fmt_cache_new(void);

void i18n_fmt_cache_free(struct i18n_fmt_cache *c);

/*
 * The formats of locale and zone (as i18n_fmt_open()), opened on first
 * use. *out is borrowed from c: valid until the next call on c.
 */
int i18n_fmt_cache_get(struct i18n_fmt_cache *c, const char *locale,
		       const char *zone, struct i18n_fmt **out,
		       struct dg_err *err) __attribute__((warn_unused_result));

enum i18n_date_style {
	I18N_DATE_FULL, /* "Tuesday, November 24, 2026" */
	I18N_DATE_DAY,	/* "Tuesday, November 24" */
	I18N_DATE_SHORT /* "Nov 24, 2026" */
};

/* Append the date of instant ms, in the zone, to out. */
int i18n_date(struct i18n_fmt *f, enum i18n_date_style style, int64_t ms,
	      struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Append the time of day of ms ("9:00 AM", "09:00"). */
int i18n_time(struct i18n_fmt *f, int64_t ms, struct strbuf *out,
	      struct dg_err *err) __attribute__((warn_unused_result));

/* Append the range [start, end] ("9:00 – 9:30 AM", "9:00～9:30"). */
int i18n_time_range(struct i18n_fmt *f, int64_t start, int64_t end,
		    struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The plural category of n: "zero", "one", "two", "few", "many" or
 * "other". Borrowed, static; "other" if ICU fails.
 */
const char *i18n_plural(struct i18n_fmt *f, long n);

/*
 * What f remembers: its times, ranges and dates (slots: I18N_TIME_SLOTS),
 * and the lists (its cache's memo, shared by the cache's sets). Zero
 * counts when out of memory left a memo out.
 */
void i18n_fmt_stats(const struct i18n_fmt *f, struct memo_stats *times,
		    struct memo_stats *lists);

#endif
