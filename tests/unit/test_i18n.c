/*
 * Unit tests of core/i18n: choosing the reader's locale, the chain of
 * template folders and its per-file fallback, digest check's report of
 * missing translations, and ICU's dates, plurals and lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <unicode/ulistformatter.h>
#include <unicode/ustring.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "logging.h"
#include "strbuf.h"

/* ---- a templates folder of our own ---- */

static char dir[] = "/tmp/test_i18n.XXXXXX";

static const struct {
	const char *path;
	const char *text;
} files[] = {
	{ "digest.txt.mustache", "Good morning\n" },
	{ "tips/disc/D.mustache", "Open with the bottom line.\n" },
	{ "tips/disc/S.mustache", "Send the agenda ahead.\n" },
	{ "de/digest.txt.mustache", "Guten Morgen\n" },
	{ "de/tips/disc/D.mustache", "Kommen Sie gleich zur Sache.\n" },
	/* de lacks tips/disc/S: it falls back, alone, with a warning. */
	{ "de-AT/digest.txt.mustache", "Servus\n" },
	{ "en-GB/digest.txt.mustache", "Morning\n" },
	{ "ja/digest.txt.mustache", "{{#broken}}\n" },
	{ "ja/tips/disc/D.mustache", "結論から話しましょう。\n" },
	{ "ja/tips/disc/S.mustache", "議題を事前に送りましょう。\n" },
	{ "partials/x.mustache", "not a language folder\n" },
};

static void write_file(const char *rel, const char *text)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	assert_int_equal(strbuf_addf(&path, "%s/%s", dir, rel), 0);
	for (char *s = strchr(path.buf + strlen(dir) + 1, '/'); s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path.buf, 0700);
		*s = '/';
	}
	f = fopen(path.buf, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	strbuf_release(&path);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		write_file(files[i].path, files[i].text);
	return 0;
}

static int teardown(void **state)
{
	struct strbuf cmd = STRBUF_INIT;
	int rc;

	(void)state;
	if (strbuf_addf(&cmd, "rm -rf '%s'", dir))
		return -1;
	rc = system(cmd.buf);
	strbuf_release(&cmd);
	return rc;
}

static struct i18n_templates *open_set(const char *locale)
{
	struct i18n_templates *t = NULL;
	struct dg_err err = DG_ERR_INIT;

	if (i18n_templates_open(dir, locale, &t, &err))
		fail_msg("i18n_templates_open: %s", err.msg);
	return t;
}

/* The text of template name in locale, through the chain. */
static char *resolved(const char *locale, const char *name)
{
	struct i18n_templates *t = open_set(locale);
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (i18n_resolve(name, &out, t, &err))
		fail_msg("i18n_resolve %s: %s", name, err.msg);
	i18n_templates_free(t);
	strbuf_trim(&out);
	return strbuf_detach(&out, NULL);
}

static char warned[1024];
static int nwarnings;

static void keep_warning(enum logging_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level != LOGGING_WARN)
		return;
	nwarnings++;
	snprintf(warned, sizeof(warned), "%s", msg);
}

/* ---- choosing ---- */

static void test_i18n__preview_locale_beats_preference_mailbox_config(
	void **state)
{
	(void)state;
	assert_string_equal(i18n_choose("fr-FR", "de-DE", "ja-JP", "es-ES"),
			    "fr-FR");
	assert_string_equal(i18n_choose(NULL, "de-DE", "ja-JP", "es-ES"),
			    "de-DE");
	assert_string_equal(i18n_choose("", "", "ja-JP", "es-ES"), "ja-JP");
	assert_string_equal(i18n_choose(NULL, NULL, NULL, "es-ES"), "es-ES");
	assert_string_equal(i18n_choose(NULL, NULL, NULL, NULL),
			    I18N_DEFAULT_LOCALE);
}

static void test_i18n__a_tag_that_is_not_bcp47_is_passed_over(void **state)
{
	(void)state;
	assert_false(i18n_tag_valid("../../etc"));
	assert_false(i18n_tag_valid("de_DE x"));
	assert_false(i18n_tag_valid(""));
	assert_false(i18n_tag_valid("x"));
	assert_true(i18n_tag_valid("de-AT"));
	assert_true(i18n_tag_valid("zh-Hant-TW"));
	assert_string_equal(i18n_choose("../x", NULL, "de-AT", NULL), "de-AT");
}

/* ---- the chain ---- */

static void test_i18n__region_folder_comes_before_its_language(void **state)
{
	struct i18n_templates *t = open_set("de-AT");

	(void)state;
	assert_int_equal(t->nchain, 2);
	assert_string_equal(t->chain[0], "de-AT");
	assert_string_equal(t->chain[1], "de");
	assert_string_equal(t->language, "de-AT");
	assert_string_equal(t->format_locale, "de-AT");
	i18n_templates_free(t);
}

static void test_i18n__region_without_a_folder_uses_its_language(void **state)
{
	char *s = resolved("de-CH", "digest.txt");

	(void)state;
	assert_string_equal(s, "Guten Morgen");
	free(s);
	s = resolved("de-AT", "digest.txt");
	assert_string_equal(s, "Servus");
	free(s);
	s = resolved("de-AT", "tips/disc/D");
	assert_string_equal(s, "Kommen Sie gleich zur Sache.");
	free(s);
}

static void test_i18n__unserved_language_is_the_default_set_in_full(
	void **state)
{
	struct i18n_templates *t = open_set("pt-BR");
	char *s;

	(void)state;
	assert_int_equal(t->nchain, 0);
	assert_string_equal(t->language, I18N_DEFAULT_LANGUAGE);
	/* English text, so English dates: no mixed languages. */
	assert_string_equal(t->format_locale, I18N_DEFAULT_LANGUAGE);
	i18n_templates_free(t);
	logging_set_routine(keep_warning, NULL);
	nwarnings = 0;
	s = resolved("pt-BR", "digest.txt");
	logging_set_routine(NULL, NULL);
	assert_string_equal(s, "Good morning");
	assert_int_equal(nwarnings, 0);
	free(s);
}

static void test_i18n__missing_tip_falls_back_alone_with_a_warning(
	void **state)
{
	struct strbuf want = STRBUF_INIT;
	char *s;

	(void)state;
	logging_set_routine(keep_warning, NULL);
	nwarnings = 0;
	s = resolved("de-DE", "tips/disc/S");
	logging_set_routine(NULL, NULL);
	assert_string_equal(s, "Send the agenda ahead.");
	assert_int_equal(nwarnings, 1);
	assert_int_equal(strbuf_addf(&want, "%s/de/tips/disc/S.mustache", dir),
			 0);
	assert_non_null(strstr(warned, want.buf));
	strbuf_release(&want);
	free(s);
	s = resolved("de-DE", "tips/disc/D");
	assert_string_equal(s, "Kommen Sie gleich zur Sache.");
	free(s);
}

static void test_i18n__english_region_falls_back_to_english_quietly(
	void **state)
{
	char *s;

	(void)state;
	logging_set_routine(keep_warning, NULL);
	nwarnings = 0;
	s = resolved("en-GB", "tips/disc/S");
	logging_set_routine(NULL, NULL);
	assert_string_equal(s, "Send the agenda ahead.");
	assert_int_equal(nwarnings, 0);
	free(s);
}

static void test_i18n__unknown_template_is_not_found_anywhere(void **state)
{
	struct i18n_templates *t = open_set("de");
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(i18n_resolve("tips/disc/Q", &out, t, &err),
			 DG_ENOTFOUND);
	assert_int_equal(i18n_resolve("../x", &out, t, &err), DG_EINVAL);
	strbuf_release(&out);
	i18n_templates_free(t);
}

/* ---- digest check ---- */

static void test_i18n__check_names_each_missing_and_broken_template(
	void **state)
{
	struct strbuf report = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t problems = 0;

	(void)state;
	assert_int_equal(i18n_check(dir, &report, &problems, &err), 0);
	/*
	 * Every language lacks partials/x; de lacks S, and de-AT inherits
	 * de's D but lacks S too; en-GB lacks both tips; ja's digest.txt
	 * does not compile. partials/ is no language folder.
	 */
	assert_non_null(strstr(report.buf, "/de: no tips/disc/S.mustache"));
	assert_non_null(strstr(report.buf, "/de-AT: no tips/disc/S.mustache"));
	assert_null(strstr(report.buf, "/de-AT: no tips/disc/D.mustache"));
	assert_non_null(strstr(report.buf, "/en-GB: no tips/disc/D.mustache"));
	assert_non_null(strstr(report.buf, "ja/digest.txt.mustache"));
	assert_non_null(strstr(report.buf, "/ja: no partials/x.mustache"));
	assert_null(strstr(report.buf, "/partials: no"));
	assert_int_equal(problems, 9);
	strbuf_release(&report);
}

/* ---- ICU ---- */

static struct i18n_fmt *fmt(const char *locale)
{
	struct i18n_fmt *f = NULL;
	struct dg_err err = DG_ERR_INIT;

	if (i18n_fmt_open(locale, "Europe/Berlin", &f, &err))
		fail_msg("i18n_fmt_open: %s", err.msg);
	return f;
}

static void test_i18n__plural_categories_follow_each_language(void **state)
{
	static const struct {
		const char *locale;
		const char *c0, *c1, *c2, *c5;
	} rules[] = {
		{ "en-US", "other", "one", "other", "other" },
		{ "de-DE", "other", "one", "other", "other" },
		{ "es-ES", "other", "one", "other", "other" },
		/* French counts zero as singular: "0 réunion". */
		{ "fr-FR", "one", "one", "other", "other" },
		{ "ja-JP", "other", "other", "other", "other" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		struct i18n_fmt *f = fmt(rules[i].locale);

		assert_string_equal(i18n_plural(f, 0), rules[i].c0);
		assert_string_equal(i18n_plural(f, 1), rules[i].c1);
		assert_string_equal(i18n_plural(f, 2), rules[i].c2);
		assert_string_equal(i18n_plural(f, 5), rules[i].c5);
		i18n_fmt_close(f);
	}
}

static void test_i18n__names_are_joined_as_the_language_joins_them(
	void **state)
{
	const char *names[] = { "Ömer", "Zoë", "Priya" };
	struct i18n_fmt *f = fmt("de-DE");
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(i18n_list(f, names, 3, &out, &err), 0);
	assert_string_equal(out.buf, "Ömer, Zoë und Priya");
	i18n_fmt_close(f);
	strbuf_reset(&out);
	f = fmt("en-US");
	assert_int_equal(i18n_list(f, names, 2, &out, &err), 0);
	assert_string_equal(out.buf, "Ömer and Zoë");
	i18n_fmt_close(f);
	strbuf_release(&out);
}

static void test_i18n__a_list_of_one_is_that_name_without_icu(void **state)
{
	const char *one[] = { "Zoë van der Berg" };
	const char *bad[] = { "Zo\xff" };
	const char *thin[] = { "Zo\u00eb v.\u2009B.\u202FD." };
	struct i18n_fmt *f = fmt("es-ES");
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct memo_stats times, lists;

	(void)state;
	assert_int_equal(i18n_list(f, one, 1, &out, &err), 0);
	assert_string_equal(out.buf, "Zoë van der Berg");
	/* nothing asked of the memo, nothing kept */
	i18n_fmt_stats(f, &times, &lists);
	assert_int_equal(lists.hits + lists.misses, 0);
	assert_int_equal(lists.entries, 0);
	/* a name that is not UTF-8 is empty, as ICU makes it */
	strbuf_reset(&out);
	assert_int_equal(i18n_list(f, bad, 1, &out, &err), 0);
	assert_string_equal(out.buf, "");
	/* thin spaces become plain ones, as in every answer of ICU's */
	strbuf_reset(&out);
	assert_int_equal(i18n_list(f, thin, 1, &out, &err), 0);
	assert_string_equal(out.buf, "Zo\u00eb v. B. D.");
	i18n_fmt_close(f);
	strbuf_release(&out);
}

static void test_i18n__dates_and_times_use_the_locale_patterns(void **state)
{
	/* 2026-11-24T09:00:00+01:00 */
	const int64_t ms = INT64_C(1795507200000);
	struct i18n_fmt *f = fmt("de-DE");
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(i18n_date(f, I18N_DATE_FULL, ms, &out, &err), 0);
	assert_string_equal(out.buf, "Dienstag, 24. November 2026");
	strbuf_reset(&out);
	assert_int_equal(i18n_time_range(f, ms, ms + 1800000, &out, &err), 0);
	assert_string_equal(out.buf, "09:00–09:30 Uhr");
	i18n_fmt_close(f);
	strbuf_reset(&out);
	f = fmt("ja-JP");
	assert_int_equal(i18n_date(f, I18N_DATE_DAY, ms, &out, &err), 0);
	assert_string_equal(out.buf, "11月24日火曜日");
	strbuf_reset(&out);
	assert_int_equal(i18n_time(f, ms, &out, &err), 0);
	assert_string_equal(out.buf, "9:00");
	i18n_fmt_close(f);
	strbuf_release(&out);
}

/* One set per locale and zone, reused; the least recently used goes. */
static void test_i18n__cache_reuses_each_locale_and_zone_set(void **state)
{
	const int64_t ms = INT64_C(1795507200000); /* 08:00 UTC */
	struct i18n_fmt_cache *c = i18n_fmt_cache_new();
	struct i18n_fmt *berlin = NULL, *tokyo = NULL, *f = NULL;
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	char zone[32];

	(void)state;
	assert_non_null(c);
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Europe/Berlin",
					    &berlin, &err), 0);
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Asia/Tokyo", &tokyo,
					    &err), 0);
	assert_ptr_not_equal(berlin, tokyo);
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Europe/Berlin", &f,
					    &err), 0);
	assert_ptr_equal(f, berlin);
	assert_int_equal(i18n_time(f, ms, &out, &err), 0);
	assert_string_equal(out.buf, "09:00");
	strbuf_reset(&out);
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Asia/Tokyo", &f,
					    &err), 0);
	assert_ptr_equal(f, tokyo);
	assert_int_equal(i18n_time(f, ms, &out, &err), 0);
	assert_string_equal(out.buf, "17:00");
	strbuf_reset(&out);
	/* NULL is UTC, as for i18n_fmt_open() */
	assert_int_equal(i18n_fmt_cache_get(c, "en-US", NULL, &f, &err), 0);
	assert_int_equal(i18n_time(f, ms, &out, &err), 0);
	assert_string_equal(out.buf, "8:00 AM");
	/* Berlin was used last: filling the cache evicts Tokyo first */
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Europe/Berlin", &f,
					    &err), 0);
	for (int i = 0; i < I18N_FMT_CACHE_MAX - 2; i++) {
		static const char *const locales[] = { "en-US", "fr", "it" };

		snprintf(zone, sizeof(zone), "Etc/GMT%+d", i % 12 + 1);
		assert_int_equal(i18n_fmt_cache_get(c, locales[i / 12], zone,
						    &f, &err), 0);
	}
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Europe/Berlin", &f,
					    &err), 0);
	assert_ptr_equal(f, berlin);
	strbuf_reset(&out);
	assert_int_equal(i18n_fmt_cache_get(c, "de-DE", "Asia/Tokyo", &f,
					    &err), 0);
	assert_int_equal(i18n_time(f, ms, &out, &err), 0);
	assert_string_equal(out.buf, "17:00");
	strbuf_release(&out);
	i18n_fmt_cache_free(c);
}

/* ---- remembered answers ---- */

static const char *const languages[] = { "en-US", "de-DE", "fr-FR", "es-ES",
					  "ja-JP" };

/* The time, then the range from it, as the text of one string. */
static void times_of(struct i18n_fmt *f, int64_t ms, struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;

	strbuf_reset(out);
	assert_int_equal(i18n_time(f, ms, out, &err), 0);
	assert_int_equal(strbuf_add(out, " | ", 3), 0);
	assert_int_equal(i18n_time_range(f, ms, ms + 45 * 60000, out, &err),
			 0);
	assert_int_equal(strbuf_add(out, " | ", 3), 0);
	assert_int_equal(i18n_date(f, I18N_DATE_DAY, ms, out, &err), 0);
}

/*
 * Instants asked for in a time, a range and a day (three answers each),
 * as many instants as a set keeps answers: three times too many. Asked
 * twice, every answer (remembered, recomputed after its slot was taken,
 * or given back from memory) is ICU's own: that of a set asked each
 * instant once, which never remembers one.
 */
static void test_i18n__remembered_times_are_icus_own_and_bounded(
	void **state)
{
	const int64_t day = INT64_C(1795478400000); /* 2026-11-24 00:00 UTC */
	enum { N = I18N_TIME_SLOTS };
	static char *icu[N];
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct memo_stats times, lists;

	(void)state;
	for (size_t l = 0; l < sizeof(languages) / sizeof(*languages); l++) {
		struct i18n_fmt_cache *c = i18n_fmt_cache_new();
		struct i18n_fmt *f = NULL, *ref = NULL;
		struct dg_err err = DG_ERR_INIT;

		assert_int_equal(i18n_fmt_cache_get(c, languages[l],
						    "America/New_York", &f,
						    &err), 0);
		assert_int_equal(i18n_fmt_open(languages[l],
					       "America/New_York", &ref,
					       &err), 0);
		for (int i = 0; i < N; i++) {
			times_of(ref, day + (int64_t)i * 17 * 60000, &want);
			icu[i] = strbuf_detach(&want, NULL);
		}
		for (int pass = 0; pass < 2; pass++)
			for (int i = 0; i < N; i++) {
				times_of(f, day + (int64_t)i * 17 * 60000,
					 &got);
				assert_string_equal(got.buf, icu[i]);
				i18n_fmt_stats(f, &times, &lists);
				assert_true(times.entries <= I18N_TIME_SLOTS);
			}
		i18n_fmt_stats(ref, &times, &lists);
		assert_int_equal(times.hits, 0);
		i18n_fmt_stats(f, &times, &lists);
		assert_true(times.hits > 0);
		assert_int_equal(times.slots, I18N_TIME_SLOTS);
		for (int i = 0; i < N; i++)
			free(icu[i]);
		i18n_fmt_close(ref);
		i18n_fmt_cache_free(c);
	}
	strbuf_release(&got);
}

/* A list is the same in every zone: the sets of a cache share them. */
static void test_i18n__lists_are_remembered_across_zones_by_language(
	void **state)
{
	/* Spanish says "e" before an "i" sound: the memo keeps ICU's words */
	const char *names[] = { "Ana", "Inés" };
	struct i18n_fmt_cache *c = i18n_fmt_cache_new();
	struct i18n_fmt *berlin = NULL, *tokyo = NULL, *en = NULL;
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct memo_stats times, lists;

	(void)state;
	assert_int_equal(i18n_fmt_cache_get(c, "es-ES", "Europe/Berlin",
					    &berlin, &err), 0);
	assert_int_equal(i18n_list(berlin, names, 2, &out, &err), 0);
	assert_string_equal(out.buf, "Ana e Inés");
	assert_int_equal(i18n_fmt_cache_get(c, "es-ES", "Asia/Tokyo", &tokyo,
					    &err), 0);
	strbuf_reset(&out);
	assert_int_equal(i18n_list(tokyo, names, 2, &out, &err), 0);
	assert_string_equal(out.buf, "Ana e Inés");
	i18n_fmt_stats(tokyo, &times, &lists);
	assert_int_equal(lists.hits, 1);
	assert_int_equal(lists.slots, I18N_LIST_SLOTS);
	/* the same names in another language are another answer */
	assert_int_equal(i18n_fmt_cache_get(c, "en-US", "Asia/Tokyo", &en,
					    &err), 0);
	strbuf_reset(&out);
	assert_int_equal(i18n_list(en, names, 2, &out, &err), 0);
	assert_string_equal(out.buf, "Ana and Inés");
	/* appended, as ICU's answers are */
	assert_int_equal(i18n_list(en, names, 1, &out, &err), 0);
	assert_string_equal(out.buf, "Ana and InésAna");
	strbuf_release(&out);
	i18n_fmt_cache_free(c);
}

/* ICU's list of names, as i18n_list() gives it: thin spaces plain. */
static void icu_list(const char *locale, const char *const *names, size_t n,
		     struct strbuf *out)
{
	UErrorCode st = U_ZERO_ERROR;
	UListFormatter *lf = ulistfmt_open(locale, &st);
	UChar u[16][64], res[1024];
	const UChar *items[16];
	int32_t lens[16], len;
	char utf8[4096];

	assert_true(U_SUCCESS(st) && n <= 16);
	for (size_t i = 0; i < n; i++) {
		u_strFromUTF8(u[i], 64, &lens[i], names[i], -1, &st);
		items[i] = u[i];
	}
	len = ulistfmt_format(lf, items, lens, (int32_t)n, res, 1024, &st);
	assert_true(U_SUCCESS(st));
	for (int32_t i = 0; i < len; i++)
		if (res[i] == 0x202F || res[i] == 0x2009)
			res[i] = ' ';
	u_strToUTF8(utf8, sizeof(utf8), NULL, res, len, &st);
	assert_true(U_SUCCESS(st));
	assert_int_equal(strbuf_addstr(out, utf8), 0);
	ulistfmt_close(lf);
}

static void test_i18n__lists_joined_by_words_are_icus_in_every_language(
	void **state)
{
	static const char *const locales[] = {
		"en-US", "en-GB", "de-DE", "fr-FR", "it-IT", "nl-NL", "pt-BR",
		"ja-JP", "zh-CN", "ko-KR", "ru-RU", "pl-PL", "ar-EG", "th-TH",
		"hi-IN", "ur-IN", "es-ES", "es-MX", "he-IL", "sv-SE", "tr-TR"};
	static const char *const pool[] = {
		"Ana", "Inés", "Ignacio", "hijo", "Hilda", "Olga", "Hoja",
		"8", "11", "Yusuf", "יעל", "中村 結衣", "Zoë", "", "Ωmega",
		"Émile", "ünal", "Ömer", "Priya", "O'Brien"};
	const size_t npool = sizeof(pool) / sizeof(*pool);
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *names[6];

	(void)state;
	for (size_t l = 0; l < sizeof(locales) / sizeof(*locales); l++) {
		struct i18n_fmt *f = fmt(locales[l]);
		char id[64];

		snprintf(id, sizeof(id), "%s", locales[l]);
		id[2] = '_';
		for (size_t n = 2; n <= 6; n++)
			for (size_t i = 0; i < npool; i++) {
				for (size_t k = 0; k < n; k++)
					names[k] = pool[(i + k * 7) % npool];
				strbuf_reset(&got);
				strbuf_reset(&want);
				assert_int_equal(i18n_list(f, names, n, &got,
							   &err),
						 0);
				icu_list(id, names, n, &want);
				assert_string_equal(got.buf, want.buf);
			}
		i18n_fmt_close(f);
	}
	strbuf_release(&got);
	strbuf_release(&want);
}

static void test_i18n__lists_by_words_ask_no_memo_and_spanish_ones_do(
	void **state)
{
	const char *names[] = { "Ana", "Ben", "Inés" };
	struct i18n_fmt *en = fmt("en-US"), *es = fmt("es-ES");
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct memo_stats times, lists;

	(void)state;
	assert_int_equal(i18n_list(en, names, 3, &out, &err), 0);
	assert_string_equal(out.buf, "Ana, Ben, and Inés");
	i18n_fmt_stats(en, &times, &lists);
	assert_int_equal(lists.hits + lists.misses, 0);
	strbuf_reset(&out);
	assert_int_equal(i18n_list(es, names, 3, &out, &err), 0);
	assert_string_equal(out.buf, "Ana, Ben e Inés");
	i18n_fmt_stats(es, &times, &lists);
	assert_int_equal(lists.misses, 1);
	i18n_fmt_close(en);
	i18n_fmt_close(es);
	strbuf_release(&out);
}

/* Three times as many lists as the cache keeps: each one right, bounded. */
static void test_i18n__remembered_lists_are_icus_own_and_bounded(
	void **state)
{
	const int n = 3 * I18N_LIST_SLOTS;
	struct i18n_fmt_cache *c = i18n_fmt_cache_new();
	struct i18n_fmt *f = NULL, *ref = NULL;
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct memo_stats times, lists;
	char a[16], b[16];
	const char *names[] = { a, "Zoë", b };

	(void)state;
	/* Spanish: its lists are ICU's (the last name changes "y") */
	assert_int_equal(i18n_fmt_cache_get(c, "es-ES", "UTC", &f, &err), 0);
	assert_int_equal(i18n_fmt_open("es-ES", "UTC", &ref, &err), 0);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i += pass ? 5 : 1) {
			snprintf(a, sizeof(a), "Ana %d", i);
			snprintf(b, sizeof(b), "Inès %d", i % 7);
			strbuf_reset(&got);
			strbuf_reset(&want);
			assert_int_equal(i18n_list(f, names, 3, &got, &err),
					 0);
			assert_int_equal(i18n_list(ref, names, 3, &want, &err),
					 0);
			assert_string_equal(got.buf, want.buf);
			assert_int_equal(i18n_list(f, names, 3, &got, &err),
					 0);
			i18n_fmt_stats(f, &times, &lists);
			assert_true(lists.entries <= I18N_LIST_SLOTS);
		}
	i18n_fmt_stats(f, &times, &lists);
	assert_true(lists.hits >= (size_t)n);
	assert_true(lists.bytes <= I18N_LIST_SLOTS * 2 * MEMO_ITEM_MAX);
	i18n_fmt_close(ref);
	strbuf_release(&want);
	strbuf_release(&got);
	i18n_fmt_cache_free(c);
}

/*
 * A set of a language already in the cache takes its day pattern (the
 * costly part of opening one): the days it writes are a fresh set's.
 */
static void test_i18n__sets_of_one_language_write_days_alike(void **state)
{
	const int64_t ms = INT64_C(1795478400000); /* 2026-11-24 00:00 UTC */
	static const char *const zones[] = { "Europe/Berlin",
					     "America/Los_Angeles",
					     "Asia/Tokyo" };
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	for (size_t l = 0; l < sizeof(languages) / sizeof(*languages); l++) {
		struct i18n_fmt_cache *c = i18n_fmt_cache_new();

		for (size_t z = 0; z < 3; z++) {
			struct i18n_fmt *f = NULL, *fresh = NULL;

			assert_int_equal(i18n_fmt_cache_get(c, languages[l],
							    zones[z], &f,
							    &err), 0);
			assert_int_equal(i18n_fmt_open(languages[l], zones[z],
						       &fresh, &err), 0);
			strbuf_reset(&got);
			strbuf_reset(&want);
			assert_int_equal(i18n_date(f, I18N_DATE_DAY, ms, &got,
						   &err), 0);
			assert_int_equal(i18n_date(fresh, I18N_DATE_DAY, ms,
						   &want, &err), 0);
			assert_string_equal(got.buf, want.buf);
			i18n_fmt_close(fresh);
		}
		i18n_fmt_cache_free(c);
	}
	/* the last one: Japanese, in Tokyo */
	assert_string_equal(got.buf, "11月24日火曜日");
	strbuf_release(&got);
	strbuf_release(&want);
}

/* A room of forty is joined as a room of three is: in full, in order. */
static void test_i18n__a_long_list_is_joined_in_full(void **state)
{
	enum { N = 40 };
	char names[N][48];
	const char *v[N];
	struct i18n_fmt *f = fmt("de-DE");
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "Zoë Ömer-Dubois-Fernández %02d", i);
		v[i] = names[i];
		if (i)
			assert_int_equal(strbuf_add(&want,
						    i < N - 1 ? ", " : " und ",
						    i < N - 1 ? 2 : 5), 0);
		assert_int_equal(strbuf_add(&want, names[i],
					    strlen(names[i])), 0);
	}
	assert_int_equal(i18n_list(f, v, N, &out, &err), 0);
	assert_string_equal(out.buf, want.buf);
	strbuf_release(&out);
	strbuf_release(&want);
	i18n_fmt_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_i18n__preview_locale_beats_preference_mailbox_config),
		cmocka_unit_test(
			test_i18n__a_list_of_one_is_that_name_without_icu),
		cmocka_unit_test(
			test_i18n__lists_joined_by_words_are_icus_in_every_language),
		cmocka_unit_test(
			test_i18n__lists_by_words_ask_no_memo_and_spanish_ones_do),
		cmocka_unit_test(
			test_i18n__a_tag_that_is_not_bcp47_is_passed_over),
		cmocka_unit_test(
			test_i18n__region_folder_comes_before_its_language),
		cmocka_unit_test(
			test_i18n__region_without_a_folder_uses_its_language),
		cmocka_unit_test(
			test_i18n__unserved_language_is_the_default_set_in_full),
		cmocka_unit_test(
			test_i18n__missing_tip_falls_back_alone_with_a_warning),
		cmocka_unit_test(
			test_i18n__english_region_falls_back_to_english_quietly),
		cmocka_unit_test(
			test_i18n__unknown_template_is_not_found_anywhere),
		cmocka_unit_test(
			test_i18n__check_names_each_missing_and_broken_template),
		cmocka_unit_test(
			test_i18n__plural_categories_follow_each_language),
		cmocka_unit_test(
			test_i18n__names_are_joined_as_the_language_joins_them),
		cmocka_unit_test(
			test_i18n__dates_and_times_use_the_locale_patterns),
		cmocka_unit_test(
			test_i18n__cache_reuses_each_locale_and_zone_set),
		cmocka_unit_test(
			test_i18n__remembered_times_are_icus_own_and_bounded),
		cmocka_unit_test(
			test_i18n__lists_are_remembered_across_zones_by_language),
		cmocka_unit_test(
			test_i18n__remembered_lists_are_icus_own_and_bounded),
		cmocka_unit_test(
			test_i18n__sets_of_one_language_write_days_alike),
		cmocka_unit_test(test_i18n__a_long_list_is_joined_in_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
