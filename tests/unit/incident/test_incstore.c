/* Incidents kept in a real SQLite store (intel/incstore.h): alerts grouped
 * by cursor exactly once, documents written, two writers on one file (the
 * daemon and the command line) never losing each other's changes, ids never
 * reused, asset criticality from the stored inventory, bad alerts skipped,
 * savepoints, and the configuration and id parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"
#include "base/time.h"
#include "intel/incstore.h"

#define S KY_NS_PER_SEC
#define T0 ((int64_t)1767225600 * S) /* 2026-01-01T00:00:00Z */

struct fx {
	char dir[64], path[96];
	struct ky_store *st;
	int64_t next_alert;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ky_err err = {0};

	snprintf(f->dir, sizeof(f->dir), "/tmp/ky-incstore-XXXXXX");
	if (f == NULL || mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/k.db", f->dir);
	if (ky_store_open(&f->st, f->path, 0, 2000, &err) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	ky_store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Stores one rule alert shaped like src/detect/alert.c's. */
static void put_alert(struct ky_store *st, const char *rule, int64_t t,
		      const char *host, const char *event, int level)
{
	struct ky_alert_row row = {0};
	struct ky_err err = {0};
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"rule\":{\"id\":\"%s\",\"title\":\"Rule %s\",\"level\":"
		 "\"high\",\"tags\":[\"attack.credential-access\","
		 "\"attack.t1110.001\"],\"author\":\"t\",\"path\":null},"
		 "\"matched\":[],\"time\":null,\"received\":null,"
		 "\"event\":\"%s\"}",
		 rule, rule, event);
	row.kind = KY_ALERT_RULE;
	row.time_ns = t;
	row.recv_ns = t;
	row.created_ns = t;
	row.rule_id = rule;
	row.title = rule;
	row.level = level;
	row.host = host;
	row.json = json;
	row.json_len = strlen(json);
	assert_int_equal(ky_store_add_alert(st, &row, &err), 0);
}

static struct ky_incstore *book(void)
{
	struct ky_incident_config cfg;
	struct ky_incstore *b = NULL;
	struct ky_err err = {0};

	ky_incident_config_default(&cfg);
	assert_int_equal(ky_incstore_new(&b, &cfg, &err), 0);
	return b;
}

/* One transaction: sync everything pending. */
static struct ky_incstore_counts sync_all(struct ky_incstore *b,
					  struct ky_store *st, int64_t now)
{
	struct ky_incstore_counts c = {0};
	struct ky_err err = {0};

	assert_int_equal(ky_store_begin(st, &err), 0);
	if (ky_incstore_sync(b, st, now, 0, &c, &err) != 0)
		fail_msg("sync: %s", err.msg);
	assert_int_equal(ky_store_commit(st, &err), 0);
	return c;
}

static struct ky_incident *get(struct ky_store *st, int64_t id)
{
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};

	if (ky_incstore_get(st, id, &inc, &err) != 0)
		fail_msg("get %lld: %s", (long long)id, err.msg);
	return inc;
}

static int count_one(void *ud, const struct ky_incident *inc)
{
	(void)inc;
	(*(size_t *)ud)++;
	return 0;
}

static size_t stored(struct ky_store *st)
{
	struct ky_err err = {0};
	size_t n = 0;

	assert_int_equal(ky_incstore_each(st, count_one, &n, &err), 0);
	return n;
}

static void test_group_once(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *b = book();
	struct ky_incstore_counts c;
	struct ky_incident *inc;

	put_alert(f->st, "ssh", T0, "srv1", "e1", 3);
	put_alert(f->st, "ssh", T0 + 5 * S, "srv1", "e2", 3);
	put_alert(f->st, "ssh", T0 + 6 * S, "srv2", "e3", 3);
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 3);
	assert_int_equal(c.opened, 2);
	assert_int_equal(c.written, 2);
	assert_int_equal(stored(f->st), 2);
	inc = get(f->st, 1);
	assert_int_equal(ky_incident_alert_count(inc), 2);
	assert_int_equal(ky_incident_host_count(inc), 1);
	assert_int_equal(ky_incident_status(inc), KY_INC_NEW);
	ky_incident_free(inc);
	/* nothing new: nothing grouped twice, nothing written */
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 0);
	assert_int_equal(c.written, 0);
	put_alert(f->st, "ssh", T0 + 10 * S, "srv1", "e4", 3);
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 1);
	assert_int_equal(c.joined + c.folded, 1);
	inc = get(f->st, 1);
	assert_int_equal(ky_incident_alert_count(inc), 3);
	ky_incident_free(inc);
	/* a fresh book (another process) starts from the stored cursor */
	ky_incstore_free(b);
	b = book();
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 0);
	assert_int_equal(c.reloads, 1);
	assert_int_equal(ky_incidents_count(ky_incstore_engine(b)), 2);
	ky_incstore_free(b);
}

static void test_max(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *b = book();
	struct ky_incstore_counts c = {0};
	struct ky_err err = {0};

	for (int i = 0; i < 5; i++)
		put_alert(f->st, "r", T0 + i * S, "h", "e", 2);
	assert_int_equal(ky_store_begin(f->st, &err), 0);
	assert_int_equal(ky_incstore_sync(b, f->st, T0, 2, &c, &err), 0);
	assert_int_equal(ky_store_commit(f->st, &err), 0);
	assert_int_equal(c.alerts, 2);
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 3);
	ky_incstore_free(b);
}

/* The daemon (a) and the CLI (b) on two connections to one file. */
static void test_two_writers(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *a = book(), *b = book();
	struct ky_store *st2 = NULL;
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	bool owned;

	assert_int_equal(ky_store_open(&st2, f->path, 0, 2000, &err), 0);
	put_alert(f->st, "ssh", T0, "srv1", "e1", 3);
	sync_all(a, f->st, T0);
	/* the analyst acknowledges through the other connection */
	assert_int_equal(ky_store_begin(st2, &err), 0);
	assert_int_equal(ky_incstore_sync(b, st2, T0, 0, NULL, &err), 0);
	assert_int_equal(ky_incstore_find(b, st2, 1, &inc, &owned, &err), 0);
	assert_false(owned);
	assert_int_equal(ky_incident_transition(inc, KY_INC_ACKNOWLEDGED, "ana",
						T0 + S, NULL, &err),
			 0);
	assert_int_equal(ky_incstore_save(b, st2, inc, T0 + S, &err), 0);
	assert_int_equal(ky_store_commit(st2, &err), 0);
	/* the daemon groups a new alert of the same key */
	put_alert(f->st, "ssh", T0 + 2 * S, "srv1", "e2", 3);
	struct ky_incstore_counts c = sync_all(a, f->st, T0 + 2 * S);
	assert_int_equal(c.reloads, 1); /* it saw the other writer */
	inc = get(f->st, 1);
	assert_int_equal(ky_incident_status(inc), KY_INC_ACKNOWLEDGED);
	assert_int_equal(ky_incident_alert_count(inc), 2);
	assert_int_equal(ky_incident_history_count(inc), 1);
	ky_incident_free(inc);
	/* and the CLI, next time, sees the daemon's alert */
	sync_all(b, st2, T0 + 3 * S);
	inc = ky_incidents_get(ky_incstore_engine(b), 1);
	assert_non_null(inc);
	assert_int_equal(ky_incident_alert_count(inc), 2);
	ky_store_close(st2);
	ky_incstore_free(a);
	ky_incstore_free(b);
}

static void test_ids_not_reused(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *b = book();
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	bool owned;

	put_alert(f->st, "a", T0, "h1", "e1", 2);
	put_alert(f->st, "b", T0, "h2", "e2", 2);
	sync_all(b, f->st, T0);
	/* close incident 2 (the highest id) and let it go quiet */
	assert_int_equal(ky_store_begin(f->st, &err), 0);
	assert_int_equal(ky_incstore_find(b, f->st, 2, &inc, &owned, &err), 0);
	assert_int_equal(ky_incident_transition(inc, KY_INC_FALSE_POSITIVE,
						"ana", T0 + S, "benign", &err),
			 0);
	assert_int_equal(ky_incstore_save(b, f->st, inc, T0 + S, &err), 0);
	assert_int_equal(ky_store_commit(f->st, &err), 0);
	/* a new process, hours later: 2 is quiet and not even loaded, and
	 * the next incident must still not take its id */
	ky_incstore_free(b);
	b = book();
	put_alert(f->st, "c", T0 + 5 * 3600 * S, "h3", "e3", 2);
	sync_all(b, f->st, T0 + 5 * 3600 * S);
	assert_null(ky_incidents_get(ky_incstore_engine(b), 2));
	inc = get(f->st, 2);
	assert_int_equal(ky_incident_status(inc), KY_INC_FALSE_POSITIVE);
	assert_string_equal(ky_incident_title(inc), "b");
	ky_incident_free(inc);
	assert_int_equal(stored(f->st), 3);
	inc = get(f->st, 3);
	assert_string_equal(ky_incident_title(inc), "c");
	ky_incident_free(inc);
	ky_incstore_free(b);
}

static void put_asset(struct ky_store *st, const char *id, const char *host,
		      int crit)
{
	struct ky_err err = {0};
	char json[256];

	snprintf(json, sizeof(json),
		 "{\"id\":\"%s\",\"hostnames\":[\"%s\"],\"criticality\":%d}",
		 id, host, crit);
	assert_int_equal(
		ky_store_put_doc(st, "asset", id, json, strlen(json), T0, &err),
		0);
}

static void test_asset_criticality(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *b = book();
	struct ky_incident *plc, *ws;
	struct ky_err err = {0};
	int before;

	put_asset(f->st, "plc", "plc-07", 5);
	put_alert(f->st, "r", T0, "plc-07", "e1", 3);
	put_alert(f->st, "r", T0, "ws-unknown", "e2", 3);
	sync_all(b, f->st, T0);
	plc = get(f->st, 1);
	ws = get(f->st, 2);
	/* same rule and level: only the asset differs */
	assert_true(ky_incident_score(plc) > ky_incident_score(ws));
	before = ky_incident_score(ws);
	ky_incident_free(plc);
	ky_incident_free(ws);
	/* the inventory learns the workstation is critical */
	put_asset(f->st, "ws", "ws-unknown", 5);
	assert_int_equal(ky_store_begin(f->st, &err), 0);
	assert_int_equal(ky_incstore_recompute(b, f->st, T0, &err), 0);
	assert_int_equal(ky_store_commit(f->st, &err), 0);
	ws = get(f->st, 2);
	assert_true(ky_incident_score(ws) > before);
	ky_incident_free(ws);
	ky_incstore_free(b);
}

static void test_bad_alert_skipped(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *b = book();
	struct ky_alert_row row = {0};
	struct ky_err err = {0};
	struct ky_incstore_counts c;

	row.kind = KY_ALERT_RULE;
	row.time_ns = row.recv_ns = row.created_ns = T0;
	row.rule_id = "r";
	row.title = "r";
	row.json = "{not json";
	row.json_len = strlen(row.json);
	assert_int_equal(ky_store_add_alert(f->st, &row, &err), 0);
	put_alert(f->st, "r", T0 + S, "h", "e", 2);
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 2);
	assert_int_equal(c.refused, 1);
	assert_int_equal(c.opened, 1);
	/* and it is not retried */
	c = sync_all(b, f->st, T0);
	assert_int_equal(c.alerts, 0);
	ky_incstore_free(b);
}

static void test_alert_from_row(void **state)
{
	static const char ioc[] =
		"{\"indicator\":{\"type\":\"ip\",\"value\":\"203.0.113.9\","
		"\"list\":\"c2.txt\",\"line\":3,\"confidence\":85},"
		"\"matched\":[],\"event\":\"raw event\"}";
	static const char corr[] =
		"{\"rule\":{\"id\":\"c1\",\"tags\":[\"attack.t1110\"]},"
		"\"correlation\":{\"type\":\"event_count\",\"rules\":[\"name\"]"
		","
		"\"rule_ids\":[\"uuid-1\",\"uuid-2\"],"
		"\"first\":\"2026-01-01T00:00:00.000Z\"},\"event\":\"raw "
		"event\"}";
	struct ky_alert_row row = {0};
	struct ky_incstore_alert x, y;
	struct ky_err err = {0};

	(void)state;
	row.id = 7;
	row.kind = KY_ALERT_INDICATOR;
	row.rule_id = "c2.txt:203.0.113.9";
	row.json = ioc;
	row.json_len = strlen(ioc);
	assert_int_equal(ky_incstore_alert_from_row(&row, &x, &err), 0);
	assert_string_equal(x.a.indicator, "203.0.113.9");
	assert_int_equal(x.a.confidence, 85);
	assert_int_equal(x.a.ntags, 0);
	row.kind = KY_ALERT_CORRELATION;
	row.json = corr;
	row.json_len = strlen(corr);
	assert_int_equal(ky_incstore_alert_from_row(&row, &y, &err), 0);
	assert_int_equal(y.a.ncorr_rules, 2); /* the resolved ids win */
	assert_string_equal(y.a.corr_rules[1], "uuid-2");
	assert_int_equal(y.a.corr_first_ns, T0);
	assert_int_equal(y.a.ntags, 1);
	assert_string_equal(y.a.tags[0], "attack.t1110");
	/* the same event text, the same stable hash */
	assert_true(x.a.event_hash != 0);
	assert_true(x.a.event_hash == y.a.event_hash);
	ky_incstore_alert_clear(&x);
	ky_incstore_alert_clear(&y);
	row.json = "[1]";
	row.json_len = 3;
	assert_int_equal(ky_incstore_alert_from_row(&row, &x, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "alert 7"));
	ky_incstore_alert_clear(&x);
}

/* A failed grouping under a savepoint leaves the batch's alerts. */
static void test_savepoint(void **state)
{
	struct fx *f = *state;
	struct ky_incstore *b = book();
	struct ky_err err = {0};
	uint64_t n = 0;

	assert_int_equal(ky_store_begin(f->st, &err), 0);
	put_alert(f->st, "r", T0, "h", "e", 2);
	assert_int_equal(ky_store_savepoint(f->st, "incidents",
					    KY_SAVEPOINT_BEGIN, &err),
			 0);
	assert_int_equal(ky_incstore_sync(b, f->st, T0, 0, NULL, &err), 0);
	assert_int_equal(stored(f->st), 1);
	assert_int_equal(ky_store_savepoint(f->st, "incidents",
					    KY_SAVEPOINT_ROLLBACK, &err),
			 0);
	assert_int_equal(ky_store_commit(f->st, &err), 0);
	assert_int_equal(ky_store_alert_count(f->st, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(stored(f->st), 0);
	assert_int_equal(ky_store_savepoint(f->st, "Bad name", 0, &err),
			 KY_E_INVAL);
	/* the book's memory is ahead of the store: a new one regroups */
	ky_incstore_free(b);
	b = book();
	assert_int_equal(sync_all(b, f->st, T0).alerts, 1);
	assert_int_equal(stored(f->st), 1);
	ky_incstore_free(b);
}

static void test_config_and_ids(void **state)
{
	struct ky_config cfg;
	struct ky_incident_config ic;
	struct ky_err err = {0};
	int64_t id;

	(void)state;
	assert_int_equal(ky_config_defaults(&cfg), 0);
	assert_int_equal(ky_incstore_config(&cfg, &ic, &err), 0);
	assert_int_equal(ic.keys, KY_INCIDENT_KEY_RULE | KY_INCIDENT_KEY_HOST);
	assert_int_equal(ic.window_ns, 3600 * S);
	assert_int_equal(ic.tlp_by_band[3], KY_TLP_AMBER_STRICT);
	free(cfg.inc_group_by);
	cfg.inc_group_by = strdup("user, src_ip");
	assert_int_equal(ky_incstore_config(&cfg, &ic, &err), 0);
	assert_int_equal(ic.keys, KY_INCIDENT_KEY_USER | KY_INCIDENT_KEY_SRC);
	free(cfg.inc_group_by);
	cfg.inc_group_by = strdup("rule,hostname");
	assert_int_equal(ky_incstore_config(&cfg, &ic, &err), KY_E_INVAL);
	assert_non_null(strstr(err.msg, "'hostname'"));
	free(cfg.inc_group_by);
	cfg.inc_group_by = strdup("");
	free(cfg.inc_tlp_by_band);
	cfg.inc_tlp_by_band = strdup("green,amber,red");
	assert_int_equal(ky_incstore_config(&cfg, &ic, &err), KY_E_INVAL);
	assert_non_null(strstr(err.msg, "3 given"));
	ky_config_free(&cfg);

	assert_int_equal(ky_incident_id_parse("7", &id, &err), 0);
	assert_int_equal(id, 7);
	assert_int_equal(ky_incident_id_parse("INC-12", &id, &err), 0);
	assert_int_equal(id, 12);
	assert_int_equal(ky_incident_id_parse("inc-3", &id, &err), 0);
	assert_int_equal(id, 3);
	const char *bad[] = {"", "0", "x", "7x", "INC-", "-1", "INC--2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ky_incident_id_parse(bad[i], &id, &err),
				 KY_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ids_not_reused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_asset_criticality, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_alert_skipped, setup,
						teardown),
		cmocka_unit_test(test_alert_from_row),
		cmocka_unit_test_setup_teardown(test_savepoint, setup,
						teardown),
		cmocka_unit_test(test_config_and_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
