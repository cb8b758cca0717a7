/* Sigma correlation engine: resolves correlation rules against the rule
 * set, keeps per-group windows of alert times on event time, fires when a
 * condition holds and feeds chained correlations.  The design and every
 * semantic choice are in docs/internals/correlation.md. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/hash.h"
#include "base/time.h"
#include "detect/correlate.h"
#include "detect/correlate_int.h"

/* Correlations that reference a rule: bit i of mask is the rule's place
 * in the correlation's rules list. */
struct use {
	uint32_t def;
	uint64_t mask;
};

struct users {
	struct use *v;
	size_t n;
	bool generate; /* some referencing correlation says generate */
};

/* One alert on its way into a correlation: from a detection (fields read
 * from ev) or from a correlation that fired (values of its group). */
struct input {
	int64_t t;
	const struct ky_event *ev;
	const struct ky__cdef *inner;
	const char *const *vals;
	uint64_t seq;
};

/* What one feed or flush carries through the recursion of chaining. */
struct run {
	struct ky_corr *c;
	int64_t frontier; /* event time up to which everything is final */
	uint64_t cur_seq;
	const struct ky_event *cur_ev;
	ky_corr_fn fn;
	void *ud;
	int nfired;
	int rc;
};

struct window {
	uint32_t s, e; /* indexes (from head) of its first and last alert */
	double value;
};

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	return b == INT64_MIN ? INT64_MAX : sat_add(a, -b);
}

static bool names_rule(const char *ref, const struct ky_sigma_rule *r)
{
	return (r->id != NULL && strcmp(ref, r->id) == 0) ||
	       (r->name != NULL && strcmp(ref, r->name) == 0);
}

#define EV(g, i) (&(g)->ev[(g)->head + (i)])

static void drop_front(struct ky__group *g, uint32_t k)
{
	g->head += k;
	g->n -= k;
	g->cursor = g->cursor > k ? g->cursor - k : 0;
	if (g->n == 0)
		g->head = 0;
}

int64_t ky__corr_frontier(const struct ky_corr *c)
{
	return sat_sub(c->wm, c->o.lateness_ns);
}

/* The frontier at which nothing of a window starting (or an alert kept)
 * at t can change any more; saturating, and the one expression both the
 * deadline and the processing use, so that a time near the end of int64
 * cannot make a deadline that processing never passes. */
static int64_t closes_at(int64_t t, int64_t ts)
{
	return sat_add(sat_add(t, ts), 1);
}

void ky__corr_settle(struct ky_corr *c, struct ky__group *g, int64_t frontier,
		     bool exact)
{
	const struct ky__cdef *d = g->def;
	int64_t ts = d->c->timespan_ns, dl;

	if (g->busy)
		return;
	/* a group emptied by a firing stays until its last alert expires,
	 * so that a busy source does not free and allocate its group (and
	 * churn the hash table) at every firing */
	if (g->n == 0 && closes_at(g->last_t, ts) <= frontier) {
		ky__corr_group_free(c, g);
		return;
	}
	if (g->n == 0)
		dl = closes_at(g->last_t, ts);
	else if (d->close_decided)
		dl = closes_at(EV(g, 0)->t, ts);
	else if (g->cursor < g->n)
		dl = EV(g, g->cursor)->t;
	else
		dl = closes_at(EV(g, g->n - 1)->t, ts);
	/* An early key is safe (the group is looked at, then keyed
	 * exactly): moving it only when it must come earlier saves a heap
	 * update per alert. */
	if (!exact && g->heapi != SIZE_MAX && g->deadline <= dl)
		return;
	ky__corr_heap_set(c, g, dl);
}

/* ---- windows ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The aggregate of alerts s..e (indexes from head) for d's type. */
static double aggregate(struct ky_corr *c, const struct ky__group *g,
			uint32_t s, uint32_t e)
{
	const struct ky__cdef *d = g->def;
	size_t n = 0, k;
	uint64_t all = 0;
	double sum = 0;

	switch (d->c->type) {
	case KY_CORR_EVENT_COUNT:
		return (double)(e - s + 1);
	case KY_CORR_VALUE_COUNT:
		for (uint32_t i = s; i <= e; i++)
			if (EV(g, i)->flags & KY__CEV_HASV)
				c->scratch_u[n++] = EV(g, i)->vh;
		qsort(c->scratch_u, n, sizeof(*c->scratch_u), cmp_u64);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || c->scratch_u[i] != c->scratch_u[i - 1])
				all++;
		return (double)all;
	case KY_CORR_TEMPORAL:
		for (uint32_t i = s; i <= e; i++)
			all |= EV(g, i)->mask;
		return (double)__builtin_popcountll(all);
	case KY_CORR_TEMPORAL_ORDERED:
		/* the longest prefix of the rules list seen in that order:
		 * greedy matching finds it */
		for (uint32_t i = s, j = 0; i <= e; i++)
			if (j < 64 && (EV(g, i)->mask >> j & 1))
				all = ++j;
		return (double)all;
	case KY_CORR_VALUE_SUM:
	case KY_CORR_VALUE_AVG:
		for (uint32_t i = s; i <= e; i++)
			if (!isnan(EV(g, i)->num))
				sum += EV(g, i)->num, n++;
		if (d->c->type == KY_CORR_VALUE_SUM)
			return sum;
		return n ? sum / (double)n : NAN;
	case KY_CORR_VALUE_PERCENTILE:
		for (uint32_t i = s; i <= e; i++)
			if (!isnan(EV(g, i)->num))
				c->scratch_d[n++] = EV(g, i)->num;
		if (n == 0)
			return NAN;
		qsort(c->scratch_d, n, sizeof(*c->scratch_d), cmp_dbl);
		/* nearest rank: the smallest value with at least p% of the
		 * values at or below it */
		k = (size_t)ceil(d->c->cond.percentile / 100.0 * (double)n);
		return c->scratch_d[k < 1 ? 0 : k > n ? n - 1 : k - 1];
	}
	return NAN;
}

static bool cond_holds(const struct ky_corr_cond *q, double v)
{
	if (isnan(v))
		return false;
	return (!q->has_gt || v > q->gt) && (!q->has_gte || v >= q->gte) &&
	       (!q->has_lt || v < q->lt) && (!q->has_lte || v <= q->lte) &&
	       (!q->has_eq || v == q->eq) && (!q->has_neq || v != q->neq);
}

/* The group's values, decoded in place from its key. */
static size_t group_values(const struct ky__group *g, const char **vals)
{
	size_t off = 4, n = 0;
	uint32_t len;

	while (off < g->klen && n < KY__CORR_MAXGROUP) {
		bool present = g->key[off] != 0;

		memcpy(&len, g->key + off + 1, 4);
		vals[n++] = present ? g->key + off + 5 : NULL;
		off += 5 + (size_t)len + 1;
	}
	return n;
}

static bool suppressed(const struct ky_corr *c, const struct ky_sigma_rule *r)
{
	const struct users *u = ky_hash_get(c->users, &r, sizeof(r));

	return u != NULL && !u->generate;
}

static void dispatch(struct run *x, const struct ky_sigma_rule *rule,
		     const struct input *in);

static void fire(struct run *x, struct ky__group *g, const struct window *w,
		 const struct ky_event *ev)
{
	struct ky_corr *c = x->c;
	const struct ky__cdef *d = g->def;
	const char *vals[KY__CORR_MAXGROUP];
	struct ky_corr_alert a;
	struct input in;
	int r;

	memset(&a, 0, sizeof(a));
	a.rule = d->rule;
	a.group_fields = (const char *const *)d->c->group_by;
	a.ngroup = group_values(g, vals);
	a.group_values = vals;
	a.value = w->value;
	a.nevents = (uint64_t)(w->e - w->s + 1);
	a.first_ns = EV(g, w->s)->t;
	a.last_ns = EV(g, w->e)->t;
	a.ev = ev;
	a.refs = d->refs;
	a.nrefs = d->c->nrules;
	c->st.fired++;
	if (!suppressed(c, d->rule)) {
		x->nfired++;
		if (x->fn != NULL && (r = x->fn(x->ud, &a)) < 0 && x->rc == 0)
			x->rc = r;
	}
	in.t = a.last_ns;
	in.ev = ev;
	in.inner = d;
	in.vals = vals;
	in.seq = ++c->seq;
	dispatch(x, d->rule, &in);
}

/* The window of alerts within timespan before alert j: its first index. */
static uint32_t window_start(const struct ky__group *g, uint32_t j, int64_t ts)
{
	uint32_t lo = 0, hi = j;
	int64_t from = sat_sub(EV(g, j)->t, ts);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (EV(g, mid)->t < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* An eager correlation fires as soon as any window holds, also past the
 * frontier: alerts still to come within the lateness can only raise its
 * aggregate, so the in-order run would fire too (at the same or an
 * earlier alert). */
static void process_eager(struct run *x, struct ky__group *g)
{
	const struct ky__cdef *d = g->def;
	struct window w;
	uint32_t j = g->cursor;

	while (j < g->n) {
		w.s = window_start(g, j, d->c->timespan_ns);
		w.e = j;
		w.value = aggregate(x->c, g, w.s, j);
		if (!cond_holds(&d->c->cond, w.value)) {
			j++;
			continue;
		}
		fire(x, g, &w, EV(g, j)->seq == x->cur_seq ? x->cur_ev : NULL);
		drop_front(g, j + 1);
		j = g->cursor; /* 0: what is left starts over */
	}
}

/* Decides what the frontier makes final in g (see the documentation:
 * lower-bounded conditions on each alert in time order, upper-bounded
 * ones when a window closes), then forgets what no window can use. */
static void process(struct run *x, struct ky__group *g)
{
	const struct ky__cdef *d = g->def;
	int64_t ts = d->c->timespan_ns, lim;
	struct window w;
	uint32_t k;

	g->busy++;
	if (d->close_decided) {
		while (g->n > 0 && closes_at(EV(g, 0)->t, ts) <= x->frontier) {
			lim = sat_add(EV(g, 0)->t, ts);
			for (k = 0; k < g->n && EV(g, k)->t <= lim; k++)
				;
			w.s = 0;
			w.e = k - 1;
			w.value = aggregate(x->c, g, 0, k - 1);
			if (cond_holds(&d->c->cond, w.value))
				fire(x, g, &w, NULL);
			drop_front(g, k);
		}
	} else {
		while (g->cursor < g->n && EV(g, g->cursor)->t <= x->frontier) {
			uint32_t j = g->cursor++;

			w.s = window_start(g, j, ts);
			w.e = j;
			w.value = aggregate(x->c, g, w.s, j);
			if (!cond_holds(&d->c->cond, w.value))
				continue;
			fire(x, g, &w,
			     EV(g, j)->seq == x->cur_seq ? x->cur_ev : NULL);
			drop_front(g, j + 1);
		}
		if (d->eager)
			process_eager(x, g);
		for (k = 0;
		     k < g->cursor && closes_at(EV(g, k)->t, ts) <= x->frontier;
		     k++)
			;
		drop_front(g, k);
	}
	g->busy--;
}

/* ---- feeding ---- */

static void value_of(const char *s, size_t n, struct ky__cev *e,
		     const uint64_t key[2])
{
	char tmp[64], *end;
	double v;

	e->vh = ky__corr_siphash(key, s, n);
	e->flags |= KY__CEV_HASV;
	if (n == 0 || n >= sizeof(tmp))
		return;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = strtod(tmp, &end);
	if (end == tmp + n && isfinite(v))
		e->num = v;
}

static const char *input_value(const struct input *in, const char *field,
			       int32_t inner, size_t *len)
{
	const struct ky_field *f;
	const char *s;

	if (in->inner != NULL) {
		s = inner >= 0 ? in->vals[inner] : NULL;
		*len = s ? strlen(s) : 0;
		return s;
	}
	if (field == NULL || in->ev == NULL ||
	    (f = ky_event_get(in->ev, field)) == NULL || f->type == KY_V_NULL)
		return NULL;
	*len = f->str_len;
	return f->str ? f->str : "";
}

static int encode_key(struct ky_buf *b, const struct ky__cdef *d, size_t ref,
		      const struct input *in)
{
	size_t ng = d->c->ngroup_by;
	int r;

	ky_buf_reset(b);
	r = ky_buf_add(b, &d->idx, 4);
	for (size_t k = 0; r == 0 && k < ng; k++) {
		size_t len = 0;
		const char *s = input_value(in, d->gfield[ref * ng + k],
					    d->ginner[ref * ng + k], &len);
		uint8_t present = s != NULL;
		uint32_t l32 = (uint32_t)len;

		if (len > UINT32_MAX)
			return KY_E_TOOBIG;
		r = ky_buf_add(b, &present, 1);
		r = r ? r : ky_buf_add(b, &l32, 4);
		r = r ? r : ky_buf_add(b, s ? s : "", len);
		r = r ? r : ky_buf_addc(b, '\0');
	}
	return r;
}

static int insert(struct ky_corr *c, struct ky__group *g,
		  const struct ky__cev *e)
{
	uint32_t p;
	int r;

	if (g->n >= c->o.max_events_per_group) {
		drop_front(g, 1);
		c->st.evicted++;
	}
	if ((r = ky__corr_reserve(g, g->n + 1)) != 0)
		return r;
	for (p = g->n; p > 0 && EV(g, p - 1)->t > e->t; p--)
		;
	memmove(EV(g, p + 1), EV(g, p), (g->n - p) * sizeof(*e));
	*EV(g, p) = *e;
	g->n++;
	if (e->t > g->last_t)
		g->last_t = e->t;
	if (p < g->cursor)
		g->cursor = p;
	return 0;
}

static void dispatch(struct run *x, const struct ky_sigma_rule *rule,
		     const struct input *in)
{
	struct ky_corr *c = x->c;
	const struct users *u = ky_hash_get(c->users, &rule, sizeof(rule));
	struct ky__group *g;
	struct ky__cev e;
	int r;

	for (size_t i = 0; u != NULL && i < u->n; i++) {
		struct ky__cdef *d = &c->defs[u->v[i].def];
		size_t ref = (size_t)__builtin_ctzll(u->v[i].mask), len = 0;
		const char *s;

		if ((r = encode_key(&c->keybuf, d, ref, in)) != 0 ||
		    (g = ky__corr_group(c, d, c->keybuf.data, c->keybuf.len)) ==
			    NULL) {
			x->rc = x->rc ? x->rc : r ? r : KY_E_NOMEM;
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.t = in->t;
		e.mask = u->v[i].mask;
		e.num = NAN;
		e.seq = in->seq;
		s = input_value(in, d->cfield[ref], d->cinner[ref], &len);
		if (s != NULL)
			value_of(s, len, &e, c->vkey);
		if ((r = insert(c, g, &e)) != 0) {
			x->rc = x->rc ? x->rc : r;
			ky__corr_settle(c, g, x->frontier, false);
			continue;
		}
		ky__corr_touch(c, g);
		process(x, g);
		ky__corr_settle(c, g, x->frontier, false);
	}
}

static void run_timers(struct run *x)
{
	struct ky_corr *c = x->c;

	while (c->nheap > 0 && c->heap[0]->deadline <= x->frontier) {
		struct ky__group *g = c->heap[0];
		int64_t dl = g->deadline;

		process(x, g);
		ky__corr_settle(c, g, x->frontier, true);
		/* cannot happen; but a loop here would stall the node */
		if (c->nheap > 0 && c->heap[0] == g && g->deadline == dl)
			break;
	}
}

int ky_corr_feed(struct ky_corr *c, const struct ky_alert *a, ky_corr_fn fn,
		 void *ud)
{
	struct run x = {c, 0, 0, NULL, fn, ud, 0, 0};
	struct input in;
	int64_t t;

	if (a == NULL || a->rule == NULL || a->ev == NULL)
		return KY_E_INVAL;
	if (ky_hash_get(c->users, &a->rule, sizeof(a->rule)) == NULL)
		return 0;
	t = a->ev->time_ns ? a->ev->time_ns : a->ev->recv_ns;
	pthread_mutex_lock(&c->mu);
	if (t < sat_sub(c->wm, c->o.lateness_ns)) {
		c->st.late++;
		goto out;
	}
	if (t > c->wm)
		c->wm = t;
	x.frontier = sat_sub(c->wm, c->o.lateness_ns);
	memset(&in, 0, sizeof(in));
	in.t = t;
	in.ev = a->ev;
	in.seq = x.cur_seq = ++c->seq;
	x.cur_ev = a->ev;
	dispatch(&x, a->rule, &in);
	run_timers(&x);
out:
	c->st.groups = ky_hash_count(c->groups);
	pthread_mutex_unlock(&c->mu);
	return x.rc ? x.rc : x.nfired;
}

int ky_corr_flush(struct ky_corr *c, int64_t now_ns, ky_corr_fn fn, void *ud)
{
	struct run x = {c, 0, 0, NULL, fn, ud, 0, 0};

	pthread_mutex_lock(&c->mu);
	if (now_ns > c->wm)
		c->wm = now_ns;
	x.frontier = sat_sub(c->wm, c->o.lateness_ns);
	run_timers(&x);
	c->st.groups = ky_hash_count(c->groups);
	pthread_mutex_unlock(&c->mu);
	return x.rc ? x.rc : x.nfired;
}

void ky_corr_stats(const struct ky_corr *c, struct ky_corr_stats *st)
{
	struct ky_corr *m = (struct ky_corr *)c; /* the lock only */

	pthread_mutex_lock(&m->mu);
	*st = c->st;
	st->groups = ky_hash_count(c->groups);
	pthread_mutex_unlock(&m->mu);
}

bool ky_corr_suppresses(const struct ky_corr *c, const struct ky_sigma_rule *r)
{
	return c != NULL && r != NULL && suppressed(c, r);
}

bool ky_corr_uses(const struct ky_corr *c, const struct ky_sigma_rule *r)
{
	return c != NULL && r != NULL &&
	       ky_hash_get(c->users, &r, sizeof(r)) != NULL;
}

/* ---- building ---- */

static void reject(struct ky__cdef *d, ky_corr_report_fn fn, void *ud,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void reject(struct ky__cdef *d, ky_corr_report_fn fn, void *ud,
		   const char *fmt, ...)
{
	struct ky_buf b;
	va_list ap;

	if (!d->active)
		return;
	d->active = false;
	ky_buf_init(&b, 4096);
	ky_buf_addf(&b,
		    "%s:%u: ", d->rule->path ? d->rule->path : "(correlation)",
		    d->rule->line);
	va_start(ap, fmt);
	ky_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (fn != NULL)
		fn(ud, ky_buf_str(&b));
	ky_buf_free(&b);
}

/* The event field that group-by (or condition) field name stands for in
 * the alerts of rule r: its alias for r, else the name itself. */
static const char *alias_field(const struct ky_sigma_corr *k, const char *name,
			       const struct ky_sigma_rule *r)
{
	for (size_t i = 0; i < k->naliases; i++) {
		const struct ky_sigma_alias *a = &k->aliases[i];

		if (strcmp(a->name, name) != 0)
			continue;
		for (size_t j = 0; j < a->n; j++)
			if (names_rule(a->rules[j], r))
				return a->fields[j];
	}
	return name;
}

static int32_t group_index(const struct ky_sigma_corr *k, const char *f)
{
	for (size_t i = 0; i < k->ngroup_by; i++)
		if (strcmp(k->group_by[i], f) == 0)
			return (int32_t)i;
	return -1;
}

/* Finds every referenced rule (a detection or a correlation). */
static int resolve(struct ky_corr *c, struct ky__cdef *d, ky_corr_report_fn fn,
		   void *ud)
{
	const struct ky_sigma_corr *k = d->c;
	size_t nr = k->nrules, ng = k->ngroup_by, nrs = ky_ruleset_count(c->rs);
	size_t cells = nr * ng > 0 ? nr * ng : 1;

	d->refs = calloc(nr ? nr : 1, sizeof(*d->refs));
	d->inner = calloc(nr ? nr : 1, sizeof(*d->inner));
	d->cfield = calloc(nr ? nr : 1, sizeof(*d->cfield));
	d->cinner = calloc(nr ? nr : 1, sizeof(*d->cinner));
	d->gfield = calloc(cells, sizeof(*d->gfield));
	d->ginner = calloc(cells, sizeof(*d->ginner));
	if (!d->refs || !d->inner || !d->cfield || !d->cinner || !d->gfield ||
	    !d->ginner)
		return KY_E_NOMEM;
	if (nr > KY__CORR_MAXREFS) {
		reject(d, fn, ud, "more than %d rules in one correlation",
		       KY__CORR_MAXREFS);
		return 0;
	}
	if (ng > KY__CORR_MAXGROUP) {
		reject(d, fn, ud, "more than %d group-by fields",
		       KY__CORR_MAXGROUP);
		return 0;
	}
	for (size_t i = 0; i < nr && d->active; i++) {
		d->inner[i] = -1;
		for (size_t j = 0; j < nrs && d->refs[i] == NULL; j++) {
			const struct ky_sigma_rule *r =
				ky_ruleset_rule(c->rs, j);

			if ((r->kind == KY_SIGMA_DETECTION ||
			     r->kind == KY_SIGMA_CORRELATION) &&
			    names_rule(k->rules[i], r))
				d->refs[i] = r;
		}
		for (size_t j = 0; d->refs[i] && j < c->ndefs; j++)
			if (c->defs[j].rule == d->refs[i])
				d->inner[i] = (int32_t)j;
		if (d->refs[i] == NULL)
			reject(d, fn, ud,
			       "correlation references unknown rule "
			       "'%s'",
			       k->rules[i]);
	}
	return 0;
}

/* Where each group-by and condition field comes from, per referenced
 * rule; a chained correlation must group by every field asked of it. */
static void wire(struct ky_corr *c, struct ky__cdef *d, ky_corr_report_fn fn,
		 void *ud)
{
	const struct ky_sigma_corr *k = d->c;
	size_t ng = k->ngroup_by;

	for (size_t i = 0; i < k->nrules && d->active; i++) {
		const struct ky_sigma_corr *in =
			d->inner[i] >= 0 ? c->defs[d->inner[i]].c : NULL;

		for (size_t g = 0; g < ng && d->active; g++) {
			const char *f =
				alias_field(k, k->group_by[g], d->refs[i]);

			d->gfield[i * ng + g] = f;
			d->ginner[i * ng + g] = in ? group_index(in, f) : -1;
			if (in && d->ginner[i * ng + g] < 0)
				reject(d, fn, ud,
				       "group-by field '%s' is not a group-by "
				       "field of chained correlation '%s'",
				       f, k->rules[i]);
		}
		d->cinner[i] = -1;
		if (k->cond.field != NULL) {
			d->cfield[i] =
				alias_field(k, k->cond.field, d->refs[i]);
			if (in)
				d->cinner[i] = group_index(in, d->cfield[i]);
		}
	}
}

enum { UNSEEN = 0, VISITING, DONE };

/* Depth first over chained references: a correlation runs when all the
 * correlations it references run and none leads back to it. */
static bool check(struct ky_corr *c, uint8_t *state, size_t v,
		  ky_corr_report_fn fn, void *ud)
{
	struct ky__cdef *d = &c->defs[v];

	if (state[v] != UNSEEN)
		return state[v] == DONE && d->active;
	state[v] = VISITING;
	for (size_t i = 0; i < d->c->nrules && d->active; i++) {
		int32_t u = d->inner[i];

		if (u < 0)
			continue;
		if (state[u] == VISITING)
			reject(d, fn, ud,
			       "correlation cycle: '%s' leads back to this "
			       "rule",
			       d->c->rules[i]);
		else if (!check(c, state, (size_t)u, fn, ud))
			reject(d, fn, ud,
			       "references correlation '%s', which cannot run",
			       d->c->rules[i]);
	}
	if (d->active)
		wire(c, d, fn, ud);
	state[v] = DONE;
	return d->active;
}

static void users_free(void *p)
{
	struct users *u = p;

	if (u != NULL)
		free(u->v);
	free(u);
}

static int add_users(struct ky_corr *c, const struct ky__cdef *d)
{
	for (size_t i = 0; i < d->c->nrules; i++) {
		const struct ky_sigma_rule *r = d->refs[i];
		struct users *u = ky_hash_get(c->users, &r, sizeof(r));
		struct use *nv;
		size_t j;

		if (u == NULL) {
			if ((u = calloc(1, sizeof(*u))) == NULL)
				return KY_E_NOMEM;
			if (ky_hash_put(c->users, &r, sizeof(r), u, NULL) !=
			    0) {
				free(u);
				return KY_E_NOMEM;
			}
		}
		u->generate |= d->c->generate;
		for (j = 0; j < u->n && u->v[j].def != d->idx; j++)
			;
		if (j == u->n) {
			nv = ky_reallocarray(u->v, u->n + 1, sizeof(*nv));
			if (nv == NULL)
				return KY_E_NOMEM;
			u->v = nv;
			u->v[u->n].def = d->idx;
			u->v[u->n++].mask = 0;
		}
		u->v[j].mask |= (uint64_t)1 << i;
	}
	return 0;
}

int ky_corr_new(struct ky_corr **out, const struct ky_ruleset *rs,
		const struct ky_corr_opts *o, ky_corr_report_fn fn, void *ud,
		size_t *nactive, struct ky_err *err)
{
	struct ky_corr *c = NULL;
	uint8_t *state = NULL;
	size_t nrs = ky_ruleset_count(rs), n = 0;
	int r = 0;

	*out = NULL;
	if (nactive)
		*nactive = 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	pthread_mutex_init(&c->mu, NULL);
	c->rs = rs;
	if (o != NULL)
		c->o = *o;
	if (c->o.max_groups == 0)
		c->o.max_groups = 100000;
	if (c->o.max_events_per_group == 0)
		c->o.max_events_per_group = 10000;
	if (c->o.max_events_per_group > UINT32_MAX / 2)
		c->o.max_events_per_group = UINT32_MAX / 2;
	if (c->o.lateness_ns < 0)
		c->o.lateness_ns = 0;
	c->wm = INT64_MIN;
	ky_buf_init(&c->keybuf, 0);
	c->groups = ky_hash_new(KY_HASH_BORROW_KEYS);
	c->users = ky_hash_new(0);
	c->scratch_u = calloc(c->o.max_events_per_group, sizeof(uint64_t));
	c->scratch_d = calloc(c->o.max_events_per_group, sizeof(double));
	if (!c->groups || !c->users || !c->scratch_u || !c->scratch_d)
		goto nomem;
	if (getrandom(c->vkey, sizeof(c->vkey), 0) != (ssize_t)sizeof(c->vkey))
		c->vkey[0] = ky_hash_bytes(&c, sizeof(c)),
		c->vkey[1] = ky_hash_bytes(c->vkey, 8);
	for (size_t i = 0; i < nrs; i++) {
		const struct ky_sigma_rule *ru = ky_ruleset_rule(rs, i);

		n += ru->kind == KY_SIGMA_CORRELATION && ru->corr != NULL;
	}
	if ((c->defs = calloc(n ? n : 1, sizeof(*c->defs))) == NULL ||
	    (state = calloc(n ? n : 1, 1)) == NULL)
		goto nomem;
	for (size_t i = 0; i < nrs; i++) {
		const struct ky_sigma_rule *ru = ky_ruleset_rule(rs, i);
		struct ky__cdef *d = &c->defs[c->ndefs];
		const struct ky_corr_cond *q;

		if (ru->kind != KY_SIGMA_CORRELATION || ru->corr == NULL)
			continue;
		q = &ru->corr->cond;
		d->rule = ru;
		d->c = ru->corr;
		d->idx = (uint32_t)c->ndefs++;
		d->active = true;
		d->close_decided = (q->has_lt || q->has_lte) &&
				   !(q->has_gt || q->has_gte || q->has_eq);
		d->eager =
			(q->has_gt || q->has_gte) &&
			!(q->has_lt || q->has_lte || q->has_eq || q->has_neq) &&
			(d->c->type == KY_CORR_EVENT_COUNT ||
			 d->c->type == KY_CORR_VALUE_COUNT ||
			 d->c->type == KY_CORR_TEMPORAL ||
			 d->c->type == KY_CORR_TEMPORAL_ORDERED);
		d->defhash = ky__corr_defhash(ru->corr);
		if ((d->key = ky__corr_defkey(ru)) == NULL)
			goto nomem;
	}
	for (size_t i = 0; i < c->ndefs; i++)
		if ((r = resolve(c, &c->defs[i], fn, ud)) != 0)
			goto nomem;
	for (size_t i = 0; i < c->ndefs; i++)
		check(c, state, i, fn, ud);
	for (size_t i = 0; i < c->ndefs; i++) {
		if (!c->defs[i].active)
			continue;
		if ((r = add_users(c, &c->defs[i])) != 0)
			goto nomem;
		if (nactive)
			(*nactive)++;
	}
	*out = c;
	c = NULL; /* transferred */
	goto out;
nomem:
	r = ky_err_set(err, KY_E_NOMEM, "correlation engine: out of memory");
	if (nactive)
		*nactive = 0;
out:
	free(state);
	ky_corr_free(c);
	return r;
}

void ky_corr_free(struct ky_corr *c)
{
	if (c == NULL)
		return;
	if (c->groups != NULL)
		ky__corr_clear(c);
	ky_hash_free(c->groups, NULL);
	ky_hash_free(c->users, users_free);
	for (size_t i = 0; i < c->ndefs; i++) {
		struct ky__cdef *d = &c->defs[i];

		free(d->refs);
		free(d->inner);
		free(d->gfield);
		free(d->ginner);
		free(d->cfield);
		free(d->cinner);
		free(d->key);
	}
	free(c->defs);
	free(c->heap);
	free(c->scratch_u);
	free(c->scratch_d);
	ky_buf_free(&c->keybuf);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
