/* The store's schema as an ordered list of forward migrations.  Migration N
 * (1-based) takes a database from user_version N-1 to N; a released entry is
 * never edited, later modules append new entries (see docs/store.md). */
#include <stddef.h>

#include "store/store.h"

/* Private to store/: store.c declares the same prototype. */
#include "store/schema.h"

struct migration {
	const char *name;
	const char *sql;
};

static const struct migration migrations[] = {
	{
		"ingest",
		"CREATE TABLE ingest_stats (\n"
		"  input    TEXT PRIMARY KEY,\n"
		"  records  INTEGER NOT NULL DEFAULT 0,\n"
		"  bytes    INTEGER NOT NULL DEFAULT 0,\n"
		"  accepted INTEGER NOT NULL DEFAULT 0,\n"
		"  rejected INTEGER NOT NULL DEFAULT 0,\n"
		"  first_ns INTEGER NOT NULL,\n"
		"  last_ns  INTEGER NOT NULL\n"
		");\n"
		"CREATE TABLE deadletter (\n"
		"  id      INTEGER PRIMARY KEY,\n"
		"  time_ns INTEGER NOT NULL,\n"
		"  input   TEXT NOT NULL,\n"
		"  line    INTEGER NOT NULL DEFAULT 0,\n"
		"  offset  INTEGER NOT NULL DEFAULT 0,\n"
		"  reason  TEXT NOT NULL,\n"
		"  raw     BLOB\n"
		");\n"
		"CREATE INDEX deadletter_time ON deadletter(time_ns);\n",
	},
	{
		"detect",
		"CREATE TABLE alerts (\n"
		"  id         INTEGER PRIMARY KEY,\n"
		"  kind       TEXT NOT NULL,\n"
		"  time_ns    INTEGER NOT NULL,\n"
		"  recv_ns    INTEGER NOT NULL,\n"
		"  created_ns INTEGER NOT NULL,\n"
		"  rule_id    TEXT NOT NULL,\n"
		"  title      TEXT NOT NULL,\n"
		"  level      INTEGER NOT NULL,\n"
		"  host       TEXT,\n"
		"  user       TEXT,\n"
		"  src_ip     TEXT,\n"
		"  json       TEXT NOT NULL\n"
		");\n"
		"CREATE INDEX alerts_time ON alerts(time_ns);\n"
		"CREATE INDEX alerts_rule ON alerts(rule_id, time_ns);\n"
		"CREATE TABLE state (\n"
		"  name     TEXT PRIMARY KEY,\n"
		"  data     BLOB NOT NULL,\n"
		"  saved_ns INTEGER NOT NULL\n"
		");\n",
	},
	{
		"intel",
		"CREATE TABLE docs (\n"
		"  kind       TEXT NOT NULL,\n"
		"  id         TEXT NOT NULL,\n"
		"  json       TEXT NOT NULL,\n"
		"  updated_ns INTEGER NOT NULL,\n"
		"  PRIMARY KEY (kind, id)\n"
		");\n",
	},
	{
		"share",
		/* the change log: every version created or accepted, in the
		 * order this node committed it (docs/protocol.md) */
		"CREATE TABLE changes (\n"
		"  seq         INTEGER PRIMARY KEY,\n"
		"  id          TEXT NOT NULL,\n"
		"  modified    TEXT NOT NULL,\n"
		"  modified_ns INTEGER NOT NULL,\n"
		"  type        TEXT NOT NULL,\n"
		"  op          INTEGER NOT NULL,\n"
		"  origin      TEXT NOT NULL,\n"
		"  object      TEXT,\n"
		"  sha256      BLOB NOT NULL,\n"
		"  seal        INTEGER NOT NULL DEFAULT 0,\n"
		"  via         TEXT,\n"
		"  hops        TEXT NOT NULL DEFAULT '[]',\n"
		"  tlp         INTEGER NOT NULL,\n"
		"  recv_ns     INTEGER NOT NULL\n"
		");\n"
		"CREATE UNIQUE INDEX changes_version ON changes(id, "
		"modified_ns, "
		"op);\n"
		/* the version of each object a reader should see */
		"CREATE TABLE objects (\n"
		"  id          TEXT PRIMARY KEY,\n"
		"  modified_ns INTEGER NOT NULL,\n"
		"  op          INTEGER NOT NULL,\n"
		"  seq         INTEGER NOT NULL\n"
		") WITHOUT ROWID;\n"
		/* origin signatures over a set of object hashes */
		"CREATE TABLE seals (\n"
		"  id       INTEGER PRIMARY KEY,\n"
		"  origin   TEXT NOT NULL,\n"
		"  envelope TEXT NOT NULL,\n"
		"  hashes   BLOB NOT NULL,\n"
		"  digest   BLOB NOT NULL UNIQUE\n"
		");\n"
		"CREATE TABLE peers (\n"
		"  name     TEXT PRIMARY KEY,\n"
		"  node_id  TEXT NOT NULL UNIQUE,\n"
		"  pubkey   TEXT NOT NULL,\n"
		"  url      TEXT,\n"
		"  country  TEXT,\n"
		"  groups   TEXT,\n"
		"  paused   INTEGER NOT NULL DEFAULT 0,\n"
		"  added_ns INTEGER NOT NULL\n"
		");\n"
		/* per-peer counters: cursors, bundle sequence numbers */
		"CREATE TABLE peer_state (\n"
		"  peer  TEXT NOT NULL,\n"
		"  key   TEXT NOT NULL,\n"
		"  value INTEGER NOT NULL,\n"
		"  PRIMARY KEY (peer, key)\n"
		") WITHOUT ROWID;\n"
		/* ledger entries written while another process held the
		 * ledger (the daemon appends them) */
		"CREATE TABLE ledger_pending (\n"
		"  id      INTEGER PRIMARY KEY,\n"
		"  kind    TEXT NOT NULL,\n"
		"  sha256  BLOB NOT NULL,\n"
		"  peer    TEXT NOT NULL,\n"
		"  policy  TEXT NOT NULL,\n"
		"  time_ns INTEGER NOT NULL\n"
		");\n"
		/* TAXII clients: a name, the SHA-256 of their secret token,
		 * what the policy needs to know of them */
		"CREATE TABLE taxii_clients (\n"
		"  name      TEXT PRIMARY KEY,\n"
		"  token     BLOB NOT NULL UNIQUE,\n"
		"  country   TEXT,\n"
		"  groups    TEXT,\n"
		"  can_write INTEGER NOT NULL DEFAULT 0,\n"
		"  added_ns  INTEGER NOT NULL\n"
		");\n"
		"CREATE TABLE taxii_status (\n"
		"  id         TEXT PRIMARY KEY,\n"
		"  client     TEXT NOT NULL,\n"
		"  json       TEXT NOT NULL,\n"
		"  created_ns INTEGER NOT NULL\n"
		");\n",
	},
};

int ky_store_schema_latest(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

/* The SQL of migration i (0-based) and its name, or NULL past the end. */
const char *ky__store_migration(int i, const char **name)
{
	if (i < 0 || i >= ky_store_schema_latest())
		return NULL;
	if (name)
		*name = migrations[i].name;
	return migrations[i].sql;
}
