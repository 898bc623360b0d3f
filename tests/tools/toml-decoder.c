/*
 * toml-decoder: the decoder interface of toml-test.
 *
 * Reads TOML on stdin and writes it on stdout as toml-test's tagged JSON:
 * tables are objects, arrays are arrays, every other value is
 * {"type": "integer", "value": "42"}. Invalid TOML: the error on stderr,
 * exit 1. JSON is written by hand because keys may hold NUL bytes.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "strbuf.h"
#include "toml.h"

static int add_json_string(struct strbuf *out, const char *s, size_t len)
{
	int rc = strbuf_addch(out, '"');

	for (size_t i = 0; i < len && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			rc = strbuf_addf(out, "\\%c", ch);
		else if (ch < 0x20)
			rc = strbuf_addf(out, "\\u%04x", ch);
		else
			rc = strbuf_addch(out, (char)ch);
	}
	return rc ? rc : strbuf_addch(out, '"');
}

/* toml-test's name of a type: toml_type_name()'s, but for these. */
static const char *tag(enum toml_type type)
{
	switch (type) {
	case TOML_BOOL:
		return "bool";
	case TOML_DATETIME:
		return "datetime";
	case TOML_DATETIME_LOCAL:
		return "datetime-local";
	case TOML_DATE_LOCAL:
		return "date-local";
	case TOML_TIME_LOCAL:
		return "time-local";
	default:
		return toml_type_name(type);
	}
}

static int add_scalar_text(struct strbuf *out, const struct toml_value *v)
{
	double f;

	switch (toml_type(v)) {
	case TOML_STRING:
		return add_json_string(out, toml_string(v), toml_string_len(v));
	case TOML_INTEGER:
		return strbuf_addf(out, "\"%" PRId64 "\"", toml_integer(v));
	case TOML_FLOAT:
		f = toml_float(v);
		if (isnan(f))
			return strbuf_addstr(out, "\"nan\"");
		if (isinf(f))
			return strbuf_addstr(out,
					     f < 0 ? "\"-inf\"" : "\"inf\"");
		return strbuf_addf(out, "\"%.17g\"", f);
	case TOML_BOOL:
		return strbuf_addstr(out,
				     toml_bool(v) ? "\"true\"" : "\"false\"");
	default:
		return add_json_string(out, toml_datetime_text(v),
				       strlen(toml_datetime_text(v)));
	}
}

static int add_value(struct strbuf *out, const struct toml_value *v)
{
	int rc = 0;

	if (toml_type(v) == TOML_TABLE) {
		rc = strbuf_addch(out, '{');
		for (size_t i = 0; i < toml_table_size(v) && !rc; i++) {
			if (i)
				rc = strbuf_addch(out, ',');
			if (!rc)
				rc = add_json_string(out, toml_table_key(v, i),
						     toml_table_key_len(v, i));
			if (!rc)
				rc = strbuf_addch(out, ':');
			if (!rc)
				rc = add_value(out, toml_table_at(v, i));
		}
		return rc ? rc : strbuf_addch(out, '}');
	}
	if (toml_type(v) == TOML_ARRAY) {
		rc = strbuf_addch(out, '[');
		for (size_t i = 0; i < toml_array_size(v) && !rc; i++) {
			if (i)
				rc = strbuf_addch(out, ',');
			if (!rc)
				rc = add_value(out, toml_array_at(v, i));
		}
		return rc ? rc : strbuf_addch(out, ']');
	}
	rc = strbuf_addf(out, "{\"type\":\"%s\",\"value\":", tag(toml_type(v)));
	if (!rc)
		rc = add_scalar_text(out, v);
	return rc ? rc : strbuf_addch(out, '}');
}

int main(void)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct toml_value *root = NULL;
	int rc;

	if (strbuf_read_fd(&in, 0)) {
		perror("toml-decoder: stdin");
		return 2;
	}
	rc = toml_parse(in.buf, in.len, &root, &err);
	strbuf_release(&in);
	if (rc) {
		fprintf(stderr, "toml-decoder: %s\n", err.msg);
		return 1;
	}
	rc = add_value(&out, root);
	toml_free(root);
	if (!rc)
		rc = strbuf_addch(&out, '\n');
	if (rc || fwrite(out.buf, 1, out.len, stdout) != out.len) {
		fprintf(stderr, "toml-decoder: cannot write the JSON\n");
		strbuf_release(&out);
		return 2;
	}
	strbuf_release(&out);
	return 0;
}
