/* Internals shared by the JSON schema compiler (jschema.c) and the
 * validator (jschema_fmt.c): the compiled node graph.  Not for other
 * modules: use intel/jschema.h. */
#ifndef KY_INTEL_JSCHEMA_INT_H
#define KY_INTEL_JSCHEMA_INT_H

#include <stdbool.h>
#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "intel/jschema.h"

#define JS_PTR_MAX 1024

enum {
	T_NULL = 1,
	T_BOOL = 2,
	T_OBJ = 4,
	T_ARR = 8,
	T_NUM = 16,
	T_STR = 32,
	T_INT = 64
};

/* Names of the T_* bits in bit order. */
extern const char *const ky__js_type_names[7];

struct js_node;

struct js_prop {
	const char *name;
	struct js_node *node;
};

struct js_pat {
	pcre2_code *re;
	struct js_node *node;
};

/* dependentRequired (req) or dependentSchemas (node) of one member. */
struct js_dep {
	const char *name;
	const char **req;
	size_t nreq;
	struct js_node *node;
};

struct js_list {
	struct js_node **v;
	size_t n;
};

struct js_node {
	bool never; /* the schema `false` */
	bool ref_only;
	bool unique;
	bool xmin_bool, xmax_bool; /* draft-04 boolean exclusive bounds */
	unsigned types;		   /* 0: any */
	const char *ref_str;
	char *ref_uri; /* absolute; set while unresolved and kept for messages
			*/
	struct js_node *ref;
	const json_t *enum_v, *const_v;
	const json_t *minimum, *maximum, *xmin, *xmax, *mult;
	size_t min_len, max_len, min_items, max_items, min_props, max_props;
	pcre2_code *pattern;
	const char *pattern_src;
	const char *format;
	struct js_prop *props;
	size_t nprops;
	struct js_pat *pats;
	size_t npats;
	struct js_dep *deps;
	size_t ndeps;
	const char **req;
	size_t nreq;
	struct js_node *addl, *items, *contains, *propnames;
	struct js_node *not_, *if_, *then_, *else_;
	struct js_list prefix, all, any, one;
};

/* A schema resource: a document or a subschema with its own $id. */
struct js_res {
	json_t *json; /* borrowed from ky_jschema.docs */
	int draft;
};

struct ky_jschema {
	struct ky_hash *res;   /* URI without fragment -> struct js_res */
	struct ky_hash *nodes; /* address of the schema json_t -> node */
	json_t *docs;	       /* keeps every added schema alive */
	pcre2_match_context *mctx;
};

/* A JSON pointer under construction; truncated (never overflowing) when a
 * path is absurdly long. */
struct jptr {
	char b[JS_PTR_MAX];
	size_t n;
};

/* Appends one reference token (escaped); returns the length to pop to. */
size_t ky__js_ptr_push(struct jptr *p, const char *s, size_t len);
size_t ky__js_ptr_push_idx(struct jptr *p, size_t i);
void ky__js_ptr_pop(struct jptr *p, size_t old);

/* Validates doc against compiled node n: 0, KY_E_PARSE with
 * "pointer: message", KY_E_TOOBIG, KY_E_NOTFOUND or KY_E_NOMEM. */
int ky__js_run(const struct ky_jschema *s, const struct js_node *n,
	       const json_t *doc, struct ky_err *err);

#endif
