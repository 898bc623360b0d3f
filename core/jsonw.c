#include "jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static int indent(struct strbuf *out, enum jsonw_style style, int level)
{
	int rc = 0;

	for (int i = 0; !rc && style == JSONW_PRETTY && i < level; i++)
		rc = strbuf_addstr(out, "  ");
	return rc;
}

static int write_string(const char *s, size_t len, struct strbuf *out)
{
	int rc = strbuf_addch(out, '"');
	size_t from = 0;

	for (size_t i = 0; !rc && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *named = c == '"'    ? "\\\""
				    : c == '\\' ? "\\\\"
				    : c == '\b' ? "\\b"
				    : c == '\f' ? "\\f"
				    : c == '\n' ? "\\n"
				    : c == '\r' ? "\\r"
				    : c == '\t' ? "\\t"
						: NULL;

		if (!named && c >= 0x20)
			continue;
		rc = strbuf_add(out, s + from, i - from);
		if (!rc && named)
			rc = strbuf_addstr(out, named);
		else if (!rc)
			rc = strbuf_addf(out, "\\u00%02x", c);
		from = i + 1;
	}
	rc = rc ? rc : strbuf_add(out, s + from, len - from);
	return rc ? rc : strbuf_addch(out, '"');
}

/* As json-c writes a double: %.17g, with ".0" when it looks whole. */
static int write_double(double d, struct strbuf *out)
{
	char buf[64];

	if (isnan(d))
		return strbuf_addstr(out, "NaN");
	if (isinf(d))
		return strbuf_addstr(out, d > 0 ? "Infinity" : "-Infinity");
	snprintf(buf, sizeof(buf), "%.17g", d);
	if (!strpbrk(buf, ".eE"))
		strcat(buf, ".0");
	return strbuf_addstr(out, buf);
}

static int write_value(json_object *v, enum jsonw_style style, int level,
		       struct strbuf *out)
{
	bool pretty = style == JSONW_PRETTY;
	size_t i = 0;
	int rc;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return strbuf_addstr(out, "null");
	case json_type_boolean:
		return strbuf_addstr(out,
				     json_object_get_boolean(v) ? "true" : "false");
	case json_type_int:
		if (json_object_get_int64(v) == INT64_MAX)
			return strbuf_addf(out, "%" PRIu64,
					   json_object_get_uint64(v));
		return strbuf_addf(out, "%" PRId64, json_object_get_int64(v));
	case json_type_double:
		return write_double(json_object_get_double(v), out);
	case json_type_string:
		return write_string(json_object_get_string(v),
				    (size_t)json_object_get_string_len(v), out);
	case json_type_array:
		rc = strbuf_addstr(out, pretty ? "[\n" : "[");
		for (i = 0; !rc && i < json_object_array_length(v); i++) {
			if (i)
				rc = strbuf_addstr(out, pretty ? ",\n" : ",");
			rc = rc ? rc : indent(out, style, level + 1);
			rc = rc ? rc
				: write_value(json_object_array_get_idx(v, i),
					      style, level + 1, out);
		}
		if (!rc && pretty && i)
			rc = strbuf_addch(out, '\n');
		rc = rc ? rc : indent(out, style, level);
		return rc ? rc : strbuf_addch(out, ']');
	case json_type_object:
		rc = strbuf_addstr(out, pretty ? "{\n" : "{");
		json_object_object_foreach(v, key, val)
		{
			if (!rc && i++)
				rc = strbuf_addstr(out, pretty ? ",\n" : ",");
			rc = rc ? rc : indent(out, style, level + 1);
			rc = rc ? rc : write_string(key, strlen(key), out);
			rc = rc ? rc : strbuf_addstr(out, pretty ? ": " : ":");
			rc = rc ? rc : write_value(val, style, level + 1, out);
		}
		if (!rc && pretty && i)
			rc = strbuf_addch(out, '\n');
		rc = rc ? rc : indent(out, style, level);
		return rc ? rc : strbuf_addch(out, '}');
	}
	return DG_EINVAL;
}

int jsonw_write(json_object *v, enum jsonw_style style, struct strbuf *out)
{
	return write_value(v, style, 0, out);
}
