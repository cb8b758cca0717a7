/* STIX 2.1, the model the circle shares (docs/stix.md): builders for what a
 * node emits from its alerts, incidents, indicators and advisories, the
 * five TLP 2.0 markings, deterministic ids, and the check every received
 * object passes before anything else looks at it. */
#ifndef KY_INTEL_STIX_H
#define KY_INTEL_STIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "detect/indicators.h"
#include "intel/incident.h"

/* "observed-data--" + 36 is the longest id we build; received ids up to
 * this length are accepted */
#define KY_STIX_ID_MAX 64

/* Who emits, and when. */
struct ky_stix_ctx {
	const char *node_id;   /* the emitting node (trust/identity.h) */
	const char *node_name; /* its identity's name; node_id when NULL */
	int64_t now_ns;
};

/* The official TLP 2.0 marking-definition id of t (fixed by the OASIS TLP
 * 2.0 extension); NULL for KY_TLP_UNSET. */
const char *ky_stix_tlp_id(enum ky_tlp t);
/* The marking-definition object itself (new reference). */
json_t *ky_stix_tlp_marking(enum ky_tlp t);
/* The TLP of an object: the most restrictive TLP 2.0 marking among its
 * object_marking_refs, or KY_TLP_UNSET when it carries none. */
enum ky_tlp ky_stix_tlp_of(const json_t *obj);

/* RFC 4122 version-5 UUID of name in namespace ns (lower-case text). */
void ky_stix_uuid5(const char ns[37], const void *name, size_t n, char out[37]);
/* A deterministic SDO id: type--uuid5(kyklos namespace, node_id "/" key),
 * so the same local record always maps to the same STIX id. */
void ky_stix_id(const char *type, const char *node_id, const char *key,
		char out[KY_STIX_ID_MAX]);
/* An SCO id as STIX 2.1 wants it: uuid5 of the SCO namespace over the
 * RFC 8785 form of {"value": value}.  0 or KY_E_NOMEM. */
int ky_stix_sco_id(const char *type, const char *value,
		   char out[KY_STIX_ID_MAX]);
/* The identity id of a node. */
void ky_stix_node_identity_id(const char *node_id, char out[KY_STIX_ID_MAX]);

/* The STIX pattern of one indicator of ours:
 *   [ipv4-addr:value = '203.0.113.7'], [ipv6-addr:value ISSUBSET '..'],
 *   [domain-name:value = 'a.example'], [domain-name:value LIKE '%.b.example']
 *   (our "*.b.example"), [url:value = '..'], [email-addr:value = '..'],
 *   [file:hashes.MD5 = '..'], [file:hashes.'SHA-1' = '..'],
 *   [file:hashes.'SHA-256' = '..'].
 * Quotes and backslashes in values are escaped.  KY_E_INVAL for a value
 * that is not of its type. */
int ky_stix_pattern(enum ky_ioc_type t, const char *value, struct ky_buf *out,
		    struct ky_err *err);
/* The reverse, for patterns of exactly those forms: the type and the value
 * as our indicator sets hold it (*value malloc'd).  KY_E_UNSUPPORTED for
 * any other pattern (it is kept, just not matched locally). */
int ky_stix_pattern_ioc(const char *pattern, enum ky_ioc_type *t, char **value,
			struct ky_err *err);

/* Builders.  Each returns a new object or NULL (allocation failure, or a
 * bad argument reported in err).  tlp KY_TLP_UNSET leaves the object
 * unmarked. */
json_t *ky_stix_identity(const struct ky_stix_ctx *c, const char *country,
			 const char *sector);
json_t *ky_stix_indicator(const struct ky_stix_ctx *c, enum ky_ioc_type t,
			  const char *value, int confidence, enum ky_tlp tlp,
			  int64_t valid_from_ns, struct ky_err *err);
/* A sighting of sighting_of (an indicator id) seen count times between
 * first and last by this node; observed may be NULL. */
json_t *ky_stix_sighting(const struct ky_stix_ctx *c, const char *key,
			 const char *sighting_of, int64_t first_ns,
			 int64_t last_ns, uint64_t count, const char *observed,
			 enum ky_tlp tlp, struct ky_err *err);
/* observed-data for one stored alert (the alerts table's JSON document):
 * its source address and user as SCOs.  *scos receives the SCOs (new
 * array).  NULL with KY_E_NOTFOUND when the alert has nothing observable. */
json_t *ky_stix_observed_alert(const struct ky_stix_ctx *c, const json_t *alert,
			       enum ky_tlp tlp, json_t **scos,
			       struct ky_err *err);
/* An incident (the store's incident document, intel/incident.h) with the
 * Incident Core extension; its TLP is the incident's. */
json_t *ky_stix_incident(const struct ky_stix_ctx *c, const json_t *doc,
			 struct ky_err *err);
json_t *ky_stix_vulnerability(const struct ky_stix_ctx *c, const char *cve,
			      const char *description, enum ky_tlp tlp,
			      struct ky_err *err);
json_t *ky_stix_relationship(const struct ky_stix_ctx *c, const char *rel,
			     const char *src, const char *dst, enum ky_tlp tlp,
			     struct ky_err *err);
json_t *ky_stix_note(const struct ky_stix_ctx *c, const char *key,
		     const char *content, const char *const *refs, size_t nrefs,
		     enum ky_tlp tlp, struct ky_err *err);
json_t *ky_stix_report(const struct ky_stix_ctx *c, const char *key,
		       const char *name, const char *const *refs, size_t nrefs,
		       enum ky_tlp tlp, struct ky_err *err);
/* The check of a received object: a JSON object with a known type, an id
 * of that type, spec_version 2.1 on SDOs/SROs, timestamps with their
 * order (created <= modified), references of the right form, confidence
 * 0-100, and the required properties of its type.  KY_E_PARSE names the
 * object id and the property. */
int ky_stix_check(const json_t *obj, struct ky_err *err);

/* (id, modified) of an object, for versioning; modified falls back to
 * created, then to "" for SCOs (which are not versioned). */
const char *ky_stix_modified(const json_t *obj);

#endif
