/* The node's tamper-evident log: an append-only file of entries (what the
 * node shared, received, certified or executed), an offset index, and the
 * RFC 9162 Merkle tree over them kept as one file of hashes per level, so
 * proofs read a few hashes and never recompute.  Crash-safe by
 * construction: the entry file is the truth (each record length-prefixed
 * and checksummed); at open a torn record at its end is cut back and the
 * index and tree files are brought back in line with it.  docs/ledger.md. */
#ifndef KY_LEDGER_LOG_H
#define KY_LEDGER_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ledger/merkle.h"

#define KY_LEDGER_KIND_MAX 32	/* bytes of a kind: [a-z0-9._-] */
#define KY_LEDGER_PEER_MAX 128	/* bytes of a peer name or node id */
#define KY_LEDGER_POLICY_MAX 64 /* bytes of a policy version */

/* One entry: what happened to which object, with whom, under which
 * policy version, when.  peer and policy may be empty. */
struct ky_ledger_entry {
	char kind[KY_LEDGER_KIND_MAX + 1];
	ky_hash256 object; /* SHA-256 of the object (its canonical form) */
	char peer[KY_LEDGER_PEER_MAX + 1];
	char policy[KY_LEDGER_POLICY_MAX + 1];
	int64_t time_ns;
};

/* The leaf data of an entry (what is hashed with the 0x00 prefix), one
 * line of text: "kyklos-ledger/1 <kind> <object hex> <peer|-> <policy|->
 * <time_ns>\n".  Fields are checked (set: 0 or KY_E_INVAL naming it). */
int ky_ledger_entry_set(struct ky_ledger_entry *e, const char *kind,
			const ky_hash256 object, const char *peer,
			const char *policy, int64_t time_ns,
			struct ky_err *err);
size_t ky_ledger_entry_encode(const struct ky_ledger_entry *e, char *out,
			      size_t cap);
int ky_ledger_entry_decode(const char *s, size_t n, struct ky_ledger_entry *e,
			   struct ky_err *err);

struct ky_ledger;

#define KY_LEDGER_CREATE 0x1   /* make the directory and files if absent */
#define KY_LEDGER_READONLY 0x2 /* no repair, no append */

/* What open found and did. */
struct ky_ledger_repair {
	uint64_t entries;      /* entries after open */
	uint64_t cut_bytes;    /* torn bytes cut from the end of the log */
	uint64_t index_fixed;  /* index entries rewritten */
	uint64_t hashes_fixed; /* tree hashes recomputed */
};

/* Opens the log in dir (one process at a time: an exclusive lock).  A
 * damaged record before the last one is not repaired: open fails with
 * KY_E_VERIFY naming its offset (that is tampering or disk damage, not a
 * torn write), unless READONLY (then verify reports it). */
int ky_ledger_open(const char *dir, unsigned flags, struct ky_ledger **out,
		   struct ky_ledger_repair *rep, struct ky_err *err);
void ky_ledger_close(struct ky_ledger *l);

uint64_t ky_ledger_size(const struct ky_ledger *l);

/* Appends one entry (buffered; *index gets its index).  Entries become
 * durable at ky_ledger_sync, which appends batches write and fsync once. */
int ky_ledger_append(struct ky_ledger *l, const struct ky_ledger_entry *e,
		     uint64_t *index, struct ky_err *err);
int ky_ledger_sync(struct ky_ledger *l, struct ky_err *err);

int ky_ledger_get(struct ky_ledger *l, uint64_t index,
		  struct ky_ledger_entry *e, struct ky_err *err);
int ky_ledger_leaf_hash(struct ky_ledger *l, uint64_t index, ky_hash256 out,
			struct ky_err *err);

/* Root of the first size entries, and proofs within them. */
int ky_ledger_root(struct ky_ledger *l, uint64_t size, ky_hash256 out,
		   struct ky_err *err);
int ky_ledger_inclusion(struct ky_ledger *l, uint64_t index, uint64_t size,
			ky_hash256 proof[KY_MERKLE_MAX_PROOF], size_t *n,
			struct ky_err *err);
int ky_ledger_consistency(struct ky_ledger *l, uint64_t size1, uint64_t size2,
			  ky_hash256 proof[KY_MERKLE_MAX_PROOF], size_t *n,
			  struct ky_err *err);

/* Reads every record, checks its checksum and encoding, recomputes every
 * leaf and tree hash and compares them with what is stored.  0 when all
 * agree; KY_E_VERIFY naming the first entry (and byte offset) that does
 * not.  *root gets the recomputed root of the whole log. */
int ky_ledger_verify(struct ky_ledger *l, ky_hash256 root, struct ky_err *err);

#endif
