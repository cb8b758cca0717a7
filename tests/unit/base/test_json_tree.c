/* ky_json_tree against jansson's json_loadb, the parser it stands in for:
 * hand-picked edge cases with the verdict written down, then seeded random
 * documents and mutations of them, then every JSON file of the shared STIX
 * and CSAF data.  Wherever jansson accepts, the trees must be equal and
 * dump to the same bytes (key order included); wherever it refuses, so
 * must we. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/json_tree.h"

/* Both parsers on p[0..n) with or without duplicate rejection; fails the
 * test on any disagreement.  Returns whether jansson accepted. */
static bool same(const char *p, size_t n, unsigned flags)
{
	json_error_t je;
	json_t *a = json_loadb(
		p, n,
		flags & KY_JT_REJECT_DUPLICATES ? JSON_REJECT_DUPLICATES : 0,
		&je);
	const char *why = NULL;
	size_t at = 0;
	json_t *b = ky_json_tree(p, n, flags, &at, &why);
	bool ok = a != NULL;

	if ((a == NULL) != (b == NULL))
		fail_msg("verdicts differ on %.*s: jansson %s, ours %s at %zu",
			 (int)(n > 200 ? 200 : n), p, a ? "accepts" : je.text,
			 b ? "accepts" : why, at);
	if (a != NULL) {
		char *da = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		char *db = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);

		if (!json_equal(a, b) || da == NULL || db == NULL ||
		    strcmp(da, db) != 0)
			fail_msg("trees differ on %.*s:\n%s\n%s",
				 (int)(n > 200 ? 200 : n), p, da, db);
		free(da);
		free(db);
	} else {
		assert_non_null(why);
		assert_true(at <= n);
	}
	json_decref(a);
	json_decref(b);
	return ok;
}

static void expect(const char *s, bool ok)
{
	if (same(s, strlen(s), KY_JT_REJECT_DUPLICATES) != ok)
		fail_msg("%s: expected jansson to %s it", s,
			 ok ? "accept" : "refuse");
}

static void test_cases(void **state)
{
	(void)state;
	/* grammar */
	expect("{}", true);
	expect("[]", true);
	expect(" \t\r\n{ \"a\" : [ 1 , 2 ] } \n", true);
	expect("", false);
	expect("   ", false);
	expect("1", false); /* no JSON_DECODE_ANY: not at the top */
	expect("\"s\"", false);
	expect("null", false);
	expect("{} x", false);
	expect("{}{}", false);
	expect("{,}", false);
	expect("{\"a\":1,}", false);
	expect("[1,]", false);
	expect("[,1]", false);
	expect("{\"a\" 1}", false);
	expect("{1:2}", false);
	expect("[tru]", false);
	expect("[truex]", false);
	expect("[true,false,null]", true);
	expect("\xef\xbb\xbf{}", false); /* a BOM */
	{
		/* jansson drops a NUL that follows a number (a quirk of its
		 * lexer) and accepts this; we refuse a NUL outside a string */
		static const char nul[] = "[5\0]";
		json_t *a = json_loadb(nul, 4, 0, NULL);

		assert_non_null(a);
		json_decref(a);
		assert_null(ky_json_tree(nul, 4, 0, NULL, NULL));
	}
	/* numbers */
	expect("[0,-0,1,-1,10,123456789]", true);
	expect("[01]", false);
	expect("[-]", false);
	expect("[1.]", false);
	expect("[.5]", false);
	expect("[1e]", false);
	expect("[1e+]", false);
	expect("[+1]", false);
	expect("[1.5e3,1E-2,-0.0,2.5E+10]", true);
	expect("[9223372036854775807,-9223372036854775808]", true);
	expect("[9223372036854775808]", false);
	expect("[-9223372036854775809]", false);
	expect("[1e400]", false);
	expect("[-1e400]", false);
	expect("[1e-400]", true);
	expect("[0.1000000000000000055511151231257827]", true);
	/* strings */
	expect("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", true);
	expect("[\"\\u00e9\\u20ac\\ud83d\\ude00\"]", true);
	expect("[\"\\u0000\"]", false);
	expect("[\"\\ud83d\"]", false);
	expect("[\"\\ud83dx\"]", false);
	expect("[\"\\ude00\"]", false);
	expect("[\"\\ud83d\\u0041\"]", false);
	expect("[\"\\u12\"]", false);
	expect("[\"\\x\"]", false);
	expect("[\"a\tb\"]", false); /* a raw control character */
	expect("[\"a\x1f\"]", false);
	expect("[\"\x7f\"]", true);
	expect("[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]", true);
	expect("[\"\xc0\xaf\"]", false);	 /* overlong */
	expect("[\"\xed\xa0\x80\"]", false);	 /* an encoded surrogate */
	expect("[\"\xf4\x90\x80\x80\"]", false); /* past U+10FFFF */
	expect("[\"\xf5\"]", false);
	expect("[\"\xe2\x82\"]", false); /* cut short */
	expect("[\"abc", false);
	expect("[\"abcdefghijklmnopqrstuvwxyz", false);
	expect("{\"\":1}", true);
	expect("{\"k\\u00e9y\":\"v\\n\"}", true);
	/* duplicates: refused by flag, else the last wins */
	expect("{\"a\":1,\"a\":2}", false);
	assert_true(same("{\"a\":1,\"a\":2}", 13, 0));
	expect("{\"a\":{\"a\":1}}", true);
}

static void test_depth(void **state)
{
	char *s = malloc(2 * KY_JT_MAX_DEPTH + 8);
	size_t n;

	(void)state;
	assert_non_null(s);
	/* 2048 nested arrays are accepted, a scalar inside them is one
	 * level too deep, and so are 2049 arrays */
	for (int extra = 0; extra < 3; extra++) {
		int d = KY_JT_MAX_DEPTH + (extra == 2);

		n = 0;
		for (int i = 0; i < d; i++)
			s[n++] = '[';
		if (extra == 1)
			s[n++] = '1';
		for (int i = 0; i < d; i++)
			s[n++] = ']';
		assert_int_equal(same(s, n, 0), extra == 0);
	}
	free(s);
}

/* ---- random documents ---- */

struct gb {
	char *p;
	size_t n, cap;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void add(struct gb *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void adds(struct gb *b, const char *s)
{
	add(b, s, strlen(s));
}

static void gen_string(struct gb *b)
{
	static const char *const parts[] = {
		"a",
		"indicator",
		"--",
		" ",
		"\\\"",
		"\\\\",
		"\\/",
		"\\n",
		"\\u00e9",
		"\\u20AC",
		"\\ud83d\\ude00",
		"\xc3\xa9",
		"\xe2\x82\xac",
		"\xf0\x9f\x98\x80",
		"0123456789abcdef",
		"\\t",
		"'",
		"[ipv4-addr:value = '10.0.0.1']",
	};
	int k = (int)rnd(6);

	adds(b, "\"");
	for (int i = 0; i < k; i++)
		adds(b, parts[rnd(sizeof(parts) / sizeof(parts[0]))]);
	adds(b, "\"");
}

static void gen_value(struct gb *b, int depth)
{
	static const char *const nums[] = {
		"0",
		"-0",
		"7",
		"-12",
		"3.25",
		"-0.5",
		"1e3",
		"2E-7",
		"1.5e+300",
		"123456789012",
		"0.1",
		"9223372036854775807",
		"-9223372036854775808",
	};
	uint32_t r = rnd(depth > 5 ? 5 : 8);

	switch (r) {
	case 0:
	case 1:
		gen_string(b);
		break;
	case 2:
		adds(b, nums[rnd(sizeof(nums) / sizeof(nums[0]))]);
		break;
	case 3:
		adds(b, rnd(3) == 0 ? "null" : rnd(2) ? "true" : "false");
		break;
	case 4:
		gen_string(b);
		break;
	case 5:
	case 6: {
		int n = (int)rnd(5);

		adds(b, rnd(2) ? "{" : "{ ");
		for (int i = 0; i < n; i++) {
			if (i > 0)
				adds(b, rnd(2) ? "," : " ,\n");
			gen_string(b);
			adds(b, rnd(2) ? ":" : " : ");
			gen_value(b, depth + 1);
		}
		adds(b, "}");
		break;
	}
	default: {
		int n = (int)rnd(5);

		adds(b, "[");
		for (int i = 0; i < n; i++) {
			if (i > 0)
				adds(b, rnd(2) ? "," : ", ");
			gen_value(b, depth + 1);
		}
		adds(b, "]");
		break;
	}
	}
}

static void test_random(void **state)
{
	struct gb b = {0};
	int accepted = 0, refused = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		b.n = 0;
		adds(&b, rnd(2) ? "{\"x\":" : "[");
		gen_value(&b, 0);
		adds(&b, b.p[0] == '{' ? "}" : "]");
		if (rnd(4) == 0)
			adds(&b, "\n");
		/* half of them mutated: a byte changed, dropped, cut or
		 * doubled */
		if (i % 2 == 1 && b.n > 2) {
			size_t at = rnd((uint32_t)b.n);
			static const char junk[] =
				"\"\\,:[]{}0-e.\x80\xff\x01 ";

			switch (rnd(4)) {
			case 0:
				b.p[at] = junk[rnd(sizeof(junk) - 1)];
				break;
			case 1:
				memmove(b.p + at, b.p + at + 1, b.n - at - 1);
				b.n--;
				break;
			case 2:
				b.n = at;
				break;
			default:
				add(&b, b.p + at, 1);
				break;
			}
		}
		if (same(b.p, b.n, rnd(2) ? KY_JT_REJECT_DUPLICATES : 0))
			accepted++;
		else
			refused++;
	}
	free(b.p);
	print_message("random documents: %d accepted, %d refused by both\n",
		      accepted, refused);
	/* the generator must exercise both sides */
	assert_true(accepted > 5000 && refused > 2000);
}

/* ---- the shared data ---- */

static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += files_in(path);
		} else if (strlen(e->d_name) > 5 &&
			   strcmp(e->d_name + strlen(e->d_name) - 5, ".json") ==
				   0) {
			FILE *f = fopen(path, "rb");
			char *buf = malloc((size_t)st.st_size + 1);
			size_t got;

			assert_non_null(f);
			assert_non_null(buf);
			got = fread(buf, 1, (size_t)st.st_size, f);
			fclose(f);
			(void)same(buf, got, KY_JT_REJECT_DUPLICATES);
			(void)same(buf, got, 0);
			free(buf);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void test_shared_data(void **state)
{
	const char *root = getenv("KYKLOS_SHARED_DATA");
	static const char *const sub[] = {"stix", "csaf", "cacao"};
	char dir[4096];

	(void)state;
	if (root == NULL)
		root = "../shared/data";
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		int n;

		snprintf(dir, sizeof(dir), "%s/%s", root, sub[i]);
		if ((n = files_in(dir)) == 0) {
			print_message("SKIP: folder %s is absent or empty\n",
				      dir);
			continue;
		}
		print_message("%s: %d JSON files, same verdicts and trees\n",
			      dir, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_shared_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
