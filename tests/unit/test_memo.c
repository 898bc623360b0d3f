/*
 * memo: answers kept by key, given back byte for byte, and never more of
 * them than the table has slots.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "memo.h"

static void test_memo__an_answer_comes_back_for_its_key_only(void **state)
{
	struct memo *m = memo_new(16);
	struct memo_stats st;
	const char *text;
	size_t len;

	(void)state;
	assert_non_null(m);
	assert_null(memo_get(m, "9:00", 4, &len));
	memo_put(m, "9:00", 4, "9:00 AM", 7);
	text = memo_get(m, "9:00", 4, &len);
	assert_non_null(text);
	assert_int_equal(len, 7);
	assert_memory_equal(text, "9:00 AM", 7);
	assert_int_equal(text[len], '\0');
	/* a prefix of the key, or the key and more, is another key */
	assert_null(memo_get(m, "9:0", 3, &len));
	assert_null(memo_get(m, "9:00\0", 5, &len));
	memo_stats(m, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 3);
	assert_int_equal(st.entries, 1);
	memo_free(m);
}

static void test_memo__keys_may_hold_nul_bytes(void **state)
{
	struct memo *m = memo_new(16);
	size_t len;

	(void)state;
	memo_put(m, "en\0Ann\0Bo", 9, "Ann and Bo", 10);
	memo_put(m, "en\0An\0nBo", 9, "An and nBo", 10);
	assert_string_equal(memo_get(m, "en\0Ann\0Bo", 9, &len), "Ann and Bo");
	assert_string_equal(memo_get(m, "en\0An\0nBo", 9, &len), "An and nBo");
	memo_free(m);
}

static void test_memo__it_never_keeps_more_than_its_slots(void **state)
{
	struct memo *m = memo_new(8);
	struct memo_stats st;
	char key[16], text[16];
	size_t len, found = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(text, sizeof(text), "v%d", i);
		memo_put(m, key, strlen(key), text, strlen(text));
		memo_stats(m, &st);
		assert_true(st.entries <= 8);
	}
	/* what is still kept is right; the rest is merely gone */
	for (int i = 0; i < 1000; i++) {
		const char *v;

		snprintf(key, sizeof(key), "k%d", i);
		snprintf(text, sizeof(text), "v%d", i);
		v = memo_get(m, key, strlen(key), &len);
		if (v) {
			found++;
			assert_string_equal(v, text);
		}
	}
	memo_stats(m, &st);
	assert_int_equal(found, st.entries);
	assert_true(st.entries > 0 && st.slots == 8);
	assert_true(st.bytes <= 8 * 2 * 5);
	memo_free(m);
}

static void test_memo__a_newer_answer_replaces_the_old_one(void **state)
{
	struct memo *m = memo_new(1); /* one pair of slots */
	struct memo_stats st;
	size_t len;

	(void)state;
	memo_put(m, "a", 1, "first", 5);
	memo_put(m, "a", 1, "second", 6);
	assert_string_equal(memo_get(m, "a", 1, &len), "second");
	/* two keys of one pair both stay */
	memo_put(m, "b", 1, "third", 5);
	assert_string_equal(memo_get(m, "b", 1, &len), "third");
	assert_string_equal(memo_get(m, "a", 1, &len), "second");
	/* a third replaces the one used longer ago */
	memo_put(m, "c", 1, "fourth", 6);
	assert_null(memo_get(m, "b", 1, &len));
	assert_string_equal(memo_get(m, "a", 1, &len), "second");
	assert_string_equal(memo_get(m, "c", 1, &len), "fourth");
	memo_stats(m, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.slots, 2);
	assert_int_equal(st.bytes, 2 + 6 + 6);
	memo_free(m);
}

static void test_memo__long_keys_and_texts_are_not_kept(void **state)
{
	struct memo *m = memo_new(4);
	char big[MEMO_ITEM_MAX + 1];
	struct memo_stats st;
	size_t len;

	(void)state;
	memset(big, 'x', sizeof(big));
	memo_put(m, big, sizeof(big), "short", 5);
	memo_put(m, "short", 5, big, sizeof(big));
	assert_null(memo_get(m, big, sizeof(big), &len));
	assert_null(memo_get(m, "short", 5, &len));
	memo_stats(m, &st);
	assert_int_equal(st.entries, 0);
	memo_free(m);
}

static void test_memo__no_memo_keeps_nothing_and_says_so(void **state)
{
	struct memo_stats st;
	size_t len = 9;

	(void)state;
	assert_null(memo_new(0));
	memo_put(NULL, "a", 1, "b", 1);
	assert_null(memo_get(NULL, "a", 1, &len));
	assert_int_equal(len, 0);
	memo_stats(NULL, &st);
	assert_int_equal(st.entries + st.slots + st.hits, 0);
	memo_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_memo__an_answer_comes_back_for_its_key_only),
		cmocka_unit_test(test_memo__keys_may_hold_nul_bytes),
		cmocka_unit_test(
			test_memo__it_never_keeps_more_than_its_slots),
		cmocka_unit_test(
			test_memo__a_newer_answer_replaces_the_old_one),
		cmocka_unit_test(
			test_memo__long_keys_and_texts_are_not_kept),
		cmocka_unit_test(
			test_memo__no_memo_keeps_nothing_and_says_so),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
