/*
 * auth_seal: the token key, sealed boxes, and table tokens.
 *
 * A box is crypto_secretbox_easy over "<user>\n<token>" with a random
 * nonce per seal: the same token sealed twice gives two unrelated blobs,
 * and a blob moved to another user's row is refused when opened.
 */
#include "auth.h"
#include "secret.h"
#include "store_db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void auth_key_wipe(struct auth_key *key)
{
	sodium_memzero(key->k, sizeof(key->k));
}

int auth_key_parse(const char *text, const char *what, struct auth_key *out,
		   struct dg_err *err)
{
	return secret_key_parse(text, what, out->k, NULL, err);
}

int auth_key_read(const struct config *cfg, struct auth_key *out,
		  struct dg_err *err)
{
	int rc = secret_key_read(&cfg->graph.token_key, "[graph] token key",
				 out->k, err);

	return rc && rc != DG_ENOMEM ? DG_EINVAL : rc;
}

int auth_seal(const struct auth_key *key, const char *user, const char *token,
	      struct strbuf *nonce, struct strbuf *sealed, struct dg_err *err)
{
	unsigned char n[crypto_secretbox_NONCEBYTES];
	struct strbuf plain = STRBUF_INIT;
	unsigned char *box = NULL;
	size_t len = 0;
	int rc;

	rc = strbuf_addf(&plain, "%s\n%s", user, token);
	if (!rc) {
		len = plain.len + crypto_secretbox_MACBYTES;
		box = malloc(len);
		rc = box ? 0 : DG_ENOMEM;
	}
	if (!rc) {
		randombytes_buf(n, sizeof(n));
		crypto_secretbox_easy(box, (unsigned char *)plain.buf,
				      plain.len, n, key->k);
		rc = strbuf_add(nonce, n, sizeof(n));
	}
	if (!rc)
		rc = strbuf_add(sealed, box, len);
	sodium_memzero(plain.buf, plain.len);
	strbuf_release(&plain);
	free(box);
	if (rc)
		return dg_errf(err, rc, "out of memory sealing a token");
	return 0;
}

int auth_unseal(const struct auth_key *key, const char *user, const void *nonce,
		size_t nonce_len, const void *sealed, size_t sealed_len,
		char **token, struct dg_err *err)
{
	size_t ulen = strlen(user), len;
	unsigned char *plain;
	int rc = 0;

	*token = NULL;
	if (nonce_len != crypto_secretbox_NONCEBYTES ||
	    sealed_len < crypto_secretbox_MACBYTES)
		return dg_errf(err, DG_EPERM,
			       "the stored token of %s is "
			       "damaged; run 'digest connect' again",
			       user);
	len = sealed_len - crypto_secretbox_MACBYTES;
	plain = sodium_malloc(len + 1);
	if (!plain)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	if (crypto_secretbox_open_easy(plain, sealed, sealed_len, nonce,
				       key->k))
		rc = dg_errf(err, DG_EPERM,
			     "the stored token of %s does not "
			     "open with the [graph] token key (another key, "
			     "or a damaged row); run 'digest connect' again",
			     user);
	else if (len <= ulen || plain[ulen] != '\n' ||
		 strncasecmp((char *)plain, user, ulen))
		rc = dg_errf(err, DG_EPERM,
			     "the stored token of %s was "
			     "sealed for another user; run 'digest connect' "
			     "again",
			     user);
	if (!rc) {
		*token = strndup((char *)plain + ulen + 1, len - ulen - 1);
		if (!*token)
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	}
	sodium_free(plain);
	return rc;
}

/* ---- table tokens ---------------------------------------------------- */

int auth_store_token(struct store *st, const struct auth_key *key,
		     const char *user, const char *user_id, const char *refresh,
		     int64_t now_ms, struct dg_err *err)
{
	struct strbuf nonce = STRBUF_INIT, box = STRBUF_INIT;
	const char *what = "cannot store a token";
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = auth_seal(key, user, refresh, &nonce, &box, err);
	if (!rc)
		rc = store_db_prepare(st,
			     "INSERT INTO tokens(user, user_id, nonce, sealed,"
			     " needs_reconnect, reason, updated_at) "
			     "VALUES (?1, ?2, ?3, ?4, 0, NULL, ?5) "
			     "ON CONFLICT(user) DO UPDATE SET "
			     "user_id = excluded.user_id, "
			     "nonce = excluded.nonce, "
			     "sealed = excluded.sealed, needs_reconnect = 0, "
			     "reason = NULL, updated_at = excluded.updated_at",
			     &stmt, what, err);
	if (!rc) {
		sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, user_id, -1, SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 3, nonce.buf, (int)nonce.len,
				  SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 4, box.buf, (int)box.len,
				  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, now_ms);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = store_db_fail(st, what, err);
	}
	sqlite3_finalize(stmt);
	strbuf_release(&nonce);
	strbuf_release(&box);
	return rc;
}

int auth_store_get(struct store *st, const struct auth_key *key,
		   const char *user, char **refresh, bool *needs_reconnect,
		   char **reason, struct dg_err *err)
{
	const char *what = "cannot read a token";
	sqlite3_stmt *stmt = NULL;
	int rc, step;

	*refresh = NULL;
	*reason = NULL;
	*needs_reconnect = false;
	rc = store_db_prepare(st,
		     "SELECT nonce, sealed, needs_reconnect, reason "
		     "FROM tokens WHERE user = ?1",
		     &stmt, what, err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE)
		rc = dg_errf(err, DG_ENOTFOUND,
			     "%s has not connected; run "
			     "'digest connect'",
			     user);
	else if (step != SQLITE_ROW)
		rc = store_db_fail(st, what, err);
	else if (sqlite3_column_int(stmt, 2))
		*needs_reconnect = true;
	if (!rc && store_db_column_dup(stmt, 3, 0, reason))
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc && !*needs_reconnect)
		rc = auth_unseal(key, user, sqlite3_column_blob(stmt, 0),
				 (size_t)sqlite3_column_bytes(stmt, 0),
				 sqlite3_column_blob(stmt, 1),
				 (size_t)sqlite3_column_bytes(stmt, 1), refresh,
				 err);
	sqlite3_finalize(stmt);
	if (rc) {
		free(*reason);
		*reason = NULL;
	}
	return rc;
}

int auth_store_reconnect(struct store *st, const char *user, const char *reason,
			 int64_t now_ms, struct dg_err *err)
{
	const char *what = "cannot mark a user for reconnection";
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = store_db_prepare(st,
		     "UPDATE tokens SET needs_reconnect = 1, reason = ?2, "
		     "updated_at = ?3 WHERE user = ?1",
		     &stmt, what, err);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	return rc;
}

void auth_store_list_free(struct auth_connected *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].user);
		free(v[i].user_id);
		free(v[i].reason);
	}
	free(v);
}

int auth_store_list(struct store *st, struct auth_connected **v, size_t *n,
		    struct dg_err *err)
{
	const char *what = "cannot list the connected users";
	sqlite3_stmt *stmt = NULL;
	size_t alloc = 0;
	int rc, step = SQLITE_DONE;

	*v = NULL;
	*n = 0;
	rc = store_db_prepare(st,
		     "SELECT user, user_id, needs_reconnect, reason "
		     "FROM tokens ORDER BY user",
		     &stmt, what, err);
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == alloc) {
			struct auth_connected *p;

			alloc = alloc ? alloc * 2 : 8;
			p = realloc(*v, alloc * sizeof(*p));
			if (!p) {
				rc = DG_ENOMEM;
				break;
			}
			*v = p;
		}
		memset(&(*v)[*n], 0, sizeof(**v));
		(*n)++;
		if (store_db_column_dup(stmt, 0, 0, &(*v)[*n - 1].user) ||
		    store_db_column_dup(stmt, 1, 0, &(*v)[*n - 1].user_id) ||
		    store_db_column_dup(stmt, 3, 0, &(*v)[*n - 1].reason))
			rc = DG_ENOMEM;
		(*v)[*n - 1].needs_reconnect = sqlite3_column_int(stmt, 2);
	}
	if (rc == DG_ENOMEM)
		dg_errf(err, rc, "out of memory");
	else if (!rc && step != SQLITE_DONE)
		rc = store_db_fail(st, what, err);
	sqlite3_finalize(stmt);
	if (rc) {
		auth_store_list_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return rc;
}
