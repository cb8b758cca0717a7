/* CVSS v4.0 vector parsing and scoring (FIRST CVSS v4.0 specification,
 * section 8): the vector's macrovector (EQ1..EQ6) gives a score from the
 * published table, lowered by the vector's mean proportional severity
 * distance from the macrovector's highest-severity vectors. */
#include "intel/cvss.h"

#include <math.h>
#include <string.h>

/* In the order the specification requires in a vector string (section 7,
 * "Vector String"); the first eleven are the mandatory base metrics. */
enum m4 {
	W_AV,
	W_AC,
	W_AT,
	W_PR,
	W_UI,
	W_VC,
	W_VI,
	W_VA,
	W_SC,
	W_SI,
	W_SA,
	W_E,
	W_CR,
	W_IR,
	W_AR,
	W_MAV,
	W_MAC,
	W_MAT,
	W_MPR,
	W_MUI,
	W_MVC,
	W_MVI,
	W_MVA,
	W_MSC,
	W_MSI,
	W_MSA,
	W_S,
	W_AU,
	W_R,
	W_V,
	W_RE,
	W_U,
	W_COUNT
};

#define W_NBASE (W_SA + 1)

struct metric4 {
	const char *name;
	const char *values[6]; /* NULL-terminated */
};

/* Values of a modified metric are X then those of its base metric (MSI
 * and MSA add S, Safety); that layout is relied on by eff() below. */
static const struct metric4 metrics4[W_COUNT] = {
	[W_AV] = {"AV", {"N", "A", "L", "P"}},
	[W_AC] = {"AC", {"L", "H"}},
	[W_AT] = {"AT", {"N", "P"}},
	[W_PR] = {"PR", {"N", "L", "H"}},
	[W_UI] = {"UI", {"N", "P", "A"}},
	[W_VC] = {"VC", {"H", "L", "N"}},
	[W_VI] = {"VI", {"H", "L", "N"}},
	[W_VA] = {"VA", {"H", "L", "N"}},
	[W_SC] = {"SC", {"H", "L", "N"}},
	[W_SI] = {"SI", {"H", "L", "N"}},
	[W_SA] = {"SA", {"H", "L", "N"}},
	[W_E] = {"E", {"X", "A", "P", "U"}},
	[W_CR] = {"CR", {"X", "H", "M", "L"}},
	[W_IR] = {"IR", {"X", "H", "M", "L"}},
	[W_AR] = {"AR", {"X", "H", "M", "L"}},
	[W_MAV] = {"MAV", {"X", "N", "A", "L", "P"}},
	[W_MAC] = {"MAC", {"X", "L", "H"}},
	[W_MAT] = {"MAT", {"X", "N", "P"}},
	[W_MPR] = {"MPR", {"X", "N", "L", "H"}},
	[W_MUI] = {"MUI", {"X", "N", "P", "A"}},
	[W_MVC] = {"MVC", {"X", "H", "L", "N"}},
	[W_MVI] = {"MVI", {"X", "H", "L", "N"}},
	[W_MVA] = {"MVA", {"X", "H", "L", "N"}},
	[W_MSC] = {"MSC", {"X", "H", "L", "N"}},
	[W_MSI] = {"MSI", {"X", "S", "H", "L", "N"}},
	[W_MSA] = {"MSA", {"X", "S", "H", "L", "N"}},
	[W_S] = {"S", {"X", "N", "P"}},
	[W_AU] = {"AU", {"X", "N", "Y"}},
	[W_R] = {"R", {"X", "A", "U", "I"}},
	[W_V] = {"V", {"X", "D", "C"}},
	[W_RE] = {"RE", {"X", "L", "M", "H"}},
	[W_U] = {"U", {"X", "Clear", "Green", "Amber", "Red"}},
};

/* Macrovector scores, in tenths, as published with the specification:
 * for each EQ1 (0-2) and EQ2 (0-1), 18 entries with EQ3 = 0, 18 with
 * EQ3 = 1 (each EQ4 0-2, EQ5 0-2, EQ6 0-1), then 9 with EQ3 = 2 where EQ6
 * can only be 1 (EQ4, EQ5). */
static const unsigned char mv_table[270] = {
	100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80,
	81,  68, 98, 95, 95, 92, 90,  84, 93, 92, 89, 81, 81, 65, 88, 80,
	78,  70, 69, 48, 92, 82, 72,  79, 69, 50, 69, 55, 27, /* EQ1 0, EQ2 0 */
	99,  97, 95, 92, 92, 85, 95,  91, 90, 83, 84, 71, 92, 81, 82, 71,
	72,  53, 95, 93, 92, 85, 85,  73, 92, 82, 80, 72, 70, 59, 84, 70,
	71,  52, 50, 30, 86, 75, 52,  71, 52, 29, 63, 29, 17, /* EQ1 0, EQ2 1 */
	98,  95, 94, 87, 91, 81, 94,  89, 86, 74, 77, 64, 87, 75, 74, 63,
	63,  49, 94, 89, 88, 77, 76,  67, 86, 76, 74, 58, 59, 50, 72, 57,
	57,  52, 52, 25, 83, 70, 54,  65, 58, 26, 53, 21, 13, /* EQ1 1, EQ2 0 */
	95,  90, 88, 76, 76, 70, 90,  77, 75, 62, 61, 53, 77, 66, 68, 59,
	52,  30, 89, 78, 76, 67, 62,  58, 74, 59, 57, 57, 47, 23, 61, 52,
	57,  29, 24, 16, 71, 59, 30,  58, 26, 15, 23, 13, 6, /* EQ1 1, EQ2 1 */
	93,  87, 86, 72, 75, 58, 86,  74, 74, 61, 56, 34, 70, 54, 52, 40,
	40,  22, 85, 75, 74, 55, 62,  51, 72, 57, 55, 41, 46, 19, 53, 36,
	34,  19, 19, 8,	 64, 51, 20,  47, 21, 11, 24, 9,  4, /* EQ1 2, EQ2 0 */
	88,  75, 73, 53, 60, 50, 73,  55, 59, 40, 41, 20, 54, 43, 45, 22,
	20,  11, 75, 55, 58, 45, 40,  21, 61, 51, 48, 18, 20, 9,  46, 18,
	17,  7,	 8,  2,	 53, 24, 14,  24, 12, 5,  10, 3,  1, /* EQ1 2, EQ2 1 */
};

/* The score of a macrovector, or -1 where it does not exist (a level past
 * the last, or EQ3 = 2 with EQ6 = 0). */
static double mv_score(const int eq[6])
{
	static const int nlev[6] = {3, 2, 3, 3, 3, 2};
	int i;

	for (i = 0; i < 6; i++)
		if (eq[i] < 0 || eq[i] >= nlev[i])
			return -1;
	i = (eq[0] * 2 + eq[1]) * 45;
	if (eq[2] < 2)
		i += eq[2] * 18 + eq[3] * 6 + eq[4] * 2 + eq[5];
	else if (eq[5] == 1)
		i += 36 + eq[3] * 3 + eq[4];
	else
		return -1;
	return mv_table[i] / 10.0;
}

/* Severity levels in tenths (0 = most severe) for the severity distance;
 * the effective value of each metric is encoded as a letter. */
static int level(char metric_kind, char v)
{
	switch (metric_kind) {
	case 'V': /* AV */
		return v == 'N' ? 0 : v == 'A' ? 1 : v == 'L' ? 2 : 3;
	case 'P': /* PR */
		return v == 'N' ? 0 : v == 'L' ? 1 : 2;
	case 'U': /* UI */
		return v == 'N' ? 0 : v == 'P' ? 1 : 2;
	case 'C': /* AC */
		return v == 'L' ? 0 : 1;
	case 'T': /* AT */
		return v == 'N' ? 0 : 1;
	case 'I': /* VC VI VA */
		return v == 'H' ? 0 : v == 'L' ? 1 : 2;
	case 'S': /* SC SI SA: S (Safety) only in SI and SA */
		return v == 'S' ? 0 : v == 'H' ? 1 : v == 'L' ? 2 : 3;
	default: /* CR IR AR */
		return v == 'H' ? 0 : v == 'M' ? 1 : 2;
	}
}

/* The highest-severity vectors of each EQ level (specification section
 * 8.2, published with the macrovector table), as the metric letters in a
 * fixed order per EQ: EQ1 AV PR UI; EQ2 AC AT; EQ3+EQ6 VC VI VA CR IR AR;
 * EQ4 SC SI SA. A vector is measured from the first of them that it does
 * not exceed in any metric. */
static const char *const max_eq1[3][3] = {
	{"NNN"}, {"ANN", "NLN", "NNP"}, {"PNN", "ALP"}};
static const char *const max_eq2[2][2] = {{"LN"}, {"HN", "LP"}};
static const char *const max_eq36[5][5] = {
	{"HHHHHH"},					    /* EQ3 0 EQ6 0 */
	{"HHLMMH", "HHHMMM"},				    /* EQ3 0 EQ6 1 */
	{"LHHHHH", "HLHHHH"},				    /* EQ3 1 EQ6 0 */
	{"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}, /* 1 1 */
	{"LLLHHH"},					    /* EQ3 2 EQ6 1 */
};
static const char *const max_eq4[3][1] = {{"HSS"}, {"HHH"}, {"LLL"}};

/* Depth of each EQ level: its largest severity distance plus one step
 * (published with the table), in tenths. */
static const int depth_eq1[3] = {1, 4, 5};
static const int depth_eq2[2] = {1, 2};
static const int depth_eq36[5] = {7, 6, 8, 8, 10};
static const int depth_eq4[3] = {6, 5, 4};

/* Distance of have[] from the first max vector it does not exceed, in
 * tenths; -1 when none fits (cannot happen for a well-formed table). */
static int distance(const char *have, const char *kinds,
		    const char *const *maxes, int nmax)
{
	size_t n = strlen(kinds);

	for (int k = 0; k < nmax && maxes[k] != NULL; k++) {
		int sum = 0, ok = 1;

		for (size_t i = 0; i < n; i++) {
			int d = level(kinds[i], have[i]) -
				level(kinds[i], maxes[k][i]);
			if (d < 0) {
				ok = 0;
				break;
			}
			sum += d;
		}
		if (ok)
			return sum;
	}
	return -1;
}

static int find_metric(const char *s, size_t n)
{
	for (int m = 0; m < W_COUNT; m++)
		if (strlen(metrics4[m].name) == n &&
		    memcmp(metrics4[m].name, s, n) == 0)
			return m;
	return -1;
}

static int find_value(int m, const char *s, size_t n)
{
	for (int k = 0; k < 6 && metrics4[m].values[k] != NULL; k++)
		if (strlen(metrics4[m].values[k]) == n &&
		    memcmp(metrics4[m].values[k], s, n) == 0)
			return k;
	return -1;
}

/* Fills v[] with each metric's value index, -1 where absent. */
static int parse4(const char *vec, int v[W_COUNT], struct ky_err *err)
{
	size_t len, pos = 9;
	int last = -1;

	if (vec == NULL)
		return ky_err_set(err, KY_E_INVAL, "CVSS vector is NULL");
	len = strnlen(vec, KY_CVSS_VECTOR_MAX + 1);
	if (len > KY_CVSS_VECTOR_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "CVSS vector longer than %d bytes",
				  KY_CVSS_VECTOR_MAX);
	if (strncmp(vec, "CVSS:4.0/", 9) != 0)
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: expected prefix 'CVSS:4.0/'");
	for (int m = 0; m < W_COUNT; m++)
		v[m] = -1;
	for (;;) {
		size_t start = pos, klen, vlen;
		const char *val;
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
					  start, metrics4[m].name);
		if (m < last)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: metric '%s' out of "
					  "order (must come before '%s')",
					  start, metrics4[m].name,
					  metrics4[last].name);
		pos++;
		val = vec + pos;
		while (pos < len && vec[pos] != '/')
			pos++;
		vlen = (size_t)(vec + pos - val);
		v[m] = find_value(m, val, vlen);
		if (v[m] < 0)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: unknown value '%.*s' "
					  "for %s",
					  start, (int)(vlen > 8 ? 8 : vlen),
					  val, metrics4[m].name);
		last = m;
		if (pos == len)
			break;
		pos++; /* the '/'; a trailing one gives "empty metric" */
	}
	for (int m = 0; m < W_NBASE; m++)
		if (v[m] < 0)
			return ky_err_set(err, KY_E_PARSE,
					  "missing mandatory base metric '%s'",
					  metrics4[m].name);
	return 0;
}

/* Effective letter of a base metric: its modified metric when given and
 * not X, else the base value. */
static char eff(const int v[W_COUNT], int base, int mod)
{
	if (v[mod] > 0)
		return metrics4[mod].values[v[mod]][0];
	return metrics4[base].values[v[base]][0];
}

/* Letter of an optional metric, X (absent) replaced by its default. */
static char opt(const int v[W_COUNT], int m, char dflt)
{
	return v[m] > 0 ? metrics4[m].values[v[m]][0] : dflt;
}

static int score4(const int v[W_COUNT], struct ky_cvss4_result *out)
{
	char av = eff(v, W_AV, W_MAV), ac = eff(v, W_AC, W_MAC);
	char at = eff(v, W_AT, W_MAT), pr = eff(v, W_PR, W_MPR);
	char ui = eff(v, W_UI, W_MUI), vc = eff(v, W_VC, W_MVC);
	char vi = eff(v, W_VI, W_MVI), va = eff(v, W_VA, W_MVA);
	char sc = eff(v, W_SC, W_MSC), si = eff(v, W_SI, W_MSI);
	char sa = eff(v, W_SA, W_MSA);
	/* Threat and requirements default to their worst case (X = A, H). */
	char e = opt(v, W_E, 'A'), cr = opt(v, W_CR, 'H');
	char ir = opt(v, W_IR, 'H'), ar = opt(v, W_AR, 'H');
	int eq[6], low[6], d[5], depth[5], n = 0;
	char h1[4] = {av, pr, ui, 0}, h2[3] = {ac, at, 0};
	char h36[7] = {vc, vi, va, cr, ir, ar, 0}, h4[4] = {sc, si, sa, 0};
	double value, lower, sum = 0;
	int e36;

	/* Table 24 of the specification. */
	if (av == 'N' && pr == 'N' && ui == 'N')
		eq[0] = 0;
	else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
		eq[0] = 1;
	else
		eq[0] = 2;
	eq[1] = ac == 'L' && at == 'N' ? 0 : 1;
	if (vc == 'H' && vi == 'H')
		eq[2] = 0;
	else if (vc == 'H' || vi == 'H' || va == 'H')
		eq[2] = 1;
	else
		eq[2] = 2;
	if (si == 'S' || sa == 'S')
		eq[3] = 0;
	else if (sc == 'H' || si == 'H' || sa == 'H')
		eq[3] = 1;
	else
		eq[3] = 2;
	eq[4] = e == 'A' ? 0 : e == 'P' ? 1 : 2;
	eq[5] = (cr == 'H' && vc == 'H') || (ir == 'H' && vi == 'H') ||
				(ar == 'H' && va == 'H')
			? 0
			: 1;
	for (int i = 0; i < 6; i++)
		out->macrovector[i] = (char)('0' + eq[i]);
	out->macrovector[6] = '\0';

	/* No impact on any system scores 0 whatever the rest. */
	if (vc == 'N' && vi == 'N' && va == 'N' && sc == 'N' && si == 'N' &&
	    sa == 'N') {
		out->score = out->unrounded = 0.0;
		return 0;
	}
	value = mv_score(eq);
	if (value < 0)
		return KY_E_INTERNAL;
	e36 = eq[2] == 2 ? 4 : eq[2] * 2 + eq[5];

	d[0] = distance(h1, "VPU", max_eq1[eq[0]], 3);
	d[1] = distance(h2, "CT", max_eq2[eq[1]], 2);
	d[2] = distance(h36, "IIIRRR", max_eq36[e36], 5);
	d[3] = distance(h4, "SSS", max_eq4[eq[3]], 1);
	d[4] = 0; /* each EQ5 level holds a single value of E */
	depth[0] = depth_eq1[eq[0]];
	depth[1] = depth_eq2[eq[1]];
	depth[2] = depth_eq36[e36];
	depth[3] = depth_eq4[eq[3]];
	depth[4] = 1;
	for (int i = 0; i < 4; i++)
		if (d[i] < 0)
			return KY_E_INTERNAL;

	/* The next lower macrovector of each EQ; EQ3 and EQ6 move together
	 * and from 00 the higher-scoring of 01 and 10 is the next lower. */
	for (int k = 0; k < 5; k++) {
		int j[6];
		double s;

		memcpy(j, eq, sizeof j);
		if (k < 2) {
			j[k]++;
			s = mv_score(j);
		} else if (k == 2) {
			if (eq[2] == 0 && eq[5] == 0) {
				double s2;

				j[5] = 1;
				s = mv_score(j);
				j[5] = 0;
				j[2] = 1;
				s2 = mv_score(j);
				s = s2 > s ? s2 : s;
			} else if (eq[2] == 1 && eq[5] == 0) {
				j[5] = 1;
				s = mv_score(j);
			} else {
				j[2]++;
				s = mv_score(j);
			}
		} else {
			j[k]++;
			s = mv_score(j);
		}
		low[k] = s >= 0;
		if (!low[k])
			continue;
		lower = s;
		n++;
		/* proportional distance x available distance */
		sum += (value - lower) * ((double)d[k] / (double)depth[k]);
	}
	if (n > 0)
		value -= sum / n;
	if (value < 0)
		value = 0;
	if (value > 10)
		value = 10;
	out->unrounded = value;
	/* One decimal, halves up; the epsilon absorbs float noise such as
	 * 6.449999999 for 6.45. */
	out->score = floor(value * 10.0 + 0.5 + 1e-6) / 10.0;
	return 0;
}

int ky_cvss40_result(const char *vector, struct ky_cvss4_result *out,
		     struct ky_err *err)
{
	int v[W_COUNT], r, threat = 0, env = 0;

	if (out == NULL)
		return ky_err_set(err, KY_E_INVAL, "CVSS: no output");
	if ((r = parse4(vector, v, err)) != 0)
		return r;
	threat = v[W_E] > 0;
	for (int m = W_CR; m <= W_MSA; m++)
		env |= v[m] > 0;
	out->nomenclature = threat && env ? "CVSS-BTE"
			    : threat	  ? "CVSS-BT"
			    : env	  ? "CVSS-BE"
					  : "CVSS-B";
	if ((r = score4(v, out)) != 0)
		return ky_err_set(err, r,
				  "CVSS v4.0: no highest-severity vector "
				  "for macrovector %s",
				  out->macrovector);
	return 0;
}

int ky_cvss40_score(const char *vector, double *score, struct ky_err *err)
{
	struct ky_cvss4_result res;
	int r;

	if (score == NULL)
		return ky_err_set(err, KY_E_INVAL, "CVSS: no output");
	if ((r = ky_cvss40_result(vector, &res, err)) != 0)
		return r;
	*score = res.score;
	return 0;
}
