/* The sharing policy (share/policy.h): loading with positions in errors,
 * the first matching rule, TLP limits and RED/AMBER+STRICT never relayed,
 * confidence, redaction (never of what the type requires), personal data
 * by jurisdiction, pseudonyms (prefix-preserving addresses, HMAC tokens),
 * and the field-by-field explanation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intel/stix.h"
#include "share/policy.h"

static const struct ky_stix_ctx ctx = {"kyexampleexampleexamplex", "Ex",
				       1795000000000000000LL};
static const uint8_t key[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};

static const char text[] =
	"version: 4\n"
	"default_tlp: amber\n"
	"personal_data_countries: [EU, CH]\n"
	"rules:\n"
	"  - match: [csirt, group:national]\n"
	"    tlp_max: amber\n"
	"    min_confidence: 60\n"
	"    redact: [description]\n"
	"    pseudonymise: {addresses: cryptopan, users: hmac, hosts: hmac}\n"
	"    rate: 600\n"
	"  - match: [ot]\n"
	"    tlp_max: red\n"
	"    types: [indicator]\n"
	"  - match: [bad-redact]\n"
	"    tlp_max: amber\n"
	"    redact: [pattern]\n"
	"  - match: ['*']\n"
	"    tlp_max: clear\n";

static struct ky_policy *load(const char *t)
{
	struct ky_policy *p = NULL;
	struct ky_err err = {0};

	if (ky_policy_parse(t, strlen(t), "policy.yaml", &p, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ky_policy_set_key(p, key, &err), 0);
	return p;
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"rules: []\n", "policy.yaml:1:1: 'version' must be"},
		{"version: 1\nrules:\n  - match: [a]\n    tlp_max: pink\n",
		 "policy.yaml:4:14: expected a TLP level"},
		{"version: 1\nrules:\n  - tlp_max: red\n",
		 "policy.yaml:3:5: a rule needs 'match'"},
		{"version: 1\nrules:\n  - match: a\n    colour: red\n",
		 "policy.yaml:4:13: unknown key in a rule"},
		{"version: 1\nrules: []\nextra: 1\n",
		 "policy.yaml:3:8: unknown key"},
		{"version: 1\npersonal_data_countries: [GR]\nrules: []\n",
		 NULL /* GR is a well-formed code: accepted */},
		{"version: 1\npersonal_data_countries: [Greece]\nrules: []\n",
		 "policy.yaml:2:27: expected EU, EEA or a two-letter"},
		{"version: 1\nrules:\n  - match: a\n    pseudonymise: {users: "
		 "cryptopan}\n",
		 "expected hmac, remove or keep"},
		{"version: 1\nrules:\n  - match: a\n    min_confidence: 101\n",
		 "policy.yaml:4:21: expected 0-100"},
		{"version: 1\nrules: [\n", "YAML syntax error"},
		{"version: 1\nversion: 2\nrules: []\n", "duplicate key"},
		{"a: &x 1\nversion: 1\nrules: []\n", "anchors and aliases"},
	};
	struct ky_policy *p;
	struct ky_err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = ky_policy_parse(bad[i].text, strlen(bad[i].text),
					"policy.yaml", &p, &err);

		if (bad[i].want == NULL) {
			assert_int_equal(r, 0);
			ky_policy_free(p);
			continue;
		}
		assert_int_not_equal(r, 0);
		assert_null(p);
		if (strstr(err.msg, bad[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].want);
	}
}

static void test_version(void **state)
{
	struct ky_policy *a = load(text), *b;
	char t2[sizeof(text) + 8];

	(void)state;
	assert_int_equal(strncmp(ky_policy_version(a), "4:", 2), 0);
	assert_int_equal(strlen(ky_policy_version(a)), 14);
	/* an edit without a version bump still changes the version */
	snprintf(t2, sizeof(t2), "%s#\n", text);
	b = load(t2);
	assert_string_not_equal(ky_policy_version(a), ky_policy_version(b));
	ky_policy_free(a);
	ky_policy_free(b);
}

static int apply(struct ky_policy *p, const char *peer, const char *country,
		 const char *groups, const json_t *o, bool self, json_t **out,
		 const char **why)
{
	struct ky_peer_info pi = {peer, "kynode", country, groups};
	struct ky_err err = {0};
	bool changed;

	return ky_policy_apply(p, &pi, o, self, out, &changed, why, NULL, &err);
}

static void test_gates(void **state)
{
	struct ky_policy *p = load(text);
	struct ky_err err = {0};
	json_t *green = ky_stix_indicator(&ctx, KY_IOC_IP, "203.0.113.7", 80,
					  KY_TLP_GREEN, ctx.now_ns, &err);
	json_t *red = ky_stix_indicator(&ctx, KY_IOC_IP, "203.0.113.8", 80,
					KY_TLP_RED, ctx.now_ns, &err);
	json_t *low = ky_stix_indicator(&ctx, KY_IOC_IP, "203.0.113.9", 50,
					KY_TLP_GREEN, ctx.now_ns, &err);
	json_t *unmarked = json_deep_copy(green), *out = NULL;
	const char *why;

	(void)state;
	json_object_del(unmarked, "object_marking_refs");
	assert_int_equal(
		apply(p, "csirt", "EE", NULL, green, false, &out, &why), 1);
	json_decref(out);
	/* the group matches too */
	assert_int_equal(
		apply(p, "x", "EE", "a,national", green, false, &out, &why), 1);
	json_decref(out);
	/* RED above AMBER */
	assert_int_equal(apply(p, "csirt", "EE", NULL, red, true, &out, &why),
			 0);
	assert_non_null(strstr(why, "TLP:red is above"));
	/* RED allowed to ot, but only from its origin */
	assert_int_equal(apply(p, "ot", "EE", NULL, red, true, &out, &why), 1);
	json_decref(out);
	assert_int_equal(apply(p, "ot", "EE", NULL, red, false, &out, &why), 0);
	assert_non_null(strstr(why, "never relayed"));
	/* confidence */
	assert_int_equal(apply(p, "csirt", "EE", NULL, low, false, &out, &why),
			 0);
	assert_non_null(strstr(why, "confidence 50 below"));
	/* unmarked counts as the default (amber): not for the '*' rule */
	assert_int_equal(
		apply(p, "anyone", "EE", NULL, unmarked, false, &out, &why), 0);
	assert_non_null(strstr(why, "TLP:amber is above"));
	/* types */
	{
		json_t *v = ky_stix_vulnerability(&ctx, "CVE-2024-1", NULL,
						  KY_TLP_CLEAR, &err);

		assert_int_equal(
			apply(p, "ot", "EE", NULL, v, true, &out, &why), 0);
		assert_non_null(strstr(why, "type vulnerability"));
		json_decref(v);
	}
	/* a redaction that would break the object drops it instead */
	assert_int_equal(
		apply(p, "bad-redact", "EE", NULL, green, true, &out, &why), 0);
	assert_non_null(strstr(why, "cannot lose"));
	assert_int_equal(ky_policy_rate(p, &(struct ky_peer_info){"csirt", "n",
								  "EE", NULL}),
			 600);
	json_decref(green);
	json_decref(red);
	json_decref(low);
	json_decref(unmarked);
	ky_policy_free(p);
}

static json_t *incident(void)
{
	json_t *doc = json_pack(
		"{s:I, s:s, s:s, s:I, s:I, s:I, s:[s], s:[s,s], s:[s,s,s], "
		"s:{s:s, s:s}, s:{s:i, s:s}, s:{s:s}}",
		"id", (json_int_t)3, "status", "new", "title", "T",
		"created_ns", (json_int_t)ctx.now_ns, "last_ns",
		(json_int_t)ctx.now_ns, "alert_count", (json_int_t)2, "hosts",
		"ws-17", "users", "alice", "ALICE", "addresses", "192.0.2.10",
		"192.0.2.77", "not-an-address", "classification", "class",
		"intrusions", "type", "compromised-system", "severity", "score",
		40, "band", "medium", "tlp", "level", "green");
	json_t *o = ky_stix_incident(&ctx, doc, NULL);

	json_decref(doc);
	return o;
}

static void test_personal_data(void **state)
{
	struct ky_policy *p = load(text);
	json_t *o = incident(), *out = NULL, *a;
	const char *why;

	(void)state;
	/* in the EU: pseudonymised */
	assert_int_equal(apply(p, "csirt", "EL", NULL, o, true, &out, &why), 1);
	a = json_object_get(out, "x_kyklos_addresses");
	/* the bad address is dropped, the two good ones keep a common
	 * /24 prefix (Crypto-PAn is prefix-preserving) */
	assert_int_equal(json_array_size(a), 2);
	assert_string_not_equal(json_string_value(json_array_get(a, 0)),
				"192.0.2.10");
	{
		const char *x = json_string_value(json_array_get(a, 0));
		const char *y = json_string_value(json_array_get(a, 1));

		assert_int_equal(strncmp(x, y, (size_t)(strrchr(x, '.') - x)),
				 0);
	}
	a = json_object_get(out, "x_kyklos_users");
	/* the same person whatever the case: one token */
	assert_string_equal(json_string_value(json_array_get(a, 0)),
			    json_string_value(json_array_get(a, 1)));
	assert_int_equal(
		strncmp(json_string_value(json_array_get(a, 0)), "u-", 2), 0);
	assert_null(json_object_get(out, "description")); /* redacted */
	json_decref(out);
	/* outside: removed */
	assert_int_equal(apply(p, "csirt", "US", NULL, o, true, &out, &why), 1);
	assert_null(json_object_get(out, "x_kyklos_addresses"));
	assert_null(json_object_get(out, "x_kyklos_users"));
	assert_null(json_object_get(out, "x_kyklos_hosts"));
	json_decref(out);
	/* Switzerland is listed by the policy */
	assert_int_equal(apply(p, "csirt", "CH", NULL, o, true, &out, &why), 1);
	assert_non_null(json_object_get(out, "x_kyklos_users"));
	json_decref(out);
	/* unknown country: removed */
	assert_int_equal(apply(p, "csirt", NULL, NULL, o, true, &out, &why), 1);
	assert_null(json_object_get(out, "x_kyklos_users"));
	json_decref(out);
	json_decref(o);
	ky_policy_free(p);
}

static void test_tokens(void **state)
{
	char a[KY_PSEUDONYM_MAX], b[KY_PSEUDONYM_MAX], c[KY_PSEUDONYM_MAX];
	static const uint8_t other[32] = {1};

	(void)state;
	ky_pseudonym_token(key, 'e', "Bob@Example.org", a);
	ky_pseudonym_token(key, 'e', "bob@example.org", b);
	ky_pseudonym_token(other, 'e', "bob@example.org", c);
	assert_string_equal(a, b);
	assert_string_not_equal(b, c);
	assert_int_equal(strlen(a), 2 + 16 + strlen("@pseudonym.invalid"));
	ky_pseudonym_token(key, 'u', "bob", c);
	assert_int_equal(strncmp(c, "u-", 2), 0);
	assert_int_not_equal(strncmp(c + 2, a + 2, 16), 0);
}

static void test_explain(void **state)
{
	struct ky_policy *p = load(text);
	struct ky_peer_info pi = {"csirt", "n", "DE", NULL};
	json_t *o = incident(), *ex = json_array(), *out = NULL, *e;
	struct ky_err err = {0};
	const char *why;
	bool changed, seen_users = false, seen_desc = false;
	size_t i;

	(void)state;
	assert_int_equal(ky_policy_apply(p, &pi, o, true, &out, &changed, &why,
					 ex, &err),
			 1);
	assert_true(changed);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(ex, 0), "action")),
			    "sent");
	json_array_foreach(ex, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *act =
			json_string_value(json_object_get(e, "action"));

		if (strcmp(f, "x_kyklos_users") == 0) {
			assert_string_equal(act, "pseudonymised");
			seen_users = true;
		}
		if (strcmp(f, "description") == 0) {
			assert_string_equal(act, "removed");
			seen_desc = true;
		}
		if (strcmp(f, "name") == 0)
			assert_string_equal(act, "kept");
	}
	if (!(seen_users && seen_desc))
		fail_msg("%s", json_dumps(ex, 0));
	json_decref(out);
	json_decref(ex);
	json_decref(o);
	ky_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_personal_data),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
