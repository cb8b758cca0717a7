/* ky_json_tree (base/json_tree.h): recursive descent over the bytes,
 * strings scanned eight bytes at a time, the tree built with jansson's
 * own constructors.  What it must agree with jansson 2.14 on, and does:
 * the grammar (RFC 8259), an object or array at the top, white space
 * only after it, UTF-8 (no overlong form, surrogate or code point past
 * U+10FFFF) inside strings, escapes with surrogate pairs and no \u0000,
 * integers as json_integer (an int64 overflow is an error), other numbers
 * as json_real (an overflow to infinity is an error, an underflow is not),
 * the depth counted on every value, duplicate keys by flag. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_tree.h"
#include "base/text.h"

struct jp {
	const char *p, *e;
	unsigned flags;
	unsigned depth;
	const char *why, *at;
	char *buf; /* unescaped strings */
	size_t cap;
};

static json_t *value(struct jp *j);

static json_t *fail(struct jp *j, const char *at, const char *why)
{
	if (j->why == NULL) {
		j->why = why;
		j->at = at;
	}
	return NULL;
}

static inline void skip_ws(struct jp *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' ||
			       *j->p == '\t'))
		j->p++;
}

/* The high bit of each byte of the word that is a '"', a '\\', below
 * 0x20 or at or above 0x80 (anything but a plain character of a string).
 * The lowest bit set is exact; bits above it may be set wrongly (borrows),
 * so only the first is used. */
static inline uint64_t special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w) &
	       high;
}

static bool put(struct jp *j, size_t *len, const char *s, size_t n)
{
	if (n == 0)
		return true; /* (memcpy to a NULL buffer is undefined) */
	if (*len + n > j->cap) {
		size_t nc = j->cap ? j->cap : 256;
		char *b;

		while (nc < *len + n)
			nc *= 2;
		if ((b = realloc(j->buf, nc)) == NULL)
			return false;
		j->buf = b;
		j->cap = nc;
	}
	memcpy(j->buf + *len, s, n);
	*len += n;
	return true;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* The escape at p (its backslash) appended to the buffer; returns the
 * bytes it took, 0 on error (reason set). */
static size_t unescape(struct jp *j, const char *p, size_t *len)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *one;
	char u[4];
	long c;
	int hi, lo;
	size_t took = 6;

	if (j->e - p < 2)
		return fail(j, p, "premature end of input in a string"), 0;
	/* the one-character escapes, and what each stands for */
	if ((one = memchr(from, p[1], sizeof(from) - 1)) != NULL)
		return put(j, len, to + (one - from), 1)
			       ? 2
			       : (fail(j, p, "out of memory"), 0);
	if (p[1] != 'u')
		return fail(j, p, "invalid escape"), 0;
	if (j->e - p < 6 || (hi = hex4(p + 2)) < 0)
		return fail(j, p, "invalid \\u escape"), 0;
	c = hi;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		/* a high surrogate needs its low half next */
		if (j->e - p < 12 || p[6] != '\\' || p[7] != 'u' ||
		    (lo = hex4(p + 8)) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return fail(j, p, "invalid Unicode surrogate"), 0;
		c = 0x10000 + ((long)(hi - 0xd800) << 10) + (lo - 0xdc00);
		took = 12;
	} else if (hi >= 0xdc00 && hi <= 0xdfff) {
		return fail(j, p, "invalid Unicode surrogate"), 0;
	} else if (hi == 0) {
		return fail(j, p, "\\u0000 is not allowed"), 0;
	}
	if (c < 0x80) {
		u[0] = (char)c;
		hi = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		hi = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		hi = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		hi = 4;
	}
	if (!put(j, len, u, (size_t)hi))
		return fail(j, p, "out of memory"), 0;
	return took;
}

/* The string whose opening quote is at j->p: *s, *n are its value, in
 * place when it has no escape, else in j->buf (valid until the next
 * string); *copied says which. */
static bool string(struct jp *j, const char **s, size_t *n, bool *copied)
{
	const char *q = ++j->p, *r = q, *e = j->e;
	size_t len = 0;

	*copied = false;
	for (;;) {
		unsigned char c;
		size_t k;

		while (e - r >= 8) {
			uint64_t w, m;

			memcpy(&w, r, 8);
			if ((m = special(w)) != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				/* straight to the first byte that is not
				 * plain (the lowest of the word) */
				r += __builtin_ctzll(m) >> 3;
#endif
				break;
			}
			r += 8;
		}
		if (r >= e)
			return fail(j, r, "premature end of input in a string");
		c = (unsigned char)*r;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j, r, "control character in a string");
		if (c >= 0x80) {
			if ((k = ky_utf8_seq((const unsigned char *)r,
					     (size_t)(e - r))) == 0)
				return fail(j, r, "invalid UTF-8 in a string");
			r += k;
			continue;
		}
		if (c != '\\') {
			r++;
			continue;
		}
		/* an escape: from here on the value is built in j->buf */
		*copied = true;
		if (!put(j, &len, q, (size_t)(r - q)))
			return fail(j, r, "out of memory");
		if ((k = unescape(j, r, &len)) == 0)
			return false;
		r += k;
		q = r;
	}
	if (*copied) {
		if (!put(j, &len, q, (size_t)(r - q)))
			return fail(j, r, "out of memory");
		*s = j->buf;
		*n = len;
	} else {
		*s = q;
		*n = (size_t)(r - q);
	}
	j->p = r + 1;
	return true;
}

static inline bool digit(const struct jp *j, const char *p)
{
	return p < j->e && *p >= '0' && *p <= '9';
}

static json_t *number(struct jp *j)
{
	const char *q = j->p, *p = j->p;
	char tmp[64], *t = tmp;
	bool real = false;
	json_t *v;
	size_t n;

	if (*p == '-')
		p++;
	if (!digit(j, p))
		return fail(j, q, "invalid number");
	if (*p == '0')
		p++;
	else
		while (digit(j, p))
			p++;
	if (p < j->e && *p == '.') {
		real = true;
		if (!digit(j, ++p))
			return fail(j, q, "invalid number");
		while (digit(j, p))
			p++;
	}
	if (p < j->e && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < j->e && (*p == '+' || *p == '-'))
			p++;
		if (!digit(j, p))
			return fail(j, q, "invalid number");
		while (digit(j, p))
			p++;
	}
	n = (size_t)(p - q);
	if (n >= sizeof(tmp) && (t = malloc(n + 1)) == NULL)
		return fail(j, q, "out of memory");
	memcpy(t, q, n);
	t[n] = '\0';
	errno = 0;
	if (!real) {
		long long i = strtoll(t, NULL, 10);

		v = errno == ERANGE ? fail(j, q,
					   i < 0 ? "too big negative integer"
						 : "too big integer")
				    : json_integer(i);
	} else {
		double d = strtod(t, NULL);

		v = errno == ERANGE && isinf(d)
			    ? fail(j, q, "real number overflow")
			    : json_real(d);
	}
	if (t != tmp)
		free(t);
	if (v == NULL)
		return fail(j, q, "out of memory");
	j->p = p;
	return v;
}

static json_t *literal(struct jp *j, const char *w, size_t n, json_t *v)
{
	if ((size_t)(j->e - j->p) < n || memcmp(j->p, w, n) != 0)
		return fail(j, j->p, "invalid token");
	j->p += n;
	return v;
}

/* After an element or a member: a ',' (1: another follows), the closing
 * byte (0: the container ends), or an error (-1). */
static int after_item(struct jp *j, char close)
{
	skip_ws(j);
	if (j->p < j->e && *j->p == ',') {
		j->p++;
		skip_ws(j);
		return 1;
	}
	if (j->p < j->e && *j->p == close) {
		j->p++;
		return 0;
	}
	fail(j, j->p, close == ']' ? "']' expected" : "'}' expected");
	return -1;
}

static json_t *array(struct jp *j)
{
	json_t *a = json_array(), *v;
	int more;

	if (a == NULL)
		return fail(j, j->p, "out of memory");
	j->p++;
	skip_ws(j);
	if (j->p < j->e && *j->p == ']') {
		j->p++;
		return a;
	}
	for (;;) {
		if ((v = value(j)) == NULL || json_array_append_new(a, v) != 0)
			goto err;
		if ((more = after_item(j, ']')) == 0)
			return a;
		if (more < 0)
			goto err;
	}
err:
	fail(j, j->p, "out of memory");
	json_decref(a);
	return NULL;
}

static json_t *object(struct jp *j)
{
	json_t *o = json_object(), *v;
	const char *k;
	char *kcopy = NULL;
	size_t kn;
	bool copied;
	int more;

	if (o == NULL)
		return fail(j, j->p, "out of memory");
	j->p++;
	skip_ws(j);
	if (j->p < j->e && *j->p == '}') {
		j->p++;
		return o;
	}
	for (;;) {
		const char *kat = j->p;

		if (j->p >= j->e || *j->p != '"') {
			fail(j, j->p, "string or '}' expected");
			goto err;
		}
		if (!string(j, &k, &kn, &copied))
			goto err;
		if (copied) {
			/* the value's strings reuse the buffer */
			if ((kcopy = malloc(kn ? kn : 1)) == NULL) {
				fail(j, kat, "out of memory");
				goto err;
			}
			memcpy(kcopy, k, kn);
			k = kcopy;
		}
		skip_ws(j);
		if (j->p >= j->e || *j->p != ':') {
			fail(j, j->p, "':' expected");
			goto err;
		}
		j->p++;
		skip_ws(j);
		if ((v = value(j)) == NULL)
			goto err;
		if ((j->flags & KY_JT_REJECT_DUPLICATES) &&
		    json_object_getn(o, k, kn) != NULL) {
			json_decref(v);
			fail(j, kat, "duplicate object key");
			goto err;
		}
		if (json_object_setn_new_nocheck(o, k, kn, v) != 0) {
			fail(j, kat, "out of memory");
			goto err;
		}
		free(kcopy);
		kcopy = NULL;
		if ((more = after_item(j, '}')) == 0)
			return o;
		if (more < 0)
			goto err;
	}
err:
	free(kcopy);
	json_decref(o);
	return NULL;
}

/* One value at j->p (no white space before it). */
static json_t *value(struct jp *j)
{
	const char *s;
	size_t n;
	bool copied;
	json_t *v;

	/* as jansson, every value counts, scalars too */
	if (++j->depth > KY_JT_MAX_DEPTH)
		return fail(j, j->p, "maximum parsing depth reached");
	if (j->p >= j->e)
		return fail(j, j->p, "premature end of input");
	switch (*j->p) {
	case '{':
		v = object(j);
		break;
	case '[':
		v = array(j);
		break;
	case '"':
		v = string(j, &s, &n, &copied) ? json_stringn_nocheck(s, n)
					       : NULL;
		if (v == NULL)
			fail(j, j->p, "out of memory");
		break;
	case 't':
		v = literal(j, "true", 4, json_true());
		break;
	case 'f':
		v = literal(j, "false", 5, json_false());
		break;
	case 'n':
		v = literal(j, "null", 4, json_null());
		break;
	default:
		v = *j->p == '-' || (*j->p >= '0' && *j->p <= '9')
			    ? number(j)
			    : fail(j, j->p, "invalid token");
		break;
	}
	j->depth--;
	return v;
}

json_t *ky_json_tree(const char *p, size_t n, unsigned flags, size_t *at,
		     const char **why)
{
	struct jp j = {.p = p, .e = p + n, .flags = flags};
	json_t *v = NULL;

	skip_ws(&j);
	if (j.p >= j.e || (*j.p != '{' && *j.p != '['))
		fail(&j, j.p, "'[' or '{' expected");
	else if ((v = value(&j)) != NULL) {
		skip_ws(&j);
		if (j.p < j.e) {
			fail(&j, j.p, "end of file expected");
			json_decref(v);
			v = NULL;
		}
	}
	free(j.buf);
	if (v == NULL) {
		if (at != NULL)
			*at = (size_t)(j.at - p);
		if (why != NULL)
			*why = j.why ? j.why : "out of memory";
	}
	return v;
}
