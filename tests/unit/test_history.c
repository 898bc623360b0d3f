/*
 * history: a day recorded twice counts once, lookups leave the day itself
 * out and keep to their window, counts and order are right, pruning and
 * forgetting delete what they say, and bad input is refused. Each test
 * works in a fresh temporary folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "history.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"

#define NOW 1795503600000LL /* Tue, 24 Nov 2026 07:00:00 UTC */
#define PAT "pat@example.com"
#define OMER "omer@example.com"
#define ANA "ana@example.com"

static void day(struct store *st, const char *reader, const char *date,
		const struct history_met *met, size_t n)
{
	struct dg_err err = DG_ERR_INIT;

	if (history_record_day(st, reader, date, met, n, NOW, &err))
		fail_msg("history_record_day: %s", err.msg);
}

static void contacts(struct store *st, const char *reader, const char *date,
		     unsigned window, struct history_contacts *h)
{
	struct dg_err err = DG_ERR_INIT;

	if (history_contacts(st, reader, date, window, 0, h, &err))
		fail_msg("history_contacts: %s", err.msg);
}

static size_t count(struct store *st, const char *address)
{
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	if (history_count(st, address, &n, &err))
		fail_msg("history_count: %s", err.msg);
	return n;
}

static void test_history__a_day_recorded_twice_counts_once(void **state)
{
	struct scratch *f = *state;
	struct history_met met[] = {{PAT, 2}, {OMER, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-11-20", met, 2);
	day(f->st, "me@example.com", "2026-11-20", met, 2);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[0].person, PAT);
	assert_int_equal(h.v[0].meetings, 2);
	assert_int_equal(h.v[0].days, 1);
	assert_int_equal(h.recorded_days, 1);
	history_contacts_release(&h);
}

static void test_history__recording_a_day_again_replaces_it(void **state)
{
	struct scratch *f = *state;
	struct history_met before[] = {{PAT, 2}, {OMER, 1}};
	struct history_met after[] = {{ANA, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-11-20", before, 2);
	day(f->st, "me@example.com", "2026-11-20", after, 1);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].person, ANA);
	history_contacts_release(&h);
}

static void test_history__one_person_twice_in_a_day_adds_up(void **state)
{
	struct scratch *f = *state;
	struct history_met met[] = {{PAT, 1}, {"PAT@Example.com", 2}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-11-20", met, 2);
	contacts(f->st, "ME@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].person, PAT);
	assert_int_equal(h.v[0].meetings, 3);
	history_contacts_release(&h);
}

static void test_history__lookups_leave_out_the_day_itself(void **state)
{
	struct scratch *f = *state;
	struct history_met met[] = {{PAT, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-11-24", met, 1);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 0);
	assert_int_equal(h.recorded_days, 0);
	assert_string_equal(h.first_day, "");
	history_contacts_release(&h);
}

static void test_history__lookups_keep_to_their_window(void **state)
{
	struct scratch *f = *state;
	struct history_met pat[] = {{PAT, 1}}, omer[] = {{OMER, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-10-01", pat, 1);
	day(f->st, "me@example.com", "2026-11-20", omer, 1);
	contacts(f->st, "me@example.com", "2026-11-24", 30, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].person, OMER);
	assert_string_equal(h.first_day, "2026-11-20");
	assert_int_equal(h.span_days, 4);
	history_contacts_release(&h);
}

static void test_history__recent_counts_only_the_last_four_weeks(void **state)
{
	struct scratch *f = *state;
	struct history_met pat[] = {{PAT, 5}}, omer[] = {{OMER, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-09-01", pat, 1);   /* old */
	day(f->st, "me@example.com", "2026-11-10", omer, 1);  /* recent */
	day(f->st, "me@example.com", "2026-11-17", omer, 1);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 2);
	/* Omer is first: more recent meetings, though fewer in all */
	assert_string_equal(h.v[0].person, OMER);
	assert_int_equal(h.v[0].recent, 2);
	assert_int_equal(h.v[0].days, 2);
	assert_string_equal(h.v[0].last, "2026-11-17");
	assert_int_equal(h.v[1].recent, 0);
	assert_int_equal(h.v[1].meetings, 5);
	assert_non_null(history_find(&h, "Omer@Example.COM"));
	assert_null(history_find(&h, ANA));
	history_contacts_release(&h);
}

static void test_history__a_day_with_nobody_is_still_recorded(void **state)
{
	struct scratch *f = *state;
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-11-02", NULL, 0);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 0);
	assert_int_equal(h.recorded_days, 1);
	assert_string_equal(h.first_day, "2026-11-02");
	assert_int_equal(h.span_days, 22);
	history_contacts_release(&h);
}

static void test_history__readers_are_kept_apart(void **state)
{
	struct scratch *f = *state;
	struct history_met met[] = {{PAT, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;

	day(f->st, "me@example.com", "2026-11-20", met, 1);
	contacts(f->st, "you@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 0);
	history_contacts_release(&h);
}

static void test_history__prune_deletes_only_older_days(void **state)
{
	struct scratch *f = *state;
	struct history_met met[] = {{PAT, 1}};
	struct dg_err err = DG_ERR_INIT;
	size_t deleted = 0;

	day(f->st, "me@example.com", "2026-08-01", met, 1);
	day(f->st, "me@example.com", "2026-08-26", met, 1);
	assert_int_equal(history_prune(f->st, "2026-08-26", &deleted, &err), 0);
	assert_int_equal(deleted, 2); /* one person row, one day row */
	assert_int_equal(count(f->st, "me@example.com"), 2);
}

static void test_history__forget_wipes_reader_and_person(void **state)
{
	struct scratch *f = *state;
	struct history_met met[] = {{PAT, 1}, {OMER, 1}};
	struct history_met back[] = {{"me@example.com", 1}};
	struct dg_err err = DG_ERR_INIT;
	struct history_contacts h = HISTORY_CONTACTS_INIT;
	size_t deleted = 0;

	day(f->st, "me@example.com", "2026-11-20", met, 2);
	day(f->st, PAT, "2026-11-20", back, 1);
	assert_int_equal(count(f->st, PAT), 3);
	assert_int_equal(history_forget(f->st, "Pat@Example.com", &deleted,
					&err),
			 0);
	assert_int_equal(deleted, 3);
	assert_int_equal(count(f->st, PAT), 0);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].person, OMER);
	history_contacts_release(&h);
}

static void test_history__bad_input_is_refused(void **state)
{
	struct scratch *f = *state;
	struct history_met zero[] = {{PAT, 0}}, none[] = {{"", 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(history_record_day(f->st, "", "2026-11-20", NULL, 0,
					    NOW, &err),
			 DG_EINVAL);
	assert_int_equal(history_record_day(f->st, "me@example.com",
					    "2026-13-01", NULL, 0, NOW, &err),
			 DG_EINVAL);
	assert_int_equal(history_record_day(f->st, "me@example.com",
					    "2026-11-20", zero, 1, NOW, &err),
			 DG_EINVAL);
	assert_int_equal(history_record_day(f->st, "me@example.com",
					    "2026-11-20", none, 1, NOW, &err),
			 DG_EINVAL);
	assert_int_equal(count(f->st, "me@example.com"), 0);
	assert_int_equal(history_contacts(f->st, "me@example.com",
					  "2026-11-20", HISTORY_DAYS_MAX + 1,
					  0, &h, &err),
			 DG_EINVAL);
	assert_int_equal(history_prune(f->st, "yesterday", NULL, &err),
			 DG_EINVAL);
	assert_int_equal(history_forget(f->st, "", NULL, &err), DG_EINVAL);
}

static void test_history__a_failed_record_leaves_the_day_as_it_was(void **state)
{
	struct scratch *f = *state;
	struct history_met good[] = {{PAT, 1}};
	struct history_met bad[] = {{OMER, 1}, {"", 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;
	struct dg_err err = DG_ERR_INIT;

	day(f->st, "me@example.com", "2026-11-20", good, 1);
	assert_int_equal(history_record_day(f->st, "me@example.com",
					    "2026-11-20", bad, 2, NOW, &err),
			 DG_EINVAL);
	contacts(f->st, "me@example.com", "2026-11-24", 90, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].person, PAT);
	history_contacts_release(&h);
}

static void test_history__a_batch_of_days_stands_or_falls_together(
	void **state)
{
	struct scratch *f = *state;
	struct history_met pat[] = {{PAT, 1}}, bad[] = {{"", 1}};
	struct history_day good[] = {{"me@example.com", "2026-11-19", pat, 1},
				     {"you@example.com", "2026-11-19", pat, 1}};
	struct history_day mixed[] = {{"me@example.com", "2026-11-20", pat, 1},
				      {"you@example.com", "2026-11-20", bad, 1}};
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(history_record_days(f->st, good, 2, NOW, &err), 0);
	assert_int_equal(count(f->st, "you@example.com"), 2);
	assert_int_equal(history_record_days(f->st, mixed, 2, NOW, &err),
			 DG_EINVAL);
	/* the good day of the failed batch was not kept either */
	assert_int_equal(count(f->st, "me@example.com"), 2);
	assert_int_equal(count(f->st, PAT), 2);
}

static void test_history__a_limit_keeps_the_top_of_the_last_weeks(
	void **state)
{
	struct scratch *f = *state;
	struct history_met pat[] = {{PAT, 9}}, omer[] = {{OMER, 2}},
			       ana[] = {{ANA, 1}};
	struct history_contacts h = HISTORY_CONTACTS_INIT;
	struct dg_err err = DG_ERR_INIT;

	day(f->st, "me@example.com", "2026-09-01", pat, 1); /* not recent */
	day(f->st, "me@example.com", "2026-11-10", omer, 1);
	day(f->st, "me@example.com", "2026-11-11", ana, 1);
	assert_int_equal(history_contacts(f->st, "me@example.com",
					  "2026-11-24", 90, 1, &h, &err),
			 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].person, OMER);
	assert_string_equal(h.first_day, "2026-09-01");
	history_contacts_release(&h);
}

static void test_history__known_says_who_was_met_in_the_window(void **state)
{
	struct scratch *f = *state;
	struct history_met pat[] = {{PAT, 1}}, omer[] = {{OMER, 1}};
	const char *who[] = {"Pat@Example.com", OMER, ANA};
	bool known[3] = {false, true, true};
	struct dg_err err = DG_ERR_INIT;

	day(f->st, "me@example.com", "2026-11-20", pat, 1);
	day(f->st, "me@example.com", "2026-07-01", omer, 1); /* too old */
	assert_int_equal(history_known(f->st, "me@example.com", "2026-11-24",
				       90, who, 3, known, &err),
			 0);
	assert_true(known[0]);
	assert_false(known[1]);
	assert_false(known[2]);
}

/*
 * The reads of a run keep their statements from reader to reader: each
 * answers as history_contacts() and history_known() do, a new day
 * recorded between two reads included.
 */
static void test_history__reads_kept_answer_as_fresh_ones(void **state)
{
	struct scratch *f = *state;
	struct history_met pat[] = {{PAT, 2}}, omer[] = {{OMER, 1}};
	const char *who[] = {PAT, OMER};
	struct history_contacts a = HISTORY_CONTACTS_INIT;
	struct history_contacts b = HISTORY_CONTACTS_INIT;
	struct history_reads *r = NULL;
	struct dg_err err = DG_ERR_INIT;
	bool known[2];

	day(f->st, "me@example.com", "2026-11-20", pat, 1);
	day(f->st, "you@example.com", "2026-11-19", omer, 1);
	assert_int_equal(history_reads_open(f->st, &r, &err), 0);
	for (int round = 0; round < 2; round++) {
		const char *reader = round ? "you@example.com"
					   : "me@example.com";

		assert_int_equal(history_reads_contacts(r, reader,
							"2026-11-24", 90, 16,
							&a, &err),
				 0);
		assert_int_equal(history_contacts(f->st, reader, "2026-11-24",
						  90, 16, &b, &err),
				 0);
		assert_int_equal(a.n, 1);
		assert_int_equal(a.n, b.n);
		assert_string_equal(a.v[0].person, b.v[0].person);
		assert_int_equal(a.v[0].meetings, b.v[0].meetings);
		assert_string_equal(a.first_day, b.first_day);
		assert_int_equal(a.recorded_days, b.recorded_days);
		history_contacts_release(&a);
		history_contacts_release(&b);
		assert_int_equal(history_reads_known(r, reader, "2026-11-24",
						     90, who, 2, known, &err),
				 0);
		assert_true(known[0] == !round);
		assert_true(known[1] == !!round);
	}
	/* a day recorded meanwhile is seen by the kept statements */
	day(f->st, "me@example.com", "2026-11-21", omer, 1);
	assert_int_equal(history_reads_known(r, "me@example.com", "2026-11-24",
					     90, who, 2, known, &err),
			 0);
	assert_true(known[0] && known[1]);
	assert_int_equal(history_reads_contacts(r, "", "2026-11-24", 90, 16,
						&a, &err),
			 DG_EINVAL);
	history_reads_close(r);
	history_reads_close(NULL);
}

static void test_history__date_add_crosses_months_and_years(void **state)
{
	char out[11];

	(void)state;
	assert_int_equal(history_date_add("2026-03-01", -1, out), 0);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(history_date_add("2026-12-31", 1, out), 0);
	assert_string_equal(out, "2027-01-01");
	assert_int_equal(history_date_add("2028-02-28", 1, out), 0);
	assert_string_equal(out, "2028-02-29");
	assert_int_equal(history_date_add("2026-02-30", 1, out), DG_EINVAL);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, scratch_setup_store,             \
					scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_history__a_day_recorded_twice_counts_once),
		T(test_history__recording_a_day_again_replaces_it),
		T(test_history__one_person_twice_in_a_day_adds_up),
		T(test_history__lookups_leave_out_the_day_itself),
		T(test_history__lookups_keep_to_their_window),
		T(test_history__recent_counts_only_the_last_four_weeks),
		T(test_history__a_day_with_nobody_is_still_recorded),
		T(test_history__readers_are_kept_apart),
		T(test_history__prune_deletes_only_older_days),
		T(test_history__forget_wipes_reader_and_person),
		T(test_history__bad_input_is_refused),
		T(test_history__a_failed_record_leaves_the_day_as_it_was),
		T(test_history__a_batch_of_days_stands_or_falls_together),
		T(test_history__a_limit_keeps_the_top_of_the_last_weeks),
		T(test_history__known_says_who_was_met_in_the_window),
		T(test_history__reads_kept_answer_as_fresh_ones),
		T(test_history__date_add_crosses_months_and_years),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
