/*
 * queue: a message is stored before any send, a digest once per (user,
 * date), states move forward, a crash leaves the message in flight due
 * again, retries wait, everything survives closing the store. Each test
 * works in a fresh temporary folder (scratch.h); the verdicts and
 * the status view are tested in test_queue_status.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "queue.h"
#include "queue_fixture.h"
#include "store.h"
#include "strbuf.h"

static void reopen(struct scratch *f)
{
	store_close(f->st);
	f->st = scratch_open(f);
}

static bool retry(struct store *st, int64_t id, int64_t now)
{
	struct dg_err err = DG_ERR_INIT;
	bool gave_up = true;

	if (queue_mark_retry(st, id, "451 4.3.0 try later", now, &gave_up,
			     &err))
		fail_msg("queue_mark_retry: %s", err.msg);
	return gave_up;
}

/* The ids of the rows due at now, as "1,2,3". */
static void due_ids(struct store *st, int64_t now, const char *date,
		    struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg *v = NULL;
	size_t n = 0, i;

	if (queue_due(st, now, date, &v, &n, &err))
		fail_msg("queue_due: %s", err.msg);
	strbuf_reset(out);
	for (i = 0; i < n; i++)
		assert_int_equal(strbuf_addf(out, "%s%lld", i ? "," : "",
					     (long long)v[i].id),
				 0);
	queue_msgs_free(v, n);
}

static void assert_due(struct store *st, int64_t now, const char *expect)
{
	struct strbuf ids = STRBUF_INIT;

	due_ids(st, now, NULL, &ids);
	assert_string_equal(ids.buf, expect);
	strbuf_release(&ids);
}

static void find(struct store *st, const char *user, struct queue_msg *m)
{
	struct dg_err err = DG_ERR_INIT;

	if (queue_find(st, user, DAY, m, &err))
		fail_msg("queue_find: %s", err.msg);
}

static void assert_state(struct store *st, const char *user, const char *state,
			 unsigned attempts)
{
	struct queue_msg m = QUEUE_MSG_INIT;

	find(st, user, &m);
	assert_string_equal(m.state, state);
	assert_int_equal(m.attempts, attempts);
	queue_msg_release(&m);
}

static void test_queue__put_message_is_due_at_once_byte_for_byte(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg *v = NULL;
	size_t n = 0;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	assert_int_equal(queue_due(f->st, NOW, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, id);
	assert_string_equal(v[0].user, "ann@contoso.com");
	assert_string_equal(v[0].date, DAY);
	assert_string_equal(v[0].kind, "digest");
	assert_string_equal(v[0].state, "queued");
	assert_int_equal(v[0].attempts, 0);
	assert_string_equal(v[0].recipient, "ann@contoso.com");
	assert_string_equal(v[0].message_id, "<1@digest>");
	assert_int_equal(v[0].message_len, strlen(MSG));
	assert_memory_equal(v[0].message, MSG, strlen(MSG) + 1);
	assert_null(v[0].last_reply);
	assert_int_equal(v[0].created_at, NOW);
	assert_int_equal(v[0].sent_at, 0);
	queue_msgs_free(v, n);
}

static void test_queue__nothing_due_gives_an_empty_list(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg *v = NULL;
	size_t n = 7;

	assert_int_equal(queue_due(f->st, NOW, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void
test_queue__second_digest_for_same_user_and_date_is_rejected(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	put_digest(f->st, "ann@contoso.com");
	assert_int_equal(queue_put(f->st, "Ann@Contoso.com", DAY, "digest",
				   "ann@contoso.com", "<2@digest>", MSG,
				   strlen(MSG), NOW, NULL, &err),
			 DG_EEXISTS);
	assert_string_equal(strstr(err.msg, ": "),
			    ": the digest of Ann@Contoso.com for 2026-11-24 "
			    "is already in the queue (resend sends it again)");
	assert_due(f->st, NOW, "1");
}

static void test_queue__sent_digest_still_blocks_a_second_put(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	sent(f->st, put_digest(f->st, "ann@contoso.com"), NOW);
	assert_int_equal(queue_put(f->st, "ann@contoso.com", DAY, "digest",
				   "ann@contoso.com", "<2@digest>", MSG,
				   strlen(MSG), NOW, NULL, &err),
			 DG_EEXISTS);
}

static void test_queue__digest_of_another_date_is_a_new_row(void **state)
{
	struct scratch *f = *state;

	put_digest(f->st, "ann@contoso.com");
	put(f->st, "ann@contoso.com", "2026-11-25", "digest", NOW);
	assert_due(f->st, NOW, "1,2");
}

static void test_queue__resend_adds_a_row_each_time(void **state)
{
	struct scratch *f = *state;

	sent(f->st, put_digest(f->st, "ann@contoso.com"), NOW);
	put(f->st, "ann@contoso.com", DAY, "resend", NOW + 1);
	put(f->st, "ann@contoso.com", DAY, "resend", NOW + 2);
	assert_due(f->st, NOW + 2, "2,3");
}

static void test_queue__put_rejects_an_unknown_kind(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(queue_put(f->st, "ann@contoso.com", DAY, "again",
				   "ann@contoso.com", "<1@digest>", MSG,
				   strlen(MSG), NOW, NULL, &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": the message for ann@contoso.com on 2026-11-24 "
			    "has kind 'again', not digest or resend");
}

static void test_queue__put_rejects_an_empty_message(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(queue_put(f->st, "ann@contoso.com", DAY, "digest",
				   "ann@contoso.com", "<1@digest>", "", 0, NOW,
				   NULL, &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": the message for ann@contoso.com on 2026-11-24 "
			    "is empty");
}

static void test_queue__put_rejects_a_missing_recipient(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(queue_put(f->st, "ann@contoso.com", DAY, "digest", "",
				   "<1@digest>", MSG, strlen(MSG), NOW, NULL,
				   &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": the message for ann@contoso.com on 2026-11-24 "
			    "has no recipient or no Message-ID");
}

/* Read one int from the file through a connection of its own. */
static long long sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void test_queue__mark_sending_is_committed_before_the_send(void **state)
{
	struct scratch *f = *state;

	sending(f->st, put_digest(f->st, "ann@contoso.com"), NOW);
	/* another connection sees it: it is committed, not pending */
	assert_int_equal(sql_int(f->db.buf, "SELECT attempts FROM queue "
					    "WHERE state = 'sending'"),
			 1);
}

/* Run sql (several statements) through a connection of its own. */
static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_queue__a_verdict_leaves_the_message_bytes_alone(void **state)
{
	struct scratch *f = *state;
	int64_t id = put_digest(f->st, "ann@contoso.com");
	long long before = sql_int(f->db.buf, "SELECT count(*) FROM "
				   "queue_bodies WHERE message = CAST("
				   "'Subject: hi' || char(13, 10, 13, 10) || "
				   "'line 1' || char(13, 10) AS BLOB)");

	sending(f->st, id, NOW);
	sent(f->st, id, NOW + 1);
	assert_int_equal(before, 1);
	/* the row that changes carries no message; the body is as written */
	assert_int_equal(sql_int(f->db.buf, "SELECT count(*) FROM "
				 "pragma_table_info('queue') "
				 "WHERE name = 'message'"),
			 0);
	assert_int_equal(sql_int(f->db.buf, "SELECT length(message) FROM "
				 "queue_bodies"),
			 (long long)strlen(MSG));
}

/*
 * A database of schema 6 kept each message inside its queue row (and had
 * none of the later tables: work_hours).
 */
static void test_queue__an_older_queue_keeps_its_messages(void **state)
{
	struct scratch *f = *state;
	struct queue_msg *v = NULL;
	struct dg_err err = DG_ERR_INIT;
	size_t n = 0;

	store_close(f->st);
	f->st = NULL;
	sql_exec(f->db.buf,
		 "DROP TABLE queue_bodies;" /* and what came after version 6 */
		 "DROP TABLE work_hours;"
		 "DROP TABLE history;"
		 "DROP TABLE history_days;"
		 "ALTER TABLE queue ADD COLUMN message BLOB;"
		 "INSERT INTO queue(user, date, recipient, message_id, "
		 " message, created_at, updated_at) VALUES ('ann@contoso.com',"
		 " '2026-11-24', 'ann@contoso.com', '<1@digest>',"
		 " CAST('Subject: old' AS BLOB), 1, 1);"
		 "PRAGMA user_version = 6;");
	f->st = scratch_open(f);
	assert_int_equal(queue_next(f->st, NOW, 0, false, 10, &v, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].message_len, strlen("Subject: old"));
	assert_memory_equal(v[0].message, "Subject: old", v[0].message_len);
	queue_msgs_free(v, n);
	assert_int_equal(sql_int(f->db.buf, "PRAGMA user_version"), 10);
}

static void
test_queue__mark_sending_inside_a_transaction_is_refused(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(queue_mark_sending(f->st, id, NOW, &err),
			 DG_EINTERNAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": message 1 must be marked sending outside a "
			    "transaction, so the mark is on disk before the "
			    "send");
	store_rollback(f->st);
	assert_state(f->st, "ann@contoso.com", "queued", 0);
}

/*
 * A child process marks row id sending and is killed: no mark_sent, no
 * store_close, no exit handler (and nothing for valgrind to count).
 */
static void crash_while_sending(struct scratch *f, int64_t id)
{
	pid_t pid;
	int status = 0;

	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct dg_err err = DG_ERR_INIT;
		struct store *st = NULL;

		if (store_open(f->db.buf, &st, &err) ||
		    queue_mark_sending(st, id, NOW, &err))
			_exit(1);
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void test_queue__row_left_sending_by_a_crash_is_due_again(void **state)
{
	struct scratch *f = *state;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	store_close(f->st);
	f->st = NULL;
	crash_while_sending(f, id);
	f->st = scratch_open(f);
	assert_state(f->st, "ann@contoso.com", "sending", 1);
	assert_due(f->st, NOW, "1");
	sending(f->st, id, NOW + 1);
	assert_state(f->st, "ann@contoso.com", "sending", 2);
}

static void
test_queue__crashed_row_with_no_attempt_left_is_failed_not_due(void **state)
{
	struct scratch *f = *state;
	struct queue_msg m = QUEUE_MSG_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");
	int64_t now = NOW;
	unsigned i;

	for (i = 1; i < QUEUE_MAX_ATTEMPTS; i++) {
		sending(f->st, id, now);
		assert_false(retry(f->st, id, now));
		now += queue_backoff_ms(i);
	}
	sending(f->st, id, now); /* the last attempt; then the crash */
	reopen(f);
	assert_due(f->st, now + 1, "");
	find(f->st, "ann@contoso.com", &m);
	assert_string_equal(m.state, "failed");
	assert_string_equal(m.last_reply, "gave up after 10 attempts: the run "
					  "stopped during the last one");
	queue_msg_release(&m);
}

static void test_queue__backoff_grows_then_stays_at_its_cap(void **state)
{
	assert_int_equal(queue_backoff_ms(0), 0);
	assert_int_equal(queue_backoff_ms(1), 1 * MINUTE);
	assert_int_equal(queue_backoff_ms(2), 5 * MINUTE);
	assert_int_equal(queue_backoff_ms(3), 15 * MINUTE);
	assert_int_equal(queue_backoff_ms(4), 30 * MINUTE);
	assert_int_equal(queue_backoff_ms(5), 60 * MINUTE);
	assert_int_equal(queue_backoff_ms(6), 120 * MINUTE);
	assert_int_equal(queue_backoff_ms(7), 240 * MINUTE);
	assert_int_equal(queue_backoff_ms(100), 240 * MINUTE);
}

static void test_queue__retry_is_not_due_before_its_backoff(void **state)
{
	struct scratch *f = *state;
	struct queue_msg m = QUEUE_MSG_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	sending(f->st, id, NOW);
	assert_false(retry(f->st, id, NOW));
	find(f->st, "ann@contoso.com", &m);
	assert_string_equal(m.state, "queued");
	assert_int_equal(m.next_attempt_at, NOW + MINUTE);
	assert_string_equal(m.last_reply, "451 4.3.0 try later");
	queue_msg_release(&m);
	assert_due(f->st, NOW + MINUTE - 1, "");
	assert_due(f->st, NOW + MINUTE, "1");
	sending(f->st, id, NOW + MINUTE);
	assert_false(retry(f->st, id, NOW + MINUTE));
	assert_due(f->st, NOW + MINUTE + 5 * MINUTE - 1, "");
	assert_due(f->st, NOW + MINUTE + 5 * MINUTE, "1");
}

static void test_queue__retry_after_the_last_attempt_fails(void **state)
{
	struct scratch *f = *state;
	int64_t id = put_digest(f->st, "ann@contoso.com");
	int64_t now = NOW;
	unsigned i;

	for (i = 1; i < QUEUE_MAX_ATTEMPTS; i++) {
		sending(f->st, id, now);
		assert_false(retry(f->st, id, now));
		now += queue_backoff_ms(i);
	}
	sending(f->st, id, now);
	assert_true(retry(f->st, id, now));
	assert_state(f->st, "ann@contoso.com", "failed", QUEUE_MAX_ATTEMPTS);
	assert_due(f->st, now + 24 * 60 * MINUTE, "");
}

static void test_queue__sent_row_is_never_due_again(void **state)
{
	struct scratch *f = *state;
	struct queue_msg m = QUEUE_MSG_INIT;

	sent(f->st, put_digest(f->st, "ann@contoso.com"), NOW + 5);
	assert_due(f->st, NOW + 365 * 24 * 60 * MINUTE, "");
	find(f->st, "ann@contoso.com", &m);
	assert_string_equal(m.state, "sent");
	assert_int_equal(m.sent_at, NOW + 5);
	assert_string_equal(m.last_reply, "250 2.0.0 Ok: queued as 12");
	queue_msg_release(&m);
}

static void test_queue__failed_row_is_never_due_again(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	sending(f->st, id, NOW);
	assert_int_equal(queue_mark_failed(f->st, id, "550 5.1.1 no such user",
					   NOW, &err),
			 0);
	assert_due(f->st, NOW + 365 * 24 * 60 * MINUTE, "");
	assert_state(f->st, "ann@contoso.com", "failed", 1);
}

static void test_queue__a_sent_row_cannot_be_sent_again(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	sent(f->st, id, NOW);
	assert_int_equal(queue_mark_sending(f->st, id, NOW, &err), DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": message 1 is sent, so it cannot become sending");
	assert_state(f->st, "ann@contoso.com", "sent", 1);
}

static void test_queue__a_queued_row_cannot_be_marked_sent(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	assert_int_equal(queue_mark_sent(f->st, id, NULL, NOW, &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": message 1 is queued, so it cannot become sent");
	assert_int_equal(queue_mark_retry(f->st, id, NULL, NOW, NULL, &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": message 1 is queued, so it cannot become "
			    "queued for a retry");
}

static void test_queue__a_queued_row_can_be_failed_unsent(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	assert_int_equal(queue_mark_failed(f->st, id, "bad address", NOW, &err),
			 0);
	assert_state(f->st, "ann@contoso.com", "failed", 0);
}

static void test_queue__marks_on_a_missing_row_say_not_found(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(queue_mark_sending(f->st, 42, NOW, &err),
			 DG_ENOTFOUND);
	assert_string_equal(strstr(err.msg, ": "),
			    ": there is no message 42 in the queue");
	assert_int_equal(queue_mark_sent(f->st, 42, NULL, NOW, &err),
			 DG_ENOTFOUND);
	assert_int_equal(queue_mark_retry(f->st, 42, NULL, NOW, NULL, &err),
			 DG_ENOTFOUND);
	assert_int_equal(queue_mark_failed(f->st, 42, NULL, NOW, &err),
			 DG_ENOTFOUND);
}

static void test_queue__mark_sent_rolls_back_with_the_caller(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	sending(f->st, id, NOW);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(queue_mark_sent(f->st, id, NULL, NOW, &err), 0);
	assert_int_equal(queue_record_outcome(f->st, "ann@contoso.com", DAY,
					      "sent", NULL, NOW, &err),
			 0);
	store_rollback(f->st);
	assert_state(f->st, "ann@contoso.com", "sending", 1);
}

static void test_queue__retry_inside_a_transaction_joins_it(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t id = put_digest(f->st, "ann@contoso.com");

	sending(f->st, id, NOW);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_false(retry(f->st, id, NOW));
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_state(f->st, "ann@contoso.com", "queued", 1);
}

static void test_queue__due_keeps_to_the_date_asked(void **state)
{
	struct scratch *f = *state;
	struct strbuf ids = STRBUF_INIT;

	put(f->st, "ann@contoso.com", "2026-11-23", "digest", NOW);
	put_digest(f->st, "ann@contoso.com");
	due_ids(f->st, NOW, DAY, &ids);
	assert_string_equal(ids.buf, "2");
	strbuf_release(&ids);
}

static void test_queue__due_lists_the_oldest_first(void **state)
{
	struct scratch *f = *state;

	put(f->st, "bob@contoso.com", DAY, "digest", NOW + 2);
	put(f->st, "ann@contoso.com", DAY, "digest", NOW + 1);
	assert_due(f->st, NOW + 2, "2,1");
}

static size_t depth(struct store *st)
{
	struct dg_err err = DG_ERR_INIT;
	size_t n = 99;

	if (queue_depth(st, &n, &err))
		fail_msg("queue_depth: %s", err.msg);
	return n;
}

static void test_queue__depth_counts_what_is_still_to_deliver(void **state)
{
	struct scratch *f = *state;
	int64_t a, b;

	assert_int_equal(depth(f->st), 0);
	a = put_digest(f->st, "ann@contoso.com");
	b = put_digest(f->st, "bob@contoso.com");
	put_digest(f->st, "cy@contoso.com");
	assert_int_equal(depth(f->st), 3);
	sent(f->st, a, NOW);
	assert_int_equal(depth(f->st), 2);
	/* Left "sending" by a crash: still to deliver. */
	sending(f->st, b, NOW);
	assert_int_equal(depth(f->st), 2);
}

static void test_queue__find_is_case_insensitive_on_the_user(void **state)
{
	struct scratch *f = *state;
	struct queue_msg m = QUEUE_MSG_INIT;

	put_digest(f->st, "ann@contoso.com");
	find(f->st, "ANN@contoso.com", &m);
	assert_int_equal(m.id, 1);
	assert_string_equal(m.kind, "digest");
	queue_msg_release(&m);
}

static void test_queue__find_without_a_digest_says_not_found(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct queue_msg m = QUEUE_MSG_INIT;

	put(f->st, "ann@contoso.com", DAY, "resend", NOW);
	assert_int_equal(queue_find(f->st, "ann@contoso.com", DAY, &m, &err),
			 DG_ENOTFOUND);
	assert_string_equal(strstr(err.msg, ": "),
			    ": no digest of ann@contoso.com for 2026-11-24 in "
			    "the queue");
}

static void test_queue__everything_survives_reopening_the_store(void **state)
{
	struct scratch *f = *state;
	struct queue_status_row *v = NULL;
	size_t n = 0;
	int64_t id;

	sent(f->st, put_digest(f->st, "ann@contoso.com"), NOW);
	id = put_digest(f->st, "bob@contoso.com");
	sending(f->st, id, NOW);
	assert_false(retry(f->st, id, NOW));
	put(f->st, "carl@contoso.com", DAY, "resend", NOW);
	outcome(f->st, "dave@contoso.com", DAY, "skipped", "no_meetings");
	reopen(f);
	assert_state(f->st, "ann@contoso.com", "sent", 1);
	assert_state(f->st, "bob@contoso.com", "queued", 1);
	assert_due(f->st, NOW, "3");
	assert_due(f->st, NOW + MINUTE, "2,3");
	status(f->st, DAY, &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[2].user, "dave@contoso.com");
	assert_string_equal(v[2].reason, "no_meetings");
	queue_status_free(v, n);
}

static void next_ok(struct store *st, int64_t after, bool ignore_backoff,
		    size_t limit, struct queue_msg **v, size_t *n)
{
	struct dg_err err = DG_ERR_INIT;

	if (queue_next(st, NOW, after, ignore_backoff, limit, v, n, &err))
		fail_msg("queue_next: %s", err.msg);
}

static void test_queue__next_walks_due_rows_in_id_order_after_a_cursor(
	void **state)
{
	struct scratch *f = *state;
	int64_t a = put_digest(f->st, "a@contoso.com");
	int64_t b = put_digest(f->st, "b@contoso.com");
	struct queue_msg *v = NULL;
	size_t n = 0;

	next_ok(f->st, 0, false, 1, &v, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a);
	queue_msgs_free(v, n);
	next_ok(f->st, a, false, 8, &v, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, b);
	queue_msgs_free(v, n);
	next_ok(f->st, b, false, 8, &v, &n);
	assert_int_equal(n, 0);
}

static void test_queue__next_skips_a_deferred_row_unless_told_to_ignore_backoff(
	void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	int64_t a = put_digest(f->st, "a@contoso.com");
	struct queue_msg *v = NULL;
	size_t n = 0;

	sending(f->st, a, NOW);
	assert_int_equal(queue_mark_retry(f->st, a, "451", NOW, NULL, &err), 0);
	next_ok(f->st, 0, false, 8, &v, &n);
	assert_int_equal(n, 0);
	next_ok(f->st, 0, true, 8, &v, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a);
	queue_msgs_free(v, n);
}

static void test_queue__next_offers_a_row_a_crash_left_sending(void **state)
{
	struct scratch *f = *state;
	int64_t a = put_digest(f->st, "a@contoso.com");
	struct queue_msg *v = NULL;
	size_t n = 0;

	sending(f->st, a, NOW);
	next_ok(f->st, 0, false, 8, &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].state, "sending");
	queue_msgs_free(v, n);
	/* Behind the cursor, a row in flight is not offered again. */
	next_ok(f->st, a, false, 8, &v, &n);
	assert_int_equal(n, 0);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, scratch_setup_store,             \
					scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_queue__put_message_is_due_at_once_byte_for_byte),
		T(test_queue__next_walks_due_rows_in_id_order_after_a_cursor),
		T(test_queue__next_skips_a_deferred_row_unless_told_to_ignore_backoff),
		T(test_queue__next_offers_a_row_a_crash_left_sending),
		T(test_queue__nothing_due_gives_an_empty_list),
		T(test_queue__second_digest_for_same_user_and_date_is_rejected),
		T(test_queue__sent_digest_still_blocks_a_second_put),
		T(test_queue__digest_of_another_date_is_a_new_row),
		T(test_queue__resend_adds_a_row_each_time),
		T(test_queue__put_rejects_an_unknown_kind),
		T(test_queue__put_rejects_an_empty_message),
		T(test_queue__put_rejects_a_missing_recipient),
		T(test_queue__mark_sending_is_committed_before_the_send),
		T(test_queue__a_verdict_leaves_the_message_bytes_alone),
		T(test_queue__an_older_queue_keeps_its_messages),
		T(test_queue__mark_sending_inside_a_transaction_is_refused),
		T(test_queue__row_left_sending_by_a_crash_is_due_again),
		T(test_queue__crashed_row_with_no_attempt_left_is_failed_not_due),
		T(test_queue__backoff_grows_then_stays_at_its_cap),
		T(test_queue__retry_is_not_due_before_its_backoff),
		T(test_queue__retry_after_the_last_attempt_fails),
		T(test_queue__sent_row_is_never_due_again),
		T(test_queue__failed_row_is_never_due_again),
		T(test_queue__a_sent_row_cannot_be_sent_again),
		T(test_queue__a_queued_row_cannot_be_marked_sent),
		T(test_queue__a_queued_row_can_be_failed_unsent),
		T(test_queue__marks_on_a_missing_row_say_not_found),
		T(test_queue__mark_sent_rolls_back_with_the_caller),
		T(test_queue__retry_inside_a_transaction_joins_it),
		T(test_queue__due_keeps_to_the_date_asked),
		T(test_queue__due_lists_the_oldest_first),
		T(test_queue__depth_counts_what_is_still_to_deliver),
		T(test_queue__find_is_case_insensitive_on_the_user),
		T(test_queue__find_without_a_digest_says_not_found),
		T(test_queue__everything_survives_reopening_the_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
