/* Unit tests of the SQLite store: creation, migrations applied once, a
 * newer schema refused, read-only opens, WAL, ingest counts, dead
 * letters, alerts and module state, and what becomes of a version added
 * to the change log (added, duplicate, stale). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/share.h"
#include "store/store.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/kyklos-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/kyklos.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Runs one query with sqlite3 directly and returns the first column. */
static int raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_create_and_migrate_once(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};

	assert_true(ky_store_schema_latest() >= 1);
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_schema_version(s), ky_store_schema_latest());
	ky_store_close(s);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
			 ky_store_schema_latest());
	/* A marker row survives a reopen: the tables were not recreated. */
	raw_exec(f->path, "INSERT INTO deadletter (time_ns, input, reason) "
			  "VALUES (1, 'x', 'marker')");
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_schema_version(s), ky_store_schema_latest());
	ky_store_close(s);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM deadletter"),
			 1);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
			 ky_store_schema_latest());
}

static void test_wal_mode(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	ky_store_close(s);
}

static void test_newer_refused(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	char sql[64];

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	ky_store_close(s);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 ky_store_schema_latest() + 1);
	raw_exec(f->path, sql);
	s = NULL;
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), KY_E_STORE);
	assert_null(s);
	assert_non_null(strstr(err.msg, f->path));
	assert_non_null(strstr(err.msg, "newer"));
	err.msg[0] = '\0';
	assert_int_equal(
		ky_store_open(&s, f->path, KY_STORE_READONLY, 1000, &err),
		KY_E_STORE);
	assert_non_null(strstr(err.msg, "newer"));
}

static void test_readonly(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL, *ro = NULL;
	struct ky_err err = {0};
	struct ky_ingest_counts c = {1, 2, 1, 0};

	/* Missing: no creation. */
	assert_int_equal(
		ky_store_open(&ro, f->path, KY_STORE_READONLY, 1000, &err),
		KY_E_NOTFOUND);
	assert_int_equal(access(f->path, F_OK), -1);
	/* Not yet migrated: refused, left alone. */
	raw_exec(f->path, "CREATE TABLE t (x)");
	assert_int_equal(
		ky_store_open(&ro, f->path, KY_STORE_READONLY, 1000, &err),
		KY_E_STORE);
	assert_non_null(strstr(err.msg, "read-write"));
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 0);

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(
		ky_store_open(&ro, f->path, KY_STORE_READONLY, 1000, &err), 0);
	assert_int_equal(ky_store_schema_version(ro), ky_store_schema_latest());
	/* Writes through the read-only handle fail with the path named. */
	assert_int_equal(ky_store_add_ingest_counts(ro, "x", &c, 1, &err),
			 KY_E_STORE);
	assert_non_null(strstr(err.msg, f->path));
	/* It sees what the writer commits. */
	assert_int_equal(ky_store_add_ingest_counts(s, "x", &c, 1, &err), 0);
	uint64_t n = 99;
	assert_int_equal(ky_store_deadletter_count(ro, &n, &err), 0);
	assert_int_equal(n, 0);
	ky_store_close(ro);
	ky_store_close(s);
}

static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	fputs("this is not an SQLite database, just text that is long enough "
	      "to fill a header of one hundred bytes.........................",
	      fp);
	fclose(fp);
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), KY_E_STORE);
	assert_null(s);
	assert_non_null(strstr(err.msg, f->path));
}

struct stats {
	int n;
	char input[4][32];
	struct ky_ingest_counts c[4];
	int64_t first[4], last[4];
};

static int collect_stats(void *ud, const struct ky_ingest_stat_row *row)
{
	struct stats *s = ud;

	if (s->n >= 4)
		return 1;
	snprintf(s->input[s->n], sizeof(s->input[0]), "%s", row->input);
	s->c[s->n] = row->counts;
	s->first[s->n] = row->first_ns;
	s->last[s->n] = row->last_ns;
	s->n++;
	return 0;
}

static void test_ingest_counts_accumulate(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	struct ky_ingest_counts a = {10, 1000, 8, 2};
	struct ky_ingest_counts b = {5, 500, 5, 0};
	struct stats st = {0};

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_add_ingest_counts(s, "udp:127.0.0.1:5514", &a,
						    100, &err),
			 0);
	assert_int_equal(
		ky_store_add_ingest_counts(s, "file:/var/log/x", &a, 200, &err),
		0);
	assert_int_equal(
		ky_store_add_ingest_counts(s, "file:/var/log/x", &b, 300, &err),
		0);
	ky_store_close(s);
	/* Survives a reopen. */
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_ingest_stats(s, collect_stats, &st, &err), 0);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.input[0], "file:/var/log/x"); /* by name */
	assert_int_equal(st.c[0].records, 15);
	assert_int_equal(st.c[0].bytes, 1500);
	assert_int_equal(st.c[0].accepted, 13);
	assert_int_equal(st.c[0].rejected, 2);
	assert_int_equal(st.first[0], 200);
	assert_int_equal(st.last[0], 300);
	assert_string_equal(st.input[1], "udp:127.0.0.1:5514");
	assert_int_equal(st.c[1].records, 10);
	assert_int_equal(st.first[1], 100);
	assert_int_equal(st.last[1], 100);
	ky_store_close(s);
}

struct dls {
	int n;
	int64_t id[8];
	uint64_t line[8], offset[8];
	char reason[8][64];
	char raw[8][16];
	size_t raw_len[8];
};

static int collect_dl(void *ud, const struct ky_deadletter_row *row)
{
	struct dls *d = ud;

	if (d->n >= 8)
		return 7;
	d->id[d->n] = row->id;
	d->line[d->n] = row->line;
	d->offset[d->n] = row->offset;
	snprintf(d->reason[d->n], 64, "%s", row->reason);
	d->raw_len[d->n] = row->raw_len;
	memcpy(d->raw[d->n], row->raw, row->raw_len < 16 ? row->raw_len : 16);
	d->n++;
	return 0;
}

static void test_deadletters(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	struct dls d = {0};
	uint64_t n = 0;
	/* Raw bytes are a BLOB: NUL and invalid UTF-8 survive. */
	static const char raw2[] = {'a', '\0', (char)0xff, 'b'};

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_begin(s, &err), 0);
	for (int i = 0; i < 3; i++) {
		struct ky_deadletter_row row = {
			.time_ns = 1000 + i,
			.input = "in.log",
			.line = (uint64_t)i + 1,
			.offset = (uint64_t)i * 10,
			.reason = i == 1 ? "in.log:2: bad" : "in.log: other",
			.raw = i == 1 ? raw2 : "xyz",
			.raw_len = i == 1 ? sizeof(raw2) : 3,
		};
		assert_int_equal(ky_store_add_deadletter(s, &row, &err), 0);
	}
	assert_int_equal(ky_store_commit(s, &err), 0);
	assert_int_equal(ky_store_deadletter_count(s, &n, &err), 0);
	assert_int_equal(n, 3);

	assert_int_equal(ky_store_deadletters(s, 2, collect_dl, &d, &err), 0);
	assert_int_equal(d.n, 2);	/* limit */
	assert_true(d.id[0] > d.id[1]); /* newest first */
	assert_int_equal(d.line[0], 3);
	assert_int_equal(d.line[1], 2);
	assert_int_equal(d.offset[1], 10);
	assert_string_equal(d.reason[1], "in.log:2: bad");
	assert_int_equal(d.raw_len[1], sizeof(raw2));
	assert_memory_equal(d.raw[1], raw2, sizeof(raw2));

	memset(&d, 0, sizeof(d));
	assert_int_equal(ky_store_deadletters(s, 0, collect_dl, &d, &err), 0);
	assert_int_equal(d.n, 3);
	/* The callback's non-zero return stops and is returned. */
	memset(&d, 0, sizeof(d));
	d.n = 8;
	assert_int_equal(ky_store_deadletters(s, 0, collect_dl, &d, &err), 7);

	/* A rolled back batch leaves nothing. */
	assert_int_equal(ky_store_begin(s, &err), 0);
	struct ky_deadletter_row row = {.input = "x", .reason = "y"};
	assert_int_equal(ky_store_add_deadletter(s, &row, &err), 0);
	assert_int_equal(ky_store_rollback(s), 0);
	assert_int_equal(ky_store_deadletter_count(s, &n, &err), 0);
	assert_int_equal(n, 3);
	ky_store_close(s);
}

struct alerts {
	size_t n;
	int64_t id[8];
	enum ky_alert_kind kind[8];
	char rule[8][32];
	char host[8][32];
	int has_user[8];
	char json[8][64];
	int level[8];
};

static int collect_alert(void *ud, const struct ky_alert_row *row)
{
	struct alerts *a = ud;

	if (a->n >= 8)
		return 7;
	a->id[a->n] = row->id;
	a->kind[a->n] = row->kind;
	snprintf(a->rule[a->n], sizeof(a->rule[0]), "%s", row->rule_id);
	snprintf(a->host[a->n], sizeof(a->host[0]), "%s",
		 row->host ? row->host : "(null)");
	a->has_user[a->n] = row->user != NULL;
	snprintf(a->json[a->n], sizeof(a->json[0]), "%.*s", (int)row->json_len,
		 row->json);
	a->level[a->n] = row->level;
	a->n++;
	return 0;
}

static void test_alerts(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	struct alerts a = {0};
	uint64_t n = 0;

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	for (int i = 0; i < 3; i++) {
		char json[32];
		struct ky_alert_row row = {
			.kind = (enum ky_alert_kind)i,
			.time_ns = 100 + i,
			.recv_ns = 200 + i,
			.created_ns = 1000 * (i + 1),
			.rule_id = i == 0   ? "r-0"
				   : i == 1 ? "corr-1"
					    : "list.txt:10.0.0.1",
			.title = "t",
			.level = i + 2,
			.host = i == 1 ? NULL : "ws1",
			.user = i == 2 ? "bob" : NULL,
			.src_ip = "10.0.0.1",
			.json = json,
		};
		row.json_len =
			(size_t)snprintf(json, sizeof(json), "{\"n\":%d}", i);
		assert_int_equal(ky_store_add_alert(s, &row, &err), 0);
	}
	assert_int_equal(ky_store_alert_count(s, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ky_store_alerts(s, 0, 0, collect_alert, &a, &err), 0);
	assert_int_equal(a.n, 3);
	assert_true(a.id[0] > a.id[1]); /* newest first */
	assert_int_equal(a.kind[0], KY_ALERT_INDICATOR);
	assert_int_equal(a.kind[1], KY_ALERT_CORRELATION);
	assert_int_equal(a.kind[2], KY_ALERT_RULE);
	assert_string_equal(a.rule[1], "corr-1");
	assert_string_equal(a.host[1], "(null)");
	assert_string_equal(a.host[0], "ws1");
	assert_true(a.has_user[0]);
	assert_false(a.has_user[1]);
	assert_string_equal(a.json[2], "{\"n\":0}");
	assert_int_equal(a.level[0], 4);
	assert_string_equal(ky_alert_kind_name(KY_ALERT_CORRELATION),
			    "correlation");

	/* since_ns and limit */
	memset(&a, 0, sizeof(a));
	assert_int_equal(ky_store_alerts(s, 0, 2000, collect_alert, &a, &err),
			 0);
	assert_int_equal(a.n, 2);
	memset(&a, 0, sizeof(a));
	assert_int_equal(ky_store_alerts(s, 1, 0, collect_alert, &a, &err), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rule[0], "list.txt:10.0.0.1");
	ky_store_close(s);
}

static void test_state(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	void *data = NULL;
	size_t len = 0;
	static const char blob[] = {'\0', 'x', (char)0xff};

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_get_state(s, "corr", &data, &len, &err),
			 KY_E_NOTFOUND);
	assert_null(data);
	assert_int_equal(ky_store_put_state(s, "corr", "old", 3, 1, &err), 0);
	assert_int_equal(
		ky_store_put_state(s, "corr", blob, sizeof(blob), 2, &err), 0);
	assert_int_equal(ky_store_put_state(s, "empty", NULL, 0, 2, &err), 0);
	ky_store_close(s);

	/* replaced whole, and kept across a reopen */
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_get_state(s, "corr", &data, &len, &err), 0);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(data, blob, sizeof(blob));
	free(data);
	assert_int_equal(ky_store_get_state(s, "empty", &data, &len, &err), 0);
	assert_int_equal(len, 0);
	free(data);
	ky_store_close(s);
}

/* The ids and JSON texts of the documents listed, joined by ';'. */
static int collect_doc(void *ud, const struct ky_doc_row *row)
{
	char *acc = ud;
	size_t o = strlen(acc);

	snprintf(acc + o, 256 - o, "%s%s=%.*s@%lld", o ? ";" : "", row->id,
		 (int)row->json_len, row->json, (long long)row->updated_ns);
	return 0;
}

static int stop_doc(void *ud, const struct ky_doc_row *row)
{
	(void)ud;
	(void)row;
	return 7;
}

static void test_docs(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	char acc[256] = "";

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(
		ky_store_get_doc(s, "asset", "h1", collect_doc, acc, &err),
		KY_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "no asset h1"));
	assert_int_equal(
		ky_store_put_doc(s, "asset", "h2", "{\"b\":2}", 7, 5, &err), 0);
	assert_int_equal(
		ky_store_put_doc(s, "asset", "h1", "{\"a\":1}", 7, 5, &err), 0);
	assert_int_equal(
		ky_store_put_doc(s, "advisory", "h1", "{}", 2, 6, &err), 0);
	/* replaced whole, by kind and id */
	assert_int_equal(
		ky_store_put_doc(s, "asset", "h1", "{\"a\":3}", 7, 9, &err), 0);
	ky_store_close(s);

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_docs(s, "asset", collect_doc, acc, &err), 0);
	assert_string_equal(acc, "h1={\"a\":3}@9;h2={\"b\":2}@5");
	acc[0] = '\0';
	assert_int_equal(
		ky_store_get_doc(s, "advisory", "h1", collect_doc, acc, &err),
		0);
	assert_string_equal(acc, "h1={}@6");
	assert_int_equal(ky_store_docs(s, "asset", stop_doc, NULL, &err), 7);
	acc[0] = '\0';
	assert_int_equal(ky_store_docs(s, "none", collect_doc, acc, &err), 0);
	assert_string_equal(acc, "");
	ky_store_close(s);
}

/* A database of schema 1 (issue 2) gains the alert and state tables and
 * keeps its rows. */
static void test_migrate_from_v1(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	uint64_t n = 0;

	raw_exec(f->path,
		 "CREATE TABLE ingest_stats (input TEXT PRIMARY KEY, records "
		 "INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT "
		 "0, accepted INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT "
		 "NULL DEFAULT 0, first_ns INTEGER NOT NULL, last_ns INTEGER "
		 "NOT NULL); CREATE TABLE deadletter (id INTEGER PRIMARY KEY, "
		 "time_ns INTEGER NOT NULL, input TEXT NOT NULL, line INTEGER "
		 "NOT NULL DEFAULT 0, offset INTEGER NOT NULL DEFAULT 0, "
		 "reason TEXT NOT NULL, raw BLOB); INSERT INTO deadletter "
		 "(time_ns, input, reason) VALUES (1, 'a', 'b'); PRAGMA "
		 "user_version = 1;");
	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(ky_store_schema_version(s), ky_store_schema_latest());
	assert_int_equal(ky_store_deadletter_count(s, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ky_store_alert_count(s, &n, &err), 0);
	assert_int_equal(n, 0);
	ky_store_close(s);
}

/* One version of object "indicator--x" at modified_ns m: its outcome. */
static int add_version(struct ky_store *s, int op, int64_t m)
{
	static const uint8_t h[32];
	struct ky_change c = {0};
	struct ky_err err = {0};
	char mod[32];
	int outcome = -1;

	snprintf(mod, sizeof(mod), "t%lld", (long long)m);
	c.id = "indicator--x";
	c.modified = mod;
	c.modified_ns = m;
	c.type = "indicator";
	c.op = op;
	c.origin = "kyorigin";
	c.object = op == KY_CHANGE_PUT ? "{}" : NULL;
	c.object_len = op == KY_CHANGE_PUT ? 2 : 0;
	memcpy(c.sha256, h, 32);
	c.hops = "[]";
	assert_int_equal(ky_changes_add(s, &c, &outcome, &err), 0);
	return outcome;
}

static int cur_op(void *ud, const struct ky_change *c)
{
	int64_t *v = ud;

	v[0] = c->modified_ns;
	v[1] = c->op;
	return 0;
}

/* Apply is idempotent and keeps the newest: the same version again is a
 * duplicate, an older one stale, a newer one added; at the same instant a
 * delete beats a put (it is the later act) and not the other way round. */
static void test_change_outcomes(void **state)
{
	struct fixture *f = *state;
	struct ky_store *s = NULL;
	struct ky_err err = {0};
	int64_t cur[2] = {0, -1};

	assert_int_equal(ky_store_open(&s, f->path, 0, 1000, &err), 0);
	assert_int_equal(add_version(s, KY_CHANGE_PUT, 100), KY_CHANGE_ADDED);
	assert_int_equal(add_version(s, KY_CHANGE_PUT, 100),
			 KY_CHANGE_DUPLICATE);
	assert_int_equal(add_version(s, KY_CHANGE_PUT, 50), KY_CHANGE_STALE);
	assert_int_equal(add_version(s, KY_CHANGE_PUT, 200), KY_CHANGE_ADDED);
	assert_int_equal(add_version(s, KY_CHANGE_DELETE, 200),
			 KY_CHANGE_ADDED);
	assert_int_equal(add_version(s, KY_CHANGE_PUT, 200),
			 KY_CHANGE_DUPLICATE);
	assert_int_equal(add_version(s, KY_CHANGE_DELETE, 200),
			 KY_CHANGE_DUPLICATE);
	assert_int_equal(add_version(s, KY_CHANGE_DELETE, 150),
			 KY_CHANGE_STALE);
	assert_int_equal(
		ky_changes_current(s, "indicator--x", cur_op, cur, &err), 0);
	assert_true(cur[0] == 200 && cur[1] == KY_CHANGE_DELETE);
	ky_store_close(s);
	/* only what was added was written */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM changes"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_migrate_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ingest_counts_accumulate,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadletters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_outcomes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
