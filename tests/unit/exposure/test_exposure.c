/* Exposures (intel/exposure.c): a generated CSAF document against a small
 * inventory; versions pinned exactly, by vers range and by CPE; fixed and
 * known_not_affected clearing an exposure; unknown versions; scores,
 * known-exploited and the vendor fix carried along. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intel/exposure.h"

static const char doc_json[] =
	"{\"document\":{\"category\":\"csaf_security_advisory\","
	"\"csaf_version\":\"2.0\",\"title\":\"Widget\","
	"\"publisher\":{\"category\":\"vendor\",\"name\":\"Acme\","
	"\"namespace\":\"https://acme.example\"},"
	"\"tracking\":{\"id\":\"ACME-2026-1\",\"version\":\"1\","
	"\"status\":\"final\",\"initial_release_date\":\"2026-01-01T00:00:"
	"00Z\","
	"\"current_release_date\":\"2026-01-01T00:00:00Z\","
	"\"revision_history\":[{\"number\":\"1\",\"date\":"
	"\"2026-01-01T00:00:00Z\",\"summary\":\"x\"}]}},"
	"\"product_tree\":{\"branches\":[{\"category\":\"vendor\","
	"\"name\":\"acme\",\"branches\":["
	" {\"category\":\"product_name\",\"name\":\"widget\",\"product\":"
	"  {\"product_id\":\"WALL\",\"name\":\"widget\","
	"   \"product_identification_helper\":{\"purl\":\"pkg:npm/widget\"}},"
	"  \"branches\":["
	"  {\"category\":\"product_version\",\"name\":\"1.0.0\",\"product\":"
	"   {\"product_id\":\"W10\",\"name\":\"widget 1.0.0\","
	"    \"product_identification_helper\":{\"purl\":"
	"    \"pkg:npm/widget@1.0.0\"}}},"
	"  {\"category\":\"product_version_range\",\"name\":"
	"   \"vers:npm/>=2.0.0|<2.3.0\",\"product\":"
	"   {\"product_id\":\"W2X\",\"name\":\"widget 2.x\","
	"    \"product_identification_helper\":{\"purl\":\"pkg:npm/widget\"}}},"
	"  {\"category\":\"product_version\",\"name\":\"2.3.0\",\"product\":"
	"   {\"product_id\":\"W23\",\"name\":\"widget 2.3.0\","
	"    \"product_identification_helper\":{\"purl\":"
	"    \"pkg:npm/widget@2.3.0\"}}}]},"
	" {\"category\":\"product_name\",\"name\":\"gateway\",\"branches\":["
	"  {\"category\":\"product_version_range\",\"name\":"
	"   \"vers:generic/<5.2\",\"product\":"
	"   {\"product_id\":\"GW\",\"name\":\"gateway < 5.2\","
	"    \"product_identification_helper\":{\"cpe\":"
	"    \"cpe:2.3:a:acme:gateway:*:*:*:*:*:*:*:*\"}}}]}]}]},"
	"\"vulnerabilities\":["
	" {\"cve\":\"CVE-2026-0001\",\"product_status\":{"
	"  \"known_affected\":[\"W10\",\"W2X\",\"GW\"],\"fixed\":[\"W23\"]},"
	"  \"scores\":[{\"products\":[\"W10\"],\"cvss_v3\":{\"version\":"
	"  \"3.1\",\"vectorString\":"
	"  \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\","
	"  \"baseScore\":9.8,\"baseSeverity\":\"CRITICAL\"}}],"
	"  \"threats\":[{\"category\":\"exploit_status\",\"details\":"
	"  \"Known exploited in the wild\",\"product_ids\":[\"W10\"]}],"
	"  \"remediations\":[{\"category\":\"vendor_fix\",\"details\":"
	"  \"update to 2.3.0\",\"product_ids\":[\"W2X\"]}]},"
	" {\"cve\":\"CVE-2026-0002\",\"product_status\":{"
	"  \"known_affected\":[\"WALL\"],\"known_not_affected\":[\"W10\"],"
	"  \"under_investigation\":[\"GW\"]}}]}";

static const char assets_json[] =
	"[{\"id\":\"a1\",\"software\":[{\"name\":\"widget\",\"purl\":"
	"\"pkg:npm/widget@1.0.0\"}]},"
	"{\"id\":\"a2\",\"software\":[{\"name\":\"widget\",\"purl\":"
	"\"pkg:npm/widget@2.1.0\"}]},"
	"{\"id\":\"a3\",\"software\":[{\"name\":\"widget\",\"purl\":"
	"\"pkg:npm/widget@2.3.0\"}]},"
	"{\"id\":\"a4\",\"software\":[{\"name\":\"widget\",\"purl\":"
	"\"pkg:npm/widget@3.0.0\"}]},"
	"{\"id\":\"a5\",\"software\":[{\"name\":\"gateway\",\"cpe\":"
	"\"cpe:2.3:a:acme:gateway:5.1:*:*:*:*:*:*:*\"}]},"
	"{\"id\":\"a6\",\"software\":[{\"name\":\"gateway\",\"cpe\":"
	"\"cpe:2.3:a:acme:gateway:5.2:*:*:*:*:*:*:*\"}]},"
	"{\"id\":\"a7\",\"software\":[{\"name\":\"widget\",\"purl\":"
	"\"pkg:npm/widget\"}]},"
	"{\"id\":\"a8\",\"software\":[{\"name\":\"other\",\"purl\":"
	"\"pkg:npm/otherwidget@1.0.0\"},{\"name\":\"bad\",\"purl\":"
	"\"pkg:%zz\"}]}]";

struct seen {
	char lines[32][128];
	int n;
};

static int collect(void *ud, const struct ky_exposure *e)
{
	struct seen *s = ud;

	if (s->n < 32)
		snprintf(s->lines[s->n++], sizeof(s->lines[0]),
			 "%s %s %s %s %.1f%s%s%s", e->asset->id, e->cve,
			 e->product,
			 e->state == KY_EXP_AFFECTED ? "affected"
						     : "investigating",
			 e->score, e->known_exploited ? " exploited" : "",
			 e->fix ? " fix:" : "", e->fix ? e->fix : "");
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_exposures(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp = {0};
	struct ky_exposure_index *ix = NULL;
	struct ky_csaf *doc = NULL;
	struct ky_err err = {0};
	struct seen s = {0};
	size_t bad = 0;

	(void)state;
	assert_non_null(a);
	assert_int_equal(ky_assets_import_json(a, assets_json,
					       strlen(assets_json), &imp, &err),
			 0);
	assert_int_equal(ky_assets_count(a), 8);
	assert_int_equal(
		ky_csaf_parse(doc_json, strlen(doc_json), "t.json", &doc, &err),
		0);
	assert_int_equal(ky_exposure_index_new(a, &ix, &bad, &err), 0);
	assert_int_equal(bad, 1); /* a8's unparsable purl */
	assert_int_equal(ky_exposures(ix, doc, collect, &s, &err), 0);
	qsort(s.lines, (size_t)s.n, sizeof(s.lines[0]), cmp);
	for (int i = 0; i < s.n; i++)
		printf("  %s\n", s.lines[i]);
	assert_int_equal(s.n, 8);
	/* exact version, score and exploitation carried */
	assert_string_equal(s.lines[0],
			    "a1 CVE-2026-0001 W10 affected 9.8 exploited");
	/* in the vers range, with its vendor fix; and affected by the
	 * unversioned product of the second vulnerability */
	assert_string_equal(
		s.lines[1],
		"a2 CVE-2026-0001 W2X affected -1.0 fix:update to 2.3.0");
	assert_string_equal(s.lines[2], "a2 CVE-2026-0002 WALL affected -1.0");
	/* a3 is fixed for the first (and out of its range), a4 out of every
	 * pinned version: both only under the unversioned product */
	assert_string_equal(s.lines[3], "a3 CVE-2026-0002 WALL affected -1.0");
	assert_string_equal(s.lines[4], "a4 CVE-2026-0002 WALL affected -1.0");
	/* CPE with a generic range; then only under investigation */
	assert_string_equal(s.lines[5], "a5 CVE-2026-0001 GW affected -1.0");
	assert_string_equal(s.lines[6],
			    "a5 CVE-2026-0002 GW investigating -1.0");
	/* an unknown version fits only the product that pins none */
	assert_string_equal(s.lines[7], "a7 CVE-2026-0002 WALL affected -1.0");
	/* absent: a1 for CVE-2026-0002 (known_not_affected beats the
	 * unversioned affected product), a6 (5.2 is outside < 5.2), a8 */
	ky_exposure_index_free(ix);
	ky_csaf_free(doc);
	ky_assets_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exposures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
