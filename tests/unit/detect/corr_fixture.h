/* The fixture of the correlation tests (test_correlate.c,
 * test_correlate_state.c): rules built from YAML, events fed through the
 * matcher into the engine, and what fired recorded. */
#ifndef KY_TEST_CORR_FIXTURE_H
#define KY_TEST_CORR_FIXTURE_H

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/time.h"
#include "detect/correlate.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/event.h"

/* 2024-05-01T12:00:00Z */
#define T0 (1714564800LL * KY_NS_PER_SEC)
#define S(x) (T0 + (int64_t)(x)*KY_NS_PER_SEC)
#define MAXFIRED 4096

struct fired {
	char title[64];
	char group[160];
	double value;
	uint64_t nevents;
	int64_t first, last;
	bool has_ev;
};

struct fx {
	struct ky_ruleset *rs;
	struct ky_match_scratch *s;
	struct ky_corr *c;
	struct ky_arena *arena;
	struct ky_event ev;
	struct fired fired[MAXFIRED];
	int nfired;
	char reports[8][512];
	int nreports;
	int ndet; /* detection alerts not suppressed */
	size_t nactive;
	char *json; /* JSON of the last correlation alert */
	struct ky_corr_stats st;
};

static struct fx F;

static inline int on_corr(void *ud, const struct ky_corr_alert *a)
{
	struct fired *f;
	struct ky_buf b;
	size_t o = 0;

	(void)ud;
	assert_true(F.nfired < MAXFIRED);
	f = &F.fired[F.nfired++];
	memset(f, 0, sizeof(*f));
	snprintf(f->title, sizeof(f->title), "%s", a->rule->title);
	for (size_t i = 0; i < a->ngroup && o < 120; i++)
		o += (size_t)snprintf(f->group + o, sizeof(f->group) - o,
				      "%s=%s;", a->group_fields[i],
				      a->group_values[i] ? a->group_values[i]
							 : "<null>");
	f->value = a->value;
	f->nevents = a->nevents;
	f->first = a->first_ns;
	f->last = a->last_ns;
	f->has_ev = a->ev != NULL;
	ky_buf_init(&b, 0);
	assert_int_equal(ky_corr_alert_to_json(a, &b), 0);
	free(F.json);
	F.json = ky_buf_steal(&b, NULL);
	return 0;
}

static inline void on_report(void *ud, const char *msg)
{
	(void)ud;
	if (F.nreports < 8)
		snprintf(F.reports[F.nreports], sizeof(F.reports[0]), "%s",
			 msg);
	F.nreports++;
}

static inline int on_det(void *ud, const struct ky_alert *a)
{
	int r;

	(void)ud;
	if (!ky_corr_suppresses(F.c, a->rule))
		F.ndet++;
	r = ky_corr_feed(F.c, a, on_corr, NULL);
	assert_true(r >= 0);
	return 0;
}

static inline void drop(void)
{
	ky_corr_free(F.c);
	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	F.c = NULL;
	F.s = NULL;
	F.rs = NULL;
}

/* A fresh rule set and engine from YAML; every rule must load. */
static inline void build(const char *yaml, const struct ky_corr_opts *o)
{
	struct ky_sigma_rule **rules = NULL;
	struct ky_err err = {0};
	size_t n = 0;

	drop();
	assert_int_equal(ky_ruleset_new(&F.rs, NULL, &err), 0);
	if (ky_sigma_load_mem("rules.yml", yaml, strlen(yaml), &rules, &n,
			      &err) != 0)
		fail_msg("load: %s", err.msg);
	for (size_t i = 0; i < n; i++)
		if (ky_ruleset_add(F.rs, rules[i], &err) != 0)
			fail_msg("add: %s", err.msg);
	free(rules);
	assert_int_equal(ky_ruleset_finalize(F.rs, &err), 0);
	assert_int_equal(ky_match_scratch_new(F.rs, &F.s), 0);
	F.nfired = F.nreports = F.ndet = 0;
	assert_int_equal(
		ky_corr_new(&F.c, F.rs, o, on_report, NULL, &F.nactive, &err),
		0);
}

/* One event at time t with string fields (name, value, ..., NULL). */
static inline int event(int64_t t, ...)
{
	va_list ap;
	int r;

	ky_event_reset(&F.ev);
	va_start(ap, t);
	for (const char *k = va_arg(ap, const char *); k != NULL;
	     k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);

		assert_int_equal(ky_event_add_copy(&F.ev, k, v, strlen(v)), 0);
	}
	va_end(ap);
	F.ev.time_ns = t;
	F.ev.recv_ns = t + KY_NS_PER_SEC;
	F.ev.raw = "{\"raw\":1}";
	F.ev.raw_len = 9;
	r = ky_ruleset_match(F.rs, F.s, &F.ev, on_det, NULL);
	assert_true(r >= 0);
	return r;
}

static inline int flush(int64_t t)
{
	int r = ky_corr_flush(F.c, t, on_corr, NULL);

	assert_true(r >= 0);
	return r;
}

/* One member of the engine's stats now. */
#define ST(m) (ky_corr_stats(F.c, &F.st), F.st.m)

#define DET(name, field, value)                                                \
	"title: " name "\nname: " name "\nlogsource:\n  product: test\n"       \
	"detection:\n  sel:\n    " field ": " value "\n  condition: sel\n"

/* A correlation document (flow-style lists, condition as a flow map),
 * NCORR with a name. */
#define CBODY(type, rules, group, span, cond)                                  \
	"\ncorrelation:\n  type: " type "\n  rules: " rules                    \
	"\n  group-by: " group "\n  timespan: " span "\n  condition: " cond    \
	"\n"
#define CORR(title, ...) "---\ntitle: " title CBODY(__VA_ARGS__)
#define NCORR(name, ...) "---\ntitle: " name "\nname: " name CBODY(__VA_ARGS__)
#define FAILED DET("failed", "action", "fail")

static const char failed_yaml[] = FAILED CORR(
	"Brute force", "event_count", "[failed]", "[src]", "60s",
	"{gte: 5}") "id: 0e95725d-7320-415d-80f7-004da920fc11\n"
		    "level: high\nauthor: Test Author\ntags: [attack.t1110]\n";

static const char bytes_yaml[] = DET("xfer", "action", "send")
	CORR("Sum", "value_sum", "[xfer]", "[host]", "1m",
	     "{field: bytes, gte: 1000}")
		CORR("Avg", "value_avg", "[xfer]", "[host]", "1m",
		     "{field: bytes, gt: 500}")
			CORR("P50", "value_percentile", "[xfer]", "[host]",
			     "1m", "{field: bytes, percentile: 50, gte: 300}");

static const char lt_yaml[] = DET("login", "action", "login")
	CORR("Quiet", "event_count", "[login]", "[src]", "60s", "{lt: 3}");

struct stream {
	int64_t t[600];
	char src[600][8];
	int n;
};

static inline void make_stream(struct stream *s)
{
	uint32_t x = 12345;
	int64_t t = S(0);

	s->n = 600;
	for (int i = 0; i < s->n; i++) {
		x = x * 1103515245u + 12345u;
		t += (int64_t)((x >> 16) % 4) * KY_NS_PER_SEC;
		s->t[i] = t;
		snprintf(s->src[i], sizeof(s->src[i]), "s%u", (x >> 8) % 6);
	}
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The firings as sorted lines (order across groups may differ). */
static inline char **firings(void)
{
	char **v = calloc((size_t)F.nfired + 1, sizeof(*v));

	assert_non_null(v);
	for (int i = 0; i < F.nfired; i++) {
		v[i] = malloc(256);
		snprintf(v[i], 256, "%s|%s|%g|%llu|%lld|%lld", F.fired[i].title,
			 F.fired[i].group, F.fired[i].value,
			 (unsigned long long)F.fired[i].nevents,
			 (long long)F.fired[i].first,
			 (long long)F.fired[i].last);
	}
	qsort(v, (size_t)F.nfired, sizeof(*v), cmp_str);
	return v;
}

static inline void free_firings(char **v)
{
	for (int i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* "Three" has an upper bound too, so it is not eager: decided in time
 * order at the frontier, where arrival order cannot change the result */
static const char stream_yaml[] = FAILED CORR("Three", "event_count",
					      "[failed]", "[src]", "10s",
					      "{gte: 3, lte: 1000}")
	CORR("Few", "event_count", "[failed]", "[src]", "10s", "{lt: 2}");

static inline void run_stream(const struct stream *s, const int *order)
{
	for (int i = 0; i < s->n; i++) {
		int k = order ? order[i] : i;

		event(s->t[k], "action", "fail", "src", s->src[k], NULL);
	}
	flush(INT64_MAX);
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
	drop();
	free(F.json);
	ky_event_free(&F.ev);
	ky_arena_free(F.arena);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
