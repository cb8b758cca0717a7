/* `kyklos assets import|list|show|link`: the asset inventory in the node's
 * store (intel/assets.h).  Import merges into what is stored: the stored
 * assets are loaded, the files merged in (same id or host name updates),
 * and every asset written back in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "cli/cli.h"
#include "base/config.h"
#include "intel/assets.h"
#include "intel/incstore.h"
#include "store/store.h"

/* Writes the inventory and, in the same transaction, gives the incidents
 * their new severity and markings (criticality may have changed). */
static int save_all(struct ky_store *st, const struct ky_assets *a,
		    const struct ky_config *cfg, struct ky_err *err)
{
	int64_t now = ky_time_now_ns();
	struct ky_incident_config ic;
	struct ky_incstore *b = NULL;
	int r = ky_store_begin(st, err);

	for (size_t i = 0; r == 0 && i < ky_assets_count(a); i++) {
		const struct ky_asset *as = ky_assets_at(a, i);
		json_t *j = ky_asset_to_json(as);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

		if (s == NULL)
			r = ky_err_set(err, KY_E_NOMEM, "out of memory");
		else
			r = ky_store_put_doc(st, "asset", as->id, s, strlen(s),
					     now, err);
		free(s);
		json_decref(j);
	}
	if (r == 0 && (r = ky_incstore_config(cfg, &ic, err)) == 0 &&
	    (r = ky_incstore_new(&b, &ic, err)) == 0)
		r = ky_incstore_recompute(b, st, now, err);
	ky_incstore_free(b);
	if (r == 0)
		return ky_store_commit(st, err);
	ky_store_rollback(st);
	return r;
}

static void on_error(void *ud, const struct ky_err *e)
{
	(void)ud;
	fprintf(stderr, "kyklos: skipped: %s\n", e->msg);
}

static int import(struct ky_cli *cli, int argc, char **argv)
{
	enum ky_assets_format fmt = KY_ASSETS_AUTO;
	const char *asset_id = NULL;
	struct ky_store *st = NULL;
	struct ky_assets *a = NULL;
	struct ky_config cfg;
	struct ky_err err = {0};
	int status = 1, nfiles = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (ky_assets_format_parse(argv[++i], &fmt) != 0) {
				ky_cli_error("assets import: --format: '%s' "
					     "is not csv, json or cyclonedx",
					     argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--asset") == 0 && i + 1 < argc) {
			asset_id = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			ky_cli_error("assets import: unknown option '%s'",
				     argv[i]);
			return 2;
		} else {
			nfiles++;
		}
	}
	if (nfiles == 0) {
		ky_cli_error("usage: kyklos assets import [--format "
			     "csv|json|cyclonedx] [--asset ID] FILE...");
		return 2;
	}
	if (ky_cli_open_node_store(cli, false, &st, &cfg) != 0)
		return 1;
	if ((a = ky_assets_new()) == NULL) {
		ky_cli_error("out of memory");
		goto out;
	}
	if (ky_cli_load_assets(st, a, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	status = 0;
	for (int i = 2; i < argc; i++) {
		struct ky_assets_import imp = {0};

		if (strcmp(argv[i], "--format") == 0 ||
		    strcmp(argv[i], "--asset") == 0) {
			i++;
			continue;
		}
		imp.name = argv[i];
		imp.asset_id = asset_id;
		imp.on_error = on_error;
		if (ky_assets_import_file(a, fmt, argv[i], &imp, &err) != 0) {
			ky_cli_error("%s", err.msg);
			status = 1;
			continue;
		}
		printf("%s: %zu records, %zu assets added, %zu updated, %zu "
		       "skipped, %zu software items\n",
		       argv[i], imp.records, imp.added, imp.updated,
		       imp.skipped, imp.software);
		if (imp.skipped > 0)
			status = 1;
	}
	if (save_all(st, a, &cfg, &err) != 0) {
		ky_cli_error("%s", err.msg);
		status = 1;
	} else {
		printf("%zu assets in the inventory\n", ky_assets_count(a));
	}
out:
	ky_assets_free(a);
	ky_store_close(st);
	ky_config_free(&cfg);
	return status;
}

static void print_list(const char *label, char *const *v, size_t n)
{
	printf("%-12s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	printf("%s\n", n ? "" : "-");
}

static void show_one(const struct ky_asset *as, bool json)
{
	if (json) {
		json_t *j = ky_asset_to_json(as);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(j);
		return;
	}
	printf("%-12s%s\n", "id", as->id);
	print_list("hostnames", as->hostnames, as->nhostnames);
	print_list("addresses", as->addresses, as->naddresses);
	printf("%-12s%s\n", "owner", as->owner ? as->owner : "-");
	if (as->criticality)
		printf("%-12s%d\n", "criticality", as->criticality);
	else
		printf("%-12s%s\n", "criticality", "-");
	printf("%-12s%s\n", "location", as->location ? as->location : "-");
	printf("%-12s%s\n", "country", as->country[0] ? as->country : "-");
	print_list("tags", as->tags, as->ntags);
	printf("%-12s%zu\n", "software", as->nsoftware);
	for (size_t i = 0; i < as->nsoftware; i++) {
		const struct ky_software *x = &as->software[i];

		printf("  %-28s %-14s %s\n", x->name ? x->name : "-",
		       x->version ? x->version : "-",
		       x->purl	? x->purl
		       : x->cpe ? x->cpe
				: "");
	}
}

/* list, show ID, link HOST|ADDRESS: read-only views. */
static int view(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_store *st = NULL;
	struct ky_assets *a = ky_assets_new();
	struct ky_err err = {0};
	const char *cmd = argv[1], *arg = NULL;
	bool json = cli->json;
	int status = 1, r;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (arg == NULL && argv[i][0] != '-')
			arg = argv[i];
		else {
			ky_cli_error("assets %s: unexpected argument '%s'", cmd,
				     argv[i]);
			ky_assets_free(a);
			return 2;
		}
	}
	if ((strcmp(cmd, "list") == 0) != (arg == NULL)) {
		ky_cli_error("usage: kyklos assets list [--json] | show ID | "
			     "link HOST|ADDRESS");
		ky_assets_free(a);
		return 2;
	}
	if (a == NULL || (r = ky_cli_open_store(cli, true, &st)) > 0)
		goto out;
	if (r == 0 && ky_cli_load_assets(st, a, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	status = 0;
	if (strcmp(cmd, "list") == 0) {
		if (!json)
			printf("%-20s %-30s %-20s %4s %2s %5s\n", "id",
			       "host name", "address", "crit", "cc", "sw");
		for (size_t i = 0; i < ky_assets_count(a); i++) {
			const struct ky_asset *as = ky_assets_at(a, i);

			if (json) {
				show_one(as, true);
				continue;
			}
			printf("%-20s %-30s %-20s %4d %2s %5zu\n", as->id,
			       as->nhostnames ? as->hostnames[0] : "-",
			       as->naddresses ? as->addresses[0] : "-",
			       as->criticality,
			       as->country[0] ? as->country : "-",
			       as->nsoftware);
		}
	} else if (strcmp(cmd, "show") == 0) {
		const struct ky_asset *as = ky_assets_get(a, arg);

		if (as == NULL) {
			ky_cli_error("assets show: no asset '%s'", arg);
			status = 1;
		} else {
			show_one(as, json);
		}
	} else {
		struct ky_asset_match m[8];
		size_t n = ky_assets_link(a, arg, arg, NULL, m, 8);

		if (n == 0) {
			fprintf(stderr, "kyklos: no asset for '%s'\n", arg);
			status = 1;
		}
		for (size_t i = 0; i < n && i < 8; i++)
			show_one(m[i].asset, json);
	}
out:
	ky_store_close(st);
	ky_assets_free(a);
	return status;
}

int ky_cmd_assets(struct ky_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return import(cli, argc, argv);
	if (argc >= 2 &&
	    (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0 ||
	     strcmp(argv[1], "link") == 0))
		return view(cli, argc, argv);
	ky_cli_error("usage: kyklos assets import [--format F] [--asset ID] "
		     "FILE... | list [--json] | show ID | link HOST|ADDRESS");
	return 2;
}
