/* Incidents in the store: the grouping engine fed from the alerts table by
 * cursor, changed incidents written as documents, and a generation stamp
 * that tells one writer another has changed them (docs/incidents.md
 * "Storage"). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "base/time.h"
#include "intel/assets.h"
#include "intel/incstore.h"

#define META_STATE "incidents"
#define DOC_KIND "incident"
#define CHUNK 1024 /* alerts read per query */
#define MAX_TAGS 64

struct ky_incstore {
	struct ky_incident_config cfg;
	struct ky_incidents *e;
	struct ky_assets *assets;
	bool loaded;
	uint64_t gen;	/* the generation this writer last saw or wrote */
	int64_t cursor; /* last alert id grouped */
	int64_t newest_ns;
	int64_t *dirty; /* incident ids changed since the last write */
	size_t ndirty, capdirty;
};

static int crit_of(const struct ky_asset *const *v, size_t n)
{
	int best = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i]->criticality > best)
			best = v[i]->criticality;
	return best;
}

/* The highest criticality of the assets the host name or address names. */
static int asset_crit(void *ud, const char *host, const char *addr)
{
	struct ky_incstore *b = ud;
	const struct ky_asset *v[8];
	size_t n;
	int c = 0;

	if (b->assets == NULL)
		return 0;
	if (host && *host) {
		n = ky_assets_find_host(b->assets, host, strlen(host), v, 8);
		c = crit_of(v, n < 8 ? n : 8);
	}
	if (addr && *addr) {
		n = ky_assets_find_addr(b->assets, addr, strlen(addr), v, 8);
		int a = crit_of(v, n < 8 ? n : 8);
		if (a > c)
			c = a;
	}
	return c;
}

int ky_incstore_new(struct ky_incstore **out,
		    const struct ky_incident_config *cfg, struct ky_err *err)
{
	struct ky_incstore *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (b == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	b->cfg = *cfg;
	b->cfg.asset_crit = asset_crit;
	b->cfg.asset_ud = b;
	*out = b;
	return 0;
}

void ky_incstore_free(struct ky_incstore *b)
{
	if (b == NULL)
		return;
	ky_incidents_free(b->e);
	ky_assets_free(b->assets);
	free(b->dirty);
	free(b);
}

struct ky_incidents *ky_incstore_engine(struct ky_incstore *b)
{
	return b->e;
}

/* ---- the meta state: {"cursor":N,"gen":"hex","next_id":M} ---- */

struct meta {
	int64_t cursor, next_id;
	uint64_t gen;
};

static int meta_read(struct ky_store *st, struct meta *m, struct ky_err *err)
{
	void *data = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *j;
	const char *g = NULL;
	json_int_t cur = 0, next = 1;
	int r;

	memset(m, 0, sizeof(*m));
	m->next_id = 1;
	r = ky_store_get_state(st, META_STATE, &data, &len, err);
	if (r == KY_E_NOTFOUND) {
		ky_err_clear(err);
		return 0;
	}
	if (r != 0)
		return r;
	j = json_loadb(data, len, 0, &je);
	free(data);
	if (j == NULL ||
	    json_unpack(j, "{s:I, s:s, s:I}", "cursor", &cur, "gen", &g,
			"next_id", &next) != 0 ||
	    cur < 0 || next < 1 || sscanf(g, "%" SCNx64, &m->gen) != 1) {
		json_decref(j);
		return ky_err_set(err, KY_E_PARSE,
				  "store state '%s' is damaged", META_STATE);
	}
	m->cursor = cur;
	m->next_id = next;
	json_decref(j);
	return 0;
}

static uint64_t new_gen(uint64_t old)
{
	uint64_t g = 0;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
		g = (uint64_t)ky_time_now_ns() ^ ((uint64_t)getpid() << 32);
	return g == old || g == 0 ? g + 1 + old : g;
}

/* Stamps a new generation: what this writer has is now the truth. */
static int meta_write(struct ky_incstore *b, struct ky_store *st,
		      int64_t now_ns, struct ky_err *err)
{
	char text[160];
	int n;

	b->gen = new_gen(b->gen);
	n = snprintf(text, sizeof(text),
		     "{\"cursor\":%lld,\"gen\":\"%016" PRIx64
		     "\",\"next_id\":%lld}",
		     (long long)b->cursor, b->gen,
		     (long long)ky_incidents_next_id(b->e));
	return ky_store_put_state(st, META_STATE, text, (size_t)n, now_ns, err);
}

/* ---- loading ---- */

static bool quiet_final(const struct ky_incstore *b,
			const struct ky_incident *inc, int64_t now_ns)
{
	enum ky_incident_status s = ky_incident_status(inc);

	return (s == KY_INC_CLOSED || s == KY_INC_FALSE_POSITIVE) &&
	       ky_incident_last_ns(inc) < now_ns - b->cfg.window_ns;
}

struct loadctx {
	struct ky_incstore *b;
	struct ky_incidents *e;
	int64_t now_ns;
	struct ky_err *err;
};

static int load_doc(void *ud, const struct ky_doc_row *row)
{
	struct loadctx *l = ud;
	struct ky_incident *inc = NULL;
	int r = ky_incident_load(row->json, row->json_len, &inc, l->err);

	if (r != 0) {
		ky_err_prefix(l->err, "stored incident %s", row->id);
		return r;
	}
	if (quiet_final(l->b, inc, l->now_ns)) {
		ky_incident_free(inc);
		return 0;
	}
	if ((r = ky_incidents_adopt(l->e, inc, l->err)) != 0)
		ky_incident_free(inc);
	return r;
}

static int reload(struct ky_incstore *b, struct ky_store *st,
		  const struct meta *m, int64_t now_ns, struct ky_err *err)
{
	struct ky_assets *a = ky_assets_new();
	struct loadctx l = {b, NULL, now_ns, err};
	int r;

	if (a == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	if ((r = ky_assets_load_store(a, st, err)) != 0) {
		ky_assets_free(a);
		return r;
	}
	ky_assets_free(b->assets);
	b->assets = a;
	if ((r = ky_incidents_new(&l.e, &b->cfg, err)) != 0)
		return r;
	if ((r = ky_store_docs(st, DOC_KIND, load_doc, &l, err)) != 0) {
		ky_incidents_free(l.e);
		return r;
	}
	ky_incidents_set_next_id(l.e, m->next_id);
	ky_incidents_free(b->e);
	b->e = l.e;
	b->cursor = m->cursor;
	b->gen = m->gen;
	b->ndirty = 0;
	b->loaded = true;
	return 0;
}

/* ---- alerts to grouping input ---- */

/* FNV-1a: stable across processes, unlike the seeded table hash, so a
 * duplicate event is recognised after a restart. */
static uint64_t event_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

static size_t take_strs(const json_t *arr, const char **v, size_t cap)
{
	size_t i, n = 0;
	const json_t *x;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, x)
	{
		if (n < cap && json_is_string(x))
			v[n++] = json_string_value(x);
	}
	return n;
}

int ky_incstore_alert_from_row(const struct ky_alert_row *row,
			       struct ky_incstore_alert *x, struct ky_err *err)
{
	struct ky_incident_alert *a = &x->a;
	json_error_t je;
	const json_t *rule, *corr, *ioc, *ev;
	size_t nt;

	memset(x, 0, sizeof(*x));
	x->j = json_loadb(row->json, row->json_len, 0, &je);
	if (x->j == NULL || !json_is_object(x->j))
		return ky_err_set(err, KY_E_PARSE, "alert %lld: %s",
				  (long long)row->id,
				  x->j ? "not a JSON object" : je.text);
	if ((x->strs = calloc(2 * MAX_TAGS, sizeof(*x->strs))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	a->id = row->id;
	a->kind = row->kind;
	a->time_ns = row->time_ns;
	a->recv_ns = row->recv_ns ? row->recv_ns : row->created_ns;
	a->rule_id = row->rule_id;
	a->title = row->title;
	a->level = row->level;
	a->host = row->host;
	a->user = row->user;
	a->src_ip = row->src_ip;
	rule = json_object_get(x->j, "rule");
	nt = take_strs(json_object_get(rule, "tags"), x->strs, MAX_TAGS);
	a->tags = x->strs;
	a->ntags = nt;
	if ((ioc = json_object_get(x->j, "indicator")) != NULL) {
		a->indicator = json_string_value(json_object_get(ioc, "value"));
		a->confidence = (int)json_integer_value(
			json_object_get(ioc, "confidence"));
		if (a->confidence < 0 || a->confidence > 100)
			a->confidence = 0;
	}
	if ((corr = json_object_get(x->j, "correlation")) != NULL) {
		const char *first =
			json_string_value(json_object_get(corr, "first"));
		int64_t t = 0;

		a->corr_rules = x->strs + MAX_TAGS;
		/* the resolved ids, as rule alerts carry them; the names as
		 * written when the alert predates them */
		a->ncorr_rules = take_strs(json_object_get(corr, "rule_ids"),
					   x->strs + MAX_TAGS, MAX_TAGS);
		if (a->ncorr_rules == 0)
			a->ncorr_rules =
				take_strs(json_object_get(corr, "rules"),
					  x->strs + MAX_TAGS, MAX_TAGS);
		if (first &&
		    ky_time_parse_rfc3339(first, strlen(first), &t) > 0)
			a->corr_first_ns = t;
	}
	ev = json_object_get(x->j, "event");
	if (json_is_string(ev))
		a->event_hash = event_hash(json_string_value(ev),
					   json_string_length(ev));
	return 0;
}

void ky_incstore_alert_clear(struct ky_incstore_alert *x)
{
	json_decref(x->j);
	free(x->strs);
	memset(x, 0, sizeof(*x));
}

/* ---- grouping ---- */

static int mark_dirty(struct ky_incstore *b, int64_t id)
{
	if (b->ndirty && b->dirty[b->ndirty - 1] == id)
		return 0;
	if (b->ndirty == b->capdirty) {
		size_t cap = b->capdirty ? b->capdirty * 2 : 64;
		int64_t *v = realloc(b->dirty, cap * sizeof(*v));

		if (v == NULL)
			return KY_E_NOMEM;
		b->dirty = v;
		b->capdirty = cap;
	}
	b->dirty[b->ndirty++] = id;
	return 0;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, c = *(const int64_t *)y;

	return (a > c) - (a < c);
}

static int write_one(struct ky_store *st, const struct ky_incident *inc,
		     int64_t now_ns, struct ky_err *err)
{
	char id[24], *text = NULL;
	size_t len = 0;
	int r;

	if (ky_incident_dump(inc, &text, &len) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	snprintf(id, sizeof(id), "%012lld", (long long)ky_incident_id(inc));
	r = ky_store_put_doc(st, DOC_KIND, id, text, len, now_ns, err);
	free(text);
	return r;
}

static int write_dirty(struct ky_incstore *b, struct ky_store *st,
		       int64_t now_ns, struct ky_incstore_counts *c,
		       struct ky_err *err)
{
	size_t n = 0;
	int r = 0;

	qsort(b->dirty, b->ndirty, sizeof(*b->dirty), cmp_i64);
	for (size_t i = 0; r == 0 && i < b->ndirty; i++) {
		struct ky_incident *inc;

		if (i && b->dirty[i] == b->dirty[i - 1])
			continue;
		if ((inc = ky_incidents_get(b->e, b->dirty[i])) == NULL)
			continue;
		r = write_one(st, inc, now_ns, err);
		n++;
	}
	if (r == 0)
		b->ndirty = 0;
	if (c)
		c->written += n;
	return r;
}

struct groupctx {
	struct ky_incstore *b;
	struct ky_incstore_counts *c;
	size_t seen, total;
	struct ky_err *err;
};

static int group_row(void *ud, const struct ky_alert_row *row)
{
	struct groupctx *g = ud;
	struct ky_incstore *b = g->b;
	struct ky_incstore_alert x;
	struct ky_incident_result res;
	struct ky_err e = {0};
	int r;

	g->seen++;
	g->total++;
	b->cursor = row->id;
	if (g->c)
		g->c->alerts++;
	r = ky_incstore_alert_from_row(row, &x, &e);
	if (r == 0)
		r = ky_incidents_add(b->e, &x.a, &res, &e);
	if (r == 0) {
		int64_t t = x.a.time_ns ? x.a.time_ns : x.a.recv_ns;

		if (t > b->newest_ns)
			b->newest_ns = t;
		if (g->c)
			g->c->opened += res.outcome == KY_INC_OPENED,
				g->c->joined += res.outcome == KY_INC_JOINED,
				g->c->folded += res.outcome == KY_INC_FOLDED;
		r = mark_dirty(b, res.id);
	} else if (r != KY_E_NOMEM && r != KY_E_TOOBIG) {
		/* a bad alert is skipped, never retried forever */
		KY_WARN("incidents: alert %lld not grouped: %s",
			(long long)row->id, e.msg);
		if (g->c)
			g->c->refused++;
		r = 0;
	} else {
		ky_err_set(g->err, r, "incidents: alert %lld: %s",
			   (long long)row->id, e.msg);
	}
	ky_incstore_alert_clear(&x);
	return r;
}

static void release_quiet(struct ky_incstore *b, int64_t now_ns)
{
	for (size_t i = 0; i < ky_incidents_count(b->e);) {
		struct ky_incident *inc = ky_incidents_at(b->e, i);

		if (quiet_final(b, inc, now_ns))
			ky_incident_free(ky_incidents_release(
				b->e, ky_incident_id(inc)));
		else
			i++;
	}
}

int ky_incstore_sync(struct ky_incstore *b, struct ky_store *st, int64_t now_ns,
		     size_t max, struct ky_incstore_counts *c,
		     struct ky_err *err)
{
	struct groupctx g = {b, c, 0, 0, err};
	struct meta m;
	int64_t start;
	int r;

	if ((r = meta_read(st, &m, err)) != 0)
		return r;
	if (!b->loaded || m.gen != b->gen) {
		if ((r = reload(b, st, &m, now_ns, err)) != 0)
			return r;
		if (c)
			c->reloads++;
	}
	start = b->cursor;
	for (;;) {
		size_t want = CHUNK;

		if (max && max - g.total < want)
			want = max - g.total;
		if (want == 0)
			break;
		g.seen = 0;
		r = ky_store_alerts_after(st, b->cursor, want, group_row, &g,
					  err);
		if (r != 0 || g.seen < want)
			break;
	}
	if (r != 0) {
		b->loaded = false; /* memory is ahead of the store: reload */
		return r;
	}
	if (b->cursor == start && b->ndirty == 0)
		return 0;
	r = write_dirty(b, st, now_ns, c, err);
	r = r ? r : meta_write(b, st, now_ns, err);
	if (r != 0) {
		b->loaded = false;
		return r;
	}
	release_quiet(b, b->newest_ns > now_ns ? b->newest_ns : now_ns);
	return 0;
}

int ky_incstore_save(struct ky_incstore *b, struct ky_store *st,
		     const struct ky_incident *inc, int64_t now_ns,
		     struct ky_err *err)
{
	int r = write_one(st, inc, now_ns, err);

	if (r == 0 && b->e != NULL)
		r = meta_write(b, st, now_ns, err);
	if (r != 0)
		b->loaded = false;
	return r;
}

int ky_incstore_recompute(struct ky_incstore *b, struct ky_store *st,
			  int64_t now_ns, struct ky_err *err)
{
	struct meta m;
	int r;

	if ((r = meta_read(st, &m, err)) != 0 ||
	    (r = reload(b, st, &m, now_ns, err)) != 0)
		return r;
	for (size_t i = 0; i < ky_incidents_count(b->e); i++) {
		struct ky_incident *inc = ky_incidents_at(b->e, i);
		int before = ky_incident_score(inc);
		enum ky_tlp tlp = ky_incident_tlp(inc);
		enum ky_pap pap = ky_incident_pap(inc);

		ky_incidents_recompute(b->e, inc);
		if (ky_incident_score(inc) != before ||
		    ky_incident_tlp(inc) != tlp || ky_incident_pap(inc) != pap)
			if ((r = mark_dirty(b, ky_incident_id(inc))) != 0)
				return ky_err_set(err, r, "out of memory");
	}
	if (b->ndirty == 0)
		return 0;
	r = write_dirty(b, st, now_ns, NULL, err);
	r = r ? r : meta_write(b, st, now_ns, err);
	if (r != 0)
		b->loaded = false;
	return r;
}

int ky_incstore_find(struct ky_incstore *b, struct ky_store *st, int64_t id,
		     struct ky_incident **inc, bool *owned, struct ky_err *err)
{
	*owned = false;
	if (b->e && (*inc = ky_incidents_get(b->e, id)) != NULL)
		return 0;
	*owned = true;
	return ky_incstore_get(st, id, inc, err);
}

/* ---- readers ---- */

struct getctx {
	struct ky_incident **out;
	struct ky_err *err;
};

static int get_doc(void *ud, const struct ky_doc_row *row)
{
	struct getctx *g = ud;
	int r = ky_incident_load(row->json, row->json_len, g->out, g->err);

	if (r != 0)
		ky_err_prefix(g->err, "stored incident %s", row->id);
	return r;
}

int ky_incstore_get(struct ky_store *st, int64_t id, struct ky_incident **out,
		    struct ky_err *err)
{
	struct getctx g = {out, err};
	char key[24];
	int r;

	*out = NULL;
	snprintf(key, sizeof(key), "%012lld", (long long)id);
	r = ky_store_get_doc(st, DOC_KIND, key, get_doc, &g, err);
	if (r == KY_E_NOTFOUND)
		ky_err_set(err, r, "incident %lld not found", (long long)id);
	return r;
}

struct eachctx {
	int (*fn)(void *ud, const struct ky_incident *inc);
	void *ud;
	struct ky_err *err;
};

static int each_doc(void *ud, const struct ky_doc_row *row)
{
	struct eachctx *x = ud;
	struct ky_incident *inc = NULL;
	int r = ky_incident_load(row->json, row->json_len, &inc, x->err);

	if (r != 0) {
		ky_err_prefix(x->err, "stored incident %s", row->id);
		return r;
	}
	r = x->fn(x->ud, inc);
	ky_incident_free(inc);
	return r;
}

int ky_incstore_each(struct ky_store *st,
		     int (*fn)(void *ud, const struct ky_incident *inc),
		     void *ud, struct ky_err *err)
{
	struct eachctx x = {fn, ud, err};

	return ky_store_docs(st, DOC_KIND, each_doc, &x, err);
}

/* ---- configuration and ids ---- */

static int parse_list(const char *s, int (*parse)(const char *), int *out,
		      const char *key, struct ky_err *err)
{
	char buf[256], *p, *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (p = strtok_r(buf, ", ", &save); p;
	     p = strtok_r(NULL, ", ", &save)) {
		int v = parse(p);

		if (v < 0 || n == 4)
			return ky_err_set(err, KY_E_INVAL,
					  "%s: '%s' is not a level (or more "
					  "than four)",
					  key, p);
		out[n++] = v;
	}
	if (n != 4)
		return ky_err_set(err, KY_E_INVAL,
				  "%s: four levels needed (low, medium, high, "
				  "critical), %zu given",
				  key, n);
	return 0;
}

int ky_incstore_config(const struct ky_config *cfg,
		       struct ky_incident_config *out, struct ky_err *err)
{
	char buf[256], *p, *save = NULL;
	int tlp[4], pap[4], r;

	ky_incident_config_default(out);
	out->keys = 0;
	snprintf(buf, sizeof(buf), "%s", cfg->inc_group_by);
	for (p = strtok_r(buf, ", ", &save); p;
	     p = strtok_r(NULL, ", ", &save)) {
		if (strcmp(p, "rule") == 0)
			out->keys |= KY_INCIDENT_KEY_RULE;
		else if (strcmp(p, "host") == 0)
			out->keys |= KY_INCIDENT_KEY_HOST;
		else if (strcmp(p, "user") == 0)
			out->keys |= KY_INCIDENT_KEY_USER;
		else if (strcmp(p, "src_ip") == 0)
			out->keys |= KY_INCIDENT_KEY_SRC;
		else
			return ky_err_set(err, KY_E_INVAL,
					  "incidents.group_by: unknown field "
					  "'%s' (rule, host, user, src_ip)",
					  p);
	}
	out->window_ns = cfg->inc_window * KY_NS_PER_SEC;
	out->dedup_ns = cfg->inc_dedup * KY_NS_PER_SEC;
	out->default_criticality = (int)cfg->inc_default_crit;
	if ((r = parse_list(cfg->inc_tlp_by_band, ky_tlp_parse, tlp,
			    "incidents.tlp_by_band", err)) != 0 ||
	    (r = parse_list(cfg->inc_pap_by_band, ky_pap_parse, pap,
			    "incidents.pap_by_band", err)) != 0)
		return r;
	for (int i = 0; i < 4; i++) {
		out->tlp_by_band[i] = (enum ky_tlp)tlp[i];
		out->pap_by_band[i] = (enum ky_pap)pap[i];
	}
	return 0;
}

int ky_incident_id_parse(const char *s, int64_t *id, struct ky_err *err)
{
	const char *p = s;
	char *end;
	long long v;

	if (strncasecmp(p, "INC-", 4) == 0)
		p += 4;
	if (*p < '0' || *p > '9')
		return ky_err_set(err, KY_E_INVAL,
				  "'%s' is not an incident id (7 or INC-7)", s);
	v = strtoll(p, &end, 10);
	if (*end != '\0' || v < 1)
		return ky_err_set(err, KY_E_INVAL,
				  "'%s' is not an incident id (7 or INC-7)", s);
	*id = v;
	return 0;
}
