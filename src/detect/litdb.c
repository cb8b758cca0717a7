/* The per-field matching structures built at finalize: an equality table
 * (whole-value literals, one hash probe per value), a Vectorscan literal
 * database (hs_compile_lit_multi: contains, startswith, endswith, windash
 * and encoded forms) and a Vectorscan regex database for the rest, with
 * PCRE2 for what Vectorscan rejects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/log.h"
#include "detect/ruleset_int.h"

/* A regex the field's database scans (not answered by literals). */
static bool in_regex(const struct ky__pred *p, uint32_t fi)
{
	return p->fdb == fi && p->kind == KY__PK_HS && !p->inlit;
}

/* A regex no rule triggers on leaves the database for PCRE2, run only
 * when a rule being evaluated reads it (ky__pred.lazy). */
static int lazy_regex(struct ky__pred *p, const struct ky__fdb *f,
		      struct ky_err *err)
{
	char msg[200];

	if (p->anchor) { /* PCRE2 gets the anchored form */
		char *t = p->pattern;

		p->pattern = p->fwd;
		p->fwd = t;
		p->anchor = 0;
	}
	if (ky__pcre_compile(p, msg, sizeof(msg)) != 0)
		return ky_err_set(err, KY_E_INTERNAL, "field %s: /%s/: %s",
				  f->name, p->pattern, msg);
	p->lazy = true;
	return 0;
}

/* Builds the Vectorscan regex database of field fi; a pattern Vectorscan
 * rejects moves to PCRE2 and the rest is tried again. */
static int build_regex(struct ky_ruleset *rs, uint32_t fi, struct ky_err *err)
{
	struct ky__fdb *f = &rs->fdbs[fi];
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	uint32_t n = 0, cap = 0;
	int r = 0;

	for (uint32_t i = 0; i < rs->npreds && r == 0; i++)
		if (in_regex(&rs->preds[i], fi) && !ky__is_trigger(rs, i))
			r = lazy_regex(&rs->preds[i], f, err);
	for (uint32_t i = 0; i < rs->npreds && r == 0; i++)
		cap += in_regex(&rs->preds[i], fi);
	if (cap == 0 || r != 0)
		return r;
	exprs = calloc(cap, sizeof(*exprs));
	flags = calloc(cap, sizeof(*flags));
	ids = calloc(cap, sizeof(*ids));
	if (exprs == NULL || flags == NULL || ids == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		hs_compile_error_t *ce = NULL;
		struct ky__pred *bad;
		char msg[200];

		n = 0;
		for (uint32_t i = 0; i < rs->npreds; i++) {
			const struct ky__pred *p = &rs->preds[i];

			if (!in_regex(p, fi))
				continue;
			exprs[n] = p->pattern;
			flags[n] = p->hsflags;
			ids[n++] = i;
		}
		f->nhs += n;
		if (n == 0)
			break;
		if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL,
				     &f->db, &ce) == HS_SUCCESS)
			break;
		f->nhs -= n;
		if (ce == NULL || ce->expression < 0) {
			r = ky_err_set(err, KY_E_INTERNAL,
				       "field %s: Vectorscan: %s", f->name,
				       ce ? ce->message : "compile failed");
			hs_free_compile_error(ce);
			goto out;
		}
		bad = &rs->preds[ids[ce->expression]];
		KY_DEBUG("field %s: Vectorscan rejects /%s/ (%s): using PCRE2",
			 f->name, bad->pattern, ce->message);
		hs_free_compile_error(ce);
		if (bad->anchor) { /* PCRE2 gets the anchored form */
			char *t = bad->pattern;

			bad->pattern = bad->fwd;
			bad->fwd = t;
			bad->anchor = 0;
		}
		if (ky__pcre_compile(bad, msg, sizeof(msg)) != 0) {
			/* cannot happen for our own patterns; keep the
			 * predicate false rather than failing the set */
			KY_WARN("field %s: pattern /%s/ unusable: %s", f->name,
				bad->pattern, msg);
			bad->kind = KY__PK_PRESENT;
			bad->fdb = KY__NONE;
			continue;
		}
		r = ky__grow(&f->direct, &f->capdirect, f->ndirect + 1,
			     sizeof(*f->direct));
		if (r != 0) {
			r = ky_err_set(err, r, "out of memory");
			goto out;
		}
		f->direct[f->ndirect++] = (uint32_t)(bad - rs->preds);
	}
out:
	free(exprs);
	free(flags);
	free(ids);
	return r;
}

/* An equality key: (0, ASCII-lowered bytes) or (1, bytes) when cased. */
struct eqkey {
	char *k;
	size_t kl;
	uint32_t bit;
};

static int eqkey_cmp(const void *a, const void *b)
{
	const struct eqkey *x = a, *y = b;
	int c;

	if (x->kl != y->kl)
		return x->kl < y->kl ? -1 : 1;
	if ((c = memcmp(x->k, y->k, x->kl)) != 0)
		return c;
	return x->bit < y->bit ? -1 : x->bit > y->bit;
}

static bool is_eq(const struct ky__lit *l)
{
	return l->anchor == (KY__ANCHOR_START | KY__ANCHOR_END) &&
	       l->len <= KY__EQ_MAX;
}

/* The equality table of field f from its keys (sorted here). */
static int build_eq(struct ky__fdb *f, struct eqkey *keys, size_t nk)
{
	int r = 0;

	if (nk == 0)
		return 0;
	qsort(keys, nk, sizeof(*keys), eqkey_cmp);
	if ((f->eq = ky_hash_new(0)) == NULL ||
	    (f->eqv = calloc(2 * nk, sizeof(*f->eqv))) == NULL)
		return KY_E_NOMEM;
	for (size_t i = 0; i < nk && r == 0;) {
		uint32_t at = f->neqv;
		size_t j = i;

		f->eqv[f->neqv++] = 0;
		for (; j < nk && keys[j].kl == keys[i].kl &&
		       memcmp(keys[j].k, keys[i].k, keys[i].kl) == 0;
		     j++) {
			if (j > i && keys[j].bit == keys[j - 1].bit)
				continue;
			f->eqv[f->neqv++] = keys[j].bit;
			f->eqv[at]++;
		}
		if (keys[i].kl - 1 > f->eqmax)
			f->eqmax = (uint32_t)(keys[i].kl - 1);
		f->eqcased |= keys[i].k[0] == 1;
		r = ky_hash_put(f->eq, keys[i].k, keys[i].kl,
				(void *)(uintptr_t)(at + 1), NULL);
		i = j;
	}
	return r;
}

/* Vectorscan's literal API takes no literal starting with a NUL (it
 * reads it as empty): such predicates (UTF-16 big-endian forms) stay
 * regexes. */
static bool lit_ok(const struct ky__pred *p)
{
	for (uint32_t j = 0; j < p->nlits; j++)
		if (!is_eq(&p->lits[j]) && p->lits[j].b[0] == '\0')
			return false;
	return p->nlits > 0;
}

/* Literals the databases scan slowly and a lazy test checks fast: at
 * most LAZY_LITS of them, none longer than LAZY_LEN bytes.  (Making
 * every literal no rule triggers on lazy costs more than it saves: long
 * lists such as filters of image paths are then tested one by one.) */
#define LAZY_LITS 4
#define LAZY_LEN 4

static bool short_only(const struct ky__pred *p)
{
	if (p->nlits > LAZY_LITS)
		return false;
	for (uint32_t j = 0; j < p->nlits; j++)
		if (!is_eq(&p->lits[j]) && p->lits[j].len > LAZY_LEN)
			return false;
	return true;
}

/* The literal table and literal database of field fi, from the literals
 * of its predicates, which then leave the regex database. */
static int build_lit(struct ky_ruleset *rs, uint32_t fi, struct ky_err *err)
{
	struct ky__fdb *f = &rs->fdbs[fi];
	struct eqkey *keys = NULL;
	const char **exprs = NULL;
	size_t *lens = NULL, nk = 0, nl = 0, cap = 0;
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *ce = NULL;
	int r = 0;

	for (uint32_t i = 0; i < rs->npreds; i++) {
		const struct ky__pred *p = &rs->preds[i];

		if (p->fdb == fi && p->kind == KY__PK_HS)
			cap += p->nlits;
	}
	if (cap == 0)
		return 0;
	keys = calloc(cap, sizeof(*keys));
	exprs = calloc(cap, sizeof(*exprs));
	lens = calloc(cap, sizeof(*lens));
	flags = calloc(cap, sizeof(*flags));
	ids = calloc(cap, sizeof(*ids));
	f->lents = calloc(cap, sizeof(*f->lents));
	if (keys == NULL || exprs == NULL || lens == NULL || flags == NULL ||
	    ids == NULL || f->lents == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < rs->npreds; i++) {
		struct ky__pred *p = &rs->preds[i];
		bool cased = !(p->hsflags & HS_FLAG_CASELESS);

		if (p->fdb != fi || p->kind != KY__PK_HS || !lit_ok(p))
			continue;
		p->inlit = true;
		p->lazy = !ky__is_trigger(rs, i) && short_only(p);
		if (p->lazy)
			continue;
		f->nhs++;
		for (uint32_t j = 0; j < p->nlits; j++) {
			const struct ky__lit *l = &p->lits[j];

			if (is_eq(l)) {
				struct eqkey *k = &keys[nk];

				if ((k->k = malloc(l->len + 1)) == NULL) {
					r = KY_E_NOMEM;
					goto out;
				}
				nk++;
				k->kl = l->len + 1;
				k->bit = i;
				k->k[0] = cased ? 1 : 0;
				for (uint32_t c = 0; c < l->len; c++) {
					char ch = l->b[c];

					if (!cased && ch >= 'A' && ch <= 'Z')
						ch = (char)(ch + 'a' - 'A');
					k->k[c + 1] = ch;
				}
				continue;
			}
			f->lents[nl].pred = i;
			f->lents[nl].len = l->len;
			f->lents[nl].anchor = l->anchor;
			exprs[nl] = l->b;
			lens[nl] = l->len;
			/* anchored: every match end is checked; keywords:
			 * scanned over all values joined, every match
			 * belongs to some value (match.c, kw_scan) */
			flags[nl] = (cased ? 0 : HS_FLAG_CASELESS) |
				    (l->anchor || fi == rs->kwfdb
					     ? 0
					     : HS_FLAG_SINGLEMATCH);
			ids[nl] = (unsigned)nl;
			nl++;
		}
	}
	f->nlents = (uint32_t)nl;
	if ((r = build_eq(f, keys, nk)) != 0)
		goto out;
	if (nl > 0 && hs_compile_lit_multi(exprs, flags, ids, lens,
					   (unsigned)nl, HS_MODE_BLOCK, NULL,
					   &f->lit, &ce) != HS_SUCCESS) {
		r = ky_err_set(err, KY_E_INTERNAL,
			       "field %s: Vectorscan literals: %s", f->name,
			       ce ? ce->message : "compile failed");
		hs_free_compile_error(ce);
		f->lit = NULL;
	}
out:
	if (r == KY_E_NOMEM)
		r = ky_err_set(err, r, "out of memory");
	for (size_t i = 0; i < nk; i++)
		free(keys[i].k);
	free(keys);
	free(exprs);
	free(lens);
	free(flags);
	free(ids);
	return r;
}

int ky__build_dbs(struct ky_ruleset *rs, struct ky_err *err)
{
	int r = 0;

	for (uint32_t i = 0; i < rs->nfdbs && r == 0; i++) {
		rs->fdbs[i].nhs = 0;
		r = build_lit(rs, i, err);
		if (r == 0)
			r = build_regex(rs, i, err);
	}
	return r;
}

void ky__fdb_free_dbs(struct ky__fdb *f)
{
	hs_free_database(f->db);
	hs_free_database(f->lit);
	free(f->lents);
	ky_hash_free(f->eq, NULL);
	free(f->eqv);
	f->db = NULL;
	f->lit = NULL;
	f->lents = NULL;
	f->eq = NULL;
	f->eqv = NULL;
}
