/* CSAF 2.0 mandatory tests, second half (section 6.1): CVSS computation
 * (6.1.9, CVSS v2 and v3.0/v3.1 scored here because the document carries
 * all three), revision history and versions, CVE and involvement
 * uniqueness, hashes, category names, the profile tests 6.1.27.x,
 * translation, remediations and flags. */
#include "intel/csaf.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/time.h"

#define FAIL(c, t, ...)                                                        \
	do {                                                                   \
		if (ky__csaf_fail((c), (t), __VA_ARGS__) != 0)                 \
			return KY_E_NOMEM;                                     \
	} while (0)

/* ---- 6.1.9 CVSS computation ------------------------------------------- */

/* Weight of a metric value from "V=w V=w" pairs, or NAN when absent. */
static double weight(const char *vec, const char *m, const char *table,
		     const char *dflt)
{
	size_t ml = strlen(m), vl = 0;
	const char *val = NULL;
	for (const char *s = vec; *s;) {
		const char *end = strchr(s, '/');
		if (!end)
			end = s + strlen(s);
		if ((size_t)(end - s) > ml && memcmp(s, m, ml) == 0 &&
		    s[ml] == ':') {
			val = s + ml + 1;
			vl = (size_t)(end - val);
		}
		s = *end ? end + 1 : end;
	}
	if (!val) {
		if (!dflt)
			return NAN;
		val = dflt;
		vl = strlen(dflt);
	}
	for (const char *t = table; *t;) {
		const char *eq = strchr(t, '=');
		if (!eq)
			break;
		if ((size_t)(eq - t) == vl && memcmp(t, val, vl) == 0)
			return strtod(eq + 1, NULL);
		t = strchr(eq, ' ');
		if (!t)
			break;
		t++;
	}
	return NAN;
}

static double roundup30(double x)
{
	return ceil(x * 10.0 - 1e-9) / 10.0;
}

/* CVSS v3.1 specification, Appendix A: Roundup without float drift. */
static double roundup31(double x)
{
	long long i = llround(x * 100000.0);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

struct scores {
	double base, temporal, env;
};

#define V3_CIA "H=0.56 L=0.22 N=0"
#define V3_MCIA "H=0.56 L=0.22 N=0"
#define V3_REQ "X=1 H=1.5 M=1 L=0.5"

/* CVSS v3.0 / v3.1 base, temporal and environmental scores (FIRST CVSS
 * v3.1 specification section 7; v3.0 differs in Roundup and in the
 * changed-scope modified impact). */
static int cvss3(const char *vec, bool v31, struct scores *out)
{
	double (*ru)(double) = v31 ? roundup31 : roundup30;
	const char *sp = strstr(vec, "/S:");
	if (!sp)
		return -1;
	bool changed = sp[3] == 'C';
	double av = weight(vec, "AV", "N=0.85 A=0.62 L=0.55 P=0.2", NULL);
	double ac = weight(vec, "AC", "L=0.77 H=0.44", NULL);
	double pr = weight(
		vec, "PR",
		changed ? "N=0.85 L=0.68 H=0.5" : "N=0.85 L=0.62 H=0.27", NULL);
	double ui = weight(vec, "UI", "N=0.85 R=0.62", NULL);
	double c = weight(vec, "C", V3_CIA, NULL);
	double i = weight(vec, "I", V3_CIA, NULL);
	double a = weight(vec, "A", V3_CIA, NULL);
	if (isnan(av) || isnan(ac) || isnan(pr) || isnan(ui) || isnan(c) ||
	    isnan(i) || isnan(a))
		return -1;
	double iss = 1 - (1 - c) * (1 - i) * (1 - a);
	double imp = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15)
			     : 6.42 * iss;
	double ex = 8.22 * av * ac * pr * ui;
	if (imp <= 0)
		out->base = 0;
	else if (changed)
		out->base = ru(fmin(1.08 * (imp + ex), 10));
	else
		out->base = ru(fmin(imp + ex, 10));
	double e = weight(vec, "E", "X=1 H=1 F=0.97 P=0.94 U=0.91", "X");
	double rl = weight(vec, "RL", "X=1 U=1 W=0.97 T=0.96 O=0.95", "X");
	double rc = weight(vec, "RC", "X=1 C=1 R=0.96 U=0.92", "X");
	out->temporal = ru(out->base * e * rl * rc);

	/* Modified metrics default to their base values. */
	const char *ms = strstr(vec, "/MS:");
	bool mchanged = ms && ms[4] != 'X' ? ms[4] == 'C' : changed;
	double mav = weight(vec, "MAV", "N=0.85 A=0.62 L=0.55 P=0.2", "X");
	double mac = weight(vec, "MAC", "L=0.77 H=0.44", "X");
	double mpr = weight(
		vec, "MPR",
		mchanged ? "N=0.85 L=0.68 H=0.5" : "N=0.85 L=0.62 H=0.27", "X");
	double mui = weight(vec, "MUI", "N=0.85 R=0.62", "X");
	double mc = weight(vec, "MC", V3_MCIA, "X");
	double mi = weight(vec, "MI", V3_MCIA, "X");
	double ma = weight(vec, "MA", V3_MCIA, "X");
	if (isnan(mav))
		mav = av;
	if (isnan(mac))
		mac = ac;
	if (isnan(mpr))
		mpr = weight(vec, "PR",
			     mchanged ? "N=0.85 L=0.68 H=0.5"
				      : "N=0.85 L=0.62 H=0.27",
			     NULL);
	if (isnan(mui))
		mui = ui;
	if (isnan(mc))
		mc = c;
	if (isnan(mi))
		mi = i;
	if (isnan(ma))
		ma = a;
	double cr = weight(vec, "CR", V3_REQ, "X");
	double ir = weight(vec, "IR", V3_REQ, "X");
	double ar = weight(vec, "AR", V3_REQ, "X");
	double miss =
		fmin(1 - (1 - cr * mc) * (1 - ir * mi) * (1 - ar * ma), 0.915);
	double mimp;
	if (!mchanged)
		mimp = 6.42 * miss;
	else if (v31)
		mimp = 7.52 * (miss - 0.029) -
		       3.25 * pow(miss * 0.9731 - 0.02, 13);
	else
		mimp = 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15);
	double mex = 8.22 * mav * mac * mpr * mui;
	if (mimp <= 0)
		out->env = 0;
	else if (mchanged)
		out->env = ru(ru(fmin(1.08 * (mimp + mex), 10)) * e * rl * rc);
	else
		out->env = ru(ru(fmin(mimp + mex, 10)) * e * rl * rc);
	return 0;
}

static double round1(double x)
{
	return floor(x * 10.0 + 0.5 + 1e-9) / 10.0;
}

/* CVSS v2 guide, section 3.2. */
static double v2_base(double imp, double av, double ac, double au)
{
	double ex = 20 * av * ac * au;
	double f = imp == 0 ? 0 : 1.176;
	return round1((0.6 * imp + 0.4 * ex - 1.5) * f);
}

static int cvss2(const char *vec, struct scores *out)
{
	const char *cia = "N=0 P=0.275 C=0.660";
	double av = weight(vec, "AV", "L=0.395 A=0.646 N=1.0", NULL);
	double ac = weight(vec, "AC", "H=0.35 M=0.61 L=0.71", NULL);
	double au = weight(vec, "Au", "M=0.45 S=0.56 N=0.704", NULL);
	double c = weight(vec, "C", cia, NULL);
	double i = weight(vec, "I", cia, NULL);
	double a = weight(vec, "A", cia, NULL);
	if (isnan(av) || isnan(ac) || isnan(au) || isnan(c) || isnan(i) ||
	    isnan(a))
		return -1;
	out->base =
		v2_base(10.41 * (1 - (1 - c) * (1 - i) * (1 - a)), av, ac, au);
	double e = weight(vec, "E", "U=0.85 POC=0.9 F=0.95 H=1 ND=1", "ND");
	double rl = weight(vec, "RL", "OF=0.87 TF=0.90 W=0.95 U=1 ND=1", "ND");
	double rc = weight(vec, "RC", "UC=0.90 UR=0.95 C=1 ND=1", "ND");
	out->temporal = round1(out->base * e * rl * rc);
	const char *req = "L=0.5 M=1 H=1.51 ND=1";
	double cr = weight(vec, "CR", req, "ND");
	double ir = weight(vec, "IR", req, "ND");
	double ar = weight(vec, "AR", req, "ND");
	double cdp =
		weight(vec, "CDP", "N=0 L=0.1 LM=0.3 MH=0.4 H=0.5 ND=0", "ND");
	double td = weight(vec, "TD", "N=0 L=0.25 M=0.75 H=1 ND=1", "ND");
	double aimp = fmin(
		10, 10.41 * (1 - (1 - c * cr) * (1 - i * ir) * (1 - a * ar)));
	double at = round1(v2_base(aimp, av, ac, au) * e * rl * rc);
	out->env = round1((at + (10 - at) * cdp) * td);
	return 0;
}

static const char *severity(double s)
{
	if (s == 0)
		return "NONE";
	if (s < 4.0)
		return "LOW";
	if (s < 7.0)
		return "MEDIUM";
	if (s < 9.0)
		return "HIGH";
	return "CRITICAL";
}

static int check_score_values(struct ky__csaf_ctx *c, const json_t *o,
			      const struct scores *s, bool v3, const char *base)
{
	static const char *const names[] = {"baseScore", "temporalScore",
					    "environmentalScore"};
	static const char *const sevs[] = {"baseSeverity", "temporalSeverity",
					   "environmentalSeverity"};
	const double want[] = {s->base, s->temporal, s->env};
	char path[320];
	for (int k = 0; k < 3; k++) {
		const json_t *j = json_object_get(o, names[k]);
		if (json_is_number(j) &&
		    fabs(json_number_value(j) - want[k]) > 0.001) {
			snprintf(path, sizeof(path), "%s/%s", base, names[k]);
			FAIL(c, "6.1.9", path,
			     "%s is %.1f but the vector gives %.1f", names[k],
			     json_number_value(j), want[k]);
		}
		const char *sv = json_string_value(json_object_get(o, sevs[k]));
		if (v3 && sv && strcmp(sv, severity(want[k])) != 0) {
			snprintf(path, sizeof(path), "%s/%s", base, sevs[k]);
			FAIL(c, "6.1.9", path,
			     "%s is %s but the vector gives %s", sevs[k], sv,
			     severity(want[k]));
		}
	}
	return 0;
}

static int check_cvss_computation(struct ky__csaf_ctx *c)
{
	const json_t *vs = json_object_get(ky__csaf_json(ky__csaf_doc(c)),
					   "vulnerabilities");
	char base[192];
	int r = 0;
	for (size_t i = 0; i < json_array_size(vs) && r == 0; i++) {
		const json_t *sc =
			json_object_get(json_array_get(vs, i), "scores");
		for (size_t k = 0; k < json_array_size(sc) && r == 0; k++) {
			const json_t *s = json_array_get(sc, k), *o;
			struct scores x;
			const char *vec;
			o = json_object_get(s, "cvss_v3");
			vec = json_string_value(
				json_object_get(o, "vectorString"));
			if (vec && strncmp(vec, "CVSS:3.", 7) == 0 &&
			    cvss3(vec, vec[7] == '1', &x) == 0) {
				snprintf(base, sizeof(base),
					 "/vulnerabilities/%zu/scores/%zu/"
					 "cvss_v3",
					 i, k);
				r = check_score_values(c, o, &x, true, base);
			}
			o = json_object_get(s, "cvss_v2");
			vec = json_string_value(
				json_object_get(o, "vectorString"));
			if (r == 0 && vec && cvss2(vec, &x) == 0) {
				snprintf(base, sizeof(base),
					 "/vulnerabilities/%zu/scores/%zu/"
					 "cvss_v2",
					 i, k);
				r = check_score_values(c, o, &x, false, base);
			}
		}
	}
	return r;
}

/* ---- versions (version_t: integer or semantic versioning) ------------- */

struct ver {
	bool is_int, is_sem;
	unsigned long long major, minor, patch;
	const char *pre; /* NULL or the pre-release part */
	size_t prelen;
	size_t corelen; /* length without build metadata */
};

static bool num(const char **s, unsigned long long *v)
{
	const char *p = *s;
	if (!isdigit((unsigned char)*p) ||
	    (p[0] == '0' && isdigit((unsigned char)p[1])))
		return false;
	*v = 0;
	while (isdigit((unsigned char)*p)) {
		if (*v > 1000000000000ULL)
			return false;
		*v = *v * 10 + (unsigned)(*p++ - '0');
	}
	*s = p;
	return true;
}

static bool ident_chars(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return s[0] != '.' && s[n - 1] != '.' && !memmem(s, n, "..", 2);
}

static struct ver parse_ver(const char *s)
{
	struct ver v;
	const char *p = s;
	memset(&v, 0, sizeof(v));
	v.corelen = strlen(s);
	if (!num(&p, &v.major))
		return v;
	if (!*p) {
		v.is_int = true;
		return v;
	}
	if (*p++ != '.' || !num(&p, &v.minor) || *p++ != '.' ||
	    !num(&p, &v.patch))
		return v;
	const char *plus = strchr(p, '+');
	if (*p == '-') {
		v.pre = p + 1;
		v.prelen = plus ? (size_t)(plus - v.pre) : strlen(v.pre);
		if (!ident_chars(v.pre, v.prelen))
			return v;
		p = v.pre + v.prelen;
	}
	if (*p == '+') {
		if (!ident_chars(p + 1, strlen(p + 1)))
			return v;
		v.corelen = (size_t)(p - s);
	} else if (*p) {
		return v;
	}
	v.is_sem = true;
	return v;
}

/* Semantic versioning 2.0.0, section 11: pre-release identifiers compare
 * numerically when numeric, numeric ones sort first, more fields win. */
static int cmp_pre(const char *a, size_t an, const char *b, size_t bn)
{
	if (!a || !b)
		return a ? -1 : (b ? 1 : 0);
	while (an > 0 || bn > 0) {
		if (an == 0 || bn == 0)
			return an == 0 ? -1 : 1;
		size_t ai = strcspn(a, "."), bi = strcspn(b, ".");
		ai = ai > an ? an : ai;
		bi = bi > bn ? bn : bi;
		bool ad = strspn(a, "0123456789") >= ai;
		bool bd = strspn(b, "0123456789") >= bi;
		int r;
		if (ad && bd)
			r = ai != bi ? (ai < bi ? -1 : 1) : memcmp(a, b, ai);
		else if (ad != bd)
			r = ad ? -1 : 1;
		else {
			r = memcmp(a, b, ai < bi ? ai : bi);
			if (r == 0 && ai != bi)
				r = ai < bi ? -1 : 1;
		}
		if (r != 0)
			return r < 0 ? -1 : 1;
		a += ai;
		an -= ai;
		b += bi;
		bn -= bi;
		if (an > 0) {
			a++;
			an--;
		}
		if (bn > 0) {
			b++;
			bn--;
		}
	}
	return 0;
}

static int cmp_u(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : (a > b ? 1 : 0);
}

/* Order of two version numbers of the same kind; 0 when not comparable. */
static int cmp_ver(const struct ver *a, const struct ver *b)
{
	int r;
	if (a->is_int && b->is_int)
		return cmp_u(a->major, b->major);
	if (!a->is_sem || !b->is_sem)
		return 0;
	if ((r = cmp_u(a->major, b->major)) ||
	    (r = cmp_u(a->minor, b->minor)) || (r = cmp_u(a->patch, b->patch)))
		return r;
	return cmp_pre(a->pre, a->prelen, b->pre, b->prelen);
}

/* ---- 6.1.14 - 6.1.22, 6.1.30 revision history ------------------------- */

struct rev {
	size_t idx;
	int64_t t;
	bool t_ok;
	const char *date;
	struct ver v;
};

static int cmp_rev(const void *pa, const void *pb)
{
	const struct rev *a = pa, *b = pb;
	int r;
	if (a->t_ok && b->t_ok)
		r = a->t < b->t ? -1 : (a->t > b->t ? 1 : 0);
	else
		r = strcmp(a->date, b->date);
	if (r == 0)
		r = cmp_ver(&a->v, &b->v);
	if (r == 0)
		r = a->idx < b->idx ? -1 : (a->idx > b->idx ? 1 : 0);
	return r;
}

static bool parse_time(const char *s, int64_t *t)
{
	size_t n = strlen(s);
	return ky_time_parse_rfc3339(s, n, t) == (int)n;
}

static int check_history(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = ky__csaf_doc(c);
	const char *st = d->tracking_status;
	bool draft = strcmp(st, "draft") == 0;
	bool released = strcmp(st, "final") == 0 || strcmp(st, "interim") == 0;
	struct ver dv = parse_ver(d->tracking_version);
	size_t n = d->nrevisions;
	char path[128];
	int r = 0;
	struct rev *rv = ky_reallocarray(NULL, n, sizeof(*rv));
	if (!rv)
		return KY_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		rv[i].idx = i;
		rv[i].date = d->revisions[i].date;
		rv[i].t_ok = parse_time(rv[i].date, &rv[i].t);
		rv[i].v = parse_ver(d->revisions[i].number);
	}
	/* 6.1.30: one versioning scheme for every version_t. */
	bool mixed = false;
	for (size_t i = 0; i < n && r == 0; i++)
		if ((rv[i].v.is_sem && dv.is_int) ||
		    (rv[i].v.is_int && dv.is_sem)) {
			snprintf(path, sizeof(path),
				 "/document/tracking/revision_history/%zu/"
				 "number",
				 i);
			mixed = true;
			r = ky__csaf_fail(c, "6.1.30", path,
					  "%s mixes integer and semantic "
					  "versioning with version %s",
					  d->revisions[i].number,
					  d->tracking_version);
		}
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct ver *v = &rv[i].v;
		snprintf(path, sizeof(path),
			 "/document/tracking/revision_history/%zu/number", i);
		if (released && v->major == 0 && (v->is_int || v->is_sem))
			r = ky__csaf_fail(c, "6.1.18", path,
					  "version %s in the history of a %s "
					  "document",
					  d->revisions[i].number, st);
		if (r == 0 && v->pre)
			r = ky__csaf_fail(c, "6.1.19", path,
					  "pre-release version %s in the "
					  "history",
					  d->revisions[i].number);
		for (size_t k = 0; k < i && r == 0; k++)
			if (strcmp(d->revisions[k].number,
				   d->revisions[i].number) == 0) {
				r = ky__csaf_fail(
					c, "6.1.22", path,
					"version %s is in the history "
					"twice",
					d->revisions[i].number);
				break;
			}
	}
	if (r == 0 && !draft &&
	    ((dv.is_int || dv.is_sem) && (dv.major == 0 || dv.pre)))
		r = ky__csaf_fail(c, "6.1.17", "/document/tracking/status",
				  "status is %s but version %s is a draft "
				  "version",
				  st, d->tracking_version);
	if (r == 0 && released && dv.pre)
		r = ky__csaf_fail(c, "6.1.20", "/document/tracking/version",
				  "status is %s but version %s is a "
				  "pre-release",
				  st, d->tracking_version);
	if (r != 0 || n == 0)
		goto out;
	qsort(rv, n, sizeof(*rv), cmp_rev);
	for (size_t i = 0; i + 1 < n && r == 0; i++)
		if (cmp_ver(&rv[i].v, &rv[i + 1].v) > 0) {
			r = ky__csaf_fail(
				c, "6.1.14",
				"/document/tracking/revision_history",
				"version %s is dated before version %s",
				d->revisions[rv[i + 1].idx].number,
				d->revisions[rv[i].idx].number);
			break;
		}
	/* 6.1.16: build metadata never counts, the pre-release part not for
	 * drafts. */
	const char *last = d->revisions[rv[n - 1].idx].number;
	const struct ver *lv = &rv[n - 1].v;
	size_t ll = lv->corelen, dl = dv.corelen;
	if (draft && lv->pre)
		ll = (size_t)(lv->pre - 1 - last);
	if (draft && dv.pre)
		dl = (size_t)(dv.pre - 1 - d->tracking_version);
	if (r == 0 && (ll != dl || memcmp(last, d->tracking_version, ll) != 0))
		r = ky__csaf_fail(c, "6.1.16", "/document/tracking/version",
				  "version %s is not the latest in the "
				  "history, %s",
				  d->tracking_version, last);
	/* 6.1.21: no missing (major) version; starts at 0 or 1. */
	if (r == 0 && !mixed && (rv[0].v.is_int || rv[0].v.is_sem)) {
		if (rv[0].v.major > 1)
			r = ky__csaf_fail(c, "6.1.21",
					  "/document/tracking/revision_history",
					  "the history starts with version %s, "
					  "not 0 or 1",
					  d->revisions[rv[0].idx].number);
		for (size_t i = 0; i + 1 < n && r == 0; i++) {
			unsigned long long a = rv[i].v.major,
					   b = rv[i + 1].v.major;
			if (b > a + 1)
				r = ky__csaf_fail(
					c, "6.1.21",
					"/document/tracking/revision_history",
					"versions between %s and %s are "
					"missing",
					d->revisions[rv[i].idx].number,
					d->revisions[rv[i + 1].idx].number);
		}
	}
out:
	free(rv);
	return r;
}

/* ---- 6.1.23, 6.1.24 --------------------------------------------------- */

static int check_unique(struct ky__csaf_ctx *c)
{
	const struct ky_csaf *d = ky__csaf_doc(c);
	char path[128];
	for (size_t i = 0; i < d->nvulns; i++) {
		const struct ky_csaf_vuln *v = &d->vulns[i];
		for (size_t k = 0; v->cve && k < i; k++)
			if (d->vulns[k].cve &&
			    strcmp(d->vulns[k].cve, v->cve) == 0) {
				snprintf(path, sizeof(path),
					 "/vulnerabilities/%zu/cve", i);
				FAIL(c, "6.1.23", path,
				     "%s is used by vulnerability %zu too",
				     v->cve, k);
				break;
			}
		for (size_t j = 0; j < v->ninvolvements; j++) {
			const struct ky_csaf_involvement *a =
				&v->involvements[j];
			for (size_t k = 0; k < j; k++) {
				const struct ky_csaf_involvement *b =
					&v->involvements[k];
				int64_t ta, tb;
				bool same;
				if (strcmp(a->party, b->party) != 0 ||
				    !a->date != !b->date)
					continue;
				if (!a->date)
					same = true;
				else if (parse_time(a->date, &ta) &&
					 parse_time(b->date, &tb))
					same = ta == tb;
				else
					same = strcmp(a->date, b->date) == 0;
				if (!same)
					continue;
				snprintf(
					path, sizeof(path),
					"/vulnerabilities/%zu/involvements/%zu",
					i, j);
				FAIL(c, "6.1.24", path,
				     "party %s appears twice at %s", a->party,
				     a->date ? a->date : "no date");
				break;
			}
		}
	}
	return 0;
}

/* ---- 6.1.31 version ranges ----------------------------- */

/* The comparison signs anywhere, the words only as whole words between
 * blanks: the validator test data accepts "after-eight" as a version. */
static bool is_range(const char *name)
{
	static const char *const words[] = {"after",   "all",	"before",
					    "earlier", "later", "prior",
					    "versions"};
	if (strpbrk(name, "<>"))
		return true;
	for (const char *s = name; *s;) {
		while (*s && isspace((unsigned char)*s))
			s++;
		size_t n = 0;
		while (s[n] && !isspace((unsigned char)s[n]))
			n++;
		for (size_t w = 0; n && w < sizeof(words) / sizeof(*words); w++)
			if (strlen(words[w]) == n &&
			    strncasecmp(s, words[w], n) == 0)
				return true;
		s += n;
	}
	return false;
}

static int walk_branches(struct ky__csaf_ctx *c, const json_t *arr, char *path,
			 size_t len, size_t cap, unsigned depth)
{
	if (depth > KY_CSAF_MAX_BRANCH_DEPTH)
		return 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *b = json_array_get(arr, i);
		int n = snprintf(path + len, cap - len, "/%zu", i);
		size_t l2 = len + (n > 0 ? (size_t)n : 0);
		if (l2 >= cap)
			return 0;
		const char *cat =
			json_string_value(json_object_get(b, "category"));
		const char *name =
			json_string_value(json_object_get(b, "name"));
		if (cat && name && strcmp(cat, "product_version") == 0 &&
		    is_range(name)) {
			snprintf(path + l2, cap - l2, "/name");
			FAIL(c, "6.1.31", path,
			     "product_version %s is a version range", name);
		}
		const json_t *sub = json_object_get(b, "branches");
		if (sub) {
			int m = snprintf(path + l2, cap - l2, "/branches");
			if (m > 0 && l2 + (size_t)m < cap &&
			    walk_branches(c, sub, path, l2 + (size_t)m, cap,
					  depth + 1) != 0)
				return KY_E_NOMEM;
		}
	}
	return 0;
}

static int check_version_ranges(struct ky__csaf_ctx *c)
{
	char path[2048] = "/product_tree/branches";
	const json_t *b = json_object_get(
		json_object_get(ky__csaf_json(ky__csaf_doc(c)), "product_tree"),
		"branches");
	return walk_branches(c, b, path, strlen(path), sizeof(path), 0);
}

/* ---- 6.1.26 category name, 6.1.27.x profiles ---------------------------- */

static void squash(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	for (; *s && k + 1 < cap; s++)
		if (*s != '-' && *s != '_' && !isspace((unsigned char)*s))
			out[k++] = (char)tolower((unsigned char)*s);
	out[k] = '\0';
}

static const char *const profiles[] = {
	"csaf_base", "csaf_security_incident_response",
	"csaf_informational_advisory", "csaf_security_advisory", "csaf_vex"};

static int check_category(struct ky__csaf_ctx *c)
{
	const char *cat = ky__csaf_doc(c)->category;
	char sq[256], other[64];
	for (size_t i = 0; i < 5; i++)
		if (strcmp(cat, profiles[i]) == 0)
			return 0;
	squash(cat, sq, sizeof(sq));
	for (size_t i = 1; i < 5; i++) {
		squash(profiles[i], other, sizeof(other));
		if (strcmp(sq, other) == 0 || strcmp(sq, other + 4) == 0)
			FAIL(c, "6.1.26", "/document/category",
			     "%s is the name of the profile %s", cat,
			     profiles[i]);
	}
	if (strncasecmp(cat, "csaf_", 5) == 0)
		FAIL(c, "6.1.26", "/document/category",
		     "%s uses the reserved prefix csaf_", cat);
	return 0;
}

static bool has_cat(const json_t *arr, const char *const *cats, size_t n)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(
			json_object_get(json_array_get(arr, i), "category"));
		for (size_t k = 0; s && k < n; k++)
			if (strcmp(s, cats[k]) == 0)
				return true;
	}
	return false;
}

static int check_vex_statements(struct ky__csaf_ctx *c, size_t i)
{
	const struct ky_csaf *d = ky__csaf_doc(c);
	const struct ky_csaf_vuln *v = &d->vulns[i];
	const struct ky_csaf_strs *kna = &v->status[KY_CSAF_KNOWN_NOT_AFFECTED];
	const struct ky_csaf_strs *ka = &v->status[KY_CSAF_KNOWN_AFFECTED];
	char path[192];
	for (size_t j = 0; j < kna->n; j++) {
		bool ok = false;
		for (size_t k = 0; k < v->nflags && !ok; k++)
			ok = ky_csaf_refers_to(d, &v->flags[k].products,
					       &v->flags[k].groups, kna->v[j]);
		for (size_t k = 0; k < v->nthreats && !ok; k++)
			ok = strcmp(v->threats[k].category, "impact") == 0 &&
			     ky_csaf_refers_to(d, &v->threats[k].products,
					       &v->threats[k].groups,
					       kna->v[j]);
		if (ok)
			continue;
		snprintf(path, sizeof(path),
			 "/vulnerabilities/%zu/product_status/"
			 "known_not_affected/"
			 "%zu",
			 i, j);
		FAIL(c, "6.1.27.9", path, "no impact statement for %s",
		     kna->v[j]);
	}
	for (size_t j = 0; j < ka->n; j++) {
		bool ok = false;
		for (size_t k = 0; k < v->nremediations && !ok; k++)
			ok = ky_csaf_refers_to(d, &v->remediations[k].products,
					       &v->remediations[k].groups,
					       ka->v[j]);
		if (ok)
			continue;
		snprintf(path, sizeof(path),
			 "/vulnerabilities/%zu/product_status/known_affected/"
			 "%zu",
			 i, j);
		FAIL(c, "6.1.27.10", path, "no action statement for %s",
		     ka->v[j]);
	}
	return 0;
}

static int check_profiles(struct ky__csaf_ctx *c)
{
	static const char *const note_cats[] = {"description", "details",
						"general", "summary"};
	static const char *const external[] = {"external"};
	const struct ky_csaf *d = ky__csaf_doc(c);
	const json_t *root = ky__csaf_json(d);
	const json_t *doc = json_object_get(root, "document");
	const char *cat = d->category;
	bool info = strcmp(cat, "csaf_informational_advisory") == 0;
	bool sir = strcmp(cat, "csaf_security_incident_response") == 0;
	bool sa = strcmp(cat, "csaf_security_advisory") == 0;
	bool vex = strcmp(cat, "csaf_vex") == 0;
	char path[128];

	if ((info || sir) &&
	    !has_cat(json_object_get(doc, "notes"), note_cats, 4))
		FAIL(c, "6.1.27.1", "/document/notes",
		     "no note of category description, details, general or "
		     "summary");
	if ((info || sir) &&
	    !has_cat(json_object_get(doc, "references"), external, 1))
		FAIL(c, "6.1.27.2", "/document/references",
		     "no reference of category external");
	if (info && d->has_vulnerabilities)
		FAIL(c, "6.1.27.3", "/vulnerabilities",
		     "an informational advisory has vulnerabilities");
	if ((sa || vex) && !d->has_product_tree)
		FAIL(c, "6.1.27.4", "/product_tree",
		     "the product tree is "
		     "missing");
	if ((sa || vex) && !d->has_vulnerabilities)
		FAIL(c, "6.1.27.11", "/vulnerabilities",
		     "the vulnerabilities are missing");
	const json_t *vs = json_object_get(root, "vulnerabilities");
	for (size_t i = 0; (sa || vex) && i < d->nvulns; i++) {
		const struct ky_csaf_vuln *v = &d->vulns[i];
		snprintf(path, sizeof(path), "/vulnerabilities/%zu", i);
		if (!json_object_get(json_array_get(vs, i), "notes"))
			FAIL(c, "6.1.27.5", path,
			     "the vulnerability has no "
			     "notes");
		if (sa &&
		    !json_object_get(json_array_get(vs, i), "product_status"))
			FAIL(c, "6.1.27.6", path,
			     "the vulnerability has no product_status");
		if (!vex)
			continue;
		if (!v->status[KY_CSAF_FIXED].n &&
		    !v->status[KY_CSAF_KNOWN_AFFECTED].n &&
		    !v->status[KY_CSAF_KNOWN_NOT_AFFECTED].n &&
		    !v->status[KY_CSAF_UNDER_INVESTIGATION].n)
			FAIL(c, "6.1.27.7", path,
			     "product_status has none of fixed, "
			     "known_affected, "
			     "known_not_affected, under_investigation");
		if (!v->cve && !v->nids)
			FAIL(c, "6.1.27.8", path,
			     "neither cve nor ids is given");
		if (check_vex_statements(c, i) != 0)
			return KY_E_NOMEM;
	}
	return 0;
}

/* ---- 6.1.28, 6.1.29, 6.1.32, 6.1.33 --------------------------------- */

static int check_misc(struct ky__csaf_ctx *c)
{
	static const char *const vex_codes[] = {
		"component_not_present", "inline_mitigations_already_exist",
		"vulnerable_code_cannot_be_controlled_by_adversary",
		"vulnerable_code_not_in_execute_path",
		"vulnerable_code_not_present"};
	const struct ky_csaf *d = ky__csaf_doc(c);
	char path[192];
	int r = 0;

	if (strcmp(d->publisher_category, "translator") == 0 && !d->source_lang)
		FAIL(c, "6.1.15", "/document/source_lang",
		     "a translator publishes but source_lang is missing");
	if (d->lang && d->source_lang &&
	    strcasecmp(d->lang, d->source_lang) == 0)
		FAIL(c, "6.1.28", "/document/source_lang",
		     "source language and language are both %s", d->lang);
	for (size_t i = 0; i < d->nvulns && r == 0; i++) {
		const struct ky_csaf_vuln *v = &d->vulns[i];
		for (size_t k = 0; k < v->nremediations; k++)
			if (!v->remediations[k].products.n &&
			    !v->remediations[k].groups.n) {
				snprintf(
					path, sizeof(path),
					"/vulnerabilities/%zu/remediations/%zu",
					i, k);
				FAIL(c, "6.1.29", path,
				     "the remediation names no product or "
				     "group");
			}
		for (size_t k = 0; k < v->nflags; k++)
			if (!v->flags[k].products.n && !v->flags[k].groups.n) {
				snprintf(path, sizeof(path),
					 "/vulnerabilities/%zu/flags/%zu", i,
					 k);
				FAIL(c, "6.1.32", path,
				     "the flag names no product or group");
			}
		/* 6.1.33: one VEX justification per product, groups
		 * expanded. */
		struct ky_hash *seen = ky_hash_new(KY_HASH_BORROW_KEYS);
		if (!seen)
			return KY_E_NOMEM;
		for (size_t k = 0; k < v->nflags && r == 0; k++) {
			const struct ky_csaf_flag *f = &v->flags[k];
			bool code = false;
			for (size_t m = 0; m < 5; m++)
				code = code ||
				       strcmp(f->label, vex_codes[m]) == 0;
			if (!code)
				continue;
			for (size_t g = 0; g <= f->groups.n && r == 0; g++) {
				const struct ky_csaf_strs *ids = &f->products;
				if (g > 0) {
					const struct ky_csaf_group *gr =
						ky_csaf_group(
							d, f->groups.v[g - 1]);
					if (!gr)
						continue;
					ids = &gr->products;
				}
				for (size_t j = 0; j < ids->n && r == 0; j++) {
					const char *id = ids->v[j];
					uintptr_t prev = (uintptr_t)ky_hash_get(
						seen, id, strlen(id));
					if (prev && prev != k + 1) {
						snprintf(path, sizeof(path),
							 "/vulnerabilities/%zu/"
							 "flags/%zu",
							 i, k);
						r = ky__csaf_fail(
							c, "6.1.33", path,
							"%s already has the "
							"flag %zu",
							id, (size_t)prev - 1);
					} else if (
						!prev &&
						ky_hash_put(
							seen, id, strlen(id),
							(void *)(uintptr_t)(k +
									    1),
							NULL) != 0) {
						r = KY_E_NOMEM;
					}
				}
			}
		}
		ky_hash_free(seen, NULL);
	}
	return r;
}

int ky__csaf_check2(struct ky__csaf_ctx *c)
{
	int r;
	if ((r = check_cvss_computation(c)) != 0 ||
	    (r = check_history(c)) != 0 || (r = check_unique(c)) != 0 ||
	    (r = check_version_ranges(c)) != 0 ||
	    (r = check_category(c)) != 0 || (r = check_profiles(c)) != 0)
		return r;
	return check_misc(c);
}
