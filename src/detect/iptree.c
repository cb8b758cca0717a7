/* Address prefix table: parsing and printing of addresses and CIDR ranges,
 * and longest-prefix lookup by probing one hash per prefix length present
 * (a handful in real lists, so a lookup is a few hash probes). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "detect/iptree.h"

struct ky_iptree {
	struct ky_hash *h;
	uint64_t len4;	  /* bit l: some IPv4 entry has prefix length l */
	uint64_t len6[3]; /* the same for IPv6, lengths 0-128 */
};

/* Dotted quad, decimal, no leading zeros (as inet_pton). */
static int ip4_parse(const char *v, size_t n, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned val = 0, digits = 0;
		while (i < n && v[i] >= '0' && v[i] <= '9') {
			if (digits && val == 0)
				return -1;
			val = val * 10 + (unsigned)(v[i++] - '0');
			if (val > 255)
				return -1;
			digits++;
		}
		if (!digits)
			return -1;
		out[part] = (uint8_t)val;
		if (part < 3) {
			if (i >= n || v[i] != '.')
				return -1;
			i++;
		}
	}
	return i == n ? 0 : -1;
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
	const char *slash = memchr(v, '/', n);
	size_t an = slash ? (size_t)(slash - v) : n;
	uint8_t a[16];
	unsigned plen = 0, bits;
	char buf[64];
	bool v4;

	*why = "not an IP address";
	if (an == 0 || an >= sizeof(buf) || memchr(v, '\0', an))
		return KY_E_PARSE; /* a NUL would cut inet_pton's string */
	v4 = ip4_parse(v, an, a) == 0;
	if (!v4) {
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

struct ky_iptree *ky_iptree_new(void)
{
	struct ky_iptree *t = calloc(1, sizeof(*t));

	if (t && !(t->h = ky_hash_new(KY_HASH_BORROW_KEYS))) {
		free(t);
		t = NULL;
	}
	return t;
}

void ky_iptree_free(struct ky_iptree *t)
{
	if (!t)
		return;
	ky_hash_free(t->h, NULL);
	free(t);
}

int ky_iptree_put(struct ky_iptree *t, const uint8_t *key, size_t klen,
		  void *value)
{
	unsigned l = key[0];
	int r;

	if ((klen != 5 || l > 32) && (klen != 17 || l > 128))
		return KY_E_INVAL;
	if ((r = ky_hash_put(t->h, key, klen, value, NULL)) != 0)
		return r;
	if (klen == 5)
		t->len4 |= 1ull << l;
	else
		t->len6[l >> 6] |= 1ull << (l & 63);
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
	bool v4 = klen == 5;
	uint8_t k[KY_IP_KEY_MAX];

	if (klen != 5 && klen != 17)
		return NULL;
	for (int l = key[0]; l >= 0; l--) {
		void *v;
		if (!(v4 ? (t->len4 >> l) & 1
			 : (t->len6[l >> 6] >> (l & 63)) & 1))
			continue;
		k[0] = (uint8_t)l;
		mask_bytes(k + 1, key + 1, klen - 1, (unsigned)l);
		v = ky_hash_get(t->h, k, klen);
		if (v && (!ok || ok(ud, v)))
			return v;
	}
	return NULL;
}
