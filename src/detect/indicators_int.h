/* Private to the indicator sets: limits shared by the store and the
 * loaders, the helper that quotes a value for a message, and the
 * membership filters that let the matcher reject most values without
 * touching the large hash tables. */
#ifndef KY_DETECT_INDICATORS_INT_H
#define KY_DETECT_INDICATORS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"

#define IOC_MAX_VALUE 8192  /* longest value, normalised or not */
#define IOC_MAX_LINE 16384  /* longest list line or CSV record */
#define IOC_MAX_FIELDS 1024 /* longest `fields` list */
#define IOC_CSV_COLS 64
#define IOC_LOG_BAD 10 /* bad lines logged per file */

/* v[0..n) printable for a message: non-ASCII and control bytes as \xNN,
 * cut with "..." to fit cap.  Returns buf. */
const char *ky__ioc_show(char *buf, size_t cap, const char *v, size_t n);
/* Canonical "a,b,c" from a `fields` list separated by , ; | or blanks
 * into out[cap]; 0 or KY_E_TOOBIG. */
int ky__ioc_fields_norm(const char *v, char *out, size_t cap, size_t *on);

/* A filter in front of one hash table: "no" is certain, "maybe" sends the
 * value to the table.  Two bits per key in one 64-bit word, about 16 bits
 * per key (a few per cent of misses pass).  It is rebuilt from the table
 * when it fills, so it never forgets a key; if memory runs out it answers
 * "maybe" for ever instead. */
struct ky__bloom {
	uint64_t *w;	/* NULL while empty (n == 0) or given up (n != 0) */
	size_t nw;	/* words, a power of two >= 64 */
	size_t n;	/* keys added since the last rebuild */
	unsigned shift; /* 64 - log2(nw) */
};

/* The filter's hash of one key as stored in the table it guards. */
typedef uint64_t (*ky__bloom_keyhash)(const void *ud, const void *key,
				      size_t klen);

static inline uint64_t ky__fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static inline bool ky__bloom_maybe(const struct ky__bloom *b, uint64_t h)
{
	uint64_t m = (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));

	if (!b->w)
		return b->n != 0;
	return (b->w[h >> b->shift] & m) == m;
}

/* Records h, a key just put into table (which already holds it); on growth
 * every key of table is hashed again with kh.  Returns 0 or KY_E_NOMEM
 * (the filter then passes everything: still exact, only slower). */
int ky__bloom_add(struct ky__bloom *b, uint64_t h, const struct ky_hash *table,
		  ky__bloom_keyhash kh, const void *ud);
void ky__bloom_free(struct ky__bloom *b);

#endif
