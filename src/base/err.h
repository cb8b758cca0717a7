/* One error space for the whole library: negative status codes, their names,
 * and a caller-provided struct that carries a human message with position. */
#ifndef KY_BASE_ERR_H
#define KY_BASE_ERR_H

#include <stddef.h>

/* X-macro list: name, value, text.  Add new codes at the end. */
#define KY_STATUS_LIST(X)                                                      \
	X(KY_OK, 0, "success")                                                 \
	X(KY_E_NOMEM, -1, "out of memory")                                     \
	X(KY_E_INVAL, -2, "invalid argument")                                  \
	X(KY_E_PARSE, -3, "parse error")                                       \
	X(KY_E_TOOBIG, -4, "limit exceeded")                                   \
	X(KY_E_IO, -5, "input/output error")                                   \
	X(KY_E_NOTFOUND, -6, "not found")                                      \
	X(KY_E_EXISTS, -7, "already exists")                                   \
	X(KY_E_CONFIG, -8, "configuration error")                              \
	X(KY_E_STORE, -9, "store error")                                       \
	X(KY_E_UNSUPPORTED, -10, "not supported")                              \
	X(KY_E_TLS, -11, "TLS error")                                          \
	X(KY_E_NET, -12, "network error")                                      \
	X(KY_E_AGAIN, -13, "try again")                                        \
	X(KY_E_NONODE, -14, "no node directory")                               \
	X(KY_E_INTERNAL, -15, "internal error")                                \
	X(KY_E_VERIFY, -16, "verification failed")                             \
	X(KY_E_CRYPTO, -17, "cryptographic operation failed")                  \
	X(KY_E_PERM, -18, "permission denied")

enum ky_status {
#define KY__STATUS_ENUM(name, value, text) name = value,
	KY_STATUS_LIST(KY__STATUS_ENUM)
#undef KY__STATUS_ENUM
};

#define KY_ERR_MSG_MAX 512

/* Filled by a failing function: the status and a message naming the input
 * and position ("rules.yml:12:3: unknown modifier 'foo'"). */
struct ky_err {
	int status;
	char msg[KY_ERR_MSG_MAX];
};

/* Name of a status code; never NULL (unknown codes give "unknown error"). */
const char *ky_strerror(int status);

/* Sets err (may be NULL) and returns status, so callers can write
 * `return ky_err_set(err, KY_E_PARSE, "%s:%zu: ...", name, line);`. */
int ky_err_set(struct ky_err *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in err (for adding context). */
void ky_err_prefix(struct ky_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void ky_err_clear(struct ky_err *err);

#endif
