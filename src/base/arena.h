/* Arena for per-event and per-batch work: bump allocation from chained
 * blocks, freed all at once by ky_arena_reset.  The hot path allocates from
 * an arena and never calls malloc per event once the arena is warm. */
#ifndef KY_BASE_ARENA_H
#define KY_BASE_ARENA_H

#include <stddef.h>

struct ky_arena;

/* block: size of each block (rounded up to 4 KiB); max: total cap in bytes
 * (0 = unlimited).  Returns NULL on exhaustion. */
struct ky_arena *ky_arena_new(size_t block, size_t max);
void ky_arena_free(struct ky_arena *a);
/* Releases every allocation; keeps the first block for reuse. */
void ky_arena_reset(struct ky_arena *a);
/* 16-byte aligned; NULL when the cap would be passed or malloc fails. */
void *ky_arena_alloc(struct ky_arena *a, size_t n);
/* Copies n bytes and a NUL. */
char *ky_arena_strndup(struct ky_arena *a, const char *s, size_t n);
/* Bytes handed out since the last reset. */
size_t ky_arena_used(const struct ky_arena *a);

#endif
