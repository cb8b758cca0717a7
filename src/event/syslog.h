/* Syslog parsers: RFC 5424 (with structured data) and RFC 3164 (BSD) with
 * the deviations real senders show (missing PRI, ISO timestamps, missing
 * host, "program[pid]:" tags with and without pid, trailing NUL/CR/LF).
 *
 * Fields produced (ECS-style names, documented in docs/events.md):
 *   log.syslog.priority, log.syslog.facility.code, log.syslog.severity.code,
 *   host.hostname, process.name, process.pid, event.code (5424 MSGID),
 *   message, and for 5424 structured data "sd.<SD-ID>.<PARAM>".
 * ev->time_ns is set from the header timestamp. */
#ifndef KY_EVENT_SYSLOG_H
#define KY_EVENT_SYSLOG_H

#include <stddef.h>

#include "base/err.h"
#include "event/event.h"

/* RFC 5424.  Strict about the header, tolerant of a BOM before MSG.
 * Returns 0 or KY_E_PARSE/KY_E_TOOBIG/KY_E_NOMEM, err = "offset N: ...". */
int ky_syslog5424_parse(const char *p, size_t n, struct ky_event *ev,
			struct ky_err *err);
/* RFC 3164.  recv_ns resolves the missing year.  Almost any line is
 * accepted as 3164 (the RFC says so); the error cases are empty input and
 * a malformed PRI. */
int ky_syslog3164_parse(const char *p, size_t n, int64_t recv_ns,
			struct ky_event *ev, struct ky_err *err);

/* Message part (after the header) of the last parsed record, for the
 * extractors: the field "message" holds it too. */

#endif
