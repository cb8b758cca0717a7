/* A node's identity is its public key.  The node id is derived from the
 * key's fingerprint (trust/pubkey.h) so that it cannot be claimed without
 * the key: "ky" followed by the first 15 bytes of the fingerprint in
 * lower-case RFC 4648 base32 (24 characters).  The form people compare over
 * the phone is the first 20 bytes as ten groups of four hex digits.
 * docs/identity.md. */
#ifndef KY_TRUST_IDENTITY_H
#define KY_TRUST_IDENTITY_H

#include "trust/pubkey.h"

#define KY_NODE_ID_LEN 26      /* "ky" + 24 base32 characters */
#define KY_FINGERPRINT_TEXT 50 /* "3f2a 9c01 ... 77d2" + NUL */

void ky_identity_node_id(const struct ky_pubkey *pk,
			 char out[KY_NODE_ID_LEN + 1]);
void ky_identity_fingerprint_text(const struct ky_pubkey *pk,
				  char out[KY_FINGERPRINT_TEXT]);
/* True when id is the node id of pk. */
bool ky_identity_matches(const char *id, const struct ky_pubkey *pk);

/* Pinning by fingerprint (docs/identity.md): the 20 bytes people compare
 * are enough to name the node (its id is made of the first 15) and to
 * recognise its key when it first presents it. */
#define KY_FINGERPRINT_BYTES 20
/* "3f2a 9c01 ..." (spaces, colons or dashes between digits allowed); 0 or
 * KY_E_INVAL naming the text and the position. */
int ky_identity_fingerprint_parse(const char *s,
				  uint8_t out[KY_FINGERPRINT_BYTES],
				  struct ky_err *err);
void ky_identity_node_id_of(const uint8_t fp[KY_FINGERPRINT_BYTES],
			    char out[KY_NODE_ID_LEN + 1]);
bool ky_identity_fingerprint_matches(const uint8_t fp[KY_FINGERPRINT_BYTES],
				     const struct ky_pubkey *pk);

#endif
