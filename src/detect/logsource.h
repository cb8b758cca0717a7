/* Log sources: which events a rule's logsource (product, category,
 * service) applies to, as conditions on event fields after field mapping
 * (the role of SigmaHQ's tests/thor.yml: category process_creation on
 * windows means EventID 1 of Sysmon or EventID 4688 of Security), and the
 * field renames some sources need (Image -> NewProcessName for 4688).  The
 * built-in map covers SigmaHQ's Windows rules on Sysmon and Security
 * events with no configuration; a thor.yml-style file replaces it. */
#ifndef KY_DETECT_LOGSOURCE_H
#define KY_DETECT_LOGSOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "event/event.h"

/* field equals one of values (compared as text: EventID 1 == "1"). */
struct ky_ls_cond {
	const char *field;
	const char *const *values;
	size_t nvalues;
};

/* One way an event can belong to a logsource: all conds hold.  renames
 * are (rule field, event field) pairs that apply to rules of this source
 * on such events. */
struct ky_ls_alt {
	const char *name; /* the entry's name, for explain/debug */
	const struct ky_ls_cond *conds;
	size_t nconds;
	const char *const *renames; /* 2 * nrenames strings */
	size_t nrenames;
};

struct ky_logsources;

/* The built-in map.  NULL on exhaustion. */
struct ky_logsources *ky_logsources_builtin(void);
/* A thor.yml-style file (logsources: NAME: {product, category, service,
 * conditions, fieldmappings, rewrite}); errors name file:line:col. */
int ky_logsources_load(struct ky_logsources **out, const char *path,
		       struct ky_err *err);
void ky_logsources_free(struct ky_logsources *ls);

/* The alternatives for a rule's logsource (any of product, category,
 * service may be NULL).  An entry applies when every key it names equals
 * the rule's (case-insensitive); the rule then matches events satisfying
 * any applicable entry.  *nalts == 0 with a return of 0 means no entry
 * covers the source: the rule set runs such a rule on no event if it names
 * a category or service, on every event otherwise.  Pointers stay valid
 * while ls lives. */
int ky_logsources_resolve(const struct ky_logsources *ls, const char *product,
			  const char *category, const char *service,
			  const struct ky_ls_alt *const **alts, size_t *nalts);

/* Whether the event field f (the first field named c->field, NULL when
 * the event has none) satisfies c. */
bool ky_ls_cond_match(const struct ky_ls_cond *c, const struct ky_field *f);

/* Whether ev satisfies alt. */
bool ky_ls_alt_match(const struct ky_ls_alt *alt, const struct ky_event *ev);

#endif
