/* Hot-path JSON scanner: flattens one JSON value straight into a struct
 * ky_event (dotted and bracketed paths) without building a tree, strictly per
 * RFC 8259.  Design, limits and measured speed: docs/internals/json-scanner.md
 */
#include "event/json.h"
#include "event/json_int.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Containers nested deeper than this use a malloc'd stack (rare, and cold). */
#define STACK_LOCAL 128
/* Path scratch on the C stack; longer paths move to the arena. */
#define PATH_LOCAL 512
/* Float literals up to this length are copied to the C stack for strtod. */
#define NUM_LOCAL 64
/* Arena chunk from which field paths are cut. */
#define PATH_CHUNK 256

struct frame {
	uint32_t plen; /* length of the container's own path (the prefix) */
	uint32_t idx;  /* index of the current array element */
	bool arr;
};

struct scan {
	const uint8_t *base; /* offsets in messages are from here */
	const uint8_t *end;
	struct ky_event *ev; /* NULL when only validating */
	struct ky_err *err;
	unsigned max_depth;
	char *pb; /* path scratch: prefix of the current member */
	size_t pcap;
	char *chunk; /* arena space for path copies */
	size_t chunk_left;
	struct frame *st;
	size_t stcap;
	bool st_heap;
};

static __attribute__((cold, noinline, format(printf, 4, 5))) int
fail(const struct scan *s, const uint8_t *at, int status, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ky_err_set(s->err, status, "offset %zu: %s",
			  (size_t)(at - s->base), msg);
}

/* Names an offending byte readably in a message. */
static __attribute__((cold)) const char *byte_name(uint8_t c, char *buf,
						   size_t n)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

static __attribute__((cold, noinline)) int
fail_char(const struct scan *s, const uint8_t *at, const char *what)
{
	char b[16];

	if (at >= s->end)
		return fail(s, at, KY_E_PARSE, "unexpected end of input%s%s",
			    *what ? ", " : "", what);
	return fail(s, at, KY_E_PARSE, "unexpected %s%s%s",
		    byte_name(*at, b, sizeof(b)), *what ? ", " : "", what);
}

static ALWAYS_INLINE const uint8_t *skip_ws(const uint8_t *p,
					    const uint8_t *end)
{
	while (p < end && *p <= ' ' &&
	       (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static ALWAYS_INLINE bool is_digit(uint8_t c)
{
	return (uint8_t)(c - '0') < 10;
}

static int hexval(uint8_t c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Four hex digits at p (caller checked the length) or -1. */
static long hex4(const uint8_t *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF) starting with the byte >= 0x80 at p, or
 * 0 when it is malformed or cut off by end. */
static size_t utf8_len(const uint8_t *p, const uint8_t *end)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		return (end - p >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Offset of the first byte in 16 (SSE2) or 8 (SWAR) at p that is '"', '\\',
 * a control character or non-ASCII; the block size when there is none. */
#if defined(__SSE2__)
#define BLOCK 16
static ALWAYS_INLINE unsigned first_special(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
				 _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	/* signed compare: catches 0x00-0x1f and 0x80-0xff at once */
	m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
	unsigned bits = (unsigned)_mm_movemask_epi8(m);
	return bits ? (unsigned)__builtin_ctz(bits) : BLOCK;
}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BLOCK 8
static ALWAYS_INLINE unsigned first_special(const uint8_t *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t x, q, b, m;

	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	/* Borrows only start at a true match, so the lowest flag is exact. */
	m = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) |
	    x;
	m &= high;
	return m ? (unsigned)__builtin_ctzll(m) / 8 : BLOCK;
}
#else
#define BLOCK 0
#endif

/* Checks the escape at p (the backslash) and returns its end, or NULL with
 * err set.  A high surrogate must be followed by an escaped low one. */
static const uint8_t *check_escape(const struct scan *s, const uint8_t *p,
				   const uint8_t *end)
{
	char b[16];
	long cp, lo;

	if (end - p < 2)
		goto eof;
	switch (p[1]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return p + 2;
	case 'u':
		break;
	default:
		fail(s, p, KY_E_PARSE, "invalid escape '\\%s'",
		     p[1] > 0x20 && p[1] < 0x7f
			     ? (b[0] = (char)p[1], b[1] = 0, b)
			     : byte_name(p[1], b, sizeof(b)));
		return NULL;
	}
	if (end - p < 6)
		goto eof;
	if ((cp = hex4(p + 2)) < 0)
		goto bad_u;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		goto lone;
	if (cp < 0xd800 || cp > 0xdbff)
		return p + 6;
	if (end - p < 12) {
		/* a cut-off pair is truncation, anything else a lone half */
		if (end - p == 6 ||
		    (p[6] == '\\' && (end - p == 7 || p[7] == 'u')))
			goto eof;
		goto lone;
	}
	if (p[6] != '\\' || p[7] != 'u')
		goto lone;
	if ((lo = hex4(p + 8)) < 0) {
		p += 6;
		goto bad_u;
	}
	if (lo < 0xdc00 || lo > 0xdfff)
		goto lone;
	return p + 12;
eof:
	fail(s, end, KY_E_PARSE, "unexpected end of input in string");
	return NULL;
bad_u:
	fail(s, p, KY_E_PARSE, "invalid \\u escape (need 4 hex digits)");
	return NULL;
lone:
	fail(s, p, KY_E_PARSE, "lone surrogate \\u%.4s", (const char *)p + 2);
	return NULL;
}

/* Scans a string body from p (after the opening quote) up to the first
 * unescaped '"' or end, validating UTF-8, control characters and escapes.
 * Returns where it stopped (the quote, or end), or NULL with err set. */
static ALWAYS_INLINE const uint8_t *
scan_body(const struct scan *s, const uint8_t *p, const uint8_t *end, bool *esc)
{
	for (;;) {
#if BLOCK > 0
		while (LIKELY(end - p >= BLOCK)) {
			unsigned k = first_special(p);
			p += k;
			if (k < BLOCK)
				goto special;
		}
#endif
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		       *p != '\\')
			p++;
		if (p >= end)
			return p;
	special:
		if (*p == '"')
			return p;
		if (*p == '\\') {
			*esc = true;
			if (!(p = check_escape(s, p, end)))
				return NULL;
		} else if (*p < 0x20) {
			fail(s, p, KY_E_PARSE,
			     "control character 0x%02x in string", *p);
			return NULL;
		} else {
			size_t n = utf8_len(p, end);
			if (!n) {
				fail(s, p, KY_E_PARSE, "invalid UTF-8");
				return NULL;
			}
			p += n;
		}
	}
}

/* The closing quote of the string whose body starts at p, or NULL. */
static ALWAYS_INLINE const uint8_t *scan_string(const struct scan *s,
						const uint8_t *p, bool *esc)
{
	const uint8_t *q = scan_body(s, p, s->end, esc);

	if (q && UNLIKELY(q >= s->end)) {
		fail(s, q, KY_E_PARSE, "unexpected end of input in string");
		return NULL;
	}
	return q;
}

static size_t utf8_put(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes a body already checked by scan_body; the output never grows. */
static size_t unescape_valid(const uint8_t *p, size_t n, char *out)
{
	const uint8_t *end = p + n;
	char *o = out;

	while (p < end) {
		const uint8_t *bs = memchr(p, '\\', (size_t)(end - p));
		size_t run = (size_t)((bs ? bs : end) - p);
		unsigned long cp;

		memcpy(o, p, run);
		o += run;
		p += run;
		if (!bs)
			break;
		switch (p[1]) {
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			cp = (unsigned long)hex4(p + 2);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     ((unsigned long)hex4(p + 8) - 0xdc00);
				p += 6;
			}
			o += utf8_put(o, cp);
			p += 4;
			break;
		default: /* '"', '\\', '/' */
			*o++ = (char)p[1];
			break;
		}
		p += 2;
	}
	return (size_t)(o - out);
}

long ky_json_unescape(const char *s, size_t n, char *out)
{
	struct scan sc = {.base = (const uint8_t *)s,
			  .end = (const uint8_t *)s + n};
	const uint8_t *q;
	bool esc = false;

	q = scan_body(&sc, sc.base, sc.end, &esc);
	if (!q || q != sc.end)
		return KY_E_PARSE;
	if (!esc) {
		memcpy(out, s, n);
		return (long)n;
	}
	return (long)unescape_valid(sc.base, n, out);
}

struct num {
	uint64_t m; /* integer part, valid when nd <= 19 */
	int nd;	    /* digits in the integer part */
	bool neg, flt;
};

/* Checks the number at p against the grammar and returns its end, or NULL
 * with *r set; n describes it for number_value. */
static ALWAYS_INLINE const uint8_t *
scan_number(const struct scan *s, const uint8_t *p, struct num *n, int *r)
{
	const uint8_t *end = s->end;

	n->m = 0;
	n->nd = 0;
	n->neg = n->flt = false;
	if (*p == '-') {
		n->neg = true;
		p++;
	}
	if (UNLIKELY(p >= end || !is_digit(*p))) {
		*r = fail_char(s, p, "expected a digit");
		return NULL;
	}
	if (*p == '0') {
		p++;
		n->nd = 1;
		if (UNLIKELY(p < end && is_digit(*p))) {
			*r = fail(s, p - 1, KY_E_PARSE,
				  "leading zero in number");
			return NULL;
		}
	} else {
		/* 19 digits always fit uint64; more cannot fit int64 */
		for (; p < end && is_digit(*p); p++, n->nd++)
			if (n->nd < 19)
				n->m = n->m * 10 + (uint64_t)(*p - '0');
	}
	if (p < end && *p == '.') {
		p++;
		if (UNLIKELY(p >= end || !is_digit(*p))) {
			*r = fail_char(s, p, "expected a digit after '.'");
			return NULL;
		}
		while (p < end && is_digit(*p))
			p++;
		n->flt = true;
	}
	if (p < end && (*p | 0x20) == 'e') {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (UNLIKELY(p >= end || !is_digit(*p))) {
			*r = fail_char(s, p, "expected a digit in exponent");
			return NULL;
		}
		while (p < end && is_digit(*p))
			p++;
		n->flt = true;
	}
	return p;
}

static ALWAYS_INLINE bool num_is_int(const struct num *n)
{
	return !n->flt && n->nd <= 19 &&
	       n->m <= (uint64_t)INT64_MAX + (n->neg ? 1u : 0u);
}

/* memcpy for the short strings of paths and keys: a libc call costs more
 * than the copy itself at these sizes.  Overlapping word moves cover every
 * length from 1 to 16 in at most two loads and two stores, reading no byte
 * outside s[0..n). */
static ALWAYS_INLINE void copy_small(char *d, const void *src, size_t n)
{
	const char *s = src;
	uint64_t a, b;
	uint32_t x, y;

	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* Copies a scratch path to the arena.  Paths need no alignment, so they
 * are cut from small chunks: one arena call per few fields, not per field. */
static ALWAYS_INLINE const char *path_copy(struct scan *s, const char *path,
					   size_t plen)
{
	char *c;

	if (UNLIKELY(s->chunk_left < plen + 1)) {
		size_t n = plen + 1 > PATH_CHUNK ? plen + 1 : PATH_CHUNK;
		if (!(s->chunk = ky_arena_alloc(s->ev->arena, n)))
			return NULL;
		s->chunk_left = n;
	}
	c = s->chunk;
	copy_small(c, path, plen);
	c[plen] = 0;
	s->chunk += plen + 1;
	s->chunk_left -= plen + 1;
	return c;
}

/* Appends a field, filling the preallocated array directly while it has
 * room (ky_event_add handles growth and the limit).  Returns the field or
 * NULL with *r set. */
static ALWAYS_INLINE struct ky_field *
add_field(struct scan *s, const uint8_t *at, const char *path, size_t plen,
	  enum ky_vtype t, const char *str, size_t len, int *r)
{
	struct ky_event *ev = s->ev;
	struct ky_field *f;

	if (path == s->pb && UNLIKELY(!(path = path_copy(s, path, plen)))) {
		*r = fail(s, at, KY_E_NOMEM, "out of memory");
		return NULL;
	}
	if (LIKELY(ev->nfields < ev->cap && ev->nfields < ev->max_fields &&
		   (plen | len) <= UINT32_MAX)) {
		f = &ev->fields[ev->nfields++];
		f->path = path;
		f->path_len = (uint32_t)plen;
		f->type = (uint8_t)t;
		f->flags = 0;
		f->str = str;
		f->str_len = (uint32_t)len;
		f->v.i = 0;
		return f;
	}
	if ((*r = ky_event_add(ev, path, plen, t, str, len)) != 0) {
		if (*r == KY_E_TOOBIG && ev->nfields >= ev->max_fields)
			fail(s, at, *r, "more than %u fields",
			     (unsigned)ev->max_fields);
		else
			fail(s, at, *r, "cannot add field: %s",
			     ky_strerror(*r));
		return NULL;
	}
	return &ev->fields[ev->nfields - 1];
}

/* Moves the path scratch to a larger arena block. */
static __attribute__((noinline)) int path_grow(struct scan *s, size_t need)
{
	size_t cap = s->pcap * 2;
	char *n;

	while (cap < need)
		cap *= 2;
	if (!(n = ky_arena_alloc(s->ev->arena, cap)))
		return KY_E_NOMEM;
	memcpy(n, s->pb, s->pcap);
	s->pb = n;
	s->pcap = cap;
	return 0;
}

static ALWAYS_INLINE int path_reserve(struct scan *s, size_t need)
{
	return LIKELY(need <= s->pcap) ? 0 : path_grow(s, need);
}

static int stack_grow(struct scan *s)
{
	size_t cap = s->stcap * 2;
	struct frame *n;

	if (s->st_heap) {
		n = realloc(s->st, cap * sizeof(*n));
	} else {
		n = malloc(cap * sizeof(*n));
		if (n)
			memcpy(n, s->st, s->stcap * sizeof(*n));
	}
	if (!n)
		return KY_E_NOMEM;
	s->st = n;
	s->stcap = cap;
	s->st_heap = true;
	return 0;
}

/* Writes "<prefix>[idx]" to the scratch; returns the length or < 0. */
static long index_path(struct scan *s, const struct frame *f)
{
	char d[12];
	size_t nd = 0, len = f->plen;
	uint32_t v = f->idx;

	do {
		d[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (path_reserve(s, len + nd + 2) != 0)
		return KY_E_NOMEM;
	s->pb[len++] = '[';
	while (nd)
		s->pb[len++] = d[--nd];
	s->pb[len++] = ']';
	return (long)len;
}

/* The scanner proper: an explicit stack instead of recursion so that any
 * max_depth is safe.  emit is a constant at both call sites, giving a
 * validating copy without any of the path and field work. */
static ALWAYS_INLINE int parse(struct scan *s, const uint8_t *p, const int emit)
{
	const uint8_t *end = s->end, *q;
	const char *path = ""; /* path of the value being scanned */
	size_t plen = 0, depth = 0;
	struct frame *f = NULL;
	struct ky_field *fld;
	struct num num;
	bool esc;
	int r = 0;

	p = skip_ws(p, end);
value:
	if (UNLIKELY(p >= end)) {
		r = fail_char(s, p, "expected a value");
		goto out;
	}
	switch (*p) {
	case '"':
		esc = false;
		if (!(q = scan_string(s, p + 1, &esc))) {
			r = KY_E_PARSE;
			goto out;
		}
		if (emit) {
			const char *str = (const char *)p + 1;
			size_t len = (size_t)(q - p - 1);
			if (UNLIKELY(esc)) {
				char *o = ky_arena_alloc(s->ev->arena, len + 1);
				if (!o) {
					r = fail(s, p, KY_E_NOMEM,
						 "out of memory");
					goto out;
				}
				len = unescape_valid(p + 1, len, o);
				o[len] = 0;
				str = o;
			}
			if (!add_field(s, p, path, plen, KY_V_STR, str, len,
				       &r))
				goto out;
		}
		p = q + 1;
		break;
	case '{':
	case '[':
		if (UNLIKELY(++depth > s->max_depth)) {
			r = fail(s, p, KY_E_TOOBIG, "nesting deeper than %u",
				 s->max_depth);
			goto out;
		}
		if (UNLIKELY(depth > s->stcap) && stack_grow(s) != 0) {
			r = fail(s, p, KY_E_NOMEM, "out of memory");
			goto out;
		}
		f = &s->st[depth - 1];
		f->arr = *p == '[';
		f->idx = 0;
		if (emit) {
			if (path != s->pb) {
				/* a zero-copy top-level key becomes a prefix */
				if (path_reserve(s, plen + 1) != 0) {
					r = fail(s, p, KY_E_NOMEM,
						 "out of memory");
					goto out;
				}
				copy_small(s->pb, path, plen);
			}
			f->plen = (uint32_t)plen;
		}
		p = skip_ws(p + 1, end);
		if (p < end && *p == (f->arr ? ']' : '}')) {
			p++;
			depth--;
			break;
		}
		if (!f->arr)
			goto key;
		goto element;
	case 't':
	case 'f':
	case 'n': {
		static const char *const lit[] = {"true", "false", "null"};
		int k = *p == 't' ? 0 : *p == 'f' ? 1 : 2;
		size_t n = k == 1 ? 5 : 4;
		if (UNLIKELY((size_t)(end - p) < n ||
			     memcmp(p, lit[k], n) != 0)) {
			r = fail(s, p, KY_E_PARSE, "invalid literal");
			goto out;
		}
		if (emit) {
			if (!(fld = add_field(s, p, path, plen,
					      k == 2 ? KY_V_NULL : KY_V_BOOL,
					      (const char *)p, n, &r)))
				goto out;
			fld->v.b = k == 0;
		}
		p += n;
		break;
	}
	default:
		if (UNLIKELY(*p != '-' && !is_digit(*p))) {
			r = fail_char(s, p, "expected a value");
			goto out;
		}
		if (!(q = scan_number(s, p, &num, &r)))
			goto out;
		if (emit) {
			bool isint = num_is_int(&num);
			if (!(fld = add_field(s, p, path, plen,
					      isint ? KY_V_INT : KY_V_FLOAT,
					      (const char *)p, (size_t)(q - p),
					      &r)))
				goto out;
			if (isint) {
				fld->v.i = num.neg ? (int64_t)(0 - num.m)
						   : (int64_t)num.m;
			} else if ((r = ky__json_double(s->ev->arena, p,
							(size_t)(q - p),
							&fld->v.f)) != 0) {
				fail(s, p, r, "out of memory");
				goto out;
			}
		}
		p = q;
		break;
	}
next: /* a value is complete */
	if (depth == 0)
		goto done;
	f = &s->st[depth - 1];
	/* Compact JSON, the usual log line: ',' then the next key at once. */
	if (LIKELY(end - p > 1 && p[0] == ',' && p[1] == '"' && !f->arr)) {
		p++;
		goto key;
	}
	p = skip_ws(p, end);
	if (UNLIKELY(p >= end)) {
		r = fail_char(s, p,
			      f->arr ? "expected ',' or ']'"
				     : "expected ',' or '}'");
		goto out;
	}
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (UNLIKELY(p < end && *p == (f->arr ? ']' : '}'))) {
			r = fail(s, p, KY_E_PARSE, "trailing comma");
			goto out;
		}
		if (!f->arr)
			goto key;
		f->idx++;
		goto element;
	}
	if (*p == (f->arr ? ']' : '}')) {
		p++;
		depth--;
		goto next;
	}
	r = fail_char(s, p,
		      f->arr ? "expected ',' or ']'" : "expected ',' or '}'");
	goto out;
element:
	if (emit) {
		long n = index_path(s, f);
		if (n < 0) {
			r = fail(s, p, KY_E_NOMEM, "out of memory");
			goto out;
		}
		path = s->pb;
		plen = (size_t)n;
	}
	goto value;
key:
	if (UNLIKELY(p >= end || *p != '"')) {
		r = fail_char(s, p, "expected a string key");
		goto out;
	}
	esc = false;
	if (!(q = scan_string(s, p + 1, &esc))) {
		r = KY_E_PARSE;
		goto out;
	}
	if (emit) {
		size_t klen = (size_t)(q - p - 1);
		if (depth == 1 && !esc) {
			path = (const char *)p + 1; /* zero copy */
			plen = klen;
		} else if (depth == 1) {
			char *o = ky_arena_alloc(s->ev->arena, klen + 1);
			if (!o) {
				r = fail(s, p, KY_E_NOMEM, "out of memory");
				goto out;
			}
			plen = unescape_valid(p + 1, klen, o);
			o[plen] = 0;
			path = o;
		} else {
			size_t at = f->plen;
			if (path_reserve(s, at + 1 + klen) != 0) {
				r = fail(s, p, KY_E_NOMEM, "out of memory");
				goto out;
			}
			s->pb[at++] = '.';
			if (esc) {
				at += unescape_valid(p + 1, klen, s->pb + at);
			} else {
				copy_small(s->pb + at, p + 1, klen);
				at += klen;
			}
			path = s->pb;
			plen = at;
		}
	}
	/* Compact JSON: '"key":' and the value's first byte right after. */
	if (LIKELY(end - q > 2 && q[1] == ':' && q[2] > ' ')) {
		p = q + 2;
		goto value;
	}
	p = skip_ws(q + 1, end);
	if (UNLIKELY(p >= end || *p != ':')) {
		r = fail_char(s, p, "expected ':' after key");
		goto out;
	}
	p = skip_ws(p + 1, end);
	goto value;
done:
	p = skip_ws(p, end);
	if (UNLIKELY(p < end))
		r = fail(s, p, KY_E_PARSE, "trailing characters after value");
out:
	return r;
}

static int parse_emit(struct scan *s)
{
	return parse(s, s->base, 1);
}

static int parse_validate(struct scan *s)
{
	return parse(s, s->base, 0);
}

int ky_json_to_event(const char *p, size_t n, struct ky_event *ev,
		     unsigned max_depth, struct ky_err *err)
{
	struct frame st[STACK_LOCAL];
	char pb[PATH_LOCAL];
	struct scan s = {.base = (const uint8_t *)p,
			 .end = (const uint8_t *)p + n,
			 .ev = ev,
			 .err = err,
			 .max_depth = max_depth,
			 .pb = pb,
			 .pcap = sizeof(pb),
			 .st = st,
			 .stcap = STACK_LOCAL};
	int r;

	if (!ev || !ev->arena || (!p && n))
		return ky_err_set(err, KY_E_INVAL, "json: no event or arena");
	r = parse_emit(&s);
	if (s.st_heap)
		free(s.st);
	return r;
}

int ky_json_validate(const char *p, size_t n, unsigned max_depth,
		     struct ky_err *err)
{
	struct frame st[STACK_LOCAL];
	struct scan s = {.base = (const uint8_t *)p,
			 .end = (const uint8_t *)p + n,
			 .err = err,
			 .max_depth = max_depth,
			 .st = st,
			 .stcap = STACK_LOCAL};
	int r;

	if (!p && n)
		return ky_err_set(err, KY_E_INVAL, "json: no input");
	r = parse_validate(&s);
	if (s.st_heap)
		free(s.st);
	return r;
}

long ky_json_value_len(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	size_t depth = 0;

	p = skip_ws(p, end);
	if (p >= end)
		return 0;
	if (!*p || (!strchr("{[\"-tfn", *p) && !is_digit(*p)))
		return KY_E_PARSE;
	if (*p != '{' && *p != '[' && *p != '"') {
		/* a bare scalar ends at the first byte that cannot extend it */
		while (p < end &&
		       (is_digit(*p) || (*p >= 'a' && *p <= 'z') || *p == '-' ||
			*p == '+' || *p == '.' || *p == 'E'))
			p++;
		return p < end ? (long)(p - (const uint8_t *)s) : KY_E_AGAIN;
	}
	for (; p < end; p++) {
		switch (*p) {
		case '"':
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return KY_E_AGAIN;
			if (depth == 0)
				return (long)(p + 1 - (const uint8_t *)s);
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return KY_E_PARSE;
			if (--depth == 0)
				return (long)(p + 1 - (const uint8_t *)s);
			break;
		default:
			break;
		}
	}
	return KY_E_AGAIN;
}
