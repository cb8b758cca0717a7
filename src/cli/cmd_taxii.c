/* kyklos taxii client: the clients of the node's TAXII 2.1 server.  Each
 * has a name (what the sharing policy's rules match), a country and
 * groups, and a secret token shown once (only its SHA-256 is kept). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/config.h"
#include "base/time.h"
#include "cli/cli.h"
#include "store/taxii.h"

static const char usage[] =
	"usage: kyklos taxii client add NAME [--country CC] [--groups G,..] "
	"[--write] | client list | client remove NAME";

static int list_cb(void *ud, const struct ky_taxii_client *c)
{
	(void)ud;
	printf("%-20s %-3s %-5s %s\n", c->name, c->country ? c->country : "-",
	       c->can_write ? "write" : "read", c->groups ? c->groups : "");
	return 0;
}

int ky_cmd_taxii(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_taxii_client c = {0};
	struct ky_config cfg;
	struct ky_store *st = NULL;
	struct ky_err err = {0};
	unsigned char raw[24];
	char tok[64];
	unsigned int n = 0;
	int r = 0;

	if (argc < 3 || strcmp(argv[1], "client") != 0 ||
	    (strcmp(argv[2], "list") != 0 && argc < 4)) {
		ky_cli_error("%s", usage);
		return 2;
	}
	if ((r = ky_cli_open_node_store(cli, false, &st, &cfg)) != 0)
		return 1;
	if (strcmp(argv[2], "list") == 0) {
		r = ky_taxii_client_list(st, list_cb, NULL, &err) != 0;
	} else if (strcmp(argv[2], "remove") == 0) {
		r = ky_taxii_client_del(st, argv[3], &err) != 0;
		if (r == 0)
			printf("TAXII client %s removed\n", argv[3]);
	} else if (strcmp(argv[2], "add") == 0) {
		c.name = argv[3];
		for (int i = 4; i < argc; i++) {
			if (strcmp(argv[i], "--country") == 0 && i + 1 < argc)
				c.country = argv[++i];
			else if (strcmp(argv[i], "--groups") == 0 &&
				 i + 1 < argc)
				c.groups = argv[++i];
			else if (strcmp(argv[i], "--write") == 0)
				c.can_write = true;
			else {
				ky_cli_error("%s", usage);
				r = 2;
				goto out;
			}
		}
		if (strchr(c.name, ':') != NULL || c.name[0] == '\0') {
			ky_cli_error("%s: a client name has no ':'", c.name);
			r = 1;
			goto out;
		}
		if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
			ky_cli_error("no randomness for a token");
			r = 1;
			goto out;
		}
		/* base64 of 24 bytes: 32 characters, no padding */
		EVP_EncodeBlock((unsigned char *)tok, raw, sizeof(raw));
		for (char *p = tok; *p; p++)
			if (*p == '+')
				*p = '-';
			else if (*p == '/')
				*p = '_';
		EVP_Digest(tok, strlen(tok), c.token, &n, EVP_sha256(), NULL);
		c.added_ns = ky_time_now_ns();
		if ((r = ky_taxii_client_put(st, &c, &err) != 0) == 0) {
			printf("TAXII client %s (%s): token %s\n", c.name,
			       c.can_write ? "read and write" : "read", tok);
			printf("(shown once; use it as the password of HTTP "
			       "Basic with user %s, or as a bearer token)\n",
			       c.name);
		}
		memset(tok, 0, sizeof(tok));
		memset(raw, 0, sizeof(raw));
	} else {
		ky_cli_error("%s", usage);
		r = 2;
	}
	if (r == 1 && err.msg[0])
		ky_cli_error("%s", err.msg);
out:
	ky_store_close(st);
	ky_config_free(&cfg);
	return r;
}
