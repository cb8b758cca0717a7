/* Sigma correlation engine: every correlation type, group-by and aliases,
 * window edges on event time, out-of-order and late events, the caps and
 * their eviction counts, chaining, rejected correlations, generate,
 * and conditions decided at window close (the saved state, the alert JSON
 * and threads: test_correlate_state.c). */
#include "corr_fixture.h"

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
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_event_count),  T(test_value_count),
		T(test_temporal),     T(test_value_sum_avg_percentile),
		T(test_group_by),     T(test_eager),
		T(test_out_of_order), T(test_max_groups),
		T(test_chained),      T(test_rejected),
		T(test_generate),     T(test_lt_on_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
