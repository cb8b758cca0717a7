/* The puller (node/sync_int.h): for each peer with an address, pull the
 * changes after our cursor over mutually authenticated TLS, check the
 * peer's binding against its pinned key and the certificate of the
 * session, stage the batch line by line and commit it together with the
 * new cursor.  Wakes on a push notification, on our own news (to notify
 * the peers) and on a timer; failures back off exponentially with
 * jitter. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/time.h"
#include "node/sync_int.h"
#include "node/sync_tls.h"

#define NS 1000000000LL
#define BACKOFF_MIN (1 * NS)
#define BACKOFF_MAX (300 * NS)
#define ROUNDS_MAX 100	     /* batches per pull while the peer has more */
#define SPOOL_MAX (64 << 20) /* bytes of one batch held before applying */
/* bytes of a batch parsed ahead by the fetch thread (a parsed line takes
 * several times its size; past this the apply parses) */
#define PARSE_AHEAD_MAX (16 << 20)

struct peer_copy {
	char name[128], node_id[64], pubkey[160], url[512], country[8];
	char groups[256];
	bool paused;
};

struct peers {
	struct peer_copy *v;
	size_t n, cap;
};

static int list_cb(void *ud, const struct ky_peer_row *p)
{
	struct peers *ps = ud;
	struct peer_copy *c;

	if (p->url == NULL || p->paused)
		return 0; /* offline peers get bundles; paused ones nothing */
	if (ps->n == ps->cap) {
		size_t nc = ps->cap ? ps->cap * 2 : 8;
		struct peer_copy *nv = realloc(ps->v, nc * sizeof(*nv));

		if (nv == NULL)
			return KY_E_NOMEM;
		ps->v = nv;
		ps->cap = nc;
	}
	c = &ps->v[ps->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", p->name);
	snprintf(c->node_id, sizeof(c->node_id), "%s", p->node_id);
	snprintf(c->pubkey, sizeof(c->pubkey), "%s", p->pubkey);
	snprintf(c->url, sizeof(c->url), "%s", p->url);
	snprintf(c->country, sizeof(c->country), "%s",
		 p->country ? p->country : "");
	snprintf(c->groups, sizeof(c->groups), "%s",
		 p->groups ? p->groups : "");
	return 0;
}

static struct peer_sched *sched_of(struct ky_sync *s, const char *name)
{
	for (size_t i = 0; i < s->nsched; i++)
		if (strcmp(s->sched[i].name, name) == 0)
			return &s->sched[i];
	if (s->nsched == SYNC_PEERS_MAX)
		return NULL;
	memset(&s->sched[s->nsched], 0, sizeof(s->sched[0]));
	snprintf(s->sched[s->nsched].name, sizeof(s->sched[0].name), "%s",
		 name);
	return &s->sched[s->nsched++];
}

void ky__sync_wake(struct ky_sync *s, const char *node_id)
{
	struct ky_err err = {0};
	struct peers ps = {0};

	/* the server thread's connection: it is the caller's */
	if (ky_peers_list(s->sst, list_cb, &ps, &err) != 0)
		return;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < ps.n; i++) {
		struct peer_sched *ps1;

		if (strcmp(ps.v[i].node_id, node_id) != 0)
			continue;
		if ((ps1 = sched_of(s, ps.v[i].name)) != NULL) {
			ps1->due_ns = 0;
			ps1->backoff_ns = 0;
		}
	}
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	free(ps.v);
}

/* ---- one transfer ------------------------------------------------------- */

struct xfer {
	struct ky_sync *s;
	const struct peer_copy *p;
	CURL *c;
	struct ky_batch_in *b;
	struct ky_buf line;
	char *binding;			  /* the response's header */
	char *cp, *proof;		  /* Kyklos-Checkpoint, Kyklos-Proof */
	char learned[KY_PUBKEY_TEXT_MAX]; /* key of a peer pinned by its
					   * fingerprint, as presented */
	bool more, checked, failed;
	struct ky_err err;
};

static size_t header_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	if (len > 16 && strncasecmp(buf, "Kyklos-Binding:", 15) == 0) {
		const char *v = buf + 15;
		size_t vl = len - 15;

		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		free(x->binding);
		x->binding = strndup(v, vl);
	} else if (len > 18 &&
		   strncasecmp(buf, "Kyklos-Checkpoint:", 18) == 0) {
		const char *v = buf + 18;
		size_t vl = len - 18;

		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		free(x->cp);
		x->cp = strndup(v, vl);
	} else if (len > 13 && strncasecmp(buf, "Kyklos-Proof:", 13) == 0) {
		const char *v = buf + 13;
		size_t vl = len - 13;

		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		free(x->proof);
		x->proof = strndup(v, vl);
	} else if (len > 12 && strncasecmp(buf, "Kyklos-More:", 12) == 0) {
		x->more = strchr(buf + 12, '1') != NULL;
	}
	return len;
}

/* Before the first byte of the body: is this the pinned peer? */
static int check_peer(struct xfer *x)
{
	const struct curl_tlssessioninfo *ti = NULL;
	struct ky_pubkey pk;
	X509 *crt = NULL;
	char spki[65];
	bool learned = false;
	int r;

	if (curl_easy_getinfo(x->c, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_OPENSSL ||
	    ti->internals == NULL ||
	    (crt = SSL_get1_peer_certificate(ti->internals)) == NULL ||
	    ky_sync_spki_hex(crt, spki) != 0) {
		X509_free(crt);
		return ky_err_set(&x->err, KY_E_TLS,
				  "peer %s: no TLS certificate to check",
				  x->p->name);
	}
	X509_free(crt);
	if ((r = ky_sync_pinned_key(x->p->pubkey, x->binding, &pk, &learned,
				    &x->err)) != 0 ||
	    (r = ky_sync_binding_check(x->binding, &pk, x->p->node_id, spki,
				       ky_time_now_ns(), &x->err)) != 0) {
		ky_err_prefix(&x->err, "peer %s (%s)", x->p->name, x->p->url);
		return r;
	}
	if (learned) /* kept by the thread that holds the store */
		ky_pubkey_format(&pk, x->learned);
	return 0;
}

static size_t body_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	long code = 0;

	if (x->failed)
		return 0;
	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return len; /* the error text, kept for the log below */
	if (!x->checked) {
		x->checked = true;
		if (check_peer(x) != 0) {
			x->failed = true;
			return 0;
		}
	}
	/* spooled, not applied: no store lock is held while bytes travel
	 * (two nodes pulling from each other would wait on each other) */
	if (ky_buf_add(&x->line, buf, len) != 0) {
		ky_err_set(&x->err, KY_E_TOOBIG,
			   "peer %s: a batch larger than %d MiB", x->p->name,
			   SPOOL_MAX >> 20);
		x->failed = true;
		return 0;
	}
	return len;
}

/* A batch on its way: fetched (network only, no store) by one thread
 * while the one before it is applied by another. */
struct fetch {
	struct xfer x;
	int64_t cursor, cosigned;
	int64_t t_start, t_got;
	int rc;
	struct ky_err err;
	/* the lines parsed ahead (NULL: parse at apply), in line order */
	json_t **parsed;
	size_t nparsed;
};

static void fetch_free(struct fetch *f)
{
	for (size_t i = 0; i < f->nparsed; i++)
		json_decref(f->parsed[i]);
	free(f->parsed);
	curl_easy_cleanup(f->x.c);
	ky_buf_free(&f->x.line);
	free(f->x.binding);
	free(f->x.cp);
	free(f->x.proof);
	memset(f, 0, sizeof(*f));
}

/* The batch after f->cursor, spooled into f->x.line; f->rc and f->err
 * say how it went.  Touches no store: it may run beside an apply. */
static void fetch_run(struct ky_sync *s, const struct peer_copy *p,
		      struct fetch *f)
{
	struct curl_slist *h = NULL;
	char url[800], *hb = NULL;
	long code = 0;
	CURLcode cr;

	f->x.s = s;
	f->x.p = p;
	ky_buf_init(&f->x.line, SPOOL_MAX);
	snprintf(url, sizeof(url),
		 "%s/kyklos/v1/changes?after=%lld&limit=%lld&cosigned=%lld",
		 p->url, (long long)f->cursor,
		 (long long)s->cfg->share_batch_limit, (long long)f->cosigned);
	if ((hb = malloc(strlen(s->binding) + 32)) == NULL) {
		f->rc = ky_err_set(&f->err, KY_E_NOMEM, "sync: out of memory");
		return;
	}
	snprintf(hb, strlen(s->binding) + 32, "Kyklos-Binding: %s", s->binding);
	if ((f->x.c = curl_easy_init()) == NULL ||
	    (h = curl_slist_append(NULL, hb)) == NULL) {
		f->rc = ky_err_set(&f->err, KY_E_NOMEM, "sync: out of memory");
		goto out;
	}
	curl_easy_setopt(f->x.c, CURLOPT_URL, url);
	curl_easy_setopt(f->x.c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(f->x.c, CURLOPT_SSLCERT, s->crt_path);
	curl_easy_setopt(f->x.c, CURLOPT_SSLKEY, s->key_path);
	/* no CA: the peer's binding, checked before any byte is used */
	curl_easy_setopt(f->x.c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(f->x.c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(
		f->x.c, CURLOPT_SSLVERSION,
		(long)(CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_DEFAULT));
	curl_easy_setopt(f->x.c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(f->x.c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(f->x.c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(f->x.c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->x.c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(f->x.c, CURLOPT_HEADERDATA, &f->x);
	curl_easy_setopt(f->x.c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(f->x.c, CURLOPT_WRITEDATA, &f->x);
	f->t_start = ky_time_mono_ns();
	cr = curl_easy_perform(f->x.c);
	f->t_got = ky_time_mono_ns();
	curl_easy_getinfo(f->x.c, CURLINFO_RESPONSE_CODE, &code);
	if (f->x.failed) {
		f->rc = f->x.err.status ? f->x.err.status : KY_E_VERIFY;
		f->err = f->x.err;
	} else if (cr != CURLE_OK) {
		f->rc = ky_err_set(&f->err, KY_E_NET, "peer %s (%s): %s",
				   p->name, p->url, curl_easy_strerror(cr));
	} else if (code != 200) {
		f->rc = ky_err_set(&f->err, KY_E_NET, "peer %s (%s): HTTP %ld",
				   p->name, p->url, code);
	}
out:
	curl_slist_free_all(h);
	free(hb);
}

/* Parses the spooled lines (up to PARSE_AHEAD_MAX bytes) so that the
 * apply, in the other thread, only checks and stores. */
static void parse_ahead(struct fetch *f)
{
	const char *p = f->x.line.data, *end = p + f->x.line.len;
	size_t n = 0, cap = 0, bytes = 0;

	while (p < end && bytes < PARSE_AHEAD_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			json_t **np = realloc(f->parsed, nc * sizeof(*np));

			if (np == NULL)
				break; /* the apply parses the rest */
			f->parsed = np;
			cap = nc;
		}
		f->parsed[n++] = ky_batch_line_parse(p, len);
		f->nparsed = n;
		bytes += len;
		p += len;
	}
}

/* Where the spooled batch says it ends (its trailer's "last"), read
 * without trusting it: only to ask for the next batch early.  The apply
 * verifies the trailer, and a next batch that does not start where the
 * verified one ended is thrown away. */
static int64_t spooled_last(const struct ky_buf *line)
{
	const char *e, *p;
	json_t *j;
	int64_t last = -1;

	if (line->len < 2)
		return -1;
	e = line->data + line->len - 1; /* its final newline */
	for (p = e; p > line->data && p[-1] != '\n'; p--)
		;
	if ((j = json_loadb(p, (size_t)(e - p), 0, NULL)) != NULL &&
	    json_is_integer(json_object_get(j, "last")))
		last = json_integer_value(json_object_get(j, "last"));
	json_decref(j);
	return last;
}

/* Applies a fetched batch in one transaction with the new cursor; 0
 * (with *last, *more, *added) or error. */
static int apply(struct ky_sync *s, const struct peer_copy *p, struct fetch *f,
		 int64_t *last, bool *more, size_t *added, struct ky_err *err)
{
	struct xfer *x = &f->x;
	struct ky_peer_row row = {
		.name = p->name, .node_id = p->node_id, .pubkey = p->pubkey};
	struct ky_batch_result res = {0};
	bool in_tx = false;
	int64_t t0 = ky_time_mono_ns();
	int r;

	*more = false;
	*added = 0;
	if ((r = ky_store_begin(s->pst, err)) != 0)
		goto out;
	in_tx = true;
	if ((r = ky_batch_in_new(s->pst, &s->self, &row, &x->b, err)) != 0)
		goto out;
	for (size_t at = 0, i = 0; at < x->line.len; i++) {
		const char *p0 = x->line.data + at;
		const char *nl = memchr(p0, '\n', x->line.len - at);
		size_t n = nl ? (size_t)(nl - p0) + 1 : x->line.len - at;

		if (i < f->nparsed) {
			/* its reference goes to the batch */
			json_t *j = f->parsed[i];

			f->parsed[i] = NULL;
			r = ky_batch_in_parsed(x->b, p0, n, j, err);
		} else {
			r = ky_batch_in_line(x->b, p0, n, err);
		}
		if (r != 0)
			goto out;
		at += n;
	}
	if ((r = ky_batch_in_finish(x->b, &res, err)) != 0)
		goto out;
	if (res.after != f->cursor) {
		r = ky_err_set(err, KY_E_VERIFY,
			       "peer %s: batch after %lld, asked after %lld",
			       p->name, (long long)res.after,
			       (long long)f->cursor);
		goto out;
	}
	/* the cursor moves in the same transaction as the changes */
	if ((r = ky_peer_state_put(s->pst, p->name, "pulled", res.last, err)) !=
		    0 ||
	    (r = ky_store_commit(s->pst, err)) != 0)
		goto out;
	in_tx = false;
	ky_batch_in_record(x->b, ky__sync_record, s);
	if (x->cp != NULL)
		ky__sync_witness(s, p->name, p->url, p->pubkey, f->cosigned,
				 x->cp, x->proof ? x->proof : "");
	KY_DEBUG("sync: %s: %zu bytes in %.3f s, applied %zu in %.3f s",
		 p->name, x->line.len, (double)(f->t_got - f->t_start) / 1e9,
		 res.added, (double)(ky_time_mono_ns() - t0) / 1e9);
	if (res.refused)
		KY_WARN("sync: from %s, %zu changes refused:\n%s", p->name,
			res.refused, ky_batch_in_refusals(x->b));
	atomic_fetch_add(&s->objects_in, res.added);
	atomic_fetch_add(&s->bytes_in, x->line.len);
	atomic_fetch_add(&s->refused, res.refused);
	atomic_fetch_add(&s->duplicates, res.duplicate);
	*added = res.added;
	*last = res.last;
	*more = x->more && res.last > f->cursor;
out:
	if (r != 0 && in_tx)
		ky_store_rollback(s->pst);
	free(res.checkpoint);
	ky_batch_in_free(x->b);
	x->b = NULL;
	return r;
}

struct ahead {
	struct ky_sync *s;
	const struct peer_copy *p;
	struct fetch f;
};

static void *ahead_main(void *arg)
{
	struct ahead *a = arg;

	fetch_run(a->s, a->p, &a->f);
	if (a->f.rc == 0)
		parse_ahead(&a->f);
	return NULL;
}

static size_t discard(char *buf, size_t size, size_t n, void *ud)
{
	(void)buf;
	(void)ud;
	return size * n;
}

static bool notify(struct ky_sync *s, const struct peer_copy *p)
{
	struct curl_slist *h = NULL;
	char url[800], *hb;
	long code = 0;
	bool ok = false;
	CURL *c;

	if ((hb = malloc(strlen(s->binding) + 32)) == NULL)
		return false;
	snprintf(hb, strlen(s->binding) + 32, "Kyklos-Binding: %s", s->binding);
	snprintf(url, sizeof(url), "%s/kyklos/v1/notify", p->url);
	if ((c = curl_easy_init()) != NULL &&
	    (h = curl_slist_append(NULL, hb)) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c, CURLOPT_SSLCERT, s->crt_path);
		curl_easy_setopt(c, CURLOPT_SSLKEY, s->key_path);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(c, CURLOPT_SSLVERSION,
				 (long)(CURL_SSLVERSION_TLSv1_3 |
					CURL_SSLVERSION_MAX_DEFAULT));
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 2L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		/* a lost notify costs latency only: the timer pulls anyway,
		 * and the caller tries again */
		ok = curl_easy_perform(c) == CURLE_OK &&
		     curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) ==
			     CURLE_OK &&
		     code == 204;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(hb);
	return ok;
}

static int64_t jitter(int64_t v)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 0;
	/* +-20 % */
	return v +
	       (int64_t)((double)v * (((double)(r % 4001) / 10000.0) - 0.2));
}

static void pull_peer(struct ky_sync *s, struct peer_copy *p,
		      struct peer_sched *ps, bool *news)
{
	/* batch n+1 travels (and the peer builds it) while batch n is
	 * applied: the two sides work at once instead of in turn */
	struct fetch cur = {0};
	struct ahead nx = {.s = s, .p = p};
	struct ky_err err = {0};
	int64_t cursor = 0, now;
	size_t added = 0, total = 0;
	bool more = true, have = false;
	int r = 0;

	if ((r = ky_peer_state_get(s->pst, p->name, "pulled", &cursor, &err)) !=
	    0)
		goto done;
	for (int round = 0; more && round < ROUNDS_MAX; round++) {
		pthread_t th;
		bool started = false;
		int64_t guess, last = 0;

		if (!have) {
			cur.cursor = cursor;
			ky_peer_state_get(s->pst, p->name, "cosigned",
					  &cur.cosigned, NULL);
			fetch_run(s, p, &cur);
		}
		if ((r = cur.rc) != 0) {
			err = cur.err;
			fetch_free(&cur);
			break;
		}
		if (cur.x.learned[0] && strncmp(p->pubkey, "fp:", 3) == 0) {
			if ((r = ky_peers_learn_key(s->pst, p->name,
						    cur.x.learned, &err)) !=
			    0) {
				fetch_free(&cur);
				break;
			}
			KY_INFO("sync: peer %s presented a key with its pinned "
				"fingerprint: pinned to %s now",
				p->name, cur.x.learned);
			snprintf(p->pubkey, sizeof(p->pubkey), "%s",
				 cur.x.learned);
		}
		guess = cur.x.more ? spooled_last(&cur.x.line) : -1;
		if (guess > cursor && round + 1 < ROUNDS_MAX) {
			memset(&nx.f, 0, sizeof(nx.f));
			nx.f.cursor = guess;
			ky_peer_state_get(s->pst, p->name, "cosigned",
					  &nx.f.cosigned, NULL);
			started =
				pthread_create(&th, NULL, ahead_main, &nx) == 0;
		}
		r = apply(s, p, &cur, &last, &more, &added, &err);
		fetch_free(&cur);
		have = false;
		if (started) {
			pthread_join(th, NULL);
			/* only if it starts where the verified batch ended */
			if (r == 0 && more && nx.f.cursor == last) {
				cur = nx.f;
				have = true;
			} else {
				fetch_free(&nx.f);
			}
		}
		if (r != 0)
			break;
		cursor = last;
		total += added;
	}
	if (have)
		fetch_free(&cur);
done:
	now = ky_time_mono_ns();
	pthread_mutex_lock(&s->mu);
	if (r == 0) {
		ps->backoff_ns = 0;
		ps->due_ns = now + s->cfg->share_pull_interval * NS;
		atomic_fetch_add(&s->pulls_ok, 1);
	} else {
		ps->backoff_ns =
			ps->backoff_ns ? ps->backoff_ns * 2 : BACKOFF_MIN;
		if (ps->backoff_ns > BACKOFF_MAX)
			ps->backoff_ns = BACKOFF_MAX;
		ps->due_ns = now + jitter(ps->backoff_ns);
		atomic_fetch_add(&s->pulls_failed, 1);
	}
	pthread_mutex_unlock(&s->mu);
	if (r != 0)
		KY_WARN("sync: pull from %s failed (retry in %.1f s): %s",
			p->name, (double)ps->backoff_ns / NS, err.msg);
	else if (total > 0)
		KY_INFO("sync: %zu new objects from %s", total, p->name);
	if (total > 0)
		*news = true; /* relay: our change log grew */
}

void *ky__sync_pull_main(void *arg)
{
	struct ky_sync *s = arg;
	struct ky_err err = {0};

	for (;;) {
		struct peers ps = {0};
		int64_t now = ky_time_mono_ns(), next = now + NS;
		bool news, relayed = false;

		if (ky_peers_list(s->pst, list_cb, &ps, &err) != 0)
			KY_ERROR("sync: peers: %s", err.msg);
		pthread_mutex_lock(&s->mu);
		if (s->stopping) {
			pthread_mutex_unlock(&s->mu);
			free(ps.v);
			break;
		}
		news = s->news;
		s->news = false;
		pthread_mutex_unlock(&s->mu);
		for (size_t i = 0; i < ps.n; i++) {
			struct peer_sched *sc;
			bool due;

			pthread_mutex_lock(&s->mu);
			sc = sched_of(s, ps.v[i].name);
			due = sc && sc->due_ns <= now;
			if (sc && news)
				sc->notify = true;
			pthread_mutex_unlock(&s->mu);
			if (sc == NULL)
				continue;
			if (sc->notify) {
				sc->notify = false;
				/* once more at the next turn, unless the peer
				 * is failing anyway (its backoff rules then) */
				if (!notify(s, &ps.v[i]) && sc->backoff_ns == 0)
					sc->notify = true;
			}
			if (due)
				pull_peer(s, &ps.v[i], sc, &relayed);
			pthread_mutex_lock(&s->mu);
			if (sc->due_ns < next)
				next = sc->due_ns;
			pthread_mutex_unlock(&s->mu);
		}
		free(ps.v);
		pthread_mutex_lock(&s->mu);
		if (relayed)
			s->news = true;
		if (!s->stopping && !s->news) {
			int64_t wait = next - ky_time_mono_ns();
			struct timespec ts;

			if (wait > NS)
				wait = NS;
			if (wait > 0) {
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += (long)(wait % NS);
				ts.tv_sec += (time_t)(wait / NS) +
					     ts.tv_nsec / 1000000000L;
				ts.tv_nsec %= 1000000000L;
				pthread_cond_timedwait(&s->cv, &s->mu, &ts);
			}
		}
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}
