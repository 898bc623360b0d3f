/*
 * compose_pool: messages composed on threads of their own, as
 * compose_message() composes them, taken in the order they finish, and
 * never more than two a thread left waiting for the caller.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "compose.h"
#include "config.h"
#include "plan.h"
#include "plan_day.h"
#include "render.h"
#include "strbuf.h"

/* 2026-11-23T10:00:00Z, a Monday morning. */
#define NOW_MS INT64_C(1795428000000)

struct pool_fixture {
	struct strbuf templates;
	struct config cfg;
	struct compose c;
	struct cal_user user;
	struct plan_target target;
	struct plan_day day;
	struct render_input in;
	atomic_int wakes;
};

static void wake(void *ctx)
{
	struct pool_fixture *f = ctx;

	atomic_fetch_add(&f->wakes, 1);
}

static int setup(void **state)
{
	const char *src = getenv("DIGEST_SRC");
	struct pool_fixture *f;
	struct dg_err err = DG_ERR_INIT;

	if (!src)
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->templates = (struct strbuf)STRBUF_INIT;
	if (strbuf_addf(&f->templates, "%s/templates", src))
		return -1;
	f->cfg.digest.templates = f->templates.buf;
	f->cfg.digest.from = "Meeting digest <digest@contoso.com>";
	if (compose_init(&f->c, &f->cfg, NULL, NOW_MS, &err))
		return -1;
	f->user.mail = (char *)"zoe@contoso.com";
	f->user.display_name = (char *)"Zoë Martin";
	f->target = (struct plan_target)PLAN_TARGET_INIT;
	memcpy(f->target.date, "2026-11-24", 11);
	f->target.zone = (char *)"America/Los_Angeles";
	f->target.locale = (char *)"en-US";
	f->target.start_ms = NOW_MS + 22 * 3600 * 1000;
	f->target.end_ms = f->target.start_ms + 24 * 3600 * 1000;
	f->day = (struct plan_day)PLAN_DAY_INIT;
	f->day.date_label = (char *)"Tuesday, November 24, 2026";
	f->in.user = &f->user;
	f->in.target = &f->target;
	f->in.day = &f->day;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct pool_fixture *f = *state;

	compose_release(&f->c);
	strbuf_release(&f->templates);
	free(f);
	return 0;
}

static void open_pool(struct pool_fixture *f, unsigned n,
		      struct compose_pool **p)
{
	struct dg_err err = DG_ERR_INIT;

	if (compose_pool_open(&f->cfg, &f->c, n, wake, f, p, &err))
		fail_msg("compose_pool_open: %s", err.msg);
}

/* Wait up to 10 s (valgrind is slow) until the pool has want waiting. */
static void wait_for(struct compose_pool *p, size_t want)
{
	for (int i = 0; i < 1000 && compose_pool_done(p) < want; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(compose_pool_done(p), want);
}

static void take(struct compose_pool *p, void *tag)
{
	struct compose_result r;

	assert_true(compose_pool_next(p, &r));
	assert_int_equal(r.status, 0);
	assert_ptr_equal(r.tag, tag);
	assert_non_null(strstr(r.msg.buf, "Message-ID:"));
	assert_true(r.id.len > 0);
	strbuf_release(&r.msg);
	strbuf_release(&r.id);
}

static void test_compose_pool__results_come_in_order_with_one_wake(
	void **state)
{
	struct pool_fixture *f = *state;
	struct compose_pool *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	int tags[2];

	open_pool(f, 1, &p);
	for (int i = 0; i < 2; i++)
		assert_int_equal(compose_pool_add(p, &f->in, 1, &tags[i], &err),
				 0);
	wait_for(p, 2);
	assert_int_equal(compose_pool_pending(p), 2);
	/* the second result found the first waiting: no second wake */
	assert_int_equal(atomic_load(&f->wakes), 1);
	take(p, &tags[0]);
	take(p, &tags[1]);
	assert_int_equal(compose_pool_pending(p), 0);
	assert_false(compose_pool_ready(p));
	compose_pool_close(p);
}

static void test_compose_pool__threads_wait_while_two_each_are_untaken(
	void **state)
{
	struct pool_fixture *f = *state;
	struct compose_pool *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	int tags[6];

	open_pool(f, 1, &p);
	for (int i = 0; i < 6; i++)
		assert_int_equal(compose_pool_add(p, &f->in, 1, &tags[i], &err),
				 0);
	wait_for(p, 2);
	/* time enough for more, and none more is composed */
	nanosleep(&ts, NULL);
	assert_int_equal(compose_pool_done(p), 2);
	assert_int_equal(compose_pool_pending(p), 6);
	/* a result taken makes room for one more */
	take(p, &tags[0]);
	wait_for(p, 2);
	for (int i = 1; i < 6; i++) {
		wait_for(p, i < 4 ? 2 : (size_t)(6 - i));
		take(p, &tags[i]);
	}
	assert_int_equal(compose_pool_pending(p), 0);
	compose_pool_close(p);
}

/* Closed with jobs waiting and results untaken: nothing leaks, no hang. */
static void test_compose_pool__closes_with_work_left(void **state)
{
	struct pool_fixture *f = *state;
	struct compose_pool *p = NULL;
	struct dg_err err = DG_ERR_INIT;
	int tag;

	open_pool(f, 2, &p);
	for (int i = 0; i < 8; i++)
		assert_int_equal(compose_pool_add(p, &f->in, 1, &tag, &err), 0);
	/* two threads: a fourth result may find the other one composing */
	while (compose_pool_done(p) < 4) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	assert_true(compose_pool_done(p) <= 5);
	compose_pool_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_compose_pool__results_come_in_order_with_one_wake,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_compose_pool__threads_wait_while_two_each_are_untaken,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_compose_pool__closes_with_work_left, setup,
			teardown),
	};

	if (!getenv("DIGEST_SRC")) {
		print_message("skipped: DIGEST_SRC is not set\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
