/* Field mapping: renames event paths so that one rule set sees the same
 * names whatever shape the collector wrote.  Rules are exact renames
 * ("winlog.event_id" -> "EventID") and prefix strips ("Event.EventData.").
 * Name/value pair arrays (evtx_dump's EventData.Data[i] with #attributes.Name
 * and #text) become fields named by their Name.  The event time is taken
 * from the first configured time field present. */
#ifndef KY_EVENT_FIELDMAP_H
#define KY_EVENT_FIELDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "event/event.h"

struct ky_fieldmap;
struct ky_config;

/* An empty map (no rules, no time fields).  NULL on exhaustion. */
struct ky_fieldmap *ky_fieldmap_new(void);
/* The built-in rules for evtx_dump JSON, Winlogbeat/NXLog flat JSON and
 * ECS, and the usual time fields.  See docs/fieldmap.md. */
int ky_fieldmap_add_builtin(struct ky_fieldmap *m);
/* from ending in '.' is a prefix rule: with to == "" the prefix is
 * stripped, otherwise replaced by to ("old." -> "new.").  Any other from
 * renames that exact path to to.  A '*' may stand for one whole path
 * component ("Event.UserData.*.").  Strings are copied. */
int ky_fieldmap_add_rule(struct ky_fieldmap *m, const char *from,
			 const char *to, struct ky_err *err);
/* Appends a time field name (after mapping); the first present wins. */
int ky_fieldmap_add_time_field(struct ky_fieldmap *m, const char *name);
/* Builds the map from configuration (builtin flag, rules, time fields). */
int ky_fieldmap_from_config(struct ky_fieldmap **out,
			    const struct ky_config *cfg, struct ky_err *err);
void ky_fieldmap_free(struct ky_fieldmap *m);

/* Applies the map to ev in place and sets ev->time_ns from a time field if
 * one is present and parses.  Allocates only from ev->arena. */
int ky_fieldmap_apply(const struct ky_fieldmap *m, struct ky_event *ev);

#endif
