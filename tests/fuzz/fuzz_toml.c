/*
 * fuzz_toml: the TOML reader (toml_parse) and its date-time parser.
 *
 * Invariants: a parse either fails with a message or gives a tree whose
 * every key and string is well-formed UTF-8 (TOML requires it), whose
 * tables and arrays can be walked to the end, and which frees cleanly.
 */
#include "err.h"
#include "fuzz.h"
#include "toml.h"

static void walk(const struct toml_value *v, int depth)
{
	FUZZ_ASSERT(depth < 10000);
	switch (toml_type(v)) {
	case TOML_STRING:
		FUZZ_ASSERT(toml_string(v));
		FUZZ_ASSERT(fuzz_utf8_ok(toml_string(v), toml_string_len(v)));
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < toml_table_size(v); i++) {
			FUZZ_ASSERT(fuzz_utf8_ok(toml_table_key(v, i),
						 toml_table_key_len(v, i)));
			walk(toml_table_at(v, i), depth + 1);
		}
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < toml_array_size(v); i++)
			walk(toml_array_at(v, i), depth + 1);
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		FUZZ_ASSERT(toml_datetime_text(v));
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root = NULL;
	struct dg_err err = DG_ERR_INIT;
	enum toml_type type;
	char *norm = NULL;

	if (!toml_parse((const char *)data, size, &root, &err)) {
		FUZZ_ASSERT(root && toml_type(root) == TOML_TABLE);
		walk(root, 0);
		toml_free(root);
	} else {
		FUZZ_ASSERT(err.msg[0]);
	}
	if (size < 64 && !toml_datetime_parse((const char *)data, size, &type,
					      &norm, &err)) {
		FUZZ_ASSERT(norm && fuzz_one_line(norm));
		free(norm);
	}
	return 0;
}
