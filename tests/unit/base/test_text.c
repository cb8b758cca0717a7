/* UTF-8 validation and the YAML precheck: valid sequences of each length,
 * every kind of invalid one, positions of what is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"

static size_t check(const char *s, size_t n)
{
	return ky_utf8_check(s, n);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(check("plain", 5), 5);
	assert_int_equal(check("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), 9);
	assert_int_equal(check("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
	assert_int_equal(check("ab\xff", 3), 2);
	assert_int_equal(check("a\xc0\x80", 3), 1);	    /* overlong */
	assert_int_equal(check("a\xe0\x9f\xbf", 4), 1);	    /* overlong */
	assert_int_equal(check("a\xf0\x8f\xbf\xbf", 5), 1); /* overlong */
	assert_int_equal(check("a\xed\xa0\x80", 4), 1);	    /* surrogate */
	assert_int_equal(check("a\xf4\x90\x80\x80", 5), 1); /* > U+10FFFF */
	assert_int_equal(check("abc\xe2\x82", 5), 3);	    /* cut short */
	assert_int_equal(check("\x80", 1), 0);		    /* lone cont. */
	assert_int_equal(ky_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3),
			 3);
	assert_int_equal(ky_utf8_seq((const unsigned char *)"\xe2\x82\xac", 2),
			 0);
}

static void test_precheck(void **state)
{
	const char *what = NULL;
	unsigned line, col;
	(void)state;

	assert_int_equal(ky_yaml_precheck("a: 1\nb: \xc3\xa9\n", 11, 3, &line,
					  &col, &what),
			 0);
	assert_int_equal(
		ky_yaml_precheck("a: 1\nb: x\xff\n", 11, 3, &line, &col, &what),
		KY_E_PARSE);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_string_equal(what, "invalid UTF-8");
	assert_int_equal(ky_yaml_precheck("a\n\0b", 4, 3, &line, &col, &what),
			 KY_E_PARSE);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
	assert_string_equal(what, "NUL byte in the file");
	assert_int_equal(
		ky_yaml_precheck("a: 1\nb: \x05\n", 10, 3, &line, &col, &what),
		KY_E_PARSE);
	assert_int_equal(col, 4);
	assert_string_equal(what, "control character (not allowed in YAML)");
	assert_int_equal(
		ky_yaml_precheck("a: \xc2\x9b", 5, 3, &line, &col, &what),
		KY_E_PARSE);
	assert_int_equal(ky_yaml_precheck("a: \xc2\x85\xc2\xa0\t\r\n", 10, 3,
					  &line, &col, &what),
			 0);
	/* explicit block keys: rejected where they start a line or follow
	 * "- "; a '?' that starts a plain scalar or sits in a value is fine */
	assert_int_equal(
		ky_yaml_precheck("k: v\n? a:\t? b", 13, 3, &line, &col, &what),
		KY_E_PARSE);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
	assert_string_equal(what, "explicit keys ('? ') are not supported");
	assert_int_equal(ky_yaml_precheck("- ? a", 5, 3, &line, &col, &what),
			 KY_E_PARSE);
	assert_int_equal(ky_yaml_precheck("?", 1, 3, &line, &col, &what),
			 KY_E_PARSE);
	assert_int_equal(ky_yaml_precheck("?x: 1\nk: a ? b\n- -?\n", 20, 3,
					  &line, &col, &what),
			 0);
	/* three blank lines pass, a fourth does not */
	assert_int_equal(ky_yaml_precheck("a: |\n  x\n\n \n\t\nb: 1\n", 19, 3,
					  &line, &col, &what),
			 0);
	assert_int_equal(ky_yaml_precheck("a: |\n  x\n\n\n\n\nb: 1\n", 18, 3,
					  &line, &col, &what),
			 KY_E_TOOBIG);
	assert_int_equal(line, 6);
}

static void unq(const char *raw, const char *want)
{
	struct ky_buf b;

	ky_buf_init(&b, 0);
	assert_int_equal(ky_yaml_unquote_single(raw, strlen(raw), &b), 0);
	assert_string_equal(ky_buf_str(&b), want);
	ky_buf_free(&b);
}

static void test_unquote_single(void **state)
{
	(void)state;
	unq("plain", "plain");
	unq("it''s", "it's");
	unq("''''''''''", "'''''");  /* the run libfyaml leaks on */
	unq("a  \n  b", "a b");	     /* a break folds to a space */
	unq("a\n\n\n  b", "a\n\nb"); /* n empty lines, n newlines */
	unq("a\r\nb", "a b");
	unq("  lead and trail  ", "  lead and trail  ");
}

/* RFC 4648 section 10 vectors, and what decoding refuses. */
static void test_base64(void **state)
{
	static const char *const plain[] = {"",	    "f",     "fo",    "foo",
					    "foob", "fooba", "foobar"};
	static const char *const enc[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const bad[] = {"Zg=",      "Zh==",  "Zm9=",	"Z===",
					  "Zg==Zg==", "Zm9v!", "Zm 9v", "=Zg="};
	struct ky_err err = {0};
	uint8_t out[16];
	char text[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(ky_b64_encode(plain[i], strlen(plain[i]), text,
					       sizeof(text)),
				 strlen(enc[i]));
		assert_string_equal(text, enc[i]);
		assert_int_equal(ky_b64_decode(enc[i], strlen(enc[i]), out,
					       sizeof(out), &n, &err),
				 0);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ky_b64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n,
				  &err) != KY_E_PARSE)
			fail_msg("'%s' accepted", bad[i]);
	/* output past cap, and an encode buffer too small */
	assert_int_equal(ky_b64_decode("Zm9vYmFy", 8, out, 5, &n, &err),
			 KY_E_TOOBIG);
	assert_int_equal(ky_b64_encode("foobar", 6, text, 8), 0);
}

/* ky_i64_dec against printf's %lld: the edges and 100,000 values of
 * every magnitude and sign. */
static void test_i64_dec(void **state)
{
	static const int64_t edge[] = {0,
				       1,
				       -1,
				       9,
				       10,
				       -10,
				       INT64_MAX,
				       INT64_MIN,
				       INT64_MAX - 1,
				       INT64_MIN + 1};
	uint64_t x = 0x853c49e6748fea9bULL;
	char got[KY_I64_DEC_MAX], want[32];

	(void)state;
	for (int k = 0; k < 100000; k++) {
		int64_t v;
		size_t n;

		if (k < (int)(sizeof(edge) / sizeof(edge[0]))) {
			v = edge[k];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = (int64_t)(x >> (1 + x % 63)); /* >= 0 */
			if (x & 1)
				v = -v;
		}
		n = ky_i64_dec(v, got);
		snprintf(want, sizeof(want), "%lld", (long long)v);
		if (n != strlen(want) || memcmp(got, want, n) != 0)
			fail_msg("%s: got %.*s", want, (int)n, got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_precheck),
		cmocka_unit_test(test_unquote_single),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_i64_dec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
