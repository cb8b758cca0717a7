/* TLS for the sync endpoint (docs/protocol.md "Transport and
 * authentication"): the node's TLS key and self-signed certificate, the
 * binding by which the node key vouches for that certificate, and the
 * check of a peer's binding against its pinned key and the certificate
 * its TLS session presented. */
#ifndef KY_NODE_SYNC_TLS_H
#define KY_NODE_SYNC_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "trust/pubkey.h"
#include "trust/signer.h"

/* Creates keys/tls.key (P-256, 0600) and keys/tls.crt under home when
 * absent; fills the paths. */
int ky_sync_tls_ensure(const char *home, char *key_path, size_t kcap,
		       char *crt_path, size_t ccap, struct ky_err *err);

/* SHA-256 of the SubjectPublicKeyInfo of a certificate (hex, 64 + NUL). */
int ky_sync_spki_hex(X509 *crt, char out[65]);
int ky_sync_spki_hex_file(const char *crt_path, char out[65],
			  struct ky_err *err);

/* The Kyklos-Binding header value: base64 of {"binding":{...},"sig":
 * {envelope}} binding node_id to spki, valid until not_after_ns.  *out
 * malloc'd. */
int ky_sync_binding_make(const struct ky_signer *s, const char *node_id,
			 const char spki_hex[65], int64_t now_ns,
			 int64_t not_after_ns, char **out, struct ky_err *err);
/* Checks a header value: signed by pk, naming node_id, for spki_hex, not
 * expired at now_ns.  KY_E_VERIFY says which. */
int ky_sync_binding_check(const char *header, const struct ky_pubkey *pk,
			  const char *node_id, const char spki_hex[65],
			  int64_t now_ns, struct ky_err *err);

/* The key a peer is pinned to.  pinned is its peers row's text: a public
 * key, or "fp:" and the 40 hex digits of its fingerprint when it was
 * pinned by fingerprint only; then the key is the one its binding header
 * carries, if that key has the pinned fingerprint (*learned is set: the
 * caller verifies the binding with it, then keeps it). */
int ky_sync_pinned_key(const char *pinned, const char *header,
		       struct ky_pubkey *pk, bool *learned, struct ky_err *err);

/* The server context: TLS 1.3 only, our certificate, a client certificate
 * required (any: the binding pins it). */
SSL_CTX *ky_sync_server_ctx(const char *key_path, const char *crt_path,
			    struct ky_err *err);

#endif
