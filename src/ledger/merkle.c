/* RFC 9162 section 2.1 Merkle trees (docs/merkle.md): hashing, roots and
 * proofs built from a source of perfect-subtree hashes, their verifiers,
 * and the compact range used to append.  Generation recurses on the tree's
 * shape (depth <= 64); the verifiers are the iterative algorithms of
 * 2.1.3.2 and 2.1.4.2 and never trust a size or proof length. */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "ledger/merkle.h"

/* SHA-256 of up to three pieces.  The digest is fetched once and each
 * thread keeps its context: OpenSSL 3's implicit fetch in EVP_sha256()
 * and a context allocation per hash cost more than the hash itself. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha256_key; /* the thread's context, freed at exit */

static void free_ctx(void *p)
{
	EVP_MD_CTX_free(p);
}

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	(void)pthread_key_create(&sha256_key, free_ctx);
}

static void sha256_2(const void *a, size_t an, const void *b, size_t bn,
		     const void *c, size_t cn, ky_hash256 out)
{
	unsigned int len = KY_HASH_LEN;
	const EVP_MD *md;
	EVP_MD_CTX *x;

	pthread_once(&sha256_once, sha256_fetch);
	md = sha256_md ? sha256_md : EVP_sha256();
	if ((x = pthread_getspecific(sha256_key)) == NULL &&
	    (x = EVP_MD_CTX_new()) != NULL &&
	    pthread_setspecific(sha256_key, x) != 0) {
		EVP_MD_CTX_free(x);
		x = NULL;
	}
	/* allocation failure cannot be reported here; an all-zero hash
	 * matches nothing and fails every check that uses it */
	memset(out, 0, KY_HASH_LEN);
	if (x == NULL || EVP_DigestInit_ex(x, md, NULL) != 1 ||
	    EVP_DigestUpdate(x, a, an) != 1 ||
	    (bn && EVP_DigestUpdate(x, b, bn) != 1) ||
	    (cn && EVP_DigestUpdate(x, c, cn) != 1) ||
	    EVP_DigestFinal_ex(x, out, &len) != 1)
		memset(out, 0, KY_HASH_LEN);
}

void ky_sha256(const void *data, size_t n, ky_hash256 out)
{
	sha256_2(data, n, NULL, 0, NULL, 0, out);
}

void ky_merkle_leaf_hash(const void *data, size_t n, ky_hash256 out)
{
	static const uint8_t zero = 0x00;

	sha256_2(&zero, 1, data, n, NULL, 0, out);
}

void ky_merkle_node_hash(const ky_hash256 left, const ky_hash256 right,
			 ky_hash256 out)
{
	static const uint8_t one = 0x01;
	ky_hash256 l, r;

	/* out may alias left or right */
	memcpy(l, left, KY_HASH_LEN);
	memcpy(r, right, KY_HASH_LEN);
	sha256_2(&one, 1, l, KY_HASH_LEN, r, KY_HASH_LEN, out);
}

void ky_merkle_empty_root(ky_hash256 out)
{
	sha256_2("", 0, NULL, 0, NULL, 0, out);
}

/* Largest power of two below n (n >= 2). */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static unsigned log2u(uint64_t k)
{
	unsigned l = 0;

	while (k > 1)
		k >>= 1, l++;
	return l;
}

struct src {
	ky_merkle_node_fn fn;
	void *ud;
	struct ky_err *err;
};

/* MTH(D[start:start+n]), n >= 1; start is aligned for the perfect parts. */
static int range_hash(struct src *s, uint64_t start, uint64_t n, ky_hash256 out)
{
	ky_hash256 l, r;
	uint64_t k;
	int rc;

	if ((n & (n - 1)) == 0) {
		unsigned lv = log2u(n);

		rc = s->fn(s->ud, lv, start >> lv, out);
		return rc ? ky_err_set(s->err, rc,
				       "merkle: no hash for level %u index "
				       "%llu",
				       lv, (unsigned long long)(start >> lv))
			  : 0;
	}
	k = split(n);
	if ((rc = range_hash(s, start, k, l)) != 0 ||
	    (rc = range_hash(s, start + k, n - k, r)) != 0)
		return rc;
	ky_merkle_node_hash(l, r, out);
	return 0;
}

int ky_merkle_root(ky_merkle_node_fn fn, void *ud, uint64_t size,
		   ky_hash256 out, struct ky_err *err)
{
	struct src s = {fn, ud, err};

	if (size == 0) {
		ky_merkle_empty_root(out);
		return 0;
	}
	return range_hash(&s, 0, size, out);
}

struct proof {
	ky_hash256 *p;
	size_t n;
};

static int push(struct src *s, struct proof *pr, uint64_t start, uint64_t n)
{
	if (pr->n == KY_MERKLE_MAX_PROOF)
		return ky_err_set(s->err, KY_E_TOOBIG,
				  "merkle: proof too long");
	return range_hash(s, start, n, pr->p[pr->n++]);
}

/* PATH(m, D[start:start+n]) of RFC 9162 2.1.3.1, bottom-up. */
static int path(struct src *s, struct proof *pr, uint64_t m, uint64_t start,
		uint64_t n)
{
	uint64_t k;
	int rc;

	if (n <= 1)
		return 0;
	k = split(n);
	if (m < k)
		return (rc = path(s, pr, m, start, k)) != 0
			       ? rc
			       : push(s, pr, start + k, n - k);
	return (rc = path(s, pr, m - k, start + k, n - k)) != 0
		       ? rc
		       : push(s, pr, start, k);
}

int ky_merkle_inclusion_proof(ky_merkle_node_fn fn, void *ud, uint64_t index,
			      uint64_t size,
			      ky_hash256 proof[KY_MERKLE_MAX_PROOF], size_t *n,
			      struct ky_err *err)
{
	struct src s = {fn, ud, err};
	struct proof pr = {proof, 0};
	int rc;

	*n = 0;
	if (index >= size)
		return ky_err_set(err, KY_E_INVAL,
				  "merkle: index %llu not below size %llu",
				  (unsigned long long)index,
				  (unsigned long long)size);
	rc = path(&s, &pr, index, 0, size);
	*n = pr.n;
	return rc;
}

/* SUBPROOF(m, D[start:start+n], b) of RFC 9162 2.1.4.1, bottom-up. */
static int subproof(struct src *s, struct proof *pr, uint64_t m, uint64_t start,
		    uint64_t n, bool b)
{
	uint64_t k;
	int rc;

	if (m == n)
		return b ? 0 : push(s, pr, start, n);
	k = split(n);
	if (m <= k)
		return (rc = subproof(s, pr, m, start, k, b)) != 0
			       ? rc
			       : push(s, pr, start + k, n - k);
	return (rc = subproof(s, pr, m - k, start + k, n - k, false)) != 0
		       ? rc
		       : push(s, pr, start, k);
}

int ky_merkle_consistency_proof(ky_merkle_node_fn fn, void *ud, uint64_t size1,
				uint64_t size2,
				ky_hash256 proof[KY_MERKLE_MAX_PROOF],
				size_t *n, struct ky_err *err)
{
	struct src s = {fn, ud, err};
	struct proof pr = {proof, 0};
	int rc;

	*n = 0;
	if (size1 > size2)
		return ky_err_set(err, KY_E_INVAL,
				  "merkle: size %llu is larger than %llu",
				  (unsigned long long)size1,
				  (unsigned long long)size2);
	if (size1 == 0 || size1 == size2)
		return 0;
	rc = subproof(&s, &pr, size1, 0, size2, true);
	*n = pr.n;
	return rc;
}

/* ---- verifiers ---- */

int ky_merkle_verify_inclusion(uint64_t index, uint64_t size,
			       const ky_hash256 leaf_hash,
			       const ky_hash256 *proof, size_t n,
			       const ky_hash256 root, struct ky_err *err)
{
	uint64_t fn = index, sn;
	ky_hash256 r;

	if (index >= size)
		return ky_err_set(
			err, KY_E_VERIFY, "index %llu not below size %llu",
			(unsigned long long)index, (unsigned long long)size);
	if (n > KY_MERKLE_MAX_PROOF)
		return ky_err_set(err, KY_E_VERIFY, "proof of %zu hashes", n);
	sn = size - 1;
	memcpy(r, leaf_hash, KY_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return ky_err_set(err, KY_E_VERIFY,
					  "proof has %zu hashes, %zu needed", n,
					  i);
		if ((fn & 1) || fn == sn) {
			ky_merkle_node_hash(proof[i], r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0)
					fn >>= 1, sn >>= 1;
		} else {
			ky_merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return ky_err_set(err, KY_E_VERIFY,
				  "proof has %zu hashes, more needed", n);
	if (memcmp(r, root, KY_HASH_LEN) != 0)
		return ky_err_set(err, KY_E_VERIFY, "root mismatch");
	return 0;
}

int ky_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				 const ky_hash256 root1, const ky_hash256 root2,
				 const ky_hash256 *proof, size_t n,
				 struct ky_err *err)
{
	uint64_t fn, sn;
	ky_hash256 fr, sr;
	size_t i = 0;

	if (size2 < size1)
		return ky_err_set(
			err, KY_E_VERIFY, "size %llu is smaller than %llu",
			(unsigned long long)size2, (unsigned long long)size1);
	if (n > KY_MERKLE_MAX_PROOF)
		return ky_err_set(err, KY_E_VERIFY, "proof of %zu hashes", n);
	/* every tree is consistent with the empty one: a proof from size 0
	 * proves nothing and is refused rather than trusted */
	if (size1 == 0)
		return ky_err_set(err, KY_E_VERIFY,
				  "a consistency proof from size 0 proves "
				  "nothing");
	if (size1 == size2) {
		if (n != 0)
			return ky_err_set(err, KY_E_VERIFY,
					  "equal sizes need an empty proof");
		return memcmp(root1, root2, KY_HASH_LEN) == 0
			       ? 0
			       : ky_err_set(err, KY_E_VERIFY,
					    "same size, different roots");
	}
	if (n == 0)
		return ky_err_set(err, KY_E_VERIFY, "empty proof");
	/* a power-of-two first tree is its own first node: root1 starts */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, KY_HASH_LEN);
	} else {
		memcpy(fr, proof[0], KY_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, KY_HASH_LEN);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1)
		fn >>= 1, sn >>= 1;
	for (; i < n; i++) {
		if (sn == 0)
			return ky_err_set(err, KY_E_VERIFY,
					  "proof has %zu hashes, fewer needed",
					  n);
		if ((fn & 1) || fn == sn) {
			ky_merkle_node_hash(proof[i], fr, fr);
			ky_merkle_node_hash(proof[i], sr, sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0)
					fn >>= 1, sn >>= 1;
		} else {
			ky_merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return ky_err_set(err, KY_E_VERIFY,
				  "proof has %zu hashes, more needed", n);
	if (memcmp(fr, root1, KY_HASH_LEN) != 0)
		return ky_err_set(err, KY_E_VERIFY, "first root mismatch");
	if (memcmp(sr, root2, KY_HASH_LEN) != 0)
		return ky_err_set(err, KY_E_VERIFY, "second root mismatch");
	return 0;
}

/* ---- compact range ---- */

void ky_merkle_range_init(struct ky_merkle_range *r)
{
	memset(r, 0, sizeof(*r));
}

void ky_merkle_range_append(struct ky_merkle_range *r, const ky_hash256 leaf,
			    void (*fn)(void *ud, unsigned level, uint64_t index,
				       const ky_hash256 h),
			    void *ud)
{
	uint64_t index = r->size;
	unsigned level = 0;
	ky_hash256 h;

	memcpy(h, leaf, KY_HASH_LEN);
	if (fn)
		fn(ud, 0, index, h);
	/* each trailing one of the old size is a subtree to merge with */
	while ((r->size >> level) & 1) {
		ky_merkle_node_hash(r->h[--r->n], h, h);
		level++;
		index >>= 1;
		if (fn)
			fn(ud, level, index, h);
	}
	memcpy(r->h[r->n++], h, KY_HASH_LEN);
	r->size++;
}

void ky_merkle_range_root(const struct ky_merkle_range *r, ky_hash256 out)
{
	ky_hash256 h;

	if (r->n == 0) {
		ky_merkle_empty_root(out);
		return;
	}
	memcpy(h, r->h[r->n - 1], KY_HASH_LEN);
	for (unsigned i = r->n - 1; i-- > 0;)
		ky_merkle_node_hash(r->h[i], h, h);
	memcpy(out, h, KY_HASH_LEN);
}
