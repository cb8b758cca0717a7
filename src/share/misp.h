/* MISP interoperability (docs/misp.md): MISP events in the MISP core
 * format and MISP feeds read into indicators and sightings, and our
 * indicators written as a MISP event. */
#ifndef KY_SHARE_MISP_H
#define KY_SHARE_MISP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "detect/indicators.h"
#include "intel/incident.h"

/* One attribute of a MISP event that is an indicator kind of ours. */
struct ky_misp_attr {
	const char *event_uuid, *event_info;
	const char *uuid, *type, *category, *comment;
	const char *value; /* as our indicator sets hold it */
	enum ky_ioc_type kind;
	bool to_ids;
	int64_t time_ns;    /* the attribute's timestamp */
	enum ky_tlp tlp;    /* its tlp: tag, else the event's, else UNSET */
	uint64_t sightings; /* MISP sightings of type 0 */
	int64_t first_seen_ns, last_seen_ns; /* of those sightings */
};

struct ky_misp_stats {
	uint64_t events, attributes, accepted, unsupported, rejected;
	uint64_t false_positives; /* sightings of type 1, not imported */
};

/* Reads MISP JSON: {"Event":{...}}, a bare event, {"response":[{"Event":
 * ...}]} or a list of those.  fn gets each attribute of a supported type
 * (from Attribute and Object[].Attribute); a value that is not valid for
 * its type is rejected with the event uuid and attribute index in the
 * message (printed by warn, may be NULL) and reading goes on.
 * KY_E_PARSE only when the text is not MISP JSON at all. */
int ky_misp_parse(const char *json, size_t n, const char *name,
		  int (*fn)(void *ud, const struct ky_misp_attr *a), void *ud,
		  void (*warn)(void *ud, const char *msg),
		  struct ky_misp_stats *st, struct ky_err *err);

/* A MISP feed directory: manifest.json and one <uuid>.json per event. */
int ky_misp_feed(const char *dir,
		 int (*fn)(void *ud, const struct ky_misp_attr *a), void *ud,
		 void (*warn)(void *ud, const char *msg),
		 struct ky_misp_stats *st, struct ky_err *err);

/* A MISP event ({"Event":{...}}, new reference) of STIX indicators whose
 * patterns are single indicators of ours (others are skipped and
 * counted in *skipped). */
json_t *ky_misp_export(const json_t *indicators, const char *info,
		       const char *org, int64_t now_ns, size_t *skipped,
		       struct ky_err *err);

#endif
