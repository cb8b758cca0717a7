/* `kyklos detect -r RULES [-i IOCS] FILE...|-`: the detection engine
 * offline, with no node needed: Sigma rules and indicator lists against
 * events from files or standard input, each alert a JSON line on stdout
 * and a summary on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/time.h"
#include "cli/cli.h"
#include "detect/indicators.h"
#include "detect/logsource.h"
#include "detect/ruleset.h"
#include "event/parse.h"
#include "node/ingest.h"

struct detect {
	const struct ky_ruleset *rs;
	struct ky_match_scratch *scratch;
	const struct ky_ioc_set *iocs; /* NULL: no -i */
	struct ky_buf out;	       /* one alert */
	uint64_t events, alerts, ioc_hits, out_errors;
	int match_errors;
	bool verbose;
};

static int emit(struct detect *d)
{
	if (ky_buf_addc(&d->out, '\n') != 0) {
		d->out_errors++;
		return 0;
	}
	if (fwrite(d->out.data, 1, d->out.len, stdout) != d->out.len)
		return KY_E_IO; /* stdout closed: stop */
	return 0;
}

static int on_alert(void *ud, const struct ky_alert *a)
{
	struct detect *d = ud;

	d->alerts++;
	ky_buf_reset(&d->out);
	if (ky_alert_to_json(a, &d->out) != 0) {
		d->out_errors++;
		return 0;
	}
	return emit(d);
}

static int add_time(struct ky_buf *b, int64_t ns)
{
	char t[KY_TIME_RFC3339_LEN];

	if (ns == 0)
		return ky_buf_adds(b, "null");
	ky_time_format_rfc3339(ns, t);
	return ky_buf_add_json_str(b, t, strlen(t));
}

struct ioc_ctx {
	struct detect *d;
	const struct ky_event *ev;
};

/* An indicator hit in the shape of a rule alert, "indicator" for "rule". */
static int on_ioc(void *ud, const struct ky_ioc_hit *h)
{
	struct ioc_ctx *c = ud;
	const struct ky_event *ev = c->ev;
	const struct ky_ioc *ioc = h->ioc;
	const struct ky_field *f = h->field;
	struct ky_buf *b = &c->d->out;
	int r;

	c->d->ioc_hits++;
	ky_buf_reset(b);
	r = ky_buf_addf(b, "{\"indicator\":{\"type\":\"%s\",\"value\":",
			ky_ioc_type_name(ioc->type));
	r = r ? r : ky_buf_add_json_str(b, ioc->value, strlen(ioc->value));
	r = r ? r : ky_buf_adds(b, ",\"list\":");
	r = r ? r
	      : ky_buf_add_json_str(b, ioc->list ? ioc->list : "",
				    ioc->list ? strlen(ioc->list) : 0);
	r = r ? r
	      : ky_buf_addf(b, ",\"line\":%llu,\"confidence\":%d}",
			    (unsigned long long)ioc->line, ioc->confidence);
	r = r ? r : ky_buf_adds(b, ",\"matched\":[{\"field\":");
	r = r ? r : ky_buf_add_json_str(b, f->path, f->path_len);
	r = r ? r : ky_buf_adds(b, ",\"value\":");
	r = r ? r
	      : ky_buf_add_json_str(b, f->str ? f->str : "",
				    f->str ? f->str_len : 0);
	r = r ? r : ky_buf_adds(b, "}],\"time\":");
	r = r ? r : add_time(b, ev->time_ns);
	r = r ? r : ky_buf_adds(b, ",\"received\":");
	r = r ? r : add_time(b, ev->recv_ns);
	r = r ? r : ky_buf_adds(b, ",\"event\":");
	r = r ? r
	      : ky_buf_add_json_str(b, ev->raw ? ev->raw : "",
				    ev->raw ? ev->raw_len : 0);
	r = r ? r : ky_buf_addc(b, '}');
	if (r != 0) {
		c->d->out_errors++;
		return 0;
	}
	return emit(c->d);
}

static int sink(void *ud, const struct ky_event *ev)
{
	struct detect *d = ud;
	int r;

	d->events++;
	r = ky_ruleset_match(d->rs, d->scratch, ev, on_alert, d);
	if (r < 0) {
		if (r == KY_E_IO)
			return r;
		d->match_errors++;
	}
	if (d->iocs) {
		struct ioc_ctx c = {d, ev};

		r = ky_ioc_match_event(d->iocs, ev, on_ioc, &c);
		if (r == KY_E_IO)
			return r;
	}
	return 0;
}

static void report_rule(void *ud, int status, const char *msg)
{
	struct detect *d = ud;

	if (status != KY_E_UNSUPPORTED || d->verbose)
		fprintf(stderr, "%skyklos: %s\n",
			isatty(STDERR_FILENO) == 1 ? "\r\033[K" : "", msg);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int load_iocs(struct ky_ioc_set *set, char **files, size_t n,
		     bool warning)
{
	for (size_t i = 0; i < n; i++) {
		struct ky_err err = {0};
		uint64_t loaded = 0, rejected = 0;
		int r;

		if (!warning && ends_with(files[i], ".csv"))
			r = ky_ioc_load_csv(set, files[i], &loaded, &rejected,
					    &err);
		else
			r = ky_ioc_load_list(set, files[i], -1, warning,
					     &loaded, &rejected, &err);
		if (r != 0) {
			ky_cli_error("%s",
				     err.msg[0] ? err.msg : ky_strerror(r));
			return r;
		}
		if (rejected)
			ky_cli_error("%s: %llu indicators rejected%s%s",
				     files[i], (unsigned long long)rejected,
				     err.msg[0] ? ", first: " : "", err.msg);
		fprintf(stderr, "%s: %llu %s loaded\n", files[i],
			(unsigned long long)loaded,
			warning ? "warning-list entries" : "indicators");
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kyklos detect -r RULES [-r RULES...] [-i IOCS...] "
		"[-w WARNLIST...]\n"
		"                     [--logsources FILE] [--format F] [-v] "
		"FILE...|-\n");
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

int ky_cmd_detect(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg;
	struct ky_err err = {0};
	struct ky_ruleset_opts opts = {0};
	struct ky_logsources *ls = NULL;
	struct ky_ruleset *rs = NULL;
	struct ky_ioc_set *iocs = NULL;
	struct ky_parser *parser = NULL;
	struct ky_ingest *in = NULL;
	struct ky_cli_rules st = {0};
	struct detect d = {0};
	struct strv rules = {0}, iocf = {0}, warnf = {0};
	const char *fmt_opt = NULL, *lsfile = NULL, *v;
	enum ky_format fmt;
	bool cfg_loaded = false;
	uint64_t records = 0, rejected = 0;
	int64_t t0;
	int i, status = 2;

	ky_buf_init(&d.out, 0);
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
	if (i >= argc || (rules.n == 0 && iocf.n == 0)) {
		usage();
		goto out;
	}
	status = 1;
	/* no node needed: the defaults, or the node's when one is named */
	if (cli->home_opt ||
	    (getenv("KYKLOS_HOME") && *getenv("KYKLOS_HOME"))) {
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
	if (lsfile && ky_logsources_load(&ls, lsfile, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	opts.logsources = ls;
	if (ky_ruleset_new(&rs, &opts, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	st.progress = isatty(STDERR_FILENO) == 1;
	st.report = report_rule;
	st.ud = &d;
	if (rules.n && ky_cli_load_rules(rs, rules.v, rules.n, &st) != 0)
		goto out;
	if (!rules.n && ky_ruleset_finalize(rs, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (rules.n)
		fprintf(stderr,
			"kyklos: %zu rules loaded from %zu files in %.2f s: "
			"%zu compiled (%zu with no logsource mapping), %zu "
			"unsupported%s, %zu failed to load\n",
			st.rules, st.files, st.secs, st.compiled,
			ky_ruleset_unmapped(rs), st.unsupported,
			d.verbose ? "" : " (-v lists them)", st.failed);
	if (iocf.n || warnf.n) {
		if (!(iocs = ky_ioc_set_new())) {
			ky_cli_error("out of memory");
			goto out;
		}
		if (load_iocs(iocs, iocf.v, iocf.n, false) != 0 ||
		    load_iocs(iocs, warnf.v, warnf.n, true) != 0)
			goto out;
		d.iocs = iocs;
	}
	if (ky_match_scratch_new(rs, &d.scratch) != 0) {
		ky_cli_error("out of memory");
		goto out;
	}
	d.rs = rs;
	if (ky_parser_new(&parser, &cfg, &err) != 0 ||
	    ky_ingest_new(&in, parser, NULL, fmt, sink, &d, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	ky_ingest_set_max_line(in, (size_t)cfg.max_line);
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
	if (fflush(stdout) != 0) {
		ky_cli_error("stdout: %s", strerror(errno));
		status = 1;
	}
	{
		double secs = (double)(ky_time_mono_ns() - t0) / 1e9;

		fprintf(stderr,
			"kyklos: %llu events (%llu records, %llu rejected), "
			"%llu alerts, %llu indicator hits in %.2f s (%.0f "
			"events/s)\n",
			(unsigned long long)d.events,
			(unsigned long long)records,
			(unsigned long long)rejected,
			(unsigned long long)d.alerts,
			(unsigned long long)d.ioc_hits, secs,
			secs > 0 ? (double)d.events / secs : 0.0);
	}
	if (d.out_errors)
		ky_cli_error("%llu alerts could not be printed",
			     (unsigned long long)d.out_errors);
	if (d.match_errors)
		ky_cli_error("%d events could not be matched", d.match_errors);
out:
	ky_ingest_free(in);
	ky_parser_free(parser);
	ky_match_scratch_free(d.scratch);
	ky_ioc_set_free(iocs);
	ky_ruleset_free(rs);
	ky_logsources_free(ls);
	if (cfg_loaded)
		ky_config_free(&cfg);
	ky_buf_free(&d.out);
	free(rules.v);
	free(iocf.v);
	free(warnf.v);
	return status;
}
