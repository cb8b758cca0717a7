/* The identifiers of the CSAF 2.0 examples and validator test data under
 * $KYKLOS_SHARED_DATA/csaf: every cpe and purl parses (except the purl the
 * mandatory test 6.1.13 marks invalid), every product_version_range parses
 * as vers or is refused as vls. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "intel/version.h"

struct counts {
	int cpe, purl, vers, vls, files;
};

static struct ky_arena *arena;

static void check_value(const char *file, const char *key, json_t *v,
			struct counts *c)
{
	struct ky_err err = {0};
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	bool purl_invalid = strstr(file, "2021-6-1-13-") != NULL;
	int rc;

	if (s == NULL)
		return;
	if (strcmp(key, "cpe") == 0) {
		struct ky_cpe x;

		rc = ky_cpe_parse(s, n, arena, &x, &err);
		if (rc != 0)
			fail_msg("%s: cpe '%s': %s", file, s, err.msg);
		c->cpe++;
	} else if (strcmp(key, "purl") == 0) {
		struct ky_purl x;

		rc = ky_purl_parse(s, n, arena, &x, &err);
		if ((rc == 0) == purl_invalid)
			fail_msg("%s: purl '%s': rc %d %s", file, s, rc,
				 err.msg);
		c->purl++;
	}
}

static void walk(const char *file, json_t *j, struct counts *c)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v) walk(file, v, c);
		return;
	}
	if (!json_is_object(j))
		return;
	if (json_is_string(json_object_get(j, "category")) &&
	    strcmp(json_string_value(json_object_get(j, "category")),
		   "product_version_range") == 0 &&
	    json_is_string(json_object_get(j, "name"))) {
		json_t *nm = json_object_get(j, "name");
		struct ky_vrange r;
		struct ky_err err = {0};
		int rc = ky_vrange_parse(json_string_value(nm),
					 json_string_length(nm), arena, &r,
					 &err);

		if (strncmp(json_string_value(nm), "vers:", 5) == 0) {
			if (rc != 0)
				fail_msg("%s: '%s': %s", file,
					 json_string_value(nm), err.msg);
			c->vers++;
		} else {
			if (rc != KY_E_UNSUPPORTED ||
			    strstr(err.msg, "vls") == NULL)
				fail_msg("%s: '%s': rc %d '%s'", file,
					 json_string_value(nm), rc, err.msg);
			c->vls++;
		}
	}
	json_object_foreach(j, k, v)
	{
		if (json_is_string(v))
			check_value(file, k, v, c);
		else
			walk(file, v, c);
	}
}

static void scan(const char *dir, struct counts *c)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan(path, c);
		} else if (strstr(e->d_name, ".json") != NULL &&
			   strstr(path, "json_schema") == NULL) {
			json_error_t je;
			json_t *j = json_load_file(path, 0, &je);

			if (j == NULL)
				continue;
			walk(path, j, c);
			json_decref(j);
			c->files++;
		}
	}
	closedir(d);
}

static void test_shared_csaf(void **state)
{
	const char *root = getenv("KYKLOS_SHARED_DATA");
	char dir[4096];
	struct counts c = {0};
	struct stat st;

	(void)state;
	snprintf(dir, sizeof dir, "%s/csaf/csaf_2.0", root ? root : ".");
	if (root == NULL || stat(dir, &st) != 0) {
		print_message("missing folder %s: skipped\n", dir);
		skip();
	}
	arena = ky_arena_new(1 << 16, 0);
	assert_non_null(arena);
	scan(dir, &c);
	ky_arena_free(arena);
	print_message("%d files: %d cpe, %d purl, %d vers, %d vls\n", c.files,
		      c.cpe, c.purl, c.vers, c.vls);
	/* The examples hold these at least (counted when written). */
	assert_true(c.cpe >= 10);
	assert_true(c.purl >= 1);
	assert_true(c.vers >= 8);
	assert_true(c.vls >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_csaf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
