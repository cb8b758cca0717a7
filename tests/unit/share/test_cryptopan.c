/* Crypto-PAn (share/cryptopan.h): every published pair of
 * $KYKLOS_SHARED_DATA/cryptopan/vectors.txt (IPv4 from the original
 * distribution's sample trace, IPv6 from an independent implementation),
 * with the key read from the same file; prefix preservation checked on
 * generated address pairs; bad text refused. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "share/cryptopan.h"

static uint8_t key[KY_CRYPTOPAN_KEY];

static void test_vectors(void **state)
{
	const char *d = getenv("KYKLOS_SHARED_DATA");
	char path[1024], line[512];
	struct ky_cryptopan *c = NULL;
	struct ky_err err = {0};
	size_t v4 = 0, v6 = 0, nk = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/cryptopan/vectors.txt",
		 d ? d : "../shared/data");
	if ((f = fopen(path, "r")) == NULL) {
		printf("SKIP: %s is missing\n", path);
		skip();
	}
	while (fgets(line, sizeof(line), f)) {
		char a[64], want[64], got[KY_ADDR_TEXT];

		if (strncmp(line, "# key ", 6) == 0) {
			char *p = line + 6, *end;

			for (nk = 0; nk < KY_CRYPTOPAN_KEY; nk++, p = end) {
				long v = strtol(p, &end, 10);

				if (end == p || v < 0 || v > 255)
					break;
				key[nk] = (uint8_t)v;
			}
			assert_int_equal(nk, KY_CRYPTOPAN_KEY);
			assert_int_equal(ky_cryptopan_new(key, &c, &err), 0);
			continue;
		}
		if (line[0] == '#' || sscanf(line, "%63s %63s", a, want) != 2)
			continue;
		assert_non_null(c); /* the key comes first */
		assert_int_equal(ky_cryptopan_text(c, a, got, &err), 0);
		if (strcmp(got, want) != 0)
			fail_msg("%s: got %s, want %s", a, got, want);
		if (strchr(a, ':'))
			v6++;
		else
			v4++;
	}
	fclose(f);
	printf("%zu IPv4 and %zu IPv6 published pairs reproduced\n", v4, v6);
	assert_true(v4 >= 50 && v6 >= 5);
	ky_cryptopan_free(c);
}

/* Common prefix length of two 32-bit values. */
static int cpl(uint32_t a, uint32_t b)
{
	int n = 0;

	while (n < 32 && !((a ^ b) >> (31 - n) & 1))
		n++;
	return n;
}

static void test_prefix_preserving(void **state)
{
	struct ky_cryptopan *c = NULL;
	struct ky_err err = {0};
	uint8_t k[KY_CRYPTOPAN_KEY];
	uint32_t s = 2463534242u;
	char out[KY_ADDR_TEXT];

	(void)state;
	for (int i = 0; i < KY_CRYPTOPAN_KEY; i++)
		k[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(ky_cryptopan_new(k, &c, &err), 0);
	for (int i = 0; i < 2000; i++) {
		uint32_t a, b, pa, pb;

		s ^= s << 13, s ^= s >> 17, s ^= s << 5;
		a = s;
		/* b shares a random-length prefix with a */
		b = a ^ (0x80000000u >> (s % 32)) ^
		    (s & ((1u << (31 - s % 32)) - 1));
		pa = ky_cryptopan_ipv4(c, a);
		pb = ky_cryptopan_ipv4(c, b);
		assert_int_equal(cpl(pa, pb), cpl(a, b));
		assert_true(pa != a || pb != b);
	}
	/* IPv6: the same for a 64-bit shared prefix */
	{
		uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 1, 2,
				 3,    4,    5,	   6,	 7, 8},
			b[16], pa[16], pb[16];

		memcpy(b, a, 16);
		b[8] = 0x80;
		ky_cryptopan_ipv6(c, a, pa);
		ky_cryptopan_ipv6(c, b, pb);
		assert_memory_equal(pa, pb, 8);
		assert_int_not_equal(pa[8] >> 7, pb[8] >> 7);
	}
	assert_int_equal(ky_cryptopan_text(c, "300.1.2.3", out, &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "300.1.2.3"));
	assert_int_equal(ky_cryptopan_text(c, "", out, &err), KY_E_INVAL);
	ky_cryptopan_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_prefix_preserving),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
