#include "store.h"
#include "store_db.h"
#include "logging.h"
#include "strbuf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A second process (cron run, `roster import`) waits this long for us. */
#define STORE_BUSY_TIMEOUT_MS 5000

struct store {
	sqlite3 *db;
	char *path;
};

/*
 * The schema, one migration per version: migrations[i] takes a database
 * from user_version i to i + 1. Append, never edit a released entry: a
 * database in the field has already run it.
 */
static const char *const migrations[] = {
	/* 1: the roster, and meta for small facts (the roster file's hash). */
	"CREATE TABLE meta ("
	"  key   TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL"
	");"
	"CREATE TABLE people ("
	"  email   TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
	"  name    TEXT,"
	"  title   TEXT,"
	"  opt_out INTEGER NOT NULL DEFAULT 0 CHECK (opt_out IN (0, 1))"
	");"
	"CREATE TABLE aliases ("
	"  address TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
	"  email   TEXT NOT NULL COLLATE NOCASE"
	"          REFERENCES people(email) ON DELETE CASCADE"
	");"
	"CREATE INDEX aliases_email ON aliases(email);"
	"CREATE TABLE assessments ("
	"  email TEXT NOT NULL COLLATE NOCASE"
	"        REFERENCES people(email) ON DELETE CASCADE,"
	"  name  TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (email, name)"
	");",

	/*
	 * 2: the outbox. A message is written here before any send; a
	 * digest is unique per (user, date), a resend is one more row.
	 * Times are epoch milliseconds. outcomes keeps each user's last
	 * verdict of a day for `digest status` (skips leave no message).
	 */
	"CREATE TABLE queue ("
	"  id              INTEGER PRIMARY KEY,"
	"  user            TEXT NOT NULL COLLATE NOCASE,"
	"  date            TEXT NOT NULL,"
	"  kind            TEXT NOT NULL DEFAULT 'digest'"
	"                  CHECK (kind IN ('digest', 'resend')),"
	"  state           TEXT NOT NULL DEFAULT 'queued'"
	"                  CHECK (state IN ('queued', 'sending', 'sent',"
	"                                   'failed')),"
	"  attempts        INTEGER NOT NULL DEFAULT 0,"
	"  recipient       TEXT NOT NULL,"
	"  message_id      TEXT NOT NULL,"
	"  message         BLOB NOT NULL,"
	"  last_reply      TEXT,"
	"  created_at      INTEGER NOT NULL,"
	"  updated_at      INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	"  sent_at         INTEGER"
	");"
	"CREATE UNIQUE INDEX queue_digest_once ON queue(user, date)"
	"  WHERE kind = 'digest';"
	"CREATE INDEX queue_due ON queue(state, next_attempt_at);"
	"CREATE TABLE outcomes ("
	"  user    TEXT NOT NULL COLLATE NOCASE,"
	"  date    TEXT NOT NULL,"
	"  outcome TEXT NOT NULL"
	"          CHECK (outcome IN ('queued', 'sent', 'skipped', 'failed')),"
	"  reason  TEXT,"
	"  at      INTEGER NOT NULL,"
	"  PRIMARY KEY (user, date)"
	");"
	"CREATE TABLE opt_outs ("
	"  address TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
	"  at      INTEGER NOT NULL"
	");",

	/*
	 * 3: Microsoft Graph. users holds what `users sync` found (app-only
	 * mode); tokens the delegated users' refresh tokens, sealed with
	 * libsodium (never stored in clear).
	 */
	"CREATE TABLE users ("
	"  id              TEXT PRIMARY KEY NOT NULL,"
	"  mail            TEXT NOT NULL COLLATE NOCASE,"
	"  display_name    TEXT,"
	"  upn             TEXT,"
	"  proxy_addresses TEXT NOT NULL DEFAULT ''," /* one per line */
	"  synced_at       INTEGER NOT NULL"
	");"
	"CREATE INDEX users_mail ON users(mail);"
	"CREATE TABLE tokens ("
	"  user            TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
	"  user_id         TEXT,"
	"  nonce           BLOB NOT NULL,"
	"  sealed          BLOB NOT NULL,"
	"  needs_reconnect INTEGER NOT NULL DEFAULT 0"
	"                  CHECK (needs_reconnect IN (0, 1)),"
	"  reason          TEXT,"
	"  updated_at      INTEGER NOT NULL"
	");",

	/*
	 * 4: the reader's names as the directory has them (Graph givenName,
	 * surname): digests greet by the given name, never by a guess.
	 */
	"ALTER TABLE users ADD COLUMN given_name TEXT;"
	"ALTER TABLE users ADD COLUMN surname TEXT;",

	/*
	 * 5: each recipient's own choices (core/prefs.h): a pause, the
	 * weekdays (bit d: weekday d, 0 Sunday; 0 no choice), a send time,
	 * a language, and whether colleagues' digests show their profile.
	 */
	"CREATE TABLE prefs ("
	"  address     TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
	"  pause_until TEXT CHECK (pause_until IS NULL"
	"                          OR length(pause_until) = 10),"
	"  days        INTEGER NOT NULL DEFAULT 0"
	"              CHECK (days BETWEEN 0 AND 127),"
	"  send_at     TEXT CHECK (send_at IS NULL OR length(send_at) = 5),"
	"  locale      TEXT CHECK (locale IS NULL OR length(locale) <= 35),"
	"  profile     TEXT CHECK (profile IS NULL"
	"                          OR profile IN ('visible', 'hidden')),"
	"  updated_at  INTEGER NOT NULL"
	");",

	/*
	 * 6: the roster's consent columns: digest (receives digests) and
	 * profile (shown in colleagues' digests); opt_out is both at once.
	 */
	"ALTER TABLE people ADD COLUMN digest INTEGER NOT NULL DEFAULT 1"
	"  CHECK (digest IN (0, 1));"
	"ALTER TABLE people ADD COLUMN profile TEXT NOT NULL"
	"  DEFAULT 'visible' CHECK (profile IN ('visible', 'hidden'));",

	/*
	 * 7: a message's bytes in a table of their own, written once. A
	 * queue row changes with each step of its delivery (sending, sent,
	 * its last reply), and SQLite writes a whole row again when its
	 * size changes: with the body inside, every verdict rewrote tens of
	 * pages of message. The queue row is now a few dozen bytes.
	 */
	"CREATE TABLE queue_bodies ("
	"  id      INTEGER PRIMARY KEY REFERENCES queue(id),"
	"  message BLOB NOT NULL"
	");"
	"INSERT INTO queue_bodies(id, message) SELECT id, message FROM queue;"
	"ALTER TABLE queue DROP COLUMN message;",

	/*
	 * 8: whom each reader met, day by day (core/history.h): identities,
	 * dates and counts only. history_days says a day was recorded, even
	 * with nobody met; addresses are lowercase.
	 */
	"CREATE TABLE history_days ("
	"  reader      TEXT NOT NULL COLLATE NOCASE,"
	"  date        TEXT NOT NULL CHECK (length(date) = 10),"
	"  recorded_at INTEGER NOT NULL,"
	"  PRIMARY KEY (reader, date)"
	") WITHOUT ROWID;"
	"CREATE INDEX history_days_date ON history_days(date);"
	"CREATE TABLE history ("
	"  reader   TEXT NOT NULL COLLATE NOCASE,"
	"  date     TEXT NOT NULL CHECK (length(date) = 10),"
	"  person   TEXT NOT NULL COLLATE NOCASE,"
	"  meetings INTEGER NOT NULL CHECK (meetings > 0),"
	"  PRIMARY KEY (reader, date, person)"
	") WITHOUT ROWID;"
	"CREATE INDEX history_person ON history(person);"
	"CREATE INDEX history_date ON history(date);",

	/*
	 * 9: each tenant user's zone and working hours as their mailbox
	 * settings last said (core/workhours.h), for colleagues' digests.
	 * Apart from users: `users sync` replaces that table whole.
	 */
	"CREATE TABLE work_hours ("
	"  user_id    TEXT PRIMARY KEY NOT NULL,"
	"  mail       TEXT NOT NULL COLLATE NOCASE,"
	"  time_zone  TEXT,"
	"  work_zone  TEXT,"
	"  days       INTEGER NOT NULL DEFAULT 0 CHECK (days BETWEEN 0 AND 127),"
	"  start_min  INTEGER CHECK (start_min BETWEEN 0 AND 1439),"
	"  end_min    INTEGER CHECK (end_min BETWEEN 0 AND 1439),"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK ((start_min IS NULL) = (end_min IS NULL))"
	");"
	"CREATE INDEX work_hours_mail ON work_hours(mail);",

	/*
	 * 10: history keyed (reader, person, date) and without secondary
	 * indexes: a reader's rows lie together by person, so whether they
	 * met someone lately is one probe and their contacts group without
	 * a sort, and a run's writes touch a few pages per reader instead of
	 * one page of each index. Pruning (daily) and forgetting (rare) scan.
	 */
	"CREATE TABLE history_v10 ("
	"  reader   TEXT NOT NULL COLLATE NOCASE,"
	"  person   TEXT NOT NULL COLLATE NOCASE,"
	"  date     TEXT NOT NULL CHECK (length(date) = 10),"
	"  meetings INTEGER NOT NULL CHECK (meetings > 0),"
	"  PRIMARY KEY (reader, person, date)"
	") WITHOUT ROWID;"
	"INSERT INTO history_v10(reader, person, date, meetings)"
	"  SELECT reader, person, date, meetings FROM history;"
	"DROP TABLE history;"
	"ALTER TABLE history_v10 RENAME TO history;",
};

#define STORE_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int code_of(int sqlite_rc)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_NOMEM:
		return DG_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DG_ETEMP;
	case SQLITE_CONSTRAINT:
		return DG_EEXISTS;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return DG_EPARSE;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_FULL:
		return DG_EIO;
	}
	return DG_EINTERNAL;
}

/* "digest.db: <what>: <SQLite's message>", with a code from SQLite's. */
static int store_fail(struct store *st, const char *what, struct dg_err *err)
{
	return dg_errf(err, code_of(sqlite3_extended_errcode(st->db)),
		       "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int store_db_exec(struct store *st, const char *sql, const char *what,
		  struct dg_err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, what, err);
	return 0;
}

int store_db_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		     const char *what, struct dg_err *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return store_fail(st, what, err);
	return 0;
}

int store_db_kept(struct store *st, sqlite3_stmt **slot, const char *sql,
		  sqlite3_stmt **stmt, const char *what, struct dg_err *err)
{
	int rc;

	if (slot && *slot) {
		*stmt = *slot;
		return 0;
	}
	rc = store_db_prepare(st, sql, stmt, what, err);
	if (!rc && slot)
		*slot = *stmt;
	return rc;
}

void store_db_kept_done(sqlite3_stmt **slot, sqlite3_stmt *stmt)
{
	if (!slot) {
		sqlite3_finalize(stmt);
		return;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

int store_db_column_dup(sqlite3_stmt *stmt, int i, unsigned flags, char **out)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	*out = NULL;
	/* NULL from a column that is not NULL: SQLite ran out of memory. */
	if (!s && sqlite3_column_type(stmt, i) != SQLITE_NULL)
		return DG_ENOMEM;
	if (!s && (flags & STORE_DB_NULL_AS_EMPTY))
		s = (const unsigned char *)"";
	if (!s || (!*s && (flags & STORE_DB_EMPTY_AS_NULL)))
		return 0;
	*out = strdup((const char *)s);
	return *out ? 0 : DG_ENOMEM;
}

void store_db_bind_text_or_null(sqlite3_stmt *stmt, int i, const char *s)
{
	if (!s || !*s)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

/*
 * One savepoint statement for name ("SAVEPOINT %s"); names are short
 * constants of the callers, so one that does not fit is a bug.
 */
static int savepoint_exec(struct store *st, const char *verb, const char *name,
			  const char *what, struct dg_err *err)
{
	char sql[128];
	int n = snprintf(sql, sizeof(sql), "%s %s", verb, name);

	if (n < 0 || (size_t)n >= sizeof(sql))
		return dg_errf(err, DG_EINTERNAL, "savepoint name too long");
	return store_db_exec(st, sql, what, err);
}

int store_db_savepoint(struct store *st, const char *name, const char *what,
		       struct dg_err *err)
{
	return savepoint_exec(st, "SAVEPOINT", name, what, err);
}

int store_db_release(struct store *st, const char *name, int rc,
		     const char *what, struct dg_err *err)
{
	struct dg_err ignored = DG_ERR_INIT;

	if (!rc)
		return savepoint_exec(st, "RELEASE", name, what, err);
	/* Undo, then end it: the caller's err keeps the first failure. */
	if (savepoint_exec(st, "ROLLBACK TO", name, what, &ignored) ||
	    savepoint_exec(st, "RELEASE", name, what, &ignored))
		logging_warn("%s", ignored.msg);
	return rc;
}

static int run_pragmas(struct store *st, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *mode;
	int rc;

	if (sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK)
		return store_fail(st, "cannot open the database", err);
	/*
	 * The first statement that reads the file: a file that is not a
	 * database fails here. WAL lets `status` read while a run writes.
	 */
	rc = store_db_prepare(st, "PRAGMA journal_mode=WAL", &stmt,
			      "cannot open the database", err);
	if (rc)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = store_fail(st, "cannot open the database", err);
		sqlite3_finalize(stmt);
		return rc;
	}
	mode = (const char *)sqlite3_column_text(stmt, 0);
	if (mode && strcmp(mode, "wal") && strcmp(mode, "memory"))
		logging_warn("%s: journal mode is %s, not WAL: readers will "
			     "wait for writers",
			     st->path, mode);
	sqlite3_finalize(stmt);
	/*
	 * FULL, not NORMAL: in WAL mode NORMAL never corrupts the file, but
	 * a commit can vanish on power loss. This file holds the mail queue,
	 * where a lost "sent" mark means a message is sent twice and a lost
	 * "queued" row means one is never sent. One fsync per commit is
	 * nothing for a batch job that commits a few times per user.
	 */
	return store_db_exec(st,
			     "PRAGMA synchronous=FULL;"
			     "PRAGMA foreign_keys=ON;",
			     "cannot open the database", err);
}

static int read_user_version(struct store *st, int *version, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st, "PRAGMA user_version", &stmt,
			      "cannot read the schema version", err);
	if (rc)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		rc = store_fail(st, "cannot read the schema version", err);
	else
		*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Apply the next migration, if any, in one transaction. The version is
 * read inside the write lock, so two processes opening a fresh file
 * cannot both run a migration.
 */
static int migrate_step(struct store *st, bool *done, struct dg_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	int version = 0;
	int rc;

	rc = store_db_exec(st, "BEGIN IMMEDIATE", "cannot upgrade the schema",
			   err);
	if (rc)
		return rc;
	rc = read_user_version(st, &version, err);
	if (rc)
		goto out;
	if (version > STORE_VERSION) {
		rc = dg_errf(err, DG_EINVAL,
			     "%s: schema version %d is newer than this digest "
			     "understands (%d); upgrade digest",
			     st->path, version, STORE_VERSION);
		goto out;
	}
	if (version == STORE_VERSION) {
		*done = true;
		rc = store_db_exec(st, "COMMIT", "cannot upgrade the schema",
				   err);
		goto out;
	}
	rc = strbuf_addf(&sql, "%s;PRAGMA user_version=%d;",
			 migrations[version], version + 1);
	if (rc) {
		dg_errf(err, rc, "%s: cannot build the migration", st->path);
		goto out;
	}
	if (sqlite3_exec(st->db, sql.buf, NULL, NULL, NULL) != SQLITE_OK) {
		rc = dg_errf(err, code_of(sqlite3_extended_errcode(st->db)),
			     "%s: migration to schema version %d failed: %s",
			     st->path, version + 1, sqlite3_errmsg(st->db));
		goto out;
	}
	rc = store_db_exec(st, "COMMIT", "cannot upgrade the schema", err);
out:
	strbuf_release(&sql);
	if (rc)
		store_rollback(st);
	return rc;
}

static int migrate(struct store *st, struct dg_err *err)
{
	bool done = false;
	int rc = 0;

	while (!rc && !done)
		rc = migrate_step(st, &done, err);
	return rc;
}

int store_open(const char *path, struct store **out, struct dg_err *err)
{
	struct store *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return dg_errf(err, DG_ENOMEM, "%s: out of memory", path);
	st->path = strdup(path);
	if (!st->path) {
		free(st);
		return dg_errf(err, DG_ENOMEM, "%s: out of memory", path);
	}
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		rc = st->db ? store_fail(st, "cannot open the database", err)
			    : dg_errf(err, DG_ENOMEM, "%s: out of memory",
				      path);
		store_close(st);
		return rc;
	}
	sqlite3_extended_result_codes(st->db, 1);
	rc = run_pragmas(st, err);
	if (!rc)
		rc = migrate(st, err);
	if (rc) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	/* v2: a statement leaked by a bug must not keep the file open. */
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

static int begin(struct store *st, const char *sql, struct dg_err *err)
{
	if (!sqlite3_get_autocommit(st->db))
		return dg_errf(err, DG_EINTERNAL,
			       "%s: a transaction is already open", st->path);
	return store_db_exec(st, sql, "cannot start a transaction", err);
}

int store_begin(struct store *st, struct dg_err *err)
{
	return begin(st, "BEGIN IMMEDIATE", err);
}

int store_begin_read(struct store *st, struct dg_err *err)
{
	return begin(st, "BEGIN", err);
}

int store_commit(struct store *st, struct dg_err *err)
{
	int rc = store_db_exec(st, "COMMIT", "cannot commit", err);

	if (rc)
		store_rollback(st);
	return rc;
}

void store_rollback(struct store *st)
{
	if (!st || sqlite3_get_autocommit(st->db))
		return;
	if (sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		logging_warn("%s: rollback failed: %s", st->path,
			     sqlite3_errmsg(st->db));
}

int store_meta_get(struct store *st, const char *key, char **value,
		   struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc, step;

	*value = NULL;
	rc = store_db_prepare(st, "SELECT value FROM meta WHERE key = ?1",
			      &stmt, "cannot read meta", err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		if (store_db_column_dup(stmt, 0, STORE_DB_NULL_AS_EMPTY, value))
			rc = dg_errf(err, DG_ENOMEM, "%s: out of memory",
				     st->path);
	} else if (step == SQLITE_DONE) {
		rc = dg_errf(err, DG_ENOTFOUND, "%s: no meta value '%s'",
			     st->path, key);
	} else {
		rc = store_fail(st, "cannot read meta", err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int store_meta_set(struct store *st, const char *key, const char *value,
		   struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(
		st,
		"INSERT INTO meta(key, value) VALUES (?1, ?2) "
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		&stmt, "cannot write meta", err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_fail(st, "cannot write meta", err);
	sqlite3_finalize(stmt);
	return rc;
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

int store_db_fail(struct store *st, const char *what, struct dg_err *err)
{
	return store_fail(st, what, err);
}

int store_db_code(struct store *st)
{
	return code_of(sqlite3_extended_errcode(st->db));
}
