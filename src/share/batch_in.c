/* Reading a batch from a pinned peer (share/batch.h): line by line, with a
 * running hash, each change checked as STIX and against its seal, staged
 * in the caller's transaction; the trailer's signature over the hash of
 * every line decides whether anything of it may be committed.  Memory is
 * one line plus 32 bytes per change of the batch. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/hash.h"
#include "base/json_tree.h"
#include "base/time.h"
#include "intel/stix.h"
#include "ledger/merkle.h"
#include "share/batch.h"
#include "trust/sig.h"

#define SEALS_MAX 4096	  /* seals in one batch */
#define HOPS_MAX 16	  /* relays an object may pass */
#define REFUSALS_MAX 8192 /* bytes of refusal text kept */

json_t *ky__seal_payload(const char *origin, const uint8_t *hashes, size_t n);
int ky__delete_hash(const char *id, const char *modified, uint8_t out[32],
		    struct ky_err *err);

struct seal_in {
	char ref[24];
	char *origin;
	int64_t id; /* in the store; 0 when its signer is unknown to us */
	struct ky_hash *set;
	uint8_t *hashes;
};

struct pend {
	int64_t seq; /* 0: not added (duplicate or stale) */
	uint8_t h[32];
};

struct ky_batch_in {
	struct ky_store *st;
	const struct ky_share_self *self;
	char *sender_name, *sender_id;
	struct ky_pubkey sender_pk;
	EVP_MD_CTX *md;
	int state; /* 0 header, 1 body, 2 trailer seen */
	struct ky_batch_result res;
	int64_t prev_seq;
	size_t lines, changes;
	struct seal_in *seals;
	size_t nseals;
	struct pend *pend; /* changes sealed by "d", checked when it comes */
	size_t npend, cappend;
	uint8_t *got; /* hashes of changes added, for the ledger */
	size_t ngot, capgot;
	struct ky_buf refusals;
	struct ky_buf jcs; /* the current object's canonical form */
};

static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	if ((np = realloc(*p, nc * sz)) == NULL)
		return KY_E_NOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

int ky_batch_in_new(struct ky_store *st, const struct ky_share_self *self,
		    const struct ky_peer_row *sender, struct ky_batch_in **out,
		    struct ky_err *err)
{
	struct ky_batch_in *b = calloc(1, sizeof(*b));
	int r;

	*out = NULL;
	if (b == NULL)
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	b->st = st;
	b->self = self;
	ky_buf_init(&b->refusals, REFUSALS_MAX);
	ky_buf_init(&b->jcs, KY_BATCH_LINE_MAX);
	if (strncmp(sender->pubkey, "fp:", 3) == 0) {
		r = ky_err_set(err, KY_E_VERIFY,
			       "peer %s is pinned by fingerprint only, and its "
			       "key is learned at its first sync over the "
			       "network; for bundles, pin the key itself "
			       "(kyklos peer add %s --key KEY)",
			       sender->name, sender->name);
		ky_batch_in_free(b);
		return r;
	}
	if ((r = ky_pubkey_parse(sender->pubkey, &b->sender_pk, err)) != 0) {
		ky_err_prefix(err, "peer %s: pinned key", sender->name);
		ky_batch_in_free(b);
		return r;
	}
	if ((b->sender_name = strdup(sender->name)) == NULL ||
	    (b->sender_id = strdup(sender->node_id)) == NULL ||
	    (b->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(b->md, EVP_sha256(), NULL) != 1) {
		ky_batch_in_free(b);
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	}
	*out = b;
	return 0;
}

void ky_batch_in_free(struct ky_batch_in *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nseals; i++) {
		free(b->seals[i].origin);
		ky_hash_free(b->seals[i].set, NULL);
		free(b->seals[i].hashes);
	}
	free(b->seals);
	free(b->pend);
	free(b->got);
	free(b->sender_name);
	free(b->sender_id);
	free(b->res.checkpoint);
	EVP_MD_CTX_free(b->md);
	ky_buf_free(&b->refusals);
	ky_buf_free(&b->jcs);
	free(b);
}

bool ky_batch_in_done(const struct ky_batch_in *b)
{
	return b->state == 2;
}

const char *ky_batch_in_refusals(const struct ky_batch_in *b)
{
	return b->refusals.data ? b->refusals.data : "";
}

static int fail(struct ky_batch_in *b, struct ky_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ky_batch_in *b, struct ky_err *err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ky_err_set(err, KY_E_VERIFY, "batch from %s: %s", b->sender_name,
			  msg);
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int header(struct ky_batch_in *b, const json_t *j, struct ky_err *err)
{
	const json_t *after = json_object_get(j, "after");
	const json_t *seq = json_object_get(j, "bundle_seq");
	const char *pol = str(j, "policy");

	if (json_integer_value(json_object_get(j, "kyklos_batch")) != 1)
		return fail(b, err, "line 1: not a kyklos batch header");
	if (str(j, "from") == NULL || strcmp(str(j, "from"), b->sender_id))
		return fail(b, err, "line 1: from %s, expected %s",
			    str(j, "from") ? str(j, "from") : "(none)",
			    b->sender_id);
	if (str(j, "to") == NULL || strcmp(str(j, "to"), b->self->node_id))
		return fail(b, err, "line 1: addressed to %s, not to us",
			    str(j, "to") ? str(j, "to") : "(none)");
	if (!json_is_integer(after) || json_integer_value(after) < 0 ||
	    !json_is_integer(seq) || json_integer_value(seq) < 0 ||
	    pol == NULL || strlen(pol) >= sizeof(b->res.policy))
		return fail(b, err, "line 1: bad after, bundle_seq or policy");
	b->res.after = json_integer_value(after);
	b->res.bundle_seq = json_integer_value(seq);
	b->prev_seq = b->res.after;
	snprintf(b->res.policy, sizeof(b->res.policy), "%s", pol);
	b->state = 1;
	return 0;
}

static int unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

struct pk_cb {
	struct ky_pubkey *pk;
	int ok;
};

static int peer_pk(void *ud, const struct ky_peer_row *row)
{
	struct pk_cb *x = ud;

	x->ok = ky_pubkey_parse(row->pubkey, x->pk, NULL) == 0;
	return 0;
}

/* The pinned key of a node: ours, a peer's, or none (0). */
static int key_of(struct ky_batch_in *b, const char *node, struct ky_pubkey *pk)
{
	struct pk_cb x = {pk, 0};

	if (strcmp(node, b->self->node_id) == 0) {
		*pk = b->self->signer->pub;
		return 1;
	}
	if (strcmp(node, b->sender_id) == 0) {
		*pk = b->sender_pk;
		return 1;
	}
	if (ky_peers_get(b->st, node, peer_pk, &x, NULL) != 0)
		return 0;
	return x.ok;
}

static struct seal_in *find_seal(struct ky_batch_in *b, const char *ref)
{
	for (size_t i = 0; i < b->nseals; i++)
		if (strcmp(b->seals[i].ref, ref) == 0)
			return &b->seals[i];
	return NULL;
}

static int settle_pending(struct ky_batch_in *b, struct seal_in *s,
			  struct ky_err *err)
{
	int r;

	for (size_t i = 0; i < b->npend; i++) {
		if (ky_hash_get(s->set, b->pend[i].h, 32) == NULL)
			return fail(b, err,
				    "a change is not covered by the seal "
				    "that claims it (%s)",
				    s->ref);
		if (b->pend[i].seq > 0 &&
		    (r = ky_changes_set_seal(b->st, b->pend[i].seq, s->id,
					     err)) != 0)
			return r;
	}
	b->npend = 0;
	return 0;
}

static int seal_line(struct ky_batch_in *b, const json_t *j, size_t line,
		     struct ky_err *err)
{
	const char *ref = str(j, "seal"), *origin = str(j, "origin");
	const char *hx = str(j, "hashes");
	const json_t *sig = json_object_get(j, "sig");
	struct seal_in *s;
	struct ky_pubkey pk;
	json_t *pay;
	size_t n;
	char *envtxt;
	int r;

	if (ref == NULL || strlen(ref) >= sizeof(s->ref) || origin == NULL ||
	    hx == NULL || !json_is_object(sig) || (n = strlen(hx)) % 64 != 0 ||
	    n == 0)
		return fail(b, err, "line %zu: malformed seal", line);
	if (find_seal(b, ref) != NULL)
		return fail(b, err, "line %zu: seal %s sent twice", line, ref);
	if (b->nseals >= SEALS_MAX)
		return fail(b, err, "line %zu: more than %d seals", line,
			    SEALS_MAX);
	if (strcmp(ref, "d") == 0 && strcmp(origin, b->sender_id) != 0)
		return fail(b, err, "line %zu: seal d is not the sender's",
			    line);
	if ((s = realloc(b->seals, (b->nseals + 1) * sizeof(*s))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	b->seals = s;
	s = &b->seals[b->nseals++];
	memset(s, 0, sizeof(*s));
	snprintf(s->ref, sizeof(s->ref), "%s", ref);
	n /= 64;
	if ((s->origin = strdup(origin)) == NULL ||
	    (s->hashes = malloc(n * 32)) == NULL ||
	    (s->set = ky_hash_new(KY_HASH_BORROW_KEYS)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	if (unhex(hx, n * 32, s->hashes) != 0)
		return fail(b, err, "line %zu: seal %s: hashes not hex", line,
			    ref);
	for (size_t i = 0; i < n; i++)
		if (ky_hash_put(s->set, s->hashes + 32 * i, 32, s, NULL) < 0)
			return ky_err_set(err, KY_E_NOMEM,
					  "batch: out of memory");
	if (!key_of(b, origin, &pk))
		return 0; /* vouched for by the sender only: seal id 0 */
	if ((pay = ky__seal_payload(origin, s->hashes, n)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	r = ky_sig_verify_json(sig, &pk, pay, err);
	json_decref(pay);
	if (r != 0)
		return fail(b, err, "line %zu: seal %s of %s: %s", line, ref,
			    origin, err->msg);
	if ((envtxt = json_dumps(sig, JSON_COMPACT)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	r = ky_seal_add(b->st, origin, envtxt, s->hashes, n, &s->id, err);
	free(envtxt);
	if (r == 0 && strcmp(ref, "d") == 0)
		r = settle_pending(b, s, err);
	return r;
}

static void refuse(struct ky_batch_in *b, const char *id, const char *why)
{
	b->res.refused++;
	(void)ky_buf_addf(&b->refusals, "%s: %s\n", id ? id : "(no id)", why);
}

/* The bytes of the line's object as received: from the first
 * `,"object":` to the closing brace of the line.  A `"` right after a
 * comma cannot be inside a JSON string, so in a line that parsed, that is
 * a key; when it is not the top-level "object" or not the last member,
 * these bytes are not a whole object, do not hash into any seal, and the
 * caller falls back to the canonical form it computes. */
static bool object_bytes(const char *line, size_t n, const char **p,
			 size_t *len)
{
	static const char key[] = ",\"object\":";
	const char *k = memmem(line, n, key, sizeof(key) - 1);

	if (k == NULL || n < 2 || line[n - 1] != '\n' || line[n - 2] != '}')
		return false;
	*p = k + sizeof(key) - 1;
	if (*p >= line + n - 2)
		return false;
	*len = (size_t)(line + n - 2 - *p);
	return true;
}

static int change_line(struct ky_batch_in *b, const json_t *j, const char *raw,
		       size_t rawn, size_t line, struct ky_err *err)
{
	const json_t *seqv = json_object_get(j, "seq"), *hops, *v;
	const json_t *obj = json_object_get(j, "object");
	const char *op = str(j, "op"), *id = str(j, "id");
	const char *modified = str(j, "modified"), *type = str(j, "type");
	const char *origin = str(j, "origin"), *ref = str(j, "seal");
	struct ky_change c = {0};
	struct seal_in *s = NULL;
	struct ky_err e2 = {0};
	const char *fast = NULL;
	size_t fastn = 0;
	char *htxt = NULL;
	int64_t mns = 0;
	int outcome, r;
	bool del;
	size_t i;

	if (!json_is_integer(seqv) || json_integer_value(seqv) <= b->prev_seq)
		return fail(b, err, "line %zu: seq missing or not increasing",
			    line);
	b->prev_seq = json_integer_value(seqv);
	b->changes++;
	hops = json_object_get(j, "hops");
	if (op == NULL || id == NULL || modified == NULL || type == NULL ||
	    origin == NULL || ref == NULL || !json_is_array(hops) ||
	    json_array_size(hops) > HOPS_MAX)
		return fail(b, err, "line %zu: malformed change", line);
	json_array_foreach(hops, i, v) if (!json_is_string(v)) return fail(
		b, err, "line %zu: hops are node ids", line);
	del = strcmp(op, "delete") == 0;
	if (!del && strcmp(op, "put") != 0)
		return fail(b, err, "line %zu: op %s", line, op);
	if (strcmp(ref, "d") != 0 && (s = find_seal(b, ref)) == NULL)
		return fail(b, err, "line %zu: seal %s was not sent before it",
			    line, ref);
	if (s != NULL && strcmp(s->origin, origin) != 0)
		return fail(b, err,
			    "line %zu: %s claims origin %s, sealed by %s", line,
			    id, origin, s->origin);
	/* SCOs are not versioned: their modified is empty */
	if (*modified && ky_time_parse_rfc3339(modified, strlen(modified),
					       &mns) != (int)strlen(modified))
		return fail(b, err, "line %zu: %s: bad modified", line, id);
	if (del) {
		if ((r = ky__delete_hash(id, modified, c.sha256, err)) != 0)
			return r;
	} else {
		if (ky_stix_check(obj, &e2) != 0 ||
		    strcmp(str(obj, "id"), id) != 0 ||
		    strcmp(str(obj, "type"), type) != 0 ||
		    strcmp(ky_stix_modified(obj), modified) != 0) {
			/* the line is still covered by the trailer: refuse
			 * this change alone */
			refuse(b, id,
			       e2.msg[0] ? e2.msg
					 : "id, type or modified differ from "
					   "the object's");
			if ((r = ky_share_object_hash(obj ? obj : json_null(),
						      c.sha256, err)) != 0)
				return r;
			goto seal_check;
		}
		/* the canonical form is both what the seal covers and what
		 * is stored (and relayed as is).  When the object's bytes as
		 * received hash into its origin's seal they are that form (the
		 * origin hashed its canonical text), and computing it again is
		 * skipped: most objects cross relays unchanged */
		if (s != NULL && object_bytes(raw, rawn, &fast, &fastn)) {
			ky_sha256(fast, fastn, c.sha256);
			if (ky_hash_get(s->set, c.sha256, 32) == NULL)
				fast = NULL;
		}
		if (fast == NULL &&
		    (r = ky_share_object_jcs(obj, &b->jcs, c.sha256, err)) != 0)
			return fail(b, err, "line %zu: %s: %s", line, id,
				    err->msg);
	}
seal_check:
	if (s != NULL && ky_hash_get(s->set, c.sha256, 32) == NULL)
		return fail(b, err, "line %zu: %s is not covered by seal %s",
			    line, id, ref);
	if (e2.msg[0])
		return 0; /* refused above */
	if ((htxt = json_dumps(hops, JSON_COMPACT)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "batch: out of memory");
	c.id = id;
	c.modified = modified;
	c.modified_ns = mns;
	c.type = type;
	c.op = del ? KY_CHANGE_DELETE : KY_CHANGE_PUT;
	c.origin = origin;
	c.object = del ? NULL : fast ? fast : b->jcs.data;
	c.object_len = del ? 0 : fast ? fastn : b->jcs.len;
	c.seal = s ? s->id : 0;
	c.via = b->sender_id;
	c.hops = htxt;
	c.tlp = del ? KY_TLP_UNSET : (int)ky_stix_tlp_of(obj);
	c.recv_ns = ky_time_now_ns();
	r = ky_changes_add(b->st, &c, &outcome, err);
	free(htxt);
	if (r != 0)
		return r;
	if (outcome == KY_CHANGE_ADDED) {
		b->res.added++;
		if (grow((void **)&b->got, &b->capgot, b->ngot, 32) != 0)
			return ky_err_set(err, KY_E_NOMEM,
					  "batch: out of memory");
		memcpy(b->got + 32 * b->ngot++, c.sha256, 32);
	} else if (outcome == KY_CHANGE_DUPLICATE) {
		b->res.duplicate++;
	} else {
		b->res.stale++;
	}
	if (s == NULL) {
		if (grow((void **)&b->pend, &b->cappend, b->npend,
			 sizeof(*b->pend)) != 0)
			return ky_err_set(err, KY_E_NOMEM,
					  "batch: out of memory");
		b->pend[b->npend].seq = outcome == KY_CHANGE_ADDED ? c.seq : 0;
		memcpy(b->pend[b->npend++].h, c.sha256, 32);
	}
	return 0;
}

static int trailer(struct ky_batch_in *b, json_t *j, size_t line,
		   struct ky_err *err)
{
	json_t *sig = json_incref(json_object_get(j, "sig"));
	uint8_t md[32], want[32];
	unsigned int mdl = 0;
	const char *lh = str(j, "lines_sha256");
	int r;

	EVP_DigestFinal_ex(b->md, md, &mdl);
	if (lh == NULL || strlen(lh) != 64 || unhex(lh, 32, want) != 0 ||
	    memcmp(md, want, 32) != 0) {
		json_decref(sig);
		return fail(b, err,
			    "line %zu: the lines do not hash to the trailer's "
			    "lines_sha256 (altered or cut)",
			    line);
	}
	json_object_del(j, "sig");
	r = ky_sig_verify_json(sig, &b->sender_pk, j, err);
	json_decref(sig);
	if (r != 0)
		return fail(b, err, "line %zu: trailer: %s", line, err->msg);
	if (json_integer_value(json_object_get(j, "count")) !=
		    (json_int_t)b->changes ||
	    json_integer_value(json_object_get(j, "after")) != b->res.after ||
	    str(j, "to") == NULL || strcmp(str(j, "to"), b->self->node_id) ||
	    str(j, "from") == NULL || strcmp(str(j, "from"), b->sender_id))
		return fail(b, err,
			    "line %zu: trailer does not match the batch", line);
	b->res.last = json_integer_value(json_object_get(j, "last"));
	if (b->res.last < b->prev_seq)
		return fail(b, err,
			    "line %zu: trailer's last is before the "
			    "last change",
			    line);
	b->state = 2;
	return 0;
}

json_t *ky_batch_line_parse(const char *line, size_t n)
{
	json_t *j;

	if (n == 0 || line[n - 1] != '\n' || n > KY_BATCH_LINE_MAX)
		return NULL;
	j = ky_json_tree(line, n, KY_JT_REJECT_DUPLICATES, NULL, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

int ky_batch_in_parsed(struct ky_batch_in *b, const char *line, size_t n,
		       json_t *j, struct ky_err *err)
{
	size_t lineno;
	int r;

	if (j == NULL) /* parsed again, for the error and its position */
		return ky_batch_in_line(b, line, n, err);
	lineno = ++b->lines;
	if (b->state == 2) {
		json_decref(j);
		return fail(b, err, "data after the trailer");
	}
	if (b->state == 0) {
		EVP_DigestUpdate(b->md, line, n);
		r = header(b, j, err);
	} else if (json_object_get(j, "lines_sha256") != NULL) {
		r = trailer(b, j, lineno, err);
	} else {
		EVP_DigestUpdate(b->md, line, n);
		if (json_object_get(j, "seq") != NULL)
			r = change_line(b, j, line, n, lineno, err);
		else if (json_object_get(j, "seal") != NULL)
			r = seal_line(b, j, lineno, err);
		else
			r = fail(b, err,
				 "line %zu: neither a change nor a seal",
				 lineno);
	}
	json_decref(j);
	return r;
}

int ky_batch_in_line(struct ky_batch_in *b, const char *line, size_t n,
		     struct ky_err *err)
{
	const char *why = NULL;
	size_t at = 0;
	json_t *j;

	if (b->state == 2)
		return fail(b, err, "data after the trailer");
	if (n == 0 || line[n - 1] != '\n' || n > KY_BATCH_LINE_MAX)
		return fail(b, err,
			    "line %zu: not a complete line, or longer "
			    "than %d bytes",
			    b->lines + 1, KY_BATCH_LINE_MAX);
	if ((j = ky_json_tree(line, n, KY_JT_REJECT_DUPLICATES, &at, &why)) ==
		    NULL ||
	    !json_is_object(j)) {
		json_decref(j);
		return fail(b, err, "line %zu, byte %zu: %s", b->lines + 1,
			    j ? 1 : at + 1, j ? "not an object" : why);
	}
	return ky_batch_in_parsed(b, line, n, j, err);
}

int ky_batch_in_finish(struct ky_batch_in *b, struct ky_batch_result *res,
		       struct ky_err *err)
{
	if (b->state != 2)
		return fail(b, err,
			    "ended without its signed trailer: nothing "
			    "of it is kept");
	if (b->npend > 0)
		return fail(b, err,
			    "%zu changes claim seal d, which never came",
			    b->npend);
	*res = b->res;
	b->res.checkpoint = NULL;
	return 0;
}

void ky_batch_in_record(const struct ky_batch_in *b, ky_batch_record_fn rec,
			void *rud)
{
	for (size_t i = 0; i < b->ngot; i++)
		rec(rud, "received", b->got + 32 * i, b->sender_id,
		    b->res.policy);
}
