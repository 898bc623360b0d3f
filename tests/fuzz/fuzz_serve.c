/*
 * fuzz_serve: what `digest serve` reads from whoever connects: the link
 * token of the query, the form fields (as libmicrohttpd's post processor
 * hands them over, in pieces), the path, the Origin and X-Forwarded-For
 * headers. The first byte picks how the rest is cut up.
 *
 * Invariants: a token opens only if it is one our key sealed (and then
 * to a printable address that seals and opens again); every refusal has
 * one message; a form field never holds more than SERVE_FIELD_MAX bytes
 * and the form stays NUL-terminated; a client key always fits.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "err.h"
#include "fuzz.h"
#include "linktoken.h"
#include "serve_req.h"
#include "strbuf.h"

#define NOW 1795503600LL

static const unsigned char key[LINKTOKEN_KEYBYTES] = {7, 7, 7, 1, 2, 3};

static void token(const char *s, size_t n)
{
	struct linktoken_keys keys = {.current = key};
	struct strbuf again = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct linktoken t, u;

	if (linktoken_open(&keys, s, n, NOW, &t, &err)) {
		FUZZ_ASSERT(!strcmp(err.msg, LINKTOKEN_INVALID));
		FUZZ_ASSERT(!t.address[0]);
		return;
	}
	FUZZ_ASSERT(t.address[0] && t.expires > NOW);
	FUZZ_ASSERT(!linktoken_seal(key, t.purpose, t.address, t.expires,
				    &again, &err));
	FUZZ_ASSERT(!linktoken_open(&keys, again.buf, again.len, NOW, &u,
				    &err));
	FUZZ_ASSERT(!strcmp(u.address, t.address));
	strbuf_release(&again);
}

static void form(const char *s, size_t n)
{
	static const char *const keys[] = {"List-Unsubscribe", "action",
					   "form", "day", "send_at",
					   "locale", "profile", "other"};
	struct serve_form f = SERVE_FORM_INIT;
	size_t i = 0, off = 0;

	/* pieces: a key byte, a length byte, then that many bytes */
	while (i + 2 <= n) {
		const char *k = keys[(unsigned char)s[i] % 8];
		size_t len = (unsigned char)s[i + 1];

		i += 2;
		if (len > n - i)
			len = n - i;
		serve_form_add(&f, k, s + i, off, len);
		off = (unsigned char)s[i - 2] & 0x80 ? off + len : 0;
		i += len;
	}
	FUZZ_ASSERT(strlen(f.action) <= SERVE_FIELD_MAX);
	FUZZ_ASSERT(strlen(f.form) <= SERVE_FIELD_MAX);
	FUZZ_ASSERT(strlen(f.locale) <= SERVE_FIELD_MAX);
	FUZZ_ASSERT(f.days <= 0x7f);
}

static void headers(const char *s, size_t n)
{
	struct strbuf origin = STRBUF_INIT, path = STRBUF_INIT;
	struct sockaddr_in lo = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(0x7f000001)};
	struct sockaddr_storage ss;
	struct dg_err err = DG_ERR_INIT;
	char client[64];
	socklen_t len;

	(void)serve_route_of("/unsubscribe", s, n);
	(void)serve_origin_ok("https://example.com", s, NULL);
	serve_client_key((struct sockaddr *)&lo, s, client, sizeof(client));
	FUZZ_ASSERT(strlen(client) < sizeof(client));
	if (!serve_parse_listen(s, &ss, &len, &err))
		FUZZ_ASSERT(len > 0 && len <= sizeof(ss));
	if (!serve_url_parts(s, &origin, &path, &err))
		FUZZ_ASSERT(path.buf[0] == '/');
	strbuf_release(&origin);
	strbuf_release(&path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size)
		return 0;
	s = fuzz_strndup(data + 1, size - 1);
	if (!s)
		return 0;
	switch (data[0] % 3) {
	case 0:
		token(s, size - 1);
		break;
	case 1:
		form(s, size - 1);
		break;
	default:
		headers(s, strlen(s));
	}
	free(s);
	return 0;
}
