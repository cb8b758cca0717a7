/* The node's identity on the command line: the keystore opened from the
 * node's keystore.* configuration, `kyklos identity show`, and the key
 * `kyklos init` creates or binds (docs/identity.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/config.h"
#include "cli/cli.h"
#include "trust/identity.h"
#include "trust/keystore.h"

struct ks_paths {
	char key[4200], pass[4200], pin[4200];
};

static const char *rel(const char *home, const char *p, char *out, size_t cap)
{
	if (p == NULL || *p == '\0')
		return NULL;
	if (p[0] == '/')
		snprintf(out, cap, "%s", p);
	else
		snprintf(out, cap, "%s/%s", home, p);
	return out;
}

static void opts_of(const struct ky_config *cfg, struct ky_keystore_opts *o,
		    struct ks_paths *p)
{
	memset(o, 0, sizeof(*o));
	o->backend = strcmp(cfg->ks_backend, "pkcs11") == 0 ? KY_KS_PKCS11
							    : KY_KS_FILE;
	o->key_path = rel(cfg->home, cfg->ks_key_file, p->key, sizeof(p->key));
	o->passphrase_file = rel(cfg->home, cfg->ks_passphrase_file, p->pass,
				 sizeof(p->pass));
	o->passphrase_env = cfg->ks_passphrase_env;
	o->module = cfg->ks_module;
	o->token_label = cfg->ks_token;
	o->key_label = cfg->ks_key_label;
	o->key_id_hex = cfg->ks_key_id;
	o->pin_file = rel(cfg->home, cfg->ks_pin_file, p->pin, sizeof(p->pin));
	o->pin_env = cfg->ks_pin_env;
}

int ky_cli_open_keystore(const struct ky_config *cfg, struct ky_keystore **ks)
{
	struct ky_keystore_opts o;
	struct ks_paths p;
	struct ky_err err = {0};

	opts_of(cfg, &o, &p);
	if (ky_keystore_open(&o, ks, &err) != 0) {
		ky_cli_error("node key: %s", err.msg);
		return 1;
	}
	return 0;
}

static void print_identity(const struct ky_keystore *ks, bool json)
{
	const struct ky_pubkey *pk = ky_keystore_pubkey(ks);
	char id[KY_NODE_ID_LEN + 1], fp[KY_FINGERPRINT_TEXT];
	char text[KY_PUBKEY_TEXT_MAX];

	ky_identity_node_id(pk, id);
	ky_identity_fingerprint_text(pk, fp);
	ky_pubkey_format(pk, text);
	if (json) {
		printf("{\"node_id\":\"%s\",\"algorithm\":\"%s\",\"public_"
		       "key\":"
		       "\"%s\",\"fingerprint\":\"%s\",\"backend\":\"%s\"}\n",
		       id, ky_key_alg_name(pk->alg), text, fp,
		       ky_keystore_backend(ks) == KY_KS_PKCS11 ? "pkcs11"
							       : "file");
		return;
	}
	printf("node id      %s\n", id);
	printf("algorithm    %s\n", ky_key_alg_name(pk->alg));
	printf("public key   %s\n", text);
	printf("fingerprint  %s\n", fp);
	printf("key in       %s\n", ky_keystore_backend(ks) == KY_KS_PKCS11
					    ? "a PKCS#11 token"
					    : "a file");
}

/* Opens the configured key, or creates it when there is none yet (a file
 * that does not exist; a token without a key of that label).  Prints the
 * identity. */
int ky_cli_init_identity(const struct ky_config *cfg)
{
	struct ky_keystore_opts o;
	struct ks_paths p;
	struct ky_keystore *ks = NULL;
	struct ky_err err = {0};
	enum ky_key_alg alg;
	int r;

	opts_of(cfg, &o, &p);
	if (ky_key_alg_parse(cfg->ks_algorithm, &alg, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	if (o.backend == KY_KS_FILE) {
		char dir[4200], *slash;

		snprintf(dir, sizeof(dir), "%s", o.key_path);
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			(void)mkdir(dir, 0700);
		}
	}
	r = ky_keystore_open(&o, &ks, &err);
	if (r == KY_E_NOTFOUND) {
		ky_err_clear(&err);
		r = ky_keystore_generate(&o, alg, &ks, &err);
		if (r == 0)
			printf("created the node key (%s, %s)\n",
			       ky_key_alg_name(alg),
			       o.backend == KY_KS_PKCS11 ? "on the token"
							 : o.key_path);
	} else if (r == 0) {
		printf("bound the existing node key\n");
	}
	if (r != 0) {
		ky_cli_error("node key: %s", err.msg);
		return 1;
	}
	print_identity(ks, false);
	ky_keystore_close(ks);
	return 0;
}

int ky_cmd_identity(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg;
	struct ky_keystore *ks = NULL;
	bool json = cli->json;
	int r;

	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = true;
	if (argc < 2 || strcmp(argv[1], "show") != 0) {
		ky_cli_error("usage: kyklos identity show [--json]");
		return 2;
	}
	if (ky_cli_load_node(cli, &cfg) != 0)
		return 1;
	r = ky_cli_open_keystore(&cfg, &ks);
	if (r == 0)
		print_identity(ks, json);
	ky_keystore_close(ks);
	ky_config_free(&cfg);
	return r;
}
