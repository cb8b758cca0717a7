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

/* Two decimal digits at s, or a negative value when either is not one. */
static inline int two_digits(const char *s)
{
	unsigned a = (unsigned)(unsigned char)s[0] - '0';
	unsigned b = (unsigned)(unsigned char)s[1] - '0';

	if (a > 9 || b > 9)
		return -1;
	return (int)(a * 10 + b);
}

/* ky_days_from_civil with the last answer kept per thread: the events of
 * a stream mostly share their day. */
static int64_t days_cached(int64_t y, unsigned mo, unsigned d)
{
	static _Thread_local int64_t last_y = INT64_MIN, last_days;
	static _Thread_local unsigned last_md;
	unsigned md = mo << 5 | d;

	if (y != last_y || md != last_md) {
		last_days = ky_days_from_civil(y, mo, d);
		last_y = y;
		last_md = md;
	}
	return last_days;
}

int ky_time_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	size_t i = 19;
	int y, yl, mo, d, h, mi, sec, frac_ns = 0, off = 0;
	int64_t secs, t;

	/* "YYYY-MM-DD?hh:mm:ss" has fixed positions: anything shorter or
	 * with another byte at a separator is not a date-time. */
	if (n < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return KY_E_PARSE;
	if ((y = two_digits(s)) < 0 || (yl = two_digits(s + 2)) < 0 ||
	    (mo = two_digits(s + 5)) < 0 || (d = two_digits(s + 8)) < 0 ||
	    (h = two_digits(s + 11)) < 0 || (mi = two_digits(s + 14)) < 0 ||
	    (sec = two_digits(s + 17)) < 0)
		return KY_E_PARSE;
	y = y * 100 + yl;
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
	/* int64 nanoseconds span the years 1677-2262: a date outside them
	 * is not an event time (and its arithmetic would overflow). */
	secs = days_cached(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	       mi * 60 + sec;
	if (__builtin_mul_overflow(secs - off, KY_NS_PER_SEC, &t) ||
	    __builtin_add_overflow(t, (int64_t)frac_ns, &t))
		return KY_E_PARSE;
	*ns = t;
	return (int)i;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

int ky_time_parse_clf(const char *s, size_t n, int64_t *ns)
{
	size_t i;
	int d, y, hh, mm, ss, oh, om;
	unsigned m;

	if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
	    (s[21] != '+' && s[21] != '-'))
		return KY_E_PARSE;
	for (m = 0; m < 12; m++)
		if (memcmp(months + 3 * m, s + 3, 3) == 0)
			break;
	i = 0, d = digits(s, n, &i, 2);
	i = 7, y = digits(s, n, &i, 4);
	i = 12, hh = digits(s, n, &i, 2);
	i = 15, mm = digits(s, n, &i, 2);
	i = 18, ss = digits(s, n, &i, 2);
	i = 22, oh = digits(s, n, &i, 2);
	i = 24, om = digits(s, n, &i, 2);
	if (m == 12 || d < 0 || y < 0 || hh < 0 || mm < 0 || ss < 0 || oh < 0 ||
	    om < 0)
		return KY_E_PARSE;
	/* int64 nanoseconds span the years 1678-2262 */
	if (d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1900 ||
	    y > 2261)
		return KY_E_PARSE;
	*ns = ((ky_days_from_civil(y, m + 1, (unsigned)d) * 86400 + hh * 3600 +
		mm * 60 + ss) -
	       (s[21] == '-' ? -1 : 1) * (oh * 3600 + om * 60)) *
	      KY_NS_PER_SEC;
	return 0;
}

/* Year and month of the receive time.  A stream of lines shares the day, so
 * the last answer is kept per thread: the civil conversion runs once a day
 * of receive time, not once a line. */
static void ref_year_month(int64_t ref_ns, int64_t *y, unsigned *m)
{
	static _Thread_local int64_t last_day = INT64_MIN, last_y;
	static _Thread_local unsigned last_m;
	int64_t day = ref_ns / KY_NS_PER_SEC / 86400;
	unsigned d;

	if (day != last_day) {
		civil_from_days(day, &last_y, &last_m, &d);
		last_day = day;
	}
	*y = last_y;
	*m = last_m;
}

/* The date part of the last 3164 timestamp parsed, per thread: its first
 * six bytes ("Nov 20", "Nov  3") and the receive day decide the year,
 * month and day, so a line of the same day and receive day only reads its
 * clock.  Only receive days >= 1 are kept (the day is ref_ns truncated to
 * whole days, [lo, hi) in ns). */
struct date3164 {
	uint64_t key; /* 0: none (a month name is never NUL bytes) */
	int64_t lo, hi;
	int64_t secs; /* the day's first second since the epoch */
};

static _Thread_local struct date3164 last3164;

static uint64_t key6(const char *s)
{
	uint64_t k = 0;

	memcpy(&k, s, 6);
	return k;
}

static void keep3164(const char *s, int64_t ref_ns, int64_t secs)
{
	int64_t day = ref_ns / KY_NS_PER_SEC / 86400;
	const int64_t day_ns = 86400 * KY_NS_PER_SEC;

	if (day < 1 || day > (INT64_MAX - day_ns) / day_ns - 1)
		return;
	last3164.key = key6(s);
	last3164.lo = day * day_ns;
	last3164.hi = last3164.lo + day_ns;
	last3164.secs = secs;
}

int ky_time_parse_3164(const char *s, size_t n, int64_t ref_ns, int64_t *ns)
{
	size_t i = 0;
	int mo = 0, d, h, mi, sec;
	int64_t ry, y, t;
	unsigned rm;

	if (n < 15)
		return KY_E_PARSE;
	if (key6(s) == last3164.key && ref_ns >= last3164.lo &&
	    ref_ns < last3164.hi) {
		/* Same date: what follows it is " hh:mm:ss" at fixed
		 * positions, read as the general path below reads it. */
		if (s[6] != ' ' || s[9] != ':' || s[12] != ':' ||
		    (h = two_digits(s + 7)) < 0 ||
		    (mi = two_digits(s + 10)) < 0 ||
		    (sec = two_digits(s + 13)) < 0 || h > 23 || mi > 59 ||
		    sec > 60)
			return KY_E_PARSE;
		t = (last3164.secs + h * 3600 + mi * 60 + sec) * KY_NS_PER_SEC;
		i = 15;
		goto frac;
	}
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
	ref_year_month(ref_ns, &ry, &rm);
	/* Pick the year that puts the time at most a month after ref: a
	 * December message received in January belongs to last year. */
	y = ry;
	if (rm == 12 && mo == 1)
		y = ry + 1;
	else if ((unsigned)mo > rm + 1)
		y = ry - 1;
	if (check_clock(y, mo, d, h, mi, sec) != 0)
		return KY_E_PARSE;
	t = days_cached(y, (unsigned)mo, (unsigned)d) * 86400;
	keep3164(s, ref_ns, t);
	t = (t + h * 3600 + mi * 60 + sec) * KY_NS_PER_SEC;
frac:
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

/* The n low decimal digits of v, zero-padded. */
static void put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
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
		memcpy(out, "0000-00-00T00:00:00.000Z", KY_TIME_RFC3339_LEN);
		return;
	}
	/* by hand: snprintf cannot be shown to fit (-Wformat-truncation) */
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, (unsigned)(sod / 3600), 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned)(sod / 60 % 60), 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned)(sod % 60), 2);
	out[19] = '.';
	put_digits(out + 20, (unsigned)(rem / 1000000), 3);
	out[23] = 'Z';
	out[24] = '\0';
}
