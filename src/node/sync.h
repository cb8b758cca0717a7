/* The daemon's sharing engine (docs/protocol.md): the sync endpoint (HTTPS,
 * TLS 1.3, mutual authentication by bindings to pinned node keys) on its
 * own thread and event loop, a puller thread that pulls from every peer
 * with a cursor and wakes on push notifications, a publisher that turns
 * the node's incidents into STIX objects in the change log, the TAXII 2.1
 * server, and the ledger records of everything sent and received. */
#ifndef KY_NODE_SYNC_H
#define KY_NODE_SYNC_H

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"

struct ky_sync;

/* Starts the engine when the node can share (a key; the endpoint when
 * share.listen is set).  bound receives the endpoint's address. */
int ky_sync_start(struct ky_sync **out, const struct ky_config *cfg,
		  char *bound, size_t boundlen, char *taxii_bound,
		  size_t taxii_boundlen, struct ky_err *err);
void ky_sync_stop(struct ky_sync *s);
/* Prometheus lines of the engine's counters. */
int ky_sync_metrics(struct ky_sync *s, struct ky_buf *out);

#endif
