#include "mime.h"

#include <libetpan/libetpan.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * Text bytes per RFC 2047 word: 36 bytes are 48 base64 characters, a
 * 60-character word. libetpan folds before a word that would pass column
 * 72; a fold right after "Subject: " makes readers (Python's email) see a
 * leading space, so the first word must fit on that line.
 */
#define EW_CHUNK 36
/* An unencoded word of a subject or name that still fits after "Subject: ". */
#define RAW_WORD_MAX 62
/* libetpan never folds inside a quoted display name: keep those short. */
#define QUOTED_NAME_MAX 64
/*
 * libetpan 1.9.4 cuts a header word in two, with a fold that corrupts it,
 * when the word and the column it starts at reach 998. The column is at
 * most 1 + the previous word (or a 76-character name + 2), so words of
 * at most 450 characters are never cut, and no header line passes 998.
 */
#define EXTRA_WORD_MAX 450
/* Where a long URL in <...> is folded (RFC 2369: white space is ignored). */
#define URL_PIECE 72
#define HEADER_NAME_MAX 76
#define ADDRESS_MAX 254
#define MESSAGE_ID_MAX 250
#define LINE_MAX_OCTETS 998
/* 96 random bits; "=_" cannot occur in quoted-printable or base64 text. */
#define BOUNDARY_BYTES 12
/* Quoted values in error messages are cut here. */
#define SHOWN_MAX 64

/* Headers mime_build writes itself; an extra one would be a second copy. */
static const char *const own_headers[] = {
	"Date", "From", "To", "Cc", "Bcc", "Subject", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", NULL
};

static int oom(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM, "out of memory while building a message");
}

/* Untrusted text as it may appear in an error message: one short line. */
static int add_shown(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s), i;
	int rc = 0;

	if (n > SHOWN_MAX) {
		n = SHOWN_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			rc = strbuf_addstr(sb, "\\r");
		else if (c == '\n')
			rc = strbuf_addstr(sb, "\\n");
		else if (c < 0x20 || c == 0x7f)
			rc = strbuf_addch(sb, '?');
		else
			rc = strbuf_addch(sb, c);
	}
	if (!rc && n < strlen(s))
		rc = strbuf_addstr(sb, "...");
	return rc;
}

/* Fill err with "<what> "<value>" is not valid: <why>". */
static int refuse(struct dg_err *err, const char *what, const char *value,
		  const char *why)
{
	struct strbuf v = STRBUF_INIT;

	if (add_shown(&v, value))
		strbuf_release(&v);
	dg_errf(err, DG_EINVAL, "%s \"%s\" is not valid: %s", what, v.buf, why);
	strbuf_release(&v);
	return DG_EINVAL;
}

/*
 * Length of the valid UTF-8 sequence at s (n > 0 bytes left), its code
 * point in *cp; 0 for a byte that does not start one (overlong forms,
 * surrogates and truncated sequences included).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Control characters (C0, DEL, C1, line/paragraph separators) and space. */
static int is_blank_cp(uint32_t cp)
{
	return cp <= 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029;
}

/*
 * Untrusted text as one line of header text: invalid UTF-8 becomes
 * U+FFFD, each run of control characters and blanks one space, and no
 * blank is left at either end. What is left can never end the header.
 */
static int clean_text(const char *s, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	int pending = 0, rc = 0;
	uint32_t cp;

	while (n && !rc) {
		len = utf8_decode(p, n, &cp);
		if (is_blank_cp(len ? cp : 0xfffd)) {
			pending = out->len > 0;
		} else {
			if (pending)
				rc = strbuf_addch(out, ' ');
			pending = 0;
			if (!rc)
				rc = len ? strbuf_add(out, p, len)
					 : strbuf_addstr(out, "\xef\xbf\xbd");
		}
		if (!len)
			len = 1;
		p += len;
		n -= len;
	}
	return rc;
}

/* RFC 5322 atext: what libetpan writes unquoted in a display name. */
static int is_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-/=?^_`{|}~", c);
}

static int is_domain_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* Clean text that can be written as it is (no RFC 2047 needed). */
static int fits_raw(const char *s)
{
	size_t word = 0;

	for (; *s; s++) {
		if ((unsigned char)*s > 0x7e)
			return 0;
		/* a reader would try to decode it as an encoded word */
		if (s[0] == '=' && s[1] == '?')
			return 0;
		word = *s == ' ' ? 0 : word + 1;
		if (word > RAW_WORD_MAX)
			return 0;
	}
	return 1;
}

/*
 * A name libetpan can write itself: atext words are written as they are,
 * anything else as a quoted-string (with " and \ escaped), never folded.
 */
static int name_fits_raw(const char *s)
{
	const char *p;

	if (!fits_raw(s))
		return 0;
	for (p = s; *p; p++)
		if (*p != ' ' && !is_atext((unsigned char)*p))
			return strlen(s) <= QUOTED_NAME_MAX;
	return 1;
}

/*
 * s (valid UTF-8) as RFC 2047 B words separated by spaces, each cut
 * between characters, so that libetpan can fold between them and a reader
 * joins them back without the spaces.
 */
static int add_encoded_words(struct strbuf *out, const char *s, size_t n)
{
	char b64[sodium_base64_ENCODED_LEN(EW_CHUNK,
					   sodium_base64_VARIANT_ORIGINAL)];
	size_t i = 0, chunk;
	int rc = 0;

	while (i < n && !rc) {
		chunk = n - i > EW_CHUNK ? EW_CHUNK : n - i;
		while (i + chunk < n &&
		       ((unsigned char)s[i + chunk] & 0xc0) == 0x80)
			chunk--;
		sodium_bin2base64(b64, sizeof(b64),
				  (const unsigned char *)s + i, chunk,
				  sodium_base64_VARIANT_ORIGINAL);
		rc = strbuf_addf(out, "%s=?UTF-8?B?%s?=", i ? " " : "", b64);
		i += chunk;
	}
	return rc;
}

/* Untrusted text as a Subject value or display name (clean, encoded). */
static int header_text(const char *s, int is_name, struct strbuf *out)
{
	struct strbuf clean = STRBUF_INIT;
	int rc;

	rc = clean_text(s, &clean);
	if (!rc && (is_name ? name_fits_raw(clean.buf) : fits_raw(clean.buf)))
		rc = strbuf_addbuf(out, &clean);
	else if (!rc)
		rc = add_encoded_words(out, clean.buf, clean.len);
	strbuf_release(&clean);
	return rc;
}

/* s[0..n) is a dot-atom of characters accepted by ok(). */
static int is_dot_atom(const char *s, size_t n, int (*ok)(int))
{
	size_t i;

	if (!n || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !ok((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * Why s is not "left@right" as we write it in a header (NULL when it is).
 * The left side is a dot-atom (no quoted local parts); the right side a
 * dot-atom of right() characters (no IP literals). Non-ASCII is refused:
 * it would need SMTPUTF8.
 */
static const char *addr_problem(const char *s, size_t max, int (*right)(int))
{
	const char *at = strchr(s, '@'), *p;

	if (!*s)
		return "it is empty";
	if (strlen(s) > max)
		return "it is too long";
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f)
			return "it contains a space or a control character";
		if (c == '<' || c == '>')
			return "it contains '<' or '>'";
		if (c > 0x7f)
			return "it contains non-ASCII characters";
	}
	if (!at || strchr(at + 1, '@'))
		return "it must contain exactly one '@'";
	if (!is_dot_atom(s, (size_t)(at - s), is_atext))
		return "the part before '@' is not a valid local part";
	if (!is_dot_atom(at + 1, strlen(at + 1), right))
		return "the part after '@' is not a valid domain";
	return NULL;
}

static int check_address(const char *what, const char *addr,
			 struct dg_err *err)
{
	const char *why = addr_problem(addr, ADDRESS_MAX, is_domain_char);

	return why ? refuse(err, what, addr, why) : 0;
}

/* Add s[0..n) to sb without blanks at either end. */
static int add_trimmed(struct strbuf *sb, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strbuf_add(sb, s, n);
}

/* The display name of a From, without the quotes of a quoted-string. */
static int add_unquoted(struct strbuf *name, const char *s, size_t n)
{
	struct strbuf raw = STRBUF_INIT;
	size_t i;
	int rc;

	rc = add_trimmed(&raw, s, n);
	if (rc || raw.len < 2 || raw.buf[0] != '"' ||
	    raw.buf[raw.len - 1] != '"') {
		if (!rc)
			rc = strbuf_addbuf(name, &raw);
		strbuf_release(&raw);
		return rc;
	}
	for (i = 1; i + 1 < raw.len && !rc; i++) {
		if (raw.buf[i] == '\\' && i + 2 < raw.len)
			i++;
		rc = strbuf_addch(name, raw.buf[i]);
	}
	strbuf_release(&raw);
	return rc;
}

/*
 * Split the configured sender, "Name <addr>", "\"Name, Inc.\" <addr>" or
 * a bare "addr", into name (maybe empty, not yet cleaned) and address.
 */
static int parse_from(const char *from, struct strbuf *name,
		      struct strbuf *addr, struct dg_err *err)
{
	const char *lt = strrchr(from, '<'), *gt, *p;
	int rc;

	if (!lt) {
		rc = add_trimmed(addr, from, strlen(from));
	} else {
		gt = strchr(lt, '>');
		p = gt ? gt + 1 : lt;
		while (gt && (*p == ' ' || *p == '\t'))
			p++;
		if (!gt || *p)
			return refuse(err, "sender (from)", from,
				      "write \"Name <address>\" or a bare "
				      "address");
		rc = strbuf_add(addr, lt + 1, (size_t)(gt - lt - 1));
		if (!rc)
			rc = add_unquoted(name, from, (size_t)(lt - from));
	}
	if (rc)
		return oom(err);
	return check_address("sender (from) address", addr->buf, err);
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
	return mailimf_field_new(type, NULL, NULL, NULL, NULL, NULL, NULL,
				 NULL, NULL, d, from, NULL, NULL, to, NULL,
				 NULL, mid, NULL, NULL, subject, NULL, NULL,
				 NULL);
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
			       "1900-9999", (long long)when);
	dt = mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1,
				   tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
				   tm.tm_sec, 0);
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


static int add_from_field(struct mailimf_fields *fields,
			  struct mailimf_mailbox *mb, struct dg_err *err)
{
	struct mailimf_mailbox_list *list;
	struct mailimf_from *from;
	struct mailimf_field *f;

	list = mailimf_mailbox_list_new_empty();
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
	list = mailimf_address_list_new_empty();
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

	rc = parse_from(from, &raw, &addr, err);
	if (!rc && header_text(raw.buf, 1, &name))
		rc = oom(err);
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

	rc = check_address("recipient address", to_address, err);
	if (rc)
		return rc;
	if ((to_name && header_text(to_name, 1, &name)) ||
	    strbuf_addstr(&addr, to_address)) {
		rc = oom(err);
	} else {
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
	const char *why = addr_problem(id, MESSAGE_ID_MAX, is_atext);
	struct mailimf_message_id *mid;
	struct mailimf_field *f;
	char *copy;

	if (why)
		return refuse(err, "message id", id, why);
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
	char *value = NULL;

	if (!header_text(subject, 0, &sb))
		value = strbuf_detach(&sb, NULL);
	if (value)
		subj = mailimf_subject_new(value);
	if (!subj) {
		free(value);
		strbuf_release(&sb);
		return oom(err);
	}
	f = new_field(MAILIMF_FIELD_SUBJECT, NULL, NULL, NULL, NULL, subj);
	if (!f)
		mailimf_subject_free(subj);
	return add_field(fields, f, err);
}

static int check_header_name(const char *name, struct dg_err *err)
{
	static const char rule[] = "a header name is 1 to 76 printable "
				   "ASCII characters without ':' or spaces";
	const char *p;
	size_t i;

	if (!*name || strlen(name) > HEADER_NAME_MAX)
		return refuse(err, "extra header name", name, rule);
	for (p = name; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == ':')
			return refuse(err, "extra header name", name, rule);
	for (i = 0; own_headers[i]; i++)
		if (!strcasecmp(name, own_headers[i]))
			return dg_errf(err, DG_EINVAL,
				       "extra header \"%s\" is not allowed: "
				       "the message builder writes it itself",
				       name);
	return 0;
}

static int is_ascii_blank(int c)
{
	return c <= 0x20 || c == 0x7f;
}

/*
 * An extra header's value, ready for libetpan: controls and blank runs
 * become one space. libetpan folds only between words and corrupts a word
 * that is too long, so a long word is cut with white space where that is
 * harmless, inside <...> (RFC 2369: white space in a URL there is
 * ignored; RFC 3986 appendix C), and refused anywhere else.
 */
static int extra_value(const struct mime_header *h, struct strbuf *out,
		       struct dg_err *err)
{
	/* the first piece shares its line with "Name: " */
	size_t first = strlen(h->name) + 3;
	const char *v = h->value;
	size_t i, j, wlen, run, piece;
	int inside = 0, rc = 0;

	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] > 0x7f)
			return dg_errf(err, DG_EINVAL,
				       "extra header \"%s\" has non-ASCII "
				       "characters in its value; "
				       "percent-encode them", h->name);
	for (i = 0; v[i] && !rc; i += wlen) {
		for (wlen = 0; v[i + wlen] &&
			       !is_ascii_blank((unsigned char)v[i + wlen]);)
			wlen++;
		if (!wlen) {
			wlen = 1;
			continue;
		}
		piece = URL_PIECE;
		if (!out->len && first < URL_PIECE / 2)
			piece = URL_PIECE - first;
		if (out->len)
			rc = strbuf_addch(out, ' ');
		for (j = i, run = 0; j < i + wlen && !rc; j++, run++) {
			if (wlen > EXTRA_WORD_MAX && inside && run >= piece) {
				rc = strbuf_addch(out, ' ');
				run = 0;
				piece = URL_PIECE;
			}
			if (run >= EXTRA_WORD_MAX)
				return dg_errf(err, DG_EINVAL,
					       "extra header \"%s\" has a word "
					       "of over %d characters outside "
					       "<...>, which cannot be folded",
					       h->name, EXTRA_WORD_MAX);
			if (!rc)
				rc = strbuf_addch(out, v[j]);
			if (v[j] == '<')
				inside = 1;
			else if (v[j] == '>')
				inside = 0;
		}
	}
	if (rc)
		return oom(err);
	if (!out->len)
		return dg_errf(err, DG_EINVAL, "extra header \"%s\" is empty",
			       h->name);
	return 0;
}

static int add_extra(struct mailimf_fields *fields, const struct mime_header *h,
		     struct dg_err *err)
{
	struct strbuf value = STRBUF_INIT;
	struct mailimf_field *f = NULL;
	char *name, *v;
	int rc;

	rc = check_header_name(h->name, err);
	if (!rc)
		rc = extra_value(h, &value, err);
	if (rc) {
		strbuf_release(&value);
		return rc;
	}
	name = strdup(h->name);
	v = strbuf_detach(&value, NULL);
	if (name && v)
		f = mailimf_field_new_custom(name, v);
	if (!f) {
		free(name);
		free(v);
	}
	return add_field(fields, f, err);
}

static int check_present(const struct mime_message *m, struct dg_err *err)
{
	const char *missing = NULL;
	size_t i;

	if (!m)
		missing = "everything";
	else if (!m->from)
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
 * A body as the quoted-printable writer needs it: LF line ends, and no
 * blank before a line end. libetpan 1.9.4 writes such a blank both raw and
 * as =20, which decodes to two; trailing blanks mean nothing in our text
 * or HTML. (QP rather than base64: the digest is mostly ASCII, so QP is
 * smaller and stays readable in the stdout preview and in tests, and
 * libetpan's QP writer makes CRLF line ends, its base64 writer does not.)
 */
static int prepare_body(const char *s, struct strbuf *out)
{
	size_t keep = 0;
	int rc = 0;

	for (; *s && !rc; s++) {
		char c = *s;

		if (c == '\r' && s[1] == '\n')
			continue;
		if (c == '\r')
			c = '\n';
		if (c == '\n')
			strbuf_setlen(out, keep);
		rc = strbuf_addch(out, c);
		if (c != ' ' && c != '\t')
			keep = out->len;
	}
	if (!rc)
		strbuf_setlen(out, keep);
	return rc;
}

/*
 * Replace libetpan's boundary (hex time, unseeded random(), pid: the
 * first one of a process is always the same) by a random one.
 */
static int set_boundary(struct mailmime *alt)
{
	unsigned char rnd[BOUNDARY_BYTES];
	char hex[2 * BOUNDARY_BYTES + 1];
	struct strbuf b = STRBUF_INIT;
	clistiter *it;
	char *value;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	for (it = clist_begin(alt->mm_content_type->ct_parameters); it;
	     it = clist_next(it)) {
		struct mailmime_parameter *p = clist_content(it);

		if (strcasecmp(p->pa_name, "boundary"))
			continue;
		if (strbuf_addf(&b, "=_%s", hex))
			return DG_ENOMEM;
		value = strbuf_detach(&b, NULL);
		if (!value)
			return DG_ENOMEM;
		free(p->pa_value);
		p->pa_value = value;
		return 0;
	}
	return DG_EINTERNAL;
}

/* A text part; body is borrowed by libetpan until the message is written. */
static int add_text_part(struct mailmime *alt, const char *ctype,
			 struct strbuf *body, struct dg_err *err)
{
	struct mailmime_content *ct;
	struct mailmime_fields *mf;
	struct mailmime *part = NULL;

	ct = mailmime_content_new_with_str(ctype);
	mf = mailmime_fields_new_encoding(MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	if (ct && mf)
		part = mailmime_new_empty(ct, mf);
	if (!part) {
		if (ct)
			mailmime_content_free(ct);
		if (mf)
			mailmime_fields_free(mf);
		return oom(err);
	}
	if (mailmime_set_body_text(part, body->buf, body->len) !=
		    MAILIMF_NO_ERROR ||
	    mailmime_smart_add_part(alt, part) != MAILIMF_NO_ERROR) {
		mailmime_free(part);
		return oom(err);
	}
	return 0;
}

/* The message tree; fields are adopted, bodies borrowed until written. */
static int build_tree(struct mailimf_fields *fields, struct strbuf *text,
		      struct strbuf *html, struct mailmime **out,
		      struct dg_err *err)
{
	struct mailmime *root, *alt;
	int rc;

	root = mailmime_new_message_data(NULL);
	if (!root) {
		mailimf_fields_free(fields);
		return oom(err);
	}
	mailmime_set_imf_fields(root, fields);
	alt = mailmime_multiple_new("multipart/alternative");
	rc = alt ? set_boundary(alt) : DG_ENOMEM;
	if (!rc && mailmime_smart_add_part(root, alt) != MAILIMF_NO_ERROR)
		rc = DG_ENOMEM;
	if (rc) {
		if (alt)
			mailmime_free(alt);
		mailmime_free(root);
		if (rc == DG_ENOMEM)
			return oom(err);
		return dg_errf(err, rc, "libetpan made a multipart without "
					"a boundary parameter");
	}
	rc = add_text_part(alt, "text/plain; charset=utf-8", text, err);
	if (!rc)
		rc = add_text_part(alt, "text/html; charset=utf-8", html, err);
	if (rc) {
		mailmime_free(root);
		return rc;
	}
	*out = root;
	return 0;
}

/*
 * The promises of mime.h, checked on what libetpan wrote rather than
 * trusted: 7-bit, CRLF only, no line over 998 octets, and no header line
 * of blanks only (libetpan writes one when it cuts a long word; some
 * readers take it for the end of the header).
 */
static int check_output(const char *s, size_t n, struct dg_err *err)
{
	size_t i, line = 0, blanks = 0;
	int in_header = 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			if (in_header && line && blanks == line)
				return dg_errf(err, DG_EINTERNAL,
					       "libetpan wrote a header line "
					       "of blanks at offset %zu", i);
			in_header = in_header && line;
			i++;
			line = 0;
			blanks = 0;
			continue;
		}
		if (c == ' ' || c == '\t')
			blanks++;
		if (c == '\r' || c == '\n' || !c || c > 0x7f)
			return dg_errf(err, DG_EINTERNAL,
				       "libetpan wrote a byte 0x%02x at "
				       "offset %zu of a message", c, i);
		if (++line > LINE_MAX_OCTETS)
			return dg_errf(err, DG_EINTERNAL,
				       "libetpan wrote a line of over %d "
				       "octets at offset %zu of a message",
				       LINE_MAX_OCTETS, i);
	}
	return 0;
}

static int write_message(struct mailmime *root, struct strbuf *out,
			 struct dg_err *err)
{
	MMAPString *s = mmap_string_new("");
	int col = 0, r, rc;

	if (!s)
		return oom(err);
	r = mailmime_write_mem(s, &col, root);
	if (r == MAILIMF_ERROR_MEMORY)
		rc = oom(err);
	else if (r != MAILIMF_NO_ERROR)
		rc = dg_errf(err, DG_EINTERNAL,
			     "libetpan could not write a message (error %d)", r);
	else
		rc = check_output(s->str, s->len, err);
	/* libetpan stops right after the closing boundary */
	if (!rc && (s->len < 2 || memcmp(s->str + s->len - 2, "\r\n", 2)) &&
	    !mmap_string_append(s, "\r\n"))
		rc = oom(err);
	if (!rc) {
		rc = strbuf_add(out, s->str, s->len);
		if (rc)
			dg_errf(err, rc, "a message of %zu bytes does not fit "
					 "in its buffer", s->len);
	}
	mmap_string_free(s);
	return rc;
}

int mime_build(const struct mime_message *m, struct strbuf *out,
	       struct dg_err *err)
{
	struct strbuf text = STRBUF_INIT, html = STRBUF_INIT;
	struct mailimf_fields *fields;
	struct mailmime *root = NULL;
	int rc;

	rc = check_present(m, err);
	if (rc)
		return rc;
	if (sodium_init() < 0)
		return dg_errf(err, DG_EINTERNAL, "libsodium cannot start");
	fields = mailimf_fields_new_empty();
	if (!fields)
		return oom(err);
	rc = add_headers(fields, m, err);
	if (!rc && (prepare_body(m->text, &text) ||
		    prepare_body(m->html, &html)))
		rc = oom(err);
	if (rc)
		mailimf_fields_free(fields);
	else
		rc = build_tree(fields, &text, &html, &root, err);
	if (!rc) {
		rc = write_message(root, out, err);
		mailmime_free(root);
	}
	strbuf_release(&text);
	strbuf_release(&html);
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
		return dg_errf(err, DG_EINVAL, "a message id needs a user, "
					       "a date and a sender");
	rc = parse_from(from, &name, &addr, err);
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
