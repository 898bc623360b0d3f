/*
 * Unit tests of core/i18n: choosing the reader's locale, the chain of
 * template folders and its per-file fallback, digest check's report of
 * missing translations (ICU's formats: test_i18n_fmt.c, test_i18n_list.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "logging.h"
#include "scratch.h"
#include "strbuf.h"

/* ---- a templates folder of our own ---- */

static struct scratch tpl = SCRATCH_INIT;

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

static int setup(void **state)
{
	(void)state;
	if (scratch_make(&tpl))
		return -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		scratch_write(&tpl, files[i].path, files[i].text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(&tpl);
}

static struct i18n_templates *open_set(const char *locale)
{
	struct i18n_templates *t = NULL;
	struct dg_err err = DG_ERR_INIT;

	if (i18n_templates_open(tpl.dir.buf, locale, &t, &err))
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
	assert_int_equal(strbuf_addf(&want, "%s/de/tips/disc/S.mustache",
				     tpl.dir.buf),
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
	assert_int_equal(i18n_check(tpl.dir.buf, &report, &problems, &err),
			 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_i18n__preview_locale_beats_preference_mailbox_config),
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
