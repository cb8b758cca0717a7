/* CEF parser: header fields and escapes, extension values with spaces and
 * escapes, ECS aliases, rt timestamps, and malformed input (truncation at
 * every byte, missing pipes, bad keys, huge values, the field limit). */
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
#include "event/cef.h"
#include "event/event.h"

#include "../field_assert.h"

#define utc ta_utc
#define expect_str(path, want) ta_str(&ev, path, want)
#define expect_int(path, want) ta_int(&ev, path, want)
#define expect_absent(path) ta_absent(&ev, path)
#define expect_err(r, needle) ta_err(&err, r, needle)

static struct ky_arena *arena;
static struct ky_event ev;
static struct ky_err err;

static int setup(void **state)
{
	(void)state;
	arena = ky_arena_new(4096, 0);
	assert_non_null(arena);
	assert_int_equal(ky_event_init(&ev, arena, 1024), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_event_free(&ev);
	ky_arena_free(arena);
	return 0;
}

static int pcef(const char *s)
{
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	ev.recv_ns = utc(2024, 11, 25, 0, 0, 0);
	memset(&err, 0, sizeof(err));
	return ky_cef_parse(s, strlen(s), &ev, &err);
}

static const char sample[] =
	"CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|"
	"src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=443 proto=TCP "
	"suser=alice duser=bob shost=a.example.org dhost=b.example.org "
	"act=blocked outcome=success request=https://x.example/?a=b&c=d "
	"msg=Detected a threat. No action needed. rt=1700000000123 "
	"cs1Label=policy cs1=default allow";

static void test_header_and_aliases(void **state)
{
	(void)state;
	assert_int_equal(pcef(sample), 0);
	expect_int("cef.version", 0);
	expect_str("cef.device_vendor", "Security");
	expect_str("cef.device_product", "threatmanager");
	expect_str("cef.device_version", "1.0");
	expect_str("cef.signature_id", "100");
	expect_str("cef.name", "worm successfully stopped");
	expect_int("cef.severity", 10);
	expect_str("cef.ext.src", "10.0.0.1");
	expect_str("source.ip", "10.0.0.1");
	expect_str("destination.ip", "2.1.2.2");
	expect_str("cef.ext.spt", "1232");
	expect_int("source.port", 1232);
	expect_int("destination.port", 443);
	expect_str("cef.ext.proto", "TCP");
	expect_str("network.transport", "tcp");
	expect_str("source.user.name", "alice");
	expect_str("destination.user.name", "bob");
	expect_str("source.domain", "a.example.org");
	expect_str("destination.domain", "b.example.org");
	expect_str("event.action", "blocked");
	expect_str("event.outcome", "success");
	/* '=' inside a value that is not " key=" stays in the value. */
	expect_str("url.original", "https://x.example/?a=b&c=d");
	/* Spaces inside values: a value runs to the next " key=". */
	expect_str("message", "Detected a threat. No action needed.");
	expect_str("cef.ext.msg", "Detected a threat. No action needed.");
	expect_str("@timestamp", "1700000000123");
	assert_int_equal(ev.time_ns, 1700000000123000000LL);
	expect_str("cef.ext.cs1Label", "policy");
	expect_str("cef.ext.cs1", "default allow");
	/* 7 header + 16 extension + 14 aliases. */
	assert_int_equal(ev.nfields, 7 + 16 + 14);
	/* Zero copy for unescaped values. */
	assert_ptr_equal(ky_event_get(&ev, "cef.ext.src")->str,
			 strstr(sample, "10.0.0.1"));
}

static void test_escapes(void **state)
{
	(void)state;
	/* Header: \| and \\; other backslashes kept. */
	assert_int_equal(pcef("CEF:0|ACME\\|Corp|a\\\\b|v\\q|sig|n\\=x|Low|"),
			 0);
	expect_str("cef.device_vendor", "ACME|Corp");
	expect_str("cef.device_product", "a\\b");
	expect_str("cef.device_version", "v\\q");
	expect_str("cef.name", "n\\=x");
	expect_str("cef.severity", "Low");
	assert_int_equal(ev.nfields, 7);

	/* Extension: \= \\ \n \r (and \|); unknown escapes kept. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|msg=a\\=b\\\\c\\nd\\re\\|f "
			      "fname=x\\qy cs2=\\ end=z\\"),
			 0);
	expect_str("message", "a=b\\c\nd\re|f");
	expect_str("cef.ext.fname", "x\\qy");
	expect_str("cef.ext.cs2", "\\");
	expect_str("cef.ext.end", "z\\");
	/* An escaped '=' does not start a new pair. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|msg=x k\\=v y=1"), 0);
	expect_str("message", "x k=v");
	expect_str("cef.ext.y", "1");
	/* An escaped pipe in the header does not end the field. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n\\|m|5|"), 0);
	expect_str("cef.name", "n|m");
	expect_int("cef.severity", 5);
	/* Raw pipes in the extension are plain bytes. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|msg=a|b"), 0);
	expect_str("message", "a|b");
}

static void test_values(void **state)
{
	(void)state;
	/* Severity strings and out-of-range numbers stay strings. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|Very-High|"), 0);
	expect_str("cef.severity", "Very-High");
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|11|"), 0);
	expect_str("cef.severity", "11");
	assert_int_equal(pcef("CEF:1|v|p|1|s|n|0|"), 0);
	expect_int("cef.version", 1);
	expect_int("cef.severity", 0);
	/* Empty header fields and an empty extension give no field. */
	assert_int_equal(pcef("CEF:0||||||3|"), 0);
	assert_int_equal(ev.nfields, 2);
	/* Extra spaces, empty values, trailing CR/LF. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|  a=  b=2   c=x y  \r\n"), 0);
	expect_str("cef.ext.a", "");
	expect_str("cef.ext.b", "2");
	expect_str("cef.ext.c", "x y");
	/* Non-numeric port stays a string; empty alias value is skipped. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|spt=http dpt= src=::1"), 0);
	expect_str("source.port", "http");
	expect_absent("destination.port");
	expect_str("source.ip", "::1");
	/* A pipe in the extension after seven is plain. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|x=1|2|3"), 0);
	expect_str("cef.ext.x", "1|2|3");
	/* Invalid UTF-8 passes as bytes. */
	assert_int_equal(pcef("CEF:0|\xff|p|1|s|n|5|msg=\xc3\x28"), 0);
	expect_str("cef.device_vendor", "\xff");
	expect_str("message", "\xc3\x28");
}

static void test_rt(void **state)
{
	(void)state;
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=Nov 23 2023 14:01:02"), 0);
	expect_str("@timestamp", "Nov 23 2023 14:01:02");
	assert_int_equal(ev.time_ns, utc(2023, 11, 23, 14, 1, 2));
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=Nov 23 2023 14:01:02.250 "
			      "UTC act=x"),
			 0);
	assert_int_equal(ev.time_ns,
			 utc(2023, 11, 23, 14, 1, 2) + KY_NS_PER_SEC / 4);
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=2024-05-01T12:00:00+02:00"),
			 0);
	assert_int_equal(ev.time_ns, utc(2024, 5, 1, 10, 0, 0));
	/* No year: resolved from the receive time. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=Nov 23 14:01:02"), 0);
	assert_int_equal(ev.time_ns, utc(2024, 11, 23, 14, 1, 2));
	/* Unparseable: kept as text, no time. */
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=yesterday"), 0);
	expect_str("@timestamp", "yesterday");
	assert_int_equal(ev.time_ns, 0);
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=99999999999999999999"), 0);
	assert_int_equal(ev.time_ns, 0);
	assert_int_equal(pcef("CEF:0|v|p|1|s|n|5|rt=Foo 23 2023 14:01:02"), 0);
	assert_int_equal(ev.time_ns, 0);
}

static void test_errors(void **state)
{
	(void)state;
	expect_err(pcef(""), "expected \"CEF:\"");
	expect_err(pcef("CEF"), "expected \"CEF:\"");
	expect_err(pcef("cef:0|a|b|c|d|e|1|"), "expected \"CEF:\"");
	expect_err(pcef(" CEF:0|a|b|c|d|e|1|"), "expected \"CEF:\"");
	expect_err(pcef("<13>Nov 23 14:01:02 h CEF:0|a|b|c|d|e|1|"),
		   "expected \"CEF:\"");
	expect_err(pcef("CEF:0|a|b|c|d|e|1"), "ends after 6 of 7");
	assert_string_equal(err.msg,
			    "offset 17: CEF header ends after 6 of 7 fields");
	expect_err(pcef("CEF:0|a|b|c|d|e\\|1|"), "ends after 6 of 7");
	expect_err(pcef("CEF:"), "ends after 0 of 7");
	expect_err(pcef("CEF:0|v|p|1|s|n|5|=x"), "expected key=value");
	expect_err(pcef("CEF:0|v|p|1|s|n|5|just text"), "expected key=value");
	assert_string_equal(err.msg,
			    "offset 18: extension: expected key=value");
	expect_err(pcef("CEF:0|v|p|1|s|n|5|k-1=x"), "expected key=value");
	expect_err(pcef("CEF:0|v|p|1|s|n|5|k\\=x"), "expected key=value");
}

/* Every prefix: an error or a parse, never a crash or overread. */
static void test_truncation(void **state)
{
	size_t n = strlen(sample), ok = 0;
	size_t hdr = (size_t)(strstr(sample, "|src=") - sample) + 1;

	(void)state;
	for (size_t k = 0; k <= n; k++) {
		char *c = malloc(k ? k : 1);
		int r;

		assert_non_null(c);
		memcpy(c, sample, k);
		ky_event_reset(&ev);
		ky_arena_reset(arena);
		r = ky_cef_parse(c, k, &ev, &err);
		if (r != 0) {
			assert_int_equal(r, KY_E_PARSE);
			assert_int_equal(strncmp(err.msg, "offset ", 7), 0);
		} else {
			ok++;
		}
		free(c);
	}
	/* The header needs its seventh pipe; after it, every prefix parses
	 * except the one ending in the middle of the first key ("s", "sr",
	 * "src" have no '='). */
	assert_int_equal(ok, n + 1 - hdr - 3);
}

static void test_huge(void **state)
{
	size_t n = 4u << 20;
	char *s = malloc(n);
	static const char h[] = "CEF:0|v|p|1|s|n|5|msg=";

	(void)state;
	assert_non_null(s);
	/* A 4 MiB value full of spaces and escapes. */
	for (size_t i = 0; i < n; i++)
		s[i] = (i % 3 == 0) ? ' ' : (i % 3 == 1 ? '\\' : '=');
	memcpy(s, h, sizeof(h) - 1);
	s[n - 1] = 'x';
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	assert_int_equal(ky_cef_parse(s, n, &ev, &err), 0);
	assert_int_equal(ev.nfields, 9);
	assert_true(ky_event_get(&ev, "message")->str_len > n / 2);
	/* 100k pairs hit the field limit. */
	for (size_t i = sizeof(h) - 1; i + 4 <= n; i += 4)
		memcpy(s + i, " a=1", 4);
	ky_event_reset(&ev);
	assert_int_equal(ky_cef_parse(s, n, &ev, &err), KY_E_TOOBIG);
	assert_non_null(strstr(err.msg, "more than 1024 fields"));
	free(s);
}

static void test_field_limit(void **state)
{
	struct ky_event small;

	(void)state;
	assert_int_equal(ky_event_init(&small, arena, 8), 0);
	assert_int_equal(ky_cef_parse(sample, strlen(sample), &small, &err),
			 KY_E_TOOBIG);
	/* 7 header fields and cef.ext.src fit; source.ip does not. */
	assert_int_equal(small.nfields, 8);
	assert_string_equal(err.msg, "offset 66: more than 8 fields");
	ky_event_free(&small);
	/* The limit also stops the header. */
	assert_int_equal(ky_event_init(&small, arena, 3), 0);
	assert_int_equal(ky_cef_parse(sample, strlen(sample), &small, &err),
			 KY_E_TOOBIG);
	assert_string_equal(err.msg, "offset 29: more than 3 fields");
	ky_event_free(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_aliases),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_rt),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_field_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
