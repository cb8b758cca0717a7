/* Unit tests of the incident engine: grouping by key and window (edges,
 * out-of-order times, missing key fields), deduplication, correlation
 * joining, every lifecycle transition, the severity formula and its
 * recomputation, TLP/PAP policy, and the JSON form (round trip, bad input
 * rejected with its path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/time.h"
#include "intel/incident.h"

#define S KY_NS_PER_SEC
#define T0 ((int64_t)1767225600 * S) /* 2026-01-01T00:00:00Z */

static struct ky_incidents *engine(unsigned keys, int64_t window, int64_t dedup)
{
	struct ky_incident_config cfg;
	struct ky_incidents *e = NULL;
	struct ky_err err = {0};

	ky_incident_config_default(&cfg);
	cfg.keys = keys;
	cfg.window_ns = window;
	cfg.dedup_ns = dedup;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), 0);
	return e;
}

static struct ky_incident_alert al(int64_t id, const char *rule, int64_t t,
				   const char *host, const char *user,
				   const char *src)
{
	struct ky_incident_alert a = {0};

	a.id = id;
	a.kind = KY_ALERT_RULE;
	a.time_ns = t;
	a.recv_ns = t + S;
	a.rule_id = rule;
	a.title = rule;
	a.level = 2;
	a.host = host;
	a.user = user;
	a.src_ip = src;
	return a;
}

/* Adds and returns the incident id, checking the outcome. */
static int64_t add(struct ky_incidents *e, const struct ky_incident_alert *a,
		   enum ky_incident_outcome want)
{
	struct ky_incident_result res;
	struct ky_err err = {0};

	if (ky_incidents_add(e, a, &res, &err) != 0)
		fail_msg("add alert %lld: %s", (long long)a->id, err.msg);
	if (res.outcome != want)
		fail_msg("alert %lld: outcome %d, want %d", (long long)a->id,
			 (int)res.outcome, (int)want);
	return res.id;
}

static void test_window_boundary(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_RULE, 60 * S, 0);
	struct ky_incident_alert a = al(1, "r1", T0, "h", NULL, NULL);
	int64_t id;

	(void)state;
	id = add(e, &a, KY_INC_OPENED);
	a = al(2, "r1", T0 + 60 * S, "h", NULL, NULL); /* exactly the window */
	assert_int_equal(add(e, &a, KY_INC_JOINED), id);
	a = al(3, "r1", T0 + 120 * S + 1, "h", NULL, NULL); /* 1 ns past */
	assert_int_not_equal(add(e, &a, KY_INC_OPENED), id);
	assert_int_equal(ky_incidents_count(e), 2);
	assert_int_equal(ky_incident_last_ns(ky_incidents_get(e, id)),
			 T0 + 60 * S);
	ky_incidents_free(e);
}

static void test_out_of_order(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_RULE, 60 * S, 0);
	struct ky_incident_alert a = al(1, "r", T0 + 100 * S, "h", NULL, NULL);
	struct ky_incident *inc;
	int64_t id;

	(void)state;
	id = add(e, &a, KY_INC_OPENED);
	a = al(2, "r", T0 + 50 * S, "h", NULL, NULL); /* earlier, in window */
	assert_int_equal(add(e, &a, KY_INC_JOINED), id);
	a = al(3, "r", T0 + 75 * S, "h", NULL, NULL); /* inside the span */
	assert_int_equal(add(e, &a, KY_INC_JOINED), id);
	inc = ky_incidents_get(e, id);
	assert_int_equal(ky_incident_first_ns(inc), T0 + 50 * S);
	assert_int_equal(ky_incident_last_ns(inc), T0 + 100 * S);
	a = al(4, "r", T0 - 11 * S, "h", NULL, NULL); /* 61 s before first */
	assert_int_not_equal(add(e, &a, KY_INC_OPENED), id);
	/* an alert between two incidents of one key joins the nearer */
	a = al(5, "r", T0 - 5 * S, "h", NULL, NULL);
	assert_int_not_equal(add(e, &a, KY_INC_JOINED), id);
	ky_incidents_free(e);
}

static void test_missing_key_fields(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_HOST, 3600 * S, 0);
	struct ky_incident_alert a = al(1, "rA", T0, NULL, NULL, NULL);
	int64_t ida, idb, idh;

	(void)state;
	ida = add(e, &a, KY_INC_OPENED);
	/* no host either, other rule: the rule joins the key */
	a = al(2, "rB", T0 + S, "", NULL, NULL);
	idb = add(e, &a, KY_INC_OPENED);
	assert_int_not_equal(ida, idb);
	a = al(3, "rA", T0 + 2 * S, NULL, "u", NULL);
	assert_int_equal(add(e, &a, KY_INC_JOINED), ida);
	/* with a host, rules do not matter */
	a = al(4, "rA", T0, "h1", NULL, NULL);
	idh = add(e, &a, KY_INC_OPENED);
	a = al(5, "rB", T0, "h1", NULL, NULL);
	assert_int_equal(add(e, &a, KY_INC_JOINED), idh);
	ky_incidents_free(e);

	/* user+src: an absent user is a value of its own */
	e = engine(KY_INCIDENT_KEY_USER | KY_INCIDENT_KEY_SRC, 3600 * S, 0);
	a = al(1, "r", T0, NULL, NULL, "10.0.0.1");
	ida = add(e, &a, KY_INC_OPENED);
	a = al(2, "r2", T0, NULL, "bob", "10.0.0.1");
	assert_int_not_equal(add(e, &a, KY_INC_OPENED), ida);
	a = al(3, "r2", T0, NULL, NULL, "10.0.0.1");
	assert_int_equal(add(e, &a, KY_INC_JOINED), ida);
	ky_incidents_free(e);

	/* no key at all: one stream per window */
	e = engine(0, 60 * S, 0);
	a = al(1, "r", T0, "a", NULL, NULL);
	ida = add(e, &a, KY_INC_OPENED);
	a = al(2, "q", T0 + S, "b", "u", "1.1.1.1");
	assert_int_equal(add(e, &a, KY_INC_JOINED), ida);
	ky_incidents_free(e);
}

static void test_dedup(void **state)
{
	struct ky_incidents *e = engine(
		KY_INCIDENT_KEY_RULE | KY_INCIDENT_KEY_HOST, 3600 * S, 60 * S);
	struct ky_incident_alert a = al(1, "r", T0, "h", "u", "1.2.3.4");
	struct ky_incident *inc;
	const int64_t *ids;
	size_t n;
	int64_t id;

	(void)state;
	id = add(e, &a, KY_INC_OPENED);
	a = al(2, "r", T0 + 60 * S, "h", "u", "1.2.3.4"); /* at the interval */
	add(e, &a, KY_INC_FOLDED);
	a = al(3, "r", T0 + 200 * S, "h", "u", "1.2.3.4");
	a.event_hash = 0xabcdef;
	add(e, &a, KY_INC_JOINED);
	a = al(4, "r", T0 + 900 * S, "h", "u", "1.2.3.4");
	a.event_hash = 0xabcdef; /* same event, far in time */
	add(e, &a, KY_INC_FOLDED);
	a = al(5, "r", T0 + 901 * S, "h", "v", "1.2.3.4"); /* other user */
	add(e, &a, KY_INC_JOINED);
	inc = ky_incidents_get(e, id);
	assert_int_equal(ky_incident_entry_count(inc), 3);
	assert_int_equal(ky_incident_alert_count(inc), 5);
	ids = ky_incident_alert_ids(inc, &n);
	assert_int_equal(n, 5);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[4], 5);
	ky_incidents_free(e);
}

/* An incident takes the title of its most severe alert, the first among
 * equals. */
static void test_title(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_HOST, 3600 * S, 0);
	struct ky_incident_alert a = al(1, "ssh failure", T0, "h", NULL, NULL);
	int64_t id;

	(void)state;
	a.level = 1;
	id = add(e, &a, KY_INC_OPENED);
	assert_string_equal(ky_incident_title(ky_incidents_get(e, id)),
			    "ssh failure");
	a = al(2, "login after brute force", T0 + S, "h", NULL, NULL);
	a.level = 4;
	add(e, &a, KY_INC_JOINED);
	assert_string_equal(ky_incident_title(ky_incidents_get(e, id)),
			    "login after brute force");
	a = al(3, "another critical", T0 + 2 * S, "h", NULL, NULL);
	a.level = 4;
	add(e, &a, KY_INC_JOINED);
	a = al(4, "a lesser one", T0 + 3 * S, "h", NULL, NULL);
	a.level = 2;
	add(e, &a, KY_INC_JOINED);
	assert_string_equal(ky_incident_title(ky_incidents_get(e, id)),
			    "login after brute force");
	ky_incidents_free(e);
}

static void test_closed_not_reopened(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_RULE, 3600 * S, 0);
	struct ky_incident_alert a = al(1, "r", T0, "h", NULL, NULL);
	struct ky_incident_result res;
	struct ky_err err = {0};
	struct ky_incident *inc;
	int64_t id;

	(void)state;
	id = add(e, &a, KY_INC_OPENED);
	inc = ky_incidents_get(e, id);
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED, "ana",
						T0 + S, NULL, &err),
			 0);
	assert_int_equal(ky_incident_transition(inc, KY_INC_RESOLVED, "ana",
						T0 + 2 * S, NULL, &err),
			 0);
	a = al(2, "r", T0 + 10 * S, "h", NULL, NULL);
	assert_int_equal(ky_incidents_add(e, &a, &res, &err), 0);
	assert_int_equal(res.outcome, KY_INC_OPENED);
	assert_int_equal(res.follows, id);
	assert_int_equal(ky_incident_follows(ky_incidents_get(e, res.id)), id);
	assert_int_equal(ky_incident_alert_count(inc), 1);
	/* the follow-up is open: later alerts join it */
	a = al(3, "r", T0 + 11 * S, "h", NULL, NULL);
	assert_int_equal(add(e, &a, KY_INC_JOINED), res.id);
	ky_incidents_free(e);
}

static void test_correlation(void **state)
{
	struct ky_incidents *e =
		engine(KY_INCIDENT_KEY_RULE | KY_INCIDENT_KEY_HOST, 600 * S, 0);
	const char *used[] = {"other", "ssh_fail"};
	struct ky_incident_alert a =
		al(1, "ssh_fail", T0, "srv", "root", "10.0.0.1");
	struct ky_incident_alert c;
	int64_t id, id2;

	(void)state;
	id = add(e, &a, KY_INC_OPENED);
	a = al(2, "ssh_fail", T0 + 5 * S, "srv", "root", "10.0.0.1");
	add(e, &a, KY_INC_JOINED);
	/* grouped by source address only: host unknown to the correlation */
	c = al(3, "brute", T0 + 6 * S, NULL, NULL, "10.0.0.1");
	c.kind = KY_ALERT_CORRELATION;
	c.corr_rules = used;
	c.ncorr_rules = 2;
	c.corr_first_ns = T0;
	c.level = 3;
	assert_int_equal(add(e, &c, KY_INC_JOINED), id);
	assert_int_equal(ky_incident_score(ky_incidents_get(e, id)), 65);
	/* another address: nothing it correlates is known, it opens */
	c.id = 4;
	c.src_ip = "10.0.0.2";
	id2 = add(e, &c, KY_INC_OPENED);
	assert_int_not_equal(id2, id);
	/* unknown rule */
	c.id = 5;
	c.src_ip = "10.0.0.1";
	c.ncorr_rules = 1; /* "other" only */
	assert_int_not_equal(add(e, &c, KY_INC_JOINED), id);
	/* too late for the window */
	c.id = 6;
	c.ncorr_rules = 2;
	c.time_ns = T0 + 5000 * S;
	c.corr_first_ns = T0 + 4000 * S;
	assert_int_not_equal(add(e, &c, KY_INC_OPENED), id);
	ky_incidents_free(e);
}

static void test_limits_and_bad_alerts(void **state)
{
	struct ky_incident_config cfg;
	struct ky_incidents *e = NULL;
	struct ky_err err = {0};
	struct ky_incident_alert a = al(1, "r", T0, "h", NULL, NULL);
	char *js = NULL, host[8] = {'h', (char)0xff, (char)0xc3, 'x', 0};
	size_t n;
	int64_t id;

	(void)state;
	ky_incident_config_default(&cfg);
	cfg.max_incidents = 2;
	cfg.max_alert_ids = 2;
	cfg.dedup_ns = 0;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), 0);
	id = add(e, &a, KY_INC_OPENED);
	a.id = 2;
	add(e, &a, KY_INC_JOINED);
	a.id = 3;
	add(e, &a, KY_INC_JOINED);
	ky_incident_alert_ids(ky_incidents_get(e, id), &n);
	assert_int_equal(n, 2);
	assert_int_equal(ky_incident_alert_count(ky_incidents_get(e, id)), 3);
	a = al(4, "r", T0, host, NULL, NULL); /* invalid UTF-8 host */
	add(e, &a, KY_INC_OPENED);
	assert_int_equal(ky_incident_dump(ky_incidents_at(e, 1), &js, &n), 0);
	assert_non_null(strstr(js, "\"h\xef\xbf\xbd\xef\xbf\xbdx\""));
	free(js);
	a = al(5, "r", T0, "third", NULL, NULL);
	assert_int_equal(ky_incidents_add(e, &a, NULL, &err), KY_E_TOOBIG);
	assert_non_null(strstr(err.msg, "max_incidents"));
	a = al(6, NULL, T0, "h", NULL, NULL);
	assert_int_equal(ky_incidents_add(e, &a, NULL, &err), KY_E_INVAL);
	assert_non_null(strstr(err.msg, "no rule id"));
	a = al(7, "r", 0, "h", NULL, NULL);
	a.recv_ns = 0;
	assert_int_equal(ky_incidents_add(e, &a, NULL, &err), KY_E_INVAL);
	ky_incidents_free(e);
	cfg.default_criticality = 7;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), KY_E_CONFIG);
}

/* ---- lifecycle ---- */

static const int paths[KY_INC_NSTATUS][3] = {
	[KY_INC_NEW] = {-1},
	[KY_INC_ACKNOWLEDGED] = {KY_INC_ACKNOWLEDGED, -1},
	[KY_INC_CONTAINED] = {KY_INC_CONTAINED, -1},
	[KY_INC_RESOLVED] = {KY_INC_ACKNOWLEDGED, KY_INC_RESOLVED, -1},
	[KY_INC_CLOSED] = {KY_INC_ACKNOWLEDGED, KY_INC_RESOLVED, KY_INC_CLOSED},
	[KY_INC_FALSE_POSITIVE] = {KY_INC_FALSE_POSITIVE, -1},
};

/* The documented table, written out independently of the code's. */
static const char *const expect_legal[KY_INC_NSTATUS] = {
	[KY_INC_NEW] = "acknowledged contained false_positive",
	[KY_INC_ACKNOWLEDGED] = "contained resolved false_positive",
	[KY_INC_CONTAINED] = "resolved false_positive",
	[KY_INC_RESOLVED] = "acknowledged closed",
	[KY_INC_CLOSED] = "",
	[KY_INC_FALSE_POSITIVE] = "acknowledged",
};

static struct ky_incident *in_state(struct ky_incidents *e, int from,
				    int64_t aid)
{
	struct ky_incident_alert a =
		al(aid, "r", T0 + aid * 7200 * S, "h", NULL, NULL);
	struct ky_incident *inc;
	struct ky_err err = {0};

	inc = ky_incidents_get(e, add(e, &a, KY_INC_OPENED));
	for (int i = 0; i < 3 && paths[from][i] >= 0; i++)
		if (ky_incident_transition(
			    inc, (enum ky_incident_status)paths[from][i],
			    "setup", T0, "because", &err) != 0)
			fail_msg("setup: %s", err.msg);
	assert_int_equal(ky_incident_status(inc), from);
	return inc;
}

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(list, w); p; p = strstr(p + 1, w))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static void test_every_transition(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_RULE, 60 * S, 0);
	int64_t aid = 1;
	int legal = 0, illegal = 0;

	(void)state;
	for (int from = 0; from < KY_INC_NSTATUS; from++)
		for (int to = 0; to < KY_INC_NSTATUS; to++) {
			struct ky_incident *inc = in_state(e, from, aid++);
			const char *fn = ky_incident_status_name(from);
			const char *tn = ky_incident_status_name(to);
			bool want = word_in(expect_legal[from], tn);
			struct ky_err err = {0};
			size_t h = ky_incident_history_count(inc);
			char msg[128];
			int r;

			r = ky_incident_transition(inc, to, "ana", T0 + 9,
						   "checked", &err);
			if (want) {
				if (r != 0)
					fail_msg("%s -> %s refused: %s", fn, tn,
						 err.msg);
				assert_int_equal(ky_incident_status(inc), to);
				assert_int_equal(ky_incident_history_count(inc),
						 h + 1);
				legal++;
				continue;
			}
			illegal++;
			assert_int_equal(r, KY_E_INVAL);
			snprintf(msg, sizeof(msg),
				 "illegal transition %s -> %s", fn, tn);
			if (strstr(err.msg, msg) == NULL)
				fail_msg("%s -> %s: message '%s'", fn, tn,
					 err.msg);
			assert_int_equal(ky_incident_status(inc), from);
			assert_int_equal(ky_incident_history_count(inc), h);
		}
	assert_int_equal(legal, 11);
	assert_int_equal(illegal, 25);
	ky_incidents_free(e);
}

static void test_transition_reasons(void **state)
{
	struct ky_incidents *e = engine(KY_INCIDENT_KEY_RULE, 60 * S, 0);
	struct ky_incident *inc = in_state(e, KY_INC_NEW, 1);
	struct ky_err err = {0};
	json_t *j, *h;
	bool need;

	(void)state;
	assert_int_equal(ky_incident_transition(inc, KY_INC_FALSE_POSITIVE,
						"ana", T0, NULL, &err),
			 KY_E_INVAL);
	assert_non_null(
		strstr(err.msg, "new -> false_positive needs a reason"));
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED, "",
						T0, NULL, &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "who is required"));
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED, "ana",
						0, NULL, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED, "ana",
						T0 + 5, NULL, &err),
			 0);
	assert_int_equal(ky_incident_transition(inc, KY_INC_RESOLVED, "bo",
						T0 + 6, "patched", &err),
			 0);
	assert_int_equal(ky_incident_transition(inc, KY_INC_CLOSED, "bo",
						T0 + 7, "", &err),
			 KY_E_INVAL);
	assert_int_equal(ky_incident_transition(inc, KY_INC_CLOSED, "bo",
						T0 + 7, "done", &err),
			 0);
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED, "bo",
						T0 + 8, "again", &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "allowed: none, it is final"));
	assert_true(ky_incident_transition_legal(KY_INC_RESOLVED,
						 KY_INC_ACKNOWLEDGED, &need));
	assert_true(need);
	assert_int_equal(ky_incident_status_parse("false-positive"),
			 KY_INC_FALSE_POSITIVE);
	assert_int_equal(ky_incident_status_parse("reopened"), -1);
	j = ky_incident_to_json(inc);
	h = json_object_get(j, "history");
	assert_int_equal(json_array_size(h), 3);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(h, 2), "to")),
		"closed");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(h, 2), "who")),
		"bo");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(h, 2), "why")),
		"done");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(h, 2), "when_ns")),
			 T0 + 7);
	assert_true(json_is_null(json_object_get(json_array_get(h, 0), "why")));
	json_decref(j);
	ky_incidents_free(e);
}

/* ---- severity ---- */

static void test_severity_formula(void **state)
{
	(void)state;
	assert_int_equal(ky_severity_score(4, 3, 0, 1), 80);
	assert_int_equal(ky_severity_score(3, 3, 0, 1), 65);
	assert_int_equal(ky_severity_score(2, 3, 0, 1), 45);
	assert_int_equal(ky_severity_score(1, 3, 0, 1), 25);
	assert_int_equal(ky_severity_score(0, 3, 0, 0), 10);
	assert_int_equal(ky_severity_score(0, 1, 0, 0), 0);
	assert_int_equal(ky_severity_score(4, 5, 100, 5), 100);
	assert_int_equal(ky_severity_score(2, 4, 55, 3), 62);
	assert_int_equal(ky_severity_score(2, 3, 54, 2), 53);
	assert_int_equal(ky_severity_score(1, 2, 95, 4), 39);
	assert_int_equal(ky_severity_score(9, 0, 400, 1000), 90); /* clamps */
	assert_int_equal(ky_severity_score(-3, 9, -5, 0), 20);
	assert_int_equal(ky_severity_band(39), KY_SEV_LOW);
	assert_int_equal(ky_severity_band(40), KY_SEV_MEDIUM);
	assert_int_equal(ky_severity_band(59), KY_SEV_MEDIUM);
	assert_int_equal(ky_severity_band(60), KY_SEV_HIGH);
	assert_int_equal(ky_severity_band(79), KY_SEV_HIGH);
	assert_int_equal(ky_severity_band(80), KY_SEV_CRITICAL);
	assert_string_equal(ky_sev_band_name(KY_SEV_CRITICAL), "critical");
}

static int crit_of(void *ud, const char *host, const char *addr)
{
	int *calls = ud;

	(*calls)++;
	if (host && strcmp(host, "dc1") == 0)
		return 5;
	if (addr && strcmp(addr, "10.9.9.9") == 0)
		return 1;
	return 0;
}

static void test_severity_recomputed(void **state)
{
	struct ky_incident_config cfg;
	struct ky_incidents *e = NULL;
	struct ky_err err = {0};
	struct ky_incident_alert a;
	struct ky_incident *inc;
	int calls = 0;

	(void)state;
	ky_incident_config_default(&cfg);
	cfg.keys = 0; /* one stream: the indicator hit joins too */
	cfg.asset_crit = crit_of;
	cfg.asset_ud = &calls;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), 0);
	a = al(1, "r", T0, "ws7", NULL, "10.9.9.9");
	a.level = 3;
	inc = ky_incidents_get(e, add(e, &a, KY_INC_OPENED));
	/* unknown host counts as 3, the address as 1: max 3 */
	assert_int_equal(ky_incident_score(inc), 65);
	assert_int_equal(ky_incident_tlp(inc), KY_TLP_AMBER);
	assert_int_equal(ky_incident_pap(inc), KY_PAP_AMBER);
	a = al(2, "r", T0 + S, "dc1", NULL, NULL);
	a.level = 3;
	add(e, &a, KY_INC_JOINED);
	/* 65 + 10 (criticality 5) + 3 (two hosts) */
	assert_int_equal(ky_incident_score(inc), 78);
	a = al(3, "r", T0 + 2 * S, "dc1", NULL, NULL);
	a.kind = KY_ALERT_INDICATOR;
	a.rule_id = "iocs.txt:1.2.3.4";
	a.indicator = "1.2.3.4";
	a.confidence = 90;
	a.level = 1;
	add(e, &a, KY_INC_JOINED);
	assert_int_equal(ky_incident_score(inc), 87);
	assert_int_equal(ky_incident_band(inc), KY_SEV_CRITICAL);
	assert_int_equal(ky_incident_tlp(inc), KY_TLP_AMBER_STRICT);
	assert_int_equal(ky_incident_pap(inc), KY_PAP_RED);
	/* a manual TLP stays when the severity changes */
	assert_int_equal(ky_incident_set_tlp(inc, KY_TLP_GREEN, "ana", T0,
					     "shared already", &err),
			 0);
	a = al(4, "r", T0 + 3 * S, "ws8", NULL, NULL);
	add(e, &a, KY_INC_JOINED);
	assert_int_equal(ky_incident_score(inc), 90);
	assert_int_equal(ky_incident_tlp(inc), KY_TLP_GREEN);
	/* dropping the override: policy applies on recompute */
	assert_int_equal(
		ky_incident_set_tlp(inc, KY_TLP_UNSET, "ana", T0, NULL, &err),
		0);
	ky_incidents_recompute(e, inc);
	assert_int_equal(ky_incident_tlp(inc), KY_TLP_AMBER_STRICT);
	assert_true(calls >= 4);
	ky_incidents_free(e);

	/* a class rule beats the band */
	cfg.tlp_by_class[ky_rsit_class_index("intrusion-attempts")] =
		KY_TLP_RED;
	assert_int_equal(ky_incidents_new(&e, &cfg, &err), 0);
	{
		const char *tags[] = {"attack.t1110"};

		a = al(1, "r", T0, "ws7", NULL, NULL);
		a.tags = tags;
		a.ntags = 1;
		inc = ky_incidents_get(e, add(e, &a, KY_INC_OPENED));
		assert_int_equal(ky_incident_tlp(inc), KY_TLP_RED);
		assert_int_equal(ky_incident_pap(inc), KY_PAP_AMBER);
	}
	ky_incidents_free(e);
}

/* ---- JSON ---- */

static struct ky_incidents *rich(void)
{
	struct ky_incidents *e = engine(
		KY_INCIDENT_KEY_RULE | KY_INCIDENT_KEY_SRC, 3600 * S, 60 * S);
	const char *tags[] = {"attack.credential-access", "attack.t1110.001"};
	struct ky_incident_alert a =
		al(10, "ssh", T0, "srv", "root", "10.0.0.1");
	struct ky_err err = {0};
	struct ky_incident *inc;

	a.tags = tags;
	a.ntags = 2;
	a.event_hash = 0xfeedfacecafebeefULL;
	inc = ky_incidents_get(e, add(e, &a, KY_INC_OPENED));
	a.id = 11;
	a.time_ns += 2 * S;
	add(e, &a, KY_INC_FOLDED);
	a = al(12, "ioc", T0 + 3 * S, NULL, NULL, "10.0.0.1");
	a.kind = KY_ALERT_INDICATOR;
	a.indicator = "10.0.0.1";
	a.confidence = 70;
	a.rule_id = "ssh";
	add(e, &a, KY_INC_JOINED);
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED,
						"ana \"q\"", T0 + 9,
						"line\nnext", &err),
			 0);
	assert_int_equal(ky_incident_classify(inc, "intrusions",
					      "system-compromise", "ana",
					      T0 + 10, "root shell seen", &err),
			 0);
	assert_int_equal(ky_incident_set_pap(inc, KY_PAP_RED, "ana", T0 + 11,
					     NULL, &err),
			 0);
	a = al(13, "other", T0 + 4 * S, "x", NULL, NULL);
	add(e, &a, KY_INC_OPENED);
	return e;
}

static void test_json_round_trip(void **state)
{
	struct ky_incidents *e = rich(), *e2 = NULL;
	struct ky_incident *inc = ky_incidents_get(e, 1), *back = NULL;
	struct ky_err err = {0};
	struct ky_incident_config cfg;
	struct ky_incident_alert a;
	char *s1 = NULL, *s2 = NULL;
	size_t n1, n2;
	json_t *j, *st;

	(void)state;
	assert_int_equal(ky_incident_dump(inc, &s1, &n1), 0);
	if (ky_incident_load(s1, n1, &back, &err) != 0)
		fail_msg("load: %s", err.msg);
	assert_int_equal(ky_incident_dump(back, &s2, &n2), 0);
	assert_string_equal(s1, s2);
	assert_int_equal(ky_incident_rsit(back)->source, KY_RSIT_SRC_ANALYST);
	assert_int_equal(ky_incident_score(back), ky_incident_score(inc));
	j = json_loads(s1, 0, NULL);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(j, "classification"), "type")),
		"system-compromise");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(j, "attack"), 1)),
			    "attack.t1110.001");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(j, "alerts"), 0),
			"event_hash")),
		"feedfacecafebeef");
	assert_int_equal(json_integer_value(json_object_get(j, "alert_count")),
			 3);
	json_decref(j);
	free(s1);
	free(s2);
	ky_incident_free(back);

	/* the engine's state: a reloaded engine keeps grouping and dedup */
	st = ky_incidents_to_json(e);
	assert_non_null(st);
	ky_incident_config_default(&cfg);
	cfg.keys = KY_INCIDENT_KEY_RULE | KY_INCIDENT_KEY_SRC;
	assert_int_equal(ky_incidents_new(&e2, &cfg, &err), 0);
	if (ky_incidents_from_json(e2, st, &err) != 0)
		fail_msg("state: %s", err.msg);
	assert_int_equal(ky_incidents_count(e2), 2);
	a = al(20, "ssh", T0 + 30 * S, "srv", "root", "10.0.0.1");
	assert_int_equal(add(e2, &a, KY_INC_FOLDED), 1);
	a = al(21, "new", T0 + 30 * S, "srv", "root", "10.0.0.1");
	assert_int_equal(add(e2, &a, KY_INC_OPENED), 3);
	assert_int_equal(ky_incidents_from_json(e2, st, &err), 0);
	assert_int_equal(ky_incidents_count(e2), 2);
	json_decref(st);
	ky_incidents_free(e2);
	ky_incidents_free(e);
}

/* Loads the rich incident with one member replaced by a JSON text (NULL
 * removes it) and checks the error names path. */
static void bad(const char *ptr1, const char *ptr2, long idx,
		const char *member, const char *value, const char *want)
{
	struct ky_incidents *e = rich();
	json_t *j = ky_incident_to_json(ky_incidents_get(e, 1)), *o = j;
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	char *s;

	if (ptr1)
		o = json_object_get(o, ptr1);
	if (idx >= 0)
		o = json_array_get(o, (size_t)idx);
	if (ptr2)
		o = json_object_get(o, ptr2);
	assert_non_null(o);
	if (value)
		json_object_set_new(o, member,
				    json_loads(value, JSON_DECODE_ANY, NULL));
	else
		json_object_del(o, member);
	s = json_dumps(j, 0);
	assert_int_equal(ky_incident_load(s, strlen(s), &inc, &err),
			 KY_E_PARSE);
	assert_null(inc);
	if (strstr(err.msg, want) == NULL)
		fail_msg("want '%s', got '%s'", want, err.msg);
	free(s);
	json_decref(j);
	ky_incidents_free(e);
}

static void test_json_rejects(void **state)
{
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	char *deep;
	const char *texts[] = {"",	   "{",
			       "[]",	   "{\"id\":1",
			       "\"\xff\"", "{\"id\":1,\"title\":\"\\q\"}"};

	(void)state;
	bad("alerts", NULL, 0, "first_ns", "\"x\"",
	    "$.alerts[0].first_ns: expected an integer");
	bad(NULL, NULL, -1, "status", "\"reopened\"",
	    "$.status: unknown status");
	bad(NULL, NULL, -1, "title", NULL, "$.title: missing");
	bad(NULL, "classification", -1, "type", "\"spam\"",
	    "$.classification.type: not an RSIT class/type");
	bad(NULL, "key", -1, "foo", "\"x\"", "$.key.foo: unknown key field");
	bad(NULL, "tlp", -1, "level", "\"purple\"",
	    "$.tlp.level: unknown marking");
	bad(NULL, "severity", -1, "asset_criticality", "9",
	    "$.severity.asset_criticality: 9 out of range 1..5");
	bad("alerts", NULL, 0, "event_hash", "\"12\"",
	    "$.alerts[0].event_hash: expected 16 hex digits");
	bad("alerts", NULL, 0, "last_ns", "5",
	    "$.alerts[0].last_ns: 5 out of range");
	bad("history", NULL, 0, "who", "null", "$.history[0].who: must not");
	bad("rules", NULL, 0, "level", "\"severe\"",
	    "$.rules[0].level: unknown level");
	bad(NULL, NULL, -1, "alert_ids", "[1,\"2\"]",
	    "$.alert_ids[1]: expected an integer");
	bad(NULL, NULL, -1, "hosts", "{}", "$.hosts: expected an array");
	bad("indicators", NULL, 0, "confidence", "101",
	    "$.indicators[0].confidence: 101 out of range 0..100");
	{
		char big[6000];

		memset(big, 'a', sizeof(big));
		big[0] = '"';
		big[sizeof(big) - 2] = '"';
		big[sizeof(big) - 1] = '\0';
		bad(NULL, NULL, -1, "title", big, "$.title: string too long");
	}
	/* a tag that is not a string, deep inside */
	{
		struct ky_incidents *e = rich();
		json_t *j = ky_incident_to_json(ky_incidents_get(e, 1));
		json_t *tags = json_object_get(
			json_array_get(json_object_get(j, "rules"), 0), "tags");

		json_array_append_new(tags, json_integer(3));
		assert_int_equal(ky_incident_from_json(j, &inc, &err),
				 KY_E_PARSE);
		assert_non_null(strstr(err.msg, "$.rules[0].tags[2]: expected "
						"a string"));
		json_decref(j);
		ky_incidents_free(e);
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(ky_incident_load(texts[i], strlen(texts[i]),
						  &inc, &err),
				 KY_E_PARSE);
		assert_null(inc);
	}
	assert_int_equal(ky_incident_load("{\"id\":1", 7, &inc, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "line 1, column"));
	/* deep nesting is refused by the parser, not by a stack overflow */
	deep = malloc(200001);
	assert_non_null(deep);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	deep[200000] = '\0';
	assert_int_equal(ky_incident_load(deep, 200000, &inc, &err),
			 KY_E_PARSE);
	free(deep);
}

static void test_state_rejects(void **state)
{
	struct ky_incidents *e = rich(), *e2;
	json_t *st = ky_incidents_to_json(e);
	struct ky_err err = {0};

	(void)state;
	e2 = engine(KY_INCIDENT_KEY_RULE, S, 0);
	/* the same incident twice */
	json_array_append(json_object_get(st, "incidents"),
			  json_array_get(json_object_get(st, "incidents"), 0));
	assert_int_equal(ky_incidents_from_json(e2, st, &err), KY_E_EXISTS);
	assert_non_null(strstr(err.msg, "$.incidents[2]"));
	json_object_set_new(st, "next_id", json_string("7"));
	assert_int_equal(ky_incidents_from_json(e2, st, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "$.next_id: expected an integer"));
	json_decref(st);
	ky_incidents_free(e2);
	ky_incidents_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_boundary),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_missing_key_fields),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_closed_not_reopened),
		cmocka_unit_test(test_correlation),
		cmocka_unit_test(test_limits_and_bad_alerts),
		cmocka_unit_test(test_every_transition),
		cmocka_unit_test(test_transition_reasons),
		cmocka_unit_test(test_severity_formula),
		cmocka_unit_test(test_severity_recomputed),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_rejects),
		cmocka_unit_test(test_state_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
