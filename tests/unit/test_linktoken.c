/*
 * linktoken: a link token hides its address, opens with the current or
 * the previous key, carries its purpose and expiry, and any change, other
 * key or expiry gets one and the same refusal; form tokens tie a form to
 * its link and expire.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "err.h"
#include "linktoken.h"
#include "strbuf.h"

#define NOW 1795503600LL
#define DAY 86400LL
#define ADDRESS "Ann.Smith+digest@Contoso.com"

static const unsigned char key_a[LINKTOKEN_KEYBYTES] = {1, 2, 3, 4, 5};
static const unsigned char key_b[LINKTOKEN_KEYBYTES] = {9, 8, 7, 6, 5};

static void seal(const unsigned char *key, enum linktoken_purpose purpose,
		 const char *address, int64_t expires, struct strbuf *out)
{
	struct dg_err err = DG_ERR_INIT;

	if (linktoken_seal(key, purpose, address, expires, out, &err))
		fail_msg("linktoken_seal: %s", err.msg);
}

static void assert_refused(const struct linktoken_keys *keys,
			   const char *token, size_t len, int64_t now)
{
	struct linktoken t;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(linktoken_open(keys, token, len, now, &t, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, LINKTOKEN_INVALID);
	assert_string_equal(t.address, "");
}

static void test_linktoken__token_opens_to_address_purpose_and_expiry(
	void **state)
{
	struct linktoken_keys keys = {.current = key_a};
	struct strbuf tok = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct linktoken t;

	seal(key_a, LINKTOKEN_PREFS, ADDRESS, NOW + DAY, &tok);
	assert_int_equal(linktoken_open(&keys, tok.buf, tok.len, NOW, &t,
					&err),
			 0);
	assert_string_equal(t.address, ADDRESS);
	assert_int_equal(t.purpose, LINKTOKEN_PREFS);
	assert_int_equal(t.expires, NOW + DAY);
	strbuf_release(&tok);
}

static void test_linktoken__token_shows_no_part_of_the_address(void **state)
{
	struct strbuf tok = STRBUF_INIT, again = STRBUF_INIT;

	seal(key_a, LINKTOKEN_UNSUBSCRIBE, "ann@contoso.com", NOW, &tok);
	seal(key_a, LINKTOKEN_UNSUBSCRIBE, "ann@contoso.com", NOW, &again);
	assert_int_equal(strspn(tok.buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "abcdefghijklmnopqrstuvwxyz"
					 "0123456789-_"),
			 tok.len);
	/* not the address, nor its base64 (YW5u = "ann") */
	assert_null(strstr(tok.buf, "ann"));
	assert_null(strstr(tok.buf, "YW5u"));
	/* a fresh nonce each time: two links of one person differ */
	assert_string_not_equal(tok.buf, again.buf);
	strbuf_release(&tok);
	strbuf_release(&again);
}

static void test_linktoken__previous_key_still_opens_old_links(void **state)
{
	struct linktoken_keys rotated = {.current = key_b, .previous = key_a};
	struct linktoken_keys only_new = {.current = key_b};
	struct strbuf tok = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct linktoken t;

	seal(key_a, LINKTOKEN_UNSUBSCRIBE, ADDRESS, NOW + DAY, &tok);
	assert_int_equal(linktoken_open(&rotated, tok.buf, tok.len, NOW, &t,
					&err),
			 0);
	assert_string_equal(t.address, ADDRESS);
	assert_refused(&only_new, tok.buf, tok.len, NOW);
	strbuf_release(&tok);
}

static void test_linktoken__expired_token_is_refused_as_a_forged_one(
	void **state)
{
	struct linktoken_keys keys = {.current = key_a};
	struct strbuf tok = STRBUF_INIT;

	seal(key_a, LINKTOKEN_UNSUBSCRIBE, ADDRESS, NOW, &tok);
	assert_refused(&keys, tok.buf, tok.len, NOW);
	assert_refused(&keys, tok.buf, tok.len, NOW + 1);
	strbuf_release(&tok);
}

static void test_linktoken__every_changed_character_is_refused(void **state)
{
	struct linktoken_keys keys = {.current = key_a};
	struct strbuf tok = STRBUF_INIT;

	seal(key_a, LINKTOKEN_UNSUBSCRIBE, "a@b.c", NOW + DAY, &tok);
	for (size_t i = 0; i < tok.len; i++) {
		char was = tok.buf[i];

		tok.buf[i] = was == 'A' ? 'B' : 'A';
		assert_refused(&keys, tok.buf, tok.len, NOW);
		tok.buf[i] = was;
	}
	/* shorter, longer, empty */
	assert_refused(&keys, tok.buf, tok.len - 1, NOW);
	assert_int_equal(strbuf_addch(&tok, 'A'), 0);
	assert_refused(&keys, tok.buf, tok.len, NOW);
	assert_refused(&keys, "", 0, NOW);
	strbuf_release(&tok);
}

static void test_linktoken__malformed_input_is_refused(void **state)
{
	struct linktoken_keys keys = {.current = key_a};
	struct strbuf big = STRBUF_INIT;

	assert_refused(&keys, "not base64!", 11, NOW);
	assert_refused(&keys, "AQ", 2, NOW);
	assert_refused(&keys, "Ag==", 4, NOW);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(strbuf_addch(&big, 'A'), 0);
	assert_refused(&keys, big.buf, big.len, NOW);
	/* a NUL inside the given length */
	assert_refused(&keys, "Ag\0AAAA", 7, NOW);
	strbuf_release(&big);
}

static void test_linktoken__unusable_address_makes_no_token(void **state)
{
	struct strbuf tok = STRBUF_INIT, longest = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(linktoken_seal(key_a, LINKTOKEN_PREFS, "", NOW, &tok,
					&err),
			 DG_EINVAL);
	assert_int_equal(linktoken_seal(key_a, LINKTOKEN_PREFS,
					"a@b\r\nBcc: x", NOW, &tok, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "cannot make a link for an address with "
				     "a control character");
	for (int i = 0; i <= LINKTOKEN_ADDRESS_MAX; i++)
		assert_int_equal(strbuf_addch(&longest, 'a'), 0);
	assert_int_equal(linktoken_seal(key_a, LINKTOKEN_PREFS, longest.buf,
					NOW, &tok, &err),
			 DG_EINVAL);
	assert_int_equal(linktoken_seal(key_a, (enum linktoken_purpose)7,
					"a@b.c", NOW, &tok, &err),
			 DG_EINVAL);
	assert_string_equal(tok.buf, "");
	strbuf_release(&longest);
}

static void test_linktoken__longest_address_round_trips(void **state)
{
	struct linktoken_keys keys = {.current = key_a};
	struct strbuf tok = STRBUF_INIT, longest = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;
	struct linktoken t;

	for (int i = 0; i < LINKTOKEN_ADDRESS_MAX; i++)
		assert_int_equal(strbuf_addch(&longest, 'a'), 0);
	seal(key_a, LINKTOKEN_PREFS, longest.buf, NOW + 1, &tok);
	assert_true(tok.len <= LINKTOKEN_TOKEN_MAX);
	assert_int_equal(linktoken_open(&keys, tok.buf, tok.len, NOW, &t,
					&err),
			 0);
	assert_string_equal(t.address, longest.buf);
	strbuf_release(&tok);
	strbuf_release(&longest);
}

static void test_linktoken__form_token_checks_for_its_link_only(void **state)
{
	struct linktoken_keys keys = {.current = key_a};
	struct strbuf form = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(linktoken_form_make(key_a, "link1", 5, NOW, &form,
					     &err),
			 0);
	assert_int_equal(linktoken_form_check(&keys, "link1", 5, form.buf,
					      form.len, NOW + 60, &err),
			 0);
	assert_int_equal(linktoken_form_check(&keys, "link2", 5, form.buf,
					      form.len, NOW + 60, &err),
			 DG_EINVAL);
	assert_string_equal(err.msg, "this form is not valid");
	form.buf[form.len - 1] ^= 1;
	assert_int_equal(linktoken_form_check(&keys, "link1", 5, form.buf,
					      form.len, NOW + 60, &err),
			 DG_EINVAL);
	assert_int_equal(linktoken_form_check(&keys, "link1", 5, "", 0, NOW,
					      &err),
			 DG_EINVAL);
	strbuf_release(&form);
}

static void test_linktoken__form_token_expires(void **state)
{
	struct linktoken_keys keys = {.current = key_b, .previous = key_a};
	struct strbuf form = STRBUF_INIT;
	struct dg_err err = DG_ERR_INIT;

	assert_int_equal(linktoken_form_make(key_a, "l", 1, NOW, &form, &err),
			 0);
	assert_int_equal(linktoken_form_check(&keys, "l", 1, form.buf,
					      form.len,
					      NOW + LINKTOKEN_FORM_SECONDS,
					      &err),
			 0);
	assert_int_equal(linktoken_form_check(&keys, "l", 1, form.buf,
					      form.len,
					      NOW + LINKTOKEN_FORM_SECONDS + 1,
					      &err),
			 DG_EINVAL);
	assert_string_equal(err.msg,
			    "this form has expired: load the page again");
	/* issued in the future: a clock we do not trust */
	assert_int_equal(linktoken_form_check(&keys, "l", 1, form.buf,
					      form.len, NOW - 1, &err),
			 DG_EINVAL);
	strbuf_release(&form);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_linktoken__token_opens_to_address_purpose_and_expiry),
		cmocka_unit_test(
			test_linktoken__token_shows_no_part_of_the_address),
		cmocka_unit_test(
			test_linktoken__previous_key_still_opens_old_links),
		cmocka_unit_test(
			test_linktoken__expired_token_is_refused_as_a_forged_one),
		cmocka_unit_test(
			test_linktoken__every_changed_character_is_refused),
		cmocka_unit_test(test_linktoken__malformed_input_is_refused),
		cmocka_unit_test(
			test_linktoken__unusable_address_makes_no_token),
		cmocka_unit_test(test_linktoken__longest_address_round_trips),
		cmocka_unit_test(
			test_linktoken__form_token_checks_for_its_link_only),
		cmocka_unit_test(test_linktoken__form_token_expires),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
