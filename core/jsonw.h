/*
 * jsonw: json-c values written out as JSON text, all of it or nothing.
 *
 * json-c's own writer (json_object_to_json_string_ext(), 0.16) ignores
 * the pieces it fails to append when memory runs out: it hands back text
 * with a key, a value or a bracket missing, and no error. What digest
 * writes for others to read (the digest model of `preview --format json`,
 * `status --json`, a $batch request, JSON log lines) goes through here
 * instead.
 *
 * Output: the same text as json-c's writer with the flags named below, so
 * that nothing a reader sees changes: '/' is never escaped, '"', '\' and
 * control characters are (\b \f \n \r \t by name, others as \u00xx),
 * other bytes are copied as they are (json-c holds valid UTF-8).
 * Errors: 0, or DG_ENOMEM / DG_ETOOBIG from out (which a failed append
 * empties, as strbuf.h says). Nothing is allocated but out's buffer.
 */
#ifndef DIGEST_JSONW_H
#define DIGEST_JSONW_H

#include <json-c/json.h>

#include "strbuf.h"

enum jsonw_style {
	/* JSON_C_TO_STRING_PLAIN | NOSLASHESCAPE: {"a":1,"b":[2]} */
	JSONW_PLAIN,
	/* JSON_C_TO_STRING_PRETTY | SPACED | NOSLASHESCAPE: two spaces an
	 * indent, "key": value */
	JSONW_PRETTY
};

/* Append v (NULL: null) as JSON text to out. */
int jsonw_write(json_object *v, enum jsonw_style style, struct strbuf *out)
	__attribute__((warn_unused_result));

#endif
