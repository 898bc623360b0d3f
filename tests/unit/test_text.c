/*
 * text: the strings of one record laid out for one allocation
 * (text_pack_add): each string once, a string that ends another sharing
 * its bytes, nothing shared that is not a whole string's end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "err.h"
#include "strbuf.h"
#include "text.h"

static size_t add(struct strbuf *layout, const char *s)
{
	size_t off;

	assert_int_equal(text_pack_add(layout, s, s ? strlen(s) : 0, &off),
			 0);
	return off;
}

static void test_text__pack_lays_strings_out_one_after_another(void **state)
{
	struct strbuf l = STRBUF_INIT;

	(void)state;
	assert_int_equal(add(&l, "id-1"), 0);
	assert_int_equal(add(&l, "Ana"), 5);
	assert_int_equal(l.len, 9);
	assert_memory_equal(l.buf, "id-1\0Ana\0", 9);
	assert_string_equal(text_pack_at(l.buf, 5), "Ana");
	strbuf_release(&l);
}

static void test_text__pack_shares_the_end_of_a_string_laid_out(void **state)
{
	struct strbuf l = STRBUF_INIT;
	size_t proxy, mail, upn, display, surname;

	(void)state;
	proxy = add(&l, "SMTP:ana@b.c");
	mail = add(&l, "ana@b.c");
	upn = add(&l, "ana@b.c");
	display = add(&l, "Ana Adams");
	surname = add(&l, "Adams");
	assert_int_equal(mail, proxy + 5);
	assert_int_equal(upn, mail);
	assert_int_equal(surname, display + 4);
	assert_int_equal(l.len, strlen("SMTP:ana@b.c") + strlen("Ana Adams") +
					2);
	assert_string_equal(text_pack_at(l.buf, mail), "ana@b.c");
	assert_string_equal(text_pack_at(l.buf, surname), "Adams");
	strbuf_release(&l);
}

/* "Ana" starts "Ana Adams" but ends nothing; "a@b" is no string's end. */
static void test_text__pack_shares_no_beginning_or_middle(void **state)
{
	struct strbuf l = STRBUF_INIT;

	(void)state;
	add(&l, "Ana Adams");
	assert_int_equal(add(&l, "Ana"), 10);
	add(&l, "x.a@b.c");
	assert_int_equal(add(&l, "a@b"), 22);
	assert_int_equal(l.len, 26);
	strbuf_release(&l);
}

static void test_text__pack_of_null_is_none_and_adds_nothing(void **state)
{
	struct strbuf l = STRBUF_INIT;

	(void)state;
	assert_int_equal(add(&l, NULL), TEXT_PACK_NONE);
	assert_int_equal(l.len, 0);
	assert_null(text_pack_at(l.buf, TEXT_PACK_NONE));
	/* an empty string is a NUL: the end of any string shares it */
	assert_int_equal(add(&l, ""), 0);
	add(&l, "abc");
	assert_int_equal(add(&l, ""), 0);
	assert_int_equal(l.len, 5);
	strbuf_release(&l);
}

/* s[0..len) need not end in a NUL: a line of a longer text. */
static void test_text__pack_takes_a_piece_of_a_longer_text(void **state)
{
	const char *lines = "SMTP:a@b.c\nsmtp:al@b.c";
	struct strbuf l = STRBUF_INIT;
	size_t off;

	(void)state;
	assert_int_equal(text_pack_add(&l, lines, 10, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(text_pack_add(&l, lines + 11, 11, &off), 0);
	assert_int_equal(off, 11);
	assert_string_equal(text_pack_at(l.buf, 0), "SMTP:a@b.c");
	assert_string_equal(text_pack_at(l.buf, 11), "smtp:al@b.c");
	assert_int_equal(text_pack_add(&l, lines + 5, 5, &off), 0);
	assert_int_equal(off, 5);
	strbuf_release(&l);
}

static void test_text__pack_past_the_layouts_limit_is_refused(void **state)
{
	struct strbuf l;
	size_t off;

	(void)state;
	strbuf_init(&l, 8);
	assert_int_equal(text_pack_add(&l, "abc", 3, &off), 0);
	assert_int_equal(text_pack_add(&l, "defghij", 7, &off), DG_ETOOBIG);
	assert_int_equal(l.len, 0);
	strbuf_release(&l);
}

static void test_text__utf8_long_ascii_is_valid(void **state)
{
	const char *s = "an ASCII text of more than eight bytes, 0123456789";

	(void)state;
	assert_true(text_is_utf8(s, strlen(s)));
	assert_true(text_is_utf8(s, 8));
	assert_true(text_is_utf8(s, 17));
	assert_true(text_is_utf8("", 0));
}

static void test_text__utf8_nul_anywhere_is_refused(void **state)
{
	char s[40];

	(void)state;
	for (size_t at = 0; at < sizeof(s); at++) {
		memset(s, 'a', sizeof(s));
		s[at] = '\0';
		assert_false(text_is_utf8(s, sizeof(s)));
	}
}

/* One sequence's length: what a reader of mixed text steps by. */
static void test_text__utf8_seq_gives_each_length_or_zero(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_seq("a", 1), 1);
	assert_int_equal(text_utf8_seq("\0", 1), 1);
	assert_int_equal(text_utf8_seq("\xc3\xa9x", 3), 2);
	assert_int_equal(text_utf8_seq("\xe2\x82\xac", 3), 3);
	assert_int_equal(text_utf8_seq("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(text_utf8_seq("", 0), 0);
	/* cut short, overlong, a surrogate, beyond U+10FFFF, a lone tail */
	assert_int_equal(text_utf8_seq("\xe2\x82", 2), 0);
	assert_int_equal(text_utf8_seq("\xc0\x80", 2), 0);
	assert_int_equal(text_utf8_seq("\xe0\x80\x80", 3), 0);
	assert_int_equal(text_utf8_seq("\xed\xa0\x80", 3), 0);
	assert_int_equal(text_utf8_seq("\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(text_utf8_seq("\x80", 1), 0);
}

static void test_text__utf8_checks_sequences_after_ascii_runs(void **state)
{
	(void)state;
	/* valid two- and four-byte sequences past whole words of ASCII */
	assert_true(text_is_utf8("abcdefghijklmnop\xc3\xa9q", 19));
	assert_true(text_is_utf8("abcdefgh\xf0\x9f\x98\x80" "abcdefgh", 20));
	/* an overlong form, a surrogate, a stray continuation byte */
	assert_false(text_is_utf8("abcdefghijklmnop\xc0\xafq", 19));
	assert_false(text_is_utf8("abcdefghijklmnop\xed\xa0\x80", 19));
	assert_false(text_is_utf8("abcdefghijklmno\x80" "abcdefgh", 24));
	/* a sequence cut by the end, after a word of ASCII */
	assert_false(text_is_utf8("abcdefgh\xe2\x82", 10));
}

/* The ASCII run ends at the first byte >= 0x80, wherever it falls. */
static void test_text__ascii_span_stops_at_the_first_high_byte(void **state)
{
	char s[40];

	(void)state;
	assert_int_equal(text_ascii_span("", 0), 0);
	memset(s, 'a', sizeof(s));
	s[3] = '\0'; /* NUL is ASCII: no stop */
	assert_int_equal(text_ascii_span(s, sizeof(s)), sizeof(s));
	for (size_t len = 1; len <= sizeof(s); len++)
		for (size_t at = 0; at < len; at++) {
			memset(s, 'a', sizeof(s));
			s[at] = (char)0xc3;
			assert_int_equal(text_ascii_span(s, len), at);
			assert_int_equal(text_ascii_span(s, at), at);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_text__pack_lays_strings_out_one_after_another),
		cmocka_unit_test(
			test_text__pack_shares_the_end_of_a_string_laid_out),
		cmocka_unit_test(test_text__pack_shares_no_beginning_or_middle),
		cmocka_unit_test(
			test_text__pack_of_null_is_none_and_adds_nothing),
		cmocka_unit_test(
			test_text__pack_takes_a_piece_of_a_longer_text),
		cmocka_unit_test(
			test_text__pack_past_the_layouts_limit_is_refused),
		cmocka_unit_test(test_text__utf8_long_ascii_is_valid),
		cmocka_unit_test(test_text__utf8_nul_anywhere_is_refused),
		cmocka_unit_test(
			test_text__utf8_seq_gives_each_length_or_zero),
		cmocka_unit_test(
			test_text__utf8_checks_sequences_after_ascii_runs),
		cmocka_unit_test(
			test_text__ascii_span_stops_at_the_first_high_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
