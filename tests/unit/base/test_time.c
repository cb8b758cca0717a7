/* Timestamps: RFC 3339 forms and errors, RFC 3164 year inference,
 * formatting round trip, civil dates against timegm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/time.h"

static int64_t p3339(const char *s)
{
	int64_t ns = -1;
	int r = ky_time_parse_rfc3339(s, strlen(s), &ns);
	return r > 0 ? ns : r;
}

static void test_rfc3339(void **state)
{
	(void)state;
	assert_int_equal(p3339("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(p3339("2024-02-29T12:34:56.5Z"),
			 (int64_t)1709210096 * KY_NS_PER_SEC + 500000000);
	assert_int_equal(p3339("2024-02-29T14:34:56.5+02:00"),
			 (int64_t)1709210096 * KY_NS_PER_SEC + 500000000);
	assert_int_equal(p3339("2024-02-29T12:34:56.123456789123Z"),
			 (int64_t)1709210096 * KY_NS_PER_SEC + 123456789);
	/* Windows UtcTime: space, no zone. */
	assert_int_equal(p3339("2025-11-27 07:40:10.132"),
			 (int64_t)1764229210 * KY_NS_PER_SEC + 132000000);
	assert_int_equal(p3339("2023-02-29T00:00:00Z"), KY_E_PARSE);
	assert_int_equal(p3339("2023-13-01T00:00:00Z"), KY_E_PARSE);
	assert_int_equal(p3339("2023-01-01T24:00:00Z"), KY_E_PARSE);
	assert_int_equal(p3339("2023-01-01T00:00:00."), KY_E_PARSE);
	assert_int_equal(p3339("2023-01-01"), KY_E_PARSE);
	assert_int_equal(p3339("2023-01-01T00:00"), KY_E_PARSE);
	assert_int_equal(p3339("2023-01-01T00:00:00+2"), KY_E_PARSE);
	assert_int_equal(p3339("abcd"), KY_E_PARSE);
	assert_int_equal(p3339(""), KY_E_PARSE);
	/* Consumed length stops at the end of the time. */
	int64_t ns;
	assert_int_equal(
		ky_time_parse_rfc3339("2023-01-01T00:00:00Z rest", 25, &ns),
		20);
}

static int64_t at(int y, int m, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * KY_NS_PER_SEC;
}

static void test_3164(void **state)
{
	int64_t ns, ref = at(2026, 11, 23, 14, 0, 0);
	(void)state;

	assert_int_equal(
		ky_time_parse_3164("Nov 23 14:01:02 host", 20, ref, &ns), 15);
	assert_int_equal(ns, at(2026, 11, 23, 14, 1, 2));
	assert_int_equal(ky_time_parse_3164("Nov  3 04:01:02", 15, ref, &ns),
			 15);
	assert_int_equal(ns, at(2026, 11, 3, 4, 1, 2));
	/* December seen in January: last year. */
	assert_true(ky_time_parse_3164("Dec 31 23:59:59", 15,
				       at(2027, 1, 1, 0, 0, 5), &ns) > 0);
	assert_int_equal(ns, at(2026, 12, 31, 23, 59, 59));
	/* January seen at the end of December: next year (clock skew). */
	assert_true(ky_time_parse_3164("Jan  1 00:00:01", 15,
				       at(2026, 12, 31, 23, 59, 0), &ns) > 0);
	assert_int_equal(ns, at(2027, 1, 1, 0, 0, 1));
	/* A month ahead is still this year; more is last year. */
	assert_true(ky_time_parse_3164("Dec 01 00:00:00", 15, ref, &ns) > 0);
	assert_int_equal(ns, at(2026, 12, 1, 0, 0, 0));
	assert_true(ky_time_parse_3164("Jan 15 00:00:00", 15,
				       at(2026, 3, 1, 0, 0, 0), &ns) > 0);
	assert_int_equal(ns, at(2026, 1, 15, 0, 0, 0));
	assert_true(ky_time_parse_3164("May 15 00:00:00", 15,
				       at(2026, 3, 1, 0, 0, 0), &ns) > 0);
	assert_int_equal(ns, at(2025, 5, 15, 0, 0, 0));
	assert_int_equal(ky_time_parse_3164("Foo 23 14:01:02", 15, ref, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_3164("Nov 32 14:01:02", 15, ref, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_3164("Nov 23 14:01", 12, ref, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_3164("Nov 23 14:61:02", 15, ref, &ns),
			 KY_E_PARSE);
}

static void test_format_roundtrip(void **state)
{
	char out[KY_TIME_RFC3339_LEN];
	int64_t ns;
	(void)state;

	ky_time_format_rfc3339(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	ky_time_format_rfc3339(at(2024, 2, 29, 23, 59, 58) + 7000000, out);
	assert_string_equal(out, "2024-02-29T23:59:58.007Z");
	for (int64_t t = -86400LL * 365 * 50; t < 86400LL * 365 * 200;
	     t += 86400LL * 37 + 3607) {
		ky_time_format_rfc3339(t * KY_NS_PER_SEC, out);
		assert_true(ky_time_parse_rfc3339(out, strlen(out), &ns) > 0);
		assert_int_equal(ns, t * KY_NS_PER_SEC);
		assert_int_equal(ky_days_from_civil(1970, 1, 1), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_3164),
		cmocka_unit_test(test_format_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
