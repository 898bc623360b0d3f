/*
 * plan: the target day in the user's zone, its window, the skip reasons,
 * and a run's cache that changes no plan. Which events are that day's
 * meetings, with their labels: test_plan_day.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "err.h"
#include "logging.h"
#include "plan.h"
#include "plan_fixture.h"

#define HOUR_MS INT64_C(3600000)

/* The IANA zone a mailbox zone name resolves to. */
static void assert_zone(const char *mailbox_zone, const char *iana)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in(mailbox_zone, NULL, "2026-11-24", &t);
	assert_string_equal(t.zone, iana);
	plan_target_release(&t);
}

static void assert_day_hours(const struct plan_target *t, int hours)
{
	assert_true(t->end_ms - t->start_ms == hours * HOUR_MS);
}

/* Zones */

static void test_plan__pacific_standard_time_is_los_angeles(void **state)
{
	assert_zone("Pacific Standard Time", "America/Los_Angeles");
}

static void test_plan__w_europe_standard_time_is_berlin(void **state)
{
	assert_zone("W. Europe Standard Time", "Europe/Berlin");
}

static void test_plan__nepal_standard_time_is_kathmandu(void **state)
{
	/* ICU 72 says Asia/Katmandu; IANA renamed it long ago. */
	assert_zone("Nepal Standard Time", "Asia/Kathmandu");
}

static void test_plan__india_standard_time_is_kolkata_at_plus_0530(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "Standup", "2026-11-24T04:00:00.0000000",
		  "2026-11-24T04:30:00.0000000", "UTC");
	day_in("India Standard Time", "en-IN", &events, &t, &d);
	assert_string_equal(t.zone, "Asia/Kolkata");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].start, "2026-11-24T09:30:00+05:30");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan__line_islands_standard_time_is_kiritimati(void **state)
{
	assert_zone("Line Islands Standard Time", "Pacific/Kiritimati");
}

static void test_plan__aus_eastern_standard_time_is_sydney(void **state)
{
	assert_zone("AUS Eastern Standard Time", "Australia/Sydney");
}

static void test_plan__iana_zone_is_kept_as_given(void **state)
{
	assert_zone("Asia/Kathmandu", "Asia/Kathmandu");
	assert_zone("Europe/Kyiv", "Europe/Kyiv");
	assert_zone("America/New_York", "America/New_York");
}

static void test_plan__utc_mailbox_day_is_the_utc_day(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("UTC", "2026-11-23T23:59:59Z", NULL, &t);
	assert_string_equal(t.date, "2026-11-24");
	assert_true(t.start_ms == utc("2026-11-24T00:00:00Z"));
	assert_day_hours(&t, 24);
	plan_target_release(&t);
}

/* The target of zone's mailbox, and the one warning it gave. */
static void target_warned(struct cal_mailbox *mb, const char *default_zone,
			  struct plan_target *t, struct captured *log)
{
	struct plan_opts o = {
		.now_ms = utc("2026-11-23T12:00:00Z"),
		.default_zone = default_zone,
	};
	struct dg_err err = DG_ERR_INIT;

	memset(log, 0, sizeof(*log));
	logging_set_routine(capture, log);
	assert_int_equal(plan_target(mb, "zoe@contoso.com", &o, t, &err), 0);
	logging_set_routine(NULL, NULL);
}

static void test_plan__unknown_zone_falls_back_to_utc_with_a_warning(
	void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	mailbox(&mb, "Mars Standard Time");
	target_warned(&mb, NULL, &t, &log);
	assert_string_equal(t.zone, "Etc/UTC");
	assert_string_equal(t.date, "2026-11-24");
	assert_int_equal(log.warnings, 1);
	assert_string_equal(log.last, "user zoe@contoso.com: unknown time "
				      "zone 'Mars Standard Time' in the "
				      "mailbox settings; using UTC");
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__custom_and_lowercase_zones_are_never_a_failure(
	void **state)
{
	static const char *const names[] = {
		"tzone://Microsoft/Custom", "Customized Time Zone",
		"pacific standard time",    "GMT+05:00",
		"Europe/Atlantis",
	};
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		mailbox(&mb, names[i]);
		target_warned(&mb, NULL, &t, &log);
		assert_string_equal(t.zone, "Etc/UTC");
		assert_int_equal(log.warnings, 1);
		assert_non_null(strstr(log.last, names[i]));
		plan_target_release(&t);
		cal_mailbox_release(&mb);
	}
}

static void test_plan__custom_zone_falls_back_to_the_working_hours_zone(
	void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	mailbox(&mb, "Customized Time Zone");
	mb.working_zone = dup("Pacific Standard Time");
	target_warned(&mb, "Europe/Berlin", &t, &log);
	assert_string_equal(t.zone, "America/Los_Angeles");
	assert_string_equal(log.last, "user zoe@contoso.com: unknown time "
				      "zone 'Customized Time Zone' in the "
				      "mailbox settings; using Pacific "
				      "Standard Time (the working-hours zone)");
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__then_the_configured_zone_is_used(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	mailbox(&mb, "Customized Time Zone");
	mb.working_zone = dup("Customized Time Zone");
	target_warned(&mb, "Europe/Berlin", &t, &log);
	assert_string_equal(t.zone, "Europe/Berlin");
	assert_true(t.start_ms == utc("2026-11-23T23:00:00Z"));
	assert_int_equal(log.warnings, 1);
	assert_non_null(strstr(log.last, "using Europe/Berlin ([digest] "
					 "timezone)"));
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__iana_mailbox_zone_needs_no_fallback(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	mailbox(&mb, "Asia/Kathmandu");
	target_warned(&mb, "Europe/Berlin", &t, &log);
	assert_string_equal(t.zone, "Asia/Kathmandu");
	assert_int_equal(log.warnings, 0);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__zone_in_warning_is_made_printable(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	mailbox(&mb, "Evil\033[2J Zone");
	target_warned(&mb, NULL, &t, &log);
	assert_non_null(strstr(log.last, "'Evil?[2J Zone'"));
	assert_null(strchr(log.last, '\033'));
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__missing_zone_means_utc_with_a_warning(void **state)
{
	struct captured log = {0};
	struct plan_target t = PLAN_TARGET_INIT;

	logging_set_routine(capture, &log);
	target_in(NULL, "2026-11-23T12:00:00Z", NULL, &t);
	logging_set_routine(NULL, NULL);
	assert_string_equal(t.zone, "Etc/UTC");
	assert_true(t.start_ms == utc("2026-11-24T00:00:00Z"));
	assert_int_equal(log.warnings, 1);
	assert_string_equal(log.last, "user zoe@contoso.com: the mailbox "
				      "settings name no time zone; using UTC");
	plan_target_release(&t);
}

static void test_plan__no_mailbox_means_utc_and_default_locale(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(plan_call(NULL,
				     utc("2026-11-23T12:00:00Z"), NULL, "fr-FR",
				     false, &t, &err),
			 0);
	assert_string_equal(t.zone, "Etc/UTC");
	assert_string_equal(t.locale, "fr-FR");
	assert_null(t.skip_reason);
	plan_target_release(&t);
}

/* Locale */

static void test_plan__mailbox_locale_wins_over_the_default(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	mb.locale = dup("de-DE");
	target_ok(&mb, NULL, "2026-11-24", &t);
	assert_string_equal(t.locale, "de-DE");
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__without_any_locale_en_us_is_used(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	assert_int_equal(plan_call(&mb, 0, "2026-11-24",
				     NULL, false, &t, &err),
			 0);
	assert_string_equal(t.locale, "en-US");
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

/* The target day and its window */

static void test_plan__tomorrow_in_los_angeles_and_its_window(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* 12:00 PST on Monday 2026-11-23. */
	target_in("Pacific Standard Time", "2026-11-23T20:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-11-24");
	assert_int_equal(t.weekday, 2);
	assert_true(t.start_ms == utc("2026-11-24T08:00:00Z"));
	assert_true(t.end_ms == utc("2026-11-25T08:00:00Z"));
	assert_string_equal(t.fetch_start, "2026-11-23T08:00:00Z");
	assert_string_equal(t.fetch_end, "2026-11-26T08:00:00Z");
	assert_null(t.skip_reason);
	plan_target_release(&t);
}

static void test_plan__berlin_spring_forward_day_has_23_hours(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("W. Europe Standard Time", "2026-03-28T12:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-03-29");
	assert_true(t.start_ms == utc("2026-03-28T23:00:00Z"));
	assert_true(t.end_ms == utc("2026-03-29T22:00:00Z"));
	assert_day_hours(&t, 23);
	/* The window is widened by local days, not by 24 hours. */
	assert_string_equal(t.fetch_start, "2026-03-27T23:00:00Z");
	assert_string_equal(t.fetch_end, "2026-03-30T22:00:00Z");
	plan_target_release(&t);
}

static void test_plan__berlin_fall_back_day_has_25_hours(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("W. Europe Standard Time", "2026-10-24T12:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-10-25");
	assert_true(t.start_ms == utc("2026-10-24T22:00:00Z"));
	assert_true(t.end_ms == utc("2026-10-25T23:00:00Z"));
	assert_day_hours(&t, 25);
	plan_target_release(&t);
}

static void test_plan__los_angeles_spring_forward_day_has_23_hours(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("Pacific Standard Time", "2026-03-07T20:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-03-08");
	assert_true(t.start_ms == utc("2026-03-08T08:00:00Z"));
	assert_true(t.end_ms == utc("2026-03-09T07:00:00Z"));
	assert_day_hours(&t, 23);
	plan_target_release(&t);
}

static void test_plan__new_york_fall_back_day_has_25_hours(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("Eastern Standard Time", "2026-10-31T16:00:00Z", NULL, &t);
	assert_string_equal(t.zone, "America/New_York");
	assert_string_equal(t.date, "2026-11-01");
	assert_true(t.start_ms == utc("2026-11-01T04:00:00Z"));
	assert_true(t.end_ms == utc("2026-11-02T05:00:00Z"));
	assert_day_hours(&t, 25);
	plan_target_release(&t);
}

static void test_plan__havana_day_whose_midnight_is_skipped(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* Cuba springs from 00:00 to 01:00: the day starts at 01:00 CDT. */
	target_in("America/Havana", NULL, "2026-03-08", &t);
	assert_true(t.start_ms == utc("2026-03-08T05:00:00Z"));
	assert_day_hours(&t, 23);
	plan_target_release(&t);
}

static void test_plan__havana_day_whose_midnight_repeats(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* Cuba falls from 01:00 back to 00:00: the first midnight counts. */
	target_in("America/Havana", NULL, "2026-11-01", &t);
	assert_true(t.start_ms == utc("2026-11-01T04:00:00Z"));
	assert_day_hours(&t, 25);
	plan_target_release(&t);
}

static void test_plan__nepal_day_starts_at_1815_utc(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* 15:45 in Kathmandu. */
	target_in("Nepal Standard Time", "2026-11-23T10:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-11-24");
	assert_true(t.start_ms == utc("2026-11-23T18:15:00Z"));
	assert_string_equal(t.fetch_start, "2026-11-22T18:15:00Z");
	assert_day_hours(&t, 24);
	plan_target_release(&t);
}

static void test_plan__nepal_meeting_times_carry_plus_0545(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "Review", "2026-11-24T03:15:00.0000000",
		  "2026-11-24T04:15:00.0000000", "UTC");
	day_in("Nepal Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].start, "2026-11-24T09:00:00+05:45");
	assert_string_equal(d.meetings[0].end, "2026-11-24T10:00:00+05:45");
	assert_string_equal(d.meetings[0].start_label, "9:00 AM");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan__kiritimati_is_a_day_ahead_of_utc(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* Already 2026-11-24 00:00 at +14:00, so tomorrow is the 25th. */
	target_in("Line Islands Standard Time", "2026-11-23T10:00:00Z", NULL,
		  &t);
	assert_string_equal(t.date, "2026-11-25");
	assert_true(t.start_ms == utc("2026-11-24T10:00:00Z"));
	assert_string_equal(t.fetch_start, "2026-11-23T10:00:00Z");
	assert_string_equal(t.fetch_end, "2026-11-26T10:00:00Z");
	plan_target_release(&t);
}

static void test_plan__kiritimati_meeting_times_carry_plus_1400(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* 09:00 local on the 24th is 19:00 UTC on the 23rd. */
	add_event(&events, "e1", "Review", "2026-11-23T19:00:00.0000000",
		  "2026-11-23T20:00:00.0000000", "UTC");
	day_in("Line Islands Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].start, "2026-11-24T09:00:00+14:00");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan__one_ms_before_local_midnight_is_still_today(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* 23:59:59.999 in Berlin on the 23rd. */
	target_in("W. Europe Standard Time", "2026-11-23T22:59:59.999Z", NULL,
		  &t);
	assert_string_equal(t.date, "2026-11-24");
	plan_target_release(&t);
}

static void test_plan__at_local_midnight_tomorrow_moves_on(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* 00:00 in Berlin on the 24th, still the 23rd in UTC. */
	target_in("W. Europe Standard Time", "2026-11-23T23:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-11-25");
	plan_target_release(&t);
}

static void test_plan__tomorrow_crosses_month_and_year_ends(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("UTC", "2026-12-31T12:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2027-01-01");
	assert_int_equal(t.weekday, 5);
	plan_target_release(&t);
	target_in("UTC", "2028-02-28T12:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2028-02-29");
	plan_target_release(&t);
}

static void test_plan__given_date_replaces_tomorrow(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("Pacific Standard Time", "2026-11-23T20:00:00Z", "2026-12-25",
		  &t);
	assert_string_equal(t.date, "2026-12-25");
	assert_int_equal(t.weekday, 5);
	assert_true(t.start_ms == utc("2026-12-25T08:00:00Z"));
	plan_target_release(&t);
}

static void test_plan__bad_date_is_refused_naming_it(void **state)
{
	static const char *const bad[] = {
		"2026-02-29", "2026-13-01",  "2026-11-31", "2026-00-10",
		"26-11-24",   "2026-11-24x", "2026/11/24", "",
		"1969-12-31", "2026-11-2",
	};
	struct plan_target t = PLAN_TARGET_INIT;
	struct dg_err err = DG_ERR_INIT;
	char want[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(plan_call(NULL, 0, bad[i],
					     NULL, false, &t, &err),
				 DG_EINVAL);
		snprintf(want, sizeof(want),
			 "date '%s' is not a calendar date YYYY-MM-DD "
			 "between 1970 and 9999",
			 bad[i]);
		assert_string_equal(err.msg, want);
		assert_null(t.zone);
	}
}

static void test_plan__leap_day_is_a_real_date(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("UTC", NULL, "2028-02-29", &t);
	assert_string_equal(t.date, "2028-02-29");
	assert_int_equal(t.weekday, 2);
	plan_target_release(&t);
}

/* Skip reasons */

static void test_plan__opted_out_user_is_skipped_first(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	mb.autoreply = CAL_AUTOREPLY_ALWAYS;
	assert_int_equal(plan_call(&mb, 0, "2026-11-24",
				     NULL, true, &t, &err),
			 0);
	assert_string_equal(t.skip_reason, PLAN_SKIP_OPTED_OUT);
	assert_string_equal(t.date, "2026-11-24");
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__opted_out_user_with_bad_zone_is_skipped(void **state)
{
	struct captured log = {0};
	struct plan_target t = PLAN_TARGET_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	logging_set_routine(capture, &log);
	mailbox(&mb, "tzone://Microsoft/Custom");
	assert_int_equal(plan_call(&mb,
				     utc("2026-11-23T12:00:00Z"), NULL, NULL,
				     true, &t, &err),
			 0);
	assert_string_equal(t.skip_reason, PLAN_SKIP_OPTED_OUT);
	assert_string_equal(t.zone, "Etc/UTC");
	assert_string_equal(t.date, "2026-11-24");
	plan_target_release(&t);
	assert_int_equal(plan_call(NULL, 0, NULL, NULL,
				     true, &t, &err),
			 0);
	assert_string_equal(t.skip_reason, PLAN_SKIP_OPTED_OUT);
	logging_set_routine(NULL, NULL);
	assert_int_equal(log.warnings, 0);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__autoreplies_always_on_is_out_of_office(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "Pacific Standard Time");
	mb.autoreply = CAL_AUTOREPLY_ALWAYS;
	target_ok(&mb, NULL, "2026-11-24", &t);
	assert_string_equal(t.skip_reason, PLAN_SKIP_OUT_OF_OFFICE);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void schedule(struct cal_mailbox *mb, const char *start, const char *end,
		     const char *zone)
{
	mb->autoreply = CAL_AUTOREPLY_SCHEDULED;
	mb->autoreply_start.date_time = dup(start);
	mb->autoreply_start.time_zone = dup(zone);
	mb->autoreply_end.date_time = dup(end);
	mb->autoreply_end.time_zone = dup(zone);
}

static const char *scheduled_reason(const char *start, const char *end,
				    const char *zone)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;
	const char *reason;

	mailbox(&mb, "Pacific Standard Time");
	schedule(&mb, start, end, zone);
	target_ok(&mb, NULL, "2026-11-24", &t);
	reason = t.skip_reason;
	plan_target_release(&t);
	cal_mailbox_release(&mb);
	return reason;
}

static void test_plan__schedule_covering_the_day_is_out_of_office(void **state)
{
	/* The local day is [2026-11-24T08:00Z, 2026-11-25T08:00Z). */
	assert_string_equal(scheduled_reason("2026-11-24T08:00:00.0000000",
					     "2026-11-25T08:00:00.0000000",
					     "UTC"),
			    PLAN_SKIP_OUT_OF_OFFICE);
	assert_string_equal(scheduled_reason("2026-11-20T17:00:00.0000000",
					     "2026-11-30T09:00:00.0000000",
					     "UTC"),
			    PLAN_SKIP_OUT_OF_OFFICE);
}

static void test_plan__schedule_in_a_windows_zone_is_converted(void **state)
{
	/* 09:00 Berlin on the 24th is 00:00 in Los Angeles: covered. */
	assert_string_equal(scheduled_reason("2026-11-24T09:00:00.0000000",
					     "2026-11-25T09:00:00.0000000",
					     "W. Europe Standard Time"),
			    PLAN_SKIP_OUT_OF_OFFICE);
	/* 09:01 Berlin misses the first minute of the day. */
	assert_null(scheduled_reason("2026-11-24T09:01:00.0000000",
				     "2026-11-25T09:00:00.0000000",
				     "W. Europe Standard Time"));
}

static void test_plan__schedule_ending_at_noon_does_not_skip(void **state)
{
	assert_null(scheduled_reason("2026-11-20T00:00:00.0000000",
				     "2026-11-24T20:00:00.0000000", "UTC"));
}

static void test_plan__schedule_starting_at_noon_does_not_skip(void **state)
{
	assert_null(scheduled_reason("2026-11-24T20:00:00.0000000",
				     "2026-12-01T00:00:00.0000000", "UTC"));
}

static void test_plan__schedule_one_ms_short_does_not_skip(void **state)
{
	assert_null(scheduled_reason("2026-11-24T08:00:00.0000000",
				     "2026-11-25T07:59:59.9990000", "UTC"));
}

static void test_plan__disabled_autoreplies_ignore_the_schedule(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	schedule(&mb, "2026-11-01T00:00:00.0000000",
		 "2026-12-01T00:00:00.0000000", "UTC");
	mb.autoreply = CAL_AUTOREPLY_DISABLED;
	target_ok(&mb, NULL, "2026-11-24", &t);
	assert_null(t.skip_reason);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__bad_schedule_error_names_user_and_field(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	schedule(&mb, "2026-11-20T00:00:00.0000000", "next tuesday", "UTC");
	assert_int_equal(plan_call(&mb, 0, "2026-11-24",
				     NULL, false, &t, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg,
			    "user zoe@contoso.com: automaticRepliesSetting."
			    "scheduledEndDateTime.dateTime 'next tuesday' is "
			    "not a date-time like 2026-11-24T09:00:00.0000000");
	assert_null(t.zone);
	cal_mailbox_release(&mb);
}

static void test_plan__schedule_in_unknown_zone_is_read_in_the_users_zone(
	void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct captured log;
	struct cal_mailbox mb;

	mailbox(&mb, "Pacific Standard Time");
	schedule(&mb, "2026-11-24T00:00:00.0000000",
		 "2026-11-25T00:00:00.0000000", "Customized Time Zone");
	target_warned(&mb, NULL, &t, &log);
	assert_string_equal(t.skip_reason, PLAN_SKIP_OUT_OF_OFFICE);
	assert_int_equal(log.warnings, 1);
	assert_string_equal(log.last,
			    "user zoe@contoso.com: automaticRepliesSetting."
			    "scheduledStartDateTime.timeZone: unknown time "
			    "zone 'Customized Time Zone'; read as "
			    "America/Los_Angeles");
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void weekdays(struct cal_mailbox *mb, unsigned days)
{
	mb->has_working_days = true;
	mb->working_days = days;
}

#define MON_TO_FRI                                                             \
	(CAL_MONDAY | CAL_TUESDAY | CAL_WEDNESDAY | CAL_THURSDAY | CAL_FRIDAY)

static void test_plan__saturday_is_not_a_working_day(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "W. Europe Standard Time");
	weekdays(&mb, MON_TO_FRI);
	target_ok(&mb, NULL, "2026-11-28", &t);
	assert_int_equal(t.weekday, 6);
	assert_string_equal(t.skip_reason, PLAN_SKIP_NOT_WORKING_DAY);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__weekday_in_working_days_is_not_skipped(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "W. Europe Standard Time");
	weekdays(&mb, MON_TO_FRI);
	target_ok(&mb, NULL, "2026-11-27", &t);
	assert_int_equal(t.weekday, 5);
	assert_null(t.skip_reason);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__sunday_working_day_uses_the_local_weekday(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	/*
	 * Sunday the 29th in Kiritimati is still Saturday in UTC: today is
	 * the working day, and the next one is a week later.
	 */
	mailbox(&mb, "Line Islands Standard Time");
	weekdays(&mb, CAL_SUNDAY);
	target_ok(&mb, "2026-11-28T11:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-12-06");
	assert_int_equal(t.weekday, 0);
	assert_null(t.skip_reason);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__empty_working_days_skip_nothing(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	weekdays(&mb, 0);
	target_ok(&mb, NULL, "2026-11-28", &t);
	assert_null(t.skip_reason);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__out_of_office_comes_before_working_days(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	weekdays(&mb, MON_TO_FRI);
	mb.autoreply = CAL_AUTOREPLY_ALWAYS;
	target_ok(&mb, NULL, "2026-11-28", &t);
	assert_string_equal(t.skip_reason, PLAN_SKIP_OUT_OF_OFFICE);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

/* Which day a run covers */

/* The target of a Monday-to-Friday reader in Berlin at now. */
static void target_mon_fri(const char *now, enum plan_covers covers,
			   struct plan_target *t)
{
	struct plan_opts o = {.now_ms = utc(now), .covers = covers};
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "W. Europe Standard Time");
	weekdays(&mb, MON_TO_FRI);
	assert_int_equal(plan_target(&mb, "zoe@contoso.com", &o, t, &err), 0);
	cal_mailbox_release(&mb);
}

static void test_plan__friday_run_covers_monday(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_mon_fri("2026-11-27T06:00:00Z", PLAN_COVERS_NEXT_WORKING_DAY,
		       &t);
	assert_string_equal(t.date, "2026-11-30");
	assert_int_equal(t.weekday, 1);
	assert_null(t.skip_reason);
	assert_true(t.start_ms == utc("2026-11-29T23:00:00Z"));
	plan_target_release(&t);
}

static void test_plan__monday_run_covers_tuesday(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_mon_fri("2026-11-23T06:00:00Z", PLAN_COVERS_NEXT_WORKING_DAY,
		       &t);
	assert_string_equal(t.date, "2026-11-24");
	assert_null(t.skip_reason);
	plan_target_release(&t);
}

static void test_plan__weekend_runs_send_nothing_to_a_weekday_reader(
	void **state)
{
	static const char *const runs[][2] = {
		{"2026-11-28T06:00:00Z", "2026-11-28"},
		{"2026-11-29T22:59:00Z", "2026-11-29"},
	};
	struct plan_target t = PLAN_TARGET_INIT;

	for (size_t i = 0; i < 2; i++) {
		target_mon_fri(runs[i][0], PLAN_COVERS_NEXT_WORKING_DAY, &t);
		assert_string_equal(t.skip_reason, PLAN_SKIP_NOT_WORKING_DAY);
		assert_string_equal(t.date, runs[i][1]);
		plan_target_release(&t);
	}
}

static void test_plan__sunday_night_in_berlin_is_already_monday(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	/* 23:00Z on Sunday is 00:00 Monday in Berlin: covers Tuesday. */
	target_mon_fri("2026-11-29T23:00:00Z", PLAN_COVERS_NEXT_WORKING_DAY,
		       &t);
	assert_string_equal(t.date, "2026-12-01");
	assert_null(t.skip_reason);
	plan_target_release(&t);
}

static void test_plan__covers_today_is_the_morning_of_digest(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_mon_fri("2026-11-27T06:00:00Z", PLAN_COVERS_TODAY, &t);
	assert_string_equal(t.date, "2026-11-27");
	assert_null(t.skip_reason);
	plan_target_release(&t);
	target_mon_fri("2026-11-28T06:00:00Z", PLAN_COVERS_TODAY, &t);
	assert_string_equal(t.date, "2026-11-28");
	assert_string_equal(t.skip_reason, PLAN_SKIP_NOT_WORKING_DAY);
	plan_target_release(&t);
}

static void test_plan__skipped_working_day_is_jumped_over(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	/* Mon, Wed, Thu, Fri: Monday's run covers Wednesday. */
	mailbox(&mb, "Eastern Standard Time");
	weekdays(&mb, CAL_MONDAY | CAL_WEDNESDAY | CAL_THURSDAY | CAL_FRIDAY);
	target_ok(&mb, "2026-11-23T15:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-11-25");
	assert_null(t.skip_reason);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__without_working_days_every_day_is_one(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("UTC", "2026-11-27T06:00:00Z", NULL, &t);
	assert_string_equal(t.date, "2026-11-28");
	assert_null(t.skip_reason);
	plan_target_release(&t);
}

/* Who reads a digest */

static const char *purpose_reason(enum cal_purpose purpose)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;
	const char *reason;

	mailbox(&mb, "UTC");
	mb.purpose = purpose;
	target_ok(&mb, NULL, "2026-11-24", &t);
	reason = t.skip_reason;
	plan_target_release(&t);
	cal_mailbox_release(&mb);
	return reason;
}

static void test_plan__rooms_equipment_and_shared_mailboxes_are_skipped(
	void **state)
{
	assert_string_equal(purpose_reason(CAL_PURPOSE_ROOM),
			    PLAN_SKIP_ROOM_MAILBOX);
	assert_string_equal(purpose_reason(CAL_PURPOSE_EQUIPMENT),
			    PLAN_SKIP_EQUIPMENT_MAILBOX);
	assert_string_equal(purpose_reason(CAL_PURPOSE_SHARED),
			    PLAN_SKIP_SHARED_MAILBOX);
}

static void test_plan__people_and_unknown_purposes_get_digests(void **state)
{
	assert_null(purpose_reason(CAL_PURPOSE_USER));
	assert_null(purpose_reason(CAL_PURPOSE_LINKED));
	assert_null(purpose_reason(CAL_PURPOSE_OTHERS));
	assert_null(purpose_reason(CAL_PURPOSE_UNKNOWN));
}

static void test_plan__room_with_autoreplies_is_skipped_as_a_room(
	void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	mb.purpose = CAL_PURPOSE_ROOM;
	mb.autoreply = CAL_AUTOREPLY_ALWAYS;
	target_ok(&mb, NULL, "2026-11-24", &t);
	assert_string_equal(t.skip_reason, PLAN_SKIP_ROOM_MAILBOX);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

/* Working hours */

static void test_plan__working_hours_are_read_in_their_own_zone(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "Pacific Standard Time");
	mb.has_working_hours = true;
	mb.work_start_min = 9 * 60 + 30;
	mb.work_end_min = 18 * 60;
	mb.working_zone = dup("Eastern Standard Time");
	target_ok(&mb, NULL, "2026-11-24", &t);
	assert_true(t.work_start_ms == utc("2026-11-24T14:30:00Z"));
	assert_true(t.work_end_ms == utc("2026-11-24T23:00:00Z"));
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan__without_working_hours_the_day_is_8_to_17(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;

	target_in("Pacific Standard Time", NULL, "2026-11-24", &t);
	assert_true(t.work_start_ms == utc("2026-11-24T16:00:00Z"));
	assert_true(t.work_end_ms == utc("2026-11-25T01:00:00Z"));
	plan_target_release(&t);
}

/* ---- the run's cache of zones and labels ---- */

static const char *const cache_zones[] = {
	"Pacific Standard Time", "W. Europe Standard Time",
	"India Standard Time",	 "Tokyo Standard Time",
	"AUS Eastern Standard Time", "Nepal Standard Time",
	"Line Islands Standard Time", "America/Havana",
	"Europe/London",	 "America/New_York",
	"Asia/Kathmandu",	 "Africa/Cairo",
	"America/Sao_Paulo",	 "Pacific/Auckland",
	"Asia/Singapore",	 "Europe/Kyiv",
	"America/Anchorage",	 "Pacific/Honolulu",
	"Asia/Dubai",		 "Etc/GMT+5",
};
static const char *const cache_locales[] = { "en-US", "de-DE", "fr-FR",
					      "es-ES", "ja-JP", "en-GB" };
#define NCACHE_USERS (sizeof(cache_zones) / sizeof(*cache_zones))

/* User i: a zone, a locale, hours in another zone, a schedule. */
static void cache_mailbox(struct cal_mailbox *mb, size_t i)
{
	mailbox(mb, cache_zones[i]);
	mb->locale = dup(cache_locales[i % 6]);
	mb->has_working_hours = true;
	mb->work_start_min = 9 * 60;
	mb->work_end_min = 17 * 60 + 30;
	mb->working_zone = dup(cache_zones[(i + 3) % NCACHE_USERS]);
}

static void cache_events(struct cal_event_list *l)
{
	add_event(l, "a", "Standup", "2026-11-24T09:00:00.0000000",
		  "2026-11-24T09:15:00.0000000", "Pacific Standard Time");
	add_event(l, "b", "Review", "2026-11-24T13:30:00.0000000",
		  "2026-11-24T14:45:00.0000000", "UTC");
	add_event(l, "c", "Late", "2026-11-24T22:00:00.0000000",
		  "2026-11-25T01:00:00.0000000", "Tokyo Standard Time");
	add_event(l, "d", "Odd", "2026-11-24T18:00:00.0000000",
		  "2026-11-24T19:00:00.0000000", "Customized Time Zone");
	add_all_day(l, "e", "2026-11-24", "2026-11-25");
}

static void plan_user(size_t i, struct plan_cache *pc,
		      const struct cal_event_list *events,
		      struct plan_target *t, struct plan_day *d)
{
	struct cal_mailbox mb;
	struct dg_err err = DG_ERR_INIT;
	struct plan_opts o = {
		.now_ms = utc("2026-11-23T10:00:00Z"),
		.covers = PLAN_COVERS_NEXT_WORKING_DAY,
		.cache = pc,
	};

	cache_mailbox(&mb, i);
	assert_int_equal(plan_target(&mb, "zoe@contoso.com", &o, t, &err), 0);
	assert_int_equal(plan_day_cached(t, events, pc, d, &err), 0);
	cal_mailbox_release(&mb);
}

static void assert_same_meetings(const struct plan_meeting *a,
				 const struct plan_meeting *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(a[i].event, b[i].event);
		assert_int_equal(a[i].start_ms, b[i].start_ms);
		assert_int_equal(a[i].end_ms, b[i].end_ms);
		assert_string_equal(a[i].start, b[i].start);
		assert_string_equal(a[i].end, b[i].end);
		if (a[i].all_day) {
			assert_null(b[i].start_label);
			continue;
		}
		assert_string_equal(a[i].start_label, b[i].start_label);
		assert_string_equal(a[i].end_label, b[i].end_label);
	}
}

static void assert_same_plan(const struct plan_target *ta,
			     const struct plan_day *da,
			     const struct plan_target *tb,
			     const struct plan_day *db)
{
	assert_string_equal(ta->date, tb->date);
	assert_string_equal(ta->zone, tb->zone);
	assert_string_equal(ta->locale, tb->locale);
	assert_int_equal(ta->start_ms, tb->start_ms);
	assert_int_equal(ta->end_ms, tb->end_ms);
	assert_string_equal(ta->fetch_start, tb->fetch_start);
	assert_string_equal(ta->fetch_end, tb->fetch_end);
	assert_int_equal(ta->work_start_ms, tb->work_start_ms);
	assert_int_equal(ta->work_end_ms, tb->work_end_ms);
	assert_ptr_equal(ta->skip_reason, tb->skip_reason);
	assert_string_equal(da->date_label, db->date_label);
	assert_ptr_equal(da->skip_reason, db->skip_reason);
	assert_int_equal(da->n, db->n);
	assert_int_equal(da->naway, db->naway);
	assert_same_meetings(da->meetings, db->meetings, da->n);
}

/*
 * More zones and (zone, locale) pairs than the cache keeps, twice over:
 * every user's plan is what it is without a cache, and the cache keeps
 * no more than its slots.
 */
static void test_plan__a_cache_changes_no_plan_and_stays_bounded(
	void **state)
{
	struct cal_event_list events = {0};
	struct plan_cache *pc = plan_cache_new();
	struct plan_cache_stats st;
	struct plan_target want[NCACHE_USERS];
	struct plan_day want_day[NCACHE_USERS];

	struct captured log = {0};

	(void)state;
	assert_non_null(pc);
	/* the odd zone of event d warns: not the point here */
	logging_set_routine(capture, &log);
	cache_events(&events);
	for (size_t i = 0; i < NCACHE_USERS; i++)
		plan_user(i, NULL, &events, &want[i], &want_day[i]);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < NCACHE_USERS; i++) {
			struct plan_target t = PLAN_TARGET_INIT;
			struct plan_day d = PLAN_DAY_INIT;

			plan_user(i, pc, &events, &t, &d);
			assert_same_plan(&want[i], &want_day[i], &t, &d);
			plan_day_release(&d);
			plan_target_release(&t);
			plan_cache_stats(pc, &st);
			assert_true(st.zones <= PLAN_CACHE_ZONES);
			assert_true(st.labels <= PLAN_CACHE_LABELS);
		}
	plan_cache_stats(pc, &st);
	assert_int_equal(st.zones, PLAN_CACHE_ZONES);
	assert_int_equal(st.labels, PLAN_CACHE_LABELS);
	assert_true(st.hits > 0);
	for (size_t i = 0; i < NCACHE_USERS; i++) {
		plan_day_release(&want_day[i]);
		plan_target_release(&want[i]);
	}
	/* a few users in one zone: each opens nothing more */
	for (size_t i = 0; i < 3; i++) {
		struct plan_target t = PLAN_TARGET_INIT;
		struct plan_day d = PLAN_DAY_INIT;
		size_t misses;

		plan_user(0, pc, &events, &t, &d);
		plan_cache_stats(pc, &st);
		misses = st.misses;
		plan_day_release(&d);
		plan_target_release(&t);
		plan_user(0, pc, &events, &t, &d);
		plan_cache_stats(pc, &st);
		assert_int_equal(st.misses, misses);
		plan_day_release(&d);
		plan_target_release(&t);
	}
	logging_set_routine(NULL, NULL);
	plan_cache_free(pc);
	cal_event_list_release(&events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_plan__pacific_standard_time_is_los_angeles),
		cmocka_unit_test(test_plan__w_europe_standard_time_is_berlin),
		cmocka_unit_test(test_plan__nepal_standard_time_is_kathmandu),
		cmocka_unit_test(
			test_plan__india_standard_time_is_kolkata_at_plus_0530),
		cmocka_unit_test(
			test_plan__line_islands_standard_time_is_kiritimati),
		cmocka_unit_test(
			test_plan__aus_eastern_standard_time_is_sydney),
		cmocka_unit_test(test_plan__iana_zone_is_kept_as_given),
		cmocka_unit_test(test_plan__utc_mailbox_day_is_the_utc_day),
		cmocka_unit_test(
			test_plan__unknown_zone_falls_back_to_utc_with_a_warning),
		cmocka_unit_test(
			test_plan__custom_and_lowercase_zones_are_never_a_failure),
		cmocka_unit_test(
			test_plan__custom_zone_falls_back_to_the_working_hours_zone),
		cmocka_unit_test(test_plan__then_the_configured_zone_is_used),
		cmocka_unit_test(test_plan__iana_mailbox_zone_needs_no_fallback),
		cmocka_unit_test(
			test_plan__zone_in_warning_is_made_printable),
		cmocka_unit_test(
			test_plan__missing_zone_means_utc_with_a_warning),
		cmocka_unit_test(
			test_plan__no_mailbox_means_utc_and_default_locale),
		cmocka_unit_test(
			test_plan__mailbox_locale_wins_over_the_default),
		cmocka_unit_test(test_plan__without_any_locale_en_us_is_used),
		cmocka_unit_test(
			test_plan__tomorrow_in_los_angeles_and_its_window),
		cmocka_unit_test(
			test_plan__berlin_spring_forward_day_has_23_hours),
		cmocka_unit_test(test_plan__berlin_fall_back_day_has_25_hours),
		cmocka_unit_test(
			test_plan__los_angeles_spring_forward_day_has_23_hours),
		cmocka_unit_test(
			test_plan__new_york_fall_back_day_has_25_hours),
		cmocka_unit_test(
			test_plan__havana_day_whose_midnight_is_skipped),
		cmocka_unit_test(test_plan__havana_day_whose_midnight_repeats),
		cmocka_unit_test(test_plan__nepal_day_starts_at_1815_utc),
		cmocka_unit_test(
			test_plan__nepal_meeting_times_carry_plus_0545),
		cmocka_unit_test(test_plan__kiritimati_is_a_day_ahead_of_utc),
		cmocka_unit_test(
			test_plan__kiritimati_meeting_times_carry_plus_1400),
		cmocka_unit_test(
			test_plan__one_ms_before_local_midnight_is_still_today),
		cmocka_unit_test(
			test_plan__at_local_midnight_tomorrow_moves_on),
		cmocka_unit_test(
			test_plan__tomorrow_crosses_month_and_year_ends),
		cmocka_unit_test(test_plan__given_date_replaces_tomorrow),
		cmocka_unit_test(test_plan__bad_date_is_refused_naming_it),
		cmocka_unit_test(test_plan__leap_day_is_a_real_date),
		cmocka_unit_test(test_plan__opted_out_user_is_skipped_first),
		cmocka_unit_test(
			test_plan__opted_out_user_with_bad_zone_is_skipped),
		cmocka_unit_test(
			test_plan__autoreplies_always_on_is_out_of_office),
		cmocka_unit_test(
			test_plan__schedule_covering_the_day_is_out_of_office),
		cmocka_unit_test(
			test_plan__schedule_in_a_windows_zone_is_converted),
		cmocka_unit_test(
			test_plan__schedule_ending_at_noon_does_not_skip),
		cmocka_unit_test(
			test_plan__schedule_starting_at_noon_does_not_skip),
		cmocka_unit_test(
			test_plan__schedule_one_ms_short_does_not_skip),
		cmocka_unit_test(
			test_plan__disabled_autoreplies_ignore_the_schedule),
		cmocka_unit_test(
			test_plan__bad_schedule_error_names_user_and_field),
		cmocka_unit_test(
			test_plan__schedule_in_unknown_zone_is_read_in_the_users_zone),
		cmocka_unit_test(test_plan__saturday_is_not_a_working_day),
		cmocka_unit_test(
			test_plan__weekday_in_working_days_is_not_skipped),
		cmocka_unit_test(
			test_plan__sunday_working_day_uses_the_local_weekday),
		cmocka_unit_test(test_plan__empty_working_days_skip_nothing),
		cmocka_unit_test(
			test_plan__out_of_office_comes_before_working_days),
		cmocka_unit_test(
			test_plan__friday_run_covers_monday),
		cmocka_unit_test(
			test_plan__monday_run_covers_tuesday),
		cmocka_unit_test(
			test_plan__weekend_runs_send_nothing_to_a_weekday_reader),
		cmocka_unit_test(
			test_plan__sunday_night_in_berlin_is_already_monday),
		cmocka_unit_test(
			test_plan__covers_today_is_the_morning_of_digest),
		cmocka_unit_test(
			test_plan__skipped_working_day_is_jumped_over),
		cmocka_unit_test(
			test_plan__without_working_days_every_day_is_one),
		cmocka_unit_test(
			test_plan__rooms_equipment_and_shared_mailboxes_are_skipped),
		cmocka_unit_test(
			test_plan__people_and_unknown_purposes_get_digests),
		cmocka_unit_test(
			test_plan__room_with_autoreplies_is_skipped_as_a_room),
		cmocka_unit_test(
			test_plan__working_hours_are_read_in_their_own_zone),
		cmocka_unit_test(
			test_plan__without_working_hours_the_day_is_8_to_17),
		cmocka_unit_test(
			test_plan__a_cache_changes_no_plan_and_stays_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
