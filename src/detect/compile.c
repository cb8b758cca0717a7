/* Sigma values to predicates: wildcards and escapes, placeholders, the
 * encoding modifiers (windash, base64, base64offset, utf16*), and the
 * per-field Vectorscan databases built from the string patterns, with
 * PCRE2 for what Vectorscan rejects. */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"
#include "base/log.h"
#include "detect/logsource.h"
#include "detect/ruleset_int.h"

/* A value being built: bytes with a token kind each. */
enum { T_LIT = 0, T_STAR, T_QMARK, T_DASH };

struct pat {
	uint8_t *b, *k;
	size_t n, cap;
};

struct patlist {
	struct pat *v;
	size_t n, cap;
};

#define MAX_ALTERNATIVES 4096
#define MAX_VALUE_BYTES (1u << 20)

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int pat_push(struct pat *p, uint8_t b, uint8_t k)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 32;
		uint8_t *nb, *nk;

		if (nc > MAX_VALUE_BYTES)
			return KY_E_TOOBIG;
		nb = realloc(p->b, nc);
		if (nb == NULL)
			return KY_E_NOMEM;
		p->b = nb;
		nk = realloc(p->k, nc);
		if (nk == NULL)
			return KY_E_NOMEM;
		p->k = nk;
		p->cap = nc;
	}
	p->b[p->n] = b;
	p->k[p->n] = k;
	p->n++;
	return 0;
}

static void pat_free(struct pat *p)
{
	free(p->b);
	free(p->k);
	memset(p, 0, sizeof(*p));
}

static void patlist_free(struct patlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		pat_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Moves *p into the list. */
static int patlist_take(struct patlist *l, struct pat *p)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		struct pat *nv;

		if (l->n >= MAX_ALTERNATIVES)
			return KY_E_TOOBIG;
		nv = ky_reallocarray(l->v, nc, sizeof(*nv));
		if (nv == NULL)
			return KY_E_NOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

/* Sigma string syntax: '*' and '?' are wildcards; '\' escapes '*', '?'
 * and '\' and is literal before anything else. */
static int parse_sigma(const char *s, size_t n, struct pat *out)
{
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n &&
		    (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\'))
			r = pat_push(out, (uint8_t)s[++i], T_LIT);
		else if (c == '*')
			r = pat_push(out, '*', T_STAR);
		else if (c == '?')
			r = pat_push(out, '?', T_QMARK);
		else
			r = pat_push(out, (uint8_t)c, T_LIT);
	}
	return r;
}

static bool is_word(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/* pySigma's rule: a '-' or '/' not preceded by a word character and
 * followed by one is a command-line flag dash. */
static void windash(struct pat *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->k[i] != T_LIT || (p->b[i] != '-' && p->b[i] != '/'))
			continue;
		if (i > 0 && p->k[i - 1] == T_LIT && is_word(p->b[i - 1]))
			continue;
		if (i + 1 >= p->n || p->k[i + 1] != T_LIT ||
		    !is_word(p->b[i + 1]))
			continue;
		p->k[i] = T_DASH;
	}
}

static bool all_literal(const struct pat *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->k[i] != T_LIT)
			return false;
	return true;
}

/* Decodes one UTF-8 sequence; invalid bytes stand for themselves. */
static uint32_t utf8_next(const uint8_t *b, size_t n, size_t *i)
{
	uint8_t c = b[*i];
	uint32_t cp;
	size_t need, j;

	if (c < 0x80 || c < 0xc2 || c > 0xf4) {
		(*i)++;
		return c;
	}
	need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	cp = c & (0x3f >> need);
	for (j = 1; j <= need; j++) {
		if (*i + j >= n || (b[*i + j] & 0xc0) != 0x80) {
			(*i)++;
			return c;
		}
		cp = (cp << 6) | (b[*i + j] & 0x3f);
	}
	*i += need + 1;
	return cp;
}

static int push_u16(struct pat *o, uint16_t u, bool be)
{
	int r;

	if (be) {
		if ((r = pat_push(o, (uint8_t)(u >> 8), T_LIT)) != 0)
			return r;
		return pat_push(o, (uint8_t)u, T_LIT);
	}
	if ((r = pat_push(o, (uint8_t)u, T_LIT)) != 0)
		return r;
	return pat_push(o, (uint8_t)(u >> 8), T_LIT);
}

static int utf16(const struct pat *in, struct pat *o, bool be, bool bom)
{
	int r = 0;
	size_t i = 0;

	if (bom)
		r = push_u16(o, 0xfeff, be);
	while (r == 0 && i < in->n) {
		uint32_t cp = utf8_next(in->b, in->n, &i);

		if (cp >= 0x10000) {
			cp -= 0x10000;
			r = push_u16(o, (uint16_t)(0xd800 | (cp >> 10)), be);
			if (r == 0)
				r = push_u16(o,
					     (uint16_t)(0xdc00 | (cp & 0x3ff)),
					     be);
		} else {
			r = push_u16(o, (uint16_t)cp, be);
		}
	}
	return r;
}

/* Base64 of pad spaces + in, keeping [start, len - cut). */
static int base64(const struct pat *in, size_t pad, size_t start, size_t cut,
		  struct pat *o)
{
	size_t n = pad + in->n, outlen = (n + 2) / 3 * 4;
	int r = 0;

	for (size_t g = 0, pos = 0; g < n && r == 0; g += 3) {
		uint32_t v = 0;
		size_t have = n - g < 3 ? n - g : 3;

		for (size_t j = 0; j < 3; j++) {
			size_t at = g + j;
			uint8_t c = 0;

			if (at < n)
				c = at < pad ? ' ' : in->b[at - pad];
			v = (v << 8) | c;
		}
		for (size_t j = 0; j < 4 && r == 0; j++, pos++) {
			char c = j <= have ? b64chars[(v >> (18 - 6 * j)) & 63]
					   : '=';

			if (pos >= start && pos + cut < outlen)
				r = pat_push(o, (uint8_t)c, T_LIT);
		}
	}
	return r;
}

/* Applies the encoding modifiers in the order written. */
static int transform(const struct ky__rule *cr, const struct ky_sigma_item *it,
		     struct patlist *l, struct ky_err *err)
{
	int r = 0;

	for (unsigned m = 0; m < it->nmodorder && r == 0; m++) {
		unsigned b = it->modorder[m];
		struct patlist nl = {0};

		if (b == KY_SIGMA_MODBIT_WINDASH) {
			for (size_t i = 0; i < l->n; i++)
				windash(&l->v[i]);
			continue;
		}
		if (b != KY_SIGMA_MODBIT_BASE64 &&
		    b != KY_SIGMA_MODBIT_BASE64OFFSET &&
		    b != KY_SIGMA_MODBIT_UTF16LE && b != KY_SIGMA_MODBIT_WIDE &&
		    b != KY_SIGMA_MODBIT_UTF16BE && b != KY_SIGMA_MODBIT_UTF16)
			continue;
		for (size_t i = 0; i < l->n && r == 0; i++) {
			const struct pat *in = &l->v[i];
			struct pat o = {0};

			if (!all_literal(in)) {
				r = ky__unsup(err, cr, it,
					      "wildcard or windash before |%s",
					      ky_sigma_mod_name(b));
				break;
			}
			if (b == KY_SIGMA_MODBIT_BASE64) {
				r = base64(in, 0, 0, 0, &o);
			} else if (b == KY_SIGMA_MODBIT_BASE64OFFSET) {
				static const size_t start[3] = {0, 2, 3};
				static const size_t cut[3] = {0, 3, 2};

				for (size_t s = 0; s < 3 && r == 0; s++) {
					r = base64(in, s, start[s],
						   cut[(in->n + s) % 3], &o);
					if (r == 0)
						r = patlist_take(&nl, &o);
				}
				pat_free(&o);
				continue;
			} else {
				r = utf16(in, &o, b == KY_SIGMA_MODBIT_UTF16BE,
					  b == KY_SIGMA_MODBIT_UTF16);
			}
			if (r == 0)
				r = patlist_take(&nl, &o);
			pat_free(&o);
		}
		if (r != 0) {
			patlist_free(&nl);
			break;
		}
		patlist_free(l);
		*l = nl;
	}
	return r;
}

static int add_lit(struct ky_buf *b, uint8_t c)
{
	if (is_word(c) && c != '_')
		return ky_buf_addc(b, (char)c);
	return ky_buf_addf(b, "\\x%02x", c);
}

/* The regex of a pattern: anchored at both ends unless a '*' is there. */
static int pat_regex(const struct pat *p, struct ky_buf *b)
{
	size_t s = 0, e = p->n;
	int r = 0;

	while (s < e && p->k[s] == T_STAR)
		s++;
	while (e > s && p->k[e - 1] == T_STAR)
		e--;
	if (s == 0)
		r = ky_buf_adds(b, "\\A");
	for (size_t i = s; i < e && r == 0; i++) {
		switch (p->k[i]) {
		case T_STAR:
			if (p->k[i - 1] != T_STAR)
				r = ky_buf_adds(b, ".*");
			break;
		case T_QMARK: /* one UTF-8 character, or one stray byte */
			r = ky_buf_adds(b, "(?:[\\xc2-\\xf4][\\x80-\\xbf]{1,3}|"
					   "[\\x00-\\xff])");
			break;
		case T_DASH:
			r = ky_buf_adds(b, "(?:\\x2d|\\x2f|\\xe2\\x80"
					   "[\\x93-\\x95])");
			break;
		default:
			r = add_lit(b, p->b[i]);
		}
	}
	if (r == 0 && e == p->n)
		r = ky_buf_adds(b, "\\z");
	return r;
}

static bool parse_num(const char *s, double *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

/* A pattern that is one literal between optional leading and trailing
 * stars (plain, contains, startswith, endswith: most of SigmaHQ) goes to
 * Vectorscan unanchored, with the anchors checked in the match callback
 * from the match end and the literal's length: thousands of anchored
 * patterns make Vectorscan's compile take seconds, literals do not.  Sets
 * p->anchor, p->litlen and p->fwd (the anchored regex, for a PCRE2
 * fallback); returns 1 when q has that shape. */
static int literal(const struct pat *q, struct ky__pred *p, struct ky_buf *b,
		   int *r)
{
	size_t s = 0, e = q->n;

	while (s < e && q->k[s] == T_STAR)
		s++;
	while (e > s && q->k[e - 1] == T_STAR)
		e--;
	if (e == s)
		return 0;
	for (size_t i = s; i < e; i++)
		if (q->k[i] != T_LIT)
			return 0;
	*r = 0;
	for (size_t i = s; i < e && *r == 0; i++)
		*r = add_lit(b, q->b[i]);
	p->anchor = (uint8_t)((s == 0 ? KY__ANCHOR_START : 0) |
			      (e == q->n ? KY__ANCHOR_END : 0));
	p->litlen = (uint32_t)(e - s);
	if (*r == 0 && p->anchor) {
		struct ky_buf fb;

		ky_buf_init(&fb, 0);
		*r = pat_regex(q, &fb);
		if (*r == 0 && (p->fwd = ky_buf_steal(&fb, NULL)) == NULL)
			*r = KY_E_NOMEM;
		ky_buf_free(&fb);
	}
	return 1;
}

/* Most forms one predicate's literals may take (windash multiplies). */
#define MAX_LITS 64

/* Appends the literal forms of q to p->lits when q is one literal (with
 * windash dashes, each one of its five forms) between optional leading
 * and trailing stars; false (and *r) otherwise. */
static bool pat_lits(const struct pat *q, struct ky__pred *p, int *r)
{
	static const char *const dash[5] = {"-", "/", "\xe2\x80\x93",
					    "\xe2\x80\x94", "\xe2\x80\x95"};
	size_t s = 0, e = q->n, nforms = 1;
	struct ky__lit *nl;
	uint8_t anchor;

	while (s < e && q->k[s] == T_STAR)
		s++;
	while (e > s && q->k[e - 1] == T_STAR)
		e--;
	if (e == s)
		return false;
	for (size_t i = s; i < e; i++) {
		if (q->k[i] == T_DASH)
			nforms *= 5;
		else if (q->k[i] != T_LIT)
			return false;
		if (nforms > MAX_LITS)
			return false;
	}
	if (p->nlits + nforms > MAX_LITS)
		return false;
	anchor = (uint8_t)((s == 0 ? KY__ANCHOR_START : 0) |
			   (e == q->n ? KY__ANCHOR_END : 0));
	nl = ky_reallocarray(p->lits, p->nlits + nforms, sizeof(*nl));
	if (nl == NULL) {
		*r = KY_E_NOMEM;
		return false;
	}
	p->lits = nl;
	for (size_t f = 0; f < nforms; f++) {
		struct ky__lit *l = &p->lits[p->nlits];
		size_t x = f;

		if ((l->b = malloc((e - s) * 3)) == NULL) {
			*r = KY_E_NOMEM;
			return false;
		}
		l->len = 0;
		l->anchor = anchor;
		p->nlits++;
		for (size_t i = s; i < e; i++) {
			if (q->k[i] == T_DASH) {
				size_t dl = strlen(dash[x % 5]);

				memcpy(l->b + l->len, dash[x % 5], dl);
				l->len += (uint32_t)dl;
				x /= 5;
			} else {
				l->b[l->len++] = (char)q->b[i];
			}
		}
	}
	return true;
}

static void free_lits(struct ky__pred *p)
{
	for (uint32_t i = 0; i < p->nlits; i++)
		free(p->lits[i].b);
	free(p->lits);
	p->lits = NULL;
	p->nlits = 0;
}

/* A string value (after expansion) to one predicate: the OR of its
 * alternatives as one expression. */
static int string_pred(struct ky_ruleset *rs, const struct ky__rule *cr,
		       const struct ky_sigma_item *it, uint32_t fdb,
		       struct patlist *l, uint32_t *bit, struct ky_err *err)
{
	uint64_t m = it->mods;
	bool any = false, empty = false, alllit = true;
	size_t nre = 0;
	struct ky__pred p = {0};
	struct ky_buf b;
	int r = 0;

	ky_buf_init(&b, 4u << 20);
	for (size_t i = 0; i < l->n && r == 0; i++) {
		struct pat *q = &l->v[i];
		bool lead = (m & KY_SIGMA_MOD(CONTAINS)) ||
			    (m & KY_SIGMA_MOD(ENDSWITH)) || fdb == rs->kwfdb;
		bool trail = (m & KY_SIGMA_MOD(CONTAINS)) ||
			     (m & KY_SIGMA_MOD(STARTSWITH)) || fdb == rs->kwfdb;
		size_t stars = 0;

		if (lead) {
			r = pat_push(q, 0, T_LIT); /* room, then shift */
			if (r == 0) {
				memmove(q->b + 1, q->b, q->n - 1);
				memmove(q->k + 1, q->k, q->n - 1);
				q->b[0] = '*';
				q->k[0] = T_STAR;
			}
		}
		if (r == 0 && trail)
			r = pat_push(q, '*', T_STAR);
		if (r != 0)
			break;
		for (size_t j = 0; j < q->n; j++)
			stars += q->k[j] == T_STAR;
		if (stars == q->n && stars > 0) {
			any = true;
			continue;
		}
		if (q->n == 0) {
			empty = true;
			continue;
		}
		if (alllit && !pat_lits(q, &p, &r))
			alllit = false;
		if (r != 0)
			break;
		if (l->n == 1 && literal(q, &p, &b, &r)) {
			nre++;
			continue;
		}
		if (nre++ > 0)
			r = ky_buf_addc(&b, '|');
		if (r == 0 && l->n > 1)
			r = ky_buf_adds(&b, "(?:");
		if (r == 0)
			r = pat_regex(q, &b);
		if (r == 0 && l->n > 1)
			r = ky_buf_addc(&b, ')');
	}
	if (r != 0)
		goto out;
	p.fdb = fdb;
	p.hsflags = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL;
	if (!(m & KY_SIGMA_MOD(CASED)))
		p.hsflags |= HS_FLAG_CASELESS;
	if (any) {
		p.kind = KY__PK_ANY;
		p.hsflags = 0;
	} else if (nre == 0) {
		p.kind = KY__PK_EMPTY;
		p.hsflags = 0;
	} else {
		if (empty)
			r = ky_buf_adds(&b, "|\\A\\z");
		if (r != 0)
			goto out;
		p.kind = KY__PK_HS;
		p.pattern = ky_buf_steal(&b, NULL);
		if (p.anchor) /* every match end is checked */
			p.hsflags &= ~(unsigned)HS_FLAG_SINGLEMATCH;
		if (empty) {
			char msg[200];

			if (ky__pcre_compile(&p, msg, sizeof(msg)) != 0) {
				r = ky__unsup(err, cr, it, "pattern: %s", msg);
				goto out;
			}
		}
	}
	if (!alllit || p.kind != KY__PK_HS)
		free_lits(&p);
	r = ky__add_pred(rs, &p, bit);
out:
	ky__pred_free(&p);
	ky_buf_free(&b);
	return r;
}

static int regex_pred(struct ky_ruleset *rs, const struct ky__rule *cr,
		      const struct ky_sigma_item *it, uint32_t fdb,
		      const struct ky_sigma_value *v, uint32_t *bit,
		      struct ky_err *err)
{
	struct ky__pred p = {0};
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *ce = NULL;
	char hsmsg[160] = "";
	int r = 0;

	p.fdb = fdb;
	p.hsflags = HS_FLAG_SINGLEMATCH;
	if (it->mods & KY_SIGMA_MOD(RE_I))
		p.hsflags |= HS_FLAG_CASELESS;
	if (it->mods & KY_SIGMA_MOD(RE_M))
		p.hsflags |= HS_FLAG_MULTILINE;
	if (it->mods & KY_SIGMA_MOD(RE_S))
		p.hsflags |= HS_FLAG_DOTALL;
	if ((p.pattern = strdup(v->s)) == NULL)
		return KY_E_NOMEM;
	p.kind = KY__PK_HS;
	/* Patterns that can match the empty string go to PCRE2 too: the
	 * matcher does not scan empty values. */
	if (hs_expression_info(p.pattern, p.hsflags | HS_FLAG_ALLOWEMPTY, &info,
			       &ce) != HS_SUCCESS) {
		snprintf(hsmsg, sizeof(hsmsg), "%s",
			 ce ? ce->message : "error");
		hs_free_compile_error(ce);
		p.kind = KY__PK_PCRE;
	} else if (info->min_width == 0) {
		p.kind = KY__PK_PCRE;
	}
	free(info);
	if (p.kind == KY__PK_PCRE) {
		char msg[200];

		if (ky__pcre_compile(&p, msg, sizeof(msg)) != 0) {
			r = ky__unsup(err, cr, it,
				      "regex rejected by Vectorscan (%s) and "
				      "PCRE2: %s",
				      hsmsg[0] ? hsmsg : "empty match", msg);
			goto out;
		}
	}
	r = ky__add_pred(rs, &p, bit);
out:
	ky__pred_free(&p);
	return r;
}

static const struct {
	unsigned bit;
	uint8_t part;
} tparts[] = {
	{KY_SIGMA_MODBIT_MINUTE, KY__T_MINUTE},
	{KY_SIGMA_MODBIT_HOUR, KY__T_HOUR},
	{KY_SIGMA_MODBIT_DAY, KY__T_DAY},
	{KY_SIGMA_MODBIT_WEEK, KY__T_WEEK},
	{KY_SIGMA_MODBIT_MONTH, KY__T_MONTH},
	{KY_SIGMA_MODBIT_YEAR, KY__T_YEAR},
};

static uint8_t num_op(uint64_t m)
{
	if (m & KY_SIGMA_MOD(GT))
		return KY__OP_GT;
	if (m & KY_SIGMA_MOD(GTE))
		return KY__OP_GTE;
	if (m & KY_SIGMA_MOD(LT))
		return KY__OP_LT;
	if (m & KY_SIGMA_MOD(LTE))
		return KY__OP_LTE;
	return KY__OP_EQ;
}

static int value_pred(struct ky_ruleset *rs, const struct ky__rule *cr,
		      const struct ky_sigma_item *it, uint32_t fdb,
		      const struct ky_sigma_value *v, uint32_t *bit,
		      struct ky_err *err)
{
	uint64_t m = it->mods;
	struct ky__pred p = {0};
	struct patlist l = {0};
	struct pat q = {0};
	char **texts = NULL;
	size_t ntexts = 0;
	int r = 0;
	const uint64_t nums = KY_SIGMA_MOD(GT) | KY_SIGMA_MOD(GTE) |
			      KY_SIGMA_MOD(LT) | KY_SIGMA_MOD(LTE);

	p.fdb = fdb;
	if (v->type == KY_SV_NULL) {
		p.kind = KY__PK_NULL;
		return ky__add_pred(rs, &p, bit);
	}
	if (m & KY_SIGMA_MOD(FIELDREF)) {
		p.kind = KY__PK_FIELDREF;
		p.cased = (m & KY_SIGMA_MOD(CASED)) != 0;
		if ((p.ref = strdup(v->s)) == NULL)
			return KY_E_NOMEM;
		return ky__add_pred(rs, &p, bit);
	}
	if (m & KY_SIGMA_MOD(CIDR)) {
		p.kind = KY__PK_CIDR;
		if (ky__cidr_parse(v->s, &p) != 0)
			return ky__unsup(err, cr, it, "bad CIDR range '%s'",
					 v->s);
		return ky__add_pred(rs, &p, bit);
	}
	for (size_t i = 0; i < sizeof(tparts) / sizeof(tparts[0]); i++) {
		if (!(m & ((uint64_t)1 << tparts[i].bit)))
			continue;
		p.kind = KY__PK_TIME;
		p.tpart = tparts[i].part;
		p.op = num_op(m);
		if (!parse_num(v->s, &p.num))
			return ky__unsup(
				err, cr, it, "|%s needs a number, not '%s'",
				ky_sigma_mod_name(tparts[i].bit), v->s);
		return ky__add_pred(rs, &p, bit);
	}
	if (m & nums) {
		p.kind = KY__PK_NUM;
		p.op = num_op(m);
		if (!parse_num(v->s, &p.num))
			return ky__unsup(err, cr, it,
					 "comparison needs a number, "
					 "not '%s'",
					 v->s);
		return ky__add_pred(rs, &p, bit);
	}
	if (m & KY_SIGMA_MOD(RE))
		return regex_pred(rs, cr, it, fdb, v, bit, err);
	/* strings (numbers and booleans compare as their text) */
	if ((m & KY_SIGMA_MOD(EXPAND)) && v->type == KY_SV_STRING) {
		if ((r = ky__expand(rs, cr, it, v->s, v->len, &texts, &ntexts,
				    err)) != 0)
			goto out;
	} else {
		if ((texts = calloc(1, sizeof(*texts))) == NULL ||
		    (texts[0] = ky_strndup(v->s, v->len)) == NULL) {
			r = KY_E_NOMEM;
			goto out;
		}
		ntexts = 1;
	}
	for (size_t i = 0; i < ntexts && r == 0; i++) {
		if (v->type == KY_SV_STRING)
			r = parse_sigma(texts[i], strlen(texts[i]), &q);
		else /* a number or boolean is plain text, never a wildcard */
			for (const char *c = texts[i]; *c && r == 0; c++)
				r = pat_push(&q, (uint8_t)*c, T_LIT);
		if (r == 0)
			r = patlist_take(&l, &q);
	}
	if (r == 0)
		r = transform(cr, it, &l, err);
	if (r == 0)
		r = string_pred(rs, cr, it, fdb, &l, bit, err);
out:
	pat_free(&q);
	patlist_free(&l);
	for (size_t i = 0; i < ntexts; i++)
		free(texts[i]);
	free(texts);
	return r;
}

static int push_pidx(struct ky_ruleset *rs, uint32_t bit)
{
	int r = ky__grow(&rs->pidx, &rs->cappidx, rs->npidx + 1,
			 sizeof(*rs->pidx));

	if (r == 0)
		rs->pidx[rs->npidx++] = bit;
	return r;
}

/* Compiles item on field (NULL: keywords) into rs->items; *out = index. */
static int compile_item(struct ky_ruleset *rs, const struct ky__rule *cr,
			const struct ky_sigma_item *it, const char *field,
			uint32_t *out, struct ky_err *err)
{
	uint64_t m = it->mods;
	struct ky__item ci = {0};
	bool has_null = false;
	uint32_t fdb;
	int r = 0;

	if (field != NULL) {
		fdb = ky__get_fdb(rs, field, &r);
	} else {
		if (rs->kwfdb == KY__NONE) {
			rs->kwfdb = ky__get_fdb(rs, "", &r);
		}
		fdb = rs->kwfdb;
	}
	if (r != 0)
		return r;
	ci.fdb = field ? fdb : KY__NONE;
	ci.present_bit = KY__NONE;
	ci.alt = KY__NONE;
	ci.all = (m & KY_SIGMA_MOD(ALL)) != 0;
	ci.neg = (m & KY_SIGMA_MOD(NEQ)) != 0;
	ci.first = rs->npidx;
	if (m & KY_SIGMA_MOD(EXISTS)) {
		const struct ky_sigma_value *v =
			it->nvalues ? it->values : NULL;
		bool want;

		if (field == NULL || it->nvalues != 1)
			return ky__unsup(err, cr, it,
					 "|exists needs a field and "
					 "one boolean");
		if (v->type == KY_SV_BOOL)
			want = v->b;
		else if (strcasecmp(v->s, "true") == 0 ||
			 strcasecmp(v->s, "false") == 0)
			want = strcasecmp(v->s, "true") == 0;
		else
			return ky__unsup(
				err, cr, it,
				"|exists needs true or false, not '%s'", v->s);
		ci.all = 1; /* no predicates: true when present */
		ci.neg = !want;
		ci.absent_val = !want;
		if ((r = ky__present_bit(rs, fdb, &ci.present_bit)) != 0)
			return r;
		goto done;
	}
	if (it->nvalues == 0)
		return ky__unsup(err, cr, it, "no values");
	if (field == NULL &&
	    (m & (KY_SIGMA_MOD(FIELDREF) | KY_SIGMA_MOD(CIDR) |
		  KY_SIGMA_MOD(NEQ) | KY_SIGMA_MOD(GT) | KY_SIGMA_MOD(GTE) |
		  KY_SIGMA_MOD(LT) | KY_SIGMA_MOD(LTE))))
		return ky__unsup(err, cr, it, "modifier not valid on keywords");
	for (size_t i = 0; i < it->nvalues && r == 0; i++) {
		uint32_t bit;

		if (it->values[i].type == KY_SV_NULL) {
			if (field == NULL)
				return ky__unsup(err, cr, it, "null keyword");
			has_null = true;
		}
		r = value_pred(rs, cr, it, fdb, &it->values[i], &bit, err);
		if (r == 0)
			r = push_pidx(rs, bit);
	}
	if (r != 0)
		return r;
	if (has_null || ci.neg) {
		ci.absent_val = has_null && !ci.neg;
		if ((r = ky__present_bit(rs, fdb, &ci.present_bit)) != 0)
			return r;
	}
done:
	ci.n = rs->npidx - ci.first;
	if ((r = ky__grow(&rs->items, &rs->capitems, rs->nitems + 1,
			  sizeof(*rs->items))) != 0)
		return r;
	rs->items[rs->nitems] = ci;
	*out = rs->nitems++;
	return 0;
}

/* The item, then the same item on every field a logsource alternative of
 * the rule renames its field to, chained through alt. */
static int compile_item_alts(struct ky_ruleset *rs, struct ky__rule *cr,
			     const struct ky_sigma_item *it, struct ky_err *err)
{
	uint32_t first, last, idx;
	int r;

	if ((r = compile_item(rs, cr, it, it->field, &first, err)) != 0)
		return r;
	cr->nfields++;
	last = first;
	for (size_t a = 0; it->field && a < cr->nalts; a++) {
		const struct ky_ls_alt *alt = cr->alts[a];

		for (size_t j = 0; j < alt->nrenames; j++) {
			const char *from = alt->renames[2 * j];
			const char *to = alt->renames[2 * j + 1];
			bool dup = false;

			if (strcmp(from, it->field) != 0 ||
			    strcmp(to, it->field) == 0)
				continue;
			for (uint32_t k = first; k != KY__NONE;
			     k = rs->items[k].alt)
				if (strcmp(rs->fdbs[rs->items[k].fdb].name,
					   to) == 0)
					dup = true;
			if (dup)
				continue;
			if ((r = compile_item(rs, cr, it, to, &idx, err)) != 0)
				return r;
			rs->items[last].alt = idx;
			last = idx;
			cr->nfields++;
		}
	}
	return 0;
}

int ky__compile_rule(struct ky_ruleset *rs, struct ky__rule *cr,
		     struct ky_err *err)
{
	const struct ky_sigma_rule *ru = cr->rule;
	int r = 0;

	cr->search0 = rs->nsearches;
	cr->nsearch = (uint32_t)ru->nsearches;
	if ((r = ky__grow(&rs->searches, &rs->capsearches,
			  rs->nsearches + cr->nsearch,
			  sizeof(*rs->searches))) != 0)
		return r;
	rs->nsearches += cr->nsearch;
	for (size_t s = 0; s < ru->nsearches; s++) {
		const struct ky_sigma_search *se = &ru->searches[s];
		struct ky__search *cs = &rs->searches[cr->search0 + s];
		uint32_t g0 = rs->ngroups;

		if ((r = ky__grow(&rs->groups, &rs->capgroups,
				  rs->ngroups + (uint32_t)se->ngroups,
				  sizeof(*rs->groups))) != 0)
			return r;
		rs->ngroups += (uint32_t)se->ngroups;
		cs->first = g0;
		cs->n = (uint32_t)se->ngroups;
		for (size_t g = 0; g < se->ngroups; g++) {
			const struct ky_sigma_group *sg = &se->groups[g];
			uint32_t i0 = rs->nitems;

			/* reserve the group's items contiguously: the
			 * renamed alternatives are appended after them */
			if ((r = ky__grow(&rs->items, &rs->capitems,
					  rs->nitems + (uint32_t)sg->nitems,
					  sizeof(*rs->items))) != 0)
				return r;
			rs->nitems += (uint32_t)sg->nitems;
			rs->groups[g0 + g].first = i0;
			rs->groups[g0 + g].n = (uint32_t)sg->nitems;
			for (size_t i = 0; i < sg->nitems; i++) {
				uint32_t keep = rs->nitems;

				r = compile_item_alts(rs, cr, &sg->items[i],
						      err);
				if (r != 0)
					return r;
				/* the first compiled item goes to its slot */
				rs->items[i0 + i] = rs->items[keep];
				/* without renames the copy is the only one */
				if (rs->nitems == keep + 1)
					rs->nitems = keep;
			}
		}
	}
	return 0;
}
