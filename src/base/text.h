/* Checks on outside text: UTF-8 validity, and the precheck every YAML
 * input gets before libfyaml sees it (0.7.12 loops forever on some invalid
 * bytes in directives, passes other invalid bytes through, and takes time
 * quadratic in the blank lines inside a scalar). */
#ifndef KY_BASE_TEXT_H
#define KY_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (n >= 1 bytes available): 1
 * for ASCII, 2-4 for a well-formed sequence, 0 when the bytes are not one
 * (a bad lead or continuation, overlong form, surrogate, code point past
 * U+10FFFF, or cut short by n). */
size_t ky_utf8_seq(const unsigned char *s, size_t n);

/* Offset of the first byte of s[0..n) that does not start a valid UTF-8
 * sequence, or n when all of it is valid. */
size_t ky_utf8_check(const char *s, size_t n);

/* Text for libfyaml: no NUL byte, valid UTF-8, no control character but
 * tab, LF and CR (YAML's own rule), no explicit block key ('? ', which
 * crashes libfyaml 0.7.12 when a tab follows it), and no more than
 * blank_max blank lines in a row.  Returns 0, or KY_E_PARSE / KY_E_TOOBIG with
 * the 1-based line and column of the offending byte and a short reason. */
int ky_yaml_precheck(const char *s, size_t n, unsigned blank_max,
		     unsigned *line, unsigned *col, const char **what);

struct ky_buf;

/* The value of a single-quoted YAML scalar from its raw text between the
 * quotes (YAML 1.2, 7.3.2): '' is a quote; a line break folds to a space,
 * or to n newlines when n empty lines follow it; blanks around breaks go.
 * libfyaml 0.7.12 leaks when it unescapes runs of '' (its issue 233), so
 * the loaders read such scalars with this instead.  out is reset first.
 * Returns 0 or KY_E_NOMEM/KY_E_TOOBIG. */
int ky_yaml_unquote_single(const char *s, size_t n, struct ky_buf *out);

/* The decimal form of v ('-' first when negative) at the start of out,
 * which has room for KY_I64_DEC_MAX bytes; returns its length (no NUL).
 * What printf's %lld gives, without printf's cost on hot paths. */
#define KY_I64_DEC_MAX 20
size_t ky_i64_dec(int64_t v, char out[KY_I64_DEC_MAX]);

/* Base64 (RFC 4648 section 4, with padding).  encode writes the text and a
 * NUL (cap >= 4 * ceil(n / 3) + 1, else returns 0) and returns its length.
 * decode refuses characters outside the alphabet, missing or misplaced
 * padding and non-zero trailing bits (so every value has one encoding),
 * and output past cap: 0 or KY_E_PARSE / KY_E_TOOBIG with the offset. */
struct ky_err;
size_t ky_b64_encode(const void *in, size_t n, char *out, size_t cap);
int ky_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		  size_t *outlen, struct ky_err *err);

#endif
