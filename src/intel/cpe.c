/* CPE names: the 2.3 formatted string and 2.2 URI bindings (NISTIR 7695)
 * parsed into well-formed names with unescaped, lower-case literals, and
 * the name matching relations of NISTIR 7696.  See docs/identifiers.md. */
#include "intel/version.h"

#include <string.h>
#include <strings.h>

#include "base/arena.h"

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* Builds one attribute: literal bytes go to out, wildcards to the flags;
 * NISTIR 7695 5.3.2 allows wildcards only at either end of a value. */
struct abuild {
	struct ky_cpe_attr *at;
	char *out;
	size_t pos;
	bool lit;  /* a literal byte was seen */
	bool tail; /* a trailing wildcard was seen */
};

static void ab_start(struct abuild *b, struct ky_cpe_attr *at)
{
	memset(at, 0, sizeof *at);
	at->off = (uint16_t)b->pos;
	at->kind = KY_CPE_VALUE;
	b->at = at;
	b->lit = false;
	b->tail = false;
}

static int ab_lit(struct abuild *b, unsigned char c, size_t off,
		  struct ky_err *err)
{
	if (b->tail)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: unquoted wildcard inside a "
				  "value",
				  off);
	b->out[b->pos++] = (char)lower(c);
	b->lit = true;
	return 0;
}

static int ab_wild(struct abuild *b, char w, size_t off, struct ky_err *err)
{
	struct ky_cpe_attr *at = b->at;

	at->kind = KY_CPE_WILD;
	if (!b->lit) {
		if (w == '*' && at->q_begin == 0 &&
		    !(at->flags & KY_CPE_STAR_BEGIN)) {
			at->flags |= KY_CPE_STAR_BEGIN;
			return 0;
		}
		if (w == '?' && !(at->flags & KY_CPE_STAR_BEGIN) &&
		    at->q_begin < 255) {
			at->q_begin++;
			return 0;
		}
	} else {
		b->tail = true;
		if (w == '*' && at->q_end == 0 &&
		    !(at->flags & KY_CPE_STAR_END)) {
			at->flags |= KY_CPE_STAR_END;
			return 0;
		}
		if (w == '?' && !(at->flags & KY_CPE_STAR_END) &&
		    at->q_end < 255) {
			at->q_end++;
			return 0;
		}
	}
	return ky_err_set(err, KY_E_PARSE,
			  "offset %zu: wildcard '%c' not allowed here", off, w);
}

static void ab_end(struct abuild *b)
{
	b->at->len = (uint16_t)(b->pos - b->at->off);
	b->out[b->pos++] = '\0';
}

static void ab_special(struct abuild *b, struct ky_cpe_attr *at,
		       enum ky_cpe_kind k)
{
	ab_start(b, at);
	at->kind = (uint8_t)k;
	ab_end(b);
}

/* One attribute of the formatted string, s[i..e). */
static int fs_attr(const char *s, size_t i, size_t e, struct abuild *b,
		   struct ky_cpe_attr *at, struct ky_err *err)
{
	int r = 0;

	if (e == i)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: empty attribute (use * or -)",
				  i);
	if (e - i == 1 && (s[i] == '*' || s[i] == '-')) {
		ab_special(b, at, s[i] == '*' ? KY_CPE_ANY : KY_CPE_NA);
		return 0;
	}
	ab_start(b, at);
	for (; i < e && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (i + 1 >= e)
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: '\\' at the end "
						  "of an attribute",
						  i);
			c = (unsigned char)s[++i];
			if (c < 0x21 || c > 0x7e)
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: bad escape", i);
			r = ab_lit(b, c, i, err);
		} else if (c == '*' || c == '?') {
			r = ab_wild(b, (char)c, i, err);
		} else if (c < 0x21 || c > 0x7e) {
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: byte 0x%02x not "
					  "allowed (printable ASCII only)",
					  i, c);
		} else {
			r = ab_lit(b, c, i, err);
		}
	}
	if (r == 0)
		ab_end(b);
	return r;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One component of a 2.2 URI, s[i..e): empty is ANY, "-" NA, %01 and %02
 * the '?' and '*' wildcards (NISTIR 7695 6.1.3.2 decode). */
static int uri_attr(const char *s, size_t i, size_t e, struct abuild *b,
		    struct ky_cpe_attr *at, struct ky_err *err)
{
	int r = 0;

	if (e == i || (e - i == 1 && s[i] == '-')) {
		ab_special(b, at, e == i ? KY_CPE_ANY : KY_CPE_NA);
		return 0;
	}
	ab_start(b, at);
	for (; i < e && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int h = i + 2 < e ? hexval((unsigned char)s[i + 1])
					  : -1;
			int l = i + 2 < e ? hexval((unsigned char)s[i + 2])
					  : -1;
			int v = h * 16 + l;

			if (h < 0 || l < 0 || v == 0 || v > 0x7e ||
			    (v > 2 && v < 0x21))
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: bad percent "
						  "escape",
						  i);
			if (v == 1 || v == 2)
				r = ab_wild(b, v == 1 ? '?' : '*', i, err);
			else
				r = ab_lit(b, (unsigned char)v, i, err);
			i += 2;
		} else if (c < 0x21 || c > 0x7e || c == '\\' || c == '*' ||
			   c == '?') {
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: byte '%c' (0x%02x) not "
					  "allowed in a CPE URI",
					  i, (c >= 0x21 && c <= 0x7e) ? c : '?',
					  c);
		} else {
			r = ab_lit(b, c, i, err);
		}
	}
	if (r == 0)
		ab_end(b);
	return r;
}

static int parse_fs(const char *s, size_t n, struct abuild *b,
		    struct ky_cpe *out, struct ky_err *err)
{
	size_t i = 8;
	int r = 0;

	for (int f = 0; f < KY_CPE_NFIELDS; f++) {
		size_t e = i;

		while (e < n && s[e] != ':') {
			if (s[e] == '\\' && e + 1 < n)
				e++;
			e++;
		}
		if (e > n)
			e = n;
		if (e >= n && f < KY_CPE_NFIELDS - 1)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: %d attributes, CPE 2.3 "
					  "has 11",
					  n, f + 1);
		if (e < n && f == KY_CPE_NFIELDS - 1)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: more than 11 attributes",
					  e);
		r = fs_attr(s, i, e, b, &out->a[f], err);
		if (r != 0)
			return r;
		i = e + 1;
	}
	return 0;
}

static int parse_uri(const char *s, size_t n, struct abuild *b,
		     struct ky_cpe *out, struct ky_err *err)
{
	size_t i = 5;
	int f = 0, r = 0;

	while (i <= n) {
		const char *c = memchr(s + i, ':', n - i);
		size_t e = c != NULL ? (size_t)(c - s) : n;

		if (f == 7)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: more than 7 components "
					  "in a CPE 2.2 URI",
					  i);
		if (f == KY_CPE_EDITION && e > i && s[i] == '~') {
			/* Packed: ~edition~sw_edition~target_sw~target_hw~
			 * other (NISTIR 7695 6.1.3.3). */
			size_t j = i + 1;

			for (int p = 0; p < 5; p++) {
				const char *t = memchr(s + j, '~', e - j);
				size_t pe = t != NULL ? (size_t)(t - s) : e;
				int fld = p == 0 ? KY_CPE_EDITION
						 : KY_CPE_SW_EDITION + p - 1;

				if ((t == NULL) != (p == 4))
					return ky_err_set(
						err, KY_E_PARSE,
						"offset %zu: packed edition "
						"needs 5 fields",
						j);
				r = uri_attr(s, j, pe, b, &out->a[fld], err);
				if (r != 0)
					return r;
				j = pe + 1;
			}
		} else {
			/* The URI's seven components are the first seven
			 * attributes of the WFN, in order. */
			r = uri_attr(s, i, e, b, &out->a[f], err);
			if (r != 0)
				return r;
		}
		f++;
		i = e + 1;
	}
	return 0;
}

int ky_cpe_parse(const char *str, size_t n, struct ky_arena *a,
		 struct ky_cpe *out, struct ky_err *err)
{
	struct abuild b = {0};
	bool fs;
	int r = 0;

	memset(out, 0, sizeof *out);
	if (n > KY_ID_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "CPE: %zu bytes, more than %d", n, KY_ID_MAX);
	if (n >= 8 && strncasecmp(str, "cpe:2.3:", 8) == 0)
		fs = true;
	else if (n >= 5 && strncasecmp(str, "cpe:/", 5) == 0)
		fs = false;
	else
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: not a CPE name (expected "
				  "\"cpe:2.3:\" or \"cpe:/\")");
	b.out = ky_arena_alloc(a, n + KY_CPE_NFIELDS + 1);
	if (b.out == NULL)
		return ky_err_set(err, KY_E_NOMEM, "CPE: out of memory");
	/* The URI form leaves trailing attributes ANY; fill them first. */
	for (int f = 0; f < KY_CPE_NFIELDS; f++)
		out->a[f].kind = KY_CPE_ANY;
	r = fs ? parse_fs(str, n, &b, out, err)
	       : parse_uri(str, n, &b, out, err);
	if (r != 0)
		goto out;
	if (!fs) {
		/* Attributes the URI did not set point at an empty string. */
		size_t z = b.pos;

		b.out[b.pos++] = '\0';
		for (int f = 0; f < KY_CPE_NFIELDS; f++)
			if (out->a[f].kind == KY_CPE_ANY && out->a[f].len == 0)
				out->a[f].off = (uint16_t)z;
	}
	{
		const struct ky_cpe_attr *p = &out->a[KY_CPE_PART];
		char pc = b.out[p->off];

		if (p->kind == KY_CPE_WILD ||
		    (p->kind == KY_CPE_VALUE &&
		     (p->len != 1 || (pc != 'a' && pc != 'o' && pc != 'h')))) {
			r = ky_err_set(err, KY_E_PARSE,
				       "offset %d: part must be a, o or h",
				       fs ? 8 : 5);
			goto out;
		}
	}
	out->s = b.out;
out:
	if (r != 0)
		memset(out, 0, sizeof *out);
	return r;
}

const char *ky_cpe_value(const struct ky_cpe *c, enum ky_cpe_field f,
			 size_t *len)
{
	const struct ky_cpe_attr *at = &c->a[f];

	if (at->kind == KY_CPE_ANY || at->kind == KY_CPE_NA) {
		*len = 0;
		return NULL;
	}
	*len = at->len;
	return c->s + at->off;
}

bool ky__cpe_wild_match(const struct ky_cpe_attr *p, const char *base,
			const char *s, size_t n)
{
	const char *lit = base + p->off;
	size_t m = p->len;
	bool sb = p->flags & KY_CPE_STAR_BEGIN, se = p->flags & KY_CPE_STAR_END;

	if (m == 0)
		return sb || se ||
		       (n >= 1 && n <= (size_t)p->q_begin + p->q_end);
	if (n < m)
		return false;
	/* NISTIR 7696 6.1.3.2 compare_strings: each place the literal occurs,
	 * leading '?'s take up to q_begin bytes, trailing up to q_end. */
	for (size_t idx = 0; idx + m <= n; idx++) {
		size_t k = 0, left;

		if (!sb && idx > p->q_begin)
			break;
		while (k < m && lower((unsigned char)s[idx + k]) ==
					(unsigned char)lit[k])
			k++;
		if (k < m)
			continue;
		left = n - idx - m;
		if (!se && left > p->q_end)
			continue;
		return true;
	}
	return false;
}

/* NISTIR 7696 table 6-2, source attribute against target attribute. */
static enum ky_cpe_rel attr_rel(const struct ky_cpe *sc, int f,
				const struct ky_cpe *tc)
{
	const struct ky_cpe_attr *s = &sc->a[f], *t = &tc->a[f];

	if (t->kind == KY_CPE_WILD)
		return KY_CPE_UNDEFINED;
	switch (s->kind) {
	case KY_CPE_ANY:
		return t->kind == KY_CPE_ANY ? KY_CPE_EQUAL : KY_CPE_SUPERSET;
	case KY_CPE_NA:
		return t->kind == KY_CPE_ANY  ? KY_CPE_SUBSET
		       : t->kind == KY_CPE_NA ? KY_CPE_EQUAL
					      : KY_CPE_DISJOINT;
	case KY_CPE_VALUE:
		if (t->kind == KY_CPE_ANY)
			return KY_CPE_SUBSET;
		if (t->kind == KY_CPE_NA)
			return KY_CPE_DISJOINT;
		return s->len == t->len && memcmp(sc->s + s->off,
						  tc->s + t->off, s->len) == 0
			       ? KY_CPE_EQUAL
			       : KY_CPE_DISJOINT;
	default:
		if (t->kind == KY_CPE_ANY)
			return KY_CPE_SUBSET;
		if (t->kind == KY_CPE_NA)
			return KY_CPE_DISJOINT;
		return ky__cpe_wild_match(s, sc->s, tc->s + t->off, t->len)
			       ? KY_CPE_SUPERSET
			       : KY_CPE_DISJOINT;
	}
}

enum ky_cpe_rel ky_cpe_compare(const struct ky_cpe *src,
			       const struct ky_cpe *tgt, unsigned skip)
{
	bool all_eq = true, sub = true, sup = true;

	if (src->s == NULL || tgt->s == NULL)
		return KY_CPE_UNDEFINED;
	for (int f = 0; f < KY_CPE_NFIELDS; f++) {
		enum ky_cpe_rel r;

		if (skip & (1u << f))
			continue;
		r = attr_rel(src, f, tgt);
		if (r == KY_CPE_DISJOINT)
			return KY_CPE_DISJOINT;
		if (r != KY_CPE_EQUAL)
			all_eq = false;
		if (r == KY_CPE_UNDEFINED || r == KY_CPE_SUBSET)
			sup = false;
		if (r == KY_CPE_UNDEFINED || r == KY_CPE_SUPERSET)
			sub = false;
	}
	return all_eq ? KY_CPE_EQUAL
	       : sup  ? KY_CPE_SUPERSET
	       : sub  ? KY_CPE_SUBSET
		      : KY_CPE_UNDEFINED;
}

bool ky_cpe_applies(const struct ky_cpe *adv, const struct ky_cpe *asset,
		    unsigned skip)
{
	enum ky_cpe_rel r = ky_cpe_compare(adv, asset, skip);

	return r == KY_CPE_SUPERSET || r == KY_CPE_EQUAL;
}

const char *ky_cpe_key(const struct ky_cpe *c, size_t *len)
{
	for (int f = KY_CPE_PART; f <= KY_CPE_PRODUCT; f++)
		if (c->s == NULL || c->a[f].kind != KY_CPE_VALUE)
			return NULL;
	/* Attributes are stored in order, each NUL-terminated. */
	*len = (size_t)(c->a[KY_CPE_PRODUCT].off + c->a[KY_CPE_PRODUCT].len -
			c->a[KY_CPE_PART].off);
	return c->s + c->a[KY_CPE_PART].off;
}

int ky_cpe_format(const struct ky_cpe *c, char *buf, size_t cap)
{
	size_t o = 0;

#define PUT(ch)                                                                \
	do {                                                                   \
		if (o + 1 >= cap)                                              \
			return KY_E_TOOBIG;                                    \
		buf[o++] = (ch);                                               \
	} while (0)
	if (c->s == NULL)
		return KY_E_INVAL;
	for (const char *p = "cpe:2.3"; *p != '\0'; p++)
		PUT(*p);
	for (int f = 0; f < KY_CPE_NFIELDS; f++) {
		const struct ky_cpe_attr *at = &c->a[f];
		const char *lit = c->s + at->off;

		PUT(':');
		if (at->kind == KY_CPE_ANY || at->kind == KY_CPE_NA) {
			PUT(at->kind == KY_CPE_ANY ? '*' : '-');
			continue;
		}
		if (at->flags & KY_CPE_STAR_BEGIN)
			PUT('*');
		for (int k = 0; k < at->q_begin; k++)
			PUT('?');
		for (size_t k = 0; k < at->len; k++) {
			unsigned char ch = (unsigned char)lit[k];

			/* FS leaves . - _ unquoted (NISTIR 7695 6.2.2.2),
			 * except a lone "-", which would read as NA. */
			if (!is_alnum(ch) && ch != '.' && ch != '_' &&
			    (ch != '-' || at->len == 1))
				PUT('\\');
			PUT((char)ch);
		}
		for (int k = 0; k < at->q_end; k++)
			PUT('?');
		if (at->flags & KY_CPE_STAR_END)
			PUT('*');
	}
#undef PUT
	buf[o] = '\0';
	return (int)o;
}
