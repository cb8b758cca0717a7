/* TAXII 2.1 objects, manifests, versions and adding objects (api/taxii.h).
 * Every object goes through the client's policy before it is written into
 * the response; what the policy drops is not counted, not paged, not
 * mentioned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/taxii_int.h"
#include "base/json_tree.h"
#include "base/time.h"
#include "intel/stix.h"
#include "store/taxii.h"

struct lister {
	struct ky_taxii *t;
	const struct client *cl;
	struct query *q;
	int what;
	const char *oid;
	bool all_versions; /* iterate every version, not the current one */
	struct ky_peer_info pi;
	json_t *items;
	bool more;
	int64_t last_seq;
	char first[32], last[32];
	int rc;
};

static bool version_ok(struct lister *x, const struct ky_change *c)
{
	const json_t *v;
	size_t i;

	if (x->q->versions == NULL)
		return true;
	json_array_foreach(x->q->versions, i, v)
	{
		const char *s = json_string_value(v);
		int64_t ns = 0;

		if (strcmp(s, "all") == 0 || strcmp(s, "last") == 0)
			return true; /* last: chosen by the iteration */
		if (strcmp(s, "first") == 0) {
			/* the first version is the one with the earliest
			 * modified: created == modified for it */
			const char *cr =
				c->object ? strstr(c->object, "\"created\":\"")
					  : NULL;

			if (cr && strncmp(cr + 11, c->modified,
					  strlen(c->modified)) == 0)
				return true;
			continue;
		}
		if (ky_time_parse_rfc3339(s, strlen(s), &ns) ==
			    (int)strlen(s) &&
		    ns == c->modified_ns)
			return true;
	}
	return false;
}

static int each_cb(void *ud, const struct ky_change *c)
{
	struct lister *x = ud;
	json_t *obj, *out = NULL, *item = NULL;
	const char *why, *id;
	char added[KY_TIME_RFC3339_LEN];
	struct ky_err err;
	bool changed;
	int v;

	if (c->op != 0 || c->object == NULL)
		return 0;
	if (x->all_versions && c->recv_ns <= x->q->added_after_ns)
		return 0;
	if (x->q->types && !ky__taxii_in(x->q->types, c->type))
		return 0;
	if (!version_ok(x, c))
		return 0;
	if ((obj = ky_json_tree(c->object, c->object_len, 0, NULL, NULL)) ==
	    NULL)
		return 0;
	v = ky_policy_apply(x->t->pol, &x->pi, obj,
			    strcmp(c->origin, x->t->node_id) == 0, &out,
			    &changed, &why, NULL, &err);
	json_decref(obj);
	if (v != 1)
		return 0; /* not for this client: as if it did not exist */
	id = json_string_value(json_object_get(out, "id"));
	if (x->q->ids && !ky__taxii_in(x->q->ids, id)) {
		json_decref(out);
		return 0;
	}
	if (json_array_size(x->items) >= x->q->limit) {
		/* one more object passes: the page is full */
		json_decref(out);
		x->more = true;
		return 1;
	}
	ky_time_format_rfc3339(c->recv_ns, added);
	if (x->what == LIST_OBJECTS) {
		if (x->t->c.rec != NULL) {
			uint8_t h[32];
			char who[160];

			snprintf(who, sizeof(who), "taxii:%s", x->cl->name);
			if (ky_share_object_hash(out, h, NULL) == 0)
				x->t->c.rec(x->t->c.rud, "sent", h, who,
					    ky_policy_version(x->t->pol));
		}
		item = out;
		out = NULL;
	} else if (x->what == LIST_MANIFEST) {
		item = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "date_added",
				 added, "version", ky_stix_modified(out),
				 "media_type",
				 "application/stix+json;version=2.1");
	} else {
		item = json_string(ky_stix_modified(out));
	}
	json_decref(out);
	if (item == NULL || json_array_append_new(x->items, item) != 0) {
		x->rc = KY_E_NOMEM;
		return 1;
	}
	if (x->first[0] == '\0')
		snprintf(x->first, sizeof(x->first), "%s", added);
	snprintf(x->last, sizeof(x->last), "%s", added);
	x->last_seq = c->seq;
	return 0;
}

static int cur_one(void *ud, const struct ky_change *c)
{
	struct lister *x = ud;

	if (c->seq <= x->q->next || c->recv_ns <= x->q->added_after_ns)
		return 0;
	return each_cb(ud, c);
}

void ky__taxii_list(struct ky_taxii *t, const struct client *cl,
		    const struct ky_taxii_req *req, const char *oid, int what,
		    struct ky_taxii_resp *r)
{
	struct query q;
	struct lister x = {.t = t, .cl = cl, .q = &q, .what = what, .oid = oid};
	struct ky_err err = {0};
	bool last_only;
	json_t *env;
	int rc = 0;

	ky__taxii_query(t, req->query, &q);
	if (q.bad != NULL) {
		ky__taxii_error(r, 400, "Bad query", q.bad);
		ky__taxii_query_free(&q);
		return;
	}
	x.pi.name = cl->name;
	x.pi.node_id = cl->name;
	x.pi.country = cl->country[0] ? cl->country : NULL;
	x.pi.groups = cl->groups[0] ? cl->groups : NULL;
	x.items = json_array();
	last_only = q.versions == NULL ||
		    (json_array_size(q.versions) == 1 &&
		     strcmp(json_string_value(json_array_get(q.versions, 0)),
			    "last") == 0);
	if (what == LIST_VERSIONS)
		last_only = false;
	if (q.limit == 0) {
		/* nothing can match (a spec_version we do not hold) */
	} else if (oid != NULL && last_only) {
		rc = ky_changes_current(t->st, oid, cur_one, &x, &err);
		if (rc == KY_E_NOTFOUND)
			rc = 0;
	} else if (oid != NULL) {
		x.all_versions = true;
		rc = ky_changes_versions(t->st, oid, q.next, each_cb, &x, &err);
	} else if (last_only) {
		rc = ky_changes_current_after(t->st, q.next, q.added_after_ns,
					      each_cb, &x, &err);
	} else {
		x.all_versions = true;
		rc = ky_changes_after(t->st, q.next, 0, each_cb, &x, &err);
	}
	if (rc < 0 || x.rc != 0) {
		ky__taxii_error(r, 503, "Store busy",
				err.msg[0] ? err.msg : "out of memory");
		goto out;
	}
	if (oid != NULL && json_array_size(x.items) == 0 && q.next == 0) {
		ky__taxii_error(r, 404, "Not found",
				"no such object in this collection");
		goto out;
	}
	env = json_pack("{s:b}", "more", x.more);
	if (x.more) {
		char nx[32];

		snprintf(nx, sizeof(nx), "%lld", (long long)x.last_seq);
		json_object_set_new(env, "next", json_string(nx));
	}
	if (json_array_size(x.items) > 0)
		json_object_set(env,
				what == LIST_VERSIONS ? "versions" : "objects",
				x.items);
	snprintf(r->date_first, sizeof(r->date_first), "%s", x.first);
	snprintf(r->date_last, sizeof(r->date_last), "%s", x.last);
	ky__taxii_reply(r, 200, env);
out:
	json_decref(x.items);
	ky__taxii_query_free(&q);
}

/* ---- adding objects ----------------------------------------------------- */

static void uuid4(char out[37])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		memset(b, 0, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int add_one(struct ky_taxii *t, const struct client *cl, const json_t *o,
		   struct ky_buf *jcs, struct ky_err *err)
{
	struct ky_change c = {0};
	char origin[160];
	const char *m = ky_stix_modified(o);
	int64_t mns = 0;
	int outcome, r;

	if ((r = ky_stix_check(o, err)) != 0)
		return r;
	if (*m && ky_time_parse_rfc3339(m, strlen(m), &mns) <= 0)
		return ky_err_set(err, KY_E_PARSE, "modified: bad timestamp");
	if ((r = ky_share_object_jcs(o, jcs, c.sha256, err)) != 0)
		return r;
	/* the client is the origin; no seal: relays seal it themselves */
	snprintf(origin, sizeof(origin), "taxii:%s", cl->name);
	c.id = json_string_value(json_object_get(o, "id"));
	c.modified = m;
	c.modified_ns = mns;
	c.type = json_string_value(json_object_get(o, "type"));
	c.op = 0;
	c.origin = origin;
	c.object = jcs->data;
	c.object_len = jcs->len;
	c.via = origin;
	c.hops = "[]";
	c.tlp = (int)ky_stix_tlp_of(o);
	c.recv_ns = ky_time_now_ns();
	return ky_changes_add(t->st, &c, &outcome, err);
}

void ky__taxii_post(struct ky_taxii *t, const struct client *cl,
		    const struct ky_taxii_req *req, struct ky_taxii_resp *r)
{
	char sid[37], ts[KY_TIME_RFC3339_LEN];
	json_t *env, *objs, *o, *ok, *bad, *st;
	struct ky_err err = {0};
	struct ky_buf jcs;
	json_error_t je;
	char *txt;
	size_t i;
	int rc;

	if (!cl->can_write) {
		ky__taxii_error(r, 403, "Forbidden",
				"this client may not add objects");
		return;
	}
	if (req->content_type == NULL ||
	    !ky__taxii_media_ok(req->content_type, strlen(req->content_type),
				false)) {
		ky__taxii_error(r, 415, "Unsupported Media Type",
				"send application/taxii+json;version=2.1");
		return;
	}
	if (req->body_len > t->c.max_content_length) {
		ky__taxii_error(r, 413, "Payload Too Large",
				"larger than max_content_length");
		return;
	}
	env = json_loadb(req->body ? req->body : "", req->body_len,
			 JSON_REJECT_DUPLICATES, &je);
	objs = json_object_get(env, "objects");
	if (!json_is_object(env) || !json_is_array(objs)) {
		char d[300];

		snprintf(d, sizeof(d),
			 env ? "not an envelope with an objects list"
			     : "line %d column %d: %s",
			 je.line, je.column, je.text);
		json_decref(env);
		ky__taxii_error(r, 400, "Bad envelope", d);
		return;
	}
	ok = json_array();
	bad = json_array();
	ky_buf_init(&jcs, 1 << 20);
	if ((rc = ky_store_begin(t->st, &err)) != 0) {
		ky__taxii_error(r, 503, "Store busy", err.msg);
		goto out;
	}
	json_array_foreach(objs, i, o)
	{
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *ver = json_is_object(o) ? ky_stix_modified(o) : "";

		err.msg[0] = '\0';
		if (add_one(t, cl, o, &jcs, &err) == 0 && t->c.rec != NULL) {
			uint8_t h[32];
			char who[160];

			snprintf(who, sizeof(who), "taxii:%s", cl->name);
			if (ky_share_object_hash(o, h, NULL) == 0)
				t->c.rec(t->c.rud, "received", h, who, "");
		}
		if (err.msg[0] == '\0')
			json_array_append_new(ok, json_pack("{s:s, s:s}", "id",
							    id ? id : "",
							    "version", ver));
		else
			json_array_append_new(
				bad,
				json_pack("{s:s, s:s, s:s}", "id", id ? id : "",
					  "version", ver, "message", err.msg));
	}
	if ((rc = ky_store_commit(t->st, &err)) != 0) {
		ky_store_rollback(t->st);
		ky__taxii_error(r, 503, "Store busy", err.msg);
		goto out;
	}
	uuid4(sid);
	ky_time_format_rfc3339(ky_time_now_ns(), ts);
	st = json_pack("{s:s, s:s, s:s, s:I, s:I, s:O, s:I, s:O, s:I, s:[]}",
		       "id", sid, "status", "complete", "request_timestamp", ts,
		       "total_count", (json_int_t)json_array_size(objs),
		       "success_count", (json_int_t)json_array_size(ok),
		       "successes", ok, "failure_count",
		       (json_int_t)json_array_size(bad), "failures", bad,
		       "pending_count", (json_int_t)0, "pendings");
	if (json_array_size(ok) == 0)
		json_object_del(st, "successes");
	if (json_array_size(bad) == 0)
		json_object_del(st, "failures");
	json_object_del(st, "pendings");
	txt = st ? json_dumps(st, JSON_COMPACT) : NULL;
	if (txt)
		ky_taxii_status_put(t->st, sid, cl->name, txt, ky_time_now_ns(),
				    NULL);
	free(txt);
	ky__taxii_reply(r, 202, st);
out:
	ky_buf_free(&jcs);
	json_decref(ok);
	json_decref(bad);
	json_decref(env);
}

void ky__taxii_status(struct ky_taxii *t, const struct client *cl,
		      const char *sid, struct ky_taxii_resp *r)
{
	struct ky_err err = {0};
	char *txt = NULL;
	json_t *j;

	if (ky_taxii_status_get(t->st, sid, cl->name, &txt, &err) != 0 ||
	    (j = json_loads(txt, 0, NULL)) == NULL) {
		free(txt);
		ky__taxii_error(r, 404, "Not found", "no such status");
		return;
	}
	free(txt);
	ky__taxii_reply(r, 200, j);
}
