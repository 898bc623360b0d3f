#include "roster_db.h"

#include "logging.h"
#include "store_db.h"

#include <stdlib.h>
#include <string.h>

/* The three inserts of a roster replace, prepared once. */
struct roster_inserts {
	sqlite3_stmt *person;
	sqlite3_stmt *alias;
	sqlite3_stmt *result;
};

static int step_done(struct store *st, sqlite3_stmt *stmt,
		     const struct roster_person *p, struct dg_err *err)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc == SQLITE_DONE)
		return 0;
	if (p->line)
		return dg_errf(err, store_db_code(st),
			       "%s: cannot store %s (roster line %u): %s",
			       store_path(st), p->email, p->line,
			       sqlite3_errmsg(store_db(st)));
	return dg_errf(err, store_db_code(st), "%s: cannot store %s: %s",
		       store_path(st), p->email, sqlite3_errmsg(store_db(st)));
}

static int insert_person(struct store *st, struct roster_inserts *ins,
			 const struct roster_person *p, struct dg_err *err)
{
	size_t i;
	int rc;

	sqlite3_bind_text(ins->person, 1, p->email, -1, SQLITE_STATIC);
	store_db_bind_text_or_null(ins->person, 2, p->name);
	store_db_bind_text_or_null(ins->person, 3, p->title);
	sqlite3_bind_int(ins->person, 4, p->opt_out);
	sqlite3_bind_int(ins->person, 5, !p->no_digest);
	sqlite3_bind_text(ins->person, 6, p->hidden ? "hidden" : "visible", -1,
			  SQLITE_STATIC);
	rc = step_done(st, ins->person, p, err);
	for (i = 0; !rc && i < p->naliases; i++) {
		sqlite3_bind_text(ins->alias, 1, p->aliases[i], -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(ins->alias, 2, p->email, -1, SQLITE_STATIC);
		rc = step_done(st, ins->alias, p, err);
	}
	for (i = 0; !rc && i < p->nassessments; i++) {
		const struct roster_assessment *a = &p->assessments[i];

		sqlite3_bind_text(ins->result, 1, p->email, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins->result, 2, a->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins->result, 3, a->value, -1, SQLITE_STATIC);
		rc = step_done(st, ins->result, p, err);
	}
	return rc;
}

static int insert_roster(struct store *st, const struct roster *r,
			 struct dg_err *err)
{
	struct roster_inserts ins = {NULL, NULL, NULL};
	const char *what = "cannot store the roster";
	size_t i;
	int rc;

	rc = store_db_prepare(st,
			      "INSERT INTO people(email, name, title, opt_out, "
			      "digest, profile) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			      &ins.person, what, err);
	if (!rc)
		rc = store_db_prepare(st,
				      "INSERT INTO aliases(address, email) "
				      "VALUES (?1, ?2)",
				      &ins.alias, what, err);
	if (!rc)
		rc = store_db_prepare(
			st,
			"INSERT INTO assessments(email, name, value) "
			"VALUES (?1, ?2, ?3)",
			&ins.result, what, err);
	for (i = 0; !rc && i < r->n; i++)
		rc = insert_person(st, &ins, &r->v[i], err);
	sqlite3_finalize(ins.person);
	sqlite3_finalize(ins.alias);
	sqlite3_finalize(ins.result);
	return rc;
}

int roster_db_replace(struct store *st, const struct roster *r,
		      struct dg_err *err)
{
	const char *what = "cannot store the roster";
	int rc;

	rc = store_db_savepoint(st, "roster_replace", what, err);
	if (rc)
		return rc;
	rc = store_db_exec(st,
			   "DELETE FROM assessments;"
			   "DELETE FROM aliases;"
			   "DELETE FROM people;",
			   what, err);
	if (!rc)
		rc = insert_roster(st, r, err);
	return store_db_release(st, "roster_replace", rc, what, err);
}

/*
 * The queries of a roster load: each table read once, in email order
 * (case-insensitive, as the column compares), and merged person by
 * person; one query per person and table cost a search and a sort each.
 */
struct roster_queries {
	sqlite3_stmt *people;
	sqlite3_stmt *aliases;
	sqlite3_stmt *results;
	int alias_step; /* the last sqlite3_step() of each: SQLITE_ROW */
	int result_step; /* while a row is waiting */
};

/* One row of the aliases query (2 columns) or the results one (3). */
static int load_extra(sqlite3_stmt *q, struct roster_person *p)
{
	const char *a = (const char *)sqlite3_column_text(q, 1);

	if (sqlite3_column_count(q) == 2)
		return roster_person_add_alias(p, a);
	return roster_person_add_result(
		p, a, (const char *)sqlite3_column_text(q, 2));
}

/*
 * Add p's rows of q (aliases or results), which wait there from *step
 * on. Rows of an email before p's belong to nobody (no such person)
 * and are passed; the first row of a later email stays for its person.
 */
static int load_extras(struct store *st, sqlite3_stmt *q, int *step,
		       struct roster_person *p, struct dg_err *err)
{
	int rc = 0, cmp;

	while (!rc && *step == SQLITE_ROW) {
		cmp = sqlite3_stricmp(
			(const char *)sqlite3_column_text(q, 0), p->email);
		if (cmp > 0)
			return 0;
		if (!cmp)
			rc = load_extra(q, p);
		if (!rc)
			*step = sqlite3_step(q);
	}
	if (rc)
		return dg_errf(err, rc, "%s: out of memory loading the roster",
			       store_path(st));
	if (*step != SQLITE_ROW && *step != SQLITE_DONE)
		return store_db_fail(st, "cannot load the roster", err);
	return 0;
}

static int load_person(struct store *st, struct roster_queries *q,
		       struct roster *out, struct dg_err *err)
{
	struct roster_person p = {0};
	int rc;

	p.opt_out = sqlite3_column_int(q->people, 3) != 0;
	p.no_digest = sqlite3_column_int(q->people, 4) == 0;
	p.hidden = sqlite3_column_int(q->people, 5) != 0;
	if (store_db_column_dup(q->people, 0, STORE_DB_NULL_AS_EMPTY,
				&p.email) ||
	    store_db_column_dup(q->people, 1, STORE_DB_NULL_AS_EMPTY,
				&p.name) ||
	    store_db_column_dup(q->people, 2, STORE_DB_NULL_AS_EMPTY,
				&p.title)) {
		roster_person_release(&p);
		return dg_errf(err, DG_ENOMEM,
			       "%s: out of memory loading the roster",
			       store_path(st));
	}
	rc = load_extras(st, q->aliases, &q->alias_step, &p, err);
	if (!rc)
		rc = load_extras(st, q->results, &q->result_step, &p, err);
	if (!rc && roster_push(out, &p))
		rc = dg_errf(err, DG_ENOMEM,
			     "%s: out of memory loading the roster",
			     store_path(st));
	roster_person_release(&p);
	return rc;
}

/* Room for every person there is: the array is made once. */
static int reserve(struct store *st, struct roster *out, struct dg_err *err)
{
	const char *what = "cannot load the roster";
	sqlite3_stmt *count = NULL;
	int rc = store_db_prepare(st, "SELECT count(*) FROM people", &count,
				  what, err);

	if (!rc && sqlite3_step(count) != SQLITE_ROW)
		rc = store_db_fail(st, what, err);
	if (!rc && roster_reserve(out, out->n + (size_t)sqlite3_column_int64(
							count, 0)))
		rc = dg_errf(err, DG_ENOMEM,
			     "%s: out of memory loading the roster",
			     store_path(st));
	sqlite3_finalize(count);
	return rc;
}

static int load_roster(struct store *st, struct roster_queries *q,
		       struct roster *out, struct dg_err *err)
{
	const char *what = "cannot load the roster";
	int rc, step;

	/* rowid order is file order: aliases and results as written. */
	rc = store_db_prepare(st,
			      "SELECT email, name, title, opt_out, digest, "
			      "profile = 'hidden' FROM people ORDER BY email",
			      &q->people, what, err);
	if (!rc)
		rc = store_db_prepare(st,
				      "SELECT email, address FROM aliases "
				      "ORDER BY email, rowid",
				      &q->aliases, what, err);
	if (!rc)
		rc = store_db_prepare(st,
				      "SELECT email, name, value FROM "
				      "assessments ORDER BY email, rowid",
				      &q->results, what, err);
	if (!rc)
		rc = reserve(st, out, err);
	if (rc)
		return rc;
	q->alias_step = sqlite3_step(q->aliases);
	q->result_step = sqlite3_step(q->results);
	step = sqlite3_step(q->people);
	while (step == SQLITE_ROW) {
		rc = load_person(st, q, out, err);
		if (rc)
			return rc;
		step = sqlite3_step(q->people);
	}
	if (step != SQLITE_DONE)
		return store_db_fail(st, what, err);
	return 0;
}

int roster_db_load(struct store *st, struct roster *out, struct dg_err *err)
{
	const char *what = "cannot load the roster";
	struct roster_queries q = {NULL, NULL, NULL, SQLITE_DONE,
				   SQLITE_DONE};
	int rc;

	/* One read transaction: a concurrent import cannot tear the load. */
	rc = store_db_savepoint(st, "roster_load", what, err);
	if (rc)
		return rc;
	rc = load_roster(st, &q, out, err);
	sqlite3_finalize(q.people);
	sqlite3_finalize(q.aliases);
	sqlite3_finalize(q.results);
	rc = store_db_release(st, "roster_load", rc, what, err);
	if (rc)
		roster_release(out);
	return rc;
}
