/* hmap: string keys to pointers, case-insensitive on request. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hmap.h"

static void test_hmap__an_empty_map_finds_nothing(void **state)
{
	struct hmap m = HMAP_INIT(0);
	size_t pos = 0;

	(void)state;
	assert_null(hmap_get(&m, "a"));
	assert_null(hmap_get(&m, NULL));
	assert_null(hmap_remove(&m, "a"));
	assert_null(hmap_next(&m, &pos));
	hmap_release(&m);
}

static void test_hmap__a_put_key_is_found_and_a_second_put_refused(
	void **state)
{
	struct hmap m = HMAP_INIT(0);
	int one = 1, two = 2;
	void *old = NULL;

	(void)state;
	assert_int_equal(hmap_put(&m, "ann", &one, NULL), 0);
	assert_ptr_equal(hmap_get(&m, "ann"), &one);
	assert_int_equal(hmap_put(&m, "ann", &two, &old), DG_EEXISTS);
	assert_ptr_equal(old, &one);
	assert_ptr_equal(hmap_get(&m, "ann"), &one);
	assert_null(hmap_get(&m, "Ann"));
	assert_int_equal(m.n, 1);
	hmap_release(&m);
}

static void test_hmap__nocase_ignores_ascii_letter_case(void **state)
{
	struct hmap m = HMAP_INIT(HMAP_NOCASE);
	int one = 1;

	(void)state;
	assert_int_equal(hmap_put(&m, "Ann@Contoso.com", &one, NULL), 0);
	assert_ptr_equal(hmap_get(&m, "ann@contoso.COM"), &one);
	assert_int_equal(hmap_put(&m, "ANN@contoso.com", &one, NULL),
			 DG_EEXISTS);
	assert_null(hmap_get(&m, "ann@contoso.co"));
	hmap_release(&m);
}

/*
 * Keys are hashed a word of 8 bytes at a time: a capital in any byte of
 * any word, and in the tail, is folded; the letters next to the capitals
 * ('@', '[', '`', '{') and bytes of UTF-8 are not.
 */
static void test_hmap__nocase_folds_every_byte_of_long_keys(void **state)
{
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz@[`{\xc3\x89z";
	struct hmap m = HMAP_INIT(HMAP_NOCASE);
	char key[sizeof(lower)];
	int one = 1;

	(void)state;
	assert_int_equal(hmap_put(&m, lower, &one, NULL), 0);
	for (size_t i = 0; i < 26; i++) {
		memcpy(key, lower, sizeof(key));
		key[i] = (char)(key[i] - 'a' + 'A');
		assert_ptr_equal(hmap_get(&m, key), &one);
	}
	memcpy(key, lower, sizeof(key));
	key[sizeof(key) - 2] = 'Z';
	assert_ptr_equal(hmap_get(&m, key), &one);
	memcpy(key, lower, sizeof(key));
	key[27] = '{'; /* '[' + 0x20 */
	assert_null(hmap_get(&m, key));
	memcpy(key, lower, sizeof(key));
	key[26] = '`'; /* '@' + 0x20 */
	assert_null(hmap_get(&m, key));
	memcpy(key, lower, sizeof(key));
	key[31] = (char)0xa9; /* the small letter's second byte */
	assert_null(hmap_get(&m, key));
	assert_null(hmap_get(&m, "abcdefghijklmnopqrstuvwxyz@[`{"));
	hmap_release(&m);
}

/* Many keys: growth keeps every entry, removal keeps the others. */
static void test_hmap__ten_thousand_keys_survive_growth_and_removal(
	void **state)
{
	enum { N = 10000 };
	static char keys[N][16];
	struct hmap m = HMAP_INIT(0);
	size_t pos = 0, seen = 0;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_int_equal(hmap_put(&m, keys[i], keys[i], NULL), 0);
	}
	assert_int_equal(m.n, N);
	assert_true(m.nslots >= 2 * N);
	for (int i = 0; i < N; i += 2)
		assert_ptr_equal(hmap_remove(&m, keys[i]), keys[i]);
	assert_int_equal(m.n, N / 2);
	for (int i = 0; i < N; i++)
		if (i % 2)
			assert_ptr_equal(hmap_get(&m, keys[i]), keys[i]);
		else
			assert_null(hmap_get(&m, keys[i]));
	while (hmap_next(&m, &pos))
		seen++;
	assert_int_equal(seen, N / 2);
	hmap_release(&m);
	assert_int_equal(m.n, 0);
}

/* A reserved map takes that many puts without moving its arrays. */
static void test_hmap__a_reserved_map_does_not_grow_up_to_its_size(
	void **state)
{
	enum { N = 5000 };
	static char keys[N][16];
	struct hmap m = HMAP_INIT(HMAP_NOCASE);
	const struct hmap_entry *entries;
	const uint32_t *index;
	size_t nslots;

	(void)state;
	assert_int_equal(hmap_reserve(&m, N), 0);
	entries = m.entries;
	index = m.index;
	nslots = m.nslots;
	assert_int_equal(m.alloc, N);
	assert_true(nslots >= 2 * N && nslots < 4 * N);
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "K%d@x", i);
		assert_int_equal(hmap_put(&m, keys[i], keys[i], NULL), 0);
	}
	assert_ptr_equal(m.entries, entries);
	assert_ptr_equal(m.index, index);
	assert_int_equal(m.nslots, nslots);
	for (int i = 0; i < N; i++) {
		char lower[16];

		snprintf(lower, sizeof(lower), "k%d@X", i);
		assert_ptr_equal(hmap_get(&m, lower), keys[i]);
	}
	/* one more than reserved: it grows, and keeps everything */
	assert_int_equal(hmap_put(&m, "one more", keys[0], NULL), 0);
	assert_int_equal(m.n, N + 1);
	assert_ptr_equal(hmap_get(&m, "K4999@x"), keys[N - 1]);
	hmap_release(&m);
}

static void test_hmap__reserving_keeps_the_entries_and_never_shrinks(
	void **state)
{
	struct hmap m = HMAP_INIT(0);
	int one = 1, two = 2;
	size_t nslots;

	(void)state;
	assert_int_equal(hmap_put(&m, "a", &one, NULL), 0);
	assert_int_equal(hmap_put(&m, "b", &two, NULL), 0);
	assert_int_equal(hmap_reserve(&m, 1000), 0);
	assert_ptr_equal(hmap_get(&m, "a"), &one);
	assert_ptr_equal(hmap_get(&m, "b"), &two);
	nslots = m.nslots;
	assert_int_equal(hmap_reserve(&m, 10), 0);
	assert_int_equal(m.nslots, nslots);
	assert_int_equal(m.alloc, 1000);
	assert_int_equal(m.n, 2);
	hmap_release(&m);
}

static void test_hmap__a_reservation_too_large_is_refused_unchanged(
	void **state)
{
	struct hmap m = HMAP_INIT(0);
	int one = 1;

	(void)state;
	assert_int_equal(hmap_put(&m, "a", &one, NULL), 0);
	assert_int_equal(hmap_reserve(&m, SIZE_MAX / 2), DG_ENOMEM);
	assert_int_equal(hmap_reserve(&m, (size_t)UINT32_MAX), DG_ENOMEM);
	assert_ptr_equal(hmap_get(&m, "a"), &one);
	assert_int_equal(m.n, 1);
	hmap_release(&m);
}

/*
 * Keys removed one by one, in an order unlike the order of their puts:
 * after each removal every other key is still found, and a walk sees
 * exactly the keys left (the last entry moves into the hole).
 */
static void test_hmap__each_removal_keeps_every_other_key(void **state)
{
	enum { N = 300 };
	static char keys[N][16];
	bool gone[N] = {false};
	struct hmap m = HMAP_INIT(HMAP_NOCASE);

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "Key%d", i);
		assert_int_equal(hmap_put(&m, keys[i], keys[i], NULL), 0);
	}
	for (int r = 0; r < N; r++) {
		int k = (r * 7 + 3) % N; /* 7 and 300 share no factor */
		const struct hmap_entry *e;
		size_t pos = 0, seen = 0;

		assert_ptr_equal(hmap_remove(&m, keys[k]), keys[k]);
		assert_null(hmap_remove(&m, keys[k]));
		gone[k] = true;
		for (int i = 0; i < N; i++)
			assert_ptr_equal(hmap_get(&m, keys[i]),
					 gone[i] ? NULL : keys[i]);
		while ((e = hmap_next(&m, &pos))) {
			ptrdiff_t i = (char(*)[16])e->value - keys;

			assert_true(i >= 0 && i < N);
			assert_false(gone[i]);
			assert_ptr_equal(e->key, e->value);
			seen++;
		}
		assert_int_equal(seen, N - r - 1);
		assert_int_equal(m.n, N - r - 1);
	}
	/* an emptied map takes keys again */
	assert_int_equal(hmap_put(&m, keys[5], keys[5], NULL), 0);
	assert_ptr_equal(hmap_get(&m, "KEY5"), keys[5]);
	hmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmap__an_empty_map_finds_nothing),
		cmocka_unit_test(
			test_hmap__a_put_key_is_found_and_a_second_put_refused),
		cmocka_unit_test(test_hmap__nocase_ignores_ascii_letter_case),
		cmocka_unit_test(test_hmap__nocase_folds_every_byte_of_long_keys),
		cmocka_unit_test(
			test_hmap__ten_thousand_keys_survive_growth_and_removal),
		cmocka_unit_test(
			test_hmap__a_reserved_map_does_not_grow_up_to_its_size),
		cmocka_unit_test(
			test_hmap__reserving_keeps_the_entries_and_never_shrinks),
		cmocka_unit_test(
			test_hmap__a_reservation_too_large_is_refused_unchanged),
		cmocka_unit_test(test_hmap__each_removal_keeps_every_other_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
