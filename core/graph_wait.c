/*
 * graph: one request, waited for (graph_get, graph_get_pages), and the
 * token endpoint's form POST, which goes outside the queue on its own
 * easy handle.
 */
#include "graph.h"
#include "graph_int.h"
#include "interrupt.h"

#include <stdlib.h>
#include <string.h>

struct one {
	int rc;
	struct strbuf *body;
	struct dg_err *err;
};

static void one_done(void *arg, const struct graph_result *r)
{
	struct one *o = arg;

	o->rc = r->rc;
	if (r->rc) {
		dg_errf(o->err, r->rc, "%s", r->msg);
		return;
	}
	if (strbuf_add(o->body, r->body, r->len))
		o->rc = dg_errf(o->err, DG_ENOMEM, "out of memory");
}

int graph_get(struct graph *g, int who, const char *url, const char *prefer,
	      struct strbuf *body, struct dg_err *err)
{
	struct one o = {.rc = DG_EINTERNAL, .body = body, .err = err};
	struct graph_request rq = {
		.method = "GET",
		.url = url,
		.prefer = prefer,
		.who = who,
		.mailbox = -1,
		.batch = false,
		.done = one_done,
		.arg = &o,
	};
	int rc;

	if (g->in_run)
		return dg_errf(err, DG_EINTERNAL,
			       "graph_get() called from a "
			       "callback");
	rc = graph_submit(g, &rq, err);
	if (!rc)
		rc = graph_run(g, err);
	return rc ? rc : o.rc;
}

int graph_get_pages(struct graph *g, int who, const char *url,
		    graph_page_fn *page, void *ctx, struct dg_err *err)
{
	struct strbuf body = STRBUF_INIT;
	char *next = NULL;
	int rc;

	do {
		strbuf_reset(&body);
		rc = graph_get(g, who, next ? next : url, NULL, &body, err);
		free(next);
		next = NULL;
		if (!rc)
			rc = page(body.buf, body.len, ctx, &next, err);
	} while (!rc && next);
	free(next);
	strbuf_release(&body);
	return rc;
}

/* libcurl calls this at least once a second: a stop aborts the request. */
static int stop_progress(void *p, curl_off_t dltotal, curl_off_t dlnow,
			 curl_off_t ultotal, curl_off_t ulnow)
{
	return interrupt_pending();
}

int graph_post_form(struct graph *g, const char *url, const char *form,
		    long *status, struct strbuf *body, struct dg_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct graph_transfer t = {.easy = g->login};
	CURLcode rc;

	*status = 0;
	if (!graph_url_allowed(url) || graph_has_controls(url))
		return dg_errf(err, DG_EINVAL,
			       "%s must start with https:// "
			       "(http:// only for 127.0.0.1, localhost and "
			       "[::1])",
			       url);
	strbuf_init(&t.body, GRAPH_BODY_MAX);
	curl_easy_reset(g->login);
	rc = graph_common_options(g, g->login, url);
	if (!rc && !g->allow_http && graph_loopback_http(url))
		rc = curl_easy_setopt(g->login, CURLOPT_PROTOCOLS_STR,
				      "http,https");
	if (!rc)
		rc = curl_easy_setopt(g->login, CURLOPT_POSTFIELDS, form);
	if (!rc)
		rc = curl_easy_setopt(g->login, CURLOPT_WRITEFUNCTION, graph_on_body);
	if (!rc)
		rc = curl_easy_setopt(g->login, CURLOPT_WRITEDATA, &t);
	if (!rc)
		rc = curl_easy_setopt(g->login, CURLOPT_ERRORBUFFER, errbuf);
	if (!rc)
		rc = curl_easy_setopt(g->login, CURLOPT_NOPROGRESS, 0L);
	if (!rc)
		rc = curl_easy_setopt(g->login, CURLOPT_XFERINFOFUNCTION,
				      stop_progress);
	if (!rc)
		rc = curl_easy_perform(g->login);
	/* The form may hold a secret: libcurl keeps only the pointer. */
	curl_easy_setopt(g->login, CURLOPT_POSTFIELDS, NULL);
	if (!rc)
		curl_easy_getinfo(g->login, CURLINFO_RESPONSE_CODE, status);
	if (!rc && strbuf_addbuf(body, &t.body))
		rc = CURLE_OUT_OF_MEMORY;
	strbuf_release(&t.body);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return dg_errf(err, DG_ESTOPPED, "POST %s: stopped", url);
	if (rc)
		return dg_errf(err, graph_curl_lasting(rc) ? DG_EPERM : DG_ENET,
			       "POST %s: %s", url,
			       t.too_big   ? "the answer is too large"
			       : errbuf[0] ? errbuf
					   : curl_easy_strerror(rc));
	return 0;
}
