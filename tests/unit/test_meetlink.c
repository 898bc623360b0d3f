/* meetlink: only known meeting services become links; textclean too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "meetlink.h"
#include "strbuf.h"
#include "textclean.h"

static void test_meetlink__known_services_and_subdomains_are_links(
	void **state)
{
	assert_true(meetlink_trusted("https://teams.microsoft.com/l/meetup-"
				     "join/19%3ameeting", NULL));
	assert_true(meetlink_trusted("https://us02web.zoom.us/j/123", NULL));
	assert_true(meetlink_trusted("https://meet.google.com/abc-defg-hij",
				     NULL));
	assert_true(meetlink_trusted("https://Contoso.WebEx.com/meet/x",
				     NULL));
}

static void test_meetlink__look_alike_hosts_are_not_links(void **state)
{
	static const char *const bad[] = {
		"https://teams.microsoft.com.evil.example/l/meetup-join/x",
		"https://teams.microsoft.com@evil.example/l/meetup-join/x",
		"https://user:pw@teams.microsoft.com/x",
		"https://evilzoom.us/j/1",
		"http://teams.microsoft.com/l/x",
		"javascript:alert(1)//teams.microsoft.com",
		"https://teams.microsoft.com\r\n/x",
		"https://teams.microsoft.com /x",
		"teams.microsoft.com/l/x",
		"",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_false(meetlink_trusted(bad[i], NULL));
	assert_false(meetlink_trusted(NULL, NULL));
}

static void test_meetlink__the_configured_list_replaces_the_default(
	void **state)
{
	const char *const hosts[] = {"meet.example.com", NULL};
	const char *const none[] = {NULL};

	assert_true(meetlink_trusted("https://meet.example.com/r/1", hosts));
	assert_false(meetlink_trusted("https://zoom.us/j/1", hosts));
	assert_false(meetlink_trusted("https://zoom.us/j/1", none));
}

static void test_meetlink__host_is_what_the_url_really_reaches(void **state)
{
	struct strbuf h = STRBUF_INIT;

	assert_int_equal(meetlink_host("https://teams.microsoft.com@Evil."
				       "Example/x", &h), 0);
	assert_string_equal(h.buf, "evil.example");
	strbuf_reset(&h);
	assert_int_not_equal(meetlink_host("javascript:alert(1)", &h), 0);
	strbuf_release(&h);
}

static void clean(const char *in, size_t max, const char *want, bool cut)
{
	struct strbuf b = STRBUF_INIT;
	bool was_cut = !cut;

	assert_int_equal(textclean_line(in, max, &b, &was_cut), 0);
	assert_string_equal(b.buf, want);
	assert_int_equal(was_cut, cut);
	strbuf_release(&b);
}

static void test_textclean__bidi_controls_and_zero_width_are_removed(
	void **state)
{
	clean("Budget \u202Egnp.exe\u202C review", 0,
	      "Budget gnp.exe review", false);
	clean("a\u2066b\u2067c\u2068d\u2069e\u200Ef\u200Fg\u061Ch", 0,
	      "abcdefgh", false);
	clean("pay\u200Bpal\u200C\u200D\u2060\uFEFF", 0, "paypal", false);
}

static void test_textclean__controls_and_line_breaks_become_spaces(
	void **state)
{
	clean("a\r\nb\tc\u2028d\xc2\x85" "e", 0, "a  b c d e", false);
}

static void test_textclean__bad_utf8_is_replaced_and_cuts_fall_between(
	void **state)
{
	clean("a\xc3\x28", 0, "a\xef\xbf\xbd(", false);
	/* "é" is two bytes: a limit of 2 keeps "a" and drops the half */
	clean("a\xc3\xa9z", 2, "a", true);
	clean("abc", 3, "abc", false);
}

static void test_textclean__plain_ascii_runs_are_kept_to_the_limit(
	void **state)
{
	/* runs of printable ASCII around the characters that change */
	clean("Ann Archer, CFO ~ {R&D}", 0, "Ann Archer, CFO ~ {R&D}", false);
	clean("Zo\xc3\xab\x7f" "D\u200B!", 0, "Zo\xc3\xab D!", false);
	clean("Archer", 3, "Arc", true);
	clean("ab\tc", 3, "ab ", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_meetlink__known_services_and_subdomains_are_links),
		cmocka_unit_test(test_meetlink__look_alike_hosts_are_not_links),
		cmocka_unit_test(
			test_meetlink__the_configured_list_replaces_the_default),
		cmocka_unit_test(
			test_meetlink__host_is_what_the_url_really_reaches),
		cmocka_unit_test(
			test_textclean__bidi_controls_and_zero_width_are_removed),
		cmocka_unit_test(
			test_textclean__controls_and_line_breaks_become_spaces),
		cmocka_unit_test(
			test_textclean__bad_utf8_is_replaced_and_cuts_fall_between),
		cmocka_unit_test(
			test_textclean__plain_ascii_runs_are_kept_to_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
