/* The reporting file of an incident: what the analyst records to report it
 * under NIS2 Art. 23 and CRA Art. 14 (significance, awareness, impact,
 * cross-border effect, root cause, submissions ...), kept as a JSON
 * document next to the incident with its own history, and the report input
 * (respond/nis2.h) built from it, the incident and the node's entity.
 * docs/reporting.md "Incidents and their reporting file". */
#ifndef KY_RESPOND_CASE_H
#define KY_RESPOND_CASE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "intel/incident.h"
#include "respond/nis2.h"
#include "store/store.h"

/* The reporting entity (the node's entity.* configuration). */
struct ky_entity {
	const char *name, *sector, *subsector, *member_state, *tz;
	bool trust_service_provider;
	bool manufacturer; /* CRA Art. 14 applies */
};

/* A new empty file for incident id (new reference). */
json_t *ky_case_new(int64_t incident_id);

/* Checks a file read back (types of every known member; unknown members
 * refused), naming the path of the first problem. */
int ky_case_check(const json_t *c, struct ky_err *err);

/* Sets one field from text, recording who/when/value in the history.
 * Fields (CLI names; '-' and '_' are the same):
 *   significant, cra-incident, cra-vulnerability   yes|no
 *   detected, aware, started, ended, fix-available,
 *   intermediate-requested, intermediate-due        RFC 3339 time or "now"
 *                                                   ("" or "none" clears)
 *   malicious                                       yes|no|unknown
 *   cross-border                     no | member states "DE,FR" (yes+list)
 *   affected-users, affected-systems                integer >= 0 ("" clears)
 *   severity, impact, threat-type, root-cause, mitigations, user-measures,
 *   product, cve                                    text ("" clears)
 *   unknown          report field names "assessment.impact,..." ("" clears)
 * Bad values fail with KY_E_INVAL naming the field and the value. */
int ky_case_set(json_t *c, const char *field, const char *value,
		const char *who, int64_t now_ns, struct ky_err *err);

/* Records the submission of a stage of a regime at when_ns. */
int ky_case_submit(json_t *c, enum ky_regime reg, enum ky_stage stage,
		   const char *who, int64_t when_ns, struct ky_err *err);

/* Whether the file makes the regime apply (significant, cra-incident,
 * cra-vulnerability). */
bool ky_case_applies(const json_t *c, enum ky_regime reg);

/* The report input: borrowed strings point into c, the incident's JSON
 * kept in x and x's own buffers; valid until ky_case_input_clear.  Values
 * the analyst has not set are prefilled from the incident: detected = its
 * creation, started = its first event, severity = its band, affected
 * systems = its hosts, indicators = the indicator values it hit (typed by
 * their syntax), RSIT class and TLP.  c may be NULL (nothing recorded). */
struct ky_case_input {
	struct ky_nis2_input in;
	json_t *inc_json;
	char id[32];
	char tlp[32];
	const char **strs; /* member states and unknown names */
	struct ky_nis2_indicator *iocs;
};
int ky_case_input(struct ky_case_input *x, const json_t *c,
		  const struct ky_incident *inc, const struct ky_entity *ent,
		  enum ky_regime reg, int64_t now_ns, struct ky_err *err);
void ky_case_input_clear(struct ky_case_input *x);

/* The STIX-like type of an indicator value by its syntax ("ipv4-addr",
 * "ipv6-addr", "domain-name", "url", "email-addr", "file:hashes.MD5",
 * "file:hashes.SHA-1", "file:hashes.SHA-256"). */
const char *ky_case_indicator_type(const char *v);

/* Stored as documents of kind "report", id = the incident's store key. */
int ky_case_load(struct ky_store *st, int64_t incident_id, json_t **out,
		 struct ky_err *err); /* KY_E_NOTFOUND when none */
int ky_case_save(struct ky_store *st, const json_t *c, int64_t now_ns,
		 struct ky_err *err);

#endif
