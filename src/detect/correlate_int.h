/* Internals of the correlation engine shared by correlate.c (windows,
 * firing, chaining) and correlate_state.c (save and restore of the state
 * blob).  Not part of the public API. */
#ifndef KY_DETECT_CORRELATE_INT_H
#define KY_DETECT_CORRELATE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "detect/correlate.h"

/* Limits that keep per-alert work on the stack: a bit per referenced rule
 * in an event mask, the group values of one correlation in an array. */
#define KY__CORR_MAXREFS 64
#define KY__CORR_MAXGROUP 16

/* One alert kept in a group's window. */
struct ky__cev {
	int64_t t;     /* event time */
	uint64_t mask; /* bit i: the alert is of the correlation's rules[i] */
	uint64_t vh;   /* keyed hash of the condition field's value */
	double num;    /* its number (NaN: none or not numeric) */
	uint64_t seq;  /* arrival number, to find the completing event */
	uint8_t flags; /* KY__CEV_* */
};

#define KY__CEV_HASV 0x1 /* vh is set (the field was present) */

/* A correlation rule ready to run. */
struct ky__cdef {
	const struct ky_sigma_rule *rule;
	const struct ky_sigma_corr *c;
	uint32_t idx;
	bool active;
	bool close_decided; /* only upper bounds: decided at window close */
	/* lower bounds only on an aggregate that more alerts can only raise
	 * (counts, distinct values, rules seen): once true it stays true, so
	 * it fires on arrival, before the lateness has passed */
	bool eager;
	const struct ky_sigma_rule **refs; /* resolved rules[] */
	int32_t *inner; /* per ref: index of a referenced correlation, or -1 */
	/* per ref and group field (refs x ngroup): the event field to read,
	 * or for a chained ref the index in the inner's group values */
	const char **gfield;
	int32_t *ginner;
	/* per ref: the condition field, the same way */
	const char **cfield;
	int32_t *cinner;
	uint64_t defhash; /* of the definition, to match saved state */
	char *key;	  /* id, else name, else "path:line" */
};

struct ky__group {
	struct ky__group *prev, *next; /* LRU: head most recently updated */
	struct ky__cdef *def;
	struct ky__cev *ev; /* ev[head .. head + n), sorted by time */
	uint32_t head, n, cap;
	uint32_t cursor;  /* ev[head .. head+cursor) decided already */
	uint32_t busy;	  /* being processed: not to be evicted */
	size_t heapi;	  /* index in the deadline heap, or SIZE_MAX */
	int64_t deadline; /* process when the frontier reaches it */
	int64_t last_t;	  /* newest alert ever inserted */
	size_t klen;
	char key[]; /* u32 def index, then per value: u8 present, u32 len,
		     * bytes, NUL (so values can be handed out in place) */
};

struct ky_corr {
	pthread_mutex_t mu;
	const struct ky_ruleset *rs;
	struct ky_corr_opts o;
	struct ky__cdef *defs;
	size_t ndefs;
	struct ky_hash *users;	/* rule pointer -> struct ky__users */
	struct ky_hash *groups; /* key -> struct ky__group (key borrowed) */
	struct ky__group *lru_head, *lru_tail;
	struct ky__group **heap; /* min-heap on deadline */
	size_t nheap, capheap;
	int64_t wm; /* newest event time seen */
	uint64_t seq;
	uint64_t vkey[2]; /* SipHash key of condition values */
	struct ky_buf keybuf;
	uint64_t *scratch_u; /* max_events_per_group entries each */
	double *scratch_d;
	struct ky_corr_stats st;
};

/* Frees every group (state) but keeps the definitions. */
void ky__corr_clear(struct ky_corr *c);
/* Creates (or finds) the group of def d with encoded key; evicts at the
 * cap.  Returns NULL on allocation failure. */
struct ky__group *ky__corr_group(struct ky_corr *c, struct ky__cdef *d,
				 const void *key, size_t klen);
void ky__corr_group_free(struct ky_corr *c, struct ky__group *g);
/* Makes g the most recently updated group. */
void ky__corr_touch(struct ky_corr *c, struct ky__group *g);
/* Sets g's deadline and its place in the heap (never allocates: the heap
 * has room for every group). */
void ky__corr_heap_set(struct ky_corr *c, struct ky__group *g, int64_t dl);
/* Recomputes the group's deadline and heap position; frees it when it
 * holds nothing and its last alert expired at frontier.  exact: key the
 * heap with the deadline even when the current key is earlier. */
void ky__corr_settle(struct ky_corr *c, struct ky__group *g, int64_t frontier,
		     bool exact);
/* wm - lateness, saturating: everything at or before it is final. */
int64_t ky__corr_frontier(const struct ky_corr *c);
int ky__corr_reserve(struct ky__group *g, uint32_t n);

/* Keyed SipHash-2-4 of condition values (the key is saved with the
 * state); the definition hash and key that saved state is matched by. */
uint64_t ky__corr_siphash(const uint64_t k[2], const void *p, size_t n);
uint64_t ky__corr_defhash(const struct ky_sigma_corr *k);
char *ky__corr_defkey(const struct ky_sigma_rule *r);

#endif
