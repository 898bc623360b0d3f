/*
 * fuzz_mime: the mail header helpers (mimehdr) and mime_build(), with the
 * untrusted parts of a digest from the input: "subject \xff display name
 * \xff text \xff html \xff List-Unsubscribe value".
 *
 * Invariants: every header value a helper gives is one 7-bit line; every
 * message built is 7-bit, CRLF throughout with no bare CR or LF, no line
 * over 998 octets, and its header holds exactly the fields we wrote, each
 * once: no calendar text can start a header of its own. The body encoder
 * (mimeqp) writes, for the whole input, exactly what libetpan's
 * quoted-printable writer writes for it (line ends made LF, blanks before
 * them dropped, as mime used to hand libetpan a body).
 */
#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <strings.h>

#include "err.h"
#include "fuzz.h"
#include "mime.h"
#include "mimehdr.h"
#include "mimeqp.h"
#include "strbuf.h"

static void check_value(const struct strbuf *v)
{
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->buf[i];

		FUZZ_ASSERT(c >= 0x20 && c < 0x7f);
	}
}

static void helpers(const char *s)
{
	struct strbuf v = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	if (!mimehdr_subject(s, &v, &err))
		check_value(&v);
	strbuf_reset(&v);
	if (!mimehdr_display_name(s, &v, &err))
		check_value(&v);
	strbuf_reset(&v);
	if (!mimehdr_extra_value("List-Unsubscribe", s, &v, &err))
		check_value(&v);
	strbuf_release(&v);
	(void)!mimehdr_check_address("address", s, &err);
}

/* Count header fields named name at the start of a line. */
static size_t count_field(const char *hdr, size_t len, const char *name)
{
	size_t n = 0, k = strlen(name);

	for (size_t i = 0; i + k < len; i++)
		if ((i == 0 || hdr[i - 1] == '\n') &&
		    !strncasecmp(hdr + i, name, k) && hdr[i + k] == ':')
			n++;
	return n;
}

static void check_message(const struct strbuf *m)
{
	const char *end = strstr(m->buf, "\r\n\r\n");
	size_t line = 0;

	FUZZ_ASSERT(end);
	for (size_t i = 0; i < m->len; i++) {
		unsigned char c = (unsigned char)m->buf[i];

		FUZZ_ASSERT(c && c < 0x80);
		if (c == '\r')
			FUZZ_ASSERT(i + 1 < m->len && m->buf[i + 1] == '\n');
		if (c == '\n')
			FUZZ_ASSERT(i > 0 && m->buf[i - 1] == '\r');
		line = c == '\n' ? 0 : line + 1;
		FUZZ_ASSERT(line <= 999);
	}
	static const char *const once[] = {
		"Date", "From", "To", "Subject", "Message-ID",
		"MIME-Version", "List-Unsubscribe", "Bcc", "Cc", "Reply-To"};
	size_t hlen = (size_t)(end - m->buf) + 2;

	for (size_t i = 0; i < sizeof(once) / sizeof(*once); i++)
		FUZZ_ASSERT(count_field(m->buf, hlen, once[i]) ==
			    (i < 7 ? 1u : 0u));
}

/* s with each line end one LF and no blank before one or at the end. */
static char *prepared(const char *s, size_t len, size_t *out_len)
{
	const char *end = s + len;
	char *out = malloc(len + 1), *q = out;

	if (!out)
		return NULL;
	while (s < end) {
		size_t n = 0, keep;

		while (s + n < end && s[n] != '\r' && s[n] != '\n')
			n++;
		keep = n;
		while (keep && (s[keep - 1] == ' ' || s[keep - 1] == '\t'))
			keep--;
		memcpy(q, s, keep);
		q += keep;
		s += n;
		if (s == end)
			break;
		*q++ = '\n';
		s += *s == '\r' && s + 1 < end && s[1] == '\n' ? 2 : 1;
	}
	*out_len = (size_t)(q - out);
	return out;
}

static void same_as_libetpan(const uint8_t *data, size_t size)
{
	struct strbuf ours = STRBUF_INIT;
	MMAPString *theirs = mmap_string_new("");
	size_t plen;
	char *p = prepared((const char *)data, size, &plen);
	int col = 0;

	if (p && theirs &&
	    !mailmime_quoted_printable_write_mem(theirs, &col, 1, p, plen) &&
	    !mimeqp_encode((const char *)data, size, &ours))
		FUZZ_ASSERT(ours.len == theirs->len &&
			    !memcmp(ours.buf, theirs->str, ours.len));
	strbuf_release(&ours);
	if (theirs)
		mmap_string_free(theirs);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[5] = {0};
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	same_as_libetpan(data, size);
	for (int i = 0; i < 5; i++) {
		const uint8_t *p = data;
		size_t n = fuzz_take(&data, &size);

		part[i] = fuzz_strndup(p, n);
		if (!part[i])
			goto out;
	}
	helpers(part[0]);
	helpers(part[1]);
	struct mime_header extra = {"List-Unsubscribe", part[4]};
	struct mime_message m = {
		.from = "Meeting digest <digest@example.com>",
		.to_name = part[1],
		.to_address = "reader@example.com",
		.subject = part[0],
		.text = part[2],
		.html = part[3],
		.date = 1795000000,
		.message_id = "digest.0123@example.com",
		.extra = &extra,
		.nextra = 1,
	};

	if (!mime_build(&m, &out, &err))
		check_message(&out);
	else
		FUZZ_ASSERT(err.msg[0] && fuzz_one_line(err.msg));
out:
	strbuf_release(&out);
	for (int i = 0; i < 5; i++)
		free(part[i]);
	return 0;
}
