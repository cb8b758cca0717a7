/* Capped buffer: growth, the cap, JSON string escaping, steal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"

static void test_grow_and_cap(void **state)
{
	struct ky_buf b;
	(void)state;

	ky_buf_init(&b, 100);
	assert_string_equal(ky_buf_str(&b), "");
	for (int i = 0; i < 10; i++)
		assert_int_equal(ky_buf_add(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 100);
	/* One byte past the cap fails and changes nothing. */
	assert_int_equal(ky_buf_addc(&b, 'x'), KY_E_TOOBIG);
	assert_int_equal(b.len, 100);
	assert_int_equal(b.data[100], '\0');
	assert_memory_equal(b.data + 90, "0123456789", 10);
	ky_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(ky_buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.data, "42-x");
	ky_buf_free(&b);
}

static void test_addf_over_cap(void **state)
{
	struct ky_buf b;
	(void)state;

	ky_buf_init(&b, 8);
	assert_int_equal(ky_buf_adds(&b, "abc"), 0);
	assert_int_equal(ky_buf_addf(&b, "%s", "123456"), KY_E_TOOBIG);
	assert_string_equal(b.data, "abc");
	ky_buf_free(&b);
}

static void test_json_str(void **state)
{
	struct ky_buf b;
	(void)state;

	ky_buf_init(&b, 0);
	assert_int_equal(ky_buf_add_json_str(&b, "a\"b\\c\n\x01\x7f", 8), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
	ky_buf_free(&b);

	/* A JSON string that does not fit leaves the buffer as it was. */
	ky_buf_init(&b, 6);
	assert_int_equal(ky_buf_adds(&b, "x"), 0);
	assert_int_equal(ky_buf_add_json_str(&b, "\n\n", 2), KY_E_TOOBIG);
	assert_string_equal(b.data, "x");
	ky_buf_free(&b);
}

/* Output is always UTF-8: each invalid piece becomes one U+FFFD (the
 * maximal subpart of a valid sequence, at least one byte). */
static void json_is(const char *in, size_t n, const char *want)
{
	struct ky_buf b;

	ky_buf_init(&b, 0);
	assert_int_equal(ky_buf_add_json_str(&b, in, n), 0);
	assert_string_equal(b.data, want);
	ky_buf_free(&b);
}

#define R "\xef\xbf\xbd"

static void test_json_str_utf8(void **state)
{
	(void)state;
	json_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	json_is("a\xff\xfe"
		"b",
		4, "\"a" R R "b\"");
	json_is("\xc3(", 2, "\"" R "(\"");
	json_is("N\xe9", 2, "\"N" R "\"");
	json_is("\xc0\x80", 2, "\"" R R "\"");		   /* overlong NUL */
	json_is("\xed\xa0\x80", 3, "\"" R R R "\"");	   /* surrogate */
	json_is("\xe2\x82x", 3, "\"" R "x\"");		   /* truncated */
	json_is("\xf4\x90\x80\x80", 4, "\"" R R R R "\""); /* > U+10FFFF */
	json_is("\xf0\x9f\x98", 3, "\"" R "\"");	   /* cut at the end */
	json_is("\x80\"", 2, "\"" R "\\\"\"");
}

static void test_steal(void **state)
{
	struct ky_buf b;
	size_t len;
	char *s;
	(void)state;

	ky_buf_init(&b, 0);
	s = ky_buf_steal(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(ky_buf_adds(&b, "hello"), 0);
	s = ky_buf_steal(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_cap),
		cmocka_unit_test(test_addf_over_cap),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_json_str_utf8),
		cmocka_unit_test(test_steal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
