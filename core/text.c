#include "text.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int text_ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int text_casecmp(const char *a, const char *b)
{
	while (*a && text_ascii_lower((unsigned char)*a) ==
			     text_ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return text_ascii_lower((unsigned char)*a) -
	       text_ascii_lower((unsigned char)*b);
}

void text_lower(char *s)
{
	for (; *s; s++)
		*s = (char)text_ascii_lower((unsigned char)*s);
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * True when s[0..len) is UTF-8 without NUL bytes: a spreadsheet saving in
 * its legacy code page is the usual cause, and better refused here than
 * mangled in every mail.
 */
bool text_is_printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

size_t text_utf8_seq(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n, k;
	uint32_t cp;

	if (!len)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 3;
	else
		return 0;
	if (len <= n)
		return 0;
	cp = s[0] & (0x3f >> n);
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n + 1;
}

size_t text_ascii_span(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	for (; len - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, u + i, sizeof(w));
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < len && u[i] < 0x80)
		i++;
	return i;
}

bool text_is_utf8(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		/* eight ASCII bytes, none of them NUL, at a time */
		while (len - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, sizeof(w));
			if ((w & 0x8080808080808080ull) ||
			    ((w - 0x0101010101010101ull) & ~w &
			     0x8080808080808080ull))
				break;
			i += 8;
		}
		if (i == len)
			break;
		if (!s[i])
			return false;
		n = text_utf8_seq(text + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/*
 * A copy of s[0..len) without blanks at either end. For free text (name,
 * title) line ends inside become "\n", whatever the file used.
 */
char *text_trimmed(const char *s, size_t len, bool text)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	while (len && is_blank((unsigned char)s[len - 1]))
		len--;
	while (len && is_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	for (i = 0; i < len; i++) {
		int c = s[i];

		if (text && c == '\r') {
			c = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		}
		if (strbuf_addch(&sb, c))
			return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* Index just past the line end (LF, CRLF or a lone CR) at or after pos. */
size_t text_line_end(const char *text, size_t len, size_t pos)
{
	while (pos < len && text[pos] != '\n' && text[pos] != '\r')
		pos++;
	if (pos < len && text[pos] == '\r' && pos + 1 < len &&
	    text[pos + 1] == '\n')
		pos++;
	return pos < len ? pos + 1 : len;
}

bool text_has_content(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_blank((unsigned char)s[i]))
			return true;
	return false;
}

/* A UTF-8 byte order mark, as spreadsheets write it. */
void text_skip_bom(const char **text, size_t *len)
{
	if (*len >= 3 && !memcmp(*text, "\xef\xbb\xbf", 3)) {
		*text += 3;
		*len -= 3;
	}
}

int text_pack_add(struct strbuf *layout, const char *s, size_t len,
		  size_t *off)
{
	const char *p = layout->buf, *end = layout->buf + layout->len;
	const char *at;
	int rc;

	*off = TEXT_PACK_NONE;
	if (!s)
		return 0;
	/* s followed by a NUL: the end of a string laid out already. */
	while ((size_t)(end - p) > len && (at = memmem(p, (size_t)(end - p),
						      s, len))) {
		if (at + len < end && !at[len]) {
			*off = (size_t)(at - layout->buf);
			return 0;
		}
		p = at + 1;
	}
	*off = layout->len;
	rc = strbuf_add(layout, s, len);
	if (!rc)
		rc = strbuf_addch(layout, '\0');
	return rc;
}
