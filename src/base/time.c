/* Timestamps as int64 nanoseconds (UTC): RFC 3339 and BSD syslog parsing,
 * RFC 3339 formatting.  Civil-date arithmetic is done by hand so parsing
 * never touches the process time zone or locale. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/time.h"

int64_t ky_time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * KY_NS_PER_SEC + ts.tv_nsec;
}

int64_t ky_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * KY_NS_PER_SEC + ts.tv_nsec;
}

/* Howard Hinnant's days_from_civil algorithm. */
int64_t ky_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe =
		(doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[] = {31, 28, 31, 30, 31, 30,
					    31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n digits at s[*i]; -1 when they are not all digits. */
static int digits(const char *s, size_t len, size_t *i, unsigned n)
{
	int v = 0;

	if (len - *i < n)
		return -1;
	for (unsigned k = 0; k < n; k++) {
		char c = s[*i + k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += n;
	return v;
}

static int64_t to_ns(int64_t y, unsigned mo, unsigned d, unsigned h,
		     unsigned mi, unsigned s)
{
	int64_t days = ky_days_from_civil(y, mo, d);

	return ((days * 86400) + h * 3600 + mi * 60 + s) * KY_NS_PER_SEC;
}

static int check_clock(int64_t y, int mo, int d, int h, int mi, int s)
{
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > (int)days_in_month(y, (unsigned)mo))
		return -1;
	/* 60 admits a leap second; it is folded into the next minute. */
	if (h > 23 || mi > 59 || s > 60)
		return -1;
	return 0;
}

int ky_time_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	size_t i = 0;
	int y, mo, d, h, mi, sec, frac_ns = 0, off = 0;

	if ((y = digits(s, n, &i, 4)) < 0 || i >= n || s[i++] != '-' ||
	    (mo = digits(s, n, &i, 2)) < 0 || i >= n || s[i++] != '-' ||
	    (d = digits(s, n, &i, 2)) < 0 || i >= n)
		return KY_E_PARSE;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return KY_E_PARSE;
	i++;
	if ((h = digits(s, n, &i, 2)) < 0 || i >= n || s[i++] != ':' ||
	    (mi = digits(s, n, &i, 2)) < 0 || i >= n || s[i++] != ':' ||
	    (sec = digits(s, n, &i, 2)) < 0)
		return KY_E_PARSE;
	if (check_clock(y, mo, d, h, mi, sec) != 0)
		return KY_E_PARSE;
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		int scale = 100000000, nd = 0;
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			/* Digits past nanoseconds are read and dropped. */
			frac_ns += (s[i] - '0') * scale;
			scale /= 10;
			i++;
			nd++;
		}
		if (nd == 0)
			return KY_E_PARSE;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i] == '-' ? -1 : 1, oh, om;
		i++;
		if ((oh = digits(s, n, &i, 2)) < 0)
			return KY_E_PARSE;
		if (i < n && s[i] == ':')
			i++;
		if ((om = digits(s, n, &i, 2)) < 0 || oh > 23 || om > 59)
			return KY_E_PARSE;
		off = sign * (oh * 3600 + om * 60);
	}
	/* else: no zone, taken as UTC (Windows UtcTime, many collectors) */
	*ns = to_ns(y, (unsigned)mo, (unsigned)d, (unsigned)h, (unsigned)mi,
		    (unsigned)sec) +
	      frac_ns - (int64_t)off * KY_NS_PER_SEC;
	return (int)i;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

int ky_time_parse_3164(const char *s, size_t n, int64_t ref_ns, int64_t *ns)
{
	size_t i = 0;
	int mo = 0, d, h, mi, sec;
	int64_t ry, y, t;
	unsigned rm, rd;

	if (n < 15)
		return KY_E_PARSE;
	for (int k = 0; k < 12; k++) {
		if (memcmp(s, months + 3 * k, 3) == 0) {
			mo = k + 1;
			break;
		}
	}
	if (mo == 0 || s[3] != ' ')
		return KY_E_PARSE;
	i = 4;
	if (s[i] == ' ') { /* "Nov  3" */
		i++;
		if ((d = digits(s, n, &i, 1)) < 0)
			return KY_E_PARSE;
	} else if ((d = digits(s, n, &i, 2)) < 0) {
		return KY_E_PARSE;
	}
	if (i >= n || s[i++] != ' ' || (h = digits(s, n, &i, 2)) < 0 ||
	    i >= n || s[i++] != ':' || (mi = digits(s, n, &i, 2)) < 0 ||
	    i >= n || s[i++] != ':' || (sec = digits(s, n, &i, 2)) < 0)
		return KY_E_PARSE;
	civil_from_days(ref_ns / KY_NS_PER_SEC / 86400, &ry, &rm, &rd);
	(void)rd;
	/* Pick the year that puts the time at most a month after ref: a
	 * December message received in January belongs to last year. */
	y = ry;
	if (rm == 12 && mo == 1)
		y = ry + 1;
	else if ((unsigned)mo > rm + 1)
		y = ry - 1;
	if (check_clock(y, mo, d, h, mi, sec) != 0)
		return KY_E_PARSE;
	t = to_ns(y, (unsigned)mo, (unsigned)d, (unsigned)h, (unsigned)mi,
		  (unsigned)sec);
	/* Fractions (some rsyslog templates) are accepted. */
	if (i < n && s[i] == '.') {
		int scale = 100000000;
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			t += (s[i] - '0') * scale;
			scale /= 10;
			i++;
		}
	}
	*ns = t;
	return (int)i;
}

void ky_time_format_rfc3339(int64_t ns, char out[KY_TIME_RFC3339_LEN])
{
	int64_t secs = ns / KY_NS_PER_SEC, rem = ns % KY_NS_PER_SEC, y;
	int64_t days, sod;
	unsigned m, d;

	if (rem < 0) {
		rem += KY_NS_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, KY_TIME_RFC3339_LEN, "0000-00-00T00:00:00.000Z");
		return;
	}
	snprintf(out, KY_TIME_RFC3339_LEN,
		 "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)y, m, d,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
		 (int)(rem / 1000000));
}
