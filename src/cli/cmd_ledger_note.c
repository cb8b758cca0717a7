/* `kyklos ledger checkpoint|cosign|verify-checkpoint`: signed checkpoints of
 * the node's log and witnessing of peers' (docs/ledger.md). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/text.h"
#include "base/time.h"
#include "cli/cli.h"
#include "detect/sigma.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "ledger/witness.h"
#include "store/store.h"
#include "trust/identity.h"
#include "trust/keystore.h"
#include "trust/signer.h"

/* The signed-note type byte of a key (signed-note.md). */
static uint8_t note_type(enum ky_key_alg alg)
{
	return alg == KY_ALG_ED25519 ? KY_NOTE_TYPE_ED25519
				     : KY_NOTE_TYPE_ECDSA_P256;
}

struct node {
	struct ky_config cfg;
	bool have_cfg;
	struct ky_keystore *ks;
	struct ky_signer signer;
	char id[KY_NODE_ID_LEN + 1];
	char origin[KY_NOTE_NAME_MAX];
	char ldir[4200];
};

static int node_open(struct ky_cli *cli, struct node *n)
{
	memset(n, 0, sizeof(*n));
	if (ky_cli_load_node(cli, &n->cfg) != 0)
		return 1;
	n->have_cfg = true;
	if (ky_cli_open_keystore(&n->cfg, &n->ks) != 0)
		return 1;
	ky_identity_node_id(ky_keystore_pubkey(n->ks), n->id);
	ky_signer_from_keystore(&n->signer, n->ks, n->id);
	if (n->cfg.ledger_origin[0])
		snprintf(n->origin, sizeof(n->origin), "%s",
			 n->cfg.ledger_origin);
	else
		snprintf(n->origin, sizeof(n->origin), "kyklos/%s", n->id);
	if (n->cfg.ledger_dir[0] == '/')
		snprintf(n->ldir, sizeof(n->ldir), "%s", n->cfg.ledger_dir);
	else
		snprintf(n->ldir, sizeof(n->ldir), "%s/%s", n->cfg.home,
			 n->cfg.ledger_dir);
	return 0;
}

static void node_close(struct node *n)
{
	ky_keystore_close(n->ks);
	if (n->have_cfg)
		ky_config_free(&n->cfg);
}

static int read_text(const char *path, struct ky_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t k;

	if (f == NULL) {
		ky_cli_error("%s: cannot open", path);
		return 1;
	}
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (b->len + k > KY_NOTE_MAX || ky_buf_add(b, chunk, k) != 0) {
			fclose(f);
			ky_cli_error("%s: too large", path);
			return 1;
		}
	fclose(f);
	return 0;
}

static int write_text(const char *path, const struct ky_buf *b, bool append)
{
	FILE *f = fopen(path, append ? "ab" : "wb");
	bool ok = f != NULL && fwrite(b->data, 1, b->len, f) == b->len;

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		ky_cli_error("%s: cannot write", path);
	return ok ? 0 : 1;
}

/* Signs a checkpoint of the whole log; DIR/checkpoint is the latest,
 * DIR/checkpoints keeps every one. */
static int checkpoint(struct ky_cli *cli)
{
	struct ky_ledger *l = NULL;
	struct ky_checkpoint cp = {0};
	struct ky_buf body, note;
	struct ky_err err = {0};
	struct node n;
	char path[4300];
	int r = 1;

	ky_buf_init(&body, 0);
	ky_buf_init(&note, 0);
	if (node_open(cli, &n) != 0)
		goto out;
	if (ky_ledger_open(n.ldir, KY_LEDGER_CREATE | KY_LEDGER_READONLY, &l,
			   NULL, &err) != 0 &&
	    ky_ledger_open(n.ldir, KY_LEDGER_CREATE, &l, NULL, &err) != 0)
		goto fail;
	snprintf(cp.origin, sizeof(cp.origin), "%s", n.origin);
	cp.size = ky_ledger_size(l);
	if (ky_ledger_root(l, cp.size, cp.root, &err) != 0 ||
	    ky_checkpoint_format(&cp, &body) != 0 ||
	    ky_note_sign(body.data, body.len, &n.signer, n.origin, &note,
			 &err) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/checkpoint", n.ldir);
	if (write_text(path, &note, false) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/checkpoints", n.ldir);
	if (write_text(path, &note, true) != 0)
		goto out;
	fwrite(note.data, 1, note.len, stdout);
	r = 0;
	goto out;
fail:
	ky_cli_error("%s", err.msg);
out:
	ky_ledger_close(l);
	node_close(&n);
	ky_buf_free(&body);
	ky_buf_free(&note);
	return r;
}

/* One base64 hash per line. */
static int read_proof(const char *path, ky_hash256 *proof, size_t *np)
{
	struct ky_buf b;
	struct ky_err err = {0};
	const char *p;
	int r = 0;

	*np = 0;
	ky_buf_init(&b, 0);
	if (read_text(path, &b) != 0 || ky_buf_addc(&b, '\0') != 0) {
		ky_buf_free(&b);
		return 1;
	}
	for (p = b.data; r == 0 && *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p), got;

		if (len > 0 && *np == KY_MERKLE_MAX_PROOF)
			r = 1;
		else if (len > 0 &&
			 ky_b64_decode(p, len, proof[*np], KY_HASH_LEN, &got,
				       &err) == 0 &&
			 got == KY_HASH_LEN)
			(*np)++;
		else if (len > 0)
			r = 1;
		p = e ? e + 1 : p + len;
	}
	if (r != 0)
		ky_cli_error("%s: not one base64 SHA-256 hash per line", path);
	ky_buf_free(&b);
	return r;
}

/* A fork becomes a critical alert, and so an incident. */
static void raise_fork(struct ky_cli *cli, const char *origin,
		       const struct ky_witness_result *res)
{
	struct ky_store *st = NULL;
	struct ky_err err = {0};
	struct ky_alert_row row = {0};
	int64_t now = ky_time_now_ns();
	char *text;

	text = ky_witness_fork_json(origin, res);
	if (text == NULL || ky_cli_open_store(cli, false, &st) != 0) {
		free(text);
		return;
	}
	row.kind = KY_ALERT_RULE;
	row.time_ns = row.recv_ns = row.created_ns = now;
	row.rule_id = "kyklos-ledger-fork";
	row.title = "Ledger fork of a peer";
	row.level = KY_SIGMA_CRITICAL;
	row.host = origin;
	row.json = text;
	row.json_len = strlen(text);
	if (ky_store_add_alert(st, &row, &err) != 0)
		ky_cli_error("fork alert not stored: %s", err.msg);
	else
		fprintf(stderr, "kyklos: stored a critical alert: see kyklos "
				"incidents list\n");
	ky_store_close(st);
	free(text);
}

static int cosign(struct ky_cli *cli, const char *file, const char *key,
		  const char *proof_file)
{
	struct ky_note_verifier v;
	struct ky_witness_result res;
	ky_hash256 proof[KY_MERKLE_MAX_PROOF];
	struct ky_buf in, out;
	struct ky_err err = {0};
	struct node n;
	char wdir[4300];
	size_t np = 0;
	int r = 1;

	ky_buf_init(&in, 0);
	ky_buf_init(&out, 0);
	if (ky_note_verifier_parse(key, strlen(key), &v, &err) != 0) {
		ky_cli_error("--key: %s", err.msg);
		return 2;
	}
	if (read_text(file, &in) != 0 ||
	    (proof_file && read_proof(proof_file, proof, &np) != 0) ||
	    node_open(cli, &n) != 0)
		goto out;
	(void)mkdir(n.ldir, 0700); /* a witness may hold no log of its own */
	snprintf(wdir, sizeof(wdir), "%s/witness", n.ldir);
	if (ky_witness_check(wdir, &v, in.data, in.len,
			     proof_file ? proof : NULL, np, &res, &err) != 0) {
		ky_cli_error("%s: %s", file, err.msg);
		goto out;
	}
	fprintf(stderr, "kyklos: %s: %s (size %llu, last seen %llu)\n", file,
		ky_witness_verdict_name(res.verdict),
		(unsigned long long)res.size,
		(unsigned long long)res.prev_size);
	if (res.verdict == KY_WIT_FORK) {
		ky_cli_error("FORK of %s: %s; evidence kept in %s", v.name,
			     res.reason, res.evidence);
		raise_fork(cli, v.name, &res);
		goto out;
	}
	if (res.verdict == KY_WIT_STALE) {
		ky_cli_error("%s: older than the checkpoint seen last: not "
			     "cosigned",
			     file);
		goto out;
	}
	{
		struct ky_note note;
		uint64_t t = (uint64_t)(ky_time_now_ns() / 1000000000);

		if (ky_note_parse(in.data, in.len, &note, &err) != 0)
			goto fail;
		r = ky_cosign(note.text, note.text_len, &n.signer, n.origin, t,
			      &out, &err);
		ky_note_free(&note);
		if (r != 0) {
			r = 1;
			goto fail;
		}
	}
	/* the peer's note with our cosignature line added */
	fwrite(in.data, 1, in.len, stdout);
	fwrite(out.data, 1, out.len, stdout);
	r = 0;
	goto out;
fail:
	ky_cli_error("%s", err.msg);
out:
	node_close(&n);
	ky_buf_free(&in);
	ky_buf_free(&out);
	return r;
}

static int verify_checkpoint(struct ky_cli *cli, const char *file, char **keys,
			     size_t nkeys, char **witnesses, size_t nwit)
{
	struct ky_note_verifier v[16];
	struct ky_checkpoint cp = {0};
	struct ky_note note = {0};
	struct ky_buf in;
	struct ky_err err = {0};
	uint64_t bits = 0;
	int r = 1;

	(void)cli;
	ky_buf_init(&in, 0);
	if (nkeys + nwit > 16 || nkeys == 0) {
		ky_cli_error("verify-checkpoint: one --key and up to 15 "
			     "--witness keys");
		return 2;
	}
	for (size_t i = 0; i < nkeys + nwit; i++) {
		const char *k = i < nkeys ? keys[i] : witnesses[i - nkeys];

		if (ky_note_verifier_parse(k, strlen(k), &v[i], &err) != 0) {
			ky_cli_error("key %s: %s", k, err.msg);
			return 2;
		}
	}
	if (read_text(file, &in) != 0)
		goto out;
	if (ky_note_parse(in.data, in.len, &note, &err) != 0 ||
	    ky_note_verify(&note, v, nkeys, &bits, &err) != 0 ||
	    ky_checkpoint_parse(note.text, note.text_len, &cp, &err) != 0)
		goto fail;
	for (size_t i = 0; i < nwit; i++) {
		uint64_t t;

		if (ky_cosign_verify(&note, &v[nkeys + i], &t, &err) != 0)
			goto fail;
		printf("cosigned by %s at %llu\n", v[nkeys + i].name,
		       (unsigned long long)t);
	}
	printf("checkpoint of %s, size %llu: signature verified\n", cp.origin,
	       (unsigned long long)cp.size);
	r = 0;
	goto out;
fail:
	ky_cli_error("%s: %s", file, err.msg);
out:
	ky_checkpoint_free(&cp);
	ky_note_free(&note);
	ky_buf_free(&in);
	return r;
}

/* The verifier keys of this node (for peers to pin): its checkpoint key
 * and, for an Ed25519 node, its witness (cosignature) key. */
static int print_verifier(struct ky_cli *cli)
{
	struct ky_note_verifier v;
	struct ky_buf b;
	struct ky_err err = {0};
	struct node n;
	int r = 1;

	ky_buf_init(&b, 0);
	if (node_open(cli, &n) == 0 &&
	    ky_note_verifier_make(n.origin, ky_keystore_pubkey(n.ks),
				  note_type(ky_keystore_pubkey(n.ks)->alg), &v,
				  &err) == 0 &&
	    ky_note_verifier_format(&v, &b) == 0) {
		printf("log %.*s\n", (int)b.len, b.data);
		r = 0;
		ky_buf_reset(&b);
		if (ky_keystore_pubkey(n.ks)->alg == KY_ALG_ED25519 &&
		    ky_note_verifier_make(n.origin, ky_keystore_pubkey(n.ks),
					  KY_NOTE_TYPE_COSIGNATURE, &v,
					  &err) == 0 &&
		    ky_note_verifier_format(&v, &b) == 0)
			printf("witness %.*s\n", (int)b.len, b.data);
	} else if (err.msg[0]) {
		ky_cli_error("%s", err.msg);
	}
	node_close(&n);
	ky_buf_free(&b);
	return r;
}

int ky__ledger_notes(struct ky_cli *cli, int argc, char **argv)
{
	char *keys[16], *wit[16];
	const char *file = NULL, *proof = NULL;
	size_t nk = 0, nw = 0;

	if (strcmp(argv[1], "checkpoint") == 0) {
		if (argc == 3 && strcmp(argv[2], "--verifier") == 0)
			return print_verifier(cli);
		return argc == 2 ? checkpoint(cli) : 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && nk < 16)
			keys[nk++] = argv[++i];
		else if (strcmp(argv[i], "--witness") == 0 && i + 1 < argc &&
			 nw < 16)
			wit[nw++] = argv[++i];
		else if (strcmp(argv[i], "--proof") == 0 && i + 1 < argc)
			proof = argv[++i];
		else if (file == NULL && argv[i][0] != '-')
			file = argv[i];
		else
			file = NULL, i = argc, nk = 0;
	}
	if (file == NULL || nk == 0) {
		ky_cli_error("usage: kyklos ledger cosign NOTE --key VERIFIER "
			     "[--proof FILE] | verify-checkpoint NOTE --key "
			     "VERIFIER [--witness VERIFIER...] | checkpoint "
			     "[--verifier]");
		return 2;
	}
	if (strcmp(argv[1], "cosign") == 0)
		return nk == 1 ? cosign(cli, file, keys[0], proof) : 2;
	return verify_checkpoint(cli, file, keys, nk, wit, nw);
}
