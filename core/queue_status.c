#include "queue_status.h"
#include "queue_int.h"
#include "store_db.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int queue_record_outcome(struct store *st, const char *user, const char *date,
			 const char *outcome, const char *reason,
			 int64_t now_ms, struct dg_err *err)
{
	static const char *const known[] = {"queued", "sent", "skipped",
					    "failed"};
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc;

	for (i = 0; outcome && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(outcome, known[i]))
			break;
	if (!outcome || i == sizeof(known) / sizeof(known[0]))
		return dg_errf(err, DG_EINVAL,
			       "%s: outcome '%s' is not queued, sent, skipped "
			       "or failed",
			       store_path(st), outcome ? outcome : "");
	if (!user || !*user || !date || !*date)
		return dg_errf(err, DG_EINVAL,
			       "%s: an outcome needs a user and a date",
			       store_path(st));
	rc = store_db_prepare(st,
		     "INSERT INTO outcomes(user, date, outcome, reason, at) "
		     "VALUES (?1, ?2, ?3, ?4, ?5) "
		     "ON CONFLICT(user, date) DO UPDATE SET"
		     " outcome = excluded.outcome, reason = excluded.reason,"
		     " at = excluded.at",
		     &stmt, "cannot record an outcome", err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, outcome, -1, SQLITE_STATIC);
	store_db_bind_text_or_null(stmt, 4, reason);
	sqlite3_bind_int64(stmt, 5, now_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, "cannot record an outcome", err);
	sqlite3_finalize(stmt);
	return rc;
}

void queue_status_free(struct queue_status_row *v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].user);
		free(v[i].date);
		free(v[i].outcome);
		free(v[i].reason);
		free(v[i].last_reply);
	}
	free(v);
}

/* The columns of the status query, by name. */
enum status_col {
	SC_USER,
	SC_DATE,
	SC_OUTCOME,
	SC_REASON,
	SC_AT,
	SC_STATE,
	SC_ATTEMPTS,
	SC_REPLY,
	SC_SENT_AT,
	SC_UPDATED_AT
};

/* What the digest row (state non-NULL) says about delivery. */
static const char *folded_outcome(sqlite3_stmt *stmt)
{
	const char *state = (const char *)sqlite3_column_text(stmt, SC_STATE);
	const char *recorded =
		(const char *)sqlite3_column_text(stmt, SC_OUTCOME);

	if (!state)
		return recorded ? recorded : "queued";
	if (!strcmp(state, "sending"))
		return "queued";
	return state;
}

static int read_status(sqlite3_stmt *stmt, struct queue_status_row *r)
{
	const char *recorded =
		(const char *)sqlite3_column_text(stmt, SC_OUTCOME);
	const char *outcome = folded_outcome(stmt);
	bool in_queue = sqlite3_column_type(stmt, SC_STATE) != SQLITE_NULL;
	int rc;

	r->outcome = strdup(outcome);
	r->at = sqlite3_column_int64(stmt, SC_AT);
	if (in_queue) {
		r->attempts = (unsigned)sqlite3_column_int64(stmt, SC_ATTEMPTS);
		r->at = sqlite3_column_int64(stmt, !strcmp(outcome, "sent")
							   ? SC_SENT_AT
							   : SC_UPDATED_AT);
	}
	rc = r->outcome ? 0 : DG_ENOMEM;
	if (!rc)
		rc = store_db_column_dup(stmt, SC_USER, 0, &r->user);
	if (!rc)
		rc = store_db_column_dup(stmt, SC_DATE, 0, &r->date);
	/* A reason explains the recorded verdict, not one the row overrode. */
	if (!rc && recorded && !strcmp(recorded, outcome))
		rc = store_db_column_dup(stmt, SC_REASON, 0, &r->reason);
	if (!rc)
		rc = store_db_column_dup(stmt, SC_REPLY, 0, &r->last_reply);
	return rc;
}

static int read_status_row(sqlite3_stmt *stmt, void *row)
{
	return read_status(stmt, row);
}

static int read_statuses(struct store *st, sqlite3_stmt *stmt,
			 struct queue_status_row **v, size_t *n,
			 struct dg_err *err)
{
	void *rows = *v;
	int rc =
		queue_read_rows(st, stmt, &rows, n, sizeof(**v),
				read_status_row, "cannot read the status", err);

	*v = rows;
	return rc;
}

int queue_status(struct store *st, const char *date,
		 struct queue_status_row **out, size_t *n, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_db_prepare(
		st,
		"WITH d(date) AS (SELECT COALESCE(?1, (SELECT MAX(date) FROM"
		"  (SELECT date FROM outcomes UNION ALL"
		"   SELECT date FROM queue WHERE kind = 'digest')))),"
		" u(user) AS (SELECT o.user FROM outcomes o, d"
		"  WHERE o.date = d.date UNION"
		"  SELECT q.user FROM queue q, d"
		"  WHERE q.kind = 'digest' AND q.date = d.date) "
		"SELECT u.user, d.date, o.outcome, o.reason, o.at, q.state,"
		" q.attempts, q.last_reply, q.sent_at, q.updated_at "
		"FROM u CROSS JOIN d "
		"LEFT JOIN outcomes o ON o.user = u.user AND o.date = d.date "
		"LEFT JOIN queue q ON q.kind = 'digest' AND q.user = u.user"
		" AND q.date = d.date "
		"ORDER BY u.user COLLATE NOCASE",
		&stmt, "cannot read the status", err);
	if (rc)
		return rc;
	if (date)
		sqlite3_bind_text(stmt, 1, date, -1, SQLITE_STATIC);
	rc = read_statuses(st, stmt, out, n, err);
	sqlite3_finalize(stmt);
	if (rc) {
		queue_status_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
