#include "mimehdr.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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
/* RFC 5322: a line of a message is at most 998 octets and CRLF. */
#define WRITTEN_LINE_MAX 998
/* Quoted values in error messages are cut here. */
#define SHOWN_MAX 64

static int oom(struct dg_err *err)
{
	return dg_errf(err, DG_ENOMEM,
		       "out of memory while building a message");
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

/* Whether the word w[0..n) (no blanks) can be written as it is. */
static int word_fits_raw(const char *w, size_t n, int is_name)
{
	size_t i;

	if (n > RAW_WORD_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c > 0x7e)
			return 0;
		/* a reader would try to decode it as an encoded word */
		if (c == '=' && i + 1 < n && w[i + 1] == '?')
			return 0;
		/* libetpan would quote the whole name, encoded words too */
		if (is_name && !is_atext(c))
			return 0;
	}
	return 1;
}

/*
 * A name libetpan can write itself as a quoted-string (escaping " and \),
 * which it never folds: short printable ASCII.
 */
static int name_fits_quoted(const char *s)
{
	size_t n;

	if (strlen(s) > QUOTED_NAME_MAX)
		return 0;
	for (; *s; s += n + (s[n] == ' ')) {
		n = strcspn(s, " ");
		if (!word_fits_raw(s, n, 0))
			return 0;
	}
	return 1;
}

/*
 * s[0..n) (valid UTF-8) as RFC 2047 B words separated by spaces, which
 * libetpan can fold and which readers drop when they join the words.
 */
static int add_encoded_words(struct strbuf *out, const char *s, size_t n)
{
	char b64[sodium_base64_ENCODED_LEN(EW_CHUNK,
					   sodium_base64_VARIANT_ORIGINAL)];
	size_t i = 0, chunk, k;
	int rc = 0;

	while (i < n && !rc) {
		chunk = n - i > EW_CHUNK ? EW_CHUNK : n - i;
		while (i + chunk < n &&
		       ((unsigned char)s[i + chunk] & 0xc0) == 0x80)
			chunk--;
		/*
		 * Rather cut after a space: a reader that wrongly keeps the
		 * white space between encoded words (Python's address
		 * parser does) then shows a double space, not a split word.
		 */
		for (k = chunk; i + chunk < n && k > chunk / 2; k--) {
			if (s[i + k - 1] == ' ') {
				chunk = k;
				break;
			}
		}
		sodium_bin2base64(b64, sizeof(b64),
				  (const unsigned char *)s + i, chunk,
				  sodium_base64_VARIANT_ORIGINAL);
		rc = strbuf_addf(out, "%s=?UTF-8?B?%s?=", i ? " " : "", b64);
		i += chunk;
	}
	return rc;
}

/*
 * Clean text s (words separated by single spaces) with the words that
 * cannot be written as they are encoded. Neighbouring such words form one
 * encoded run, spaces included: white space between two encoded words is
 * not text, so encoding them one by one would lose the spaces.
 */
static int add_phrase(struct strbuf *out, const char *s, int is_name)
{
	size_t start = out->len, n = strlen(s), i = 0, end, next;
	int rc = 0;

	while (i < n && !rc) {
		end = i + strcspn(s + i, " ");
		if (out->len > start)
			rc = strbuf_addch(out, ' ');
		if (rc)
			break;
		if (word_fits_raw(s + i, end - i, is_name)) {
			rc = strbuf_add(out, s + i, end - i);
			i = end + 1;
			continue;
		}
		while (end < n) {
			next = end + 1 + strcspn(s + end + 1, " ");
			if (word_fits_raw(s + end + 1, next - end - 1, is_name))
				break;
			end = next;
		}
		rc = add_encoded_words(out, s + i, end - i);
		i = end + 1;
	}
	return rc;
}

/* Untrusted text as a Subject value or display name (clean, encoded). */
static int header_text(const char *s, int is_name, struct strbuf *out,
		       struct dg_err *err)
{
	struct strbuf clean = STRBUF_INIT;
	int rc;

	rc = clean_text(s, &clean);
	if (!rc && is_name && name_fits_quoted(clean.buf))
		rc = strbuf_addbuf(out, &clean);
	else if (!rc)
		rc = add_phrase(out, clean.buf, is_name);
	strbuf_release(&clean);
	return rc ? oom(err) : 0;
}

int mimehdr_subject(const char *s, struct strbuf *out, struct dg_err *err)
{
	return header_text(s, 0, out, err);
}

int mimehdr_display_name(const char *s, struct strbuf *out, struct dg_err *err)
{
	return header_text(s, 1, out, err);
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

int mimehdr_check_address(const char *what, const char *addr,
			  struct dg_err *err)
{
	const char *why = addr_problem(addr, ADDRESS_MAX, is_domain_char);

	return why ? refuse(err, what, addr, why) : 0;
}

int mimehdr_check_message_id(const char *id, struct dg_err *err)
{
	const char *why = addr_problem(id, MESSAGE_ID_MAX, is_atext);

	return why ? refuse(err, "message id", id, why) : 0;
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

int mimehdr_parse_from(const char *from, struct strbuf *name,
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
	return mimehdr_check_address("sender (from) address", addr->buf, err);
}

int mimehdr_check_name(const char *name, struct dg_err *err)
{
	static const char rule[] = "a header name is 1 to 76 printable "
				   "ASCII characters without ':' or spaces";
	const char *p;

	if (!*name || strlen(name) > HEADER_NAME_MAX)
		return refuse(err, "extra header name", name, rule);
	for (p = name; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == ':')
			return refuse(err, "extra header name", name, rule);
	return 0;
}

static int is_ascii_blank(int c)
{
	return c <= 0x20 || c == 0x7f;
}

/*
 * libetpan folds only between words and corrupts a word that is too long,
 * so a long word is cut with white space where that is harmless, inside
 * <...> (RFC 2369: white space in a URL there is ignored; RFC 3986
 * appendix C), and refused anywhere else.
 */
int mimehdr_extra_value(const char *name, const char *value, struct strbuf *out,
			struct dg_err *err)
{
	/* the first piece shares its line with "Name: " */
	size_t first = strlen(name) + 3, start = out->len;
	const char *v = value;
	size_t i, j, wlen, run, piece;
	int inside = 0, rc = 0;

	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] > 0x7f)
			return dg_errf(err, DG_EINVAL,
				       "extra header \"%s\" has non-ASCII "
				       "characters in its value; "
				       "percent-encode them",
				       name);
	for (i = 0; v[i] && !rc; i += wlen) {
		for (wlen = 0; v[i + wlen] &&
			       !is_ascii_blank((unsigned char)v[i + wlen]);)
			wlen++;
		if (!wlen) {
			wlen = 1;
			continue;
		}
		piece = URL_PIECE;
		if (out->len == start && first < URL_PIECE / 2)
			piece = URL_PIECE - first;
		if (out->len > start)
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
					       name, EXTRA_WORD_MAX);
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
	if (out->len == start)
		return dg_errf(err, DG_EINVAL, "extra header \"%s\" is empty",
			       name);
	return 0;
}

/*
 * Whether s[0..n) keeps the promises of mime.h, quickly: a line at a time
 * (memchr finds its end), its bytes looked at without a branch each.
 * False whenever the walk of mimehdr_check_written() would find a fault.
 */
static bool written_is_clean(const char *s, size_t n, bool in_header)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		unsigned hi = 0, bad = 0;

		if (nl && (!len || p[len - 1] != '\r'))
			return false;
		len -= nl ? 1 : 0;
		if (len > WRITTEN_LINE_MAX)
			return false;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)p[i];

			hi |= c;
			bad |= (c == '\r') | (c == '\0');
		}
		if ((hi & 0x80) || bad)
			return false;
		if (in_header && len) {
			size_t b = 0;

			while (b < len && (p[b] == ' ' || p[b] == '\t'))
				b++;
			if (b == len)
				return false;
		}
		in_header = in_header && len;
		p += len + (nl ? 2 : 0);
	}
	return true;
}

int mimehdr_check_written(const char *msg, size_t from, size_t to,
			  bool header, struct dg_err *err)
{
	size_t i, line = 0, blanks = 0;
	bool in_header = header;

	if (written_is_clean(msg + from, to - from, header))
		return 0;
	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == '\r' && i + 1 < to && msg[i + 1] == '\n') {
			if (in_header && line && blanks == line)
				return dg_errf(err, DG_EINTERNAL,
					       "a header line of blanks was "
					       "written at offset %zu",
					       i);
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
				       "a byte 0x%02x was written at "
				       "offset %zu of a message",
				       c, i);
		if (++line > WRITTEN_LINE_MAX)
			return dg_errf(err, DG_EINTERNAL,
				       "a line of over %d octets was "
				       "written at offset %zu of a message",
				       WRITTEN_LINE_MAX, i);
	}
	return dg_errf(err, DG_EINTERNAL, "a message was written that is "
		       "not clean");
}
