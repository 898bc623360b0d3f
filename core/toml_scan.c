#include "toml_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int toml_scan_errf(struct toml_cursor *c, int code, int line, int col,
		   const char *fmt, ...)
{
	char what[DG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->name)
		return dg_errf(c->err, code, "%s:%d:%d: %s", c->name, line, col,
			       what);
	return dg_errf(c->err, code, "line %d, column %d: %s", line, col, what);
}

int toml_scan_nomem(struct toml_cursor *c, int code)
{
	if (code == DG_ETOOBIG)
		return toml_scan_errf(c, code, c->line, c->col,
				      "value too large");
	return toml_scan_errf(c, code, c->line, c->col, "out of memory");
}

/*
 * Length of the UTF-8 sequence at s (n bytes available) and its code
 * point, or 0 when it is malformed, overlong, a surrogate or past U+10FFFF.
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t min;
	size_t len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		*cp = s[0] & 0x1F;
		min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		*cp = s[0] & 0x0F;
		min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		*cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return len;
}

void toml_scan_describe(const struct toml_cursor *c, char *buf, size_t size)
{
	int ch = toml_scan_peek(c, 0);
	uint32_t cp;

	if (ch < 0)
		snprintf(buf, size, "the end of the file");
	else if (ch == '\n' || ch == '\r')
		snprintf(buf, size, "the end of the line");
	else if (ch == ' ')
		snprintf(buf, size, "a space");
	else if (ch == '\t')
		snprintf(buf, size, "a tab");
	else if (ch > 0x20 && ch < 0x7F)
		snprintf(buf, size, "'%c'", ch);
	else if (utf8_decode((const unsigned char *)c->p,
			     (size_t)(c->end - c->p), &cp))
		snprintf(buf, size, "U+%04X", (unsigned)cp);
	else
		snprintf(buf, size, "byte 0x%02X", (unsigned)ch);
}

void toml_scan_skip_ws(struct toml_cursor *c)
{
	/* Spaces and tabs never change the line: count them directly. */
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) {
		c->p++;
		c->col++;
	}
}

int toml_scan_check_text(struct toml_cursor *c)
{
	struct toml_cursor at = *c;

	while (at.p < at.end) {
		const unsigned char *s = (const unsigned char *)at.p;
		uint32_t cp;
		size_t len;

		if (s[0] == '\r' && toml_scan_peek(&at, 1) != '\n')
			return toml_scan_errf(
				c, DG_EPARSE, at.line, at.col,
				"a carriage return must be followed by a line "
				"feed");
		if ((s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' &&
		     s[0] != '\r') ||
		    s[0] == 0x7F)
			return toml_scan_errf(
				c, DG_EPARSE, at.line, at.col,
				"control character U+%04X is not allowed; "
				"write it as an escape in a basic string",
				s[0]);
		len = utf8_decode(s, (size_t)(at.end - at.p), &cp);
		if (!len)
			return toml_scan_errf(c, DG_EPARSE, at.line, at.col,
					      "invalid UTF-8");
		toml_scan_advance(&at, len);
	}
	return 0;
}

static int add_utf8(struct strbuf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return strbuf_add(out, b, n);
}

int toml_scan_hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* At "\u" or "\U": the code point of digits hex digits, as UTF-8. */
static int scan_unicode(struct toml_cursor *c, int digits, struct strbuf *out)
{
	int line = c->line, col = c->col;
	uint32_t cp = 0;
	int rc;

	for (int i = 0; i < digits; i++) {
		int h = toml_scan_hex_value(toml_scan_peek(c, 2 + (size_t)i));

		if (h < 0)
			return toml_scan_errf(
				c, DG_EPARSE, line, col,
				"'\\%c' must be followed by %d hex digits",
				digits == 4 ? 'u' : 'U', digits);
		cp = (cp << 4) | (uint32_t)h;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return toml_scan_errf(
			c, DG_EPARSE, line, col,
			"escape '\\%c%.*s' is not a Unicode scalar value",
			digits == 4 ? 'u' : 'U', digits, c->p + 2);
	rc = add_utf8(out, cp);
	if (rc)
		return toml_scan_nomem(c, rc);
	toml_scan_advance(c, 2 + (size_t)digits);
	return 0;
}

/* At a backslash in a basic string: the escaped character. */
static int scan_escape(struct toml_cursor *c, struct strbuf *out)
{
	static const char from[] = "btnfr\"\\";
	static const char to[] = "\b\t\n\f\r\"\\";
	int e = toml_scan_peek(c, 1);
	const char *hit;
	char what[32];
	int rc;

	if (e == 'u')
		return scan_unicode(c, 4, out);
	if (e == 'U')
		return scan_unicode(c, 8, out);
	hit = e > 0 ? strchr(from, e) : NULL;
	if (!hit) {
		struct toml_cursor next = *c;
		int line = c->line, col = c->col;

		if (e > 0x20 && e < 0x7F)
			return toml_scan_errf(
				c, DG_EPARSE, line, col,
				"invalid escape '\\%c' in a string", e);
		toml_scan_advance(&next, 1);
		toml_scan_describe(&next, what, sizeof(what));
		return toml_scan_errf(
			c, DG_EPARSE, line, col,
			"invalid escape: a backslash followed by %s", what);
	}
	rc = strbuf_addch(out, to[hit - from]);
	if (rc)
		return toml_scan_nomem(c, rc);
	toml_scan_advance(c, 2);
	return 0;
}

/*
 * In a multi-line basic string, a backslash that ends a line (spaces and
 * tabs may follow it) swallows all white space and new lines after it.
 */
static bool line_ending_backslash(struct toml_cursor *c)
{
	const char *s = c->p + 1;

	while (s < c->end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == c->end || (*s != '\n' && *s != '\r'))
		return false;
	toml_scan_advance(c, 1);
	while (c->p < c->end && strchr(" \t\r\n", *c->p))
		toml_scan_advance(c, 1);
	return true;
}

/* Append the run of bytes up to the next byte in stops (or the end). */
static int take_run(struct toml_cursor *c, const char *stops,
		    struct strbuf *out)
{
	const char *s = c->p;
	int rc;

	while (s < c->end && !strchr(stops, *s))
		s++;
	rc = strbuf_add(out, c->p, (size_t)(s - c->p));
	if (rc)
		return toml_scan_nomem(c, rc);
	toml_scan_advance(c, (size_t)(s - c->p));
	return 0;
}

static int scan_line_string(struct toml_cursor *c, int quote,
			    struct strbuf *out)
{
	const char *stops = quote == '"' ? "\"\\\r\n" : "'\r\n";
	int line = c->line, col = c->col;

	toml_scan_advance(c, 1);
	for (;;) {
		int ch = toml_scan_peek(c, 0);
		int rc;

		if (ch < 0 || ch == '\n' || ch == '\r')
			return toml_scan_errf(
				c, DG_EPARSE, line, col,
				"unterminated string: a single-line string "
				"must end with %c on the line it starts",
				quote);
		if (ch == quote) {
			toml_scan_advance(c, 1);
			return 0;
		}
		if (quote == '"' && ch == '\\')
			rc = scan_escape(c, out);
		else
			rc = take_run(c, stops, out);
		if (rc)
			return rc;
	}
}

/*
 * At a run of quotes inside a multi-line string: up to two quotes may
 * precede the closing three. Sets *closed when the string ended.
 */
static int scan_ml_quotes(struct toml_cursor *c, int quote, bool *closed,
			  struct strbuf *out)
{
	size_t n = 0;
	int rc;

	while (toml_scan_peek(c, n) == quote)
		n++;
	if (n > 5)
		return toml_scan_errf(
			c, DG_EPARSE, c->line, c->col,
			"too many quotes: at most two may precede the end "
			"of a multi-line string");
	*closed = n >= 3;
	rc = strbuf_add(out, c->p, *closed ? n - 3 : n);
	if (rc)
		return toml_scan_nomem(c, rc);
	toml_scan_advance(c, n);
	return 0;
}

static int scan_ml_string(struct toml_cursor *c, int quote, struct strbuf *out)
{
	const char *stops = quote == '"' ? "\"\\\r" : "'\r";
	int line = c->line, col = c->col;
	bool closed = false;

	toml_scan_advance(c, 3);
	/* A new line right after the opening quotes is not part of it. */
	if (toml_scan_peek(c, 0) == '\n')
		toml_scan_advance(c, 1);
	else if (toml_scan_peek(c, 0) == '\r')
		toml_scan_advance(c, 2);
	while (!closed) {
		int ch = toml_scan_peek(c, 0);
		int rc;

		if (ch < 0)
			return toml_scan_errf(
				c, DG_EPARSE, line, col,
				"unterminated multi-line string: no closing "
				"%c%c%c",
				quote, quote, quote);
		if (ch == quote) {
			rc = scan_ml_quotes(c, quote, &closed, out);
		} else if (quote == '"' && ch == '\\') {
			rc = line_ending_backslash(c) ? 0 : scan_escape(c, out);
		} else if (ch == '\r') {
			/* CRLF is a new line like LF (check_text saw LF). */
			rc = strbuf_addch(out, '\n');
			if (rc)
				return toml_scan_nomem(c, rc);
			toml_scan_advance(c, 2);
		} else {
			rc = take_run(c, stops, out);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int toml_scan_string(struct toml_cursor *c, bool multiline_ok,
		     struct strbuf *out)
{
	int quote = toml_scan_peek(c, 0);

	if (toml_scan_peek(c, 1) != quote || toml_scan_peek(c, 2) != quote)
		return scan_line_string(c, quote, out);
	if (!multiline_ok)
		return toml_scan_errf(c, DG_EPARSE, c->line, c->col,
				      "a key cannot be a multi-line string");
	return scan_ml_string(c, quote, out);
}
