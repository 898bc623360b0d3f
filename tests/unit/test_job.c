/*
 * job: the one per-user decision, made of the facts known once the
 * user's mailbox settings are in. A skip reason wins over everything, a
 * send_at not reached over the queue, and only a user with none of them
 * has a calendar fetched.
 *
 * And the run itself, over the demo tenant (fixtures/demo: ten mailboxes,
 * five of them with a digest on 2026-11-24): every user ends in exactly
 * one count, each digest is queued then delivered once (to a Maildir
 * here), a second run sends nothing again, and a --user that names
 * nobody fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "job.h"
#include "scratch.h"
#include "strbuf.h"

/* 2026-11-23T10:00:00Z: the demo's "tomorrow" is the 24th. */
#define NOW_MS 1795428000000LL
#define DEMO_READY 5
#define DEMO_USERS 10

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


struct run {
	struct scratch sc;
	struct config cfg;
};

/* A config for the demo tenant in a scratch folder, delivering to kind. */
static int setup_run(void **state, const char *kind)
{
	const char *src = getenv("DIGEST_SRC");
	struct run *r = calloc(1, sizeof(*r));
	struct strbuf path = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	FILE *f;

	if (!r || !src)
		return -1;
	if (scratch_make(&r->sc) ||
	    strbuf_addf(&path, "%s/digest.toml", r->sc.dir.buf))
		return -1;
	f = fopen(path.buf, "w");
	if (!f)
		return -1;
	fprintf(f,
		"[store]\npath = \"%s/digest.db\"\n"
		"[source]\nkind = \"fixtures\"\n"
		"path = \"%s/fixtures/demo\"\n"
		"recorded_at = 2026-11-23T10:00:00Z\n"
		"[roster]\nfile = \"%s/fixtures/demo/roster.csv\"\n"
		"[digest]\nfrom = \"Meeting digest <digest@example.com>\"\n"
		"templates = \"%s/templates\"\nlocale = \"en-US\"\n"
		"[delivery]\nkind = \"%s\"\npath = \"%s/Maildir\"\n",
		r->sc.dir.buf, src, src, src, kind, r->sc.dir.buf);
	fclose(f);
	if (config_load(&r->cfg, path.buf, &err))
		fail_msg("config_load: %s", err.msg);
	strbuf_release(&path);
	*state = r;
	return 0;
}

static int setup_maildir(void **state)
{
	return setup_run(state, "maildir");
}

static int setup_stdout(void **state)
{
	return setup_run(state, "stdout");
}

static int teardown_run(void **state)
{
	struct run *r = *state;
	int rc;

	config_release(&r->cfg);
	rc = scratch_remove(&r->sc);
	free(r);
	return rc;
}

static struct job_opts opts_of(const struct run *r)
{
	struct job_opts o = {
		.cfg = &r->cfg, .now_ms = NOW_MS, .jobs = 2, .out_fd = -1,
	};
	return o;
}

/* Files in the Maildir's new/: messages delivered. */
static size_t delivered(const struct run *r)
{
	char path[128];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/Maildir/new", r->sc.dir.buf);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_job__a_dry_run_counts_every_user_once(void **state)
{
	struct run *r = *state;
	struct job_opts o = opts_of(r);
	struct dg_err err = DG_ERR_INIT;
	struct job_summary sum;

	o.dry_run = true;
	assert_int_equal(job_run(&o, &sum, &err), 0);
	assert_int_equal(sum.ready, DEMO_READY);
	assert_int_equal(sum.ready + sum.skipped, DEMO_USERS);
	assert_int_equal(sum.sent + sum.failed + sum.waiting + sum.deferred, 0);
	assert_int_equal(delivered(r), 0);
}

static void test_job__each_digest_is_queued_then_delivered_once(void **state)
{
	struct run *r = *state;
	struct job_opts o = opts_of(r);
	struct dg_err err = DG_ERR_INIT;
	struct job_summary sum;

	assert_int_equal(job_run(&o, &sum, &err), 0);
	assert_int_equal(sum.sent, DEMO_READY);
	assert_int_equal(sum.sent + sum.skipped, DEMO_USERS);
	assert_int_equal(sum.queue_depth, 0);
	assert_int_equal(delivered(r), DEMO_READY);
}

static void test_job__a_second_run_sends_nothing_again(void **state)
{
	struct run *r = *state;
	struct job_opts o = opts_of(r);
	struct dg_err err = DG_ERR_INIT;
	struct job_summary sum;
	size_t already = 0;

	assert_int_equal(job_run(&o, &sum, &err), 0);
	assert_int_equal(job_run(&o, &sum, &err), 0);
	assert_int_equal(sum.sent, 0);
	for (size_t i = 0; i < sum.nskips; i++)
		if (!strcmp(sum.skips[i].reason, "already_sent"))
			already = sum.skips[i].n;
	assert_int_equal(already, DEMO_READY);
	assert_int_equal(delivered(r), DEMO_READY);
}

static void test_job__a_user_who_is_nobody_fails_and_the_run_says_so(
	void **state)
{
	struct run *r = *state;
	struct job_opts o = opts_of(r);
	const char *const users[] = { "nobody@contoso.com",
				      "ZOE.MARTIN@contoso.com" };
	struct dg_err err = DG_ERR_INIT;
	struct job_summary sum;

	o.users = users;
	o.nusers = 2;
	assert_int_equal(job_run(&o, &sum, &err), DG_ETEMP);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(sum.sent, 1);
	assert_int_equal(delivered(r), 1);
}

static void test_job__stdout_prints_one_mbox_entry_per_digest(void **state)
{
	struct run *r = *state;
	struct job_opts o = opts_of(r);
	struct dg_err err = DG_ERR_INIT;
	struct job_summary sum;
	char line[1024];
	size_t froms = 0;
	FILE *f = tmpfile();

	assert_non_null(f);
	o.out_fd = fileno(f);
	assert_int_equal(job_run(&o, &sum, &err), 0);
	assert_int_equal(sum.sent, DEMO_READY);
	rewind(f);
	while (fgets(line, sizeof(line), f))
		froms += !strncmp(line, "From ", 5);
	fclose(f);
	assert_int_equal(froms, DEMO_READY);
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
		cmocka_unit_test_setup_teardown(
			test_job__a_dry_run_counts_every_user_once,
			setup_maildir, teardown_run),
		cmocka_unit_test_setup_teardown(
			test_job__each_digest_is_queued_then_delivered_once,
			setup_maildir, teardown_run),
		cmocka_unit_test_setup_teardown(
			test_job__a_second_run_sends_nothing_again,
			setup_maildir, teardown_run),
		cmocka_unit_test_setup_teardown(
			test_job__a_user_who_is_nobody_fails_and_the_run_says_so,
			setup_maildir, teardown_run),
		cmocka_unit_test_setup_teardown(
			test_job__stdout_prints_one_mbox_entry_per_digest,
			setup_stdout, teardown_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
