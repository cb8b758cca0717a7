/* The literal fast paths of the matcher (detect/litdb.c): whole-value
 * literals answered by a hash lookup (ASCII case folding only, cased
 * values, bytes outside ASCII and NULs), leading and trailing literals
 * in Vectorscan's literal database with their anchors checked at exact
 * lengths, windash forms as literals, and keywords (literals and not)
 * of rules with and without a logsource gate. */
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
#include "detect/sigma.h"
#include "event/event.h"

#include "match_fixture.h"

/* One field F. */
static const char *m1(const char *v)
{
	return matchv("F", v, -1, NULL);
}

static const char *m1n(const char *v, int len)
{
	return matchv("F", v, len, NULL);
}

#define RULE(t, det)                                                           \
	"title: " t "\nlogsource: {definition: every event}\ndetection:\n"     \
	"  sel:\n" det "  condition: sel\n"

static void test_equality(void **state)
{
	(void)state;
	build(
		RULE("Eq", "    F: 'C:\\Windows\\Svchost.EXE'\n") "---\n" RULE("Umlaut", "    F: '\xc3\x84rger'\n") "---\n" RULE(
			"Cased",
			"    F|cased: 'Abc'\n") "---\n" RULE("Caseless",
							     "    F: 'abc'\n") "---\n" RULE("Empty",
											    "    F: ''\n") "---\n" RULE("Num",
															"    F: 4688\n"));
	assert_string_equal(m1("c:\\windows\\svchost.exe"), "Eq");
	assert_string_equal(m1("C:\\WINDOWS\\SVCHOST.EXE"), "Eq");
	assert_string_equal(m1("c:\\windows\\svchost.exe "), "");
	assert_string_equal(m1("c:\\windows\\svchost.ex"), "");
	assert_string_equal(m1("xc:\\windows\\svchost.exe"), "");
	/* ASCII letters fold, other bytes do not */
	assert_string_equal(m1("\xc3\x84RGER"), "Umlaut");
	assert_string_equal(m1("\xc3\xa4rger"), "");
	assert_string_equal(m1("\xc3\x84rge"), "");
	/* cased and caseless of the same letters */
	assert_string_equal(m1("Abc"), "Cased,Caseless");
	assert_string_equal(m1("ABC"), "Caseless");
	assert_string_equal(m1("abc"), "Caseless");
	assert_string_equal(m1("Abcd"), "");
	/* the empty value is its own test; equal to no literal */
	assert_string_equal(m1(""), "Empty");
	/* numbers compare as text */
	assert_string_equal(m1("4688"), "Num");
	assert_string_equal(m1("46880"), "");
	assert_string_equal(matchv("F", "4688", -1, "EventID", "1", -1, NULL),
			    "Num");
}

static void test_equality_bytes(void **state)
{
	(void)state;
	/* wide: the UTF-16LE bytes, NULs inside */
	build(RULE("Wide", "    F|wide: 'ab'\n") "---\n" RULE(
		"Be", "    F|utf16be: 'ab'\n"));
	assert_string_equal(m1n("a\0b\0", 4), "Wide");
	assert_string_equal(m1n("A\0B\0", 4), "Wide");
	assert_string_equal(m1n("a\0b\0c", 5), "");
	assert_string_equal(m1n("a\0b", 3), "");
	assert_string_equal(m1n("\0a\0b", 4), "Be");
	assert_string_equal(m1n("\0a\0b\0", 5), "");
}

static void test_anchored(void **state)
{
	(void)state;
	build(RULE("Ends", "    F|endswith: '.exe'\n") "---\n" RULE(
		"Starts",
		"    F|startswith: 'cmd'\n") "---\n" RULE("Twice",
							  "    F|endswith: "
							  "'ab'\n") "---"
								    "\n" RULE(
									    "St"
									    "ar"
									    "ts"
									    "Ca"
									    "se"
									    "d",
									    "  "
									    "  "
									    "F|"
									    "st"
									    "ar"
									    "ts"
									    "wi"
									    "th"
									    "|c"
									    "as"
									    "ed"
									    ": "
									    "'Q"
									    "'"
									    "\n"));
	/* exactly the literal */
	assert_string_equal(m1(".exe"), "Ends");
	assert_string_equal(m1("cmd"), "Starts");
	assert_string_equal(m1("x.EXE"), "Ends");
	assert_string_equal(m1("CMD.EXE"), "Ends,Starts");
	assert_string_equal(m1(".ex"), "");
	assert_string_equal(m1("exe"), "");
	assert_string_equal(m1("cm"), "");
	/* the literal plus one byte, on the anchored side */
	assert_string_equal(m1(".exex"), "");
	assert_string_equal(m1("xcmd"), "");
	assert_string_equal(m1("a.exe.txt"), "");
	/* an occurrence away from the anchor and one at it */
	assert_string_equal(m1("abab"), "Twice");
	assert_string_equal(m1("abxab"), "Twice");
	assert_string_equal(m1("abx"), "");
	assert_string_equal(m1("Qx"), "StartsCased");
	assert_string_equal(m1("qx"), "");
}

static void test_windash_literals(void **state)
{
	(void)state;
	build(RULE("Enc", "    F|windash|contains: ' -enc '\n") "---\n" RULE(
		"EndX",
		"    F|windash|endswith: ' -x'\n") "---\n" RULE("EqY",
								"    "
								"F|windash: "
								"'-y'\n"));
	assert_string_equal(m1("powershell -enc abc"), "Enc");
	assert_string_equal(m1("powershell /ENC abc"), "Enc");
	assert_string_equal(m1("powershell \xe2\x80\x93"
			       "enc abc"),
			    "Enc");
	assert_string_equal(m1("powershell \xe2\x80\x95"
			       "enc abc"),
			    "Enc");
	assert_string_equal(m1("powershell +enc abc"), "");
	assert_string_equal(m1("a /x"), "EndX");
	assert_string_equal(m1("a \xe2\x80\x94x"), "EndX");
	assert_string_equal(m1("a /x "), "");
	assert_string_equal(m1("/y"), "EqY");
	assert_string_equal(m1("\xe2\x80\x93y"), "EqY");
	assert_string_equal(m1("/yy"), "");
}

static void test_long_equality(void **state)
{
	char val[400], rule[1024], v2[402];

	(void)state;
	/* longer than the equality table takes: an anchored literal */
	for (size_t i = 0; i < 300; i++)
		val[i] = (char)('a' + i % 26);
	val[300] = '\0';
	snprintf(rule, sizeof(rule), RULE("Long", "    F: '%s'\n"), val);
	build(rule);
	assert_string_equal(m1(val), "Long");
	snprintf(v2, sizeof(v2), "%sa", val);
	assert_string_equal(m1(v2), "");
	snprintf(v2, sizeof(v2), "a%s", val);
	assert_string_equal(m1(v2), "");
	val[0] = 'A';
	assert_string_equal(m1(val), "Long");
}

/* Keywords of rules with a logsource only on their events; those of
 * rules running everywhere on every event. */
static void test_keyword_split(void **state)
{
	(void)state;
	build("title: KwLinux\nlogsource: {product: linux}\n"
	      "detection:\n  kw: ['evilword']\n  condition: kw\n"
	      "---\n"
	      "title: KwProc\n"
	      "logsource: {product: windows, category: process_creation}\n"
	      "detection:\n  kw: ['mimikatz', 'x*y*z']\n  condition: kw\n");
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "CommandLine", "run MIMIKATZ now", -1, NULL),
			    "KwProc");
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "CommandLine", "a x1y2z", -1, NULL),
			    "KwProc");
	assert_string_equal(matchv("EventID", "3", -1, "Channel", SYSMON, -1,
				   "CommandLine", "run mimikatz now", -1, NULL),
			    "");
	assert_string_equal(matchv("EventID", "3", -1, "Channel", SYSMON, -1,
				   "Other", "an evilword", -1, NULL),
			    "KwLinux");
	assert_string_equal(matchv("EventID", "1", -1, "Channel", SYSMON, -1,
				   "X", "evilword mimikatz", -1, NULL),
			    "KwLinux,KwProc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_equality, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equality_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_anchored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windash_literals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_equality, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keyword_split, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
