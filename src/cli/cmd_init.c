/* `kyklos init DIR`: makes a node directory with the commented default
 * kyklos.yaml, data/ and deadletter/.  Never overwrites a configuration. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "cli/cli.h"

/* mkdir -p; *made tells whether the last component was created. */
static int mkdir_p(const char *path, mode_t mode, bool *made)
{
	char *p = NULL, *s;
	struct stat st;
	int r = -1;

	*made = false;
	if ((p = strdup(path)) == NULL)
		goto out;
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			goto out;
		*s = '/';
	}
	if (mkdir(p, mode) == 0) {
		*made = true;
	} else if (errno != EEXIST) {
		goto out;
	} else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto out;
	}
	r = 0;
out:
	free(p);
	return r;
}

static int write_config(const char *file)
{
	struct ky_buf b;
	size_t off = 0;
	ssize_t n;
	int fd = -1, r = 1;

	ky_buf_init(&b, 0);
	if (ky_config_write_default(&b) != 0) {
		ky_cli_error("out of memory");
		goto out;
	}
	/* O_EXCL: a configuration that appeared meanwhile is not ours. */
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		ky_cli_error("%s: %s", file, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0644) != 0) {
		ky_cli_error("%s: %s", file, strerror(errno));
		goto out;
	}
	while (off < b.len) {
		n = write(fd, b.data + off, b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ky_cli_error("%s: %s", file, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		ky_cli_error("%s: %s", file, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0 && close(fd) != 0 && r == 0) {
		ky_cli_error("%s: %s", file, strerror(errno));
		r = 1;
	}
	ky_buf_free(&b);
	return r;
}

static int subdir(const char *home, const char *name)
{
	struct ky_buf p;
	bool made;
	int r = 0;

	ky_buf_init(&p, 0);
	if (ky_buf_addf(&p, "%s/%s", home, name) != 0) {
		ky_cli_error("out of memory");
		r = 1;
	} else if (mkdir_p(ky_buf_str(&p), 0700, &made) != 0) {
		ky_cli_error("cannot create %s: %s", ky_buf_str(&p),
			     strerror(errno));
		r = 1;
	} else {
		printf(made ? "created %s/\n" : "kept %s/ (already there)\n",
		       ky_buf_str(&p));
	}
	ky_buf_free(&p);
	return r;
}

int ky_cmd_init(struct ky_cli *cli, int argc, char **argv)
{
	const char *dir = argc == 2 ? argv[1] : cli->home_opt;
	char *home = NULL;
	struct ky_buf file;
	struct stat st;
	bool made;
	int r = 1;

	ky_buf_init(&file, 0);
	if (argc > 2 || dir == NULL || *dir == '\0' ||
	    (argc == 2 && argv[1][0] == '-')) {
		ky_cli_error("usage: kyklos init DIR");
		r = 2;
		goto out;
	}
	if (mkdir_p(dir, 0755, &made) != 0) {
		ky_cli_error("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((home = realpath(dir, NULL)) == NULL) {
		ky_cli_error("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (made)
		printf("created %s/\n", home);
	if (ky_buf_addf(&file, "%s/kyklos.yaml", home) != 0) {
		ky_cli_error("out of memory");
		goto out;
	}
	if (lstat(ky_buf_str(&file), &st) == 0) {
		ky_cli_error("%s already exists: %s is a node already (edit "
			     "the file, or choose another directory)",
			     ky_buf_str(&file), home);
		goto out;
	}
	if (write_config(ky_buf_str(&file)) != 0)
		goto out;
	printf("created %s\n", ky_buf_str(&file));
	if (subdir(home, "data") != 0 || subdir(home, "deadletter") != 0)
		goto out;
	printf("next: edit %s, then run `kyklos --home %s serve`\n",
	       ky_buf_str(&file), home);
	r = 0;
out:
	ky_buf_free(&file);
	free(home);
	return r;
}
