/* CSAF model and mandatory tests on synthetic documents: product lookup
 * through branches and relationships, status lists, remediations, known
 * exploited threats, exact failure messages with JSON pointers, and
 * malformed input (truncated, invalid UTF-8, bad escapes, wrong types,
 * deep nesting, huge fields, too many findings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intel/csaf.h"

#define DOC_HEAD                                                               \
	"{\"document\":{\"category\":\"%s\",\"csaf_version\":\"2.0\","         \
	"\"title\":\"t\",\"lang\":\"en\",\"publisher\":{\"category\":"         \
	"\"vendor\",\"name\":\"V\",\"namespace\":\"https://v.example\"},"      \
	"\"tracking\":{\"id\":\"T-1\",\"version\":\"1\",\"status\":"           \
	"\"final\",\"initial_release_date\":\"2024-01-01T00:00:00Z\","         \
	"\"current_release_date\":\"2024-01-01T00:00:00Z\","                   \
	"\"revision_history\":[{\"number\":\"1\",\"date\":"                    \
	"\"2024-01-01T00:00:00Z\",\"summary\":\"s\"}]}}"

/* A document of the category with the given product tree and
 * vulnerabilities (either may be NULL); caller frees. */
static char *make(const char *cat, const char *pt, const char *vulns)
{
	size_t n = strlen(DOC_HEAD) + 64 + (pt ? strlen(pt) : 0) +
		   (vulns ? strlen(vulns) : 0) + strlen(cat);
	char *s = malloc(n);
	assert_non_null(s);
	int k = snprintf(s, n, DOC_HEAD, cat);
	if (pt)
		k += snprintf(s + k, n - (size_t)k, ",\"product_tree\":%s", pt);
	if (vulns)
		k += snprintf(s + k, n - (size_t)k, ",\"vulnerabilities\":%s",
			      vulns);
	snprintf(s + k, n - (size_t)k, "}");
	return s;
}

static struct ky_csaf *parse_ok(const char *json)
{
	struct ky_csaf *doc = NULL;
	struct ky_err err = {0};
	int r = ky_csaf_parse(json, strlen(json), "t.json", &doc, &err);
	if (r != 0)
		fail_msg("parse failed: %s", err.msg);
	return doc;
}

static const char *TREE =
	"{\"branches\":[{\"category\":\"vendor\",\"name\":\"Acme\","
	"\"branches\":[{\"category\":\"product_name\",\"name\":\"Router\","
	"\"branches\":[{\"category\":\"product_version\",\"name\":\"4.2\","
	"\"product\":{\"product_id\":\"R42\",\"name\":\"Acme Router 4.2\","
	"\"product_identification_helper\":{\"cpe\":"
	"\"cpe:2.3:h:acme:router:4.2:*:*:*:*:*:*:*\",\"purl\":"
	"\"pkg:generic/acme/router@4.2\"}}},"
	"{\"category\":\"product_version\",\"name\":\"4.3\","
	"\"product\":{\"product_id\":\"R43\",\"name\":\"Acme Router "
	"4.3\"}}]}]}],"
	"\"full_product_names\":[{\"product_id\":\"LIB\",\"name\":\"libfoo "
	"1.0\"}],"
	"\"relationships\":[{\"category\":\"installed_on\",\"product_"
	"reference\":"
	"\"LIB\",\"relates_to_product_reference\":\"R42\",\"full_product_"
	"name\":"
	"{\"product_id\":\"LIB-ON-R42\",\"name\":\"libfoo on router 4.2\"}}],"
	"\"product_groups\":[{\"group_id\":\"G-ROUTERS\",\"product_ids\":"
	"[\"R42\",\"R43\"]}]}";

static const char *VULNS =
	"[{\"cve\":\"CVE-2024-0001\",\"notes\":[{\"category\":\"description\","
	"\"text\":\"x\",\"title\":\"About\"}],\"product_status\":{"
	"\"known_affected\":[\"R42\",\"LIB-ON-R42\"],\"fixed\":[\"R43\"],"
	"\"known_not_affected\":[\"LIB\"]},"
	"\"remediations\":[{\"category\":\"vendor_fix\",\"details\":\"update\","
	"\"url\":\"https://v.example/fix\",\"product_ids\":[\"R42\"]},"
	"{\"category\":\"mitigation\",\"details\":\"filter\",\"group_ids\":"
	"[\"G-ROUTERS\"]},{\"category\":\"none_available\",\"details\":\"no\","
	"\"product_ids\":[\"LIB-ON-R42\"]}],"
	"\"scores\":[{\"products\":[\"R42\"],\"cvss_v3\":{\"version\":\"3.1\","
	"\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\","
	"\"baseScore\":9.8,\"baseSeverity\":\"CRITICAL\"}}],"
	"\"threats\":[{\"category\":\"exploit_status\",\"details\":\"Listed in "
	"the CISA Known Exploited Vulnerabilities catalog\",\"group_ids\":"
	"[\"G-ROUTERS\"]},{\"category\":\"impact\",\"details\":\"n/a\","
	"\"product_ids\":[\"LIB\"]}],"
	"\"flags\":[{\"label\":\"vulnerable_code_not_in_execute_path\","
	"\"product_ids\":[\"LIB\"]}]}]";

static void test_model_lookup(void **state)
{
	(void)state;
	char *s = make("csaf_vex", TREE, VULNS);
	struct ky_csaf *doc = parse_ok(s);
	struct ky_err err = {0};
	struct ky_csaf_findings f = {0};

	assert_int_equal(ky_csaf_check(doc, &f, &err), 0);
	assert_int_equal(f.n, 0);
	assert_string_equal(doc->category, "csaf_vex");
	assert_string_equal(doc->tracking_status, "final");
	assert_int_equal(doc->nrevisions, 1);
	assert_int_equal(doc->nproducts, 4);

	/* Through the branches: the path is kept. */
	const struct ky_csaf_product *p = ky_csaf_product(doc, "R42");
	assert_non_null(p);
	assert_int_equal(p->origin, KY_CSAF_FROM_BRANCH);
	assert_string_equal(p->name, "Acme Router 4.2");
	assert_int_equal(p->npath, 3);
	assert_string_equal(p->path[0].category, "vendor");
	assert_string_equal(p->path[0].name, "Acme");
	assert_string_equal(p->path[2].name, "4.2");
	assert_string_equal(p->cpe, "cpe:2.3:h:acme:router:4.2:*:*:*:*:*:*:*");
	assert_string_equal(p->purl, "pkg:generic/acme/router@4.2");
	assert_string_equal(p->where,
			    "/product_tree/branches/0/branches/0/branches/0/"
			    "product");
	assert_null(ky_csaf_product(doc, "R44"));

	/* Through a relationship, back to the component. */
	p = ky_csaf_product(doc, "LIB-ON-R42");
	assert_non_null(p);
	assert_int_equal(p->origin, KY_CSAF_FROM_RELATIONSHIP);
	assert_string_equal(p->rel_category, "installed_on");
	assert_string_equal(p->rel_relates_to, "R42");
	const struct ky_csaf_product *base = ky_csaf_product_base(doc, p);
	assert_non_null(base);
	assert_string_equal(base->id, "LIB");
	assert_null(p->cpe);

	const struct ky_csaf_group *g = ky_csaf_group(doc, "G-ROUTERS");
	assert_non_null(g);
	assert_int_equal(g->products.n, 2);

	/* Status lists. */
	const struct ky_csaf_vuln *v = &doc->vulns[0];
	assert_string_equal(v->cve, "CVE-2024-0001");
	assert_int_equal(v->status[KY_CSAF_KNOWN_AFFECTED].n, 2);
	assert_int_equal(ky_csaf_status_of(v, "R42"),
			 1u << KY_CSAF_KNOWN_AFFECTED);
	assert_int_equal(ky_csaf_status_of(v, "R43"), 1u << KY_CSAF_FIXED);
	assert_int_equal(ky_csaf_status_of(v, "LIB"),
			 1u << KY_CSAF_KNOWN_NOT_AFFECTED);
	assert_int_equal(ky_csaf_status_of(v, "nope"), 0);
	assert_string_equal(ky_csaf_status_name(KY_CSAF_UNDER_INVESTIGATION),
			    "under_investigation");
	assert_null(ky_csaf_status_name(KY_CSAF_STATUS_COUNT));

	/* Remediations: direct and through the group. */
	assert_int_equal(v->nremediations, 3);
	assert_string_equal(v->remediations[0].category, "vendor_fix");
	assert_string_equal(v->remediations[0].url, "https://v.example/fix");
	assert_true(ky_csaf_refers_to(doc, &v->remediations[0].products,
				      &v->remediations[0].groups, "R42"));
	assert_false(ky_csaf_refers_to(doc, &v->remediations[0].products,
				       &v->remediations[0].groups, "R43"));
	assert_true(ky_csaf_refers_to(doc, &v->remediations[1].products,
				      &v->remediations[1].groups, "R43"));

	/* Scores and threats. */
	assert_int_equal(v->nscores, 1);
	assert_true(v->scores[0].has_v3);
	assert_false(v->scores[0].has_v2);
	assert_true(v->scores[0].v3_base == 9.8);
	assert_string_equal(v->scores[0].v3_severity, "CRITICAL");
	assert_true(ky_csaf_known_exploited(doc, v, "R42"));
	assert_true(ky_csaf_known_exploited(doc, v, "R43"));
	assert_false(ky_csaf_known_exploited(doc, v, "LIB"));
	assert_int_equal(v->nflags, 1);
	assert_string_equal(v->flags[0].label,
			    "vulnerable_code_not_in_execute_path");
	assert_string_equal(v->notes[0].title, "About");

	ky_csaf_findings_free(&f);
	ky_csaf_free(doc);
	free(s);
}

/* Runs the checks and expects the first failure message exactly. */
static void expect_fail(const char *json, const char *first)
{
	struct ky_csaf *doc = parse_ok(json);
	struct ky_err err = {0};
	struct ky_csaf_findings f = {0};
	assert_int_equal(ky_csaf_check(doc, &f, &err), KY_E_PARSE);
	assert_true(f.n >= 1);
	assert_string_equal(err.msg, first);
	ky_csaf_findings_free(&f);
	ky_csaf_free(doc);
}

static void test_failure_messages(void **state)
{
	(void)state;
	char *s =
		make("csaf_security_advisory",
		     "{\"full_product_names\":[{\"product_id\":\"A\","
		     "\"name\":\"a\"}]}",
		     "[{\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
		     "\"product_status\":{\"fixed\":[\"A\",\"A\","
		     "\"CSAFPID-9080700\"]}}]");
	expect_fail(s, "6.1.1 /vulnerabilities/0/product_status/fixed/2: "
		       "product id CSAFPID-9080700 is not defined");
	free(s);

	/* 6.1.6: affected and fixed at once. */
	s = make("csaf_security_advisory",
		 "{\"full_product_names\":[{\"product_id\":\"A\",\"name\":"
		 "\"a\"}]}",
		 "[{\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
		 "\"product_status\":{\"fixed\":[\"A\"],\"known_affected\":"
		 "[\"A\"]}}]");
	expect_fail(s, "6.1.6 /vulnerabilities/0/product_status/known_affected/"
		       "0: product id A is both fixed and affected");
	free(s);

	/* 6.1.9: the vector gives 9.8, the document says 9.7. */
	s = make("csaf_security_advisory",
		 "{\"full_product_names\":[{\"product_id\":\"A\",\"name\":"
		 "\"a\"}]}",
		 "[{\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
		 "\"product_status\":{\"known_affected\":[\"A\"]},\"scores\":"
		 "[{\"products\":[\"A\"],\"cvss_v3\":{\"version\":\"3.1\","
		 "\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
		 "A:H\",\"baseScore\":9.7,\"baseSeverity\":\"CRITICAL\"}}]}]");
	expect_fail(s, "6.1.9 /vulnerabilities/0/scores/0/cvss_v3/baseScore: "
		       "baseScore is 9.7 but the vector gives 9.8");
	free(s);

	/* 6.1.3: a relationship that builds on itself. */
	s = make("csaf_base",
		 "{\"full_product_names\":[{\"product_id\":\"A\",\"name\":"
		 "\"a\"}],\"relationships\":[{\"category\":\"installed_on\","
		 "\"product_reference\":\"A\",\"relates_to_product_reference\":"
		 "\"B\",\"full_product_name\":{\"product_id\":\"B\",\"name\":"
		 "\"b\"}}]}",
		 NULL);
	expect_fail(s, "6.1.3 /product_tree/relationships/0/full_product_name/"
		       "product_id: product id B is defined in a circle");
	free(s);

	/* 6.1.27.10: a VEX known_affected product without an action. */
	s = make(
		"csaf_vex",
		"{\"full_product_names\":[{\"product_id\":\"A\",\"name\":"
		"\"a\"}]}",
		"[{\"cve\":\"CVE-2024-1\",\"notes\":[{\"category\":\"summary\","
		"\"text\":\"x\"}],\"product_status\":{\"known_affected\":"
		"[\"A\"]}}]");
	expect_fail(s, "6.1.27.10 /vulnerabilities/0/product_status/"
		       "known_affected/0: no action statement for A");
	free(s);

	/* 6.1.26 and the reserved prefix. */
	s = make("Security      Advisory", NULL, NULL);
	expect_fail(s, "6.1.26 /document/category: Security      Advisory is "
		       "the name of the profile csaf_security_advisory");
	free(s);
}

static void expect_parse_error(const char *json, size_t len, int status,
			       const char *needle)
{
	struct ky_csaf *doc = (struct ky_csaf *)1;
	struct ky_err err = {0};
	assert_int_equal(ky_csaf_parse(json, len, "bad.json", &doc, &err),
			 status);
	assert_null(doc);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_malformed(void **state)
{
	(void)state;
	char *s = make("csaf_vex", TREE, VULNS);
	size_t n = strlen(s);

	/* Truncated at every tenth byte: never accepted, never a crash. */
	for (size_t cut = 0; cut < n; cut += 10) {
		struct ky_csaf *doc = NULL;
		struct ky_err err = {0};
		assert_int_not_equal(ky_csaf_parse(s, cut, "cut", &doc, &err),
				     0);
		assert_null(doc);
	}
	free(s);

	expect_parse_error("", 0, KY_E_PARSE, "bad.json");
	expect_parse_error("[]", 2, KY_E_PARSE, "must be a JSON object");
	expect_parse_error("{\"a\":\"\xff\"}", 9, KY_E_PARSE, "bad.json");
	expect_parse_error("{\"a\":\"\\q\"}", 10, KY_E_PARSE, "bad.json");
	expect_parse_error("{\"a\":1,\"a\":2}", 13, KY_E_PARSE, "duplicate");
	expect_parse_error("{}", 2, KY_E_PARSE,
			   "/document: required member is missing");

	/* Wrong types and missing members name the JSON pointer. */
	s = make("csaf_vex",
		 "{\"full_product_names\":[{\"product_id\":7,"
		 "\"name\":\"a\"}]}",
		 NULL);
	expect_parse_error(s, strlen(s), KY_E_PARSE,
			   "/product_tree/full_product_names/0/product_id: "
			   "must be a string");
	free(s);
	s = make("csaf_vex", NULL,
		 "[{\"product_status\":{\"fixed\":[\"A\",3]}}]");
	expect_parse_error(s, strlen(s), KY_E_PARSE,
			   "/vulnerabilities/0/product_status/fixed/1: must be "
			   "a string");
	free(s);
	const char *v21 = "{\"document\":{\"category\":\"csaf_base\","
			  "\"csaf_version\":\"2.1\",\"title\":\"t\"}}";
	expect_parse_error(v21, strlen(v21), KY_E_PARSE,
			   "/document/csaf_version: must be \"2.0\"");

	/* Branches nested past the limit. */
	size_t depth = KY_CSAF_MAX_BRANCH_DEPTH + 5, cap = depth * 80 + 256;
	char *tree = malloc(cap);
	assert_non_null(tree);
	size_t k = (size_t)snprintf(tree, cap, "{\"branches\":");
	for (size_t i = 0; i < depth; i++)
		k += (size_t)snprintf(
			tree + k, cap - k,
			"[{\"category\":\"vendor\",\"name\":\"v\","
			"\"branches\":");
	k += (size_t)snprintf(tree + k, cap - k, "[]");
	for (size_t i = 0; i < depth; i++)
		k += (size_t)snprintf(tree + k, cap - k, "}]");
	snprintf(tree + k, cap - k, "}");
	s = make("csaf_base", tree, NULL);
	expect_parse_error(s, strlen(s), KY_E_TOOBIG, "branches nested deeper");
	free(s);
	free(tree);

	/* Deep raw JSON nesting is refused by the JSON reader. */
	size_t deep = 100000;
	char *d = malloc(deep * 2 + 1);
	assert_non_null(d);
	memset(d, '[', deep);
	memset(d + deep, ']', deep);
	expect_parse_error(d, deep * 2, KY_E_PARSE, "bad.json");
	free(d);

	/* A huge title is kept whole (8 MiB); past the byte cap, refused. */
	size_t big = 8u << 20;
	char *title = malloc(big + 1);
	assert_non_null(title);
	memset(title, 'x', big);
	title[big] = '\0';
	char *doc_json = malloc(big + 1024);
	assert_non_null(doc_json);
	snprintf(doc_json, big + 1024,
		 "{\"document\":{\"category\":\"csaf_base\",\"csaf_version\":"
		 "\"2.0\",\"title\":\"%s\",\"publisher\":{\"category\":"
		 "\"other\","
		 "\"name\":\"n\",\"namespace\":\"https://n.example\"},"
		 "\"tracking\":{\"id\":\"i\",\"version\":\"1\",\"status\":"
		 "\"final\",\"initial_release_date\":\"2024-01-01T00:00:00Z\","
		 "\"current_release_date\":\"2024-01-01T00:00:00Z\","
		 "\"revision_history\":[{\"number\":\"1\",\"date\":"
		 "\"2024-01-01T00:00:00Z\",\"summary\":\"s\"}]}}}",
		 title);
	struct ky_csaf *doc = parse_ok(doc_json);
	assert_int_equal(strlen(doc->title), big);
	ky_csaf_free(doc);
	expect_parse_error(doc_json, (size_t)KY_CSAF_MAX_BYTES + 1, KY_E_TOOBIG,
			   "more than");
	free(doc_json);
	free(title);
}

static void test_findings_cap(void **state)
{
	(void)state;
	/* 2000 undefined references: 1000 kept, the rest counted. */
	size_t cap = 2000 * 16 + 256;
	char *v = malloc(cap);
	assert_non_null(v);
	size_t k =
		(size_t)snprintf(v, cap, "[{\"product_status\":{\"fixed\":[");
	for (int i = 0; i < 2000; i++)
		k += (size_t)snprintf(v + k, cap - k, "%s\"P%d\"", i ? "," : "",
				      i);
	snprintf(v + k, cap - k, "]}}]");
	char *s = make("csaf_base", NULL, v);
	struct ky_csaf *doc = parse_ok(s);
	struct ky_csaf_findings f = {0};
	struct ky_err err = {0};
	assert_int_equal(ky_csaf_check(doc, &f, &err), KY_E_PARSE);
	assert_int_equal(f.n, KY_CSAF_MAX_FINDINGS);
	assert_int_equal(f.dropped, 2000 - KY_CSAF_MAX_FINDINGS);
	assert_string_equal(f.v[5].test, "6.1.1");
	assert_string_equal(f.v[5].path,
			    "/vulnerabilities/0/product_status/fixed/5");
	/* Without a list, only the verdict and the first message. */
	assert_int_equal(ky_csaf_check(doc, NULL, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "fixed/0: product id P0"));
	ky_csaf_findings_free(&f);
	ky_csaf_findings_free(NULL);
	ky_csaf_free(doc);
	ky_csaf_free(NULL);
	free(s);
	free(v);
}

static void test_history_rules(void **state)
{
	(void)state;
	/* Semantic versions sorted by date, draft with pre-release. */
	const char *ok =
		"{\"document\":{\"category\":\"csaf_base\",\"csaf_version\":"
		"\"2.0\",\"title\":\"t\",\"publisher\":{\"category\":\"other\","
		"\"name\":\"n\",\"namespace\":\"https://n.example\"},"
		"\"tracking\":{\"id\":\"i\",\"version\":\"2.0.0-rc.1+b7\","
		"\"status\":\"draft\",\"initial_release_date\":"
		"\"2024-01-01T00:00:00Z\",\"current_release_date\":"
		"\"2024-03-01T00:00:00Z\",\"revision_history\":["
		"{\"number\":\"2.0.0\",\"date\":\"2024-03-01T00:00:00+01:00\","
		"\"summary\":\"s\"},{\"number\":\"1.0.0\",\"date\":"
		"\"2024-01-01T00:00:00Z\",\"summary\":\"s\"},{\"number\":"
		"\"1.1.0\",\"date\":\"2024-02-01T00:00:00Z\",\"summary\":\"s\"}"
		"]}}}";
	struct ky_csaf *doc = parse_ok(ok);
	struct ky_err err = {0};
	int r = ky_csaf_check(doc, NULL, &err);
	if (r != 0)
		fail_msg("%s", err.msg);
	ky_csaf_free(doc);

	/* The same history under status final: 6.1.17 and 6.1.20 fail. */
	char *fin = strdup(ok);
	assert_non_null(fin);
	char *st = strstr(fin, "\"draft\"");
	memcpy(st, "\"final\"", 7);
	doc = parse_ok(fin);
	struct ky_csaf_findings f = {0};
	assert_int_equal(ky_csaf_check(doc, &f, &err), KY_E_PARSE);
	bool s17 = false, s20 = false;
	for (size_t i = 0; i < f.n; i++) {
		s17 |= strcmp(f.v[i].test, "6.1.17") == 0;
		s20 |= strcmp(f.v[i].test, "6.1.20") == 0;
	}
	assert_true(s17 && s20);
	ky_csaf_findings_free(&f);
	ky_csaf_free(doc);
	free(fin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_lookup),
		cmocka_unit_test(test_failure_messages),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_findings_cap),
		cmocka_unit_test(test_history_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
