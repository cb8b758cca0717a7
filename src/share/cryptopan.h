/* Crypto-PAn prefix-preserving address pseudonymisation (Xu, Fan, Ammar,
 * Moon, ICNP 2002) for IPv4 and, with the same construction over 128 bits,
 * IPv6: two addresses sharing a k-bit prefix map to two pseudonyms sharing
 * a k-bit prefix, under a per-circle 32-byte key (docs/pseudonyms.md). */
#ifndef KY_SHARE_CRYPTOPAN_H
#define KY_SHARE_CRYPTOPAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define KY_CRYPTOPAN_KEY 32
#define KY_ADDR_TEXT 46 /* INET6_ADDRSTRLEN */

struct ky_cryptopan;

/* key: the first 16 bytes are the AES-128 key, the last 16 the pad (as in
 * the original distribution). */
int ky_cryptopan_new(const uint8_t key[KY_CRYPTOPAN_KEY],
		     struct ky_cryptopan **out, struct ky_err *err);
void ky_cryptopan_free(struct ky_cryptopan *c);

/* addr in host order. */
uint32_t ky_cryptopan_ipv4(struct ky_cryptopan *c, uint32_t addr);
void ky_cryptopan_ipv6(struct ky_cryptopan *c, const uint8_t in[16],
		       uint8_t out[16]);
/* Textual form in, textual form out (IPv4 dotted quad, IPv6 RFC 5952);
 * KY_E_INVAL naming the text when it is not an address. */
int ky_cryptopan_text(struct ky_cryptopan *c, const char *addr,
		      char out[KY_ADDR_TEXT], struct ky_err *err);

#endif
