/*
 * conflicts: two accepted meetings at once, and more than three hours of
 * meetings back to back, found among the slots that count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "calendar.h"
#include "conflicts.h"

#define MIN(m) ((int64_t)(m) * 60 * 1000)

/* A slot from minute a to minute b of the day. */
static struct conflicts_slot slot(int a, int b, bool counts)
{
	return (struct conflicts_slot){ MIN(a), MIN(b), counts };
}

static void test_conflicts__overlaps_name_the_earlier_meeting(void **state)
{
	/* 9:00-10:00, 9:30-10:30, 11:00-12:00, 10:15-11:15 (out of order) */
	struct conflicts_slot s[] = { slot(540, 600, true),
				      slot(570, 630, true),
				      slot(660, 720, true),
				      slot(615, 675, true) };
	struct conflicts c;

	assert_int_equal(conflicts_find(s, 4, &c), 0);
	assert_int_equal(c.noverlaps, 3);
	assert_int_equal(c.overlaps[0].first, 0);
	assert_int_equal(c.overlaps[0].second, 1);
	/* 10:15 overlaps 9:30-10:30, the one that ends last */
	assert_int_equal(c.overlaps[1].first, 1);
	assert_int_equal(c.overlaps[1].second, 3);
	assert_int_equal(c.overlaps[2].first, 3);
	assert_int_equal(c.overlaps[2].second, 2);
	assert_int_equal(c.overlaps_more, 0);
	assert_int_equal(c.nruns, 0); /* 9:00 to 12:00 is three hours */
	conflicts_release(&c);
}

static void test_conflicts__touching_meetings_do_not_overlap(void **state)
{
	struct conflicts_slot s[] = { slot(540, 600, true),
				      slot(600, 660, true) };
	struct conflicts c;

	assert_int_equal(conflicts_find(s, 2, &c), 0);
	assert_int_equal(c.noverlaps, 0);
	conflicts_release(&c);
}

static void test_conflicts__only_counted_slots_conflict(void **state)
{
	/* a tentative one and a hold at the same time are no conflict */
	struct conflicts_slot s[] = { slot(540, 600, true),
				      slot(540, 600, false),
				      slot(550, 590, false) };
	struct conflicts c;

	assert_int_equal(conflicts_find(s, 3, &c), 0);
	assert_int_equal(c.noverlaps, 0);
	assert_int_equal(c.nruns, 0);
	conflicts_release(&c);
}

static void test_conflicts__a_long_run_needs_a_real_break(void **state)
{
	/* 8:00 to 11:55 with 5-minute gaps (no break), then 12:30-13:00 */
	struct conflicts_slot s[] = { slot(480, 535, true),
				      slot(540, 595, true),
				      slot(600, 655, true),
				      slot(660, 715, true),
				      slot(750, 780, true) };
	struct conflicts c;

	assert_int_equal(conflicts_find(s, 5, &c), 0);
	assert_int_equal(c.nruns, 1);
	assert_int_equal(c.runs[0].first, 0);
	assert_int_equal(c.runs[0].last, 3);
	assert_int_equal(c.runs[0].count, 4);
	assert_true(c.runs[0].start_ms == MIN(480));
	assert_true(c.runs[0].end_ms == MIN(715));
	conflicts_release(&c);

	/* a 10-minute gap is a break: two runs under three hours */
	s[2] = slot(605, 655, true);
	assert_int_equal(conflicts_find(s, 5, &c), 0);
	assert_int_equal(c.nruns, 0);
	conflicts_release(&c);
}

static void test_conflicts__one_long_meeting_is_no_run(void **state)
{
	struct conflicts_slot s[] = { slot(540, 780, true) };
	struct conflicts c;

	assert_int_equal(conflicts_find(s, 1, &c), 0);
	assert_int_equal(c.nruns, 0);
	conflicts_release(&c);
}

static void test_conflicts__a_flooded_day_lists_a_few(void **state)
{
	struct conflicts_slot s[100];
	struct conflicts c;

	for (int i = 0; i < 100; i++)
		s[i] = slot(540, 600, true);
	assert_int_equal(conflicts_find(s, 100, &c), 0);
	assert_int_equal(c.noverlaps, CONFLICTS_MAX);
	assert_int_equal(c.overlaps_more, 99 - CONFLICTS_MAX);
	conflicts_release(&c);
	assert_int_equal(conflicts_find(s, 0, &c), 0);
	assert_int_equal(c.noverlaps, 0);
	conflicts_release(&c);
}

static void test_conflicts__accepted_and_organized_count(void **state)
{
	struct cal_event ev;

	memset(&ev, 0, sizeof(ev));
	assert_false(conflicts_counts(&ev, false, false));
	ev.response = (char *)"accepted";
	assert_true(conflicts_counts(&ev, false, false));
	assert_false(conflicts_counts(&ev, true, false));
	assert_false(conflicts_counts(&ev, false, true));
	ev.response = (char *)"organizer";
	assert_true(conflicts_counts(&ev, false, false));
	ev.response = (char *)"tentativelyAccepted";
	assert_false(conflicts_counts(&ev, false, false));
	ev.response = (char *)"notResponded";
	assert_false(conflicts_counts(&ev, false, false));
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_conflicts__overlaps_name_the_earlier_meeting),
		T(test_conflicts__touching_meetings_do_not_overlap),
		T(test_conflicts__only_counted_slots_conflict),
		T(test_conflicts__a_long_run_needs_a_real_break),
		T(test_conflicts__one_long_meeting_is_no_run),
		T(test_conflicts__a_flooded_day_lists_a_few),
		T(test_conflicts__accepted_and_organized_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
