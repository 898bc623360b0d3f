/* strbuf: the invariants hold after every operation, limits are enforced. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "strbuf.h"

static void check_buf_invariants(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
	else
		assert_int_equal(sb->len, 0);
}

static void test_strbuf__static_init_is_an_empty_string(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	check_buf_invariants(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	check_buf_invariants(&sb);
}

static void test_strbuf__appends_keep_the_nul_and_length(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_addstr(&sb, "hello"), 0);
	check_buf_invariants(&sb);
	assert_int_equal(strbuf_addch(&sb, ' '), 0);
	assert_int_equal(strbuf_addf(&sb, "%s %d", "world", 42), 0);
	check_buf_invariants(&sb);
	assert_string_equal(sb.buf, "hello world 42");
	assert_int_equal(sb.len, 14);
	strbuf_release(&sb);
}

static void test_strbuf__data_may_hold_nul_bytes(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_add(&sb, "a\0b", 3), 0);
	check_buf_invariants(&sb);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 3);
	strbuf_release(&sb);
}

static void test_strbuf__large_appends_grow_the_buffer(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < 10000; i++) {
		assert_int_equal(strbuf_addf(&sb, "%04d", i % 10000), 0);
		check_buf_invariants(&sb);
	}
	assert_int_equal(sb.len, 40000);
	assert_memory_equal(sb.buf + 4 * 1234, "1234", 4);
	strbuf_release(&sb);
}

static void test_strbuf__append_past_the_limit_fails_and_empties(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_addstr(&sb, "12345678"), 0);
	assert_int_equal(strbuf_addch(&sb, '9'), DG_ETOOBIG);
	check_buf_invariants(&sb);
	assert_int_equal(sb.len, 0);
	/* still usable, still limited */
	assert_int_equal(strbuf_addstr(&sb, "abc"), 0);
	assert_string_equal(sb.buf, "abc");
	assert_int_equal(strbuf_addf(&sb, "%s", "defghij"), DG_ETOOBIG);
	strbuf_release(&sb);
}

static void test_strbuf__reuse_keeps_the_memory_and_sets_the_limit(
	void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *mem;

	assert_int_equal(strbuf_addstr(&sb, "a longer first string"), 0);
	mem = sb.buf;
	strbuf_reuse(&sb, 8);
	check_buf_invariants(&sb);
	assert_string_equal(sb.buf, "");
	assert_ptr_equal(sb.buf, mem);
	assert_int_equal(strbuf_addstr(&sb, "12345678"), 0);
	assert_ptr_equal(sb.buf, mem);
	assert_int_equal(strbuf_addch(&sb, '9'), DG_ETOOBIG);
	check_buf_invariants(&sb);
	strbuf_reuse(&sb, 0);
	assert_int_equal(sb.max, STRBUF_MAX_DEFAULT);
	assert_int_equal(strbuf_addstr(&sb, "123456789"), 0);
	strbuf_release(&sb);
	/* an empty buffer stays the shared empty string */
	strbuf_reuse(&sb, 4);
	check_buf_invariants(&sb);
	assert_int_equal(sb.alloc, 0);
}

static void test_strbuf__room_asked_for_at_once_is_what_is_allocated(
	void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_grow(&sb, 50000), 0);
	assert_int_equal(sb.alloc, 50001);
	check_buf_invariants(&sb);
	/* appends past it grow by half again, not to the byte */
	assert_int_equal(strbuf_grow(&sb, 50001), 0);
	assert_int_equal(sb.alloc, 75001);
	strbuf_release(&sb);
	/* small ones start at 64 bytes */
	assert_int_equal(strbuf_addch(&sb, 'a'), 0);
	assert_int_equal(sb.alloc, 64);
	strbuf_release(&sb);
}

static void test_strbuf__detach_hands_out_the_string_and_resets(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s;

	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(strbuf_addstr(&sb, "kept"), 0);
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "kept");
	assert_int_equal(len, 4);
	check_buf_invariants(&sb);
	assert_int_equal(sb.len, 0);
	free(s);
}

static void test_strbuf__trim_removes_outer_white_space(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_addstr(&sb, " \t a b \r\n"), 0);
	strbuf_trim(&sb);
	check_buf_invariants(&sb);
	assert_string_equal(sb.buf, "a b");
	strbuf_reset(&sb);
	strbuf_trim(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_strbuf__setlen_shortens(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_addstr(&sb, "abcdef"), 0);
	strbuf_setlen(&sb, 2);
	check_buf_invariants(&sb);
	assert_string_equal(sb.buf, "ab");
	strbuf_release(&sb);
}

static void test_strbuf__read_file_appends_the_whole_file(void **state)
{
	char path[] = "/tmp/test_strbuf_XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	assert_int_equal(strbuf_addstr(&sb, "x"), 0);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	check_buf_invariants(&sb);
	assert_int_equal(sb.len, 50001);
	unlink(path);
	strbuf_release(&sb);
}

static void test_strbuf__read_missing_file_keeps_errno(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_read_file(&sb, "/nonexistent/x"), DG_EIO);
	assert_int_equal(errno, ENOENT);
	check_buf_invariants(&sb);
	strbuf_release(&sb);
}

static void test_strbuf__write_fd_writes_everything(void **state)
{
	char path[] = "/tmp/test_strbuf_w_XXXXXX";
	struct strbuf sb = STRBUF_INIT, back = STRBUF_INIT;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(strbuf_addf(&sb, "%d,", i), 0);
	assert_int_equal(strbuf_write_fd(&sb, fd), 0);
	close(fd);
	assert_int_equal(strbuf_read_file(&back, path), 0);
	assert_int_equal(back.len, sb.len);
	assert_memory_equal(back.buf, sb.buf, sb.len);
	assert_int_equal(strbuf_write_fd(&sb, -1), DG_EIO);
	assert_int_equal(errno, EBADF);
	unlink(path);
	strbuf_release(&sb);
	strbuf_release(&back);
}

static void test_err__prefix_adds_context(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(dg_errf(&err, DG_EINVAL, "bad %s", "row"), DG_EINVAL);
	assert_int_equal(dg_err_prefix(&err, "%s:%d", "roster.csv", 7),
			 DG_EINVAL);
	assert_string_equal(err.msg, "roster.csv:7: bad row");
}

static void test_err__a_quoted_value_cannot_break_the_line(void **state)
{
	struct dg_err err = DG_ERR_INIT;

	dg_errf(&err, DG_EINVAL, "column '%s' is bad", "x\r\nERROR forged\x7f");
	assert_string_equal(err.msg, "column 'x??ERROR forged?' is bad");
	dg_err_prefix(&err, "%s", "file\n");
	assert_string_equal(err.msg, "file?: column 'x??ERROR forged?' is bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf__static_init_is_an_empty_string),
		cmocka_unit_test(test_strbuf__appends_keep_the_nul_and_length),
		cmocka_unit_test(test_strbuf__data_may_hold_nul_bytes),
		cmocka_unit_test(test_strbuf__large_appends_grow_the_buffer),
		cmocka_unit_test(
			test_strbuf__reuse_keeps_the_memory_and_sets_the_limit),
		cmocka_unit_test(
			test_strbuf__room_asked_for_at_once_is_what_is_allocated),
		cmocka_unit_test(
			test_strbuf__append_past_the_limit_fails_and_empties),
		cmocka_unit_test(
			test_strbuf__detach_hands_out_the_string_and_resets),
		cmocka_unit_test(test_strbuf__trim_removes_outer_white_space),
		cmocka_unit_test(test_strbuf__setlen_shortens),
		cmocka_unit_test(test_strbuf__read_file_appends_the_whole_file),
		cmocka_unit_test(test_strbuf__read_missing_file_keeps_errno),
		cmocka_unit_test(test_strbuf__write_fd_writes_everything),
		cmocka_unit_test(test_err__prefix_adds_context),
		cmocka_unit_test(test_err__a_quoted_value_cannot_break_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
