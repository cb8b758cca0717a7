/* libFuzzer target for the RFC 9162 proof verifiers: sizes, index, roots
 * and proof hashes all from the input.  A verifier must never crash or
 * read past the proof, and an acceptance must respect the preconditions:
 * an index below the size; consistency only from a non-empty tree no
 * larger than the second, equal sizes only with equal roots.  (Accepting a
 * forged proof would need a SHA-256 collision; the unit tests check every
 * bit flip of real proofs.) */
#include <stdint.h>
#include <string.h>

#include "ledger/merkle.h"

static uint64_t u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ky_hash256 proof[KY_MERKLE_MAX_PROOF], a, b;
	struct ky_err err = {0};
	uint64_t x, y;
	size_t n;

	if (size < 17 + 2 * KY_HASH_LEN)
		return 0;
	/* small sizes most of the time, the whole range sometimes */
	x = data[0] & 1 ? u64(data + 1) : data[1] % 64;
	y = data[0] & 1 ? u64(data + 9) : data[9] % 64;
	memcpy(a, data + 17, KY_HASH_LEN);
	memcpy(b, data + 17 + KY_HASH_LEN, KY_HASH_LEN);
	data += 17 + 2 * KY_HASH_LEN;
	size -= 17 + 2 * KY_HASH_LEN;
	n = size / KY_HASH_LEN;
	if (n > KY_MERKLE_MAX_PROOF)
		n = KY_MERKLE_MAX_PROOF;
	memcpy(proof, data, n * KY_HASH_LEN);
	if (ky_merkle_verify_inclusion(x, y, a, (const ky_hash256 *)proof, n, b,
				       &err) == 0 &&
	    x >= y)
		__builtin_trap();
	if (ky_merkle_verify_consistency(x, y, a, b, (const ky_hash256 *)proof,
					 n, &err) == 0 &&
	    (x > y || x == 0 || (x == y && memcmp(a, b, KY_HASH_LEN) != 0)))
		__builtin_trap();
	return 0;
}
