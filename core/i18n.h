/*
 * i18n: the reader's language, the templates in it, and ICU's formats.
 *
 * Everything a reader sees comes from template files or from ICU, never
 * from C strings. A digest is written in one language, chosen from the
 * reader's locale through a fallback chain of template folders: for
 * "de-AT", templates/de-AT/ first, then templates/de/, then the default
 * set at the root of templates/, which is English. A file missing from a
 * language folder falls back alone, with a warning naming it, so one
 * untranslated tip never turns the whole digest English.
 *
 * Dates, times, time ranges, plural categories and lists of names come
 * from ICU in the locale's own patterns. When no template folder serves
 * the locale's language (a "pt-BR" reader and no templates/pt), the text
 * is the default set's and ICU formats in the default language too, so a
 * digest never mixes two languages.
 *
 * A set of formats remembers its answers (memo.h): the same meeting is in
 * the digest of each of its attendees, at the same time, with the same
 * people, so most times, ranges and lists of a run are asked for many
 * times and ICU formats each once (as long as its memo slot keeps it).
 * A remembered answer is byte for byte the one ICU gave.
 *
 * Invariants: a folder name is always a tag ICU produced from the locale
 * (letters, digits and '-'), so a locale from a mailbox cannot name a
 * path outside the templates folder. No global state: ICU objects live in
 * the struct that opened them.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_I18N_H
#define DIGEST_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "memo.h"
#include "strbuf.h"

/* The language of the default set, at the root of the templates folder. */
#define I18N_DEFAULT_LANGUAGE "en"

/* The locale when nobody names one. */
#define I18N_DEFAULT_LOCALE "en-US"

/*
 * Answers remembered: times, ranges and dates per set of formats (they
 * depend on the zone; a day of one zone has several hundred distinct
 * ones: starts, ends and the ranges between), lists per cache of sets,
 * by locale and names. At most about 100 bytes a slot: a few hundred KiB
 * a set in use.
 */
#define I18N_TIME_SLOTS 1024
#define I18N_LIST_SLOTS 2048

/* --- choosing the locale ------------------------------------------------ */

/* Whether tag is a whole BCP 47 tag ICU reads ("de-AT", "ja"). */
bool i18n_tag_valid(const char *tag);

/*
 * The same, telling out of memory apart: 0 with *valid set, or DG_ENOMEM
 * (ICU could not allocate: not a verdict on the tag).
 */
int i18n_tag_check(const char *tag, bool *valid)
	__attribute__((warn_unused_result));

/*
 * The reader's locale: the first valid tag of override (preview
 * --locale), preference (the reader's own setting), mailbox (Graph's
 * language.locale) and configured ([digest] locale), else
 * I18N_DEFAULT_LOCALE. Each may be NULL or empty. Borrowed: one of the
 * arguments or the constant.
 */
const char *i18n_choose(const char *override, const char *preference,
			const char *mailbox, const char *configured);

/* --- templates in a language -------------------------------------------- */

struct i18n_templates {
	char *dir;	    /* the templates folder */
	char *locale;	    /* the reader's tag, as given */
	char **chain;	    /* language folders that exist, specific first */
	size_t nchain;
	char *language;	    /* chain[0], else I18N_DEFAULT_LANGUAGE */
	char *format_locale; /* ICU formats in this locale (see above) */
};

/*
 * The template set of locale under dir. *out is yours: free it with
 * i18n_templates_free(). An invalid locale means the default set.
 */
int i18n_templates_open(const char *dir, const char *locale,
			struct i18n_templates **out, struct dg_err *err)
	__attribute__((warn_unused_result));

void i18n_templates_free(struct i18n_templates *t);

/*
 * A mustache_resolve_fn; ctx is a struct i18n_templates. Partial x is
 * <dir>/<folder>/x.mustache for the first folder of the chain that has
 * it, else <dir>/x.mustache, with a logging_warn() naming the missing
 * translation when the chain's language is not the default one.
 */
int i18n_resolve(const char *name, struct strbuf *out, void *ctx,
		 struct dg_err *err) __attribute__((warn_unused_result));

/*
 * digest check: for every language folder under dir, append one line to
 * report per template of the default set that neither the folder nor a
 * more general one of its chain has ("de-AT/x" may come from "de/x"),
 * and per file that does not compile. *problems: how many lines.
 */
int i18n_check(const char *dir, struct strbuf *report, size_t *problems,
	       struct dg_err *err) __attribute__((warn_unused_result));

/* --- ICU formats for one reader ----------------------------------------- */

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
 * to use, so a run opens each set once and reuses it for every reader of
 * that locale and zone. At most I18N_FMT_CACHE_MAX sets are kept; past
 * that the least recently used one is closed. Its sets share one memo of
 * lists (a list does not depend on the zone) of I18N_LIST_SLOTS answers:
 * memory stays bounded whatever the number of readers.
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
 * Append items joined as the language joins a list ("A, B and C"): ICU's
 * answer, byte for byte. Where the language's list only puts words
 * between the names (found once per set by asking ICU about probes and
 * checked against names that change the words elsewhere, as Spanish "e"
 * for "y"), the words are put in without ICU; Spanish, Hebrew and any
 * language whose lists fail the check are ICU's, through the memo.
 */
int i18n_list(struct i18n_fmt *f, const char *const *items, size_t n,
	      struct strbuf *out, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * What f remembers: its times, ranges and dates (slots: I18N_TIME_SLOTS),
 * and the lists (its cache's memo, shared by the cache's sets). Zero
 * counts when out of memory left a memo out.
 */
void i18n_fmt_stats(const struct i18n_fmt *f, struct memo_stats *times,
		    struct memo_stats *lists);

#endif
