/* UTF-8 validation (RFC 3629), the precheck of YAML text and the reading
 * of single-quoted YAML scalars: one copy for the configuration, Sigma rule
 * and logsource loaders and the JSON writer. */
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"

size_t ky_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

size_t ky_utf8_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = ky_utf8_seq(u + i, n - i)) == 0)
			return i;
		i += k;
	}
	return n;
}

int ky_yaml_precheck(const char *text, size_t n, unsigned blank_max,
		     unsigned *line, unsigned *col, const char **what)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned blank = 0;
	size_t i = 0, k;
	int empty = 1;

	*line = 1;
	*col = 1;
	while (i < n) {
		if (s[i] == '\0') {
			*what = "NUL byte in the file";
			return KY_E_PARSE;
		}
		if ((k = ky_utf8_seq(s + i, n - i)) == 0) {
			*what = "invalid UTF-8";
			return KY_E_PARSE;
		}
		/* YAML allows no other C0 or C1 control character, and
		 * libfyaml 0.7.12 crashes on some (found by fuzz_sigma). */
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		     s[i] != '\r') ||
		    s[i] == 0x7f ||
		    (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0 &&
		     s[i + 1] != 0x85)) {
			*what = "control character (not allowed in YAML)";
			return KY_E_PARSE;
		}
		if (empty && s[i] == '?' &&
		    (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t' ||
		     s[i + 1] == '\n' || s[i + 1] == '\r')) {
			/* An explicit key ('? ') in block context: none of
			 * our files needs one, and libfyaml 0.7.12 crashes
			 * when a tab follows one on its line (fuzz_sigma). */
			*what = "explicit keys ('? ') are not supported";
			return KY_E_PARSE;
		}
		if (s[i] == '\n') {
			blank = empty ? blank + 1 : 0;
			if (blank > blank_max) {
				*what = "too many blank lines in a row";
				return KY_E_TOOBIG;
			}
			empty = 1;
			(*line)++;
			*col = 1;
		} else {
			/* "- " keeps the line empty for the check above: an
			 * explicit key may follow a sequence entry. */
			if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
			    !(s[i] == '-' && i + 1 < n &&
			      (s[i + 1] == ' ' || s[i + 1] == '\t')))
				empty = 0;
			(*col)++;
		}
		i += k;
	}
	*line = 1;
	*col = 1;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_break(char c)
{
	return c == '\n' || c == '\r';
}

/* Skips one line break (\n, \r\n or \r) at s[*i]. */
static void skip_break(const char *s, size_t n, size_t *i)
{
	if (s[*i] == '\r' && *i + 1 < n && s[*i + 1] == '\n')
		(*i)++;
	(*i)++;
}

int ky_yaml_unquote_single(const char *s, size_t n, struct ky_buf *out)
{
	size_t i = 0, j, empty;
	int r = 0;

	ky_buf_reset(out);
	while (i < n && r == 0) {
		if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'') {
			r = ky_buf_addc(out, '\'');
			i += 2;
		} else if (is_blank(s[i])) {
			for (j = i; j < n && is_blank(s[j]); j++)
				;
			if (j == n || !is_break(s[j]))
				r = ky_buf_add(out, s + i, j - i);
			i = j;
		} else if (is_break(s[i])) {
			skip_break(s, n, &i);
			for (empty = 0;; empty++) {
				while (i < n && is_blank(s[i]))
					i++;
				if (i == n || !is_break(s[i]))
					break;
				skip_break(s, n, &i);
			}
			if (empty == 0)
				r = ky_buf_addc(out, ' ');
			while (empty-- > 0 && r == 0)
				r = ky_buf_addc(out, '\n');
		} else {
			r = ky_buf_addc(out, s[i++]);
		}
	}
	return r;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ky_b64_encode(const void *in, size_t n, char *out, size_t cap)
{
	const uint8_t *p = in;
	size_t o = 0, i;

	if (cap < (n + 2) / 3 * 4 + 1)
		return 0;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int ky_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		  size_t *outlen, struct ky_err *err)
{
	size_t o = 0;

	*outlen = 0;
	if (n % 4 != 0)
		return ky_err_set(err, KY_E_PARSE,
				  "base64: length %zu is not a multiple of 4",
				  n);
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		uint32_t x;

		for (int k = 0; k < 4; k++) {
			char c = in[i + (size_t)k];

			if (c == '=' && i + 4 == n && k >= 2) {
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad > 0 || (v[k] = b64_value(c)) < 0)
				return ky_err_set(err, KY_E_PARSE,
						  "base64: offset %zu: bad "
						  "character",
						  i + (size_t)k);
		}
		x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		if ((pad == 1 && (x & 0xff) != 0) ||
		    (pad == 2 && (x & 0xffff) != 0))
			return ky_err_set(err, KY_E_PARSE,
					  "base64: offset %zu: non-zero "
					  "trailing bits",
					  i);
		if (o + 3 - (size_t)pad > cap)
			return ky_err_set(err, KY_E_TOOBIG,
					  "base64: more than %zu bytes", cap);
		out[o++] = (uint8_t)(x >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(x >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)x;
	}
	*outlen = o;
	return 0;
}

size_t ky_i64_dec(int64_t v, char out[KY_I64_DEC_MAX])
{
	char t[KY_I64_DEC_MAX];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, k = 0;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		out[k++] = '-';
	while (n > 0)
		out[k++] = t[--n];
	return k;
}
