/* CSAF 2.0 mandatory tests, first half (section 6.1): product and group
 * definitions and references, product status, CVSS objects, CWE, language
 * and purl; plus the driver and the list of findings.  The second half is
 * in csaf_check2.c. */
#include "intel/csaf.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/hash.h"

struct ky__csaf_ctx {
	const struct ky_csaf *doc;
	struct ky_csaf_findings *found;
	struct ky_err *err;
	size_t nfail;
	bool nomem;
};

const struct ky_csaf *ky__csaf_doc(const struct ky__csaf_ctx *c)
{
	return c->doc;
}

void ky_csaf_findings_free(struct ky_csaf_findings *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].msg);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int ky__csaf_fail(struct ky__csaf_ctx *c, const char *test, const char *path,
		  const char *fmt, ...)
{
	char msg[KY_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->nfail++ == 0)
		ky_err_set(c->err, KY_E_PARSE, "%s %s: %s", test, path, msg);
	if (!c->found)
		return 0;
	struct ky_csaf_findings *f = c->found;
	if (f->n >= KY_CSAF_MAX_FINDINGS) {
		f->dropped++;
		return 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		void *m = ky_reallocarray(f->v, cap, sizeof(*f->v));
		if (!m)
			goto nomem;
		f->v = m;
		f->cap = cap;
	}
	struct ky_csaf_finding *e = &f->v[f->n];
	snprintf(e->test, sizeof(e->test), "%s", test);
	e->path = ky_strndup(path, strlen(path));
	e->msg = ky_strndup(msg, strlen(msg));
	if (!e->path || !e->msg) {
		free(e->path);
		free(e->msg);
		goto nomem;
	}
	f->n++;
	return 0;
nomem:
	c->nomem = true;
	return KY_E_NOMEM;
}

#define FAIL(c, t, ...)                                                        \
	do {                                                                   \
		if (ky__csaf_fail((c), (t), __VA_ARGS__) != 0)                 \
			return KY_E_NOMEM;                                     \
	} while (0)

/* ---- 6.1.1 missing definition of product id --------------------------- */

static int need_product(struct ky__csaf_ctx *c, const char *id,
			const char *path)
{
	if (!ky_csaf_product(c->doc, id))
		FAIL(c, "6.1.1", path, "product id %s is not defined", id);
	return 0;
}

static int need_products(struct ky__csaf_ctx *c, const struct ky_csaf_strs *s,
			 const char *base)
{
	char path[256];
	for (size_t i = 0; i < s->n; i++) {
		snprintf(path, sizeof(path), "%s/%zu", base, i);
		if (need_product(c, s->v[i], path) != 0)
			return KY_E_NOMEM;
	}
	return 0;
}

static int need_groups(struct ky__csaf_ctx *c, const struct ky_csaf_strs *s,
		       const char *base)
{
	char path[256];
	for (size_t i = 0; i < s->n; i++) {
		if (ky_csaf_group(c->doc, s->v[i]))
			continue;
		snprintf(path, sizeof(path), "%s/%zu", base, i);
		FAIL(c, "6.1.4", path, "product group id %s is not defined",
		     s->v[i]);
	}
	return 0;
}

/* 6.1.1 and 6.1.4: every reference names a definition. */
static int check_references(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = c->doc;
	char base[192];
	int r = 0;

	for (size_t i = 0; i < d->ngroups && r == 0; i++) {
		snprintf(base, sizeof(base),
			 "/product_tree/product_groups/%zu/product_ids", i);
		r = need_products(c, &d->groups[i].products, base);
	}
	for (size_t i = 0; i < d->nproducts && r == 0; i++) {
		const struct ky_csaf_product *p = &d->products[i];
		if (p->origin != KY_CSAF_FROM_RELATIONSHIP)
			continue;
		/* where ends in /full_product_name; the references sit
		 * beside it. */
		size_t n = strlen(p->where) - strlen("/full_product_name");
		snprintf(base, sizeof(base), "%.*s/product_reference", (int)n,
			 p->where);
		if ((r = need_product(c, p->rel_product, base)) != 0)
			break;
		snprintf(base, sizeof(base),
			 "%.*s/relates_to_product_reference", (int)n, p->where);
		r = need_product(c, p->rel_relates_to, base);
	}
	for (size_t i = 0; i < d->nvulns && r == 0; i++) {
		const struct ky_csaf_vuln *v = &d->vulns[i];
		for (unsigned s = 0; s < KY_CSAF_STATUS_COUNT && r == 0; s++) {
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/product_status/%s", i,
				 ky_csaf_status_name(s));
			r = need_products(c, &v->status[s], base);
		}
		for (size_t k = 0; k < v->nremediations && r == 0; k++) {
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/remediations/%zu/"
				 "product_ids",
				 i, k);
			r = need_products(c, &v->remediations[k].products,
					  base);
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/remediations/%zu/"
				 "group_ids",
				 i, k);
			if (r == 0)
				r = need_groups(c, &v->remediations[k].groups,
						base);
		}
		for (size_t k = 0; k < v->nscores && r == 0; k++) {
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/scores/%zu/products", i,
				 k);
			r = need_products(c, &v->scores[k].products, base);
		}
		for (size_t k = 0; k < v->nthreats && r == 0; k++) {
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/threats/%zu/product_ids",
				 i, k);
			r = need_products(c, &v->threats[k].products, base);
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/threats/%zu/group_ids",
				 i, k);
			if (r == 0)
				r = need_groups(c, &v->threats[k].groups, base);
		}
		/* Flags reference products_t and product_groups_t too, which
		 * 6.1.1 and 6.1.4 cover by type. */
		for (size_t k = 0; k < v->nflags && r == 0; k++) {
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/flags/%zu/product_ids",
				 i, k);
			r = need_products(c, &v->flags[k].products, base);
			snprintf(base, sizeof(base),
				 "/vulnerabilities/%zu/flags/%zu/group_ids", i,
				 k);
			if (r == 0)
				r = need_groups(c, &v->flags[k].groups, base);
		}
	}
	return r;
}

/* ---- 6.1.2, 6.1.3, 6.1.5 definitions ---------------------------------- */

static int check_definitions(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = c->doc;
	char path[256];
	int r = 0;

	for (size_t i = 0; i < d->nproducts; i++) {
		const struct ky_csaf_product *p = &d->products[i];
		if (ky_csaf_product(d, p->id) == p)
			continue;
		snprintf(path, sizeof(path), "%s/product_id", p->where);
		FAIL(c, "6.1.2", path, "product id %s is defined again", p->id);
	}
	for (size_t i = 0; i < d->ngroups; i++) {
		if (ky_csaf_group(d, d->groups[i].id) == &d->groups[i])
			continue;
		snprintf(path, sizeof(path),
			 "/product_tree/product_groups/%zu/group_id", i);
		FAIL(c, "6.1.5", path, "product group id %s is defined again",
		     d->groups[i].id);
	}
	/* 6.1.3: follow both references of each relationship through other
	 * relationships; coming back to the start is a circle.  Depth is
	 * bounded by the number of products, the walk by an explicit stack. */
	const struct ky_csaf_product **stack = NULL;
	size_t cap = 2 * d->nproducts + 2;
	if (!(stack = ky_reallocarray(NULL, cap, sizeof(*stack))))
		return KY_E_NOMEM;
	for (size_t i = 0; i < d->nproducts && r == 0; i++) {
		const struct ky_csaf_product *start = &d->products[i];
		size_t sp = 0, steps = 0;
		bool circle = false;
		if (start->origin != KY_CSAF_FROM_RELATIONSHIP)
			continue;
		stack[sp++] = start;
		while (sp > 0 && !circle && steps++ < d->nproducts * 4 + 8) {
			const struct ky_csaf_product *p = stack[--sp];
			const char *refs[2] = {p->rel_product,
					       p->rel_relates_to};
			for (int k = 0; k < 2; k++) {
				const struct ky_csaf_product *q =
					ky_csaf_product(d, refs[k]);
				if (!q)
					continue;
				if (strcmp(q->id, start->id) == 0) {
					circle = true;
					break;
				}
				if (q->origin == KY_CSAF_FROM_RELATIONSHIP &&
				    sp < cap)
					stack[sp++] = q;
			}
		}
		if (circle) {
			snprintf(path, sizeof(path), "%s/product_id",
				 start->where);
			if (ky__csaf_fail(
				    c, "6.1.3", path,
				    "product id %s is defined in a circle",
				    start->id) != 0)
				r = KY_E_NOMEM;
		}
	}
	free(stack);
	return r;
}

/* ---- 6.1.6 contradicting product status, 6.1.7 multiple scores -------- */

static int check_status(struct ky__csaf_ctx *c)
{
	/* The contradiction group of each status list; recommended is none. */
	static const int group[KY_CSAF_STATUS_COUNT] = {
		[KY_CSAF_FIRST_AFFECTED] = 1,
		[KY_CSAF_KNOWN_AFFECTED] = 1,
		[KY_CSAF_LAST_AFFECTED] = 1,
		[KY_CSAF_KNOWN_NOT_AFFECTED] = 2,
		[KY_CSAF_FIRST_FIXED] = 3,
		[KY_CSAF_FIXED] = 3,
		[KY_CSAF_UNDER_INVESTIGATION] = 4,
		[KY_CSAF_RECOMMENDED] = 0,
	};
	static const char *const gname[] = {"", "affected", "not affected",
					    "fixed", "under investigation"};
	const struct ky_csaf *d = c->doc;
	char path[256];
	int r = 0;

	for (size_t i = 0; i < d->nvulns && r == 0; i++) {
		const struct ky_csaf_vuln *v = &d->vulns[i];
		struct ky_hash *seen = ky_hash_new(KY_HASH_BORROW_KEYS);
		if (!seen)
			return KY_E_NOMEM;
		for (unsigned s = 0; s < KY_CSAF_STATUS_COUNT && r == 0; s++) {
			int g = group[s];
			for (size_t j = 0; g && j < v->status[s].n && r == 0;
			     j++) {
				const char *id = v->status[s].v[j];
				uintptr_t m = (uintptr_t)ky_hash_get(
					seen, id, strlen(id));
				if (m && m != (uintptr_t)g) {
					snprintf(path, sizeof(path),
						 "/vulnerabilities/%zu/"
						 "product_status/%s/%zu",
						 i, ky_csaf_status_name(s), j);
					r = ky__csaf_fail(
						c, "6.1.6", path,
						"product id %s is both %s and "
						"%s",
						id, gname[m], gname[g]);
					continue;
				}
				if (!m && ky_hash_put(seen, id, strlen(id),
						      (void *)(uintptr_t)g,
						      NULL) != 0)
					r = KY_E_NOMEM;
			}
		}
		ky_hash_free(seen, NULL);
		if (r != 0)
			return r;
		/* 6.1.7: one score per product and CVSS version. */
		struct ky_hash *once = ky_hash_new(0);
		if (!once)
			return KY_E_NOMEM;
		for (size_t k = 0; k < v->nscores && r == 0; k++) {
			const struct ky_csaf_score *sc = &v->scores[k];
			const char *vers[2] = {
				sc->has_v3 ? (sc->v3_version ? sc->v3_version
							     : "3")
					   : NULL,
				sc->has_v2 ? "2.0" : NULL};
			for (size_t j = 0; j < sc->products.n && r == 0; j++)
				for (int x = 0; x < 2 && r == 0; x++) {
					char key[512];
					if (!vers[x])
						continue;
					int n = snprintf(key, sizeof(key),
							 "%s%c%s", vers[x], 0,
							 sc->products.v[j]);
					size_t kl = n < 0 ? 0 : (size_t)n;
					if (kl >= sizeof(key))
						kl = sizeof(key) - 1;
					if (ky_hash_get(once, key, kl)) {
						snprintf(path, sizeof(path),
							 "/vulnerabilities/%zu/"
							 "scores/%zu/products/"
							 "%zu",
							 i, k, j);
						r = ky__csaf_fail(
							c, "6.1.7", path,
							"second CVSS v%s score "
							"for product id %s",
							vers[x],
							sc->products.v[j]);
					} else if (ky_hash_put(once, key, kl,
							       (void *)1,
							       NULL) != 0) {
						r = KY_E_NOMEM;
					}
				}
		}
		ky_hash_free(once, NULL);
	}
	return r;
}

/* ---- 6.1.8 invalid CVSS, 6.1.10 inconsistent CVSS --------------------- */

/* A CVSS property: its JSON name, the vector metric and the pairs of
 * vector value and JSON enumeration value it may take. */
struct cvss_prop {
	const char *json;
	const char *metric;
	const char *values; /* "N=NETWORK A=ADJACENT_NETWORK ..." */
};

#define V3_AV "N=NETWORK A=ADJACENT_NETWORK L=LOCAL P=PHYSICAL"
#define V3_CIA "H=HIGH L=LOW N=NONE"
#define V3_REQ "X=NOT_DEFINED H=HIGH M=MEDIUM L=LOW"
#define XND "X=NOT_DEFINED "

static const struct cvss_prop v3_props[] = {
	{"attackVector", "AV", V3_AV},
	{"attackComplexity", "AC", "L=LOW H=HIGH"},
	{"privilegesRequired", "PR", "N=NONE L=LOW H=HIGH"},
	{"userInteraction", "UI", "N=NONE R=REQUIRED"},
	{"scope", "S", "U=UNCHANGED C=CHANGED"},
	{"confidentialityImpact", "C", V3_CIA},
	{"integrityImpact", "I", V3_CIA},
	{"availabilityImpact", "A", V3_CIA},
	{"exploitCodeMaturity", "E",
	 XND "H=HIGH F=FUNCTIONAL P=PROOF_OF_CONCEPT U=UNPROVEN"},
	{"remediationLevel", "RL",
	 XND "U=UNAVAILABLE W=WORKAROUND T=TEMPORARY_FIX O=OFFICIAL_FIX"},
	{"reportConfidence", "RC", XND "C=CONFIRMED R=REASONABLE U=UNKNOWN"},
	{"confidentialityRequirement", "CR", V3_REQ},
	{"integrityRequirement", "IR", V3_REQ},
	{"availabilityRequirement", "AR", V3_REQ},
	{"modifiedAttackVector", "MAV", XND V3_AV},
	{"modifiedAttackComplexity", "MAC", XND "L=LOW H=HIGH"},
	{"modifiedPrivilegesRequired", "MPR", XND "N=NONE L=LOW H=HIGH"},
	{"modifiedUserInteraction", "MUI", XND "N=NONE R=REQUIRED"},
	{"modifiedScope", "MS", XND "U=UNCHANGED C=CHANGED"},
	{"modifiedConfidentialityImpact", "MC", XND V3_CIA},
	{"modifiedIntegrityImpact", "MI", XND V3_CIA},
	{"modifiedAvailabilityImpact", "MA", XND V3_CIA},
	{NULL, NULL, NULL},
};

#define V2_CIA "N=NONE P=PARTIAL C=COMPLETE"
#define V2_REQ "L=LOW M=MEDIUM H=HIGH ND=NOT_DEFINED"

static const struct cvss_prop v2_props[] = {
	{"accessVector", "AV", "N=NETWORK A=ADJACENT_NETWORK L=LOCAL"},
	{"accessComplexity", "AC", "H=HIGH M=MEDIUM L=LOW"},
	{"authentication", "Au", "M=MULTIPLE S=SINGLE N=NONE"},
	{"confidentialityImpact", "C", V2_CIA},
	{"integrityImpact", "I", V2_CIA},
	{"availabilityImpact", "A", V2_CIA},
	{"exploitability", "E",
	 "U=UNPROVEN POC=PROOF_OF_CONCEPT F=FUNCTIONAL H=HIGH ND=NOT_DEFINED"},
	{"remediationLevel", "RL",
	 "OF=OFFICIAL_FIX TF=TEMPORARY_FIX W=WORKAROUND U=UNAVAILABLE "
	 "ND=NOT_DEFINED"},
	{"reportConfidence", "RC",
	 "UC=UNCONFIRMED UR=UNCORROBORATED C=CONFIRMED ND=NOT_DEFINED"},
	{"collateralDamagePotential", "CDP",
	 "N=NONE L=LOW LM=LOW_MEDIUM MH=MEDIUM_HIGH H=HIGH ND=NOT_DEFINED"},
	{"targetDistribution", "TD",
	 "N=NONE L=LOW M=MEDIUM H=HIGH ND=NOT_DEFINED"},
	{"confidentialityRequirement", "CR", V2_REQ},
	{"integrityRequirement", "IR", V2_REQ},
	{"availabilityRequirement", "AR", V2_REQ},
	{NULL, NULL, NULL},
};

/* Finds `word` as the left (want_left) or right side of a pair in a value
 * list and copies the other side to out. */
static bool pair_lookup(const char *values, const char *word, size_t wlen,
			bool want_left, char *out, size_t outlen)
{
	const char *s = values;
	while (*s) {
		const char *eq = strchr(s, '=');
		const char *end = strchr(s, ' ');
		if (!end)
			end = s + strlen(s);
		if (!eq || eq > end)
			return false;
		const char *side = want_left ? eq + 1 : s;
		size_t sl =
			want_left ? (size_t)(end - eq - 1) : (size_t)(eq - s);
		const char *other = want_left ? s : eq + 1;
		size_t ol =
			want_left ? (size_t)(eq - s) : (size_t)(end - eq - 1);
		if (sl == wlen && memcmp(side, word, wlen) == 0) {
			snprintf(out, outlen, "%.*s", (int)ol, other);
			return true;
		}
		s = *end ? end + 1 : end;
	}
	return false;
}

/* The value of metric m in a vector ("AV:N/AC:L/..."), or NULL; the last
 * occurrence wins, as in the usual calculators. */
static const char *vec_get(const char *vec, const char *m, size_t *len)
{
	const char *found = NULL;
	size_t ml = strlen(m);
	for (const char *s = vec; *s;) {
		const char *end = strchr(s, '/');
		if (!end)
			end = s + strlen(s);
		if ((size_t)(end - s) > ml && memcmp(s, m, ml) == 0 &&
		    s[ml] == ':') {
			found = s + ml + 1;
			*len = (size_t)(end - found);
		}
		s = *end ? end + 1 : end;
	}
	return found;
}

/* Vector syntax of the FIRST schemas: "CVSS:3.x/" then metric:value
 * tokens from the table (v3), or tokens alone (v2). */
static bool vector_ok(const char *vec, const struct cvss_prop *props,
		      const char *prefix)
{
	size_t pl = prefix ? strlen(prefix) : 0;
	if (prefix && strncmp(vec, prefix, pl) != 0)
		return false;
	const char *s = vec + pl;
	if (!*s)
		return false;
	while (*s) {
		const char *end = strchr(s, '/');
		if (!end)
			end = s + strlen(s);
		const char *colon = memchr(s, ':', (size_t)(end - s));
		bool ok = false;
		char tmp[64];
		for (const struct cvss_prop *p = props; colon && p->json; p++)
			if (strlen(p->metric) == (size_t)(colon - s) &&
			    memcmp(s, p->metric, (size_t)(colon - s)) == 0 &&
			    pair_lookup(p->values, colon + 1,
					(size_t)(end - colon - 1), false, tmp,
					sizeof(tmp))) {
				ok = true;
				break;
			}
		if (!ok)
			return false;
		if (!*end)
			break;
		s = end + 1;
		if (!*s)
			return false; /* trailing slash */
	}
	return true;
}

static bool is_severity(const char *s)
{
	static const char *const sev[] = {"NONE", "LOW", "MEDIUM", "HIGH",
					  "CRITICAL"};
	for (size_t i = 0; i < 5; i++)
		if (strcmp(s, sev[i]) == 0)
			return true;
	return false;
}

static int check_cvss_object(struct ky__csaf_ctx *c, const json_t *o, bool v3,
			     const char *base)
{
	const struct cvss_prop *props = v3 ? v3_props : v2_props;
	static const char *const v3_scores[] = {"baseScore", "temporalScore",
						"environmentalScore"};
	static const char *const v3_sevs[] = {
		"baseSeverity", "temporalSeverity", "environmentalSeverity"};
	const char *required[] = {"version", "vectorString", "baseScore",
				  v3 ? "baseSeverity" : NULL};
	char path[320], prefix[16];
	int r = 0;

	for (size_t i = 0; i < 4; i++)
		if (required[i] && !json_object_get(o, required[i]))
			FAIL(c, "6.1.8", base,
			     "required property %s is missing", required[i]);
	const char *ver = json_string_value(json_object_get(o, "version"));
	const json_t *vj = json_object_get(o, "version");
	if (vj &&
	    (!ver || (v3 ? strcmp(ver, "3.0") != 0 && strcmp(ver, "3.1") != 0
			 : strcmp(ver, "2.0") != 0))) {
		snprintf(path, sizeof(path), "%s/version", base);
		FAIL(c, "6.1.8", path, "version is not %s",
		     v3 ? "3.0 or 3.1" : "2.0");
		ver = NULL;
	}
	const json_t *vecj = json_object_get(o, "vectorString");
	const char *vec = json_string_value(vecj);
	snprintf(prefix, sizeof(prefix), "CVSS:%s/", ver ? ver : "3.1");
	if (vecj && (!vec || !vector_ok(vec, props, v3 ? prefix : NULL))) {
		snprintf(path, sizeof(path), "%s/vectorString", base);
		FAIL(c, "6.1.8", path,
		     "vectorString is not a valid CVSS v%s "
		     "vector",
		     v3 ? (ver ? ver : "3") : "2.0");
		vec = NULL;
	}
	for (size_t i = 0; i < 3; i++) {
		const json_t *s = json_object_get(o, v3_scores[i]);
		if (!s)
			continue;
		double x = json_number_value(s);
		if (!json_is_number(s) || x < 0 || x > 10) {
			snprintf(path, sizeof(path), "%s/%s", base,
				 v3_scores[i]);
			FAIL(c, "6.1.8", path, "%s is not a score from 0 to 10",
			     v3_scores[i]);
		}
		const json_t *sv = json_object_get(o, v3_sevs[i]);
		if (v3 && sv &&
		    (!json_is_string(sv) ||
		     !is_severity(json_string_value(sv)))) {
			snprintf(path, sizeof(path), "%s/%s", base, v3_sevs[i]);
			FAIL(c, "6.1.8", path, "%s is not a CVSS severity",
			     v3_sevs[i]);
		}
	}
	for (const struct cvss_prop *p = props; p->json && r == 0; p++) {
		const json_t *pj = json_object_get(o, p->json);
		char code[16], want[16];
		size_t vl = 0;
		if (!pj)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, p->json);
		const char *pv = json_string_value(pj);
		if (!pv || !pair_lookup(p->values, pv, strlen(pv), true, code,
					sizeof(code))) {
			FAIL(c, "6.1.8", path, "%s is not a valid value",
			     p->json);
			continue;
		}
		if (!vec)
			continue;
		/* 6.1.10 compares what the vector says; a property the vector
		 * leaves out contradicts nothing (as the validator test data
		 * reads the rule). */
		const char *vv = vec_get(vec, p->metric, &vl);
		if (!vv)
			continue;
		snprintf(want, sizeof(want), "%.*s", (int)vl, vv);
		if (strcmp(want, code) != 0)
			FAIL(c, "6.1.10", path,
			     "%s is %s but the vector says %s:%s", p->json, pv,
			     p->metric, want);
	}
	return r;
}

static int check_cvss(struct ky__csaf_ctx *c)
{
	const json_t *vs =
		json_object_get(ky__csaf_json(c->doc), "vulnerabilities");
	char base[192];
	int r = 0;
	for (size_t i = 0; i < json_array_size(vs) && r == 0; i++) {
		const json_t *sc =
			json_object_get(json_array_get(vs, i), "scores");
		for (size_t k = 0; k < json_array_size(sc) && r == 0; k++) {
			const json_t *s = json_array_get(sc, k);
			const json_t *o;
			if ((o = json_object_get(s, "cvss_v3")) != NULL) {
				snprintf(base, sizeof(base),
					 "/vulnerabilities/%zu/scores/%zu/"
					 "cvss_v3",
					 i, k);
				r = check_cvss_object(c, o, true, base);
			}
			if (r == 0 &&
			    (o = json_object_get(s, "cvss_v2")) != NULL) {
				snprintf(base, sizeof(base),
					 "/vulnerabilities/%zu/scores/%zu/"
					 "cvss_v2",
					 i, k);
				r = check_cvss_object(c, o, false, base);
			}
		}
	}
	return r;
}

/* ---- 6.1.11 CWE ------------------------------------------------------- */

/* CWE names we can verify: the CWE Top 25 (2023) and others common in
 * advisories.  An id outside the table is accepted if well formed: the
 * full catalogue is not shipped (docs/csaf.md, limits). */
static const struct {
	unsigned id;
	const char *name;
} cwe_names[] = {
	{20, "Improper Input Validation"},
	{22, "Improper Limitation of a Pathname to a Restricted Directory "
	     "('Path Traversal')"},
	{77, "Improper Neutralization of Special Elements used in a Command "
	     "('Command Injection')"},
	{78, "Improper Neutralization of Special Elements used in an OS "
	     "Command ('OS Command Injection')"},
	{79, "Improper Neutralization of Input During Web Page Generation "
	     "('Cross-site Scripting')"},
	{89, "Improper Neutralization of Special Elements used in an SQL "
	     "Command ('SQL Injection')"},
	{94, "Improper Control of Generation of Code ('Code Injection')"},
	{119, "Improper Restriction of Operations within the Bounds of a "
	      "Memory Buffer"},
	{125, "Out-of-bounds Read"},
	{190, "Integer Overflow or Wraparound"},
	{200, "Exposure of Sensitive Information to an Unauthorized Actor"},
	{269, "Improper Privilege Management"},
	{276, "Incorrect Default Permissions"},
	{287, "Improper Authentication"},
	{306, "Missing Authentication for Critical Function"},
	{352, "Cross-Site Request Forgery (CSRF)"},
	{362, "Concurrent Execution using Shared Resource with Improper "
	      "Synchronization ('Race Condition')"},
	{400, "Uncontrolled Resource Consumption"},
	{416, "Use After Free"},
	{434, "Unrestricted Upload of File with Dangerous Type"},
	{476, "NULL Pointer Dereference"},
	{502, "Deserialization of Untrusted Data"},
	{611, "Improper Restriction of XML External Entity Reference"},
	{787, "Out-of-bounds Write"},
	{798, "Use of Hard-coded Credentials"},
	{862, "Missing Authorization"},
	{863, "Incorrect Authorization"},
	{918, "Server-Side Request Forgery (SSRF)"},
};

static int check_cwe(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = c->doc;
	char path[128];
	for (size_t i = 0; i < d->nvulns; i++) {
		const struct ky_csaf_vuln *v = &d->vulns[i];
		const char *s = v->cwe_id;
		if (!s)
			continue;
		snprintf(path, sizeof(path), "/vulnerabilities/%zu/cwe", i);
		size_t n = strlen(s);
		size_t digits = n < 5 ? 0 : strspn(s + 4, "0123456789");
		if (n < 5 || strncmp(s, "CWE-", 4) != 0 || s[4] == '0' ||
		    digits != n - 4 || digits > 7) {
			FAIL(c, "6.1.11", path, "%s is not a CWE id", s);
			continue;
		}
		unsigned long id = strtoul(s + 4, NULL, 10);
		for (size_t k = 0; k < sizeof(cwe_names) / sizeof(cwe_names[0]);
		     k++)
			if (cwe_names[k].id == id &&
			    strcmp(cwe_names[k].name, v->cwe_name) != 0)
				FAIL(c, "6.1.11", path,
				     "%s is named \"%s\", not \"%s\"", s,
				     cwe_names[k].name, v->cwe_name);
	}
	return 0;
}

/* ---- 6.1.12 language -------------------------------------------------- */

/* ISO 639-1 codes, with the deprecated ones the IANA registry keeps. */
static const char iso639_1[] =
	"aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca "
	"ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj "
	"fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii "
	"ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km kn ko kr ks ku "
	"kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my "
	"na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm "
	"rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta "
	"te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh "
	"yi yo za zh zu";

/* BCP 47 shape with a checked primary language subtag: two letters must
 * be an ISO 639-1 code, four letters are reserved; "x-" and "i-" tags
 * are private use and grandfathered. */
static bool lang_ok(const char *tag)
{
	size_t n = strcspn(tag, "-");
	for (size_t i = 0; tag[i]; i++)
		if (!isalnum((unsigned char)tag[i]) && tag[i] != '-')
			return false;
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)tag[i]))
			return false;
	if (n == 1)
		return (tag[0] == 'x' || tag[0] == 'X' || tag[0] == 'i' ||
			tag[0] == 'I') &&
		       tag[1] == '-' && tag[2];
	if (n == 2) {
		char lc[3] = {(char)tolower((unsigned char)tag[0]),
			      (char)tolower((unsigned char)tag[1]), 0};
		for (size_t i = 0; i + 2 <= sizeof(iso639_1) - 1; i += 3)
			if (memcmp(iso639_1 + i, lc, 2) == 0)
				goto subtags;
		return false;
	}
	if (n != 3 && (n < 5 || n > 8))
		return false;
subtags:
	/* Later subtags: 1-8 alphanumerics each, none empty. */
	for (const char *s = tag + n; *s;) {
		s++;
		size_t k = strcspn(s, "-");
		if (k == 0 || k > 8)
			return false;
		s += k;
	}
	return true;
}

static int check_lang(struct ky__csaf_ctx *c)
{
	if (c->doc->lang && !lang_ok(c->doc->lang))
		FAIL(c, "6.1.12", "/document/lang", "%s is not a language tag",
		     c->doc->lang);
	if (c->doc->source_lang && !lang_ok(c->doc->source_lang))
		FAIL(c, "6.1.12", "/document/source_lang",
		     "%s is not a language tag", c->doc->source_lang);
	return 0;
}

/* ---- 6.1.13 purl ------------------------------------------------------ */

static bool pct_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '%' &&
		    (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
		     !isxdigit((unsigned char)s[i + 2])))
			return false;
	return true;
}

/* purl-spec: pkg:type/namespace/name@version?qualifiers#subpath with a
 * type of [a-zA-Z.+-] (no leading digit), a non-empty name, qualifier
 * keys of [a-zA-Z0-9.-_] with non-empty values, valid percent escapes. */
static bool purl_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || strncasecmp(s, "pkg:", 4) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ')
			return false;
	const char *p = s + 4, *end = s + n;
	while (*p == '/')
		p++;
	const char *hash = memchr(p, '#', (size_t)(end - p));
	const char *rest_end = hash ? hash : end;
	const char *q = memchr(p, '?', (size_t)(rest_end - p));
	const char *path_end = q ? q : rest_end;
	if (!pct_ok(p, (size_t)(end - p)))
		return false;
	const char *slash = memchr(p, '/', (size_t)(path_end - p));
	if (!slash || slash == p || isdigit((unsigned char)*p))
		return false;
	for (const char *t = p; t < slash; t++)
		if (!isalnum((unsigned char)*t) && *t != '.' && *t != '+' &&
		    *t != '-')
			return false;
	const char *after = slash + 1;
	const char *at = NULL;
	for (const char *t = after; t < path_end; t++)
		if (*t == '@')
			at = t;
	const char *name_end = at ? at : path_end;
	while (name_end > after && name_end[-1] == '/')
		name_end--;
	const char *name = name_end;
	while (name > after && name[-1] != '/')
		name--;
	if (name == name_end)
		return false;
	if (at && at + 1 == path_end)
		return false; /* '@' with no version */
	if (q) {
		for (const char *t = q + 1; t < rest_end;) {
			const char *amp =
				memchr(t, '&', (size_t)(rest_end - t));
			const char *kv_end = amp ? amp : rest_end;
			const char *eq = memchr(t, '=', (size_t)(kv_end - t));
			if (!eq || eq == t || eq + 1 == kv_end)
				return false;
			for (const char *k = t; k < eq; k++)
				if (!isalnum((unsigned char)*k) && *k != '.' &&
				    *k != '-' && *k != '_')
					return false;
			t = amp ? amp + 1 : rest_end;
		}
	}
	return true;
}

static int check_purl(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = c->doc;
	char path[320];
	for (size_t i = 0; i < d->nproducts; i++) {
		const struct ky_csaf_product *p = &d->products[i];
		if (!p->purl || purl_ok(p->purl))
			continue;
		snprintf(path, sizeof(path),
			 "%s/product_identification_helper/purl", p->where);
		FAIL(c, "6.1.13", path, "%s is not a valid purl", p->purl);
	}
	return 0;
}

/* ---- 6.1.25 multiple use of the same hash algorithm ------------------ */

/* Resolves a pointer made of plain member names and indices (the model
 * writes no '~' escapes because CSAF member names have none). */
static const json_t *resolve(const json_t *root, const char *ptr)
{
	const json_t *j = root;
	char tok[128];
	while (j && *ptr == '/') {
		size_t n = strcspn(ptr + 1, "/");
		if (n >= sizeof(tok))
			return NULL;
		memcpy(tok, ptr + 1, n);
		tok[n] = '\0';
		ptr += n + 1;
		if (json_is_array(j))
			j = json_array_get(j, strtoul(tok, NULL, 10));
		else
			j = json_object_get(j, tok);
	}
	return j;
}

static int check_hashes(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = ky__csaf_doc(c);
	char path[384];
	for (size_t i = 0; i < d->nproducts; i++) {
		const struct ky_csaf_product *p = &d->products[i];
		if (p->nhashes < 2)
			continue;
		const json_t *hs = json_object_get(
			json_object_get(resolve(ky__csaf_json(d), p->where),
					"product_identification_helper"),
			"hashes");
		for (size_t k = 0; k < json_array_size(hs); k++) {
			const json_t *fh = json_object_get(
				json_array_get(hs, k), "file_hashes");
			for (size_t j = 0; j < json_array_size(fh); j++) {
				const char *a = json_string_value(
					json_object_get(json_array_get(fh, j),
							"algorithm"));
				for (size_t m = 0; a && m < j; m++) {
					const char *b = json_string_value(
						json_object_get(
							json_array_get(fh, m),
							"algorithm"));
					if (!b || strcmp(a, b) != 0)
						continue;
					snprintf(
						path, sizeof(path),
						"%s/product_identification_"
						"helper/hashes/%zu/file_hashes/"
						"%zu/algorithm",
						p->where, k, j);
					FAIL(c, "6.1.25", path,
					     "hash algorithm %s is used twice",
					     a);
					break;
				}
			}
		}
	}
	return 0;
}

int ky_csaf_check(const struct ky_csaf *doc, struct ky_csaf_findings *found,
		  struct ky_err *err)
{
	static int (*const tests[])(struct ky__csaf_ctx *) = {
		check_references, check_definitions, check_status,
		check_cvss,	  check_cwe,	     check_lang,
		check_purl,	  check_hashes,	     ky__csaf_check2,
	};
	struct ky__csaf_ctx c = {.doc = doc, .found = found, .err = err};
	int r = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if ((r = tests[i](&c)) != 0 || c.nomem) {
			r = ky_err_set(err, KY_E_NOMEM,
				       "csaf checks: out of memory");
			goto out;
		}
	if (c.nfail > 0)
		r = KY_E_PARSE;
out:
	return r;
}
