/* CVSS scores computed from vector strings: v3.0 and v3.1 (base, temporal,
 * environmental; FIRST specification section 7) and v4.0 (macrovectors and
 * severity distances; FIRST v4.0 specification section 8). Pure functions
 * of the string: no allocation, no global state, safe from any thread. */
#ifndef KY_INTEL_CVSS_H
#define KY_INTEL_CVSS_H

#include "base/err.h"

/* Longer vectors are refused (KY_E_TOOBIG): the longest valid v4.0 vector
 * with every metric spelled out is about 200 bytes. */
#define KY_CVSS_VECTOR_MAX 512

struct ky_cvss3_scores {
	int minor;	      /* 0 for "CVSS:3.0/", 1 for "CVSS:3.1/" */
	double base;	      /* the Base Score */
	double temporal;      /* Base x E x RL x RC, rounded up */
	double environmental; /* from the modified metrics (X = base value) */
};

/* Parses "CVSS:3.0/..." or "CVSS:3.1/..." (metrics in any order, each at
 * most once, the eight base metrics mandatory, temporal and environmental
 * metrics optional) and computes its three scores; v3.0 vectors use the
 * v3.0 round-up and modified-impact formula, v3.1 vectors those of v3.1.
 * Returns 0, KY_E_PARSE with err naming the offset and metric
 * ("offset 9: unknown value 'Q' for AV"), KY_E_TOOBIG or KY_E_INVAL. */
int ky_cvss3_scores(const char *vector, struct ky_cvss3_scores *out,
		    struct ky_err *err);

/* The Base Score alone of a v3.0 or v3.1 vector (see ky_cvss3_scores). */
int ky_cvss31_score(const char *vector, double *base, struct ky_err *err);

struct ky_cvss4_result {
	double score;		  /* 0.0 .. 10.0, one decimal */
	double unrounded;	  /* the interpolated value before rounding */
	const char *nomenclature; /* "CVSS-B", "CVSS-BT", "CVSS-BE" or
				     "CVSS-BTE" (static string) */
	char macrovector[7];	  /* EQ1..EQ6 levels, e.g. "000200" */
};

/* Parses "CVSS:4.0/..." (metrics in the order of the specification's
 * table, each at most once, the eleven base metrics mandatory; threat,
 * environmental and supplemental metrics optional, absent ones meaning X)
 * and computes the score. Errors as for ky_cvss3_scores, plus metrics out
 * of order. */
int ky_cvss40_result(const char *vector, struct ky_cvss4_result *out,
		     struct ky_err *err);

/* The score alone of a v4.0 vector (see ky_cvss40_result). */
int ky_cvss40_score(const char *vector, double *score, struct ky_err *err);

/* Qualitative rating of a score, the same bands in v3.x and v4.0:
 * "None" (0.0), "Low" (0.1-3.9), "Medium" (4.0-6.9), "High" (7.0-8.9),
 * "Critical" (9.0-10.0). Static string, never NULL. */
const char *ky_cvss_severity(double score);

#endif
