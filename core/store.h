/*
 * store: the one SQLite database of digest (roster, meta, later the queue).
 *
 * sqlite3 never leaves this module: others see struct store and plain
 * structs. The schema is versioned with PRAGMA user_version and grown by an
 * ordered list of migrations (store.c), each applied in its own
 * transaction, so a database is always at a version this program knows or
 * refused with a message saying to upgrade. The database runs in WAL mode
 * with synchronous=FULL (store.c says why), foreign keys on and a 5 s busy
 * timeout, so a second process waits instead of failing at once.
 *
 * The tables belong to the modules that keep them (roster_db, queue,
 * users, auth's tokens); they run their SQL here through store_db.h.
 * Invariants: every message names the database file.
 * Errors: int functions return 0 or a DG_E* code and fill *err on failure.
 */
#ifndef DIGEST_STORE_H
#define DIGEST_STORE_H

#include "err.h"

struct store;

/*
 * Open or create the database at path and bring its schema up to date.
 * A database newer than this program, a file that is not a database or one
 * that cannot be opened is refused with a message naming path. *out is
 * yours: store_close() it.
 */
int store_open(const char *path, struct store **out, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Close st, rolling back an open transaction. NULL is a no-op. */
void store_close(struct store *st);

/* The path st was opened with; borrowed, valid until store_close(). */
const char *store_path(const struct store *st);

/*
 * Read the meta value of key. *value is yours: free() it. DG_ENOTFOUND
 * (and err filled) when key has no value.
 */
int store_meta_get(struct store *st, const char *key, char **value,
		   struct dg_err *err) __attribute__((warn_unused_result));

/* Set (insert or overwrite) the meta value of key. */
int store_meta_set(struct store *st, const char *key, const char *value,
		   struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Transactions for several store calls that must stand or fall together.
 * store_begin takes the write lock at once (BEGIN IMMEDIATE), waiting up
 * to the busy timeout; store_begin_read takes none (BEGIN): its reads
 * see one snapshot and lock the file once, not once each, and it is for
 * reads only (a write in it may find the snapshot stale: SQLITE_BUSY).
 * Either ends with store_commit; transactions do not nest (DG_EINTERNAL).
 * store_rollback never fails: SQLite rolls back what it cannot undo when
 * the connection closes; NULL or no open transaction is a no-op.
 */
int store_begin(struct store *st, struct dg_err *err)
	__attribute__((warn_unused_result));
int store_begin_read(struct store *st, struct dg_err *err)
	__attribute__((warn_unused_result));
int store_commit(struct store *st, struct dg_err *err)
	__attribute__((warn_unused_result));
void store_rollback(struct store *st);

#endif
