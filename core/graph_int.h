/*
 * graph_int: what graph.c (the transfers, the loop) shares with
 * graph_queue.c (the queue and what goes next) and graph_answer.c (what
 * an answer means: success, retry or failure). Only the graph module
 * includes it.
 */
#ifndef DIGEST_GRAPH_INT_H
#define DIGEST_GRAPH_INT_H

#include <curl/curl.h>
#include <stdint.h>

#include "graph.h"
#include "graphjson.h"

/* A request meets this many 401s at most (see graph_answer.c's renew()). */
#define GRAPH_RENEW_MAX 4

/* A broken connection or a timeout is tried this often, at most. */
#define GRAPH_TRANSPORT_ATTEMPTS 3

/*
 * The last token a renewal got for who, known by a hash (no copy of a
 * secret is kept), and whether Graph has answered 2xx to it: a slot per
 * who, modulo GRAPH_PROOFS (two identities in one slot cost at most a
 * renewal more).
 */
#define GRAPH_PROOFS 64
struct graph_proof {
	int who;
	bool set;
	bool accepted;
	unsigned char hash[16];
};

/* One request as the caller queued it, until its done() is called. */
struct graph_call {
	struct graph_call *next; /* in the queue */
	char *method;
	char *url;	 /* as given: relative, or an absolute nextLink */
	const char *rel; /* the part after base_url, for a batch; or NULL */
	char *prefer;
	int who;
	int mailbox;
	bool batch;
	int renewals;	    /* 401s it met */
	int attempts;	    /* sends so far */
	int64_t waited_ms;  /* time spent waiting to retry */
	int64_t not_before; /* monotonic ms: not sent before */
	graph_done_fn *done;
	void *arg;
};

/* One HTTP request in flight: a direct request, or a $batch. */
struct graph_transfer {
	CURL *easy;
	bool busy;
	bool is_batch;
	bool too_big; /* the answer passed GRAPH_BODY_MAX */
	struct curl_slist *headers;
	struct strbuf req;  /* the $batch body */
	struct strbuf body; /* the answer */
	char *retry_after;  /* the answer's Retry-After, or NULL */
	char *token;	    /* the token sent: tells a renewed one apart */
	struct graph_call *calls[GRAPH_BATCH_MAX];
	size_t ncalls;
	char errbuf[CURL_ERROR_SIZE];
};

struct graph {
	char *base_url;	   /* without a trailing slash */
	size_t origin_len; /* of "scheme://host:port" in base_url */
	char *ca_file;
	bool allow_http; /* base_url is loopback http:// */
	long timeout;
	int jobs; /* HTTP requests in flight while batches are taken,
		   * GRAPH_FULL_PER_JOB times that for full batches */
	int max_attempts;
	long backoff_ms, max_backoff_ms, max_wait_ms;

	CURLM *multi;
	CURL *login; /* graph_post_form's own handle, kept alive */
	/* parses every $batch answer, kept from answer to answer */
	struct graphjson_reader *reader;
	struct graph_transfer *xfers; /* graph_nxfers() of them */
	int running;

	struct graph_call *head, *tail; /* the queue, oldest first */
	size_t queued;			/* calls in it */
	unsigned *inflight;		/* per mailbox handle */
	size_t nmailboxes;

	graph_token_fn *token_fn;
	void *token_ctx;
	void (*tick)(void *ctx);
	void *tick_ctx;
	struct graph_stats stats;
	/* renewed tokens and whether Graph took them, see renew() */
	struct graph_proof proofs[GRAPH_PROOFS];
	bool in_run;
	/*
	 * The server refused a $batch envelope (HTTP 400, 404, 405 or 501:
	 * a Graph-like server without JSON batching): from then on every
	 * call goes on its own.
	 */
	bool no_batch;
};

/* Transfers made: the most ever in flight (requests on their own). */
static inline int graph_nxfers(const struct graph *g)
{
	return g->jobs * GRAPH_SINGLES_PER_JOB;
}

/* ---- graph_queue.c ---- */

/* Put c at the end of the queue. */
void graph_enqueue(struct graph *g, struct graph_call *c);

/*
 * Fill t with the oldest call that may go now and, when it may travel in
 * a batch, with more such calls of the same token; false when none may.
 * Each call taken counts against its mailbox. *next_due is lowered to
 * the earliest time a waiting call becomes due.
 */
bool graph_pick(struct graph *g, int64_t now, struct graph_transfer *t,
		int64_t *next_due);

/* t's calls no longer count against their mailboxes (t is done). */
void graph_release_mailboxes(struct graph *g, struct graph_transfer *t);

/*
 * Put t's calls back at the head of the queue, in their order, released
 * from their mailboxes; t then holds none.
 */
void graph_unpick(struct graph *g, struct graph_transfer *t);

/*
 * How many calls a transfer started now must carry: 1 while fewer than
 * `jobs` are in flight (four times that once batches are refused),
 * GRAPH_BATCH_MAX past `jobs` (graph.h), 0 when none may start.
 */
size_t graph_start_needs(const struct graph *g);

/* ---- graph_url.c ---- */

/* Length of "scheme://authority" at the start of url; 0 if none. */
size_t graph_origin_len(const char *url);

/* http:// to 127.0.0.1, localhost or [::1] (tests' servers). */
bool graph_loopback_http(const char *url);

/* https://, or http:// to the loopback only. */
bool graph_url_allowed(const char *url);

/* A space or a control character, which no URL of ours may hold. */
bool graph_has_controls(const char *s);

/* ---- graph.c, for graph_wait.c's form POST ---- */

/* The options every request of ours carries, secure ones first. */
CURLcode graph_common_options(const struct graph *g, CURL *h, const char *url);

/* libcurl's write callback: the answer into ((graph_transfer *)arg)->body. */
size_t graph_on_body(char *data, size_t size, size_t n, void *arg);

/* ---- graph.c ---- */

/*
 * A libcurl failure that trying again cannot mend: an untrusted or
 * unreadable certificate, a URL or protocol refused.
 */
bool graph_curl_lasting(CURLcode res);

/* Milliseconds of a monotonic clock. */
int64_t graph_now_ms(void);

/* Free c (after its done() was called, or when abandoned). */
void graph_call_free(struct graph_call *c);

/*
 * Judge the answer of a finished transfer t (libcurl's result res) and
 * move each of its calls on: done() with success or failure (out of
 * memory included), or back into the queue to be sent again.
 */
void graph_finish(struct graph *g, struct graph_transfer *t, CURLcode res);

/* Fail every call of t with rc and msg (a token that could not be had). */
void graph_fail_all(struct graph *g, struct graph_transfer *t, int rc,
		    const char *msg);

#endif
