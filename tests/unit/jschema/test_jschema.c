/* Unit tests of the JSON schema validator: every keyword with passing and
 * failing instances (table-driven), Unicode lengths, $ref across schemas
 * and cycles, depth limits, formats, and malformed schemas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intel/jschema.h"

#define ID "https://example.org/t.json"

/* One case: schema text, instance text, expected status, and a substring
 * the error must contain (the failing pointer and message). */
struct kcase {
	const char *schema;
	const char *inst;
	int status;
	const char *msg;
};

static const struct kcase cases[] = {
	{"{\"type\":\"string\"}", "\"x\"", 0, NULL},
	{"{\"type\":\"string\"}", "1", KY_E_PARSE,
	 "(root): is integer, expected string"},
	{"{\"type\":[\"string\",\"null\"]}", "null", 0, NULL},
	{"{\"type\":[\"string\",\"null\"]}", "true", KY_E_PARSE,
	 "expected null or string"},
	{"{\"type\":\"integer\"}", "2.0", 0, NULL},
	{"{\"type\":\"integer\"}", "2.5", KY_E_PARSE, "is number"},
	{"{\"type\":\"number\"}", "7", 0, NULL},
	{"{\"properties\":{\"a\":{\"type\":\"integer\"}}}", "{\"a\":1,\"b\":2}",
	 0, NULL},
	{"{\"properties\":{\"a\":{\"type\":\"integer\"}}}", "{\"a\":\"1\"}",
	 KY_E_PARSE, "/a: is string"},
	{"{\"properties\":{\"a/b~c\":{\"type\":\"integer\"}}}",
	 "{\"a/b~c\":null}", KY_E_PARSE, "/a~1b~0c: is null"},
	{"{\"required\":[\"a\",\"b\"]}", "{\"a\":1,\"b\":2}", 0, NULL},
	{"{\"required\":[\"a\",\"b\"]}", "{\"a\":1}", KY_E_PARSE,
	 "(root): required property 'b' is missing"},
	{"{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
	 "{\"a\":1}", 0, NULL},
	{"{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
	 "{\"a\":1,\"zz\":2}", KY_E_PARSE, "property 'zz' is not allowed"},
	{"{\"additionalProperties\":{\"type\":\"string\"}}", "{\"q\":2}",
	 KY_E_PARSE, "/q: is integer"},
	{"{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},"
	 "\"additionalProperties\":false}",
	 "{\"x-a\":\"s\"}", 0, NULL},
	{"{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},"
	 "\"additionalProperties\":false}",
	 "{\"x-a\":1}", KY_E_PARSE, "/x-a: is integer"},
	{"{\"propertyNames\":{\"maxLength\":3}}", "{\"abcd\":1}", KY_E_PARSE,
	 "property name 'abcd'"},
	{"{\"minProperties\":1}", "{}", KY_E_PARSE, "fewer than minProperties"},
	{"{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", KY_E_PARSE,
	 "more than maxProperties"},
	{"{\"items\":{\"type\":\"integer\"}}", "[1,2,3]", 0, NULL},
	{"{\"items\":{\"type\":\"integer\"}}", "[1,2,\"x\"]", KY_E_PARSE,
	 "/2: is string"},
	{"{\"prefixItems\":[{\"type\":\"string\"}],\"items\":{\"type\":"
	 "\"integer\"}}",
	 "[\"a\",1,2]", 0, NULL},
	{"{\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}",
	 "[\"a\",1]", KY_E_PARSE, "/1: no value is allowed"},
	{"{\"minItems\":2}", "[1]", KY_E_PARSE,
	 "1 items, fewer than minItems 2"},
	{"{\"maxItems\":1}", "[1,2]", KY_E_PARSE, "more than maxItems 1"},
	{"{\"uniqueItems\":true}", "[1,\"1\",{\"a\":[1]},{\"a\":[2]}]", 0,
	 NULL},
	{"{\"uniqueItems\":true}", "[{\"a\":1,\"b\":2},3,{\"b\":2,\"a\":1.0}]",
	 KY_E_PARSE, "items 0 and 2 are equal"},
	{"{\"contains\":{\"const\":5}}", "[1,5]", 0, NULL},
	{"{\"contains\":{\"const\":5}}", "[1,4]", KY_E_PARSE, "contains"},
	{"{\"enum\":[\"a\",1,null]}", "1.0", 0, NULL},
	{"{\"enum\":[\"a\",1,null]}", "\"b\"", KY_E_PARSE,
	 "'b' is not one of the enum values"},
	{"{\"const\":{\"x\":[1,2]}}", "{\"x\":[1,2]}", 0, NULL},
	{"{\"const\":{\"x\":[1,2]}}", "{\"x\":[2,1]}", KY_E_PARSE,
	 "does not equal the constant"},
	{"{\"pattern\":\"^a+$\"}", "\"aaa\"", 0, NULL},
	{"{\"pattern\":\"^a+$\"}", "\"aaa\\n\"", KY_E_PARSE,
	 "does not match the pattern"},
	{"{\"pattern\":\"b\"}", "\"abc\"", 0, NULL}, /* not anchored */
	{"{\"pattern\":\"^\\\\u00e9$\"}", "\"\\u00e9\"", 0, NULL},
	{"{\"pattern\":\"^.$\"}", "\"\\u20ac\"", 0, NULL}, /* UTF mode */
	{"{\"pattern\":\"^\\\\d$\"}", "\"5\"", 0, NULL},
	{"{\"pattern\":\"^[^\\\\s](.*[^\\\\s])?$\"}", "\"a\\nb\"", KY_E_PARSE,
	 "pattern"},
	{"{\"minLength\":2,\"maxLength\":3}", "\"\\u00e9\\u20ac\"", 0, NULL},
	{"{\"maxLength\":2}", "\"\\u00e9\\u20ac\\ud83d\\ude00\"", KY_E_PARSE,
	 "3 characters, more than maxLength 2"},
	{"{\"minLength\":2}", "\"\\ud83d\\ude00\"", KY_E_PARSE,
	 "1 characters, fewer than minLength 2"},
	{"{\"minimum\":0,\"maximum\":10}", "10", 0, NULL},
	{"{\"minimum\":0,\"maximum\":10}", "11", KY_E_PARSE,
	 "11 is greater than the maximum 10"},
	{"{\"minimum\":0,\"maximum\":10}", "-0.5", KY_E_PARSE,
	 "-0.5 is less than the minimum 0"},
	{"{\"exclusiveMaximum\":10}", "10", KY_E_PARSE, "exclusive maximum 10"},
	{"{\"exclusiveMinimum\":0}", "0.1", 0, NULL},
	{"{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
	 "\"maximum\":10,\"exclusiveMaximum\":true}",
	 "10", KY_E_PARSE, "greater than or equal to the maximum 10"},
	{"{\"multipleOf\":0.5}", "2.5", 0, NULL},
	{"{\"multipleOf\":3}", "10", KY_E_PARSE, "not a multiple of 3"},
	{"{\"maximum\":9007199254740993}", "9007199254740993", 0, NULL},
	{"{\"maximum\":9007199254740992}", "9007199254740993", KY_E_PARSE,
	 "greater than"},
	{"{\"format\":\"date-time\"}", "\"2024-02-29T23:59:60.5+01:00\"", 0,
	 NULL},
	{"{\"format\":\"date-time\"}", "\"2023-02-29T10:00:00Z\"", KY_E_PARSE,
	 "not a valid date-time"},
	{"{\"format\":\"date-time\"}", "\"2023-01-01 10:00:00Z\"", KY_E_PARSE,
	 "date-time"},
	{"{\"format\":\"date-time\"}", "\"2023-01-01T10:00:00\"", KY_E_PARSE,
	 "date-time"},
	{"{\"format\":\"uri\"}", "\"https://example.com/a?b=c#d\"", 0, NULL},
	{"{\"format\":\"uri\"}", "\"/relative/path\"", KY_E_PARSE,
	 "not a valid uri"},
	{"{\"format\":\"uri\"}", "\"http://exa mple.com\"", KY_E_PARSE, "uri"},
	{"{\"format\":\"uri\"}", "\"http://x/%zz\"", KY_E_PARSE, "uri"},
	{"{\"format\":\"email\"}", "\"psirt@example.com\"", 0, NULL},
	{"{\"format\":\"email\"}", "\"a..b@example.com\"", KY_E_PARSE, "email"},
	{"{\"format\":\"email\"}", "\"no-at-sign\"", KY_E_PARSE, "email"},
	{"{\"format\":\"unknown-thing\"}", "\"anything\"", 0, NULL},
	{"{\"allOf\":[{\"minimum\":1},{\"maximum\":3}]}", "2", 0, NULL},
	{"{\"allOf\":[{\"minimum\":1},{\"maximum\":3}]}", "4", KY_E_PARSE,
	 "maximum 3"},
	{"{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":3}]}", "5", 0, NULL},
	{"{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":3}]}", "1", KY_E_PARSE,
	 "(root): 1 is less than the minimum 3 (no branch of anyOf"},
	{"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":3}]}", "1", 0, NULL},
	{"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":3}]}", "5",
	 KY_E_PARSE, "more than one schema of oneOf"},
	{"{\"oneOf\":[{\"properties\":{\"v\":{\"const\":1},\"s\":{\"maximum\":"
	 "5}},\"required\":[\"x\"]},{\"properties\":{\"v\":{\"const\":2},\"s\":"
	 "{\"maximum\":10}}}]}",
	 "{\"v\":2,\"s\":11}", KY_E_PARSE,
	 "/s: 11 is greater than the maximum 10 (no branch of oneOf matched; "
	 "closest is branch 1)"},
	{"{\"not\":{\"type\":\"string\"}}", "1", 0, NULL},
	{"{\"not\":{\"type\":\"string\"}}", "\"s\"", KY_E_PARSE,
	 "must not match"},
	{"{\"if\":{\"properties\":{\"k\":{\"const\":\"a\"}}},\"then\":{"
	 "\"required\":[\"a\"]},\"else\":{\"required\":[\"b\"]}}",
	 "{\"k\":\"a\",\"a\":1}", 0, NULL},
	{"{\"if\":{\"properties\":{\"k\":{\"const\":\"a\"}}},\"then\":{"
	 "\"required\":[\"a\"]},\"else\":{\"required\":[\"b\"]}}",
	 "{\"k\":\"z\",\"a\":1}", KY_E_PARSE, "property 'b' is missing"},
	{"{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"b\":1}", 0, NULL},
	{"{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}", KY_E_PARSE,
	 "property 'a' requires property 'b'"},
	{"{\"dependentSchemas\":{\"a\":{\"required\":[\"c\"]}}}", "{\"a\":1}",
	 KY_E_PARSE, "'c' is missing"},
	{"{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
	 "\"dependencies\":{\"a\":[\"b\"]}}",
	 "{\"a\":1}", KY_E_PARSE, "requires property 'b'"},
	{"{\"$defs\":{\"pos\":{\"type\":\"integer\",\"minimum\":1}},"
	 "\"properties\":{\"n\":{\"$ref\":\"#/$defs/pos\"}}}",
	 "{\"n\":0}", KY_E_PARSE, "/n: 0 is less than the minimum 1"},
	{"{\"$defs\":{\"a b\":{\"type\":\"null\"}},\"$ref\":\"#/$defs/a%20b\"}",
	 "null", 0, NULL},
	/* 2020-12: $ref siblings apply; draft-07: they are ignored. */
	{"{\"$defs\":{\"i\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/i\","
	 "\"maximum\":3}",
	 "4", KY_E_PARSE, "maximum 3"},
	{"{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
	 "\"definitions\":{\"i\":{\"type\":\"integer\"}},\"$ref\":\"#/"
	 "definitions/i\",\"maximum\":3}",
	 "4", 0, NULL},
	{"{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"kids\":{"
	 "\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}},"
	 "\"additionalProperties\":false}},\"$ref\":\"#/$defs/node\"}",
	 "{\"kids\":[{\"kids\":[]},{\"kids\":[{\"bad\":1}]}]}", KY_E_PARSE,
	 "/kids/1/kids/0: property 'bad' is not allowed"},
	{"true", "{\"anything\":[1]}", 0, NULL},
	{"false", "1", KY_E_PARSE, "schema false"},
	{"{\"title\":\"t\",\"description\":\"d\",\"examples\":[1]}", "2", 0,
	 NULL},
	/* A cycle that never consumes the instance must stop, not crash. */
	{"{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/"
	 "a\"}},\"$ref\":\"#/$defs/a\"}",
	 "1", KY_E_TOOBIG, "(a $ref cycle?)"},
	{"{\"$ref\":\"https://example.org/missing.json\"}", "1", KY_E_NOTFOUND,
	 "unresolved $ref"},
};

static int check(const char *schema, const char *inst, struct ky_err *err)
{
	struct ky_jschema *s = NULL;
	json_t *sj = json_loads(schema, JSON_DECODE_ANY, NULL);
	json_t *ij = json_loads(inst, JSON_DECODE_ANY, NULL);
	int r;

	if (sj == NULL || ij == NULL)
		fail_msg("bad test JSON: %s / %s", schema, inst);
	assert_int_equal(ky_jschema_new(&s), 0);
	r = ky_jschema_add(s, sj, ID, err);
	if (r != 0)
		fail_msg("schema %s: %s", schema, err->msg);
	r = ky_jschema_validate(s, ID, ij, err);
	ky_jschema_free(s);
	json_decref(sj);
	json_decref(ij);
	return r;
}

static void test_keywords(void **state)
{
	size_t bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kcase *c = &cases[i];
		struct ky_err err = {0};
		int r = check(c->schema, c->inst, &err);
		if (r != c->status ||
		    (c->msg && strstr(err.msg, c->msg) == NULL)) {
			printf("case %zu: schema %s instance %s: got %d '%s', "
			       "want %d '%s'\n",
			       i, c->schema, c->inst, r, err.msg, c->status,
			       c->msg ? c->msg : "");
			bad++;
		}
	}
	printf("%zu keyword cases, %zu wrong\n",
	       sizeof(cases) / sizeof(cases[0]), bad);
	assert_int_equal(bad, 0);
}

/* $ref to another schema by its $id, registered before or after. */
static void test_cross_ref(void **state)
{
	struct ky_jschema *s = NULL;
	struct ky_err err = {0};
	json_t *a = json_loads("{\"$id\":\"https://x.org/a.json\",\"type\":"
			       "\"object\",\"properties\":{\"s\":{\"$ref\":"
			       "\"b.json#/$defs/score\"}}}",
			       0, NULL);
	json_t *b = json_loads("{\"$schema\":\"http://json-schema.org/"
			       "draft-04/schema#\",\"id\":\"https://x.org/"
			       "b.json?v=1\",\"$defs\":{\"score\":{\"type\":"
			       "\"number\",\"maximum\":10}}}",
			       0, NULL);
	json_t *d = json_loads("{\"s\":10.5}", 0, NULL);

	(void)state;
	assert_int_equal(ky_jschema_new(&s), 0);
	assert_int_equal(ky_jschema_add(s, a, NULL, &err), 0);
	/* Pending until b is added. */
	assert_int_equal(
		ky_jschema_validate(s, "https://x.org/a.json", d, &err),
		KY_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "unresolved $ref"));
	assert_int_equal(ky_jschema_add(s, b, "https://x.org/b.json", &err), 0);
	assert_int_equal(
		ky_jschema_validate(s, "https://x.org/a.json", d, &err),
		KY_E_PARSE);
	assert_string_equal(err.msg, "/s: 10.5 is greater than the maximum 10");
	/* Registering the same URI twice is refused. */
	assert_int_equal(ky_jschema_add(s, b, "https://x.org/b.json", &err),
			 KY_E_EXISTS);
	assert_int_equal(
		ky_jschema_validate(s, "https://x.org/none.json", d, &err),
		KY_E_NOTFOUND);
	ky_jschema_free(s);
	json_decref(a);
	json_decref(b);
	json_decref(d);
}

static void test_bad_schemas(void **state)
{
	static const struct {
		const char *schema;
		int status;
		const char *msg;
	} bad[] = {
		{"{\"pattern\":\"(unclosed\"}", KY_E_PARSE, "pattern offset"},
		{"{\"properties\":{\"a\":{\"pattern\":\"[\"}}}", KY_E_PARSE,
		 "schema /properties/a"},
		{"{\"type\":\"strin\"}", KY_E_PARSE, "unknown type"},
		{"{\"minLength\":-1}", KY_E_PARSE, "non-negative integer"},
		{"{\"required\":\"a\"}", KY_E_PARSE, "array of strings"},
		{"{\"anyOf\":[]}", KY_E_PARSE, "non-empty array"},
		{"{\"items\":3}", KY_E_PARSE, "object or a boolean"},
		{"{\"unevaluatedProperties\":false}", KY_E_UNSUPPORTED,
		 "not supported"},
		{"{\"$ref\":\"#/$defs/nothere\"}", KY_E_PARSE,
		 "points nowhere"},
		{"{\"$ref\":5}", KY_E_PARSE, "must be a string"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ky_jschema *s = NULL;
		struct ky_err err = {0};
		json_t *j = json_loads(bad[i].schema, 0, NULL);
		assert_non_null(j);
		assert_int_equal(ky_jschema_new(&s), 0);
		assert_int_equal(ky_jschema_add(s, j, ID, &err), bad[i].status);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("%s: '%s' lacks '%s'", bad[i].schema, err.msg,
				 bad[i].msg);
		ky_jschema_free(s);
		json_decref(j);
	}
	/* No $id and no URI: nowhere to register it. */
	struct ky_jschema *s = NULL;
	struct ky_err err = {0};
	json_t *j = json_loads("{}", 0, NULL);
	assert_int_equal(ky_jschema_new(&s), 0);
	assert_int_equal(ky_jschema_add(s, j, NULL, &err), KY_E_INVAL);
	ky_jschema_free(s);
	json_decref(j);
}

/* Nesting: an array nested past the limit against a recursive schema. */
static void test_deep_nesting(void **state)
{
	size_t depth = KY_JSCHEMA_MAX_DEPTH + 10;
	char *text = malloc(depth * 2 + 1);
	struct ky_err err = {0};
	json_t *doc;
	struct ky_jschema *s = NULL;
	json_t *sj = json_loads("{\"$defs\":{\"a\":{\"type\":\"array\","
				"\"items\":{\"$ref\":\"#/$defs/a\"}}},"
				"\"$ref\":\"#/$defs/a\"}",
				0, NULL);

	(void)state;
	assert_non_null(text);
	memset(text, '[', depth);
	memset(text + depth, ']', depth);
	text[depth * 2] = '\0';
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(ky_jschema_new(&s), 0);
	assert_int_equal(ky_jschema_add(s, sj, ID, &err), 0);
	assert_int_equal(ky_jschema_validate(s, ID, doc, &err), KY_E_TOOBIG);
	assert_non_null(strstr(err.msg, "nesting deeper than"));
	json_decref(doc);
	/* Shallow enough: accepted. */
	text[100] = '\0';
	memset(text + 50, ']', 50);
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(ky_jschema_validate(s, ID, doc, &err), 0);
	json_decref(doc);
	ky_jschema_free(s);
	json_decref(sj);
	free(text);
}

static void test_formats(void **state)
{
	static const struct {
		const char *fmt, *s;
		int want;
	} f[] = {
		{"date-time", "2022-03-03T11:00:00.000Z", 1},
		{"date-time", "2022-03-03t11:00:00z", 1},
		{"date-time", "2022-13-03T11:00:00Z", 0},
		{"date-time", "2022-03-03T24:00:00Z", 0},
		{"date-time", "2022-03-03T11:00:00+24:00", 0},
		{"date-time", "2022-03-03T11:00:00.Z", 0},
		{"date-time", "2100-02-29T00:00:00Z", 0},
		{"date-time", "2000-02-29T00:00:00Z", 1},
		{"date", "2022-04-31", 0},
		{"uri", "urn:ietf:rfc:3986", 1},
		{"uri", "mailto:a@b.c", 1},
		{"uri", "http://[::1]:80/x", 1},
		{"uri", "http://a/b#c#d", 0},
		{"uri", "1http://a", 0},
		{"uri", "", 0},
		{"uri-reference", "../a/b?c", 1},
		{"uri-reference", "a:b:c", 1},
		{"email", "\"quoted local\"@example.com", 1},
		{"email", "x@[192.0.2.1]", 1},
		{"email", "x@-bad.com", 0},
		{"email", ".x@a.com", 0},
		{"uuid", "123e4567-e89b-12d3-a456-426614174000", 1},
		{"uuid", "123e4567e89b-12d3-a456-426614174000", 0},
		{"hostname", "x", -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (ky_jschema_format_check(f[i].fmt, f[i].s, strlen(f[i].s)) !=
		    f[i].want)
			fail_msg("%s '%s' should give %d", f[i].fmt, f[i].s,
				 f[i].want);
}

/* A pathological pattern on a long string gives up instead of hanging. */
static void test_regex_limit(void **state)
{
	size_t n = 40;
	char *text = malloc(n + 4);
	struct ky_err err = {0};
	int r;

	(void)state;
	assert_non_null(text);
	text[0] = '"';
	memset(text + 1, 'a', n);
	text[n + 1] = 'b';
	text[n + 2] = '"';
	text[n + 3] = '\0';
	r = check("{\"pattern\":\"^(a|a)*$\"}", text, &err);
	assert_int_equal(r, KY_E_PARSE);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_cross_ref),
		cmocka_unit_test(test_bad_schemas),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_regex_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
