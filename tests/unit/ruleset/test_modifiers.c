/* Every Sigma value modifier, wildcard and escaping case, null, empty
 * string, keywords, |all, cased, numeric text equality and each condition
 * form, through a real compiled rule: a positive and a near-miss negative
 * event each (Sigma specification v2, rules and modifiers appendix). */
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
#include "base/hash.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/event.h"

#define NULLV "\x01"  /* value marker: a JSON null */
#define INTV "\x02"   /* value marker: an integer, text follows */
#define FLOATV "\x03" /* value marker: a float, text follows */

struct fx {
	struct ky_ruleset *rs;
	struct ky_match_scratch *s;
	struct ky_arena *arena;
	struct ky_event ev;
	struct ky_hash *ph;
	struct ky_strlist admins;
};

static struct fx F;

/* Builds a rule set from YAML (detection part only, plus a title);
 * returns the status of ky_ruleset_add. */
static int load_opts(const char *detection, struct ky_err *err, bool ph)
{
	char text[8192];
	struct ky_sigma_rule **rules = NULL;
	size_t n = 0;
	struct ky_ruleset_opts o = {0};
	int r;

	snprintf(text, sizeof(text),
		 "title: test rule\nid: 11111111-2222-3333-4444-555555555555\n"
		 "logsource:\n  definition: every event\ndetection:\n%s\n",
		 detection);
	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	F.s = NULL;
	F.rs = NULL;
	if (ph)
		o.placeholders = F.ph;
	assert_int_equal(ky_ruleset_new(&F.rs, &o, err), 0);
	r = ky_sigma_load_mem("test.yml", text, strlen(text), &rules, &n, err);
	if (r != 0)
		fprintf(stderr, "load: %s\n", err->msg);
	assert_int_equal(r, 0);
	assert_int_equal(n, 1);
	r = ky_ruleset_add(F.rs, rules[0], err);
	free(rules);
	assert_int_equal(ky_ruleset_finalize(F.rs, err), 0);
	assert_int_equal(ky_match_scratch_new(F.rs, &F.s), 0);
	return r;
}

static void load(const char *detection)
{
	struct ky_err err = {0};
	int r = load_opts(detection, &err, true);

	if (r != 0)
		fprintf(stderr, "add: %s\n", err.msg);
	assert_int_equal(r, 0);
}

/* Matches one event given as name, value pairs ending with NULL. */
static int match(const char *name, ...)
{
	va_list ap;
	int r;

	ky_event_reset(&F.ev);
	ky_arena_reset(F.arena);
	va_start(ap, name);
	for (const char *k = name; k != NULL; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		size_t vl = strlen(v);

		if (v[0] == NULLV[0])
			r = ky_event_add(&F.ev, k, strlen(k), KY_V_NULL, "null",
					 4);
		else if (v[0] == INTV[0])
			r = ky_event_add(&F.ev, k, strlen(k), KY_V_INT, v + 1,
					 vl - 1);
		else if (v[0] == FLOATV[0])
			r = ky_event_add(&F.ev, k, strlen(k), KY_V_FLOAT, v + 1,
					 vl - 1);
		else
			r = ky_event_add_str(&F.ev, k, strlen(k), v, vl);
		assert_int_equal(r, 0);
		if (v[0] == INTV[0])
			F.ev.fields[F.ev.nfields - 1].v.i =
				strtoll(v + 1, NULL, 10);
		if (v[0] == FLOATV[0])
			F.ev.fields[F.ev.nfields - 1].v.f = strtod(v + 1, NULL);
	}
	va_end(ap);
	r = ky_ruleset_match(F.rs, F.s, &F.ev, NULL, NULL);
	assert_true(r >= 0);
	return r;
}

/* The same but with a value of explicit length (NUL bytes, UTF-16). */
static int match_bytes(const char *name, const char *v, size_t vl)
{
	ky_event_reset(&F.ev);
	assert_int_equal(ky_event_add_str(&F.ev, name, strlen(name), v, vl), 0);
	return ky_ruleset_match(F.rs, F.s, &F.ev, NULL, NULL);
}

static void b64(const uint8_t *in, size_t n, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				"qrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = t[(v >> 18) & 63];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.arena = ky_arena_new(4096, 0);
	assert_non_null(F.arena);
	assert_int_equal(ky_event_init(&F.ev, F.arena, 1024), 0);
	F.ph = ky_hash_new(0);
	static char *adm[] = {"admin*", "root"};
	F.admins.v = adm;
	F.admins.n = 2;
	assert_int_equal(ky_hash_put(F.ph, "admins", 6, &F.admins, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	ky_event_free(&F.ev);
	ky_arena_free(F.arena);
	ky_hash_free(F.ph, NULL);
	return 0;
}

static void test_plain_whole_value(void **state)
{
	(void)state;
	load("  sel:\n    Image: 'C:\\Windows\\System32\\cmd.exe'\n"
	     "  condition: sel");
	assert_int_equal(match("Image", "c:\\windows\\system32\\CMD.EXE", NULL),
			 1);
	assert_int_equal(
		match("Image", "C:\\Windows\\System32\\cmd.exe ", NULL), 0);
	assert_int_equal(
		match("Image", "x C:\\Windows\\System32\\cmd.exe", NULL), 0);
	assert_int_equal(match("Other", "C:\\Windows\\System32\\cmd.exe", NULL),
			 0);
	/* a value with a newline inside must not match the anchored form */
	assert_int_equal(
		match("Image", "C:\\Windows\\System32\\cmd.exe\n", NULL), 0);
}

static void test_contains_startswith_endswith(void **state)
{
	(void)state;
	load("  a:\n    F|contains: 'mimi'\n  b:\n    G|startswith: 'pre'\n"
	     "  c:\n    H|endswith: '.EXE'\n  condition: a and b and c");
	assert_int_equal(
		match("F", "xxMiMiKatz", "G", "PREfix", "H", "run.exe", NULL),
		1);
	assert_int_equal(
		match("F", "xxMiMKatz", "G", "PREfix", "H", "run.exe", NULL),
		0);
	assert_int_equal(match("F", "mimi", "G", "xpre", "H", "run.exe", NULL),
			 0);
	assert_int_equal(match("F", "mimi", "G", "pre", "H", "run.exe2", NULL),
			 0);
	/* the literal occurring several times: anchors hold on any one */
	assert_int_equal(
		match("F", "mimi", "G", "pre-pre", "H", "a.exe.b.exe", NULL),
		1);
	assert_int_equal(
		match("F", "mimi", "G", "xpre pre", "H", "run.exe", NULL), 0);
	assert_int_equal(match("F", "mimi", "G", "pre", "H", ".exe.exex", NULL),
			 0);
}

static void test_wildcards(void **state)
{
	(void)state;
	load("  a:\n    F: 'prog?.exe'\n  b:\n    G: 'anti*.exe'\n"
	     "  condition: a or b");
	assert_int_equal(match("F", "progA.exe", NULL), 1);
	assert_int_equal(match("F", "prog\xc3\xa9.exe", NULL), 1); /* é */
	assert_int_equal(match("F", "prog.exe", NULL), 0);
	assert_int_equal(match("F", "progAB.exe", NULL), 0);
	assert_int_equal(match("G", "anti.exe", NULL), 1);
	assert_int_equal(match("G", "antivirus_V21\n2.exe", NULL), 1);
	assert_int_equal(match("G", "anti.exe.bak", NULL), 0);
}

static void test_escapes(void **state)
{
	(void)state;
	/* \* and \? are plain characters */
	load("  sel:\n    F: 'a\\*b\\?'\n  condition: sel");
	assert_int_equal(match("F", "a*b?", NULL), 1);
	assert_int_equal(match("F", "axbx", NULL), 0);
	assert_int_equal(match("F", "a*bx", NULL), 0);
	/* \\* is a backslash then a wildcard */
	load("  sel:\n    F: 'dir\\\\*'\n  condition: sel");
	assert_int_equal(match("F", "dir\\anything", NULL), 1);
	assert_int_equal(match("F", "dir\\", NULL), 1);
	assert_int_equal(match("F", "dirx", NULL), 0);
	/* \\\* is a backslash then a plain star */
	load("  sel:\n    F: 'a\\\\\\*'\n  condition: sel");
	assert_int_equal(match("F", "a\\*", NULL), 1);
	assert_int_equal(match("F", "a\\x", NULL), 0);
	/* \\\\ is two backslashes; a lone \ before other chars is literal */
	load("  sel:\n    F: 'x\\\\\\\\y'\n  s2:\n    G: 'C:\\Win\\'\n"
	     "  condition: sel or s2");
	assert_int_equal(match("F", "x\\\\y", NULL), 1);
	assert_int_equal(match("F", "x\\y", NULL), 0);
	assert_int_equal(match("G", "c:\\win\\", NULL), 1);
	assert_int_equal(match("G", "C:Win", NULL), 0);
	/* three backslashes at the end are two */
	load("  sel:\n    F: 'e\\\\\\'\n  condition: sel");
	assert_int_equal(match("F", "e\\\\", NULL), 1);
	assert_int_equal(match("F", "e\\", NULL), 0);
	/* regex metacharacters in plain values are plain */
	load("  sel:\n    F: 'a.b(c)[d]{2}|$^+'\n  condition: sel");
	assert_int_equal(match("F", "A.B(C)[D]{2}|$^+", NULL), 1);
	assert_int_equal(match("F", "axb(c)[d]{2}|$^+", NULL), 0);
}

static void test_null_and_empty(void **state)
{
	(void)state;
	load("  sel:\n    A: x\n  n:\n    F: null\n  condition: sel and n");
	assert_int_equal(match("A", "x", NULL), 1);
	assert_int_equal(match("A", "x", "F", NULLV, NULL), 1);
	assert_int_equal(match("A", "x", "F", "", NULL), 0);
	assert_int_equal(match("A", "x", "F", "null", NULL), 0);
	load("  sel:\n    F: ''\n  condition: sel");
	assert_int_equal(match("F", "", NULL), 1);
	assert_int_equal(match("F", " ", NULL), 0);
	assert_int_equal(match("G", "", NULL), 0);
	assert_int_equal(match("F", NULLV, NULL), 0);
	/* not null: the spec's idiom */
	load("  sel:\n    A: x\n  f:\n    F: null\n  condition: sel and not f");
	assert_int_equal(match("A", "x", "F", "v", NULL), 1);
	assert_int_equal(match("A", "x", NULL), 0);
	/* a lone '*' matches any present, non-null value */
	load("  sel:\n    F: '*'\n  condition: sel");
	assert_int_equal(match("F", "", NULL), 1);
	assert_int_equal(match("F", "abc", NULL), 1);
	assert_int_equal(match("G", "abc", NULL), 0);
	assert_int_equal(match("F", NULLV, NULL), 0);
}

static void test_keywords(void **state)
{
	(void)state;
	load("  keywords:\n    - 'event::clear'\n    - 'evil*tool'\n"
	     "  condition: keywords");
	assert_int_equal(match("A", "x", "Msg", "run EVENT::CLEAR now", NULL),
			 1);
	assert_int_equal(match("Msg", "an evil little tool", NULL), 1);
	assert_int_equal(match("Msg", "event:clear", "B", "evil", NULL), 0);
	load("  kw:\n    '|all':\n      - 'OabVirtualDirectory'\n"
	     "      - ' -ExternalUrl '\n  condition: kw");
	assert_int_equal(
		match("A", "Set-OabVirtualDirectory -ExternalUrl x", NULL), 1);
	/* the values may come from different fields */
	assert_int_equal(
		match("A", "OabVirtualDirectory", "B", " -externalurl ", NULL),
		1);
	assert_int_equal(match("A", "OabVirtualDirectory -ExternalUri x", NULL),
			 0);
	/* numbers are values too */
	load("  kw:\n    - '4711'\n  condition: kw");
	assert_int_equal(match("N", INTV "14711", NULL), 1);
	assert_int_equal(match("N", INTV "471", NULL), 0);
}

static void test_all_and_lists(void **state)
{
	(void)state;
	load("  sel:\n    CommandLine|contains|all:\n      - ' -a '\n"
	     "      - ' -b '\n  condition: sel");
	assert_int_equal(match("CommandLine", "x -b -a y", NULL), 1);
	assert_int_equal(match("CommandLine", "x -a y", NULL), 0);
	load("  sel:\n    F:\n      - one\n      - two\n  condition: sel");
	assert_int_equal(match("F", "TWO", NULL), 1);
	assert_int_equal(match("F", "three", NULL), 0);
	/* a list of maps is an OR of ANDs */
	load("  sel:\n    - A: 1\n      B: 2\n    - C: 3\n  condition: sel");
	assert_int_equal(match("A", "1", "B", "2", NULL), 1);
	assert_int_equal(match("C", "3", NULL), 1);
	assert_int_equal(match("A", "1", "C", "4", NULL), 0);
}

static void test_cased(void **state)
{
	(void)state;
	load("  sel:\n    F|cased: 'CaSe'\n  s2:\n    G|contains|cased: 'Ab'\n"
	     "  condition: sel or s2");
	assert_int_equal(match("F", "CaSe", NULL), 1);
	assert_int_equal(match("F", "case", NULL), 0);
	assert_int_equal(match("G", "xAby", NULL), 1);
	assert_int_equal(match("G", "xaby", NULL), 0);
}

static void test_numbers_as_text(void **state)
{
	(void)state;
	load("  sel:\n    EventID: 1\n  condition: sel");
	assert_int_equal(match("EventID", INTV "1", NULL), 1);
	assert_int_equal(match("EventID", "1", NULL), 1);
	assert_int_equal(match("EventID", INTV "11", NULL), 0);
	assert_int_equal(match("EventID", INTV "10", NULL), 0);
	load("  sel:\n    EventID:\n      - 4688\n      - 1\n"
	     "    Flag: true\n  condition: sel");
	assert_int_equal(match("EventID", "4688", "Flag", "TRUE", NULL), 1);
	assert_int_equal(match("EventID", "4689", "Flag", "true", NULL), 0);
}

static void test_re(void **state)
{
	(void)state;
	load("  sel:\n    F|re: 'ab+c\\d{2}'\n  condition: sel");
	assert_int_equal(match("F", "xxabbbc42", NULL), 1);
	assert_int_equal(match("F", "ABC42", NULL), 0); /* case-sensitive */
	assert_int_equal(match("F", "abc4", NULL), 0);
	load("  sel:\n    F|re|i: '^abc$'\n  condition: sel");
	assert_int_equal(match("F", "ABC", NULL), 1);
	assert_int_equal(match("F", "ABCD", NULL), 0);
	load("  sel:\n    F|re|m: '^two$'\n  condition: sel");
	assert_int_equal(match("F", "one\ntwo\nthree", NULL), 1);
	assert_int_equal(match("F", "one two", NULL), 0);
	load("  sel:\n    F|re|s: 'a.b'\n  condition: sel");
	assert_int_equal(match("F", "a\nb", NULL), 1);
	assert_int_equal(match("F", "ab", NULL), 0);
	load("  sel:\n    F|re: 'a.b'\n  condition: sel");
	assert_int_equal(match("F", "a\nb", NULL), 0);
	/* a backreference: Vectorscan rejects it, PCRE2 runs it */
	load("  sel:\n    F|re: '(ab)x\\1'\n  condition: sel");
	assert_int_equal(match("F", "zabxab", NULL), 1);
	assert_int_equal(match("F", "zabxac", NULL), 0);
	/* lookahead, and a regex that can match the empty value */
	load("  sel:\n    F|re: 'foo(?!bar)'\n  e:\n    G|re: '^$'\n"
	     "  condition: sel or e");
	assert_int_equal(match("F", "foobaz", NULL), 1);
	assert_int_equal(match("F", "foobar", NULL), 0);
	assert_int_equal(match("G", "", NULL), 1);
	assert_int_equal(match("G", "x", NULL), 0);
	/* invalid UTF-8 in the value is just bytes */
	assert_int_equal(match("F", "\xff\xfe foo\xc3", NULL), 1);
}

static void test_base64(void **state)
{
	char enc[64];

	(void)state;
	load("  sel:\n    F|base64: 'hello'\n  s2:\n"
	     "    G|base64|contains: 'hello'\n  condition: sel or s2");
	b64((const uint8_t *)"hello", 5, enc);
	assert_string_equal(enc, "aGVsbG8=");
	assert_int_equal(match("F", "aGVsbG8=", NULL), 1);
	assert_int_equal(match("F", "aGVsbG8", NULL), 0);
	assert_int_equal(match("G", "xx aGVsbG8= yy", NULL), 1);
	assert_int_equal(match("G", "xx aGVsbG9= yy", NULL), 0);
}

static void test_base64offset(void **state)
{
	const char *val = "Invoke-Mimikatz";
	char plain[64], enc[128];

	(void)state;
	load("  sel:\n    F|base64offset|contains: 'Invoke-Mimikatz'\n"
	     "  condition: sel");
	for (int off = 0; off < 3; off++) {
		for (int tail = 0; tail < 3; tail++) {
			snprintf(plain, sizeof(plain), "%.*s%s%.*s", off, "xyz",
				 val, tail, "pqr");
			b64((const uint8_t *)plain, strlen(plain), enc);
			assert_int_equal(match("F", enc, NULL), 1);
		}
	}
	snprintf(plain, sizeof(plain), "Invoke-Mimikatx");
	b64((const uint8_t *)plain, strlen(plain), enc);
	assert_int_equal(match("F", enc, NULL), 0);
}

static void test_utf16(void **state)
{
	uint8_t u[64];
	char enc[128];
	size_t n = 0;

	(void)state;
	load("  sel:\n    F|utf16le|base64offset|contains: 'cmd'\n"
	     "  condition: sel");
	for (const char *c = "a cmd x"; *c; c++) {
		u[n++] = (uint8_t)*c;
		u[n++] = 0;
	}
	b64(u, n, enc);
	assert_int_equal(match("F", enc, NULL), 1);
	b64((const uint8_t *)"a cmd x", 7, enc);
	assert_int_equal(match("F", enc, NULL), 0);
	/* wide is utf16le; the raw bytes hold NULs */
	load("  sel:\n    F|wide|contains: 'ab'\n  condition: sel");
	assert_int_equal(match_bytes("F", "xa\0b\0y", 6), 1);
	assert_int_equal(match_bytes("F", "\0a\0b", 4), 0);
	load("  sel:\n    F|utf16be|contains: 'ab'\n  condition: sel");
	assert_int_equal(match_bytes("F", "\0a\0b", 4), 1);
	assert_int_equal(match_bytes("F", "a\0b\0", 4), 0);
	/* utf16: byte order mark then little-endian */
	load("  sel:\n    F|utf16|base64: 'hi'\n  condition: sel");
	u[0] = 0xff, u[1] = 0xfe, u[2] = 'h', u[3] = 0, u[4] = 'i', u[5] = 0;
	b64(u, 6, enc);
	assert_int_equal(match("F", enc, NULL), 1);
	b64(u + 2, 4, enc);
	assert_int_equal(match("F", enc, NULL), 0);
}

static void test_windash(void **state)
{
	(void)state;
	load("  sel:\n    CommandLine|contains|windash: ' -enc '\n"
	     "  condition: sel");
	assert_int_equal(match("CommandLine", "ps -enc AAA", NULL), 1);
	assert_int_equal(match("CommandLine", "ps /enc AAA", NULL), 1);
	assert_int_equal(match("CommandLine",
			       "ps \xe2\x80\x93"
			       "enc AAA",
			       NULL),
			 1); /* en dash */
	assert_int_equal(match("CommandLine",
			       "ps \xe2\x80\x94"
			       "enc AAA",
			       NULL),
			 1); /* em dash */
	assert_int_equal(match("CommandLine",
			       "ps \xe2\x80\x95"
			       "enc AAA",
			       NULL),
			 1); /* horizontal bar */
	assert_int_equal(match("CommandLine", "ps +enc AAA", NULL), 0);
	assert_int_equal(match("CommandLine", "ps enc AAA", NULL), 0);
}

static void test_cidr(void **state)
{
	(void)state;
	load("  sel:\n    Ip|cidr:\n      - '10.0.0.0/8'\n"
	     "      - '192.168.1.128/25'\n      - 'fd00::/8'\n"
	     "  condition: sel");
	assert_int_equal(match("Ip", "10.200.3.4", NULL), 1);
	assert_int_equal(match("Ip", "192.168.1.200", NULL), 1);
	assert_int_equal(match("Ip", "192.168.1.127", NULL), 0);
	assert_int_equal(match("Ip", "11.0.0.1", NULL), 0);
	assert_int_equal(match("Ip", "fd12::1", NULL), 1);
	assert_int_equal(match("Ip", "fe80::1", NULL), 0);
	assert_int_equal(match("Ip", "10.0.0.1.5", NULL), 0);
	assert_int_equal(match("Ip", "not an address", NULL), 0);
}

static void test_numeric(void **state)
{
	(void)state;
	load("  a:\n    N|gt: 10\n  b:\n    N|lte: 20\n  condition: a and b");
	assert_int_equal(match("N", INTV "11", NULL), 1);
	assert_int_equal(match("N", "20", NULL), 1);
	assert_int_equal(match("N", FLOATV "10.5", NULL), 1);
	assert_int_equal(match("N", INTV "10", NULL), 0);
	assert_int_equal(match("N", INTV "21", NULL), 0);
	assert_int_equal(match("N", "15x", NULL), 0);
	load("  a:\n    N|gte: 10\n  b:\n    N|lt: 20\n  condition: a and b");
	assert_int_equal(match("N", INTV "10", NULL), 1);
	assert_int_equal(match("N", INTV "9", NULL), 0);
	assert_int_equal(match("N", INTV "20", NULL), 0);
}

static void test_time_parts(void **state)
{
	(void)state;
	/* 2024-05-01 is a Wednesday in ISO week 18 */
	load("  a:\n    T|minute: 34\n  b:\n    T|hour|gte: 12\n"
	     "  c:\n    T|day: 1\n  d:\n    T|week: 18\n  e:\n    T|month: 5\n"
	     "  f:\n    T|year: 2024\n  condition: all of them");
	assert_int_equal(match("T", "2024-05-01T12:34:56Z", NULL), 1);
	assert_int_equal(match("T", "2024-05-01T11:34:56Z", NULL), 0);
	assert_int_equal(match("T", "2024-05-08T12:34:56Z", NULL), 0);
	assert_int_equal(match("T", "not a time", NULL), 0);
	/* ISO week at a year edge: 2021-01-01 is in week 53 of 2020 */
	load("  a:\n    T|week: 53\n  condition: a");
	assert_int_equal(match("T", "2021-01-01T00:00:00Z", NULL), 1);
	assert_int_equal(match("T", "2021-01-04T00:00:00Z", NULL), 0);
}

static void test_exists_neq(void **state)
{
	(void)state;
	load("  a:\n    F|exists: true\n  b:\n    G|exists: false\n"
	     "  condition: a and b");
	assert_int_equal(match("F", "", NULL), 1);
	assert_int_equal(match("F", NULLV, NULL), 1);
	assert_int_equal(match("F", "x", "G", "y", NULL), 0);
	assert_int_equal(match("H", "x", NULL), 0);
	load("  a:\n    F|neq:\n      - one\n      - two\n  condition: a");
	assert_int_equal(match("F", "three", NULL), 1);
	assert_int_equal(match("F", "ONE", NULL), 0);
	assert_int_equal(match("G", "three", NULL), 0); /* absent */
}

static void test_fieldref(void **state)
{
	(void)state;
	load("  a:\n    Target|fieldref: Source\n  condition: a");
	assert_int_equal(match("Source", "Alice", "Target", "alice", NULL), 1);
	assert_int_equal(match("Source", "Alice", "Target", "Alicia", NULL), 0);
	assert_int_equal(match("Target", "alice", NULL), 0);
	load("  a:\n    Target|fieldref|neq: Source\n  condition: a");
	assert_int_equal(match("Source", "a", "Target", "b", NULL), 1);
	assert_int_equal(match("Source", "a", "Target", "a", NULL), 0);
}

static void test_expand(void **state)
{
	struct ky_err err = {0};

	(void)state;
	load("  a:\n    User|expand: '%admins%'\n  condition: a");
	assert_int_equal(match("User", "Administrator", NULL), 1);
	assert_int_equal(match("User", "ROOT", NULL), 1);
	assert_int_equal(match("User", "guest", NULL), 0);
	load("  a:\n    User|expand: 'x\\%y%admins%'\n  condition: a");
	assert_int_equal(match("User", "x%yroot", NULL), 1);
	assert_int_equal(match("User", "xyroot", NULL), 0);
	/* without the placeholder the rule is rejected with the reason */
	assert_int_equal(load_opts("  a:\n    User|expand: '%servers%'\n"
				   "  condition: a",
				   &err, true),
			 KY_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "unresolved placeholder %servers%"));
	assert_non_null(strstr(err.msg, "test.yml:"));
	assert_int_equal(load_opts("  a:\n    User|expand: '%admins%'\n"
				   "  condition: a",
				   &err, false),
			 KY_E_UNSUPPORTED);
	/* without |expand a placeholder is plain text */
	load("  a:\n    User: '%admins%'\n  condition: a");
	assert_int_equal(match("User", "%ADMINS%", NULL), 1);
	assert_int_equal(match("User", "root", NULL), 0);
}

static void test_conditions(void **state)
{
	(void)state;
	load("  s1:\n    A: 1\n  s2:\n    B: 2\n  f:\n    C: 3\n"
	     "  condition: (s1 or s2) and not f");
	assert_int_equal(match("B", "2", NULL), 1);
	assert_int_equal(match("A", "1", "C", "3", NULL), 0);
	assert_int_equal(match("C", "3", NULL), 0);
	load("  sel_a:\n    A: 1\n  sel_b:\n    B: 2\n  other:\n    C: 3\n"
	     "  condition: 1 of sel_* and other");
	assert_int_equal(match("B", "2", "C", "3", NULL), 1);
	assert_int_equal(match("A", "1", "B", "2", NULL), 0);
	load("  sel_a:\n    A: 1\n  sel_b:\n    B: 2\n"
	     "  condition: all of sel_*");
	assert_int_equal(match("A", "1", "B", "2", NULL), 1);
	assert_int_equal(match("A", "1", NULL), 0);
	load("  x:\n    A: 1\n  y:\n    B: 2\n  _ignored:\n    C: 3\n"
	     "  condition: all of them");
	assert_int_equal(match("A", "1", "B", "2", NULL), 1);
	assert_int_equal(match("A", "1", "C", "3", NULL), 0);
	load("  x:\n    A: 1\n  _y:\n    B: 2\n  condition: 1 of them");
	assert_int_equal(match("A", "1", NULL), 1);
	assert_int_equal(match("B", "2", NULL), 0);
	/* a condition list is an OR */
	load("  x:\n    A: 1\n  y:\n    B: 2\n  condition:\n    - x\n    - y");
	assert_int_equal(match("B", "2", NULL), 1);
	assert_int_equal(match("C", "2", NULL), 0);
	/* not binds tighter than and, and than or */
	load("  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n"
	     "  condition: a or b and not c");
	assert_int_equal(match("A", "1", "C", "1", NULL), 1);
	assert_int_equal(match("B", "1", "C", "1", NULL), 0);
}

static void test_array_fields(void **state)
{
	(void)state;
	load("  a:\n    tags: 'attack.t1059'\n  condition: a");
	assert_int_equal(match("tags[0]", "x", "tags[1]", "attack.t1059", NULL),
			 1);
	assert_int_equal(
		match("tags[0]", "x", "tagsx[1]", "attack.t1059", NULL), 0);
}

static void test_huge_and_odd_values(void **state)
{
	static char big[1 << 20];

	(void)state;
	load("  a:\n    F|endswith: 'needle'\n  condition: a");
	memset(big, 'x', sizeof(big));
	memcpy(big + sizeof(big) - 6, "NEEDLE", 6);
	assert_int_equal(match_bytes("F", big, sizeof(big)), 1);
	big[sizeof(big) - 1] = 'x';
	assert_int_equal(match_bytes("F", big, sizeof(big)), 0);
	assert_int_equal(match_bytes("F", "\xff\xfe\x00needle", 9), 1);
	assert_int_equal(match_bytes("F", "", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_whole_value),
		cmocka_unit_test(test_contains_startswith_endswith),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_all_and_lists),
		cmocka_unit_test(test_cased),
		cmocka_unit_test(test_numbers_as_text),
		cmocka_unit_test(test_re),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64offset),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_windash),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_time_parts),
		cmocka_unit_test(test_exists_neq),
		cmocka_unit_test(test_fieldref),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_array_fields),
		cmocka_unit_test(test_huge_and_odd_values),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
