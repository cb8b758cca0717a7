/* The matcher's indexes, built once at finalize: which predicate bits can
 * make each rule true (its triggers), the rules that hold with none of
 * their bits set (zero rules), the logsource gates and the fields whose
 * values the per-thread cache may answer. */
#include <stdlib.h>
#include <string.h>

#include "detect/condition.h"
#include "detect/ruleset_int.h"

/* Every bit an item reads: its values and its presence bit. */
static int item_bits(const struct ky_ruleset *rs, const struct ky__item *it,
		     struct ky__u32v *out)
{
	int r = 0;

	for (uint32_t p = 0; p < it->n && r == 0; p++)
		r = ky__u32v_push(out, rs->pidx[it->first + p]);
	if (r == 0 && it->present_bit != KY__NONE)
		r = ky__u32v_push(out, it->present_bit);
	return r;
}

static int chain_bits(const struct ky_ruleset *rs, uint32_t k,
		      struct ky__u32v *out)
{
	int r = 0;

	for (; k != KY__NONE && r == 0; k = rs->items[k].alt)
		r = item_bits(rs, &rs->items[k], out);
	return r;
}

static uint64_t bit_weight(const struct ky_ruleset *rs, uint32_t b,
			   const uint32_t *pop);

/* The bits of which one must be set for the chain to hold, when it is
 * false on no bits: an item that needs all its values (|all) needs its
 * least likely one; any other item, any of its bits. */
static int chain_trig(const struct ky_ruleset *rs, uint32_t k,
		      const uint32_t *pop, struct ky__u32v *out)
{
	int r = 0;

	for (; k != KY__NONE && r == 0; k = rs->items[k].alt) {
		const struct ky__item *it = &rs->items[k];
		uint32_t best = KY__NONE;
		uint64_t bw = UINT64_MAX;

		if (it->neg || !it->all || it->n < 2) {
			r = item_bits(rs, it, out);
			continue;
		}
		for (uint32_t p = 0; p < it->n; p++) {
			uint32_t b = rs->pidx[it->first + p];
			uint64_t w = bit_weight(rs, b, pop);

			if (w < bw) {
				bw = w;
				best = b;
			}
		}
		r = ky__u32v_push(out, best);
	}
	return r;
}

static int search_bits(const struct ky_ruleset *rs, const struct ky__search *se,
		       struct ky__u32v *out)
{
	int r = 0;

	for (uint32_t g = 0; g < se->n && r == 0; g++) {
		const struct ky__group *gr = &rs->groups[se->first + g];

		for (uint32_t i = 0; i < gr->n && r == 0; i++)
			r = chain_bits(rs, gr->first + i, out);
	}
	return r;
}

int ky__rule_bits(const struct ky_ruleset *rs, const struct ky__rule *cr,
		  struct ky__u32v *out)
{
	int r = 0;

	for (uint32_t j = 0; j < cr->nsearch && r == 0; j++)
		r = search_bits(rs, &rs->searches[cr->search0 + j], out);
	return r;
}

/* The shortest literal a contains/startswith/endswith predicate can
 * match (0: none, or a regex). */
static uint32_t short_lit(const struct ky__pred *p)
{
	uint32_t m = 0;

	for (uint32_t j = 0; j < p->nlits; j++) {
		const struct ky__lit *l = &p->lits[j];

		if (l->anchor != (KY__ANCHOR_START | KY__ANCHOR_END) &&
		    (m == 0 || l->len < m))
			m = l->len;
	}
	return m;
}

/* What a bit costs as a trigger, roughly how likely it is to be set on
 * an event plus what keeping it in a database costs: shared predicates
 * (`\svchost.exe` in hundreds of filters), non-string tests (present,
 * any value, numbers) and the fields that name a logsource (EventID)
 * are set often; literals of 1-4 bytes occur in most values and slow
 * the literal databases down (a literal that triggers no rule leaves
 * them: ky__pred.lazy); regexes cost more to scan than literals. */
static uint64_t bit_weight(const struct ky_ruleset *rs, uint32_t b,
			   const uint32_t *pop)
{
	static const uint64_t bylen[] = {0, 20000, 5000, 2000, 300};
	const struct ky__pred *p = &rs->preds[b];
	uint64_t w = 1 + (uint64_t)pop[b];
	uint32_t m;

	if (p->kind != KY__PK_HS && p->kind != KY__PK_PCRE)
		w += 1000;
	else if (p->fdb != KY__NONE && rs->fdbs[p->fdb].lsf != KY__NONE)
		w += 500;
	else if (p->kind == KY__PK_HS && (m = short_lit(p)) > 0 && m <= 4)
		w += bylen[m];
	else if (p->kind == KY__PK_HS && p->litlen > 0 && p->litlen < 4)
		w += 100;
	else if (p->kind != KY__PK_HS || p->nlits == 0)
		w += 50;
	return w;
}

static uint64_t bits_weight(const struct ky_ruleset *rs, const uint32_t *b,
			    uint32_t n, const uint32_t *pop)
{
	uint64_t w = 0;

	for (uint32_t i = 0; i < n; i++)
		w += bit_weight(rs, b[i], pop);
	return w;
}

/* Bits of which one must be set for the search to differ from its value
 * on an event that sets none of its bits.  A search false there holds
 * only if one of its groups does, which needs each of the group's item
 * chains to hold; a chain that is false on no bits needs one of its own
 * bits.  So one such chain per group (the least likely) is enough.  A
 * search true on no bits needs any of its bits to change. */
static int search_trig(const struct ky_ruleset *rs, const struct ky__search *se,
		       const uint64_t *zero, const uint32_t *pop,
		       struct ky__u32v *tmp, struct ky__u32v *out)
{
	int r = 0;

	if (ky__search_eval(rs, se, zero, NULL))
		return search_bits(rs, se, out);
	for (uint32_t g = 0; g < se->n && r == 0; g++) {
		const struct ky__group *gr = &rs->groups[se->first + g];
		uint32_t best = KY__NONE;
		uint64_t bw = UINT64_MAX;

		for (uint32_t i = 0; i < gr->n && r == 0; i++) {
			uint32_t k = gr->first + i;
			uint64_t w;

			if (ky__item_chain(rs, k, zero, NULL))
				continue;
			tmp->n = 0;
			r = chain_trig(rs, k, pop, tmp);
			w = bits_weight(rs, tmp->v, tmp->n, pop);
			if (w < bw) {
				bw = w;
				best = k;
			}
		}
		if (r == 0)
			r = best != KY__NONE ? chain_trig(rs, best, pop, out)
					     : search_bits(rs, se, out);
	}
	return r;
}

#define MAX_FREE 12

/* Whether the condition is false for every value of the searches
 * fr[0..nfr), the searches j with need[j] at their value on no bits
 * (zv[j]) and the others false (the condition does not read them). */
static bool cond_false(const struct ky__rule *cr, const uint8_t *need,
		       const uint8_t *zv, const uint32_t *fr, uint32_t nfr,
		       uint64_t *sb)
{
	size_t words = (cr->nsearch + 63) / 64;

	for (uint32_t m = 0; m < (1u << nfr); m++) {
		memset(sb, 0, words * sizeof(*sb));
		for (uint32_t j = 0; j < cr->nsearch; j++)
			if (need[j] && zv[j])
				sb[j >> 6] |= (uint64_t)1 << (j & 63);
		for (uint32_t f = 0; f < nfr; f++)
			if ((m >> f) & 1)
				sb[fr[f] >> 6] |= (uint64_t)1 << (fr[f] & 63);
		if (ky_cond_eval(cr->cond, sb))
			return false;
	}
	return true;
}

/* Scratch for rule_trig, sized for the largest rule. */
struct trig_tmp {
	uint8_t *need, *zv;
	uint32_t *order, *fr;
	uint64_t *w, *sb, *used;
	struct ky__u32v tmp, sbits;
};

/* The trigger bits of a rule false on no bits: a set T of searches such
 * that the rule is false whenever every search of T has its no-bits
 * value, whatever the others are (`sel and not filter`: T = {sel}), then
 * each one's search_trig bits.  If no bit of those is set, every search
 * of T has its no-bits value and the rule is false: exact.  T starts as
 * the searches the condition reads; the likeliest to fire are taken out
 * first, as long as the condition stays false (checked on every value of
 * the searches taken out, at most MAX_FREE of them). */
static int rule_trig(const struct ky_ruleset *rs, const struct ky__rule *cr,
		     const uint64_t *zero, const uint32_t *pop,
		     struct trig_tmp *t, struct ky__u32v *out)
{
	uint32_t nfr = 0, ns = cr->nsearch;
	int r = 0;

	memset(t->used, 0, ((ns + 63) / 64) * sizeof(*t->used));
	ky_cond_used(cr->cond, t->used);
	for (uint32_t j = 0; j < ns && r == 0; j++) {
		const struct ky__search *se = &rs->searches[cr->search0 + j];

		t->need[j] = (t->used[j >> 6] >> (j & 63)) & 1;
		t->zv[j] = ky__search_eval(rs, se, zero, NULL);
		t->sbits.n = 0;
		r = search_trig(rs, se, zero, pop, &t->tmp, &t->sbits);
		t->w[j] = bits_weight(rs, t->sbits.v, t->sbits.n, pop);
		t->order[j] = j;
	}
	/* heaviest first (insertion sort: rules have few searches) */
	for (uint32_t j = 1; j < ns; j++) {
		uint32_t x = t->order[j], k = j;

		for (; k > 0 && t->w[t->order[k - 1]] < t->w[x]; k--)
			t->order[k] = t->order[k - 1];
		t->order[k] = x;
	}
	for (uint32_t o = 0; o < ns && nfr < MAX_FREE && r == 0; o++) {
		uint32_t j = t->order[o];

		if (!t->need[j])
			continue;
		t->need[j] = 0;
		t->fr[nfr++] = j;
		if (!cond_false(cr, t->need, t->zv, t->fr, nfr, t->sb)) {
			t->need[j] = 1;
			nfr--;
		}
	}
	for (uint32_t j = 0; j < ns && r == 0; j++)
		if (t->need[j])
			r = search_trig(rs, &rs->searches[cr->search0 + j],
					zero, pop, &t->tmp, out);
	return r;
}

/* The trigger index and the zero rules (those that hold on an event
 * setting none of their bits: evaluated on every event of their
 * logsource). */
static int build_triggers(struct ky_ruleset *rs)
{
	uint32_t *pop = calloc((size_t)rs->npreds + 1, sizeof(*pop));
	uint64_t *zero = calloc((rs->npreds + 63) / 64 + 1, sizeof(*zero));
	uint32_t ms = rs->maxsearch + 1, sw = (rs->maxsearch + 63) / 64 + 1;
	struct trig_tmp t = {0};
	struct ky__u32v pb = {0}, pr = {0}, bits = {0};
	int r = 0;

	t.need = calloc(ms, 1);
	t.zv = calloc(ms, 1);
	t.order = calloc(ms, sizeof(*t.order));
	t.fr = calloc(MAX_FREE + 1, sizeof(*t.fr));
	t.w = calloc(ms, sizeof(*t.w));
	t.sb = calloc(sw, sizeof(*t.sb));
	t.used = calloc(sw, sizeof(*t.used));
	rs->trig_off = calloc((size_t)rs->npreds + 2, sizeof(*rs->trig_off));
	rs->zero = calloc(rs->nrules + 1, sizeof(*rs->zero));
	if (pop == NULL || zero == NULL || t.need == NULL || t.zv == NULL ||
	    t.order == NULL || t.fr == NULL || t.w == NULL || t.sb == NULL ||
	    t.used == NULL || rs->trig_off == NULL || rs->zero == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < rs->nitems; i++)
		for (uint32_t p = 0; p < rs->items[i].n; p++)
			pop[rs->pidx[rs->items[i].first + p]]++;
	for (uint32_t i = 0; i < rs->nrules && r == 0; i++) {
		const struct ky__rule *cr = &rs->rules[i];

		if (cr->rule->kind != KY_SIGMA_DETECTION)
			continue;
		if (ky__rule_eval(rs, cr, zero, t.sb, NULL)) {
			rs->zero[rs->nzero++] = i;
			continue;
		}
		bits.n = 0;
		if ((r = rule_trig(rs, cr, zero, pop, &t, &bits)) != 0)
			break;
		ky__u32v_unique(&bits, 0);
		for (uint32_t b = 0; b < bits.n && r == 0; b++) {
			r = ky__u32v_push(&pb, bits.v[b]);
			if (r == 0)
				r = ky__u32v_push(&pr, i);
		}
	}
	if (r != 0)
		goto out;
	/* counting sort by bit; rules stay in order within a bit */
	for (uint32_t k = 0; k < pb.n; k++)
		rs->trig_off[pb.v[k] + 1]++;
	for (uint32_t b = 0; b < rs->npreds; b++)
		rs->trig_off[b + 1] += rs->trig_off[b];
	rs->trig = calloc((size_t)pb.n + 1, sizeof(*rs->trig));
	if (rs->trig == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	memset(pop, 0, ((size_t)rs->npreds + 1) * sizeof(*pop));
	for (uint32_t k = 0; k < pb.n; k++)
		rs->trig[rs->trig_off[pb.v[k]] + pop[pb.v[k]]++] = pr.v[k];
out:
	free(pop);
	free(zero);
	free(t.need);
	free(t.zv);
	free(t.order);
	free(t.fr);
	free(t.w);
	free(t.sb);
	free(t.used);
	free(t.tmp.v);
	free(t.sbits.v);
	free(pb.v);
	free(pr.v);
	free(bits.v);
	return r;
}

bool ky__is_trigger(const struct ky_ruleset *rs, uint32_t b)
{
	return rs->trig_off != NULL && rs->trig_off[b + 1] > rs->trig_off[b];
}

int ky__build_triggers(struct ky_ruleset *rs, struct ky_err *err)
{
	int r;

	if ((r = ky__build_gates(rs)) == 0)
		r = build_triggers(rs);
	if (r != 0)
		return ky_err_set(err, r, "rule set: %s", ky_strerror(r));
	return 0;
}

/* The mask of the lazy predicates (marked by ky__build_dbs). */
static int build_lazy(struct ky_ruleset *rs)
{
	rs->nlazy = 0;
	rs->lazymask =
		calloc((rs->npreds + 63) / 64 + 1, sizeof(*rs->lazymask));
	if (rs->lazymask == NULL)
		return KY_E_NOMEM;
	for (uint32_t b = 0; b < rs->npreds; b++) {
		if (!rs->preds[b].lazy)
			continue;
		rs->preds[b].lazyidx = rs->nlazy++;
		rs->lazymask[b >> 6] |= (uint64_t)1 << (b & 63);
	}
	return 0;
}

/* The matcher's field-name table (ky__fname). */
static int build_ftab(struct ky_ruleset *rs)
{
	uint32_t cap = 16;

	while (cap < 2 * rs->nfdbs + 2)
		cap *= 2;
	rs->ftab = calloc(cap, sizeof(*rs->ftab));
	if (rs->ftab == NULL)
		return KY_E_NOMEM;
	rs->ftabmask = cap - 1;
	for (uint32_t f = 0; f < rs->nfdbs; f++) {
		const char *nm = rs->fdbs[f].name;
		size_t n = strlen(nm);
		uint64_t a, b, h;
		uint32_t i;

		ky__fname_words(nm, n, &a, &b);
		h = ky__fname_hash(a, b, n);
		for (i = (uint32_t)h & rs->ftabmask; rs->ftab[i].name != NULL;)
			i = (i + 1) & rs->ftabmask;
		rs->ftab[i].h = h;
		rs->ftab[i].a = a;
		rs->ftab[i].b = b;
		rs->ftab[i].name = nm;
		rs->ftab[i].len = (uint32_t)n;
		rs->ftab[i].fdb = f;
	}
	return 0;
}

int ky__build_index(struct ky_ruleset *rs, struct ky_err *err)
{
	int r;

	for (uint32_t f = 0; f < rs->nfdbs; f++) {
		rs->fdbs[f].cacheable = true;
		for (uint32_t i = 0; i < rs->fdbs[f].ndirect; i++)
			if (rs->preds[rs->fdbs[f].direct[i]].kind ==
			    KY__PK_FIELDREF)
				rs->fdbs[f].cacheable = false;
	}
	if ((r = build_lazy(rs)) != 0)
		return ky_err_set(err, r, "rule set: %s", ky_strerror(r));
	if ((r = build_ftab(rs)) != 0)
		return ky_err_set(err, r, "rule set: %s", ky_strerror(r));
	memset(rs->fbloom, 0, sizeof(rs->fbloom));
	for (uint32_t f = 0; f < rs->nfdbs; f++) {
		const char *nm = rs->fdbs[f].name;
		size_t n = strlen(nm);
		uint32_t k;

		if (n == 0) /* the keywords: no event field */
			continue;
		k = ky__fbloom_bit(nm, n);
		rs->fbloom[k >> 6] |= (uint64_t)1 << (k & 63);
	}
	return 0;
}
