/* `kyklos rules check|list PATH...`: loads and compiles Sigma rule files
 * (directories searched recursively for *.yml and *.yaml), reports what
 * cannot be loaded or run with file, line and reason, and lists rules.
 * The loader here is shared with `kyklos detect`. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/time.h"
#include "cli/cli.h"
#include "detect/logsource.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"

struct pathlist {
	char **v;
	size_t n, cap;
};

static int pl_add(struct pathlist *pl, const char *p)
{
	char *c;

	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? 2 * pl->cap : 256;
		char **v = realloc(pl->v, cap * sizeof(*v));

		if (!v)
			return KY_E_NOMEM;
		pl->v = v;
		pl->cap = cap;
	}
	if (!(c = strdup(p)))
		return KY_E_NOMEM;
	pl->v[pl->n++] = c;
	return 0;
}

static void pl_free(struct pathlist *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		free(pl->v[i]);
	free(pl->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_rule_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

/* Rule files under dir, depth first, in name order so that loading (and
 * rule order in alerts) does not depend on the file system. */
static int walk(struct pathlist *out, const char *dir, int depth)
{
	struct pathlist names = {0};
	struct ky_buf p;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > 64)
		return 0; /* a loop of links */
	if (!(d = opendir(dir))) {
		ky_cli_error("%s: %s", dir, strerror(errno));
		return KY_E_IO;
	}
	while ((de = readdir(d)) != NULL && r == 0)
		if (de->d_name[0] != '.') /* ., .., .git, hidden files */
			r = pl_add(&names, de->d_name);
	closedir(d);
	if (r == 0 && names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	ky_buf_init(&p, 0);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		struct stat st;

		ky_buf_reset(&p);
		if ((r = ky_buf_addf(&p, "%s%s%s", dir,
				     dir[strlen(dir) - 1] == '/' ? "" : "/",
				     names.v[i])) != 0)
			break;
		if (stat(p.data, &st) != 0)
			continue; /* dangling link */
		if (S_ISDIR(st.st_mode))
			r = walk(out, p.data, depth + 1);
		else if (S_ISREG(st.st_mode) && is_rule_name(names.v[i]))
			r = pl_add(out, p.data);
	}
	ky_buf_free(&p);
	pl_free(&names);
	return r == KY_E_IO ? 0 : r; /* an unreadable folder: go on */
}

static int collect(struct pathlist *out, char **paths, size_t n,
		   size_t *missing)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat st;

		if (stat(paths[i], &st) != 0) {
			ky_cli_error("%s: %s", paths[i], strerror(errno));
			(*missing)++;
		} else if (S_ISDIR(st.st_mode)) {
			size_t before = out->n;

			r = walk(out, paths[i], 0);
			if (r == 0 && out->n == before)
				ky_cli_error("%s: no *.yml or *.yaml file",
					     paths[i]);
		} else {
			r = pl_add(out, paths[i]); /* named: any extension */
		}
	}
	return r;
}

static void progress(struct ky_cli_rules *st, size_t done, size_t total)
{
	int64_t now = ky_time_mono_ns();
	char bar[41];
	size_t fill;

	if (!st->progress ||
	    (done != total && now - st->last_progress < KY_NS_PER_SEC / 20))
		return;
	st->last_progress = now;
	fill = total ? done * 40 / total : 40;
	memset(bar, '#', fill);
	memset(bar + fill, '.', 40 - fill);
	bar[40] = '\0';
	fprintf(stderr, "\r\033[Kloading rules [%s] %zu/%zu files", bar, done,
		total);
	if (done == total)
		fputs("\r\033[K", stderr);
}

int ky_cli_load_rules(struct ky_ruleset *rs, char **paths, size_t npaths,
		      struct ky_cli_rules *st)
{
	struct pathlist files = {0};
	struct ky_err err = {0};
	size_t missing = 0;
	int r;

	st->t0 = ky_time_mono_ns();
	if ((r = collect(&files, paths, npaths, &missing)) != 0) {
		ky_cli_error("%s", ky_strerror(r));
		goto out;
	}
	st->files = files.n;
	st->failed += missing;
	for (size_t i = 0; i < files.n; i++) {
		struct ky_sigma_rule **rules = NULL;
		size_t n = 0;
		int lr;

		progress(st, i, files.n);
		ky_err_clear(&err);
		lr = ky_sigma_load_file(files.v[i], &rules, &n, &err);
		if (lr != 0) {
			st->failed++;
			if (st->report)
				st->report(st->ud, lr,
					   err.msg[0] ? err.msg : files.v[i]);
		}
		for (size_t k = 0; k < n; k++) {
			int ar;

			st->rules++;
			ky_err_clear(&err);
			ar = ky_ruleset_add(rs, rules[k], &err); /* owns it */
			if (ar == 0) {
				st->compiled++;
				continue;
			}
			if (ar == KY_E_UNSUPPORTED)
				st->unsupported++;
			else
				st->failed++;
			if (st->report)
				st->report(st->ud, ar, err.msg);
		}
		free(rules);
		if (lr == KY_E_NOMEM) {
			r = lr;
			break;
		}
	}
	progress(st, files.n, files.n);
	if (r == 0) {
		ky_err_clear(&err);
		if ((r = ky_ruleset_finalize(rs, &err)) != 0)
			ky_cli_error("%s", err.msg);
	}
out:
	st->secs = (double)(ky_time_mono_ns() - st->t0) / 1e9;
	pl_free(&files);
	return r;
}

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

static int list_rules(const struct ky_ruleset *rs, bool json)
{
	struct ky_buf b;
	int r = 0;

	ky_buf_init(&b, 0);
	for (size_t i = 0; r == 0 && i < ky_ruleset_count(rs); i++) {
		const struct ky_sigma_rule *ru = ky_ruleset_rule(rs, i);
		const char *id = ru->id ? ru->id : (ru->name ? ru->name : "-");
		const char *title = ru->title ? ru->title : "";

		ky_buf_reset(&b);
		if (json) {
			r = ky_buf_adds(&b, "{\"id\":");
			r = r ? r : ky_buf_add_json_str(&b, id, strlen(id));
			r = r ? r
			      : ky_buf_addf(&b, ",\"level\":\"%s\",",
					    ky_sigma_level_name(ru->level));
			r = r ? r : ky_buf_adds(&b, "\"title\":");
			r = r ? r
			      : ky_buf_add_json_str(&b, title, strlen(title));
			r = r ? r : ky_buf_adds(&b, ",\"path\":");
			r = r ? r
			      : ky_buf_add_json_str(
					&b, ru->path ? ru->path : "",
					ru->path ? strlen(ru->path) : 0);
			r = r ? r : ky_buf_adds(&b, "}\n");
		} else {
			r = ky_buf_addf(&b, "%-36s  %-13s  %s\n", id,
					ky_sigma_level_name(ru->level), title);
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
	struct ky_cli_rules st = {0};
	struct check_ctx cc = {cli->json};
	struct ky_err err = {0};
	const char *lsfile = NULL;
	bool check, strict = false;
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
	if (lsfile && ky_logsources_load(&ls, lsfile, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	opts.logsources = ls;
	if (ky_ruleset_new(&rs, &opts, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	st.progress = isatty(STDERR_FILENO) == 1;
	/* list shows rules; its problems go to stderr like detect's */
	st.report = check ? print_problem : print_error;
	st.ud = &cc;
	if (ky_cli_load_rules(rs, argv + i, (size_t)(argc - i), &st) != 0)
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
	return status;
}
