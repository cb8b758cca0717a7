/* SigmaHQ conformance: (1) each of the 202 rules with regression data,
 * compiled alone with the built-in logsource map, matches its own events
 * at least match_count times; (2) every rule of ../shared/data/sigma
 * compiles or is rejected with a reason, and at least 99% compile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <libfyaml.h>
#include <sys/stat.h>

#include "base/hash.h"
#include "base/time.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/json.h"
#include "event/parse.h"

static char root[4096];
static struct ky_hash *by_id; /* rule id -> path (malloc'd) */
static size_t nrulefiles;

/* All rule files (the folders rules*), and their first document's id. */
static struct {
	char **v;
	size_t n, cap;
} files;

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

static int visit_rule(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	size_t len = strlen(path), n = 0;
	char *text, *p;

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < 4 || strcmp(path + len - 4, ".yml") != 0)
		return 0;
	if (files.n == files.cap) {
		files.cap = files.cap ? 2 * files.cap : 1024;
		files.v = realloc(files.v, files.cap * sizeof(char *));
		assert_non_null(files.v);
	}
	files.v[files.n++] = strdup(path);
	nrulefiles++;
	text = read_all(path, &n);
	assert_non_null(text);
	/* the top-level "id:" line, without a YAML parse (cheap) */
	for (p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, "id:", 3) == 0) {
			char *s = p + 3, *e;

			s += strspn(s, " '\"");
			e = s + strcspn(s, " '\"\r\n");
			if (e > s && !ky_hash_get(by_id, s, (size_t)(e - s)))
				assert_int_equal(
					ky_hash_put(by_id, s, (size_t)(e - s),
						    strdup(path), NULL),
					0);
			break;
		}
	}
	free(text);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int setup(void **state)
{
	const char *env = getenv("KYKLOS_SHARED_DATA");
	static const char *const dirs[] = {
		"rules", "rules-emerging-threats", "rules-threat-hunting",
		"rules-compliance", "rules-placeholder"};
	char dir[4200];
	struct stat st;

	(void)state;
	snprintf(root, sizeof(root), "%s/sigma", env ? env : "../shared/data");
	if (stat(root, &st) != 0)
		return 0; /* the tests skip */
	by_id = ky_hash_new(0);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
		if (stat(dir, &st) == 0)
			nftw(dir, visit_rule, 16, FTW_PHYS);
	}
	if (files.n)
		qsort(files.v, files.n, sizeof(char *), cmp_str);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ky_hash_free(by_id, free);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	return 0;
}

static bool have_data(void)
{
	struct stat st;

	if (stat(root, &st) != 0 || !by_id) {
		printf("SKIP: folder %s is absent\n", root);
		return false;
	}
	return true;
}

/* ---- regression data ---- */

struct count_ctx {
	const char *id;
	size_t alerts;
};

static int count_alert(void *ud, const struct ky_alert *a)
{
	struct count_ctx *c = ud;

	if (a->rule->id && strcmp(a->rule->id, c->id) == 0)
		c->alerts++;
	return 0;
}

static size_t nreg, nreg_ok, nreg_events;
static char failures[64][600];
static size_t nfail;

static void note_failure(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void note_failure(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (nfail < 64)
		vsnprintf(failures[nfail], sizeof(failures[0]), fmt, ap);
	else
		vprintf(fmt, ap);
	va_end(ap);
	nfail++;
}

/* One rule with its data: returns true when it matched enough. */
static bool run_case(const char *info_path, const char *id, long want,
		     struct ky_parse_ctx *pctx)
{
	const char *rule_path = ky_hash_get(by_id, id, strlen(id));
	struct ky_ruleset *rs = NULL;
	struct ky_match_scratch *scr = NULL;
	struct ky_sigma_rule **rules = NULL;
	struct count_ctx cc = {id, 0};
	struct ky_err err = {0};
	char data[4200], *buf = NULL, *slash;
	size_t n = 0, len = 0, off = 0, added = 0;
	bool ok = false;

	snprintf(data, sizeof(data), "%s", info_path);
	slash = strrchr(data, '/');
	snprintf(slash + 1, sizeof(data) - (size_t)(slash + 1 - data),
		 "%s.json", id);
	if (!rule_path) {
		note_failure("%s: no rule file with id %s", info_path, id);
		return false;
	}
	if (ky_ruleset_new(&rs, NULL, &err) != 0) {
		note_failure("%s: ruleset: %s", id, err.msg);
		return false;
	}
	if (ky_sigma_load_file(rule_path, &rules, &n, &err) != 0) {
		note_failure("%s: load (sigma.c/sigma_yaml.c): %s", id,
			     err.msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (ky_ruleset_add(rs, rules[i], &err) != 0) {
			note_failure("%s: compile (compile.c): %s", id,
				     err.msg);
			goto out;
		}
		added++;
	}
	if (ky_ruleset_finalize(rs, &err) != 0) {
		note_failure("%s: finalize (ruleset.c): %s", id, err.msg);
		goto out;
	}
	assert_int_equal(ky_match_scratch_new(rs, &scr), 0);
	if (!(buf = read_all(data, &len))) {
		note_failure("%s: cannot read %s", id, data);
		goto out;
	}
	while (off < len) {
		long l = ky_json_value_len(buf + off, len - off);
		struct ky_event *ev;

		if (l == 0)
			break;
		if (l < 0) {
			note_failure("%s: %s: offset %zu: cannot split", id,
				     data, off);
			goto out;
		}
		if (ky_parse_record(pctx, KY_FMT_JSON, buf + off, (size_t)l, 1,
				    &ev, &err) != 0) {
			note_failure("%s: %s: offset %zu: %s", id, data, off,
				     err.msg);
			goto out;
		}
		nreg_events++;
		if (ky_ruleset_match(rs, scr, ev, count_alert, &cc) < 0) {
			note_failure("%s: match failed", id);
			goto out;
		}
		off += (size_t)l;
	}
	ok = cc.alerts >= (size_t)want;
	if (!ok)
		note_failure("%s (%s): %zu alerts, want >= %ld (match.c / "
			     "logsource.c)",
			     id, rule_path + strlen(root) + 1, cc.alerts, want);
out:
	free(buf);
	free(rules);
	ky_match_scratch_free(scr);
	ky_ruleset_free(rs);
	return ok;
}

static int visit_info(const char *path, const struct stat *st, int type,
		      struct FTW *ftw);
static struct ky_parse_ctx *g_pctx;

static int visit_info(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	size_t len = strlen(path);
	struct fy_document *doc;
	struct fy_node *rootn, *idn, *tests, *mc;
	char id[128], data[4200], *slash;
	const char *s;
	size_t sl;
	long want = 1;
	struct stat dst;

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < 8 || strcmp(path + len - 8, "info.yml"))
		return 0;
	doc = fy_document_build_from_file(NULL, path);
	assert_non_null(doc);
	rootn = fy_document_root(doc);
	idn = fy_node_by_path(rootn, "/rule_metadata/0/id", (size_t)-1,
			      FYNWF_DONT_FOLLOW);
	assert_non_null(idn);
	s = fy_node_get_scalar(idn, &sl);
	assert_true(s && sl < sizeof(id));
	memcpy(id, s, sl);
	id[sl] = '\0';
	tests = fy_node_by_path(rootn, "/regression_tests_info", (size_t)-1,
				FYNWF_DONT_FOLLOW);
	mc = tests ? fy_node_by_path(tests, "/0/match_count", (size_t)-1,
				     FYNWF_DONT_FOLLOW)
		   : NULL;
	if (mc && (s = fy_node_get_scalar(mc, &sl)) != NULL)
		want = strtol(s, NULL, 10);
	fy_document_destroy(doc);
	snprintf(data, sizeof(data), "%s", path);
	slash = strrchr(data, '/');
	snprintf(slash + 1, sizeof(data) - (size_t)(slash + 1 - data),
		 "%s.json", id);
	if (!tests || stat(data, &dst) != 0)
		return 0; /* no data (a commented-out test) */
	nreg++;
	if (run_case(path, id, want, g_pctx))
		nreg_ok++;
	return 0;
}

static void test_regression(void **state)
{
	char dir[4200];
	struct ky_parser *p = NULL;

	(void)state;
	if (!have_data())
		skip();
	snprintf(dir, sizeof(dir), "%s/regression_data", root);
	assert_int_equal(ky_parser_new(&p, NULL, NULL), 0);
	assert_int_equal(ky_parse_ctx_new(p, &g_pctx), 0);
	assert_int_equal(nftw(dir, visit_info, 16, FTW_PHYS), 0);
	for (size_t i = 0; i < nfail && i < 64; i++)
		printf("FAIL %s\n", failures[i]);
	printf("regression: %zu/%zu rules matched their events (%zu events)\n",
	       nreg_ok, nreg, nreg_events);
	ky_parse_ctx_free(g_pctx);
	ky_parser_free(p);
	assert_int_equal(nreg, 202);
	assert_int_equal(nreg_ok, nreg);
}

/* ---- all rules ---- */

static void test_compile_all(void **state)
{
	struct ky_ruleset *rs = NULL;
	struct ky_err err = {0};
	size_t rules = 0, compiled = 0, unsupported = 0, failed = 0;
	size_t other_reasons = 0;
	int64_t t0 = ky_time_mono_ns();
	double pct;

	(void)state;
	if (!have_data())
		skip();
	assert_int_equal(ky_ruleset_new(&rs, NULL, &err), 0);
	for (size_t i = 0; i < files.n; i++) {
		struct ky_sigma_rule **v = NULL;
		size_t n = 0;

		if (ky_sigma_load_file(files.v[i], &v, &n, &err) != 0) {
			printf("LOAD %s\n", err.msg);
			failed++;
		}
		for (size_t k = 0; k < n; k++) {
			int r;

			rules++;
			r = ky_ruleset_add(rs, v[k], &err);
			if (r == 0) {
				compiled++;
				continue;
			}
			if (r != KY_E_UNSUPPORTED) {
				printf("ERROR %s\n", err.msg);
				failed++;
				continue;
			}
			unsupported++;
			/* every rejection names file:line:col and a reason */
			assert_non_null(strstr(err.msg, ".yml:"));
			if (!strstr(err.msg, "placeholder")) {
				other_reasons++;
				printf("UNSUPPORTED %s\n", err.msg);
			}
		}
		free(v);
	}
	if (ky_ruleset_finalize(rs, &err) != 0)
		fail_msg("finalize: %s", err.msg);
	pct = rules ? 100.0 * (double)compiled / (double)rules : 0;
	printf("all rules: %zu files, %zu rules, %zu compiled (%.2f%%), %zu "
	       "unsupported (%zu not for a placeholder), %zu failed to "
	       "load, %.2f s\n",
	       nrulefiles, rules, compiled, pct, unsupported, other_reasons,
	       failed, (double)(ky_time_mono_ns() - t0) / 1e9);
	assert_int_equal(ky_ruleset_count(rs), compiled);
	ky_ruleset_free(rs);
	assert_true(rules >= nrulefiles);
	assert_int_equal(failed, 0);
	assert_true(pct >= 99.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regression),
		cmocka_unit_test(test_compile_all),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
