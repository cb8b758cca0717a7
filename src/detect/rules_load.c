/* Loading Sigma rules from files and directories into a rule set, shared
 * by `kyklos detect`, `kyklos rules` and the node: directories are searched
 * recursively for *.yml and *.yaml in name order, every problem is
 * reported with its file, line and reason, and loading goes on. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/time.h"
#include "detect/rules_load.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"

static void report(struct ky_rules_load *st, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct ky_rules_load *st, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!st->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->report(st->ud, status, msg);
}

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
static int walk(struct ky_rules_load *st, struct pathlist *out, const char *dir,
		int depth)
{
	struct pathlist names = {0};
	struct ky_buf p;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > 64)
		return 0; /* a loop of links */
	if (!(d = opendir(dir))) {
		report(st, KY_E_IO, "%s: %s", dir, strerror(errno));
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
		struct stat sb;

		ky_buf_reset(&p);
		if ((r = ky_buf_addf(&p, "%s%s%s", dir,
				     dir[strlen(dir) - 1] == '/' ? "" : "/",
				     names.v[i])) != 0)
			break;
		if (stat(p.data, &sb) != 0)
			continue; /* dangling link */
		if (S_ISDIR(sb.st_mode))
			r = walk(st, out, p.data, depth + 1);
		else if (S_ISREG(sb.st_mode) && is_rule_name(names.v[i]))
			r = pl_add(out, p.data);
	}
	ky_buf_free(&p);
	pl_free(&names);
	return r == KY_E_IO ? 0 : r; /* an unreadable folder: go on */
}

static int collect(struct ky_rules_load *st, struct pathlist *out, char **paths,
		   size_t n, size_t *missing)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) != 0) {
			report(st, KY_E_IO, "%s: %s", paths[i],
			       strerror(errno));
			(*missing)++;
		} else if (S_ISDIR(sb.st_mode)) {
			size_t before = out->n;

			r = walk(st, out, paths[i], 0);
			if (r == 0 && out->n == before)
				report(st, KY_E_NOTFOUND,
				       "%s: no *.yml or *.yaml file", paths[i]);
		} else {
			r = pl_add(out, paths[i]); /* named: any extension */
		}
	}
	return r;
}

static void progress(struct ky_rules_load *st, size_t done, size_t total)
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

int ky_rules_load(struct ky_ruleset *rs, char *const *paths, size_t npaths,
		  struct ky_rules_load *st)
{
	struct pathlist files = {0};
	struct ky_err err = {0};
	size_t missing = 0;
	int r;

	st->t0 = ky_time_mono_ns();
	if ((r = collect(st, &files, (char **)paths, npaths, &missing)) != 0) {
		report(st, r, "%s", ky_strerror(r));
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
			report(st, r, "%s", err.msg);
	}
out:
	st->secs = (double)(ky_time_mono_ns() - st->t0) / 1e9;
	pl_free(&files);
	return r;
}
