/*
 * graph: the HTTP client of Microsoft Graph (libcurl stays in here).
 *
 * Callers queue requests (graph_submit) and let graph_run() carry them
 * out; each request ends in exactly one call of its done() callback, with
 * the answer or with a failure. In between, graph does what Graph's
 * throttling guidance asks of a client:
 *
 * - One libcurl multi handle: connections are kept alive and reused, and
 *   at most `jobs` HTTP requests are in flight at once; beyond them,
 *   up to GRAPH_FULL_PER_JOB times `jobs` while full batches wait (below),
 *   and jobs times GRAPH_SINGLES_PER_JOB once batches are refused.
 * - Requests that may be batched travel in POST {base_url}/$batch, at
 *   most GRAPH_BATCH_MAX per batch, all with the same token; answers are
 *   matched to requests by id, in whatever order they come. A server
 *   that refuses the envelope itself (HTTP 400, 404, 405 or 501, as one
 *   without JSON batching does) gets every request on its own from then
 *   on, with one warning, and GRAPH_SINGLES_PER_JOB of them in flight
 *   for each job: Graph carries out four items of a batch at a time, so
 *   a job keeps about as many requests going either way. For the same
 *   reason a batch of 20 takes Graph about five round trips: while 20
 *   requests that may travel together wait behind `jobs` batches, a full
 *   batch of them starts too, up to GRAPH_FULL_PER_JOB times `jobs`. It
 *   asks a server nothing more per request; a partial batch waits.
 * - No mailbox ever has more than GRAPH_PER_MAILBOX requests in flight,
 *   counting every request inside in-flight batches (Outlook's limit is
 *   four concurrent requests per app and mailbox).
 * - 429, 502, 503 and 504, whole or inside a batch, are retried after
 *   Retry-After (seconds, fractions rounded up, or an HTTP date), else
 *   after an exponential backoff with jitter; a broken connection or a
 *   timeout likewise. Attempts and the total wait of a request are
 *   bounded (graph_settings). An untrusted certificate is not retried.
 * - 401: the token is renewed (graph_token_fn with renew) and the
 *   request sent again. A second 401 is a failure, unless Graph had
 *   accepted the refused token for other requests (it expired in use,
 *   while this request was out): then the request goes again with the
 *   newest token, a few times at most.
 * - Any other answer outside 2xx is a failure of that request alone.
 *
 * Security: certificates and host names are always verified; ca_file
 * replaces the system's CAs. http:// is accepted only for the loopback
 * (tests). Redirects are not followed, and an @odata.nextLink is only
 * followed on the origin of base_url, so the token never leaves for
 * another host. Tokens never appear in messages; request headers are
 * never logged.
 *
 * Failure messages name the request and the answer, never the token:
 * "GET /users/42/calendarView: HTTP 404 MailboxNotEnabledForRESTAPI: The
 * mailbox is either inactive, soft-deleted, or is hosted on-premise."
 * The caller adds whose request it was.
 *
 * Threads: one struct graph per thread. The program calls
 * curl_global_init() once before opening one (cmd/digest.c does).
 */
#ifndef DIGEST_GRAPH_H
#define DIGEST_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"
#include "strbuf.h"

#define GRAPH_BATCH_MAX 20
#define GRAPH_PER_MAILBOX 4
#define GRAPH_SINGLES_PER_JOB 4
#define GRAPH_FULL_PER_JOB 2

/* Largest answer accepted; a page of 100 events is far below it. */
#define GRAPH_BODY_MAX ((size_t)64 << 20)

struct graph_settings {
	const char *base_url; /* "https://graph.microsoft.com/v1.0" */
	const char *ca_file;  /* PEM bundle, or NULL: the system's CAs */
	long timeout;	      /* seconds per request; 0: 30 */
	int jobs;	      /* HTTP requests in flight (above); 0: 8 */
	int max_attempts;     /* sends of one request; 0: 6 */
	long backoff_ms;      /* first backoff without Retry-After; 0: 1000 */
	long max_backoff_ms;  /* cap of one backoff; 0: 32000 */
	long max_wait_ms;     /* total wait of one request; 0: 300000 */
};

#define GRAPH_SETTINGS_INIT                                                    \
	{                                                                      \
		.base_url = NULL, .ca_file = NULL, .timeout = 0, .jobs = 0,    \
		.max_attempts = 0, .backoff_ms = 0, .max_backoff_ms = 0,       \
		.max_wait_ms = 0                                               \
	}

/* The [graph] keys of cfg as settings (borrowing cfg's strings). */
void graph_settings_of(const struct config *cfg, int jobs,
		       struct graph_settings *out);

/*
 * Where bearer tokens come from (core/auth.c). who is the caller's name
 * for an identity (0 for the app; one per user in delegated mode). Put
 * the token in *token (borrowed, valid until the next call for who).
 * renew: the last token was refused with 401; get a new one. On failure
 * err says why without the token, and every request of who fails so.
 */
typedef int graph_token_fn(void *ctx, int who, bool renew, const char **token,
			   struct dg_err *err);

struct graphjson_value;

struct graph_result {
	int rc;		  /* 0: a 2xx answer; else a DG_E* code */
	long status;	  /* HTTP status of the answer, 0 if there was none */
	/*
	 * An answer that came inside a $batch, parsed with it: read it with
	 * the graphjson_*_value() functions (body is then "", len 0). NULL:
	 * the answer is body (a direct request, or a string body).
	 */
	const struct graphjson_value *json;
	const char *body; /* the answer's body, NUL-terminated */
	size_t len;
	const char *code; /* rc != 0: Graph's error.code, or NULL */
	const char *msg;  /* rc != 0: what failed, see above */
	const char *what; /* "GET /users/42/calendarView", for messages */
};

/*
 * Called once per request, from inside graph_run(). r and what it points
 * to are borrowed for the duration of the call. The callback may submit
 * more requests (the next page): they run in the same graph_run().
 */
typedef void graph_done_fn(void *arg, const struct graph_result *r);

struct graph_request {
	const char *method; /* "GET" or "POST"; only GET goes in batches */
	/*
	 * "/users/42/mailboxSettings": relative to base_url; or an absolute
	 * @odata.nextLink, followed verbatim (never re-encoded).
	 */
	const char *url;
	const char *prefer; /* a Prefer header's value, or NULL */
	int who;	    /* whose token, see graph_token_fn */
	int mailbox;	    /* a handle of graph_mailbox(), or -1 */
	bool batch;	    /* may travel in a $batch */
	graph_done_fn *done;
	void *arg;
};

struct graph;

/*
 * Open a client (nothing is sent yet). DG_EINVAL names a setting that
 * cannot work (a base_url that is not https:// nor loopback http://).
 * *out is yours: graph_close() it.
 */
int graph_open(const struct graph_settings *s, struct graph **out,
	       struct dg_err *err) __attribute__((warn_unused_result));

/* Free g, abandoning queued requests without calling them. NULL: no-op. */
void graph_close(struct graph *g);

/* Install the token source. Without one, requests carry no token. */
void graph_set_tokens(struct graph *g, graph_token_fn *fn, void *ctx);

/* Called after each answer and each wait, to show progress. */
void graph_set_tick(struct graph *g, void (*fn)(void *ctx), void *ctx);

/* A new mailbox for per-mailbox limits; *handle goes in requests. */
int graph_mailbox(struct graph *g, int *handle, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Queue a copy of rq. DG_EINVAL (nothing queued, done() not called) for
 * an absolute URL outside base_url's origin or with control characters.
 */
int graph_submit(struct graph *g, const struct graph_request *rq,
		 struct dg_err *err) __attribute__((warn_unused_result));

/*
 * Carry out every queued request, and those their callbacks add, until
 * none is left. Failures of requests go to their callbacks; the return
 * value is nonzero only when graph itself failed (out of memory, libcurl
 * broken): then requests may be left uncalled.
 */
int graph_run(struct graph *g, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * One step of graph_run(): start what may start, wait for an answer (at
 * most a short poll interval), and call the callbacks of the requests
 * that ended. For a caller that interleaves its own work with the
 * fetches (the streaming run). Returns as graph_run().
 */
int graph_run_some(struct graph *g, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Whether requests are queued or in flight. */
bool graph_busy(const struct graph *g);

/*
 * End the wait of a graph_run_some() in progress or the next one at once,
 * from any thread (curl_multi_wakeup()): another thread has work for the
 * caller's loop. The only function of this API another thread may call.
 */
void graph_wakeup(struct graph *g);

/*
 * GET one URL (relative or a nextLink) with who's token, run until it is
 * answered, and append a 2xx body to body. Other answers fail with the
 * message of graph_result; 404 is DG_ENOTFOUND, 401 and 403 DG_EPERM.
 * Must not be called from a done() callback.
 */
int graph_get(struct graph *g, int who, const char *url, const char *prefer,
	      struct strbuf *body, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * One page of a paged answer: parse body[0..len) into what ctx holds and
 * set *next to the page after it (yours; NULL: none, or none wanted).
 */
typedef int graph_page_fn(const char *body, size_t len, void *ctx,
			  char **next, struct dg_err *err);

/*
 * GET url with who's token and every page after it, as page() names them
 * (Graph's @odata.nextLink), handing each answer to page(). Stops at the
 * first failure, of a request (as graph_get()) or of page(). Must not be
 * called from a done() callback.
 */
int graph_get_pages(struct graph *g, int who, const char *url,
		    graph_page_fn *page, void *ctx, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * POST a form (application/x-www-form-urlencoded) to an absolute URL and
 * wait for the answer, whatever its status: *status and body receive it.
 * For the token endpoint, which answers errors as JSON with 400; form is
 * not kept or shown anywhere (it may hold a secret). No answer is DG_ENET
 * naming the URL, or DG_EPERM when the server's certificate is not
 * trusted (trying again would not help).
 */
int graph_post_form(struct graph *g, const char *url, const char *form,
		    long *status, struct strbuf *body, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Append s to out, percent-encoded for a query value or a form field
 * (everything but unreserved characters).
 */
int graph_escape(const char *s, struct strbuf *out)
	__attribute__((warn_unused_result));

/*
 * Append "/groups?$filter=<field> eq '<value>'&$select=id,mail,
 * displayName" to url, the value OData-quoted (a quote doubled) and
 * percent-encoded: how a list is found by its mail or its name.
 */
int graph_groups_where(const char *field, const char *value,
		       struct strbuf *url)
	__attribute__((warn_unused_result));

/* Counters since graph_open(), for progress lines. */
struct graph_stats {
	size_t requests;  /* Graph requests sent, batched ones included */
	size_t batches;	  /* $batch POSTs */
	size_t throttled; /* 429/503/504 answers, batched ones included */
	size_t retries;	  /* requests sent again */
};

void graph_get_stats(const struct graph *g, struct graph_stats *out);

#endif
