/* Alerts as JSON: every member present with the right value, the rule's
 * author kept (Detection Rule License), the event's raw bytes as a valid
 * JSON string whatever they hold, and all-or-nothing on a full buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/buf.h"
#include "base/time.h"
#include "detect/ruleset.h"

static char *tags[] = {"attack.execution", "attack.t1059.001"};

static struct ky_sigma_rule make_rule(void)
{
	struct ky_sigma_rule r;

	memset(&r, 0, sizeof(r));
	r.id = "5f9c2e1a-0000-4000-8000-000000000001";
	r.title = "Suspicious \"PowerShell\"";
	r.author = "Florian Roth (Nextron Systems)";
	r.path = "rules/windows/x.yml";
	r.level = KY_SIGMA_HIGH;
	r.tags = tags;
	r.ntags = 2;
	return r;
}

static json_t *to_json(const struct ky_alert *a)
{
	struct ky_buf b;
	json_error_t jerr;
	json_t *j;

	ky_buf_init(&b, 0);
	assert_int_equal(ky_alert_to_json(a, &b), 0);
	j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &jerr);
	if (!j)
		fail_msg("not JSON (%s): %s", jerr.text, ky_buf_str(&b));
	ky_buf_free(&b);
	return j;
}

static void test_members(void **state)
{
	static const char raw[] = "{\"EventID\":1,\"Image\":\"C:\\\\a.exe\"}";
	struct ky_sigma_rule rule = make_rule();
	struct ky_alert_field f[2] = {
		{"Image", 5, "C:\\a.exe", 8},
		{"CommandLine", 11, "x \"y\"\n", 6},
	};
	struct ky_event ev;
	struct ky_alert a;
	json_t *j, *r, *m;
	int64_t t;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.raw = raw;
	ev.raw_len = sizeof(raw) - 1;
	assert_true(ky_time_parse_rfc3339("2024-05-01T12:00:00.5Z", 22, &t) >
		    0);
	ev.time_ns = t;
	ev.recv_ns = t + KY_NS_PER_SEC;
	a.rule = &rule;
	a.ev = &ev;
	a.fields = f;
	a.nfields = 2;
	j = to_json(&a);
	r = json_object_get(j, "rule");
	assert_string_equal(json_string_value(json_object_get(r, "id")),
			    rule.id);
	assert_string_equal(json_string_value(json_object_get(r, "title")),
			    rule.title);
	assert_string_equal(json_string_value(json_object_get(r, "level")),
			    "high");
	assert_string_equal(json_string_value(json_object_get(r, "author")),
			    rule.author);
	assert_string_equal(json_string_value(json_object_get(r, "path")),
			    rule.path);
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 2);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(r, "tags"), 1)),
			    "attack.t1059.001");
	m = json_object_get(j, "matched");
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(m, 1), "field")),
			    "CommandLine");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(m, 1), "value")),
			    "x \"y\"\n");
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "2024-05-01T12:00:00.500Z");
	assert_string_equal(json_string_value(json_object_get(j, "received")),
			    "2024-05-01T12:00:01.500Z");
	assert_string_equal(json_string_value(json_object_get(j, "event")),
			    raw);
	json_decref(j);
}

static void test_missing(void **state)
{
	struct ky_sigma_rule rule;
	struct ky_event ev;
	struct ky_alert a = {0};
	json_t *j, *r;

	(void)state;
	memset(&rule, 0, sizeof(rule));
	memset(&ev, 0, sizeof(ev));
	a.rule = &rule;
	a.ev = &ev;
	j = to_json(&a);
	r = json_object_get(j, "rule");
	assert_true(json_is_null(json_object_get(r, "id")));
	assert_true(json_is_null(json_object_get(r, "author")));
	assert_string_equal(json_string_value(json_object_get(r, "level")),
			    "informational");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "matched")), 0);
	assert_true(json_is_null(json_object_get(j, "time")));
	assert_true(json_is_null(json_object_get(j, "event")));
	json_decref(j);
}

/* Invalid UTF-8, NUL and control bytes in the event and in a matched
 * value still give valid JSON (U+FFFD for bad bytes). */
static void test_hostile_bytes(void **state)
{
	static const char raw[] = "a\xff\xfe\x00\x01\x1f\"\\\xc3\x28\xe2\x82"
				  "z\xf0\x9f\x98\x80";
	struct ky_sigma_rule rule = make_rule();
	struct ky_alert_field f = {"F\xff", 2, "\xc0\xaf\x7f", 3};
	struct ky_event ev;
	struct ky_alert a;
	json_t *j;
	const char *s;
	size_t n;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.raw = raw;
	ev.raw_len = sizeof(raw) - 1;
	a.rule = &rule;
	a.ev = &ev;
	a.fields = &f;
	a.nfields = 1;
	j = to_json(&a);
	s = json_string_value(json_object_get(j, "event"));
	n = json_string_length(json_object_get(j, "event"));
	assert_non_null(s);
	assert_int_equal(s[7], '\0'); /* a, 2 x U+FFFD, then the NUL */
	assert_non_null(memmem(s, n, "\xef\xbf\xbd", 3));
	assert_non_null(memmem(s, n, "\xf0\x9f\x98\x80", 4)); /* kept */
	assert_non_null(memmem(s, n, "\"\\", 2));
	json_decref(j);
}

/* A buffer too small: an error, and the buffer as it was. */
static void test_full_buffer(void **state)
{
	struct ky_sigma_rule rule = make_rule();
	char big[100000];
	struct ky_event ev;
	struct ky_alert a = {0};
	struct ky_buf b;

	(void)state;
	memset(big, 'x', sizeof(big));
	memset(&ev, 0, sizeof(ev));
	ev.raw = big;
	ev.raw_len = sizeof(big);
	a.rule = &rule;
	a.ev = &ev;
	ky_buf_init(&b, 4096);
	assert_int_equal(ky_buf_adds(&b, "prefix"), 0);
	assert_int_equal(ky_alert_to_json(&a, &b), KY_E_TOOBIG);
	assert_int_equal(b.len, 6);
	assert_string_equal(ky_buf_str(&b), "prefix");
	ky_buf_free(&b);
	/* a huge event fits an uncapped buffer */
	ky_buf_init(&b, 0);
	assert_int_equal(ky_alert_to_json(&a, &b), 0);
	assert_true(b.len > sizeof(big));
	ky_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_full_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
