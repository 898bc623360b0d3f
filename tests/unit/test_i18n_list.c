/*
 * Unit tests of core/i18n_list: names joined as each language joins a
 * list, by ICU's words or by ICU itself, and the lists remembered.
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

#include "i18n_fixture.h"
#include "i18n_fmt.h"
#include "i18n_int.h"
#include "i18n_list.h"
#include "memo.h"
#include "strbuf.h"

static void test_i18n_list__names_are_joined_as_the_language_joins_them(
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

static void test_i18n_list__a_list_of_one_is_that_name_without_icu(void **state)
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

/* A list is the same in every zone: the sets of a cache share them. */
static void test_i18n_list__lists_are_remembered_across_zones_by_language(
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

static void test_i18n_list__lists_joined_by_words_are_icus_in_every_language(
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

static void test_i18n_list__lists_by_words_ask_no_memo_and_spanish_ones_do(
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
static void test_i18n_list__remembered_lists_are_icus_own_and_bounded(
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
 * Names are checked eight bytes at a time, the last eight again: a
 * non-ASCII letter, a thin space or a byte that is not UTF-8 is found
 * wherever it is in a name of any length, and the list is ICU's (thin
 * spaces plain, a name that is not UTF-8 empty).
 */
static void test_i18n_list__odd_bytes_are_found_anywhere_in_a_name(
	void **state)
{
	static const char *const odd[] = { "\u00eb", "\u2009", "\u202F",
					   "\xff" };
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct i18n_fmt *f = fmt("en-US");
	char name[40];

	(void)state;
	for (size_t o = 0; o < sizeof(odd) / sizeof(*odd); o++)
		for (size_t len = 1; len <= 20; len++)
			for (size_t at = 0; at < len; at++) {
				const char *names[] = { "Ana", name, "Ben" };
				const char *empty[] = { "Ana", "", "Ben" };
				bool bad = odd[o][0] == '\xff';

				memset(name, 'x', sizeof(name));
				memcpy(name + at, odd[o], strlen(odd[o]));
				name[len + strlen(odd[o]) - 1] = '\0';
				for (size_t n = 2; n <= 3; n++) {
					strbuf_reset(&got);
					strbuf_reset(&want);
					assert_int_equal(i18n_list(f, names, n,
								   &got, &err),
							 0);
					icu_list("en_US", bad ? empty : names,
						 n, &want);
					assert_string_equal(got.buf, want.buf);
				}
			}
	i18n_fmt_close(f);
	strbuf_release(&got);
	strbuf_release(&want);
}

/*
 * The words of a list depend on the language only: the sets of a cache
 * find them once, in the base they borrow, and not per zone.
 */
static void test_i18n_list__the_zones_of_a_language_share_its_words(
	void **state)
{
	const char *names[] = { "Ana", "Ben", "Carl" };
	struct i18n_fmt_cache *c = i18n_fmt_cache_new();
	struct i18n_fmt *berlin = NULL, *tokyo = NULL;
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(i18n_fmt_cache_get(c, "en-US", "Europe/Berlin",
					    &berlin, &err), 0);
	assert_int_equal(i18n_fmt_cache_get(c, "en-US", "Asia/Tokyo", &tokyo,
					    &err), 0);
	assert_non_null(berlin->base);
	assert_ptr_equal(berlin->base, tokyo->base);
	assert_int_equal(i18n_list(berlin, names, 3, &out, &err), 0);
	assert_string_equal(out.buf, "Ana, Ben, and Carl");
	/* found in the base, which the other zone then uses as it is */
	assert_non_null(berlin->base->words[0]);
	assert_null(berlin->words[0]);
	strbuf_reset(&out);
	assert_int_equal(i18n_list(tokyo, names, 2, &out, &err), 0);
	assert_string_equal(out.buf, "Ana and Ben");
	assert_null(tokyo->words[0]);
	strbuf_release(&out);
	i18n_fmt_cache_free(c);
}

/* A room of forty is joined as a room of three is: in full, in order. */
static void test_i18n_list__a_long_list_is_joined_in_full(void **state)
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
			test_i18n_list__names_are_joined_as_the_language_joins_them),
		cmocka_unit_test(
			test_i18n_list__a_list_of_one_is_that_name_without_icu),
		cmocka_unit_test(
			test_i18n_list__lists_are_remembered_across_zones_by_language),
		cmocka_unit_test(
			test_i18n_list__lists_joined_by_words_are_icus_in_every_language),
		cmocka_unit_test(
			test_i18n_list__lists_by_words_ask_no_memo_and_spanish_ones_do),
		cmocka_unit_test(
			test_i18n_list__remembered_lists_are_icus_own_and_bounded),
		cmocka_unit_test(test_i18n_list__a_long_list_is_joined_in_full),
		cmocka_unit_test(
			test_i18n_list__the_zones_of_a_language_share_its_words),
		cmocka_unit_test(
			test_i18n_list__odd_bytes_are_found_anywhere_in_a_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
