/* The daemon's control paths: SIGHUP reloads (configuration, parser and
 * detector built in a thread of its own, applied by the loop thread),
 * SIGUSR1 reloads of the indicator lists alone (the compiled rules kept),
 * the correlation state saved to the store, and the /metrics page. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/time.h"
#include "detect/ruleset.h"
#include "event/parse.h"
#include "intel/incstore.h"
#include "node/serve_int.h"

void ky__serve_apply_log(const struct ky_config *cfg)
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

static void report_rule(void *ud, int status, const char *msg)
{
	(void)ud;
	if (status == KY_E_UNSUPPORTED)
		KY_DEBUG("rules: %s", msg);
	else
		KY_WARN("rules: %s", msg);
}

static bool lists_equal(const struct ky_strlist *a, const struct ky_strlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* Do a and b compile the same rules?  (Rule files edited on disk are not
 * seen here: SIGHUP reads them again.) */
static bool same_rules(const struct ky_config *a, const struct ky_config *b)
{
	if (!lists_equal(&a->detect_rules, &b->detect_rules) ||
	    str_differs(a->detect_logsources, b->detect_logsources) ||
	    str_differs(a->home, b->home) ||
	    a->corr_max_groups != b->corr_max_groups ||
	    a->corr_max_events != b->corr_max_events ||
	    a->corr_lateness != b->corr_lateness ||
	    a->nplaceholders != b->nplaceholders)
		return false;
	for (size_t i = 0; i < a->nplaceholders; i++)
		if (strcmp(a->placeholders[i].name, b->placeholders[i].name) ||
		    !lists_equal(&a->placeholders[i].values,
				 &b->placeholders[i].values))
			return false;
	return true;
}

/* The detector of cfg's detect.* settings (rules, indicators); with cur,
 * cur's compiled rules and correlation engine and the lists read again. */
int ky__serve_build_detector(const struct ky_config *cfg,
			     struct ky_detector *cur, struct ky_detector **out,
			     struct ky_err *err)
{
	struct ky_detector_opts o = {0};
	struct ky_detector_info info;
	struct ky_hash *ph = NULL;
	char **paths = NULL;
	int64_t t0 = ky_time_mono_ns();
	int rc;

	if ((rc = ky_detector_opts_from_config(cfg, &o, &ph, &paths, err)) != 0)
		return rc;
	o.report = report_rule;
	if (cur != NULL) {
		rc = ky_detector_new_indicators(out, cur, &o, &info, err);
		if (rc == 0)
			KY_INFO("detection: lists read again: %llu indicators, "
				"%llu warning-list entries, in %.2f s; %zu "
				"compiled rules kept",
				(unsigned long long)info.indicators,
				(unsigned long long)info.warnings,
				(double)(ky_time_mono_ns() - t0) / 1e9,
				info.load.compiled);
		goto out;
	}
	rc = ky_detector_new(out, &o, &info, err);
	if (rc == 0 && (o.nrules || o.nindicators))
		KY_INFO("detection: %zu rules compiled of %zu (%zu "
			"correlations, %zu unsupported, %zu with no logsource "
			"mapping, %zu failed to load), %llu indicators, %llu "
			"warning-list entries, in %.2f s",
			info.load.compiled, info.load.rules, info.correlations,
			info.load.unsupported, info.unmapped, info.load.failed,
			(unsigned long long)info.indicators,
			(unsigned long long)info.warnings, info.load.secs);
out:
	ky_detector_paths_free(paths);
	ky_hash_free(ph, NULL);
	return rc;
}

/* The reload thread: reads the configuration and builds the parser and
 * detector (seconds for thousands of rules) while the workers go on. */
static void *reload_main(void *arg)
{
	struct server *s = arg;
	struct ky_config *nc = calloc(1, sizeof(*nc));
	struct gen *g = calloc(1, sizeof(*g));
	struct ky_detector *cur;
	int rc;

	if (nc == NULL || g == NULL) {
		rc = ky_err_set(&s->reload_err, KY_E_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = ky_config_load(nc, s->reload_path, &s->reload_err)) != 0)
		goto fail;
	if (nc->home == NULL)
		nc->home = ky_xstrdup(s->cfg->home);
	/* the lists alone when asked and the rules' configuration is the
	 * same as the running one's */
	cur = s->reload_lists && s->reload_base != NULL &&
			      s->reload_base->det != NULL &&
			      same_rules(nc, s->reload_base->owned
						     ? s->reload_base->owned
						     : s->cfg)
		      ? s->reload_base->det
		      : NULL;
	if ((rc = ky_parser_new(&g->parser, nc, &s->reload_err)) != 0 ||
	    (rc = ky__serve_build_detector(nc, cur, &g->det, &s->reload_err)) !=
		    0)
		goto fail;
	g->owned = nc;
	g->refs = 1;
	s->reload_gen = g;
	event_active(s->reload_ev, EV_READ, 0);
	return NULL;
fail:
	if (nc != NULL) {
		ky_config_free(nc);
		free(nc);
	}
	if (g != NULL) {
		ky_parser_free(g->parser);
		free(g);
	}
	s->reload_gen = NULL;
	event_active(s->reload_ev, EV_READ, 0);
	return NULL;
}

void ky__serve_reload(struct server *s, bool lists_only)
{
	sigset_t all, old;
	int e;

	if (s->reloading) {
		/* after the one running; a full one covers the lists too */
		if (lists_only)
			s->reload_lists_again = true;
		else
			s->reload_again = true;
		return;
	}
	s->reload_lists = lists_only;
	s->reload_base = NULL;
	if (lists_only) {
		pthread_mutex_lock(&s->gen_mu);
		s->reload_base = s->gen;
		s->reload_base->refs++;
		pthread_mutex_unlock(&s->gen_mu);
	}
	if (s->cfg->path != NULL)
		snprintf(s->reload_path, sizeof(s->reload_path), "%s",
			 s->cfg->path);
	else
		snprintf(s->reload_path, sizeof(s->reload_path),
			 "%s/kyklos.yaml", s->cfg->home);
	ky_err_clear(&s->reload_err);
	s->reload_gen = NULL;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&s->reload_th, NULL, reload_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		atomic_fetch_add(&s->reloads_failed, 1);
		KY_ERROR("reload: cannot start a thread: %s", strerror(e));
		ky__serve_gen_release(s, s->reload_base);
		s->reload_base = NULL;
		return;
	}
	s->reloading = true;
	KY_INFO("reload: reading %s%s", s->reload_path,
		lists_only ? " (indicator lists)" : "");
}

/* In the loop thread, once the reload thread has finished. */
void ky__serve_reload_done(evutil_socket_t fd, short what, void *ud)
{
	struct server *s = ud;
	struct gen *g, *old;
	struct ky_config *nc;
	struct ky_err err = {0};

	(void)fd;
	(void)what;
	pthread_join(s->reload_th, NULL);
	s->reloading = false;
	ky__serve_gen_release(s, s->reload_base);
	s->reload_base = NULL;
	g = s->reload_gen;
	s->reload_gen = NULL;
	if (g == NULL) {
		atomic_fetch_add(&s->reloads_failed, 1);
		KY_ERROR("reload: %s; keeping the running configuration",
			 s->reload_err.msg);
		goto again;
	}
	nc = g->owned;
	ky__serve_apply_log(nc);
	if (str_differs(nc->syslog_udp, s->cfg->syslog_udp) ||
	    str_differs(nc->syslog_tcp, s->cfg->syslog_tcp) ||
	    str_differs(nc->syslog_tls, s->cfg->syslog_tls) ||
	    str_differs(nc->json_tcp, s->cfg->json_tcp) ||
	    str_differs(nc->metrics, s->cfg->metrics) ||
	    nc->workers != s->cfg->workers ||
	    nc->queue_depth != s->cfg->queue_depth ||
	    str_differs(nc->store_path, s->cfg->store_path))
		KY_WARN("reload: listeners, workers, queue and store change "
			"only on restart");
	ky_inputs_set_max_line(s->ins, (size_t)nc->max_line);
	/* correlation windows move to the new rules before any worker
	 * sees them; workers still on the old rules feed the new engine */
	if (ky_corr_host_switch(&s->corr, g->det, &err) != 0)
		KY_ERROR("reload: correlation state not carried over: %s",
			 err.msg);
	pthread_mutex_lock(&s->gen_mu);
	old = s->gen;
	s->gen = g;
	pthread_mutex_unlock(&s->gen_mu);
	atomic_fetch_add(&s->gen_seq, 1);
	ky__serve_gen_release(s, old);
	atomic_fetch_add(&s->reloads_ok, 1);
	KY_INFO("reload: configuration %s applied (log level %s, "
		"limits.max_line %lld, %zu extraction patterns)",
		s->reload_path, nc->log_level ? nc->log_level : "?",
		(long long)nc->max_line, nc->npatterns);
again:
	if ((s->reload_again || s->reload_lists_again) && !s->stopping) {
		bool full = s->reload_again;

		s->reload_again = s->reload_lists_again = false;
		ky__serve_reload(s, !full);
	}
}

/* Saves the correlation windows (timer, and at stop). */
void ky__serve_save_state(struct server *s)
{
	struct ky_err err = {0};
	struct ky_store *st;

	if (!s->corr_on || s->alog == NULL)
		return;
	st = ky_alertlog_lock(s->alog);
	if (ky_corr_host_save(&s->corr, st, &err) != 0)
		KY_ERROR("store: correlation state not saved: %s", err.msg);
	ky_alertlog_unlock(s->alog);
}

/* ---- incidents ---------------------------------------------------------- */

/* In the alert batch's transaction: group the new alerts.  A failure is
 * rolled back to the savepoint (the alerts stay) and retried with the next
 * batch, since the cursor did not move. */
static void incidents_hook(void *ud, struct ky_store *st)
{
	struct server *s = ud;
	struct ky_incstore_counts c = {0};
	struct ky_err err = {0};
	int r;

	if ((r = ky_store_savepoint(st, "incidents", KY_SAVEPOINT_BEGIN,
				    &err)) == 0) {
		r = ky_incstore_sync(s->incs, st, ky_time_now_ns(), 0, &c,
				     &err);
		if (r == 0)
			r = ky_store_savepoint(st, "incidents",
					       KY_SAVEPOINT_RELEASE, &err);
		else
			ky_store_savepoint(st, "incidents",
					   KY_SAVEPOINT_ROLLBACK, NULL);
	}
	if (r != 0) {
		atomic_fetch_add(&s->inc_failed, 1);
		KY_ERROR("incidents: %s", err.msg);
		return;
	}
	atomic_fetch_add(&s->inc_opened, c.opened);
	if (c.opened)
		KY_INFO("incidents: %llu opened, %llu alerts joined, %llu "
			"folded",
			(unsigned long long)c.opened,
			(unsigned long long)c.joined,
			(unsigned long long)c.folded);
}

int ky__serve_incidents_setup(struct server *s, struct ky_err *err)
{
	struct ky_incident_config ic;
	struct ky_store *st;
	int r;

	if ((r = ky_incstore_config(s->cfg, &ic, err)) != 0 ||
	    (r = ky_incstore_new(&s->incs, &ic, err)) != 0)
		return r;
	/* catch up with alerts stored while no daemon ran */
	st = ky_alertlog_lock(s->alog);
	r = ky_store_begin(st, err);
	if (r == 0) {
		r = ky_incstore_sync(s->incs, st, ky_time_now_ns(), 0, NULL,
				     err);
		if (r == 0)
			r = ky_store_commit(st, err);
		else
			ky_store_rollback(st);
	}
	ky_alertlog_unlock(s->alog);
	if (r != 0)
		return r;
	ky_alertlog_set_hook(s->alog, incidents_hook, s);
	return 0;
}

void ky__serve_save_cb(evutil_socket_t fd, short what, void *ud)
{
	(void)fd;
	(void)what;
	ky__serve_save_state(ud);
}

/* ---- metrics ---------------------------------------------------------- */

static int metrics_detect(struct server *s, struct ky_buf *out)
{
	struct ky_corr_stats cs = {0};
	struct ky_alertlog_stats as = {0};
	struct gen *g;
	size_t nrules = 0;
	int rc;

	pthread_mutex_lock(&s->gen_mu);
	g = s->gen;
	if (g != NULL && g->det != NULL)
		nrules = ky_ruleset_count(ky_detector_ruleset(g->det));
	pthread_mutex_unlock(&s->gen_mu);
	pthread_mutex_lock(&s->corr.mu);
	if (s->corr.cur != NULL && ky_detector_corr(s->corr.cur) != NULL)
		ky_corr_stats(ky_detector_corr(s->corr.cur), &cs);
	pthread_mutex_unlock(&s->corr.mu);
	if (s->alog != NULL)
		ky_alertlog_stats(s->alog, &as);
	if ((rc = ky_metrics_family(out, "kyklos_rules", "gauge",
				    "Sigma rules compiled and running.")) !=
		    0 ||
	    (rc = ky_metrics_sample(out, "kyklos_rules", NULL, NULL, nrules)) !=
		    0 ||
	    (rc = ky_metrics_family(out, "kyklos_alerts_total", "counter",
				    "Alerts, by kind.")) != 0)
		return rc;
	for (int k = 0; k < 3; k++)
		if ((rc = ky_metrics_sample(
			     out, "kyklos_alerts_total", "kind",
			     ky_alert_kind_name((enum ky_alert_kind)k),
			     atomic_load(&s->alerts[k]))) != 0)
			return rc;
	if ((rc = ky_metrics_family(out, "kyklos_alerts_stored_total",
				    "counter",
				    "Alerts written to the store.")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_alerts_stored_total", NULL,
				    NULL, as.stored)) != 0 ||
	    (rc = ky_metrics_family(out, "kyklos_alerts_lost_total", "counter",
				    "Alerts that could not be stored.")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_alerts_lost_total", NULL, NULL,
				    as.lost + atomic_load(&s->alerts_lost))) !=
		    0 ||
	    (rc = ky_metrics_family(out, "kyklos_correlation_groups", "gauge",
				    "Correlation groups held.")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_correlation_groups", NULL,
				    NULL, cs.groups)) != 0 ||
	    (rc = ky_metrics_family(
		     out, "kyklos_correlation_events_total", "counter",
		     "Correlation events by outcome: late "
		     "(ignored), evicted (at the caps).")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_correlation_events_total",
				    "outcome", "late", cs.late)) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_correlation_events_total",
				    "outcome", "evicted", cs.evicted)) != 0 ||
	    (rc = ky_metrics_family(
		     out, "kyklos_incidents_opened_total", "counter",
		     "Incidents opened from stored alerts.")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_incidents_opened_total", NULL,
				    NULL, atomic_load(&s->inc_opened))) != 0 ||
	    (rc = ky_metrics_family(out, "kyklos_incident_errors_total",
				    "counter",
				    "Alert batches whose grouping into "
				    "incidents failed (retried with the "
				    "next batch).")) != 0 ||
	    (rc = ky_metrics_sample(out, "kyklos_incident_errors_total", NULL,
				    NULL, atomic_load(&s->inc_failed))) != 0)
		return rc;
	return 0;
}

int ky__serve_metrics_render(void *ud, struct ky_buf *out)
{
	struct server *s = ud;
	struct ky_metrics_input mi[KY_IN_COUNT];
	struct ky_queue_stats qs;
	struct ky_metrics_queue mq = {"parse", &qs};
	size_t n = 0;
	int rc;

	for (int i = 0; i < KY_IN_COUNT; i++) {
		if (ky__serve_input(s, i)->on) {
			mi[n].name = ky__serve_input(s, i)->key;
			mi[n].st = &ky__serve_input(s, i)->st;
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
		    0 ||
	    (rc = ky_metrics_sample(
		     out, "kyklos_start_time_seconds", NULL, NULL,
		     (uint64_t)(s->start_ns / KY_NS_PER_SEC))) != 0)
		return rc;
	if ((rc = ky_sync_metrics(s->sync, out)) != 0)
		return rc;
	return metrics_detect(s, out);
}
