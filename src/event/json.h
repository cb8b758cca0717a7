/* Zero-copy JSON scanner for the hot path: turns one JSON value (normally an
 * object per line) into event fields without building a tree.  Strings
 * without escapes point into the input; escaped strings are decoded into the
 * event's arena.  Strict RFC 8259: invalid UTF-8, bad escapes, lone
 * surrogates, leading zeros, trailing garbage, control characters in
 * strings are all errors with a byte offset. */
#ifndef KY_EVENT_JSON_H
#define KY_EVENT_JSON_H

#include <stddef.h>

#include "base/err.h"
#include "event/event.h"

/* Flattens the JSON value in p[0..n) into ev: object members become dotted
 * paths, array elements "[i]".  Empty objects/arrays add no field.  A
 * top-level scalar is stored under the path "" (empty).  Whitespace around
 * the value is allowed; anything else after it is an error.  On error ev may
 * hold some fields (the caller resets it) and err says "offset N: what".
 * Returns 0, KY_E_PARSE, KY_E_TOOBIG (depth/fields) or KY_E_NOMEM. */
int ky_json_to_event(const char *p, size_t n, struct ky_event *ev,
		     unsigned max_depth, struct ky_err *err);

/* Validates without producing anything; same verdicts as ky_json_to_event.
 * Returns 0 or KY_E_PARSE/KY_E_TOOBIG with err set. */
int ky_json_validate(const char *p, size_t n, unsigned max_depth,
		     struct ky_err *err);

/* Length of the first complete JSON value at p (after leading whitespace),
 * for splitting a stream of pretty-printed documents; 0 when p holds only
 * whitespace, KY_E_AGAIN when the value is incomplete (needs more bytes),
 * KY_E_PARSE when it cannot be JSON.  Cheap: counts brackets and strings
 * only; the value is then parsed properly by ky_json_to_event. */
long ky_json_value_len(const char *p, size_t n);

/* Decodes the JSON string body s[0..n) (without quotes) into out, which
 * must hold n bytes.  Returns the decoded length or KY_E_PARSE. */
long ky_json_unescape(const char *s, size_t n, char *out);

#endif
