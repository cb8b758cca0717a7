/* Batches: the one stream format of sync responses and offline bundles
 * (docs/protocol.md).  A header line, seal and change lines, a signed
 * trailer; JSON, one value per line.  The writer reads the change log and
 * applies the policy for the receiving peer before anything is serialised;
 * the reader checks every line, stages the changes in the caller's
 * transaction and says at the end whether the whole batch verifies. */
#ifndef KY_SHARE_BATCH_H
#define KY_SHARE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "share/policy.h"
#include "store/share.h"
#include "trust/signer.h"

#define KY_BATCH_LINE_MAX (1 << 20) /* bytes of one line, newline included */
#define KY_BATCH_LIMIT_MAX 100000   /* changes per batch */

/* This node, as the sharing layer sees it. */
struct ky_share_self {
	const char *node_id;
	const struct ky_signer *signer;
};

/* Called for every object sent or accepted (the ledger's entries). */
typedef void (*ky_batch_record_fn)(void *ud, const char *kind,
				   const uint8_t sha256[32], const char *peer,
				   const char *policy);

/* Publishes objects this node created: one seal over all of them, then
 * each appended to the change log (inside the caller's transaction).
 * added counts the versions that were new. */
int ky_share_publish(struct ky_store *st, const struct ky_share_self *self,
		     json_t *const *objs, size_t n, int64_t now_ns,
		     size_t *added, struct ky_err *err);
/* Publishes the deletion of an object we hold. */
int ky_share_delete(struct ky_store *st, const struct ky_share_self *self,
		    const char *id, int64_t now_ns, struct ky_err *err);

struct ky_batch_opts {
	int64_t after;	    /* the receiver's cursor */
	size_t limit;	    /* changes examined at most (0: 10,000) */
	size_t byte_cap;    /* stop after about this many bytes (0: 64 MiB) */
	int64_t bundle_seq; /* > 0 for a bundle */
	unsigned rate;	    /* objects sent at most (0: no limit) */
};

struct ky_batch_stats {
	int64_t last;	/* seq the receiver's cursor moves to */
	size_t sent;	/* changes written */
	size_t dropped; /* held back by the policy */
	size_t derived; /* changed by the policy, sealed by us */
	size_t lines, bytes;
	bool more; /* stopped by limit, bytes or rate: pull again */
};

typedef int (*ky_batch_write_fn)(void *ud, const void *p, size_t n);

int ky_batch_write(struct ky_store *st, struct ky_policy *pol,
		   const struct ky_share_self *self,
		   const struct ky_peer_row *peer,
		   const struct ky_batch_opts *o, ky_batch_write_fn w,
		   void *wud, ky_batch_record_fn rec, void *rud,
		   struct ky_batch_stats *stats, struct ky_err *err);

struct ky_batch_in;

struct ky_batch_result {
	int64_t after, last, bundle_seq;
	size_t added, duplicate, stale, refused;
	char policy[64];
	char *checkpoint; /* the sender's signed note, or NULL (owned) */
};

/* Reads a batch from sender (a pinned peer).  The caller begins a store
 * transaction first, feeds every line (with its newline), then calls
 * finish: 0 means the batch verified and the staged changes may be
 * committed; any error means the caller rolls back. */
int ky_batch_in_new(struct ky_store *st, const struct ky_share_self *self,
		    const struct ky_peer_row *sender, struct ky_batch_in **out,
		    struct ky_err *err);
int ky_batch_in_line(struct ky_batch_in *b, const char *line, size_t n,
		     struct ky_err *err);
/* The parse of a line, done ahead (by another thread, while the batch
 * before it is applied): the JSON object of a complete line, or NULL.
 * ky_batch_in_parsed then takes it (its reference) in place of parsing the
 * same line; NULL makes it parse the line itself, to report the error. */
json_t *ky_batch_line_parse(const char *line, size_t n);
int ky_batch_in_parsed(struct ky_batch_in *b, const char *line, size_t n,
		       json_t *j, struct ky_err *err);
int ky_batch_in_finish(struct ky_batch_in *b, struct ky_batch_result *res,
		       struct ky_err *err);
/* After the commit: one "received" record per change added. */
void ky_batch_in_record(const struct ky_batch_in *b, ky_batch_record_fn rec,
			void *rud);
/* True once the signed trailer has been read and verified. */
bool ky_batch_in_done(const struct ky_batch_in *b);
/* The refusals of single changes so far, as "id: reason" lines. */
const char *ky_batch_in_refusals(const struct ky_batch_in *b);
void ky_batch_in_free(struct ky_batch_in *b);

/* The RFC 8785 form of o into text (reset first) and its SHA-256. */
int ky_share_object_jcs(const json_t *o, struct ky_buf *text, uint8_t out[32],
			struct ky_err *err);
/* SHA-256 of the RFC 8785 form of a JSON object. */
int ky_share_object_hash(const json_t *o, uint8_t out[32], struct ky_err *err);

#endif
