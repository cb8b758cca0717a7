/* The sharing tables of the store (docs/protocol.md): the change log that is
 * also the outbox, the current version of each object, origin seals,
 * peers and their per-peer counters. */
#ifndef KY_STORE_SHARE_H
#define KY_STORE_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

enum { KY_CHANGE_PUT = 0, KY_CHANGE_DELETE = 1 };
enum { KY_CHANGE_ADDED = 0, KY_CHANGE_DUPLICATE, KY_CHANGE_STALE };

struct ky_change {
	int64_t seq; /* set by ky_changes_add */
	const char *id, *modified, *type;
	int64_t modified_ns;
	int op;
	const char *origin; /* node id of the origin */
	const char *object; /* JSON text; NULL for a delete */
	size_t object_len;
	uint8_t sha256[32]; /* of the object as sealed */
	int64_t seal;	    /* seals.id, 0 for none */
	const char *via;    /* the peer it came from; NULL when ours */
	const char *hops;   /* JSON array of node ids, "[]" when ours */
	int tlp;	    /* enum ky_tlp, KY_TLP_UNSET unmarked */
	int64_t recv_ns;
};

/* Appends a version.  *outcome: KY_CHANGE_ADDED (c->seq set; it is now the
 * current version of its object), _DUPLICATE ((id, modified, op) already
 * held) or _STALE (older than the current version); only ADDED writes. */
int ky_changes_add(struct ky_store *s, struct ky_change *c, int *outcome,
		   struct ky_err *err);
/* Changes with seq > after, in order, at most limit (0: all); fn returns
 * non-zero to stop (that value is returned).  Rows are valid during fn. */
int ky_changes_after(struct ky_store *s, int64_t after, size_t limit,
		     int (*fn)(void *ud, const struct ky_change *c), void *ud,
		     struct ky_err *err);
/* Sets the seal of a change (a seal that arrived after it). */
int ky_changes_set_seal(struct ky_store *s, int64_t seq, int64_t seal,
			struct ky_err *err);
int ky_changes_max_seq(struct ky_store *s, int64_t *seq, struct ky_err *err);
/* Removes at most max versions recorded before before_ns that a newer
 * version of the same object superseded (the current version of every
 * object, a deletion too, stays): a peer that pulls later gets the newer
 * one and converges all the same.  *removed: how many went. */
int ky_changes_compact(struct ky_store *s, int64_t before_ns, size_t max,
		       size_t *removed, struct ky_err *err);
/* All of them, 10,000 per transaction (a big first run does not hold the
 * store for long); *total: how many went. */
int ky_changes_compact_all(struct ky_store *s, int64_t before_ns, size_t *total,
			   struct ky_err *err);
/* The current version of an object (KY_E_NOTFOUND when none). */
int ky_changes_current(struct ky_store *s, const char *id,
		       int (*fn)(void *ud, const struct ky_change *c), void *ud,
		       struct ky_err *err);
/* Current objects of a type (NULL: all), in id order. */
int ky_changes_objects(struct ky_store *s, const char *type,
		       int (*fn)(void *ud, const struct ky_change *c), void *ud,
		       struct ky_err *err);

/* A seal: origin's envelope over n object hashes.  Adding one already held
 * (same digest) returns its id. */
int ky_seal_add(struct ky_store *s, const char *origin, const char *envelope,
		const uint8_t *hashes, size_t n, int64_t *id,
		struct ky_err *err);
struct ky_seal_row {
	int64_t id;
	const char *origin, *envelope;
	const uint8_t *hashes;
	size_t n;
};
int ky_seal_get(struct ky_store *s, int64_t id,
		int (*fn)(void *ud, const struct ky_seal_row *row), void *ud,
		struct ky_err *err);

struct ky_peer_row {
	const char *name, *node_id, *pubkey, *url, *country, *groups;
	bool paused;
	int64_t added_ns;
};
/* Adds or replaces (by name); KY_E_EXISTS when another name has the same
 * node id. */
int ky_peers_put(struct ky_store *s, const struct ky_peer_row *p,
		 struct ky_err *err);
/* By name or node id; KY_E_NOTFOUND when none. */
int ky_peers_get(struct ky_store *s, const char *name_or_node,
		 int (*fn)(void *ud, const struct ky_peer_row *row), void *ud,
		 struct ky_err *err);
int ky_peers_list(struct ky_store *s,
		  int (*fn)(void *ud, const struct ky_peer_row *row), void *ud,
		  struct ky_err *err);
int ky_peers_del(struct ky_store *s, const char *name, struct ky_err *err);
int ky_peers_pause(struct ky_store *s, const char *name, bool paused,
		   struct ky_err *err);
/* A peer pinned by fingerprint ("fp:..." in pubkey) presented a key with
 * that fingerprint: it replaces the fingerprint (a full key stays). */
int ky_peers_learn_key(struct ky_store *s, const char *name, const char *pubkey,
		       struct ky_err *err);

/* Per-peer counters ("pulled", "acked", "bundle_out", "bundle_in"); a
 * missing one reads as 0. */
int ky_peer_state_get(struct ky_store *s, const char *peer, const char *key,
		      int64_t *v, struct ky_err *err);
int ky_peer_state_put(struct ky_store *s, const char *peer, const char *key,
		      int64_t v, struct ky_err *err);

/* Ledger entries waiting for the process that holds the ledger. */
struct ky_pending_entry {
	int64_t id;
	const char *kind, *peer, *policy;
	uint8_t sha256[32];
	int64_t time_ns;
};
int ky_ledger_pending_add(struct ky_store *s, const struct ky_pending_entry *e,
			  struct ky_err *err);
/* Calls fn for at most limit entries in order, then deletes those fn
 * accepted (returned 0); stops at the first refusal. */
int ky_ledger_pending_drain(struct ky_store *s, size_t limit,
			    int (*fn)(void *ud,
				      const struct ky_pending_entry *e),
			    void *ud, size_t *done, struct ky_err *err);

#endif
