/*
 * store: the schema is created and versioned, the file is refused when it
 * is not ours to use, the roster is replaced atomically, meta round-trips.
 * Each test works in a fresh temporary folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "roster.h"
#include "roster_db.h"
#include "scratch.h"
#include "store.h"
#include "store_db.h"
#include "strbuf.h"

/* Run one statement on the file behind the store's back; its int result. */
static int sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static char *sql_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	char *v = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

/* A person with copies of the given strings; aliases end with NULL. */
static void add_person(struct roster *r, const char *email, const char *name,
		       bool opt_out, const char *const *aliases,
		       const char *disc)
{
	struct roster_person p = {0};

	p.email = strdup(email);
	p.name = strdup(name);
	p.title = strdup("");
	p.opt_out = opt_out;
	p.line = (unsigned)r->n + 2;
	for (; aliases && *aliases; aliases++)
		assert_int_equal(roster_person_add_alias(&p, *aliases), 0);
	if (disc)
		assert_int_equal(roster_person_add_result(&p, "disc", disc), 0);
	assert_int_equal(roster_push(r, &p), 0);
}

/* Ann (alias, DISC D) and Bob (opted out, DISC and Enneagram). */
static void two_people(struct roster *r)
{
	static const char *const ann_aliases[] = {"a.smith@contoso.com",
						  "ann@fabrikam.com", NULL};

	add_person(r, "bob@contoso.com", "Bob", true, NULL, "S");
	assert_int_equal(roster_person_add_result(&r->v[0], "enneagram", "9"),
			 0);
	add_person(r, "Ann@Contoso.com", "Ann", false, ann_aliases, "D");
}

static void replace_ok(struct store *st, const struct roster *r)
{
	struct dg_err err = DG_ERR_INIT;

	if (roster_db_replace(st, r, &err))
		fail_msg("roster_db_replace: %s", err.msg);
}

static void
test_store__open_creates_the_schema_and_sets_user_version(void **state)
{
	struct scratch *f = *state;
	struct store *st = scratch_open(f);

	store_close(st);
	assert_true(sql_int(f->db.buf, "PRAGMA user_version") >= 1);
	assert_int_equal(sql_int(f->db.buf,
				 "SELECT count(*) FROM sqlite_schema WHERE "
				 "name IN ('people', 'aliases', "
				 "'assessments', 'meta')"),
			 4);
}

static void test_store__database_is_in_wal_mode(void **state)
{
	struct scratch *f = *state;
	struct store *st = scratch_open(f);
	char *mode = sql_text(f->db.buf, "PRAGMA journal_mode");

	assert_string_equal(mode, "wal");
	free(mode);
	store_close(st);
}

static void test_store__reopen_keeps_roster_and_meta(void **state)
{
	struct scratch *f = *state;
	struct roster r = ROSTER_INIT, back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *v = NULL;

	two_people(&r);
	replace_ok(st, &r);
	assert_int_equal(store_meta_set(st, "roster.hash", "abc", &err), 0);
	store_close(st);

	st = scratch_open(f);
	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(store_meta_get(st, "roster.hash", &v, &err), 0);
	assert_string_equal(v, "abc");
	free(v);
	store_close(st);
	roster_release(&r);
	roster_release(&back);
}

static void
test_store__newer_schema_is_refused_naming_both_versions(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	struct strbuf want = STRBUF_INIT;
	int known;

	store_close(st);
	known = sql_int(f->db.buf, "PRAGMA user_version");
	sql_int(f->db.buf, "PRAGMA user_version = 99");

	st = (struct store *)&err; /* must be reset to NULL */
	assert_int_equal(store_open(f->db.buf, &st, &err), DG_EINVAL);
	assert_null(st);
	assert_int_equal(strbuf_addf(&want,
				     "%s: schema version 99 is newer than "
				     "this digest understands (%d); upgrade "
				     "digest",
				     f->db.buf, known),
			 0);
	assert_string_equal(err.msg, want.buf);
	strbuf_release(&want);
}

static void
test_store__file_that_is_not_a_database_is_refused_naming_it(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf path = STRBUF_INIT;
	struct store *st = NULL;
	FILE *fp;

	assert_int_equal(strbuf_addf(&path, "%s/junk", f->dir.buf), 0);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fputs("email,name\nann@contoso.com,Ann\n"
	      "this is a roster, not a database, and long enough to be read "
	      "as a database header by SQLite\n",
	      fp);
	fclose(fp);

	assert_int_equal(store_open(path.buf, &st, &err), DG_EPARSE);
	assert_null(st);
	assert_non_null(strstr(err.msg, path.buf));
	assert_non_null(strstr(err.msg, "file is not a database"));
	strbuf_release(&path);
}

static void
test_store__path_in_a_missing_folder_is_refused_naming_it(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	struct store *st = NULL;
	const char *path = "/nonexistent-digest-test/sub/digest.db";

	assert_int_equal(store_open(path, &st, &err), DG_EIO);
	assert_null(st);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "unable to open database file"));
}

static void
test_store__load_returns_people_sorted_with_aliases_results(void **state)
{
	struct scratch *f = *state;
	struct roster r = ROSTER_INIT, back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);

	two_people(&r);
	replace_ok(st, &r);
	assert_int_equal(roster_db_load(st, &back, &err), 0);

	assert_int_equal(back.n, 2);
	assert_int_equal(back.alloc, 2); /* made once, from the count */
	/* Sorted case-insensitively, spelled as stored. */
	assert_string_equal(back.v[0].email, "Ann@Contoso.com");
	assert_string_equal(back.v[0].name, "Ann");
	assert_string_equal(back.v[0].title, "");
	assert_false(back.v[0].opt_out);
	assert_int_equal(back.v[0].line, 0);
	assert_int_equal(back.v[0].naliases, 2);
	assert_string_equal(back.v[0].aliases[0], "a.smith@contoso.com");
	assert_string_equal(back.v[0].aliases[1], "ann@fabrikam.com");
	assert_int_equal(back.v[0].nassessments, 1);
	assert_string_equal(roster_person_result(&back.v[0], "disc"), "D");

	assert_string_equal(back.v[1].email, "bob@contoso.com");
	assert_true(back.v[1].opt_out);
	assert_int_equal(back.v[1].naliases, 0);
	assert_int_equal(back.v[1].nassessments, 2);
	assert_string_equal(back.v[1].assessments[0].name, "disc");
	assert_string_equal(back.v[1].assessments[0].value, "S");
	assert_string_equal(back.v[1].assessments[1].name, "enneagram");
	assert_string_equal(back.v[1].assessments[1].value, "9");

	store_close(st);
	roster_release(&r);
	roster_release(&back);
}

/*
 * The load reads each table once in email order and merges: a person's
 * rows are found whatever their spelling, in the order written (rowid),
 * and rows of no person (written behind the foreign key's back) are
 * passed over without taking the next person's place.
 */
static void
test_store__load_merges_rows_in_file_order_skipping_orphans(void **state)
{
	struct scratch *f = *state;
	struct roster r = ROSTER_INIT, back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);

	add_person(&r, "carl@contoso.com", "Carl", false, NULL, "I");
	assert_int_equal(roster_person_add_result(&r.v[0], "big5", "O"), 0);
	add_person(&r, "Ann@Contoso.com", "Ann", false, NULL, NULL);
	replace_ok(st, &r);
	/* Ann's results written zodiac first, under other spellings; an
	 * orphan between Ann and Carl by email */
	assert_int_equal(sql_int(f->db.buf,
				 "INSERT INTO assessments(email, name, value) "
				 "VALUES ('ANN@contoso.com', 'zodiac', 'Leo'),"
				 "('ann@CONTOSO.com', 'enneagram', '4'),"
				 "('bea@contoso.com', 'disc', 'C')"),
			 -1);
	assert_int_equal(sql_int(f->db.buf,
				 "INSERT INTO aliases(address, email) VALUES "
				 "('b@contoso.com', 'bea@contoso.com'),"
				 "('a@contoso.com', 'ANN@contoso.com')"),
			 -1);
	assert_int_equal(roster_db_load(st, &back, &err), 0);

	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].email, "Ann@Contoso.com");
	assert_int_equal(back.v[0].naliases, 1);
	assert_string_equal(back.v[0].aliases[0], "a@contoso.com");
	assert_int_equal(back.v[0].nassessments, 2);
	assert_string_equal(back.v[0].assessments[0].name, "zodiac");
	assert_string_equal(back.v[0].assessments[1].name, "enneagram");
	assert_string_equal(back.v[1].email, "carl@contoso.com");
	assert_int_equal(back.v[1].naliases, 0);
	assert_int_equal(back.v[1].nassessments, 2);
	assert_string_equal(back.v[1].assessments[0].name, "disc");
	assert_string_equal(back.v[1].assessments[0].value, "I");
	assert_string_equal(back.v[1].assessments[1].name, "big5");
	store_close(st);
	roster_release(&r);
	roster_release(&back);
}

static void
test_store__load_of_a_fresh_database_is_an_empty_roster(void **state)
{
	struct scratch *f = *state;
	struct roster back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);

	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 0);
	store_close(st);
	roster_release(&back);
}

static void
test_store__replace_drops_people_missing_from_the_new_roster(void **state)
{
	struct scratch *f = *state;
	struct roster r = ROSTER_INIT, r2 = ROSTER_INIT, back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);

	two_people(&r);
	replace_ok(st, &r);
	add_person(&r2, "carol@contoso.com", "Carol", false, NULL, NULL);
	replace_ok(st, &r2);

	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.v[0].email, "carol@contoso.com");
	assert_int_equal(sql_int(f->db.buf, "SELECT count(*) FROM aliases"), 0);
	assert_int_equal(sql_int(f->db.buf, "SELECT count(*) FROM assessments"),
			 0);
	store_close(st);
	roster_release(&r);
	roster_release(&r2);
	roster_release(&back);
}

static void test_store__failing_replace_leaves_the_previous_roster(void **state)
{
	struct scratch *f = *state;
	struct roster r = ROSTER_INIT, bad = ROSTER_INIT, back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	struct strbuf want = STRBUF_INIT;

	two_people(&r);
	replace_ok(st, &r);
	/* Unchecked input: the same person twice, differing in case only. */
	add_person(&bad, "carol@contoso.com", "Carol", false, NULL, NULL);
	add_person(&bad, "CAROL@contoso.com", "Carol", false, NULL, NULL);

	assert_int_equal(roster_db_replace(st, &bad, &err), DG_EEXISTS);
	assert_int_equal(strbuf_addf(&want,
				     "%s: cannot store CAROL@contoso.com "
				     "(roster line 3): UNIQUE constraint "
				     "failed: people.email",
				     f->db.buf),
			 0);
	assert_string_equal(err.msg, want.buf);

	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].email, "Ann@Contoso.com");
	assert_int_equal(back.v[0].naliases, 2);
	assert_string_equal(back.v[1].email, "bob@contoso.com");
	store_close(st);
	strbuf_release(&want);
	roster_release(&r);
	roster_release(&bad);
	roster_release(&back);
}

static void test_store__meta_get_of_a_missing_key_is_not_found(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	struct strbuf want = STRBUF_INIT;
	char *v = (char *)"untouched";

	assert_int_equal(store_meta_get(st, "roster.hash", &v, &err),
			 DG_ENOTFOUND);
	assert_null(v);
	assert_int_equal(strbuf_addf(&want, "%s: no meta value 'roster.hash'",
				     f->db.buf),
			 0);
	assert_string_equal(err.msg, want.buf);
	strbuf_release(&want);
	store_close(st);
}

static void test_store__meta_set_overwrites_the_previous_value(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *v = NULL;

	assert_int_equal(store_meta_set(st, "k", "one", &err), 0);
	assert_int_equal(store_meta_set(st, "k", "two", &err), 0);
	assert_int_equal(store_meta_get(st, "k", &v, &err), 0);
	assert_string_equal(v, "two");
	free(v);
	store_close(st);
}

static void
test_store__rollback_discards_what_the_transaction_wrote(void **state)
{
	struct scratch *f = *state;
	struct roster r = ROSTER_INIT, back = ROSTER_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *v = NULL;

	assert_int_equal(store_begin(st, &err), 0);
	two_people(&r);
	replace_ok(st, &r);
	assert_int_equal(store_meta_set(st, "k", "v", &err), 0);
	store_rollback(st);

	assert_int_equal(store_meta_get(st, "k", &v, &err), DG_ENOTFOUND);
	assert_int_equal(roster_db_load(st, &back, &err), 0);
	assert_int_equal(back.n, 0);
	store_close(st);
	roster_release(&r);
}

static void test_store__commit_keeps_what_the_transaction_wrote(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *v = NULL;

	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_meta_set(st, "k", "v", &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	store_close(st);

	st = scratch_open(f);
	assert_int_equal(store_meta_get(st, "k", &v, &err), 0);
	assert_string_equal(v, "v");
	free(v);
	store_close(st);
}

/*
 * A read transaction sees one snapshot: what another connection commits
 * meanwhile is seen after it, and it does not keep that writer waiting.
 */
static void test_store__a_read_transaction_sees_one_snapshot(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *reader = scratch_open(f), *writer = scratch_open(f);
	char *v = NULL;

	assert_int_equal(store_meta_set(writer, "k", "one", &err), 0);
	assert_int_equal(store_begin_read(reader, &err), 0);
	assert_int_equal(store_meta_get(reader, "k", &v, &err), 0);
	assert_string_equal(v, "one");
	free(v);
	assert_int_equal(store_meta_set(writer, "k", "two", &err), 0);
	assert_int_equal(store_meta_get(reader, "k", &v, &err), 0);
	assert_string_equal(v, "one");
	free(v);
	assert_int_equal(store_begin_read(reader, &err), DG_EINTERNAL);
	assert_int_equal(store_commit(reader, &err), 0);
	assert_int_equal(store_meta_get(reader, "k", &v, &err), 0);
	assert_string_equal(v, "two");
	free(v);
	store_close(writer);
	store_close(reader);
}

static void test_store__transactions_do_not_nest(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	struct strbuf want = STRBUF_INIT;

	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_begin(st, &err), DG_EINTERNAL);
	assert_int_equal(strbuf_addf(&want, "%s: a transaction is already open",
				     f->db.buf),
			 0);
	assert_string_equal(err.msg, want.buf);
	store_rollback(st);
	strbuf_release(&want);
	store_close(st);
}

static void test_store__close_and_rollback_accept_null(void **state)
{
	store_close(NULL);
	store_rollback(NULL);
}

static void test_store__a_released_savepoint_keeps_what_it_wrote(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *v = NULL;

	assert_int_equal(store_db_savepoint(st, "t", "test", &err), 0);
	assert_int_equal(store_meta_set(st, "k", "kept", &err), 0);
	assert_int_equal(store_db_release(st, "t", 0, "test", &err), 0);
	assert_int_equal(store_meta_get(st, "k", &v, &err), 0);
	assert_string_equal(v, "kept");
	free(v);
	store_close(st);
}

static void test_store__a_failed_savepoint_undoes_and_keeps_the_status(
	void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	char *v = NULL;

	assert_int_equal(store_db_savepoint(st, "t", "test", &err), 0);
	assert_int_equal(store_meta_set(st, "k", "undone", &err), 0);
	assert_int_equal(store_db_release(st, "t", DG_EEXISTS, "test", &err),
			 DG_EEXISTS);
	assert_int_equal(store_meta_get(st, "k", &v, &err), DG_ENOTFOUND);
	assert_null(v);
	/* The savepoint is gone: a new transaction can start. */
	assert_int_equal(store_begin(st, &err), 0);
	store_rollback(st);
	store_close(st);
}

static void test_store__column_dup_reads_null_and_empty_as_asked(
	void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	struct store *st = scratch_open(f);
	sqlite3_stmt *q = NULL;
	char *v = NULL;

	assert_int_equal(store_db_prepare(st, "SELECT NULL, '', 'x'", &q,
					  "test", &err),
			 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(store_db_column_dup(q, 0, 0, &v), 0);
	assert_null(v);
	assert_int_equal(store_db_column_dup(q, 0, STORE_DB_NULL_AS_EMPTY, &v),
			 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(store_db_column_dup(q, 1, 0, &v), 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(store_db_column_dup(q, 1, STORE_DB_EMPTY_AS_NULL, &v),
			 0);
	assert_null(v);
	assert_int_equal(store_db_column_dup(q, 2, STORE_DB_EMPTY_AS_NULL, &v),
			 0);
	assert_string_equal(v, "x");
	free(v);
	sqlite3_finalize(q);
	store_close(st);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, scratch_setup,                   \
					scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__open_creates_the_schema_and_sets_user_version),
		T(test_store__database_is_in_wal_mode),
		T(test_store__reopen_keeps_roster_and_meta),
		T(test_store__newer_schema_is_refused_naming_both_versions),
		T(test_store__file_that_is_not_a_database_is_refused_naming_it),
		T(test_store__path_in_a_missing_folder_is_refused_naming_it),
		T(test_store__load_returns_people_sorted_with_aliases_results),
		T(test_store__load_merges_rows_in_file_order_skipping_orphans),
		T(test_store__load_of_a_fresh_database_is_an_empty_roster),
		T(test_store__replace_drops_people_missing_from_the_new_roster),
		T(test_store__failing_replace_leaves_the_previous_roster),
		T(test_store__meta_get_of_a_missing_key_is_not_found),
		T(test_store__meta_set_overwrites_the_previous_value),
		T(test_store__rollback_discards_what_the_transaction_wrote),
		T(test_store__commit_keeps_what_the_transaction_wrote),
		T(test_store__a_read_transaction_sees_one_snapshot),
		T(test_store__transactions_do_not_nest),
		T(test_store__close_and_rollback_accept_null),
		T(test_store__a_released_savepoint_keeps_what_it_wrote),
		T(test_store__a_failed_savepoint_undoes_and_keeps_the_status),
		T(test_store__column_dup_reads_null_and_empty_as_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
