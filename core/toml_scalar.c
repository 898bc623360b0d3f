#include "toml_scalar.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tokens are echoed in messages up to this many bytes. */
#define TOKEN_SHOWN 40

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
	int v = toml_scan_hex_value(ch);

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
		d = (uint64_t)toml_scan_hex_value(tok[i]);
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
		return toml_scan_nomem(c, rc);
	/* strtod follows LC_NUMERIC, which the program may have set. */
	cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!cloc) {
		strbuf_release(&clean);
		return toml_scan_nomem(c, DG_ENOMEM);
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
		return toml_scan_nomem(c, rc);
	}
	out->text = strbuf_detach(&d.text, NULL);
	if (!out->text)
		return toml_scan_nomem(c, DG_ENOMEM);
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

int toml_scalar_scan(struct toml_cursor *c, struct toml_scalar *out)
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
