/* The detection engine of a node and of `kyklos detect`: loads rules,
 * correlations and indicator lists, runs them per event with a context per
 * thread, and turns every alert into one store row with its JSON.  The
 * correlation engine that is live across reloads is the ky_corr_host's. */
#include "node/detector.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"
#include "base/time.h"
#include "detect/indicators.h"
#include "detect/logsource.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/event.h"

struct ky_detector {
	_Atomic int refs;
	struct ky_logsources *ls;
	struct ky_ruleset *rs;
	struct ky_corr *corr; /* NULL when no rule set */
	struct ky_ioc_set *iocs;
	struct ky_hash *byid; /* rule id, else name -> rule */
	/* when the four above are borrowed: the detector that owns them
	 * (ky_detector_new_indicators), referenced */
	struct ky_detector *rules_of;
	bool empty;
};

#define FIELD_MAX 256

struct ky_detect_ctx {
	struct ky_detector *d;
	struct ky_match_scratch *scratch;
	struct ky_buf json;
	struct ky_detect_counts n;
	/* per call of ky_detect_event or flush */
	struct ky_corr_host *h;
	ky_detect_sink fn;
	void *ud;
	const struct ky_event *ev;
	int stop; /* the sink's non-zero value */
	char host[FIELD_MAX], user[FIELD_MAX], src[FIELD_MAX];
	char rule_id[FIELD_MAX * 2], title[FIELD_MAX * 2];
};

/* Where hosts, users and source addresses are found, in order: ECS and
 * the Sigma (Windows) names after field mapping. */
static const char *const host_fields[] = {
	"host.name",   "host.hostname",	  "Computer",
	"Hostname",    "hostname",	  "ComputerName",
	"Workstation", "WorkstationName", NULL,
};
static const char *const user_fields[] = {
	"user.name",   "TargetUserName",   "SubjectUserName", "User",
	"AccountName", "source.user.name", "UserName",	      NULL,
};
static const char *const src_fields[] = {
	"source.ip", "IpAddress", "SourceIp", "SourceAddress",
	"client.ip", "src_ip",	  "SourceIP", NULL,
};

/* ---- loading ------------------------------------------------------------ */

static void report(const struct ky_detector_opts *o, int status,
		   const char *msg)
{
	if (o->report)
		o->report(o->ud, status, msg);
}

static void corr_report(void *ud, const char *msg)
{
	report(ud, KY_E_UNSUPPORTED, msg);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int load_iocs(struct ky_ioc_set *set, char *const *files, size_t n,
		     bool warning, struct ky_detector_info *info,
		     const struct ky_detector_opts *o, struct ky_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct ky_err e = {0};
		uint64_t loaded = 0, rejected = 0;
		char msg[sizeof(e.msg) + 128];
		int r;

		if (!warning && ends_with(files[i], ".csv"))
			r = ky_ioc_load_csv(set, files[i], &loaded, &rejected,
					    &e);
		else
			r = ky_ioc_load_list(set, files[i], -1, warning,
					     &loaded, &rejected, &e);
		if (r != 0)
			return ky_err_set(err, r, "%s",
					  e.msg[0] ? e.msg : ky_strerror(r));
		if (rejected) {
			snprintf(msg, sizeof(msg),
				 "%s: %llu indicators rejected%s%s", files[i],
				 (unsigned long long)rejected,
				 e.msg[0] ? ", first: " : "", e.msg);
			report(o, KY_E_PARSE, msg);
		}
		if (warning)
			info->warnings += loaded;
		else
			info->indicators += loaded;
		info->ioc_rejected += rejected;
	}
	return 0;
}

/* The indicator and warning lists of o into a new set of d's. */
static int load_lists(struct ky_detector *d, const struct ky_detector_opts *o,
		      struct ky_detector_info *info, struct ky_err *err)
{
	int r;

	if (o->nindicators + o->nwarning_lists > 0) {
		if ((d->iocs = ky_ioc_set_new()) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		if ((r = load_iocs(d->iocs, o->indicators, o->nindicators,
				   false, info, o, err)) != 0 ||
		    (r = load_iocs(d->iocs, o->warning_lists, o->nwarning_lists,
				   true, info, o, err)) != 0)
			return r;
	}
	d->empty = ky_ruleset_count(d->rs) == 0 && d->iocs == NULL;
	return 0;
}

static int index_rules(struct ky_detector *d)
{
	size_t n = ky_ruleset_count(d->rs);

	if ((d->byid = ky_hash_new(KY_HASH_BORROW_KEYS)) == NULL)
		return KY_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct ky_sigma_rule *r = ky_ruleset_rule(d->rs, i);
		const char *key = r->id ? r->id : r->name;
		/* the first of a duplicated id wins, as in the rule set */
		if (key == NULL || ky_hash_get(d->byid, key, strlen(key)))
			continue;
		if (ky_hash_put(d->byid, key, strlen(key), (void *)r, NULL))
			return KY_E_NOMEM;
	}
	return 0;
}

int ky_detector_new(struct ky_detector **out, const struct ky_detector_opts *o,
		    struct ky_detector_info *info, struct ky_err *err)
{
	struct ky_detector *d = calloc(1, sizeof(*d));
	struct ky_ruleset_opts ro = {0};
	size_t nactive = 0;
	int r;

	*out = NULL;
	memset(info, 0, sizeof(*info));
	if (d == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	atomic_init(&d->refs, 1);
	if (o->logsources && o->logsources[0] &&
	    (r = ky_logsources_load(&d->ls, o->logsources, err)) != 0)
		goto out;
	ro.logsources = d->ls;
	ro.placeholders = o->placeholders;
	if ((r = ky_ruleset_new(&d->rs, &ro, err)) != 0)
		goto out;
	info->load.progress = o->progress;
	info->load.report = o->report;
	info->load.ud = o->ud;
	if (o->nrules > 0) {
		if ((r = ky_rules_load(d->rs, o->rules, o->nrules,
				       &info->load)) != 0) {
			ky_err_set(err, r, "loading rules: %s", ky_strerror(r));
			goto out;
		}
	} else if ((r = ky_ruleset_finalize(d->rs, err)) != 0) {
		goto out;
	}
	info->unmapped = ky_ruleset_unmapped(d->rs);
	if ((r = ky_corr_new(&d->corr, d->rs, &o->corr, corr_report, (void *)o,
			     &nactive, err)) != 0)
		goto out;
	info->correlations = nactive;
	if ((r = index_rules(d)) != 0) {
		ky_err_set(err, r, "out of memory");
		goto out;
	}
	if ((r = load_lists(d, o, info, err)) != 0)
		goto out;
	*out = d;
	d = NULL;
out:
	ky_detector_unref(d);
	return r;
}

int ky_detector_new_indicators(struct ky_detector **out,
			       struct ky_detector *cur,
			       const struct ky_detector_opts *o,
			       struct ky_detector_info *info,
			       struct ky_err *err)
{
	struct ky_detector *d = calloc(1, sizeof(*d));
	struct ky_detector *owner = cur->rules_of ? cur->rules_of : cur;
	int r = 0;

	*out = NULL;
	memset(info, 0, sizeof(*info));
	if (d == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	atomic_init(&d->refs, 1);
	/* the compiled rules and the correlation engine (its state with
	 * them) are the current detector's: only the lists are read */
	d->rules_of = ky_detector_ref(owner);
	d->ls = owner->ls;
	d->rs = owner->rs;
	d->corr = owner->corr;
	d->byid = owner->byid;
	info->load.rules = info->load.compiled = ky_ruleset_count(d->rs);
	info->unmapped = ky_ruleset_unmapped(d->rs);
	if ((r = load_lists(d, o, info, err)) != 0)
		goto out;
	*out = d;
	d = NULL;
out:
	ky_detector_unref(d);
	return r;
}

/* Joins a configured path to the node directory unless absolute. */
static char *node_path(const char *home, const char *p)
{
	struct ky_buf b;
	char *s;

	if (p[0] == '/' || home == NULL)
		return strdup(p);
	ky_buf_init(&b, 0);
	if (ky_buf_addf(&b, "%s/%s", home, p) != 0) {
		ky_buf_free(&b);
		return NULL;
	}
	s = strdup(ky_buf_str(&b));
	ky_buf_free(&b);
	return s;
}

int ky_detector_opts_from_config(const struct ky_config *cfg,
				 struct ky_detector_opts *o,
				 struct ky_hash **ph, char ***paths,
				 struct ky_err *err)
{
	const struct ky_strlist *lists[3] = {&cfg->detect_rules,
					     &cfg->detect_indicators,
					     &cfg->detect_warning_lists};
	char circle[4200];
	struct stat sb;
	bool with_circle;
	size_t total = 2, k = 0;
	char **v;
	int r;

	*ph = NULL;
	*paths = NULL;
	for (int i = 0; i < 3; i++)
		total += lists[i]->n;
	/* the indicators the circle shared with us, written by the sync
	 * engine (node/sync_circle.c) */
	snprintf(circle, sizeof(circle), "%s/" KY_CIRCLE_IOCS,
		 cfg->home ? cfg->home : ".");
	with_circle = cfg->home != NULL && stat(circle, &sb) == 0;
	if ((v = calloc(total + 1, sizeof(*v))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	for (int i = 0; i < 3; i++) {
		char **start = v + k;

		for (size_t j = 0; j < lists[i]->n; j++)
			if ((v[k++] = node_path(cfg->home, lists[i]->v[j])) ==
			    NULL)
				goto nomem;
		if (i == 1 && with_circle && (v[k++] = strdup(circle)) == NULL)
			goto nomem;
		if (i == 0)
			o->rules = start, o->nrules = lists[i]->n;
		else if (i == 1)
			o->indicators = start,
			o->nindicators = lists[i]->n + (with_circle ? 1 : 0);
		else
			o->warning_lists = start,
			o->nwarning_lists = lists[i]->n;
	}
	if (cfg->detect_logsources && cfg->detect_logsources[0]) {
		if ((v[k] = node_path(cfg->home, cfg->detect_logsources)) ==
		    NULL)
			goto nomem;
		o->logsources = v[k++];
	}
	o->corr.max_groups = (size_t)cfg->corr_max_groups;
	o->corr.max_events_per_group = (size_t)cfg->corr_max_events;
	o->corr.lateness_ns = cfg->corr_lateness * KY_NS_PER_SEC;
	if ((r = ky_config_placeholder_table(cfg, ph)) != 0) {
		ky_detector_paths_free(v);
		return ky_err_set(err, r, "placeholders: %s", ky_strerror(r));
	}
	o->placeholders = *ph;
	*paths = v;
	return 0;
nomem:
	ky_detector_paths_free(v);
	return ky_err_set(err, KY_E_NOMEM, "out of memory");
}

void ky_detector_paths_free(char **paths)
{
	for (size_t i = 0; paths && paths[i]; i++)
		free(paths[i]);
	free(paths);
}

struct ky_detector *ky_detector_ref(struct ky_detector *d)
{
	if (d)
		atomic_fetch_add(&d->refs, 1);
	return d;
}

void ky_detector_unref(struct ky_detector *d)
{
	if (d == NULL || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	ky_ioc_set_free(d->iocs);
	if (d->rules_of != NULL) {
		ky_detector_unref(d->rules_of);
	} else {
		ky_corr_free(d->corr);
		ky_hash_free(d->byid, NULL);
		ky_ruleset_free(d->rs);
		ky_logsources_free(d->ls);
	}
	free(d);
}

bool ky_detector_empty(const struct ky_detector *d)
{
	return d->empty;
}

const struct ky_ruleset *ky_detector_ruleset(const struct ky_detector *d)
{
	return d->rs;
}

struct ky_corr *ky_detector_corr(const struct ky_detector *d)
{
	return d->corr;
}

/* ---- the correlation host ---------------------------------------------- */

void ky_corr_host_init(struct ky_corr_host *h, struct ky_detector *d)
{
	pthread_mutex_init(&h->mu, NULL);
	h->cur = ky_detector_ref(d);
}

int ky_corr_host_switch(struct ky_corr_host *h, struct ky_detector *next,
			struct ky_err *err)
{
	struct ky_buf b;
	struct ky_detector *old;
	int r = 0;

	ky_buf_init(&b, 0);
	pthread_mutex_lock(&h->mu);
	old = h->cur;
	/* a detector that shares its rules shares the engine: nothing moves */
	if (old != NULL && old->corr != NULL && next->corr != NULL &&
	    old->corr != next->corr) {
		r = ky_corr_save(old->corr, &b);
		if (r != 0)
			ky_err_set(err, r, "correlation state: %s",
				   ky_strerror(r));
		else
			r = ky_corr_restore(next->corr, b.data, b.len, err);
	}
	h->cur = ky_detector_ref(next);
	pthread_mutex_unlock(&h->mu);
	ky_detector_unref(old);
	ky_buf_free(&b);
	return r;
}

void ky_corr_host_destroy(struct ky_corr_host *h)
{
	ky_detector_unref(h->cur);
	h->cur = NULL;
	pthread_mutex_destroy(&h->mu);
}

int ky_corr_host_save(struct ky_corr_host *h, struct ky_store *st,
		      struct ky_err *err)
{
	struct ky_buf b;
	int r = 0;

	ky_buf_init(&b, 0);
	pthread_mutex_lock(&h->mu);
	if (h->cur != NULL && h->cur->corr != NULL)
		r = ky_corr_save(h->cur->corr, &b);
	pthread_mutex_unlock(&h->mu);
	if (r != 0)
		ky_err_set(err, r, "correlation state: %s", ky_strerror(r));
	else
		r = ky_store_put_state(st, "correlation", b.data, b.len,
				       ky_time_now_ns(), err);
	ky_buf_free(&b);
	return r;
}

int ky_corr_host_restore(struct ky_corr_host *h, struct ky_store *st,
			 struct ky_err *err)
{
	void *data = NULL;
	size_t len = 0;
	int r;

	r = ky_store_get_state(st, "correlation", &data, &len, err);
	if (r == KY_E_NOTFOUND)
		return 0; /* a new node */
	if (r != 0)
		return r;
	pthread_mutex_lock(&h->mu);
	if (h->cur != NULL && h->cur->corr != NULL)
		r = ky_corr_restore(h->cur->corr, data, len, err);
	pthread_mutex_unlock(&h->mu);
	free(data);
	return r;
}

/* ---- per event ---------------------------------------------------------- */

int ky_detect_ctx_new(struct ky_detector *d, struct ky_detect_ctx **out)
{
	struct ky_detect_ctx *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL)
		return KY_E_NOMEM;
	if (ky_match_scratch_new(d->rs, &c->scratch) != 0) {
		free(c);
		return KY_E_NOMEM;
	}
	c->d = ky_detector_ref(d);
	ky_buf_init(&c->json, 0);
	*out = c;
	return 0;
}

void ky_detect_ctx_free(struct ky_detect_ctx *c)
{
	if (c == NULL)
		return;
	ky_match_scratch_free(c->scratch);
	ky_buf_free(&c->json);
	ky_detector_unref(c->d);
	free(c);
}

struct ky_detector *ky_detect_ctx_detector(const struct ky_detect_ctx *c)
{
	return c->d;
}

const struct ky_detect_counts *
ky_detect_ctx_counts(const struct ky_detect_ctx *c)
{
	return &c->n;
}

/* Copies a value into dst as a C string (truncated), or "" */
static void copy_value(char *dst, size_t cap, const char *s, size_t n)
{
	if (s == NULL)
		n = 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static const char *set_str(char *dst, size_t cap, const char *v)
{
	copy_value(dst, cap, v, strlen(v));
	return dst;
}

/* The first non-empty field of names in ev, copied into dst. */
static const char *pick(const struct ky_event *ev, const char *const *names,
			char *dst, size_t cap)
{
	if (ev == NULL)
		return NULL;
	for (size_t i = 0; names[i]; i++) {
		const struct ky_field *f = ky_event_get(ev, names[i]);

		if (f && f->type != KY_V_NULL && f->str && f->str_len > 0 &&
		    !(f->str_len == 1 && f->str[0] == '-')) {
			copy_value(dst, cap, f->str, f->str_len);
			return dst;
		}
	}
	return NULL;
}

static void row_from_event(struct ky_detect_ctx *c, struct ky_alert_row *row,
			   const struct ky_event *ev)
{
	row->host = pick(ev, host_fields, c->host, sizeof(c->host));
	row->user = pick(ev, user_fields, c->user, sizeof(c->user));
	row->src_ip = pick(ev, src_fields, c->src, sizeof(c->src));
	row->time_ns = ev ? ev->time_ns : 0;
	row->recv_ns = ev ? ev->recv_ns : 0;
	row->created_ns = ky_time_now_ns();
}

static int deliver(struct ky_detect_ctx *c, struct ky_alert_row *row)
{
	int r;

	row->json = c->json.data;
	row->json_len = c->json.len;
	if (c->fn && (r = c->fn(c->ud, row)) != 0) {
		c->stop = r;
		return r;
	}
	return 0;
}

static const char *rule_key(const struct ky_sigma_rule *r)
{
	return r->id ? r->id : r->name ? r->name : r->title ? r->title : "";
}

static bool in_list(const char *name, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static int on_corr(void *ud, const struct ky_corr_alert *a)
{
	struct ky_detect_ctx *c = ud;
	struct ky_alert_row row = {.kind = KY_ALERT_CORRELATION};

	c->n.corr_alerts++;
	ky_buf_reset(&c->json);
	if (ky_corr_alert_to_json(a, &c->json) != 0) {
		c->n.render_errors++;
		return 0;
	}
	row_from_event(c, &row, a->ev);
	/* the group names who it is about better than the last event */
	for (size_t i = 0; i < a->ngroup; i++) {
		const char *f = a->group_fields[i], *v = a->group_values[i];

		if (v == NULL || v[0] == '\0')
			continue;
		if (in_list(f, host_fields))
			row.host = set_str(c->host, sizeof(c->host), v);
		else if (in_list(f, user_fields))
			row.user = set_str(c->user, sizeof(c->user), v);
		else if (in_list(f, src_fields))
			row.src_ip = set_str(c->src, sizeof(c->src), v);
	}
	row.time_ns = a->last_ns;
	row.rule_id = rule_key(a->rule);
	row.title = a->rule->title ? a->rule->title : row.rule_id;
	row.level = (int)a->rule->level;
	return deliver(c, &row);
}

/* Feeds a rule alert to the live correlation engine: the host's newest
 * detector, whose rule of the same id stands in after a reload. */
static int feed(struct ky_detect_ctx *c, const struct ky_alert *a)
{
	struct ky_corr_host *h = c->h;
	struct ky_alert b = *a;
	struct ky_detector *cur;
	int r = 0;

	if (h == NULL)
		return ky_corr_feed(c->d->corr, a, on_corr, c);
	pthread_mutex_lock(&h->mu);
	cur = h->cur;
	if (cur != c->d) {
		const char *k = rule_key(a->rule);

		b.rule = ky_hash_get(cur->byid, k, strlen(k));
		if (b.rule == NULL || !ky_corr_uses(cur->corr, b.rule))
			goto out; /* the rule or its use went away */
	}
	r = ky_corr_feed(cur->corr, &b, on_corr, c);
out:
	pthread_mutex_unlock(&h->mu);
	return r;
}

/* The rule's alert first, then what it completes in correlations. */
static int on_rule(void *ud, const struct ky_alert *a)
{
	struct ky_detect_ctx *c = ud;
	struct ky_alert_row row = {.kind = KY_ALERT_RULE};
	bool used = c->d->corr != NULL && ky_corr_uses(c->d->corr, a->rule);
	int r;

	if (used && ky_corr_suppresses(c->d->corr, a->rule)) {
		c->n.suppressed++;
	} else {
		c->n.rule_alerts++;
		ky_buf_reset(&c->json);
		if (ky_alert_to_json(a, &c->json) != 0) {
			c->n.render_errors++;
		} else {
			row_from_event(c, &row, a->ev);
			copy_value(c->rule_id, sizeof(c->rule_id),
				   rule_key(a->rule),
				   strlen(rule_key(a->rule)));
			row.rule_id = c->rule_id;
			row.title =
				a->rule->title ? a->rule->title : row.rule_id;
			row.level = (int)a->rule->level;
			if ((r = deliver(c, &row)) != 0)
				return r;
		}
	}
	if (used && (r = feed(c, a)) < 0 && !c->stop)
		c->n.match_errors++;
	return c->stop;
}

static int add_time(struct ky_buf *b, int64_t ns)
{
	char t[KY_TIME_RFC3339_LEN];

	if (ns == 0)
		return ky_buf_adds(b, "null");
	ky_time_format_rfc3339(ns, t);
	return ky_buf_add_json_str(b, t, strlen(t));
}

static int add_opt_str(struct ky_buf *b, const char *s, size_t n)
{
	return ky_buf_add_json_str(b, s ? s : "", s ? n : 0);
}

/* An indicator hit in the shape of a rule alert, "indicator" for "rule". */
static int ioc_json(struct ky_buf *b, const struct ky_ioc_hit *h,
		    const struct ky_event *ev)
{
	const struct ky_ioc *ioc = h->ioc;
	const struct ky_field *f = h->field;
	int r;

	r = ky_buf_addf(b, "{\"indicator\":{\"type\":\"%s\",\"value\":",
			ky_ioc_type_name(ioc->type));
	r = r ? r : ky_buf_add_json_str(b, ioc->value, strlen(ioc->value));
	r = r ? r : ky_buf_adds(b, ",\"list\":");
	r = r ? r
	      : add_opt_str(b, ioc->list, ioc->list ? strlen(ioc->list) : 0);
	r = r ? r
	      : ky_buf_addf(b, ",\"line\":%llu,\"confidence\":%d}",
			    (unsigned long long)ioc->line, ioc->confidence);
	r = r ? r : ky_buf_adds(b, ",\"matched\":[{\"field\":");
	r = r ? r : ky_buf_add_json_str(b, f->path, f->path_len);
	r = r ? r : ky_buf_adds(b, ",\"value\":");
	r = r ? r : add_opt_str(b, f->str, f->str_len);
	r = r ? r : ky_buf_adds(b, "}],\"time\":");
	r = r ? r : add_time(b, ev->time_ns);
	r = r ? r : ky_buf_adds(b, ",\"received\":");
	r = r ? r : add_time(b, ev->recv_ns);
	r = r ? r : ky_buf_adds(b, ",\"event\":");
	r = r ? r : add_opt_str(b, ev->raw, ev->raw_len);
	return r ? r : ky_buf_addc(b, '}');
}

bool ky_detector_is_circle_list(const char *list)
{
	size_t n = strlen(list), m = strlen(KY_CIRCLE_IOCS);

	return n >= m && strcmp(list + n - m, KY_CIRCLE_IOCS) == 0;
}

/* Indicator confidence on the Sigma level scale, for sorting alerts. */
static int ioc_level(int confidence)
{
	if (confidence >= 90)
		return KY_SIGMA_CRITICAL;
	if (confidence >= 70)
		return KY_SIGMA_HIGH;
	if (confidence >= 40)
		return KY_SIGMA_MEDIUM;
	return KY_SIGMA_LOW;
}

static int on_ioc(void *ud, const struct ky_ioc_hit *h)
{
	struct ky_detect_ctx *c = ud;
	struct ky_alert_row row = {.kind = KY_ALERT_INDICATOR};
	const struct ky_ioc *ioc = h->ioc;

	c->n.ioc_alerts++;
	ky_buf_reset(&c->json);
	if (ioc_json(&c->json, h, c->ev) != 0) {
		c->n.render_errors++;
		return 0;
	}
	row_from_event(c, &row, c->ev);
	snprintf(c->rule_id, sizeof(c->rule_id), "%s:%s",
		 ioc->list ? ioc->list : "", ioc->value);
	snprintf(c->title, sizeof(c->title), "Indicator match: %s %s",
		 ky_ioc_type_name(ioc->type), ioc->value);
	row.rule_id = c->rule_id;
	row.title = c->title;
	row.level = ioc_level(ioc->confidence);
	/* seen here and shared by the circle: one level more urgent than
	 * its confidence alone would make it */
	if (ioc->list != NULL && ky_detector_is_circle_list(ioc->list) &&
	    row.level < KY_SIGMA_CRITICAL)
		row.level++;
	return deliver(c, &row);
}

int ky_detect_event(struct ky_detect_ctx *c, struct ky_corr_host *h,
		    const struct ky_event *ev, ky_detect_sink fn, void *ud)
{
	int r;

	c->h = h;
	c->fn = fn;
	c->ud = ud;
	c->ev = ev;
	c->stop = 0;
	c->n.events++;
	r = ky_ruleset_match(c->d->rs, c->scratch, ev, on_rule, c);
	if (c->stop)
		return c->stop;
	if (r < 0)
		c->n.match_errors++;
	if (c->d->iocs != NULL) {
		r = ky_ioc_match_event(c->d->iocs, ev, on_ioc, c);
		if (c->stop)
			return c->stop;
		if (r < 0)
			c->n.match_errors++;
	}
	return 0;
}

int ky_detect_flush(struct ky_detect_ctx *c, struct ky_corr_host *h,
		    int64_t now_ns, ky_detect_sink fn, void *ud)
{
	int r;

	c->h = h;
	c->fn = fn;
	c->ud = ud;
	c->ev = NULL;
	c->stop = 0;
	if (h == NULL) {
		r = c->d->corr ? ky_corr_flush(c->d->corr, now_ns, on_corr, c)
			       : 0;
	} else {
		pthread_mutex_lock(&h->mu);
		r = h->cur && h->cur->corr
			    ? ky_corr_flush(h->cur->corr, now_ns, on_corr, c)
			    : 0;
		pthread_mutex_unlock(&h->mu);
	}
	if (c->stop)
		return c->stop;
	return r < 0 ? r : 0;
}
