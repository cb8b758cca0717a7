/* How the ledger and sharing layers sign without seeing a key: a public key,
 * the signer's node id, and a sign callback (the keystore's, or a test's). */
#ifndef KY_TRUST_SIGNER_H
#define KY_TRUST_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "trust/pubkey.h"

struct ky_signer {
	struct ky_pubkey pub;
	const char *signer; /* node id of the signer */
	/* Ed25519 over msg; ECDSA over SHA-256(msg), r || s */
	int (*sign)(void *ud, const void *msg, size_t n,
		    uint8_t sig[KY_SIG_MAX], struct ky_err *err);
	void *ud;
};

struct ky_keystore;
/* A signer over a keystore (the keystore must outlive it). */
void ky_signer_from_keystore(struct ky_signer *s, struct ky_keystore *ks,
			     const char *node_id);

#endif
