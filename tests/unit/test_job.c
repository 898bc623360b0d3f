/*
 * job: the one per-user decision, made of the facts known once the
 * user's mailbox settings are in. A skip reason wins over everything, a
 * send_at not reached over the queue, and only a user with none of them
 * has a calendar fetched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "job.h"

static void test_job__a_user_with_nothing_against_is_fetched(void **state)
{
	struct job_facts f = { NULL, false, false };
	const char *reason = "x";

	(void)state;
	assert_int_equal(job_decide(&f, &reason), JOB_FETCH);
	assert_null(reason);
}

static void test_job__a_skip_reason_wins_over_send_at_and_queue(
	void **state)
{
	struct job_facts f = { "out_of_office", true, true };
	const char *reason = NULL;

	(void)state;
	assert_int_equal(job_decide(&f, &reason), JOB_SKIP);
	assert_string_equal(reason, "out_of_office");
}

static void test_job__before_send_at_the_user_waits_even_if_queued(
	void **state)
{
	struct job_facts f = { NULL, true, true };
	const char *reason;

	(void)state;
	assert_int_equal(job_decide(&f, &reason), JOB_WAIT);
}

static void test_job__a_digest_in_the_queue_is_not_built_again(void **state)
{
	struct job_facts f = { NULL, false, true };
	const char *reason;

	(void)state;
	assert_int_equal(job_decide(&f, &reason), JOB_IN_QUEUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_job__a_user_with_nothing_against_is_fetched),
		cmocka_unit_test(
			test_job__a_skip_reason_wins_over_send_at_and_queue),
		cmocka_unit_test(
			test_job__before_send_at_the_user_waits_even_if_queued),
		cmocka_unit_test(
			test_job__a_digest_in_the_queue_is_not_built_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
