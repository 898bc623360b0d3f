/*
 * plan_day: which events are the meetings of the target day, the user's
 * own absences kept apart (and a day they cover skipped), whether a
 * matched day is worth a mail, and the meetings' localized labels.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "err.h"
#include "logging.h"
#include "plan.h"
#include "plan_fixture.h"

/* Run plan_day on the Los Angeles 2026-11-24 target expecting failure. */
static int day_error(const struct cal_event_list *events, struct dg_err *err)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	int ret;

	target_in("Pacific Standard Time", NULL, "2026-11-24", &t);
	ret = plan_day(&t, events, &d, err);
	assert_null(d.meetings);
	assert_null(d.date_label);
	plan_day_release(&d);
	plan_target_release(&t);
	return ret;
}

/* Out-of-office events */

static struct cal_event *add_away(struct cal_event_list *events,
				  const char *id, const char *start,
				  const char *end)
{
	struct cal_event *ev = add_event(events, id, "Away", start, end, "UTC");

	ev->show_as = dup("oof");
	return ev;
}

static void test_plan_day__all_day_oof_event_skips_the_day(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_all_day(&events, "off", "2026-11-24", "2026-11-25")->show_as =
		dup("oof");
	add_event(&events, "m1", "Sync", "2026-11-24T17:00:00",
		  "2026-11-24T18:00:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_string_equal(d.skip_reason, PLAN_SKIP_OUT_OF_OFFICE);
	assert_int_equal(d.naway, 1);
	assert_int_equal(d.n, 1);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__part_day_absence_is_kept_apart_not_skipped(
	void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* 09:00-12:00 in Los Angeles; working hours 08:00-17:00. */
	add_away(&events, "dentist", "2026-11-24T17:00:00",
		 "2026-11-24T20:00:00");
	add_event(&events, "m1", "Sync", "2026-11-24T22:00:00",
		  "2026-11-24T23:00:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_null(d.skip_reason);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].event->id, "m1");
	assert_int_equal(d.naway, 1);
	assert_string_equal(d.away[0].start_label, "9:00 AM");
	assert_string_equal(d.away[0].end_label, "12:00 PM");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__absences_that_together_cover_work_skip_the_day(
	void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* 07:00-13:00 and 12:30-17:00 Los Angeles: no gap in 08-17. */
	add_away(&events, "pm", "2026-11-24T20:30:00", "2026-11-25T01:00:00");
	add_away(&events, "am", "2026-11-24T15:00:00", "2026-11-24T21:00:00");
	add_event(&events, "m1", "Sync", "2026-11-24T22:00:00",
		  "2026-11-24T23:00:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_string_equal(d.skip_reason, PLAN_SKIP_OUT_OF_OFFICE);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__absence_with_a_gap_in_work_does_not_skip(
	void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* 08:00-12:00 and 13:00-17:00 Los Angeles: free at noon. */
	add_away(&events, "am", "2026-11-24T16:00:00", "2026-11-24T20:00:00");
	add_away(&events, "pm", "2026-11-24T21:00:00", "2026-11-25T01:00:00");
	add_event(&events, "m1", "Lunch talk", "2026-11-24T20:00:00",
		  "2026-11-24T21:00:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_null(d.skip_reason);
	assert_int_equal(d.naway, 2);
	assert_string_equal(d.away[0].event->id, "am");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__only_an_absence_means_no_meetings(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_away(&events, "dentist", "2026-11-24T17:00:00",
		 "2026-11-24T18:00:00");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_string_equal(d.skip_reason, PLAN_SKIP_NO_MEETINGS);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

/* Whether a day is worth a mail */

static struct roster_person ann = {.email = "ann@contoso.com"};
static struct roster_person gone = {.email = "gone@contoso.com",
				    .opt_out = true};

static void test_plan_day__relevance_follows_send_when(void **state)
{
	struct plan_meeting m[2] = {{.is_private = false},
				    {.is_private = true}};
	struct match_attendee nobody = {.email = (char *)"x@fabrikam.com"};
	struct match_attendee in_roster = {.email = (char *)"ann@contoso.com",
					   .person = &ann};
	struct match_attendee opted = {.email = (char *)"gone@contoso.com",
				       .person = &gone};
	struct match_list lists[2] = {{.v = &nobody, .n = 1},
				      {.v = &in_roster, .n = 1}};
	struct plan_day d = {.meetings = m, .n = 2};

	/* A profile only in a private meeting does not count. */
	assert_string_equal(plan_relevance(&d, lists, PLAN_SEND_PROFILES),
			    PLAN_SKIP_NO_PROFILES);
	assert_null(plan_relevance(&d, lists, PLAN_SEND_MEETINGS));
	lists[0].v = &opted;
	assert_string_equal(plan_relevance(&d, lists, PLAN_SEND_PROFILES),
			    PLAN_SKIP_NO_PROFILES);
	lists[0].v = &in_roster;
	assert_null(plan_relevance(&d, lists, PLAN_SEND_PROFILES));
	assert_string_equal(plan_relevance(&d, NULL, PLAN_SEND_PROFILES),
			    PLAN_SKIP_NO_PROFILES);
	d.n = 0;
	assert_string_equal(plan_relevance(&d, lists, PLAN_SEND_MEETINGS),
			    PLAN_SKIP_NO_MEETINGS);
	d.skip_reason = PLAN_SKIP_OUT_OF_OFFICE;
	assert_string_equal(plan_relevance(&d, lists, PLAN_SEND_MEETINGS),
			    PLAN_SKIP_OUT_OF_OFFICE);
}

/* The day's meetings */

static void test_plan_day__day_without_events_has_no_meetings(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	struct dg_err err = DG_ERR_INIT;

	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.skip_reason, PLAN_SKIP_NO_MEETINGS);
	plan_day_release(&d);
	assert_int_equal(plan_day(&t, NULL, &d, &err), 0);
	assert_string_equal(d.skip_reason, PLAN_SKIP_NO_MEETINGS);
	plan_day_release(&d);
	plan_target_release(&t);
}

static void test_plan_day__target_reason_is_kept_over_no_meetings(void **state)
{
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_mailbox mb;

	mailbox(&mb, "UTC");
	mb.autoreply = CAL_AUTOREPLY_ALWAYS;
	target_ok(&mb, NULL, "2026-11-24", &t);
	assert_int_equal(plan_day(&t, NULL, &d, &err), 0);
	assert_string_equal(d.skip_reason, PLAN_SKIP_OUT_OF_OFFICE);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_mailbox_release(&mb);
}

static void test_plan_day__day_with_a_meeting_has_no_skip_reason(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "Sync", "2026-11-24T17:00:00.0000000",
		  "2026-11-24T17:30:00.0000000", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 1);
	assert_null(d.skip_reason);
	assert_ptr_equal(d.meetings[0].event, &events.v[0]);
	assert_false(d.meetings[0].all_day);
	assert_true(d.meetings[0].start_ms == utc("2026-11-24T17:00:00Z"));
	assert_true(d.meetings[0].end_ms == utc("2026-11-24T17:30:00Z"));
	assert_string_equal(d.meetings[0].start, "2026-11-24T09:00:00-08:00");
	assert_string_equal(d.meetings[0].end, "2026-11-24T09:30:00-08:00");
	assert_false(d.meetings[0].starts_before_day);
	assert_false(d.meetings[0].ends_after_day);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__cancelled_and_declined_are_left_out(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	struct cal_event *ev;

	ev = add_event(&events, "cancelled", "A", "2026-11-24T17:00:00",
		       "2026-11-24T18:00:00", "UTC");
	ev->is_cancelled = true;
	ev = add_event(&events, "declined", "B", "2026-11-24T17:00:00",
		       "2026-11-24T18:00:00", "UTC");
	free(ev->response);
	ev->response = dup("declined");
	add_event(&events, "kept", "C", "2026-11-24T17:00:00",
		  "2026-11-24T18:00:00", "UTC");
	ev = add_event(&events, "tentative", "D", "2026-11-24T19:00:00",
		       "2026-11-24T20:00:00", "UTC");
	free(ev->response);
	ev->response = dup("tentativelyAccepted");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.meetings[0].event->id, "kept");
	assert_string_equal(d.meetings[1].event->id, "tentative");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__only_cancelled_events_mean_no_meetings(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	struct cal_event *ev;

	ev = add_event(&events, "cancelled", "A", "2026-11-24T17:00:00",
		       "2026-11-24T18:00:00", "UTC");
	ev->is_cancelled = true;
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.skip_reason, PLAN_SKIP_NO_MEETINGS);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__all_day_event_is_kept_by_its_date(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* Midnight UTC is the day before in Los Angeles: dates decide. */
	add_all_day(&events, "today", "2026-11-24", "2026-11-25");
	add_all_day(&events, "yesterday", "2026-11-23", "2026-11-24");
	add_all_day(&events, "tomorrow", "2026-11-25", "2026-11-26");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].event->id, "today");
	assert_true(d.meetings[0].all_day);
	assert_true(d.meetings[0].start_ms == t.start_ms);
	assert_true(d.meetings[0].end_ms == t.end_ms);
	assert_string_equal(d.meetings[0].start, "2026-11-24T00:00:00-08:00");
	assert_string_equal(d.meetings[0].end, "2026-11-25T00:00:00-08:00");
	assert_null(d.meetings[0].start_label);
	assert_null(d.meetings[0].end_label);
	assert_false(d.meetings[0].starts_before_day);
	assert_false(d.meetings[0].ends_after_day);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__all_day_dates_need_no_zone(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	struct cal_event *ev;

	/* Floating dates: a zone nobody knows does not matter. */
	ev = add_all_day(&events, "today", "2026-11-24", "2026-11-25");
	free(ev->start.time_zone);
	ev->start.time_zone = dup("tzone://Microsoft/Custom");
	day_in("Line Islands Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].start, "2026-11-24T00:00:00+14:00");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void
test_plan_day__multi_day_all_day_event_crosses_both_ends(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_all_day(&events, "offsite", "2026-11-23", "2026-11-26");
	add_all_day(&events, "starts", "2026-11-24", "2026-11-26");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.meetings[0].event->id, "offsite");
	assert_true(d.meetings[0].starts_before_day);
	assert_true(d.meetings[0].ends_after_day);
	assert_string_equal(d.meetings[1].event->id, "starts");
	assert_false(d.meetings[1].starts_before_day);
	assert_true(d.meetings[1].ends_after_day);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void
test_plan_day__events_of_the_neighbouring_days_are_dropped(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* The day is [2026-11-24T08:00Z, 2026-11-25T08:00Z). */
	add_event(&events, "day-before", "A", "2026-11-23T17:00:00",
		  "2026-11-23T18:00:00", "UTC");
	add_event(&events, "ends-at-midnight", "B", "2026-11-24T07:00:00",
		  "2026-11-24T08:00:00", "UTC");
	add_event(&events, "starts-at-next-midnight", "C",
		  "2026-11-25T08:00:00", "2026-11-25T09:00:00", "UTC");
	add_event(&events, "day-after", "D", "2026-11-25T17:00:00",
		  "2026-11-25T18:00:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.skip_reason, PLAN_SKIP_NO_MEETINGS);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__meetings_at_the_day_edges_are_kept(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "first", "A", "2026-11-24T08:00:00",
		  "2026-11-24T08:01:00", "UTC");
	add_event(&events, "last", "B", "2026-11-25T07:59:00",
		  "2026-11-25T08:00:00", "UTC");
	add_event(&events, "zero-length", "C", "2026-11-24T08:00:00",
		  "2026-11-24T08:00:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 3);
	for (size_t i = 0; i < d.n; i++) {
		assert_false(d.meetings[i].starts_before_day);
		assert_false(d.meetings[i].ends_after_day);
	}
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void
test_plan_day__meeting_across_midnight_is_kept_and_flagged(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	/* 23:00 on the 23rd to 01:00 on the 24th, Los Angeles time. */
	add_event(&events, "late", "A", "2026-11-24T07:00:00",
		  "2026-11-24T09:00:00", "UTC");
	/* 23:30 on the 24th to 00:30 on the 25th. */
	add_event(&events, "night", "B", "2026-11-25T07:30:00",
		  "2026-11-25T08:30:00", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.meetings[0].event->id, "late");
	assert_true(d.meetings[0].starts_before_day);
	assert_false(d.meetings[0].ends_after_day);
	assert_string_equal(d.meetings[0].start, "2026-11-23T23:00:00-08:00");
	assert_string_equal(d.meetings[1].event->id, "night");
	assert_false(d.meetings[1].starts_before_day);
	assert_true(d.meetings[1].ends_after_day);
	assert_string_equal(d.meetings[1].end, "2026-11-25T00:30:00-08:00");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__private_and_confidential_are_flagged(void **state)
{
	static const enum cal_sensitivity kinds[] = {
		CAL_SENSITIVITY_NORMAL,
		CAL_SENSITIVITY_PERSONAL,
		CAL_SENSITIVITY_PRIVATE,
		CAL_SENSITIVITY_CONFIDENTIAL,
	};
	static const bool want[] = {false, false, true, true};
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	char id[8], start[32];

	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		snprintf(start, sizeof(start), "2026-11-24T1%d:00:00", i);
		add_event(&events, id, "Secret", start, start, "UTC")
			->sensitivity = kinds[i];
	}
	day_in("UTC", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(d.meetings[i].is_private, want[i]);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

/*
 * Days of many meetings and absences, then of one, then of many again:
 * the meetings and the absences grow apart, past the first few, and every
 * one is kept in order with its labels.
 */
static void test_plan_day__days_of_many_and_of_few_meetings_keep_them_all(
	void **state)
{
	static const int sizes[] = {37, 1, 5, 0, 9, 4};
	char id[64], start[64], end[64];

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct cal_event_list events = CAL_EVENT_LIST_INIT;
		struct plan_target t = PLAN_TARGET_INIT;
		struct plan_day d = PLAN_DAY_INIT;
		int n = sizes[k], naway = n / 3;

		/* a neighbouring day's meeting, left out */
		add_event(&events, "before", "B", "2026-11-23T17:00:00",
			  "2026-11-23T18:00:00", "UTC");
		for (int i = n; i-- > 0;) {
			/* 08:00 Los Angeles on, ten minutes each */
			snprintf(id, sizeof(id), "m%02d", i);
			snprintf(start, sizeof(start),
				 "2026-11-24T%02d:%02d:00", 16 + i / 6,
				 i % 6 * 10);
			snprintf(end, sizeof(end), "2026-11-24T%02d:%02d:00",
				 16 + i / 6, i % 6 * 10 + 5);
			add_event(&events, id, "S", start, end, "UTC");
		}
		for (int i = 0; i < naway; i++) {
			snprintf(id, sizeof(id), "a%02d", i);
			snprintf(start, sizeof(start),
				 "2026-11-25T%02d:00:00", 2 + i / 2);
			snprintf(end, sizeof(end), "2026-11-25T%02d:05:00",
				 2 + i / 2);
			add_away(&events, id, start, end);
		}
		day_in("Pacific Standard Time", "en-US", &events, &t, &d);
		assert_int_equal(d.n, (size_t)n);
		assert_int_equal(d.naway, (size_t)naway);
		for (int i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "m%02d", i);
			assert_string_equal(d.meetings[i].event->id, id);
			assert_non_null(d.meetings[i].start_label);
			assert_non_null(d.meetings[i].end_label);
		}
		if (n) {
			assert_string_equal(d.meetings[0].start,
					    "2026-11-24T08:00:00-08:00");
			assert_string_equal(d.meetings[0].start_label,
					    "8:00 AM");
		}
		for (int i = 0; i < naway; i++)
			assert_non_null(d.away[i].start_label);
		plan_day_release(&d);
		plan_target_release(&t);
		cal_event_list_release(&events);
	}
}

static void
test_plan_day__meetings_sort_all_day_first_then_by_start(void **state)
{
	/* Equal starts: by subject, then by id. */
	static const char *const order[] = {
		"holiday", "early", "same-b", "same-a1", "same-a2", "late",
	};
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "late", "Z", "2026-11-24T20:00:00",
		  "2026-11-24T21:00:00", "UTC");
	add_event(&events, "same-a2", "Beta", "2026-11-24T18:00:00",
		  "2026-11-24T19:00:00", "UTC");
	add_event(&events, "same-a1", "Beta", "2026-11-24T18:00:00",
		  "2026-11-24T18:30:00", "UTC");
	add_event(&events, "same-b", "Alpha", "2026-11-24T18:00:00",
		  "2026-11-24T19:00:00", "UTC");
	add_event(&events, "early", "Z", "2026-11-24T16:00:00",
		  "2026-11-24T17:00:00", "UTC");
	add_all_day(&events, "holiday", "2026-11-24", "2026-11-25");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 6);
	for (size_t i = 0; i < d.n; i++)
		assert_string_equal(d.meetings[i].event->id, order[i]);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void
test_plan_day__event_times_in_a_windows_zone_are_converted(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "2026-11-24T09:00:00.0000000",
		  "2026-11-24T10:00:00.0000000", "Pacific Standard Time");
	add_event(&events, "e2", "B", "2026-11-24T09:00:00.0000000",
		  "2026-11-24T10:00:00.0000000", "Asia/Tokyo");
	day_in("W. Europe Standard Time", "de-DE", &events, &t, &d);
	assert_int_equal(d.n, 2);
	/* 09:00 in Tokyo is 01:00 in Berlin, 09:00 in LA is 18:00. */
	assert_string_equal(d.meetings[0].start, "2026-11-24T01:00:00+01:00");
	assert_string_equal(d.meetings[1].start, "2026-11-24T18:00:00+01:00");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__fractions_up_to_seven_digits_are_read(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "2026-11-24T17:00:00.1234567",
		  "2026-11-24T17:30:00.5", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 1);
	assert_true(d.meetings[0].start_ms == utc("2026-11-24T17:00:00.123Z"));
	assert_true(d.meetings[0].end_ms == utc("2026-11-24T17:30:00.500Z"));
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__bad_start_error_names_event_and_field(void **state)
{
	static const char *const bad[] = {
		"2026-11-24T17:00:00.12345678", "2026-11-24 17:00:00",
		"2026-11-24T24:00:00",		"2026-02-30T10:00:00",
		"2026-11-24T17:00:00Z",		"2026-11-24T17:00",
		"2026-11-24T17:00:00.",
	};
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_event *ev;
	char want[256];

	ev = add_event(&events, "AAMkAGI2TGuLAAA=", "A", "x",
		       "2026-11-24T18:00:00", "UTC");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		free(ev->start.date_time);
		/* strdup, not dup(): gcc -O3 threads dup()'s NULL branch
		 * into the snprintf below and warns of a NULL '%s'. */
		ev->start.date_time = strdup(bad[i]);
		assert_non_null(ev->start.date_time);
		assert_int_equal(day_error(&events, &err), DG_EPARSE);
		snprintf(want, sizeof(want),
			 "event AAMkAGI2TGuLAAA=: start.dateTime '%s' is not "
			 "a date-time like 2026-11-24T09:00:00.0000000",
			 bad[i]);
		assert_string_equal(err.msg, want);
	}
	cal_event_list_release(&events);
}

static void test_plan_day__bad_end_error_names_the_end(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	add_event(&events, "e1", "A", "2026-11-24T17:00:00", "soon", "UTC");
	assert_int_equal(day_error(&events, &err), DG_EPARSE);
	assert_string_equal(err.msg, "event e1: end.dateTime 'soon' is not a "
				     "date-time like "
				     "2026-11-24T09:00:00.0000000");
	cal_event_list_release(&events);
}

static void test_plan_day__bad_all_day_date_names_event_and_field(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	add_all_day(&events, "h1", "2026-11-24", "2026-11-32");
	assert_int_equal(day_error(&events, &err), DG_EPARSE);
	assert_string_equal(err.msg, "event h1: end.dateTime "
				     "'2026-11-32T00:00:00.0000000' is not a "
				     "date-time like "
				     "2026-11-24T09:00:00.0000000");
	cal_event_list_release(&events);
}

static void test_plan_day__missing_start_names_event_and_field(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct cal_event *ev;

	ev = add_event(&events, "e1", "A", "x", "2026-11-24T18:00:00", "UTC");
	free(ev->start.date_time);
	ev->start.date_time = NULL;
	assert_int_equal(day_error(&events, &err), DG_EPARSE);
	assert_string_equal(err.msg, "event e1: start.dateTime is missing");
	cal_event_list_release(&events);
}

static void test_plan_day__unknown_event_zone_is_read_in_the_users_zone(
	void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;
	struct captured log = {0};

	add_event(&events, "e1", "A", "2026-11-24T17:00:00",
		  "2026-11-24T18:00:00", "tzone://Microsoft/Custom");
	logging_set_routine(capture, &log);
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	logging_set_routine(NULL, NULL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.meetings[0].start, "2026-11-24T17:00:00-08:00");
	assert_non_null(strstr(log.last, "event e1: start.timeZone: unknown "
					 "time zone 'tzone://Microsoft/Custom'"
					 "; read as America/Los_Angeles"));
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__end_before_start_is_an_error(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	add_event(&events, "e1", "A", "2026-11-24T18:00:00",
		  "2026-11-24T17:00:00", "UTC");
	assert_int_equal(day_error(&events, &err), DG_EPARSE);
	assert_string_equal(err.msg, "event e1: end is before start");
	cal_event_list_release(&events);
}

static void test_plan_day__event_id_in_error_is_made_printable(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;
	char id[300];

	memset(id, 'x', sizeof(id) - 1);
	id[0] = '\n';
	id[sizeof(id) - 1] = '\0';
	add_event(&events, id, "A", "bad", "2026-11-24T18:00:00", "UTC");
	assert_int_equal(day_error(&events, &err), DG_EPARSE);
	assert_null(strchr(err.msg, '\n'));
	assert_non_null(strstr(err.msg, "event ?xxx"));
	assert_non_null(strstr(err.msg, "xxx...: start.dateTime 'bad'"));
	cal_event_list_release(&events);
}

static void
test_plan_day__error_after_kept_meetings_leaves_nothing(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct dg_err err = DG_ERR_INIT;

	add_event(&events, "good", "A", "2026-11-24T17:00:00",
		  "2026-11-24T18:00:00", "UTC");
	add_all_day(&events, "holiday", "2026-11-24", "2026-11-25");
	add_event(&events, "bad", "B", "2026-11-24T19:00:00", "later", "UTC");
	/* day_error() checks that the failed day holds nothing. */
	assert_int_equal(day_error(&events, &err), DG_EPARSE);
	assert_string_equal(err.msg, "event bad: end.dateTime 'later' is not "
				     "a date-time like "
				     "2026-11-24T09:00:00.0000000");
	cal_event_list_release(&events);
}

static void
test_plan_day__cancelled_event_with_bad_times_is_ignored(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "garbage", "garbage", "Nowhere")
		->is_cancelled = true;
	day_in("UTC", "en-US", &events, &t, &d);
	assert_int_equal(d.n, 0);
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

/* Labels */

static void test_plan_day__en_us_labels_use_am_pm(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "2026-11-24T17:00:00.0000000",
		  "2026-11-24T22:30:00.0000000", "UTC");
	day_in("Pacific Standard Time", "en-US", &events, &t, &d);
	assert_string_equal(d.date_label, "Tuesday, November 24, 2026");
	assert_string_equal(d.meetings[0].start_label, "9:00 AM");
	assert_string_equal(d.meetings[0].end_label, "2:30 PM");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__de_de_labels_use_24_hours(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "2026-11-24T08:00:00.0000000",
		  "2026-11-24T13:30:00.0000000", "UTC");
	day_in("W. Europe Standard Time", "de-DE", &events, &t, &d);
	assert_string_equal(d.date_label, "Dienstag, 24. November 2026");
	assert_string_equal(d.meetings[0].start_label, "09:00");
	assert_string_equal(d.meetings[0].end_label, "14:30");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__labels_are_utf8(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "2026-11-24T00:00:00.0000000",
		  "2026-11-24T01:00:00.0000000", "UTC");
	day_in("Tokyo Standard Time", "ja-JP", &events, &t, &d);
	assert_string_equal(t.zone, "Asia/Tokyo");
	assert_string_equal(d.date_label,
			    "2026\xe5\xb9\xb4"
			    "11\xe6\x9c\x88"
			    "24\xe6\x97\xa5\xe7\x81\xab\xe6\x9b\x9c"
			    "\xe6\x97\xa5");
	assert_string_equal(d.meetings[0].start_label, "9:00");
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

static void test_plan_day__unknown_locale_falls_back_like_icu(void **state)
{
	struct cal_event_list events = CAL_EVENT_LIST_INIT;
	struct plan_target t = PLAN_TARGET_INIT;
	struct plan_day d = PLAN_DAY_INIT;

	add_event(&events, "e1", "A", "2026-11-24T09:00:00.0000000",
		  "2026-11-24T10:00:00.0000000", "UTC");
	day_in("UTC", "xx-YY", &events, &t, &d);
	assert_non_null(d.date_label);
	assert_non_null(strstr(d.meetings[0].start_label, "9:00"));
	plan_day_release(&d);
	plan_target_release(&t);
	cal_event_list_release(&events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_plan_day__all_day_oof_event_skips_the_day),
		cmocka_unit_test(
			test_plan_day__part_day_absence_is_kept_apart_not_skipped),
		cmocka_unit_test(
			test_plan_day__absences_that_together_cover_work_skip_the_day),
		cmocka_unit_test(
			test_plan_day__absence_with_a_gap_in_work_does_not_skip),
		cmocka_unit_test(
			test_plan_day__only_an_absence_means_no_meetings),
		cmocka_unit_test(test_plan_day__relevance_follows_send_when),
		cmocka_unit_test(
			test_plan_day__day_without_events_has_no_meetings),
		cmocka_unit_test(
			test_plan_day__target_reason_is_kept_over_no_meetings),
		cmocka_unit_test(
			test_plan_day__day_with_a_meeting_has_no_skip_reason),
		cmocka_unit_test(
			test_plan_day__cancelled_and_declined_are_left_out),
		cmocka_unit_test(
			test_plan_day__only_cancelled_events_mean_no_meetings),
		cmocka_unit_test(
			test_plan_day__all_day_event_is_kept_by_its_date),
		cmocka_unit_test(test_plan_day__all_day_dates_need_no_zone),
		cmocka_unit_test(
			test_plan_day__multi_day_all_day_event_crosses_both_ends),
		cmocka_unit_test(
			test_plan_day__events_of_the_neighbouring_days_are_dropped),
		cmocka_unit_test(
			test_plan_day__meetings_at_the_day_edges_are_kept),
		cmocka_unit_test(
			test_plan_day__meeting_across_midnight_is_kept_and_flagged),
		cmocka_unit_test(
			test_plan_day__private_and_confidential_are_flagged),
		cmocka_unit_test(
			test_plan_day__days_of_many_and_of_few_meetings_keep_them_all),
		cmocka_unit_test(
			test_plan_day__meetings_sort_all_day_first_then_by_start),
		cmocka_unit_test(
			test_plan_day__event_times_in_a_windows_zone_are_converted),
		cmocka_unit_test(
			test_plan_day__fractions_up_to_seven_digits_are_read),
		cmocka_unit_test(
			test_plan_day__bad_start_error_names_event_and_field),
		cmocka_unit_test(test_plan_day__bad_end_error_names_the_end),
		cmocka_unit_test(
			test_plan_day__bad_all_day_date_names_event_and_field),
		cmocka_unit_test(
			test_plan_day__missing_start_names_event_and_field),
		cmocka_unit_test(
			test_plan_day__unknown_event_zone_is_read_in_the_users_zone),
		cmocka_unit_test(test_plan_day__end_before_start_is_an_error),
		cmocka_unit_test(
			test_plan_day__event_id_in_error_is_made_printable),
		cmocka_unit_test(
			test_plan_day__error_after_kept_meetings_leaves_nothing),
		cmocka_unit_test(
			test_plan_day__cancelled_event_with_bad_times_is_ignored),
		cmocka_unit_test(test_plan_day__en_us_labels_use_am_pm),
		cmocka_unit_test(test_plan_day__de_de_labels_use_24_hours),
		cmocka_unit_test(test_plan_day__labels_are_utf8),
		cmocka_unit_test(
			test_plan_day__unknown_locale_falls_back_like_icu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
