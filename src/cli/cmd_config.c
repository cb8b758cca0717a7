/* `kyklos config show|check|docs|default` (set: cmd_config_set.c), and
 * ky_cli_load_node, which every command that works on a node uses to find and
 * read it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/log.h"
#include "cli/cli.h"

int ky_cli_load_node(struct ky_cli *cli, struct ky_config *cfg)
{
	struct ky_err err = {0};
	struct ky_buf path;
	enum ky_level lv;
	char *home = NULL;
	int r = 1;

	memset(cfg, 0, sizeof(*cfg));
	ky_buf_init(&path, 0);
	if (ky_config_find_home(cli->home_opt, &home, &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	if (ky_buf_addf(&path, "%s/kyklos.yaml", home) != 0) {
		ky_cli_error("out of memory");
		goto out;
	}
	if (ky_config_load(cfg, ky_buf_str(&path), &err) != 0) {
		ky_cli_error("%s", err.msg);
		goto out;
	}
	cfg->home = home;
	home = NULL; /* transferred */
	if (!cli->log_level_set && cfg->log_level != NULL &&
	    ky_log_level_parse(cfg->log_level, &lv) == 0)
		ky_log_set_level(lv);
	if (cfg->log_format != NULL)
		ky_log_set_format(strcmp(cfg->log_format, "json") == 0
					  ? KY_LOG_JSON
					  : KY_LOG_TEXT);
	r = 0;
out:
	ky_buf_free(&path);
	free(home);
	return r;
}

static const char *key_name(const struct ky_config_key *k, size_t *seclen)
{
	const char *dot = strchr(k->key, '.');

	*seclen = (size_t)(dot - k->key);
	return dot + 1;
}

static int json_str(struct ky_buf *b, const char *s)
{
	return ky_buf_add_json_str(b, s ? s : "", s ? strlen(s) : 0);
}

/* {"name":["value",...],...} */
static int json_placeholders(const struct ky_config *cfg, struct ky_buf *b)
{
	size_t i, j;
	int r;

	r = ky_buf_addc(b, '{');
	for (i = 0; i < cfg->nplaceholders && r == 0; i++) {
		const struct ky_config_placeholder *p = &cfg->placeholders[i];
		if (i > 0)
			r = ky_buf_addc(b, ',');
		if (r == 0)
			r = json_str(b, p->name);
		if (r == 0)
			r = ky_buf_adds(b, ":[");
		for (j = 0; j < p->values.n && r == 0; j++) {
			if (j > 0)
				r = ky_buf_addc(b, ',');
			if (r == 0)
				r = json_str(b, p->values.v[j]);
		}
		if (r == 0)
			r = ky_buf_addc(b, ']');
	}
	if (r == 0)
		r = ky_buf_addc(b, '}');
	return r;
}

static int json_value(const struct ky_config *cfg,
		      const struct ky_config_key *k, struct ky_buf *b)
{
	const char *base = (const char *)cfg + k->offset;
	const struct ky_strlist *sl = (const void *)base;
	size_t i;
	int r = 0;

	switch (k->type) {
	case KY_CT_STRING:
	case KY_CT_ENUM:
		return json_str(b, *(char *const *)(const void *)base);
	case KY_CT_INT:
		return ky_buf_addf(
			b, "%lld",
			(long long)*(const int64_t *)(const void *)base);
	case KY_CT_BOOL:
		return ky_buf_adds(b, *(const bool *)(const void *)base
					      ? "true"
					      : "false");
	case KY_CT_STRLIST:
		r = ky_buf_addc(b, '[');
		for (i = 0; i < sl->n && r == 0; i++) {
			if (i > 0)
				r = ky_buf_addc(b, ',');
			if (r == 0)
				r = json_str(b, sl->v[i]);
		}
		break;
	case KY_CT_MAPRULES:
		r = ky_buf_addc(b, '[');
		for (i = 0; i < cfg->nmaprules && r == 0; i++) {
			r = ky_buf_adds(b,
					i > 0 ? ",{\"from\":" : "{\"from\":");
			if (r == 0)
				r = json_str(b, cfg->maprules[i].from);
			if (r == 0)
				r = ky_buf_adds(b, ",\"to\":");
			if (r == 0)
				r = json_str(b, cfg->maprules[i].to);
			if (r == 0)
				r = ky_buf_addc(b, '}');
		}
		break;
	case KY_CT_PATTERNS:
		r = ky_buf_addc(b, '[');
		for (i = 0; i < cfg->npatterns && r == 0; i++) {
			const struct ky_config_pattern *p = &cfg->patterns[i];
			r = ky_buf_adds(b,
					i > 0 ? ",{\"name\":" : "{\"name\":");
			if (r == 0)
				r = json_str(b, p->name);
			if (r == 0 && p->program != NULL) {
				r = ky_buf_adds(b, ",\"program\":");
				if (r == 0)
					r = json_str(b, p->program);
			}
			if (r == 0)
				r = ky_buf_adds(b, ",\"pattern\":");
			if (r == 0)
				r = json_str(b, p->pattern);
			if (r == 0)
				r = ky_buf_addc(b, '}');
		}
		break;
	case KY_CT_PLACEHOLDERS:
		return json_placeholders(cfg, b);
	}
	if (r == 0)
		r = ky_buf_addc(b, ']');
	return r;
}

/* {"node":{"name":...},"log":{...},...,"home":...,"path":...} */
static int show_json(const struct ky_config *cfg, struct ky_buf *b)
{
	const struct ky_config_key *k;
	const char *prev = NULL;
	size_t slen, plen = 0;
	int r;

	r = ky_buf_addc(b, '{');
	for (k = ky_config_keys; k->key != NULL && r == 0; k++) {
		const char *name = key_name(k, &slen);
		bool same = prev != NULL && plen == slen &&
			    memcmp(prev, k->key, slen) == 0;
		if (!same) {
			r = ky_buf_adds(b, prev != NULL ? "}," : "");
			if (r == 0)
				r = ky_buf_add_json_str(b, k->key, slen);
			if (r == 0)
				r = ky_buf_adds(b, ":{");
			prev = k->key;
			plen = slen;
		} else {
			r = ky_buf_addc(b, ',');
		}
		if (r == 0)
			r = json_str(b, name);
		if (r == 0)
			r = ky_buf_addc(b, ':');
		if (r == 0)
			r = json_value(cfg, k, b);
	}
	if (r == 0)
		r = ky_buf_adds(b, prev != NULL ? "},\"home\":" : "\"home\":");
	if (r == 0)
		r = json_str(b, cfg->home);
	if (r == 0)
		r = ky_buf_adds(b, ",\"path\":");
	if (r == 0)
		r = json_str(b, cfg->path);
	if (r == 0)
		r = ky_buf_adds(b, "}\n");
	return r;
}

static int print_buf(struct ky_buf *b)
{
	if (fwrite(ky_buf_str(b), 1, b->len, stdout) != b->len ||
	    fflush(stdout) != 0) {
		ky_cli_error("cannot write the output");
		return 1;
	}
	return 0;
}

static int config_show(struct ky_cli *cli, bool json)
{
	struct ky_config cfg;
	struct ky_buf b;
	int r = 1;

	ky_buf_init(&b, 0);
	if (ky_cli_load_node(cli, &cfg) != 0)
		return 1;
	if (json)
		r = show_json(&cfg, &b);
	else if ((r = ky_buf_addf(&b, "# effective configuration of %s\n",
				  cfg.path)) == 0)
		r = ky_config_show(&cfg, &b);
	if (r != 0)
		ky_cli_error("out of memory");
	else
		r = print_buf(&b);
	ky_buf_free(&b);
	ky_config_free(&cfg);
	return r != 0;
}

static int config_check(struct ky_cli *cli, const char *file)
{
	struct ky_err err = {0};
	struct ky_config cfg;

	if (file == NULL) {
		if (ky_cli_load_node(cli, &cfg) != 0)
			return 1;
		printf("%s: ok\n", cfg.path);
		ky_config_free(&cfg);
		return 0;
	}
	if (ky_config_load(&cfg, file, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	printf("%s: ok\n", file);
	ky_config_free(&cfg);
	return 0;
}

static int config_text(int (*fn)(struct ky_buf *))
{
	struct ky_buf b;
	int r;

	ky_buf_init(&b, 0);
	if ((r = fn(&b)) != 0)
		ky_cli_error("out of memory");
	else
		r = print_buf(&b);
	ky_buf_free(&b);
	return r != 0;
}

int ky_cmd_config(struct ky_cli *cli, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";

	if (strcmp(sub, "show") == 0 && argc == 2)
		return config_show(cli, cli->json);
	if (strcmp(sub, "show") == 0 && argc == 3 &&
	    strcmp(argv[2], "--json") == 0)
		return config_show(cli, true);
	if (strcmp(sub, "check") == 0 && argc <= 3)
		return config_check(cli, argc == 3 ? argv[2] : NULL);
	if (strcmp(sub, "docs") == 0 && argc == 2)
		return config_text(ky_config_write_markdown);
	if (strcmp(sub, "default") == 0 && argc == 2)
		return config_text(ky_config_write_default);
	if (strcmp(sub, "set") == 0)
		return ky_cmd_config_set(cli, argc, argv);
	ky_cli_error("usage: kyklos config show [--json] | check [FILE] | "
		     "docs | default | set KEY VALUE...");
	return 2;
}
