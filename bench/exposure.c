/* Benchmark (issue 4): exposures of a generated inventory (10,000 assets,
 * 20 software items each, drawn from 2,000 npm packages) against 1,000
 * generated CSAF advisories (5 products each: an exact version, vers
 * ranges and an unversioned product; one fixed).  Prints the time to
 * parse the advisories, to index the inventory and to compute every
 * exposure, and, as the floor it is compared to, the same computation
 * done naively (every product against every software item) on a sample
 * of advisories, extrapolated; checks that both find the same exposures
 * on that sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "gen.h"
#include "intel/exposure.h"
#include "intel/version.h"

#define NPKG 2000

static unsigned rnd(unsigned n)
{
	bench_rng_state = bench_rng_state * 6364136223846793005ULL +
			  1442695040888963407ULL;
	return (unsigned)((bench_rng_state >> 33) % n);
}

static void add(struct ky_buf *b, const char *s)
{
	if (ky_buf_adds(b, s) != 0)
		bench_die("out of memory");
}

static void inventory(struct ky_buf *b, unsigned nassets, unsigned nsw)
{
	char t[256];

	add(b, "[");
	for (unsigned i = 0; i < nassets; i++) {
		snprintf(t, sizeof(t), "%s{\"id\":\"host-%05u\",\"software\":[",
			 i ? "," : "", i);
		add(b, t);
		for (unsigned k = 0; k < nsw; k++) {
			unsigned p = rnd(NPKG);

			snprintf(t, sizeof(t),
				 "%s{\"name\":\"pkg%u\",\"purl\":"
				 "\"pkg:npm/pkg%u@%u.%u.%u\"}",
				 k ? "," : "", p, p, rnd(4), rnd(10), rnd(10));
			add(b, t);
		}
		add(b, "]}");
	}
	add(b, "]");
}

/* One advisory on package p: 1.x exact, a 2.x range, a 3.x range, an
 * unversioned product (under investigation) and 3.9.9 fixed. */
static void advisory(struct ky_buf *b, unsigned i, unsigned p)
{
	char t[2048];

	snprintf(t, sizeof(t),
		 "{\"document\":{\"category\":\"csaf_security_advisory\","
		 "\"csaf_version\":\"2.0\",\"title\":\"pkg%u\",\"publisher\":"
		 "{\"category\":\"vendor\",\"name\":\"Bench\",\"namespace\":"
		 "\"https://bench.example\"},\"tracking\":{\"id\":"
		 "\"BENCH-%04u\",\"version\":\"1\",\"status\":\"final\","
		 "\"initial_release_date\":\"2026-01-01T00:00:00Z\","
		 "\"current_release_date\":\"2026-01-01T00:00:00Z\","
		 "\"revision_history\":[{\"number\":\"1\",\"date\":"
		 "\"2026-01-01T00:00:00Z\",\"summary\":\"x\"}]}},"
		 "\"product_tree\":{\"branches\":[{\"category\":\"vendor\","
		 "\"name\":\"v\",\"branches\":[{\"category\":\"product_name\","
		 "\"name\":\"pkg%u\",\"product\":{\"product_id\":\"ALL\","
		 "\"name\":\"any\",\"product_identification_helper\":"
		 "{\"purl\":\"pkg:npm/pkg%u\"}},\"branches\":["
		 "{\"category\":\"product_version\",\"name\":\"1.2.3\","
		 "\"product\":{\"product_id\":\"P1\",\"name\":\"a\","
		 "\"product_identification_helper\":{\"purl\":"
		 "\"pkg:npm/pkg%u@1.2.3\"}}},"
		 "{\"category\":\"product_version_range\",\"name\":"
		 "\"vers:npm/>=2.0.0|<2.5.0\",\"product\":{\"product_id\":"
		 "\"P2\",\"name\":\"b\",\"product_identification_helper\":"
		 "{\"purl\":\"pkg:npm/pkg%u\"}}},"
		 "{\"category\":\"product_version_range\",\"name\":"
		 "\"vers:npm/>=3.0.0|<3.9.9\",\"product\":{\"product_id\":"
		 "\"P3\",\"name\":\"c\",\"product_identification_helper\":"
		 "{\"purl\":\"pkg:npm/pkg%u\"}}},"
		 "{\"category\":\"product_version\",\"name\":\"3.9.9\","
		 "\"product\":{\"product_id\":\"P4\",\"name\":\"d\","
		 "\"product_identification_helper\":{\"purl\":"
		 "\"pkg:npm/pkg%u@3.9.9\"}}}]}]}]},"
		 "\"vulnerabilities\":[{\"cve\":\"CVE-2026-%05u\","
		 "\"product_status\":{\"known_affected\":[\"P1\",\"P2\","
		 "\"P3\"],\"fixed\":[\"P4\"],\"under_investigation\":"
		 "[\"ALL\"]}}]}",
		 p, i, p, p, p, p, p, p, i);
	add(b, t);
}

static int count(void *ud, const struct ky_exposure *e)
{
	size_t *n = ud;

	(void)e;
	(*n)++;
	return 0;
}

static int count_affected(void *ud, const struct ky_exposure *e)
{
	size_t *n = ud;

	*n += e->state == KY_EXP_AFFECTED;
	return 0;
}

/* The naive floor: every product with a purl against every software
 * item, purls parsed on the spot, ranges checked; counts the software
 * items an affected product matches (one advisory has one vulnerability
 * and its products pin disjoint versions, so this equals the exposure
 * count for the affected state). */
static size_t naive(const struct ky_assets *a, const struct ky_csaf *doc,
		    struct ky_arena *ar)
{
	size_t n = 0;
	struct ky_err err = {0};

	for (size_t i = 0; i < doc->nproducts; i++) {
		const struct ky_csaf_product *p = &doc->products[i];
		unsigned bits = ky_csaf_status_of(&doc->vulns[0], p->id);
		struct ky_purl adv;
		struct ky_vrange range;
		const char *pin = NULL;
		bool isrange = false;

		if (!(bits & (1u << KY_CSAF_KNOWN_AFFECTED)) ||
		    p->purl == NULL ||
		    ky_purl_parse(p->purl, strlen(p->purl), ar, &adv, &err))
			continue;
		for (size_t k = p->npath; k-- > 0 && pin == NULL;)
			if (strncmp(p->path[k].category, "product_version",
				    15) == 0) {
				pin = p->path[k].name;
				isrange = p->path[k].category[15] != '\0';
			}
		if (isrange &&
		    ky_vrange_parse(pin, strlen(pin), ar, &range, &err) != 0)
			continue;
		for (size_t k = 0; k < ky_assets_count(a); k++) {
			const struct ky_asset *as = ky_assets_at(a, k);

			for (size_t j = 0; j < as->nsoftware; j++) {
				struct ky_purl sw;
				const char *v;

				if (ky_purl_parse(as->software[j].purl,
						  strlen(as->software[j].purl),
						  ar, &sw, &err) != 0 ||
				    !ky_purl_same_package(&adv, &sw))
					continue;
				v = sw.s + sw.version.off;
				if (isrange ? ky_vrange_contains(&range, v,
								 sw.version.len)
					    : ky_version_cmp(KY_VS_SEMVER, pin,
							     strlen(pin), v,
							     sw.version.len) ==
						      0)
					n++;
			}
			ky_arena_reset(ar);
			if (ky_purl_parse(p->purl, strlen(p->purl), ar, &adv,
					  &err) != 0 ||
			    (isrange && ky_vrange_parse(pin, strlen(pin), ar,
							&range, &err) != 0))
				bench_die("reparse");
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	unsigned long nassets = 10000, nadv = 1000, nsw = 20, nsample = 5;
	struct ky_buf inv, adv;
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp = {0};
	struct ky_exposure_index *ix = NULL;
	struct ky_csaf **docs;
	struct ky_err err = {0};
	struct ky_arena *ar = ky_arena_new(1 << 16, 0);
	struct bench_times t0, tp, ti, te, tn;
	size_t *off, nexp = 0, unparsed = 0, fast_aff = 0, slow = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		unsigned long *v = strcmp(argv[i], "-a") == 0	? &nassets
				   : strcmp(argv[i], "-n") == 0 ? &nadv
				   : strcmp(argv[i], "-s") == 0 ? &nsw
				   : strcmp(argv[i], "-N") == 0 ? &nsample
								: NULL;

		if (v == NULL || !bench_parse_num(argv[i + 1], v)) {
			fprintf(stderr, "usage: bench_exposure [-a ASSETS] "
					"[-n ADVISORIES] [-s SOFTWARE] "
					"[-N NAIVE_SAMPLE]\n");
			return 2;
		}
	}
	if (a == NULL || ar == NULL)
		bench_die("out of memory");
	bench_rng_state = 42;
	ky_buf_init(&inv, 0);
	ky_buf_init(&adv, 0);
	inventory(&inv, (unsigned)nassets, (unsigned)nsw);
	if ((off = calloc(nadv + 1, sizeof(*off))) == NULL ||
	    (docs = calloc(nadv, sizeof(*docs))) == NULL)
		bench_die("out of memory");
	for (unsigned i = 0; i < nadv; i++) {
		off[i] = adv.len;
		advisory(&adv, i, rnd(NPKG));
	}
	off[nadv] = adv.len;
	if (ky_assets_import_json(a, inv.data, inv.len, &imp, &err) != 0)
		bench_die(err.msg);
	printf("bench_exposure: %zu assets, %zu software items; %lu "
	       "advisories (%.1f MB of CSAF)\n",
	       ky_assets_count(a), imp.software, nadv, (double)adv.len / 1e6);

	t0 = bench_now();
	for (unsigned i = 0; i < nadv; i++)
		if (ky_csaf_parse(adv.data + off[i], off[i + 1] - off[i],
				  "bench", &docs[i], &err) != 0)
			bench_die(err.msg);
	tp = bench_since(t0);
	t0 = bench_now();
	if (ky_exposure_index_new(a, &ix, &unparsed, &err) != 0)
		bench_die(err.msg);
	ti = bench_since(t0);
	t0 = bench_now();
	for (unsigned i = 0; i < nadv; i++)
		if (ky_exposures(ix, docs[i], count, &nexp, &err) != 0)
			bench_die(err.msg);
	te = bench_since(t0);
	printf("  parse advisories        cpu %7.3f s\n", tp.cpu);
	printf("  index inventory         cpu %7.3f s (%zu unparsed)\n", ti.cpu,
	       unparsed);
	printf("  exposures               cpu %7.3f s  %zu exposures\n", te.cpu,
	       nexp);
	printf("  total                   cpu %7.3f s (goal: a few seconds)\n",
	       tp.cpu + ti.cpu + te.cpu);

	/* the naive floor on a sample, and the same sample through the
	 * index for the check */
	nsample = nsample < nadv ? nsample : nadv;
	t0 = bench_now();
	for (unsigned i = 0; i < nsample; i++)
		slow += naive(a, docs[i], ar);
	tn = bench_since(t0);
	for (unsigned i = 0; i < nsample; i++) {
		size_t before = 0;

		if (ky_exposures(ix, docs[i], count_affected, &before, &err) !=
		    0)
			bench_die(err.msg);
		fast_aff += before;
	}
	printf("  naive, %lu advisories     cpu %7.3f s -> %.1f s for %lu "
	       "(extrapolated)\n",
	       nsample, tn.cpu, tn.cpu / (double)nsample * (double)nadv, nadv);
	printf("ratio naive/kyklos (exposures step): %.0fx\n",
	       te.cpu > 0 ? tn.cpu / (double)nsample * (double)nadv / te.cpu
			  : 0.0);
	printf("check on the sample: naive %zu affected, kyklos %zu: %s\n",
	       slow, fast_aff, slow == fast_aff ? "same" : "DIFFERENT");
	for (unsigned i = 0; i < nadv; i++)
		ky_csaf_free(docs[i]);
	free(docs);
	free(off);
	ky_exposure_index_free(ix);
	ky_assets_free(a);
	ky_arena_free(ar);
	ky_buf_free(&inv);
	ky_buf_free(&adv);
	return slow == fast_aff ? 0 : 1;
}
