/* Unit tests for base/config: the key table, defaults, parsing of every
 * type, errors with exact positions, the three writers, the committed
 * docs/configuration.md, and finding the node directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/config.h"

#include "config_assert.h"

/* Every field of struct ky_config but home and path has exactly one key,
 * and a section's keys are contiguous (the writers rely on it). */
static void test_table(void **state)
{
	const struct ky_config_key *k, *j;
	size_t n = 0, slen;

	(void)state;
	for (k = ky_config_keys; k->key != NULL; k++, n++) {
		const char *dot = strchr(k->key, '.');
		assert_non_null(dot);
		assert_null(strchr(dot + 1, '.'));
		assert_non_null(k->def);
		assert_non_null(k->help);
		assert_true(strlen(k->help) > 10);
		assert_null(strchr(k->help, '|'));
		assert_true(k->offset < offsetof(struct ky_config, home));
		if (k->type == KY_CT_ENUM)
			assert_non_null(k->choices);
		if (k->type == KY_CT_INT)
			assert_true(k->min <= k->max);
		slen = (size_t)(dot - k->key);
		for (j = ky_config_keys; j < k; j++) {
			assert_true(j->offset != k->offset);
			assert_true(strcmp(j->key, k->key) != 0);
			/* Same section seen before: it must be k's neighbour.
			 */
			if (strncmp(j->key, k->key, slen + 1) == 0 &&
			    strncmp(k[-1].key, k->key, slen + 1) != 0)
				fail_msg("section of %s is split", k->key);
		}
	}
	assert_int_equal(n, 76);
}

static void test_defaults(void **state)
{
	struct ky_config cfg;
	const struct ky_config_key *k;

	(void)state;
	assert_int_equal(ky_config_defaults(&cfg), 0);
	assert_string_equal(cfg.node_name, "");
	assert_string_equal(cfg.log_level, "info");
	assert_string_equal(cfg.log_format, "text");
	assert_int_equal(cfg.max_line, 65536);
	assert_int_equal(cfg.max_fields, 1024);
	assert_int_equal(cfg.max_depth, 64);
	assert_string_equal(cfg.ingest_format, "auto");
	assert_int_equal(cfg.batch_size, 256);
	assert_true(cfg.deadletter);
	assert_int_equal(cfg.deadletter_max_bytes, 64 * 1024 * 1024);
	assert_true(cfg.fieldmap_builtin);
	assert_int_equal(cfg.nmaprules, 0);
	assert_int_equal(cfg.time_fields.n, 0);
	assert_true(cfg.extract_builtin);
	assert_int_equal(cfg.npatterns, 0);
	assert_string_equal(cfg.syslog_udp, "127.0.0.1:5514");
	assert_string_equal(cfg.syslog_tcp, "127.0.0.1:5514");
	assert_string_equal(cfg.syslog_tls, "");
	assert_string_equal(cfg.json_tcp, "127.0.0.1:5515");
	assert_string_equal(cfg.metrics, "127.0.0.1:9514");
	assert_string_equal(cfg.tls_cert, "");
	assert_string_equal(cfg.tls_key, "");
	assert_string_equal(cfg.tls_ca, "");
	assert_int_equal(cfg.workers, 2);
	assert_int_equal(cfg.queue_depth, 64);
	assert_int_equal(cfg.max_connections, 1024);
	assert_int_equal(cfg.idle_timeout, 300);
	assert_string_equal(cfg.store_path, "data/kyklos.db");
	assert_int_equal(cfg.busy_timeout_ms, 5000);
	assert_null(cfg.home);
	assert_null(cfg.path);
	for (k = ky_config_keys; k->key != NULL; k++) {
		if (k->type == KY_CT_INT) {
			int64_t v = *(int64_t *)((char *)&cfg + k->offset);
			assert_true(v >= k->min && v <= k->max);
		}
	}
	ky_config_free(&cfg);
	ky_config_free(&cfg); /* idempotent: free leaves zeroes */
	ky_config_free(NULL);
}

static void test_empty_is_defaults(void **state)
{
	static const char *const texts[] = {
		"",	 "\n",	       "# only a comment\n",
		"---\n", "---\n...\n", "node:\nlog: ~\nserve: null\n",
		"{}\n",
	};
	struct ky_config cfg, def;
	struct ky_err err;
	size_t i;

	(void)state;
	assert_int_equal(ky_config_defaults(&def), 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (load(&cfg, texts[i], &err) != 0)
			fail_msg("'%s': %s", texts[i], err.msg);
		assert_cfg_equal(&cfg, &def);
		ky_config_free(&cfg);
	}
	ky_config_free(&def);
}

static const char full_yaml[] =
	"# every key outside detect (test_config_detect.c), none at its "
	"default\n"
	"node:\n"
	"  name: alpha-1\n"
	"log: {level: debug, format: json}\n"
	"limits:\n"
	"  max_line: 1MiB\n"
	"  max_fields: 2048\n"
	"  max_depth: 32\n"
	"ingest:\n"
	"  format: syslog3164\n"
	"  batch_size: 1024\n"
	"  deadletter: false\n"
	"  deadletter_max_bytes: 2GiB\n"
	"fieldmap:\n"
	"  builtin: no\n"
	"  rules:\n"
	"    - {from: \"winlog.event_data.\", to: \"\"}\n"
	"    - from: src_ip\n"
	"      to: source.ip\n"
	"  time_fields: [ts, \"@timestamp\"]\n"
	"extract:\n"
	"  builtin: Off\n"
	"  patterns:\n"
	"    - name: ssh-accept\n"
	"      program: sshd\n"
	"      pattern: 'Accepted %{word:auth} for %{word:user.name}'\n"
	"    - {name: any, pattern: \"x=%{int:n}\"}\n"
	"serve:\n"
	"  syslog_udp: \"0.0.0.0:514\"\n"
	"  syslog_tcp: ''\n"
	"  syslog_tls: '[::]:6514'\n"
	"  json_tcp:\n"
	"  metrics: 127.0.0.1:9999\n"
	"  tls_cert: tls/cert.pem\n"
	"  tls_key: tls/key.pem\n"
	"  tls_ca: tls/ca.pem\n"
	"  workers: 8\n"
	"  queue_depth: 1KiB\n"
	"  max_connections: 10\n"
	"  idle_timeout: 60\n"
	"store:\n"
	"  path: /var/lib/kyklos/k.db\n"
	"  busy_timeout_ms: 0\n";

static void check_full(const struct ky_config *cfg)
{
	assert_string_equal(cfg->node_name, "alpha-1");
	assert_string_equal(cfg->log_level, "debug");
	assert_string_equal(cfg->log_format, "json");
	assert_int_equal(cfg->max_line, 1 << 20);
	assert_int_equal(cfg->max_fields, 2048);
	assert_int_equal(cfg->max_depth, 32);
	assert_string_equal(cfg->ingest_format, "syslog3164");
	assert_int_equal(cfg->batch_size, 1024);
	assert_false(cfg->deadletter);
	assert_int_equal(cfg->deadletter_max_bytes, INT64_C(2) << 30);
	assert_false(cfg->fieldmap_builtin);
	assert_int_equal(cfg->nmaprules, 2);
	assert_string_equal(cfg->maprules[0].from, "winlog.event_data.");
	assert_string_equal(cfg->maprules[0].to, "");
	assert_string_equal(cfg->maprules[1].from, "src_ip");
	assert_string_equal(cfg->maprules[1].to, "source.ip");
	assert_int_equal(cfg->time_fields.n, 2);
	assert_string_equal(cfg->time_fields.v[0], "ts");
	assert_string_equal(cfg->time_fields.v[1], "@timestamp");
	assert_false(cfg->extract_builtin);
	assert_int_equal(cfg->npatterns, 2);
	assert_string_equal(cfg->patterns[0].name, "ssh-accept");
	assert_string_equal(cfg->patterns[0].program, "sshd");
	assert_string_equal(cfg->patterns[0].pattern,
			    "Accepted %{word:auth} for %{word:user.name}");
	assert_string_equal(cfg->patterns[1].name, "any");
	assert_null(cfg->patterns[1].program);
	assert_string_equal(cfg->patterns[1].pattern, "x=%{int:n}");
	assert_string_equal(cfg->syslog_udp, "0.0.0.0:514");
	assert_string_equal(cfg->syslog_tcp, "");
	assert_string_equal(cfg->syslog_tls, "[::]:6514");
	assert_string_equal(cfg->json_tcp, "");
	assert_string_equal(cfg->metrics, "127.0.0.1:9999");
	assert_string_equal(cfg->tls_cert, "tls/cert.pem");
	assert_string_equal(cfg->tls_key, "tls/key.pem");
	assert_string_equal(cfg->tls_ca, "tls/ca.pem");
	assert_int_equal(cfg->workers, 8);
	assert_int_equal(cfg->queue_depth, 1024);
	assert_int_equal(cfg->max_connections, 10);
	assert_int_equal(cfg->idle_timeout, 60);
	assert_string_equal(cfg->store_path, "/var/lib/kyklos/k.db");
	assert_int_equal(cfg->busy_timeout_ms, 0);
}

static void test_every_type(void **state)
{
	struct ky_config cfg;
	struct ky_err err;

	(void)state;
	if (load(&cfg, full_yaml, &err) != 0)
		fail_msg("%s", err.msg);
	check_full(&cfg);
	ky_config_free(&cfg);
}

struct bad {
	const char *yaml;
	int status;
	const char *msg;
};

static const struct bad bads[] = {
	{"node:\n  nme: x\n", KY_E_CONFIG,
	 "t.yaml:2:3: unknown key 'node.nme'"},
	{"nod:\n  name: x\n", KY_E_CONFIG, "t.yaml:1:1: unknown key 'nod'"},
	{"node.name: x\n", KY_E_CONFIG, "t.yaml:1:1: unknown key 'node.name'"},
	{"log:\n  level: info\n  level: warn\n", KY_E_CONFIG,
	 "t.yaml:3:3: duplicate key 'log.level'"},
	{"log: {}\nnode: {}\nlog: {}\n", KY_E_CONFIG,
	 "t.yaml:3:1: duplicate key 'log'"},
	{"limits:\n  max_line: 63\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: 63 is out of range 64 to 16777216"},
	{"limits:\n  max_line: 17MiB\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: 17825792 is out of range 64 to "
	 "16777216"},
	{"limits:\n  max_line: abc\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: expected an integer, got 'abc'"},
	{"limits:\n  max_line: 12KB\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: expected an integer, got '12KB'"},
	{"limits:\n  max_line: 99999999999999999999\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: expected an integer, got "
	 "'99999999999999999999'"},
	{"limits:\n  max_line: 9999999999TiB\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: expected an integer, got "
	 "'9999999999TiB'"},
	{"limits:\n  max_line: 5-\n", KY_E_CONFIG,
	 "t.yaml:2:13: limits.max_line: expected an integer, got '5-'"},
	{"limits:\n  max_line:\n", KY_E_CONFIG,
	 "t.yaml:2:3: limits.max_line: expected an integer, got ''"},
	{"log:\n  level: loud\n", KY_E_CONFIG,
	 "t.yaml:2:10: log.level: expected one of error|warn|info|debug, got "
	 "'loud'"},
	{"log:\n  level: INFO\n", KY_E_CONFIG,
	 "t.yaml:2:10: log.level: expected one of error|warn|info|debug, got "
	 "'INFO'"},
	{"ingest:\n  deadletter: maybe\n", KY_E_CONFIG,
	 "t.yaml:2:15: ingest.deadletter: expected true or false, got "
	 "'maybe'"},
	{"serve:\n  workers: [1]\n", KY_E_CONFIG,
	 "t.yaml:2:12: serve.workers: expected a scalar value"},
	{"serve:\n  syslog_udp: {a: b}\n", KY_E_CONFIG,
	 "t.yaml:2:15: serve.syslog_udp: expected a scalar value"},
	{"serve: 5\n", KY_E_CONFIG,
	 "t.yaml:1:8: serve: expected a map of keys"},
	{"serve: [a]\n", KY_E_CONFIG,
	 "t.yaml:1:8: serve: expected a map of keys"},
	{"- a\n", KY_E_CONFIG,
	 "t.yaml:1:1: expected a map of sections at the top level"},
	{"just text\n", KY_E_CONFIG,
	 "t.yaml:1:1: expected a map of sections at the top level"},
	{"? [a]\n: b\n", KY_E_PARSE,
	 "t.yaml:1:1: explicit keys ('? ') are not supported"},
	{"{? [a]: b}\n", KY_E_CONFIG, "t.yaml:1:4: expected a section name"},
	{"node:\n  ? {a: b}\n  : c\n", KY_E_PARSE,
	 "t.yaml:2:3: explicit keys ('? ') are not supported"},
	{"node: {? {a: b}: c}\n", KY_E_CONFIG,
	 "t.yaml:1:10: node: expected a key"},
	{"---\nnode: {}\n---\nlog: {}\n", KY_E_CONFIG,
	 "t.yaml:3:1: only one YAML document is allowed"},
	{"node:\n  name: &a x\nlog:\n  level: *a\n", KY_E_CONFIG,
	 "t.yaml:4:10: aliases are not supported"},
	{"node:\n  name: \"a\\0b\"\n", KY_E_CONFIG,
	 "t.yaml:2:9: node.name: string contains a NUL byte"},
	{"fieldmap:\n  time_fields: ts\n", KY_E_CONFIG,
	 "t.yaml:2:16: fieldmap.time_fields: expected a list"},
	{"fieldmap:\n  time_fields: [a, [b]]\n", KY_E_CONFIG,
	 "t.yaml:2:20: fieldmap.time_fields: expected a string"},
	{"fieldmap:\n  rules:\n    - from: a\n", KY_E_CONFIG,
	 "t.yaml:3:7: fieldmap.rules[0]: 'to' is required"},
	{"fieldmap:\n  rules:\n    - to: a\n", KY_E_CONFIG,
	 "t.yaml:3:7: fieldmap.rules[0]: 'from' is required"},
	{"fieldmap:\n  rules:\n    - {from: '', to: a}\n", KY_E_CONFIG,
	 "t.yaml:3:7: fieldmap.rules[0]: 'from' is empty"},
	{"fieldmap:\n  rules:\n    - {from: a, to: b}\n    - {from: a, to: b, "
	 "x: 1}\n",
	 KY_E_CONFIG, "t.yaml:4:24: unknown key 'fieldmap.rules[1].x'"},
	{"fieldmap:\n  rules:\n    - {from: a, from: b, to: c}\n", KY_E_CONFIG,
	 "t.yaml:3:17: duplicate key 'fieldmap.rules[0].from'"},
	{"fieldmap:\n  rules:\n    - a\n", KY_E_CONFIG,
	 "t.yaml:3:7: fieldmap.rules[0]: expected a map of {from, to}"},
	{"fieldmap:\n  rules:\n    - {from: [a], to: b}\n", KY_E_CONFIG,
	 "t.yaml:3:14: fieldmap.rules[0].from: expected a string"},
	{"extract:\n  patterns:\n    - {name: a}\n", KY_E_CONFIG,
	 "t.yaml:3:7: extract.patterns[0]: 'pattern' is required"},
	{"extract:\n  patterns:\n    - {name: a, pattern: b}\n    - {name: a, "
	 "pattern: c}\n",
	 KY_E_CONFIG,
	 "t.yaml:4:7: extract.patterns[1]: pattern name 'a' is already "
	 "used"},
	{"serve:\n  workers: '3x'\n", KY_E_CONFIG,
	 "t.yaml:2:12: serve.workers: expected an integer, got '3x'"},
	{"serve:\n  workers: \"\"\n", KY_E_CONFIG,
	 "t.yaml:2:12: serve.workers: expected an integer, got ''"},
	{"extract:\n  patterns: {name: a}\n", KY_E_CONFIG,
	 "t.yaml:2:13: extract.patterns: expected a list"},
	{"node:\n  name: a\xff\n", KY_E_PARSE, "t.yaml:2:10: invalid UTF-8"},
	{"node:\n  name: \xc0\xaf\n", KY_E_PARSE, "t.yaml:2:9: invalid UTF-8"},
	{"node:\n  name: \xed\xa0\x80\n", KY_E_PARSE,
	 "t.yaml:2:9: invalid UTF-8"},
	{"node:\n  name: \xe2\x82\n", KY_E_PARSE, "t.yaml:2:9: invalid UTF-8"},
	{"node:\n  name: x\n bad: 1\n", KY_E_PARSE,
	 "t.yaml:3:2: YAML syntax error: invalid indentation in mapping"},
	{"log:\n  level: \"x\n", KY_E_PARSE,
	 "t.yaml:2:11: YAML syntax error: double-quoted scalar without "
	 "closing quote"},
	{"node:\n  name: \"\\q\"\n", KY_E_PARSE,
	 "t.yaml:2:10: YAML syntax error: invalid escape 'q' in "
	 "double-quoted string"},
	{"log: {level: info\n", KY_E_PARSE,
	 "t.yaml:2:1: YAML syntax error: missing comma in flow mapping"},
};

static void test_errors(void **state)
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
		/* A failed load leaves nothing to free. */
		assert_memory_equal(&cfg, &zero, sizeof(cfg));
	}
}

/* Each integer key at its bounds, and one past them. */
static void test_bounds(void **state)
{
	const struct ky_config_key *k;
	struct ky_config cfg;
	struct ky_err err;
	char yaml[256], want[256];
	int64_t vals[4];
	size_t i;

	(void)state;
	for (k = ky_config_keys; k->key != NULL; k++) {
		const char *dot = strchr(k->key, '.');
		int slen = (int)(dot - k->key);
		if (k->type != KY_CT_INT)
			continue;
		vals[0] = k->min;
		vals[1] = k->max;
		vals[2] = k->min - 1;
		vals[3] = k->max + 1;
		for (i = 0; i < 4; i++) {
			snprintf(yaml, sizeof(yaml), "%.*s:\n  %s: %lld\n",
				 slen, k->key, dot + 1, (long long)vals[i]);
			int r = load(&cfg, yaml, &err);
			if (i < 2) {
				if (r != 0)
					fail_msg("%s", err.msg);
				assert_int_equal(
					*(int64_t *)((char *)&cfg + k->offset),
					vals[i]);
				ky_config_free(&cfg);
				continue;
			}
			snprintf(want, sizeof(want),
				 "t.yaml:2:%d: %s: %lld is out of range %lld "
				 "to %lld",
				 (int)strlen(dot + 1) + 5, k->key,
				 (long long)vals[i], (long long)k->min,
				 (long long)k->max);
			assert_int_equal(r, KY_E_CONFIG);
			assert_string_equal(err.msg, want);
		}
	}
	/* Suffixes are powers of 1024 and only the IEC ones. */
	assert_int_equal(
		load(&cfg, "ingest:\n  deadletter_max_bytes: 1TiB\n", &err), 0);
	assert_int_equal(cfg.deadletter_max_bytes, INT64_C(1) << 40);
	ky_config_free(&cfg);
	assert_int_equal(
		load(&cfg, "ingest:\n  deadletter_max_bytes: 4KiB\n", &err), 0);
	assert_int_equal(cfg.deadletter_max_bytes, 4096);
	ky_config_free(&cfg);
	assert_int_equal(
		load(&cfg, "ingest:\n  deadletter_max_bytes: 4kib\n", &err),
		KY_E_CONFIG);
	assert_int_equal(load(&cfg, "serve:\n  workers: +3\n", &err), 0);
	assert_int_equal(cfg.workers, 3);
	ky_config_free(&cfg);
	assert_int_equal(load(&cfg, "serve:\n  workers: 3 \n", &err), 0);
	ky_config_free(&cfg);
	assert_int_equal(load(&cfg, "serve:\n  workers: 0x3\n", &err),
			 KY_E_CONFIG);
}

static void test_bools(void **state)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "on"};
	static const char *const no[] = {"false", "False", "no", "No", "off"};
	struct ky_config cfg;
	struct ky_err err;
	char yaml[64];
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(yaml, sizeof(yaml), "extract:\n  builtin: %s\n",
			 no[i]);
		assert_int_equal(load(&cfg, yaml, &err), 0);
		assert_false(cfg.extract_builtin);
		ky_config_free(&cfg);
		snprintf(yaml, sizeof(yaml), "fieldmap:\n  builtin: %s\n",
			 yes[i]);
		assert_int_equal(load(&cfg, yaml, &err), 0);
		assert_true(cfg.fieldmap_builtin);
		ky_config_free(&cfg);
	}
	assert_int_equal(load(&cfg, "extract:\n  builtin: 1\n", &err),
			 KY_E_CONFIG);
}

/* Single-quoted scalars are unquoted by the loader (libfyaml 0.7.12 leaks
 * on runs of '' and folds a few cases against the spec). */
static void test_single_quoted(void **state)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{"node:\n  name: ''\n", ""},
		{"node:\n  name: 'it''s'\n", "it's"},
		{"node:\n  name: 'a''''''''''b'\n", "a'''''b"},
		{"node:\n  name: ''''''''''''''''''''''\n", "''''''''''"},
		{"node:\n  name: 'a # b: c \"d\" \\n'\n", "a # b: c \"d\" \\n"},
		{"node:\n  name: 'a  \n   b'\n", "a b"},
		{"node:\n  name: 'a\n\n   b'\n", "a\nb"},
		{"node:\n  name: 'a \n   \n   \t\n   b  '\n", "a\n\nb  "},
		{"node:\n  name: 'x''\n   y'\n", "x' y"},
		{"node:\r\n  name: 'a\r\n   b'\r\n", "a b"},
		{"node:\n  name: '\xc3\xa9t\xc3\xa9'\n", "\xc3\xa9t\xc3\xa9"},
		{"node: {name: 'a''b', 'name': 'c'}\n", NULL},
		{"'node':\n  'name': 'k'\n", "k"},
	};
	struct ky_config cfg;
	struct ky_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = load(&cfg, cases[i].yaml, &err);
		if (cases[i].want == NULL) {
			assert_int_equal(r, KY_E_CONFIG);
			assert_string_equal(
				err.msg,
				"t.yaml:1:22: duplicate key 'node.name'");
			continue;
		}
		if (r != 0)
			fail_msg("case %zu: %s", i, err.msg);
		assert_string_equal(cfg.node_name, cases[i].want);
		roundtrip(&cfg);
		ky_config_free(&cfg);
	}
}

static void test_show_roundtrip(void **state)
{
	static const char tricky[] =
		"node:\n"
		"  name: \"q\\\"b\\\\s\\tt\\nn\\x01\\x7f\\u0085\\u2028\\u2029"
		"\\uFEFF\\u00e9 #: - [x] {y} 'z' *a &b !c %d @e `f\"\n"
		"fieldmap:\n"
		"  time_fields: [\"\", \" lead\", \"trail \", \"- dash\", "
		"\"null\", \"~\", \"true\", \"123\"]\n"
		"  rules:\n"
		"    - {from: \"a:b\", to: \"c\\\\d\"}\n"
		"extract:\n"
		"  patterns:\n"
		"    - {name: \"n\\\"\", program: \"\", pattern: \"p\\n\"}\n"
		"    - {name: m, pattern: \"%{x}\"}\n";
	struct ky_config cfg;
	struct ky_err err;

	(void)state;
	assert_int_equal(ky_config_defaults(&cfg), 0);
	roundtrip(&cfg);
	ky_config_free(&cfg);
	if (load(&cfg, full_yaml, &err) != 0)
		fail_msg("%s", err.msg);
	roundtrip(&cfg);
	ky_config_free(&cfg);
	if (load(&cfg, tricky, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.node_name,
			    "q\"b\\s\tt\nn\x01\x7f\xc2\x85\xe2\x80\xa8\xe2\x80"
			    "\xa9\xef\xbb\xbf\xc3\xa9 #: - [x] {y} 'z' *a &b "
			    "!c %d @e `f");
	assert_int_equal(cfg.time_fields.n, 8);
	assert_string_equal(cfg.time_fields.v[4], "null");
	assert_string_equal(cfg.patterns[0].program, "");
	roundtrip(&cfg);
	ky_config_free(&cfg);
}

static void test_write_default(void **state)
{
	struct ky_config cfg, def;
	struct ky_buf b;
	struct ky_err err;
	const struct ky_config_key *k;

	(void)state;
	ky_buf_init(&b, 0);
	assert_int_equal(ky_config_write_default(&b), 0);
	if (ky_config_load_mem(&cfg, "default", ky_buf_str(&b), b.len, &err) !=
	    0)
		fail_msg("%s", err.msg);
	assert_int_equal(ky_config_defaults(&def), 0);
	assert_cfg_equal(&cfg, &def);
	/* Every key is there, commented, with its help. */
	for (k = ky_config_keys; k->key != NULL; k++) {
		char line[128];
		snprintf(line, sizeof(line),
			 "\n  #%s:", strchr(k->key, '.') + 1);
		if (strstr(ky_buf_str(&b), line) == NULL)
			fail_msg("%s missing from the default file", k->key);
	}
	assert_non_null(strstr(ky_buf_str(&b), "  # Range: 64 to 16777216\n"));
	assert_non_null(strstr(ky_buf_str(&b), "\n  #deadletter_max_bytes: "
					       "64MiB\n"));
	/* Uncommenting a value line gives a valid file. */
	{
		char *t = strdup(ky_buf_str(&b)), *p;
		assert_non_null(t);
		p = strstr(t, "  #workers: 2");
		assert_non_null(p);
		memcpy(p, "  workers:  5", 13);
		ky_config_free(&cfg);
		if (ky_config_load_mem(&cfg, "edited", t, strlen(t), &err) != 0)
			fail_msg("%s", err.msg);
		assert_int_equal(cfg.workers, 5);
		free(t);
	}
	ky_config_free(&cfg);
	ky_config_free(&def);
	ky_buf_free(&b);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1))) {
		*len = fread(data, 1, (size_t)n, f);
		data[*len] = '\0';
	}
	fclose(f);
	return data;
}

static void test_docs_current(void **state)
{
	const char *root = getenv("KYKLOS_SOURCE_ROOT");
	const struct ky_config_key *k;
	char path[4096];
	struct ky_buf b;
	char *file;
	size_t len = 0;

	(void)state;
	ky_buf_init(&b, 0);
	assert_int_equal(ky_config_write_markdown(&b), 0);
	for (k = ky_config_keys; k->key != NULL; k++) {
		char cell[128];
		snprintf(cell, sizeof(cell), "| `%s` |", k->key);
		assert_non_null(strstr(ky_buf_str(&b), cell));
	}
	if (root == NULL) {
		printf("KYKLOS_SOURCE_ROOT is not set: cannot compare "
		       "docs/configuration.md\n");
		ky_buf_free(&b);
		skip();
	}
	snprintf(path, sizeof(path), "%s/docs/configuration.md", root);
	file = read_all(path, &len);
	if (file == NULL || len != b.len ||
	    memcmp(file, ky_buf_str(&b), len) != 0) {
		free(file);
		ky_buf_free(&b);
		fail_msg("%s is not the output of `kyklos config docs`; "
			 "regenerate it with: kyklos config docs > "
			 "docs/configuration.md",
			 path);
	}
	free(file);
	ky_buf_free(&b);
}

/* Every prefix of a valid file either loads or fails with a message. */
static void test_truncated(void **state)
{
	struct ky_config cfg;
	struct ky_err err;
	size_t n, ok = 0;

	(void)state;
	for (n = 0; n <= sizeof(full_yaml) - 1; n++) {
		int r = ky_config_load_mem(&cfg, "t.yaml", full_yaml, n, &err);
		if (r == 0) {
			ok++;
			ky_config_free(&cfg);
		} else {
			assert_true(strncmp(err.msg, "t.yaml:", 7) == 0);
		}
	}
	assert_true(ok > 10);
}

static void test_hostile(void **state)
{
	const size_t big = 1 << 20, depth = 100000;
	struct ky_config cfg;
	struct ky_err err;
	struct ky_buf b;
	size_t i;

	(void)state;
	/* A huge string is kept whole. */
	ky_buf_init(&b, 0);
	assert_int_equal(ky_buf_adds(&b, "node:\n  name: \""), 0);
	for (i = 0; i < big; i++)
		assert_int_equal(ky_buf_addc(&b, 'a'), 0);
	assert_int_equal(ky_buf_adds(&b, "\"\n"), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), 0);
	assert_int_equal(strlen(cfg.node_name), big);
	ky_config_free(&cfg);
	/* Deep nesting stops at the first level that is not expected. */
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "node:\n  name: "), 0);
	for (i = 0; i < depth; i++)
		assert_int_equal(ky_buf_addc(&b, '['), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), KY_E_CONFIG);
	assert_string_equal(err.msg,
			    "t.yaml:2:9: node.name: expected a scalar value");
	ky_buf_reset(&b);
	for (i = 0; i < depth; i++)
		assert_int_equal(ky_buf_addc(&b, '['), 0);
	assert_int_not_equal(load(&cfg, ky_buf_str(&b), &err), 0);
	/* Blank lines in a scalar cost libfyaml quadratic time: capped. */
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "node:\n  name: |\n    x\n"), 0);
	for (i = 0; i < 100000; i++)
		assert_int_equal(ky_buf_addc(&b, '\n'), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), KY_E_TOOBIG);
	assert_string_equal(
		err.msg, "t.yaml:1004:1: more than 1000 blank lines in a row");
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "node:\n  name: |\n    x\n"), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(ky_buf_addc(&b, '\n'), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), 0);
	assert_string_equal(cfg.node_name, "x\n");
	ky_config_free(&cfg);
	/* A list past its cap. */
	ky_buf_reset(&b);
	assert_int_equal(ky_buf_adds(&b, "fieldmap:\n  time_fields:\n"), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(ky_buf_adds(&b, "    - a\n"), 0);
	assert_int_equal(load(&cfg, ky_buf_str(&b), &err), KY_E_TOOBIG);
	assert_string_equal(err.msg, "t.yaml:4099:7: fieldmap.time_fields: "
				     "more than 4096 entries");
	ky_buf_free(&b);
	/* Embedded NUL in the input. */
	assert_int_equal(
		ky_config_load_mem(&cfg, "t.yaml", "node:\0x", 7, &err),
		KY_E_PARSE);
	assert_string_equal(err.msg, "t.yaml:1:6: NUL byte in the file");
}

static char tmpdir[] = "/tmp/kyklos-config-test-XXXXXX";
/* set once mkdtemp made tmpdir (its random tail may end in an X) */
static bool tmpdir_made;

static void mkfile(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load_file(void **state)
{
	struct ky_config cfg;
	struct ky_err err;
	char path[256], want[512];

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	tmpdir_made = true;
	snprintf(path, sizeof(path), "%s/bad.yaml", tmpdir);
	mkfile(path, "node:\n  name: a\nserve:\n  workers: 0\n");
	assert_int_equal(ky_config_load(&cfg, path, &err), KY_E_CONFIG);
	snprintf(want, sizeof(want),
		 "%s:4:12: serve.workers: 0 is out of range 1 to 64", path);
	assert_string_equal(err.msg, want);
	mkfile(path, full_yaml);
	assert_int_equal(ky_config_load(&cfg, path, &err), 0);
	check_full(&cfg);
	assert_string_equal(cfg.path, path);
	ky_config_free(&cfg);
	/* A file past the 4 MiB cap is refused before parsing. */
	snprintf(path, sizeof(path), "%s/big.yaml", tmpdir);
	{
		FILE *f = fopen(path, "w");
		size_t i;
		assert_non_null(f);
		for (i = 0; i < (4u << 20) / 8 + 1; i++)
			fputs("#......\n", f);
		fclose(f);
	}
	assert_int_equal(ky_config_load(&cfg, path, &err), KY_E_TOOBIG);
	snprintf(want, sizeof(want), "%s: larger than 4194304 bytes", path);
	assert_string_equal(err.msg, want);
	snprintf(path, sizeof(path), "%s/missing.yaml", tmpdir);
	assert_int_equal(ky_config_load(&cfg, path, &err), KY_E_IO);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err.msg, want);
}

static void test_find_home(void **state)
{
	char a[300], b[300], c[300], none[300], f[320], want[700];
	char *home = NULL, *cwd = getcwd(NULL, 0);
	struct ky_err err;

	(void)state;
	assert_non_null(cwd);
	if (!tmpdir_made) {
		assert_non_null(mkdtemp(tmpdir));
		tmpdir_made = true;
	}
	snprintf(a, sizeof(a), "%s/a", tmpdir);
	snprintf(b, sizeof(b), "%s/b", tmpdir);
	snprintf(c, sizeof(c), "%s/c", tmpdir);
	snprintf(none, sizeof(none), "%s/none", tmpdir);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(mkdir(c, 0755), 0);
	assert_int_equal(mkdir(none, 0755), 0);
	snprintf(f, sizeof(f), "%s/kyklos.yaml", a);
	mkfile(f, "");
	snprintf(f, sizeof(f), "%s/kyklos.yaml", b);
	mkfile(f, "");
	snprintf(f, sizeof(f), "%s/kyklos.yaml", c);
	mkfile(f, "");
	assert_int_equal(chdir(c), 0);
	assert_int_equal(setenv("KYKLOS_HOME", b, 1), 0);

	/* --home beats the environment, which beats the cwd. */
	assert_int_equal(ky_config_find_home(a, &home, &err), 0);
	assert_string_equal(home, a);
	free(home);
	assert_int_equal(ky_config_find_home(NULL, &home, &err), 0);
	assert_string_equal(home, b);
	free(home);
	assert_int_equal(setenv("KYKLOS_HOME", "", 1), 0);
	assert_int_equal(ky_config_find_home(NULL, &home, &err), 0);
	assert_string_equal(home, c);
	free(home);
	assert_int_equal(unsetenv("KYKLOS_HOME"), 0);
	assert_int_equal(ky_config_find_home(NULL, &home, &err), 0);
	assert_string_equal(home, c);
	free(home);
	/* Relative --home comes back absolute. */
	assert_int_equal(ky_config_find_home("../a/.", &home, &err), 0);
	assert_string_equal(home, a);
	free(home);

	/* No kyklos.yaml, and a directory that does not exist. */
	home = (char *)"unchanged";
	assert_int_equal(ky_config_find_home(none, &home, &err), KY_E_NONODE);
	assert_null(home);
	snprintf(want, sizeof(want),
		 "no kyklos node at %s: kyklos.yaml not found (use --home DIR, "
		 "set KYKLOS_HOME, or run `kyklos init DIR`)",
		 none);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.status, KY_E_NONODE);
	assert_int_equal(ky_config_find_home("nothere", &home, &err),
			 KY_E_NONODE);
	snprintf(want, sizeof(want),
		 "no kyklos node at %s/nothere: kyklos.yaml not found (use "
		 "--home DIR, set KYKLOS_HOME, or run `kyklos init DIR`)",
		 c);
	assert_string_equal(err.msg, want);
	assert_int_equal(chdir(none), 0);
	assert_int_equal(ky_config_find_home(NULL, &home, &err), KY_E_NONODE);
	assert_non_null(strstr(err.msg, none));
	assert_int_equal(setenv("KYKLOS_HOME", a, 1), 0);
	assert_int_equal(ky_config_find_home(NULL, &home, &err), 0);
	assert_string_equal(home, a);
	free(home);
	unsetenv("KYKLOS_HOME");
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

/* Removes what test_load_file and test_find_home made. */
static int cleanup(void **state)
{
	static const char *const files[] = {
		"bad.yaml",
		"big.yaml",
		"a/kyklos.yaml",
		"b/kyklos.yaml",
		"c/kyklos.yaml",
		"a",
		"b",
		"c",
		"none",
		"",
	};
	char path[400];
	size_t i;

	(void)state;
	if (!tmpdir_made)
		return 0;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		remove(path);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_is_defaults),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_single_quoted),
		cmocka_unit_test(test_show_roundtrip),
		cmocka_unit_test(test_write_default),
		cmocka_unit_test(test_docs_current),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_find_home),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
