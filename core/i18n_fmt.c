#include "i18n_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/udatpg.h>
#include <unicode/ustring.h>

#include "i18n.h"
#include "i18n_int.h"
#include "memo.h"

int i18n_icu_fail(struct dg_err *err, UErrorCode st, const char *what)
{
	return dg_errf(err, DG_EINTERNAL, "ICU %s failed: %s", what,
		       u_errorName(st));
}

/*
 * Answers remembered (memo.h). Times, ranges and dates depend on the zone:
 * one memo per set; a day's digests of one zone ask for a few hundred
 * distinct instants. Lists do not: one memo per cache, shared by its sets,
 * keyed by locale and names.
 */
/* A set opened alone keeps its own, smaller list memo. */
#define I18N_OWN_LIST_SLOTS 64

/* What a times memo key starts with. */
enum memo_kind {
	MEMO_TIME = 1,
	MEMO_RANGE,
	MEMO_DATE /* + enum i18n_date_style */
};

void i18n_fmt_close(struct i18n_fmt *f)
{
	if (!f)
		return;
	memo_free(f->times);
	if (f->own_lists)
		memo_free(f->lists);
	for (size_t i = 0; i < 4; i++)
		free(f->words[i]);
	/* ICU's close functions take NULL, as free() does */
	udat_close(f->date_full);
	udat_close(f->date_day);
	udat_close(f->date_short);
	udat_close(f->time);
	udtitvfmt_close(f->range);
	uplrules_close(f->plural);
	ulistfmt_close(f->list);
	free(f);
}

/*
 * The day format: the locale's best pattern for "MMMMEEEEd", which a
 * pattern generator makes (opening one is most of the cost of a set), or
 * f->day_pattern when a set of the same locale made it already.
 */
static UDateFormat *open_day(struct i18n_fmt *f, const UChar *zone,
			     UErrorCode *st)
{
	UChar sk[16];
	UDateTimePatternGenerator *g;
	int32_t n;

	if (!f->day_len) {
		u_uastrcpy(sk, "MMMMEEEEd");
		g = udatpg_open(f->locale, st);
		if (U_FAILURE(*st))
			return NULL;
		n = udatpg_getBestPattern(g, sk, -1, f->day_pattern,
					  DAY_PATTERN_MAX, st);
		udatpg_close(g);
		if (U_FAILURE(*st) || n >= DAY_PATTERN_MAX)
			return NULL;
		f->day_len = n;
	}
	return udat_open(UDAT_PATTERN, UDAT_PATTERN, f->locale, zone, -1,
			 f->day_pattern, f->day_len, st);
}

/*
 * A style formatter (udat_open with date and time styles). Out of memory,
 * ICU's DateFormat::create() drops the error and hands back a formatter
 * with its last-resort pattern ("yMMdd hh:mm a" in ICU 72, "yyyyMMdd
 * hh:mm a" before), which no locale has: that is an allocation failure.
 */
static UDateFormat *open_style(UDateFormatStyle time, UDateFormatStyle date,
			       const char *locale, const UChar *zone,
			       UErrorCode *st)
{
	static const char *const last_resort[] = {"yMMdd hh:mm a",
						  "yyyyMMdd hh:mm a"};
	UDateFormat *df = udat_open(time, date, locale, zone, -1, NULL, 0, st);
	UChar pattern[32];
	char narrow[32];
	UErrorCode pst = U_ZERO_ERROR;
	int32_t n;

	if (!df || U_FAILURE(*st))
		return df;
	n = udat_toPattern(df, false, pattern, 32, &pst);
	if (U_SUCCESS(pst) && n < 32) {
		u_austrncpy(narrow, pattern, 32);
		narrow[n] = '\0';
		for (size_t i = 0; i < 2; i++)
			if (!strcmp(narrow, last_resort[i]))
				*st = U_MEMORY_ALLOCATION_ERROR;
	}
	return df;
}

static int fmt_open_icu(struct i18n_fmt *f, const char *zone,
			struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar uzone[128], sk[8];

	if (strlen(zone) >= 128)
		return dg_errf(err, DG_EINVAL, "zone id is too long");
	u_uastrcpy(uzone, zone);
	u_uastrcpy(sk, "jm");
	f->date_full = open_style(UDAT_NONE, UDAT_FULL, f->locale, uzone, &st);
	if (U_SUCCESS(st))
		f->date_short = open_style(UDAT_NONE, UDAT_MEDIUM, f->locale,
					   uzone, &st);
	if (U_SUCCESS(st))
		f->time = open_style(UDAT_SHORT, UDAT_NONE, f->locale, uzone,
				     &st);
	if (U_SUCCESS(st))
		f->date_day = open_day(f, uzone, &st);
	if (U_SUCCESS(st))
		f->range = udtitvfmt_open(f->locale, sk, -1, uzone, -1, &st);
	if (U_SUCCESS(st))
		f->plural = uplrules_open(f->locale, &st);
	if (U_SUCCESS(st))
		f->list = ulistfmt_open(f->locale, &st);
	return U_FAILURE(st) ? i18n_icu_fail(err, st, "formatter setup") : 0;
}

struct fmt_slot {
	char *locale, *zone; /* as asked */
	struct i18n_fmt *fmt;
	uint64_t used;       /* c->clock at the last get */
};

struct i18n_fmt_cache {
	struct fmt_slot slots[I18N_FMT_CACHE_MAX];
	size_t n;
	uint64_t clock;
	struct memo *lists; /* the lists of every set; NULL: none kept */
};

static const struct i18n_fmt *same_locale(const struct i18n_fmt_cache *c,
					   const char *id);

/*
 * As i18n_fmt_open(); c (NULL: none), the cache it is for: its memo of
 * lists, and the day pattern of a set of the same locale.
 */
static int fmt_open(const char *locale, const char *zone,
		    struct i18n_fmt_cache *c, struct i18n_fmt **out,
		    struct dg_err *err)
{
	struct memo *lists = NULL;
	const struct i18n_fmt *sib;
	struct i18n_fmt *f = calloc(1, sizeof(*f));
	int rc;

	*out = NULL;
	if (!f)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = i18n_tag_to_id(locale, f->locale, sizeof(f->locale));
	if (rc < 0) {
		free(f);
		return dg_errf(err, rc, "out of memory");
	}
	if (!rc)
		snprintf(f->locale, sizeof(f->locale), "%s",
			 I18N_DEFAULT_LANGUAGE);
	sib = c ? same_locale(c, f->locale) : NULL;
	if (sib) {
		memcpy(f->day_pattern, sib->day_pattern,
		       sizeof(f->day_pattern));
		f->day_len = sib->day_len;
	}
	lists = c ? c->lists : NULL;
	rc = fmt_open_icu(f, zone ? zone : "UTC", err);
	if (rc) {
		i18n_fmt_close(f);
		return rc;
	}
	/* out of memory here only means answers are not remembered */
	f->times = memo_new(I18N_TIME_SLOTS);
	f->own_lists = !lists;
	f->lists = lists ? lists : memo_new(I18N_OWN_LIST_SLOTS);
	*out = f;
	return 0;
}

int i18n_fmt_open(const char *locale, const char *zone,
		  struct i18n_fmt **out, struct dg_err *err)
{
	return fmt_open(locale, zone, NULL, out, err);
}

void i18n_fmt_stats(const struct i18n_fmt *f, struct memo_stats *times,
		    struct memo_stats *lists)
{
	memo_stats(f->times, times);
	memo_stats(f->lists, lists);
}

/* ---- the run's formats, by locale and zone ---- */

/* A set of c in ICU locale id, whose day pattern a new set may take. */
static const struct i18n_fmt *same_locale(const struct i18n_fmt_cache *c,
					   const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].fmt && c->slots[i].fmt->day_len &&
		    !strcmp(c->slots[i].fmt->locale, id))
			return c->slots[i].fmt;
	return NULL;
}

struct i18n_fmt_cache *i18n_fmt_cache_new(void)
{
	struct i18n_fmt_cache *c = calloc(1, sizeof(*c));

	if (c)
		c->lists = memo_new(I18N_LIST_SLOTS);
	return c;
}

static void slot_clear(struct fmt_slot *s)
{
	i18n_fmt_close(s->fmt);
	free(s->locale);
	free(s->zone);
	memset(s, 0, sizeof(*s));
}

void i18n_fmt_cache_free(struct i18n_fmt_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		slot_clear(&c->slots[i]);
	memo_free(c->lists);
	free(c);
}

/* A free slot, else the least recently used one, emptied. */
static struct fmt_slot *slot_for_new(struct i18n_fmt_cache *c)
{
	struct fmt_slot *old;

	if (c->n < I18N_FMT_CACHE_MAX)
		return &c->slots[c->n++];
	old = &c->slots[0];
	for (size_t i = 1; i < c->n; i++)
		if (c->slots[i].used < old->used)
			old = &c->slots[i];
	slot_clear(old);
	return old;
}

int i18n_fmt_cache_get(struct i18n_fmt_cache *c, const char *locale,
		       const char *zone, struct i18n_fmt **out,
		       struct dg_err *err)
{
	struct fmt_slot *s;
	struct i18n_fmt *f = NULL;
	int rc;

	*out = NULL;
	zone = zone ? zone : "UTC";
	c->clock++;
	/* a handful of slots: a scan is cheaper than hashing the pair */
	for (size_t i = 0; i < c->n; i++) {
		s = &c->slots[i];
		if (!strcmp(s->zone, zone) && !strcmp(s->locale, locale)) {
			s->used = c->clock;
			*out = s->fmt;
			return 0;
		}
	}
	rc = fmt_open(locale, zone, c, &f, err);
	if (rc)
		return rc;
	s = slot_for_new(c);
	s->locale = strdup(locale);
	s->zone = strdup(zone);
	if (!s->locale || !s->zone) {
		free(s->locale);
		free(s->zone);
		i18n_fmt_close(f);
		/* the slot stays in use, empty: give it back */
		*s = c->slots[--c->n];
		memset(&c->slots[c->n], 0, sizeof(c->slots[c->n]));
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	s->fmt = f;
	s->used = c->clock;
	*out = f;
	return 0;
}

/*
 * ICU's output as UTF-8, appended to out and kept in memo under key.
 * Narrow and thin no-break spaces ("9:00 AM", "9:00 – 9:30") become
 * plain ones: some mail fonts lack them.
 */
int i18n_add_utf16(struct strbuf *out, UChar *u, int32_t len,
		   struct memo *memo, const void *key, size_t klen,
		   struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	char small[UTEXT_MAX * 3 + 1], *s = small;
	int32_t n;
	int rc;

	for (int32_t i = 0; i < len; i++)
		if (u[i] == 0x202F || u[i] == 0x2009)
			u[i] = ' ';
	u_strToUTF8(small, (int32_t)sizeof(small), &n, u, len, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		s = malloc((size_t)n + 1);
		if (!s)
			return dg_errf(err, DG_ENOMEM, "out of memory");
		st = U_ZERO_ERROR;
		u_strToUTF8(s, n + 1, NULL, u, len, &st);
	}
	rc = U_FAILURE(st) ? i18n_icu_fail(err, st, "u_strToUTF8") : 0;
	if (!rc && strbuf_add(out, s, (size_t)n))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc)
		memo_put(memo, key, klen, s, (size_t)n);
	if (s != small)
		free(s);
	return rc;
}

/* A times memo key: what was formatted, of which instants. */
struct time_key {
	unsigned char kind;
	unsigned char ms[16]; /* a, then b, little-endian */
};

static struct time_key time_key(enum memo_kind kind, int64_t a, int64_t b)
{
	struct time_key k = { .kind = (unsigned char)kind };

	for (int i = 0; i < 8; i++) {
		k.ms[i] = (unsigned char)((uint64_t)a >> (8 * i));
		k.ms[8 + i] = (unsigned char)((uint64_t)b >> (8 * i));
	}
	return k;
}

/* The remembered answer of key, appended: 1, else 0 (or an error). */
int i18n_add_known(struct memo *memo, const void *key, size_t klen,
		   struct strbuf *out, struct dg_err *err)
{
	size_t len;
	const char *text = memo_get(memo, key, klen, &len);

	if (!text)
		return 0;
	if (strbuf_add(out, text, len))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return 1;
}

/* df's text of ms, through f's memo under kind. */
static int add_udat(struct i18n_fmt *f, UDateFormat *df,
		    enum memo_kind kind, int64_t ms, struct strbuf *out,
		    struct dg_err *err)
{
	struct time_key k = time_key(kind, ms, 0);
	UChar u[UTEXT_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;
	int rc = i18n_add_known(f->times, &k, sizeof(k), out, err);

	if (rc)
		return rc < 0 ? rc : 0;
	n = udat_format(df, (UDate)ms, u, UTEXT_MAX, NULL, &st);
	if (U_FAILURE(st) || n >= UTEXT_MAX)
		return i18n_icu_fail(err, st, "udat_format");
	return i18n_add_utf16(out, u, n, f->times, &k, sizeof(k), err);
}

int i18n_date(struct i18n_fmt *f, enum i18n_date_style style, int64_t ms,
	      struct strbuf *out, struct dg_err *err)
{
	UDateFormat *df = style == I18N_DATE_DAY     ? f->date_day
			  : style == I18N_DATE_SHORT ? f->date_short
						     : f->date_full;

	return add_udat(f, df, (enum memo_kind)(MEMO_DATE + (int)style), ms,
			out, err);
}

int i18n_time(struct i18n_fmt *f, int64_t ms, struct strbuf *out,
	      struct dg_err *err)
{
	return add_udat(f, f->time, MEMO_TIME, ms, out, err);
}

int i18n_time_range(struct i18n_fmt *f, int64_t start, int64_t end,
		    struct strbuf *out, struct dg_err *err)
{
	struct time_key k = time_key(MEMO_RANGE, start, end);
	UChar u[UTEXT_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;
	int rc = i18n_add_known(f->times, &k, sizeof(k), out, err);

	if (rc)
		return rc < 0 ? rc : 0;
	n = udtitvfmt_format(f->range, (UDate)start, (UDate)end, u, UTEXT_MAX,
			     NULL, &st);
	if (U_FAILURE(st) || n >= UTEXT_MAX)
		return i18n_icu_fail(err, st, "udtitvfmt_format");
	return i18n_add_utf16(out, u, n, f->times, &k, sizeof(k), err);
}

static const char *plural_icu(struct i18n_fmt *f, long n);

/* Counts in a digest are small and the same ones come again and again. */
const char *i18n_plural(struct i18n_fmt *f, long n)
{
	if (n < 0 || n >= PLURAL_KNOWN)
		return plural_icu(f, n);
	if (!f->plural_of[n])
		f->plural_of[n] = plural_icu(f, n);
	return f->plural_of[n];
}

static const char *plural_icu(struct i18n_fmt *f, long n)
{
	static const char *const known[] = { "zero", "one", "two",
					     "few",  "many", "other" };
	UChar kw[16];
	char s[16];
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = uplrules_select(f->plural, (double)n, kw, 16, &st);

	if (U_FAILURE(st) || len >= 16)
		return "other";
	u_austrcpy(s, kw);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return "other";
}
