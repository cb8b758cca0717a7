/* The per-event matcher: every event field is looked up once by name,
 * scanned with its Vectorscan database and tested by its direct
 * predicates (when a rule of the event's logsource reads it), setting
 * predicate bits; then the rules a set trigger bit names evaluate their
 * items, searches and condition programs (the indexes this needs are
 * built at finalize by match_index.c).  Nothing is allocated per event
 * once the scratch is warm. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/hash.h"
#include "base/time.h"
#include "detect/condition.h"
#include "detect/logsource.h"
#include "detect/ruleset_int.h"

static inline bool get_bit(const uint64_t *bits, uint32_t b)
{
	return (bits[b >> 6] >> (b & 63)) & 1;
}

/* A bit the value being tested sets: remembered with it when the value
 * goes to the cache. */
static inline void hit(struct ky_match_scratch *s, uint32_t b)
{
	if (s->recording) {
		bool dup = false;

		for (uint32_t i = 0; i < s->nrec && !dup; i++)
			dup = s->rec[i] == b;
		if (!dup && s->nrec < KY__VC_BITS)
			s->rec[s->nrec++] = b;
		else if (!dup)
			s->rec_over = true;
	}
	ky__set_bit(s, b);
}

static int on_match(unsigned int id, unsigned long long from,
		    unsigned long long to, unsigned int flags, void *ctx)
{
	struct ky_match_scratch *s = ctx;
	const struct ky__pred *p = &s->rs->preds[id];

	(void)from;
	(void)flags;
	if ((p->anchor & KY__ANCHOR_START) && to != p->litlen)
		return 0;
	if ((p->anchor & KY__ANCHOR_END) && to != s->vlen)
		return 0;
	hit(s, id);
	return 0;
}

static int on_lit(unsigned int id, unsigned long long from,
		  unsigned long long to, unsigned int flags, void *ctx)
{
	struct ky_match_scratch *s = ctx;
	const struct ky__lent *e = &s->lents[id];

	(void)from;
	(void)flags;
	if ((e->anchor & KY__ANCHOR_START) && to != e->len)
		return 0;
	if ((e->anchor & KY__ANCHOR_END) && to != s->vlen)
		return 0;
	hit(s, e->pred);
	return 0;
}

/* The whole value in the field's equality table: one probe of its
 * ASCII-lowered bytes, and one of the bytes as they are when some
 * equality is cased. */
static void eq_probe(const struct ky__fdb *fd, struct ky_match_scratch *s,
		     const char *v, size_t n)
{
	char key[KY__EQ_MAX + 1];
	const void *e;

	key[0] = 0;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		key[i + 1] = c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c;
	}
	for (int pass = 0; pass < 2; pass++) {
		if ((e = ky_hash_get(fd->eq, key, n + 1)) != NULL) {
			const uint32_t *run = &fd->eqv[(uintptr_t)e - 1];

			for (uint32_t k = 1; k <= run[0]; k++)
				hit(s, run[k]);
		}
		if (!fd->eqcased)
			break;
		key[0] = 1;
		memcpy(key + 1, v, n);
	}
}

/* Length of path without trailing array indexes: "tags[3]" -> "tags",
 * so a rule on "tags" sees every element. */
static size_t strip_index(const char *p, size_t n)
{
	while (n > 0 && p[n - 1] == ']') {
		size_t i = n - 1;

		while (i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')
			i--;
		if (i == 0 || i == n - 1 || p[i - 1] != '[')
			break;
		n = i - 1;
	}
	return n;
}

/* Whether some field name of the set may be the n bytes at p (cheaper
 * than a lookup, and false for most fields no rule reads). */
static inline bool known_name(const struct ky_ruleset *rs, const char *p,
			      size_t n)
{
	uint32_t k;

	if (n == 0)
		return false;
	k = ky__fbloom_bit(p, n);
	return (rs->fbloom[k >> 6] >> (k & 63)) & 1;
}

static uint32_t ftab_get(const struct ky_ruleset *rs, const char *p, size_t n)
{
	uint64_t a, b, h;
	const struct ky__fname *e;

	ky__fname_words(p, n, &a, &b);
	h = ky__fname_hash(a, b, n);
	for (uint32_t i = (uint32_t)h & rs->ftabmask;
	     (e = &rs->ftab[i])->name != NULL; i = (i + 1) & rs->ftabmask)
		if (e->h == h && e->len == n && e->a == a && e->b == b &&
		    (n <= 16 || memcmp(e->name, p, n) == 0))
			return e->fdb;
	return KY__NONE;
}

/* The field database of path; *exact: found under the path itself (not
 * with its array indexes stripped). */
static uint32_t lookup(const struct ky_ruleset *rs, const char *path, size_t n,
		       bool *exact)
{
	uint32_t fd = KY__NONE;
	size_t m;

	if (known_name(rs, path, n))
		fd = ftab_get(rs, path, n);
	*exact = fd != KY__NONE;
	if (fd == KY__NONE && n > 0 && path[n - 1] == ']' &&
	    (m = strip_index(path, n)) != n && m > 0 && known_name(rs, path, m))
		fd = ftab_get(rs, path, m);
	return fd;
}

/* lookup for an event field: by address when its path is a constant of
 * the program (the slot is re-filled when another path takes it). */
static inline uint32_t field_lookup(const struct ky_ruleset *rs,
				    struct ky_match_scratch *s,
				    const struct ky_field *f, bool *exact)
{
	struct ky__pcache *c;

	if (!(f->flags & KY_FIELD_CONST_PATH))
		return lookup(rs, f->path, f->path_len, exact);
	_Static_assert(KY__PC_SLOTS == 256, "the slot is the hash's top byte");
	c = &s->pc[((uintptr_t)f->path * 0x9e3779b97f4a7c15ULL) >> 56];
	if (c->path != f->path || c->len != f->path_len) {
		c->fdb = lookup(rs, f->path, f->path_len, &c->exact);
		c->path = f->path;
		c->len = f->path_len;
	}
	*exact = c->exact;
	return c->fdb;
}

/* The value as a number: integers and floats as parsed, strings when
 * the whole text is a number. */
static bool value_num(const struct ky_field *f, double *d)
{
	char buf[64], *end;

	switch (f->type) {
	case KY_V_INT:
		*d = (double)f->v.i;
		return true;
	case KY_V_FLOAT:
		*d = f->v.f;
		return true;
	case KY_V_STR:
		if (f->str_len == 0 || f->str_len >= sizeof(buf))
			return false;
		memcpy(buf, f->str, f->str_len);
		buf[f->str_len] = '\0';
		*d = strtod(buf, &end);
		return *end == '\0' && end != buf;
	default:
		return false;
	}
}

static bool cmp(uint8_t op, double a, double b)
{
	switch (op) {
	case KY__OP_GT:
		return a > b;
	case KY__OP_GTE:
		return a >= b;
	case KY__OP_LT:
		return a < b;
	case KY__OP_LTE:
		return a <= b;
	default:
		return a == b;
	}
}

static bool cidr_match(const struct ky__pred *p, const struct ky_field *f)
{
	char buf[64];
	uint8_t a[16] = {0};
	unsigned full, rest;

	if (f->type != KY_V_STR || f->str_len == 0 || f->str_len >= sizeof(buf))
		return false;
	memcpy(buf, f->str, f->str_len);
	buf[f->str_len] = '\0';
	if (inet_pton(p->family == 4 ? AF_INET : AF_INET6, buf, a) != 1)
		return false;
	full = p->prefix / 8u;
	rest = p->prefix % 8u;
	if (memcmp(a, p->addr, full) != 0)
		return false;
	return rest == 0 ||
	       (a[full] & (uint8_t)(0xff00 >> rest)) == p->addr[full];
}

/* ISO 8601 week number of a UTC date. */
static int iso_week(const struct tm *tm)
{
	int wday = (tm->tm_wday + 6) % 7; /* Monday = 0 */
	int week = (tm->tm_yday - wday + 10) / 7;

	if (week < 1) {
		int py = tm->tm_year + 1900 - 1;
		bool leap = (py % 4 == 0 && py % 100 != 0) || py % 400 == 0;
		int pyday = tm->tm_yday + (leap ? 366 : 365);

		week = (pyday - wday + 10) / 7;
	} else if (week == 53) {
		int y = tm->tm_year + 1900;
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int days = leap ? 366 : 365;

		if (tm->tm_yday - wday + 3 >= days) /* Thursday next year */
			week = 1;
	}
	return week;
}

static bool time_match(const struct ky__pred *p, const struct ky_field *f)
{
	int64_t ns;
	time_t t;
	struct tm tm;
	int v;

	if (f->type != KY_V_STR ||
	    ky_time_parse_rfc3339(f->str, f->str_len, &ns) <= 0)
		return false;
	t = (time_t)(ns / KY_NS_PER_SEC - (ns % KY_NS_PER_SEC < 0));
	if (gmtime_r(&t, &tm) == NULL)
		return false;
	switch (p->tpart) {
	case KY__T_MINUTE:
		v = tm.tm_min;
		break;
	case KY__T_HOUR:
		v = tm.tm_hour;
		break;
	case KY__T_DAY:
		v = tm.tm_mday;
		break;
	case KY__T_WEEK:
		v = iso_week(&tm);
		break;
	case KY__T_MONTH:
		v = tm.tm_mon + 1;
		break;
	default:
		v = tm.tm_year + 1900;
	}
	return cmp(p->op, v, p->num);
}

static bool fieldref_match(const struct ky__pred *p, const struct ky_field *f,
			   const struct ky_event *ev)
{
	const struct ky_field *o = ky_event_get(ev, p->ref);

	if (o == NULL || o->type == KY_V_NULL || f->type == KY_V_NULL ||
	    o->str_len != f->str_len)
		return false;
	if (p->cased)
		return memcmp(o->str, f->str, f->str_len) == 0;
	return strncasecmp(o->str, f->str, f->str_len) == 0 &&
	       memchr(f->str, '\0', f->str_len) == NULL;
}

static bool direct_match(const struct ky__pred *p, const struct ky_field *f,
			 const struct ky_event *ev, struct ky_match_scratch *s)
{
	double d;

	switch (p->kind) {
	case KY__PK_PCRE:
		return f->type != KY_V_NULL &&
		       pcre2_match(p->re, (PCRE2_SPTR)f->str, f->str_len, 0, 0,
				   s->md, NULL) >= 0;
	case KY__PK_ANY:
		return f->type != KY_V_NULL;
	case KY__PK_EMPTY:
		return f->type == KY_V_STR && f->str_len == 0;
	case KY__PK_NULL:
		return f->type == KY_V_NULL;
	case KY__PK_NUM:
		return value_num(f, &d) && cmp(p->op, d, p->num);
	case KY__PK_CIDR:
		return cidr_match(p, f);
	case KY__PK_TIME:
		return time_match(p, f);
	case KY__PK_FIELDREF:
		return fieldref_match(p, f, ev);
	default:
		return false;
	}
}

/* Remembers what value f set on fdb di (bits rec[0..n)) in slot e. */
static void vc_put(struct ky_match_scratch *s, struct ky__vcache *e, uint64_t h,
		   uint32_t di, const struct ky_field *f, const uint32_t *rec,
		   uint8_t n)
{
	/* contiguous in the ring: skip its tail if short */
	if (s->rtotal % KY__VC_RING + f->str_len > KY__VC_RING)
		s->rtotal += KY__VC_RING - s->rtotal % KY__VC_RING;
	e->pos = s->rtotal;
	memcpy(s->ring + s->rtotal % KY__VC_RING, f->str, f->str_len);
	s->rtotal += f->str_len;
	e->h = h;
	e->fdb1 = di + 1;
	e->len = (uint16_t)f->str_len;
	e->type = f->type;
	e->nbits = n;
	memcpy(e->bits, rec, n * sizeof(*rec));
}

/* The value f (the event's field fi) on field database fd, or its
 * remembered outcome.  kv != NULL (keywords): the literal scan is left
 * to the caller, and what the value set so far goes to *kv instead of
 * the cache; returns whether the value still needs that scan. */
static bool eval_field(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		       const struct ky_event *ev, const struct ky__fdb *fd,
		       uint32_t fi, struct ky__kwv *kv)
{
	const struct ky_field *f = &ev->fields[fi];
	uint32_t di = (uint32_t)(fd - rs->fdbs);
	struct ky__vcache *e = NULL;
	uint64_t h = 0;
	bool scan = f->type != KY_V_NULL && f->str_len > 0;
	bool defer = kv != NULL && scan && fd->lit != NULL;

	if (fd->present_bit != KY__NONE)
		ky__set_bit(s, fd->present_bit);
	if (fd->ndirect == 0 &&
	    ((fd->db == NULL && fd->lit == NULL && fd->eq == NULL) || !scan))
		return false;
	s->nscan++;
	if (fd->cacheable && f->str_len <= KY__VC_VLEN) {
		/* the value's hash serves every database it is tested on
		 * (its field's and the keywords'); 0: not computed yet (a
		 * value hashing to 0 is only hashed again) */
		if (s->fvh[fi] == 0)
			s->fvh[fi] = ky_hash_bytes(f->str, f->str_len);
		h = s->fvh[fi] ^ ((uint64_t)(di + 1) * 0x9e3779b97f4a7c15ULL) ^
		    f->type;
		e = &s->vc[h & (KY__VC_SLOTS - 1)];
		if (e->fdb1 == di + 1 && e->h == h && e->len == f->str_len &&
		    e->type == f->type && s->rtotal <= e->pos + KY__VC_RING &&
		    memcmp(s->ring + e->pos % KY__VC_RING, f->str,
			   f->str_len) == 0) {
			for (uint32_t k = 0; k < e->nbits; k++)
				ky__set_bit(s, e->bits[k]);
			s->nhit++;
			return false;
		}
		s->nrec = 0;
		s->rec_over = false;
		s->recording = true;
	}
	s->rs = rs;
	s->vlen = f->str_len;
	if (scan && fd->eq != NULL && f->str_len <= fd->eqmax)
		eq_probe(fd, s, f->str, f->str_len);
	if (scan && fd->lit != NULL && !defer) {
		s->lents = fd->lents;
		hs_scan(fd->lit, f->str, f->str_len, 0, s->hs, on_lit, s);
	}
	if (scan && fd->db != NULL)
		hs_scan(fd->db, f->str, f->str_len, 0, s->hs, on_match, s);
	for (uint32_t i = 0; i < fd->ndirect; i++) {
		const struct ky__pred *p = &rs->preds[fd->direct[i]];

		if (direct_match(p, f, ev, s))
			hit(s, fd->direct[i]);
	}
	s->recording = false;
	if (defer) {
		kv->fi = fi;
		kv->e = e;
		kv->h = h;
		kv->over = s->rec_over;
		kv->nrec = e != NULL ? s->nrec : 0;
		memcpy(kv->rec, s->rec, kv->nrec * sizeof(*s->rec));
		return true;
	}
	if (e != NULL && !s->rec_over)
		vc_put(s, e, h, di, f, s->rec, s->nrec);
	return false;
}

/* A keyword literal in the joined values: kept when it lies inside one
 * value, where its anchor says. */
static int on_kwlit(unsigned int id, unsigned long long from,
		    unsigned long long to, unsigned int flags, void *ctx)
{
	struct ky_match_scratch *s = ctx;
	const struct ky__lent *e = &s->lents[id];
	uint32_t lo = 0, hi = s->nkwv;
	struct ky__kwv *v;
	unsigned long long start = to - e->len;
	bool dup = false;

	(void)from;
	(void)flags;
	while (hi - lo > 1) { /* the last value starting before to */
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->kwv[mid].off < to)
			lo = mid;
		else
			hi = mid;
	}
	v = &s->kwv[lo];
	if (start < v->off || to > (unsigned long long)v->off + v->len ||
	    ((e->anchor & KY__ANCHOR_START) && start != v->off) ||
	    ((e->anchor & KY__ANCHOR_END) && to != v->off + v->len))
		return 0;
	ky__set_bit(s, e->pred);
	for (uint8_t k = 0; k < v->nrec && !dup; k++)
		dup = v->rec[k] == e->pred;
	if (!dup && v->nrec < KY__VC_BITS)
		v->rec[v->nrec++] = e->pred;
	else if (!dup)
		v->over = true;
	return 0;
}

/* Every value of the event on the keyword database fd: the equality
 * table, regexes and direct tests value by value, the literals in one
 * scan over the values joined (one scan per event instead of one per
 * value: most of a scan's cost is fixed). */
static int kw_scan(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		   const struct ky_event *ev, const struct ky__fdb *fd)
{
	uint32_t di = (uint32_t)(fd - rs->fdbs);
	size_t len = 0;

	s->nkwv = 0;
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];
		struct ky__kwv *kv = &s->kwv[s->nkwv];

		if (f->type == KY_V_NULL || !eval_field(rs, s, ev, fd, i, kv))
			continue;
		if (len + f->str_len + 1 > s->capkwbuf) {
			size_t cap = 2 * (len + f->str_len + 1) + 4096;
			char *b = realloc(s->kwbuf, cap);

			if (b == NULL)
				return KY_E_NOMEM;
			s->kwbuf = b;
			s->capkwbuf = cap;
		}
		kv->off = (uint32_t)len;
		kv->len = (uint32_t)f->str_len;
		memcpy(s->kwbuf + len, f->str, f->str_len);
		len += f->str_len;
		s->kwbuf[len++] = '\n';
		s->nkwv++;
	}
	if (s->nkwv == 0)
		return 0;
	s->lents = fd->lents;
	hs_scan(fd->lit, s->kwbuf, (unsigned)len, 0, s->hs, on_kwlit, s);
	for (uint32_t k = 0; k < s->nkwv; k++) {
		const struct ky__kwv *kv = &s->kwv[k];

		if (kv->e != NULL && !kv->over)
			vc_put(s, kv->e, kv->h, di, &ev->fields[kv->fi],
			       kv->rec, kv->nrec);
	}
	return 0;
}

bool ky__item_eval(const struct ky_ruleset *rs, const struct ky__item *it,
		   const uint64_t *bits, const struct ky__lazy *lz)
{
	bool v;

	if (it->present_bit != KY__NONE && !get_bit(bits, it->present_bit))
		return it->absent_val;
	v = it->all;
	for (uint32_t i = 0; i < it->n; i++) {
		uint32_t b = rs->pidx[it->first + i];

		if (lz != NULL && get_bit(rs->lazymask, b))
			ky__lazy_bit(rs, lz, b);
		if (get_bit(bits, b) != it->all) {
			v = !it->all;
			break;
		}
	}
	return it->neg ? !v : v;
}

/* The item or any of its renamed alternatives. */
bool ky__item_chain(const struct ky_ruleset *rs, uint32_t i,
		    const uint64_t *bits, const struct ky__lazy *lz)
{
	for (; i != KY__NONE; i = rs->items[i].alt)
		if (ky__item_eval(rs, &rs->items[i], bits, lz))
			return true;
	return false;
}

bool ky__search_eval(const struct ky_ruleset *rs, const struct ky__search *se,
		     const uint64_t *bits, const struct ky__lazy *lz)
{
	for (uint32_t g = 0; g < se->n; g++) {
		const struct ky__group *gr = &rs->groups[se->first + g];
		bool ok = true;

		for (uint32_t i = 0; i < gr->n && ok; i++)
			ok = ky__item_chain(rs, gr->first + i, bits, lz);
		if (ok)
			return true;
	}
	return false;
}

/* Logsource alternative ai on the event, from the logsource fields
 * picked up by the field loop (the same test as ky_ls_alt_match). */
static bool alt_ok(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		   uint32_t ai)
{
	if (s->altok[ai] >> 2 != s->gen) {
		const struct ky_ls_alt *alt = rs->alts[ai];
		const uint32_t *lsf = &rs->altcond[rs->altcond_off[ai]];
		bool ok = true;

		for (size_t i = 0; i < alt->nconds && ok; i++)
			ok = ky_ls_cond_match(&alt->conds[i], s->lsval[lsf[i]]);
		s->altok[ai] = s->gen << 2 | (ok ? 2u : 1u);
	}
	return (s->altok[ai] & 3) == 2;
}

static __attribute__((noinline)) bool
gate_eval(const struct ky_ruleset *rs, struct ky_match_scratch *s, uint32_t g)
{
	const struct ky__gate *gt = &rs->gates[g];
	bool open = false;

	for (uint32_t i = 0; i < gt->n && !open; i++)
		open = alt_ok(rs, s, rs->gatealts[gt->first + i]);
	s->gateok[g] = s->gen << 2 | (open ? 2u : 1u);
	return open;
}

static inline bool gate_open(const struct ky_ruleset *rs,
			     struct ky_match_scratch *s, uint32_t g)
{
	if (g == KY__NONE)
		return true;
	if (s->gateok[g] >> 2 == s->gen)
		return (s->gateok[g] & 3) == 2;
	return gate_eval(rs, s, g);
}

/* The rule applies to the event's logsource (never for unmapped rules,
 * whose gate is closed). */
static bool candidate(const struct ky_ruleset *rs, const struct ky__rule *cr,
		      struct ky_match_scratch *s)
{
	return gate_open(rs, s, cr->gate);
}

bool ky__rule_eval(const struct ky_ruleset *rs, const struct ky__rule *cr,
		   const uint64_t *bits, uint64_t *sbits,
		   const struct ky__lazy *lz)
{
	memset(sbits, 0, (cr->nsearch + 63) / 64 * sizeof(*sbits));
	for (uint32_t j = 0; j < cr->nsearch; j++)
		if (ky__search_eval(rs, &rs->searches[cr->search0 + j], bits,
				    lz))
			sbits[j >> 6] |= (uint64_t)1 << (j & 63);
	return ky_cond_eval(cr->cond, sbits);
}

static bool rule_eval(const struct ky_ruleset *rs, const struct ky__rule *cr,
		      struct ky_match_scratch *s, const struct ky_event *ev)
{
	struct ky__lazy lz = {s, ev};

	return ky__rule_eval(rs, cr, s->bits, s->sbits, &lz);
}

/* Marks the rules that can change outcome: those reading a set bit, and
 * those that hold when none of their bits is set. */
static void mark_rules(const struct ky_ruleset *rs, struct ky_match_scratch *s)
{
	for (uint32_t t = 0; t < s->ntouched; t++) {
		uint32_t wi = s->touched[t];
		uint64_t w = s->bits[wi];

		while (w != 0) {
			uint32_t b = wi * 64 + (uint32_t)__builtin_ctzll(w);

			w &= w - 1;
			for (uint32_t k = rs->trig_off[b];
			     k < rs->trig_off[b + 1]; k++)
				s->rmark[rs->trig[k] >> 6] |=
					(uint64_t)1 << (rs->trig[k] & 63);
		}
	}
	for (uint32_t k = 0; k < rs->nzero; k++)
		s->rmark[rs->zero[k] >> 6] |= (uint64_t)1 << (rs->zero[k] & 63);
}

static const struct ky_field *find_field(const struct ky_event *ev,
					 const char *name)
{
	size_t n = strlen(name);

	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];

		if ((f->path_len == n ||
		     strip_index(f->path, f->path_len) == n) &&
		    memcmp(f->path, name, n) == 0)
			return f;
	}
	return NULL;
}

/* Fields of the items that held in the searches that matched. */
static size_t alert_fields(const struct ky_ruleset *rs,
			   const struct ky__rule *cr,
			   struct ky_match_scratch *s,
			   const struct ky_event *ev)
{
	struct ky__lazy lz = {s, ev};
	size_t n = 0;

	for (uint32_t j = 0; j < cr->nsearch; j++) {
		const struct ky__search *se = &rs->searches[cr->search0 + j];

		if (!((s->sbits[j >> 6] >> (j & 63)) & 1))
			continue;
		for (uint32_t g = 0; g < se->n; g++) {
			const struct ky__group *gr = &rs->groups[se->first + g];

			for (uint32_t i = 0; i < gr->n; i++) {
				for (uint32_t k = gr->first + i; k != KY__NONE;
				     k = rs->items[k].alt) {
					const struct ky__item *it =
						&rs->items[k];
					const struct ky_field *f;
					const char *name;
					bool dup = false;

					if (it->fdb == KY__NONE ||
					    !ky__item_eval(rs, it, s->bits,
							   &lz))
						continue;
					name = rs->fdbs[it->fdb].name;
					f = find_field(ev, name);
					if (f == NULL)
						continue;
					for (size_t d = 0; d < n && !dup; d++)
						dup = s->afields[d].field ==
						      f->path;
					if (dup || n >= rs->maxfields)
						continue;
					s->afields[n].field = f->path;
					s->afields[n].field_len = f->path_len;
					s->afields[n].value = f->str;
					s->afields[n].value_len = f->str_len;
					n++;
				}
			}
		}
	}
	return n;
}

/* Rule i on the event: 0 no alert, 1 alert, 2 + v when the callback
 * returned v != 0 (stop). */
static int eval_rule(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		     const struct ky_event *ev, size_t i, ky_alert_fn fn,
		     void *ud)
{
	const struct ky__rule *cr = &rs->rules[i];
	struct ky_alert a;
	bool filtered = false;
	int r;

	if (cr->rule->kind != KY_SIGMA_DETECTION || !candidate(rs, cr, s) ||
	    !rule_eval(rs, cr, s, ev))
		return 0;
	for (uint32_t k = 0; k < cr->nfilters && !filtered; k++) {
		const struct ky__rule *fr = &rs->rules[cr->filters[k]];

		filtered = candidate(rs, fr, s) && rule_eval(rs, fr, s, ev);
	}
	if (filtered)
		return 0;
	/* sbits were overwritten by the filters: recompute */
	if (cr->nfilters > 0)
		(void)rule_eval(rs, cr, s, ev);
	a.rule = cr->rule;
	a.ev = ev;
	a.fields = s->afields;
	a.nfields = alert_fields(rs, cr, s, ev);
	if (fn != NULL && (r = fn(ud, &a)) != 0)
		return r < 0 ? r : r > INT_MAX - 2 ? INT_MAX : r + 2;
	return 1;
}

/* Room for the per-field lookups of an event of n fields: grown once for
 * the largest event seen. */
static int fdi_reserve(struct ky_match_scratch *s, uint32_t n)
{
	uint32_t *p;
	uint64_t *q;
	struct ky__kwv *k;
	uint32_t cap = s->capfdi;

	if (n <= cap)
		return 0;
	while (cap < n)
		cap = cap > UINT32_MAX / 2 ? n : cap * 2;
	if ((p = realloc(s->fdi, (size_t)cap * 2 * sizeof(*p))) == NULL)
		return KY_E_NOMEM;
	s->fdi = p;
	if ((q = realloc(s->fvh, (size_t)cap * sizeof(*q))) == NULL)
		return KY_E_NOMEM;
	s->fvh = q;
	if ((p = realloc(s->fnext, (size_t)cap * sizeof(*p))) == NULL)
		return KY_E_NOMEM;
	s->fnext = p;
	if ((k = realloc(s->kwv, (size_t)cap * sizeof(*k))) == NULL)
		return KY_E_NOMEM;
	s->kwv = k;
	s->capfdi = cap;
	return 0;
}

int ky_ruleset_match(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		     const struct ky_event *ev, ky_alert_fn fn, void *ud)
{
	int nalerts = 0;
	uint32_t ntodo = 0;

	if (!rs->finalized)
		return KY_E_INVAL;
	if (fdi_reserve(s, ev->nfields) != 0)
		return KY_E_NOMEM;
	for (uint32_t i = 0; i < s->ntouched; i++)
		s->bits[s->touched[i]] = 0;
	s->ntouched = 0;
	/* the per-event stamps; gen < 2^30 (altok, gateok keep 2 bits) */
	if (++s->gen >= 1u << 30) {
		memset(s->lazygen, 0, rs->nlazy * sizeof(*s->lazygen));
		memset(s->fgen, 0, rs->nfdbs * sizeof(*s->fgen));
		memset(s->altok, 0, rs->nalts * sizeof(*s->altok));
		memset(s->gateok, 0, rs->ngates * sizeof(*s->gateok));
		s->gen = 1;
	}
	memset(s->lsval, 0, rs->nlsf * sizeof(*s->lsval));
	/* first the lookups, which also find the fields the logsource
	 * alternatives read (the first field of each name, as
	 * ky_event_get), so that the gates can be tested before scanning */
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];
		bool exact;
		uint32_t fd = field_lookup(rs, s, f, &exact);
		uint32_t lsf;

		s->fvh[i] = 0;
		if (fd == KY__NONE)
			continue;
		s->fnext[i] = s->fgen[fd] == s->gen ? s->fhead[fd] : KY__NONE;
		s->fhead[fd] = i;
		s->fgen[fd] = s->gen;
		if (exact && (lsf = rs->fdbs[fd].lsf) != KY__NONE &&
		    s->lsval[lsf] == NULL)
			s->lsval[lsf] = f;
		/* the fields to test once the gates can be: (index, fdb) */
		if (fd != rs->kwfdb && !rs->fdbs[fd].idle) {
			s->fdi[ntodo++] = i;
			s->fdi[ntodo++] = fd;
		}
	}
	for (uint32_t k = 0; k < ntodo; k += 2) {
		uint32_t i = s->fdi[k], fd = s->fdi[k + 1];

		if (gate_open(rs, s, rs->fdbs[fd].gate))
			(void)eval_field(rs, s, ev, &rs->fdbs[fd], i, NULL);
	}
	if (rs->kwfdb != KY__NONE &&
	    gate_open(rs, s, rs->fdbs[rs->kwfdb].gate)) {
		int r = kw_scan(rs, s, ev, &rs->fdbs[rs->kwfdb]);

		if (r != 0)
			return r;
	}
	memset(s->rmark, 0, (rs->nrules + 63) / 64 * sizeof(*s->rmark));
	mark_rules(rs, s);
	for (size_t wi = 0; wi < (rs->nrules + 63) / 64; wi++) {
		uint64_t w = s->rmark[wi];

		while (w != 0) {
			size_t i = wi * 64 + (size_t)__builtin_ctzll(w);
			int r;

			w &= w - 1;
			if ((r = eval_rule(rs, s, ev, i, fn, ud)) < 0)
				return r;
			if (r > 1)
				return r - 2; /* the callback's value */
			nalerts += r;
		}
	}
	return nalerts;
}
