/*
 * roster_build: what the two roster readers (CSV, JSON lines) share.
 *
 * Internal to roster*.c; other modules use roster.h. A reader turns each
 * row into a struct roster_person (raw but trimmed) and hands it to
 * roster_build_add(), which checks everything that does not depend on the
 * file format (the email, aliases and results, duplicates across the whole
 * file) and moves the person into the roster being built. So both formats
 * refuse the same things with the same messages ("roster.csv:12: duplicate
 * email ann@contoso.com (first on line 4)").
 *
 * Errors: int functions return 0 or a DG_E* code and fill b->err.
 */
#ifndef DIGEST_ROSTER_BUILD_H
#define DIGEST_ROSTER_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "roster.h"

/* What a CSV column or a JSON key means. */
enum roster_column {
	ROSTER_COLUMN_EMAIL,
	ROSTER_COLUMN_NAME,
	ROSTER_COLUMN_TITLE,
	ROSTER_COLUMN_ALIASES,
	ROSTER_COLUMN_OPT_OUT,
	ROSTER_COLUMN_RESULT /* any other name: an assessment */
};

/* The emails and aliases seen so far, with their first line. */
struct roster_build_slot;
struct roster_build_set {
	struct roster_build_slot *v;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

struct roster_build {
	const char *name; /* the file name, for messages */
	struct roster *out;
	struct dg_err *err;
	struct roster_build_set seen;
};

/* Build into out (empty) for the file called name. Allocates nothing. */
void roster_build_init(struct roster_build *b, const char *name,
		       struct roster *out, struct dg_err *err);

/* Free what b holds (not out). */
void roster_build_release(struct roster_build *b);

/*
 * Check p (p->line set) and move it into b->out. p stays the caller's to
 * release: after a success it is empty.
 */
int roster_build_add(struct roster_build *b, struct roster_person *p)
	__attribute__((warn_unused_result));

/* Fill b->err with "<file>: out of memory"; returns DG_ENOMEM. */
int roster_build_nomem(struct roster_build *b);

/* The meaning of a lower-cased column name or key. */
enum roster_column roster_build_column(const char *name);

/* True when name may name an assessment: [a-z0-9_-]+. */
bool roster_build_name_ok(const char *name);

/*
 * A copy of s[0..len) without blanks at either end; with text (name,
 * title) line ends inside become "\n". Yours to free(); NULL: no memory.
 */
char *roster_build_trimmed(const char *s, size_t len, bool text);

/* Add each ';'-separated, trimmed, non-empty address of s[0..len). */
int roster_build_aliases(struct roster_person *p, const char *s, size_t len)
	__attribute__((warn_unused_result));

/* True when s[0..len) is UTF-8 text without NUL bytes. */
bool roster_build_utf8(const char *s, size_t len);

/* Index just past the line end (LF, CRLF or a lone CR) at or after pos. */
size_t roster_build_line_end(const char *text, size_t len, size_t pos);

/* True when s[0..len) holds more than blanks and line ends. */
bool roster_build_has_content(const char *s, size_t len);

/* Step over a UTF-8 byte order mark, as spreadsheets write one. */
void roster_build_skip_bom(const char **text, size_t *len);

/* strcmp with ASCII case folding (as SQLite's NOCASE). */
int roster_build_casecmp(const char *a, const char *b);

/* Lower-case the ASCII letters of s in place. */
void roster_build_lower(char *s);

#endif
