/* Fuzzes the identifier parsers (CPE, purl, vers) and the version
 * comparators.  The first byte picks the target; properties that must hold
 * for any input (antisymmetric comparison, CPE format round trip) abort
 * when broken. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "intel/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cpe(const char *s, size_t n, struct ky_arena *a)
{
	struct ky_cpe c, d;
	struct ky_err err = {0};
	char buf[2 * KY_ID_MAX + 64], buf2[2 * KY_ID_MAX + 64];
	size_t kl;
	int l1, l2;

	if (ky_cpe_parse(s, n, a, &c, &err) != 0)
		return;
	(void)ky_cpe_key(&c, &kl);
	(void)ky_cpe_compare(&c, &c, 0);
	l1 = ky_cpe_format(&c, buf, sizeof buf);
	if (l1 < 0)
		abort();
	if (ky_cpe_parse(buf, (size_t)l1, a, &d, &err) != 0)
		abort();
	l2 = ky_cpe_format(&d, buf2, sizeof buf2);
	if (l2 != l1 || memcmp(buf, buf2, (size_t)l1) != 0)
		abort();
	if (ky_cpe_compare(&c, &d, 0) == KY_CPE_DISJOINT)
		abort();
}

static void fuzz_purl(const char *s, size_t n, struct ky_arena *a)
{
	struct ky_purl p;
	struct ky_err err = {0};
	size_t kl;

	if (ky_purl_parse(s, n, a, &p, &err) != 0)
		return;
	(void)ky_purl_key(&p, &kl);
	if (!ky_purl_same_package(&p, &p))
		abort();
	(void)ky_purl_qualifier(&p, "arch", &kl);
}

static void fuzz_vers(const char *s, size_t n, struct ky_arena *a)
{
	const char *nl = memchr(s, '\n', n);
	size_t rn = nl != NULL ? (size_t)(nl - s) : n;
	struct ky_vrange r;
	struct ky_err err = {0};

	if (ky_vrange_parse(s, rn, a, &r, &err) != 0)
		return;
	if (nl != NULL)
		(void)ky_vrange_contains(&r, nl + 1, n - rn - 1);
	for (size_t k = 0; k < r.n; k++) {
		const char *v = r.s + r.c[k].v.off;
		bool in = ky_vrange_contains(&r, v, r.c[k].v.len);
		unsigned op = r.c[k].op;

		/* A constraint's own version is in the range exactly when
		 * its comparator includes equality. */
		if (in !=
		    (op == KY_VOP_EQ || op == KY_VOP_LE || op == KY_VOP_GE))
			abort();
	}
}

static int sign(int x)
{
	return x < 0 ? -1 : x > 0;
}

static void fuzz_cmp(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);
	size_t an = nl != NULL ? (size_t)(nl - s) : n;
	const char *b = nl != NULL ? nl + 1 : "";
	size_t bn = nl != NULL ? n - an - 1 : 0;

	for (int sc = KY_VS_GENERIC; sc <= KY_VS_DEB; sc++) {
		int x = sign(ky_version_cmp(sc, s, an, b, bn));
		int y = sign(ky_version_cmp(sc, b, bn, s, an));

		if (x != -y || ky_version_cmp(sc, s, an, s, an) != 0)
			abort();
	}
	(void)ky_semver_valid(s, an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_arena *a;
	const char *s = (const char *)data + 1;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	a = ky_arena_new(4096, 1u << 20);
	if (a == NULL)
		return 0;
	switch (data[0] & 3) {
	case 0:
		fuzz_cpe(s, n, a);
		break;
	case 1:
		fuzz_purl(s, n, a);
		break;
	case 2:
		fuzz_vers(s, n, a);
		break;
	default:
		fuzz_cmp(s, n);
		break;
	}
	ky_arena_free(a);
	return 0;
}
