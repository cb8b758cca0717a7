/* The record parser end to end: format detection, forced formats, the
 * line limit, each format to its field values after extraction and
 * mapping, and malformed records that must fail with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/time.h"
#include "event/event.h"
#include "event/parse.h"

static struct ky_parser *parser;
static struct ky_parse_ctx *ctx;
static struct ky_event *ev;
static struct ky_err err;

#define RECV_NS (1732492800LL * KY_NS_PER_SEC) /* 2024-11-25T00:00:00Z */

static void config(struct ky_config *cfg, int64_t max_line)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_line = max_line;
	cfg->max_fields = 64;
	cfg->max_depth = 8;
	cfg->fieldmap_builtin = true;
	cfg->extract_builtin = true;
}

static int setup(void **state)
{
	struct ky_config cfg;

	(void)state;
	config(&cfg, 4096);
	assert_int_equal(ky_parser_new(&parser, &cfg, &err), 0);
	assert_int_equal(ky_parse_ctx_new(parser, &ctx), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_parse_ctx_free(ctx);
	ky_parser_free(parser);
	ctx = NULL;
	parser = NULL;
	return 0;
}

static int parse(enum ky_format f, const char *s)
{
	memset(&err, 0, sizeof(err));
	return ky_parse_record(ctx, f, s, strlen(s), RECV_NS, &ev, &err);
}

static void parse_ok(enum ky_format f, const char *s)
{
	int rc = parse(f, s);

	if (rc != 0)
		fail_msg("parse of '%s' failed: %s", s, err.msg);
	assert_non_null(ev);
}

static void parse_fails(enum ky_format f, const char *s, int status,
			const char *needle)
{
	int rc = parse(f, s);

	if (rc != status)
		fail_msg("parse of '%.60s' gave %d (%s), expected %d", s, rc,
			 err.msg, status);
	assert_null(ev);
	if (needle != NULL && strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

static const struct ky_field *need(const char *name)
{
	const struct ky_field *f = ky_event_get(ev, name);

	if (f == NULL)
		fail_msg("field %s missing", name);
	return f;
}

static void expect_str(const char *name, const char *val)
{
	const struct ky_field *f = need(name);

	if (f->str_len != strlen(val) || memcmp(f->str, val, f->str_len) != 0)
		fail_msg("field %s = '%.*s', expected '%s'", name,
			 (int)f->str_len, f->str, val);
}

static void expect_int(const char *name, int64_t v)
{
	const struct ky_field *f = need(name);

	assert_int_equal(f->type, KY_V_INT);
	assert_true(f->v.i == v);
}

static int count(const char *name)
{
	uint32_t i;
	int n = 0;

	for (i = 0; i < ev->nfields; i++)
		n += ev->fields[i].path_len == strlen(name) &&
		     memcmp(ev->fields[i].path, name, strlen(name)) == 0;
	return n;
}

static int64_t ts(const char *s)
{
	int64_t ns = 0;

	assert_true(ky_time_parse_rfc3339(s, strlen(s), &ns) > 0);
	return ns;
}

static enum ky_format det(const char *s)
{
	return ky_format_detect(s, strlen(s));
}

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(det("{\"a\":1}"), KY_FMT_JSON);
	assert_int_equal(det("  \t[1,2]"), KY_FMT_JSON);
	assert_int_equal(det("\n{"), KY_FMT_JSON);
	assert_int_equal(det("CEF:0|V|P|1|100|n|5|src=1.2.3.4"), KY_FMT_CEF);
	assert_int_equal(det("<134>Feb  1 10:00:00 fw CEF:0|V|P|1|1|n|5|"),
			 KY_FMT_CEF);
	assert_int_equal(
		det("<134>1 2024-01-01T00:00:00Z fw app - - - CEF:0|V|P|1|1|n|"
		    "5|"),
		KY_FMT_CEF);
	assert_int_equal(det("Feb  1 10:00:00 fw CEF:0|V|P|1|1|n|5|"),
			 KY_FMT_CEF);
	assert_int_equal(det("<34>1 2003-10-11T22:14:15.003Z host su - ID47 - "
			     "x"),
			 KY_FMT_SYSLOG5424);
	assert_int_equal(det("<34>Oct 11 22:14:15 host su: x"),
			 KY_FMT_SYSLOG3164);
	assert_int_equal(det("<13>just a message"), KY_FMT_SYSLOG3164);
	assert_int_equal(det("<13>1x"), KY_FMT_SYSLOG3164);
	assert_int_equal(det("Oct 11 22:14:15 host sshd[1]: x"),
			 KY_FMT_SYSLOG3164);
	assert_int_equal(det("Oct  1 22:14:15 host sshd[1]: x"),
			 KY_FMT_SYSLOG3164);
	assert_int_equal(det("2024-05-01T12:00:00+02:00 host sshd[1]: x"),
			 KY_FMT_SYSLOG3164);
	assert_int_equal(det("{ }"), KY_FMT_JSON);
	assert_int_equal(det("{"), KY_FMT_JSON);
	assert_int_equal(det("[ -1]"), KY_FMT_JSON);
	assert_int_equal(det("[true]"), KY_FMT_JSON);
	assert_int_equal(det("[null,1]"), KY_FMT_JSON);
	assert_int_equal(det("[Mon Jan 01 10:00:00 2024] [error] x"),
			 KY_FMT_RAW);
	assert_int_equal(det("[error] x"), KY_FMT_RAW);
	assert_int_equal(det("{tag} text"), KY_FMT_RAW);
	assert_int_equal(det("hello world"), KY_FMT_RAW);
	assert_int_equal(det("Foo 11 22:14:15 host x"), KY_FMT_RAW);
	assert_int_equal(det("<abc> x"), KY_FMT_RAW);
	assert_int_equal(det("<1234> x"), KY_FMT_RAW);
	assert_int_equal(det("<"), KY_FMT_RAW);
	assert_int_equal(det(""), KY_FMT_RAW);
	assert_int_equal(det("   "), KY_FMT_RAW);
	/* "CEF:" in the message of a plain line is not CEF */
	assert_int_equal(det("hello CEF:0|a"), KY_FMT_RAW);
	assert_int_equal(ky_format_detect("{", 0), KY_FMT_RAW);
}

static void test_forced_mismatch(void **state)
{
	(void)state;
	parse_fails(KY_FMT_JSON, "<34>Oct 11 22:14:15 host su: x", KY_E_PARSE,
		    "expected json");
	parse_fails(KY_FMT_SYSLOG5424, "<34>Oct 11 22:14:15 host su: x",
		    KY_E_PARSE, "expected syslog5424");
	parse_fails(KY_FMT_CEF, "just text", KY_E_PARSE, "expected cef");
	parse_fails(KY_FMT_CEF, "<34>Oct 11 22:14:15 host su: no cef here",
		    KY_E_PARSE, "expected cef");
	/* the same lines parse when the forced format fits */
	parse_ok(KY_FMT_SYSLOG3164, "<34>Oct 11 22:14:15 host su: x");
	assert_int_equal(ev->format, KY_FMT_SYSLOG3164);
	parse_ok(KY_FMT_RAW, "{\"a\":1}");
	assert_int_equal(ev->format, KY_FMT_RAW);
	expect_str("message", "{\"a\":1}");
	assert_null(ky_event_get(ev, "a"));
}

static void test_max_line(void **state)
{
	char line[4200];

	(void)state;
	memset(line, 'x', sizeof(line));
	line[4097] = '\0';
	parse_fails(KY_FMT_AUTO, line, KY_E_TOOBIG,
		    "record of 4097 bytes exceeds limits.max_line 4096");
	/* exactly the limit, plus a CR LF that does not count */
	line[4096] = '\r';
	line[4097] = '\n';
	line[4098] = '\0';
	parse_ok(KY_FMT_AUTO, line);
	assert_int_equal(ev->format, KY_FMT_RAW);
	assert_int_equal(need("message")->str_len, 4096);
	assert_int_equal(ev->raw_len, 4096);
}

static void test_json(void **state)
{
	static const char rec[] =
		"{\"@timestamp\":\"2024-05-01T12:00:00Z\",\"process\":{"
		"\"name\":\"bash\",\"args\":[\"-c\",\"id\"]},\"n\":42,"
		"\"ok\":true,\"s\":\"a\\\"b\"}\r\n";

	(void)state;
	parse_ok(KY_FMT_AUTO, rec);
	assert_int_equal(ev->format, KY_FMT_JSON);
	expect_str("process.name", "bash");
	expect_str("process.args[1]", "id");
	expect_int("n", 42);
	expect_str("s", "a\"b");
	assert_int_equal(need("ok")->type, KY_V_BOOL);
	assert_true(ev->time_ns == ts("2024-05-01T12:00:00Z"));
	assert_true(ev->recv_ns == RECV_NS);
	assert_ptr_equal(ev->raw, rec);
	assert_int_equal(ev->raw_len, strlen(rec) - 2);
	/* no extraction on JSON */
	assert_null(ky_event_get(ev, "source.ip"));
	/* names from the input are not constants */
	for (uint32_t i = 0; i < ev->nfields; i++)
		assert_int_equal(ev->fields[i].flags, 0);
}

static void test_json_windows(void **state)
{
	(void)state;
	/* Winlogbeat */
	parse_ok(KY_FMT_AUTO,
		 "{\"@timestamp\":\"2024-05-01T12:00:00.000Z\",\"winlog\":{"
		 "\"channel\":\"Security\",\"event_id\":4624,"
		 "\"provider_name\":\"Microsoft-Windows-Security-Auditing\","
		 "\"event_data\":{\"TargetUserName\":\"bob\","
		 "\"LogonType\":\"3\"}},\"host\":{\"name\":\"dc1\"}}");
	expect_int("EventID", 4624);
	expect_str("Channel", "Security");
	expect_str("Provider_Name", "Microsoft-Windows-Security-Auditing");
	expect_str("TargetUserName", "bob");
	expect_str("LogonType", "3");
	expect_str("host.name", "dc1");
	/* evtx_dump with the Data array form */
	parse_ok(KY_FMT_AUTO,
		 "{\"Event\":{\"System\":{\"EventID\":4688,\"Channel\":"
		 "\"Security\",\"TimeCreated\":{\"#attributes\":{"
		 "\"SystemTime\":\"2024-05-01T10:00:00.5Z\"}}},"
		 "\"EventData\":{\"Data\":[{\"#attributes\":{\"Name\":"
		 "\"NewProcessName\"},\"#text\":\"C:\\\\x.exe\"},"
		 "{\"#attributes\":{\"Name\":\"CommandLine\"},\"#text\":"
		 "\"x.exe -y\"},{\"#attributes\":{\"Name\":\"Empty\"}}]}}}");
	expect_int("EventID", 4688);
	expect_str("Channel", "Security");
	expect_str("NewProcessName", "C:\\x.exe");
	expect_str("CommandLine", "x.exe -y");
	expect_str("Empty", "");
	assert_true(ev->time_ns == ts("2024-05-01T10:00:00.5Z"));
	/* NXLog flat */
	parse_ok(KY_FMT_AUTO, "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-"
			      "Sysmon/Operational\",\"Image\":\"C:\\\\a.exe\","
			      "\"SourceName\":\"Microsoft-Windows-Sysmon\"}");
	expect_int("EventID", 1);
	expect_str("Image", "C:\\a.exe");
	expect_str("Provider_Name", "Microsoft-Windows-Sysmon");
}

static void test_syslog5424(void **state)
{
	(void)state;
	parse_ok(
		KY_FMT_AUTO,
		"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog"
		" 1234 ID47 [exampleSDID@32473 iut=\"3\" eventSource="
		"\"Application\"] An application event log entry\n");
	assert_int_equal(ev->format, KY_FMT_SYSLOG5424);
	expect_str("host.hostname", "mymachine.example.com");
	expect_str("process.name", "evntslog");
	expect_int("process.pid", 1234);
	expect_str("event.code", "ID47");
	expect_int("log.syslog.priority", 165);
	expect_int("log.syslog.facility.code", 20);
	expect_int("log.syslog.severity.code", 5);
	expect_str("sd.exampleSDID@32473.iut", "3");
	expect_str("message", "An application event log entry");
	assert_true(ev->time_ns == ts("2003-10-11T22:14:15.003Z"));
}

static void test_syslog3164_sshd(void **state)
{
	(void)state;
	parse_ok(KY_FMT_AUTO,
		 "<38>Nov 24 17:32:18 web1 sshd[4321]: Failed password for "
		 "invalid user admin from 203.0.113.5 port 52211 ssh2");
	assert_int_equal(ev->format, KY_FMT_SYSLOG3164);
	expect_str("host.hostname", "web1");
	expect_str("process.name", "sshd");
	expect_int("process.pid", 4321);
	expect_str("source.ip", "203.0.113.5");
	expect_str("user.name", "admin");
	expect_str("event.outcome", "failure");
	assert_true(ev->time_ns == ts("2024-11-24T17:32:18Z"));
	/* the parsers' own names are constants the matcher may cache by
	 * address: PRI fields (put), header, extractor (ADD, ADDI) */
	assert_int_equal(need("log.syslog.priority")->flags,
			 KY_FIELD_CONST_PATH);
	assert_int_equal(need("host.hostname")->flags, KY_FIELD_CONST_PATH);
	assert_int_equal(need("process.pid")->flags, KY_FIELD_CONST_PATH);
	assert_int_equal(need("message")->flags, KY_FIELD_CONST_PATH);
	assert_int_equal(need("source.ip")->flags, KY_FIELD_CONST_PATH);
	assert_int_equal(need("source.port")->flags, KY_FIELD_CONST_PATH);
}

static void test_raw_extraction(void **state)
{
	(void)state;
	parse_ok(KY_FMT_AUTO,
		 "Accepted password for bob from 10.1.2.3 port 5555 ssh2");
	assert_int_equal(ev->format, KY_FMT_RAW);
	expect_str("message",
		   "Accepted password for bob from 10.1.2.3 port 5555 ssh2");
	expect_str("source.ip", "10.1.2.3");
	expect_str("user.name", "bob");
	assert_int_equal(ev->time_ns, 0);
	assert_true(ev->recv_ns == RECV_NS);
	/* a line nothing recognises is still an event */
	parse_ok(KY_FMT_AUTO, "nothing to see");
	assert_int_equal(ev->nfields, 1);
}

static void test_cef(void **state)
{
	(void)state;
	parse_ok(KY_FMT_AUTO,
		 "CEF:0|Security|threatmanager|1.0|100|worm successfully "
		 "stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 msg=a b\\=c");
	assert_int_equal(ev->format, KY_FMT_CEF);
	expect_str("cef.device_vendor", "Security");
	expect_str("cef.name", "worm successfully stopped");
	expect_int("cef.severity", 10);
	expect_str("source.ip", "10.0.0.1");
	expect_str("destination.ip", "2.1.2.2");
	expect_int("source.port", 1232);
	expect_str("message", "a b=c");

	/* behind a syslog header: both parts, one message */
	parse_ok(KY_FMT_AUTO, "<134>Nov 24 10:00:00 fw1 CEF:0|V|P|1|sig|n|3|"
			      "src=192.0.2.7 msg=hi");
	assert_int_equal(ev->format, KY_FMT_CEF);
	expect_str("host.hostname", "fw1");
	expect_int("log.syslog.priority", 134);
	expect_str("cef.signature_id", "sig");
	expect_str("source.ip", "192.0.2.7");
	expect_str("message", "hi");
	assert_int_equal(count("message"), 1);
	assert_true(ev->time_ns == ts("2024-11-24T10:00:00Z"));

	parse_ok(KY_FMT_AUTO, "<134>1 2024-01-01T00:00:00Z fw2 app - - - "
			      "CEF:0|V|P|1|sig|n|3|dst=192.0.2.8");
	assert_int_equal(ev->format, KY_FMT_CEF);
	expect_str("host.hostname", "fw2");
	expect_str("destination.ip", "192.0.2.8");
	assert_null(ky_event_get(ev, "message"));

	/* "CEF:" in a syslog line that is not CEF: kept as syslog */
	parse_ok(KY_FMT_AUTO, "<13>Nov 24 10:00:00 h app: see CEF: notes");
	assert_int_equal(ev->format, KY_FMT_SYSLOG3164);
	expect_str("message", "see CEF: notes");
	/* a broken CEF header is an error naming its place */
	parse_fails(KY_FMT_AUTO, "<134>Nov 24 10:00:00 fw1 CEF:0|V|P",
		    KY_E_PARSE, "offset");
	parse_fails(KY_FMT_AUTO, "CEF:0|V|P|1", KY_E_PARSE, "cef");
}

static void test_malformed(void **state)
{
	char deep[64], many[2048];
	size_t i, o;

	(void)state;
	parse_fails(KY_FMT_AUTO, "", KY_E_PARSE, "empty");
	parse_fails(KY_FMT_AUTO, "\r\n", KY_E_PARSE, "empty");
	parse_fails(KY_FMT_AUTO, "{\"a\":", KY_E_PARSE, "offset");
	parse_fails(KY_FMT_AUTO, "{\"a\":\"\\q\"}", KY_E_PARSE, "json");
	parse_fails(KY_FMT_AUTO, "{\"a\":\"\xc3\x28\"}", KY_E_PARSE, "offset");
	parse_fails(KY_FMT_AUTO, "{\"a\":1} x", KY_E_PARSE, "offset");
	parse_fails(KY_FMT_AUTO, "<999>Oct 11 22:14:15 h x: y", KY_E_PARSE,
		    NULL);
	/* nesting past max_depth (8) */
	for (i = 0; i < 20; i++)
		deep[i] = '[';
	for (; i < 40; i++)
		deep[i] = ']';
	deep[i] = '\0';
	parse_fails(KY_FMT_AUTO, deep, KY_E_TOOBIG, NULL);
	/* more fields than max_fields (64) */
	o = 0;
	many[o++] = '[';
	for (i = 0; i < 100; i++) {
		many[o++] = '1';
		many[o++] = ',';
	}
	many[o - 1] = ']';
	many[o] = '\0';
	parse_fails(KY_FMT_AUTO, many, KY_E_TOOBIG, NULL);
	/* and the context still works afterwards */
	parse_ok(KY_FMT_AUTO, "{\"a\":1}");
	expect_int("a", 1);
	assert_int_equal(ev->nfields, 1);
}

/* Every prefix of valid records of each format: never a crash, always a
 * verdict, and an error always has a message. */
static void test_truncations(void **state)
{
	static const char *const recs[] = {
		"{\"Event\":{\"EventData\":{\"Data\":[{\"#attributes\":{"
		"\"Name\":\"A\"},\"#text\":\"x\\u00e9\\ud83d\\ude00\"}]}}}",
		"<165>1 2003-10-11T22:14:15.003Z h app 12 ID [a@1 b=\"\\]\"] m",
		"<38>Nov 24 17:32:18 web1 sshd[4321]: Accepted publickey for "
		"root from 198.51.100.9 port 22 ssh2",
		"<134>Nov 24 10:00:00 fw1 CEF:0|V\\|x|P|1|sig|n|3|src=1.2.3.4 "
		"msg=a\\=b\\\\",
	};
	char buf[512];
	size_t r, k, len;
	int rc;

	(void)state;
	for (r = 0; r < sizeof(recs) / sizeof(recs[0]); r++) {
		len = strlen(recs[r]);
		for (k = 0; k <= len; k++) {
			memcpy(buf, recs[r], k);
			memset(&err, 0, sizeof(err));
			rc = ky_parse_record(ctx, KY_FMT_AUTO, buf, k, RECV_NS,
					     &ev, &err);
			if (rc == 0)
				assert_non_null(ev);
			else
				assert_true(err.msg[0] != '\0');
		}
	}
}

static void test_defaults_and_reuse(void **state)
{
	struct ky_parser *p = NULL;
	struct ky_parse_ctx *c = NULL;
	struct ky_config cfg;
	struct ky_event *e = NULL;
	char line[128];
	int i, n;

	(void)state;
	/* NULL configuration: built-in map, extractors, default limits */
	assert_int_equal(ky_parser_new(&p, NULL, &err), 0);
	assert_int_equal(ky_parse_ctx_new(p, &c), 0);
	for (i = 0; i < 5000; i++) {
		n = snprintf(line, sizeof(line),
			     "{\"winlog\":{\"event_id\":%d},\"i\":\"v%d\"}", i,
			     i);
		assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, line,
						 (size_t)n, 0, &e, &err),
				 0);
		assert_non_null(ky_event_get(e, "EventID"));
		assert_true(ky_event_get(e, "EventID")->v.i == i);
	}
	ky_parse_ctx_free(c);
	ky_parser_free(p);

	/* a bad configured rule stops construction with its name */
	config(&cfg, 100);
	{
		struct ky_config_maprule bad = {(char *)"x", (char *)""};

		cfg.maprules = &bad;
		cfg.nmaprules = 1;
		p = NULL;
		assert_int_equal(ky_parser_new(&p, &cfg, &err), KY_E_INVAL);
		assert_null(p);
		assert_non_null(strstr(err.msg, "fieldmap.rules[0]"));
	}
}

/* A time field counts on every format: the built-in rules are JSON
 * shapes and other events skip them, but a raw line whose user pattern
 * extracts "@timestamp" (or a 5424 record with a NILVALUE time and a
 * configured time field) still gets its event time. */
static void test_time_field_non_json(void **state)
{
	struct ky_config_pattern pat = {(char *)"stamped", NULL,
					(char *)"at %{notspace:@timestamp} "
						"%{rest:msg}"};
	char *tf[] = {(char *)"sd.meta.ts"};
	struct ky_parser *p = NULL;
	struct ky_parse_ctx *c = NULL;
	struct ky_config cfg;
	struct ky_event *e = NULL;
	const char *raw = "at 2024-05-01T12:00:00Z something happened";
	const char *s5424 = "<13>1 - host app - - [meta ts=\"2024-05-01T12:00:"
			    "01Z\"] hello";

	(void)state;
	config(&cfg, 4096);
	cfg.patterns = &pat;
	cfg.npatterns = 1;
	assert_int_equal(ky_parser_new(&p, &cfg, &err), 0);
	assert_int_equal(ky_parse_ctx_new(p, &c), 0);
	assert_int_equal(ky_parse_record(c, KY_FMT_RAW, raw, strlen(raw),
					 RECV_NS, &e, &err),
			 0);
	assert_non_null(ky_event_get(e, "@timestamp"));
	assert_true(e->time_ns == 1714564800LL * KY_NS_PER_SEC);
	ky_parse_ctx_free(c);
	ky_parser_free(p);

	config(&cfg, 4096);
	cfg.time_fields.v = tf;
	cfg.time_fields.n = 1;
	assert_int_equal(ky_parser_new(&p, &cfg, &err), 0);
	assert_int_equal(ky_parse_ctx_new(p, &c), 0);
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s5424, strlen(s5424),
					 RECV_NS, &e, &err),
			 0);
	assert_int_equal(e->format, KY_FMT_SYSLOG5424);
	assert_true(e->time_ns == 1714564801LL * KY_NS_PER_SEC);
	ky_parse_ctx_free(c);
	ky_parser_free(p);
}

/* Detection skips leading blanks; the syslog parsers must see the same
 * start or a 5424 line fails and a 3164 line loses its header. */
static void test_leading_blanks(void **state)
{
	(void)state;
	parse_ok(KY_FMT_AUTO,
		 " \t<13>1 2003-10-11T22:14:15.003Z host app 7 - - "
		 "msg");
	assert_int_equal(ev->format, KY_FMT_SYSLOG5424);
	assert_non_null(ky_event_get(ev, "host.hostname"));
	assert_true(ev->time_ns == 1065910455003000000LL);
	parse_ok(KY_FMT_AUTO, "  <38>Oct 11 22:14:15 web1 sshd[42]: Accepted "
			      "password for bob from 192.0.2.1 port 22 ssh2");
	assert_int_equal(ev->format, KY_FMT_SYSLOG3164);
	assert_non_null(ky_event_get(ev, "log.syslog.priority"));
	assert_non_null(ky_event_get(ev, "source.ip"));
	assert_int_equal(parse(KY_FMT_AUTO, "  <13>1 bad"), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "after 2 leading blanks"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test_setup_teardown(test_forced_mismatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_windows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_syslog5424, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_syslog3164_sshd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_extraction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cef, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup,
						teardown),
		cmocka_unit_test(test_defaults_and_reuse),
		cmocka_unit_test(test_time_field_non_json),
		cmocka_unit_test_setup_teardown(test_leading_blanks, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
