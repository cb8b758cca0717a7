/* The JSON schema validator against the official CSAF 2.0 schema and data
 * in $KYKLOS_SHARED_DATA/csaf/csaf_2.0: every example validates, the
 * validator test files behave as testcases.json says where the schema can
 * tell, errors name the failing pointer, and 1,000 validations are fast. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "intel/jschema.h"

static char csaf_dir[2048];
static struct ky_jschema *schemas;

static int setup(void **state)
{
	const char *d = getenv("KYKLOS_SHARED_DATA");
	struct stat st;
	struct ky_err err = {0};

	(void)state;
	snprintf(csaf_dir, sizeof(csaf_dir), "%s/csaf/csaf_2.0",
		 d ? d : "../shared/data");
	if (stat(csaf_dir, &st) != 0)
		return 0; /* each test skips, naming the folder */
	if (ky_jschema_new(&schemas) != 0 ||
	    ky_jschema_load_csaf(schemas, csaf_dir, true, &err) != 0) {
		printf("loading the CSAF schema: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_jschema_free(schemas);
	return 0;
}

#define NEED_DATA()                                                            \
	do {                                                                   \
		if (schemas == NULL) {                                         \
			printf("SKIP: shared data folder %s is absent\n",      \
			       csaf_dir);                                      \
			skip();                                                \
		}                                                              \
	} while (0)

static int validate_file(const char *path, struct ky_err *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	int r;

	if (j == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s", je.text);
		return KY_E_IO;
	}
	r = ky_jschema_validate(schemas, KY_JSCHEMA_CSAF_ID, j, err);
	json_decref(j);
	return r;
}

/* Validates every *.json under dir (recursively); returns the count. */
static size_t examples_in(const char *dir, size_t *bad)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	char path[4096];

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += examples_in(path, bad);
		} else if (len > 5 &&
			   strcmp(e->d_name + len - 5, ".json") == 0) {
			struct ky_err err = {0};
			if (validate_file(path, &err) != 0) {
				printf("REJECTED %s: %s\n", path, err.msg);
				(*bad)++;
			}
			n++;
		}
	}
	closedir(d);
	return n;
}

static void test_examples(void **state)
{
	char dir[4096];
	size_t bad = 0, n;

	(void)state;
	NEED_DATA();
	snprintf(dir, sizeof(dir), "%s/examples/csaf", csaf_dir);
	n = examples_in(dir, &bad);
	printf("CSAF examples: %zu validated, %zu rejected\n", n, bad);
	assert_true(n >= 19);
	assert_int_equal(bad, 0);
}

/* The 6.1.8 files are the only ones the schema itself rejects: their
 * CVSS objects break the FIRST schemas.  The rest are schema-valid and
 * fail only the mandatory checks of intel/csaf. */
static const char *const schema_invalid[] = {
	"mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json",
	"mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-08-02.json",
	"mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-08-03.json",
};

static bool expect_invalid(const char *name)
{
	for (size_t i = 0; i < 3; i++)
		if (strcmp(name, schema_invalid[i]) == 0)
			return true;
	return false;
}

static void test_validator_data(void **state)
{
	char path[4096];
	json_t *tc, *tests, *t;
	size_t i, ninv = 0, nrej = 0, nvalid = 0, nacc = 0, wrong = 0;
	static const char *const lists[] = {"failures", "valid"};

	(void)state;
	NEED_DATA();
	snprintf(path, sizeof(path), "%s/test/validator/data/testcases.json",
		 csaf_dir);
	tc = json_load_file(path, 0, NULL);
	assert_non_null(tc);
	tests = json_object_get(tc, "tests");
	assert_true(json_array_size(tests) > 40);
	json_array_foreach(tests, i, t)
	{
		for (size_t l = 0; l < 2; l++) {
			json_t *arr = json_object_get(t, lists[l]), *f;
			size_t k;
			json_array_foreach(arr, k, f)
			{
				const char *name = json_string_value(
					json_object_get(f, "name"));
				struct ky_err err = {0};
				int r;
				assert_non_null(name);
				snprintf(path, sizeof(path),
					 "%s/test/validator/data/%s", csaf_dir,
					 name);
				r = validate_file(path, &err);
				assert_int_not_equal(r, KY_E_IO);
				if (l == 0) {
					ninv++;
					nrej += r != 0;
					if (r != 0)
						printf("rejected %s: %s\n",
						       name, err.msg);
				} else {
					nvalid++;
					nacc += r == 0;
				}
				/* Valid files pass; invalid ones fail
				 * exactly when the schema can tell. */
				bool want_fail = l == 0 && expect_invalid(name);
				if ((r != 0) != want_fail) {
					printf("WRONG %s (%s): %d %s\n", name,
					       lists[l], r, err.msg);
					wrong++;
				}
			}
		}
	}
	printf("validator data: %zu invalid files, %zu rejected by the schema; "
	       "%zu of %zu valid files accepted; %zu wrong\n",
	       ninv, nrej, nacc, nvalid, wrong);
	json_decref(tc);
	assert_int_equal(wrong, 0);
	assert_int_equal(nrej, 3);
}

/* Loads the first example and returns it for mutation. */
static json_t *example(void)
{
	char path[4096];
	json_t *j;

	snprintf(path, sizeof(path),
		 "%s/examples/csaf/cisco-sa-20180328-smi2.json", csaf_dir);
	j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	return j;
}

static void expect(json_t *doc, int status, const char *msg)
{
	struct ky_err err = {0};
	int r = ky_jschema_validate(schemas, KY_JSCHEMA_CSAF_ID, doc, &err);

	if (r != status || (msg && strcmp(err.msg, msg) != 0))
		fail_msg("got %d '%s', want %d '%s'", r, err.msg, status,
			 msg ? msg : "");
	json_decref(doc);
}

static json_t *cvss3(json_t *doc)
{
	json_t *s = json_array_get(
		json_object_get(
			json_array_get(json_object_get(doc, "vulnerabilities"),
				       0),
			"scores"),
		0);
	json_t *c = json_object_get(s, "cvss_v3");

	assert_non_null(c);
	return c;
}

static void test_error_paths(void **state)
{
	json_t *d;

	(void)state;
	NEED_DATA();
	expect(example(), 0, NULL);

	d = example();
	json_object_set_new(cvss3(d), "baseScore", json_integer(11));
	expect(d, KY_E_PARSE,
	       "/vulnerabilities/0/scores/0/cvss_v3/baseScore: 11 is greater "
	       "than the maximum 10 (no branch of oneOf matched; closest is "
	       "branch 0)");

	d = example();
	json_object_set_new(cvss3(d), "extra", json_true());
	expect(d, KY_E_PARSE,
	       "/vulnerabilities/0/scores/0/cvss_v3: property 'extra' is not "
	       "allowed (no branch of oneOf matched; closest is branch 0)");

	d = example();
	json_object_del(json_object_get(d, "document"), "category");
	expect(d, KY_E_PARSE,
	       "/document: required property 'category' is missing");

	d = example();
	json_object_set_new(
		json_object_get(json_object_get(d, "document"), "tracking"),
		"current_release_date", json_string("2018-03-28 16:00:00"));
	expect(d, KY_E_PARSE,
	       "/document/tracking/current_release_date: '2018-03-28 "
	       "16:00:00' is not a valid date-time");

	/* The root admits extra members; the CVSS objects do not. */
	d = example();
	json_object_set_new(d, "unknown_member", json_true());
	expect(d, 0, NULL);

	d = example();
	json_object_set_new(json_object_get(d, "document"), "csaf_version",
			    json_string("2.1"));
	expect(d, KY_E_PARSE,
	       "/document/csaf_version: '2.1' is not one of the enum values");

	d = example();
	json_object_set_new(
		json_object_get(json_object_get(d, "document"), "publisher"),
		"namespace", json_string("not a uri"));
	expect(d, KY_E_PARSE,
	       "/document/publisher/namespace: 'not a uri' is not a valid uri");

	d = example();
	json_object_set_new(json_object_get(d, "document"), "title",
			    json_string(""));
	expect(d, KY_E_PARSE,
	       "/document/title: 0 characters, fewer than minLength 1");

	expect(json_integer(1), KY_E_PARSE,
	       "(root): is integer, expected object");
}

static void test_speed(void **state)
{
	json_t *d;
	struct timespec a, b;
	struct ky_err err = {0};
	double ms;

	(void)state;
	NEED_DATA();
	d = example();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ky_jschema_validate(
					 schemas, KY_JSCHEMA_CSAF_ID, d, &err),
				 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("1000 validations of cisco-sa-20180328-smi2.json: %.1f ms "
	       "(%.1f us each)\n",
	       ms, ms); /* 1000 runs: ms total == us each */
	assert_true(ms < 5000);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_validator_data),
		cmocka_unit_test(test_error_paths),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
