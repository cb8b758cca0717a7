/* bench_ingest: ingestion throughput of the kyklos parsers on generated
 * data (ECS-like JSON events and sshd syslog lines), against jansson on the
 * same JSON in the same run.  Single-threaded; figures are per core (thread
 * CPU time), best of N runs.  Correctness is checked on the same data so a
 * broken parser cannot look fast.  See docs/benchmarks.md. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "event/event.h"
#include "event/json.h"
#include "event/parse.h"
#include "event/syslog.h"
#include "gen.h"

#define LIT(s) s, sizeof(s) - 1

/* 2024-05-01T00:00:00Z: the receive time, so that 3164 timestamps (April)
 * resolve to the same year on every run. */
#define RECV_NS (1714521600LL * 1000000000LL)

/* ---------------------------------------------------------------- timing */

/* What one pass over a corpus counted; every run must count the same. */
struct counts {
	size_t ok, failed;
	uint64_t fields;
	size_t with_a; /* records with bench_ctx.field_a */
};

struct bench_ctx {
	const struct bench_corpus *c;
	struct ky_arena *arena;
	struct ky_event ev;
	struct ky_parse_ctx *pctx;
	const char *field_a; /* counted per record when set */
	struct ky_err err;
	size_t first_err; /* index of the first failed record, or SIZE_MAX */
	char first_msg[KY_ERR_MSG_MAX];
};

typedef void (*bench_fn)(struct bench_ctx *b, struct counts *k);

static void note_failure(struct bench_ctx *b, struct counts *k, size_t i)
{
	k->failed++;
	if (b->first_err == SIZE_MAX) {
		b->first_err = i;
		memcpy(b->first_msg, b->err.msg, sizeof(b->first_msg));
	}
}

static void count_fields(const struct bench_ctx *b, const struct ky_event *ev,
			 struct counts *k)
{
	k->ok++;
	k->fields += ev->nfields;
	if (b->field_a && ky_event_get(ev, b->field_a))
		k->with_a++;
}

static void run_json_scan(struct bench_ctx *b, struct counts *k)
{
	const struct bench_corpus *c = b->c;

	for (size_t i = 0; i < c->n; i++) {
		ky_arena_reset(b->arena);
		ky_event_reset(&b->ev);
		if (ky_json_to_event(c->b.data + c->off[i], c->len[i], &b->ev,
				     64, &b->err) != 0)
			note_failure(b, k, i);
		else
			count_fields(b, &b->ev, k);
	}
}

static void run_syslog_scan(struct bench_ctx *b, struct counts *k)
{
	const struct bench_corpus *c = b->c;

	for (size_t i = 0; i < c->n; i++) {
		ky_arena_reset(b->arena);
		ky_event_reset(&b->ev);
		if (ky_syslog3164_parse(c->b.data + c->off[i], c->len[i],
					RECV_NS, &b->ev, &b->err) != 0)
			note_failure(b, k, i);
		else
			count_fields(b, &b->ev, k);
	}
}

static void run_record(struct bench_ctx *b, struct counts *k)
{
	const struct bench_corpus *c = b->c;
	struct ky_event *ev;

	for (size_t i = 0; i < c->n; i++) {
		if (ky_parse_record(b->pctx, KY_FMT_AUTO, c->b.data + c->off[i],
				    c->len[i], RECV_NS, &ev, &b->err) != 0)
			note_failure(b, k, i);
		else
			count_fields(b, ev, k);
	}
}

/* Leaves of a jansson value: what the flattening scanner emits as fields
 * (empty containers give none). */
static uint64_t jansson_leaves(const json_t *v)
{
	uint64_t n = 0;
	const char *key;
	const json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, m)
		{
			n += jansson_leaves(m);
		}
		return n;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			n += jansson_leaves(m);
		}
		return n;
	}
	return 1;
}

static void run_jansson(struct bench_ctx *b, struct counts *k)
{
	const struct bench_corpus *c = b->c;
	json_error_t jerr;

	for (size_t i = 0; i < c->n; i++) {
		json_t *v =
			json_loadb(c->b.data + c->off[i], c->len[i], 0, &jerr);

		if (v == NULL) {
			note_failure(b, k, i);
			continue;
		}
		k->ok++;
		json_decref(v);
	}
}

struct result {
	const char *name;
	struct bench_times best;
	struct counts k;
	size_t n;
	double mb;
	int ok; /* counts matched the expectation */
};

static int counts_equal(const struct counts *x, const struct counts *y)
{
	return x->ok == y->ok && x->failed == y->failed &&
	       x->fields == y->fields && x->with_a == y->with_a;
}

/* Runs fn `runs` times and keeps the best CPU time; the counts of every run
 * must agree (a parser that gives different answers on the same input is
 * broken, whatever its speed). */
static void measure(struct result *res, const char *name, bench_fn fn,
		    struct bench_ctx *b, int runs)
{
	struct counts first = {0};

	memset(res, 0, sizeof(*res));
	res->name = name;
	res->n = b->c->n;
	res->ok = 1;
	for (size_t i = 0; i < b->c->n; i++)
		res->mb += b->c->len[i];
	res->mb /= 1e6;
	for (int r = 0; r < runs; r++) {
		struct counts k = {0};
		struct bench_times t0, t1;

		b->first_err = SIZE_MAX;
		t0 = bench_now();
		fn(b, &k);
		t1 = bench_now();
		t1.cpu -= t0.cpu;
		t1.wall -= t0.wall;
		if (r == 0) {
			first = k;
			res->best = t1;
		} else {
			if (!counts_equal(&first, &k))
				res->ok = 0;
			if (t1.cpu < res->best.cpu)
				res->best = t1;
			if (t1.wall < res->best.wall)
				res->best.wall = t1.wall;
		}
	}
	res->k = first;
	if (first.failed) {
		size_t i = b->first_err;

		fprintf(stderr,
			"  %s: %zu of %zu records failed; first (#%zu): %s\n"
			"    %.*s\n",
			name, first.failed, b->c->n, i, b->first_msg,
			(int)(b->c->len[i] > 200 ? 200 : b->c->len[i]),
			b->c->b.data + b->c->off[i]);
	}
}

static double eps(const struct result *r)
{
	return r->best.cpu > 0 ? (double)r->n / r->best.cpu : 0;
}

static void print_result(const struct result *r, const char *key)
{
	printf("  %-34s %9.0f ev/s %7.1f MB/s  cpu %6.3f s  wall %6.3f s "
	       "(%9.0f ev/s)\n",
	       r->name, eps(r), r->best.cpu > 0 ? r->mb / r->best.cpu : 0,
	       r->best.cpu, r->best.wall,
	       r->best.wall > 0 ? (double)r->n / r->best.wall : 0);
	/* For scripts/bench.sh and RESULTS.md tooling. */
	printf("RESULT %s events=%zu eps=%.0f mbps=%.1f cpu=%.4f wall=%.4f "
	       "failed=%zu\n",
	       key, r->n, eps(r), r->best.cpu > 0 ? r->mb / r->best.cpu : 0,
	       r->best.cpu, r->best.wall, r->k.failed);
}

/* ---------------------------------------------------------------- checks */

static int nfail;

static void check(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return;
	nfail++;
	fputs("  CHECK FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static int field_is(const struct ky_event *ev, const char *name, const char *s,
		    size_t n)
{
	const struct ky_field *f = ky_event_get(ev, name);

	return f && f->str_len == n && memcmp(f->str, s, n) == 0;
}

/* Untimed: every sshd line through the record path, with the values
 * compared to what the generator wrote.  Reports per kind of line. */
static void verify_sshd(const struct bench_corpus *c,
			const struct bench_sshd_truth *t, struct bench_ctx *b)
{
	size_t hdr_bad = 0, hdr_first = 0;
	size_t bad[K_NKINDS] = {0}, first[K_NKINDS];
	const char *why[K_NKINDS] = {0};

	for (size_t i = 0; i < c->n; i++) {
		const char *line = c->b.data + c->off[i];
		struct ky_event *ev = NULL;
		struct ky_err err;
		const char *w = NULL;
		const struct ky_field *f;
		const char *msg = memmem(line, c->len[i], "]: ", 3);
		char port[8];
		int plen;

		/* The header parser alone: program and message. */
		ky_arena_reset(b->arena);
		ky_event_reset(&b->ev);
		if (msg == NULL)
			bench_die("generator wrote an sshd line without a tag");
		msg += 3;
		if (ky_syslog3164_parse(line, c->len[i], RECV_NS, &b->ev,
					&err) != 0 ||
		    !field_is(&b->ev, "process.name", LIT("sshd")) ||
		    !field_is(&b->ev, "message", msg,
			      c->len[i] - (size_t)(msg - line))) {
			if (hdr_bad++ == 0)
				hdr_first = i;
		}
		if (ky_parse_record(b->pctx, KY_FMT_AUTO, line, c->len[i],
				    RECV_NS, &ev, &err) != 0)
			w = "record rejected";
		else if (t[i].ip_len &&
			 !field_is(ev, "source.ip", line + t[i].ip_off,
				   t[i].ip_len))
			w = "source.ip missing or wrong";
		else if (!t[i].ip_len && ky_event_get(ev, "source.ip"))
			w = "source.ip where the line has none";
		else if (t[i].user_len &&
			 !field_is(ev, "user.name", line + t[i].user_off,
				   t[i].user_len))
			w = "user.name missing or wrong";
		else if (t[i].ip_len &&
			 ((f = ky_event_get(ev, "source.port")) == NULL ||
			  (plen = snprintf(port, sizeof(port), "%u",
					   t[i].port)) < 0 ||
			  f->str_len != (size_t)plen ||
			  memcmp(f->str, port, (size_t)plen) != 0))
			w = "source.port missing or wrong";
		else if (!field_is(ev, "process.name", LIT("sshd")))
			w = "process.name is not sshd";
		if (w) {
			if (bad[t[i].kind]++ == 0) {
				first[t[i].kind] = i;
				why[t[i].kind] = w;
			}
		}
	}
	if (hdr_bad)
		check(0,
		      "syslog 3164 parser: %zu lines without process.name "
		      "sshd or the right message, first:\n    %.*s",
		      hdr_bad, (int)c->len[hdr_first],
		      c->b.data + c->off[hdr_first]);
	for (int k = 0; k < K_NKINDS; k++) {
		size_t i;

		if (!bad[k])
			continue;
		i = first[k];
		check(0, "sshd '%s': %zu lines wrong, first: %s\n    %.*s",
		      bench_kind_names[k], bad[k], why[k], (int)c->len[i],
		      c->b.data + c->off[i]);
	}
}

/* Untimed, on a sample of the JSON corpus: the scanner's field count equals
 * jansson's leaf count, and a few values agree. */
static void verify_json(const struct bench_corpus *c, struct bench_ctx *b)
{
	size_t mism = 0, first = 0, rec_mism = 0, rec_first = 0;
	struct ky_event *ev;

	/* Every 16th event: parsing all of them with jansson would cost more
	 * than the timed runs. */
	for (size_t i = 0; i < c->n; i += 16) {
		const char *p = c->b.data + c->off[i];
		json_error_t jerr;
		json_t *v = json_loadb(p, c->len[i], 0, &jerr);
		uint64_t leaves;
		const json_t *u;
		int r;

		if (v == NULL)
			bench_die(
				"generator wrote invalid JSON (jansson says)");
		leaves = jansson_leaves(v);
		if (leaves != JSON_LEAVES)
			bench_die("generator and JSON_LEAVES disagree");
		{
			ky_arena_reset(b->arena);
			ky_event_reset(&b->ev);
			r = ky_json_to_event(p, c->len[i], &b->ev, 64, &b->err);
			u = json_object_get(json_object_get(v, "process"),
					    "command_line");
			if (r != 0 || b->ev.nfields != leaves ||
			    !field_is(&b->ev, "process.command_line",
				      json_string_value(u),
				      json_string_length(u))) {
				if (mism++ == 0)
					first = i;
			}
			/* The record path keeps the ECS names. */
			u = json_object_get(json_object_get(v, "user"), "name");
			if (ky_parse_record(b->pctx, KY_FMT_AUTO, p, c->len[i],
					    RECV_NS, &ev, &b->err) != 0 ||
			    ev->format != KY_FMT_JSON ||
			    !field_is(ev, "user.name", json_string_value(u),
				      json_string_length(u))) {
				if (rec_mism++ == 0)
					rec_first = i;
			}
		}
		json_decref(v);
	}
	if (mism)
		check(0,
		      "JSON scanner disagrees with jansson on %zu sampled "
		      "events, first:\n    %.*s",
		      mism, (int)c->len[first], c->b.data + c->off[first]);
	if (rec_mism)
		check(0,
		      "JSON record path: %zu sampled events not JSON or "
		      "without the right user.name, first:\n    %.*s",
		      rec_mism, (int)c->len[rec_first],
		      c->b.data + c->off[rec_first]);
}

/* ---------------------------------------------------------------- main */

static int write_file(const char *dir, const char *name, const struct ky_buf *b)
{
	char path[4096];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "bench_ingest: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len)
		r = -1;
	if (fclose(f) != 0)
		r = -1;
	if (r != 0)
		fprintf(stderr, "bench_ingest: %s: write failed\n", path);
	return r;
}

static void usage(void)
{
	fputs("usage: bench_ingest [-n JSON_EVENTS] [-s SYSLOG_LINES] "
	      "[-r RUNS] [--seed N] [--write DIR] [--no-jansson]\n",
	      stderr);
	exit(2);
}

static unsigned long parse_num(const char *s)
{
	unsigned long v;

	if (!bench_parse_num(s, &v))
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", required_argument, NULL, 'n'},
		{"syslog", required_argument, NULL, 's'},
		{"runs", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 'S'},
		{"write", required_argument, NULL, 'w'},
		{"no-jansson", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	size_t njson = 1000000, nsys = 1000000;
	int runs = 3, use_jansson = 1, o;
	const char *dir = NULL;
	struct bench_corpus js, sl;
	struct bench_sshd_truth *truth;
	struct ky_config cfg;
	struct ky_parser *parser = NULL;
	struct ky_err err;
	struct bench_ctx b;
	struct result r_scan, r_rec, r_jan, r_sys, r_srec;
	uint64_t leaves;
	size_t n_addr = 0, n_user = 0;
	struct bench_times g0, g1;
	uint64_t seed = 42;

	while ((o = getopt_long(argc, argv, "n:s:r:", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			njson = parse_num(optarg);
			break;
		case 's':
			nsys = parse_num(optarg);
			break;
		case 'r':
			runs = (int)parse_num(optarg);
			break;
		case 'S':
			seed = parse_num(optarg);
			break;
		case 'w':
			dir = optarg;
			break;
		case 'J':
			use_jansson = 0;
			break;
		default:
			usage();
		}
	}
	if (runs < 1 || njson < 1 || nsys < 1)
		usage();

	g0 = bench_now();
	/* Each corpus from its own seed: the sshd lines do not depend on -n. */
	bench_rng_state = seed;
	bench_corpus_init(&js, njson, 460);
	for (size_t i = 0; i < njson; i++)
		bench_gen_json(&js);
	bench_corpus_init(&sl, nsys, 110);
	bench_rng_state = seed ^ 0x5353484400000000ULL;
	truth = malloc(nsys * sizeof(*truth));
	if (truth == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < nsys; i++) {
		bench_gen_sshd(&sl, &truth[i]);
		n_addr += truth[i].ip_len != 0;
		n_user += truth[i].user_len != 0;
	}
	g1 = bench_now();
	printf("bench_ingest: %zu JSON events (%.1f MB, %.0f B avg), %zu sshd "
	       "lines (%.1f MB, %.0f B avg; %zu with an address, %zu with a "
	       "user); generated in %.2f s; best of %d runs, per core = "
	       "thread CPU time\n",
	       js.n, (double)(js.b.len - js.n) / 1e6,
	       (double)(js.b.len - js.n) / (double)js.n, sl.n,
	       (double)(sl.b.len - sl.n) / 1e6,
	       (double)(sl.b.len - sl.n) / (double)sl.n, n_addr, n_user,
	       g1.wall - g0.wall, runs);
	if (dir) {
		mkdir(dir, 0755);
		if (write_file(dir, "events.json", &js.b) != 0 ||
		    write_file(dir, "sshd.log", &sl.b) != 0)
			return 2;
		printf("wrote %s/events.json and %s/sshd.log\n", dir, dir);
	}
	fflush(stdout);

	memset(&b, 0, sizeof(b));
	b.arena = ky_arena_new(64 * 1024, 0);
	if (b.arena == NULL || ky_event_init(&b.ev, b.arena, 1024) != 0)
		bench_die("out of memory");
	if (ky_config_defaults(&cfg) != 0)
		bench_die("ky_config_defaults failed");
	if (ky_parser_new(&parser, &cfg, &err) != 0) {
		fprintf(stderr, "bench_ingest: ky_parser_new: %s\n", err.msg);
		return 2;
	}
	if (ky_parse_ctx_new(parser, &b.pctx) != 0)
		bench_die("ky_parse_ctx_new failed");

	/* JSON.  The timed loops count only what is cheap (records, fields,
	 * one field lookup for the sshd record path) so that the checking
	 * does not weigh on the figures; the value-by-value checks run
	 * untimed on the same data. */
	b.c = &js;
	verify_json(&js, &b);
	leaves = (uint64_t)JSON_LEAVES * js.n;
	printf("JSON (%zu events, %" PRIu64 " leaf values)\n", js.n, leaves);
	measure(&r_scan, "kyklos JSON scanner", run_json_scan, &b, runs);
	print_result(&r_scan, "json_scan");
	check(r_scan.ok && r_scan.k.failed == 0 && r_scan.k.fields == leaves,
	      "JSON scanner: %zu failed, %" PRIu64 " fields (jansson: %" PRIu64
	      ")",
	      r_scan.k.failed, r_scan.k.fields, leaves);
	measure(&r_rec, "kyklos record path (auto, JSON)", run_record, &b,
		runs);
	print_result(&r_rec, "json_record");
	check(r_rec.ok && r_rec.k.failed == 0 && r_rec.k.fields >= leaves,
	      "JSON record path: %zu failed, %" PRIu64 " fields (jansson "
	      "leaves: %" PRIu64 ")",
	      r_rec.k.failed, r_rec.k.fields, leaves);
	if (use_jansson) {
		measure(&r_jan, "jansson json_loadb+json_decref", run_jansson,
			&b, runs);
		print_result(&r_jan, "json_jansson");
		check(r_jan.k.failed == 0, "jansson rejected %zu events",
		      r_jan.k.failed);
		printf("  ratio scanner/jansson %.2fx, record path/jansson "
		       "%.2fx\n",
		       eps(&r_scan) / eps(&r_jan), eps(&r_rec) / eps(&r_jan));
	}

	/* syslog */
	b.c = &sl;
	verify_sshd(&sl, truth, &b);
	printf("sshd syslog RFC 3164 (%zu lines)\n", sl.n);
	measure(&r_sys, "kyklos syslog 3164 parser", run_syslog_scan, &b, runs);
	print_result(&r_sys, "syslog_scan");
	check(r_sys.ok && r_sys.k.failed == 0 && r_sys.k.fields >= 4 * sl.n,
	      "syslog 3164: %zu failed, %" PRIu64 " fields for %zu lines",
	      r_sys.k.failed, r_sys.k.fields, sl.n);
	b.field_a = "source.ip";
	measure(&r_srec, "kyklos record path (auto+extract)", run_record, &b,
		runs);
	print_result(&r_srec, "syslog_record");
	check(r_srec.ok && r_srec.k.failed == 0 && r_srec.k.with_a == n_addr,
	      "syslog record path: %zu failed, source.ip in %zu (lines with "
	      "an address: %zu)",
	      r_srec.k.failed, r_srec.k.with_a, n_addr);
	b.field_a = NULL;
	printf("  ratio record path/3164 parser alone %.2f (extraction and "
	       "detection cost %.0f ns/line)\n",
	       eps(&r_srec) / eps(&r_sys),
	       1e9 * (r_srec.best.cpu - r_sys.best.cpu) / (double)sl.n);

	printf("goals (per core)%s:\n",
	       nfail ? " [INVALID: correctness checks failed]" : "");
	printf("  JSON scanner >= 2,000,000 ev/s: %s (%.2fx of goal)\n",
	       eps(&r_scan) >= 2e6 ? "met" : "MISSED", eps(&r_scan) / 2e6);
	if (use_jansson)
		printf("  JSON scanner >= 10x jansson: %s (%.2fx)\n",
		       eps(&r_scan) >= 10 * eps(&r_jan) ? "met" : "MISSED",
		       eps(&r_scan) / eps(&r_jan));
	printf("  JSON record path >= 2,000,000 ev/s: %s (%.2fx of goal)\n",
	       eps(&r_rec) >= 2e6 ? "met" : "MISSED", eps(&r_rec) / 2e6);
	printf("  syslog 3164 parser >= 3,000,000 lines/s: %s (%.2fx of "
	       "goal)\n",
	       eps(&r_sys) >= 3e6 ? "met" : "MISSED", eps(&r_sys) / 3e6);
	printf("  syslog record path >= 3,000,000 lines/s: %s (%.2fx of "
	       "goal)\n",
	       eps(&r_srec) >= 3e6 ? "met" : "MISSED", eps(&r_srec) / 3e6);
	printf("correctness: %s\n", nfail ? "FAILED (figures above are not "
					    "valid)"
					  : "all checks passed");

	ky_parse_ctx_free(b.pctx);
	ky_parser_free(parser);
	ky_config_free(&cfg);
	ky_event_free(&b.ev);
	ky_arena_free(b.arena);
	bench_corpus_free(&js);
	bench_corpus_free(&sl);
	free(truth);
	return nfail ? 1 : 0;
}
