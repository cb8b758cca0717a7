/* C2SP signed notes, checkpoints and cosignatures (docs/signed-note.md):
 * text checks, signature lines, key IDs, verifier keys, Ed25519 (0x01),
 * ECDSA P-256 (0x02: DER signature, key ID over the DER SPKI) and
 * timestamped Ed25519 cosignatures (0x04). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/text.h"
#include "ledger/note.h"

#define EM_DASH "\xe2\x80\x94"
#define COSIG_HEADER "cosignature/v1\ntime "

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t sha_id(const void *a, size_t an, const void *b, size_t bn)
{
	uint8_t h[32];
	unsigned int hl = 32;
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	uint32_t id = 0;

	if (x && EVP_DigestInit_ex(x, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(x, a, an) == 1 &&
	    (bn == 0 || EVP_DigestUpdate(x, b, bn) == 1) &&
	    EVP_DigestFinal_ex(x, h, &hl) == 1)
		id = be32(h);
	EVP_MD_CTX_free(x);
	return id;
}

/* The DER SubjectPublicKeyInfo of a P-256 key (0 on failure). */
static size_t p256_spki(const struct ky_pubkey *pk, uint8_t *out, size_t cap)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM p[3];
	unsigned char *o = out;
	int n = 0;

	p[0] = OSSL_PARAM_construct_utf8_string("group", (char *)"prime256v1",
						0);
	p[1] = OSSL_PARAM_construct_octet_string("pub", (void *)pk->key,
						 pk->len);
	p[2] = OSSL_PARAM_construct_end();
	if (c && EVP_PKEY_fromdata_init(c) > 0 &&
	    EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, p) > 0 &&
	    (n = i2d_PUBKEY(k, NULL)) > 0 && (size_t)n <= cap)
		n = i2d_PUBKEY(k, &o);
	else
		n = 0;
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(c);
	return n > 0 ? (size_t)n : 0;
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= KY_NOTE_NAME_MAX || ky_utf8_check(s, n) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* ASCII spaces, '+' and controls; NBSP and the other Unicode
		 * spaces are refused by their lead bytes below */
		if (c <= 0x20 || c == '+' || c == 0x7f)
			return false;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0)
			return false;
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] <= 0x8a ||
		     (unsigned char)s[i + 2] == 0xa8 ||
		     (unsigned char)s[i + 2] == 0xa9 ||
		     (unsigned char)s[i + 2] == 0xaf))
			return false;
		if (c == 0xe3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] == 0x80)
			return false;
	}
	return true;
}

/* ---- verifier keys ---- */

static int key_id_of(const char *name, uint8_t type,
		     const struct ky_pubkey *pub, uint32_t *id)
{
	uint8_t buf[KY_NOTE_NAME_MAX + 2 + KY_PUBKEY_MAX], spki[128];
	size_t nl = strlen(name), n;

	if (type == KY_NOTE_TYPE_ECDSA_P256) {
		if ((n = p256_spki(pub, spki, sizeof(spki))) == 0)
			return KY_E_CRYPTO;
		*id = sha_id(spki, n, NULL, 0);
		return 0;
	}
	memcpy(buf, name, nl);
	buf[nl] = '\n';
	buf[nl + 1] = type;
	memcpy(buf + nl + 2, pub->key, pub->len);
	*id = sha_id(buf, nl + 2 + pub->len, NULL, 0);
	return 0;
}

int ky_note_verifier_make(const char *name, const struct ky_pubkey *pub,
			  uint8_t type, struct ky_note_verifier *out,
			  struct ky_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!name_ok(name, strlen(name)))
		return ky_err_set(err, KY_E_INVAL,
				  "key name '%.60s': empty, or a space or '+'",
				  name);
	if ((type == KY_NOTE_TYPE_ECDSA_P256) !=
	    (pub->alg == KY_ALG_ECDSA_P256))
		return ky_err_set(err, KY_E_INVAL,
				  "signature type 0x%02x does not fit a %s key",
				  type, ky_key_alg_name(pub->alg));
	if (type != KY_NOTE_TYPE_ED25519 && type != KY_NOTE_TYPE_ECDSA_P256 &&
	    type != KY_NOTE_TYPE_COSIGNATURE)
		return ky_err_set(err, KY_E_UNSUPPORTED,
				  "signature type 0x%02x", type);
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->type = type;
	out->pub = *pub;
	if (key_id_of(name, type, pub, &out->id) != 0)
		return ky_err_set(err, KY_E_CRYPTO, "cannot encode the key");
	return 0;
}

int ky_note_verifier_parse(const char *s, size_t n,
			   struct ky_note_verifier *out, struct ky_err *err)
{
	const char *p1 = memchr(s, '+', n), *p2;
	uint8_t raw[256];
	char name[KY_NOTE_NAME_MAX], hex[9];
	struct ky_pubkey pub;
	size_t rl;
	uint32_t id;
	int r;

	memset(out, 0, sizeof(*out));
	p2 = p1 ? memchr(p1 + 1, '+', n - (size_t)(p1 - s) - 1) : NULL;
	if (p1 == NULL || p2 == NULL || p2 - p1 != 9 ||
	    (size_t)(p1 - s) >= sizeof(name))
		return ky_err_set(err, KY_E_PARSE,
				  "verifier key: expected NAME+HEXID+KEY");
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	memcpy(hex, p1 + 1, 8);
	hex[8] = '\0';
	for (int i = 0; i < 8; i++)
		if (!strchr("0123456789abcdef", hex[i]))
			return ky_err_set(err, KY_E_PARSE,
					  "verifier key: key ID '%s' is not 8 "
					  "lower-case hex digits",
					  hex);
	id = (uint32_t)strtoul(hex, NULL, 16);
	if ((r = ky_b64_decode(p2 + 1, n - (size_t)(p2 + 1 - s), raw,
			       sizeof(raw), &rl, err)) != 0) {
		ky_err_prefix(err, "verifier key");
		return KY_E_PARSE;
	}
	if (rl < 2)
		return ky_err_set(err, KY_E_PARSE, "verifier key: no key");
	if (raw[0] == KY_NOTE_TYPE_ED25519 ||
	    raw[0] == KY_NOTE_TYPE_COSIGNATURE) {
		if (ky_pubkey_set(&pub, KY_ALG_ED25519, raw + 1, rl - 1, err))
			return KY_E_PARSE;
	} else if (raw[0] == KY_NOTE_TYPE_ECDSA_P256) {
		/* DER SPKI, as transparency-dev/witness encodes it */
		const unsigned char *q = raw + 1;
		EVP_PKEY *k = d2i_PUBKEY(NULL, &q, (long)(rl - 1));
		uint8_t pt[KY_PUBKEY_MAX];
		size_t pl = 0;

		if (k == NULL ||
		    EVP_PKEY_get_octet_string_param(k, "pub", pt, sizeof(pt),
						    &pl) != 1 ||
		    ky_pubkey_set(&pub, KY_ALG_ECDSA_P256, pt, pl, err) != 0) {
			EVP_PKEY_free(k);
			return ky_err_set(err, KY_E_PARSE,
					  "verifier key: not a P-256 SPKI");
		}
		EVP_PKEY_free(k);
	} else {
		return ky_err_set(err, KY_E_UNSUPPORTED,
				  "verifier key: signature type 0x%02x",
				  raw[0]);
	}
	if ((r = ky_note_verifier_make(name, &pub, raw[0], out, err)) != 0)
		return r;
	if (out->id != id)
		return ky_err_set(err, KY_E_PARSE,
				  "verifier key: key ID %s does not match the "
				  "key (%08x)",
				  hex, out->id);
	return 0;
}

int ky_note_verifier_format(const struct ky_note_verifier *v,
			    struct ky_buf *out)
{
	uint8_t raw[1 + 128];
	char b64[256];
	size_t n;

	raw[0] = v->type;
	if (v->type == KY_NOTE_TYPE_ECDSA_P256) {
		if ((n = p256_spki(&v->pub, raw + 1, sizeof(raw) - 1)) == 0)
			return KY_E_CRYPTO;
	} else {
		memcpy(raw + 1, v->pub.key, v->pub.len);
		n = v->pub.len;
	}
	ky_b64_encode(raw, n + 1, b64, sizeof(b64));
	return ky_buf_addf(out, "%s+%08x+%s", v->name, v->id, b64);
}

/* ---- notes ---- */

void ky_note_free(struct ky_note *note)
{
	if (note == NULL)
		return;
	free(note->text);
	free(note->sigs);
	memset(note, 0, sizeof(*note));
}

/* Line number (1-based) of offset off in s. */
static unsigned line_of(const char *s, size_t off)
{
	unsigned l = 1;

	for (size_t i = 0; i < off; i++)
		l += s[i] == '\n';
	return l;
}

int ky_note_parse(const char *s, size_t n, struct ky_note *out,
		  struct ky_err *err)
{
	size_t split = SIZE_MAX, bad, i, nsig = 0;
	const char *p, *end = s + n;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (n > KY_NOTE_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "note larger than %u bytes",
				  KY_NOTE_MAX);
	if ((bad = ky_utf8_check(s, n)) != n)
		return ky_err_set(err, KY_E_PARSE,
				  "note: line %u: invalid UTF-8",
				  line_of(s, bad));
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			return ky_err_set(err, KY_E_PARSE,
					  "note: line %u: control character",
					  line_of(s, i));
	if (n == 0 || s[n - 1] != '\n')
		return ky_err_set(err, KY_E_PARSE,
				  "note: does not end with a newline");
	/* the last empty line separates the text from the signatures */
	for (i = n - 1; i-- > 0;)
		if (s[i] == '\n' && s[i + 1] == '\n') {
			split = i + 1;
			break;
		}
	if (split == SIZE_MAX || split == 0)
		return ky_err_set(err, KY_E_PARSE,
				  "note: no empty line before the signatures");
	if ((out->text = malloc(split + 1)) == NULL ||
	    (out->sigs = calloc(KY_NOTE_MAX_SIGS, sizeof(*out->sigs))) ==
		    NULL) {
		ky_note_free(out);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	memcpy(out->text, s, split);
	out->text[split] = '\0';
	out->text_len = split;
	for (p = s + split + 1; r == 0 && p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp;
		unsigned line = line_of(s, (size_t)(p - s));
		uint8_t raw[4 + 80];
		size_t rl;
		struct ky_err e2 = {0};

		if (eol - p < 5 || memcmp(p, EM_DASH " ", 4) != 0) {
			r = ky_err_set(err, KY_E_PARSE,
				       "note: line %u: a signature line starts "
				       "with an em dash and a space",
				       line);
			break;
		}
		p += 4;
		sp = memchr(p, ' ', (size_t)(eol - p));
		if (sp == NULL || !name_ok(p, (size_t)(sp - p))) {
			r = ky_err_set(err, KY_E_PARSE,
				       "note: line %u: bad key name", line);
			break;
		}
		if (ky_b64_decode(sp + 1, (size_t)(eol - sp - 1), raw,
				  sizeof(raw), &rl, &e2) != 0 ||
		    rl < 5) {
			r = ky_err_set(err, KY_E_PARSE,
				       "note: line %u: the signature is not "
				       "base64 of a key ID and a signature%s%s",
				       line, e2.msg[0] ? ": " : "", e2.msg);
			break;
		}
		if (nsig < KY_NOTE_MAX_SIGS) {
			struct ky_note_sig *g = &out->sigs[nsig++];

			memcpy(g->name, p, (size_t)(sp - p));
			g->name[sp - p] = '\0';
			g->id = be32(raw);
			memcpy(g->sig, raw + 4, rl - 4);
			g->len = rl - 4;
		}
		p = eol + 1;
	}
	out->nsigs = nsig;
	if (r == 0 && nsig == 0)
		r = ky_err_set(err, KY_E_PARSE, "note: no signature");
	if (r != 0)
		ky_note_free(out);
	return r;
}

/* Verifies one signature line g made by key k over the note. */
static int verify_one(const struct ky_note *note,
		      const struct ky_note_verifier *k,
		      const struct ky_note_sig *g, uint64_t *ts,
		      struct ky_err *err)
{
	uint8_t raw[64];
	struct ky_err e2 = {0};

	if (k->type == KY_NOTE_TYPE_ED25519)
		return ky_pubkey_verify(&k->pub, note->text, note->text_len,
					g->sig, g->len, err);
	if (k->type == KY_NOTE_TYPE_ECDSA_P256) {
		if (ky_ecdsa_der_to_raw(g->sig, g->len, raw, &e2) != 0)
			return ky_err_set(err, KY_E_VERIFY,
					  "bad ECDSA signature encoding");
		return ky_pubkey_verify(&k->pub, note->text, note->text_len,
					raw, 64, err);
	}
	/* 0x04: u64 timestamp || Ed25519 signature over the cosigned text */
	{
		char head[48];
		uint64_t t = 0;
		char *msg;
		int hl, r;

		if (g->len != 8 + 64)
			return ky_err_set(err, KY_E_VERIFY,
					  "a cosignature has 72 bytes, not %zu",
					  g->len);
		for (int i = 0; i < 8; i++)
			t = t << 8 | g->sig[i];
		if (t > INT64_MAX)
			return ky_err_set(err, KY_E_VERIFY,
					  "cosignature time past 2^63 - 1");
		hl = snprintf(head, sizeof(head), COSIG_HEADER "%llu\n",
			      (unsigned long long)t);
		if ((msg = malloc((size_t)hl + note->text_len)) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		memcpy(msg, head, (size_t)hl);
		memcpy(msg + hl, note->text, note->text_len);
		r = ky_pubkey_verify(&k->pub, msg, (size_t)hl + note->text_len,
				     g->sig + 8, 64, err);
		free(msg);
		if (r == 0 && ts)
			*ts = t;
		return r;
	}
}

int ky_note_verify(const struct ky_note *note,
		   const struct ky_note_verifier *keys, size_t nkeys,
		   uint64_t *verified, struct ky_err *err)
{
	uint64_t bits = 0;
	int r;

	for (size_t i = 0; i < note->nsigs; i++) {
		const struct ky_note_sig *g = &note->sigs[i];

		for (size_t k = 0; k < nkeys && k < 64; k++) {
			if (keys[k].id != g->id ||
			    strcmp(keys[k].name, g->name) != 0)
				continue; /* unknown keys are ignored */
			if ((r = verify_one(note, &keys[k], g, NULL, err)) !=
			    0) {
				ky_err_prefix(err, "signature by %s", g->name);
				return KY_E_VERIFY;
			}
			bits |= 1ull << k;
		}
	}
	if (verified)
		*verified = bits;
	if (bits == 0)
		return ky_err_set(err, KY_E_VERIFY,
				  "no signature by a known key");
	return 0;
}

static int sig_line(struct ky_buf *out, const char *name, uint32_t id,
		    const uint8_t *sig, size_t n)
{
	uint8_t raw[4 + 80];
	char b64[160];

	put_be32(raw, id);
	memcpy(raw + 4, sig, n);
	ky_b64_encode(raw, n + 4, b64, sizeof(b64));
	return ky_buf_addf(out, EM_DASH " %s %s\n", name, b64);
}

static int text_ok(const char *text, size_t n, struct ky_err *err)
{
	if (n == 0 || text[n - 1] != '\n' || ky_utf8_check(text, n) != n)
		return ky_err_set(
			err, KY_E_INVAL,
			"note text must be UTF-8 ending in a newline");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
			return ky_err_set(err, KY_E_INVAL,
					  "note text: control character");
	return 0;
}

int ky_note_sign(const char *text, size_t n, const struct ky_signer *s,
		 const char *key_name, struct ky_buf *out, struct ky_err *err)
{
	struct ky_note_verifier v;
	uint8_t sig[KY_SIG_MAX], der[80];
	size_t sl = KY_SIG_MAX;
	int r;

	if ((r = text_ok(text, n, err)) != 0 ||
	    (r = ky_note_verifier_make(key_name, &s->pub,
				       s->pub.alg == KY_ALG_ED25519
					       ? KY_NOTE_TYPE_ED25519
					       : KY_NOTE_TYPE_ECDSA_P256,
				       &v, err)) != 0 ||
	    (r = s->sign(s->ud, text, n, sig, err)) != 0)
		return r;
	if (s->pub.alg == KY_ALG_ECDSA_P256 &&
	    (r = ky_ecdsa_raw_to_der(sig, der, sizeof(der), &sl, err)) != 0)
		return r;
	if (ky_buf_add(out, text, n) != 0 || ky_buf_addc(out, '\n') != 0 ||
	    sig_line(out, key_name, v.id,
		     s->pub.alg == KY_ALG_ED25519 ? sig : der, sl) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

/* ---- checkpoints ---- */

void ky_checkpoint_free(struct ky_checkpoint *c)
{
	if (c == NULL)
		return;
	free(c->extensions);
	c->extensions = NULL;
	c->ext_len = 0;
}

int ky_checkpoint_parse(const char *text, size_t n, struct ky_checkpoint *out,
			struct ky_err *err)
{
	const char *l[3], *e[3], *p = text, *end = text + n;
	size_t got;
	uint64_t v = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 3; i++) {
		l[i] = p;
		e[i] = memchr(p, '\n', (size_t)(end - p));
		if (e[i] == NULL)
			return ky_err_set(err, KY_E_PARSE,
					  "checkpoint: line %d missing", i + 1);
		p = e[i] + 1;
	}
	if (e[0] == l[0] || (size_t)(e[0] - l[0]) >= sizeof(out->origin))
		return ky_err_set(err, KY_E_PARSE,
				  "checkpoint: line 1: bad origin");
	memcpy(out->origin, l[0], (size_t)(e[0] - l[0]));
	if (e[1] == l[1] || (e[1] - l[1] > 1 && l[1][0] == '0') ||
	    e[1] - l[1] > 20)
		return ky_err_set(err, KY_E_PARSE,
				  "checkpoint: line 2: size must be decimal "
				  "without leading zeros");
	for (const char *q = l[1]; q < e[1]; q++) {
		if (*q < '0' || *q > '9' ||
		    v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			return ky_err_set(err, KY_E_PARSE,
					  "checkpoint: line 2: bad size");
		v = v * 10 + (uint64_t)(*q - '0');
	}
	out->size = v;
	if (ky_b64_decode(l[2], (size_t)(e[2] - l[2]), out->root, KY_HASH_LEN,
			  &got, err) != 0 ||
	    got != KY_HASH_LEN)
		return ky_err_set(err, KY_E_PARSE,
				  "checkpoint: line 3: not a base64 SHA-256 "
				  "root");
	/* extension lines: kept as they are, none empty */
	for (const char *q = p; q < end;) {
		const char *eol = memchr(q, '\n', (size_t)(end - q));

		if (eol == NULL || eol == q)
			return ky_err_set(err, KY_E_PARSE,
					  "checkpoint: line %u: empty or "
					  "unterminated extension line",
					  line_of(text, (size_t)(q - text)));
		q = eol + 1;
	}
	if (p < end) {
		if ((out->extensions = malloc((size_t)(end - p) + 1)) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		memcpy(out->extensions, p, (size_t)(end - p));
		out->extensions[end - p] = '\0';
		out->ext_len = (size_t)(end - p);
	}
	return 0;
}

int ky_checkpoint_format(const struct ky_checkpoint *c, struct ky_buf *out)
{
	char b64[64];

	ky_b64_encode(c->root, KY_HASH_LEN, b64, sizeof(b64));
	if (ky_buf_addf(out, "%s\n%llu\n%s\n", c->origin,
			(unsigned long long)c->size, b64) != 0 ||
	    (c->ext_len && ky_buf_add(out, c->extensions, c->ext_len) != 0))
		return KY_E_NOMEM;
	return 0;
}

/* ---- cosignatures ---- */

int ky_cosign(const char *body, size_t n, const struct ky_signer *s,
	      const char *witness_name, uint64_t time_s, struct ky_buf *out,
	      struct ky_err *err)
{
	struct ky_note_verifier v;
	uint8_t sig[8 + KY_SIG_MAX];
	char head[48], *msg;
	int hl, r;

	if (s->pub.alg != KY_ALG_ED25519)
		return ky_err_set(
			err, KY_E_UNSUPPORTED,
			"cosignatures are Ed25519 (tlog-cosignature)");
	if (time_s > INT64_MAX)
		return ky_err_set(err, KY_E_INVAL, "time past 2^63 - 1");
	if ((r = text_ok(body, n, err)) != 0 ||
	    (r = ky_note_verifier_make(witness_name, &s->pub,
				       KY_NOTE_TYPE_COSIGNATURE, &v, err)) != 0)
		return r;
	hl = snprintf(head, sizeof(head), COSIG_HEADER "%llu\n",
		      (unsigned long long)time_s);
	if ((msg = malloc((size_t)hl + n)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	memcpy(msg, head, (size_t)hl);
	memcpy(msg + hl, body, n);
	r = s->sign(s->ud, msg, (size_t)hl + n, sig + 8, err);
	free(msg);
	if (r != 0)
		return r;
	for (int i = 0; i < 8; i++)
		sig[i] = (uint8_t)(time_s >> (56 - 8 * i));
	return sig_line(out, witness_name, v.id, sig, sizeof(sig)) == 0
		       ? 0
		       : ky_err_set(err, KY_E_NOMEM, "out of memory");
}

int ky_cosign_verify(const struct ky_note *note,
		     const struct ky_note_verifier *witness, uint64_t *time_s,
		     struct ky_err *err)
{
	for (size_t i = 0; i < note->nsigs; i++) {
		const struct ky_note_sig *g = &note->sigs[i];

		if (g->id == witness->id && strcmp(g->name, witness->name) == 0)
			return verify_one(note, witness, g, time_s, err);
	}
	return ky_err_set(err, KY_E_VERIFY, "no cosignature by %s",
			  witness->name);
}
