/* `kyklos demo` (cmd_demo.c): three nodes of a circle started as real
 * `kyklos serve` processes in a temporary directory, an attack replayed
 * into one of them, and the timeline of what each node sees.  This header
 * joins the flow (cmd_demo.c), the processes and waits (demo_proc.c) and
 * the scenario's files and events (demo_data.c).  docs/quickstart.md. */
#ifndef KY_CLI_DEMO_H
#define KY_CLI_DEMO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"

struct demo_node {
	const char *name, *role, *country;
	char home[3200];
	char node_id[64], key[128], fingerprint[64];
	int share_port;	   /* 0: offline (bundles only) */
	bool pkcs11;	   /* its key on a SoftHSM2 token */
	pid_t pid;	   /* of its `kyklos serve`, 0 when not running */
	char json_tcp[64]; /* bound addresses from data/serve.ports */
	char syslog_tcp[64];
	char metrics[64];
};

struct demo {
	char dir[3072];
	char self[4096]; /* this executable */
	char softhsm_conf[4200];
	char sigmahq[4200]; /* SigmaHQ's windows/process_creation, or "" */
	bool keep, check, quiet;
	int64_t t0;	       /* monotonic start of the run */
	struct demo_node n[3]; /* csirt, soc, ot */
	int failed;
};

/* ---- demo_proc.c ---- */

/* Runs this executable with args (NULL-terminated) for node (NULL: no
 * --home), stdout and stderr into out (may be NULL); the exit status, or
 * -1 when it could not run. */
int demo_run(struct demo *d, const struct demo_node *node,
	     const char *const *args, struct ky_buf *out);
/* The same for another program found on PATH. */
int demo_run_prog(struct demo *d, const char *const *argv, struct ky_buf *out);
/* Parsed JSON output of a command (NULL on failure, with why in out). */
json_t *demo_json(struct demo *d, const struct demo_node *node,
		  const char *const *args);
/* JSON lines output: an array. */
json_t *demo_json_lines(struct demo *d, const struct demo_node *node,
			const char *const *args);
/* Starts `kyklos serve` for node (stderr into DIR/NAME.log) and waits for
 * its data/serve.ports. */
int demo_start(struct demo *d, struct demo_node *node);
void demo_stop(struct demo *d, struct demo_node *node);
/* Sends text over TCP to "host:port". */
int demo_send(const char *addr, const char *text, size_t n);
/* A free TCP port on 127.0.0.1. */
int demo_free_port(void);
/* Seconds since the start of the run. */
double demo_elapsed(const struct demo *d);
/* Writes a file (mode 0600 when secret). */
int demo_write(const char *path, const char *text, bool secret);

/* Calls pred until it returns true or timeout_s passes, every 100 ms;
 * true when it did. */
bool demo_wait(struct demo *d, double timeout_s, bool (*pred)(void *ud),
	       void *ud);

/* The timeline: "  12.3 s  node      what" */
void demo_say(struct demo *d, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A step's verdict: ok goes on; a failure is counted, printed with why,
 * and (in --check mode) named at the end. */
bool demo_step(struct demo *d, bool ok, const char *what, const char *why);

/* ---- demo_steps.c ---- */

/* The timeline after setup: 0 when every step held. */
int demo_timeline(struct demo *d);

/* ---- demo_data.c ---- */

/* The scenario's files for the three nodes: rules, indicator list,
 * inventory, SBOM, advisory, policies (written under d->dir). */
int demo_write_scenario(struct demo *d);
/* The attack as it reaches the SOC: syslog lines (sshd) and JSON events
 * (a Sysmon process creation, a connection), stamped now. */
void demo_events(struct ky_buf *syslog, struct ky_buf *json);

/* What the scenario is about: the attacker, the C2, the host, the user. */
#define DEMO_ATTACKER "198.51.100.23"
#define DEMO_C2 "203.0.113.66"
#define DEMO_HOST "jump01"
#define DEMO_USER "svc-backup"
#define DEMO_CVE "CVE-2026-40001"

#endif
