/*
 * toml_scan: the lexical half of the TOML reader, internal to core/toml.c.
 *
 * A cursor walks the text keeping the line and the column (in characters)
 * of the next byte; every error is reported at a position through it. This
 * half knows the checks on the whole text (UTF-8, control characters) and
 * the four kinds of strings with their escapes; numbers and date-times are
 * read by toml_scalar.c (toml_scalar.h) on the same cursor. toml.c keeps
 * the tree and the rules about tables.
 *
 * Invariants: the cursor never moves past end; after
 * toml_scan_check_text() succeeded, the text is valid UTF-8 without NUL,
 * DEL, bare CR or control characters other than tab and new line, so the
 * scanners only check what the grammar adds.
 */
#ifndef DIGEST_TOML_SCAN_H
#define DIGEST_TOML_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"
#include "toml.h"

struct toml_cursor {
	const char *p;
	const char *end;
	int line;
	int col;
	const char *name; /* of the source, for messages; may be NULL */
	struct dg_err *err;
};

/* The byte ahead bytes after the cursor, or -1 past the end. */
static inline int toml_scan_peek(const struct toml_cursor *c, size_t ahead)
{
	if ((size_t)(c->end - c->p) <= ahead)
		return -1;
	return (unsigned char)c->p[ahead];
}

/* Move n bytes on (at most to the end), counting lines and characters. */
static inline void toml_scan_advance(struct toml_cursor *c, size_t n)
{
	while (n-- && c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p++;

		if (ch == '\n') {
			c->line++;
			c->col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c->col++;
		}
	}
}

/*
 * Fill c->err with "line L, column C: fmt", or "name:L:C: fmt" when the
 * cursor has a name; returns code.
 */
int toml_scan_errf(struct toml_cursor *c, int code, int line, int col,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Describe the next character for a message: "'x'", "the end of the line". */
void toml_scan_describe(const struct toml_cursor *c, char *buf, size_t size);

/* Skip spaces and tabs. */
void toml_scan_skip_ws(struct toml_cursor *c);

/* Refuse invalid UTF-8 and control characters anywhere in the text. */
int toml_scan_check_text(struct toml_cursor *c)
	__attribute__((warn_unused_result));

/*
 * At a quote: append the string's value to out and move past it.
 * multiline_ok false refuses """ and ''' (keys cannot be multi-line).
 */
int toml_scan_string(struct toml_cursor *c, bool multiline_ok,
		     struct strbuf *out) __attribute__((warn_unused_result));

/*
 * code (DG_ENOMEM or DG_ETOOBIG) at the cursor: "out of memory" or
 * "value too large"; returns code.
 */
int toml_scan_nomem(struct toml_cursor *c, int code);

/* The value of hex digit ch (either case), or -1. */
int toml_scan_hex_value(int ch);

#endif
