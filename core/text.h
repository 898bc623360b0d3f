/*
 * text: small helpers over UTF-8 text held as bytes and a length.
 *
 * For the readers of files that people write by hand or export from a
 * spreadsheet (the roster): byte order marks, the three kinds of line
 * end, blanks at either end, ASCII case folding. Nothing here looks at the
 * locale: case folding is ASCII only, as SQLite's NOCASE, so that what
 * compares equal here compares equal in the store.
 */
#ifndef DIGEST_TEXT_H
#define DIGEST_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* c with ASCII 'A'..'Z' lowered; every other value as it is. */
int text_ascii_lower(int c);

/* strcmp with ASCII case folding (as SQLite's NOCASE). */
int text_casecmp(const char *a, const char *b);

/* Lower-case the ASCII letters of s in place. */
void text_lower(char *s);

/*
 * True when s[0..len) is UTF-8 (no overlong forms, no surrogates, nothing
 * beyond U+10FFFF) without NUL bytes.
 */
bool text_is_utf8(const char *s, size_t len);

/*
 * The length of the one UTF-8 sequence that opens s[0..len): 1 for any
 * ASCII byte (NUL too), 2 to 4 for a valid sequence, 0 when it is not
 * valid UTF-8 (as text_is_utf8() judges it) or len is 0.
 */
size_t text_utf8_seq(const char *s, size_t len);

/*
 * The length of the run of ASCII bytes (NUL too) that opens s[0..len),
 * read eight bytes at a time: where a UTF-8 check has work to do.
 */
size_t text_ascii_span(const char *s, size_t len);

/* True when every byte of s is printable ASCII (0x21 to 0x7e): a URL. */
bool text_is_printable_ascii(const char *s);

/*
 * A copy of s[0..len) without blanks (space, tab, CR, LF) at either end;
 * with text (free text: a name, a title) line ends inside become "\n".
 * Yours to free(); NULL: no memory.
 */
char *text_trimmed(const char *s, size_t len, bool text);

/* Index just past the line end (LF, CRLF or a lone CR) at or after pos. */
size_t text_line_end(const char *text, size_t len, size_t pos);

/* True when s[0..len) holds more than blanks and line ends. */
bool text_has_content(const char *s, size_t len);

/* Step over a UTF-8 byte order mark, as spreadsheets write one. */
void text_skip_bom(const char **text, size_t *len);

/*
 * The strings of one record (a tenant user, a roster person) laid out for
 * one allocation, instead of one each: a run holds hundreds of thousands
 * of records, and an allocation costs its bytes rounded up plus malloc's
 * own 8 to 16. text_pack_add() appends s[0..len) and a NUL to layout,
 * unless those bytes are there already, as a string or the end of one
 * ("a@b" in "SMTP:a@b", "Adams" in "Ana Adams"): then s shares them.
 * *off is where s starts in layout, TEXT_PACK_NONE for a NULL s. s holds
 * no NUL. The caller copies layout into its block and turns offsets into
 * pointers with text_pack_at(); strings that share bytes must never be
 * written to. Returns 0, or strbuf's DG_ENOMEM / DG_ETOOBIG (layout
 * emptied).
 */
#define TEXT_PACK_NONE ((size_t)-1)

int text_pack_add(struct strbuf *layout, const char *s, size_t len,
		  size_t *off) __attribute__((warn_unused_result));

/* The string at off in a block laid out so; NULL for TEXT_PACK_NONE. */
static inline char *text_pack_at(char *strings, size_t off)
{
	return off == TEXT_PACK_NONE ? NULL : strings + off;
}

#endif
