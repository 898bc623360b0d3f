/*
 * textclean: what a line of untrusted text keeps, what becomes a space,
 * what is dropped, and where a long one is cut; printable ASCII runs and
 * the characters around them alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "strbuf.h"
#include "textclean.h"

/* The clean form of s (at most max bytes of it), and whether it was cut. */
static void check(const char *s, size_t max, const char *want,
		  bool want_cut)
{
	struct strbuf out = STRBUF_INIT;
	bool cut = !want_cut;

	assert_int_equal(textclean_line(s, max, &out, &cut), 0);
	assert_string_equal(out.buf, want);
	assert_int_equal(cut, want_cut);
	strbuf_release(&out);
}

static void test_textclean__printable_ascii_is_kept_as_it_is(void **state)
{
	check("Budget review: Q3 (draft) ~ 100% #1 {a|b}", 0,
	      "Budget review: Q3 (draft) ~ 100% #1 {a|b}", false);
	check("", 0, "", false);
}

static void test_textclean__controls_and_separators_become_spaces(
	void **state)
{
	check("a\tb\r\nc\x7f" "d", 0, "a b  c d", false);
	check("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d", 0, "a b c d",
	      false);
}

static void test_textclean__bidi_and_zero_width_characters_are_dropped(
	void **state)
{
	check("Budget \xe2\x80\xae" "gnp.exe\xe2\x80\xac review", 0,
	      "Budget gnp.exe review", false);
	check("a\xe2\x80\x8b" "b\xef\xbb\xbf" "c\xd8\x9c" "d\xe2\x81\xa6" "e",
	      0, "abcde", false);
}

static void test_textclean__other_characters_and_bad_utf8_are_kept_or_replaced(
	void **state)
{
	check("Zo\xc3\xab \xe6\x9d\xb1\xe4\xba\xac", 0,
	      "Zo\xc3\xab \xe6\x9d\xb1\xe4\xba\xac", false);
	check("a\xff" "b\xc3", 0, "a\xef\xbf\xbd" "b\xef\xbf\xbd", false);
}

static void test_textclean__long_text_is_cut_between_characters(void **state)
{
	check("abcdef", 4, "abcd", true);
	check("abcd", 4, "abcd", false);
	/* "é" would be cut in two at 4 bytes: it is dropped */
	check("abc\xc3\xa9" "f", 4, "abc", true);
	check("ab\xc3\xa9" "f", 4, "ab\xc3\xa9", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_textclean__printable_ascii_is_kept_as_it_is),
		cmocka_unit_test(
			test_textclean__controls_and_separators_become_spaces),
		cmocka_unit_test(
			test_textclean__bidi_and_zero_width_characters_are_dropped),
		cmocka_unit_test(
			test_textclean__other_characters_and_bad_utf8_are_kept_or_replaced),
		cmocka_unit_test(
			test_textclean__long_text_is_cut_between_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
