#include "users.h"
#include "store_db.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The proxy addresses one per line; one holding a line break is left. */
static int join_proxies(const struct cal_user *u, struct strbuf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < u->nproxy; i++) {
		if (strpbrk(u->proxy_addresses[i], "\r\n"))
			continue;
		if (out->len)
			rc = strbuf_addch(out, '\n');
		if (!rc)
			rc = strbuf_addstr(out, u->proxy_addresses[i]);
	}
	return rc;
}

static const char upsert_sql[] =
	"INSERT INTO users(id, mail, display_name, upn, proxy_addresses, "
	"synced_at, given_name, surname) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	"ON CONFLICT(id) DO UPDATE SET mail = excluded.mail, "
	"display_name = excluded.display_name, upn = excluded.upn, "
	"proxy_addresses = excluded.proxy_addresses, "
	"synced_at = excluded.synced_at, given_name = excluded.given_name, "
	"surname = excluded.surname";

static int insert(struct store *st, sqlite3_stmt *stmt,
		  const struct cal_user *u, int64_t now_ms, struct dg_err *err)
{
	struct strbuf proxies = STRBUF_INIT;
	int rc = join_proxies(u, &proxies);

	if (rc) {
		strbuf_release(&proxies);
		return dg_errf(err, rc, "out of memory");
	}
	sqlite3_bind_text(stmt, 1, u->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, u->mail, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, u->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, u->user_principal_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, proxies.buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, now_ms);
	sqlite3_bind_text(stmt, 7, u->given_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, u->surname, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, "cannot store a user", err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	strbuf_release(&proxies);
	if (rc)
		dg_err_prefix(err, "user %s", u->mail);
	return rc;
}

int users_put(struct store *st, const struct cal_user *u, int64_t now_ms,
	      struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (!u->id || !u->mail)
		return dg_errf(err, DG_EINVAL,
			       "a user without id or mail "
			       "cannot be stored");
	rc = store_db_prepare(st, upsert_sql, &stmt, "cannot store a user",
			      err);
	if (!rc)
		rc = insert(st, stmt, u, now_ms, err);
	sqlite3_finalize(stmt);
	return rc;
}

int users_replace(struct store *st, const struct cal_user_list *list,
		  int64_t now_ms, size_t *stored, struct dg_err *err)
{
	const char *what = "cannot store the users";
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc;

	*stored = 0;
	rc = store_db_savepoint(st, "users_replace", what, err);
	if (rc)
		return rc;
	rc = store_db_exec(st, "DELETE FROM users", what, err);
	if (!rc)
		rc = store_db_prepare(st, upsert_sql, &stmt, what, err);
	for (i = 0; !rc && i < list->n; i++) {
		if (!list->v[i].mail || !list->v[i].id)
			continue;
		rc = insert(st, stmt, &list->v[i], now_ms, err);
		(*stored)++;
	}
	sqlite3_finalize(stmt);
	rc = store_db_release(st, "users_replace", rc, what, err);
	if (rc)
		*stored = 0;
	return rc;
}

/* A text column; NULL for NULL and for "". */
static int column(sqlite3_stmt *stmt, int i, char **out)
{
	return store_db_column_dup(stmt, i, STORE_DB_EMPTY_AS_NULL, out);
}

static int split_proxies(const char *s, struct cal_user *u)
{
	const char *p = s, *nl;
	size_t n = 1;

	if (!s || !*s)
		return 0;
	for (nl = s; (nl = strchr(nl, '\n')); nl++)
		n++;
	u->proxy_addresses = calloc(n, sizeof(*u->proxy_addresses));
	if (!u->proxy_addresses)
		return DG_ENOMEM;
	while (*p) {
		nl = strchrnul(p, '\n');
		if (nl > p) {
			u->proxy_addresses[u->nproxy] =
				strndup(p, (size_t)(nl - p));
			if (!u->proxy_addresses[u->nproxy++])
				return DG_ENOMEM;
		}
		p = *nl ? nl + 1 : nl;
	}
	return 0;
}

static int load_row(sqlite3_stmt *stmt, struct cal_user_list *out)
{
	struct cal_user *u;
	int rc = cal_user_list_push(out, &u);

	if (!rc)
		rc = column(stmt, 0, &u->id);
	if (!rc)
		rc = column(stmt, 1, &u->mail);
	if (!rc)
		rc = column(stmt, 2, &u->display_name);
	if (!rc)
		rc = column(stmt, 3, &u->user_principal_name);
	if (!rc)
		rc = split_proxies((const char *)sqlite3_column_text(stmt, 4),
				   u);
	if (!rc)
		rc = column(stmt, 5, &u->given_name);
	if (!rc)
		rc = column(stmt, 6, &u->surname);
	return rc;
}

int users_load(struct store *st, enum users_which which,
	       struct cal_user_list *out, struct dg_err *err)
{
	const char *what = "cannot read the users";
	sqlite3_stmt *stmt = NULL;
	size_t n0 = out->n;
	int rc, step = SQLITE_DONE;

	rc = store_db_prepare(
		st,
		which == USERS_ALL
			? "SELECT id, mail, display_name, upn, "
			  "proxy_addresses, given_name, surname "
			  "FROM users ORDER BY mail"
			: "SELECT u.id, u.mail, u.display_name, u.upn, "
			  "u.proxy_addresses, u.given_name, u.surname "
			  "FROM users u JOIN tokens t "
			  "ON t.user_id = u.id ORDER BY u.mail",
		&stmt, what, err);
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW)
		rc = load_row(stmt, out);
	if (rc)
		dg_errf(err, rc, "out of memory reading the users");
	else if (step != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	while (rc && out->n > n0)
		cal_user_release(&out->v[--out->n]);
	return rc;
}
