/* Node ids and human fingerprints from public keys (docs/identity.md). */
#include <stdio.h>
#include <string.h>

#include "trust/identity.h"

void ky_identity_node_id(const struct ky_pubkey *pk,
			 char out[KY_NODE_ID_LEN + 1])
{
	uint8_t fp[32];

	ky_pubkey_fingerprint(pk, fp);
	ky_identity_node_id_of(fp, out);
}

void ky_identity_node_id_of(const uint8_t fp[KY_FINGERPRINT_BYTES],
			    char out[KY_NODE_ID_LEN + 1])
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	size_t o = 2;

	out[0] = 'k';
	out[1] = 'y';
	/* 15 bytes = 120 bits = 24 characters of 5 bits, no padding */
	for (size_t i = 0; i < 15; i += 5) {
		uint64_t v = 0;

		for (size_t k = 0; k < 5; k++)
			v = v << 8 | fp[i + k];
		for (int k = 7; k >= 0; k--)
			out[o++] = b32[(v >> (5 * k)) & 31];
	}
	out[o] = '\0';
}

void ky_identity_fingerprint_text(const struct ky_pubkey *pk,
				  char out[KY_FINGERPRINT_TEXT])
{
	uint8_t fp[32];
	size_t o = 0;

	ky_pubkey_fingerprint(pk, fp);
	for (size_t i = 0; i < 20; i += 2) {
		snprintf(out + o, KY_FINGERPRINT_TEXT - o, "%s%02x%02x",
			 i ? " " : "", fp[i], fp[i + 1]);
		o += i ? 5 : 4;
	}
}

bool ky_identity_matches(const char *id, const struct ky_pubkey *pk)
{
	char mine[KY_NODE_ID_LEN + 1];

	ky_identity_node_id(pk, mine);
	return id != NULL && strcmp(id, mine) == 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ky_identity_fingerprint_parse(const char *s,
				  uint8_t out[KY_FINGERPRINT_BYTES],
				  struct ky_err *err)
{
	size_t n = 0;
	int hi = -1;

	for (size_t i = 0; s[i]; i++) {
		int v = hexval((unsigned char)s[i]);

		if (s[i] == ' ' || s[i] == ':' || s[i] == '-')
			continue; /* as people write it */
		if (v < 0 || n == KY_FINGERPRINT_BYTES)
			return ky_err_set(err, KY_E_INVAL,
					  "fingerprint %s: expected %d hex "
					  "digits (as `kyklos identity show` "
					  "prints them), got %s at %zu",
					  s, 2 * KY_FINGERPRINT_BYTES,
					  v < 0 ? "a non-hex character"
						: "too many",
					  i + 1);
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (n != KY_FINGERPRINT_BYTES || hi >= 0)
		return ky_err_set(err, KY_E_INVAL,
				  "fingerprint %s: expected %d hex digits, got "
				  "%zu",
				  s, 2 * KY_FINGERPRINT_BYTES,
				  2 * n + (hi >= 0));
	return 0;
}

bool ky_identity_fingerprint_matches(const uint8_t fp[KY_FINGERPRINT_BYTES],
				     const struct ky_pubkey *pk)
{
	uint8_t full[32];

	ky_pubkey_fingerprint(pk, full);
	return memcmp(full, fp, KY_FINGERPRINT_BYTES) == 0;
}
