/* Address prefix table: parsing and printing of addresses and CIDR ranges,
 * and longest-prefix lookup by probing one hash per prefix length present
 * (a handful in real lists).  A filter over all keys answers most probes
 * without touching the hash, so an address that is in no range costs a few
 * multiplications per length present.  The filter code lives here too. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "detect/indicators_int.h"
#include "detect/iptree.h"

struct ky_iptree {
	struct ky_hash *h;
	struct ky__bloom bloom; /* over every key of h */
	uint64_t seed;
	uint64_t len4;	  /* bit l: some IPv4 entry has prefix length l */
	uint64_t len6[3]; /* the same for IPv6, lengths 0-128 */
	uint8_t lens4[33], lens6[129]; /* the lengths present, longest first */
	int n4, n6;
};

/* ---- the filter in front of a table ------------------------------------ */

int ky__bloom_add(struct ky__bloom *b, uint64_t h, const struct ky_hash *table,
		  ky__bloom_keyhash kh, const void *ud)
{
	size_t cnt, nw, it = 0, klen;
	unsigned lg = 0;
	const void *key;
	uint64_t *w;

	if (!b->w && b->n)
		return 0; /* given up: passes everything */
	if (b->w && b->n < b->nw * 4) {
		b->w[h >> b->shift] |=
			(1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));
		b->n++;
		return 0;
	}
	/* Rebuilt at 21 bits per key or more (twice the size when full at
	 * 16), so that each key is rehashed O(1) times on average. */
	cnt = ky_hash_count(table);
	for (nw = b->nw ? b->nw : 64; cnt > nw * 3; nw *= 2)
		;
	if (!(w = calloc(nw, sizeof(*w)))) {
		ky__bloom_free(b);
		b->n = 1;
		return KY_E_NOMEM;
	}
	while ((1ULL << lg) < nw)
		lg++;
	free(b->w);
	b->w = w;
	b->nw = nw;
	b->shift = 64 - lg;
	b->n = 0;
	while (ky_hash_next(table, &it, &key, &klen, NULL)) {
		uint64_t x = kh(ud, key, klen);
		w[x >> b->shift] |=
			(1ULL << (x & 63)) | (1ULL << ((x >> 6) & 63));
		b->n++;
	}
	(void)h; /* table holds the new key: already in */
	return 0;
}

void ky__bloom_free(struct ky__bloom *b)
{
	free(b->w);
	b->w = NULL;
	b->nw = 0;
	b->n = 0;
	b->shift = 0;
}

/* ---- parsing ---------------------------------------------------------- */

/* Dotted quad, decimal, no leading zeros (as inet_pton): each part one
 * digit, or two or three not starting with 0, at most 255. */
static int ip4_parse(const char *v, size_t n, uint8_t out[4])
{
	const char *e = v + n;

	for (int part = 0; part < 4; part++) {
		unsigned val, d;
		if (v == e || (val = (unsigned)(*v - '0')) > 9)
			return -1;
		v++;
		if (v < e && (d = (unsigned)(*v - '0')) <= 9) {
			if (val == 0)
				return -1;
			val = val * 10 + d;
			v++;
			if (v < e && (d = (unsigned)(*v - '0')) <= 9) {
				val = val * 10 + d;
				v++;
				if (val > 255)
					return -1;
			}
		}
		out[part] = (uint8_t)val;
		if (part < 3 && (v == e || *v++ != '.'))
			return -1;
	}
	return v == e ? 0 : -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* IPv6 made only of hex groups and at most one "::" (what events hold);
 * -1 for anything else, left to inet_pton (embedded IPv4, zones, errors).
 * Where it succeeds it gives inet_pton's bytes. */
static int ip6_parse_hex(const char *v, size_t n, uint8_t out[16])
{
	unsigned g[8];
	int ng = 0, gap = -1, x;
	size_t i = 0;

	if (n >= 2 && v[0] == ':' && v[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n == 0 || v[0] == ':') {
		return -1;
	}
	while (i < n) {
		unsigned val = 0, d = 0;
		while (i < n && (x = hexval(v[i])) >= 0) {
			if (++d > 4)
				return -1;
			val = val << 4 | (unsigned)x;
			i++;
		}
		if (d == 0 || ng == 8)
			return -1;
		g[ng++] = val;
		if (i == n)
			break;
		if (v[i] != ':' || ++i == n)
			return -1; /* '.', '%', junk, or a trailing ':' */
		if (v[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = ng;
			i++;
		}
	}
	if (gap < 0 ? ng != 8 : ng > 7)
		return -1;
	memset(out, 0, 16);
	for (int k = 0; k < ng; k++) {
		int pos = gap < 0 || k < gap ? k : 8 - (ng - k);
		out[2 * pos] = (uint8_t)(g[k] >> 8);
		out[2 * pos + 1] = (uint8_t)g[k];
	}
	return 0;
}

static void mask_bytes(uint8_t *dst, const uint8_t *src, size_t nb,
		       unsigned plen)
{
	for (size_t i = 0; i < nb; i++) {
		unsigned bits = plen >= 8 * (i + 1) ? 8
				: plen > 8 * i	    ? plen - 8 * (unsigned)i
						    : 0;
		dst[i] = (uint8_t)(src[i] & (uint8_t)(0xff00u >> bits));
	}
}

int ky_ip_parse(const char *v, size_t n, uint8_t key[KY_IP_KEY_MAX],
		size_t *klen, const char **why)
{
	const char *slash;
	size_t an;
	uint8_t a[16];
	unsigned plen = 0, bits;
	char buf[64];
	bool v4;

	*why = "not an IP address";
	if (ip4_parse(v, n, a) == 0) {
		/* the common case, an event's plain address */
		key[0] = 32;
		memcpy(key + 1, a, 4);
		*klen = 5;
		return 0;
	}
	slash = memchr(v, '/', n);
	an = slash ? (size_t)(slash - v) : n;
	if (an == 0 || an >= sizeof(buf) || memchr(v, '\0', an))
		return KY_E_PARSE; /* a NUL would cut inet_pton's string */
	v4 = ip4_parse(v, an, a) == 0;
	if (!v4 && ip6_parse_hex(v, an, a) != 0) {
		const char *pct = memchr(v, '%', an);
		memcpy(buf, v, an);
		buf[pct ? (size_t)(pct - v) : an] = '\0'; /* zone ignored */
		if (inet_pton(AF_INET6, buf, a) != 1)
			return KY_E_PARSE;
	}
	bits = v4 ? 32 : 128;
	plen = bits;
	if (slash) {
		size_t pn = n - an - 1;
		*why = "bad prefix length";
		if (pn == 0 || pn > 3 || (pn > 1 && slash[1] == '0'))
			return KY_E_PARSE;
		plen = 0;
		for (size_t i = 0; i < pn; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9')
				return KY_E_PARSE;
			plen = plen * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (plen > bits)
			return KY_E_PARSE;
	}
	/* Mapped addresses are the IPv4 host seen through a dual stack. */
	if (!v4 && plen >= 96 &&
	    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);
		v4 = true;
		plen -= 96;
	}
	key[0] = (uint8_t)plen;
	mask_bytes(key + 1, a, v4 ? 4 : 16, plen);
	*klen = v4 ? 5 : 17;
	return 0;
}

size_t ky_ip_text(const uint8_t *key, size_t klen, char *out, size_t cap)
{
	unsigned full = klen == 5 ? 32 : 128;
	size_t n;

	if (klen == 5 && cap >= 20) {
		/* inet_ntop formats IPv4 through sprintf: slow at 1M */
		n = 0;
		for (int i = 1; i <= 4; i++) {
			unsigned b = key[i];
			if (b >= 100)
				out[n++] = (char)('0' + b / 100);
			if (b >= 10)
				out[n++] = (char)('0' + b / 10 % 10);
			out[n++] = (char)('0' + b % 10);
			out[n++] = i < 4 ? '.' : '\0';
		}
		n--;
	} else if (inet_ntop(klen == 5 ? AF_INET : AF_INET6, key + 1, out,
			     (socklen_t)cap)) {
		n = strlen(out);
	} else {
		return 0;
	}
	if (key[0] != full && n + 5 <= cap)
		n += (size_t)snprintf(out + n, cap - n, "/%u", key[0]);
	return n;
}

/* ---- the table ------------------------------------------------------ */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

static void put64(uint8_t *p, uint64_t x)
{
	put32(p, (uint32_t)(x >> 32));
	put32(p + 4, (uint32_t)x);
}

/* The top bits of x (bits <= 64); shifting by 64 would be undefined. */
static uint64_t top64(uint64_t x, unsigned bits)
{
	return bits ? x & (~0ULL << (64 - bits)) : 0;
}

static uint64_t hash4(uint64_t seed, unsigned l, uint32_t a)
{
	return ky__fmix(seed ^ ((uint64_t)l << 32 | a));
}

static uint64_t hash6(uint64_t seed, unsigned l, uint64_t hi, uint64_t lo)
{
	return ky__fmix(ky__fmix(seed ^ hi ^ ((uint64_t)l << 1 | 1)) + lo);
}

/* The filter's hash of a stored key [len][masked bytes]. */
static uint64_t key_hash(const void *ud, const void *key, size_t klen)
{
	const struct ky_iptree *t = ud;
	const uint8_t *k = key;

	return klen == 5 ? hash4(t->seed, k[0], be32(k + 1))
			 : hash6(t->seed, k[0], be64(k + 1), be64(k + 9));
}

/* Inserts l into a list kept longest first, unless present. */
static void add_len(uint8_t *lens, int *n, unsigned l)
{
	int i = 0;

	while (i < *n && lens[i] > l)
		i++;
	if (i < *n && lens[i] == l)
		return;
	memmove(lens + i + 1, lens + i, (size_t)(*n - i));
	lens[i] = (uint8_t)l;
	(*n)++;
}

struct ky_iptree *ky_iptree_new(void)
{
	struct ky_iptree *t = calloc(1, sizeof(*t));

	if (t && !(t->h = ky_hash_new(KY_HASH_BORROW_KEYS))) {
		free(t);
		t = NULL;
	}
	if (t) /* process-seeded, so a chosen address cannot be aimed */
		t->seed = ky_hash_bytes("kyklos iptree", 13);
	return t;
}

void ky_iptree_free(struct ky_iptree *t)
{
	if (!t)
		return;
	ky_hash_free(t->h, NULL);
	ky__bloom_free(&t->bloom);
	free(t);
}

int ky_iptree_put(struct ky_iptree *t, const uint8_t *key, size_t klen,
		  void *value)
{
	unsigned l = key[0];
	void *old = NULL;
	int r;

	if ((klen != 5 || l > 32) && (klen != 17 || l > 128))
		return KY_E_INVAL;
	if ((r = ky_hash_put(t->h, key, klen, value, &old)) != 0)
		return r;
	if (old)
		return 0; /* replaced: the filter and lengths hold it */
	/* A filter that ran out of memory passes everything: still exact. */
	(void)ky__bloom_add(&t->bloom, key_hash(t, key, klen), t->h, key_hash,
			    t);
	if (klen == 5) {
		t->len4 |= 1ull << l;
		add_len(t->lens4, &t->n4, l);
	} else {
		t->len6[l >> 6] |= 1ull << (l & 63);
		add_len(t->lens6, &t->n6, l);
	}
	return 0;
}

void *ky_iptree_get(const struct ky_iptree *t, const uint8_t *key, size_t klen)
{
	return ky_hash_get(t->h, key, klen);
}

void *ky_iptree_find(const struct ky_iptree *t, const uint8_t *key, size_t klen,
		     bool (*ok)(const void *ud, const void *value),
		     const void *ud)
{
	uint8_t k[KY_IP_KEY_MAX];
	unsigned plen = key[0];

	if (klen == 5) {
		uint32_t a = be32(key + 1);
		for (int i = 0; i < t->n4; i++) {
			unsigned l = t->lens4[i];
			uint32_t m;
			void *v;
			if (l > plen)
				continue;
			m = (uint32_t)(top64((uint64_t)a << 32, l) >> 32);
			if (!ky__bloom_maybe(&t->bloom, hash4(t->seed, l, m)))
				continue;
			k[0] = (uint8_t)l;
			put32(k + 1, m);
			v = ky_hash_get(t->h, k, 5);
			if (v && (!ok || ok(ud, v)))
				return v;
		}
	} else if (klen == 17) {
		uint64_t hi = be64(key + 1), lo = be64(key + 9);
		for (int i = 0; i < t->n6; i++) {
			unsigned l = t->lens6[i];
			uint64_t mh, ml;
			void *v;
			if (l > plen)
				continue;
			mh = l >= 64 ? hi : top64(hi, l);
			ml = l > 64 ? top64(lo, l - 64) : 0;
			if (!ky__bloom_maybe(&t->bloom,
					     hash6(t->seed, l, mh, ml)))
				continue;
			k[0] = (uint8_t)l;
			put64(k + 1, mh);
			put64(k + 9, ml);
			v = ky_hash_get(t->h, k, 17);
			if (v && (!ok || ok(ud, v)))
				return v;
		}
	}
	return NULL;
}

bool ky_iptree_maybe(const struct ky_iptree *t, const char *v, size_t n)
{
	uint8_t a[16];

	if (ip4_parse(v, n, a) == 0) {
		uint32_t x = be32(a);
		for (int i = 0; i < t->n4; i++) {
			unsigned l = t->lens4[i];
			uint32_t m =
				(uint32_t)(top64((uint64_t)x << 32, l) >> 32);
			if (ky__bloom_maybe(&t->bloom, hash4(t->seed, l, m)))
				return true;
		}
		return false;
	}
	/* Mapped addresses are looked up as IPv4: left to the caller's
	 * full lookup, as is any other form. */
	if (n > 39 || ip6_parse_hex(v, n, a) != 0 ||
	    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		return true;
	uint64_t hi = be64(a), lo = be64(a + 8);
	for (int i = 0; i < t->n6; i++) {
		unsigned l = t->lens6[i];
		uint64_t mh = l >= 64 ? hi : top64(hi, l);
		uint64_t ml = l > 64 ? top64(lo, l - 64) : 0;
		if (ky__bloom_maybe(&t->bloom, hash6(t->seed, l, mh, ml)))
			return true;
	}
	return false;
}
