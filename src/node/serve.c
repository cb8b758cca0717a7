/* The daemon: one libevent loop thread owns the listeners and frames bytes
 * into record batches; worker threads parse them through their own
 * ky_ingest.  A full queue pauses TCP/TLS reading and drops UDP (counted);
 * SIGTERM/SIGINT drain everything received, SIGHUP reloads the parser. */
#include "node/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/time.h"
#include "event/parse.h"
#include "node/ingest.h"
#include "node/listen.h"
#include "node/metrics.h"
#include "node/queue.h"
#include "store/store.h"

struct server;

/* A parser and the configuration it was built from; workers hold a
 * reference while their ingests use it, so SIGHUP never frees a parser
 * under a worker. */
struct gen {
	struct ky_config *owned; /* NULL for the caller's configuration */
	struct ky_parser *parser;
	int refs;
};

struct worker {
	struct server *s;
	pthread_t th;
	bool started;
	uint64_t gen_seq;
	struct gen *gen;
	struct ky_ingest *ing[KY_IN_COUNT];
	bool hit; /* the sink saw the current record */
};

struct server {
	struct ky_config *cfg;
	struct event_base *base;
	struct ky_inputs *ins;
	struct ky_queue *q;
	struct ky_batch_pool *pool;
	struct event *space_ev, *sig_term, *sig_int, *sig_hup;
	struct evhttp *http;
	struct ky_metrics_source msrc;
	char metrics_bound[80];
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
};

static const struct ky_input_info *input(const struct server *s, int i)
{
	return ky_inputs_info(s->ins, i);
}

/* ---- workers ---------------------------------------------------------- */

static void gen_release(struct server *s, struct gen *g)
{
	bool last;

	if (g == NULL)
		return;
	pthread_mutex_lock(&s->gen_mu);
	last = --g->refs == 0;
	pthread_mutex_unlock(&s->gen_mu);
	if (!last)
		return;
	ky_parser_free(g->parser);
	if (g->owned != NULL) {
		ky_config_free(g->owned);
		free(g->owned);
	}
	free(g);
}

static const struct ky_config *cfg_of(const struct server *s,
				      const struct gen *g)
{
	return g->owned != NULL ? g->owned : s->cfg;
}

static int sink(void *ud, const struct ky_event *ev)
{
	struct worker *w = ud;

	(void)ev; /* detection comes later; for now events are counted */
	w->hit = true;
	return 0;
}

static void worker_free_ingests(struct worker *w)
{
	for (int i = 0; i < KY_IN_COUNT; i++) {
		ky_ingest_free(w->ing[i]);
		w->ing[i] = NULL;
	}
}

/* Moves the worker to the newest parser when SIGHUP published one. */
static int worker_sync(struct worker *w, struct ky_err *err)
{
	struct server *s = w->s;
	uint64_t seq = atomic_load(&s->gen_seq);
	struct ky_ingest *ing[KY_IN_COUNT] = {NULL};
	int64_t max_line;
	struct gen *g;
	int rc = 0;

	if (seq == w->gen_seq)
		return 0;
	pthread_mutex_lock(&s->gen_mu);
	g = s->gen;
	g->refs++;
	pthread_mutex_unlock(&s->gen_mu);
	max_line = cfg_of(s, g)->max_line;
	for (int i = 0; i < KY_IN_COUNT && rc == 0; i++) {
		if (input(s, i)->on)
			rc = ky_ingest_new(&ing[i], g->parser, s->dl,
					   input(s, i)->fmt, sink, w, err);
		if (rc == 0 && ing[i] != NULL && max_line > 0)
			ky_ingest_set_max_line(ing[i], (size_t)max_line);
	}
	if (rc != 0) {
		for (int i = 0; i < KY_IN_COUNT; i++)
			ky_ingest_free(ing[i]);
		gen_release(s, g);
		return rc;
	}
	worker_free_ingests(w);
	memcpy(w->ing, ing, sizeof(ing));
	gen_release(s, w->gen);
	w->gen = g;
	w->gen_seq = seq;
	return 0;
}

static void worker_batch(struct worker *w, struct ky_batch *b)
{
	struct server *s = w->s;
	struct ky_input_stats *st = ky_inputs_stats(s->ins, b->input);
	struct ky_ingest *ing = w->ing[b->input];
	uint64_t acc = 0, rej = 0, dl0;
	char reason[160];

	for (size_t i = 0; i < b->n; i++) {
		const struct ky_rec *r = &b->recs[i];
		const char *src = ky_batch_rec_src(b, r);
		const char *p = ky_batch_rec_data(b, r);
		int rc;

		if (r->kind != KY_REC_DATA || ing == NULL) {
			if (ing == NULL && r->kind == KY_REC_DATA)
				snprintf(reason, sizeof(reason),
					 "no parser for this input");
			else if (r->kind == KY_REC_TOOBIG)
				snprintf(reason, sizeof(reason),
					 "frame of %llu bytes exceeds "
					 "limits.max_line",
					 (unsigned long long)r->size);
			else
				snprintf(reason, sizeof(reason),
					 "stream ended inside an "
					 "octet-counted frame (%u of %llu "
					 "bytes)",
					 r->len, (unsigned long long)r->size);
			ky_deadletter_add(s->dl, src, r->line, r->offset,
					  reason, p, r->len);
			rej++;
			continue;
		}
		w->hit = false;
		dl0 = ky_ingest_counts(ing)->rejected;
		rc = ky_ingest_record(ing, src, r->line, r->offset, p, r->len,
				      r->recv_ns);
		if (rc != 0)
			KY_DEBUG("%s: record %llu: %s", src,
				 (unsigned long long)r->line, ky_strerror(rc));
		if (w->hit) {
			acc++;
			continue;
		}
		rej++;
		/* A record counted rejected is in the dead letter, also when
		 * the pipeline had nothing to say about it (a blank record,
		 * an empty JSON array, a failure). */
		if (ky_ingest_counts(ing)->rejected == dl0)
			ky_deadletter_add(s->dl, src, r->line, r->offset,
					  rc != 0 ? ky_strerror(rc)
						  : "record holds no event "
						    "(blank, or an empty JSON "
						    "array)",
					  p, r->len);
	}
	atomic_fetch_add_explicit(&st->accepted, acc, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->rejected, rej, memory_order_relaxed);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ky_batch *b;
	struct ky_err err;

	while ((b = ky_queue_pop(w->s->q)) != NULL) {
		if (worker_sync(w, &err) != 0)
			KY_ERROR("worker: keeping the old parser: %s", err.msg);
		worker_batch(w, b);
		ky_batch_pool_put(w->s->pool, b);
	}
	return NULL;
}

/* ---- metrics ---------------------------------------------------------- */

static int metrics_render(void *ud, struct ky_buf *out)
{
	struct server *s = ud;
	struct ky_metrics_input mi[KY_IN_COUNT];
	struct ky_queue_stats qs;
	struct ky_metrics_queue mq = {"parse", &qs};
	size_t n = 0;
	int rc;

	for (int i = 0; i < KY_IN_COUNT; i++) {
		if (input(s, i)->on) {
			mi[n].name = input(s, i)->key;
			mi[n].st = &input(s, i)->st;
			n++;
		}
	}
	ky_queue_stats(s->q, &qs);
	if ((rc = ky_metrics_write_inputs(out, mi, n)) != 0 ||
	    (rc = ky_metrics_write_queues(out, &mq, 1)) != 0)
		return rc;
	if ((rc = ky_metrics_family(out, "kyklos_workers", "gauge",
				    "Parse worker threads.")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_workers", NULL, NULL,
				    s->nworkers)) != 0 ||
	    (rc = ky_metrics_family(out, "kyklos_config_reloads_total",
				    "counter",
				    "Configuration reloads on SIGHUP.")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_config_reloads_total",
				    "result", "ok",
				    atomic_load(&s->reloads_ok))) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_config_reloads_total",
				    "result", "failed",
				    atomic_load(&s->reloads_failed))) != 0 ||
	    (rc = ky_metrics_family(out, "kyklos_start_time_seconds", "gauge",
				    "Start time, seconds since the epoch.")) !=
		    0)
		return rc;
	return ky_metrics_sample(out, "kyklos_start_time_seconds", NULL, NULL,
				 (uint64_t)(s->start_ns / KY_NS_PER_SEC));
}

/* ---- signals ---------------------------------------------------------- */

static void apply_log(const struct ky_config *cfg)
{
	enum ky_level lv;

	if (cfg->log_level != NULL &&
	    ky_log_level_parse(cfg->log_level, &lv) == 0)
		ky_log_set_level(lv);
	if (cfg->log_format != NULL)
		ky_log_set_format(strcmp(cfg->log_format, "json") == 0
					  ? KY_LOG_JSON
					  : KY_LOG_TEXT);
}

static bool str_differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

static void reload(struct server *s)
{
	char path[4096];
	struct ky_config *nc = calloc(1, sizeof(*nc));
	struct gen *g = calloc(1, sizeof(*g)), *old;
	struct ky_err err = {0};
	int rc;

	if (s->cfg->path != NULL)
		snprintf(path, sizeof(path), "%s", s->cfg->path);
	else
		snprintf(path, sizeof(path), "%s/kyklos.yaml", s->cfg->home);
	if (nc == NULL || g == NULL) {
		rc = ky_err_set(&err, KY_E_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = ky_config_load(nc, path, &err)) != 0)
		goto fail;
	if (nc->home == NULL)
		nc->home = ky_xstrdup(s->cfg->home);
	if ((rc = ky_parser_new(&g->parser, nc, &err)) != 0)
		goto fail;
	apply_log(nc);
	if (str_differs(nc->syslog_udp, s->cfg->syslog_udp) ||
	    str_differs(nc->syslog_tcp, s->cfg->syslog_tcp) ||
	    str_differs(nc->syslog_tls, s->cfg->syslog_tls) ||
	    str_differs(nc->json_tcp, s->cfg->json_tcp) ||
	    str_differs(nc->metrics, s->cfg->metrics) ||
	    nc->workers != s->cfg->workers ||
	    nc->queue_depth != s->cfg->queue_depth)
		KY_WARN("reload: listeners, workers and queue change only on "
			"restart");
	ky_inputs_set_max_line(s->ins, (size_t)nc->max_line);
	g->owned = nc;
	g->refs = 1;
	pthread_mutex_lock(&s->gen_mu);
	old = s->gen;
	s->gen = g;
	pthread_mutex_unlock(&s->gen_mu);
	atomic_fetch_add(&s->gen_seq, 1);
	gen_release(s, old);
	atomic_fetch_add(&s->reloads_ok, 1);
	KY_INFO("reload: configuration %s applied (log level %s, "
		"limits.max_line %lld, %zu extraction patterns)",
		path, nc->log_level ? nc->log_level : "?",
		(long long)nc->max_line, nc->npatterns);
	return;
fail:
	atomic_fetch_add(&s->reloads_failed, 1);
	KY_ERROR("reload: %s; keeping the running configuration", err.msg);
	if (nc != NULL) {
		ky_config_free(nc);
		free(nc);
	}
	free(g);
}

/* Stops accepting, hands on everything already received, and ends the
 * loop; the workers drain the queue after it. */
static void stop(struct server *s, int sig)
{
	if (s->stopping)
		return;
	s->stopping = true;
	KY_INFO("signal %d: stopping, draining received input", sig);
	if (s->http != NULL) {
		evhttp_free(s->http);
		s->http = NULL;
	}
	ky_inputs_drain(s->ins);
	event_base_loopexit(s->base, NULL);
}

static void signal_cb(evutil_socket_t sig, short what, void *ud)
{
	struct server *s = ud;

	(void)what;
	if (sig == SIGHUP)
		reload(s);
	else
		stop(s, (int)sig);
}

static void space_cb(evutil_socket_t fd, short what, void *ud)
{
	struct server *s = ud;

	(void)fd;
	(void)what;
	if (!s->stopping)
		ky_inputs_resume(s->ins);
}

static void on_space(void *ud)
{
	struct server *s = ud;

	event_active(s->space_ev, EV_READ, 0); /* from a worker thread */
}

/* ---- set-up and tear-down --------------------------------------------- */

/* The key and bound address of listener i (inputs, then metrics). */
static void listener_at(const struct server *s, int i, const char **key,
			const char **addr)
{
	if (i < KY_IN_COUNT) {
		*key = input(s, i)->key;
		*addr = input(s, i)->on ? input(s, i)->bound : "";
	} else {
		*key = "metrics";
		*addr = s->metrics_bound;
	}
}

/* NODE/data/serve.ports: the bound addresses as JSON, for tools and
 * tests that let the kernel pick the ports. */
static int write_ports(struct server *s, struct ky_err *err)
{
	char dir[4096], path[4200], tmp[4300];
	struct ky_buf b;
	FILE *fp = NULL;
	int rc = 0;

	ky_buf_init(&b, 65536);
	snprintf(dir, sizeof(dir), "%s/data", s->cfg->home);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		rc = ky_err_set(err, KY_E_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/serve.ports", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ky_buf_addc(&b, '{');
	for (int i = 0; i <= KY_IN_COUNT; i++) {
		const char *key, *addr;
		listener_at(s, i, &key, &addr);
		if (addr[0] == '\0')
			continue;
		if (b.len > 1)
			ky_buf_addc(&b, ',');
		ky_buf_add_json_str(&b, key, strlen(key));
		ky_buf_addc(&b, ':');
		ky_buf_add_json_str(&b, addr, strlen(addr));
	}
	if ((rc = ky_buf_adds(&b, "}\n")) != 0) {
		ky_err_set(err, rc, "%s: %s", path, ky_strerror(rc));
		goto out;
	}
	if ((fp = fopen(tmp, "w")) == NULL) {
		rc = ky_err_set(err, KY_E_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(b.data, 1, b.len, fp) != b.len) {
		rc = ky_err_set(err, KY_E_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = fclose(fp);
	fp = NULL;
	if (rc != 0 || rename(tmp, path) != 0)
		rc = ky_err_set(err, KY_E_IO, "%s: %s", path, strerror(errno));
out:
	if (fp != NULL)
		fclose(fp);
	ky_buf_free(&b);
	return rc;
}

static void evthread_init(void)
{
	evthread_use_pthreads();
}

static int start_workers(struct server *s, struct ky_err *err)
{
	sigset_t all, old;
	int rc = 0;

	s->workers = calloc(s->nworkers, sizeof(*s->workers));
	if (s->workers == NULL)
		return ky_err_set(err, KY_E_NOMEM, "workers");
	for (size_t i = 0; i < s->nworkers && rc == 0; i++) {
		s->workers[i].s = s;
		rc = worker_sync(&s->workers[i], err);
	}
	if (rc != 0)
		return rc;
	/* Signals are the loop's business: workers never take them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (size_t i = 0; i < s->nworkers; i++) {
		struct worker *w = &s->workers[i];
		int e = pthread_create(&w->th, NULL, worker_main, w);
		if (e != 0) {
			rc = ky_err_set(err, KY_E_INTERNAL, "worker thread: %s",
					strerror(e));
			break;
		}
		w->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void stop_workers(struct server *s)
{
	if (s->q != NULL)
		ky_queue_close(s->q);
	for (size_t i = 0; s->workers != NULL && i < s->nworkers; i++) {
		if (s->workers[i].started)
			pthread_join(s->workers[i].th, NULL);
		s->workers[i].started = false;
	}
}

/* Single writer: called after the workers are joined. */
static void save_counts(struct server *s)
{
	struct ky_buf sum;
	struct ky_err err = {0};
	int64_t now = ky_time_now_ns();
	int rc;

	ky_buf_init(&sum, 8192);
	rc = ky_store_begin(s->store, &err);
	for (int i = 0; i < KY_IN_COUNT; i++) {
		const struct ky_input_info *in = input(s, i);
		struct ky_ingest_counts c;
		if (!in->on)
			continue;
		c.records = atomic_load(&in->st.records);
		c.bytes = atomic_load(&in->st.bytes);
		c.accepted = atomic_load(&in->st.accepted);
		c.rejected = atomic_load(&in->st.rejected);
		ky_buf_addf(&sum,
			    "%s%s records=%llu accepted=%llu rejected=%llu "
			    "dropped=%llu",
			    sum.len ? "; " : "", in->key,
			    (unsigned long long)c.records,
			    (unsigned long long)c.accepted,
			    (unsigned long long)c.rejected,
			    (unsigned long long)atomic_load(&in->st.dropped));
		if (rc == 0 && c.records > 0)
			rc = ky_store_add_ingest_counts(s->store, in->name, &c,
							now, &err);
	}
	if (rc == 0)
		rc = ky_store_commit(s->store, &err);
	if (rc != 0) {
		ky_store_rollback(s->store);
		KY_ERROR("store: ingest counts not saved: %s", err.msg);
	}
	KY_INFO("stopped: %s", ky_buf_str(&sum));
	ky_buf_free(&sum);
}

static void free_server(struct server *s)
{
	struct ky_batch *b;

	ky_inputs_free(s->ins);
	if (s->http != NULL)
		evhttp_free(s->http);
	if (s->space_ev != NULL)
		event_free(s->space_ev);
	if (s->sig_term != NULL)
		event_free(s->sig_term);
	if (s->sig_int != NULL)
		event_free(s->sig_int);
	if (s->sig_hup != NULL)
		event_free(s->sig_hup);
	if (s->base != NULL)
		event_base_free(s->base);
	for (size_t i = 0; s->workers != NULL && i < s->nworkers; i++) {
		worker_free_ingests(&s->workers[i]);
		gen_release(s, s->workers[i].gen);
	}
	free(s->workers);
	gen_release(s, s->gen);
	if (s->q != NULL) {
		while ((b = ky_queue_pop(s->q)) != NULL) /* closed: no wait */
			ky_batch_free(b);
		ky_queue_free(s->q);
	}
	ky_batch_pool_free(s->pool);
	ky_deadletter_close(s->dl);
	ky_store_close(s->store);
	pthread_mutex_destroy(&s->gen_mu);
	free(s);
}

static int add_signal(struct server *s, struct event **ev, int sig)
{
	*ev = evsignal_new(s->base, sig, signal_cb, s);
	if (*ev == NULL || event_add(*ev, NULL) != 0)
		return KY_E_INTERNAL;
	return 0;
}

static int setup(struct server *s, struct ky_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct ky_config *cfg = s->cfg;
	char path[4096];
	struct gen *g;
	int rc;

	if ((cfg->syslog_udp == NULL || cfg->syslog_udp[0] == '\0') &&
	    (cfg->syslog_tcp == NULL || cfg->syslog_tcp[0] == '\0') &&
	    (cfg->syslog_tls == NULL || cfg->syslog_tls[0] == '\0') &&
	    (cfg->json_tcp == NULL || cfg->json_tcp[0] == '\0'))
		return ky_err_set(err, KY_E_CONFIG,
				  "%s: no input enabled (serve.syslog_udp, "
				  "serve.syslog_tcp, serve.syslog_tls, "
				  "serve.json_tcp)",
				  cfg->path ? cfg->path : "configuration");
	if (cfg->store_path[0] == '/')
		snprintf(path, sizeof(path), "%s", cfg->store_path);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg->home,
			 cfg->store_path);
	if ((rc = ky_store_open(&s->store, path, 0, (int)cfg->busy_timeout_ms,
				err)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/deadletter", cfg->home);
	if ((rc = ky_deadletter_open(&s->dl, cfg->deadletter ? path : NULL,
				     (size_t)cfg->deadletter_max_bytes,
				     cfg->deadletter ? s->store : NULL, err)) !=
	    0)
		return rc;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "parser");
	g->refs = 1;
	s->gen = g;
	atomic_store(&s->gen_seq, 1);
	if ((rc = ky_parser_new(&g->parser, cfg, err)) != 0)
		return rc;
	if ((rc = ky_batch_pool_new(&s->pool)) != 0 ||
	    (rc = ky_queue_new(&s->q, (size_t)cfg->queue_depth * s->nworkers,
			       on_space, s)) != 0)
		return ky_err_set(err, rc, "queue");
	pthread_once(&once, evthread_init);
	if ((s->base = event_base_new()) == NULL ||
	    (s->space_ev = event_new(s->base, -1, 0, space_cb, s)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "event loop");
	if (add_signal(s, &s->sig_term, SIGTERM) != 0 ||
	    add_signal(s, &s->sig_int, SIGINT) != 0 ||
	    add_signal(s, &s->sig_hup, SIGHUP) != 0)
		return ky_err_set(err, KY_E_INTERNAL, "signal handlers");
	if ((rc = ky_inputs_open(&s->ins, s->base, cfg, s->q, s->pool, err)) !=
	    0)
		return rc;
	s->msrc.render = metrics_render;
	s->msrc.ud = s;
	if (cfg->metrics != NULL && cfg->metrics[0] != '\0' &&
	    (rc = ky_metrics_http_open(&s->http, s->base, cfg->metrics,
				       &s->msrc, s->metrics_bound,
				       sizeof(s->metrics_bound), err)) != 0)
		return rc;
	return start_workers(s, err);
}

int ky_serve_run(struct ky_config *cfg, struct ky_err *err)
{
	struct server *s = calloc(1, sizeof(*s));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	if (s == NULL)
		return ky_err_set(err, KY_E_NOMEM, "serve");
	s->cfg = cfg;
	s->start_ns = ky_time_now_ns();
	s->nworkers = cfg->workers > 0 ? (size_t)cfg->workers
				       : (size_t)(ncpu > 0 ? ncpu : 1);
	pthread_mutex_init(&s->gen_mu, NULL);
	if ((rc = setup(s, err)) != 0)
		goto out;
	for (int i = 0; i <= KY_IN_COUNT; i++) {
		const char *key, *addr;
		listener_at(s, i, &key, &addr);
		if (addr[0] != '\0')
			fprintf(stderr, "kyklos: listening %s %s\n", key, addr);
	}
	if ((rc = write_ports(s, err)) != 0)
		goto out;
	KY_INFO("serving node %s: %zu workers, queue of %lld batches of up "
		"to %lld records",
		cfg->node_name ? cfg->node_name : "?", s->nworkers,
		(long long)cfg->queue_depth * (long long)s->nworkers,
		(long long)cfg->batch_size);
	if (event_base_dispatch(s->base) != 0) {
		rc = ky_err_set(err, KY_E_INTERNAL, "event loop failed");
		goto out;
	}
	stop_workers(s);
	save_counts(s);
out:
	stop_workers(s);
	free_server(s);
	return rc;
}
