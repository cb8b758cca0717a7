/* `kyklos config set KEY VALUE...`: edits the node's kyklos.yaml in place,
 * the way an operator would: the line of KEY in its section (commented out
 * by `kyklos init`, or set) gets the new value, comments and everything
 * else stay.  String values are quoted for YAML; lists are given in YAML
 * ("[a.yml, b.yml]").  The edited text must load (values checked against the
 * key table) before it replaces the file, atomically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "cli/cli.h"

static const struct ky_config_key *find_key(const char *key)
{
	for (const struct ky_config_key *k = ky_config_keys; k->key; k++)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

/* The value as written in the file: strings (and enums) double-quoted
 * unless already quoted, so that "*:5514" or "a: b" stay strings; lists,
 * numbers and booleans as given (YAML). */
static int yaml_value(const struct ky_config_key *k, const char *v,
		      struct ky_buf *out)
{
	int r = 0;

	if ((k->type != KY_CT_STRING && k->type != KY_CT_ENUM) || v[0] == '"' ||
	    v[0] == '\'')
		return ky_buf_adds(out, v);
	r = ky_buf_addc(out, '"');
	for (; r == 0 && *v; v++)
		r = *v == '"' || *v == '\\' ? ky_buf_addf(out, "\\%c", *v)
					    : ky_buf_addc(out, *v);
	return r ? r : ky_buf_addc(out, '"');
}

/* Replaces, in text, the line "  NAME: ..." or "  #NAME: ..." of section
 * SEC with "  NAME: VALUE".  0, or KY_E_NOTFOUND. */
static int set_line(struct ky_buf *text, const char *key, const char *value)
{
	const char *dot = strchr(key, '.');
	size_t seclen = (size_t)(dot - key), nl = strlen(dot + 1);
	const char *name = dot + 1, *p = text->data, *end;
	bool in = false;
	struct ky_buf out;
	int r;

	for (; p && *p; p = end ? end + 1 : NULL) {
		const char *q;

		end = strchr(p, '\n');
		if (p[0] != ' ' && p[0] != '#' && p[0] != '\n') {
			/* a section line */
			in = strncmp(p, key, seclen) == 0 && p[seclen] == ':';
			continue;
		}
		if (!in || strncmp(p, "  ", 2) != 0)
			continue;
		q = p + 2;
		if (*q == '#')
			q++;
		if (strncmp(q, name, nl) != 0 || q[nl] != ':')
			continue;
		ky_buf_init(&out, 0);
		r = ky_buf_add(&out, text->data, (size_t)(p - text->data));
		r = r ? r : ky_buf_addf(&out, "  %s: %s", name, value);
		r = r ? r : ky_buf_adds(&out, end ? end : "");
		if (r == 0) {
			ky_buf_free(text);
			*text = out;
		} else {
			ky_buf_free(&out);
		}
		return r;
	}
	return KY_E_NOTFOUND;
}

int ky_cmd_config_set(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg = {0};
	struct ky_err err = {0};
	struct ky_buf text, path, tmp, val;
	char *home = NULL;
	FILE *f = NULL;
	int r = 1;

	ky_buf_init(&text, 16 << 20);
	ky_buf_init(&path, 0);
	ky_buf_init(&tmp, 0);
	ky_buf_init(&val, 0);
	if (argc < 4 || (argc - 2) % 2 != 0) {
		ky_cli_error(
			"usage: kyklos config set KEY VALUE [KEY VALUE...]");
		r = 2;
		goto out;
	}
	if (ky_config_find_home(cli->home_opt, &home, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (ky_buf_addf(&path, "%s/kyklos.yaml", home) != 0 ||
	    ky_buf_addf(&tmp, "%s/kyklos.yaml.new", home) != 0 ||
	    (f = fopen(ky_buf_str(&path), "r")) == NULL) {
		ky_cli_error("%s: cannot read", ky_buf_str(&path));
		goto out;
	}
	for (;;) {
		char chunk[8192];
		size_t n = fread(chunk, 1, sizeof(chunk), f);

		if (n == 0 || ky_buf_add(&text, chunk, n) != 0)
			break;
	}
	fclose(f);
	f = NULL;
	for (int i = 2; i + 1 < argc; i += 2) {
		const struct ky_config_key *k = find_key(argv[i]);

		if (k == NULL) {
			ky_cli_error(
				"%s: no such key (kyklos config docs lists "
				"them)",
				argv[i]);
			goto out;
		}
		if (strchr(argv[i + 1], '\n') != NULL) {
			ky_cli_error("%s: a value of one line", argv[i]);
			goto out;
		}
		ky_buf_reset(&val);
		if (yaml_value(k, argv[i + 1], &val) != 0 ||
		    set_line(&text, argv[i], ky_buf_str(&val)) != 0) {
			ky_cli_error("%s: no line for %s in %s (not the file "
				     "`kyklos init` wrote?)",
				     argv[i], argv[i], ky_buf_str(&path));
			goto out;
		}
	}
	/* the edited file must load before it replaces the old one */
	if (ky_config_load_mem(&cfg, ky_buf_str(&path), text.data, text.len,
			       &err) != 0) {
		ky_cli_error("%s (nothing changed)", err.msg);
		goto out;
	}
	ky_config_free(&cfg);
	if ((f = fopen(ky_buf_str(&tmp), "w")) == NULL ||
	    fwrite(text.data, 1, text.len, f) != text.len) {
		ky_cli_error("%s: cannot write", ky_buf_str(&tmp));
		goto out;
	}
	if (fclose(f) != 0 || rename(ky_buf_str(&tmp), ky_buf_str(&path))) {
		f = NULL;
		ky_cli_error("%s: cannot replace", ky_buf_str(&path));
		unlink(ky_buf_str(&tmp));
		goto out;
	}
	f = NULL;
	for (int i = 2; i + 1 < argc; i += 2)
		printf("%s: %s\n", argv[i], argv[i + 1]);
	r = 0;
out:
	if (f != NULL)
		fclose(f);
	ky_buf_free(&text);
	ky_buf_free(&path);
	ky_buf_free(&tmp);
	ky_buf_free(&val);
	free(home);
	return r;
}
