/* Sigma condition expressions (the `condition` of a detection): parsed once
 * and compiled into a compact boolean program over the rule's search
 * identifiers, evaluated per event against a bitset of which searches
 * matched.  Grammar of the Sigma specification v2: and, or, not,
 * parentheses, `1 of X*`, `all of X*`, `1 of them`, `all of them`
 * (identifiers starting with '_' are not part of `them`), and condition
 * lists (several conditions: the rule matches when any does). */
#ifndef KY_DETECT_CONDITION_H
#define KY_DETECT_CONDITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ky_cond;

/* Compiles expr against the rule's search identifiers names[0..nnames)
 * (bit i of the evaluation bitset is names[i]).  An unknown identifier, a
 * pattern (`1 of foo*`) that matches none, or a syntax error fails with
 * err = "condition: column N: what".  Returns 0, KY_E_PARSE, KY_E_TOOBIG
 * (nesting or length limits) or KY_E_NOMEM. */
int ky_cond_compile(const char *expr, size_t len, const char *const *names,
		    size_t nnames, struct ky_cond **out, struct ky_err *err);

/* A condition list: true when any of the conditions is true.  Compiles
 * each into one program.  Same errors, prefixed "condition[i]: ". */
int ky_cond_compile_list(const char *const *exprs, size_t nexprs,
			 const char *const *names, size_t nnames,
			 struct ky_cond **out, struct ky_err *err);

void ky_cond_free(struct ky_cond *c);

/* Evaluates with bits[i / 64] >> (i % 64) & 1 telling whether search i
 * matched.  Never allocates; safe to call from many threads. */
bool ky_cond_eval(const struct ky_cond *c, const uint64_t *bits);

/* The searches the condition can read: bit i set in out (which holds
 * (nnames + 63) / 64 words) when names[i] appears, directly or through a
 * pattern or `them`.  Lets the engine skip searches no condition needs. */
void ky_cond_used(const struct ky_cond *c, uint64_t *out);

/* The program in readable prefix form, for `kyklos rules explain` and
 * tests: "(or (and sel (not filter)) (any sel_*))".  Returns 0 or a
 * ky_buf error. */
struct ky_buf;
int ky_cond_dump(const struct ky_cond *c, const char *const *names,
		 struct ky_buf *out);

#endif
