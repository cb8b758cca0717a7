/* Indicator sets: normalisation of each indicator type, storage in one
 * arena per set with base/hash.h tables (addresses by prefix length), and
 * the per-event matcher over a table of field names; the loaders are in
 * indicators_load.c.  See docs/indicators.md for the rules, and its
 * "Speed" section for the filters that keep matching off the slow path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/text.h"
#include "detect/indicators.h"
#include "detect/indicators_int.h"
#include "detect/iptree.h"

#define SLAB_CHUNK 65536

/* Field-name table values: bits 0-6 the types a field holds by default,
 * bit 7 Sysmon "ALG=hex,..." lists, bits 8-14 types named by some
 * indicator's own `fields`. */
#define F_HASHES (1u << 7)
#define F_EXTRA(t) (1u << ((t) + 8))
#define B(t) (1u << (t))
#define ALLHASH (B(KY_IOC_MD5) | B(KY_IOC_SHA1) | B(KY_IOC_SHA256))

static const struct {
	const char *name;
	unsigned kinds;
} default_fields[] = {{"source.ip", B(KY_IOC_IP)},
		      {"destination.ip", B(KY_IOC_IP)},
		      {"client.ip", B(KY_IOC_IP)},
		      {"server.ip", B(KY_IOC_IP)},
		      {"host.ip", B(KY_IOC_IP)},
		      {"related.ip", B(KY_IOC_IP)},
		      {"src_ip", B(KY_IOC_IP)},
		      {"dest_ip", B(KY_IOC_IP)},
		      {"SourceIp", B(KY_IOC_IP)},
		      {"DestinationIp", B(KY_IOC_IP)},
		      {"IpAddress", B(KY_IOC_IP)},
		      {"url.original", B(KY_IOC_URL)},
		      {"url.full", B(KY_IOC_URL)},
		      {"url.domain", B(KY_IOC_DOMAIN)},
		      {"dns.question.name", B(KY_IOC_DOMAIN)},
		      {"destination.domain", B(KY_IOC_DOMAIN)},
		      {"server.domain", B(KY_IOC_DOMAIN)},
		      {"client.domain", B(KY_IOC_DOMAIN)},
		      {"source.domain", B(KY_IOC_DOMAIN)},
		      {"related.hosts", B(KY_IOC_DOMAIN)},
		      {"DestinationHostname", B(KY_IOC_DOMAIN)},
		      {"QueryName", B(KY_IOC_DOMAIN)},
		      {"email.from.address", B(KY_IOC_EMAIL)},
		      {"email.to.address", B(KY_IOC_EMAIL)},
		      {"email.cc.address", B(KY_IOC_EMAIL)},
		      {"email.sender.address", B(KY_IOC_EMAIL)},
		      {"email.reply_to.address", B(KY_IOC_EMAIL)},
		      {"user.email", B(KY_IOC_EMAIL)},
		      {"file.hash.md5", B(KY_IOC_MD5)},
		      {"file.hash.sha1", B(KY_IOC_SHA1)},
		      {"file.hash.sha256", B(KY_IOC_SHA256)},
		      {"process.hash.md5", B(KY_IOC_MD5)},
		      {"process.hash.sha1", B(KY_IOC_SHA1)},
		      {"process.hash.sha256", B(KY_IOC_SHA256)},
		      {"process.parent.hash.md5", B(KY_IOC_MD5)},
		      {"process.parent.hash.sha1", B(KY_IOC_SHA1)},
		      {"process.parent.hash.sha256", B(KY_IOC_SHA256)},
		      {"dll.hash.md5", B(KY_IOC_MD5)},
		      {"dll.hash.sha1", B(KY_IOC_SHA1)},
		      {"dll.hash.sha256", B(KY_IOC_SHA256)},
		      {"related.hash", ALLHASH},
		      {"Hashes", F_HASHES | ALLHASH},
		      {"Hash", F_HASHES | ALLHASH}};

static const char *const type_names[KY_IOC_TYPES] = {
	"ip", "domain", "url", "email", "md5", "sha1", "sha256"};
static const size_t hash_len[KY_IOC_TYPES] = {0, 0, 0, 0, 32, 40, 64};

/* One kind of entry (indicators or warnings).  exact[KY_IOC_IP] is unused:
 * addresses live in ip; sub holds "*.name" entries keyed by "name".  The
 * filters (domain and hash tables of indicators only: warnings are looked
 * up only after a hit) guard the tables of the same index. */
struct tables {
	struct ky_hash *exact[KY_IOC_TYPES];
	struct ky_hash *sub;
	struct ky_iptree *ip;
	struct ky__bloom fexact[KY_IOC_TYPES], fsub;
};

/* Field names the matcher reads, found without hashing: a name of length
 * len (FX_LONG and over share a row) with fingerprint fp can be configured
 * only if bit fp of fx_bits[len] is set; the entries of that cell are
 * chained from fx_head[len][fp], 1-based. */
#define FX_LONG 64
struct fx_ent {
	const char *name; /* static, or interned in the set */
	uint32_t len;
	uint32_t kinds; /* see F_* */
	uint32_t next;
};

struct ky_ioc_set {
	struct ky_arena *arena; /* records, values, keys, names */
	char *chunk;		/* byte slab carved from the arena */
	size_t left;
	struct tables t[2];	  /* [0] indicators, [1] warning lists */
	struct ky_hash *names;	  /* interned list and fields strings */
	struct ky_hash *fieldmap; /* field name -> 1 + index in fx */
	struct fx_ent *fx;
	uint32_t nfx, capfx;
	uint64_t fx_bits[FX_LONG + 1];
	uint32_t fx_head[FX_LONG + 1][64];
	uint64_t fseed; /* of the filters' hashes, random per process */
	size_t count[KY_IOC_TYPES];
	size_t nind[KY_IOC_TYPES]; /* of them indicators (not warnings) */
	bool any_warn;
};

/* An event field restricting which entries may match. */
struct filt {
	const char *name;
	size_t len;
	unsigned kinds;
};

static char lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* ---- filter hashes ---------------------------------------------------- */

#define FH_MUL 0x9e3779b97f4a7c15ULL

/* Domains are hashed from the right, one byte at a time, so that while an
 * event's name is read once from its end, the state at each '.' is the
 * hash of the parent after it: every "*.parent" is probed for free. */
static uint64_t dom_step(uint64_t h, unsigned char c)
{
	c = (unsigned char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
	return (h ^ c) * FH_MUL;
}

static uint64_t dom_hash(const void *ud, const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = *(const uint64_t *)ud;

	while (n)
		h = dom_step(h, p[--n]);
	return ky__fmix(h);
}

/* Hex digits of a hash, eight at a time; "| 0x20" lower-cases hex letters
 * and leaves digits alone, so upper-case input hashes as stored (other
 * bytes hash to anything: the table decides). */
static uint64_t hex_hash(const void *ud, const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = *(const uint64_t *)ud ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ (w | 0x2020202020202020ULL)) * FH_MUL;
		h ^= h >> 32;
	}
	for (w = 0; n; n--)
		w = w << 8 | (unsigned)(p[n - 1] | 0x20);
	return ky__fmix(h ^ w);
}

static uint32_t fx_row(size_t n)
{
	return n < FX_LONG ? (uint32_t)n : FX_LONG;
}

/* The last eight bytes pick the cell: paths of one length mostly differ
 * at their end ("source.ip", "client.ip"). */
static inline unsigned fx_fp(const char *p, size_t n)
{
	uint64_t w = 0;

	if (n >= 8) {
		memcpy(&w, p + n - 8, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else {
		for (size_t i = 0; i < n; i++)
			w = w << 8 | (unsigned char)p[i];
	}
	return (unsigned)((w * FH_MUL) >> 58);
}

/* ---- normalisation ---------------------------------------------------- */

/* Lower-case, trailing dot dropped, labels of [a-z0-9_-] or UTF-8 (IDNA
 * is left as given); "*." allowed in front when wild. */
static int domain_norm(const char *v, size_t n, char *out, size_t *on,
		       bool wild, const char **why)
{
	size_t i = 0, label = 0;

	*why = "not a domain name";
	if (n && v[n - 1] == '.')
		n--;
	if (wild && n > 2 && v[0] == '*' && v[1] == '.') {
		out[0] = '*';
		out[1] = '.';
		i = 2;
	}
	if (n <= i || n - i > 253)
		return KY_E_PARSE;
	for (; i < n; i++) {
		char c = lc(v[i]);
		if (c == '.') {
			if (label == 0)
				return KY_E_PARSE;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_' || (unsigned char)c >= 0x80) {
			if (++label > 63)
				return KY_E_PARSE;
		} else {
			return KY_E_PARSE;
		}
		out[i] = c;
	}
	if (label == 0 || ky_utf8_check(out, n) != n) {
		*why = "not a domain name (empty label or bad UTF-8)";
		return KY_E_PARSE;
	}
	*on = n;
	return 0;
}

static unsigned default_port(const char *scheme, size_t n)
{
	static const struct {
		const char *s;
		unsigned port;
	} ports[] = {{"http", 80}, {"https", 443}, {"ftp", 21},
		     {"ws", 80},   {"wss", 443},   {"gopher", 70}};

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (strlen(ports[i].s) == n &&
		    memcmp(ports[i].s, scheme, n) == 0)
			return ports[i].port;
	return 0;
}

/* scheme://[userinfo@]host[:port][/path][?q][#f]: scheme and host
 * lower-cased, default port dropped, empty path made "/". */
static int url_norm(const char *v, size_t n, char *out, size_t cap, size_t *on,
		    const char **why)
{
	size_t i = 0, o = 0, auth, end, at, hs, he, pe;
	unsigned port = 0;
	bool has_port = false;

	*why = "not a URL (scheme://host...)";
	if (n + 2 > cap)
		return KY_E_PARSE;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)v[k] <= 0x20 || v[k] == 0x7f)
			return KY_E_PARSE;
	while (i < n &&
	       ((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		(i && ((v[i] >= '0' && v[i] <= '9') || v[i] == '+' ||
		       v[i] == '-' || v[i] == '.'))))
		out[o++] = lc(v[i++]);
	if (i == 0 || n - i < 3 || memcmp(v + i, "://", 3) != 0)
		return KY_E_PARSE;
	memcpy(out + o, "://", 3);
	o += 3;
	auth = i + 3;
	for (end = auth;
	     end < n && v[end] != '/' && v[end] != '?' && v[end] != '#'; end++)
		;
	at = auth;
	for (size_t k = auth; k < end; k++)
		if (v[k] == '@')
			at = k + 1;
	hs = at;
	if (hs < end && v[hs] == '[') {
		const char *rb = memchr(v + hs, ']', end - hs);
		if (!rb)
			return KY_E_PARSE;
		he = (size_t)(rb - v) + 1;
	} else {
		const char *colon = memchr(v + hs, ':', end - hs);
		he = colon ? (size_t)(colon - v) : end;
	}
	if (he < end) {
		if (v[he] != ':' || end - he > 6)
			return KY_E_PARSE;
		for (pe = he + 1; pe < end; pe++) {
			if (v[pe] < '0' || v[pe] > '9')
				return KY_E_PARSE;
			port = port * 10 + (unsigned)(v[pe] - '0');
			has_port = true;
		}
		if (port > 65535)
			return KY_E_PARSE;
	}
	if (he > hs && v[he - 1] == '.')
		he--;
	/* one trailing dot is the root; an empty label is no host ("..",
	 * ".x", "x..", which would not normalise to themselves) */
	if (he == hs || v[hs] == '.' || v[he - 1] == '.')
		return KY_E_PARSE;
	memcpy(out + o, v + auth, at - auth); /* userinfo kept as given */
	o += at - auth;
	for (size_t k = hs; k < he; k++)
		out[o++] = lc(v[k]);
	if (has_port && port != default_port(out, i))
		o += (size_t)snprintf(out + o, cap - o, ":%u", port);
	if (end == n || v[end] != '/')
		out[o++] = '/';
	if (o + (n - end) + 1 > cap)
		return KY_E_PARSE;
	memcpy(out + o, v + end, n - end);
	*on = o + n - end;
	return 0;
}

/* "Name <a@b>" -> "a@b"; lower-case; one '@', domain part checked. */
static int email_norm(const char *v, size_t n, char *out, size_t *on,
		      const char **why)
{
	const char *lt = memchr(v, '<', n), *at;
	size_t dn, local;

	*why = "not an e-mail address";
	if (lt && n && v[n - 1] == '>') {
		n = n - 1 - (size_t)(lt + 1 - v);
		v = lt + 1;
	}
	at = memchr(v, '@', n);
	if (!at || at == v || memchr(at + 1, '@', n - (size_t)(at + 1 - v)))
		return KY_E_PARSE;
	local = (size_t)(at - v);
	if (local > 64)
		return KY_E_PARSE;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',')
			return KY_E_PARSE;
		out[i] = lc(v[i]);
	}
	if (ky_utf8_check(out, local) != local)
		return KY_E_PARSE;
	out[local] = '@';
	if (domain_norm(at + 1, n - local - 1, out + local + 1, &dn, false,
			why) != 0)
		return KY_E_PARSE;
	*on = local + 1 + dn;
	return 0;
}

/* Normalises v of type t into out (NUL-terminated); for IPs also key. */
static int normalise(enum ky_ioc_type t, const char *v, size_t n, char *out,
		     size_t cap, size_t *on, uint8_t key[KY_IP_KEY_MAX],
		     size_t *klen, const char **why)
{
	if (n == 0 || n > IOC_MAX_VALUE) {
		*why = n ? "value too long" : "empty value";
		return KY_E_PARSE;
	}
	switch (t) {
	case KY_IOC_IP:
		if (ky_ip_parse(v, n, key, klen, why) != 0)
			return KY_E_PARSE;
		/* lookups need only the key; cap 0 skips the text */
		*on = cap ? ky_ip_text(key, *klen, out, cap) : 0;
		break;
	case KY_IOC_DOMAIN:
		if (domain_norm(v, n, out, on, true, why) != 0)
			return KY_E_PARSE;
		break;
	case KY_IOC_URL:
		if (url_norm(v, n, out, cap, on, why) != 0)
			return KY_E_PARSE;
		break;
	case KY_IOC_EMAIL:
		if (email_norm(v, n, out, on, why) != 0)
			return KY_E_PARSE;
		break;
	default:
		if (n != hash_len[t]) {
			*why = "wrong length for this hash type";
			return KY_E_PARSE;
		}
		for (size_t i = 0; i < n; i++) {
			if (!is_hex(v[i])) {
				*why = "not hexadecimal";
				return KY_E_PARSE;
			}
			out[i] = lc(v[i]);
		}
		*on = n;
		break;
	}
	if (cap)
		out[*on] = '\0';
	return 0;
}

int ky_ioc_normalise(enum ky_ioc_type t, const char *v, size_t n, char *out,
		     size_t cap, const char **why)
{
	uint8_t key[KY_IP_KEY_MAX];
	size_t klen = 0, on = 0;

	*why = "unknown indicator type, or output buffer too small";
	if ((unsigned)t >= KY_IOC_TYPES || cap < IOC_MAX_VALUE + 8)
		return KY_E_INVAL;
	return normalise(t, v, n, out, cap, &on, key, &klen, why);
}

const char *ky_ioc_type_name(enum ky_ioc_type t)
{
	return (unsigned)t < KY_IOC_TYPES ? type_names[t] : "unknown";
}

int ky_ioc_type_guess(const char *v, size_t n, enum ky_ioc_type *out)
{
	static const enum ky_ioc_type order[] = {KY_IOC_MD5, KY_IOC_SHA1,
						 KY_IOC_SHA256, KY_IOC_IP,
						 KY_IOC_EMAIL};
	char buf[IOC_MAX_VALUE + 8];
	const char *why;
	uint8_t key[KY_IP_KEY_MAX];
	size_t on, kl;

	if (n >= 3 && memmem(v, n, "://", 3)) {
		*out = KY_IOC_URL;
		return normalise(KY_IOC_URL, v, n, buf, sizeof(buf), &on, key,
				 &kl, &why);
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (normalise(order[i], v, n, buf, sizeof(buf), &on, key, &kl,
			      &why) == 0) {
			*out = order[i];
			return 0;
		}
	}
	/* A domain needs a dot and a top label that is not all digits, so
	 * that bad addresses are not taken for names. */
	if (normalise(KY_IOC_DOMAIN, v, n, buf, sizeof(buf), &on, key, &kl,
		      &why) == 0 &&
	    memchr(buf, '.', on)) {
		const char *dot = strrchr(buf, '.');
		for (const char *p = dot + 1; *p; p++) {
			if (*p < '0' || *p > '9') {
				*out = KY_IOC_DOMAIN;
				return 0;
			}
		}
	}
	return KY_E_PARSE;
}

/* ---- storage ---------------------------------------------------------- */

/* Adds kinds to field name[0..n) (which must outlive the set). */
static int fx_or(struct ky_ioc_set *s, const char *name, size_t n,
		 unsigned kinds)
{
	uintptr_t i = (uintptr_t)ky_hash_get(s->fieldmap, name, n);
	uint32_t row = fx_row(n);
	unsigned fp = fx_fp(name, n);
	struct fx_ent *e;

	if (i) {
		s->fx[i - 1].kinds |= kinds;
		return 0;
	}
	if (n > UINT32_MAX)
		return KY_E_TOOBIG;
	if (s->nfx == s->capfx) {
		uint32_t cap = s->capfx ? s->capfx * 2 : 64;
		struct fx_ent *p = realloc(s->fx, cap * sizeof(*p));
		if (!p)
			return KY_E_NOMEM;
		s->fx = p;
		s->capfx = cap;
	}
	if (ky_hash_put(s->fieldmap, name, n, (void *)(uintptr_t)(s->nfx + 1),
			NULL) != 0)
		return KY_E_NOMEM;
	e = &s->fx[s->nfx++];
	e->name = name;
	e->len = (uint32_t)n;
	e->kinds = kinds;
	e->next = s->fx_head[row][fp];
	s->fx_head[row][fp] = s->nfx;
	s->fx_bits[row] |= 1ULL << fp;
	return 0;
}

/* The kinds of field p[0..n), 0 for a field no entry applies to; most
 * paths of an event stop at the bit test. */
static inline unsigned fx_kinds(const struct ky_ioc_set *s, const char *p,
				size_t n)
{
	uint32_t row = fx_row(n);
	unsigned fp = fx_fp(p, n);

	if (!((s->fx_bits[row] >> fp) & 1))
		return 0;
	for (uint32_t i = s->fx_head[row][fp]; i; i = s->fx[i - 1].next) {
		const struct fx_ent *e = &s->fx[i - 1];
		if (e->len == n && memcmp(e->name, p, n) == 0)
			return e->kinds;
	}
	return 0;
}

struct ky_ioc_set *ky_ioc_set_new(void)
{
	struct ky_ioc_set *s = calloc(1, sizeof(*s));
	bool ok;

	if (!s)
		return NULL;
	s->arena = ky_arena_new(1 << 20, 0);
	s->names = ky_hash_new(KY_HASH_BORROW_KEYS);
	s->fieldmap = ky_hash_new(KY_HASH_BORROW_KEYS);
	ok = s->arena && s->names && s->fieldmap;
	for (int k = 0; k < 2 && ok; k++) {
		for (int t = 0; t < KY_IOC_TYPES && ok; t++)
			ok = (s->t[k].exact[t] =
				      ky_hash_new(KY_HASH_BORROW_KEYS)) != NULL;
		ok = ok && (s->t[k].sub = ky_hash_new(KY_HASH_BORROW_KEYS));
		ok = ok && (s->t[k].ip = ky_iptree_new());
	}
	for (size_t i = 0;
	     ok && i < sizeof(default_fields) / sizeof(default_fields[0]); i++)
		ok = fx_or(s, default_fields[i].name,
			   strlen(default_fields[i].name),
			   default_fields[i].kinds) == 0;
	s->fseed = ky_hash_bytes("kyklos ioc filter", 17);
	if (!ok) {
		ky_ioc_set_free(s);
		return NULL;
	}
	return s;
}

void ky_ioc_set_free(struct ky_ioc_set *s)
{
	if (!s)
		return;
	for (int k = 0; k < 2; k++) {
		for (int t = 0; t < KY_IOC_TYPES; t++) {
			ky_hash_free(s->t[k].exact[t], NULL);
			ky__bloom_free(&s->t[k].fexact[t]);
		}
		ky_hash_free(s->t[k].sub, NULL);
		ky__bloom_free(&s->t[k].fsub);
		ky_iptree_free(s->t[k].ip);
	}
	ky_hash_free(s->names, NULL);
	ky_hash_free(s->fieldmap, NULL);
	free(s->fx);
	ky_arena_free(s->arena);
	free(s);
}

/* Bytes from the set's slab: unaligned, so strings cost their length. */
static char *slab(struct ky_ioc_set *s, size_t n)
{
	char *p;

	if (n > s->left) {
		size_t sz = n > SLAB_CHUNK ? n : SLAB_CHUNK;
		if (!(s->chunk = ky_arena_alloc(s->arena, sz))) {
			s->left = 0;
			return NULL;
		}
		s->left = sz;
	}
	p = s->chunk;
	s->chunk += n;
	s->left -= n;
	return p;
}

static char *slab_str(struct ky_ioc_set *s, const char *v, size_t n)
{
	char *p = slab(s, n + 1);

	if (p) {
		memcpy(p, v, n);
		p[n] = '\0';
	}
	return p;
}

/* One copy of each list path and fields string, shared by its entries. */
static const char *intern(struct ky_ioc_set *s, const char *v, size_t n)
{
	char *p = ky_hash_get(s->names, v, n);

	if (p)
		return p;
	if (!(p = slab_str(s, v, n)) || ky_hash_put(s->names, p, n, p, NULL))
		return NULL;
	return p;
}

int ky_ioc_add(struct ky_ioc_set *s, const struct ky_ioc *ioc, size_t vlen,
	       struct ky_err *err)
{
	char buf[IOC_MAX_VALUE + 8], shown[96], fbuf[IOC_MAX_FIELDS + 2];
	struct tables *t;
	struct ky_hash *h;
	struct ky__bloom *filter;
	struct ky_ioc *rec;
	const char *why, *list = NULL, *fields = NULL, *key;
	uint8_t ipkey[KY_IP_KEY_MAX];
	size_t on = 0, kl = 0, fl;

	if (!s || !ioc || !ioc->value || (unsigned)ioc->type >= KY_IOC_TYPES)
		return ky_err_set(err, KY_E_INVAL, "bad indicator");
	if (ioc->confidence < 0 || ioc->confidence > 100)
		return ky_err_set(err, KY_E_INVAL, "confidence %d not in 0-100",
				  ioc->confidence);
	if (normalise(ioc->type, ioc->value, vlen, buf, sizeof(buf), &on, ipkey,
		      &kl, &why) != 0)
		return ky_err_set(
			err, KY_E_PARSE, "%s '%s': %s", type_names[ioc->type],
			ky__ioc_show(shown, sizeof(shown), ioc->value, vlen),
			why);
	if (ioc->fields) {
		if (ky__ioc_fields_norm(ioc->fields, fbuf, sizeof(fbuf), &fl) !=
		    0)
			return ky_err_set(err, KY_E_TOOBIG,
					  "fields list too long");
		if (fl && !(fields = intern(s, fbuf, fl)))
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	if (ioc->list && !(list = intern(s, ioc->list, strlen(ioc->list))))
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	t = &s->t[ioc->warning ? 1 : 0];
	h = t->exact[ioc->type];
	filter = &t->fexact[ioc->type];
	key = buf;
	if (ioc->type == KY_IOC_DOMAIN && buf[0] == '*') {
		h = t->sub;
		filter = &t->fsub;
		key += 2;
		on -= 2;
	}
	rec = ioc->type == KY_IOC_IP ? ky_iptree_get(t->ip, ipkey, kl)
				     : ky_hash_get(h, key, on);
	if (!rec) {
		char *v, *k;
		rec = ky_arena_alloc(s->arena, sizeof(*rec));
		v = slab_str(s, buf, strlen(buf));
		k = ioc->type == KY_IOC_IP ? slab_str(s, (char *)ipkey, kl)
					   : v + (key - buf);
		if (!rec || !v || !k ||
		    (ioc->type == KY_IOC_IP
			     ? ky_iptree_put(t->ip, (uint8_t *)k, kl, rec)
			     : ky_hash_put(h, k, on, rec, NULL)) != 0)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		rec->type = ioc->type;
		rec->value = v;
		rec->warning = ioc->warning;
		s->count[ioc->type]++;
		s->nind[ioc->type] += !ioc->warning;
		s->any_warn |= ioc->warning;
		/* A filter out of memory passes everything: still exact. */
		if (!ioc->warning && ioc->type == KY_IOC_DOMAIN)
			(void)ky__bloom_add(filter, dom_hash(&s->fseed, k, on),
					    h, dom_hash, &s->fseed);
		else if (!ioc->warning && hash_len[ioc->type])
			(void)ky__bloom_add(filter, hex_hash(&s->fseed, k, on),
					    h, hex_hash, &s->fseed);
	}
	rec->list = list;
	rec->fields = fields;
	rec->confidence = ioc->confidence;
	rec->line = ioc->line;
	/* Fields named by an indicator become fields the matcher reads. */
	for (const char *p = fields; p && *p;) {
		size_t n = strcspn(p, ",");
		if (fx_or(s, p, n, F_EXTRA(ioc->type)) != 0)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		p += n + (p[n] == ',');
	}
	return 0;
}

size_t ky_ioc_count(const struct ky_ioc_set *s, enum ky_ioc_type t)
{
	return s && (unsigned)t < KY_IOC_TYPES ? s->count[t] : 0;
}

/* ---- lookup ----------------------------------------------------------- */

static bool in_list(const char *list, const char *name, size_t n)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ",");
		if (l == n && memcmp(p, name, n) == 0)
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

static bool filt_ok(const void *ud, const void *value)
{
	const struct filt *f = ud;
	const struct ky_ioc *ioc = value;

	if (!f)
		return true;
	if (ioc->fields)
		return in_list(ioc->fields, f->name, f->len);
	return (f->kinds & B(ioc->type)) != 0;
}

static const struct ky_ioc *dom_get(const struct ky_hash *h, const char *d,
				    size_t n, const struct filt *f)
{
	const struct ky_ioc *ioc = ky_hash_get(h, d, n);

	return ioc && filt_ok(f, ioc) ? ioc : NULL;
}

/* Most specific first: the name, then "*." entries of each parent.  On
 * warning lists a plain name also covers its subdomains. */
static const struct ky_ioc *dom_find(const struct tables *t, const char *d,
				     size_t n, const struct filt *f, bool warn)
{
	const struct ky_hash *ex = t->exact[KY_IOC_DOMAIN];
	const struct ky_ioc *ioc;
	bool wild = n > 2 && d[0] == '*';

	if (wild) {
		d += 2;
		n -= 2;
	} else if ((ioc = dom_get(ex, d, n, f))) {
		return ioc;
	}
	for (bool top = true;; top = false) {
		if (!top || wild) {
			if ((ioc = dom_get(t->sub, d, n, f)))
				return ioc;
			if (warn && (ioc = dom_get(ex, d, n, f)))
				return ioc;
		}
		const char *dot = memchr(d, '.', n);
		if (!dot)
			return NULL;
		n -= (size_t)(dot + 1 - d);
		d = dot + 1;
	}
}

static const struct ky_ioc *find(const struct tables *t, enum ky_ioc_type ty,
				 const char *v, size_t n, const uint8_t *key,
				 size_t kl, const struct filt *f, bool warn)
{
	const struct ky_ioc *ioc;

	if (ty == KY_IOC_IP)
		return ky_iptree_find(t->ip, key, kl, filt_ok, f);
	if (ty == KY_IOC_DOMAIN)
		return dom_find(t, v, n, f, warn);
	ioc = ky_hash_get(t->exact[ty], v, n);
	return ioc && filt_ok(f, ioc) ? ioc : NULL;
}

const struct ky_ioc *ky_ioc_lookup(const struct ky_ioc_set *s,
				   enum ky_ioc_type type, const char *v,
				   size_t n)
{
	char buf[IOC_MAX_VALUE + 8];
	const struct ky_ioc *ioc;
	const char *why;
	uint8_t key[KY_IP_KEY_MAX];
	size_t on, kl = 0;

	if (!s || !v || (unsigned)type >= KY_IOC_TYPES ||
	    normalise(type, v, n, buf, type == KY_IOC_IP ? 0 : sizeof(buf), &on,
		      key, &kl, &why) != 0)
		return NULL;
	ioc = find(&s->t[0], type, buf, on, key, kl, NULL, false);
	if (!ioc && s->any_warn)
		ioc = find(&s->t[1], type, buf, on, key, kl, NULL, true);
	return ioc;
}

/* ---- matching events -------------------------------------------------- */

struct mctx {
	const struct ky_ioc_set *s;
	const struct ky_field *field;
	int (*fn)(void *ud, const struct ky_ioc_hit *hit);
	void *ud;
	int hits;
	bool stop;
};

/* false when no indicator can match the domain v[0..n): the filters are
 * probed with the hashes of the name and of each parent (for "*." entries),
 * lower-cased on the fly without a copy. */
static bool dom_maybe(const struct ky_ioc_set *s, const char *v, size_t n)
{
	const struct tables *t = &s->t[0];
	uint64_t h = s->fseed;

	if (n && v[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	if (v[0] == '*')
		return true; /* a "*." value: rare, the tables decide */
	if (n > 253)
		return false; /* domain_norm rejects it */
	for (size_t i = n; i-- > 0;) {
		unsigned char c = (unsigned char)v[i];
		if (c == '.' && ky__bloom_maybe(&t->fsub, ky__fmix(h)))
			return true;
		h = dom_step(h, c);
	}
	return ky__bloom_maybe(&t->fexact[KY_IOC_DOMAIN], ky__fmix(h));
}

/* false when no indicator of type ty can match v[0..n) (URLs and e-mail
 * addresses are not filtered). */
static bool maybe(const struct ky_ioc_set *s, enum ky_ioc_type ty,
		  const char *v, size_t n)
{
	if (!s->nind[ty])
		return false;
	if (ty == KY_IOC_IP)
		return ky_iptree_maybe(s->t[0].ip, v, n);
	if (ty == KY_IOC_DOMAIN)
		return dom_maybe(s, v, n);
	if (hash_len[ty])
		return n == hash_len[ty] &&
		       ky__bloom_maybe(&s->t[0].fexact[ty],
				       hex_hash(&s->fseed, v, n));
	return true;
}

static void check_value(struct mctx *m, enum ky_ioc_type ty, const char *v,
			size_t n, const struct filt *f)
{
	char buf[IOC_MAX_VALUE + 8];
	struct ky_ioc_hit hit;
	const char *why;
	uint8_t key[KY_IP_KEY_MAX];
	size_t on, kl = 0;

	if (!maybe(m->s, ty, v, n))
		return;
	if (normalise(ty, v, n, buf, ty == KY_IOC_IP ? 0 : sizeof(buf), &on,
		      key, &kl, &why) != 0)
		return;
	hit.ioc = find(&m->s->t[0], ty, buf, on, key, kl, f, false);
	if (!hit.ioc)
		return;
	if (m->s->any_warn && find(&m->s->t[1], ty, buf, on, key, kl, f, true))
		return;
	hit.field = m->field;
	m->hits++;
	if (m->fn && m->fn(m->ud, &hit) != 0)
		m->stop = true;
}

/* Sysmon "MD5=...,SHA256=...,IMPHASH=...": each known algorithm. */
static void check_hashes(struct mctx *m, const char *v, size_t n,
			 const struct filt *f)
{
	static const struct {
		const char *alg;
		enum ky_ioc_type t;
	} algs[] = {{"MD5", KY_IOC_MD5},
		    {"SHA1", KY_IOC_SHA1},
		    {"SHA256", KY_IOC_SHA256}};
	const char *end = v + n;

	while (v < end && !m->stop) {
		const char *c = memchr(v, ',', (size_t)(end - v));
		const char *e = c ? c : end;
		const char *eq = memchr(v, '=', (size_t)(e - v));
		for (size_t i = 0; eq && i < 3; i++) {
			if ((size_t)(eq - v) == strlen(algs[i].alg) &&
			    strncasecmp(v, algs[i].alg, (size_t)(eq - v)) == 0)
				check_value(m, algs[i].t, eq + 1,
					    (size_t)(e - eq - 1), f);
		}
		if (!c)
			break;
		v = c + 1;
	}
}

/* Whether a word holds a '[' (the classic zero-byte test on w ^ "[[[["). */
static inline bool word_has_bracket(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;

	w ^= ones * '[';
	return ((w - ones) & ~w & (ones << 7)) != 0;
}

/* Whether path p[0..n) holds a '[': most paths are 8 to 16 bytes, two
 * overlapping words without a call. */
static inline bool has_bracket(const char *p, size_t n)
{
	uint64_t a, b;

	if (n < 8 || n > 16)
		return memchr(p, '[', n) != NULL;
	memcpy(&a, p, 8);
	memcpy(&b, p + n - 8, 8);
	return word_has_bracket(a) || word_has_bracket(b);
}

/* "a.b[3].c[0]" -> "a.b.c"; 0 when the name does not fit. */
static size_t strip_index(const char *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '[') {
			size_t j = i + 1;
			while (j < n && p[j] >= '0' && p[j] <= '9')
				j++;
			if (j < n && p[j] == ']' && j > i + 1) {
				i = j;
				continue;
			}
		}
		if (o == cap)
			return 0;
		out[o++] = p[i];
	}
	return o;
}

int ky_ioc_match_event(const struct ky_ioc_set *s, const struct ky_event *ev,
		       int (*fn)(void *ud, const struct ky_ioc_hit *hit),
		       void *ud)
{
	struct mctx m = {s, NULL, fn, ud, 0, false};
	const struct ky_field *fld, *end;
	char name[256];

	if (!s || !ev)
		return KY_E_INVAL;
	end = ev->fields + ev->nfields;
	for (fld = ev->fields; fld < end && !m.stop; fld++) {
		const char *p = fld->path;
		size_t n = fld->path_len;
		unsigned kinds, types;
		struct filt f;
		if (fld->type != KY_V_STR || !fld->str_len)
			continue;
		if (has_bracket(p, n)) {
			n = strip_index(p, n, name, sizeof(name));
			p = name;
		}
		if (!(kinds = fx_kinds(s, p, n)))
			continue;
		f.name = p;
		f.len = n;
		f.kinds = kinds;
		m.field = fld;
		if (kinds & F_HASHES) {
			check_hashes(&m, fld->str, fld->str_len, &f);
			continue;
		}
		types = (kinds | kinds >> 8) & 0x7f;
		for (; types && !m.stop; types &= types - 1)
			check_value(&m, (enum ky_ioc_type)__builtin_ctz(types),
				    fld->str, fld->str_len, &f);
	}
	return m.hits;
}
