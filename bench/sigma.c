/* bench_sigma: issue 3, task C.  Every SigmaHQ rule of
 * $KYKLOS_SHARED_DATA/sigma loaded into one rule set, then Windows events
 * (the regression data's events and generated variants, in evtx_dump and
 * flat JSON shapes) parsed and matched with 1 and 2 worker threads; the
 * floor (parsing alone) and a naive peer (every rule in its own rule set,
 * evaluated one by one) run in the same process.  See docs/benchmarks.md. */
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "detect/logsource.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/json.h"
#include "event/parse.h"
#include "gen.h"

/* 2024-05-01T00:00:00Z, as in the other benchmarks. */
#define RECV_NS (1714521600LL * 1000000000LL)
#define MAX_THREADS 2

static int nfail;

/* ------------------------------------------------------------ utilities */

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static uint64_t rng = 0x5167a0c5ULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

static struct {
	char **v;
	size_t n, cap;
} files;
static const char *want_ext;

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	size_t len = strlen(path), el = strlen(want_ext);

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < el || strcmp(path + len - el, want_ext))
		return 0;
	if (files.n == files.cap) {
		files.cap = files.cap ? 2 * files.cap : 1024;
		files.v = realloc(files.v, files.cap * sizeof(char *));
		if (files.v == NULL)
			bench_die("out of memory");
	}
	if ((files.v[files.n++] = strdup(path)) == NULL)
		bench_die("out of memory");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void files_clear(void)
{
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	files.n = 0;
}

/* Files ending in ext under root/dirs[i], sorted (a stable order). */
static void list_files(const char *root, const char *const *dirs, size_t nd,
		       const char *ext)
{
	char dir[4200];
	struct stat st;

	files_clear();
	want_ext = ext;
	for (size_t i = 0; i < nd; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
		if (stat(dir, &st) == 0)
			nftw(dir, visit, 16, FTW_PHYS);
	}
	if (files.n)
		qsort(files.v, files.n, sizeof(char *), cmp_str);
}

static const char *const rule_dirs[] = {
	"rules", "rules-emerging-threats", "rules-threat-hunting",
	"rules-compliance", "rules-placeholder"};
#define NRULEDIRS (sizeof(rule_dirs) / sizeof(rule_dirs[0]))

/* --------------------------------------------------------------- rules */

struct load_stats {
	size_t rules, compiled, rejected;
	double wall, cpu;
	long rss_kb;
};

static struct ky_ruleset *load_rules(const char *root, struct load_stats *ls)
{
	struct ky_ruleset *rs = NULL;
	struct ky_err err = {0};
	struct bench_times t0;

	memset(ls, 0, sizeof(*ls));
	list_files(root, rule_dirs, NRULEDIRS, ".yml");
	t0 = bench_now();
	if (ky_ruleset_new(&rs, NULL, &err) != 0)
		bench_die(err.msg);
	for (size_t i = 0; i < files.n; i++) {
		struct ky_sigma_rule **v = NULL;
		size_t n = 0;

		if (ky_sigma_load_file(files.v[i], &v, &n, &err) != 0) {
			printf("  load failed: %s\n", err.msg);
			nfail++;
		}
		for (size_t k = 0; k < n; k++) {
			ls->rules++;
			if (ky_ruleset_add(rs, v[k], &err) == 0)
				ls->compiled++;
			else
				ls->rejected++;
		}
		free(v);
	}
	if (ky_ruleset_finalize(rs, &err) != 0)
		bench_die(err.msg);
	{
		struct bench_times d = bench_since(t0);

		ls->wall = d.wall;
		ls->cpu = d.cpu;
	}
	ls->rss_kb = status_kb("VmRSS");
	return rs;
}

/* -------------------------------------------------------------- events */

static const char *const images[] = {
	"C:\\Windows\\System32\\svchost.exe",
	"C:\\Windows\\explorer.exe",
	"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
	"C:\\Program Files\\Mozilla Firefox\\firefox.exe",
	"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
	"C:\\Windows\\System32\\RuntimeBroker.exe",
	"C:\\Windows\\System32\\SearchIndexer.exe",
	"C:\\Windows\\System32\\taskhostw.exe",
	"C:\\Windows\\System32\\backgroundTaskHost.exe",
	"C:\\Program Files\\Contoso\\Agent\\contoso-agent.exe",
	"C:\\Program Files (x86)\\Adobe\\Reader\\AcroRd32.exe",
	"C:\\Windows\\System32\\spoolsv.exe",
	"C:\\Program Files\\Windows Defender\\MsMpEng.exe",
	"C:\\Windows\\System32\\lsass.exe",
	"C:\\Windows\\System32\\services.exe",
	"C:\\Program Files\\Microsoft VS Code\\Code.exe",
	"C:\\Program Files\\Notepad++\\notepad++.exe",
	"C:\\Windows\\System32\\conhost.exe",
};
#define NIMAGES (sizeof(images) / sizeof(images[0]))

static const char *const args[] = {
	"-k netsvcs -p -s Schedule",
	"--type=renderer --lang=en-US --field-trial-handle=1720,%u",
	"/n /e:%u",
	"--sync --profile default --id %u",
	"-Embedding",
	"C:\\Users\\user%u\\Documents\\report-%u.txt",
	"0xffffffff -ForceV1",
	"--update-check --channel stable",
};
#define NARGS (sizeof(args) / sizeof(args[0]))

static const char *const products[][3] = {
	{"Microsoft® Windows® Operating System", "Microsoft Corporation",
	 "Host Process for Windows Services"},
	{"Google Chrome", "Google LLC", "Google Chrome"},
	{"Contoso Agent", "Contoso Ltd", "Contoso endpoint agent"},
	{"Firefox", "Mozilla Corporation", "Firefox"},
};

/* Hex digits that depend only on seed: the same binary (image and
 * version) has the same hashes on every event, as on real hosts. */
static void hexs(char *out, size_t n, uint64_t seed)
{
	static const char hx[] = "0123456789ABCDEF";
	uint64_t x = seed;

	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = hx[(x >> 59) & 15];
	}
	out[n] = '\0';
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (json_object_get(o, k) != NULL)
		json_object_set_new(o, k, json_string(v));
}

/* A benign process: image, command line, user, hashes, file metadata
 * (strong = also the fields the rules look at; otherwise only the
 * identity fields change, keeping what the rule matched). */
static void mutate(json_t *ed, bool strong)
{
	char v[512], h1[41], h2[33], h3[65], h4[33], a[160];
	unsigned ii = rndn(NIMAGES);
	uint64_t bin = ii * 4u + rndn(3); /* image and version */
	const char *img = images[ii];
	const char *pimg = images[rndn(NIMAGES)];
	const char *const *pr = products[rndn(4)];
	const char *base = strrchr(img, '\\') + 1;

	snprintf(v, sizeof(v), "CONTOSO\\user%u", rndn(5000));
	set_str(ed, "User", v);
	set_str(ed, "ParentUser", v);
	set_str(ed, "SubjectUserName", v + 8);
	hexs(h1, 40, bin * 4 + 1);
	hexs(h2, 32, bin * 4 + 2);
	hexs(h3, 64, bin * 4 + 3);
	hexs(h4, 32, bin * 4 + 4);
	snprintf(v, sizeof(v), "SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s", h1, h2,
		 h3, h4);
	set_str(ed, "Hashes", v);
	if (json_object_get(ed, "ProcessId"))
		json_object_set_new(ed, "ProcessId",
				    json_integer((json_int_t)rndn(60000)));
	if (!strong)
		return;
	set_str(ed, "Image", img);
	set_str(ed, "ParentImage", pimg);
	set_str(ed, "SourceImage", pimg);
	set_str(ed, "TargetImage", img);
	snprintf(a, sizeof(a), args[rndn(NARGS)], rndn(9000), rndn(9000));
	snprintf(v, sizeof(v), "\"%s\" %s", img, a);
	set_str(ed, "CommandLine", v);
	snprintf(v, sizeof(v), "\"%s\"", pimg);
	set_str(ed, "ParentCommandLine", v);
	set_str(ed, "OriginalFileName", base);
	set_str(ed, "Product", pr[0]);
	set_str(ed, "Company", pr[1]);
	set_str(ed, "Description", pr[2]);
	snprintf(v, sizeof(v), "C:\\Windows\\System32\\%c%u.dll",
		 'a' + (char)rndn(26), rndn(900));
	set_str(ed, "ImageLoaded", v);
	snprintf(v, sizeof(v), "C:\\Users\\user%u\\Documents\\notes-%u.txt",
		 rndn(5000), rndn(90000));
	set_str(ed, "TargetFilename", v);
	snprintf(v, sizeof(v), "HKLM\\SOFTWARE\\Contoso\\Agent\\Setting%u",
		 rndn(900));
	set_str(ed, "TargetObject", v);
	set_str(ed, "Details", "DWORD (0x00000001)");
	set_str(ed, "CurrentDirectory", "C:\\Windows\\system32\\");
	snprintf(v, sizeof(v), "host%u.contoso.example", rndn(900));
	set_str(ed, "QueryName", v);
	set_str(ed, "DestinationHostname", v);
	set_str(ed, "PipeName", "\\contoso_agent_pipe");
	set_str(ed, "ScriptBlockText", "Get-ChildItem -Path C:\\Temp");
}

/* The event's fields after field mapping, as one flat JSON object (the
 * NXLog shape), from the parse of its evtx_dump form. */
static void flatten(const struct ky_event *ev, struct ky_buf *out)
{
	int r = ky_buf_addc(out, '{');
	bool first = true;

	for (uint32_t i = 0; i < ev->nfields && r == 0; i++) {
		const struct ky_field *f = &ev->fields[i];

		if (f->path_len == 11 &&
		    memcmp(f->path, "Event_xmlns", 11) == 0)
			continue;
		if (!first)
			r = ky_buf_addc(out, ',');
		first = false;
		if (r == 0)
			r = ky_buf_add_json_str(out, f->path, f->path_len);
		if (r == 0)
			r = ky_buf_addc(out, ':');
		if (r == 0 && f->type == KY_V_STR)
			r = ky_buf_add_json_str(out, f->str, f->str_len);
		else if (r == 0)
			r = ky_buf_add(out, f->str, f->str_len);
	}
	if (r != 0 || ky_buf_addc(out, '}') != 0)
		bench_die("out of memory");
}

struct corpus_stats {
	size_t base, original, light, strong, evtx, flat;
	double bytes;
};

/* The regression events (every JSON value of every .json file). */
static size_t read_base(const char *root, json_t ***out)
{
	char dir[4200];
	const char *const d[] = {"regression_data"};
	json_t **v = NULL;
	size_t n = 0, cap = 0;

	snprintf(dir, sizeof(dir), "%s", root);
	list_files(dir, d, 1, ".json");
	for (size_t i = 0; i < files.n; i++) {
		size_t len = 0, off = 0;
		char *buf = read_all(files.v[i], &len);

		while (buf != NULL && off < len) {
			long l = ky_json_value_len(buf + off, len - off);
			json_t *j;

			if (l <= 0)
				break;
			j = json_loadb(buf + off, (size_t)l, 0, NULL);
			off += (size_t)l;
			if (j == NULL ||
			    !json_is_object(json_object_get(j, "Event"))) {
				json_decref(j);
				continue;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				v = realloc(v, cap * sizeof(*v));
				if (v == NULL)
					bench_die("out of memory");
			}
			v[n++] = j;
		}
		free(buf);
	}
	*out = v;
	return n;
}

/* n events: 5% regression events as they are, 10% with only identity
 * fields changed (user, hashes, pid: they still match), 85% benign
 * processes; even indexes in evtx_dump shape, odd ones flat. */
static void make_corpus(const char *root, size_t n, struct bench_corpus *c,
			struct corpus_stats *cs)
{
	json_t **base = NULL;
	struct ky_parser *p = NULL;
	struct ky_parse_ctx *pc = NULL;
	struct ky_err err = {0};

	memset(cs, 0, sizeof(*cs));
	cs->base = read_base(root, &base);
	if (cs->base == 0)
		bench_die("no regression events found");
	if (ky_parser_new(&p, NULL, &err) != 0 || ky_parse_ctx_new(p, &pc) != 0)
		bench_die("parser");
	bench_corpus_init(c, n, 1200);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_deep_copy(base[rndn((unsigned)cs->base)]);
		json_t *ev = json_object_get(e, "Event");
		json_t *ed = json_object_get(ev, "EventData");
		unsigned k = rndn(100);
		char *s;
		size_t start = c->b.len;

		if (!json_is_object(ed)) {
			const char *key;
			json_t *u = json_object_get(ev, "UserData"), *x;

			ed = NULL;
			json_object_foreach(u, key, x)
			{
				if (json_is_object(x))
					ed = x;
			}
		}
		if (k < 5)
			cs->original++;
		else if (ed != NULL)
			mutate(ed, k >= 15);
		cs->light += k >= 5 && k < 15;
		cs->strong += k >= 15;
		s = json_dumps(e, JSON_COMPACT);
		if (s == NULL)
			bench_die("out of memory");
		if (i % 2 == 0) {
			if (ky_buf_adds(&c->b, s) != 0)
				bench_die("out of memory");
			cs->evtx++;
		} else {
			struct ky_event *pe;

			if (ky_parse_record(pc, KY_FMT_JSON, s, strlen(s),
					    RECV_NS, &pe, &err) != 0)
				bench_die(err.msg);
			flatten(pe, &c->b);
			cs->flat++;
		}
		c->off[c->n] = start;
		c->len[c->n] = (uint32_t)(c->b.len - start);
		c->n++;
		if (ky_buf_addc(&c->b, '\n') != 0)
			bench_die("out of memory");
		free(s);
		json_decref(e);
	}
	cs->bytes = (double)c->b.len;
	for (size_t i = 0; i < cs->base; i++)
		json_decref(base[i]);
	free(base);
	ky_parse_ctx_free(pc);
	ky_parser_free(p);
}

/* ------------------------------------------------------------- workers */

struct work {
	const struct ky_ruleset *rs; /* NULL: parse only */
	const struct ky_parser *p;
	const struct bench_corpus *c;
	size_t from, to;
	/* out */
	uint64_t alerts, sum, tested, cached;
	size_t failed;
	double cpu;
	size_t cur; /* event being matched, for the alert checksum */
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

/* The checksum is a sum, so the split between threads does not matter. */
static int on_alert(void *ud, const struct ky_alert *a)
{
	struct work *w = ud;

	w->alerts++;
	w->sum += mix(str_hash(a->rule->id) + w->cur * 0x9e3779b97f4a7c15ULL);
	return 0;
}

static void *run_work(void *arg)
{
	struct work *w = arg;
	struct ky_parse_ctx *pc = NULL;
	struct ky_match_scratch *s = NULL;
	struct ky_err err = {0};
	struct bench_times t0;

	if (ky_parse_ctx_new(w->p, &pc) != 0 ||
	    (w->rs && ky_match_scratch_new(w->rs, &s) != 0))
		bench_die("out of memory");
	t0 = bench_now();
	for (size_t i = w->from; i < w->to; i++) {
		struct ky_event *ev;

		if (ky_parse_record(pc, KY_FMT_JSON,
				    w->c->b.data + w->c->off[i], w->c->len[i],
				    RECV_NS, &ev, &err) != 0) {
			w->failed++;
			continue;
		}
		w->cur = i;
		if (w->rs && ky_ruleset_match(w->rs, s, ev, on_alert, w) < 0)
			w->failed++;
	}
	w->cpu = bench_since(t0).cpu;
	if (s != NULL)
		ky_match_scratch_stats(s, &w->tested, &w->cached);
	ky_match_scratch_free(s);
	ky_parse_ctx_free(pc);
	return NULL;
}

struct result {
	double cpu, wall, eps_core, eps_wall;
	uint64_t alerts, sum, tested, cached;
	size_t failed;
};

static struct result run(const struct ky_ruleset *rs, const struct ky_parser *p,
			 const struct bench_corpus *c, size_t from, size_t to,
			 int nthreads)
{
	struct work w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct result r = {0};
	struct bench_times t0 = bench_now();
	size_t n = to - from;

	for (int t = 0; t < nthreads; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].rs = rs;
		w[t].p = p;
		w[t].c = c;
		w[t].from = from + n * (size_t)t / (size_t)nthreads;
		w[t].to = from + n * (size_t)(t + 1) / (size_t)nthreads;
		if (pthread_create(&th[t], NULL, run_work, &w[t]) != 0)
			bench_die("pthread_create");
	}
	for (int t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		r.cpu += w[t].cpu;
		r.alerts += w[t].alerts;
		r.sum += w[t].sum;
		r.tested += w[t].tested;
		r.cached += w[t].cached;
		r.failed += w[t].failed;
	}
	r.wall = bench_since(t0).wall;
	r.eps_core = r.cpu > 0 ? (double)n / r.cpu : 0;
	r.eps_wall = r.wall > 0 ? (double)n / r.wall : 0;
	return r;
}

static struct result best_of(const struct ky_ruleset *rs,
			     const struct ky_parser *p,
			     const struct bench_corpus *c, size_t from,
			     size_t to, int nthreads, int runs)
{
	struct result best = {0};

	for (int i = 0; i < runs; i++) {
		struct result r = run(rs, p, c, from, to, nthreads);

		if (i == 0 || r.cpu < best.cpu)
			best = r;
		if (i > 0 && (r.alerts != best.alerts || r.sum != best.sum)) {
			printf("  CHECK FAILED: alerts differ between runs\n");
			nfail++;
		}
	}
	return best;
}

static void report(const char *name, const char *key, const struct result *r,
		   size_t n)
{
	printf("  %-40s %9.0f ev/s/core %9.0f ev/s wall  cpu %7.3f s  "
	       "alerts %" PRIu64 "\n",
	       name, r->eps_core, r->eps_wall, r->cpu, r->alerts);
	printf("RESULT %s events=%zu eps=%.0f eps_wall=%.0f cpu=%.4f "
	       "alerts=%" PRIu64 " failed=%zu\n",
	       key, n, r->eps_core, r->eps_wall, r->cpu, r->alerts, r->failed);
	if (r->tested > 0)
		printf("    %.1f field values tested per event, %.1f%% of them "
		       "answered by the cache of recent values\n",
		       (double)r->tested / (double)n,
		       100.0 * (double)r->cached / (double)r->tested);
	if (r->failed) {
		printf("  CHECK FAILED: %zu events failed\n", r->failed);
		nfail++;
	}
}

/* ------------------------------------------------------- naive peer */

/* Every rule in a rule set of its own: what an engine without a shared
 * prefilter does (each rule tests its own fields, one rule after the
 * other).  Returns the alerts on c[0..n) and the match CPU time. */
static void naive(const char *root, const struct ky_parser *p,
		  const struct bench_corpus *c, size_t n, size_t *nsets,
		  double *load_s, struct result *res)
{
	struct ky_logsources *ls = ky_logsources_builtin();
	struct ky_ruleset_opts o = {0};
	struct ky_ruleset **sets = NULL;
	struct ky_match_scratch **scr = NULL;
	struct ky_parse_ctx *pc = NULL;
	struct ky_err err = {0};
	struct work w = {0};
	struct bench_times t0 = bench_now();
	size_t ns = 0, cap = 0;

	if (ls == NULL || ky_parse_ctx_new(p, &pc) != 0)
		bench_die("out of memory");
	o.logsources = ls;
	list_files(root, rule_dirs, NRULEDIRS, ".yml");
	for (size_t i = 0; i < files.n; i++) {
		struct ky_sigma_rule **v = NULL;
		size_t nv = 0;

		(void)ky_sigma_load_file(files.v[i], &v, &nv, &err);
		for (size_t k = 0; k < nv; k++) {
			struct ky_ruleset *rs = NULL;

			if (v[k]->kind != KY_SIGMA_DETECTION) {
				ky_sigma_rule_free(v[k]);
				continue;
			}
			if (ky_ruleset_new(&rs, &o, &err) != 0)
				bench_die(err.msg);
			if (ky_ruleset_add(rs, v[k], &err) != 0 ||
			    ky_ruleset_finalize(rs, &err) != 0) {
				ky_ruleset_free(rs);
				continue;
			}
			if (ns == cap) {
				cap = cap ? 2 * cap : 1024;
				sets = realloc(sets, cap * sizeof(*sets));
				scr = realloc(scr, cap * sizeof(*scr));
				if (sets == NULL || scr == NULL)
					bench_die("out of memory");
			}
			sets[ns] = rs;
			if (ky_match_scratch_new(rs, &scr[ns]) != 0)
				bench_die("out of memory");
			ns++;
		}
		free(v);
	}
	*load_s = bench_since(t0).wall;
	*nsets = ns;
	t0 = bench_now();
	for (size_t i = 0; i < n; i++) {
		struct ky_event *ev;

		if (ky_parse_record(pc, KY_FMT_JSON, c->b.data + c->off[i],
				    c->len[i], RECV_NS, &ev, &err) != 0) {
			w.failed++;
			continue;
		}
		w.cur = i;
		for (size_t k = 0; k < ns; k++)
			if (ky_ruleset_match(sets[k], scr[k], ev, on_alert,
					     &w) < 0)
				w.failed++;
	}
	memset(res, 0, sizeof(*res));
	{
		struct bench_times d = bench_since(t0);

		res->cpu = d.cpu;
		res->wall = d.wall;
	}
	res->eps_core = res->cpu > 0 ? (double)n / res->cpu : 0;
	res->eps_wall = res->wall > 0 ? (double)n / res->wall : 0;
	res->alerts = w.alerts;
	res->sum = w.sum;
	res->failed = w.failed;
	for (size_t k = 0; k < ns; k++) {
		ky_match_scratch_free(scr[k]);
		ky_ruleset_free(sets[k]);
	}
	free(sets);
	free(scr);
	ky_parse_ctx_free(pc);
	ky_logsources_free(ls);
}

/* ----------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_sigma [-n EVENTS] [-r RUNS] [-N NAIVE_EVENTS]\n"
		"  -n  events to generate (default 1000000)\n"
		"  -r  runs of each timing, best kept (default 1)\n"
		"  -N  events for the naive peer (default 1000; 0: skip)\n"
		"rules and events from $KYKLOS_SHARED_DATA/sigma "
		"(default ../shared/data/sigma)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000, runs = 1, nnaive = 1000;
	const char *env = getenv("KYKLOS_SHARED_DATA");
	char root[4096];
	struct stat st;
	struct load_stats ls;
	struct corpus_stats cs;
	struct bench_corpus c;
	struct ky_ruleset *rs;
	struct ky_parser *p = NULL;
	struct ky_err err = {0};
	struct result parse1, m1, m2, sub = {0}, nv = {0};
	long rss0;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:N:h")) != -1) {
		if (opt == 'n' && bench_parse_num(optarg, &n) && n > 0)
			continue;
		if (opt == 'r' && bench_parse_num(optarg, &runs) && runs > 0)
			continue;
		if (opt == 'N' && bench_parse_num(optarg, &nnaive))
			continue;
		usage();
	}
	snprintf(root, sizeof(root), "%s/sigma", env ? env : "../shared/data");
	if (stat(root, &st) != 0) {
		printf("bench_sigma: SKIP: folder %s is absent\n", root);
		return 0;
	}
	printf("bench_sigma: SigmaHQ rules and Windows events from %s\n", root);
	rss0 = status_kb("VmRSS");
	rs = load_rules(root, &ls);
	printf("  rules: %zu in %zu files, %zu compiled, %zu rejected; load + "
	       "compile + finalize %.2f s wall, %.2f s CPU; RSS %.1f MB "
	       "(%.1f MB for the rules)\n",
	       ls.rules, files.n, ls.compiled, ls.rejected, ls.wall, ls.cpu,
	       (double)ls.rss_kb / 1024, (double)(ls.rss_kb - rss0) / 1024);
	printf("RESULT sigma_load rules=%zu compiled=%zu wall=%.3f cpu=%.3f "
	       "rss_mb=%.1f rules_mb=%.1f\n",
	       ls.rules, ls.compiled, ls.wall, ls.cpu, (double)ls.rss_kb / 1024,
	       (double)(ls.rss_kb - rss0) / 1024);
	make_corpus(root, n, &c, &cs);
	printf("  events: %zu (%.0f bytes on average) from %zu regression "
	       "events: %zu as they are, %zu with new identity fields, %zu "
	       "benign variants; %zu evtx_dump, %zu flat\n",
	       c.n, cs.bytes / (double)c.n, cs.base, cs.original, cs.light,
	       cs.strong, cs.evtx, cs.flat);
	if (ky_parser_new(&p, NULL, &err) != 0)
		bench_die(err.msg);
	printf("timings: best of %lu, per core = thread CPU time\n", runs);
	parse1 = best_of(NULL, p, &c, 0, c.n, 1, (int)runs);
	report("parse only (floor), 1 thread", "sigma_parse", &parse1, c.n);
	m1 = best_of(rs, p, &c, 0, c.n, 1, (int)runs);
	report("parse + match, 1 thread", "sigma_match1", &m1, c.n);
	m2 = best_of(rs, p, &c, 0, c.n, 2, (int)runs);
	report("parse + match, 2 threads", "sigma_match2", &m2, c.n);
	if (m1.alerts != m2.alerts || m1.sum != m2.sum) {
		printf("  CHECK FAILED: 1 and 2 threads give different alerts "
		       "(%" PRIu64 " vs %" PRIu64 ")\n",
		       m1.alerts, m2.alerts);
		nfail++;
	} else {
		printf("  check: 1 and 2 threads give the same %" PRIu64
		       " alerts (same rule/event pairs)\n",
		       m1.alerts);
	}
	{
		double mcpu = m1.cpu - parse1.cpu;

		printf("  matching alone (parse+match - parse): %.0f ev/s/core "
		       "(%.2f us/event)\n",
		       mcpu > 0 ? (double)c.n / mcpu : 0,
		       mcpu * 1e6 / (double)c.n);
		printf("RESULT sigma_matchonly events=%zu eps=%.0f\n", c.n,
		       mcpu > 0 ? (double)c.n / mcpu : 0);
		printf("ratio 2 threads/1 thread: %.2fx per core, %.2fx wall\n",
		       m2.eps_core / m1.eps_core, m2.eps_wall / m1.eps_wall);
	}
	if (nnaive > c.n)
		nnaive = c.n;
	if (nnaive > 0) {
		size_t nsets = 0;
		double nload = 0;

		sub = best_of(rs, p, &c, 0, nnaive, 1, 1);
		naive(root, p, &c, nnaive, &nsets, &nload, &nv);
		printf("naive peer: each of %zu rules in its own rule set, "
		       "evaluated one by one (built in %.1f s), first %lu "
		       "events\n",
		       nsets, nload, nnaive);
		report("naive one by one, 1 thread", "sigma_naive", &nv,
		       nnaive);
		report("kyklos on the same events", "sigma_subset", &sub,
		       nnaive);
		if (nv.alerts != sub.alerts || nv.sum != sub.sum) {
			printf("  CHECK FAILED: naive and kyklos alerts differ "
			       "(%" PRIu64 " vs %" PRIu64 ")\n",
			       nv.alerts, sub.alerts);
			nfail++;
		} else {
			printf("  check: naive and kyklos give the same "
			       "%" PRIu64 " alerts\n",
			       sub.alerts);
		}
	}
	printf("ratio kyklos/parse floor: %.2fx of parsing speed\n",
	       m1.eps_core / parse1.eps_core);
	if (nv.eps_core > 0)
		printf("ratio kyklos/naive: %.1fx (parse+match per core)\n",
		       sub.eps_core / nv.eps_core);
	printf("goal >= 250000 ev/s/core: %s (parse+match %.0f)\n",
	       m1.eps_core >= 250000 ? "met" : "NOT met", m1.eps_core);
	ky_parser_free(p);
	bench_corpus_free(&c);
	ky_ruleset_free(rs);
	files_clear();
	free(files.v);
	printf("bench_sigma: %s\n",
	       nfail ? "CHECKS FAILED" : "all checks passed");
	return nfail ? 1 : 0;
}
