/* Publishing to the change log and writing batches for a peer (share/
 * batch.h).  Provenance is by seal: the origin signs the SHA-256 of the
 * RFC 8785 form of every object version it creates, many at a time (one
 * signature per commit, not per object: Ed25519 verifies ~10^4/s/core and
 * the circle must move 5x10^4 objects/s).  A version the policy changed
 * for this peer is sealed again by us, the node that changed it. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json_tree.h"
#include "base/text.h"
#include "base/time.h"
#include "intel/stix.h"
#include "ledger/merkle.h"
#include "share/batch.h"
#include "trust/jcs.h"
#include "trust/sig.h"

#define DEFAULT_LIMIT 10000
#define DEFAULT_BYTES (64u << 20)
/* hashes per seal: a seal line of 64 hex digits each stays far below
 * KY_BATCH_LINE_MAX */
#define SEAL_MAX 4096

int ky_share_object_jcs(const json_t *o, struct ky_buf *text, uint8_t out[32],
			struct ky_err *err)
{
	int r;

	ky_buf_reset(text);
	if ((r = ky_jcs_value(o, text, err)) == 0)
		ky_sha256(text->data, text->len, out);
	return r;
}

int ky_share_object_hash(const json_t *o, uint8_t out[32], struct ky_err *err)
{
	struct ky_buf b;
	int r;

	ky_buf_init(&b, 0);
	r = ky_share_object_jcs(o, &b, out, err);
	ky_buf_free(&b);
	return r;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The payload a seal signs: {"type":"kyklos-seal/1","origin":O,
 * "hashes":"<hex of every hash, in order>"}. */
json_t *ky__seal_payload(const char *origin, const uint8_t *hashes, size_t n);
json_t *ky__seal_payload(const char *origin, const uint8_t *hashes, size_t n)
{
	char *h = malloc(n * 64 + 1);
	json_t *p;

	if (h == NULL)
		return NULL;
	hex(hashes, n * 32, h);
	p = json_pack("{s:s, s:s, s:s}", "type", "kyklos-seal/1", "origin",
		      origin, "hashes", h);
	free(h);
	return p;
}

static int seal(struct ky_store *st, const struct ky_share_self *self,
		const uint8_t *hashes, size_t n, int64_t now_ns, int64_t *id,
		char **envtext, struct ky_err *err)
{
	json_t *pay = ky__seal_payload(self->node_id, hashes, n), *env = NULL;
	char *txt = NULL;
	int r;

	if (pay == NULL)
		return ky_err_set(err, KY_E_NOMEM, "seal: out of memory");
	if ((r = ky_sig_sign_json(self->signer, pay, now_ns, &env, err)) != 0)
		goto out;
	if ((txt = json_dumps(env, JSON_COMPACT)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "seal: out of memory");
		goto out;
	}
	if (st != NULL &&
	    (r = ky_seal_add(st, self->node_id, txt, hashes, n, id, err)) != 0)
		goto out;
	if (envtext) {
		*envtext = txt;
		txt = NULL;
	}
out:
	free(txt);
	json_decref(pay);
	json_decref(env);
	return r;
}

int ky_share_publish(struct ky_store *st, const struct ky_share_self *self,
		     json_t *const *objs, size_t n, int64_t now_ns,
		     size_t *added, struct ky_err *err)
{
	uint8_t *hashes;
	int64_t sid = 0, mns;
	int r = 0, outcome;
	struct ky_buf text;
	size_t i;

	*added = 0;
	if (n == 0)
		return 0;
	ky_buf_init(&text, 0);
	if ((hashes = malloc(n * 32)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "publish: out of memory");
	for (i = 0; i < n && r == 0; i++) {
		struct ky_err e2;

		if ((r = ky_stix_check(objs[i], &e2)) != 0) {
			r = ky_err_set(err, r, "publish: %s", e2.msg);
			break;
		}
		r = ky_share_object_hash(objs[i], hashes + 32 * i, err);
	}
	for (i = 0; i < n && r == 0; i++) {
		/* one seal per SEAL_MAX objects keeps a seal line short */
		if (i % SEAL_MAX == 0 &&
		    (r = seal(st, self, hashes + 32 * i,
			      n - i < SEAL_MAX ? n - i : SEAL_MAX, now_ns, &sid,
			      NULL, err)) != 0)
			break;
		const char *m = ky_stix_modified(objs[i]);
		struct ky_change c = {0};
		uint8_t h2[32];

		/* stored in its canonical form: what is sealed, byte for
		 * byte, and what is sent without serialising again */
		if ((r = ky_share_object_jcs(objs[i], &text, h2, err)) != 0)
			break;
		mns = 0;
		if (*m && ky_time_parse_rfc3339(m, strlen(m), &mns) <= 0)
			mns = 0;
		c.id = json_string_value(json_object_get(objs[i], "id"));
		c.modified = m;
		c.modified_ns = mns;
		c.type = json_string_value(json_object_get(objs[i], "type"));
		c.op = KY_CHANGE_PUT;
		c.origin = self->node_id;
		c.object = text.data;
		c.object_len = text.len;
		memcpy(c.sha256, hashes + 32 * i, 32);
		c.seal = sid;
		c.hops = "[]";
		c.tlp = (int)ky_stix_tlp_of(objs[i]);
		c.recv_ns = now_ns;
		r = ky_changes_add(st, &c, &outcome, err);
		if (r == 0 && outcome == KY_CHANGE_ADDED)
			(*added)++;
	}
	free(hashes);
	ky_buf_free(&text);
	return r;
}

/* A deletion's hash: of {"id":..,"modified":..,"op":"delete"}. */
int ky__delete_hash(const char *id, const char *modified, uint8_t out[32],
		    struct ky_err *err);
int ky__delete_hash(const char *id, const char *modified, uint8_t out[32],
		    struct ky_err *err)
{
	json_t *t = json_pack("{s:s, s:s, s:s}", "id", id, "modified", modified,
			      "op", "delete");
	int r;

	if (t == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	r = ky_share_object_hash(t, out, err);
	json_decref(t);
	return r;
}

struct cur {
	char *type;
	int tlp;
	int found;
};

static int cur_cb(void *ud, const struct ky_change *c)
{
	struct cur *x = ud;

	x->type = strdup(c->type);
	x->tlp = c->tlp;
	x->found = 1;
	return x->type ? 0 : KY_E_NOMEM;
}

int ky_share_delete(struct ky_store *st, const struct ky_share_self *self,
		    const char *id, int64_t now_ns, struct ky_err *err)
{
	struct cur cu = {0};
	struct ky_change c = {0};
	char m[KY_TIME_RFC3339_LEN];
	int64_t sid = 0;
	int r, outcome;

	if ((r = ky_changes_current(st, id, cur_cb, &cu, err)) != 0)
		return r;
	ky_time_format_rfc3339(now_ns, m);
	if ((r = ky__delete_hash(id, m, c.sha256, err)) != 0 ||
	    (r = seal(st, self, c.sha256, 1, now_ns, &sid, NULL, err)) != 0)
		goto out;
	c.id = id;
	c.modified = m;
	c.modified_ns = now_ns / 1000000 * 1000000;
	c.type = cu.type;
	c.op = KY_CHANGE_DELETE;
	c.origin = self->node_id;
	c.seal = sid;
	c.hops = "[]";
	c.tlp = cu.tlp;
	c.recv_ns = now_ns;
	r = ky_changes_add(st, &c, &outcome, err);
	if (r == 0 && outcome != KY_CHANGE_ADDED)
		r = ky_err_set(err, KY_E_EXISTS,
			       "%s: a newer version is held; not deleted", id);
out:
	free(cu.type);
	return r;
}

/* ---- the writer ---------------------------------------------------------- */

struct wr {
	struct ky_store *st;
	struct ky_policy *pol;
	const struct ky_share_self *self;
	const struct ky_peer_row *peer;
	struct ky_peer_info info;
	const struct ky_batch_opts *o;
	ky_batch_write_fn w;
	void *wud;
	ky_batch_record_fn rec;
	void *rud;
	struct ky_batch_stats *stats;
	struct ky_err *err;
	EVP_MD_CTX *md;
	struct ky_buf line, jcs;
	int64_t *seals; /* seal ids already written */
	size_t nseals, capseals;
	uint8_t *derived; /* hashes of what we changed */
	size_t nderived, capderived;
	size_t limit, cap;
	int rc;
};

static int add_i64(struct ky_buf *b, int64_t v)
{
	char t[KY_I64_DEC_MAX];

	return ky_buf_add(b, t, ky_i64_dec(v, t));
}

/* "s" and the seal's id: how a change line names its origin's seal. */
static void seal_ref(char out[32], int64_t id)
{
	out[0] = 's';
	out[1 + ky_i64_dec(id, out + 1)] = '\0';
}

static int emit(struct wr *x)
{
	int r;

	if ((r = ky_buf_addc(&x->line, '\n')) != 0)
		return ky_err_set(x->err, r,
				  r == KY_E_TOOBIG
					  ? "batch: a line longer than the "
					    "limit"
					  : "batch: out of memory");
	if (x->md)
		EVP_DigestUpdate(x->md, x->line.data, x->line.len);
	x->stats->lines++;
	x->stats->bytes += x->line.len;
	r = x->w(x->wud, x->line.data, x->line.len);
	ky_buf_reset(&x->line);
	return r ? ky_err_set(x->err, KY_E_IO, "batch: write failed") : 0;
}

struct seal_line {
	struct wr *x;
	const char *ref;
};

static int seal_line_cb(void *ud, const struct ky_seal_row *row)
{
	struct seal_line *sl = ud;
	struct wr *x = sl->x;
	char *h = malloc(row->n * 64 + 1);
	int r;

	if (h == NULL)
		return ky_err_set(x->err, KY_E_NOMEM, "batch: out of memory");
	hex(row->hashes, row->n * 32, h);
	r = ky_buf_addf(&x->line, "{\"seal\":\"%s\",\"origin\":", sl->ref);
	r = r ? r
	      : ky_buf_add_json_str(&x->line, row->origin, strlen(row->origin));
	r = r ? r : ky_buf_adds(&x->line, ",\"hashes\":\"");
	r = r ? r : ky_buf_adds(&x->line, h);
	r = r ? r : ky_buf_adds(&x->line, "\",\"sig\":");
	r = r ? r : ky_buf_adds(&x->line, row->envelope);
	r = r ? r : ky_buf_addc(&x->line, '}');
	free(h);
	if (r != 0)
		return ky_err_set(x->err, KY_E_NOMEM, "batch: out of memory");
	return emit(x);
}

static int need_seal(struct wr *x, int64_t id)
{
	struct seal_line sl = {x, NULL};
	char ref[32];

	for (size_t i = 0; i < x->nseals; i++)
		if (x->seals[i] == id)
			return 0;
	if (x->nseals == x->capseals) {
		size_t nc = x->capseals ? x->capseals * 2 : 16;
		int64_t *p = realloc(x->seals, nc * sizeof(*p));

		if (p == NULL)
			return ky_err_set(x->err, KY_E_NOMEM,
					  "batch: out of memory");
		x->seals = p;
		x->capseals = nc;
	}
	x->seals[x->nseals++] = id;
	seal_ref(ref, id);
	sl.ref = ref;
	return ky_seal_get(x->st, id, seal_line_cb, &sl, x->err);
}

static int add_derived(struct wr *x, const uint8_t h[32])
{
	if (x->nderived == x->capderived) {
		size_t nc = x->capderived ? x->capderived * 2 : 64;
		uint8_t *p = realloc(x->derived, nc * 32);

		if (p == NULL)
			return ky_err_set(x->err, KY_E_NOMEM,
					  "batch: out of memory");
		x->derived = p;
		x->capderived = nc;
	}
	memcpy(x->derived + 32 * x->nderived++, h, 32);
	return 0;
}

/* One change line; obj is the text to send (NULL for a delete). */
static int change_line(struct wr *x, const struct ky_change *c, const char *obj,
		       size_t objlen, const char *sealref)
{
	bool ours = strcmp(c->origin, x->self->node_id) == 0;
	char *htxt = NULL;
	int r;

	/* the path grows by us unless we are the origin; the common cases
	 * (ours, or one hop so far) without a JSON round trip */
	if (c->hops == NULL || strcmp(c->hops, "[]") == 0) {
		struct ky_buf hb;

		ky_buf_init(&hb, 0);
		if (ours)
			r = ky_buf_adds(&hb, "[]");
		else {
			r = ky_buf_addc(&hb, '[');
			r = r ? r
			      : ky_buf_add_json_str(&hb, x->self->node_id,
						    strlen(x->self->node_id));
			r = r ? r : ky_buf_addc(&hb, ']');
		}
		htxt = r == 0 ? ky_buf_steal(&hb, NULL) : NULL;
		ky_buf_free(&hb);
	} else {
		json_t *hops = json_loads(c->hops, 0, NULL);

		if (hops == NULL || !json_is_array(hops)) {
			json_decref(hops);
			hops = json_array();
		}
		if (!ours)
			json_array_append_new(hops,
					      json_string(x->self->node_id));
		htxt = json_dumps(hops, JSON_COMPACT);
		json_decref(hops);
	}
	if (htxt == NULL)
		return ky_err_set(x->err, KY_E_NOMEM, "batch: out of memory");
	/* literal pieces and a hand-made number: vsnprintf was a tenth of
	 * the sender's instructions */
	r = ky_buf_adds(&x->line, "{\"seq\":");
	r = r ? r : add_i64(&x->line, c->seq);
	r = r ? r
	      : ky_buf_adds(&x->line, c->op == KY_CHANGE_DELETE
					      ? ",\"op\":\"delete\",\"id\":"
					      : ",\"op\":\"put\",\"id\":");
	r = r ? r : ky_buf_add_json_str(&x->line, c->id, strlen(c->id));
	r = r ? r : ky_buf_adds(&x->line, ",\"modified\":");
	r = r ? r
	      : ky_buf_add_json_str(&x->line, c->modified, strlen(c->modified));
	r = r ? r : ky_buf_adds(&x->line, ",\"type\":");
	r = r ? r : ky_buf_add_json_str(&x->line, c->type, strlen(c->type));
	r = r ? r : ky_buf_adds(&x->line, ",\"origin\":");
	r = r ? r : ky_buf_add_json_str(&x->line, c->origin, strlen(c->origin));
	r = r ? r : ky_buf_adds(&x->line, ",\"seal\":\"");
	r = r ? r : ky_buf_adds(&x->line, sealref);
	r = r ? r : ky_buf_adds(&x->line, "\",\"hops\":");
	r = r ? r : ky_buf_adds(&x->line, htxt);
	if (obj != NULL) {
		r = r ? r : ky_buf_adds(&x->line, ",\"object\":");
		r = r ? r : ky_buf_add(&x->line, obj, objlen);
	}
	r = r ? r : ky_buf_addc(&x->line, '}');
	free(htxt);
	if (r != 0)
		return ky_err_set(x->err, KY_E_NOMEM, "batch: out of memory");
	return emit(x);
}

static int write_change(void *ud, const struct ky_change *c)
{
	struct wr *x = ud;
	struct ky_batch_stats *s = x->stats;
	json_t *obj = NULL, *out = NULL;
	const char *why = NULL;
	bool changed = false;
	char sealref[32], *txt = NULL;
	uint8_t h[32];
	int v, r = 0;

	if (s->sent + s->dropped >= x->limit || s->bytes >= x->cap ||
	    x->nderived >= SEAL_MAX || (x->o->rate && s->sent >= x->o->rate)) {
		s->more = true;
		return 1; /* stop; last stays at the previous change */
	}
	s->last = c->seq;
	/* never back to where it came from */
	if (strcmp(c->origin, x->peer->node_id) == 0 ||
	    (c->via && strcmp(c->via, x->peer->node_id) == 0))
		return 0;
	if (c->op == KY_CHANGE_DELETE) {
		/* a deletion says no more than the type and marking of what
		 * it deletes: it passes where such an object would */
		v = ky_policy_gate(x->pol, &x->info, c->type, c->tlp,
				   strcmp(c->origin, x->self->node_id) == 0,
				   &why);
	} else {
		if ((obj = ky_json_tree(c->object, c->object_len, 0, NULL,
					NULL)) == NULL)
			return ky_err_set(x->err, KY_E_STORE,
					  "change %lld (%s): unreadable object",
					  (long long)c->seq, c->id);
		v = ky_policy_apply(x->pol, &x->info, obj,
				    strcmp(c->origin, x->self->node_id) == 0,
				    &out, &changed, &why, NULL, x->err);
	}
	if (v < 0) {
		r = v;
		goto out;
	}
	if (v == 0) {
		s->dropped++;
		goto out;
	}
	memcpy(h, c->sha256, 32);
	if (!changed && c->seal > 0) {
		if ((r = need_seal(x, c->seal)) != 0)
			goto out;
		seal_ref(sealref, c->seal);
		r = change_line(x, c, c->object, c->object_len, sealref);
	} else {
		/* changed by the policy, or never sealed by a key we know:
		 * we vouch for it */
		if (c->op != KY_CHANGE_DELETE) {
			r = ky_share_object_jcs(out, &x->jcs, h, x->err);
			txt = r == 0 ? x->jcs.data : NULL;
		}
		r = r ? r : add_derived(x, h);
		if (r == 0 && out != NULL) {
			/* the id may have changed too (a pseudonymised SCO):
			 * the line names the object as sent, never the
			 * original */
			struct ky_change cc = *c;

			cc.id = json_string_value(json_object_get(out, "id"));
			r = change_line(x, &cc, txt, txt ? x->jcs.len : 0, "d");
		} else if (r == 0) {
			r = change_line(x, c, NULL, 0, "d");
		}
		s->derived++;
	}
	if (r == 0) {
		s->sent++;
		if (x->rec)
			x->rec(x->rud, "sent", h, x->peer->node_id,
			       ky_policy_version(x->pol));
	}
out:
	json_decref(obj);
	json_decref(out);
	return r;
}

int ky_batch_write(struct ky_store *st, struct ky_policy *pol,
		   const struct ky_share_self *self,
		   const struct ky_peer_row *peer,
		   const struct ky_batch_opts *o, ky_batch_write_fn w,
		   void *wud, ky_batch_record_fn rec, void *rud,
		   struct ky_batch_stats *stats, struct ky_err *err)
{
	struct wr x = {.st = st,
		       .pol = pol,
		       .self = self,
		       .peer = peer,
		       .o = o,
		       .w = w,
		       .wud = wud,
		       .rec = rec,
		       .rud = rud,
		       .stats = stats,
		       .err = err};
	char created[KY_TIME_RFC3339_LEN], lh[65];
	uint8_t md[32];
	unsigned int mdl = 0;
	json_t *tr = NULL, *env = NULL;
	char *txt = NULL;
	int64_t now = ky_time_now_ns();
	int r;

	memset(stats, 0, sizeof(*stats));
	stats->last = o->after;
	x.info.name = peer->name;
	x.info.node_id = peer->node_id;
	x.info.country = peer->country;
	x.info.groups = peer->groups;
	x.limit = o->limit ? o->limit : DEFAULT_LIMIT;
	if (x.limit > KY_BATCH_LIMIT_MAX)
		x.limit = KY_BATCH_LIMIT_MAX;
	x.cap = o->byte_cap ? o->byte_cap : DEFAULT_BYTES;
	ky_buf_init(&x.line, KY_BATCH_LINE_MAX);
	ky_buf_init(&x.jcs, KY_BATCH_LINE_MAX);
	if ((x.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(x.md, EVP_sha256(), NULL) != 1) {
		r = ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
		goto out;
	}
	ky_time_format_rfc3339(now, created);
	r = ky_buf_adds(&x.line, "{\"kyklos_batch\":1,\"from\":");
	r = r ? r
	      : ky_buf_add_json_str(&x.line, self->node_id,
				    strlen(self->node_id));
	r = r ? r : ky_buf_adds(&x.line, ",\"to\":");
	r = r ? r
	      : ky_buf_add_json_str(&x.line, peer->node_id,
				    strlen(peer->node_id));
	r = r ? r
	      : ky_buf_addf(&x.line,
			    ",\"after\":%lld,\"bundle_seq\":%lld,"
			    "\"policy\":",
			    (long long)o->after, (long long)o->bundle_seq);
	r = r ? r
	      : ky_buf_add_json_str(&x.line, ky_policy_version(pol),
				    strlen(ky_policy_version(pol)));
	r = r ? r : ky_buf_addf(&x.line, ",\"created\":\"%s\"}", created);
	if (r != 0 || (r = emit(&x)) != 0) {
		r = r == KY_E_NOMEM ? ky_err_set(err, r, "batch: out of memory")
				    : r;
		goto out;
	}
	r = ky_changes_after(st, o->after, x.limit + 1, write_change, &x, err);
	if (r == 1)
		r = 0;
	if (r == 0 && stats->sent + stats->dropped >= x.limit)
		stats->more = true;
	if (r != 0)
		goto out;
	if (x.nderived > 0) {
		struct ky_seal_row row = {0};
		struct seal_line sl = {&x, "d"};

		if ((r = seal(NULL, self, x.derived, x.nderived, now, NULL,
			      &txt, err)) != 0)
			goto out;
		row.origin = self->node_id;
		row.envelope = txt;
		row.hashes = x.derived;
		row.n = x.nderived;
		if ((r = seal_line_cb(&sl, &row)) != 0)
			goto out;
	}
	EVP_DigestFinal_ex(x.md, md, &mdl);
	hex(md, 32, lh);
	tr = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "type",
		       "kyklos-batch-trailer/1", "from", self->node_id, "after",
		       (json_int_t)o->after, "last", (json_int_t)stats->last,
		       "count", (json_int_t)stats->sent, "lines_sha256", lh);
	if (tr == NULL ||
	    json_object_set_new(tr, "to", json_string(peer->node_id)) != 0) {
		r = ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
		goto out;
	}
	if ((r = ky_sig_sign_json(self->signer, tr, now, &env, err)) != 0)
		goto out;
	json_object_set(tr, "sig", env);
	free(txt);
	if ((txt = json_dumps(tr, JSON_COMPACT)) == NULL ||
	    ky_buf_adds(&x.line, txt) != 0) {
		r = ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
		goto out;
	}
	EVP_MD_CTX_free(x.md);
	x.md = NULL; /* the trailer is not part of what it hashes */
	r = emit(&x);
out:
	free(txt);
	json_decref(tr);
	json_decref(env);
	EVP_MD_CTX_free(x.md);
	ky_buf_free(&x.line);
	ky_buf_free(&x.jcs);
	free(x.seals);
	free(x.derived);
	return r;
}
