/* The daemon: one libevent loop thread owns the listeners and frames bytes
 * into record batches; worker threads parse them through their own
 * ky_ingest and run the detection engine on every event, keeping alerts
 * in the store.  A full queue pauses TCP/TLS reading and drops UDP
 * (counted); SIGTERM/SIGINT drain everything received; SIGHUP reloads the
 * configuration, parser and rules in a thread of its own while the
 * workers go on with the old ones, then switches without losing an event
 * or a correlation window; SIGUSR1 does the same for the indicator and
 * warning lists alone, keeping the compiled rules. */
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
#include "intel/incstore.h"
#include "node/alertlog.h"
#include "node/detector.h"
#include "node/ingest.h"
#include "node/listen.h"
#include "node/metrics.h"
#include "node/queue.h"
#include "node/serve_int.h"
#include "store/store.h"

static const struct ky_input_info *input(const struct server *s, int i)
{
	return ky__serve_input(s, i);
}

/* ---- workers ---------------------------------------------------------- */

void ky__serve_gen_release(struct server *s, struct gen *g)
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
	ky_detector_unref(g->det);
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

static int on_alert(void *ud, const struct ky_alert_row *row)
{
	struct worker *w = ud;
	struct server *s = w->s;

	atomic_fetch_add_explicit(&s->alerts[row->kind], 1,
				  memory_order_relaxed);
	if (s->alog != NULL && w->pending != NULL &&
	    ky_alert_pending_add(w->pending, row) != 0)
		atomic_fetch_add(&s->alerts_lost, 1);
	return 0;
}

static int sink(void *ud, const struct ky_event *ev)
{
	struct worker *w = ud;

	w->hit = true;
	if (w->dctx != NULL)
		(void)ky_detect_event(w->dctx, &w->s->corr, ev, on_alert, w);
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
	struct ky_detect_ctx *dctx = NULL;
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
	if (rc == 0 && g->det != NULL && !ky_detector_empty(g->det) &&
	    (rc = ky_detect_ctx_new(g->det, &dctx)) != 0)
		ky_err_set(err, rc, "detection context: %s", ky_strerror(rc));
	if (rc != 0) {
		for (int i = 0; i < KY_IN_COUNT; i++)
			ky_ingest_free(ing[i]);
		ky__serve_gen_release(s, g);
		return rc;
	}
	worker_free_ingests(w);
	memcpy(w->ing, ing, sizeof(ing));
	ky_detect_ctx_free(w->dctx);
	w->dctx = dctx;
	ky__serve_gen_release(s, w->gen);
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
	if (w->pending != NULL && ky_alert_pending_count(w->pending) > 0) {
		struct ky_err err = {0};

		if (ky_alertlog_write(s->alog, w->pending, &err) != 0)
			KY_ERROR("store: alerts of a batch lost: %s", err.msg);
	}
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
		ky__serve_reload(s, false);
	else if (sig == SIGUSR1)
		ky__serve_reload(s, true);
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
	} else if (i == KY_IN_COUNT) {
		*key = "metrics";
		*addr = s->metrics_bound;
	} else if (i == KY_IN_COUNT + 1) {
		*key = "sync";
		*addr = s->sync_bound;
	} else {
		*key = "taxii";
		*addr = s->taxii_bound;
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
	for (int i = 0; i <= KY_IN_COUNT + 2; i++) {
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
		if (s->cfg->detect_store_alerts &&
		    ky_alert_pending_new(&s->workers[i].pending) != 0)
			return ky_err_set(err, KY_E_NOMEM, "workers");
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
		pthread_setname_np(w->th, "ky-worker");
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

	ky_sync_stop(s->sync);
	s->sync = NULL;
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
	if (s->sig_usr1 != NULL)
		event_free(s->sig_usr1);
	if (s->reload_ev != NULL)
		event_free(s->reload_ev);
	if (s->save_ev != NULL)
		event_free(s->save_ev);
	if (s->base != NULL)
		event_base_free(s->base);
	for (size_t i = 0; s->workers != NULL && i < s->nworkers; i++) {
		worker_free_ingests(&s->workers[i]);
		ky_detect_ctx_free(s->workers[i].dctx);
		ky_alert_pending_free(s->workers[i].pending);
		ky__serve_gen_release(s, s->workers[i].gen);
	}
	free(s->workers);
	ky__serve_gen_release(s, s->gen);
	if (s->q != NULL) {
		while ((b = ky_queue_pop(s->q)) != NULL) /* closed: no wait */
			ky_batch_free(b);
		ky_queue_free(s->q);
	}
	ky_batch_pool_free(s->pool);
	ky_deadletter_close(s->dl);
	ky_corr_host_destroy(&s->corr);
	ky_alertlog_close(s->alog);
	ky_incstore_free(s->incs);
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
	char path[4096], path_store[4096];
	struct timeval every = {0, 0};
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
	snprintf(path_store, sizeof(path_store), "%s", path);
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
	if ((rc = ky_parser_new(&g->parser, cfg, err)) != 0 ||
	    (rc = ky__serve_build_detector(cfg, NULL, &g->det, err)) != 0)
		return rc;
	ky_corr_host_init(&s->corr, g->det);
	s->corr_on = true;
	/* the alert writer's connection also keeps the correlation state,
	 * so it is opened even when alerts are not stored */
	if ((rc = ky_alertlog_open(&s->alog, path_store,
				   (int)cfg->busy_timeout_ms, err)) != 0)
		return rc;
	if (s->alog != NULL) {
		struct ky_store *st = ky_alertlog_lock(s->alog);

		rc = ky_corr_host_restore(&s->corr, st, err);
		ky_alertlog_unlock(s->alog);
		if (rc != 0) /* windows start empty; no reason not to run */
			KY_WARN("store: correlation state not restored: %s",
				err->msg);
		if (cfg->detect_store_alerts &&
		    (rc = ky__serve_incidents_setup(s, err)) != 0)
			return rc;
	}
	if ((rc = ky_batch_pool_new(&s->pool)) != 0 ||
	    (rc = ky_queue_new(&s->q, (size_t)cfg->queue_depth * s->nworkers,
			       on_space, s)) != 0)
		return ky_err_set(err, rc, "queue");
	pthread_once(&once, evthread_init);
	if ((s->base = event_base_new()) == NULL ||
	    (s->space_ev = event_new(s->base, -1, 0, space_cb, s)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "event loop");
	every.tv_sec = (time_t)cfg->corr_save_interval;
	if ((s->reload_ev = event_new(s->base, -1, 0, ky__serve_reload_done,
				      s)) == NULL ||
	    (s->save_ev = event_new(s->base, -1, EV_PERSIST, ky__serve_save_cb,
				    s)) == NULL ||
	    event_add(s->save_ev, &every) != 0)
		return ky_err_set(err, KY_E_NOMEM, "event loop");
	if (add_signal(s, &s->sig_term, SIGTERM) != 0 ||
	    add_signal(s, &s->sig_int, SIGINT) != 0 ||
	    add_signal(s, &s->sig_hup, SIGHUP) != 0 ||
	    add_signal(s, &s->sig_usr1, SIGUSR1) != 0)
		return ky_err_set(err, KY_E_INTERNAL, "signal handlers");
	if ((rc = ky_inputs_open(&s->ins, s->base, cfg, s->q, s->pool, err)) !=
	    0)
		return rc;
	s->msrc.render = ky__serve_metrics_render;
	s->msrc.ud = s;
	if (cfg->metrics != NULL && cfg->metrics[0] != '\0' &&
	    (rc = ky_metrics_http_open(&s->http, s->base, cfg->metrics,
				       &s->msrc, s->metrics_bound,
				       sizeof(s->metrics_bound), err)) != 0)
		return rc;
	if ((rc = ky_sync_start(&s->sync, cfg, s->sync_bound,
				sizeof(s->sync_bound), s->taxii_bound,
				sizeof(s->taxii_bound), err)) != 0) {
		ky_sync_stop(s->sync);
		s->sync = NULL;
		s->sync_bound[0] = '\0';
		s->taxii_bound[0] = '\0';
		/* without an endpoint asked for, the node runs unshared */
		if ((cfg->share_listen != NULL &&
		     cfg->share_listen[0] != '\0') ||
		    (cfg->taxii_listen != NULL && cfg->taxii_listen[0] != '\0'))
			return rc;
		KY_WARN("sharing disabled: %s", err->msg);
		ky_err_clear(err);
	}
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
	for (int i = 0; i <= KY_IN_COUNT + 2; i++) {
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
	ky__serve_save_state(s);
out:
	stop_workers(s);
	if (s->reloading) {
		pthread_join(s->reload_th, NULL);
		s->reloading = false;
		ky__serve_gen_release(s, s->reload_base);
		s->reload_base = NULL;
		ky__serve_gen_release(s, s->reload_gen);
	}
	free_server(s);
	return rc;
}
