/*
 * queue_status: a verdict is one of four and replaces the earlier one of
 * its (user, date); the status view folds the queue's digest row into the
 * verdict, shows the latest date when none is asked, and is empty for an
 * empty store. Each test works in a fresh temporary folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "queue.h"
#include "queue_fixture.h"
#include "queue_status.h"
#include "store.h"

static void
test_queue_status__record_outcome_rejects_an_unknown_one(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(queue_record_outcome(f->st, "ann@contoso.com", DAY,
					      "lost", NULL, NOW, &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": outcome 'lost' is not queued, sent, skipped or "
			    "failed");
}

static void
test_queue_status__folds_the_queue_rows_into_the_outcomes(void **state)
{
	struct scratch *f = *state;
	struct queue_status_row *v = NULL;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;
	int64_t id;

	outcome(f->st, "ann@contoso.com", DAY, "skipped", "out_of_office");
	outcome(f->st, "bob@contoso.com", DAY, "queued", NULL);
	sent(f->st, put_digest(f->st, "bob@contoso.com"), NOW + 9);
	outcome(f->st, "carl@contoso.com", DAY, "failed", "connection refused");
	sending(f->st, put_digest(f->st, "carl@contoso.com"), NOW + 3);
	id = put_digest(f->st, "dave@contoso.com");
	assert_int_equal(queue_mark_failed(f->st, id, "550 5.1.1 no such user",
					   NOW + 4, &err),
			 0);
	outcome(f->st, "eve@contoso.com", "2026-11-23", "sent", NULL);

	status(f->st, DAY, &v, &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].user, "ann@contoso.com");
	assert_string_equal(v[0].date, DAY);
	assert_string_equal(v[0].outcome, "skipped");
	assert_string_equal(v[0].reason, "out_of_office");
	assert_int_equal(v[0].attempts, 0);
	assert_int_equal(v[0].at, NOW);
	assert_null(v[0].last_reply);
	assert_string_equal(v[1].outcome, "sent");
	assert_null(v[1].reason); /* the row overrode "queued" */
	assert_int_equal(v[1].attempts, 1);
	assert_int_equal(v[1].at, NOW + 9);
	assert_string_equal(v[1].last_reply, "250 2.0.0 Ok: queued as 12");
	assert_string_equal(v[2].user, "carl@contoso.com");
	assert_string_equal(v[2].outcome, "queued"); /* in flight */
	assert_int_equal(v[2].attempts, 1);
	assert_string_equal(v[3].user, "dave@contoso.com"); /* no verdict */
	assert_string_equal(v[3].outcome, "failed");
	assert_string_equal(v[3].last_reply, "550 5.1.1 no such user");
	assert_int_equal(v[3].at, NOW + 4);
	queue_status_free(v, n);
}

static void test_queue_status__without_a_date_shows_the_latest(void **state)
{
	struct scratch *f = *state;
	struct queue_status_row *v = NULL;
	size_t n = 0;

	outcome(f->st, "ann@contoso.com", "2026-11-23", "sent", NULL);
	outcome(f->st, "bob@contoso.com", "2026-11-23", "sent", NULL);
	put(f->st, "ann@contoso.com", "2026-11-25", "digest", NOW);
	status(f->st, NULL, &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].date, "2026-11-25");
	assert_string_equal(v[0].outcome, "queued");
	queue_status_free(v, n);
}

static void test_queue_status__of_an_empty_store_is_empty(void **state)
{
	struct scratch *f = *state;
	struct queue_status_row *v = NULL;
	size_t n = 3;

	status(f->st, NULL, &v, &n);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void
test_queue_status__a_later_outcome_replaces_the_earlier(void **state)
{
	struct scratch *f = *state;
	struct queue_status_row *v = NULL;
	size_t n = 0;

	outcome(f->st, "ann@contoso.com", DAY, "failed", "token expired");
	outcome(f->st, "ANN@contoso.com", DAY, "skipped", "no_meetings");
	status(f->st, DAY, &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].outcome, "skipped");
	assert_string_equal(v[0].reason, "no_meetings");
	queue_status_free(v, n);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, scratch_setup_store,             \
					scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_queue_status__record_outcome_rejects_an_unknown_one),
		T(test_queue_status__folds_the_queue_rows_into_the_outcomes),
		T(test_queue_status__without_a_date_shows_the_latest),
		T(test_queue_status__of_an_empty_store_is_empty),
		T(test_queue_status__a_later_outcome_replaces_the_earlier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
