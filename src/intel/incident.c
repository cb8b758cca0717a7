/* The incident engine: alerts grouped by key within a time window,
 * correlation results joined to the incidents of what they correlate,
 * duplicates folded into counts, and the lifecycle with its history.  JSON
 * (de)serialisation is in the second half; tables are in rsit.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/hash.h"
#include "base/text.h"
#include "base/time.h"
#include "intel/incident.h"
#include "intel/incident_int.h"

/* ---- small helpers ---- */

int ky__inc_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	while (nc < need)
		nc *= 2;
	if ((np = ky_reallocarray(*p, nc, size)) == NULL)
		return KY_E_NOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? ky_strndup(s, strlen(s)) : NULL;
}

/* A copy of outside text fit for JSON: invalid UTF-8 becomes U+FFFD and
 * the text is cut (on a character boundary) at STR_MAX bytes. */
#define STR_MAX 4096
char *ky__inc_clean_dup(const char *s)
{
	struct ky_buf b;
	size_t n, i = 0, k;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	ky_buf_init(&b, 0);
	while (i < n && b.len < STR_MAX) {
		k = ky_utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0 ? ky_buf_adds(&b, "\xef\xbf\xbd") != 0
			   : ky_buf_add(&b, s + i, k) != 0)
			break;
		i += k ? k : 1;
	}
	return ky_buf_steal(&b, NULL);
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

static void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	ky_hash_free(s->h, NULL);
}

size_t ky__inc_strset_find(const struct strset *s, const char *str)
{
	void *v = s->h ? ky_hash_get(s->h, str, strlen(str)) : NULL;

	return v ? (size_t)(uintptr_t)v : 0;
}

/* *idx is index + 1 of str; 0 with r == 0 when the set is full. */
int ky__inc_strset_add(struct strset *s, const char *str, size_t max,
		       size_t *idx, bool *added)
{
	char *c;

	*added = false;
	if ((*idx = ky__inc_strset_find(s, str)) != 0)
		return 0;
	if (s->n >= max)
		return 0;
	if (s->h == NULL && (s->h = ky_hash_new(0)) == NULL)
		return KY_E_NOMEM;
	if (ky__inc_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(char *)) !=
		    0 ||
	    (c = dup_or_null(str)) == NULL)
		return KY_E_NOMEM;
	if (ky_hash_put(s->h, c, strlen(c), (void *)(uintptr_t)(s->n + 1),
			NULL) != 0) {
		free(c);
		return KY_E_NOMEM;
	}
	s->v[s->n++] = c;
	*idx = s->n;
	*added = true;
	return 0;
}

/* ---- names ---- */

static const char *const status_names[KY_INC_NSTATUS] = {
	"new",	    "acknowledged", "contained",
	"resolved", "closed",	    "false_positive"};

const char *ky_incident_status_name(enum ky_incident_status s)
{
	return (unsigned)s < KY_INC_NSTATUS ? status_names[s] : "unknown";
}

int ky_incident_status_parse(const char *s)
{
	for (int i = 0; s && i < KY_INC_NSTATUS; i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return i;
	if (s && strcasecmp(s, "false-positive") == 0)
		return KY_INC_FALSE_POSITIVE;
	return -1;
}

bool ky_incident_status_open(enum ky_incident_status s)
{
	return s == KY_INC_NEW || s == KY_INC_ACKNOWLEDGED ||
	       s == KY_INC_CONTAINED;
}

const char *const ky__inc_level_names[5] = {"informational", "low", "medium",
					    "high", "critical"};
const char *const ky__inc_key_names[NKEYS] = {"rule", "host", "user", "src_ip"};

/* ---- lifecycle ---- */

/* 1: legal, 2: legal with a reason (docs/incidents.md, "Lifecycle"). */
static const unsigned char legal[KY_INC_NSTATUS][KY_INC_NSTATUS] = {
	[KY_INC_NEW] = {[KY_INC_ACKNOWLEDGED] = 1,
			[KY_INC_CONTAINED] = 1,
			[KY_INC_FALSE_POSITIVE] = 2},
	[KY_INC_ACKNOWLEDGED] = {[KY_INC_CONTAINED] = 1,
				 [KY_INC_RESOLVED] = 1,
				 [KY_INC_FALSE_POSITIVE] = 2},
	[KY_INC_CONTAINED] =
		{[KY_INC_RESOLVED] = 1, [KY_INC_FALSE_POSITIVE] = 2},
	[KY_INC_RESOLVED] = {[KY_INC_CLOSED] = 2, [KY_INC_ACKNOWLEDGED] = 2},
	[KY_INC_CLOSED] = {0},
	[KY_INC_FALSE_POSITIVE] = {[KY_INC_ACKNOWLEDGED] = 2},
};

bool ky_incident_transition_legal(enum ky_incident_status from,
				  enum ky_incident_status to,
				  bool *needs_reason)
{
	unsigned char l =
		(unsigned)from < KY_INC_NSTATUS && (unsigned)to < KY_INC_NSTATUS
			? legal[from][to]
			: 0;

	if (needs_reason)
		*needs_reason = l == 2;
	return l != 0;
}

int ky__inc_hist_add(struct ky_incident *inc, const char *field,
		     const char *from, const char *to, const char *who,
		     int64_t when, const char *why)
{
	struct hist *h;

	if (ky__inc_grow((void **)&inc->hist, &inc->caphist, inc->nhist + 1,
			 sizeof(*h)) != 0)
		return KY_E_NOMEM;
	h = &inc->hist[inc->nhist];
	memset(h, 0, sizeof(*h));
	h->when_ns = when;
	if ((h->field = ky__inc_clean_dup(field)) == NULL ||
	    (h->from = ky__inc_clean_dup(from)) == NULL ||
	    (h->to = ky__inc_clean_dup(to)) == NULL ||
	    (h->who = ky__inc_clean_dup(who)) == NULL ||
	    (why && (h->why = ky__inc_clean_dup(why)) == NULL)) {
		free(h->field);
		free(h->from);
		free(h->to);
		free(h->who);
		return KY_E_NOMEM;
	}
	inc->nhist++;
	return 0;
}

int ky__inc_check_actor(const struct ky_incident *inc, const char *who,
			int64_t when, struct ky_err *err)
{
	if (nz(who) == NULL)
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64 ": who is required",
				  inc->id);
	if (when <= 0)
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64 ": bad time %" PRId64,
				  inc->id, when);
	return 0;
}

int ky_incident_transition(struct ky_incident *inc, enum ky_incident_status to,
			   const char *who, int64_t when_ns, const char *why,
			   struct ky_err *err)
{
	enum ky_incident_status from = inc->status;
	bool need_why;
	char allowed[128] = "";
	int r;

	if ((unsigned)to >= KY_INC_NSTATUS)
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64 ": unknown status %d",
				  inc->id, (int)to);
	if (!ky_incident_transition_legal(from, to, &need_why)) {
		for (int s = 0; s < KY_INC_NSTATUS; s++) {
			if (!legal[from][s])
				continue;
			if (allowed[0])
				strncat(allowed, ", ",
					sizeof(allowed) - strlen(allowed) - 1);
			strncat(allowed, status_names[s],
				sizeof(allowed) - strlen(allowed) - 1);
		}
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64
				  ": illegal transition %s -> %s (allowed: %s)",
				  inc->id, status_names[from], status_names[to],
				  allowed[0] ? allowed : "none, it is final");
	}
	if ((r = ky__inc_check_actor(inc, who, when_ns, err)) != 0)
		return r;
	if (need_why && nz(why) == NULL)
		return ky_err_set(
			err, KY_E_INVAL,
			"incident %" PRId64 ": %s -> %s needs a reason",
			inc->id, status_names[from], status_names[to]);
	if (ky__inc_hist_add(inc, "status", status_names[from],
			     status_names[to], who, when_ns, nz(why)) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	inc->status = to;
	return 0;
}

static int asset_crit(const struct ky_incident_config *cfg, const char *host,
		      const char *addr)
{
	int c = cfg->asset_crit ? cfg->asset_crit(cfg->asset_ud, host, addr)
				: 0;

	return c >= 1 && c <= 5 ? c : cfg->default_criticality;
}

static void requery_assets(struct ky_incident *inc,
			   const struct ky_incident_config *cfg)
{
	int c = 0, x;

	for (size_t i = 0; i < inc->hosts.n; i++)
		if ((x = asset_crit(cfg, inc->hosts.v[i], NULL)) > c)
			c = x;
	for (size_t i = 0; i < inc->addrs.n; i++)
		if ((x = asset_crit(cfg, NULL, inc->addrs.v[i])) > c)
			c = x;
	inc->crit = c ? c : cfg->default_criticality;
}

void ky_incidents_recompute(struct ky_incidents *e, struct ky_incident *inc)
{
	requery_assets(inc, &e->cfg);
	ky__inc_derive_class(inc);
	ky__inc_apply_policy(inc, &e->cfg);
}

/* ---- accessors ---- */

int64_t ky_incident_id(const struct ky_incident *inc)
{
	return inc->id;
}
enum ky_incident_status ky_incident_status(const struct ky_incident *inc)
{
	return inc->status;
}
const char *ky_incident_title(const struct ky_incident *inc)
{
	return inc->title ? inc->title : "";
}
int64_t ky_incident_first_ns(const struct ky_incident *inc)
{
	return inc->first_ns;
}
int64_t ky_incident_last_ns(const struct ky_incident *inc)
{
	return inc->last_ns;
}
int64_t ky_incident_created_ns(const struct ky_incident *inc)
{
	return inc->created_ns;
}
uint64_t ky_incident_alert_count(const struct ky_incident *inc)
{
	return inc->alert_count;
}
size_t ky_incident_entry_count(const struct ky_incident *inc)
{
	return inc->nent;
}
const int64_t *ky_incident_alert_ids(const struct ky_incident *inc, size_t *n)
{
	*n = inc->nids;
	return inc->ids;
}
size_t ky_incident_host_count(const struct ky_incident *inc)
{
	return inc->hosts.n;
}
int64_t ky_incident_follows(const struct ky_incident *inc)
{
	return inc->follows;
}
int ky_incident_score(const struct ky_incident *inc)
{
	return inc->score;
}
enum ky_sev_band ky_incident_band(const struct ky_incident *inc)
{
	return ky_severity_band(inc->score);
}
const struct ky_rsit_class *ky_incident_rsit(const struct ky_incident *inc)
{
	return &inc->rsit;
}
enum ky_tlp ky_incident_tlp(const struct ky_incident *inc)
{
	return inc->tlp;
}
enum ky_pap ky_incident_pap(const struct ky_incident *inc)
{
	return inc->pap;
}
size_t ky_incident_history_count(const struct ky_incident *inc)
{
	return inc->nhist;
}

/* ---- incident construction ---- */

void ky_incident_free(struct ky_incident *inc)
{
	if (inc == NULL)
		return;
	free(inc->title);
	for (int k = 0; k < NKEYS; k++)
		free(inc->key[k]);
	ky_buf_free(&inc->kstr);
	free(inc->ids);
	for (size_t i = 0; i < inc->nent; i++) {
		free(inc->ent[i].rule);
		free(inc->ent[i].host);
		free(inc->ent[i].user);
		free(inc->ent[i].src);
	}
	free(inc->ent);
	ky_hash_free(inc->dedup, NULL);
	for (size_t i = 0; i < inc->rules.n; i++) {
		free(inc->rev[i].title);
		for (size_t j = 0; j < inc->rev[i].ntags; j++)
			free(inc->rev[i].tags[j]);
		free(inc->rev[i].tags);
	}
	free(inc->rev);
	strset_free(&inc->rules);
	strset_free(&inc->hosts);
	strset_free(&inc->users);
	strset_free(&inc->addrs);
	strset_free(&inc->inds);
	free(inc->ind_conf);
	free(inc->ind_count);
	for (size_t i = 0; i < inc->nhist; i++) {
		struct hist *h = &inc->hist[i];

		free(h->field);
		free(h->from);
		free(h->to);
		free(h->who);
		free(h->why);
	}
	free(inc->hist);
	free(inc);
}

struct ky_incident *ky__inc_alloc(size_t max_ids, size_t max_distinct)
{
	struct ky_incident *inc = calloc(1, sizeof(*inc));

	if (inc == NULL)
		return NULL;
	ky_buf_init(&inc->kstr, 0);
	inc->max_ids = max_ids;
	inc->max_distinct = max_distinct;
	inc->crit = 3;
	ky_rsit_from_tags(NULL, 0, &inc->rsit);
	if ((inc->dedup = ky_hash_new(0)) == NULL) {
		free(inc);
		return NULL;
	}
	return inc;
}

/* The binary key: per key field a presence byte and the value with its
 * length, so that no value can imitate another field. */
int ky__inc_build_key(struct ky_buf *b, unsigned keys, char *const vals[NKEYS])
{
	int r = 0;

	ky_buf_reset(b);
	for (int k = 0; r == 0 && k < NKEYS; k++) {
		uint32_t len;

		if (!(keys & (1u << k)))
			continue;
		r = ky_buf_addc(b, vals[k] ? (char)('A' + k) : (char)('a' + k));
		if (r || vals[k] == NULL)
			continue;
		len = (uint32_t)strlen(vals[k]);
		r = ky_buf_add(b, &len, sizeof(len));
		r = r ? r : ky_buf_add(b, vals[k], len);
	}
	return r;
}

/* The key fields an alert groups on.  When every configured field other
 * than the rule is missing, the rule joins the key, so that unrelated
 * alerts without a host (say) do not all land in one incident. */
static unsigned alert_keys(unsigned keys, const char *const vals[NKEYS])
{
	unsigned others = keys & ~KY_INCIDENT_KEY_RULE;
	bool any = false;

	for (int k = K_HOST; k < NKEYS; k++)
		if ((others & (1u << k)) && vals[k])
			any = true;
	if (others && !any)
		keys |= KY_INCIDENT_KEY_RULE;
	return keys;
}

/* ---- evidence ---- */

static int add_rule(struct ky_incident *inc, const struct ky_incident_alert *a,
		    size_t *idx)
{
	struct rule_ev *rv;
	bool added;
	size_t n = 0;

	if (ky__inc_strset_add(&inc->rules, a->rule_id, SIZE_MAX, idx,
			       &added) != 0)
		return KY_E_NOMEM;
	if (!added)
		return 0;
	if (ky__inc_grow((void **)&inc->rev, &inc->caprev, inc->rules.n,
			 sizeof(*rv)) != 0)
		goto nomem;
	rv = &inc->rev[*idx - 1];
	memset(rv, 0, sizeof(*rv));
	rv->level = a->level < 0 ? 0 : a->level > 4 ? 4 : a->level;
	if (nz(a->title) && (rv->title = ky__inc_clean_dup(a->title)) == NULL)
		goto nomem;
	n = a->ntags < MAX_RULE_TAGS ? a->ntags : MAX_RULE_TAGS;
	if (n && (rv->tags = calloc(n, sizeof(char *))) == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (a->tags[i] == NULL)
			continue;
		if ((rv->tags[rv->ntags] = ky__inc_clean_dup(a->tags[i])) ==
		    NULL)
			goto nomem;
		rv->ntags++;
	}
	ky_rsit_from_tags((const char *const *)rv->tags, rv->ntags, &rv->prop);
	return 0;
nomem:
	/* keep rules and rev in step: forget the id just added */
	ky_hash_del(inc->rules.h, a->rule_id, strlen(a->rule_id));
	free(inc->rules.v[--inc->rules.n]);
	return KY_E_NOMEM;
}

/* ind_conf and ind_count share one capacity. */
int ky__inc_grow_inds(struct ky_incident *inc, size_t need)
{
	size_t c = inc->capind;

	if (ky__inc_grow((void **)&inc->ind_conf, &c, need, sizeof(int)) != 0)
		return KY_E_NOMEM;
	c = inc->capind;
	if (ky__inc_grow((void **)&inc->ind_count, &c, need,
			 sizeof(uint64_t)) != 0)
		return KY_E_NOMEM;
	inc->capind = c;
	return 0;
}

static int set_distinct(struct ky_incident *inc, struct strset *s,
			const char *v, bool *added, size_t *idx)
{
	size_t i;
	bool a = false;
	int r = 0;

	if (v &&
	    (r = ky__inc_strset_add(s, v, inc->max_distinct, &i, &a)) == 0 &&
	    i == 0)
		inc->distinct_dropped++;
	if (added)
		*added = a;
	if (idx)
		*idx = v && r == 0 ? i : 0;
	return r;
}

static int join(struct ky_incident *inc, const struct ky_incident_alert *a,
		int64_t t, const char *const vals[NKEYS],
		const struct ky_incident_config *cfg,
		enum ky_incident_outcome *outcome)
{
	struct ky_buf dk;
	struct entry *en = NULL;
	size_t ri, ii = 0;
	bool new_host = false, new_addr = false, added;
	int r;

	ky_buf_init(&dk, 0);
	if ((r = ky__inc_build_key(&dk, 0xf, (char *const *)vals)) != 0)
		goto out;
	if (inc->nent) {
		void *v = ky_hash_get(inc->dedup, dk.data, dk.len);

		if (v)
			en = &inc->ent[(uintptr_t)v - 1];
	}
	if (en && !((a->event_hash && a->event_hash == en->hash) ||
		    (cfg->dedup_ns > 0 && t >= en->first_ns - cfg->dedup_ns &&
		     t <= en->last_ns + cfg->dedup_ns)))
		en = NULL;
	if ((r = add_rule(inc, a, &ri)) != 0)
		goto out;
	if (en) {
		*outcome = KY_INC_FOLDED;
		en->count++;
	} else {
		*outcome = KY_INC_JOINED;
		if ((r = ky__inc_grow((void **)&inc->ent, &inc->capent,
				      inc->nent + 1, sizeof(*en))) != 0)
			goto out;
		en = &inc->ent[inc->nent];
		memset(en, 0, sizeof(*en));
		en->alert_id = a->id;
		en->kind = a->kind;
		en->first_ns = en->last_ns = t;
		en->hash = a->event_hash;
		en->count = 1;
		en->rule = dup_or_null(vals[K_RULE]);
		en->host = dup_or_null(vals[K_HOST]);
		en->user = dup_or_null(vals[K_USER]);
		en->src = dup_or_null(vals[K_SRC]);
		if (!en->rule || (vals[K_HOST] && !en->host) ||
		    (vals[K_USER] && !en->user) || (vals[K_SRC] && !en->src)) {
			free(en->rule);
			free(en->host);
			free(en->user);
			free(en->src);
			r = KY_E_NOMEM;
			goto out;
		}
		inc->nent++;
		if ((r = ky_hash_put(inc->dedup, dk.data, dk.len,
				     (void *)(uintptr_t)inc->nent, NULL)) != 0)
			goto out;
	}
	en->first_ns = t < en->first_ns ? t : en->first_ns;
	en->last_ns = t > en->last_ns ? t : en->last_ns;
	inc->rev[ri - 1].count++;
	inc->alert_count++;
	if (inc->nids < inc->max_ids && a->id) {
		if ((r = ky__inc_grow((void **)&inc->ids, &inc->capids,
				      inc->nids + 1, sizeof(int64_t))) != 0)
			goto out;
		inc->ids[inc->nids++] = a->id;
	} else if (a->id) {
		inc->ids_dropped++;
	}
	if (inc->first_ns == 0 || t < inc->first_ns)
		inc->first_ns = t;
	if (t > inc->last_ns)
		inc->last_ns = t;
	if ((r = set_distinct(inc, &inc->hosts, vals[K_HOST], &new_host,
			      NULL)) != 0 ||
	    (r = set_distinct(inc, &inc->users, vals[K_USER], NULL, NULL)) !=
		    0 ||
	    (r = set_distinct(inc, &inc->addrs, vals[K_SRC], &new_addr,
			      NULL)) != 0)
		goto out;
	if (a->kind == KY_ALERT_INDICATOR || nz(a->indicator)) {
		const char *iv = nz(a->indicator) ? a->indicator : a->rule_id;
		int conf = a->confidence < 0 ? 0 : a->confidence;

		if ((r = set_distinct(inc, &inc->inds, iv, &added, &ii)) != 0)
			goto out;
		if (added && (r = ky__inc_grow_inds(inc, ii)) != 0)
			goto out;
		if (added) {
			inc->ind_conf[ii - 1] = 0;
			inc->ind_count[ii - 1] = 0;
		}
		if (ii) {
			if (conf > inc->ind_conf[ii - 1])
				inc->ind_conf[ii - 1] = conf;
			inc->ind_count[ii - 1]++;
		}
		if (conf > inc->conf_max)
			inc->conf_max = conf > 100 ? 100 : conf;
	}
	if (inc->rev[ri - 1].level > inc->level_max) {
		inc->level_max = inc->rev[ri - 1].level;
		/* an incident is named after its most severe alert (the first
		 * among equals): a brute force that ends in a login is not
		 * "SSH authentication failure" */
		if (nz(a->title)) {
			char *title = ky__inc_clean_dup(a->title);

			if (title == NULL) {
				r = KY_E_NOMEM;
				goto out;
			}
			free(inc->title);
			inc->title = title;
		}
	}
	if (new_host || new_addr) {
		int c = 0, x;

		if (new_host)
			c = asset_crit(cfg, vals[K_HOST], NULL);
		if (new_addr && (x = asset_crit(cfg, NULL, vals[K_SRC])) > c)
			c = x;
		/* the first assets replace the default, later ones raise */
		if (inc->hosts.n + inc->addrs.n ==
			    (size_t)new_host + (size_t)new_addr ||
		    c > inc->crit)
			inc->crit = c;
	}
	ky__inc_derive_class(inc);
	ky__inc_apply_policy(inc, cfg);
out:
	ky_buf_free(&dk);
	return r;
}

/* ---- the engine ---- */

static void slot_free(void *p)
{
	struct slot *s = p;

	if (s)
		free(s->v);
	free(s);
}

int ky_incidents_new(struct ky_incidents **out,
		     const struct ky_incident_config *cfg, struct ky_err *err)
{
	struct ky_incidents *e;

	*out = NULL;
	if (cfg->keys > 0xf || cfg->window_ns < 0 || cfg->dedup_ns < 0 ||
	    cfg->default_criticality < 1 || cfg->default_criticality > 5 ||
	    cfg->max_alert_ids == 0 || cfg->max_distinct == 0 ||
	    cfg->max_incidents == 0)
		return ky_err_set(err, KY_E_CONFIG,
				  "incidents: bad configuration (keys %#x, "
				  "window %" PRId64 ", dedup %" PRId64
				  ", criticality %d, limits must be > 0)",
				  cfg->keys, cfg->window_ns, cfg->dedup_ns,
				  cfg->default_criticality);
	for (int i = 0; i < 16; i++)
		if ((unsigned)cfg->tlp_by_class[i] > KY_TLP_UNSET ||
		    (unsigned)cfg->pap_by_class[i] > KY_PAP_UNSET ||
		    (i < 4 && ((unsigned)cfg->tlp_by_band[i] >= KY_TLP_UNSET ||
			       (unsigned)cfg->pap_by_band[i] >= KY_PAP_UNSET)))
			return ky_err_set(
				err, KY_E_CONFIG,
				"incidents: bad TLP/PAP policy entry %d", i);
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->byid = ky_hash_new(0)) == NULL ||
	    (e->bykey = ky_hash_new(0)) == NULL) {
		ky_incidents_free(e);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	e->cfg = *cfg;
	e->next_id = 1;
	*out = e;
	return 0;
}

void ky_incidents_free(struct ky_incidents *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++)
		ky_incident_free(e->v[i]);
	free(e->v);
	ky_hash_free(e->byid, NULL);
	ky_hash_free(e->bykey, slot_free);
	free(e);
}

int ky__inc_index_put(struct ky_incidents *e, struct ky_incident *inc)
{
	struct slot *s = ky_hash_get(e->bykey, inc->kstr.data, inc->kstr.len);
	bool fresh = s == NULL;

	if (ky__inc_grow((void **)&e->v, &e->cap, e->n + 1, sizeof(*e->v)) != 0)
		return KY_E_NOMEM;
	if (fresh && (s = calloc(1, sizeof(*s))) == NULL)
		return KY_E_NOMEM;
	if (ky__inc_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)) !=
		    0 ||
	    (fresh && ky_hash_put(e->bykey, inc->kstr.data, inc->kstr.len, s,
				  NULL) != 0)) {
		if (fresh)
			slot_free(s);
		return KY_E_NOMEM;
	}
	if (ky_hash_put(e->byid, &inc->id, sizeof(inc->id), inc, NULL) != 0)
		return KY_E_NOMEM; /* the empty slot is harmless */
	s->v[s->n++] = inc;
	e->v[e->n++] = inc;
	if (inc->id >= e->next_id)
		e->next_id = inc->id + 1;
	return 0;
}

static void index_del(struct ky_incidents *e, struct ky_incident *inc)
{
	struct slot *s = ky_hash_get(e->bykey, inc->kstr.data, inc->kstr.len);

	ky_hash_del(e->byid, &inc->id, sizeof(inc->id));
	for (size_t i = 0; s && i < s->n; i++)
		if (s->v[i] == inc) {
			memmove(&s->v[i], &s->v[i + 1],
				(s->n - i - 1) * sizeof(*s->v));
			s->n--;
			break;
		}
	if (s && s->n == 0)
		slot_free(ky_hash_del(e->bykey, inc->kstr.data, inc->kstr.len));
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i] == inc) {
			memmove(&e->v[i], &e->v[i + 1],
				(e->n - i - 1) * sizeof(*e->v));
			e->n--;
			break;
		}
}

/* How far [lo, hi] lies from the incident's [first, last]; 0 inside. */
static int64_t distance(const struct ky_incident *inc, int64_t lo, int64_t hi)
{
	if (hi < inc->first_ns)
		return inc->first_ns - hi;
	if (lo > inc->last_ns)
		return lo - inc->last_ns;
	return 0;
}

/* The open incident holding alerts of a rule the correlation uses and
 * every group value it names, nearest in time; the latest on a tie. */
static struct ky_incident *corr_target(struct ky_incidents *e,
				       const struct ky_incident_alert *a,
				       int64_t t, const char *const vals[])
{
	struct ky_incident *best = NULL;
	int64_t lo = a->corr_first_ns > 0 && a->corr_first_ns < t
			     ? a->corr_first_ns
			     : t,
		bd = 0;

	for (size_t i = 0; i < e->n; i++) {
		struct ky_incident *inc = e->v[i];
		bool rule = false;
		int64_t d;

		if (!ky_incident_status_open(inc->status))
			continue;
		for (size_t j = 0; !rule && j < a->ncorr_rules; j++)
			rule = a->corr_rules[j] &&
			       ky__inc_strset_find(&inc->rules,
						   a->corr_rules[j]);
		if (!rule ||
		    (vals[K_HOST] &&
		     !ky__inc_strset_find(&inc->hosts, vals[K_HOST])) ||
		    (vals[K_USER] &&
		     !ky__inc_strset_find(&inc->users, vals[K_USER])) ||
		    (vals[K_SRC] &&
		     !ky__inc_strset_find(&inc->addrs, vals[K_SRC])))
			continue;
		d = distance(inc, lo, t);
		if (d <= e->cfg.window_ns && (best == NULL || d <= bd)) {
			best = inc;
			bd = d;
		}
	}
	return best;
}

static int open_incident(struct ky_incidents *e, const char *const vals[],
			 unsigned keys, const struct ky_buf *kstr,
			 const struct ky_incident_alert *a, int64_t t,
			 struct ky_incident **out)
{
	struct ky_incident *inc;

	*out = NULL;
	if (e->n >= e->cfg.max_incidents)
		return KY_E_TOOBIG;
	inc = ky__inc_alloc(e->cfg.max_alert_ids, e->cfg.max_distinct);
	if (inc == NULL)
		return KY_E_NOMEM;
	inc->id = e->next_id;
	inc->keys = keys;
	inc->created_ns = a->recv_ns > 0 ? a->recv_ns : t;
	inc->crit = e->cfg.default_criticality;
	for (int k = 0; k < NKEYS; k++)
		if ((keys & (1u << k)) && vals[k] &&
		    (inc->key[k] = dup_or_null(vals[k])) == NULL)
			goto nomem;
	if ((inc->title = ky__inc_clean_dup(
		     nz(a->title) ? a->title : a->rule_id)) == NULL ||
	    ky_buf_add(&inc->kstr, kstr->data, kstr->len) != 0 ||
	    ky__inc_index_put(e, inc) != 0)
		goto nomem;
	*out = inc;
	return 0;
nomem:
	ky_incident_free(inc);
	return KY_E_NOMEM;
}

int ky_incidents_add(struct ky_incidents *e, const struct ky_incident_alert *a,
		     struct ky_incident_result *res, struct ky_err *err)
{
	struct ky_incident_result rs = {0};
	struct ky_incident *inc = NULL, *prev = NULL;
	struct ky_incident_alert ca = *a;
	struct ky_buf kstr;
	char *vals[NKEYS] = {0};
	unsigned keys = 0;
	bool opened = false;
	int64_t t = a->time_ns ? a->time_ns : a->recv_ns, bd = 0;
	int r = 0;

	ky_buf_init(&kstr, 0);
	if (nz(a->rule_id) == NULL || t == 0) {
		r = ky_err_set(err, KY_E_INVAL, "alert %" PRId64 ": %s", a->id,
			       nz(a->rule_id) ? "no time" : "no rule id");
		goto out;
	}
	if ((vals[K_RULE] = ky__inc_clean_dup(a->rule_id)) == NULL ||
	    (nz(a->host) &&
	     (vals[K_HOST] = ky__inc_clean_dup(a->host)) == NULL) ||
	    (nz(a->user) &&
	     (vals[K_USER] = ky__inc_clean_dup(a->user)) == NULL) ||
	    (nz(a->src_ip) &&
	     (vals[K_SRC] = ky__inc_clean_dup(a->src_ip)) == NULL)) {
		r = KY_E_NOMEM;
		goto out;
	}
	ca.rule_id = vals[K_RULE];
	if (a->kind == KY_ALERT_CORRELATION && a->ncorr_rules)
		inc = corr_target(e, a, t, (const char *const *)vals);
	if (inc == NULL) {
		keys = alert_keys(e->cfg.keys, (const char *const *)vals);
		if ((r = ky__inc_build_key(&kstr, keys, vals)) != 0)
			goto out;
		struct slot *s = ky_hash_get(e->bykey, kstr.data, kstr.len);

		for (size_t i = 0; s && i < s->n; i++) {
			int64_t d = distance(s->v[i], t, t);

			if (d > e->cfg.window_ns)
				continue;
			if (!ky_incident_status_open(s->v[i]->status)) {
				if (prev == NULL || s->v[i]->id > prev->id)
					prev = s->v[i];
			} else if (inc == NULL || d <= bd) {
				inc = s->v[i];
				bd = d;
			}
		}
	}
	if (inc == NULL) {
		if ((r = open_incident(e, (const char *const *)vals, keys,
				       &kstr, &ca, t, &inc)) != 0)
			goto out;
		inc->follows = rs.follows = prev ? prev->id : 0;
		opened = true;
	}
	if ((r = join(inc, &ca, t, (const char *const *)vals, &e->cfg,
		      &rs.outcome)) != 0)
		goto out;
	if (opened)
		rs.outcome = KY_INC_OPENED;
	rs.id = inc->id;
	if (res)
		*res = rs;
out:
	if (r == KY_E_NOMEM)
		ky_err_set(err, r, "alert %" PRId64 ": out of memory", a->id);
	else if (r == KY_E_TOOBIG)
		ky_err_set(err, r,
			   "alert %" PRId64 ": %zu incidents held "
			   "(incidents.max_incidents)",
			   a->id, e->n);
	for (int k = 0; k < NKEYS; k++)
		free(vals[k]);
	ky_buf_free(&kstr);
	return r;
}

struct ky_incident *ky_incidents_get(struct ky_incidents *e, int64_t id)
{
	return ky_hash_get(e->byid, &id, sizeof(id));
}

size_t ky_incidents_count(const struct ky_incidents *e)
{
	return e->n;
}

int64_t ky_incidents_next_id(const struct ky_incidents *e)
{
	return e->next_id;
}

void ky_incidents_set_next_id(struct ky_incidents *e, int64_t id)
{
	if (id > e->next_id)
		e->next_id = id;
}

struct ky_incident *ky_incidents_at(struct ky_incidents *e, size_t i)
{
	return i < e->n ? e->v[i] : NULL;
}

int ky_incidents_adopt(struct ky_incidents *e, struct ky_incident *inc,
		       struct ky_err *err)
{
	if (ky_incidents_get(e, inc->id))
		return ky_err_set(err, KY_E_EXISTS,
				  "incident %" PRId64 " is already held",
				  inc->id);
	if (e->n >= e->cfg.max_incidents)
		return ky_err_set(err, KY_E_TOOBIG,
				  "incident %" PRId64 ": %zu incidents held",
				  inc->id, e->n);
	inc->max_ids = e->cfg.max_alert_ids;
	inc->max_distinct = e->cfg.max_distinct;
	if (ky__inc_index_put(e, inc) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

struct ky_incident *ky_incidents_release(struct ky_incidents *e, int64_t id)
{
	struct ky_incident *inc = ky_incidents_get(e, id);

	if (inc)
		index_del(e, inc);
	return inc;
}
