/* Open-addressing hash table with linear probing and tombstones; the hash
 * is a seeded 64-bit multiply-xorshift over 8-byte words, seeded once per
 * process from the kernel so that collisions cannot be precomputed. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/err.h"
#include "base/hash.h"

struct slot {
	const void *key; /* NULL: empty; &tombstone: deleted */
	size_t klen;
	uint64_t hash;
	void *value;
};

struct ky_hash {
	struct slot *slots;
	size_t cap; /* power of two */
	size_t count;
	size_t used; /* count + tombstones */
	unsigned flags;
};

static const char tombstone;
static uint64_t hash_seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_init(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = (uint64_t)(uintptr_t)&s ^ 0x9e3779b97f4a7c15ULL;
	__atomic_store_n(&hash_seed, s | 1, __ATOMIC_RELEASE);
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

/* The last 1-7 bytes as the little-endian word memcpy would give, without
 * a variable-length memcpy call: overlapping fixed-size loads. */
static inline uint64_t tail_word(const unsigned char *s, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t a, b;

	if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return (uint64_t)a | (uint64_t)b << (8 * (n - 4));
	}
	if (n == 0)
		return 0;
	return (uint64_t)s[0] | (uint64_t)s[n / 2] << (8 * (n / 2)) |
	       (uint64_t)s[n - 1] << (8 * (n - 1));
#else
	uint64_t w = 0;

	if (n)
		memcpy(&w, s, n);
	return w;
#endif
}

uint64_t ky_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h, w, seed;

	/* The seed is never 0 once set: pthread_once only on first use. */
	seed = __atomic_load_n(&hash_seed, __ATOMIC_ACQUIRE);
	if (__builtin_expect(seed == 0, 0)) {
		pthread_once(&seed_once, seed_init);
		seed = __atomic_load_n(&hash_seed, __ATOMIC_ACQUIRE);
	}
	h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = mix(h ^ w) + 0x632be59bd9b4e019ULL;
		s += 8;
		n -= 8;
	}
	w = tail_word(s, n);
	return mix(h ^ w ^ ((uint64_t)n << 56));
}

struct ky_hash *ky_hash_new(unsigned flags)
{
	struct ky_hash *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->cap = 16;
	h->slots = calloc(h->cap, sizeof(*h->slots));
	if (h->slots == NULL) {
		free(h);
		return NULL;
	}
	h->flags = flags;
	return h;
}

static int is_live(const struct slot *s)
{
	return s->key != NULL && s->key != &tombstone;
}

void ky_hash_free(struct ky_hash *h, void (*free_value)(void *))
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->cap; i++) {
		struct slot *s = &h->slots[i];
		if (!is_live(s))
			continue;
		if (free_value)
			free_value(s->value);
		if (!(h->flags & KY_HASH_BORROW_KEYS))
			free((void *)s->key);
	}
	free(h->slots);
	free(h);
}

/* Returns the slot holding key, or NULL. */
static struct slot *find(const struct ky_hash *h, const void *key, size_t klen,
			 uint64_t hv)
{
	size_t mask = h->cap - 1, i = (size_t)hv & mask;

	for (;;) {
		struct slot *s = &h->slots[i];
		if (s->key == NULL)
			return NULL;
		if (s->key != &tombstone && s->hash == hv && s->klen == klen &&
		    (klen == 0 || memcmp(s->key, key, klen) == 0))
			return s;
		i = (i + 1) & mask;
	}
}

static int grow(struct ky_hash *h)
{
	size_t ncap = h->count * 2 >= h->cap ? h->cap * 2 : h->cap;
	struct slot *old = h->slots, *ns;
	size_t ocap = h->cap;

	ns = calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return KY_E_NOMEM;
	for (size_t i = 0; i < ocap; i++) {
		if (!is_live(&old[i]))
			continue;
		size_t j = (size_t)old[i].hash & (ncap - 1);
		while (ns[j].key != NULL)
			j = (j + 1) & (ncap - 1);
		ns[j] = old[i];
	}
	free(old);
	h->slots = ns;
	h->cap = ncap;
	h->used = h->count;
	return 0;
}

int ky_hash_put(struct ky_hash *h, const void *key, size_t klen, void *value,
		void **old)
{
	uint64_t hv = ky_hash_bytes(key, klen);
	struct slot *s = find(h, key, klen, hv);
	const void *k;
	size_t i, mask;
	int r;

	if (old)
		*old = NULL;
	if (s != NULL) {
		if (old)
			*old = s->value;
		s->value = value;
		return 0;
	}
	/* Keep the load (live + tombstones) under 3/4. */
	if ((h->used + 1) * 4 > h->cap * 3 && (r = grow(h)) != 0)
		return r;
	mask = h->cap - 1;
	i = (size_t)hv & mask;
	while (is_live(&h->slots[i]))
		i = (i + 1) & mask;
	s = &h->slots[i];
	if (h->flags & KY_HASH_BORROW_KEYS) {
		/* A NULL key would read as an empty slot. */
		k = key ? key : "";
	} else {
		void *copy = malloc(klen ? klen : 1);
		if (copy == NULL)
			return KY_E_NOMEM;
		if (klen)
			memcpy(copy, key, klen);
		k = copy;
	}
	if (s->key == NULL)
		h->used++; /* an empty slot, not a reused tombstone */
	s->key = k;
	s->klen = klen;
	s->hash = hv;
	s->value = value;
	h->count++;
	return 0;
}

void *ky_hash_get(const struct ky_hash *h, const void *key, size_t klen)
{
	struct slot *s = find(h, key, klen, ky_hash_bytes(key, klen));

	return s ? s->value : NULL;
}

void *ky_hash_del(struct ky_hash *h, const void *key, size_t klen)
{
	struct slot *s = find(h, key, klen, ky_hash_bytes(key, klen));
	void *v;

	if (s == NULL)
		return NULL;
	v = s->value;
	if (!(h->flags & KY_HASH_BORROW_KEYS))
		free((void *)s->key);
	/* A tombstone keeps probe chains through this slot intact. */
	s->key = &tombstone;
	s->value = NULL;
	h->count--;
	return v;
}

size_t ky_hash_count(const struct ky_hash *h)
{
	return h->count;
}

int ky_hash_next(const struct ky_hash *h, size_t *iter, const void **key,
		 size_t *klen, void **value)
{
	while (*iter < h->cap) {
		const struct slot *s = &h->slots[(*iter)++];
		if (!is_live(s))
			continue;
		if (key)
			*key = s->key;
		if (klen)
			*klen = s->klen;
		if (value)
			*value = s->value;
		return 1;
	}
	return 0;
}
