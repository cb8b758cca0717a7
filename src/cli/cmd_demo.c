/* `kyklos demo [--keep] [--check] [--dir DIR]`: the circle of three
 * nodes, end to end (cli/demo.h, docs/quickstart.md).  Every step waits
 * (bounded) for its outcome in the nodes' own state, read through the
 * same commands an analyst would type, and says what it saw; --check also
 * asserts what must not have happened (raw personal data at the CSIRT,
 * anything but indicators at the OT gateway) and names every failed
 * step.  The exit status is 0 only when every step held. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/time.h"
#include "cli/cli.h"
#include "cli/demo.h"

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

enum { CSIRT, SOC, OT };

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static bool has_softhsm(struct demo *d)
{
	const char *argv[] = {"softhsm2-util", "--version", NULL};

	return access(SOFTHSM_MODULE, R_OK) == 0 &&
	       demo_run_prog(d, argv, NULL) == 0;
}

/* A SoftHSM2 token of its own in the demo directory, for the CSIRT. */
static int make_token(struct demo *d)
{
	char conf[4300], tokens[4200];
	const char *argv[] = {"softhsm2-util", "--init-token",
			      "--free",	       "--label",
			      "kyklos-demo",   "--so-pin",
			      "47114711",      "--pin",
			      "4711",	       NULL};
	struct ky_buf out;
	int r;

	snprintf(tokens, sizeof(tokens), "%s/softhsm", d->dir);
	snprintf(d->softhsm_conf, sizeof(d->softhsm_conf), "%s/softhsm2.conf",
		 d->dir);
	snprintf(conf, sizeof(conf),
		 "directories.tokendir = %s\nobjectstore.backend = file\n"
		 "log.level = ERROR\n",
		 tokens);
	if (mkdir(tokens, 0700) != 0 ||
	    demo_write(d->softhsm_conf, conf, false) != 0)
		return -1;
	ky_buf_init(&out, 1 << 20);
	r = demo_run_prog(d, argv, &out);
	ky_buf_free(&out);
	return r == 0 ? 0 : -1;
}

static bool node_cmd(struct demo *d, const struct demo_node *n,
		     const char *const *args, const char *what)
{
	struct ky_buf out;
	int st;
	bool ok;

	ky_buf_init(&out, 1 << 20);
	st = demo_run(d, n, args, &out);
	ok = demo_step(d, st == 0, what, st == 0 ? NULL : ky_buf_str(&out));
	ky_buf_free(&out);
	return ok;
}

/* SigmaHQ's Windows process-creation rules, when the shared test data is
 * there ($KYKLOS_SHARED_DATA, else ../shared/data beside the source tree
 * the binary was built in): the certutil download then also matches
 * SigmaHQ's own rules. */
static void find_sigmahq(struct demo *d)
{
	const char *env = getenv("KYKLOS_SHARED_DATA");
	char base[4096], cand[4200];

	if (env && *env)
		snprintf(base, sizeof(base), "%s", env);
	else {
		snprintf(base, sizeof(base), "%s", d->self);
		if (strrchr(base, '/'))
			*strrchr(base, '/') = '\0'; /* build/ */
		strncat(base, "/../../shared/data",
			sizeof(base) - strlen(base) - 1);
	}
	snprintf(cand, sizeof(cand), "%s/sigma/rules/windows/process_creation",
		 base);
	if (realpath(cand, d->sigmahq) == NULL)
		d->sigmahq[0] = '\0';
}

/* ---- setting the circle up ---------------------------------------------- */

static int setup(struct demo *d)
{
	struct demo_node *n = d->n;
	char url[64], listen[64], rules[4400];

	n[CSIRT].pkcs11 = has_softhsm(d) && make_token(d) == 0;
	for (int i = 0; i < 3; i++) {
		struct ky_buf out;
		json_t *id;
		int st;

		snprintf(n[i].home, sizeof(n[i].home), "%s/%s", d->dir,
			 n[i].name);
		ky_buf_init(&out, 1 << 20);
		st = n[i].pkcs11
			     ? demo_run(d, NULL,
					ARGS("init", n[i].home, "--pkcs11",
					     SOFTHSM_MODULE, "--token",
					     "kyklos-demo", "--key-label",
					     "csirt-node", "--pin-env",
					     "KYKLOS_DEMO_PIN"),
					&out)
			     : demo_run(d, NULL, ARGS("init", n[i].home), &out);
		if (!demo_step(d, st == 0, "node created", ky_buf_str(&out))) {
			ky_buf_free(&out);
			return -1;
		}
		ky_buf_free(&out);
		n[i].share_port = i == OT ? 0 : demo_free_port();
		snprintf(listen, sizeof(listen), "127.0.0.1:%d",
			 n[i].share_port);
		if (!node_cmd(d, &n[i],
			      ARGS("config", "set", "node.name", n[i].name,
				   "share.country", n[i].country,
				   "share.pull_interval", "1",
				   "serve.syslog_udp", "127.0.0.1:0",
				   "serve.syslog_tcp", "127.0.0.1:0",
				   "serve.json_tcp", "127.0.0.1:0",
				   "serve.metrics", "127.0.0.1:0",
				   "share.listen", i == OT ? "" : listen),
			      "configured"))
			return -1;
		id = demo_json(d, &n[i], ARGS("identity", "show", "--json"));
		if (!demo_step(d, id != NULL, "identity read", NULL))
			return -1;
		snprintf(n[i].node_id, sizeof(n[i].node_id), "%s",
			 json_string_value(json_object_get(id, "node_id")));
		snprintf(n[i].key, sizeof(n[i].key), "%s",
			 json_string_value(json_object_get(id, "public_key")));
		snprintf(n[i].fingerprint, sizeof(n[i].fingerprint), "%s",
			 json_string_value(json_object_get(id, "fingerprint")));
		json_decref(id);
		demo_say(d, n[i].name, "%s (%s), node %s, key %s", n[i].role,
			 n[i].country, n[i].node_id,
			 n[i].pkcs11 ? "on a SoftHSM2 token (PKCS#11)"
				     : "in a file");
	}
	if (demo_write_scenario(d) != 0)
		return demo_step(d, false, "scenario files written", NULL) - 1;
	/* the SOC: rules, publishing its records, incidents it may share */
	find_sigmahq(d);
	if (d->sigmahq[0])
		snprintf(rules, sizeof(rules), "[rules.yml, \"%s\"]",
			 d->sigmahq);
	else
		snprintf(rules, sizeof(rules), "[rules.yml]");
	demo_say(d, "soc",
		 "rules: the demo's own (SSH, correlations, certutil)%s%s",
		 d->sigmahq[0] ? " and SigmaHQ's Windows process creation from "
			       : "; SigmaHQ's not found (KYKLOS_SHARED_DATA)",
		 d->sigmahq);
	if (!node_cmd(d, &n[SOC],
		      ARGS("config", "set", "detect.rules", rules, "share.tlp",
			   "amber", "incidents.group_by", "host",
			   "incidents.tlp_by_band", "green,amber,amber,amber",
			   "entity.name", "Nordhafen Energie GmbH",
			   "entity.sector", "energy", "entity.subsector",
			   "electricity", "entity.member_state", "DE"),
		      "SOC rules and entity configured") ||
	    !node_cmd(d, &n[CSIRT],
		      ARGS("config", "set", "detect.indicators", "[c2.csv]",
			   "share.tlp", "green"),
		      "CSIRT indicator list configured"))
		return -1;
	/* pins: the SOC pins the CSIRT's key; the CSIRT pins the SOC by the
	 * fingerprint read over the phone; the OT gateway and the SOC pin
	 * each other's keys for bundles */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", n[CSIRT].share_port);
	if (!node_cmd(d, &n[SOC],
		      ARGS("peer", "add", "csirt", url, "--key", n[CSIRT].key,
			   "--country", "EE"),
		      "SOC pins the CSIRT"))
		return -1;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", n[SOC].share_port);
	if (!node_cmd(d, &n[CSIRT],
		      ARGS("peer", "add", "soc", url, "--key",
			   n[SOC].fingerprint, "--country", "DE"),
		      "CSIRT pins the SOC by fingerprint") ||
	    !node_cmd(d, &n[SOC],
		      ARGS("peer", "add", "ot", "--key", n[OT].key, "--country",
			   "DE"),
		      "SOC pins the OT gateway (offline)") ||
	    !node_cmd(d, &n[OT],
		      ARGS("peer", "add", "soc", "--key", n[SOC].key,
			   "--country", "DE"),
		      "OT gateway pins the SOC (offline)"))
		return -1;
	demo_say(d, "circle",
		 "pinned: soc <-> csirt over mutual TLS (csirt pinned soc by "
		 "fingerprint %.14s...), soc -> ot by offline bundle",
		 n[SOC].fingerprint);
	/* the SOC's inventory and the advisory */
	{
		char a[4300], s[4300], adv[4300];

		snprintf(a, sizeof(a), "%s/assets.csv", n[SOC].home);
		snprintf(s, sizeof(s), "%s/jump01.cdx.json", n[SOC].home);
		snprintf(adv, sizeof(adv), "%s/advisory.json", d->dir);
		if (!node_cmd(d, &n[SOC], ARGS("assets", "import", a),
			      "SOC inventory imported") ||
		    !node_cmd(d, &n[SOC], ARGS("assets", "import", s),
			      "jump01's SBOM imported") ||
		    !node_cmd(d, &n[SOC], ARGS("vulns", "import", adv),
			      "CSAF advisory imported"))
			return -1;
	}
	for (int i = 0; i < 3; i++)
		if (!demo_step(d, demo_start(d, &n[i]) == 0,
			       n[i].name[0] == 'c'   ? "csirt serving"
			       : n[i].name[0] == 's' ? "soc serving"
						     : "ot serving",
			       "see its log in the demo directory"))
			return -1;
	demo_say(d, "circle",
		 "three `kyklos serve` processes up (pids %d %d %d)",
		 (int)n[0].pid, (int)n[1].pid, (int)n[2].pid);
	return 0;
}

static void usage(void)
{
	ky_cli_error("usage: kyklos demo [--keep] [--check] [--dir DIR]");
}

int ky_cmd_demo(struct ky_cli *cli, int argc, char **argv)
{
	struct demo *d = calloc(1, sizeof(*d));
	const char *dir = NULL;
	bool made = false;
	ssize_t k;
	int rc = 1;

	(void)cli;
	if (d == NULL)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep") == 0)
			d->keep = true;
		else if (strcmp(argv[i], "--check") == 0)
			d->check = true;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else {
			usage();
			free(d);
			return 2;
		}
	}
	d->n[CSIRT] = (struct demo_node){
		.name = "csirt", .role = "national CSIRT", .country = "EE"};
	d->n[SOC] = (struct demo_node){.name = "soc",
				       .role = "energy operator's SOC",
				       .country = "DE"};
	d->n[OT] = (struct demo_node){.name = "ot",
				      .role = "OT gateway (offline segment)",
				      .country = "DE"};
	if ((k = readlink("/proc/self/exe", d->self, sizeof(d->self) - 1)) <=
	    0) {
		ky_cli_error("demo: cannot find this executable");
		goto out;
	}
	d->self[k] = '\0';
	if (dir != NULL) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			ky_cli_error("demo: %s: %s", dir, strerror(errno));
			goto out;
		}
		if (realpath(dir, d->dir) == NULL) {
			ky_cli_error("demo: %s: %s", dir, strerror(errno));
			goto out;
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(d->dir, sizeof(d->dir), "%s/kyklos-demo-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(d->dir) == NULL) {
			ky_cli_error("demo: %s: %s", d->dir, strerror(errno));
			goto out;
		}
		made = true;
	}
	d->t0 = ky_time_mono_ns();
	printf("kyklos demo: a circle of three nodes in %s\n\n", d->dir);
	fflush(stdout);
	if (setup(d) == 0)
		demo_timeline(d);
	rc = d->failed ? 1 : 0;
	if (d->keep) { /* failed or not: to look at it */
		printf("\nThe circle keeps running (--keep):\n");
		for (int i = 0; i < 3; i++)
			printf("  %-5s pid %-7d home %s  syslog tcp %s  json "
			       "tcp %s  metrics http://%s/metrics\n",
			       d->n[i].name, (int)d->n[i].pid, d->n[i].home,
			       d->n[i].syslog_tcp, d->n[i].json_tcp,
			       d->n[i].metrics);
		printf("Stop it with: kill %d %d %d\n", (int)d->n[0].pid,
		       (int)d->n[1].pid, (int)d->n[2].pid);
		if (d->softhsm_conf[0])
			printf("(the csirt's commands need "
			       "SOFTHSM2_CONF=%s KYKLOS_DEMO_PIN=4711)\n",
			       d->softhsm_conf);
	} else {
		for (int i = 0; i < 3; i++)
			demo_stop(d, &d->n[i]);
		printf("\n%s: every process stopped.%s\n",
		       rc == 0 ? "demo done" : "demo FAILED",
		       rc != 0 ? " The nodes' logs are in the demo directory."
			       : "");
		(void)made;
	}
	if (d->failed)
		printf("%d step%s failed.\n", d->failed,
		       d->failed == 1 ? "" : "s");
out:
	free(d);
	return rc;
}
