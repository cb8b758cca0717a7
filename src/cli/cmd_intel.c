/* Shared by the intel commands (assets, vulns): the node's store opened
 * for writing or reading, and the stored inventory loaded. */
#include <stdio.h>

#include "base/config.h"
#include "cli/cli.h"
#include "intel/assets.h"
#include "store/store.h"

int ky_cli_open_store(struct ky_cli *cli, bool readonly, struct ky_store **st)
{
	struct ky_config cfg;
	struct ky_err err = {0};
	char path[4096];
	int r;

	*st = NULL;
	if (ky_cli_load_node(cli, &cfg) != 0)
		return 1;
	if (cfg.store_path[0] == '/')
		snprintf(path, sizeof(path), "%s", cfg.store_path);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg.home, cfg.store_path);
	r = ky_store_open(st, path, readonly ? KY_STORE_READONLY : 0,
			  (int)cfg.busy_timeout_ms, &err);
	ky_config_free(&cfg);
	if (r != 0) {
		if (readonly && err.status == KY_E_NOTFOUND)
			return -1; /* nothing stored yet */
		ky_cli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

struct loader {
	struct ky_assets *a;
	struct ky_err *err;
};

static int load_one(void *ud, const struct ky_doc_row *row)
{
	struct loader *l = ud;
	struct ky_asset_rec rec;
	json_error_t je;
	json_t *j = json_loadb(row->json, row->json_len, 0, &je);
	int r;

	if (j == NULL)
		return ky_err_set(l->err, KY_E_PARSE, "stored asset %s: %s",
				  row->id, je.text);
	ky_asset_rec_init(&rec);
	r = ky_asset_rec_from_json(j, &rec, l->err);
	if (r == 0)
		r = ky_assets_put(l->a, &rec, NULL, NULL, l->err);
	else
		ky_err_prefix(l->err, "stored asset %s", row->id);
	ky_asset_rec_clear(&rec);
	json_decref(j);
	return r;
}

int ky_cli_load_assets(struct ky_store *st, struct ky_assets *a,
		       struct ky_err *err)
{
	struct loader l = {a, err};

	return ky_store_docs(st, "asset", load_one, &l, err);
}
