/*
 * tz: the one date parser, times of day, zone names from Graph, and local
 * days with their DST lengths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "err.h"
#include "tz.h"

static void test_tz__scan_date_reads_a_date_and_leaves_the_rest(void **state)
{
	const char *s = "2026-11-24T09:00";
	struct tz_civil c;

	assert_true(tz_scan_date(&s, &c));
	assert_int_equal(c.year, 2026);
	assert_int_equal(c.month, 11);
	assert_int_equal(c.day, 24);
	assert_string_equal(s, "T09:00");
}

static void test_tz__scan_date_refuses_what_no_calendar_has(void **state)
{
	static const char *const bad[] = {
		"2026-02-29", "2026-13-01", "2026-04-31",
		"0000-01-01", "2026-1-01",  "26-11-24",
		"2026/11/24", "2026-11-2x", "",
	};
	struct tz_civil c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		const char *s = bad[i];

		assert_false(tz_scan_date(&s, &c));
		assert_ptr_equal(s, bad[i]);
	}
}

static void test_tz__parse_date_takes_leap_days_and_nothing_after(void **state)
{
	struct tz_civil c;

	assert_true(tz_parse_date("2028-02-29", &c));
	assert_true(tz_parse_date("2000-02-29", &c));
	assert_false(tz_parse_date("1900-02-29", &c));
	assert_false(tz_parse_date("2026-11-24 ", &c));
	assert_false(tz_parse_date(NULL, &c));
}

static void test_tz__the_rfc3339_reader_shares_the_date_parser(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	int64_t ms;

	assert_int_equal(
		clock_parse_rfc3339("2028-02-29T00:00:00Z", "t", &ms, &err), 0);
	assert_int_equal(
		clock_parse_rfc3339("2026-02-29T00:00:00Z", "t", &ms, &err),
		DG_EINVAL);
}

static void test_tz__time_of_day_is_hh_mm_within_a_day(void **state)
{
	int m = -1;

	assert_true(tz_parse_time_of_day("07:30", &m));
	assert_int_equal(m, 450);
	assert_true(tz_parse_time_of_day("23:59", &m));
	assert_int_equal(m, 1439);
	assert_false(tz_parse_time_of_day("24:00", &m));
	assert_false(tz_parse_time_of_day("07:60", &m));
	assert_false(tz_parse_time_of_day("7:30", &m));
	assert_false(tz_parse_time_of_day("07:30:00", &m));
	assert_false(tz_parse_time_of_day(NULL, &m));
}

static void test_tz__windows_names_resolve_to_todays_iana_ids(void **state)
{
	char *iana = NULL;

	assert_int_equal(tz_resolve("India Standard Time", &iana), 0);
	assert_string_equal(iana, "Asia/Kolkata");
	free(iana);
	assert_int_equal(tz_resolve("Europe/Berlin", &iana), 0);
	assert_string_equal(iana, "Europe/Berlin");
	free(iana);
	assert_int_equal(tz_resolve("Mars/Olympus_Mons", &iana), DG_ENOTFOUND);
	assert_null(iana);
}

static void test_tz__a_local_day_is_23_hours_when_dst_begins(void **state)
{
	struct tz_civil day = {.year = 2026, .month = 3, .day = 8};
	struct tz_civil next = {.year = 2026, .month = 3, .day = 9};
	struct dg_err err = DG_ERR_INIT;
	struct tz *z = NULL;
	int64_t a, b;

	assert_int_equal(tz_open("America/New_York", &z, &err), 0);
	assert_int_equal(tz_local_to_ms(z, &day, &a, &err), 0);
	assert_int_equal(tz_local_to_ms(z, &next, &b, &err), 0);
	assert_int_equal(b - a, 23 * 3600000LL);
	tz_close(z);
}

static void test_tz__local_minutes_follow_the_zone(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	int64_t ms;
	int m = -1;

	/* 10:00 UTC is 05:00 in New York in November (UTC-5). */
	assert_int_equal(
		clock_parse_rfc3339("2026-11-23T10:00:00Z", "t", &ms, &err), 0);
	assert_int_equal(tz_local_minutes("America/New_York", ms, &m, &err), 0);
	assert_int_equal(m, 300);
}

/*
 * A label remembers instants: asked for three times as many as it keeps,
 * twice, each answer is that of a label asked once (ICU's), and what it
 * keeps stays within its slots.
 */
static void test_tz__labels_remember_icus_answers_within_bounds(
	void **state)
{
	static const char *const locales[] = { "en-US", "de-DE", "fr-FR",
					       "es-ES", "ja-JP" };
	const int64_t day = INT64_C(1795478400000); /* 2026-11-24 UTC */
	enum { N = 3 * TZ_LABEL_SLOTS };
	static char *icu[N];
	struct dg_err err = DG_ERR_INIT;
	struct memo_stats st;

	(void)state;
	for (size_t l = 0; l < sizeof(locales) / sizeof(*locales); l++) {
		struct tz_label *label = NULL, *ref = NULL;
		char *got = NULL;

		assert_int_equal(tz_label_open("Asia/Kolkata", locales[l],
					       TZ_LABEL_TIME, &label, &err), 0);
		for (int i = 0; i < N; i++) {
			assert_int_equal(tz_label_open("Asia/Kolkata",
						       locales[l],
						       TZ_LABEL_TIME, &ref,
						       &err), 0);
			assert_int_equal(tz_label(ref, day + i * 600000,
						  &icu[i], &err), 0);
			tz_label_close(ref);
		}
		for (int pass = 0; pass < 2; pass++)
			for (int i = 0; i < N; i++) {
				assert_int_equal(tz_label(label,
							  day + i * 600000,
							  &got, &err), 0);
				assert_string_equal(got, icu[i]);
				free(got);
			}
		/* the same instant twice in a row is surely remembered */
		assert_int_equal(tz_label(label, day, &got, &err), 0);
		free(got);
		assert_int_equal(tz_label(label, day, &got, &err), 0);
		assert_string_equal(got, icu[0]);
		free(got);
		tz_label_stats(label, &st);
		assert_true(st.hits > 0);
		assert_true(st.entries <= TZ_LABEL_SLOTS);
		for (int i = 0; i < N; i++)
			free(icu[i]);
		tz_label_close(label);
	}
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tz__scan_date_reads_a_date_and_leaves_the_rest),
		T(test_tz__scan_date_refuses_what_no_calendar_has),
		T(test_tz__parse_date_takes_leap_days_and_nothing_after),
		T(test_tz__the_rfc3339_reader_shares_the_date_parser),
		T(test_tz__time_of_day_is_hh_mm_within_a_day),
		T(test_tz__windows_names_resolve_to_todays_iana_ids),
		T(test_tz__a_local_day_is_23_hours_when_dst_begins),
		T(test_tz__local_minutes_follow_the_zone),
		T(test_tz__labels_remember_icus_answers_within_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
