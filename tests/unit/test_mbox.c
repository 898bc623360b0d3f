/* mbox: From lines in UTC asctime form, mboxrd quoting, LF, separators. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "mbox.h"
#include "strbuf.h"

#define NOV24 1795503600 /* Tue, 24 Nov 2026 07:00:00 UTC */
#define FROM_LINE "From digest@example.com Tue Nov 24 07:00:00 2026\n"

static void append(struct strbuf *out, const char *msg)
{
	struct dg_err err = DG_ERR_INIT;

	if (mbox_append(out, "digest@example.com", NOV24, msg, strlen(msg),
			&err))
		fail_msg("mbox_append failed: %s", err.msg);
}

static void test_mbox__from_line_is_asctime_in_utc(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	/* the local zone must not matter */
	setenv("TZ", "America/St_Johns", 1);
	tzset();
	append(&out, "A: b\r\n\r\nx\r\n");
	assert_int_equal(strncmp(out.buf, FROM_LINE, strlen(FROM_LINE)), 0);
	strbuf_reset(&out);
	/* asctime pads a one-digit day with a space */
	assert_int_equal(
		mbox_append(&out, "d@example.com", 1793782800, "x", 1, &err),
		0);
	assert_string_equal(out.buf, "From d@example.com Wed Nov  4 "
				     "09:00:00 2026\nx\n\n");
	unsetenv("TZ");
	tzset();
	strbuf_release(&out);
}

static void test_mbox__crlf_becomes_lf(void **state)
{
	struct strbuf out = STRBUF_INIT;

	append(&out, "Subject: hi\r\n\r\nline 1\r\nline 2\r\n");
	assert_string_equal(out.buf, FROM_LINE "Subject: hi\n\nline 1\n"
					       "line 2\n\n");
	strbuf_release(&out);
}

static void test_mbox__a_lone_cr_is_kept(void **state)
{
	struct strbuf out = STRBUF_INIT;

	append(&out, "a\rb\r\n");
	assert_string_equal(out.buf, FROM_LINE "a\rb\n\n");
	strbuf_release(&out);
}

static void test_mbox__from_lines_get_one_more_quote(void **state)
{
	struct strbuf out = STRBUF_INIT;

	append(&out, "X: y\r\n\r\nFrom me\r\n>From you\r\n>>From them\r\n"
		     "From\r\nFromage\r\n From here\r\n>>>x\r\nFrom ");
	assert_string_equal(out.buf, FROM_LINE "X: y\n\n>From me\n>>From you\n"
					       ">>>From them\nFrom\nFromage\n"
					       " From here\n>>>x\n>From \n\n");
	strbuf_release(&out);
}

static void test_mbox__each_message_ends_with_a_blank_line(void **state)
{
	struct strbuf out = STRBUF_INIT;

	append(&out, "A: 1\r\n\r\nno final newline");
	append(&out, "A: 2\r\n\r\nfinal newline\r\n");
	assert_string_equal(out.buf,
			    FROM_LINE "A: 1\n\nno final newline\n\n" FROM_LINE
				      "A: 2\n\nfinal newline\n\n");
	strbuf_release(&out);
}

static void test_mbox__empty_message_is_a_from_line_and_a_blank(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mbox_append(&out, "digest@example.com", NOV24, NULL, 0, &err),
		0);
	assert_string_equal(out.buf, FROM_LINE "\n");
	strbuf_release(&out);
}

static void test_mbox__missing_sender_is_mailer_daemon(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mbox_append(&out, NULL, NOV24, "x\r\n", 3, &err), 0);
	assert_string_equal(out.buf, "From MAILER-DAEMON Tue Nov 24 "
				     "07:00:00 2026\nx\n\n");
	strbuf_reset(&out);
	assert_int_equal(mbox_append(&out, "", NOV24, "x\r\n", 3, &err), 0);
	assert_int_equal(strncmp(out.buf, "From MAILER-DAEMON ", 19), 0);
	strbuf_release(&out);
}

static void test_mbox__sender_with_a_blank_is_refused(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mbox_append(&out, "a b@example.com", NOV24, "x", 1, &err),
		DG_EINVAL);
	assert_string_equal(err.msg, "mbox sender is not valid: it has a "
				     "blank or a control character at "
				     "position 2");
	assert_int_equal(
		mbox_append(&out, "a@example.com\nFrom x", NOV24, "x", 1, &err),
		DG_EINVAL);
	assert_non_null(strstr(err.msg, "position 14"));
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

static void test_mbox__date_out_of_range_is_refused(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mbox_append(&out, "d@example.com", INT64_MAX, "x", 1, &err),
		DG_EINVAL);
	assert_string_equal(err.msg, "mbox date 9223372036854775807 is "
				     "outside the years 1-9999");
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

static void test_mbox__missing_message_is_refused(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		mbox_append(&out, "d@example.com", NOV24, NULL, 5, &err),
		DG_EINVAL);
	assert_string_equal(err.msg, "mbox message is missing");
	strbuf_release(&out);
}

static void test_mbox__full_buffer_is_reported(void **state)
{
	struct strbuf out;
	struct dg_err err = DG_ERR_INIT;

	strbuf_init(&out, 60);
	assert_int_equal(mbox_append(&out, "d@example.com", NOV24,
				     "a long enough message body\n", 27, &err),
			 DG_ETOOBIG);
	assert_non_null(strstr(err.msg, "message of 27 bytes"));
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbox__from_line_is_asctime_in_utc),
		cmocka_unit_test(test_mbox__crlf_becomes_lf),
		cmocka_unit_test(test_mbox__a_lone_cr_is_kept),
		cmocka_unit_test(test_mbox__from_lines_get_one_more_quote),
		cmocka_unit_test(
			test_mbox__each_message_ends_with_a_blank_line),
		cmocka_unit_test(
			test_mbox__empty_message_is_a_from_line_and_a_blank),
		cmocka_unit_test(test_mbox__missing_sender_is_mailer_daemon),
		cmocka_unit_test(test_mbox__sender_with_a_blank_is_refused),
		cmocka_unit_test(test_mbox__date_out_of_range_is_refused),
		cmocka_unit_test(test_mbox__missing_message_is_refused),
		cmocka_unit_test(test_mbox__full_buffer_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
