/*
 * auth: the token endpoint (client credentials, refresh tokens, device
 * code) and the access tokens of a run. Sealing and table tokens are in
 * auth_seal.c.
 */
#include "auth.h"
#include "clock.h"
#include "interrupt.h"
#include "logging.h"
#include "secret.h"
#include "users.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The token endpoint is asked this often when it fails for a moment. */
#define AUTH_ATTEMPTS 3

/* One identity: the app, or one connected user. */
struct auth_id {
	char *user;    /* delegated: the mail it connected with */
	char *user_id; /* delegated: its Graph id */
	char *refresh; /* delegated: the current refresh token */
	char *access;
	int64_t renew_at; /* monotonic ms */
	int fail_rc;	  /* a lasting failure: no more token requests */
	char *fail_msg;
};

struct auth {
	const struct config *cfg;
	struct store *st;
	struct graph *g;
	bool delegated;
	char *secret; /* the client secret, when configured */
	struct auth_key key;
	struct auth_id *ids;
	size_t n;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	/* a signal asking to stop ends the wait; any other resumes it */
	while (nanosleep(&ts, &ts) && errno == EINTR && !interrupt_pending())
		;
}

static void wipe_buf(struct strbuf *sb)
{
	sodium_memzero(sb->buf, sb->len);
	strbuf_release(sb);
}

int64_t auth_renew_at(int64_t now_ms, long expires_in)
{
	int64_t life = (expires_in > 0 ? expires_in : 3600) * (int64_t)1000;

	return now_ms + (life - AUTH_EARLY_MS > life / 2 ? life - AUTH_EARLY_MS
							 : life / 2);
}

bool auth_token_fresh(int64_t renew_at, int64_t now_ms)
{
	return now_ms < renew_at;
}

/* ---- what the token endpoint said ------------------------------------ */

/* Blank out every occurrence of s in sb (a server echoing a secret). */
static void redact(struct strbuf *sb, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *p;

	if (!n)
		return;
	while ((p = memmem(sb->buf, sb->len, s, n)))
		memset(p, '*', n);
}

/* The first line of server text, control characters replaced. */
static int add_first_line(struct strbuf *sb, const char *s, size_t max)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && s[i] && s[i] != '\r' && s[i] != '\n'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= max && (c & 0xc0) != 0x80)
			return strbuf_addstr(sb, "...");
		rc = strbuf_addch(sb, c < 0x20 || c == 0x7f ? ' ' : c);
	}
	return rc;
}

static bool transient(long status, const char *error)
{
	return status == 429 || status >= 500 ||
	       (error && !strcmp(error, "temporarily_unavailable"));
}

static int answer_message(long status, const struct graphjson_token *t,
			  const char *const *hide, struct strbuf *sb)
{
	int rc = strbuf_addf(sb, "HTTP %ld %s", status, t->error);

	if (!rc && t->error_description)
		rc = strbuf_addstr(sb, ": ");
	if (!rc && t->error_description)
		rc = add_first_line(sb, t->error_description, 300);
	for (; !rc && hide && *hide; hide++)
		redact(sb, *hide);
	return rc;
}

int auth_token_answer(long status, const char *body, size_t len,
		      const char *const *hide, struct graphjson_token *t,
		      struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct dg_err perr = DG_ERR_INIT;
	int rc;

	memset(t, 0, sizeof(*t));
	if (graphjson_token(body, len, t, &perr)) {
		if (transient(status, NULL))
			return dg_errf(err, DG_ETEMP,
				       "HTTP %ld (no token "
				       "answer)",
				       status);
		return dg_errf(err, DG_EPARSE,
			       "HTTP %ld: the answer is no "
			       "token answer: %s",
			       status, perr.msg);
	}
	if (status == 200 && !t->error)
		return 0;
	if (!t->error)
		return dg_errf(err,
			       transient(status, NULL) ? DG_ETEMP : DG_EPARSE,
			       "HTTP %ld with a token but no "
			       "success",
			       status);
	rc = answer_message(status, t, hide, &sb);
	rc = dg_errf(err,
		     rc				   ? rc
		     : transient(status, t->error) ? DG_ETEMP
						   : DG_EPERM,
		     "%s", rc ? "out of memory" : sb.buf);
	strbuf_release(&sb);
	return rc;
}

/* ---- talking to the token endpoint ----------------------------------- */

static int endpoint(const struct auth *a, const char *which, struct strbuf *url)
{
	const char *login = a->cfg->graph.login_url;
	size_t n = strlen(login);
	int rc;

	while (n && login[n - 1] == '/')
		n--;
	rc = strbuf_add(url, login, n);
	if (!rc)
		rc = strbuf_addch(url, '/');
	if (!rc)
		rc = graph_escape(a->cfg->graph.tenant, url);
	if (!rc)
		rc = strbuf_addf(url, "/oauth2/v2.0/%s", which);
	return rc;
}

/* "&name=value" (no "&" first), the value percent-encoded. */
static int field(struct strbuf *form, const char *name, const char *value)
{
	int rc = form->len ? strbuf_addch(form, '&') : 0;

	if (!rc)
		rc = strbuf_addf(form, "%s=", name);
	if (!rc)
		rc = graph_escape(value ? value : "", form);
	return rc;
}

/* One POST to the endpoint which; the answer judged into t. */
static int post_once(struct auth *a, const char *which, const char *form,
		     const char *const *hide, struct graphjson_token *t,
		     struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	long status = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = endpoint(a, which, &url);
	if (rc) {
		strbuf_release(&url);
		return dg_errf(err, rc, "out of memory");
	}
	rc = graph_post_form(a->g, url.buf, form, &status, &body, err);
	if (!rc)
		rc = auth_token_answer(status, body.buf, body.len, hide, t,
				       err);
	wipe_buf(&body);
	strbuf_release(&url);
	return rc;
}

/* post_once(), tried again after a moment while it fails for a moment. */
static int post_token(struct auth *a, const char *form, const char *const *hide,
		      struct graphjson_token *t, struct dg_err *err)
{
	int i, rc = 0;

	for (i = 0; i < AUTH_ATTEMPTS; i++) {
		if (i) {
			graphjson_token_release(t);
			sleep_ms(1000L << (i - 1));
		}
		rc = post_once(a, "token", form, hide, t, err);
		if (rc != DG_ETEMP && rc != DG_ENET)
			break;
	}
	return rc;
}

static void adopt(struct auth_id *id, struct graphjson_token *t)
{
	secret_wipe(id->access);
	id->access = t->access_token;
	t->access_token = NULL;
	id->renew_at = auth_renew_at(mono_ms(), t->expires_in);
}

static int client_credentials(struct auth *a, struct auth_id *id,
			      struct dg_err *err)
{
	const char *hide[] = {a->secret, NULL};
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct strbuf form = STRBUF_INIT;
	int rc;

	if (!a->secret)
		return dg_errf(err, DG_EINVAL,
			       "[graph] client secret is not "
			       "configured");
	rc = field(&form, "client_id", a->cfg->graph.client_id);
	if (!rc)
		rc = field(&form, "client_secret", a->secret);
	if (!rc)
		rc = field(&form, "scope", AUTH_APP_SCOPE);
	if (!rc)
		rc = field(&form, "grant_type", "client_credentials");
	if (rc)
		rc = dg_errf(err, rc, "out of memory");
	else
		rc = post_token(a, form.buf, hide, &t, err);
	wipe_buf(&form);
	if (rc)
		dg_err_prefix(err, "app sign-in at %s failed",
			      a->cfg->graph.login_url);
	else
		adopt(id, &t);
	graphjson_token_release(&t);
	return rc;
}

/* The grant is gone: remember it in the store, so `status` can tell. */
static int needs_reconnect(struct auth *a, struct auth_id *id,
			   struct dg_err *err)
{
	struct dg_err serr = DG_ERR_INIT;
	char reason[DG_ERR_MAX];

	snprintf(reason, sizeof(reason), "%s", err->msg);
	if (auth_store_reconnect(a->st, id->user, reason, clock_now_ms(),
				 &serr))
		logging_warn("%s", serr.msg);
	return dg_errf(err, DG_EPERM,
		       "needs reconnect: run 'digest "
		       "connect' (%s)",
		       reason);
}

/* A new refresh token replaces the old one, in memory and sealed. */
static void rotate(struct auth *a, struct auth_id *id,
		   struct graphjson_token *t)
{
	struct dg_err err = DG_ERR_INIT;

	if (!t->refresh_token || !strcmp(t->refresh_token, id->refresh))
		return;
	secret_wipe(id->refresh);
	id->refresh = t->refresh_token;
	t->refresh_token = NULL;
	if (auth_store_token(a->st, &a->key, id->user, id->user_id, id->refresh,
			     clock_now_ms(), &err))
		logging_warn("cannot store the new refresh token of %s (the "
			     "old one stays): %s",
			     id->user, err.msg);
}

static int refresh(struct auth *a, struct auth_id *id, struct dg_err *err)
{
	const char *hide[] = {a->secret, id->refresh, NULL};
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct strbuf form = STRBUF_INIT;
	int rc;

	rc = field(&form, "client_id", a->cfg->graph.client_id);
	if (!rc)
		rc = field(&form, "grant_type", "refresh_token");
	if (!rc)
		rc = field(&form, "refresh_token", id->refresh);
	if (!rc)
		rc = field(&form, "scope", AUTH_DELEGATED_SCOPE);
	/* A public client (device code) must not send one. */
	if (!rc && a->secret)
		rc = field(&form, "client_secret", a->secret);
	if (rc)
		rc = dg_errf(err, rc, "out of memory");
	else
		rc = post_token(a, form.buf, hide, &t, err);
	wipe_buf(&form);
	if (rc == DG_EPERM && t.error &&
	    (!strcmp(t.error, "invalid_grant") ||
	     !strcmp(t.error, "interaction_required")))
		rc = needs_reconnect(a, id, err);
	else if (rc)
		dg_err_prefix(err, "sign-in failed");
	if (!rc) {
		adopt(id, &t);
		rotate(a, id, &t);
	}
	graphjson_token_release(&t);
	return rc;
}

static int remember_failure(struct auth_id *id, int rc, const char *msg)
{
	free(id->fail_msg);
	id->fail_msg = strdup(msg);
	id->fail_rc = rc;
	return rc;
}

int auth_token(void *ctx, int who, bool renew, const char **token,
	       struct dg_err *err)
{
	struct auth *a = ctx;
	struct dg_err e = DG_ERR_INIT;
	struct auth_id *id;
	int rc;

	if (who < 0 || (size_t)who >= a->n)
		return dg_errf(err, DG_EINTERNAL,
			       "no sign-in for this "
			       "request");
	id = &a->ids[who];
	if (id->fail_rc)
		return dg_errf(err, id->fail_rc, "%s", id->fail_msg);
	if (!renew && id->access && auth_token_fresh(id->renew_at, mono_ms())) {
		*token = id->access;
		return 0;
	}
	rc = a->delegated ? refresh(a, id, &e) : client_credentials(a, id, &e);
	/* A refusal stays a refusal: asking again only risks a lockout. */
	if (rc == DG_EPERM || rc == DG_EINVAL || rc == DG_EPARSE)
		remember_failure(id, rc, e.msg);
	if (rc)
		return dg_errf(err, rc, "%s", e.msg);
	*token = id->access;
	return 0;
}

int auth_check(struct auth *a, struct dg_err *err)
{
	const char *token;

	if (a->delegated)
		return 0;
	return auth_token(a, 0, false, &token, err);
}

/* ---- a session ------------------------------------------------------- */

static void id_release(struct auth_id *id)
{
	free(id->user);
	free(id->user_id);
	secret_wipe(id->refresh);
	secret_wipe(id->access);
	free(id->fail_msg);
	memset(id, 0, sizeof(*id));
}

void auth_close(struct auth *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		id_release(&a->ids[i]);
	free(a->ids);
	secret_wipe(a->secret);
	auth_key_wipe(&a->key);
	free(a);
}

int auth_who(const struct auth *a, const struct cal_user *u)
{
	size_t i;

	if (!a->delegated)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct auth_id *id = &a->ids[i];

		if (id->user_id && u->id && !strcmp(id->user_id, u->id))
			return (int)i;
	}
	for (i = 0; i < a->n; i++)
		if (u->mail && !strcasecmp(a->ids[i].user, u->mail))
			return (int)i;
	return -1;
}

/* Copy s, or fail the identity with a message that names the user. */
static int load_one(struct auth *a, struct auth_id *id,
		    const struct auth_connected *c, struct dg_err *err)
{
	struct dg_err e = DG_ERR_INIT;
	char *reason = NULL;
	bool again;
	int rc;

	id->user = strdup(c->user);
	id->user_id = c->user_id ? strdup(c->user_id) : NULL;
	if (!id->user || (c->user_id && !id->user_id))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = auth_store_get(a->st, &a->key, c->user, &id->refresh, &again,
			    &reason, &e);
	if (rc == DG_ENOMEM) {
		free(reason);
		return dg_errf(err, rc, "%s", e.msg);
	}
	if (!rc && again)
		snprintf(e.msg, sizeof(e.msg),
			 "needs reconnect: run 'digest "
			 "connect' (%s)",
			 reason ? reason
				: "the grant was "
				  "revoked");
	if (rc || again)
		remember_failure(id, rc ? rc : DG_EPERM, e.msg);
	free(reason);
	return id->fail_rc && !id->fail_msg ? dg_errf(err, DG_ENOMEM,
						      "out "
						      "of memory")
					    : 0;
}

static int load_connected(struct auth *a, struct dg_err *err)
{
	struct auth_connected *v;
	size_t i, n;
	int rc;

	rc = auth_store_list(a->st, &v, &n, err);
	if (rc)
		return rc;
	a->ids = calloc(n ? n : 1, sizeof(*a->ids));
	if (!a->ids)
		rc = dg_errf(err, DG_ENOMEM, "out of memory");
	for (i = 0; !rc && i < n; i++) {
		a->n = i + 1;
		rc = load_one(a, &a->ids[i], &v[i], err);
	}
	auth_store_list_free(v, n);
	return rc;
}

/*
 * The client secret: required in app mode. A delegated app is usually a
 * public client (device code), which must not send one: then a secret
 * configured for app mode but absent is no error.
 */
static int read_secret(struct auth *a, struct dg_err *err)
{
	const struct secret *s = &a->cfg->graph.client_secret;
	struct dg_err e = DG_ERR_INIT;
	int rc;

	if (a->delegated && !secret_isset(s))
		return 0;
	rc = secret_read(s, "[graph] client secret", &a->secret, &e);
	if (rc == DG_ENOTFOUND && a->delegated) {
		logging_debug("%s: signing in as a public client", e.msg);
		return 0;
	}
	if (rc)
		return dg_errf(err, rc == DG_ENOMEM ? rc : DG_EINVAL, "%s",
			       e.msg);
	return 0;
}

static int auth_new(const struct config *cfg, struct store *st, struct graph *g,
		    struct auth **out, struct dg_err *err)
{
	struct auth *a = calloc(1, sizeof(*a));

	*out = a;
	if (!a)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	a->cfg = cfg;
	a->st = st;
	a->g = g;
	a->delegated = cfg->graph.auth == CONFIG_AUTH_DELEGATED;
	if (!cfg->graph.client_id || !cfg->graph.tenant)
		return dg_errf(err, DG_EINVAL, "%s: [graph] %s is not set",
			       cfg->file ? cfg->file : "the config",
			       cfg->graph.tenant ? "client_id" : "tenant");
	return read_secret(a, err);
}

int auth_open(const struct config *cfg, struct store *st, struct graph *g,
	      struct auth **out, struct dg_err *err)
{
	struct auth *a;
	int rc;

	*out = NULL;
	rc = auth_new(cfg, st, g, &a, err);
	if (!rc && a->delegated)
		rc = auth_key_read(cfg, &a->key, err);
	if (!rc && a->delegated)
		rc = load_connected(a, err);
	if (!rc && !a->delegated) {
		a->ids = calloc(1, sizeof(*a->ids));
		a->n = 1;
		if (!a->ids)
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	}
	if (rc) {
		auth_close(a);
		return rc;
	}
	graph_set_tokens(g, auth_token, a);
	*out = a;
	return 0;
}

/* ---- digest connect: the device-code flow ---------------------------- */

static int device_code(struct auth *a, struct graphjson_device_code *dc,
		       struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT, form = STRBUF_INIT;
	struct strbuf body = STRBUF_INIT;
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	long status = 0;
	int rc;

	rc = endpoint(a, "devicecode", &url);
	if (!rc)
		rc = field(&form, "client_id", a->cfg->graph.client_id);
	if (!rc)
		rc = field(&form, "scope", AUTH_DELEGATED_SCOPE);
	if (rc)
		rc = dg_errf(err, rc, "out of memory");
	if (!rc)
		rc = graph_post_form(a->g, url.buf, form.buf, &status, &body,
				     err);
	if (!rc && status == 200)
		rc = graphjson_device_code(body.buf, body.len, dc, err);
	else if (!rc)
		/* Not 200: never a success, err says what the server said. */
		rc = auth_token_answer(status, body.buf, body.len, NULL, &t,
				       err);
	if (rc)
		dg_err_prefix(err, "the sign-in could not start (%s)", url.buf);
	graphjson_token_release(&t);
	strbuf_release(&url);
	strbuf_release(&form);
	strbuf_release(&body);
	return rc;
}

/* What a polling answer means: 1 keep polling, 0 signed in, <0 failed. */
static int poll_verdict(int rc, const struct graphjson_token *t, long *every,
			struct dg_err *err)
{
	const char *e = t->error ? t->error : "";

	if (!rc)
		return 0;
	if (!strcmp(e, "authorization_pending"))
		return 1;
	if (!strcmp(e, "slow_down")) {
		*every += 5000;
		return 1;
	}
	if (rc == DG_ETEMP || rc == DG_ENET) {
		logging_warn("waiting for the sign-in: %s", err->msg);
		return 1;
	}
	if (!strcmp(e, "expired_token") || !strcmp(e, "code_expired"))
		return dg_errf(err, DG_ETEMP,
			       "the code expired before the "
			       "sign-in was done; run 'digest connect' again");
	if (!strcmp(e, "access_denied") || !strcmp(e, "authorization_declined"))
		return dg_err_prefix(err, "the sign-in was declined");
	return dg_err_prefix(err, "the sign-in failed");
}

static int poll_token(struct auth *a, const struct graphjson_device_code *dc,
		      struct graphjson_token *t, struct dg_err *err)
{
	const char *hide[] = {dc->device_code, a->secret, NULL};
	struct strbuf form = STRBUF_INIT;
	long every = (dc->interval > 0 ? dc->interval : 1) * 1000L;
	int64_t deadline = mono_ms() + dc->expires_in * 1000L;
	int rc, v;

	rc = field(&form, "grant_type",
		   "urn:ietf:params:oauth:grant-type:device_code");
	if (!rc)
		rc = field(&form, "client_id", a->cfg->graph.client_id);
	if (!rc)
		rc = field(&form, "device_code", dc->device_code);
	if (!rc && a->secret)
		rc = field(&form, "client_secret", a->secret);
	if (rc) {
		wipe_buf(&form);
		return dg_errf(err, rc, "out of memory");
	}
	do {
		sleep_ms(every);
		if (interrupt_pending()) {
			v = dg_errf(err, DG_ESTOPPED, "the sign-in was "
				    "stopped before it was done");
			break;
		}
		if (mono_ms() > deadline) {
			v = dg_errf(err, DG_ETEMP,
				    "the code expired before "
				    "the sign-in was done; run 'digest "
				    "connect' again");
			break;
		}
		graphjson_token_release(t);
		rc = post_once(a, "token", form.buf, hide, t, err);
		v = poll_verdict(rc, t, &every, err);
	} while (v > 0);
	wipe_buf(&form);
	return v;
}

static int who_connected(struct auth *a, struct cal_user *who,
			 struct dg_err *err)
{
	struct strbuf body = STRBUF_INIT;
	int rc;

	rc = graph_get(a->g, 0,
		       "/me?$select=id,mail,displayName,givenName,surname,"
		       "userPrincipalName,proxyAddresses",
		       NULL, &body, err);
	if (!rc)
		rc = graphjson_user(body.buf, body.len, who, err);
	strbuf_release(&body);
	if (rc)
		return dg_err_prefix(err, "cannot tell who signed in");
	if (!who->mail)
		return dg_errf(err, DG_EINVAL,
			       "%s signed in, but has no "
			       "mailbox (no mail address): nothing to read",
			       who->user_principal_name
				       ? who->user_principal_name
				       : who->id);
	return 0;
}

static int save_connected(struct auth *a, const struct cal_user *who,
			  struct dg_err *err)
{
	int64_t now = clock_now_ms();
	int rc;

	rc = store_begin(a->st, err);
	if (rc)
		return rc;
	rc = users_put(a->st, who, now, err);
	if (!rc)
		rc = auth_store_token(a->st, &a->key, who->mail, who->id,
				      a->ids[0].refresh, now, err);
	if (!rc)
		return store_commit(a->st, err);
	store_rollback(a->st);
	return rc;
}

/* After the device flow: identity 0 holds the new tokens. */
static int signed_in(struct auth *a, struct graphjson_token *t,
		     struct cal_user *who, struct dg_err *err)
{
	if (!t->refresh_token)
		return dg_errf(err, DG_EPERM,
			       "the sign-in gave no refresh "
			       "token: the app must be allowed the scope "
			       "offline_access");
	a->ids[0].refresh = t->refresh_token;
	t->refresh_token = NULL;
	adopt(&a->ids[0], t);
	a->n = 1;
	graph_set_tokens(a->g, auth_token, a);
	if (who_connected(a, who, err))
		return err->code;
	a->ids[0].user = strdup(who->mail);
	if (!a->ids[0].user)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	return save_connected(a, who, err);
}

static int connect_flow(struct auth *a, auth_prompt_fn *prompt, void *ctx,
			struct cal_user *who, struct dg_err *err)
{
	struct graphjson_device_code dc = GRAPHJSON_DEVICE_CODE_INIT;
	struct graphjson_token t = GRAPHJSON_TOKEN_INIT;
	struct auth_prompt p;
	int rc;

	rc = device_code(a, &dc, err);
	if (rc)
		return rc;
	p.verification_uri = dc.verification_uri;
	p.user_code = dc.user_code;
	p.message = dc.message;
	p.expires_in = dc.expires_in;
	prompt(&p, ctx);
	rc = poll_token(a, &dc, &t, err);
	if (!rc)
		rc = signed_in(a, &t, who, err);
	graphjson_token_release(&t);
	graphjson_device_code_release(&dc);
	return rc;
}

int auth_connect(const struct config *cfg, struct store *st,
		 auth_prompt_fn *prompt, void *ctx, struct cal_user *who,
		 struct dg_err *err)
{
	struct graph_settings s;
	struct graph *g = NULL;
	struct auth *a = NULL;
	int rc;

	if (cfg->graph.auth != CONFIG_AUTH_DELEGATED)
		return dg_errf(err, DG_EINVAL,
			       "%s: digest connect is for "
			       "[graph] auth = \"delegated\"; in app mode no "
			       "user signs in (run 'digest users sync')",
			       cfg->file ? cfg->file : "the config");
	graph_settings_of(cfg, 1, &s);
	rc = graph_open(&s, &g, err);
	if (!rc)
		rc = auth_new(cfg, st, g, &a, err);
	if (!rc)
		rc = auth_key_read(cfg, &a->key, err);
	if (!rc) {
		a->ids = calloc(1, sizeof(*a->ids));
		if (!a->ids)
			rc = dg_errf(err, DG_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = connect_flow(a, prompt, ctx, who, err);
	if (rc)
		cal_user_release(who);
	auth_close(a);
	graph_close(g);
	return rc;
}
