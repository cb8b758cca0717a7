/* `kyklos ledger append|show|prove|verify`: the node's Merkle log
 * (ledger/log.h): entries, inclusion and consistency proofs, and full
 * verification; checkpoint, cosign and verify-checkpoint are in
 * cmd_ledger_note.c (docs/ledger.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/config.h"
#include "base/text.h"
#include "base/time.h"
#include "cli/cli.h"
#include "ledger/log.h"

struct lsess {
	struct ky_config cfg;
	bool have_cfg;
	struct ky_ledger *l;
	char dir[4200];
};

static int lopen(struct ky_cli *cli, struct lsess *s, unsigned flags)
{
	struct ky_ledger_repair rep;
	struct ky_err err = {0};
	const char *d;

	memset(s, 0, sizeof(*s));
	if (ky_cli_load_node(cli, &s->cfg) != 0)
		return 1;
	s->have_cfg = true;
	d = s->cfg.ledger_dir;
	if (d[0] == '/')
		snprintf(s->dir, sizeof(s->dir), "%s", d);
	else
		snprintf(s->dir, sizeof(s->dir), "%s/%s", s->cfg.home, d);
	if (ky_ledger_open(s->dir, flags | KY_LEDGER_CREATE, &s->l, &rep,
			   &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	if (rep.cut_bytes)
		fprintf(stderr,
			(flags & KY_LEDGER_READONLY)
				? "kyklos: ledger: %llu bytes of a torn entry "
				  "at the end are ignored (cut at the next "
				  "append)\n"
				: "kyklos: ledger: cut %llu bytes of a torn "
				  "entry at the end\n",
			(unsigned long long)rep.cut_bytes);
	return 0;
}

static void lclose(struct lsess *s)
{
	ky_ledger_close(s->l);
	if (s->have_cfg)
		ky_config_free(&s->cfg);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void b64(const uint8_t *p, size_t n, char *out, size_t cap)
{
	ky_b64_encode(p, n, out, cap);
}

static int read_all(const char *path, char **out, size_t *n)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 4096, len = 0;
	char *b = malloc(cap);

	if (f == NULL || b == NULL) {
		ky_cli_error("%s: %s", path, strerror(errno));
		free(b);
		return 1;
	}
	for (;;) {
		size_t k = fread(b + len, 1, cap - len, f);

		len += k;
		if (len < cap)
			break;
		if (cap >= (64u << 20)) {
			ky_cli_error("%s: larger than 64 MiB", path);
			free(b);
			if (f != stdin)
				fclose(f);
			return 1;
		}
		char *nb = realloc(b, cap *= 2);
		if (nb == NULL) {
			free(b);
			return 1;
		}
		b = nb;
	}
	if (f != stdin)
		fclose(f);
	*out = b;
	*n = len;
	return 0;
}

/* ---- append / show ---- */

static int cmd_append(struct ky_cli *cli, int argc, char **argv)
{
	const char *kind = NULL, *data = NULL, *file = NULL, *peer = "",
		   *policy = "";
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	struct lsess s;
	ky_hash256 obj;
	unsigned int hl = KY_HASH_LEN;
	uint64_t idx;
	char *buf = NULL;
	size_t n = 0;
	int r = 1;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--kind") == 0)
			kind = argv[i + 1];
		else if (strcmp(argv[i], "--data") == 0)
			data = argv[i + 1];
		else if (strcmp(argv[i], "--file") == 0)
			file = argv[i + 1];
		else if (strcmp(argv[i], "--peer") == 0)
			peer = argv[i + 1];
		else if (strcmp(argv[i], "--policy") == 0)
			policy = argv[i + 1];
		else
			kind = NULL, i = argc;
	}
	if (kind == NULL || (data == NULL) == (file == NULL) || argc % 2) {
		ky_cli_error("usage: kyklos ledger append --kind KIND --data "
			     "TEXT|--file FILE [--peer P] [--policy V]");
		return 2;
	}
	if (file != NULL && read_all(file, &buf, &n) != 0)
		return 1;
	EVP_Digest(file ? buf : data, file ? n : strlen(data), obj, &hl,
		   EVP_sha256(), NULL);
	free(buf);
	if (ky_ledger_entry_set(&e, kind, obj, peer, policy, ky_time_now_ns(),
				&err) != 0) {
		ky_cli_error("%s", err.msg);
		return 2;
	}
	if (lopen(cli, &s, 0) != 0)
		return 1;
	if (ky_ledger_append(s.l, &e, &idx, &err) != 0 ||
	    ky_ledger_sync(s.l, &err) != 0) {
		ky_cli_error("%s", err.msg);
	} else {
		char h[2 * KY_HASH_LEN + 1];

		hex(obj, KY_HASH_LEN, h);
		if (cli->json)
			printf("{\"index\":%llu,\"object\":\"%s\",\"size\":%"
			       "llu}"
			       "\n",
			       (unsigned long long)idx, h,
			       (unsigned long long)ky_ledger_size(s.l));
		else
			printf("entry %llu: %s %s (log size %llu)\n",
			       (unsigned long long)idx, kind, h,
			       (unsigned long long)ky_ledger_size(s.l));
		r = 0;
	}
	lclose(&s);
	return r;
}

static void print_entry(uint64_t i, const struct ky_ledger_entry *e, bool json)
{
	char h[2 * KY_HASH_LEN + 1], t[KY_TIME_RFC3339_LEN];

	hex(e->object, KY_HASH_LEN, h);
	ky_time_format_rfc3339(e->time_ns, t);
	if (json)
		printf("{\"index\":%llu,\"kind\":\"%s\",\"object\":\"%s\","
		       "\"peer\":\"%s\",\"policy\":\"%s\",\"time\":\"%s\"}\n",
		       (unsigned long long)i, e->kind, h, e->peer, e->policy,
		       t);
	else
		printf("%-8llu %s %-16s %s %s %s\n", (unsigned long long)i, t,
		       e->kind, h, e->peer[0] ? e->peer : "-",
		       e->policy[0] ? e->policy : "-");
}

static int cmd_show(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	struct lsess s;
	uint64_t from = 0, to, last = 20;
	bool one = false, json = cli->json;
	int r = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--last") == 0 && i + 1 < argc)
			last = strtoull(argv[++i], NULL, 10);
		else if (argv[i][0] >= '0' && argv[i][0] <= '9')
			from = strtoull(argv[i], NULL, 10), one = true;
		else {
			ky_cli_error(
				"usage: kyklos ledger show [INDEX | --last "
				"N] [--json]");
			return 2;
		}
	}
	if (lopen(cli, &s, KY_LEDGER_READONLY) != 0)
		return 1;
	to = ky_ledger_size(s.l);
	if (one)
		to = from + 1;
	else
		from = to > last ? to - last : 0;
	for (uint64_t i = from; r == 0 && i < to; i++) {
		if ((r = ky_ledger_get(s.l, i, &e, &err)) != 0)
			ky_cli_error("%s", err.msg);
		else
			print_entry(i, &e, json);
	}
	if (r == 0 && !json && !one)
		fprintf(stderr, "kyklos: %llu entries in the ledger\n",
			(unsigned long long)ky_ledger_size(s.l));
	lclose(&s);
	return r ? 1 : 0;
}

/* ---- proofs ---- */

static void print_proof(const char *what, const ky_hash256 *p, size_t n)
{
	char t[64];

	printf("%s (%zu hashes):\n", what, n);
	for (size_t i = 0; i < n; i++) {
		b64(p[i], KY_HASH_LEN, t, sizeof(t));
		printf("%s\n", t);
	}
}

static int cmd_prove(struct ky_cli *cli, int argc, char **argv)
{
	ky_hash256 proof[KY_MERKLE_MAX_PROOF], root, root1, leaf;
	struct ky_err err = {0};
	struct lsess s;
	uint64_t a = 0, b = UINT64_MAX;
	const char *outfile = NULL;
	bool consistency = false, have_a = false;
	size_t n = 0;
	char t[64];
	int r = 1;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--consistency") == 0)
			consistency = true;
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			b = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			outfile = argv[++i];
		else if (argv[i][0] >= '0' && argv[i][0] <= '9' && !have_a)
			a = strtoull(argv[i], NULL, 10), have_a = true;
		else if (argv[i][0] >= '0' && argv[i][0] <= '9')
			b = strtoull(argv[i], NULL, 10);
		else
			have_a = false, i = argc;
	}
	if (!have_a) {
		ky_cli_error("usage: kyklos ledger prove INDEX [--size N] | "
			     "prove --consistency SIZE1 [SIZE2] [-o FILE]");
		return 2;
	}
	if (lopen(cli, &s, KY_LEDGER_READONLY) != 0)
		return 1;
	if (b == UINT64_MAX)
		b = ky_ledger_size(s.l);
	if (ky_ledger_root(s.l, b, root, &err) != 0)
		goto out;
	b64(root, KY_HASH_LEN, t, sizeof(t));
	printf("size %llu root %s\n", (unsigned long long)b, t);
	if (consistency) {
		if (ky_ledger_root(s.l, a, root1, &err) != 0 ||
		    ky_ledger_consistency(s.l, a, b, proof, &n, &err) != 0 ||
		    ky_merkle_verify_consistency(a, b, root1, root, proof, n,
						 &err) != 0)
			goto out;
		b64(root1, KY_HASH_LEN, t, sizeof(t));
		printf("size %llu root %s\n", (unsigned long long)a, t);
		print_proof("consistency proof", proof, n);
	} else {
		if (ky_ledger_leaf_hash(s.l, a, leaf, &err) != 0 ||
		    ky_ledger_inclusion(s.l, a, b, proof, &n, &err) != 0 ||
		    ky_merkle_verify_inclusion(a, b, leaf, proof, n, root,
					       &err) != 0)
			goto out;
		b64(leaf, KY_HASH_LEN, t, sizeof(t));
		printf("entry %llu leaf %s\n", (unsigned long long)a, t);
		print_proof("inclusion proof", proof, n);
	}
	printf("verified\n");
	if (outfile != NULL) {
		/* the hashes alone, one per line: what `cosign --proof` reads
		 */
		FILE *f = fopen(outfile, "w");

		for (size_t i = 0; f != NULL && i < n; i++) {
			b64(proof[i], KY_HASH_LEN, t, sizeof(t));
			fprintf(f, "%s\n", t);
		}
		if (f == NULL || fclose(f) != 0) {
			ky_err_set(&err, KY_E_IO, "%s: cannot write", outfile);
			goto out;
		}
	}
	r = 0;
out:
	if (r != 0)
		ky_cli_error("%s", err.msg);
	lclose(&s);
	return r;
}

static int cmd_verify(struct ky_cli *cli)
{
	struct ky_err err = {0};
	struct lsess s;
	ky_hash256 root;
	char t[64];
	int r;

	if (lopen(cli, &s, KY_LEDGER_READONLY) != 0)
		return 1;
	r = ky_ledger_verify(s.l, root, &err);
	if (r != 0) {
		ky_cli_error("ledger %s: %s", s.dir, err.msg);
	} else {
		b64(root, KY_HASH_LEN, t, sizeof(t));
		printf("ledger %s: %llu entries verified, root %s\n", s.dir,
		       (unsigned long long)ky_ledger_size(s.l), t);
	}
	lclose(&s);
	return r ? 1 : 0;
}

int ky_cmd_ledger(struct ky_cli *cli, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";

	if (strcmp(sub, "append") == 0)
		return cmd_append(cli, argc, argv);
	if (strcmp(sub, "show") == 0)
		return cmd_show(cli, argc, argv);
	if (strcmp(sub, "prove") == 0)
		return cmd_prove(cli, argc, argv);
	if (strcmp(sub, "verify") == 0 && argc == 2)
		return cmd_verify(cli);
	if (strcmp(sub, "checkpoint") == 0 || strcmp(sub, "cosign") == 0 ||
	    strcmp(sub, "verify-checkpoint") == 0)
		return ky__ledger_notes(cli, argc, argv);
	ky_cli_error(
		"usage: kyklos ledger append --kind K --data TEXT|--file F "
		"| show [INDEX|--last N] | prove INDEX [--size N] | prove "
		"--consistency S1 [S2] | verify | checkpoint [--verifier] | "
		"cosign NOTE --key VERIFIER [--proof FILE] | "
		"verify-checkpoint NOTE --key VERIFIER [--witness "
		"VERIFIER...]");
	return 2;
}
