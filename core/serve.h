/*
 * serve: the HTTP server of `digest serve` (libmicrohttpd).
 *
 * It answers the links of each digest: the path of [digest]
 * unsubscribe_url, where the token's purpose picks the page (the
 * List-Unsubscribe link opens the unsubscribe page, the footer's link the
 * preferences page), and /healthz. Nothing else: any other path is 404,
 * any other method 405.
 *
 * On the link path, GET and HEAD only show a page; they change nothing,
 * so a mail scanner following links unsubscribes nobody. POST changes
 * state: a body "List-Unsubscribe=One-Click" (RFC 8058, url-encoded or
 * multipart) unsubscribes at once; the forms of the pages carry a form
 * token (core/linktoken.h) and must come from our own origin (Origin and
 * Sec-Fetch-Site headers, when the browser sends them). A token that does
 * not open, for any reason, gets 400 and the same page.
 *
 * Hardening: it listens on loopback unless told otherwise; one internal
 * thread polls every connection (a slow client holds no thread); request
 * headers, the body and the number of connections (in all, and per
 * client address) are capped; idle connections time out; each client
 * address has a request budget per minute (behind a proxy on loopback,
 * the address the proxy appends to X-Forwarded-For). Its log lines name
 * the method, the kind of path and the status, never a token, an email
 * address or a client address.
 *
 * Threads: every callback runs on libmicrohttpd's one polling thread, so
 * the store and the pages need no lock; the caller must not use the store
 * while the server runs.
 * Errors: 0 or a DG_E* code with *err filled.
 */
#ifndef DIGEST_SERVE_H
#define DIGEST_SERVE_H

#include <stdint.h>

#include "err.h"
#include "linktoken.h"
#include "mustache.h"
#include "store.h"

/* Limits, the same for every deployment. */
#define SERVE_BODY_MAX 4096        /* bytes of a POST body */
#define SERVE_HEADERS_MAX 16384    /* bytes of request line and headers */
#define SERVE_CONNECTIONS_MAX 128
#define SERVE_CONNECTIONS_PER_ADDRESS 16
#define SERVE_TIMEOUT_SECONDS 10   /* an idle connection is closed */
#define SERVE_REQUESTS_PER_MINUTE 60 /* per client address */

/*
 * What the preferences page shows under "what colleagues are told about
 * you": fill *out with a mustache map (the about model, see core/about.h)
 * or leave it NULL to show nothing. Called on the server's thread.
 */
typedef int serve_about_fn(const char *address, struct mustache_value **out,
			   void *ctx, struct dg_err *err);

struct serve_opts {
	const char *listen;    /* "ADDR:PORT" ("[::1]:8080"); port 0: any */
	const char *url;       /* [digest] unsubscribe_url, with {token} */
	const char *templates; /* folder holding pages/ */
	struct linktoken_keys keys;
	struct store *store;
	const char *tls_cert_file; /* both or neither: HTTPS */
	const char *tls_key_file;
	/* The clock: NULL is the real one. */
	int64_t (*now_ms)(void *ctx);
	void *now_ctx;
	serve_about_fn *about;
	void *about_ctx;
};

struct serve;

/*
 * Check o, compile the pages and start listening. DG_EINVAL for a bad
 * listen address or URL, DG_EIO when the address is taken or a TLS file
 * cannot be read. *out is yours: serve_stop() it.
 */
int serve_start(const struct serve_opts *o, struct serve **out,
		struct dg_err *err) __attribute__((warn_unused_result));

/* The port it listens on (the chosen one when the listen port was 0). */
unsigned serve_port(const struct serve *s);

/* The path it serves the links on ("/unsubscribe"); borrowed. */
const char *serve_link_path(const struct serve *s);

/* Stop listening, finish nothing more, free s. NULL is a no-op. */
void serve_stop(struct serve *s);

#endif
