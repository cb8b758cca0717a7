/* Sigma condition expressions: a recursive-descent parser builds a small
 * tree, which is then compiled into a branching program (each leaf a bitset
 * test with a true and a false successor) so evaluation needs no stack. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "detect/condition.h"

#define COND_MAX_LEN 65536
#define COND_MAX_DEPTH 256

enum tok_kind { TOK_END, TOK_LPAREN, TOK_RPAREN, TOK_PIPE, TOK_WORD, TOK_BAD };

struct tok {
	enum tok_kind kind;
	size_t off, len;
};

enum node_kind { N_BIT, N_ANY, N_ALL, N_NOT, N_AND, N_OR };

/* A tree node.  Leaves (N_BIT, N_ANY, N_ALL) own one test; inner nodes own
 * the slice kids[kid .. kid + nkid). */
struct node {
	uint8_t kind;
	uint32_t kid, nkid;
	uint32_t test;
	uint32_t name;	      /* N_BIT: index into names */
	uint32_t pat, patlen; /* N_ANY/N_ALL: pattern text in pool */
};

enum op_kind { OP_ANY1, OP_ALL1, OP_ANYN, OP_ALLN };

/* One program step: test the bitset, then continue at t or f.  Targets
 * equal to nprog mean true, nprog + 1 false; jumps only go forward. */
struct op {
	uint8_t kind;
	uint32_t w; /* OP_*1: word index; OP_*N: offset of the mask in maskw */
	uint32_t first, nw; /* OP_*N: first word of the range and its length */
	uint32_t t, f;
	uint64_t m;
};

struct ky_cond {
	uint32_t nnames, nwords;
	struct op *prog;
	uint32_t nprog;
	uint64_t *maskw; /* multi-word masks */
	uint32_t nmaskw;
	uint64_t *used;
	struct node *nodes;
	uint32_t nnodes, root;
	uint32_t *kids;
	uint32_t nkids;
	char *pool;
	uint32_t npool;
};

struct parser {
	struct ky_cond *c;
	const char *s;
	size_t len;
	const char *const *names;
	char where[32]; /* "condition" or "condition[i]" */
	struct tok tok;
	uint32_t *scratch; /* operands of the and/or lists being parsed */
	uint32_t nscratch, capscratch;
	uint32_t capnodes, capkids, capprog, capmaskw, cappool;
	struct ky_err *err;
};

/* Grows *p (holding *cap elements of size sz) to hold need elements. */
static int grow(void *p, uint32_t *cap, uint32_t need, size_t sz)
{
	void **pp = p;
	uint32_t n = *cap ? *cap : 8;
	void *np;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	np = ky_reallocarray(*pp, n, sz);
	if (np == NULL)
		return KY_E_NOMEM;
	*pp = np;
	*cap = n;
	return 0;
}

static int fail(struct parser *p, int status, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Positions are 1-based byte columns; a multi-line condition (a YAML block
 * scalar) also gets its line. */
static int fail(struct parser *p, int status, size_t off, const char *fmt, ...)
{
	char msg[KY_ERR_MSG_MAX];
	size_t line = 1, col0 = 0, i;
	bool multi = memchr(p->s, '\n', p->len) != NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < off && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col0 = i + 1;
		}
	}
	if (multi)
		return ky_err_set(p->err, status,
				  "%s: line %zu, column %zu: %s", p->where,
				  line, off - col0 + 1, msg);
	return ky_err_set(p->err, status, "%s: column %zu: %s", p->where,
			  off + 1, msg);
}

/* Copies a token into a message, at most 60 bytes, non-printable bytes
 * (and all non-ASCII, so invalid UTF-8 never reaches a log) as '?'. */
static void quote(char *dst, size_t dstsz, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 4 < dstsz && i < 60; i++) {
		unsigned char ch = (unsigned char)s[i];
		dst[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (i < n && k + 4 < dstsz) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool is_delim(char ch)
{
	return is_space(ch) || ch == '(' || ch == ')' || ch == '|';
}

static bool is_bad(unsigned char ch)
{
	return (ch < 0x20 && !is_space((char)ch)) || ch == 0x7f;
}

static struct tok lex_at(const struct parser *p, size_t off)
{
	struct tok t = {TOK_END, 0, 0};

	while (off < p->len && is_space(p->s[off]))
		off++;
	t.off = off;
	if (off >= p->len)
		return t;
	t.len = 1;
	switch (p->s[off]) {
	case '(':
		t.kind = TOK_LPAREN;
		return t;
	case ')':
		t.kind = TOK_RPAREN;
		return t;
	case '|':
		t.kind = TOK_PIPE;
		return t;
	}
	if (is_bad((unsigned char)p->s[off])) {
		t.kind = TOK_BAD;
		return t;
	}
	t.kind = TOK_WORD;
	while (off + t.len < p->len && !is_delim(p->s[off + t.len]) &&
	       !is_bad((unsigned char)p->s[off + t.len]))
		t.len++;
	return t;
}

static void advance(struct parser *p)
{
	p->tok = lex_at(p, p->tok.off + p->tok.len);
}

static bool word_is(const struct parser *p, const struct tok *t, const char *kw)
{
	size_t n = strlen(kw);

	return t->kind == TOK_WORD && t->len == n &&
	       strncasecmp(p->s + t->off, kw, n) == 0;
}

static bool is_keyword(const struct parser *p, const struct tok *t)
{
	return word_is(p, t, "and") || word_is(p, t, "or") ||
	       word_is(p, t, "not");
}

/* Reports the current token as unexpected.  A pipe is always the start of
 * a Sigma 1.0 aggregation (`| count() > 5`, `| near x`), which the v2
 * specification replaced with correlation rules. */
static int unexpected(struct parser *p, const char *expected)
{
	char q[80];

	switch (p->tok.kind) {
	case TOK_PIPE:
		return fail(p, KY_E_UNSUPPORTED, p->tok.off,
			    "aggregation expressions are not supported; use a "
			    "correlation rule");
	case TOK_END:
		return fail(p, KY_E_PARSE, p->tok.off,
			    "expected %s, found end of condition", expected);
	case TOK_BAD:
		return fail(p, KY_E_PARSE, p->tok.off,
			    "unexpected control character 0x%02x",
			    (unsigned char)p->s[p->tok.off]);
	default:
		quote(q, sizeof(q), p->s + p->tok.off, p->tok.len);
		return fail(p, KY_E_PARSE, p->tok.off,
			    "expected %s, found '%s'", expected, q);
	}
}

static int new_node(struct parser *p, uint8_t kind, uint32_t *out)
{
	struct ky_cond *c = p->c;
	int r;

	if ((r = grow(&c->nodes, &p->capnodes, c->nnodes + 1,
		      sizeof(*c->nodes))) != 0)
		return r;
	memset(&c->nodes[c->nnodes], 0, sizeof(c->nodes[0]));
	c->nodes[c->nnodes].kind = kind;
	*out = c->nnodes++;
	return 0;
}

static int push_scratch(struct parser *p, uint32_t v)
{
	int r;

	if ((r = grow(&p->scratch, &p->capscratch, p->nscratch + 1,
		      sizeof(*p->scratch))) != 0)
		return r;
	p->scratch[p->nscratch++] = v;
	return 0;
}

/* Pushes operand n of an and/or list; an operand that is itself the same
 * operator (from parentheses) contributes its operands instead, so
 * `a and (b and c)` is one three-way and. */
static int push_operand(struct parser *p, uint8_t kind, uint32_t n)
{
	const struct node *nd = &p->c->nodes[n];
	uint32_t i;
	int r;

	if (nd->kind != kind)
		return push_scratch(p, n);
	for (i = 0; i < nd->nkid; i++)
		if ((r = push_scratch(p, p->c->kids[nd->kid + i])) != 0)
			return r;
	return 0;
}

/* Turns scratch[base..] into one node of the given kind (or the single
 * operand itself) and pops it. */
static int make_list(struct parser *p, uint8_t kind, uint32_t base,
		     uint32_t *out)
{
	struct ky_cond *c = p->c;
	uint32_t n = p->nscratch - base, id;
	int r;

	if (n == 1) {
		*out = p->scratch[base];
		p->nscratch = base;
		return 0;
	}
	if ((r = grow(&c->kids, &p->capkids, c->nkids + n, sizeof(*c->kids))) !=
	    0)
		return r;
	if ((r = new_node(p, kind, &id)) != 0)
		return r;
	memcpy(c->kids + c->nkids, p->scratch + base, n * sizeof(*c->kids));
	c->nodes[id].kid = c->nkids;
	c->nodes[id].nkid = n;
	c->nkids += n;
	p->nscratch = base;
	*out = id;
	return 0;
}

/* Sigma identifier patterns: '*' matches any run of bytes, everything
 * else itself, case-sensitively.  Greedy with one backtrack point, so
 * linear in practice and O(n*m) at worst. */
static bool glob(const char *pat, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0;

	while (si < sn) {
		if (pi < pn && pat[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && pat[pi] == s[si]) {
			pi++;
			si++;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && pat[pi] == '*')
		pi++;
	return pi == pn;
}

/* Builds the test of a leaf from the set of names it covers (mask holds
 * nwords words) and marks them used. */
static int set_test(struct parser *p, struct op *o, const uint64_t *mask)
{
	struct ky_cond *c = p->c;
	uint32_t first = UINT32_MAX, last = 0, w;
	int r;

	for (w = 0; w < c->nwords; w++) {
		c->used[w] |= mask[w];
		if (mask[w]) {
			if (first == UINT32_MAX)
				first = w;
			last = w;
		}
	}
	if (first == last) {
		o->w = first;
		o->m = mask[first];
		return 0;
	}
	o->kind = (uint8_t)(o->kind == OP_ANY1 ? OP_ANYN : OP_ALLN);
	o->first = first;
	o->nw = last - first + 1;
	if ((r = grow(&c->maskw, &p->capmaskw, c->nmaskw + o->nw,
		      sizeof(*c->maskw))) != 0)
		return r;
	o->w = c->nmaskw;
	memcpy(c->maskw + c->nmaskw, mask + first, o->nw * sizeof(*mask));
	c->nmaskw += o->nw;
	return 0;
}

static int new_test(struct parser *p, uint32_t *out)
{
	struct ky_cond *c = p->c;
	int r;

	if ((r = grow(&c->prog, &p->capprog, c->nprog + 1, sizeof(*c->prog))) !=
	    0)
		return r;
	memset(&c->prog[c->nprog], 0, sizeof(c->prog[0]));
	*out = c->nprog++;
	return 0;
}

/* `1 of X` / `all of X` with X a pattern or `them`, at token q. */
static int parse_quant(struct parser *p, bool all, struct tok q, uint32_t *out)
{
	struct ky_cond *c = p->c;
	uint64_t *mask = NULL;
	bool them, any = false;
	uint32_t i, id, t;
	char qs[80];
	int r;

	advance(p); /* the quantifier */
	advance(p); /* of */
	if (p->tok.kind != TOK_WORD || is_keyword(p, &p->tok)) {
		quote(qs, sizeof(qs), p->s + q.off, q.len);
		char want[160];
		snprintf(want, sizeof(want),
			 "a search identifier pattern or 'them' after '%s of'",
			 qs);
		return unexpected(p, want);
	}
	them = word_is(p, &p->tok, "them");
	if ((mask = calloc(c->nwords ? c->nwords : 1, sizeof(*mask))) == NULL)
		return KY_E_NOMEM;
	for (i = 0; i < c->nnames; i++) {
		const char *nm = p->names[i];
		bool hit = them ? nm[0] != '_'
				: glob(p->s + p->tok.off, p->tok.len, nm,
				       strlen(nm));
		if (hit) {
			mask[i / 64] |= UINT64_C(1) << (i % 64);
			any = true;
		}
	}
	if (!any) {
		quote(qs, sizeof(qs), p->s + p->tok.off, p->tok.len);
		r = fail(p, KY_E_PARSE, p->tok.off,
			 them ? "'them' matches no search identifier "
				"(identifiers starting with '_' are left out)"
			      : "pattern '%s' matches no search identifier",
			 qs);
		goto out;
	}
	if ((r = new_node(p, all ? N_ALL : N_ANY, &id)) != 0 ||
	    (r = new_test(p, &t)) != 0)
		goto out;
	c->prog[t].kind = all ? OP_ALL1 : OP_ANY1;
	if ((r = set_test(p, &c->prog[t], mask)) != 0)
		goto out;
	if ((r = grow(&c->pool, &p->cappool, c->npool + (uint32_t)p->tok.len,
		      1)) != 0)
		goto out;
	memcpy(c->pool + c->npool, p->s + p->tok.off, p->tok.len);
	c->nodes[id].test = t;
	c->nodes[id].pat = c->npool;
	c->nodes[id].patlen = (uint32_t)p->tok.len;
	c->npool += (uint32_t)p->tok.len;
	advance(p);
	*out = id;
out:
	free(mask);
	return r;
}

static int parse_or(struct parser *p, unsigned depth, uint32_t *out);

static int parse_ident(struct parser *p, uint32_t *out)
{
	struct ky_cond *c = p->c;
	const char *w = p->s + p->tok.off;
	uint64_t *mask = NULL;
	uint32_t i, id, t;
	char qs[80];
	int r;

	quote(qs, sizeof(qs), w, p->tok.len);
	if (memchr(w, '*', p->tok.len) != NULL)
		return fail(p, KY_E_PARSE, p->tok.off,
			    "pattern '%s' needs '1 of' or 'all of'", qs);
	for (i = 0; i < c->nnames; i++)
		if (strlen(p->names[i]) == p->tok.len &&
		    memcmp(p->names[i], w, p->tok.len) == 0)
			break;
	if (i == c->nnames)
		return fail(p, KY_E_PARSE, p->tok.off,
			    "unknown search identifier '%s'", qs);
	if ((mask = calloc(c->nwords, sizeof(*mask))) == NULL)
		return KY_E_NOMEM;
	mask[i / 64] = UINT64_C(1) << (i % 64);
	if ((r = new_node(p, N_BIT, &id)) != 0 || (r = new_test(p, &t)) != 0)
		goto out;
	c->prog[t].kind = OP_ANY1;
	if ((r = set_test(p, &c->prog[t], mask)) != 0)
		goto out;
	c->nodes[id].test = t;
	c->nodes[id].name = i;
	advance(p);
	*out = id;
out:
	free(mask);
	return r;
}

static int parse_primary(struct parser *p, unsigned depth, uint32_t *out)
{
	static const char what[] =
		"a search identifier, 'not', '1 of', 'all of' or '('";
	struct tok lp, nx;
	int r;

	if (p->tok.kind == TOK_LPAREN) {
		lp = p->tok;
		if (depth + 1 > COND_MAX_DEPTH)
			return fail(p, KY_E_TOOBIG, lp.off,
				    "nesting deeper than %d", COND_MAX_DEPTH);
		advance(p);
		if ((r = parse_or(p, depth + 1, out)) != 0)
			return r;
		if (p->tok.kind == TOK_RPAREN) {
			advance(p);
			return 0;
		}
		if (p->tok.kind == TOK_END)
			return fail(p, KY_E_PARSE, lp.off,
				    "'(' is never closed");
		return unexpected(p, "'and', 'or' or ')'");
	}
	if (p->tok.kind != TOK_WORD || is_keyword(p, &p->tok))
		return unexpected(p, what);
	nx = lex_at(p, p->tok.off + p->tok.len);
	if (word_is(p, &nx, "of")) {
		const char *w = p->s + p->tok.off;
		size_t i;

		if (word_is(p, &p->tok, "1") || word_is(p, &p->tok, "any"))
			return parse_quant(p, false, p->tok, out);
		if (word_is(p, &p->tok, "all"))
			return parse_quant(p, true, p->tok, out);
		for (i = 0; i < p->tok.len && w[i] >= '0' && w[i] <= '9'; i++)
			;
		if (i == p->tok.len) {
			char qs[80];
			quote(qs, sizeof(qs), w, p->tok.len);
			return fail(p, KY_E_PARSE, p->tok.off,
				    "'%s of' is not part of Sigma; use '1 of' "
				    "or 'all of'",
				    qs);
		}
	}
	return parse_ident(p, out);
}

static int parse_unary(struct parser *p, unsigned depth, uint32_t *out)
{
	uint32_t child, id;
	size_t off = p->tok.off;
	int r;

	if (!word_is(p, &p->tok, "not"))
		return parse_primary(p, depth, out);
	if (depth + 1 > COND_MAX_DEPTH)
		return fail(p, KY_E_TOOBIG, off, "nesting deeper than %d",
			    COND_MAX_DEPTH);
	advance(p);
	if ((r = parse_unary(p, depth + 1, &child)) != 0)
		return r;
	if ((r = new_node(p, N_NOT, &id)) != 0 ||
	    (r = grow(&p->c->kids, &p->capkids, p->c->nkids + 1,
		      sizeof(*p->c->kids))) != 0)
		return r;
	p->c->kids[p->c->nkids] = child;
	p->c->nodes[id].kid = p->c->nkids++;
	p->c->nodes[id].nkid = 1;
	*out = id;
	return 0;
}

static int parse_and(struct parser *p, unsigned depth, uint32_t *out)
{
	uint32_t base = p->nscratch, n;
	int r;

	for (;;) {
		if ((r = parse_unary(p, depth, &n)) != 0 ||
		    (r = push_operand(p, N_AND, n)) != 0)
			return r;
		if (!word_is(p, &p->tok, "and"))
			break;
		advance(p);
	}
	return make_list(p, N_AND, base, out);
}

static int parse_or(struct parser *p, unsigned depth, uint32_t *out)
{
	uint32_t base = p->nscratch, n;
	int r;

	for (;;) {
		if ((r = parse_and(p, depth, &n)) != 0 ||
		    (r = push_operand(p, N_OR, n)) != 0)
			return r;
		if (!word_is(p, &p->tok, "or"))
			break;
		advance(p);
	}
	return make_list(p, N_OR, base, out);
}

static int parse_top(struct parser *p, const char *expr, size_t len,
		     uint32_t *out)
{
	int r;

	p->s = expr ? expr : "";
	p->len = expr ? len : 0;
	if (len > COND_MAX_LEN)
		return ky_err_set(p->err, KY_E_TOOBIG,
				  "%s: %zu bytes, limit %d", p->where, len,
				  COND_MAX_LEN);
	p->tok.off = p->tok.len = 0;
	p->tok = lex_at(p, 0);
	if (p->tok.kind == TOK_END)
		return fail(p, KY_E_PARSE, p->tok.off, "empty condition");
	if ((r = parse_or(p, 0, out)) != 0)
		return r;
	if (p->tok.kind == TOK_RPAREN)
		return fail(p, KY_E_PARSE, p->tok.off,
			    "')' without a matching '('");
	if (p->tok.kind != TOK_END)
		return unexpected(p, "'and', 'or' or end of condition");
	return 0;
}

/* Emits the program of node n (tests numbered downwards from *next, so
 * every jump is forward) and returns its entry point. */
static uint32_t emit(struct ky_cond *c, uint32_t n, uint32_t t, uint32_t f,
		     uint32_t *next, uint32_t *remap)
{
	const struct node *nd = &c->nodes[n];
	uint32_t i, entry;

	switch (nd->kind) {
	case N_BIT:
	case N_ANY:
	case N_ALL:
		entry = --*next;
		remap[nd->test] = entry;
		c->prog[nd->test].t = t;
		c->prog[nd->test].f = f;
		return entry;
	case N_NOT:
		return emit(c, c->kids[nd->kid], f, t, next, remap);
	case N_AND:
		entry = t;
		for (i = nd->nkid; i-- > 0;)
			entry = emit(c, c->kids[nd->kid + i], entry, f, next,
				     remap);
		return entry;
	default:
		entry = f;
		for (i = nd->nkid; i-- > 0;)
			entry = emit(c, c->kids[nd->kid + i], t, entry, next,
				     remap);
		return entry;
	}
}

/* Lays the tests out in emission order and makes the entry test 0. */
static int finish(struct ky_cond *c)
{
	uint32_t n = c->nprog, next = n, i, entry;
	uint32_t *remap = NULL;
	struct op *prog = NULL;
	int r = KY_E_NOMEM;

	remap = ky_reallocarray(NULL, n, sizeof(*remap));
	prog = ky_reallocarray(NULL, n, sizeof(*prog));
	if (remap == NULL || prog == NULL)
		goto out;
	/* Targets are written as final positions: leaves are numbered in
	 * the order emit reaches them, ACCEPT = n and REJECT = n + 1. */
	entry = emit(c, c->root, n, n + 1, &next, remap);
	r = KY_E_INTERNAL;
	if (next != 0 || entry != 0)
		goto out;
	for (i = 0; i < n; i++)
		prog[remap[i]] = c->prog[i];
	for (i = 0; i < c->nnodes; i++)
		if (c->nodes[i].kind <= N_ALL)
			c->nodes[i].test = remap[c->nodes[i].test];
	free(c->prog);
	c->prog = prog;
	prog = NULL;
	r = 0;
out:
	free(remap);
	free(prog);
	return r;
}

static int compile(const char *const *exprs, const size_t *lens, size_t nexprs,
		   bool list, const char *const *names, size_t nnames,
		   struct ky_cond **out, struct ky_err *err)
{
	struct parser p;
	struct ky_cond *c = NULL;
	uint32_t base, n;
	size_t i;
	int r;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.names = names;
	*out = NULL;
	if (nnames > UINT32_MAX / 2)
		return ky_err_set(err, KY_E_TOOBIG, "condition: %zu searches",
				  nnames);
	if (list && nexprs == 0)
		return ky_err_set(err, KY_E_PARSE, "condition: empty list");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return KY_E_NOMEM;
	c->nnames = (uint32_t)nnames;
	c->nwords = (uint32_t)((nnames + 63) / 64);
	r = KY_E_NOMEM;
	if ((c->used = calloc(c->nwords ? c->nwords : 1, 8)) == NULL)
		goto out;
	p.c = c;
	base = 0;
	for (i = 0; i < nexprs; i++) {
		if (list)
			snprintf(p.where, sizeof(p.where), "condition[%zu]", i);
		else
			snprintf(p.where, sizeof(p.where), "condition");
		if ((r = parse_top(&p, exprs[i],
				   lens ? lens[i]
					: (exprs[i] ? strlen(exprs[i]) : 0),
				   &n)) != 0)
			goto out;
		/* Members of a list stay separate operands of the top or. */
		if ((r = push_scratch(&p, n)) != 0)
			goto out;
	}
	if ((r = make_list(&p, N_OR, base, &c->root)) != 0)
		goto out;
	if ((r = finish(c)) != 0)
		goto out;
	*out = c;
	c = NULL;
out:
	free(p.scratch);
	ky_cond_free(c);
	if (r == KY_E_NOMEM)
		ky_err_set(err, r, "condition: out of memory");
	return r;
}

int ky_cond_compile(const char *expr, size_t len, const char *const *names,
		    size_t nnames, struct ky_cond **out, struct ky_err *err)
{
	return compile(&expr, &len, 1, false, names, nnames, out, err);
}

int ky_cond_compile_list(const char *const *exprs, size_t nexprs,
			 const char *const *names, size_t nnames,
			 struct ky_cond **out, struct ky_err *err)
{
	return compile(exprs, NULL, nexprs, true, names, nnames, out, err);
}

void ky_cond_free(struct ky_cond *c)
{
	if (c == NULL)
		return;
	free(c->prog);
	free(c->maskw);
	free(c->used);
	free(c->nodes);
	free(c->kids);
	free(c->pool);
	free(c);
}

bool ky_cond_eval(const struct ky_cond *c, const uint64_t *bits)
{
	const struct op *prog = c->prog;
	uint32_t n = c->nprog, pc = 0, i;
	bool r;

	while (pc < n) {
		const struct op *o = &prog[pc];
		const uint64_t *m;

		switch (o->kind) {
		case OP_ANY1:
			r = (bits[o->w] & o->m) != 0;
			break;
		case OP_ALL1:
			r = (bits[o->w] & o->m) == o->m;
			break;
		case OP_ANYN:
			m = c->maskw + o->w;
			r = false;
			for (i = 0; i < o->nw && !r; i++)
				r = (bits[o->first + i] & m[i]) != 0;
			break;
		default:
			m = c->maskw + o->w;
			r = true;
			for (i = 0; i < o->nw && r; i++)
				r = (bits[o->first + i] & m[i]) == m[i];
			break;
		}
		pc = r ? o->t : o->f;
	}
	return pc == n;
}

void ky_cond_used(const struct ky_cond *c, uint64_t *out)
{
	memcpy(out, c->used, c->nwords * sizeof(*out));
}

static int dump_node(const struct ky_cond *c, uint32_t n,
		     const char *const *names, struct ky_buf *out)
{
	static const char *const ops[] = {"", "any", "all", "not", "and", "or"};
	const struct node *nd = &c->nodes[n];
	uint32_t i;
	int r;

	switch (nd->kind) {
	case N_BIT:
		return ky_buf_adds(out, names[nd->name]);
	case N_ANY:
	case N_ALL:
		if ((r = ky_buf_addf(out, "(%s ", ops[nd->kind])) != 0 ||
		    (r = ky_buf_add(out, c->pool + nd->pat, nd->patlen)) != 0)
			return r;
		return ky_buf_addc(out, ')');
	default:
		if ((r = ky_buf_addf(out, "(%s", ops[nd->kind])) != 0)
			return r;
		for (i = 0; i < nd->nkid; i++)
			if ((r = ky_buf_addc(out, ' ')) != 0 ||
			    (r = dump_node(c, c->kids[nd->kid + i], names,
					   out)) != 0)
				return r;
		return ky_buf_addc(out, ')');
	}
}

int ky_cond_dump(const struct ky_cond *c, const char *const *names,
		 struct ky_buf *out)
{
	return dump_node(c, c->root, names, out);
}
