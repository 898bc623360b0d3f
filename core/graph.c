/*
 * graph: the queue of requests, the transfers in flight and the libcurl
 * multi loop. What an answer means is graph_answer.c's business, what a
 * URL may be graph_url.c's, a request waited for graph_wait.c's.
 */
#include "graph.h"
#include "graph_int.h"
#include "graphjson.h"
#include "interrupt.h"
#include "secret.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define GRAPH_USER_AGENT "digest/" DIGEST_VERSION

/* The longest libcurl sleeps while requests wait: progress keeps moving. */
#define GRAPH_POLL_MS 1000

bool graph_curl_lasting(CURLcode res)
{
	switch (res) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return true;
	default:
		return false;
	}
}

int64_t graph_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void graph_settings_of(const struct config *cfg, int jobs,
		       struct graph_settings *out)
{
	struct graph_settings s = GRAPH_SETTINGS_INIT;

	s.base_url = cfg->graph.base_url;
	s.ca_file = cfg->graph.ca_file;
	s.timeout = cfg->graph.timeout;
	s.jobs = jobs;
	*out = s;
}

static long or_default(long v, long dflt)
{
	return v > 0 ? v : dflt;
}

static int settings_copy(struct graph *g, const struct graph_settings *s,
			 struct dg_err *err)
{
	const char *base = s->base_url;
	size_t len;

	if (!base || !graph_url_allowed(base) || !graph_origin_len(base) ||
	    graph_has_controls(base))
		return dg_errf(err, DG_EINVAL,
			       "[graph] base_url %s must "
			       "start with https:// (http:// only for "
			       "127.0.0.1, localhost and [::1])",
			       base ? base : "(unset)");
	len = strlen(base);
	while (len && base[len - 1] == '/')
		len--;
	g->base_url = strndup(base, len);
	g->ca_file = s->ca_file ? strdup(s->ca_file) : NULL;
	if (!g->base_url || (s->ca_file && !g->ca_file))
		return dg_errf(err, DG_ENOMEM, "out of memory");
	g->origin_len = graph_origin_len(g->base_url);
	g->allow_http = graph_loopback_http(base);
	g->timeout = or_default(s->timeout, 30);
	g->jobs = (int)or_default(s->jobs, 8);
	g->max_attempts = (int)or_default(s->max_attempts, 6);
	g->backoff_ms = or_default(s->backoff_ms, 1000);
	g->max_backoff_ms = or_default(s->max_backoff_ms, 32000);
	g->max_wait_ms = or_default(s->max_wait_ms, 300000);
	return 0;
}

int graph_open(const struct graph_settings *s, struct graph **out,
	       struct dg_err *err)
{
	struct graph *g = calloc(1, sizeof(*g));
	int rc, i;

	*out = NULL;
	if (!g)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = settings_copy(g, s, err);
	if (!rc) {
		g->xfers = calloc((size_t)graph_nxfers(g), sizeof(*g->xfers));
		g->multi = curl_multi_init();
		g->login = curl_easy_init();
		if (!g->xfers || !g->multi || !g->login)
			rc = dg_errf(err, DG_ENOMEM, "cannot start libcurl");
	}
	if (!rc)
		rc = graphjson_reader_new(&g->reader, err);
	for (i = 0; !rc && i < graph_nxfers(g); i++) {
		g->xfers[i].easy = curl_easy_init();
		strbuf_init(&g->xfers[i].req, GRAPH_BODY_MAX);
		strbuf_init(&g->xfers[i].body, GRAPH_BODY_MAX);
		if (!g->xfers[i].easy)
			rc = dg_errf(err, DG_ENOMEM, "cannot start libcurl");
	}
	/* One connection per request in flight, each kept for reuse. */
	if (!rc &&
	    (curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			       (long)graph_nxfers(g)) ||
	     curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS,
			       (long)graph_nxfers(g))))
		rc = dg_errf(err, DG_EINTERNAL,
			     "libcurl refused the "
			     "connection limits");
	if (rc) {
		graph_close(g);
		return rc;
	}
	*out = g;
	return 0;
}

void graph_call_free(struct graph_call *c)
{
	if (!c)
		return;
	free(c->method);
	free(c->url);
	free(c->prefer);
	free(c);
}

/*
 * A buffer that held at most this much is kept for the transfer's next
 * request and answer, so that a $batch answer of a few hundred KB is not
 * grown again from nothing (and copied at each step) every time; a
 * larger one is freed, so idle transfers hold little.
 */
#define GRAPH_KEEP_BUFFER ((size_t)1 << 20)

static void buffer_done(struct strbuf *sb)
{
	if (sb->len > GRAPH_KEEP_BUFFER)
		strbuf_release(sb);
	else
		strbuf_reset(sb);
}

/* Forget what t carried; its calls are the caller's business. */
static void transfer_reset(struct graph_transfer *t)
{
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	buffer_done(&t->req);
	buffer_done(&t->body);
	free(t->retry_after);
	t->retry_after = NULL;
	secret_wipe(t->token);
	t->token = NULL;
	t->ncalls = 0;
	t->busy = false;
	t->is_batch = false;
	t->too_big = false;
	t->errbuf[0] = '\0';
}

void graph_close(struct graph *g)
{
	struct graph_call *c, *next;
	size_t j;
	int i;

	if (!g)
		return;
	for (i = 0; g->xfers && i < graph_nxfers(g); i++) {
		struct graph_transfer *t = &g->xfers[i];

		if (t->busy)
			curl_multi_remove_handle(g->multi, t->easy);
		for (j = 0; j < t->ncalls; j++)
			graph_call_free(t->calls[j]);
		transfer_reset(t);
		strbuf_release(&t->req);
		strbuf_release(&t->body);
		curl_easy_cleanup(t->easy);
	}
	for (c = g->head; c; c = next) {
		next = c->next;
		graph_call_free(c);
	}
	free(g->xfers);
	curl_multi_cleanup(g->multi);
	curl_easy_cleanup(g->login);
	graphjson_reader_free(g->reader);
	free(g->inflight);
	free(g->base_url);
	free(g->ca_file);
	free(g);
}

void graph_set_tokens(struct graph *g, graph_token_fn *fn, void *ctx)
{
	g->token_fn = fn;
	g->token_ctx = ctx;
}

void graph_set_tick(struct graph *g, void (*fn)(void *ctx), void *ctx)
{
	g->tick = fn;
	g->tick_ctx = ctx;
}

void graph_get_stats(const struct graph *g, struct graph_stats *out)
{
	*out = g->stats;
}

int graph_mailbox(struct graph *g, int *handle, struct dg_err *err)
{
	unsigned *v = realloc(g->inflight, (g->nmailboxes + 1) * sizeof(*v));

	if (!v)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	v[g->nmailboxes] = 0;
	g->inflight = v;
	*handle = (int)g->nmailboxes++;
	return 0;
}

/*
 * An absolute URL must stay on base_url's origin: a nextLink elsewhere
 * would carry our token to a host we never chose.
 */
static int check_url(const struct graph *g, const char *url, struct dg_err *err)
{
	size_t n = graph_origin_len(url);

	if (graph_has_controls(url))
		return dg_errf(err, DG_EINVAL,
			       "a request URL holds a space "
			       "or a control character");
	if (url[0] == '/')
		return 0;
	if (n != g->origin_len || strncasecmp(url, g->base_url, n))
		return dg_errf(err, DG_EINVAL,
			       "a nextLink leads away from "
			       "%.*s; it is not followed",
			       (int)g->origin_len, g->base_url);
	return 0;
}

/* The part of url after base_url, when it can go in a batch. */
static const char *relative_part(const struct graph *g, const char *url)
{
	size_t n = strlen(g->base_url);

	if (url[0] == '/')
		return url;
	if (!strncmp(url, g->base_url, n) && url[n] == '/')
		return url + n;
	return NULL;
}

int graph_submit(struct graph *g, const struct graph_request *rq,
		 struct dg_err *err)
{
	struct graph_call *c;
	int rc;

	rc = check_url(g, rq->url, err);
	if (rc)
		return rc;
	if (rq->mailbox >= (int)g->nmailboxes)
		return dg_errf(err, DG_EINTERNAL, "no such mailbox handle");
	c = calloc(1, sizeof(*c));
	if (!c)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	c->method = strdup(rq->method);
	c->url = strdup(rq->url);
	c->prefer = rq->prefer ? strdup(rq->prefer) : NULL;
	if (!c->method || !c->url || (rq->prefer && !c->prefer)) {
		graph_call_free(c);
		return dg_errf(err, DG_ENOMEM, "out of memory");
	}
	c->rel = relative_part(g, c->url);
	c->who = rq->who;
	c->mailbox = rq->mailbox;
	c->batch = rq->batch && !strcmp(rq->method, "GET") && c->rel;
	c->done = rq->done;
	c->arg = rq->arg;
	graph_enqueue(g, c);
	return 0;
}

/* ---- starting a transfer ------------------------------------------- */

/*
 * An answer that says how long it is gets its room at once, not by
 * doubling (each step a copy) as it arrives. At most GRAPH_KEEP_BUFFER:
 * a length that lies, or an answer that large, makes no larger buffer
 * than one kept between transfers, and what passes it grows as before.
 * A length that lies short only makes the buffer grow later. Called on
 * an answer's first bytes.
 */
static void presize(struct graph_transfer *t)
{
	curl_off_t len = -1;
	size_t want;

	if (!t->easy ||
	    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
			      &len) != CURLE_OK ||
	    len <= 0)
		return;
	want = (uint64_t)len < GRAPH_KEEP_BUFFER ? (size_t)len
						   : GRAPH_KEEP_BUFFER;
	/*
	 * Without the room (no memory), the buffer is left empty, as after
	 * strbuf_init(), and the answer is read as it would be anyway.
	 */
	if (strbuf_grow(&t->body, want))
		return;
}

size_t graph_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct graph_transfer *t = arg;

	if (!t->body.len)
		presize(t);
	if (strbuf_add(&t->body, data, size * n)) {
		t->too_big = true;
		return 0;
	}
	return size * n;
}

/* Keep Retry-After of the final answer; nothing else is looked at. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	static const char name[] = "retry-after:";
	struct graph_transfer *t = arg;
	size_t len = size * n, skip = sizeof(name) - 1;

	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		free(t->retry_after);
		t->retry_after = NULL;
	}
	if (len <= skip || strncasecmp(data, name, skip))
		return len;
	while (skip < len && (data[skip] == ' ' || data[skip] == '\t'))
		skip++;
	while (len > skip && strchr(" \t\r\n", data[len - 1]))
		len--;
	free(t->retry_after);
	t->retry_after = strndup(data + skip, len - skip);
	return size * n;
}

/* The options every request of ours carries, secure ones first. */
CURLcode graph_common_options(const struct graph *g, CURL *h, const char *url)
{
	long connect = g->timeout < 10 ? g->timeout : 10;
	CURLcode rc;

	rc = curl_easy_setopt(h, CURLOPT_URL, url);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
				      g->allow_http ? "http,https" : "https");
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!rc && g->ca_file)
		rc = curl_easy_setopt(h, CURLOPT_CAINFO, g->ca_file);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_TIMEOUT, g->timeout);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, connect);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_USERAGENT, GRAPH_USER_AGENT);
	return rc;
}

static int add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *l = curl_slist_append(*list, line);

	if (!l)
		return DG_ENOMEM;
	*list = l;
	return 0;
}

/* "Name: value" into the header list; the strbuf is wiped after. */
static int add_headerf(struct curl_slist **list, const char *name,
		       const char *value)
{
	struct strbuf line = STRBUF_INIT;
	int rc = strbuf_addf(&line, "%s: %s", name, value);

	if (!rc)
		rc = add_header(list, line.buf);
	sodium_memzero(line.buf, line.len);
	strbuf_release(&line);
	return rc;
}

static int batch_body(struct graph_transfer *t, struct dg_err *err)
{
	struct graphjson_subrequest v[GRAPH_BATCH_MAX];
	char ids[GRAPH_BATCH_MAX][24];
	size_t i;

	for (i = 0; i < t->ncalls; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%zu", i + 1);
		v[i].id = ids[i];
		v[i].method = t->calls[i]->method;
		v[i].url = t->calls[i]->rel;
		v[i].prefer = t->calls[i]->prefer;
	}
	return graphjson_batch_request(v, t->ncalls, &t->req, err);
}

/* The token of who into an Authorization header, kept to compare. */
static int authorize(struct graph *g, struct graph_transfer *t, int who,
		     struct dg_err *err)
{
	struct strbuf v = STRBUF_INIT;
	const char *token;
	int rc;

	if (!g->token_fn)
		return 0;
	rc = g->token_fn(g->token_ctx, who, false, &token, err);
	if (rc)
		return rc;
	t->token = strdup(token);
	if (!t->token)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	rc = strbuf_addf(&v, "Bearer %s", token);
	if (!rc)
		rc = add_headerf(&t->headers, "Authorization", v.buf);
	sodium_memzero(v.buf, v.len);
	strbuf_release(&v);
	return rc ? dg_errf(err, rc, "out of memory") : 0;
}

static int build_url(const struct graph *g, const struct graph_transfer *t,
		     struct strbuf *url)
{
	const struct graph_call *c = t->calls[0];

	if (t->is_batch)
		return strbuf_addf(url, "%s/$batch", g->base_url);
	if (c->url[0] == '/')
		return strbuf_addf(url, "%s%s", g->base_url, c->url);
	return strbuf_addstr(url, c->url);
}

static int request_options(struct graph *g, struct graph_transfer *t,
			   const char *url)
{
	CURL *h = t->easy;
	const struct graph_call *c = t->calls[0];
	CURLcode rc;

	curl_easy_reset(h);
	rc = graph_common_options(g, h, url);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, graph_on_body);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_PRIVATE, t);
	if (!rc && t->is_batch)
		rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->req.buf);
	if (!rc && t->is_batch)
		rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)t->req.len);
	if (!rc && !t->is_batch && strcmp(c->method, "GET"))
		rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	return rc ? DG_EINTERNAL : 0;
}

/*
 * Prepare and add t (its calls picked) to the multi handle. A failure to
 * get a token fails t's calls through their callbacks and is no error of
 * graph; the return value is for graph's own failures.
 */
static int start(struct graph *g, struct graph_transfer *t, struct dg_err *err)
{
	struct strbuf url = STRBUF_INIT;
	struct dg_err why = DG_ERR_INIT;
	size_t i;
	int rc;

	t->busy = true;
	t->is_batch = t->ncalls > 1;
	rc = authorize(g, t, t->calls[0]->who, &why);
	if (rc && rc != DG_ENOMEM) {
		graph_release_mailboxes(g, t);
		graph_fail_all(g, t, rc, why.msg);
		transfer_reset(t);
		return 0;
	}
	/* No "Expect: 100-continue": it costs a round trip per batch. */
	if (!rc)
		rc = add_header(&t->headers, "Expect:");
	if (!rc)
		rc = add_header(&t->headers, "Accept: application/json");
	if (!rc && t->is_batch)
		rc = add_header(&t->headers, "Content-Type: application/json");
	if (!rc && !t->is_batch && t->calls[0]->prefer)
		rc = add_headerf(&t->headers, "Prefer", t->calls[0]->prefer);
	if (!rc && t->is_batch)
		rc = batch_body(t, err);
	if (!rc)
		rc = build_url(g, t, &url);
	if (!rc)
		rc = request_options(g, t, url.buf);
	if (!rc && curl_multi_add_handle(g->multi, t->easy))
		rc = DG_EINTERNAL;
	strbuf_release(&url);
	if (rc)
		return dg_errf(err, rc, "cannot start a request: %s",
			       dg_strerror(rc));
	for (i = 0; i < t->ncalls; i++)
		t->calls[i]->attempts++;
	g->running++;
	g->stats.requests += t->ncalls;
	g->stats.batches += t->is_batch;
	return 0;
}

static struct graph_transfer *free_transfer(struct graph *g)
{
	int i;

	for (i = 0; i < graph_nxfers(g); i++)
		if (!g->xfers[i].busy)
			return &g->xfers[i];
	return NULL;
}

/* Start what may start; *next_due: when a waiting call becomes due. */
static int dispatch(struct graph *g, int64_t *next_due, struct dg_err *err)
{
	struct graph_transfer *t;
	int64_t now = graph_now_ms();

	*next_due = INT64_MAX;
	while ((t = free_transfer(g))) {
		size_t need = graph_start_needs(g);
		bool partial;
		int rc = 0;

		if (!need || !graph_pick(g, now, t, next_due))
			break;
		/* a partial batch past `jobs` waits, like a start that failed */
		partial = t->ncalls < need;
		if (!partial)
			rc = start(g, t, err);
		if (partial || rc) {
			graph_unpick(g, t);
			transfer_reset(t);
			return rc;
		}
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------- */

static void reap(struct graph *g)
{
	struct graph_transfer *t;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(g->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
				  (char **)&t);
		curl_multi_remove_handle(g->multi, m->easy_handle);
		g->running--;
		graph_release_mailboxes(g, t);
		graph_finish(g, t, m->data.result);
		transfer_reset(t);
		if (g->tick)
			g->tick(g->tick_ctx);
	}
}

static int wait_ms(int64_t next_due)
{
	int64_t d;

	if (next_due == INT64_MAX)
		return GRAPH_POLL_MS;
	d = next_due - graph_now_ms();
	if (d < 0)
		d = 0;
	return d < GRAPH_POLL_MS ? (int)d : GRAPH_POLL_MS;
}

/* One turn of the loop: start what may start, wait, collect answers. */
static int turn(struct graph *g, struct dg_err *err)
{
	int64_t next_due;
	int still, rc;

	/*
	 * A stop leaves the calls where they are: graph_close() frees them,
	 * and the next run asks again. The poll below waits at most
	 * GRAPH_POLL_MS, and a signal ends it early.
	 */
	if (interrupt_pending())
		return dg_errf(err, DG_ESTOPPED,
			       "stopped while fetching from Graph");
	rc = dispatch(g, &next_due, err);
	if (rc)
		return rc;
	if (curl_multi_poll(g->multi, NULL, 0, wait_ms(next_due), NULL) ||
	    curl_multi_perform(g->multi, &still))
		return dg_errf(err, DG_EINTERNAL,
			       "libcurl's multi interface failed");
	reap(g);
	if (!g->running && g->tick)
		g->tick(g->tick_ctx);
	return 0;
}

int graph_run(struct graph *g, struct dg_err *err)
{
	int rc = 0;

	if (g->in_run)
		return dg_errf(err, DG_EINTERNAL,
			       "graph_run() called from "
			       "a callback");
	g->in_run = true;
	while (!rc && (g->head || g->running))
		rc = turn(g, err);
	g->in_run = false;
	return rc;
}

int graph_run_some(struct graph *g, struct dg_err *err)
{
	int rc = 0;

	if (g->in_run)
		return dg_errf(err, DG_EINTERNAL,
			       "graph_run_some() called from a callback");
	g->in_run = true;
	if (g->head || g->running)
		rc = turn(g, err);
	g->in_run = false;
	return rc;
}

void graph_wakeup(struct graph *g)
{
	curl_multi_wakeup(g->multi);
}

bool graph_busy(const struct graph *g)
{
	return g->head || g->running;
}
