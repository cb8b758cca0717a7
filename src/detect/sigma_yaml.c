/* The YAML side of the Sigma loader: walks libfyaml documents (one rule per
 * document) into struct ky_sigma_rule, checking the shape of detection,
 * correlation and filter rules and naming file:line:col on every error. */
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/text.h"
#include "detect/sigma.h"
#include "detect/sigma_int.h"

/* libfyaml's time to fold a scalar grows with the square of the blank lines
 * in it; no rule needs this many in a row. */
#define SIGMA_BLANK_MAX 1000
/* Longest scalar kept (a value, a description). */
#define SIGMA_SCALAR_MAX (1u << 20)

struct parts;

struct yctx {
	const char *name;
	const char *input;
	size_t len;
	struct ky_err *err;
	struct ky_buf sq;   /* unquoted single-quoted scalar */
	uint32_t line, col; /* fallback position: the last key seen */
	struct ky_sigma_rule *r;
	/* What the pair callbacks fill (no globals: loaders run in threads) */
	struct ky_sigma_group *g;
	struct ky_sigma_alias *alias;
	struct parts *parts;
};

typedef int (*pair_fn)(struct yctx *y, const char *key, size_t klen,
		       struct fy_node *k, struct fy_node *v);

static void tok_pos(struct fy_node *n, uint32_t *line, uint32_t *col)
{
	const struct fy_mark *m;
	struct fy_token *t;
	enum fy_node_style st;

	if ((t = fy_node_get_scalar_token(n)) == NULL ||
	    (m = fy_token_start_mark(t)) == NULL || m->line < 0)
		return;
	*line = (uint32_t)m->line + 1;
	*col = (uint32_t)m->column + 1;
	/* Quoted scalars are marked after the quote: point at the quote. */
	st = fy_node_get_style(n);
	if ((st == FYNS_SINGLE_QUOTED || st == FYNS_DOUBLE_QUOTED) && *col > 1)
		(*col)--;
}

/* libfyaml 0.7.12 keeps marks on scalar tokens only: a collection is placed
 * at its first scalar, or at the key that holds it when it is empty. */
static void node_pos(struct yctx *y, struct fy_node *n, uint32_t *line,
		     uint32_t *col)
{
	void *it;
	struct fy_node_pair *p;

	*line = y->line;
	*col = y->col;
	while (n != NULL) {
		it = NULL;
		if (fy_node_is_scalar(n)) {
			tok_pos(n, line, col);
			return;
		} else if (fy_node_is_sequence(n)) {
			n = fy_node_sequence_iterate(n, &it);
		} else if ((p = fy_node_mapping_iterate(n, &it)) != NULL) {
			n = fy_node_pair_key(p);
		} else {
			return;
		}
	}
}

static int fail(struct yctx *y, struct fy_node *at, int status, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int fail(struct yctx *y, struct fy_node *at, int status, const char *fmt,
		...)
{
	char msg[KY_ERR_MSG_MAX];
	uint32_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	node_pos(y, at, &line, &col);
	return ky_err_set(y->err, status, "%s:%u:%u: %s", y->name, line, col,
			  msg);
}

static int nomem(struct yctx *y)
{
	return ky_err_set(y->err, KY_E_NOMEM, "%s: out of memory", y->name);
}

/* Makes room for element n of an array grown only by this function: the
 * capacity is the next power of two, implied by the count. */
static int push(struct yctx *y, void *arrp, size_t n, size_t size)
{
	void **arr = arrp, *p;

	if (n != 0 && (n & (n - 1)) != 0)
		goto zero;
	if ((p = ky_reallocarray(*arr, n ? 2 * n : 1, size)) == NULL)
		return nomem(y);
	*arr = p;
zero:
	memset((char *)*arr + n * size, 0, size);
	return 0;
}

/* The text of scalar n, valid until the next call; NULL after an error
 * (set).  Rejects collections, aliases, NUL characters and huge scalars;
 * `what` names the thing in the message. */
static const char *scal(struct yctx *y, struct fy_node *n, const char *what,
			size_t *len)
{
	const struct fy_mark *a, *b;
	struct fy_token *t;
	const char *s = NULL;

	*len = 0;
	if (n == NULL)
		return "";
	if (fy_node_is_alias(n)) {
		fail(y, n, KY_E_PARSE, "YAML aliases are not supported");
		return NULL;
	}
	if (!fy_node_is_scalar(n)) {
		fail(y, n, KY_E_PARSE, "%s must be a scalar, not a %s", what,
		     fy_node_is_sequence(n) ? "list" : "map");
		return NULL;
	}
	if (fy_node_get_style(n) == FYNS_SINGLE_QUOTED &&
	    (t = fy_node_get_scalar_token(n)) != NULL &&
	    (a = fy_token_start_mark(t)) != NULL &&
	    (b = fy_token_end_mark(t)) != NULL &&
	    a->input_pos <= b->input_pos && b->input_pos <= y->len) {
		if (ky_yaml_unquote_single(y->input + a->input_pos,
					   b->input_pos - a->input_pos,
					   &y->sq) != 0) {
			nomem(y);
			return NULL;
		}
		*len = y->sq.len;
		s = ky_buf_str(&y->sq);
	} else if ((s = fy_node_get_scalar(n, len)) == NULL) {
		s = "";
		*len = 0;
	}
	if (*len > SIGMA_SCALAR_MAX) {
		fail(y, n, KY_E_TOOBIG, "%s longer than %u bytes", what,
		     SIGMA_SCALAR_MAX);
		return NULL;
	}
	if (memchr(s, '\0', *len) != NULL) {
		fail(y, n, KY_E_PARSE, "%s holds a NUL character", what);
		return NULL;
	}
	return s;
}

static bool plain_null(struct fy_node *n)
{
	size_t len;
	const char *s;
	struct ky_sigma_value v;

	if (n == NULL)
		return true;
	if (!fy_node_is_scalar(n) || fy_node_is_alias(n) ||
	    fy_node_get_style(n) != FYNS_PLAIN || fy_node_get_tag(n, &len))
		return false;
	if ((s = fy_node_get_scalar(n, &len)) == NULL)
		return true;
	ky__sigma_type_plain(s, len, &v);
	return v.type == KY_SV_NULL;
}

/* Copies scalar n into *out (freeing what was there); null leaves NULL. */
static int str(struct yctx *y, struct fy_node *n, const char *what, char **out)
{
	const char *s;
	size_t len;

	free(*out);
	*out = NULL;
	if (plain_null(n))
		return 0;
	if ((s = scal(y, n, what, &len)) == NULL)
		return y->err->status;
	if ((*out = ky_strndup(s, len)) == NULL)
		return nomem(y);
	return 0;
}

/* A string or a list of strings into (*v, *n); nulls are skipped. */
static int strlist(struct yctx *y, struct fy_node *n, const char *what,
		   char ***v, size_t *cnt)
{
	struct fy_node *e;
	void *it = NULL;
	char *s = NULL;
	int r;

	if (n != NULL && fy_node_is_mapping(n))
		return fail(y, n, KY_E_PARSE, "%s must be a string or a list",
			    what);
	if (n == NULL || !fy_node_is_sequence(n)) {
		if ((r = str(y, n, what, &s)) != 0 || s == NULL)
			return r;
		if ((r = push(y, v, *cnt, sizeof(char *))) != 0) {
			free(s);
			return r;
		}
		(*v)[(*cnt)++] = s;
		return 0;
	}
	while ((e = fy_node_sequence_iterate(n, &it)) != NULL) {
		if ((r = str(y, e, what, &s)) != 0)
			return r;
		if (s == NULL)
			continue;
		if ((r = push(y, v, *cnt, sizeof(char *))) != 0) {
			free(s);
			return r;
		}
		(*v)[(*cnt)++] = s;
		s = NULL;
	}
	return 0;
}

/* Calls fn for each pair of map n; keys must be scalars. */
static int each_pair(struct yctx *y, struct fy_node *n, const char *what,
		     pair_fn fn)
{
	struct fy_node_pair *p;
	struct fy_node *k;
	void *it = NULL;
	const char *key;
	char *copy;
	size_t klen;
	int r = 0;

	if (n == NULL || !fy_node_is_mapping(n))
		return fail(y, n, KY_E_PARSE, "%s must be a map", what);
	while (r == 0 && (p = fy_node_mapping_iterate(n, &it)) != NULL) {
		k = fy_node_pair_key(p);
		if (k == NULL)
			return fail(y, n, KY_E_PARSE, "empty key in %s", what);
		tok_pos(k, &y->line, &y->col);
		if ((key = scal(y, k, "a key", &klen)) == NULL)
			return y->err->status;
		/* The callee may read other scalars: keep the key. */
		if ((copy = ky_strndup(key, klen)) == NULL)
			return nomem(y);
		r = fn(y, copy, klen, k, fy_node_pair_value(p));
		free(copy);
	}
	return r;
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* One value of an item: typed by the YAML 1.2 core schema when plain. */
static int value(struct yctx *y, struct fy_node *n, struct ky_sigma_value *v)
{
	const char *s;
	size_t len, tl;

	if ((s = scal(y, n, "a value", &len)) == NULL)
		return y->err->status;
	v->type = KY_SV_STRING;
	if (n == NULL)
		v->type = KY_SV_NULL;
	else if (fy_node_get_style(n) == FYNS_PLAIN &&
		 fy_node_get_tag(n, &tl) == NULL)
		ky__sigma_type_plain(s, len, v);
	if ((v->s = ky_strndup(s, len)) == NULL)
		return nomem(y);
	v->len = len;
	return 0;
}

static int values(struct yctx *y, struct fy_node *n, struct ky_sigma_item *it)
{
	struct fy_node *e;
	void *iter = NULL;
	int r;

	if (n == NULL || !fy_node_is_sequence(n)) {
		if ((r = push(y, &it->values, 0, sizeof(*it->values))) != 0)
			return r;
		it->nvalues = 1;
		return value(y, n, &it->values[0]);
	}
	while ((e = fy_node_sequence_iterate(n, &iter)) != NULL) {
		if ((r = push(y, &it->values, it->nvalues,
			      sizeof(*it->values))) != 0)
			return r;
		it->nvalues++;
		if ((r = value(y, e, &it->values[it->nvalues - 1])) != 0)
			return r;
	}
	if (it->nvalues == 0)
		return fail(y, n, KY_E_PARSE, "empty list of values");
	return 0;
}

/* "Field|mod1|mod2" into field and modifiers. */
static int item_key(struct yctx *y, struct fy_node *k, const char *key,
		    size_t klen, struct ky_sigma_item *it)
{
	const char *p = memchr(key, '|', klen), *end = key + klen, *q;
	int b;

	tok_pos(k, &it->line, &it->col);
	if (p == NULL)
		p = end;
	/* "|mods" with no field: keywords with modifiers. */
	if (p > key && (it->field = ky_strndup(key, (size_t)(p - key))) == NULL)
		return nomem(y);
	while (p < end) {
		p++;
		if ((q = memchr(p, '|', (size_t)(end - p))) == NULL)
			q = end;
		if (q == p)
			return fail(y, k, KY_E_PARSE, "empty modifier in '%s'",
				    key);
		if ((b = ky__sigma_mod_lookup(p, (size_t)(q - p))) < 0)
			return fail(y, k, KY_E_PARSE, "unknown modifier '%.*s'",
				    (int)(q - p), p);
		if (it->nmodorder == sizeof(it->modorder))
			return fail(y, k, KY_E_PARSE, "more than %zu modifiers",
				    sizeof(it->modorder));
		it->modorder[it->nmodorder++] = (uint8_t)b;
		it->mods |= (uint64_t)1 << b;
		p = q;
	}
	return 0;
}

static int item_pair(struct yctx *y, const char *key, size_t klen,
		     struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_group *g = y->g;
	struct ky_sigma_item *it;
	const char *why;
	int r;

	if ((r = push(y, &g->items, g->nitems, sizeof(*g->items))) != 0)
		return r;
	it = &g->items[g->nitems++];
	if (v != NULL && fy_node_is_mapping(v))
		return fail(y, v, KY_E_PARSE,
			    "value of '%s' must be a scalar or a list", key);
	if ((r = item_key(y, k, key, klen, it)) != 0 ||
	    (r = values(y, v, it)) != 0)
		return r;
	if ((why = ky__sigma_item_check(it)) != NULL)
		return fail(y, k, KY_E_PARSE, "'%s': %s", key, why);
	return 0;
}

static int group(struct yctx *y, struct fy_node *n, struct ky_sigma_search *s)
{
	struct ky_sigma_group *saved = y->g;
	int r;

	if ((r = push(y, &s->groups, s->ngroups, sizeof(*s->groups))) != 0)
		return r;
	y->g = &s->groups[s->ngroups++];
	if (fy_node_mapping_item_count(n) == 0)
		r = fail(y, n, KY_E_PARSE, "empty map in search '%s'", s->name);
	else
		r = each_pair(y, n, "a search", item_pair);
	y->g = saved;
	return r;
}

/* A list: maps are groups (OR), scalars are keywords (one group). */
static int search_list(struct yctx *y, struct fy_node *n,
		       struct ky_sigma_search *s)
{
	struct ky_sigma_item *kw = NULL;
	struct fy_node *e;
	void *it = NULL;
	size_t kwg = 0;
	int r;

	while ((e = fy_node_sequence_iterate(n, &it)) != NULL) {
		if (fy_node_is_mapping(e)) {
			if ((r = group(y, e, s)) != 0)
				return r;
			continue;
		}
		if (fy_node_is_sequence(e))
			return fail(y, e, KY_E_PARSE,
				    "search '%s' holds a list in a list",
				    s->name);
		if (kw == NULL) {
			if ((r = push(y, &s->groups, s->ngroups,
				      sizeof(*s->groups))) != 0 ||
			    (r = push(y, &s->groups[s->ngroups].items, 0,
				      sizeof(*kw))) != 0)
				return r;
			kwg = s->ngroups++;
			s->groups[kwg].nitems = 1;
			kw = s->groups[kwg].items;
			tok_pos(e, &kw->line, &kw->col);
		}
		/* Groups may have moved: find the keyword item again. */
		kw = s->groups[kwg].items;
		if ((r = push(y, &kw->values, kw->nvalues,
			      sizeof(*kw->values))) != 0)
			return r;
		kw->nvalues++;
		if ((r = value(y, e, &kw->values[kw->nvalues - 1])) != 0)
			return r;
	}
	if (s->ngroups == 0)
		return fail(y, n, KY_E_PARSE, "empty search '%s'", s->name);
	return 0;
}

static int search_pair(struct yctx *y, const char *key, size_t klen,
		       struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_rule *r = y->r;
	struct ky_sigma_search *s;
	int rc;

	if (klen == 0)
		return fail(y, k, KY_E_PARSE, "empty search identifier");
	if ((rc = push(y, &r->searches, r->nsearches, sizeof(*s))) != 0)
		return rc;
	s = &r->searches[r->nsearches++];
	tok_pos(k, &s->line, &s->col);
	if ((s->name = ky_strndup(key, klen)) == NULL)
		return nomem(y);
	if (v != NULL && fy_node_is_alias(v))
		return fail(y, v, KY_E_PARSE, "YAML aliases are not supported");
	if (v != NULL && fy_node_is_mapping(v))
		return group(y, v, s);
	if (v != NULL && fy_node_is_sequence(v))
		return search_list(y, v, s);
	if (plain_null(v))
		return fail(y, k, KY_E_PARSE, "empty search '%s'", key);
	return fail(y, v, KY_E_PARSE, "search '%s' must be a map or a list",
		    key);
}

static int condition(struct yctx *y, struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_rule *r = y->r;
	size_t i;
	int rc;

	tok_pos(k, &r->cond_line, &r->cond_col);
	if (v != NULL && !plain_null(v))
		tok_pos(v, &r->cond_line, &r->cond_col);
	if ((rc = strlist(y, v, "condition", &r->conditions,
			  &r->nconditions)) != 0)
		return rc;
	if (r->nconditions == 0)
		return fail(y, k, KY_E_PARSE, "empty condition");
	for (i = 0; i < r->nconditions; i++) {
		if (r->conditions[i][0] == '\0')
			return fail(y, v, KY_E_PARSE, "empty condition");
	}
	return 0;
}

static int detection_pair(struct yctx *y, const char *key, size_t klen,
			  struct fy_node *k, struct fy_node *v)
{
	if (eq(key, klen, "condition"))
		return condition(y, k, v);
	/* Sigma 1 aggregations: v2 moved them to correlation rules, and the
	 * condition compiler rejects "| count()" forms. */
	if (eq(key, klen, "timeframe"))
		return 0;
	return search_pair(y, key, klen, k, v);
}

/* filter: rules + searches + condition (the filters specification). */
static int filter_pair(struct yctx *y, const char *key, size_t klen,
		       struct fy_node *k, struct fy_node *v)
{
	if (eq(key, klen, "rules"))
		return strlist(y, v, "filter rules", &y->r->filt->rules,
			       &y->r->filt->nrules);
	return detection_pair(y, key, klen, k, v);
}

static int logsource_pair(struct yctx *y, const char *key, size_t klen,
			  struct fy_node *k, struct fy_node *v)
{
	(void)k;
	if (eq(key, klen, "product"))
		return str(y, v, "logsource product", &y->r->product);
	if (eq(key, klen, "category"))
		return str(y, v, "logsource category", &y->r->category);
	if (eq(key, klen, "service"))
		return str(y, v, "logsource service", &y->r->service);
	return 0; /* definition and custom keys: documentation only */
}

static int number(struct yctx *y, struct fy_node *n, const char *what,
		  double *out)
{
	struct ky_sigma_value v = {0};
	const char *s;
	size_t len;

	if ((s = scal(y, n, what, &len)) == NULL)
		return y->err->status;
	if (n != NULL && fy_node_get_style(n) == FYNS_PLAIN)
		ky__sigma_type_plain(s, len, &v);
	if (v.type == KY_SV_INT)
		*out = (double)v.i;
	else if (v.type == KY_SV_FLOAT)
		*out = v.f;
	else
		return fail(y, n, KY_E_PARSE, "%s must be a number", what);
	return 0;
}

static int cond_pair(struct yctx *y, const char *key, size_t klen,
		     struct fy_node *k, struct fy_node *v)
{
	struct ky_corr_cond *c = &y->r->corr->cond;
	char **fields = NULL;
	size_t nf = 0;
	int r;

	if (eq(key, klen, "gt"))
		return c->has_gt = true, number(y, v, "gt", &c->gt);
	if (eq(key, klen, "gte"))
		return c->has_gte = true, number(y, v, "gte", &c->gte);
	if (eq(key, klen, "lt"))
		return c->has_lt = true, number(y, v, "lt", &c->lt);
	if (eq(key, klen, "lte"))
		return c->has_lte = true, number(y, v, "lte", &c->lte);
	if (eq(key, klen, "eq"))
		return c->has_eq = true, number(y, v, "eq", &c->eq);
	if (eq(key, klen, "neq"))
		return c->has_neq = true, number(y, v, "neq", &c->neq);
	if (eq(key, klen, "percentile"))
		return number(y, v, "percentile", &c->percentile);
	if (!eq(key, klen, "field"))
		return fail(y, k, KY_E_PARSE,
			    "unknown correlation condition '%s'", key);
	/* The schema allows a list; one field is all a value_* type uses. */
	if ((r = strlist(y, v, "condition field", &fields, &nf)) == 0 &&
	    nf != 1)
		r = fail(y, v == NULL ? k : v, KY_E_PARSE,
			 "condition field must name one field");
	if (r == 0) {
		free(c->field);
		c->field = fields[0];
		fields[0] = NULL;
	}
	ky__sigma_strv_free(fields, nf);
	return r;
}

static int alias_rule_pair(struct yctx *y, const char *key, size_t klen,
			   struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_alias *a = y->alias;
	int r;

	(void)k;
	if ((r = push(y, &a->rules, a->n, sizeof(char *))) != 0 ||
	    (r = push(y, &a->fields, a->n, sizeof(char *))) != 0)
		return r;
	a->n++;
	if ((a->rules[a->n - 1] = ky_strndup(key, klen)) == NULL)
		return nomem(y);
	if ((r = str(y, v, "alias field", &a->fields[a->n - 1])) != 0)
		return r;
	if (a->fields[a->n - 1] == NULL)
		return fail(y, k, KY_E_PARSE, "alias '%s' of '%s' is empty",
			    a->name, key);
	return 0;
}

static int alias_pair(struct yctx *y, const char *key, size_t klen,
		      struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_corr *c = y->r->corr;
	int r;

	(void)k;
	if ((r = push(y, &c->aliases, c->naliases, sizeof(*c->aliases))) != 0)
		return r;
	y->alias = &c->aliases[c->naliases++];
	if ((y->alias->name = ky_strndup(key, klen)) == NULL)
		return nomem(y);
	return each_pair(y, v, "an alias", alias_rule_pair);
}

static int boolean(struct yctx *y, struct fy_node *n, const char *what,
		   bool *out)
{
	struct ky_sigma_value v = {0};
	const char *s;
	size_t len;

	if ((s = scal(y, n, what, &len)) == NULL)
		return y->err->status;
	if (n != NULL && fy_node_get_style(n) == FYNS_PLAIN)
		ky__sigma_type_plain(s, len, &v);
	if (v.type != KY_SV_BOOL)
		return fail(y, n, KY_E_PARSE, "%s must be true or false", what);
	*out = v.b;
	return 0;
}

static int corr_pair(struct yctx *y, const char *key, size_t klen,
		     struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_corr *c = y->r->corr;
	const char *s;
	size_t len;

	if (eq(key, klen, "type")) {
		if ((s = scal(y, v, "type", &len)) == NULL)
			return y->err->status;
		if (ky__sigma_corr_type_lookup(s, len, &c->type) != 0)
			return fail(y, v == NULL ? k : v, KY_E_PARSE,
				    "unknown correlation type '%.*s'", (int)len,
				    s);
		return 0;
	}
	if (eq(key, klen, "rules"))
		return strlist(y, v, "correlation rules", &c->rules,
			       &c->nrules);
	if (eq(key, klen, "group-by"))
		return strlist(y, v, "group-by", &c->group_by, &c->ngroup_by);
	if (eq(key, klen, "timespan")) {
		if ((s = scal(y, v, "timespan", &len)) == NULL)
			return y->err->status;
		if (ky__sigma_timespan(s, len, &c->timespan_ns) != 0)
			return fail(y, v == NULL ? k : v, KY_E_PARSE,
				    "bad timespan '%.*s' (a number and s, m, "
				    "h, d or w)",
				    (int)len, s);
		return 0;
	}
	if (eq(key, klen, "condition"))
		return each_pair(y, v, "correlation condition", cond_pair);
	if (eq(key, klen, "aliases"))
		return each_pair(y, v, "aliases", alias_pair);
	if (eq(key, klen, "generate"))
		return boolean(y, v, "generate", &c->generate);
	return fail(y, k, KY_E_PARSE, "unknown correlation attribute '%s'",
		    key);
}

/* The pieces of a rule whose presence decides its kind. */
struct parts {
	struct fy_node *detection, *correlation, *filter, *generate;
	struct fy_node *kdetection, *kcorrelation, *kfilter;
};

static int author(struct yctx *y, struct fy_node *v)
{
	char **v_ = NULL;
	size_t n = 0, i;
	struct ky_buf b;
	int r;

	if ((r = strlist(y, v, "author", &v_, &n)) != 0 || n == 0)
		goto out;
	ky_buf_init(&b, 0);
	for (i = 0; i < n && r == 0; i++)
		r = ky_buf_addf(&b, "%s%s", i ? ", " : "", v_[i]);
	if (r == 0 && (y->r->author = ky_buf_steal(&b, NULL)) == NULL)
		r = KY_E_NOMEM;
	ky_buf_free(&b);
	if (r != 0)
		r = nomem(y);
out:
	ky__sigma_strv_free(v_, n);
	return r;
}

static int top_pair(struct yctx *y, const char *key, size_t klen,
		    struct fy_node *k, struct fy_node *v)
{
	struct ky_sigma_rule *r = y->r;
	const char *s;
	size_t len;

	if (eq(key, klen, "title"))
		return str(y, v, "title", &r->title);
	if (eq(key, klen, "id"))
		return str(y, v, "id", &r->id);
	if (eq(key, klen, "name"))
		return str(y, v, "name", &r->name);
	if (eq(key, klen, "status"))
		return str(y, v, "status", &r->status);
	if (eq(key, klen, "description"))
		return str(y, v, "description", &r->description);
	if (eq(key, klen, "author"))
		return author(y, v);
	if (eq(key, klen, "date"))
		return str(y, v, "date", &r->date);
	if (eq(key, klen, "modified"))
		return str(y, v, "modified", &r->modified);
	if (eq(key, klen, "license"))
		return str(y, v, "license", &r->license);
	if (eq(key, klen, "tags"))
		return strlist(y, v, "tags", &r->tags, &r->ntags);
	if (eq(key, klen, "falsepositives"))
		return strlist(y, v, "falsepositives", &r->falsepositives,
			       &r->nfalsepositives);
	if (eq(key, klen, "level")) {
		if (plain_null(v))
			return 0;
		if ((s = scal(y, v, "level", &len)) == NULL)
			return y->err->status;
		if (ky__sigma_level_lookup(s, len, &r->level) != 0)
			return fail(y, v, KY_E_PARSE, "unknown level '%.*s'",
				    (int)len, s);
		return 0;
	}
	if (eq(key, klen, "logsource")) {
		if (plain_null(v))
			return 0;
		return each_pair(y, v, "logsource", logsource_pair);
	}
	if (eq(key, klen, "detection"))
		y->parts->detection = v, y->parts->kdetection = k;
	else if (eq(key, klen, "correlation"))
		y->parts->correlation = v, y->parts->kcorrelation = k;
	else if (eq(key, klen, "filter"))
		y->parts->filter = v, y->parts->kfilter = k;
	else if (eq(key, klen, "generate"))
		y->parts->generate = v;
	return 0; /* references, related, fields, taxonomy...: not used */
}

static int body(struct yctx *y, struct parts *p, struct fy_node *root)
{
	struct ky_sigma_rule *r = y->r;
	const char *why;
	int rc;

	if ((p->detection != NULL) + (p->correlation != NULL) +
		    (p->filter != NULL) >
	    1)
		return fail(y, root, KY_E_PARSE,
			    "a rule has one of detection, correlation or "
			    "filter");
	if (p->kcorrelation != NULL) {
		r->kind = KY_SIGMA_CORRELATION;
		if ((r->corr = calloc(1, sizeof(*r->corr))) == NULL)
			return nomem(y);
		tok_pos(p->kcorrelation, &y->line, &y->col);
		if ((rc = each_pair(y, p->correlation, "correlation",
				    corr_pair)) != 0)
			return rc;
		if (p->generate != NULL &&
		    (rc = boolean(y, p->generate, "generate",
				  &r->corr->generate)) != 0)
			return rc;
		if ((why = ky__sigma_corr_check(r->corr)) != NULL)
			return fail(y, p->kcorrelation, KY_E_PARSE, "%s", why);
		return 0;
	}
	if (p->kfilter != NULL) {
		r->kind = KY_SIGMA_FILTER;
		if ((r->filt = calloc(1, sizeof(*r->filt))) == NULL)
			return nomem(y);
		tok_pos(p->kfilter, &y->line, &y->col);
		if ((rc = each_pair(y, p->filter, "filter", filter_pair)) != 0)
			return rc;
		if (r->filt->nrules == 0)
			return fail(y, p->kfilter, KY_E_PARSE,
				    "filter has no rules");
	} else {
		if (p->kdetection == NULL)
			return fail(y, root, KY_E_PARSE,
				    "no detection, correlation or filter");
		tok_pos(p->kdetection, &y->line, &y->col);
		if ((rc = each_pair(y, p->detection, "detection",
				    detection_pair)) != 0)
			return rc;
	}
	if (r->nconditions == 0)
		return fail(y, p->kfilter ? p->kfilter : p->kdetection,
			    KY_E_PARSE, "no condition");
	if (r->nsearches == 0)
		return fail(y, p->kfilter ? p->kfilter : p->kdetection,
			    KY_E_PARSE, "no search identifier");
	return 0;
}

static int document(struct yctx *y, struct fy_node *root,
		    struct ky_sigma_rule ***rules, size_t *n)
{
	struct ky_sigma_rule *r, **v;
	struct parts p = {0};
	int rc;

	if (root == NULL || plain_null(root))
		return 0; /* an empty document, as after a trailing --- */
	if (!fy_node_is_mapping(root))
		return fail(y, root, KY_E_PARSE, "a rule must be a map");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem(y);
	y->r = r;
	y->parts = &p;
	r->level = KY_SIGMA_MEDIUM;
	node_pos(y, root, &r->line, &y->col);
	y->line = r->line;
	if ((r->path = ky_strndup(y->name, strlen(y->name))) == NULL) {
		rc = nomem(y);
		goto out;
	}
	if ((rc = each_pair(y, root, "a rule", top_pair)) != 0 ||
	    (rc = body(y, &p, root)) != 0)
		goto out;
	if ((v = ky_reallocarray(*rules, *n + 1, sizeof(*v))) == NULL) {
		rc = nomem(y);
		goto out;
	}
	*rules = v;
	v[(*n)++] = r;
	r = NULL;
out:
	ky_sigma_rule_free(r);
	y->r = NULL;
	return rc;
}

/* libfyaml mishandles some invalid bytes and many blank lines: reject
 * them first, at their position (base/text.h says why). */
static int check_text(struct yctx *y)
{
	const char *what = NULL;
	unsigned line, col;
	int r = ky_yaml_precheck(y->input, y->len, SIGMA_BLANK_MAX, &line, &col,
				 &what);

	if (r == 0)
		return 0;
	y->line = line;
	y->col = col;
	if (r == KY_E_TOOBIG)
		r = fail(y, NULL, KY_E_TOOBIG,
			 "more than %d blank lines in a row", SIGMA_BLANK_MAX);
	else
		r = fail(y, NULL, KY_E_PARSE, "%s", what);
	y->line = 1;
	y->col = 1;
	return r;
}

static void diag_sink(struct fy_diag *diag, void *user, const char *buf,
		      size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

static int syntax_error(struct yctx *y, struct fy_diag *diag)
{
	struct fy_diag_error *de;
	void *it = NULL;

	while ((de = fy_diag_errors_iterate(diag, &it)) != NULL) {
		if (de->type < FYET_ERROR)
			continue;
		if (de->line > 0) {
			y->line = (uint32_t)de->line;
			y->col = (uint32_t)(de->column > 0 ? de->column : 1);
		}
		return fail(y, NULL, KY_E_PARSE, "YAML syntax error: %s",
			    de->msg ? de->msg : "?");
	}
	return fail(y, NULL, KY_E_PARSE, "YAML syntax error");
}

int ky_sigma_load_mem(const char *name, const char *text, size_t len,
		      struct ky_sigma_rule ***rules, size_t *n,
		      struct ky_err *err)
{
	struct yctx y;
	struct fy_diag_cfg dc;
	struct fy_parse_cfg pc;
	struct fy_diag *diag = NULL;
	struct fy_parser *fyp = NULL;
	struct fy_document *doc;
	int r;

	memset(&y, 0, sizeof(y));
	y.name = name;
	y.input = len ? text : "";
	y.len = len;
	y.err = err != NULL ? err : &(struct ky_err){0};
	ky_buf_init(&y.sq, 0);
	if ((r = check_text(&y)) != 0)
		goto out;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_sink;
	dc.colorize = false;
	r = KY_E_NOMEM;
	if ((diag = fy_diag_create(&dc)) == NULL)
		goto nomem;
	fy_diag_set_collect_errors(diag, true);
	memset(&pc, 0, sizeof(pc));
	pc.flags = FYPCF_QUIET;
	pc.diag = diag;
	if ((fyp = fy_parser_create(&pc)) == NULL ||
	    fy_parser_set_string(fyp, y.input, len) != 0)
		goto nomem;
	r = 0;
	while (r == 0 && (doc = fy_parse_load_document(fyp)) != NULL) {
		r = document(&y, fy_document_root(doc), rules, n);
		fy_parse_document_destroy(fyp, doc);
	}
	if (r == 0 && fy_parser_get_stream_error(fyp))
		r = syntax_error(&y, diag);
	goto out;
nomem:
	nomem(&y);
out:
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	if (diag != NULL)
		fy_diag_destroy(diag);
	ky_buf_free(&y.sq);
	return r;
}
