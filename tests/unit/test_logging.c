/*
 * logging: the hook, the fields of an outcome line, and the JSON line of
 * --log-format json.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "logging.h"

/* 2026-11-23T10:00:00.042Z */
#define T_MS ((int64_t)1795428000042)

struct seen {
	int calls;
	char msg[256];
	const struct logging_fields *fields;
	char user[64];
};

static void capture(enum logging_level level, const char *msg, void *ctx)
{
	struct seen *s = ctx;
	const struct logging_fields *f = logging_current_fields();

	s->calls++;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
	s->fields = f;
	snprintf(s->user, sizeof(s->user), "%s", f && f->user ? f->user : "");
}

/* Parse line (one object and '\n'); the object is yours. */
static json_object *parse_line(const struct strbuf *line)
{
	json_object *o;

	assert_true(line->len > 0);
	assert_int_equal(line->buf[line->len - 1], '\n');
	assert_null(memchr(line->buf, '\n', line->len - 1));
	o = json_tokener_parse(line->buf);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	return o;
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void test_logging__json_line_carries_time_level_and_fields(
	void **state)
{
	struct logging_fields f = { .user = "ada@example.com",
				    .date = "2026-11-24",
				    .outcome = "skipped",
				    .reason = "out_of_office" };
	struct strbuf line = STRBUF_INIT;
	json_object *o;

	assert_int_equal(logging_json_line(&line, T_MS, LOGGING_INFO,
					   "ada@example.com 2026-11-24: "
					   "skipped (out_of_office)", &f), 0);
	o = parse_line(&line);
	assert_string_equal(field(o, "time"), "2026-11-23T10:00:00.042Z");
	assert_string_equal(field(o, "level"), "info");
	assert_string_equal(field(o, "user"), "ada@example.com");
	assert_string_equal(field(o, "date"), "2026-11-24");
	assert_string_equal(field(o, "outcome"), "skipped");
	assert_string_equal(field(o, "reason"), "out_of_office");
	assert_string_equal(field(o, "message"),
			    "ada@example.com 2026-11-24: skipped "
			    "(out_of_office)");
	json_object_put(o);
	strbuf_release(&line);
}

static void test_logging__json_line_leaves_out_unset_fields(void **state)
{
	struct logging_fields f = { .user = "ada@example.com" };
	struct strbuf line = STRBUF_INIT;
	json_object *o;

	assert_int_equal(logging_json_line(&line, T_MS, LOGGING_WARN, "hm",
					   &f), 0);
	o = parse_line(&line);
	assert_string_equal(field(o, "level"), "warning");
	assert_string_equal(field(o, "user"), "ada@example.com");
	assert_null(field(o, "date"));
	assert_null(field(o, "outcome"));
	assert_null(field(o, "reason"));
	json_object_put(o);
	strbuf_reset(&line);
	assert_int_equal(logging_json_line(&line, T_MS, LOGGING_ERROR, "x",
					   NULL), 0);
	o = parse_line(&line);
	assert_string_equal(field(o, "level"), "error");
	assert_null(field(o, "user"));
	json_object_put(o);
	strbuf_release(&line);
}

static void test_logging__json_line_is_one_line_for_any_message(
	void **state)
{
	static const char msg[] = "a\nb\r\"c\"\t\\ \x01 https://x/y";
	struct strbuf line = STRBUF_INIT;
	json_object *o;

	assert_int_equal(logging_json_line(&line, T_MS, LOGGING_ERROR, msg,
					   NULL), 0);
	o = parse_line(&line);
	assert_string_equal(field(o, "message"), msg);
	/* URLs keep their slashes unescaped, for a reader's grep. */
	assert_non_null(strstr(line.buf, "https://x/y"));
	json_object_put(o);
	strbuf_release(&line);
}

static void test_logging__fields_reach_the_routine_during_its_call(
	void **state)
{
	struct logging_fields f = { .user = "ada@example.com",
				    .date = "2026-11-24",
				    .outcome = "sent" };
	struct seen s = { 0 };

	logging_set_routine(capture, &s);
	logging_outcome(LOGGING_INFO, &f, "%s %s: sent", f.user, f.date);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.msg, "ada@example.com 2026-11-24: sent");
	assert_ptr_equal(s.fields, &f);
	assert_string_equal(s.user, "ada@example.com");
	assert_null(logging_current_fields());
	logging_info("plain %d", 7);
	assert_int_equal(s.calls, 2);
	assert_string_equal(s.msg, "plain 7");
	assert_null(s.fields);
	logging_set_routine(NULL, NULL);
}

static void test_logging__no_routine_means_no_output_no_fields(
	void **state)
{
	struct logging_fields f = { .user = "u" };

	logging_set_routine(NULL, NULL);
	logging_outcome(LOGGING_ERROR, &f, "x");
	assert_null(logging_current_fields());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_logging__json_line_carries_time_level_and_fields),
		cmocka_unit_test(
			test_logging__json_line_leaves_out_unset_fields),
		cmocka_unit_test(
			test_logging__json_line_is_one_line_for_any_message),
		cmocka_unit_test(
			test_logging__fields_reach_the_routine_during_its_call),
		cmocka_unit_test(
			test_logging__no_routine_means_no_output_no_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
