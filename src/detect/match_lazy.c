/* The lazy predicates: literals that trigger no rule stay out of the
 * Vectorscan databases and are tested on an event only when a rule being
 * evaluated reads them (see match_index.c for how triggers are chosen and
 * docs/internals/sigma-engine.md for why). */
#include <string.h>

#include "detect/ruleset_int.h"

static inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c;
}

static bool same(const char *v, const char *l, size_t n, bool cased)
{
	if (cased)
		return memcmp(v, l, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (lower(v[i]) != lower(l[i]))
			return false;
	return true;
}

/* Literal l where its anchor says in the value v of n bytes, caseless
 * (ASCII, as Vectorscan) unless cased. */
static bool lit_in(const char *v, size_t n, const struct ky__lit *l, bool cased)
{
	char c0;

	if (l->len > n || l->len == 0)
		return false;
	switch (l->anchor) {
	case KY__ANCHOR_START:
		return same(v, l->b, l->len, cased);
	case KY__ANCHOR_END:
		return same(v + n - l->len, l->b, l->len, cased);
	case KY__ANCHOR_START | KY__ANCHOR_END:
		return n == l->len && same(v, l->b, n, cased);
	default:
		break;
	}
	if (cased)
		return memmem(v, n, l->b, l->len) != NULL;
	c0 = lower(l->b[0]);
	for (size_t i = 0; i + l->len <= n; i++)
		if (lower(v[i]) == c0 &&
		    same(v + i + 1, l->b + 1, l->len - 1, false))
			return true;
	return false;
}

/* A lazy predicate on the event: its regex, or one of its literals, in
 * one of the values of its field (of any field for keywords), as the
 * databases would have found it. */
static bool lazy_test(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		      const struct ky_event *ev, const struct ky__pred *p)
{
	bool cased = !(p->hsflags & HS_FLAG_CASELESS);
	bool kw = p->fdb == rs->kwfdb;
	uint32_t i;

	if (kw)
		i = ev->nfields > 0 ? 0 : KY__NONE;
	else
		i = s->fgen[p->fdb] == s->gen ? s->fhead[p->fdb] : KY__NONE;
	for (; i != KY__NONE;
	     i = kw ? (i + 1 < ev->nfields ? i + 1 : KY__NONE) : s->fnext[i]) {
		const struct ky_field *f = &ev->fields[i];

		if (f->type == KY_V_NULL || f->str_len == 0)
			continue;
		if (p->kind == KY__PK_PCRE &&
		    pcre2_match(p->re, (PCRE2_SPTR)f->str, f->str_len, 0, 0,
				s->md, NULL) >= 0)
			return true;
		for (uint32_t j = 0; j < p->nlits; j++)
			if (lit_in(f->str, f->str_len, &p->lits[j], cased))
				return true;
	}
	return false;
}

/* Bit b, lazy, on the event of lz unless it was tested already. */
void ky__lazy_bit(const struct ky_ruleset *rs, const struct ky__lazy *lz,
		  uint32_t b)
{
	struct ky_match_scratch *s = lz->s;
	const struct ky__pred *p = &rs->preds[b];

	if (s->lazygen[p->lazyidx] == s->gen)
		return;
	s->lazygen[p->lazyidx] = s->gen;
	if (lazy_test(rs, s, lz->ev, p))
		ky__set_bit(s, b);
}
