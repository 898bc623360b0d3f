/*
 * serve_req: what `digest serve` reads from a request, as plain functions
 * over bytes: no socket, no libmicrohttpd, no store. Every input here
 * comes from whoever connects, so each function accepts any bytes and
 * says yes or no; the fuzzing targets call them directly.
 */
#ifndef DIGEST_SERVE_REQ_H
#define DIGEST_SERVE_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "err.h"
#include "strbuf.h"

enum serve_route {
	SERVE_ROUTE_NONE = 0, /* 404 */
	SERVE_ROUTE_LINK,     /* the path of [digest] unsubscribe_url */
	SERVE_ROUTE_HEALTH    /* /healthz */
};

enum serve_method {
	SERVE_METHOD_OTHER = 0,
	SERVE_METHOD_GET,
	SERVE_METHOD_HEAD,
	SERVE_METHOD_POST
};

/* The route of path (len bytes, no query): exact matches only. */
enum serve_route serve_route_of(const char *link_path, const char *path,
				size_t len);

enum serve_method serve_method_of(const char *method);

/* Whether route answers method: links GET, HEAD, POST; health GET, HEAD. */
bool serve_method_allowed(enum serve_route route, enum serve_method m);

/* The longest value of a form field we keep; longer makes it bad. */
#define SERVE_FIELD_MAX 96

/* The fields of the pages' forms and of the RFC 8058 one-click POST. */
struct serve_form {
	bool one_click;                   /* List-Unsubscribe=One-Click */
	char action[SERVE_FIELD_MAX + 1]; /* unsubscribe|subscribe|save */
	char form[SERVE_FIELD_MAX + 1];   /* the form token */
	char pause_until[SERVE_FIELD_MAX + 1];
	char send_at[SERVE_FIELD_MAX + 1];
	char locale[SERVE_FIELD_MAX + 1];
	char profile[SERVE_FIELD_MAX + 1];
	unsigned days;                    /* bit d: a "day" field named it */
	bool bad; /* a field too long, repeated or unknown: answer 400 */
};

#define SERVE_FORM_INIT { .one_click = false }

/*
 * Take size bytes of field key's value at offset off (libmicrohttpd's
 * post processor hands values over in pieces). Unknown fields are
 * ignored; a value past SERVE_FIELD_MAX, a repeated field or a "day" that
 * is no weekday marks the form bad. Returns false when the form is bad.
 */
bool serve_form_add(struct serve_form *f, const char *key, const char *data,
		    size_t off, size_t size);

/*
 * Split [digest] unsubscribe_url into its origin ("https://host[:port]")
 * and its path ("/unsubscribe"), appended to origin and path. DG_EINVAL
 * when it is not an absolute http(s) URL with a path.
 */
int serve_url_parts(const char *url, struct strbuf *origin,
		    struct strbuf *path, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Whether a form POST may change state: a browser's Origin header, when
 * sent, must be our origin exactly, and Sec-Fetch-Site, when sent, must
 * not be cross-site. NULL headers are absent ones.
 */
bool serve_origin_ok(const char *ours, const char *origin,
		     const char *fetch_site);

/*
 * Parse "ADDR:PORT" ("127.0.0.1:8080", "[::1]:8080", numeric only: no
 * name is looked up) into *ss and *len. DG_EINVAL otherwise.
 */
int serve_parse_listen(const char *s, struct sockaddr_storage *ss,
		       socklen_t *len, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * The client a request counts against, in out (size bytes): the peer's
 * address, or, when the peer is on loopback (a proxy on this machine) and
 * sent X-Forwarded-For, the last address of that header.
 */
void serve_client_key(const struct sockaddr *peer, const char *forwarded,
		      char *out, size_t size);

#endif
