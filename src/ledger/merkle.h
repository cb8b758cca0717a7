/* RFC 9162 (Certificate Transparency 2.0, section 2.1) Merkle tree hashing:
 * leaf hash SHA-256(0x00 || data), node hash SHA-256(0x01 || left ||
 * right), the root of a tree of any size, inclusion and consistency proofs
 * built from a source of subtree hashes, and their verifiers.  Everything
 * here is pure computation; storage is ledger/log.h.  docs/ledger.md. */
#ifndef KY_LEDGER_MERKLE_H
#define KY_LEDGER_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define KY_HASH_LEN 32
#define KY_MERKLE_MAX_PROOF 64 /* hashes in a proof for sizes < 2^63 */

typedef uint8_t ky_hash256[KY_HASH_LEN];

void ky_merkle_leaf_hash(const void *data, size_t n, ky_hash256 out);
/* Plain SHA-256 with the digest fetched once and a context per thread
 * (OpenSSL 3's implicit fetch per call costs more than hashing a few
 * hundred bytes); all zero if OpenSSL fails, which matches nothing. */
void ky_sha256(const void *data, size_t n, ky_hash256 out);
void ky_merkle_node_hash(const ky_hash256 left, const ky_hash256 right,
			 ky_hash256 out);
/* The root of the empty tree: SHA-256 of the empty string. */
void ky_merkle_empty_root(ky_hash256 out);

/* Where proofs get their hashes: the hash of the perfect subtree at level
 * `level` (0: leaves) and index `index` (its leaves are
 * [index << level, (index + 1) << level)).  Only complete subtrees of the
 * tree being proven are asked for.  Returns 0 or a negative KY_E_*. */
typedef int (*ky_merkle_node_fn)(void *ud, unsigned level, uint64_t index,
				 ky_hash256 out);

/* The root of the first `size` leaves (size 0: the empty root). */
int ky_merkle_root(ky_merkle_node_fn fn, void *ud, uint64_t size,
		   ky_hash256 out, struct ky_err *err);

/* Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162
 * 2.1.3.1): *n hashes into proof, at most KY_MERKLE_MAX_PROOF. */
int ky_merkle_inclusion_proof(ky_merkle_node_fn fn, void *ud, uint64_t index,
			      uint64_t size,
			      ky_hash256 proof[KY_MERKLE_MAX_PROOF], size_t *n,
			      struct ky_err *err);
/* Consistency proof between sizes size1 <= size2 (RFC 9162 2.1.4.1). */
int ky_merkle_consistency_proof(ky_merkle_node_fn fn, void *ud, uint64_t size1,
				uint64_t size2,
				ky_hash256 proof[KY_MERKLE_MAX_PROOF],
				size_t *n, struct ky_err *err);

/* Verifiers (RFC 9162 2.1.3.2 and 2.1.4.2): 0 when the proof holds,
 * KY_E_VERIFY with the reason ("index 5 not below size 5", "proof has 3
 * hashes, 4 needed", "root mismatch") otherwise. */
int ky_merkle_verify_inclusion(uint64_t index, uint64_t size,
			       const ky_hash256 leaf_hash,
			       const ky_hash256 *proof, size_t n,
			       const ky_hash256 root, struct ky_err *err);
int ky_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				 const ky_hash256 root1, const ky_hash256 root2,
				 const ky_hash256 *proof, size_t n,
				 struct ky_err *err);

/* A compact range for appending: the roots of the perfect subtrees that
 * make up a tree of `size` leaves (one per set bit of size, largest
 * first), enough to append leaves and get the root without storage. */
struct ky_merkle_range {
	uint64_t size;
	ky_hash256 h[64];
	unsigned n;
};
void ky_merkle_range_init(struct ky_merkle_range *r);
/* Appends a leaf hash; calls fn (may be NULL) for every complete subtree
 * the append finishes (level 0 for the leaf itself, then its parents), so
 * a store can keep them for proofs. */
void ky_merkle_range_append(struct ky_merkle_range *r, const ky_hash256 leaf,
			    void (*fn)(void *ud, unsigned level, uint64_t index,
				       const ky_hash256 h),
			    void *ud);
void ky_merkle_range_root(const struct ky_merkle_range *r, ky_hash256 out);

#endif
