/*
 * stub_http: a tiny HTTP/1.1 server on 127.0.0.1 for unit tests of the
 * Graph client. One thread accepts, one thread per connection reads
 * requests (keep-alive) and hands each to the test's handler, which may
 * run in several threads at once. Not a test program itself: included by
 * test_*.c.
 */
#ifndef DIGEST_STUB_HTTP_H
#define DIGEST_STUB_HTTP_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STUB_MAX_CONNS 64

struct stub_request {
	char method[16];
	char target[4096]; /* path and query, as sent */
	char authorization[512];
	char prefer[256];
	char *body;
	size_t len;
	int conn; /* which connection it came on, from 1 */
};

struct stub_response {
	int status;
	char headers[1024]; /* extra header lines, each ending in \r\n */
	char *body;	    /* malloc'd by the handler, or NULL */
	int delay_ms;	    /* wait before answering */
	int close;	    /* close the connection after answering */
	long long content_length; /* declared, when not 0; else the body's */
};

typedef void stub_handler(void *ctx, const struct stub_request *rq,
			  struct stub_response *rs);

struct stub {
	int fd;
	int port;
	char base[64]; /* "http://127.0.0.1:PORT/v1.0" */
	stub_handler *handler;
	void *ctx;
	pthread_t acceptor;
	pthread_t conns[STUB_MAX_CONNS];
	int nconns;
	pthread_mutex_t lock;
	int inflight, max_inflight, requests;
	volatile int stop;
};

struct stub_conn {
	struct stub *s;
	int fd;
	int id;
};

static void stub_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Read more into buf; 0 on EOF, error or stop. */
static size_t stub_fill(struct stub_conn *c, char **buf, size_t *len,
			size_t *cap)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	ssize_t n;

	while (!c->s->stop) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (*len + 4096 > *cap) {
			*cap = (*cap + 4096) * 2;
			*buf = realloc(*buf, *cap);
		}
		n = read(c->fd, *buf + *len, *cap - *len - 1);
		if (n <= 0)
			return 0;
		*len += (size_t)n;
		(*buf)[*len] = '\0';
		return (size_t)n;
	}
	return 0;
}

static void stub_header(const char *head, const char *name, char *out,
			size_t size)
{
	size_t n = strlen(name);
	const char *p = head;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1, *e;

			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			snprintf(out, size, "%.*s", (int)(e - v), v);
			return;
		}
	}
}

static void stub_answer(struct stub_conn *c, struct stub_response *rs)
{
	char head[2048];
	size_t blen = rs->body ? strlen(rs->body) : 0;
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		     "Content-Length: %lld\r\n%s%s\r\n",
		     rs->status,
		     rs->content_length ? rs->content_length : (long long)blen,
		     rs->headers,
		     rs->close ? "Connection: close\r\n" : "");
	if (write(c->fd, head, (size_t)n) < 0 ||
	    (blen && write(c->fd, rs->body, blen) < 0))
		return;
}

static void stub_count(struct stub *s, int d)
{
	pthread_mutex_lock(&s->lock);
	s->inflight += d;
	if (d > 0)
		s->requests++;
	if (s->inflight > s->max_inflight)
		s->max_inflight = s->inflight;
	pthread_mutex_unlock(&s->lock);
}

/* One request from buf (complete); returns the bytes it took, 0 if not. */
static size_t stub_one(struct stub_conn *c, char *buf, size_t len, int *closing)
{
	struct stub_request rq = {.conn = c->id};
	struct stub_response rs = {.status = 200};
	char cl[32];
	char *end = strstr(buf, "\r\n\r\n");
	size_t head, body;

	if (!end)
		return 0;
	head = (size_t)(end - buf) + 4;
	stub_header(buf, "Content-Length", cl, sizeof(cl));
	body = cl[0] ? strtoul(cl, NULL, 10) : 0;
	if (len < head + body)
		return 0;
	sscanf(buf, "%15s %4095s", rq.method, rq.target);
	stub_header(buf, "Authorization", rq.authorization,
		    sizeof(rq.authorization));
	stub_header(buf, "Prefer", rq.prefer, sizeof(rq.prefer));
	rq.body = strndup(buf + head, body);
	rq.len = body;
	stub_count(c->s, 1);
	c->s->handler(c->s->ctx, &rq, &rs);
	if (rs.delay_ms)
		stub_sleep_ms(rs.delay_ms);
	stub_count(c->s, -1);
	stub_answer(c, &rs);
	*closing = rs.close;
	free(rs.body);
	free(rq.body);
	return head + body;
}

static void *stub_serve(void *arg)
{
	struct stub_conn *c = arg;
	char *buf = NULL;
	size_t len = 0, cap = 0, used;
	int closing = 0;

	while (!closing && stub_fill(c, &buf, &len, &cap)) {
		while (!closing && len &&
		       (used = stub_one(c, buf, len, &closing))) {
			memmove(buf, buf + used, len - used);
			len -= used;
			buf[len] = '\0';
		}
	}
	free(buf);
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	free(c);
	return NULL;
}

static void *stub_accept(void *arg)
{
	struct stub *s = arg;
	struct pollfd p = {.fd = s->fd, .events = POLLIN};

	while (!s->stop) {
		struct stub_conn *c;
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(s->fd, NULL, NULL);
		if (fd < 0)
			continue;
		c = malloc(sizeof(*c));
		c->s = s;
		c->fd = fd;
		pthread_mutex_lock(&s->lock);
		c->id = s->nconns + 1;
		if (s->nconns < STUB_MAX_CONNS &&
		    !pthread_create(&s->conns[s->nconns], NULL, stub_serve, c))
			s->nconns++;
		else {
			close(fd);
			free(c);
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* Start serving on an ephemeral port; 0 on success. */
static int stub_start(struct stub *s, stub_handler *h, void *ctx)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->handler = h;
	s->ctx = ctx;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->fd, 64) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen))
		return -1;
	s->port = ntohs(a.sin_port);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d/v1.0", s->port);
	return pthread_create(&s->acceptor, NULL, stub_accept, s);
}

static void stub_stop(struct stub *s)
{
	int i;

	s->stop = 1;
	pthread_join(s->acceptor, NULL);
	for (i = 0; i < s->nconns; i++)
		pthread_join(s->conns[i], NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

/* A malloc'd copy of a printf result, for response bodies. */
static char *stub_strf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *stub_strf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

#endif
