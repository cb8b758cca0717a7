/* Crypto-PAn (docs/pseudonyms.md): bit i of the pseudonym is bit i of the
 * address XOR the first bit of AES_k(the address's first i bits followed
 * by the pad's remaining bits), the pad being AES_k of the key's second
 * half. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "share/cryptopan.h"

struct ky_cryptopan {
	EVP_CIPHER_CTX *ctx;
	uint8_t pad[16];
};

static void aes(struct ky_cryptopan *c, const uint8_t in[16], uint8_t out[16])
{
	int n = 0;

	/* ECB on one block, no padding: a block cipher call */
	EVP_EncryptUpdate(c->ctx, out, &n, in, 16);
}

int ky_cryptopan_new(const uint8_t key[KY_CRYPTOPAN_KEY],
		     struct ky_cryptopan **out, struct ky_err *err)
{
	struct ky_cryptopan *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL || (c->ctx = EVP_CIPHER_CTX_new()) == NULL) {
		free(c);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	if (EVP_EncryptInit_ex(c->ctx, EVP_aes_128_ecb(), NULL, key, NULL) !=
		    1 ||
	    EVP_CIPHER_CTX_set_padding(c->ctx, 0) != 1) {
		ky_cryptopan_free(c);
		return ky_err_set(err, KY_E_CRYPTO, "AES-128 unavailable");
	}
	aes(c, key + 16, c->pad);
	*out = c;
	return 0;
}

void ky_cryptopan_free(struct ky_cryptopan *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->ctx);
	memset(c->pad, 0, sizeof(c->pad));
	free(c);
}

/* The pseudonym of an address of `bits` bits held big-endian in a[16]. */
static void anonymise(struct ky_cryptopan *c, const uint8_t *a, unsigned bits,
		      uint8_t *out)
{
	uint8_t in[16], res[16] = {0}, o[16];

	for (unsigned pos = 0; pos < bits; pos++) {
		/* the address's first pos bits, then the pad's */
		memcpy(in, c->pad, 16);
		for (unsigned byte = 0; byte * 8 < pos; byte++) {
			unsigned keep =
				pos - byte * 8 >= 8 ? 8 : pos - byte * 8;
			uint8_t mask = (uint8_t)(0xff00u >> keep);

			in[byte] = (uint8_t)((a[byte] & mask) |
					     (c->pad[byte] & (uint8_t)~mask));
		}
		aes(c, in, o);
		res[pos / 8] |= (uint8_t)((o[0] >> 7) << (7 - pos % 8));
	}
	for (unsigned i = 0; i < bits / 8; i++)
		out[i] = a[i] ^ res[i];
}

uint32_t ky_cryptopan_ipv4(struct ky_cryptopan *c, uint32_t addr)
{
	uint8_t a[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
			(uint8_t)(addr >> 8), (uint8_t)addr},
		o[4];

	anonymise(c, a, 32, o);
	return (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 |
	       (uint32_t)o[2] << 8 | o[3];
}

void ky_cryptopan_ipv6(struct ky_cryptopan *c, const uint8_t in[16],
		       uint8_t out[16])
{
	anonymise(c, in, 128, out);
}

int ky_cryptopan_text(struct ky_cryptopan *c, const char *addr,
		      char out[KY_ADDR_TEXT], struct ky_err *err)
{
	uint8_t a[16], o[16];

	if (inet_pton(AF_INET, addr, a) == 1) {
		anonymise(c, a, 32, o);
		inet_ntop(AF_INET, o, out, KY_ADDR_TEXT);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		anonymise(c, a, 128, o);
		inet_ntop(AF_INET6, o, out, KY_ADDR_TEXT);
		return 0;
	}
	return ky_err_set(err, KY_E_INVAL, "'%.60s' is not an IP address",
			  addr);
}
