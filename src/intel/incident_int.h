/* Internals shared by the incident engine (incident.c) and its JSON form
 * (incident_json.c): the incident record and the helpers both need.  Not
 * for use outside src/intel. */
#ifndef KY_INTEL_INCIDENT_INT_H
#define KY_INTEL_INCIDENT_INT_H

#include "base/buf.h"
#include "base/hash.h"
#include "intel/incident.h"

#define MAX_RULE_TAGS 64

/* Distinct strings in insertion order; the hash maps each to index + 1. */
struct strset {
	char **v;
	size_t n, cap;
	struct ky_hash *h;
};

struct entry {
	int64_t alert_id;
	enum ky_alert_kind kind;
	char *rule, *host, *user, *src;
	int64_t first_ns, last_ns;
	uint64_t hash, count;
};

struct rule_ev {
	char *title;
	int level;
	uint64_t count;
	char **tags;
	size_t ntags;
	struct ky_rsit_class prop;
};

struct hist {
	char *field, *from, *to, *who, *why;
	int64_t when_ns;
};

enum { K_RULE, K_HOST, K_USER, K_SRC, NKEYS };
extern const char *const ky__inc_key_names[NKEYS];
extern const char *const ky__inc_level_names[5];

struct ky_incident {
	int64_t id, follows;
	enum ky_incident_status status;
	char *title;
	unsigned keys;	    /* KY_INCIDENT_KEY_* of the key below */
	char *key[NKEYS];   /* NULL: absent */
	struct ky_buf kstr; /* binary key, for the engine's index */
	int64_t created_ns, first_ns, last_ns;
	uint64_t alert_count, ids_dropped, distinct_dropped;
	int64_t *ids;
	size_t nids, capids;
	struct entry *ent;
	size_t nent, capent;
	struct ky_hash *dedup; /* rule/host/user/src -> entry index + 1 */
	struct strset rules;   /* ids; rule_ev in parallel */
	struct rule_ev *rev;
	size_t caprev, capind;
	struct strset hosts, users, addrs, inds;
	int *ind_conf;
	uint64_t *ind_count;
	int level_max, crit, conf_max, score;
	struct ky_rsit_class rsit;
	enum ky_tlp tlp;
	enum ky_pap pap;
	bool tlp_manual, pap_manual;
	struct hist *hist;
	size_t nhist, caphist;
	size_t max_ids, max_distinct;
};

struct slot {
	struct ky_incident **v;
	size_t n, cap;
};

struct ky_incidents {
	struct ky_incident_config cfg;
	struct ky_incident **v;
	size_t n, cap;
	struct ky_hash *byid, *bykey; /* int64 id -> inc; kstr -> slot */
	int64_t next_id;
};

int ky__inc_grow(void **p, size_t *cap, size_t need, size_t size);
/* A copy of outside text fit for JSON (valid UTF-8, at most 4096 bytes). */
char *ky__inc_clean_dup(const char *s);
size_t ky__inc_strset_find(const struct strset *s, const char *str);
int ky__inc_strset_add(struct strset *s, const char *str, size_t max,
		       size_t *idx, bool *added);
int ky__inc_grow_inds(struct ky_incident *inc, size_t need);
struct ky_incident *ky__inc_alloc(size_t max_ids, size_t max_distinct);
int ky__inc_build_key(struct ky_buf *b, unsigned keys, char *const vals[NKEYS]);
void ky__inc_derive_class(struct ky_incident *inc);
/* Score from the evidence; with a configuration, TLP/PAP by policy. */
void ky__inc_apply_policy(struct ky_incident *inc,
			  const struct ky_incident_config *cfg);
int ky__inc_hist_add(struct ky_incident *inc, const char *field,
		     const char *from, const char *to, const char *who,
		     int64_t when, const char *why);
/* who non-empty and when > 0, or KY_E_INVAL naming the incident. */
int ky__inc_check_actor(const struct ky_incident *inc, const char *who,
			int64_t when, struct ky_err *err);
/* Puts a loaded incident in the engine's index. */
int ky__inc_index_put(struct ky_incidents *e, struct ky_incident *inc);

#endif
