/* The keystore's PKCS#11 backend (docs/keystore.md): the module loaded with
 * dlopen, the token found by label, a user login with a PIN from a file or
 * the environment (wiped after), the key pair found by CKA_LABEL / CKA_ID
 * or generated on the token, signatures with CKM_EDDSA or CKM_ECDSA.  The
 * public key is built from CKA_EC_POINT here, whatever wrapping the token
 * uses.  One session, one lock. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include "trust/keystore_int.h"

struct ky__p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv;
	bool logged_in, initialized;
	enum ky_key_alg alg;
	pthread_mutex_t mu;
};

/* DER of the curves, as CKA_EC_PARAMS wants them. */
static const CK_BYTE oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
static const CK_BYTE name_ed25519[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
				       'd',  's',  '2', '5', '5', '1', '9'};
static const CK_BYTE oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
				   0xce, 0x3d, 0x03, 0x01, 0x07};

static int fail(struct ky_err *err, const char *what, CK_RV rv)
{
	return ky_err_set(
		err, rv == CKR_PIN_INCORRECT ? KY_E_PERM : KY_E_CRYPTO,
		"PKCS#11: %s (CKR 0x%lx%s)", what, (unsigned long)rv,
		rv == CKR_PIN_INCORRECT ? ": PIN refused by the token" : "");
}

void ky__p11_close(struct ky__p11 *p)
{
	if (p == NULL)
		return;
	if (p->f) {
		if (p->logged_in)
			p->f->C_Logout(p->s);
		if (p->s)
			p->f->C_CloseSession(p->s);
		if (p->initialized)
			p->f->C_Finalize(NULL);
	}
	if (p->dl)
		dlclose(p->dl);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Token labels are 32 bytes padded with spaces. */
static bool label_is(const CK_UTF8CHAR *l, const char *want)
{
	size_t n = strlen(want), k = 32;

	while (k > 0 && l[k - 1] == ' ')
		k--;
	return n == k && memcmp(l, want, n) == 0;
}

static int hex_id(const char *hex, CK_BYTE *out, size_t *n, struct ky_err *err)
{
	size_t len = hex ? strlen(hex) : 0;

	*n = 0;
	if (len % 2 || len / 2 > 64)
		return ky_err_set(err, KY_E_INVAL,
				  "keystore.key_id '%.40s': even number of hex "
				  "digits, at most 64 bytes",
				  hex ? hex : "");
	for (size_t i = 0; i < len; i += 2) {
		unsigned v;

		if (sscanf(hex + i, "%2x", &v) != 1)
			return ky_err_set(err, KY_E_INVAL,
					  "keystore.key_id: not hex");
		out[(*n)++] = (CK_BYTE)v;
	}
	return 0;
}

/* Loads the module, finds the token, opens a session and logs in. */
static int start(const struct ky_keystore_opts *o, struct ky__p11 *p,
		 struct ky_err *err)
{
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS init = {0};
	CK_SLOT_ID slots[64];
	CK_ULONG ns = 64;
	char pin[256];
	size_t pl;
	CK_RV rv;
	int r;

	if (o->module == NULL || *o->module == '\0' || o->token_label == NULL ||
	    *o->token_label == '\0')
		return ky_err_set(err, KY_E_CONFIG,
				  "PKCS#11: keystore.module and keystore.token "
				  "are needed");
	/* NODELETE: modules keep threads and atexit handlers of their own;
	 * unmapping them at close is what crashes processes */
	if ((p->dl = dlopen(o->module,
			    RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)) == NULL)
		return ky_err_set(err, KY_E_NOTFOUND, "PKCS#11 module %s: %s",
				  o->module, dlerror());
	*(void **)(&get) = dlsym(p->dl, "C_GetFunctionList");
	if (get == NULL || get(&p->f) != CKR_OK)
		return ky_err_set(err, KY_E_CRYPTO,
				  "%s is not a PKCS#11 module", o->module);
	init.flags = CKF_OS_LOCKING_OK;
	rv = p->f->C_Initialize(&init);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		return fail(err, "C_Initialize", rv);
	p->initialized = rv == CKR_OK;
	if ((rv = p->f->C_GetSlotList(CK_TRUE, slots, &ns)) != CKR_OK)
		return fail(err, "C_GetSlotList", rv);
	for (CK_ULONG i = 0; i < ns; i++) {
		CK_TOKEN_INFO ti;

		if (p->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    label_is(ti.label, o->token_label)) {
			rv = p->f->C_OpenSession(
				slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION,
				NULL, NULL, &p->s);
			if (rv != CKR_OK)
				return fail(err, "C_OpenSession", rv);
			break;
		}
	}
	if (p->s == 0)
		return ky_err_set(err, KY_E_NOTFOUND,
				  "token '%s' not found in %s", o->token_label,
				  o->module);
	if ((r = ky_secret_read(o->pin_file, o->pin_env, pin, sizeof(pin), &pl,
				err)) != 0) {
		ky_err_prefix(err, "PKCS#11 PIN (keystore.pin_file or "
				   "keystore.pin_env)");
		return r == KY_E_NOTFOUND ? KY_E_CONFIG : r;
	}
	rv = p->f->C_Login(p->s, CKU_USER, (CK_UTF8CHAR_PTR)pin, pl);
	ky_wipe(pin, sizeof(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return fail(err, "C_Login", rv);
	p->logged_in = true;
	return 0;
}

/* The first object of a class with the configured label and/or id. */
static int find(struct ky__p11 *p, const struct ky_keystore_opts *o,
		CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *h, struct ky_err *err)
{
	CK_ATTRIBUTE t[3];
	CK_BYTE id[64];
	size_t idn = 0;
	CK_ULONG n = 0, count = 0;
	CK_RV rv;
	int r;

	*h = 0;
	t[n].type = CKA_CLASS;
	t[n].pValue = &cls;
	t[n++].ulValueLen = sizeof(cls);
	if (o->key_label && *o->key_label) {
		t[n].type = CKA_LABEL;
		t[n].pValue = (void *)o->key_label;
		t[n++].ulValueLen = strlen(o->key_label);
	}
	if (o->key_id_hex && *o->key_id_hex) {
		if ((r = hex_id(o->key_id_hex, id, &idn, err)) != 0)
			return r;
		t[n].type = CKA_ID;
		t[n].pValue = id;
		t[n++].ulValueLen = idn;
	}
	if (n == 1)
		return ky_err_set(err, KY_E_CONFIG,
				  "PKCS#11: keystore.key_label or "
				  "keystore.key_id is needed");
	if ((rv = p->f->C_FindObjectsInit(p->s, t, n)) != CKR_OK)
		return fail(err, "C_FindObjectsInit", rv);
	rv = p->f->C_FindObjects(p->s, h, 1, &count);
	p->f->C_FindObjectsFinal(p->s);
	if (rv != CKR_OK)
		return fail(err, "C_FindObjects", rv);
	if (count == 0)
		return ky_err_set(err, KY_E_NOTFOUND,
				  "no %s key labelled '%s'%s%s on token '%s'",
				  cls == CKO_PRIVATE_KEY ? "private" : "public",
				  o->key_label ? o->key_label : "",
				  idn ? " with id " : "",
				  idn ? o->key_id_hex : "", o->token_label);
	return 0;
}

/* The public key from CKA_EC_POINT (DER OCTET STRING, or bare). */
static int pubkey(struct ky__p11 *p, CK_OBJECT_HANDLE pub,
		  struct ky_pubkey *out, struct ky_err *err)
{
	CK_KEY_TYPE kt;
	CK_BYTE pt[128];
	CK_ATTRIBUTE a[2] = {{CKA_KEY_TYPE, &kt, sizeof(kt)},
			     {CKA_EC_POINT, pt, sizeof(pt)}};
	const CK_BYTE *v = pt;
	size_t n;
	CK_RV rv;

	if ((rv = p->f->C_GetAttributeValue(p->s, pub, a, 2)) != CKR_OK)
		return fail(err, "reading the public key", rv);
	n = a[1].ulValueLen;
	if (kt == CKK_EC_EDWARDS) {
		p->alg = KY_ALG_ED25519;
		if (n == 34 && pt[0] == 0x04 && pt[1] == 32)
			v = pt + 2, n = 32;
		return ky_pubkey_set(out, KY_ALG_ED25519, v, n, err);
	}
	if (kt == CKK_EC) {
		p->alg = KY_ALG_ECDSA_P256;
		if (n == 67 && pt[0] == 0x04 && pt[1] == 65)
			v = pt + 2, n = 65;
		return ky_pubkey_set(out, KY_ALG_ECDSA_P256, v, n, err);
	}
	return ky_err_set(err, KY_E_UNSUPPORTED,
			  "token key type 0x%lx is neither EdDSA nor EC",
			  (unsigned long)kt);
}

int ky__p11_open(const struct ky_keystore_opts *o, struct ky__p11 **out,
		 struct ky_pubkey *pub, struct ky_err *err)
{
	struct ky__p11 *p = calloc(1, sizeof(*p));
	CK_OBJECT_HANDLE ph;
	int r;

	*out = NULL;
	if (p == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	pthread_mutex_init(&p->mu, NULL);
	if ((r = start(o, p, err)) != 0 ||
	    (r = find(p, o, CKO_PRIVATE_KEY, &p->priv, err)) != 0 ||
	    (r = find(p, o, CKO_PUBLIC_KEY, &ph, err)) != 0 ||
	    (r = pubkey(p, ph, pub, err)) != 0) {
		ky__p11_close(p);
		return r;
	}
	*out = p;
	return 0;
}

int ky__p11_generate(const struct ky_keystore_opts *o, enum ky_key_alg alg,
		     struct ky__p11 **out, struct ky_pubkey *pub,
		     struct ky_err *err)
{
	struct ky__p11 *p = calloc(1, sizeof(*p));
	CK_OBJECT_HANDLE ph = 0, h;
	CK_MECHANISM m = {alg == KY_ALG_ED25519 ? CKM_EC_EDWARDS_KEY_PAIR_GEN
						: CKM_EC_KEY_PAIR_GEN,
			  NULL, 0};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BYTE id[64];
	size_t idn = 0;
	CK_RV rv = CKR_GENERAL_ERROR;
	int r;

	*out = NULL;
	if (p == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	pthread_mutex_init(&p->mu, NULL);
	if ((r = start(o, p, err)) != 0)
		goto fail;
	if (find(p, o, CKO_PRIVATE_KEY, &h, err) == 0) {
		r = ky_err_set(err, KY_E_EXISTS,
			       "token '%s' has a key labelled '%s' already",
			       o->token_label,
			       o->key_label ? o->key_label : "");
		goto fail;
	}
	if ((r = hex_id(o->key_id_hex, id, &idn, err)) != 0)
		goto fail;
	for (int attempt = 0; attempt < 2 && rv != CKR_OK; attempt++) {
		const CK_BYTE *params = alg == KY_ALG_ECDSA_P256 ? oid_p256
					: attempt == 0		 ? oid_ed25519
								 : name_ed25519;
		CK_ULONG pl = alg == KY_ALG_ECDSA_P256 ? sizeof(oid_p256)
			      : attempt == 0	       ? sizeof(oid_ed25519)
						       : sizeof(name_ed25519);
		CK_ATTRIBUTE pubt[] = {
			{CKA_TOKEN, &yes, sizeof(yes)},
			{CKA_VERIFY, &yes, sizeof(yes)},
			{CKA_EC_PARAMS, (void *)params, pl},
			{CKA_LABEL, (void *)o->key_label,
			 o->key_label ? strlen(o->key_label) : 0},
			{CKA_ID, id, idn},
		};
		CK_ATTRIBUTE privt[] = {
			{CKA_TOKEN, &yes, sizeof(yes)},
			{CKA_PRIVATE, &yes, sizeof(yes)},
			{CKA_SENSITIVE, &yes, sizeof(yes)},
			{CKA_EXTRACTABLE, &no, sizeof(no)},
			{CKA_SIGN, &yes, sizeof(yes)},
			{CKA_LABEL, (void *)o->key_label,
			 o->key_label ? strlen(o->key_label) : 0},
			{CKA_ID, id, idn},
		};

		rv = p->f->C_GenerateKeyPair(p->s, &m, pubt, 5, privt, 7, &ph,
					     &p->priv);
		if (alg == KY_ALG_ECDSA_P256)
			break;
	}
	if (rv != CKR_OK) {
		r = fail(err, "C_GenerateKeyPair", rv);
		goto fail;
	}
	if ((r = pubkey(p, ph, pub, err)) != 0)
		goto fail;
	*out = p;
	return 0;
fail:
	ky__p11_close(p);
	return r;
}

int ky__p11_sign(struct ky__p11 *p, const void *msg, size_t n,
		 uint8_t sig[KY_SIG_MAX], struct ky_err *err)
{
	CK_MECHANISM m = {p->alg == KY_ALG_ED25519 ? CKM_EDDSA : CKM_ECDSA,
			  NULL, 0};
	unsigned char digest[32];
	unsigned int dl = 32;
	CK_ULONG sl = KY_SIG_MAX;
	const void *in = msg;
	CK_ULONG inl = n;
	CK_RV rv;

	if (p->alg == KY_ALG_ECDSA_P256) {
		/* CKM_ECDSA signs a digest: SHA-256 here, as P-256 wants */
		if (EVP_Digest(msg, n, digest, &dl, EVP_sha256(), NULL) != 1)
			return ky_err_set(err, KY_E_CRYPTO, "SHA-256 failed");
		in = digest;
		inl = dl;
	}
	pthread_mutex_lock(&p->mu);
	rv = p->f->C_SignInit(p->s, &m, p->priv);
	if (rv == CKR_OK)
		rv = p->f->C_Sign(p->s, (CK_BYTE_PTR)in, inl, sig, &sl);
	pthread_mutex_unlock(&p->mu);
	if (rv != CKR_OK)
		return fail(err, "C_Sign", rv);
	if (sl != KY_SIG_MAX)
		return ky_err_set(err, KY_E_CRYPTO,
				  "PKCS#11: a %lu-byte signature",
				  (unsigned long)sl);
	return 0;
}
