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
	ucal_close(f->cal);
	udat_close(f->date_full);
	udat_close(f->date_day);
	udat_close(f->date_short);
	udat_close(f->time);
	udtitvfmt_close(f->range);
	if (!f->base) { /* else the base's, borrowed */
		uplrules_close(f->plural);
		ulistfmt_close(f->list);
	}
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

/*
 * Whether df's pattern writes anything of the zone (its name or offset:
 * z, Z, O, v, V, X, x outside quotes), which a base in UTC would write
 * as UTC's. No locale's shipped date and time patterns do; the range's
 * skeleton (hours and minutes) asks for none.
 */
static bool names_zone(const UDateFormat *df)
{
	UChar p[256];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = udat_toPattern(df, false, p, 256, &st);
	bool quoted = false;

	if (U_FAILURE(st) || n >= 256)
		return true; /* unknown: not lent */
	for (int32_t i = 0; i < n; i++) {
		if (p[i] == '\'')
			quoted = !quoted;
		else if (!quoted && p[i] && p[i] < 0x80 &&
			 strchr("zZOvVXx", (char)p[i]))
			return true;
	}
	return false;
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
	/* the bases its sets borrow from (struct i18n_fmt's base), at most
	 * one per set */
	struct i18n_fmt *bases[I18N_FMT_CACHE_MAX];
	size_t nbases;
};

static const struct i18n_fmt *same_locale(const struct i18n_fmt_cache *c,
					   const char *id);

/*
 * The ICU locale id of tag into f->locale: the default language for a
 * tag ICU does not read. 0 or DG_ENOMEM.
 */
static int set_locale(struct i18n_fmt *f, const char *tag)
{
	int rc = i18n_tag_to_id(tag, f->locale, sizeof(f->locale));

	if (rc < 0)
		return rc;
	if (!rc)
		snprintf(f->locale, sizeof(f->locale), "%s",
			 I18N_DEFAULT_LANGUAGE);
	return 0;
}

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
	rc = set_locale(f, locale);
	if (rc) {
		free(f);
		return dg_errf(err, rc, "out of memory");
	}
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
	for (size_t i = 0; i < c->nbases; i++)
		if (c->bases[i]->day_len && !strcmp(c->bases[i]->locale, id))
			return c->bases[i];
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].fmt && c->slots[i].fmt->day_len &&
		    !strcmp(c->slots[i].fmt->locale, id))
			return c->slots[i].fmt;
	return NULL;
}

/*
 * *out: the base of c for locale (ICU id: id; struct i18n_fmt's base), opened
 * on first use, or NULL when its patterns name the zone: its sets then
 * open formatters of their own. Its refs are the caller's to count.
 */
static int base_get(struct i18n_fmt_cache *c, const char *locale,
		    const char *id, struct i18n_fmt **out, struct dg_err *err)
{
	struct i18n_fmt *b;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < c->nbases; i++)
		if (!strcmp(c->bases[i]->locale, id)) {
			*out = c->bases[i]->zoned ? NULL : c->bases[i];
			return 0;
		}
	if (c->nbases == I18N_FMT_CACHE_MAX) /* as many as sets: never */
		return 0;
	rc = fmt_open(locale, "UTC", c, &b, err);
	if (rc)
		return rc;
	b->zoned = names_zone(b->date_full) || names_zone(b->date_short) ||
		   names_zone(b->date_day) || names_zone(b->time);
	c->bases[c->nbases++] = b;
	*out = b->zoned ? NULL : b;
	return 0;
}

/*
 * Out of memory, ICU gives a calendar the unknown zone (offset 0) and no
 * error, as it does for an id it does not know: a zone it knows that
 * comes out unknown is an allocation failure.
 */
static void lost_zone(const UCalendar *cal, const UChar *zone, UErrorCode *st)
{
	static const UChar unknown[] = { 'E', 't', 'c', '/', 'U', 'n', 'k',
					 'n', 'o', 'w', 'n', 0 };
	UChar id[128], canon[128];
	UBool known = false;
	int32_t n = ucal_getTimeZoneID(cal, id, 128, st);

	if (U_FAILURE(*st) || n >= 128 || u_strcmp(id, unknown)) {
		if (U_SUCCESS(*st) && n >= 128)
			*st = U_BUFFER_OVERFLOW_ERROR;
		return;
	}
	ucal_getCanonicalTimeZoneID(zone, -1, canon, 128, &known, st);
	if (U_SUCCESS(*st) && known)
		*st = U_MEMORY_ALLOCATION_ERROR;
	else if (*st == U_ILLEGAL_ARGUMENT_ERROR) /* not an id: unknown */
		*st = U_ZERO_ERROR;
}

/* A set of c's that borrows base's formatters, for zone. */
static int lent_open(struct i18n_fmt *base, const char *zone,
		     struct i18n_fmt **out, struct dg_err *err)
{
	struct i18n_fmt *f = calloc(1, sizeof(*f));
	UErrorCode st = U_ZERO_ERROR;
	UChar uzone[128];

	*out = NULL;
	if (!f)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	if (strlen(zone) >= 128) {
		free(f);
		return dg_errf(err, DG_EINVAL, "zone id is too long");
	}
	memcpy(f->locale, base->locale, sizeof(f->locale));
	u_uastrcpy(uzone, zone);
	f->cal = ucal_open(uzone, -1, "", UCAL_GREGORIAN, &st);
	if (U_SUCCESS(st) && strcmp(zone, "Etc/Unknown"))
		lost_zone(f->cal, uzone, &st);
	if (U_FAILURE(st)) {
		ucal_close(f->cal);
		free(f);
		return i18n_icu_fail(err, st, "ucal_open");
	}
	f->base = base;
	f->plural = base->plural;
	f->list = base->list;
	f->times = memo_new(I18N_TIME_SLOTS);
	f->lists = base->lists;
	base->refs++;
	*out = f;
	return 0;
}

/* A set of c for locale and zone: one that borrows, when it may. */
static int cache_open(struct i18n_fmt_cache *c, const char *locale,
		      const char *zone, struct i18n_fmt **out,
		      struct dg_err *err)
{
	struct i18n_fmt probe;
	struct i18n_fmt *base = NULL;
	int rc = set_locale(&probe, locale);

	if (rc)
		return dg_errf(err, rc, "out of memory");
	rc = base_get(c, locale, probe.locale, &base, err);
	if (rc)
		return rc;
	if (!base)
		return fmt_open(locale, zone, c, out, err);
	return lent_open(base, zone, out, err);
}

struct i18n_fmt_cache *i18n_fmt_cache_new(void)
{
	struct i18n_fmt_cache *c = calloc(1, sizeof(*c));

	if (c)
		c->lists = memo_new(I18N_LIST_SLOTS);
	return c;
}

/* f closed; its base too when no other set borrows it. */
static void cache_close(struct i18n_fmt_cache *c, struct i18n_fmt *f)
{
	struct i18n_fmt *base = f ? f->base : NULL;

	i18n_fmt_close(f);
	if (!base || --base->refs)
		return;
	for (size_t i = 0; i < c->nbases; i++)
		if (c->bases[i] == base) {
			c->bases[i] = c->bases[--c->nbases];
			break;
		}
	i18n_fmt_close(base);
}

static void slot_clear(struct i18n_fmt_cache *c, struct fmt_slot *s)
{
	cache_close(c, s->fmt);
	free(s->locale);
	free(s->zone);
	memset(s, 0, sizeof(*s));
}

void i18n_fmt_cache_free(struct i18n_fmt_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		slot_clear(c, &c->slots[i]);
	/* bases no set borrows: their patterns name the zone */
	for (size_t i = 0; i < c->nbases; i++)
		i18n_fmt_close(c->bases[i]);
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
	slot_clear(c, old);
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
	rc = cache_open(c, locale, zone, &f, err);
	if (rc)
		return rc;
	s = slot_for_new(c);
	s->locale = strdup(locale);
	s->zone = strdup(zone);
	if (!s->locale || !s->zone) {
		free(s->locale);
		free(s->zone);
		cache_close(c, f);
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

/*
 * The wall time of instant ms in f's zone, as an instant in UTC: what
 * f's base formats for f.
 */
static int wall_ms(struct i18n_fmt *f, int64_t ms, int64_t *out,
		   struct dg_err *err)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t zone, dst;

	ucal_setMillis(f->cal, (UDate)ms, &st);
	zone = ucal_get(f->cal, UCAL_ZONE_OFFSET, &st);
	dst = ucal_get(f->cal, UCAL_DST_OFFSET, &st);
	if (U_FAILURE(st))
		return i18n_icu_fail(err, st, "ucal_get");
	*out = ms + zone + dst;
	return 0;
}

/*
 * What f's base writes for kind of instants a and b (b: ranges only),
 * in f's zone, appended to out and kept in f's memo under key.
 */
static int add_lent(struct i18n_fmt *f, enum memo_kind kind, int64_t a,
		    int64_t b, const struct time_key *key, struct strbuf *out,
		    struct dg_err *err);

/* The formatter of f for kind (not MEMO_RANGE). */
static UDateFormat *udat_of(const struct i18n_fmt *f, enum memo_kind kind)
{
	switch ((int)kind) {
	case MEMO_TIME:
		return f->time;
	case MEMO_DATE + I18N_DATE_DAY:
		return f->date_day;
	case MEMO_DATE + I18N_DATE_SHORT:
		return f->date_short;
	default:
		return f->date_full;
	}
}

/*
 * f's text of a (kind a date or a time) or of [a, b) (MEMO_RANGE),
 * through f's memo under kind.
 */
static int add_formatted(struct i18n_fmt *f, enum memo_kind kind, int64_t a,
			 int64_t b, struct strbuf *out, struct dg_err *err)
{
	struct time_key k = time_key(kind, a, b);
	UChar u[UTEXT_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;
	int rc = i18n_add_known(f->times, &k, sizeof(k), out, err);

	if (rc)
		return rc < 0 ? rc : 0;
	if (f->base)
		return add_lent(f, kind, a, b, &k, out, err);
	if (kind == MEMO_RANGE)
		n = udtitvfmt_format(f->range, (UDate)a, (UDate)b, u,
				     UTEXT_MAX, NULL, &st);
	else
		n = udat_format(udat_of(f, kind), (UDate)a, u, UTEXT_MAX,
				NULL, &st);
	if (U_FAILURE(st) || n >= UTEXT_MAX)
		return i18n_icu_fail(err, st,
				     kind == MEMO_RANGE ? "udtitvfmt_format"
							: "udat_format");
	return i18n_add_utf16(out, u, n, f->times, &k, sizeof(k), err);
}

int i18n_date(struct i18n_fmt *f, enum i18n_date_style style, int64_t ms,
	      struct strbuf *out, struct dg_err *err)
{
	return add_formatted(f, (enum memo_kind)(MEMO_DATE + (int)style), ms,
			     0, out, err);
}

int i18n_time(struct i18n_fmt *f, int64_t ms, struct strbuf *out,
	      struct dg_err *err)
{
	return add_formatted(f, MEMO_TIME, ms, 0, out, err);
}

int i18n_time_range(struct i18n_fmt *f, int64_t start, int64_t end,
		    struct strbuf *out, struct dg_err *err)
{
	return add_formatted(f, MEMO_RANGE, start, end, out, err);
}

static int add_lent(struct i18n_fmt *f, enum memo_kind kind, int64_t a,
		    int64_t b, const struct time_key *key, struct strbuf *out,
		    struct dg_err *err)
{
	size_t at = out->len;
	int rc = wall_ms(f, a, &a, err);

	if (!rc && kind == MEMO_RANGE)
		rc = wall_ms(f, b, &b, err);
	if (rc)
		return rc;
	rc = add_formatted(f->base, kind, a, b, out, err);
	if (!rc)
		memo_put(f->times, key, sizeof(*key), out->buf + at,
			 out->len - at);
	return rc;
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
