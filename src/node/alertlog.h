/* Alerts of the daemon's workers on their way to the store: each worker
 * collects its alerts for one batch of records (copies, no lock), then
 * writes them in one transaction through the writer's own store
 * connection, under the writer's lock.  The same connection saves module
 * state (correlation windows). */
#ifndef KY_NODE_ALERTLOG_H
#define KY_NODE_ALERTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct ky_alertlog;
struct ky_alert_pending;

int ky_alertlog_open(struct ky_alertlog **out, const char *store_path,
		     int busy_timeout_ms, struct ky_err *err);
void ky_alertlog_close(struct ky_alertlog *l);
/* Called inside each batch's transaction after its alerts are written
 * (under the writer's lock): incidents group them there.  The hook keeps
 * its own failures to itself (a savepoint), so alerts are never lost to
 * it. */
typedef void (*ky_alertlog_hook)(void *ud, struct ky_store *st);
void ky_alertlog_set_hook(struct ky_alertlog *l, ky_alertlog_hook fn, void *ud);

int ky_alert_pending_new(struct ky_alert_pending **out);
void ky_alert_pending_free(struct ky_alert_pending *p);
size_t ky_alert_pending_count(const struct ky_alert_pending *p);
/* Copies the row (strings and JSON) into p. */
int ky_alert_pending_add(struct ky_alert_pending *p,
			 const struct ky_alert_row *row);
/* Writes p's rows in one transaction and empties p (also on failure:
 * the rows are then counted lost and the error returned). */
int ky_alertlog_write(struct ky_alertlog *l, struct ky_alert_pending *p,
		      struct ky_err *err);

/* The writer's connection, for other writes of the daemon (state). */
struct ky_store *ky_alertlog_lock(struct ky_alertlog *l);
void ky_alertlog_unlock(struct ky_alertlog *l);

struct ky_alertlog_stats {
	uint64_t stored, lost;
};
void ky_alertlog_stats(struct ky_alertlog *l, struct ky_alertlog_stats *st);

#endif
