/* STIX 2.1 (intel/stix.h): UUIDv5 ids checked against Python's uuid module
 * (values computed outside, once), the pattern of every indicator type and
 * its reading back, TLP markings, the incident mapping, and the check of
 * received objects: each mutation of a valid object is refused naming the
 * property. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intel/stix.h"

static const struct ky_stix_ctx ctx = {"kyexampleexampleexamplex", "Example",
				       1795000000000000000LL};

static void test_uuid5(void **state)
{
	char u[37], id[KY_STIX_ID_MAX];

	(void)state;
	/* RFC 4122's DNS namespace; python3 uuid.uuid5 gives the same */
	ky_stix_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com",
		      15, u);
	assert_string_equal(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
	/* STIX SCO ids: uuid5(SCO namespace, '{"value":"198.51.100.9"}') */
	assert_int_equal(ky_stix_sco_id("ipv4-addr", "198.51.100.9", id), 0);
	assert_string_equal(id,
			    "ipv4-addr--4b8ed646-46df-5a9c-b5a6-b3ae128f35a6");
	ky_stix_id("indicator", ctx.node_id,
		   "[ipv4-addr:value = '203.0.113.7']", id);
	assert_string_equal(id,
			    "indicator--9afce6ec-5f4b-57a7-a29a-c380db7d8999");
}

static void test_patterns(void **state)
{
	static const struct {
		enum ky_ioc_type t;
		const char *in, *pattern, *back;
	} cases[] = {
		{KY_IOC_IP, "203.0.113.7", "[ipv4-addr:value = '203.0.113.7']",
		 "203.0.113.7"},
		{KY_IOC_IP, "10.1.0.0/16",
		 "[ipv4-addr:value ISSUBSET '10.1.0.0/16']", "10.1.0.0/16"},
		{KY_IOC_IP, "2001:DB8::1", "[ipv6-addr:value = '2001:db8::1']",
		 "2001:db8::1"},
		{KY_IOC_DOMAIN, "C2.Example.NET",
		 "[domain-name:value = 'c2.example.net']", "c2.example.net"},
		{KY_IOC_DOMAIN, "*.bad.example",
		 "[domain-name:value LIKE '%.bad.example']", "*.bad.example"},
		{KY_IOC_URL, "http://h.example/a'b\\c",
		 "[url:value = 'http://h.example/a\\'b\\\\c']",
		 "http://h.example/a'b\\c"},
		{KY_IOC_EMAIL, "Bob@Example.ORG",
		 "[email-addr:value = 'bob@example.org']", "bob@example.org"},
		{KY_IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E",
		 "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
		 "d41d8cd98f00b204e9800998ecf8427e"},
		{KY_IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		 "[file:hashes.'SHA-1' = "
		 "'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
		 "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	};
	struct ky_err err = {0};
	struct ky_buf b;
	enum ky_ioc_type t;
	char *v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ky_buf_init(&b, 0);
		assert_int_equal(
			ky_stix_pattern(cases[i].t, cases[i].in, &b, &err), 0);
		assert_string_equal(b.data, cases[i].pattern);
		assert_int_equal(ky_stix_pattern_ioc(b.data, &t, &v, &err), 0);
		assert_int_equal(t, cases[i].t);
		assert_string_equal(v, cases[i].back);
		free(v);
		ky_buf_free(&b);
	}
	ky_buf_init(&b, 0);
	assert_int_equal(ky_stix_pattern(KY_IOC_IP, "300.1.1.1", &b, &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "300.1.1.1"));
	assert_int_equal(ky_stix_pattern(KY_IOC_MD5, "abc", &b, &err),
			 KY_E_INVAL);
	/* a host of empty labels is none (it would not normalise to itself;
	 * found by fuzzing MISP import) */
	assert_int_equal(ky_stix_pattern(KY_IOC_URL, "http://../x", &b, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_stix_pattern(KY_IOC_URL, "http://.a/x", &b, &err),
			 KY_E_INVAL);
	ky_buf_free(&b);
	/* patterns we do not match locally are reported, not misread */
	assert_int_equal(ky_stix_pattern_ioc("[ipv4-addr:value = '1.2.3.4' AND "
					     "x:y = 'z']",
					     &t, &v, &err),
			 KY_E_UNSUPPORTED);
	assert_int_equal(ky_stix_pattern_ioc("[domain-name:value LIKE 'a%b']",
					     &t, &v, &err),
			 KY_E_UNSUPPORTED);
	assert_int_equal(ky_stix_pattern_ioc("[url:value = 'unterminated]", &t,
					     &v, &err),
			 KY_E_UNSUPPORTED);
	assert_int_equal(ky_stix_pattern_ioc("[ipv4-addr:value = '1.2.3.999']",
					     &t, &v, &err),
			 KY_E_INVAL);
	assert_null(v);
}

static void test_tlp(void **state)
{
	json_t *o, *m;

	(void)state;
	assert_string_equal(
		ky_stix_tlp_id(KY_TLP_RED),
		"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
	assert_null(ky_stix_tlp_id(KY_TLP_UNSET));
	m = ky_stix_tlp_marking(KY_TLP_AMBER_STRICT);
	assert_string_equal(json_string_value(json_object_get(m, "name")),
			    "TLP:AMBER+STRICT");
	assert_int_equal(ky_stix_check(m, NULL), 0);
	json_decref(m);
	/* the most restrictive marking wins */
	o = json_pack("{s:[s,s,s]}", "object_marking_refs",
		      ky_stix_tlp_id(KY_TLP_GREEN),
		      ky_stix_tlp_id(KY_TLP_AMBER_STRICT),
		      ky_stix_tlp_id(KY_TLP_AMBER));
	assert_int_equal(ky_stix_tlp_of(o), KY_TLP_AMBER_STRICT);
	json_decref(o);
	o = json_pack("{s:[s]}", "object_marking_refs",
		      "marking-definition--00000000-0000-4000-8000-"
		      "000000000000");
	assert_int_equal(ky_stix_tlp_of(o), KY_TLP_UNSET);
	json_decref(o);
}

static void test_indicator(void **state)
{
	struct ky_err err = {0};
	json_t *o;

	(void)state;
	o = ky_stix_indicator(&ctx, KY_IOC_DOMAIN, "c2.example.net", 75,
			      KY_TLP_GREEN, ctx.now_ns - 1000000000LL, &err);
	assert_non_null(o);
	assert_int_equal(ky_stix_check(o, &err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "pattern")),
			    "[domain-name:value = 'c2.example.net']");
	assert_int_equal(json_integer_value(json_object_get(o, "confidence")),
			 75);
	assert_int_equal(ky_stix_tlp_of(o), KY_TLP_GREEN);
	assert_string_equal(json_string_value(json_object_get(o, "created")),
			    "2026-11-18T11:06:39.000Z");
	assert_string_equal(ky_stix_modified(o), "2026-11-18T11:06:40.000Z");
	json_decref(o);
	assert_null(ky_stix_indicator(&ctx, KY_IOC_DOMAIN, "x", 101,
				      KY_TLP_GREEN, 0, &err));
	assert_non_null(strstr(err.msg, "confidence 101"));
}

static json_t *incident_doc(const char *status)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:[s], s:[], "
			 "s:{s:s, s:s}, s:{s:i, s:s}, s:{s:s}, s:[s,s,s], "
			 "s:[{s:I}]}",
			 "id", (json_int_t)9, "status", status, "title", "T",
			 "created_ns", (json_int_t)1000000000000000000LL,
			 "last_ns", (json_int_t)1000000005000000000LL,
			 "alert_count", (json_int_t)4, "hosts", "h1", "users",
			 "classification", "class", "malicious-code", "type",
			 "c2", "severity", "score", 140, "band", "critical",
			 "tlp", "level", "red", "attack",
			 "attack.command_and_control", "attack.t1071.001",
			 "attack.g0007", "history", "when_ns",
			 (json_int_t)1000000009000000000LL);
}

static void test_incident(void **state)
{
	static const struct {
		const char *status, *det, *inv;
	} map[] = {
		{"new", "suspected", "new"},
		{"acknowledged", "suspected", "open"},
		{"contained", "confirmed", "open"},
		{"resolved", "confirmed", "closed"},
		{"false-positive", "false-positive", "closed"},
	};
	struct ky_err err = {0};
	json_t *d, *o, *x;

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		d = incident_doc(map[i].status);
		o = ky_stix_incident(&ctx, d, &err);
		assert_non_null(o);
		assert_int_equal(ky_stix_check(o, &err), 0);
		x = json_object_get(json_object_get(o, "extensions"),
				    "extension-definition--ef765651-680c-498d-"
				    "9894-99799f2fa126");
		assert_string_equal(
			json_string_value(json_object_get(x, "determination")),
			map[i].det);
		assert_string_equal(json_string_value(json_object_get(
					    x, "investigation_status")),
				    map[i].inv);
		/* a score above 100 is capped for criticality */
		assert_int_equal(
			json_integer_value(json_object_get(x, "criticality")),
			100);
		/* modified follows the latest history entry */
		assert_string_equal(ky_stix_modified(o),
				    "2001-09-09T01:46:49.000Z");
		assert_int_equal(ky_stix_tlp_of(o), KY_TLP_RED);
		assert_string_equal(
			json_string_value(json_object_get(
				json_array_get(
					json_object_get(o, "kill_chain_phases"),
					0),
				"phase_name")),
			"command-and-control");
		assert_int_equal(json_array_size(json_object_get(
					 o, "external_references")),
				 2);
		/* STIX forbids empty lists: no users, no property */
		assert_null(json_object_get(o, "x_kyklos_users"));
		assert_non_null(json_object_get(o, "x_kyklos_hosts"));
		json_decref(o);
		json_decref(d);
	}
	d = json_pack("{s:I}", "id", (json_int_t)3);
	assert_null(ky_stix_incident(&ctx, d, &err));
	assert_int_equal(err.status, KY_E_PARSE);
	json_decref(d);
}

static void test_observed(void **state)
{
	struct ky_err err = {0};
	json_t *a, *o, *scos = NULL;

	(void)state;
	a = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)5, "time_ns",
		      (json_int_t)ctx.now_ns, "src_ip", "2001:db8::7");
	o = ky_stix_observed_alert(&ctx, a, KY_TLP_AMBER, &scos, &err);
	assert_non_null(o);
	assert_int_equal(ky_stix_check(o, &err), 0);
	assert_int_equal(json_array_size(scos), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(scos, 0), "type")),
			    "ipv6-addr");
	assert_int_equal(ky_stix_check(json_array_get(scos, 0), &err), 0);
	json_decref(o);
	json_decref(scos);
	json_decref(a);
	a = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)6, "time_ns",
		      (json_int_t)ctx.now_ns, "host", "only-a-host");
	assert_null(ky_stix_observed_alert(&ctx, a, KY_TLP_AMBER, &scos, &err));
	assert_int_equal(err.status, KY_E_NOTFOUND);
	assert_null(scos);
	json_decref(a);
}

/* Each mutation of a valid indicator is refused naming its property. */
static void test_check(void **state)
{
	static const struct {
		const char *key, *value; /* value NULL: delete key */
		const char *want;
	} muts[] = {
		{"pattern", NULL, "pattern: missing"},
		{"valid_from", NULL, "valid_from: missing"},
		{"created", "2026-11-18 11:06:39Z", "created: not an RFC 3339"},
		{"modified", "2020-01-01T00:00:00Z",
		 "modified: before created"},
		{"spec_version", "2.0", "spec_version"},
		{"id", "indicator--123", "id: not"},
		{"id", "malware--9afce6ec-5f4b-57a7-a29a-c380db7d8999",
		 "id: not"},
		{"type", "Indicator", "type:"},
		{"created_by_ref",
		 "report--9afce6ec-5f4b-57a7-a29a-c380db7d8999",
		 "created_by_ref"},
		{"valid_until", "2000-01-01T00:00:00Z", "valid_until"},
	};
	struct ky_err err = {0};
	json_t *ok, *o;

	(void)state;
	ok = ky_stix_indicator(&ctx, KY_IOC_IP, "203.0.113.7", 50, KY_TLP_CLEAR,
			       ctx.now_ns - 1000000000LL, &err);
	assert_int_equal(ky_stix_check(ok, &err), 0);
	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		o = json_deep_copy(ok);
		if (muts[i].value)
			json_object_set_new(o, muts[i].key,
					    json_string(muts[i].value));
		else
			json_object_del(o, muts[i].key);
		assert_int_equal(ky_stix_check(o, &err), KY_E_PARSE);
		if (strstr(err.msg, muts[i].want) == NULL)
			fail_msg("mutation %zu: '%s' lacks '%s'", i, err.msg,
				 muts[i].want);
		json_decref(o);
	}
	o = json_deep_copy(ok);
	json_object_set_new(o, "confidence", json_integer(101));
	assert_int_equal(ky_stix_check(o, &err), KY_E_PARSE);
	json_object_set_new(o, "confidence", json_integer(100));
	json_object_set_new(o, "object_marking_refs", json_array());
	assert_int_equal(ky_stix_check(o, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "object_marking_refs"));
	json_decref(o);
	/* a custom type is accepted with the common checks */
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "x-acme-thing", "id",
		      "x-acme-thing--9afce6ec-5f4b-57a7-a29a-c380db7d8999",
		      "spec_version", "2.1", "created", "2026-01-01T00:00:00Z",
		      "modified", "2026-01-01T00:00:00Z");
	assert_int_equal(ky_stix_check(o, &err), 0);
	json_object_set_new(o, "type", json_string("acme-thing"));
	json_object_set_new(
		o, "id",
		json_string(
			"acme-thing--9afce6ec-5f4b-57a7-a29a-c380db7d8999"));
	assert_int_equal(ky_stix_check(o, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "unknown"));
	json_decref(o);
	assert_int_equal(ky_stix_check(json_null(), &err), KY_E_PARSE);
	json_decref(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid5),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_tlp),
		cmocka_unit_test(test_indicator),
		cmocka_unit_test(test_incident),
		cmocka_unit_test(test_observed),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
