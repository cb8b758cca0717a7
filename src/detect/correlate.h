/* Sigma correlation rules (specification v2.1): event_count, value_count,
 * temporal, temporal_ordered, value_sum, value_avg and value_percentile
 * over the alerts of the rules they reference, grouped by field values,
 * in sliding windows of event time.  Events may arrive out of order
 * within a configured lateness; state is bounded (oldest group evicted,
 * evictions counted) and can be saved to and restored from a blob that
 * the node keeps in its store, so windows survive a restart. */
#ifndef KY_DETECT_CORRELATE_H
#define KY_DETECT_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "detect/ruleset.h"

struct ky_buf;
struct ky_corr;

struct ky_corr_opts {
	/* most groups held at once over all correlations; past it the
	 * group updated least recently is evicted (0: 100000) */
	size_t max_groups;
	/* an event older than the newest event time seen minus this is
	 * late: counted and ignored (0: no tolerance) */
	int64_t lateness_ns;
	/* most event times kept per group (0: 10000); past it the oldest
	 * of the group is dropped and counted as an eviction */
	size_t max_events_per_group;
};

/* Reports a correlation that cannot run (unknown referenced rule, a
 * cycle, group-by field missing from a chained correlation): msg is
 * "path:line: reason"; the other correlations go on. */
typedef void (*ky_corr_report_fn)(void *ud, const char *msg);

/* Builds the engine for every correlation rule of rs (finalized),
 * resolving references by rule name or id to detections or other
 * correlations.  rs is borrowed and must outlive the engine.  Returns 0
 * even when some correlations were rejected (reported through fn);
 * *nactive tells how many run (may be NULL). */
int ky_corr_new(struct ky_corr **out, const struct ky_ruleset *rs,
		const struct ky_corr_opts *o, ky_corr_report_fn fn, void *ud,
		size_t *nactive, struct ky_err *err);
void ky_corr_free(struct ky_corr *c);

/* True when rule r is referenced by a correlation and none of the
 * correlations referencing it says `generate: true`: its own alerts are
 * then not reported (they only feed the correlation). */
bool ky_corr_suppresses(const struct ky_corr *c, const struct ky_sigma_rule *r);
/* True when some correlation references r. */
bool ky_corr_uses(const struct ky_corr *c, const struct ky_sigma_rule *r);

/* A correlation that fired. */
struct ky_corr_alert {
	const struct ky_sigma_rule *rule; /* the correlation rule */
	/* group-by field names (aliases as named) and the group's values;
	 * a value is NULL when the events lacked the field (a null group,
	 * distinct from the empty string) */
	const char *const *group_fields;
	const char *const *group_values;
	size_t ngroup;
	double value;	  /* the count, distinct count, sum, avg, pct */
	uint64_t nevents; /* events in the window that fired */
	int64_t first_ns; /* event time of the window's first event */
	int64_t last_ns;  /* and of its last */
	const struct ky_event *ev; /* the event that completed it, or NULL
				    * when it fired on window close */
	/* the rules it correlates, resolved (a rule's rules[] name them by
	 * id or name; the alerts of those rules carry their id) */
	const struct ky_sigma_rule *const *refs;
	size_t nrefs;
};

typedef int (*ky_corr_fn)(void *ud, const struct ky_corr_alert *a);

/* Feeds one alert of a referenced rule (from ky_ruleset_match; alerts of
 * rules no correlation uses are ignored at once).  Calls fn for every
 * correlation it completes, chained ones included.  Thread-safe (one
 * lock).  Returns the number fired (>= 0) or a negative status.
 * fn runs under the lock and must not call the engine; it is not called
 * for an inner correlation that ky_corr_suppresses (it only feeds its
 * outer ones); a negative return of fn is returned (state stays sound).
 * With a lateness, a firing may be decided by a later feed or flush. */
int ky_corr_feed(struct ky_corr *c, const struct ky_alert *a, ky_corr_fn fn,
		 void *ud);

/* Advances event time to now_ns without an event (end of input, or a
 * quiet period): closes the windows that can no longer change, firing
 * the correlations decided only at close (lt/lte conditions).  At the end
 * of input pass INT64_MAX: everything is decided and all state freed. */
int ky_corr_flush(struct ky_corr *c, int64_t now_ns, ky_corr_fn fn, void *ud);

struct ky_corr_stats {
	uint64_t groups;  /* held now */
	uint64_t fired;	  /* correlations fired */
	uint64_t late;	  /* events ignored as later than the lateness */
	uint64_t evicted; /* groups or event times dropped at the caps */
};

void ky_corr_stats(const struct ky_corr *c, struct ky_corr_stats *st);

/* The state as one self-describing blob (versioned) and back.  Restore
 * keeps the state of correlations that exist in c by rule id (or name)
 * and the same definition, and drops the rest; a malformed blob fails
 * with KY_E_PARSE naming the offset and leaves c empty. */
int ky_corr_save(struct ky_corr *c, struct ky_buf *out);
int ky_corr_restore(struct ky_corr *c, const void *blob, size_t len,
		    struct ky_err *err);

/* The correlation alert as one JSON object:
 * {"rule":{"id","title","level","tags","author"},
 *  "correlation":{"type":"event_count","group":{"field":"value",...},
 *                 "value":N,"events":N,"first":"RFC3339","last":...,
 *                 "rules":["referenced",...],"timespan":"60s"},
 *  "time":"RFC3339 of last","received":...,"event":raw or null} */
int ky_corr_alert_to_json(const struct ky_corr_alert *a, struct ky_buf *out);

#endif
