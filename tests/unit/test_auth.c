/*
 * auth: sealed refresh tokens (round trip, wrong key, nothing in clear),
 * the token key's forms, token endpoint errors quoted without secrets,
 * token lifetimes, and the sign-in flows against a stub login server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <sodium.h>
#include <sqlite3.h>

#include "auth.h"
#include "err.h"
#include "graph.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"
#include "stub_http.h"
#include "users.h"

#define TOKEN "0.ARoAv4j5cvGGr0GRqy180BHbR-refresh-token-text"
#define HEX_KEY                                                                \
	"000102030405060708090a0b0c0d0e0f"                                     \
	"101112131415161718191a1b1c1d1e1f"

static void key_of(const char *text, struct auth_key *key)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(auth_key_parse(text, "[graph] token key", key, &err),
			 0);
}

/* ---- sealing ------------------------------------------------------- */

static void test_auth__sealed_token_opens_with_its_key(void **state)
{
	struct strbuf nonce = STRBUF_INIT, box = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;
	char *token = NULL;

	key_of(HEX_KEY, &key);
	assert_int_equal(auth_seal(&key, "a@b.c", TOKEN, &nonce, &box, &err),
			 0);
	assert_int_equal(nonce.len, crypto_secretbox_NONCEBYTES);
	assert_int_equal(box.len,
			 strlen("a@b.c\n" TOKEN) + crypto_secretbox_MACBYTES);
	assert_null(memmem(box.buf, box.len, TOKEN, strlen(TOKEN)));
	assert_int_equal(auth_unseal(&key, "A@B.C", nonce.buf, nonce.len,
				     box.buf, box.len, &token, &err),
			 0);
	assert_string_equal(token, TOKEN);
	free(token);
	strbuf_release(&nonce);
	strbuf_release(&box);
}

static void test_auth__sealed_token_does_not_open_with_another_key(void **state)
{
	struct strbuf nonce = STRBUF_INIT, box = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key, other;
	char *token = NULL;

	key_of(HEX_KEY, &key);
	key_of("ff0102030405060708090a0b0c0d0e0f"
	       "101112131415161718191a1b1c1d1e1f",
	       &other);
	assert_int_equal(auth_seal(&key, "a@b.c", TOKEN, &nonce, &box, &err),
			 0);
	assert_int_equal(auth_unseal(&other, "a@b.c", nonce.buf, nonce.len,
				     box.buf, box.len, &token, &err),
			 DG_EPERM);
	assert_null(token);
	assert_string_equal(err.msg,
			    "the stored token of a@b.c does not open "
			    "with the [graph] token key (another key, or a "
			    "damaged row); run 'digest connect' again");
	strbuf_release(&nonce);
	strbuf_release(&box);
}

static void test_auth__sealed_token_does_not_open_for_another_user(void **state)
{
	struct strbuf nonce = STRBUF_INIT, box = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;
	char *token = NULL;

	key_of(HEX_KEY, &key);
	assert_int_equal(auth_seal(&key, "a@b.c", TOKEN, &nonce, &box, &err),
			 0);
	assert_int_equal(auth_unseal(&key, "a@b.cc", nonce.buf, nonce.len,
				     box.buf, box.len, &token, &err),
			 DG_EPERM);
	assert_string_equal(err.msg,
			    "the stored token of a@b.cc was sealed "
			    "for another user; run 'digest connect' again");
	strbuf_release(&nonce);
	strbuf_release(&box);
}

static void test_auth__each_seal_takes_a_fresh_nonce(void **state)
{
	struct strbuf n1 = STRBUF_INIT, b1 = STRBUF_INIT;
	struct strbuf n2 = STRBUF_INIT, b2 = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;

	key_of(HEX_KEY, &key);
	assert_int_equal(auth_seal(&key, "a@b.c", TOKEN, &n1, &b1, &err), 0);
	assert_int_equal(auth_seal(&key, "a@b.c", TOKEN, &n2, &b2, &err), 0);
	assert_memory_not_equal(n1.buf, n2.buf, n1.len);
	assert_memory_not_equal(b1.buf, b2.buf, b1.len);
	strbuf_release(&n1);
	strbuf_release(&b1);
	strbuf_release(&n2);
	strbuf_release(&b2);
}

/* ---- the key -------------------------------------------------------- */

static void test_auth__key_is_read_as_hex_or_base64(void **state)
{
	struct auth_key hex, b64, url;
	unsigned char raw[32];
	int i;

	for (i = 0; i < 32; i++)
		raw[i] = (unsigned char)i;
	key_of(HEX_KEY, &hex);
	key_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &b64);
	key_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", &url);
	assert_memory_equal(hex.k, raw, 32);
	assert_memory_equal(b64.k, raw, 32);
	assert_memory_equal(url.k, raw, 32);
}

static void
test_auth__key_of_wrong_length_says_its_length_not_its_value(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;

	assert_int_equal(auth_key_parse("c2hvcnQta2V5LXZhbHVl",
					"[graph] "
					"token key",
					&key, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg,
			    "[graph] token key must be 32 bytes "
			    "written as 64 hex digits or in base64; it "
			    "decodes to 15 bytes (make one with: openssl rand "
			    "-hex 32)");
}

static void test_auth__key_that_is_no_encoding_is_refused(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;

	assert_int_equal(
		auth_key_parse("not a key!", "[graph] token key", &key, &err),
		DG_EINVAL);
	assert_string_equal(err.msg,
			    "[graph] token key must be 32 bytes "
			    "written as 64 hex digits or in base64; it is "
			    "neither (make one with: openssl rand -hex 32)");
}

/* ---- the tokens table ------------------------------------------------ */

/* The raw row of user, read without digest. */
static void raw_row(const char *path, const char *user, struct strbuf *out)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT user, user_id, "
					    "nonce, sealed, reason FROM "
					    "tokens WHERE user = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	for (int i = 0; i < 5; i++)
		assert_int_equal(
			strbuf_add(out, sqlite3_column_blob(st, i),
				   (size_t)sqlite3_column_bytes(st, i)),
			0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
test_auth__stored_token_is_not_in_the_database_in_clear(void **state)
{
	struct scratch *d = *state;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf row = STRBUF_INIT;
	struct auth_key key, other;
	char *token = NULL, *reason = NULL;
	bool again = true;

	key_of(HEX_KEY, &key);
	key_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &other);
	other.k[31] ^= 1;
	assert_int_equal(auth_store_token(d->st, &key, "a@b.c", "id-1", TOKEN,
					  1000, &err),
			 0);
	raw_row(d->db.buf, "a@b.c", &row);
	assert_true(row.len > strlen(TOKEN));
	assert_null(memmem(row.buf, row.len, TOKEN, strlen(TOKEN)));
	assert_null(memmem(row.buf, row.len, "refresh-token", 13));
	assert_int_equal(auth_store_get(d->st, &other, "a@b.c", &token, &again,
					&reason, &err),
			 DG_EPERM);
	assert_null(token);
	assert_int_equal(auth_store_get(d->st, &key, "a@b.c", &token, &again,
					&reason, &err),
			 0);
	assert_false(again);
	assert_string_equal(token, TOKEN);
	free(token);
	strbuf_release(&row);
}

static void test_auth__reconnect_mark_keeps_the_reason(void **state)
{
	struct scratch *d = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;
	char *token = NULL, *reason = NULL;
	bool again = false;

	key_of(HEX_KEY, &key);
	assert_int_equal(auth_store_token(d->st, &key, "a@b.c", "id-1", TOKEN,
					  1000, &err),
			 0);
	assert_int_equal(auth_store_reconnect(d->st, "a@b.c", "invalid_grant",
					      2000, &err),
			 0);
	assert_int_equal(auth_store_get(d->st, &key, "a@b.c", &token, &again,
					&reason, &err),
			 0);
	assert_true(again);
	assert_null(token);
	assert_string_equal(reason, "invalid_grant");
	free(reason);
	/* Connecting again clears the mark. */
	assert_int_equal(auth_store_token(d->st, &key, "a@b.c", "id-1", TOKEN,
					  3000, &err),
			 0);
	assert_int_equal(auth_store_get(d->st, &key, "a@b.c", &token, &again,
					&reason, &err),
			 0);
	assert_false(again);
	assert_null(reason);
	free(token);
}

static void test_auth__unknown_user_has_no_token(void **state)
{
	struct scratch *d = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;
	char *token = NULL, *reason = NULL;
	bool again;

	key_of(HEX_KEY, &key);
	assert_int_equal(auth_store_get(d->st, &key, "x@y.z", &token, &again,
					&reason, &err),
			 DG_ENOTFOUND);
	assert_string_equal(err.msg, "x@y.z has not connected; run 'digest "
				     "connect'");
}

/* ---- token endpoint answers ---------------------------------------- */

static int answer(long status, const char *body, struct dg_err *err)
{
	const char *hide[] = {"s3cr3t~value", NULL};
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	int rc = auth_token_answer(status, body, strlen(body), hide, &t, err);

	graphjson_token_release(&t);
	return rc;
}

static void
test_auth__aadsts_error_gives_code_and_description_only(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(answer(401,
				"{\"error\":\"invalid_client\","
				"\"error_description\":\"AADSTS7000215: "
				"Invalid client secret provided: "
				"s3cr3t~value.\\r\\nTrace ID: 5b8\\r\\n"
				"Correlation ID: 9a1\",\"error_codes\":"
				"[7000215]}",
				&err),
			 DG_EPERM);
	assert_string_equal(err.msg,
			    "HTTP 401 invalid_client: AADSTS7000215: "
			    "Invalid client secret provided: ************.");
	assert_null(strstr(err.msg, "s3cr3t"));
}

static void test_auth__invalid_scope_is_a_refusal(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(answer(400,
				"{\"error\":\"invalid_scope\","
				"\"error_description\":\"AADSTS70011: The "
				"provided value for the input parameter "
				"'scope' is not valid.\"}",
				&err),
			 DG_EPERM);
	assert_string_equal(err.msg,
			    "HTTP 400 invalid_scope: AADSTS70011: The "
			    "provided value for the input parameter 'scope' "
			    "is not valid.");
}

static void test_auth__unavailable_login_is_temporary(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(answer(503, "<html>busy</html>", &err), DG_ETEMP);
	assert_string_equal(err.msg, "HTTP 503 (no token answer)");
	assert_int_equal(
		answer(400, "{\"error\":\"temporarily_unavailable\"}", &err),
		DG_ETEMP);
	assert_string_equal(err.msg, "HTTP 400 temporarily_unavailable");
}

static void test_auth__answer_without_token_or_error_is_malformed(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(answer(200, "{\"token_type\":\"Bearer\"}", &err),
			 DG_EPARSE);
	assert_string_equal(err.msg,
			    "HTTP 200: the answer is no token answer: "
			    "the answer has neither 'access_token' nor "
			    "'error'");
}

static void test_auth__success_gives_the_token(void **state)
{
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct dg_err err = DG_ERR_INIT;
	const char *b = "{\"access_token\":\"at\",\"expires_in\":3599}";

	assert_int_equal(auth_token_answer(200, b, strlen(b), NULL, &t, &err),
			 0);
	assert_string_equal(t.access_token, "at");
	graphjson_token_release(&t);
}

/* ---- lifetimes -------------------------------------------------------- */

static void test_auth__token_is_renewed_five_minutes_early(void **state)
{
	int64_t at = auth_renew_at(1000000, 3599);

	assert_int_equal(at, 1000000 + 3299000);
	assert_true(auth_token_fresh(at, at - 1));
	assert_false(auth_token_fresh(at, at));
}

static void test_auth__short_token_is_renewed_at_half_its_life(void **state)
{
	assert_int_equal(auth_renew_at(0, 60), 30000);
	assert_int_equal(auth_renew_at(0, 600), 300000);
}

static void test_auth__unknown_lifetime_counts_as_an_hour(void **state)
{
	assert_int_equal(auth_renew_at(0, 0), 3300000);
}

/* ---- sign-in against a stub login server ----------------------------- */

struct login {
	struct stub http;
	int posts; /* token endpoint requests */
	int devicecodes;
	int pending;	     /* device-code polls answered pending */
	const char *refused; /* error code for every token request */
	char form[2048];     /* the last token request's form */
	int rotation;	     /* refresh tokens handed out */
};

/* The value of field name in form, percent-decoded, into out. */
static void form_field(const char *form, const char *name, char *out,
		       size_t size)
{
	size_t n = strlen(name);
	const char *p = form;

	out[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, name, n) && p[n] == '=') {
			int len;
			char *v = curl_easy_unescape(
				NULL, p + n + 1, (int)strcspn(p + n + 1, "&"),
				&len);

			snprintf(out, size, "%s", v);
			curl_free(v);
			return;
		}
		p = strchr(p, '&');
		p = p ? p + 1 : NULL;
	}
}

static void login_answer(void *ctx, const struct stub_request *rq,
			 struct stub_response *rs)
{
	struct login *l = ctx;
	char grant[128];

	if (strstr(rq->target, "/devicecode")) {
		l->devicecodes++;
		rs->body = strdup("{\"device_code\":\"DC-1\",\"user_code\":"
				  "\"ABCD\",\"verification_uri\":\"https://"
				  "microsoft.com/devicelogin\",\"expires_in\":"
				  "60,\"interval\":1}");
		return;
	}
	if (!strstr(rq->target, "/oauth2/v2.0/token")) {
		/* GET /v1.0/me */
		rs->body = strdup("{\"id\":\"id-9\",\"mail\":\"new@b.c\","
				  "\"displayName\":\"New\"}");
		return;
	}
	pthread_mutex_lock(&l->http.lock);
	l->posts++;
	snprintf(l->form, sizeof(l->form), "%s", rq->body);
	pthread_mutex_unlock(&l->http.lock);
	form_field(rq->body, "grant_type", grant, sizeof(grant));
	rs->status = 400;
	if (l->refused) {
		rs->body = stub_strf("{\"error\":\"%s\",\"error_description\":"
				     "\"AADSTS700082: The refresh token has "
				     "expired.\\r\\nTrace ID: 1\"}",
				     l->refused);
	} else if (strstr(grant, "device_code") && l->pending-- > 0) {
		rs->body = strdup("{\"error\":\"authorization_pending\"}");
	} else {
		rs->status = 200;
		l->rotation++;
		rs->body =
			stub_strf("{\"access_token\":\"at-%d\",\"expires_in\""
				  ":3599,\"refresh_token\":\"rt-%d\"}",
				  l->rotation, l->rotation);
	}
}

struct session {
	struct scratch db;
	struct login login;
	struct config cfg;
	char login_url[64];
	struct graph *g;
};

static int session_setup(void **state)
{
	struct session *s = calloc(1, sizeof(*s));
	struct graph_settings gs = GRAPH_SETTINGS_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (!s || scratch_make_store(&s->db))
		return -1;
	if (stub_start(&s->login.http, login_answer, &s->login))
		return -1;
	snprintf(s->login_url, sizeof(s->login_url), "http://127.0.0.1:%d",
		 s->login.http.port);
	s->cfg.file = (char *)"digest.toml";
	s->cfg.graph.base_url = s->login.http.base;
	s->cfg.graph.login_url = s->login_url;
	s->cfg.graph.tenant = (char *)"contoso.onmicrosoft.com";
	s->cfg.graph.client_id = (char *)"app-id";
	s->cfg.graph.client_secret.env = (char *)"TEST_AUTH_SECRET";
	s->cfg.graph.token_key.env = (char *)"TEST_AUTH_KEY";
	s->cfg.graph.timeout = 10;
	setenv("TEST_AUTH_SECRET", "s3cr3t~value", 1);
	setenv("TEST_AUTH_KEY", HEX_KEY, 1);
	gs.base_url = s->login.http.base;
	if (graph_open(&gs, &s->g, &err))
		return -1;
	*state = s;
	return 0;
}

static int session_teardown(void **state)
{
	struct session *s = *state;
	int rc;

	graph_close(s->g);
	stub_stop(&s->login.http);
	rc = scratch_remove(&s->db);
	free(s);
	return rc;
}

static void test_auth__app_token_is_asked_once_and_kept(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth *a = NULL;
	const char *tok;
	char v[128];

	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err), 0);
	assert_int_equal(auth_token(a, 0, false, &tok, &err), 0);
	assert_string_equal(tok, "at-1");
	assert_int_equal(auth_token(a, 0, false, &tok, &err), 0);
	assert_int_equal(s->login.posts, 1);
	form_field(s->login.form, "grant_type", v, sizeof(v));
	assert_string_equal(v, "client_credentials");
	form_field(s->login.form, "scope", v, sizeof(v));
	assert_string_equal(v, "https://graph.microsoft.com/.default");
	form_field(s->login.form, "client_secret", v, sizeof(v));
	assert_string_equal(v, "s3cr3t~value");
	assert_int_equal(auth_token(a, 0, true, &tok, &err), 0);
	assert_string_equal(tok, "at-2");
	assert_int_equal(s->login.posts, 2);
	auth_close(a);
}

static void test_auth__refused_app_sign_in_is_not_asked_again(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth *a = NULL;
	const char *tok;
	char want[256];

	s->login.refused = "invalid_client";
	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err), 0);
	assert_int_equal(auth_check(a, &err), DG_EPERM);
	snprintf(want, sizeof(want),
		 "app sign-in at %s failed: HTTP 400 "
		 "invalid_client: AADSTS700082: The refresh token has "
		 "expired.",
		 s->login_url);
	assert_string_equal(err.msg, want);
	assert_int_equal(auth_token(a, 0, false, &tok, &err), DG_EPERM);
	assert_int_equal(s->login.posts, 1);
	auth_close(a);
}

static void test_auth__missing_secret_is_a_configuration_error(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth *a = NULL;

	unsetenv("TEST_AUTH_SECRET");
	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "[graph] client secret: environment "
				     "variable TEST_AUTH_SECRET is not set");
	assert_null(a);
}

/* A connected user a@b.c with refresh token TOKEN. */
static void connected(struct session *s)
{
	struct cal_user u = {.id = (char *)"id-1", .mail = (char *)"a@b.c"};
	struct dg_err err = DG_ERR_INIT;
	struct auth_key key;

	key_of(HEX_KEY, &key);
	s->cfg.graph.auth = CONFIG_AUTH_DELEGATED;
	assert_int_equal(users_put(s->db.st, &u, 1000, &err), 0);
	assert_int_equal(auth_store_token(s->db.st, &key, "a@b.c", "id-1",
					  TOKEN, 1000, &err),
			 0);
}

static void test_auth__rotated_refresh_token_is_sealed_and_stored(void **state)
{
	struct session *s = *state;
	struct cal_user u = {.id = (char *)"id-1", .mail = (char *)"a@b.c"};
	struct dg_err err = DG_ERR_INIT;
	struct auth *a = NULL;
	struct auth_key key;
	const char *tok;
	char *stored = NULL, *reason = NULL, v[256];
	bool again;

	connected(s);
	unsetenv("TEST_AUTH_SECRET"); /* a public client */
	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err), 0);
	assert_int_equal(auth_who(a, &u), 0);
	assert_int_equal(auth_token(a, 0, false, &tok, &err), 0);
	assert_string_equal(tok, "at-1");
	form_field(s->login.form, "refresh_token", v, sizeof(v));
	assert_string_equal(v, TOKEN);
	form_field(s->login.form, "client_secret", v, sizeof(v));
	assert_string_equal(v, "");
	key_of(HEX_KEY, &key);
	assert_int_equal(auth_store_get(s->db.st, &key, "a@b.c", &stored,
					&again, &reason, &err),
			 0);
	assert_string_equal(stored, "rt-1");
	free(stored);
	auth_close(a);
}

static void
test_auth__invalid_grant_marks_the_user_for_reconnection(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth *a = NULL;
	struct auth_key key;
	const char *tok;
	char *stored = NULL, *reason = NULL;
	bool again = false;

	connected(s);
	s->login.refused = "invalid_grant";
	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err), 0);
	assert_int_equal(auth_token(a, 0, false, &tok, &err), DG_EPERM);
	assert_string_equal(err.msg,
			    "needs reconnect: run 'digest connect' "
			    "(HTTP 400 invalid_grant: AADSTS700082: The "
			    "refresh token has expired.)");
	assert_null(strstr(err.msg, "refresh-token-text"));
	auth_close(a);
	key_of(HEX_KEY, &key);
	assert_int_equal(auth_store_get(s->db.st, &key, "a@b.c", &stored,
					&again, &reason, &err),
			 0);
	assert_true(again);
	assert_string_equal(reason, "HTTP 400 invalid_grant: AADSTS700082: "
				    "The refresh token has expired.");
	free(reason);
	/* The next run does not ask the login server for that user. */
	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err), 0);
	assert_int_equal(auth_token(a, 0, false, &tok, &err), DG_EPERM);
	assert_int_equal(s->login.posts, 1);
	auth_close(a);
}

static void test_auth__wrong_token_key_fails_that_user_alone(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct auth *a = NULL;
	const char *tok;

	connected(s);
	setenv("TEST_AUTH_KEY",
	       "ff0102030405060708090a0b0c0d0e0f"
	       "101112131415161718191a1b1c1d1e1f",
	       1);
	assert_int_equal(auth_open(&s->cfg, s->db.st, s->g, &a, &err), 0);
	assert_int_equal(auth_token(a, 0, false, &tok, &err), DG_EPERM);
	assert_string_equal(err.msg,
			    "the stored token of a@b.c does not open "
			    "with the [graph] token key (another key, or a "
			    "damaged row); run 'digest connect' again");
	assert_int_equal(s->login.posts, 0);
	auth_close(a);
}

static void prompted(const struct auth_prompt *p, void *ctx)
{
	snprintf(ctx, 128, "%s %s %ld", p->verification_uri, p->user_code,
		 p->expires_in);
}

static void test_auth__connect_polls_then_stores_who_signed_in(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct cal_user who = {0};
	struct cal_user_list users = CAL_USER_LIST_INIT;
	struct auth_key key;
	char seen[128] = "", v[256], *stored = NULL, *reason = NULL;
	bool again;

	s->cfg.graph.auth = CONFIG_AUTH_DELEGATED;
	unsetenv("TEST_AUTH_SECRET");
	s->login.pending = 1;
	assert_int_equal(
		auth_connect(&s->cfg, s->db.st, prompted, seen, &who, &err), 0);
	assert_string_equal(seen, "https://microsoft.com/devicelogin ABCD 60");
	assert_string_equal(who.mail, "new@b.c");
	assert_int_equal(s->login.posts, 2);
	form_field(s->login.form, "grant_type", v, sizeof(v));
	assert_string_equal(v, "urn:ietf:params:oauth:grant-type:device_code");
	form_field(s->login.form, "device_code", v, sizeof(v));
	assert_string_equal(v, "DC-1");
	key_of(HEX_KEY, &key);
	assert_int_equal(auth_store_get(s->db.st, &key, "new@b.c", &stored,
					&again, &reason, &err),
			 0);
	assert_string_equal(stored, "rt-1");
	assert_int_equal(users_load(s->db.st, USERS_CONNECTED, &users, &err),
			 0);
	assert_int_equal(users.n, 1);
	assert_string_equal(users.v[0].id, "id-9");
	free(stored);
	cal_user_list_release(&users);
	cal_user_release(&who);
}

static void test_auth__declined_sign_in_says_so(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct cal_user who = {0};
	char seen[128] = "";

	s->cfg.graph.auth = CONFIG_AUTH_DELEGATED;
	s->login.refused = "access_denied";
	assert_int_equal(
		auth_connect(&s->cfg, s->db.st, prompted, seen, &who, &err),
		DG_EPERM);
	assert_string_equal(err.msg,
			    "the sign-in was declined: HTTP 400 "
			    "access_denied: AADSTS700082: The refresh token "
			    "has expired.");
	assert_null(who.mail);
}

static void test_auth__connect_in_app_mode_is_refused(void **state)
{
	struct session *s = *state;
	struct dg_err err = DG_ERR_INIT;
	struct cal_user who = {0};

	assert_int_equal(
		auth_connect(&s->cfg, s->db.st, prompted, NULL, &who, &err),
		DG_EINVAL);
	assert_string_equal(err.msg,
			    "digest.toml: digest connect is for "
			    "[graph] auth = \"delegated\"; in app mode no user "
			    "signs in (run 'digest users sync')");
	assert_int_equal(s->login.devicecodes, 0);
}

#define T(name) cmocka_unit_test(name)
#define D(name)                                                                \
	cmocka_unit_test_setup_teardown(name, scratch_setup_store,             \
					scratch_teardown)
#define S(name)                                                                \
	cmocka_unit_test_setup_teardown(name, session_setup, session_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_auth__sealed_token_opens_with_its_key),
		T(test_auth__sealed_token_does_not_open_with_another_key),
		T(test_auth__sealed_token_does_not_open_for_another_user),
		T(test_auth__each_seal_takes_a_fresh_nonce),
		T(test_auth__key_is_read_as_hex_or_base64),
		T(test_auth__key_of_wrong_length_says_its_length_not_its_value),
		T(test_auth__key_that_is_no_encoding_is_refused),
		D(test_auth__stored_token_is_not_in_the_database_in_clear),
		D(test_auth__reconnect_mark_keeps_the_reason),
		D(test_auth__unknown_user_has_no_token),
		T(test_auth__aadsts_error_gives_code_and_description_only),
		T(test_auth__invalid_scope_is_a_refusal),
		T(test_auth__unavailable_login_is_temporary),
		T(test_auth__answer_without_token_or_error_is_malformed),
		T(test_auth__success_gives_the_token),
		T(test_auth__token_is_renewed_five_minutes_early),
		T(test_auth__short_token_is_renewed_at_half_its_life),
		T(test_auth__unknown_lifetime_counts_as_an_hour),
		S(test_auth__app_token_is_asked_once_and_kept),
		S(test_auth__refused_app_sign_in_is_not_asked_again),
		S(test_auth__missing_secret_is_a_configuration_error),
		S(test_auth__rotated_refresh_token_is_sealed_and_stored),
		S(test_auth__invalid_grant_marks_the_user_for_reconnection),
		S(test_auth__wrong_token_key_fails_that_user_alone),
		S(test_auth__connect_polls_then_stores_who_signed_in),
		S(test_auth__declined_sign_in_says_so),
		S(test_auth__connect_in_app_mode_is_refused),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
