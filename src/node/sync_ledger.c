/* Checkpoints on the wire (docs/protocol.md): the node signs a checkpoint
 * of its ledger when it grows and hands it, with a consistency proof from
 * the size the puller last cosigned, in the headers of every batch; the
 * puller witnesses it (node key pinned, consistency proven) and sends its
 * cosignature back.  A fork is evidence kept, a critical alert, and the
 * peer paused until people look. */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/time.h"
#include "detect/sigma.h"
#include "ledger/note.h"
#include "ledger/witness.h"
#include "node/sync_int.h"

static void ldir(const struct ky_sync *s, char *out, size_t cap)
{
	const char *d = s->cfg->ledger_dir;

	if (d[0] == '/')
		snprintf(out, cap, "%s", d);
	else
		snprintf(out, cap, "%s/%s", s->cfg->home, d);
}

void ky__sync_origin(const struct ky_sync *s, char *out, size_t cap)
{
	if (s->cfg->ledger_origin && s->cfg->ledger_origin[0])
		snprintf(out, cap, "%s", s->cfg->ledger_origin);
	else
		snprintf(out, cap, "kyklos/%s", s->node_id);
}

static uint8_t note_type(enum ky_key_alg alg)
{
	return alg == KY_ALG_ED25519 ? KY_NOTE_TYPE_ED25519
				     : KY_NOTE_TYPE_ECDSA_P256;
}

/* On the server thread's tick: a new signed checkpoint when the ledger
 * grew. */
void ky__sync_checkpoint(struct ky_sync *s)
{
	struct ky_checkpoint cp = {0};
	struct ky_buf body, note;
	struct ky_err err = {0};
	char path[4300], dir[4200];
	uint64_t size;
	FILE *f;

	if (s->ledger == NULL)
		return;
	pthread_mutex_lock(&s->lmu);
	size = ky_ledger_size(s->ledger);
	if (size == s->cp_size || size == 0) {
		pthread_mutex_unlock(&s->lmu);
		return;
	}
	ky__sync_origin(s, cp.origin, sizeof(cp.origin));
	cp.size = size;
	ky_buf_init(&body, 0);
	ky_buf_init(&note, 0);
	if (ky_ledger_sync(s->ledger, &err) != 0 ||
	    ky_ledger_root(s->ledger, size, cp.root, &err) != 0 ||
	    ky_checkpoint_format(&cp, &body) != 0 ||
	    ky_note_sign(body.data, body.len, &s->sg, cp.origin, &note, &err) !=
		    0) {
		pthread_mutex_unlock(&s->lmu);
		KY_ERROR("checkpoint: %s", err.msg);
		goto out;
	}
	s->ledger_dirty = 0;
	free(s->cp_note);
	s->cp_note = ky_buf_steal(&note, NULL);
	s->cp_size = size;
	pthread_mutex_unlock(&s->lmu);
	/* where `kyklos ledger` keeps the latest too */
	ldir(s, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/checkpoint", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(s->cp_note, f);
		fclose(f);
	}
out:
	ky_buf_free(&body);
	ky_buf_free(&note);
}

static char *b64(const void *p, size_t n)
{
	char *o = malloc(4 * (n / 3 + 1) + 1);

	if (o != NULL)
		o[EVP_EncodeBlock((unsigned char *)o, p, (int)n)] = '\0';
	return o;
}

/* Response headers of a batch: the checkpoint, and the proof from the
 * size the puller says it cosigned. */
void ky__sync_cp_headers(struct ky_sync *s, int64_t cosigned,
			 struct evkeyvalq *h)
{
	ky_hash256 proof[KY_MERKLE_MAX_PROOF];
	struct ky_err err = {0};
	size_t np = 0;
	char *v;

	/* the publisher thread replaces the note: read it under the lock */
	pthread_mutex_lock(&s->lmu);
	if (s->cp_note == NULL) {
		pthread_mutex_unlock(&s->lmu);
		return;
	}
	if ((v = b64(s->cp_note, strlen(s->cp_note))) != NULL)
		evhttp_add_header(h, "Kyklos-Checkpoint", v);
	free(v);
	if (cosigned <= 0 || (uint64_t)cosigned >= s->cp_size) {
		pthread_mutex_unlock(&s->lmu);
		return;
	}
	if (ky_ledger_consistency(s->ledger, (uint64_t)cosigned, s->cp_size,
				  proof, &np, &err) == 0) {
		struct ky_buf b;

		ky_buf_init(&b, 0);
		for (size_t i = 0; i < np; i++) {
			char *x = b64(proof[i], KY_HASH_LEN);

			if (x && (i == 0 || ky_buf_addc(&b, ',') == 0))
				ky_buf_adds(&b, x);
			free(x);
		}
		if (b.data)
			evhttp_add_header(h, "Kyklos-Proof", b.data);
		ky_buf_free(&b);
	}
	pthread_mutex_unlock(&s->lmu);
}

/* POST /kyklos/v1/cosignature from a bound peer: our checkpoint with its
 * cosignature line, kept as ledger/cosignatures/<peer>. */
int ky__sync_take_cosignature(struct ky_sync *s, const char *peer,
			      const char *peer_node, const char *pubkey,
			      const char *body, size_t n, char *why, size_t cap)
{
	struct ky_note_verifier v;
	struct ky_pubkey pk;
	struct ky_note note = {0};
	struct ky_err err = {0};
	char name[300], dir[4200], path[4400];
	uint64_t t;
	FILE *f;
	int r = 400;

	snprintf(name, sizeof(name), "kyklos/%s", peer_node);
	if (ky_pubkey_parse(pubkey, &pk, &err) != 0 ||
	    ky_note_verifier_make(name, &pk, KY_NOTE_TYPE_COSIGNATURE, &v,
				  &err) != 0 ||
	    ky_note_parse(body, n, &note, &err) != 0 ||
	    ky_cosign_verify(&note, &v, &t, &err) != 0) {
		snprintf(why, cap, "cosignature of %.100s: %.200s", peer,
			 err.msg);
		goto out;
	}
	/* it must cosign a checkpoint of ours (perhaps not the latest: a
	 * newer one may have been signed while it travelled) */
	{
		struct ky_note_verifier own;
		char origin[300];

		ky__sync_origin(s, origin, sizeof(origin));
		if (ky_note_verifier_make(origin, &s->sg.pub,
					  note_type(s->sg.pub.alg), &own,
					  &err) != 0 ||
		    ky_note_verify(&note, &own, 1, NULL, &err) != 0) {
			snprintf(why, cap,
				 "cosignature of %.100s is not over a "
				 "checkpoint of ours: %.200s",
				 peer, err.msg);
			r = 409;
			goto out;
		}
	}
	ldir(s, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cosignatures", dir);
	(void)mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/cosignatures/%s.note", dir, peer);
	if ((f = fopen(path, "w")) == NULL || fwrite(body, 1, n, f) != n ||
	    fclose(f) != 0) {
		snprintf(why, cap, "%s: cannot write", path);
		r = 503;
		goto out;
	}
	KY_INFO("ledger: checkpoint cosigned by %s", peer);
	r = 0;
out:
	ky_note_free(&note);
	return r;
}

/* ---- the puller's side -------------------------------------------------- */

static void raise_fork(struct ky_sync *s, const char *peer,
		       const struct ky_witness_result *res)
{
	struct ky_alert_row row = {0};
	struct ky_err err = {0};
	int64_t now = ky_time_now_ns();
	char *text;

	text = ky_witness_fork_json(peer, res);
	if (text == NULL)
		return;
	row.kind = KY_ALERT_RULE;
	row.time_ns = row.recv_ns = row.created_ns = now;
	row.rule_id = "kyklos-ledger-fork";
	row.title = "Ledger fork of a peer";
	row.level = KY_SIGMA_CRITICAL;
	row.host = peer;
	row.json = text;
	row.json_len = strlen(text);
	if (ky_store_add_alert(s->pst, &row, &err) != 0 ||
	    ky_peers_pause(s->pst, peer, true, &err) != 0)
		KY_ERROR("ledger fork of %s: %s", peer, err.msg);
	free(text);
}

static size_t discard(char *b, size_t size, size_t n, void *ud)
{
	(void)b;
	(void)ud;
	return size * n;
}

static void post_cosignature(struct ky_sync *s, const char *url,
			     const char *note, size_t n)
{
	struct curl_slist *h = NULL;
	char u[800], *hb;
	CURL *c;

	if ((hb = malloc(strlen(s->binding) + 32)) == NULL)
		return;
	snprintf(hb, strlen(s->binding) + 32, "Kyklos-Binding: %s", s->binding);
	snprintf(u, sizeof(u), "%s/kyklos/v1/cosignature", url);
	if ((c = curl_easy_init()) != NULL &&
	    (h = curl_slist_append(NULL, hb)) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, u);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, note);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c, CURLOPT_SSLCERT, s->crt_path);
		curl_easy_setopt(c, CURLOPT_SSLKEY, s->key_path);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(c, CURLOPT_SSLVERSION,
				 (long)(CURL_SSLVERSION_TLSv1_3 |
					CURL_SSLVERSION_MAX_DEFAULT));
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_perform(c);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(hb);
}

/* The size of the last checkpoint of origin this node witnessed, 0 when
 * none. */
static uint64_t last_seen(const char *wdir, const char *origin)
{
	struct ky_note note = {0};
	struct ky_checkpoint cp = {0};
	uint64_t size = 0;
	char *text = NULL;
	size_t n = 0;

	if (ky_witness_last(wdir, origin, &text, &n, NULL) == 0 &&
	    ky_note_parse(text, n, &note, NULL) == 0 &&
	    ky_checkpoint_parse(note.text, note.text_len, &cp, NULL) == 0)
		size = cp.size;
	ky_checkpoint_free(&cp);
	ky_note_free(&note);
	free(text);
	return size;
}

void ky__sync_witness(struct ky_sync *s, const char *peer, const char *url,
		      const char *pubkey, int64_t asked_from,
		      const char *cp_b64, const char *proof_b64)
{
	ky_hash256 proof[KY_MERKLE_MAX_PROOF];
	struct ky_witness_result res;
	struct ky_note_verifier v;
	struct ky_checkpoint cp = {0};
	struct ky_note note = {0};
	struct ky_pubkey pk;
	struct ky_err err = {0};
	struct ky_buf cos;
	char dir[4200], wdir[4300], origin[300];
	unsigned char *raw = NULL;
	size_t np = 0, hl = strlen(cp_b64);
	int n;

	ky_buf_init(&cos, 0);
	if (hl == 0 || hl % 4 || (raw = malloc(hl)) == NULL)
		goto out;
	n = EVP_DecodeBlock(raw, (const unsigned char *)cp_b64, (int)hl);
	while (n > 0 && raw[n - 1] == '\0')
		n--;
	if (n <= 0 || ky_note_parse((char *)raw, (size_t)n, &note, &err) != 0 ||
	    ky_checkpoint_parse(note.text, note.text_len, &cp, &err) != 0) {
		KY_WARN("checkpoint from %s: %s", peer, err.msg);
		goto out;
	}
	snprintf(origin, sizeof(origin), "%s", cp.origin);
	for (const char *p = proof_b64; p && *p && np < KY_MERKLE_MAX_PROOF;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		unsigned char h[48];

		if (len == 44 && EVP_DecodeBlock(h, (const unsigned char *)p,
						 44) >= KY_HASH_LEN)
			memcpy(proof[np++], h, KY_HASH_LEN);
		p = e ? e + 1 : NULL;
	}
	if (ky_pubkey_parse(pubkey, &pk, &err) != 0 ||
	    ky_note_verifier_make(origin, &pk, note_type(pk.alg), &v, &err) !=
		    0)
		goto out;
	ldir(s, dir, sizeof(dir));
	(void)mkdir(dir, 0700);
	snprintf(wdir, sizeof(wdir), "%s/witness", dir);
	/* the proof runs from the size we asked from; when that is not the
	 * size we last witnessed (a batch fetched ahead while the one before
	 * it was witnessed, or a crash between witnessing and recording it),
	 * the proof cannot decide anything: ask again from the right size
	 * rather than call a fork */
	{
		uint64_t seen = last_seen(wdir, origin);

		if (seen > 0 && seen < cp.size &&
		    (uint64_t)asked_from != seen) {
			KY_DEBUG("checkpoint from %s: proof from size %lld, we "
				 "last witnessed %llu; asking from there next",
				 peer, (long long)asked_from,
				 (unsigned long long)seen);
			ky_peer_state_put(s->pst, peer, "cosigned",
					  (int64_t)seen, NULL);
			goto out;
		}
	}
	if (ky_witness_check(wdir, &v, (char *)raw, (size_t)n,
			     np ? proof : NULL, np, &res, &err) != 0) {
		KY_WARN("checkpoint from %s not witnessed: %s", peer, err.msg);
		goto out;
	}
	if (res.verdict == KY_WIT_FORK) {
		KY_ERROR("LEDGER FORK of %s: %s; evidence in %s; the peer is "
			 "paused",
			 peer, res.reason, res.evidence);
		raise_fork(s, peer, &res);
		goto out;
	}
	if (res.verdict == KY_WIT_STALE || res.verdict == KY_WIT_SAME)
		goto out;
	/* what the next proof must start from */
	ky_peer_state_put(s->pst, peer, "cosigned", (int64_t)res.size, NULL);
	if (s->sg.pub.alg != KY_ALG_ED25519)
		goto out; /* cosignatures are Ed25519 only (the spec) */
	{
		char me[300];

		snprintf(me, sizeof(me), "kyklos/%s", s->node_id);
		if (ky_cosign(note.text, note.text_len, &s->sg, me,
			      (uint64_t)(ky_time_now_ns() / 1000000000), &cos,
			      &err) != 0) {
			KY_WARN("cosigning %s: %s", peer, err.msg);
			goto out;
		}
	}
	{
		struct ky_buf all;

		ky_buf_init(&all, 0);
		if (ky_buf_add(&all, raw, (size_t)n) == 0 &&
		    ky_buf_add(&all, cos.data, cos.len) == 0)
			post_cosignature(s, url, all.data, all.len);
		ky_buf_free(&all);
	}
out:
	ky_checkpoint_free(&cp);
	ky_note_free(&note);
	ky_buf_free(&cos);
	free(raw);
}
