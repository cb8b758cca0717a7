/* Float literals of the JSON scanner (json.c): already checked by its
 * grammar, turned into doubles exactly and independently of the locale. */
#include <float.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "event/json_int.h"

#define NUM_LOCAL 64

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod would follow LC_NUMERIC (a ',' decimal point breaks "1.5"). */
static double strtod_c(const char *buf)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtod_l(buf, NULL, c_locale);
	return strtod(buf, NULL);
}

/* Clinger's fast path is exact when the mantissa fits 53 bits and
 * |exponent| <= 22, which covers the usual log values; the rest goes to
 * strtod. */
int ky__json_double(struct ky_arena *a, const uint8_t *p, size_t n, double *out)
{
	static const double pow10[] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,
				       1e6,  1e7,  1e8,	 1e9,  1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
				       1e18, 1e19, 1e20, 1e21, 1e22};
	const uint8_t *q = p, *end = p + n;
	char local[NUM_LOCAL], *buf = local;
	uint64_t m = 0;
	long e = 0, x = 0;
	int nd = 0;
	bool neg = false, eneg = false;

	if (*q == '-') {
		neg = true;
		q++;
	}
	for (; q < end && is_digit(*q); q++, nd++)
		m = m * 10 + (uint64_t)(*q - '0');
	if (q < end && *q == '.')
		for (q++; q < end && is_digit(*q); q++, nd++, e--)
			m = m * 10 + (uint64_t)(*q - '0');
	if (q < end) {
		q++; /* 'e' or 'E' */
		if (*q == '-' || *q == '+')
			eneg = *q++ == '-';
		for (; q < end && is_digit(*q) && x < 100000; q++)
			x = x * 10 + (*q - '0');
		if (q < end)
			x = 100000; /* absurd exponent: let strtod decide */
		e += eneg ? -x : x;
	}
#if FLT_EVAL_METHOD == 0
	if (nd <= 19 && m < (1ULL << 53) && e >= -22 && e <= 22) {
		double d = (double)m;
		d = e < 0 ? d / pow10[-e] : d * pow10[e];
		*out = neg ? -d : d;
		return 0;
	}
#endif
	if (n >= sizeof(local)) {
		if (!(buf = ky_arena_alloc(a, n + 1)))
			return KY_E_NOMEM;
	}
	memcpy(buf, p, n);
	buf[n] = 0;
	*out = strtod_c(buf);
	return 0;
}
