/*
 * graph_answer: what an answer means for each request it carried:
 * success, another try later (throttled, unavailable, token renewed), or
 * a failure with a message naming the request and Graph's error.
 */
#include "graph.h"
#include "graph_int.h"
#include "graphjson.h"
#include "logging.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Server text quoted in a message is cut at this many bytes. */
#define QUOTE_MAX 200

static bool is_2xx(long status)
{
	return status >= 200 && status < 300;
}

/* Throttled or briefly unavailable: Graph asks to come back later. */
static bool retryable(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

static int code_of_status(long status)
{
	if (status == 401 || status == 403)
		return DG_EPERM;
	if (status == 404)
		return DG_ENOTFOUND;
	if (status == 429)
		return DG_ETEMP;
	if (status >= 500)
		return DG_ENET;
	return DG_EINVAL;
}

/*
 * Append server text: at most max bytes (not cutting a UTF-8 sequence),
 * control characters replaced, so an answer cannot forge log lines.
 */
static int add_clean(struct strbuf *sb, const char *s, size_t max)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= max && (c & 0xc0) != 0x80)
			return strbuf_addstr(sb, "...");
		rc = strbuf_addch(sb, c < 0x20 || c == 0x7f ? ' ' : c);
	}
	return rc;
}

/* "GET /users/42/calendarView": the request without query or host. */
static int describe(const struct graph_call *c, struct strbuf *sb)
{
	const char *p = c->rel ? c->rel : c->url + graph_origin_len(c->url);

	return strbuf_addf(sb, "%s %.*s", c->method, (int)strcspn(p, "?"), p);
}

/*
 * One answer's body: text, or a value a $batch answer parsed already
 * (then text is NULL).
 */
struct body {
	const struct graphjson_value *json;
	const char *text;
	size_t len;
};

/* Graph's error body, whichever form the answer has. */
static int error_of(const struct body *b, struct graphjson_error *e)
{
	if (b->json)
		return graphjson_error_value(b->json, e, NULL);
	if (!b->len)
		return DG_EPARSE;
	return graphjson_error_body(b->text, b->len, e, NULL);
}

/* ": HTTP 404 ErrorInvalidUser: message (request-id ...)"; *code set. */
static int add_answer(struct strbuf *sb, long status, const struct body *b,
		      char **code)
{
	struct graphjson_error e = GRAPHJSON_ERROR_INIT;
	int rc = strbuf_addf(sb, ": HTTP %ld", status);

	*code = NULL;
	if (rc || error_of(b, &e))
		return rc;
	if (*e.code) {
		*code = strdup(e.code);
		rc = strbuf_addch(sb, ' ');
		if (!rc)
			rc = add_clean(sb, e.code, 80);
	}
	if (!rc && e.message)
		rc = strbuf_addstr(sb, ": ");
	if (!rc && e.message)
		rc = add_clean(sb, e.message, QUOTE_MAX);
	if (!rc && e.request_id)
		rc = strbuf_addstr(sb, " (request-id ");
	if (!rc && e.request_id)
		rc = add_clean(sb, e.request_id, 64);
	if (!rc && e.request_id)
		rc = strbuf_addch(sb, ')');
	graphjson_error_release(&e);
	return rc;
}

static const char *msg_or_oom(const struct strbuf *msg)
{
	return msg->len ? msg->buf : "out of memory describing a failure";
}

static void succeed(struct graph_call *c, long status, const struct body *b)
{
	struct strbuf what = STRBUF_INIT;
	struct graph_result r = {
		.rc = 0,
		.status = status,
		.json = b->json,
		.body = b->text ? b->text : "",
		.len = b->text ? b->len : 0,
		.code = NULL,
		.msg = NULL,
	};

	r.what = describe(c, &what) ? c->method : what.buf;
	c->done(c->arg, &r);
	strbuf_release(&what);
	graph_call_free(c);
}

static void fail(struct graph_call *c, int rc, long status, const char *code,
		 const char *msg)
{
	struct strbuf what = STRBUF_INIT;
	struct graph_result r = {
		.rc = rc,
		.status = status,
		.json = NULL,
		.body = "",
		.len = 0,
		.code = code,
		.msg = msg,
	};

	r.what = describe(c, &what) ? c->method : what.buf;
	c->done(c->arg, &r);
	strbuf_release(&what);
	graph_call_free(c);
}

void graph_fail_all(struct graph *g, struct graph_transfer *t, int rc,
		    const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	(void)g;
	for (i = 0; i < t->ncalls; i++) {
		strbuf_reset(&sb);
		if (describe(t->calls[i], &sb) || strbuf_addf(&sb, ": %s", msg))
			strbuf_reset(&sb);
		fail(t->calls[i], rc, 0, NULL, msg_or_oom(&sb));
		t->calls[i] = NULL;
	}
	t->ncalls = 0;
	strbuf_release(&sb);
}

/*
 * Retry-After in milliseconds: seconds (Graph sends fractions such as
 * "2.128": rounded up) or an HTTP date; never under a second, because an
 * immediate retry counts against the same limit. -1 if absent or bad.
 */
static long retry_after_ms(const char *v)
{
	double d;
	char *end;
	time_t at;

	if (!v || !*v)
		return -1;
	d = strtod(v, &end);
	if (end != v && !*end && d >= 0 && d <= 86400)
		return d <= 1 ? 1000 : (long)(d * 1000 + 0.999);
	at = curl_getdate(v, NULL);
	if (at <= 0)
		return -1;
	at -= time(NULL);
	return at <= 1 ? 1000 : at > 86400 ? 86400000L : (long)at * 1000;
}

/* Exponential, capped, with equal jitter so that retries spread out. */
static long backoff_ms(const struct graph *g, int attempts)
{
	long d = g->backoff_ms;
	int i;

	for (i = 1; i < attempts && d < g->max_backoff_ms; i++)
		d *= 2;
	if (d > g->max_backoff_ms)
		d = g->max_backoff_ms;
	return d / 2 + (long)randombytes_uniform((uint32_t)(d / 2 + 1));
}

/*
 * Queue c again after delay ms, or fail it with msg when it has been sent
 * limit times already or the wait would pass its budget.
 */
static void retry(struct graph *g, struct graph_call *c, long delay, int limit,
		  int rc, long status, const char *code, struct strbuf *msg)
{
	int e = 0;

	if (c->attempts >= limit) {
		e = strbuf_addf(msg, " (gave up after %d attempts)",
				c->attempts);
	} else if (c->waited_ms + delay > g->max_wait_ms) {
		e = strbuf_addf(msg,
				" (gave up: it would wait more than "
				"%ld s in all)",
				g->max_wait_ms / 1000);
	} else {
		c->waited_ms += delay;
		c->not_before = graph_now_ms() + delay;
		graph_enqueue(g, c);
		g->stats.retries++;
		return;
	}
	if (e)
		strbuf_reset(msg);
	fail(c, rc, status, code, msg_or_oom(msg));
}

static void token_hash(const char *token, unsigned char out[16])
{
	crypto_generichash(out, 16, (const unsigned char *)token,
			   strlen(token), NULL, 0);
}

static struct graph_proof *proof_of(struct graph *g, int who)
{
	return &g->proofs[(unsigned)who % GRAPH_PROOFS];
}

/* Whether token is the one a renewal got for who and Graph not yet took. */
static bool untried(struct graph *g, int who, const char *token)
{
	struct graph_proof *p = proof_of(g, who);
	unsigned char h[16];

	if (!token || !p->set || p->who != who || p->accepted)
		return false;
	token_hash(token, h);
	return !memcmp(h, p->hash, sizeof(h));
}

/* Graph answered 2xx to who's token. */
static void accepted(struct graph *g, int who, const char *token)
{
	if (untried(g, who, token))
		proof_of(g, who)->accepted = true;
}

/* A renewal got token for who. */
static void renewed(struct graph *g, int who, const char *token)
{
	struct graph_proof *p = proof_of(g, who);

	p->who = who;
	p->set = true;
	p->accepted = false;
	token_hash(token, p->hash);
}

/*
 * 401: send the request again with a new token. Another request may
 * have got one since this one was sent (used is the token it carried):
 * then that one. Else ask for one, unless used came from such a renewal
 * and Graph has accepted it nowhere yet: a new token refused may be
 * refused for good (one renewal then, not one per request), or the
 * answers that took it are still on their way (a token that expires in
 * use races with the requests out on it). The request waits for them
 * and goes again with what is the token then. Each request meets
 * GRAPH_RENEW_MAX 401s at most.
 */
static void renew(struct graph *g, struct graph_call *c, const char *used,
		  const char *code, struct strbuf *msg)
{
	struct dg_err err = DG_ERR_INIT;
	const char *token;
	int rc;

	if (!g->token_fn || c->renewals >= GRAPH_RENEW_MAX) {
		fail(c, DG_EPERM, 401, code, msg_or_oom(msg));
		return;
	}
	c->renewals++;
	c->not_before = 0;
	rc = g->token_fn(g->token_ctx, c->who, false, &token, &err);
	if (!rc && used && !strcmp(token, used)) {
		if (untried(g, c->who, used)) {
			c->not_before = graph_now_ms() +
					backoff_ms(g, c->renewals);
			graph_enqueue(g, c);
			return;
		}
		rc = g->token_fn(g->token_ctx, c->who, true, &token, &err);
		if (!rc)
			renewed(g, c->who, token);
	}
	if (rc) {
		strbuf_reset(msg);
		if (describe(c, msg) || strbuf_addf(msg, ": %s", err.msg))
			strbuf_reset(msg);
		fail(c, rc, 401, code, msg_or_oom(msg));
		return;
	}
	graph_enqueue(g, c);
}

/* One request's answer, direct or from a batch. */
static void judge(struct graph *g, struct graph_call *c, long status,
		  const char *retry_after, const struct body *b,
		  const char *token)
{
	struct strbuf msg = STRBUF_INIT;
	char *code = NULL;
	long delay;

	if (is_2xx(status)) {
		succeed(c, status, b);
		return;
	}
	if (describe(c, &msg) || add_answer(&msg, status, b, &code))
		strbuf_reset(&msg);
	if (status == 401) {
		renew(g, c, token, code, &msg);
	} else if (retryable(status)) {
		g->stats.throttled++;
		delay = retry_after_ms(retry_after);
		if (delay < 0)
			delay = backoff_ms(g, c->attempts);
		retry(g, c, delay, g->max_attempts, code_of_status(status),
		      status, code, &msg);
	} else {
		fail(c, code_of_status(status), status, code, msg_or_oom(&msg));
	}
	free(code);
	strbuf_release(&msg);
}

/*
 * A $batch answer that cannot be read as a whole (one sub-answer in
 * invalid UTF-8 or nested deeper than json-c allows, or all of them
 * together past GRAPH_BODY_MAX) says nothing about each request in it.
 * Send each again on its own: then only the request whose own answer is
 * bad fails, and the size limit applies to each answer. False when t was
 * no batch (there is nothing to split).
 */
static bool split(struct graph *g, struct graph_transfer *t)
{
	size_t i;

	if (!t->is_batch || t->ncalls < 2)
		return false;
	for (i = 0; i < t->ncalls; i++) {
		struct graph_call *c = t->calls[i];

		t->calls[i] = NULL;
		c->batch = false;
		c->not_before = 0;
		graph_enqueue(g, c);
		g->stats.retries++;
	}
	t->ncalls = 0;
	return true;
}

/* No answer at all: a broken connection, a timeout, a refused TLS. */
static void transport_failed(struct graph *g, struct graph_transfer *t,
			     CURLcode res)
{
	struct strbuf msg = STRBUF_INIT;
	const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(res);
	size_t i;

	if (t->too_big && split(g, t))
		return;
	for (i = 0; i < t->ncalls; i++) {
		struct graph_call *c = t->calls[i];

		strbuf_reset(&msg);
		if (describe(c, &msg) ||
		    strbuf_addf(&msg, ": %s",
				t->too_big ? "the answer is larger than 64 MB"
					   : why))
			strbuf_reset(&msg);
		t->calls[i] = NULL;
		if (t->too_big)
			fail(c, DG_ETOOBIG, 0, NULL, msg_or_oom(&msg));
		else if (graph_curl_lasting(res))
			fail(c, DG_EPERM, 0, NULL, msg_or_oom(&msg));
		else
			retry(g, c, backoff_ms(g, c->attempts),
			      GRAPH_TRANSPORT_ATTEMPTS, DG_ENET, 0, NULL, &msg);
	}
	t->ncalls = 0;
	strbuf_release(&msg);
}

/* The batch's own status applies to each request it carried. */
static void judge_all(struct graph *g, struct graph_transfer *t, long status)
{
	struct body b = { .json = NULL, .text = t->body.buf,
			  .len = t->body.len };
	size_t i;

	if (is_2xx(status) && t->ncalls)
		accepted(g, t->calls[0]->who, t->token);
	for (i = 0; i < t->ncalls; i++) {
		judge(g, t->calls[i], status, t->retry_after, &b, t->token);
		t->calls[i] = NULL;
	}
	t->ncalls = 0;
}

/* "1".."20": the position of the request in the batch, or -1. */
static int index_of(const struct graph_transfer *t, const char *id)
{
	char *end;
	long i = strtol(id, &end, 10);

	if (end == id || *end || i < 1 || (size_t)i > t->ncalls ||
	    !t->calls[i - 1])
		return -1;
	return (int)i - 1;
}

static void malformed(struct graph *g, struct graph_transfer *t,
		      const char *why)
{
	struct strbuf msg = STRBUF_INIT;
	size_t i;

	if (split(g, t))
		return;
	for (i = 0; i < t->ncalls; i++) {
		strbuf_reset(&msg);
		if (describe(t->calls[i], &msg) ||
		    strbuf_addf(&msg, ": the $batch answer is malformed: %s",
				why))
			strbuf_reset(&msg);
		fail(t->calls[i], DG_EPARSE, 200, NULL, msg_or_oom(&msg));
		t->calls[i] = NULL;
	}
	t->ncalls = 0;
	strbuf_release(&msg);
}

/* Requests the batch answer left out are sent again, a few times. */
static void unanswered(struct graph *g, struct graph_transfer *t)
{
	struct strbuf msg = STRBUF_INIT;
	size_t i;

	for (i = 0; i < t->ncalls; i++) {
		struct graph_call *c = t->calls[i];

		if (!c)
			continue;
		t->calls[i] = NULL;
		strbuf_reset(&msg);
		if (describe(c, &msg) ||
		    strbuf_addstr(&msg, ": the $batch answer has no "
					"response for it"))
			strbuf_reset(&msg);
		retry(g, c, backoff_ms(g, c->attempts), g->max_attempts,
		      DG_EPARSE, 200, NULL, &msg);
	}
	t->ncalls = 0;
	strbuf_release(&msg);
}

/*
 * The envelope itself refused the way a server without JSON batching
 * refuses it (no such segment, method or feature). Graph proper never
 * does for a batch this client writes; a compatible server may, and its
 * requests then go one by one rather than all fail.
 */
static bool batch_refused(long status)
{
	return status == 400 || status == 404 || status == 405 ||
	       status == 501;
}

static void finish_batch(struct graph *g, struct graph_transfer *t, long status)
{
	struct graphjson_batch b = GRAPHJSON_BATCH_INIT;
	struct dg_err err = DG_ERR_INIT;
	bool proved = false;
	size_t i;
	int rc, k;

	if (batch_refused(status)) {
		if (!g->no_batch)
			logging_warn("%s/$batch answered HTTP %ld: requests go "
				     "one by one from now on",
				     g->base_url, status);
		g->no_batch = true;
		if (split(g, t))
			return;
	}
	if (!is_2xx(status)) {
		judge_all(g, t, status);
		return;
	}
	rc = graphjson_batch_read(g->reader, t->body.buf, t->body.len, &b,
				 &err);
	if (rc) {
		malformed(g, t, err.msg);
		return;
	}
	for (i = 0; i < b.n; i++) {
		struct graphjson_subanswer *a = &b.v[i];
		struct body body = { .json = a->value, .text = a->body,
				     .len = a->body_len };

		/* Unknown or repeated ids answer nothing we asked. */
		k = index_of(t, a->id);
		if (k < 0)
			continue;
		if (!proved && is_2xx(a->status)) {
			accepted(g, t->calls[k]->who, t->token);
			proved = true;
		}
		judge(g, t->calls[k], a->status, a->retry_after, &body,
		      t->token);
		t->calls[k] = NULL;
	}
	graphjson_batch_release(&b);
	unanswered(g, t);
}

void graph_finish(struct graph *g, struct graph_transfer *t, CURLcode res)
{
	long status = 0;

	if (res != CURLE_OK) {
		transport_failed(g, t, res);
		return;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (t->is_batch)
		finish_batch(g, t, status);
	else
		judge_all(g, t, status);
}
