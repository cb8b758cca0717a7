/* Offline bundles for disconnected segments (docs/protocol.md "Offline
 * bundles"): the batches a peer would pull, written one after another into
 * one zstd stream, numbered per (sender, receiver).  Both directions
 * stream: memory is bounded by one line and one batch's hashes. */
#ifndef KY_SHARE_BUNDLE_H
#define KY_SHARE_BUNDLE_H

#include <stdio.h>

#include "share/batch.h"

struct ky_bundle_stats {
	int64_t seq;	  /* the bundle's number */
	int64_t after;	  /* the cursor it starts from */
	int64_t last;	  /* the cursor it ends at */
	size_t batches;	  /* segments */
	size_t sent;	  /* changes written (export) or added (import) */
	size_t dropped;	  /* held back by the policy (export) */
	size_t duplicate; /* import */
	size_t stale;	  /* import */
	size_t refused;	  /* import: single changes refused */
	size_t bytes;	  /* compressed */
	char from[64];	  /* import: the sender's node id */
	char peer[64];	  /* import: its name here */
};

/* Writes the bundle numbered seq for peer, starting after cursor `after`,
 * to out.  Nothing in the store changes: the caller records the new
 * sequence number and cursor once the file is safely written. */
int ky_bundle_export(struct ky_store *st, struct ky_policy *pol,
		     const struct ky_share_self *self,
		     const struct ky_peer_row *peer, int64_t after, int64_t seq,
		     size_t batch_limit, FILE *out, ky_batch_record_fn rec,
		     void *rud, struct ky_bundle_stats *stats,
		     struct ky_err *err);

/* Reads a bundle: zstd frame, header, the sender must be a pinned peer,
 * every segment verified (lines, seals, signed trailer), segments chained
 * (each starts where the previous ended), then the sequence: the next
 * expected number is applied (and recorded); one already applied is a
 * replay, a higher one a gap (KY_E_VERIFY naming the missing numbers).
 * Each segment is its own transaction. */
int ky_bundle_import(struct ky_store *st, const struct ky_share_self *self,
		     FILE *in, const char *name, ky_batch_record_fn rec,
		     void *rud, struct ky_bundle_stats *stats,
		     struct ky_err *err);

#endif
