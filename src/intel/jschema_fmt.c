/* JSON schema validation proper: walking an instance through the compiled
 * node graph (jschema.c compiles it), and the "format" assertions, written
 * from the RFC grammars (date-time, uri, email, ...). */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "intel/jschema_int.h"

struct vctx {
	const struct ky_jschema *s;
	pcre2_match_data *md;
	struct jptr path;
	unsigned depth;
	unsigned nerr;
	bool all;   /* go on after an error: scoring oneOf/anyOf branches */
	bool quiet; /* only pass or fail matters: no messages */
	int fatal;  /* a limit or a missing $ref: stop everything */
	unsigned msg_depth;
	char msg[KY_ERR_MSG_MAX];
};

static bool fail(struct vctx *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (++v->nerr > 1 || v->quiet)
		return false;
	n = snprintf(v->msg, sizeof(v->msg),
		     "%s: ", v->path.n ? v->path.b : "(root)");
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(v->msg))
		vsnprintf(v->msg + n, sizeof(v->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	/* Rank for choosing among failed branches: deeper is better, and at
	 * equal depth a type mismatch (odd rank - 1) loses. */
	v->msg_depth = 1;
	for (size_t i = 0; i < v->path.n; i++)
		v->msg_depth += v->path.b[i] == '/' ? 2 : 0;
	return false;
}

static bool fatal(struct vctx *v, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fatal(struct vctx *v, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (v->fatal)
		return false;
	v->fatal = status;
	n = snprintf(v->msg, sizeof(v->msg),
		     "%s: ", v->path.n ? v->path.b : "(root)");
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(v->msg))
		vsnprintf(v->msg + n, sizeof(v->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static const char *num_str(const json_t *j, char *buf, size_t len)
{
	if (json_is_integer(j)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(j));
	} else {
		double d = json_real_value(j);
		snprintf(buf, len, "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, len, "%.17g", d);
	}
	return buf;
}

/* Compares numbers exactly when both are integers. */
static int num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	double x = json_number_value(a), y = json_number_value(b);
	return (x > y) - (x < y);
}

/* JSON Schema equality: 1 and 1.0 are the same number. */
static bool js_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return num_cmp(a, b) == 0;
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!js_equal(json_array_get(a, i),
				      json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		const json_t *e;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, e)
		{
			const json_t *o = json_object_get(b, k);
			if (o == NULL || !js_equal(e, o))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b) != 0;
}

/* Hash consistent with js_equal, for uniqueItems in O(n log n). */
static uint64_t js_hash(const json_t *j)
{
	uint64_t h = (uint64_t)json_typeof(j) * 0x9e3779b97f4a7c15u;

	if (json_is_number(j)) {
		double d = json_number_value(j);
		if (d == 0)
			d = 0; /* -0 == 0 */
		return ky_hash_bytes(&d, sizeof(d)) ^ 0x5bd1e995u;
	}
	if (json_is_string(j))
		return h ^ ky_hash_bytes(json_string_value(j),
					 json_string_length(j));
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++)
			h = (h ^ js_hash(json_array_get(j, i))) *
			    0x100000001b3u;
	} else if (json_is_object(j)) {
		const char *k;
		const json_t *e;
		uint64_t sum = 0;
		json_object_foreach((json_t *)j, k, e)
		{
			sum += ky_hash_bytes(k, strlen(k)) * 31u + js_hash(e);
		}
		h ^= sum;
	}
	return h;
}

struct hidx {
	uint64_t h;
	size_t i;
};

static int hidx_cmp(const void *a, const void *b)
{
	const struct hidx *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Index of a later duplicate and its first occurrence, or false. */
static bool find_dup(const json_t *arr, size_t *first, size_t *second,
		     bool *nomem)
{
	size_t n = json_array_size(arr);
	struct hidx *v = ky_reallocarray(NULL, n ? n : 1, sizeof(*v));
	bool found = false;

	*nomem = v == NULL;
	if (v == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct hidx){js_hash(json_array_get(arr, i)), i};
	qsort(v, n, sizeof(*v), hidx_cmp);
	for (size_t i = 0; i + 1 < n && !found; i++)
		for (size_t k = i + 1; k < n && v[k].h == v[i].h && !found; k++)
			if (js_equal(json_array_get(arr, v[i].i),
				     json_array_get(arr, v[k].i))) {
				*first = v[i].i;
				*second = v[k].i;
				found = true;
			}
	free(v);
	return found;
}

static unsigned type_of(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return T_OBJ;
	case JSON_ARRAY:
		return T_ARR;
	case JSON_STRING:
		return T_STR;
	case JSON_INTEGER:
		return T_NUM | T_INT;
	case JSON_REAL: {
		double d = json_real_value(j);
		return d == floor(d) && isfinite(d) ? T_NUM | T_INT : T_NUM;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		return T_BOOL;
	default:
		return T_NULL;
	}
}

static const char *type_name(const json_t *j)
{
	unsigned t = type_of(j);

	return ky__js_type_names[t & T_INT && json_is_integer(j) ? 6
				 : t & T_NUM			 ? 4
				 : t & T_OBJ			 ? 2
				 : t & T_ARR			 ? 3
				 : t & T_STR			 ? 5
				 : t & T_BOOL			 ? 1
								 : 0];
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t cp = 0;

	for (size_t i = 0; i < n; i++)
		cp += ((unsigned char)s[i] & 0xC0) != 0x80;
	return cp;
}

static bool validate(struct vctx *v, const struct js_node *n, const json_t *j);

/* Runs one branch with its own error count; restores the caller's. */
static bool branch(struct vctx *v, const struct js_node *n, const json_t *j,
		   bool quiet, unsigned *nerr, char *msg, unsigned *mdepth)
{
	unsigned saved_n = v->nerr, saved_d = v->msg_depth;
	bool saved_all = v->all, saved_q = v->quiet;
	char saved[KY_ERR_MSG_MAX];
	bool ok;

	if (saved_n > 0 && !quiet)
		memcpy(saved, v->msg, sizeof(saved));
	v->nerr = 0;
	v->quiet = quiet || saved_q;
	v->all = !v->quiet;
	ok = validate(v, n, j);
	if (nerr)
		*nerr = v->nerr;
	if (msg && !v->quiet)
		memcpy(msg, v->msg, KY_ERR_MSG_MAX);
	if (mdepth)
		*mdepth = v->msg_depth;
	if (saved_n > 0 && !quiet)
		memcpy(v->msg, saved, sizeof(saved));
	v->nerr = saved_n;
	v->msg_depth = saved_d;
	v->all = saved_all;
	v->quiet = saved_q;
	return ok;
}

/* anyOf / oneOf: passes when enough branches match; otherwise reports
 * the error of the branch with the fewest errors, deepest first. */
static bool combinator(struct vctx *v, const struct js_list *l, const json_t *j,
		       bool one)
{
	size_t pass = 0, first_pass = 0, best = 0;
	unsigned best_n = UINT32_MAX, best_d = 0;
	char *msg = NULL, *best_msg = NULL;
	bool ok;

	for (size_t i = 0; i < l->n && !v->fatal; i++)
		if (branch(v, l->v[i], j, true, NULL, NULL, NULL)) {
			if (pass++ == 0)
				first_pass = i;
			if (!one || pass > 1)
				break;
		}
	if (v->fatal)
		return false;
	if (pass == 1 || (pass > 1 && !one))
		return true;
	if (pass > 1)
		return fail(v,
			    "matches more than one schema of oneOf "
			    "(branches %zu and %zu)",
			    first_pass, first_pass + 1);
	if (v->quiet || v->nerr > 0)
		return fail(v, "matches no schema of %s",
			    one ? "oneOf" : "anyOf");
	msg = malloc(KY_ERR_MSG_MAX);
	best_msg = malloc(KY_ERR_MSG_MAX);
	if (msg == NULL || best_msg == NULL) {
		ok = fatal(v, KY_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < l->n && !v->fatal; i++) {
		unsigned ne = 0, d = 0;
		branch(v, l->v[i], j, false, &ne, msg, &d);
		if (ne > 0 && (ne < best_n || (ne == best_n && d > best_d))) {
			best = i;
			best_n = ne;
			best_d = d;
			memcpy(best_msg, msg, KY_ERR_MSG_MAX);
		}
	}
	ok = false;
	if (!v->fatal && ++v->nerr == 1) {
		snprintf(v->msg, sizeof(v->msg),
			 "%.400s (no branch of %s "
			 "matched; closest is branch %zu)",
			 best_msg, one ? "oneOf" : "anyOf", best);
		v->msg_depth = best_d;
	}
out:
	free(msg);
	free(best_msg);
	return ok;
}

static bool v_number(struct vctx *v, const struct js_node *n, const json_t *j)
{
	char a[40], b[40];
	bool ok = true;

	if (n->maximum && (n->xmax_bool ? num_cmp(j, n->maximum) >= 0
					: num_cmp(j, n->maximum) > 0))
		ok = fail(v, "%s is greater than%s the maximum %s",
			  num_str(j, a, sizeof(a)),
			  n->xmax_bool ? " or equal to" : "",
			  num_str(n->maximum, b, sizeof(b)));
	if ((ok || v->all) && n->minimum &&
	    (n->xmin_bool ? num_cmp(j, n->minimum) <= 0
			  : num_cmp(j, n->minimum) < 0))
		ok = fail(v, "%s is less than%s the minimum %s",
			  num_str(j, a, sizeof(a)),
			  n->xmin_bool ? " or equal to" : "",
			  num_str(n->minimum, b, sizeof(b)));
	if ((ok || v->all) && n->xmax && num_cmp(j, n->xmax) >= 0)
		ok = fail(v, "%s is not less than the exclusive maximum %s",
			  num_str(j, a, sizeof(a)),
			  num_str(n->xmax, b, sizeof(b)));
	if ((ok || v->all) && n->xmin && num_cmp(j, n->xmin) <= 0)
		ok = fail(v, "%s is not greater than the exclusive minimum %s",
			  num_str(j, a, sizeof(a)),
			  num_str(n->xmin, b, sizeof(b)));
	if ((ok || v->all) && n->mult) {
		bool m;
		if (json_is_integer(j) && json_is_integer(n->mult))
			m = json_integer_value(j) %
				    json_integer_value(n->mult) ==
			    0;
		else {
			double q = json_number_value(j) /
				   json_number_value(n->mult);
			m = isfinite(q) && fabs(q - round(q)) < 1e-9;
		}
		if (!m)
			ok = fail(v, "%s is not a multiple of %s",
				  num_str(j, a, sizeof(a)),
				  num_str(n->mult, b, sizeof(b)));
	}
	return ok;
}

static bool v_string(struct vctx *v, const struct js_node *n, const json_t *j)
{
	const char *s = json_string_value(j);
	size_t len = json_string_length(j);
	bool ok = true;

	if (n->min_len > 0 || n->max_len != SIZE_MAX) {
		size_t cp = utf8_len(s, len);
		if (cp < n->min_len)
			ok = fail(v, "%zu characters, fewer than minLength %zu",
				  cp, n->min_len);
		else if (cp > n->max_len)
			ok = fail(v, "%zu characters, more than maxLength %zu",
				  cp, n->max_len);
	}
	if ((ok || v->all) && n->pattern) {
		int rc = pcre2_match(n->pattern, (PCRE2_SPTR)s, len, 0, 0,
				     v->md, v->s->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			ok = fail(v, "does not match the pattern '%.200s'",
				  n->pattern_src);
		else if (rc < 0)
			ok = fail(v, "pattern '%.200s' gave up (error %d)",
				  n->pattern_src, rc);
	}
	if ((ok || v->all) && n->format &&
	    ky_jschema_format_check(n->format, s, len) == 0)
		ok = fail(v, "'%.100s' is not a valid %s", s, n->format);
	return ok;
}

static bool v_array(struct vctx *v, const struct js_node *n, const json_t *j)
{
	size_t len = json_array_size(j), a = 0, b = 0;
	bool ok = true, nomem;

	if (len < n->min_items)
		ok = fail(v, "%zu items, fewer than minItems %zu", len,
			  n->min_items);
	else if (len > n->max_items)
		ok = fail(v, "%zu items, more than maxItems %zu", len,
			  n->max_items);
	for (size_t i = 0; i < len && (ok || v->all) && !v->fatal; i++) {
		const struct js_node *s =
			i < n->prefix.n ? n->prefix.v[i] : n->items;
		if (s == NULL)
			continue;
		size_t old = ky__js_ptr_push_idx(&v->path, i);
		ok = validate(v, s, json_array_get(j, i)) && ok;
		ky__js_ptr_pop(&v->path, old);
	}
	if ((ok || v->all) && n->contains) {
		bool any = false;
		for (size_t i = 0; i < len && !any && !v->fatal; i++)
			any = branch(v, n->contains, json_array_get(j, i), true,
				     NULL, NULL, NULL);
		if (!any)
			ok = fail(v, "no item matches 'contains'");
	}
	if ((ok || v->all) && n->unique && len > 1) {
		if (find_dup(j, &a, &b, &nomem))
			ok = fail(v,
				  "items %zu and %zu are equal, but "
				  "uniqueItems is set",
				  a < b ? a : b, a < b ? b : a);
		else if (nomem)
			ok = fatal(v, KY_E_NOMEM, "out of memory");
	}
	return ok;
}

static bool v_object(struct vctx *v, const struct js_node *n, const json_t *j)
{
	const char *k;
	const json_t *e;
	bool ok = true;
	size_t cnt = json_object_size(j);

	json_object_foreach((json_t *)j, k, e)
	{
		bool matched = false;
		size_t klen = strlen(k);
		size_t old = ky__js_ptr_push(&v->path, k, klen);
		for (size_t i = 0; i < n->nprops; i++)
			if (strcmp(n->props[i].name, k) == 0) {
				matched = true;
				ok = validate(v, n->props[i].node, e) && ok;
				break;
			}
		for (size_t i = 0; i < n->npats && (ok || v->all); i++) {
			int rc = pcre2_match(n->pats[i].re, (PCRE2_SPTR)k, klen,
					     0, 0, v->md, v->s->mctx);
			if (rc >= 0) {
				matched = true;
				ok = validate(v, n->pats[i].node, e) && ok;
			}
		}
		ky__js_ptr_pop(&v->path, old);
		if (!matched && n->addl && (ok || v->all)) {
			if (n->addl->never) {
				ok = fail(v, "property '%.100s' is not allowed",
					  k);
			} else {
				old = ky__js_ptr_push(&v->path, k, klen);
				ok = validate(v, n->addl, e) && ok;
				ky__js_ptr_pop(&v->path, old);
			}
		}
		if (n->propnames && (ok || v->all)) {
			json_t *name = json_stringn(k, klen);
			if (name == NULL)
				return fatal(v, KY_E_NOMEM, "out of memory");
			if (!branch(v, n->propnames, name, true, NULL, NULL,
				    NULL))
				ok = fail(v,
					  "property name '%.100s' does not "
					  "match propertyNames",
					  k);
			json_decref(name);
		}
		if ((!ok && !v->all) || v->fatal)
			return false;
	}
	for (size_t i = 0; i < n->nreq && (ok || v->all); i++)
		if (json_object_get(j, n->req[i]) == NULL)
			ok = fail(v, "required property '%.100s' is missing",
				  n->req[i]);
	if ((ok || v->all) && cnt < n->min_props)
		ok = fail(v, "%zu properties, fewer than minProperties %zu",
			  cnt, n->min_props);
	if ((ok || v->all) && cnt > n->max_props)
		ok = fail(v, "%zu properties, more than maxProperties %zu", cnt,
			  n->max_props);
	for (size_t i = 0; i < n->ndeps && (ok || v->all); i++) {
		const struct js_dep *d = &n->deps[i];
		if (json_object_get(j, d->name) == NULL)
			continue;
		for (size_t r = 0; r < d->nreq && (ok || v->all); r++)
			if (json_object_get(j, d->req[r]) == NULL)
				ok = fail(v,
					  "property '%.100s' requires "
					  "property '%.100s'",
					  d->name, d->req[r]);
		if (d->node)
			ok = validate(v, d->node, j) && ok;
	}
	return ok;
}

static bool validate(struct vctx *v, const struct js_node *n, const json_t *j)
{
	unsigned t = type_of(j);
	bool ok = true;

	if (v->fatal)
		return false;
	if (++v->depth > KY_JSCHEMA_MAX_DEPTH) {
		ok = v->path.n >= KY_JSCHEMA_MAX_DEPTH ||
				     strchr(v->path.b, '.') != NULL
			     ? fatal(v, KY_E_TOOBIG,
				     "nesting deeper than %u levels",
				     KY_JSCHEMA_MAX_DEPTH)
			     : fatal(v, KY_E_TOOBIG,
				     "schema recursion deeper than %u levels "
				     "(a $ref cycle?)",
				     KY_JSCHEMA_MAX_DEPTH);
		goto out;
	}
	if (n->never) {
		ok = fail(v, "no value is allowed here (schema false)");
		goto out;
	}
	if (n->ref_uri) {
		if (n->ref == NULL) {
			ok = fatal(v, KY_E_NOTFOUND, "unresolved $ref '%s'",
				   n->ref_uri);
			goto out;
		}
		ok = validate(v, n->ref, j);
		if ((!ok && !v->all) || n->ref_only)
			goto out;
	}
	if (n->types && !(n->types & t)) {
		char want[64] = "";
		size_t w = 0;
		for (unsigned i = 0; i < 7; i++)
			if (n->types & (1u << i) && w + 12 < sizeof(want))
				w += (size_t)snprintf(
					want + w, sizeof(want) - w, "%s%s",
					w ? " or " : "", ky__js_type_names[i]);
		ok = fail(v, "is %s, expected %s", type_name(j), want);
		if (v->nerr == 1)
			v->msg_depth--;
		goto out; /* the other keywords would only add noise */
	}
	if (n->const_v && !js_equal(n->const_v, j))
		ok = fail(v, "does not equal the constant");
	if ((ok || v->all) && n->enum_v) {
		bool found = false;
		for (size_t i = 0; i < json_array_size(n->enum_v) && !found;
		     i++)
			found = js_equal(json_array_get(n->enum_v, i), j);
		if (!found)
			ok = fail(v, "%s%.60s%s is not one of the enum values",
				  t & T_STR ? "'" : "",
				  t & T_STR ? json_string_value(j) : "value",
				  t & T_STR ? "'" : "");
	}
	if ((ok || v->all) && t & T_NUM)
		ok = v_number(v, n, j) && ok;
	else if ((ok || v->all) && t & T_STR)
		ok = v_string(v, n, j) && ok;
	else if ((ok || v->all) && t & T_ARR)
		ok = v_array(v, n, j) && ok;
	else if ((ok || v->all) && t & T_OBJ)
		ok = v_object(v, n, j) && ok;
	for (size_t i = 0; i < n->all.n && (ok || v->all) && !v->fatal; i++)
		ok = validate(v, n->all.v[i], j) && ok;
	if ((ok || v->all) && n->any.n && !combinator(v, &n->any, j, false))
		ok = false;
	if ((ok || v->all) && n->one.n && !combinator(v, &n->one, j, true))
		ok = false;
	if ((ok || v->all) && n->not_ &&
	    branch(v, n->not_, j, true, NULL, NULL, NULL))
		ok = fail(v, "must not match the schema in 'not'");
	if ((ok || v->all) && n->if_ && !v->fatal) {
		const struct js_node *next =
			branch(v, n->if_, j, true, NULL, NULL, NULL) ? n->then_
								     : n->else_;
		if (next)
			ok = validate(v, next, j) && ok;
	}
out:
	v->depth--;
	return ok && !v->fatal;
}

int ky__js_run(const struct ky_jschema *s, const struct js_node *node,
	       const json_t *doc, struct ky_err *err)
{
	struct vctx *v = NULL;
	int r = 0;

	/* The context is large (two pointers' worth of text): heap, not the
	 * worker's stack. */
	v = calloc(1, sizeof(*v));
	if (v == NULL || (v->md = pcre2_match_data_create(1, NULL)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "jschema: out of memory");
		goto out;
	}
	v->s = s;
	if (!validate(v, node, doc))
		r = ky_err_set(err, v->fatal ? v->fatal : KY_E_PARSE, "%s",
			       v->msg);
out:
	if (v)
		pcre2_match_data_free(v->md);
	free(v);
	return r;
}

/* ---- formats ---- */

const char *const ky__js_type_names[7] = {
	"null", "boolean", "object", "array", "number", "string", "integer"};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Reads exactly n digits at *p; advances. */
static bool digits(const char **p, const char *end, int n, int *val)
{
	int v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (!is_digit(c))
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*val = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* RFC 3339 5.6 full-date. */
static bool parse_date(const char **p, const char *end)
{
	int y, m, d;

	if (!digits(p, end, 4, &y) || *p >= end || *(*p)++ != '-' ||
	    !digits(p, end, 2, &m) || *p >= end || *(*p)++ != '-' ||
	    !digits(p, end, 2, &d))
		return false;
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* RFC 3339 5.6 full-time: partial-time time-offset.  Second 60 is
 * accepted for leap seconds, as the RFC grammar allows. */
static bool parse_time(const char **p, const char *end)
{
	int h, mi, s, oh, om;

	if (!digits(p, end, 2, &h) || *p >= end || *(*p)++ != ':' ||
	    !digits(p, end, 2, &mi) || *p >= end || *(*p)++ != ':' ||
	    !digits(p, end, 2, &s))
		return false;
	if (h > 23 || mi > 59 || s > 60)
		return false;
	if (*p < end && **p == '.') {
		(*p)++;
		if (*p >= end || !is_digit(**p))
			return false;
		while (*p < end && is_digit(**p))
			(*p)++;
	}
	if (*p >= end)
		return false;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return true;
	}
	if (**p != '+' && **p != '-')
		return false;
	(*p)++;
	if (!digits(p, end, 2, &oh) || *p >= end || *(*p)++ != ':' ||
	    !digits(p, end, 2, &om))
		return false;
	return oh <= 23 && om <= 59;
}

static bool fmt_date_time(const char *s, const char *end)
{
	const char *p = s;

	if (!parse_date(&p, end) || p >= end || (*p != 'T' && *p != 't'))
		return false;
	p++;
	return parse_time(&p, end) && p == end;
}

static bool fmt_date(const char *s, const char *end)
{
	const char *p = s;

	return parse_date(&p, end) && p == end;
}

static bool fmt_time(const char *s, const char *end)
{
	const char *p = s;

	return parse_time(&p, end) && p == end;
}

/* RFC 3986 2.2/2.3: unreserved / sub-delims / ":" / "@" / "/" / "?" and
 * the gen-delims that may appear in their component ("[", "]" only in the
 * host, "#" once). */
static bool uri_char(unsigned char c)
{
	if (is_alpha((char)c) || is_digit((char)c))
		return true;
	return c != 0 && strchr("-._~!$&'()*+,;=:@/?[]", c) != NULL;
}

/* Checks the characters after the scheme (or of a relative reference):
 * only URI characters and well-formed percent-escapes, at most one "#",
 * brackets only around an authority's IP literal. */
static bool uri_rest(const char *p, const char *end)
{
	bool frag = false;
	const char *auth_end = end;

	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		const char *a = p + 2;
		auth_end = a;
		while (auth_end < end && *auth_end != '/' && *auth_end != '?' &&
		       *auth_end != '#')
			auth_end++;
		/* An IP literal host is the only place for brackets. */
		const char *lb = memchr(a, '[', (size_t)(auth_end - a));
		const char *rb = memchr(a, ']', (size_t)(auth_end - a));
		if ((lb == NULL) != (rb == NULL) || (lb && rb < lb))
			return false;
		p = a;
	}
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '%') {
			if (end - p < 3 || !is_hex(p[1]) || !is_hex(p[2]))
				return false;
			p += 2;
		} else if (c == '#') {
			if (frag)
				return false;
			frag = true;
		} else if ((c == '[' || c == ']') && p >= auth_end) {
			return false;
		} else if (!uri_char(c)) {
			return false;
		}
	}
	return true;
}

/* Length of the scheme ending in ':' (RFC 3986 3.1), or 0. */
static size_t uri_scheme(const char *s, const char *end)
{
	const char *p = s;

	if (p >= end || !is_alpha(*p))
		return 0;
	while (p < end && (is_alpha(*p) || is_digit(*p) || *p == '+' ||
			   *p == '-' || *p == '.'))
		p++;
	if (p >= end || *p != ':')
		return 0;
	return (size_t)(p - s) + 1;
}

static bool fmt_uri(const char *s, const char *end)
{
	size_t n = uri_scheme(s, end);

	return n > 0 && uri_rest(s + n, end);
}

static bool fmt_uri_reference(const char *s, const char *end)
{
	size_t n = uri_scheme(s, end);
	const char *p = s;

	if (n == 0) {
		/* RFC 3986 4.2: a relative path's first segment has no ':'. */
		while (p < end && *p != '/' && *p != '?' && *p != '#') {
			if (*p == ':')
				return false;
			p++;
		}
	}
	return uri_rest(s + n, end);
}

/* RFC 5321 4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ),
 * with the dot-atom or quoted-string local part of RFC 5322; UTF-8 is
 * accepted in both parts as RFC 6531 allows. */
static bool atext(unsigned char c)
{
	return is_alpha((char)c) || is_digit((char)c) || c >= 0x80 ||
	       (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool fmt_email(const char *s, const char *end)
{
	const char *p = s;
	const char *at;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\') {
				if (++p >= end)
					return false;
			} else if ((unsigned char)*p < 0x20) {
				return false;
			}
		}
		if (p >= end)
			return false;
		p++;
	} else {
		bool prev_dot = true;
		for (; p < end && *p != '@'; p++) {
			if (*p == '.') {
				if (prev_dot)
					return false;
				prev_dot = true;
			} else if (atext((unsigned char)*p)) {
				prev_dot = false;
			} else {
				return false;
			}
		}
		if (prev_dot)
			return false;
	}
	if (p >= end || *p != '@' || p - s > 64)
		return false;
	at = p++;
	if (p < end && *p == '[')
		return end - p >= 3 && end[-1] == ']';
	/* Domain: dot-separated labels of letters, digits, hyphens. */
	size_t label = 0;
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
		} else if (is_alpha((char)c) || is_digit((char)c) ||
			   c >= 0x80 || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && end[-1] != '-' && end - at > 1;
}

static bool fmt_uuid(const char *s, const char *end)
{
	if (end - s != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	return true;
}

static const struct {
	const char *name;
	bool (*check)(const char *s, const char *end);
} formats[] = {
	{"date-time", fmt_date_time},
	{"date", fmt_date},
	{"time", fmt_time},
	{"uri", fmt_uri},
	{"uri-reference", fmt_uri_reference},
	{"email", fmt_email},
	{"uuid", fmt_uuid},
};

int ky_jschema_format_check(const char *format, const char *s, size_t len)
{
	if (format == NULL || s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, format) == 0)
			return formats[i].check(s, s + len) ? 1 : 0;
	return -1;
}
