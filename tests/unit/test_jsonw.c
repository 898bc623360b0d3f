/*
 * jsonw: JSON text written whole or not at all, the same text json-c's
 * own writer gives (so no reader sees a change), and an error (out
 * emptied, as any failed strbuf append) when out's limit is reached.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "err.h"
#include "jsonw.h"
#include "strbuf.h"

/* Everything a model, a status or a $batch holds, and the odd corners. */
static const char sample[] =
	"{\"locale\": \"en-US\", \"url\": \"https://a.example/x?y=1\","
	" \"text\": \"tab\\there \\\"q\\\" back\\\\slash \\u0001 \\u001f"
	" nl\\n cr\\r bs\\b ff\\f del\\u007f Zo\\u00eb \\u4e2d \\ud83d\\ude00\","
	" \"empty_list\": [], \"empty_map\": {}, \"null\": null,"
	" \"t\": true, \"f\": false, \"n\": -42, \"big\": 9223372036854775807,"
	" \"huge\": 18446744073709551615, \"d\": 0.5, \"whole\": 2.0,"
	" \"tiny\": 1e-300, \"list\": [1, [2, [3, {}]], {\"a\": [\"b\"]}],"
	" \"\": \"empty key\"}";

static json_object *parse_sample(void)
{
	json_object *j = json_tokener_parse(sample);

	assert_non_null(j);
	return j;
}

static void same_as_json_c(enum jsonw_style style, int flags)
{
	json_object *j = parse_sample();
	struct strbuf out = STRBUF_INIT;

	/* json-c keeps a parsed double's own text; ours writes %.17g, as
	 * json-c does for a double it did not parse: compare those */
	json_object_object_add(j, "d", json_object_new_double(0.5));
	json_object_object_add(j, "whole", json_object_new_double(2.0));
	json_object_object_add(j, "tiny", json_object_new_double(1e-300));
	assert_int_equal(jsonw_write(j, style, &out), 0);
	assert_string_equal(out.buf, json_object_to_json_string_ext(j, flags));
	strbuf_release(&out);
	json_object_put(j);
}

static void test_jsonw__plain_is_json_c_plain(void **state)
{
	same_as_json_c(JSONW_PLAIN, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_jsonw__pretty_is_json_c_pretty_spaced(void **state)
{
	same_as_json_c(JSONW_PRETTY, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_jsonw__written_text_parses_back_to_the_same(void **state)
{
	json_object *j = parse_sample(), *back;
	struct strbuf out = STRBUF_INIT;

	for (int style = JSONW_PLAIN; style <= JSONW_PRETTY; style++) {
		strbuf_reset(&out);
		assert_int_equal(jsonw_write(j, style, &out), 0);
		back = json_tokener_parse(out.buf);
		assert_non_null(back);
		assert_true(json_object_equal(j, back));
		json_object_put(back);
	}
	strbuf_release(&out);
	json_object_put(j);
}

/* At every limit short of the whole text: an error, never a part. */
static void test_jsonw__a_limit_gives_an_error_not_a_part(
	void **state)
{
	json_object *j = parse_sample();
	struct strbuf whole = STRBUF_INIT;

	assert_int_equal(jsonw_write(j, JSONW_PRETTY, &whole), 0);
	for (size_t max = 8; max < whole.len + 7; max += 7) {
		struct strbuf out;

		strbuf_init(&out, max);
		assert_int_equal(strbuf_addstr(&out, "ab"), 0);
		if (jsonw_write(j, JSONW_PRETTY, &out)) {
			assert_int_equal(out.len, 0);
			assert_true(max < whole.len + 2);
		} else {
			assert_int_equal(out.len, whole.len + 2);
		}
		strbuf_release(&out);
	}
	strbuf_release(&whole);
	json_object_put(j);
}

static void test_jsonw__null_is_null(void **state)
{
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(jsonw_write(NULL, JSONW_PLAIN, &out), 0);
	assert_string_equal(out.buf, "null");
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonw__plain_is_json_c_plain),
		cmocka_unit_test(test_jsonw__pretty_is_json_c_pretty_spaced),
		cmocka_unit_test(test_jsonw__written_text_parses_back_to_the_same),
		cmocka_unit_test(
			test_jsonw__a_limit_gives_an_error_not_a_part),
		cmocka_unit_test(test_jsonw__null_is_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
