/* Tests of package URLs: parsing as the purl spec's "How to parse" says,
 * per-type normalisation, package identity apart from the version, and
 * malformed input with its offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
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

static struct ky_purl purl(const char *s)
{
	struct ky_purl p;
	struct ky_err err = {0};

	if (ky_purl_parse(s, strlen(s), arena, &p, &err) != 0)
		fail_msg("%s: %s", s, err.msg);
	return p;
}

static void span_is(const struct ky_purl *p, struct ky_span sp,
		    const char *want)
{
	if (sp.len != strlen(want) || strcmp(p->s + sp.off, want) != 0)
		fail_msg("'%.*s' (len %u), want '%s'", (int)sp.len,
			 p->s + sp.off, (unsigned)sp.len, want);
}

static void test_parse(void **state)
{
	struct ky_purl p;
	size_t n;
	const char *v;

	(void)state;
	p = purl("pkg:maven/org.apache.commons/io@1.3.4");
	span_is(&p, p.type, "maven");
	span_is(&p, p.ns, "org.apache.commons");
	span_is(&p, p.name, "io");
	span_is(&p, p.version, "1.3.4");
	span_is(&p, p.subpath, "");
	assert_int_equal(p.nq, 0);
	assert_int_equal(p.scheme, KY_VS_GENERIC);

	/* Scoped npm package: %40 decoded, name and scope lower case. */
	p = purl("pkg:npm/%40Angular/Animation@12.3.1");
	span_is(&p, p.ns, "@angular");
	span_is(&p, p.name, "animation");
	span_is(&p, p.version, "12.3.1");
	assert_int_equal(p.scheme, KY_VS_SEMVER);

	/* All parts, qualifiers sorted with keys lower case, empty
	 * qualifier values dropped, subpath cleaned of . and .. */
	p = purl("PKG://Deb/Debian/Curl@7.50.3-1?Distro=jessie&arch=i386&"
		 "empty=&repository_url=https%3A%2F%2Fx.org%2F#/./a//b/../c/");
	span_is(&p, p.type, "deb");
	span_is(&p, p.ns, "debian");
	span_is(&p, p.name, "curl");
	span_is(&p, p.version, "7.50.3-1");
	assert_int_equal(p.scheme, KY_VS_DEB);
	assert_int_equal(p.nq, 3);
	assert_string_equal(p.s + p.q[0].key.off, "arch");
	assert_string_equal(p.s + p.q[1].key.off, "distro");
	assert_string_equal(p.s + p.q[2].key.off, "repository_url");
	v = ky_purl_qualifier(&p, "repository_url", &n);
	assert_non_null(v);
	assert_int_equal(n, strlen("https://x.org/"));
	assert_string_equal(v, "https://x.org/");
	assert_null(ky_purl_qualifier(&p, "empty", &n));
	span_is(&p, p.subpath, "a/b/c");

	/* pypi: lower case, '_' to '-'. */
	p = purl("pkg:pypi/Django_Allauth@0.45.0");
	span_is(&p, p.name, "django-allauth");
	/* github lower cases namespace and name; maven keeps case. */
	p = purl("pkg:github/Package-URL/Purl-Spec@244fd47");
	span_is(&p, p.ns, "package-url");
	span_is(&p, p.name, "purl-spec");
	span_is(&p, p.version, "244fd47");
	p = purl("pkg:maven/Org.Example/Lib@1.0");
	span_is(&p, p.name, "Lib");
	/* Golang: namespace of several segments, a "v" version. */
	p = purl("pkg:golang/github.com//gorilla/context@v1.1.1");
	span_is(&p, p.ns, "github.com/gorilla");
	span_is(&p, p.name, "context");
	/* The version is after the last '@'; encoded characters in it. */
	p = purl("pkg:generic/openssl@1.1.1%2Bdeb%40x");
	span_is(&p, p.version, "1.1.1+deb@x");
	/* No version, no namespace; Unicode name. */
	p = purl("pkg:cargo/r%C3%A9sum%C3%A9");
	span_is(&p, p.name, "r\xc3\xa9sum\xc3\xa9");
	span_is(&p, p.version, "");
	span_is(&p, p.ns, "");

	/* Trailing slashes go before the name is split off. */
	p = purl("pkg:npm/ns/");
	span_is(&p, p.name, "ns");
	span_is(&p, p.ns, "");

	/* The key is type, namespace and name with NULs between. */
	p = purl("pkg:npm/%40scope/name@1.0.0?arch=x");
	v = ky_purl_key(&p, &n);
	assert_int_equal(n, 3 + 1 + 6 + 1 + 4);
	assert_memory_equal(v, "npm\0@scope\0name", n);
}

static bool same(const char *a, const char *b)
{
	struct ky_purl x = purl(a), y = purl(b);

	return ky_purl_same_package(&x, &y);
}

static void test_identity(void **state)
{
	(void)state;
	assert_true(same("pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.21"));
	assert_true(same("pkg:npm/lodash", "pkg:NPM/LoDash@1"));
	assert_true(
		same("pkg:pypi/python_dateutil", "pkg:pypi/Python-Dateutil"));
	assert_false(same("pkg:npm/lodash", "pkg:npm/lodash-es"));
	assert_false(same("pkg:npm/lodash", "pkg:cargo/lodash"));
	assert_false(same("pkg:npm/%40a/x", "pkg:npm/%40b/x"));
	assert_false(same("pkg:npm/x", "pkg:npm/%40b/x"));
	assert_false(same("pkg:maven/G/a", "pkg:maven/g/a")); /* maven case */
	/* Identity qualifiers: a differing arch is another package; one
	 * missing on either side does not decide; others do not count. */
	assert_false(same("pkg:deb/debian/curl?arch=amd64",
			  "pkg:deb/debian/curl@1?arch=i386"));
	assert_true(same("pkg:deb/debian/curl?arch=amd64",
			 "pkg:deb/debian/curl@1"));
	assert_true(
		same("pkg:deb/debian/curl", "pkg:deb/debian/curl@1?arch=i386"));
	assert_true(same("pkg:deb/debian/curl?repository_url=a",
			 "pkg:deb/debian/curl@1?repository_url=b"));
	assert_false(same("pkg:maven/g/a?classifier=sources",
			  "pkg:maven/g/a@1?classifier=javadoc"));
}

struct bad {
	const char *in;
	int status;
	const char *msg;
};

static void test_errors(void **state)
{
	static const struct bad bad[] = {
		{"", KY_E_PARSE, "offset 0: not a package URL"},
		{"purl:npm/x", KY_E_PARSE, "offset 0"},
		{"pkg:npm", KY_E_PARSE, "offset 4: expected type/name"},
		{"pkg:/npm", KY_E_PARSE, "expected type/name"},
		{"pkg:maven/@1.3.4", KY_E_PARSE, "offset 10: empty name"},
		{"pkg:npm///", KY_E_PARSE, "expected type/name"},
		{"pkg:npm/x@", KY_E_PARSE, "offset 9: empty version"},
		{"pkg:n%70m/x", KY_E_PARSE, "offset 5: bad character in type"},
		{"pkg:1npm/x", KY_E_PARSE, "offset 4: bad character in type"},
		{"pkg:npm/a%2", KY_E_PARSE, "offset 9: bad percent escape"},
		{"pkg:npm/a%g1", KY_E_PARSE, "offset 9: bad percent escape"},
		{"pkg:npm/a%00", KY_E_PARSE, "bad percent escape"},
		{"pkg:npm/a b", KY_E_PARSE, "offset 9: byte 0x20"},
		{"pkg:npm/a%ff", KY_E_PARSE, "invalid UTF-8"},
		{"pkg:npm/\xc3(", KY_E_PARSE, "invalid UTF-8"},
		{"pkg:npm/x?a=1&a=2", KY_E_PARSE, "qualifier 'a' given twice"},
		{"pkg:npm/x?A=1&a=2", KY_E_PARSE, "given twice"},
		{"pkg:npm/x?=1", KY_E_PARSE, "offset 10: qualifier without"},
		{"pkg:npm/x?novalue", KY_E_PARSE, "qualifier without"},
		{"pkg:npm/x?k%41=1", KY_E_PARSE,
		 "offset 11: bad character in qualifier key"},
		{"pkg:npm/x?1k=1", KY_E_PARSE, "offset 10: bad character"},
		{"pkg:npm/x?k=%4", KY_E_PARSE, "offset 12: bad percent"},
		{"pkg:npm/x#a/%zz", KY_E_PARSE, "offset 12: bad percent"},
	};
	static char huge[KY_ID_MAX + 10];
	char many[1024];
	size_t o;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ky_purl p;
		struct ky_err err = {0};
		int rc = ky_purl_parse(bad[i].in, strlen(bad[i].in), arena, &p,
				       &err);

		if (rc != bad[i].status || strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': rc %d msg '%s', want %d '%s'",
				 bad[i].in, rc, err.msg, bad[i].status,
				 bad[i].msg);
		assert_null(p.s);
	}
	memcpy(huge, "pkg:npm/", 8);
	memset(huge + 8, 'x', sizeof huge - 8);
	{
		struct ky_purl p;
		struct ky_err err = {0};

		assert_int_equal(
			ky_purl_parse(huge, sizeof huge, arena, &p, &err),
			KY_E_TOOBIG);
		assert_int_equal(
			ky_purl_parse(huge, KY_ID_MAX, arena, &p, &err), 0);
		assert_int_equal(p.name.len, KY_ID_MAX - 8);
	}
	o = (size_t)snprintf(many, sizeof many, "pkg:npm/x?");
	for (int k = 0; k <= KY_PURL_QMAX; k++)
		o += (size_t)snprintf(many + o, sizeof many - o, "k%d=v&", k);
	{
		struct ky_purl p;
		struct ky_err err = {0};

		assert_int_equal(ky_purl_parse(many, o, arena, &p, &err),
				 KY_E_TOOBIG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
