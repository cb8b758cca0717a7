/* The keystore (docs/keystore.md): the file backend (PEM PKCS#8, 0600,
 * optionally encrypted) and the dispatch to the PKCS#11 backend
 * (keystore_p11.c) behind the narrow interface of trust/keystore.h,
 * secrets read from files or the environment and wiped after use.  The
 * private key stays inside an OpenSSL EVP_PKEY; nothing returns it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "trust/keystore.h"
#include "trust/keystore_int.h"
#include "trust/signer.h"

#define SECRET_MAX 1024

struct ky_keystore {
	enum ky_keystore_backend backend;
	EVP_PKEY *key;	     /* file */
	struct ky__p11 *p11; /* pkcs11 */
	struct ky_pubkey pub;
};

void ky_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

int ky_secret_read(const char *file, const char *env, char *buf, size_t cap,
		   size_t *len, struct ky_err *err)
{
	size_t n = 0;

	*len = 0;
	if (cap == 0)
		return ky_err_set(err, KY_E_INVAL, "no room for a secret");
	buf[0] = '\0';
	if (file != NULL && *file != '\0') {
		FILE *f = fopen(file, "rb");
		int c;

		if (f == NULL)
			return ky_err_set(err, KY_E_NOTFOUND, "%s: %s", file,
					  strerror(errno));
		while ((c = fgetc(f)) != EOF && c != '\n' && n + 1 < cap)
			buf[n++] = (char)c;
		fclose(f);
		if (c != EOF && c != '\n') {
			ky_wipe(buf, cap);
			return ky_err_set(err, KY_E_TOOBIG,
					  "%s: secret longer than %zu bytes",
					  file, cap - 1);
		}
	} else if (env != NULL && *env != '\0') {
		const char *v = getenv(env);

		if (v == NULL)
			return ky_err_set(err, KY_E_NOTFOUND,
					  "environment variable %s is not set",
					  env);
		n = strlen(v);
		if (n + 1 > cap)
			return ky_err_set(err, KY_E_TOOBIG,
					  "%s: secret longer than %zu bytes",
					  env, cap - 1);
		memcpy(buf, v, n);
	} else {
		return ky_err_set(err, KY_E_NOTFOUND, "no secret configured");
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

/* ---- public keys out of an EVP_PKEY ---- */

static int pub_of(EVP_PKEY *k, struct ky_pubkey *pub, struct ky_err *err)
{
	uint8_t raw[KY_PUBKEY_MAX];
	size_t n = sizeof(raw);

	if (EVP_PKEY_is_a(k, "ED25519")) {
		if (EVP_PKEY_get_raw_public_key(k, raw, &n) != 1)
			return ky_err_set(err, KY_E_CRYPTO,
					  "cannot read the Ed25519 public key");
		return ky_pubkey_set(pub, KY_ALG_ED25519, raw, n, err);
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		char group[32];
		size_t gl;

		if (EVP_PKEY_get_utf8_string_param(
			    k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
			    &gl) != 1 ||
		    strcmp(group, "prime256v1") != 0)
			return ky_err_set(err, KY_E_UNSUPPORTED,
					  "EC key not on P-256");
		/* uncompressed, whatever the file said */
		if (EVP_PKEY_set_utf8_string_param(
			    k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
			    "uncompressed") != 1 ||
		    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
						    raw, sizeof(raw), &n) != 1)
			return ky_err_set(err, KY_E_CRYPTO,
					  "cannot read the P-256 public key");
		return ky_pubkey_set(pub, KY_ALG_ECDSA_P256, raw, n, err);
	}
	return ky_err_set(err, KY_E_UNSUPPORTED,
			  "key type is neither Ed25519 nor ECDSA P-256");
}

/* ---- the file backend ---- */

/* A key file we may trust: a regular file of ours, not a symlink, that
 * nobody else can read or write. */
static int check_file(const char *path, int fd, struct ky_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return ky_err_set(err, KY_E_IO, "%s: %s", path,
				  strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ky_err_set(err, KY_E_PERM, "%s is not a regular file",
				  path);
	if (st.st_uid != geteuid())
		return ky_err_set(err, KY_E_PERM,
				  "key file %s belongs to uid %u, not to us",
				  path, (unsigned)st.st_uid);
	if (st.st_mode & 077)
		return ky_err_set(err, KY_E_PERM,
				  "key file %s is accessible by others (mode "
				  "%04o): chmod 600 it",
				  path, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int passphrase(const struct ky_keystore_opts *o, char *buf, size_t *len,
		      bool *have, struct ky_err *err)
{
	int r;

	*have = false;
	if ((o->passphrase_file == NULL || *o->passphrase_file == '\0') &&
	    (o->passphrase_env == NULL || *o->passphrase_env == '\0'))
		return 0;
	r = ky_secret_read(o->passphrase_file, o->passphrase_env, buf,
			   SECRET_MAX, len, err);
	if (r == 0 && *len == 0)
		r = ky_err_set(err, KY_E_INVAL, "the passphrase is empty");
	*have = r == 0;
	return r;
}

static int file_open(const struct ky_keystore_opts *o, EVP_PKEY **key,
		     struct ky_err *err)
{
	char pass[SECRET_MAX];
	size_t plen = 0;
	bool have;
	FILE *f;
	int fd, r;

	*key = NULL;
	fd = open(o->key_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ky_err_set(err,
				  errno == ENOENT  ? KY_E_NOTFOUND
				  : errno == ELOOP ? KY_E_PERM
						   : KY_E_IO,
				  "key file %s: %s", o->key_path,
				  errno == ELOOP ? "is a symbolic link"
						 : strerror(errno));
	if ((r = check_file(o->key_path, fd, err)) != 0 ||
	    (r = passphrase(o, pass, &plen, &have, err)) != 0) {
		close(fd);
		return r;
	}
	if ((f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		ky_wipe(pass, sizeof(pass));
		return ky_err_set(err, KY_E_IO, "%s: %s", o->key_path,
				  strerror(errno));
	}
	/* an empty passphrase string makes OpenSSL refuse an encrypted
	 * key instead of prompting on a terminal */
	*key = PEM_read_PrivateKey(f, NULL, NULL, have ? pass : (char *)"");
	fclose(f);
	ky_wipe(pass, sizeof(pass));
	if (*key == NULL)
		return ky_err_set(err, KY_E_CRYPTO,
				  "key file %s: not a PEM private key, or the "
				  "passphrase is wrong%s",
				  o->key_path,
				  have ? "" : " (none was configured)");
	return 0;
}

static int file_generate(const struct ky_keystore_opts *o, enum ky_key_alg alg,
			 EVP_PKEY **key, struct ky_err *err)
{
	char pass[SECRET_MAX];
	size_t plen = 0;
	bool have, ok;
	FILE *f;
	int fd, r;

	*key = NULL;
	if ((r = passphrase(o, pass, &plen, &have, err)) != 0)
		return r;
	*key = alg == KY_ALG_ED25519
		       ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
		       : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (*key == NULL) {
		ky_wipe(pass, sizeof(pass));
		return ky_err_set(err, KY_E_CRYPTO, "key generation failed");
	}
	fd = open(o->key_path,
		  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ky_wipe(pass, sizeof(pass));
		EVP_PKEY_free(*key);
		*key = NULL;
		return ky_err_set(err, errno == EEXIST ? KY_E_EXISTS : KY_E_IO,
				  "key file %s: %s", o->key_path,
				  errno == EEXIST ? "exists already (not "
						    "overwritten)"
						  : strerror(errno));
	}
	(void)fchmod(fd, 0600); /* whatever the umask */
	f = fdopen(fd, "wb");
	ok = f != NULL &&
	     PEM_write_PrivateKey(f, *key, have ? EVP_aes_256_cbc() : NULL,
				  have ? (unsigned char *)pass : NULL,
				  have ? (int)plen : 0, NULL, NULL) == 1;
	ok = f != NULL && fflush(f) == 0 && fsync(fd) == 0 && ok;
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	else
		close(fd);
	ky_wipe(pass, sizeof(pass));
	if (!ok) {
		unlink(o->key_path);
		EVP_PKEY_free(*key);
		*key = NULL;
		return ky_err_set(err, KY_E_IO, "key file %s: cannot write",
				  o->key_path);
	}
	return 0;
}

/* ---- the interface ---- */

static int backend_ok(const struct ky_keystore_opts *o, struct ky_err *err)
{
	if (o->backend == KY_KS_PKCS11)
		return 0;
	if (o->backend != KY_KS_FILE || o->key_path == NULL ||
	    *o->key_path == '\0')
		return ky_err_set(err, KY_E_INVAL, "no key file configured");
	return 0;
}

static int finish(EVP_PKEY *key, enum ky_keystore_backend b,
		  struct ky_keystore **out, struct ky_err *err)
{
	struct ky_keystore *ks = calloc(1, sizeof(*ks));
	int r;

	if (ks == NULL) {
		EVP_PKEY_free(key);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	ks->backend = b;
	ks->key = key;
	if ((r = pub_of(key, &ks->pub, err)) != 0) {
		ky_keystore_close(ks);
		return r;
	}
	*out = ks;
	return 0;
}

static int p11_finish(const struct ky_keystore_opts *o, bool generate,
		      enum ky_key_alg alg, struct ky_keystore **out,
		      struct ky_err *err)
{
	struct ky_keystore *ks = calloc(1, sizeof(*ks));
	int r;

	if (ks == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	ks->backend = KY_KS_PKCS11;
	r = generate ? ky__p11_generate(o, alg, &ks->p11, &ks->pub, err)
		     : ky__p11_open(o, &ks->p11, &ks->pub, err);
	if (r != 0) {
		free(ks);
		return r;
	}
	*out = ks;
	return 0;
}

int ky_keystore_open(const struct ky_keystore_opts *o, struct ky_keystore **out,
		     struct ky_err *err)
{
	EVP_PKEY *key;
	int r;

	*out = NULL;
	if ((r = backend_ok(o, err)) != 0)
		return r;
	if (o->backend == KY_KS_PKCS11)
		return p11_finish(o, false, 0, out, err);
	if ((r = file_open(o, &key, err)) != 0)
		return r;
	return finish(key, o->backend, out, err);
}

int ky_keystore_generate(const struct ky_keystore_opts *o, enum ky_key_alg alg,
			 struct ky_keystore **out, struct ky_err *err)
{
	EVP_PKEY *key;
	int r;

	*out = NULL;
	if (alg != KY_ALG_ED25519 && alg != KY_ALG_ECDSA_P256)
		return ky_err_set(err, KY_E_INVAL, "unknown key algorithm");
	if ((r = backend_ok(o, err)) != 0)
		return r;
	if (o->backend == KY_KS_PKCS11)
		return p11_finish(o, true, alg, out, err);
	if ((r = file_generate(o, alg, &key, err)) != 0)
		return r;
	return finish(key, o->backend, out, err);
}

void ky_keystore_close(struct ky_keystore *ks)
{
	if (ks == NULL)
		return;
	EVP_PKEY_free(ks->key); /* OpenSSL clears private key material */
	ky__p11_close(ks->p11);
	free(ks);
}

enum ky_keystore_backend ky_keystore_backend(const struct ky_keystore *ks)
{
	return ks->backend;
}

const struct ky_pubkey *ky_keystore_pubkey(const struct ky_keystore *ks)
{
	return &ks->pub;
}

int ky_keystore_sign(struct ky_keystore *ks, const void *msg, size_t n,
		     uint8_t sig[KY_SIG_MAX], struct ky_err *err)
{
	EVP_MD_CTX *md;
	uint8_t der[80];
	size_t len = ks->pub.alg == KY_ALG_ED25519 ? KY_SIG_MAX : sizeof(der);
	int ok;

	if (ks->backend == KY_KS_PKCS11)
		return ky__p11_sign(ks->p11, msg, n, sig, err);
	md = EVP_MD_CTX_new();
	ok = md != NULL &&
	     EVP_DigestSignInit(md, NULL,
				ks->pub.alg == KY_ALG_ED25519 ? NULL
							      : EVP_sha256(),
				NULL, ks->key) == 1 &&
	     EVP_DigestSign(md, ks->pub.alg == KY_ALG_ED25519 ? sig : der, &len,
			    msg, n) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return ky_err_set(err, KY_E_CRYPTO, "signing failed");
	if (ks->pub.alg == KY_ALG_ECDSA_P256)
		return ky_ecdsa_der_to_raw(der, len, sig, err);
	return 0;
}

static int ks_sign(void *ud, const void *msg, size_t n, uint8_t sig[KY_SIG_MAX],
		   struct ky_err *err)
{
	return ky_keystore_sign(ud, msg, n, sig, err);
}

void ky_signer_from_keystore(struct ky_signer *s, struct ky_keystore *ks,
			     const char *node_id)
{
	s->pub = ks->pub;
	s->signer = node_id;
	s->sign = ks_sign;
	s->ud = ks;
}
