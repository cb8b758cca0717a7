/* The detection engine as a node and `kyklos detect` run it: Sigma rules
 * (detect/ruleset.h), their correlations (detect/correlate.h) and
 * indicator lists (detect/indicators.h) loaded from paths, one context per
 * thread, and every alert rendered once as a store row with its JSON.
 * A detector is immutable after loading except for its correlation state;
 * the daemon replaces it on SIGHUP and moves that state across with a
 * ky_corr_host, so no correlation window is lost to a reload. */
#ifndef KY_NODE_DETECTOR_H
#define KY_NODE_DETECTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "detect/correlate.h"
#include "detect/rules_load.h"
#include "store/store.h"

struct ky_config;
struct ky_event;
struct ky_hash;
struct ky_detector;
struct ky_detect_ctx;

struct ky_detector_opts {
	char *const *rules; /* files or directories */
	size_t nrules;
	char *const *indicators; /* lists; *.csv read as CSV */
	size_t nindicators;
	char *const *warning_lists;
	size_t nwarning_lists;
	const char *logsources;		    /* NULL or "": the built-in map */
	const struct ky_hash *placeholders; /* borrowed while loading */
	struct ky_corr_opts corr;
	bool progress; /* a progress bar on stderr while loading rules */
	/* every problem while loading: status KY_E_UNSUPPORTED for a rule
	 * the engine cannot run, another for what cannot be loaded */
	void (*report)(void *ud, int status, const char *msg);
	void *ud;
};

struct ky_detector_info {
	struct ky_rules_load load; /* files, rules, compiled, ... */
	size_t unmapped;	   /* rules with no logsource mapping */
	size_t correlations;	   /* correlation rules that run */
	uint64_t indicators, warnings, ioc_rejected;
};

/* Loads everything; a rule or indicator line that cannot be used is
 * reported and skipped, a path that cannot be read fails the load only
 * for indicator lists (a rule path is reported and counted failed). */
int ky_detector_new(struct ky_detector **out, const struct ky_detector_opts *o,
		    struct ky_detector_info *info, struct ky_err *err);
/* A detector with cur's compiled rules and correlation engine (shared,
 * state and all) and the indicator and warning lists of o read again:
 * what a change of the lists alone needs, without compiling thousands of
 * rules.  o's rule options are not looked at: the caller knows they have
 * not changed (node/serve_ctl.c compares the configuration). */
int ky_detector_new_indicators(struct ky_detector **out,
			       struct ky_detector *cur,
			       const struct ky_detector_opts *o,
			       struct ky_detector_info *info,
			       struct ky_err *err);
/* The options of the node's configuration (detect.*): paths relative to
 * cfg->home.  *ph receives the placeholder table to free with
 * ky_hash_free after ky_detector_new (may be NULL). */
int ky_detector_opts_from_config(const struct ky_config *cfg,
				 struct ky_detector_opts *o,
				 struct ky_hash **ph, char ***paths,
				 struct ky_err *err);
void ky_detector_paths_free(char **paths);

struct ky_detector *ky_detector_ref(struct ky_detector *d);
void ky_detector_unref(struct ky_detector *d);

bool ky_detector_empty(const struct ky_detector *d); /* no rule, no list */
const struct ky_ruleset *ky_detector_ruleset(const struct ky_detector *d);
struct ky_corr *ky_detector_corr(const struct ky_detector *d);

/* The correlation engine that is live: the one of the newest detector.
 * Threads still running an older detector feed it too (their rules are
 * found again by id), so a reload loses no correlation state. */
struct ky_corr_host {
	pthread_mutex_t mu;
	struct ky_detector *cur; /* holds a reference */
};

void ky_corr_host_init(struct ky_corr_host *h, struct ky_detector *d);
/* Moves the state of the current engine into next's and makes it current
 * (next gains a reference).  A state that cannot move is reported in err
 * and next starts empty (returns that status; next is current anyway). */
int ky_corr_host_switch(struct ky_corr_host *h, struct ky_detector *next,
			struct ky_err *err);
void ky_corr_host_destroy(struct ky_corr_host *h);

/* An alert, ready to print or keep (json without a newline). */
typedef int (*ky_detect_sink)(void *ud, const struct ky_alert_row *row);

int ky_detect_ctx_new(struct ky_detector *d, struct ky_detect_ctx **out);
void ky_detect_ctx_free(struct ky_detect_ctx *c);
struct ky_detector *ky_detect_ctx_detector(const struct ky_detect_ctx *c);

struct ky_detect_counts {
	uint64_t events, rule_alerts, corr_alerts, ioc_alerts;
	uint64_t suppressed; /* rule alerts only feeding a correlation */
	uint64_t render_errors, match_errors;
};

/* Runs the rules and indicators of the context's detector on ev, feeds
 * the correlations through h (NULL: the detector's own engine) and calls
 * fn for each alert.  fn returning non-zero stops and is returned. */
int ky_detect_event(struct ky_detect_ctx *c, struct ky_corr_host *h,
		    const struct ky_event *ev, ky_detect_sink fn, void *ud);
/* Closes the correlation windows that end before now_ns (INT64_MAX: all,
 * at the end of offline input) and reports what fires. */
int ky_detect_flush(struct ky_detect_ctx *c, struct ky_corr_host *h,
		    int64_t now_ns, ky_detect_sink fn, void *ud);
const struct ky_detect_counts *
ky_detect_ctx_counts(const struct ky_detect_ctx *c);

/* Saves and restores the live correlation state under the store's state
 * name "correlation". */
int ky_corr_host_save(struct ky_corr_host *h, struct ky_store *st,
		      struct ky_err *err);
int ky_corr_host_restore(struct ky_corr_host *h, struct ky_store *st,
			 struct ky_err *err);

/* The indicators the circle shared, as a CSV the detector loads with the
 * configured lists (value, type, confidence, id). */
#define KY_CIRCLE_IOCS "data/circle-indicators.csv"
/* True when an indicator's list is that file. */
bool ky_detector_is_circle_list(const char *list);

#endif
