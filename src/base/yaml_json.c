/* YAML to a JSON tree with positions (base/yaml_json.h).  Only what people
 * write by hand: mappings with scalar keys, sequences, scalars.  Anchors
 * and aliases are refused: a policy must read the same to a person and to
 * the program. */
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/yaml_json.h"

#define DEPTH_MAX 32
#define BLANK_MAX 1000

struct walk {
	const char *name;
	json_t *pos;
	struct ky_err *err;
	char ptr[1024];
};

/* libfyaml marks scalar tokens only: a collection is where its first
 * scalar is. */
static void mark(struct fy_node *n, int *line, int *col)
{
	const struct fy_mark *m = NULL;
	void *it = NULL;

	for (int depth = 0; n != NULL && m == NULL && depth < DEPTH_MAX;
	     depth++) {
		struct fy_token *t;
		struct fy_node_pair *p;

		it = NULL;
		if (fy_node_is_scalar(n)) {
			t = fy_node_get_scalar_token(n);
			m = t ? fy_token_start_mark(t) : NULL;
			break;
		}
		if (fy_node_is_sequence(n))
			n = fy_node_sequence_iterate(n, &it);
		else if (fy_node_is_mapping(n))
			n = (p = fy_node_mapping_iterate(n, &it)) != NULL
				    ? fy_node_pair_key(p)
				    : NULL;
		else
			break;
	}
	*line = m ? m->line + 1 : 1;
	*col = m ? m->column + 1 : 1;
}

static int fail(struct walk *w, struct fy_node *n, const char *what)
{
	int line, col;

	mark(n, &line, &col);
	return ky_err_set(w->err, KY_E_CONFIG, "%s:%d:%d: %s", w->name, line,
			  col, what);
}

static void remember(struct walk *w, struct fy_node *n)
{
	int line, col;

	if (w->pos == NULL)
		return;
	mark(n, &line, &col);
	json_object_set_new(w->pos, w->ptr[0] ? w->ptr : "",
			    json_pack("[i,i]", line, col));
}

static bool plain_int(const char *s, size_t n, json_int_t *v)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!((buf[0] >= '0' && buf[0] <= '9') ||
	      ((buf[0] == '-' || buf[0] == '+') && n > 1)))
		return false;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno == 0 && *end == '\0';
}

static json_t *scalar(struct fy_node *n)
{
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	json_int_t v;

	if (s == NULL)
		return NULL;
	if (fy_node_get_style(n) == FYNS_PLAIN) {
		if (plain_int(s, len, &v))
			return json_integer(v);
		if ((len == 4 && memcmp(s, "true", 4) == 0))
			return json_true();
		if ((len == 5 && memcmp(s, "false", 5) == 0))
			return json_false();
		if ((len == 4 && memcmp(s, "null", 4) == 0) ||
		    (len == 1 && s[0] == '~') || len == 0)
			return json_null();
	}
	return json_stringn(s, len);
}

static int walk(struct walk *w, struct fy_node *n, int depth, json_t **out)
{
	size_t base = strlen(w->ptr);
	json_t *v = NULL;
	int r = 0;

	*out = NULL;
	if (depth > DEPTH_MAX)
		return fail(w, n, "nested too deeply");
	if (n == NULL) {
		*out = json_null();
		return 0;
	}
	remember(w, n);
	if (fy_node_is_alias(n) || fy_node_get_anchor(n) != NULL)
		return fail(w, n, "anchors and aliases are not allowed here");
	if (fy_node_is_scalar(n)) {
		if ((*out = scalar(n)) == NULL)
			return ky_err_set(w->err, KY_E_NOMEM,
					  "%s: out of memory", w->name);
		return 0;
	}
	if (fy_node_is_sequence(n)) {
		struct fy_node *it;
		void *iter = NULL;
		size_t i = 0;

		v = json_array();
		while (r == 0 && v &&
		       (it = fy_node_sequence_iterate(n, &iter))) {
			json_t *x;

			snprintf(w->ptr + base, sizeof(w->ptr) - base, "/%zu",
				 i++);
			if ((r = walk(w, it, depth + 1, &x)) == 0 &&
			    json_array_append_new(v, x) != 0)
				r = KY_E_NOMEM;
		}
	} else {
		struct fy_node_pair *p;
		void *iter = NULL;

		v = json_object();
		while (r == 0 && v && (p = fy_node_mapping_iterate(n, &iter))) {
			struct fy_node *k = fy_node_pair_key(p);
			const char *ks;
			size_t kl;
			char key[256];
			json_t *x;

			if (k == NULL || !fy_node_is_scalar(k) ||
			    (ks = fy_node_get_scalar(k, &kl)) == NULL) {
				r = fail(w, k ? k : n, "keys must be text");
				break;
			}
			if (kl == 0 || kl >= sizeof(key) ||
			    memchr(ks, '\0', kl)) {
				r = fail(w, k, "key empty or too long");
				break;
			}
			memcpy(key, ks, kl);
			key[kl] = '\0';
			if (strcmp(key, "<<") == 0) {
				r = fail(w, k, "merge keys are not allowed");
				break;
			}
			if (json_object_get(v, key) != NULL) {
				r = fail(w, k, "duplicate key");
				break;
			}
			/* JSON pointer escaping is not needed for the keys
			 * our files use; '/' and '~' are written as is */
			snprintf(w->ptr + base, sizeof(w->ptr) - base, "/%s",
				 key);
			if ((r = walk(w, fy_node_pair_value(p), depth + 1,
				      &x)) == 0 &&
			    json_object_set_new(v, key, x) != 0)
				r = KY_E_NOMEM;
		}
	}
	w->ptr[base] = '\0';
	if (v == NULL || r == KY_E_NOMEM) {
		json_decref(v);
		return ky_err_set(w->err, KY_E_NOMEM, "%s: out of memory",
				  w->name);
	}
	if (r != 0) {
		json_decref(v);
		return r;
	}
	*out = v;
	return 0;
}

static void diag_sink(struct fy_diag *diag, void *user, const char *buf,
		      size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

int ky_yaml_json(const char *text, size_t n, const char *name, json_t **out,
		 json_t **pos, struct ky_err *err)
{
	struct walk w = {name, NULL, err, ""};
	struct fy_diag *diag = NULL;
	struct fy_document *doc = NULL;
	struct fy_diag_error *de;
	struct fy_diag_cfg dc;
	struct fy_parse_cfg pc;
	const char *what = NULL;
	unsigned line, col;
	void *it = NULL;
	int r;

	*out = NULL;
	if (pos)
		*pos = NULL;
	if ((r = ky_yaml_precheck(text, n, BLANK_MAX, &line, &col, &what)))
		return ky_err_set(
			err, KY_E_CONFIG, "%s:%u:%u: %s", name, line, col,
			r == KY_E_TOOBIG ? "too many blank lines" : what);
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_sink;
	dc.colorize = false;
	if ((diag = fy_diag_create(&dc)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "%s: out of memory", name);
	fy_diag_set_collect_errors(diag, true);
	memset(&pc, 0, sizeof(pc));
	pc.flags = FYPCF_QUIET;
	pc.diag = diag;
	if ((doc = fy_document_build_from_string(&pc, text, n)) == NULL) {
		r = ky_err_set(err, KY_E_CONFIG, "%s: cannot parse", name);
		while ((de = fy_diag_errors_iterate(diag, &it)) != NULL)
			if (de->type >= FYET_ERROR) {
				r = ky_err_set(
					err, KY_E_CONFIG,
					"%s:%d:%d: YAML syntax error: %s", name,
					de->line > 0 ? de->line : 1,
					de->column > 0 ? de->column : 1,
					de->msg ? de->msg : "?");
				break;
			}
		goto out;
	}
	if (pos && (w.pos = json_object()) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", name);
		goto out;
	}
	if ((r = walk(&w, fy_document_root(doc), 0, out)) != 0)
		goto out;
	if (pos) {
		*pos = w.pos;
		w.pos = NULL;
	}
out:
	json_decref(w.pos);
	if (doc)
		fy_document_destroy(doc);
	fy_diag_destroy(diag);
	return r;
}

void ky_yaml_where(const json_t *pos, const char *name, const char *pointer,
		   char *out, size_t cap)
{
	const json_t *p = json_object_get(pos, pointer);

	if (json_is_array(p))
		snprintf(out, cap, "%s:%lld:%lld", name,
			 (long long)json_integer_value(json_array_get(p, 0)),
			 (long long)json_integer_value(json_array_get(p, 1)));
	else
		snprintf(out, cap, "%s", name);
}
