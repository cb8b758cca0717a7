/* `kyklos vulns import|check|list|exposures`: CSAF 2.0 advisories and CVE
 * JSON 5 records (translated to CSAF by intel/cve5.h)
 * (intel/csaf.h) and the exposures of the stored inventory to them
 * (intel/exposure.h), known exploited first.
 * A document is validated against the CSAF JSON schema (when its folder is
 * given: --schema DIR or $KYKLOS_CSAF_SCHEMA, the csaf_2.0 folder of the
 * OASIS distribution), parsed, and passes every mandatory test of CSAF 2.0
 * section 6.1 before it is stored (by its tracking id, replacing an
 * earlier version); each failure is printed with its JSON pointer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "cli/cli.h"
#include "intel/assets.h"
#include "intel/csaf.h"
#include "intel/cve5.h"
#include "intel/exposure.h"
#include "intel/jschema.h"
#include "store/store.h"

/* A CVE JSON 5 record is replaced by its CSAF translation (intel/cve5.h),
 * which then goes through the same checks as any advisory. */
static int translate_cve(const char *path, char **text, size_t *len)
{
	struct ky_err err = {0};
	json_t *j, *doc = NULL;
	char *t;

	if (memmem(*text, *len, "\"CVE_RECORD\"", 12) == NULL)
		return 0;
	j = json_loadb(*text, *len, 0, NULL);
	if (j == NULL || !ky_cve5_is_record(j)) {
		json_decref(j);
		return 0; /* not a record: the CSAF path reports what it is */
	}
	if (ky_cve5_to_csaf(j, &doc, &err) != 0) {
		ky_cli_error("%s: %s", path, err.msg);
		json_decref(j);
		return 1;
	}
	json_decref(j);
	t = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (t == NULL) {
		ky_cli_error("out of memory");
		return 1;
	}
	free(*text);
	*text = t;
	*len = strlen(t);
	fprintf(stderr, "kyklos: %s: a CVE JSON 5 record, translated to CSAF\n",
		path);
	return 0;
}

/* Reads, parses and checks one file; *doc on success (0).  Failures are
 * printed; returns 1 when the document is refused. */
static int check_file(const char *path, const struct ky_jschema *schema,
		      struct ky_csaf **doc, char **text, size_t *len)
{
	struct ky_csaf_findings found = {0};
	struct ky_err err = {0};
	FILE *f = fopen(path, "rb");
	long n;
	int status = 1;

	*doc = NULL;
	*text = NULL;
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		ky_cli_error("%s: cannot read", path);
		goto out;
	}
	if ((*text = malloc((size_t)n + 1)) == NULL ||
	    fread(*text, 1, (size_t)n, f) != (size_t)n) {
		ky_cli_error("%s: cannot read", path);
		goto out;
	}
	*len = (size_t)n;
	if (translate_cve(path, text, len) != 0)
		goto out;
	if (schema != NULL) {
		json_error_t je;
		json_t *j = json_loadb(*text, *len, 0, &je);

		if (j == NULL) {
			ky_cli_error("%s:%d:%d: %s", path, je.line, je.column,
				     je.text);
			goto out;
		}
		if (ky_jschema_validate(schema, KY_JSCHEMA_CSAF_ID, j, &err) !=
		    0) {
			ky_cli_error("%s: schema: %s", path, err.msg);
			json_decref(j);
			goto out;
		}
		json_decref(j);
	}
	if (ky_csaf_parse(*text, *len, path, doc, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (ky_csaf_check(*doc, &found, &err) != 0) {
		for (size_t i = 0; i < found.n; i++)
			fprintf(stderr, "kyklos: %s: %s %s: %s\n", path,
				found.v[i].test, found.v[i].path,
				found.v[i].msg);
		if (found.n == 0)
			ky_cli_error("%s: %s", path, err.msg);
		goto out;
	}
	status = 0;
out:
	ky_csaf_findings_free(&found);
	if (f != NULL)
		fclose(f);
	if (status != 0) {
		ky_csaf_free(*doc);
		*doc = NULL;
		free(*text);
		*text = NULL;
	}
	return status;
}

static int import(struct ky_cli *cli, int argc, char **argv, bool store)
{
	struct ky_store *st = NULL;
	struct ky_jschema *schema = NULL;
	struct ky_err err = {0};
	const char *dir = getenv("KYKLOS_CSAF_SCHEMA");
	int status = 0, n = 0, nfiles = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			ky_cli_error("vulns %s: unknown option '%s'", argv[1],
				     argv[i]);
			return 2;
		} else
			nfiles++;
	}
	if (nfiles == 0) {
		ky_cli_error("usage: kyklos vulns %s [--schema DIR] FILE...",
			     argv[1]);
		return 2;
	}
	if (dir != NULL && *dir != '\0' &&
	    (ky_jschema_new(&schema) != 0 ||
	     ky_jschema_load_csaf(schema, dir, false, &err) != 0)) {
		ky_cli_error("vulns: CSAF schema in %s: %s", dir,
			     err.msg[0] ? err.msg : "out of memory");
		ky_jschema_free(schema);
		return 1;
	}
	if (store && ky_cli_open_store(cli, false, &st) != 0) {
		ky_jschema_free(schema);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		struct ky_csaf *doc;
		char *text;
		size_t len;

		if (strcmp(argv[i], "--schema") == 0) {
			i++;
			continue;
		}
		if (check_file(argv[i], schema, &doc, &text, &len) != 0) {
			status = 1;
			continue;
		}
		if (store &&
		    ky_store_put_doc(st, "advisory", doc->tracking_id, text,
				     len, ky_time_now_ns(), &err) != 0) {
			ky_cli_error("%s", err.msg);
			status = 1;
		} else {
			n++;
			printf("%s: %s %s (%s, %zu products, %zu "
			       "vulnerabilities)%s\n",
			       argv[i], doc->tracking_id, doc->tracking_version,
			       doc->category, doc->nproducts, doc->nvulns,
			       store ? " stored" : " valid");
		}
		ky_csaf_free(doc);
		free(text);
	}
	if (store)
		printf("%d advisories stored\n", n);
	if (schema == NULL)
		fprintf(stderr, "kyklos: note: no CSAF schema folder given "
				"(--schema DIR or KYKLOS_CSAF_SCHEMA): "
				"mandatory tests only\n");
	ky_store_close(st);
	ky_jschema_free(schema);
	return status;
}

struct list {
	bool json;
	int n;
};

static int list_one(void *ud, const struct ky_doc_row *row)
{
	struct list *l = ud;
	struct ky_csaf *doc = NULL;
	struct ky_err err = {0};

	l->n++;
	if (l->json) {
		fwrite(row->json, 1, row->json_len, stdout);
		putchar('\n');
		return 0;
	}
	if (ky_csaf_parse(row->json, row->json_len, row->id, &doc, &err) != 0) {
		printf("%-28s (unreadable: %s)\n", row->id, err.msg);
		return 0;
	}
	printf("%-28s %-8s %-22s %5zu %5zu  %s\n", row->id,
	       doc->tracking_version, doc->category, doc->nproducts,
	       doc->nvulns, doc->title);
	ky_csaf_free(doc);
	return 0;
}

static int list(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_store *st = NULL;
	struct ky_err err = {0};
	struct list l = {cli->json, 0};
	int r, status = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") != 0) {
			ky_cli_error("vulns list: unknown argument '%s'",
				     argv[i]);
			return 2;
		}
		l.json = true;
	}
	if ((r = ky_cli_open_store(cli, true, &st)) > 0)
		return 1;
	if (!l.json)
		printf("%-28s %-8s %-22s %5s %5s  %s\n", "tracking id",
		       "version", "category", "prod", "vulns", "title");
	if (r == 0 && ky_store_docs(st, "advisory", list_one, &l, &err) != 0) {
		ky_cli_error("%s", err.msg);
		status = 1;
	}
	ky_store_close(st);
	return status;
}

/* One exposure as printed (the strings outlive the documents). */
struct xrow {
	char *asset, *sw, *advisory, *cve, *product, *fix;
	int state;
	double score;
	bool ke;
};

struct xlist {
	struct xrow *v;
	size_t n, cap;
	bool oom;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int keep(void *ud, const struct ky_exposure *e)
{
	struct xlist *l = ud;
	struct xrow *x;
	char sw[512];

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct xrow *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->oom = true;
			return KY_E_NOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	snprintf(sw, sizeof(sw), "%s%s%s",
		 e->sw->name   ? e->sw->name
		 : e->sw->purl ? e->sw->purl
			       : "?",
		 e->sw->version ? " " : "",
		 e->sw->version ? e->sw->version : "");
	x = &l->v[l->n++];
	x->asset = strdup(e->asset->id);
	x->sw = strdup(sw);
	x->advisory = strdup(e->advisory);
	x->cve = strdup(e->cve);
	x->product = dup_or_null(e->product);
	x->fix = dup_or_null(e->fix);
	x->state = (int)e->state;
	x->score = e->score;
	x->ke = e->known_exploited;
	return 0;
}

/* Known exploited first, then affected before under investigation, then
 * by score, then by asset. */
static int xcmp(const void *pa, const void *pb)
{
	const struct xrow *a = pa, *b = pb;
	int c;

	if (a->ke != b->ke)
		return a->ke ? -1 : 1;
	if (a->state != b->state)
		return a->state < b->state ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if ((c = strcmp(a->asset, b->asset)) != 0)
		return c;
	return strcmp(a->cve, b->cve);
}

struct xrun {
	const struct ky_exposure_index *ix;
	struct xlist *l;
	size_t docs, bad;
};

static int expose_doc(void *ud, const struct ky_doc_row *row)
{
	struct xrun *x = ud;
	struct ky_csaf *doc = NULL;
	struct ky_err err = {0};
	int r;

	if (ky_csaf_parse(row->json, row->json_len, row->id, &doc, &err) != 0) {
		x->bad++;
		ky_cli_error("stored advisory %s: %s", row->id, err.msg);
		return 0;
	}
	x->docs++;
	r = ky_exposures(x->ix, doc, keep, x->l, &err);
	ky_csaf_free(doc);
	return r;
}

static void print_rows(const struct xlist *l, bool json)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct xrow *x = &l->v[i];
		char sc[16];

		if (x->score >= 0)
			snprintf(sc, sizeof(sc), "%.1f", x->score);
		else
			snprintf(sc, sizeof(sc), "-");
		if (json) {
			json_t *o = json_pack(
				"{s:s, s:s, s:s, s:s, s:s*, s:s, s:o, s:b, "
				"s:s*}",
				"asset", x->asset, "software", x->sw,
				"advisory", x->advisory, "cve", x->cve,
				"product", x->product, "state",
				x->state == KY_EXP_AFFECTED
					? "affected"
					: "under_investigation",
				"score",
				x->score >= 0 ? json_real(x->score)
					      : json_null(),
				"known_exploited", x->ke, "fix", x->fix);
			char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

			if (s != NULL)
				printf("%s\n", s);
			free(s);
			json_decref(o);
			continue;
		}
		printf("%-18s %-26s %-24s %-16s %-13s %5s %-9s %s\n", x->asset,
		       x->sw, x->advisory, x->cve,
		       x->state == KY_EXP_AFFECTED ? "affected"
						   : "investigating",
		       sc, x->ke ? "EXPLOITED" : "-", x->fix ? x->fix : "-");
	}
}

static int exposures(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_store *st = NULL;
	struct ky_assets *a = ky_assets_new();
	struct ky_exposure_index *ix = NULL;
	struct ky_err err = {0};
	struct xlist l = {0};
	struct xrun x = {0};
	bool json = cli->json;
	int status = 1, r;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") != 0) {
			ky_cli_error("vulns exposures: unknown argument '%s'",
				     argv[i]);
			ky_assets_free(a);
			return 2;
		}
		json = true;
	}
	if (a == NULL || (r = ky_cli_open_store(cli, true, &st)) > 0)
		goto out;
	if (r == 0 && ky_cli_load_assets(st, a, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (ky_exposure_index_new(a, &ix, NULL, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	x.ix = ix;
	x.l = &l;
	if (r == 0 &&
	    ky_store_docs(st, "advisory", expose_doc, &x, &err) != 0) {
		ky_cli_error("%s", l.oom ? "out of memory" : err.msg);
		goto out;
	}
	qsort(l.v, l.n, sizeof(*l.v), xcmp);
	if (!json)
		printf("%-18s %-26s %-24s %-16s %-13s %5s %-9s %s\n", "asset",
		       "software", "advisory", "vulnerability", "state",
		       "score", "exploited", "fix");
	print_rows(&l, json);
	if (!json)
		fprintf(stderr,
			"kyklos: %zu exposures of %zu assets from %zu "
			"advisories\n",
			l.n, ky_assets_count(a), x.docs);
	status = x.bad > 0 ? 1 : 0;
out:
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].asset);
		free(l.v[i].sw);
		free(l.v[i].advisory);
		free(l.v[i].cve);
		free(l.v[i].product);
		free(l.v[i].fix);
	}
	free(l.v);
	ky_exposure_index_free(ix);
	ky_assets_free(a);
	ky_store_close(st);
	return status;
}

int ky_cmd_vulns(struct ky_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "exposures") == 0)
		return exposures(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return import(cli, argc, argv, true);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return import(cli, argc, argv, false);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(cli, argc, argv);
	ky_cli_error("usage: kyklos vulns import|check [--schema DIR] FILE... "
		     "| list [--json] | exposures [--json]");
	return 2;
}
