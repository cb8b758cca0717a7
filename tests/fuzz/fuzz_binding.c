/* libFuzzer target for the Kyklos-Binding header, which the sync endpoint
 * reads from any TLS client before it knows who that is: the header as
 * sent (base64 of JSON), and the same bytes base64-encoded, go through the
 * key lookup of a peer pinned by fingerprint and through the binding
 * check with a fixed key.  Nothing may crash, and nothing may verify:
 * nobody holds the private key of the fixed public key. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/sync_tls.h"

static void one(const char *header)
{
	static const uint8_t key[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
	static const char spki[65] = "00112233445566778899aabbccddeeff001122334"
				     "45566778899aabbccddeeff";
	struct ky_pubkey pk, got;
	struct ky_err err = {0};
	bool learned = false;

	if (ky_pubkey_set(&pk, KY_ALG_ED25519, key, 32, &err) != 0)
		return;
	if (ky_sync_binding_check(header, &pk, "kyaaaaaaaaaaaaaaaaaaaaaaaa",
				  spki, 0, &err) == 0)
		__builtin_trap();
	if (ky_sync_pinned_key("fp:0123456789abcdef0123456789abcdef01234567",
			       header, &got, &learned, &err) == 0 &&
	    ky_sync_binding_check(header, &got, "kyaaaaaaaaaaaaaaaaaaaaaaaa",
				  spki, 0, &err) == 0)
		__builtin_trap(); /* a second preimage of the fingerprint */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *b64;
	int n;

	if (size > 6000)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	one(text);
	if ((b64 = malloc(4 * (size / 3 + 1) + 1)) != NULL) {
		n = EVP_EncodeBlock((unsigned char *)b64, data, (int)size);
		b64[n] = '\0';
		one(b64);
		free(b64);
	}
	free(text);
	return 0;
}
