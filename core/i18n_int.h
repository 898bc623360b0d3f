/*
 * i18n_int: what the i18n modules share; not for other modules.
 *
 * i18n.c reads tags and keeps the templates of a language; i18n_fmt.c
 * opens ICU's formats of a reader (struct i18n_fmt, below) and writes
 * dates, times, ranges and plurals with them; i18n_list.c joins lists of
 * names with the same set. The set is defined here because both of the
 * latter fill it: i18n_fmt.c opens and closes it, i18n_list.c finds out
 * and keeps its list words.
 *
 * Invariants: a struct i18n_fmt is used by one thread at a time; its
 * memos may be NULL (out of memory: nothing is remembered), and lists is
 * its own (own_lists) or its cache's, shared by the cache's sets.
 * Errors: int functions return 0 or a DG_E* code and fill *err.
 */
#ifndef DIGEST_I18N_INT_H
#define DIGEST_I18N_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/ulistformatter.h>
#include <unicode/uloc.h>
#include <unicode/upluralrules.h>

#include "err.h"
#include "memo.h"
#include "strbuf.h"

/* Date and list results longer than this are cut; none comes near. */
#define UTEXT_MAX 512

/* Plural categories of 0 .. PLURAL_KNOWN - 1 are remembered. */
#define PLURAL_KNOWN 64

/* The longest day pattern ("EEEE d MMMM" and the like) taken. */
#define DAY_PATTERN_MAX 128

struct i18n_fmt {
	char locale[ULOC_FULLNAME_CAPACITY];
	const char *plural_of[PLURAL_KNOWN]; /* NULL: not asked yet */
	UDateFormat *date_full, *date_day, *date_short, *time;
	UDateIntervalFormat *range;
	UPluralRules *plural;
	UListFormatter *list;
	struct memo *times;  /* NULL: nothing is remembered */
	struct memo *lists;  /* own_lists: ours, else the cache's */
	bool own_lists;
	UChar day_pattern[DAY_PATTERN_MAX]; /* date_day's; day_len 0: none */
	int32_t day_len;
	/*
	 * The words ICU puts between the names of a list (list_words()):
	 * between the two of two, and after the first, the middle ones and
	 * before the last of more. words[0] NULL: not found out yet. A set
	 * that borrows a base (below) uses the base's words, not these.
	 * word_len[i] is strlen(words[i]), kept so that a list of names
	 * costs no measuring of words it already knows.
	 */
	char *words[4];
	size_t word_len[4];
	bool icu_lists; /* found out: every list is ICU's to make */
	/*
	 * A set of a cache borrows the formatters of its locale's base: a
	 * set of that locale in UTC, which writes the zone's wall time
	 * (the instant plus the zone's offset then) as the zone's own
	 * formatters would, so that a run opens ICU's formatters once per
	 * locale, not per locale and zone, and the zones of a locale share
	 * what the base remembers (9:00 is 9:00 in every zone). base NULL:
	 * the formatters above are the set's own. A base has no base; refs
	 * counts the sets that borrow it (i18n_fmt.c's cache frees it).
	 */
	struct i18n_fmt *base;
	UCalendar *cal; /* base set: the zone, for its offsets */
	size_t refs;
	bool zoned; /* a base whose patterns name the zone: not lent */
};

/*
 * tag -> ICU id ("de-AT" -> "de_AT") into id (size bytes): 1, 0 when ICU
 * does not read it, or DG_ENOMEM when ICU ran out of memory (which must
 * not pass for "not a language": the reader would get the default one).
 * In i18n.c.
 */
int i18n_tag_to_id(const char *tag, char *id, int32_t size);

/* DG_EINTERNAL with "ICU <what> failed: <ICU's error name>" in *err. */
int i18n_icu_fail(struct dg_err *err, UErrorCode st, const char *what);

/*
 * ICU's output u (len units; changed in place) as UTF-8, appended to out
 * and kept in memo (NULL: not kept) under key. Narrow and thin no-break
 * spaces ("9:00 AM", "9:00 – 9:30") become plain ones: some mail fonts
 * lack them. In i18n_fmt.c.
 */
int i18n_add_utf16(struct strbuf *out, UChar *u, int32_t len,
		   struct memo *memo, const void *key, size_t klen,
		   struct dg_err *err);

/*
 * The answer memo remembers under key, appended to out: 1, 0 when it
 * remembers none, or DG_ENOMEM. In i18n_fmt.c.
 */
int i18n_add_known(struct memo *memo, const void *key, size_t klen,
		   struct strbuf *out, struct dg_err *err);

#endif
