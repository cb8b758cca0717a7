/* Detached signature envelopes for objects and batches (docs/signatures.md):
 *   {"type":"kyklos-sig/1","alg":"ed25519","key_id":"<16 hex>",
 *    "signer":"<node id>","signed_at":"<RFC 3339>",
 *    "payload_sha256":"<64 hex>","sig":"<base64>"}
 * The signature is over the RFC 8785 form of the envelope without "sig";
 * the payload is an object (hashed in its RFC 8785 form) or bytes (a
 * batch, hashed as they are).  Several envelopes may sign one payload (a
 * relay adds its own and keeps the origin's). */
#ifndef KY_TRUST_SIG_H
#define KY_TRUST_SIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "trust/pubkey.h"
#include "trust/signer.h"

/* New envelope (*env, new reference) over bytes or over an object. */
int ky_sig_sign_bytes(const struct ky_signer *s, const void *payload, size_t n,
		      int64_t now_ns, json_t **env, struct ky_err *err);
int ky_sig_sign_json(const struct ky_signer *s, const json_t *payload,
		     int64_t now_ns, json_t **env, struct ky_err *err);

/* Verifies an envelope with the signer's pinned key: checks the shape
 * (every member, types, no others), type, algorithm and key id against
 * pk, the payload hash and the signature.  KY_E_VERIFY names what failed
 * ("payload hash differs", "key id 1a2b... is not the pinned key",
 * "bad signature"); KY_E_PARSE a malformed envelope with the member. */
int ky_sig_verify_bytes(const json_t *env, const struct ky_pubkey *pk,
			const void *payload, size_t n, struct ky_err *err);
int ky_sig_verify_json(const json_t *env, const struct ky_pubkey *pk,
		       const json_t *payload, struct ky_err *err);

#endif
