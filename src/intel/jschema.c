/* JSON Schema: compiling schemas into a graph of nodes (refs resolved,
 * regexes compiled once) and validating instances against it, reporting the
 * JSON pointer of the first failure.  docs/jschema.md has the model. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "intel/jschema_int.h"

/* Backtracking budget per pattern match: a hostile string must not pin a
 * worker on a pathological pattern. */
#define JS_MATCH_LIMIT 1000000u

size_t ky__js_ptr_push(struct jptr *p, const char *s, size_t len)
{
	size_t old = p->n;
	size_t need = 1;

	for (size_t i = 0; i < len; i++)
		need += (s[i] == '~' || s[i] == '/') ? 2 : 1;
	if (p->n + need + 1 > sizeof(p->b)) {
		if (p->n + 5 < sizeof(p->b))
			memcpy(p->b + p->n, "/...", 5), p->n += 4;
		return old;
	}
	p->b[p->n++] = '/';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '~' || s[i] == '/') {
			p->b[p->n++] = '~';
			p->b[p->n++] = s[i] == '~' ? '0' : '1';
		} else {
			p->b[p->n++] = s[i];
		}
	}
	p->b[p->n] = '\0';
	return old;
}

size_t ky__js_ptr_push_idx(struct jptr *p, size_t i)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%zu", i);

	return ky__js_ptr_push(p, tmp, (size_t)n);
}

void ky__js_ptr_pop(struct jptr *p, size_t old)
{
	p->n = old;
	p->b[old] = '\0';
}

/* ---- URIs ---- */

static size_t scheme_len(const char *u)
{
	size_t i = 0;

	while (u[i] && u[i] != ':' && u[i] != '/' && u[i] != '?' && u[i] != '#')
		i++;
	return u[i] == ':' && i > 0 ? i + 1 : 0;
}

static char *str_join(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	char *r = ky_xmalloc(alen + blen + 1);

	memcpy(r, a, alen);
	memcpy(r + alen, b, blen + 1);
	return r;
}

/* RFC 3986 5.2, without dot-segment removal (the schemas we meet use
 * absolute URIs and "#..." fragments). */
static char *uri_resolve(const char *base, const char *ref)
{
	size_t bl = base ? strcspn(base, "#") : 0;
	size_t sl, al;

	if (scheme_len(ref) > 0 || base == NULL)
		return ky_xstrdup(ref);
	if (ref[0] == '#' || ref[0] == '\0')
		return str_join(base, bl, ref);
	sl = scheme_len(base);
	if (ref[0] == '/' && ref[1] == '/')
		return str_join(base, sl, ref);
	al = sl;
	if (base[sl] == '/' && base[sl + 1] == '/')
		al = sl + 2 + strcspn(base + sl + 2, "/?#");
	if (ref[0] == '/')
		return str_join(base, al, ref);
	size_t end = strcspn(base + al, "?#") + al;
	while (end > al && base[end - 1] != '/')
		end--;
	if (end == al && al > sl) {
		/* "http://host" has an empty path: the reference gets "/". */
		char *slash = str_join(base, al, "/");
		char *r = str_join(slash, al + 1, ref);
		free(slash);
		return r;
	}
	return str_join(base, end, ref);
}

/* Decodes %XX in place. */
static void pct_decode(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '%' && r[1] && r[2]) {
			char hex[3] = {r[1], r[2], 0};
			char *end;
			long v = strtol(hex, &end, 16);
			if (*end == '\0' && v > 0) {
				*w++ = (char)v;
				r += 2;
				continue;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

/* Follows a JSON pointer fragment ("/$defs/x", percent-encoded as in a
 * URI) from root; NULL if it leads nowhere. */
static json_t *ptr_walk(json_t *root, const char *frag)
{
	char *buf = ky_xstrdup(frag);
	char *tok = buf;
	json_t *cur = root;

	pct_decode(buf);
	if (*tok != '/') {
		cur = *tok ? NULL : root;
		goto out;
	}
	while (cur && tok && *tok == '/') {
		char *next = strchr(tok + 1, '/');
		char *w = tok + 1;
		size_t n = 0;
		if (next)
			*next = '\0';
		for (char *r = tok + 1; *r; r++) {
			if (r[0] == '~' && (r[1] == '0' || r[1] == '1'))
				w[n++] = r[1] == '0' ? '~' : '/', r++;
			else
				w[n++] = *r;
		}
		w[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, w);
		} else if (json_is_array(cur) && n > 0 &&
			   strspn(w, "0123456789") == n) {
			cur = json_array_get(cur, strtoul(w, NULL, 10));
		} else {
			cur = NULL;
		}
		if (next)
			*next = '/';
		tok = next;
	}
out:
	free(buf);
	return cur;
}

/* ---- compiling ---- */

struct cctx {
	struct ky_jschema *s;
	const char *name; /* file or URI, for messages */
	const char *base;
	int draft;
	struct jptr path;
	struct ky_err *err;
};

static int cerr(struct cctx *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cerr(struct cctx *c, int status, const char *fmt, ...)
{
	char msg[KY_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ky_err_set(c->err, status, "%s: schema %s: %s", c->name,
			  c->path.n ? c->path.b : "(root)", msg);
}

static void node_free(void *p)
{
	struct js_node *n = p;

	if (n == NULL)
		return;
	free(n->ref_uri);
	pcre2_code_free(n->pattern);
	for (size_t i = 0; i < n->npats; i++)
		pcre2_code_free(n->pats[i].re);
	free(n->pats);
	free(n->props);
	for (size_t i = 0; i < n->ndeps; i++)
		free(n->deps[i].req);
	free(n->deps);
	free(n->req);
	free(n->prefix.v);
	free(n->all.v);
	free(n->any.v);
	free(n->one.v);
	free(n);
}

static int compile(struct cctx *c, json_t *js, struct js_node **out);

/* Compiles the subschema v found under key (and index or member name). */
static int sub(struct cctx *c, json_t *v, const char *key, const char *k2,
	       size_t idx, struct js_node **out)
{
	size_t old = ky__js_ptr_push(&c->path, key, strlen(key));
	int r;

	if (k2)
		ky__js_ptr_push(&c->path, k2, strlen(k2));
	else if (idx != SIZE_MAX)
		ky__js_ptr_push_idx(&c->path, idx);
	r = compile(c, v, out);
	ky__js_ptr_pop(&c->path, old);
	return r;
}

static int need(struct cctx *c, bool ok, const char *kw, const char *what)
{
	return ok ? 0 : cerr(c, KY_E_PARSE, "'%s' must be %s", kw, what);
}

static int size_kw(struct cctx *c, json_t *v, const char *kw, size_t *out)
{
	double d = json_number_value(v);

	/* 2020-12 allows 2.0 where an integer is meant. */
	if (!json_is_number(v) || d < 0 || d != floor(d) || d > 1e15)
		return cerr(c, KY_E_PARSE,
			    "'%s' must be a non-negative integer", kw);
	*out = (size_t)d;
	return 0;
}

static int list_kw(struct cctx *c, json_t *v, const char *kw, struct js_list *l)
{
	size_t i;
	json_t *e;
	int r;

	if ((r = need(c, json_is_array(v) && json_array_size(v) > 0, kw,
		      "a non-empty array of schemas")) != 0)
		return r;
	l->v = ky_xcalloc(json_array_size(v), sizeof(*l->v));
	json_array_foreach(v, i, e)
	{
		if ((r = sub(c, e, kw, NULL, i, &l->v[l->n])) != 0)
			return r;
		l->n++;
	}
	return 0;
}

static int str_list(struct cctx *c, json_t *v, const char *kw,
		    const char ***out, size_t *n)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return cerr(c, KY_E_PARSE, "'%s' must be an array of strings",
			    kw);
	*out = ky_xcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return cerr(c, KY_E_PARSE,
				    "'%s' must be an array of strings", kw);
		(*out)[(*n)++] = json_string_value(e);
	}
	return 0;
}

static pcre2_code *re_compile(struct cctx *c, const char *src, int *r)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re;
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);

	/* ECMA-262 flavour: "$" only at the very end, \uHHHH escapes, "."
	 * stops at line terminators; no anchoring is added. */
	pcre2_set_newline(cc, PCRE2_NEWLINE_ANY);
	re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
			   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX,
			   &ec, &eo, cc);
	pcre2_compile_context_free(cc);
	if (re == NULL) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		*r = cerr(c, KY_E_PARSE, "pattern offset %zu: %s", (size_t)eo,
			  (const char *)msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*r = 0;
	return re;
}

static int kw_type(struct cctx *c, struct js_node *n, json_t *v)
{
	json_t *one = v;
	size_t i = 0, cnt = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < cnt; i++) {
		if (json_is_array(v))
			one = json_array_get(v, i);
		size_t t = 0;
		while (t < 7 &&
		       (!json_is_string(one) ||
			strcmp(ky__js_type_names[t], json_string_value(one))))
			t++;
		if (t == 7)
			return cerr(c, KY_E_PARSE, "unknown type in 'type'");
		n->types |= 1u << t;
	}
	return 0;
}

static int kw_properties(struct cctx *c, struct js_node *n, json_t *v)
{
	const char *k;
	json_t *e;
	int r;

	if ((r = need(c, json_is_object(v), "properties", "an object")) != 0)
		return r;
	n->props = ky_xcalloc(json_object_size(v) + 1, sizeof(*n->props));
	json_object_foreach(v, k, e)
	{
		n->props[n->nprops].name = k;
		if ((r = sub(c, e, "properties", k, SIZE_MAX,
			     &n->props[n->nprops].node)) != 0)
			return r;
		n->nprops++;
	}
	return 0;
}

static int kw_pattern_props(struct cctx *c, struct js_node *n, json_t *v)
{
	const char *k;
	json_t *e;
	int r = 0;

	if ((r = need(c, json_is_object(v), "patternProperties",
		      "an object")) != 0)
		return r;
	n->pats = ky_xcalloc(json_object_size(v) + 1, sizeof(*n->pats));
	json_object_foreach(v, k, e)
	{
		struct js_pat *p = &n->pats[n->npats];
		if ((p->re = re_compile(c, k, &r)) == NULL)
			return r;
		n->npats++;
		if ((r = sub(c, e, "patternProperties", k, SIZE_MAX,
			     &p->node)) != 0)
			return r;
	}
	return 0;
}

static int kw_deps(struct cctx *c, struct js_node *n, json_t *v, const char *kw)
{
	const char *k;
	json_t *e;
	int r;

	if ((r = need(c, json_is_object(v), kw, "an object")) != 0)
		return r;
	n->deps = ky_reallocarray(n->deps, n->ndeps + json_object_size(v) + 1,
				  sizeof(*n->deps));
	if (n->deps == NULL)
		return cerr(c, KY_E_NOMEM, "out of memory");
	json_object_foreach(v, k, e)
	{
		struct js_dep *d = &n->deps[n->ndeps++];
		memset(d, 0, sizeof(*d));
		d->name = k;
		if (json_is_array(v) ||
		    (json_is_array(e) && strcmp(kw, "dependentSchemas") != 0))
			r = str_list(c, e, kw, &d->req, &d->nreq);
		else
			r = sub(c, e, kw, k, SIZE_MAX, &d->node);
		if (r != 0)
			return r;
	}
	return 0;
}

static int kw_items(struct cctx *c, struct js_node *n, json_t *v)
{
	/* Draft-04/07 tuple form; 2020-12 spells it prefixItems. */
	if (json_is_array(v))
		return list_kw(c, v, "items", &n->prefix);
	return sub(c, v, "items", NULL, SIZE_MAX, &n->items);
}

static int kw_bound(struct cctx *c, struct js_node *n, json_t *v,
		    const char *kw)
{
	bool x = kw[0] == 'e';
	bool max = strstr(kw, "aximum") != NULL;

	if (x && json_is_boolean(v)) {
		*(max ? &n->xmax_bool : &n->xmin_bool) = json_is_true(v);
		return 0;
	}
	if (!json_is_number(v))
		return cerr(c, KY_E_PARSE, "'%s' must be a number", kw);
	if (strcmp(kw, "multipleOf") == 0) {
		if (json_number_value(v) <= 0)
			return cerr(c, KY_E_PARSE, "'multipleOf' must be > 0");
		n->mult = v;
	} else if (x) {
		*(max ? &n->xmax : &n->xmin) = v;
	} else {
		*(max ? &n->maximum : &n->minimum) = v;
	}
	return 0;
}

/* Applies one keyword; unknown keywords are annotations and ignored. */
static int keyword(struct cctx *c, struct js_node *n, const char *k, json_t *v)
{
	static const char *const unsupported[] = {
		"unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
		"$recursiveRef"};
	int r = 0;

	for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++)
		if (strcmp(k, unsupported[i]) == 0)
			return cerr(c, KY_E_UNSUPPORTED,
				    "keyword '%s' is not supported", k);
	if (strcmp(k, "type") == 0)
		r = kw_type(c, n, v);
	else if (strcmp(k, "properties") == 0)
		r = kw_properties(c, n, v);
	else if (strcmp(k, "patternProperties") == 0)
		r = kw_pattern_props(c, n, v);
	else if (strcmp(k, "additionalProperties") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->addl);
	else if (strcmp(k, "propertyNames") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->propnames);
	else if (strcmp(k, "required") == 0)
		r = str_list(c, v, k, &n->req, &n->nreq);
	else if (strcmp(k, "dependentRequired") == 0 ||
		 strcmp(k, "dependentSchemas") == 0 ||
		 (strcmp(k, "dependencies") == 0 && c->draft <= 7))
		r = kw_deps(c, n, v, k);
	else if (strcmp(k, "items") == 0)
		r = kw_items(c, n, v);
	else if (strcmp(k, "prefixItems") == 0)
		r = list_kw(c, v, k, &n->prefix);
	else if (strcmp(k, "additionalItems") == 0 && c->draft < 2020)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->items);
	else if (strcmp(k, "contains") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->contains);
	else if (strcmp(k, "allOf") == 0)
		r = list_kw(c, v, k, &n->all);
	else if (strcmp(k, "anyOf") == 0)
		r = list_kw(c, v, k, &n->any);
	else if (strcmp(k, "oneOf") == 0)
		r = list_kw(c, v, k, &n->one);
	else if (strcmp(k, "not") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->not_);
	else if (strcmp(k, "if") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->if_);
	else if (strcmp(k, "then") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->then_);
	else if (strcmp(k, "else") == 0)
		r = sub(c, v, k, NULL, SIZE_MAX, &n->else_);
	else if (strcmp(k, "enum") == 0)
		r = need(c, json_is_array(v), k, "an array"), n->enum_v = v;
	else if (strcmp(k, "const") == 0)
		n->const_v = v;
	else if (strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0 ||
		 strcmp(k, "exclusiveMinimum") == 0 ||
		 strcmp(k, "exclusiveMaximum") == 0 ||
		 strcmp(k, "multipleOf") == 0)
		r = kw_bound(c, n, v, k);
	else if (strcmp(k, "minLength") == 0)
		r = size_kw(c, v, k, &n->min_len);
	else if (strcmp(k, "maxLength") == 0)
		r = size_kw(c, v, k, &n->max_len);
	else if (strcmp(k, "minItems") == 0)
		r = size_kw(c, v, k, &n->min_items);
	else if (strcmp(k, "maxItems") == 0)
		r = size_kw(c, v, k, &n->max_items);
	else if (strcmp(k, "minProperties") == 0)
		r = size_kw(c, v, k, &n->min_props);
	else if (strcmp(k, "maxProperties") == 0)
		r = size_kw(c, v, k, &n->max_props);
	else if (strcmp(k, "uniqueItems") == 0)
		r = need(c, json_is_boolean(v), k, "a boolean"),
		n->unique = json_is_true(v);
	else if (strcmp(k, "pattern") == 0) {
		if ((r = need(c, json_is_string(v), k, "a string")) == 0 &&
		    (n->pattern = re_compile(c, json_string_value(v), &r)))
			n->pattern_src = json_string_value(v);
	} else if (strcmp(k, "format") == 0) {
		if ((r = need(c, json_is_string(v), k, "a string")) == 0)
			n->format = json_string_value(v);
	}
	return r;
}

/* Registers a resource under uri (fragment dropped) unless taken. */
static int res_put(struct ky_jschema *s, const char *uri, json_t *js, int draft,
		   bool must_be_new)
{
	size_t len = strcspn(uri, "#");
	struct js_res *res;

	if (ky_hash_get(s->res, uri, len) != NULL)
		return must_be_new ? KY_E_EXISTS : 0;
	res = ky_xcalloc(1, sizeof(*res));
	res->json = js;
	res->draft = draft;
	if (ky_hash_put(s->res, uri, len, res, NULL) != 0) {
		free(res);
		return KY_E_NOMEM;
	}
	return 0;
}

static int compile(struct cctx *c, json_t *js, struct js_node **out)
{
	struct js_node *n = ky_hash_get(c->s->nodes, &js, sizeof(js));
	const char *saved_base = c->base;
	char *base = NULL;
	const char *k;
	json_t *v, *id, *ref;
	int r = 0;

	*out = n;
	if (n != NULL)
		return 0;
	if (!json_is_object(js) && !json_is_boolean(js))
		return cerr(c, KY_E_PARSE,
			    "a schema must be an object or "
			    "a boolean");
	n = ky_xcalloc(1, sizeof(*n));
	n->max_len = n->max_items = n->max_props = SIZE_MAX;
	if (ky_hash_put(c->s->nodes, &js, sizeof(js), n, NULL) != 0) {
		node_free(n);
		return cerr(c, KY_E_NOMEM, "out of memory");
	}
	*out = n;
	if (json_is_boolean(js)) {
		n->never = json_is_false(js);
		return 0;
	}
	id = json_object_get(js, c->draft <= 4 ? "id" : "$id");
	if (json_is_string(id) && json_string_value(id)[0] != '#' &&
	    c->path.n > 0) {
		base = uri_resolve(c->base, json_string_value(id));
		c->base = base;
		(void)res_put(c->s, base, js, c->draft, false);
	}
	ref = json_object_get(js, "$ref");
	if (ref != NULL) {
		if (!json_is_string(ref)) {
			r = cerr(c, KY_E_PARSE, "'$ref' must be a string");
			goto out;
		}
		n->ref_str = json_string_value(ref);
		n->ref_uri = uri_resolve(c->base, n->ref_str);
		/* Before 2019-09, $ref replaces its siblings. */
		n->ref_only = c->draft <= 7;
	}
	if (!n->ref_only) {
		json_object_foreach(js, k, v)
		{
			if ((r = keyword(c, n, k, v)) != 0)
				goto out;
		}
	}
out:
	c->base = saved_base;
	free(base);
	return r;
}

/* Resolves pending $refs until a pass resolves nothing more; refs to
 * schemas not yet added stay pending. */
static int resolve_pending(struct ky_jschema *s, struct cctx *c)
{
	bool progress = true;
	int r = 0;

	while (progress && r == 0) {
		size_t iter = 0, npend = 0, cap = ky_hash_count(s->nodes);
		struct js_node **pend = ky_xcalloc(cap + 1, sizeof(*pend));
		const void *key;
		size_t klen;
		void *val;

		while (ky_hash_next(s->nodes, &iter, &key, &klen, &val))
			if (((struct js_node *)val)->ref_uri &&
			    !((struct js_node *)val)->ref)
				pend[npend++] = val;
		progress = false;
		for (size_t i = 0; i < npend && r == 0; i++) {
			struct js_node *n = pend[i];
			size_t ulen = strcspn(n->ref_uri, "#");
			struct js_res *res =
				ky_hash_get(s->res, n->ref_uri, ulen);
			json_t *target;
			if (res == NULL)
				continue;
			target = n->ref_uri[ulen]
					 ? ptr_walk(res->json,
						    n->ref_uri + ulen + 1)
					 : res->json;
			if (target == NULL) {
				r = ky_err_set(c->err, KY_E_PARSE,
					       "%s: $ref '%s' points nowhere",
					       c->name, n->ref_str);
				break;
			}
			char *b = str_join(n->ref_uri, ulen, "");
			c->base = b;
			c->draft = res->draft;
			/* Compile errors name the target's place. */
			c->path.n =
				(size_t)snprintf(c->path.b, sizeof(c->path.b),
						 "%s", n->ref_uri + ulen);
			if (c->path.n >= sizeof(c->path.b))
				c->path.n = sizeof(c->path.b) - 1;
			r = compile(c, target, &n->ref);
			free(b);
			progress = true;
		}
		free(pend);
	}
	return r;
}

/* ---- public ---- */

int ky_jschema_new(struct ky_jschema **out)
{
	struct ky_jschema *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return KY_E_NOMEM;
	s->res = ky_hash_new(0);
	s->nodes = ky_hash_new(0);
	s->docs = json_array();
	s->mctx = pcre2_match_context_create(NULL);
	if (!s->res || !s->nodes || !s->docs || !s->mctx) {
		ky_jschema_free(s);
		return KY_E_NOMEM;
	}
	pcre2_set_match_limit(s->mctx, JS_MATCH_LIMIT);
	*out = s;
	return 0;
}

void ky_jschema_free(struct ky_jschema *s)
{
	if (s == NULL)
		return;
	ky_hash_free(s->res, free);
	ky_hash_free(s->nodes, node_free);
	json_decref(s->docs);
	pcre2_match_context_free(s->mctx);
	free(s);
}

static int draft_of(const json_t *schema)
{
	const char *d = json_string_value(json_object_get(schema, "$schema"));

	if (d == NULL)
		return 2020;
	if (strstr(d, "draft-04") || strstr(d, "draft-03"))
		return 4;
	if (strstr(d, "draft-06"))
		return 6;
	if (strstr(d, "draft-07"))
		return 7;
	if (strstr(d, "2019-09"))
		return 2019;
	return 2020;
}

int ky_jschema_add(struct ky_jschema *s, json_t *schema, const char *uri,
		   struct ky_err *err)
{
	struct cctx c = {.s = s, .err = err};
	struct js_node *root;
	const char *id;
	int r;

	if (s == NULL || schema == NULL)
		return ky_err_set(err, KY_E_INVAL, "jschema: no schema");
	c.draft = draft_of(schema);
	id = json_string_value(
		json_object_get(schema, c.draft <= 4 ? "id" : "$id"));
	if (uri == NULL)
		uri = id;
	if (uri == NULL || scheme_len(uri) == 0)
		return ky_err_set(err, KY_E_INVAL,
				  "jschema: schema has no absolute $id and no "
				  "URI was given");
	c.name = uri;
	c.base = uri;
	if (json_array_append(s->docs, schema) != 0)
		return ky_err_set(err, KY_E_NOMEM, "%s: out of memory", uri);
	if ((r = res_put(s, uri, schema, c.draft, true)) != 0)
		return ky_err_set(err, r, "%s: %s", uri,
				  r == KY_E_EXISTS ? "URI already registered"
						   : "out of memory");
	if (id && strcmp(id, uri) != 0 && scheme_len(id) > 0 &&
	    (r = res_put(s, id, schema, c.draft, false)) != 0)
		return ky_err_set(err, r, "%s: out of memory", uri);
	if ((r = compile(&c, schema, &root)) != 0)
		return r;
	return resolve_pending(s, &c);
}

int ky_jschema_add_file(struct ky_jschema *s, const char *path, const char *uri,
			struct ky_err *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	int r;

	if (j == NULL)
		return ky_err_set(err, KY_E_PARSE, "%s:%d:%d: %s", path,
				  je.line, je.column, je.text);
	r = ky_jschema_add(s, j, uri, err);
	if (r != 0)
		ky_err_prefix(err, "%s", path);
	json_decref(j);
	return r;
}

int ky_jschema_load_csaf(struct ky_jschema *s, const char *csaf_dir,
			 bool strict, struct ky_err *err)
{
	static const char *const cvss[] = {"2.0", "3.0", "3.1"};
	char path[4096], uri[128];
	int r, n;

	for (size_t i = 0; i < 3; i++) {
		n = snprintf(path, sizeof(path),
			     "%s/referenced_schema/first/cvss-v%s%s.json",
			     csaf_dir, cvss[i], strict ? "_strict" : "");
		if (n < 0 || (size_t)n >= sizeof(path))
			return ky_err_set(err, KY_E_INVAL, "path too long");
		snprintf(uri, sizeof(uri),
			 "https://www.first.org/cvss/cvss-v%s.json", cvss[i]);
		if ((r = ky_jschema_add_file(s, path, uri, err)) != 0)
			return r;
	}
	n = snprintf(path, sizeof(path), "%s/json_schema/csaf_json_schema.json",
		     csaf_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ky_err_set(err, KY_E_INVAL, "path too long");
	return ky_jschema_add_file(s, path, NULL, err);
}

int ky_jschema_validate(const struct ky_jschema *s, const char *uri,
			const json_t *doc, struct ky_err *err)
{
	struct js_res *res;
	struct js_node *node;
	json_t *target;
	size_t ulen;

	if (s == NULL || uri == NULL || doc == NULL)
		return ky_err_set(err, KY_E_INVAL, "jschema: bad arguments");
	ulen = strcspn(uri, "#");
	res = ky_hash_get(s->res, uri, ulen);
	target = res == NULL	     ? NULL
		 : uri[ulen] == '\0' ? res->json
				     : ptr_walk(res->json, uri + ulen + 1);
	node = target ? ky_hash_get(s->nodes, &target, sizeof(target)) : NULL;
	if (node == NULL)
		return ky_err_set(err, KY_E_NOTFOUND,
				  "jschema: no compiled schema '%s'", uri);
	return ky__js_run(s, node, doc, err);
}
