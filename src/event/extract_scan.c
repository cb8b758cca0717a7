/* The scanners extractors share: IPv4 and IPv6 addresses and decimal
 * integers.  Every extracted peer address passes through ky__is_ip, so
 * these are written for speed; the IPv6 grammar is glibc's inet_pton
 * (tests/unit/extract compares the two). */
#include <string.h>

#include "event/extract_int.h"

/* What ky__scan_ipv6 looks at: INET6_ADDRSTRLEN + 7 bytes at most. */
#define IPV6_SCAN_MAX 53

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The bytes of an IPv6 text: HEX digits, ':' and '.'; 0 for others. */
enum { HEX = 1, COLON, DOT };
static const unsigned char v6_char[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,	   ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1,	   ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['A'] = 1,	   ['B'] = 1,
	['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, [':'] = COLON, ['.'] = DOT,
};

size_t ky__scan_ipv4(const char *p, size_t n)
{
	size_t i = 0;

	for (int oct = 0; oct < 4; oct++) {
		unsigned v = 0;
		size_t d = 0;

		if (oct > 0) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
		while (i < n && is_digit(p[i]) && d < 4) {
			v = v * 10 + (unsigned)(p[i] - '0');
			i++;
			d++;
		}
		if (d == 0 || d > 3 || v > 255)
			return 0;
	}
	return i;
}

/* inet_pton4 of glibc on p[0..n): four decimal parts of at most 255
 * without leading zeros, nothing else. */
static bool pton4(const char *p, size_t n)
{
	unsigned v = 0, parts = 0;
	bool digit = false;

	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned)(unsigned char)p[i] - '0';

		if (c <= 9) {
			if (digit && v == 0)
				return false;
			if ((v = v * 10 + c) > 255)
				return false;
			if (!digit && ++parts > 4)
				return false;
			digit = true;
		} else if (p[i] == '.' && digit) {
			if (parts == 4)
				return false;
			v = 0;
			digit = false;
		} else {
			return false;
		}
	}
	return parts == 4;
}

/* inet_pton(AF_INET6) of glibc on p[0..n) (no NUL inside), without the
 * copy it needs for a terminator: the same states, counting 16-bit
 * groups instead of writing them. */
static bool pton6(const char *p, size_t n)
{
	const char *tok;
	size_t i = 0;
	unsigned groups = 0, xd = 0;
	bool dbl = false;

	if (n == 0)
		return false;
	if (p[0] == ':') {
		if (n < 2 || p[1] != ':')
			return false;
		i = 1;
	}
	tok = p + i;
	while (i < n) {
		unsigned k = v6_char[(unsigned char)p[i++]];

		if (k == HEX) {
			if (xd == 4)
				return false;
			xd++;
			continue;
		}
		if (k == COLON) {
			tok = p + i;
			if (xd == 0) {
				if (dbl)
					return false;
				dbl = true;
				continue;
			}
			if (i == n || groups == 8)
				return false;
			groups++;
			xd = 0;
			continue;
		}
		if (k == DOT && groups <= 6 &&
		    pton4(tok, n - (size_t)(tok - p))) {
			groups += 2;
			xd = 0;
			break;
		}
		return false;
	}
	if (xd > 0) {
		if (groups == 8)
			return false;
		groups++;
	}
	return dbl ? groups < 8 : groups == 8;
}

size_t ky__scan_ipv6(const char *p, size_t n)
{
	size_t len = 0, colons = 0;

	while (len < n && len < IPV6_SCAN_MAX &&
	       v6_char[(unsigned char)p[len]]) {
		colons += p[len] == ':';
		len++;
	}
	if (colons < 2)
		return 0;
	/* The longest prefix that is an address, so "fe80::1:" before a
	 * literal ':' still yields "fe80::1". */
	for (; len >= 2; len--)
		if (pton6(p, len))
			return len;
	return 0;
}

size_t ky__scan_ip(const char *p, size_t n)
{
	size_t l6 = ky__scan_ipv6(p, n);

	return l6 ? l6 : ky__scan_ipv4(p, n);
}

/* One dotted part of is_ipv4: 1-3 digits worth at most 255 at *s < e. */
static inline bool octet(const unsigned char **sp, const unsigned char *e)
{
	const unsigned char *s = *sp;
	unsigned v = (unsigned)s[0] - '0', c;

	if (v > 9)
		return false;
	if (++s < e && (c = (unsigned)*s - '0') <= 9) {
		v = v * 10 + c;
		if (++s < e && (c = (unsigned)*s - '0') <= 9) {
			v = v * 10 + c;
			s++;
		}
	}
	*sp = s;
	return v <= 255;
}

/* ky__scan_ipv4(p, n) == n (7 to 15 bytes), unrolled: a fourth digit is
 * caught by the '.' or end test that follows. */
static bool is_ipv4(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p, *e = s + n;

	if (n < 7 || n > 15)
		return false;
	if (!octet(&s, e) || s >= e || *s++ != '.' || s >= e || !octet(&s, e) ||
	    s >= e || *s++ != '.' || s >= e || !octet(&s, e) || s >= e ||
	    *s++ != '.' || s >= e || !octet(&s, e))
		return false;
	return s == e;
}

bool ky__is_ip(const char *p, size_t n)
{
	size_t colons = 0;

	/* A text with ':' is never IPv4: no need to look for one first. */
	if (n == 0 || is_ipv4(p, n))
		return n > 0;
	/* ky__scan_ipv6(p, n) == n: the whole text is its first try. */
	if (n > IPV6_SCAN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!v6_char[(unsigned char)p[i]])
			return false;
		colons += p[i] == ':';
	}
	return colons >= 2 && pton6(p, n);
}

bool ky__parse_int(const char *p, size_t n, int64_t *out)
{
	uint64_t v = 0, lim = INT64_MAX;
	size_t i = 0;
	bool neg = false;

	if (n > 0 && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		lim += neg;
		i++;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}
