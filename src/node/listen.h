/* The daemon's input side, run by the libevent loop thread: listeners
 * (syslog UDP/TCP/TLS, JSON lines over TCP) on "host:port" addresses, their
 * connections, the RFC 6587 framer (octet counting detected per frame, else
 * LF framing), and the record batches handed to the parse queue, with
 * back-pressure when it is full.  The framer is pure: no sockets. */
#ifndef KY_NODE_LISTEN_H
#define KY_NODE_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "event/event.h"
#include "node/metrics.h"

struct event_base;
struct ky_config;
struct ky_queue;
struct ky_batch_pool;

/* The inputs, in this order; batches carry the index. */
enum ky_input_id {
	KY_IN_SYSLOG_UDP,
	KY_IN_SYSLOG_TCP,
	KY_IN_SYSLOG_TLS,
	KY_IN_JSON_TCP,
	KY_IN_COUNT,
};

struct ky_input_info {
	const char *key;    /* "syslog_udp", also the metrics label */
	bool on;	    /* configured (address not "") */
	enum ky_format fmt; /* how workers parse its records */
	char bound[80];	    /* address actually bound */
	char name[128];	    /* in the store: "syslog_udp:127.0.0.1:5514" */
	struct ky_input_stats st;
};

struct ky_inputs;

/* Binds every configured input (cfg->syslog_udp ...; TLS files relative to
 * cfg->home) on base.  Batches come from pool and go to q; records per
 * batch from cfg->batch_size, limits from cfg.  cfg must outlive the
 * inputs.  Returns 0, KY_E_NET, KY_E_TLS, KY_E_CONFIG or KY_E_NOMEM. */
int ky_inputs_open(struct ky_inputs **out, struct event_base *base,
		   const struct ky_config *cfg, struct ky_queue *q,
		   struct ky_batch_pool *pool, struct ky_err *err);
/* Frees listeners, connections and pending batches; accepts NULL. */
void ky_inputs_free(struct ky_inputs *ins);
const struct ky_input_info *ky_inputs_info(const struct ky_inputs *ins, int id);
/* The input's counters, for the workers to add to. */
struct ky_input_stats *ky_inputs_stats(struct ky_inputs *ins, int id);
/* On the loop thread when the queue has room again (after a pop that
 * followed a failed push): hands on stuck batches, resumes reading. */
void ky_inputs_resume(struct ky_inputs *ins);
/* A new limits.max_line (SIGHUP); applies to the next frames. */
void ky_inputs_set_max_line(struct ky_inputs *ins, size_t max_line);
/* Stop: closes the listeners, reads what the sockets already hold, hands
 * every received record to the queue (waiting for room) and closes the
 * connections. */
void ky_inputs_drain(struct ky_inputs *ins);

/* Parses "127.0.0.1:5514", "[::1]:5514", "*:5514" or ":5514" (any IPv4
 * address), "localhost:5514" (resolved once).  Returns 0 or KY_E_INVAL. */
int ky_listen_parse(const char *spec, struct sockaddr_storage *ss,
		    socklen_t *sslen, struct ky_err *err);

/* Binds a non-blocking, close-on-exec socket of socktype (SOCK_STREAM
 * listening, or SOCK_DGRAM) on spec and writes the address actually bound
 * ("127.0.0.1:40123") into bound.  Returns 0 or KY_E_NET/KY_E_INVAL. */
int ky_listen_bind(const char *spec, int socktype, int *fd, char *bound,
		   size_t boundlen, struct ky_err *err);

/* "1.2.3.4:5" or "[::1]:5"; never fails (writes "?" for unknown). */
void ky_sockaddr_str(const struct sockaddr *sa, char *out, size_t outlen);

/* Builds a TLS 1.2+ server context from PEM files; relative paths are
 * taken from home.  ca non-empty makes client certificates mandatory and
 * checked against it.  *out is an SSL_CTX *.  Returns 0 or KY_E_TLS. */
int ky_listen_tls_ctx(void **out, const char *home, const char *cert,
		      const char *key, const char *ca, struct ky_err *err);

enum ky_frame_kind {
	KY_FRAME_NONE = 0,  /* need more bytes (consumed may still be > 0) */
	KY_FRAME_RECORD,    /* rec[0..len) is one record */
	KY_FRAME_TOOBIG,    /* over max: rec[0..len) is a prefix, size is
			       the frame's size (or bytes seen so far) */
	KY_FRAME_TRUNCATED, /* end of stream inside an octet-counted frame */
};

struct ky_framer {
	size_t max;	 /* limits.max_line; may change between calls */
	uint64_t skip;	 /* bytes of an oversized octet frame to discard */
	bool skip_lf;	 /* discarding an oversized line up to its LF */
	uint64_t frames; /* frames seen, numbering records from 1 */
	uint64_t offset; /* bytes consumed from the stream */
};

struct ky_frame {
	enum ky_frame_kind kind;
	size_t consumed; /* bytes of the input to drop after this call */
	const char *rec;
	size_t len;
	uint64_t size;
	uint64_t line;	 /* frame number */
	uint64_t offset; /* stream offset of the frame */
};

void ky_framer_init(struct ky_framer *f, size_t max);
/* Looks at the unconsumed stream bytes p[0..n); eof says no more will
 * come.  Fills *fr; the caller drops fr->consumed bytes and calls again
 * until kind is NONE and consumed is 0.  Empty lines are skipped. */
void ky_framer_next(struct ky_framer *f, const char *p, size_t n, bool eof,
		    struct ky_frame *fr);

#endif
