/* `kyklos detect -r RULES [-i IOCS] FILE...|-`: the detection engine
 * offline, with no node needed: Sigma rules and indicator lists against
 * events from files or standard input, each alert a JSON line on stdout
 * and a summary on stderr; with a node, its detect.* configuration and
 * (--store) its store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/hash.h"
#include "base/time.h"
#include "cli/cli.h"
#include "event/parse.h"
#include "node/detector.h"
#include "node/ingest.h"

struct detect {
	struct ky_detect_ctx *ctx;
	struct ky_store *store; /* --store: alerts kept too */
	struct ky_err store_err;
	uint64_t stored, store_errors;
	bool verbose;
};

static int on_alert(void *ud, const struct ky_alert_row *row)
{
	struct detect *d = ud;

	if (fwrite(row->json, 1, row->json_len, stdout) != row->json_len ||
	    putchar('\n') == EOF)
		return KY_E_IO; /* stdout closed: stop */
	if (d->store != NULL) {
		if (ky_store_add_alert(d->store, row, &d->store_err) == 0)
			d->stored++;
		else
			d->store_errors++;
	}
	return 0;
}

static int sink(void *ud, const struct ky_event *ev)
{
	struct detect *d = ud;
	int r = ky_detect_event(d->ctx, NULL, ev, on_alert, d);

	return r == KY_E_IO ? r : 0;
}

static void report_rule(void *ud, int status, const char *msg)
{
	struct detect *d = ud;

	if (status != KY_E_UNSUPPORTED || d->verbose)
		fprintf(stderr, "%skyklos: %s\n",
			isatty(STDERR_FILENO) == 1 ? "\r\033[K" : "", msg);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kyklos detect [-r RULES...] [-i IOCS...] "
		"[-w WARNLIST...] [--logsources FILE]\n"
		"                     [--format F] [--store] [-v] FILE...|-\n"
		"       (with a node and no -r/-i: the node's detect.* "
		"configuration)\n");
}

/* Repeated options collect into a list. */
struct strv {
	char **v;
	size_t n;
};

static int strv_add(struct strv *s, char *a)
{
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return KY_E_NOMEM;
	v[s->n++] = a;
	s->v = v;
	return 0;
}

static const char *opt_arg(int argc, char **argv, int *i, const char *lng,
			   const char *shrt)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if ((strcmp(a, lng) == 0 || (shrt && strcmp(a, shrt) == 0)) &&
	    *i + 1 < argc)
		return argv[++*i];
	if (strncmp(a, lng, n) == 0 && a[n] == '=')
		return a + n + 1;
	return NULL;
}

static int open_store(const struct ky_config *cfg, struct ky_store **st)
{
	char path[4096];
	struct ky_err err = {0};

	if (cfg->store_path[0] == '/')
		snprintf(path, sizeof(path), "%s", cfg->store_path);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg->home,
			 cfg->store_path);
	if (ky_store_open(st, path, 0, (int)cfg->busy_timeout_ms, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

static void print_loaded(const struct ky_detector_info *in,
			 const struct ky_detector_opts *o, bool verbose)
{
	const struct ky_rules_load *l = &in->load;

	if (o->nrules)
		fprintf(stderr,
			"kyklos: %zu rules loaded from %zu files in %.2f s: "
			"%zu compiled (%zu with no logsource mapping, %zu "
			"correlations), %zu unsupported%s, %zu failed to "
			"load\n",
			l->rules, l->files, l->secs, l->compiled, in->unmapped,
			in->correlations, l->unsupported,
			verbose ? "" : " (-v lists them)", l->failed);
	if (o->nindicators || o->nwarning_lists)
		fprintf(stderr,
			"kyklos: %llu indicators and %llu warning-list entries "
			"loaded, %llu rejected\n",
			(unsigned long long)in->indicators,
			(unsigned long long)in->warnings,
			(unsigned long long)in->ioc_rejected);
}

int ky_cmd_detect(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg;
	struct ky_err err = {0};
	struct ky_detector_opts o = {0};
	struct ky_detector_info info;
	struct ky_detector *det = NULL;
	struct ky_hash *ph = NULL;
	char **cfgpaths = NULL;
	struct ky_parser *parser = NULL;
	struct ky_ingest *in = NULL;
	struct detect d = {0};
	struct strv rules = {0}, iocf = {0}, warnf = {0};
	const char *fmt_opt = NULL, *lsfile = NULL, *v;
	const struct ky_detect_counts *n;
	enum ky_format fmt;
	bool cfg_loaded = false, node = false, want_store = false;
	uint64_t records = 0, rejected = 0;
	int64_t t0;
	int i, status = 2;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = 0;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if ((v = opt_arg(argc, argv, &i, "--rules", "-r"))) {
			r = strv_add(&rules, (char *)v);
		} else if ((v = opt_arg(argc, argv, &i, "--indicators",
					"-i"))) {
			r = strv_add(&iocf, (char *)v);
		} else if ((v = opt_arg(argc, argv, &i, "--warning-list",
					"-w"))) {
			r = strv_add(&warnf, (char *)v);
		} else if ((v = opt_arg(argc, argv, &i, "--format", NULL))) {
			fmt_opt = v;
		} else if ((v = opt_arg(argc, argv, &i, "--logsources",
					NULL))) {
			lsfile = v;
		} else if (strcmp(a, "--store") == 0) {
			want_store = true;
		} else if (strcmp(a, "-v") == 0 ||
			   strcmp(a, "--verbose") == 0) {
			d.verbose = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			ky_cli_error("detect: unknown option or missing "
				     "argument '%s'",
				     a);
			usage();
			goto out;
		} else {
			break;
		}
		if (r != 0) {
			ky_cli_error("out of memory");
			status = 1;
			goto out;
		}
	}
	node = cli->home_opt ||
	       (getenv("KYKLOS_HOME") && *getenv("KYKLOS_HOME"));
	if (i >= argc || (rules.n == 0 && iocf.n == 0 && !node)) {
		usage();
		goto out;
	}
	if (want_store && !node) {
		ky_cli_error("detect: --store needs a node (--home DIR or "
			     "KYKLOS_HOME)");
		goto out;
	}
	status = 1;
	/* no node needed: the defaults, or the node's when one is named */
	if (node) {
		if (ky_cli_load_node(cli, &cfg) != 0)
			goto out;
	} else {
		memset(&cfg, 0, sizeof(cfg));
		if (ky_config_defaults(&cfg) != 0) {
			ky_cli_error("out of memory");
			goto out;
		}
	}
	cfg_loaded = true;
	if (ky_format_parse(fmt_opt ? fmt_opt : cfg.ingest_format, &fmt) != 0) {
		ky_cli_error("detect: unknown format '%s' (auto, json, "
			     "syslog5424, syslog3164, cef, raw)",
			     fmt_opt ? fmt_opt : cfg.ingest_format);
		status = 2;
		goto out;
	}
	if (ky_detector_opts_from_config(&cfg, &o, &ph, &cfgpaths, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (rules.n || iocf.n || warnf.n) { /* the command line's lists */
		o.rules = rules.v, o.nrules = rules.n;
		o.indicators = iocf.v, o.nindicators = iocf.n;
		o.warning_lists = warnf.v, o.nwarning_lists = warnf.n;
	}
	if (lsfile)
		o.logsources = lsfile;
	if (o.nrules == 0 && o.nindicators == 0) {
		ky_cli_error("detect: the node has no detect.rules or "
			     "detect.indicators; give -r or -i");
		goto out;
	}
	o.progress = isatty(STDERR_FILENO) == 1;
	o.report = report_rule;
	o.ud = &d;
	if (ky_detector_new(&det, &o, &info, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	print_loaded(&info, &o, d.verbose);
	if (ky_detect_ctx_new(det, &d.ctx) != 0) {
		ky_cli_error("out of memory");
		goto out;
	}
	if (want_store && open_store(&cfg, &d.store) != 0)
		goto out;
	if (ky_parser_new(&parser, &cfg, &err) != 0 ||
	    ky_ingest_new(&in, parser, NULL, fmt, sink, &d, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	ky_ingest_set_max_line(in, (size_t)cfg.max_line);
	if (d.store && ky_store_begin(d.store, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	status = 0;
	t0 = ky_time_mono_ns();
	for (; i < argc; i++) {
		bool is_stdin = strcmp(argv[i], "-") == 0;
		FILE *fp = is_stdin ? stdin : fopen(argv[i], "rb");
		const struct ky_ingest_counts *c;
		int r;

		if (!fp) {
			ky_cli_error("%s: %s", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		ky_ingest_counts_reset(in);
		ky_err_clear(&err);
		r = ky_ingest_stream(in, is_stdin ? "stdin" : argv[i], fp, NULL,
				     NULL, &err);
		if (!is_stdin)
			fclose(fp);
		c = ky_ingest_counts(in);
		records += c->records;
		rejected += c->rejected;
		if (r != 0) {
			ky_cli_error("%s",
				     err.msg[0] ? err.msg : ky_strerror(r));
			status = 1;
			if (r == KY_E_IO)
				break; /* stdout is gone */
		}
	}
	/* the end of input closes every correlation window */
	if (ky_detect_flush(d.ctx, NULL, INT64_MAX, on_alert, &d) != 0)
		status = 1;
	if (fflush(stdout) != 0) {
		ky_cli_error("stdout: %s", strerror(errno));
		status = 1;
	}
	if (d.store && ky_store_commit(d.store, &err) != 0) {
		ky_cli_error("%s", err.msg);
		status = 1;
	}
	n = ky_detect_ctx_counts(d.ctx);
	{
		double secs = (double)(ky_time_mono_ns() - t0) / 1e9;

		fprintf(stderr,
			"kyklos: %llu events (%llu records, %llu rejected), "
			"%llu alerts (%llu correlations, %llu rule alerts "
			"only feeding correlations), %llu indicator hits in "
			"%.2f s (%.0f events/s)\n",
			(unsigned long long)n->events,
			(unsigned long long)records,
			(unsigned long long)rejected,
			(unsigned long long)(n->rule_alerts + n->corr_alerts),
			(unsigned long long)n->corr_alerts,
			(unsigned long long)n->suppressed,
			(unsigned long long)n->ioc_alerts, secs,
			secs > 0 ? (double)n->events / secs : 0.0);
	}
	if (d.store)
		fprintf(stderr, "kyklos: %llu alerts kept in the store\n",
			(unsigned long long)d.stored);
	if (d.store_errors) {
		ky_cli_error("%llu alerts could not be stored: %s",
			     (unsigned long long)d.store_errors,
			     d.store_err.msg);
		status = 1;
	}
	if (n->render_errors)
		ky_cli_error("%llu alerts could not be printed",
			     (unsigned long long)n->render_errors);
	if (n->match_errors)
		ky_cli_error("%llu events could not be matched",
			     (unsigned long long)n->match_errors);
out:
	ky_ingest_free(in);
	ky_parser_free(parser);
	ky_detect_ctx_free(d.ctx);
	ky_detector_unref(det);
	ky_detector_paths_free(cfgpaths);
	ky_hash_free(ph, NULL);
	if (d.store) {
		ky_store_rollback(d.store);
		ky_store_close(d.store);
	}
	if (cfg_loaded)
		ky_config_free(&cfg);
	free(rules.v);
	free(iocf.v);
	free(warnf.v);
	return status;
}
