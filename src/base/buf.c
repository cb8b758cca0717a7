/* Size-capped dynamic buffer (in the manner of curl's dynbuf): growth is
 * geometric, never past the cap, and a failed add leaves the contents as
 * they were. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"

#define KY_BUF_DEFAULT_MAX (SIZE_MAX / 2)

void ky_buf_init(struct ky_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : KY_BUF_DEFAULT_MAX;
}

void ky_buf_free(struct ky_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void ky_buf_reset(struct ky_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int ky_buf_reserve(struct ky_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max - b->len)
		return KY_E_TOOBIG;
	need = b->len + n + 1; /* room for the NUL */
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return KY_E_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int ky_buf_add(struct ky_buf *b, const void *p, size_t n)
{
	int r;

	if ((r = ky_buf_reserve(b, n)) != 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int ky_buf_addc(struct ky_buf *b, char c)
{
	return ky_buf_add(b, &c, 1);
}

int ky_buf_adds(struct ky_buf *b, const char *s)
{
	return ky_buf_add(b, s, strlen(s));
}

int ky_buf_vaddf(struct ky_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return KY_E_INVAL;
	if ((r = ky_buf_reserve(b, (size_t)n)) != 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ky_buf_addf(struct ky_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ky_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* Bounds of the second byte after a lead byte (RFC 3629 table): they
 * exclude overlong forms, surrogates and code points past U+10FFFF. */
static int utf8_second(unsigned char lead, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef) {
		if (lead == 0xe0)
			*lo = 0xa0;
		else if (lead == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (lead >= 0xf0 && lead <= 0xf4) {
		if (lead == 0xf0)
			*lo = 0x90;
		else if (lead == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/* How many bytes of s[0..n) (s[0] >= 0x80) form a valid sequence and are
 * in it (*len), given the sequence's expected length (the return value,
 * 0 for a byte that cannot start one). */
static size_t utf8_scan(const char *s, size_t n, size_t *good)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo, hi;
	size_t want = (size_t)utf8_second(u[0], &lo, &hi), k = 1;

	if (want != 0 && k < n && u[1] >= lo && u[1] <= hi) {
		k = 2;
		while (k < want && k < n && (u[k] & 0xc0) == 0x80)
			k++;
	}
	*good = k;
	return want;
}

/* Bytes an invalid sequence at s spans: the maximal subpart of a valid
 * sequence, at least one byte (Unicode's recommended replacement). */
static size_t utf8_bad_len(const char *s, size_t n)
{
	size_t good;

	utf8_scan(s, n, &good);
	return good;
}

int ky_buf_add_json_str(struct ky_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = b->len, i, run;
	int r = 0;

	if ((r = ky_buf_reserve(b, n + 2)) != 0)
		return r;
	if ((r = ky_buf_addc(b, '"')) != 0)
		goto fail;
	for (i = 0; i < n;) {
		/* Copy runs of bytes that need no escape in one go. */
		for (run = i; run < n; run++) {
			unsigned char c = (unsigned char)s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
				break;
			if (c >= 0x80) {
				size_t ok = ky_utf8_seq(
					(const unsigned char *)s + run,
					n - run);
				if (ok == 0)
					break;
				run += ok - 1;
			}
		}
		if (run > i && (r = ky_buf_add(b, s + i, run - i)) != 0)
			goto fail;
		i = run;
		if (i >= n)
			break;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			/* Not UTF-8: one U+FFFD for the longest prefix of a
			 * valid sequence (at least the byte itself), so the
			 * output is always valid JSON text. */
			if ((r = ky_buf_add(b, "\xef\xbf\xbd", 3)) != 0)
				goto fail;
			i += utf8_bad_len(s + i, n - i);
			continue;
		}
		i++;
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t elen = 2;
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if ((r = ky_buf_add(b, esc, elen)) != 0)
			goto fail;
	}
	if ((r = ky_buf_addc(b, '"')) != 0)
		goto fail;
	return 0;
fail:
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return r;
}

char *ky_buf_steal(struct ky_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
