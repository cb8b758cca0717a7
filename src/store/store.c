/* The SQLite store: opening in WAL mode, forward migrations from schema.c,
 * and the typed queries of every module.  All SQL of the program lives in
 * src/store/; prepared statements are cached per connection. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store/store.h"

#include "store/schema.h"
#include "store/store_int.h"

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_INGEST_ADD,
	ST_INGEST_LIST,
	ST_DL_ADD,
	ST_DL_LIST,
	ST_DL_COUNT,
	ST_ALERT_ADD,
	ST_ALERT_LIST,
	ST_ALERT_COUNT,
	ST_ALERT_AFTER,
	ST_ALERT_GET,
	ST_ALERT_MAX,
	ST_STATE_PUT,
	ST_STATE_GET,
	ST_DOC_PUT,
	ST_DOC_GET,
	ST_DOC_LIST,
	ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_INGEST_ADD] =
		"INSERT INTO ingest_stats (input, records, bytes, accepted,"
		" rejected, first_ns, last_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		"?6)"
		" ON CONFLICT (input) DO UPDATE SET"
		" records = records + excluded.records,"
		" bytes = bytes + excluded.bytes,"
		" accepted = accepted + excluded.accepted,"
		" rejected = rejected + excluded.rejected,"
		" last_ns = max(last_ns, excluded.last_ns)",
	[ST_INGEST_LIST] =
		"SELECT input, records, bytes, accepted, rejected,"
		" first_ns, last_ns FROM ingest_stats ORDER BY input",
	[ST_DL_ADD] = "INSERT INTO deadletter (time_ns, input, line, offset,"
		      " reason, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_DL_LIST] = "SELECT id, time_ns, input, line, offset, reason, raw"
		       " FROM deadletter ORDER BY id DESC LIMIT ?1",
	[ST_DL_COUNT] = "SELECT count(*) FROM deadletter",
	[ST_ALERT_ADD] =
		"INSERT INTO alerts (kind, time_ns, recv_ns, created_ns,"
		" rule_id, title, level, host, user, src_ip, json)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_ALERT_LIST] =
		"SELECT id, kind, time_ns, recv_ns, created_ns, rule_id, title,"
		" level, host, user, src_ip, json FROM alerts"
		" WHERE created_ns >= ?2 ORDER BY id DESC LIMIT ?1",
	[ST_ALERT_COUNT] = "SELECT count(*) FROM alerts",
	[ST_ALERT_AFTER] =
		"SELECT id, kind, time_ns, recv_ns, created_ns, rule_id, title,"
		" level, host, user, src_ip, json FROM alerts"
		" WHERE id > ?2 ORDER BY id LIMIT ?1",
	[ST_ALERT_GET] =
		"SELECT id, kind, time_ns, recv_ns, created_ns, rule_id, title,"
		" level, host, user, src_ip, json FROM alerts WHERE id = ?2"
		" LIMIT ?1",
	[ST_ALERT_MAX] = "SELECT coalesce(max(id), 0) FROM alerts",
	[ST_STATE_PUT] = "INSERT INTO state (name, data, saved_ns)"
			 " VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE"
			 " SET data = excluded.data,"
			 " saved_ns = excluded.saved_ns",
	[ST_STATE_GET] = "SELECT data FROM state WHERE name = ?1",
	[ST_DOC_PUT] = "INSERT INTO docs (kind, id, json, updated_ns)"
		       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kind, id) DO"
		       " UPDATE SET json = excluded.json,"
		       " updated_ns = excluded.updated_ns",
	[ST_DOC_GET] = "SELECT json, updated_ns FROM docs"
		       " WHERE kind = ?1 AND id = ?2",
	[ST_DOC_LIST] = "SELECT id, json, updated_ns FROM docs WHERE kind = ?1"
			" ORDER BY id",
};

struct ky_store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	int version;
	sqlite3_stmt *stmt[ST__COUNT];
	sqlite3_stmt *ext[KY__STORE_EXT_MAX]; /* other files' statements */
};

static int db_error(struct ky_store *s, struct ky_err *err, const char *what)
{
	return ky_err_set(err, KY_E_STORE, "%s: %s: %s", s->path, what,
			  s->db ? sqlite3_errmsg(s->db) : "cannot open");
}

/* The cached statement, prepared on first use and reset for reuse. */
static sqlite3_stmt *stmt_get(struct ky_store *s, enum stmt_id id,
			      struct ky_err *err)
{
	if (!s->stmt[id]) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
				       NULL) != SQLITE_OK) {
			db_error(s, err, "prepare");
			return NULL;
		}
	}
	return s->stmt[id];
}

static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

sqlite3_stmt *ky__store_stmt(struct ky_store *s, int slot, const char *sql,
			     struct ky_err *err)
{
	if (slot < 0 || slot >= KY__STORE_EXT_MAX) {
		ky_err_set(err, KY_E_INTERNAL, "store: statement slot %d",
			   slot);
		return NULL;
	}
	if (!s->ext[slot] &&
	    sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &s->ext[slot], NULL) != SQLITE_OK) {
		db_error(s, err, "prepare");
		return NULL;
	}
	return s->ext[slot];
}

int ky__store_error(struct ky_store *s, struct ky_err *err, const char *what)
{
	return db_error(s, err, what);
}

sqlite3 *ky__store_db(struct ky_store *s)
{
	return s->db;
}

/* Runs a statement that returns no rows (or whose rows are ignored). */
static int stmt_run(struct ky_store *s, enum stmt_id id, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, id, err);
	int rc;

	if (!st)
		return KY_E_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, stmt_sql[id]);
	return 0;
}

static int exec_sql(struct ky_store *s, const char *sql, const char *what,
		    struct ky_err *err)
{
	char *msg = NULL;
	int r = 0;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		r = ky_err_set(err, KY_E_STORE, "%s: %s: %s", s->path, what,
			       msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
	}
	return r;
}

static int user_version(struct ky_store *s, int *v, struct ky_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK) {
		r = db_error(s, err, "reading the schema version");
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = db_error(s, err, "reading the schema version");
		goto out;
	}
	*v = sqlite3_column_int(st, 0);
out:
	sqlite3_finalize(st);
	return r;
}

/* One pending migration: re-reads user_version inside the write
 * transaction so that two processes opening at once migrate only once. */
static int migrate_one(struct ky_store *s, int target, struct ky_err *err)
{
	const char *name = NULL;
	const char *sql = ky__store_migration(target - 1, &name);
	char what[128];
	char pragma[64];
	int v = 0;
	int r;

	snprintf(what, sizeof(what), "migration %d (%s)", target, name);
	if ((r = exec_sql(s, "BEGIN IMMEDIATE", what, err)) != 0)
		return r;
	if ((r = user_version(s, &v, err)) != 0)
		goto out;
	if (v >= target)
		goto out; /* someone else applied it */
	if ((r = exec_sql(s, sql, what, err)) != 0)
		goto out;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", target);
	if ((r = exec_sql(s, pragma, what, err)) != 0)
		goto out;
	r = exec_sql(s, "COMMIT", what, err);
out:
	if (r != 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int set_pragmas(struct ky_store *s, struct ky_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int r;

	if ((r = exec_sql(s, "PRAGMA foreign_keys = ON", "PRAGMA foreign_keys",
			  err)) != 0)
		return r;
	if (s->flags & KY_STORE_READONLY)
		return 0; /* WAL is recorded in the file by the writer */
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		r = db_error(s, err, "PRAGMA journal_mode");
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal") != 0) {
		r = ky_err_set(err, KY_E_STORE,
			       "%s: cannot switch to WAL mode (journal mode is "
			       "%s)",
			       s->path, mode ? mode : "unknown");
		goto out;
	}
	r = exec_sql(s, "PRAGMA synchronous = NORMAL", "PRAGMA synchronous",
		     err);
out:
	sqlite3_finalize(st);
	return r;
}

static int check_and_migrate(struct ky_store *s, struct ky_err *err)
{
	int latest = ky_store_schema_latest();
	int v = 0;
	int r;

	if ((r = user_version(s, &v, err)) != 0)
		return r;
	if (v > latest)
		return ky_err_set(err, KY_E_STORE,
				  "%s: schema version %d is newer than this "
				  "build supports (%d): use a newer kyklos",
				  s->path, v, latest);
	if (v < latest && (s->flags & KY_STORE_READONLY))
		return ky_err_set(err, KY_E_STORE,
				  "%s: schema version %d, expected %d: open it "
				  "read-write once to migrate",
				  s->path, v, latest);
	for (int target = v + 1; target <= latest; target++)
		if ((r = migrate_one(s, target, err)) != 0)
			return r;
	s->version = latest;
	return 0;
}

int ky_store_open(struct ky_store **out, const char *path, unsigned flags,
		  int busy_timeout_ms, struct ky_err *err)
{
	struct ky_store *s = NULL;
	struct stat st;
	int oflags;
	int r;

	*out = NULL;
	if (!path || !*path)
		return ky_err_set(err, KY_E_INVAL, "store: empty path");
	if ((flags & KY_STORE_READONLY) && stat(path, &st) != 0)
		return ky_err_set(err, KY_E_NOTFOUND,
				  "%s: no store (read-only open)", path);
	if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(path))) {
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	s->flags = flags;
	oflags = (flags & KY_STORE_READONLY)
			 ? SQLITE_OPEN_READONLY
			 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		r = db_error(s, err, "open");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_timeout_ms > 0 ? busy_timeout_ms : 0);
	if ((r = set_pragmas(s, err)) != 0)
		goto out;
	if ((r = check_and_migrate(s, err)) != 0)
		goto out;
	*out = s;
	s = NULL; /* transferred */
out:
	ky_store_close(s);
	return r;
}

void ky_store_close(struct ky_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (int i = 0; i < KY__STORE_EXT_MAX; i++)
		sqlite3_finalize(s->ext[i]);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int ky_store_schema_version(struct ky_store *s)
{
	return s->version;
}

int ky_store_begin(struct ky_store *s, struct ky_err *err)
{
	return stmt_run(s, ST_BEGIN, err);
}

int ky_store_commit(struct ky_store *s, struct ky_err *err)
{
	return stmt_run(s, ST_COMMIT, err);
}

int ky_store_rollback(struct ky_store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return 0; /* nothing open */
	return stmt_run(s, ST_ROLLBACK, NULL);
}

/* SQLite integers are signed; counters never get near 2^63. */
static sqlite3_int64 i64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

static uint64_t u64(sqlite3_int64 v)
{
	return v < 0 ? 0 : (uint64_t)v;
}

/* The single integer a count(*) statement returns. */
static int count_rows(struct ky_store *s, enum stmt_id id, uint64_t *count,
		      const char *what, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, id, err);
	int r = 0;

	if (!st)
		return KY_E_STORE;
	if (sqlite3_step(st) == SQLITE_ROW)
		*count = u64(sqlite3_column_int64(st, 0));
	else
		r = db_error(s, err, what);
	stmt_done(st);
	return r;
}

int ky_store_add_ingest_counts(struct ky_store *s, const char *input,
			       const struct ky_ingest_counts *c, int64_t now_ns,
			       struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_INGEST_ADD, err);
	int r = 0;

	if (!st)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, i64(c->records));
	sqlite3_bind_int64(st, 3, i64(c->bytes));
	sqlite3_bind_int64(st, 4, i64(c->accepted));
	sqlite3_bind_int64(st, 5, i64(c->rejected));
	sqlite3_bind_int64(st, 6, now_ns);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "recording ingest counts");
	stmt_done(st);
	return r;
}

int ky_store_ingest_stats(struct ky_store *s,
			  int (*fn)(void *ud,
				    const struct ky_ingest_stat_row *row),
			  void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_INGEST_LIST, err);
	struct ky_ingest_stat_row row;
	int rc, r = 0;

	if (!st)
		return KY_E_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.input = (const char *)sqlite3_column_text(st, 0);
		row.counts.records = u64(sqlite3_column_int64(st, 1));
		row.counts.bytes = u64(sqlite3_column_int64(st, 2));
		row.counts.accepted = u64(sqlite3_column_int64(st, 3));
		row.counts.rejected = u64(sqlite3_column_int64(st, 4));
		row.first_ns = sqlite3_column_int64(st, 5);
		row.last_ns = sqlite3_column_int64(st, 6);
		if (!row.input)
			row.input = "";
		if ((r = fn(ud, &row)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_error(s, err, "reading ingest counts");
out:
	stmt_done(st);
	return r;
}

int ky_store_add_deadletter(struct ky_store *s,
			    const struct ky_deadletter_row *row,
			    struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_DL_ADD, err);
	int r = 0;

	if (!st)
		return KY_E_STORE;
	if (row->raw_len > INT_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "%s: dead letter too large",
				  s->path);
	sqlite3_bind_int64(st, 1, row->time_ns);
	sqlite3_bind_text(st, 2, row->input ? row->input : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, i64(row->line));
	sqlite3_bind_int64(st, 4, i64(row->offset));
	sqlite3_bind_text(st, 5, row->reason ? row->reason : "", -1,
			  SQLITE_STATIC);
	if (row->raw)
		sqlite3_bind_blob(st, 6, row->raw, (int)row->raw_len,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "recording a dead letter");
	stmt_done(st);
	return r;
}

int ky_store_deadletters(struct ky_store *s, size_t limit,
			 int (*fn)(void *ud,
				   const struct ky_deadletter_row *row),
			 void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_DL_LIST, err);
	struct ky_deadletter_row row;
	int rc, r = 0;

	if (!st)
		return KY_E_STORE;
	sqlite3_bind_int64(
		st, 1,
		limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.time_ns = sqlite3_column_int64(st, 1);
		row.input = (const char *)sqlite3_column_text(st, 2);
		row.line = u64(sqlite3_column_int64(st, 3));
		row.offset = u64(sqlite3_column_int64(st, 4));
		row.reason = (const char *)sqlite3_column_text(st, 5);
		row.raw = (const char *)sqlite3_column_blob(st, 6);
		row.raw_len = (size_t)sqlite3_column_bytes(st, 6);
		if (!row.input)
			row.input = "";
		if (!row.reason)
			row.reason = "";
		if ((r = fn(ud, &row)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_error(s, err, "reading dead letters");
out:
	stmt_done(st);
	return r;
}

int ky_store_deadletter_count(struct ky_store *s, uint64_t *count,
			      struct ky_err *err)
{
	return count_rows(s, ST_DL_COUNT, count, "counting dead letters", err);
}

static const char *const alert_kinds[] = {
	[KY_ALERT_RULE] = "rule",
	[KY_ALERT_CORRELATION] = "correlation",
	[KY_ALERT_INDICATOR] = "indicator",
};

const char *ky_alert_kind_name(enum ky_alert_kind k)
{
	return (unsigned)k < sizeof(alert_kinds) / sizeof(alert_kinds[0])
		       ? alert_kinds[k]
		       : "unknown";
}

static enum ky_alert_kind alert_kind_parse(const char *s)
{
	for (unsigned k = 0; k < sizeof(alert_kinds) / sizeof(alert_kinds[0]);
	     k++)
		if (s && strcmp(s, alert_kinds[k]) == 0)
			return (enum ky_alert_kind)k;
	return KY_ALERT_RULE;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int ky_store_add_alert(struct ky_store *s, const struct ky_alert_row *row,
		       struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_ALERT_ADD, err);
	int r = 0;

	if (!st)
		return KY_E_STORE;
	if (row->json_len > INT_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "%s: alert too large",
				  s->path);
	sqlite3_bind_text(st, 1, ky_alert_kind_name(row->kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row->time_ns);
	sqlite3_bind_int64(st, 3, row->recv_ns);
	sqlite3_bind_int64(st, 4, row->created_ns);
	sqlite3_bind_text(st, 5, row->rule_id ? row->rule_id : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 6, row->title ? row->title : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 7, row->level);
	bind_opt_text(st, 8, row->host);
	bind_opt_text(st, 9, row->user);
	bind_opt_text(st, 10, row->src_ip);
	sqlite3_bind_text(st, 11, row->json ? row->json : "{}",
			  row->json ? (int)row->json_len : 2, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "recording an alert");
	stmt_done(st);
	return r;
}

/* Runs one of the alert queries (?1 the limit, ?2 its argument) and
 * calls fn per row. */
static int alert_rows(struct ky_store *s, enum stmt_id id, size_t limit,
		      int64_t arg,
		      int (*fn)(void *ud, const struct ky_alert_row *row),
		      void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, id, err);
	struct ky_alert_row row;
	int rc, r = 0;

	if (!st)
		return KY_E_STORE;
	sqlite3_bind_int64(
		st, 1,
		limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
	sqlite3_bind_int64(st, 2, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.kind = alert_kind_parse(
			(const char *)sqlite3_column_text(st, 1));
		row.time_ns = sqlite3_column_int64(st, 2);
		row.recv_ns = sqlite3_column_int64(st, 3);
		row.created_ns = sqlite3_column_int64(st, 4);
		row.rule_id = (const char *)sqlite3_column_text(st, 5);
		row.title = (const char *)sqlite3_column_text(st, 6);
		row.level = sqlite3_column_int(st, 7);
		row.host = (const char *)sqlite3_column_text(st, 8);
		row.user = (const char *)sqlite3_column_text(st, 9);
		row.src_ip = (const char *)sqlite3_column_text(st, 10);
		row.json = (const char *)sqlite3_column_text(st, 11);
		row.json_len = (size_t)sqlite3_column_bytes(st, 11);
		if (!row.rule_id)
			row.rule_id = "";
		if (!row.title)
			row.title = "";
		if (!row.json)
			row.json = "{}", row.json_len = 2;
		if ((r = fn(ud, &row)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_error(s, err, "reading alerts");
out:
	stmt_done(st);
	return r;
}

int ky_store_alerts(struct ky_store *s, size_t limit, int64_t since_ns,
		    int (*fn)(void *ud, const struct ky_alert_row *row),
		    void *ud, struct ky_err *err)
{
	return alert_rows(s, ST_ALERT_LIST, limit, since_ns, fn, ud, err);
}

int ky_store_alerts_after(struct ky_store *s, int64_t after_id, size_t limit,
			  int (*fn)(void *ud, const struct ky_alert_row *row),
			  void *ud, struct ky_err *err)
{
	return alert_rows(s, ST_ALERT_AFTER, limit, after_id, fn, ud, err);
}

struct alert_found {
	int (*fn)(void *ud, const struct ky_alert_row *row);
	void *ud;
	bool seen;
};

static int alert_seen(void *ud, const struct ky_alert_row *row)
{
	struct alert_found *f = ud;

	f->seen = true;
	return f->fn(f->ud, row);
}

int ky_store_alert_get(struct ky_store *s, int64_t id,
		       int (*fn)(void *ud, const struct ky_alert_row *row),
		       void *ud, struct ky_err *err)
{
	struct alert_found f = {fn, ud, false};
	int r;

	r = alert_rows(s, ST_ALERT_GET, 1, id, alert_seen, &f, err);
	if (r == 0 && !f.seen)
		r = ky_err_set(err, KY_E_NOTFOUND, "alert %lld not found",
			       (long long)id);
	return r;
}

int ky_store_alert_max_id(struct ky_store *s, int64_t *id, struct ky_err *err)
{
	uint64_t v = 0;
	int r = count_rows(s, ST_ALERT_MAX, &v, "reading alerts", err);

	*id = (int64_t)v;
	return r;
}

int ky_store_savepoint(struct ky_store *s, const char *name, int op,
		       struct ky_err *err)
{
	static const char *const verb[] = {"SAVEPOINT", "RELEASE",
					   "ROLLBACK TO"};
	char sql[160];

	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return ky_err_set(err, KY_E_INVAL,
					  "bad savepoint name '%s'", name);
	if (op < 0 || op > 2 || strlen(name) > 64)
		return ky_err_set(err, KY_E_INVAL, "bad savepoint operation");
	if (op == KY_SAVEPOINT_ROLLBACK)
		snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name,
			 name);
	else
		snprintf(sql, sizeof(sql), "%s %s", verb[op], name);
	return exec_sql(s, sql, verb[op], err);
}

int ky_store_alert_count(struct ky_store *s, uint64_t *count,
			 struct ky_err *err)
{
	return count_rows(s, ST_ALERT_COUNT, count, "counting alerts", err);
}

int ky_store_put_state(struct ky_store *s, const char *name, const void *data,
		       size_t len, int64_t now_ns, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_STATE_PUT, err);
	int r = 0;

	if (!st)
		return KY_E_STORE;
	if (len > INT_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "%s: state %s too large",
				  s->path, name);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, data ? data : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ns);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "saving state");
	stmt_done(st);
	return r;
}

int ky_store_get_state(struct ky_store *s, const char *name, void **data,
		       size_t *len, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_STATE_GET, err);
	int rc, r = 0;

	*data = NULL;
	*len = 0;
	if (!st)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if ((*data = malloc(n ? n : 1)) == NULL) {
			r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory",
				       s->path);
			goto out;
		}
		if (n)
			memcpy(*data, b, n);
		*len = n;
	} else if (rc == SQLITE_DONE) {
		r = KY_E_NOTFOUND;
	} else {
		r = db_error(s, err, "reading state");
	}
out:
	stmt_done(st);
	return r;
}

int ky_store_put_doc(struct ky_store *s, const char *kind, const char *id,
		     const char *json, size_t len, int64_t now_ns,
		     struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_DOC_PUT, err);
	int r = 0;

	if (!st)
		return KY_E_STORE;
	if (len > INT_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "%s: %s %s too large",
				  s->path, kind, id);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ns);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "saving a document");
	stmt_done(st);
	return r;
}

/* One row of ST_DOC_GET or ST_DOC_LIST (columns from col) as a doc. */
static void doc_row(sqlite3_stmt *st, int col, struct ky_doc_row *row)
{
	row->json = (const char *)sqlite3_column_text(st, col);
	row->json_len = (size_t)sqlite3_column_bytes(st, col);
	row->updated_ns = sqlite3_column_int64(st, col + 1);
	if (row->json == NULL)
		row->json = "";
}

int ky_store_get_doc(struct ky_store *s, const char *kind, const char *id,
		     int (*fn)(void *ud, const struct ky_doc_row *row),
		     void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_DOC_GET, err);
	struct ky_doc_row row = {.kind = kind, .id = id};
	int rc, r = 0;

	if (!st)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		doc_row(st, 0, &row);
		r = fn(ud, &row);
	} else if (rc == SQLITE_DONE) {
		r = ky_err_set(err, KY_E_NOTFOUND, "%s: no %s %s", s->path,
			       kind, id);
	} else {
		r = db_error(s, err, "reading a document");
	}
	stmt_done(st);
	return r;
}

int ky_store_docs(struct ky_store *s, const char *kind,
		  int (*fn)(void *ud, const struct ky_doc_row *row), void *ud,
		  struct ky_err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_DOC_LIST, err);
	int rc, r = 0;

	if (!st)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ky_doc_row row = {.kind = kind};

		row.id = (const char *)sqlite3_column_text(st, 0);
		doc_row(st, 1, &row);
		r = fn(ud, &row);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_error(s, err, "listing documents");
	stmt_done(st);
	return r;
}
