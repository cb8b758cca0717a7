/* Arena: alignment, large allocations, the cap, reset reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"

static void test_alloc_align(void **state)
{
	struct ky_arena *a = ky_arena_new(4096, 0);
	(void)state;

	assert_non_null(a);
	for (int i = 1; i < 200; i++) {
		char *p = ky_arena_alloc(a, (size_t)i);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xab, (size_t)i);
	}
	/* Bigger than a block gets a block of its own. */
	char *big = ky_arena_alloc(a, 100000);
	assert_non_null(big);
	memset(big, 1, 100000);
	char *s = ky_arena_strndup(a, "hello world", 5);
	assert_string_equal(s, "hello");
	assert_true(ky_arena_used(a) > 100000);
	ky_arena_reset(a);
	assert_int_equal(ky_arena_used(a), 0);
	/* After reset the first block is reused. */
	char *p1 = ky_arena_alloc(a, 8);
	ky_arena_reset(a);
	char *p2 = ky_arena_alloc(a, 8);
	assert_ptr_equal(p1, p2);
	ky_arena_free(a);
}

static void test_cap(void **state)
{
	struct ky_arena *a = ky_arena_new(4096, 16384);
	(void)state;

	assert_non_null(a);
	assert_non_null(ky_arena_alloc(a, 4000));
	assert_non_null(ky_arena_alloc(a, 4000));
	assert_non_null(ky_arena_alloc(a, 4000));
	assert_non_null(ky_arena_alloc(a, 4000));
	/* 4 blocks of 4096 = 16384: the fifth would pass the cap. */
	assert_null(ky_arena_alloc(a, 4000));
	assert_null(ky_arena_alloc(a, 1 << 20));
	ky_arena_reset(a);
	assert_non_null(ky_arena_alloc(a, 4000));
	ky_arena_free(a);
	ky_arena_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_align),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
