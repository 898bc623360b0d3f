#include "users.h"
#include "store_db.h"
#include "strbuf.h"
#include "text.h"

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

/*
 * Scratch space of a load, kept from row to row: the strings of one user
 * laid out (text_pack_add) and where each proxy address starts in them.
 */
struct load {
	struct strbuf layout;
	size_t *proxy_off;
	size_t proxy_alloc;
};

/*
 * Column i as text, *s NULL for NULL and for "". DG_ENOMEM when SQLite
 * gives no text for a column that holds some (it ran out of memory).
 */
static int column_text(sqlite3_stmt *stmt, int i, const char **s)
{
	*s = (const char *)sqlite3_column_text(stmt, i);
	if (!*s && sqlite3_column_type(stmt, i) != SQLITE_NULL)
		return DG_ENOMEM;
	if (*s && !**s)
		*s = NULL;
	return 0;
}

static int lay_out(struct load *l, sqlite3_stmt *stmt, int i, size_t *off)
{
	const char *s;
	int rc = column_text(stmt, i, &s);

	*off = TEXT_PACK_NONE;
	return rc ? rc : text_pack_add(&l->layout, s, s ? strlen(s) : 0, off);
}

/*
 * The smtp proxy addresses, one per line, laid out first; *n of them.
 * The others (SIP:, X500:, ...) name no mailbox a run could meet, and a
 * run holds every user: they are left in the table.
 */
static int lay_out_proxies(struct load *l, sqlite3_stmt *stmt, size_t *n)
{
	const char *p, *nl;
	int rc = column_text(stmt, 4, &p);

	*n = 0;
	while (!rc && p && *p) {
		nl = strchrnul(p, '\n');
		if (nl - p <= 5 || strncasecmp(p, "smtp:", 5)) {
			p = *nl ? nl + 1 : nl;
			continue;
		}
		if (*n == l->proxy_alloc) {
			size_t alloc = l->proxy_alloc ? l->proxy_alloc * 2 : 8;
			size_t *v = realloc(l->proxy_off, alloc * sizeof(*v));

			if (!v)
				return DG_ENOMEM;
			l->proxy_off = v;
			l->proxy_alloc = alloc;
		}
		rc = text_pack_add(&l->layout, p, (size_t)(nl - p),
				   &l->proxy_off[(*n)++]);
		p = *nl ? nl + 1 : nl;
	}
	return rc;
}

/* Columns id, mail, display_name, upn, given_name, surname. */
enum { FIELDS = 6 };
static const int field_column[FIELDS] = {0, 1, 3, 2, 5, 6};

/*
 * The user of the row, packed (cal_user.block): the proxy_addresses
 * array, then the strings, in one allocation. The proxies are laid out
 * first so that the mail and the UPN share the bytes of "SMTP:<mail>",
 * and the display name before the surname it often ends with.
 */
static int load_row(struct load *l, sqlite3_stmt *stmt,
		    struct cal_user_list *out)
{
	size_t off[FIELDS], nproxy, head;
	struct cal_user *u;
	char *block, *strings;
	int rc;

	strbuf_reset(&l->layout);
	rc = lay_out_proxies(l, stmt, &nproxy);
	for (int i = 0; !rc && i < FIELDS; i++)
		rc = lay_out(l, stmt, field_column[i], &off[i]);
	if (rc)
		return rc;
	head = nproxy * sizeof(char *);
	block = head + l->layout.len ? malloc(head + l->layout.len) : NULL;
	if (head + l->layout.len && !block)
		return DG_ENOMEM;
	rc = cal_user_list_push(out, &u);
	if (rc) {
		free(block);
		return rc;
	}
	strings = block + head;
	if (l->layout.len)
		memcpy(strings, l->layout.buf, l->layout.len);
	u->block = block;
	u->proxy_addresses = nproxy ? (char **)(void *)block : NULL;
	u->nproxy = nproxy;
	for (size_t i = 0; i < nproxy; i++)
		u->proxy_addresses[i] = strings + l->proxy_off[i];
	u->id = text_pack_at(strings, off[0]);
	u->mail = text_pack_at(strings, off[1]);
	u->user_principal_name = text_pack_at(strings, off[2]);
	u->display_name = text_pack_at(strings, off[3]);
	u->given_name = text_pack_at(strings, off[4]);
	u->surname = text_pack_at(strings, off[5]);
	return 0;
}

/* Room for every row that sql (a count) says there is. */
static int reserve(struct store *st, const char *sql,
		   struct cal_user_list *out, struct dg_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = store_db_prepare(st, sql, &stmt, "cannot count the users",
				  err);

	if (!rc && sqlite3_step(stmt) != SQLITE_ROW)
		rc = store_db_fail(st, "cannot count the users", err);
	if (!rc && cal_user_list_reserve(
			   out, out->n + (size_t)sqlite3_column_int64(stmt, 0)))
		rc = dg_errf(err, DG_ENOMEM, "out of memory reading the users");
	sqlite3_finalize(stmt);
	return rc;
}

#define USERS_FROM_ALL "FROM users"
#define USERS_FROM_CONNECTED "FROM users u JOIN tokens t ON t.user_id = u.id"
#define USERS_COLUMNS                                                          \
	"SELECT u.id, u.mail, u.display_name, u.upn, u.proxy_addresses, "      \
	"u.given_name, u.surname "

int users_load(struct store *st, enum users_which which,
	       struct cal_user_list *out, struct dg_err *err)
{
	const char *what = "cannot read the users";
	bool all = which == USERS_ALL;
	struct load l = {.layout = STRBUF_INIT};
	sqlite3_stmt *stmt = NULL;
	size_t n0 = out->n;
	int rc, step = SQLITE_DONE;

	/* One read transaction: the count is the rows read. */
	rc = store_db_savepoint(st, "users_load", what, err);
	if (rc)
		return rc;
	rc = reserve(st,
		     all ? "SELECT count(*) " USERS_FROM_ALL " u"
			 : "SELECT count(*) " USERS_FROM_CONNECTED,
		     out, err);
	if (!rc)
		rc = store_db_prepare(
			st,
			all ? USERS_COLUMNS USERS_FROM_ALL " u ORDER BY u.mail"
			    : USERS_COLUMNS USERS_FROM_CONNECTED
			      " ORDER BY u.mail",
			&stmt, what, err);
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW)
		if (load_row(&l, stmt, out))
			rc = dg_errf(err, DG_ENOMEM,
				     "out of memory reading the users");
	if (!rc && step != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	rc = store_db_release(st, "users_load", rc, what, err);
	strbuf_release(&l.layout);
	free(l.proxy_off);
	while (rc && out->n > n0)
		cal_user_release(&out->v[--out->n]);
	return rc;
}
