/* CVE JSON 5 records (CVE Record Format 5.x, the CVE Program's schema):
 * each record is translated into a CSAF 2.0 security advisory so that one
 * model (intel/csaf.h) and one matcher (intel/exposure.h) serve both
 * sources.  docs/cve5.md gives the mapping field by field. */
#ifndef KY_INTEL_CVE5_H
#define KY_INTEL_CVE5_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"

/* True when j looks like a CVE record (dataType "CVE_RECORD" and a
 * dataVersion starting with "5."), to tell it from a CSAF document. */
bool ky_cve5_is_record(const json_t *j);

/* Translates one CVE record into a new CSAF 2.0 document (*out, a new
 * reference) that passes the CSAF JSON schema and the mandatory tests of
 * section 6.1: document.tracking.id is the CVE id, the product tree holds
 * one branch per affected vendor/product/version (purl and CPE 2.3 as
 * product identification helpers when the record gives them), version
 * ranges become "vers:" ranges, the affected/unaffected/unknown statuses
 * become known_affected / known_not_affected / under_investigation (or
 * fixed for an unaffected version after an affected range), CVSS 3.1 and
 * 4.0 metrics become scores, and an active exploitation flag (CISA ADP:
 * KEV entry or SSVC "Exploitation: active") becomes a threat of category
 * exploit_status.  A REJECTED record fails with KY_E_INVAL.  Errors name
 * the JSON path ("$.containers.cna.affected[2].versions[0].lessThan:
 * expected a string"). */
int ky_cve5_to_csaf(const json_t *record, json_t **out, struct ky_err *err);

#endif
