/* Shared by the intel commands (assets, vulns): the node's store opened
 * for writing or reading, and the stored inventory loaded. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/time.h"
#include "cli/cli.h"
#include "intel/assets.h"
#include "store/store.h"

int ky_cli_open_node_store(struct ky_cli *cli, bool readonly,
			   struct ky_store **st, struct ky_config *cfg)
{
	struct ky_err err = {0};
	char path[4096];
	int r;

	*st = NULL;
	if (ky_cli_load_node(cli, cfg) != 0)
		return 1;
	if (cfg->store_path[0] == '/')
		snprintf(path, sizeof(path), "%s", cfg->store_path);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg->home,
			 cfg->store_path);
	r = ky_store_open(st, path, readonly ? KY_STORE_READONLY : 0,
			  (int)cfg->busy_timeout_ms, &err);
	if (r != 0) {
		ky_config_free(cfg);
		if (readonly && err.status == KY_E_NOTFOUND)
			return -1; /* nothing stored yet */
		ky_cli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

int ky_cli_open_store(struct ky_cli *cli, bool readonly, struct ky_store **st)
{
	struct ky_config cfg;
	int r = ky_cli_open_node_store(cli, readonly, st, &cfg);

	if (r == 0)
		ky_config_free(&cfg);
	return r;
}

int ky_cli_load_assets(struct ky_store *st, struct ky_assets *a,
		       struct ky_err *err)
{
	return ky_assets_load_store(a, st, err);
}

const char *ky_cli_who(const char *by)
{
	static char name[64];
	const char *e = getenv("KYKLOS_USER");
	struct passwd *pw;

	if (by && *by)
		return by;
	if (e && *e)
		return e;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name) {
		snprintf(name, sizeof(name), "%s", pw->pw_name);
		return name;
	}
	snprintf(name, sizeof(name), "uid %u", (unsigned)getuid());
	return name;
}

int ky_cli_time(const char *what, const char *s, int64_t *ns)
{
	if (strcmp(s, "now") == 0) {
		*ns = ky_time_now_ns();
		return 0;
	}
	if (ky_time_parse_rfc3339(s, strlen(s), ns) != (int)strlen(s)) {
		ky_cli_error("%s: '%s' is not an RFC 3339 time "
			     "(2026-11-23T14:05:00Z) or 'now'",
			     what, s);
		return 1;
	}
	return 0;
}

void ky_cli_fmt_time(int64_t ns, char out[40])
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	if (ns == 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, 40, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(out, 40, "-");
}
