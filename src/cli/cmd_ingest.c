/* `kyklos ingest [--format F] [--print] [--no-store] FILE...|-`: runs the
 * ingestion pipeline over files or standard input, with a progress line on
 * a terminal and a summary (human or one JSON line) at the end. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/time.h"
#include "cli/cli.h"
#include "event/parse.h"
#include "node/ingest.h"

/* Defined in node/ingest.c; not (yet) declared in ingest.h. */

struct input_sum {
	const char *name;
	struct ky_ingest_counts c;
};

struct run {
	bool print;
	bool progress;
	struct ky_buf out; /* one event as JSON */
	int64_t t0;	   /* monotonic start */
	int64_t last_progress;
	struct ky_ingest_counts done; /* inputs finished */
	uint64_t out_errors;
};

static int print_sink(void *ud, const struct ky_event *ev)
{
	struct run *run = ud;

	ky_buf_reset(&run->out);
	if (ky_event_to_json(ev, &run->out) != 0 ||
	    ky_buf_addc(&run->out, '\n') != 0) {
		run->out_errors++;
		return 0;
	}
	if (fwrite(run->out.data, 1, run->out.len, stdout) != run->out.len)
		return KY_E_IO; /* stdout closed: stop */
	return 0;
}

static void show_progress(void *ud, const struct ky_ingest_counts *c)
{
	struct run *run = ud;
	int64_t now = ky_time_mono_ns();
	double secs;
	uint64_t lines, bytes;

	if (!run->progress || now - run->last_progress < KY_NS_PER_SEC / 10)
		return;
	run->last_progress = now;
	secs = (double)(now - run->t0) / 1e9;
	lines = run->done.records + c->records;
	bytes = run->done.bytes + c->bytes;
	fprintf(stderr,
		"\r\033[K%llu records  %.0f records/s  %.1f MB  accepted %llu  "
		"rejected %llu",
		(unsigned long long)lines,
		secs > 0 ? (double)lines / secs : 0.0, (double)bytes / 1e6,
		(unsigned long long)(run->done.accepted + c->accepted),
		(unsigned long long)(run->done.rejected + c->rejected));
}

static void add_counts(struct ky_ingest_counts *to,
		       const struct ky_ingest_counts *c)
{
	to->records += c->records;
	to->bytes += c->bytes;
	to->accepted += c->accepted;
	to->rejected += c->rejected;
}

static int json_summary(const struct input_sum *sums, size_t n,
			const struct ky_ingest_counts *t, double secs, FILE *fp)
{
	struct ky_buf b;
	int r = 0;

	ky_buf_init(&b, 0);
	r |= ky_buf_adds(&b, "{\"inputs\":[");
	for (size_t i = 0; i < n; i++) {
		const struct ky_ingest_counts *c = &sums[i].c;

		r |= ky_buf_adds(&b, i ? ",{\"input\":" : "{\"input\":");
		r |= ky_buf_add_json_str(&b, sums[i].name,
					 strlen(sums[i].name));
		r |= ky_buf_addf(&b,
				 ",\"records\":%llu,\"accepted\":%llu,"
				 "\"rejected\":%llu,\"bytes\":%llu}",
				 (unsigned long long)c->records,
				 (unsigned long long)c->accepted,
				 (unsigned long long)c->rejected,
				 (unsigned long long)c->bytes);
	}
	r |= ky_buf_addf(&b,
			 "],\"records\":%llu,\"accepted\":%llu,"
			 "\"rejected\":%llu,\"seconds\":%.3f,"
			 "\"events_per_second\":%.0f}\n",
			 (unsigned long long)t->records,
			 (unsigned long long)t->accepted,
			 (unsigned long long)t->rejected, secs,
			 secs > 0 ? (double)t->accepted / secs : 0.0);
	if (r == 0)
		fputs(ky_buf_str(&b), fp);
	ky_buf_free(&b);
	return r;
}

static void human_summary(const struct input_sum *sums, size_t n,
			  const struct ky_ingest_counts *t, double secs,
			  bool have_dl, FILE *fp)
{
	for (size_t i = 0; i < n; i++)
		fprintf(fp,
			"%s: %llu records, %llu accepted, %llu rejected, "
			"%.2f MB\n",
			sums[i].name, (unsigned long long)sums[i].c.records,
			(unsigned long long)sums[i].c.accepted,
			(unsigned long long)sums[i].c.rejected,
			(double)sums[i].c.bytes / 1e6);
	fprintf(fp,
		"total: %llu records, %llu accepted, %llu rejected in %.2f s "
		"(%.0f events/s)\n",
		(unsigned long long)t->records, (unsigned long long)t->accepted,
		(unsigned long long)t->rejected, secs,
		secs > 0 ? (double)t->accepted / secs : 0.0);
	if (t->rejected && have_dl)
		fprintf(fp, "rejected records and their reasons are in the "
			    "node's deadletter/ directory\n");
}

/* A node is used when one was named or kyklos.yaml is in the current
 * directory; otherwise defaults, and nothing is written. */
static int load_config(struct ky_cli *cli, struct ky_config *cfg,
		       bool *have_node)
{
	const char *env = getenv("KYKLOS_HOME");

	*have_node = cli->home_opt || (env && *env) ||
		     access("kyklos.yaml", F_OK) == 0;
	if (*have_node)
		return ky_cli_load_node(cli, cfg);
	memset(cfg, 0, sizeof(*cfg));
	if (ky_config_defaults(cfg) != 0) {
		ky_cli_error("out of memory");
		return 1;
	}
	fprintf(stderr,
		"kyklos: no node (--home, $KYKLOS_HOME or ./kyklos.yaml):"
		" default configuration, nothing stored, no "
		"dead-letter file\n");
	return 0;
}

static int open_outputs(const struct ky_config *cfg, bool use_store,
			struct ky_store **store, struct ky_deadletter **dl)
{
	struct ky_err err = {0};
	struct ky_buf path;
	int r = 0;

	ky_buf_init(&path, 0);
	if (use_store) {
		if (cfg->store_path[0] == '/')
			r = ky_buf_adds(&path, cfg->store_path);
		else
			r = ky_buf_addf(&path, "%s/%s", cfg->home,
					cfg->store_path);
		if (r == 0)
			r = ky_store_open(store, ky_buf_str(&path), 0,
					  (int)cfg->busy_timeout_ms, &err);
		if (r != 0)
			goto out;
	}
	if (!cfg->home)
		goto out; /* no node: rejections are shown, not kept */
	ky_buf_reset(&path);
	if (cfg->deadletter &&
	    (r = ky_buf_addf(&path, "%s/deadletter", cfg->home)) != 0)
		goto out;
	r = ky_deadletter_open(
		dl, cfg->deadletter && cfg->home ? ky_buf_str(&path) : NULL,
		(size_t)cfg->deadletter_max_bytes,
		cfg->deadletter ? *store : NULL, &err);
out:
	if (r != 0)
		ky_cli_error("%s", err.msg[0] ? err.msg : ky_strerror(r));
	ky_buf_free(&path);
	return r;
}

static int record_counts(struct ky_store *store, const char *file,
			 const struct ky_ingest_counts *c)
{
	struct ky_err err = {0};
	struct ky_buf key;
	char *abs = NULL;
	int r;

	ky_buf_init(&key, 0);
	if (strcmp(file, "-") == 0) {
		r = ky_buf_adds(&key, "stdin");
	} else {
		abs = realpath(file, NULL);
		r = ky_buf_addf(&key, "file:%s", abs ? abs : file);
	}
	if (r == 0)
		r = ky_store_add_ingest_counts(store, ky_buf_str(&key), c,
					       ky_time_now_ns(), &err);
	if (r != 0)
		ky_cli_error("%s", err.msg[0] ? err.msg : ky_strerror(r));
	free(abs);
	ky_buf_free(&key);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: kyklos ingest [--format F] [--print] "
			"[--no-store] [--json] FILE...|-\n");
}

int ky_cmd_ingest(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg;
	struct ky_err err = {0};
	struct ky_parser *parser = NULL;
	struct ky_store *store = NULL;
	struct ky_deadletter *dl = NULL;
	struct ky_ingest *in = NULL;
	struct input_sum *sums = NULL;
	struct run run = {0};
	struct ky_ingest_counts total = {0};
	const char *fmt_opt = NULL;
	enum ky_format fmt;
	bool no_store = false, have_node = false, cfg_loaded = false;
	bool json;
	size_t nfiles = 0, nsums = 0;
	char **files;
	double secs;
	int i, status = 1;

	ky_buf_init(&run.out, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			fmt_opt = argv[++i];
		} else if (strncmp(a, "--format=", 9) == 0) {
			fmt_opt = a + 9;
		} else if (strcmp(a, "--print") == 0) {
			run.print = true;
		} else if (strcmp(a, "--no-store") == 0) {
			no_store = true;
		} else if (strcmp(a, "--json") == 0) {
			cli->json = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			ky_cli_error("ingest: unknown option '%s'", a);
			usage();
			status = 2;
			goto out;
		} else {
			break;
		}
	}
	files = argv + i;
	nfiles = (size_t)(argc - i);
	if (nfiles == 0) {
		usage();
		status = 2;
		goto out;
	}
	if (load_config(cli, &cfg, &have_node) != 0)
		goto out;
	cfg_loaded = true;
	if (ky_format_parse(fmt_opt ? fmt_opt : cfg.ingest_format, &fmt) != 0) {
		ky_cli_error("ingest: unknown format '%s' (auto, json, "
			     "syslog5424, syslog3164, cef, raw)",
			     fmt_opt ? fmt_opt : cfg.ingest_format);
		status = 2;
		goto out;
	}
	if (ky_parser_new(&parser, &cfg, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (open_outputs(&cfg, have_node && !no_store, &store, &dl) != 0)
		goto out;
	if (ky_ingest_new(&in, parser, dl, fmt, run.print ? print_sink : NULL,
			  &run, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	ky_ingest_set_max_line(in, (size_t)cfg.max_line);
	if (!(sums = calloc(nfiles, sizeof(*sums)))) {
		ky_cli_error("out of memory");
		goto out;
	}
	run.progress = isatty(STDERR_FILENO) == 1 &&
		       !(run.print && isatty(STDOUT_FILENO) == 1);
	run.t0 = run.last_progress = ky_time_mono_ns();
	status = 0;
	for (size_t k = 0; k < nfiles; k++) {
		const char *file = files[k];
		bool is_stdin = strcmp(file, "-") == 0;
		const char *name = is_stdin ? "stdin" : file;
		FILE *fp = is_stdin ? stdin : fopen(file, "rb");
		int r;

		if (!fp) {
			if (run.progress)
				fputs("\r\033[K", stderr);
			ky_cli_error("%s: %s", file, strerror(errno));
			status = 1;
			continue;
		}
		ky_ingest_counts_reset(in);
		ky_err_clear(&err);
		r = ky_ingest_stream(in, name, fp, show_progress, &run, &err);
		if (!is_stdin)
			fclose(fp);
		if (r != 0) {
			if (run.progress)
				fputs("\r\033[K", stderr);
			ky_cli_error("%s", err.msg);
			status = 1;
		}
		sums[nsums].name = name;
		sums[nsums].c = *ky_ingest_counts(in);
		add_counts(&run.done, &sums[nsums].c);
		if (store && record_counts(store, file, &sums[nsums].c) != 0)
			status = 1;
		nsums++;
	}
	if (run.print && fflush(stdout) != 0) {
		ky_cli_error("stdout: %s", strerror(errno));
		status = 1;
	}
	if (run.progress)
		fputs("\r\033[K", stderr);
	total = run.done;
	secs = (double)(ky_time_mono_ns() - run.t0) / 1e9;
	json = cli->json || (!cli->tty && !run.print);
	if (json)
		json_summary(sums, nsums, &total, secs,
			     run.print ? stderr : stdout);
	else
		human_summary(sums, nsums, &total, secs, dl && have_node,
			      run.print ? stderr : stdout);
	if (run.out_errors)
		ky_cli_error("%llu events could not be printed",
			     (unsigned long long)run.out_errors);
out:
	ky_ingest_free(in);
	ky_deadletter_close(dl);
	ky_store_close(store);
	ky_parser_free(parser);
	if (cfg_loaded)
		ky_config_free(&cfg);
	ky_buf_free(&run.out);
	free(sums);
	return status;
}
