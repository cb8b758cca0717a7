/* CVE JSON 5 records translated to CSAF (intel/cve5.h): every translated
 * document passes ky_csaf's mandatory tests and, when the CSAF schema folder
 * is present, the schema; the product tree, statuses, scores, exploitation
 * and fixes carry over; exposures follow; malformed records are refused
 * naming the JSON path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "intel/assets.h"
#include "intel/csaf.h"
#include "intel/cve5.h"
#include "intel/exposure.h"
#include "intel/jschema.h"

static struct ky_jschema *schema; /* NULL when the folder is absent */

static int setup(void **state)
{
	const char *d = getenv("KYKLOS_SHARED_DATA");
	char dir[1024];
	struct stat st;
	struct ky_err err = {0};

	(void)state;
	snprintf(dir, sizeof(dir), "%s/csaf/csaf_2.0",
		 d ? d : "../shared/data");
	if (stat(dir, &st) != 0) {
		printf("SKIP schema checks: %s is missing\n", dir);
		return 0;
	}
	if (ky_jschema_new(&schema) != 0 ||
	    ky_jschema_load_csaf(schema, dir, false, &err) != 0) {
		printf("schema: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_jschema_free(schema);
	return 0;
}

/* A record around one affected entry and optional extras. */
static json_t *record(const char *affected, const char *metrics,
		      const char *adp)
{
	char text[8192];
	json_error_t je;
	json_t *j;

	snprintf(text, sizeof(text),
		 "{\"dataType\":\"CVE_RECORD\",\"dataVersion\":\"5.1\","
		 "\"cveMetadata\":{\"cveId\":\"CVE-2026-12345\",\"state\":"
		 "\"PUBLISHED\",\"assignerShortName\":\"example\","
		 "\"datePublished\":\"2026-03-01T10:00:00\",\"dateUpdated\":"
		 "\"2026-03-05T10:00:00.000Z\"},\"containers\":{\"cna\":{"
		 "\"title\":\"Prototype pollution in left-pad\","
		 "\"descriptions\":[{\"lang\":\"en\",\"value\":\"A flaw.\"}],"
		 "\"affected\":[%s]%s%s}%s%s}}",
		 affected, metrics ? ",\"metrics\":" : "",
		 metrics ? metrics : "", adp ? ",\"adp\":" : "",
		 adp ? adp : "");
	j = json_loads(text, 0, &je);
	if (j == NULL)
		fail_msg("test record: %s: %s", je.text, text);
	return j;
}

/* Translates and checks the result as the import path does. */
static struct ky_csaf *translate(json_t *rec, json_t **csaf)
{
	struct ky_csaf_findings f = {0};
	struct ky_err err = {0};
	struct ky_csaf *doc = NULL;
	char *text;

	if (ky_cve5_to_csaf(rec, csaf, &err) != 0)
		fail_msg("translate: %s", err.msg);
	if (schema != NULL &&
	    ky_jschema_validate(schema, KY_JSCHEMA_CSAF_ID, *csaf, &err) != 0)
		fail_msg("schema: %s", err.msg);
	text = json_dumps(*csaf, JSON_COMPACT);
	assert_non_null(text);
	if (ky_csaf_parse(text, strlen(text), "cve", &doc, &err) != 0)
		fail_msg("parse: %s", err.msg);
	if (ky_csaf_check(doc, &f, &err) != 0)
		fail_msg("mandatory tests: %s (%zu findings)", err.msg, f.n);
	ky_csaf_findings_free(&f);
	free(text);
	json_decref(rec);
	return doc;
}

static const json_t *pointer(const json_t *j, const char *p)
{
	char buf[256], *s, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", p);
	for (s = strtok_r(buf, "/", &save); s && j;
	     s = strtok_r(NULL, "/", &save))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(s))
				     : json_object_get(j, s);
	return j;
}

static const char *str(const json_t *j, const char *p)
{
	const json_t *v = pointer(j, p);

	if (!json_is_string(v))
		fail_msg("%s is not a string", p);
	return json_string_value(v);
}

#define NPM                                                                    \
	"{\"vendor\":\"acme\",\"product\":\"left-pad\",\"packageName\":"       \
	"\"left-pad\",\"collectionURL\":\"https://registry.npmjs.org\","       \
	"\"defaultStatus\":\"unaffected\",\"versions\":["                      \
	"{\"version\":\"1.0.0\",\"lessThan\":\"1.3.0\",\"status\":"            \
	"\"affected\",\"versionType\":\"semver\"},"                            \
	"{\"version\":\"1.3.0\",\"status\":\"unaffected\",\"versionType\":"    \
	"\"semver\"}]}"
#define CVSS                                                                   \
	"[{\"cvssV3_1\":{\"version\":\"3.1\",\"vectorString\":"                \
	"\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":9.8,"  \
	"\"baseSeverity\":\"CRITICAL\"}},{\"cvssV4_0\":{\"version\":\"4.0\","  \
	"\"vectorString\":\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/" \
	"SC:N/SI:N/SA:N\",\"baseScore\":9.3}}]"
#define KEV                                                                    \
	"[{\"providerMetadata\":{\"orgId\":\"x\",\"shortName\":\"CISA-ADP\"}," \
	"\"metrics\":[{\"other\":{\"type\":\"kev\",\"content\":{"              \
	"\"dateAdded\":\"2026-03-04\"}}}]}]"

static void test_npm_range(void **state)
{
	json_t *csaf;
	struct ky_csaf *doc;
	const json_t *v;

	(void)state;
	doc = translate(record(NPM, CVSS, KEV), &csaf);
	assert_string_equal(str(csaf, "document/tracking/id"),
			    "CVE-2026-12345");
	assert_string_equal(str(csaf, "document/tracking/initial_release_date"),
			    "2026-03-01T10:00:00.000Z");
	assert_string_equal(str(csaf, "document/tracking/current_release_date"),
			    "2026-03-05T10:00:00.000Z");
	assert_string_equal(str(csaf, "document/publisher/name"), "example");
	assert_string_equal(str(csaf, "product_tree/branches/0/name"), "acme");
	assert_string_equal(str(csaf, "product_tree/branches/0/branches/0/"
				      "branches/0/name"),
			    "vers:npm/>=1.0.0|<1.3.0");
	assert_string_equal(str(csaf, "product_tree/branches/0/branches/0/"
				      "branches/0/product/"
				      "product_identification_helper/purl"),
			    "pkg:npm/left-pad");
	assert_string_equal(str(csaf, "product_tree/branches/0/branches/0/"
				      "branches/1/category"),
			    "product_version");
	v = pointer(csaf, "vulnerabilities/0");
	assert_string_equal(str(v, "cve"), "CVE-2026-12345");
	assert_string_equal(str(v, "product_status/known_affected/0"),
			    "CVE-2026-12345-P1");
	assert_string_equal(str(v, "product_status/known_not_affected/0"),
			    "CVE-2026-12345-P2");
	/* one score, v3.1, recomputed; v4.0 has no place in CSAF 2.0 */
	assert_int_equal(json_array_size(json_object_get(v, "scores")), 1);
	assert_true(json_real_value(pointer(v, "scores/0/cvss_v3/baseScore")) ==
		    9.8);
	assert_string_equal(str(v, "scores/0/cvss_v3/baseSeverity"),
			    "CRITICAL");
	assert_string_equal(str(v, "threats/0/category"), "exploit_status");
	assert_string_equal(str(v, "remediations/0/category"), "vendor_fix");
	assert_non_null(strstr(str(v, "remediations/0/details"), "1.3.0"));
	assert_string_equal(str(v, "notes/0/text"), "A flaw.");
	assert_int_equal(doc->nvulns, 1);
	ky_csaf_free(doc);
	json_decref(csaf);
}

static int keep(void *ud, const struct ky_exposure *e)
{
	char *out = ud;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s:%s:%s:%.1f:%d;", e->asset->id,
		 e->sw->version, e->cve, e->score, e->known_exploited);
	return 0;
}

static void test_exposures(void **state)
{
	static const char inv[] =
		"[{\"id\":\"web1\",\"software\":[{\"name\":\"left-pad\","
		"\"version\":\"1.2.0\",\"purl\":\"pkg:npm/left-pad@1.2.0\"}]},"
		"{\"id\":\"web2\",\"software\":[{\"name\":\"left-pad\","
		"\"version\":\"1.3.0\",\"purl\":\"pkg:npm/left-pad@1.3.0\"}]},"
		"{\"id\":\"web3\",\"software\":[{\"name\":\"left-pad\","
		"\"version\":\"0.9.1\",\"purl\":\"pkg:npm/left-pad@0.9.1\"}]},"
		"{\"id\":\"web4\",\"software\":[{\"name\":\"right-pad\","
		"\"version\":\"1.2.0\",\"purl\":\"pkg:npm/"
		"right-pad@1.2.0\"}]}]";
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp = {0};
	struct ky_exposure_index *ix = NULL;
	struct ky_err err = {0};
	struct ky_csaf *doc;
	char out[512] = "";
	json_t *csaf;

	(void)state;
	assert_int_equal(ky_assets_import_json(a, inv, strlen(inv), &imp, &err),
			 0);
	doc = translate(record(NPM, CVSS, KEV), &csaf);
	assert_int_equal(ky_exposure_index_new(a, &ix, NULL, &err), 0);
	assert_int_equal(ky_exposures(ix, doc, keep, out, &err), 0);
	/* only the affected version, with its score and the KEV flag */
	assert_string_equal(out, "web1:1.2.0:CVE-2026-12345:9.8:1;");
	ky_exposure_index_free(ix);
	ky_csaf_free(doc);
	json_decref(csaf);
	ky_assets_free(a);
}

static void test_shapes(void **state)
{
	json_t *csaf;
	struct ky_csaf *doc;
	const json_t *v;

	(void)state;
	/* lessThanOrEqual from 0, a CPE, SSVC exploitation, maven */
	doc = translate(
		record("{\"vendor\":\"apache\",\"product\":\"struts\","
		       "\"packageName\":\"org.apache.struts:struts2-core\","
		       "\"collectionURL\":\"https://repo.maven.apache.org/"
		       "maven2\",\"cpes\":[\"not a cpe\",\"cpe:2.3:a:apache:"
		       "struts:*:*:*:*:*:*:*:*\"],\"versions\":[{\"version\":"
		       "\"0\",\"lessThanOrEqual\":\"6.3.0\",\"status\":"
		       "\"affected\",\"versionType\":\"maven\"},{\"version\":"
		       "\"abc123\",\"lessThan\":\"*\",\"status\":\"affected\","
		       "\"versionType\":\"git\"}]}",
		       NULL,
		       "[{\"metrics\":[{\"other\":{\"type\":\"ssvc\","
		       "\"content\":{\"options\":[{\"Exploitation\":"
		       "\"active\"},{\"Automatable\":\"yes\"}]}}}]}]"),
		&csaf);
	v = pointer(csaf, "product_tree/branches/0/branches/0/branches/0");
	assert_string_equal(str(v, "name"), "vers:maven/<=6.3.0");
	assert_string_equal(
		str(v, "product/product_identification_helper/purl"),
		"pkg:maven/org.apache.struts/struts2-core");
	assert_string_equal(str(v, "product/product_identification_helper/cpe"),
			    "cpe:2.3:a:apache:struts:*:*:*:*:*:*:*:*");
	/* the git range is left out: one product */
	assert_int_equal(doc->nproducts, 1);
	assert_non_null(strstr(str(csaf, "vulnerabilities/0/threats/0/details"),
			       "SSVC"));
	assert_null(pointer(csaf, "vulnerabilities/0/scores"));
	ky_csaf_free(doc);
	json_decref(csaf);

	/* no versions: the default status for every version; scoped npm */
	doc = translate(
		record("{\"vendor\":\"n/a\",\"product\":\"@acme/widget\","
		       "\"packageName\":\"@acme/widget\",\"collectionURL\":"
		       "\"https://registry.npmjs.org\",\"defaultStatus\":"
		       "\"unknown\"}",
		       NULL, NULL),
		&csaf);
	assert_string_equal(str(csaf, "product_tree/branches/0/name"),
			    "unknown vendor");
	v = pointer(csaf, "product_tree/branches/0/branches/0/branches/0");
	assert_string_equal(str(v, "name"), "vers:all/*");
	assert_string_equal(
		str(v, "product/product_identification_helper/purl"),
		"pkg:npm/%40acme/widget");
	assert_string_equal(str(csaf, "vulnerabilities/0/product_status/"
				      "under_investigation/0"),
			    "CVE-2026-12345-P1");
	ky_csaf_free(doc);
	json_decref(csaf);
}

static void refused(json_t *rec, int want, const char *msg)
{
	struct ky_err err = {0};
	json_t *out = NULL;

	assert_int_equal(ky_cve5_to_csaf(rec, &out, &err), want);
	assert_null(out);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("got '%s', want '%s'", err.msg, msg);
	json_decref(rec);
}

static void test_refused(void **state)
{
	json_t *r;

	(void)state;
	r = record(NPM, NULL, NULL);
	json_object_set_new(json_object_get(r, "cveMetadata"), "state",
			    json_string("REJECTED"));
	refused(r, KY_E_INVAL, "REJECTED");
	r = record(NPM, NULL, NULL);
	json_object_del(json_object_get(r, "cveMetadata"), "cveId");
	refused(r, KY_E_PARSE, "$.cveMetadata.cveId");
	r = record(NPM, NULL, NULL);
	json_object_set_new(json_object_get(r, "cveMetadata"), "cveId",
			    json_integer(5));
	refused(r, KY_E_PARSE, "$.cveMetadata.cveId: expected a string");
	refused(record("{\"vendor\":\"a\",\"product\":\"b\",\"versions\":7}",
		       NULL, NULL),
		KY_E_PARSE, "$.containers.cna.affected[0].versions: expected");
	refused(record("{\"vendor\":\"a\",\"product\":\"b\",\"versions\":[{"
		       "\"version\":\"1\",\"status\":\"broken\"}]}",
		       NULL, NULL),
		KY_E_PARSE, "$.containers.cna.affected[0].versions[0]: status");
	refused(record("{\"vendor\":\"a\",\"product\":\"b\",\"versions\":[{"
		       "\"version\":\"1\",\"lessThan\":[],\"status\":"
		       "\"affected\"}]}",
		       NULL, NULL),
		KY_E_PARSE, "versions[0].lessThan: expected a string");
	refused(record("{\"vendor\":\"a\"}", NULL, NULL), KY_E_PARSE,
		"neither product nor packageName");
	refused(record("{\"vendor\":\"a\",\"product\":\"b\",\"versions\":[{"
		       "\"version\":\"abc\",\"lessThan\":\"*\",\"status\":"
		       "\"affected\",\"versionType\":\"git\"}]}",
		       NULL, NULL),
		KY_E_INVAL, "no affected product");
	r = json_pack("{s:s, s:s}", "dataType", "CSAF", "dataVersion", "5.0");
	refused(r, KY_E_PARSE, "not a CVE JSON 5 record");
	assert_false(ky_cve5_is_record(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_npm_range),
		cmocka_unit_test(test_exposures),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
