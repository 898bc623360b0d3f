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

#include <unicode/ucal.h>
#include <unicode/ustring.h>

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

/* ---- a zone's offsets between its transitions ---- */

/* ICU itself, set up as tz_open() sets its calendars up: the oracle. */
static UCalendar *oracle(const char *zone)
{
	UChar uzone[64];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	u_uastrcpy(uzone, zone);
	cal = ucal_open(uzone, -1, "", UCAL_GREGORIAN, &st);
	ucal_setGregorianChange(cal, -8.64e15, &st);
	assert_false(U_FAILURE(st));
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME,
			  UCAL_WALLTIME_NEXT_VALID);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	return cal;
}

static void assert_local_is_icus(UCalendar *cal, struct tz *z, int64_t ms)
{
	UErrorCode st = U_ZERO_ERROR;
	struct dg_err err = DG_ERR_INIT;
	struct tz_civil c;
	int off;

	assert_int_equal(tz_ms_to_local(z, ms, &c, &off, &err), 0);
	ucal_setMillis(cal, (UDate)ms, &st);
	assert_int_equal(c.year, ucal_get(cal, UCAL_EXTENDED_YEAR, &st));
	assert_int_equal(c.month, ucal_get(cal, UCAL_MONTH, &st) + 1);
	assert_int_equal(c.day, ucal_get(cal, UCAL_DATE, &st));
	assert_int_equal(c.hour, ucal_get(cal, UCAL_HOUR_OF_DAY, &st));
	assert_int_equal(c.minute, ucal_get(cal, UCAL_MINUTE, &st));
	assert_int_equal(c.second, ucal_get(cal, UCAL_SECOND, &st));
	assert_int_equal(c.ms, ucal_get(cal, UCAL_MILLISECOND, &st));
	assert_int_equal(off, (ucal_get(cal, UCAL_ZONE_OFFSET, &st) +
			       ucal_get(cal, UCAL_DST_OFFSET, &st)) /
				      TZ_MS_PER_MINUTE);
	assert_false(U_FAILURE(st));
}

static void assert_instant_is_icus(UCalendar *cal, struct tz *z,
				   const struct tz_civil *c)
{
	UErrorCode st = U_ZERO_ERROR;
	struct dg_err err = DG_ERR_INIT;
	int64_t ms;

	assert_int_equal(tz_local_to_ms(z, c, &ms, &err), 0);
	ucal_clear(cal);
	ucal_setDateTime(cal, c->year, c->month - 1, c->day, c->hour,
			 c->minute, c->second, &st);
	ucal_set(cal, UCAL_MILLISECOND, c->ms);
	assert_int_equal(ms, (int64_t)ucal_getMillis(cal, &st));
	assert_false(U_FAILURE(st));
}

/*
 * Zones with DST, with a skipped and a repeated midnight (Havana), a
 * skipped day (Apia, 2011-12-30), 30-minute DST (Lord Howe), offsets in
 * seconds (Amsterdam before 1937), and none at all (fixed offsets, and
 * EST, which tz.c cannot tell from a zone whose rules ICU could not
 * build, so asks ICU each time): over two years, in
 * order and out of order, each local time and each instant is ICU's.
 */
static void test_tz__local_times_and_instants_are_icus_own(void **state)
{
	static const struct {
		const char *zone, *from;
	} cases[] = {
		{ "America/New_York", "2026-01-01T00:00:00Z" },
		{ "Europe/Berlin", "2026-01-01T00:00:00Z" },
		{ "America/Havana", "2026-01-01T00:00:00Z" },
		{ "Asia/Kathmandu", "2026-01-01T00:00:00Z" },
		{ "Pacific/Apia", "2011-01-01T00:00:00Z" },
		{ "Australia/Lord_Howe", "2026-01-01T00:00:00Z" },
		{ "Africa/Casablanca", "2026-01-01T00:00:00Z" },
		{ "Europe/Amsterdam", "1936-01-01T00:00:00Z" },
		{ "Etc/UTC", "2026-01-01T00:00:00Z" },
		{ "Etc/GMT+5", "2026-01-01T00:00:00Z" },
		/* no transitions, not an Etc/ zone: ICU for each */
		{ "EST", "2026-01-01T00:00:00Z" },
	};
	const int64_t step = 47 * INT64_C(60000), n = 2 * 366 * 24 * 60 / 47;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		UCalendar *cal = oracle(cases[i].zone);
		struct tz *z = NULL;
		int64_t from;

		assert_int_equal(clock_parse_rfc3339(cases[i].from, "t", &from,
						     &err), 0);
		assert_int_equal(tz_open(cases[i].zone, &z, &err), 0);
		for (int64_t k = 0; k < n; k++) {
			int64_t jump = (k * 7919) % n;
			struct tz_civil c;

			assert_local_is_icus(cal, z, from + k * step);
			assert_local_is_icus(cal, z, from + jump * step + 1);
			tz_civil_from_days(from / TZ_MS_PER_DAY + k / 31, &c);
			c.hour = (int)(k % 24);
			c.minute = (int)(k * 15 % 60);
			c.second = (int)(k % 60);
			assert_instant_is_icus(cal, z, &c);
		}
		tz_close(z);
		ucal_close(cal);
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
		T(test_tz__local_times_and_instants_are_icus_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
