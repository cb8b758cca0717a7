/* TLS key, certificate and bindings of the sync endpoint (node/sync_tls.h).
 * Certificates are not trusted through any CA: the node key (which may sit
 * in a token that cannot serve TLS) signs a binding naming the SHA-256 of
 * the TLS certificate's public key, and peers check it against the node
 * key they pinned. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/time.h"
#include "node/sync_tls.h"
#include "trust/identity.h"
#include "trust/sig.h"

static int make_pair(const char *key_path, const char *crt_path,
		     struct ky_err *err)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *nm;
	FILE *f = NULL;
	int fd = -1, r = 0;

	if (pk == NULL || x == NULL) {
		r = ky_err_set(err, KY_E_CRYPTO, "TLS key generation failed");
		goto out;
	}
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 86400);
	X509_set_pubkey(x, pk);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)"kyklos node", -1, -1,
				   0);
	X509_set_issuer_name(x, nm);
	if (X509_sign(x, pk, EVP_sha256()) == 0) {
		r = ky_err_set(err, KY_E_CRYPTO, "TLS certificate signing");
		goto out;
	}
	fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		r = ky_err_set(err, KY_E_IO, "%s: %s", key_path,
			       strerror(errno));
		goto out;
	}
	fd = -1;
	if (PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0) {
		f = NULL;
		r = ky_err_set(err, KY_E_IO, "%s: write failed", key_path);
		goto out;
	}
	f = NULL;
	if ((f = fopen(crt_path, "w")) == NULL || PEM_write_X509(f, x) != 1) {
		r = ky_err_set(err, KY_E_IO, "%s: write failed", crt_path);
		goto out;
	}
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	X509_free(x);
	EVP_PKEY_free(pk);
	return r;
}

int ky_sync_tls_ensure(const char *home, char *key_path, size_t kcap,
		       char *crt_path, size_t ccap, struct ky_err *err)
{
	struct stat sk, sc;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/keys", home);
	snprintf(key_path, kcap, "%s/tls.key", dir);
	snprintf(crt_path, ccap, "%s/tls.crt", dir);
	if (stat(key_path, &sk) == 0 && stat(crt_path, &sc) == 0) {
		if (sk.st_mode & 077)
			return ky_err_set(err, KY_E_PERM,
					  "%s is readable by others (mode "
					  "%04o): chmod 600 it",
					  key_path,
					  (unsigned)(sk.st_mode & 07777));
		return 0;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return ky_err_set(err, KY_E_IO, "%s: %s", dir, strerror(errno));
	unlink(key_path);
	unlink(crt_path);
	return make_pair(key_path, crt_path, err);
}

static void hexs(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int ky_sync_spki_hex(X509 *crt, char out[65])
{
	unsigned char *der = NULL, md[32];
	unsigned int ml = 0;
	int n;

	if (crt == NULL ||
	    (n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(crt), &der)) <= 0)
		return KY_E_CRYPTO;
	EVP_Digest(der, (size_t)n, md, &ml, EVP_sha256(), NULL);
	OPENSSL_free(der);
	hexs(md, 32, out);
	return 0;
}

int ky_sync_spki_hex_file(const char *crt_path, char out[65],
			  struct ky_err *err)
{
	FILE *f = fopen(crt_path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	int r;

	if (f)
		fclose(f);
	r = ky_sync_spki_hex(x, out);
	X509_free(x);
	return r ? ky_err_set(err, KY_E_CRYPTO, "%s: not a certificate",
			      crt_path)
		 : 0;
}

int ky_sync_binding_make(const struct ky_signer *s, const char *node_id,
			 const char spki_hex[65], int64_t now_ns,
			 int64_t not_after_ns, char **out, struct ky_err *err)
{
	char na[KY_TIME_RFC3339_LEN], key[KY_PUBKEY_TEXT_MAX];
	json_t *b, *env = NULL, *all = NULL;
	char *txt = NULL;
	int r, n;

	*out = NULL;
	ky_time_format_rfc3339(not_after_ns, na);
	ky_pubkey_format(&s->pub, key);
	/* the key itself, for peers that pinned only its fingerprint */
	b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type",
		      "kyklos-tls-binding/1", "node", node_id, "key", key,
		      "spki_sha256", spki_hex, "not_after", na);
	if (b == NULL)
		return ky_err_set(err, KY_E_NOMEM, "binding: out of memory");
	if ((r = ky_sig_sign_json(s, b, now_ns, &env, err)) != 0)
		goto out;
	all = json_pack("{s:O, s:O}", "binding", b, "sig", env);
	if (all == NULL || (txt = json_dumps(all, JSON_COMPACT)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "binding: out of memory");
		goto out;
	}
	if ((*out = malloc(4 * (strlen(txt) / 3 + 1) + 1)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "binding: out of memory");
		goto out;
	}
	n = EVP_EncodeBlock((unsigned char *)*out, (unsigned char *)txt,
			    (int)strlen(txt));
	(*out)[n] = '\0';
out:
	free(txt);
	json_decref(b);
	json_decref(env);
	json_decref(all);
	return r;
}

/* The header's JSON ({"binding":..., "sig":...}), not yet verified. */
static json_t *binding_decode(const char *header, struct ky_err *err)
{
	size_t hl = header ? strlen(header) : 0;
	unsigned char *raw;
	json_t *all = NULL;
	int n;

	if (hl == 0 || hl > 8192 || hl % 4 != 0) {
		ky_err_set(err, KY_E_VERIFY, "no binding, or malformed");
		return NULL;
	}
	if ((raw = malloc(hl)) == NULL) {
		ky_err_set(err, KY_E_NOMEM, "binding: out of memory");
		return NULL;
	}
	n = EVP_DecodeBlock(raw, (const unsigned char *)header, (int)hl);
	while (n > 0 && raw[n - 1] == '\0')
		n--; /* EVP_DecodeBlock counts the padding */
	if (n <= 0 ||
	    (all = json_loadb((char *)raw, (size_t)n, 0, NULL)) == NULL)
		ky_err_set(err, KY_E_VERIFY, "binding is not JSON");
	free(raw);
	return all;
}

int ky_sync_pinned_key(const char *pinned, const char *header,
		       struct ky_pubkey *pk, bool *learned, struct ky_err *err)
{
	uint8_t fp[KY_FINGERPRINT_BYTES];
	const char *key;
	json_t *all;
	int r;

	*learned = false;
	if (strncmp(pinned, "fp:", 3) != 0)
		return ky_pubkey_parse(pinned, pk, err);
	if ((r = ky_identity_fingerprint_parse(pinned + 3, fp, err)) != 0)
		return r;
	if ((all = binding_decode(header, err)) == NULL)
		return KY_E_VERIFY;
	key = json_string_value(
		json_object_get(json_object_get(all, "binding"), "key"));
	if (key == NULL || ky_pubkey_parse(key, pk, NULL) != 0)
		r = ky_err_set(err, KY_E_VERIFY,
			       "pinned by fingerprint, and the binding "
			       "carries no key");
	else if (!ky_identity_fingerprint_matches(fp, pk))
		r = ky_err_set(err, KY_E_VERIFY,
			       "the key the binding carries does not have the "
			       "pinned fingerprint");
	else
		*learned = true;
	json_decref(all);
	return r;
}

int ky_sync_binding_check(const char *header, const struct ky_pubkey *pk,
			  const char *node_id, const char spki_hex[65],
			  int64_t now_ns, struct ky_err *err)
{
	json_t *all, *b, *sig;
	const char *na;
	struct ky_err e2 = {0};
	int64_t na_ns = 0;
	int r = KY_E_VERIFY;

	if ((all = binding_decode(header, err)) == NULL)
		return err && err->status ? err->status : KY_E_VERIFY;
	b = json_object_get(all, "binding");
	sig = json_object_get(all, "sig");
	if (!json_is_object(b) || !json_is_object(sig) ||
	    json_string_value(json_object_get(b, "type")) == NULL ||
	    strcmp(json_string_value(json_object_get(b, "type")),
		   "kyklos-tls-binding/1") != 0) {
		r = ky_err_set(err, KY_E_VERIFY, "not a kyklos binding");
		goto out;
	}
	if ((r = ky_sig_verify_json(sig, pk, b, &e2)) != 0) {
		r = ky_err_set(err, KY_E_VERIFY,
			       "binding not signed by the pinned key: %s",
			       e2.msg);
		goto out;
	}
	r = KY_E_VERIFY;
	if (json_string_value(json_object_get(b, "node")) == NULL ||
	    strcmp(json_string_value(json_object_get(b, "node")), node_id)) {
		ky_err_set(err, r, "binding names another node");
		goto out;
	}
	if (json_string_value(json_object_get(b, "spki_sha256")) == NULL ||
	    strcmp(json_string_value(json_object_get(b, "spki_sha256")),
		   spki_hex) != 0) {
		ky_err_set(err, r,
			   "the TLS certificate is not the one the binding "
			   "names");
		goto out;
	}
	na = json_string_value(json_object_get(b, "not_after"));
	if (na == NULL || ky_time_parse_rfc3339(na, strlen(na), &na_ns) <= 0 ||
	    na_ns < now_ns) {
		ky_err_set(err, r, "binding expired");
		goto out;
	}
	r = 0;
out:
	json_decref(all);
	return r;
}

static int accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1; /* the binding, not a CA, decides */
}

SSL_CTX *ky_sync_server_ctx(const char *key_path, const char *crt_path,
			    struct ky_err *err)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());

	if (c == NULL ||
	    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_use_certificate_file(c, crt_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(c, key_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(c) != 1) {
		SSL_CTX_free(c);
		ky_err_set(err, KY_E_TLS, "TLS context from %s / %s failed",
			   key_path, crt_path);
		return NULL;
	}
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   accept_any);
	return c;
}
