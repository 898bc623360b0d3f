#include "i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/udatpg.h>
#include <unicode/ulistformatter.h>
#include <unicode/uloc.h>
#include <unicode/upluralrules.h>
#include <unicode/ustring.h>

#include "logging.h"
#include "memo.h"
#include "mustache.h"
#include "text.h"

/* Longest tag taken from a mailbox; real ones are under 20 bytes. */
#define TAG_MAX 64
/* Date and list results longer than this are cut; none comes near. */
#define UTEXT_MAX 512

static int icu_fail(struct dg_err *err, UErrorCode st, const char *what)
{
	return dg_errf(err, DG_EINTERNAL, "ICU %s failed: %s", what,
		       u_errorName(st));
}

/* ---- tags ---- */

/* Letters, digits and '-' only: what may become a folder name. */
static bool tag_chars_ok(const char *tag)
{
	size_t n = strlen(tag);

	if (!n || n >= TAG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)tag[i]) && tag[i] != '-')
			return false;
	return true;
}

/*
 * tag -> ICU id ("de-AT" -> "de_AT"): 1, 0 when ICU does not read it, or
 * DG_ENOMEM when ICU ran out of memory (which must not pass for "not a
 * language": the reader would get the default one).
 */
static int tag_to_id(const char *tag, char *id, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t parsed = 0, len;
	char lang[ULOC_LANG_CAPACITY];

	if (!tag || !tag_chars_ok(tag))
		return 0;
	len = uloc_forLanguageTag(tag, id, size, &parsed, &st);
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return DG_ENOMEM;
	if (U_FAILURE(st) || len <= 0 || len >= size ||
	    parsed != (int32_t)strlen(tag))
		return 0;
	len = uloc_getLanguage(id, lang, sizeof(lang), &st);
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return DG_ENOMEM;
	return U_SUCCESS(st) && len > 0 && strcmp(lang, "und");
}

int i18n_tag_check(const char *tag, bool *valid)
{
	char id[ULOC_FULLNAME_CAPACITY];
	int rc = tag_to_id(tag, id, sizeof(id));

	*valid = rc > 0;
	return rc < 0 ? rc : 0;
}

bool i18n_tag_valid(const char *tag)
{
	char id[ULOC_FULLNAME_CAPACITY];

	return tag_to_id(tag, id, sizeof(id)) > 0;
}

const char *i18n_choose(const char *override, const char *preference,
			const char *mailbox, const char *configured)
{
	const char *order[] = { override, preference, mailbox, configured };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i] && i18n_tag_valid(order[i]))
			return order[i];
	return I18N_DEFAULT_LOCALE;
}

/* The language subtag of an ICU id or tag ("de_AT" -> "de"). */
static void language_of(const char *id, char *lang, int32_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	char canon[ULOC_FULLNAME_CAPACITY];

	if (tag_to_id(id, canon, sizeof(canon)) <= 0)
		snprintf(canon, sizeof(canon), "%s", id);
	uloc_getLanguage(canon, lang, size, &st);
	if (U_FAILURE(st))
		lang[0] = '\0';
}

/* ---- the chain of folders ---- */

static bool is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static int chain_push(struct i18n_templates *t, const char *folder)
{
	char **v = realloc(t->chain, (t->nchain + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	t->chain = v;
	v[t->nchain] = strdup(folder);
	if (!v[t->nchain])
		return DG_ENOMEM;
	t->nchain++;
	return 0;
}

/* de_AT, de: every ancestor whose folder exists, as a BCP 47 tag. */
static int build_chain(struct i18n_templates *t, const char *id)
{
	char cur[ULOC_FULLNAME_CAPACITY], tag[TAG_MAX];
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	snprintf(cur, sizeof(cur), "%s", id);
	while (!rc && cur[0] && strcmp(cur, "root")) {
		UErrorCode st = U_ZERO_ERROR;
		char parent[ULOC_FULLNAME_CAPACITY];
		int32_t n = uloc_toLanguageTag(cur, tag, sizeof(tag), 0, &st);

		if (st == U_MEMORY_ALLOCATION_ERROR) {
			rc = DG_ENOMEM;
			break;
		}
		if (U_SUCCESS(st) && n > 0 && n < (int32_t)sizeof(tag) &&
		    tag_chars_ok(tag)) {
			strbuf_reset(&path);
			rc = strbuf_addf(&path, "%s/%s", t->dir, tag);
			if (!rc && is_dir(path.buf))
				rc = chain_push(t, tag);
		}
		st = U_ZERO_ERROR;
		uloc_getParent(cur, parent, sizeof(parent), &st);
		if (st == U_MEMORY_ALLOCATION_ERROR)
			rc = DG_ENOMEM;
		if (U_FAILURE(st) || !strcmp(parent, cur))
			break;
		memcpy(cur, parent, sizeof(cur));
	}
	strbuf_release(&path);
	return rc;
}

/*
 * ICU formats in the reader's locale when the text is in its language,
 * else in the text's language: "pt-BR" with English text gets "en".
 */
static int pick_format_locale(struct i18n_templates *t)
{
	char a[ULOC_LANG_CAPACITY], b[ULOC_LANG_CAPACITY];

	language_of(t->locale, a, sizeof(a));
	language_of(t->language, b, sizeof(b));
	t->format_locale = strdup(strcmp(a, b) ? t->language : t->locale);
	return t->format_locale ? 0 : DG_ENOMEM;
}

int i18n_templates_open(const char *dir, const char *locale,
			struct i18n_templates **out, struct dg_err *err)
{
	struct i18n_templates *t = calloc(1, sizeof(*t));
	char id[ULOC_FULLNAME_CAPACITY];
	int valid = locale ? tag_to_id(locale, id, sizeof(id)) : 0;
	int rc;

	*out = NULL;
	if (!t || valid < 0) {
		free(t);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	t->dir = strdup(dir);
	t->locale = strdup(valid ? locale : I18N_DEFAULT_LOCALE);
	rc = t->dir && t->locale ? 0 : DG_ENOMEM;
	if (!rc && valid)
		rc = build_chain(t, id);
	if (!rc) {
		t->language = strdup(t->nchain ? t->chain[0]
					       : I18N_DEFAULT_LANGUAGE);
		rc = t->language ? 0 : DG_ENOMEM;
	}
	if (!rc)
		rc = pick_format_locale(t);
	if (rc) {
		i18n_templates_free(t);
		return dg_errf(err, rc, "out of memory");
	}
	*out = t;
	return 0;
}

void i18n_templates_free(struct i18n_templates *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nchain; i++)
		free(t->chain[i]);
	free(t->chain);
	free(t->dir);
	free(t->locale);
	free(t->language);
	free(t->format_locale);
	free(t);
}

/* Whether the chain's language is the default set's own. */
static bool speaks_default(const struct i18n_templates *t)
{
	char lang[ULOC_LANG_CAPACITY];

	language_of(t->language, lang, sizeof(lang));
	return !strcmp(lang, I18N_DEFAULT_LANGUAGE);
}

int i18n_resolve(const char *name, struct strbuf *out, void *ctx,
		 struct dg_err *err)
{
	struct i18n_templates *t = ctx;
	struct strbuf folder = STRBUF_INIT;
	int rc = DG_ENOTFOUND;

	for (size_t i = 0; rc == DG_ENOTFOUND && i < t->nchain; i++) {
		strbuf_reset(&folder);
		rc = strbuf_addf(&folder, "%s/%s", t->dir, t->chain[i]);
		if (rc)
			break;
		rc = mustache_resolve_dir(name, out, folder.buf, err);
	}
	strbuf_release(&folder);
	if (rc != DG_ENOTFOUND)
		return rc == DG_ENOMEM ? dg_errf(err, rc, "out of memory") : rc;
	rc = mustache_resolve_dir(name, out, t->dir, err);
	if (!rc && t->nchain && !speaks_default(t))
		logging_warn("%s/%s/%s.mustache: no translation; using the "
			     "default %s/%s.mustache",
			     t->dir, t->chain[t->nchain - 1], name, t->dir,
			     name);
	return rc;
}

/* ---- digest check ---- */

/* A top-level folder that holds a language: "de", "de-AT", "zh-Hant". */
static bool is_language_folder(const char *name)
{
	size_t n = 0;

	while (islower((unsigned char)name[n]))
		n++;
	if (n < 2 || n > 3 || (name[n] && name[n] != '-'))
		return false;
	return i18n_tag_valid(name);
}

struct walk {
	const char *dir;
	struct strbuf *report;
	size_t *problems;
	const char *lang;		  /* NULL: listing the default set */
	char **names;			  /* the default set, relative */
	size_t nnames;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static int add_name(struct walk *w, const char *rel)
{
	char **v = realloc(w->names, (w->nnames + 1) * sizeof(*v));

	if (!v)
		return DG_ENOMEM;
	w->names = v;
	v[w->nnames] = strdup(rel);
	if (!v[w->nnames])
		return DG_ENOMEM;
	w->nnames++;
	return 0;
}

/* A language's file must compile; a broken one is a problem to report. */
static int check_compiles(struct walk *w, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	struct mustache_template *t = NULL;
	struct dg_err quiet = DG_ERR_INIT;
	int rc = strbuf_read_file(&text, path);

	if (!rc && mustache_compile(text.buf, text.len, path, &t, &quiet)) {
		(*w->problems)++;
		rc = strbuf_addf(w->report, "%s\n", quiet.msg);
	} else if (rc) {
		(*w->problems)++;
		rc = strbuf_addf(w->report, "%s: cannot read it\n", path);
	}
	mustache_template_free(t);
	strbuf_release(&text);
	return rc;
}

/*
 * NEEDSWORK: the pages of `digest serve` and `digest about`'s text are in
 * English only; language folders need not have them yet.
 */
static bool english_only(const char *name)
{
	return !strcmp(name, "pages") || !strcmp(name, "about.txt.mustache");
}

/* Every *.mustache under base/rel; the root skips language folders. */
static int walk_dir(struct walk *w, const char *base, const char *rel)
{
	struct strbuf path = STRBUF_INIT, sub = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	int rc = strbuf_addf(&path, "%s%s%s", base, *rel ? "/" : "", rel);

	d = rc ? NULL : opendir(path.buf);
	while (!rc && d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!*rel && !w->lang && (is_language_folder(de->d_name) ||
					  english_only(de->d_name)))
			continue;
		strbuf_reset(&sub);
		rc = strbuf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "",
				 de->d_name);
		strbuf_reset(&path);
		rc = rc ? rc : strbuf_addf(&path, "%s/%s", base, sub.buf);
		if (rc)
			break;
		if (is_dir(path.buf))
			rc = walk_dir(w, base, sub.buf);
		else if (ends_with(de->d_name, ".mustache") && !w->lang)
			rc = add_name(w, sub.buf);
		else if (ends_with(de->d_name, ".mustache"))
			rc = check_compiles(w, path.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
	strbuf_release(&sub);
	return rc;
}

/* Report each default template that lang's chain does not translate. */
static int check_language(struct walk *w, const char *lang)
{
	struct i18n_templates *t = NULL;
	struct strbuf path = STRBUF_INIT;
	struct dg_err quiet = DG_ERR_INIT;
	int rc = i18n_templates_open(w->dir, lang, &t, &quiet);

	w->lang = lang;
	if (!rc)
		rc = walk_dir(w, w->dir, lang);
	for (size_t i = 0; !rc && i < w->nnames; i++) {
		bool found = false;

		for (size_t j = 0; !rc && !found && j < t->nchain; j++) {
			strbuf_reset(&path);
			rc = strbuf_addf(&path, "%s/%s/%s", w->dir,
					 t->chain[j], w->names[i]);
			found = !rc && !access(path.buf, R_OK);
		}
		if (!rc && !found) {
			(*w->problems)++;
			rc = strbuf_addf(w->report,
					 "%s/%s: no %s (the default set has "
					 "it)\n",
					 w->dir, lang, w->names[i]);
		}
	}
	strbuf_release(&path);
	i18n_templates_free(t);
	return rc;
}

int i18n_check(const char *dir, struct strbuf *report, size_t *problems,
	       struct dg_err *err)
{
	struct walk w = { .dir = dir, .report = report, .problems = problems };
	DIR *d;
	struct dirent *de;
	int rc;

	*problems = 0;
	rc = walk_dir(&w, dir, "");
	d = rc ? NULL : opendir(dir);
	if (!rc && !d)
		rc = dg_errf(err, DG_EIO, "%s: %s", dir, strerror(errno));
	while (!rc && d && (de = readdir(d))) {
		struct strbuf path = STRBUF_INIT;

		if (!is_language_folder(de->d_name))
			continue;
		rc = strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (!rc && is_dir(path.buf))
			rc = check_language(&w, de->d_name);
		strbuf_release(&path);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < w.nnames; i++)
		free(w.names[i]);
	free(w.names);
	if (rc && rc != DG_EIO)
		return dg_errf(err, rc, "out of memory checking %s", dir);
	return rc;
}

/* ---- ICU formats ---- */

/* Plural categories of 0 .. PLURAL_KNOWN - 1 are remembered. */
#define PLURAL_KNOWN 64

/*
 * Answers remembered (memo.h). Times, ranges and dates depend on the zone:
 * one memo per set; a day's digests of one zone ask for a few hundred
 * distinct instants. Lists do not: one memo per cache, shared by its sets,
 * keyed by locale and names.
 */
/* A set opened alone keeps its own, smaller list memo. */
#define I18N_OWN_LIST_SLOTS 64

/* The longest day pattern ("EEEE d MMMM" and the like) taken. */
#define DAY_PATTERN_MAX 128

/* What a times memo key starts with. */
enum memo_kind {
	MEMO_TIME = 1,
	MEMO_RANGE,
	MEMO_DATE /* + enum i18n_date_style */
};

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
	 * before the last of more. words[0] NULL: not found out yet.
	 */
	char *words[4];
	bool icu_lists; /* found out: every list is ICU's to make */
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
	if (f->date_full)
		udat_close(f->date_full);
	if (f->date_day)
		udat_close(f->date_day);
	if (f->date_short)
		udat_close(f->date_short);
	if (f->time)
		udat_close(f->time);
	if (f->range)
		udtitvfmt_close(f->range);
	if (f->plural)
		uplrules_close(f->plural);
	if (f->list)
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
	return U_FAILURE(st) ? icu_fail(err, st, "formatter setup") : 0;
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
	rc = tag_to_id(locale, f->locale, sizeof(f->locale));
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
static int add_utf16(struct strbuf *out, UChar *u, int32_t len,
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
	rc = U_FAILURE(st) ? icu_fail(err, st, "u_strToUTF8") : 0;
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
static int add_known(struct memo *memo, const void *key, size_t klen,
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
	int rc = add_known(f->times, &k, sizeof(k), out, err);

	if (rc)
		return rc < 0 ? rc : 0;
	n = udat_format(df, (UDate)ms, u, UTEXT_MAX, NULL, &st);
	if (U_FAILURE(st) || n >= UTEXT_MAX)
		return icu_fail(err, st, "udat_format");
	return add_utf16(out, u, n, f->times, &k, sizeof(k), err);
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
	int rc = add_known(f->times, &k, sizeof(k), out, err);

	if (rc)
		return rc < 0 ? rc : 0;
	n = udtitvfmt_format(f->range, (UDate)start, (UDate)end, u, UTEXT_MAX,
			     NULL, &st);
	if (U_FAILURE(st) || n >= UTEXT_MAX)
		return icu_fail(err, st, "udtitvfmt_format");
	return add_utf16(out, u, n, f->times, &k, sizeof(k), err);
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
			rc = icu_fail(err, st, "ulistfmt_format");
		else
			rc = add_utf16(out, big ? big : small, len, memo, key,
				       klen, err);
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
		const char *w = n == 2		? f->words[WORDS_TWO]
				: i == 1	? f->words[WORDS_START]
				: i == n - 1	? f->words[WORDS_END]
						: f->words[WORDS_MIDDLE];

		rc = strbuf_addstr(out, w);
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
	size_t lang = strcspn(f->locale, "_@");

	if (f->words[0] || f->icu_lists)
		return !f->icu_lists;
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

/* Whether ICU gives item back as it is (UTF-8, no thin spaces). */
static bool plain_item(const char *item)
{
	return text_is_utf8(item, strlen(item)) && !strstr(item, "\u202F") &&
	       !strstr(item, "\u2009");
}

int i18n_list(struct i18n_fmt *f, const char *const *items, size_t n,
	      struct strbuf *out, struct dg_err *err)
{
	char key[MEMO_ITEM_MAX];
	size_t klen;
	int rc;

	/*
	 * ICU's list of one item is the item as it is (one it cannot read
	 * as UTF-8 is empty, and add_utf16() makes thin spaces plain: left
	 * to list_icu). A room's results are mostly one person's each: no
	 * key, no memo, no ICU for them.
	 */
	if (n == 1 && plain_item(items[0]))
		return strbuf_addstr(out, items[0])
			       ? dg_errf(err, DG_ENOMEM, "out of memory")
			       : 0;
	/* most languages: the words ICU would put between, without ICU */
	if (n >= 2 && list_words(f)) {
		bool plain = true;

		for (size_t i = 0; plain && i < n; i++)
			plain = plain_item(items[i]);
		if (plain)
			return join_words(f, items, n, out)
				       ? dg_errf(err, DG_ENOMEM,
						 "out of memory")
				       : 0;
	}
	klen = list_key(f, items, n, key);
	rc = klen ? add_known(f->lists, key, klen, out, err) : 0;
	if (rc)
		return rc < 0 ? rc : 0;
	return list_icu(f, items, n, klen ? f->lists : NULL, key, klen, out,
			err);
}
