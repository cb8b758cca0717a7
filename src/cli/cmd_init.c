/* `kyklos init DIR`: makes a node directory with the commented default
 * kyklos.yaml, data/ and deadletter/, and the node's key (its identity,
 * docs/identity.md).  Never overwrites a configuration or a key. */
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

/* Sets "  key: value" in a section of the commented default text (the
 * line "  #key: default" is replaced). */
static int set_line(struct ky_buf *b, const char *section, const char *key,
		    const char *value)
{
	char head[64], pat[96], line[4400];
	const char *s = ky_buf_str(b), *sec, *at, *eol;
	struct ky_buf nb;
	int r;

	snprintf(head, sizeof(head), "\n%s:\n", section);
	snprintf(pat, sizeof(pat), "\n  #%s: ", key);
	if ((sec = strstr(s, head)) == NULL || (at = strstr(sec, pat)) == NULL)
		return KY_E_NOTFOUND;
	eol = strchr(at + 1, '\n');
	snprintf(line, sizeof(line), "\n  %s: \"%s\"", key, value);
	ky_buf_init(&nb, 0);
	r = ky_buf_add(&nb, s, (size_t)(at - s));
	r = r ? r : ky_buf_adds(&nb, line);
	r = r ? r : ky_buf_adds(&nb, eol ? eol : "");
	if (r == 0) {
		ky_buf_reset(b);
		r = ky_buf_add(b, nb.data, nb.len);
	}
	ky_buf_free(&nb);
	return r;
}

struct init_opts {
	const char *keys[8][3]; /* section, key, value */
	size_t n;
};

static int write_config(const char *file, const struct init_opts *io)
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
	for (size_t i = 0; i < io->n; i++)
		if (set_line(&b, io->keys[i][0], io->keys[i][1],
			     io->keys[i][2]) != 0) {
			ky_cli_error("cannot set %s.%s", io->keys[i][0],
				     io->keys[i][1]);
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
	static const char *const flags[][2] = {
		{"--algorithm", "algorithm"}, {"--pkcs11", "module"},
		{"--token", "token"},	      {"--key-label", "key_label"},
		{"--key-id", "key_id"},	      {"--pin-file", "pin_file"},
		{"--pin-env", "pin_env"},
	};
	const char *dir = cli->home_opt;
	struct init_opts io = {0};
	struct ky_config cfg;
	char *home = NULL;
	struct ky_buf file;
	struct ky_err err = {0};
	struct stat st;
	bool made, bad = false;
	int r = 1;

	ky_buf_init(&file, 0);
	for (int i = 1; i < argc; i++) {
		size_t k;

		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strcmp(argv[i], flags[k][0]) == 0)
				break;
		if (k < sizeof(flags) / sizeof(flags[0]) && i + 1 < argc) {
			if (k == 1) /* a module means the PKCS#11 backend */
				io.keys[io.n][0] = "keystore",
				io.keys[io.n][1] = "backend",
				io.keys[io.n++][2] = "pkcs11";
			io.keys[io.n][0] = "keystore";
			io.keys[io.n][1] = flags[k][1];
			io.keys[io.n++][2] = argv[++i];
		} else if (argv[i][0] == '-' || (dir && dir != cli->home_opt)) {
			bad = true;
		} else {
			dir = argv[i];
		}
	}
	if (bad || dir == NULL || *dir == '\0') {
		ky_cli_error("usage: kyklos init DIR [--algorithm "
			     "ed25519|ecdsa-p256] [--pkcs11 MODULE --token "
			     "LABEL [--key-label L] [--key-id HEX] "
			     "[--pin-file F|--pin-env VAR]]");
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
	if (write_config(ky_buf_str(&file), &io) != 0)
		goto out;
	printf("created %s\n", ky_buf_str(&file));
	if (subdir(home, "data") != 0 || subdir(home, "deadletter") != 0)
		goto out;
	if (ky_config_load(&cfg, ky_buf_str(&file), &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	free(cfg.home);
	cfg.home = strdup(home);
	r = cfg.home ? ky_cli_init_identity(&cfg) : 1;
	ky_config_free(&cfg);
	if (r != 0)
		goto out;
	r = 1;
	printf("next: edit %s, then run `kyklos --home %s serve`\n",
	       ky_buf_str(&file), home);
	r = 0;
out:
	ky_buf_free(&file);
	free(home);
	return r;
}
