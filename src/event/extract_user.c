/* The extractor set (user patterns first, then the built-ins of
 * extract.c) with its one Vectorscan prefilter database, and user-defined
 * patterns ("Accepted %{word:auth} for %{word:user.name} from
 * %{ip:source.ip}") compiled into token programs.  See docs/extraction.md. */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/config.h"
#include "base/hash.h"
#include "event/extract.h"
#include "event/extract_int.h"

#define MAX_TOKENS 64
/* Bounds backtracking of %{data}: candidate end positions tried in total
 * per message, so a hostile message costs at most this many tries. */
#define MAX_TRIES 256

enum tok_type {
	T_LIT = 0,
	T_WORD,
	T_NOTSPACE,
	T_INT,
	T_IP,
	T_IPV4,
	T_IPV6,
	T_HOST,
	T_QUOTED,
	T_HEX,
	T_DATA,
	T_REST,
};

static const struct {
	const char *name;
	enum tok_type type;
} tok_types[] = {
	{"word", T_WORD}, {"notspace", T_NOTSPACE}, {"int", T_INT},
	{"ip", T_IP},	  {"ipv4", T_IPV4},	    {"ipv6", T_IPV6},
	{"host", T_HOST}, {"quoted", T_QUOTED},	    {"hex", T_HEX},
	{"data", T_DATA}, {"rest", T_REST},
};

struct tok {
	enum tok_type type;
	const char *s; /* literal bytes or field name (in u->text) */
	size_t len;    /* 0 for an unnamed capture */
};

struct ky__upat {
	char *text; /* literals (with %% undone) and field names */
	struct tok toks[MAX_TOKENS];
	size_t ntoks;
};

struct span {
	size_t off, len;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '.' || c == '@' || c == '-';
}

static bool is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '.' || c == '-' || c == '_';
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

const char *ky__unescape(struct ky_event *ev, const char *p, size_t n,
			 size_t *out_len)
{
	char *d;
	size_t j = 0;

	if (memchr(p, '\\', n) == NULL) {
		*out_len = n;
		return p;
	}
	if (ev->arena == NULL || (d = ky_arena_alloc(ev->arena, n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\' || i + 1 == n) {
			d[j++] = p[i];
		} else if (p[i + 1] == 'x' && i + 3 < n && is_hex(p[i + 2]) &&
			   is_hex(p[i + 3])) {
			d[j++] = (char)(hexval(p[i + 2]) * 16 +
					hexval(p[i + 3]));
			i += 3;
		} else if (p[i + 1] == '"' || p[i + 1] == '\\' ||
			   p[i + 1] == '\'') {
			d[j++] = p[++i];
		} else {
			d[j++] = p[i];
		}
	}
	d[j] = '\0';
	*out_len = j;
	return d;
}

/* ---- compiling ---- */

void ky__upat_free(struct ky__upat *u)
{
	if (u == NULL)
		return;
	free(u->text);
	free(u);
}

static int bad(struct ky_err *err, const char *name, size_t col,
	       const char *what)
{
	return ky_err_set(err, KY_E_CONFIG, "pattern '%s': column %zu: %s",
			  name, col, what);
}

/* `\xHH` escapes so any literal is a valid regex. */
static char *literal_regex(const char *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char *re = malloc(n * 4 + 1);
	size_t j = 0;

	if (re == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    is_digit((char)c) || c == ' ' || c == '_') {
			re[j++] = (char)c;
		} else {
			re[j++] = '\\';
			re[j++] = 'x';
			re[j++] = hx[c >> 4];
			re[j++] = hx[c & 15];
		}
	}
	re[j] = '\0';
	return re;
}

static int parse_capture(const char *name, const char *pat, size_t *ip,
			 struct ky__upat *u, size_t *tj, struct tok *t,
			 struct ky_err *err)
{
	size_t i = *ip + 2, tstart = i, j = *tj, k;
	const char *close = strchr(pat + i, '}');

	if (close == NULL)
		return bad(err, name, *ip + 1, "unterminated %{");
	while (pat + i < close && pat[i] != ':')
		i++;
	for (k = 0; k < sizeof(tok_types) / sizeof(tok_types[0]); k++) {
		if (strlen(tok_types[k].name) == i - tstart &&
		    memcmp(tok_types[k].name, pat + tstart, i - tstart) == 0)
			break;
	}
	if (k == sizeof(tok_types) / sizeof(tok_types[0])) {
		char msg[96];
		int l = (int)(i - tstart > 32 ? 32 : i - tstart);
		snprintf(msg, sizeof(msg), "unknown type '%.*s'", l,
			 pat + tstart);
		return bad(err, name, tstart + 1, msg);
	}
	t->type = tok_types[k].type;
	t->s = u->text + j;
	t->len = 0;
	if (pat + i < close) {
		i++;
		if (pat + i == close)
			return bad(err, name, i + 1, "empty field name");
		for (; pat + i < close; i++) {
			if (!is_field_char(pat[i]))
				return bad(err, name, i + 1,
					   "bad character in field name");
			u->text[j++] = pat[i];
			t->len++;
		}
	}
	*ip = (size_t)(close - pat) + 1;
	*tj = j;
	return 0;
}

int ky__upat_compile(const char *name, const char *pat, struct ky__upat **out,
		     char **prefilter, struct ky_err *err)
{
	struct ky__upat *u = NULL;
	size_t i = 0, j = 0, best = SIZE_MAX, col[MAX_TOKENS];
	int r = 0;

	*out = NULL;
	*prefilter = NULL;
	if (name == NULL)
		name = "(unnamed)";
	if (pat == NULL || pat[0] == '\0') {
		r = bad(err, name, 1, "empty pattern");
		goto out;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->text = malloc(strlen(pat) + 1)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "pattern '%s': out of memory",
			       name);
		goto out;
	}
	while (pat[i] != '\0') {
		struct tok *t;

		if (u->ntoks == MAX_TOKENS) {
			r = bad(err, name, i + 1, "too many tokens (max 64)");
			goto out;
		}
		t = &u->toks[u->ntoks];
		col[u->ntoks] = i + 1;
		if (pat[i] == '%' && pat[i + 1] == '{') {
			if (u->ntoks > 0 &&
			    u->toks[u->ntoks - 1].type != T_LIT) {
				r = bad(err, name, i + 1,
					"captures must be separated by "
					"literal text");
				goto out;
			}
			if ((r = parse_capture(name, pat, &i, u, &j, t, err)))
				goto out;
		} else {
			t->type = T_LIT;
			t->s = u->text + j;
			t->len = 0;
			while (pat[i] != '\0' &&
			       !(pat[i] == '%' && pat[i + 1] == '{')) {
				/* "%%" is a literal '%' */
				if (pat[i] == '%' && pat[i + 1] == '%')
					i++;
				u->text[j++] = pat[i++];
				t->len++;
			}
		}
		if (u->ntoks > 0 && u->toks[u->ntoks - 1].type == T_REST) {
			r = bad(err, name, col[u->ntoks - 1],
				"%{rest} must be the last token");
			goto out;
		}
		u->ntoks++;
	}
	for (size_t k = 0; k < u->ntoks; k++) {
		if (u->toks[k].type == T_LIT &&
		    (best == SIZE_MAX || u->toks[k].len > u->toks[best].len))
			best = k;
	}
	if (best != SIZE_MAX) {
		/* the longest literal, up to a newline (the list separator) */
		const char *nl =
			memchr(u->toks[best].s, '\n', u->toks[best].len);
		size_t l =
			nl ? (size_t)(nl - u->toks[best].s) : u->toks[best].len;
		if (l > 0 &&
		    (*prefilter = ky_strndup(u->toks[best].s, l)) == NULL) {
			r = ky_err_set(err, KY_E_NOMEM,
				       "pattern '%s': out of memory", name);
			goto out;
		}
	}
	*out = u;
	u = NULL; /* transferred */
out:
	ky__upat_free(u);
	return r;
}

/* ---- matching ---- */

struct mstate {
	const struct ky__upat *u;
	const char *msg;
	size_t n;
	struct span caps[MAX_TOKENS];
	unsigned tries;
};

static size_t next_lit_stop(const struct ky__upat *u, size_t k, char *stop)
{
	if (k + 1 < u->ntoks && u->toks[k + 1].type == T_LIT) {
		*stop = u->toks[k + 1].s[0];
		return 1;
	}
	return 0;
}

/* Length of the capture of deterministic type t at msg[pos..), or 0 when
 * it does not match (no deterministic type matches empty). */
static size_t match_fixed(const struct mstate *m, size_t k, size_t pos,
			  size_t *voff, size_t *vlen)
{
	const char *p = m->msg + pos;
	size_t n = m->n - pos, l = 0;
	int64_t iv;
	char stop = 0;
	bool has_stop = next_lit_stop(m->u, k, &stop) != 0;

	*voff = pos;
	switch (m->u->toks[k].type) {
	case T_WORD:
		while (l < n && !is_space(p[l]) && !(has_stop && p[l] == stop))
			l++;
		break;
	case T_NOTSPACE:
		while (l < n && !is_space(p[l]))
			l++;
		break;
	case T_INT:
		l = (n > 0 && (p[0] == '-' || p[0] == '+'));
		while (l < n && is_digit(p[l]))
			l++;
		if (!ky__parse_int(p, l, &iv))
			l = 0;
		break;
	case T_IP:
		l = ky__scan_ip(p, n);
		break;
	case T_IPV4:
		l = ky__scan_ipv4(p, n);
		break;
	case T_IPV6:
		l = ky__scan_ipv6(p, n);
		break;
	case T_HOST:
		l = ky__scan_ipv6(p, n);
		if (l == 0)
			while (l < n && is_host_char(p[l]))
				l++;
		break;
	case T_HEX:
		while (l < n && is_hex(p[l]))
			l++;
		break;
	case T_QUOTED:
		if (n < 2 || (p[0] != '"' && p[0] != '\''))
			return 0;
		for (l = 1; l < n && p[l] != p[0]; l++)
			if (p[l] == '\\')
				l++;
		if (l >= n)
			return 0;
		*voff = pos + 1;
		*vlen = l - 1;
		return l + 1;
	default:
		return 0;
	}
	/* A number or address running on into more of its characters is a
	 * different token: "1.2.3.45x" is not the ip "1.2.3.4". */
	if (l > 0 && l < n && m->u->toks[k].type != T_WORD &&
	    m->u->toks[k].type != T_NOTSPACE && !(has_stop && p[l] == stop) &&
	    (is_hex(p[l]) || p[l] == '.' ||
	     (p[l] == ':' && m->u->toks[k].type != T_IPV4 &&
	      m->u->toks[k].type != T_INT)))
		return 0;
	*vlen = l;
	return l;
}

static bool match_from(struct mstate *m, size_t k, size_t pos)
{
	const struct ky__upat *u = m->u;

	for (; k < u->ntoks; k++) {
		const struct tok *t = &u->toks[k];
		size_t l, voff, vlen;

		switch (t->type) {
		case T_LIT:
			if (m->n - pos < t->len ||
			    memcmp(m->msg + pos, t->s, t->len) != 0)
				return false;
			pos += t->len;
			continue;
		case T_REST:
			m->caps[k] = (struct span){pos, m->n - pos};
			pos = m->n;
			continue;
		case T_DATA:
			if (k + 1 == u->ntoks) {
				m->caps[k] = (struct span){pos, m->n - pos};
				pos = m->n;
				continue;
			}
			/* Lazy: each occurrence of the next literal in turn. */
			for (size_t q = pos; q < m->n;) {
				const struct tok *nx = &u->toks[k + 1];
				const char *hit = memmem(m->msg + q, m->n - q,
							 nx->s, nx->len);
				if (hit == NULL || ++m->tries > MAX_TRIES)
					return false;
				q = (size_t)(hit - m->msg);
				m->caps[k] = (struct span){pos, q - pos};
				if (match_from(m, k + 1, q))
					return true;
				q++;
			}
			return false;
		default:
			l = match_fixed(m, k, pos, &voff, &vlen);
			if (l == 0)
				return false;
			m->caps[k] = (struct span){voff, vlen};
			pos += l;
			continue;
		}
	}
	return true;
}

int ky__upat_parse(const struct ky__xtr *x, const char *msg, size_t n,
		   struct ky_event *ev)
{
	const struct ky__upat *u = x->upat;
	struct mstate m;
	int r = 0;

	m.u = u;
	m.msg = msg;
	m.n = n;
	m.tries = 0;
	if (!match_from(&m, 0, 0))
		return 0;
	for (size_t k = 0; k < u->ntoks && r == 0; k++) {
		const struct tok *t = &u->toks[k];
		const char *v;
		size_t vlen;
		int64_t iv;

		/* literals have no capture; unnamed captures store nothing */
		if (t->type == T_LIT || t->len == 0)
			continue;
		v = msg + m.caps[k].off;
		vlen = m.caps[k].len;
		if (t->type == T_INT && ky__parse_int(v, vlen, &iv)) {
			r = ky__add_int(ev, t->s, t->len, v, vlen, iv);
			continue;
		}
		if (t->type == T_QUOTED &&
		    (v = ky__unescape(ev, v, vlen, &vlen)) == NULL)
			return KY_E_NOMEM;
		r = ky_event_add_str(ev, t->s, t->len, v, vlen);
	}
	return r < 0 ? r : 1;
}

/* ---- the extractor set ---- */

struct ky_extractors {
	struct ky__xtr *v; /* user patterns, then built-ins: priority order */
	size_t n;
	uint32_t *always; /* extractors without a prefilter */
	size_t nalways;
	hs_database_t *db;
	/* Program name -> struct prog_cands: for a message whose program
	 * some extractor names, the candidates are known without scanning.
	 * Every parser checks its own anchored text, so calling the few
	 * candidates directly gives what the prefilter would, for less than
	 * the scan costs (the sshd hot path). */
	struct ky_hash *byprog;
};

struct prog_cands {
	uint32_t n;
	uint32_t idx[]; /* priority order */
};

struct ky_extract_scratch {
	hs_scratch_t *hs;
	uint32_t *cand;
	size_t cap;
	/* The last raw program tag, its normalised name (at last_off) and
	 * list (NULL: the prefilter runs): a stream repeats a few programs. */
	const struct ky_extractors *last_x;
	const struct prog_cands *last_pc;
	size_t last_len, last_off, last_nlen;
	char last_prog[64]; /* longer tags are not remembered */
};

void ky_extractors_free(struct ky_extractors *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n; i++) {
		ky__upat_free(x->v[i].upat);
		free(x->v[i].owned_name);
		free(x->v[i].owned_program);
		free(x->v[i].owned_prefilter);
	}
	free(x->v);
	free(x->always);
	ky_hash_free(x->byprog, free);
	hs_free_database(x->db);
	free(x);
}

/* "/usr/sbin/sshd[123]:" and "sshd" name the same program: used on the
 * messages' tags and on the configured program names alike. */
static void norm_program(const char **program, size_t *len)
{
	const char *p = *program, *br, *slash;
	size_t n = *len;

	if ((br = memchr(p, '[', n)) != NULL)
		n = (size_t)(br - p);
	while (n > 0 && p[n - 1] == ':')
		n--;
	if ((slash = memrchr(p, '/', n)) != NULL) {
		n -= (size_t)(slash + 1 - p);
		p = slash + 1;
	}
	*program = p;
	*len = n;
}

static int add_user(struct ky_extractors *x, struct ky_hash *names,
		    const struct ky_config_pattern *cp, size_t idx,
		    struct ky_err *err)
{
	struct ky__xtr *e = &x->v[x->n];
	char *pre = NULL;
	int r;

	if (cp->name == NULL || cp->name[0] == '\0')
		return ky_err_set(err, KY_E_CONFIG,
				  "extract pattern #%zu: missing name",
				  idx + 1);
	if (ky_hash_get(names, cp->name, strlen(cp->name)) != NULL)
		return ky_err_set(err, KY_E_CONFIG,
				  "pattern '%s': duplicate name", cp->name);
	if ((r = ky__upat_compile(cp->name, cp->pattern, &e->upat, &pre, err)))
		return r;
	x->n++; /* e's allocations are now freed with x */
	e->owned_prefilter = pre;
	e->prefilter = pre;
	e->parse = ky__upat_parse;
	if (cp->program != NULL && cp->program[0] != '\0') {
		const char *prog = cp->program;
		size_t plen = strlen(prog);

		norm_program(&prog, &plen);
		if (plen == 0)
			return ky_err_set(err, KY_E_CONFIG,
					  "pattern '%s': program '%s' names no "
					  "program",
					  cp->name, cp->program);
		if ((e->owned_program = ky_strndup(prog, plen)) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	if ((e->owned_name = strdup(cp->name)) == NULL ||
	    ky_hash_put(names, e->owned_name, strlen(e->owned_name), e, NULL) !=
		    0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	e->name = e->owned_name;
	e->programs = e->owned_program;
	return 0;
}

static void set_first(struct ky__xtr *e)
{
	memset(e->first_set, e->first == NULL ? 0xff : 0, sizeof(e->first_set));
	for (const char *f = e->first; f != NULL && *f != '\0'; f++)
		e->first_set[(unsigned char)*f >> 6] |=
			(uint64_t)1 << ((unsigned char)*f & 63);
}

static int compile_db(struct ky_extractors *x, struct ky_err *err)
{
	size_t cap = 0, ne = 0;
	char **expr = NULL;
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *ce = NULL;
	int r = 0;

	for (size_t i = 0; i < x->n; i++)
		for (const char *p = x->v[i].prefilter; p != NULL;
		     p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			cap++;
	x->always = calloc(x->n + 1, sizeof(*x->always));
	expr = calloc(cap + 1, sizeof(*expr));
	flags = calloc(cap + 1, sizeof(*flags));
	ids = calloc(cap + 1, sizeof(*ids));
	if (expr == NULL || flags == NULL || ids == NULL || x->always == NULL)
		goto nomem;
	for (size_t i = 0; i < x->n; i++) {
		const char *p = x->v[i].prefilter, *nl;
		if (p == NULL)
			x->always[x->nalways++] = (uint32_t)i;
		for (; p != NULL; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			if ((expr[ne] = literal_regex(p, l)) == NULL)
				goto nomem;
			flags[ne] = HS_FLAG_SINGLEMATCH;
			ids[ne++] = (unsigned)i;
		}
	}
	if (ne > 0 && hs_compile_multi((const char *const *)expr, flags, ids,
				       (unsigned)ne, HS_MODE_BLOCK, NULL,
				       &x->db, &ce) != HS_SUCCESS) {
		size_t bad = ce->expression >= 0 ? ids[ce->expression] : 0;
		r = ky_err_set(err, KY_E_CONFIG,
			       "extractor '%s': prefilter: %s", x->v[bad].name,
			       ce->message);
	}
	goto out;
nomem:
	r = ky_err_set(err, KY_E_NOMEM, "out of memory");
out:
	hs_free_compile_error(ce);
	for (size_t i = 0; expr != NULL && i < ne; i++)
		free(expr[i]);
	free(expr);
	free(flags);
	free(ids);
	return r;
}

static bool program_ok(const char *list, const char *prog, size_t plen);

/* Fills x->byprog for every program named by an extractor. */
static int index_programs(struct ky_extractors *x)
{
	if ((x->byprog = ky_hash_new(0)) == NULL)
		return KY_E_NOMEM;
	for (size_t i = 0; i < x->n; i++) {
		const char *p = x->v[i].programs;

		while (p != NULL && *p != '\0') {
			const char *bar = strchr(p, '|');
			size_t l = bar ? (size_t)(bar - p) : strlen(p);
			struct prog_cands *pc;

			if (l > 0 && ky_hash_get(x->byprog, p, l) == NULL) {
				pc = malloc(sizeof(*pc) +
					    x->n * sizeof(pc->idx[0]));
				if (pc == NULL)
					return KY_E_NOMEM;
				pc->n = 0;
				for (size_t j = 0; j < x->n; j++)
					if (program_ok(x->v[j].programs, p, l))
						pc->idx[pc->n++] = (uint32_t)j;
				if (ky_hash_put(x->byprog, p, l, pc, NULL) !=
				    0) {
					free(pc);
					return KY_E_NOMEM;
				}
			}
			p = bar ? bar + 1 : NULL;
		}
	}
	return 0;
}

int ky_extractors_new(struct ky_extractors **out, const struct ky_config *cfg,
		      struct ky_err *err)
{
	struct ky_extractors *x = NULL;
	struct ky_hash *names = NULL;
	size_t np = cfg ? cfg->npatterns : 0;
	bool bi = cfg ? cfg->extract_builtin : true;
	int r = 0;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->v = calloc(np + ky__nbuiltins + 1, sizeof(*x->v))) == NULL ||
	    (names = ky_hash_new(KY_HASH_BORROW_KEYS)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < np; i++)
		if ((r = add_user(x, names, &cfg->patterns[i], i, err)) != 0)
			goto out;
	for (size_t i = 0; bi && i < ky__nbuiltins; i++)
		x->v[x->n++] = ky__builtins[i];
	for (size_t i = 0; i < x->n; i++)
		set_first(&x->v[i]);
	if ((r = compile_db(x, err)) != 0)
		goto out;
	if ((r = index_programs(x)) != 0) {
		ky_err_set(err, r, "out of memory");
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
out:
	ky_hash_free(names, NULL);
	ky_extractors_free(x);
	return r;
}

int ky_extract_scratch_new(const struct ky_extractors *x,
			   struct ky_extract_scratch **out)
{
	struct ky_extract_scratch *s = calloc(1, sizeof(*s));
	int r = 0;

	*out = NULL;
	if (s == NULL ||
	    (s->cand = calloc(x->n + 1, sizeof(*s->cand))) == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	s->cap = x->n;
	if (x->db != NULL && hs_alloc_scratch(x->db, &s->hs) != HS_SUCCESS) {
		r = KY_E_NOMEM;
		goto out;
	}
	*out = s;
	s = NULL; /* transferred */
out:
	ky_extract_scratch_free(s);
	return r;
}

void ky_extract_scratch_free(struct ky_extract_scratch *s)
{
	if (s == NULL)
		return;
	hs_free_scratch(s->hs);
	free(s->cand);
	free(s);
}

static bool program_ok(const char *list, const char *prog, size_t plen)
{
	if (list == NULL || prog == NULL)
		return true;
	for (const char *p = list;;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == plen && memcmp(p, prog, plen) == 0)
			return true;
		if (bar == NULL)
			return false;
		p = bar + 1;
	}
}

struct scan_ctx {
	const struct ky_extractors *x;
	struct ky_extract_scratch *s;
	size_t ncand;
	const char *prog;
	size_t plen;
};

static int on_match(unsigned int id, unsigned long long from,
		    unsigned long long to, unsigned int flags, void *arg)
{
	struct scan_ctx *sc = arg;

	(void)from;
	(void)to;
	(void)flags;
	if (!program_ok(sc->x->v[id].programs, sc->prog, sc->plen))
		return 0;
	/* an extractor with several literals may report each once */
	for (size_t i = 0; i < sc->ncand; i++)
		if (sc->s->cand[i] == id)
			return 0;
	if (sc->ncand < sc->s->cap)
		sc->s->cand[sc->ncand++] = id;
	return 0;
}

/* Whether e may accept a message that begins with c (ky__xtr.first). */
static bool may_start(const struct ky__xtr *e, char c)
{
	unsigned char b = (unsigned char)c;

	return (e->first_set[b >> 6] >> (b & 63)) & 1;
}

/* Tries the candidates in priority order; the first that accepts wins,
 * and a parser that gives up leaves no field or time behind. */
static int run_candidates(const struct ky_extractors *x, const uint32_t *cand,
			  size_t ncand, const char *msg, size_t msg_len,
			  struct ky_event *ev)
{
	for (size_t i = 0; i < ncand; i++) {
		const struct ky__xtr *e = &x->v[cand[i]];
		uint32_t saved = ev->nfields;
		int64_t saved_time = ev->time_ns;
		int r;

		if (msg_len > 0 && !may_start(e, msg[0]))
			continue;
		r = e->parse(e, msg, msg_len, ev);

		if (r == 1)
			return 1;
		ev->nfields = saved;
		ev->time_ns = saved_time;
		if (r < 0)
			return r;
	}
	return 0;
}

int ky_extract(const struct ky_extractors *x, struct ky_extract_scratch *s,
	       const char *program, size_t program_len, const char *msg,
	       size_t msg_len, struct ky_event *ev)
{
	struct scan_ctx sc = {x, s, 0, NULL, 0};

	if (msg_len > UINT32_MAX)
		return KY_E_TOOBIG;
	if (msg == NULL)
		msg = "", msg_len = 0;
	if (program != NULL && program_len > 0) {
		const char *raw = program;
		size_t raw_len = program_len;
		const struct prog_cands *pc = NULL;

		if (s->last_x == x && raw_len == s->last_len &&
		    memcmp(raw, s->last_prog, raw_len) == 0) {
			pc = s->last_pc;
			sc.prog = s->last_nlen > 0 ? raw + s->last_off : NULL;
			sc.plen = s->last_nlen;
		} else {
			norm_program(&program, &program_len);
			if (program_len > 0) {
				sc.prog = program;
				sc.plen = program_len;
				pc = ky_hash_get(x->byprog, sc.prog, sc.plen);
			}
			if (raw_len <= sizeof(s->last_prog)) {
				memcpy(s->last_prog, raw, raw_len);
				s->last_len = raw_len;
				s->last_x = x;
				s->last_pc = pc;
				s->last_off = (size_t)(program - raw);
				s->last_nlen = sc.plen;
			}
		}
		if (pc != NULL)
			return run_candidates(x, pc->idx, pc->n, msg, msg_len,
					      ev);
	}
	if (x->db != NULL && hs_scan(x->db, msg ? msg : "", (unsigned)msg_len,
				     0, s->hs, on_match, &sc) != HS_SUCCESS)
		return KY_E_INTERNAL;
	for (size_t i = 0; i < x->nalways && sc.ncand < s->cap; i++)
		if (program_ok(x->v[x->always[i]].programs, sc.prog, sc.plen))
			s->cand[sc.ncand++] = x->always[i];
	/* matches arrive by end offset; the table order is the priority */
	for (size_t i = 1; i < sc.ncand; i++)
		for (size_t j = i; j > 0 && s->cand[j - 1] > s->cand[j]; j--) {
			uint32_t t = s->cand[j];
			s->cand[j] = s->cand[j - 1];
			s->cand[j - 1] = t;
		}
	return run_candidates(x, s->cand, sc.ncand, msg, msg_len, ev);
}

size_t ky_extractors_count(const struct ky_extractors *x)
{
	return x->n;
}

const char *ky_extractor_name(const struct ky_extractors *x, size_t i)
{
	return i < x->n ? x->v[i].name : NULL;
}
