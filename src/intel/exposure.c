/* Exposures: the inventory's software indexed by package and CPE product,
 * each advisory product looked up there, versions compared, VEX statuses
 * combined per software item and vulnerability (docs/exposures.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/hash.h"
#include "intel/exposure.h"
#include "intel/version.h"

/* A software item under one of its identifiers. */
struct ent {
	const struct ky_asset *asset;
	const struct ky_software *sw;
	const char *v; /* its version; NULL when unknown */
	size_t vlen;
	struct ky_purl purl; /* purl entries */
	struct ky_cpe cpe;   /* CPE entries */
};

struct bucket {
	struct ent *v;
	size_t n, cap;
};

struct ky_exposure_index {
	struct ky_arena *arena;
	struct ky_hash *bypurl, *bycpe; /* key -> struct bucket * */
};

static void bucket_free(void *p)
{
	struct bucket *b = p;

	if (b != NULL)
		free(b->v);
	free(b);
}

void ky_exposure_index_free(struct ky_exposure_index *ix)
{
	if (ix == NULL)
		return;
	ky_hash_free(ix->bypurl, bucket_free);
	ky_hash_free(ix->bycpe, bucket_free);
	ky_arena_free(ix->arena);
	free(ix);
}

static int push(struct ky_hash *h, const char *key, size_t klen,
		const struct ent *e)
{
	struct bucket *b = ky_hash_get(h, key, klen);

	if (b == NULL) {
		int r;

		if ((b = calloc(1, sizeof(*b))) == NULL)
			return KY_E_NOMEM;
		if ((r = ky_hash_put(h, key, klen, b, NULL)) != 0) {
			free(b);
			return r;
		}
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4;
		struct ent *v = realloc(b->v, cap * sizeof(*v));

		if (v == NULL)
			return KY_E_NOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = *e;
	return 0;
}

static int index_sw(struct ky_exposure_index *ix, const struct ky_asset *as,
		    const struct ky_software *sw, size_t *unparsed)
{
	struct ky_err err = {0};
	struct ent e = {.asset = as, .sw = sw};
	const char *key;
	size_t klen;
	int r = 0;

	if (sw->purl != NULL) {
		if (ky_purl_parse(sw->purl, strlen(sw->purl), ix->arena,
				  &e.purl, &err) != 0) {
			(*unparsed)++;
		} else {
			e.v = e.purl.version.len ? e.purl.s + e.purl.version.off
						 : sw->version;
			e.vlen = e.purl.version.len
					 ? e.purl.version.len
					 : (sw->version ? strlen(sw->version)
							: 0);
			key = ky_purl_key(&e.purl, &klen);
			r = push(ix->bypurl, key, klen, &e);
		}
	}
	if (r == 0 && sw->cpe != NULL) {
		struct ent c = {.asset = as, .sw = sw};
		size_t vl = 0;
		const char *v;

		if (ky_cpe_parse(sw->cpe, strlen(sw->cpe), ix->arena, &c.cpe,
				 &err) != 0) {
			(*unparsed)++;
			return 0;
		}
		v = ky_cpe_value(&c.cpe, KY_CPE_VERSION, &vl);
		c.v = v != NULL && vl > 0 ? v : sw->version;
		c.vlen = v != NULL && vl > 0
				 ? vl
				 : (sw->version ? strlen(sw->version) : 0);
		/* an inventory CPE with a wildcard vendor or product names
		 * no one product: it cannot be indexed */
		if ((key = ky_cpe_key(&c.cpe, &klen)) == NULL)
			(*unparsed)++;
		else
			r = push(ix->bycpe, key, klen, &c);
	}
	return r;
}

int ky_exposure_index_new(const struct ky_assets *a,
			  struct ky_exposure_index **out, size_t *unparsed,
			  struct ky_err *err)
{
	struct ky_exposure_index *ix = calloc(1, sizeof(*ix));
	size_t bad = 0;
	int r = 0;

	*out = NULL;
	if (ix == NULL || (ix->arena = ky_arena_new(1 << 16, 0)) == NULL ||
	    (ix->bypurl = ky_hash_new(0)) == NULL ||
	    (ix->bycpe = ky_hash_new(0)) == NULL) {
		ky_exposure_index_free(ix);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; r == 0 && i < ky_assets_count(a); i++) {
		const struct ky_asset *as = ky_assets_at(a, i);

		for (size_t k = 0; r == 0 && k < as->nsoftware; k++)
			r = index_sw(ix, as, &as->software[k], &bad);
	}
	if (r != 0) {
		ky_exposure_index_free(ix);
		return ky_err_set(err, r, "out of memory");
	}
	if (unparsed != NULL)
		*unparsed = bad;
	*out = ix;
	return 0;
}

/* ---- matching one advisory ---------------------------------------------- */

#define AFFECTED                                                               \
	((1u << KY_CSAF_FIRST_AFFECTED) | (1u << KY_CSAF_KNOWN_AFFECTED) |     \
	 (1u << KY_CSAF_LAST_AFFECTED))
#define CLEARED                                                                \
	((1u << KY_CSAF_KNOWN_NOT_AFFECTED) | (1u << KY_CSAF_FIXED) |          \
	 (1u << KY_CSAF_FIRST_FIXED))
#define INVESTIGATING (1u << KY_CSAF_UNDER_INVESTIGATION)

/* What one vulnerability says about one software item so far. */
struct acc {
	const struct ent *e;
	unsigned bits;
	const char *product; /* the first affected product matched */
	double score;
	bool ke;
	const char *fix;
};

struct run {
	const struct ky_csaf *doc;
	const struct ky_csaf_vuln *v;
	struct ky_hash *seen; /* software pointer -> index + 1 in accs */
	struct acc *accs;
	size_t n, cap;
	struct ky_arena *arena;
};

/* The version a product's branches pin: product_version (exact, *exact
 * set) or product_version_range; NULL when neither. */
static const char *pinned(const struct ky_csaf_product *p, bool *exact)
{
	for (size_t i = p->npath; i-- > 0;) {
		const struct ky_csaf_branch *b = &p->path[i];

		if (strcmp(b->category, "product_version") == 0) {
			*exact = true;
			return b->name;
		}
		if (strcmp(b->category, "product_version_range") == 0) {
			*exact = false;
			return b->name;
		}
	}
	return NULL;
}

/* Whether the entry's version fits what the advisory pins (an entry of
 * unknown version fits only a product that pins none). */
static bool version_ok(const struct ent *e, enum ky_vscheme scheme,
		       const char *exact, const struct ky_vrange *range)
{
	if (exact == NULL && range == NULL)
		return true;
	if (e->v == NULL || e->vlen == 0)
		return false;
	if (exact != NULL)
		return ky_version_cmp(scheme, exact, strlen(exact), e->v,
				      e->vlen) == 0;
	return ky_vrange_contains(range, e->v, e->vlen);
}

static double product_score(const struct run *ru, const char *id)
{
	static const struct ky_csaf_strs none = {NULL, 0};
	double best = -1;

	for (size_t i = 0; i < ru->v->nscores; i++) {
		const struct ky_csaf_score *s = &ru->v->scores[i];

		if (s->has_v3 && s->v3_base > best &&
		    ky_csaf_refers_to(ru->doc, &s->products, &none, id))
			best = s->v3_base;
	}
	return best;
}

static const char *product_fix(const struct run *ru, const char *id)
{
	for (size_t i = 0; i < ru->v->nremediations; i++) {
		const struct ky_csaf_remediation *m = &ru->v->remediations[i];

		if (strcmp(m->category, "vendor_fix") == 0 &&
		    ky_csaf_refers_to(ru->doc, &m->products, &m->groups, id))
			return m->details;
	}
	return NULL;
}

static int note(struct run *ru, const struct ent *e, unsigned bits,
		const char *id)
{
	uintptr_t key = (uintptr_t)e->sw;
	void *at = ky_hash_get(ru->seen, &key, sizeof(key));
	struct acc *a;
	int r;

	if (at == NULL) {
		if (ru->n == ru->cap) {
			size_t cap = ru->cap ? 2 * ru->cap : 16;
			struct acc *v = realloc(ru->accs, cap * sizeof(*v));

			if (v == NULL)
				return KY_E_NOMEM;
			ru->accs = v;
			ru->cap = cap;
		}
		a = &ru->accs[ru->n++];
		memset(a, 0, sizeof(*a));
		a->e = e;
		a->score = -1;
		if ((r = ky_hash_put(ru->seen, &key, sizeof(key),
				     (void *)(uintptr_t)ru->n, NULL)) != 0)
			return r;
	} else {
		a = &ru->accs[(uintptr_t)at - 1];
	}
	a->bits |= bits;
	if ((bits & (AFFECTED | INVESTIGATING)) != 0) {
		double s = product_score(ru, id);

		if (a->product == NULL || (bits & AFFECTED) != 0) {
			if (a->product == NULL)
				a->product = id;
			if (s > a->score)
				a->score = s;
		}
		a->ke |= ky_csaf_known_exploited(ru->doc, ru->v, id);
		if (a->fix == NULL)
			a->fix = product_fix(ru, id);
	}
	return 0;
}

/* Software matching product p (named with bits in the vulnerability). */
static int match_product(const struct ky_exposure_index *ix, struct run *ru,
			 const struct ky_csaf_product *p, unsigned bits)
{
	const struct ky_csaf_product *base = ky_csaf_product_base(ru->doc, p);
	struct ky_vrange range, *rp = NULL;
	struct ky_err err = {0};
	const char *pin, *exact = NULL;
	bool isexact = false;
	int r = 0;

	if (base == NULL)
		base = p;
	if ((pin = pinned(base, &isexact)) != NULL) {
		if (isexact)
			exact = pin;
		else if (ky_vrange_parse(pin, strlen(pin), ru->arena, &range,
					 &err) == 0)
			rp = &range;
		else
			return 0; /* "vls" free text: not matched */
	}
	if (base->purl != NULL) {
		struct ky_purl adv;
		const struct bucket *b;
		const char *key;
		size_t klen;

		if (ky_purl_parse(base->purl, strlen(base->purl), ru->arena,
				  &adv, &err) == 0 &&
		    (key = ky_purl_key(&adv, &klen)) != NULL &&
		    (b = ky_hash_get(ix->bypurl, key, klen)) != NULL) {
			const char *ex = exact;
			char *pv = NULL;

			if (adv.version.len > 0 &&
			    (pv = ky_arena_strndup(ru->arena,
						   adv.s + adv.version.off,
						   adv.version.len)) != NULL)
				ex = pv;
			for (size_t i = 0; r == 0 && i < b->n; i++)
				if (ky_purl_same_package(&adv, &b->v[i].purl) &&
				    version_ok(&b->v[i],
					       (enum ky_vscheme)adv.scheme, ex,
					       ex ? NULL : rp))
					r = note(ru, &b->v[i], bits, p->id);
		}
	}
	if (r == 0 && base->cpe != NULL) {
		struct ky_cpe adv;
		const struct bucket *b;
		const char *key;
		size_t klen;
		unsigned skip = pin ? 1u << KY_CPE_VERSION : 0;

		if (ky_cpe_parse(base->cpe, strlen(base->cpe), ru->arena, &adv,
				 &err) == 0 &&
		    (key = ky_cpe_key(&adv, &klen)) != NULL &&
		    (b = ky_hash_get(ix->bycpe, key, klen)) != NULL) {
			for (size_t i = 0; r == 0 && i < b->n; i++)
				if (ky_cpe_applies(&adv, &b->v[i].cpe, skip) &&
				    version_ok(&b->v[i], KY_VS_GENERIC, exact,
					       rp))
					r = note(ru, &b->v[i], bits, p->id);
		}
	}
	return r;
}

static const char *vuln_name(const struct ky_csaf_vuln *v)
{
	if (v->cve != NULL)
		return v->cve;
	return v->nids > 0 ? v->ids[0].text : "";
}

int ky_exposures(const struct ky_exposure_index *ix, const struct ky_csaf *doc,
		 int (*fn)(void *ud, const struct ky_exposure *e), void *ud,
		 struct ky_err *err)
{
	struct run ru = {.doc = doc};
	int r = 0;

	if ((ru.arena = ky_arena_new(1 << 14, 0)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	for (size_t k = 0; r == 0 && k < doc->nvulns; k++) {
		ru.v = &doc->vulns[k];
		ru.n = 0;
		if ((ru.seen = ky_hash_new(0)) == NULL) {
			r = KY_E_NOMEM;
			break;
		}
		for (size_t i = 0; r == 0 && i < doc->nproducts; i++) {
			unsigned bits =
				ky_csaf_status_of(ru.v, doc->products[i].id);

			if (bits != 0)
				r = match_product(ix, &ru, &doc->products[i],
						  bits);
		}
		for (size_t i = 0; r == 0 && i < ru.n; i++) {
			const struct acc *a = &ru.accs[i];
			struct ky_exposure x;

			if ((a->bits & CLEARED) != 0 ||
			    (a->bits & (AFFECTED | INVESTIGATING)) == 0)
				continue;
			x.asset = a->e->asset;
			x.sw = a->e->sw;
			x.advisory = doc->tracking_id;
			x.cve = vuln_name(ru.v);
			x.product = a->product;
			x.state = (a->bits & AFFECTED)
					  ? KY_EXP_AFFECTED
					  : KY_EXP_UNDER_INVESTIGATION;
			x.score = a->score;
			x.known_exploited = a->ke;
			x.fix = a->fix;
			r = fn(ud, &x);
		}
		ky_hash_free(ru.seen, NULL);
		ru.seen = NULL;
		ky_arena_reset(ru.arena);
	}
	free(ru.accs);
	ky_arena_free(ru.arena);
	if (r == KY_E_NOMEM)
		return ky_err_set(err, r, "out of memory");
	return r;
}
