/* Queries of the sharing tables (store/share.h).  A version is added with
 * its "current version" row in one statement pair inside the caller's
 * transaction, so the change log and the objects table never disagree. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "store/share.h"
#include "store/store_int.h"

enum {
	Q_CUR = KY__STORE_EXT_SHARE,
	Q_ADD,
	Q_SETCUR,
	Q_AFTER,
	Q_MAX,
	Q_GETCUR,
	Q_OBJS,
	Q_OBJS_ALL,
	Q_SEAL_ADD,
	Q_SEAL_FIND,
	Q_SEAL_GET,
	Q_PEER_PUT,
	Q_PEER_GET,
	Q_PEER_LIST,
	Q_PEER_DEL,
	Q_PEER_PAUSE,
	Q_PEER_OTHER,
	Q_PS_GET,
	Q_PS_PUT,
	Q_PS_DEL,
	Q_SET_SEAL,
	Q_LP_ADD,
	Q_LP_LIST,
	Q_LP_DEL,
	Q_PEER_KEY,
	Q_COMPACT,
};

static sqlite3_stmt *q(struct ky_store *s, int slot, const char *sql,
		       struct ky_err *err)
{
	return ky__store_stmt(s, slot, sql, err);
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

void ky__store_change_row(sqlite3_stmt *st, struct ky_change *c)
{
	const void *h;

	memset(c, 0, sizeof(*c));
	c->seq = sqlite3_column_int64(st, 0);
	c->id = text(st, 1);
	c->modified = text(st, 2);
	c->modified_ns = sqlite3_column_int64(st, 3);
	c->type = text(st, 4);
	c->op = sqlite3_column_int(st, 5);
	c->origin = text(st, 6);
	c->object = text(st, 7);
	c->object_len = (size_t)sqlite3_column_bytes(st, 7);
	h = sqlite3_column_blob(st, 8);
	if (h != NULL && sqlite3_column_bytes(st, 8) == 32)
		memcpy(c->sha256, h, 32);
	c->seal = sqlite3_column_int64(st, 9);
	c->via = text(st, 10);
	c->hops = text(st, 11);
	c->tlp = sqlite3_column_int(st, 12);
	c->recv_ns = sqlite3_column_int64(st, 13);
}

int ky_changes_add(struct ky_store *s, struct ky_change *c, int *outcome,
		   struct ky_err *err)
{
	sqlite3_stmt
		*cur = q(s, Q_CUR,
			 "SELECT modified_ns, op FROM objects WHERE id = ?1",
			 err),
		*add, *set;
	int rc;

	if (cur == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(cur, 1, c->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(cur);
	if (rc == SQLITE_ROW) {
		int64_t m = sqlite3_column_int64(cur, 0);
		int op = sqlite3_column_int(cur, 1);

		done(cur);
		/* the same instant: a delete beats a put (it is the later
		 * act); otherwise it is what we hold */
		if (m == c->modified_ns && (op == c->op || op > c->op)) {
			*outcome = KY_CHANGE_DUPLICATE;
			return 0;
		}
		if (m > c->modified_ns) {
			*outcome = KY_CHANGE_STALE;
			return 0;
		}
	} else {
		done(cur);
		if (rc != SQLITE_DONE)
			return ky__store_error(s, err, "reading objects");
	}
	add = q(s, Q_ADD,
		"INSERT INTO changes (id, modified, modified_ns, type, op,"
		" origin, object, sha256, seal, via, hops, tlp, recv_ns)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13)",
		err);
	if (add == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(add, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(add, 2, c->modified, -1, SQLITE_STATIC);
	sqlite3_bind_int64(add, 3, c->modified_ns);
	sqlite3_bind_text(add, 4, c->type, -1, SQLITE_STATIC);
	sqlite3_bind_int(add, 5, c->op);
	sqlite3_bind_text(add, 6, c->origin, -1, SQLITE_STATIC);
	if (c->object)
		sqlite3_bind_text(add, 7, c->object, (int)c->object_len,
				  SQLITE_STATIC);
	sqlite3_bind_blob(add, 8, c->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_int64(add, 9, c->seal);
	if (c->via)
		sqlite3_bind_text(add, 10, c->via, -1, SQLITE_STATIC);
	sqlite3_bind_text(add, 11, c->hops ? c->hops : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int(add, 12, c->tlp);
	sqlite3_bind_int64(add, 13, c->recv_ns);
	rc = sqlite3_step(add);
	done(add);
	if (rc == SQLITE_CONSTRAINT) {
		*outcome = KY_CHANGE_DUPLICATE;
		return 0;
	}
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "adding a change");
	c->seq = sqlite3_last_insert_rowid(ky__store_db(s));
	set = q(s, Q_SETCUR,
		"INSERT INTO objects (id, modified_ns, op, seq) VALUES (?1, ?2,"
		" ?3, ?4) ON CONFLICT (id) DO UPDATE SET"
		" modified_ns = excluded.modified_ns, op = excluded.op,"
		" seq = excluded.seq",
		err);
	if (set == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(set, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(set, 2, c->modified_ns);
	sqlite3_bind_int(set, 3, c->op);
	sqlite3_bind_int64(set, 4, c->seq);
	rc = sqlite3_step(set);
	done(set);
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "updating objects");
	*outcome = KY_CHANGE_ADDED;
	return 0;
}

static int each_change(struct ky_store *s, sqlite3_stmt *st,
		       int (*fn)(void *ud, const struct ky_change *c), void *ud,
		       struct ky_err *err, const char *what)
{
	struct ky_change c;
	int rc, r = 0;

	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ky__store_change_row(st, &c);
		r = fn(ud, &c);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = ky__store_error(s, err, what);
	done(st);
	return r;
}

int ky_changes_after(struct ky_store *s, int64_t after, size_t limit,
		     int (*fn)(void *ud, const struct ky_change *c), void *ud,
		     struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_AFTER,
			     "SELECT " KY__CHANGE_COLS " FROM changes c"
			     " WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2",
			     err);

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	return each_change(s, st, fn, ud, err, "reading changes");
}

int ky_changes_set_seal(struct ky_store *s, int64_t seq, int64_t seal,
			struct ky_err *err)
{
	sqlite3_stmt *st =
		q(s, Q_SET_SEAL, "UPDATE changes SET seal = ?2 WHERE seq = ?1",
		  err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, seal);
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE ? 0
				 : ky__store_error(s, err, "setting a seal");
}

int ky_changes_compact(struct ky_store *s, int64_t before_ns, size_t max,
		       size_t *removed, struct ky_err *err)
{
	/* a version is superseded when its object's current version is
	 * another change; the current one (a deletion too) always stays */
	sqlite3_stmt *st = q(
		s, Q_COMPACT,
		"DELETE FROM changes WHERE seq IN (SELECT c.seq FROM changes c"
		" WHERE c.recv_ns < ?1 AND NOT EXISTS (SELECT 1 FROM objects o"
		" WHERE o.id = c.id AND o.seq = c.seq) ORDER BY c.seq LIMIT "
		"?2)",
		err);
	int rc;

	*removed = 0;
	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(st, 1, before_ns);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "compacting the change log");
	*removed = (size_t)sqlite3_changes(ky__store_db(s));
	return 0;
}

int ky_changes_compact_all(struct ky_store *s, int64_t before_ns, size_t *total,
			   struct ky_err *err)
{
	size_t n;
	int r;

	*total = 0;
	do {
		if ((r = ky_store_begin(s, err)) != 0)
			return r;
		if ((r = ky_changes_compact(s, before_ns, 10000, &n, err)) !=
			    0 ||
		    (r = ky_store_commit(s, err)) != 0) {
			ky_store_rollback(s);
			return r;
		}
		*total += n;
	} while (n == 10000);
	return 0;
}

int ky_changes_max_seq(struct ky_store *s, int64_t *seq, struct ky_err *err)
{
	sqlite3_stmt *st =
		q(s, Q_MAX, "SELECT coalesce(max(seq), 0) FROM changes", err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return rc == SQLITE_ROW ? 0 : ky__store_error(s, err, "max seq");
}

struct one {
	int found;
	int (*fn)(void *ud, const struct ky_change *c);
	void *ud;
};

static int one_cb(void *ud, const struct ky_change *c)
{
	struct one *o = ud;

	o->found = 1;
	return o->fn(o->ud, c);
}

int ky_changes_current(struct ky_store *s, const char *id,
		       int (*fn)(void *ud, const struct ky_change *c), void *ud,
		       struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_GETCUR,
			     "SELECT " KY__CHANGE_COLS " FROM objects o"
			     " JOIN changes c ON c.seq = o.seq WHERE o.id = ?1",
			     err);
	struct one o = {0, fn, ud};
	int r;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	r = each_change(s, st, one_cb, &o, err, "reading an object");
	if (r == 0 && !o.found)
		r = ky_err_set(err, KY_E_NOTFOUND, "no object %s", id);
	return r;
}

int ky_changes_objects(struct ky_store *s, const char *type,
		       int (*fn)(void *ud, const struct ky_change *c), void *ud,
		       struct ky_err *err)
{
	sqlite3_stmt *st =
		type ? q(s, Q_OBJS,
			 "SELECT " KY__CHANGE_COLS
			 " FROM objects o JOIN changes c"
			 " ON c.seq = o.seq WHERE o.op = 0 AND c.type = ?1"
			 " ORDER BY o.id",
			 err)
		     : q(s, Q_OBJS_ALL,
			 "SELECT " KY__CHANGE_COLS
			 " FROM objects o JOIN changes c"
			 " ON c.seq = o.seq WHERE o.op = 0 ORDER BY o.id",
			 err);

	if (st == NULL)
		return KY_E_STORE;
	if (type)
		sqlite3_bind_text(st, 1, type, -1, SQLITE_TRANSIENT);
	return each_change(s, st, fn, ud, err, "reading objects");
}

/* ---- seals -------------------------------------------------------------- */

int ky_seal_add(struct ky_store *s, const char *origin, const char *envelope,
		const uint8_t *hashes, size_t n, int64_t *id,
		struct ky_err *err)
{
	unsigned char d[32];
	unsigned int dl = 0;
	sqlite3_stmt *st;
	int rc;

	/* the same seal arriving by two paths is stored once */
	EVP_Digest(envelope, strlen(envelope), d, &dl, EVP_sha256(), NULL);
	if ((st = q(s, Q_SEAL_FIND, "SELECT id FROM seals WHERE digest = ?1",
		    err)) == NULL)
		return KY_E_STORE;
	sqlite3_bind_blob(st, 1, d, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		done(st);
		return 0;
	}
	done(st);
	if ((st = q(s, Q_SEAL_ADD,
		    "INSERT INTO seals (origin, envelope, hashes, digest)"
		    " VALUES (?1, ?2, ?3, ?4)",
		    err)) == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, envelope, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, hashes, (int)(n * 32), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, d, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "adding a seal");
	*id = sqlite3_last_insert_rowid(ky__store_db(s));
	return 0;
}

int ky_seal_get(struct ky_store *s, int64_t id,
		int (*fn)(void *ud, const struct ky_seal_row *row), void *ud,
		struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_SEAL_GET,
			     "SELECT origin, envelope, hashes FROM seals"
			     " WHERE id = ?1",
			     err);
	struct ky_seal_row row = {.id = id};
	int rc, r;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row.origin = text(st, 0);
		row.envelope = text(st, 1);
		row.hashes = sqlite3_column_blob(st, 2);
		row.n = (size_t)sqlite3_column_bytes(st, 2) / 32;
		r = fn(ud, &row);
	} else if (rc == SQLITE_DONE) {
		r = ky_err_set(err, KY_E_NOTFOUND, "no seal %lld",
			       (long long)id);
	} else {
		r = ky__store_error(s, err, "reading a seal");
	}
	done(st);
	return r;
}

/* ---- peers -------------------------------------------------------------- */

#define PEER_COLS                                                              \
	"name, node_id, pubkey, url, country, groups, paused, added_ns"

static void peer_row(sqlite3_stmt *st, struct ky_peer_row *p)
{
	p->name = text(st, 0);
	p->node_id = text(st, 1);
	p->pubkey = text(st, 2);
	p->url = text(st, 3);
	p->country = text(st, 4);
	p->groups = text(st, 5);
	p->paused = sqlite3_column_int(st, 6) != 0;
	p->added_ns = sqlite3_column_int64(st, 7);
}

int ky_peers_put(struct ky_store *s, const struct ky_peer_row *p,
		 struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_PEER_OTHER,
			     "SELECT name FROM peers WHERE node_id = ?1 AND"
			     " name <> ?2",
			     err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, p->node_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = ky_err_set(err, KY_E_EXISTS,
				   "node %s is already the peer '%s'",
				   p->node_id, text(st, 0));

		done(st);
		return r;
	}
	done(st);
	if ((st = q(s, Q_PEER_PUT,
		    "INSERT INTO peers (" PEER_COLS ") VALUES (?1, ?2, ?3, ?4,"
		    " ?5, ?6, ?7, ?8) ON CONFLICT (name) DO UPDATE SET"
		    " node_id = excluded.node_id, pubkey = excluded.pubkey,"
		    " url = excluded.url, country = excluded.country,"
		    " groups = excluded.groups, paused = excluded.paused",
		    err)) == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->node_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->pubkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->country, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->groups, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, p->paused);
	sqlite3_bind_int64(st, 8, p->added_ns);
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE ? 0 : ky__store_error(s, err, "adding a peer");
}

int ky_peers_get(struct ky_store *s, const char *name_or_node,
		 int (*fn)(void *ud, const struct ky_peer_row *row), void *ud,
		 struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_PEER_GET,
			     "SELECT " PEER_COLS " FROM peers WHERE name = ?1"
			     " OR node_id = ?1",
			     err);
	struct ky_peer_row row;
	int rc, r;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, name_or_node, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		peer_row(st, &row);
		r = fn(ud, &row);
	} else if (rc == SQLITE_DONE) {
		r = ky_err_set(err, KY_E_NOTFOUND, "no peer '%s'",
			       name_or_node);
	} else {
		r = ky__store_error(s, err, "reading a peer");
	}
	done(st);
	return r;
}

int ky_peers_list(struct ky_store *s,
		  int (*fn)(void *ud, const struct ky_peer_row *row), void *ud,
		  struct ky_err *err)
{
	sqlite3_stmt *st =
		q(s, Q_PEER_LIST,
		  "SELECT " PEER_COLS " FROM peers ORDER BY name", err);
	struct ky_peer_row row;
	int rc, r = 0;

	if (st == NULL)
		return KY_E_STORE;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		peer_row(st, &row);
		r = fn(ud, &row);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = ky__store_error(s, err, "listing peers");
	done(st);
	return r;
}

static int peer_update(struct ky_store *s, int slot, const char *sql,
		       const char *name, int v, struct ky_err *err)
{
	sqlite3_stmt *st = q(s, slot, sql, err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, v);
	rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "updating a peer");
	if (sqlite3_changes(ky__store_db(s)) == 0)
		return ky_err_set(err, KY_E_NOTFOUND, "no peer '%s'", name);
	return 0;
}

int ky_peers_del(struct ky_store *s, const char *name, struct ky_err *err)
{
	int r = peer_update(s, Q_PEER_DEL,
			    "DELETE FROM peers WHERE name = ?1 AND ?2 = ?2",
			    name, 0, err);
	sqlite3_stmt *st;

	if (r != 0)
		return r;
	if ((st = q(s, Q_PS_DEL, "DELETE FROM peer_state WHERE peer = ?1",
		    err)) == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE
		    ? 0
		    : ky__store_error(s, err, "removing peer state");
	done(st);
	return r;
}

int ky_peers_pause(struct ky_store *s, const char *name, bool paused,
		   struct ky_err *err)
{
	return peer_update(s, Q_PEER_PAUSE,
			   "UPDATE peers SET paused = ?2 WHERE name = ?1", name,
			   paused, err);
}

int ky_peers_learn_key(struct ky_store *s, const char *name, const char *pubkey,
		       struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_PEER_KEY,
			     "UPDATE peers SET pubkey = ?2 WHERE name = ?1 AND"
			     " pubkey LIKE 'fp:%'",
			     err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pubkey, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_DONE)
		return ky__store_error(s, err, "updating a peer's key");
	return 0;
}

int ky_peer_state_get(struct ky_store *s, const char *peer, const char *key,
		      int64_t *v, struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_PS_GET,
			     "SELECT value FROM peer_state WHERE peer = ?1 AND"
			     " key = ?2",
			     err);
	int rc;

	*v = 0;
	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? 0
		       : ky__store_error(s, err, "reading peer state");
}

int ky_peer_state_put(struct ky_store *s, const char *peer, const char *key,
		      int64_t v, struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_PS_PUT,
			     "INSERT INTO peer_state (peer, key, value)"
			     " VALUES (?1, ?2, ?3) ON CONFLICT (peer, key)"
			     " DO UPDATE SET value = excluded.value",
			     err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, v);
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE
		       ? 0
		       : ky__store_error(s, err, "writing peer state");
}

/* ---- ledger entries in waiting ----------------------------------------- */

int ky_ledger_pending_add(struct ky_store *s, const struct ky_pending_entry *e,
			  struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_LP_ADD,
			     "INSERT INTO ledger_pending (kind, sha256, peer,"
			     " policy, time_ns) VALUES (?1, ?2, ?3, ?4, ?5)",
			     err);
	int rc;

	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, e->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->peer ? e->peer : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->policy ? e->policy : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, e->time_ns);
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE
		       ? 0
		       : ky__store_error(s, err, "adding a pending entry");
}

int ky_ledger_pending_drain(struct ky_store *s, size_t limit,
			    int (*fn)(void *ud,
				      const struct ky_pending_entry *e),
			    void *ud, size_t *ndone, struct ky_err *err)
{
	sqlite3_stmt *st = q(s, Q_LP_LIST,
			     "SELECT id, kind, sha256, peer, policy, time_ns"
			     " FROM ledger_pending ORDER BY id LIMIT ?1",
			     err),
		     *del;
	int64_t upto = 0;
	int rc, r = 0;

	*ndone = 0;
	if (st == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(st, 1, (int64_t)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ky_pending_entry e = {0};
		const void *h = sqlite3_column_blob(st, 2);

		e.id = sqlite3_column_int64(st, 0);
		e.kind = text(st, 1);
		if (h && sqlite3_column_bytes(st, 2) == 32)
			memcpy(e.sha256, h, 32);
		e.peer = text(st, 3);
		e.policy = text(st, 4);
		e.time_ns = sqlite3_column_int64(st, 5);
		if (fn(ud, &e) != 0)
			break;
		upto = e.id;
		(*ndone)++;
	}
	done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ky__store_error(s, err, "reading pending entries");
	if (upto == 0)
		return 0;
	if ((del = q(s, Q_LP_DEL, "DELETE FROM ledger_pending WHERE id <= ?1",
		     err)) == NULL)
		return KY_E_STORE;
	sqlite3_bind_int64(del, 1, upto);
	rc = sqlite3_step(del);
	done(del);
	if (rc != SQLITE_DONE)
		r = ky__store_error(s, err, "deleting pending entries");
	return r;
}
