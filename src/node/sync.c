/* The sharing engine (node/sync.h): start and stop, the endpoint that
 * serves batches to bound peers, and the tick that publishes incidents,
 * hands waiting ledger entries to the ledger and tells the puller when
 * our change log grew. */
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>

#include "base/log.h"
#include "base/time.h"
#include "intel/stix.h"
#include "node/sync_int.h"
#include "node/sync_tls.h"

#define BINDING_DAYS 30
#define TICK_MS 200

static void node_path(const struct ky_config *cfg, const char *p, char *out,
		      size_t cap)
{
	if (p[0] == '/')
		snprintf(out, cap, "%s", p);
	else
		snprintf(out, cap, "%s/%s", cfg->home, p);
}

void ky__sync_record(void *ud, const char *kind, const uint8_t sha[32],
		     const char *peer, const char *policy)
{
	struct ky_sync *s = ud;
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	uint64_t idx;

	pthread_mutex_lock(&s->lmu);
	if (s->ledger != NULL &&
	    (ky_ledger_entry_set(&e, kind, sha, peer, policy, ky_time_now_ns(),
				 &err) != 0 ||
	     ky_ledger_append(s->ledger, &e, &idx, &err) != 0))
		KY_ERROR("ledger: %s", err.msg);
	s->ledger_dirty++;
	pthread_mutex_unlock(&s->lmu);
}

/* ---- the endpoint ------------------------------------------------------- */

struct bound_peer {
	char name[128], node_id[64], pubkey[160], country[8], groups[256];
	bool paused;
};

static int copy_peer(void *ud, const struct ky_peer_row *p)
{
	struct bound_peer *b = ud;

	snprintf(b->name, sizeof(b->name), "%s", p->name);
	snprintf(b->node_id, sizeof(b->node_id), "%s", p->node_id);
	snprintf(b->pubkey, sizeof(b->pubkey), "%s", p->pubkey);
	snprintf(b->country, sizeof(b->country), "%s",
		 p->country ? p->country : "");
	snprintf(b->groups, sizeof(b->groups), "%s",
		 p->groups ? p->groups : "");
	b->paused = p->paused;
	return 0;
}

/* Which pinned peer this request comes from: its binding names a node we
 * pinned, is signed by that node's key and names the certificate of this
 * TLS session.  0, or an HTTP status with why. */
static int authenticate(struct ky_sync *s, struct evhttp_request *req,
			struct bound_peer *bp, char *why, size_t cap)
{
	const char *hdr = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Kyklos-Binding");
	struct bufferevent *bev = evhttp_connection_get_bufferevent(
		evhttp_request_get_connection(req));
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	X509 *crt = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
	struct ky_pubkey pk;
	struct ky_err err = {0};
	char spki[65], node[64] = "";
	bool learned = false;
	int r;

	if (crt == NULL || ky_sync_spki_hex(crt, spki) != 0) {
		X509_free(crt);
		snprintf(why, cap, "no client certificate");
		return 403;
	}
	X509_free(crt);
	/* the node the binding claims, read before it is verified: it only
	 * selects the key to verify it with */
	{
		size_t hl = hdr ? strlen(hdr) : 0;
		unsigned char *raw = hl && hl <= 8192 ? malloc(hl) : NULL;
		json_t *j = NULL;
		int n = raw ? EVP_DecodeBlock(raw, (const unsigned char *)hdr,
					      (int)hl)
			    : -1;

		while (n > 0 && raw[n - 1] == '\0')
			n--;
		if (n > 0)
			j = json_loadb((char *)raw, (size_t)n, 0, NULL);
		snprintf(node, sizeof(node), "%s",
			 json_string_value(json_object_get(
				 json_object_get(j, "binding"), "node"))
				 ?: "");
		json_decref(j);
		free(raw);
	}
	if (node[0] == '\0') {
		snprintf(why, cap, "no Kyklos-Binding header");
		return 403;
	}
	if (ky_peers_get(s->sst, node, copy_peer, bp, NULL) != 0) {
		snprintf(why, cap, "node %s is not a pinned peer", node);
		return 403;
	}
	if (ky_sync_pinned_key(bp->pubkey, hdr, &pk, &learned, &err) != 0 ||
	    (r = ky_sync_binding_check(hdr, &pk, bp->node_id, spki,
				       ky_time_now_ns(), &err)) != 0) {
		snprintf(why, cap, "peer %.100s: %.250s", bp->name, err.msg);
		return 403;
	}
	if (learned) {
		ky_pubkey_format(&pk, bp->pubkey);
		if (ky_peers_learn_key(s->sst, bp->name, bp->pubkey, &err) != 0)
			KY_ERROR("sync: peer %s: %s", bp->name, err.msg);
		else
			KY_INFO("sync: peer %s presented a key with its pinned "
				"fingerprint: pinned to %s now",
				bp->name, bp->pubkey);
	}
	if (bp->paused) {
		snprintf(why, cap, "peer %s is paused", bp->name);
		return 403;
	}
	return 0;
}

static void reply_text(struct evhttp_request *req, int code, const char *reason,
		       const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (b != NULL)
		evbuffer_add_printf(b, "%s\n", text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", "text/plain");
	evhttp_send_reply(req, code, reason, b);
	if (b != NULL)
		evbuffer_free(b);
}

static int to_evbuffer(void *ud, const void *p, size_t n)
{
	return evbuffer_add(ud, p, n);
}

static void serve_changes(struct ky_sync *s, struct evhttp_request *req,
			  const struct bound_peer *bp)
{
	struct evkeyvalq q;
	const char *after_s, *limit_s;
	struct ky_peer_row row = {0};
	struct ky_batch_opts o = {0};
	struct ky_batch_stats st;
	struct ky_err err = {0};
	struct evbuffer *b;
	char *end;
	int64_t limit, cosigned = 0;

	memset(&q, 0, sizeof(q));
	q.tqh_last = &q.tqh_first;
	if (evhttp_parse_query_str(
		    evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req))
			    ?: "",
		    &q) != 0) {
		reply_text(req, 400, "Bad Request", "malformed query");
		return;
	}
	after_s = evhttp_find_header(&q, "after");
	limit_s = evhttp_find_header(&q, "limit");
	if (evhttp_find_header(&q, "cosigned") != NULL)
		cosigned =
			strtoll(evhttp_find_header(&q, "cosigned"), NULL, 10);
	o.after = after_s ? strtoll(after_s, &end, 10) : 0;
	if (after_s && (*after_s == '\0' || *end != '\0' || o.after < 0)) {
		evhttp_clear_headers(&q);
		reply_text(req, 400, "Bad Request",
			   "after: not a change number");
		return;
	}
	limit = limit_s ? strtoll(limit_s, &end, 10)
			: s->cfg->share_batch_limit;
	if (limit_s && (*limit_s == '\0' || *end != '\0' || limit < 1 ||
			limit > KY_BATCH_LIMIT_MAX)) {
		evhttp_clear_headers(&q);
		reply_text(req, 400, "Bad Request", "limit: 1-100000");
		return;
	}
	evhttp_clear_headers(&q);
	if (s->pol == NULL) {
		reply_text(req, 503, "Service Unavailable",
			   "this node has no sharing policy: nothing leaves");
		return;
	}
	o.limit = (size_t)limit;
	o.byte_cap = 16u << 20;
	o.rate = ky_policy_rate(
		s->pol,
		&(struct ky_peer_info){bp->name, bp->node_id,
				       bp->country[0] ? bp->country : NULL,
				       bp->groups[0] ? bp->groups : NULL});
	row.name = bp->name;
	row.node_id = bp->node_id;
	row.pubkey = bp->pubkey;
	row.country = bp->country[0] ? bp->country : NULL;
	row.groups = bp->groups[0] ? bp->groups : NULL;
	if ((b = evbuffer_new()) == NULL) {
		reply_text(req, 503, "Service Unavailable", "out of memory");
		return;
	}
	int64_t t0 = ky_time_mono_ns();
	if (ky_batch_write(s->sst, s->pol, &s->self, &row, &o, to_evbuffer, b,
			   ky__sync_record, s, &st, &err) != 0) {
		KY_ERROR("sync: batch for %s: %s", bp->name, err.msg);
		evbuffer_free(b);
		reply_text(req, 503, "Service Unavailable", "store busy");
		return;
	}
	KY_DEBUG("sync: batch for %s: %zu sent, %zu bytes in %.3f s", bp->name,
		 st.sent, st.bytes, (double)(ky_time_mono_ns() - t0) / 1e9);
	/* what the peer has acknowledged: its cursor (for retention) */
	ky_peer_state_put(s->sst, bp->name, "acked", o.after, NULL);
	atomic_fetch_add(&s->served, 1);
	atomic_fetch_add(&s->objects_out, st.sent);
	atomic_fetch_add(&s->bytes_out, st.bytes);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", "application/x-kyklos-batch");
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Kyklos-Binding", s->binding);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Kyklos-More",
			  st.more ? "1" : "0");
	ky__sync_cp_headers(s, cosigned,
			    evhttp_request_get_output_headers(req));
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void http_cb(struct evhttp_request *req, void *ud)
{
	struct ky_sync *s = ud;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct bound_peer bp = {0};
	char why[600];
	int code;

	if ((code = authenticate(s, req, &bp, why, sizeof(why))) != 0) {
		atomic_fetch_add(&s->denied, 1);
		KY_WARN("sync: refused a request: %s", why);
		reply_text(req, code, "Forbidden", why);
		return;
	}
	if (path && strcmp(path, "/kyklos/v1/changes") == 0 &&
	    m == EVHTTP_REQ_GET) {
		serve_changes(s, req, &bp);
	} else if (path && strcmp(path, "/kyklos/v1/cosignature") == 0 &&
		   m == EVHTTP_REQ_POST) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		char *body = malloc(n + 1);

		if (body == NULL) {
			reply_text(req, 503, "Service Unavailable", "memory");
			return;
		}
		evbuffer_copyout(in, body, n);
		body[n] = '\0';
		code = ky__sync_take_cosignature(s, bp.name, bp.node_id,
						 bp.pubkey, body, n, why,
						 sizeof(why));
		free(body);
		if (code != 0) {
			KY_WARN("sync: %s", why);
			reply_text(req, code, "Refused", why);
			return;
		}
		evhttp_send_reply(req, 204, "No Content", NULL);
	} else if (path && strcmp(path, "/kyklos/v1/notify") == 0 &&
		   m == EVHTTP_REQ_POST) {
		ky__sync_wake(s, bp.node_id);
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Kyklos-Binding", s->binding);
		evhttp_send_reply(req, 204, "No Content", NULL);
	} else {
		reply_text(req, 404, "Not Found", "no such endpoint");
	}
}

/* ---- TAXII ------------------------------------------------------------- */

static void taxii_cb(struct evhttp_request *req, void *ud)
{
	struct ky_sync *s = ud;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct ky_taxii_req tr = {0};
	struct ky_taxii_resp resp;
	struct evbuffer *out;
	char *path = NULL, *bodytxt = NULL;
	size_t blen = evbuffer_get_length(body);

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		tr.method = "GET";
		break;
	case EVHTTP_REQ_POST:
		tr.method = "POST";
		break;
	case EVHTTP_REQ_DELETE:
		tr.method = "DELETE";
		break;
	default:
		tr.method = "OTHER";
		break;
	}
	path = evhttp_uridecode(evhttp_uri_get_path(uri) ?: "/", 0, NULL);
	tr.path = path;
	tr.query = evhttp_uri_get_query(uri);
	tr.accept = evhttp_find_header(in, "Accept");
	tr.content_type = evhttp_find_header(in, "Content-Type");
	tr.authorization = evhttp_find_header(in, "Authorization");
	if (blen > 0 && (bodytxt = malloc(blen + 1)) != NULL) {
		evbuffer_copyout(body, bodytxt, blen);
		bodytxt[blen] = '\0';
		tr.body = bodytxt;
		tr.body_len = blen;
	}
	ky_taxii_handle(s->taxii, &tr, &resp);
	if (resp.status == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "WWW-Authenticate", "Basic realm=\"kyklos\"");
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", resp.content_type);
	if (resp.date_first[0]) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "X-TAXII-Date-Added-First", resp.date_first);
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "X-TAXII-Date-Added-Last", resp.date_last);
	}
	if ((out = evbuffer_new()) != NULL)
		evbuffer_add(out, resp.body.data ? resp.body.data : "",
			     resp.body.len);
	evhttp_send_reply(req, resp.status, NULL, out);
	if (out)
		evbuffer_free(out);
	ky_buf_free(&resp.body);
	free(bodytxt);
	free(path);
}

static struct bufferevent *taxii_bev_cb(struct event_base *base, void *ud)
{
	SSL_CTX *ctx = ud;
	SSL *ssl = SSL_new(ctx);

	return ssl ? bufferevent_openssl_socket_new(base, -1, ssl,
						    BUFFEREVENT_SSL_ACCEPTING,
						    BEV_OPT_CLOSE_ON_FREE)
		   : NULL;
}

static struct bufferevent *bev_cb(struct event_base *base, void *ud)
{
	struct ky_sync *s = ud;
	SSL *ssl = SSL_new(s->sctx);

	return ssl ? bufferevent_openssl_socket_new(base, -1, ssl,
						    BUFFEREVENT_SSL_ACCEPTING,
						    BEV_OPT_CLOSE_ON_FREE)
		   : NULL;
}

/* ---- the tick ----------------------------------------------------------- */

struct inc_pub {
	struct ky_sync *s;
	struct ky_stix_ctx c;
	json_t **objs;
	size_t n, cap;
	int64_t newest;
};

static int inc_cb(void *ud, const struct ky_doc_row *row)
{
	struct inc_pub *p = ud;
	json_t *doc, *o;

	if (row->updated_ns <= p->s->inc_cursor_ns)
		return 0;
	if (row->updated_ns > p->newest)
		p->newest = row->updated_ns;
	if ((doc = json_loadb(row->json, row->json_len, 0, NULL)) == NULL)
		return 0;
	o = ky_stix_incident(&p->c, doc, NULL);
	json_decref(doc);
	if (o == NULL)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		json_t **np = realloc(p->objs, nc * sizeof(*np));

		if (np == NULL) {
			json_decref(o);
			return KY_E_NOMEM;
		}
		p->objs = np;
		p->cap = nc;
	}
	p->objs[p->n++] = o;
	return 0;
}

/* Incidents changed since the last tick become new STIX versions. */
static void publish_incidents(struct ky_sync *s)
{
	struct inc_pub p = {.s = s};
	struct ky_err err = {0};
	size_t added = 0;
	int r;

	p.c.node_id = s->node_id;
	p.c.node_name = s->cfg->node_name && *s->cfg->node_name
				? s->cfg->node_name
				: NULL;
	p.c.now_ns = ky_time_now_ns();
	p.newest = s->inc_cursor_ns;
	r = ky_store_docs(s->wst, "incident", inc_cb, &p, &err);
	if (r == 0 && p.n > 0) {
		r = ky_store_begin(s->wst, &err);
		r = r ? r
		      : ky_share_publish(s->wst, &s->self, p.objs, p.n,
					 p.c.now_ns, &added, &err);
		r = r ? r
		      : ky_store_put_state(s->wst, "share.incidents", &p.newest,
					   sizeof(p.newest), p.c.now_ns, &err);
		r = r ? r : ky_store_commit(s->wst, &err);
		if (r != 0)
			ky_store_rollback(s->wst);
	}
	if (r == 0) {
		s->inc_cursor_ns = p.newest;
		atomic_fetch_add(&s->published, added);
	} else {
		KY_ERROR("sync: publishing incidents: %s", err.msg);
	}
	for (size_t i = 0; i < p.n; i++)
		json_decref(p.objs[i]);
	free(p.objs);
}

static int pending_cb(void *ud, const struct ky_pending_entry *e)
{
	ky__sync_record(ud, e->kind, e->sha256, e->peer, e->policy);
	return 0;
}

/* Once an hour: superseded versions older than share.retention leave the
 * change log. */
static void compact(struct ky_sync *s)
{
	int64_t now = ky_time_mono_ns();
	struct ky_err err = {0};
	size_t total = 0;

	if (s->cfg->share_retention <= 0 ||
	    (s->compact_ns != 0 && now - s->compact_ns < 3600 * 1000000000LL))
		return;
	s->compact_ns = now;
	if (ky_changes_compact_all(s->wst,
				   ky_time_now_ns() - s->cfg->share_retention *
							      86400 *
							      1000000000LL,
				   &total, &err) != 0)
		KY_ERROR("change log: %s", err.msg);
	else if (total > 0)
		KY_INFO("change log: %zu superseded versions older than %lld "
			"days removed",
			total, (long long)s->cfg->share_retention);
}

static void work_once(struct ky_sync *s)
{
	struct ky_err err = {0};
	int64_t seq = 0;
	size_t n = 0;
	bool grew = false;

	publish_incidents(s);
	ky__sync_publish_tick(s);
	if (s->ledger != NULL) {
		/* what CLI commands recorded while we hold the ledger */
		if (ky_store_begin(s->wst, &err) == 0) {
			if (ky_ledger_pending_drain(s->wst, 10000, pending_cb,
						    s, &n, &err) == 0)
				ky_store_commit(s->wst, &err);
			else
				ky_store_rollback(s->wst);
		}
		pthread_mutex_lock(&s->lmu);
		if (s->ledger_dirty && ky_ledger_sync(s->ledger, &err) == 0)
			s->ledger_dirty = 0;
		pthread_mutex_unlock(&s->lmu);
	}
	if (ky_changes_max_seq(s->wst, &seq, &err) == 0 && seq > s->seq_seen) {
		s->seq_seen = seq;
		grew = true;
		pthread_mutex_lock(&s->mu);
		s->news = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	ky__sync_circle_tick(s, grew);
	ky__sync_checkpoint(s);
	compact(s);
}

/* The publisher: everything that writes the change log on the node's own
 * behalf, off the endpoint's thread so that serving is never held up by
 * it (a lost notify costs a pull interval). */
static void *pub_main(void *arg)
{
	struct ky_sync *s = arg;

	for (;;) {
		struct timespec ts;

		pthread_mutex_lock(&s->mu);
		if (s->stopping) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TICK_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&s->pub_cv, &s->mu, &ts);
		if (s->stopping) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		pthread_mutex_unlock(&s->mu);
		work_once(s);
	}
	return NULL;
}

static void *srv_main(void *arg)
{
	struct ky_sync *s = arg;

	event_base_dispatch(s->base);
	return NULL;
}

/* ---- start / stop ------------------------------------------------------- */

static int load_policy(struct ky_sync *s, struct ky_err *err)
{
	char path[4200], ckey[4200], text[80];
	uint8_t key[32];
	FILE *f;
	size_t n;
	int r;

	node_path(s->cfg, s->cfg->share_policy, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL) {
		KY_WARN("sync: no sharing policy at %s: nothing will leave "
			"this node",
			path);
		return 0;
	}
	fclose(f);
	if ((r = ky_policy_load(path, &s->pol, err)) != 0)
		return r;
	node_path(s->cfg, s->cfg->share_circle_key, ckey, sizeof(ckey));
	if ((f = fopen(ckey, "r")) == NULL)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (size_t i = 0; i < 32; i++) {
		unsigned v;

		if (n < 64 || sscanf(text + 2 * i, "%2x", &v) != 1)
			return ky_err_set(err, KY_E_CONFIG,
					  "%s: expected 64 hex digits", ckey);
		key[i] = (uint8_t)v;
	}
	r = ky_policy_set_key(s->pol, key, err);
	memset(key, 0, sizeof(key));
	memset(text, 0, sizeof(text));
	return r;
}

static int open_key(struct ky_sync *s, struct ky_err *err)
{
	const struct ky_config *c = s->cfg;
	struct ky_keystore_opts o = {0};
	char kf[4200], pf[4200], pin[4200];

	o.backend = strcmp(c->ks_backend, "pkcs11") == 0 ? KY_KS_PKCS11
							 : KY_KS_FILE;
	node_path(c, c->ks_key_file, kf, sizeof(kf));
	o.key_path = kf;
	if (c->ks_passphrase_file && *c->ks_passphrase_file) {
		node_path(c, c->ks_passphrase_file, pf, sizeof(pf));
		o.passphrase_file = pf;
	}
	o.passphrase_env = c->ks_passphrase_env;
	o.module = c->ks_module;
	o.token_label = c->ks_token;
	o.key_label = c->ks_key_label;
	o.key_id_hex = c->ks_key_id;
	if (c->ks_pin_file && *c->ks_pin_file) {
		node_path(c, c->ks_pin_file, pin, sizeof(pin));
		o.pin_file = pin;
	}
	o.pin_env = c->ks_pin_env;
	return ky_keystore_open(&o, &s->ks, err);
}

/* Binds an HTTP server to "host:port"; the bound address to bound. */
static int bind_http(struct evhttp *http, const char *key, const char *spec,
		     char *bound, size_t boundlen, struct ky_err *err)
{
	struct evhttp_bound_socket *bs;
	char host[256], ab[64];
	const char *colon = strrchr(spec, ':');
	long port = colon ? strtol(colon + 1, NULL, 10) : -1;
	struct sockaddr_storage ss;
	ev_socklen_t sl = sizeof(ss);

	if (colon == NULL || port < 0 || port > 65535 ||
	    (size_t)(colon - spec) >= sizeof(host))
		return ky_err_set(err, KY_E_CONFIG, "%s %s: expected host:port",
				  key, spec);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	evhttp_set_max_headers_size(http, 32768);
	evhttp_set_timeout(http, 60);
	if ((bs = evhttp_bind_socket_with_handle(http, host,
						 (ev_uint16_t)port)) == NULL)
		return ky_err_set(err, KY_E_NET, "%s %s: cannot bind", key,
				  spec);
	/* accepted sockets inherit it (Linux): a response's last small
	 * write must not wait for the peer's delayed ACK (40 ms) */
	{
		int one = 1;

		(void)setsockopt(evhttp_bound_socket_get_fd(bs), IPPROTO_TCP,
				 TCP_NODELAY, &one, sizeof(one));
	}
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss,
			&sl) != 0)
		return 0;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)&ss;

		evutil_inet_ntop(AF_INET6, &a->sin6_addr, ab, sizeof(ab));
		snprintf(bound, boundlen, "[%s]:%d", ab, ntohs(a->sin6_port));
	} else {
		struct sockaddr_in *a = (void *)&ss;

		evutil_inet_ntop(AF_INET, &a->sin_addr, ab, sizeof(ab));
		snprintf(bound, boundlen, "%s:%d", ab, ntohs(a->sin_port));
	}
	return 0;
}

int ky_sync_start(struct ky_sync **out, const struct ky_config *cfg,
		  char *bound, size_t boundlen, char *taxii_bound,
		  size_t taxii_boundlen, struct ky_err *err)
{
	struct ky_sync *s = calloc(1, sizeof(*s));
	char path[4200], spki[65];
	struct ky_ledger_repair rep;
	int64_t now = ky_time_now_ns();
	void *st = NULL;
	size_t stn = 0;
	int r;

	*out = NULL;
	bound[0] = '\0';
	taxii_bound[0] = '\0';
	if (s == NULL)
		return ky_err_set(err, KY_E_NOMEM, "sync: out of memory");
	s->cfg = cfg;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->lmu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->pub_cv, NULL);
	*out = s;
	if ((r = open_key(s, err)) != 0) {
		ky_err_prefix(err, "sync: node key");
		return r;
	}
	ky_identity_node_id(ky_keystore_pubkey(s->ks), s->node_id);
	ky_signer_from_keystore(&s->sg, s->ks, s->node_id);
	s->self.node_id = s->node_id;
	s->self.signer = &s->sg;
	{
		int t = ky_tlp_parse(cfg->share_tlp);

		s->own_tlp = t >= 0 && t < KY_TLP_UNSET ? (enum ky_tlp)t
							: KY_TLP_AMBER;
	}
	if ((r = load_policy(s, err)) != 0)
		return r;
	node_path(cfg, cfg->store_path, path, sizeof(path));
	if ((r = ky_store_open(&s->sst, path, 0, (int)cfg->busy_timeout_ms,
			       err)) != 0 ||
	    (r = ky_store_open(&s->wst, path, 0, (int)cfg->busy_timeout_ms,
			       err)) != 0 ||
	    (r = ky_store_open(&s->pst, path, 0, (int)cfg->busy_timeout_ms,
			       err)) != 0)
		return r;
	if (ky_store_get_state(s->sst, "share.incidents", &st, &stn, NULL) ==
		    0 &&
	    stn == sizeof(int64_t))
		memcpy(&s->inc_cursor_ns, st, sizeof(int64_t));
	free(st);
	st = NULL;
	if (ky_store_get_state(s->sst, "share.sightings", &st, &stn, NULL) ==
		    0 &&
	    stn == sizeof(int64_t))
		memcpy(&s->alert_cursor, st, sizeof(int64_t));
	free(st);
	ky_changes_max_seq(s->sst, &s->seq_seen, NULL);
	node_path(cfg, cfg->ledger_dir, path, sizeof(path));
	if ((r = ky_ledger_open(path, KY_LEDGER_CREATE, &s->ledger, &rep,
				err)) != 0) {
		KY_WARN("sync: %s: objects sent and received are not "
			"ledgered until it is free",
			err->msg);
		s->ledger = NULL;
	}
	if ((r = ky_sync_tls_ensure(cfg->home, s->key_path, sizeof(s->key_path),
				    s->crt_path, sizeof(s->crt_path), err)) !=
		    0 ||
	    (r = ky_sync_spki_hex_file(s->crt_path, spki, err)) != 0)
		return r;
	memcpy(s->spki, spki, sizeof(spki));
	if ((r = ky_sync_binding_make(&s->sg, s->node_id, spki, now,
				      now + BINDING_DAYS * 86400LL *
						      1000000000LL,
				      &s->binding, err)) != 0)
		return r;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((s->base = event_base_new()) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "sync: event loop");
	if (cfg->share_listen && *cfg->share_listen) {
		if ((s->sctx = ky_sync_server_ctx(s->key_path, s->crt_path,
						  err)) == NULL)
			return KY_E_TLS;
		if ((s->http = evhttp_new(s->base)) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "sync: http");
		evhttp_set_bevcb(s->http, bev_cb, s);
		evhttp_set_gencb(s->http, http_cb, s);
		evhttp_set_allowed_methods(s->http,
					   EVHTTP_REQ_GET | EVHTTP_REQ_POST);
		evhttp_set_max_body_size(s->http, 4096);
		if ((r = bind_http(s->http, "share.listen", cfg->share_listen,
				   bound, boundlen, err)) != 0)
			return r;
	}
	if (cfg->taxii_listen && *cfg->taxii_listen) {
		struct ky_taxii_conf tc = {0};
		char base[128];

		if ((s->tctx = SSL_CTX_new(TLS_server_method())) == NULL ||
		    SSL_CTX_set_min_proto_version(s->tctx, TLS1_2_VERSION) !=
			    1 ||
		    SSL_CTX_use_certificate_file(s->tctx, s->crt_path,
						 SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_use_PrivateKey_file(s->tctx, s->key_path,
						SSL_FILETYPE_PEM) != 1)
			return ky_err_set(err, KY_E_TLS, "taxii: TLS context");
		if ((s->taxii_http = evhttp_new(s->base)) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "taxii: http");
		evhttp_set_bevcb(s->taxii_http, taxii_bev_cb, s->tctx);
		evhttp_set_gencb(s->taxii_http, taxii_cb, s);
		evhttp_set_allowed_methods(s->taxii_http,
					   EVHTTP_REQ_GET | EVHTTP_REQ_POST |
						   EVHTTP_REQ_DELETE);
		/* a body past max_content_length is answered 413 by the
		 * handler; far past it, libevent closes the connection */
		evhttp_set_max_body_size(s->taxii_http, 64u << 20);
		if ((r = bind_http(s->taxii_http, "taxii.listen",
				   cfg->taxii_listen, taxii_bound,
				   taxii_boundlen, err)) != 0)
			return r;
		snprintf(base, sizeof(base), "https://%s", taxii_bound);
		tc.node_id = s->node_id;
		tc.title = cfg->node_name;
		tc.base_url = base;
		tc.max_content_length = 10u << 20;
		tc.rec = ky__sync_record;
		tc.rud = s;
		if ((r = ky_taxii_new(&s->taxii, &tc, s->sst, s->pol, &s->self,
				      err)) != 0)
			return r;
	}
	/* named for top -H and the sync benchmark's per-thread figures */
	if (pthread_create(&s->srv_th, NULL, srv_main, s) != 0)
		return ky_err_set(err, KY_E_INTERNAL, "sync: thread");
	s->srv_started = true;
	pthread_setname_np(s->srv_th, "ky-sync-serve");
	if (pthread_create(&s->pull_th, NULL, ky__sync_pull_main, s) != 0)
		return ky_err_set(err, KY_E_INTERNAL, "sync: thread");
	s->pull_started = true;
	pthread_setname_np(s->pull_th, "ky-sync-pull");
	if (pthread_create(&s->pub_th, NULL, pub_main, s) != 0)
		return ky_err_set(err, KY_E_INTERNAL, "sync: thread");
	s->pub_started = true;
	pthread_setname_np(s->pub_th, "ky-sync-publish");
	KY_INFO("sync: node %s%s%s, policy %s", s->node_id,
		bound[0] ? ", endpoint " : "", bound,
		s->pol ? ky_policy_version(s->pol) : "(none)");
	return 0;
}

void ky_sync_stop(struct ky_sync *s)
{
	struct ky_err err = {0};

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_cond_broadcast(&s->pub_cv);
	pthread_mutex_unlock(&s->mu);
	if (s->pull_started)
		pthread_join(s->pull_th, NULL);
	if (s->pub_started)
		pthread_join(s->pub_th, NULL);
	if (s->srv_started) {
		event_base_loopexit(s->base, NULL);
		pthread_join(s->srv_th, NULL);
	}
	if (s->http)
		evhttp_free(s->http);
	if (s->taxii_http)
		evhttp_free(s->taxii_http);
	ky_taxii_free(s->taxii);
	SSL_CTX_free(s->tctx);
	if (s->base)
		event_base_free(s->base);
	SSL_CTX_free(s->sctx);
	if (s->ledger) {
		ky_ledger_sync(s->ledger, &err);
		ky_ledger_close(s->ledger);
	}
	ky_store_close(s->sst);
	ky_store_close(s->wst);
	ky_store_close(s->pst);
	ky_policy_free(s->pol);
	ky_keystore_close(s->ks);
	free(s->binding);
	free(s->cp_note);
	json_decref(s->circle_map);
	json_decref(s->circle_ids);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->lmu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->pub_cv);
	free(s);
}

int ky_sync_metrics(struct ky_sync *s, struct ky_buf *out)
{
	if (s == NULL)
		return 0;
	return ky_buf_addf(
		out,
		"# TYPE kyklos_sync_pulls_total counter\n"
		"kyklos_sync_pulls_total{result=\"ok\"} %llu\n"
		"kyklos_sync_pulls_total{result=\"failed\"} %llu\n"
		"# TYPE kyklos_sync_objects_total counter\n"
		"kyklos_sync_objects_total{direction=\"in\"} %llu\n"
		"kyklos_sync_objects_total{direction=\"out\"} %llu\n"
		"kyklos_sync_objects_total{direction=\"refused\"} %llu\n"
		"kyklos_sync_objects_total{direction=\"duplicate\"} %llu\n"
		"kyklos_sync_objects_total{direction=\"published\"} %llu\n"
		"# TYPE kyklos_sync_requests_total counter\n"
		"kyklos_sync_requests_total{result=\"served\"} %llu\n"
		"kyklos_sync_requests_total{result=\"denied\"} %llu\n"
		"# TYPE kyklos_sync_bytes_total counter\n"
		"kyklos_sync_bytes_total{direction=\"out\"} %llu\n"
		"kyklos_sync_bytes_total{direction=\"in\"} %llu\n",
		(unsigned long long)atomic_load(&s->pulls_ok),
		(unsigned long long)atomic_load(&s->pulls_failed),
		(unsigned long long)atomic_load(&s->objects_in),
		(unsigned long long)atomic_load(&s->objects_out),
		(unsigned long long)atomic_load(&s->refused),
		(unsigned long long)atomic_load(&s->duplicates),
		(unsigned long long)atomic_load(&s->published),
		(unsigned long long)atomic_load(&s->served),
		(unsigned long long)atomic_load(&s->denied),
		(unsigned long long)atomic_load(&s->bytes_out),
		(unsigned long long)atomic_load(&s->bytes_in));
}
