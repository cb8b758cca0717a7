/* Tests of CVSS v3.x and v4.0 scoring: every cvss_v3 object of the CSAF
 * 2.0 examples and validator test data scored as published, vectors
 * checked by hand against the specifications, and malformed vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/cvss.h"

static double score3(const char *v)
{
	struct ky_err err = {0};
	double s = -1;

	if (ky_cvss31_score(v, &s, &err) != 0)
		fail_msg("%s: %s", v, err.msg);
	return s;
}

static double score4(const char *v)
{
	struct ky_err err = {0};
	double s = -1;

	if (ky_cvss40_score(v, &s, &err) != 0)
		fail_msg("%s: %s", v, err.msg);
	return s;
}

/* Scores are compared as printed with one decimal: exact, no tolerance. */
static void assert_score(double got, double want)
{
	char a[16], b[16];

	snprintf(a, sizeof a, "%.1f", got);
	snprintf(b, sizeof b, "%.1f", want);
	assert_string_equal(a, b);
	assert_true(got * 10 == (double)(long)(got * 10 + 0.5) || got == 0);
}

/* ---- CSAF data ---- */

struct walk {
	int checked;	  /* cvss_v3 objects whose scores had to match */
	int wrong_caught; /* deliberately wrong ones (6.1.9 invalid tests) */
	int failed;
	const char *file;
	int expect_wrong;
};

static const char *sev_upper(double s)
{
	static char buf[16];
	const char *n = ky_cvss_severity(s);
	size_t i;

	for (i = 0; n[i] != '\0' && i + 1 < sizeof buf; i++)
		buf[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
	buf[i] = '\0';
	return buf;
}

static void check_cvss3(struct walk *w, json_t *o)
{
	json_t *vs = json_object_get(o, "vectorString");
	json_t *bs = json_object_get(o, "baseScore");
	json_t *sev = json_object_get(o, "baseSeverity");
	json_t *ts = json_object_get(o, "temporalScore");
	json_t *es = json_object_get(o, "environmentalScore");
	struct ky_cvss3_scores s;
	struct ky_err err = {0};
	int same;

	if (!json_is_string(vs) || !json_is_number(bs))
		return;
	if (ky_cvss3_scores(json_string_value(vs), &s, &err) != 0) {
		printf("FAIL %s: %s: %s\n", w->file, json_string_value(vs),
		       err.msg);
		w->failed++;
		return;
	}
	same = (long)(s.base * 10 + 0.5) ==
	       (long)(json_number_value(bs) * 10 + 0.5);
	if (json_is_string(sev))
		same &= strcmp(json_string_value(sev), sev_upper(s.base)) == 0;
	if (json_is_number(ts))
		same &= (long)(s.temporal * 10 + 0.5) ==
			(long)(json_number_value(ts) * 10 + 0.5);
	if (json_is_number(es))
		same &= (long)(s.environmental * 10 + 0.5) ==
			(long)(json_number_value(es) * 10 + 0.5);
	if (w->expect_wrong) {
		if (same) {
			printf("FAIL %s: %s published %.1f, accepted though "
			       "the test file is meant to be wrong\n",
			       w->file, json_string_value(vs),
			       json_number_value(bs));
			w->failed++;
		} else {
			w->wrong_caught++;
		}
		return;
	}
	if (!same) {
		printf("FAIL %s: %s: ours %.1f %s, published %.1f %s\n",
		       w->file, json_string_value(vs), s.base,
		       sev_upper(s.base), json_number_value(bs),
		       json_is_string(sev) ? json_string_value(sev) : "-");
		w->failed++;
	}
	w->checked++;
}

static void walk_json(struct walk *w, json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			if (strcmp(k, "cvss_v3") == 0 && json_is_object(v))
				check_cvss3(w, v);
			else
				walk_json(w, v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) walk_json(w, v);
	}
}

static void walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL || depth > 8) {
		if (d != NULL)
			closedir(d);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
			json_error_t jerr;
			json_t *j = json_load_file(path, 0, &jerr);

			if (j == NULL)
				continue; /* the invalid-JSON test files */
			w->file = e->d_name;
			/* CSAF test 6.1.9 "Invalid CVSS computation": its
			 * -0N files publish wrong scores on purpose. */
			w->expect_wrong =
				strstr(e->d_name, "-6-1-09-0") != NULL;
			walk_json(w, j);
			json_decref(j);
		} else {
			walk_dir(w, path, depth + 1);
		}
	}
	closedir(d);
}

static const char *csaf_dir(char *buf, size_t n, const char *sub)
{
	const char *d = getenv("KYKLOS_SHARED_DATA");

	snprintf(buf, n, "%s/csaf/csaf_2.0/%s", d ? d : "../shared/data", sub);
	return buf;
}

static int have_dir(const char *p)
{
	DIR *d = opendir(p);

	if (d == NULL)
		return 0;
	closedir(d);
	return 1;
}

static void test_csaf_examples(void **state)
{
	char dir[4096];
	struct walk w = {0};

	(void)state;
	csaf_dir(dir, sizeof dir, "examples");
	if (!have_dir(dir)) {
		printf("SKIP: CSAF examples folder %s not found\n", dir);
		skip();
	}
	walk_dir(&w, dir, 0);
	printf("CSAF examples: %d cvss_v3 scores checked in %s\n", w.checked,
	       dir);
	assert_int_equal(w.failed, 0);
	assert_true(w.checked >= 10);
}

static void test_csaf_validator_data(void **state)
{
	char dir[4096];
	struct walk w = {0};

	(void)state;
	csaf_dir(dir, sizeof dir, "test/validator/data");
	if (!have_dir(dir)) {
		printf("SKIP: CSAF validator test data %s not found\n", dir);
		skip();
	}
	walk_dir(&w, dir, 0);
	printf("CSAF validator data: %d cvss_v3 scores checked, %d "
	       "deliberately wrong ones caught\n",
	       w.checked, w.wrong_caught);
	assert_int_equal(w.failed, 0);
	assert_true(w.checked >= 20);
	assert_true(w.wrong_caught >= 2);
}

/* ---- vectors worked by hand ---- */

static void test_v3_by_hand(void **state)
{
	struct ky_cvss3_scores s;
	struct ky_err err = {0};

	(void)state;
	/* ISS = 1 - 0.44^3 = 0.914816; impact 6.42 ISS = 5.873;
	 * exploitability 8.22 x .85 x .77 x .85 x .85 = 3.887; 9.760 -> 9.8 */
	assert_score(score3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
		     9.8);
	/* Changed: 1.08 x (6.048 + 3.887) > 10 -> 10.0 */
	assert_score(score3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
		     10.0);
	/* 5.873 + 8.22 x .55 x .77 x .27 x .62 (0.584) = 6.457 -> 6.5 */
	assert_score(score3("CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H"),
		     6.5);
	/* v3.1 specification section 7.3 example class: PR under S:C is
	 * 0.68; ISS 0.3916, impact 7.52 x 0.3626 - ... = 2.727; expl 3.107;
	 * 1.08 x 5.834 = 6.30 -> 6.4 (CSAF 6.1.7-12). */
	assert_score(score3("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N"),
		     6.4);
	/* No impact scores 0 whatever the exploitability. */
	assert_score(score3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N"),
		     0.0);
	assert_score(score3("CVSS:3.0/AV:P/AC:H/PR:N/UI:R/S:C/C:L/I:H/A:L"),
		     6.2);
	/* Metrics in any order in v3.x. */
	assert_score(score3("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N"),
		     9.8);

	/* Temporal 10 x .91 x .95 x .96 = 8.2992 -> 8.3. Environmental:
	 * MISS = 1 - (1 - 1.5 x .56) x .44 x .44 = 0.969, capped at 0.915;
	 * M.Impact 7.52 x 0.886 - 3.25 x (0.915 x 0.9731 - 0.02)^13 = 6.129;
	 * M.Exploitability with MAV:L 8.22 x .55 x .77 x .85 x .85 = 2.516;
	 * 1.08 x 8.645 = 9.337 -> 9.4; x 0.82992 = 7.801 -> 7.9. */
	assert_int_equal(ky_cvss3_scores("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/"
					 "C:H/I:H/A:H/E:U/RL:O/RC:R/CR:H/"
					 "MAV:L",
					 &s, &err),
			 0);
	assert_int_equal(s.minor, 1);
	assert_score(s.base, 10.0);
	assert_score(s.temporal, 8.3);
	assert_score(s.environmental, 7.9);
	/* v3.0 Roundup is applied to the real value: 5.0 x 0.92 is 4.6,
	 * not the 4.7 that ceil() of the float 4.6000000000000005 gives. */
	assert_int_equal(ky_cvss3_scores("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/"
					 "C:N/I:H/A:L/E:H/RL:X/RC:U/CR:M/"
					 "IR:M/AR:L/MAV:L/MAC:X/MPR:N/MUI:R/"
					 "MS:U/MC:H/MI:N/MA:X",
					 &s, &err),
			 0);
	assert_int_equal(s.minor, 0);
	assert_score(s.environmental, 4.6);
	/* A zero base never prints as -0.0. */
	assert_int_equal(ky_cvss3_scores("CVSS:3.0/AV:A/AC:H/PR:L/UI:N/S:C/"
					 "C:N/I:N/A:N/E:P/RL:X/RC:U",
					 &s, &err),
			 0);
	assert_false(signbit(s.temporal));
}

static void test_v4_by_hand(void **state)
{
	struct ky_cvss4_result r;
	struct ky_err err = {0};

	(void)state;
	/* Macrovector 000200 (9.3); every highest-severity distance is 0
	 * and EQ4 = 2 has no lower level: 9.3. */
	assert_int_equal(ky_cvss40_result("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/"
					  "VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
					  &r, &err),
			 0);
	assert_string_equal(r.macrovector, "000200");
	assert_string_equal(r.nomenclature, "CVSS-B");
	assert_score(r.score, 9.3);
	/* E:U moves to 000220 (8.1), again at distance 0. */
	assert_int_equal(ky_cvss40_result("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/"
					  "VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
					  &r, &err),
			 0);
	assert_string_equal(r.macrovector, "000220");
	assert_string_equal(r.nomenclature, "CVSS-BT");
	assert_score(r.score, 8.1);
	/* 112101 (5.8). EQ1 max ANN: AV L-A 0.1 + PR H-N 0.2 = 0.3 of depth
	 * 0.4, lower 212101 (2.4): 3.4 x 0.75 = 2.55; EQ4 and EQ5 at
	 * distance 0 with lower levels; EQ2, EQ3 have none. Mean 2.55 / 3
	 * = 0.85; 5.8 - 0.85 = 4.95 -> 5.0 (halves round up). */
	assert_int_equal(ky_cvss40_result("CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:N/"
					  "VC:N/VI:L/VA:N/SC:H/SI:H/SA:H",
					  &r, &err),
			 0);
	assert_string_equal(r.macrovector, "112101");
	assert_score(r.score, 5.0);
	/* Environmental: effective VA:H (MVA), SC:H (MSC), PR:H (MPR);
	 * 211101 (5.1). EQ3+EQ6 max LHHHMM: VI L-H 0.1 of 0.8, lower 212101
	 * (2.4): 2.7 x 0.125; EQ4 max HHH: SI, SA N-H 0.2 + 0.2 of 0.5,
	 * lower 211201 (1.8): 3.3 x 0.8; EQ5 lower 211111 (1.8), distance
	 * 0. Mean (0.3375 + 2.64) / 3 = 0.9925; 5.1 - 0.9925 -> 4.1. */
	assert_int_equal(
		ky_cvss40_result("CVSS:4.0/AV:P/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/"
				 "VA:L/SC:N/SI:N/SA:N/E:X/IR:M/AR:M/MAV:P/"
				 "MPR:H/MUI:X/MVI:L/MVA:H/MSC:H/MSI:N/S:X/AU:Y/"
				 "R:A/V:D/U:Red",
				 &r, &err),
		0);
	assert_string_equal(r.macrovector, "211101");
	assert_string_equal(r.nomenclature, "CVSS-BE");
	assert_score(r.score, 4.1);
	/* No impact anywhere scores 0. */
	assert_score(score4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/"
			    "VA:N/SC:N/SI:N/SA:N"),
		     0.0);
	/* The top of the table. */
	assert_score(score4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/"
			    "VA:H/SC:H/SI:H/SA:H/E:A/MSI:S/MSA:S"),
		     10.0);
	assert_int_equal(ky_cvss40_result("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/"
					  "VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/"
					  "CR:H",
					  &r, &err),
			 0);
	assert_string_equal(r.nomenclature, "CVSS-BTE");
	/* Supplemental metrics change nothing. */
	assert_score(score4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/"
			    "VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:I/V:C/RE:H/"
			    "U:Amber"),
		     9.3);
}

static void test_severity(void **state)
{
	(void)state;
	assert_string_equal(ky_cvss_severity(0.0), "None");
	assert_string_equal(ky_cvss_severity(0.1), "Low");
	assert_string_equal(ky_cvss_severity(3.9), "Low");
	assert_string_equal(ky_cvss_severity(4.0), "Medium");
	assert_string_equal(ky_cvss_severity(6.9), "Medium");
	assert_string_equal(ky_cvss_severity(7.0), "High");
	assert_string_equal(ky_cvss_severity(8.9), "High");
	assert_string_equal(ky_cvss_severity(9.0), "Critical");
	assert_string_equal(ky_cvss_severity(10.0), "Critical");
}

/* ---- malformed vectors ---- */

static void bad3(const char *v, int status, const char *msg)
{
	struct ky_err err = {0};
	double s = 42;

	assert_int_equal(ky_cvss31_score(v, &s, &err), status);
	assert_int_equal(err.status, status);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", v ? v : "NULL", err.msg,
			 msg);
	assert_true(s == 42); /* untouched on failure */
}

static void bad4(const char *v, int status, const char *msg)
{
	struct ky_err err = {0};
	double s = 42;

	assert_int_equal(ky_cvss40_score(v, &s, &err), status);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", v ? v : "NULL", err.msg,
			 msg);
	assert_true(s == 42);
}

static void test_malformed(void **state)
{
	char huge[4096];
	size_t n;

	(void)state;
	bad3("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "offset 9: unknown value 'Q' for AV");
	bad3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", KY_E_PARSE,
	     "missing mandatory base metric 'A'");
	bad3("CVSS:3.1/AV:N/AC:", KY_E_PARSE, "unknown value '' for AC");
	bad3("CVSS:3.1/AV", KY_E_PARSE, "offset 11: expected ':'");
	bad3("CVSS:3.1/", KY_E_PARSE, "offset 9: empty metric");
	bad3("CVSS:3.1", KY_E_PARSE, "expected prefix");
	bad3("", KY_E_PARSE, "expected prefix");
	bad3(NULL, KY_E_INVAL, "NULL");
	bad3("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "expected prefix");
	bad3("CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "expected prefix");
	bad3("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "expected prefix");
	bad3("cvss:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h", KY_E_PARSE,
	     "expected prefix");
	bad3("CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "offset 9: unknown metric 'av'");
	bad3("CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "unknown value 'n' for AV");
	bad3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", KY_E_PARSE,
	     "empty metric");
	bad3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N", KY_E_PARSE,
	     "offset 45: duplicate metric 'AV'");
	bad3("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "offset 14: empty metric");
	bad3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:Y", KY_E_PARSE,
	     "unknown metric 'ZZ'");
	bad3("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "unknown value 'X' for AV");
	bad3("CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "unknown value 'NN' for AV");
	bad3("CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "for AV");
	bad3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q", KY_E_PARSE,
	     "unknown value 'Q' for E");
	/* A 4.0 metric is unknown to 3.1 */
	bad3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N", KY_E_PARSE,
	     "unknown metric 'AT'");

	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
	     KY_E_PARSE, "missing mandatory base metric 'SA'");
	bad4("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N",
	     KY_E_PARSE, "offset 14: metric 'AV' out of order");
	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N/SA:N",
	     KY_E_PARSE, "duplicate metric 'SA'");
	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N/",
	     KY_E_PARSE, "empty metric");
	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/"
	     "SA:N",
	     KY_E_PARSE, "unknown value 'S' for SI"); /* S only in MSI */
	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N/U:amber",
	     KY_E_PARSE, "unknown value 'amber' for U");
	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N/S:C",
	     KY_E_PARSE, "unknown value 'C' for S");
	bad4("CVSS:4.0/AV:X/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N",
	     KY_E_PARSE, "unknown value 'X' for AV");
	bad4("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", KY_E_PARSE,
	     "expected prefix 'CVSS:4.0/'");
	bad4("CVSS:4.0/", KY_E_PARSE, "empty metric");
	bad4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
	     "SA:N/E",
	     KY_E_PARSE, "expected ':'");
	bad4(NULL, KY_E_INVAL, "NULL");

	/* Huge input: refused by length before any parsing. */
	n = strlen("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	memcpy(huge, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", n);
	while (n + 4 < sizeof huge - 1) {
		memcpy(huge + n, "/E:X", 4);
		n += 4;
	}
	huge[n] = '\0';
	bad3(huge, KY_E_TOOBIG, "longer than");
	memcpy(huge, "CVSS:4.0/", 9);
	bad4(huge, KY_E_TOOBIG, "longer than");
	/* Long but within the limit: a fine duplicate error. */
	huge[KY_CVSS_VECTOR_MAX] = '\0';
	memcpy(huge, "CVSS:3.1/", 9);
	bad3(huge, KY_E_PARSE, "duplicate metric 'E'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csaf_examples),
		cmocka_unit_test(test_csaf_validator_data),
		cmocka_unit_test(test_v3_by_hand),
		cmocka_unit_test(test_v4_by_hand),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
