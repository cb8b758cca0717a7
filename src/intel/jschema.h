/* JSON Schema validation (draft 2020-12, with the draft-04/07 forms the
 * FIRST CVSS schemas use), enough to check CSAF 2.0 documents against the
 * official schema.  Schemas are compiled once; validation allocates only one
 * PCRE2 match block per call.  docs/jschema.md lists the keywords. */
#ifndef KY_INTEL_JSCHEMA_H
#define KY_INTEL_JSCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

/* Nesting of the instance, and recursion through $ref / applicators,
 * beyond which validation stops with KY_E_TOOBIG. */
#define KY_JSCHEMA_MAX_DEPTH 256u

/* $id of the CSAF 2.0 schema, as given to ky_jschema_validate. */
#define KY_JSCHEMA_CSAF_ID                                                     \
	"https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

/* A set of compiled schemas, registered by URI.  Opaque. */
struct ky_jschema;

/* Creates an empty set.  Returns 0 or KY_E_NOMEM. */
int ky_jschema_new(struct ky_jschema **out);
/* Frees the set and everything compiled; accepts NULL. */
void ky_jschema_free(struct ky_jschema *s);

/* Compiles schema and registers it under uri, or under its "$id" (draft-04:
 * "id") when uri is NULL.  The set takes a reference to schema (the caller
 * keeps its own).  References to schemas not yet added stay pending until
 * they are; validation through a pending $ref fails with KY_E_NOTFOUND.
 * Returns 0, KY_E_PARSE (bad keyword value, bad regex), KY_E_UNSUPPORTED
 * (a keyword this validator does not implement, such as
 * unevaluatedProperties), KY_E_EXISTS (URI taken) or KY_E_INVAL. */
int ky_jschema_add(struct ky_jschema *s, json_t *schema, const char *uri,
		   struct ky_err *err);

/* As ky_jschema_add, reading the schema from the file at path; errors name
 * the file. */
int ky_jschema_add_file(struct ky_jschema *s, const char *path, const char *uri,
			struct ky_err *err);

/* Loads the CSAF 2.0 schema from csaf_dir (the folder holding json_schema/
 * and referenced_schema/, e.g. $KYKLOS_SHARED_DATA/csaf/csaf_2.0) and the
 * FIRST CVSS v2.0/v3.0/v3.1 schemas under the URIs the CSAF schema refers
 * to.  strict selects the *_strict.json variants (no additional
 * properties), as the OASIS validator does. */
int ky_jschema_load_csaf(struct ky_jschema *s, const char *csaf_dir,
			 bool strict, struct ky_err *err);

/* Validates doc against the schema registered as uri (a fragment such as
 * "#/$defs/x" may follow).  Returns 0 when valid, KY_E_PARSE when invalid
 * with err->msg "JSON-POINTER: message" for the first failure (for oneOf /
 * anyOf, the branch that came closest), KY_E_TOOBIG past
 * KY_JSCHEMA_MAX_DEPTH, KY_E_NOTFOUND for an unknown uri or unresolved
 * $ref, KY_E_NOMEM.  Thread-safe on a set no longer being added to. */
int ky_jschema_validate(const struct ky_jschema *s, const char *uri,
			const json_t *doc, struct ky_err *err);

/* Checks the string s (len bytes, valid UTF-8) against a "format":
 * "date-time" (RFC 3339 5.6), "date", "time", "uri" (RFC 3986 absolute
 * URI), "uri-reference", "email" (RFC 5321 mailbox), "uuid".  Returns 1 if
 * it conforms, 0 if not, -1 for a format this module does not know (an
 * annotation only). */
int ky_jschema_format_check(const char *format, const char *s, size_t len);

#endif
