/* Tests of CPE names: the 2.3 formatted string and 2.2 URI bindings
 * (NISTIR 7695), the attribute and name relations of NISTIR 7696 on names
 * built from the specs' rules, and malformed names with their offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "intel/version.h"

static struct ky_arena *arena;

static int setup(void **state)
{
	(void)state;
	arena = ky_arena_new(4096, 0);
	return arena == NULL;
}

static int teardown(void **state)
{
	(void)state;
	ky_arena_free(arena);
	return 0;
}

static struct ky_cpe cpe(const char *s)
{
	struct ky_cpe c;
	struct ky_err err = {0};

	if (ky_cpe_parse(s, strlen(s), arena, &c, &err) != 0)
		fail_msg("%s: %s", s, err.msg);
	return c;
}

static void attr_is(const struct ky_cpe *c, enum ky_cpe_field f,
		    enum ky_cpe_kind k, const char *lit)
{
	const struct ky_cpe_attr *a = &c->a[f];

	if (a->kind != k)
		fail_msg("field %d: kind %d, want %d", (int)f, a->kind, (int)k);
	if (lit != NULL &&
	    (a->len != strlen(lit) || strcmp(c->s + a->off, lit) != 0))
		fail_msg("field %d: '%s', want '%s'", (int)f, c->s + a->off,
			 lit);
}

static void test_parse_fs(void **state)
{
	struct ky_cpe c;
	size_t n;

	(void)state;
	c = cpe("cpe:2.3:a:Microsoft:Internet_Explorer:8.0.6001:beta:*:*:*:"
		"*:*:*");
	attr_is(&c, KY_CPE_PART, KY_CPE_VALUE, "a");
	attr_is(&c, KY_CPE_VENDOR, KY_CPE_VALUE, "microsoft");
	attr_is(&c, KY_CPE_PRODUCT, KY_CPE_VALUE, "internet_explorer");
	attr_is(&c, KY_CPE_VERSION, KY_CPE_VALUE, "8.0.6001");
	attr_is(&c, KY_CPE_UPDATE, KY_CPE_VALUE, "beta");
	attr_is(&c, KY_CPE_EDITION, KY_CPE_ANY, NULL);
	attr_is(&c, KY_CPE_OTHER, KY_CPE_ANY, NULL);
	assert_non_null(ky_cpe_key(&c, &n));
	assert_int_equal(n, strlen("a") + 1 + strlen("microsoft") + 1 +
				    strlen("internet_explorer"));
	assert_memory_equal(ky_cpe_key(&c, &n),
			    "a\0microsoft\0internet_explorer", n);

	/* Escapes: a quoted ':' stays in the value, quoted '*' is a
	 * literal, NA is '-'. */
	c = cpe("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:"
		"win2003:x64:*");
	attr_is(&c, KY_CPE_UPDATE, KY_CPE_NA, NULL);
	attr_is(&c, KY_CPE_SW_EDITION, KY_CPE_VALUE, "online");
	attr_is(&c, KY_CPE_TARGET_HW, KY_CPE_VALUE, "x64");
	c = cpe("cpe:2.3:a:foo\\\\bar:big\\$money_2010:\\*:\\:x:*:*:*:*:*:*");
	attr_is(&c, KY_CPE_VENDOR, KY_CPE_VALUE, "foo\\bar");
	attr_is(&c, KY_CPE_PRODUCT, KY_CPE_VALUE, "big$money_2010");
	attr_is(&c, KY_CPE_VERSION, KY_CPE_VALUE, "*");
	attr_is(&c, KY_CPE_UPDATE, KY_CPE_VALUE, ":x");

	/* Wildcards at either end. */
	c = cpe("cpe:2.3:a:*soft:??ow*:1.?:*:*:*:*:*:*:*");
	attr_is(&c, KY_CPE_VENDOR, KY_CPE_WILD, "soft");
	assert_int_equal(c.a[KY_CPE_VENDOR].flags, KY_CPE_STAR_BEGIN);
	attr_is(&c, KY_CPE_PRODUCT, KY_CPE_WILD, "ow");
	assert_int_equal(c.a[KY_CPE_PRODUCT].q_begin, 2);
	assert_int_equal(c.a[KY_CPE_PRODUCT].flags, KY_CPE_STAR_END);
	attr_is(&c, KY_CPE_VERSION, KY_CPE_WILD, "1.");
	assert_int_equal(c.a[KY_CPE_VERSION].q_end, 1);
	assert_null(ky_cpe_key(&c, &n));
}

static void test_parse_uri(void **state)
{
	struct ky_cpe c;

	(void)state;
	/* From the CSAF examples. */
	c = cpe("cpe:/a:redhat:openshift:4.6::el8");
	attr_is(&c, KY_CPE_VENDOR, KY_CPE_VALUE, "redhat");
	attr_is(&c, KY_CPE_VERSION, KY_CPE_VALUE, "4.6");
	attr_is(&c, KY_CPE_UPDATE, KY_CPE_ANY, NULL);
	attr_is(&c, KY_CPE_EDITION, KY_CPE_VALUE, "el8");
	attr_is(&c, KY_CPE_LANGUAGE, KY_CPE_ANY, NULL);
	attr_is(&c, KY_CPE_OTHER, KY_CPE_ANY, NULL);
	c = cpe("cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-rc1");
	attr_is(&c, KY_CPE_VERSION, KY_CPE_VALUE, "1.0.0-rc1");

	/* Percent escapes, %01/%02 wildcards, NA, packed edition. */
	c = cpe("cpe:/a:foo%5cbar:big%24money:2010%02:-:~-~special~ipod_touch~"
		"80gb~:en-us");
	attr_is(&c, KY_CPE_VENDOR, KY_CPE_VALUE, "foo\\bar");
	attr_is(&c, KY_CPE_PRODUCT, KY_CPE_VALUE, "big$money");
	attr_is(&c, KY_CPE_VERSION, KY_CPE_WILD, "2010");
	assert_int_equal(c.a[KY_CPE_VERSION].flags, KY_CPE_STAR_END);
	attr_is(&c, KY_CPE_UPDATE, KY_CPE_NA, NULL);
	attr_is(&c, KY_CPE_EDITION, KY_CPE_NA, NULL);
	attr_is(&c, KY_CPE_SW_EDITION, KY_CPE_VALUE, "special");
	attr_is(&c, KY_CPE_TARGET_SW, KY_CPE_VALUE, "ipod_touch");
	attr_is(&c, KY_CPE_TARGET_HW, KY_CPE_VALUE, "80gb");
	attr_is(&c, KY_CPE_OTHER, KY_CPE_ANY, NULL);
	attr_is(&c, KY_CPE_LANGUAGE, KY_CPE_VALUE, "en-us");
	c = cpe("cpe:/o");
	attr_is(&c, KY_CPE_PART, KY_CPE_VALUE, "o");
	attr_is(&c, KY_CPE_VENDOR, KY_CPE_ANY, NULL);
}

static void test_format_roundtrip(void **state)
{
	static const char *const in[] = {
		"cpe:2.3:a:foo\\\\bar:big\\$money:\\*:\\:x:*:-:*:*:*:*",
		"cpe:2.3:a:*soft:??ow*:1.?:*:*:*:*:*:*:\\-",
		"cpe:2.3:o:linux:linux_kernel:5.10.0-1_2:*:*:*:*:*:*:*",
	};
	char buf[256], buf2[256];
	struct ky_cpe c, d;

	(void)state;
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		c = cpe(in[i]);
		assert_true(ky_cpe_format(&c, buf, sizeof buf) > 0);
		assert_string_equal(buf, in[i]);
		d = cpe(buf);
		assert_true(ky_cpe_format(&d, buf2, sizeof buf2) > 0);
		assert_string_equal(buf, buf2);
	}
	c = cpe(in[0]);
	assert_int_equal(ky_cpe_format(&c, buf, 20), KY_E_TOOBIG);
	/* The URI converts to the formatted string. */
	c = cpe("cpe:/a:redhat:openshift:4.6::el8");
	assert_true(ky_cpe_format(&c, buf, sizeof buf) > 0);
	assert_string_equal(buf,
			    "cpe:2.3:a:redhat:openshift:4.6:*:el8:*:*:*:*:*");
}

static enum ky_cpe_rel rel(const char *src, const char *tgt)
{
	struct ky_cpe s = cpe(src), t = cpe(tgt);

	return ky_cpe_compare(&s, &t, 0);
}

#define N(v, p, ver) "cpe:2.3:a:" v ":" p ":" ver ":*:*:*:*:*:*:*"

static void test_relations(void **state)
{
	struct ky_cpe a, b;

	(void)state;
	/* Table 6-2 rows, one attribute varied at a time. */
	assert_int_equal(rel(N("x", "y", "*"), N("x", "y", "*")),
			 KY_CPE_EQUAL); /* ANY/ANY */
	assert_int_equal(rel(N("x", "y", "*"), N("x", "y", "-")),
			 KY_CPE_SUPERSET); /* ANY/NA */
	assert_int_equal(rel(N("x", "y", "*"), N("x", "y", "1.0")),
			 KY_CPE_SUPERSET); /* ANY/i */
	assert_int_equal(rel(N("x", "y", "*"), N("x", "y", "1.*")),
			 KY_CPE_UNDEFINED); /* ANY/m+wild */
	assert_int_equal(rel(N("x", "y", "-"), N("x", "y", "*")),
			 KY_CPE_SUBSET);
	assert_int_equal(rel(N("x", "y", "-"), N("x", "y", "-")), KY_CPE_EQUAL);
	assert_int_equal(rel(N("x", "y", "-"), N("x", "y", "1.0")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "1.0"), N("x", "y", "*")),
			 KY_CPE_SUBSET);
	assert_int_equal(rel(N("x", "y", "1.0"), N("x", "y", "-")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "1.0"), N("x", "y", "1.0")),
			 KY_CPE_EQUAL);
	assert_int_equal(rel(N("x", "y", "1.0"), N("X", "Y", "1.0")),
			 KY_CPE_EQUAL); /* case-insensitive */
	assert_int_equal(rel(N("x", "y", "1.0"), N("x", "y", "1.1")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "1.*"), N("x", "y", "*")),
			 KY_CPE_SUBSET);
	assert_int_equal(rel(N("x", "y", "1.*"), N("x", "y", "-")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "1.*"), N("x", "y", "1.2.3")),
			 KY_CPE_SUPERSET);
	assert_int_equal(rel(N("x", "y", "1.*"), N("x", "y", "2.1")),
			 KY_CPE_DISJOINT);
	/* Wildcard strings: ? takes at most its count, * anything. */
	assert_int_equal(rel(N("x", "y", "1.?"), N("x", "y", "1.2")),
			 KY_CPE_SUPERSET);
	assert_int_equal(rel(N("x", "y", "1.?"), N("x", "y", "1.23")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "??.1"), N("x", "y", "10.1")),
			 KY_CPE_SUPERSET);
	assert_int_equal(rel(N("x", "y", "??.1"), N("x", "y", "100.1")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "*.1*"), N("x", "y", "3.14")),
			 KY_CPE_SUPERSET);
	assert_int_equal(rel(N("*soft", "y", "*"), N("microsoft", "y", "*")),
			 KY_CPE_SUPERSET);
	assert_int_equal(rel(N("*soft", "y", "*"), N("softer", "y", "*")),
			 KY_CPE_DISJOINT);
	assert_int_equal(rel(N("x", "y", "?"), N("x", "y", "7")),
			 KY_CPE_SUPERSET);
	assert_int_equal(rel(N("x", "y", "?"), N("x", "y", "77")),
			 KY_CPE_DISJOINT);
	/* Mixed superset and subset attributes: no relation. */
	assert_int_equal(rel(N("x", "*", "1.0"), N("x", "y", "*")),
			 KY_CPE_UNDEFINED);
	/* A disjoint attribute wins over an undefined one. */
	assert_int_equal(
		rel(N("x", "y", "*"), "cpe:2.3:o:x:y:1.*:*:*:*:*:*:*:*"),
		KY_CPE_DISJOINT);

	/* Advisory applies to asset; the version can be left to a range. */
	a = cpe("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*");
	b = cpe("cpe:2.3:a:openssl:openssl:3.0.7:*:*:*:*:*:*:*");
	assert_true(ky_cpe_applies(&a, &b, 0));
	assert_false(ky_cpe_applies(&b, &a, 0));
	a = cpe("cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*");
	assert_false(ky_cpe_applies(&a, &b, 0));
	assert_true(ky_cpe_applies(&a, &b, 1u << KY_CPE_VERSION));
	/* A 2.2 URI name compares with a 2.3 one. */
	a = cpe("cpe:/a:openssl:openssl:3.0.7");
	assert_int_equal(ky_cpe_compare(&a, &b, 0), KY_CPE_EQUAL);
}

struct bad {
	const char *in;
	int status;
	const char *msg;
};

static void test_errors(void **state)
{
	static const struct bad bad[] = {
		{"", KY_E_PARSE, "offset 0: not a CPE"},
		{"cpe:2.2:a:b:c", KY_E_PARSE, "offset 0"},
		{"cpe:2.3:a:b:c", KY_E_PARSE, "offset 13: 3 attributes"},
		{"cpe:2.3:a:b:c:*:*:*:*:*:*:*:*:*", KY_E_PARSE,
		 "offset 29: more than 11"},
		{"cpe:2.3:a::c:*:*:*:*:*:*:*:*", KY_E_PARSE,
		 "offset 10: empty attribute"},
		{"cpe:2.3:x:b:c:*:*:*:*:*:*:*:*", KY_E_PARSE,
		 "part must be a, o or h"},
		{"cpe:2.3:a:b:c:1*2:*:*:*:*:*:*:*", KY_E_PARSE,
		 "offset 16: unquoted wildcard"},
		{"cpe:2.3:a:b:c:1.0**:*:*:*:*:*:*:*", KY_E_PARSE,
		 "offset 18: wildcard '*' not allowed"},
		{"cpe:2.3:a:b:c:*?1:*:*:*:*:*:*:*", KY_E_PARSE, "offset 15"},
		{"cpe:2.3:a:b:c:1.0:*:*:*:*:*:*:\\", KY_E_PARSE,
		 "offset 30: '\\' at the end"},
		{"cpe:2.3:a:b:c d:*:*:*:*:*:*:*:*", KY_E_PARSE,
		 "offset 13: byte 0x20"},
		{"cpe:2.3:a:b:caf\xc3\xa9:*:*:*:*:*:*:*:*", KY_E_PARSE,
		 "offset 15: byte 0xc3"},
		{"cpe:/a:b:c:1.0:u:e:l:x", KY_E_PARSE, "more than 7"},
		{"cpe:/a:b%2:c", KY_E_PARSE, "offset 8: bad percent"},
		{"cpe:/a:b%zz:c", KY_E_PARSE, "offset 8: bad percent"},
		{"cpe:/a:b%00:c", KY_E_PARSE, "bad percent"},
		{"cpe:/a:b:c:1*", KY_E_PARSE, "offset 12"},
		{"cpe:/a:b:c:1:2:~a~b", KY_E_PARSE, "packed edition"},
		{"cpe:/a:b:1%02.0", KY_E_PARSE, "unquoted wildcard"},
	};
	static char huge[KY_ID_MAX + 10];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ky_cpe c;
		struct ky_err err = {0};
		int rc = ky_cpe_parse(bad[i].in, strlen(bad[i].in), arena, &c,
				      &err);

		if (rc != bad[i].status || strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': rc %d msg '%s', want %d '%s'",
				 bad[i].in, rc, err.msg, bad[i].status,
				 bad[i].msg);
		assert_null(c.s);
	}
	memcpy(huge, "cpe:2.3:a:", 10);
	memset(huge + 10, 'x', sizeof huge - 10);
	{
		struct ky_cpe c;
		struct ky_err err = {0};

		assert_int_equal(
			ky_cpe_parse(huge, sizeof huge, arena, &c, &err),
			KY_E_TOOBIG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fs),
		cmocka_unit_test(test_parse_uri),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
