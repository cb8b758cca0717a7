/* Between the keystore's dispatch (keystore.c) and its PKCS#11 backend
 * (keystore_p11.c). */
#ifndef KY_TRUST_KEYSTORE_INT_H
#define KY_TRUST_KEYSTORE_INT_H

#include "trust/keystore.h"

struct ky__p11;

int ky__p11_open(const struct ky_keystore_opts *o, struct ky__p11 **out,
		 struct ky_pubkey *pub, struct ky_err *err);
int ky__p11_generate(const struct ky_keystore_opts *o, enum ky_key_alg alg,
		     struct ky__p11 **out, struct ky_pubkey *pub,
		     struct ky_err *err);
int ky__p11_sign(struct ky__p11 *p, const void *msg, size_t n,
		 uint8_t sig[KY_SIG_MAX], struct ky_err *err);
void ky__p11_close(struct ky__p11 *p);

#endif
