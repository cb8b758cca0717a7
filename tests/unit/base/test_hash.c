/* Hash table: put/get/del against a reference array, tombstones, growth,
 * borrowed keys, iteration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/hash.h"

#define N 5000

static void test_against_reference(void **state)
{
	static char keys[N][16];
	static int present[N];
	struct ky_hash *h = ky_hash_new(0);
	unsigned seed = 12345;
	(void)state;

	assert_non_null(h);
	for (int i = 0; i < N; i++)
		snprintf(keys[i], sizeof(keys[i]), "key-%d", i);
	/* Random inserts and deletes; the reference says what must be. */
	for (int step = 0; step < 60000; step++) {
		seed = seed * 1103515245u + 12345u;
		int k = (int)((seed >> 8) % N);
		void *old = (void *)1;
		if ((seed >> 4) % 3 == 0) {
			void *v = ky_hash_del(h, keys[k], strlen(keys[k]));
			assert_ptr_equal(v, present[k]
						    ? (void *)(intptr_t)(k + 1)
						    : NULL);
			present[k] = 0;
		} else {
			assert_int_equal(
				ky_hash_put(h, keys[k], strlen(keys[k]),
					    (void *)(intptr_t)(k + 1), &old),
				0);
			assert_ptr_equal(old,
					 present[k] ? (void *)(intptr_t)(k + 1)
						    : NULL);
			present[k] = 1;
		}
	}
	size_t count = 0;
	for (int i = 0; i < N; i++) {
		void *v = ky_hash_get(h, keys[i], strlen(keys[i]));
		assert_ptr_equal(v,
				 present[i] ? (void *)(intptr_t)(i + 1) : NULL);
		count += (size_t)present[i];
	}
	assert_int_equal(ky_hash_count(h), count);

	size_t it = 0, seen = 0, klen;
	const void *key;
	void *val;
	while (ky_hash_next(h, &it, &key, &klen, &val)) {
		char tmp[16];
		memcpy(tmp, key, klen);
		tmp[klen] = '\0';
		int idx = atoi(tmp + 4);
		assert_true(present[idx]);
		assert_ptr_equal(val, (void *)(intptr_t)(idx + 1));
		seen++;
	}
	assert_int_equal(seen, count);
	ky_hash_free(h, NULL);
}

static void test_borrow_and_empty_key(void **state)
{
	struct ky_hash *h = ky_hash_new(KY_HASH_BORROW_KEYS);
	char key[] = "borrowed";
	(void)state;

	assert_int_equal(ky_hash_put(h, key, 8, key, NULL), 0);
	assert_ptr_equal(ky_hash_get(h, "borrowed", 8), key);
	assert_int_equal(ky_hash_put(h, "", 0, key + 1, NULL), 0);
	assert_ptr_equal(ky_hash_get(h, "", 0), key + 1);
	assert_null(ky_hash_get(h, "borrowe", 7));
	ky_hash_free(h, NULL);
}

static void test_free_values(void **state)
{
	struct ky_hash *h = ky_hash_new(0);
	(void)state;

	for (int i = 0; i < 100; i++) {
		char k[8];
		snprintf(k, sizeof(k), "%d", i);
		assert_int_equal(ky_hash_put(h, k, strlen(k), malloc(10), NULL),
				 0);
	}
	ky_hash_free(h, free); /* ASan reports a leak if values are kept */
}

static void test_hash_spread(void **state)
{
	(void)state;
	/* Same bytes, same hash; a single changed byte changes it. */
	assert_true(ky_hash_bytes("abcdefghij", 10) ==
		    ky_hash_bytes("abcdefghij", 10));
	assert_true(ky_hash_bytes("abcdefghij", 10) !=
		    ky_hash_bytes("abcdefghik", 10));
	assert_true(ky_hash_bytes("a", 1) != ky_hash_bytes("a\0", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_borrow_and_empty_key),
		cmocka_unit_test(test_free_values),
		cmocka_unit_test(test_hash_spread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
