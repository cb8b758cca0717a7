/* The command-line front end: one table of subcommands (cli.c), one file
 * per command family.  Commands return a process exit status:
 * 0 success, 1 failure, 2 usage error. */
#ifndef KY_CLI_CLI_H
#define KY_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ky_config;

struct ky_cli {
	const char *home_opt; /* --home DIR, or NULL */
	bool json;	      /* --json */
	bool tty;	      /* stdout is a terminal */
	bool log_level_set;   /* --log-level given: it beats log.level */
};

struct ky_cmd {
	const char *name;
	int (*run)(struct ky_cli *cli, int argc, char **argv);
	const char *usage; /* "ingest [--format F] FILE...|-" */
	const char *help;  /* one line */
};

extern const struct ky_cmd ky_cmds[];

/* Finds the node (--home, $KYKLOS_HOME, cwd), loads its configuration and
 * applies log.level (unless --log-level was given) and log.format; prints
 * the error and returns non-zero when there is none. */
int ky_cli_load_node(struct ky_cli *cli, struct ky_config *cfg);

/* Prints "kyklos: <msg>" to stderr. */
void ky_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int ky_cmd_init(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_config(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_config_set(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_demo(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_man(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_completion(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_ingest(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_serve(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_detect(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_rules(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_alerts(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_assets(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_vulns(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_incidents(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_report(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_ledger(struct ky_cli *cli, int argc, char **argv);
/* checkpoint, cosign, verify-checkpoint (cmd_ledger_note.c) */
int ky__ledger_notes(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_identity(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_stix(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_peer(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_policy(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_share(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_bundle(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_taxii(struct ky_cli *cli, int argc, char **argv);
int ky_cmd_misp(struct ky_cli *cli, int argc, char **argv);

struct ky_keystore;
/* The node's key from keystore.* (cmd_identity.c); prints errors. */
int ky_cli_open_keystore(const struct ky_config *cfg, struct ky_keystore **ks);
/* Opens or creates the node key of a new node and prints its identity. */
int ky_cli_init_identity(const struct ky_config *cfg);

struct ky_store;
/* The node's store (cmd_intel.c): 0 opened, -1 read-only and no store
 * yet (nothing to show), 1 failed (printed). */
int ky_cli_open_store(struct ky_cli *cli, bool readonly, struct ky_store **st);
/* The same, keeping the node's configuration (freed by the caller when 0
 * is returned). */
int ky_cli_open_node_store(struct ky_cli *cli, bool readonly,
			   struct ky_store **st, struct ky_config *cfg);
/* Who is acting: --by, else $KYKLOS_USER, else the login name. */
const char *ky_cli_who(const char *by);
/* A time argument: RFC 3339 or "now"; prints the error (returns 1). */
int ky_cli_time(const char *what, const char *s, int64_t *ns);
/* A time for people: local RFC 3339-like "2026-11-23 14:05:00 +0100", or
 * "-" for 0. */
void ky_cli_fmt_time(int64_t ns, char out[40]);
struct ky_assets;
struct ky_err;
/* Adds every stored asset to a (cmd_intel.c). */
int ky_cli_load_assets(struct ky_store *st, struct ky_assets *a,
		       struct ky_err *err);

#endif
