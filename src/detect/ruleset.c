/* The rule set: rule storage, logsource resolution and the logsource
 * gates built from it, filters (an extra NOT on the rules they name),
 * correlation rules kept for the correlation module, and the per-thread
 * match scratch. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/hash.h"
#include "base/log.h"
#include "detect/condition.h"
#include "detect/logsource.h"
#include "detect/ruleset_int.h"

int ky__grow(void *p, uint32_t *cap, uint32_t need, size_t sz)
{
	void **pp = p;
	uint32_t n = *cap ? *cap : 8;
	void *np;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > UINT32_MAX / 2)
			return KY_E_NOMEM;
		n *= 2;
	}
	np = ky_reallocarray(*pp, n, sz);
	if (np == NULL)
		return KY_E_NOMEM;
	*pp = np;
	*cap = n;
	return 0;
}

void ky__pred_free(struct ky__pred *p)
{
	free(p->pattern);
	free(p->fwd);
	free(p->ref);
	free(p->key);
	for (uint32_t i = 0; i < p->nlits; i++)
		free(p->lits[i].b);
	free(p->lits);
	if (p->re)
		pcre2_code_free(p->re);
	memset(p, 0, sizeof(*p));
}

static uint32_t pcre_opts(unsigned hsflags)
{
	uint32_t o = 0;

	if (hsflags & HS_FLAG_CASELESS)
		o |= PCRE2_CASELESS;
	if (hsflags & HS_FLAG_DOTALL)
		o |= PCRE2_DOTALL;
	if (hsflags & HS_FLAG_MULTILINE)
		o |= PCRE2_MULTILINE;
	return o;
}

/* Compiles p->pattern with PCRE2 (bytes, no UTF: event values may be
 * invalid UTF-8).  Returns 0 or fills msg. */
int ky__pcre_compile(struct ky__pred *p, char *msg, size_t msglen)
{
	int ec;
	PCRE2_SIZE eo;

	p->re = pcre2_compile((PCRE2_SPTR)p->pattern, PCRE2_ZERO_TERMINATED,
			      pcre_opts(p->hsflags), &ec, &eo, NULL);
	if (p->re == NULL) {
		char m[160];

		pcre2_get_error_message(ec, (PCRE2_UCHAR *)m, sizeof(m));
		snprintf(msg, msglen, "offset %zu: %s", (size_t)eo, m);
		return KY_E_PARSE;
	}
	(void)pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
	p->kind = KY__PK_PCRE;
	return 0;
}

void ky__rollback(struct ky_ruleset *rs, uint32_t npreds, uint32_t npidx,
		  uint32_t nitems, uint32_t ngroups, uint32_t nsearches)
{
	while (rs->npreds > npreds) {
		struct ky__pred *p = &rs->preds[--rs->npreds];

		if (p->kind != KY__PK_HS) {
			struct ky__fdb *f = &rs->fdbs[p->fdb];

			if (f->ndirect > 0 &&
			    f->direct[f->ndirect - 1] == rs->npreds)
				f->ndirect--;
		}
		if (rs->fdbs[p->fdb].present_bit == rs->npreds)
			rs->fdbs[p->fdb].present_bit = KY__NONE;
		if (p->key != NULL)
			ky_hash_del(rs->predkeys, p->key, p->keylen);
		ky__pred_free(p);
	}
	rs->npidx = npidx;
	rs->nitems = nitems;
	rs->ngroups = ngroups;
	rs->nsearches = nsearches;
}

uint32_t ky__get_fdb(struct ky_ruleset *rs, const char *name, int *r)
{
	void *v = ky_hash_get(rs->fdbnames, name, strlen(name));
	struct ky__fdb *f;

	*r = 0;
	if (v != NULL)
		return (uint32_t)((uintptr_t)v - 1);
	if ((*r = ky__grow(&rs->fdbs, &rs->capfdbs, rs->nfdbs + 1,
			   sizeof(*rs->fdbs))) != 0)
		return KY__NONE;
	f = &rs->fdbs[rs->nfdbs];
	memset(f, 0, sizeof(*f));
	f->present_bit = KY__NONE;
	f->gate = KY__NONE;
	f->lsf = KY__NONE;
	if ((f->name = strdup(name)) == NULL) {
		*r = KY_E_NOMEM;
		return KY__NONE;
	}
	if ((*r = ky_hash_put(rs->fdbnames, f->name, strlen(f->name),
			      (void *)(uintptr_t)(rs->nfdbs + 1), NULL)) != 0) {
		free(f->name);
		return KY__NONE;
	}
	return rs->nfdbs++;
}

/* Finds or adds the predicate described by *tmpl (its pointers are taken
 * over, or freed when an equal predicate exists). */
int ky__add_pred(struct ky_ruleset *rs, struct ky__pred *tmpl, uint32_t *bit)
{
	struct ky_buf k;
	void *v;
	int r;

	ky_buf_init(&k, 0);
	r = ky_buf_addf(&k, "%u|%u|%u|%u|%u|%u|%u|%u|%.17g|", tmpl->fdb,
			tmpl->anchor, tmpl->kind, tmpl->op, tmpl->tpart,
			tmpl->cased, tmpl->prefix, tmpl->hsflags, tmpl->num);
	if (r == 0 && tmpl->kind == KY__PK_CIDR)
		r = ky_buf_add(&k, tmpl->addr, 16);
	if (r == 0)
		r = ky_buf_adds(&k, tmpl->pattern ? tmpl->pattern : "");
	if (r == 0)
		r = ky_buf_adds(&k, tmpl->ref ? tmpl->ref : "");
	if (r != 0)
		goto out;
	v = ky_hash_get(rs->predkeys, k.data, k.len);
	if (v != NULL) {
		*bit = (uint32_t)((uintptr_t)v - 1);
		ky__pred_free(tmpl);
		goto out;
	}
	if ((r = ky__grow(&rs->preds, &rs->cappreds, rs->npreds + 1,
			  sizeof(*rs->preds))) != 0)
		goto out;
	if ((r = ky_hash_put(rs->predkeys, k.data, k.len,
			     (void *)(uintptr_t)(rs->npreds + 1), NULL)) != 0)
		goto out;
	tmpl->keylen = k.len;
	tmpl->key = ky_buf_steal(&k, NULL);
	if (tmpl->kind != KY__PK_HS) {
		struct ky__fdb *f = &rs->fdbs[tmpl->fdb];

		r = ky__grow(&f->direct, &f->capdirect, f->ndirect + 1,
			     sizeof(*f->direct));
		if (r != 0) {
			ky_hash_del(rs->predkeys, tmpl->key, tmpl->keylen);
			goto out;
		}
		f->direct[f->ndirect++] = rs->npreds;
	}
	rs->preds[rs->npreds] = *tmpl;
	memset(tmpl, 0, sizeof(*tmpl));
	*bit = rs->npreds++;
out:
	ky_buf_free(&k);
	ky__pred_free(tmpl);
	return r;
}

int ky__present_bit(struct ky_ruleset *rs, uint32_t fdb, uint32_t *bit)
{
	struct ky__fdb *f = &rs->fdbs[fdb];
	int r;

	if (f->present_bit != KY__NONE) {
		*bit = f->present_bit;
		return 0;
	}
	if ((r = ky__grow(&rs->preds, &rs->cappreds, rs->npreds + 1,
			  sizeof(*rs->preds))) != 0)
		return r;
	memset(&rs->preds[rs->npreds], 0, sizeof(*rs->preds));
	/* no dedup key and not a direct predicate: match.c sets it */
	rs->preds[rs->npreds].kind = KY__PK_PRESENT;
	rs->preds[rs->npreds].fdb = fdb;
	f->present_bit = rs->npreds;
	*bit = rs->npreds++;
	return 0;
}

int ky__cidr_parse(const char *s, struct ky__pred *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long bits;
	char *end;
	unsigned max;

	if (n >= sizeof(buf))
		return KY_E_PARSE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = 6;
		max = 128;
	} else {
		return KY_E_PARSE;
	}
	bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || bits < 0 ||
		    bits > (long)max)
			return KY_E_PARSE;
	}
	p->prefix = (uint8_t)bits;
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;

		if (lo >= (unsigned)bits)
			p->addr[i] = 0;
		else if (lo + 8 > (unsigned)bits)
			p->addr[i] &= (uint8_t)(0xff00 >> (bits - lo));
	}
	return 0;
}

int ky_ruleset_new(struct ky_ruleset **out, const struct ky_ruleset_opts *o,
		   struct ky_err *err)
{
	struct ky_ruleset *rs = calloc(1, sizeof(*rs));
	int r = 0;

	*out = NULL;
	if (rs == NULL)
		return ky_err_set(err, KY_E_NOMEM, "rule set: out of memory");
	rs->kwfdb = KY__NONE;
	rs->predkeys = ky_hash_new(0);
	rs->fdbnames = ky_hash_new(0);
	if (rs->predkeys == NULL || rs->fdbnames == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "rule set: out of memory");
		goto out;
	}
	if (o != NULL)
		rs->placeholders = o->placeholders;
	if (o != NULL && o->logsources != NULL) {
		rs->ls = o->logsources;
	} else {
		rs->own_ls = ky_logsources_builtin();
		if (rs->own_ls == NULL) {
			r = ky_err_set(err, KY_E_NOMEM,
				       "rule set: built-in logsource map");
			goto out;
		}
		rs->ls = rs->own_ls;
	}
	*out = rs;
	rs = NULL; /* transferred */
out:
	ky_ruleset_free(rs);
	return r;
}

void ky_ruleset_free(struct ky_ruleset *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->nrules; i++) {
		struct ky__rule *cr = &rs->rules[i];

		ky_cond_free(cr->cond);
		free(cr->altidx);
		free(cr->filters);
		ky_sigma_rule_free(cr->rule);
	}
	free(rs->rules);
	for (uint32_t i = 0; i < rs->npreds; i++)
		ky__pred_free(&rs->preds[i]);
	free(rs->preds);
	for (uint32_t i = 0; i < rs->nfdbs; i++) {
		free(rs->fdbs[i].name);
		free(rs->fdbs[i].direct);
		ky__fdb_free_dbs(&rs->fdbs[i]);
	}
	free(rs->fdbs);
	ky_hash_free(rs->predkeys, NULL);
	ky_hash_free(rs->fdbnames, NULL);
	free(rs->pidx);
	free(rs->items);
	free(rs->groups);
	free(rs->searches);
	free(rs->alts);
	free(rs->trig_off);
	free(rs->trig);
	free(rs->zero);
	free(rs->lazymask);
	free(rs->ftab);
	free(rs->gates);
	free(rs->gatealts);
	free(rs->altcond);
	free(rs->altcond_off);
	ky_logsources_free(rs->own_ls);
	free(rs);
}

static int alt_index(struct ky_ruleset *rs, const struct ky_ls_alt *a,
		     uint32_t *idx)
{
	int r;

	for (uint32_t i = 0; i < rs->nalts; i++) {
		if (rs->alts[i] == a) {
			*idx = i;
			return 0;
		}
	}
	if ((r = ky__grow(&rs->alts, &rs->capalts, rs->nalts + 1,
			  sizeof(*rs->alts))) != 0)
		return r;
	rs->alts[rs->nalts] = a;
	*idx = rs->nalts++;
	return 0;
}

/* The condition and the searches of a detection or filter rule. */
static int compile_detection(struct ky_ruleset *rs, struct ky__rule *cr,
			     struct ky_err *err)
{
	struct ky_sigma_rule *ru = cr->rule;
	const char **names = NULL;
	int r = 0;

	if (ru->nconditions == 0 || ru->nsearches == 0) {
		r = ky_err_set(err, KY_E_UNSUPPORTED,
			       "%s:%u: no detection or condition",
			       ru->path ? ru->path : "(rule)", ru->line);
		goto out;
	}
	names = calloc(ru->nsearches, sizeof(*names));
	if (names == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < ru->nsearches; i++)
		names[i] = ru->searches[i].name;
	r = ky_cond_compile_list((const char *const *)ru->conditions,
				 ru->nconditions, names, ru->nsearches,
				 &cr->cond, err);
	if (r != 0) {
		if (r != KY_E_NOMEM) {
			ky_err_prefix(err, "%s:%u:%u",
				      ru->path ? ru->path : "(rule)",
				      ru->cond_line, ru->cond_col);
			r = err ? (err->status = KY_E_UNSUPPORTED)
				: KY_E_UNSUPPORTED;
		}
		goto out;
	}
	r = ky__compile_rule(rs, cr, err);
out:
	free(names);
	return r;
}

int ky_ruleset_add(struct ky_ruleset *rs, struct ky_sigma_rule *rule,
		   struct ky_err *err)
{
	struct ky__rule cr = {0};
	uint32_t mp = rs->npreds, mi = rs->npidx, mit = rs->nitems,
		 mg = rs->ngroups, ms = rs->nsearches;
	int r = 0;

	if (rs->finalized) {
		r = ky_err_set(err, KY_E_INVAL, "rule set already finalized");
		goto out;
	}
	if (rs->nrules == rs->caprules) {
		size_t nc = rs->caprules ? rs->caprules * 2 : 64;
		struct ky__rule *nr =
			ky_reallocarray(rs->rules, nc, sizeof(*nr));

		if (nr == NULL) {
			r = ky_err_set(err, KY_E_NOMEM, "out of memory");
			goto out;
		}
		rs->rules = nr;
		rs->caprules = nc;
	}
	cr.rule = rule;
	if (rule->kind == KY_SIGMA_CORRELATION) {
		/* kept for the correlation module; never alerts here */
		rs->rules[rs->nrules++] = cr;
		rs->ncorr++;
		rule = NULL; /* transferred */
		goto out;
	}
	r = ky_logsources_resolve(rs->ls, rule->product, rule->category,
				  rule->service, &cr.alts, &cr.nalts);
	if (r != 0) {
		r = ky_err_set(err, KY_E_UNSUPPORTED,
			       "%s:%u: logsource cannot be resolved",
			       rule->path ? rule->path : "(rule)", rule->line);
		goto out;
	}
	/* A category or service nobody maps cannot be told from other
	 * events; a bare product (a filter for "windows") still runs
	 * everywhere, as before. */
	if (cr.nalts == 0 &&
	    (rule->category != NULL || rule->service != NULL)) {
		cr.unmapped = true;
		rs->nunmapped++;
	}
	if (cr.nalts > 0) {
		cr.altidx = calloc(cr.nalts, sizeof(*cr.altidx));
		if (cr.altidx == NULL) {
			r = KY_E_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < cr.nalts && r == 0; i++)
			r = alt_index(rs, cr.alts[i], &cr.altidx[i]);
		if (r != 0)
			goto out;
	}
	if ((r = compile_detection(rs, &cr, err)) != 0)
		goto out;
	if (cr.nsearch > rs->maxsearch)
		rs->maxsearch = cr.nsearch;
	if (cr.nfields > rs->maxfields)
		rs->maxfields = cr.nfields;
	if (rule->kind == KY_SIGMA_FILTER)
		rs->nfilt++;
	rs->rules[rs->nrules++] = cr;
	memset(&cr, 0, sizeof(cr));
	rule = NULL; /* transferred */
out:
	if (r != 0) {
		ky__rollback(rs, mp, mi, mit, mg, ms);
		if (r == KY_E_NOMEM)
			ky_err_set(err, r, "%s: out of memory",
				   rule && rule->path ? rule->path : "rule");
	}
	ky_cond_free(cr.cond);
	free(cr.altidx);
	ky_sigma_rule_free(rule);
	return r;
}

static bool names_rule(const char *ref, const struct ky_sigma_rule *ru)
{
	return (ru->id != NULL && strcmp(ref, ru->id) == 0) ||
	       (ru->name != NULL && strcmp(ref, ru->name) == 0);
}

/* Attaches each filter to the detection rules it names. */
static int resolve_filters(struct ky_ruleset *rs, struct ky_err *err)
{
	for (size_t f = 0; f < rs->nrules; f++) {
		const struct ky_sigma_rule *fr = rs->rules[f].rule;

		if (fr->kind != KY_SIGMA_FILTER || fr->filt == NULL)
			continue;
		for (size_t k = 0; k < fr->filt->nrules; k++) {
			bool found = false;

			for (size_t i = 0; i < rs->nrules; i++) {
				struct ky__rule *cr = &rs->rules[i];
				uint32_t *nf;

				if (cr->rule->kind != KY_SIGMA_DETECTION ||
				    !names_rule(fr->filt->rules[k], cr->rule))
					continue;
				found = true;
				nf = ky_reallocarray(cr->filters,
						     cr->nfilters + 1,
						     sizeof(*nf));
				if (nf == NULL)
					return ky_err_set(err, KY_E_NOMEM,
							  "out of memory");
				cr->filters = nf;
				cr->filters[cr->nfilters++] = (uint32_t)f;
			}
			if (!found)
				KY_WARN("%s:%u: filter names unknown rule %s",
					fr->path ? fr->path : "(filter)",
					fr->line, fr->filt->rules[k]);
		}
	}
	return 0;
}

/* ---- logsource gates (built at finalize) ---- */

int ky__u32v_push(struct ky__u32v *a, uint32_t x)
{
	int r = ky__grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v));

	if (r == 0)
		a->v[a->n++] = x;
	return r;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void ky__u32v_unique(struct ky__u32v *a, uint32_t from)
{
	uint32_t n = from;

	if (a->n - from < 2)
		return;
	qsort(a->v + from, a->n - from, sizeof(*a->v), cmp_u32);
	for (uint32_t i = from; i < a->n; i++)
		if (n == from || a->v[n - 1] != a->v[i])
			a->v[n++] = a->v[i];
	a->n = n;
}

/* The gate of the sorted alternatives alts[0..n) (n == 0: never open),
 * shared with every equal set through byset. */
static int gate_of(struct ky_ruleset *rs, struct ky_hash *byset,
		   const uint32_t *alts, uint32_t n, uint32_t *out)
{
	static const uint32_t empty = KY__NONE; /* the key of n == 0 */
	const void *key = n ? (const void *)alts : &empty;
	size_t klen = n ? (size_t)n * sizeof(*alts) : sizeof(empty);
	void *v = ky_hash_get(byset, key, klen);
	int r;

	if (v != NULL) {
		*out = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if ((r = ky__grow(&rs->gates, &rs->capgates, rs->ngates + 1,
			  sizeof(*rs->gates))) != 0 ||
	    (r = ky__grow(&rs->gatealts, &rs->capgatealts, rs->ngatealts + n,
			  sizeof(*rs->gatealts))) != 0)
		return r;
	if (n > 0)
		memcpy(rs->gatealts + rs->ngatealts, alts, n * sizeof(*alts));
	rs->gates[rs->ngates].first = rs->ngatealts;
	rs->gates[rs->ngates].n = n;
	rs->ngatealts += n;
	if ((r = ky_hash_put(byset, key, klen,
			     (void *)(uintptr_t)(rs->ngates + 1), NULL)) != 0)
		return r;
	*out = rs->ngates++;
	return 0;
}

/* The logsource fields: each condition of each alternative in use gets
 * the index of its field, whose database (created if no rule reads the
 * field) remembers it, so the field loop can pick the event's up. */
static int build_lsf(struct ky_ruleset *rs)
{
	uint32_t total = 0, k = 0;
	int r = 0;

	for (uint32_t a = 0; a < rs->nalts; a++)
		total += (uint32_t)rs->alts[a]->nconds;
	rs->altcond_off = calloc((size_t)rs->nalts + 1, sizeof(uint32_t));
	rs->altcond = calloc((size_t)total + 1, sizeof(uint32_t));
	if (rs->altcond_off == NULL || rs->altcond == NULL)
		return KY_E_NOMEM;
	for (uint32_t a = 0; a < rs->nalts && r == 0; a++) {
		rs->altcond_off[a] = k;
		for (size_t c = 0; c < rs->alts[a]->nconds && r == 0; c++) {
			uint32_t fd = ky__get_fdb(
				rs, rs->alts[a]->conds[c].field, &r);

			if (r != 0)
				break;
			if (rs->fdbs[fd].lsf == KY__NONE)
				rs->fdbs[fd].lsf = rs->nlsf++;
			rs->altcond[k++] = rs->fdbs[fd].lsf;
		}
	}
	rs->altcond_off[rs->nalts] = k;
	return r;
}

/* Gates: a rule's is its alternatives (never open for an unmapped rule,
 * always for one the map does not constrain); a field's is the union of
 * the gates of the rules reading it, so a field no rule of the event's
 * logsource reads is not scanned (its bits would be read by no rule that
 * can be evaluated). */
static int build_field_gates(struct ky_ruleset *rs)
{
	struct ky_hash *byset = ky_hash_new(0);
	uint32_t aw = (rs->nalts + 63) / 64 + 1, never = 0;
	uint64_t *fmask = calloc((size_t)rs->nfdbs * aw, sizeof(*fmask));
	uint8_t *always = calloc((size_t)rs->nfdbs + 1, 1);
	struct ky__u32v bits = {0}, alts = {0};
	int r = 0;

	if (byset == NULL || fmask == NULL || always == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	if ((r = gate_of(rs, byset, NULL, 0, &never)) != 0)
		goto out;
	for (size_t i = 0; i < rs->nrules && r == 0; i++) {
		struct ky__rule *cr = &rs->rules[i];

		cr->gate = KY__NONE;
		if (cr->rule->kind == KY_SIGMA_CORRELATION)
			continue;
		if (cr->unmapped) {
			cr->gate = never;
			continue; /* opens no field either */
		}
		bits.n = 0;
		if ((r = ky__rule_bits(rs, cr, &bits)) != 0)
			break;
		for (uint32_t b = 0; b < bits.n; b++) {
			uint32_t fd = rs->preds[bits.v[b]].fdb;

			if (fd == KY__NONE)
				continue;
			if (cr->nalts == 0)
				always[fd] = 1;
			for (size_t a = 0; a < cr->nalts; a++)
				fmask[fd * aw + cr->altidx[a] / 64] |=
					(uint64_t)1 << (cr->altidx[a] % 64);
		}
		if (cr->nalts == 0)
			continue;
		alts.n = 0;
		for (size_t a = 0; a < cr->nalts && r == 0; a++)
			r = ky__u32v_push(&alts, cr->altidx[a]);
		ky__u32v_unique(&alts, 0);
		if (r == 0)
			r = gate_of(rs, byset, alts.v, alts.n, &cr->gate);
	}
	for (uint32_t f = 0; f < rs->nfdbs && r == 0; f++) {
		rs->fdbs[f].gate = KY__NONE;
		if (always[f])
			continue;
		alts.n = 0;
		for (uint32_t a = 0; a < rs->nalts && r == 0; a++)
			if ((fmask[f * aw + a / 64] >> (a % 64)) & 1)
				r = ky__u32v_push(&alts, a);
		if (r == 0)
			r = gate_of(rs, byset, alts.v, alts.n,
				    &rs->fdbs[f].gate);
	}
out:
	ky_hash_free(byset, NULL);
	free(fmask);
	free(always);
	free(bits.v);
	free(alts.v);
	return r;
}

int ky__build_gates(struct ky_ruleset *rs)
{
	int r = build_lsf(rs);

	return r != 0 ? r : build_field_gates(rs);
}

int ky_ruleset_finalize(struct ky_ruleset *rs, struct ky_err *err)
{
	int r;

	if (rs->finalized)
		return 0;
	if ((r = resolve_filters(rs, err)) != 0)
		return r;
	if ((r = ky__build_triggers(rs, err)) != 0)
		return r;
	if ((r = ky__build_dbs(rs, err)) != 0)
		return r;
	for (uint32_t f = 0; f < rs->nfdbs; f++) {
		struct ky__fdb *fd = &rs->fdbs[f];

		/* what eval_field returns at once for */
		fd->idle = fd->present_bit == KY__NONE && fd->ndirect == 0 &&
			   fd->db == NULL && fd->lit == NULL && fd->eq == NULL;
	}
	if ((r = ky__build_index(rs, err)) != 0)
		return r;
	rs->finalized = true;
	return 0;
}

size_t ky_ruleset_count(const struct ky_ruleset *rs)
{
	return rs->nrules;
}

const struct ky_sigma_rule *ky_ruleset_rule(const struct ky_ruleset *rs,
					    size_t i)
{
	return i < rs->nrules ? rs->rules[i].rule : NULL;
}

int ky_match_scratch_new(const struct ky_ruleset *rs,
			 struct ky_match_scratch **out)
{
	struct ky_match_scratch *s = calloc(1, sizeof(*s));
	int r = 0;

	*out = NULL;
	if (s == NULL)
		return KY_E_NOMEM;
	if (!rs->finalized) {
		r = KY_E_INVAL;
		goto out;
	}
	s->nbits_words = (rs->npreds + 63) / 64;
	s->bits = calloc(s->nbits_words + 1, sizeof(*s->bits));
	s->touched = calloc(s->nbits_words + 1, sizeof(*s->touched));
	s->sbits = calloc((rs->maxsearch + 63) / 64 + 1, sizeof(*s->sbits));
	s->altok = calloc(rs->nalts + 1, sizeof(*s->altok));
	s->afields = calloc(rs->maxfields + 1, sizeof(*s->afields));
	s->rmark = calloc((rs->nrules + 63) / 64 + 1, sizeof(*s->rmark));
	s->gateok = calloc(rs->ngates + 1, sizeof(*s->gateok));
	s->lsval = calloc(rs->nlsf + 1, sizeof(*s->lsval));
	s->vc = calloc(KY__VC_SLOTS, sizeof(*s->vc));
	s->ring = malloc(KY__VC_RING);
	s->capfdi = 256;
	s->fdi = calloc((size_t)s->capfdi * 2, sizeof(*s->fdi));
	s->fvh = calloc(s->capfdi, sizeof(*s->fvh));
	s->md = pcre2_match_data_create(1, NULL);
	s->lazygen = calloc(rs->nlazy + 1, sizeof(*s->lazygen));
	s->fhead = calloc(rs->nfdbs + 1, sizeof(*s->fhead));
	s->fgen = calloc(rs->nfdbs + 1, sizeof(*s->fgen));
	s->fnext = calloc(s->capfdi, sizeof(*s->fnext));
	s->kwv = calloc(s->capfdi, sizeof(*s->kwv));
	s->pc = calloc(KY__PC_SLOTS, sizeof(*s->pc));
	if (s->pc == NULL || s->lazygen == NULL || s->fhead == NULL ||
	    s->fgen == NULL || s->fnext == NULL || s->kwv == NULL ||
	    s->bits == NULL || s->touched == NULL || s->sbits == NULL ||
	    s->altok == NULL || s->afields == NULL || s->md == NULL ||
	    s->rmark == NULL || s->gateok == NULL || s->lsval == NULL ||
	    s->fdi == NULL || s->fvh == NULL || s->vc == NULL ||
	    s->ring == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < rs->nfdbs; i++) {
		if ((rs->fdbs[i].db != NULL &&
		     hs_alloc_scratch(rs->fdbs[i].db, &s->hs) != HS_SUCCESS) ||
		    (rs->fdbs[i].lit != NULL &&
		     hs_alloc_scratch(rs->fdbs[i].lit, &s->hs) != HS_SUCCESS)) {
			r = KY_E_NOMEM;
			goto out;
		}
	}
	*out = s;
	s = NULL; /* transferred */
out:
	ky_match_scratch_free(s);
	return r;
}

void ky_match_scratch_free(struct ky_match_scratch *s)
{
	if (s == NULL)
		return;
	if (s->hs != NULL)
		hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	free(s->bits);
	free(s->touched);
	free(s->sbits);
	free(s->altok);
	free(s->afields);
	free(s->rmark);
	free(s->gateok);
	free(s->lsval);
	free(s->fdi);
	free(s->fvh);
	free(s->vc);
	free(s->ring);
	free(s->lazygen);
	free(s->kwbuf);
	free(s->kwv);
	free(s->pc);
	free(s->fhead);
	free(s->fgen);
	free(s->fnext);
	free(s);
}

void ky_match_scratch_stats(const struct ky_match_scratch *s, uint64_t *tested,
			    uint64_t *cached)
{
	if (tested != NULL)
		*tested = s->nscan;
	if (cached != NULL)
		*cached = s->nhit;
}

size_t ky_ruleset_unmapped(const struct ky_ruleset *rs)
{
	return rs->nunmapped;
}
