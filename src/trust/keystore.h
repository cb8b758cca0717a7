/* The keystore: a node's signing key behind a narrow interface in the
 * spirit of OpenSSH's privileged monitor: generate, open, public key, sign;
 * nothing returns private bytes.  Backends side by side: "file" (PEM
 * PKCS#8, mode 0600, optionally encrypted with a passphrase) and "pkcs11"
 * (a PKCS#11 module loaded at run time: SoftHSM2, a smart card, a TPM
 * through tpm2-pkcs11).  Ed25519 and ECDSA P-256 in both.  Secrets (PINs,
 * passphrases, key buffers) are wiped after use.  docs/keystore.md. */
#ifndef KY_TRUST_KEYSTORE_H
#define KY_TRUST_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "trust/pubkey.h"

enum ky_keystore_backend {
	KY_KS_FILE = 1,
	KY_KS_PKCS11,
};

/* Where the key is and how to unlock it.  Secrets never come from the
 * command line: a file (first line, trailing newline dropped) or an
 * environment variable, named here. */
struct ky_keystore_opts {
	enum ky_keystore_backend backend;
	/* file */
	const char *key_path;	     /* PEM; created 0600, refused if group-
				      * or world-readable */
	const char *passphrase_file; /* NULL/"": not encrypted (unless env) */
	const char *passphrase_env;
	/* pkcs11 */
	const char *module;	 /* path of the PKCS#11 module (.so) */
	const char *token_label; /* the token (slot found by its label) */
	const char *key_label;	 /* CKA_LABEL of the key pair */
	const char *key_id_hex;	 /* CKA_ID, hex; either or both identify it */
	const char *pin_file;	 /* user PIN */
	const char *pin_env;
};

struct ky_keystore;

/* Opens an existing key.  Errors name what is wrong: "key file
 * /x/node.key is readable by others (mode 0644): chmod 600 it", "token
 * 'kyklos' not found in /usr/lib/softhsm/libsofthsm2.so", "PIN refused
 * by the token", "no private key labelled 'node' on token 'kyklos'". */
int ky_keystore_open(const struct ky_keystore_opts *o, struct ky_keystore **out,
		     struct ky_err *err);
/* Creates a key pair: file: a new file (refuses to overwrite); pkcs11: a
 * pair on the token with the label/id (CKA_SENSITIVE, not extractable),
 * refusing when one with that label or id exists. */
int ky_keystore_generate(const struct ky_keystore_opts *o, enum ky_key_alg alg,
			 struct ky_keystore **out, struct ky_err *err);
void ky_keystore_close(struct ky_keystore *ks);

enum ky_keystore_backend ky_keystore_backend(const struct ky_keystore *ks);
const struct ky_pubkey *ky_keystore_pubkey(const struct ky_keystore *ks);

/* Signs msg: Ed25519 over msg (PureEdDSA, CKM_EDDSA on tokens); ECDSA
 * P-256 over SHA-256(msg) (CKM_ECDSA on the digest), r || s.  sig gets
 * KY_SIG_MAX bytes.  Thread-safe (a PKCS#11 session per call or a lock). */
int ky_keystore_sign(struct ky_keystore *ks, const void *msg, size_t n,
		     uint8_t sig[KY_SIG_MAX], struct ky_err *err);

/* Reads a secret from a file (first line) or an environment variable into
 * buf (NUL-terminated); KY_E_NOTFOUND when neither is set.  Callers wipe
 * buf with ky_wipe after use. */
int ky_secret_read(const char *file, const char *env, char *buf, size_t cap,
		   size_t *len, struct ky_err *err);
/* Zeroes memory in a way the compiler keeps. */
void ky_wipe(void *p, size_t n);

#endif
