#include "mime.h"
#include "mimehdr.h"
#include "mimeqp.h"

#include <libetpan/libetpan.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* 96 random bits; "=_" cannot occur in quoted-printable or base64 text. */
#define BOUNDARY_BYTES 12

/* Headers mime_build writes itself; an extra one would be a second copy. */
static const char *const own_headers[] = {"Date",
					  "From",
					  "To",
					  "Cc",
					  "Bcc",
					  "Subject",
					  "Message-ID",
					  "MIME-Version",
					  "Content-Type",
					  "Content-Transfer-Encoding",
					  NULL};

static int oom(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM,
		       "out of memory while building a message");
}

/*
 * The mailbox for (name, addr); libetpan adopts the strings, so they are
 * detached from the buffers. NULL when out of memory.
 */
static struct mailimf_mailbox *new_mailbox(struct strbuf *name,
					   struct strbuf *addr)
{
	struct mailimf_mailbox *mb;
	char *n = NULL, *a;

	if (name->len) {
		n = strbuf_detach(name, NULL);
		if (!n)
			return NULL;
	}
	a = strbuf_detach(addr, NULL);
	mb = a ? mailimf_mailbox_new(n, a) : NULL;
	if (!mb) {
		free(n);
		free(a);
	}
	return mb;
}

/* mailimf_field_new() takes one argument per field type; we use five. */
static struct mailimf_field *new_field(int type, struct mailimf_orig_date *d,
				       struct mailimf_from *from,
				       struct mailimf_to *to,
				       struct mailimf_message_id *mid,
				       struct mailimf_subject *subject)
{
	return mailimf_field_new(type, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
				 NULL, d, from, NULL, NULL, to, NULL, NULL, mid,
				 NULL, NULL, subject, NULL, NULL, NULL);
}

/* Append f (adopted, may be NULL) to fields. */
static int add_field(struct mailimf_fields *fields, struct mailimf_field *f,
		     struct dg_err *err)
{
	if (!f)
		return oom(err);
	if (mailimf_fields_add(fields, f) != MAILIMF_NO_ERROR) {
		mailimf_field_free(f);
		return oom(err);
	}
	return 0;
}

/*
 * Date in UTC, built here: libetpan's own date computes the zone as
 * seconds * 100 / 3600, wrong for half-hour zones (+0550 for India).
 */
static int add_date(struct mailimf_fields *fields, int64_t when,
		    struct dg_err *err)
{
	struct mailimf_date_time *dt;
	struct mailimf_orig_date *od;
	struct mailimf_field *f;
	time_t t = (time_t)when;
	struct tm tm;

	if ((int64_t)t != when || !gmtime_r(&t, &tm) || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900)
		return dg_errf(err, DG_EINVAL,
			       "message date %lld is outside the years "
			       "1900-9999",
			       (long long)when);
	dt = mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
				   tm.tm_hour, tm.tm_min, tm.tm_sec, 0);
	od = dt ? mailimf_orig_date_new(dt) : NULL;
	if (!od) {
		if (dt)
			mailimf_date_time_free(dt);
		return oom(err);
	}
	f = new_field(MAILIMF_FIELD_ORIG_DATE, od, NULL, NULL, NULL, NULL);
	if (!f)
		mailimf_orig_date_free(od);
	return add_field(fields, f, err);
}

/*
 * libetpan's mailimf_*_new_empty() leak their new list when the second
 * allocation fails (libetpan 1.9.4): these do the same without the leak.
 */
static struct mailimf_fields *fields_new_empty(void)
{
	clist *l = clist_new();
	struct mailimf_fields *f = l ? mailimf_fields_new(l) : NULL;

	if (l && !f)
		clist_free(l);
	return f;
}

static struct mailimf_mailbox_list *mailbox_list_new_empty(void)
{
	clist *l = clist_new();
	struct mailimf_mailbox_list *m = l ? mailimf_mailbox_list_new(l) : NULL;

	if (l && !m)
		clist_free(l);
	return m;
}

static struct mailimf_address_list *address_list_new_empty(void)
{
	clist *l = clist_new();
	struct mailimf_address_list *a = l ? mailimf_address_list_new(l) : NULL;

	if (l && !a)
		clist_free(l);
	return a;
}

static int add_from_field(struct mailimf_fields *fields,
			  struct mailimf_mailbox *mb, struct dg_err *err)
{
	struct mailimf_mailbox_list *list;
	struct mailimf_from *from;
	struct mailimf_field *f;

	list = mailbox_list_new_empty();
	if (!list || mailimf_mailbox_list_add(list, mb) != MAILIMF_NO_ERROR) {
		mailimf_mailbox_free(mb);
		if (list)
			mailimf_mailbox_list_free(list);
		return oom(err);
	}
	from = mailimf_from_new(list);
	if (!from) {
		mailimf_mailbox_list_free(list);
		return oom(err);
	}
	f = new_field(MAILIMF_FIELD_FROM, NULL, from, NULL, NULL, NULL);
	if (!f)
		mailimf_from_free(from);
	return add_field(fields, f, err);
}

static int add_to_field(struct mailimf_fields *fields,
			struct mailimf_mailbox *mb, struct dg_err *err)
{
	struct mailimf_address_list *list;
	struct mailimf_address *addr;
	struct mailimf_field *f;
	struct mailimf_to *to;

	addr = mailimf_address_new(MAILIMF_ADDRESS_MAILBOX, mb, NULL);
	if (!addr) {
		mailimf_mailbox_free(mb);
		return oom(err);
	}
	list = address_list_new_empty();
	if (!list || mailimf_address_list_add(list, addr) != MAILIMF_NO_ERROR) {
		mailimf_address_free(addr);
		if (list)
			mailimf_address_list_free(list);
		return oom(err);
	}
	to = mailimf_to_new(list);
	if (!to) {
		mailimf_address_list_free(list);
		return oom(err);
	}
	f = new_field(MAILIMF_FIELD_TO, NULL, NULL, to, NULL, NULL);
	if (!f)
		mailimf_to_free(to);
	return add_field(fields, f, err);
}

static int add_from(struct mailimf_fields *fields, const char *from,
		    struct dg_err *err)
{
	struct strbuf raw = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf addr = STRBUF_INIT;
	struct mailimf_mailbox *mb;
	int rc;

	rc = mimehdr_parse_from(from, &raw, &addr, err);
	if (!rc)
		rc = mimehdr_display_name(raw.buf, &name, err);
	if (!rc) {
		mb = new_mailbox(&name, &addr);
		rc = mb ? add_from_field(fields, mb, err) : oom(err);
	}
	strbuf_release(&raw);
	strbuf_release(&name);
	strbuf_release(&addr);
	return rc;
}

static int add_to(struct mailimf_fields *fields, const char *to_name,
		  const char *to_address, struct dg_err *err)
{
	struct strbuf name = STRBUF_INIT, addr = STRBUF_INIT;
	struct mailimf_mailbox *mb;
	int rc;

	rc = mimehdr_check_address("recipient address", to_address, err);
	if (!rc && to_name)
		rc = mimehdr_display_name(to_name, &name, err);
	if (!rc && strbuf_addstr(&addr, to_address))
		rc = oom(err);
	if (!rc) {
		mb = new_mailbox(&name, &addr);
		rc = mb ? add_to_field(fields, mb, err) : oom(err);
	}
	strbuf_release(&name);
	strbuf_release(&addr);
	return rc;
}

static int add_message_id(struct mailimf_fields *fields, const char *id,
			  struct dg_err *err)
{
	struct mailimf_message_id *mid;
	struct mailimf_field *f;
	char *copy;
	int rc;

	rc = mimehdr_check_message_id(id, err);
	if (rc)
		return rc;
	copy = strdup(id);
	mid = copy ? mailimf_message_id_new(copy) : NULL;
	if (!mid) {
		free(copy);
		return oom(err);
	}
	f = new_field(MAILIMF_FIELD_MESSAGE_ID, NULL, NULL, NULL, mid, NULL);
	if (!f)
		mailimf_message_id_free(mid);
	return add_field(fields, f, err);
}

static int add_subject(struct mailimf_fields *fields, const char *subject,
		       struct dg_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct mailimf_subject *subj = NULL;
	struct mailimf_field *f;
	char *value;
	int rc;

	rc = mimehdr_subject(subject, &sb, err);
	if (rc)
		return rc;
	value = strbuf_detach(&sb, NULL);
	if (value)
		subj = mailimf_subject_new(value);
	if (!subj) {
		free(value);
		return oom(err);
	}
	f = new_field(MAILIMF_FIELD_SUBJECT, NULL, NULL, NULL, NULL, subj);
	if (!f)
		mailimf_subject_free(subj);
	return add_field(fields, f, err);
}

static int check_extra_name(const char *name, struct dg_err *err)
{
	size_t i;
	int rc;

	rc = mimehdr_check_name(name, err);
	for (i = 0; !rc && own_headers[i]; i++)
		if (!strcasecmp(name, own_headers[i]))
			rc = dg_errf(err, DG_EINVAL,
				     "extra header \"%s\" is not allowed: "
				     "the message builder writes it itself",
				     name);
	return rc;
}

static int add_extra(struct mailimf_fields *fields, const struct mime_header *h,
		     struct dg_err *err)
{
	struct strbuf value = STRBUF_INIT;
	struct mailimf_optional_field *opt;
	struct mailimf_field *f;
	char *name, *v;
	int rc;

	rc = check_extra_name(h->name, err);
	if (!rc)
		rc = mimehdr_extra_value(h->name, h->value, &value, err);
	if (rc) {
		strbuf_release(&value);
		return rc;
	}
	name = strdup(h->name);
	v = strbuf_detach(&value, NULL);
	/*
	 * Not mailimf_field_new_custom(): when its second allocation fails
	 * it frees name and v, and when its first fails it does not
	 * (libetpan 1.9.4), so a caller cannot know whose they are.
	 */
	opt = name && v ? mailimf_optional_field_new(name, v) : NULL;
	if (!opt) {
		free(name);
		free(v);
		return oom(err);
	}
	f = mailimf_field_new(MAILIMF_FIELD_OPTIONAL_FIELD, NULL, NULL, NULL,
			      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			      NULL, NULL, opt);
	if (!f)
		mailimf_optional_field_free(opt); /* name and v with it */
	return add_field(fields, f, err);
}

static int check_present(const struct mime_message *m, struct dg_err *err)
{
	const char *missing = NULL;
	size_t i;

	if (!m)
		return dg_errf(err, DG_EINVAL, "no message to build");
	if (!m->from)
		missing = "from";
	else if (!m->to_address)
		missing = "to_address";
	else if (!m->subject)
		missing = "subject";
	else if (!m->text)
		missing = "text";
	else if (!m->html)
		missing = "html";
	else if (!m->message_id)
		missing = "message_id";
	else if (m->nextra && !m->extra)
		missing = "extra";
	if (missing)
		return dg_errf(err, DG_EINVAL, "message has no %s", missing);
	for (i = 0; i < m->nextra; i++)
		if (!m->extra[i].name || !m->extra[i].value)
			return dg_errf(err, DG_EINVAL,
				       "extra header %zu has no %s", i + 1,
				       m->extra[i].name ? "value" : "name");
	return 0;
}

static int add_headers(struct mailimf_fields *fields,
		       const struct mime_message *m, struct dg_err *err)
{
	size_t i;
	int rc;

	rc = add_date(fields, m->date, err);
	if (!rc)
		rc = add_from(fields, m->from, err);
	if (!rc)
		rc = add_to(fields, m->to_name, m->to_address, err);
	if (!rc)
		rc = add_subject(fields, m->subject, err);
	if (!rc)
		rc = add_message_id(fields, m->message_id, err);
	for (i = 0; i < m->nextra && !rc; i++)
		rc = add_extra(fields, &m->extra[i], err);
	return rc;
}

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
		return oom(err);
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
		rc = oom(err);
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
		rc = oom(err);
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
	rc = ct && mf ? 0 : oom(err);
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
			rc = oom(err);
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

	rc = check_present(m, err);
	if (rc)
		return rc;
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL, "libsodium cannot start");
	fields = fields_new_empty();
	if (!fields)
		return oom(err);
	rc = add_headers(fields, m, err);
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
		oom(err);
out:
	strbuf_release(&name);
	strbuf_release(&addr);
	return rc;
}

/* "Date: ...\r\n" for when, written by libetpan as mime_build writes it. */
static int date_line(int64_t when, struct strbuf *out, struct dg_err *err)
{
	struct mailimf_fields *fields = fields_new_empty();
	MMAPString *s;
	int col = 0, rc;

	if (!fields)
		return oom(err);
	rc = add_date(fields, when, err);
	s = rc ? NULL : mmap_string_new("");
	if (!rc && !s)
		rc = oom(err);
	if (!rc && mailimf_fields_write_mem(s, &col, fields) !=
			   MAILIMF_NO_ERROR)
		rc = oom(err);
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
			return rc == DG_ENOMEM ? oom(err) : rc;
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
	return rc == DG_ENOMEM ? oom(err) : rc;
}
