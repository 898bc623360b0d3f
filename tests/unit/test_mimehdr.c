/*
 * mimehdr: what is kept as it is, what is encoded, which addresses pass.
 * (mime's tests cover the same code through whole messages.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mimehdr.h"
#include "strbuf.h"

static void test_mimehdr__common_addresses_are_accepted(void **state)
{
	static const char *const ok[] = {
		"zoe@example.org",     "first.last+tag@sub.example.co.uk",
		"o'brien@example.com", "x_y-z{1}@ex-ample.com",
		"a@localhost",
	};
	struct dg_err err = DG_ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (mimehdr_check_address("address", ok[i], &err))
			fail_msg("%s refused: %s", ok[i], err.msg);
}

static void test_mimehdr__address_error_names_the_caller_field(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mimehdr_check_address("envelope sender",
					       "a b@example.com", &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "envelope sender \"a b@example.com\" is "
				     "not valid: it contains a space or a "
				     "control character");
}

static void test_mimehdr__long_value_in_an_error_is_cut(void **state)
{
	struct strbuf addr = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	while (addr.len < 300)
		assert_int_equal(strbuf_addstr(&addr, "ab "), 0);
	assert_int_equal(
		mimehdr_check_address("recipient address", addr.buf, &err),
		DG_EINVAL);
	assert_non_null(strstr(err.msg, "\"ab ab "));
	assert_non_null(strstr(err.msg, "...\" is not valid"));
	assert_true(strlen(err.msg) < 160);
	strbuf_release(&addr);
}

static void test_mimehdr__message_id_may_use_any_atext(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mimehdr_check_message_id("a.b+c=d@host_1.example", &err), 0);
	assert_int_equal(mimehdr_check_message_id("a@b@c", &err), DG_EINVAL);
	assert_string_equal(err.msg, "message id \"a@b@c\" is not valid: it "
				     "must contain exactly one '@'");
}

static void test_mimehdr__only_words_that_need_it_are_encoded(void **state)
{
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(
		mimehdr_subject("Zo\xc3\xab and \xc3\x96mer meet", &out, NULL),
		0);
	assert_string_equal(out.buf, "=?UTF-8?B?Wm/Dqw==?= and "
				     "=?UTF-8?B?w5ZtZXI=?= meet");
	strbuf_release(&out);
}

static void test_mimehdr__neighbour_encoded_words_keep_spaces(void **state)
{
	struct strbuf out = STRBUF_INIT;

	/* white space between two encoded words is not text: encode it */
	assert_int_equal(mimehdr_display_name("Zo\xc3\xab M\xc3\xbcller-"
					      "L\xc3\xbc"
					      "denscheidt von "
					      "Hohenzollern",
					      &out, NULL),
			 0);
	assert_string_equal(out.buf, "=?UTF-8?B?Wm/DqyBNw7xsbGVyLUzDvGRlbnNj"
				     "aGVpZHQ=?= von Hohenzollern");
	strbuf_release(&out);
}

static void test_mimehdr__long_encoded_run_is_cut_after_a_space(void **state)
{
	struct strbuf out = STRBUF_INIT;

	/* 39 bytes: one word cannot hold them, the cut is after "M..ller " */
	assert_int_equal(mimehdr_display_name("J\xc3\xbcrgen M\xc3\xbcller "
					      "J\xc3\xbcrgen M\xc3\xbcller "
					      "J\xc3\xbcrgen",
					      &out, NULL),
			 0);
	assert_string_equal(out.buf, "=?UTF-8?B?SsO8cmdlbiBNw7xsbGVyIErDvHJn"
				     "ZW4gTcO8bGxlciA=?= =?UTF-8?B?SsO8cmdlbg"
				     "==?=");
	strbuf_release(&out);
}

static void test_mimehdr__plain_subject_is_kept_as_it_is(void **state)
{
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(
		mimehdr_subject("Weekly sync (room 4) - 50%", &out, NULL), 0);
	assert_string_equal(out.buf, "Weekly sync (room 4) - 50%");
	strbuf_release(&out);
}

static void test_mimehdr__encoded_word_lookalike_is_encoded(void **state)
{
	struct strbuf out = STRBUF_INIT;
	char *decoded = NULL;
	size_t idx = 0;

	/* raw, a reader would show "Hi" instead of what the organiser typed */
	assert_int_equal(mimehdr_subject("=?UTF-8?B?SGk=?=", &out, NULL), 0);
	assert_int_equal(strncmp(out.buf, "=?UTF-8?B?", 10), 0);
	assert_string_not_equal(out.buf, "=?UTF-8?B?SGk=?=");
	assert_int_equal(mailmime_encoded_phrase_parse("utf-8", out.buf,
						       out.len, &idx, "utf-8",
						       &decoded),
			 0);
	assert_string_equal(decoded, "=?UTF-8?B?SGk=?=");
	free(decoded);
	strbuf_release(&out);
}

static void test_mimehdr__short_display_names_are_left_to_libetpan(void **state)
{
	static const char *const names[] = {
		"Zoe Miller",
		"O'Brien",
		"Bob \"the builder\" <b>",
	};
	struct strbuf out = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		strbuf_reset(&out);
		assert_int_equal(mimehdr_display_name(names[i], &out, NULL), 0);
		assert_string_equal(out.buf, names[i]);
	}
	strbuf_release(&out);
}

static void test_mimehdr__long_quoted_display_name_is_encoded(void **state)
{
	struct strbuf name = STRBUF_INIT, out = STRBUF_INIT;

	while (name.len < 70)
		assert_int_equal(strbuf_addstr(&name, "a,b "), 0);
	assert_int_equal(mimehdr_display_name(name.buf, &out, NULL), 0);
	assert_int_equal(strncmp(out.buf, "=?UTF-8?B?", 10), 0);
	strbuf_release(&name);
	strbuf_release(&out);
}

static void test_mimehdr__extra_value_is_appended(void **state)
{
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(strbuf_addstr(&out, "kept:"), 0);
	assert_int_equal(
		mimehdr_extra_value("X-Note", " a \t b\r\n", &out, NULL), 0);
	assert_string_equal(out.buf, "kept:a b");
	strbuf_release(&out);
}

static void test_mimehdr__header_name_rule_is_in_the_error(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mimehdr_check_name("List-Unsubscribe", &err), 0);
	assert_int_equal(mimehdr_check_name("List Unsubscribe", &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "extra header name \"List Unsubscribe\" "
				     "is not valid: a header name is 1 to 76 "
				     "printable ASCII characters without ':' "
				     "or spaces");
}

/* What libetpan wrote, checked: a clean header and part pass. */
static void test_mimehdr__clean_written_lines_pass(void **state)
{
	static const char msg[] = "From: a@example.com\r\nSubject: x\r\n"
				  " folded\r\n\r\n--b\r\n\r\n";
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mimehdr_check_written(msg, 0, sizeof(msg) - 1, true,
					       &err),
			 0);
	assert_int_equal(mimehdr_check_written(msg, 0, 0, true, &err), 0);
}

static void test_mimehdr__written_bare_lf_is_found_at_its_offset(
	void **state)
{
	static const char msg[] = "To: a@example.com\r\nX: y\nZ: 1\r\n";
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mimehdr_check_written(msg, 0, sizeof(msg) - 1, true,
					       &err),
			 DG_EINTERNAL);
	assert_string_equal(err.msg, "a byte 0x0a was written at offset 23 "
				     "of a message");
}

static void test_mimehdr__written_bare_cr_nul_and_8bit_are_found(
	void **state)
{
	static const char *const bad[] = {"a\rb\r\n", "a\r", "\xc3\xa9\r\n"};
	static const char nul[] = "ab\0c\r\n";
	struct dg_err err = DG_ERR_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(mimehdr_check_written(bad[i], 0,
						       strlen(bad[i]), false,
						       &err),
				 DG_EINTERNAL);
	assert_int_equal(mimehdr_check_written(nul, 0, sizeof(nul) - 1,
					       false, &err),
			 DG_EINTERNAL);
	assert_string_equal(err.msg, "a byte 0x00 was written at offset 2 "
				     "of a message");
}

static void test_mimehdr__written_line_over_998_octets_is_found(
	void **state)
{
	struct strbuf m = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(strbuf_addstr(&m, "--b\r\n"), 0);
	for (int i = 0; i < 998; i++)
		assert_int_equal(strbuf_addch(&m, 'x'), 0);
	assert_int_equal(strbuf_addstr(&m, "\r\n"), 0);
	assert_int_equal(mimehdr_check_written(m.buf, 0, m.len, false, &err),
			 0);
	strbuf_setlen(&m, m.len - 2);
	assert_int_equal(strbuf_addstr(&m, "x\r\n"), 0);
	assert_int_equal(mimehdr_check_written(m.buf, 0, m.len, false, &err),
			 DG_EINTERNAL);
	assert_string_equal(err.msg, "a line of over 998 octets was written "
				     "at offset 1003 of a message");
	strbuf_release(&m);
}

static void test_mimehdr__written_header_line_of_blanks_is_found(
	void **state)
{
	static const char msg[] = "Subject: a\r\n \t \r\n\r\n";
	static const char body[] = "x\r\n\r\n \t \r\n";
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mimehdr_check_written(msg, 0, sizeof(msg) - 1, true,
					       &err),
			 DG_EINTERNAL);
	assert_string_equal(err.msg, "a header line of blanks was written "
				     "at offset 15");
	/* after the header, and outside one, blank lines are text */
	assert_int_equal(mimehdr_check_written(body, 0, sizeof(body) - 1,
					       true, &err),
			 0);
	assert_int_equal(mimehdr_check_written(msg, 0, sizeof(msg) - 1,
					       false, &err),
			 0);
}

static void test_mimehdr__written_check_looks_only_at_its_span(
	void **state)
{
	static const char msg[] = "A: 1\r\n\xff\nB: 2\r\n";
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mimehdr_check_written(msg, 0, 6, true, &err), 0);
	assert_int_equal(mimehdr_check_written(msg, 8, sizeof(msg) - 1, false,
					       &err),
			 0);
	assert_int_equal(mimehdr_check_written(msg, 0, 8, true, &err),
			 DG_EINTERNAL);
	assert_string_equal(err.msg, "a byte 0xff was written at offset 6 "
				     "of a message");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mimehdr__common_addresses_are_accepted),
		cmocka_unit_test(
			test_mimehdr__address_error_names_the_caller_field),
		cmocka_unit_test(test_mimehdr__long_value_in_an_error_is_cut),
		cmocka_unit_test(test_mimehdr__message_id_may_use_any_atext),
		cmocka_unit_test(test_mimehdr__plain_subject_is_kept_as_it_is),
		cmocka_unit_test(
			test_mimehdr__only_words_that_need_it_are_encoded),
		cmocka_unit_test(
			test_mimehdr__neighbour_encoded_words_keep_spaces),
		cmocka_unit_test(
			test_mimehdr__long_encoded_run_is_cut_after_a_space),
		cmocka_unit_test(
			test_mimehdr__encoded_word_lookalike_is_encoded),
		cmocka_unit_test(
			test_mimehdr__short_display_names_are_left_to_libetpan),
		cmocka_unit_test(
			test_mimehdr__long_quoted_display_name_is_encoded),
		cmocka_unit_test(test_mimehdr__extra_value_is_appended),
		cmocka_unit_test(
			test_mimehdr__header_name_rule_is_in_the_error),
		cmocka_unit_test(test_mimehdr__clean_written_lines_pass),
		cmocka_unit_test(
			test_mimehdr__written_bare_lf_is_found_at_its_offset),
		cmocka_unit_test(
			test_mimehdr__written_bare_cr_nul_and_8bit_are_found),
		cmocka_unit_test(
			test_mimehdr__written_line_over_998_octets_is_found),
		cmocka_unit_test(
			test_mimehdr__written_header_line_of_blanks_is_found),
		cmocka_unit_test(
			test_mimehdr__written_check_looks_only_at_its_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
