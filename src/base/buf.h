/* Size-capped dynamic byte buffer, always NUL-terminated.  Growth past the
 * cap fails with KY_E_TOOBIG and leaves the contents untouched, so outside
 * input can never make a buffer grow without bound. */
#ifndef KY_BASE_BUF_H
#define KY_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct ky_buf {
	char *data; /* NULL until the first add */
	size_t len;
	size_t cap;
	size_t max; /* maximum len; 0 means SIZE_MAX / 2 */
};

void ky_buf_init(struct ky_buf *b, size_t max);
/* Frees the storage; the buffer may be reused after ky_buf_init. */
void ky_buf_free(struct ky_buf *b);
/* Keeps the storage, sets len to 0. */
void ky_buf_reset(struct ky_buf *b);
int ky_buf_add(struct ky_buf *b, const void *p, size_t n);
int ky_buf_addc(struct ky_buf *b, char c);
int ky_buf_adds(struct ky_buf *b, const char *s);
int ky_buf_addf(struct ky_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ky_buf_vaddf(struct ky_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included, escaping as needed. */
int ky_buf_add_json_str(struct ky_buf *b, const char *s, size_t n);
/* Makes room for n more bytes; returns 0 or KY_E_TOOBIG/KY_E_NOMEM. */
int ky_buf_reserve(struct ky_buf *b, size_t n);
/* Hands the storage to the caller (who frees it) and resets the buffer. */
char *ky_buf_steal(struct ky_buf *b, size_t *len);

static inline const char *ky_buf_str(const struct ky_buf *b)
{
	return b->data ? b->data : "";
}

#endif
