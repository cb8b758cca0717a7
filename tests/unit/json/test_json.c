/* Unit tests of the hot-path JSON scanner (event/json.c): paths, types,
 * values, escapes, zero copy, and every kind of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "event/json.h"

struct fix {
	struct ky_arena *arena;
	struct ky_event ev;
	struct ky_err err;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->arena = ky_arena_new(65536, 0);
	if (!f->arena || ky_event_init(&f->ev, f->arena, 1024) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	ky_event_free(&f->ev);
	ky_arena_free(f->arena);
	free(f);
	return 0;
}

/* Parses s into a fresh event and checks validate agrees. */
static int parse_n(struct fix *f, const char *s, size_t n, unsigned depth)
{
	struct ky_err verr;
	int r, v;

	ky_event_reset(&f->ev);
	ky_arena_reset(f->arena);
	memset(&f->err, 0, sizeof(f->err));
	r = ky_json_to_event(s, n, &f->ev, depth, &f->err);
	v = ky_json_validate(s, n, depth, &verr);
	assert_int_equal(r, v);
	if (r != 0)
		assert_string_equal(f->err.msg, verr.msg);
	return r;
}

static int parse(struct fix *f, const char *s)
{
	return parse_n(f, s, strlen(s), 64);
}

static const struct ky_field *field(struct fix *f, const char *path)
{
	const struct ky_field *fl = ky_event_get(&f->ev, path);

	if (!fl)
		fail_msg("no field '%s'", path);
	return fl;
}

static void expect_str(struct fix *f, const char *path, const char *val,
		       size_t len)
{
	const struct ky_field *fl = field(f, path);

	assert_int_equal(fl->type, KY_V_STR);
	assert_int_equal(fl->str_len, len);
	assert_memory_equal(fl->str, val, len);
}

static void expect_int(struct fix *f, const char *path, int64_t v)
{
	const struct ky_field *fl = field(f, path);

	assert_int_equal(fl->type, KY_V_INT);
	assert_true(fl->v.i == v);
}

static void expect_float(struct fix *f, const char *path, double v,
			 const char *lit)
{
	const struct ky_field *fl = field(f, path);

	assert_int_equal(fl->type, KY_V_FLOAT);
	assert_true(fl->v.f == v);
	assert_int_equal(fl->str_len, strlen(lit));
	assert_memory_equal(fl->str, lit, strlen(lit));
}

static void test_types(void **state)
{
	struct fix *f = *state;
	const struct ky_field *fl;

	assert_int_equal(parse(f, "{\"s\":\"x y\",\"i\":-42,\"fl\":1.5,"
				  "\"t\":true,\"fa\":false,\"n\":null}"),
			 0);
	assert_int_equal(f->ev.nfields, 6);
	expect_str(f, "s", "x y", 3);
	expect_int(f, "i", -42);
	expect_float(f, "fl", 1.5, "1.5");
	fl = field(f, "t");
	assert_int_equal(fl->type, KY_V_BOOL);
	assert_true(fl->v.b);
	assert_int_equal(fl->str_len, 4);
	assert_memory_equal(fl->str, "true", 4);
	fl = field(f, "fa");
	assert_int_equal(fl->type, KY_V_BOOL);
	assert_false(fl->v.b);
	fl = field(f, "n");
	assert_int_equal(fl->type, KY_V_NULL);
	assert_memory_equal(fl->str, "null", 4);
	/* order of fields is document order */
	assert_memory_equal(f->ev.fields[0].path, "s", 1);
	assert_memory_equal(f->ev.fields[5].path, "n", 1);
}

static void test_paths(void **state)
{
	struct fix *f = *state;
	static const char *const want[] = {"a.b.c",	"tags[0]",  "tags[1]",
					   "x.y[0].c",	"x.y[1].c", "x.y[1].d",
					   "m[0][0]",	"m[0][1]",  "m[1][0]",
					   "deep.e[1]", "last"};

	assert_int_equal(
		parse(f, "{\"a\":{\"b\":{\"c\":1}},\"tags\":[\"u\",\"v\"],"
			 "\"x\":{\"y\":[{\"c\":1},{\"c\":2,\"d\":3}]},"
			 "\"e\":{},\"ea\":[],\"m\":[[1,2],[3],[]],"
			 "\"deep\":{\"o\":{},\"e\":[{}, 7]},\"last\":0}"),
		0);
	assert_int_equal(f->ev.nfields, 11);
	for (size_t i = 0; i < 11; i++) {
		assert_int_equal(f->ev.fields[i].path_len, strlen(want[i]));
		assert_memory_equal(f->ev.fields[i].path, want[i],
				    strlen(want[i]));
	}
	expect_int(f, "deep.e[1]", 7);
	expect_str(f, "tags[1]", "v", 1);
	assert_null(ky_event_get(&f->ev, "e"));
	assert_null(ky_event_get(&f->ev, "ea"));

	/* top-level arrays and objects inside them */
	assert_int_equal(parse(f, "[1,{\"a\":[\"z\"]},[],\"s\"]"), 0);
	assert_int_equal(f->ev.nfields, 3);
	expect_int(f, "[0]", 1);
	expect_str(f, "[1].a[0]", "z", 1);
	expect_str(f, "[3]", "s", 1);
	/* array index with several digits */
	assert_int_equal(parse(f, "{\"a\":[0,1,2,3,4,5,6,7,8,9,10,11]}"), 0);
	expect_int(f, "a[11]", 11);
	/* empty keys keep their separator */
	assert_int_equal(parse(f, "{\"\":1,\"o\":{\"\":2}}"), 0);
	expect_int(f, "", 1);
	expect_int(f, "o.", 2);
}

static void test_scalars_top(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "\"abc\""), 0);
	assert_int_equal(f->ev.nfields, 1);
	assert_int_equal(f->ev.fields[0].path_len, 0);
	expect_str(f, "", "abc", 3);
	assert_int_equal(parse(f, " 12 "), 0);
	expect_int(f, "", 12);
	assert_int_equal(parse(f, "-1.5e3"), 0);
	expect_float(f, "", -1500.0, "-1.5e3");
	assert_int_equal(parse(f, "null"), 0);
	assert_int_equal(field(f, "")->type, KY_V_NULL);
	assert_int_equal(parse(f, "[]"), 0);
	assert_int_equal(f->ev.nfields, 0);
	assert_int_equal(parse(f, " {}\n"), 0);
	assert_int_equal(f->ev.nfields, 0);
}

static int inside(const char *p, const char *s, size_t n)
{
	return p >= s && p < s + n;
}

static void test_zero_copy(void **state)
{
	struct fix *f = *state;
	const char *doc = "{\"k\":\"plain\",\"e\":\"a\\nb\",\"o\":{\"n\":"
			  "\"inner\"},\"k\\u0032\":\"v\"}";
	size_t n = strlen(doc);
	const struct ky_field *fl;

	assert_int_equal(parse(f, doc), 0);
	fl = field(f, "k");
	assert_true(inside(fl->str, doc, n));
	assert_true(inside(fl->path, doc, n)); /* top-level key */
	fl = field(f, "e");
	assert_false(inside(fl->str, doc, n)); /* escaped: arena */
	expect_str(f, "e", "a\nb", 3);
	fl = field(f, "o.n");
	assert_true(inside(fl->str, doc, n));
	assert_false(inside(fl->path, doc, n)); /* built path */
	assert_int_equal(fl->path[fl->path_len], '\0');
	fl = field(f, "k2"); /* escaped key decoded */
	assert_false(inside(fl->path, doc, n));
	expect_str(f, "k2", "v", 1);
	/* numbers and literals point at their text too */
	assert_int_equal(parse(f, "{\"n\":123,\"b\":false}"), 0);
	assert_memory_equal(field(f, "n")->str, "123", 3);
	assert_int_equal(field(f, "b")->str_len, 5);
}

static void test_escapes(void **state)
{
	struct fix *f = *state;
	const char want[] = "\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac"
			    "\xf0\x9f\x98\x80\xef\xbf\xbf\x00z";
	char out[64];

	assert_int_equal(
		parse(f, "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00E9"
			 "\\u20ac\\ud83d\\uDE00\\uffff\\u0000z\"}"),
		0);
	expect_str(f, "s", want, sizeof(want) - 1);
	/* escaped keys, top-level and nested */
	assert_int_equal(parse(f, "{\"a\\tb\":1,\"o\":{\"\\u00e9\\\"\":2}}"),
			 0);
	expect_int(f, "a\tb", 1);
	expect_int(f, "o.\xc3\xa9\"", 2);
	/* ky_json_unescape on its own */
	assert_int_equal(ky_json_unescape("x\\u00e9\\n", 9, out), 4);
	assert_memory_equal(out, "x\xc3\xa9\n", 4);
	assert_int_equal(ky_json_unescape("plain", 5, out), 5);
	assert_int_equal(ky_json_unescape("a\"b", 3, out), KY_E_PARSE);
	assert_int_equal(ky_json_unescape("a\\qb", 4, out), KY_E_PARSE);
	assert_int_equal(ky_json_unescape("\\ud800", 6, out), KY_E_PARSE);
	assert_int_equal(ky_json_unescape("a\\", 2, out), KY_E_PARSE);
}

static void test_numbers(void **state)
{
	struct fix *f = *state;
	char big[200];

	assert_int_equal(parse(f,
			       "[9223372036854775807,-9223372036854775808,"
			       "9223372036854775808,-9223372036854775809,"
			       "0,-0,1e2,1E+2,0.1,-0.0,1.7976931348623157e308,"
			       "5e-324,123456789012345678901234567890,1e400,"
			       "2.5e-3,10000000000000000000]"),
			 0);
	expect_int(f, "[0]", INT64_MAX);
	expect_int(f, "[1]", INT64_MIN);
	expect_float(f, "[2]", 9223372036854775808.0, "9223372036854775808");
	expect_float(f, "[3]", -9223372036854775809.0, "-9223372036854775809");
	expect_int(f, "[4]", 0);
	expect_int(f, "[5]", 0);
	expect_float(f, "[6]", 100.0, "1e2");
	expect_float(f, "[7]", 100.0, "1E+2");
	expect_float(f, "[8]", 0.1, "0.1");
	expect_float(f, "[9]", -0.0, "-0.0");
	expect_float(f, "[10]", 1.7976931348623157e308,
		     "1.7976931348623157e308");
	expect_float(f, "[11]", 5e-324, "5e-324");
	expect_float(f, "[12]", 123456789012345678901234567890.0,
		     "123456789012345678901234567890");
	assert_true(field(f, "[13]")->v.f > 1.7976931348623157e308);
	expect_float(f, "[14]", 2.5e-3, "2.5e-3");
	expect_float(f, "[15]", 1e19, "10000000000000000000");
	/* a literal longer than the local strtod buffer */
	memset(big, '0', sizeof(big));
	big[0] = '0';
	big[1] = '.';
	big[150] = '5';
	big[151] = 0;
	assert_int_equal(parse(f, big), 0);
	expect_float(f, "", 5e-149, big);
}

static void test_whitespace(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, " \t\r\n{ \"a\" :\n[ 1 ,\t2 ] , \"b\"\r\n:"
				  "{ } }\n\n"),
			 0);
	expect_int(f, "a[1]", 2);
	assert_int_equal(f->ev.nfields, 2);
}

struct bad {
	const char *doc;
	size_t len; /* 0: strlen */
	int status;
	const char *msg; /* NULL: not checked */
};

static void check_bad(struct fix *f, const struct bad *b, size_t i)
{
	size_t n = b->len ? b->len : strlen(b->doc);
	char *copy = malloc(n ? n : 1); /* exact size: over-reads show */
	int r;

	assert_non_null(copy);
	memcpy(copy, b->doc, n);
	r = parse_n(f, copy, n, 64);
	if (r != b->status)
		fail_msg("case %zu '%s': got %d want %d (%s)", i, b->doc, r,
			 b->status, f->err.msg);
	if (b->msg && strcmp(f->err.msg, b->msg) != 0)
		fail_msg("case %zu: message '%s', want '%s'", i, f->err.msg,
			 b->msg);
	if (r != 0) {
		assert_int_equal(f->err.status, r);
		assert_non_null(strstr(f->err.msg, "offset "));
	}
	free(copy);
}

static void test_malformed(void **state)
{
	static const struct bad bad[] = {
		{"", 0, KY_E_PARSE,
		 "offset 0: unexpected end of input, expected a value"},
		{" \n ", 0, KY_E_PARSE, NULL},
		{"{\"a\":\"\\q\"}", 0, KY_E_PARSE,
		 "offset 6: invalid escape '\\q'"},
		{"\"ab", 0, KY_E_PARSE,
		 "offset 3: unexpected end of input in string"},
		{"{\"a\":1,}", 0, KY_E_PARSE, "offset 7: trailing comma"},
		{"[1,]", 0, KY_E_PARSE, "offset 3: trailing comma"},
		{"01", 0, KY_E_PARSE, "offset 0: leading zero in number"},
		{"-01", 0, KY_E_PARSE, NULL},
		{"+1", 0, KY_E_PARSE, NULL},
		{"{} x", 0, KY_E_PARSE,
		 "offset 3: trailing characters after value"},
		{"1 2", 0, KY_E_PARSE, NULL},
		{"[]]", 0, KY_E_PARSE, NULL},
		{"{", 0, KY_E_PARSE, NULL},
		{"}", 0, KY_E_PARSE, NULL},
		{"[", 0, KY_E_PARSE, NULL},
		{"{,}", 0, KY_E_PARSE, NULL},
		{"[,1]", 0, KY_E_PARSE, NULL},
		{"{\"a\"}", 0, KY_E_PARSE, NULL},
		{"{\"a\":}", 0, KY_E_PARSE, NULL},
		{"{\"a\" 1}", 0, KY_E_PARSE,
		 "offset 5: unexpected '1', expected ':' after key"},
		{"{a:1}", 0, KY_E_PARSE, NULL},
		{"{'a':1}", 0, KY_E_PARSE, NULL},
		{"{1:1}", 0, KY_E_PARSE, NULL},
		{"[1 2]", 0, KY_E_PARSE, NULL},
		{"{\"a\":1 \"b\":2}", 0, KY_E_PARSE, NULL},
		{"[1}", 0, KY_E_PARSE, NULL},
		{"{\"a\":1]", 0, KY_E_PARSE, NULL},
		{"-", 0, KY_E_PARSE, NULL},
		{"1.", 0, KY_E_PARSE, NULL},
		{".5", 0, KY_E_PARSE, NULL},
		{"1e", 0, KY_E_PARSE, NULL},
		{"1e+", 0, KY_E_PARSE, NULL},
		{"1.e5", 0, KY_E_PARSE, NULL},
		{"0x10", 0, KY_E_PARSE, NULL},
		{"1e5.5", 0, KY_E_PARSE, NULL},
		{"NaN", 0, KY_E_PARSE, NULL},
		{"Infinity", 0, KY_E_PARSE, NULL},
		{"-Infinity", 0, KY_E_PARSE, NULL},
		{"[-]", 0, KY_E_PARSE, NULL},
		{"tru", 0, KY_E_PARSE, "offset 0: invalid literal"},
		{"True", 0, KY_E_PARSE, NULL},
		{"nulll", 0, KY_E_PARSE, NULL},
		{"[nul]", 0, KY_E_PARSE, NULL},
		{"\"\\x41\"", 0, KY_E_PARSE, NULL},
		{"\"\\u12\"", 0, KY_E_PARSE, NULL},
		{"\"\\u12g4\"", 0, KY_E_PARSE, NULL},
		{"\"\\U0041\"", 0, KY_E_PARSE, NULL},
		{"\"\\ud800\"", 0, KY_E_PARSE,
		 "offset 1: lone surrogate \\ud800"},
		{"\"\\udc00\"", 0, KY_E_PARSE, NULL},
		{"\"\\ud800\\u0041\"", 0, KY_E_PARSE, NULL},
		{"\"\\ud800\\ud800\"", 0, KY_E_PARSE, NULL},
		{"\"\\ud800x\"", 0, KY_E_PARSE, NULL},
		{"\"\\ud800\\n\"", 0, KY_E_PARSE, NULL},
		{"\"\\ud800\\", 0, KY_E_PARSE, NULL},
		{"\"\\", 0, KY_E_PARSE, NULL},
		{"\"a\nb\"", 0, KY_E_PARSE,
		 "offset 2: control character 0x0a in string"},
		{"\"\t\"", 0, KY_E_PARSE, NULL},
		{"\"\x7f\"", 0, 0, NULL}, /* DEL is not a control in JSON */
		{"\"a\0b\"", 5, KY_E_PARSE, NULL},
		{"[1,\0]", 5, KY_E_PARSE, NULL},
		{"{\"a\":1}\0", 8, KY_E_PARSE, NULL},
		{"{\"a\\q\":1}", 0, KY_E_PARSE, NULL},
		{"{\"o\":{\"a\\ud800\":1}}", 0, KY_E_PARSE, NULL},
		{"[\"a\",]", 0, KY_E_PARSE, NULL},
		{"\xef\xbb\xbf{}", 0, KY_E_PARSE, NULL}, /* no BOM */
		{"{\"a\":1}{", 0, KY_E_PARSE, NULL},
		{"\v1", 0, KY_E_PARSE, NULL},
		{"\f[]", 0, KY_E_PARSE, NULL},
	};
	struct fix *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(f, &bad[i], i);
}

static void test_utf8(void **state)
{
	static const char *const good[] = {
		"\xc2\xa9",	   "\xdf\xbf",	       "\xe0\xa0\x80",
		"\xe2\x82\xac",	   "\xed\x9f\xbf",     "\xee\x80\x80",
		"\xef\xbf\xbf",	   "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf"};
	static const char *const badseq[] = {"\x80",
					     "\xbf",
					     "\xc0\x80",
					     "\xc1\xbf",
					     "\xc2",
					     "\xc2\x41",
					     "\xe0\x80\x80",
					     "\xe0\x9f\xbf",
					     "\xed\xa0\x80",
					     "\xed\xbf\xbf",
					     "\xe2\x82",
					     "\xe2\x28\xa1",
					     "\xf0\x80\x80\x80",
					     "\xf0\x8f\xbf\xbf",
					     "\xf4\x90\x80\x80",
					     "\xf5\x80\x80\x80",
					     "\xf8\x88\x80\x80\x80",
					     "\xfe",
					     "\xff",
					     "\xf0\x9f\x98"};
	struct fix *f = *state;
	char doc[64];
	int n;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		/* value, key, and a long string to go through the block scan */
		n = snprintf(doc, sizeof(doc),
			     "{\"%s\":\"0123456789abcdef%s\"}", good[i],
			     good[i]);
		assert_int_equal(parse_n(f, doc, (size_t)n, 64), 0);
		assert_memory_equal(f->ev.fields[0].path, good[i],
				    strlen(good[i]));
	}
	for (size_t i = 0; i < sizeof(badseq) / sizeof(badseq[0]); i++) {
		n = snprintf(doc, sizeof(doc), "[\"%s\"]", badseq[i]);
		if (parse_n(f, doc, (size_t)n, 64) != KY_E_PARSE)
			fail_msg("bad UTF-8 %zu accepted", i);
		n = snprintf(doc, sizeof(doc), "{\"0123456789abcdefgh%s\":1}",
			     badseq[i]);
		if (parse_n(f, doc, (size_t)n, 64) != KY_E_PARSE)
			fail_msg("bad UTF-8 key %zu accepted", i);
		n = snprintf(doc, sizeof(doc), "[%s]", badseq[i]);
		assert_int_equal(parse_n(f, doc, (size_t)n, 64), KY_E_PARSE);
	}
	assert_int_equal(parse(f, "\"\xed\xa0\x80\""), KY_E_PARSE);
	assert_string_equal(f->err.msg, "offset 1: invalid UTF-8");
}

static const char sample[] =
	"{\"@timestamp\":\"2024-05-01T12:00:00Z\",\"host\":{\"name\":\"web-1\","
	"\"ip\":[\"10.0.0.1\",\"::1\"]},\"n\":-12.5e-3,\"i\":42,\"t\":true,"
	"\"f\":false,\"z\":null,\"esc\":\"a\\\"b\\u00e9\\ud83d\\ude00\","
	"\"u\":\"caf\xc3\xa9\",\"e\":{},\"a\":[],\"deep\":[[{\"k\":0}]]}";

static void test_truncated(void **state)
{
	struct fix *f = *state;
	size_t n = sizeof(sample) - 1;

	assert_int_equal(parse(f, sample), 0);
	assert_int_equal(f->ev.nfields, 12);
	expect_str(f, "esc", "a\"b\xc3\xa9\xf0\x9f\x98\x80", 9);
	expect_int(f, "deep[0][0].k", 0);
	for (size_t len = 0; len < n; len++) {
		char *copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, sample, len);
		if (parse_n(f, copy, len, 64) != KY_E_PARSE)
			fail_msg("prefix of %zu bytes accepted", len);
		assert_non_null(strstr(f->err.msg, "offset "));
		free(copy);
	}
}

static void test_huge(void **state)
{
	struct fix *f = *state;
	size_t big = 1 << 20;
	char *doc = malloc(big + 64);
	size_t n;

	assert_non_null(doc);
	/* 1 MiB string: zero copy */
	n = (size_t)snprintf(doc, 64, "{\"big\":\"");
	memset(doc + n, 'x', big);
	n += big;
	memcpy(doc + n, "\"}", 2);
	n += 2;
	assert_int_equal(parse_n(f, doc, n, 64), 0);
	assert_int_equal(field(f, "big")->str_len, big);
	/* same with an escape at the far end: decoded into the arena */
	memcpy(doc + n - 4, "\\n\"}", 4);
	assert_int_equal(parse_n(f, doc, n, 64), 0);
	assert_int_equal(field(f, "big")->str_len, big - 1);
	assert_int_equal(field(f, "big")->str[big - 2], '\n');
	/* a control byte deep inside a huge string */
	doc[8 + big / 2] = '\x01';
	assert_int_equal(parse_n(f, doc, n, 64), KY_E_PARSE);
	/* a huge key nested twice: path scratch must grow */
	n = 0;
	doc[n++] = '{';
	doc[n++] = '"';
	memset(doc + n, 'k', 5000);
	n += 5000;
	memcpy(doc + n, "\":{\"", 4);
	n += 4;
	memset(doc + n, 'q', 3000);
	n += 3000;
	memcpy(doc + n, "\":[1]}}", 7);
	n += 7;
	assert_int_equal(parse_n(f, doc, n, 64), 0);
	assert_int_equal(f->ev.nfields, 1);
	assert_int_equal(f->ev.fields[0].path_len, 5000 + 1 + 3000 + 3);
	assert_int_equal(f->ev.fields[0].path[5000], '.');
	assert_memory_equal(f->ev.fields[0].path + 8001, "[0]", 3);
	free(doc);
}

static char *nest(size_t depth, const char *open, const char *inner,
		  const char *close, size_t *len)
{
	size_t lo = strlen(open), lc = strlen(close), li = strlen(inner);
	char *d = malloc(depth * (lo + lc) + li + 1);
	size_t n = 0;

	assert_non_null(d);
	for (size_t i = 0; i < depth; i++, n += lo)
		memcpy(d + n, open, lo);
	memcpy(d + n, inner, li);
	n += li;
	for (size_t i = 0; i < depth; i++, n += lc)
		memcpy(d + n, close, lc);
	d[n] = 0;
	*len = n;
	return d;
}

static void test_depth(void **state)
{
	struct fix *f = *state;
	char path[2 * 65];
	size_t n;
	char *d;

	d = nest(64, "[", "1", "]", &n);
	assert_int_equal(parse_n(f, d, n, 64), 0);
	assert_int_equal(f->ev.fields[0].path_len, 3 * 64);
	free(d);
	d = nest(65, "[", "1", "]", &n);
	assert_int_equal(parse_n(f, d, n, 64), KY_E_TOOBIG);
	assert_string_equal(f->err.msg, "offset 64: nesting deeper than 64");
	free(d);
	d = nest(65, "{\"a\":", "1", "}", &n);
	assert_int_equal(parse_n(f, d, n, 64), KY_E_TOOBIG);
	assert_int_equal(parse_n(f, d, n, 65), 0);
	n = 0;
	path[n++] = 'a';
	for (size_t i = 1; i < 65; i++) {
		path[n++] = '.';
		path[n++] = 'a';
	}
	path[n] = 0;
	expect_int(f, path, 1);
	free(d);
	/* far deeper than the local stack, with an explicit limit */
	d = nest(100000, "[", "\"x\"", "]", &n);
	assert_int_equal(parse_n(f, d, n, 200000), 0);
	assert_int_equal(f->ev.nfields, 1);
	assert_int_equal(parse_n(f, d, n, 64), KY_E_TOOBIG);
	free(d);
	/* unbalanced deep input is a parse error, not a crash */
	d = nest(100000, "{\"a\":", "[", "", &n);
	assert_int_equal(parse_n(f, d, n, 300000), KY_E_PARSE);
	free(d);
	assert_int_equal(parse_n(f, "1", 1, 0), 0);
	assert_int_equal(parse_n(f, "[]", 2, 0), KY_E_TOOBIG);
}

static void test_field_limit(void **state)
{
	struct fix *f = *state;
	struct ky_event small;
	char doc[8192];
	size_t n = 0;
	int r;

	assert_int_equal(ky_event_init(&small, f->arena, 5), 0);
	r = ky_json_to_event("[1,2,3,4,5]", 11, &small, 64, &f->err);
	assert_int_equal(r, 0);
	assert_int_equal(small.nfields, 5);
	ky_event_reset(&small);
	r = ky_json_to_event("{\"a\":[1,2,3,4,5,6]}", 19, &small, 64, &f->err);
	assert_int_equal(r, KY_E_TOOBIG);
	assert_string_equal(f->err.msg, "offset 16: more than 5 fields");
	/* empty containers do not count */
	ky_event_reset(&small);
	r = ky_json_to_event("[1,[],{},2,3,4,5,{}]", 20, &small, 64, &f->err);
	assert_int_equal(r, 0);
	ky_event_free(&small);
	/* past the initial array: growth through ky_event_add */
	doc[n++] = '[';
	for (int i = 0; i < 1024; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s%d",
				      i ? "," : "", i);
	doc[n++] = ']';
	assert_int_equal(parse_n(f, doc, n, 64), 0);
	assert_int_equal(f->ev.nfields, 1024);
	expect_int(f, "[1023]", 1023);
	doc[n - 1] = ',';
	memcpy(doc + n, "1,2,3,4,5]", 10);
	n += 10;
	/* validate has no field limit */
	assert_int_equal(ky_json_validate(doc, n, 64, &f->err), 0);
	r = ky_json_to_event(doc, n, &f->ev, 64, &f->err);
	assert_int_equal(r, KY_E_TOOBIG);
}

static void test_duplicates(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "{\"a\":1,\"a\":\"two\",\"o\":{\"b\":1},"
				  "\"o.b\":2}"),
			 0);
	assert_int_equal(f->ev.nfields, 4);
	expect_int(f, "a", 1); /* first wins in ky_event_get */
	assert_int_equal(f->ev.fields[1].type, KY_V_STR);
	assert_memory_equal(f->ev.fields[3].path, "o.b", 3);
}

static void test_value_len(void **state)
{
	const char *s = "  {\"a\": [1, {\"b\": \"}]\\\"\"}]}\n{\"c\":2}";
	(void)state;

	assert_int_equal(ky_json_value_len(s, strlen(s)), 27);
	assert_int_equal(ky_json_value_len(s + 27, strlen(s + 27)), 8);
	assert_int_equal(ky_json_value_len(" \n\t", 3), 0);
	assert_int_equal(ky_json_value_len("", 0), 0);
	assert_int_equal(ky_json_value_len("{\"a\":[1,2", 9), KY_E_AGAIN);
	assert_int_equal(ky_json_value_len("{\"a\":\"}", 7), KY_E_AGAIN);
	assert_int_equal(ky_json_value_len("\"abc\\\"", 6), KY_E_AGAIN);
	assert_int_equal(ky_json_value_len("\"abc\" x", 7), 5);
	assert_int_equal(ky_json_value_len("123 ", 4), 3);
	assert_int_equal(ky_json_value_len("123", 3), KY_E_AGAIN);
	assert_int_equal(ky_json_value_len("true\n", 5), 4);
	assert_int_equal(ky_json_value_len("]", 1), KY_E_PARSE);
	assert_int_equal(ky_json_value_len(",{}", 3), KY_E_PARSE);
	assert_int_equal(ky_json_value_len("\0{}", 3), KY_E_PARSE);
	assert_int_equal(ky_json_value_len("[[]]]", 5), 4);
}

static void test_reuse(void **state)
{
	struct fix *f = *state;

	/* many events through one arena and field array */
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(
			parse(f, "{\"o\":{\"k\":\"v\\n\",\"n\":[1.25]}}"), 0);
		expect_str(f, "o.k", "v\n", 2);
		expect_float(f, "o.n[0]", 1.25, "1.25");
	}
	assert_int_equal(ky_json_to_event("{}", 2, NULL, 64, &f->err),
			 KY_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalars_top, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_zero_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whitespace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_huge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
						teardown),
		cmocka_unit_test(test_value_len),
		cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
