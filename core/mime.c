#include "mime.h"
#include "mime_int.h"
#include "mimehdr.h"
#include "mimeqp.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 96 random bits; "=_" cannot occur in quoted-printable or base64 text. */
#define BOUNDARY_BYTES 12

/*
 * A Content-Type built from its parts: type/subtype; name=value. Not
 * mailmime_content_new_with_str(): out of memory, its parser can hand
 * back a content that crashes the writer (libetpan 1.9.4). value is
 * adopted (freed on failure too).
 */
static struct mailmime_content *content_new(bool multipart,
					    const char *subtype,
					    const char *name, char *value)
{
	struct mailmime_discrete_type *dt = NULL;
	struct mailmime_composite_type *ct = NULL;
	struct mailmime_type *type = NULL;
	struct mailmime_parameter *param = NULL;
	struct mailmime_content *c = NULL;
	char *sub = strdup(subtype), *n = strdup(name);
	clist *params = clist_new();

	if (!sub || !n || !value || !params)
		goto fail;
	if (multipart)
		ct = mailmime_composite_type_new(MAILMIME_COMPOSITE_TYPE_MULTIPART,
						 NULL);
	else
		dt = mailmime_discrete_type_new(MAILMIME_DISCRETE_TYPE_TEXT,
						NULL);
	if (!ct && !dt)
		goto fail;
	type = mailmime_type_new(multipart ? MAILMIME_TYPE_COMPOSITE_TYPE
					   : MAILMIME_TYPE_DISCRETE_TYPE,
				 dt, ct);
	if (!type)
		goto fail;
	dt = NULL;
	ct = NULL;
	param = mailmime_parameter_new(n, value);
	if (!param)
		goto fail;
	n = value = NULL;
	if (clist_append(params, param) < 0)
		goto fail;
	param = NULL;
	c = mailmime_content_new(type, sub, params);
	if (c)
		return c;
fail:
	if (param)
		mailmime_parameter_free(param);
	if (type)
		mailmime_type_free(type);
	if (dt)
		mailmime_discrete_type_free(dt);
	if (ct)
		mailmime_composite_type_free(ct);
	if (params) {
		for (clistiter *it = clist_begin(params); it;
		     it = clist_next(it))
			mailmime_parameter_free(clist_content(it));
		clist_free(params);
	}
	free(sub);
	free(n);
	free(value);
	return NULL;
}

/*
 * Where libetpan's writers put what they write: at the end of a strbuf.
 * rc keeps why an append failed.
 */
struct sink {
	struct strbuf *out;
	int rc;
};

static int sink_write(void *data, const char *str, size_t len)
{
	struct sink *k = data;

	if (!k->rc)
		k->rc = strbuf_add(k->out, str, len);
	return !k->rc; /* libetpan takes 0 for a failed write */
}

/* The status of a libetpan writer's call r that wrote to k. */
static int written(const struct sink *k, int r, struct dg_err *err)
{
	if (k->rc == DG_ENOMEM || r == MAILIMF_ERROR_MEMORY)
		return mime_oom(err);
	if (k->rc)
		return dg_errf(err, k->rc, "a message does not fit in its "
			       "buffer");
	if (r != MAILIMF_NO_ERROR)
		return dg_errf(err, DG_EINTERNAL,
			       "libetpan could not write a message (error %d)",
			       r);
	return 0;
}

/* Append s through libetpan, which keeps the column (*col) it folds by. */
static int put(struct sink *k, int *col, const char *s, struct dg_err *err)
{
	return written(k, mailimf_string_write_driver(sink_write, k, col, s,
						      strlen(s)),
		       err);
}

/*
 * The header of the message, as libetpan's mailmime_write_driver()
 * writes the header of a message whose body is a multipart: its fields,
 * MIME-Version, the multipart's Content-Type, the blank line.
 */
static int write_head(struct sink *k, int *col, struct mailimf_fields *fields,
		      const char *boundary, struct dg_err *err)
{
	struct mailmime_fields *version;
	struct mailmime_content *ct;
	int rc;

	rc = written(k, mailimf_fields_write_driver(sink_write, k, col,
						    fields),
		     err);
	version = rc ? NULL
		     : mailmime_fields_new_with_version(NULL, NULL, NULL, NULL,
							NULL);
	if (!rc && !version)
		rc = mime_oom(err);
	if (!rc)
		rc = written(k, mailmime_fields_write_driver(sink_write, k,
							     col, version),
			     err);
	if (version)
		mailmime_fields_free(version);
	ct = rc ? NULL
		: content_new(true, "alternative", "boundary",
			      strdup(boundary));
	if (!rc && !ct)
		rc = mime_oom(err);
	if (!rc)
		rc = written(k, mailmime_content_write_driver(sink_write, k,
							      col, ct),
			     err);
	if (ct)
		mailmime_content_free(ct);
	return rc ? rc : put(k, col, "\r\n", err);
}

/*
 * One part: the delimiter line, its header written by libetpan
 * (Content-Type: text/subtype; charset="utf-8", Content-Transfer-Encoding:
 * quoted-printable), the blank line, text encoded by mimeqp, a line end.
 * The body is appended here: libetpan would pass any body, even one
 * encoded already (dt_encoded), through mailimf_string_write_driver(),
 * which looks at each byte again to make line ends CRLF and cut lines
 * over 998 octets, neither of which an encoded body has; that pass was
 * most of what mime_build cost once the bodies were encoded by mimeqp.
 * (QP rather than base64: the digest is mostly ASCII, so QP is smaller
 * and stays readable in the stdout preview and in tests.) *body is set to
 * where the body starts in k->out and where the line end after it ends:
 * bytes mimeqp wrote (and that line end), not libetpan.
 */
static int write_part(struct sink *k, int *col, const char *boundary,
		      const char *subtype, const char *text, size_t len,
		      size_t body[2],
		      struct dg_err *err)
{
	struct mailmime_content *ct;
	struct mailmime_fields *mf;
	int rc;

	ct = content_new(false, subtype, "charset", strdup("utf-8"));
	mf = mailmime_fields_new_encoding(MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	rc = ct && mf ? 0 : mime_oom(err);
	if (!rc)
		rc = put(k, col, "--", err);
	if (!rc)
		rc = put(k, col, boundary, err);
	if (!rc)
		rc = put(k, col, "\r\n", err);
	if (!rc)
		rc = written(k, mailmime_content_write_driver(sink_write, k,
							      col, ct),
			     err);
	if (!rc)
		rc = written(k, mailmime_fields_write_driver(sink_write, k,
							     col, mf),
			     err);
	if (!rc)
		rc = put(k, col, "\r\n", err);
	body[0] = k->out->len;
	if (!rc) {
		rc = mimeqp_encode(text, len, k->out);
		if (rc == DG_ENOMEM)
			rc = mime_oom(err);
		else if (rc)
			dg_errf(err, rc, "a part of %zu bytes is too big for "
				"a message", len);
	}
	if (!rc)
		rc = put(k, col, "\r\n", err);
	body[1] = k->out->len;
	if (ct)
		mailmime_content_free(ct);
	if (mf)
		mailmime_fields_free(mf);
	return rc;
}

/*
 * A random boundary, "=_" and 24 hex digits: libetpan's own (hex time,
 * unseeded random(), pid) is guessable, the first one of a process always
 * the same; "=_" cannot occur in quoted-printable or base64 text.
 */
static void new_boundary(char b[2 + 2 * BOUNDARY_BYTES + 1])
{
	unsigned char rnd[BOUNDARY_BYTES];

	randombytes_buf(rnd, sizeof(rnd));
	b[0] = '=';
	b[1] = '_';
	sodium_bin2hex(b + 2, 2 * BOUNDARY_BYTES + 1, rnd, sizeof(rnd));
}

/*
 * The message at the end of out, made room for at once: the header, the
 * text and the HTML part, the closing delimiter; then what libetpan wrote
 * is checked (mimehdr_check_written). The bodies are not looked at again:
 * mimeqp's output is 7-bit, CRLF only, with lines of at most 76 octets
 * by construction (mimeqp.h; its tests and the fuzz target of mime hold
 * it to that), and a second scan of them was most of the check's cost.
 * out is as it was (or emptied, strbuf's way) on failure.
 */
static int write_message(struct mailimf_fields *fields,
			 const struct mime_message *m, struct strbuf *out,
			 struct dg_err *err)
{
	char boundary[2 + 2 * BOUNDARY_BYTES + 1];
	size_t tlen = strlen(m->text), hlen = strlen(m->html);
	struct sink k = {out, 0};
	size_t start = out->len, tbody[2] = {0, 0}, hbody[2] = {0, 0};
	int col = 0, rc;

	new_boundary(boundary);
	/* the parts are mostly ASCII: a quarter more covers their escapes */
	k.rc = strbuf_grow(out, tlen + tlen / 4 + hlen + hlen / 4 + 4096);
	rc = written(&k, MAILIMF_NO_ERROR, err);
	if (!rc)
		rc = write_head(&k, &col, fields, boundary, err);
	if (!rc)
		rc = write_part(&k, &col, boundary, "plain", m->text, tlen,
				tbody, err);
	if (!rc)
		rc = write_part(&k, &col, boundary, "html", m->html, hlen,
				hbody, err);
	if (!rc)
		rc = put(&k, &col, "--", err);
	if (!rc)
		rc = put(&k, &col, boundary, err);
	if (!rc)
		rc = put(&k, &col, "--\r\n", err);
	if (!rc)
		rc = mimehdr_check_written(out->buf, start, tbody[0], true, err);
	if (!rc)
		rc = mimehdr_check_written(out->buf, tbody[1], hbody[0], false,
					   err);
	if (!rc)
		rc = mimehdr_check_written(out->buf, hbody[1], out->len, false,
					   err);
	if (rc)
		strbuf_setlen(out, start);
	return rc;
}

int mime_build(const struct mime_message *m, struct strbuf *out,
	       struct dg_err *err)
{
	struct mailimf_fields *fields;
	int rc;

	rc = mime_fields_check(m, err);
	if (rc)
		return rc;
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL, "libsodium cannot start");
	fields = mime_fields_new();
	if (!fields)
		return mime_oom(err);
	rc = mime_fields_add(fields, m, err);
	if (!rc)
		rc = write_message(fields, m, out, err);
	mailimf_fields_free(fields);
	return rc;
}

int mime_message_id(const char *user, const char *date, unsigned attempt,
		    const char *from, struct strbuf *out, struct dg_err *err)
{
	/* the hash input is tagged: ids of other uses never collide */
	static const char tag[] = "digest message-id v1";
	struct strbuf name = STRBUF_INIT, addr = STRBUF_INIT;
	unsigned char hash[16], n[4];
	char hex[2 * sizeof(hash) + 1];
	crypto_generichash_state st;
	int rc;

	if (!user || !*user || !date || !*date || !from)
		return dg_errf(err, DG_EINVAL,
			       "a message id needs a user, "
			       "a date and a sender");
	rc = mimehdr_parse_from(from, &name, &addr, err);
	if (rc)
		goto out;
	if (sodium_init() < 0) {
		rc = dg_errf(err, DG_EINTERNAL, "libsodium cannot start");
		goto out;
	}
	n[0] = (unsigned char)(attempt >> 24);
	n[1] = (unsigned char)(attempt >> 16);
	n[2] = (unsigned char)(attempt >> 8);
	n[3] = (unsigned char)attempt;
	/* each string with its NUL, so ("ab","c") and ("a","bc") differ */
	if (crypto_generichash_init(&st, NULL, 0, sizeof(hash)) ||
	    crypto_generichash_update(&st, (const unsigned char *)tag,
				      sizeof(tag)) ||
	    crypto_generichash_update(&st, (const unsigned char *)user,
				      strlen(user) + 1) ||
	    crypto_generichash_update(&st, (const unsigned char *)date,
				      strlen(date) + 1) ||
	    crypto_generichash_update(&st, n, sizeof(n)) ||
	    crypto_generichash_final(&st, hash, sizeof(hash))) {
		rc = dg_errf(err, DG_EINTERNAL, "libsodium could not hash");
		goto out;
	}
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	rc = strbuf_addf(out, "digest.%s@%s", hex, strchr(addr.buf, '@') + 1);
	if (rc)
		mime_oom(err);
out:
	strbuf_release(&name);
	strbuf_release(&addr);
	return rc;
}

/* "Date: ...\r\n" for when, written by libetpan as mime_build writes it. */
static int date_line(int64_t when, struct strbuf *out, struct dg_err *err)
{
	struct mailimf_fields *fields = mime_fields_new();
	MMAPString *s;
	int col = 0, rc;

	if (!fields)
		return mime_oom(err);
	rc = mime_fields_add_date(fields, when, err);
	s = rc ? NULL : mmap_string_new("");
	if (!rc && !s)
		rc = mime_oom(err);
	if (!rc && mailimf_fields_write_mem(s, &col, fields) !=
			   MAILIMF_NO_ERROR)
		rc = mime_oom(err);
	if (!rc)
		rc = strbuf_add(out, s->str, s->len);
	if (s)
		mmap_string_free(s);
	mailimf_fields_free(fields);
	return rc;
}

/* Length of the header line at p (with its folded continuations). */
static size_t header_len(const char *p, const char *end)
{
	const char *q = p;

	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		if (!nl)
			return (size_t)(end - p);
		q = nl + 1;
		if (q == end || (*q != ' ' && *q != '\t'))
			return (size_t)(q - p);
	}
}

int mime_set_date(const char *msg, size_t len, int64_t when,
		  struct strbuf *out, struct dg_err *err)
{
	const char *p = msg, *end = msg + len;
	size_t start = out->len;
	int rc = 0;

	while (!rc && p < end && *p != '\r' && *p != '\n') {
		size_t n = header_len(p, end);

		if (n >= 5 && !strncasecmp(p, "Date:", 5)) {
			rc = date_line(when, out, err);
			if (!rc)
				rc = strbuf_add(out, p + n,
						(size_t)(end - p - n));
			return rc == DG_ENOMEM ? mime_oom(err) : rc;
		}
		rc = strbuf_add(out, p, n);
		p += n;
	}
	/* No Date among the headers: it goes first. */
	if (!rc) {
		strbuf_setlen(out, start);
		rc = date_line(when, out, err);
	}
	if (!rc)
		rc = strbuf_add(out, msg, len);
	return rc == DG_ENOMEM ? mime_oom(err) : rc;
}
