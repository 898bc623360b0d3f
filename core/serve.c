#include "serve.h"
#include "serve_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "logging.h"
#include "strbuf.h"

/* One request's state, from its first callback to its completion. */
struct request {
	enum serve_route route;
	enum serve_method method;
	struct MHD_PostProcessor *pp;
	struct serve_form form;
	size_t body;
	bool refused; /* a response went out before the body was read */
};

/* A client's budget: requests counted in the current minute. */
struct budget {
	char key[64];
	int64_t minute;
	unsigned count;
};

#define BUDGETS 512 /* clients tracked at once; a full table recycles */

int64_t serve_now_ms(const struct serve *s)
{
	return s->o.now_ms ? s->o.now_ms(s->o.now_ctx) : clock_now_ms();
}

static const char *route_name(enum serve_route r)
{
	return r == SERVE_ROUTE_LINK	 ? "link"
	       : r == SERVE_ROUTE_HEALTH ? "healthz"
					 : "other";
}

/* FNV-1a: a slot for a client key; collisions only share a budget. */
static size_t slot_of(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % BUDGETS;
}

/* Count a request of client key; false when over its budget. */
static bool within_budget(struct serve *s, const char *key)
{
	struct budget *b = &s->budgets[slot_of(key)];
	/* the real clock: a fixed one (tests, replays) would never refill */
	int64_t minute = clock_now_ms() / 60000;

	if (strcmp(b->key, key) || b->minute != minute) {
		snprintf(b->key, sizeof(b->key), "%s", key);
		b->minute = minute;
		b->count = 0;
	}
	return ++b->count <= SERVE_REQUESTS_PER_MINUTE;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void client_key(struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	serve_client_key(ci ? ci->client_addr : NULL,
			 header(c, "X-Forwarded-For"), out, size);
}

/* Headers on every answer: no caching, no framing, no referrer. */
static bool add_headers(struct MHD_Response *r, const char *type)
{
	static const char *const h[][2] = {
		{"Cache-Control", "no-store"},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "no-referrer"},
		{"X-Frame-Options", "DENY"},
		{"Content-Security-Policy",
		 "default-src 'none'; style-src 'unsafe-inline'; "
		 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	};

	for (size_t i = 0; i < sizeof(h) / sizeof(*h); i++)
		if (MHD_add_response_header(r, h[i][0], h[i][1]) != MHD_YES)
			return false;
	return MHD_add_response_header(r, "Content-Type", type) == MHD_YES;
}

enum MHD_Result serve_respond(struct MHD_Connection *c, unsigned status,
			      const char *type, const struct strbuf *body,
			      const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		body->len, body->buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret = MHD_NO;

	if (!r)
		return MHD_NO;
	if (add_headers(r, type) &&
	    (!allow || MHD_add_response_header(r, "Allow", allow) == MHD_YES) &&
	    (status != MHD_HTTP_TOO_MANY_REQUESTS ||
	     MHD_add_response_header(r, "Retry-After", "60") == MHD_YES))
		ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status,
			     const char *text, const char *allow)
{
	struct strbuf body = STRBUF_INIT;
	enum MHD_Result ret = MHD_NO;

	if (!strbuf_addstr(&body, text))
		ret = serve_respond(c, status, "text/plain; charset=utf-8",
				    &body, allow);
	strbuf_release(&body);
	return ret;
}

static void log_answer(const struct request *q, unsigned status)
{
	static const char *const methods[] = {"OTHER", "GET", "HEAD", "POST"};

	logging_info("serve: %s %s %u", methods[q->method],
		     route_name(q->route), status);
}

/* Refuse before reading the body; the connection then closes. */
static enum MHD_Result refuse(struct serve *s, struct MHD_Connection *c,
			      struct request *q, unsigned status)
{
	q->refused = true;
	log_answer(q, status);
	return serve_page_error(s, c, status,
				status == MHD_HTTP_METHOD_NOT_ALLOWED
					? (q->route == SERVE_ROUTE_HEALTH
						   ? "GET, HEAD"
						   : "GET, HEAD, POST")
					: NULL);
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *filename,
				const char *content_type,
				const char *transfer_encoding,
				const char *data, uint64_t off, size_t size)
{
	struct request *q = cls;

	if (off > SERVE_BODY_MAX)
		q->form.bad = true;
	else
		serve_form_add(&q->form, key, data, (size_t)off, size);
	return q->form.bad ? MHD_NO : MHD_YES;
}

static bool body_too_big(struct MHD_Connection *c)
{
	const char *len = header(c, "Content-Length");
	char *end = NULL;
	unsigned long long n;

	if (!len)
		return false;
	n = strtoull(len, &end, 10);
	return *end || n > SERVE_BODY_MAX;
}

static enum MHD_Result no_ctl(void *cls, enum MHD_ValueKind kind,
			      const char *key, const char *value)
{
	bool *bad = cls;

	if ((key && strpbrk(key, "\r\n")) || (value && strpbrk(value, "\r\n")))
		*bad = true;
	return *bad ? MHD_NO : MHD_YES;
}

/*
 * A CR or LF inside a header or an argument: libmicrohttpd lets a bare
 * CR through in a value. Nothing here echoes headers, but a request
 * built to smuggle a line is refused, not half understood.
 */
static bool has_line_break(struct MHD_Connection *c)
{
	bool bad = false;

	MHD_get_connection_values(c, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND,
				  no_ctl, &bad);
	return bad;
}

/* The first call: headers are in, the body is not. */
static enum MHD_Result first_call(struct serve *s, struct MHD_Connection *c,
				  const char *url, const char *method,
				  struct request *q)
{
	char key[64];

	q->route = serve_route_of(s->path.buf, url, strlen(url));
	q->method = serve_method_of(method);
	client_key(c, key, sizeof(key));
	if (!within_budget(s, key))
		return refuse(s, c, q, MHD_HTTP_TOO_MANY_REQUESTS);
	if (has_line_break(c))
		return refuse(s, c, q, MHD_HTTP_BAD_REQUEST);
	if (q->route == SERVE_ROUTE_NONE)
		return refuse(s, c, q, MHD_HTTP_NOT_FOUND);
	if (!serve_method_allowed(q->route, q->method))
		return refuse(s, c, q, MHD_HTTP_METHOD_NOT_ALLOWED);
	if (q->method != SERVE_METHOD_POST)
		return MHD_YES;
	if (body_too_big(c))
		return refuse(s, c, q, MHD_HTTP_CONTENT_TOO_LARGE);
	q->pp = MHD_create_post_processor(c, 1024, on_field, q);
	if (!q->pp)
		return refuse(s, c, q, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct serve *s = cls;
	struct request *q = *req_cls;
	unsigned status;

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		*req_cls = q;
		return first_call(s, c, url, method, q);
	}
	if (q->refused)
		return MHD_NO; /* the body of a refused request: close */
	if (*upload_size) {
		q->body += *upload_size;
		if (q->body > SERVE_BODY_MAX)
			return refuse(s, c, q, MHD_HTTP_CONTENT_TOO_LARGE);
		if (q->pp && MHD_post_process(q->pp, upload, *upload_size) !=
				     MHD_YES)
			q->form.bad = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->route == SERVE_ROUTE_HEALTH) {
		log_answer(q, MHD_HTTP_OK);
		return plain(c, MHD_HTTP_OK, "ok\n", NULL);
	}
	status = 0;
	if (serve_link(s, c, q->method, &q->form, &status) != MHD_YES)
		return MHD_NO;
	log_answer(q, status);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *q = *req_cls;

	if (!q)
		return;
	if (q->pp)
		MHD_destroy_post_processor(q->pp);
	free(q);
	*req_cls = NULL;
}

/* libmicrohttpd's own complaints (bad requests, TLS): debug lines. */
__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct strbuf line = STRBUF_INIT;

	if (!strbuf_vaddf(&line, fmt, ap)) {
		strbuf_trim(&line);
		logging_debug("serve: libmicrohttpd: %s", line.buf);
	}
	strbuf_release(&line);
}

static int read_pem(const char *path, const char *what, struct strbuf *out,
		    struct dg_err *err)
{
	int rc = strbuf_read_file(out, path);

	if (rc)
		return dg_errf(err, DG_EIO, "cannot read [serve] %s %s (%s)",
			       what, path, dg_strerror(rc));
	return 0;
}

static int start_daemon(struct serve *s, struct dg_err *err)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	bool tls = s->cert.len > 0;

	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return dg_errf(err, DG_EINVAL,
			       "this libmicrohttpd has no TLS: serve over "
			       "HTTP behind a TLS proxy");
	if (tls)
		flags |= MHD_USE_TLS;
	s->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->addr,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_HEADERS_MAX,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)SERVE_CONNECTIONS_PER_ADDRESS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_TIMEOUT_SECONDS,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		s->cert.buf, MHD_OPTION_HTTPS_MEM_KEY, s->key.buf,
		MHD_OPTION_END);
	if (!s->d)
		return dg_errf(err, DG_EIO,
			       "cannot listen on %s: in use, not an address "
			       "of this machine, or not allowed",
			       s->o.listen);
	return 0;
}

static int check_opts(struct serve *s, struct dg_err *err)
{
	const struct serve_opts *o = &s->o;
	socklen_t len = 0;
	int rc;

	if (!o->url)
		return dg_errf(err, DG_EINVAL,
			       "serve needs [digest] unsubscribe_url: the "
			       "links it answers");
	if (!o->keys.current || !o->store || !o->templates)
		return dg_errf(err, DG_EINVAL,
			       "serve needs the unsubscribe key, the store "
			       "and the templates");
	if (!o->tls_cert_file != !o->tls_key_file)
		return dg_errf(err, DG_EINVAL,
			       "[serve] set both tls_cert_file and "
			       "tls_key_file, or neither");
	rc = serve_parse_listen(o->listen, &s->addr, &len, err);
	if (!rc)
		rc = serve_url_parts(o->url, &s->origin, &s->path, err);
	if (!rc && o->tls_cert_file)
		rc = read_pem(o->tls_cert_file, "tls_cert_file", &s->cert, err);
	if (!rc && o->tls_key_file)
		rc = read_pem(o->tls_key_file, "tls_key_file", &s->key, err);
	return rc;
}

int serve_start(const struct serve_opts *o, struct serve **out,
		struct dg_err *err)
{
	struct serve *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return dg_errf(err, DG_ENOMEM, "out of memory");
	s->o = *o;
	strbuf_init(&s->origin, 0);
	strbuf_init(&s->path, 0);
	strbuf_init(&s->cert, 0);
	strbuf_init(&s->key, 0);
	s->budgets = calloc(BUDGETS, sizeof(*s->budgets));
	rc = s->budgets ? 0 : dg_errf(err, DG_ENOMEM, "out of memory");
	if (!rc)
		rc = check_opts(s, err);
	if (!rc)
		rc = serve_pages_open(s, err);
	if (!rc)
		rc = start_daemon(s, err);
	if (rc) {
		serve_stop(s);
		return rc;
	}
	*out = s;
	return 0;
}

unsigned serve_port(const struct serve *s)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

const char *serve_link_path(const struct serve *s)
{
	return s->path.buf;
}

void serve_stop(struct serve *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	serve_pages_close(s);
	strbuf_release(&s->origin);
	strbuf_release(&s->path);
	if (s->key.len)
		memset(s->key.buf, 0, s->key.len);
	strbuf_release(&s->key);
	strbuf_release(&s->cert);
	free(s->budgets);
	free(s);
}
