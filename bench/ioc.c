/* bench_ioc: issue 3, task B.  ECS-like JSON events matched against an
 * indicator set (addresses and CIDR ranges, domains and "*." zones,
 * SHA-256) by the kyklos record path, against jansson plus a hash lookup of
 * the same fields in the same run; scripts/bench.sh adds `grep -F -f` on
 * the files written with --write.  The generator knows which events hold an
 * indicator in a field that should match, so every tool is checked for
 * exactness, event by event.  See docs/benchmarks.md. */
#include <arpa/inet.h>
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

#include "base/buf.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/indicators.h"
#include "event/event.h"
#include "event/parse.h"
#include "gen.h"

/* 2024-05-01T00:00:00Z, as in bench_ingest. */
#define RECV_NS (1714521600LL * 1000000000LL)

static int nfail;

/* ---------------------------------------------------------------- timing */

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

static void print_load(const char *when)
{
	char buf[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	printf("load average %s: %s\n", when, buf);
}

/* ky_ioc_add of every value; 0 or the first failure. */
static int iocs_load(const struct bench_iocs *s, struct ky_ioc_set *set,
		     struct ky_err *err)
{
	char v[128];
	struct ky_ioc ioc = {0};
	int r;

	ioc.list = "bench";
	ioc.confidence = 50;
	for (size_t i = 0; i < s->c.n; i++) {
		size_t n;
		const char *p = bench_ioc_val(s, i, &n);

		memcpy(v, p, n); /* the list is '\n'-separated */
		v[n] = '\0';
		ioc.type = s->kind[i] >= G_DOM
				   ? (s->kind[i] == G_SHA ? KY_IOC_SHA256
							  : KY_IOC_DOMAIN)
				   : KY_IOC_IP;
		ioc.value = v;
		ioc.line = i + 1;
		if ((r = ky_ioc_add(set, &ioc, n, err)) != 0)
			return r;
	}
	return 0;
}

/* ---------------------------------------------------------------- peer */

/* What a careful jansson user would write: the same fields read from the
 * DOM, values normalised as kyklos does, one hash of typed keys
 * ('4'/'6' + prefix length + masked address, 'd' name, 'w' zone,
 * 'h' hash), ranges probed for each prefix length present. */
struct peer {
	struct ky_hash *h;
	uint8_t lens4[33], lens6[129]; /* lengths present, longest first */
	int n4, n6;
};

static int ip_key(uint8_t *key, const uint8_t *a, int fam, int len)
{
	int nb = fam == 4 ? 4 : 16;

	key[0] = (uint8_t)fam;
	key[1] = (uint8_t)len;
	for (int i = 0; i < nb; i++) {
		int keep = len - 8 * i;
		uint8_t m = (uint8_t)(keep >= 8	  ? 0xffu
				      : keep <= 0 ? 0u
						  : 0xffu << (8 - keep));
		key[2 + i] = a[i] & m;
	}
	return 2 + nb;
}

/* "a.b.c.d", any IPv6 form, "::ffff:a.b.c.d" as IPv4. */
static int ip_parse(const char *s, uint8_t *a)
{
	if (strchr(s, ':') == NULL)
		return inet_pton(AF_INET, s, a) == 1 ? 4 : 0;
	if (inet_pton(AF_INET6, s, a) != 1)
		return 0;
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);
		return 4;
	}
	return 6;
}

static void peer_add(struct peer *p, const char *v, size_t n,
		     enum bench_gkind k)
{
	char s[128], key[136];
	uint8_t a[16];
	size_t kl;

	snprintf(s, sizeof(s), "%.*s", (int)n, v);
	if (k <= G_NET64) {
		char *sl = strchr(s, '/');
		int fam, len;

		if (sl)
			*sl = '\0';
		fam = ip_parse(s, a);
		if (!fam)
			bench_die("peer: bad generated address");
		len = sl ? (int)strtol(sl + 1, NULL, 10) : fam == 4 ? 32 : 128;
		kl = (size_t)ip_key((uint8_t *)key, a, fam, len);
		if (fam == 4 && !memchr(p->lens4, len, (size_t)p->n4))
			p->lens4[p->n4++] = (uint8_t)len;
		if (fam == 6 && !memchr(p->lens6, len, (size_t)p->n6))
			p->lens6[p->n6++] = (uint8_t)len;
	} else if (k == G_WILD) {
		kl = (size_t)snprintf(key, sizeof(key), "w%s", s + 2);
	} else {
		kl = (size_t)snprintf(key, sizeof(key), "%c%s",
				      k == G_SHA ? 'h' : 'd', s);
	}
	if (ky_hash_put(p->h, key, kl, p, NULL) != 0)
		bench_die("out of memory");
}

static int cmp_desc(const void *x, const void *y)
{
	return *(const uint8_t *)y - *(const uint8_t *)x;
}

static void peer_build(struct peer *p, const struct bench_iocs *s)
{
	memset(p, 0, sizeof(*p));
	if ((p->h = ky_hash_new(0)) == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < s->c.n; i++) {
		size_t n;
		const char *v = bench_ioc_val(s, i, &n);
		peer_add(p, v, n, (enum bench_gkind)s->kind[i]);
	}
	qsort(p->lens4, (size_t)p->n4, 1, cmp_desc);
	qsort(p->lens6, (size_t)p->n6, 1, cmp_desc);
}

static int peer_ip(const struct peer *p, const char *s)
{
	uint8_t a[16], key[18];
	int fam = ip_parse(s, a);
	const uint8_t *lens = fam == 4 ? p->lens4 : p->lens6;
	int nl = fam == 4 ? p->n4 : p->n6;

	for (int i = 0; fam && i < nl; i++) {
		int kl = ip_key(key, a, fam, lens[i]);
		if (ky_hash_get(p->h, key, (size_t)kl))
			return 1;
	}
	return 0;
}

static int peer_name(const struct peer *p, const char *s, size_t n)
{
	char k[260];

	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	k[0] = 'd';
	for (size_t i = 0; i < n; i++)
		k[i + 1] =
			s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	if (ky_hash_get(p->h, k, n + 1))
		return 1;
	/* "*.zone": each parent, its dot overwritten by the key's tag. */
	for (size_t i = 1; i <= n; i++)
		if (k[i] == '.') {
			k[i] = 'w';
			if (ky_hash_get(p->h, k + i, n + 1 - i))
				return 1;
		}
	return 0;
}

static int peer_sha(const struct peer *p, const char *s, size_t n)
{
	char k[65];

	if (n != 64)
		return 0;
	k[0] = 'h';
	for (size_t i = 0; i < 64; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c + 32);
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		k[i + 1] = c;
	}
	return ky_hash_get(p->h, k, 65) != NULL;
}

static const json_t *jpath(const json_t *v, const char *a, const char *b,
			   const char *c)
{
	v = json_object_get(v, a);
	v = json_object_get(v, b);
	return c ? json_object_get(v, c) : v;
}

static int peer_event(const struct peer *p, const json_t *root)
{
	const json_t *v;
	int h = 0;

	if ((v = jpath(root, "source", "ip", NULL)) && json_is_string(v))
		h += peer_ip(p, json_string_value(v));
	if ((v = jpath(root, "destination", "ip", NULL)) && json_is_string(v))
		h += peer_ip(p, json_string_value(v));
	if ((v = jpath(root, "dns", "question", "name")) && json_is_string(v))
		h += peer_name(p, json_string_value(v), json_string_length(v));
	if ((v = jpath(root, "url", "domain", NULL)) && json_is_string(v))
		h += peer_name(p, json_string_value(v), json_string_length(v));
	if ((v = jpath(root, "file", "hash", "sha256")) && json_is_string(v))
		h += peer_sha(p, json_string_value(v), json_string_length(v));
	return h;
}

/* ---------------------------------------------------------------- runs */

struct ctx {
	const struct bench_corpus *c;
	struct ky_parse_ctx *pctx;
	const struct ky_ioc_set *set;
	const struct peer *peer;
	uint8_t *got; /* per event: hits found */
	size_t by_type[KY_IOC_TYPES];
	size_t failed;
};

typedef void (*run_fn)(struct ctx *x);

static int on_hit(void *ud, const struct ky_ioc_hit *hit)
{
	struct ctx *x = ud;

	x->by_type[hit->ioc->type]++;
	return 0;
}

static void run_kyklos(struct ctx *x)
{
	const struct bench_corpus *c = x->c;
	struct ky_event *ev;
	struct ky_err err;

	for (size_t i = 0; i < c->n; i++) {
		int h = 0;

		if (ky_parse_record(x->pctx, KY_FMT_AUTO, c->b.data + c->off[i],
				    c->len[i], RECV_NS, &ev, &err) != 0)
			x->failed++;
		else if ((h = ky_ioc_match_event(x->set, ev, on_hit, x)) < 0)
			x->failed++;
		x->got[i] = (uint8_t)(h > 0 ? h : 0);
	}
}

static void run_parse(struct ctx *x)
{
	const struct bench_corpus *c = x->c;
	struct ky_event *ev;
	struct ky_err err;

	for (size_t i = 0; i < c->n; i++) {
		if (ky_parse_record(x->pctx, KY_FMT_AUTO, c->b.data + c->off[i],
				    c->len[i], RECV_NS, &ev, &err) != 0)
			x->failed++;
		x->got[i] = 0;
	}
}

static void run_jansson(struct ctx *x)
{
	const struct bench_corpus *c = x->c;
	json_error_t jerr;

	for (size_t i = 0; i < c->n; i++) {
		json_t *v =
			json_loadb(c->b.data + c->off[i], c->len[i], 0, &jerr);

		if (v == NULL) {
			x->failed++;
			x->got[i] = 0;
			continue;
		}
		x->got[i] = (uint8_t)peer_event(x->peer, v);
		json_decref(v);
	}
}

struct result {
	const char *name;
	struct bench_times best;
	size_t events, total, failed, wrong; /* wrong: events != truth */
	size_t first_wrong;
	bool stable, exact;
};

static void measure(struct result *res, const char *name, run_fn fn,
		    struct ctx *x, int runs, const struct bench_ioc_truth *t,
		    bool check)
{
	memset(res, 0, sizeof(*res));
	res->name = name;
	res->stable = true;
	for (int r = 0; r < runs; r++) {
		struct bench_times d, t0;
		size_t ev = 0, tot = 0, wrong = 0, first = SIZE_MAX;

		x->failed = 0;
		memset(x->by_type, 0, sizeof(x->by_type));
		t0 = bench_now();
		fn(x);
		d = bench_since(t0);
		for (size_t i = 0; i < x->c->n; i++) {
			ev += x->got[i] != 0;
			tot += x->got[i];
			if (check && x->got[i] != t->hits[i] && wrong++ == 0)
				first = i;
		}
		if (r == 0 || d.cpu < res->best.cpu)
			res->best.cpu = d.cpu;
		if (r == 0 || d.wall < res->best.wall)
			res->best.wall = d.wall;
		if (r > 0 && (ev != res->events || tot != res->total ||
			      wrong != res->wrong))
			res->stable = false;
		res->events = ev;
		res->total = tot;
		res->wrong = wrong;
		res->first_wrong = first;
		res->failed = x->failed;
	}
	res->exact = check && res->stable && res->wrong == 0 &&
		     res->failed == 0 && res->events == t->events &&
		     res->total == t->total;
}

static double eps(const struct result *r, size_t n)
{
	return r->best.cpu > 0 ? (double)n / r->best.cpu : 0;
}

static void print_result(const struct result *r, const char *key,
			 const struct bench_corpus *c, double mb, bool check)
{
	size_t n = c->n;

	printf("  %-36s %9.0f ev/s %7.1f MB/s  cpu %6.3f s  wall %6.3f s\n",
	       r->name, eps(r, n), r->best.cpu > 0 ? mb / r->best.cpu : 0,
	       r->best.cpu, r->best.wall);
	if (check) {
		printf("    matched events %zu, hits %zu, failed %zu, events "
		       "differing from the truth %zu; exact: %s\n",
		       r->events, r->total, r->failed, r->wrong,
		       r->exact ? "yes" : "no");
		if (r->wrong)
			printf("    first differing event (#%zu):\n    %.*s\n",
			       r->first_wrong + 1, (int)c->len[r->first_wrong],
			       c->b.data + c->off[r->first_wrong]);
	}
	printf("RESULT %s events=%zu eps=%.0f mbps=%.1f cpu=%.4f wall=%.4f "
	       "matched=%zu exact=%s\n",
	       key, n, eps(r, n), r->best.cpu > 0 ? mb / r->best.cpu : 0,
	       r->best.cpu, r->best.wall, r->events,
	       check ? (r->exact ? "yes" : "no") : "-");
}

/* ---------------------------------------------------------------- main */

static int write_file(const char *dir, const char *name, const char *p,
		      size_t n)
{
	char path[4096];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "bench_ioc: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(p, 1, n, f) != n)
		r = -1;
	if (fclose(f) != 0)
		r = -1;
	if (r != 0)
		fprintf(stderr, "bench_ioc: %s: write failed\n", path);
	return r;
}

/* The patterns for grep -F: the values, "*.zone" as ".zone" and a range
 * as the text every address in it starts with (the most a fixed-string
 * matcher can be given). */
static void grep_patterns(const struct bench_iocs *s, struct ky_buf *out)
{
	for (size_t i = 0; i < s->c.n; i++) {
		size_t n;
		const char *v = bench_ioc_val(s, i, &n);

		switch (s->kind[i]) {
		case G_WILD:
			v++, n--;
			break;
		case G_NET24:
			n -= 4; /* "0/24" */
			break;
		case G_NET16:
			n -= 6; /* "0.0/16" */
			break;
		case G_NET64:
			n -= 4; /* ":/64" */
			break;
		default:
			break;
		}
		if (ky_buf_add(out, v, n) != 0 || ky_buf_addc(out, '\n') != 0)
			bench_die("out of memory");
	}
}

static void usage(void)
{
	fputs("usage: bench_ioc [-n EVENTS] [-i INDICATORS] [-r RUNS] "
	      "[--big N] [--seed N] [--write DIR] [--no-jansson]\n",
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

/* Loads the big set with ky_ioc_add, then looks every value up once. */
static void big_load(size_t nbig, uint64_t seed)
{
	struct bench_iocs big;
	struct ky_ioc_set *set;
	struct ky_err err;
	struct bench_times t0, tl, tk;
	long rss0;
	size_t found = 0;

	bench_rng_state = seed ^ 0x4249470000000000ULL;
	bench_iocs_gen(&big, nbig);
	ky_hash_free(big.seen, NULL); /* only the generator needs it */
	big.seen = NULL;
	rss0 = status_kb("VmRSS");
	t0 = bench_now();
	if ((set = ky_ioc_set_new()) == NULL || iocs_load(&big, set, &err) != 0)
		bench_die("loading the big set failed");
	tl = bench_since(t0);
	long rss1 = status_kb("VmRSS");
	t0 = bench_now();
	for (size_t i = 0; i < big.c.n; i++) {
		size_t n;
		const char *v = bench_ioc_val(&big, i, &n);
		enum ky_ioc_type ty = big.kind[i] == G_SHA   ? KY_IOC_SHA256
				      : big.kind[i] >= G_DOM ? KY_IOC_DOMAIN
							     : KY_IOC_IP;
		found += ky_ioc_lookup(set, ty, v, n) != NULL;
	}
	tk = bench_since(t0);
	printf("  ky_ioc_add x %zu: cpu %.3f s, wall %.3f s (%.0f/s), RSS "
	       "+%.1f MB (%.0f B per indicator)\n",
	       big.c.n, tl.cpu, tl.wall, (double)big.c.n / tl.cpu,
	       (double)(rss1 - rss0) / 1024,
	       (double)(rss1 - rss0) * 1024 / (double)big.c.n);
	printf("  ky_ioc_lookup x %zu (every value, as loaded): cpu %.3f s "
	       "(%.0f/s), %zu found\n",
	       big.c.n, tk.cpu, (double)big.c.n / tk.cpu, found);
	printf("RESULT ioc_load_big n=%zu cpu=%.4f wall=%.4f rss_mb=%.1f "
	       "lookup_cpu=%.4f found=%zu\n",
	       big.c.n, tl.cpu, tl.wall, (double)(rss1 - rss0) / 1024, tk.cpu,
	       found);
	if (found != big.c.n && ++nfail)
		printf("  CHECK FAILED: %zu of %zu loaded values not found\n",
		       big.c.n - found, big.c.n);
	ky_ioc_set_free(set);
	bench_iocs_free(&big);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"events", required_argument, NULL, 'n'},
		{"indicators", required_argument, NULL, 'i'},
		{"runs", required_argument, NULL, 'r'},
		{"big", required_argument, NULL, 'B'},
		{"seed", required_argument, NULL, 'S'},
		{"write", required_argument, NULL, 'w'},
		{"no-jansson", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	size_t nev = 1000000, nioc = 100000, nbig = 1000000;
	int runs = 3, use_jansson = 1, o;
	uint64_t seed = 42;
	const char *dir = NULL;
	struct bench_iocs iocs;
	struct bench_ioc_truth t;
	struct bench_corpus ev;
	struct ky_ioc_set *set = NULL;
	struct ky_parser *parser = NULL;
	struct ky_err err;
	struct peer peer;
	struct ctx x;
	struct result r_full, r_parse, r_jan;
	struct bench_times g0, g1, tl;
	double mb = 0;
	long rss0, rss1;

	while ((o = getopt_long(argc, argv, "n:i:r:", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			nev = parse_num(optarg);
			break;
		case 'i':
			nioc = parse_num(optarg);
			break;
		case 'r':
			runs = (int)parse_num(optarg);
			break;
		case 'B':
			nbig = parse_num(optarg);
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
	if (runs < 1 || nev < 1 || nioc < 1000)
		usage();

	print_load("at start");
	g0 = bench_now();
	bench_rng_state = seed ^ 0x494f430000000000ULL;
	bench_iocs_gen(&iocs, nioc);
	bench_rng_state = seed ^ 0x45560000000000ULL;
	memset(&t, 0, sizeof(t));
	ky_buf_init(&t.lines, 0);
	if ((t.hits = malloc(nev)) == NULL || (x.got = malloc(nev)) == NULL)
		bench_die("out of memory");
	bench_corpus_init(&ev, nev, 420);
	for (size_t i = 0; i < nev; i++)
		bench_gen_ioc_event(&ev, &iocs, &t);
	g1 = bench_since(g0);
	for (size_t i = 0; i < ev.n; i++)
		mb += ev.len[i];
	mb /= 1e6;
	printf("bench_ioc: %zu indicators (", iocs.c.n);
	for (int k = 0; k < G_KINDS; k++)
		printf("%s%zu %s", k ? ", " : "", iocs.count[k],
		       bench_gkind_names[k]);
	printf(")\n  %zu JSON events (%.1f MB, %.0f B avg); generated in "
	       "%.2f s; best of %d runs, per core = thread CPU time\n",
	       ev.n, mb, mb * 1e6 / (double)ev.n, g1.wall, runs);
	printf("  must match: %zu events, %zu fields (source.ip %zu, "
	       "destination.ip %zu, name or hash %zu; %zu written as upper "
	       "case, trailing dot, expanded or mapped IPv6)\n",
	       t.events, t.total, t.by_slot[0], t.by_slot[1], t.by_slot[2],
	       t.variants);
	printf("  must not match:");
	for (int d = 0; d < BENCH_DECOYS; d++)
		printf("%s %zu %s", d ? "," : "", t.decoys[d],
		       bench_decoy_names[d]);
	printf("\n");
	if (dir) {
		struct ky_buf pat;

		ky_buf_init(&pat, 0);
		grep_patterns(&iocs, &pat);
		mkdir(dir, 0755);
		if (write_file(dir, "events.json", ev.b.data, ev.b.len) != 0 ||
		    write_file(dir, "ioc.txt", iocs.c.b.data, iocs.c.b.len) !=
			    0 ||
		    write_file(dir, "ioc.grep", pat.data, pat.len) != 0 ||
		    write_file(dir, "expected.lines", ky_buf_str(&t.lines),
			       t.lines.len) != 0)
			return 2;
		ky_buf_free(&pat);
		printf("wrote %s/events.json, ioc.txt (the list), ioc.grep "
		       "(grep -F patterns), expected.lines\n",
		       dir);
	}
	fflush(stdout);

	/* Loading: ky_ioc_add from memory (best of runs; RSS from the first
	 * set, which is kept for matching), then the list file. */
	printf("indicator load (%zu)\n", iocs.c.n);
	rss0 = status_kb("VmRSS");
	for (int r = 0; r < runs; r++) {
		struct ky_ioc_set *s2;
		struct bench_times d, t0 = bench_now();

		if ((s2 = ky_ioc_set_new()) == NULL ||
		    iocs_load(&iocs, s2, &err) != 0) {
			fprintf(stderr, "bench_ioc: ky_ioc_add: %s\n", err.msg);
			return 2;
		}
		d = bench_since(t0);
		if (r == 0) {
			set = s2;
			tl = d;
			rss1 = status_kb("VmRSS");
		} else {
			ky_ioc_set_free(s2);
			if (d.cpu < tl.cpu)
				tl = d;
		}
	}
	printf("  ky_ioc_add x %zu: cpu %.3f s, wall %.3f s (%.0f/s), RSS "
	       "+%.1f MB\n",
	       iocs.c.n, tl.cpu, tl.wall, (double)iocs.c.n / tl.cpu,
	       (double)(rss1 - rss0) / 1024);
	printf("RESULT ioc_load n=%zu cpu=%.4f wall=%.4f rss_mb=%.1f\n",
	       iocs.c.n, tl.cpu, tl.wall, (double)(rss1 - rss0) / 1024);
	{
		size_t want[KY_IOC_TYPES] = {0};
		for (int k = 0; k < G_KINDS; k++)
			want[k == G_SHA	  ? KY_IOC_SHA256
			     : k >= G_DOM ? KY_IOC_DOMAIN
					  : KY_IOC_IP] += iocs.count[k];
		if ((ky_ioc_count(set, KY_IOC_IP) != want[KY_IOC_IP] ||
		     ky_ioc_count(set, KY_IOC_DOMAIN) != want[KY_IOC_DOMAIN] ||
		     ky_ioc_count(set, KY_IOC_SHA256) != want[KY_IOC_SHA256]) &&
		    ++nfail)
			printf("  CHECK FAILED: set holds %zu ip, %zu domain, "
			       "%zu sha256\n",
			       ky_ioc_count(set, KY_IOC_IP),
			       ky_ioc_count(set, KY_IOC_DOMAIN),
			       ky_ioc_count(set, KY_IOC_SHA256));
	}
	if (dir) {
		char path[4096];
		struct ky_ioc_set *s2 = ky_ioc_set_new();
		uint64_t loaded = 0, rejected = 0;
		struct bench_times t0 = bench_now(), d;

		snprintf(path, sizeof(path), "%s/ioc.txt", dir);
		if (s2 == NULL || ky_ioc_load_list(s2, path, -1, false, &loaded,
						   &rejected, &err) != 0) {
			fprintf(stderr, "bench_ioc: %s: %s\n", path, err.msg);
			return 2;
		}
		d = bench_since(t0);
		printf("  ky_ioc_load_list ioc.txt: cpu %.3f s, wall %.3f s, "
		       "%" PRIu64 " loaded, %" PRIu64 " rejected\n",
		       d.cpu, d.wall, loaded, rejected);
		if ((loaded != iocs.c.n || rejected) && ++nfail)
			printf("  CHECK FAILED: the list did not load whole\n");
		ky_ioc_set_free(s2);
	}
	if (nbig)
		big_load(nbig, seed);

	/* Matching */
	if (ky_parser_new(&parser, NULL, &err) != 0) {
		fprintf(stderr, "bench_ioc: ky_parser_new: %s\n", err.msg);
		return 2;
	}
	memset(&x.by_type, 0, sizeof(x.by_type));
	x.c = &ev;
	x.set = set;
	x.peer = &peer;
	x.failed = 0;
	if (ky_parse_ctx_new(parser, &x.pctx) != 0)
		bench_die("ky_parse_ctx_new failed");
	printf("matching (%zu events against %zu indicators)\n", ev.n,
	       iocs.c.n);
	measure(&r_full, "kyklos ky_parse_record+match_event", run_kyklos, &x,
		runs, &t, true);
	print_result(&r_full, "ioc_kyklos", &ev, mb, true);
	printf("    hits by type: ip %zu, domain %zu, sha256 %zu\n",
	       x.by_type[KY_IOC_IP], x.by_type[KY_IOC_DOMAIN],
	       x.by_type[KY_IOC_SHA256]);
	measure(&r_parse, "kyklos ky_parse_record alone", run_parse, &x, runs,
		&t, false);
	print_result(&r_parse, "ioc_parse", &ev, mb, false);
	printf("    matching costs %.0f ns/event on top of parsing "
	       "(ky_ioc_match_event alone, by difference: %.0f ev/s)\n",
	       1e9 * (r_full.best.cpu - r_parse.best.cpu) / (double)ev.n,
	       (double)ev.n / (r_full.best.cpu - r_parse.best.cpu));
	nfail += !r_full.exact;
	if (use_jansson) {
		struct bench_times t0 = bench_now(), d;

		peer_build(&peer, &iocs);
		d = bench_since(t0);
		measure(&r_jan, "jansson json_loadb+hash lookup", run_jansson,
			&x, runs, &t, true);
		print_result(&r_jan, "ioc_jansson", &ev, mb, true);
		printf("    (its table of %zu keys built in %.3f s cpu)\n",
		       ky_hash_count(peer.h), d.cpu);
		printf("  ratio kyklos/jansson+lookup %.2fx\n",
		       eps(&r_full, ev.n) / eps(&r_jan, ev.n));
		nfail += !r_jan.exact;
		ky_hash_free(peer.h, NULL);
	}
	printf("goal (per core): kyklos >= 1,500,000 ev/s: %s (%.2fx of "
	       "goal); exact: %s\n",
	       eps(&r_full, ev.n) >= 1.5e6 ? "met" : "MISSED",
	       eps(&r_full, ev.n) / 1.5e6, r_full.exact ? "yes" : "no");
	printf("peak RSS %.1f MB\n", (double)status_kb("VmHWM") / 1024);
	print_load("at end");
	printf("correctness: %s\n",
	       nfail ? "FAILED (figures above are not valid)"
		     : "all checks passed");

	ky_parse_ctx_free(x.pctx);
	ky_parser_free(parser);
	ky_ioc_set_free(set);
	bench_iocs_free(&iocs);
	bench_corpus_free(&ev);
	ky_buf_free(&t.lines);
	free(t.hits);
	free(x.got);
	return nfail ? 1 : 0;
}
