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

/* Run sql (no results); failures are reported as store_db_prepare's. */
int store_db_exec(struct store *st, const char *sql, const char *what,
		  struct dg_err *err) __attribute__((warn_unused_result));

#endif
