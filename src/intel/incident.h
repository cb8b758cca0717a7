/* Incidents: alerts grouped by key and time window, deduplicated, with a
 * lifecycle, a severity score, an RSIT classification and TLP/PAP markings,
 * kept in memory and serialised to JSON for the store (docs/incidents.md).
 * The engine has one owner (the store's writer); nothing here locks. */
#ifndef KY_INTEL_INCIDENT_H
#define KY_INTEL_INCIDENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* ---- RSIT (Reference Security Incident Taxonomy) ---------------------- */

/* The whole vocabulary, i-th (class, type) pair; false past the end.  The
 * strings are static and are the machinetag values ("intrusions",
 * "system-compromise"). */
bool ky_rsit_pair(size_t i, const char **cls, const char **type);
/* True when (cls, type) is in the vocabulary; type NULL checks the class. */
bool ky_rsit_valid(const char *cls, const char *type);

/* Where a classification came from, weakest first. */
enum ky_rsit_source {
	KY_RSIT_SRC_DEFAULT = 0, /* no usable tag: other/undetermined */
	KY_RSIT_SRC_TACTIC,	 /* an attack.<tactic> tag */
	KY_RSIT_SRC_TECHNIQUE,	 /* an attack.tNNNN[.NNN] tag */
	KY_RSIT_SRC_RULE,	 /* the rule's own rsit.<class>.<type> tag */
	KY_RSIT_SRC_ANALYST,	 /* set by hand; never replaced by alerts */
};

const char *ky_rsit_source_name(enum ky_rsit_source s);

struct ky_rsit_class {
	const char *cls, *type; /* static strings of the vocabulary */
	enum ky_rsit_source source;
	const char *tag; /* static copy of the deciding tag; NULL for default */
	int weight;	 /* how severe the type is (0-100), for ranking */
};

/* The class one rule proposes from its tags (case-insensitive): its own
 * rsit tag, else the most severe mapping of its ATT&CK technique tags
 * (sub-technique falling back to its parent), else of its tactic tags,
 * else other/undetermined with source DEFAULT. */
void ky_rsit_from_tags(const char *const *tags, size_t ntags,
		       struct ky_rsit_class *out);
/* True when proposal a outranks b for an incident: rule tags beat ATT&CK
 * mappings, then the more severe type wins, then the earlier one stays. */
bool ky_rsit_better(const struct ky_rsit_class *a,
		    const struct ky_rsit_class *b);
/* i-th entry of the ATT&CK tactic / technique tables (for docs and tests):
 * the tag suffix ("credential-access", "t1110") and its class and type. */
bool ky_rsit_attack_entry(size_t i, const char **attack, const char **cls,
			  const char **type);

/* ---- markings --------------------------------------------------------- */

enum ky_tlp {
	KY_TLP_CLEAR = 0,
	KY_TLP_GREEN,
	KY_TLP_AMBER,
	KY_TLP_AMBER_STRICT,
	KY_TLP_RED,
	KY_TLP_UNSET, /* in a policy: no rule for this entry */
};
enum ky_pap {
	KY_PAP_CLEAR = 0,
	KY_PAP_GREEN,
	KY_PAP_AMBER,
	KY_PAP_RED,
	KY_PAP_UNSET,
};

/* "clear", "green", "amber", "amber+strict", "red" (TLP 2.0); PAP the
 * same minus amber+strict.  Parsing is case-insensitive and accepts a
 * "tlp:" / "pap:" prefix; -1 when unknown. */
const char *ky_tlp_name(enum ky_tlp t);
int ky_tlp_parse(const char *s);
const char *ky_pap_name(enum ky_pap p);
int ky_pap_parse(const char *s);

/* ---- severity --------------------------------------------------------- */

enum ky_sev_band {
	KY_SEV_LOW = 0, /* 0-39 */
	KY_SEV_MEDIUM,	/* 40-59 */
	KY_SEV_HIGH,	/* 60-79 */
	KY_SEV_CRITICAL /* 80-100 */
};

const char *ky_sev_band_name(enum ky_sev_band b);

/* The documented formula (docs/incidents.md): level 0-4 (enum
 * ky_sigma_level), criticality 1-5, confidence 0-100 (0: no indicator),
 * hosts >= 0.  Out-of-range inputs are clamped.  Returns 0-100. */
int ky_severity_score(int level, int criticality, int confidence, size_t hosts);
enum ky_sev_band ky_severity_band(int score);

/* ---- the incident ----------------------------------------------------- */

enum ky_incident_status {
	KY_INC_NEW = 0,
	KY_INC_ACKNOWLEDGED,
	KY_INC_CONTAINED,
	KY_INC_RESOLVED,
	KY_INC_CLOSED,
	KY_INC_FALSE_POSITIVE,
	KY_INC_NSTATUS
};

const char *ky_incident_status_name(enum ky_incident_status s);
/* -1 when unknown ("false-positive" is accepted for false_positive). */
int ky_incident_status_parse(const char *s);
/* True for new, acknowledged and contained: alerts may still join. */
bool ky_incident_status_open(enum ky_incident_status s);
/* Whether from -> to is legal, and whether it needs a reason. */
bool ky_incident_transition_legal(enum ky_incident_status from,
				  enum ky_incident_status to,
				  bool *needs_reason);

struct ky_incident;

int64_t ky_incident_id(const struct ky_incident *inc);
enum ky_incident_status ky_incident_status(const struct ky_incident *inc);
const char *ky_incident_title(const struct ky_incident *inc);
int64_t ky_incident_first_ns(const struct ky_incident *inc);
int64_t ky_incident_last_ns(const struct ky_incident *inc);
int64_t ky_incident_created_ns(const struct ky_incident *inc);
/* Alerts received, duplicates included. */
uint64_t ky_incident_alert_count(const struct ky_incident *inc);
/* Alert entries after deduplication. */
size_t ky_incident_entry_count(const struct ky_incident *inc);
/* Store ids of the alerts kept (*n of them; duplicates included up to
 * max_alert_ids). */
const int64_t *ky_incident_alert_ids(const struct ky_incident *inc, size_t *n);
size_t ky_incident_host_count(const struct ky_incident *inc);
/* The incident this one follows (a closed one with the same key), 0. */
int64_t ky_incident_follows(const struct ky_incident *inc);
int ky_incident_score(const struct ky_incident *inc);
enum ky_sev_band ky_incident_band(const struct ky_incident *inc);
const struct ky_rsit_class *ky_incident_rsit(const struct ky_incident *inc);
enum ky_tlp ky_incident_tlp(const struct ky_incident *inc);
enum ky_pap ky_incident_pap(const struct ky_incident *inc);
/* Number of history entries (status changes and overrides). */
size_t ky_incident_history_count(const struct ky_incident *inc);

/* Lifecycle: who is required; when > 0 (ns); why is required for
 * false_positive, closed and reopening.  Illegal changes fail with
 * KY_E_INVAL and "incident 7: illegal transition resolved -> contained". */
int ky_incident_transition(struct ky_incident *inc, enum ky_incident_status to,
			   const char *who, int64_t when_ns, const char *why,
			   struct ky_err *err);
/* Analyst overrides, recorded in the history.  cls NULL drops the
 * override (the class is derived from the tags again); tlp/pap UNSET drop
 * theirs (the policy applies again on the next alert or recompute). */
int ky_incident_classify(struct ky_incident *inc, const char *cls,
			 const char *type, const char *who, int64_t when_ns,
			 const char *why, struct ky_err *err);
int ky_incident_set_tlp(struct ky_incident *inc, enum ky_tlp tlp,
			const char *who, int64_t when_ns, const char *why,
			struct ky_err *err);
int ky_incident_set_pap(struct ky_incident *inc, enum ky_pap pap,
			const char *who, int64_t when_ns, const char *why,
			struct ky_err *err);

/* JSON (shape in docs/incidents.md).  to_json returns a new reference (NULL
 * on exhaustion).  from_json builds a new incident (the caller frees it
 * with ky_incident_free) or fails naming the path ("$.alerts[2].time_ns:
 * expected an integer"). */
json_t *ky_incident_to_json(const struct ky_incident *inc);
int ky_incident_from_json(const json_t *j, struct ky_incident **out,
			  struct ky_err *err);
/* The same from/to text; parse errors name line and column.  *out is
 * malloc'ed (caller frees). */
int ky_incident_dump(const struct ky_incident *inc, char **out, size_t *len);
int ky_incident_load(const char *s, size_t n, struct ky_incident **out,
		     struct ky_err *err);
void ky_incident_free(struct ky_incident *inc);

/* ---- the engine ------------------------------------------------------- */

#define KY_INCIDENT_KEY_RULE 0x1u
#define KY_INCIDENT_KEY_HOST 0x2u
#define KY_INCIDENT_KEY_USER 0x4u
#define KY_INCIDENT_KEY_SRC 0x8u

/* Criticality 1-5 of the asset with this host name or address (either
 * may be NULL); 0 when unknown. */
typedef int (*ky_asset_crit_fn)(void *ud, const char *host, const char *addr);

struct ky_incident_config {
	unsigned keys;	      /* KY_INCIDENT_KEY_* bits; 0: one stream */
	int64_t window_ns;    /* join when within this of the incident */
	int64_t dedup_ns;     /* same rule+host+user+src within: fold; 0 off */
	size_t max_alert_ids; /* per incident; more are counted only */
	size_t max_distinct;  /* hosts, users, addresses, indicators, tags */
	size_t max_incidents; /* held by the engine; KY_E_TOOBIG past it */
	int default_criticality; /* for unknown assets, 1-5 */
	ky_asset_crit_fn asset_crit;
	void *asset_ud;
	/* TLP/PAP defaults: by RSIT class when the entry for the incident's
	 * class is set (indexed like ky_rsit_class_index), else by band. */
	enum ky_tlp tlp_by_band[4];
	enum ky_pap pap_by_band[4];
	enum ky_tlp tlp_by_class[16];
	enum ky_pap pap_by_class[16];
};

/* Index of an RSIT class in the vocabulary's class order, -1 if unknown. */
int ky_rsit_class_index(const char *cls);

/* Defaults: keys rule+host, window 1 h, dedup 60 s, 100000 ids, 1024
 * distinct values, 100000 incidents, criticality 3, TLP green/amber/amber/
 * amber+strict and PAP green/amber/amber/red by band, no class rules. */
void ky_incident_config_default(struct ky_incident_config *cfg);

/* One alert as the engine sees it (a row of the store's alerts table plus
 * what grouping needs).  Strings are copied. */
struct ky_incident_alert {
	int64_t id; /* store alert id, 0 if none */
	enum ky_alert_kind kind;
	int64_t time_ns; /* event time; 0 uses recv_ns */
	int64_t recv_ns;
	const char *rule_id; /* required */
	const char *title;
	int level; /* enum ky_sigma_level */
	const char *const *tags;
	size_t ntags;
	const char *host, *user, *src_ip; /* NULL or "" when unknown */
	uint64_t event_hash;		  /* 0 when unknown */
	const char *indicator;		  /* indicator value hit */
	int confidence;			  /* 0-100 for indicators, else 0 */
	/* correlation results: the rules correlated and the window start */
	const char *const *corr_rules;
	size_t ncorr_rules;
	int64_t corr_first_ns;
};

enum ky_incident_outcome {
	KY_INC_OPENED = 0, /* a new incident */
	KY_INC_JOINED,	   /* a new entry in an open incident */
	KY_INC_FOLDED,	   /* a duplicate, counted on an existing entry */
};

struct ky_incident_result {
	int64_t id;
	enum ky_incident_outcome outcome;
	int64_t follows; /* OPENED after a closed incident of the same key */
};

struct ky_incidents;

int ky_incidents_new(struct ky_incidents **out,
		     const struct ky_incident_config *cfg, struct ky_err *err);
void ky_incidents_free(struct ky_incidents *e);
/* Groups one alert; res (may be NULL) says where it went. */
int ky_incidents_add(struct ky_incidents *e, const struct ky_incident_alert *a,
		     struct ky_incident_result *res, struct ky_err *err);
/* NULL when not held.  The pointer stays valid until removed or freed;
 * transitions and overrides may be applied to it directly. */
struct ky_incident *ky_incidents_get(struct ky_incidents *e, int64_t id);
size_t ky_incidents_count(const struct ky_incidents *e);
/* The id the next incident gets; set only raises it (ids are never
 * reused, even of incidents released from memory). */
int64_t ky_incidents_next_id(const struct ky_incidents *e);
void ky_incidents_set_next_id(struct ky_incidents *e, int64_t id);
/* i-th held incident in creation order (NULL past the end). */
struct ky_incident *ky_incidents_at(struct ky_incidents *e, size_t i);
/* Takes ownership of a loaded incident (restoring from the store); fails
 * with KY_E_EXISTS if its id is held.  Later ids continue after it. */
int ky_incidents_adopt(struct ky_incidents *e, struct ky_incident *inc,
		       struct ky_err *err);
/* Hands a held incident back to the caller (to store and forget a closed
 * one); NULL when not held. */
struct ky_incident *ky_incidents_release(struct ky_incidents *e, int64_t id);
/* Applies the TLP/PAP policy and severity again (after an asset change or
 * when an override was dropped). */
void ky_incidents_recompute(struct ky_incidents *e, struct ky_incident *inc);

/* The engine's whole state: {"next_id":N,"incidents":[...]}; load
 * replaces the held incidents. */
json_t *ky_incidents_to_json(const struct ky_incidents *e);
int ky_incidents_from_json(struct ky_incidents *e, const json_t *j,
			   struct ky_err *err);

#endif
