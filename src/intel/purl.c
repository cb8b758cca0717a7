/* Package URLs: "pkg:type/namespace/name@version?qualifiers#subpath"
 * parsed as the purl specification's "How to parse" describes, with the
 * per-type normalisation of PURL-TYPES, and package identity for matching
 * advisories to installed software.  See docs/identifiers.md. */
#include "intel/version.h"

#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/text.h"

#define LOW_NS 0x1
#define LOW_NAME 0x2
#define DASH_NAME 0x4 /* pypi: '_' becomes '-' */

/* Types whose namespace or name is case-insensitive (PURL-TYPES). */
static const struct {
	const char *type;
	unsigned rules;
} type_rules[] = {
	{"alpm", LOW_NS | LOW_NAME},
	{"apk", LOW_NS | LOW_NAME},
	{"bitbucket", LOW_NS | LOW_NAME},
	{"composer", LOW_NS | LOW_NAME},
	{"deb", LOW_NS | LOW_NAME},
	{"github", LOW_NS | LOW_NAME},
	{"hex", LOW_NS | LOW_NAME},
	{"npm", LOW_NS | LOW_NAME},
	{"pub", LOW_NAME},
	{"pypi", LOW_NAME | DASH_NAME},
	{"qpkg", LOW_NS},
	{"rpm", LOW_NS},
};

/* Qualifiers that name a different package rather than describe where it
 * came from (arch of a binary, Maven classifier, distribution). */
static const char *const identity_quals[] = {"arch", "classifier", "distro"};

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

struct pout {
	char *buf;
	size_t pos;
};

/* Percent-decodes s[i..e) onto o, refusing control bytes, %00 and
 * invalid UTF-8 so that every component is clean text. */
static int decode(const char *s, size_t i, size_t e, struct pout *o,
		  const char *what, struct ky_err *err)
{
	size_t st = o->pos, bad;

	for (; i < e; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int h = i + 2 < e ? hexval((unsigned char)s[i + 1])
					  : -1;
			int l = h >= 0 ? hexval((unsigned char)s[i + 2]) : -1;

			if (h < 0 || l < 0 || (h == 0 && l == 0))
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: bad percent "
						  "escape in %s",
						  i, what);
			c = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (c <= 0x20 || c == 0x7f) {
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: byte 0x%02x not "
					  "allowed in %s",
					  i, c, what);
		}
		o->buf[o->pos++] = (char)c;
	}
	bad = ky_utf8_check(o->buf + st, o->pos - st);
	if (bad < o->pos - st)
		return ky_err_set(err, KY_E_PARSE,
				  "%s: invalid UTF-8 at byte %zu of the "
				  "decoded text",
				  what, bad);
	return 0;
}

static struct ky_span end_span(struct pout *o, size_t st)
{
	struct ky_span sp = {(uint16_t)st, (uint16_t)(o->pos - st)};

	o->buf[o->pos++] = '\0';
	return sp;
}

/* '/'-separated segments of s[i..e), empty ones dropped (and "." and ".."
 * for a subpath), each decoded, joined by '/'. */
static int segments(const char *s, size_t i, size_t e, struct pout *o,
		    bool subpath, const char *what, struct ky_span *sp,
		    struct ky_err *err)
{
	size_t st = o->pos;
	int r = 0;

	while (i < e && r == 0) {
		const char *sl = memchr(s + i, '/', e - i);
		size_t se = sl != NULL ? (size_t)(sl - s) : e;

		if (se > i && !(subpath && ((se - i == 1 && s[i] == '.') ||
					    (se - i == 2 && s[i] == '.' &&
					     s[i + 1] == '.')))) {
			if (o->pos > st)
				o->buf[o->pos++] = '/';
			r = decode(s, i, se, o, what, err);
		}
		i = se + 1;
	}
	if (r == 0)
		*sp = end_span(o, st);
	return r;
}

static void apply_rules(char *s, struct ky_span sp, bool low, bool dash)
{
	for (size_t k = 0; k < sp.len; k++) {
		char *c = &s[sp.off + k];

		if (low)
			*c = (char)lower((unsigned char)*c);
		if (dash && *c == '_')
			*c = '-';
	}
}

static int qualifiers(const char *s, size_t i, size_t e, struct ky_arena *a,
		      struct pout *o, struct ky_purl *out, struct ky_err *err)
{
	struct ky_purl_qual q[KY_PURL_QMAX];
	struct ky_purl_qual *qa;
	size_t nq = 0;
	int r = 0;

	while (i < e) {
		const char *amp = memchr(s + i, '&', e - i);
		size_t pe = amp != NULL ? (size_t)(amp - s) : e;
		const char *eq = memchr(s + i, '=', pe - i);
		size_t ke = eq != NULL ? (size_t)(eq - s) : pe;
		struct ky_purl_qual nw;
		size_t st;

		if (pe == i) {
			i = pe + 1;
			continue;
		}
		if (eq == NULL || ke == i)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: qualifier without "
					  "key=value",
					  i);
		if (ke + 1 == pe) { /* empty value: the spec drops it */
			i = pe + 1;
			continue;
		}
		if (nq == KY_PURL_QMAX)
			return ky_err_set(err, KY_E_TOOBIG,
					  "offset %zu: more than %d qualifiers",
					  i, KY_PURL_QMAX);
		st = o->pos;
		for (size_t k = i; k < ke; k++) {
			unsigned char c = lower((unsigned char)s[k]);

			if (!((c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			      c == '_') ||
			    (k == i && c >= '0' && c <= '9'))
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: bad character "
						  "in qualifier key",
						  k);
			o->buf[o->pos++] = (char)c;
		}
		nw.key = end_span(o, st);
		st = o->pos;
		r = decode(s, ke + 1, pe, o, "qualifier value", err);
		if (r != 0)
			return r;
		nw.value = end_span(o, st);
		/* Keep them sorted by key: the canonical order. */
		{
			size_t j = nq;

			while (j > 0) {
				const struct ky_purl_qual *p = &q[j - 1];
				int c = strcmp(o->buf + p->key.off,
					       o->buf + nw.key.off);

				if (c == 0)
					return ky_err_set(
						err, KY_E_PARSE,
						"offset %zu: qualifier '%s' "
						"given twice",
						i, o->buf + nw.key.off);
				if (c < 0)
					break;
				q[j] = q[j - 1];
				j--;
			}
			q[j] = nw;
			nq++;
		}
		i = pe + 1;
	}
	if (nq == 0)
		return 0;
	qa = ky_arena_alloc(a, nq * sizeof *qa);
	if (qa == NULL)
		return ky_err_set(err, KY_E_NOMEM, "purl: out of memory");
	memcpy(qa, q, nq * sizeof *qa);
	out->q = qa;
	out->nq = (uint16_t)nq;
	return r;
}

static int parse(const char *s, size_t n, struct ky_arena *a,
		 struct ky_purl *out, struct pout *o, struct ky_err *err)
{
	size_t i, e, hash = n, qm, ts, at, ns_end, nst;
	unsigned rules = 0;
	int r;

	for (size_t k = n; k > 0; k--)
		if (s[k - 1] == '#') {
			hash = k - 1;
			break;
		}
	qm = hash;
	for (size_t k = hash; k > 0; k--)
		if (s[k - 1] == '?') {
			qm = k - 1;
			break;
		}
	if (n < 4 || strncasecmp(s, "pkg:", 4) != 0)
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: not a package URL (expected "
				  "\"pkg:\")");
	i = 4;
	while (i < qm && s[i] == '/')
		i++;
	e = qm;
	while (e > i && s[e - 1] == '/')
		e--;
	/* type */
	ts = i;
	while (i < e && s[i] != '/')
		i++;
	if (i == ts || i >= e)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: expected type/name", ts);
	{
		size_t st = o->pos;

		for (size_t k = ts; k < i; k++) {
			unsigned char c = lower((unsigned char)s[k]);

			if (!((c >= 'a' && c <= 'z') ||
			      (k > ts && c >= '0' && c <= '9') || c == '.' ||
			      c == '+' || c == '-'))
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: bad character "
						  "in type",
						  k);
			o->buf[o->pos++] = (char)c;
		}
		out->type = end_span(o, st);
	}
	for (size_t k = 0; k < sizeof type_rules / sizeof type_rules[0]; k++)
		if (strcmp(type_rules[k].type, o->buf + out->type.off) == 0)
			rules = type_rules[k].rules;
	i++;
	/* version: after the last '@' */
	at = e;
	for (size_t k = e; k > i; k--)
		if (s[k - 1] == '@') {
			at = k - 1;
			break;
		}
	/* name: after the last '/' before the version */
	ns_end = i;
	nst = i;
	for (size_t k = at; k > i; k--)
		if (s[k - 1] == '/') {
			ns_end = k - 1;
			nst = k;
			break;
		}
	{
		r = segments(s, i, ns_end, o, false, "namespace", &out->ns,
			     err);
		if (r != 0)
			return r;
		if (nst == at)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: empty name", nst);
		{
			size_t st = o->pos;

			r = decode(s, nst, at, o, "name", err);
			if (r != 0)
				return r;
			out->name = end_span(o, st);
		}
	}
	apply_rules(o->buf, out->ns, rules & LOW_NS, false);
	apply_rules(o->buf, out->name, rules & LOW_NAME, rules & DASH_NAME);
	if (at < e) {
		size_t st = o->pos;

		if (at + 1 == e)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: empty version after '@'",
					  at);
		r = decode(s, at + 1, e, o, "version", err);
		if (r != 0)
			return r;
		out->version = end_span(o, st);
	} else {
		out->version = end_span(o, o->pos);
	}
	if (qm < hash) {
		r = qualifiers(s, qm + 1, hash, a, o, out, err);
		if (r != 0)
			return r;
	}
	if (hash < n)
		return segments(s, hash + 1, n, o, true, "subpath",
				&out->subpath, err);
	out->subpath = end_span(o, o->pos);
	return 0;
}

int ky_purl_parse(const char *str, size_t n, struct ky_arena *a,
		  struct ky_purl *out, struct ky_err *err)
{
	struct pout o = {0};
	int r;

	memset(out, 0, sizeof *out);
	if (n > KY_ID_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "purl: %zu bytes, more than %d", n,
				  KY_ID_MAX);
	/* Decoded text is never longer; one NUL per component. */
	o.buf = ky_arena_alloc(a, n + 6 + 2 * KY_PURL_QMAX);
	if (o.buf == NULL)
		return ky_err_set(err, KY_E_NOMEM, "purl: out of memory");
	r = parse(str, n, a, out, &o, err);
	if (r != 0) {
		memset(out, 0, sizeof *out);
		return r;
	}
	out->s = o.buf;
	out->scheme = (uint8_t)ky_vscheme_for_purl_type(o.buf + out->type.off,
							out->type.len);
	return 0;
}

const char *ky_purl_qualifier(const struct ky_purl *p, const char *key,
			      size_t *len)
{
	for (size_t k = 0; k < p->nq; k++) {
		if (strcmp(p->s + p->q[k].key.off, key) == 0) {
			*len = p->q[k].value.len;
			return p->s + p->q[k].value.off;
		}
	}
	*len = 0;
	return NULL;
}

static bool span_eq(const char *a, struct ky_span x, const char *b,
		    struct ky_span y)
{
	return x.len == y.len && memcmp(a + x.off, b + y.off, x.len) == 0;
}

bool ky_purl_same_package(const struct ky_purl *adv,
			  const struct ky_purl *asset)
{
	if (adv->s == NULL || asset->s == NULL)
		return false;
	if (!span_eq(adv->s, adv->type, asset->s, asset->type) ||
	    !span_eq(adv->s, adv->ns, asset->s, asset->ns) ||
	    !span_eq(adv->s, adv->name, asset->s, asset->name))
		return false;
	for (size_t k = 0; k < sizeof identity_quals / sizeof identity_quals[0];
	     k++) {
		size_t al, bl;
		const char *av = ky_purl_qualifier(adv, identity_quals[k], &al);
		const char *bv =
			ky_purl_qualifier(asset, identity_quals[k], &bl);

		if (av != NULL && bv != NULL &&
		    (al != bl || memcmp(av, bv, al) != 0))
			return false;
	}
	return true;
}

const char *ky_purl_key(const struct ky_purl *p, size_t *len)
{
	if (p->s == NULL) {
		*len = 0;
		return NULL;
	}
	/* type, namespace and name are the first three components stored. */
	*len = (size_t)(p->name.off + p->name.len - p->type.off);
	return p->s + p->type.off;
}
