/* CSAF conformance against the OASIS data: every mandatory test case of the
 * validator test data (failures rejected with that test's id among the
 * findings, valid files accepted) and every example document accepted. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "intel/csaf.h"

static char root[1024];

static int setup(void **state)
{
	const char *d = getenv("KYKLOS_SHARED_DATA");
	(void)state;
	snprintf(root, sizeof(root), "%s/csaf/csaf_2.0",
		 d ? d : "../shared/data");
	return 0;
}

static bool have(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("SKIP: %s is missing\n", dir);
		return false;
	}
	closedir(d);
	return true;
}

/* 1 accepted, 0 rejected; *has_id set when a finding carries test_id. */
static int run(const char *path, const char *test_id, bool *has_id, char *why,
	       size_t whylen)
{
	struct ky_csaf *doc = NULL;
	struct ky_csaf_findings f = {0};
	struct ky_err err = {0};
	int r = ky_csaf_load(path, &doc, &err);
	*has_id = false;
	if (r == 0)
		r = ky_csaf_check(doc, &f, &err);
	for (size_t i = 0; test_id && i < f.n; i++)
		if (strcmp(f.v[i].test, test_id) == 0)
			*has_id = true;
	snprintf(why, whylen, "%s", err.msg);
	ky_csaf_findings_free(&f);
	ky_csaf_free(doc);
	return r == 0;
}

static void test_mandatory_cases(void **state)
{
	char dir[1200], path[1400], why[KY_ERR_MSG_MAX];
	json_error_t je;
	size_t tests = 0, rejected = 0, accepted = 0, bad = 0;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/test/validator/data", root);
	if (!have(dir)) {
		skip();
		return;
	}
	snprintf(path, sizeof(path), "%s/testcases.json", dir);
	json_t *tc = json_load_file(path, 0, &je);
	assert_non_null(tc);
	const json_t *list = json_object_get(tc, "tests");
	assert_true(json_array_size(list) > 30);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *t = json_array_get(list, i);
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *group =
			json_string_value(json_object_get(t, "group"));
		if (!id || !group || strcmp(group, "mandatory") != 0)
			continue;
		tests++;
		size_t nf = 0, nv = 0, okf = 0, okv = 0;
		const json_t *fl = json_object_get(t, "failures");
		const json_t *vl = json_object_get(t, "valid");
		for (size_t k = 0; k < json_array_size(fl); k++, nf++) {
			const char *name = json_string_value(
				json_object_get(json_array_get(fl, k), "name"));
			bool has_id;
			assert_non_null(name);
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			int acc = run(path, id, &has_id, why, sizeof(why));
			if (!acc && has_id) {
				okf++;
			} else {
				bad++;
				printf("  %s %s: %s\n", id, name,
				       acc ? "accepted but must be rejected"
					   : "rejected without this test id");
			}
		}
		for (size_t k = 0; k < json_array_size(vl); k++, nv++) {
			const char *name = json_string_value(
				json_object_get(json_array_get(vl, k), "name"));
			bool has_id;
			assert_non_null(name);
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (run(path, NULL, &has_id, why, sizeof(why))) {
				okv++;
			} else {
				bad++;
				printf("  %s %s: rejected: %s\n", id, name,
				       why);
			}
		}
		rejected += okf;
		accepted += okv;
		printf("%-10s failures rejected %zu/%zu, valid accepted "
		       "%zu/%zu\n",
		       id, okf, nf, okv, nv);
	}
	printf("mandatory tests: %zu; invalid files rejected %zu, valid files "
	       "accepted %zu, wrong %zu\n",
	       tests, rejected, accepted, bad);
	json_decref(tc);
	/* 6.1.1 .. 6.1.26, 6.1.27.1 .. 6.1.27.11, 6.1.28 .. 6.1.33. */
	assert_int_equal(tests, 43);
	assert_true(rejected >= 80);
	assert_int_equal(bad, 0);
}

static size_t check_dir(const char *dir)
{
	char path[2048], why[KY_ERR_MSG_MAX];
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		bool has_id;
		if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!run(path, NULL, &has_id, why, sizeof(why)))
			fail_msg("%s rejected: %s", path, why);
		n++;
	}
	closedir(d);
	return n;
}

static void test_examples(void **state)
{
	char dir[1200], path[1400];
	struct ky_csaf *doc = NULL;
	struct ky_err err = {0};
	(void)state;

	snprintf(dir, sizeof(dir), "%s/examples/csaf", root);
	if (!have(dir)) {
		skip();
		return;
	}
	size_t n = check_dir(dir);
	snprintf(path, sizeof(path), "%s/csaf_vex", dir);
	size_t nv = check_dir(path);
	printf("examples accepted: %zu security advisories, %zu VEX\n", n, nv);
	assert_int_equal(n, 6);
	assert_int_equal(nv, 13);

	/* Spot-check the model on one published advisory. */
	snprintf(path, sizeof(path), "%s/cisco-sa-20180328-smi2.json", dir);
	assert_int_equal(ky_csaf_load(path, &doc, &err), 0);
	assert_string_equal(doc->category, "Cisco Security Advisory");
	assert_string_equal(doc->tracking_id, "cisco-sa-20180328-smi2");
	assert_true(doc->nvulns >= 1);
	assert_string_equal(doc->vulns[0].cve, "CVE-2018-0171");
	assert_true(doc->vulns[0].nscores >= 1);
	assert_true(doc->vulns[0].scores[0].has_v3);
	assert_true(doc->vulns[0].scores[0].v3_base == 9.8);
	ky_csaf_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mandatory_cases),
		cmocka_unit_test(test_examples),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
