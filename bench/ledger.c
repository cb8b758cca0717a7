/* Issue 5 benchmark: ledger appends per second (synced in batches, the
 * root taken at every batch) and inclusion / consistency proof times
 * (generated from the stored tree files and verified) at the log's size,
 * with the floor they are compared to measured in the same run: SHA-256
 * hashes per second of one entry's leaf input and of a node (an append
 * needs one leaf hash and on average one node hash).
 *
 * Then signatures per second of the keystore: the file backend (Ed25519 and
 * P-256) and, when SoftHSM2 is installed, the PKCS#11 backend on a token
 * made for the run, against `openssl speed ed25519` as the peer.
 *
 *   bench_ledger [-n ENTRIES] [-b BATCH] [-c CHECKPOINT] [-p PROOFS] [-d DIR]
 *
 * -c N signs a checkpoint note (Ed25519, file key) every N entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/time.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "trust/keystore.h"
#include "trust/signer.h"

static double now_s(void)
{
	return (double)ky_time_mono_ns() / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Signatures per second of one keystore over a 100-byte checkpoint. */
static void rate(const char *what, struct ky_keystore *ks)
{
	uint8_t msg[100], sig[KY_SIG_MAX];
	struct ky_err err = {0};
	double t0 = now_s(), t;
	int k = 0;

	memset(msg, 'c', sizeof(msg));
	do {
		for (int j = 0; j < 100; j++, k++)
			if (ky_keystore_sign(ks, msg, sizeof(msg), sig, &err)) {
				printf("  %-26s failed: %s\n", what, err.msg);
				return;
			}
		t = now_s() - t0;
	} while (t < 1.0);
	printf("  %-26s %10.0f signatures/s\n", what, k / t);
}

static void sign_rates(const char *dir)
{
	struct ky_keystore_opts o = {.backend = KY_KS_FILE};
	struct ky_keystore *ks = NULL;
	struct ky_err err = {0};
	char path[700], conf[700], cmd[1600], pin[700];
	FILE *f;

	printf("keystore signatures (100-byte message):\n");
	for (int a = 0; a < 2; a++) {
		snprintf(path, sizeof(path), "%s/sign%d.key", dir, a);
		o.key_path = path;
		if (ky_keystore_generate(&o,
					 a ? KY_ALG_ECDSA_P256 : KY_ALG_ED25519,
					 &ks, &err) == 0) {
			rate(a ? "file, ECDSA P-256" : "file, Ed25519", ks);
			ky_keystore_close(ks);
		}
	}
	if (access("/usr/lib/softhsm/libsofthsm2.so", R_OK) != 0) {
		printf("  pkcs11: SoftHSM2 not installed, skipped\n");
	} else {
		snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
		snprintf(path, sizeof(path), "%s/tokens", dir);
		snprintf(pin, sizeof(pin), "%s/pin", dir);
		if ((f = fopen(conf, "w")) != NULL) {
			fprintf(f,
				"directories.tokendir = %s\n"
				"objectstore.backend = file\n",
				path);
			fclose(f);
		}
		if ((f = fopen(pin, "w")) != NULL) {
			fputs("5678\n", f);
			fclose(f);
		}
		setenv("SOFTHSM2_CONF", conf, 1);
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s && softhsm2-util --init-token --free "
			 "--label bench --so-pin 1234 --pin 5678 >/dev/null",
			 path);
		if (system(cmd) == 0) {
			struct ky_keystore_opts p = {.backend = KY_KS_PKCS11};

			p.module = "/usr/lib/softhsm/libsofthsm2.so";
			p.token_label = "bench";
			p.pin_file = pin;
			for (int a = 0; a < 2; a++) {
				p.key_label = a ? "ec" : "ed";
				if (ky_keystore_generate(&p,
							 a ? KY_ALG_ECDSA_P256
							   : KY_ALG_ED25519,
							 &ks, &err) != 0) {
					printf("  pkcs11: %s\n", err.msg);
					continue;
				}
				rate(a ? "pkcs11 SoftHSM2, P-256"
				       : "pkcs11 SoftHSM2, Ed25519",
				     ks);
				ky_keystore_close(ks);
			}
		}
	}
	printf("  peer: openssl speed ed25519:\n");
	fflush(stdout);
	if (system("command -v openssl >/dev/null && openssl speed -seconds 1 "
		   "ed25519 2>/dev/null | tail -1") != 0)
		printf("  (openssl not found)\n");
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000, batch = 1000, proofs = 20000, seed = 88172645;
	uint64_t every = 0, ncp = 0;
	struct ky_keystore *cpk = NULL;
	struct ky_signer cps;
	const char *base = "/tmp";
	char dir[512], cmd[700];
	struct ky_ledger *l = NULL;
	struct ky_err err = {0};
	struct ky_ledger_entry e;
	ky_hash256 obj, root, r1, leaf, proof[KY_MERKLE_MAX_PROOF];
	double t0, t_app, t_inc, t_con, t_sha;
	size_t np, total_hashes = 0;
	int opt;

	while ((opt = getopt(argc, argv, "n:b:c:p:d:")) != -1) {
		if (opt == 'n')
			n = strtoull(optarg, NULL, 10);
		else if (opt == 'b')
			batch = strtoull(optarg, NULL, 10);
		else if (opt == 'c')
			every = strtoull(optarg, NULL, 10);
		else if (opt == 'p')
			proofs = strtoull(optarg, NULL, 10);
		else if (opt == 'd')
			base = optarg;
		else {
			fprintf(stderr, "usage: bench_ledger [-n ENTRIES] [-b "
					"BATCH] [-p PROOFS] [-d DIR]\n");
			return 2;
		}
	}
	if (n < 2 || batch == 0) {
		fprintf(stderr, "bench_ledger: -n >= 2 and -b >= 1\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/kyklos-bench-ledger-%d", base,
		 (int)getpid());
	if (ky_ledger_open(dir, KY_LEDGER_CREATE, &l, NULL, &err) != 0) {
		fprintf(stderr, "bench_ledger: %s\n", err.msg);
		return 1;
	}

	if (every) {
		struct ky_keystore_opts ko = {.backend = KY_KS_FILE};
		char kp[600];

		snprintf(kp, sizeof(kp), "%s/cp.key", dir);
		ko.key_path = kp;
		if (ky_keystore_generate(&ko, KY_ALG_ED25519, &cpk, &err) !=
		    0) {
			fprintf(stderr, "bench_ledger: %s\n", err.msg);
			return 1;
		}
		ky_signer_from_keystore(&cps, cpk, "bench");
	}
	/* appends, synced per batch, root per batch */
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		memset(obj, 0, sizeof(obj));
		memcpy(obj, &i, sizeof(i));
		if (ky_ledger_entry_set(
			    &e, i & 1 ? "sent" : "received", obj,
			    "kyid3q7xwzq2mfkfq5v3bmd7ea", "policy-12",
			    1767225600000000000LL + (int64_t)i, &err) != 0 ||
		    ky_ledger_append(l, &e, NULL, &err) != 0 ||
		    ((i + 1) % batch == 0 &&
		     (ky_ledger_sync(l, &err) != 0 ||
		      ky_ledger_root(l, i + 1, root, &err) != 0))) {
			fprintf(stderr, "bench_ledger: %s\n", err.msg);
			return 1;
		}
		if (every && (i + 1) % every == 0) {
			struct ky_checkpoint cp = {.size = i + 1};
			struct ky_buf body, note;

			ky_buf_init(&body, 0);
			ky_buf_init(&note, 0);
			snprintf(cp.origin, sizeof(cp.origin), "bench/log");
			if (ky_ledger_sync(l, &err) != 0 ||
			    ky_ledger_root(l, i + 1, cp.root, &err) != 0 ||
			    ky_checkpoint_format(&cp, &body) != 0 ||
			    ky_note_sign(body.data, body.len, &cps, "bench/log",
					 &note, &err) != 0) {
				fprintf(stderr, "bench_ledger: %s\n", err.msg);
				return 1;
			}
			ncp++;
			ky_buf_free(&body);
			ky_buf_free(&note);
		}
	}
	if (ky_ledger_sync(l, &err) != 0)
		return 1;
	t_app = now_s() - t0;

	/* inclusion proofs of random entries at the full size */
	ky_ledger_root(l, n, root, &err);
	t0 = now_s();
	for (uint64_t k = 0; k < proofs; k++) {
		uint64_t i = rnd(&seed) % n;

		if (ky_ledger_leaf_hash(l, i, leaf, &err) != 0 ||
		    ky_ledger_inclusion(l, i, n, proof, &np, &err) != 0 ||
		    ky_merkle_verify_inclusion(i, n, leaf, proof, np, root,
					       &err) != 0) {
			fprintf(stderr, "bench_ledger: inclusion %llu: %s\n",
				(unsigned long long)i, err.msg);
			return 1;
		}
		total_hashes += np;
	}
	t_inc = now_s() - t0;

	/* consistency proofs from random earlier sizes (their roots from the
	 * tree, as a witness would have them from a checkpoint) */
	t0 = now_s();
	for (uint64_t k = 0; k < proofs / 10; k++) {
		uint64_t s1 = 1 + rnd(&seed) % (n - 1);

		if (ky_ledger_root(l, s1, r1, &err) != 0 ||
		    ky_ledger_consistency(l, s1, n, proof, &np, &err) != 0 ||
		    ky_merkle_verify_consistency(s1, n, r1, root, proof, np,
						 &err) != 0) {
			fprintf(stderr, "bench_ledger: consistency: %s\n",
				err.msg);
			return 1;
		}
	}
	t_con = now_s() - t0;
	ky_ledger_close(l);

	/* the floor: SHA-256 of a leaf input (~150 bytes) and a node */
	{
		unsigned char in[160], out[32];
		unsigned int ol;
		uint64_t m = 2000000;

		memset(in, 'k', sizeof(in));
		t0 = now_s();
		for (uint64_t i = 0; i < m; i++) {
			in[0] = (unsigned char)i;
			EVP_Digest(in, i & 1 ? 65 : 150, out, &ol, EVP_sha256(),
				   NULL);
		}
		t_sha = (now_s() - t0) / (double)m;
	}

	printf("ledger: %llu entries, batches of %llu (fdatasync + root per "
	       "batch), %llu signed checkpoints\n",
	       (unsigned long long)n, (unsigned long long)batch,
	       (unsigned long long)ncp);
	ky_keystore_close(cpk);
	printf("  appends          %10.0f /s   (%.2f us each)\n",
	       (double)n / t_app, t_app / (double)n * 1e6);
	printf("  floor: 2 SHA-256 %10.0f /s   (%.2f us: one leaf + one "
	       "node hash)\n",
	       1 / (2 * t_sha), 2 * t_sha * 1e6);
	printf("  appends / floor  %10.2f\n", (double)n / t_app * 2 * t_sha);
	printf("  inclusion proof  %10.2f us  (generate from tree files + "
	       "verify, %.1f hashes avg, %llu proofs)\n",
	       t_inc / (double)proofs * 1e6,
	       (double)total_hashes / (double)proofs,
	       (unsigned long long)proofs);
	printf("  consistency      %10.2f us  (root of the old size + proof + "
	       "verify, %llu proofs)\n",
	       t_con / (double)(proofs / 10) * 1e6,
	       (unsigned long long)(proofs / 10));
	sign_rates(dir);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd),
		 "command -v openssl >/dev/null && openssl speed -seconds 1 "
		 "-bytes 160 sha256 2>/dev/null | tail -1; rm -rf %s",
		 dir);
	return system(cmd) == 0 ? 0 : 0;
}
