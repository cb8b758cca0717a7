/* The bounded batch queue between the input thread and the workers, and the
 * record batches it carries.  A full queue never grows: the producer either
 * waits (shutdown), or is told to back off and gets a callback when room
 * appears (the libevent loop, which must not block). */
#include "node/queue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

struct ky_queue_slot {
	void *item;
	uint64_t nrec;
};

struct ky_queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	struct ky_queue_slot *ring;
	size_t cap, head, count;
	bool closed;
	bool want_space; /* a try_push failed: call on_space after a pop */
	void (*on_space)(void *ud);
	void *ud;
	_Atomic uint64_t in, out, dropped, depth;
};

struct ky_batch *ky_batch_new(size_t max_recs, size_t max_data)
{
	struct ky_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->max_recs = max_recs ? max_recs : 1;
	b->max_data = max_data ? max_data : 1;
	b->input = -1;
	return b;
}

void ky_batch_free(struct ky_batch *b)
{
	if (b == NULL)
		return;
	free(b->recs);
	free(b->data);
	free(b);
}

void ky_batch_reset(struct ky_batch *b)
{
	b->n = 0;
	b->len = 0;
	b->src_key = 0;
	b->src_off = 0;
	b->input = -1;
}

bool ky_batch_full(const struct ky_batch *b, size_t need)
{
	if (b->n == 0)
		return false;
	return b->n >= b->max_recs || b->len + need > b->max_data;
}

static int batch_reserve(struct ky_batch *b, size_t more)
{
	size_t want, ncap;
	char *p;

	if (more > UINT32_MAX - b->len)
		return KY_E_TOOBIG; /* offsets are 32-bit */
	want = b->len + more;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < want)
		ncap *= 2;
	p = realloc(b->data, ncap);
	if (p == NULL)
		return KY_E_NOMEM;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int ky_batch_add(struct ky_batch *b, uint64_t src_key, const char *src,
		 enum ky_rec_kind kind, const char *p, size_t n, uint64_t size,
		 uint64_t line, uint64_t offset, int64_t recv_ns)
{
	bool new_src = b->n == 0 || src_key != b->src_key;
	size_t slen = new_src ? strlen(src) + 1 : 0;
	struct ky_rec *r;
	int rc;

	if (ky_batch_full(b, n + slen))
		return KY_E_TOOBIG;
	if (b->recs == NULL) {
		b->recs = ky_reallocarray(NULL, b->max_recs, sizeof(*b->recs));
		if (b->recs == NULL)
			return KY_E_NOMEM;
	}
	/* +1 keeps a NUL after each record for parsers that like one. */
	if ((rc = batch_reserve(b, n + 1 + slen)) != 0)
		return rc;
	if (new_src) {
		memcpy(b->data + b->len, src, slen);
		b->src_off = (uint32_t)b->len;
		b->src_key = src_key;
		b->len += slen;
	}
	r = &b->recs[b->n++];
	r->off = (uint32_t)b->len;
	r->len = (uint32_t)n;
	r->src = b->src_off;
	r->kind = (uint32_t)kind;
	r->size = size;
	r->line = line;
	r->offset = offset;
	r->recv_ns = recv_ns;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->data[b->len + n] = '\0';
	b->len += n + 1;
	return 0;
}

int ky_queue_new(struct ky_queue **out, size_t capacity,
		 void (*on_space)(void *ud), void *ud)
{
	struct ky_queue *q;

	*out = NULL;
	if (capacity == 0)
		capacity = 1;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return KY_E_NOMEM;
	q->ring = ky_reallocarray(NULL, capacity, sizeof(*q->ring));
	if (q->ring == NULL) {
		free(q);
		return KY_E_NOMEM;
	}
	q->cap = capacity;
	q->on_space = on_space;
	q->ud = ud;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	*out = q;
	return 0;
}

void ky_queue_free(struct ky_queue *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->ring);
	free(q);
}

/* Called with the lock held and room available. */
static void queue_put(struct ky_queue *q, void *item, uint64_t nrec)
{
	struct ky_queue_slot *s = &q->ring[(q->head + q->count) % q->cap];

	s->item = item;
	s->nrec = nrec;
	q->count++;
	atomic_fetch_add_explicit(&q->in, nrec, memory_order_relaxed);
	atomic_store_explicit(&q->depth, q->count, memory_order_relaxed);
	pthread_cond_signal(&q->not_empty);
}

int ky_queue_try_push(struct ky_queue *q, void *item, uint64_t nrec)
{
	int rc = 0;

	pthread_mutex_lock(&q->mu);
	if (q->closed) {
		rc = KY_E_INVAL;
	} else if (q->count == q->cap) {
		q->want_space = true;
		rc = KY_E_AGAIN;
	} else {
		queue_put(q, item, nrec);
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int ky_queue_push(struct ky_queue *q, void *item, uint64_t nrec)
{
	int rc = 0;

	pthread_mutex_lock(&q->mu);
	while (!q->closed && q->count == q->cap)
		pthread_cond_wait(&q->not_full, &q->mu);
	if (q->closed)
		rc = KY_E_INVAL;
	else
		queue_put(q, item, nrec);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void *ky_queue_pop(struct ky_queue *q)
{
	struct ky_queue_slot s = {NULL, 0};
	bool notify = false;

	pthread_mutex_lock(&q->mu);
	while (q->count == 0 && !q->closed)
		pthread_cond_wait(&q->not_empty, &q->mu);
	if (q->count > 0) {
		s = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		atomic_fetch_add_explicit(&q->out, s.nrec,
					  memory_order_relaxed);
		atomic_store_explicit(&q->depth, q->count,
				      memory_order_relaxed);
		pthread_cond_signal(&q->not_full);
		notify = q->want_space;
		q->want_space = false;
	}
	pthread_mutex_unlock(&q->mu);
	if (notify && q->on_space != NULL)
		q->on_space(q->ud);
	return s.item;
}

void ky_queue_close(struct ky_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}

void ky_queue_count_dropped(struct ky_queue *q, uint64_t nrec)
{
	atomic_fetch_add_explicit(&q->dropped, nrec, memory_order_relaxed);
}

void ky_queue_stats(struct ky_queue *q, struct ky_queue_stats *st)
{
	st->in = atomic_load_explicit(&q->in, memory_order_relaxed);
	st->out = atomic_load_explicit(&q->out, memory_order_relaxed);
	st->dropped = atomic_load_explicit(&q->dropped, memory_order_relaxed);
	st->depth = atomic_load_explicit(&q->depth, memory_order_relaxed);
	st->capacity = q->cap;
}

struct ky_batch_pool {
	pthread_mutex_t mu;
	struct ky_batch *free;
};

int ky_batch_pool_new(struct ky_batch_pool **out)
{
	struct ky_batch_pool *p = calloc(1, sizeof(*p));

	*out = p;
	if (p == NULL)
		return KY_E_NOMEM;
	pthread_mutex_init(&p->mu, NULL);
	return 0;
}

void ky_batch_pool_free(struct ky_batch_pool *p)
{
	struct ky_batch *b;

	if (p == NULL)
		return;
	while ((b = p->free) != NULL) {
		p->free = b->next;
		ky_batch_free(b);
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
}

struct ky_batch *ky_batch_pool_get(struct ky_batch_pool *p, size_t max_recs,
				   size_t max_data)
{
	struct ky_batch *b;

	pthread_mutex_lock(&p->mu);
	b = p->free;
	if (b != NULL)
		p->free = b->next;
	pthread_mutex_unlock(&p->mu);
	if (b == NULL)
		return ky_batch_new(max_recs, max_data);
	if (b->max_recs < max_recs) {
		/* batch_size grew on reload: the record array follows. */
		free(b->recs);
		b->recs = NULL;
	}
	b->max_recs = max_recs;
	b->max_data = max_data;
	b->next = NULL;
	return b;
}

void ky_batch_pool_put(struct ky_batch_pool *p, struct ky_batch *b)
{
	ky_batch_reset(b);
	pthread_mutex_lock(&p->mu);
	b->next = p->free;
	p->free = b;
	pthread_mutex_unlock(&p->mu);
}
