/* The fixture of the matcher tests (test_match_index.c,
 * test_match_lit.c, test_match_lazy.c): a rule set built from YAML, one
 * scratch, one event, and the titles of the alerts an event raises. */
#ifndef KY_TEST_MATCH_FIXTURE_H
#define KY_TEST_MATCH_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

/* Titles of the alerts of one event, joined by ','. */
struct seen {
	int n;
	char titles[512];
};

static inline int on_alert(void *ud, const struct ky_alert *a)
{
	struct seen *s = ud;
	size_t o = strlen(s->titles);

	snprintf(s->titles + o, sizeof(s->titles) - o, "%s%s", o ? "," : "",
		 a->rule->title);
	s->n++;
	return 0;
}

static inline void add_yaml(struct ky_ruleset *rs, const char *text)
{
	struct ky_sigma_rule **rules = NULL;
	struct ky_err err = {0};
	size_t n = 0;

	if (ky_sigma_load_mem("rules.yml", text, strlen(text), &rules, &n,
			      &err) != 0)
		fail_msg("load: %s", err.msg);
	for (size_t i = 0; i < n; i++)
		if (ky_ruleset_add(rs, rules[i], &err) != 0)
			fail_msg("add: %s", err.msg);
	free(rules);
}

static inline void build(const char *yaml)
{
	struct ky_err err = {0};

	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	assert_int_equal(ky_ruleset_new(&F.rs, NULL, &err), 0);
	add_yaml(F.rs, yaml);
	assert_int_equal(ky_ruleset_finalize(F.rs, &err), 0);
	assert_int_equal(ky_match_scratch_new(F.rs, &F.s), 0);
}

static inline int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.arena = ky_arena_new(4096, 0);
	assert_non_null(F.arena);
	assert_int_equal(ky_event_init(&F.ev, F.arena, 256), 0);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	ky_event_free(&F.ev);
	ky_arena_free(F.arena);
	memset(&F, 0, sizeof(F));
	return 0;
}

/* The alerts' titles for an event of fields (name, value, length)
 * ended by a NULL name; length -1: strlen.  "" for none. */
static inline const char *matchv(const char *name, ...)
{
	static struct seen seen;
	va_list ap;
	int r;

	ky_event_reset(&F.ev);
	va_start(ap, name);
	for (const char *k = name; k != NULL; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		int len = va_arg(ap, int);

		if (strcmp(k, "EventID") == 0)
			assert_int_equal(ky_event_add_int(&F.ev, k, strlen(k),
							  strtoll(v, NULL, 10)),
					 0);
		else
			assert_int_equal(
				ky_event_add_str(&F.ev, k, strlen(k), v,
						 len < 0 ? strlen(v)
							 : (size_t)len),
				0);
	}
	va_end(ap);
	memset(&seen, 0, sizeof(seen));
	r = ky_ruleset_match(F.rs, F.s, &F.ev, on_alert, &seen);
	assert_int_equal(r, seen.n);
	return seen.titles;
}

#endif
