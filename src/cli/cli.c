/* The subcommand table: every command of `kyklos`, its usage and its one
 * line of help.  main.c dispatches through it; the man page and the shell
 * completion are generated from it. */
#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

const struct ky_cmd ky_cmds[] = {
	{"init", ky_cmd_init, "init DIR [--algorithm ed25519|ecdsa-p256]",
	 "create a node directory: commented kyklos.yaml, data/, deadletter/ "
	 "and the node's key (its identity), in a file or on a PKCS#11 token"},
	{"config", ky_cmd_config,
	 "config show [--json]|check [FILE]|docs|default|set KEY VALUE...",
	 "print the effective configuration, validate a file, print the "
	 "configuration reference or the commented default file, set keys "
	 "in kyklos.yaml"},
	{"ingest", ky_cmd_ingest,
	 "ingest [--format F] [--print] [--no-store] FILE...|-",
	 "parse events from files or standard input and report what was "
	 "accepted and rejected"},
	{"serve", ky_cmd_serve, "serve",
	 "run the node daemon: syslog UDP/TCP/TLS and JSON inputs, metrics"},
	{"detect", ky_cmd_detect,
	 "detect [-r RULES ...] [-i IOCS ...] [--store] [--format F] "
	 "FILE...|-",
	 "match events from files or standard input against Sigma rules "
	 "and indicator lists; alerts as JSON lines"},
	{"rules", ky_cmd_rules, "rules check|list [--json] PATH...",
	 "load and compile Sigma rules: report what cannot run and why, or "
	 "list them"},
	{"alerts", ky_cmd_alerts, "alerts [--limit N] [--since TIME] [--json]",
	 "list the alerts kept in the node's store, newest first"},
	{"assets", ky_cmd_assets,
	 "assets import [--format csv|json|cyclonedx] [--asset ID] FILE...|"
	 "list [--json]|show ID|link HOST|ADDRESS",
	 "the asset inventory: import (merging), list, show, find the assets "
	 "of a host name or address"},
	{"vulns", ky_cmd_vulns,
	 "vulns import FILE...|check FILE...|list [--json]",
	 "CSAF 2.0 advisories: check the mandatory tests, import, list"},
	{"incidents", ky_cmd_incidents,
	 "incidents list [--all] [--status S] [--json]|show ID|ack|contain|"
	 "resolve|close|false-positive|reopen ID [--why TEXT]|classify ID "
	 "[CLASS/TYPE] [--tlp L] [--pap P]|significant ID [--aware TIME]|"
	 "set ID FIELD VALUE...|due [--within HOURS]",
	 "incidents grouped from the stored alerts: list, show, lifecycle, "
	 "classification, reporting facts and NIS2/CRA deadlines"},
	{"report", ky_cmd_report,
	 "report nis2|cra-incident|cra-vulnerability ID --stage STAGE "
	 "[--json|--markdown] [-o PREFIX]|submit ID --stage STAGE [--regime "
	 "R] [--at TIME]",
	 "the NIS2 / CRA report of one stage, prefilled from the incident, "
	 "with what is still to fill in; record a submission"},
	{"identity", ky_cmd_identity, "identity show [--json]",
	 "the node's identity: node id, public key and the fingerprint to "
	 "compare over the phone"},
	{"ledger", ky_cmd_ledger,
	 "ledger append --kind K --data TEXT|--file F [--peer P] [--policy "
	 "V]|show [INDEX|--last N] [--json]|prove INDEX [--size N]|prove "
	 "--consistency S1 [S2]|verify|checkpoint [--verifier]|cosign NOTE "
	 "--key VERIFIER [--proof FILE]|verify-checkpoint NOTE --key VERIFIER "
	 "[--witness VERIFIER...]",
	 "the node's tamper-evident Merkle log: entries, proofs, full "
	 "verification, signed checkpoints, witness cosignatures"},
	{"peer", ky_cmd_peer,
	 "peer add NAME [URL] --key KEY|FINGERPRINT [--country CC] [--groups "
	 "G,..]|list "
	 "[--json]|show NAME|remove NAME|pause NAME|resume NAME",
	 "the peers this node shares with, each pinned by its public key"},
	{"policy", ky_cmd_policy,
	 "policy check [FILE]|explain PEER OBJECT-ID|FILE [--json]",
	 "check the sharing policy; show field by field what would leave for "
	 "a peer, and why"},
	{"share", ky_cmd_share,
	 "share publish FILE...|objects [--type T] "
	 "[--json]|compact [--older-than DAYS]",
	 "publish STIX objects as this node's (signed, into the change log); "
	 "list the objects held; drop superseded versions from the change "
	 "log"},
	{"bundle", ky_cmd_bundle,
	 "bundle export --peer NAME [--since CHANGE] -o FILE|import FILE",
	 "offline bundles for disconnected peers: signed, numbered, zstd, "
	 "under the same policy"},
	{"taxii", ky_cmd_taxii,
	 "taxii client add NAME [--country CC] [--groups G,..] [--write]|"
	 "client list|client remove NAME",
	 "the clients of the node's TAXII 2.1 server (taxii.listen), each "
	 "with a token and the policy of its name"},
	{"misp", ky_cmd_misp,
	 "misp import FILE|FEED-DIR... [--tlp L]|export [--peer NAME] [--info "
	 "TEXT] -o FILE",
	 "MISP events and feeds in as indicators and sightings; indicators "
	 "out as a MISP event, under a peer's policy"},
	{"stix", ky_cmd_stix, "stix check FILE...|-|examples",
	 "check STIX 2.1 objects (a bundle, an object or JSON lines) as the "
	 "node checks what peers send; print an example of every object the "
	 "node emits"},
	{"demo", ky_cmd_demo, "demo [--keep] [--check] [--dir DIR]",
	 "run a circle of three nodes (CSIRT, SOC, OT gateway) on 127.0.0.1, "
	 "replay an attack into the SOC and show what each node sees"},
	{"man", ky_cmd_man, "man",
	 "print the manual page kyklos(1), made from this table"},
	{"completion", ky_cmd_completion, "completion bash",
	 "print the bash completion script, made from this table"},
	{NULL, NULL, NULL, NULL},
};

void ky_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kyklos: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
