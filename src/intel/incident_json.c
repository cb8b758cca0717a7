/* Incidents as JSON for the store and the CLI (shape: docs/incidents.md).
 * Reading checks every member's type and range and names the failing path
 * ("$.alerts[2].time_ns: expected an integer"); derived values (score,
 * band, attack tags) are recomputed, never trusted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "intel/incident_int.h"

/* A loaded array may hold no more than this many items. */
#define LOAD_MAX 1000000
#define PATH_MAX_LEN 256

/* ---- writing ---- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jstrs(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, jstr(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* json_object_set_new that remembers a failure (value NULL included). */
static void put(json_t *o, const char *k, json_t *v, bool *bad)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		*bad = true;
}

static void push(json_t *a, json_t *v, bool *bad)
{
	if (v == NULL || json_array_append_new(a, v) != 0)
		*bad = true;
}

static json_t *jint(int64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *entry_json(const struct entry *en)
{
	json_t *o = json_object();
	char h[17];
	bool bad = o == NULL;

	if (bad)
		return NULL;
	snprintf(h, sizeof(h), "%016" PRIx64, en->hash);
	put(o, "id", jint(en->alert_id), &bad);
	put(o, "kind", json_string(ky_alert_kind_name(en->kind)), &bad);
	put(o, "rule", jstr(en->rule), &bad);
	put(o, "host", jstr(en->host), &bad);
	put(o, "user", jstr(en->user), &bad);
	put(o, "src_ip", jstr(en->src), &bad);
	put(o, "first_ns", jint(en->first_ns), &bad);
	put(o, "last_ns", jint(en->last_ns), &bad);
	put(o, "count", jint((int64_t)en->count), &bad);
	put(o, "event_hash", en->hash ? json_string(h) : json_null(), &bad);
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static json_t *marking(const char *level, bool manual)
{
	return json_pack("{s:s, s:b}", "level", level, "manual", manual);
}

json_t *ky_incident_to_json(const struct ky_incident *inc)
{
	json_t *o = json_object(), *a, *x;
	bool bad = o == NULL;
	const struct ky_rsit_class *c = &inc->rsit;

	if (bad)
		return NULL;
	put(o, "id", jint(inc->id), &bad);
	put(o, "status", json_string(ky_incident_status_name(inc->status)),
	    &bad);
	put(o, "title", jstr(ky_incident_title(inc)), &bad);
	if ((x = json_object()) != NULL)
		for (int k = 0; k < NKEYS; k++)
			if (inc->keys & (1u << k))
				put(x, ky__inc_key_names[k], jstr(inc->key[k]),
				    &bad);
	put(o, "key", x, &bad);
	put(o, "created_ns", jint(inc->created_ns), &bad);
	put(o, "first_ns", jint(inc->first_ns), &bad);
	put(o, "last_ns", jint(inc->last_ns), &bad);
	put(o, "alert_count", jint((int64_t)inc->alert_count), &bad);
	if ((a = json_array()) != NULL)
		for (size_t i = 0; i < inc->nids; i++)
			push(a, jint(inc->ids[i]), &bad);
	put(o, "alert_ids", a, &bad);
	put(o, "ids_dropped", jint((int64_t)inc->ids_dropped), &bad);
	if ((a = json_array()) != NULL)
		for (size_t i = 0; i < inc->nent; i++)
			push(a, entry_json(&inc->ent[i]), &bad);
	put(o, "alerts", a, &bad);
	if ((a = json_array()) != NULL)
		for (size_t i = 0; i < inc->rules.n; i++) {
			const struct rule_ev *rv = &inc->rev[i];

			push(a,
			     json_pack("{s:s, s:o, s:s, s:I, s:o}", "id",
				       inc->rules.v[i], "title",
				       jstr(rv->title), "level",
				       ky__inc_level_names[rv->level], "count",
				       (json_int_t)rv->count, "tags",
				       jstrs(rv->tags, rv->ntags)),
			     &bad);
		}
	put(o, "rules", a, &bad);
	put(o, "hosts", jstrs(inc->hosts.v, inc->hosts.n), &bad);
	put(o, "users", jstrs(inc->users.v, inc->users.n), &bad);
	put(o, "addresses", jstrs(inc->addrs.v, inc->addrs.n), &bad);
	if ((a = json_array()) != NULL)
		for (size_t i = 0; i < inc->inds.n; i++)
			push(a,
			     json_pack("{s:s, s:i, s:I}", "value",
				       inc->inds.v[i], "confidence",
				       inc->ind_conf[i], "count",
				       (json_int_t)inc->ind_count[i]),
			     &bad);
	put(o, "indicators", a, &bad);
	put(o, "distinct_dropped", jint((int64_t)inc->distinct_dropped), &bad);
	/* derived: the ATT&CK tags of all rules, for sharing and display */
	if ((a = json_array()) != NULL)
		for (size_t i = 0; i < inc->rules.n; i++)
			for (size_t j = 0; j < inc->rev[i].ntags; j++) {
				const char *t = inc->rev[i].tags[j];
				bool seen = false;

				if (strncasecmp(t, "attack.", 7) != 0)
					continue;
				for (size_t k = 0;
				     !seen && k < json_array_size(a); k++)
					seen = strcmp(json_string_value(
							      json_array_get(
								      a, k)),
						      t) == 0;
				if (!seen)
					push(a, json_string(t), &bad);
			}
	put(o, "attack", a, &bad);
	put(o, "severity",
	    json_pack("{s:i, s:s, s:s, s:i, s:i, s:I}", "score", inc->score,
		      "band", ky_sev_band_name(ky_severity_band(inc->score)),
		      "level", ky__inc_level_names[inc->level_max],
		      "asset_criticality", inc->crit, "indicator_confidence",
		      inc->conf_max, "hosts", (json_int_t)inc->hosts.n),
	    &bad);
	put(o, "classification",
	    json_pack("{s:s, s:s, s:s, s:o}", "class", c->cls, "type", c->type,
		      "source", ky_rsit_source_name(c->source), "tag",
		      jstr(c->tag)),
	    &bad);
	put(o, "tlp", marking(ky_tlp_name(inc->tlp), inc->tlp_manual), &bad);
	put(o, "pap", marking(ky_pap_name(inc->pap), inc->pap_manual), &bad);
	put(o, "follows", inc->follows ? jint(inc->follows) : json_null(),
	    &bad);
	if ((a = json_array()) != NULL)
		for (size_t i = 0; i < inc->nhist; i++) {
			const struct hist *h = &inc->hist[i];

			push(a,
			     json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}",
				       "field", h->field, "from", h->from, "to",
				       h->to, "who", h->who, "when_ns",
				       (json_int_t)h->when_ns, "why",
				       jstr(h->why)),
			     &bad);
		}
	put(o, "history", a, &bad);
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

int ky_incident_dump(const struct ky_incident *inc, char **out, size_t *len)
{
	json_t *j = ky_incident_to_json(inc);

	*out = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (*out == NULL)
		return KY_E_NOMEM;
	if (len)
		*len = strlen(*out);
	return 0;
}

/* ---- reading ---- */

struct rd {
	struct ky_err *err;
	char path[PATH_MAX_LEN];
};

static const char *type_word(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	default:
		return "true or false";
	}
}

static int fail(struct rd *d, const char *k, const char *what)
{
	return ky_err_set(d->err, KY_E_PARSE, "%s%s%s: %s", d->path,
			  k ? "." : "", k ? k : "", what);
}

/* Member k of o of type t; NULL (with *r == 0) when null or absent and
 * optional. */
static const json_t *mem(struct rd *d, const json_t *o, const char *k,
			 json_type t, bool optional, int *r)
{
	const json_t *v = json_object_get(o, k);
	char msg[48];

	*r = 0;
	if (v == NULL || json_is_null(v)) {
		if (!optional)
			*r = fail(d, k, v ? "must not be null" : "missing");
		return NULL;
	}
	if (json_typeof(v) == t ||
	    (t == JSON_TRUE && json_typeof(v) == JSON_FALSE))
		return v;
	snprintf(msg, sizeof(msg), "expected %s", type_word(t));
	*r = fail(d, k, msg);
	return NULL;
}

static int get_i64(struct rd *d, const json_t *o, const char *k, int64_t min,
		   int64_t max, int64_t *out)
{
	int r;
	const json_t *v = mem(d, o, k, JSON_INTEGER, false, &r);
	char msg[96];

	if (r)
		return r;
	*out = (int64_t)json_integer_value(v);
	if (*out < min || *out > max) {
		snprintf(msg, sizeof(msg),
			 "%" PRId64 " out of range %" PRId64 "..%" PRId64, *out,
			 min, max);
		return fail(d, k, msg);
	}
	return 0;
}

static int get_int(struct rd *d, const json_t *o, const char *k, int min,
		   int max, int *out)
{
	int64_t v = 0;
	int r = get_i64(d, o, k, min, max, &v);

	*out = (int)v;
	return r;
}

static int get_u64(struct rd *d, const json_t *o, const char *k, uint64_t *out)
{
	int64_t v = 0;
	int r = get_i64(d, o, k, 0, INT64_MAX, &v);

	*out = (uint64_t)v;
	return r;
}

/* A copy of string member k (NULL when null and nullable). */
static int get_str(struct rd *d, const json_t *o, const char *k, bool nullable,
		   char **out)
{
	int r;
	const json_t *v = mem(d, o, k, JSON_STRING, nullable, &r);

	*out = NULL;
	if (r || v == NULL)
		return r;
	if (json_string_length(v) > 4096 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return fail(d, k, "string too long or holds NUL");
	if ((*out = ky_strndup(json_string_value(v), json_string_length(v))) ==
	    NULL)
		return ky_err_set(d->err, KY_E_NOMEM, "out of memory");
	return 0;
}

/* Looks a name up in a table; -1 when absent. */
static int name_index(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Descends into member k (index i >= 0 of an array member k): the path
 * grows and is restored by the caller from the length returned. */
static size_t enter(struct rd *d, const char *k, long i)
{
	size_t n = strlen(d->path);

	if (i < 0)
		snprintf(d->path + n, sizeof(d->path) - n, ".%s", k);
	else
		snprintf(d->path + n, sizeof(d->path) - n, ".%s[%ld]", k, i);
	return n;
}

static const json_t *arr(struct rd *d, const json_t *o, const char *k, int *r)
{
	const json_t *a = mem(d, o, k, JSON_ARRAY, false, r);

	if (*r == 0 && json_array_size(a) > LOAD_MAX)
		*r = fail(d, k, "too many items");
	return a;
}

static int read_strset(struct rd *d, const json_t *o, const char *k,
		       struct strset *s)
{
	int r;
	const json_t *a = arr(d, o, k, &r);
	size_t idx, n;
	bool added;

	for (size_t i = 0; r == 0 && i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);

		if (!json_is_string(v)) {
			n = enter(d, k, (long)i);
			r = fail(d, NULL, "expected a string");
			d->path[n] = '\0';
		} else if (ky__inc_strset_add(s, json_string_value(v), SIZE_MAX,
					      &idx, &added) != 0) {
			r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
		}
	}
	return r;
}

static int read_entry(struct rd *d, struct ky_incident *inc, const json_t *o)
{
	struct entry *en;
	struct ky_buf dk;
	char *kind = NULL, *hash = NULL, *end = NULL, *vals[NKEYS];
	int r, ki;

	if (!json_is_object(o))
		return fail(d, NULL, "expected an object");
	if ((r = ky__inc_grow((void **)&inc->ent, &inc->capent, inc->nent + 1,
			      sizeof(*en))) != 0)
		return ky_err_set(d->err, r, "out of memory");
	en = &inc->ent[inc->nent];
	memset(en, 0, sizeof(*en));
	if ((r = get_i64(d, o, "id", 0, INT64_MAX, &en->alert_id)) ||
	    (r = get_str(d, o, "kind", false, &kind)) ||
	    (r = get_str(d, o, "rule", false, &en->rule)) ||
	    (r = get_str(d, o, "host", true, &en->host)) ||
	    (r = get_str(d, o, "user", true, &en->user)) ||
	    (r = get_str(d, o, "src_ip", true, &en->src)) ||
	    (r = get_i64(d, o, "first_ns", INT64_MIN, INT64_MAX,
			 &en->first_ns)) ||
	    (r = get_i64(d, o, "last_ns", en->first_ns, INT64_MAX,
			 &en->last_ns)) ||
	    (r = get_u64(d, o, "count", &en->count)) ||
	    (r = get_str(d, o, "event_hash", true, &hash)))
		goto out;
	for (ki = 0; ki < 3; ki++)
		if (strcmp(kind, ky_alert_kind_name((enum ky_alert_kind)ki)) ==
		    0)
			break;
	if (ki == 3) {
		r = fail(d, "kind", "unknown alert kind");
		goto out;
	}
	en->kind = (enum ky_alert_kind)ki;
	if (hash) {
		en->hash = strtoull(hash, &end, 16);
		if (strlen(hash) != 16 || *end != '\0') {
			r = fail(d, "event_hash", "expected 16 hex digits");
			goto out;
		}
	}
	vals[K_RULE] = en->rule;
	vals[K_HOST] = en->host;
	vals[K_USER] = en->user;
	vals[K_SRC] = en->src;
	ky_buf_init(&dk, 0);
	/* later entries win, as they did when the alerts came in */
	if (ky__inc_build_key(&dk, 0xf, vals) != 0 ||
	    ky_hash_put(inc->dedup, dk.data, dk.len,
			(void *)(uintptr_t)(inc->nent + 1), NULL) != 0)
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
	ky_buf_free(&dk);
	if (r == 0)
		inc->nent++;
out:
	if (r) {
		free(en->rule);
		free(en->host);
		free(en->user);
		free(en->src);
	}
	free(kind);
	free(hash);
	return r;
}

static int read_rule(struct rd *d, struct ky_incident *inc, const json_t *o)
{
	struct rule_ev *rv;
	char *id = NULL, *level = NULL;
	const json_t *tags;
	size_t idx;
	bool added;
	int r;

	if (!json_is_object(o))
		return fail(d, NULL, "expected an object");
	if ((r = get_str(d, o, "id", false, &id)) != 0)
		return r;
	if (ky__inc_strset_add(&inc->rules, id, SIZE_MAX, &idx, &added) != 0 ||
	    ky__inc_grow((void **)&inc->rev, &inc->caprev, inc->rules.n,
			 sizeof(*rv)) != 0) {
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	if (!added) {
		r = fail(d, "id", "duplicate rule");
		goto out;
	}
	rv = &inc->rev[idx - 1];
	memset(rv, 0, sizeof(*rv));
	if ((r = get_str(d, o, "title", true, &rv->title)) ||
	    (r = get_str(d, o, "level", false, &level)) ||
	    (r = get_u64(d, o, "count", &rv->count)))
		goto out;
	if ((rv->level = name_index(level, ky__inc_level_names, 5)) < 0) {
		rv->level = 0;
		r = fail(d, "level", "unknown level");
		goto out;
	}
	tags = arr(d, o, "tags", &r);
	if (r == 0 && json_array_size(tags) > MAX_RULE_TAGS)
		r = fail(d, "tags", "too many tags");
	if (r == 0 && json_array_size(tags) &&
	    (rv->tags = calloc(json_array_size(tags), sizeof(char *))) == NULL)
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < json_array_size(tags); i++) {
		const json_t *t = json_array_get(tags, i);
		size_t n;

		if (!json_is_string(t)) {
			n = enter(d, "tags", (long)i);
			r = fail(d, NULL, "expected a string");
			d->path[n] = '\0';
		} else if ((rv->tags[rv->ntags] = ky__inc_clean_dup(
				    json_string_value(t))) == NULL) {
			r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
		} else {
			rv->ntags++;
		}
	}
	ky_rsit_from_tags((const char *const *)rv->tags, rv->ntags, &rv->prop);
	if (rv->level > inc->level_max)
		inc->level_max = rv->level;
out:
	free(id);
	free(level);
	return r;
}

/* Runs fn on each object of array member k with the path following. */
static int each(struct rd *d, struct ky_incident *inc, const json_t *o,
		const char *k,
		int (*fn)(struct rd *, struct ky_incident *, const json_t *))
{
	int r;
	const json_t *a = arr(d, o, k, &r);

	for (size_t i = 0; r == 0 && i < json_array_size(a); i++) {
		size_t n = enter(d, k, (long)i);

		r = fn(d, inc, json_array_get(a, i));
		d->path[n] = '\0';
	}
	return r;
}

static int read_indicator(struct rd *d, struct ky_incident *inc,
			  const json_t *o)
{
	char *v = NULL;
	size_t idx;
	bool added;
	int r, conf = 0;
	uint64_t count = 0;

	if (!json_is_object(o))
		return fail(d, NULL, "expected an object");
	if ((r = get_str(d, o, "value", false, &v)) ||
	    (r = get_int(d, o, "confidence", 0, 100, &conf)) ||
	    (r = get_u64(d, o, "count", &count)))
		goto out;
	if (ky__inc_strset_add(&inc->inds, v, SIZE_MAX, &idx, &added) != 0 ||
	    (added && ky__inc_grow_inds(inc, idx) != 0)) {
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	if (!added) {
		r = fail(d, "value", "duplicate indicator");
		goto out;
	}
	inc->ind_conf[idx - 1] = conf;
	inc->ind_count[idx - 1] = count;
out:
	free(v);
	return r;
}

static int read_hist(struct rd *d, struct ky_incident *inc, const json_t *o)
{
	char *f = NULL, *from = NULL, *to = NULL, *who = NULL, *why = NULL;
	int64_t when = 0;
	int r;

	if (!json_is_object(o))
		return fail(d, NULL, "expected an object");
	if ((r = get_str(d, o, "field", false, &f)) ||
	    (r = get_str(d, o, "from", false, &from)) ||
	    (r = get_str(d, o, "to", false, &to)) ||
	    (r = get_str(d, o, "who", false, &who)) ||
	    (r = get_i64(d, o, "when_ns", 1, INT64_MAX, &when)) ||
	    (r = get_str(d, o, "why", true, &why)))
		goto out;
	if (ky__inc_hist_add(inc, f, from, to, who, when, why) != 0)
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
out:
	free(f);
	free(from);
	free(to);
	free(who);
	free(why);
	return r;
}

static int read_marking(struct rd *d, const json_t *o, const char *k,
			int (*parse)(const char *), int *level, bool *manual)
{
	int r;
	const json_t *m = mem(d, o, k, JSON_OBJECT, false, &r), *v;
	size_t n;

	if (r)
		return r;
	n = enter(d, k, -1);
	if ((v = mem(d, m, "level", JSON_STRING, false, &r)) != NULL &&
	    (*level = parse(json_string_value(v))) < 0)
		r = fail(d, "level", "unknown marking");
	if (r == 0 && (v = mem(d, m, "manual", JSON_TRUE, false, &r)) != NULL)
		*manual = json_is_true(v);
	d->path[n] = '\0';
	return r;
}

static int read_key(struct rd *d, struct ky_incident *inc, const json_t *o)
{
	const char *k;
	const json_t *v;
	json_t *x;
	size_t n;
	int i, r = 0;

	if ((v = mem(d, o, "key", JSON_OBJECT, false, &r)) == NULL)
		return r;
	n = enter(d, "key", -1);
	json_object_foreach((json_t *)v, k, x)
	{
		if ((i = name_index(k, ky__inc_key_names, NKEYS)) < 0) {
			r = fail(d, k, "unknown key field");
			break;
		}
		inc->keys |= 1u << i;
		if (!json_is_null(x) &&
		    (r = get_str(d, v, k, true, &inc->key[i])) != 0)
			break;
	}
	d->path[n] = '\0';
	if (r == 0 && ky__inc_build_key(&inc->kstr, inc->keys, inc->key) != 0)
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
	return r;
}

static int read_class(struct rd *d, struct ky_incident *inc, const json_t *o)
{
	const json_t *c;
	char *cls = NULL, *type = NULL, *src = NULL;
	size_t n;
	int r;

	if ((c = mem(d, o, "classification", JSON_OBJECT, false, &r)) == NULL)
		return r;
	n = enter(d, "classification", -1);
	if ((r = get_str(d, c, "class", false, &cls)) ||
	    (r = get_str(d, c, "type", false, &type)) ||
	    (r = get_str(d, c, "source", false, &src)))
		goto out;
	if (!ky_rsit_valid(cls, type)) {
		r = fail(d, "type", "not an RSIT class/type");
		goto out;
	}
	if (strcmp(src, "analyst") == 0) {
		struct ky_rsit_class *rc = &inc->rsit;

		for (size_t i = 0; ky_rsit_pair(i, &rc->cls, &rc->type); i++)
			if (strcmp(rc->cls, cls) == 0 &&
			    strcmp(rc->type, type) == 0)
				break;
		rc->source = KY_RSIT_SRC_ANALYST;
		rc->tag = NULL;
	}
	ky__inc_derive_class(inc);
out:
	d->path[n] = '\0';
	free(cls);
	free(type);
	free(src);
	return r;
}

static int read_incident(struct rd *d, const json_t *j,
			 struct ky_incident **out)
{
	struct ky_incident *inc = NULL;
	const json_t *a, *sev;
	char *status = NULL;
	int r, st, tlp = 0, pap = 0;
	size_t n;

	*out = NULL;
	if (!json_is_object(j))
		return fail(d, NULL, "expected an object");
	if ((inc = ky__inc_alloc(LOAD_MAX, LOAD_MAX)) == NULL)
		return ky_err_set(d->err, KY_E_NOMEM, "out of memory");
	if ((r = get_i64(d, j, "id", 1, INT64_MAX, &inc->id)) ||
	    (r = get_str(d, j, "status", false, &status)) ||
	    (r = get_str(d, j, "title", false, &inc->title)) ||
	    (r = read_key(d, inc, j)) ||
	    (r = get_i64(d, j, "created_ns", 0, INT64_MAX, &inc->created_ns)) ||
	    (r = get_i64(d, j, "first_ns", INT64_MIN, INT64_MAX,
			 &inc->first_ns)) ||
	    (r = get_i64(d, j, "last_ns", inc->first_ns, INT64_MAX,
			 &inc->last_ns)) ||
	    (r = get_u64(d, j, "alert_count", &inc->alert_count)) ||
	    (r = get_u64(d, j, "ids_dropped", &inc->ids_dropped)) ||
	    (r = get_u64(d, j, "distinct_dropped", &inc->distinct_dropped)))
		goto out;
	if ((st = ky_incident_status_parse(status)) < 0) {
		r = fail(d, "status", "unknown status");
		goto out;
	}
	inc->status = (enum ky_incident_status)st;
	a = arr(d, j, "alert_ids", &r);
	if (r == 0 && json_array_size(a) &&
	    (inc->ids = calloc(json_array_size(a), sizeof(int64_t))) == NULL)
		r = ky_err_set(d->err, KY_E_NOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);

		if (!json_is_integer(v)) {
			n = enter(d, "alert_ids", (long)i);
			r = fail(d, NULL, "expected an integer");
			d->path[n] = '\0';
		}
		inc->ids[inc->nids++] = (int64_t)json_integer_value(v);
	}
	inc->capids = inc->nids;
	if (r || (r = each(d, inc, j, "alerts", read_entry)) ||
	    (r = each(d, inc, j, "rules", read_rule)) ||
	    (r = read_strset(d, j, "hosts", &inc->hosts)) ||
	    (r = read_strset(d, j, "users", &inc->users)) ||
	    (r = read_strset(d, j, "addresses", &inc->addrs)) ||
	    (r = each(d, inc, j, "indicators", read_indicator)) ||
	    (r = read_class(d, inc, j)) ||
	    (r = read_marking(d, j, "tlp", ky_tlp_parse, &tlp,
			      &inc->tlp_manual)) ||
	    (r = read_marking(d, j, "pap", ky_pap_parse, &pap,
			      &inc->pap_manual)) ||
	    (r = each(d, inc, j, "history", read_hist)))
		goto out;
	inc->tlp = (enum ky_tlp)tlp;
	inc->pap = (enum ky_pap)pap;
	if ((sev = mem(d, j, "severity", JSON_OBJECT, false, &r)) == NULL)
		goto out;
	n = enter(d, "severity", -1);
	r = get_int(d, sev, "asset_criticality", 1, 5, &inc->crit);
	r = r ? r
	      : get_int(d, sev, "indicator_confidence", 0, 100, &inc->conf_max);
	d->path[n] = '\0';
	if (r)
		goto out;
	if ((a = mem(d, j, "follows", JSON_INTEGER, true, &r)) != NULL)
		inc->follows = (int64_t)json_integer_value(a);
	if (r)
		goto out;
	ky__inc_apply_policy(inc, NULL);
	*out = inc;
	inc = NULL; /* transferred */
out:
	free(status);
	ky_incident_free(inc);
	return r;
}

int ky_incident_from_json(const json_t *j, struct ky_incident **out,
			  struct ky_err *err)
{
	struct rd d = {.err = err, .path = "$"};

	return read_incident(&d, j, out);
}

int ky_incident_load(const char *s, size_t n, struct ky_incident **out,
		     struct ky_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
	int r;

	*out = NULL;
	if (j == NULL)
		return ky_err_set(err, KY_E_PARSE,
				  "incident JSON: line %d, column %d: %s",
				  je.line, je.column, je.text);
	r = ky_incident_from_json(j, out, err);
	json_decref(j);
	return r;
}

/* ---- the engine's state ---- */

json_t *ky_incidents_to_json(const struct ky_incidents *e)
{
	json_t *a = json_array();
	bool bad = a == NULL;

	for (size_t i = 0; a && i < e->n; i++)
		push(a, ky_incident_to_json(e->v[i]), &bad);
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return json_pack("{s:I, s:o}", "next_id", (json_int_t)e->next_id,
			 "incidents", a);
}

int ky_incidents_from_json(struct ky_incidents *e, const json_t *j,
			   struct ky_err *err)
{
	struct rd d = {.err = err, .path = "$"};
	struct ky_incident *inc;
	const json_t *a;
	int64_t next = 1;
	int r;

	if (!json_is_object(j))
		return fail(&d, NULL, "expected an object");
	if ((r = get_i64(&d, j, "next_id", 1, INT64_MAX, &next)) != 0)
		return r;
	a = arr(&d, j, "incidents", &r);
	if (r)
		return r;
	while (e->n)
		ky_incident_free(ky_incidents_release(e, e->v[0]->id));
	for (size_t i = 0; r == 0 && i < json_array_size(a); i++) {
		size_t n = enter(&d, "incidents", (long)i);

		if ((r = read_incident(&d, json_array_get(a, i), &inc)) == 0 &&
		    (r = ky_incidents_adopt(e, inc, err)) != 0) {
			ky_incident_free(inc);
			ky_err_prefix(err, "%s", d.path);
		}
		d.path[n] = '\0';
	}
	if (r == 0 && next > e->next_id)
		e->next_id = next;
	return r;
}
