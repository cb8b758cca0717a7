/* The SQLite store: the one module that owns SQL.  WAL mode; the schema is
 * versioned (PRAGMA user_version) and forward migrations from schema.c are
 * applied at open, each in its own transaction.  One writer connection per
 * process; readers open with KY_STORE_READONLY. */
#ifndef KY_STORE_STORE_H
#define KY_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ky_store;

#define KY_STORE_READONLY 0x1

/* Opens (creating if needed, unless read-only) and migrates. */
int ky_store_open(struct ky_store **out, const char *path, unsigned flags,
		  int busy_timeout_ms, struct ky_err *err);
void ky_store_close(struct ky_store *s);
/* The schema version after migration (the number of migrations applied). */
int ky_store_schema_version(struct ky_store *s);
/* Number of migrations this build knows. */
int ky_store_schema_latest(void);

/* Batched writes: everything between begin and commit is one transaction. */
int ky_store_begin(struct ky_store *s, struct ky_err *err);
int ky_store_commit(struct ky_store *s, struct ky_err *err);
int ky_store_rollback(struct ky_store *s);

/* Ingestion statistics, accumulated per input name ("file:/var/log/x",
 * "udp:127.0.0.1:5514"). */
struct ky_ingest_counts {
	uint64_t records;  /* records seen */
	uint64_t bytes;	   /* bytes seen */
	uint64_t accepted; /* parsed into events */
	uint64_t rejected; /* sent to the dead letter */
};

int ky_store_add_ingest_counts(struct ky_store *s, const char *input,
			       const struct ky_ingest_counts *c, int64_t now_ns,
			       struct ky_err *err);

struct ky_ingest_stat_row {
	const char *input;
	struct ky_ingest_counts counts;
	int64_t first_ns, last_ns;
};
/* Calls fn for each input, ordered by name; stops early if fn returns
 * non-zero (and returns that). */
int ky_store_ingest_stats(struct ky_store *s,
			  int (*fn)(void *ud,
				    const struct ky_ingest_stat_row *row),
			  void *ud, struct ky_err *err);

/* Dead-letter record of rejected input: where it came from (input name,
 * line number or byte offset), why, and the bytes (capped by the caller). */
struct ky_deadletter_row {
	int64_t id;
	int64_t time_ns;
	const char *input;
	uint64_t line;	 /* 0 when not line-oriented */
	uint64_t offset; /* byte offset of the record in the input */
	const char *reason;
	const char *raw;
	size_t raw_len;
};

int ky_store_add_deadletter(struct ky_store *s,
			    const struct ky_deadletter_row *row,
			    struct ky_err *err);
/* Newest first, at most limit rows (0 = all). */
int ky_store_deadletters(struct ky_store *s, size_t limit,
			 int (*fn)(void *ud,
				   const struct ky_deadletter_row *row),
			 void *ud, struct ky_err *err);
int ky_store_deadletter_count(struct ky_store *s, uint64_t *count,
			      struct ky_err *err);

/* For later modules: raw access for migrations' own tables is not exposed;
 * each module adds typed functions here, keeping all SQL in store/. */

#endif
