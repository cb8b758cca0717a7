/* Sigma condition expressions: every grammar form by truth table, errors at
 * exact columns, condition lists, the used set, dumps, every condition of
 * the SigmaHQ rule sets, and a random differential test against a small
 * recursive reference evaluator written here from the specification. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfyaml.h>

#include "base/buf.h"
#include "base/err.h"
#include "detect/condition.h"

static const char *const abc[] = {"a", "b", "c"};

static struct ky_cond *compile_ok(const char *expr, const char *const *names,
				  size_t n)
{
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	int r = ky_cond_compile(expr, strlen(expr), names, n, &c, &err);

	if (r != 0)
		fail_msg("'%s': %s", expr, err.msg);
	assert_non_null(c);
	return c;
}

/* want[i] is '1' when the expression over a, b, c is true for the bitset
 * i (bit 0 = a, bit 1 = b, bit 2 = c). */
static void truth(const char *expr, const char *want)
{
	struct ky_cond *c = compile_ok(expr, abc, 3);
	char got[9];

	for (uint64_t i = 0; i < 8; i++)
		got[i] = ky_cond_eval(c, &i) ? '1' : '0';
	got[8] = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("'%s': got %s, want %s", expr, got, want);
	ky_cond_free(c);
}

static void test_basic_forms(void **state)
{
	(void)state;
	truth("a", "01010101");
	truth("b", "00110011");
	truth("a and b", "00010001");
	truth("a or b", "01110111");
	truth("not a", "10101010");
	truth("not not a", "01010101");
	truth("a and not b", "01000100");
	truth("not (a or b)", "10001000");
	truth("(a)", "01010101");
	truth("((((a))))", "01010101");
	truth("a and b and c", "00000001");
	truth("a or b or c", "01111111");
	truth("not a and not b and not c", "10000000");
	/* Keywords are case-insensitive; identifiers are not. */
	truth("a AND b", "00010001");
	truth("NOT a Or b", "10111011");
	/* Any whitespace separates tokens; parentheses need none. */
	truth("a\tand\n(b\r\nor c)", "00010101");
	truth("(a)and(b)", "00010001");
	truth("not(a)", "10101010");
}

static void test_precedence(void **state)
{
	(void)state;
	/* and binds tighter than or */
	truth("a or b and c", "01010111");
	truth("a and b or c", "00011111");
	truth("(a or b) and c", "00000111");
	truth("a and (b or c)", "00010101");
	/* not binds tighter than and / or */
	truth("not a and b", "00100010");
	truth("not a or b", "10111011");
	truth("not (a and b)", "11101110");
	truth("a or not b and c", "01011101");
	truth("not a or not b and not c", "11101010");
}

static const char *const qnames[] = {
	"sel_img",    "sel_cli", "selection", "filter_main_x",
	"filter_opt", "_hidden", "keywords",
};

static void qtruth(const char *expr, uint64_t bits, bool want)
{
	struct ky_cond *c = compile_ok(expr, qnames, 7);

	if (ky_cond_eval(c, &bits) != want)
		fail_msg("'%s' on 0x%llx: want %d", expr,
			 (unsigned long long)bits, want);
	ky_cond_free(c);
}

static void test_quantifiers(void **state)
{
	(void)state;
	qtruth("1 of sel_*", 0x1, true);
	qtruth("1 of sel_*", 0x2, true);
	qtruth("1 of sel_*", 0x4, false); /* selection is not sel_* */
	qtruth("all of sel_*", 0x1, false);
	qtruth("all of sel_*", 0x3, true);
	qtruth("any of sel_*", 0x2, true);
	qtruth("any of sel_*", 0x4, false);
	qtruth("ALL OF sel_*", 0x3, true);
	/* 'them' leaves out identifiers that start with '_' */
	qtruth("1 of them", 0x20, false);
	qtruth("1 of them", 0x40, true);
	qtruth("all of them", 0x5f, true);
	qtruth("all of them", 0x3f, false);
	qtruth("all of them", 0x1f, false);
	/* ...but an explicit pattern may name them */
	qtruth("1 of _*", 0x20, true);
	qtruth("1 of *", 0x20, true);
	qtruth("all of *", 0x5f, false);
	/* wildcards at the start, middle, end, several, none */
	qtruth("1 of *_x", 0x8, true);
	qtruth("1 of *_x", 0x17, false);
	qtruth("all of f*r_*", 0x18, true);
	qtruth("all of f*r_*", 0x08, false);
	qtruth("1 of s*e*", 0x4, true);
	qtruth("all of s*e*", 0x4, false); /* sel_img, sel_cli too */
	qtruth("all of s*e*", 0x7, true);
	qtruth("1 of selection", 0x4, true);
	qtruth("1 of selection", 0x3, false);
	qtruth("1 of **sel**cli**", 0x2, true);
	/* combined the way SigmaHQ writes them */
	qtruth("all of sel_* and not 1 of filter_*", 0x3, true);
	qtruth("all of sel_* and not 1 of filter_*", 0x13, false);
	qtruth("selection and not 1 of filter_main_*", 0x4, true);
	qtruth("selection and not 1 of filter_main_*", 0xc, false);
	qtruth("not 1 of sel_* and keywords", 0x40, true);
	qtruth("not all of sel_* or keywords", 0x3, false);
}

/* 150 searches: masks that span several words and words of their own. */
static void test_many_names(void **state)
{
	char buf[150][8];
	const char *names[150];
	uint64_t bits[3];
	struct ky_cond *c;
	(void)state;

	for (int i = 0; i < 150; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%c%d", i < 100 ? 's' : 'f',
			 i);
		names[i] = buf[i];
	}
	c = compile_ok("all of s* and not 1 of f14*", names, 150);
	memset(bits, 0xff, sizeof(bits));
	assert_false(ky_cond_eval(c, bits));
	bits[2] &= ~(UINT64_C(1) << (140 - 128)); /* f140 */
	bits[2] &= ~(UINT64_C(1) << (149 - 128));
	assert_false(ky_cond_eval(c, bits));
	for (int i = 140; i < 150; i++)
		bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
	assert_true(ky_cond_eval(c, bits));
	bits[1] &= ~(UINT64_C(1) << (99 - 64)); /* s99 */
	assert_false(ky_cond_eval(c, bits));
	ky_cond_free(c);

	c = compile_ok("1 of s6*", names, 150); /* s6, s60..s69 */
	memset(bits, 0, sizeof(bits));
	assert_false(ky_cond_eval(c, bits));
	bits[1] = UINT64_C(1) << (69 - 64);
	assert_true(ky_cond_eval(c, bits));
	bits[1] = 0;
	bits[0] = UINT64_C(1) << 6;
	assert_true(ky_cond_eval(c, bits));
	ky_cond_free(c);

	c = compile_ok("f149 and s0", names, 150);
	memset(bits, 0, sizeof(bits));
	bits[2] = UINT64_C(1) << 21;
	assert_false(ky_cond_eval(c, bits));
	bits[0] = 1;
	assert_true(ky_cond_eval(c, bits));
	ky_cond_free(c);
}

static void bad(const char *expr, size_t len, int status, const char *msg)
{
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	int r = ky_cond_compile(expr, len, qnames, 7, &c, &err);

	if (r != status || strcmp(err.msg, msg) != 0)
		fail_msg("'%.60s': got %d '%s', want %d '%s'", expr, r, err.msg,
			 status, msg);
	assert_null(c);
}

#define BAD(e, st, m) bad(e, strlen(e), st, m)
#define WANT_OPERAND                                                           \
	"expected a search identifier, 'not', '1 of', 'all of' or '('"

static void test_errors(void **state)
{
	(void)state;
	BAD("", KY_E_PARSE, "condition: column 1: empty condition");
	BAD("   ", KY_E_PARSE, "condition: column 4: empty condition");
	BAD("selection and nope", KY_E_PARSE,
	    "condition: column 15: unknown search identifier 'nope'");
	BAD("Selection", KY_E_PARSE,
	    "condition: column 1: unknown search identifier 'Selection'");
	BAD("1 of nothing_*", KY_E_PARSE,
	    "condition: column 6: pattern 'nothing_*' matches no search "
	    "identifier");
	BAD("sel_*", KY_E_PARSE,
	    "condition: column 1: pattern 'sel_*' needs '1 of' or 'all of'");
	BAD("(selection and keywords", KY_E_PARSE,
	    "condition: column 1: '(' is never closed");
	BAD("selection and ((keywords)", KY_E_PARSE,
	    "condition: column 15: '(' is never closed");
	BAD("selection and keywords)", KY_E_PARSE,
	    "condition: column 23: ')' without a matching '('");
	BAD("()", KY_E_PARSE,
	    "condition: column 2: " WANT_OPERAND ", found ')'");
	BAD("selection and", KY_E_PARSE,
	    "condition: column 14: " WANT_OPERAND ", found end of condition");
	BAD("selection or ", KY_E_PARSE,
	    "condition: column 14: " WANT_OPERAND ", found end of condition");
	BAD("and selection", KY_E_PARSE,
	    "condition: column 1: " WANT_OPERAND ", found 'and'");
	BAD("selection or or keywords", KY_E_PARSE,
	    "condition: column 14: " WANT_OPERAND ", found 'or'");
	BAD("not", KY_E_PARSE,
	    "condition: column 4: " WANT_OPERAND ", found end of condition");
	BAD("selection keywords", KY_E_PARSE,
	    "condition: column 11: expected 'and', 'or' or end of condition, "
	    "found 'keywords'");
	BAD("(selection keywords)", KY_E_PARSE,
	    "condition: column 12: expected 'and', 'or' or ')', found "
	    "'keywords'");
	BAD("1 of", KY_E_PARSE,
	    "condition: column 5: expected a search identifier pattern or "
	    "'them' after '1 of', found end of condition");
	BAD("all of (sel_*)", KY_E_PARSE,
	    "condition: column 8: expected a search identifier pattern or "
	    "'them' after 'all of', found '('");
	BAD("1 of and", KY_E_PARSE,
	    "condition: column 6: expected a search identifier pattern or "
	    "'them' after '1 of', found 'and'");
	BAD("2 of sel_*", KY_E_PARSE,
	    "condition: column 1: '2 of' is not part of Sigma; use '1 of' or "
	    "'all of'");
	BAD("selection\x01", KY_E_PARSE,
	    "condition: column 10: unexpected control character 0x01");
	bad("selection\0and keywords", 22, KY_E_PARSE,
	    "condition: column 10: unexpected control character 0x00");
	BAD("caf\xc3\xa9", KY_E_PARSE,
	    "condition: column 1: unknown search identifier 'caf?\?'");
	/* Block scalars keep their newlines: the line is named too. */
	BAD("selection and\n  (keywords or\n   nope)", KY_E_PARSE,
	    "condition: line 3, column 4: unknown search identifier 'nope'");
}

static void test_them_empty(void **state)
{
	static const char *const under[] = {"_a", "_b"};
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	(void)state;

	assert_int_equal(ky_cond_compile("1 of them", 9, under, 2, &c, &err),
			 KY_E_PARSE);
	assert_string_equal(
		err.msg, "condition: column 6: 'them' matches no search "
			 "identifier (identifiers starting with '_' are left "
			 "out)");
	assert_int_equal(ky_cond_compile("a", 1, NULL, 0, &c, &err),
			 KY_E_PARSE);
	assert_null(c);
	c = compile_ok("1 of _*", under, 2);
	uint64_t b = 2;
	assert_true(ky_cond_eval(c, &b));
	ky_cond_free(c);
}

static void test_aggregation(void **state)
{
	(void)state;
	BAD("selection | count() > 5", KY_E_UNSUPPORTED,
	    "condition: column 11: aggregation expressions are not "
	    "supported; use a correlation rule");
	BAD("selection | count(User) by Computer > 10", KY_E_UNSUPPORTED,
	    "condition: column 11: aggregation expressions are not "
	    "supported; use a correlation rule");
	BAD("selection|near keywords", KY_E_UNSUPPORTED,
	    "condition: column 10: aggregation expressions are not "
	    "supported; use a correlation rule");
	BAD("(selection | count() > 5)", KY_E_UNSUPPORTED,
	    "condition: column 12: aggregation expressions are not "
	    "supported; use a correlation rule");
	BAD("1 of sel_* | count(x) > 1", KY_E_UNSUPPORTED,
	    "condition: column 12: aggregation expressions are not "
	    "supported; use a correlation rule");
}

static void test_limits(void **state)
{
	size_t n = 65537, depth;
	char *s = malloc(n + 1);
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	(void)state;

	assert_non_null(s);
	/* 256 levels of parentheses compile, 257 do not. */
	depth = 256;
	memset(s, '(', depth);
	memcpy(s + depth, "selection", 9);
	memset(s + depth + 9, ')', depth);
	assert_int_equal(ky_cond_compile(s, 2 * depth + 9, qnames, 7, &c, &err),
			 0);
	uint64_t b = 4;
	assert_true(ky_cond_eval(c, &b));
	ky_cond_free(c);
	c = NULL;
	memset(s, '(', 257);
	memcpy(s + 257, "selection", 9);
	memset(s + 266, ')', 257);
	bad(s, 523, KY_E_TOOBIG,
	    "condition: column 257: nesting deeper than 256");
	/* not counts as nesting too, so no input recurses without bound */
	for (size_t i = 0; i < 300; i++)
		memcpy(s + 4 * i, "not ", 4);
	memcpy(s + 1200, "selection", 9);
	bad(s, 1209, KY_E_TOOBIG,
	    "condition: column 1025: nesting deeper than 256");
	/* length: 64 KiB accepted, one byte more refused before parsing */
	memset(s, ' ', n);
	memcpy(s, "selection", 9);
	assert_int_equal(ky_cond_compile(s, 65536, qnames, 7, &c, &err), 0);
	ky_cond_free(c);
	c = NULL;
	bad(s, 65537, KY_E_TOOBIG, "condition: 65537 bytes, limit 65536");
	/* a long flat list is no problem: evaluation needs no stack */
	size_t k = 0;
	for (int i = 0; i < 5000; i++) {
		memcpy(s + k, "selection or ", 13);
		k += 13;
	}
	memcpy(s + k, "keywords", 8);
	k += 8;
	assert_int_equal(ky_cond_compile(s, k, qnames, 7, &c, &err), 0);
	b = 0x40;
	assert_true(ky_cond_eval(c, &b));
	b = 0;
	assert_false(ky_cond_eval(c, &b));
	ky_cond_free(c);
	free(s);
}

static void test_list(void **state)
{
	static const char *const l1[] = {"a and b", "c"};
	static const char *const l2[] = {"a", "not b"};
	static const char *const l3[] = {"a", "b and"};
	static const char *const l4[] = {"b | count() > 3"};
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	struct ky_buf out;
	char got[9];
	(void)state;

	assert_int_equal(ky_cond_compile_list(l1, 2, abc, 3, &c, &err), 0);
	for (uint64_t i = 0; i < 8; i++)
		got[i] = ky_cond_eval(c, &i) ? '1' : '0';
	got[8] = '\0';
	assert_string_equal(got, "00011111");
	ky_buf_init(&out, 0);
	assert_int_equal(ky_cond_dump(c, abc, &out), 0);
	assert_string_equal(ky_buf_str(&out), "(or (and a b) c)");
	ky_cond_free(c);

	assert_int_equal(ky_cond_compile_list(l2, 2, abc, 3, &c, &err), 0);
	for (uint64_t i = 0; i < 8; i++)
		got[i] = ky_cond_eval(c, &i) ? '1' : '0';
	assert_string_equal(got, "11011101");
	ky_cond_free(c);

	assert_int_equal(ky_cond_compile_list(l1, 1, abc, 3, &c, &err), 0);
	ky_buf_reset(&out);
	assert_int_equal(ky_cond_dump(c, abc, &out), 0);
	assert_string_equal(ky_buf_str(&out), "(and a b)");
	ky_cond_free(c);
	ky_buf_free(&out);

	c = NULL;
	assert_int_equal(ky_cond_compile_list(l3, 2, abc, 3, &c, &err),
			 KY_E_PARSE);
	assert_string_equal(err.msg, "condition[1]: column 6: " WANT_OPERAND
				     ", found end of condition");
	assert_null(c);
	assert_int_equal(ky_cond_compile_list(l4, 1, abc, 3, &c, &err),
			 KY_E_UNSUPPORTED);
	assert_string_equal(err.msg,
			    "condition[0]: column 3: aggregation expressions "
			    "are not supported; use a correlation rule");
	assert_int_equal(ky_cond_compile_list(l1, 0, abc, 3, &c, &err),
			 KY_E_PARSE);
	assert_string_equal(err.msg, "condition: empty list");
}

static void test_used(void **state)
{
	uint64_t out[1];
	struct ky_cond *c;
	char buf[70][8];
	const char *names[70];
	uint64_t wide[2];
	(void)state;

	c = compile_ok("selection and not 1 of filter_*", qnames, 7);
	out[0] = ~UINT64_C(0);
	ky_cond_used(c, out);
	assert_int_equal(out[0], 0x1c);
	ky_cond_free(c);
	c = compile_ok("1 of them", qnames, 7);
	ky_cond_used(c, out);
	assert_int_equal(out[0], 0x5f);
	ky_cond_free(c);
	c = compile_ok("keywords or keywords", qnames, 7);
	ky_cond_used(c, out);
	assert_int_equal(out[0], 0x40);
	ky_cond_free(c);

	for (int i = 0; i < 70; i++) {
		snprintf(buf[i], sizeof(buf[i]), "n%d", i);
		names[i] = buf[i];
	}
	c = compile_ok("n69 or n1", names, 70);
	ky_cond_used(c, wide);
	assert_int_equal(wide[0], 2);
	assert_int_equal(wide[1], UINT64_C(1) << 5);
	ky_cond_free(c);
}

static void dump_is(const char *expr, const char *want)
{
	struct ky_cond *c = compile_ok(expr, qnames, 7);
	struct ky_buf out;

	ky_buf_init(&out, 0);
	assert_int_equal(ky_cond_dump(c, qnames, &out), 0);
	if (strcmp(ky_buf_str(&out), want) != 0)
		fail_msg("'%s': got '%s', want '%s'", expr, ky_buf_str(&out),
			 want);
	ky_buf_free(&out);
	ky_cond_free(c);
}

static void test_dump(void **state)
{
	struct ky_cond *c;
	struct ky_buf out;
	(void)state;

	dump_is("selection", "selection");
	dump_is("selection and not keywords", "(and selection (not keywords))");
	dump_is("(selection and not filter_opt) or 1 of sel_*",
		"(or (and selection (not filter_opt)) (any sel_*))");
	dump_is("all of sel_* and not 1 of filter_* and not 1 of them",
		"(and (all sel_*) (not (any filter_*)) (not (any them)))");
	dump_is("selection and (keywords and (sel_img and sel_cli))",
		"(and selection keywords sel_img sel_cli)");
	dump_is("selection or keywords and sel_img or sel_cli",
		"(or selection (and keywords sel_img) sel_cli)");
	dump_is("not not (selection)", "(not (not selection))");
	dump_is("any of sel_*", "(any sel_*)");

	/* A capped buffer reports its error. */
	c = compile_ok("selection and not 1 of filter_*", qnames, 7);
	ky_buf_init(&out, 10);
	assert_int_equal(ky_cond_dump(c, qnames, &out), KY_E_TOOBIG);
	ky_buf_free(&out);
	ky_cond_free(c);
}

/* ---- every condition of the SigmaHQ rule sets -------------------------- */

static struct {
	size_t files, rules, ok, aggregation, failed, yaml_errors;
} corpus;

static void compile_rule(const char *path, struct fy_document *fyd)
{
	struct fy_node *root = fy_document_root(fyd), *det, *cond, *it;
	struct fy_node_pair *pair;
	const char **names = NULL, **exprs = NULL;
	size_t nnames = 0, nexprs = 0, len;
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	void *iter = NULL;
	int r;

	det = root ? fy_node_by_path(root, "/detection", FY_NT,
				     FYNWF_DONT_FOLLOW)
		   : NULL;
	if (det == NULL || !fy_node_is_mapping(det))
		return; /* correlation rules and filters have none */
	cond = fy_node_by_path(det, "/condition", FY_NT, FYNWF_DONT_FOLLOW);
	corpus.rules++;
	names = calloc((size_t)fy_node_mapping_item_count(det) + 1,
		       sizeof(*names));
	assert_non_null(names);
	while ((pair = fy_node_mapping_iterate(det, &iter)) != NULL) {
		const char *k = fy_node_get_scalar0(fy_node_pair_key(pair));
		if (k == NULL || strcmp(k, "condition") == 0 ||
		    strcmp(k, "timeframe") == 0)
			continue;
		names[nnames++] = k;
	}
	if (cond != NULL && fy_node_is_sequence(cond)) {
		exprs = calloc((size_t)fy_node_sequence_item_count(cond) + 1,
			       sizeof(*exprs));
		assert_non_null(exprs);
		iter = NULL;
		while ((it = fy_node_sequence_iterate(cond, &iter)) != NULL)
			exprs[nexprs++] = fy_node_get_scalar0(it);
		r = ky_cond_compile_list(exprs, nexprs, names, nnames, &c,
					 &err);
	} else {
		const char *s = cond ? fy_node_get_scalar(cond, &len) : NULL;
		r = ky_cond_compile(s, s ? len : 0, names, nnames, &c, &err);
	}
	if (r == 0) {
		uint64_t *bits = calloc(nnames / 64 + 1, sizeof(*bits));
		assert_non_null(bits);
		(void)ky_cond_eval(c, bits);
		free(bits);
		corpus.ok++;
	} else if (r == KY_E_UNSUPPORTED && strstr(err.msg, "aggregation")) {
		corpus.aggregation++;
	} else {
		corpus.failed++;
		print_message("FAIL %s: %s\n", path, err.msg);
	}
	ky_cond_free(c);
	free(names);
	free(exprs);
}

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	static const struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
	struct fy_document *fyd;
	size_t n = strlen(path);
	(void)st;
	(void)ftw;

	if (type != FTW_F || n < 4 ||
	    (strcmp(path + n - 4, ".yml") != 0 &&
	     strcmp(path + n - 5, ".yaml") != 0))
		return 0;
	corpus.files++;
	fyd = fy_document_build_from_file(&cfg, path);
	if (fyd == NULL) {
		corpus.yaml_errors++;
		print_message("YAML error in %s\n", path);
		return 0;
	}
	compile_rule(path, fyd);
	fy_document_destroy(fyd);
	return 0;
}

static void test_sigmahq_corpus(void **state)
{
	static const char *const sets[] = {"rules",
					   "rules-emerging-threats",
					   "rules-threat-hunting",
					   "rules-compliance",
					   "rules-placeholder",
					   "rules-dfir"};
	const char *root = getenv("KYKLOS_SHARED_DATA");
	char dir[4096];
	size_t found = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/sigma/%s", root ? root : ".",
			 sets[i]);
		if (nftw(dir, visit, 16, FTW_PHYS) == 0)
			found++;
	}
	if (found == 0) {
		print_message("skipped: no rule folders under %s/sigma\n",
			      root ? root : "(KYKLOS_SHARED_DATA unset)");
		skip();
	}
	print_message("SigmaHQ: %zu files, %zu rules with a detection, %zu "
		      "conditions compile, %zu aggregations rejected, %zu "
		      "failed, %zu YAML errors\n",
		      corpus.files, corpus.rules, corpus.ok, corpus.aggregation,
		      corpus.failed, corpus.yaml_errors);
	assert_true(corpus.rules > 1000);
	assert_int_equal(corpus.failed, 0);
}

/* ---- random differential test ------------------------------------------ */

enum { G_ID, G_ANY, G_ALL, G_NOT, G_AND, G_OR };

struct gnode {
	int kind;
	int arg; /* G_ID: name index; G_ANY/G_ALL: pattern index */
	struct gnode *kid[4];
	int nkid;
};

#define NNAMES 70
static char gnamebuf[NNAMES][16];
static const char *gnames[NNAMES];
static const char *const gpats[] = {
	"sel_*",  "filter_1*", "*5",   "kw*",	    "_x*",    "*",
	"sel_6*", "*_1*",      "them", "filter_21", "s*l_3*", "*e*_*4",
};
#define NPATS (sizeof(gpats) / sizeof(gpats[0]))

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* Written independently of the library: plain recursion. */
static bool ref_glob(const char *p, const char *s)
{
	if (*p == '\0')
		return *s == '\0';
	if (*p == '*')
		return ref_glob(p + 1, s) || (*s != '\0' && ref_glob(p, s + 1));
	return *p == *s && ref_glob(p + 1, s + 1);
}

static bool ref_matches(int pat, int name)
{
	if (strcmp(gpats[pat], "them") == 0)
		return gnames[name][0] != '_';
	return ref_glob(gpats[pat], gnames[name]);
}

static bool bit(const uint64_t *bits, int i)
{
	return (bits[i / 64] >> (i % 64)) & 1;
}

static bool ref_eval(const struct gnode *g, const uint64_t *bits)
{
	bool v;

	switch (g->kind) {
	case G_ID:
		return bit(bits, g->arg);
	case G_ANY:
	case G_ALL:
		for (int i = 0; i < NNAMES; i++) {
			if (!ref_matches(g->arg, i))
				continue;
			if (g->kind == G_ANY && bit(bits, i))
				return true;
			if (g->kind == G_ALL && !bit(bits, i))
				return false;
		}
		return g->kind == G_ALL;
	case G_NOT:
		return !ref_eval(g->kid[0], bits);
	case G_AND:
		v = true;
		for (int i = 0; i < g->nkid; i++)
			v = ref_eval(g->kid[i], bits) && v;
		return v;
	default:
		v = false;
		for (int i = 0; i < g->nkid; i++)
			v = ref_eval(g->kid[i], bits) || v;
		return v;
	}
}

static struct gnode *gen(int depth)
{
	struct gnode *g = calloc(1, sizeof(*g));
	uint32_t k = depth > 5 ? rnd(3) : rnd(7);

	assert_non_null(g);
	switch (k) {
	case 0:
	case 1:
		g->kind = G_ID;
		g->arg = (int)rnd(NNAMES);
		break;
	case 2:
		g->kind = rnd(2) ? G_ANY : G_ALL;
		g->arg = (int)rnd(NPATS);
		break;
	case 3:
		g->kind = G_NOT;
		g->kid[0] = gen(depth + 1);
		g->nkid = 1;
		break;
	default:
		g->kind = rnd(2) ? G_AND : G_OR;
		g->nkid = 2 + (int)rnd(3);
		for (int i = 0; i < g->nkid; i++)
			g->kid[i] = gen(depth + 1);
	}
	return g;
}

static void gfree(struct gnode *g)
{
	for (int i = 0; i < g->nkid; i++)
		gfree(g->kid[i]);
	free(g);
}

static int prec(const struct gnode *g)
{
	return g->kind == G_OR ? 1 : g->kind == G_AND ? 2 : 3;
}

static void ws(struct ky_buf *b)
{
	static const char *const sp[] = {" ", " ", "  ", "\t", "\n "};
	assert_int_equal(ky_buf_adds(b, sp[rnd(5)]), 0);
}

static const char *kw(const char *lower, const char *upper)
{
	return rnd(4) ? lower : upper;
}

/* Prints g, adding the parentheses precedence needs and some more. */
static void print(struct ky_buf *b, const struct gnode *g, int need)
{
	bool paren = prec(g) < need || rnd(8) == 0;

	if (paren)
		assert_int_equal(ky_buf_addc(b, '('), 0);
	switch (g->kind) {
	case G_ID:
		assert_int_equal(ky_buf_adds(b, gnames[g->arg]), 0);
		break;
	case G_ANY:
	case G_ALL:
		assert_int_equal(ky_buf_adds(b, g->kind == G_ALL
							? kw("all", "ALL")
						: rnd(3) ? "1"
							 : kw("any", "Any")),
				 0);
		ws(b);
		assert_int_equal(ky_buf_adds(b, kw("of", "OF")), 0);
		ws(b);
		assert_int_equal(ky_buf_adds(b, gpats[g->arg]), 0);
		break;
	case G_NOT:
		assert_int_equal(ky_buf_adds(b, kw("not", "NOT")), 0);
		ws(b);
		print(b, g->kid[0], 3);
		break;
	default:
		for (int i = 0; i < g->nkid; i++) {
			if (i > 0) {
				ws(b);
				assert_int_equal(
					ky_buf_adds(b,
						    g->kind == G_AND
							    ? kw("and", "And")
							    : kw("or", "OR")),
					0);
				ws(b);
			}
			print(b, g->kid[i], g->kind == G_AND ? 2 : 1);
		}
	}
	if (paren)
		assert_int_equal(ky_buf_addc(b, ')'), 0);
}

static void test_differential(void **state)
{
	struct ky_buf b;
	size_t evals = 0;
	(void)state;

	for (int i = 0; i < NNAMES; i++) {
		static const char *const pre[] = {"sel_", "filter_", "kw",
						  "_x"};
		snprintf(gnamebuf[i], sizeof(gnamebuf[i]), "%s%d", pre[i % 4],
			 i);
		gnames[i] = gnamebuf[i];
	}
	ky_buf_init(&b, 0);
	for (int n = 0; n < 20000; n++) {
		struct gnode *g = gen(0);
		struct ky_cond *c = NULL;
		struct ky_err err = {0};

		ky_buf_reset(&b);
		print(&b, g, 0);
		if (ky_cond_compile(b.data, b.len, gnames, NNAMES, &c, &err) !=
		    0)
			fail_msg("'%s': %s", b.data, err.msg);
		for (int k = 0; k < 24; k++) {
			uint64_t bits[2];
			/* Dense, sparse and all-ones sets all matter. */
			uint32_t mode = rnd(4);
			for (int w = 0; w < 2; w++) {
				uint64_t x = ((uint64_t)rnd(UINT32_MAX) << 32) |
					     rnd(UINT32_MAX);
				bits[w] = mode == 0   ? x
					  : mode == 1 ? x & (x >> 7) & (x >> 13)
					  : mode == 2 ? x | (x >> 3) | (x >> 9)
						      : ~UINT64_C(0);
			}
			bits[1] &= (UINT64_C(1) << (NNAMES - 64)) - 1;
			if (ky_cond_eval(c, bits) != ref_eval(g, bits))
				fail_msg("'%s' on %016llx %016llx: want %d",
					 b.data, (unsigned long long)bits[1],
					 (unsigned long long)bits[0],
					 ref_eval(g, bits));
			evals++;
		}
		ky_cond_free(c);
		gfree(g);
	}
	print_message("differential: 20000 expressions, %zu evaluations\n",
		      evals);
	ky_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_forms),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_quantifiers),
		cmocka_unit_test(test_many_names),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_them_empty),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_used),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_sigmahq_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
