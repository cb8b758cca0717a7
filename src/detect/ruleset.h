/* The compiled rule set and the matcher.  Sigma rules compile into one
 * Vectorscan database per event field (every string predicate on that
 * field scanned in one pass, caseless unless |cased), PCRE2 only for the
 * regular expressions Vectorscan rejects, direct checks for numbers, CIDR,
 * exists and fieldref, and each condition into a boolean program over
 * search bits (detect/condition.h).  Rules are indexed by logsource so an
 * event only touches rules that can match it.  Compiled once, shared
 * read-only by worker threads; each thread has its own scratch. */
#ifndef KY_DETECT_RULESET_H
#define KY_DETECT_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "detect/sigma.h"
#include "event/event.h"

struct ky_buf;
struct ky_hash;
struct ky_logsources;
struct ky_ruleset;
struct ky_match_scratch;

struct ky_ruleset_opts {
	/* borrowed; NULL means the built-in map */
	const struct ky_logsources *logsources;
	/* |expand placeholders: name (without %) -> struct ky_strlist *
	 * (base/config.h); NULL: none, and rules using one are rejected */
	const struct ky_hash *placeholders;
};

int ky_ruleset_new(struct ky_ruleset **out, const struct ky_ruleset_opts *o,
		   struct ky_err *err);
void ky_ruleset_free(struct ky_ruleset *rs);

/* Compiles one rule and takes ownership of it (it is freed on failure
 * too).  A rule the engine cannot run fails with KY_E_UNSUPPORTED and
 * err = "path:line:col: reason" (e.g. "unresolved placeholder %admins%",
 * "regex rejected by Vectorscan and PCRE2: ..."); the set stays usable
 * and the caller goes on with the next rule. */
int ky_ruleset_add(struct ky_ruleset *rs, struct ky_sigma_rule *rule,
		   struct ky_err *err);

/* After the last add: builds the pattern databases and resolves the
 * references of filters.  Returns 0, or an error naming the rule. */
int ky_ruleset_finalize(struct ky_ruleset *rs, struct ky_err *err);

size_t ky_ruleset_count(const struct ky_ruleset *rs);
/* Rules whose category or service no map entry covers: compiled, but they
 * run on no event until a logsource map (--logsources) describes their
 * source.  A rule naming only a product runs on every event. */
size_t ky_ruleset_unmapped(const struct ky_ruleset *rs);
/* The rule at index i (0 <= i < count), for listing. */
const struct ky_sigma_rule *ky_ruleset_rule(const struct ky_ruleset *rs,
					    size_t i);

int ky_match_scratch_new(const struct ky_ruleset *rs,
			 struct ky_match_scratch **out);
void ky_match_scratch_free(struct ky_match_scratch *s);
/* Field values this scratch has tested so far and, of those, how many
 * were answered from its cache of recent values (for benchmarks and
 * metrics).  Either pointer may be NULL. */
void ky_match_scratch_stats(const struct ky_match_scratch *s, uint64_t *tested,
			    uint64_t *cached);

/* A field that took part in a match, with the event's value. */
struct ky_alert_field {
	const char *field;
	size_t field_len;
	const char *value;
	size_t value_len;
};

struct ky_alert {
	const struct ky_sigma_rule *rule;
	const struct ky_event *ev;
	const struct ky_alert_field *fields;
	size_t nfields;
};

typedef int (*ky_alert_fn)(void *ud, const struct ky_alert *a);

/* Runs every rule whose logsource fits ev and calls fn for each that
 * matches (in rule order); fn returning non-zero stops with that value.
 * Returns the number of alerts (>= 0) or a negative status.  No
 * allocation once the scratch is warm. */
int ky_ruleset_match(const struct ky_ruleset *rs, struct ky_match_scratch *s,
		     const struct ky_event *ev, ky_alert_fn fn, void *ud);

/* The alert as one JSON object: rule id, title, level, tags, author (the
 * Detection Rule License requires it to be kept), matched fields and
 * values, event time, receive time, and the event's raw bytes as
 * evidence. */
int ky_alert_to_json(const struct ky_alert *a, struct ky_buf *out);

#endif
