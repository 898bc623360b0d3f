/*
 * Unit tests of core/i18n_fmt: ICU's dates, times, ranges and plurals in
 * each locale, the run's cache of sets, and what a set remembers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n_fixture.h"
#include "i18n_fmt.h"
#include "memo.h"
#include "strbuf.h"

static void test_i18n_fmt__plural_categories_follow_each_language(void **state)
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

static void test_i18n_fmt__dates_and_times_use_the_locale_patterns(void **state)
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
static void test_i18n_fmt__cache_reuses_each_locale_and_zone_set(void **state)
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
static void test_i18n_fmt__remembered_times_are_icus_own_and_bounded(
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

/*
 * A set of a language already in the cache takes its day pattern (the
 * costly part of opening one): the days it writes are a fresh set's.
 */
static void test_i18n_fmt__sets_of_one_language_write_days_alike(void **state)
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

/*
 * The sets of a cache borrow one set of formatters per language, made in
 * UTC, and give them the zone's wall time: what they write is what a set
 * opened alone in the zone writes, every kind of answer, in zones east
 * and west, on half hours, across daylight saving changes (a range that
 * spans one too) and on the day's edges.
 */
static void test_i18n_fmt__cache_sets_write_what_zoned_sets_write(
	void **state)
{
	static const char *const locales[] = { "en-US", "de-DE", "fr-FR",
					       "ja-JP", "es-ES", "th-TH",
					       "ar-EG", "hi-IN" };
	static const char *const zones[] = {
		"America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata",
		"Australia/Adelaide", "Asia/Kathmandu", "UTC", "Etc/GMT+3",
		"No/Such_Zone", "America/St_Johns", "Pacific/Chatham" };
	/* 2026-03-08 and 2026-11-01 (US), 2026-03-29 and 2026-10-25 (EU) */
	static const int64_t days[] = {
		INT64_C(1772928000000), INT64_C(1793491200000),
		INT64_C(1774742400000), INT64_C(1792886400000),
		INT64_C(1795478400000) };
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	for (size_t l = 0; l < sizeof(locales) / sizeof(*locales); l++) {
		struct i18n_fmt_cache *c = i18n_fmt_cache_new();

		assert_non_null(c);
		for (size_t z = 0; z < sizeof(zones) / sizeof(*zones); z++) {
			struct i18n_fmt *f = NULL, *ref = NULL;

			assert_int_equal(i18n_fmt_cache_get(c, locales[l],
							    zones[z], &f,
							    &err), 0);
			assert_int_equal(i18n_fmt_open(locales[l], zones[z],
						       &ref, &err), 0);
			for (size_t d = 0; d < sizeof(days) / sizeof(*days);
			     d++)
				for (int h = -2; h < 30; h++) {
					int64_t ms = days[d] +
						     (int64_t)h * 3600000 +
						     (h & 1) * 30 * 60000;

					strbuf_reset(&got);
					strbuf_reset(&want);
					times_of(f, ms, &got);
					times_of(ref, ms, &want);
					assert_string_equal(got.buf, want.buf);
					assert_int_equal(
						i18n_date(f, I18N_DATE_FULL,
							  ms, &got, &err), 0);
					assert_int_equal(
						i18n_date(ref, I18N_DATE_FULL,
							  ms, &want, &err), 0);
					assert_int_equal(
						i18n_date(f, I18N_DATE_SHORT,
							  ms, &got, &err), 0);
					assert_int_equal(
						i18n_date(ref, I18N_DATE_SHORT,
							  ms, &want, &err), 0);
					assert_string_equal(got.buf, want.buf);
				}
			i18n_fmt_close(ref);
		}
		i18n_fmt_cache_free(c);
	}
	strbuf_release(&got);
	strbuf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_i18n_fmt__plural_categories_follow_each_language),
		cmocka_unit_test(
			test_i18n_fmt__dates_and_times_use_the_locale_patterns),
		cmocka_unit_test(
			test_i18n_fmt__cache_reuses_each_locale_and_zone_set),
		cmocka_unit_test(
			test_i18n_fmt__remembered_times_are_icus_own_and_bounded),
		cmocka_unit_test(
			test_i18n_fmt__sets_of_one_language_write_days_alike),
		cmocka_unit_test(
			test_i18n_fmt__cache_sets_write_what_zoned_sets_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
