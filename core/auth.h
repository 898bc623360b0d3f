/*
 * auth: signing in to Microsoft Graph, and the refresh tokens at rest.
 *
 * Two modes, as [graph] auth says:
 * - "app" (client credentials): one access token for the whole tenant,
 *   from POST {login_url}/{tenant}/oauth2/v2.0/token with the client
 *   secret ([graph] client_secret_env or _file).
 * - "delegated": each user signs in once with `digest connect` (the OAuth
 *   device-code flow); their refresh token is stored in table tokens,
 *   sealed with libsodium's crypto_secretbox under the [graph] token key,
 *   and exchanged for an access token at each run. Whenever the token
 *   endpoint hands out a new refresh token, the new one is sealed and
 *   stored at once (rotation). An invalid_grant marks the user
 *   needs_reconnect: that user fails ("needs reconnect: run 'digest
 *   connect'") and the others go on.
 *
 * Access tokens live in memory only and are renewed before they expire
 * (AUTH_EARLY_MS early, or at half their life when that is shorter).
 *
 * The token key is 32 bytes, written as 64 hex digits or in base64 (for
 * instance `openssl rand -hex 32` or `head -c 32 /dev/urandom | base64`).
 * A sealed token is bound to its user: a blob copied to another user's
 * row does not unseal.
 *
 * Invariants: no token, secret or key ever appears in a message, a log
 * line or the database in clear; the server's error text is quoted with
 * those blanked out, in case it echoes them. Memory that held them is
 * wiped before it is freed.
 * Errors: DG_EPERM for refusals (bad secret, consent missing, invalid
 * grant), DG_ETEMP for transient ones (after a few tries), DG_EINVAL for
 * configuration (mode, missing secret or key), DG_ENET for no answer.
 */
#ifndef DIGEST_AUTH_H
#define DIGEST_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "config.h"
#include "err.h"
#include "graph.h"
#include "graphjson.h"
#include "secret.h"
#include "store.h"
#include "strbuf.h"

/* Renew an access token this long before it expires. */
#define AUTH_EARLY_MS ((int64_t)5 * 60 * 1000)

/* The scopes a delegated sign-in asks for. */
#define AUTH_DELEGATED_SCOPE                                                   \
	"offline_access User.Read Calendars.Read MailboxSettings.Read"

/* The scope of an app-only token: the app's granted permissions. */
#define AUTH_APP_SCOPE "https://graph.microsoft.com/.default"

/* ---- the token key and sealing ------------------------------------- */

#define AUTH_KEY_BYTES SECRET_KEY_BYTES

struct auth_key {
	unsigned char k[AUTH_KEY_BYTES];
};

/*
 * Decode a key written as 64 hex digits or as base64 (standard or URL
 * alphabet, padded or not), white space around it ignored: the one key
 * parser, secret_key_parse(). DG_EINVAL says which, and how many bytes it
 * decoded to, never the key; a key of all zeros is refused. what names it
 * ("[graph] token key").
 */
int auth_key_parse(const char *text, const char *what, struct auth_key *out,
		   struct dg_err *err) __attribute__((warn_unused_result));

/* Read [graph] token_key_env or _file and decode it. */
int auth_key_read(const struct config *cfg, struct auth_key *out,
		  struct dg_err *err) __attribute__((warn_unused_result));

/* Wipe a key from memory. */
void auth_key_wipe(struct auth_key *key);

/*
 * Seal token for user with key: a fresh random nonce goes to nonce, the
 * box to sealed (both appended; binary). The box binds the user.
 */
int auth_seal(const struct auth_key *key, const char *user, const char *token,
	      struct strbuf *nonce, struct strbuf *sealed, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Open a box of auth_seal(). *token is yours: free it after wiping it.
 * DG_EPERM when the key is not the one it was sealed with, the box was
 * altered, or it was sealed for another user.
 */
int auth_unseal(const struct auth_key *key, const char *user, const void *nonce,
		size_t nonce_len, const void *sealed, size_t sealed_len,
		char **token, struct dg_err *err)
	__attribute__((warn_unused_result));

/* ---- table tokens ---------------------------------------------------- */

/*
 * Seal refresh and store it as user's token (insert or replace), with
 * user_id, clearing needs_reconnect.
 */
int auth_store_token(struct store *st, const struct auth_key *key,
		     const char *user, const char *user_id, const char *refresh,
		     int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Read and unseal user's token. *refresh is yours (wipe, free); it is
 * NULL and *needs_reconnect true when the user must connect again, with
 * *reason (yours, may be NULL) saying why. DG_ENOTFOUND: no such user.
 */
int auth_store_get(struct store *st, const struct auth_key *key,
		   const char *user, char **refresh, bool *needs_reconnect,
		   char **reason, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Mark user needs_reconnect with reason (no token, no secret in it). */
int auth_store_reconnect(struct store *st, const char *user, const char *reason,
			 int64_t now_ms, struct dg_err *err)
	__attribute__((warn_unused_result));

/* A connected user: tokens.user (the mail) and tokens.user_id. */
struct auth_connected {
	char *user;
	char *user_id; /* may be NULL */
	bool needs_reconnect;
	char *reason;  /* why it needs reconnecting; may be NULL */
};

/* Every connected user, by mail. *v (*n of them) is yours. */
int auth_store_list(struct store *st, struct auth_connected **v, size_t *n,
		    struct dg_err *err) __attribute__((warn_unused_result));

void auth_store_list_free(struct auth_connected *v, size_t n);

/* ---- token endpoint answers ------------------------------------------ */

/*
 * When to renew a token obtained at now_ms that lives expires_in seconds
 * (0: unknown, taken as an hour): AUTH_EARLY_MS before it expires, or at
 * half its life if that comes first.
 */
int64_t auth_renew_at(int64_t now_ms, long expires_in);

/* Whether a token to be renewed at renew_at may still be used at now. */
bool auth_token_fresh(int64_t renew_at, int64_t now_ms);

/*
 * Judge an answer of the token endpoint (HTTP status and body). 0 when it
 * holds an access token. Otherwise err names the OAuth error and the first
 * line of its description ("invalid_client: AADSTS7000215: Invalid client
 * secret provided. ..."), with every string of hide (NULL-terminated; the
 * secret, the tokens sent) blanked out: DG_EPERM for a refusal, DG_ETEMP
 * for temporarily_unavailable, 429 and 5xx, DG_EPARSE for an answer that
 * is no token answer. *t is filled whenever the body parsed (look at
 * t->error); release it in every case.
 */
int auth_token_answer(long status, const char *body, size_t len,
		      const char *const *hide, struct graphjson_token *t,
		      struct dg_err *err) __attribute__((warn_unused_result));

/* ---- a signed-in session --------------------------------------------- */

struct auth;

/*
 * Sign-in for cfg's mode, making its token requests through g and
 * installing itself as g's token source. App: reads the client secret.
 * Delegated: reads the token key and unseals every connected user's
 * token (a user whose token cannot be unsealed fails alone). st is
 * borrowed (delegated: rotated tokens are stored there). *out is yours:
 * auth_close() it.
 */
int auth_open(const struct config *cfg, struct store *st, struct graph *g,
	      struct auth **out, struct dg_err *err)
	__attribute__((warn_unused_result));

void auth_close(struct auth *a);

/*
 * The token identity ("who" of graph requests) of user u: 0 in app mode;
 * in delegated mode the connected user with u's id, or -1.
 */
int auth_who(const struct auth *a, const struct cal_user *u);

/* App mode: get the app's token now, so that a refusal stops the run. */
int auth_check(struct auth *a, struct dg_err *err)
	__attribute__((warn_unused_result));

/* graph_token_fn over an auth (ctx). */
int auth_token(void *ctx, int who, bool renew, const char **token,
	       struct dg_err *err);

/* ---- digest connect -------------------------------------------------- */

/* What the person signing in must do. Strings borrowed for the call. */
struct auth_prompt {
	const char *verification_uri; /* "https://microsoft.com/devicelogin" */
	const char *user_code;
	const char *message; /* the server's instructions, or NULL */
	long expires_in;     /* seconds to do it */
};

typedef void auth_prompt_fn(const struct auth_prompt *p, void *ctx);

/*
 * Delegated mode: run the device-code flow (prompt is called once with
 * the code to enter), learn who signed in with GET /me, and store them:
 * the user in table users, the refresh token sealed in table tokens.
 * *who (zeroed) receives the user: cal_user_release() it.
 */
int auth_connect(const struct config *cfg, struct store *st,
		 auth_prompt_fn *prompt, void *ctx, struct cal_user *who,
		 struct dg_err *err) __attribute__((warn_unused_result));

#endif
