/* Witnessing a peer's ledger: each new checkpoint of a peer is verified
 * with the peer's pinned key and checked against the last one seen from
 * that origin with a consistency proof before it is cosigned.  Two
 * checkpoints of one origin that cannot both be true (the same size with
 * another root, or a consistency proof that fails) are kept as evidence
 * of a fork.  State lives in files under a directory of the node's ledger
 * (docs/ledger.md "Witnessing"). */
#ifndef KY_LEDGER_WITNESS_H
#define KY_LEDGER_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

enum ky_witness_verdict {
	KY_WIT_FIRST,	   /* no earlier checkpoint of this origin */
	KY_WIT_SAME,	   /* the one seen last (size and root) */
	KY_WIT_CONSISTENT, /* larger and proven consistent */
	KY_WIT_STALE,	   /* smaller than the one seen: not cosigned */
	KY_WIT_FORK,	   /* contradicts the one seen: evidence kept */
};

const char *ky_witness_verdict_name(enum ky_witness_verdict v);

struct ky_witness_result {
	enum ky_witness_verdict verdict;
	uint64_t prev_size, size;
	char evidence[4200]; /* path of the evidence file for a fork */
	char reason[256];    /* why it is a fork */
};

/* Checks a peer's signed checkpoint (note text) against the last seen in
 * state_dir.  The note must verify with key (KY_E_VERIFY otherwise: an
 * unsigned or wrongly signed note is not evidence of anything).  proof is
 * the consistency proof from the last seen size to the new one (ignored
 * when not needed).  On FIRST, SAME and CONSISTENT the note becomes the
 * last seen; on FORK both notes are written to an evidence file and the
 * last seen is kept.  A missing proof when one is needed fails with
 * KY_E_INVAL and changes nothing. */
int ky_witness_check(const char *state_dir, const struct ky_note_verifier *key,
		     const char *note, size_t n, const ky_hash256 *proof,
		     size_t nproof, struct ky_witness_result *res,
		     struct ky_err *err);

/* The last seen note of an origin (malloc'ed text) or KY_E_NOTFOUND. */
int ky_witness_last(const char *state_dir, const char *origin, char **note,
		    size_t *n, struct ky_err *err);

/* The alert a fork becomes (its JSON text, malloc'd; NULL without
 * memory): rule kyklos-ledger-fork, critical, with the sizes, the reason
 * and where the evidence is.  Stored by the caller as an alert row. */
char *ky_witness_fork_json(const char *origin,
			   const struct ky_witness_result *res);

#endif
