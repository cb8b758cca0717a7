/* Batches between real stores (SQLite files) and real keys: what the policy
 * lets through arrives and verifies, what it holds back never appears in a
 * byte of the stream, provenance survives a relay, a batch applied twice
 * adds nothing, and any altered, cut or wrongly signed batch is refused
 * whole with nothing committed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/time.h"
#include "trust/sig.h"
#include "intel/stix.h"
#include "share/batch.h"
#include "store/share.h"
#include "trust/identity.h"
#include "trust/keystore.h"

static char dir[] = "/tmp/kyklos-batch-test-XXXXXX";

struct node {
	struct ky_store *st;
	struct ky_keystore *ks;
	struct ky_signer sg;
	struct ky_share_self self;
	char id[KY_NODE_ID_LEN + 1];
	char pk[KY_PUBKEY_TEXT_MAX];
	const char *name, *country;
};

static struct node A = {.name = "a", .country = "EE"},
		   B = {.name = "b", .country = "DE"},
		   C = {.name = "c", .country = "US"};

static void node_open(struct node *n)
{
	struct ky_keystore_opts o = {0};
	struct ky_err err = {0};
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.key", dir, n->name);
	o.backend = KY_KS_FILE;
	o.key_path = path;
	if (ky_keystore_generate(&o, KY_ALG_ED25519, &n->ks, &err) != 0)
		fail_msg("key: %s", err.msg);
	ky_identity_node_id(ky_keystore_pubkey(n->ks), n->id);
	ky_pubkey_format(ky_keystore_pubkey(n->ks), n->pk);
	ky_signer_from_keystore(&n->sg, n->ks, n->id);
	n->self.node_id = n->id;
	n->self.signer = &n->sg;
	snprintf(path, sizeof(path), "%s/%s.db", dir, n->name);
	if (ky_store_open(&n->st, path, 0, 5000, &err) != 0)
		fail_msg("store: %s", err.msg);
}

/* Pins peer on n. */
static void pin(struct node *n, struct node *peer)
{
	struct ky_peer_row row = {.name = peer->name,
				  .node_id = peer->id,
				  .pubkey = peer->pk,
				  .country = peer->country,
				  .added_ns = 1};
	struct ky_err err = {0};

	assert_int_equal(ky_peers_put(n->st, &row, &err), 0);
}

static struct ky_peer_row row_of(struct node *peer)
{
	struct ky_peer_row r = {.name = peer->name,
				.node_id = peer->id,
				.pubkey = peer->pk,
				.country = peer->country};
	return r;
}

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	node_open(&A);
	node_open(&B);
	node_open(&C);
	pin(&A, &B);
	pin(&B, &A);
	pin(&B, &C);
	pin(&C, &B);
	pin(&C, &A); /* C knows A's key without syncing with it */
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	for (struct node *n = &A; n; n = n == &A ? &B : n == &B ? &C : NULL) {
		ky_store_close(n->st);
		ky_keystore_close(n->ks);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char policy_a[] =
	"version: 1\n"
	"default_tlp: amber\n"
	"rules:\n"
	"  - match: [b]\n"
	"    tlp_max: amber\n"
	"    pseudonymise: {addresses: cryptopan, users: hmac, hosts: hmac}\n";
static const char policy_b[] = "version: 2\n"
			       "rules:\n"
			       "  - match: [c]\n"
			       "    tlp_max: amber\n";

static struct ky_policy *policy(const char *text)
{
	static const uint8_t key[32] = {
		1,  2,	3,  4,	5,  6,	7,  8,	9,  10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
	struct ky_policy *p = NULL;
	struct ky_err err = {0};

	if (ky_policy_parse(text, strlen(text), "p.yaml", &p, &err) != 0)
		fail_msg("policy: %s", err.msg);
	assert_int_equal(ky_policy_set_key(p, key, &err), 0);
	return p;
}

static int to_buf(void *ud, const void *p, size_t n)
{
	return ky_buf_add(ud, p, n);
}

static void write_batch(struct node *from, struct node *to,
			struct ky_policy *pol, int64_t after,
			struct ky_buf *out, struct ky_batch_stats *s)
{
	struct ky_peer_row peer = row_of(to);
	struct ky_batch_opts o = {.after = after};
	struct ky_err err = {0};

	ky_buf_init(out, 0);
	if (ky_batch_write(from->st, pol, &from->self, &peer, &o, to_buf, out,
			   NULL, NULL, s, &err) != 0)
		fail_msg("write: %s", err.msg);
}

/* Feeds a batch to `to`; returns 0 and commits, or the error (rolled
 * back). */
static int read_batch(struct node *to, struct node *from, const char *data,
		      size_t n, struct ky_batch_result *res, struct ky_err *err)
{
	struct ky_peer_row sender = row_of(from);
	struct ky_batch_in *b = NULL;
	const char *p = data, *end = data + n;
	int r;

	memset(res, 0, sizeof(*res));
	assert_int_equal(ky_store_begin(to->st, err), 0);
	r = ky_batch_in_new(to->st, &to->self, &sender, &b, err);
	while (r == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		r = ky_batch_in_line(b, p, len, err);
		p += len;
	}
	r = r ? r : ky_batch_in_finish(b, res, err);
	if (r == 0 && res->refused)
		print_message("refused:\n%s", ky_batch_in_refusals(b));
	if (r == 0)
		assert_int_equal(ky_store_commit(to->st, err), 0);
	else
		ky_store_rollback(to->st);
	ky_batch_in_free(b);
	free(res->checkpoint);
	res->checkpoint = NULL;
	return r;
}

static int64_t count_changes(struct node *n)
{
	struct ky_err err = {0};
	int64_t m = 0;

	assert_int_equal(ky_changes_max_seq(n->st, &m, &err), 0);
	return m;
}

/* Publishes objs on A in one transaction; how many new versions. */
static size_t publish_on_a(json_t **objs, size_t n, int64_t now)
{
	struct ky_err err = {0};
	size_t added = 0;

	assert_int_equal(ky_store_begin(A.st, &err), 0);
	assert_int_equal(
		ky_share_publish(A.st, &A.self, objs, n, now, &added, &err), 0);
	assert_int_equal(ky_store_commit(A.st, &err), 0);
	return added;
}

static void publish_a(void)
{
	struct ky_stix_ctx c = {A.id, "A", 1795000000000000000LL};
	struct ky_err err = {0};
	json_t *objs[8], *alert, *scos = NULL, *doc;
	size_t n = 0, added = 0;

	objs[n++] = ky_stix_indicator(&c, KY_IOC_IP, "203.0.113.7", 80,
				      KY_TLP_GREEN, c.now_ns, &err);
	objs[n++] = ky_stix_indicator(&c, KY_IOC_DOMAIN, "red.example", 90,
				      KY_TLP_RED, c.now_ns, &err);
	alert = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)1,
			  "time_ns", (json_int_t)c.now_ns, "src_ip",
			  "198.51.100.9", "user", "alice");
	objs[n++] =
		ky_stix_observed_alert(&c, alert, KY_TLP_AMBER, &scos, &err);
	objs[n++] = json_incref(json_array_get(scos, 0));
	objs[n++] = json_incref(json_array_get(scos, 1));
	json_decref(scos);
	json_decref(alert);
	doc = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:[s], s:[s], s:[s], "
			"s:{s:s, s:s}, s:{s:i, s:s}, s:{s:s}}",
			"id", (json_int_t)1, "status", "new", "title",
			"Brute force", "created_ns", (json_int_t)c.now_ns,
			"last_ns", (json_int_t)c.now_ns, "alert_count",
			(json_int_t)3, "hosts", "ws-17.corp.example", "users",
			"alice", "addresses", "198.51.100.9", "classification",
			"class", "intrusion-attempts", "type", "brute-force",
			"severity", "score", 50, "band", "medium", "tlp",
			"level", "amber");
	objs[n++] = ky_stix_incident(&c, doc, &err);
	json_decref(doc);
	for (size_t i = 0; i < n; i++)
		assert_non_null(objs[i]);
	assert_int_equal(publish_on_a(objs, n, c.now_ns), n);
	/* publishing the same versions again adds nothing */
	added = publish_on_a(objs, n, c.now_ns);
	assert_int_equal(added, 0);
	for (size_t i = 0; i < n; i++)
		json_decref(objs[i]);
}

struct found {
	const char *want; /* a text the object must contain, or NULL */
	json_t *obj;
	char origin[64], hops[256];
	int64_t seal;
};

static int found_cb(void *ud, const struct ky_change *c)
{
	struct found *f = ud;

	if (f->obj != NULL)
		return 0; /* the first in id order */
	if (f->want && (!c->object || !strstr(c->object, f->want)))
		return 0;
	f->obj = c->object ? json_loads(c->object, 0, NULL) : NULL;
	snprintf(f->origin, sizeof(f->origin), "%s", c->origin);
	snprintf(f->hops, sizeof(f->hops), "%s", c->hops);
	f->seal = c->seal;
	return 0;
}

static struct found get(struct node *n, const char *type)
{
	struct found f = {0};
	struct ky_err err = {0};

	assert_int_equal(ky_changes_objects(n->st, type, found_cb, &f, &err),
			 0);
	return f;
}

static void test_a_to_b_to_c(void **state)
{
	struct ky_policy *pa = policy(policy_a), *pb = policy(policy_b);
	struct ky_batch_stats s;
	struct ky_batch_result res;
	struct ky_err err = {0};
	struct ky_buf ab, ab2, bc;
	struct found f;
	int64_t before;

	(void)state;
	publish_a();
	write_batch(&A, &B, pa, 0, &ab, &s);
	/* RED is dropped (the rule stops at AMBER); five others go */
	assert_int_equal(s.sent, 5);
	assert_int_equal(s.dropped, 1);
	/* the incident, the SCOs and the observed-data were changed */
	assert_int_equal(s.derived, 4);
	/* no byte of what may not leave is in the stream */
	assert_null(strstr(ab.data, "198.51.100.9"));
	assert_null(strstr(ab.data, "alice"));
	assert_null(strstr(ab.data, "ws-17"));
	assert_null(strstr(ab.data, "red.example"));
	if (read_batch(&B, &A, ab.data, ab.len, &res, &err) != 0)
		fail_msg("a->b: %s\n%s", err.msg, ab.data);
	assert_int_equal(res.added, 5);
	assert_int_equal(res.refused, 0);
	f = get(&B, "incident");
	assert_non_null(f.obj);
	assert_string_equal(f.origin, A.id);
	assert_true(f.seal > 0);
	assert_int_equal(
		strncmp(json_string_value(json_array_get(
				json_object_get(f.obj, "x_kyklos_users"), 0)),
			"u-", 2),
		0);
	json_decref(f.obj);

	/* the same batch again: every change a duplicate */
	before = count_changes(&B);
	assert_int_equal(read_batch(&B, &A, ab.data, ab.len, &res, &err), 0);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.duplicate, 5);
	assert_int_equal(count_changes(&B), before);

	/* relay to C (in the US): personal data removed, the indicator keeps
	 * A's seal, which C verifies with A's pinned key */
	write_batch(&B, &C, pb, 0, &bc, &s);
	assert_null(strstr(bc.data, "x_kyklos_users"));
	if (read_batch(&C, &B, bc.data, bc.len, &res, &err) != 0)
		fail_msg("relay: %s\n%s", err.msg, bc.data);
	f = get(&C, "indicator");
	assert_non_null(f.obj);
	assert_string_equal(f.origin, A.id);
	assert_true(f.seal > 0);
	assert_non_null(strstr(f.hops, B.id));
	json_decref(f.obj);
	f = get(&C, "ipv4-addr");
	assert_null(f.obj); /* personal data: never reached the US peer */

	/* a later batch from the cursor carries nothing new */
	write_batch(&A, &B, pa, count_changes(&A), &ab2, &s);
	assert_int_equal(s.sent, 0);
	ky_buf_free(&ab2);

	ky_buf_free(&ab);
	ky_buf_free(&bc);
	ky_policy_free(pa);
	ky_policy_free(pb);
}

/* Every single-byte change of an object line, a cut, a wrong sender: the
 * batch is refused and B's store is as before. */
static void test_tamper(void **state)
{
	struct ky_policy *pa = policy(policy_a);
	struct ky_stix_ctx c = {A.id, "A", 1795000100000000000LL};
	struct ky_batch_stats s;
	struct ky_batch_result res;
	struct ky_err err = {0};
	struct ky_buf ab;
	json_t *o;
	int64_t before, after0;
	char *p;

	(void)state;
	assert_int_equal(ky_changes_max_seq(A.st, &after0, &err), 0);
	o = ky_stix_indicator(&c, KY_IOC_DOMAIN, "c2.tamper.example", 70,
			      KY_TLP_GREEN, c.now_ns, &err);
	publish_on_a(&o, 1, c.now_ns);
	json_decref(o);
	write_batch(&A, &B, pa, after0, &ab, &s);
	assert_int_equal(s.sent, 1);
	before = count_changes(&B);

	/* alter the object: the seal no longer covers it */
	p = strstr(ab.data, "c2.tamper");
	*p = 'd';
	assert_int_equal(read_batch(&B, &A, ab.data, ab.len, &res, &err),
			 KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "not covered by seal"));
	*p = 'c';
	assert_int_equal(count_changes(&B), before);

	/* cut before the trailer */
	p = ab.data + ab.len - 2;
	while (*p != '\n')
		p--;
	assert_int_equal(read_batch(&B, &A, ab.data, (size_t)(p - ab.data + 1),
				    &res, &err),
			 KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "without its signed trailer"));
	assert_int_equal(count_changes(&B), before);

	/* the batch claims to be from C (same bytes, C's pinned key) */
	assert_int_equal(read_batch(&B, &C, ab.data, ab.len, &res, &err),
			 KY_E_VERIFY);
	assert_int_equal(count_changes(&B), before);

	/* intact, it applies */
	assert_int_equal(read_batch(&B, &A, ab.data, ab.len, &res, &err), 0);
	assert_int_equal(res.added, 1);
	ky_buf_free(&ab);
	ky_policy_free(pa);
}

static void test_delete(void **state)
{
	struct ky_policy *pa = policy(policy_a);
	struct ky_batch_stats s;
	struct ky_batch_result res;
	struct ky_err err = {0};
	struct found f = {.want = "203.0.113.7"};
	char id[KY_STIX_ID_MAX];
	int64_t after0;
	struct ky_buf ab;

	(void)state;
	assert_int_equal(
		ky_changes_objects(A.st, "indicator", found_cb, &f, &err), 0);
	assert_non_null(f.obj);
	snprintf(id, sizeof(id), "%s",
		 json_string_value(json_object_get(f.obj, "id")));
	json_decref(f.obj);
	assert_int_equal(ky_changes_max_seq(A.st, &after0, &err), 0);
	assert_int_equal(ky_store_begin(A.st, &err), 0);
	assert_int_equal(
		ky_share_delete(A.st, &A.self, id, 1795000200000000000LL, &err),
		0);
	assert_int_equal(ky_store_commit(A.st, &err), 0);
	write_batch(&A, &B, pa, after0, &ab, &s);
	assert_int_equal(s.sent, 1);
	assert_int_equal(read_batch(&B, &A, ab.data, ab.len, &res, &err), 0);
	assert_int_equal(res.added, 1);
	/* B's current version of it is the deletion: no object any more */
	memset(&f, 0, sizeof(f));
	assert_int_equal(ky_changes_current(B.st, id, found_cb, &f, &err), 0);
	assert_null(f.obj);
	memset(&f, 0, sizeof(f));
	f.want = "203.0.113.7";
	assert_int_equal(
		ky_changes_objects(B.st, "indicator", found_cb, &f, &err), 0);
	assert_null(f.obj);
	/* an older version arriving late does not bring it back */
	ky_buf_free(&ab);
	write_batch(&A, &B, pa, 0, &ab, &s);
	assert_int_equal(read_batch(&B, &A, ab.data, ab.len, &res, &err), 0);
	assert_int_equal(res.added, 0);
	assert_true(res.stale + res.duplicate >= 1);
	memset(&f, 0, sizeof(f));
	f.want = "203.0.113.7";
	assert_int_equal(
		ky_changes_objects(B.st, "indicator", found_cb, &f, &err), 0);
	assert_null(f.obj);
	ky_buf_free(&ab);
	ky_policy_free(pa);
}

static int count_cb(void *ud, const struct ky_change *c)
{
	(void)c;
	(*(int *)ud)++;
	return 0;
}

/* Compaction: versions a newer one replaced leave the change log, the
 * current version of every object (a deletion too) stays, and a node that
 * pulls everything afterwards converges on the same objects. */
static void test_compact(void **state)
{
	struct ky_policy *pa = policy(policy_a);
	struct ky_stix_ctx c = {A.id, "A", 1795000400000000000LL};
	struct ky_batch_stats s;
	struct ky_batch_result res;
	struct ky_err err = {0};
	struct ky_buf ab;
	struct found f = {.want = "compact.example"};
	char id[KY_STIX_ID_MAX], mod[KY_TIME_RFC3339_LEN];
	size_t removed = 0;
	int before = 0, after = 0, current0 = 0, current1 = 0;
	json_t *o;

	(void)state;
	/* three versions of one indicator */
	for (int v = 0; v < 3; v++) {
		o = ky_stix_indicator(&c, KY_IOC_DOMAIN, "compact.example",
				      60 + v, KY_TLP_GREEN, c.now_ns, &err);
		ky_time_format_rfc3339(c.now_ns + v * 1000000000LL, mod);
		json_object_set_new(o, "modified", json_string(mod));
		snprintf(id, sizeof(id), "%s",
			 json_string_value(json_object_get(o, "id")));
		assert_int_equal(publish_on_a(&o, 1, c.now_ns + v), 1);
		json_decref(o);
	}
	assert_int_equal(ky_changes_after(A.st, 0, 0, count_cb, &before, &err),
			 0);
	assert_int_equal(
		ky_changes_objects(A.st, NULL, count_cb, &current0, &err), 0);
	/* nothing is old enough yet */
	assert_int_equal(ky_changes_compact(A.st, 0, 100, &removed, &err), 0);
	assert_int_equal(removed, 0);
	/* in batches of one, to the end */
	for (int i = 0; i < 100; i++) {
		size_t n = 0;

		assert_int_equal(
			ky_changes_compact(A.st, INT64_MAX, 1, &n, &err), 0);
		removed += n;
		if (n == 0)
			break;
	}
	assert_int_equal(ky_changes_after(A.st, 0, 0, count_cb, &after, &err),
			 0);
	assert_int_equal(
		ky_changes_objects(A.st, NULL, count_cb, &current1, &err), 0);
	assert_true(removed >= 2); /* the two older versions, at least */
	assert_int_equal(after, before - (int)removed);
	assert_int_equal(current1, current0); /* every object still there */
	assert_int_equal(ky_changes_current(A.st, id, found_cb, &f, &err), 0);
	assert_non_null(f.obj);
	assert_int_equal(
		json_integer_value(json_object_get(f.obj, "confidence")), 62);
	json_decref(f.obj);
	/* a peer pulling from the start gets the newest version, and the
	 * deletion test_delete made is still there to pass on */
	ky_buf_init(&ab, 0);
	write_batch(&A, &B, pa, 0, &ab, &s);
	assert_null(strstr(ab.data, "\"confidence\":60"));
	assert_non_null(strstr(ab.data, "\"confidence\":62"));
	assert_non_null(strstr(ab.data, "\"op\":\"delete\""));
	ky_buf_free(&ab);
	ky_policy_free(pa);
	(void)res;
}

/* The sender's change lines edited by edit, and the trailer made valid
 * again: lines_sha256 recomputed and signed with the sender's key.  What
 * the receiver then refuses, it refuses for what the edit did. */
static void resign(struct node *from, struct ky_buf *batch,
		   void (*edit)(struct ky_buf *line))
{
	struct ky_buf out, line;
	struct ky_err err = {0};
	const char *p = batch->data, *end = batch->data + batch->len;
	const char *last = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32];
	unsigned int hl = 0;
	char hex[65];
	json_t *tr, *env = NULL;
	char *txt;

	ky_buf_init(&out, 0);
	ky_buf_init(&line, 0);
	assert_non_null(md);
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p + 1);

		if (nl + 1 >= end) {
			last = p; /* the trailer */
			break;
		}
		ky_buf_reset(&line);
		ky_buf_add(&line, p, n);
		if (strstr(line.data, "\"seq\":") != NULL)
			edit(&line);
		EVP_DigestUpdate(md, line.data, line.len);
		ky_buf_add(&out, line.data, line.len);
		p += n;
	}
	EVP_DigestFinal_ex(md, h, &hl);
	EVP_MD_CTX_free(md);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	assert_non_null(last);
	tr = json_loadb(last, (size_t)(end - last), 0, NULL);
	assert_non_null(tr);
	json_object_del(tr, "sig");
	json_object_set_new(tr, "lines_sha256", json_string(hex));
	assert_int_equal(ky_sig_sign_json(&from->sg, tr, 1795000200000000000LL,
					  &env, &err),
			 0);
	json_object_set_new(tr, "sig", env);
	txt = json_dumps(tr, JSON_COMPACT);
	ky_buf_adds(&out, txt);
	ky_buf_addc(&out, '\n');
	free(txt);
	json_decref(tr);
	ky_buf_free(&line);
	ky_buf_free(batch);
	*batch = out;
}

/* a space after "object": equivalent JSON, not the canonical bytes */
static void add_space(struct ky_buf *line)
{
	char *k = strstr(line->data, "\"object\":{");
	struct ky_buf b;

	assert_non_null(k);
	ky_buf_init(&b, 0);
	ky_buf_add(&b, line->data, (size_t)(k - line->data) + 9);
	ky_buf_adds(&b, " ");
	ky_buf_adds(&b, k + 9);
	ky_buf_free(line);
	*line = b;
}

/* the object first, the other members after it */
static void object_first(struct ky_buf *line)
{
	char *k = strstr(line->data, ",\"object\":");
	struct ky_buf b;

	assert_non_null(k);
	ky_buf_init(&b, 0);
	ky_buf_adds(&b, "{\"object\":");
	/* the object: to the line's last brace (before the newline) */
	ky_buf_add(&b, k + 10, line->len - 2 - (size_t)(k + 10 - line->data));
	ky_buf_addc(&b, ',');
	ky_buf_add(&b, line->data + 1, (size_t)(k - line->data - 1));
	ky_buf_adds(&b, "}\n");
	ky_buf_free(line);
	*line = b;
}

/* one letter of the indicator changed: not what its origin sealed */
static void alter(struct ky_buf *line)
{
	char *p = strstr(line->data, "bytes.example");

	assert_non_null(p);
	p[0] = 'B';
}

static int stored_cb(void *ud, const struct ky_change *c)
{
	char **out = ud;

	if (c->object && strstr(c->object, "bytes.example") && *out == NULL)
		*out = strndup(c->object, c->object_len);
	return 0;
}

/* The receiver hashes an object's bytes as received and skips computing
 * the canonical form when they are in the origin's seal; bytes that are
 * not the canonical form (or not where the fast path looks) fall back to
 * computing it, and what is stored is the canonical form either way. */
static void test_object_bytes(void **state)
{
	static void (*const edits[])(struct ky_buf *) = {add_space,
							 object_first};
	struct ky_policy *pa = policy(policy_a);
	struct ky_stix_ctx c = {A.id, "A", 1795000300000000000LL};
	struct ky_batch_stats s;
	struct ky_batch_result res;
	struct ky_err err = {0};
	struct ky_buf ab;
	json_t *o;
	int64_t after0;

	(void)state;
	assert_int_equal(ky_changes_max_seq(A.st, &after0, &err), 0);
	o = ky_stix_indicator(&c, KY_IOC_DOMAIN, "bytes.example", 70,
			      KY_TLP_GREEN, c.now_ns, &err);
	publish_on_a(&o, 1, c.now_ns);
	json_decref(o);

	/* a changed letter with a valid trailer: the seal refuses it */
	write_batch(&A, &B, pa, after0, &ab, &s);
	assert_int_equal(s.sent, 1);
	resign(&A, &ab, alter);
	assert_int_equal(read_batch(&B, &A, ab.data, ab.len, &res, &err),
			 KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "not covered by seal"));
	ky_buf_free(&ab);

	for (size_t i = 0; i < 2; i++) {
		struct ky_store *st = B.st;
		char *stored = NULL;

		write_batch(&A, &B, pa, after0, &ab, &s);
		resign(&A, &ab, edits[i]);
		assert_int_equal(
			read_batch(&B, &A, ab.data, ab.len, &res, &err), 0);
		assert_int_equal(res.added + res.duplicate, 1);
		ky_buf_free(&ab);
		assert_int_equal(ky_changes_objects(st, "indicator", stored_cb,
						    &stored, &err),
				 0);
		assert_non_null(stored);
		assert_null(strstr(stored, ": ")); /* canonical: no spaces */
		assert_true(strncmp(stored, "{\"confidence\":", 14) == 0);
		free(stored);
	}
	ky_policy_free(pa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_to_b_to_c),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_object_bytes),
		cmocka_unit_test(test_compact),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
