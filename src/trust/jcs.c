/* RFC 8785 JSON Canonicalization Scheme (docs/signatures.md): members
 * sorted by UTF-16 code units, minimal string escapes, numbers in the
 * ECMAScript form of their IEEE 754 double. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "trust/jcs.h"

#define DEPTH_MAX 512

int ky_jcs_number(double d, char out[32])
{
	char buf[40], digits[20];
	int exp10, k = 0, n, o = 0;

	if (!isfinite(d))
		return -1;
	if (d == 0) {
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	if (d < 0) {
		out[o++] = '-';
		d = -d;
	}
	/* the shortest digits that read back to the same double */
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	for (const char *q = buf; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[k++] = *q;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	exp10 = (int)strtol(strchr(buf, 'e') + 1, NULL, 10);
	n = exp10 + 1; /* the decimal point sits after n digits */
	if (k <= n && n <= 21) {
		memcpy(out + o, digits, (size_t)k);
		o += k;
		for (int i = k; i < n; i++)
			out[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(out + o, digits, (size_t)n);
		o += n;
		out[o++] = '.';
		memcpy(out + o, digits + n, (size_t)(k - n));
		o += k - n;
	} else if (-6 < n && n <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = n; i < 0; i++)
			out[o++] = '0';
		memcpy(out + o, digits, (size_t)k);
		o += k;
	} else {
		out[o++] = digits[0];
		if (k > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, (size_t)(k - 1));
			o += k - 1;
		}
		o += snprintf(out + o, 32 - (size_t)o, "e%c%d",
			      n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	out[o] = '\0';
	return o;
}

/* Next UTF-16 code unit of a UTF-8 string (valid, as jansson ensures);
 * *pending holds the low surrogate of a pair. */
static unsigned next_unit(const unsigned char **s, const unsigned char *end,
			  unsigned *pending)
{
	unsigned c;

	if (*pending) {
		c = *pending;
		*pending = 0;
		return c;
	}
	c = *(*s)++;
	if (c >= 0xf0 && *s + 3 <= end) {
		c = (c & 0x07) << 18 | ((*s)[0] & 0x3fu) << 12 |
		    ((*s)[1] & 0x3fu) << 6 | ((*s)[2] & 0x3fu);
		*s += 3;
		c -= 0x10000;
		*pending = 0xdc00 | (c & 0x3ff);
		return 0xd800 | (c >> 10);
	}
	if (c >= 0xe0 && *s + 2 <= end) {
		c = (c & 0x0f) << 12 | ((*s)[0] & 0x3fu) << 6 |
		    ((*s)[1] & 0x3fu);
		*s += 2;
	} else if (c >= 0xc0 && *s + 1 <= end) {
		c = (c & 0x1f) << 6 | ((*s)[0] & 0x3fu);
		*s += 1;
	}
	return c;
}

static int utf16_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	const unsigned char *p = (const unsigned char *)a, *pe = p + an;
	const unsigned char *q = (const unsigned char *)b, *qe = q + bn;
	unsigned pa = 0, pb = 0;

	while ((p < pe || pa) && (q < qe || pb)) {
		unsigned x = next_unit(&p, pe, &pa), y = next_unit(&q, qe, &pb);

		if (x != y)
			return x < y ? -1 : 1;
	}
	if ((p < pe || pa) == (q < qe || pb))
		return 0;
	return (p < pe || pa) ? 1 : -1;
}

struct member {
	const char *k;
	size_t n;
	const json_t *v;
};

static int cmp_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;

	return utf16_cmp(a->k, a->n, b->k, b->n);
}

/* Whether one of the 8 bytes at p is a '"', a '\\' or below 0x20 (may
 * say yes for a byte after such a one: the caller then looks bytewise). */
static inline bool needs_escape8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t w, q, b;

	memcpy(&w, p, 8);
	q = w ^ (ones * '"');
	b = w ^ (ones * '\\');
	return (((q - ones) & ~q) | ((b - ones) & ~b) |
		((w - ones * 0x20) & ~w)) &
	       high;
}

static int put_string(struct ky_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0; /* start of the characters copied as they are */
	int r;

	/* most strings need no escape at all: the room once, and runs of
	 * plain characters copied whole */
	if ((r = ky_buf_reserve(out, n + 2)) != 0 ||
	    (r = ky_buf_addc(out, '"')) != 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		unsigned char c;
		char esc[7];
		size_t el = 2;

		/* eight plain bytes at a time while there are eight */
		while (n - i >= 8 && !needs_escape8(s + i))
			i += 8;
		if (i >= n)
			break;
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
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
			el = 6;
		}
		if ((r = ky_buf_add(out, s + run, i - run)) != 0 ||
		    (r = ky_buf_add(out, esc, el)) != 0)
			return r;
		run = i + 1;
	}
	if ((r = ky_buf_add(out, s + run, n - run)) != 0)
		return r;
	return ky_buf_addc(out, '"');
}

static int put_value(const json_t *v, struct ky_buf *out, int depth,
		     struct ky_err *err)
{
	char num[32];
	int r = 0;

	if (depth > DEPTH_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "JCS: nested deeper than %d", DEPTH_MAX);
	switch (json_typeof(v)) {
	case JSON_NULL:
		return ky_buf_adds(out, "null");
	case JSON_TRUE:
		return ky_buf_adds(out, "true");
	case JSON_FALSE:
		return ky_buf_adds(out, "false");
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);

		if (i > 9007199254740992LL || i < -9007199254740992LL)
			return ky_err_set(err, KY_E_INVAL,
					  "JCS: integer %lld is not exact as "
					  "a double",
					  (long long)i);
		/* an integer of at most 2^53 is its own shortest form (what
		 * ky_jcs_number gives for it, without the search) */
		return ky_buf_add(out, num, ky_i64_dec(i, num));
	}
	case JSON_REAL:
		if (ky_jcs_number(json_real_value(v), num) < 0)
			return ky_err_set(err, KY_E_INVAL,
					  "JCS: a number that is not finite");
		return ky_buf_adds(out, num);
	case JSON_STRING:
		return put_string(out, json_string_value(v),
				  json_string_length(v));
	case JSON_ARRAY: {
		size_t i;
		const json_t *x;

		r = ky_buf_addc(out, '[');
		json_array_foreach(v, i, x)
		{
			if (r == 0 && i)
				r = ky_buf_addc(out, ',');
			if (r == 0)
				r = put_value(x, out, depth + 1, err);
		}
		return r ? r : ky_buf_addc(out, ']');
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		struct member *m = calloc(n ? n : 1, sizeof(*m));
		const char *k;
		json_t *x;

		if (m == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		json_object_foreach((json_t *)v, k, x)
		{
			m[i].k = k;
			m[i].n = strlen(k);
			m[i++].v = x;
		}
		qsort(m, n, sizeof(*m), cmp_member);
		r = ky_buf_addc(out, '{');
		for (i = 0; r == 0 && i < n; i++) {
			if (i)
				r = ky_buf_addc(out, ',');
			r = r ? r : put_string(out, m[i].k, m[i].n);
			r = r ? r : ky_buf_addc(out, ':');
			r = r ? r : put_value(m[i].v, out, depth + 1, err);
		}
		free(m);
		return r ? r : ky_buf_addc(out, '}');
	}
	}
	return ky_err_set(err, KY_E_INVAL, "JCS: unknown JSON type");
}

int ky_jcs_value(const json_t *v, struct ky_buf *out, struct ky_err *err)
{
	size_t mark = out->len;
	int r = put_value(v, out, 0, err);

	if (r != 0) {
		out->len = mark;
		if (err->msg[0] == '\0')
			ky_err_set(err, r, "JCS: output too large");
	}
	return r;
}

int ky_jcs_text(const char *json, size_t n, struct ky_buf *out,
		struct ky_err *err)
{
	json_error_t je;
	json_t *v = json_loadb(json, n,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY |
				       JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL,
			       &je);
	int r;

	if (v == NULL)
		return ky_err_set(err, KY_E_PARSE, "JCS: line %d column %d: %s",
				  je.line, je.column, je.text);
	r = ky_jcs_value(v, out, err);
	json_decref(v);
	return r;
}
