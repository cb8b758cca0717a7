/* Counters of the daemon's stages and their Prometheus text exposition
 * (format 0.0.4: "# HELP", "# TYPE", then name{label="value"} number).
 * Counters are atomics written by the loop and worker threads. */
#ifndef KY_NODE_METRICS_H
#define KY_NODE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ky_buf;
struct ky_queue_stats;

/* Per input (syslog_udp, syslog_tcp, syslog_tls, json_tcp). */
struct ky_input_stats {
	_Atomic uint64_t records;	      /* frames handed to the queue */
	_Atomic uint64_t bytes;		      /* bytes of those frames */
	_Atomic uint64_t accepted;	      /* parsed into events */
	_Atomic uint64_t rejected;	      /* sent to the dead letter */
	_Atomic uint64_t dropped;	      /* lost: queue full (UDP) */
	_Atomic uint64_t connections;	      /* accepted since start */
	_Atomic uint64_t connections_open;    /* gauge */
	_Atomic uint64_t connections_refused; /* over max_connections */
	_Atomic uint64_t paused; /* reads paused by a full queue (TCP/TLS) */
};

struct ky_metrics_input {
	const char *name;
	const struct ky_input_stats *st;
};

struct ky_metrics_queue {
	const char *name;
	const struct ky_queue_stats *st;
};

/* "# HELP name help\n# TYPE name type\n"; type is counter or gauge. */
int ky_metrics_family(struct ky_buf *out, const char *name, const char *type,
		      const char *help);
/* name{label="value"} v, escaping the value; label NULL for no labels. */
int ky_metrics_sample(struct ky_buf *out, const char *name, const char *label,
		      const char *value, uint64_t v);
/* One family per input counter, one sample per input. */
int ky_metrics_write_inputs(struct ky_buf *out,
			    const struct ky_metrics_input *in, size_t n);
/* kyklos_queue_{in,out,dropped}_total, kyklos_queue_{depth,capacity}. */
int ky_metrics_write_queues(struct ky_buf *out,
			    const struct ky_metrics_queue *q, size_t n);

/* What the metrics listener serves: render writes the whole exposition. */
struct ky_metrics_source {
	int (*render)(void *ud, struct ky_buf *out);
	void *ud;
};

/* The metrics listener: HTTP on spec ("127.0.0.1:9100", port 0 allowed;
 * the bound address goes to bound), GET /metrics answers with what
 * src->render writes, any other path 404.  src is borrowed and must
 * outlive the listener.  Runs on base; free *out with evhttp_free.
 * Returns 0, KY_E_NET, KY_E_INVAL or KY_E_NOMEM. */
struct event_base;
struct evhttp;
int ky_metrics_http_open(struct evhttp **out, struct event_base *base,
			 const char *spec, const struct ky_metrics_source *src,
			 char *bound, size_t boundlen, struct ky_err *err);

#endif
