/* Public keys of the circle and signature verification: Ed25519 (RFC 8032)
 * and ECDSA P-256 with SHA-256 (for keys anchored in TPM 2.0 chips, which
 * cannot do Ed25519).  One text form for configuration and the command
 * line, one fingerprint for people and key ids.  docs/signatures.md. */
#ifndef KY_TRUST_PUBKEY_H
#define KY_TRUST_PUBKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum ky_key_alg {
	KY_ALG_ED25519 = 1,
	KY_ALG_ECDSA_P256 = 2,
};

#define KY_PUBKEY_MAX 65 /* P-256 uncompressed SEC1 point */
#define KY_SIG_MAX 64	 /* both algorithms: 64 bytes (ECDSA: r || s) */
#define KY_KEYID_LEN 8	 /* bytes of the fingerprint used as key id */

/* "ed25519", "ecdsa-p256"; parse returns 0 or KY_E_INVAL naming s. */
const char *ky_key_alg_name(enum ky_key_alg a);
int ky_key_alg_parse(const char *s, enum ky_key_alg *out, struct ky_err *err);

/* Ed25519: the 32-byte key; P-256: the 65-byte uncompressed point
 * (0x04 || X || Y). */
struct ky_pubkey {
	enum ky_key_alg alg;
	uint8_t key[KY_PUBKEY_MAX];
	size_t len;
};

/* Checks the length and, for P-256, that the point is on the curve. */
int ky_pubkey_set(struct ky_pubkey *pk, enum ky_key_alg alg, const void *key,
		  size_t len, struct ky_err *err);
bool ky_pubkey_equal(const struct ky_pubkey *a, const struct ky_pubkey *b);

/* Text form "ed25519:<base64 key>" / "ecdsa-p256:<base64 point>".
 * format needs KY_PUBKEY_TEXT_MAX bytes. */
#define KY_PUBKEY_TEXT_MAX 112
void ky_pubkey_format(const struct ky_pubkey *pk, char out[KY_PUBKEY_TEXT_MAX]);
int ky_pubkey_parse(const char *s, struct ky_pubkey *out, struct ky_err *err);

/* SHA-256 over "kyklos-key-v1" 0x00 alg-name 0x00 key: what node ids, key
 * ids and the fingerprints people compare are made of. */
void ky_pubkey_fingerprint(const struct ky_pubkey *pk, uint8_t out[32]);
/* The first KY_KEYID_LEN bytes of the fingerprint as 16 lower-case hex
 * digits (+ NUL). */
void ky_pubkey_keyid(const struct ky_pubkey *pk,
		     char out[2 * KY_KEYID_LEN + 1]);

/* Verifies sig over msg: Ed25519 over msg itself (PureEdDSA); ECDSA over
 * SHA-256(msg), sig = r || s (32 bytes each, big-endian).  0 or
 * KY_E_VERIFY ("bad signature"), KY_E_INVAL for a malformed key/sig. */
int ky_pubkey_verify(const struct ky_pubkey *pk, const void *msg, size_t n,
		     const uint8_t *sig, size_t siglen, struct ky_err *err);

/* ECDSA signature conversions (OpenSSL and some tokens speak DER). */
int ky_ecdsa_der_to_raw(const uint8_t *der, size_t n, uint8_t raw[64],
			struct ky_err *err);
int ky_ecdsa_raw_to_der(const uint8_t raw[64], uint8_t *der, size_t cap,
			size_t *n, struct ky_err *err);

#endif
