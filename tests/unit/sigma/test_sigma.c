/* Unit tests for the Sigma loader (detect/sigma.h): every detection shape,
 * modifiers, metadata, correlation and filter documents, multi-document
 * files, positioned errors, and every SigmaHQ rule in the shared data. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/sigma.h"

struct set {
	struct ky_sigma_rule **v;
	size_t n;
	struct ky_err err;
	int rc;
};

static void load(struct set *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	s->rc = ky_sigma_load_mem("t.yml", text, strlen(text), &s->v, &s->n,
				  &s->err);
}

static void drop(struct set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ky_sigma_rule_free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Loads text that must fail with exactly msg. */
static void fails(const char *text, const char *msg)
{
	struct set s;

	load(&s, text);
	if (s.rc == 0)
		fail_msg("loaded, expected \"%s\"", msg);
	assert_int_equal(s.rc, KY_E_PARSE);
	assert_string_equal(s.err.msg, msg);
	drop(&s);
}

/* The one rule of text, which must load. */
static struct ky_sigma_rule *one(struct set *s, const char *text)
{
	load(s, text);
	if (s->rc != 0)
		fail_msg("%s", s->err.msg);
	assert_int_equal(s->n, 1);
	return s->v[0];
}

static const struct ky_sigma_search *search(const struct ky_sigma_rule *r,
					    const char *name)
{
	size_t i;

	for (i = 0; i < r->nsearches; i++) {
		if (strcmp(r->searches[i].name, name) == 0)
			return &r->searches[i];
	}
	fail_msg("no search %s", name);
	return NULL;
}

#define HEAD "title: t\nlogsource:\n  product: windows\n"

static void test_map_shape(void **state)
{
	struct set s;
	const struct ky_sigma_search *se;
	const struct ky_sigma_item *it;
	struct ky_sigma_rule *r =
		one(&s, HEAD "detection:\n"
			     "  sel:\n"
			     "    Image|endswith: '\\cmd.exe'\n"
			     "    CommandLine:\n"
			     "      - '* /c *'\n"
			     "      - \"x?y\"\n"
			     "  condition: sel\n");

	(void)state;
	assert_int_equal(r->kind, KY_SIGMA_DETECTION);
	assert_int_equal(r->nsearches, 1);
	se = search(r, "sel");
	assert_int_equal(se->line, 5);
	assert_int_equal(se->col, 3);
	assert_int_equal(se->ngroups, 1);
	assert_int_equal(se->groups[0].nitems, 2);
	it = &se->groups[0].items[0];
	assert_string_equal(it->field, "Image");
	assert_true(it->mods == KY_SIGMA_MOD(ENDSWITH));
	assert_int_equal(it->nvalues, 1);
	assert_int_equal(it->values[0].type, KY_SV_STRING);
	assert_string_equal(it->values[0].s, "\\cmd.exe");
	assert_int_equal(it->values[0].len, 8);
	assert_int_equal(it->line, 6);
	assert_int_equal(it->col, 5);
	it = &se->groups[0].items[1];
	assert_string_equal(it->field, "CommandLine");
	assert_int_equal(it->mods, 0);
	assert_int_equal(it->nvalues, 2);
	assert_string_equal(it->values[0].s, "* /c *");
	assert_string_equal(it->values[1].s, "x?y");
	assert_int_equal(r->nconditions, 1);
	assert_string_equal(r->conditions[0], "sel");
	assert_int_equal(r->cond_line, 10);
	assert_int_equal(r->cond_col, 14);
	drop(&s);
}

static void test_list_of_maps(void **state)
{
	struct set s;
	const struct ky_sigma_search *se;
	struct ky_sigma_rule *r = one(&s, HEAD "detection:\n"
					       "  sel:\n"
					       "    - A: 1\n"
					       "      B: 2\n"
					       "    - C: x\n"
					       "  condition: sel\n");

	(void)state;
	se = search(r, "sel");
	assert_int_equal(se->ngroups, 2);
	assert_int_equal(se->groups[0].nitems, 2);
	assert_int_equal(se->groups[1].nitems, 1);
	assert_string_equal(se->groups[1].items[0].field, "C");
	assert_int_equal(se->groups[0].items[1].line, 7);
	assert_int_equal(se->groups[0].items[1].col, 7);
	drop(&s);
}

static void test_keywords(void **state)
{
	struct set s;
	const struct ky_sigma_item *it;
	struct ky_sigma_rule *r = one(&s, HEAD "detection:\n"
					       "  keywords:\n"
					       "    - 'mimikatz'\n"
					       "    - sekurlsa\n"
					       "    - 42\n"
					       "  kw2:\n"
					       "    '|all':\n"
					       "      - a\n"
					       "  condition: keywords\n");

	(void)state;
	assert_int_equal(r->nsearches, 2);
	it = &search(r, "keywords")->groups[0].items[0];
	assert_int_equal(search(r, "keywords")->ngroups, 1);
	assert_null(it->field);
	assert_int_equal(it->nvalues, 3);
	assert_string_equal(it->values[0].s, "mimikatz");
	assert_string_equal(it->values[1].s, "sekurlsa");
	assert_int_equal(it->values[2].type, KY_SV_INT);
	assert_int_equal(it->line, 6);
	assert_int_equal(it->col, 7);
	/* "|all" with no field: keywords with a modifier. */
	it = &search(r, "kw2")->groups[0].items[0];
	assert_null(it->field);
	assert_true(it->mods == KY_SIGMA_MOD(ALL));
	drop(&s);
}

static void test_value_types(void **state)
{
	struct set s;
	const struct ky_sigma_item *it;
	const struct ky_sigma_value *v;
	struct ky_sigma_rule *r = one(&s, HEAD "detection:\n"
					       "  sel:\n"
					       "    F:\n"
					       "      - null\n"
					       "      - ~\n"
					       "      - 4624\n"
					       "      - -7\n"
					       "      - 0x1F\n"
					       "      - 1.5\n"
					       "      - 2e3\n"
					       "      - true\n"
					       "      - False\n"
					       "      - yes\n"
					       "      - '4624'\n"
					       "      - \"true\"\n"
					       "      - ''\n"
					       "      - 99999999999999999999\n"
					       "      - 'it''''''''''''s'\n"
					       "      - \"a\\tb\"\n"
					       "      - 'C:\\Windows\\*\\x?'\n"
					       "      - .inf\n"
					       "    Empty:\n"
					       "  condition: sel\n");

	(void)state;
	it = &search(r, "sel")->groups[0].items[0];
	assert_int_equal(it->nvalues, 18);
	v = it->values;
	assert_int_equal(v[0].type, KY_SV_NULL);
	assert_int_equal(v[1].type, KY_SV_NULL);
	assert_int_equal(v[2].type, KY_SV_INT);
	assert_int_equal(v[2].i, 4624);
	assert_string_equal(v[2].s, "4624");
	assert_int_equal(v[3].type, KY_SV_INT);
	assert_int_equal(v[3].i, -7);
	assert_int_equal(v[4].type, KY_SV_INT);
	assert_int_equal(v[4].i, 31);
	assert_string_equal(v[4].s, "0x1F");
	assert_int_equal(v[5].type, KY_SV_FLOAT);
	assert_true(v[5].f == 1.5);
	assert_int_equal(v[6].type, KY_SV_FLOAT);
	assert_true(v[6].f == 2000.0);
	assert_int_equal(v[7].type, KY_SV_BOOL);
	assert_true(v[7].b);
	assert_int_equal(v[8].type, KY_SV_BOOL);
	assert_false(v[8].b);
	/* YAML 1.2: yes is a string; quoted scalars are always strings. */
	assert_int_equal(v[9].type, KY_SV_STRING);
	assert_string_equal(v[9].s, "yes");
	assert_int_equal(v[10].type, KY_SV_STRING);
	assert_string_equal(v[10].s, "4624");
	assert_int_equal(v[11].type, KY_SV_STRING);
	assert_int_equal(v[12].type, KY_SV_STRING);
	assert_int_equal(v[12].len, 0);
	assert_int_equal(v[13].type, KY_SV_STRING);
	assert_string_equal(v[14].s, "it''''''s");
	assert_string_equal(v[15].s, "a\tb");
	assert_string_equal(v[16].s, "C:\\Windows\\*\\x?");
	assert_int_equal(v[17].type, KY_SV_STRING);
	it = &search(r, "sel")->groups[0].items[1];
	assert_string_equal(it->field, "Empty");
	assert_int_equal(it->nvalues, 1);
	assert_int_equal(it->values[0].type, KY_SV_NULL);
	drop(&s);
}

static void test_modifiers(void **state)
{
	struct set s;
	const struct ky_sigma_item *it;
	unsigned b;
	struct ky_sigma_rule *r =
		one(&s, HEAD "detection:\n"
			     "  sel:\n"
			     "    CommandLine|base64offset|contains|all:\n"
			     "      - a\n"
			     "      - b\n"
			     "    X|utf16le|base64|cased|windash|re|i|m|s: x\n"
			     "  condition: sel\n");

	(void)state;
	it = &search(r, "sel")->groups[0].items[0];
	assert_true(it->mods == (KY_SIGMA_MOD(BASE64OFFSET) |
				 KY_SIGMA_MOD(CONTAINS) | KY_SIGMA_MOD(ALL)));
	assert_int_equal(it->nmodorder, 3);
	assert_int_equal(it->modorder[0], KY_SIGMA_MODBIT_BASE64OFFSET);
	assert_int_equal(it->modorder[1], KY_SIGMA_MODBIT_CONTAINS);
	assert_int_equal(it->modorder[2], KY_SIGMA_MODBIT_ALL);
	it = &search(r, "sel")->groups[0].items[1];
	assert_int_equal(it->nmodorder, 8);
	assert_int_equal(it->modorder[0], KY_SIGMA_MODBIT_UTF16LE);
	assert_int_equal(it->modorder[1], KY_SIGMA_MODBIT_BASE64);
	assert_int_equal(it->modorder[7], KY_SIGMA_MODBIT_RE_S);
	drop(&s);

	/* The name table covers every bit and round-trips. */
	for (b = 0; b < KY_SIGMA_NMODS; b++)
		assert_non_null(ky_sigma_mod_name(b));
	assert_null(ky_sigma_mod_name(KY_SIGMA_NMODS));
	assert_string_equal(ky_sigma_mod_name(KY_SIGMA_MODBIT_FIELDREF),
			    "fieldref");
	assert_string_equal(ky_sigma_mod_name(KY_SIGMA_MODBIT_RE_I), "i");
}

static void test_every_modifier_parses(void **state)
{
	char text[512];
	unsigned b;
	struct set s;
	const struct ky_sigma_item *it;

	(void)state;
	for (b = 0; b < KY_SIGMA_NMODS; b++) {
		const char *name = ky_sigma_mod_name(b);
		const char *pre =
			(b == KY_SIGMA_MODBIT_RE_I ||
			 b == KY_SIGMA_MODBIT_RE_M || b == KY_SIGMA_MODBIT_RE_S)
				? "re|"
				: "";
		const char *val = b == KY_SIGMA_MODBIT_EXISTS ? "true" : "x";

		snprintf(text, sizeof(text),
			 HEAD "detection:\n  sel:\n    F|%s%s: %s\n"
			      "  condition: sel\n",
			 pre, name, val);
		one(&s, text);
		it = &s.v[0]->searches[0].groups[0].items[0];
		assert_true(it->mods & ((uint64_t)1 << b));
		assert_int_equal(it->modorder[it->nmodorder - 1], b);
		drop(&s);
	}
}

static void test_modifier_errors(void **state)
{
	(void)state;
	fails(HEAD "detection:\n  sel:\n    Image|endswith|bogus: x\n"
		   "  condition: sel\n",
	      "t.yml:6:5: unknown modifier 'bogus'");
	fails(HEAD "detection:\n  sel:\n    - 'Image||contains': x\n"
		   "  condition: sel\n",
	      "t.yml:6:7: empty modifier in 'Image||contains'");
	fails(HEAD "detection:\n  sel:\n    Image|contains|: x\n"
		   "  condition: sel\n",
	      "t.yml:6:5: empty modifier in 'Image|contains|'");
	fails(HEAD "detection:\n  sel:\n    Image|i: x\n"
		   "  condition: sel\n",
	      "t.yml:6:5: 'Image|i': modifiers i, m and s apply to re only");
	fails(HEAD "detection:\n  sel:\n    Image|exists: maybe\n"
		   "  condition: sel\n",
	      "t.yml:6:5: 'Image|exists': exists takes true or false");
	fails(HEAD "detection:\n  sel:\n"
		   "    F|contains|contains|contains|contains|contains|contains"
		   "|contains|contains|contains|contains|contains|contains|"
		   "contains|contains|contains|contains|contains: x\n"
		   "  condition: sel\n",
	      "t.yml:6:5: more than 16 modifiers");
}

static void test_metadata(void **state)
{
	struct set s;
	struct ky_sigma_rule *r =
		one(&s, "title: Suspicious Thing\n"
			"id: 5f1a6b2c-0000-4000-8000-000000000001\n"
			"name: suspicious_thing\n"
			"status: test\n"
			"description: |\n"
			"  Two\n"
			"  lines\n"
			"references:\n  - https://example.org\n"
			"author:\n  - Alice\n  - Bob\n"
			"date: 2024-01-02\n"
			"modified: 2024/03/04\n"
			"license: DRL-1.1\n"
			"tags:\n  - attack.execution\n  - attack.t1059.001\n"
			"logsource:\n  category: process_creation\n"
			"  product: windows\n  service: sysmon\n"
			"  definition: whatever\n"
			"detection:\n  sel:\n    A: b\n  condition: sel\n"
			"falsepositives:\n  - Admins\n  - Unknown\n"
			"level: critical\n"
			"custom_field: ignored\n");

	(void)state;
	assert_string_equal(r->path, "t.yml");
	assert_int_equal(r->line, 1);
	assert_string_equal(r->title, "Suspicious Thing");
	assert_string_equal(r->id, "5f1a6b2c-0000-4000-8000-000000000001");
	assert_string_equal(r->name, "suspicious_thing");
	assert_string_equal(r->status, "test");
	assert_string_equal(r->description, "Two\nlines\n");
	assert_string_equal(r->author, "Alice, Bob");
	assert_string_equal(r->date, "2024-01-02");
	assert_string_equal(r->modified, "2024/03/04");
	assert_string_equal(r->license, "DRL-1.1");
	assert_int_equal(r->ntags, 2);
	assert_string_equal(r->tags[1], "attack.t1059.001");
	assert_string_equal(r->category, "process_creation");
	assert_string_equal(r->product, "windows");
	assert_string_equal(r->service, "sysmon");
	assert_int_equal(r->nfalsepositives, 2);
	assert_string_equal(r->falsepositives[0], "Admins");
	assert_int_equal(r->level, KY_SIGMA_CRITICAL);
	drop(&s);

	/* Absent metadata stays NULL; a missing level is medium. */
	r = one(&s, "detection:\n  sel:\n    A: b\n  condition: sel\n");
	assert_null(r->title);
	assert_null(r->author);
	assert_null(r->product);
	assert_int_equal(r->ntags, 0);
	assert_int_equal(r->level, KY_SIGMA_MEDIUM);
	drop(&s);

	assert_string_equal(ky_sigma_level_name(KY_SIGMA_INFORMATIONAL),
			    "informational");
	assert_string_equal(ky_sigma_level_name(KY_SIGMA_HIGH), "high");
	fails("title: t\nlevel: severe\n"
	      "detection:\n  sel:\n    A: b\n  condition: sel\n",
	      "t.yml:2:8: unknown level 'severe'");
	fails("title:\n  - a\n"
	      "detection:\n  sel:\n    A: b\n  condition: sel\n",
	      "t.yml:2:5: title must be a scalar, not a list");
	fails("title: t\nlogsource: windows\n"
	      "detection:\n  sel:\n    A: b\n  condition: sel\n",
	      "t.yml:2:12: logsource must be a map");
}

static void test_condition_list(void **state)
{
	struct set s;
	struct ky_sigma_rule *r = one(&s, HEAD "detection:\n"
					       "  a:\n    X: 1\n"
					       "  b:\n    Y: 2\n"
					       "  timeframe: 5m\n"
					       "  condition:\n"
					       "    - a\n"
					       "    - b and not a\n");

	(void)state;
	assert_int_equal(r->nconditions, 2);
	assert_string_equal(r->conditions[1], "b and not a");
	/* timeframe (Sigma 1) is not a search identifier. */
	assert_int_equal(r->nsearches, 2);
	drop(&s);
}

static void test_detection_errors(void **state)
{
	(void)state;
	fails("title: t\n", "t.yml:1:1: no detection, correlation or filter");
	fails("title: t\ndetection:\n  sel:\n    A: b\n",
	      "t.yml:2:1: no condition");
	fails("title: t\ndetection:\n  condition: sel\n",
	      "t.yml:2:1: no search identifier");
	fails("title: t\ndetection:\n  sel:\n  condition: sel\n",
	      "t.yml:3:3: empty search 'sel'");
	fails("title: t\ndetection:\n  sel: []\n  condition: sel\n",
	      "t.yml:3:3: empty search 'sel'");
	fails("title: t\ndetection:\n  sel: {}\n  condition: sel\n",
	      "t.yml:3:3: empty map in search 'sel'");
	fails("title: t\ndetection:\n  sel: abc\n  condition: sel\n",
	      "t.yml:3:8: search 'sel' must be a map or a list");
	fails("title: t\ndetection:\n  sel:\n    A:\n      B: c\n"
	      "  condition: sel\n",
	      "t.yml:5:7: value of 'A' must be a scalar or a list");
	fails("title: t\ndetection:\n  sel:\n    A: []\n  condition: sel\n",
	      "t.yml:4:5: empty list of values");
	fails("title: t\ndetection:\n  sel:\n    A:\n      - [1]\n"
	      "  condition: sel\n",
	      "t.yml:5:10: a value must be a scalar, not a list");
	fails("title: t\ndetection:\n  sel:\n    - [a]\n  condition: sel\n",
	      "t.yml:4:8: search 'sel' holds a list in a list");
	fails("title: t\ndetection:\n  sel:\n    A: b\n  condition: ''\n",
	      "t.yml:5:14: empty condition");
	fails("title: t\ndetection:\n  sel:\n    A: b\n  condition:\n",
	      "t.yml:5:3: empty condition");
	fails("title: t\ndetection:\n  sel:\n    A: b\n  condition:\n"
	      "    x: y\n",
	      "t.yml:6:5: condition must be a string or a list");
	fails("title: t\ndetection: [a]\n",
	      "t.yml:2:13: detection must be a map");
	fails("- a\n- b\n", "t.yml:1:3: a rule must be a map");
	fails("title: t\ndetection:\n  sel:\n    A: &x b\n    B: *x\n"
	      "  condition: sel\n",
	      "t.yml:5:9: YAML aliases are not supported");
	fails("title: t\ndetection:\n  sel:\n    A: b\n  condition: sel\n"
	      "correlation:\n  type: temporal\n",
	      "t.yml:1:1: a rule has one of detection, correlation or filter");
}

static void test_yaml_errors(void **state)
{
	struct set s;
	char *big;
	size_t i, n;

	(void)state;
	fails("title: t\ndetection:\n  sel:\n    A: 'open\n",
	      "t.yml:4:9: YAML syntax error: single-quoted scalar without "
	      "closing quote");
	load(&s, "title: t\ntitle: u\n");
	assert_int_equal(s.rc, KY_E_PARSE);
	assert_non_null(strstr(s.err.msg, "t.yml:2:1: YAML syntax error"));
	assert_non_null(strstr(s.err.msg, "duplicate key"));
	drop(&s);
	fails("title: \"a\xff\"\n", "t.yml:1:10: invalid UTF-8");
	fails("title: \xc0\xaf\n", "t.yml:1:8: invalid UTF-8");
	load(&s, "title: a\n");
	drop(&s);
	s.rc = ky_sigma_load_mem("t.yml", "title: a\0b\n", 11, &s.v, &s.n,
				 &s.err);
	assert_int_equal(s.rc, KY_E_PARSE);
	assert_string_equal(s.err.msg, "t.yml:1:9: NUL byte in the file");
	fails("title: \"a\\0b\"\ndetection:\n  s:\n    A: b\n  condition: s\n",
	      "t.yml:1:8: title holds a NUL character");

	/* Deep nesting is refused by the parser, not by a crash. */
	n = 100000;
	big = malloc(2 * n + 32);
	assert_non_null(big);
	memcpy(big, "title: ", 7);
	for (i = 0; i < n; i++)
		big[7 + i] = '[';
	for (i = 0; i < n; i++)
		big[7 + n + i] = ']';
	big[7 + 2 * n] = '\0';
	load(&s, big);
	assert_int_equal(s.rc, KY_E_PARSE);
	assert_non_null(strstr(s.err.msg, "t.yml:1:"));
	drop(&s);

	/* A huge value is refused with its position. */
	n = (2u << 20);
	free(big);
	big = malloc(n + 128);
	assert_non_null(big);
	i = (size_t)snprintf(big, 128, "detection:\n  s:\n    A: ");
	memset(big + i, 'x', n);
	memcpy(big + i + n, "\n  condition: s\n", 17);
	load(&s, big);
	assert_int_equal(s.rc, KY_E_TOOBIG);
	assert_string_equal(s.err.msg, "t.yml:3:8: a value longer than "
				       "1048576 bytes");
	drop(&s);

	/* Truncated input: every prefix fails cleanly or loads. */
	{
		const char *full = HEAD "detection:\n  sel:\n    A|contains:\n"
					"      - 'x'\n  condition: sel\n";
		char tmp[256];

		for (i = 0; i < strlen(full); i++) {
			memcpy(tmp, full, i);
			tmp[i] = '\0';
			load(&s, tmp);
			if (s.rc != 0)
				assert_true(strncmp(s.err.msg, "t.yml:", 6) ==
					    0);
			drop(&s);
		}
	}
	free(big);
	fails("title: t\n\n\ndetection:\n  sel:\n    A: b\n  condition: sel\n"
	      "---\nfoo\n",
	      "t.yml:9:1: a rule must be a map");
}

static const struct ky_sigma_corr *corr(struct set *s, const char *text)
{
	struct ky_sigma_rule *r = one(s, text);

	assert_int_equal(r->kind, KY_SIGMA_CORRELATION);
	assert_non_null(r->corr);
	assert_int_equal(r->nsearches, 0);
	return r->corr;
}

static void test_correlation_types(void **state)
{
	static const struct {
		const char *type;
		enum ky_corr_type t;
		const char *cond;
	} types[] = {
		{"event_count", KY_CORR_EVENT_COUNT, "    gte: 5\n"},
		{"value_count", KY_CORR_VALUE_COUNT,
		 "    field: User\n    gt: 3\n"},
		{"temporal", KY_CORR_TEMPORAL, "    eq: 2\n"},
		{"temporal_ordered", KY_CORR_TEMPORAL_ORDERED, "    gte: 2\n"},
		{"value_sum", KY_CORR_VALUE_SUM,
		 "    field: bytes\n    gt: 1000.5\n"},
		{"value_avg", KY_CORR_VALUE_AVG,
		 "    field: bytes\n    lt: 7\n"},
		{"value_percentile", KY_CORR_VALUE_PERCENTILE,
		 "    field: Image\n    percentile: 95\n    lte: 1\n"},
	};
	char text[512];
	struct set s;
	const struct ky_sigma_corr *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(text, sizeof(text),
			 "title: c\nid: c1\nlevel: high\n"
			 "correlation:\n  type: %s\n"
			 "  rules:\n    - rule_a\n    - rule_b\n"
			 "  group-by:\n    - ComputerName\n    - User\n"
			 "  timespan: 5m\n  condition:\n%s",
			 types[i].type, types[i].cond);
		c = corr(&s, text);
		assert_int_equal(c->type, types[i].t);
		assert_int_equal(c->nrules, 2);
		assert_string_equal(c->rules[1], "rule_b");
		assert_int_equal(c->ngroup_by, 2);
		assert_string_equal(c->group_by[0], "ComputerName");
		assert_true(c->timespan_ns == 300 * 1000000000LL);
		assert_false(c->generate);
		assert_int_equal(s.v[0]->level, KY_SIGMA_HIGH);
		switch (types[i].t) {
		case KY_CORR_EVENT_COUNT:
			assert_true(c->cond.has_gte && c->cond.gte == 5);
			assert_false(c->cond.has_gt || c->cond.has_eq);
			assert_null(c->cond.field);
			break;
		case KY_CORR_VALUE_COUNT:
			assert_string_equal(c->cond.field, "User");
			assert_true(c->cond.has_gt && c->cond.gt == 3);
			break;
		case KY_CORR_TEMPORAL:
			assert_true(c->cond.has_eq && c->cond.eq == 2);
			break;
		case KY_CORR_VALUE_SUM:
			assert_true(c->cond.gt == 1000.5);
			break;
		case KY_CORR_VALUE_PERCENTILE:
			assert_true(c->cond.percentile == 95);
			assert_true(c->cond.has_lte && c->cond.lte == 1);
			break;
		default:
			break;
		}
		drop(&s);
	}
}

static void test_correlation_details(void **state)
{
	struct set s;
	const struct ky_sigma_corr *c;

	(void)state;
	/* Range, aliases, generate (top level, the v2.1 schema). */
	c = corr(&s, "title: c\ncorrelation:\n  type: temporal\n"
		     "  rules:\n    - internal_error\n    - new_conn\n"
		     "  group-by:\n    - internal_ip\n"
		     "  timespan: 10s\n"
		     "  aliases:\n"
		     "    internal_ip:\n"
		     "      internal_error: destination.ip\n"
		     "      new_conn: source.ip\n"
		     "    remote_ip:\n"
		     "      internal_error: source.ip\n"
		     "      new_conn: destination.ip\n"
		     "  condition:\n    gt: 100\n    lte: 200\n    neq: 150\n"
		     "generate: true\n");
	assert_true(c->timespan_ns == 10 * 1000000000LL);
	assert_true(c->cond.has_gt && c->cond.has_lte && c->cond.has_neq);
	assert_true(c->cond.gt == 100 && c->cond.lte == 200 &&
		    c->cond.neq == 150);
	assert_int_equal(c->naliases, 2);
	assert_string_equal(c->aliases[0].name, "internal_ip");
	assert_int_equal(c->aliases[0].n, 2);
	assert_string_equal(c->aliases[0].rules[1], "new_conn");
	assert_string_equal(c->aliases[0].fields[1], "source.ip");
	assert_string_equal(c->aliases[1].fields[0], "source.ip");
	assert_true(c->generate);
	drop(&s);

	/* generate inside correlation (v2.0), a single rule as a string,
	 * temporal without condition: every rule must match. */
	c = corr(&s, "title: c\ncorrelation:\n  type: temporal_ordered\n"
		     "  rules: [a, b, c]\n  timespan: 1d\n  generate: true\n");
	assert_true(c->generate);
	assert_true(c->timespan_ns == 86400 * 1000000000LL);
	assert_true(c->cond.has_gte && c->cond.gte == 3);
	assert_int_equal(c->ngroup_by, 0);
	drop(&s);
	c = corr(&s, "title: c\ncorrelation:\n  type: event_count\n"
		     "  rules: one\n  timespan: 1h\n  condition:\n    lt: 2\n");
	assert_int_equal(c->nrules, 1);
	assert_string_equal(c->rules[0], "one");
	assert_true(c->timespan_ns == 3600 * 1000000000LL);
	drop(&s);
}

static void test_correlation_errors(void **state)
{
	(void)state;
#define CH "title: c\ncorrelation:\n"
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 5x\n",
	      "t.yml:5:13: bad timespan '5x' (a number and s, m, h, d or w)");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 0s\n",
	      "t.yml:5:13: bad timespan '0s' (a number and s, m, h, d or w)");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: m\n",
	      "t.yml:5:13: bad timespan 'm' (a number and s, m, h, d or w)");
	fails(CH "  type: event_count\n  rules: [a]\n"
		 "  timespan: 99999999999999d\n",
	      "t.yml:5:13: bad timespan '99999999999999d' (a number and s, m, "
	      "h, d or w)");
	fails(CH "  type: counting\n", "t.yml:3:9: unknown correlation type "
				       "'counting'");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 5m\n",
	      "t.yml:2:1: correlation condition needs gt, gte, lt, lte, eq or "
	      "neq");
	fails(CH "  type: event_count\n  timespan: 5m\n  condition:\n"
		 "    gte: 1\n",
	      "t.yml:2:1: correlation has no rules");
	fails(CH "  type: event_count\n  rules: [a]\n  condition:\n"
		 "    gte: 1\n",
	      "t.yml:2:1: correlation has no timespan");
	fails(CH "  type: value_count\n  rules: [a]\n  timespan: 5m\n"
		 "  condition:\n    gte: 1\n",
	      "t.yml:2:1: correlation condition needs a field for this type");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 5m\n"
		 "  condition:\n    gte: many\n",
	      "t.yml:7:10: gte must be a number");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 5m\n"
		 "  condition:\n    about: 1\n",
	      "t.yml:7:5: unknown correlation condition 'about'");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 5m\n"
		 "  window: 1\n",
	      "t.yml:6:3: unknown correlation attribute 'window'");
	fails(CH "  type: event_count\n  rules: [a]\n  timespan: 5m\n"
		 "  condition:\n    gte: 1\n  generate: maybe\n",
	      "t.yml:8:13: generate must be true or false");
	fails(CH "  type: temporal\n  rules: [a]\n  timespan: 5m\n"
		 "  aliases:\n    ip: x\n",
	      "t.yml:7:9: an alias must be a map");
#undef CH
}

static void test_filter(void **state)
{
	struct set s;
	struct ky_sigma_rule *r =
		one(&s, "title: Filter admins\nlogsource:\n  product: windows\n"
			"filter:\n  rules:\n    - "
			"6f3e2987-db24-4c78-a860-b4f4095a7095\n"
			"    - rule_name\n"
			"  selection:\n    User|startswith: 'adm_'\n"
			"  condition: not selection\n");

	(void)state;
	assert_int_equal(r->kind, KY_SIGMA_FILTER);
	assert_non_null(r->filt);
	assert_int_equal(r->filt->nrules, 2);
	assert_string_equal(r->filt->rules[1], "rule_name");
	assert_int_equal(r->nsearches, 1);
	assert_string_equal(r->searches[0].name, "selection");
	assert_true(r->searches[0].groups[0].items[0].mods ==
		    KY_SIGMA_MOD(STARTSWITH));
	assert_string_equal(r->conditions[0], "not selection");
	assert_null(r->corr);
	drop(&s);
	fails("title: f\nfilter:\n  selection:\n    A: b\n"
	      "  condition: selection\n",
	      "t.yml:2:1: filter has no rules");
	fails("title: f\nfilter:\n  rules: [x]\n  condition: selection\n",
	      "t.yml:2:1: no search identifier");
}

static void test_multi_document(void **state)
{
	struct set s;

	(void)state;
	load(&s, "title: Failed logon\nname: failed_logon\n"
		 "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n"
		 "---\n"
		 "title: Many failed logons\n"
		 "correlation:\n  type: event_count\n  rules: failed_logon\n"
		 "  group-by: [IpAddress]\n  timespan: 60s\n"
		 "  condition:\n    gte: 5\n"
		 "---\n");
	assert_int_equal(s.rc, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0]->kind, KY_SIGMA_DETECTION);
	assert_int_equal(s.v[0]->line, 1);
	assert_int_equal(s.v[1]->kind, KY_SIGMA_CORRELATION);
	assert_int_equal(s.v[1]->line, 8);
	assert_string_equal(s.v[1]->corr->rules[0], "failed_logon");
	assert_true(s.v[1]->corr->timespan_ns == 60 * 1000000000LL);
	drop(&s);

	/* A bad second document: the first stays appended. */
	load(&s, "title: a\ndetection:\n  sel:\n    A: 1\n  condition: sel\n"
		 "---\ntitle: b\ndetection:\n  sel:\n    A|nope: 1\n"
		 "  condition: sel\n");
	assert_int_equal(s.rc, KY_E_PARSE);
	assert_string_equal(s.err.msg, "t.yml:10:5: unknown modifier 'nope'");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0]->title, "a");
	drop(&s);

	/* Empty input: nothing, no error. */
	load(&s, "");
	assert_int_equal(s.rc, 0);
	assert_int_equal(s.n, 0);
	drop(&s);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_sigma_XXXXXX";
	const char *text = "title: f\ndetection:\n  s:\n    A: b\n"
			   "  condition: s\n";
	struct set s;
	FILE *f;
	int fd;

	(void)state;
	memset(&s, 0, sizeof(s));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(ky_sigma_load_file(path, &s.v, &s.n, &s.err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0]->path, path);
	drop(&s);
	unlink(path);
	assert_int_equal(ky_sigma_load_file(path, &s.v, &s.n, &s.err), KY_E_IO);
	assert_non_null(strstr(s.err.msg, path));
}

/* Collects every .yml under dir into a list. */
static void walk(const char *dir, char ***v, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char p[4096];
	size_t len;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(p, v, n);
			continue;
		}
		len = strlen(p);
		if (len < 4 || strcmp(p + len - 4, ".yml") != 0)
			continue;
		*v = realloc(*v, (*n + 1) * sizeof(char *));
		assert_non_null(*v);
		(*v)[(*n)++] = strdup(p);
	}
	closedir(d);
}

static void test_sigmahq_conformance(void **state)
{
	const char *data = getenv("KYKLOS_SHARED_DATA");
	char base[4096], top[4096 + 512];
	char **files = NULL;
	size_t nfiles = 0, i, ok = 0, bad = 0, nrules = 0, ncorr = 0, nfilt = 0;
	struct timespec t0, t1;
	struct set s;
	DIR *d;
	struct dirent *e;
	double secs;

	(void)state;
	snprintf(base, sizeof(base), "%s/sigma",
		 data ? data : "../shared/data");
	if ((d = opendir(base)) == NULL) {
		print_message("SKIP: no Sigma rules: %s is missing\n", base);
		skip();
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "rules", 5) != 0)
			continue;
		snprintf(top, sizeof(top), "%s/%s", base, e->d_name);
		walk(top, &files, &nfiles);
	}
	closedir(d);
	if (nfiles == 0) {
		print_message("SKIP: no .yml under %s/rules*\n", base);
		skip();
	}
	memset(&s, 0, sizeof(s));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nfiles; i++) {
		if (ky_sigma_load_file(files[i], &s.v, &s.n, &s.err) == 0) {
			ok++;
		} else {
			bad++;
			print_message("FAILED %s\n", s.err.msg);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (i = 0; i < s.n; i++) {
		ncorr += s.v[i]->kind == KY_SIGMA_CORRELATION;
		nfilt += s.v[i]->kind == KY_SIGMA_FILTER;
		/* Every detection rule has searches and a condition. */
		if (s.v[i]->kind != KY_SIGMA_CORRELATION) {
			assert_true(s.v[i]->nsearches > 0);
			assert_true(s.v[i]->nconditions > 0);
		}
	}
	nrules = s.n;
	print_message("SigmaHQ: %zu files, %zu loaded, %zu failed, %zu rules "
		      "(%zu correlation, %zu filter) in %.3f s\n",
		      nfiles, ok, bad, nrules, ncorr, nfilt, secs);
	drop(&s);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	assert_true(ok * 1000 >= nfiles * 995);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_shape),
		cmocka_unit_test(test_list_of_maps),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_value_types),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_every_modifier_parses),
		cmocka_unit_test(test_modifier_errors),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_condition_list),
		cmocka_unit_test(test_detection_errors),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_correlation_types),
		cmocka_unit_test(test_correlation_details),
		cmocka_unit_test(test_correlation_errors),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_multi_document),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_sigmahq_conformance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
