/* RFC 8785 JSON Canonicalization Scheme: the one byte form of a JSON value
 * that everything signed in kyklos is signed over.  Members sorted by
 * their UTF-16 code units, no whitespace, strings with the minimal
 * escapes, numbers as ECMAScript's Number.prototype.toString of the IEEE
 * 754 double.  docs/signatures.md. */
#ifndef KY_TRUST_JCS_H
#define KY_TRUST_JCS_H

#include <jansson.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* Canonical form of JSON text: refuses what RFC 8785 (with I-JSON,
 * RFC 7493) refuses, naming line and column: duplicate member names,
 * invalid UTF-8 or lone surrogates, numbers that are not finite doubles,
 * nesting deeper than 512.  Appends to out. */
int ky_jcs_text(const char *json, size_t n, struct ky_buf *out,
		struct ky_err *err);
/* Canonical form of a value built in memory (integers beyond 2^53 are
 * refused: they would not survive as doubles). */
int ky_jcs_value(const json_t *v, struct ky_buf *out, struct ky_err *err);

/* The ECMAScript form of a double (RFC 8785 section 3.2.2.3): shortest
 * round-trip digits, exponent form below 1e-6 and from 1e21; NaN and
 * infinities refused (-1); -0 is "0".  out needs 32 bytes; returns the
 * length. */
int ky_jcs_number(double d, char out[32]);

#endif
