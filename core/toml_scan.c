#include "toml_scan.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens are echoed in messages up to this many bytes. */
#define TOKEN_SHOWN 40

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

static int nomem(struct toml_cursor *c, int code)
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

static int hex_value(int ch)
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
		int h = hex_value(toml_scan_peek(c, 2 + (size_t)i));

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
		return nomem(c, rc);
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
		return nomem(c, rc);
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
		return nomem(c, rc);
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
		return nomem(c, rc);
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
				return nomem(c, rc);
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

/* Numbers and date-times. */

static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_token_char(int ch)
{
	return is_digit(ch) || is_alpha(ch) || ch == '_' || ch == '+' ||
	       ch == '-' || ch == '.' || ch == ':';
}

static bool is_base_digit(int ch, int base)
{
	int v = hex_value(ch);

	return v >= 0 && v < base;
}

/*
 * Skip digit *('_'? digit) of base from tok[*i]: at least one digit, and
 * each underscore between two digits. False when malformed.
 */
static bool skip_digits(const char *tok, size_t n, size_t *i, int base)
{
	for (;;) {
		if (*i >= n || !is_base_digit(tok[*i], base))
			return false;
		while (*i < n && is_base_digit(tok[*i], base))
			(*i)++;
		if (*i >= n || tok[*i] != '_')
			return true;
		(*i)++;
	}
}

/* The digits of tok[from..n) (underscores skipped) as an int64. */
static bool to_int64(const char *tok, size_t from, size_t n, int base, bool neg,
		     int64_t *out)
{
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;

	for (size_t i = from; i < n; i++) {
		uint64_t d;

		if (tok[i] == '_')
			continue;
		d = (uint64_t)hex_value(tok[i]);
		if (v > (limit - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return true;
}

static int bad_number(struct toml_cursor *c, int line, int col, const char *tok,
		      size_t n, const char *why)
{
	return toml_scan_errf(c, DG_EPARSE, line, col,
			      "invalid number '%.*s'%s%s",
			      (int)(n < TOKEN_SHOWN ? n : TOKEN_SHOWN), tok,
			      *why ? ": " : "", why);
}

static bool scan_special_float(const char *tok, size_t n, double *out)
{
	size_t i = (tok[0] == '+' || tok[0] == '-') ? 1 : 0;
	double sign = tok[0] == '-' ? -1.0 : 1.0;

	if (n - i != 3)
		return false;
	if (!memcmp(tok + i, "inf", 3))
		*out = sign * INFINITY;
	else if (!memcmp(tok + i, "nan", 3))
		*out = copysign(NAN, sign);
	else
		return false;
	return true;
}

/* 0x, 0o, 0b: no sign, leading zeros allowed, never negative. */
static int scan_prefixed(struct toml_cursor *c, int line, int col,
			 const char *tok, size_t n, struct toml_scalar *out)
{
	int base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
	size_t i = 2;

	if (!skip_digits(tok, n, &i, base) || i != n)
		return bad_number(c, line, col, tok, n, "");
	out->type = TOML_INTEGER;
	if (!to_int64(tok, 2, n, base, false, &out->i))
		return bad_number(c, line, col, tok, n,
				  "it does not fit in 64 bits");
	return 0;
}

static int to_double(struct toml_cursor *c, int line, int col, const char *tok,
		     size_t n, double *out)
{
	struct strbuf clean = STRBUF_INIT;
	locale_t cloc;
	char *end;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		if (tok[i] != '_')
			rc = strbuf_addch(&clean, tok[i]);
	if (rc)
		return nomem(c, rc);
	/* strtod follows LC_NUMERIC, which the program may have set. */
	cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!cloc) {
		strbuf_release(&clean);
		return nomem(c, DG_ENOMEM);
	}
	errno = 0;
	*out = strtod_l(clean.buf, &end, cloc);
	if (errno == ERANGE && isinf(*out))
		rc = bad_number(c, line, col, tok, n,
				"it does not fit in a 64-bit float");
	freelocale(cloc);
	strbuf_release(&clean);
	return rc;
}

static int scan_number(struct toml_cursor *c, int line, int col,
		       const char *tok, size_t n, struct toml_scalar *out)
{
	size_t i = 0, digits_at;
	bool neg = false, is_float = false;

	if (scan_special_float(tok, n, &out->f)) {
		out->type = TOML_FLOAT;
		return 0;
	}
	if (is_alpha(tok[0]))
		return toml_scan_errf(
			c, DG_EPARSE, line, col,
			"invalid value '%.*s': a string must be quoted and a "
			"boolean is true or false",
			(int)(n < TOKEN_SHOWN ? n : TOKEN_SHOWN), tok);
	if (tok[0] == '+' || tok[0] == '-') {
		neg = tok[0] == '-';
		i = 1;
	}
	if (n - i > 1 && tok[i] == '0' && strchr("xob", tok[i + 1])) {
		if (i)
			return bad_number(
				c, line, col, tok, n,
				"a sign is not allowed before a prefix");
		return scan_prefixed(c, line, col, tok, n, out);
	}
	digits_at = i;
	if (!skip_digits(tok, n, &i, 10))
		return bad_number(c, line, col, tok, n, "");
	if (tok[digits_at] == '0' && i - digits_at > 1)
		return bad_number(c, line, col, tok, n,
				  "leading zeros are not allowed");
	if (i < n && tok[i] == '.') {
		is_float = true;
		i++;
		if (!skip_digits(tok, n, &i, 10))
			return bad_number(
				c, line, col, tok, n,
				"a decimal point needs digits on both sides");
	}
	if (i < n && (tok[i] == 'e' || tok[i] == 'E')) {
		is_float = true;
		i++;
		if (i < n && (tok[i] == '+' || tok[i] == '-'))
			i++;
		if (!skip_digits(tok, n, &i, 10))
			return bad_number(c, line, col, tok, n,
					  "the exponent needs digits");
	}
	if (i != n)
		return bad_number(c, line, col, tok, n, "");
	if (is_float) {
		out->type = TOML_FLOAT;
		return to_double(c, line, col, tok, n, &out->f);
	}
	out->type = TOML_INTEGER;
	if (!to_int64(tok, digits_at, n, 10, neg, &out->i))
		return bad_number(c, line, col, tok, n,
				  "it does not fit in 64 bits");
	return 0;
}

/* Exactly width digits at tok[*i]. */
static bool take_num(const char *tok, size_t n, size_t *i, int width, int *out)
{
	*out = 0;
	for (int k = 0; k < width; k++, (*i)++) {
		if (*i >= n || !is_digit(tok[*i]))
			return false;
		*out = *out * 10 + (tok[*i] - '0');
	}
	return true;
}

static bool take_char(const char *tok, size_t n, size_t *i, int ch)
{
	if (*i >= n || tok[*i] != ch)
		return false;
	(*i)++;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* A date-time being read: the token, where it is, and the text so far. */
struct dt_scan {
	const char *tok;
	size_t n;
	size_t i;
	struct strbuf text;
	const char *why; /* what was wrong, for the message */
};

static bool dt_date(struct dt_scan *d)
{
	int y, m, day;

	if (!take_num(d->tok, d->n, &d->i, 4, &y) ||
	    !take_char(d->tok, d->n, &d->i, '-') ||
	    !take_num(d->tok, d->n, &d->i, 2, &m) ||
	    !take_char(d->tok, d->n, &d->i, '-') ||
	    !take_num(d->tok, d->n, &d->i, 2, &day)) {
		d->why = "a date is written YYYY-MM-DD";
		return false;
	}
	if (m < 1 || m > 12) {
		d->why = "the month must be 01 to 12";
		return false;
	}
	if (day < 1 || day > days_in_month(y, m)) {
		d->why = "that day does not exist in that month";
		return false;
	}
	return true;
}

static bool dt_time(struct dt_scan *d)
{
	int h, m, s;

	if (!take_num(d->tok, d->n, &d->i, 2, &h) ||
	    !take_char(d->tok, d->n, &d->i, ':') ||
	    !take_num(d->tok, d->n, &d->i, 2, &m) ||
	    !take_char(d->tok, d->n, &d->i, ':') ||
	    !take_num(d->tok, d->n, &d->i, 2, &s)) {
		d->why = "a time is written HH:MM:SS";
		return false;
	}
	if (h > 23 || m > 59 || s > 59) {
		d->why = "the time is out of range (00:00:00 to 23:59:59)";
		return false;
	}
	if (take_char(d->tok, d->n, &d->i, '.') &&
	    !(d->i < d->n && is_digit(d->tok[d->i]))) {
		d->why = "a decimal point needs digits after it";
		return false;
	}
	while (d->i < d->n && is_digit(d->tok[d->i]))
		d->i++;
	return true;
}

static bool dt_offset(struct dt_scan *d)
{
	int h, m;

	if (take_char(d->tok, d->n, &d->i, 'Z') ||
	    take_char(d->tok, d->n, &d->i, 'z'))
		return true;
	if (!take_char(d->tok, d->n, &d->i, '+') &&
	    !take_char(d->tok, d->n, &d->i, '-'))
		return false;
	if (!take_num(d->tok, d->n, &d->i, 2, &h) ||
	    !take_char(d->tok, d->n, &d->i, ':') ||
	    !take_num(d->tok, d->n, &d->i, 2, &m) || h > 23 || m > 59) {
		d->why = "an offset is written Z or +HH:MM (at most 23:59)";
		return false;
	}
	return true;
}

/* Copy tok[from..to) to the text, upper-casing 't', ' ' and 'z'. */
static int dt_copy(struct dt_scan *d, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		char ch = d->tok[k];
		int rc;

		if (ch == 't' || ch == ' ')
			ch = 'T';
		else if (ch == 'z')
			ch = 'Z';
		rc = strbuf_addch(&d->text, ch);
		if (rc)
			return rc;
	}
	return 0;
}

/* Read the whole token as a date-time; false with d->why set if not. */
static bool dt_parse(struct dt_scan *d, enum toml_type *type)
{
	bool time_only = d->n >= 3 && d->tok[2] == ':';

	if (time_only) {
		*type = TOML_TIME_LOCAL;
		return dt_time(d);
	}
	if (!dt_date(d))
		return false;
	*type = TOML_DATE_LOCAL;
	if (d->i == d->n)
		return true;
	if (!strchr("Tt ", d->tok[d->i])) {
		d->why = "expected 'T' between the date and the time";
		return false;
	}
	d->i++;
	if (!dt_time(d))
		return false;
	*type = TOML_DATETIME_LOCAL;
	if (d->i == d->n)
		return true;
	if (!dt_offset(d))
		return false;
	*type = TOML_DATETIME;
	return true;
}

static int scan_datetime(struct toml_cursor *c, int line, int col,
			 const char *tok, size_t n, struct toml_scalar *out)
{
	struct dt_scan d = {.tok = tok, .n = n, .text = STRBUF_INIT};
	int rc;

	if (!dt_parse(&d, &out->type) || d.i != n)
		return toml_scan_errf(
			c, DG_EPARSE, line, col, "invalid date-time '%.*s': %s",
			(int)(n < TOKEN_SHOWN ? n : TOKEN_SHOWN), tok,
			d.why ? d.why : "unexpected text after it");
	rc = dt_copy(&d, 0, n);
	if (rc) {
		strbuf_release(&d.text);
		return nomem(c, rc);
	}
	out->text = strbuf_detach(&d.text, NULL);
	if (!out->text)
		return nomem(c, DG_ENOMEM);
	return 0;
}

static bool looks_like_date(const char *s, size_t n)
{
	return n >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
	       is_digit(s[3]) && s[4] == '-';
}

static bool looks_like_time(const char *s, size_t n)
{
	return n >= 3 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':';
}

int toml_scan_scalar(struct toml_cursor *c, struct toml_scalar *out)
{
	const char *tok = c->p;
	size_t avail = (size_t)(c->end - c->p), n = 0;
	int line = c->line, col = c->col;
	int rc;

	memset(out, 0, sizeof(*out));
	while (n < avail && is_token_char(tok[n]))
		n++;
	/* A space may stand for the 'T' of a date-time: "1979-05-27 07:32". */
	if (n == 10 && looks_like_date(tok, n) && n + 1 < avail &&
	    tok[n] == ' ' && is_digit(tok[n + 1])) {
		n++;
		while (n < avail && is_token_char(tok[n]))
			n++;
	}
	if (!n) {
		char what[32];

		toml_scan_describe(c, what, sizeof(what));
		return toml_scan_errf(c, DG_EPARSE, line, col,
				      "expected a value, found %s", what);
	}
	if (looks_like_date(tok, n) || looks_like_time(tok, n))
		rc = scan_datetime(c, line, col, tok, n, out);
	else
		rc = scan_number(c, line, col, tok, n, out);
	if (!rc)
		toml_scan_advance(c, n);
	return rc;
}
