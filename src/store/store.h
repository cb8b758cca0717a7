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

/* Alerts of the detection engine (detect/ruleset.h, detect/correlate.h,
 * detect/indicators.h), one row each with the columns incidents group on
 * and the alert's whole JSON object. */
enum ky_alert_kind {
	KY_ALERT_RULE = 0,    /* a Sigma detection rule */
	KY_ALERT_CORRELATION, /* a Sigma correlation rule */
	KY_ALERT_INDICATOR,   /* an indicator list entry */
};

const char *ky_alert_kind_name(enum ky_alert_kind k);

struct ky_alert_row {
	int64_t id; /* set by the store */
	enum ky_alert_kind kind;
	int64_t time_ns;     /* event time (0: unknown) */
	int64_t recv_ns;     /* receive time */
	int64_t created_ns;  /* when the alert was made */
	const char *rule_id; /* rule id, or "list:value" for an indicator */
	const char *title;
	int level; /* enum ky_sigma_level; indicators: confidence mapped */
	const char *host, *user, *src_ip; /* NULL when unknown */
	const char *json;
	size_t json_len;
};

int ky_store_add_alert(struct ky_store *s, const struct ky_alert_row *row,
		       struct ky_err *err);
/* Newest first, at most limit rows (0 = all); since_ns > 0 keeps alerts
 * created at or after it. */
int ky_store_alerts(struct ky_store *s, size_t limit, int64_t since_ns,
		    int (*fn)(void *ud, const struct ky_alert_row *row),
		    void *ud, struct ky_err *err);
int ky_store_alert_count(struct ky_store *s, uint64_t *count,
			 struct ky_err *err);
/* Oldest first, the alerts with an id above after_id, at most limit (0 =
 * all): how incidents catch up with the alerts table. */
int ky_store_alerts_after(struct ky_store *s, int64_t after_id, size_t limit,
			  int (*fn)(void *ud, const struct ky_alert_row *row),
			  void *ud, struct ky_err *err);
/* fn once with alert id, or KY_E_NOTFOUND. */
int ky_store_alert_get(struct ky_store *s, int64_t id,
		       int (*fn)(void *ud, const struct ky_alert_row *row),
		       void *ud, struct ky_err *err);
/* The highest alert id (0 when there is none). */
int ky_store_alert_max_id(struct ky_store *s, int64_t *id, struct ky_err *err);

/* A savepoint inside the open transaction, so that one module's part of a
 * batch can be undone without losing the rest (name: [a-z_]+). */
#define KY_SAVEPOINT_BEGIN 0
#define KY_SAVEPOINT_RELEASE 1
#define KY_SAVEPOINT_ROLLBACK 2 /* rolls back to it and releases it */
int ky_store_savepoint(struct ky_store *s, const char *name, int op,
		       struct ky_err *err);

/* Named state of a module (correlation windows; later, sync cursors):
 * one blob per name, replaced whole. */
int ky_store_put_state(struct ky_store *s, const char *name, const void *data,
		       size_t len, int64_t now_ns, struct ky_err *err);
/* *data is malloc'ed (the caller frees it); KY_E_NOTFOUND when absent. */
int ky_store_get_state(struct ky_store *s, const char *name, void **data,
		       size_t *len, struct ky_err *err);

/* Documents of the intel layer, one JSON text per (kind, id), replaced
 * whole: kind "asset" (intel/assets.h, the import shape), "advisory" (a
 * CSAF document as imported), "incident" (intel/incstore.h).  The row's strings
 * are valid during the callback only. */
struct ky_doc_row {
	const char *kind, *id;
	const char *json;
	size_t json_len;
	int64_t updated_ns;
};

int ky_store_put_doc(struct ky_store *s, const char *kind, const char *id,
		     const char *json, size_t len, int64_t now_ns,
		     struct ky_err *err);
/* fn once with the document, or KY_E_NOTFOUND. */
int ky_store_get_doc(struct ky_store *s, const char *kind, const char *id,
		     int (*fn)(void *ud, const struct ky_doc_row *row),
		     void *ud, struct ky_err *err);
/* Every document of kind, ordered by id; stops when fn returns non-zero
 * (and returns that). */
int ky_store_docs(struct ky_store *s, const char *kind,
		  int (*fn)(void *ud, const struct ky_doc_row *row), void *ud,
		  struct ky_err *err);

/* For later modules: raw access for migrations' own tables is not exposed;
 * each module adds typed functions here, keeping all SQL in store/. */

#endif
