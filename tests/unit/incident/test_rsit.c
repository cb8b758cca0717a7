/* Unit tests of incident classification: RSIT class and type from ATT&CK
 * tags and rule tags, the precedence of analyst over rule over ATT&CK, and
 * every class, type and marking the code can output checked against the
 * shared taxonomy files (skipped, visibly, when they are absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "base/time.h"
#include "intel/incident.h"

#define T0 ((int64_t)1767225600 * KY_NS_PER_SEC)

struct tcase {
	const char *tags[4];
	const char *cls, *type;
	enum ky_rsit_source src;
	const char *tag;
};

static void test_from_tags(void **state)
{
	static const struct tcase cases[] = {
		{{"attack.credential-access", "attack.t1110"},
		 "intrusion-attempts",
		 "brute-force",
		 KY_RSIT_SRC_TECHNIQUE,
		 "attack.t1110"},
		{{"attack.t1110.003"},
		 "intrusion-attempts",
		 "brute-force",
		 KY_RSIT_SRC_TECHNIQUE,
		 "attack.t1110"},
		{{"attack.credential-access"},
		 "intrusions",
		 "system-compromise",
		 KY_RSIT_SRC_TACTIC,
		 "attack.credential-access"},
		{{"attack.execution", "attack.impact", "attack.discovery"},
		 "availability",
		 "sabotage",
		 KY_RSIT_SRC_TACTIC,
		 "attack.impact"},
		{{"ATTACK.T1486"},
		 "availability",
		 "sabotage",
		 KY_RSIT_SRC_TECHNIQUE,
		 "attack.t1486"},
		/* a technique beats a more severe tactic of the same rule */
		{{"attack.exfiltration", "attack.t1046"},
		 "information-gathering",
		 "scanner",
		 KY_RSIT_SRC_TECHNIQUE,
		 "attack.t1046"},
		{{"attack.t1003.001", "attack.t1059.001"},
		 "intrusions",
		 "privileged-account-compromise",
		 KY_RSIT_SRC_TECHNIQUE,
		 "attack.t1003"},
		{{"attack.t1110", "rsit.intrusions.system-compromise"},
		 "intrusions",
		 "system-compromise",
		 KY_RSIT_SRC_RULE,
		 NULL},
		{{"rsit:malicious-code=\"c2-server\""},
		 "malicious-code",
		 "c2-server",
		 KY_RSIT_SRC_RULE,
		 NULL},
		{{"rsit.bogus.thing", "rsit.intrusions", "rsit:fraud=phishing"},
		 "other",
		 "undetermined",
		 KY_RSIT_SRC_DEFAULT,
		 NULL},
		{{"cve.2021-44228", "attack.g0016", "attack.s0002",
		  "attack.t9999"},
		 "other",
		 "undetermined",
		 KY_RSIT_SRC_DEFAULT,
		 NULL},
		{{"attack.stealth"},
		 "intrusions",
		 "system-compromise",
		 KY_RSIT_SRC_TACTIC,
		 "attack.stealth"},
		{{"attack.reconnaissance"},
		 "information-gathering",
		 "scanner",
		 KY_RSIT_SRC_TACTIC,
		 "attack.reconnaissance"},
		{{NULL}, "other", "undetermined", KY_RSIT_SRC_DEFAULT, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct ky_rsit_class r;
		size_t n = 0;

		while (n < 4 && c->tags[n])
			n++;
		ky_rsit_from_tags(c->tags, n, &r);
		if (strcmp(r.cls, c->cls) || strcmp(r.type, c->type) ||
		    r.source != c->src || (c->tag == NULL) != (r.tag == NULL) ||
		    (c->tag && strcmp(c->tag, r.tag)))
			fail_msg("case %zu: got %s/%s from %s (%s)", i, r.cls,
				 r.type, ky_rsit_source_name(r.source),
				 r.tag ? r.tag : "-");
	}
}

static void test_better(void **state)
{
	const char *t1[] = {"attack.exfiltration"}, *t2[] = {"rsit.test.test"},
		   *t3[] = {"attack.t1110"};
	struct ky_rsit_class a, b, c, d;

	(void)state;
	ky_rsit_from_tags(t1, 1, &a); /* data-leak, weight 85 */
	ky_rsit_from_tags(t2, 1, &b); /* rule, weight 0 */
	ky_rsit_from_tags(t3, 1, &c);
	ky_rsit_from_tags(NULL, 0, &d);
	assert_true(ky_rsit_better(&b, &a));
	assert_false(ky_rsit_better(&a, &b));
	assert_true(ky_rsit_better(&a, &c));
	assert_false(ky_rsit_better(&c, &a));
	assert_true(ky_rsit_better(&c, &d));
	assert_false(ky_rsit_better(&d, &c));
	assert_false(ky_rsit_better(&a, &a));
}

static int64_t add(struct ky_incidents *e, int64_t id, const char *rule,
		   const char *const *tags, size_t n)
{
	struct ky_incident_alert a = {0};
	struct ky_incident_result res;
	struct ky_err err = {0};

	a.id = id;
	a.time_ns = T0 + id;
	a.rule_id = rule;
	a.host = "h";
	a.level = 2;
	a.tags = tags;
	a.ntags = n;
	if (ky_incidents_add(e, &a, &res, &err) != 0)
		fail_msg("%s", err.msg);
	return res.id;
}

static void want(const struct ky_incident *inc, const char *cls,
		 const char *type, enum ky_rsit_source src)
{
	const struct ky_rsit_class *c = ky_incident_rsit(inc);

	if (strcmp(c->cls, cls) || strcmp(c->type, type) || c->source != src)
		fail_msg("got %s/%s (%s), want %s/%s (%s)", c->cls, c->type,
			 ky_rsit_source_name(c->source), cls, type,
			 ky_rsit_source_name(src));
}

static void test_incident_precedence(void **state)
{
	const char *brute[] = {"attack.credential-access", "attack.t1110"};
	const char *exfil[] = {"attack.exfiltration"};
	const char *phish[] = {"attack.t1566", "rsit.fraud.phishing"};
	const char *sab[] = {"rsit.availability.sabotage"};
	struct ky_incident_config cfg;
	struct ky_incidents *e = NULL;
	struct ky_incident *inc;
	struct ky_err err = {0};
	json_t *j;

	(void)state;
	ky_incident_config_default(&cfg);
	cfg.keys = KY_INCIDENT_KEY_HOST;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), 0);
	inc = ky_incidents_get(e, add(e, 1, "ssh", brute, 2));
	want(inc, "intrusion-attempts", "brute-force", KY_RSIT_SRC_TECHNIQUE);
	add(e, 2, "exfil", exfil, 1);
	want(inc, "information-content-security", "data-leak",
	     KY_RSIT_SRC_TACTIC);
	add(e, 3, "mail", phish, 2); /* rule configuration beats ATT&CK */
	want(inc, "fraud", "phishing", KY_RSIT_SRC_RULE);
	assert_int_equal(ky_incident_classify(inc, "intrusions", "spam", "ana",
					      T0, NULL, &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "not an RSIT class/type"));
	assert_int_equal(ky_incident_classify(inc, "intrusions", "burglary",
					      "ana", T0, "stolen laptop", &err),
			 0);
	want(inc, "intrusions", "burglary", KY_RSIT_SRC_ANALYST);
	add(e, 4, "sab", sab, 1); /* the analyst's choice stays */
	want(inc, "intrusions", "burglary", KY_RSIT_SRC_ANALYST);
	assert_int_equal(ky_incident_classify(inc, NULL, NULL, "ana", T0 + 1,
					      "back to the rules", &err),
			 0);
	want(inc, "availability", "sabotage", KY_RSIT_SRC_RULE);
	j = ky_incident_to_json(inc);
	assert_int_equal(json_array_size(json_object_get(j, "history")), 2);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(j, "history"), 0),
			"to")),
		"intrusions/burglary");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(j, "history"), 1),
			"from")),
		"intrusions/burglary");
	json_decref(j);
	ky_incidents_free(e);
}

static void test_markings(void **state)
{
	(void)state;
	assert_int_equal(ky_tlp_parse("TLP:AMBER+STRICT"), KY_TLP_AMBER_STRICT);
	assert_int_equal(ky_tlp_parse("white"), KY_TLP_CLEAR);
	assert_int_equal(ky_tlp_parse("amber+"), -1);
	assert_int_equal(ky_pap_parse("PAP:RED"), KY_PAP_RED);
	assert_int_equal(ky_pap_parse("amber+strict"), -1);
	assert_string_equal(ky_tlp_name(KY_TLP_AMBER_STRICT), "amber+strict");
	assert_string_equal(ky_pap_name(KY_PAP_GREEN), "green");
}

/* The machinetag file under taxonomies/, or NULL after a visible skip. */
static json_t *taxonomy(const char *name)
{
	const char *dir = getenv("KYKLOS_SHARED_DATA");
	char path[1024];
	json_t *j;

	snprintf(path, sizeof(path), "%s/taxonomies/%s/machinetag.json",
		 dir ? dir : "(KYKLOS_SHARED_DATA unset)", name);
	j = dir ? json_load_file(path, 0, NULL) : NULL;
	if (j == NULL)
		printf("SKIP: %s absent\n", path);
	return j;
}

static bool has_value(const json_t *tax, const char *pred, const char *val)
{
	const json_t *v, *e;
	size_t i, k;

	json_array_foreach(json_object_get(tax, "values"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "predicate")),
			   pred) != 0)
			continue;
		json_array_foreach(json_object_get(v, "entry"), k, e) if (
			strcmp(json_string_value(json_object_get(e, "value")),
			       val) == 0) return true;
	}
	return false;
}

static bool has_predicate(const json_t *tax, const char *pred)
{
	const json_t *p;
	size_t i;

	json_array_foreach(
		json_object_get(tax, "predicates"), i,
		p) if (strcasecmp(json_string_value(json_object_get(p,
								    "value")),
				  pred) == 0) return true;
	return false;
}

static void test_against_rsit_file(void **state)
{
	json_t *tax = taxonomy("rsit");
	const char *cls, *type, *att;
	size_t i, n = 0;

	(void)state;
	if (tax == NULL)
		skip();
	for (i = 0; ky_rsit_pair(i, &cls, &type); i++) {
		if (!has_predicate(tax, cls) || !has_value(tax, cls, type))
			fail_msg("%s/%s not in the RSIT machinetag", cls, type);
		n++;
	}
	assert_int_equal(n, 39);
	for (i = 0; ky_rsit_attack_entry(i, &att, &cls, &type); i++) {
		if (!has_value(tax, cls, type))
			fail_msg("%s maps to %s/%s, not in RSIT", att, cls,
				 type);
		assert_true(ky_rsit_valid(cls, type));
	}
	assert_true(i > 80);
	/* and the file holds nothing the vocabulary lacks */
	{
		const json_t *v, *e;
		size_t a, b;

		json_array_foreach(json_object_get(tax, "values"), a, v)
			json_array_foreach(json_object_get(v, "entry"), b, e) if (
				!ky_rsit_valid(
					json_string_value(json_object_get(
						v, "predicate")),
					json_string_value(
						json_object_get(e, "value"))))
				fail_msg("RSIT %s/%s missing from the code",
					 json_string_value(json_object_get(
						 v, "predicate")),
					 json_string_value(
						 json_object_get(e, "value")));
	}
	json_decref(tax);
}

static void test_against_tlp_pap_files(void **state)
{
	json_t *tlp = taxonomy("tlp"), *pap = taxonomy("PAP");

	(void)state;
	if (tlp == NULL || pap == NULL) {
		json_decref(tlp);
		json_decref(pap);
		skip();
	}
	for (int i = 0; i < KY_TLP_UNSET; i++)
		if (!has_predicate(tlp, ky_tlp_name((enum ky_tlp)i)))
			fail_msg("TLP %s not in the tlp machinetag",
				 ky_tlp_name((enum ky_tlp)i));
	for (int i = 0; i < KY_PAP_UNSET; i++)
		if (!has_predicate(pap, ky_pap_name((enum ky_pap)i)))
			fail_msg("PAP %s not in the PAP machinetag",
				 ky_pap_name((enum ky_pap)i));
	json_decref(tlp);
	json_decref(pap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_tags),
		cmocka_unit_test(test_better),
		cmocka_unit_test(test_incident_precedence),
		cmocka_unit_test(test_markings),
		cmocka_unit_test(test_against_rsit_file),
		cmocka_unit_test(test_against_tlp_pap_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
