/* What the node publishes into its change log besides incidents
 * (node/sync_int.h): observed-data for its alerts, indicators from its
 * configured lists, and vulnerabilities from the advisories it imported.
 * Each source has a cursor in the store, so a restart publishes nothing
 * twice (and if it did, the same ids and versions would be duplicates). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/time.h"
#include "intel/stix.h"
#include "node/sync_int.h"

struct pub {
	json_t **v;
	size_t n, cap;
};

static int add(struct pub *p, json_t *o)
{
	json_t **nv;

	if (o == NULL)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;

		if ((nv = realloc(p->v, nc * sizeof(*nv))) == NULL) {
			json_decref(o);
			return KY_E_NOMEM;
		}
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = o;
	return 0;
}

static void pub_free(struct pub *p)
{
	for (size_t i = 0; i < p->n; i++)
		json_decref(p->v[i]);
	free(p->v);
}

/* Publishes p and moves the named cursor, in one transaction. */
static void commit(struct ky_sync *s, struct pub *p, const char *state,
		   int64_t cursor, const char *what)
{
	struct ky_err err = {0};
	size_t added = 0;
	int r = ky_store_begin(s->wst, &err);

	if (r == 0 && p->n > 0)
		r = ky_share_publish(s->wst, &s->self, p->v, p->n,
				     ky_time_now_ns(), &added, &err);
	r = r ? r
	      : ky_store_put_state(s->wst, state, &cursor, sizeof(cursor),
				   ky_time_now_ns(), &err);
	r = r ? r : ky_store_commit(s->wst, &err);
	if (r != 0) {
		ky_store_rollback(s->wst);
		KY_ERROR("publishing %s: %s", what, err.msg);
		return;
	}
	atomic_fetch_add(&s->published, added);
	if (added)
		KY_INFO("published %zu %s", added, what);
}

static int64_t cursor(struct ky_sync *s, const char *state)
{
	void *v = NULL;
	size_t n = 0;
	int64_t c = 0;

	if (ky_store_get_state(s->wst, state, &v, &n, NULL) == 0 &&
	    n == sizeof(c))
		memcpy(&c, v, sizeof(c));
	free(v);
	return c;
}

static void ctx_of(struct ky_sync *s, struct ky_stix_ctx *c)
{
	c->node_id = s->node_id;
	c->node_name = s->cfg->node_name && *s->cfg->node_name
			       ? s->cfg->node_name
			       : NULL;
	c->now_ns = ky_time_now_ns();
}

/* ---- alerts -> observed-data -------------------------------------------- */

struct al {
	struct ky_stix_ctx c;
	struct pub p;
	int64_t last;
	enum ky_tlp tlp;
};

static int alert_cb(void *ud, const struct ky_alert_row *a)
{
	struct al *x = ud;
	json_t *row, *o, *scos = NULL, *v;
	size_t i;

	x->last = a->id;
	row = json_pack("{s:I, s:I, s:s?, s:s?, s:s?}", "id", (json_int_t)a->id,
			"time_ns",
			(json_int_t)(a->time_ns ? a->time_ns : a->recv_ns),
			"src_ip", a->src_ip, "user", a->user, "host", a->host);
	o = row ? ky_stix_observed_alert(&x->c, row, x->tlp, &scos, NULL)
		: NULL;
	json_decref(row);
	if (o == NULL)
		return 0; /* nothing observable */
	json_array_foreach(scos, i, v) if (add(&x->p, json_incref(v)) != 0)
	{
		json_decref(scos);
		json_decref(o);
		return KY_E_NOMEM;
	}
	json_decref(scos);
	return add(&x->p, o);
}

static void alerts(struct ky_sync *s)
{
	struct al x = {.tlp = s->own_tlp};
	struct ky_err err = {0};

	ctx_of(s, &x.c);
	x.last = cursor(s, "share.observed");
	if (ky_store_alerts_after(s->wst, x.last, 1000, alert_cb, &x, &err) ==
		    0 &&
	    x.last != cursor(s, "share.observed"))
		commit(s, &x.p, "share.observed", x.last, "observed-data");
	pub_free(&x.p);
}

/* ---- advisories -> vulnerabilities -------------------------------------- */

static enum ky_tlp csaf_tlp(const json_t *doc, enum ky_tlp dflt)
{
	const char *l = json_string_value(json_object_get(
		json_object_get(
			json_object_get(json_object_get(doc, "document"),
					"distribution"),
			"tlp"),
		"label"));
	int t;

	if (l == NULL)
		return dflt;
	if (strcasecmp(l, "WHITE") == 0)
		return KY_TLP_CLEAR;
	t = ky_tlp_parse(l);
	return t >= 0 && t < KY_TLP_UNSET ? (enum ky_tlp)t : dflt;
}

struct adv {
	struct ky_stix_ctx c;
	struct pub p;
	int64_t since, newest;
	enum ky_tlp tlp;
};

static int adv_cb(void *ud, const struct ky_doc_row *row)
{
	struct adv *x = ud;
	json_t *doc, *v;
	const char *title;
	size_t i;

	if (row->updated_ns <= x->since)
		return 0;
	if (row->updated_ns > x->newest)
		x->newest = row->updated_ns;
	if ((doc = json_loadb(row->json, row->json_len, 0, NULL)) == NULL)
		return 0;
	title = json_string_value(
		json_object_get(json_object_get(doc, "document"), "title"));
	json_array_foreach(json_object_get(doc, "vulnerabilities"), i, v)
	{
		const char *cve = json_string_value(json_object_get(v, "cve"));
		const char *t = json_string_value(json_object_get(v, "title"));

		if (cve != NULL &&
		    add(&x->p, ky_stix_vulnerability(&x->c, cve, t ? t : title,
						     csaf_tlp(doc, x->tlp),
						     NULL)) != 0) {
			json_decref(doc);
			return KY_E_NOMEM;
		}
	}
	json_decref(doc);
	return 0;
}

static void advisories(struct ky_sync *s)
{
	struct adv x = {.tlp = s->own_tlp};
	struct ky_err err = {0};

	ctx_of(s, &x.c);
	x.since = x.newest = cursor(s, "share.advisories");
	if (ky_store_docs(s->wst, "advisory", adv_cb, &x, &err) == 0 &&
	    x.newest != x.since)
		commit(s, &x.p, "share.advisories", x.newest,
		       "vulnerabilities");
	pub_free(&x.p);
}

/* ---- configured indicator lists -> indicators --------------------------- */

static int atoi_safe(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && *end == '\0' && v >= 0 && v <= 100 ? (int)v : 50;
}

/* One list: plain (a value per line, its type guessed; # comments) or CSV
 * with value[,type][,confidence] columns named in a header. */
static void read_list(const char *path, struct ky_stix_ctx *c, enum ky_tlp tlp,
		      int64_t since_ns, struct pub *p)
{
	size_t n = strlen(path), cap = 0;
	bool csv = n > 4 && strcasecmp(path + n - 4, ".csv") == 0;
	int vcol = 0, tcol = -1, ccol = -1;
	char *line = NULL;
	FILE *f = fopen(path, "r");
	ssize_t len;
	bool first = true;

	if (f == NULL)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *cells[8] = {0}, *q = line;
		int nc = 0, conf = 50;
		enum ky_ioc_type t;

		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		for (; csv && nc < 8 && q; nc++) {
			cells[nc] = q;
			if ((q = strchr(q, ',')) != NULL)
				*q++ = '\0';
		}
		if (!csv)
			cells[nc++] = line;
		if (csv && first) {
			first = false;
			vcol = -1;
			for (int i = 0; i < nc; i++) {
				if (strcasecmp(cells[i], "value") == 0)
					vcol = i;
				else if (strcasecmp(cells[i], "type") == 0)
					tcol = i;
				else if (strcasecmp(cells[i], "confidence") ==
					 0)
					ccol = i;
			}
			if (vcol < 0)
				break;
			continue;
		}
		if (vcol >= nc || cells[vcol] == NULL || !*cells[vcol])
			continue;
		if (tcol >= 0 && tcol < nc && cells[tcol] && *cells[tcol]) {
			if (ky_ioc_type_parse(cells[tcol], &t) != 0)
				continue;
		} else if (ky_ioc_type_guess(cells[vcol], strlen(cells[vcol]),
					     &t) != 0) {
			continue;
		}
		if (ccol >= 0 && ccol < nc && cells[ccol])
			conf = atoi_safe(cells[ccol]);
		add(p, ky_stix_indicator(c, t, cells[vcol], conf, tlp, since_ns,
					 NULL));
	}
	free(line);
	fclose(f);
}

static void lists(struct ky_sync *s)
{
	const struct ky_strlist *l = &s->cfg->detect_indicators;
	int64_t since = cursor(s, "share.lists"), newest = since;
	struct ky_stix_ctx c;
	struct pub p = {0};
	char path[4200];
	struct stat sb;

	for (size_t i = 0; i < l->n; i++) {
		snprintf(path, sizeof(path), "%s%s%s",
			 l->v[i][0] == '/' ? "" : s->cfg->home,
			 l->v[i][0] == '/' ? "" : "/", l->v[i]);
		if (stat(path, &sb) == 0 &&
		    (int64_t)sb.st_mtim.tv_sec * 1000000000LL +
				    sb.st_mtim.tv_nsec >
			    newest)
			newest = (int64_t)sb.st_mtim.tv_sec * 1000000000LL +
				 sb.st_mtim.tv_nsec;
	}
	if (newest == since)
		return;
	/* a list changed: its indicators (all lists, their ids are stable)
	 * are published again as new versions */
	ctx_of(s, &c);
	for (size_t i = 0; i < l->n; i++) {
		snprintf(path, sizeof(path), "%s%s%s",
			 l->v[i][0] == '/' ? "" : s->cfg->home,
			 l->v[i][0] == '/' ? "" : "/", l->v[i]);
		read_list(path, &c, s->own_tlp, c.now_ns, &p);
	}
	commit(s, &p, "share.lists", newest, "indicators from the lists");
	pub_free(&p);
}

void ky__sync_publish_tick(struct ky_sync *s)
{
	int64_t now = ky_time_mono_ns();

	alerts(s);
	if (now - s->lists_checked_ns >= 5000000000LL) {
		s->lists_checked_ns = now;
		advisories(s);
		lists(s);
	}
}
