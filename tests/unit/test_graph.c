/*
 * graph: the HTTP client against a stub server on 127.0.0.1: batching and
 * matching by id, limits in flight, retries, token renewal, failures
 * named, connections kept, URLs kept on base_url's origin.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "err.h"
#include "graph.h"
#include "interrupt.h"
#include "strbuf.h"
#include "graphjson.h"
#include "stub_http.h"

/* ---- helpers -------------------------------------------------------- */

/* What one request's callback saw. */
struct got {
	int calls;
	int rc;
	long status;
	char body[1024];
	char msg[DG_ERR_MAX];
	char code[64];
};

static void collect(void *arg, const struct graph_result *r)
{
	struct got *g = arg;

	g->calls++;
	g->rc = r->rc;
	g->status = r->status;
	snprintf(g->body, sizeof(g->body), "%.*s", (int)r->len, r->body);
	/* a batched answer comes parsed: its text is what it holds */
	if (r->json) {
		struct strbuf sb = STRBUF_INIT;

		assert_int_equal(r->len, 0);
		assert_int_equal(graphjson_value_write(r->json, &sb), 0);
		snprintf(g->body, sizeof(g->body), "%s", sb.buf);
		strbuf_release(&sb);
	}
	snprintf(g->msg, sizeof(g->msg), "%s", r->msg ? r->msg : "");
	snprintf(g->code, sizeof(g->code), "%s", r->code ? r->code : "");
}

/* The token source of the tests: "token-N" after N renewals. */
struct tokens {
	int gets, renewals, fail_rc;
	char buf[32];
};

static int token_fn(void *ctx, int who, bool renew, const char **token,
		    struct dg_err *err)
{
	struct tokens *t = ctx;

	t->gets++;
	if (t->fail_rc)
		return dg_errf(err, t->fail_rc,
			       "needs reconnect: run "
			       "'digest connect'");
	if (renew)
		t->renewals++;
	snprintf(t->buf, sizeof(t->buf), "token-%d", t->renewals);
	*token = t->buf;
	return 0;
}

/* The server side of a test: counters the handlers keep. */
struct srv {
	struct stub http;
	int mode;
	int hits;	 /* requests seen */
	int batches;	 /* $batch POSTs seen */
	int max_batch;	 /* most requests in one batch */
	int per_mailbox; /* in flight for mailbox "m", now */
	int max_per_mailbox;
	char last_target[4096];
	char last_prefer[256];
	char last_body[8192];
};

static struct srv *srv_start(stub_handler *h, int mode)
{
	struct srv *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->mode = mode;
	assert_int_equal(stub_start(&s->http, h, s), 0);
	return s;
}

static void srv_stop(struct srv *s)
{
	stub_stop(&s->http);
	free(s);
}

static struct graph *open_graph(struct srv *s, int jobs, struct tokens *t)
{
	struct graph_settings gs = GRAPH_SETTINGS_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct graph *g = NULL;

	gs.base_url = s->http.base;
	gs.jobs = jobs;
	gs.timeout = 10;
	gs.max_attempts = 3;
	gs.backoff_ms = 10;
	gs.max_backoff_ms = 40;
	gs.max_wait_ms = 10000;
	assert_int_equal(graph_open(&gs, &g, &err), 0);
	if (t)
		graph_set_tokens(g, token_fn, t);
	return g;
}

static void submit(struct graph *g, const char *url, int mailbox, bool batch,
		   struct got *got)
{
	struct dg_err err = DG_ERR_INIT;
	struct graph_request rq = {
		.method = "GET",
		.url = url,
		.prefer = NULL,
		.who = 0,
		.mailbox = mailbox,
		.batch = batch,
		.done = collect,
		.arg = got,
	};

	assert_int_equal(graph_submit(g, &rq, &err), 0);
}

static void run(struct graph *g)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(graph_run(g, &err), 0);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lock(struct srv *s)
{
	pthread_mutex_lock(&s->http.lock);
}

static void unlock(struct srv *s)
{
	pthread_mutex_unlock(&s->http.lock);
}

#define ERR_BODY(code, msg)                                                    \
	"{\"error\":{\"code\":\"" code "\",\"message\":\"" msg "\","           \
	"\"innerError\":{\"request-id\":\"r-2\"}}}"

/*
 * Answer a $batch: each request gets {"url": its url}, answers in reverse
 * order. mode 1: the request whose url ends in "/bad" gets 404; mode 2:
 * only the first answer is given; mode 3: the text is no JSON; mode 4:
 * "/slow" gets 429 with a lower-case retry-after the first time.
 */
static void answer_batch(struct srv *s, const struct stub_request *rq,
			 struct stub_response *rs)
{
	json_object *root = json_tokener_parse(rq->body), *reqs, *out, *arr;
	size_t i, n;
	static int slow_seen;

	assert_true(json_object_object_get_ex(root, "requests", &reqs));
	n = json_object_array_length(reqs);
	lock(s);
	s->batches++;
	if ((int)n > s->max_batch)
		s->max_batch = (int)n;
	snprintf(s->last_body, sizeof(s->last_body), "%s", rq->body);
	unlock(s);
	if (s->mode == 3) {
		rs->body = strdup("no json here");
		json_object_put(root);
		return;
	}
	out = json_object_new_object();
	arr = json_object_new_array();
	for (i = n; i-- > 0;) {
		json_object *r = json_object_array_get_idx(reqs, i), *id, *url;
		json_object *a, *h, *b;
		const char *u;
		int status = 200;

		if (s->mode == 2 && i)
			continue;
		json_object_object_get_ex(r, "id", &id);
		json_object_object_get_ex(r, "url", &url);
		u = json_object_get_string(url);
		a = json_object_new_object();
		h = json_object_new_object();
		if (s->mode == 1 && strstr(u, "/bad")) {
			status = 404;
			b = json_tokener_parse(
				ERR_BODY("MailboxNotEnabledForRESTAPI",
					 "The mailbox is either inactive."));
		} else if (s->mode == 4 && strstr(u, "/slow") && !slow_seen++) {
			status = 429;
			json_object_object_add(h, "retry-after",
					       json_object_new_string("1"));
			b = json_tokener_parse(
				ERR_BODY("ApplicationThrottled", "over"));
		} else {
			b = json_object_new_object();
			json_object_object_add(b, "url",
					       json_object_new_string(u));
		}
		json_object_object_add(a, "id", json_object_get(id));
		json_object_object_add(a, "status",
				       json_object_new_int(status));
		json_object_object_add(a, "headers", h);
		json_object_object_add(a, "body", b);
		json_object_array_add(arr, a);
	}
	json_object_object_add(out, "responses", arr);
	rs->body = strdup(json_object_to_json_string_ext(
		out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	json_object_put(root);
}

/* Direct requests: {"url": target}; batches as answer_batch says. */
static void echo(void *ctx, const struct stub_request *rq,
		 struct stub_response *rs)
{
	struct srv *s = ctx;

	lock(s);
	s->hits++;
	snprintf(s->last_target, sizeof(s->last_target), "%s", rq->target);
	snprintf(s->last_prefer, sizeof(s->last_prefer), "%s", rq->prefer);
	unlock(s);
	if (strstr(rq->target, "/$batch")) {
		answer_batch(s, rq, rs);
		rs->delay_ms = s->mode == 5 ? 30 : 0;
		return;
	}
	rs->body = stub_strf("{\"url\":\"%s\"}", rq->target);
	rs->delay_ms = s->mode == 5 ? 30 : s->mode == 6 ? 6000 : 0;
}

/* ---- stopping ------------------------------------------------------- */

static void *stop_soon(void *arg)
{
	struct timespec ts = {0, 200 * 1000000L};

	nanosleep(&ts, NULL);
	interrupt_request(SIGTERM);
	return NULL;
}

static void test_graph__a_stop_request_ends_a_slow_fetch_at_once(void **state)
{
	struct srv *s = srv_start(echo, 6);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct got a = {0};
	pthread_t th;
	int64_t t0;

	/* the stub answers a closed connection later: no SIGPIPE for it */
	signal(SIGPIPE, SIG_IGN);
	submit(g, "/users/u1/x", -1, false, &a);
	assert_int_equal(pthread_create(&th, NULL, stop_soon, NULL), 0);
	t0 = now_ms();
	assert_int_equal(graph_run(g, &err), DG_ESTOPPED);
	/* the answer would take 6 s; a stop is seen within a poll (1 s) */
	assert_true(now_ms() - t0 < 4000);
	assert_string_equal(err.msg, "stopped while fetching from Graph");
	/* the call was abandoned, not failed: graph_close() frees it */
	assert_int_equal(a.calls, 0);
	pthread_join(th, NULL);
	interrupt_reset();
	graph_close(g);
	srv_stop(s);
}

/* ---- batching ------------------------------------------------------- */

static void
test_graph__batches_twenty_and_matches_shuffled_answers(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct got got[30] = {0};
	char url[30][64];
	int i, mb;

	for (i = 0; i < 30; i++) {
		struct dg_err err = DG_ERR_INIT;

		assert_int_equal(graph_mailbox(g, &mb, &err), 0);
		snprintf(url[i], sizeof(url[i]), "/users/u%d/mailboxSettings",
			 i);
		submit(g, url[i], mb, true, &got[i]);
	}
	run(g);
	for (i = 0; i < 30; i++) {
		char want[256];

		snprintf(want, sizeof(want), "{\"url\":\"%.64s\"}", url[i]);
		assert_int_equal(got[i].calls, 1);
		assert_int_equal(got[i].rc, 0);
		assert_string_equal(got[i].body, want);
	}
	assert_int_equal(s->batches, 2);
	assert_int_equal(s->max_batch, 20);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__batch_carries_the_prefer_header(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct got got[2] = {0};
	struct graph_request rq = {
		.method = "GET",
		.url = "/users/a/calendarView?x=1",
		.prefer = "outlook.timezone=\"UTC\"",
		.mailbox = -1,
		.batch = true,
		.done = collect,
		.arg = &got[0],
	};

	assert_int_equal(graph_submit(g, &rq, &err), 0);
	rq.url = "/users/b/calendarView?x=1";
	rq.arg = &got[1];
	assert_int_equal(graph_submit(g, &rq, &err), 0);
	run(g);
	assert_non_null(strstr(s->last_body,
			       "\"headers\":{\"Prefer\":"
			       "\"outlook.timezone=\\\"UTC\\\"\"}"));
	assert_non_null(strstr(s->last_body, "\"url\":\"/users/a/"
					     "calendarView?x=1\""));
	graph_close(g);
	srv_stop(s);
}

static void test_graph__a_direct_request_carries_the_prefer_header(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;

	assert_int_equal(graph_get(g, 0, "/me/calendarView?a=b",
				   "outlook.timezone=\"UTC\"", &body, &err),
			 0);
	assert_string_equal(s->last_prefer, "outlook.timezone=\"UTC\"");
	assert_string_equal(s->last_target, "/v1.0/me/calendarView?a=b");
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__failure_in_a_batch_fails_that_request_alone(void **state)
{
	struct srv *s = srv_start(echo, 1);
	struct graph *g = open_graph(s, 8, NULL);
	struct got ok = {0}, bad = {0};

	submit(g, "/users/u1/mailboxSettings", -1, true, &ok);
	submit(g, "/users/u2/bad", -1, true, &bad);
	run(g);
	assert_int_equal(ok.rc, 0);
	assert_int_equal(bad.rc, DG_ENOTFOUND);
	assert_int_equal(bad.status, 404);
	assert_string_equal(bad.code, "MailboxNotEnabledForRESTAPI");
	assert_string_equal(bad.msg,
			    "GET /users/u2/bad: HTTP 404 "
			    "MailboxNotEnabledForRESTAPI: The mailbox is "
			    "either inactive. (request-id r-2)");
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__request_missing_from_a_batch_answer_goes_again(void **state)
{
	struct srv *s = srv_start(echo, 2);
	struct graph *g = open_graph(s, 8, NULL);
	struct got a = {0}, b = {0};

	submit(g, "/users/u1/x", -1, true, &a);
	submit(g, "/users/u2/x", -1, true, &b);
	run(g);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_string_equal(b.body, "{\"url\":\"/v1.0/users/u2/x\"}");
	assert_int_equal(s->batches, 1);
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__malformed_batch_answer_sends_each_request_alone(void **state)
{
	struct srv *s = srv_start(echo, 3);
	struct graph *g = open_graph(s, 8, NULL);
	struct got a = {0}, b = {0};

	submit(g, "/users/u1/x?q=1", -1, true, &a);
	submit(g, "/users/u2/x", -1, true, &b);
	run(g);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_string_equal(b.body, "{\"url\":\"/v1.0/users/u2/x\"}");
	assert_int_equal(s->batches, 1);
	assert_int_equal(s->hits, 3);
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__throttled_request_in_a_batch_waits_retry_after(void **state)
{
	struct srv *s = srv_start(echo, 4);
	struct graph *g = open_graph(s, 8, NULL);
	struct got a = {0}, b = {0};
	struct graph_stats st;
	int64_t t0 = now_ms();

	submit(g, "/users/u1/slow", -1, true, &a);
	submit(g, "/users/u2/fast", -1, true, &b);
	run(g);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_true(now_ms() - t0 >= 1000);
	graph_get_stats(g, &st);
	assert_int_equal(st.throttled, 1);
	assert_int_equal(st.retries, 1);
	assert_int_equal(st.requests, 3);
	graph_close(g);
	srv_stop(s);
}

/* ---- limits in flight ------------------------------------------------ */

/* Count requests in flight for the one mailbox all tests here use. */
static void slow_mailbox(void *ctx, const struct stub_request *rq,
			 struct stub_response *rs)
{
	struct srv *s = ctx;
	int n = 1;

	if (strstr(rq->target, "/$batch")) {
		json_object *root = json_tokener_parse(rq->body), *reqs;

		json_object_object_get_ex(root, "requests", &reqs);
		n = (int)json_object_array_length(reqs);
		json_object_put(root);
	}
	lock(s);
	s->per_mailbox += n;
	if (s->per_mailbox > s->max_per_mailbox)
		s->max_per_mailbox = s->per_mailbox;
	unlock(s);
	stub_sleep_ms(30);
	lock(s);
	s->per_mailbox -= n;
	unlock(s);
	echo(ctx, rq, rs);
}

static void test_graph__never_more_than_four_requests_per_mailbox(void **state)
{
	struct srv *s = srv_start(slow_mailbox, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct got got[12] = {0};
	int i, mb;

	assert_int_equal(graph_mailbox(g, &mb, &err), 0);
	for (i = 0; i < 12; i++)
		submit(g, "/users/m/calendarView", mb, false, &got[i]);
	run(g);
	for (i = 0; i < 12; i++)
		assert_int_equal(got[i].rc, 0);
	assert_int_equal(s->max_per_mailbox, 4);
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__batched_requests_count_against_their_mailbox(void **state)
{
	struct srv *s = srv_start(slow_mailbox, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct got got[12] = {0};
	int i, mb;

	assert_int_equal(graph_mailbox(g, &mb, &err), 0);
	for (i = 0; i < 12; i++)
		submit(g, "/users/m/calendarView", mb, true, &got[i]);
	run(g);
	for (i = 0; i < 12; i++)
		assert_int_equal(got[i].rc, 0);
	assert_int_equal(s->max_batch, 4);
	assert_int_equal(s->batches, 3);
	assert_int_equal(s->max_per_mailbox, 4);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__jobs_caps_the_requests_in_flight(void **state)
{
	struct srv *s = srv_start(echo, 5);
	struct graph *g = open_graph(s, 3, NULL);
	struct got got[10] = {0};
	int i;

	for (i = 0; i < 10; i++)
		submit(g, "/groups?x", -1, false, &got[i]);
	run(g);
	assert_int_equal(s->http.max_inflight, 3);
	assert_int_equal(s->http.requests, 10);
	graph_close(g);
	srv_stop(s);
}

/*
 * n batchable requests with one job, each batch answered after 30 ms:
 * how many batches were in flight at once, and how many went.
 */
static void batches_with_one_job(int n, int *max_inflight, int *batches)
{
	struct srv *s = srv_start(echo, 5);
	struct graph *g = open_graph(s, 1, NULL);
	struct got got[3 * GRAPH_BATCH_MAX] = {0};
	int i;

	assert_true(n <= 3 * GRAPH_BATCH_MAX);
	for (i = 0; i < n; i++)
		submit(g, "/users/u/calendarView", -1, true, &got[i]);
	run(g);
	for (i = 0; i < n; i++)
		assert_int_equal(got[i].rc, 0);
	*max_inflight = s->http.max_inflight;
	*batches = s->batches;
	graph_close(g);
	srv_stop(s);
}

/*
 * Past `jobs`, a batch starts only when it is full: 45 requests with one
 * job go as two batches of 20 at once and then the last 5; with 30, the
 * 10 left after the first batch wait for it.
 */
static void test_graph__full_batches_go_past_jobs(void **state)
{
	int inflight, batches;

	batches_with_one_job(2 * GRAPH_BATCH_MAX + 5, &inflight, &batches);
	assert_int_equal(inflight, GRAPH_FULL_PER_JOB);
	assert_int_equal(batches, 3);
	batches_with_one_job(GRAPH_BATCH_MAX + 10, &inflight, &batches);
	assert_int_equal(inflight, 1);
	assert_int_equal(batches, 2);
}

static void test_graph__keeps_one_connection_alive(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;
	int i;

	for (i = 0; i < 5; i++)
		assert_int_equal(graph_get(g, 0, "/users", NULL, &body, &err),
				 0);
	assert_int_equal(s->hits, 5);
	assert_int_equal(s->http.nconns, 1);
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

/* ---- retries ------------------------------------------------------- */

/* mode: how many 503s (or with 100: 429s) come before a 200. */
static void unavailable(void *ctx, const struct stub_request *rq,
			struct stub_response *rs)
{
	struct srv *s = ctx;
	int n;

	lock(s);
	n = ++s->hits;
	unlock(s);
	if (s->mode >= 100 && n <= s->mode - 100) {
		rs->status = 429;
		snprintf(rs->headers, sizeof(rs->headers),
			 "Retry-After: 1\r\n");
		rs->body = strdup(ERR_BODY("TooManyRequests", "slow down"));
	} else if (s->mode < 100 && n <= s->mode) {
		rs->status = 503;
		rs->body = strdup(ERR_BODY("ServiceNotAvailable", "busy"));
	} else {
		rs->body = strdup("{\"value\":[]}");
	}
}

static void test_graph__waits_retry_after_then_succeeds(void **state)
{
	struct srv *s = srv_start(unavailable, 101);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;
	struct graph_stats st;
	int64_t t0 = now_ms();

	assert_int_equal(graph_get(g, 0, "/users", NULL, &body, &err), 0);
	assert_string_equal(body.buf, "{\"value\":[]}");
	assert_true(now_ms() - t0 >= 1000);
	graph_get_stats(g, &st);
	assert_int_equal(st.throttled, 1);
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__backs_off_when_no_retry_after_is_given(void **state)
{
	struct srv *s = srv_start(unavailable, 2);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;

	assert_int_equal(graph_get(g, 0, "/users", NULL, &body, &err), 0);
	assert_int_equal(s->hits, 3);
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__gives_up_after_the_last_attempt_naming_the_error(void **state)
{
	struct srv *s = srv_start(unavailable, 99);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;

	assert_int_equal(graph_get(g, 0, "/users/u1/calendarView?a=b", NULL,
				   &body, &err),
			 DG_ENET);
	assert_string_equal(err.msg,
			    "GET /users/u1/calendarView: HTTP 503 "
			    "ServiceNotAvailable: busy (request-id r-2) "
			    "(gave up after 3 attempts)");
	assert_int_equal(s->hits, 3);
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void
test_graph__unreachable_server_is_named_after_a_few_tries(void **state)
{
	struct graph_settings gs = GRAPH_SETTINGS_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;
	struct graph *g = NULL;
	struct stub dead;
	char base[64];

	/* A port that was just free: nobody listens there now. */
	assert_int_equal(stub_start(&dead, NULL, NULL), 0);
	snprintf(base, sizeof(base), "%s", dead.base);
	stub_stop(&dead);
	gs.base_url = base;
	gs.backoff_ms = 10;
	assert_int_equal(graph_open(&gs, &g, &err), 0);
	assert_int_equal(graph_get(g, 0, "/users?$top=1", NULL, &body, &err),
			 DG_ENET);
	assert_true(!strncmp(err.msg, "GET /users: ", 12));
	assert_non_null(strstr(err.msg, "(gave up after 3 attempts)"));
	strbuf_release(&body);
	graph_close(g);
}

/* ---- tokens -------------------------------------------------------- */

/* 401 unless the token is token-<mode>. */
static void wants_token(void *ctx, const struct stub_request *rq,
			struct stub_response *rs)
{
	struct srv *s = ctx;
	char want[64];

	lock(s);
	s->hits++;
	unlock(s);
	snprintf(want, sizeof(want), "Bearer token-%d", s->mode);
	if (strcmp(rq->authorization, want)) {
		rs->status = 401;
		rs->body = strdup(ERR_BODY("InvalidAuthenticationToken",
					   "Access token has expired."));
		return;
	}
	rs->body = strdup("{}");
}

static void test_graph__renews_the_token_once_on_401(void **state)
{
	struct srv *s = srv_start(wants_token, 1);
	struct tokens t = {0};
	struct graph *g = open_graph(s, 8, &t);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;

	assert_int_equal(graph_get(g, 0, "/me", NULL, &body, &err), 0);
	assert_int_equal(t.renewals, 1);
	assert_int_equal(s->hits, 2);
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__second_401_fails_without_showing_the_token(void **state)
{
	struct srv *s = srv_start(wants_token, 7);
	struct tokens t = {0};
	struct graph *g = open_graph(s, 8, &t);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;

	assert_int_equal(graph_get(g, 0, "/me", NULL, &body, &err), DG_EPERM);
	assert_string_equal(err.msg,
			    "GET /me: HTTP 401 "
			    "InvalidAuthenticationToken: Access token has "
			    "expired. (request-id r-2)");
	assert_int_equal(t.renewals, 1);
	assert_null(strstr(err.msg, "token-"));
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

/*
 * Tokens that expire in use: token-0 is refused; every later token is
 * taken by the first request that carries it, answered after 100 ms, and
 * refused (at once) to every request after it. Two requests out at once
 * then meet a renewed token refused before the answer that took it
 * comes back.
 */
static void expires_in_use(void *ctx, const struct stub_request *rq,
			   struct stub_response *rs)
{
	struct srv *s = ctx;
	int n = -1, first = 0;

	sscanf(rq->authorization, "Bearer token-%d", &n);
	lock(s);
	s->hits++;
	if (n > 0 && n < 32 && !(s->mode & (1 << n))) {
		s->mode |= 1 << n;
		first = 1;
	}
	unlock(s);
	if (!first) {
		rs->status = 401;
		rs->body = strdup(ERR_BODY("InvalidAuthenticationToken",
					   "Lifetime validation failed, the "
					   "token is expired."));
		return;
	}
	rs->delay_ms = 100;
	rs->body = strdup("{}");
}

static void test_graph__token_expired_in_use_is_renewed_again(void **state)
{
	struct srv *s = srv_start(expires_in_use, 0);
	struct tokens t = {0};
	struct graph_settings gs = GRAPH_SETTINGS_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct graph *g = NULL;
	struct got a = {0}, b = {0};

	gs.base_url = s->http.base;
	gs.jobs = 8;
	gs.timeout = 10;
	gs.backoff_ms = 400; /* longer than the answer that takes a token */
	assert_int_equal(graph_open(&gs, &g, &err), 0);
	graph_set_tokens(g, token_fn, &t);
	submit(g, "/users/a/mailboxSettings", -1, false, &a);
	submit(g, "/users/b/mailboxSettings", -1, false, &b);
	run(g);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	/* token-1 took one, then token-2 the other: a renewal a token */
	assert_int_equal(t.renewals, 2);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__token_refused_fails_the_request_unsent(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct tokens t = {.fail_rc = DG_EPERM};
	struct graph *g = open_graph(s, 8, &t);
	struct got got = {0};

	submit(g, "/me/mailboxSettings", -1, true, &got);
	run(g);
	assert_int_equal(got.rc, DG_EPERM);
	assert_string_equal(got.msg, "GET /me/mailboxSettings: needs "
				     "reconnect: run 'digest connect'");
	assert_int_equal(s->hits, 0);
	graph_close(g);
	srv_stop(s);
}

/* ---- the answer's buffer -------------------------------------------- */

/*
 * Mode 1: an answer that says it is a terabyte and sends a few bytes;
 * mode 2: a 3 MB answer, more than the room made from its length at once.
 */
static void lengths(void *ctx, const struct stub_request *rq,
		    struct stub_response *rs)
{
	struct srv *s = ctx;
	size_t n = (size_t)3 << 20;

	(void)rq;
	s->hits++;
	if (s->mode == 1) {
		rs->body = strdup("{\"value\":[]}");
		rs->content_length = 1LL << 40;
		rs->close = 1;
		return;
	}
	if (s->mode == 2) {
		rs->body = malloc(n + 1);
		if (rs->body) {
			memset(rs->body, 'x', n);
			rs->body[n] = '\0';
		}
		return;
	}
	rs->body = strdup("{\"value\":[1]}");
}

static void test_graph__a_length_that_lies_fails_the_answer_not_the_buffer(
	void **state)
{
	struct srv *s = srv_start(lengths, 1);
	struct graph *g = open_graph(s, 1, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;
	char url[128];

	snprintf(url, sizeof(url), "%s/me/events", s->http.base);
	assert_int_not_equal(graph_get(g, 0, url, NULL, &body, &err), 0);
	assert_int_equal(body.len, 0);
	/* the same transfer, its buffer, a true answer: read whole */
	s->mode = 0;
	assert_int_equal(graph_get(g, 0, url, NULL, &body, &err), 0);
	assert_string_equal(body.buf, "{\"value\":[1]}");
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__an_answer_past_the_room_made_at_once_arrives_whole(
	void **state)
{
	struct srv *s = srv_start(lengths, 2);
	struct graph *g = open_graph(s, 1, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;
	char url[128];

	snprintf(url, sizeof(url), "%s/me/events", s->http.base);
	assert_int_equal(graph_get(g, 0, url, NULL, &body, &err), 0);
	assert_int_equal(body.len, (size_t)3 << 20);
	assert_int_equal(body.buf[0], 'x');
	assert_int_equal(body.buf[body.len - 1], 'x');
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

/* ---- URLs ------------------------------------------------------------ */

static void test_graph__follows_a_next_link_verbatim(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT, url = STRBUF_INIT;

	assert_int_equal(strbuf_addf(&url,
				     "%s/users/u1/calendarView?start"
				     "DateTime=2026-11-23T00%%3a00%%3a00Z&"
				     "%%24skip=5",
				     s->http.base),
			 0);
	assert_int_equal(graph_get(g, 0, url.buf, NULL, &body, &err), 0);
	assert_string_equal(s->last_target,
			    "/v1.0/users/u1/calendarView?"
			    "startDateTime=2026-11-23T00%3a00%3a00Z&%24skip=5");
	strbuf_release(&url);
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__refuses_a_next_link_to_another_host(void **state)
{
	struct srv *s = srv_start(echo, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct got got = {0};
	struct graph_request rq = {
		.method = "GET",
		.url = "https://evil.example.com/v1.0/users?$skiptoken=x",
		.mailbox = -1,
		.done = collect,
		.arg = &got,
	};
	char want[128];

	assert_int_equal(graph_submit(g, &rq, &err), DG_EINVAL);
	snprintf(want, sizeof(want),
		 "a nextLink leads away from "
		 "http://127.0.0.1:%d; it is not followed",
		 s->http.port);
	assert_string_equal(err.msg, want);
	assert_int_equal(got.calls, 0);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__refuses_plain_http_to_a_remote_host(void **state)
{
	struct graph_settings gs = GRAPH_SETTINGS_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct graph *g = NULL;

	gs.base_url = "http://graph.example.com/v1.0";
	assert_int_equal(graph_open(&gs, &g, &err), DG_EINVAL);
	assert_null(g);
	assert_string_equal(err.msg,
			    "[graph] base_url "
			    "http://graph.example.com/v1.0 must start with "
			    "https:// (http:// only for 127.0.0.1, localhost "
			    "and [::1])");
}

static void test_graph__escape_encodes_all_but_unreserved(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(graph_escape("mail eq 'o''b@x.com'+:~", &sb), 0);
	assert_string_equal(sb.buf,
			    "mail%20eq%20%27o%27%27b%40x.com%27%2B%3A~");
	strbuf_release(&sb);
}

/* ---- forms ----------------------------------------------------------- */

static void form_echo(void *ctx, const struct stub_request *rq,
		      struct stub_response *rs)
{
	struct srv *s = ctx;

	snprintf(s->last_body, sizeof(s->last_body), "%s", rq->body);
	snprintf(s->last_target, sizeof(s->last_target), "%s", rq->target);
	rs->status = 400;
	rs->body = strdup("{\"error\":\"authorization_pending\"}");
}

static void test_graph__post_form_returns_any_status_with_its_body(void **state)
{
	struct srv *s = srv_start(form_echo, 0);
	struct graph *g = open_graph(s, 1, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct strbuf body = STRBUF_INIT;
	char url[128];
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/t/oauth2/v2.0/token",
		 s->http.port);
	assert_int_equal(
		graph_post_form(g, url, "a=1&b=%20", &status, &body, &err), 0);
	assert_int_equal(status, 400);
	assert_string_equal(body.buf, "{\"error\":\"authorization_pending\"}");
	assert_string_equal(s->last_body, "a=1&b=%20");
	assert_string_equal(s->last_target, "/t/oauth2/v2.0/token");
	strbuf_release(&body);
	graph_close(g);
	srv_stop(s);
}

/*
 * Each answer names the page asked for ("/v1.0/pages/2"); page mode is
 * not found.
 */
static void echo_target(void *ctx, const struct stub_request *rq,
			struct stub_response *rs)
{
	struct srv *s = ctx;
	char gone[32];

	lock(s);
	s->hits++;
	unlock(s);
	snprintf(gone, sizeof(gone), "/v1.0/pages/%d", s->mode);
	if (!strcmp(rq->target, gone)) {
		rs->status = 404;
		rs->body = strdup(ERR_BODY("ResourceNotFound", "gone"));
		return;
	}
	rs->body = strdup(rq->target);
}

/* What a test's page function saw, and when it fails or stops. */
struct pages_seen {
	struct strbuf seen; /* the bodies, one per line */
	int last;	    /* the page that names no next one */
	int fail_at;	    /* the page whose parse fails; 0: none */
	int n;
};

static int page_seen(const char *body, size_t len, void *ctx, char **next,
		     struct dg_err *err)
{
	struct pages_seen *p = ctx;
	char url[32];

	p->n++;
	assert_int_equal(strbuf_add(&p->seen, body, len), 0);
	assert_int_equal(strbuf_addch(&p->seen, '\n'), 0);
	if (p->n < p->last) {
		snprintf(url, sizeof(url), "/pages/%d", p->n + 1);
		*next = strdup(url);
	}
	if (p->n == p->fail_at)
		return dg_errf(err, DG_EPARSE, "page %d is malformed", p->n);
	return 0;
}

static void
test_graph__get_pages_follows_each_next_page_to_the_last(void **state)
{
	struct srv *s = srv_start(echo_target, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct pages_seen p = {.seen = STRBUF_INIT, .last = 3};

	assert_int_equal(graph_get_pages(g, 0, "/pages/1", page_seen, &p, &err),
			 0);
	assert_string_equal(p.seen.buf,
			    "/v1.0/pages/1\n/v1.0/pages/2\n/v1.0/pages/3\n");
	assert_int_equal(s->hits, 3);
	strbuf_release(&p.seen);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__get_pages_stops_at_a_page_that_fails(void **state)
{
	struct srv *s = srv_start(echo_target, 0);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct pages_seen p = {.seen = STRBUF_INIT, .last = 5, .fail_at = 2};

	assert_int_equal(graph_get_pages(g, 0, "/pages/1", page_seen, &p, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "page 2 is malformed");
	assert_int_equal(s->hits, 2);
	strbuf_release(&p.seen);
	graph_close(g);
	srv_stop(s);
}

static void test_graph__get_pages_stops_at_a_request_that_fails(void **state)
{
	struct srv *s = srv_start(echo_target, 2);
	struct graph *g = open_graph(s, 8, NULL);
	struct dg_err err = DG_ERR_INIT;
	struct pages_seen p = {.seen = STRBUF_INIT, .last = 5};

	assert_int_equal(graph_get_pages(g, 0, "/pages/1", page_seen, &p, &err),
			 DG_ENOTFOUND);
	assert_int_equal(p.n, 1);
	assert_int_equal(s->hits, 2);
	strbuf_release(&p.seen);
	graph_close(g);
	srv_stop(s);
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_graph__a_stop_request_ends_a_slow_fetch_at_once),
		T(test_graph__batches_twenty_and_matches_shuffled_answers),
		T(test_graph__batch_carries_the_prefer_header),
		T(test_graph__a_direct_request_carries_the_prefer_header),
		T(test_graph__failure_in_a_batch_fails_that_request_alone),
		T(test_graph__request_missing_from_a_batch_answer_goes_again),
		T(test_graph__malformed_batch_answer_sends_each_request_alone),
		T(test_graph__throttled_request_in_a_batch_waits_retry_after),
		T(test_graph__never_more_than_four_requests_per_mailbox),
		T(test_graph__batched_requests_count_against_their_mailbox),
		T(test_graph__jobs_caps_the_requests_in_flight),
		T(test_graph__full_batches_go_past_jobs),
		T(test_graph__keeps_one_connection_alive),
		T(test_graph__waits_retry_after_then_succeeds),
		T(test_graph__backs_off_when_no_retry_after_is_given),
		T(test_graph__gives_up_after_the_last_attempt_naming_the_error),
		T(test_graph__unreachable_server_is_named_after_a_few_tries),
		T(test_graph__renews_the_token_once_on_401),
		T(test_graph__second_401_fails_without_showing_the_token),
		T(test_graph__token_expired_in_use_is_renewed_again),
		T(test_graph__token_refused_fails_the_request_unsent),
		T(test_graph__a_length_that_lies_fails_the_answer_not_the_buffer),
		T(test_graph__an_answer_past_the_room_made_at_once_arrives_whole),
		T(test_graph__follows_a_next_link_verbatim),
		T(test_graph__get_pages_follows_each_next_page_to_the_last),
		T(test_graph__get_pages_stops_at_a_page_that_fails),
		T(test_graph__get_pages_stops_at_a_request_that_fails),
		T(test_graph__refuses_a_next_link_to_another_host),
		T(test_graph__refuses_plain_http_to_a_remote_host),
		T(test_graph__escape_encodes_all_but_unreserved),
		T(test_graph__post_form_returns_any_status_with_its_body),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
