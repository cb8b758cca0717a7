/* Internals of the daemon shared by serve.c (loop, workers, set-up) and
 * serve_ctl.c (reload, correlation state, metrics).  Not an API. */
#ifndef KY_NODE_SERVE_INT_H
#define KY_NODE_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#include "base/err.h"
#include "node/alertlog.h"

struct ky_incstore;
#include "node/detector.h"
#include "node/ingest.h"
#include "node/listen.h"
#include "node/metrics.h"
#include "node/queue.h"
#include "node/sync.h"
#include "store/store.h"

struct ky_buf;
struct ky_config;
struct ky_parser;

struct server;

/* A parser and detector and the configuration they were built from;
 * workers hold a reference while they use it, so SIGHUP never frees
 * either under a worker. */
struct gen {
	struct ky_config *owned; /* NULL for the caller's configuration */
	struct ky_parser *parser;
	struct ky_detector *det;
	int refs;
};

struct worker {
	struct server *s;
	pthread_t th;
	bool started;
	uint64_t gen_seq;
	struct gen *gen;
	struct ky_ingest *ing[KY_IN_COUNT];
	struct ky_detect_ctx *dctx;	  /* NULL: no rule, no list */
	struct ky_alert_pending *pending; /* this batch's alerts */
	bool hit;			  /* the sink saw the current record */
};

struct server {
	struct ky_config *cfg;
	struct event_base *base;
	struct ky_inputs *ins;
	struct ky_queue *q;
	struct ky_batch_pool *pool;
	struct event *space_ev, *sig_term, *sig_int, *sig_hup, *sig_usr1;
	struct evhttp *http;
	struct ky_metrics_source msrc;
	char metrics_bound[80];
	struct ky_sync *sync; /* sharing: endpoint, puller, publisher */
	char sync_bound[80];
	char taxii_bound[80];
	struct ky_store *store;
	struct ky_deadletter *dl;
	pthread_mutex_t gen_mu;
	struct gen *gen;
	_Atomic uint64_t gen_seq;
	struct worker *workers;
	size_t nworkers;
	bool stopping;
	_Atomic uint64_t reloads_ok, reloads_failed;
	int64_t start_ns;

	/* detection */
	struct ky_corr_host corr;
	bool corr_on;
	struct ky_alertlog *alog; /* NULL: alerts are counted only */
	struct event *save_ev;
	_Atomic uint64_t alerts[3]; /* by enum ky_alert_kind */
	_Atomic uint64_t alerts_lost;
	struct ky_incstore *incs; /* NULL when alerts are not stored */
	_Atomic uint64_t inc_opened, inc_failed;
	/* a reload runs in its own thread; the loop thread publishes it */
	pthread_t reload_th;
	bool reloading, reload_again;
	/* SIGUSR1: the indicator and warning lists only, the compiled rules
	 * kept when their configuration is the same (reload_base's) */
	bool reload_lists, reload_lists_again;
	struct gen *reload_base; /* referenced while the thread runs */
	struct event *reload_ev;
	struct gen *reload_gen; /* built, or NULL when it failed */
	struct ky_err reload_err;
	char reload_path[4096];
};

static inline const struct ky_input_info *
ky__serve_input(const struct server *s, int i)
{
	return ky_inputs_info(s->ins, i);
}

/* serve.c */
void ky__serve_gen_release(struct server *s, struct gen *g);

/* serve_ctl.c */
void ky__serve_apply_log(const struct ky_config *cfg);
int ky__serve_incidents_setup(struct server *s, struct ky_err *err);
int ky__serve_build_detector(const struct ky_config *cfg,
			     struct ky_detector *cur, struct ky_detector **out,
			     struct ky_err *err);
/* SIGHUP (lists_only false) or SIGUSR1 (true): starts the reload thread
 * (or queues one more reload). */
void ky__serve_reload(struct server *s, bool lists_only);
/* The loop's event once the reload thread is done: applies it. */
void ky__serve_reload_done(evutil_socket_t fd, short what, void *ud);
void ky__serve_save_state(struct server *s);
void ky__serve_save_cb(evutil_socket_t fd, short what, void *ud);
int ky__serve_metrics_render(void *ud, struct ky_buf *out);

#endif
