/* The rule set as a whole: logsource gating with the built-in map (and its
 * field renames), rejected rules with their reasons while the set stays
 * usable, several rules sharing fields, filters, correlation rules kept
 * but silent, alert fields and the callback contract. */
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

#define SYSMON "Microsoft-Windows-Sysmon/Operational"

struct fx {
	struct ky_ruleset *rs;
	struct ky_match_scratch *s;
	struct ky_arena *arena;
	struct ky_event ev;
};

static struct fx F;

/* What the callback saw. */
struct seen {
	int n;
	char titles[8][64];
	char fields[8][256];
	int stop_after;
};

static int on_alert(void *ud, const struct ky_alert *a)
{
	struct seen *s = ud;

	if (s->n < 8) {
		size_t o = 0;

		snprintf(s->titles[s->n], sizeof(s->titles[0]), "%s",
			 a->rule->title);
		s->fields[s->n][0] = '\0';
		for (size_t i = 0; i < a->nfields && o < 200; i++)
			o += (size_t)snprintf(
				s->fields[s->n] + o, sizeof(s->fields[0]) - o,
				"%.*s=%.*s;", (int)a->fields[i].field_len,
				a->fields[i].field, (int)a->fields[i].value_len,
				a->fields[i].value);
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? 42 : 0;
}

/* Adds every rule of the YAML text; returns how many were rejected and
 * leaves the last error in *err. */
static int add_yaml(const char *text, struct ky_err *err)
{
	struct ky_sigma_rule **rules = NULL;
	size_t n = 0;
	int bad = 0;

	if (ky_sigma_load_mem("rules.yml", text, strlen(text), &rules, &n,
			      err) != 0) {
		fprintf(stderr, "load: %s\n", err->msg);
		fail();
	}
	for (size_t i = 0; i < n; i++) {
		struct ky_err e = {0};

		if (ky_ruleset_add(F.rs, rules[i], &e) != 0) {
			bad++;
			*err = e;
		}
	}
	free(rules);
	return bad;
}

static void start(void)
{
	struct ky_err err = {0};

	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	F.s = NULL;
	assert_int_equal(ky_ruleset_new(&F.rs, NULL, &err), 0);
}

static void finish(void)
{
	struct ky_err err = {0};

	assert_int_equal(ky_ruleset_finalize(F.rs, &err), 0);
	assert_int_equal(ky_match_scratch_new(F.rs, &F.s), 0);
}

static int match(struct seen *seen, const char *name, ...)
{
	va_list ap;

	ky_event_reset(&F.ev);
	va_start(ap, name);
	for (const char *k = name; k != NULL; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);

		assert_int_equal(
			ky_event_add_str(&F.ev, k, strlen(k), v, strlen(v)), 0);
	}
	va_end(ap);
	if (seen != NULL)
		memset(seen, 0, sizeof(*seen) - sizeof(int));
	return ky_ruleset_match(F.rs, F.s, &F.ev, seen ? on_alert : NULL, seen);
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.arena = ky_arena_new(4096, 0);
	assert_non_null(F.arena);
	assert_int_equal(ky_event_init(&F.ev, F.arena, 256), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	ky_event_free(&F.ev);
	ky_arena_free(F.arena);
	return 0;
}

static const char proc_rule[] =
	"title: cmd started\n"
	"id: 6f3e2987-db24-4c78-a860-b4f4095a7095\n"
	"name: cmd_started\n"
	"logsource:\n  product: windows\n  category: process_creation\n"
	"detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n"
	"  condition: sel\n";

static void test_logsource_gating(void **state)
{
	struct seen seen = {0};
	struct ky_err err = {0};

	(void)state;
	start();
	assert_int_equal(add_yaml(proc_rule, &err), 0);
	finish();
	assert_int_equal(match(&seen, "Channel", SYSMON, "EventID", "1",
			       "Image", "C:\\Windows\\cmd.exe", NULL),
			 1);
	assert_string_equal(seen.titles[0], "cmd started");
	assert_string_equal(seen.fields[0], "Image=C:\\Windows\\cmd.exe;");
	/* a network connection event with the same field does not fire */
	assert_int_equal(match(NULL, "Channel", SYSMON, "EventID", "3", "Image",
			       "C:\\Windows\\cmd.exe", NULL),
			 0);
	/* Security 4688 names the field NewProcessName */
	assert_int_equal(match(&seen, "Channel", "Security", "EventID", "4688",
			       "NewProcessName", "C:\\Windows\\cmd.exe", NULL),
			 1);
	assert_string_equal(seen.fields[0],
			    "NewProcessName=C:\\Windows\\cmd.exe;");
	assert_int_equal(match(NULL, "Channel", "Security", "EventID", "4689",
			       "NewProcessName", "C:\\Windows\\cmd.exe", NULL),
			 0);
	/* no channel at all: not a Windows process creation */
	assert_int_equal(match(NULL, "Image", "C:\\Windows\\cmd.exe", "EventID",
			       "1", NULL),
			 0);
}

static void test_unsupported_reasons(void **state)
{
	struct ky_err err = {0};
	static const struct {
		const char *det, *reason;
	} cases[] = {
		{"  s:\n    F|re: '(?<!a'\n  condition: s",
		 "regex rejected by Vectorscan"},
		{"  s:\n    F|cidr: '10.0.0.0/33'\n  condition: s",
		 "bad CIDR range"},
		{"  s:\n    F|expand: '%nope%'\n  condition: s",
		 "unresolved placeholder %nope%"},
		{"  s:\n    F: x\n  condition: s and t", "rules.yml:"},
		{"  s:\n    F|gt: abc\n  condition: s", "needs a number"},
		{"  s:\n    F|base64offset|contains: 'a*b'\n  condition: s",
		 "wildcard"},
	};
	char text[1024];
	struct seen seen = {0};

	(void)state;
	start();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "title: bad %zu\nlogsource:\n  definition: every "
			 "event\n"
			 "detection:\n%s\n",
			 i, cases[i].det);
		memset(&err, 0, sizeof(err));
		assert_int_equal(add_yaml(text, &err), 1);
		assert_int_equal(err.status, KY_E_UNSUPPORTED);
		if (strstr(err.msg, cases[i].reason) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 cases[i].reason);
		assert_non_null(strstr(err.msg, "rules.yml:"));
	}
	/* the set is still usable and holds only the good rule */
	assert_int_equal(
		add_yaml("title: good\nlogsource:\n  definition: every event\n"
			 "detection:\n  s:\n    F: ok\n"
			 "  condition: s\n",
			 &err),
		0);
	finish();
	assert_int_equal(ky_ruleset_count(F.rs), 1);
	assert_int_equal(match(&seen, "F", "ok", NULL), 1);
	assert_string_equal(seen.titles[0], "good");
	assert_int_equal(match(&seen, "F", "x", NULL), 0);
}

static void test_shared_fields(void **state)
{
	struct seen seen = {0};
	struct ky_err err = {0};

	(void)state;
	start();
	assert_int_equal(
		add_yaml("title: r1\nlogsource:\n  definition: every event\n"
			 "detection:\n  s:\n    CommandLine|contains: whoami\n"
			 "  condition: s\n"
			 "---\n"
			 "title: r2\nlogsource:\n  definition: every event\n"
			 "detection:\n  s:\n    CommandLine|contains: net\n"
			 "    User: bob\n  condition: s\n"
			 "---\n"
			 "title: r3\nlogsource:\n  definition: every event\n"
			 "detection:\n  s:\n    CommandLine|contains: whoami\n"
			 "  f:\n    User: bob\n  condition: s and not f\n",
			 &err),
		0);
	finish();
	assert_int_equal(ky_ruleset_count(F.rs), 3);
	assert_int_equal(match(&seen, "CommandLine", "whoami /all", "User",
			       "alice", NULL),
			 2);
	assert_string_equal(seen.titles[0], "r1");
	assert_string_equal(seen.titles[1], "r3");
	assert_int_equal(
		match(&seen, "CommandLine", "net whoami", "User", "bob", NULL),
		2);
	assert_string_equal(seen.titles[0], "r1");
	assert_string_equal(seen.titles[1], "r2");
	assert_string_equal(seen.fields[1], "CommandLine=net whoami;User=bob;");
	/* the callback can stop the walk */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 1;
	ky_event_reset(&F.ev);
	assert_int_equal(
		ky_event_add_str(&F.ev, "CommandLine", 11, "net whoami", 10),
		0);
	assert_int_equal(ky_ruleset_match(F.rs, F.s, &F.ev, on_alert, &seen),
			 42);
	assert_int_equal(seen.n, 1);
	/* many events through one scratch: bits never leak between them */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(match(NULL, "CommandLine", "whoami", NULL), 2);
		assert_int_equal(match(NULL, "CommandLine", "who", NULL), 0);
	}
}

static void test_filters(void **state)
{
	struct seen seen = {0};
	struct ky_err err = {0};

	(void)state;
	start();
	/* the filter comes first: references resolve at finalize */
	assert_int_equal(
		add_yaml("title: admin filter\n"
			 "logsource:\n  product: windows\n"
			 "  category: process_creation\n"
			 "filter:\n  rules:\n"
			 "    - 6f3e2987-db24-4c78-a860-b4f4095a7095\n"
			 "  selection:\n    User|startswith: 'adm_'\n"
			 "  condition: selection\n"
			 "---\n"
			 "title: name filter\n"
			 "logsource:\n  product: windows\n"
			 "filter:\n  rules:\n    - cmd_started\n"
			 "  selection:\n    CommandLine: 'cmd /c ver'\n"
			 "  condition: selection\n",
			 &err),
		0);
	assert_int_equal(add_yaml(proc_rule, &err), 0);
	finish();
	assert_int_equal(ky_ruleset_count(F.rs), 3);
	assert_int_equal(match(&seen, "Channel", SYSMON, "EventID", "1",
			       "Image", "C:\\Windows\\cmd.exe", "User", "bob",
			       NULL),
			 1);
	assert_string_equal(seen.titles[0], "cmd started");
	assert_int_equal(match(&seen, "Channel", SYSMON, "EventID", "1",
			       "Image", "C:\\Windows\\cmd.exe", "User",
			       "ADM_bob", NULL),
			 0);
	assert_int_equal(match(&seen, "Channel", SYSMON, "EventID", "1",
			       "Image", "C:\\Windows\\cmd.exe", "User", "bob",
			       "CommandLine", "cmd /c ver", NULL),
			 0);
	/* filters never alert on their own */
	assert_int_equal(match(&seen, "Channel", SYSMON, "EventID", "1", "User",
			       "adm_x", NULL),
			 0);
}

/* A category or service no map entry covers runs on no event: keyword
 * rules of other products must not fire on unrelated events.  A rule with
 * no logsource constraint still runs everywhere. */
static void test_unmapped_logsource(void **state)
{
	struct seen seen = {0};
	struct ky_err err = {0};

	(void)state;
	start();
	assert_int_equal(add_yaml("title: cisco keywords\n"
				  "logsource:\n  product: cisco\n"
				  "  service: aaa\n"
				  "detection:\n  keywords:\n    - 'admin'\n"
				  "  condition: keywords\n",
				  &err),
			 0);
	assert_int_equal(add_yaml("title: anywhere\n"
				  "logsource:\n  definition: every event\n"
				  "detection:\n  keywords:\n    - 'admin'\n"
				  "  condition: keywords\n",
				  &err),
			 0);
	finish();
	assert_int_equal(ky_ruleset_count(F.rs), 2);
	assert_int_equal(ky_ruleset_unmapped(F.rs), 1);
	assert_int_equal(match(&seen, "Channel", SYSMON, "EventID", "1", "User",
			       "admin", NULL),
			 1);
	assert_string_equal(seen.titles[0], "anywhere");
}

static void test_correlation_kept(void **state)
{
	struct ky_err err = {0};

	(void)state;
	start();
	assert_int_equal(add_yaml("title: base\nname: base\n"
				  "logsource:\n  definition: every event\n"
				  "detection:\n  s:\n    F: a\n"
				  "  condition: s\n"
				  "---\n"
				  "title: many\n"
				  "correlation:\n  type: event_count\n"
				  "  rules:\n    - base\n"
				  "  group-by:\n    - User\n"
				  "  timespan: 5m\n"
				  "  condition:\n    gte: 2\n",
				  &err),
			 0);
	finish();
	assert_int_equal(ky_ruleset_count(F.rs), 2);
	assert_int_equal(ky_ruleset_rule(F.rs, 1)->kind, KY_SIGMA_CORRELATION);
	assert_null(ky_ruleset_rule(F.rs, 2));
	assert_int_equal(match(NULL, "F", "a", "User", "u", NULL), 1);
	assert_int_equal(match(NULL, "F", "a", "User", "u", NULL), 1);
}

static void test_lifecycle(void **state)
{
	struct ky_match_scratch *s = NULL;
	struct ky_err err = {0};

	(void)state;
	start();
	/* no scratch before finalize; no adds after */
	assert_int_not_equal(ky_match_scratch_new(F.rs, &s), 0);
	assert_null(s);
	finish();
	assert_int_equal(add_yaml(proc_rule, &err), 1);
	/* an empty set matches nothing */
	assert_int_equal(match(NULL, "F", "x", NULL), 0);
	ky_ruleset_free(NULL);
	ky_match_scratch_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logsource_gating),
		cmocka_unit_test(test_unsupported_reasons),
		cmocka_unit_test(test_shared_fields),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_unmapped_logsource),
		cmocka_unit_test(test_correlation_kept),
		cmocka_unit_test(test_lifecycle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
