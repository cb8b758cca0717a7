/* Tests of version comparison (generic, semver 2.0.0, Debian) and version
 * ranges (vers, CPE version attributes): orderings built from the specs'
 * own rules, malformed ranges with their error offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "intel/version.h"

static int vc(enum ky_vscheme s, const char *a, const char *b)
{
	int r = ky_version_cmp(s, a, strlen(a), b, strlen(b));

	return r < 0 ? -1 : r > 0;
}

/* Every element of list sorts strictly before the next, under s, both
 * ways round. */
static void strictly_ascending(enum ky_vscheme s, const char *const *v,
			       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j;

			if (vc(s, v[i], v[j]) != want)
				fail_msg("scheme %d: cmp(%s, %s) = %d, want %d",
					 (int)s, v[i], v[j], vc(s, v[i], v[j]),
					 want);
		}
	}
}

static void test_generic(void **state)
{
	static const char *const order[] = {
		"0.9",	   "1.0-alpha", "1.0-alpha2", "1.0-alpha10",
		"1.0beta", "1.0-rc1",	"1.0",	      "1.0a",
		"1.0.1",   "1.0.1-p1",	"1.0.2",      "1.0.2k",
		"1.2",	   "1.10",	"2",	      "10.0",
	};

	(void)state;
	strictly_ascending(KY_VS_GENERIC, order,
			   sizeof order / sizeof order[0]);
	/* Missing parts are zeros; leading zeros and a leading v do not
	 * count; separators are interchangeable. */
	assert_int_equal(vc(KY_VS_GENERIC, "1.0", "1.0.0"), 0);
	assert_int_equal(vc(KY_VS_GENERIC, "1.01", "1.1"), 0);
	assert_int_equal(vc(KY_VS_GENERIC, "v2.3", "2.3"), 0);
	assert_int_equal(vc(KY_VS_GENERIC, "1_2-3", "1.2.3"), 0);
	assert_int_equal(vc(KY_VS_GENERIC, "1.0RC1", "1.0rc1"), 0);
	/* A local "+" suffix follows its release. */
	assert_int_equal(vc(KY_VS_GENERIC, "1.0+local", "1.0"), 1);
	/* Numbers past 64 bits compare by value. */
	assert_int_equal(vc(KY_VS_GENERIC, "1.99999999999999999999999",
			    "1.100000000000000000000000"),
			 -1);
	assert_int_equal(vc(KY_VS_GENERIC, "", ""), 0);
	assert_int_equal(vc(KY_VS_GENERIC, "", "0"), 0);
	assert_int_equal(vc(KY_VS_GENERIC, "", "1"), -1);
	/* Non-ASCII bytes are separators: no crash, a total order. */
	assert_int_equal(vc(KY_VS_GENERIC, "1.\xc3\xa9.2", "1.2"), 0);
}

static void test_semver(void **state)
{
	/* The precedence example of semver 2.0.0 section 11. */
	static const char *const order[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
		"1.0.0-beta",  "1.0.0-beta.2",	"1.0.0-beta.11",
		"1.0.0-rc.1",  "1.0.0",		"1.0.1",
		"1.1.0",       "2.0.0",		"2.1.0",
		"2.1.1",       "10.0.0",
	};

	(void)state;
	strictly_ascending(KY_VS_SEMVER, order, sizeof order / sizeof order[0]);
	/* Build metadata is ignored for precedence (section 10). */
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0+build.1", "1.0.0+other"), 0);
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0-rc.1+b", "1.0.0-rc.1"), 0);
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0+b", "1.0.0-rc.1"), 1);
	/* Pre-release identifiers: numeric by value, alphanumerics in
	 * ASCII order (upper case first), numeric before alphanumeric. */
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0-2", "1.0.0-10"), -1);
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0-Beta", "1.0.0-alpha"), -1);
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0-99", "1.0.0-a"), -1);
	assert_int_equal(vc(KY_VS_SEMVER, "1.0.0-x-y", "1.0.0-x"), 1);
	/* Go's leading v. */
	assert_int_equal(vc(KY_VS_SEMVER, "v1.2.3", "1.2.3"), 0);
	assert_int_equal(vc(KY_VS_SEMVER, "v1.20.0", "v1.3.0"), 1);
	/* Not semver: the generic rules take over, still ordered. */
	assert_int_equal(vc(KY_VS_SEMVER, "1.2.x", "1.2.3"), -1);

	assert_true(ky_semver_valid("1.0.0-alpha.1+001", 17));
	assert_true(ky_semver_valid("0.0.0", 5));
	assert_false(ky_semver_valid("01.0.0", 6));
	assert_false(ky_semver_valid("1.0.0-01", 8));
	assert_false(ky_semver_valid("1.0", 3));
	assert_false(ky_semver_valid("1.0.0-", 6));
	assert_false(ky_semver_valid("1.0.0+", 6));
	assert_false(ky_semver_valid("1.0.0-a..b", 10));
	assert_false(ky_semver_valid("v1.0.0", 6));
	assert_true(ky_semver_valid("1.0.0+001", 9)); /* build: lead 0 ok */
}

static void test_debian(void **state)
{
	/* Debian policy 5.6.12: '~' sorts before everything, even the end;
	 * letters before other punctuation; epochs override all. */
	static const char *const order[] = {
		"1.0~~", "1.0~~a",     "1.0~",	       "1.0~rc1",
		"1.0",	 "1.0-1",      "1.0-1ubuntu1", "1.0-2",
		"1.0a",	 "1.0+dfsg-1", "1.0.1",	       "1.2~beta",
		"1.2",	 "1:0.5",      "1:0.5-1",      "2:0.1",
	};

	(void)state;
	strictly_ascending(KY_VS_DEB, order, sizeof order / sizeof order[0]);
	assert_int_equal(vc(KY_VS_DEB, "0:1.0", "1.0"), 0);
	assert_int_equal(vc(KY_VS_DEB, "1.001", "1.1"), 0);
	assert_int_equal(vc(KY_VS_DEB, "2.30-1+deb12u1", "2.30-1"), 1);
	/* Upstream may hold '-' when a revision follows: the last one
	 * splits. */
	assert_int_equal(vc(KY_VS_DEB, "1.0-beta-2", "1.0-beta-10"), -1);
	/* Huge epoch by value. */
	assert_int_equal(vc(KY_VS_DEB, "99999999999999999999:1", "2:1"), 1);
}

static void test_scheme_for_type(void **state)
{
	(void)state;
	assert_int_equal(ky_vscheme_for_purl_type("deb", 3), KY_VS_DEB);
	assert_int_equal(ky_vscheme_for_purl_type("npm", 3), KY_VS_SEMVER);
	assert_int_equal(ky_vscheme_for_purl_type("cargo", 5), KY_VS_SEMVER);
	assert_int_equal(ky_vscheme_for_purl_type("golang", 6), KY_VS_SEMVER);
	assert_int_equal(ky_vscheme_for_purl_type("pypi", 4), KY_VS_GENERIC);
	assert_int_equal(ky_vscheme_for_purl_type("de", 2), KY_VS_GENERIC);
}

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

static struct ky_vrange range(const char *s)
{
	struct ky_vrange r;
	struct ky_err err = {0};

	if (ky_vrange_parse(s, strlen(s), arena, &r, &err) != 0)
		fail_msg("%s: %s", s, err.msg);
	return r;
}

static bool in(const struct ky_vrange *r, const char *v)
{
	return ky_vrange_contains(r, v, strlen(v));
}

static void test_vers_contains(void **state)
{
	struct ky_vrange r;

	(void)state;
	/* The spec's own example: 1.2.3, or >= 2.0.0 and < 5.0.0. */
	r = range("vers:npm/1.2.3|>=2.0.0|<5.0.0");
	assert_int_equal(r.scheme, KY_VS_SEMVER);
	assert_int_equal(r.n, 3);
	assert_true(in(&r, "1.2.3"));
	assert_false(in(&r, "1.2.4"));
	assert_false(in(&r, "1.9.9"));
	assert_true(in(&r, "2.0.0"));
	assert_true(in(&r, "4.99.0"));
	assert_false(in(&r, "5.0.0"));
	assert_true(in(&r, "5.0.0-rc.1")); /* pre-release before 5.0.0 */
	assert_false(in(&r, "6.0.0"));

	/* Open ends, spaces, unsorted input, exclusions. */
	r = range("vers:generic/ > 4.5 | < 2 | >= 3 . 0 | != 3.5 | <= 4 ");
	assert_int_equal(r.n, 5);
	assert_int_equal(r.c[0].op, KY_VOP_LT); /* sorted by version */
	assert_int_equal(r.c[4].op, KY_VOP_GT);
	assert_true(in(&r, "1.9"));
	assert_false(in(&r, "2"));
	assert_false(in(&r, "2.5"));
	assert_true(in(&r, "3.0"));
	assert_false(in(&r, "3.5"));
	assert_true(in(&r, "3.6"));
	assert_true(in(&r, "4"));
	assert_true(in(&r, "4.0.0"));
	assert_false(in(&r, "4.2"));
	assert_false(in(&r, "4.5"));
	assert_true(in(&r, "4.6"));

	r = range("vers:pypi/>=1.0");
	assert_true(in(&r, "1.0"));
	assert_true(in(&r, "100"));
	assert_false(in(&r, "0.9"));
	r = range("vers:pypi/<1.0");
	assert_true(in(&r, "0.9"));
	assert_false(in(&r, "1.0"));
	r = range("vers:pypi/!=1.0");
	assert_true(in(&r, "0.9"));
	assert_false(in(&r, "1.0"));
	r = range("vers:pypi/=1.0|=2.0");
	assert_true(in(&r, "2.0"));
	assert_false(in(&r, "1.5"));

	/* Debian ranges use Debian ordering: ~ before the release. */
	r = range("vers:deb/>=1:2.0~rc1|<1:2.0-3");
	assert_true(in(&r, "1:2.0~rc2"));
	assert_true(in(&r, "1:2.0"));
	assert_false(in(&r, "2.0"));
	assert_false(in(&r, "1:2.0-3"));

	/* Percent-encoded versions holding separators. */
	r = range("vers:generic/%3E1%7C2");
	assert_true(in(&r, ">1|2"));

	r = range("vers:npm/*");
	assert_int_equal(r.kind, KY_VR_ALL);
	assert_true(in(&r, "anything"));
	r = range("vers:all/*");
	assert_true(in(&r, "0"));
	r = range("vers:none/*");
	assert_false(in(&r, "0"));

	/* The CSAF examples in ../shared/data use these forms. */
	r = range("vers:generic/>=2.9|<=4.1");
	assert_true(in(&r, "4.1"));
	assert_true(in(&r, "3.0"));
	assert_false(in(&r, "4.2"));
	assert_false(in(&r, "2.8"));
}

struct bad {
	const char *in;
	int status;
	const char *msg; /* substring of the message */
};

static void test_vers_errors(void **state)
{
	static const struct bad bad[] = {
		{"<= 4.1", KY_E_UNSUPPORTED, "offset 0: not a vers range"},
		{">4.2", KY_E_UNSUPPORTED, "vls"},
		{"", KY_E_UNSUPPORTED, "offset 0"},
		{"vers:", KY_E_PARSE, "offset 5"},
		{"vers:npm", KY_E_PARSE, "offset 8"},
		{"vers:npm/", KY_E_PARSE, "no constraints"},
		{"vers:npm/|||", KY_E_PARSE, "no constraints"},
		{"vers:NPM/1.0", KY_E_PARSE, "offset 5"},
		{"vers:npm/*|1.0", KY_E_PARSE, "only constraint"},
		{"vers:npm/1.0|*", KY_E_PARSE, "offset 13"},
		{"vers:npm/>=", KY_E_PARSE, "offset 9: empty version"},
		{"vers:npm/1.0|1.0", KY_E_PARSE,
		 "offset 13: version '1.0' "
		 "already"},
		{"vers:generic/1.0|1.0.0", KY_E_PARSE, "already"},
		{"vers:npm/>1.0|>2.0", KY_E_PARSE, "must alternate"},
		{"vers:npm/<1.0|<=2.0", KY_E_PARSE, "must alternate"},
		{"vers:npm/1.0|<2.0", KY_E_PARSE,
		 "invalid constraint sequence"},
		{"vers:npm/!1.0", KY_E_PARSE, "without '='"},
		{"vers:npm/1.%2", KY_E_PARSE, "offset 11: bad percent escape"},
		{"vers:npm/1.%zz", KY_E_PARSE, "offset 11: bad percent"},
		{"vers:npm/1.%00", KY_E_PARSE, "bad percent"},
		{"vers:npm/1.0\xc3\xa9", KY_E_PARSE, "offset 12: byte 0xc3"},
		{"vers:npm/>1.0<2", KY_E_PARSE, "percent-encoded"},
		{"vers:all/1.0", KY_E_PARSE, "takes only"},
		{"vers:1npm/1.0", KY_E_PARSE, "offset 5"},
	};
	char many[1200];
	size_t o = 0;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ky_vrange r;
		struct ky_err err = {0};
		int rc = ky_vrange_parse(bad[i].in, strlen(bad[i].in), arena,
					 &r, &err);

		if (rc != bad[i].status || strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': rc %d msg '%s', want %d '%s'",
				 bad[i].in, rc, err.msg, bad[i].status,
				 bad[i].msg);
	}
	/* More constraints than the cap. */
	o += (size_t)snprintf(many, sizeof many, "vers:generic/");
	for (int k = 0; k <= KY_VERS_MAX && o + 12 < sizeof many; k++)
		o += (size_t)snprintf(many + o, sizeof many - o, "=%d|", k);
	{
		struct ky_vrange r;
		struct ky_err err = {0};

		assert_int_equal(ky_vrange_parse(many, o, arena, &r, &err),
				 KY_E_TOOBIG);
	}
	/* A range longer than KY_ID_MAX. */
	{
		static char huge[KY_ID_MAX + 64];
		struct ky_vrange r;
		struct ky_err err = {0};

		memcpy(huge, "vers:generic/", 13);
		memset(huge + 13, '1', sizeof huge - 13);
		assert_int_equal(
			ky_vrange_parse(huge, sizeof huge, arena, &r, &err),
			KY_E_TOOBIG);
		/* Just under it: one long version parses and matches. */
		assert_int_equal(
			ky_vrange_parse(huge, KY_ID_MAX, arena, &r, &err), 0);
		assert_true(ky_vrange_contains(&r, huge + 13, KY_ID_MAX - 13));
	}
}

static void test_vrange_from_cpe(void **state)
{
	struct ky_cpe c;
	struct ky_vrange r;
	struct ky_err err = {0};
	const char *s;

	(void)state;
	s = "cpe:2.3:a:openssl:openssl:1.1.1*:*:*:*:*:*:*:*";
	assert_int_equal(ky_cpe_parse(s, strlen(s), arena, &c, &err), 0);
	ky_vrange_from_cpe(&c, KY_VS_GENERIC, &r);
	assert_int_equal(r.kind, KY_VR_CPE);
	assert_true(in(&r, "1.1.1"));
	assert_true(in(&r, "1.1.1W"));
	assert_false(in(&r, "1.1.0"));

	s = "cpe:2.3:a:openssl:openssl:1.1.1:*:*:*:*:*:*:*";
	assert_int_equal(ky_cpe_parse(s, strlen(s), arena, &c, &err), 0);
	ky_vrange_from_cpe(&c, KY_VS_GENERIC, &r);
	assert_true(in(&r, "1.1.1"));
	assert_true(in(&r, "1.1.1.0"));
	assert_false(in(&r, "1.1.1a"));

	s = "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*";
	assert_int_equal(ky_cpe_parse(s, strlen(s), arena, &c, &err), 0);
	ky_vrange_from_cpe(&c, KY_VS_GENERIC, &r);
	assert_true(in(&r, "0.1"));

	s = "cpe:2.3:a:openssl:openssl:-:*:*:*:*:*:*:*";
	assert_int_equal(ky_cpe_parse(s, strlen(s), arena, &c, &err), 0);
	ky_vrange_from_cpe(&c, KY_VS_GENERIC, &r);
	assert_false(in(&r, "0.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_semver),
		cmocka_unit_test(test_debian),
		cmocka_unit_test(test_scheme_for_type),
		cmocka_unit_test(test_vers_contains),
		cmocka_unit_test(test_vers_errors),
		cmocka_unit_test(test_vrange_from_cpe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
