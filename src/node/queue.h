/* Batches of framed records and the bounded queue that hands them from the
 * input thread to the worker threads (mutex and condition variables, fixed
 * capacity in batches).  Its counters are atomics read lock-free by metrics. */
#ifndef KY_NODE_QUEUE_H
#define KY_NODE_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a record in a batch is: bytes to parse, or a marker for input the
 * framer refused, which the worker sends to the dead letter. */
enum ky_rec_kind {
	KY_REC_DATA = 0,
	KY_REC_TOOBIG,	  /* frame over limits.max_line; data is a prefix */
	KY_REC_TRUNCATED, /* octet-counted frame cut by end of stream */
};

struct ky_rec {
	uint32_t off;	 /* of the bytes in the batch data */
	uint32_t len;	 /* bytes stored */
	uint32_t src;	 /* offset of the NUL-terminated source name */
	uint32_t kind;	 /* enum ky_rec_kind */
	uint64_t size;	 /* TOOBIG/TRUNCATED: the frame's real size */
	uint64_t line;	 /* frame number on its connection or socket */
	uint64_t offset; /* byte offset of the frame in its stream */
	int64_t recv_ns;
};

/* Records of one input.  The arrays grow on first use and are kept across
 * ky_batch_reset, so a recycled batch allocates nothing. */
struct ky_batch {
	int input; /* index of the input that filled it */
	struct ky_rec *recs;
	size_t n, max_recs;
	char *data;
	size_t len, cap, max_data;
	uint64_t src_key; /* source of the last record (src names dedup) */
	uint32_t src_off;
	struct ky_batch *next; /* free list of the owner */
};

/* max_recs records and about max_data bytes per batch (one record is
 * always accepted by an empty batch, whatever its size).  NULL on
 * exhaustion. */
struct ky_batch *ky_batch_new(size_t max_recs, size_t max_data);
void ky_batch_free(struct ky_batch *b);
void ky_batch_reset(struct ky_batch *b);
/* True when a record of need bytes would not fit. */
bool ky_batch_full(const struct ky_batch *b, size_t need);
/* Copies p[0..n) into the batch.  src names the record's source; it is
 * copied once per run of records with the same src_key.  Returns 0,
 * KY_E_TOOBIG when the batch is full, or KY_E_NOMEM. */
int ky_batch_add(struct ky_batch *b, uint64_t src_key, const char *src,
		 enum ky_rec_kind kind, const char *p, size_t n, uint64_t size,
		 uint64_t line, uint64_t offset, int64_t recv_ns);
static inline const char *ky_batch_rec_data(const struct ky_batch *b,
					    const struct ky_rec *r)
{
	return b->data + r->off;
}
static inline const char *ky_batch_rec_src(const struct ky_batch *b,
					   const struct ky_rec *r)
{
	return b->data + r->src;
}

/* Recycled batches, shared by the loop (get) and the workers (put). */
struct ky_batch_pool;

int ky_batch_pool_new(struct ky_batch_pool **out);
/* Frees the pool and every batch in it; accepts NULL. */
void ky_batch_pool_free(struct ky_batch_pool *p);
/* A reset batch with at least these limits; NULL on exhaustion. */
struct ky_batch *ky_batch_pool_get(struct ky_batch_pool *p, size_t max_recs,
				   size_t max_data);
void ky_batch_pool_put(struct ky_batch_pool *p, struct ky_batch *b);

struct ky_queue;

/* A snapshot of the counters.  in/out/dropped count records; depth and
 * capacity count batches. */
struct ky_queue_stats {
	uint64_t in, out, dropped;
	uint64_t depth, capacity;
};

/* capacity batches.  on_space (may be NULL) is called, by the thread that
 * popped and without the lock held, once room appears after a
 * ky_queue_try_push found the queue full.  Returns 0 or KY_E_NOMEM. */
int ky_queue_new(struct ky_queue **out, size_t capacity,
		 void (*on_space)(void *ud), void *ud);
/* The queue must be empty or its items are leaked; accepts NULL. */
void ky_queue_free(struct ky_queue *q);
/* Ownership of item passes to the queue on success.  nrec is its weight
 * in records for the counters.  Returns 0, KY_E_AGAIN when full, or
 * KY_E_INVAL once the queue is closed. */
int ky_queue_try_push(struct ky_queue *q, void *item, uint64_t nrec);
/* Same but waits for room. */
int ky_queue_push(struct ky_queue *q, void *item, uint64_t nrec);
/* Waits for an item; NULL once the queue is closed and empty. */
void *ky_queue_pop(struct ky_queue *q);
/* No more pushes; poppers drain what is queued, then get NULL. */
void ky_queue_close(struct ky_queue *q);
/* Counts records dropped in front of the queue because it was full. */
void ky_queue_count_dropped(struct ky_queue *q, uint64_t nrec);
void ky_queue_stats(struct ky_queue *q, struct ky_queue_stats *st);

#endif
