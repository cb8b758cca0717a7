/* Shared by the intel commands (assets, vulns): the node's store opened
 * for writing or reading. */
#include <stdio.h>

#include "base/config.h"
#include "cli/cli.h"
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
