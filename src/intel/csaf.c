/* CSAF 2.0 document model: reads a document with jansson into the compact
 * model of csaf.h (strings copied into one arena owned by the model) and
 * answers product, group and status lookups.  The mandatory tests live in
 * csaf_check.c and csaf_check2.c. */
#include "intel/csaf.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/hash.h"

struct ky_csaf__priv {
	struct ky_arena *arena;
	json_t *root;
	struct ky_hash *products; /* id -> struct ky_csaf_product * */
	struct ky_hash *groups;	  /* id -> struct ky_csaf_group * */
	struct ky_csaf_product *pv;
	size_t pn, pcap;
};

struct parser {
	struct ky_csaf *doc;
	struct ky_csaf__priv *pv;
	struct ky_err *err;
	const char *name;
	struct ky_buf path;
	struct ky_csaf_branch steps[KY_CSAF_MAX_BRANCH_DEPTH];
};

static const char *const status_names[KY_CSAF_STATUS_COUNT] = {
	"first_affected", "first_fixed",	 "fixed",
	"known_affected", "known_not_affected",	 "last_affected",
	"recommended",	  "under_investigation",
};

const char *ky_csaf_status_name(enum ky_csaf_status s)
{
	if ((unsigned)s >= KY_CSAF_STATUS_COUNT)
		return NULL;
	return status_names[s];
}

/* The path buffer grows and shrinks as the reader descends; push returns
 * the length to restore. */
static size_t push_key(struct parser *p, const char *key)
{
	size_t old = p->path.len;
	if (ky_buf_addc(&p->path, '/') == 0)
		(void)ky_buf_adds(&p->path, key);
	return old;
}

static size_t push_idx(struct parser *p, size_t i)
{
	size_t old = p->path.len;
	(void)ky_buf_addf(&p->path, "/%zu", i);
	return old;
}

static void pop(struct parser *p, size_t old)
{
	if (p->path.data && old <= p->path.len) {
		p->path.len = old;
		p->path.data[old] = '\0';
	}
}

static int fail(struct parser *p, const char *key, const char *what)
{
	return ky_err_set(p->err, KY_E_PARSE, "%s: %s%s%s: %s", p->name,
			  ky_buf_str(&p->path), key ? "/" : "", key ? key : "",
			  what);
}

static const char *dup(struct parser *p, const char *s)
{
	return ky_arena_strndup(p->pv->arena, s, strlen(s));
}

/* A string member: absent gives NULL (or an error when required). */
static int get_str(struct parser *p, const json_t *obj, const char *key,
		   bool required, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v)
		return required ? fail(p, key, "required member is missing")
				: 0;
	if (!json_is_string(v))
		return fail(p, key, "must be a string");
	*out = dup(p, json_string_value(v));
	return *out ? 0
		    : ky_err_set(p->err, KY_E_NOMEM, "%s: out of memory",
				 p->name);
}

static int get_obj(struct parser *p, const json_t *obj, const char *key,
		   bool required, const json_t **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v)
		return required ? fail(p, key, "required member is missing")
				: 0;
	if (!json_is_object(v))
		return fail(p, key, "must be an object");
	*out = v;
	return 0;
}

static int get_arr(struct parser *p, const json_t *obj, const char *key,
		   const json_t **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return fail(p, key, "must be an array");
	*out = v;
	return 0;
}

static void *alloc_n(struct parser *p, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	if (n > SIZE_MAX / size)
		return NULL;
	void *m = ky_arena_alloc(p->pv->arena, n * size);
	if (m)
		memset(m, 0, n * size);
	return m;
}

#define NOMEM(p)                                                               \
	ky_err_set((p)->err, KY_E_NOMEM, "%s: out of memory", (p)->name)

/* An array of strings (products_t, product_groups_t). */
static int get_strs(struct parser *p, const json_t *obj, const char *key,
		    struct ky_csaf_strs *out)
{
	const json_t *a;
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = get_arr(p, obj, key, &a)) != 0 || !a)
		return r;
	size_t n = json_array_size(a);
	if (n == 0)
		return 0;
	if (!(out->v = alloc_n(p, n, sizeof(*out->v))))
		return NOMEM(p);
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(a, i);
		if (!json_is_string(s))
			return ky_err_set(p->err, KY_E_PARSE,
					  "%s: %s/%s/%zu: must be a string",
					  p->name, ky_buf_str(&p->path), key,
					  i);
		if (!(out->v[i] = dup(p, json_string_value(s))))
			return NOMEM(p);
	}
	out->n = n;
	return 0;
}

static int add_product(struct parser *p, const json_t *fpn,
		       enum ky_csaf_origin origin, size_t depth,
		       struct ky_csaf_product **out)
{
	struct ky_csaf__priv *pv = p->pv;
	struct ky_csaf_product *prod;
	const json_t *pih, *hashes;
	int r;

	if (!json_is_object(fpn))
		return fail(p, NULL, "must be an object");
	if (pv->pn == pv->pcap) {
		size_t cap = pv->pcap ? pv->pcap * 2 : 16;
		void *m = ky_reallocarray(pv->pv, cap, sizeof(*pv->pv));
		if (!m)
			return NOMEM(p);
		pv->pv = m;
		pv->pcap = cap;
	}
	prod = &pv->pv[pv->pn];
	memset(prod, 0, sizeof(*prod));
	prod->origin = origin;
	if ((r = get_str(p, fpn, "product_id", true, &prod->id)) != 0 ||
	    (r = get_str(p, fpn, "name", true, &prod->name)) != 0)
		return r;
	if (!(prod->where = dup(p, ky_buf_str(&p->path))))
		return NOMEM(p);
	if (depth > 0) {
		struct ky_csaf_branch *path = alloc_n(p, depth, sizeof(*path));
		if (!path)
			return NOMEM(p);
		memcpy(path, p->steps, depth * sizeof(*path));
		prod->path = path;
		prod->npath = depth;
	}
	if ((r = get_obj(p, fpn, "product_identification_helper", false,
			 &pih)) != 0)
		return r;
	if (!pih)
		goto done;
	size_t old = push_key(p, "product_identification_helper");
	if ((r = get_str(p, pih, "cpe", false, &prod->cpe)) != 0 ||
	    (r = get_str(p, pih, "purl", false, &prod->purl)) != 0 ||
	    (r = get_arr(p, pih, "hashes", &hashes)) != 0)
		return r;
	size_t nh = 0;
	for (size_t i = 0; hashes && i < json_array_size(hashes); i++) {
		const json_t *fh = json_object_get(json_array_get(hashes, i),
						   "file_hashes");
		nh += json_is_array(fh) ? json_array_size(fh) : 0;
	}
	struct ky_csaf_file_hash *hv = alloc_n(p, nh, sizeof(*hv));
	if (nh && !hv)
		return NOMEM(p);
	size_t k = 0;
	for (size_t i = 0; hashes && i < json_array_size(hashes); i++) {
		const json_t *h = json_array_get(hashes, i), *fh;
		const char *fname = NULL;
		size_t o2 = push_idx(p, i);
		if (!json_is_object(h))
			return fail(p, NULL, "must be an object");
		if ((r = get_str(p, h, "filename", true, &fname)) != 0 ||
		    (r = get_arr(p, h, "file_hashes", &fh)) != 0)
			return r;
		for (size_t j = 0; fh && j < json_array_size(fh); j++) {
			const json_t *e = json_array_get(fh, j);
			if (!json_is_object(e))
				return fail(p, "file_hashes",
					    "item must be an object");
			hv[k].filename = fname;
			if ((r = get_str(p, e, "algorithm", true,
					 &hv[k].algorithm)) != 0 ||
			    (r = get_str(p, e, "value", true, &hv[k].value)) !=
				    0)
				return r;
			k++;
		}
		pop(p, o2);
	}
	prod->hashes = hv;
	prod->nhashes = k;
	pop(p, old);
done:
	pv->pn++;
	if (out)
		*out = prod;
	return 0;
}

static int read_branches(struct parser *p, const json_t *arr, size_t depth)
{
	int r;
	if (!json_is_array(arr))
		return fail(p, NULL, "must be an array");
	if (depth >= KY_CSAF_MAX_BRANCH_DEPTH)
		return ky_err_set(p->err, KY_E_TOOBIG,
				  "%s: branches nested deeper than %u at %s",
				  p->name, KY_CSAF_MAX_BRANCH_DEPTH,
				  ky_buf_str(&p->path));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *b = json_array_get(arr, i), *prod, *sub;
		size_t old = push_idx(p, i);
		if (!json_is_object(b))
			return fail(p, NULL, "must be an object");
		if ((r = get_str(p, b, "category", true,
				 &p->steps[depth].category)) != 0 ||
		    (r = get_str(p, b, "name", true, &p->steps[depth].name)) !=
			    0 ||
		    (r = get_obj(p, b, "product", false, &prod)) != 0)
			return r;
		if (prod) {
			size_t o2 = push_key(p, "product");
			if ((r = add_product(p, prod, KY_CSAF_FROM_BRANCH,
					     depth + 1, NULL)) != 0)
				return r;
			pop(p, o2);
		}
		if ((sub = json_object_get(b, "branches")) != NULL) {
			size_t o2 = push_key(p, "branches");
			if ((r = read_branches(p, sub, depth + 1)) != 0)
				return r;
			pop(p, o2);
		}
		pop(p, old);
	}
	return 0;
}

static int read_product_tree(struct parser *p, const json_t *pt)
{
	const json_t *a;
	int r;
	size_t old;

	if ((a = json_object_get(pt, "branches")) != NULL) {
		old = push_key(p, "branches");
		if ((r = read_branches(p, a, 0)) != 0)
			return r;
		pop(p, old);
	}
	if ((r = get_arr(p, pt, "full_product_names", &a)) != 0)
		return r;
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		old = push_key(p, "full_product_names");
		push_idx(p, i);
		if ((r = add_product(p, json_array_get(a, i),
				     KY_CSAF_FROM_FULL_NAME, 0, NULL)) != 0)
			return r;
		pop(p, old);
	}
	if ((r = get_arr(p, pt, "relationships", &a)) != 0)
		return r;
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		const json_t *rel = json_array_get(a, i), *fpn;
		struct ky_csaf_product *prod;
		const char *cat, *ref, *to;
		old = push_key(p, "relationships");
		push_idx(p, i);
		if (!json_is_object(rel))
			return fail(p, NULL, "must be an object");
		if ((r = get_str(p, rel, "category", true, &cat)) != 0 ||
		    (r = get_str(p, rel, "product_reference", true, &ref)) !=
			    0 ||
		    (r = get_str(p, rel, "relates_to_product_reference", true,
				 &to)) != 0 ||
		    (r = get_obj(p, rel, "full_product_name", true, &fpn)) != 0)
			return r;
		push_key(p, "full_product_name");
		if ((r = add_product(p, fpn, KY_CSAF_FROM_RELATIONSHIP, 0,
				     &prod)) != 0)
			return r;
		prod->rel_category = cat;
		prod->rel_product = ref;
		prod->rel_relates_to = to;
		pop(p, old);
	}
	if ((r = get_arr(p, pt, "product_groups", &a)) != 0)
		return r;
	size_t ng = a ? json_array_size(a) : 0;
	struct ky_csaf_group *gv = alloc_n(p, ng, sizeof(*gv));
	if (ng && !gv)
		return NOMEM(p);
	for (size_t i = 0; i < ng; i++) {
		const json_t *g = json_array_get(a, i);
		old = push_key(p, "product_groups");
		push_idx(p, i);
		if (!json_is_object(g))
			return fail(p, NULL, "must be an object");
		if ((r = get_str(p, g, "group_id", true, &gv[i].id)) != 0 ||
		    (r = get_str(p, g, "summary", false, &gv[i].summary)) !=
			    0 ||
		    (r = get_strs(p, g, "product_ids", &gv[i].products)) != 0)
			return r;
		pop(p, old);
	}
	p->doc->groups = gv;
	p->doc->ngroups = ng;
	return 0;
}

static int read_notes(struct parser *p, const json_t *obj,
		      const struct ky_csaf_note **out, size_t *nout)
{
	const json_t *a;
	int r;
	if ((r = get_arr(p, obj, "notes", &a)) != 0 || !a)
		return r;
	size_t n = json_array_size(a);
	struct ky_csaf_note *v = alloc_n(p, n, sizeof(*v));
	if (n && !v)
		return NOMEM(p);
	size_t old = push_key(p, "notes");
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(a, i);
		size_t o2 = push_idx(p, i);
		if (!json_is_object(o))
			return fail(p, NULL, "must be an object");
		if ((r = get_str(p, o, "category", true, &v[i].category)) !=
			    0 ||
		    (r = get_str(p, o, "title", false, &v[i].title)) != 0)
			return r;
		pop(p, o2);
	}
	pop(p, old);
	*out = v;
	*nout = n;
	return 0;
}

/* Reads the members of each object of array `key` with fn. */
typedef int (*item_fn)(struct parser *p, const json_t *o, void *item);

static int read_items(struct parser *p, const json_t *obj, const char *key,
		      size_t size, item_fn fn, void **out, size_t *nout)
{
	const json_t *a;
	int r;
	if ((r = get_arr(p, obj, key, &a)) != 0 || !a)
		return r;
	size_t n = json_array_size(a);
	char *v = alloc_n(p, n, size);
	if (n && !v)
		return NOMEM(p);
	size_t old = push_key(p, key);
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(a, i);
		size_t o2 = push_idx(p, i);
		if (!json_is_object(o))
			return fail(p, NULL, "must be an object");
		if ((r = fn(p, o, v + i * size)) != 0)
			return r;
		pop(p, o2);
	}
	pop(p, old);
	*out = v;
	*nout = n;
	return 0;
}

static int item_remediation(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_remediation *x = item;
	int r;
	if ((r = get_str(p, o, "category", true, &x->category)) != 0 ||
	    (r = get_str(p, o, "details", true, &x->details)) != 0 ||
	    (r = get_str(p, o, "url", false, &x->url)) != 0 ||
	    (r = get_str(p, o, "date", false, &x->date)) != 0 ||
	    (r = get_strs(p, o, "product_ids", &x->products)) != 0)
		return r;
	return get_strs(p, o, "group_ids", &x->groups);
}

static int get_num(struct parser *p, const json_t *obj, const char *key,
		   double *out)
{
	const json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v)
		return 0;
	if (!json_is_number(v))
		return fail(p, key, "must be a number");
	*out = json_number_value(v);
	return 0;
}

static int item_score(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_score *x = item;
	const json_t *v3, *v2;
	int r;
	size_t old;
	if ((r = get_strs(p, o, "products", &x->products)) != 0 ||
	    (r = get_obj(p, o, "cvss_v3", false, &v3)) != 0 ||
	    (r = get_obj(p, o, "cvss_v2", false, &v2)) != 0)
		return r;
	x->has_v3 = v3 != NULL;
	x->has_v2 = v2 != NULL;
	if (v3) {
		old = push_key(p, "cvss_v3");
		if ((r = get_str(p, v3, "version", false, &x->v3_version)) !=
			    0 ||
		    (r = get_str(p, v3, "vectorString", false,
				 &x->v3_vector)) != 0 ||
		    (r = get_num(p, v3, "baseScore", &x->v3_base)) != 0 ||
		    (r = get_str(p, v3, "baseSeverity", false,
				 &x->v3_severity)) != 0)
			return r;
		pop(p, old);
	}
	if (v2) {
		old = push_key(p, "cvss_v2");
		if ((r = get_str(p, v2, "vectorString", false,
				 &x->v2_vector)) != 0 ||
		    (r = get_num(p, v2, "baseScore", &x->v2_base)) != 0)
			return r;
		pop(p, old);
	}
	return 0;
}

static int item_threat(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_threat *x = item;
	int r;
	if ((r = get_str(p, o, "category", true, &x->category)) != 0 ||
	    (r = get_str(p, o, "details", true, &x->details)) != 0 ||
	    (r = get_str(p, o, "date", false, &x->date)) != 0 ||
	    (r = get_strs(p, o, "product_ids", &x->products)) != 0)
		return r;
	return get_strs(p, o, "group_ids", &x->groups);
}

static int item_flag(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_flag *x = item;
	int r;
	if ((r = get_str(p, o, "label", true, &x->label)) != 0 ||
	    (r = get_str(p, o, "date", false, &x->date)) != 0 ||
	    (r = get_strs(p, o, "product_ids", &x->products)) != 0)
		return r;
	return get_strs(p, o, "group_ids", &x->groups);
}

static int item_involvement(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_involvement *x = item;
	int r;
	if ((r = get_str(p, o, "party", true, &x->party)) != 0 ||
	    (r = get_str(p, o, "status", true, &x->status)) != 0 ||
	    (r = get_str(p, o, "date", false, &x->date)) != 0)
		return r;
	return get_str(p, o, "summary", false, &x->summary);
}

static int item_id(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_vuln_id *x = item;
	int r;
	if ((r = get_str(p, o, "system_name", true, &x->system_name)) != 0)
		return r;
	return get_str(p, o, "text", true, &x->text);
}

static int read_vuln(struct parser *p, const json_t *o, struct ky_csaf_vuln *v)
{
	const json_t *cwe, *ps;
	int r;
	if ((r = get_str(p, o, "cve", false, &v->cve)) != 0 ||
	    (r = get_str(p, o, "title", false, &v->title)) != 0 ||
	    (r = get_str(p, o, "discovery_date", false, &v->discovery_date)) !=
		    0 ||
	    (r = get_str(p, o, "release_date", false, &v->release_date)) != 0 ||
	    (r = get_obj(p, o, "cwe", false, &cwe)) != 0 ||
	    (r = get_obj(p, o, "product_status", false, &ps)) != 0 ||
	    (r = read_notes(p, o, &v->notes, &v->nnotes)) != 0)
		return r;
	if (cwe) {
		size_t old = push_key(p, "cwe");
		if ((r = get_str(p, cwe, "id", true, &v->cwe_id)) != 0 ||
		    (r = get_str(p, cwe, "name", true, &v->cwe_name)) != 0)
			return r;
		pop(p, old);
	}
	if (ps) {
		size_t old = push_key(p, "product_status");
		for (int s = 0; s < KY_CSAF_STATUS_COUNT; s++)
			if ((r = get_strs(p, ps, status_names[s],
					  &v->status[s])) != 0)
				return r;
		pop(p, old);
	}
	if ((r = read_items(p, o, "ids", sizeof(*v->ids), item_id,
			    (void **)&v->ids, &v->nids)) != 0 ||
	    (r = read_items(p, o, "remediations", sizeof(*v->remediations),
			    item_remediation, (void **)&v->remediations,
			    &v->nremediations)) != 0 ||
	    (r = read_items(p, o, "scores", sizeof(*v->scores), item_score,
			    (void **)&v->scores, &v->nscores)) != 0 ||
	    (r = read_items(p, o, "threats", sizeof(*v->threats), item_threat,
			    (void **)&v->threats, &v->nthreats)) != 0 ||
	    (r = read_items(p, o, "flags", sizeof(*v->flags), item_flag,
			    (void **)&v->flags, &v->nflags)) != 0)
		return r;
	return read_items(p, o, "involvements", sizeof(*v->involvements),
			  item_involvement, (void **)&v->involvements,
			  &v->ninvolvements);
}

static int item_revision(struct parser *p, const json_t *o, void *item)
{
	struct ky_csaf_revision *x = item;
	int r;
	if ((r = get_str(p, o, "number", true, &x->number)) != 0 ||
	    (r = get_str(p, o, "date", true, &x->date)) != 0)
		return r;
	return get_str(p, o, "summary", true, &x->summary);
}

static int read_document(struct parser *p, const json_t *d)
{
	struct ky_csaf *doc = p->doc;
	const json_t *pub, *tr, *dist, *tlp;
	int r;
	size_t old = push_key(p, "document");

	if ((r = get_str(p, d, "category", true, &doc->category)) != 0 ||
	    (r = get_str(p, d, "csaf_version", true, &doc->csaf_version)) != 0)
		return r;
	/* Another version has other rules: refuse it before anything else. */
	if (strcmp(doc->csaf_version, "2.0") != 0)
		return fail(p, "csaf_version", "must be \"2.0\"");
	if ((r = get_str(p, d, "title", true, &doc->title)) != 0 ||
	    (r = get_str(p, d, "lang", false, &doc->lang)) != 0 ||
	    (r = get_str(p, d, "source_lang", false, &doc->source_lang)) != 0 ||
	    (r = get_obj(p, d, "publisher", true, &pub)) != 0 ||
	    (r = get_obj(p, d, "tracking", true, &tr)) != 0 ||
	    (r = get_obj(p, d, "distribution", false, &dist)) != 0 ||
	    (r = read_notes(p, d, &doc->notes, &doc->nnotes)) != 0)
		return r;
	size_t o2 = push_key(p, "publisher");
	if ((r = get_str(p, pub, "category", true, &doc->publisher_category)) !=
		    0 ||
	    (r = get_str(p, pub, "name", true, &doc->publisher_name)) != 0 ||
	    (r = get_str(p, pub, "namespace", true,
			 &doc->publisher_namespace)) != 0)
		return r;
	pop(p, o2);
	o2 = push_key(p, "tracking");
	if ((r = get_str(p, tr, "id", true, &doc->tracking_id)) != 0 ||
	    (r = get_str(p, tr, "version", true, &doc->tracking_version)) !=
		    0 ||
	    (r = get_str(p, tr, "status", true, &doc->tracking_status)) != 0 ||
	    (r = get_str(p, tr, "initial_release_date", true,
			 &doc->initial_release_date)) != 0 ||
	    (r = get_str(p, tr, "current_release_date", true,
			 &doc->current_release_date)) != 0 ||
	    (r = read_items(p, tr, "revision_history", sizeof(*doc->revisions),
			    item_revision, (void **)&doc->revisions,
			    &doc->nrevisions)) != 0)
		return r;
	if (doc->nrevisions == 0)
		return fail(p, "revision_history",
			    "must hold at least one item");
	pop(p, o2);
	if (dist) {
		o2 = push_key(p, "distribution");
		if ((r = get_str(p, dist, "text", false,
				 &doc->distribution_text)) != 0 ||
		    (r = get_obj(p, dist, "tlp", false, &tlp)) != 0)
			return r;
		if (tlp) {
			push_key(p, "tlp");
			if ((r = get_str(p, tlp, "label", true,
					 &doc->tlp_label)) != 0 ||
			    (r = get_str(p, tlp, "url", false,
					 &doc->tlp_url)) != 0)
				return r;
		}
		pop(p, o2);
	}
	pop(p, old);
	return 0;
}

static int build(struct parser *p, const json_t *root)
{
	struct ky_csaf *doc = p->doc;
	struct ky_csaf__priv *pv = p->pv;
	const json_t *d, *pt, *vs;
	int r;

	if (!json_is_object(root))
		return fail(p, NULL, "document must be a JSON object");
	if ((r = get_obj(p, root, "document", true, &d)) != 0 ||
	    (r = read_document(p, d)) != 0 ||
	    (r = get_obj(p, root, "product_tree", false, &pt)) != 0 ||
	    (r = get_arr(p, root, "vulnerabilities", &vs)) != 0)
		return r;
	if (pt) {
		size_t old = push_key(p, "product_tree");
		doc->has_product_tree = true;
		if ((r = read_product_tree(p, pt)) != 0)
			return r;
		pop(p, old);
	}
	if (vs) {
		size_t n = json_array_size(vs);
		struct ky_csaf_vuln *vv = alloc_n(p, n, sizeof(*vv));
		if (n && !vv)
			return NOMEM(p);
		doc->has_vulnerabilities = true;
		for (size_t i = 0; i < n; i++) {
			const json_t *o = json_array_get(vs, i);
			size_t old = push_key(p, "vulnerabilities");
			push_idx(p, i);
			if (!json_is_object(o))
				return fail(p, NULL, "must be an object");
			if ((r = read_vuln(p, o, &vv[i])) != 0)
				return r;
			pop(p, old);
		}
		doc->vulns = vv;
		doc->nvulns = n;
	}
	/* Index only now that the product array no longer moves; the first
	 * definition wins, duplicates are test 6.1.2's business. */
	doc->products = pv->pv;
	doc->nproducts = pv->pn;
	for (size_t i = 0; i < pv->pn; i++) {
		const char *id = pv->pv[i].id;
		if (ky_hash_get(pv->products, id, strlen(id)))
			continue;
		if (ky_hash_put(pv->products, id, strlen(id), &pv->pv[i],
				NULL) != 0)
			return NOMEM(p);
	}
	for (size_t i = 0; i < doc->ngroups; i++) {
		const char *id = doc->groups[i].id;
		if (ky_hash_get(pv->groups, id, strlen(id)))
			continue;
		if (ky_hash_put(pv->groups, id, strlen(id),
				(void *)&doc->groups[i], NULL) != 0)
			return NOMEM(p);
	}
	return 0;
}

int ky_csaf_parse(const char *json, size_t len, const char *name,
		  struct ky_csaf **out, struct ky_err *err)
{
	struct parser p;
	struct ky_csaf *doc = NULL;
	json_error_t je;
	int r;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	ky_buf_init(&p.path, 4096);
	p.err = err;
	p.name = name ? name : "csaf";
	if (len > KY_CSAF_MAX_BYTES) {
		r = ky_err_set(err, KY_E_TOOBIG, "%s: %zu bytes, more than %u",
			       p.name, len, KY_CSAF_MAX_BYTES);
		goto out;
	}
	if (!(doc = calloc(1, sizeof(*doc))) ||
	    !(doc->priv = calloc(1, sizeof(*doc->priv)))) {
		r = NOMEM(&p);
		goto out;
	}
	p.doc = doc;
	p.pv = doc->priv;
	if (!(p.pv->arena = ky_arena_new(64 * 1024, 0)) ||
	    !(p.pv->products = ky_hash_new(KY_HASH_BORROW_KEYS)) ||
	    !(p.pv->groups = ky_hash_new(KY_HASH_BORROW_KEYS))) {
		r = NOMEM(&p);
		goto out;
	}
	p.pv->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!p.pv->root) {
		r = ky_err_set(err, KY_E_PARSE,
			       "%s: line %d, column %d (offset %d): %s", p.name,
			       je.line, je.column, je.position, je.text);
		goto out;
	}
	/* An empty path buffer reads as "", the pointer of the root. */
	if ((r = build(&p, p.pv->root)) != 0)
		goto out;
	*out = doc;
	doc = NULL; /* transferred */
out:
	ky_csaf_free(doc);
	ky_buf_free(&p.path);
	return r;
}

int ky_csaf_load(const char *path, struct ky_csaf **out, struct ky_err *err)
{
	struct ky_buf b;
	FILE *f = NULL;
	char chunk[65536];
	size_t n;
	int r = 0;

	*out = NULL;
	ky_buf_init(&b, KY_CSAF_MAX_BYTES);
	if (!(f = fopen(path, "rb"))) {
		r = ky_err_set(err, KY_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((r = ky_buf_add(&b, chunk, n)) != 0) {
			r = ky_err_set(err, r, "%s: larger than %u bytes", path,
				       KY_CSAF_MAX_BYTES);
			goto out;
		}
	if (ferror(f)) {
		r = ky_err_set(err, KY_E_IO, "%s: read error", path);
		goto out;
	}
	r = ky_csaf_parse(ky_buf_str(&b), b.len, path, out, err);
out:
	if (f)
		fclose(f);
	ky_buf_free(&b);
	return r;
}

void ky_csaf_free(struct ky_csaf *doc)
{
	if (!doc)
		return;
	if (doc->priv) {
		ky_hash_free(doc->priv->products, NULL);
		ky_hash_free(doc->priv->groups, NULL);
		json_decref(doc->priv->root);
		ky_arena_free(doc->priv->arena);
		free(doc->priv->pv);
		free(doc->priv);
	}
	free(doc);
}

const void *ky__csaf_json(const struct ky_csaf *doc)
{
	return doc->priv->root;
}

const struct ky_csaf_product *ky_csaf_product(const struct ky_csaf *doc,
					      const char *id)
{
	if (!doc || !id)
		return NULL;
	return ky_hash_get(doc->priv->products, id, strlen(id));
}

const struct ky_csaf_group *ky_csaf_group(const struct ky_csaf *doc,
					  const char *id)
{
	if (!doc || !id)
		return NULL;
	return ky_hash_get(doc->priv->groups, id, strlen(id));
}

const struct ky_csaf_product *
ky_csaf_product_base(const struct ky_csaf *doc, const struct ky_csaf_product *p)
{
	/* A chain longer than the number of products is a circle. */
	for (size_t hops = 0; p && p->origin == KY_CSAF_FROM_RELATIONSHIP;
	     hops++) {
		if (hops > doc->nproducts)
			return NULL;
		p = ky_csaf_product(doc, p->rel_product);
	}
	return p;
}

static bool in_strs(const struct ky_csaf_strs *s, const char *id)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return true;
	return false;
}

bool ky_csaf_refers_to(const struct ky_csaf *doc,
		       const struct ky_csaf_strs *products,
		       const struct ky_csaf_strs *groups, const char *id)
{
	if (in_strs(products, id))
		return true;
	for (size_t i = 0; groups && i < groups->n; i++) {
		const struct ky_csaf_group *g =
			ky_csaf_group(doc, groups->v[i]);
		if (g && in_strs(&g->products, id))
			return true;
	}
	return false;
}

unsigned ky_csaf_status_of(const struct ky_csaf_vuln *v, const char *id)
{
	unsigned m = 0;
	for (unsigned s = 0; s < KY_CSAF_STATUS_COUNT; s++)
		if (in_strs(&v->status[s], id))
			m |= 1u << s;
	return m;
}

static bool says_exploited(const char *s)
{
	static const char *const words[] = {"known exploited",
					    "actively exploited",
					    "exploited in the wild"};
	size_t n = strlen(s);
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t k = strlen(words[w]);
		for (size_t i = 0; i + k <= n; i++)
			if (strncasecmp(s + i, words[w], k) == 0)
				return true;
	}
	return false;
}

bool ky_csaf_known_exploited(const struct ky_csaf *doc,
			     const struct ky_csaf_vuln *v, const char *id)
{
	for (size_t i = 0; i < v->nthreats; i++) {
		const struct ky_csaf_threat *t = &v->threats[i];
		if (strcmp(t->category, "exploit_status") != 0 ||
		    !says_exploited(t->details))
			continue;
		if ((t->products.n == 0 && t->groups.n == 0) ||
		    ky_csaf_refers_to(doc, &t->products, &t->groups, id))
			return true;
	}
	return false;
}
