/* ArcSight Common Event Format: "CEF:Version|Device Vendor|Device Product|
 * Device Version|Signature ID|Name|Severity|Extension", optionally after a
 * syslog header.  Header fields escape '|' and '\\'; extension values escape
 * '=', '\\', and newlines (\n, \r).  Fields: cef.version, cef.device_vendor,
 * cef.device_product, cef.device_version, cef.signature_id, cef.name,
 * cef.severity, and each extension key as "cef.ext.<key>" plus the common
 * ECS names for the well-known keys (src -> source.ip, dst ->
 * destination.ip, suser -> source.user.name, ...: see docs/events.md). */
#ifndef KY_EVENT_CEF_H
#define KY_EVENT_CEF_H

#include <stddef.h>

#include "base/err.h"
#include "event/event.h"

/* p starts at "CEF:" (the caller strips a syslog header first).
 * Returns 0 or KY_E_PARSE/KY_E_TOOBIG/KY_E_NOMEM, err = "offset N: ...". */
int ky_cef_parse(const char *p, size_t n, struct ky_event *ev,
		 struct ky_err *err);

#endif
