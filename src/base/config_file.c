/* kyklos.yaml on disk: finding the node directory that holds it and
 * reading the file, capped in size, for the loader in config.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"

/* A configuration file larger than this is not a configuration file. */
#define CONFIG_FILE_MAX (4u << 20)

int ky_config_load(struct ky_config *cfg, const char *path, struct ky_err *err)
{
	char chunk[4096];
	struct ky_buf data;
	FILE *f = NULL;
	size_t got;
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	ky_buf_init(&data, CONFIG_FILE_MAX);
	if ((f = fopen(path, "rb")) == NULL) {
		r = ky_err_set(err, KY_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((r = ky_buf_add(&data, chunk, got)) == KY_E_TOOBIG) {
			ky_err_set(err, r, "%s: larger than %u bytes", path,
				   CONFIG_FILE_MAX);
			goto out;
		} else if (r != 0) {
			ky_err_set(err, r, "%s: out of memory", path);
			goto out;
		}
	}
	if (ferror(f)) {
		r = ky_err_set(err, KY_E_IO, "%s: read error", path);
		goto out;
	}
	r = ky_config_load_mem(cfg, path, ky_buf_str(&data), data.len, err);
	if (r != 0)
		goto out;
	if ((cfg->path = ky_strndup(path, strlen(path))) == NULL) {
		ky_config_free(cfg);
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", path);
	}
out:
	if (f != NULL)
		fclose(f);
	ky_buf_free(&data);
	return r;
}

/* ---- the node directory ------------------------------------------------ */

int ky_config_find_home(const char *opt_home, char **home, struct ky_err *err)
{
	const char *dir = opt_home;
	char *abs = NULL, *cwd = NULL;
	struct ky_buf file;
	struct stat st;
	int r = 0;

	*home = NULL;
	ky_buf_init(&file, 0);
	if (dir == NULL || *dir == '\0')
		dir = getenv("KYKLOS_HOME");
	cwd = getcwd(NULL, 0);
	if (dir == NULL || *dir == '\0') {
		if (cwd == NULL) {
			r = ky_err_set(err, KY_E_IO,
				       "cannot get the current directory: %s",
				       strerror(errno));
			goto out;
		}
		dir = cwd;
	}
	if ((abs = realpath(dir, NULL)) != NULL) {
		if ((r = ky_buf_addf(&file, "%s/kyklos.yaml", abs)) != 0)
			goto nomem;
		if (stat(ky_buf_str(&file), &st) == 0 && S_ISREG(st.st_mode)) {
			*home = abs;
			abs = NULL; /* transferred */
			goto out;
		}
	}
	/* Name the directory absolutely even when it does not exist. */
	ky_buf_reset(&file);
	if (abs != NULL)
		r = ky_buf_adds(&file, abs);
	else if (dir[0] != '/' && cwd != NULL)
		r = ky_buf_addf(&file, "%s/%s", cwd, dir);
	else
		r = ky_buf_adds(&file, dir);
	if (r != 0)
		goto nomem;
	r = ky_err_set(err, KY_E_NONODE,
		       "no kyklos node at %s: kyklos.yaml not found (use "
		       "--home DIR, set KYKLOS_HOME, or run `kyklos init DIR`)",
		       ky_buf_str(&file));
	goto out;
nomem:
	r = ky_err_set(err, KY_E_NOMEM, "out of memory");
out:
	ky_buf_free(&file);
	free(abs);
	free(cwd);
	return r;
}
