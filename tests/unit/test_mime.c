/*
 * mime: untrusted calendar text cannot add headers, non-ASCII survives
 * RFC 2047, no line passes 998 octets, bad input is refused by name.
 * Headers are read back with libetpan's own parsers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libetpan/libetpan.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "err.h"
#include "mime.h"
#include "strbuf.h"

#define HOSTILE_SUBJECT "Hi\r\nBcc: x@evil.example"
#define HOSTILE_NAME                                                           \
	"Eve \"the boss\" <img src=x onerror=alert(1)>\r\nBcc: x@evil.example"

static const struct mime_header default_extra[] = {
	{"List-Unsubscribe", "<https://example.com/unsubscribe?t=abc>"},
	{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	{"Auto-Submitted", "auto-generated"},
};

static struct mime_message base_message(void)
{
	struct mime_message m = {
		.from = "Meeting digest <digest@example.com>",
		.to_name = "Zoe Miller",
		.to_address = "zoe@example.org",
		.subject = "Your meetings on 2026-11-24",
		.text = "Hello Zoe,\nthree meetings tomorrow.\n",
		.html = "<p>Hello Zoe,</p>\n<p>three meetings tomorrow.</p>\n",
		.date = 1795503600, /* Tue, 24 Nov 2026 07:00:00 UTC */
		.message_id = "digest.abc123@example.com",
		.extra = default_extra,
		.nextra = 3,
	};
	return m;
}

/* CRLF only, 7-bit, no line over 998 octets, a final CRLF. */
static void check_message_lines(const struct strbuf *sb)
{
	size_t i, line = 0;

	assert_true(sb->len >= 2);
	assert_memory_equal(sb->buf + sb->len - 2, "\r\n", 2);
	for (i = 0; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->buf[i];

		if (c == '\r') {
			assert_true(i + 1 < sb->len && sb->buf[i + 1] == '\n');
			i++;
			line = 0;
			continue;
		}
		assert_true(c != '\n' && c && c < 0x80);
		line++;
		if (line > 998)
			fail_msg("line over 998 octets at offset %zu", i);
	}
}

static void build(const struct mime_message *m, struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;

	if (mime_build(m, out, &err))
		fail_msg("mime_build failed: %s", err.msg);
	check_message_lines(out);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* mime_build refuses m with DG_EINVAL and a message holding both needles. */
static void expect_refusal(const struct mime_message *m, const char *needle1,
			   const char *needle2)
{
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mime_build(m, &out, &err), DG_EINVAL);
	assert_contains(err.msg, needle1);
	if (needle2)
		assert_contains(err.msg, needle2);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

/* Length of the header block, its final CRLF included. */
static size_t header_block_len(const struct strbuf *sb)
{
	const char *end = strstr(sb->buf, "\r\n\r\n");

	assert_non_null(end);
	return (size_t)(end - sb->buf) + 2;
}

/* Header lines starting "name:" (not continuation lines). */
static int count_headers(const struct strbuf *sb, const char *name)
{
	size_t end = header_block_len(sb), n = strlen(name), i = 0;
	int count = 0;

	while (i < end) {
		if (!strncasecmp(sb->buf + i, name, n) && sb->buf[i + n] == ':')
			count++;
		i = (size_t)(strstr(sb->buf + i, "\r\n") - sb->buf) + 2;
	}
	return count;
}

/* The value of header name, unfolded (CRLF removed), leading blanks cut. */
static char *header_value(const struct strbuf *sb, const char *name)
{
	size_t end = header_block_len(sb), n = strlen(name), i = 0, eol;
	struct strbuf v = STRBUF_INIT;
	int found = 0;

	while (i < end) {
		eol = (size_t)(strstr(sb->buf + i, "\r\n") - sb->buf);
		if (found && sb->buf[i] != ' ' && sb->buf[i] != '\t')
			break;
		if (found) {
			assert_int_equal(strbuf_add(&v, sb->buf + i, eol - i),
					 0);
		} else if (!strncasecmp(sb->buf + i, name, n) &&
			   sb->buf[i + n] == ':') {
			found = 1;
			assert_int_equal(strbuf_add(&v, sb->buf + i + n + 1,
						    eol - i - n - 1),
					 0);
		}
		i = eol + 2;
	}
	if (!found)
		fail_msg("no header %s", name);
	while (v.len && (v.buf[0] == ' ' || v.buf[0] == '\t'))
		memmove(v.buf, v.buf + 1, v.len--);
	return strbuf_detach(&v, NULL);
}

/* An RFC 2047 phrase decoded to UTF-8 by libetpan; free() it. */
static char *decode_phrase(const char *s)
{
	size_t idx = 0;
	char *out = NULL;

	assert_int_equal(mailmime_encoded_phrase_parse("utf-8", s, strlen(s),
						       &idx, "utf-8", &out),
			 MAILIMF_NO_ERROR);
	return out;
}

/* Parse an address header's mailbox; the name decoded (NULL if none). */
static void parse_mailbox(const char *value, char **name, char **addr)
{
	struct mailimf_mailbox *mb = NULL;
	size_t idx = 0;

	assert_int_equal(mailimf_mailbox_parse(value, strlen(value), &idx, &mb),
			 MAILIMF_NO_ERROR);
	*name = mb->mb_display_name ? decode_phrase(mb->mb_display_name) : NULL;
	*addr = strdup(mb->mb_addr_spec);
	mailimf_mailbox_free(mb);
}

/*
 * Every blank-separated word of value is printable ASCII, and an encoded
 * word (RFC 2047: at most 75 characters) where it starts like one.
 * Returns how many are encoded.
 */
static int check_words(const char *value)
{
	const char *p = value, *end, *c;
	int encoded = 0;

	while (*p) {
		end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		for (c = p; c < end; c++)
			assert_true(*c > 0x20 && *c < 0x7f);
		if (!strncmp(p, "=?", 2)) {
			assert_true(end - p <= 75);
			assert_int_equal(strncmp(p, "=?UTF-8?B?", 10), 0);
			assert_memory_equal(end - 2, "?=", 2);
			encoded++;
		}
		p = *end ? end + 1 : end;
	}
	return encoded;
}

static void test_mime__hostile_subject_gives_one_subject_no_bcc(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *subject;

	m.subject = HOSTILE_SUBJECT;
	build(&m, &out);
	assert_int_equal(count_headers(&out, "Subject"), 1);
	assert_int_equal(count_headers(&out, "Bcc"), 0);
	subject = header_value(&out, "Subject");
	assert_string_equal(subject, "Hi Bcc: x@evil.example");
	free(subject);
	strbuf_release(&out);
}

static void test_mime__controls_in_subject_become_one_space(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *subject;

	/* NUL cannot be passed; SOH, tab, DEL, NEL (U+0085), U+2028 */
	m.subject = "  a\x01\x02"
		    "b\tc\x7f"
		    "d\xc2\x85"
		    "e\xe2\x80\xa8"
		    "f\r";
	build(&m, &out);
	subject = header_value(&out, "Subject");
	assert_string_equal(subject, "a b c d e f");
	free(subject);
	strbuf_release(&out);
}

static void test_mime__invalid_utf8_in_subject_becomes_u_fffd(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *value, *subject;

	m.subject = "caf\xe9 \xc0\xaf";
	build(&m, &out);
	value = header_value(&out, "Subject");
	subject = decode_phrase(value);
	assert_string_equal(subject,
			    "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");
	free(subject);
	free(value);
	strbuf_release(&out);
}

static void test_mime__hostile_display_name_stays_in_one_to(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *value, *name, *addr;

	m.to_name = HOSTILE_NAME;
	build(&m, &out);
	assert_int_equal(count_headers(&out, "To"), 1);
	assert_int_equal(count_headers(&out, "Bcc"), 0);
	value = header_value(&out, "To");
	parse_mailbox(value, &name, &addr);
	assert_string_equal(name, "Eve \"the boss\" <img src=x "
				  "onerror=alert(1)> Bcc: x@evil.example");
	assert_string_equal(addr, "zoe@example.org");
	free(value);
	free(name);
	free(addr);
	strbuf_release(&out);
}

static void test_mime__non_ascii_subject_round_trips_rfc2047(void **state)
{
	static const char subject[] =
		"Zo\xc3\xab, \xc3\x96mer and \xe4\xb8\xad\xe6\x9d\x91 "
		"\xe7\xb5\x90\xe8\xa1\xa3 meet tomorrow at the caf\xc3\xa9";
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *value, *decoded;

	m.subject = subject;
	build(&m, &out);
	value = header_value(&out, "Subject");
	assert_true(check_words(value) > 0);
	decoded = decode_phrase(value);
	assert_string_equal(decoded, subject);
	free(decoded);
	free(value);
	strbuf_release(&out);
}

static void test_mime__encoded_words_are_cut_between_characters(void **state)
{
	static const char yui[] = "\xe7\xb5\x90"; /* U+7D50, 3 bytes */
	struct mime_message m = base_message();
	struct strbuf subject = STRBUF_INIT, out = STRBUF_INIT;
	unsigned char bin[64];
	char *value, *p;
	size_t binlen, words = 0;
	int i, rc;

	for (i = 0; i < 100; i++)
		assert_int_equal(strbuf_addstr(&subject, yui), 0);
	m.subject = subject.buf;
	build(&m, &out);
	value = header_value(&out, "Subject");
	for (p = strstr(value, "?B?"); p; p = strstr(p, "?B?")) {
		p += 3;
		rc = sodium_base642bin(bin, sizeof(bin), p, strcspn(p, "?"),
				       NULL, &binlen, NULL,
				       sodium_base64_VARIANT_ORIGINAL);
		assert_int_equal(rc, 0);
		/* whole characters only: a multiple of yui, all of them */
		assert_int_equal(binlen % 3, 0);
		for (i = 0; (size_t)i < binlen; i += 3)
			assert_memory_equal(bin + i, yui, 3);
		words++;
	}
	assert_true(words > 1);
	free(value);
	strbuf_release(&out);
	strbuf_release(&subject);
}

static void test_mime__non_ascii_display_names_round_trip(void **state)
{
	static const char *const names[] = {
		"Zo\xc3\xab M\xc3\xbcller",
		"\xc3\x96mer",
		"\xe4\xb8\xad\xe6\x9d\x91 \xe7\xb5\x90\xe8\xa1\xa3",
		"\xe4\xb8\xad\xe6\x9d\x91 \xe7\xb5\x90\xe8\xa1\xa3 "
		"(\xe3\x82\xa8\xe3\x83\xb3\xe3\x82\xb8\xe3\x83\x8b\xe3\x82\xa2"
		"\xe3\x83\xaa\xe3\x83\xb3\xe3\x82\xb0\xe9\x83\xa8)",
	};
	struct mime_message m = base_message();
	char *value, *name, *addr;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct strbuf out = STRBUF_INIT;

		m.to_name = names[i];
		build(&m, &out);
		value = header_value(&out, "To");
		parse_mailbox(value, &name, &addr);
		assert_string_equal(name, names[i]);
		assert_string_equal(addr, "zoe@example.org");
		free(value);
		free(name);
		free(addr);
		strbuf_release(&out);
	}
}

static void test_mime__non_ascii_sender_name_is_encoded(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *value, *name, *addr;

	m.from = "Zo\xc3\xab's digest <digest@example.com>";
	build(&m, &out);
	value = header_value(&out, "From");
	assert_contains(value, "=?UTF-8?B?");
	parse_mailbox(value, &name, &addr);
	assert_string_equal(name, "Zo\xc3\xab's digest");
	assert_string_equal(addr, "digest@example.com");
	free(value);
	free(name);
	free(addr);
	strbuf_release(&out);
}

static void test_mime__sender_is_split_into_name_and_address(void **state)
{
	static const struct {
		const char *from, *name, *addr;
	} cases[] = {
		{"Meeting digest <digest@example.com>", "Meeting digest",
		 "digest@example.com"},
		{"\"Digest, Inc. \\\"HQ\\\"\" <d@example.com>",
		 "Digest, Inc. \"HQ\"", "d@example.com"},
		{"  d@example.com ", NULL, "d@example.com"},
		{"<d@example.com>", NULL, "d@example.com"},
	};
	struct mime_message m = base_message();
	char *value, *name, *addr;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf out = STRBUF_INIT;

		m.from = cases[i].from;
		build(&m, &out);
		value = header_value(&out, "From");
		parse_mailbox(value, &name, &addr);
		if (cases[i].name)
			assert_string_equal(name, cases[i].name);
		else
			assert_null(name);
		assert_string_equal(addr, cases[i].addr);
		free(value);
		free(name);
		free(addr);
		strbuf_release(&out);
	}
}

static void test_mime__malformed_sender_is_refused(void **state)
{
	struct mime_message m = base_message();

	m.from = "Digest <digest@example.com";
	expect_refusal(&m, "sender (from) \"Digest <digest@example.com\"",
		       "Name <address>");
	m.from = "Digest <digest@example.com> extra";
	expect_refusal(&m, "sender (from)", "Name <address>");
	m.from = "Digest <not an address>";
	expect_refusal(&m, "sender (from) address \"not an address\"", "space");
	m.from = "digest";
	expect_refusal(&m, "sender (from) address \"digest\"",
		       "exactly one '@'");
}

static void test_mime__bad_recipient_address_is_refused_by_name(void **state)
{
	static const struct {
		const char *addr, *why;
	} cases[] = {
		{"", "it is empty"},
		{"bob smith@example.com", "space or a control character"},
		{"bob@example.com\r\nBcc: x@evil.example",
		 "space or a control character"},
		{"<bob@example.com>", "'<' or '>'"},
		{"bob", "exactly one '@'"},
		{"bob@@example.com", "exactly one '@'"},
		{".bob@example.com", "part before '@'"},
		{"bo..b@example.com", "part before '@'"},
		{"bob,al@example.com", "part before '@'"},
		{"bob@", "part after '@'"},
		{"bob@exa_mple.com", "part after '@'"},
		{"bob@[127.0.0.1]", "part after '@'"},
		{"zo\xc3\xab@example.com", "non-ASCII"},
	};
	struct mime_message m = base_message();
	struct strbuf long_addr = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.to_address = cases[i].addr;
		expect_refusal(&m, "recipient address", cases[i].why);
	}
	m.to_address = "bob smith@example.com";
	expect_refusal(&m, "recipient address \"bob smith@example.com\"", NULL);
	m.to_address = "bob@example.com\r\nBcc: x@evil.example";
	expect_refusal(&m, "\"bob@example.com\\r\\nBcc: x@evil.example\"",
		       NULL);
	for (i = 0; i < 250; i++)
		assert_int_equal(strbuf_addch(&long_addr, 'a'), 0);
	assert_int_equal(strbuf_addstr(&long_addr, "@example.com"), 0);
	m.to_address = long_addr.buf;
	expect_refusal(&m, "recipient address", "too long");
	strbuf_release(&long_addr);
}

static void test_mime__invalid_header_name_is_refused_by_name(void **state)
{
	static const char *const names[] = {
		"X Bad", "X:Bad", "", "X-\xc3\xa9", "X-Tab\t", "X\r\nBcc",
	};
	struct mime_message m = base_message();
	struct mime_header h = {NULL, "value"};
	size_t i;

	m.extra = &h;
	m.nextra = 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		h.name = names[i];
		expect_refusal(&m, "extra header name",
			       "printable ASCII characters without ':'");
	}
	h.name = "X Bad";
	expect_refusal(&m, "extra header name \"X Bad\"", NULL);
}

static void test_mime__extra_header_cannot_repeat_a_builder_one(void **state)
{
	static const char *const names[] = {
		"Subject",	"bcc",
		"To",		"CC",
		"From",		"Date",
		"Message-ID",	"MIME-Version",
		"Content-Type", "content-transfer-encoding",
	};
	struct mime_message m = base_message();
	struct mime_header h = {NULL, "x@evil.example"};
	size_t i;

	m.extra = &h;
	m.nextra = 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		h.name = names[i];
		expect_refusal(&m, names[i], "writes it itself");
	}
}

static void test_mime__controls_in_extra_value_become_a_space(void **state)
{
	struct mime_message m = base_message();
	struct mime_header h = {"List-Unsubscribe-Post",
				"List-Unsubscribe=One-Click\r\nBcc: x@evil"};
	struct strbuf out = STRBUF_INIT;
	char *value;

	m.extra = &h;
	m.nextra = 1;
	build(&m, &out);
	assert_int_equal(count_headers(&out, "List-Unsubscribe-Post"), 1);
	assert_int_equal(count_headers(&out, "Bcc"), 0);
	value = header_value(&out, "List-Unsubscribe-Post");
	assert_string_equal(value, "List-Unsubscribe=One-Click Bcc: x@evil");
	free(value);
	strbuf_release(&out);
}

static void test_mime__extra_headers_are_written_in_order(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *a, *b, *c;

	build(&m, &out);
	a = strstr(out.buf, "\r\nList-Unsubscribe: <https://example.com/"
			    "unsubscribe?t=abc>\r\n");
	b = strstr(out.buf, "\r\nList-Unsubscribe-Post: "
			    "List-Unsubscribe=One-Click\r\n");
	c = strstr(out.buf, "\r\nAuto-Submitted: auto-generated\r\n");
	assert_true(a && b && c && a < b && b < c);
	strbuf_release(&out);
}

static void remove_blanks(char *s)
{
	char *w = s;

	for (; *s; s++)
		if (*s != ' ')
			*w++ = *s;
	*w = '\0';
}

static void test_mime__long_unsubscribe_url_is_folded_and_kept(void **state)
{
	struct mime_message m = base_message();
	struct strbuf url = STRBUF_INIT, value = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;
	struct mime_header h = {"List-Unsubscribe", NULL};
	const char *p, *eol;
	size_t lines = 0;
	char *got;

	assert_int_equal(strbuf_addstr(&url, "https://example.com/u?token="),
			 0);
	while (url.len < 2000)
		assert_int_equal(
			strbuf_addch(&url, "0123456789abcdef"[url.len % 16]),
			0);
	assert_int_equal(
		strbuf_addf(&value, "<mailto:u@example.com>, <%s>", url.buf),
		0);
	h.value = value.buf;
	m.extra = &h;
	m.nextra = 1;
	build(&m, &out);
	/* folded by us into short lines, not cut by libetpan at 998 */
	p = strstr(out.buf, "\r\nList-Unsubscribe:") + 2;
	do {
		eol = strstr(p, "\r\n");
		assert_true(eol - p <= 78);
		assert_true((size_t)(eol - p) > strspn(p, " "));
		p = eol + 2;
		lines++;
	} while (*p == ' ');
	assert_true(lines > 2000 / 78);
	got = header_value(&out, "List-Unsubscribe");
	/* RFC 2369: white space inside <...> is ignored */
	remove_blanks(got);
	remove_blanks(value.buf);
	assert_string_equal(got, value.buf);
	free(got);
	strbuf_release(&out);
	strbuf_release(&url);
	strbuf_release(&value);
}

static void test_mime__long_word_outside_brackets_is_refused(void **state)
{
	struct mime_message m = base_message();
	struct mime_header h = {"X-Token", NULL};
	struct strbuf value = STRBUF_INIT;

	while (value.len < 451)
		assert_int_equal(strbuf_addch(&value, 'a'), 0);
	h.value = value.buf;
	m.extra = &h;
	m.nextra = 1;
	expect_refusal(&m, "extra header \"X-Token\"", "cannot be folded");
	strbuf_release(&value);
}

static void test_mime__non_ascii_extra_value_is_refused(void **state)
{
	struct mime_message m = base_message();
	struct mime_header h = {"X-Note", "caf\xc3\xa9"};

	m.extra = &h;
	m.nextra = 1;
	expect_refusal(&m, "extra header \"X-Note\"", "non-ASCII");
}

static void test_mime__empty_extra_value_is_refused(void **state)
{
	struct mime_message m = base_message();
	struct mime_header h = {"X-Note", " \r\n "};

	m.extra = &h;
	m.nextra = 1;
	expect_refusal(&m, "extra header \"X-Note\" is empty", NULL);
}

static void test_mime__missing_field_is_named(void **state)
{
	struct mime_message m = base_message();
	struct mime_header h = {"X-Note", NULL};

	m.subject = NULL;
	expect_refusal(&m, "message has no subject", NULL);
	m = base_message();
	m.to_address = NULL;
	expect_refusal(&m, "message has no to_address", NULL);
	m = base_message();
	m.extra = &h;
	m.nextra = 1;
	expect_refusal(&m, "extra header 1 has no value", NULL);
	expect_refusal(NULL, "no message to build", NULL);
}

static void test_mime__no_line_is_over_998_octets(void **state)
{
	struct strbuf text = STRBUF_INIT, word = STRBUF_INIT;
	struct strbuf name = STRBUF_INIT, out = STRBUF_INIT;
	struct mime_message m = base_message();

	while (text.len < 5000)
		assert_int_equal(strbuf_addstr(&text, "x=y "), 0);
	while (word.len < 2000)
		assert_int_equal(strbuf_addch(&word, 'w'), 0);
	while (name.len < 1200)
		assert_int_equal(strbuf_addstr(&name, "\"q\" "), 0);
	m.text = text.buf;
	m.html = word.buf;
	m.subject = word.buf;
	m.to_name = name.buf;
	build(&m, &out); /* checks the lines */
	strbuf_release(&out);
	strbuf_release(&text);
	strbuf_release(&word);
	strbuf_release(&name);
}

static void test_mime__long_ascii_subject_word_round_trips(void **state)
{
	struct mime_message m = base_message();
	struct strbuf word = STRBUF_INIT, out = STRBUF_INIT;
	char *value, *decoded;

	assert_int_equal(strbuf_addstr(&word, "Re: "), 0);
	while (word.len < 2000)
		assert_int_equal(strbuf_addch(&word, 'w'), 0);
	m.subject = word.buf;
	build(&m, &out);
	value = header_value(&out, "Subject");
	decoded = decode_phrase(value);
	assert_string_equal(decoded, word.buf);
	free(decoded);
	free(value);
	strbuf_release(&out);
	strbuf_release(&word);
}

static void test_mime__date_is_rfc5322_in_utc(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *date;

	/* a half-hour zone: libetpan's own date would say +0550 */
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	build(&m, &out);
	date = header_value(&out, "Date");
	assert_string_equal(date, "Tue, 24 Nov 2026 07:00:00 +0000");
	free(date);
	strbuf_release(&out);
	m.date = 0;
	build(&m, &out);
	date = header_value(&out, "Date");
	assert_string_equal(date, "Thu, 1 Jan 1970 00:00:00 +0000");
	free(date);
	strbuf_release(&out);
	unsetenv("TZ");
	tzset();
}

static void test_mime__date_out_of_range_is_refused(void **state)
{
	struct mime_message m = base_message();

	m.date = INT64_MAX;
	expect_refusal(&m, "message date 9223372036854775807", "1900-9999");
	m.date = -2208988801; /* 1899-12-31T23:59:59Z */
	expect_refusal(&m, "message date -2208988801", "1900-9999");
}

static void test_mime__message_id_is_written_in_angle_brackets(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *id;

	build(&m, &out);
	assert_int_equal(count_headers(&out, "Message-ID"), 1);
	id = header_value(&out, "Message-ID");
	assert_string_equal(id, "<digest.abc123@example.com>");
	free(id);
	strbuf_release(&out);
}

static void test_mime__invalid_message_id_is_refused(void **state)
{
	struct mime_message m = base_message();

	m.message_id = "<digest.abc@example.com>";
	expect_refusal(&m, "message id \"<digest.abc@example.com>\"", "'<'");
	m.message_id = "digest abc@example.com";
	expect_refusal(&m, "message id", "space");
	m.message_id = "digest.abc";
	expect_refusal(&m, "message id", "exactly one '@'");
}

static void test_mime__parts_are_utf8_qp_plain_then_html(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;
	char *plain, *html, *ctype;

	build(&m, &out);
	assert_int_equal(count_headers(&out, "MIME-Version"), 1);
	ctype = header_value(&out, "Content-Type");
	assert_int_equal(strncmp(ctype, "multipart/alternative; boundary=", 32),
			 0);
	plain = strstr(out.buf, "Content-Type: text/plain; charset=\"utf-8\""
				"\r\nContent-Transfer-Encoding: "
				"quoted-printable\r\n\r\nHello Zoe,\r\n");
	html = strstr(out.buf, "Content-Type: text/html; charset=\"utf-8\""
			       "\r\nContent-Transfer-Encoding: "
			       "quoted-printable\r\n\r\n<p>Hello Zoe,</p>");
	/* the preferred alternative comes last */
	assert_true(plain && html && plain < html);
	free(ctype);
	strbuf_release(&out);
}

/* out with its boundary ("=_" and 24 hex digits) written "=_B". */
static char *with_boundary_b(const struct strbuf *out)
{
	struct strbuf s = STRBUF_INIT;

	for (size_t i = 0; i < out->len; i++) {
		if (!strncmp(out->buf + i, "=_", 2) &&
		    strspn(out->buf + i + 2, "0123456789abcdef") == 24) {
			assert_int_equal(strbuf_addstr(&s, "=_B"), 0);
			i += 25;
			continue;
		}
		assert_int_equal(strbuf_addch(&s, out->buf[i]), 0);
	}
	return strbuf_detach(&s, NULL);
}

/*
 * The whole message, byte for byte as libetpan's mailmime_write_driver()
 * wrote it when it wrote the parts too: the parts are delimited by the
 * boundary the header names, a part without a final line end still ends
 * its line, the closing delimiter ends the message.
 */
static void test_mime__message_is_laid_out_as_libetpan_wrote_it(
	void **state)
{
	static const char head[] =
		"Date: Tue, 24 Nov 2026 07:00:00 +0000\r\n"
		"From: Meeting digest <digest@example.com>\r\n"
		"To: Zoe Miller <zoe@example.org>\r\n"
		"Subject: Your meetings on 2026-11-24\r\n"
		"Message-ID: <digest.abc123@example.com>\r\n"
		"List-Unsubscribe: <https://example.com/unsubscribe?t=abc>\r\n"
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
		"Auto-Submitted: auto-generated\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/alternative; boundary=\"=_B\"\r\n"
		"\r\n"
		"--=_B\r\n"
		"Content-Type: text/plain; charset=\"utf-8\"\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n";
	static const char html[] =
		"--=_B\r\n"
		"Content-Type: text/html; charset=\"utf-8\"\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"<p>Hello Zoe,</p>\r\n"
		"<p>three meetings tomorrow.</p>\r\n"
		"\r\n"
		"--=_B--\r\n";
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	char *got;

	(void)state;
	build(&m, &out);
	got = with_boundary_b(&out);
	assert_int_equal(strbuf_addstr(&want, head), 0);
	assert_int_equal(strbuf_addstr(&want, "Hello Zoe,\r\nthree meetings "
					      "tomorrow.\r\n\r\n"),
			 0);
	assert_int_equal(strbuf_addstr(&want, html), 0);
	assert_string_equal(got, want.buf);
	free(got);

	m.text = "no line end";
	strbuf_reset(&out);
	strbuf_reset(&want);
	build(&m, &out);
	got = with_boundary_b(&out);
	assert_int_equal(strbuf_addstr(&want, head), 0);
	assert_int_equal(strbuf_addstr(&want, "no line end\r\n"), 0);
	assert_int_equal(strbuf_addstr(&want, html), 0);
	assert_string_equal(got, want.buf);
	free(got);
	strbuf_release(&out);
	strbuf_release(&want);
}

static void test_mime__trailing_blanks_are_not_doubled(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;

	m.text = "first line  \nsecond\t\r\nthird \n";
	build(&m, &out);
	assert_contains(out.buf, "\r\n\r\nfirst line\r\nsecond\r\nthird\r\n");
	assert_null(strstr(out.buf, "=20"));
	assert_null(strstr(out.buf, "=09"));
	strbuf_release(&out);
}

static void test_mime__boundary_is_random_per_message(void **state)
{
	struct mime_message m = base_message();
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	char *ca, *cb, *p;

	build(&m, &a);
	build(&m, &b);
	ca = header_value(&a, "Content-Type");
	cb = header_value(&b, "Content-Type");
	p = strstr(ca, "boundary=\"=_");
	assert_non_null(p);
	assert_int_equal(strspn(p + 12, "0123456789abcdef"), 24);
	assert_string_not_equal(ca, cb);
	free(ca);
	free(cb);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_mime__message_is_appended_to_out(void **state)
{
	struct mime_message m = base_message();
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(strbuf_addstr(&out, "kept"), 0);
	assert_int_equal(mime_build(&m, &out, NULL), 0);
	assert_int_equal(strncmp(out.buf, "keptDate: ", 10), 0);
	strbuf_release(&out);
}

static void message_id(const char *user, const char *date, unsigned attempt,
		       struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;

	strbuf_reset(out);
	if (mime_message_id(user, date, attempt,
			    "Meeting digest <digest@example.com>", out, &err))
		fail_msg("mime_message_id failed: %s", err.msg);
}

static void test_mime__message_id_is_stable_for_the_same_inputs(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	message_id("zoe@example.org", "2026-11-24", 0, &a);
	message_id("zoe@example.org", "2026-11-24", 0, &b);
	assert_string_equal(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_mime__message_id_changes_with_any_input(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	message_id("zoe@example.org", "2026-11-24", 0, &a);
	message_id("zoe@example.org", "2026-11-24", 1, &b);
	assert_string_not_equal(a.buf, b.buf);
	message_id("zoe@example.org", "2026-11-25", 0, &b);
	assert_string_not_equal(a.buf, b.buf);
	message_id("omer@example.org", "2026-11-24", 0, &b);
	assert_string_not_equal(a.buf, b.buf);
	/* field boundaries count: ("ab", "c") is not ("a", "bc") */
	message_id("ab", "c", 0, &a);
	message_id("a", "bc", 0, &b);
	assert_string_not_equal(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_mime__message_id_has_the_sender_domain(void **state)
{
	struct strbuf id = STRBUF_INIT;

	message_id("zoe@example.org", "2026-11-24", 3, &id);
	assert_int_equal(strlen(id.buf), strlen("digest.@example.com") + 32);
	assert_int_equal(strncmp(id.buf, "digest.", 7), 0);
	assert_int_equal(strspn(id.buf + 7, "0123456789abcdef"), 32);
	assert_string_equal(id.buf + 39, "@example.com");
	strbuf_release(&id);
}

static void test_mime__message_id_is_accepted_by_mime_build(void **state)
{
	struct mime_message m = base_message();
	struct strbuf id = STRBUF_INIT, out = STRBUF_INIT;

	message_id("zoe@example.org", "2026-11-24", 0, &id);
	m.message_id = id.buf;
	build(&m, &out);
	strbuf_release(&id);
	strbuf_release(&out);
}

static void test_mime__message_id_refuses_bad_input(void **state)
{
	struct strbuf id = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(mime_message_id("zoe@example.org", "2026-11-24", 0,
					 "digest", &id, &err),
			 DG_EINVAL);
	assert_contains(err.msg, "sender (from) address \"digest\"");
	assert_int_equal(mime_message_id("", "2026-11-24", 0,
					 "digest@example.com", &id, &err),
			 DG_EINVAL);
	assert_contains(err.msg, "needs a user, a date and a sender");
	assert_int_equal(mime_message_id("zoe@example.org", NULL, 0,
					 "digest@example.com", &id, &err),
			 DG_EINVAL);
	assert_contains(err.msg, "needs a user, a date and a sender");
	assert_int_equal(id.len, 0);
	strbuf_release(&id);
}

static void test_mime__set_date_replaces_the_date_and_keeps_the_rest(
	void **state)
{
	static const char msg[] = "From: a@b.example\r\n"
				  "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
				  "Subject: hi\r\n\r\nDate: in the body\r\n";
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(mime_set_date(msg, strlen(msg), 1796000000, &out,
				       &err), 0);
	assert_string_equal(out.buf,
			    "From: a@b.example\r\n"
			    "Date: Mon, 30 Nov 2026 00:53:20 +0000\r\n"
			    "Subject: hi\r\n\r\nDate: in the body\r\n");
	strbuf_release(&out);
}

static void test_mime__set_date_adds_a_date_to_a_message_without_one(
	void **state)
{
	static const char msg[] = "Subject: hi\r\n\r\nbody\r\n";
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(strbuf_addstr(&out, "kept:"), 0);
	assert_int_equal(mime_set_date(msg, strlen(msg), 0, &out, &err), 0);
	assert_string_equal(out.buf, "kept:Date: Thu, 1 Jan 1970 00:00:00 "
				     "+0000\r\nSubject: hi\r\n\r\nbody\r\n");
	strbuf_release(&out);
}

static void test_mime__set_date_refuses_a_date_out_of_range(void **state)
{
	static const char msg[] = "Date: x\r\n\r\n";
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	(void)state;
	assert_int_equal(mime_set_date(msg, strlen(msg), INT64_MAX, &out,
				       &err), DG_EINVAL);
	assert_non_null(strstr(err.msg, "outside the years"));
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_mime__hostile_subject_gives_one_subject_no_bcc),
		cmocka_unit_test(
			test_mime__controls_in_subject_become_one_space),
		cmocka_unit_test(
			test_mime__invalid_utf8_in_subject_becomes_u_fffd),
		cmocka_unit_test(
			test_mime__hostile_display_name_stays_in_one_to),
		cmocka_unit_test(
			test_mime__non_ascii_subject_round_trips_rfc2047),
		cmocka_unit_test(
			test_mime__encoded_words_are_cut_between_characters),
		cmocka_unit_test(test_mime__non_ascii_display_names_round_trip),
		cmocka_unit_test(test_mime__non_ascii_sender_name_is_encoded),
		cmocka_unit_test(
			test_mime__sender_is_split_into_name_and_address),
		cmocka_unit_test(test_mime__malformed_sender_is_refused),
		cmocka_unit_test(
			test_mime__bad_recipient_address_is_refused_by_name),
		cmocka_unit_test(
			test_mime__invalid_header_name_is_refused_by_name),
		cmocka_unit_test(
			test_mime__extra_header_cannot_repeat_a_builder_one),
		cmocka_unit_test(
			test_mime__controls_in_extra_value_become_a_space),
		cmocka_unit_test(test_mime__extra_headers_are_written_in_order),
		cmocka_unit_test(
			test_mime__long_unsubscribe_url_is_folded_and_kept),
		cmocka_unit_test(
			test_mime__long_word_outside_brackets_is_refused),
		cmocka_unit_test(test_mime__non_ascii_extra_value_is_refused),
		cmocka_unit_test(test_mime__empty_extra_value_is_refused),
		cmocka_unit_test(test_mime__missing_field_is_named),
		cmocka_unit_test(test_mime__no_line_is_over_998_octets),
		cmocka_unit_test(
			test_mime__long_ascii_subject_word_round_trips),
		cmocka_unit_test(test_mime__date_is_rfc5322_in_utc),
		cmocka_unit_test(test_mime__date_out_of_range_is_refused),
		cmocka_unit_test(
			test_mime__message_id_is_written_in_angle_brackets),
		cmocka_unit_test(test_mime__invalid_message_id_is_refused),
		cmocka_unit_test(test_mime__parts_are_utf8_qp_plain_then_html),
		cmocka_unit_test(
			test_mime__message_is_laid_out_as_libetpan_wrote_it),
		cmocka_unit_test(test_mime__trailing_blanks_are_not_doubled),
		cmocka_unit_test(test_mime__boundary_is_random_per_message),
		cmocka_unit_test(test_mime__message_is_appended_to_out),
		cmocka_unit_test(
			test_mime__message_id_is_stable_for_the_same_inputs),
		cmocka_unit_test(test_mime__message_id_changes_with_any_input),
		cmocka_unit_test(test_mime__message_id_has_the_sender_domain),
		cmocka_unit_test(
			test_mime__message_id_is_accepted_by_mime_build),
		cmocka_unit_test(test_mime__message_id_refuses_bad_input),
		cmocka_unit_test(
			test_mime__set_date_replaces_the_date_and_keeps_the_rest),
		cmocka_unit_test(
			test_mime__set_date_adds_a_date_to_a_message_without_one),
		cmocka_unit_test(
			test_mime__set_date_refuses_a_date_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
