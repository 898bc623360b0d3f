#include "serve_req.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prefs.h"

enum serve_route serve_route_of(const char *link_path, const char *path,
				size_t len)
{
	static const char health[] = "/healthz";

	if (len == sizeof(health) - 1 && !memcmp(path, health, len))
		return SERVE_ROUTE_HEALTH;
	if (link_path && len == strlen(link_path) &&
	    !memcmp(path, link_path, len))
		return SERVE_ROUTE_LINK;
	return SERVE_ROUTE_NONE;
}

enum serve_method serve_method_of(const char *method)
{
	if (!method)
		return SERVE_METHOD_OTHER;
	if (!strcmp(method, "GET"))
		return SERVE_METHOD_GET;
	if (!strcmp(method, "HEAD"))
		return SERVE_METHOD_HEAD;
	if (!strcmp(method, "POST"))
		return SERVE_METHOD_POST;
	return SERVE_METHOD_OTHER;
}

bool serve_method_allowed(enum serve_route route, enum serve_method m)
{
	switch (route) {
	case SERVE_ROUTE_LINK:
		return m != SERVE_METHOD_OTHER;
	case SERVE_ROUTE_HEALTH:
		return m == SERVE_METHOD_GET || m == SERVE_METHOD_HEAD;
	case SERVE_ROUTE_NONE:
		break;
	}
	return false;
}

/* Put data at off of field (a string of SERVE_FIELD_MAX at most). */
static bool put_piece(char *field, const char *data, size_t off, size_t size)
{
	if (off > SERVE_FIELD_MAX || size > SERVE_FIELD_MAX - off ||
	    (!off && field[0]) || off != strlen(field))
		return false; /* too long, repeated, or out of order */
	memcpy(field + off, data, size);
	field[off + size] = '\0';
	return true;
}

static bool add_day(struct serve_form *f, const char *data, size_t size)
{
	for (int d = 0; d < 7; d++)
		if (size == 3 && !memcmp(data, prefs_day_name(d), 3)) {
			f->days |= 1u << d;
			return true;
		}
	return false;
}

bool serve_form_add(struct serve_form *f, const char *key, const char *data,
		    size_t off, size_t size)
{
	static const char one_click[] = "One-Click";
	struct {
		const char *name;
		char *field;
	} fields[] = {
		{"action", f->action},   {"form", f->form},
		{"pause_until", f->pause_until}, {"send_at", f->send_at},
		{"locale", f->locale},   {"profile", f->profile},
	};
	bool ok = true;

	if (f->bad || !key)
		return !f->bad;
	if (!strcmp(key, "List-Unsubscribe")) {
		/* one piece, exactly "One-Click" (RFC 8058 section 3.1) */
		ok = !off && !f->one_click && size == sizeof(one_click) - 1 &&
		     !memcmp(data, one_click, size);
		f->one_click = ok;
	} else if (!strcmp(key, "day")) {
		ok = !off && add_day(f, data, size);
	} else {
		for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
			if (!strcmp(key, fields[i].name))
				ok = put_piece(fields[i].field, data, off,
					       size);
	}
	if (ok && memchr(data, '\0', size))
		ok = false;
	f->bad = !ok;
	return ok;
}

static bool url_char_ok(char c)
{
	return (unsigned char)c > ' ' && c != 0x7f && c != '"' && c != '<' &&
	       c != '>' && c != '\\';
}

int serve_url_parts(const char *url, struct strbuf *origin,
		    struct strbuf *path, struct dg_err *err)
{
	const char *p = url ? strstr(url, "://") : NULL;
	const char *slash, *end;
	int rc;

	if (!p || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return dg_errf(err, DG_EINVAL,
			       "[digest] unsubscribe_url must be an http(s) "
			       "URL, such as "
			       "https://example.com/unsubscribe?token={token}");
	slash = strchr(p + 3, '/');
	if (!slash || slash == p + 3)
		return dg_errf(err, DG_EINVAL,
			       "[digest] unsubscribe_url needs a host and a "
			       "path, such as https://example.com/unsubscribe");
	end = slash + strcspn(slash, "?#");
	for (const char *c = url; c < end; c++)
		if (!url_char_ok(*c))
			return dg_errf(err, DG_EINVAL,
				       "[digest] unsubscribe_url has a blank "
				       "or a control character");
	rc = strbuf_add(origin, url, (size_t)(slash - url));
	if (!rc)
		rc = strbuf_add(path, slash, (size_t)(end - slash));
	return rc ? dg_errf(err, rc, "out of memory") : 0;
}

bool serve_origin_ok(const char *ours, const char *origin,
		     const char *fetch_site)
{
	if (fetch_site && strcmp(fetch_site, "same-origin") &&
	    strcmp(fetch_site, "none"))
		return false;
	if (!origin)
		return true;
	return ours && !strcasecmp(origin, ours);
}

int serve_parse_listen(const char *s, struct sockaddr_storage *ss,
		       socklen_t *len, struct dg_err *err)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	char host[64];
	const char *colon = s ? strrchr(s, ':') : NULL;
	const char *h = s;
	size_t hlen;
	char *end = NULL;
	long port;

	if (!colon)
		goto bad;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		h = s + 1;
		hlen -= 2;
	}
	port = strtol(colon + 1, &end, 10);
	if (!hlen || hlen >= sizeof(host) || !colon[1] || *end || port < 0 ||
	    port > 65535)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) || !ai ||
	    ai->ai_addrlen > sizeof(*ss)) {
		if (ai)
			freeaddrinfo(ai);
		goto bad;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	return dg_errf(err, DG_EINVAL,
		       "cannot listen on \"%s\": give ADDRESS:PORT, such as "
		       "127.0.0.1:8080 or [::1]:8080",
		       s ? s : "");
}

static bool loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

void serve_client_key(const struct sockaddr *peer, const char *forwarded,
		      char *out, size_t size)
{
	const char *last;
	size_t n;

	if (!size)
		return;
	out[0] = '\0';
	if (peer && loopback(peer) && forwarded && *forwarded) {
		last = strrchr(forwarded, ',');
		last = last ? last + 1 : forwarded;
		last += strspn(last, " \t");
		n = strcspn(last, " \t");
		if (n >= size)
			n = size - 1;
		memcpy(out, last, n);
		out[n] = '\0';
		return;
	}
	if (peer && peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
					     peer)->sin_addr,
			  out, (socklen_t)size);
	else if (peer && peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)peer)
				   ->sin6_addr,
			  out, (socklen_t)size);
}
