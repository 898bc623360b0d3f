#include "history.h"
#include "store_db.h"
#include "text.h"
#include "tz.h"

#include <stdlib.h>
#include <string.h>

int history_date_add(const char *date, int days, char out[11])
{
	struct tz_civil c;

	if (!tz_parse_date(date, &c))
		return DG_EINVAL;
	tz_civil_from_days(tz_civil_days(&c) + days, &c);
	if (c.year < 1 || c.year > 9999)
		return DG_EINVAL;
	out[0] = (char)('0' + c.year / 1000);
	out[1] = (char)('0' + c.year / 100 % 10);
	out[2] = (char)('0' + c.year / 10 % 10);
	out[3] = (char)('0' + c.year % 10);
	out[4] = '-';
	out[5] = (char)('0' + c.month / 10);
	out[6] = (char)('0' + c.month % 10);
	out[7] = '-';
	out[8] = (char)('0' + c.day / 10);
	out[9] = (char)('0' + c.day % 10);
	out[10] = '\0';
	return 0;
}

/* Days from a to b ("YYYY-MM-DD" both, already checked). */
static int days_between(const char *a, const char *b)
{
	struct tz_civil ca, cb;

	if (!tz_parse_date(a, &ca) || !tz_parse_date(b, &cb))
		return 0;
	return (int)(tz_civil_days(&cb) - tz_civil_days(&ca));
}

/* A copy of s in lowercase (ASCII); NULL when out of memory. */
static char *lower_dup(const char *s)
{
	char *c = strdup(s);

	if (c)
		text_lower(c);
	return c;
}

static int check_day(struct store *st, const char *reader, const char *date,
		     struct dg_err *err)
{
	struct tz_civil c;

	if (!reader || !*reader)
		return dg_errf(err, DG_EINVAL, "%s: history needs a reader",
			       store_path(st));
	if (!date || strlen(date) != 10 || !tz_parse_date(date, &c))
		return dg_errf(err, DG_EINVAL,
			       "%s: history needs a date YYYY-MM-DD",
			       store_path(st));
	return 0;
}

static int run1(struct store *st, const char *sql, const char *a,
		const char *b, const char *what, size_t *changed,
		struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_prepare(st, sql, &stmt, what, err);

	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	else if (changed)
		*changed += (size_t)sqlite3_changes(store_db(st));
	sqlite3_finalize(stmt);
	return rc;
}

/* The statements of one batch of days, prepared once for all of them. */
struct record_stmts {
	sqlite3_stmt *del, *ins, *mark;
};

static void record_stmts_finalize(struct record_stmts *rs)
{
	sqlite3_finalize(rs->del);
	sqlite3_finalize(rs->ins);
	sqlite3_finalize(rs->mark);
}

static int record_stmts_prepare(struct store *st, struct record_stmts *rs,
				struct dg_err *err)
{
	static const char what[] = "cannot record the history";
	int rc = store_db_prepare(
		st, "DELETE FROM history WHERE reader = ?1 AND date = ?2",
		&rs->del, what, err);

	if (!rc)
		rc = store_db_prepare(
			st,
			"INSERT INTO history(reader, date, person, meetings) "
			"VALUES (lower(?1), ?2, lower(?3), ?4) "
			"ON CONFLICT(reader, date, person) DO UPDATE SET "
			"meetings = meetings + excluded.meetings",
			&rs->ins, what, err);
	if (!rc)
		rc = store_db_prepare(
			st,
			"INSERT INTO history_days(reader, date, recorded_at) "
			"VALUES (lower(?1), ?2, ?3) "
			"ON CONFLICT(reader, date) DO UPDATE SET "
			"recorded_at = ?3",
			&rs->mark, what, err);
	return rc;
}

/* Run stmt once with what is bound; reset it for the next use. */
static int step_done(struct store *st, sqlite3_stmt *stmt, struct dg_err *err)
{
	int rc = sqlite3_step(stmt) == SQLITE_DONE
			 ? 0
			 : store_db_fail(st, "cannot record the history", err);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}

static int record_one(struct store *st, struct record_stmts *rs,
		      const struct history_day *d, int64_t now_ms,
		      struct dg_err *err)
{
	int rc = check_day(st, d->reader, d->date, err);

	for (size_t i = 0; !rc && i < d->n; i++)
		if (!d->met[i].person || !*d->met[i].person ||
		    !d->met[i].meetings)
			rc = dg_errf(err, DG_EINVAL,
				     "%s: a person met needs an address and "
				     "a count",
				     store_path(st));
	if (rc)
		return rc;
	sqlite3_bind_text(rs->del, 1, d->reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(rs->del, 2, d->date, -1, SQLITE_STATIC);
	rc = step_done(st, rs->del, err);
	for (size_t i = 0; !rc && i < d->n; i++) {
		sqlite3_bind_text(rs->ins, 1, d->reader, -1, SQLITE_STATIC);
		sqlite3_bind_text(rs->ins, 2, d->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(rs->ins, 3, d->met[i].person, -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(rs->ins, 4,
				   (sqlite3_int64)d->met[i].meetings);
		rc = step_done(st, rs->ins, err);
	}
	if (!rc) {
		sqlite3_bind_text(rs->mark, 1, d->reader, -1, SQLITE_STATIC);
		sqlite3_bind_text(rs->mark, 2, d->date, -1, SQLITE_STATIC);
		sqlite3_bind_int64(rs->mark, 3, now_ms);
		rc = step_done(st, rs->mark, err);
	}
	return rc;
}

int history_record_days(struct store *st, const struct history_day *days,
			size_t n, int64_t now_ms, struct dg_err *err)
{
	static const char what[] = "cannot record the history";
	struct record_stmts rs = {NULL, NULL, NULL};
	int rc;

	if (!n)
		return 0;
	rc = store_db_savepoint(st, "history", what, err);
	if (rc)
		return rc;
	rc = record_stmts_prepare(st, &rs, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = record_one(st, &rs, &days[i], now_ms, err);
	record_stmts_finalize(&rs);
	return store_db_release(st, "history", rc, what, err);
}

int history_record_day(struct store *st, const char *reader,
		       const char *date, const struct history_met *met,
		       size_t n, int64_t now_ms, struct dg_err *err)
{
	const struct history_day d = {reader, date, met, n};

	return history_record_days(st, &d, 1, now_ms, err);
}

/*
 * The statements of reads, prepared on first use and kept: a run reads
 * the history of one reader after another with the same three.
 */
struct history_reads {
	struct store *st;
	sqlite3_stmt *span, *contacts, *known;
};

int history_reads_open(struct store *st, struct history_reads **out,
		       struct dg_err *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	(*out)->st = st;
	return 0;
}

void history_reads_close(struct history_reads *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->span);
	sqlite3_finalize(r->contacts);
	sqlite3_finalize(r->known);
	free(r);
}

/* How far the reader's recorded days reach within [from, to). */
static int read_span(struct store *st, sqlite3_stmt **slot,
		     const char *reader, const char *from, const char *to,
		     struct history_contacts *out, struct dg_err *err)
{
	static const char what[] = "cannot read the history";
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_kept(st, slot,
			  "SELECT min(date), count(*) FROM history_days "
			  "WHERE reader = ?1 AND date >= ?2 "
			  "AND date < ?3",
			  &stmt, what, err);

	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, to, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = store_db_fail(st, what, err);
	} else if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		const char *first = (const char *)sqlite3_column_text(stmt, 0);

		if (first && strlen(first) == 10) {
			memcpy(out->first_day, first, 11);
			out->span_days = (unsigned)days_between(first, to);
		}
		out->recorded_days = (unsigned)sqlite3_column_int(stmt, 1);
	}
	store_db_kept_done(slot, stmt);
	return rc;
}

static int add_contact(struct history_contacts *out, sqlite3_stmt *stmt,
		       size_t *alloc)
{
	struct history_contact *c;
	const char *last = (const char *)sqlite3_column_text(stmt, 4);

	if (out->n == *alloc) {
		size_t cap = *alloc ? *alloc * 2 : 16;
		void *v = realloc(out->v, cap * sizeof(*out->v));

		if (!v)
			return DG_ENOMEM;
		out->v = v;
		*alloc = cap;
	}
	c = &out->v[out->n];
	memset(c, 0, sizeof(*c));
	c->person = lower_dup((const char *)sqlite3_column_text(stmt, 0));
	if (!c->person)
		return DG_ENOMEM;
	c->meetings = (unsigned)sqlite3_column_int64(stmt, 1);
	c->recent = (unsigned)sqlite3_column_int64(stmt, 2);
	c->days = (unsigned)sqlite3_column_int64(stmt, 3);
	if (last && strlen(last) == 10)
		memcpy(c->last, last, 11);
	out->n++;
	return 0;
}

static int read_contacts(struct store *st, sqlite3_stmt **slot,
			 const char *reader, const char *from,
			 const char *recent, const char *to, size_t limit,
			 struct history_contacts *out, struct dg_err *err)
{
	static const char what[] = "cannot read the history";
	sqlite3_stmt *stmt = NULL;
	size_t alloc = 0;
	int step = SQLITE_DONE;
	int rc = store_db_kept(
		st, slot,
		"SELECT person, sum(meetings), "
		"  sum(CASE WHEN date >= ?3 THEN meetings ELSE 0 END) AS r, "
		"  count(*), max(date) FROM history "
		"WHERE reader = ?1 AND date >= ?2 AND date < ?4 "
		"GROUP BY person ORDER BY r DESC, 2 DESC, person "
		"LIMIT ?5",
		&stmt, what, err);

	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, recent, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, limit ? (sqlite3_int64)limit : -1);
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW)
		if (add_contact(out, stmt, &alloc))
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc && step != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	store_db_kept_done(slot, stmt);
	return rc;
}

/* history_contacts(), through r's statements when r is not NULL. */
static int contacts(struct store *st, struct history_reads *r,
		    const char *reader, const char *date,
		    unsigned window_days, size_t limit,
		    struct history_contacts *out, struct dg_err *err)
{
	static const struct history_contacts none = HISTORY_CONTACTS_INIT;
	unsigned recent_days = window_days < HISTORY_RECENT_DAYS
				       ? window_days
				       : HISTORY_RECENT_DAYS;
	char from[11], recent[11];
	int rc = check_day(st, reader, date, err);

	*out = none;
	if (rc)
		return rc;
	if (window_days > HISTORY_DAYS_MAX ||
	    history_date_add(date, -(int)window_days, from) ||
	    history_date_add(date, -(int)recent_days, recent))
		return dg_errf(err, DG_EINVAL,
			       "%s: a history window is 0 to %d days",
			       store_path(st), HISTORY_DAYS_MAX);
	rc = read_span(st, r ? &r->span : NULL, reader, from, date, out, err);
	/*
	 * Every history row has its history_days row (history_record writes
	 * both): no day recorded in the window, nobody met in it. A reader's
	 * first runs skip the grouping query, whose sorter costs a temporary
	 * table per call even when it finds nothing.
	 */
	if (!rc && out->recorded_days)
		rc = read_contacts(st, r ? &r->contacts : NULL, reader,
				   limit ? recent : from, recent, date, limit,
				   out, err);
	if (rc)
		history_contacts_release(out);
	return rc;
}

int history_contacts(struct store *st, const char *reader, const char *date,
		     unsigned window_days, size_t limit,
		     struct history_contacts *out, struct dg_err *err)
{
	return contacts(st, NULL, reader, date, window_days, limit, out, err);
}

int history_reads_contacts(struct history_reads *r, const char *reader,
			   const char *date, unsigned window_days,
			   size_t limit, struct history_contacts *out,
			   struct dg_err *err)
{
	return contacts(r->st, r, reader, date, window_days, limit, out, err);
}

/* history_known(), through r's statement when r is not NULL. */
static int known_of(struct store *st, struct history_reads *r,
		    const char *reader, const char *date,
		    unsigned window_days, const char *const *persons,
		    size_t n, bool *known, struct dg_err *err)
{
	static const char what[] = "cannot read the history";
	sqlite3_stmt **slot = r ? &r->known : NULL;
	sqlite3_stmt *stmt = NULL;
	char from[11];
	int rc = check_day(st, reader, date, err);

	if (!rc && (window_days > HISTORY_DAYS_MAX ||
		    history_date_add(date, -(int)window_days, from)))
		rc = dg_errf(err, DG_EINVAL,
			     "%s: a history window is 0 to %d days",
			     store_path(st), HISTORY_DAYS_MAX);
	if (!rc && n)
		rc = store_db_kept(st, slot,
			      "SELECT 1 FROM history WHERE reader = ?1 "
			      "AND person = ?2 AND date >= ?3 "
			      "AND date < ?4 LIMIT 1",
			      &stmt, what, err);
	for (size_t i = 0; !rc && i < n; i++) {
		int step;

		sqlite3_bind_text(stmt, 1, reader, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, persons[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, date, -1, SQLITE_STATIC);
		step = sqlite3_step(stmt);
		if (step == SQLITE_ROW || step == SQLITE_DONE)
			known[i] = step == SQLITE_ROW;
		else
			rc = store_db_fail(st, what, err);
		sqlite3_reset(stmt);
	}
	if (stmt)
		store_db_kept_done(slot, stmt);
	return rc;
}

int history_known(struct store *st, const char *reader, const char *date,
		  unsigned window_days, const char *const *persons, size_t n,
		  bool *known, struct dg_err *err)
{
	return known_of(st, NULL, reader, date, window_days, persons, n, known,
			err);
}

int history_reads_known(struct history_reads *r, const char *reader,
			const char *date, unsigned window_days,
			const char *const *persons, size_t n, bool *known,
			struct dg_err *err)
{
	return known_of(r->st, r, reader, date, window_days, persons, n,
			known, err);
}

const struct history_contact *
history_find(const struct history_contacts *h, const char *person)
{
	for (size_t i = 0; person && i < h->n; i++)
		if (!text_casecmp(h->v[i].person, person))
			return &h->v[i];
	return NULL;
}

void history_contacts_release(struct history_contacts *h)
{
	static const struct history_contacts none = HISTORY_CONTACTS_INIT;

	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].person);
	free(h->v);
	*h = none;
}

int history_prune(struct store *st, const char *date, size_t *deleted,
		  struct dg_err *err)
{
	static const char what[] = "cannot delete old history";
	struct tz_civil c;
	size_t n = 0;
	int rc;

	if (!date || strlen(date) != 10 || !tz_parse_date(date, &c))
		return dg_errf(err, DG_EINVAL,
			       "%s: history needs a date YYYY-MM-DD",
			       store_path(st));
	rc = store_db_savepoint(st, "history_prune", what, err);
	if (rc)
		return rc;
	rc = run1(st, "DELETE FROM history WHERE date < ?1", date, NULL,
		  what, &n, err);
	if (!rc)
		rc = run1(st, "DELETE FROM history_days WHERE date < ?1", date,
			  NULL, what, &n, err);
	rc = store_db_release(st, "history_prune", rc, what, err);
	if (!rc && deleted)
		*deleted = n;
	return rc;
}

int history_forget(struct store *st, const char *address, size_t *deleted,
		   struct dg_err *err)
{
	static const char what[] = "cannot forget a person's history";
	size_t n = 0;
	int rc;

	if (!address || !*address)
		return dg_errf(err, DG_EINVAL, "%s: forget needs an address",
			       store_path(st));
	rc = store_db_savepoint(st, "history_forget", what, err);
	if (rc)
		return rc;
	rc = run1(st, "DELETE FROM history WHERE reader = ?1 OR person = ?1",
		  address, NULL, what, &n, err);
	if (!rc)
		rc = run1(st, "DELETE FROM history_days WHERE reader = ?1",
			  address, NULL, what, &n, err);
	rc = store_db_release(st, "history_forget", rc, what, err);
	if (!rc && deleted)
		*deleted = n;
	return rc;
}

int history_count(struct store *st, const char *address, size_t *rows,
		  struct dg_err *err)
{
	static const char what[] = "cannot read the history";
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_prepare(
		st,
		"SELECT (SELECT count(*) FROM history "
		"        WHERE reader = ?1 OR person = ?1) + "
		"       (SELECT count(*) FROM history_days WHERE reader = ?1)",
		&stmt, what, err);

	*rows = 0;
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, address ? address : "", -1,
			  SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*rows = (size_t)sqlite3_column_int64(stmt, 0);
	else
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	return rc;
}
