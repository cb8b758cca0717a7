/* The reporting file of an incident (respond/case.h): every field's
 * setter, the checks on a stored file, submissions, and the NIS2 report of
 * a sample incident built by the engine, checked field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/time.h"
#include "respond/case.h"

#define S KY_NS_PER_SEC
#define T0 ((int64_t)1768032000 * S) /* 2026-01-10T08:00:00Z */
#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static json_t *fresh(void)
{
	json_t *c = ky_case_new(1);

	assert_non_null(c);
	return c;
}

static void set_ok(json_t *c, const char *f, const char *v)
{
	struct ky_err err = {0};

	if (ky_case_set(c, f, v, "ana", T0, &err) != 0)
		fail_msg("%s=%s: %s", f, v, err.msg);
}

static void set_bad(json_t *c, const char *f, const char *v)
{
	struct ky_err err = {0};

	assert_int_equal(ky_case_set(c, f, v, "ana", T0, &err), KY_E_INVAL);
	if (strstr(err.msg, f) == NULL)
		fail_msg("%s=%s: message does not name the field: %s", f, v,
			 err.msg);
}

static void test_fields(void **state)
{
	json_t *c = fresh(), *h;
	struct ky_err err = {0};

	(void)state;
	set_ok(c, "significant", "yes");
	assert_true(json_is_true(json_object_get(c, "significant")));
	assert_true(ky_case_applies(c, KY_REGIME_NIS2));
	assert_false(ky_case_applies(c, KY_REGIME_CRA_INCIDENT));
	set_ok(c, "cra-incident", "true");
	assert_true(ky_case_applies(c, KY_REGIME_CRA_INCIDENT));
	set_ok(c, "cra_vulnerability", "no");
	assert_false(ky_case_applies(c, KY_REGIME_CRA_VULN));
	set_ok(c, "aware", "2026-01-10T08:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(c, "aware")), T0);
	set_ok(c, "ended", "now");
	assert_int_equal(json_integer_value(json_object_get(c, "ended")), T0);
	set_ok(c, "ended", "none");
	assert_null(json_object_get(c, "ended"));
	set_ok(c, "malicious", "unknown");
	set_ok(c, "cross-border", "DE,FR");
	assert_int_equal(json_array_size(json_object_get(c, "cross_border")),
			 2);
	set_ok(c, "cross-border", "no");
	assert_int_equal(json_array_size(json_object_get(c, "cross_border")),
			 0);
	set_ok(c, "affected-users", "120");
	assert_int_equal(
		json_integer_value(json_object_get(c, "affected_users")), 120);
	set_ok(c, "affected-users", "");
	assert_null(json_object_get(c, "affected_users"));
	set_ok(c, "root-cause", "phished VPN password");
	set_ok(c, "unknown", "assessment.impact,times.started");
	assert_int_equal(json_array_size(json_object_get(c, "unknown")), 2);

	set_bad(c, "significant", "maybe");
	set_bad(c, "aware", "yesterday");
	set_bad(c, "aware", "2026-01-10T08:00:00Zjunk");
	set_bad(c, "malicious", "perhaps");
	set_bad(c, "cross-border", "DE,france");
	set_bad(c, "cross-border", "DE,,FR");
	set_bad(c, "cross-border", "DE,XX"); /* not a member state */
	set_bad(c, "cross-border", "GR");    /* the EU writes EL */
	set_bad(c, "affected-systems", "-3");
	set_bad(c, "affected-systems", "12a");
	set_bad(c, "unknown", "Assessment.Impact");
	assert_int_equal(ky_case_set(c, "colour", "red", "ana", T0, &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "'colour'"));
	assert_int_equal(ky_case_set(c, "impact", "x", "", T0, &err),
			 KY_E_INVAL);
	/* a refused value leaves the field as it was */
	assert_int_equal(json_integer_value(json_object_get(c, "aware")), T0);
	/* every accepted change is in the history with who, when, value */
	h = json_object_get(c, "history");
	assert_int_equal(json_array_size(h), 13);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(h, 0), "field")),
			    "significant");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(h, 3), "value")),
			    "2026-01-10T08:00:00Z");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(h, 3), "who")),
		"ana");
	assert_int_equal(ky_case_check(c, &err), 0);
	json_decref(c);
}

static void check_bad(const char *text, const char *want)
{
	struct ky_err err = {0};
	json_t *c = json_loads(text, 0, NULL);

	assert_non_null(c);
	assert_int_equal(ky_case_check(c, &err), KY_E_INVAL);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: got '%s', want '%s'", text, err.msg, want);
	json_decref(c);
}

static void test_check(void **state)
{
	(void)state;
	check_bad("[]", "$");
	check_bad("{\"incident\":0,\"history\":[]}", "$.incident");
	check_bad("{\"incident\":1}", "$.history");
	check_bad("{\"incident\":1,\"history\":[],\"colour\":1}",
		  "$.colour: unknown member");
	check_bad("{\"incident\":1,\"history\":[],\"aware\":\"x\"}", "$.aware");
	check_bad("{\"incident\":1,\"history\":[],\"cross_border\":[\"de\"]}",
		  "$.cross_border[0]");
	check_bad("{\"incident\":1,\"history\":[],\"submitted\":{\"nis3\":{}}}",
		  "$.submitted.nis3");
	check_bad("{\"incident\":1,\"history\":[],\"submitted\":{\"nis2\":"
		  "{\"early\":5}}}",
		  "$.submitted.nis2.early");
	check_bad("{\"incident\":1,\"history\":[],\"significant\":1}",
		  "$.significant");
}

/* The sample incident: brute force on srv1 with two indicator hits. */
static struct ky_incidents *sample(struct ky_incident **out)
{
	static const char *const tags[] = {"attack.credential-access",
					   "attack.t1110.001"};
	struct ky_incident_config cfg;
	struct ky_incidents *e = NULL;
	struct ky_incident_alert a = {0};
	struct ky_incident_result res;
	struct ky_err err = {0};

	ky_incident_config_default(&cfg);
	cfg.keys = KY_INCIDENT_KEY_HOST;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), 0);
	a.id = 1;
	a.kind = KY_ALERT_RULE;
	a.time_ns = T0 - 3600 * S; /* started an hour before awareness */
	a.recv_ns = T0 - 3599 * S;
	a.rule_id = "ssh-brute";
	a.title = "SSH brute force";
	a.level = 3; /* high */
	a.tags = tags;
	a.ntags = 2;
	a.host = "srv1";
	a.src_ip = "203.0.113.9";
	assert_int_equal(ky_incidents_add(e, &a, &res, &err), 0);
	a.id = 2;
	a.kind = KY_ALERT_INDICATOR;
	a.rule_id = "c2.txt:203.0.113.9";
	a.title = "Indicator";
	a.tags = NULL;
	a.ntags = 0;
	a.indicator = "203.0.113.9";
	a.confidence = 80;
	a.time_ns += 60 * S;
	assert_int_equal(ky_incidents_add(e, &a, &res, &err), 0);
	a.id = 3;
	a.rule_id = "hashes.txt:" SHA;
	a.indicator = SHA;
	a.time_ns += 60 * S;
	assert_int_equal(ky_incidents_add(e, &a, &res, &err), 0);
	*out = ky_incidents_get(e, res.id);
	assert_non_null(*out);
	return e;
}

static const struct ky_entity entity = {
	.name = "Stadtwerke Beispiel GmbH",
	.sector = "energy",
	.subsector = "electricity",
	.member_state = "DE",
	.tz = "Europe/Berlin",
};

static json_t *report(const json_t *c, const struct ky_incident *inc,
		      enum ky_regime reg, enum ky_stage stage, int64_t now)
{
	struct ky_case_input ci;
	struct ky_err err = {0};
	struct ky_buf jb, mb;
	json_t *j;

	ky_buf_init(&jb, 0);
	ky_buf_init(&mb, 0);
	assert_int_equal(ky_case_input(&ci, c, inc, &entity, reg, now, &err),
			 0);
	if (ky_nis2_report(&ci.in, stage, &jb, &mb, &err) != 0)
		fail_msg("report: %s", err.msg);
	j = json_loadb(jb.data, jb.len, 0, NULL);
	assert_non_null(j);
	assert_non_null(strstr(ky_buf_str(&mb), "Stadtwerke Beispiel GmbH"));
	ky_case_input_clear(&ci);
	ky_buf_free(&jb);
	ky_buf_free(&mb);
	return j;
}

static const char *str_at(const json_t *j, const char *path)
{
	char buf[128], *p, *save = NULL;
	const json_t *v = j;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p; p = strtok_r(NULL, ".", &save))
		v = json_object_get(v, p);
	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	return json_string_value(v);
}

static const json_t *at(const json_t *j, const char *path)
{
	char buf[128], *p, *save = NULL;
	const json_t *v = j;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p; p = strtok_r(NULL, ".", &save))
		v = json_object_get(v, p);
	return v;
}

static bool listed(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) ==
					  0) return true;
	return false;
}

static void test_sample_report(void **state)
{
	struct ky_incident *inc;
	struct ky_incidents *e = sample(&inc);
	char t[KY_TIME_RFC3339_LEN];
	json_t *c = fresh(), *j;
	const json_t *v;
	struct ky_err err = {0};

	(void)state;
	set_ok(c, "significant", "yes");
	set_ok(c, "aware", "2026-01-10T08:00:00Z");
	set_ok(c, "malicious", "yes");
	set_ok(c, "cross-border", "DE,FR");
	set_ok(c, "impact", "remote access service unavailable for 2 hours");

	j = report(c, inc, KY_REGIME_NIS2, KY_STAGE_EARLY_WARNING,
		   T0 + 4 * 3600 * S);
	assert_string_equal(str_at(j, "schema"), "kyklos-nis2-report/1");
	assert_string_equal(str_at(j, "regime"), "nis2");
	assert_string_equal(str_at(j, "stage"), "early-warning");
	assert_string_equal(str_at(j, "legal_basis"), "NIS2 Art. 23(4)(a)");
	/* 24 elapsed hours after awareness; Berlin is UTC+1 in January */
	assert_string_equal(str_at(j, "deadline.due"),
			    "2026-01-11T08:00:00.000Z");
	assert_string_equal(str_at(j, "deadline.due_local"),
			    "2026-01-11T09:00:00+01:00");
	assert_string_equal(str_at(j, "deadline.time_zone"), "Europe/Berlin");
	assert_string_equal(str_at(j, "deadline.state"), "pending");
	assert_true(json_is_true(at(j, "deadline.due_known")));
	assert_true(json_is_false(at(j, "deadline.provisional")));
	assert_string_equal(str_at(j, "incident.id"), "INC-1");
	assert_string_equal(str_at(j, "incident.title"), "SSH brute force");
	assert_true(json_is_true(at(j, "incident.significant")));
	assert_string_equal(str_at(j, "entity.name"),
			    "Stadtwerke Beispiel GmbH");
	assert_string_equal(str_at(j, "entity.member_state"), "DE");
	assert_string_equal(str_at(j, "entity.sector.code"), "energy");
	assert_string_equal(str_at(j, "entity.sector.annex"), "I");
	assert_string_equal(str_at(j, "entity.subsector.code"), "electricity");
	assert_string_equal(str_at(j, "times.aware"),
			    "2026-01-10T08:00:00.000Z");
	/* prefilled from the incident: its first event and creation */
	assert_string_equal(str_at(j, "times.started"),
			    "2026-01-10T07:00:00.000Z");
	ky_time_format_rfc3339(ky_incident_created_ns(inc), t);
	assert_string_equal(str_at(j, "times.detected"), t);
	assert_true(json_is_true(at(j, "times.ongoing")));
	assert_string_equal(str_at(j, "assessment.suspected_malicious"), "yes");
	assert_true(json_is_true(at(j, "assessment.cross_border_impact")));
	v = at(j, "assessment.member_states_affected");
	assert_int_equal(json_array_size(v), 2);
	assert_true(listed(v, "DE") && listed(v, "FR"));
	assert_string_equal(str_at(j, "assessment.severity"),
			    ky_sev_band_name(ky_incident_band(inc)));
	assert_string_equal(str_at(j, "assessment.impact"),
			    "remote access service unavailable for 2 hours");
	assert_int_equal(
		json_integer_value(at(j, "assessment.affected_systems")), 1);
	assert_true(json_is_null(at(j, "assessment.affected_users")));
	v = at(j, "indicators");
	assert_int_equal(json_array_size(v), 2);
	for (size_t i = 0; i < 2; i++) {
		const json_t *x = json_array_get(v, i);
		const char *val =
			json_string_value(json_object_get(x, "value"));
		const char *ty = json_string_value(json_object_get(x, "type"));

		if (strcmp(val, "203.0.113.9") == 0)
			assert_string_equal(ty, "ipv4-addr");
		else if (strcmp(val, SHA) == 0)
			assert_string_equal(ty, "file:hashes.SHA-256");
		else
			fail_msg("unexpected indicator %s", val);
	}
	assert_string_equal(str_at(j, "classification.rsit_class"),
			    ky_incident_rsit(inc)->cls);
	assert_string_equal(str_at(j, "classification.rsit_type"),
			    ky_incident_rsit(inc)->type);
	assert_string_equal(str_at(j, "classification.rsit_class"),
			    "intrusion-attempts");
	assert_non_null(strstr(str_at(j, "marking.tlp"), "TLP:"));
	assert_int_equal(json_array_size(at(j, "missing")), 0);
	json_decref(j);

	/* the final report needs a root cause and mitigations; the due is
	 * provisional until the notification is really submitted */
	j = report(c, inc, KY_REGIME_NIS2, KY_STAGE_FINAL, T0 + 4 * 3600 * S);
	assert_true(json_is_true(at(j, "deadline.provisional")));
	assert_string_equal(str_at(j, "deadline.due"),
			    "2026-02-13T08:00:00.000Z");
	v = at(j, "missing");
	assert_true(json_array_size(v) >= 2);
	assert_true(listed(v, "assessment.mitigations"));
	json_decref(j);
	assert_int_equal(ky_case_submit(c, KY_REGIME_NIS2,
					KY_STAGE_NOTIFICATION, "ana",
					T0 + 48 * 3600 * S, &err),
			 0);
	set_ok(c, "root-cause", "weak VPN password");
	set_ok(c, "mitigations", "password reset, MFA enforced");
	set_ok(c, "ended", "2026-01-11T08:00:00Z");
	j = report(c, inc, KY_REGIME_NIS2, KY_STAGE_FINAL, T0 + 72 * 3600 * S);
	/* one calendar month after the submission (12 January 08:00 UTC) */
	assert_true(json_is_false(at(j, "deadline.provisional")));
	assert_string_equal(str_at(j, "deadline.due"),
			    "2026-02-12T08:00:00.000Z");
	assert_string_equal(str_at(j, "assessment.root_cause"),
			    "weak VPN password");
	assert_false(listed(at(j, "missing"), "assessment.mitigations"));
	json_decref(j);
	/* a value the analyst marks unknown is listed even though prefilled */
	set_ok(c, "unknown", "assessment.affected_systems");
	j = report(c, inc, KY_REGIME_NIS2, KY_STAGE_NOTIFICATION,
		   T0 + 4 * 3600 * S);
	assert_true(listed(at(j, "missing"), "assessment.affected_systems") ||
		    listed(at(j, "missing_optional"),
			   "assessment.affected_systems"));
	json_decref(j);
	json_decref(c);
	ky_incidents_free(e);
}

static void test_not_significant(void **state)
{
	struct ky_incident *inc;
	struct ky_incidents *e = sample(&inc);
	struct ky_case_input ci;
	struct ky_err err = {0};
	struct ky_buf jb;

	(void)state;
	ky_buf_init(&jb, 0);
	/* no reporting file at all: NIS2 refuses, naming the incident */
	assert_int_equal(ky_case_input(&ci, NULL, inc, &entity, KY_REGIME_NIS2,
				       T0, &err),
			 0);
	assert_false(ci.in.significant);
	assert_int_equal(
		ky_nis2_report(&ci.in, KY_STAGE_EARLY_WARNING, &jb, NULL, &err),
		KY_E_INVAL);
	assert_non_null(strstr(err.msg, "INC-1"));
	ky_case_input_clear(&ci);
	ky_buf_free(&jb);
	ky_incidents_free(e);
}

static void test_indicator_types(void **state)
{
	(void)state;
	assert_string_equal(ky_case_indicator_type("198.51.100.7"),
			    "ipv4-addr");
	assert_string_equal(ky_case_indicator_type("2001:db8::1"), "ipv6-addr");
	assert_string_equal(ky_case_indicator_type("10.0.0.0/8"), "ipv4-addr");
	assert_string_equal(ky_case_indicator_type("https://evil.example/x"),
			    "url");
	assert_string_equal(ky_case_indicator_type("a@evil.example"),
			    "email-addr");
	assert_string_equal(
		ky_case_indicator_type("d41d8cd98f00b204e9800998ecf8427e"),
		"file:hashes.MD5");
	assert_string_equal(ky_case_indicator_type(
				    "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
			    "file:hashes.SHA-1");
	assert_string_equal(ky_case_indicator_type(SHA), "file:hashes.SHA-256");
	assert_string_equal(ky_case_indicator_type("evil.example"),
			    "domain-name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_sample_report),
		cmocka_unit_test(test_not_significant),
		cmocka_unit_test(test_indicator_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
