/*
 * unsubscribe: a token carries its address and checks out with the key
 * alone; any change to it, or another key, is refused with one message;
 * keys parse from hex or base64 and bad ones are refused without being
 * shown; opt-outs are kept in the store and found in any case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "scratch.h"
#include "store.h"
#include "strbuf.h"
#include "unsubscribe.h"

#define NOW 1795503600000LL
#define KEY_HEX                                                                \
	"000102030405060708090a0b0c0d0e0f"                                     \
	"101112131415161718191a1b1c1d1e1f"
/* The same 32 bytes in base64. */
#define KEY_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define INVALID "this unsubscribe link is not valid"

static void key_of(const char *secret, unsigned char *key)
{
	struct dg_err err = DG_ERR_INIT;

	if (unsubscribe_key_parse(secret, key, &err))
		fail_msg("unsubscribe_key_parse: %s", err.msg);
}

static void token_of(const unsigned char *key, const char *address,
		     struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;

	if (unsubscribe_token(key, UNSUBSCRIBE_KEYBYTES, address, out, &err))
		fail_msg("unsubscribe_token: %s", err.msg);
}

static void assert_refused(const unsigned char *key, const char *token)
{
	struct strbuf address = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(unsubscribe_verify(key, UNSUBSCRIBE_KEYBYTES, token,
					    &address, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, INVALID);
	assert_string_equal(address.buf, "");
	strbuf_release(&address);
}

static void test_unsubscribe__token_round_trips_its_address(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	struct strbuf token = STRBUF_INIT;
	struct strbuf address = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	key_of(KEY_HEX, key);
	token_of(key, "Ann.Smith+digest@Contoso.com", &token);
	assert_int_equal(strspn(token.buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "abcdefghijklmnopqrstuvwxyz"
					   "0123456789-_"),
			 token.len);
	assert_int_equal(
		unsubscribe_verify(key, sizeof(key), token.buf, &address, &err),
		0);
	assert_string_equal(address.buf, "Ann.Smith+digest@Contoso.com");
	strbuf_release(&token);
	strbuf_release(&address);
}

static void test_unsubscribe__token_is_the_same_for_the_same_input(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	struct strbuf a = STRBUF_INIT;
	struct strbuf b = STRBUF_INIT;

	key_of(KEY_HEX, key);
	token_of(key, "ann@contoso.com", &a);
	token_of(key, "ann@contoso.com", &b);
	assert_string_equal(a.buf, b.buf);
	strbuf_reset(&b);
	token_of(key, "bob@contoso.com", &b);
	assert_string_not_equal(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* Each character in turn changed to another base64url one: refused. */
static void test_unsubscribe__any_flipped_character_is_refused(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	struct strbuf token = STRBUF_INIT;
	size_t i;

	key_of(KEY_HEX, key);
	token_of(key, "ann@contoso.com", &token);
	for (i = 0; i < token.len; i++) {
		char was = token.buf[i];

		token.buf[i] = was == 'A' ? 'B' : 'A';
		assert_refused(key, token.buf);
		token.buf[i] = was;
	}
	strbuf_release(&token);
}

static void test_unsubscribe__truncated_token_is_refused(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	struct strbuf token = STRBUF_INIT;
	size_t len;

	key_of(KEY_HEX, key);
	token_of(key, "ann@contoso.com", &token);
	len = token.len;
	strbuf_setlen(&token, len - 1);
	assert_refused(key, token.buf);
	strbuf_setlen(&token, len - 4);
	assert_refused(key, token.buf);
	strbuf_setlen(&token, 10);
	assert_refused(key, token.buf);
	strbuf_release(&token);
}

static void test_unsubscribe__token_made_with_another_key_is_refused(void **s)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	unsigned char other[UNSUBSCRIBE_KEYBYTES];
	struct strbuf token = STRBUF_INIT;

	key_of(KEY_HEX, key);
	key_of("ff0102030405060708090a0b0c0d0e0f"
	       "101112131415161718191a1b1c1d1e1f",
	       other);
	token_of(other, "ann@contoso.com", &token);
	assert_refused(key, token.buf);
	strbuf_release(&token);
}

static void test_unsubscribe__garbage_is_refused(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	struct strbuf token = STRBUF_INIT;
	size_t i;

	key_of(KEY_HEX, key);
	assert_refused(key, "");
	assert_refused(key, NULL);
	assert_refused(key, "not a token!");
	assert_refused(key, "AQ==");
	/* well-formed base64url of the right size, version byte 2 */
	token_of(key, "ann@contoso.com", &token);
	token.buf[0] = 'A'; /* the version's top 6 bits: 000000 */
	token.buf[1] = 'g'; /* its last 2: 10 */
	assert_refused(key, token.buf);
	/* far too long */
	strbuf_reset(&token);
	for (i = 0; i < 2000; i++)
		assert_int_equal(strbuf_addch(&token, 'A'), 0);
	assert_refused(key, token.buf);
	strbuf_release(&token);
}

static void test_unsubscribe__token_refuses_an_unusable_address(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	struct strbuf token = STRBUF_INIT;
	struct strbuf longest = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	size_t i;

	key_of(KEY_HEX, key);
	assert_int_equal(unsubscribe_token(key, sizeof(key), "", &token, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "cannot make an unsubscribe link for an "
				     "empty address");
	assert_int_equal(unsubscribe_token(key, sizeof(key), "a@b\r\nBcc: x",
					   &token, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "cannot make an unsubscribe link for an "
				     "address with a control character");
	for (i = 0; i < UNSUBSCRIBE_ADDRESS_MAX + 1; i++)
		assert_int_equal(strbuf_addch(&longest, 'a'), 0);
	assert_int_equal(
		unsubscribe_token(key, sizeof(key), longest.buf, &token, &err),
		DG_EINVAL);
	assert_string_equal(err.msg, "cannot make an unsubscribe link for an "
				     "address of 321 bytes (at most 320)");
	assert_string_equal(token.buf, "");
	strbuf_setlen(&longest, UNSUBSCRIBE_ADDRESS_MAX);
	token_of(key, longest.buf, &token); /* the longest fits */
	strbuf_release(&token);
	strbuf_release(&longest);
}

static void test_unsubscribe__a_key_of_the_wrong_size_is_refused(void **state)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES] = {1};
	struct strbuf out = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(unsubscribe_token(key, 16, "a@b", &out, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg,
			    "the unsubscribe key must be 32 bytes, not 16");
	assert_int_equal(unsubscribe_verify(key, 16, "AAAA", &out, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg,
			    "the unsubscribe key must be 32 bytes, not 16");
}

static void test_unsubscribe__url_puts_the_token_in_the_template(void **state)
{
	struct strbuf url = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(unsubscribe_url("https://example.com/u?token={token}",
					 "AbC-_9", &url, &err),
			 0);
	assert_string_equal(url.buf, "https://example.com/u?token=AbC-_9");
	strbuf_reset(&url);
	assert_int_equal(unsubscribe_url("https://x/{token}/?t={token}&{x}",
					 "T", &url, &err),
			 0);
	assert_string_equal(url.buf, "https://x/T/?t=T&{x}");
	strbuf_release(&url);
}

static void test_unsubscribe__url_without_a_placeholder_is_refused(void **s)
{
	struct strbuf url = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(unsubscribe_url("https://example.com/u?token={tok}",
					 "T", &url, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "[digest] unsubscribe_url "
				     "\"https://example.com/u?token={tok}\" "
				     "has no {token} to put the link's token "
				     "in");
	assert_string_equal(url.buf, "");
}

static void test_unsubscribe__key_parses_from_hex_and_base64(void **state)
{
	unsigned char want[UNSUBSCRIBE_KEYBYTES];
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	size_t i;

	for (i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)i;
	key_of(KEY_HEX, key);
	assert_memory_equal(key, want, sizeof(want));
	key_of("  " KEY_HEX "\n", key); /* a key file's newline */
	assert_memory_equal(key, want, sizeof(want));
	memset(key, 0, sizeof(key));
	key_of(KEY_B64, key);
	assert_memory_equal(key, want, sizeof(want));
	memset(key, 0, sizeof(key));
	key_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", key);
	assert_memory_equal(key, want, sizeof(want));
}

static void assert_bad_key(const char *secret, const char *msg)
{
	unsigned char key[UNSUBSCRIBE_KEYBYTES];
	unsigned char zero[UNSUBSCRIBE_KEYBYTES] = {0};
	struct dg_err err = DG_ERR_INIT;

	memset(key, 0xaa, sizeof(key));
	assert_int_equal(unsubscribe_key_parse(secret, key, &err), DG_EINVAL);
	assert_string_equal(err.msg, msg);
	assert_memory_equal(key, zero, sizeof(zero));
}

static void test_unsubscribe__bad_keys_are_refused_unseen(void **state)
{
	assert_bad_key("hunter2", "the unsubscribe key must be 64 hex digits "
				  "or the base64 of 32 bytes; this one has 7 "
				  "characters");
	assert_bad_key("", "the unsubscribe key must be 64 hex digits or the "
			   "base64 of 32 bytes; this one has 0 characters");
	/* 64 characters, one not hex */
	assert_bad_key("000102030405060708090a0b0c0d0e0f"
		       "101112131415161718191a1b1c1d1e1g",
		       "the unsubscribe key must be 64 hex digits or the "
		       "base64 of 32 bytes; this one has 64 characters");
	/* base64 of 31 bytes */
	assert_bad_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
		       "the unsubscribe key must be 64 hex digits or the "
		       "base64 of 32 bytes; this one has 44 characters");
	assert_bad_key("0000000000000000000000000000000000000000000000000000"
		       "000000000000",
		       "the unsubscribe key is all zeros: make one with "
		       "`openssl rand -hex 32`");
}

static bool opted_out(struct store *st, const char *address)
{
	struct dg_err err = DG_ERR_INIT;
	bool out = true;

	if (unsubscribe_is_opted_out(st, address, &out, &err))
		fail_msg("unsubscribe_is_opted_out: %s", err.msg);
	return out;
}

static void
test_unsubscribe__opt_out_is_found_in_any_case_after_reopen(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_false(opted_out(f->st, "ann@contoso.com"));
	assert_int_equal(
		unsubscribe_record(f->st, "Ann@Contoso.com", NOW, &err), 0);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->db.buf, &f->st, &err), 0);
	assert_true(opted_out(f->st, "ann@contoso.com"));
	assert_true(opted_out(f->st, "ANN@CONTOSO.COM"));
	assert_false(opted_out(f->st, "bob@contoso.com"));
}

static void test_unsubscribe__recording_twice_is_no_error(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(
		unsubscribe_record(f->st, "ann@contoso.com", NOW, &err), 0);
	assert_int_equal(
		unsubscribe_record(f->st, "ANN@contoso.com", NOW + 1, &err), 0);
	assert_true(opted_out(f->st, "ann@contoso.com"));
}

static void test_unsubscribe__an_empty_address_is_refused(void **state)
{
	struct scratch *f = *state;
	struct dg_err err = DG_ERR_INIT;
	bool out = true;

	assert_int_equal(unsubscribe_record(f->st, "", NOW, &err), DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": an opt-out needs an address");
	assert_int_equal(unsubscribe_is_opted_out(f->st, NULL, &out, &err),
			 DG_EINVAL);
	assert_false(out);
}

/*
 * The reads of a run keep their statement from person to person: each
 * answer is unsubscribe_is_opted_out()'s, an opt-out recorded or undone
 * between two reads included; an empty address is refused, and the kept
 * statement still answers after.
 */
static void test_unsubscribe__reads_kept_answer_as_fresh_ones(void **state)
{
	static const char *const who[] = {"ann@contoso.com", "BOB@contoso.com",
					  "cy@contoso.com", "ANN@CONTOSO.COM"};
	struct scratch *f = *state;
	struct unsubscribe_reads *r = NULL;
	struct dg_err err = DG_ERR_INIT;
	bool kept = false;

	assert_int_equal(unsubscribe_reads_open(f->st, &r, &err), 0);
	assert_int_equal(
		unsubscribe_record(f->st, "ann@contoso.com", NOW, &err), 0);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(unsubscribe_reads_is_opted_out(
						 r, who[i], &kept, &err),
					 0);
			assert_true(kept == opted_out(f->st, who[i]));
		}
		/* Bob opts out and Ann back in between two rounds */
		assert_int_equal(
			unsubscribe_record(f->st, "bob@contoso.com", NOW, &err),
			0);
		assert_int_equal(unsubscribe_undo(f->st, "ann@contoso.com", &err),
				 0);
	}
	assert_int_equal(
		unsubscribe_reads_is_opted_out(r, "Bob@contoso.com", &kept, &err),
		0);
	assert_true(kept);
	assert_int_equal(
		unsubscribe_reads_is_opted_out(r, "ann@contoso.com", &kept, &err),
		0);
	assert_false(kept);
	kept = true;
	assert_int_equal(unsubscribe_reads_is_opted_out(r, "", &kept, &err),
			 DG_EINVAL);
	assert_string_equal(strstr(err.msg, ": "),
			    ": an opt-out needs an address");
	assert_false(kept);
	assert_int_equal(
		unsubscribe_reads_is_opted_out(r, "bob@contoso.com", &kept, &err),
		0);
	assert_true(kept);
	unsubscribe_reads_close(r);
	unsubscribe_reads_close(NULL);
}

/* An empty address is refused before any statement is prepared. */
static void test_unsubscribe__reads_refuse_an_empty_address_first(void **state)
{
	struct scratch *f = *state;
	struct unsubscribe_reads *r = NULL;
	struct dg_err err = DG_ERR_INIT;
	bool kept = true;

	assert_int_equal(unsubscribe_reads_open(f->st, &r, &err), 0);
	assert_int_equal(unsubscribe_reads_is_opted_out(r, NULL, &kept, &err),
			 DG_EINVAL);
	assert_false(kept);
	unsubscribe_reads_close(r);
}

#define T(name) cmocka_unit_test(name)
#define TS(name)                                                               \
	cmocka_unit_test_setup_teardown(name, scratch_setup_store,             \
					scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unsubscribe__token_round_trips_its_address),
		T(test_unsubscribe__token_is_the_same_for_the_same_input),
		T(test_unsubscribe__any_flipped_character_is_refused),
		T(test_unsubscribe__truncated_token_is_refused),
		T(test_unsubscribe__token_made_with_another_key_is_refused),
		T(test_unsubscribe__garbage_is_refused),
		T(test_unsubscribe__token_refuses_an_unusable_address),
		T(test_unsubscribe__a_key_of_the_wrong_size_is_refused),
		T(test_unsubscribe__url_puts_the_token_in_the_template),
		T(test_unsubscribe__url_without_a_placeholder_is_refused),
		T(test_unsubscribe__key_parses_from_hex_and_base64),
		T(test_unsubscribe__bad_keys_are_refused_unseen),
		TS(test_unsubscribe__opt_out_is_found_in_any_case_after_reopen),
		TS(test_unsubscribe__recording_twice_is_no_error),
		TS(test_unsubscribe__an_empty_address_is_refused),
		TS(test_unsubscribe__reads_kept_answer_as_fresh_ones),
		TS(test_unsubscribe__reads_refuse_an_empty_address_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
