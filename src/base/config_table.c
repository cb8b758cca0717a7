/* The configuration keys of a node, declared once (name, type, default,
 * bounds, help), and the three writers the table drives: the effective
 * configuration, the commented default kyklos.yaml and the Markdown docs. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"

#define KEY(k, t, field, d, lo, hi, ch, h)                                     \
	{                                                                      \
		.key = (k), .type = (t),                                       \
		.offset = offsetof(struct ky_config, field), .def = (d),       \
		.min = (lo), .max = (hi), .choices = (ch), .help = (h),        \
	}
#define STR(k, field, d, h) KEY(k, KY_CT_STRING, field, d, 0, 0, NULL, h)
#define INT(k, field, d, lo, hi, h) KEY(k, KY_CT_INT, field, d, lo, hi, NULL, h)
#define BOOL(k, field, d, h) KEY(k, KY_CT_BOOL, field, d, 0, 0, NULL, h)
#define ENUM(k, field, d, ch, h) KEY(k, KY_CT_ENUM, field, d, 0, 0, ch, h)
#define LIST(k, t, field, h) KEY(k, t, field, "", 0, 0, NULL, h)

/* Keys of one section must stay together: the writers emit a section
 * header whenever the prefix changes. */
const struct ky_config_key ky_config_keys[] = {
	STR("node.name", node_name, "",
	    "Name of this node, shown in logs and metrics and to the peers of "
	    "its circle."),

	ENUM("log.level", log_level, "info", "error|warn|info|debug",
	     "Least severe level written to the log (stderr)."),
	ENUM("log.format", log_format, "text", "text|json",
	     "Log line format: text for people, json for log collectors."),

	INT("limits.max_line", max_line, "65536", 64, 16777216,
	    "Longest input line (one event) accepted, in bytes; longer lines "
	    "are rejected to the dead-letter folder."),
	INT("limits.max_fields", max_fields, "1024", 8, 65536,
	    "Most fields one event may carry; events with more are rejected."),
	INT("limits.max_depth", max_depth, "64", 2, 1024,
	    "Deepest nesting of objects and arrays accepted in a JSON event."),

	ENUM("ingest.format", ingest_format, "auto",
	     "auto|json|syslog5424|syslog3164|cef|raw",
	     "Input format; auto recognises JSON, syslog (RFC 5424 and 3164) "
	     "and CEF line by line, raw keeps the line as the message."),
	INT("ingest.batch_size", batch_size, "256", 1, 65536,
	    "Events parsed and stored per batch (one store transaction)."),
	BOOL("ingest.deadletter", deadletter, "true",
	     "Keep rejected input lines, with the reason, under deadletter/."),
	INT("ingest.deadletter_max_bytes", deadletter_max_bytes, "64MiB", 4096,
	    INT64_C(1) << 40,
	    "Size in bytes at which a dead-letter file is rotated."),

	BOOL("fieldmap.builtin", fieldmap_builtin, "true",
	     "Apply the built-in mapping of Windows, Sysmon and common field "
	     "names to ECS names."),
	LIST("fieldmap.rules", KY_CT_MAPRULES, maprules,
	     "Extra mapping rules, applied after the built-in ones: "
	     "`{from: a.b, to: c.d}` renames a path; a `from` ending in `.` "
	     "with `to: \"\"` strips that prefix from every path."),
	LIST("fieldmap.time_fields", KY_CT_STRLIST, time_fields,
	     "Fields tried, in order, for the event time; empty means the "
	     "built-in list."),

	BOOL("extract.builtin", extract_builtin, "true",
	     "Run the built-in extraction patterns on syslog messages."),
	LIST("extract.patterns", KY_CT_PATTERNS, patterns,
	     "User extraction patterns: `{name, program, pattern}`; `program` "
	     "(optional) limits a pattern to messages of one program; see "
	     "docs/extraction.md."),

	LIST("detect.rules", KY_CT_STRLIST, detect_rules,
	     "Sigma rule files, or directories searched recursively for .yml "
	     "and .yaml files; relative paths are relative to the node "
	     "directory."),
	LIST("detect.indicators", KY_CT_STRLIST, detect_indicators,
	     "Indicator lists: plain lists, one indicator a line; files "
	     "ending in .csv are read as CSV with the field or fields each "
	     "indicator applies to."),
	LIST("detect.warning_lists", KY_CT_STRLIST, detect_warning_lists,
	     "Warning lists: known-benign values (same formats as indicator "
	     "lists) that suppress indicator matches."),
	STR("detect.logsources", detect_logsources, "",
	    "Logsource map, in the format of SigmaHQ's tests/thor.yml, that "
	    "ties a rule's product, category and service to event fields; "
	    "empty means the built-in map."),
	LIST("detect.placeholders", KY_CT_PLACEHOLDERS, placeholders,
	     "Values of the placeholders (`%name%`) of Sigma's expand "
	     "modifier: a map of name, without the % signs, to a list of "
	     "strings or to one string; a rule whose placeholder is not here "
	     "is rejected."),
	BOOL("detect.store_alerts", detect_store_alerts, "true",
	     "Keep every alert in the store (kyklos serve)."),
	INT("detect.correlation_max_groups", corr_max_groups, "100000", 1,
	    100000000,
	    "Most correlation groups held at once; when full, the least "
	    "recently updated group is evicted (evictions are counted)."),
	INT("detect.correlation_max_events", corr_max_events, "10000", 1,
	    10000000, "Most event times kept per correlation group."),
	INT("detect.correlation_lateness", corr_lateness, "60", 0, 86400,
	    "Seconds an event may arrive out of event-time order and still "
	    "count in correlation windows."),
	INT("detect.correlation_save_interval", corr_save_interval, "60", 1,
	    86400,
	    "Seconds between saves of the correlation state to the store by "
	    "kyklos serve (it is also saved at stop)."),

	STR("serve.syslog_udp", syslog_udp, "127.0.0.1:5514",
	    "Address (host:port) for syslog over UDP; empty disables it."),
	STR("serve.syslog_tcp", syslog_tcp, "127.0.0.1:5514",
	    "Address for syslog over TCP; empty disables it."),
	STR("serve.syslog_tls", syslog_tls, "",
	    "Address for syslog over TLS (needs tls_cert and tls_key); empty "
	    "disables it."),
	STR("serve.json_tcp", json_tcp, "127.0.0.1:5515",
	    "Address for JSON lines over TCP; empty disables it."),
	STR("serve.metrics", metrics, "127.0.0.1:9514",
	    "Address of the Prometheus metrics endpoint (/metrics); empty "
	    "disables it."),
	STR("serve.tls_cert", tls_cert, "",
	    "PEM certificate chain of the TLS listener, relative to the node "
	    "directory."),
	STR("serve.tls_key", tls_key, "",
	    "PEM private key of the TLS listener, relative to the node "
	    "directory."),
	STR("serve.tls_ca", tls_ca, "",
	    "PEM CA certificates; when set, TLS clients must present a "
	    "certificate issued by one of them."),
	INT("serve.workers", workers, "2", 1, 64, "Parser worker threads."),
	INT("serve.queue_depth", queue_depth, "64", 1, 65536,
	    "Batches each worker queue holds before input applies "
	    "back-pressure (TCP) or drops (UDP)."),
	INT("serve.max_connections", max_connections, "1024", 1, 1048576,
	    "Most simultaneous TCP and TLS connections; further ones are "
	    "refused."),
	INT("serve.idle_timeout", idle_timeout, "300", 1, 86400,
	    "Seconds after which an idle TCP or TLS connection is closed."),

	STR("incidents.group_by", inc_group_by, "rule,host",
	    "Alert fields an incident is keyed on, comma-separated: any of "
	    "rule, host, user, src_ip; empty puts every alert of the window in "
	    "one incident."),
	INT("incidents.window", inc_window, "3600", 1, 30 * 86400,
	    "Seconds: an alert joins an open incident of its key whose span "
	    "is within this of the alert's time."),
	INT("incidents.dedup", inc_dedup, "60", 0, 86400,
	    "Seconds: an alert with the same rule, host, user and address as "
	    "an earlier one within this is folded into its count (0: off)."),
	INT("incidents.default_criticality", inc_default_crit, "3", 1, 5,
	    "Criticality (1-5) of an alert's asset when the inventory does not "
	    "know it."),
	STR("incidents.tlp_by_band", inc_tlp_by_band,
	    "green,amber,amber,amber+strict",
	    "Default TLP 2.0 marking of incidents by severity band (low, "
	    "medium, high, critical)."),
	STR("incidents.pap_by_band", inc_pap_by_band, "green,amber,amber,red",
	    "Default PAP marking of incidents by severity band."),
	INT("incidents.due_soon", inc_due_soon, "6", 0, 720,
	    "Hours before a NIS2/CRA deadline from which `kyklos incidents "
	    "due` lists the stage as due soon."),

	STR("entity.name", entity_name, "",
	    "Legal name of the entity this node reports for (NIS2 and CRA "
	    "reports)."),
	STR("entity.sector", entity_sector, "",
	    "NIS2 sector of the entity: a code of the MISP nis2 taxonomy "
	    "(e.g. energy, health, digital-infrastructure)."),
	STR("entity.subsector", entity_subsector, "",
	    "NIS2 subsector code (e.g. electricity), when the sector has "
	    "subsectors."),
	STR("entity.member_state", entity_member_state, "",
	    "Member state of establishment, ISO 3166-1 alpha-2 (EL for "
	    "Greece)."),
	STR("entity.time_zone", entity_time_zone, "UTC",
	    "IANA time zone in which calendar-month deadlines are counted "
	    "(e.g. Europe/Berlin)."),
	BOOL("entity.trust_service_provider", entity_trust_service, "false",
	     "A trust service provider: the NIS2 notification is due 24 h "
	     "after awareness instead of 72 h."),
	BOOL("entity.manufacturer", entity_manufacturer, "false",
	     "A manufacturer of products with digital elements: CRA Art. 14 "
	     "reporting applies."),

	ENUM("keystore.backend", ks_backend, "file", "file|pkcs11",
	     "Where the node's signing key lives: a PEM file, or a PKCS#11 "
	     "token (smart card, HSM, SoftHSM2, TPM through tpm2-pkcs11)."),
	ENUM("keystore.algorithm", ks_algorithm, "ed25519",
	     "ed25519|ecdsa-p256",
	     "Algorithm of a key that kyklos init creates (TPM 2.0 tokens "
	     "need ecdsa-p256)."),
	STR("keystore.key_file", ks_key_file, "keys/node.key",
	    "PEM private key of the file backend, relative to the node "
	    "directory; mode 0600, refused when others can read it."),
	STR("keystore.passphrase_file", ks_passphrase_file, "",
	    "File whose first line is the passphrase of an encrypted key "
	    "file; empty: none (or passphrase_env)."),
	STR("keystore.passphrase_env", ks_passphrase_env, "",
	    "Environment variable holding the passphrase of an encrypted "
	    "key file."),
	STR("keystore.module", ks_module, "",
	    "Path of the PKCS#11 module (e.g. "
	    "/usr/lib/softhsm/libsofthsm2.so)."),
	STR("keystore.token", ks_token, "",
	    "Label of the PKCS#11 token holding the key."),
	STR("keystore.key_label", ks_key_label, "kyklos-node",
	    "CKA_LABEL of the key pair on the token."),
	STR("keystore.key_id", ks_key_id, "",
	    "CKA_ID of the key pair on the token, in hex (optional)."),
	STR("keystore.pin_file", ks_pin_file, "",
	    "File whose first line is the token's user PIN (never on the "
	    "command line)."),
	STR("keystore.pin_env", ks_pin_env, "",
	    "Environment variable holding the token's user PIN."),

	STR("ledger.dir", ledger_dir, "data/ledger",
	    "Directory of the node's Merkle log, relative to the node "
	    "directory."),
	STR("ledger.origin", ledger_origin, "",
	    "Origin line of the node's checkpoints and name of its keys in "
	    "signed notes; empty: kyklos/<node id>."),

	STR("share.policy", share_policy, "policy.yaml",
	    "The sharing policy (docs/policy.md), relative to the node "
	    "directory; without it nothing leaves the node."),
	STR("share.circle_key", share_circle_key, "keys/circle.key",
	    "The circle's pseudonymisation key (64 hex digits, mode 0600), "
	    "shared by every node of the circle; without it rules that "
	    "pseudonymise remove instead."),
	STR("share.listen", share_listen, "",
	    "Address and port of the sync endpoint (HTTPS, TLS 1.3, mutual "
	    "authentication), e.g. 127.0.0.1:7443; empty: no endpoint, the "
	    "node only pulls."),
	STR("share.url", share_url, "",
	    "The URL peers reach this node at (given to them with its key)."),
	STR("share.country", share_country, "",
	    "ISO 3166-1 country code of this node (EL for Greece), told to "
	    "peers for their jurisdiction rules."),
	ENUM("share.tlp", share_tlp, "amber",
	     "clear|green|amber|amber+strict|red",
	     "TLP 2.0 marking of what the node publishes from its own records "
	     "(observed data of alerts, indicators of its lists, "
	     "vulnerabilities of its advisories); incidents carry their own."),
	INT("share.pull_interval", share_pull_interval, "30", 1, 86400,
	    "Seconds between pulls from each peer when no push arrives."),
	INT("share.batch_limit", share_batch_limit, "10000", 1, 100000,
	    "Changes per sync batch."),
	INT("share.retention", share_retention, "30", 0, 36500,
	    "Days after which versions of an object that a newer version "
	    "replaced leave the change log (the current version of every "
	    "object stays; a peer that pulls later gets the newer one). 0 "
	    "keeps every version."),

	STR("taxii.listen", taxii_listen, "",
	    "Address and port of the TAXII 2.1 server (HTTPS with the node's "
	    "TLS certificate; clients authenticate with HTTP Basic or a "
	    "bearer token, see `kyklos taxii client add`); empty: off."),

	STR("store.path", store_path, "data/kyklos.db",
	    "SQLite database file, relative to the node directory."),
	INT("store.busy_timeout_ms", busy_timeout_ms, "5000", 0, 600000,
	    "How long a store connection waits for a lock, in milliseconds."),

	{.key = NULL},
};

/* Length of the section prefix ("serve" in "serve.workers"). */
static size_t section_len(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot ? (size_t)(dot - key) : strlen(key);
}

static bool same_section(const char *a, const char *b)
{
	size_t n = section_len(a);

	return b != NULL && section_len(b) == n && memcmp(a, b, n) == 0;
}

/* A double-quoted YAML scalar.  Only ASCII control characters, quote and
 * backslash are escaped; other bytes pass through as the parser gave them. */
static int add_quoted(struct ky_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	int r;

	if ((r = ky_buf_addc(out, '"')) != 0)
		return r;
	for (p = (const unsigned char *)s; *p != '\0' && r == 0; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = {'\\', (char)*p};
			r = ky_buf_add(out, esc, 2);
		} else if (*p == '\n') {
			r = ky_buf_adds(out, "\\n");
		} else if (*p == '\t') {
			r = ky_buf_adds(out, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[4] = {'\\', 'x', hex[*p >> 4], hex[*p & 15]};
			r = ky_buf_add(out, esc, 4);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls; NEL would read back as a line break. */
			char esc[4] = {'\\', 'x', hex[p[1] >> 4],
				       hex[p[1] & 15]};
			r = ky_buf_add(out, esc, 4);
			p++;
		} else if ((p[0] == 0xe2 && p[1] == 0x80 &&
			    (p[2] == 0xa8 || p[2] == 0xa9)) ||
			   (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)) {
			/* Line and paragraph separators, byte order mark. */
			r = ky_buf_adds(out, p[0] == 0xef   ? "\\uFEFF"
					     : p[2] == 0xa8 ? "\\L"
							    : "\\P");
			p += 2;
		} else {
			r = ky_buf_addc(out, (char)*p);
		}
	}
	if (r == 0)
		r = ky_buf_addc(out, '"');
	return r;
}

static int show_item(struct ky_buf *out, const char *name, const char *val,
		     bool first)
{
	int r;

	if (val == NULL)
		return 0;
	r = ky_buf_addf(out, "\n    %s%s: ", first ? "- " : "  ", name);
	if (r == 0)
		r = add_quoted(out, val);
	return r;
}

/* name: [values] as a block map; names are quoted like any value. */
static int show_placeholders(const struct ky_config *cfg, struct ky_buf *out)
{
	size_t i, j;
	int r = 0;

	if (cfg->nplaceholders == 0)
		return ky_buf_adds(out, " {}");
	for (i = 0; i < cfg->nplaceholders && r == 0; i++) {
		const struct ky_config_placeholder *p = &cfg->placeholders[i];
		r = ky_buf_adds(out, "\n    ");
		if (r == 0)
			r = add_quoted(out, p->name);
		if (r == 0)
			r = ky_buf_adds(out, p->values.n ? ":" : ": []");
		for (j = 0; j < p->values.n && r == 0; j++) {
			r = ky_buf_adds(out, "\n      - ");
			if (r == 0)
				r = add_quoted(out, p->values.v[j]);
		}
	}
	return r;
}

static int show_value(const struct ky_config *cfg,
		      const struct ky_config_key *k, struct ky_buf *out)
{
	const char *base = (const char *)cfg + k->offset;
	const struct ky_strlist *sl = (const void *)base;
	size_t i, n = 0;
	int r = 0;

	if (k->type < KY_CT_STRLIST && (r = ky_buf_addc(out, ' ')) != 0)
		return r;
	switch (k->type) {
	case KY_CT_STRING:
	case KY_CT_ENUM: {
		const char *s = *(char *const *)(const void *)base;
		return add_quoted(out, s ? s : "");
	}
	case KY_CT_INT:
		return ky_buf_addf(
			out, "%lld",
			(long long)*(const int64_t *)(const void *)base);
	case KY_CT_BOOL:
		return ky_buf_adds(out, *(const bool *)(const void *)base
						? "true"
						: "false");
	case KY_CT_STRLIST:
		n = sl->n;
		break;
	case KY_CT_MAPRULES:
		n = cfg->nmaprules;
		break;
	case KY_CT_PATTERNS:
		n = cfg->npatterns;
		break;
	case KY_CT_PLACEHOLDERS:
		return show_placeholders(cfg, out);
	}
	if (n == 0)
		return ky_buf_adds(out, " []");
	for (i = 0; i < n && r == 0; i++) {
		if (k->type == KY_CT_STRLIST) {
			r = ky_buf_adds(out, "\n    - ");
			if (r == 0)
				r = add_quoted(out, sl->v[i]);
		} else if (k->type == KY_CT_MAPRULES) {
			const struct ky_config_maprule *m = &cfg->maprules[i];
			r = show_item(out, "from", m->from, true);
			if (r == 0)
				r = show_item(out, "to", m->to, false);
		} else {
			const struct ky_config_pattern *p = &cfg->patterns[i];
			r = show_item(out, "name", p->name, true);
			if (r == 0)
				r = show_item(out, "program", p->program,
					      false);
			if (r == 0)
				r = show_item(out, "pattern", p->pattern,
					      false);
		}
	}
	return r;
}

static int section_header(struct ky_buf *out, const struct ky_config_key *k,
			  const char **prev, bool blank)
{
	int r = 0;

	if (same_section(k->key, *prev))
		return 0;
	if (blank && *prev != NULL)
		r = ky_buf_addc(out, '\n');
	if (r == 0)
		r = ky_buf_addf(out, "%.*s:\n", (int)section_len(k->key),
				k->key);
	*prev = k->key;
	return r;
}

int ky_config_show(const struct ky_config *cfg, struct ky_buf *out)
{
	const struct ky_config_key *k;
	const char *prev = NULL;
	int r = 0;

	for (k = ky_config_keys; k->key != NULL && r == 0; k++) {
		r = section_header(out, k, &prev, false);
		if (r == 0)
			r = ky_buf_addf(
				out, "  %s:", k->key + section_len(k->key) + 1);
		if (r == 0)
			r = show_value(cfg, k, out);
		if (r == 0)
			r = ky_buf_addc(out, '\n');
	}
	return r;
}

/* Writes text as comment lines of at most ~78 columns. */
static int add_wrapped(struct ky_buf *out, const char *prefix, const char *text)
{
	const size_t width = 76;
	size_t plen = strlen(prefix), col = 0;
	const char *p = text;
	int r = 0;

	while (*p != '\0' && r == 0) {
		size_t w = strcspn(p, " ");
		if (col == 0) {
			r = ky_buf_adds(out, prefix);
			col = plen;
		} else if (col + 1 + w > width) {
			r = ky_buf_addc(out, '\n');
			col = 0;
			continue;
		} else {
			r = ky_buf_addc(out, ' ');
			col++;
		}
		if (r == 0)
			r = ky_buf_add(out, p, w);
		col += w;
		p += w;
		p += strspn(p, " ");
	}
	if (r == 0 && col > 0)
		r = ky_buf_addc(out, '\n');
	return r;
}

static const char *type_name(const struct ky_config_key *k)
{
	switch (k->type) {
	case KY_CT_STRING:
		return "string";
	case KY_CT_INT:
		return "integer";
	case KY_CT_BOOL:
		return "boolean";
	case KY_CT_ENUM:
		return "enum";
	case KY_CT_STRLIST:
		return "list of strings";
	case KY_CT_MAPRULES:
		return "list of {from, to}";
	case KY_CT_PATTERNS:
		return "list of {name, program, pattern}";
	case KY_CT_PLACEHOLDERS:
		return "map of name to list of strings";
	}
	return "?";
}

/* "64 to 16777216", "error, warn, info, debug" or "" for other types. */
static int add_bounds(struct ky_buf *out, const struct ky_config_key *k,
		      bool code)
{
	const char *p, *q;
	int r = 0;

	if (k->type == KY_CT_INT)
		return ky_buf_addf(out, "%lld to %lld", (long long)k->min,
				   (long long)k->max);
	if (k->type != KY_CT_ENUM)
		return 0;
	for (p = k->choices; r == 0; p = q + 1) {
		q = strchr(p, '|');
		if (q == NULL)
			q = p + strlen(p);
		r = ky_buf_addf(out, "%s%s%.*s%s", p == k->choices ? "" : ", ",
				code ? "`" : "", (int)(q - p), p,
				code ? "`" : "");
		if (*q == '\0')
			break;
	}
	return r;
}

static const char default_intro[] =
	"# kyklos node configuration, written by `kyklos init`.\n"
	"#\n"
	"# Every key is listed with its help and its default value, commented\n"
	"# out: uncomment a line and edit it to change a setting.  Integers\n"
	"# accept the size suffixes KiB, MiB, GiB and TiB.  Relative paths "
	"are\n"
	"# relative to the node directory.  `kyklos config check` validates\n"
	"# this file; `kyklos config show` prints the effective "
	"configuration.\n"
	"# The keys are documented in docs/configuration.md.\n";

/* A map is easier to get right from an example than from its type. */
static const char placeholders_example[] =
	"  # For example:\n"
	"  #   placeholders:\n"
	"  #     Admins_Workstations: [ws-admin-01, ws-admin-02]\n"
	"  #     internal_domain: corp.example\n";

int ky_config_write_default(struct ky_buf *out)
{
	const struct ky_config_key *k;
	const char *prev = NULL;
	int r;

	r = ky_buf_adds(out, default_intro);
	for (k = ky_config_keys; k->key != NULL && r == 0; k++) {
		const char *name = k->key + section_len(k->key) + 1;
		if (prev == NULL)
			r = ky_buf_addc(out, '\n');
		if (r == 0)
			r = section_header(out, k, &prev, true);
		if (r == 0)
			r = add_wrapped(out, "  # ", k->help);
		if (r == 0 && (k->type == KY_CT_INT || k->type == KY_CT_ENUM)) {
			r = ky_buf_adds(out, k->type == KY_CT_INT
						     ? "  # Range: "
						     : "  # One of: ");
			if (r == 0)
				r = add_bounds(out, k, false);
			if (r == 0)
				r = ky_buf_addc(out, '\n');
		}
		if (r == 0 && k->type == KY_CT_PLACEHOLDERS)
			r = ky_buf_adds(out, placeholders_example);
		if (r == 0)
			r = ky_buf_addf(out, "  #%s: ", name);
		if (r == 0 && k->type == KY_CT_STRING)
			r = add_quoted(out, k->def);
		else if (r == 0 && k->type == KY_CT_PLACEHOLDERS)
			r = ky_buf_adds(out, "{}");
		else if (r == 0 && k->type >= KY_CT_STRLIST)
			r = ky_buf_adds(out, "[]");
		else if (r == 0)
			r = ky_buf_adds(out, k->def);
		if (r == 0)
			r = ky_buf_adds(
				out, k[1].key != NULL && same_section(k[1].key,
								      k->key)
					     ? "\n\n"
					     : "\n");
	}
	return r;
}

/* Markdown table cells: a '|' would end the cell. */
static int add_cell(struct ky_buf *out, const char *s)
{
	int r = 0;

	for (; *s != '\0' && r == 0; s++)
		r = *s == '|' ? ky_buf_adds(out, "\\|") : ky_buf_addc(out, *s);
	return r;
}

static const char markdown_intro[] =
	"# Configuration\n"
	"\n"
	"<!-- Generated by `kyklos config docs` from src/base/config_table.c;"
	" do not edit. -->\n"
	"\n"
	"A node reads `kyklos.yaml` in its directory (`--home DIR`, else\n"
	"`$KYKLOS_HOME`, else the current directory).  `kyklos init DIR` "
	"writes\n"
	"the file with every key below commented out at its default.  The "
	"file is\n"
	"a map of sections, each a map of keys:\n"
	"\n"
	"```yaml\n"
	"serve:\n"
	"  syslog_udp: \"0.0.0.0:514\"\n"
	"  workers: 4\n"
	"fieldmap:\n"
	"  rules:\n"
	"    - {from: \"winlog.event_data.\", to: \"\"}\n"
	"```\n"
	"\n"
	"Unknown keys, duplicate keys, values of the wrong type, integers out "
	"of\n"
	"range and values outside an enum are errors that name the file, line "
	"and\n"
	"column.  Integers accept the size suffixes `KiB`, `MiB`, `GiB` and "
	"`TiB`\n"
	"(powers of 1024).  Booleans are `true` or `false` (`yes`/`no`, "
	"`on`/`off`\n"
	"also work).  Relative paths are relative to the node directory.\n"
	"`kyklos config check [FILE]` validates a file and `kyklos config "
	"show`\n"
	"prints the effective configuration (`--json` for JSON).\n"
	"\n"
	"| Key | Type | Default | Bounds | Description |\n"
	"| --- | --- | --- | --- | --- |\n";

static const char markdown_outro[] =
	"\n"
	"`detect.placeholders` gives the values of the placeholders that "
	"Sigma\n"
	"rules write as `%name%` under an `|expand` modifier; such a value "
	"matches\n"
	"any of the placeholder's values:\n"
	"\n"
	"```yaml\n"
	"detect:\n"
	"  placeholders:\n"
	"    Admins_Workstations: [ws-admin-01, ws-admin-02]\n"
	"    internal_domain: corp.example\n"
	"```\n";

int ky_config_write_markdown(struct ky_buf *out)
{
	const struct ky_config_key *k;
	int r;

	r = ky_buf_adds(out, markdown_intro);
	for (k = ky_config_keys; k->key != NULL && r == 0; k++) {
		r = ky_buf_addf(out, "| `%s` | %s | ", k->key, type_name(k));
		if (r == 0 && k->type == KY_CT_STRING) {
			r = ky_buf_adds(out, "`");
			if (r == 0)
				r = add_quoted(out, k->def);
			if (r == 0)
				r = ky_buf_adds(out, "`");
		} else if (r == 0 && k->type == KY_CT_PLACEHOLDERS) {
			r = ky_buf_adds(out, "`{}`");
		} else if (r == 0 && k->type >= KY_CT_STRLIST) {
			r = ky_buf_adds(out, "`[]`");
		} else if (r == 0) {
			r = ky_buf_addf(out, "`%s`", k->def);
		}
		if (r == 0)
			r = ky_buf_adds(out, " | ");
		if (r == 0)
			r = add_bounds(out, k, true);
		if (r == 0)
			r = ky_buf_adds(out, " | ");
		if (r == 0)
			r = add_cell(out, k->help);
		if (r == 0)
			r = ky_buf_adds(out, " |\n");
	}
	if (r == 0)
		r = ky_buf_adds(out, markdown_outro);
	return r;
}
