/* CVSS v3.0 and v3.1 vector parsing and scoring: the base, temporal and
 * environmental equations of section 7 of the FIRST specifications, with
 * each version's own Roundup (3.1 Appendix A avoids float artefacts). */
#include "intel/cvss.h"

#include <math.h>
#include <string.h>

enum m3 {
	V3_AV,
	V3_AC,
	V3_PR,
	V3_UI,
	V3_S,
	V3_C,
	V3_I,
	V3_A,
	V3_E,
	V3_RL,
	V3_RC,
	V3_CR,
	V3_IR,
	V3_AR,
	V3_MAV,
	V3_MAC,
	V3_MPR,
	V3_MUI,
	V3_MS,
	V3_MC,
	V3_MI,
	V3_MA,
	V3_COUNT
};

/* One row per metric: its abbreviation, the letters it accepts and, for
 * metrics with a fixed weight per value, the weights in the same order.
 * A modified metric accepts X then the letters of its base metric. */
struct metric3 {
	const char *name;
	const char *values;
	double w[5];
};

static const struct metric3 metrics3[V3_COUNT] = {
	[V3_AV] = {"AV", "NALP", {0.85, 0.62, 0.55, 0.2}},
	[V3_AC] = {"AC", "LH", {0.77, 0.44}},
	[V3_PR] = {"PR", "NLH", {0}}, /* depends on scope */
	[V3_UI] = {"UI", "NR", {0.85, 0.62}},
	[V3_S] = {"S", "UC", {0}},
	[V3_C] = {"C", "HLN", {0.56, 0.22, 0}},
	[V3_I] = {"I", "HLN", {0.56, 0.22, 0}},
	[V3_A] = {"A", "HLN", {0.56, 0.22, 0}},
	[V3_E] = {"E", "XHFPU", {1, 1, 0.97, 0.94, 0.91}},
	[V3_RL] = {"RL", "XUWTO", {1, 1, 0.97, 0.96, 0.95}},
	[V3_RC] = {"RC", "XCRU", {1, 1, 0.96, 0.92}},
	[V3_CR] = {"CR", "XHML", {1, 1.5, 1, 0.5}},
	[V3_IR] = {"IR", "XHML", {1, 1.5, 1, 0.5}},
	[V3_AR] = {"AR", "XHML", {1, 1.5, 1, 0.5}},
	[V3_MAV] = {"MAV", "XNALP", {0}},
	[V3_MAC] = {"MAC", "XLH", {0}},
	[V3_MPR] = {"MPR", "XNLH", {0}},
	[V3_MUI] = {"MUI", "XNR", {0}},
	[V3_MS] = {"MS", "XUC", {0}},
	[V3_MC] = {"MC", "XHLN", {0}},
	[V3_MI] = {"MI", "XHLN", {0}},
	[V3_MA] = {"MA", "XHLN", {0}},
};

/* PR weights for scope Unchanged and Changed (section 7.4). */
static const double pr_u[3] = {0.85, 0.62, 0.27};
static const double pr_c[3] = {0.85, 0.68, 0.5};

/* Section 7.1 / Appendix A of v3.1: round to the nearest 1e-5 first so
 * that 4.000000000000001 stays 4.0. */
static double roundup31(double x)
{
	long long i = llround(x * 100000.0);

	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (floor((double)i / 10000.0) + 1.0) / 10.0;
}

/* v3.0 section 7.1: the smallest one-decimal number >= x. The spec means
 * x as a real number; the tolerance keeps binary float noise (5.0 * 0.92
 * = 4.6000000000000005) from pushing an exact tenth up a step. */
static double roundup30(double x)
{
	double r = ceil(x * 10.0 - 1e-9) / 10.0;

	return r > 0 ? r : 0.0; /* never -0.0 */
}

static double roundup(int minor, double x)
{
	return minor == 0 ? roundup30(x) : roundup31(x);
}

static int find_metric(const char *s, size_t n)
{
	for (int m = 0; m < V3_COUNT; m++)
		if (strlen(metrics3[m].name) == n &&
		    memcmp(metrics3[m].name, s, n) == 0)
			return m;
	return -1;
}

/* Fills v[] with the index of each metric's value in its letters, -1 for
 * metrics not in the vector. */
static int parse3(const char *vec, int *minor, int v[V3_COUNT],
		  struct ky_err *err)
{
	size_t len, pos;

	if (vec == NULL)
		return ky_err_set(err, KY_E_INVAL, "CVSS vector is NULL");
	len = strnlen(vec, KY_CVSS_VECTOR_MAX + 1);
	if (len > KY_CVSS_VECTOR_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "CVSS vector longer than %d bytes",
				  KY_CVSS_VECTOR_MAX);
	if (strncmp(vec, "CVSS:3.1/", 9) == 0)
		*minor = 1;
	else if (strncmp(vec, "CVSS:3.0/", 9) == 0)
		*minor = 0;
	else
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: expected prefix 'CVSS:3.0/' or "
				  "'CVSS:3.1/'");
	for (int m = 0; m < V3_COUNT; m++)
		v[m] = -1;
	pos = 9;
	for (;;) {
		size_t start = pos, klen, vlen;
		const char *val, *hit;
		int m;

		while (pos < len && vec[pos] != '/' && vec[pos] != ':')
			pos++;
		klen = pos - start;
		if (klen == 0)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: empty metric", start);
		if (pos == len || vec[pos] != ':')
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: expected ':' after "
					  "metric name '%.*s'",
					  pos, (int)(klen > 8 ? 8 : klen),
					  vec + start);
		m = find_metric(vec + start, klen);
		if (m < 0)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: unknown metric '%.*s'",
					  start, (int)(klen > 8 ? 8 : klen),
					  vec + start);
		if (v[m] >= 0)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: duplicate metric '%s'",
					  start, metrics3[m].name);
		pos++;
		val = vec + pos;
		while (pos < len && vec[pos] != '/')
			pos++;
		vlen = (size_t)(vec + pos - val);
		hit = vlen == 1 ? strchr(metrics3[m].values, val[0]) : NULL;
		if (hit == NULL || val[0] == '\0')
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: unknown value '%.*s' "
					  "for %s",
					  start, (int)(vlen > 8 ? 8 : vlen),
					  val, metrics3[m].name);
		v[m] = (int)(hit - metrics3[m].values);
		if (pos == len)
			break;
		pos++; /* the '/'; a trailing one gives "empty metric" */
	}
	for (int m = V3_AV; m <= V3_A; m++)
		if (v[m] < 0)
			return ky_err_set(err, KY_E_PARSE,
					  "missing mandatory base metric '%s'",
					  metrics3[m].name);
	return 0;
}

/* Weight of an optional metric: X or absent weigh as X (index 0). */
static double opt_w(const int v[V3_COUNT], int m)
{
	return metrics3[m].w[v[m] < 0 ? 0 : v[m]];
}

/* Index into the base metric's letters of a modified metric, falling back
 * to the base value when it is absent or X. */
static int modified(const int v[V3_COUNT], int mod, int base)
{
	return v[mod] > 0 ? v[mod] - 1 : v[base];
}

static void score3(int minor, const int v[V3_COUNT],
		   struct ky_cvss3_scores *out)
{
	int changed = v[V3_S] == 1;
	double c = metrics3[V3_C].w[v[V3_C]], i = metrics3[V3_I].w[v[V3_I]];
	double a = metrics3[V3_A].w[v[V3_A]];
	double iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
	double impact, expl, base, tmul, miss, mimpact, mexpl, env;
	int mchanged = modified(v, V3_MS, V3_S) == 1, mpr;

	impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15.0)
			 : 6.42 * iss;
	expl = 8.22 * metrics3[V3_AV].w[v[V3_AV]] *
	       metrics3[V3_AC].w[v[V3_AC]] * (changed ? pr_c : pr_u)[v[V3_PR]] *
	       metrics3[V3_UI].w[v[V3_UI]];
	if (impact <= 0)
		base = 0;
	else if (changed)
		base = roundup(minor, fmin(1.08 * (impact + expl), 10.0));
	else
		base = roundup(minor, fmin(impact + expl, 10.0));
	tmul = opt_w(v, V3_E) * opt_w(v, V3_RL) * opt_w(v, V3_RC);
	out->minor = minor;
	out->base = base;
	out->temporal = roundup(minor, base * tmul);

	c = metrics3[V3_C].w[modified(v, V3_MC, V3_C)];
	i = metrics3[V3_I].w[modified(v, V3_MI, V3_I)];
	a = metrics3[V3_A].w[modified(v, V3_MA, V3_A)];
	miss = fmin(1.0 - ((1.0 - opt_w(v, V3_CR) * c) *
			   (1.0 - opt_w(v, V3_IR) * i) *
			   (1.0 - opt_w(v, V3_AR) * a)),
		    0.915);
	if (!mchanged)
		mimpact = 6.42 * miss;
	else if (minor == 0)
		mimpact = 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15.0);
	else
		mimpact = 7.52 * (miss - 0.029) -
			  3.25 * pow(miss * 0.9731 - 0.02, 13.0);
	mpr = modified(v, V3_MPR, V3_PR);
	mexpl = 8.22 * metrics3[V3_AV].w[modified(v, V3_MAV, V3_AV)] *
		metrics3[V3_AC].w[modified(v, V3_MAC, V3_AC)] *
		(mchanged ? pr_c : pr_u)[mpr] *
		metrics3[V3_UI].w[modified(v, V3_MUI, V3_UI)];
	if (mimpact <= 0)
		env = 0;
	else if (mchanged)
		env = roundup(
			minor,
			roundup(minor, fmin(1.08 * (mimpact + mexpl), 10.0)) *
				tmul);
	else
		env = roundup(minor,
			      roundup(minor, fmin(mimpact + mexpl, 10.0)) *
				      tmul);
	out->environmental = env;
}

int ky_cvss3_scores(const char *vector, struct ky_cvss3_scores *out,
		    struct ky_err *err)
{
	int v[V3_COUNT], minor = 0, r;

	if (out == NULL)
		return ky_err_set(err, KY_E_INVAL, "CVSS: no output");
	if ((r = parse3(vector, &minor, v, err)) != 0)
		return r;
	score3(minor, v, out);
	return 0;
}

int ky_cvss31_score(const char *vector, double *base, struct ky_err *err)
{
	struct ky_cvss3_scores s;
	int r;

	if (base == NULL)
		return ky_err_set(err, KY_E_INVAL, "CVSS: no output");
	if ((r = ky_cvss3_scores(vector, &s, err)) != 0)
		return r;
	*base = s.base;
	return 0;
}

const char *ky_cvss_severity(double score)
{
	/* Scores carry one decimal; the half-steps absorb float noise. */
	if (score < 0.05)
		return "None";
	if (score < 3.95)
		return "Low";
	if (score < 6.95)
		return "Medium";
	if (score < 8.95)
		return "High";
	return "Critical";
}
