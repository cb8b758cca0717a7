/* The one hash table of the project: byte-string keys to pointer values,
 * open addressing with linear probing.  Keys are hashed with a per-process
 * seeded 64-bit hash (ky_hash_bytes) so that outside input cannot force
 * collisions without knowing the seed. */
#ifndef KY_BASE_HASH_H
#define KY_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct ky_hash;

/* Keys are copied into the table unless KY_HASH_BORROW_KEYS is given, in
 * which case the caller keeps them alive while they are in the table. */
#define KY_HASH_BORROW_KEYS 0x1

struct ky_hash *ky_hash_new(unsigned flags);
/* Frees the table; free_value (may be NULL) is called on each value. */
void ky_hash_free(struct ky_hash *h, void (*free_value)(void *));
/* Inserts or replaces; old value (if any) is returned through *old (may be
 * NULL).  Returns 0 or KY_E_NOMEM. */
int ky_hash_put(struct ky_hash *h, const void *key, size_t klen, void *value,
		void **old);
/* Returns the value or NULL. */
void *ky_hash_get(const struct ky_hash *h, const void *key, size_t klen);
/* Removes; returns the value or NULL. */
void *ky_hash_del(struct ky_hash *h, const void *key, size_t klen);
size_t ky_hash_count(const struct ky_hash *h);

/* Iteration: start with *iter = 0; returns 0 when done.  The table must not
 * change during iteration. */
int ky_hash_next(const struct ky_hash *h, size_t *iter, const void **key,
		 size_t *klen, void **value);

/* Seeded 64-bit hash of bytes, also for partitioning by key. */
uint64_t ky_hash_bytes(const void *p, size_t n);

#endif
