/* `kyklos rules check|list PATH...`: loads and compiles Sigma rule files
 * (directories searched recursively for *.yml and *.yaml), reports what
 * cannot be loaded or run with file, line and reason, and lists rules.
 * The loader is detect/rules_load.c, shared with `kyklos detect`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"
#include "cli/cli.h"
#include "detect/logsource.h"
#include "detect/rules_load.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"

struct check_ctx {
	bool json;
};

static void print_problem(void *ud, int status, const char *msg)
{
	struct check_ctx *c = ud;
	struct ky_buf b;

	if (!c->json) {
		fprintf(stdout, "%s: %s\n",
			status == KY_E_UNSUPPORTED ? "unsupported" : "error",
			msg);
		return;
	}
	ky_buf_init(&b, 0);
	if (ky_buf_adds(&b, status == KY_E_UNSUPPORTED
				    ? "{\"status\":\"unsupported\",\"reason\":"
				    : "{\"status\":\"error\",\"reason\":") ==
		    0 &&
	    ky_buf_add_json_str(&b, msg, strlen(msg)) == 0 &&
	    ky_buf_adds(&b, "}\n") == 0)
		fputs(ky_buf_str(&b), stdout);
	ky_buf_free(&b);
}

static void print_error(void *ud, int status, const char *msg)
{
	(void)ud;
	if (status != KY_E_UNSUPPORTED)
		ky_cli_error("%s", msg);
}

static void rules_usage(void)
{
	fprintf(stderr, "usage: kyklos rules check [--strict] [--json] "
			"[--logsources FILE] PATH...\n"
			"       kyklos rules list [--json] [--logsources FILE] "
			"PATH...\n");
}

static const char *kind_name(enum ky_sigma_kind k)
{
	return k == KY_SIGMA_CORRELATION ? "correlation"
	       : k == KY_SIGMA_FILTER	 ? "filter"
					 : "detection";
}

/* The rules a correlation or a filter names (ids or names, as written). */
static char **named_rules(const struct ky_sigma_rule *ru, size_t *n)
{
	*n = 0;
	if (ru->kind == KY_SIGMA_CORRELATION && ru->corr != NULL) {
		*n = ru->corr->nrules;
		return ru->corr->rules;
	}
	if (ru->kind == KY_SIGMA_FILTER && ru->filt != NULL) {
		*n = ru->filt->nrules;
		return ru->filt->rules;
	}
	return NULL;
}

/* ",\"rules\":[...]" in JSON, " (suppresses|over): a, b" in text. */
static int add_named(struct ky_buf *b, const struct ky_sigma_rule *ru,
		     bool json)
{
	size_t n;
	char **v = named_rules(ru, &n);
	int r;

	if (n == 0)
		return 0;
	r = json ? ky_buf_adds(b, ",\"rules\":[")
		 : ky_buf_adds(b, ru->kind == KY_SIGMA_FILTER ? " (suppresses: "
							      : " (over: ");
	for (size_t k = 0; r == 0 && k < n; k++) {
		if (k > 0)
			r = ky_buf_adds(b, json ? "," : ", ");
		r = r	   ? r
		    : json ? ky_buf_add_json_str(b, v[k], strlen(v[k]))
			   : ky_buf_adds(b, v[k]);
	}
	return r ? r : ky_buf_adds(b, json ? "]" : ")");
}

static int list_rules(const struct ky_ruleset *rs, bool json)
{
	struct ky_buf b;
	int r = 0;

	ky_buf_init(&b, 0);
	for (size_t i = 0; r == 0 && i < ky_ruleset_count(rs); i++) {
		const struct ky_sigma_rule *ru = ky_ruleset_rule(rs, i);
		const char *id = ru->id ? ru->id : (ru->name ? ru->name : "-");
		const char *title = ru->title ? ru->title : "";
		/* a filter has no level of its own */
		const char *level = ru->kind == KY_SIGMA_FILTER
					    ? "-"
					    : ky_sigma_level_name(ru->level);

		ky_buf_reset(&b);
		if (json) {
			r = ky_buf_adds(&b, "{\"id\":");
			r = r ? r : ky_buf_add_json_str(&b, id, strlen(id));
			r = r ? r
			      : ky_buf_addf(&b, ",\"kind\":\"%s\"",
					    kind_name(ru->kind));
			if (r == 0 && ru->kind != KY_SIGMA_FILTER)
				r = ky_buf_addf(&b, ",\"level\":\"%s\"", level);
			r = r ? r : ky_buf_adds(&b, ",\"title\":");
			r = r ? r
			      : ky_buf_add_json_str(&b, title, strlen(title));
			r = r ? r : ky_buf_adds(&b, ",\"path\":");
			r = r ? r
			      : ky_buf_add_json_str(
					&b, ru->path ? ru->path : "",
					ru->path ? strlen(ru->path) : 0);
			r = r ? r : add_named(&b, ru, true);
			r = r ? r : ky_buf_adds(&b, "}\n");
		} else {
			r = ky_buf_addf(&b, "%-36s  %-11s  %-13s  %s", id,
					kind_name(ru->kind), level, title);
			r = r ? r : add_named(&b, ru, false);
			r = r ? r : ky_buf_adds(&b, "\n");
		}
		if (r == 0 && fwrite(b.data, 1, b.len, stdout) != b.len)
			r = KY_E_IO;
	}
	ky_buf_free(&b);
	return r;
}

int ky_cmd_rules(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_ruleset_opts opts = {0};
	struct ky_logsources *ls = NULL;
	struct ky_ruleset *rs = NULL;
	struct ky_rules_load st = {0};
	struct check_ctx cc = {cli->json};
	struct ky_err err = {0};
	struct ky_config cfg;
	struct ky_hash *ph = NULL;
	char lspath[4096];
	const char *lsfile = NULL;
	bool check, strict = false, cfg_loaded = false;
	int i, status = 1;

	if (argc < 2 ||
	    (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "list") != 0)) {
		rules_usage();
		return 2;
	}
	check = strcmp(argv[1], "check") == 0;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--json") == 0) {
			cc.json = true;
		} else if (check && strcmp(a, "--strict") == 0) {
			strict = true;
		} else if (strcmp(a, "--logsources") == 0 && i + 1 < argc) {
			lsfile = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			ky_cli_error("rules: unknown option '%s'", a);
			rules_usage();
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		rules_usage();
		return 2;
	}
	/* with a node: its placeholders, and its logsource map by default */
	if (cli->home_opt ||
	    (getenv("KYKLOS_HOME") && *getenv("KYKLOS_HOME"))) {
		if (ky_cli_load_node(cli, &cfg) != 0)
			goto out;
		cfg_loaded = true;
		if (ky_config_placeholder_table(&cfg, &ph) != 0) {
			ky_cli_error("out of memory");
			goto out;
		}
		if (!lsfile && cfg.detect_logsources &&
		    cfg.detect_logsources[0]) {
			snprintf(lspath, sizeof(lspath), "%s%s%s",
				 cfg.detect_logsources[0] == '/' ? ""
								 : cfg.home,
				 cfg.detect_logsources[0] == '/' ? "" : "/",
				 cfg.detect_logsources);
			lsfile = lspath;
		}
	}
	if (lsfile && ky_logsources_load(&ls, lsfile, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	opts.logsources = ls;
	opts.placeholders = ph;
	if (ky_ruleset_new(&rs, &opts, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	st.progress = isatty(STDERR_FILENO) == 1;
	/* list shows rules; its problems go to stderr like detect's */
	st.report = check ? print_problem : print_error;
	st.ud = &cc;
	if (ky_rules_load(rs, argv + i, (size_t)(argc - i), &st) != 0)
		goto out;
	if (!check && list_rules(rs, cc.json) != 0) {
		ky_cli_error("stdout: write failed");
		goto out;
	}
	fprintf(check ? (cc.json ? stderr : stdout) : stderr,
		"%zu files, %zu rules: %zu compiled (%zu with no logsource "
		"mapping: they run on no event), %zu unsupported, %zu "
		"failed to load (%.2f s)\n",
		st.files, st.rules, st.compiled, ky_ruleset_unmapped(rs),
		st.unsupported, st.failed, st.secs);
	status = st.failed || (strict && st.unsupported) ? 1 : 0;
out:
	ky_ruleset_free(rs);
	ky_logsources_free(ls);
	ky_hash_free(ph, NULL);
	if (cfg_loaded)
		ky_config_free(&cfg);
	return status;
}
