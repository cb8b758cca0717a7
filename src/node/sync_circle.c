/* Correlation across the circle (node/sync_int.h): the indicators peers
 * shared are written where the detector loads them (its lists are read
 * again when they change, SIGUSR1), their hits are one level more urgent
 * (node/detector.c), and every hit goes back to the circle as a STIX sighting
 * of the shared indicator, which reaches its origin under the policy like any
 * object. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/time.h"
#include "base/arena.h"
#include "event/json.h"
#include "intel/stix.h"
#include "node/detector.h"
#include "node/sync_int.h"

#define NS 1000000000LL
#define EXPORT_EVERY (2 * NS) /* at most one detector reload per 2 s */

struct exp {
	struct ky_sync *s;
	struct ky_buf csv;
	json_t *map; /* pattern -> indicator id */
	size_t n;
	int rc;
	/* the zero-copy scanner of the ingest path: most indicators are
	 * read without building a tree (jansson when it declines) */
	struct ky_arena *arena;
	struct ky_event ev;
	bool ev_ok;
};

static void exp_init(struct exp *x, struct ky_sync *s)
{
	memset(x, 0, sizeof(*x));
	x->s = s;
	x->map = json_object();
	ky_buf_init(&x->csv, 0);
	x->arena = ky_arena_new(1 << 16, 0);
	x->ev_ok =
		x->arena != NULL && ky_event_init(&x->ev, x->arena, 256) == 0;
}

static void exp_free(struct exp *x)
{
	ky_buf_free(&x->csv);
	json_decref(x->map);
	if (x->ev_ok)
		ky_event_free(&x->ev);
	ky_arena_free(x->arena);
}

/* Writes (or appends) text to path; false when any step failed (the file
 * is closed either way). */
static bool put_file(const char *path, const char *mode,
		     const struct ky_buf *text)
{
	FILE *f = fopen(path, mode);
	bool ok;

	if (f == NULL)
		return false;
	ok = fwrite(text->data, 1, text->len, f) == text->len;
	return fclose(f) == 0 && ok;
}

static int csv_field(struct ky_buf *b, const char *v)
{
	int r = ky_buf_addc(b, '"');

	for (; r == 0 && *v; v++)
		r = *v == '"' ? ky_buf_adds(b, "\"\"") : ky_buf_addc(b, *v);
	return r ? r : ky_buf_addc(b, '"');
}

/* One indicator into the list: value, type, confidence, id. */
static int exp_add(struct exp *x, const char *pat, const char *id, int conf)
{
	enum ky_ioc_type t;
	char *value = NULL;
	int r;

	if (ky_stix_pattern_ioc(pat, &t, &value, NULL) != 0)
		return 0;
	r = csv_field(&x->csv, value);
	r = r ? r : ky_buf_addf(&x->csv, ",%s,%d,", ky_ioc_type_name(t), conf);
	r = r ? r : csv_field(&x->csv, id);
	r = r ? r : ky_buf_addc(&x->csv, '\n');
	r = r ? r : json_object_set_new(x->map, pat, json_string(id));
	x->n++;
	free(value);
	return r;
}

/* The fast way: 1 when it read the indicator (added or skipped), 0 when
 * the slow way must. */
static int exp_scan(struct exp *x, const struct ky_change *c, int *rc)
{
	const struct ky_field *pat, *id, *rev, *conf;
	char *p = NULL, *i = NULL;

	if (!x->ev_ok)
		return 0;
	ky_event_reset(&x->ev);
	ky_arena_reset(x->arena);
	if (ky_json_to_event(c->object, c->object_len, &x->ev, 32, NULL) != 0)
		return 0;
	pat = ky_event_get(&x->ev, "pattern");
	id = ky_event_get(&x->ev, "id");
	rev = ky_event_get(&x->ev, "revoked");
	conf = ky_event_get(&x->ev, "confidence");
	*rc = 0;
	if ((rev && rev->type == KY_V_BOOL && rev->v.b) || pat == NULL ||
	    pat->type != KY_V_STR || id == NULL || id->type != KY_V_STR)
		return 1;
	if ((p = strndup(pat->str, pat->str_len)) == NULL ||
	    (i = strndup(id->str, id->str_len)) == NULL) {
		*rc = KY_E_NOMEM;
	} else if (strlen(p) == pat->str_len && strlen(i) == id->str_len) {
		/* (a NUL inside either is nothing we would match) */
		*rc = exp_add(x, p, i,
			      conf && conf->type == KY_V_INT ? (int)conf->v.i
							     : 50);
	}
	free(p);
	free(i);
	return 1;
}

static int exp_cb(void *ud, const struct ky_change *c)
{
	struct exp *x = ud;
	json_t *o;
	const char *pat, *id;
	int conf, r = 0;

	/* what others shared; ours are in the configured lists already */
	if (strcmp(c->origin, x->s->node_id) == 0 || c->object == NULL)
		return 0;
	if (exp_scan(x, c, &r))
		return r;
	if ((o = json_loadb(c->object, c->object_len, 0, NULL)) == NULL)
		return 0;
	pat = json_string_value(json_object_get(o, "pattern"));
	id = json_string_value(json_object_get(o, "id"));
	conf = json_is_integer(json_object_get(o, "confidence"))
		       ? (int)json_integer_value(
				 json_object_get(o, "confidence"))
		       : 50;
	if (!json_is_true(json_object_get(o, "revoked")) && id != NULL &&
	    pat != NULL)
		r = exp_add(x, pat, id, conf);
	json_decref(o);
	return r;
}

struct inc {
	struct exp *x;
	bool full; /* a change the file cannot take by appending */
	int64_t last;
};

static int inc_cb(void *ud, const struct ky_change *c)
{
	struct inc *i = ud;

	i->last = c->seq;
	if (strcmp(c->type, "indicator") != 0 ||
	    strcmp(c->origin, i->x->s->node_id) == 0)
		return 0;
	/* a deletion, or a new version of one we listed: rewrite */
	if (c->op != KY_CHANGE_PUT ||
	    json_object_get(i->x->s->circle_ids, c->id) != NULL ||
	    (c->object && strstr(c->object, "\"revoked\":true"))) {
		i->full = true;
		return 1;
	}
	return exp_cb(i->x, c);
}

/* New indicators from peers since the last export are appended to the
 * file (cheap: the file grows by what came); a deletion or a new version
 * of a listed indicator rewrites it.  True when it changed. */
static bool append_iocs(struct ky_sync *s, bool *full)
{
	struct exp x;
	struct inc in = {.x = &x, .last = s->circle_seq};
	struct ky_err err = {0};
	char path[4200];
	const char *k;
	json_t *v;
	bool changed = false;

	*full = false;
	exp_init(&x, s);
	if (ky_changes_after(s->wst, s->circle_seq, 0, inc_cb, &in, &err) < 0) {
		KY_ERROR("circle indicators: %s", err.msg);
		goto out;
	}
	if (in.full) {
		*full = true;
		goto out;
	}
	if (x.n == 0) {
		s->circle_seq = in.last;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/" KY_CIRCLE_IOCS, s->cfg->home);
	if (access(path, F_OK) != 0) {
		*full = true; /* the first ones: the file with its header */
		goto out;
	}
	s->circle_seq = in.last;
	if (!put_file(path, "a", &x.csv)) {
		KY_ERROR("circle indicators: %s: cannot append", path);
		*full = true;
		goto out;
	}
	json_object_foreach(x.map, k, v)
	{
		json_object_set(s->circle_map, k, v);
		json_object_set_new(s->circle_ids, json_string_value(v),
				    json_true());
	}
	changed = true;
	KY_INFO("circle: %zu more indicators shared by peers matched here",
		x.n);
out:
	exp_free(&x);
	return changed;
}

/* Rewrites the circle's indicator file; true when the detector must
 * reload. */
static bool export_iocs(struct ky_sync *s)
{
	struct exp x;
	char path[4200], tmp[4300];
	struct ky_err err = {0};
	bool changed = false;

	exp_init(&x, s);
	ky_buf_adds(&x.csv, "value,type,confidence,id\n");
	ky_changes_max_seq(s->wst, &s->circle_seq, NULL);
	if (ky_changes_objects(s->wst, "indicator", exp_cb, &x, &err) != 0) {
		KY_ERROR("circle indicators: %s", err.msg);
		goto out;
	}
	if (x.n == 0) {
		/* nothing shared yet: no file, no reload; later ones are
		 * appended */
		if (s->circle_map == NULL) {
			s->circle_map = json_object();
			s->circle_ids = json_object();
		}
		goto out;
	}
	snprintf(path, sizeof(path), "%s/" KY_CIRCLE_IOCS, s->cfg->home);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!put_file(tmp, "w", &x.csv) || rename(tmp, path) != 0) {
		KY_ERROR("circle indicators: %s: cannot write", path);
		goto out;
	}
	json_decref(s->circle_map);
	s->circle_map = x.map;
	x.map = NULL;
	json_decref(s->circle_ids);
	s->circle_ids = json_object();
	{
		const char *k;
		json_t *v;

		json_object_foreach(s->circle_map, k, v) json_object_set_new(
			s->circle_ids, json_string_value(v), json_true());
	}
	changed = true;
	KY_INFO("circle: %zu indicators shared by peers now matched here", x.n);
out:
	exp_free(&x);
	return changed;
}

struct sight {
	struct ky_sync *s;
	struct ky_stix_ctx c;
	json_t **objs;
	size_t n, cap;
	int64_t last;
};

static int alert_cb(void *ud, const struct ky_alert_row *a)
{
	struct sight *x = ud;
	json_t *j, *ind, *o;
	const char *list, *type, *value, *id;
	enum ky_ioc_type t;
	struct ky_buf pat;
	char key[64];

	x->last = a->id;
	if (a->kind != KY_ALERT_INDICATOR ||
	    (j = json_loadb(a->json, a->json_len, 0, NULL)) == NULL)
		return 0;
	ind = json_object_get(j, "indicator");
	list = json_string_value(json_object_get(ind, "list"));
	type = json_string_value(json_object_get(ind, "type"));
	value = json_string_value(json_object_get(ind, "value"));
	ky_buf_init(&pat, 0);
	if (list == NULL || !ky_detector_is_circle_list(list) || type == NULL ||
	    value == NULL || ky_ioc_type_parse(type, &t) != 0 ||
	    ky_stix_pattern(t, value, &pat, NULL) != 0 ||
	    (id = json_string_value(
		     json_object_get(x->s->circle_map, pat.data))) == NULL) {
		ky_buf_free(&pat);
		json_decref(j);
		return 0;
	}
	snprintf(key, sizeof(key), "alert/%lld", (long long)a->id);
	o = ky_stix_sighting(&x->c, key, id,
			     a->time_ns ? a->time_ns : a->recv_ns,
			     a->time_ns ? a->time_ns : a->recv_ns, 1, NULL,
			     KY_TLP_AMBER, NULL);
	ky_buf_free(&pat);
	json_decref(j);
	if (o == NULL)
		return 0;
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 16;
		json_t **np = realloc(x->objs, nc * sizeof(*np));

		if (np == NULL) {
			json_decref(o);
			return KY_E_NOMEM;
		}
		x->objs = np;
		x->cap = nc;
	}
	x->objs[x->n++] = o;
	return 0;
}

/* Hits of circle indicators since the last tick become sightings. */
static void sightings(struct ky_sync *s)
{
	struct sight x = {.s = s};
	struct ky_err err = {0};
	size_t added = 0;
	int r;

	if (s->circle_map == NULL)
		return;
	x.c.node_id = s->node_id;
	x.c.node_name = s->cfg->node_name;
	x.c.now_ns = ky_time_now_ns();
	x.last = s->alert_cursor;
	r = ky_store_alerts_after(s->wst, s->alert_cursor, 1000, alert_cb, &x,
				  &err);
	if (r == 0 && x.last != s->alert_cursor) {
		r = ky_store_begin(s->wst, &err);
		if (r == 0 && x.n > 0)
			r = ky_share_publish(s->wst, &s->self, x.objs, x.n,
					     x.c.now_ns, &added, &err);
		r = r ? r
		      : ky_store_put_state(s->wst, "share.sightings", &x.last,
					   sizeof(x.last), x.c.now_ns, &err);
		r = r ? r : ky_store_commit(s->wst, &err);
		if (r != 0)
			ky_store_rollback(s->wst);
		else
			s->alert_cursor = x.last;
	}
	if (r != 0)
		KY_ERROR("circle sightings: %s", err.msg);
	else if (added)
		KY_INFO("circle: %zu sightings of shared indicators published",
			added);
	for (size_t i = 0; i < x.n; i++)
		json_decref(x.objs[i]);
	free(x.objs);
}

void ky__sync_circle_tick(struct ky_sync *s, bool grew)
{
	int64_t now = ky_time_mono_ns();

	if (grew || s->circle_export_ns == 0)
		s->circle_dirty = true;
	if (s->circle_dirty && now - s->circle_export_ns >= EXPORT_EVERY) {
		bool full = s->circle_map == NULL, changed = false;

		s->circle_export_ns = now;
		s->circle_dirty = false;
		if (!full)
			changed = append_iocs(s, &full);
		if (full)
			changed = export_iocs(s);
		if (changed) {
			/* the daemon reads its indicator lists again on
			 * SIGUSR1, the new file among them, and keeps its
			 * compiled rules */
			kill(getpid(), SIGUSR1);
		}
	}
	sightings(s);
}
