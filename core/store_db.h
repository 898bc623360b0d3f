/*
 * store_db: the SQLite handle, for the modules of the persistence layer.
 *
 * store owns the database file, its pragmas and its schema; the modules
 * that keep their own tables in it (queue, the Graph users and tokens)
 * run their SQL on the same connection, so that one transaction can span
 * them. Only those modules include this header: everything above them
 * sees plain structs, never sqlite3.
 */
#ifndef DIGEST_STORE_DB_H
#define DIGEST_STORE_DB_H

#include <sqlite3.h>

#include "err.h"
#include "store.h"

/* The connection; borrowed, valid until store_close(). */
sqlite3 *store_db(struct store *st);

/*
 * Fill err with "<db path>: <what>: <SQLite's message>" and a DG_E* code
 * derived from SQLite's last error; returns the code.
 */
int store_db_fail(struct store *st, const char *what, struct dg_err *err);

/* The DG_E* code of SQLite's last error on st's connection. */
int store_db_code(struct store *st);

/* Prepare sql; on failure err says "<db>: <what>: <SQLite's message>". */
int store_db_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		     const char *what, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * sql's statement kept for a run of reads: the one in *slot (prepared
 * into it the first time), or, slot NULL, a fresh one. Give it back with
 * store_db_kept_done().
 */
int store_db_kept(struct store *st, sqlite3_stmt **slot, const char *sql,
		  sqlite3_stmt **stmt, const char *what, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The end of one use of store_db_kept()'s statement: a kept one is reset,
 * its bindings cleared (they were borrowed); a fresh one is finalized.
 */
void store_db_kept_done(sqlite3_stmt **slot, sqlite3_stmt *stmt);

/* Run sql (no results); failures are reported as store_db_prepare's. */
int store_db_exec(struct store *st, const char *sql, const char *what,
		  struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Savepoint name (an SQL identifier, a constant of the caller's): what
 * follows is a transaction of its own, or a part of the caller's that
 * stands or falls with it. End it with store_db_release().
 */
int store_db_savepoint(struct store *st, const char *name, const char *what,
		       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * End savepoint name: keep what it did when rc is 0 (RELEASE; its
 * failure is returned), else undo it (ROLLBACK TO, then RELEASE; a
 * failure there is logged, SQLite rolls back at close) and return rc.
 */
int store_db_release(struct store *st, const char *name, int rc,
		     const char *what, struct dg_err *err)
	__attribute__((warn_unused_result));

/* How store_db_column_dup() reads SQL NULL and "". */
enum store_db_text_flags {
	STORE_DB_NULL_AS_EMPTY = 1 << 0, /* NULL gives "" */
	STORE_DB_EMPTY_AS_NULL = 1 << 1, /* "" gives NULL */
};

/*
 * A copy of text column i of the current row into *out (yours; NULL for
 * SQL NULL unless flags say otherwise). 0, or DG_ENOMEM (*out NULL).
 */
int store_db_column_dup(sqlite3_stmt *stmt, int i, unsigned flags, char **out)
	__attribute__((warn_unused_result));

/* Bind s to parameter i, or NULL for an absent or empty string. */
void store_db_bind_text_or_null(sqlite3_stmt *stmt, int i, const char *s);

#endif
