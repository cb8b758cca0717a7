/* Lazy predicates (detect/match_lazy.c): short literals and regexes that
 * trigger no rule stay out of the Vectorscan databases and are tested
 * when a rule reads them; the keyword literals scanned once over an
 * event's values joined.  Each case checks that the predicate really is
 * lazy (or joined) and that matching gives what the databases gave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "detect/ruleset.h"
#include "detect/ruleset_int.h"
#include "detect/sigma.h"
#include "event/event.h"

#include "match_fixture.h"

#define PROC "logsource: {product: windows, category: process_creation}\n"

/* The predicate whose first literal (or regex) is s. */
static const struct ky__pred *pred_of(const char *s)
{
	for (uint32_t i = 0; i < F.rs->npreds; i++) {
		const struct ky__pred *p = &F.rs->preds[i];

		if (p->nlits > 0 && p->lits[0].len == strlen(s) &&
		    memcmp(p->lits[0].b, s, p->lits[0].len) == 0)
			return p;
		if (p->pattern != NULL && strcmp(p->pattern, s) == 0)
			return p;
	}
	fail_msg("no predicate for %s", s);
	return NULL;
}

static const char *cmd(const char *image, const char *cl)
{
	return matchv("EventID", "1", -1, "Channel", SYSMON, -1, "Image", image,
		      -1, "CommandLine", cl, -1, NULL);
}

/* |all: only the rarest literal triggers; the short ones are lazy and
 * still decide, caselessly, on every value of the field. */
static void test_all_short_lazy(void **state)
{
	(void)state;
	build("title: Svc\n" PROC "detection:\n"
	      "  sel:\n    CommandLine|contains|all: ['-k', 'netsvcs-x9', "
	      "'/q']\n"
	      "  condition: sel\n");
	assert_true(pred_of("-k")->lazy);
	assert_true(pred_of("/q")->lazy);
	assert_false(pred_of("netsvcs-x9")->lazy);
	assert_string_equal(cmd("C:\\svchost.exe", "svc -k netsvcs-x9 /q"),
			    "Svc");
	assert_string_equal(cmd("C:\\svchost.exe", "SVC -K NETSVCS-X9 /Q"),
			    "Svc");
	assert_string_equal(cmd("C:\\svchost.exe", "svc netsvcs-x9 /q"), "");
	assert_string_equal(cmd("C:\\svchost.exe", "svc -k /q"), "");
	assert_string_equal(cmd("C:\\svchost.exe", "-k"), "");
	/* the literals in different values of the field */
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "CommandLine[0]", "netsvcs-x9", -1,
				   "CommandLine[1]", "a -k", -1,
				   "CommandLine[2]", "/q", -1, NULL),
			    "Svc");
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "CommandLine[0]", "netsvcs-x9", -1,
				   "CommandLine[1]", "a -", -1,
				   "CommandLine[2]", "k/q", -1, NULL),
			    "");
}

/* Lazy startswith, endswith and equality read the value's ends. */
static void test_lazy_anchors(void **state)
{
	(void)state;
	build("title: Anch\n" PROC "detection:\n"
	      "  img: {Image|endswith: '\\rare-tool-77.exe'}\n"
	      "  a: {CommandLine|startswith: 'a '}\n"
	      "  z: {CommandLine|endswith: ' /z'}\n"
	      "  condition: img and a and z\n"
	      "---\n"
	      "title: Eq\n" PROC "detection:\n"
	      "  img: {Image|endswith: '\\other-tool-78.exe'}\n"
	      "  e: {CommandLine: 'x'}\n"
	      "  condition: img and e\n");
	assert_true(pred_of("a ")->lazy);
	assert_true(pred_of(" /z")->lazy);
	assert_true(pred_of("x")->lazy);
	assert_string_equal(cmd("C:\\rare-tool-77.exe", "a b /z"), "Anch");
	assert_string_equal(cmd("C:\\rare-tool-77.exe", "A B /Z"), "Anch");
	assert_string_equal(cmd("C:\\rare-tool-77.exe", "xa b /z"), "");
	assert_string_equal(cmd("C:\\rare-tool-77.exe", "a b /zx"), "");
	assert_string_equal(cmd("C:\\rare-tool-77.exe", "a /z"), "Anch");
	assert_string_equal(cmd("C:\\rare-tool-77.exe", "a /"), "");
	assert_string_equal(cmd("C:\\other-tool-78.exe", "X"), "Eq");
	assert_string_equal(cmd("C:\\other-tool-78.exe", "xx"), "");
	assert_string_equal(cmd("C:\\other-tool-78.exe", ""), "");
}

/* A regex that triggers nothing runs through PCRE2 when read. */
static void test_lazy_regex(void **state)
{
	const struct ky__pred *p;

	(void)state;
	build("title: Re\n" PROC "detection:\n"
	      "  img: {Image|endswith: '\\rare-tool-79.exe'}\n"
	      "  re: {CommandLine|re: '-p\\s+\\d{3,5}\\b'}\n"
	      "  condition: img and re\n");
	p = pred_of("-p\\s+\\d{3,5}\\b");
	assert_true(p->lazy);
	assert_int_equal(p->kind, KY__PK_PCRE);
	assert_string_equal(cmd("C:\\rare-tool-79.exe", "t -p  4444 x"), "Re");
	assert_string_equal(cmd("C:\\rare-tool-79.exe", "t -p 44 x"), "");
	assert_string_equal(cmd("C:\\rare-tool-79.exe", "t -P 4444"), "");
	assert_string_equal(cmd("C:\\a.exe", "t -p 4444"), "");
}

/* A filter's short literal is lazy too (filters trigger nothing). */
static void test_lazy_filter(void **state)
{
	(void)state;
	build("title: Main\nid: main-1\n" PROC "detection:\n"
	      "  sel: {Image|endswith: '\\rare-tool-80.exe'}\n"
	      "  condition: sel\n"
	      "---\n"
	      "title: Quiet\n" PROC "filter:\n  rules: [main-1]\n"
	      "  selection: {CommandLine|contains: '/q'}\n"
	      "  condition: selection\n");
	assert_true(pred_of("/q")->lazy);
	assert_string_equal(cmd("C:\\rare-tool-80.exe", "run"), "Main");
	assert_string_equal(cmd("C:\\rare-tool-80.exe", "run /Q"), "");
}

/* Keywords (contained anywhere in a value, wildcards at the ends add
 * nothing) are scanned over the values joined: a keyword never matches
 * across two values, every value is found whatever its position, and
 * the cache of recent values gives the same answers the second time. */
static void test_keywords_joined(void **state)
{
	char names[24][8], vals[24][16];

	(void)state;
	build("title: Kw\n" PROC "detection:\n"
	      "  kw: ['abcdef', 'zz*', \"ab\\ncd\"]\n  condition: kw\n");
	for (int round = 0; round < 2; round++) {
		assert_string_equal(matchv("EventID", "1", -1, "Channel",
					   SYSMON, -1, "A", "xxabc", -1, "B",
					   "defyy", -1, NULL),
				    "");
		assert_string_equal(matchv("EventID", "1", -1, "Channel",
					   SYSMON, -1, "A", "xxabc", -1, "B",
					   "1abcDEF2", -1, NULL),
				    "Kw");
		assert_string_equal(matchv("EventID", "1", -1, "Channel",
					   SYSMON, -1, "A", "yzz", -1, NULL),
				    "Kw");
		assert_string_equal(matchv("EventID", "1", -1, "Channel",
					   SYSMON, -1, "A", "yz", -1, "B", "zy",
					   -1, NULL),
				    "");
	}
	/* values are joined by a newline: a keyword holding one still
	 * matches inside one value only */
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "A", "xab", -1, "B", "cdx", -1, NULL),
			    "");
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "A", "x", -1, "B", "1ab\ncd2", -1, NULL),
			    "Kw");
	/* the keyword in each of 24 positions */
	for (int at = 0; at < 24; at++) {
		struct seen seen = {0};

		ky_event_reset(&F.ev);
		assert_int_equal(ky_event_add_int(&F.ev, "EventID", 7, 1), 0);
		assert_int_equal(ky_event_add_str(&F.ev, "Channel", 7, SYSMON,
						  strlen(SYSMON)),
				 0);
		for (int i = 0; i < 24; i++) {
			snprintf(names[i], sizeof(names[i]), "f%d", i);
			snprintf(vals[i], sizeof(vals[i]), "%s%d",
				 i == at ? "_abcdef_" : "v", i);
			assert_int_equal(ky_event_add_str(&F.ev, names[i],
							  strlen(names[i]),
							  vals[i],
							  strlen(vals[i])),
					 0);
		}
		assert_int_equal(
			ky_ruleset_match(F.rs, F.s, &F.ev, on_alert, &seen), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_short_lazy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lazy_anchors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lazy_regex, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lazy_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keywords_joined, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
