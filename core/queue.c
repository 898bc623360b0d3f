#include "queue.h"
#include "queue_int.h"
#include "store_db.h"
#include "logging.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/*
 * A row with its message (MSG_FROM: the body joined by id), or without
 * (ROW_COLUMNS: NULL in its place) for the questions that need no body.
 */
#define ROW_COLUMNS_WITH(body)                                                 \
	"q.id, q.user, q.date, q.kind, q.state, q.attempts, q.recipient, "     \
	"q.message_id, " body ", q.last_reply, q.created_at, q.updated_at, "   \
	"q.next_attempt_at, q.sent_at"
#define MSG_COLUMNS ROW_COLUMNS_WITH("b.message")
#define ROW_COLUMNS ROW_COLUMNS_WITH("NULL")
#define MSG_FROM "queue q JOIN queue_bodies b ON b.id = q.id"

static int oom(struct store *st, struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM, "%s: out of memory reading the queue",
		       store_path(st));
}

/*
 * A transaction of our own (BEGIN IMMEDIATE: we write after reading, and
 * a deferred one could not take the write lock then without failing), or
 * a savepoint in the caller's, so that what we do stands or falls with it.
 */
static int tx_begin(struct store *st, bool *own, const char *what,
		    struct dg_err *err)
{
	*own = sqlite3_get_autocommit(store_db(st)) != 0;
	if (*own)
		return store_begin(st, err);
	return store_db_savepoint(st, "queue", what, err);
}

/* End what tx_begin started: keep it when rc is 0, undo it otherwise. */
static int tx_end(struct store *st, bool own, int rc, const char *what,
		  struct dg_err *err)
{
	if (own && rc)
		store_rollback(st);
	if (own)
		return rc ? rc : store_commit(st, err);
	return store_db_release(st, "queue", rc, what, err);
}

/* A read of due rows begins: *out empty, in tx_begin()'s transaction. */
static int read_begin(struct store *st, bool *own, struct queue_msg **out,
		      size_t *n, struct dg_err *err)
{
	*out = NULL;
	*n = 0;
	return tx_begin(st, own, "cannot read the queue", err);
}

/* It ends as tx_end() does; on failure *out is freed and left empty. */
static int read_end(struct store *st, bool own, int rc,
		    struct queue_msg **out, size_t *n, struct dg_err *err)
{
	rc = tx_end(st, own, rc, "cannot read the queue", err);
	if (rc) {
		queue_msgs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* The message blob, NUL-terminated for callers that treat it as text. */
static int column_message(sqlite3_stmt *stmt, int i, struct queue_msg *m)
{
	const void *p = sqlite3_column_blob(stmt, i);
	int n = sqlite3_column_bytes(stmt, i);

	if (!p && n)
		return DG_ENOMEM;
	m->message = malloc((size_t)n + 1);
	if (!m->message)
		return DG_ENOMEM;
	if (n)
		memcpy(m->message, p, (size_t)n);
	m->message[n] = '\0';
	m->message_len = (size_t)n;
	return 0;
}

/* One row of a SELECT MSG_COLUMNS into m (empty); m is empty on error. */
static int read_msg(sqlite3_stmt *stmt, struct queue_msg *m)
{
	int rc;

	m->id = sqlite3_column_int64(stmt, 0);
	m->attempts = (unsigned)sqlite3_column_int64(stmt, 5);
	m->created_at = sqlite3_column_int64(stmt, 10);
	m->updated_at = sqlite3_column_int64(stmt, 11);
	m->next_attempt_at = sqlite3_column_int64(stmt, 12);
	m->sent_at = sqlite3_column_int64(stmt, 13);
	rc = store_db_column_dup(stmt, 1, 0, &m->user);
	if (!rc)
		rc = store_db_column_dup(stmt, 2, 0, &m->date);
	if (!rc)
		rc = store_db_column_dup(stmt, 3, 0, &m->kind);
	if (!rc)
		rc = store_db_column_dup(stmt, 4, 0, &m->state);
	if (!rc)
		rc = store_db_column_dup(stmt, 6, 0, &m->recipient);
	if (!rc)
		rc = store_db_column_dup(stmt, 7, 0, &m->message_id);
	if (!rc)
		rc = column_message(stmt, 8, m);
	if (!rc)
		rc = store_db_column_dup(stmt, 9, 0, &m->last_reply);
	if (rc)
		queue_msg_release(m);
	return rc;
}

void queue_msg_release(struct queue_msg *m)
{
	if (!m)
		return;
	free(m->user);
	free(m->date);
	free(m->kind);
	free(m->state);
	free(m->recipient);
	free(m->message_id);
	free(m->message);
	free(m->last_reply);
	memset(m, 0, sizeof(*m));
}

void queue_msgs_free(struct queue_msg *v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		queue_msg_release(&v[i]);
	free(v);
}

static int check_put(struct store *st, const char *user, const char *date,
		     const char *kind, const char *recipient,
		     const char *message_id, const char *msg, size_t len,
		     struct dg_err *err)
{
	const char *p = store_path(st);

	if (!user || !*user || !date || !*date)
		return dg_errf(err, DG_EINVAL,
			       "%s: a queued message needs a user and a date",
			       p);
	if (!kind || (strcmp(kind, "digest") && strcmp(kind, "resend")))
		return dg_errf(err, DG_EINVAL,
			       "%s: the message for %s on %s has kind '%s', "
			       "not digest or resend",
			       p, user, date, kind ? kind : "");
	if (!recipient || !*recipient || !message_id || !*message_id)
		return dg_errf(err, DG_EINVAL,
			       "%s: the message for %s on %s has no recipient "
			       "or no Message-ID",
			       p, user, date);
	if (!msg || !len)
		return dg_errf(err, DG_EINVAL,
			       "%s: the message for %s on %s is empty", p, user,
			       date);
	return 0;
}

/* The body of row id, written once. */
static int put_body(struct store *st, int64_t id, const char *msg, size_t len,
		    struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_prepare(st,
				  "INSERT INTO queue_bodies(id, message) "
				  "VALUES (?1, ?2)",
				  &stmt, "cannot queue a message", err);

	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_blob64(stmt, 2, msg, len, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, "cannot queue a message", err);
	sqlite3_finalize(stmt);
	return rc;
}

static int put_row(struct store *st, const char *user, const char *date,
		   const char *kind, const char *recipient,
		   const char *message_id, int64_t now_ms, int64_t *id,
		   struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_prepare(st,
				  "INSERT INTO queue(user, date, kind, "
				  " recipient, message_id, created_at,"
				  " updated_at, next_attempt_at) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)",
				  &stmt, "cannot queue a message", err);

	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, now_ms);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		*id = sqlite3_last_insert_rowid(store_db(st));
	else if (sqlite3_extended_errcode(store_db(st)) ==
		 SQLITE_CONSTRAINT_UNIQUE)
		rc = dg_errf(err, DG_EEXISTS,
			     "%s: the digest of %s for %s is already in the "
			     "queue (resend sends it again)",
			     store_path(st), user, date);
	else
		rc = store_db_fail(st, "cannot queue a message", err);
	sqlite3_finalize(stmt);
	return rc;
}

int queue_put(struct store *st, const char *user, const char *date,
	      const char *kind, const char *recipient, const char *message_id,
	      const char *msg, size_t len, int64_t now_ms, int64_t *id,
	      struct dg_err *err)
{
	const char *what = "cannot queue a message";
	int64_t row = 0;
	bool own;
	int rc;

	rc = check_put(st, user, date, kind, recipient, message_id, msg, len,
		       err);
	if (!rc)
		rc = tx_begin(st, &own, what, err);
	if (rc)
		return rc;
	rc = put_row(st, user, date, kind, recipient, message_id, now_ms,
		     &row, err);
	if (!rc)
		rc = put_body(st, row, msg, len, err);
	rc = tx_end(st, own, rc, what, err);
	if (!rc && id)
		*id = row;
	return rc;
}

/*
 * v (of n rows, alloc allocated) with room for one more row: v itself,
 * a larger copy, or NULL (v is then untouched) when out of memory.
 */
static void *grow(void *v, size_t n, size_t *alloc, size_t size)
{
	size_t more = *alloc ? 2 * *alloc : 8;
	void *p;

	if (n < *alloc)
		return v;
	p = reallocarray(v, more, size);
	if (p)
		*alloc = more;
	return p;
}

int queue_read_rows(struct store *st, sqlite3_stmt *stmt, void **v, size_t *n,
		    size_t size, int (*read)(sqlite3_stmt *stmt, void *row),
		    const char *what, struct dg_err *err)
{
	size_t alloc = 0;
	int step = sqlite3_step(stmt);

	while (step == SQLITE_ROW) {
		char *rows = grow(*v, *n, &alloc, size);

		if (!rows)
			return oom(st, err);
		*v = rows;
		memset(rows + *n * size, 0, size);
		(*n)++;
		if (read(stmt, rows + (*n - 1) * size))
			return oom(st, err);
		step = sqlite3_step(stmt);
	}
	if (step != SQLITE_DONE)
		return store_db_fail(st, what, err);
	return 0;
}

static int read_msg_row(sqlite3_stmt *stmt, void *row)
{
	return read_msg(stmt, row);
}

/* Step stmt (a SELECT MSG_COLUMNS) to the end, appending to *v. */
static int read_msgs(struct store *st, sqlite3_stmt *stmt, struct queue_msg **v,
		     size_t *n, struct dg_err *err)
{
	void *rows = *v;
	int rc = queue_read_rows(st, stmt, &rows, n, sizeof(**v), read_msg_row,
				 "cannot read the queue", err);

	*v = rows;
	return rc;
}

/* Rows a crashed run left in "sending" with no attempt left: failed. */
static int give_up_crashed(struct store *st, int64_t now_ms, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st,
		     "UPDATE queue SET state = 'failed', updated_at = ?1,"
		     " last_reply = 'gave up after ' || attempts ||"
		     " ' attempts: the run stopped during the last one' "
		     "WHERE state = 'sending' AND attempts >= ?2",
		     &stmt, "cannot update the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, now_ms);
	sqlite3_bind_int(stmt, 2, QUEUE_MAX_ATTEMPTS);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, "cannot update the queue", err);
	sqlite3_finalize(stmt);
	return rc;
}

static int select_due(struct store *st, int64_t now_ms, const char *date,
		      struct queue_msg **out, size_t *n, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st,
		     "SELECT " MSG_COLUMNS " FROM " MSG_FROM " "
		     "WHERE ((q.state = 'queued' AND q.next_attempt_at <= ?1)"
		     "       OR q.state = 'sending')"
		     "  AND (?2 IS NULL OR q.date = ?2) "
		     "ORDER BY q.created_at, q.id",
		     &stmt, "cannot read the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, now_ms);
	if (date)
		sqlite3_bind_text(stmt, 2, date, -1, SQLITE_STATIC);
	rc = read_msgs(st, stmt, out, n, err);
	sqlite3_finalize(stmt);
	return rc;
}

int queue_due(struct store *st, int64_t now_ms, const char *date,
	      struct queue_msg **out, size_t *n, struct dg_err *err)
{
	bool own;
	int rc = read_begin(st, &own, out, n, err);

	if (rc)
		return rc;
	rc = give_up_crashed(st, now_ms, err);
	if (!rc)
		rc = select_due(st, now_ms, date, out, n, err);
	return read_end(st, own, rc, out, n, err);
}

static int select_next(struct store *st, int64_t due_by, int64_t after_id,
		       size_t limit, struct queue_msg **out, size_t *n,
		       struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	/*
	 * The ids first, from the index (state, next_attempt_at) alone,
	 * then the rows by id: sorting whole rows would read (and spill to
	 * temporary files) every queued message on every call.
	 */
	rc = store_db_prepare(st,
		     "SELECT " MSG_COLUMNS " FROM " MSG_FROM " WHERE q.id IN ("
		     " SELECT id FROM queue"
		     " WHERE state = 'queued' AND next_attempt_at <= ?1"
		     "   AND id > ?2"
		     " UNION ALL"
		     " SELECT id FROM queue WHERE state = 'sending' AND id > ?2"
		     " ORDER BY id LIMIT ?3) "
		     "ORDER BY q.id",
		     &stmt, "cannot read the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, due_by);
	sqlite3_bind_int64(stmt, 2, after_id);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)limit);
	rc = read_msgs(st, stmt, out, n, err);
	sqlite3_finalize(stmt);
	return rc;
}

int queue_next(struct store *st, int64_t now_ms, int64_t after_id,
	       bool ignore_backoff, size_t limit, struct queue_msg **out,
	       size_t *n, struct dg_err *err)
{
	bool own;
	int rc = read_begin(st, &own, out, n, err);

	if (rc)
		return rc;
	if (!after_id)
		rc = give_up_crashed(st, now_ms, err);
	if (!rc)
		rc = select_next(st, ignore_backoff ? INT64_MAX : now_ms,
				 after_id, limit, out, n, err);
	return read_end(st, own, rc, out, n, err);
}

/* Why no row changed: there is no such row, or it is in another state. */
static int explain_unchanged(struct store *st, int64_t id, const char *to,
			     struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st, "SELECT state FROM queue WHERE id = ?1", &stmt,
		     "cannot read the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		rc = dg_errf(err, DG_EINVAL,
			     "%s: message %lld is %s, so it cannot become %s",
			     store_path(st), (long long)id,
			     (const char *)sqlite3_column_text(stmt, 0), to);
		break;
	case SQLITE_DONE:
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s: there is no message %lld in the queue",
			     store_path(st), (long long)id);
		break;
	default:
		rc = store_db_fail(st, "cannot read the queue", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Run a one-row UPDATE with ?1 id, ?2 now and, if the SQL has them, ?3
 * reply (NULL: none), ?4 the new state, ?5 next_attempt_at. to names the
 * new state for messages.
 */
static int update_row(struct store *st, const char *sql, int64_t id,
		      int64_t now_ms, const char *reply, const char *to,
		      int64_t next, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st, sql, &stmt, "cannot update the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		store_db_bind_text_or_null(stmt, 3, reply);
	if (sqlite3_bind_parameter_count(stmt) >= 5) {
		sqlite3_bind_text(stmt, 4, to, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, next);
	}
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, "cannot update the queue", err);
	else if (!sqlite3_changes(store_db(st)))
		rc = explain_unchanged(st, id, to, err);
	sqlite3_finalize(stmt);
	return rc;
}

int queue_mark_sending(struct store *st, int64_t id, int64_t now_ms,
		       struct dg_err *err)
{
	if (!sqlite3_get_autocommit(store_db(st)))
		return dg_errf(
			err, DG_EINTERNAL,
			"%s: message %lld must be marked sending outside "
			"a transaction, so the mark is on disk before "
			"the send",
			store_path(st), (long long)id);
	return update_row(st,
			  "UPDATE queue SET state = 'sending',"
			  " attempts = attempts + 1, updated_at = ?2 "
			  "WHERE id = ?1 AND state IN ('queued', 'sending')",
			  id, now_ms, NULL, "sending", 0, err);
}

int queue_mark_sending_many(struct store *st, const int64_t *ids, size_t n,
			    int64_t now_ms, struct dg_err *err)
{
	int rc;

	if (!n)
		return 0;
	if (!sqlite3_get_autocommit(store_db(st)))
		return queue_mark_sending(st, ids[0], now_ms, err);
	rc = store_begin(st, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = update_row(st,
				"UPDATE queue SET state = 'sending',"
				" attempts = attempts + 1, updated_at = ?2 "
				"WHERE id = ?1 AND state IN ('queued', "
				"'sending')",
				ids[i], now_ms, NULL, "sending", 0, err);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int queue_mark_sent(struct store *st, int64_t id, const char *reply,
		    int64_t now_ms, struct dg_err *err)
{
	return update_row(st,
			  "UPDATE queue SET state = 'sent', sent_at = ?2,"
			  " updated_at = ?2, last_reply = ?3 "
			  "WHERE id = ?1 AND state = 'sending'",
			  id, now_ms, reply, "sent", 0, err);
}

int queue_mark_failed(struct store *st, int64_t id, const char *reply,
		      int64_t now_ms, struct dg_err *err)
{
	return update_row(st,
			  "UPDATE queue SET state = 'failed', updated_at = ?2,"
			  " last_reply = ?3 "
			  "WHERE id = ?1 AND state IN ('queued', 'sending')",
			  id, now_ms, reply, "failed", 0, err);
}

int64_t queue_backoff_ms(unsigned attempts)
{
	static const int64_t minutes[] = {0, 1, 5, 15, 30, 60, 120, 240};
	const unsigned last = sizeof(minutes) / sizeof(minutes[0]) - 1;

	return minutes[attempts < last ? attempts : last] * 60 * 1000;
}

/* The attempts of row id, which must be in "sending". */
static int sending_attempts(struct store *st, int64_t id, unsigned *attempts,
			    struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st,
		     "SELECT attempts FROM queue "
		     "WHERE id = ?1 AND state = 'sending'",
		     &stmt, "cannot read the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*attempts = (unsigned)sqlite3_column_int64(stmt, 0);
		break;
	case SQLITE_DONE:
		rc = explain_unchanged(st, id, "queued for a retry", err);
		break;
	default:
		rc = store_db_fail(st, "cannot read the queue", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int queue_mark_retry(struct store *st, int64_t id, const char *reply,
		     int64_t now_ms, bool *gave_up, struct dg_err *err)
{
	const char *what = "cannot update the queue";
	unsigned attempts = 0;
	bool own, last = false;
	int rc;

	rc = tx_begin(st, &own, what, err);
	if (rc)
		return rc;
	rc = sending_attempts(st, id, &attempts, err);
	if (!rc) {
		last = attempts >= QUEUE_MAX_ATTEMPTS;
		rc = update_row(st,
				"UPDATE queue SET state = ?4, updated_at = ?2,"
				" last_reply = ?3, next_attempt_at = ?5 "
				"WHERE id = ?1 AND state = 'sending'",
				id, now_ms, reply, last ? "failed" : "queued",
				now_ms + queue_backoff_ms(attempts), err);
	}
	rc = tx_end(st, own, rc, what, err);
	if (gave_up)
		*gave_up = !rc && last;
	return rc;
}

int queue_find(struct store *st, const char *user, const char *date,
	       struct queue_msg *out, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st,
		     "SELECT " ROW_COLUMNS " FROM queue q "
		     "WHERE q.kind = 'digest' AND q.user = ?1 AND q.date = ?2",
		     &stmt, "cannot read the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		if (read_msg(stmt, out))
			rc = oom(st, err);
		break;
	case SQLITE_DONE:
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s: no digest of %s for %s in the queue",
			     store_path(st), user, date);
		break;
	default:
		rc = store_db_fail(st, "cannot read the queue", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int queue_count(struct store *st, const char *user, const char *date,
		unsigned *n, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st,
		     "SELECT count(*) FROM queue WHERE user = ?1 AND date = ?2",
		     &stmt, "cannot read the queue", err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*n = (unsigned)sqlite3_column_int(stmt, 0);
	else
		rc = store_db_fail(st, "cannot read the queue", err);
	sqlite3_finalize(stmt);
	return rc;
}

int queue_depth(struct store *st, size_t *n, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*n = 0;
	rc = store_db_prepare(st,
		     "SELECT count(*) FROM queue"
		     " WHERE state IN ('queued', 'sending')",
		     &stmt, "cannot read the queue", err);
	if (rc)
		return rc;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(stmt, 0);
	else
		rc = store_db_fail(st, "cannot read the queue", err);
	sqlite3_finalize(stmt);
	return rc;
}
