/* Node ids and human fingerprints from public keys (docs/identity.md). */
#include <stdio.h>
#include <string.h>

#include "trust/identity.h"

void ky_identity_node_id(const struct ky_pubkey *pk,
			 char out[KY_NODE_ID_LEN + 1])
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint8_t fp[32];
	size_t o = 2;

	ky_pubkey_fingerprint(pk, fp);
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
