#include "i18n_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ulistformatter.h>
#include <unicode/ustring.h>

#include "i18n_fmt.h"
#include "i18n_int.h"
#include "memo.h"
#include "text.h"

/* Lists of up to this many names, this long, are made on the stack. */
#define LIST_STACK_ITEMS 32
#define LIST_STACK_UNITS 1024

/*
 * items as UTF-16 for ulistfmt, one after the other in buf (units long:
 * a string's UTF-16 is no longer than its UTF-8); one that is not UTF-8
 * is empty.
 */
static void to_utf16_list(const char *const *items, size_t n, UChar *buf,
			  const UChar **u, int32_t *lens)
{
	for (size_t i = 0; i < n; i++) {
		UErrorCode st = U_ZERO_ERROR;
		int32_t cap = (int32_t)strlen(items[i]) + 1;

		u[i] = buf;
		u_strFromUTF8(buf, cap, &lens[i], items[i], -1, &st);
		if (U_FAILURE(st))
			lens[i] = 0;
		buf += cap;
	}
}

/* ulistfmt_format() into small, else into *big (yours). */
static int32_t list_format(struct i18n_fmt *f, const UChar *const *u,
			   const int32_t *lens, size_t n, UChar *small,
			   UChar **big, UErrorCode *st)
{
	int32_t len = ulistfmt_format(f->list, u, lens, (int32_t)n, small,
				      UTEXT_MAX, st);

	if (*st != U_BUFFER_OVERFLOW_ERROR)
		return len;
	*st = U_ZERO_ERROR;
	*big = malloc(((size_t)len + 1) * sizeof(**big));
	if (!*big) {
		*st = U_MEMORY_ALLOCATION_ERROR;
		return 0;
	}
	return ulistfmt_format(f->list, u, lens, (int32_t)n, *big, len + 1,
			       st);
}

/* ICU's list of items, appended, and kept in memo under key. */
static int list_icu(struct i18n_fmt *f, const char *const *items, size_t n,
		    struct memo *memo, const char *key, size_t klen,
		    struct strbuf *out, struct dg_err *err)
{
	const UChar *su[LIST_STACK_ITEMS], **u = su;
	int32_t slens[LIST_STACK_ITEMS], *lens = slens, len = 0;
	UChar sbuf[LIST_STACK_UNITS], *buf = sbuf;
	UChar small[UTEXT_MAX], *big = NULL;
	UErrorCode st = U_ZERO_ERROR;
	size_t units = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		units += strlen(items[i]) + 1;
	if (n > LIST_STACK_ITEMS) {
		u = malloc(n * sizeof(*u));
		lens = malloc(n * sizeof(*lens));
	}
	if (units > LIST_STACK_UNITS)
		buf = malloc(units * sizeof(*buf));
	if (!u || !lens || !buf)
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc) {
		to_utf16_list(items, n, buf, u, lens);
		len = list_format(f, u, lens, n, small, &big, &st);
		if (st == U_MEMORY_ALLOCATION_ERROR)
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
		else if (U_FAILURE(st))
			rc = i18n_icu_fail(err, st, "ulistfmt_format");
		else
			rc = i18n_add_utf16(out, big ? big : small, len, memo,
					    key, klen, err);
	}
	if (u != su)
		free(u);
	if (lens != slens)
		free(lens);
	if (buf != sbuf)
		free(buf);
	free(big);
	return rc;
}

/*
 * The lists memo key of items in f's locale: the locale and each item,
 * each ended by a NUL. 0 when it would be longer than MEMO_ITEM_MAX.
 */
static size_t list_key(const struct i18n_fmt *f, const char *const *items,
		       size_t n, char *key)
{
	size_t len = strlen(f->locale) + 1;

	if (len > MEMO_ITEM_MAX)
		return 0;
	memcpy(key, f->locale, len);
	for (size_t i = 0; i < n; i++) {
		size_t m = strlen(items[i]) + 1;

		if (m > MEMO_ITEM_MAX - len)
			return 0;
		memcpy(key + len, items[i], m);
		len += m;
	}
	return len;
}

/* ---- lists without ICU ---- */

enum { WORDS_TWO, WORDS_START, WORDS_MIDDLE, WORDS_END };

/* Names ICU's list words cannot be found with: probes are U+E000... */
#define PROBES 5

/*
 * Names whose sound changes a language's word for "and" (Spanish "y"
 * before "i": "e"; Hebrew "ו" before a non-Hebrew name: "ו-"), and
 * others: with any of them last, ICU must say what list_words() says.
 */
static const char *const word_checks[] = {
	"Inés", "Ignacio", "hijo", "Hilda", "hielo", "Olga", "Hoja", "Yusuf",
	"8", "11", "Ωmega", "Éva", "ünal", "יעל", "中村", "a", "Zoë",
};

/* ICU's list of the n UTF-8 items, as i18n_list() gives it, into out. */
static int icu_list_of(struct i18n_fmt *f, const char *const *items,
		       size_t n, struct strbuf *out)
{
	struct dg_err quiet = DG_ERR_INIT;

	return list_icu(f, items, n, NULL, NULL, 0, out, &quiet);
}

/*
 * s split at probes 0 .. n - 1 into the n - 1 words between them (yours,
 * into w): false unless s is exactly P0 w0 P1 w1 ... Pn-1.
 */
static bool split_probes(const char *s, size_t n, const char *const *probe,
			 char **w)
{
	size_t plen = strlen(probe[0]);

	if (strncmp(s, probe[0], plen))
		return false;
	s += plen;
	for (size_t k = 1; k < n; k++) {
		const char *at = strstr(s, probe[k]);

		if (!at || memmem(s, (size_t)(at - s), "\xee\x80", 2))
			return false;
		w[k - 1] = strndup(s, (size_t)(at - s));
		if (!w[k - 1])
			return false;
		s = at + plen;
	}
	return !*s;
}

/* n items joined with f's words into out. */
static int join_words(const struct i18n_fmt *f, const char *const *items,
		      size_t n, struct strbuf *out)
{
	int rc = strbuf_addstr(out, items[0]);

	for (size_t i = 1; !rc && i < n; i++) {
		size_t slot = n == 2	      ? WORDS_TWO
			      : i == 1	      ? WORDS_START
			      : i == n - 1    ? WORDS_END
					      : WORDS_MIDDLE;

		rc = strbuf_add(out, f->words[slot], f->word_len[slot]);
		rc = rc ? rc : strbuf_addstr(out, items[i]);
	}
	return rc;
}

/* Whether ICU joins lists of two to five probes as f->words say. */
static bool probe_words(struct i18n_fmt *f)
{
	static const char *const probe[PROBES] = {
		"\xee\x80\x80", "\xee\x80\x81", "\xee\x80\x82", "\xee\x80\x83",
		"\xee\x80\x84"};
	struct strbuf s = STRBUF_INIT;
	char *w[PROBES - 1] = {NULL};
	bool ok = true;

	for (size_t n = 2; ok && n <= PROBES; n++) {
		strbuf_reset(&s);
		ok = !icu_list_of(f, probe, n, &s) && split_probes(s.buf, n, probe, w);
		for (size_t k = 0; ok && k + 1 < n; k++) {
			size_t slot = n == 2	      ? WORDS_TWO
				      : k == 0	      ? WORDS_START
				      : k == n - 2    ? WORDS_END
						      : WORDS_MIDDLE;

			if (!f->words[slot]) {
				f->words[slot] = w[k];
				f->word_len[slot] = strlen(w[k]);
				w[k] = NULL;
			} else {
				ok = !strcmp(f->words[slot], w[k]);
			}
		}
		for (size_t k = 0; k + 1 < PROBES; k++) {
			free(w[k]);
			w[k] = NULL;
		}
	}
	strbuf_release(&s);
	return ok && f->words[WORDS_MIDDLE];
}

/* Whether names with any of word_checks[] last are joined as f->words say. */
static bool check_words(struct i18n_fmt *f)
{
	struct strbuf icu = STRBUF_INIT, ours = STRBUF_INIT;
	const char *items[3] = {"Ana", "Ben", NULL};
	bool ok = true;

	for (size_t i = 0; ok && i < sizeof(word_checks) / sizeof(*word_checks);
	     i++) {
		for (size_t n = 2; ok && n <= 3; n++) {
			items[n - 1] = word_checks[i];
			strbuf_reset(&icu);
			strbuf_reset(&ours);
			ok = !icu_list_of(f, items, n, &icu) &&
			     !join_words(f, items, n, &ours) &&
			     !strcmp(icu.buf, ours.buf);
			items[n - 1] = n == 2 ? "Ben" : NULL;
		}
	}
	strbuf_release(&icu);
	strbuf_release(&ours);
	return ok;
}

/*
 * Whether f may join names itself, with the words found once: ICU's
 * list patterns ("{0}, {1}", "{0} and {1}") are words between the names
 * in most languages, but in Spanish and Hebrew they depend on the last
 * name, and a language may put words before or after the list or turn
 * it around: such lists stay ICU's. Found out on first use.
 */
static bool list_words(struct i18n_fmt *f)
{
	size_t lang;

	/* found out already: every list after the first asks only this */
	if (f->words[0] || f->icu_lists)
		return !f->icu_lists;
	lang = strcspn(f->locale, "_@");
	f->icu_lists = true;
	/* ICU's own contextual languages: never by words */
	if ((lang == 2 && (!strncmp(f->locale, "es", 2) ||
			   !strncmp(f->locale, "he", 2) ||
			   !strncmp(f->locale, "iw", 2))) ||
	    !probe_words(f) || !check_words(f)) {
		for (size_t i = 0; i < 4; i++) {
			free(f->words[i]);
			f->words[i] = NULL;
		}
		return false;
	}
	f->icu_lists = false;
	return true;
}

/*
 * Whether s[0..len) is all ASCII, eight bytes at a time. Most names are:
 * then they are UTF-8 without thin spaces and need no other check.
 */
static bool ascii_only(const char *s, size_t len)
{
	return text_ascii_span(s, len) == len;
}

/* Whether ICU gives item back as it is (UTF-8, no thin spaces). */
static bool plain_item(const char *item)
{
	size_t len = strlen(item);

	if (ascii_only(item, len))
		return true;
	return text_is_utf8(item, len) &&
	       !memmem(item, len, "\u202F", sizeof("\u202F") - 1) &&
	       !memmem(item, len, "\u2009", sizeof("\u2009") - 1);
}

/*
 * The set that keeps f's list words: its base's when it borrows one (the
 * words depend on the language only), so that they are found once per
 * language of a run, not once per language and zone.
 */
static struct i18n_fmt *words_of(struct i18n_fmt *f)
{
	return f->base ? f->base : f;
}

int i18n_list(struct i18n_fmt *f, const char *const *items, size_t n,
	      struct strbuf *out, struct dg_err *err)
{
	char key[MEMO_ITEM_MAX];
	size_t klen;
	int rc;

	/*
	 * ICU's list of one item is the item as it is (one it cannot read
	 * as UTF-8 is empty, and i18n_add_utf16() makes thin spaces plain: left
	 * to list_icu). A room's results are mostly one person's each: no
	 * key, no memo, no ICU for them.
	 */
	if (n == 1 && plain_item(items[0]))
		return strbuf_addstr(out, items[0])
			       ? dg_errf(err, DG_ENOMEM, "out of memory")
			       : 0;
	/* most languages: the words ICU would put between, without ICU */
	if (n >= 2 && list_words(words_of(f))) {
		bool plain = true;

		for (size_t i = 0; plain && i < n; i++)
			plain = plain_item(items[i]);
		if (plain)
			return join_words(words_of(f), items, n, out)
				       ? dg_errf(err, DG_ENOMEM,
						 "out of memory")
				       : 0;
	}
	klen = list_key(f, items, n, key);
	rc = klen ? i18n_add_known(f->lists, key, klen, out, err) : 0;
	if (rc)
		return rc < 0 ? rc : 0;
	return list_icu(f, items, n, klen ? f->lists : NULL, key, klen, out,
			err);
}
