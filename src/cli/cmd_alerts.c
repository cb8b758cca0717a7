/* `kyklos alerts [--limit N] [--since TIME] [--json]`: the alerts the
 * node's detection kept in its store, newest first: a table, or the
 * alerts' own JSON objects as lines with --json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/time.h"
#include "cli/cli.h"
#include "detect/sigma.h"
#include "store/store.h"

struct list {
	bool json;
	uint64_t n;
};

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static int print_row(void *ud, const struct ky_alert_row *row)
{
	struct list *l = ud;
	char t[KY_TIME_RFC3339_LEN];

	l->n++;
	if (l->json) {
		if (fwrite(row->json, 1, row->json_len, stdout) !=
			    row->json_len ||
		    putchar('\n') == EOF)
			return KY_E_IO;
		return 0;
	}
	if (row->time_ns != 0)
		ky_time_format_rfc3339(row->time_ns, t);
	else
		snprintf(t, sizeof(t), "-");
	if (printf("%-24s  %-11s  %-13s  %-15s  %-15s  %s\n", t,
		   ky_alert_kind_name(row->kind),
		   ky_sigma_level_name((enum ky_sigma_level)row->level),
		   or_dash(row->src_ip), or_dash(row->host),
		   or_dash(row->title)) < 0)
		return KY_E_IO;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kyklos alerts [--limit N] [--since TIME] "
		"[--json]\n"
		"       TIME: RFC 3339 (2026-05-01T12:00:00Z); alerts made "
		"at or after it\n");
}

int ky_cmd_alerts(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg;
	struct ky_store *st = NULL;
	struct ky_err err = {0};
	struct list l = {cli->json, 0};
	uint64_t total = 0;
	unsigned long long limit = 50;
	int64_t since = 0;
	char path[4096], *end;
	int status = 1, r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			l.json = true;
		} else if (strcmp(a, "--limit") == 0 && i + 1 < argc) {
			errno = 0;
			limit = strtoull(argv[++i], &end, 10);
			if (errno || *end || argv[i][0] == '-') {
				ky_cli_error("alerts: --limit: '%s' is not a "
					     "number (0: all)",
					     argv[i]);
				return 2;
			}
		} else if (strcmp(a, "--since") == 0 && i + 1 < argc) {
			i++;
			if (ky_time_parse_rfc3339(argv[i], strlen(argv[i]),
						  &since) <= 0) {
				ky_cli_error("alerts: --since: '%s' is not an "
					     "RFC 3339 time",
					     argv[i]);
				return 2;
			}
		} else {
			ky_cli_error("alerts: unknown argument '%s'", a);
			usage();
			return 2;
		}
	}
	if (ky_cli_load_node(cli, &cfg) != 0)
		return 1;
	if (cfg.store_path[0] == '/')
		snprintf(path, sizeof(path), "%s", cfg.store_path);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg.home, cfg.store_path);
	if (ky_store_open(&st, path, KY_STORE_READONLY,
			  (int)cfg.busy_timeout_ms, &err) != 0) {
		if (err.status == KY_E_NOTFOUND) {
			fprintf(stderr, "kyklos: no alerts (no store yet)\n");
			status = 0;
		} else {
			ky_cli_error("%s", err.msg);
		}
		goto out;
	}
	if (!l.json)
		printf("%-24s  %-11s  %-13s  %-15s  %-15s  %s\n", "event time",
		       "kind", "level", "source", "host", "title");
	r = ky_store_alerts(st, (size_t)limit, since, print_row, &l, &err);
	if (r != 0) {
		ky_cli_error("%s",
			     r == KY_E_IO ? "stdout: write failed" : err.msg);
		goto out;
	}
	if (ky_store_alert_count(st, &total, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	fprintf(stderr, "kyklos: %llu of %llu alerts shown\n",
		(unsigned long long)l.n, (unsigned long long)total);
	status = 0;
out:
	ky_store_close(st);
	ky_config_free(&cfg);
	return status;
}
