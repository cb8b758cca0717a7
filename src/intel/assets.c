/* The asset inventory: validation of the fields, import records, merge on
 * re-import, and hash indexes by id, host name, short name and address so
 * that linking an alert to its assets costs a few lookups and no malloc. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/text.h"
#include "event/event.h"
#include "intel/assets.h"

/* ISO 3166-1 alpha-2 (iso-codes 4.x, 249 codes) plus XK, the user-assigned
 * code the EU and many CERTs use for Kosovo. */
static const char countries[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBT"
	"BVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEH"
	"ERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHT"
	"HUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLS"
	"LTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNI"
	"NLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESG"
	"SHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUG"
	"UMUSUYUZVAVCVEVGVIVNVUWFWSXKYEYTZAZMZW";

/* Assets sharing one index key (an address can be on two hosts behind
 * different NATs; a short name on several domains). */
struct alist {
	size_t n, cap;
	struct ky_asset **v;
};

struct ky_assets {
	struct ky_asset **v;
	size_t n, cap;
	struct ky_hash *by_id;	  /* id -> asset */
	struct ky_hash *by_host;  /* full lower-case name -> alist */
	struct ky_hash *by_short; /* first label of an FQDN -> alist */
	struct ky_hash *by_addr;  /* 4 or 16 address bytes -> alist */
};

const char *ky__asset_show(const char *s, size_t n, char out[80])
{
	size_t i, o = 0, lim = n > 60 ? 60 : n;

	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (n > lim) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* ---- validation ---- */

bool ky_asset_country_valid(const char *cc, size_t n)
{
	char u[2];
	size_t i;

	if (n != 2)
		return false;
	for (i = 0; i < 2; i++) {
		char c = cc[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		u[i] = c;
	}
	for (i = 0; i + 1 < sizeof(countries); i += 2)
		if (countries[i] == u[0] && countries[i + 1] == u[1])
			return true;
	return false;
}

/* Address bytes for the index: 4 for IPv4 (also IPv4-mapped IPv6), 16 for
 * IPv6.  zone_ok lets a lookup drop a "%eth0" zone. */
static int addr_bytes(const char *s, size_t n, unsigned char key[16],
		      size_t *klen, bool zone_ok)
{
	char tmp[64];
	const char *pct;
	struct in6_addr a6;

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if ((pct = memchr(s, '%', n)) != NULL) {
		if (!zone_ok)
			return -2;
		n = (size_t)(pct - s);
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, key) == 1) {
		*klen = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(key, a6.s6_addr + 12, 4);
		*klen = 4;
	} else {
		memcpy(key, a6.s6_addr, 16);
		*klen = 16;
	}
	return 0;
}

int ky_asset_norm_addr(const char *s, size_t n, char out[KY_ASSET_ADDR_TEXT],
		       struct ky_err *err)
{
	unsigned char key[16];
	size_t klen;
	char show[80];
	int r = addr_bytes(s, n, key, &klen, false);

	if (r == -2)
		return ky_err_set(err, KY_E_PARSE,
				  "'%s': a zone index has no place in an "
				  "inventory address",
				  ky__asset_show(s, n, show));
	if (r != 0)
		return ky_err_set(err, KY_E_PARSE,
				  "'%s' is not an IPv4 or IPv6 address",
				  ky__asset_show(s, n, show));
	if (inet_ntop(klen == 4 ? AF_INET : AF_INET6, key, out,
		      KY_ASSET_ADDR_TEXT) == NULL)
		return ky_err_set(err, KY_E_INTERNAL, "inet_ntop failed");
	return 0;
}

/* Lower case without a trailing dot, no checks: for lookups.  Returns the
 * length, or 0 when it cannot be a host name. */
static size_t host_fold(const char *s, size_t n, char *out)
{
	size_t i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > KY_ASSET_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return n;
}

int ky_asset_norm_host(const char *s, size_t n, char *out, struct ky_err *err)
{
	char show[80];
	size_t i, len, lab = 0;

	if ((len = host_fold(s, n, out)) == 0)
		return ky_err_set(
			err, KY_E_PARSE, "'%s' is not a host name (1-%d bytes)",
			ky__asset_show(s, n, show), KY_ASSET_HOST_MAX);
	for (i = 0; i <= len; i++) {
		char c = out[i];

		if (c == '.' || c == '\0') {
			if (lab == 0 || lab > 63 || out[i - 1] == '-')
				goto bad;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || (c == '-' && lab > 0)))
			goto bad;
		lab++;
	}
	return 0;
bad:
	return ky_err_set(err, KY_E_PARSE,
			  "'%s' is not a host name (letters, digits, '-', '_' "
			  "in dot-separated labels of 1-63; IDNs as xn--)",
			  ky__asset_show(s, n, show));
}

/* ---- records ---- */

/* Copies a field checked for size, UTF-8 and control characters. */
static int dup_field(const char *s, size_t n, char **out, struct ky_err *err)
{
	char show[80];
	size_t i, bad;

	*out = NULL;
	if (n > KY_ASSET_FIELD_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "%zu bytes, more than the limit of %d", n,
				  KY_ASSET_FIELD_MAX);
	if ((bad = ky_utf8_check(s, n)) != n)
		return ky_err_set(err, KY_E_PARSE,
				  "invalid UTF-8 at byte %zu of '%s'", bad,
				  ky__asset_show(s, n, show));
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\r' && s[i] != '\n')
			return ky_err_set(err, KY_E_PARSE,
					  "control character 0x%02x at byte "
					  "%zu",
					  (unsigned)(unsigned char)s[i], i);
	if ((*out = ky_strndup(s, n)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

static int push_str(char ***v, size_t *n, char *s, struct ky_err *err)
{
	char **nv;

	if (*n >= KY_ASSET_LIST_MAX) {
		free(s);
		return ky_err_set(err, KY_E_TOOBIG, "more than %d values",
				  KY_ASSET_LIST_MAX);
	}
	if ((nv = ky_reallocarray(*v, *n + 1, sizeof(*nv))) == NULL) {
		free(s);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static bool has_str(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_software(struct ky_software *sw, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(sw[i].name);
		free(sw[i].version);
		free(sw[i].cpe);
		free(sw[i].purl);
		free(sw[i].supplier);
	}
	free(sw);
}

static void asset_fields_free(struct ky_asset *as)
{
	free(as->id);
	free_strv(as->hostnames, as->nhostnames);
	free_strv(as->addresses, as->naddresses);
	free(as->owner);
	free(as->location);
	free_strv(as->tags, as->ntags);
	free_software(as->software, as->nsoftware);
	memset(as, 0, sizeof(*as));
}

void ky_asset_rec_init(struct ky_asset_rec *r)
{
	memset(r, 0, sizeof(*r));
}

void ky_asset_rec_clear(struct ky_asset_rec *r)
{
	asset_fields_free(&r->a);
	ky_hash_free(r->seen, NULL);
	ky_asset_rec_init(r);
}

int ky_asset_rec_set_id(struct ky_asset_rec *r, const char *s, size_t n,
			struct ky_err *err)
{
	char *v;
	int rc;

	if (n == 0)
		return ky_err_set(err, KY_E_PARSE, "empty id");
	if ((rc = dup_field(s, n, &v, err)) != 0)
		return rc;
	free(r->a.id);
	r->a.id = v;
	r->present |= KY_AF_ID;
	return 0;
}

int ky_asset_rec_add_addr(struct ky_asset_rec *r, const char *s, size_t n,
			  struct ky_err *err)
{
	char buf[KY_ASSET_ADDR_TEXT], *v;
	int rc;

	if ((rc = ky_asset_norm_addr(s, n, buf, err)) != 0)
		return rc;
	r->present |= KY_AF_ADDRESSES;
	if (has_str(r->a.addresses, r->a.naddresses, buf))
		return 0;
	if ((v = ky_strndup(buf, strlen(buf))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return push_str(&r->a.addresses, &r->a.naddresses, v, err);
}

int ky_asset_rec_add_host(struct ky_asset_rec *r, const char *s, size_t n,
			  struct ky_err *err)
{
	char buf[KY_ASSET_HOST_MAX + 1], *v;
	unsigned char key[16];
	size_t klen;
	int rc;

	/* CMDB exports put addresses in the host name column often enough
	 * that refusing the record would help nobody. */
	if (addr_bytes(s, n, key, &klen, false) == 0)
		return ky_asset_rec_add_addr(r, s, n, err);
	if ((rc = ky_asset_norm_host(s, n, buf, err)) != 0)
		return rc;
	r->present |= KY_AF_HOSTNAMES;
	if (has_str(r->a.hostnames, r->a.nhostnames, buf))
		return 0;
	if ((v = ky_strndup(buf, strlen(buf))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return push_str(&r->a.hostnames, &r->a.nhostnames, v, err);
}

int ky_asset_rec_add_tag(struct ky_asset_rec *r, const char *s, size_t n,
			 struct ky_err *err)
{
	char *v;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = dup_field(s, n, &v, err)) != 0)
		return rc;
	r->present |= KY_AF_TAGS;
	if (has_str(r->a.tags, r->a.ntags, v)) {
		free(v);
		return 0;
	}
	return push_str(&r->a.tags, &r->a.ntags, v, err);
}

int ky_asset_rec_set_str(struct ky_asset_rec *r, enum ky_asset_field field,
			 const char *s, size_t n, struct ky_err *err)
{
	char **dst, *v;
	int rc;

	if (field == KY_AF_OWNER)
		dst = &r->a.owner;
	else if (field == KY_AF_LOCATION)
		dst = &r->a.location;
	else
		return ky_err_set(err, KY_E_INVAL, "not a string field");
	if ((rc = dup_field(s, n, &v, err)) != 0)
		return rc;
	free(*dst);
	*dst = v;
	r->present |= field;
	return 0;
}

int ky_asset_rec_set_crit(struct ky_asset_rec *r, const char *s, size_t n,
			  struct ky_err *err)
{
	char show[80];

	if (n != 1 || s[0] < '1' || s[0] > '5')
		return ky_err_set(err, KY_E_PARSE, "'%s' is not 1-5",
				  ky__asset_show(s, n, show));
	r->a.criticality = s[0] - '0';
	r->present |= KY_AF_CRITICALITY;
	return 0;
}

int ky_asset_rec_set_country(struct ky_asset_rec *r, const char *s, size_t n,
			     struct ky_err *err)
{
	char show[80];
	bool el = n == 2 && (s[0] | 0x20) == 'e' && (s[1] | 0x20) == 'l';

	if (!ky_asset_country_valid(s, n))
		return ky_err_set(err, KY_E_PARSE,
				  "'%s' is not an ISO 3166-1 alpha-2 code%s",
				  ky__asset_show(s, n, show),
				  el ? " (Greece is GR)" : "");
	r->a.country[0] = (char)(s[0] & ~0x20);
	r->a.country[1] = (char)(s[1] & ~0x20);
	r->a.country[2] = '\0';
	r->present |= KY_AF_COUNTRY;
	return 0;
}

/* Duplicate key of a software item: purl, else CPE, else name and
 * version; the prefix keeps the three kinds apart. */
static size_t sw_key(const struct ky_software *sw, char *k, size_t cap)
{
	const char *one = sw->purl ? sw->purl : sw->cpe;
	size_t a, b;

	k[0] = sw->purl ? 'p' : (sw->cpe ? 'c' : 'n');
	if (one) {
		a = strlen(one);
		memcpy(k + 1, one, a);
		return a + 1;
	}
	a = strlen(sw->name);
	b = sw->version ? strlen(sw->version) : 0;
	if (a + b + 2 > cap)
		return 0;
	memcpy(k + 1, sw->name, a);
	k[a + 1] = '\0';
	memcpy(k + a + 2, sw->version ? sw->version : "", b);
	return a + b + 2;
}

static int dup_opt(const char *s, char **out, const char *what,
		   struct ky_err *err)
{
	int r;

	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return 0;
	if ((r = dup_field(s, strlen(s), out, err)) != 0)
		ky_err_prefix(err, "%s", what);
	return r;
}

int ky_asset_rec_add_software(struct ky_asset_rec *r,
			      const struct ky_software *in, struct ky_err *err)
{
	struct ky_software sw = {0}, *nv;
	char key[2 * KY_ASSET_FIELD_MAX + 4];
	size_t klen;
	int rc;

	r->present |= KY_AF_SOFTWARE;
	if (in->name == NULL || in->name[0] == '\0')
		return ky_err_set(err, KY_E_PARSE, "software without a name");
	if ((rc = dup_opt(in->name, &sw.name, "name", err)) != 0 ||
	    (rc = dup_opt(in->version, &sw.version, "version", err)) != 0 ||
	    (rc = dup_opt(in->cpe, &sw.cpe, "cpe", err)) != 0 ||
	    (rc = dup_opt(in->purl, &sw.purl, "purl", err)) != 0 ||
	    (rc = dup_opt(in->supplier, &sw.supplier, "supplier", err)) != 0)
		goto out;
	if (sw.cpe && strncmp(sw.cpe, "cpe:2.3:", 8) != 0 &&
	    strncmp(sw.cpe, "cpe:/", 5) != 0) {
		rc = ky_err_set(err, KY_E_PARSE, "cpe: '%.60s' is not a CPE",
				sw.cpe);
		goto out;
	}
	if (sw.purl && strncmp(sw.purl, "pkg:", 4) != 0) {
		rc = ky_err_set(
			err, KY_E_PARSE,
			"purl: '%.60s' does not start with pkg:", sw.purl);
		goto out;
	}
	if (r->a.nsoftware >= KY_ASSET_SOFTWARE_MAX) {
		rc = ky_err_set(err, KY_E_TOOBIG, "more than %d software items",
				KY_ASSET_SOFTWARE_MAX);
		goto out;
	}
	rc = KY_E_NOMEM;
	if (r->seen == NULL && (r->seen = ky_hash_new(0)) == NULL)
		goto nomem;
	klen = sw_key(&sw, key, sizeof(key));
	if (klen > 0 && ky_hash_get(r->seen, key, klen) != NULL) {
		rc = 0; /* a duplicate: dropped */
		goto out;
	}
	if (klen > 0 && ky_hash_put(r->seen, key, klen, r, NULL) != 0)
		goto nomem;
	/* Capacity is the next power of two: no count field, no quadratic
	 * copying for SBOMs of 100,000 components. */
	if ((r->a.nsoftware & (r->a.nsoftware - 1)) == 0) {
		nv = ky_reallocarray(r->a.software,
				     r->a.nsoftware ? 2 * r->a.nsoftware : 1,
				     sizeof(*nv));
		if (nv == NULL)
			goto nomem;
		r->a.software = nv;
	}
	nv = r->a.software;
	nv[r->a.nsoftware++] = sw;
	return 0;
nomem:
	ky_err_set(err, rc, "out of memory");
out:
	free(sw.name);
	free(sw.version);
	free(sw.cpe);
	free(sw.purl);
	free(sw.supplier);
	return rc;
}

/* ---- the inventory and its indexes ---- */

static void alist_free(void *p)
{
	struct alist *l = p;

	if (l) {
		free(l->v);
		free(l);
	}
}

static int index_add(struct ky_hash *h, const void *key, size_t klen,
		     struct ky_asset *as)
{
	struct alist *l = ky_hash_get(h, key, klen);
	struct ky_asset **nv;

	if (l == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			return KY_E_NOMEM;
		if (ky_hash_put(h, key, klen, l, NULL) != 0) {
			free(l);
			return KY_E_NOMEM;
		}
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 1;

		if ((nv = ky_reallocarray(l->v, nc, sizeof(*nv))) == NULL)
			return KY_E_NOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = as;
	return 0;
}

static void index_del(struct ky_hash *h, const void *key, size_t klen,
		      const struct ky_asset *as)
{
	struct alist *l = ky_hash_get(h, key, klen);
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		if (l->v[i] == as) {
			memmove(l->v + i, l->v + i + 1,
				(l->n - i - 1) * sizeof(*l->v));
			l->n--;
			break;
		}
	if (l->n == 0)
		alist_free(ky_hash_del(h, key, klen));
}

/* The first label of an FQDN, or 0 for a short name. */
static size_t short_len(const char *h)
{
	const char *dot = strchr(h, '.');

	return dot ? (size_t)(dot - h) : 0;
}

static int index_op(struct ky_hash *h, const void *key, size_t klen,
		    struct ky_asset *as, bool add)
{
	if (add)
		return index_add(h, key, klen, as);
	index_del(h, key, klen, as);
	return 0;
}

/* Adds (add) or removes the asset's keys; removal never fails. */
static int index_asset(struct ky_assets *a, struct ky_asset *as, bool add)
{
	unsigned char key[16];
	size_t i, klen, sl;
	int r = 0;

	for (i = 0; i < as->nhostnames && r == 0; i++) {
		const char *h = as->hostnames[i];

		r = index_op(a->by_host, h, strlen(h), as, add);
		if (r == 0 && (sl = short_len(h)) > 0)
			r = index_op(a->by_short, h, sl, as, add);
	}
	for (i = 0; i < as->naddresses && r == 0; i++)
		if (addr_bytes(as->addresses[i], strlen(as->addresses[i]), key,
			       &klen, false) == 0)
			r = index_op(a->by_addr, key, klen, as, add);
	return r;
}

struct ky_assets *ky_assets_new(void)
{
	struct ky_assets *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->by_id = ky_hash_new(KY_HASH_BORROW_KEYS);
	a->by_host = ky_hash_new(0);
	a->by_short = ky_hash_new(0);
	a->by_addr = ky_hash_new(0);
	if (!a->by_id || !a->by_host || !a->by_short || !a->by_addr) {
		ky_assets_free(a);
		return NULL;
	}
	return a;
}

void ky_assets_free(struct ky_assets *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		asset_fields_free(a->v[i]);
		free(a->v[i]);
	}
	free(a->v);
	ky_hash_free(a->by_id, NULL);
	ky_hash_free(a->by_host, alist_free);
	ky_hash_free(a->by_short, alist_free);
	ky_hash_free(a->by_addr, alist_free);
	free(a);
}

size_t ky_assets_count(const struct ky_assets *a)
{
	return a->n;
}

const struct ky_asset *ky_assets_at(const struct ky_assets *a, size_t i)
{
	return i < a->n ? a->v[i] : NULL;
}

const struct ky_asset *ky_assets_get(const struct ky_assets *a, const char *id)
{
	return ky_hash_get(a->by_id, id, strlen(id));
}

/* Moves the present fields of src into dst, freeing what they replace. */
static void merge_fields(struct ky_asset *dst, struct ky_asset *src,
			 unsigned present)
{
#define MOVE_V(f, nf)                                                          \
	do {                                                                   \
		free_strv(dst->f, dst->nf);                                    \
		dst->f = src->f;                                               \
		dst->nf = src->nf;                                             \
		src->f = NULL;                                                 \
		src->nf = 0;                                                   \
	} while (0)
#define MOVE_S(f)                                                              \
	do {                                                                   \
		free(dst->f);                                                  \
		dst->f = src->f;                                               \
		src->f = NULL;                                                 \
	} while (0)
	if (present & KY_AF_HOSTNAMES)
		MOVE_V(hostnames, nhostnames);
	if (present & KY_AF_ADDRESSES)
		MOVE_V(addresses, naddresses);
	if (present & KY_AF_TAGS)
		MOVE_V(tags, ntags);
	if (present & KY_AF_OWNER)
		MOVE_S(owner);
	if (present & KY_AF_LOCATION)
		MOVE_S(location);
	if (present & KY_AF_CRITICALITY)
		dst->criticality = src->criticality;
	if (present & KY_AF_COUNTRY)
		memcpy(dst->country, src->country, sizeof(dst->country));
	if (present & KY_AF_SOFTWARE) {
		free_software(dst->software, dst->nsoftware);
		dst->software = src->software;
		dst->nsoftware = src->nsoftware;
		src->software = NULL;
		src->nsoftware = 0;
	}
#undef MOVE_V
#undef MOVE_S
}

static struct ky_asset *find_target(const struct ky_assets *a,
				    const struct ky_asset_rec *rec,
				    const char **derived)
{
	const struct alist *l;
	size_t i;

	*derived = NULL;
	if (rec->a.id)
		return ky_hash_get(a->by_id, rec->a.id, strlen(rec->a.id));
	for (i = 0; i < rec->a.nhostnames; i++) {
		const char *h = rec->a.hostnames[i];

		if ((l = ky_hash_get(a->by_host, h, strlen(h))) != NULL &&
		    l->n > 0)
			return l->v[0];
	}
	if (rec->a.nhostnames > 0)
		*derived = rec->a.hostnames[0];
	else if (rec->a.naddresses > 0)
		*derived = rec->a.addresses[0];
	else
		return NULL;
	return ky_hash_get(a->by_id, *derived, strlen(*derived));
}

int ky_assets_put(struct ky_assets *a, struct ky_asset_rec *rec, bool *added,
		  const struct ky_asset **out, struct ky_err *err)
{
	struct ky_asset *as, **nv;
	const char *derived;
	int r;

	if (added)
		*added = false;
	if (!rec->a.id && !rec->a.nhostnames && !rec->a.naddresses)
		return ky_err_set(err, KY_E_INVAL,
				  "no id, host name or address");
	if ((as = find_target(a, rec, &derived)) != NULL) {
		index_asset(a, as, false);
		merge_fields(as, &rec->a, rec->present);
		if ((r = index_asset(a, as, true)) != 0)
			return ky_err_set(err, r, "out of memory");
		goto done;
	}
	if (!rec->a.id &&
	    (rec->a.id = ky_strndup(derived, strlen(derived))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 64;

		if ((nv = ky_reallocarray(a->v, nc, sizeof(*nv))) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		a->v = nv;
		a->cap = nc;
	}
	if ((as = malloc(sizeof(*as))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	*as = rec->a; /* transferred */
	memset(&rec->a, 0, sizeof(rec->a));
	if (ky_hash_put(a->by_id, as->id, strlen(as->id), as, NULL) != 0) {
		rec->a = *as;
		free(as);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	a->v[a->n++] = as;
	if (added)
		*added = true;
	if ((r = index_asset(a, as, true)) != 0)
		return ky_err_set(err, r, "out of memory");
done:
	if (out)
		*out = as;
	ky_asset_rec_clear(rec);
	return 0;
}

/* ---- lookups ---- */

static size_t emit(const struct alist *l, const struct ky_asset **out,
		   size_t max)
{
	size_t i;

	for (i = 0; i < l->n && i < max; i++)
		out[i] = l->v[i];
	return l->n;
}

size_t ky_assets_find_addr(const struct ky_assets *a, const char *s, size_t n,
			   const struct ky_asset **out, size_t max)
{
	unsigned char key[16];
	size_t klen;
	const struct alist *l;

	if (addr_bytes(s, n, key, &klen, true) != 0)
		return 0;
	if ((l = ky_hash_get(a->by_addr, key, klen)) == NULL)
		return 0;
	return emit(l, out, max);
}

/* The one asset in l, counting an asset listed twice once; NULL when l
 * holds several. */
static struct ky_asset *only_one(const struct alist *l)
{
	size_t i;

	if (l == NULL || l->n == 0)
		return NULL;
	for (i = 1; i < l->n; i++)
		if (l->v[i] != l->v[0])
			return NULL;
	return l->v[0];
}

size_t ky_assets_find_host(const struct ky_assets *a, const char *s, size_t n,
			   const struct ky_asset **out, size_t max)
{
	char h[KY_ASSET_HOST_MAX + 1];
	const struct alist *l;
	struct ky_asset *one;
	size_t len, sl;

	if ((len = host_fold(s, n, h)) == 0)
		return 0;
	if ((l = ky_hash_get(a->by_host, h, len)) != NULL)
		return emit(l, out, max);
	if ((sl = short_len(h)) == 0)
		one = only_one(ky_hash_get(a->by_short, h, len));
	else
		one = only_one(ky_hash_get(a->by_host, h, sl));
	if (one == NULL)
		return 0;
	if (max > 0)
		out[0] = one;
	return 1;
}

/* Appends the assets of found[0..n) not yet in out; returns the count of
 * distinct assets so far (which may pass max). */
static size_t add_matches(struct ky_asset_match *out, size_t max, size_t have,
			  const struct ky_asset *const *found, size_t n,
			  const char *via)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < have && j < max; j++)
			if (out[j].asset == found[i])
				break;
		if (j < have && j < max)
			continue;
		if (have < max) {
			out[have].asset = found[i];
			out[have].via = via;
		}
		have++;
	}
	return have;
}

#define FOUND_MAX 16

size_t ky_assets_link(const struct ky_assets *a, const char *host,
		      const char *src, const char *dst,
		      struct ky_asset_match *out, size_t max)
{
	const char *q[3] = {host, dst, src};
	static const char *const via[3] = {"host", "destination", "source"};
	const struct ky_asset *found[FOUND_MAX];
	size_t have = 0, n, i;

	for (i = 0; i < 3; i++) {
		if (q[i] == NULL)
			continue;
		n = i == 0 ? ky_assets_find_host(a, q[i], strlen(q[i]), found,
						 FOUND_MAX)
			   : ky_assets_find_addr(a, q[i], strlen(q[i]), found,
						 FOUND_MAX);
		have = add_matches(out, max, have, found,
				   n < FOUND_MAX ? n : FOUND_MAX, via[i]);
	}
	return have;
}

/* Event fields that name the alert's host or carry its addresses, in the
 * order they are tried. */
static const struct link_field {
	const char *name;
	bool host;
} link_fields[] = {
	{"host.name", true},	  {"host.hostname", true},
	{"Computer", true},	  {"hostname", true},
	{"host.ip", false},	  {"destination.ip", false},
	{"DestinationIp", false}, {"server.ip", false},
	{"source.ip", false},	  {"SourceIp", false},
	{"IpAddress", false},	  {"client.ip", false},
};

/* Whether path is name or name[N]. */
static bool path_is(const struct ky_field *f, const char *name, size_t nl)
{
	size_t i;

	if (f->path_len < nl || memcmp(f->path, name, nl) != 0)
		return false;
	if (f->path_len == nl)
		return true;
	if (f->path[nl] != '[' || f->path[f->path_len - 1] != ']' ||
	    f->path_len < nl + 3)
		return false;
	for (i = nl + 1; i + 1 < f->path_len; i++)
		if (f->path[i] < '0' || f->path[i] > '9')
			return false;
	return true;
}

size_t ky_assets_link_event(const struct ky_assets *a,
			    const struct ky_event *ev,
			    struct ky_asset_match *out, size_t max)
{
	const struct ky_asset *found[FOUND_MAX];
	size_t have = 0, t, i, n, nl;

	for (t = 0; t < sizeof(link_fields) / sizeof(link_fields[0]); t++) {
		nl = strlen(link_fields[t].name);
		for (i = 0; i < ev->nfields; i++) {
			const struct ky_field *f = &ev->fields[i];

			if (f->type != KY_V_STR ||
			    !path_is(f, link_fields[t].name, nl))
				continue;
			if (link_fields[t].host)
				n = ky_assets_find_host(a, f->str, f->str_len,
							found, FOUND_MAX);
			else
				n = ky_assets_find_addr(a, f->str, f->str_len,
							found, FOUND_MAX);
			have = add_matches(out, max, have, found,
					   n < FOUND_MAX ? n : FOUND_MAX,
					   link_fields[t].name);
		}
	}
	return have;
}
