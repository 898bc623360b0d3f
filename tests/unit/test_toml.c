/*
 * toml: what toml-test does not check: positions in messages, the key
 * named by a redefinition error, the accessors, and large documents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "strbuf.h"
#include "toml.h"

/* Parse text that must be valid; the tree is the caller's. */
static struct toml_value *parse_ok(const char *text)
{
	struct dg_err err = DG_ERR_INIT;
	struct toml_value *root = NULL;

	if (toml_parse(text, strlen(text), &root, &err)) {
		print_error("unexpected error: %s\n", err.msg);
		fail();
	}
	assert_non_null(root);
	assert_int_equal(toml_type(root), TOML_TABLE);
	return root;
}

/* Parse text that must be refused with exactly the message want. */
static void assert_refused(const char *text, const char *want)
{
	struct dg_err err = DG_ERR_INIT;
	struct toml_value *root = (struct toml_value *)&err;

	assert_int_equal(toml_parse(text, strlen(text), &root, &err),
			 DG_EPARSE);
	assert_null(root);
	assert_string_equal(err.msg, want);
}

static void test_toml__missing_equals_names_line_and_column(void **state)
{
	assert_refused("a = 1\n[t]\nkey 1 = 2\n",
		       "line 3, column 5: expected '=' after a key, "
		       "found '1'");
}

static void test_toml__missing_value_points_at_the_line_end(void **state)
{
	assert_refused("a = 1\nb = \n",
		       "line 2, column 5: expected a value, found the end "
		       "of the line");
}

static void test_toml__columns_count_characters_not_bytes(void **state)
{
	/* "é" is two bytes, one column; a tab is one column. */
	assert_refused("\"é\" =\tnope\n",
		       "line 1, column 7: invalid value 'nope': a string "
		       "must be quoted and a boolean is true or false");
}

static void test_toml__crlf_lines_are_counted_once(void **state)
{
	assert_refused("a = 1\r\nb = 2\r\nc = 0x\r\n",
		       "line 3, column 5: invalid number '0x'");
}

static void test_toml__lines_inside_multiline_strings_count(void **state)
{
	assert_refused("s = \"\"\"\none\ntwo\"\"\"\nt = \"\\q\"\n",
		       "line 4, column 6: invalid escape '\\q' in a string");
}

static void test_toml__unterminated_string_points_at_its_start(void **state)
{
	assert_refused("\n  s = 'abc\n",
		       "line 2, column 7: unterminated string: a "
		       "single-line string must end with ' on the line it "
		       "starts");
}

static void test_toml__bare_carriage_return_is_refused(void **state)
{
	assert_refused("a = 1\rb = 2\n",
		       "line 1, column 6: a carriage return must be "
		       "followed by a line feed");
}

static void test_toml__invalid_utf8_is_refused_where_it_is(void **state)
{
	assert_refused("a = 1\n# caf\xC3\n", "line 2, column 6: invalid UTF-8");
}

static void test_toml__invalid_date_names_the_value(void **state)
{
	assert_refused("d = 2023-02-29\n",
		       "line 1, column 5: invalid date-time '2023-02-29': "
		       "that day does not exist in that month");
}

static void test_toml__leap_day_of_a_leap_year_is_a_date(void **state)
{
	struct toml_value *root = parse_ok("d = 2024-02-29\n");

	assert_string_equal(toml_datetime_text(toml_table_get(root, "d")),
			    "2024-02-29");
	toml_free(root);
}

static void test_toml__integer_overflow_is_refused(void **state)
{
	assert_refused("n = 9_223_372_036_854_775_808\n",
		       "line 1, column 5: invalid number "
		       "'9_223_372_036_854_775_808': it does not fit in 64 "
		       "bits");
}

static void test_toml__duplicate_key_names_key_and_first_line(void **state)
{
	assert_refused("[server]\nport = 1\nhost = \"h\"\nport = 2\n",
		       "line 4, column 1: key 'port' is already defined on "
		       "line 2");
}

static void test_toml__table_defined_twice_names_the_table(void **state)
{
	assert_refused("[a.b]\nx = 1\n\n[a.b]\ny = 2\n",
		       "line 4, column 4: table 'a.b' is already defined by "
		       "its header on line 1");
}

static void test_toml__header_after_dotted_keys_is_refused(void **state)
{
	assert_refused("[fruit]\napple.color = \"red\"\n[fruit.apple]\n",
		       "line 3, column 8: table 'fruit.apple' is already "
		       "defined by dotted keys on line 2");
}

static void test_toml__dotted_keys_into_a_header_table_refused(void **state)
{
	assert_refused("[a.b]\nz = 9\n[a]\nb.t = 1\n",
		       "line 4, column 1: table 'b' is already defined by "
		       "its header on line 1");
}

static void test_toml__appending_to_a_static_array_is_refused(void **state)
{
	assert_refused("fruits = []\n[[fruits]]\n",
		       "line 2, column 3: 'fruits' is an array defined on "
		       "line 1: it cannot be extended");
}

static void test_toml__inline_table_cannot_be_extended(void **state)
{
	assert_refused("point = { x = 1 }\npoint.y = 2\n",
		       "line 2, column 1: 'point' is an inline table "
		       "defined on line 1: it cannot be extended");
}

static void test_toml__quoted_keys_are_shown_quoted(void **state)
{
	assert_refused("\"a b\".c = 1\n\"a b\".c = 2\n",
		       "line 2, column 7: key '\"a b\".c' is already defined "
		       "on line 1");
}

static void test_toml__inline_table_on_two_lines_is_refused(void **state)
{
	assert_refused("t = { a = 1,\n b = 2 }\n",
		       "line 1, column 13: expected a key, found the end of "
		       "the line");
}

static void test_toml__nesting_is_bounded(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct toml_value *root;

	assert_int_equal(strbuf_addstr(&sb, "a = "), 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(strbuf_addch(&sb, '['), 0);
	assert_int_equal(toml_parse(sb.buf, sb.len, &root, &err), DG_EPARSE);
	assert_non_null(strstr(err.msg, "nest at most"));
	strbuf_release(&sb);
}

static void test_toml__scalars_have_their_types_and_values(void **state)
{
	struct toml_value *root;

	root = parse_ok("s = \"tab\\there \\u00e9\"\n"
			"lit = 'C:\\path'\n"
			"hex = 0xff\n"
			"min = -9223372036854775808\n"
			"f = 6.626e-34\n"
			"inf = -inf\n"
			"nan = nan\n"
			"b = true\n"
			"odt = 1979-05-27 07:32:00.999z\n"
			"ldt = 1979-05-27t07:32:00\n"
			"ld = 1979-05-27\n"
			"lt = 07:32:00.5\n");
	assert_string_equal(toml_string(toml_table_get(root, "s")),
			    "tab\there \xC3\xA9");
	assert_string_equal(toml_string(toml_table_get(root, "lit")),
			    "C:\\path");
	assert_int_equal(toml_integer(toml_table_get(root, "hex")), 255);
	assert_true(toml_integer(toml_table_get(root, "min")) == INT64_MIN);
	assert_true(toml_float(toml_table_get(root, "f")) == 6.626e-34);
	assert_true(isinf(toml_float(toml_table_get(root, "inf"))));
	assert_true(toml_float(toml_table_get(root, "inf")) < 0);
	assert_true(isnan(toml_float(toml_table_get(root, "nan"))));
	assert_true(toml_bool(toml_table_get(root, "b")));
	assert_int_equal(toml_type(toml_table_get(root, "odt")), TOML_DATETIME);
	assert_string_equal(toml_datetime_text(toml_table_get(root, "odt")),
			    "1979-05-27T07:32:00.999Z");
	assert_int_equal(toml_type(toml_table_get(root, "ldt")),
			 TOML_DATETIME_LOCAL);
	assert_string_equal(toml_datetime_text(toml_table_get(root, "ldt")),
			    "1979-05-27T07:32:00");
	assert_int_equal(toml_type(toml_table_get(root, "ld")),
			 TOML_DATE_LOCAL);
	assert_int_equal(toml_type(toml_table_get(root, "lt")),
			 TOML_TIME_LOCAL);
	assert_string_equal(toml_datetime_text(toml_table_get(root, "lt")),
			    "07:32:00.5");
	toml_free(root);
}

static void test_toml__accessors_of_another_type_give_zero(void **state)
{
	struct toml_value *root = parse_ok("s = \"x\"\nn = 3\n");
	const struct toml_value *s = toml_table_get(root, "s");
	const struct toml_value *n = toml_table_get(root, "n");

	assert_null(toml_string(n));
	assert_int_equal(toml_integer(s), 0);
	assert_false(toml_bool(s));
	assert_null(toml_datetime_text(s));
	assert_int_equal(toml_array_size(s), 0);
	assert_null(toml_array_at(s, 0));
	assert_int_equal(toml_table_size(s), 0);
	assert_null(toml_table_get(s, "x"));
	assert_null(toml_table_at(root, 2));
	assert_null(toml_table_get(root, "missing"));
	assert_string_equal(toml_type_name(toml_type(n)), "integer");
	toml_free(root);
}

static void test_toml__keys_keep_the_order_written(void **state)
{
	struct toml_value *root = parse_ok("zeta = 1\nalpha = 2\n"
					   "[mid]\n[beta]\n");
	const char *want[] = {"zeta", "alpha", "mid", "beta"};

	assert_int_equal(toml_table_size(root), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(toml_table_key(root, i), want[i]);
	toml_free(root);
}

static void test_toml__values_know_where_they_were_defined(void **state)
{
	struct toml_value *root = parse_ok("# c\n\n[smtp]\n  port = 25\n"
					   "[a.b]\n");
	const struct toml_value *smtp = toml_table_get(root, "smtp");
	const struct toml_value *port = toml_table_get(smtp, "port");
	const struct toml_value *a = toml_table_get(root, "a");

	assert_int_equal(toml_line(smtp), 3);
	assert_int_equal(toml_column(smtp), 1);
	assert_int_equal(toml_line(port), 4);
	assert_int_equal(toml_column(port), 10);
	assert_int_equal(toml_line(toml_table_get(a, "b")), 5);
	toml_free(root);
}

static void test_toml__strings_may_hold_nul_bytes(void **state)
{
	struct toml_value *root = parse_ok("\"k\\u0000\" = \"a\\u0000b\"\n");
	const struct toml_value *v = toml_table_at(root, 0);

	assert_int_equal(toml_table_key_len(root, 0), 2);
	assert_memory_equal(toml_table_key(root, 0), "k\0", 2);
	assert_int_equal(toml_string_len(v), 3);
	assert_memory_equal(toml_string(v), "a\0b", 3);
	toml_free(root);
}

static void test_toml__byte_order_mark_is_skipped(void **state)
{
	struct toml_value *root = parse_ok("\xEF\xBB\xBF"
					   "a = 1\n");

	assert_int_equal(toml_integer(toml_table_get(root, "a")), 1);
	toml_free(root);
}

static void test_toml__arrays_of_tables_nest_in_the_last_element(void **state)
{
	struct toml_value *root =
		parse_ok("[[album]]\nname = \"one\"\n"
			 "[[album.track]]\nn = 1\n[[album.track]]\nn = 2\n"
			 "[album.label]\nname = \"L\"\n"
			 "[[album]]\nname = \"two\"\n[[album.track]]\nn = 3\n");
	const struct toml_value *albums = toml_table_get(root, "album");
	const struct toml_value *first = toml_array_at(albums, 0);
	const struct toml_value *second = toml_array_at(albums, 1);
	const struct toml_value *tracks = toml_table_get(first, "track");

	assert_int_equal(toml_type(albums), TOML_ARRAY);
	assert_int_equal(toml_array_size(albums), 2);
	assert_int_equal(toml_array_size(tracks), 2);
	assert_int_equal(
		toml_integer(toml_table_get(toml_array_at(tracks, 1), "n")), 2);
	assert_string_equal(toml_string(toml_table_get(
				    toml_table_get(first, "label"), "name")),
			    "L");
	assert_string_equal(toml_string(toml_table_get(second, "name")), "two");
	tracks = toml_table_get(second, "track");
	assert_int_equal(toml_array_size(tracks), 1);
	assert_int_equal(
		toml_integer(toml_table_get(toml_array_at(tracks, 0), "n")), 3);
	assert_null(toml_table_get(second, "label"));
	toml_free(root);
}

static void test_toml__big_documents_parse_and_find_keys(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct toml_value *root;
	const struct toml_value *rows;

	for (int i = 0; i < 50000; i++)
		assert_int_equal(strbuf_addf(&sb, "key%d = %d\n", i, i), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(strbuf_addf(&sb, "[[row]]\nv = \"%d\"\n", i),
				 0);
	assert_int_equal(toml_parse(sb.buf, sb.len, &root, &err), 0);
	assert_int_equal(toml_table_size(root), 50001);
	assert_int_equal(toml_integer(toml_table_get(root, "key0")), 0);
	assert_int_equal(toml_integer(toml_table_get(root, "key49999")), 49999);
	assert_null(toml_table_get(root, "key50000"));
	rows = toml_table_get(root, "row");
	assert_int_equal(toml_array_size(rows), 5000);
	assert_string_equal(
		toml_string(toml_table_get(toml_array_at(rows, 4999), "v")),
		"4999");
	toml_free(root);

	/* A duplicate far down a big (hashed) table is still found. */
	strbuf_reset(&sb);
	for (int i = 0; i < 50000; i++)
		assert_int_equal(strbuf_addf(&sb, "key%d = %d\n", i, i), 0);
	assert_int_equal(strbuf_addstr(&sb, "key12345 = 0\n"), 0);
	assert_int_equal(toml_parse(sb.buf, sb.len, &root, &err), DG_EPARSE);
	assert_non_null(strstr(err.msg, "key 'key12345' is already defined "
					"on line 12346"));
	strbuf_release(&sb);
}

static void test_toml__named_source_is_in_compiler_style(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	struct toml_value *root;
	const char *text = "[smtp]\nport 25\n";

	assert_int_equal(toml_parse_named(text, strlen(text), "digest.toml",
					  &root, &err),
			 DG_EPARSE);
	assert_string_equal(err.msg, "digest.toml:2:6: expected '=' after a "
				     "key, found '2'");
}

static void test_toml__datetime_parse_reads_one_date_time(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	enum toml_type type;
	char *text;

	assert_int_equal(toml_datetime_parse("2026-11-23 10:00:00z", 20, &type,
					     &text, &err),
			 0);
	assert_int_equal(type, TOML_DATETIME);
	assert_string_equal(text, "2026-11-23T10:00:00Z");
	free(text);
	assert_int_equal(toml_datetime_parse("07:30:00", 8, &type, &text, &err),
			 0);
	assert_int_equal(type, TOML_TIME_LOCAL);
	free(text);
}

static void test_toml__datetime_parse_refuses_other_text(void **state)
{
	struct dg_err err = DG_ERR_INIT;
	enum toml_type type;
	char *text;

	assert_int_equal(toml_datetime_parse("42", 2, &type, &text, &err),
			 DG_EPARSE);
	assert_null(text);
	assert_string_equal(err.msg, "'42' is not a date-time");
	assert_int_equal(toml_datetime_parse("2026-11-23T10:00:00Z x", 22,
					     &type, &text, &err),
			 DG_EPARSE);
	assert_int_equal(
		toml_datetime_parse("2026-02-30", 10, &type, &text, &err),
		DG_EPARSE);
	assert_null(text);
}

static void test_toml__free_accepts_null(void **state)
{
	toml_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_toml__missing_equals_names_line_and_column),
		cmocka_unit_test(
			test_toml__missing_value_points_at_the_line_end),
		cmocka_unit_test(test_toml__columns_count_characters_not_bytes),
		cmocka_unit_test(test_toml__crlf_lines_are_counted_once),
		cmocka_unit_test(
			test_toml__lines_inside_multiline_strings_count),
		cmocka_unit_test(
			test_toml__unterminated_string_points_at_its_start),
		cmocka_unit_test(test_toml__bare_carriage_return_is_refused),
		cmocka_unit_test(
			test_toml__invalid_utf8_is_refused_where_it_is),
		cmocka_unit_test(test_toml__invalid_date_names_the_value),
		cmocka_unit_test(test_toml__leap_day_of_a_leap_year_is_a_date),
		cmocka_unit_test(test_toml__integer_overflow_is_refused),
		cmocka_unit_test(
			test_toml__duplicate_key_names_key_and_first_line),
		cmocka_unit_test(
			test_toml__table_defined_twice_names_the_table),
		cmocka_unit_test(
			test_toml__header_after_dotted_keys_is_refused),
		cmocka_unit_test(
			test_toml__dotted_keys_into_a_header_table_refused),
		cmocka_unit_test(
			test_toml__appending_to_a_static_array_is_refused),
		cmocka_unit_test(test_toml__inline_table_cannot_be_extended),
		cmocka_unit_test(test_toml__quoted_keys_are_shown_quoted),
		cmocka_unit_test(
			test_toml__inline_table_on_two_lines_is_refused),
		cmocka_unit_test(test_toml__nesting_is_bounded),
		cmocka_unit_test(
			test_toml__scalars_have_their_types_and_values),
		cmocka_unit_test(
			test_toml__accessors_of_another_type_give_zero),
		cmocka_unit_test(test_toml__keys_keep_the_order_written),
		cmocka_unit_test(
			test_toml__values_know_where_they_were_defined),
		cmocka_unit_test(test_toml__strings_may_hold_nul_bytes),
		cmocka_unit_test(test_toml__byte_order_mark_is_skipped),
		cmocka_unit_test(
			test_toml__arrays_of_tables_nest_in_the_last_element),
		cmocka_unit_test(test_toml__big_documents_parse_and_find_keys),
		cmocka_unit_test(test_toml__named_source_is_in_compiler_style),
		cmocka_unit_test(test_toml__datetime_parse_reads_one_date_time),
		cmocka_unit_test(test_toml__datetime_parse_refuses_other_text),
		cmocka_unit_test(test_toml__free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
