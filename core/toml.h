/*
 * toml: a TOML 1.0 reader that builds a small document tree.
 *
 * Debian ships no C TOML library, so this one is written against the
 * public toml-test suite (tests/conformance/toml_test.py runs all of it).
 * toml_parse() takes the whole text, checks it completely (UTF-8, control
 * characters, every redefinition rule of the spec) and either hands out a
 * tree or refuses with one message "line L, column C: what is wrong"; the
 * caller puts the file name in front.
 *
 * Invariants: the root is a table; tables keep their keys in the order they
 * were written and never hold a key twice; every value remembers the line
 * and column (1-based, columns count characters) where it was defined.
 * Strings and keys are valid UTF-8 and NUL-terminated, but may hold NUL
 * bytes of their own (written as \u0000): the *_len accessors give the true
 * length. A tree is read-only once parsed.
 *
 * Accessors are forgiving: asked for the wrong type or an index out of
 * range they return 0, false or NULL, so a caller checks toml_type() first.
 */
#ifndef DIGEST_TOML_H
#define DIGEST_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,	     /* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL, /* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,     /* 1979-05-27 */
	TOML_TIME_LOCAL,     /* 07:32:00 */
	TOML_ARRAY,
	TOML_TABLE
};

struct toml_value;

/*
 * Parse len bytes of text (a leading UTF-8 byte order mark is skipped).
 * On success *root is a table and yours: free it with toml_free(). On
 * failure *root is NULL and err says "line L, column C: ..." (DG_EPARSE,
 * or DG_ENOMEM).
 */
int toml_parse(const char *text, size_t len, struct toml_value **root,
	       struct dg_err *err) __attribute__((warn_unused_result));

/*
 * As toml_parse(), but messages name the source the way compilers do:
 * "digest.toml:3:7: expected '=' after a key".
 */
int toml_parse_named(const char *text, size_t len, const char *name,
		     struct toml_value **root, struct dg_err *err)
	__attribute__((warn_unused_result));

/*
 * Read len bytes of text as one TOML date-time, which is RFC 3339 with a
 * space allowed for the 'T' ("2026-11-23T10:00:00Z", "07:30:00"). *type
 * is one of the four date-time types and *normalized the text as
 * toml_datetime_text() would give it: yours, free() it. DG_EPARSE (err
 * says why) when text is anything else.
 */
int toml_datetime_parse(const char *text, size_t len, enum toml_type *type,
			char **normalized, struct dg_err *err)
	__attribute__((warn_unused_result));

/* Free v and everything under it. NULL is a no-op. */
void toml_free(struct toml_value *v);

enum toml_type toml_type(const struct toml_value *v);

/* "string", "integer", ..., "table": for messages. */
const char *toml_type_name(enum toml_type type);

/* Where v was defined: its first character, or its [header]. */
int toml_line(const struct toml_value *v);
int toml_column(const struct toml_value *v);

/* Tables: keys in the order they were written. Borrowed from the tree. */
size_t toml_table_size(const struct toml_value *t);
const char *toml_table_key(const struct toml_value *t, size_t i);
size_t toml_table_key_len(const struct toml_value *t, size_t i);
const struct toml_value *toml_table_at(const struct toml_value *t, size_t i);
/* The value under key (a NUL-terminated name), or NULL. */
const struct toml_value *toml_table_get(const struct toml_value *t,
					const char *key);

size_t toml_array_size(const struct toml_value *a);
const struct toml_value *toml_array_at(const struct toml_value *a, size_t i);

/* Scalars. Strings and date-times are borrowed from the tree. */
const char *toml_string(const struct toml_value *v);
size_t toml_string_len(const struct toml_value *v);
int64_t toml_integer(const struct toml_value *v);
double toml_float(const struct toml_value *v);
bool toml_bool(const struct toml_value *v);

/*
 * Any of the four date-time types as RFC 3339 text: 'T' between date and
 * time, 'Z' upper-case, the fraction of a second kept as written
 * ("1979-05-27T00:32:00.999-07:00", "07:32:00", "1979-05-27").
 */
const char *toml_datetime_text(const struct toml_value *v);

#endif
