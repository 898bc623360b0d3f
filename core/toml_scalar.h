/*
 * toml_scalar: the bare values of the TOML reader, numbers and
 * date-times; a part of module toml, internal to core/toml.c.
 *
 * A bare value runs to the first character that no number or date-time
 * holds (a date's space before its time counts as its 'T'). Integers are
 * decimal, or hexadecimal, octal or binary after 0x, 0o, 0b, with
 * underscores only between digits, and must fit in 64 bits; floats are
 * read in the C locale whatever LC_NUMERIC says, inf and nan included;
 * date-times are checked field by field (a 30 February is refused) and
 * kept as normalized text ('T' and 'Z' upper case). Errors point at the
 * value's first character and echo at most 40 bytes of it.
 *
 * Invariants: the cursor moves past the value only when it was read;
 * toml_scan_check_text() has passed on the text (toml_scan.h).
 * Ownership: a date-time's text is the caller's.
 */
#ifndef DIGEST_TOML_SCALAR_H
#define DIGEST_TOML_SCALAR_H

#include <stdint.h>

#include "toml.h"
#include "toml_scan.h"

/* A number, a boolean-free scalar: what toml_scalar_scan() found. */
struct toml_scalar {
	enum toml_type type; /* integer, float or one of the date-times */
	int64_t i;
	double f;
	char *text; /* date-times: normalized text, yours: free() it */
};

/* At the start of a number or a date-time: parse it and move past it. */
int toml_scalar_scan(struct toml_cursor *c, struct toml_scalar *out)
	__attribute__((warn_unused_result));

#endif
