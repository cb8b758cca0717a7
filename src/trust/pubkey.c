/* Public keys (Ed25519, ECDSA P-256): checking, text form, fingerprints
 * and signature verification through OpenSSL 3.  Nothing here holds a
 * private key; that is trust/keystore.h. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "base/text.h"
#include "trust/pubkey.h"

const char *ky_key_alg_name(enum ky_key_alg a)
{
	switch (a) {
	case KY_ALG_ED25519:
		return "ed25519";
	case KY_ALG_ECDSA_P256:
		return "ecdsa-p256";
	}
	return "unknown";
}

int ky_key_alg_parse(const char *s, enum ky_key_alg *out, struct ky_err *err)
{
	if (strcmp(s, "ed25519") == 0)
		*out = KY_ALG_ED25519;
	else if (strcmp(s, "ecdsa-p256") == 0)
		*out = KY_ALG_ECDSA_P256;
	else
		return ky_err_set(err, KY_E_INVAL,
				  "'%.40s' is not a key algorithm (ed25519, "
				  "ecdsa-p256)",
				  s);
	return 0;
}

/* An EVP_PKEY of a public key (caller frees), or NULL. */
static EVP_PKEY *to_evp(const struct ky_pubkey *pk)
{
	EVP_PKEY *key = NULL;

	if (pk->alg == KY_ALG_ED25519 && pk->len == 32)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
						   pk->key, 32);
	if (pk->alg == KY_ALG_ECDSA_P256 && pk->len == 65) {
		OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
		OSSL_PARAM *params = NULL;
		EVP_PKEY_CTX *ctx = NULL;

		if (b != NULL &&
		    OSSL_PARAM_BLD_push_utf8_string(
			    b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
		    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY,
						     pk->key, 65) &&
		    (params = OSSL_PARAM_BLD_to_param(b)) != NULL &&
		    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) !=
			    NULL &&
		    EVP_PKEY_fromdata_init(ctx) > 0 &&
		    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <=
			    0)
			key = NULL;
		EVP_PKEY_CTX_free(ctx);
		OSSL_PARAM_free(params);
		OSSL_PARAM_BLD_free(b);
	}
	return key;
}

/* True when the P-256 point is on the curve (fromdata does not check). */
static bool p256_valid(const uint8_t *key, size_t len)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	bool ok = p != NULL && len == 65 && key[0] == 0x04 &&
		  EC_POINT_oct2point(g, p, key, len, NULL) == 1 &&
		  EC_POINT_is_on_curve(g, p, NULL) == 1 &&
		  EC_POINT_is_at_infinity(g, p) == 0;

	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ok;
}

int ky_pubkey_set(struct ky_pubkey *pk, enum ky_key_alg alg, const void *key,
		  size_t len, struct ky_err *err)
{
	memset(pk, 0, sizeof(*pk));
	if (alg == KY_ALG_ED25519 && len != 32)
		return ky_err_set(err, KY_E_INVAL,
				  "an Ed25519 public key has 32 bytes, not %zu",
				  len);
	if (alg == KY_ALG_ECDSA_P256 && !p256_valid(key, len))
		return ky_err_set(err, KY_E_INVAL,
				  "not an uncompressed P-256 point on the "
				  "curve (%zu bytes)",
				  len);
	if (alg != KY_ALG_ED25519 && alg != KY_ALG_ECDSA_P256)
		return ky_err_set(err, KY_E_INVAL, "unknown key algorithm %d",
				  (int)alg);
	pk->alg = alg;
	memcpy(pk->key, key, len);
	pk->len = len;
	return 0;
}

bool ky_pubkey_equal(const struct ky_pubkey *a, const struct ky_pubkey *b)
{
	return a->alg == b->alg && a->len == b->len &&
	       memcmp(a->key, b->key, a->len) == 0;
}

void ky_pubkey_format(const struct ky_pubkey *pk, char out[KY_PUBKEY_TEXT_MAX])
{
	const char *name = ky_key_alg_name(pk->alg);
	size_t n = strlen(name);

	memcpy(out, name, n);
	out[n++] = ':';
	ky_b64_encode(pk->key, pk->len, out + n, KY_PUBKEY_TEXT_MAX - n);
}

int ky_pubkey_parse(const char *s, struct ky_pubkey *out, struct ky_err *err)
{
	const char *colon = strchr(s, ':');
	uint8_t key[KY_PUBKEY_MAX + 3];
	enum ky_key_alg alg;
	char name[16];
	size_t len;
	int r;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(name))
		return ky_err_set(err, KY_E_INVAL,
				  "'%.60s' is not a public key "
				  "(ed25519:BASE64 or ecdsa-p256:BASE64)",
				  s);
	memcpy(name, s, (size_t)(colon - s));
	name[colon - s] = '\0';
	if ((r = ky_key_alg_parse(name, &alg, err)) != 0)
		return r;
	if ((r = ky_b64_decode(colon + 1, strlen(colon + 1), key, sizeof(key),
			       &len, err)) != 0) {
		ky_err_prefix(err, "public key");
		return r;
	}
	return ky_pubkey_set(out, alg, key, len, err);
}

void ky_pubkey_fingerprint(const struct ky_pubkey *pk, uint8_t out[32])
{
	static const char tag[] = "kyklos-key-v1";
	const char *name = ky_key_alg_name(pk->alg);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len = 32;

	/* allocation failure leaves an all-zero fingerprint, which matches
	 * no key */
	memset(out, 0, 32);
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, tag, sizeof(tag)) != 1 || /* with its NUL */
	    EVP_DigestUpdate(c, name, strlen(name) + 1) != 1 ||
	    EVP_DigestUpdate(c, pk->key, pk->len) != 1 ||
	    EVP_DigestFinal_ex(c, out, &len) != 1)
		memset(out, 0, 32);
	EVP_MD_CTX_free(c);
}

void ky_pubkey_keyid(const struct ky_pubkey *pk, char out[2 * KY_KEYID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t fp[32];

	ky_pubkey_fingerprint(pk, fp);
	for (size_t i = 0; i < KY_KEYID_LEN; i++) {
		out[2 * i] = hex[fp[i] >> 4];
		out[2 * i + 1] = hex[fp[i] & 15];
	}
	out[2 * KY_KEYID_LEN] = '\0';
}

int ky_ecdsa_der_to_raw(const uint8_t *der, size_t n, uint8_t raw[64],
			struct ky_err *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
	const BIGNUM *r, *sv;
	int ok;

	if (s == NULL || p != der + n) {
		ECDSA_SIG_free(s);
		return ky_err_set(err, KY_E_INVAL, "not a DER ECDSA signature");
	}
	ECDSA_SIG_get0(s, &r, &sv);
	ok = BN_bn2binpad(r, raw, 32) == 32 &&
	     BN_bn2binpad(sv, raw + 32, 32) == 32;
	ECDSA_SIG_free(s);
	return ok ? 0
		  : ky_err_set(err, KY_E_INVAL,
			       "ECDSA signature values too large for P-256");
}

int ky_ecdsa_raw_to_der(const uint8_t raw[64], uint8_t *der, size_t cap,
			size_t *n, struct ky_err *err)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL),
	       *sv = BN_bin2bn(raw + 32, 32, NULL);
	unsigned char *p = der;
	int len;

	if (s == NULL || r == NULL || sv == NULL ||
	    ECDSA_SIG_set0(s, r, sv) != 1) {
		ECDSA_SIG_free(s);
		BN_free(r);
		BN_free(sv);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	len = i2d_ECDSA_SIG(s, NULL);
	if (len <= 0 || (size_t)len > cap) {
		ECDSA_SIG_free(s);
		return ky_err_set(err, KY_E_TOOBIG, "DER signature buffer");
	}
	*n = (size_t)i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	return 0;
}

int ky_pubkey_verify(const struct ky_pubkey *pk, const void *msg, size_t n,
		     const uint8_t *sig, size_t siglen, struct ky_err *err)
{
	EVP_PKEY *key;
	EVP_MD_CTX *md = NULL;
	uint8_t der[80];
	const uint8_t *s = sig;
	size_t slen = siglen;
	int r, ok;

	if (siglen != KY_SIG_MAX)
		return ky_err_set(err, KY_E_INVAL,
				  "a %s signature has 64 bytes, not %zu",
				  ky_key_alg_name(pk->alg), siglen);
	if ((key = to_evp(pk)) == NULL)
		return ky_err_set(err, KY_E_INVAL, "unusable %s public key",
				  ky_key_alg_name(pk->alg));
	if (pk->alg == KY_ALG_ECDSA_P256) {
		if ((r = ky_ecdsa_raw_to_der(sig, der, sizeof(der), &slen,
					     err)) != 0) {
			EVP_PKEY_free(key);
			return r;
		}
		s = der;
	}
	md = EVP_MD_CTX_new();
	ok = md != NULL &&
	     EVP_DigestVerifyInit(
		     md, NULL, pk->alg == KY_ALG_ED25519 ? NULL : EVP_sha256(),
		     NULL, key) == 1 &&
	     EVP_DigestVerify(md, s, slen, msg, n) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ok ? 0 : ky_err_set(err, KY_E_VERIFY, "bad signature");
}
