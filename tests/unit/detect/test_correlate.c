/* Sigma correlation engine: every correlation type, group-by and aliases,
 * window edges on event time, out-of-order and late events, the caps and
 * their eviction counts, chaining, rejected correlations, generate,
 * conditions decided at window close, save and restore (and hostile
 * blobs), the alert JSON, and feeding from several threads. */
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

static int on_corr(void *ud, const struct ky_corr_alert *a)
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

static void on_report(void *ud, const char *msg)
{
	(void)ud;
	if (F.nreports < 8)
		snprintf(F.reports[F.nreports], sizeof(F.reports[0]), "%s",
			 msg);
	F.nreports++;
}

static int on_det(void *ud, const struct ky_alert *a)
{
	int r;

	(void)ud;
	if (!ky_corr_suppresses(F.c, a->rule))
		F.ndet++;
	r = ky_corr_feed(F.c, a, on_corr, NULL);
	assert_true(r >= 0);
	return 0;
}

static void drop(void)
{
	ky_corr_free(F.c);
	ky_match_scratch_free(F.s);
	ky_ruleset_free(F.rs);
	F.c = NULL;
	F.s = NULL;
	F.rs = NULL;
}

/* A fresh rule set and engine from YAML; every rule must load. */
static void build(const char *yaml, const struct ky_corr_opts *o)
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
static int event(int64_t t, ...)
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

static int flush(int64_t t)
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

static void test_event_count(void **state)
{
	(void)state;
	build(failed_yaml, NULL);
	assert_int_equal(F.nactive, 1);
	for (int i = 0; i < 10; i++)
		event(S(i), "action", "fail", "src", "10.0.0.1", NULL);
	for (int i = 0; i < 4; i++)
		event(S(20 + i), "action", "fail", "src", "10.0.0.2", NULL);
	event(S(31), "action", "ok", "src", "10.0.0.2", NULL);
	/* fire once, reset: 10 failures at a threshold of 5 fire twice */
	assert_int_equal(F.nfired, 2);
	assert_string_equal(F.fired[0].title, "Brute force");
	assert_string_equal(F.fired[0].group, "src=10.0.0.1;");
	assert_true(F.fired[0].value == 5);
	assert_int_equal(F.fired[0].nevents, 5);
	assert_true(F.fired[0].first == S(0) && F.fired[0].last == S(4));
	assert_true(F.fired[0].has_ev);
	assert_true(F.fired[1].first == S(5) && F.fired[1].last == S(9));
	assert_int_equal(ST(fired), 2);
	/* a, emptied by its resets, is kept until its last alert expires */
	assert_int_equal(ST(groups), 2);
	flush(S(9 + 60) + 1);
	assert_int_equal(ST(groups), 1);
	flush(INT64_MAX);
	assert_int_equal(ST(groups), 0);
	assert_int_equal(F.nfired, 2);
	/* the detection only feeds the correlation (generate: false) */
	assert_int_equal(F.ndet, 0);
	/* last - first <= timespan: exactly at the timespan is inside, one
	 * nanosecond more is not. */
	build(FAILED CORR("Two", "event_count", "[failed]", "[src]", "60s",
			  "{gte: 2}"),
	      NULL);
	event(S(0), "action", "fail", "src", "a", NULL);
	event(S(0) + 1, "action", "fail", "src", "b", NULL);
	event(S(60), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 1);
	event(S(60) + 2, "action", "fail", "src", "b", NULL);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].group, "src=a;");
	assert_true(F.fired[0].last - F.fired[0].first == 60 * KY_NS_PER_SEC);
}

static void test_value_count(void **state)
{
	(void)state;
	build(FAILED CORR("Spray", "value_count", "[failed]", "[src]", "5m",
			  "{field: user, gte: 3}"),
	      NULL);
	event(S(0), "action", "fail", "src", "a", "user", "alice", NULL);
	event(S(1), "action", "fail", "src", "a", "user", "alice", NULL);
	event(S(2), "action", "fail", "src", "a", "user", "bob", NULL);
	event(S(3), "action", "fail", "src", "a", NULL); /* no user */
	event(S(4), "action", "fail", "src", "b", "user", "carol", NULL);
	assert_int_equal(F.nfired, 0);
	event(S(5), "action", "fail", "src", "a", "user", "carol", NULL);
	assert_int_equal(F.nfired, 1);
	assert_true(F.fired[0].value == 3);
	assert_int_equal(F.fired[0].nevents, 5);
	assert_string_equal(F.fired[0].group, "src=a;");
}

#define ABC                                                                    \
	DET("cmd_a", "cmd", "whoami")                                          \
	"---\n" DET("cmd_b", "cmd", "ipconfig") "---\n" DET("cmd_c", "cmd",    \
							    "netstat")

static void test_temporal(void **state)
{
	(void)state;
	build(ABC CORR("Recon", "temporal", "[cmd_a, cmd_b, cmd_c]", "[host]",
		       "5m", "{gte: 3}"),
	      NULL);
	event(S(0), "cmd", "netstat", "host", "h1", NULL);
	event(S(1), "cmd", "whoami", "host", "h1", NULL);
	event(S(2), "cmd", "whoami", "host", "h2", NULL);
	event(S(3), "cmd", "ipconfig", "host", "h2", NULL);
	assert_int_equal(F.nfired, 0);
	event(S(4), "cmd", "ipconfig", "host", "h1", NULL);
	assert_int_equal(F.nfired, 1);
	assert_true(F.fired[0].value == 3);
	assert_string_equal(F.fired[0].group, "host=h1;");
	/* h3: a at 0, b at 400 s, c at 401 s: never three within 5 min
	 * until a comes again */
	event(S(10), "cmd", "whoami", "host", "h3", NULL);
	event(S(410), "cmd", "ipconfig", "host", "h3", NULL);
	event(S(411), "cmd", "netstat", "host", "h3", NULL);
	assert_int_equal(F.nfired, 1);
	event(S(412), "cmd", "whoami", "host", "h3", NULL);
	assert_int_equal(F.nfired, 2);
	assert_true(F.fired[1].first == S(410));
	/* ordered: a then b */
	build(ABC CORR("Ordered", "temporal_ordered", "[cmd_a, cmd_b]",
		       "[host]", "5m", "{gte: 2}"),
	      NULL);
	event(S(0), "cmd", "ipconfig", "host", "h1", NULL);
	event(S(1), "cmd", "whoami", "host", "h1", NULL);
	assert_int_equal(F.nfired, 0); /* b then a: wrong order */
	event(S(2), "cmd", "ipconfig", "host", "h1", NULL);
	assert_int_equal(F.nfired, 1);
	assert_true(F.fired[0].value == 2);
	assert_true(F.fired[0].first == S(0) && F.fired[0].last == S(2));
}

static const char bytes_yaml[] = DET("xfer", "action", "send")
	CORR("Sum", "value_sum", "[xfer]", "[host]", "1m",
	     "{field: bytes, gte: 1000}")
		CORR("Avg", "value_avg", "[xfer]", "[host]", "1m",
		     "{field: bytes, gt: 500}")
			CORR("P50", "value_percentile", "[xfer]", "[host]",
			     "1m", "{field: bytes, percentile: 50, gte: 300}");

static void test_value_sum_avg_percentile(void **state)
{
	(void)state;
	build(bytes_yaml, NULL);
	assert_int_equal(F.nactive, 3);
	event(S(0), "action", "send", "host", "s", "bytes", "300", NULL);
	event(S(1), "action", "send", "host", "s", "bytes", "x", NULL);
	assert_int_equal(F.nfired, 1); /* P50 of [300] is 300 */
	assert_string_equal(F.fired[0].title, "P50");
	assert_true(F.fired[0].value == 300);
	event(S(2), "action", "send", "host", "s", "bytes", "100", NULL);
	event(S(3), "action", "send", "host", "s", "bytes", "200", NULL);
	/* avg 200, sum 600, p50 of [100, 200] is 100 */
	assert_int_equal(F.nfired, 1);
	event(S(4), "action", "send", "host", "s", "bytes", "500", NULL);
	/* sum 1100 over the whole window (sum keeps the 300: it never
	 * fired); p50 of [100, 200, 500] by nearest rank is 200 */
	assert_int_equal(F.nfired, 2);
	assert_string_equal(F.fired[1].title, "Sum");
	assert_true(F.fired[1].value == 1100);
	event(S(5), "action", "send", "host", "s", "bytes", "2500.5", NULL);
	/* sum restarted after firing: 2500.5; avg of [300, 100, 200, 500,
	 * 2500.5] = 720.1; p50 of [100, 200, 500, 2500.5] is 200 */
	assert_int_equal(F.nfired, 4);
	assert_string_equal(F.fired[2].title, "Sum");
	assert_true(F.fired[2].value == 2500.5);
	assert_string_equal(F.fired[3].title, "Avg");
	assert_true(fabs(F.fired[3].value - 720.1) < 1e-9);
	event(S(6), "action", "send", "host", "s", "bytes", "1000", NULL);
	/* p50 of [100, 200, 500, 1000, 2500.5]: rank ceil(2.5) = 3 */
	assert_int_equal(F.nfired, 7);
	assert_string_equal(F.fired[6].title, "P50");
	assert_true(F.fired[6].value == 500);
	assert_int_equal(F.fired[6].nevents, 6);
}

/* Group-by: a missing field is a group of its own (null), not the empty
 * string; an alias reads a different field for each rule. */
static void test_group_by(void **state)
{
	(void)state;
	build(FAILED CORR("Two", "event_count", "[failed]", "[src, user]",
			  "60s", "{gte: 2}"),
	      NULL);
	event(S(0), "action", "fail", "user", "u", NULL);
	event(S(1), "action", "fail", "src", "", "user", "u", NULL);
	assert_int_equal(F.nfired, 0);
	event(S(2), "action", "fail", "user", "u", NULL);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].group, "src=<null>;user=u;");
	assert_int_equal(ST(groups), 2);
	assert_non_null(strstr(F.json, "\"group\":{\"src\":null,\"user\":"
				       "\"u\"}"));
	/* aliases: one group-by name, a different field per rule */
	build(DET("internal_error", "status",
		  "error") "---\n" DET("new_conn", "event", "connect")
		      CORR("Alias", "temporal", "[internal_error, new_conn]",
			   "[internal_ip]", "10s",
			   "{gte: 2}") "  aliases: "
				       "{internal_ip: {internal_error: "
				       "destination.ip, "
				       "new_conn: source.ip}}\n",
	      NULL);
	event(S(0), "status", "error", "destination.ip", "10.0.0.1",
	      "source.ip", "10.9.9.9", NULL);
	event(S(1), "event", "connect", "source.ip", "10.0.0.2",
	      "destination.ip", "10.0.0.1", NULL);
	assert_int_equal(F.nfired, 0);
	event(S(2), "event", "connect", "source.ip", "10.0.0.1", NULL);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].group, "internal_ip=10.0.0.1;");
}

/* A fixed pseudo-random stream: 6 sources, gaps of 0-3 s. */
struct stream {
	int64_t t[600];
	char src[600][8];
	int n;
};

static void make_stream(struct stream *s)
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The firings as sorted lines (order across groups may differ). */
static char **firings(void)
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

static void free_firings(char **v)
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

static void run_stream(const struct stream *s, const int *order)
{
	for (int i = 0; i < s->n; i++) {
		int k = order ? order[i] : i;

		event(s->t[k], "action", "fail", "src", s->src[k], NULL);
	}
	flush(INT64_MAX);
}

static void test_out_of_order(void **state)
{
	struct ky_corr_opts o = {0, 20 * KY_NS_PER_SEC, 0};
	static struct stream s;
	static int order[600];
	char **a, **b;
	int nin;

	(void)state;
	make_stream(&s);
	build(stream_yaml, &o);
	run_stream(&s, NULL);
	nin = F.nfired;
	a = firings();
	assert_true(nin > 20);
	/* reverse blocks of 5: every event moves by at most 15 s, within
	 * the 20 s lateness */
	for (int i = 0; i < s.n; i++)
		order[i] = (i / 5) * 5 + 4 - i % 5;
	build(stream_yaml, &o);
	run_stream(&s, order);
	assert_int_equal(ST(late), 0);
	b = firings();
	assert_int_equal(F.nfired, nin);
	for (int i = 0; i < nin; i++)
		assert_string_equal(a[i], b[i]);
	free_firings(a);
	free_firings(b);
	o.lateness_ns = 5 * KY_NS_PER_SEC;
	build(FAILED CORR("Two", "event_count", "[failed]", "[src]", "60s",
			  "{gte: 2, lte: 1000}"),
	      &o);
	event(S(100), "action", "fail", "src", "a", NULL);
	event(S(94), "action", "fail", "src", "a", NULL);
	event(S(94), "action", "fail", "src", "b", NULL);
	assert_int_equal(ST(late), 2);
	flush(S(1000));
	assert_int_equal(F.nfired, 0);
	/* exactly the lateness is still on time */
	event(S(1000), "action", "fail", "src", "c", NULL);
	event(S(995), "action", "fail", "src", "c", NULL);
	assert_int_equal(ST(late), 2);
	flush(S(2000));
	assert_int_equal(F.nfired, 1);
	assert_true(F.fired[0].first == S(995));
	assert_false(F.fired[0].has_ev); /* decided after its event */
}

/* Lower bounds alone on a count fire on arrival, without waiting for the
 * lateness: more alerts can only raise a count.  An earlier alert that
 * arrives later (within the lateness) joins the next window, and nothing
 * fires twice. */
static void test_eager(void **state)
{
	struct ky_corr_opts o = {0, 3600 * KY_NS_PER_SEC, 0};

	(void)state;
	build(FAILED CORR("Three", "event_count", "[failed]", "[src]", "10s",
			  "{gte: 3}"),
	      &o);
	event(S(100), "action", "fail", "src", "a", NULL);
	event(S(104), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 0);
	event(S(110), "action", "fail", "src", "a", NULL); /* exactly 10 s */
	assert_int_equal(F.nfired, 1);
	assert_true(F.fired[0].has_ev); /* on the event that completed it */
	assert_true(F.fired[0].first == S(100));
	/* the window was consumed: two more are not enough, even late */
	event(S(111), "action", "fail", "src", "a", NULL);
	event(S(102), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 1);
	event(S(112), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 2);
	/* 11 s apart: no window of 10 s holds three */
	event(S(200), "action", "fail", "src", "b", NULL);
	event(S(205), "action", "fail", "src", "b", NULL);
	event(S(211), "action", "fail", "src", "b", NULL);
	flush(INT64_MAX);
	assert_int_equal(F.nfired, 2);
}

static const char three_yaml[] = FAILED CORR("Three", "event_count", "[failed]",
					     "[src]", "1h", "{gte: 3}");

static void test_max_groups(void **state)
{
	struct ky_corr_opts o = {3, 0, 0};
	const char *seq[] = {"a", "b", "c", "a", "d", "a", "b", "b", "b"};

	(void)state;
	build(three_yaml, &o);
	/* a b c a d: the fourth group evicts b, updated least recently
	 * (a was updated again after it) */
	for (int i = 0; i < 5; i++)
		event(S(i), "action", "fail", "src", seq[i], NULL);
	assert_int_equal(ST(groups), 3);
	assert_int_equal(ST(evicted), 1);
	event(S(5), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].group, "src=a;");
	assert_int_equal(ST(groups), 3); /* a, emptied, still counts */
	/* b restarts from zero (evicting c): two more are not enough,
	 * three are */
	event(S(6), "action", "fail", "src", "b", NULL);
	event(S(7), "action", "fail", "src", "b", NULL);
	assert_int_equal(F.nfired, 1);
	assert_int_equal(ST(groups), 3);
	assert_int_equal(ST(evicted), 2);
	event(S(8), "action", "fail", "src", "b", NULL);
	assert_int_equal(F.nfired, 2);
	/* e evicts d; f evicts a, which held nothing: not counted */
	event(S(9), "action", "fail", "src", "e", NULL);
	event(S(10), "action", "fail", "src", "f", NULL);
	assert_int_equal(ST(evicted), 3);
	assert_int_equal(ST(groups), 3);
	event(S(11), "action", "fail", "src", "d", NULL);
	event(S(12), "action", "fail", "src", "d", NULL);
	assert_int_equal(F.nfired, 2); /* d lost its first alert */
	/* without the cap b fires at its third event, S(7) */
	build(three_yaml, NULL);
	for (int i = 0; i < 8; i++)
		event(S(i), "action", "fail", "src", seq[i], NULL);
	assert_int_equal(F.nfired, 2);
	assert_int_equal(ST(evicted), 0);
	/* at most 3 alerts per group: gte 5 can never be reached */
	o.max_groups = 0;
	o.max_events_per_group = 3;
	build(failed_yaml, &o);
	for (int i = 0; i < 7; i++)
		event(S(i), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 0);
	assert_int_equal(ST(evicted), 4);
	o.max_events_per_group = 5;
	build(failed_yaml, &o);
	for (int i = 0; i < 7; i++)
		event(S(i), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 1);
	assert_int_equal(ST(evicted), 0);
}

static const char chain_yaml[] = CORR("Failed then success", "temporal_ordered",
				      "[multiple_failed, successful]", "[User]",
				      "10m", "{gte: 2}")
	NCORR("multiple_failed", "event_count", "[failed]", "[User, Host]",
	      "10m", "{gte: 3}") "---\n" DET("failed", "EventID",
					     "4625") "---\n" DET("successful",
								 "EventID",
								 "4624");

static void test_chained(void **state)
{
	(void)state;
	build(chain_yaml, NULL);
	assert_int_equal(F.nactive, 2);
	event(S(0), "EventID", "4624", "User", "bob", "Host", "h", NULL);
	for (int i = 1; i <= 3; i++)
		event(S(i), "EventID", "4625", "User", "bob", "Host", "h",
		      NULL);
	assert_int_equal(F.nfired, 0); /* the inner is not reported */
	assert_int_equal(ST(fired), 1);
	event(S(5), "EventID", "4624", "User", "alice", "Host", "h", NULL);
	assert_int_equal(F.nfired, 0);
	event(S(6), "EventID", "4624", "User", "bob", "Host", "other", NULL);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].title, "Failed then success");
	assert_string_equal(F.fired[0].group, "User=bob;");
	/* the window is the timespan up to the completing alert: it holds
	 * the early success, the inner firing and the late success */
	assert_true(F.fired[0].first == S(0) && F.fired[0].last == S(6));
	assert_int_equal(F.fired[0].nevents, 3);
	assert_true(F.fired[0].value == 2);
	/* both detections feed only correlations without generate */
	assert_int_equal(F.ndet, 0);
}

static void test_rejected(void **state)
{
	bool cycle = false, unknown = false, field = false;

	(void)state;
	build(FAILED NCORR("ca", "event_count", "[cb]", "[src]", "1m",
			   "{gte: 1}")
		      NCORR("cb", "event_count", "[ca, failed]", "[src]", "1m",
			    "{gte: 1}") NCORR("cc", "event_count",
					      "[failed, nosuchrule]", "[src]",
					      "1m", "{gte: 1}")
			      NCORR("cd", "event_count", "[ce]", "[user]", "1m",
				    "{gte: 1}")
				      NCORR("ce", "event_count", "[failed]",
					    "[src]", "1m", "{gte: 2}")
					      NCORR("cf", "event_count", "[cf]",
						    "[src]", "1m", "{gte: 2}"),
	      NULL);
	assert_int_equal(F.nactive, 1); /* ce only */
	assert_int_equal(F.nreports, 5);
	for (int i = 0; i < 5; i++) {
		assert_non_null(strstr(F.reports[i], "rules.yml:"));
		cycle |= strstr(F.reports[i], "cycle") != NULL;
		unknown |= strstr(F.reports[i], "unknown rule 'nosuchrule'") !=
			   NULL;
		field |= strstr(F.reports[i], "'user' is not a group-by") !=
			 NULL;
	}
	assert_true(cycle && unknown && field);
	event(S(0), "action", "fail", "src", "a", NULL);
	event(S(1), "action", "fail", "src", "a", NULL);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].title, "ce");
	/* E is the only active user of failed, without generate */
	assert_int_equal(F.ndet, 0);
}

static void test_generate(void **state)
{
	const struct ky_sigma_rule *x = NULL, *y = NULL, *z = NULL;

	(void)state;
	build(DET("rx", "a", "1") "---\n" DET("ry", "a",
					      "2") "---\n" DET("rz", "a", "3")
		      CORR("GX", "event_count", "[rx]", "[]", "1m",
			   "{gte: 2}") "  generate: true\n" CORR("GY",
								 "event_count",
								 "[ry, rx]",
								 "[]", "1m",
								 "{gte: 2}"),
	      NULL);
	for (size_t i = 0; i < ky_ruleset_count(F.rs); i++) {
		const struct ky_sigma_rule *r = ky_ruleset_rule(F.rs, i);

		if (r->name && strcmp(r->name, "rx") == 0)
			x = r;
		if (r->name && strcmp(r->name, "ry") == 0)
			y = r;
		if (r->name && strcmp(r->name, "rz") == 0)
			z = r;
	}
	assert_true(x && y && z);
	assert_true(ky_corr_uses(F.c, x) && ky_corr_uses(F.c, y));
	assert_false(ky_corr_uses(F.c, z));
	assert_false(ky_corr_suppresses(F.c, x)); /* GX generates */
	assert_true(ky_corr_suppresses(F.c, y));
	assert_false(ky_corr_suppresses(F.c, z));
	event(S(0), "a", "1", NULL);
	event(S(1), "a", "2", NULL);
	event(S(2), "a", "3", NULL);
	assert_int_equal(F.ndet, 2); /* rx and rz */
	/* no group-by: one group per correlation; GY counts rx and ry */
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].title, "GY");
	assert_string_equal(F.fired[0].group, "");
}

static const char lt_yaml[] = DET("login", "action", "login")
	CORR("Quiet", "event_count", "[login]", "[src]", "60s", "{lt: 3}");

static void test_lt_on_close(void **state)
{
	(void)state;
	build(lt_yaml, NULL);
	event(S(0), "action", "login", "src", "a", NULL);
	for (int i = 0; i < 4; i++)
		event(S(i), "action", "login", "src", "b", NULL);
	event(S(10), "action", "login", "src", "a", NULL);
	assert_int_equal(F.nfired, 0);
	assert_int_equal(flush(S(60)), 0); /* S(0) + 60 s is still inside */
	assert_int_equal(flush(S(60) + 1), 1);
	assert_int_equal(F.nfired, 1);
	assert_string_equal(F.fired[0].group, "src=a;");
	assert_true(F.fired[0].value == 2);
	assert_false(F.fired[0].has_ev);
	/* closed windows hold nothing; the groups go when their alerts
	 * expire (a at S(10) + 60 s) */
	assert_int_equal(ST(groups), 2);
	flush(S(70) + 1);
	assert_int_equal(ST(groups), 0);
	assert_int_equal(F.nfired, 1);
	assert_non_null(strstr(F.json, "\"event\":null"));
	/* an event of another group moves event time and closes a's */
	event(S(100), "action", "login", "src", "a", NULL);
	event(S(200), "action", "login", "src", "c", NULL);
	assert_int_equal(F.nfired, 2);
	assert_true(F.fired[1].first == S(100) && F.fired[1].value == 1);
}

/* Half the stream, save, a new engine over a newly loaded rule set,
 * restore, the other half: the same firings as in one run. */
static void test_save_restore(void **state)
{
	struct ky_corr_opts o = {0, 20 * KY_NS_PER_SEC, 0};
	static struct stream s;
	static int order[600];
	struct ky_err err = {0};
	struct ky_buf blob;
	char **a, **b, **first;
	int n1, nall;

	(void)state;
	make_stream(&s);
	for (int i = 0; i < s.n; i++)
		order[i] = (i / 5) * 5 + 4 - i % 5;
	build(stream_yaml, &o);
	run_stream(&s, order);
	nall = F.nfired;
	a = firings();
	build(stream_yaml, &o);
	s.n = 300;
	for (int i = 0; i < s.n; i++)
		event(s.t[order[i]], "action", "fail", "src", s.src[order[i]],
		      NULL);
	n1 = F.nfired;
	first = firings();
	assert_true(n1 > 5);
	assert_true(ST(groups) > 0);
	ky_buf_init(&blob, 0);
	assert_int_equal(ky_corr_save(F.c, &blob), 0);
	build(stream_yaml, &o);
	assert_int_equal(ky_corr_restore(F.c, blob.data, blob.len, &err), 0);
	assert_true(ST(groups) > 0);
	s.n = 600;
	for (int i = 300; i < s.n; i++)
		event(s.t[order[i]], "action", "fail", "src", s.src[order[i]],
		      NULL);
	flush(INT64_MAX);
	assert_int_equal(n1 + F.nfired, nall);
	b = firings();
	/* the two halves together are the full run, firing for firing */
	for (int i = 0, j = 0, k = 0; k < nall; k++) {
		const char *want = a[k], *got;

		if (first[i] && (!b[j] || strcmp(first[i], b[j]) <= 0))
			got = first[i++];
		else
			got = b[j++];
		assert_string_equal(got, want);
	}
	free_firings(a);
	free_firings(b);
	free_firings(first);
	/* a changed rule drops its state; an unchanged one keeps it */
	build(FAILED CORR("Three", "event_count", "[failed]", "[src]", "10s",
			  "{gte: 4}"),
	      &o);
	assert_int_equal(ky_corr_restore(F.c, blob.data, blob.len, &err), 0);
	assert_int_equal(ST(groups), 0);
	ky_buf_free(&blob);
}

static void test_restore_malformed(void **state)
{
	struct ky_corr_opts o = {0, 0, 0};
	struct ky_err err;
	struct ky_buf blob;
	uint8_t *p;
	uint32_t x = 7;
	int r;

	(void)state;
	build(bytes_yaml, &o);
	for (int i = 0; i < 4; i++)
		event(S(i), "action", "send", "host", i % 2 ? "a" : "b",
		      "bytes", "10", NULL);
	ky_buf_init(&blob, 0);
	assert_int_equal(ky_corr_save(F.c, &blob), 0);
	assert_true(blob.len > 100);
	/* every cut fails cleanly and leaves the engine empty */
	for (size_t n = 0; n < blob.len; n++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(ky_corr_restore(F.c, blob.data, n, &err),
				 KY_E_PARSE);
		assert_int_equal(strncmp(err.msg, "offset ", 7), 0);
		assert_int_equal(ST(groups), 0);
	}
	assert_int_equal(ky_corr_restore(F.c, blob.data, blob.len, &err), 0);
	assert_int_equal(ST(groups), 6);
	/* bad magic, version, trailing byte */
	p = malloc(blob.len + 1);
	memcpy(p, blob.data, blob.len);
	p[0] = 'X';
	assert_int_equal(ky_corr_restore(F.c, p, blob.len, &err), KY_E_PARSE);
	assert_string_equal(err.msg,
			    "offset 0: not a correlation state (bad magic)");
	p[0] = 'K';
	p[4] = 2;
	assert_int_equal(ky_corr_restore(F.c, p, blob.len, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "version 2"));
	p[4] = 1;
	p[blob.len] = 0;
	assert_int_equal(ky_corr_restore(F.c, p, blob.len + 1, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "trailing bytes"));
	/* random corruption never crashes: it restores or fails */
	for (int k = 0; k < 2000; k++) {
		memcpy(p, blob.data, blob.len);
		for (int j = 0; j < 3; j++) {
			x = x * 1103515245u + 12345u;
			p[(x >> 8) % blob.len] ^= (uint8_t)(1u << (x % 8));
		}
		r = ky_corr_restore(F.c, p, blob.len, &err);
		assert_true(r == 0 || r == KY_E_PARSE);
		if (r != 0)
			assert_int_equal(ST(groups), 0);
		else
			flush(S(10));
	}
	free(p);
	ky_buf_free(&blob);
}

/* Member key of o is the string want (NULL: JSON null). */
static void jeq(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	if (want == NULL ? !json_is_null(v)
			 : !json_is_string(v) ||
				   strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: want %s", key, want ? want : "null");
}

static void test_json(void **state)
{
	json_t *j, *r, *k;
	json_error_t jerr;

	(void)state;
	build(failed_yaml, NULL);
	for (int i = 0; i < 5; i++)
		event(S(i), "action", "fail", "src", "10.0.0.\"1", NULL);
	assert_int_equal(F.nfired, 1);
	j = json_loads(F.json, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, F.json);
	/* exactly the members of the documented shape */
	r = json_object_get(j, "rule");
	k = json_object_get(j, "correlation");
	assert_int_equal(json_object_size(j), 5);
	assert_int_equal(json_object_size(r), 5);
	assert_int_equal(json_object_size(k), 8);
	jeq(r, "id", "0e95725d-7320-415d-80f7-004da920fc11");
	jeq(r, "title", "Brute force");
	jeq(r, "level", "high");
	jeq(r, "author", "Test Author");
	jeq(k, "type", "event_count");
	jeq(json_object_get(k, "group"), "src", "10.0.0.\"1");
	assert_int_equal(json_integer_value(json_object_get(k, "value")), 5);
	assert_int_equal(json_integer_value(json_object_get(k, "events")), 5);
	jeq(k, "first", "2024-05-01T12:00:00.000Z");
	jeq(k, "last", "2024-05-01T12:00:04.000Z");
	jeq(k, "timespan", "60s");
	jeq(j, "time", "2024-05-01T12:00:04.000Z");
	jeq(j, "received", "2024-05-01T12:00:05.000Z");
	jeq(j, "event", "{\"raw\":1}");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(r, "tags"), 0)),
			    "attack.t1110");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(k, "rules"), 0)),
			    "failed");
	json_decref(j);
	/* fired at window close: no event, no receive time */
	build(lt_yaml, NULL);
	event(S(0), "action", "login", "src", "a", NULL);
	flush(INT64_MAX);
	assert_int_equal(F.nfired, 1);
	assert_non_null(j = json_loads(F.json, 0, &jerr));
	jeq(j, "event", NULL);
	jeq(j, "received", NULL);
	jeq(json_object_get(j, "correlation"), "type", "event_count");
	json_decref(j);
}

struct thr {
	const struct ky_sigma_rule *rule;
	char src[8];
	int fired;
};

static int count_fired(void *ud, const struct ky_corr_alert *a)
{
	(void)a;
	((struct thr *)ud)->fired++;
	return 0;
}

static void *feeder(void *p)
{
	struct thr *t = p;
	struct ky_arena *ar = ky_arena_new(4096, 0);
	struct ky_event ev;
	struct ky_alert a = {0};

	ky_event_init(&ev, ar, 16);
	ky_event_add_copy(&ev, "src", t->src, strlen(t->src));
	a.rule = t->rule;
	a.ev = &ev;
	for (int i = 0; i < 10000; i++) {
		ev.time_ns = S(0) + i * 1000;
		ky_corr_feed(F.c, &a, count_fired, t);
	}
	ky_event_free(&ev);
	ky_arena_free(ar);
	return NULL;
}

/* Feeds from four threads at once while the state is saved: each source
 * fires exactly every 5th event (a race would lose or double counts).
 * The lateness covers the threads' drift; gte alone is eager, so each
 * fires on arrival and the final flush has nothing left to decide. */
static void test_threads(void **state)
{
	struct ky_corr_opts o = {0, 3600 * KY_NS_PER_SEC, 0};
	struct thr t[4], rest = {0};
	struct ky_buf blob;
	pthread_t id[4];

	(void)state;
	build(failed_yaml, &o);
	for (int i = 0; i < 4; i++) {
		t[i].rule = ky_ruleset_rule(F.rs, 0);
		t[i].fired = 0;
		snprintf(t[i].src, sizeof(t[i].src), "t%d", i);
		assert_int_equal(pthread_create(&id[i], NULL, feeder, &t[i]),
				 0);
	}
	ky_buf_init(&blob, 0);
	for (int i = 0; i < 20; i++) {
		ky_buf_reset(&blob);
		assert_int_equal(ky_corr_save(F.c, &blob), 0);
		assert_true(ST(groups) <= 4);
	}
	ky_buf_free(&blob);
	for (int i = 0; i < 4; i++)
		pthread_join(id[i], NULL);
	assert_int_equal(ky_corr_flush(F.c, INT64_MAX, count_fired, &rest), 0);
	assert_int_equal(rest.fired + t[0].fired + t[1].fired + t[2].fired +
				 t[3].fired,
			 8000);
	assert_int_equal(ST(fired), 8000);
	assert_int_equal(ST(late), 0);
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
	drop();
	free(F.json);
	ky_event_free(&F.ev);
	ky_arena_free(F.arena);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_event_count),  T(test_value_count),
		T(test_temporal),     T(test_value_sum_avg_percentile),
		T(test_group_by),     T(test_eager),
		T(test_out_of_order), T(test_max_groups),
		T(test_chained),      T(test_rejected),
		T(test_generate),     T(test_lt_on_close),
		T(test_save_restore), T(test_restore_malformed),
		T(test_json),	      T(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
