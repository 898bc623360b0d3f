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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmap__an_empty_map_finds_nothing),
		cmocka_unit_test(
			test_hmap__a_put_key_is_found_and_a_second_put_refused),
		cmocka_unit_test(test_hmap__nocase_ignores_ascii_letter_case),
		cmocka_unit_test(
			test_hmap__ten_thousand_keys_survive_growth_and_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
