/* Incidents kept in the store.  The engine of intel/incident.h is fed from
 * the alerts table in id order (a cursor kept in the store), and every
 * incident it changes is written back as a document of kind "incident" in
 * the caller's write transaction.  Several writers may share one store (the
 * daemon's alert writer, `kyklos incidents ack` ...): each change stamps the
 * store with a new generation, and a writer that finds a generation it did
 * not write reloads before it groups or edits, so no change is lost and no
 * alert is grouped twice.  docs/incidents.md "Storage". */
#ifndef KY_INTEL_INCSTORE_H
#define KY_INTEL_INCSTORE_H

#include <stdint.h>

#include "base/err.h"
#include "intel/incident.h"
#include "store/store.h"

struct ky_incstore;

/* cfg is copied; its asset_crit lookup is replaced by the store's own
 * inventory (documents of kind "asset"), loaded at each reload. */
int ky_incstore_new(struct ky_incstore **out,
		    const struct ky_incident_config *cfg, struct ky_err *err);
void ky_incstore_free(struct ky_incstore *b);

struct ky_incstore_counts {
	uint64_t alerts;		 /* alerts read after the cursor */
	uint64_t opened, joined, folded; /* what they did */
	uint64_t refused;		 /* not groupable (reported in log) */
	uint64_t written;		 /* incident documents written */
	uint64_t reloads;		 /* another writer had changed them */
};

/* Inside an open write transaction: reloads when needed, then groups the
 * alerts stored after the cursor (at most max; 0: all) and writes the
 * incidents they changed and the new cursor.  Closed and false-positive
 * incidents quiet for a window are dropped from memory (they stay
 * stored).  c (may be NULL) accumulates counts. */
int ky_incstore_sync(struct ky_incstore *b, struct ky_store *st, int64_t now_ns,
		     size_t max, struct ky_incstore_counts *c,
		     struct ky_err *err);

/* The engine as of the last sync: incidents held in memory. */
struct ky_incidents *ky_incstore_engine(struct ky_incstore *b);

/* After a sync in the same transaction: the incident with this id, held
 * or read from the store (*owned true: the caller frees it with
 * ky_incident_free after saving).  KY_E_NOTFOUND names the id. */
int ky_incstore_find(struct ky_incstore *b, struct ky_store *st, int64_t id,
		     struct ky_incident **inc, bool *owned, struct ky_err *err);

/* Writes one incident the caller changed and stamps a new generation. */
int ky_incstore_save(struct ky_incstore *b, struct ky_store *st,
		     const struct ky_incident *inc, int64_t now_ns,
		     struct ky_err *err);

/* Severity and markings of every held incident again (after an inventory
 * change: the inventory is reloaded first); writes those that changed. */
int ky_incstore_recompute(struct ky_incstore *b, struct ky_store *st,
			  int64_t now_ns, struct ky_err *err);

/* Readers (no transaction needed): one stored incident, loaded (caller
 * frees), or every stored incident in id order (fn may not keep it). */
int ky_incstore_get(struct ky_store *st, int64_t id, struct ky_incident **out,
		    struct ky_err *err);
int ky_incstore_each(struct ky_store *st,
		     int (*fn)(void *ud, const struct ky_incident *inc),
		     void *ud, struct ky_err *err);

/* The grouping input of one stored alert: the row plus what its JSON
 * holds (rule tags, indicator value and confidence, correlated rules and
 * window start, a stable hash of the event).  Strings point into *j and
 * *tags (both freed with ky_incstore_alert_clear). */
struct ky_incstore_alert {
	struct ky_incident_alert a;
	json_t *j;
	const char **strs; /* tags then correlated rules */
};
int ky_incstore_alert_from_row(const struct ky_alert_row *row,
			       struct ky_incstore_alert *out,
			       struct ky_err *err);
void ky_incstore_alert_clear(struct ky_incstore_alert *x);

/* Engine configuration from the node's incidents.* keys. */
struct ky_config;
int ky_incstore_config(const struct ky_config *cfg,
		       struct ky_incident_config *out, struct ky_err *err);

/* "INC-7" style display, and its parse (accepts "7" and "INC-7"). */
int ky_incident_id_parse(const char *s, int64_t *id, struct ky_err *err);

#endif
