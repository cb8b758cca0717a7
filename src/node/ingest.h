/* The ingestion pipeline shared by `kyklos ingest` and the daemon's
 * workers: records in, events out to a sink, rejected records to the dead
 * letter (file under NODE/deadletter/ and the store), counters per input.
 * Bad input never stops ingestion and never loses an accepted neighbour. */
#ifndef KY_NODE_INGEST_H
#define KY_NODE_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "event/event.h"
#include "store/store.h"

struct ky_config;
struct ky_parser;
struct ky_deadletter;
struct ky_ingest;

/* Receives each accepted event; the event is valid only during the call.
 * A non-zero return stops the current stream with that status. */
typedef int (*ky_event_sink)(void *ud, const struct ky_event *ev);

/* Dead-letter writer: JSON lines in dir/deadletter-YYYYMMDD.jsonl (rotated
 * past max_bytes) and, when store is not NULL, the deadletter table.
 * Thread-safe.  dir may be NULL (no file). */
int ky_deadletter_open(struct ky_deadletter **out, const char *dir,
		       size_t max_bytes, struct ky_store *store,
		       struct ky_err *err);
void ky_deadletter_close(struct ky_deadletter *d);
int ky_deadletter_add(struct ky_deadletter *d, const char *input, uint64_t line,
		      uint64_t offset, const char *reason, const char *raw,
		      size_t raw_len);
uint64_t ky_deadletter_written(const struct ky_deadletter *d);

/* One pipeline per thread; parser and deadletter are shared (borrowed). */
int ky_ingest_new(struct ky_ingest **out, const struct ky_parser *parser,
		  struct ky_deadletter *dl, enum ky_format fmt,
		  ky_event_sink sink, void *sink_ud, struct ky_err *err);
void ky_ingest_free(struct ky_ingest *in);
/* The longest record ky_ingest_stream accepts (limits.max_line); longer
 * lines are rejected whole.  Default 65536. */
void ky_ingest_set_max_line(struct ky_ingest *in, size_t max_line);

/* One record (one line, one syslog frame, one datagram).  Rejected records
 * go to the dead letter and count; they return 0 (not an error).  Only a
 * sink failure or exhaustion is returned. */
int ky_ingest_record(struct ky_ingest *in, const char *input, uint64_t line,
		     uint64_t offset, const char *rec, size_t n,
		     int64_t recv_ns);

/* Reads a whole stream (file or stdin) record by record: newline-delimited,
 * and for JSON also pretty-printed documents spanning lines.  A line longer
 * than the limit is rejected (and skipped to the next newline), not cut.
 * progress (may be NULL) is called about every 64 KiB read. */
int ky_ingest_stream(struct ky_ingest *in, const char *input, FILE *fp,
		     void (*progress)(void *ud,
				      const struct ky_ingest_counts *c),
		     void *progress_ud, struct ky_err *err);

/* Counters since creation (records, bytes, accepted, rejected). */
const struct ky_ingest_counts *ky_ingest_counts(const struct ky_ingest *in);
void ky_ingest_counts_reset(struct ky_ingest *in);

#endif
