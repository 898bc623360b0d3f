/*
 * mimeqp: the encoder writes what libetpan 1.9.4's quoted-printable writer
 * writes, byte for byte, on the text mime used to hand it (line ends made
 * LF, blanks before them dropped), for chosen edge cases and many random
 * texts; what it writes is 7-bit CRLF with lines of at most 76 octets,
 * and libetpan's decoder gives the text back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mimeqp.h"
#include "strbuf.h"

/*
 * The text as mime gave it to libetpan before mimeqp: each line end (LF,
 * CRLF, lone CR) one LF, blanks before it and at the end dropped.
 */
static char *prepared(const char *s, size_t len, size_t *out_len)
{
	const char *end = s + len;
	char *out = malloc(len + 1), *q = out;

	assert_non_null(out);
	while (s < end) {
		size_t n = 0, keep;

		while (s + n < end && s[n] != '\r' && s[n] != '\n')
			n++;
		keep = n;
		while (keep && (s[keep - 1] == ' ' || s[keep - 1] == '\t'))
			keep--;
		memcpy(q, s, keep);
		q += keep;
		s += n;
		if (s == end)
			break;
		*q++ = '\n';
		s += *s == '\r' && s + 1 < end && s[1] == '\n' ? 2 : 1;
	}
	*out_len = (size_t)(q - out);
	return out;
}

/* The promises of mimeqp.h on what it wrote. */
static void check_lines(const char *s, size_t n)
{
	size_t line = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			assert_true(i + 1 < n && s[i + 1] == '\n');
			i++;
			line = 0;
			continue;
		}
		assert_true(c >= 0x20 || c == '\t');
		assert_true(c < 0x7f);
		if (++line > 76)
			fail_msg("line of over 76 octets at offset %zu", i);
	}
}

/* libetpan's decoder gives back the prepared text, line ends as CRLF. */
static void check_decodes(const char *enc, size_t n, const char *text,
			  size_t len)
{
	struct strbuf want = STRBUF_INIT;
	size_t idx = 0, dlen = 0;
	char *dec = NULL;

	for (size_t i = 0; i < len; i++)
		assert_int_equal(text[i] == '\n' ? strbuf_add(&want, "\r\n", 2)
						 : strbuf_addch(&want, text[i]),
				 0);
	assert_int_equal(mailmime_quoted_printable_body_parse(enc, n, &idx,
							      &dec, &dlen, 0),
			 MAILIMF_NO_ERROR);
	assert_int_equal(dlen, want.len);
	assert_memory_equal(dec, want.buf, dlen);
	mmap_string_unref(dec);
	strbuf_release(&want);
}

/* mimeqp_encode(s) is what libetpan writes for the prepared s. */
static void check_same(const char *s, size_t len)
{
	struct strbuf ours = STRBUF_INIT;
	MMAPString *theirs = mmap_string_new("");
	size_t plen;
	char *p = prepared(s, len, &plen);
	int col = 0;

	assert_non_null(theirs);
	assert_int_equal(mailmime_quoted_printable_write_mem(theirs, &col, 1,
							     p, plen),
			 MAILIMF_NO_ERROR);
	assert_int_equal(mimeqp_encode(s, len, &ours), 0);
	if (ours.len != theirs->len ||
	    memcmp(ours.buf, theirs->str, ours.len))
		fail_msg("for \"%.*s\" (%zu bytes)\nlibetpan: \"%s\"\nmimeqp:   "
			 "\"%s\"",
			 (int)(len > 200 ? 200 : len), s, len, theirs->str,
			 ours.buf);
	check_lines(ours.buf, ours.len);
	check_decodes(ours.buf, ours.len, p, plen);
	strbuf_release(&ours);
	mmap_string_free(theirs);
	free(p);
}

static void check_str(const char *s)
{
	check_same(s, strlen(s));
}

static void test_mimeqp__edge_cases_are_written_as_libetpan_does(void **state)
{
	static const char *const cases[] = {
		"",
		"a",
		"\n",
		"\n\n\n",
		"plain ASCII line\n",
		"no line end at the end",
		"a = b, 100% sure? [x] {y} ~z_ ^`|\\ @ # $ ! \"q\"\n",
		"From the start of a line\nFrom\nF\n",
		".\n.a line starting with a dot\n..\n",
		"trailing space \ntrailing tab\t\nboth \t \t\nend  ",
		"   \n\t\n \t \n",
		"  leading blanks kept\n\tand a tab\n",
		"inner  blanks\tand\t\ttabs kept\n",
		"CRLF\r\nline ends\r\n",
		"lone CR\rline ends\r",
		"mixed\r\n\n\r\r\n\rends",
		"blank before CRLF \r\nblank before CR \rend",
		"UTF-8: Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln \xe2\x80\x94 "
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80\n",
		"invalid UTF-8 \xff\xfe\xc3\n",
		"controls \x01\x02\x1b[0m\x7f\x0b\x0c\n",
		"<td style=\"padding:0 0 8px 0;font-family:Arial\">x</td>\n",
		"https://teams.microsoft.com/l/meetup-join/19%3ameeting_dV3pATT"
		"XIHe2Su6xtmElsJFXTzihHt6_s0fxmVH2UuZ0c1li%40thread.v2/0?conte"
		"xt=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%"
		"7d\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		check_str(cases[i]);
}

/*
 * Lines of every length around the soft break, made of raw bytes, of
 * escaped ones and of both, so that an escape falls on each column from
 * 70 to 76, before a line end, at the end, and after a blank.
 */
static void test_mimeqp__soft_breaks_fall_where_libetpan_puts_them(
	void **state)
{
	static const char *const fill[] = {"a", "=", "\xc3\xa9", "a=", "aa=",
					   "F.", " x", "a\t"};
	struct strbuf s = STRBUF_INIT;

	(void)state;
	for (size_t f = 0; f < sizeof(fill) / sizeof(*fill); f++)
		for (size_t len = 60; len <= 240; len++) {
			strbuf_reset(&s);
			while (s.len < len)
				assert_int_equal(strbuf_addstr(&s, fill[f]), 0);
			check_same(s.buf, s.len);
			assert_int_equal(strbuf_addstr(&s, "\nnext="), 0);
			check_same(s.buf, s.len);
			assert_int_equal(strbuf_addstr(&s, " \n"), 0);
			check_same(s.buf, s.len);
		}
	strbuf_release(&s);
}

/* Append n bytes to s: c, and every k-th one other instead. */
static void add_fill(struct strbuf *s, size_t n, char c, size_t k,
		     char other)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(strbuf_addch(s, i % k ? c : other), 0);
}

/*
 * The text is looked at in blocks of 64 bytes and runs are copied 16 at
 * a time while the text has that many left: each stop (escape, line end,
 * CRLF split over two blocks, a tab, blanks before a line end) at every
 * offset around the first two block edges and the end of the text, and
 * runs longer than a block, are written as libetpan does.
 */
static void test_mimeqp__block_edges_are_written_as_libetpan_does(
	void **state)
{
	static const char *const probe[] = {"\r\n", "\r", "\n", "=", "\t",
					    " \t\n", "\xc3\xa9", "x  \r\n"};
	static const size_t tail[] = {0, 1, 15, 16, 17, 90, 200};
	struct strbuf s = STRBUF_INIT;

	(void)state;
	for (size_t p = 0; p < sizeof(probe) / sizeof(*probe); p++)
		for (size_t at = 0; at < 140; at++)
			for (size_t t = 0; t < sizeof(tail) / sizeof(*tail);
			     t++) {
				strbuf_reset(&s);
				add_fill(&s, at, 'a', 37, '=');
				assert_int_equal(strbuf_addstr(&s, probe[p]),
						 0);
				add_fill(&s, tail[t], 'z', 19, '"');
				check_same(s.buf, s.len);
			}
	for (size_t len = 100; len < 1000; len += 67) { /* runs of blocks */
		strbuf_reset(&s);
		add_fill(&s, len, 'r', len + 1, 'r');
		assert_int_equal(strbuf_addstr(&s, "=\n \t"), 0);
		add_fill(&s, len, ' ', 2, 'b');
		assert_int_equal(strbuf_addstr(&s, " \r\nend"), 0);
		check_same(s.buf, s.len);
	}
	strbuf_release(&s);
}

static void test_mimeqp__every_byte_is_written_as_libetpan_does(void **state)
{
	char s[3] = {'a', 0, 'b'};

	(void)state;
	for (int c = 0; c < 256; c++) {
		s[1] = (char)c;
		check_same(s, sizeof(s)); /* NUL too: =00 */
		check_same(s + 1, 1);
	}
}

/* A small deterministic generator: the same texts on every run. */
static uint32_t next_random(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_mimeqp__random_texts_are_written_as_libetpan_does(
	void **state)
{
	static const char alphabet[] = " \t\r\n=.F!\"#$@[\\]^_`{|}~?aZ09<>%\x7f"
				       "\x01\xc3\xa9\xe2\x80\x94\xff";
	uint32_t x = 2463534242u;
	char buf[1200];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t len = next_random(&x) % sizeof(buf);
		unsigned mode = next_random(&x) % 3;

		for (size_t k = 0; k < len; k++) {
			uint32_t r = next_random(&x);

			if (mode == 0) /* any byte */
				buf[k] = (char)(r & 0xff);
			else if (mode == 1 || r % 8 == 0) /* the hard ones */
				buf[k] = alphabet[(r >> 8) %
						  (sizeof(alphabet) - 1)];
			else /* words */
				buf[k] = (char)('a' + (r >> 8) % 26);
		}
		check_same(buf, len);
	}
}

static void test_mimeqp__text_is_appended_to_out(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(strbuf_addstr(&out, "before|"), 0);
	assert_int_equal(mimeqp_encode("x=1\n", 4, &out), 0);
	assert_string_equal(out.buf, "before|x=3D1\r\n");
	strbuf_release(&out);
}

static void test_mimeqp__output_over_the_limit_is_refused(void **state)
{
	struct strbuf out;
	char text[20000];

	(void)state;
	memset(text, '=', sizeof(text));
	strbuf_init(&out, 30000); /* the text fits, its encoding not */
	assert_int_equal(mimeqp_encode(text, sizeof(text), &out), DG_ETOOBIG);
	assert_int_equal(out.len, 0);
	assert_int_equal(strbuf_addstr(&out, "usable"), 0);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_mimeqp__edge_cases_are_written_as_libetpan_does),
		cmocka_unit_test(
			test_mimeqp__soft_breaks_fall_where_libetpan_puts_them),
		cmocka_unit_test(
			test_mimeqp__block_edges_are_written_as_libetpan_does),
		cmocka_unit_test(
			test_mimeqp__every_byte_is_written_as_libetpan_does),
		cmocka_unit_test(
			test_mimeqp__random_texts_are_written_as_libetpan_does),
		cmocka_unit_test(test_mimeqp__text_is_appended_to_out),
		cmocka_unit_test(test_mimeqp__output_over_the_limit_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
