/* The correlation engine's state and its outward forms: groups with their
 * LRU list and deadline heap, the blob that carries them across a restart
 * (format in docs/internals/correlation.md) with the hashes that key it,
 * and the JSON of a correlation alert. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/hash.h"
#include "base/time.h"
#include "detect/correlate.h"
#include "detect/correlate_int.h"

#define STATE_MAGIC "KYCR"
#define STATE_VERSION 1
/* bytes of one saved alert: t, mask, vh, num, flags */
#define CEV_BYTES 33

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = ROTL(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = ROTL(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = ROTL(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = ROTL(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = ROTL(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = ROTL(v2, 32);                                             \
	} while (0)

/* SipHash-2-4: distinct-value counting keeps 64-bit hashes instead of the
 * values, so the hash is keyed (outside input cannot make two values
 * collide) and its key travels in the saved state. */
uint64_t ky__corr_siphash(const uint64_t k[2], const void *p, size_t n)
{
	const uint8_t *in = p;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ k[0];
	uint64_t v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t m, b = (uint64_t)n << 56;
	size_t i, j, end = n - n % 8;

	for (i = 0; i < end; i += 8) {
		m = 0;
		for (j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (j = 0; j < n % 8; j++)
		b |= (uint64_t)in[end + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* FNV-1a: the definition hash must be the same in every process. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\xff", 1);
}

uint64_t ky__corr_defhash(const struct ky_sigma_corr *k)
{
	const struct ky_corr_cond *q = &k->cond;
	bool has[6] = {q->has_gt,  q->has_gte, q->has_lt,
		       q->has_lte, q->has_eq,  q->has_neq};
	double num[7] = {q->gt, q->gte, q->lt,	      q->lte,
			 q->eq, q->neq, q->percentile};
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t t = (uint32_t)k->type;

	h = fnv(h, &t, sizeof(t));
	for (size_t i = 0; i < k->nrules; i++)
		h = fnv_str(h, k->rules[i]);
	h = fnv(h, "|", 1);
	for (size_t i = 0; i < k->ngroup_by; i++)
		h = fnv_str(h, k->group_by[i]);
	h = fnv(h, "|", 1);
	h = fnv(h, &k->timespan_ns, sizeof(k->timespan_ns));
	for (size_t i = 0; i < 6; i++)
		h = fnv(h, &has[i], 1);
	h = fnv(h, num, sizeof(num));
	h = fnv_str(h, q->field);
	for (size_t i = 0; i < k->naliases; i++) {
		h = fnv_str(h, k->aliases[i].name);
		for (size_t j = 0; j < k->aliases[i].n; j++) {
			h = fnv_str(h, k->aliases[i].rules[j]);
			h = fnv_str(h, k->aliases[i].fields[j]);
		}
	}
	return h;
}

char *ky__corr_defkey(const struct ky_sigma_rule *r)
{
	struct ky_buf b;

	if (r->id != NULL || r->name != NULL)
		return ky_strndup(r->id ? r->id : r->name,
				  strlen(r->id ? r->id : r->name));
	ky_buf_init(&b, 0);
	if (ky_buf_addf(&b, "%s:%u", r->path ? r->path : "", r->line) != 0) {
		ky_buf_free(&b);
		return NULL;
	}
	return ky_buf_steal(&b, NULL);
}

/* ---- deadline heap and LRU list ---- */

static void heap_swap(struct ky_corr *c, size_t i, size_t j)
{
	struct ky__group *t = c->heap[i];

	c->heap[i] = c->heap[j];
	c->heap[j] = t;
	c->heap[i]->heapi = i;
	c->heap[j]->heapi = j;
}

static void heap_fix(struct ky_corr *c, size_t i)
{
	while (i > 0 && c->heap[i]->deadline < c->heap[(i - 1) / 2]->deadline) {
		heap_swap(c, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < c->nheap && c->heap[l]->deadline < c->heap[m]->deadline)
			m = l;
		if (l + 1 < c->nheap &&
		    c->heap[l + 1]->deadline < c->heap[m]->deadline)
			m = l + 1;
		if (m == i)
			break;
		heap_swap(c, i, m);
		i = m;
	}
}

static void heap_del(struct ky_corr *c, struct ky__group *g)
{
	size_t i = g->heapi;

	if (i == SIZE_MAX)
		return;
	g->heapi = SIZE_MAX;
	if (i != --c->nheap) {
		c->heap[i] = c->heap[c->nheap];
		c->heap[i]->heapi = i;
		heap_fix(c, i);
	}
}

/* Never allocates: the heap has room for every group (ky__corr_group). */
void ky__corr_heap_set(struct ky_corr *c, struct ky__group *g, int64_t dl)
{
	g->deadline = dl;
	if (g->heapi == SIZE_MAX) {
		g->heapi = c->nheap;
		c->heap[c->nheap++] = g;
	}
	heap_fix(c, g->heapi);
}

static void lru_unlink(struct ky_corr *c, struct ky__group *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		c->lru_head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		c->lru_tail = g->prev;
	g->prev = g->next = NULL;
}

static void lru_push(struct ky_corr *c, struct ky__group *g)
{
	g->prev = NULL;
	g->next = c->lru_head;
	if (c->lru_head)
		c->lru_head->prev = g;
	c->lru_head = g;
	if (c->lru_tail == NULL)
		c->lru_tail = g;
}

void ky__corr_group_free(struct ky_corr *c, struct ky__group *g)
{
	ky_hash_del(c->groups, g->key, g->klen);
	heap_del(c, g);
	lru_unlink(c, g);
	free(g->ev);
	free(g);
}

void ky__corr_clear(struct ky_corr *c)
{
	while (c->lru_head)
		ky__corr_group_free(c, c->lru_head);
	c->wm = INT64_MIN;
}

struct ky__group *ky__corr_group(struct ky_corr *c, struct ky__cdef *d,
				 const void *key, size_t klen)
{
	struct ky__group *g = ky_hash_get(c->groups, key, klen), *v;
	size_t count = ky_hash_count(c->groups);

	(void)d;
	if (g != NULL)
		return g;
	if (count >= c->o.max_groups) {
		for (v = c->lru_tail; v != NULL && v->busy; v = v->prev)
			;
		if (v != NULL) {
			/* an emptied group loses nothing */
			c->st.evicted += v->n > 0;
			ky__corr_group_free(c, v);
			count--;
		}
	}
	if (count + 1 > c->capheap) {
		size_t nc = c->capheap ? c->capheap * 2 : 64;
		struct ky__group **nh =
			ky_reallocarray(c->heap, nc, sizeof(*nh));

		if (nh == NULL)
			return NULL;
		c->heap = nh;
		c->capheap = nc;
	}
	if ((g = calloc(1, sizeof(*g) + klen)) == NULL)
		return NULL;
	g->def = d;
	g->heapi = SIZE_MAX;
	g->last_t = INT64_MIN;
	g->klen = klen;
	memcpy(g->key, key, klen);
	if (ky_hash_put(c->groups, g->key, g->klen, g, NULL) != 0) {
		free(g);
		return NULL;
	}
	lru_push(c, g);
	return g;
}

int ky__corr_reserve(struct ky__group *g, uint32_t n)
{
	struct ky__cev *ne;
	uint32_t nc;

	if ((size_t)g->head + n <= g->cap)
		return 0;
	if (n <= g->cap) {
		memmove(g->ev, g->ev + g->head, g->n * sizeof(*g->ev));
		g->head = 0;
		return 0;
	}
	nc = g->cap ? g->cap : 8;
	while (nc < n)
		nc = nc > UINT32_MAX / 2 ? n : nc * 2;
	if (g->head > 0)
		memmove(g->ev, g->ev + g->head, g->n * sizeof(*g->ev));
	g->head = 0;
	if ((ne = ky_reallocarray(g->ev, nc, sizeof(*ne))) == NULL)
		return KY_E_NOMEM;
	g->ev = ne;
	g->cap = nc;
	return 0;
}

void ky__corr_touch(struct ky_corr *c, struct ky__group *g)
{
	lru_unlink(c, g);
	lru_push(c, g);
}

/* ---- saving ---- */

static int put_u32(struct ky_buf *b, uint32_t v)
{
	uint8_t p[4];

	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return ky_buf_add(b, p, 4);
}

static int put_u64(struct ky_buf *b, uint64_t v)
{
	uint8_t p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return ky_buf_add(b, p, 8);
}

static int save_group(struct ky_buf *b, const struct ky__group *g)
{
	size_t off = 4;
	uint32_t len, nv = (uint32_t)g->def->c->ngroup_by;
	int r;

	r = put_u32(b, g->def->idx);
	r = r ? r : put_u32(b, nv);
	while (r == 0 && off < g->klen) {
		memcpy(&len, g->key + off + 1, 4);
		r = ky_buf_add(b, g->key + off, 1);
		r = r ? r : put_u32(b, len);
		r = r ? r : ky_buf_add(b, g->key + off + 5, len);
		off += 5 + (size_t)len + 1;
	}
	r = r ? r : put_u32(b, g->cursor);
	r = r ? r : put_u32(b, g->n);
	for (uint32_t i = 0; r == 0 && i < g->n; i++) {
		const struct ky__cev *e = &g->ev[g->head + i];
		uint64_t bits;

		memcpy(&bits, &e->num, 8);
		r = put_u64(b, (uint64_t)e->t);
		r = r ? r : put_u64(b, e->mask);
		r = r ? r : put_u64(b, e->vh);
		r = r ? r : put_u64(b, bits);
		r = r ? r : ky_buf_add(b, &e->flags, 1);
	}
	return r;
}

int ky_corr_save(struct ky_corr *c, struct ky_buf *out)
{
	size_t start = out->len;
	uint32_t ngroups = 0;
	int r;

	pthread_mutex_lock(&c->mu);
	r = ky_buf_add(out, STATE_MAGIC, 4);
	r = r ? r : put_u32(out, STATE_VERSION);
	r = r ? r : put_u64(out, c->vkey[0]);
	r = r ? r : put_u64(out, c->vkey[1]);
	r = r ? r : put_u64(out, (uint64_t)c->wm);
	r = r ? r : put_u32(out, (uint32_t)c->ndefs);
	for (size_t i = 0; r == 0 && i < c->ndefs; i++) {
		const struct ky__cdef *d = &c->defs[i];

		r = put_u32(out, (uint32_t)strlen(d->key));
		r = r ? r : ky_buf_adds(out, d->key);
		r = r ? r : put_u64(out, d->defhash);
	}
	for (struct ky__group *g = c->lru_tail; g; g = g->prev)
		ngroups += g->n > 0;
	r = r ? r : put_u32(out, ngroups);
	/* oldest first, so that restoring rebuilds the same LRU order; a
	 * group emptied by a firing holds nothing worth keeping */
	for (struct ky__group *g = c->lru_tail; r == 0 && g; g = g->prev)
		if (g->n > 0)
			r = save_group(out, g);
	pthread_mutex_unlock(&c->mu);
	if (r != 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return r;
}

/* ---- restoring ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
	struct ky_err *err;
};

static int need(struct rd *r, size_t n, const char *what)
{
	if (r->len - r->off < n)
		return ky_err_set(r->err, KY_E_PARSE,
				  "offset %zu: truncated %s (%zu bytes left, "
				  "%zu needed)",
				  r->off, what, r->len - r->off, n);
	return 0;
}

static int get_u32(struct rd *r, uint32_t *v, const char *what)
{
	int rc = need(r, 4, what);

	*v = 0;
	for (int i = 0; rc == 0 && i < 4; i++)
		*v |= (uint32_t)r->p[r->off + i] << (8 * i);
	r->off += rc ? 0 : 4;
	return rc;
}

static int get_u64(struct rd *r, uint64_t *v, const char *what)
{
	int rc = need(r, 8, what);

	*v = 0;
	for (int i = 0; rc == 0 && i < 8; i++)
		*v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += rc ? 0 : 8;
	return rc;
}

static int bad(struct rd *r, size_t at, const char *what)
{
	return ky_err_set(r->err, KY_E_PARSE, "offset %zu: %s", at, what);
}

/* The current definition saved state entry i belongs to, or NULL. */
static int read_defs(struct ky_corr *c, struct rd *r, struct ky__cdef ***map,
		     uint32_t *ndefs)
{
	uint32_t klen;
	uint64_t h;
	int rc;

	if ((rc = get_u32(r, ndefs, "definition count")) != 0)
		return rc;
	if (*ndefs > (r->len - r->off) / 12)
		return bad(r, r->off - 4, "definition count past the end");
	if ((*map = calloc(*ndefs ? *ndefs : 1, sizeof(**map))) == NULL)
		return ky_err_set(r->err, KY_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < *ndefs; i++) {
		const char *key = (const char *)r->p + r->off + 4;

		if ((rc = get_u32(r, &klen, "definition key length")) != 0 ||
		    (rc = need(r, klen, "definition key")) != 0)
			return rc;
		r->off += klen;
		if ((rc = get_u64(r, &h, "definition hash")) != 0)
			return rc;
		for (size_t j = 0; j < c->ndefs && (*map)[i] == NULL; j++) {
			struct ky__cdef *d = &c->defs[j];

			if (d->active && d->defhash == h &&
			    strlen(d->key) == klen &&
			    memcmp(d->key, key, klen) == 0)
				(*map)[i] = d;
		}
	}
	return 0;
}

/* One saved group: kept when its definition still runs, read past
 * otherwise; every length is checked before it is used. */
static int read_group(struct ky_corr *c, struct rd *r, struct ky__cdef **map,
		      uint32_t ndefs)
{
	size_t at = r->off, skip;
	uint32_t di, nv, len, cursor, nev;
	struct ky__cdef *d;
	struct ky__group *g = NULL;
	uint8_t present;
	int64_t prev = INT64_MIN;
	int rc;

	if ((rc = get_u32(r, &di, "group definition")) != 0)
		return rc;
	if (di >= ndefs)
		return bad(r, at, "group of an unknown definition");
	d = map[di];
	if ((rc = get_u32(r, &nv, "group value count")) != 0)
		return rc;
	if (nv > KY__CORR_MAXGROUP || (d && nv != d->c->ngroup_by))
		return bad(r, at + 4, "group value count does not fit");
	ky_buf_reset(&c->keybuf);
	rc = ky_buf_add(&c->keybuf, d ? &d->idx : &di, 4);
	for (uint32_t i = 0; rc == 0 && i < nv; i++) {
		if ((rc = need(r, 1, "group value")) != 0)
			return rc;
		if ((present = r->p[r->off++]) > 1)
			return bad(r, r->off - 1, "bad group value flag");
		if ((rc = get_u32(r, &len, "group value length")) != 0 ||
		    (rc = need(r, len, "group value")) != 0)
			return rc;
		if (!present && len != 0)
			return bad(r, r->off - 4,
				   "absent group value has "
				   "bytes");
		if (memchr(r->p + r->off, '\0', len) != NULL)
			return bad(r, r->off, "NUL in a group value");
		rc = ky_buf_add(&c->keybuf, &present, 1);
		rc = rc ? rc : ky_buf_add(&c->keybuf, &len, 4);
		rc = rc ? rc : ky_buf_add(&c->keybuf, r->p + r->off, len);
		rc = rc ? rc : ky_buf_addc(&c->keybuf, '\0');
		r->off += len;
	}
	if (rc != 0)
		return ky_err_set(r->err, rc, "offset %zu: %s", r->off,
				  ky_strerror(rc));
	if ((rc = get_u32(r, &cursor, "group cursor")) != 0 ||
	    (rc = get_u32(r, &nev, "group alert count")) != 0)
		return rc;
	if (nev > (r->len - r->off) / CEV_BYTES)
		return bad(r, r->off - 4, "group alert count past the end");
	if (cursor > nev)
		return bad(r, r->off - 8, "group cursor past its alerts");
	if (d != NULL) {
		if (ky_hash_get(c->groups, c->keybuf.data, c->keybuf.len))
			return bad(r, at, "duplicate group");
		g = ky__corr_group(c, d, c->keybuf.data, c->keybuf.len);
		if (g == NULL ||
		    ky__corr_reserve(
			    g, nev < c->o.max_events_per_group
				       ? nev
				       : (uint32_t)c->o.max_events_per_group) !=
			    0)
			return ky_err_set(r->err, KY_E_NOMEM, "out of memory");
	}
	/* a smaller cap than the saving engine's keeps the newest */
	skip = nev > c->o.max_events_per_group ? nev - c->o.max_events_per_group
					       : 0;
	for (uint32_t i = 0; i < nev; i++) {
		struct ky__cev e;
		uint64_t t, bits;

		memset(&e, 0, sizeof(e));
		get_u64(r, &t, "alert");
		get_u64(r, &e.mask, "alert");
		get_u64(r, &e.vh, "alert");
		get_u64(r, &bits, "alert");
		e.t = (int64_t)t;
		memcpy(&e.num, &bits, 8);
		if ((e.flags = r->p[r->off++]) & ~KY__CEV_HASV)
			return bad(r, r->off - 1, "bad alert flags");
		if (e.t < prev)
			return bad(r, r->off - CEV_BYTES,
				   "alerts out of time order");
		prev = e.t;
		if (g == NULL || i < skip)
			continue;
		if (d->c->nrules < 64)
			e.mask &= ((uint64_t)1 << d->c->nrules) - 1;
		g->ev[g->head + g->n++] = e;
		g->last_t = e.t;
	}
	if (g != NULL) {
		c->st.evicted += skip;
		g->cursor = cursor > skip ? (uint32_t)(cursor - skip) : 0;
	}
	return 0;
}

int ky_corr_restore(struct ky_corr *c, const void *blob, size_t len,
		    struct ky_err *err)
{
	struct rd r = {blob, len, 0, err};
	struct ky__cdef **map = NULL;
	struct ky__group *g, *next;
	uint32_t version, ndefs = 0, ngroups;
	uint64_t key[2], wm;
	int rc;

	pthread_mutex_lock(&c->mu);
	ky__corr_clear(c);
	if ((rc = need(&r, 4, "header")) != 0)
		goto out;
	if (memcmp(r.p, STATE_MAGIC, 4) != 0) {
		rc = bad(&r, 0, "not a correlation state (bad magic)");
		goto out;
	}
	r.off = 4;
	if ((rc = get_u32(&r, &version, "version")) != 0)
		goto out;
	if (version != STATE_VERSION) {
		rc = ky_err_set(err, KY_E_PARSE,
				"offset 4: unsupported state version %u",
				version);
		goto out;
	}
	if ((rc = get_u64(&r, &key[0], "value key")) != 0 ||
	    (rc = get_u64(&r, &key[1], "value key")) != 0 ||
	    (rc = get_u64(&r, &wm, "watermark")) != 0 ||
	    (rc = read_defs(c, &r, &map, &ndefs)) != 0 ||
	    (rc = get_u32(&r, &ngroups, "group count")) != 0)
		goto out;
	if (ngroups > (r.len - r.off) / 16) {
		rc = bad(&r, r.off - 4, "group count past the end");
		goto out;
	}
	for (uint32_t i = 0; i < ngroups; i++)
		if ((rc = read_group(c, &r, map, ndefs)) != 0)
			goto out;
	if (r.off != r.len) {
		rc = bad(&r, r.off, "trailing bytes");
		goto out;
	}
	c->vkey[0] = key[0];
	c->vkey[1] = key[1];
	c->wm = (int64_t)wm;
	for (g = c->lru_head; g != NULL; g = next) {
		next = g->next;
		ky__corr_settle(c, g, ky__corr_frontier(c), true);
	}
out:
	if (rc != 0)
		ky__corr_clear(c);
	c->st.groups = ky_hash_count(c->groups);
	pthread_mutex_unlock(&c->mu);
	free(map);
	return rc;
}

/* ---- alert JSON ---- */

static const char *const type_names[] = {
	"event_count", "value_count", "temporal",	  "temporal_ordered",
	"value_sum",   "value_avg",   "value_percentile",
};

static int add_str(struct ky_buf *b, const char *s)
{
	return s ? ky_buf_add_json_str(b, s, strlen(s))
		 : ky_buf_adds(b, "null");
}

static int add_time(struct ky_buf *b, int64_t ns)
{
	char t[KY_TIME_RFC3339_LEN];

	ky_time_format_rfc3339(ns, t);
	return ky_buf_add_json_str(b, t, strlen(t));
}

static int add_num(struct ky_buf *b, double v)
{
	if (!isfinite(v))
		return ky_buf_adds(b, "null");
	if (v == floor(v) && fabs(v) < 1e15)
		return ky_buf_addf(b, "%.0f", v);
	return ky_buf_addf(b, "%.17g", v);
}

static int add_strv(struct ky_buf *b, char *const *v, size_t n)
{
	int r = ky_buf_addc(b, '[');

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (i)
			r = ky_buf_addc(b, ',');
		r = r ? r : add_str(b, v[i]);
	}
	return r ? r : ky_buf_addc(b, ']');
}

int ky_corr_alert_to_json(const struct ky_corr_alert *a, struct ky_buf *out)
{
	const struct ky_sigma_rule *ru = a->rule;
	const struct ky_sigma_corr *k = ru->corr;
	size_t start = out->len;
	int r;

	r = ky_buf_adds(out, "{\"rule\":{\"id\":");
	r = r ? r : add_str(out, ru->id);
	r = r ? r : ky_buf_adds(out, ",\"title\":");
	r = r ? r : add_str(out, ru->title);
	r = r ? r : ky_buf_adds(out, ",\"level\":");
	r = r ? r : add_str(out, ky_sigma_level_name(ru->level));
	r = r ? r : ky_buf_adds(out, ",\"tags\":");
	r = r ? r : add_strv(out, ru->tags, ru->ntags);
	r = r ? r : ky_buf_adds(out, ",\"author\":");
	r = r ? r : add_str(out, ru->author);
	r = r ? r : ky_buf_adds(out, "},\"correlation\":{\"type\":");
	r = r ? r
	      : add_str(out,
			k && (size_t)k->type < 7 ? type_names[k->type] : NULL);
	r = r ? r : ky_buf_adds(out, ",\"group\":{");
	for (size_t i = 0; r == 0 && i < a->ngroup; i++) {
		if (i)
			r = ky_buf_addc(out, ',');
		r = r ? r : add_str(out, a->group_fields[i]);
		r = r ? r : ky_buf_addc(out, ':');
		r = r ? r : add_str(out, a->group_values[i]);
	}
	r = r ? r : ky_buf_adds(out, "},\"value\":");
	r = r ? r : add_num(out, a->value);
	r = r ? r
	      : ky_buf_addf(out, ",\"events\":%llu,\"first\":",
			    (unsigned long long)a->nevents);
	r = r ? r : add_time(out, a->first_ns);
	r = r ? r : ky_buf_adds(out, ",\"last\":");
	r = r ? r : add_time(out, a->last_ns);
	r = r ? r : ky_buf_adds(out, ",\"rules\":");
	r = r ? r : add_strv(out, k ? k->rules : NULL, k ? k->nrules : 0);
	r = r ? r : ky_buf_adds(out, ",\"rule_ids\":[");
	for (size_t i = 0; r == 0 && i < a->nrefs; i++) {
		const struct ky_sigma_rule *x = a->refs ? a->refs[i] : NULL;
		const char *key = x == NULL ? NULL
				  : x->id   ? x->id
				  : x->name ? x->name
					    : x->title;

		r = i ? ky_buf_addc(out, ',') : 0;
		r = r ? r : add_str(out, key);
	}
	r = r ? r : ky_buf_addc(out, ']');
	r = r ? r : ky_buf_adds(out, ",\"timespan\":");
	if (r == 0 && k && k->timespan_ns % KY_NS_PER_SEC == 0)
		r = ky_buf_addf(out, "\"%llds\"",
				(long long)(k->timespan_ns / KY_NS_PER_SEC));
	else if (r == 0)
		r = ky_buf_addf(out, "\"%lldns\"",
				(long long)(k ? k->timespan_ns : 0));
	r = r ? r : ky_buf_adds(out, "},\"time\":");
	r = r ? r : add_time(out, a->last_ns);
	r = r ? r : ky_buf_adds(out, ",\"received\":");
	if (r == 0 && a->ev && a->ev->recv_ns)
		r = add_time(out, a->ev->recv_ns);
	else if (r == 0)
		r = ky_buf_adds(out, "null");
	r = r ? r : ky_buf_adds(out, ",\"event\":");
	if (r == 0)
		r = a->ev && a->ev->raw ? ky_buf_add_json_str(out, a->ev->raw,
							      a->ev->raw_len)
					: ky_buf_adds(out, "null");
	r = r ? r : ky_buf_addc(out, '}');
	if (r != 0) {
		/* all or nothing: a cut object would not be JSON */
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return r;
}
