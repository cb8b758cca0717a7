/* Sigma correlation engine: save and restore (equivalence with an
 * uninterrupted run, hostile blobs), the alert JSON, and feeding from
 * several threads while the state is saved. */
#include "corr_fixture.h"

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
	assert_int_equal(json_object_size(k), 9);
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
	/* the resolved rule's key (id, else name: the fixture has no id) */
	assert_int_equal(json_array_size(json_object_get(k, "rule_ids")), 1);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(k, "rule_ids"), 0)),
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_save_restore),
		T(test_restore_malformed),
		T(test_json),
		T(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
