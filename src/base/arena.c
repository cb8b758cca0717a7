/* Bump allocator over chained blocks.  Reset keeps the first block so a
 * warm arena serves every event of a batch without touching malloc. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define ARENA_ALIGN 16

struct block {
	struct block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char mem[];
};

struct ky_arena {
	struct block *head;  /* the block being filled */
	struct block *first; /* kept across resets */
	size_t block_size;
	size_t max;
	size_t total; /* bytes of all blocks, for the cap */
	size_t used;  /* bytes handed out since reset */
};

static struct block *block_new(size_t size)
{
	struct block *b = malloc(sizeof(*b) + size);

	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct ky_arena *ky_arena_new(size_t block, size_t max)
{
	struct ky_arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	if (block < 4096)
		block = 4096;
	block = (block + 4095) & ~(size_t)4095;
	a->block_size = block;
	a->max = max;
	a->first = a->head = block_new(block);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	a->total = block;
	return a;
}

static void free_chain(struct block *b)
{
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
}

void ky_arena_free(struct ky_arena *a)
{
	if (a == NULL)
		return;
	/* Blocks are chained newest first, ending with the first block. */
	free_chain(a->head);
	free(a);
}

void ky_arena_reset(struct ky_arena *a)
{
	struct block *b = a->head, *next;

	while (b != a->first) {
		next = b->next;
		a->total -= b->size;
		free(b);
		b = next;
	}
	a->head = a->first;
	a->first->used = 0;
	a->used = 0;
}

void *ky_arena_alloc(struct ky_arena *a, size_t n)
{
	struct block *b = a->head;
	size_t off, size;
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	off = (b->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (off > b->size || n > b->size - off) {
		size = n > a->block_size ? n : a->block_size;
		if (a->max && (size > a->max || a->total > a->max - size))
			return NULL;
		b = block_new(size);
		if (b == NULL)
			return NULL;
		b->next = a->head;
		a->head = b;
		a->total += size;
		off = 0;
	}
	p = b->mem + off;
	b->used = off + n;
	a->used += n;
	return p;
}

char *ky_arena_strndup(struct ky_arena *a, const char *s, size_t n)
{
	char *p = ky_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t ky_arena_used(const struct ky_arena *a)
{
	return a->used;
}
