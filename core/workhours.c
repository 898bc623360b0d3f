#include "workhours.h"
#include "store_db.h"

#include <stdlib.h>
#include <string.h>

static int dup_or_null(const char *s, char **out)
{
	*out = NULL;
	if (!s || !*s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : DG_ENOMEM;
}

static bool valid_minute(int m)
{
	return m >= 0 && m < 24 * 60;
}

int workhours_of_mailbox(const struct cal_mailbox *mb, struct workhours *out)
{
	int rc;

	*out = (struct workhours)WORKHOURS_INIT;
	rc = dup_or_null(mb->time_zone, &out->time_zone);
	if (!rc)
		rc = dup_or_null(mb->working_zone, &out->work_zone);
	if (rc) {
		workhours_release(out);
		return rc;
	}
	out->days = mb->has_working_days ? mb->working_days & 0x7fu : 0;
	/* graphjson keeps the minutes it read even when plan cannot use
	 * them (has_working_hours false for an end before the start) */
	if (valid_minute(mb->work_start_min) && valid_minute(mb->work_end_min)) {
		out->start_min = mb->work_start_min;
		out->end_min = mb->work_end_min;
	}
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

bool workhours_equal(const struct workhours *a, const struct workhours *b)
{
	return same_str(a->time_zone, b->time_zone) &&
	       same_str(a->work_zone, b->work_zone) && a->days == b->days &&
	       a->start_min == b->start_min && a->end_min == b->end_min;
}

/*
 * The row of key by sql, through the statement kept in *slot (prepared
 * into it the first time, reset after use), or a fresh one when slot is
 * NULL.
 */
static int load(struct store *st, sqlite3_stmt **slot, const char *sql,
		const char *key, struct workhours *out, bool *found,
		struct dg_err *err)
{
	const char *what = "cannot read working hours";
	sqlite3_stmt *stmt = NULL;
	int rc, step;

	*out = (struct workhours)WORKHOURS_INIT;
	*found = false;
	rc = store_db_kept(st, slot, sql, &stmt, what, err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		*found = true;
		rc = store_db_column_dup(stmt, 0, STORE_DB_EMPTY_AS_NULL,
					 &out->time_zone);
		if (!rc)
			rc = store_db_column_dup(stmt, 1,
						 STORE_DB_EMPTY_AS_NULL,
						 &out->work_zone);
		out->days = (unsigned)sqlite3_column_int(stmt, 2) & 0x7fu;
		if (sqlite3_column_type(stmt, 3) != SQLITE_NULL &&
		    sqlite3_column_type(stmt, 4) != SQLITE_NULL) {
			out->start_min = sqlite3_column_int(stmt, 3);
			out->end_min = sqlite3_column_int(stmt, 4);
		}
		if (rc)
			rc = dg_errf(err, rc, "out of memory");
	} else if (step != SQLITE_DONE) {
		rc = store_db_fail(st, what, err);
	}
	store_db_kept_done(slot, stmt);
	if (rc) {
		workhours_release(out);
		*found = false;
	}
	return rc;
}

#define LOAD_BY_ID                                                             \
	"SELECT time_zone, work_zone, days, start_min, end_min "               \
	"FROM work_hours WHERE user_id = ?1"

int workhours_load(struct store *st, const char *user_id,
		   struct workhours *out, bool *found, struct dg_err *err)
{
	return load(st, NULL, LOAD_BY_ID, user_id, out, found, err);
}

/*
 * The statement of reads, prepared on first use and kept: a run reads
 * the hours of one attendee after another with the same one.
 */
struct workhours_reads {
	struct store *st;
	sqlite3_stmt *by_id;
};

int workhours_reads_open(struct store *st, struct workhours_reads **out,
			 struct dg_err *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	(*out)->st = st;
	return 0;
}

void workhours_reads_close(struct workhours_reads *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->by_id);
	free(r);
}

int workhours_reads_load(struct workhours_reads *r, const char *user_id,
			 struct workhours *out, bool *found,
			 struct dg_err *err)
{
	return load(r->st, &r->by_id, LOAD_BY_ID, user_id, out, found, err);
}

int workhours_load_mail(struct store *st, const char *mail,
			struct workhours *out, bool *found, struct dg_err *err)
{
	return load(st, NULL,
		    "SELECT time_zone, work_zone, days, start_min, end_min "
		    "FROM work_hours WHERE mail = ?1 "
		    "ORDER BY updated_at DESC LIMIT 1",
		    mail, out, found, err);
}

int workhours_save(struct store *st, const char *user_id, const char *mail,
		   const struct workhours *w, int64_t now_ms, bool *written,
		   struct dg_err *err)
{
	const char *what = "cannot store working hours";
	struct workhours old = WORKHOURS_INIT;
	sqlite3_stmt *stmt = NULL;
	bool found;
	int rc;

	*written = false;
	if (!user_id || !mail)
		return dg_errf(err, DG_EINVAL,
			       "working hours need a user id and a mail");
	rc = workhours_load(st, user_id, &old, &found, err);
	if (!rc && found && workhours_equal(&old, w))
		rc = 1;
	workhours_release(&old);
	if (rc)
		return rc > 0 ? 0 : rc;
	rc = store_db_prepare(
		st,
		"INSERT INTO work_hours(user_id, mail, time_zone, work_zone, "
		"days, start_min, end_min, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		"ON CONFLICT(user_id) DO UPDATE SET mail = excluded.mail, "
		"time_zone = excluded.time_zone, "
		"work_zone = excluded.work_zone, days = excluded.days, "
		"start_min = excluded.start_min, end_min = excluded.end_min, "
		"updated_at = excluded.updated_at",
		&stmt, what, err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, mail, -1, SQLITE_STATIC);
	store_db_bind_text_or_null(stmt, 3, w->time_zone);
	store_db_bind_text_or_null(stmt, 4, w->work_zone);
	sqlite3_bind_int(stmt, 5, (int)(w->days & 0x7fu));
	if (valid_minute(w->start_min) && valid_minute(w->end_min)) {
		sqlite3_bind_int(stmt, 6, w->start_min);
		sqlite3_bind_int(stmt, 7, w->end_min);
	}
	sqlite3_bind_int64(stmt, 8, now_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	else
		*written = true;
	sqlite3_finalize(stmt);
	return rc;
}

void workhours_release(struct workhours *w)
{
	free(w->time_zone);
	free(w->work_zone);
	*w = (struct workhours)WORKHOURS_INIT;
}
