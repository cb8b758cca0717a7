/* Syslog parsers: RFC 5424 and RFC 3164 forms with exact field values,
 * real-world 3164 deviations, and malformed input (truncation at every
 * byte, bad PRI, bad structured data, huge fields, the field limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/time.h"
#include "event/event.h"
#include "event/syslog.h"

#include "../field_assert.h"

#define utc ta_utc
#define expect_str(path, want) ta_str(&ev, path, want)
#define expect_int(path, want) ta_int(&ev, path, want)
#define expect_absent(path) ta_absent(&ev, path)
#define expect_err(r, needle) ta_err(&err, r, needle)

static struct ky_arena *arena;
static struct ky_event ev;
static struct ky_err err;

/* 2024-11-25T00:00:00Z: the receive time used to resolve 3164 years. */
static int64_t recv_ns;

static int setup(void **state)
{
	(void)state;
	arena = ky_arena_new(4096, 0);
	assert_non_null(arena);
	assert_int_equal(ky_event_init(&ev, arena, 1024), 0);
	recv_ns = utc(2024, 11, 25, 0, 0, 0);
	memset(&err, 0, sizeof(err));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_event_free(&ev);
	ky_arena_free(arena);
	return 0;
}

static void fresh(void)
{
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	memset(&err, 0, sizeof(err));
}

static int p3164(const char *s)
{
	fresh();
	return ky_syslog3164_parse(s, strlen(s), recv_ns, &ev, &err);
}

static int p5424(const char *s)
{
	fresh();
	return ky_syslog5424_parse(s, strlen(s), &ev, &err);
}

static const char sshd[] =
	"<38>Nov 23 14:01:02 web1 sshd[1234]: Failed password for invalid "
	"user admin from 203.0.113.7 port 52811 ssh2";

static void test_3164_sshd(void **state)
{
	(void)state;
	assert_int_equal(p3164(sshd), 0);
	expect_int("log.syslog.priority", 38);
	expect_int("log.syslog.facility.code", 4);
	expect_int("log.syslog.severity.code", 6);
	expect_str("host.hostname", "web1");
	expect_str("process.name", "sshd");
	expect_int("process.pid", 1234);
	expect_str("message", "Failed password for invalid user admin from "
			      "203.0.113.7 port 52811 ssh2");
	assert_int_equal(ev.nfields, 7);
	assert_int_equal(ev.time_ns, utc(2024, 11, 23, 14, 1, 2));
	/* Zero copy: the message points into the input. */
	assert_ptr_equal(
		ky_event_get(&ev, "message")->str,
		sshd + strlen("<38>Nov 23 14:01:02 web1 sshd[1234]: "));
}

static void test_3164_forms(void **state)
{
	(void)state;
	/* No PRI. */
	assert_int_equal(p3164("Nov 23 14:01:02 web1 sshd[7]: hi"), 0);
	expect_absent("log.syslog.priority");
	expect_str("host.hostname", "web1");
	expect_int("process.pid", 7);
	expect_str("message", "hi");

	/* Space-padded day, "prog:" tag, FQDN host. */
	assert_int_equal(p3164("<0>Nov  3 01:02:03 a.example.org kernel: "
			       "Out of memory"),
			 0);
	expect_int("log.syslog.priority", 0);
	expect_int("log.syslog.facility.code", 0);
	expect_int("log.syslog.severity.code", 0);
	expect_str("host.hostname", "a.example.org");
	expect_str("process.name", "kernel");
	expect_absent("process.pid");
	expect_str("message", "Out of memory");
	assert_int_equal(ev.time_ns, utc(2024, 11, 3, 1, 2, 3));

	/* Highest PRI, leading zeros in PRI, slash in the tag. */
	assert_int_equal(p3164("<191>Nov 23 14:01:02 mx postfix/smtpd[99]: "
			       "connect"),
			 0);
	expect_int("log.syslog.facility.code", 23);
	expect_int("log.syslog.severity.code", 7);
	expect_str("process.name", "postfix/smtpd");
	assert_int_equal(p3164("<013>Nov 23 14:01:02 h p: m"), 0);
	expect_int("log.syslog.priority", 13);

	/* RFC 3339 timestamp instead of the BSD one. */
	assert_int_equal(p3164("<34>2024-05-01T12:00:00.5+02:00 fw01 "
			       "CRON[55]: (root) CMD (x)"),
			 0);
	assert_int_equal(ev.time_ns,
			 utc(2024, 5, 1, 10, 0, 0) + KY_NS_PER_SEC / 2);
	expect_str("host.hostname", "fw01");
	expect_str("process.name", "CRON");
	expect_int("process.pid", 55);
	expect_str("message", "(root) CMD (x)");

	/* Fractional seconds after the BSD time (rsyslog templates). */
	assert_int_equal(p3164("<13>Nov 23 14:01:02.250 h app: x"), 0);
	assert_int_equal(ev.time_ns,
			 utc(2024, 11, 23, 14, 1, 2) + KY_NS_PER_SEC / 4);
	expect_str("host.hostname", "h");

	/* IPv6 and IPv4 hosts. */
	assert_int_equal(p3164("<13>Nov 23 14:01:02 2001:db8::1 app: x"), 0);
	expect_str("host.hostname", "2001:db8::1");
	assert_int_equal(p3164("<13>Nov 23 14:01:02 192.0.2.1 app[1]: x"), 0);
	expect_str("host.hostname", "192.0.2.1");
}

static void test_3164_missing_parts(void **state)
{
	(void)state;
	/* Host missing: the word after the time is the tag. */
	assert_int_equal(p3164("<38>Nov 23 14:01:02 sshd[1234]: Accepted"), 0);
	expect_absent("host.hostname");
	expect_str("process.name", "sshd");
	expect_int("process.pid", 1234);
	expect_str("message", "Accepted");
	assert_int_equal(p3164("<6>Nov 23 14:01:02 kernel: eth0 up"), 0);
	expect_absent("host.hostname");
	expect_str("process.name", "kernel");
	expect_str("message", "eth0 up");

	/* No timestamp: no host either, but the tag is found. */
	assert_int_equal(p3164("<13>sshd[12]: hello"), 0);
	assert_int_equal(ev.time_ns, 0);
	expect_absent("host.hostname");
	expect_str("process.name", "sshd");
	expect_int("process.pid", 12);
	expect_str("message", "hello");

	/* Nothing but text. */
	assert_int_equal(p3164("<13>hello world"), 0);
	expect_absent("process.name");
	expect_str("message", "hello world");
	assert_int_equal(p3164("just a line"), 0);
	assert_int_equal(ev.nfields, 1);
	expect_str("message", "just a line");

	/* Host but no tag. */
	assert_int_equal(p3164("<13>Nov 23 14:01:02 h last message repeated "
			       "3 times"),
			 0);
	expect_str("host.hostname", "h");
	expect_absent("process.name");
	expect_str("message", "last message repeated 3 times");

	/* Tag without message; "prog[pid]" without colon. */
	assert_int_equal(p3164("<13>Nov 23 14:01:02 h app[9]:"), 0);
	expect_str("process.name", "app");
	expect_int("process.pid", 9);
	expect_absent("message");
	assert_int_equal(p3164("<13>Nov 23 14:01:02 h app[9] text"), 0);
	expect_int("process.pid", 9);
	expect_str("message", "text");
	/* Non-numeric pid stays a string; "[]" gives none. */
	assert_int_equal(p3164("<13>Nov 23 14:01:02 h app[main]: x"), 0);
	expect_str("process.pid", "main");
	assert_int_equal(p3164("<13>Nov 23 14:01:02 h app[]: x"), 0);
	expect_str("process.name", "app");
	expect_absent("process.pid");

	/* A URL is not a tag; a word with a comma is not a host. */
	assert_int_equal(p3164("<13>Nov 23 14:01:02 h http://x y"), 0);
	expect_absent("process.name");
	expect_str("message", "http://x y");
	assert_int_equal(p3164("<13>Nov 23 14:01:02 Hello, world"), 0);
	expect_absent("host.hostname");
	expect_str("message", "Hello, world");

	/* Invalid time: the rest is message. */
	assert_int_equal(p3164("<13>Nov 31 14:01:02 h app: x"), 0);
	assert_int_equal(ev.time_ns, 0);
	expect_absent("host.hostname");
	expect_str("message", "Nov 31 14:01:02 h app: x");
}

static void test_3164_year_and_trailer(void **state)
{
	(void)state;
	/* December line received on 2 January belongs to last year. */
	fresh();
	assert_int_equal(ky_syslog3164_parse("<13>Dec 31 23:59:59 h a: x", 26,
					     utc(2025, 1, 2, 0, 0, 0), &ev,
					     &err),
			 0);
	assert_int_equal(ev.time_ns, utc(2024, 12, 31, 23, 59, 59));

	/* Trailing CR, LF and NUL are not part of the message. */
	static const char tr[] = "<13>Nov 23 14:01:02 h a: msg\r\n\0\0";
	fresh();
	assert_int_equal(
		ky_syslog3164_parse(tr, sizeof(tr) - 1, recv_ns, &ev, &err), 0);
	expect_str("message", "msg");
}

static void test_3164_bad_pri(void **state)
{
	(void)state;
	expect_err(p3164(""), "empty");
	expect_err(p3164("\r\n"), "empty");
	expect_err(p3164("<999>Nov 23 14:01:02 h a: x"), "out of range");
	expect_err(p3164("<192>x"), "out of range");
	expect_err(p3164("<12"), "expected '>'");
	expect_err(p3164("<12 Nov"), "expected '>'");
	expect_err(p3164("<1234>x"), "expected '>'");
	expect_err(p3164("<>x"), "expected a digit");
	expect_err(p3164("<"), "expected a digit");
	expect_err(p3164("<a1>x"), "expected a digit");
	assert_string_equal(err.msg, "offset 1: PRI: expected a digit after "
				     "'<'");
}

static void test_3164_bytes(void **state)
{
	static const char bad[] = "<13>Nov 23 14:01:02 h\xff\xfe "
				  "pr\xc3\x28g[1]: \x80\xbf\xff\0inside";
	(void)state;
	/* Invalid UTF-8 passes through as bytes; a NUL inside is kept. */
	fresh();
	assert_int_equal(
		ky_syslog3164_parse(bad, sizeof(bad) - 1, recv_ns, &ev, &err),
		0);
	expect_absent("host.hostname");
	const struct ky_field *m = ky_event_get(&ev, "message");
	assert_non_null(m);
	assert_int_equal(m->str_len, strlen("h\xff\xfe pr\xc3\x28g[1]: "
					    "\x80\xbf\xff") +
					     7);
	assert_memory_equal(m->str + m->str_len - 6, "inside", 6);

	assert_int_equal(p3164("<13>Nov 23 14:01:02 h pr\xc3\xa9[3]: "
			       "caf\xc3\xa9"),
			 0);
	expect_str("process.name", "pr\xc3\xa9");
	expect_str("message", "caf\xc3\xa9");
}

/* Every prefix of real lines: error or a parse, never a crash or a read
 * past the end (each prefix is its own heap block for sanitizers). */
static size_t truncate_all(const char *line, int is5424, size_t min_ok)
{
	size_t n = strlen(line), early = 0;

	for (size_t k = 0; k <= n; k++) {
		char *c = malloc(k ? k : 1);
		int r;

		assert_non_null(c);
		memcpy(c, line, k);
		fresh();
		r = is5424 ? ky_syslog5424_parse(c, k, &ev, &err)
			   : ky_syslog3164_parse(c, k, recv_ns, &ev, &err);
		if (r != 0) {
			assert_int_equal(r, KY_E_PARSE);
			assert_int_equal(strncmp(err.msg, "offset ", 7), 0);
		}
		if (k >= min_ok && r != 0)
			fail_msg("prefix of %zu bytes failed: %s", k, err.msg);
		if (k < min_ok && r == 0)
			early++;
		free(c);
	}
	return early;
}

static const char ex5424_sd[] =
	"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
	"ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
	"eventID=\"1011\"][examplePriority@32473 class=\"high\"] "
	"\xEF\xBB\xBF"
	"An application event log entry...";

static void test_truncation(void **state)
{
	(void)state;
	/* 3164: only "", "<", "<3", "<38" fail. */
	assert_int_equal(truncate_all(sshd, 0, 4), 0);
	assert_int_equal(
		truncate_all("<13>2024-05-01T12:00:00Z h p[1]: m", 0, 4), 0);
	assert_int_equal(truncate_all("Nov  3 01:02:03 h p: m", 0, 1), 0);
	/* 5424 is valid only once the header and SD are complete; the one
	 * early success is the prefix ending after the first SD element. */
	assert_int_equal(truncate_all(ex5424_sd, 1, strlen(ex5424_sd) - 37), 1);
	assert_int_equal(
		truncate_all(
			"<34>1 2003-10-11T22:14:15.003Z h su - ID47 - x", 1,
			strlen("<34>1 2003-10-11T22:14:15.003Z h su - ID47 -")),
		0);
}

static void test_5424_examples(void **state)
{
	(void)state;
	/* RFC 5424 section 6.5, example 1. */
	assert_int_equal(p5424("<34>1 2003-10-11T22:14:15.003Z "
			       "mymachine.example.com su - ID47 - "
			       "\xEF\xBB\xBF'su root' failed for lonvick on "
			       "/dev/pts/8"),
			 0);
	expect_int("log.syslog.priority", 34);
	expect_int("log.syslog.facility.code", 4);
	expect_int("log.syslog.severity.code", 2);
	expect_str("host.hostname", "mymachine.example.com");
	expect_str("process.name", "su");
	expect_absent("process.pid");
	expect_str("event.code", "ID47");
	expect_str("message", "'su root' failed for lonvick on /dev/pts/8");
	assert_int_equal(ev.time_ns, utc(2003, 10, 11, 22, 14, 15) + 3000000);
	assert_int_equal(ev.nfields, 7);

	/* Example 2: zone offset, numeric PROCID, no MSGID, no BOM. */
	assert_int_equal(p5424("<165>1 2003-08-24T05:14:15.000003-07:00 "
			       "192.0.2.1 myproc 8710 - - %% It's time to "
			       "make the do-nuts."),
			 0);
	expect_int("log.syslog.priority", 165);
	expect_int("log.syslog.facility.code", 20);
	expect_int("log.syslog.severity.code", 5);
	expect_str("host.hostname", "192.0.2.1");
	expect_str("process.name", "myproc");
	expect_int("process.pid", 8710);
	expect_absent("event.code");
	expect_str("message", "%% It's time to make the do-nuts.");
	assert_int_equal(ev.time_ns, utc(2003, 8, 24, 12, 14, 15) + 3000);

	/* Examples 3 and 4: structured data, several elements. */
	assert_int_equal(p5424(ex5424_sd), 0);
	expect_str("sd.exampleSDID@32473.iut", "3");
	expect_str("sd.exampleSDID@32473.eventSource", "Application");
	expect_str("sd.exampleSDID@32473.eventID", "1011");
	expect_str("sd.examplePriority@32473.class", "high");
	expect_str("message", "An application event log entry...");
	assert_int_equal(p5424("<165>1 2003-10-11T22:14:15.003Z h evntslog - "
			       "ID47 [exampleSDID@32473 iut=\"3\"]"
			       "[examplePriority@32473 class=\"high\"]"),
			 0);
	expect_str("sd.examplePriority@32473.class", "high");
	expect_absent("message");
}

static void test_5424_nil_and_sd(void **state)
{
	(void)state;
	/* NILVALUEs produce no field. */
	assert_int_equal(p5424("<0>1 - - - - - -"), 0);
	assert_int_equal(ev.nfields, 3);
	assert_int_equal(ev.time_ns, 0);
	assert_int_equal(p5424("<0>1 - - - - - - "), 0);
	assert_int_equal(ev.nfields, 3);

	/* Escapes: \" \\ \] unescaped into the arena; other backslashes
	 * kept; an unescaped ']' inside quotes is tolerated. */
	assert_int_equal(p5424("<13>1 - h a 1 m [x@1 k=\"q\\\"b\\\\s\\]e\\n"
			       "]\" e=\"\" z=\"plain\"] msg\n"),
			 0);
	expect_str("sd.x@1.k", "q\"b\\s]e\\n]");
	expect_str("sd.x@1.e", "");
	expect_str("sd.x@1.z", "plain");
	expect_str("message", "msg");
	expect_int("process.pid", 1);
	/* SD element without params; non-numeric PROCID. */
	assert_int_equal(p5424("<13>1 - h a worker-3 - [origin] m"), 0);
	expect_str("process.pid", "worker-3");
	assert_int_equal(ev.nfields, 7);
	/* Empty MSG after SP, and a BOM only. */
	assert_int_equal(p5424("<13>1 - h a - - - \xEF\xBB\xBF"), 0);
	expect_absent("message");
	/* Message keeps invalid UTF-8 as bytes. */
	assert_int_equal(p5424("<13>1 - h a - - - \xff\xfe"), 0);
	expect_str("message", "\xff\xfe");
}

static void test_5424_errors(void **state)
{
	char big[600];

	(void)state;
	expect_err(p5424(""), "empty");
	expect_err(p5424("Nov 23 14:01:02 h a: x"), "expected '<'");
	expect_err(p5424("<192>1 - - - - - -"), "out of range");
	expect_err(p5424("<13>0 - - - - - -"), "VERSION");
	expect_err(p5424("<13> - - - - - -"), "VERSION");
	expect_err(p5424("<13>1  - - - - -"), "TIMESTAMP: empty");
	expect_err(p5424("<13>1 - - - - -"), "record ends after MSGID");
	expect_err(p5424("<13>1 - - - - - "), "STRUCTURED-DATA");
	expect_err(p5424("<13>1 - - - - - x"), "STRUCTURED-DATA");
	expect_err(p5424("<13>1 - - - - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa -"),
		   "MSGID");
	assert_string_equal(err.msg, "offset 14: MSGID: longer than 32 bytes");
	expect_err(p5424("<13>1 2024-05-01T12:00:00 h a - - -"), "zone");
	expect_err(p5424("<13>1 2024-05-01 h a - - -"), "TIMESTAMP");
	expect_err(p5424("<13>1 2024-13-01T12:00:00Z h a - - -"), "TIMESTAMP");
	expect_err(p5424("<13>1 - h\x7f a - - -"), "HOSTNAME: unexpected byte "
						   "0x7f");
	expect_err(p5424("<13>1 - h\xc3\xa9 a - - -"), "HOSTNAME");
	expect_err(p5424("<13>1 - h a - - [x"), "no closing ']'");
	expect_err(p5424("<13>1 - h a - - [x k=\"v]"), "no closing '\"'");
	expect_err(p5424("<13>1 - h a - - [x k=v]"), "expected '\"'");
	expect_err(p5424("<13>1 - h a - - [x k]"), "expected '='");
	expect_err(p5424("<13>1 - h a - - [x  k=\"v\"]"), "PARAM-NAME");
	expect_err(p5424("<13>1 - h a - - [x k=\"v\"k2=\"v\"]"),
		   "expected SP or ']'");
	expect_err(p5424("<13>1 - h a - - []"), "SD-ID: empty");
	expect_err(p5424("<13>1 - h a - - [a\"b k=\"v\"]"), "SD-ELEMENT");
	expect_err(p5424("<13>1 - h a - - [x k=\"v\"]m"),
		   "expected SP after STRUCTURED-DATA");
	/* A second element after SP is message text, not SD. */
	assert_int_equal(p5424("<13>1 - h a - - [x k=\"v\"] [y]"), 0);
	expect_str("message", "[y]");
	/* Huge header fields: limits of RFC 5424 section 6. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "<13>1 - ", 8);
	memcpy(big + 8 + 256, " a - - -", 9);
	expect_err(p5424(big), "HOSTNAME: longer than 255");
	memcpy(big + 8 + 255, " a - - -", 9);
	assert_int_equal(p5424(big), 0);
	expect_err(p5424("<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaa - - -"),
		   "APP-NAME: longer than 48");
	expect_err(p5424("<13>1 - h a - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]"),
		   "SD-ID: longer than 32");
}

static void test_huge_message(void **state)
{
	size_t n = 4u << 20;
	char *s = malloc(n);
	const char *hdr = "<13>Nov 23 14:01:02 h a[1]: ";
	const char *hdr5 = "<13>1 - h a 1 - [x k=\"";

	(void)state;
	assert_non_null(s);
	memset(s, 'x', n);
	memcpy(s, hdr, strlen(hdr));
	fresh();
	assert_int_equal(ky_syslog3164_parse(s, n, recv_ns, &ev, &err), 0);
	assert_int_equal(ky_event_get(&ev, "message")->str_len,
			 n - strlen(hdr));
	/* A 4 MiB SD value with escapes is copied to the arena. */
	memset(s, '\\', n);
	memcpy(s, hdr5, strlen(hdr5));
	memcpy(s + n - 3, "\"] ", 3);
	s[n - 4] = 'e';
	fresh();
	assert_int_equal(ky_syslog5424_parse(s, n, &ev, &err), 0);
	assert_int_equal(ky_event_get(&ev, "sd.x.k")->str_len,
			 (n - 4 - strlen(hdr5)) / 2 + 1);
	free(s);
}

static void test_field_limit(void **state)
{
	struct ky_event small;
	char want[64];
	int r;

	(void)state;
	assert_int_equal(ky_event_init(&small, arena, 3), 0);
	r = ky_syslog3164_parse(sshd, strlen(sshd), recv_ns, &small, &err);
	assert_int_equal(r, KY_E_TOOBIG);
	assert_non_null(strstr(err.msg, "more than 3 fields"));
	ky_event_reset(&small);
	r = ky_syslog5424_parse(ex5424_sd, strlen(ex5424_sd), &small, &err);
	assert_int_equal(r, KY_E_TOOBIG);
	ky_event_free(&small);

	assert_int_equal(ky_event_init(&small, arena, 9), 0);
	r = ky_syslog5424_parse(ex5424_sd, strlen(ex5424_sd), &small, &err);
	assert_int_equal(r, KY_E_TOOBIG);
	snprintf(want, sizeof(want), "offset %zu: more than 9 fields",
		 (size_t)(strstr(ex5424_sd, "class=") - ex5424_sd));
	assert_string_equal(err.msg, want);
	ky_event_free(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_3164_sshd),
		cmocka_unit_test(test_3164_forms),
		cmocka_unit_test(test_3164_missing_parts),
		cmocka_unit_test(test_3164_year_and_trailer),
		cmocka_unit_test(test_3164_bad_pri),
		cmocka_unit_test(test_3164_bytes),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_5424_examples),
		cmocka_unit_test(test_5424_nil_and_sd),
		cmocka_unit_test(test_5424_errors),
		cmocka_unit_test(test_huge_message),
		cmocka_unit_test(test_field_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
