/* Detached signature envelopes (docs/signatures.md): the RFC 8785 form of
 * the envelope without "sig" is what is signed; the payload is bound by its
 * SHA-256 (of its RFC 8785 form for an object, of its bytes for a batch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/text.h"
#include "base/time.h"
#include "trust/jcs.h"
#include "trust/sig.h"

#define TYPE "kyklos-sig/1"

static int hash_hex(const void *p, size_t n, char out[65], struct ky_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[32];
	unsigned int hl = 32;

	if (EVP_Digest(p, n, h, &hl, EVP_sha256(), NULL) != 1)
		return ky_err_set(err, KY_E_CRYPTO, "SHA-256 failed");
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

/* The envelope without "sig", canonical. */
static int signed_bytes(const json_t *env, struct ky_buf *out,
			struct ky_err *err)
{
	json_t *copy = json_copy((json_t *)env);
	int r;

	if (copy == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	json_object_del(copy, "sig");
	r = ky_jcs_value(copy, out, err);
	json_decref(copy);
	return r;
}

static int sign_hash(const struct ky_signer *s, const char *hex, int64_t now_ns,
		     json_t **env, struct ky_err *err)
{
	char keyid[2 * KY_KEYID_LEN + 1], t[KY_TIME_RFC3339_LEN], b64[100];
	uint8_t sig[KY_SIG_MAX];
	struct ky_buf b;
	json_t *e;
	int r;

	*env = NULL;
	ky_pubkey_keyid(&s->pub, keyid);
	ky_time_format_rfc3339(now_ns, t);
	e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", TYPE, "alg",
		      ky_key_alg_name(s->pub.alg), "key_id", keyid, "signer",
		      s->signer ? s->signer : "", "signed_at", t,
		      "payload_sha256", hex);
	if (e == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	ky_buf_init(&b, 0);
	r = signed_bytes(e, &b, err);
	if (r == 0)
		r = s->sign(s->ud, b.data, b.len, sig, err);
	ky_buf_free(&b);
	if (r == 0) {
		ky_b64_encode(sig, KY_SIG_MAX, b64, sizeof(b64));
		if (json_object_set_new(e, "sig", json_string(b64)) != 0)
			r = ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	if (r != 0)
		json_decref(e);
	else
		*env = e;
	return r;
}

int ky_sig_sign_bytes(const struct ky_signer *s, const void *payload, size_t n,
		      int64_t now_ns, json_t **env, struct ky_err *err)
{
	char hex[65];
	int r = hash_hex(payload, n, hex, err);

	return r ? r : sign_hash(s, hex, now_ns, env, err);
}

int ky_sig_sign_json(const struct ky_signer *s, const json_t *payload,
		     int64_t now_ns, json_t **env, struct ky_err *err)
{
	struct ky_buf b;
	int r;

	ky_buf_init(&b, 0);
	r = ky_jcs_value(payload, &b, err);
	if (r == 0)
		r = ky_sig_sign_bytes(s, b.data, b.len, now_ns, env, err);
	ky_buf_free(&b);
	return r;
}

static const char *member(const json_t *env, const char *k, struct ky_err *err,
			  int *r)
{
	const char *v = json_string_value(json_object_get(env, k));

	if (v == NULL && *r == 0)
		*r = ky_err_set(err, KY_E_PARSE,
				"envelope: \"%s\" missing or not a string", k);
	return v;
}

static int verify_hash(const json_t *env, const struct ky_pubkey *pk,
		       const char *hex, struct ky_err *err)
{
	static const char *const keys[] = {
		"type",		  "alg", "key_id", "signer", "signed_at",
		"payload_sha256", "sig"};
	char keyid[2 * KY_KEYID_LEN + 1];
	const char *type, *alg, *kid, *ph, *sig, *k;
	uint8_t raw[KY_SIG_MAX + 3];
	struct ky_buf b;
	size_t rl;
	json_t *v;
	int r = 0;

	if (!json_is_object(env))
		return ky_err_set(err, KY_E_PARSE, "envelope: not an object");
	json_object_foreach((json_t *)env, k, v)
	{
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return ky_err_set(err, KY_E_PARSE,
					  "envelope: unknown member \"%.40s\"",
					  k);
	}
	type = member(env, "type", err, &r);
	alg = member(env, "alg", err, &r);
	kid = member(env, "key_id", err, &r);
	(void)member(env, "signer", err, &r);
	(void)member(env, "signed_at", err, &r);
	ph = member(env, "payload_sha256", err, &r);
	sig = member(env, "sig", err, &r);
	if (r != 0)
		return r;
	if (strcmp(type, TYPE) != 0)
		return ky_err_set(err, KY_E_VERIFY, "envelope type \"%.40s\"",
				  type);
	if (strcmp(alg, ky_key_alg_name(pk->alg)) != 0)
		return ky_err_set(err, KY_E_VERIFY,
				  "algorithm %.20s is not the pinned key's",
				  alg);
	ky_pubkey_keyid(pk, keyid);
	if (strcmp(kid, keyid) != 0)
		return ky_err_set(err, KY_E_VERIFY,
				  "key id %.20s is not the pinned key", kid);
	if (strcmp(ph, hex) != 0)
		return ky_err_set(err, KY_E_VERIFY, "payload hash differs");
	if (ky_b64_decode(sig, strlen(sig), raw, sizeof(raw), &rl, err) != 0)
		return KY_E_PARSE;
	ky_buf_init(&b, 0);
	r = signed_bytes(env, &b, err);
	if (r == 0)
		r = ky_pubkey_verify(pk, b.data, b.len, raw, rl, err);
	ky_buf_free(&b);
	return r;
}

int ky_sig_verify_bytes(const json_t *env, const struct ky_pubkey *pk,
			const void *payload, size_t n, struct ky_err *err)
{
	char hex[65];
	int r = hash_hex(payload, n, hex, err);

	return r ? r : verify_hash(env, pk, hex, err);
}

int ky_sig_verify_json(const json_t *env, const struct ky_pubkey *pk,
		       const json_t *payload, struct ky_err *err)
{
	struct ky_buf b;
	int r;

	ky_buf_init(&b, 0);
	r = ky_jcs_value(payload, &b, err);
	if (r == 0)
		r = ky_sig_verify_bytes(env, pk, b.data, b.len, err);
	ky_buf_free(&b);
	return r;
}
