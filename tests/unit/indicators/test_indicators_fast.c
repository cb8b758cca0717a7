/* Unit tests for the fast paths of detect/indicators: the field-name index
 * (names that share a cell with a configured one), the filters in front of
 * the address, domain and hash tables (compared with brute force and with
 * the unfiltered ky_ioc_lookup on random data, across filter rebuilds),
 * and the IPv6 text parser compared with inet_pton. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "detect/indicators.h"
#include "detect/iptree.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int add(struct ky_ioc_set *s, enum ky_ioc_type t, const char *v,
	       bool warning, const char *fields)
{
	struct ky_ioc ioc = {.type = t,
			     .value = v,
			     .list = "test",
			     .fields = fields,
			     .confidence = 50,
			     .warning = warning};
	struct ky_err e = {0};

	return ky_ioc_add(s, &ioc, strlen(v), &e);
}

/* One event with the single string field name=value, matched. */
struct one {
	struct ky_arena *a;
	struct ky_event ev;
};

static void one_init(struct one *o)
{
	o->a = ky_arena_new(4096, 0);
	assert_non_null(o->a);
	assert_int_equal(ky_event_init(&o->ev, o->a, 16), 0);
}

static void one_free(struct one *o)
{
	ky_event_free(&o->ev);
	ky_arena_free(o->a);
}

static int match1n(struct one *o, const struct ky_ioc_set *s, const char *name,
		   const char *v, size_t n)
{
	ky_event_reset(&o->ev);
	ky_arena_reset(o->a);
	assert_int_equal(ky_event_add_str(&o->ev, name, strlen(name), v, n), 0);
	return ky_ioc_match_event(s, &o->ev, NULL, NULL);
}

static int match1(struct one *o, const struct ky_ioc_set *s, const char *name,
		  const char *v)
{
	return match1n(o, s, name, v, strlen(v));
}

/* Paths of the same lengths as the configured ones, differing in one byte
 * anywhere: thousands of them share an index cell with a configured name
 * and must still be rejected; the configured ones must hit. */
static void test_field_names(void **state)
{
	static const char *const cfg[] = {"source.ip", "destination.ip",
					  "IpAddress", "src_ip", "x.peer"};
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct one o;
	char name[64], lng[200];

	(void)state;
	one_init(&o);
	assert_int_equal(add(s, KY_IOC_IP, "198.51.100.7", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "198.51.100.8", false, "x.peer"), 0);
	/* a configured name longer than the index's rows */
	memset(lng, 'q', sizeof(lng));
	memcpy(lng + 150, ".ip", 4);
	assert_int_equal(add(s, KY_IOC_IP, "198.51.100.9", false, lng), 0);
	for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		size_t n = strlen(cfg[c]);
		const char *v = c == 4 ? "198.51.100.8" : "198.51.100.7";
		assert_int_equal(match1(&o, s, cfg[c], v), 1);
		for (int k = 0; k < 4000; k++) {
			memcpy(name, cfg[c], n + 1);
			size_t at = rnd() % n;
			char ch = (char)(' ' + rnd() % 95);
			if (ch == name[at] || ch == '[')
				continue;
			name[at] = ch;
			assert_int_equal(match1(&o, s, name, v), 0);
		}
	}
	assert_int_equal(match1(&o, s, lng, "198.51.100.9"), 1);
	lng[3] = 'r';
	assert_int_equal(match1(&o, s, lng, "198.51.100.9"), 0);
	/* array indexes anywhere are dropped before the lookup */
	assert_int_equal(match1(&o, s, "source.ip[0]", "198.51.100.7"), 1);
	assert_int_equal(match1(&o, s, "source[12].ip", "198.51.100.7"), 1);
	assert_int_equal(match1(&o, s, "source[12].ip[3]", "198.51.100.7"), 1);
	assert_int_equal(match1(&o, s, "source[].ip", "198.51.100.7"), 0);
	assert_int_equal(match1(&o, s, "source.ip[x]", "198.51.100.7"), 0);
	/* prefixes and extensions of configured names */
	assert_int_equal(match1(&o, s, "source.i", "198.51.100.7"), 0);
	assert_int_equal(match1(&o, s, "source.ipx", "198.51.100.7"), 0);
	assert_int_equal(match1(&o, s, "", "198.51.100.7"), 0);
	one_free(&o);
	ky_ioc_set_free(s);
}

/* ---- addresses ---------------------------------------------------------- */

struct pfx {
	uint32_t a;
	unsigned len;
};

static uint32_t mask4(unsigned len)
{
	return len ? 0xffffffffu << (32 - len) : 0;
}

static int text4(char *b, size_t cap, uint32_t a, int len)
{
	int n = snprintf(b, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
			 (a >> 8) & 255, a & 255);
	if (len >= 0)
		n += snprintf(b + n, cap - (size_t)n, "/%d", len);
	return n;
}

/* Longest of p[0..n) containing a, -1 when none. */
static int best4(const struct pfx *p, size_t n, uint32_t a)
{
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if ((a & mask4(p[i].len)) == p[i].a && (int)p[i].len > best)
			best = (int)p[i].len;
	return best;
}

static int found_len(const struct ky_ioc *ioc, int full)
{
	const char *sl;

	if (!ioc)
		return -1;
	sl = strchr(ioc->value, '/');
	return sl ? (int)strtol(sl + 1, NULL, 10) : full;
}

/* Ranges of every length including /0, /1, /31 and /32, added in
 * batches (the filter is rebuilt as it grows) and checked after each
 * batch against brute force at the range edges, just outside, inside,
 * and through mapped IPv6 text. */
static void test_ipv4_ranges(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct pfx *p = calloc(3000, sizeof(*p));
	struct one o;
	size_t n = 0;
	char b[64];

	(void)state;
	one_init(&o);
	assert_non_null(p);
	for (int batch = 0; batch < 6; batch++) {
		size_t want = batch == 0 ? 4 : n * 2 + 50;
		if (want > 3000)
			want = 3000;
		while (n < want) {
			unsigned len = batch == 0
					       ? (unsigned[]){1, 31, 32, 24}[n]
				       : rnd() % 4 == 0 ? 32
							: 1 + rnd() % 32;
			/* few short ranges, so that most addresses miss */
			if (len < 12 && rnd() % 8)
				len += 12;
			p[n].len = len;
			p[n].a = (rnd() << 1 ^ rnd()) & mask4(len);
			text4(b, sizeof(b), p[n].a, (int)len);
			assert_int_equal(add(s, KY_IOC_IP, b, false, NULL), 0);
			n++;
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t lo = p[i].a, hi = lo | ~mask4(p[i].len);
			uint32_t q[5] = {lo, hi, lo - 1, hi + 1,
					 lo | (rnd() & ~mask4(p[i].len))};
			for (int k = 0; k < 5; k++) {
				int want_len = best4(p, n, q[k]);
				text4(b, sizeof(b), q[k], -1);
				assert_int_equal(
					found_len(ky_ioc_lookup(s, KY_IOC_IP, b,
								strlen(b)),
						  32),
					want_len);
				assert_int_equal(match1(&o, s, "source.ip", b),
						 want_len >= 0);
				if (k == 4) {
					char m[80];
					snprintf(m, sizeof(m), "::FFFF:%s", b);
					assert_int_equal(
						match1(&o, s, "destination.ip",
						       m),
						want_len >= 0);
				}
			}
		}
		for (int k = 0; k < 2000; k++) {
			uint32_t a = rnd() << 1 ^ rnd();
			text4(b, sizeof(b), a, -1);
			assert_int_equal(match1(&o, s, "source.ip", b),
					 best4(p, n, a) >= 0);
		}
	}
	/* /0 covers every IPv4 address and no IPv6 one */
	assert_int_equal(match1(&o, s, "source.ip", "0.0.0.1"),
			 best4(p, n, 1) >= 0);
	assert_int_equal(add(s, KY_IOC_IP, "0.0.0.0/0", false, NULL), 0);
	assert_int_equal(match1(&o, s, "source.ip", "0.0.0.1"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "255.255.255.255"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8::1"), 0);
	/* not addresses */
	assert_int_equal(match1(&o, s, "source.ip", "1.2.3"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "1.2.3.04"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "1.2.3.256"), 0);
	assert_int_equal(match1n(&o, s, "source.ip", "1.2.3.4\0", 8), 0);
	/* a warning /0 suppresses every IPv4 hit */
	assert_int_equal(add(s, KY_IOC_IP, "::/0", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "0.0.0.0/0", true, NULL), 0);
	assert_int_equal(match1(&o, s, "source.ip", "203.0.113.1"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8::1"), 1);
	free(p);
	one_free(&o);
	ky_ioc_set_free(s);
}

/* IPv6 entries at /0, /1, /63, /64, /65, /127 and /128 and the events'
 * compressed and upper-case forms. */
static void test_ipv6_ranges(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct one o;

	(void)state;
	one_init(&o);
	assert_int_equal(add(s, KY_IOC_IP, "2001:db8:1::/64", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "2001:db8:2::/63", false, NULL), 0);
	assert_int_equal(
		add(s, KY_IOC_IP, "2001:db8:4::8000:0:0:0/65", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "2001:db8:5::2/127", false, NULL),
			 0);
	assert_int_equal(add(s, KY_IOC_IP, "2001:db8:6::1", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "8000::/1", false, NULL), 0);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:1::ffff"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:DB8:1:0:FFFF::"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:1:1::"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:2:1::5"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:2:2::"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:4::"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:4:0:8000::1"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:5::3"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:5::4"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:6::1"), 1);
	assert_int_equal(match1(&o, s, "source.ip",
				"2001:0db8:0006:0000:0000:0000:0000:0001"),
			 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:6::1%eth0"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "2001:db8:6::2"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "ffff::1"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "7fff::1"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "::"), 0);
	assert_int_equal(add(s, KY_IOC_IP, "::/0", false, NULL), 0);
	assert_int_equal(match1(&o, s, "source.ip", "::"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "7fff::1"), 1);
	assert_int_equal(match1(&o, s, "source.ip", "127.0.0.1"), 0);
	one_free(&o);
	ky_ioc_set_free(s);
}

/* What ky_ip_parse must give for a text without '/': inet_pton's bytes,
 * mapped IPv6 as IPv4. */
static int ref_parse(const char *v, uint8_t *key, size_t *kl)
{
	uint8_t a[16];

	if (strchr(v, ':') == NULL) {
		if (inet_pton(AF_INET, v, a) != 1)
			return -1;
		key[0] = 32;
		memcpy(key + 1, a, 4);
		*kl = 5;
		return 0;
	}
	if (inet_pton(AF_INET6, v, a) != 1)
		return -1;
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		key[0] = 32;
		memcpy(key + 1, a + 12, 4);
		*kl = 5;
	} else {
		key[0] = 128;
		memcpy(key + 1, a, 16);
		*kl = 17;
	}
	return 0;
}

static void check_parse(const char *v)
{
	uint8_t k1[KY_IP_KEY_MAX], k2[KY_IP_KEY_MAX];
	size_t l1 = 0, l2 = 0;
	const char *why;
	int r1 = ky_ip_parse(v, strlen(v), k1, &l1, &why);
	int r2 = ref_parse(v, k2, &l2);

	if ((r1 == 0) != (r2 == 0) ||
	    (r1 == 0 && (l1 != l2 || memcmp(k1, k2, l1) != 0)))
		fail_msg("ky_ip_parse and inet_pton differ on '%s'", v);
}

/* Random IPv6 texts, well-formed (compressed anywhere, upper case,
 * leading zeros, embedded IPv4) and broken (a byte changed, dropped or
 * doubled), parsed as inet_pton does. */
static void test_ipv6_parse(void **state)
{
	static const char alpha[] = "0123456789abcdefABCDEF:::.g ";
	static const char *const fixed[] = {"::",
					    ":::",
					    "::1",
					    "1::",
					    ":1::",
					    "1::2:",
					    "1:::2",
					    "1::2::3",
					    "::ffff:1.2.3.4",
					    "1:2:3:4:5:6:7:8",
					    "1:2:3:4:5:6:7::",
					    "::2:3:4:5:6:7:8",
					    "1:2:3:4:5:6:7:8::",
					    "1:2:3:4:5:6:7:8:9",
					    "00000::1",
					    "0000::1",
					    "fffff::",
					    "1:2:3:4:5:6:1.2.3.4",
					    "::1.2.3.4",
					    "1:2:3:4:5:6:7:1.2.3.4",
					    "",
					    ":",
					    "1:2",
					    "::ffff:0:0",
					    "::FFFF:10.0.0.1",
					    "1.2.3.4",
					    "1.2.3.4:"};
	char v[80];

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_parse(fixed[i]);
	for (int it = 0; it < 200000; it++) {
		size_t n = 0;
		if (it % 2) {
			/* well-formed, then maybe broken */
			int groups = 1 + (int)(rnd() % 8);
			int gap =
				rnd() % 3
					? (int)(rnd() % (unsigned)(groups + 1))
					: -1;
			for (int g = 0; g < groups; g++) {
				if (g == gap)
					n += (size_t)snprintf(v + n,
							      sizeof(v) - n,
							      g ? ":" : "::");
				else if (g)
					v[n++] = ':';
				n += (size_t)snprintf(v + n, sizeof(v) - n,
						      rnd() % 2 ? "%x" : "%04X",
						      rnd() % 0x10000);
			}
			if (gap == groups)
				n += (size_t)snprintf(v + n, sizeof(v) - n,
						      "::");
			if (rnd() % 8 == 0)
				n += (size_t)snprintf(v + n, sizeof(v) - n,
						      ":%u.%u.%u.%u",
						      rnd() % 300, rnd() % 256,
						      rnd() % 256, rnd() % 256);
			v[n] = '\0';
			if (rnd() % 3 == 0 && n) {
				size_t at = rnd() % n;
				switch (rnd() % 3) {
				case 0:
					v[at] = alpha[rnd() %
						      (sizeof(alpha) - 1)];
					break;
				case 1:
					memmove(v + at, v + at + 1, n - at);
					break;
				default:
					if (n + 2 < sizeof(v)) {
						memmove(v + at + 1, v + at,
							n - at + 1);
					}
				}
			}
		} else {
			n = rnd() % 20;
			for (size_t i = 0; i < n; i++)
				v[i] = alpha[rnd() % (sizeof(alpha) - 1)];
			v[n] = '\0';
		}
		check_parse(v);
	}
}

/* ---- domains and hashes ------------------------------------------------- */

static const char *const labels[] = {"a",    "b",    "www", "mail", "evil",
				     "corp", "Corp", "x-1", "org",  "ORG",
				     "net",  "_srv", "b2",  "ex",   "\xc3\xa9t",
				     "",     "zz",   "com", "c0m",  "*"};

static size_t rand_name(char *v, size_t cap, int maxl)
{
	int nl = 1 + (int)(rnd() % (unsigned)maxl);
	size_t n = 0;

	for (int i = 0; i < nl; i++) {
		const char *l =
			labels[rnd() % (sizeof(labels) / sizeof(labels[0]))];
		n += (size_t)snprintf(v + n, cap - n, "%s%s", i ? "." : "", l);
	}
	if (rnd() % 8 == 0)
		n += (size_t)snprintf(v + n, cap - n, ".");
	return n;
}

/* Random names from a small vocabulary (so that names and parents repeat,
 * in any case, with empty labels, trailing dots, stray '*'), matched as
 * event fields and compared with ky_ioc_lookup, which has no filter in
 * front, while entries are added (filters rebuilt). */
static void test_domain_random(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct one o;
	char v[256];
	size_t hits = 0;

	(void)state;
	one_init(&o);
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < 50 << round; i++) {
			size_t n = rand_name(v + 2, sizeof(v) - 2, 4);
			const char *p = v + 2;
			if (rnd() % 4 == 0) {
				v[0] = '*';
				v[1] = '.';
				p = v, n += 2;
			}
			struct ky_ioc ioc = {.type = KY_IOC_DOMAIN,
					     .value = p,
					     .confidence = 50};
			(void)ky_ioc_add(s, &ioc, n, NULL);
		}
		for (int i = 0; i < 5000; i++) {
			size_t n = rand_name(v, sizeof(v), 5);
			int want =
				ky_ioc_lookup(s, KY_IOC_DOMAIN, v, n) != NULL;
			assert_int_equal(
				match1n(&o, s, "dns.question.name", v, n),
				want);
			hits += (size_t)want;
		}
	}
	assert_true(hits > 1000); /* the comparison was not all misses */
	one_free(&o);
	ky_ioc_set_free(s);
}

/* A name of len bytes under zone.example, labels under 64 bytes. */
static void long_name(char *v, size_t len, bool dot)
{
	memset(v, 'a', len);
	for (size_t i = 50; i < len; i += 51)
		v[i] = '.';
	memcpy(v + len - 13, ".zone.example", 13);
	if (dot)
		v[len++] = '.';
	v[len] = '\0';
}

static void test_domain_edges(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct one o;
	char big[300];

	(void)state;
	one_init(&o);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "evil.example.org", false, NULL),
			 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "*.zone.example", false, NULL),
			 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "ok.zone.example", true, NULL),
			 0);
	assert_int_equal(match1(&o, s, "url.domain", "Evil.Example.ORG."), 1);
	assert_int_equal(match1(&o, s, "url.domain", "evil.example.org.."), 0);
	assert_int_equal(match1(&o, s, "url.domain", ".evil.example.org"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "xevil.example.org"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "a.evil.example.org"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "A.B.Zone.Example."), 1);
	assert_int_equal(match1(&o, s, "url.domain", "zone.example."), 0);
	assert_int_equal(match1(&o, s, "url.domain", "xzone.example"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "a..zone.example"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "OK.zone.example"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "a.ok.zone.example"), 0);
	/* a "*." value is itself a zone: inside *.zone.example */
	assert_int_equal(match1(&o, s, "url.domain", "*.b.zone.example"), 1);
	assert_int_equal(match1(&o, s, "url.domain", "."), 0);
	assert_int_equal(match1(&o, s, "url.domain", ""), 0);
	/* 253 bytes is the longest name; a trailing dot does not count */
	for (size_t len = 250; len <= 256; len++) {
		int want = len <= 253;
		long_name(big, len, false);
		assert_int_equal(match1(&o, s, "url.domain", big), want);
		long_name(big, len, true);
		assert_int_equal(match1(&o, s, "url.domain", big), want);
	}
	one_free(&o);
	ky_ioc_set_free(s);
}

static void hex(char *v, size_t n, bool upper)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++)
		v[i] = (upper ? up : lo)[rnd() % 16];
	v[n] = '\0';
}

/* Hashes of the three types, looked up in any case in their own fields,
 * in related.hash and in Sysmon's Hashes; near misses (a byte that only
 * looks like hex once lower-cased by the filter, a wrong length, the
 * wrong type) do not match. */
static void test_hashes(void **state)
{
	static const struct {
		enum ky_ioc_type t;
		size_t n;
		const char *field, *alg;
	} ty[] = {{KY_IOC_MD5, 32, "file.hash.md5", "MD5"},
		  {KY_IOC_SHA1, 40, "process.hash.sha1", "SHA1"},
		  {KY_IOC_SHA256, 64, "dll.hash.sha256", "SHA256"}};
	struct ky_ioc_set *s = ky_ioc_set_new();
	char(*vals)[65] = calloc(3 * 3000, 65);
	struct one o;
	char v[200], u[65];

	(void)state;
	one_init(&o);
	assert_non_null(vals);
	for (int i = 0; i < 3000; i++) {
		for (int k = 0; k < 3; k++) {
			char *x = vals[i * 3 + k];
			hex(x, ty[k].n, rnd() % 2);
			assert_int_equal(add(s, ty[k].t, x, false, NULL), 0);
		}
	}
	for (int i = 0; i < 3000; i += 7) {
		for (int k = 0; k < 3; k++) {
			const char *x = vals[i * 3 + k];
			size_t n = ty[k].n;
			for (size_t j = 0; j <= n; j++)
				u[j] = (char)(x[j] >= 'a' ? x[j] - 32 : x[j]);
			assert_int_equal(match1(&o, s, ty[k].field, x), 1);
			assert_int_equal(match1(&o, s, ty[k].field, u), 1);
			assert_int_equal(match1(&o, s, "related.hash", u), 1);
			snprintf(v, sizeof(v), "%s=%s,IMPHASH=%s", ty[k].alg, u,
				 x);
			assert_int_equal(match1(&o, s, "Hashes", v), 1);
			/* IMPHASH is not looked up */
			snprintf(v, sizeof(v), "IMPHASH=%s", x);
			assert_int_equal(match1(&o, s, "Hash", v), 0);
			/* another type's field */
			assert_int_equal(
				match1(&o, s, ty[(k + 1) % 3].field, x), 0);
			/* '0'-'9' | 0x20 is itself; 0x10-0x19 | 0x20 too */
			memcpy(u, x, n + 1);
			for (size_t j = 0; j < n; j++)
				if (u[j] >= '0' && u[j] <= '9') {
					u[j] = (char)(u[j] - 0x20);
					break;
				}
			assert_int_equal(match1(&o, s, ty[k].field, u), 0);
			assert_int_equal(match1n(&o, s, ty[k].field, x, n - 1),
					 0);
			snprintf(v, sizeof(v), "%s0", x);
			assert_int_equal(match1(&o, s, ty[k].field, v), 0);
		}
	}
	/* random misses */
	for (int i = 0; i < 20000; i++) {
		hex(u, 64, rnd() % 2);
		assert_int_equal(match1(&o, s, "file.hash.sha256", u),
				 ky_ioc_lookup(s, KY_IOC_SHA256, u, 64) !=
					 NULL);
	}
	/* a warning entry for one of them suppresses it */
	assert_int_equal(add(s, KY_IOC_SHA256, vals[2], true, NULL), 0);
	assert_int_equal(match1(&o, s, "file.hash.sha256", vals[2]), 0);
	free(vals);
	one_free(&o);
	ky_ioc_set_free(s);
}

/* A set without indicators of a type skips it; one with only warnings
 * never matches. */
static void test_empty_types(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct one o;

	(void)state;
	one_init(&o);
	assert_int_equal(match1(&o, s, "source.ip", "10.0.0.1"), 0);
	assert_int_equal(match1(&o, s, "url.domain", "a.org"), 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "a.org", true, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "10.0.0.0/8", true, NULL), 0);
	assert_int_equal(match1(&o, s, "url.domain", "a.org"), 0);
	assert_int_equal(match1(&o, s, "source.ip", "10.0.0.1"), 0);
	assert_int_equal(add(s, KY_IOC_URL, "http://a.org/x", false, NULL), 0);
	assert_int_equal(match1(&o, s, "url.full", "HTTP://A.ORG:80/x"), 1);
	assert_int_equal(match1(&o, s, "url.domain", "a.org"), 0);
	one_free(&o);
	ky_ioc_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_ipv4_ranges),
		cmocka_unit_test(test_ipv6_ranges),
		cmocka_unit_test(test_ipv6_parse),
		cmocka_unit_test(test_domain_random),
		cmocka_unit_test(test_domain_edges),
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_empty_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
