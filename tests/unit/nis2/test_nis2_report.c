/* The NIS2 / CRA report document: a sample incident's JSON checked field by
 * field (parsed back with jansson), its Markdown lines, the missing-field
 * lists per stage, bad input, and the sector table against the taxonomy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/time.h"
#include "respond/nis2.h"

static int64_t utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return (ky_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) *
	       KY_NS_PER_SEC;
}

static const char *const states[] = {"AT", "PL"};
static const struct ky_nis2_indicator iocs[] = {
	{"ipv4-addr", "203.0.113.7"},
	{"domain-name", "update-check.example"},
};

/* A ransomware incident at a German electricity supplier. */
static void sample(struct ky_nis2_input *in)
{
	ky_nis2_input_init(in);
	in->regime = KY_REGIME_NIS2;
	in->incident_id = "INC-2026-0042";
	in->title = "Ransomware on \"SCADA\" historian";
	in->entity_name = "Stadtwerke Musterstadt GmbH";
	in->sector = "energy";
	in->subsector = "electricity";
	in->member_state = "DE";
	in->tz = "Europe/Berlin";
	in->detected_ns = utc(2026, 3, 28, 11, 40);
	in->aware_ns = utc(2026, 3, 28, 12, 0); /* 13:00 CET */
	in->started_ns = utc(2026, 3, 28, 3, 15);
	in->significant = true;
	in->malicious = KY_TRI_YES;
	in->cross_border = true;
	in->cross_border_states = states;
	in->n_cross_border_states = 2;
	in->severity = "high";
	in->impact = "Billing and load forecasting unavailable";
	in->affected_users = 12000;
	in->affected_systems = 40;
	in->indicators = iocs;
	in->n_indicators = 2;
	in->mitigations = "Historian isolated; restore from offline backup";
	in->tlp = "TLP:AMBER";
	in->rsit_class = "malicious-code";
	in->rsit_type = "ransomware";
	in->report_time_ns = utc(2026, 3, 28, 14, 0);
}

static json_t *report(const struct ky_nis2_input *in, enum ky_stage st,
		      struct ky_buf *md)
{
	struct ky_buf js;
	struct ky_err err = {0};
	json_error_t jerr;
	json_t *root;

	ky_buf_init(&js, 0);
	if (ky_nis2_report(in, st, &js, md, &err) != 0)
		fail_msg("report %s: %s", ky_stage_name(st), err.msg);
	root = json_loadb(ky_buf_str(&js), js.len, 0, &jerr);
	if (root == NULL)
		fail_msg("JSON does not parse: %s at %d: %s", jerr.text,
			 jerr.position, ky_buf_str(&js));
	ky_buf_free(&js);
	return root;
}

static void js_str(json_t *root, const char *path, const char *want)
{
	char buf[128];
	json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf, *dot; v && p; p = dot ? dot + 1 : NULL) {
		dot = strchr(p, '.');
		if (dot)
			*dot = '\0';
		v = json_object_get(v, p);
	}
	if (want == NULL) {
		if (!json_is_null(v))
			fail_msg("%s: want null", path);
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: got %s, want \"%s\"", path,
			 json_is_string(v) ? json_string_value(v)
					   : "(not a string)",
			 want);
}

static json_t *js_get(json_t *root, const char *a, const char *b)
{
	json_t *v = json_object_get(root, a);

	return b ? json_object_get(v, b) : v;
}

/* The array at key holds exactly the strings of want (NULL-terminated). */
static void js_list(json_t *root, const char *key, const char *const *want)
{
	json_t *a = json_object_get(root, key);
	size_t n = 0;

	while (want[n])
		n++;
	assert_true(json_is_array(a));
	if (json_array_size(a) != n) {
		char *s = json_dumps(a, 0);
		fail_msg("%s: %s, want %zu entries", key, s, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(a, i)),
				    want[i]);
}

static void has_line(const struct ky_buf *md, const char *line)
{
	const char *s = ky_buf_str(md), *p = s;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == s || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return;
		p++;
	}
	fail_msg("Markdown lacks line \"%s\":\n%s", line, s);
}

static void test_early_warning_fields(void **state)
{
	struct ky_nis2_input in;
	struct ky_buf md;
	json_t *r, *a;

	(void)state;
	sample(&in);
	ky_buf_init(&md, 0);
	r = report(&in, KY_STAGE_EARLY_WARNING, &md);
	js_str(r, "schema", "kyklos-nis2-report/1");
	js_str(r, "regime", "nis2");
	js_str(r, "stage", "early-warning");
	js_str(r, "title", "early warning");
	js_str(r, "legal_basis", "NIS2 Art. 23(4)(a)");
	js_str(r, "as_of", "2026-03-28T14:00:00.000Z");
	/* 24 elapsed hours across the 29 March change: 14:00 CEST. */
	js_str(r, "deadline.due", "2026-03-29T12:00:00.000Z");
	js_str(r, "deadline.due_local", "2026-03-29T14:00:00+02:00");
	js_str(r, "deadline.time_zone", "Europe/Berlin");
	js_str(r, "deadline.state", "pending");
	js_str(r, "deadline.submitted", NULL);
	assert_true(json_is_true(js_get(r, "deadline", "due_known")));
	assert_true(json_is_false(js_get(r, "deadline", "provisional")));
	js_str(r, "deadline.depends_on", "24 hours after becoming aware");
	js_str(r, "incident.id", "INC-2026-0042");
	js_str(r, "incident.title", "Ransomware on \"SCADA\" historian");
	assert_true(json_is_true(js_get(r, "incident", "significant")));
	js_str(r, "entity.name", "Stadtwerke Musterstadt GmbH");
	js_str(r, "entity.member_state", "DE");
	assert_true(
		json_is_false(js_get(r, "entity", "trust_service_provider")));
	js_str(r, "entity.sector.code", "energy");
	js_str(r, "entity.sector.name", "Energy");
	js_str(r, "entity.sector.annex", "I");
	js_str(r, "entity.subsector.code", "electricity");
	js_str(r, "entity.subsector.name", "Electricity");
	js_str(r, "times.detected", "2026-03-28T11:40:00.000Z");
	js_str(r, "times.aware", "2026-03-28T12:00:00.000Z");
	js_str(r, "times.started", "2026-03-28T03:15:00.000Z");
	js_str(r, "times.ended", NULL);
	js_str(r, "times.fix_available", NULL);
	assert_true(json_is_true(js_get(r, "times", "ongoing")));
	js_str(r, "assessment.suspected_malicious", "yes");
	assert_true(
		json_is_true(js_get(r, "assessment", "cross_border_impact")));
	a = js_get(r, "assessment", "member_states_affected");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "AT");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "PL");
	js_str(r, "assessment.severity", "high");
	js_str(r, "assessment.impact",
	       "Billing and load forecasting unavailable");
	assert_int_equal(
		json_integer_value(js_get(r, "assessment", "affected_users")),
		12000);
	assert_int_equal(
		json_integer_value(js_get(r, "assessment", "affected_systems")),
		40);
	js_str(r, "assessment.threat_type", NULL);
	js_str(r, "assessment.root_cause", NULL);
	js_str(r, "assessment.mitigations",
	       "Historian isolated; restore from offline backup");
	a = json_object_get(r, "indicators");
	assert_int_equal(json_array_size(a), 2);
	js_str(json_array_get(a, 0), "type", "ipv4-addr");
	js_str(json_array_get(a, 0), "value", "203.0.113.7");
	js_str(json_array_get(a, 1), "type", "domain-name");
	js_str(json_array_get(a, 1), "value", "update-check.example");
	js_str(r, "classification.rsit_class", "malicious-code");
	js_str(r, "classification.rsit_type", "ransomware");
	js_str(r, "marking.tlp", "TLP:AMBER");
	js_list(r, "missing", (const char *const[]){NULL});
	js_list(r, "missing_optional", (const char *const[]){NULL});
	json_decref(r);

	has_line(&md, "# NIS2 early warning: INC-2026-0042");
	has_line(&md, "**TLP:AMBER**");
	has_line(&md, "- **Legal basis:** NIS2 Art. 23(4)(a)");
	has_line(&md, "- **Due:** 2026-03-29T14:00:00+02:00 "
		      "(2026-03-29T12:00:00.000Z)");
	has_line(&md, "- **Aware:** 2026-03-28T13:00:00+01:00 "
		      "(2026-03-28T12:00:00.000Z)");
	has_line(&md, "- **Sector:** Energy");
	has_line(&md, "- **Subsector:** Electricity");
	has_line(&md, "- **Member states affected:** AT, PL");
	has_line(&md, "- **Suspected malicious:** yes");
	has_line(&md, "- **Affected users:** 12000");
	has_line(&md, "- ipv4-addr: `203.0.113.7`");
	has_line(&md, "- **Root cause:** _(not known)_");
	has_line(&md, "_(nothing required)_");
	ky_buf_free(&md);
}

/* What each stage still needs, per Art. 23(4)(a)-(e). */
static void test_missing_per_stage(void **state)
{
	struct ky_nis2_input in;
	struct ky_buf md;
	json_t *r;
	const char *const unk[] = {"assessment.severity"};

	(void)state;
	sample(&in);
	in.n_indicators = 0;
	in.affected_systems = -1;
	r = report(&in, KY_STAGE_NOTIFICATION, NULL);
	js_str(r, "legal_basis", "NIS2 Art. 23(4)(b)");
	js_str(r, "deadline.due", "2026-03-31T12:00:00.000Z");
	js_list(r, "missing", (const char *const[]){NULL});
	js_list(r, "missing_optional",
		(const char *const[]){"indicators",
				      "assessment.affected_systems", NULL});
	assert_int_equal(json_array_size(json_object_get(r, "indicators")), 0);
	json_decref(r);

	/* The analyst marked severity as not known yet. */
	in.unknown = unk;
	in.n_unknown = 1;
	in.malicious = KY_TRI_UNKNOWN;
	r = report(&in, KY_STAGE_NOTIFICATION, NULL);
	js_list(r, "missing",
		(const char *const[]){"assessment.suspected_malicious",
				      "assessment.severity", NULL});
	json_decref(r);

	/* Final: root cause and cross-border states. */
	sample(&in);
	in.n_cross_border_states = 0;
	in.submitted_ns[KY_STAGE_NOTIFICATION] = utc(2026, 3, 30, 8, 0);
	ky_buf_init(&md, 0);
	r = report(&in, KY_STAGE_FINAL, &md);
	js_str(r, "legal_basis", "NIS2 Art. 23(4)(d)");
	js_str(r, "deadline.due", "2026-04-30T08:00:00.000Z");
	js_str(r, "deadline.due_local", "2026-04-30T10:00:00+02:00");
	assert_true(json_is_false(js_get(r, "deadline", "provisional")));
	js_list(r, "missing",
		(const char *const[]){"assessment.root_cause",
				      "assessment.member_states_affected",
				      NULL});
	js_list(r, "missing_optional",
		(const char *const[]){"times.ended", NULL});
	json_decref(r);
	has_line(&md, "- [ ] assessment.root_cause (required)");
	has_line(&md, "- [ ] times.ended (where available)");
	has_line(&md, "# NIS2 final report: INC-2026-0042");
	ky_buf_free(&md);
	/* A threat type satisfies the root-cause requirement. */
	in.threat_type = "ransomware via exposed VPN";
	in.n_cross_border_states = 1;
	r = report(&in, KY_STAGE_FINAL, NULL);
	js_list(r, "missing", (const char *const[]){NULL});
	json_decref(r);

	/* Progress (still ongoing) and intermediate (requested). */
	r = report(&in, KY_STAGE_PROGRESS, NULL);
	js_str(r, "legal_basis", "NIS2 Art. 23(4)(e)");
	js_list(r, "missing", (const char *const[]){"status_update", NULL});
	json_decref(r);
	in.intermediate_requested_ns = utc(2026, 4, 2, 9, 0);
	in.intermediate_due_ns = utc(2026, 4, 3, 9, 0);
	r = report(&in, KY_STAGE_INTERMEDIATE, NULL);
	js_str(r, "legal_basis", "NIS2 Art. 23(4)(c)");
	js_str(r, "deadline.due", "2026-04-03T09:00:00.000Z");
	json_decref(r);
}

static void test_cra_report(void **state)
{
	struct ky_nis2_input in;
	struct ky_buf md;
	struct ky_err err = {0};
	json_t *r;

	(void)state;
	sample(&in);
	in.regime = KY_REGIME_CRA_VULN;
	in.product = "GridLink RTU 4.2.1";
	in.threat_type = "pre-auth command injection in web UI";
	ky_buf_init(&md, 0);
	r = report(&in, KY_STAGE_NOTIFICATION, &md);
	js_str(r, "regime", "cra-vulnerability");
	js_str(r, "title", "vulnerability notification");
	js_str(r, "legal_basis", "CRA Art. 14(2)(b)");
	js_list(r, "missing",
		(const char *const[]){"assessment.user_measures", NULL});
	json_decref(r);
	has_line(&md, "# CRA vulnerability notification: INC-2026-0042");
	has_line(&md, "- **Product:** GridLink RTU 4.2.1");
	ky_buf_free(&md);
	/* Final without a fix: due unknown, and listed as missing. */
	r = report(&in, KY_STAGE_FINAL, NULL);
	assert_true(json_is_false(js_get(r, "deadline", "due_known")));
	js_str(r, "deadline.due", NULL);
	js_list(r, "missing",
		(const char *const[]){"times.fix_available", NULL});
	json_decref(r);
	assert_int_equal(
		ky_nis2_report(&in, KY_STAGE_INTERMEDIATE, NULL, NULL, &err),
		KY_E_INVAL);
	assert_non_null(strstr(err.msg, "does not apply"));
	assert_non_null(strstr(err.msg, "cra-vulnerability"));
}

static void expect_err(const struct ky_nis2_input *in, enum ky_stage st,
		       int code, const char *needle)
{
	struct ky_buf js;
	struct ky_err err = {0};

	ky_buf_init(&js, 0);
	int r = ky_nis2_report(in, st, &js, NULL, &err);
	if (r != code || strstr(err.msg, needle) == NULL)
		fail_msg("got %d \"%s\", want %d with \"%s\"", r, err.msg, code,
			 needle);
	assert_int_equal(js.len, 0);
	ky_buf_free(&js);
}

static void test_bad_input(void **state)
{
	struct ky_nis2_input in;
	const char *const bad_unknown[] = {"assessment.colour"};
	const char *const bad_states[] = {"AT", "pl"};
	char *huge;

	(void)state;
	sample(&in);
	in.tz = "Europe/Atlantis";
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_NOTFOUND,
		   "Europe/Atlantis");
	sample(&in);
	expect_err(&in, KY_STAGE_INTERMEDIATE, KY_E_INVAL,
		   "stage intermediate does not apply");
	in.ended_ns = utc(2026, 3, 29, 0, 0);
	expect_err(&in, KY_STAGE_PROGRESS, KY_E_INVAL, "NIS2 Art. 23(4)(e)");
	expect_err(&in, (enum ky_stage)9, KY_E_INVAL, "stage 9");
	sample(&in);
	in.significant = false;
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL, "significant");
	sample(&in);
	in.sector = "energie";
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL,
		   "entity.sector \"energie\"");
	sample(&in);
	in.subsector = "rail";
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL,
		   "belongs to sector transport");
	sample(&in);
	in.sector = "electricity";
	in.subsector = NULL;
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL, "subsector of");
	sample(&in);
	in.tlp = "TLP:WHITE";
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL, "TLP 2.0");
	sample(&in);
	in.member_state = "Germany";
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL,
		   "entity.member_state");
	sample(&in);
	in.cross_border_states = bad_states;
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL,
		   "member_states_affected[1]");
	sample(&in);
	in.unknown = bad_unknown;
	in.n_unknown = 1;
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL,
		   "assessment.colour");
	sample(&in);
	in.impact = "Abrechnung ausgefallen \xc3\x28 und mehr";
	expect_err(&in, KY_STAGE_NOTIFICATION, KY_E_INVAL,
		   "assessment.impact: offset 23: invalid UTF-8");
	sample(&in);
	in.aware_ns = 0;
	expect_err(&in, KY_STAGE_EARLY_WARNING, KY_E_INVAL, "awareness");
	sample(&in);
	huge = malloc(70000);
	memset(huge, 'x', 69999);
	huge[69999] = '\0';
	in.root_cause = huge;
	expect_err(&in, KY_STAGE_FINAL, KY_E_TOOBIG, "assessment.root_cause");
	free(huge);
	sample(&in);
	struct ky_nis2_indicator bad_ioc = {"ipv4-addr", NULL};
	in.indicators = &bad_ioc;
	in.n_indicators = 1;
	expect_err(&in, KY_STAGE_NOTIFICATION, KY_E_INVAL, "indicators[0]");
}

/* Hostile text stays inside its field: JSON escapes it, Markdown cannot be
 * given a new heading or link; a capped buffer fails cleanly. */
static void test_escaping_and_caps(void **state)
{
	struct ky_nis2_input in;
	struct ky_buf md, js;
	struct ky_err err = {0};
	json_t *r;

	(void)state;
	sample(&in);
	in.title =
		"x\n# injected [click](http://evil.example) <img>\x01\t\"q\"";
	ky_buf_init(&md, 0);
	r = report(&in, KY_STAGE_EARLY_WARNING, &md);
	js_str(r, "incident.title", in.title);
	json_decref(r);
	assert_null(strstr(ky_buf_str(&md), "\n# injected"));
	assert_null(strstr(ky_buf_str(&md), "[click]"));
	assert_null(strstr(ky_buf_str(&md), "<img>"));
	has_line(&md,
		 "- **Title:** x # injected \\[click\\](http://evil.example)"
		 " \\<img\\> \"q\"");
	ky_buf_free(&md);

	ky_buf_init(&js, 200);
	ky_buf_adds(&js, "keep");
	assert_int_equal(
		ky_nis2_report(&in, KY_STAGE_EARLY_WARNING, &js, NULL, &err),
		KY_E_TOOBIG);
	assert_string_equal(ky_buf_str(&js), "keep");
	assert_non_null(strstr(err.msg, "INC-2026-0042"));
	ky_buf_free(&js);
}

/* Every sector and subsector code of our Annex I/II table exists in the
 * shared MISP nis2 taxonomy, and every taxonomy sector is in the table. */
static void test_sectors_in_taxonomy(void **state)
{
	const char *dir = getenv("KYKLOS_SHARED_DATA");
	char path[1024];
	json_error_t jerr;
	json_t *root, *values, *v;
	size_t i, n_sectors = 0, n_sub = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/taxonomies/nis2/machinetag.json",
		 dir ? dir : "../shared/data");
	root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		print_message("SKIP: %s not readable (%s): shared taxonomy "
			      "folder taxonomies/nis2 missing\n",
			      path, jerr.text);
		skip();
	}
	json_t *sec = NULL, *sub = NULL;
	values = json_object_get(root, "values");
	json_array_foreach(values, i, v)
	{
		const char *p =
			json_string_value(json_object_get(v, "predicate"));
		if (p && strcmp(p, "impact-sectors-impacted") == 0)
			sec = json_object_get(v, "entry");
		if (p && strcmp(p, "impact-subsectors-impacted") == 0)
			sub = json_object_get(v, "entry");
	}
	assert_non_null(sec);
	assert_non_null(sub);
	for (const struct ky_nis2_sector *s = ky_nis2_sectors(); s->code; s++) {
		json_t *list = s->parent ? sub : sec, *e;
		bool found = false;
		json_array_foreach(list, i, e)
		{
			const char *c =
				json_string_value(json_object_get(e, "value"));
			if (c && strcmp(c, s->code) == 0)
				found = true;
		}
		if (!found)
			fail_msg("%s %s not in %s",
				 s->parent ? "subsector" : "sector", s->code,
				 path);
		if (s->parent) {
			n_sub++;
			assert_non_null(ky_nis2_sector_find(s->parent));
		} else {
			n_sectors++;
		}
	}
	/* Annex I has 11 sectors, Annex II 7. */
	assert_int_equal(n_sectors, 18);
	assert_int_equal(json_array_size(sec), 18);
	assert_int_equal(n_sub, 15);
	print_message("sectors %zu, subsectors %zu checked in %s\n", n_sectors,
		      n_sub, path);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_early_warning_fields),
		cmocka_unit_test(test_missing_per_stage),
		cmocka_unit_test(test_cra_report),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_escaping_and_caps),
		cmocka_unit_test(test_sectors_in_taxonomy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
