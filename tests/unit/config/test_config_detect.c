/* Unit tests for the detect section of kyklos.yaml: its keys and defaults,
 * the placeholder map (parsing, every error with its position, the hash
 * table handed to the rule set), and its writers (show, default, docs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"

#include "config_assert.h"

static const char detect_yaml[] =
	"detect:\n"
	"  rules: [rules/sigma, /etc/kyklos/extra.yml]\n"
	"  indicators:\n"
	"    - intel/ips.txt\n"
	"    - intel/hashes.csv\n"
	"  warning_lists: [intel/benign.txt]\n"
	"  logsources: maps/thor.yml\n"
	"  placeholders:\n"
	"    Admins_Workstations: [ws-admin-01, ws-admin-02]\n"
	"    internal_domain: corp.example\n"
	"    ports:\n"
	"      - 445\n"
	"      - '3389'\n"
	"    none: []\n"
	"    bare:\n"
	"    \"quoted name\": \"x y\"\n"
	"  store_alerts: false\n"
	"  correlation_max_groups: 1KiB\n"
	"  correlation_max_events: 5\n"
	"  correlation_lateness: 0\n"
	"  correlation_save_interval: 3600\n";

static void check_detect(const struct ky_config *cfg)
{
	const struct ky_config_placeholder *p = cfg->placeholders;

	assert_int_equal(cfg->detect_rules.n, 2);
	assert_string_equal(cfg->detect_rules.v[0], "rules/sigma");
	assert_string_equal(cfg->detect_rules.v[1], "/etc/kyklos/extra.yml");
	assert_int_equal(cfg->detect_indicators.n, 2);
	assert_string_equal(cfg->detect_indicators.v[0], "intel/ips.txt");
	assert_string_equal(cfg->detect_indicators.v[1], "intel/hashes.csv");
	assert_int_equal(cfg->detect_warning_lists.n, 1);
	assert_string_equal(cfg->detect_warning_lists.v[0], "intel/benign.txt");
	assert_string_equal(cfg->detect_logsources, "maps/thor.yml");
	assert_false(cfg->detect_store_alerts);
	assert_int_equal(cfg->corr_max_groups, 1024);
	assert_int_equal(cfg->corr_max_events, 5);
	assert_int_equal(cfg->corr_lateness, 0);
	assert_int_equal(cfg->corr_save_interval, 3600);
	/* In file order, a single string as a list of one, numbers as text. */
	assert_int_equal(cfg->nplaceholders, 6);
	assert_string_equal(p[0].name, "Admins_Workstations");
	assert_int_equal(p[0].values.n, 2);
	assert_string_equal(p[0].values.v[0], "ws-admin-01");
	assert_string_equal(p[0].values.v[1], "ws-admin-02");
	assert_string_equal(p[1].name, "internal_domain");
	assert_int_equal(p[1].values.n, 1);
	assert_string_equal(p[1].values.v[0], "corp.example");
	assert_string_equal(p[2].name, "ports");
	assert_int_equal(p[2].values.n, 2);
	assert_string_equal(p[2].values.v[0], "445");
	assert_string_equal(p[2].values.v[1], "3389");
	assert_string_equal(p[3].name, "none");
	assert_int_equal(p[3].values.n, 0);
	assert_string_equal(p[4].name, "bare");
	assert_int_equal(p[4].values.n, 0);
	assert_string_equal(p[5].name, "quoted name");
	assert_int_equal(p[5].values.n, 1);
	assert_string_equal(p[5].values.v[0], "x y");
}

static void test_detect_defaults(void **state)
{
	struct ky_config cfg;
	struct ky_hash *h = (struct ky_hash *)&cfg;

	(void)state;
	assert_int_equal(ky_config_defaults(&cfg), 0);
	assert_int_equal(cfg.detect_rules.n, 0);
	assert_null(cfg.detect_rules.v);
	assert_int_equal(cfg.detect_indicators.n, 0);
	assert_int_equal(cfg.detect_warning_lists.n, 0);
	assert_string_equal(cfg.detect_logsources, "");
	assert_int_equal(cfg.nplaceholders, 0);
	assert_null(cfg.placeholders);
	assert_true(cfg.detect_store_alerts);
	assert_int_equal(cfg.corr_max_groups, 100000);
	assert_int_equal(cfg.corr_max_events, 10000);
	assert_int_equal(cfg.corr_lateness, 60);
	assert_int_equal(cfg.corr_save_interval, 60);
	/* No placeholders: no table. */
	assert_int_equal(ky_config_placeholder_table(&cfg, &h), 0);
	assert_null(h);
	ky_config_free(&cfg);
	/* An empty or null section is the defaults too. */
	assert_int_equal(load(&cfg, "detect:\n", &(struct ky_err){0}), 0);
	assert_true(cfg.detect_store_alerts);
	assert_int_equal(cfg.corr_lateness, 60);
	ky_config_free(&cfg);
	assert_int_equal(load(&cfg, "detect:\n  placeholders:\n  rules: ~\n",
			      &(struct ky_err){0}),
			 0);
	assert_int_equal(cfg.nplaceholders, 0);
	assert_int_equal(cfg.detect_rules.n, 0);
	ky_config_free(&cfg);
	assert_int_equal(
		load(&cfg, "detect: {placeholders: {}}\n", &(struct ky_err){0}),
		0);
	assert_int_equal(cfg.nplaceholders, 0);
	ky_config_free(&cfg);
}

static void test_detect_keys(void **state)
{
	struct ky_config cfg;
	struct ky_err err;

	(void)state;
	if (load(&cfg, detect_yaml, &err) != 0)
		fail_msg("%s", err.msg);
	check_detect(&cfg);
	roundtrip(&cfg);
	ky_config_free(&cfg);
	/* The section sits between extract and serve in the table. */
	{
		const struct ky_config_key *k = ky_config_keys;
		while (k->key != NULL && strncmp(k->key, "detect.", 7) != 0)
			k++;
		assert_non_null(k->key);
		assert_string_equal(k[-1].key, "extract.patterns");
		assert_string_equal(k->key, "detect.rules");
		while (strncmp(k->key, "detect.", 7) == 0)
			k++;
		assert_string_equal(k[-1].key,
				    "detect.correlation_save_interval");
		assert_string_equal(k->key, "serve.syslog_udp");
	}
}

struct bad {
	const char *yaml;
	int status;
	const char *msg;
};

static const struct bad bads[] = {
	{"detect:\n  correlation_max_groups: 0\n", KY_E_CONFIG,
	 "t.yaml:2:27: detect.correlation_max_groups: 0 is out of range 1 to "
	 "100000000"},
	{"detect:\n  correlation_max_groups: 100000001\n", KY_E_CONFIG,
	 "t.yaml:2:27: detect.correlation_max_groups: 100000001 is out of "
	 "range 1 to 100000000"},
	{"detect:\n  correlation_max_events: 10000001\n", KY_E_CONFIG,
	 "t.yaml:2:27: detect.correlation_max_events: 10000001 is out of "
	 "range 1 to 10000000"},
	{"detect:\n  correlation_lateness: -1\n", KY_E_CONFIG,
	 "t.yaml:2:25: detect.correlation_lateness: -1 is out of range 0 to "
	 "86400"},
	{"detect:\n  correlation_lateness: 1d\n", KY_E_CONFIG,
	 "t.yaml:2:25: detect.correlation_lateness: expected an integer, got "
	 "'1d'"},
	{"detect:\n  correlation_save_interval: 0\n", KY_E_CONFIG,
	 "t.yaml:2:30: detect.correlation_save_interval: 0 is out of range 1 "
	 "to 86400"},
	{"detect:\n  store_alerts: sometimes\n", KY_E_CONFIG,
	 "t.yaml:2:17: detect.store_alerts: expected true or false, got "
	 "'sometimes'"},
	{"detect:\n  rules: rules/\n", KY_E_CONFIG,
	 "t.yaml:2:10: detect.rules: expected a list"},
	{"detect:\n  indicators: [a, {b: c}]\n", KY_E_CONFIG,
	 "t.yaml:2:19: detect.indicators: expected a string"},
	{"detect:\n  logsources: [a]\n", KY_E_CONFIG,
	 "t.yaml:2:15: detect.logsources: expected a scalar value"},
	{"detect:\n  rule: x\n", KY_E_CONFIG,
	 "t.yaml:2:3: unknown key 'detect.rule'"},
	{"detect:\n  rules: []\n  rules: []\n", KY_E_CONFIG,
	 "t.yaml:3:3: duplicate key 'detect.rules'"},
	/* placeholders */
	{"detect:\n  placeholders:\n    a: [x]\n    b: y\n    a: z\n",
	 KY_E_CONFIG, "t.yaml:5:5: duplicate key 'detect.placeholders.a'"},
	{"detect:\n  placeholders: {a: x, 'a': y}\n", KY_E_CONFIG,
	 "t.yaml:2:24: duplicate key 'detect.placeholders.a'"},
	{"detect:\n  placeholders:\n    a: {b: c}\n", KY_E_CONFIG,
	 "t.yaml:3:8: detect.placeholders.a: expected a string or a list of "
	 "strings"},
	{"detect:\n  placeholders:\n    a:\n      b: c\n", KY_E_CONFIG,
	 "t.yaml:4:7: detect.placeholders.a: expected a string or a list of "
	 "strings"},
	{"detect:\n  placeholders:\n    a: [x, [y]]\n", KY_E_CONFIG,
	 "t.yaml:3:12: detect.placeholders.a: expected a string"},
	{"detect:\n  placeholders:\n    a:\n      - x\n      - {y: z}\n",
	 KY_E_CONFIG, "t.yaml:5:9: detect.placeholders.a: expected a string"},
	{"detect:\n  placeholders:\n    '%a%': [x]\n", KY_E_CONFIG,
	 "t.yaml:3:5: detect.placeholders: placeholder name '%a%' contains "
	 "'%'"},
	{"detect:\n  placeholders:\n    a%b: [x]\n", KY_E_CONFIG,
	 "t.yaml:3:5: detect.placeholders: placeholder name 'a%b' contains "
	 "'%'"},
	{"detect:\n  placeholders:\n    '': [x]\n", KY_E_CONFIG,
	 "t.yaml:3:5: detect.placeholders: empty placeholder name"},
	{"detect:\n  placeholders:\n    \"a\\0b\": [x]\n", KY_E_CONFIG,
	 "t.yaml:3:5: detect.placeholders: placeholder name contains a NUL "
	 "byte"},
	{"detect:\n  placeholders:\n    a: [\"x\\0\"]\n", KY_E_CONFIG,
	 "t.yaml:3:9: detect.placeholders.a: string contains a NUL byte"},
	{"detect:\n  placeholders: [a, b]\n", KY_E_CONFIG,
	 "t.yaml:2:17: detect.placeholders: expected a map of name: [values]"},
	{"detect:\n  placeholders: a\n", KY_E_CONFIG,
	 "t.yaml:2:17: detect.placeholders: expected a map of name: [values]"},
	{"detect:\n  placeholders: {[a]: b}\n", KY_E_CONFIG,
	 "t.yaml:2:18: detect.placeholders: expected a placeholder name"},
	{"detect:\n  placeholders: {{a: b}: c}\n", KY_E_CONFIG,
	 "t.yaml:2:18: detect.placeholders: expected a placeholder name"},
	{"detect:\n  placeholders:\n    a: &v [x]\n    b: *v\n", KY_E_CONFIG,
	 "t.yaml:4:8: aliases are not supported"},
	{"detect:\n  placeholders:\n    a: [x\n", KY_E_PARSE,
	 "t.yaml:4:1: YAML syntax error: flow sequence without a closing "
	 "bracket"},
	{"detect:\n  placeholders:\n    a: [\xff]\n", KY_E_PARSE,
	 "t.yaml:3:9: invalid UTF-8"},
	{"detect:\n  placeholders: {}\n  placeholders: {}\n", KY_E_CONFIG,
	 "t.yaml:3:3: duplicate key 'detect.placeholders'"},
};

static void test_detect_errors(void **state)
{
	struct ky_config cfg, zero;
	struct ky_err err;
	size_t i;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int r = load(&cfg, bads[i].yaml, &err);
		if (r != bads[i].status || strcmp(err.msg, bads[i].msg) != 0)
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, r,
				 err.msg, bads[i].status, bads[i].msg);
		assert_int_equal(err.status, r);
		/* A failed load leaves nothing to free (ASan checks leaks). */
		assert_memory_equal(&cfg, &zero, sizeof(cfg));
	}
}

/* Names are free text but for '%': the engine looks up the bytes between
 * the % signs, so unusual names must survive the load and the show. */
static void test_placeholder_names(void **state)
{
	static const char yaml[] = "detect:\n"
				   "  placeholders:\n"
				   "    \"a:b\": [\"1\"]\n"
				   "    \"- x\": []\n"
				   "    \"null\": null\n"
				   "    '~': ['~', \"null\", \"\", true, 1.5]\n"
				   "    \"\\u00e9t\\u00e9\": [\"\\t\\n\\\"\"]\n"
				   "    \"#c\": '#d'\n"
				   "    \"<<\": x\n";
	struct ky_config cfg;
	struct ky_err err;
	const struct ky_config_placeholder *p;

	(void)state;
	if (load(&cfg, yaml, &err) != 0)
		fail_msg("%s", err.msg);
	p = cfg.placeholders;
	assert_int_equal(cfg.nplaceholders, 7);
	assert_string_equal(p[0].name, "a:b");
	assert_string_equal(p[1].name, "- x");
	assert_int_equal(p[1].values.n, 0);
	assert_string_equal(p[2].name, "null");
	assert_int_equal(p[2].values.n, 0);
	assert_string_equal(p[3].name, "~");
	assert_int_equal(p[3].values.n, 5);
	assert_string_equal(p[3].values.v[0], "~");
	assert_string_equal(p[3].values.v[1], "null");
	assert_string_equal(p[3].values.v[2], "");
	assert_string_equal(p[3].values.v[3], "true");
	assert_string_equal(p[3].values.v[4], "1.5");
	assert_string_equal(p[4].name, "\xc3\xa9t\xc3\xa9");
	assert_string_equal(p[4].values.v[0], "\t\n\"");
	assert_string_equal(p[5].name, "#c");
	assert_string_equal(p[5].values.v[0], "#d");
	assert_string_equal(p[6].name, "<<");
	roundtrip(&cfg);
	ky_config_free(&cfg);
}

static void test_placeholder_table(void **state)
{
	struct ky_config cfg;
	struct ky_err err;
	struct ky_hash *h = NULL;
	const struct ky_strlist *sl;
	/* compile.c looks names up inside the rule value, unterminated. */
	static const char value[] = "%Admins_Workstations%\\x";

	(void)state;
	if (load(&cfg, detect_yaml, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ky_config_placeholder_table(&cfg, &h), 0);
	assert_non_null(h);
	assert_int_equal(ky_hash_count(h), 6);
	sl = ky_hash_get(h, value + 1, strlen("Admins_Workstations"));
	assert_non_null(sl);
	/* Borrowed: the very list of the configuration. */
	assert_ptr_equal(sl, &cfg.placeholders[0].values);
	assert_int_equal(sl->n, 2);
	assert_string_equal(sl->v[1], "ws-admin-02");
	sl = ky_hash_get(h, "internal_domain", 15);
	assert_non_null(sl);
	assert_string_equal(sl->v[0], "corp.example");
	sl = ky_hash_get(h, "none", 4);
	assert_non_null(sl);
	assert_int_equal(sl->n, 0);
	sl = ky_hash_get(h, "quoted name", 11);
	assert_non_null(sl);
	/* Exact, case-sensitive names; prefixes do not match. */
	assert_null(ky_hash_get(h, "admins_workstations", 19));
	assert_null(ky_hash_get(h, "Admins_Workstation", 18));
	assert_null(ky_hash_get(h, "internal_domain ", 16));
	assert_null(ky_hash_get(h, "", 0));
	ky_hash_free(h, NULL);
	ky_config_free(&cfg);
}

/* `kyklos init` writes the example commented out; uncommented it loads. */
static void test_default_file(void **state)
{
	static const char example[] =
		"  # For example:\n"
		"  #   placeholders:\n"
		"  #     Admins_Workstations: [ws-admin-01, ws-admin-02]\n"
		"  #     internal_domain: corp.example\n"
		"  #placeholders: {}\n";
	struct ky_config cfg, def;
	struct ky_buf b, edited;
	struct ky_err err;
	const char *text, *p;

	(void)state;
	ky_buf_init(&b, 0);
	ky_buf_init(&edited, 0);
	assert_int_equal(ky_config_write_default(&b), 0);
	text = ky_buf_str(&b);
	if (ky_config_load_mem(&cfg, "default", text, b.len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ky_config_defaults(&def), 0);
	assert_cfg_equal(&cfg, &def);
	ky_config_free(&cfg);
	ky_config_free(&def);
	assert_non_null(strstr(text, "\ndetect:\n  # Sigma rule files"));
	assert_non_null(strstr(text, "\n  #rules: []\n"));
	assert_non_null(strstr(text, "\n  #logsources: \"\"\n"));
	assert_non_null(strstr(text, "\n  #store_alerts: true\n"));
	assert_non_null(strstr(text, "  # Range: 1 to 100000000\n"
				     "  #correlation_max_groups: 100000\n"));
	assert_non_null(strstr(text, "  # Range: 0 to 86400\n"
				     "  #correlation_lateness: 60\n"));
	p = strstr(text, example);
	assert_non_null(p);
	/* Uncomment the example, as a user would. */
	assert_int_equal(ky_buf_add(&edited, text, (size_t)(p - text)), 0);
	assert_int_equal(ky_buf_adds(&edited,
				     "  placeholders:\n"
				     "    Admins_Workstations: [ws-admin-01, "
				     "ws-admin-02]\n"
				     "    internal_domain: corp.example\n"),
			 0);
	assert_int_equal(ky_buf_adds(&edited, p + sizeof(example) - 1), 0);
	if (ky_config_load_mem(&cfg, "edited", ky_buf_str(&edited), edited.len,
			       &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.nplaceholders, 2);
	assert_string_equal(cfg.placeholders[1].values.v[0], "corp.example");
	ky_config_free(&cfg);
	ky_buf_free(&edited);
	ky_buf_free(&b);
}

static void test_show_and_docs(void **state)
{
	struct ky_config cfg;
	struct ky_err err;
	struct ky_buf b;
	const char *t;

	(void)state;
	ky_buf_init(&b, 0);
	if (load(&cfg, detect_yaml, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ky_config_show(&cfg, &b), 0);
	t = ky_buf_str(&b);
	assert_non_null(strstr(t, "\ndetect:\n  rules:\n    - \"rules/sigma\"\n"
				  "    - \"/etc/kyklos/extra.yml\"\n"));
	assert_non_null(strstr(t, "\n  placeholders:\n"
				  "    \"Admins_Workstations\":\n"
				  "      - \"ws-admin-01\"\n"
				  "      - \"ws-admin-02\"\n"
				  "    \"internal_domain\":\n"
				  "      - \"corp.example\"\n"));
	assert_non_null(strstr(t, "\n    \"none\": []\n    \"bare\": []\n"));
	assert_non_null(strstr(t, "\n  store_alerts: false\n"
				  "  correlation_max_groups: 1024\n"));
	/* detect comes after extract and before serve. */
	assert_true(strstr(t, "\nextract:\n") < strstr(t, "\ndetect:\n"));
	assert_true(strstr(t, "\ndetect:\n") < strstr(t, "\nserve:\n"));
	ky_config_free(&cfg);
	ky_buf_reset(&b);
	assert_int_equal(ky_config_defaults(&cfg), 0);
	assert_int_equal(ky_config_show(&cfg, &b), 0);
	assert_non_null(strstr(ky_buf_str(&b),
			       "\n  placeholders: {}\n  store_alerts: "
			       "true\n"));
	roundtrip(&cfg);
	ky_config_free(&cfg);
	ky_buf_reset(&b);
	assert_int_equal(ky_config_write_markdown(&b), 0);
	t = ky_buf_str(&b);
	assert_non_null(strstr(t, "| `detect.placeholders` | map of name to "
				  "list of strings | `{}` |  | "));
	assert_non_null(strstr(t, "| `detect.correlation_lateness` | integer "
				  "| `60` | 0 to 86400 | "));
	assert_non_null(
		strstr(t, "| `detect.logsources` | string | `\"\"` | "));
	assert_non_null(strstr(t, "    internal_domain: corp.example\n```\n"));
	ky_buf_free(&b);
}

/* Every prefix of the detect section loads or fails with a position. */
static void test_truncated(void **state)
{
	struct ky_config cfg;
	struct ky_err err;
	size_t n, ok = 0;

	(void)state;
	for (n = 0; n <= sizeof(detect_yaml) - 1; n++) {
		int r = ky_config_load_mem(&cfg, "t.yaml", detect_yaml, n,
					   &err);
		if (r == 0) {
			ok++;
			roundtrip(&cfg);
			ky_config_free(&cfg);
		} else {
			assert_true(strncmp(err.msg, "t.yaml:", 7) == 0);
		}
	}
	assert_true(ok > 10);
}

static void test_hostile(void **state)
{
	struct ky_config cfg;
	struct ky_err err;
	struct ky_buf b;
	size_t i;

	(void)state;
	ky_buf_init(&b, 0);
	/* Values of one placeholder are capped like any list. */
	assert_int_equal(ky_buf_adds(&b, "detect:\n  placeholders:\n    a:\n"),
			 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(ky_buf_adds(&b, "      - v\n"), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), KY_E_TOOBIG);
	assert_string_equal(err.msg, "t.yaml:4100:9: detect.placeholders.a: "
				     "more than 4096 entries");
	/* So is the number of placeholders. */
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "detect:\n  placeholders:\n"), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(ky_buf_addf(&b, "    p%zu: x\n", i), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), KY_E_TOOBIG);
	assert_string_equal(err.msg, "t.yaml:4099:5: detect.placeholders: "
				     "more than 4096 entries");
	/* Up to the cap they load, and the table finds the last one. */
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "detect:\n  placeholders:\n"), 0);
	for (i = 0; i < 4096; i++)
		assert_int_equal(ky_buf_addf(&b, "    p%zu: [x%zu]\n", i, i),
				 0);
	if (load(&cfg, ky_buf_str(&b), &err) != 0)
		fail_msg("%s", err.msg);
	{
		struct ky_hash *h = NULL;
		const struct ky_strlist *sl;
		assert_int_equal(ky_config_placeholder_table(&cfg, &h), 0);
		assert_int_equal(ky_hash_count(h), 4096);
		sl = ky_hash_get(h, "p4095", 5);
		assert_non_null(sl);
		assert_string_equal(sl->v[0], "x4095");
		ky_hash_free(h, NULL);
	}
	ky_config_free(&cfg);
	/* A long name is kept whole; the message quoting it is bounded. */
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "detect:\n  placeholders:\n    "), 0);
	for (i = 0; i < 100000; i++)
		assert_int_equal(ky_buf_addc(&b, 'n'), 0);
	assert_int_equal(ky_buf_adds(&b, "%: [x]\n"), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), KY_E_CONFIG);
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "...' contains '%'"));
	ky_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_defaults),
		cmocka_unit_test(test_detect_keys),
		cmocka_unit_test(test_detect_errors),
		cmocka_unit_test(test_placeholder_names),
		cmocka_unit_test(test_placeholder_table),
		cmocka_unit_test(test_default_file),
		cmocka_unit_test(test_show_and_docs),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
