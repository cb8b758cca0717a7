/* Queries of the TAXII server (store/taxii.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "store/taxii.h"

enum {
	Q_CL_PUT = KY__STORE_EXT_TAXII,
	Q_CL_NAME,
	Q_CL_TOKEN,
	Q_CL_LIST,
	Q_CL_DEL,
	Q_ST_PUT,
	Q_ST_GET,
	Q_CUR_AFTER,
	Q_VERSIONS,
};

#define CLIENT_COLS "name, token, country, groups, can_write, added_ns"

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void client_row(sqlite3_stmt *st, struct ky_taxii_client *c)
{
	const void *t = sqlite3_column_blob(st, 1);

	memset(c, 0, sizeof(*c));
	c->name = (const char *)sqlite3_column_text(st, 0);
	if (t && sqlite3_column_bytes(st, 1) == 32)
		memcpy(c->token, t, 32);
	c->country = (const char *)sqlite3_column_text(st, 2);
	c->groups = (const char *)sqlite3_column_text(st, 3);
	c->can_write = sqlite3_column_int(st, 4) != 0;
	c->added_ns = sqlite3_column_int64(st, 5);
}

int ky_taxii_client_put(struct ky_store *s, const struct ky_taxii_client *c,
			struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_CL_PUT,
		"INSERT INTO taxii_clients (" CLIENT_COLS
		") VALUES (?1, ?2, ?3,"
		" ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET"
		" token = excluded.token, country = excluded.country,"
		" groups = excluded.groups, can_write = excluded.can_write",
		err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, c->token, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->country, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->groups, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, c->can_write);
	sqlite3_bind_int64(st, 6, c->added_ns);
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE ? 0
				 : ky__store_error(s, err, "adding a client");
}

int ky_taxii_client_get(struct ky_store *s, const char *name,
			const uint8_t token[32],
			int (*fn)(void *ud, const struct ky_taxii_client *c),
			void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = name ? ky__store_stmt(s, Q_CL_NAME,
						 "SELECT " CLIENT_COLS
						 " FROM taxii_clients"
						 " WHERE name = ?1",
						 err)
				: ky__store_stmt(s, Q_CL_TOKEN,
						 "SELECT " CLIENT_COLS
						 " FROM taxii_clients"
						 " WHERE token = ?1",
						 err);
	struct ky_taxii_client c;
	int rc, r;

	if (st == NULL)
		return KY_E_STORE;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_blob(st, 1, token, 32, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		client_row(st, &c);
		r = fn(ud, &c);
	} else if (rc == SQLITE_DONE) {
		r = ky_err_set(err, KY_E_NOTFOUND, "no TAXII client %s",
			       name ? name : "with that token");
	} else {
		r = ky__store_error(s, err, "reading a client");
	}
	done(st);
	return r;
}

int ky_taxii_client_list(struct ky_store *s,
			 int (*fn)(void *ud, const struct ky_taxii_client *c),
			 void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_CL_LIST,
		"SELECT " CLIENT_COLS " FROM taxii_clients ORDER BY name", err);
	struct ky_taxii_client c;
	int rc, r = 0;

	if (st == NULL)
		return KY_E_STORE;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		client_row(st, &c);
		r = fn(ud, &c);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = ky__store_error(s, err, "listing clients");
	done(st);
	return r;
}

int ky_taxii_client_del(struct ky_store *s, const char *name,
			struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_CL_DEL, "DELETE FROM taxii_clients WHERE name = ?1", err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "removing a client");
	if (sqlite3_changes(ky__store_db(s)) == 0)
		return ky_err_set(err, KY_E_NOTFOUND, "no TAXII client %s",
				  name);
	return 0;
}

int ky_taxii_status_put(struct ky_store *s, const char *id, const char *client,
			const char *json, int64_t now_ns, struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_ST_PUT,
		"INSERT INTO taxii_status (id, client, json, created_ns)"
		" VALUES (?1, ?2, ?3, ?4)",
		err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ns);
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE ? 0
				 : ky__store_error(s, err, "adding a status");
}

int ky_taxii_status_get(struct ky_store *s, const char *id, const char *client,
			char **json, struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_ST_GET,
		"SELECT json FROM taxii_status WHERE id = ?1 AND client = ?2",
		err);
	int rc, r = 0;

	*json = NULL;
	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*json = strdup((const char *)sqlite3_column_text(st, 0));
		if (*json == NULL)
			r = ky_err_set(err, KY_E_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		r = ky_err_set(err, KY_E_NOTFOUND, "no status %s", id);
	} else {
		r = ky__store_error(s, err, "reading a status");
	}
	done(st);
	return r;
}

static int each(struct ky_store *s, sqlite3_stmt *st,
		int (*fn)(void *ud, const struct ky_change *c), void *ud,
		struct ky_err *err)
{
	struct ky_change c;
	int rc, r = 0;

	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ky__store_change_row(st, &c);
		r = fn(ud, &c);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = ky__store_error(s, err, "reading changes");
	done(st);
	return r;
}

int ky_changes_current_after(struct ky_store *s, int64_t after,
			     int64_t added_after_ns,
			     int (*fn)(void *ud, const struct ky_change *c),
			     void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_CUR_AFTER,
		"SELECT " KY__CHANGE_COLS " FROM changes c JOIN objects o"
		" ON o.id = c.id AND o.seq = c.seq WHERE c.seq > ?1"
		" AND c.recv_ns > ?2 AND c.op = 0 ORDER BY c.seq",
		err);

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, added_after_ns);
	return each(s, st, fn, ud, err);
}

int ky_changes_versions(struct ky_store *s, const char *id, int64_t after,
			int (*fn)(void *ud, const struct ky_change *c),
			void *ud, struct ky_err *err)
{
	sqlite3_stmt *st = ky__store_stmt(
		s, Q_VERSIONS,
		"SELECT " KY__CHANGE_COLS " FROM changes c WHERE c.id = ?1"
		" AND c.op = 0 AND c.seq > ?2 ORDER BY c.modified_ns, c.seq",
		err);

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	return each(s, st, fn, ud, err);
}
