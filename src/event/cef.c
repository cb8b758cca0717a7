/* ArcSight CEF parser: seven pipe-separated header fields and the
 * key=value extension, with the common keys also given their ECS names.
 * Values point into the input unless an escape had to be removed. */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/time.h"
#include "event/cef.h"

#define LIT(s) s, sizeof(s) - 1

enum alias_kind {
	A_STR,	 /* copied as is */
	A_INT,	 /* integer when numeric, else string */
	A_LOWER, /* lower-cased (ECS network.transport is "tcp") */
	A_TIME,	 /* string, and sets ev->time_ns when it parses */
};

static const struct alias {
	const char *key;
	uint8_t keyl;
	uint8_t kind;
	const char *path;
	uint8_t pathl;
	const char *ext; /* "cef.ext.<key>" without an arena copy */
} aliases[] = {
#define AL(k, kind, p)                                                         \
	{                                                                      \
		k, sizeof(k) - 1, kind, p, sizeof(p) - 1, "cef.ext." k         \
	}
	AL("src", A_STR, "source.ip"),
	AL("dst", A_STR, "destination.ip"),
	AL("spt", A_INT, "source.port"),
	AL("dpt", A_INT, "destination.port"),
	AL("suser", A_STR, "source.user.name"),
	AL("duser", A_STR, "destination.user.name"),
	AL("shost", A_STR, "source.domain"),
	AL("dhost", A_STR, "destination.domain"),
	AL("act", A_STR, "event.action"),
	AL("msg", A_STR, "message"),
	AL("proto", A_LOWER, "network.transport"),
	AL("request", A_STR, "url.original"),
	AL("outcome", A_STR, "event.outcome"),
	AL("rt", A_TIME, "@timestamp"),
#undef AL
};

static const struct {
	const char *path;
	uint8_t pathl;
} header_paths[7] = {
	{LIT("cef.version")},	     {LIT("cef.device_vendor")},
	{LIT("cef.device_product")}, {LIT("cef.device_version")},
	{LIT("cef.signature_id")},   {LIT("cef.name")},
	{LIT("cef.severity")},
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '.';
}

static int add_failed(struct ky_err *err, int r, size_t off,
		      const struct ky_event *ev)
{
	if (r == KY_E_TOOBIG)
		return ky_err_set(err, r, "offset %zu: more than %u fields",
				  off, ev->max_fields);
	return ky_err_set(err, r, "offset %zu: %s", off, ky_strerror(r));
}

/* Digits only, at most 18 so that the value cannot overflow. */
static int parse_uint(const char *s, size_t n, int64_t *v)
{
	int64_t x = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Integer field with its literal pointing at the input. */
static int add_int_lit(struct ky_event *ev, const char *path, size_t plen,
		       const char *lit, size_t llen, int64_t v)
{
	int r = ky_event_add(ev, path, plen, KY_V_INT, lit, llen);

	if (r == 0)
		ev->fields[ev->nfields - 1].v.i = v;
	return r;
}

/* Header escapes are \| and \\; extension escapes are \= \\ \n \r (and \|,
 * which some senders write there too).  A backslash before anything else
 * is kept with the character, as ArcSight does. */
static char *unescape(struct ky_arena *a, const char *s, size_t n, int ext,
		      size_t *outl)
{
	char *o = ky_arena_alloc(a, n + 1);
	size_t j = 0;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			char e = s[i + 1];
			if (e == '|' || e == '\\' || (ext && e == '=')) {
				c = e;
				i++;
			} else if (ext && (e == 'n' || e == 'r')) {
				c = e == 'n' ? '\n' : '\r';
				i++;
			}
		}
		o[j++] = c;
	}
	o[j] = '\0';
	*outl = j;
	return o;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int two(const char *s, int *v)
{
	if (!is_digit(s[0]) || !is_digit(s[1]))
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

/* "Mmm dd yyyy hh:mm:ss[.SSS]", the year-bearing form of ArcSight
 * dates; a trailing zone name is ignored (taken as UTC). */
static int parse_mdy(const char *s, size_t n, int64_t *ns)
{
	int mo = 0, d, y1, y2, h, mi, sec;
	int64_t t;

	if (n < 20 || s[3] != ' ' || s[6] != ' ' || s[11] != ' ' ||
	    s[14] != ':' || s[17] != ':')
		return -1;
	for (int k = 0; k < 12; k++)
		if (memcmp(s, months + 3 * k, 3) == 0)
			mo = k + 1;
	if (mo == 0 || two(s + 4, &d) || two(s + 7, &y1) || two(s + 9, &y2) ||
	    two(s + 12, &h) || two(s + 15, &mi) || two(s + 18, &sec) || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	t = ky_days_from_civil(y1 * 100 + y2, (unsigned)mo, (unsigned)d);
	t = ((t * 24 + h) * 60 + mi) * 60 + sec;
	t *= KY_NS_PER_SEC;
	if (n > 20 && s[20] == '.') {
		int64_t scale = 100000000;
		for (size_t i = 21; i < n && is_digit(s[i]) && scale > 0; i++) {
			t += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	*ns = t;
	return 0;
}

/* rt: milliseconds since the epoch, RFC 3339, "Mmm dd yyyy hh:mm:ss" or
 * "Mmm dd hh:mm:ss" (year from the receive time). */
static int parse_rt(const char *s, size_t n, int64_t recv_ns, int64_t *ns)
{
	int64_t v;

	if (parse_uint(s, n, &v) == 0) {
		if (v > INT64_MAX / 1000000)
			return -1;
		*ns = v * 1000000;
		return 0;
	}
	if (n >= 19 && is_digit(s[0]) && s[4] == '-')
		return ky_time_parse_rfc3339(s, n, ns) > 0 ? 0 : -1;
	if (parse_mdy(s, n, ns) == 0)
		return 0;
	if (recv_ns == 0)
		recv_ns = ky_time_now_ns();
	return ky_time_parse_3164(s, n, recv_ns, ns) > 0 ? 0 : -1;
}

static const struct alias *find_alias(const char *key, size_t keyl)
{
	for (size_t k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++)
		if (aliases[k].keyl == keyl && aliases[k].key[0] == key[0] &&
		    memcmp(aliases[k].key, key, keyl) == 0)
			return &aliases[k];
	return NULL;
}

static int add_alias(struct ky_event *ev, const struct alias *a, const char *v,
		     size_t vl)
{
	int64_t x;
	char *low;

	if (a == NULL || vl == 0)
		return 0;
	switch (a->kind) {
	case A_INT:
		if (parse_uint(v, vl, &x) == 0)
			return add_int_lit(ev, a->path, a->pathl, v, vl, x);
		break;
	case A_LOWER:
		if ((low = ky_arena_alloc(ev->arena, vl + 1)) == NULL)
			return KY_E_NOMEM;
		for (size_t i = 0; i < vl; i++)
			low[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32
								   : v[i]);
		low[vl] = '\0';
		v = low;
		break;
	case A_TIME:
		if (parse_rt(v, vl, ev->recv_ns, &x) == 0)
			ev->time_ns = x;
		break;
	}
	return ky_event_add_str(ev, a->path, a->pathl, v, vl);
}

/* Is p[j..] "key=" (the start of the next pair)? */
static int key_follows(const char *p, size_t n, size_t j)
{
	size_t k = j;

	while (k < n && is_key_char(p[k]))
		k++;
	return k > j && k < n && p[k] == '=';
}

static int extension(const char *p, size_t n, size_t i, struct ky_event *ev,
		     struct ky_err *err)
{
	for (;;) {
		size_t ks, keyl, vs, ve, vl;
		const struct alias *a;
		const char *v, *sp;
		char *path;
		int r;

		while (i < n && p[i] == ' ')
			i++;
		if (i >= n)
			return 0;
		ks = i;
		while (i < n && is_key_char(p[i]))
			i++;
		if (i == ks || i >= n || p[i] != '=')
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: extension: expected "
					  "key=value",
					  ks);
		keyl = i - ks;
		vs = ++i;
		/* A value runs to the next " key=": spaces are allowed in
		 * values and '=' in them must be escaped. */
		ve = n;
		while ((sp = memchr(p + i, ' ', n - i)) != NULL) {
			/* No escape has a space as its second byte, so every
			 * space is a candidate end of the value. */
			i = (size_t)(sp - p);
			if (key_follows(p, n, i + 1)) {
				ve = i;
				break;
			}
			i++;
		}
		if (sp == NULL)
			i = n;
		while (ve > vs && p[ve - 1] == ' ')
			ve--;
		v = p + vs;
		vl = ve - vs;
		if (memchr(v, '\\', vl) != NULL &&
		    (v = unescape(ev->arena, v, vl, 1, &vl)) == NULL)
			return add_failed(err, KY_E_NOMEM, vs, ev);
		if ((a = find_alias(p + ks, keyl)) != NULL) {
			path = (char *)a->ext;
		} else {
			path = ky_arena_alloc(ev->arena, 8 + keyl + 1);
			if (path == NULL)
				return add_failed(err, KY_E_NOMEM, ks, ev);
			memcpy(path, "cef.ext.", 8);
			memcpy(path + 8, p + ks, keyl);
			path[8 + keyl] = '\0';
		}
		if ((r = ky_event_add_str(ev, path, 8 + keyl, v, vl)) != 0 ||
		    (a != NULL && (r = add_alias(ev, a, v, vl)) != 0))
			return add_failed(err, r, ks, ev);
	}
}

int ky_cef_parse(const char *p, size_t n, struct ky_event *ev,
		 struct ky_err *err)
{
	size_t i = 4;
	int r;

	while (n > 0 &&
	       (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\0'))
		n--;
	if (n < 4 || memcmp(p, "CEF:", 4) != 0)
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: expected \"CEF:\"");
	for (int f = 0; f < 7; f++) {
		size_t s = i, vl;
		const char *v;
		int64_t x;
		const char *bar = memchr(p + i, '|', n - i);
		int esc = 0;

		/* Fast path: no backslash before the next pipe. */
		if (bar != NULL &&
		    memchr(p + i, '\\', (size_t)(bar - p) - i) == NULL)
			i = (size_t)(bar - p);
		while (i < n && p[i] != '|') {
			if (p[i] == '\\' && i + 1 < n) {
				esc = 1;
				i++;
			}
			i++;
		}
		if (i >= n)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: CEF header ends after "
					  "%d of 7 fields",
					  n, f);
		v = p + s;
		vl = i - s;
		i++;
		if (vl == 0)
			continue;
		if (esc && (v = unescape(ev->arena, v, vl, 0, &vl)) == NULL)
			return add_failed(err, KY_E_NOMEM, s, ev);
		/* Version and numeric severity (0-10) are integers;
		 * "Low".."Very-High" stay strings. */
		if ((f == 0 || f == 6) && parse_uint(v, vl, &x) == 0 &&
		    (f == 0 || x <= 10))
			r = add_int_lit(ev, header_paths[f].path,
					header_paths[f].pathl, v, vl, x);
		else
			r = ky_event_add_str(ev, header_paths[f].path,
					     header_paths[f].pathl, v, vl);
		if (r != 0)
			return add_failed(err, r, s, ev);
	}
	return extension(p, n, i, ev, err);
}
