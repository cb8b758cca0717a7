/* Node configuration: kyklos.yaml, declared once in a table (key, type,
 * default, bounds, help) that drives parsing, validation, `kyklos config
 * show`, the commented file written by `kyklos init`, and
 * docs/configuration.md.  Errors name the file, line and column. */
#ifndef KY_BASE_CONFIG_H
#define KY_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ky_buf;
struct ky_hash;

/* A user-defined extraction pattern (see docs/extraction.md). */
struct ky_config_pattern {
	char *name;    /* unique name, shown in reasons and metrics */
	char *program; /* only for messages of this program (NULL = any) */
	char *pattern; /* e.g. "Accepted %{word:auth} for %{word:user.name}" */
};

/* A field-mapping rule: rename a path or strip a prefix from paths. */
struct ky_config_maprule {
	char *from; /* exact path, or prefix ending in '.' for strip rules */
	char *to;   /* new name; "" with a prefix means strip it */
};

struct ky_strlist {
	char **v;
	size_t n;
};

/* A Sigma |expand placeholder and the values it stands for. */
struct ky_config_placeholder {
	char *name; /* without the % signs */
	struct ky_strlist values;
};

struct ky_config {
	/* node */
	char *node_name;
	/* log */
	char *log_level;  /* error|warn|info|debug */
	char *log_format; /* text|json */
	/* limits */
	int64_t max_line;
	int64_t max_fields;
	int64_t max_depth;
	/* ingest */
	char *ingest_format; /* auto|json|syslog5424|syslog3164|cef|raw */
	int64_t batch_size;
	bool deadletter;
	int64_t deadletter_max_bytes; /* per file, then rotated */
	/* fieldmap */
	bool fieldmap_builtin; /* the built-in Windows/ECS mapping */
	struct ky_config_maprule *maprules;
	size_t nmaprules;
	struct ky_strlist time_fields;
	/* extract */
	bool extract_builtin;
	struct ky_config_pattern *patterns;
	size_t npatterns;
	/* serve */
	char *syslog_udp; /* "host:port" or "" to disable */
	char *syslog_tcp;
	char *syslog_tls;
	char *json_tcp;
	char *metrics;
	char *tls_cert; /* PEM paths, relative to the node directory */
	char *tls_key;
	char *tls_ca; /* clients must present a certificate from this CA */
	int64_t workers;
	int64_t queue_depth; /* batches per worker queue */
	int64_t max_connections;
	int64_t idle_timeout; /* seconds */
	/* detect */
	struct ky_strlist detect_rules;	     /* files or directories */
	struct ky_strlist detect_indicators; /* lists; *.csv read as CSV */
	struct ky_strlist detect_warning_lists;
	char *detect_logsources; /* thor.yml-style map; "" = built-in */
	struct ky_config_placeholder *placeholders;
	size_t nplaceholders;
	bool detect_store_alerts;   /* alerts into the store */
	int64_t corr_max_groups;    /* correlation state cap */
	int64_t corr_max_events;    /* event times per group */
	int64_t corr_lateness;	    /* seconds */
	int64_t corr_save_interval; /* seconds between state saves */
	/* incidents */
	char *inc_group_by;	  /* "rule,host": rule|host|user|src_ip */
	int64_t inc_window;	  /* seconds */
	int64_t inc_dedup;	  /* seconds */
	int64_t inc_default_crit; /* 1-5 */
	char *inc_tlp_by_band;	  /* four TLP levels, low..critical */
	char *inc_pap_by_band;
	int64_t inc_due_soon; /* hours */
	/* entity (NIS2 / CRA reports) */
	char *entity_name;
	char *entity_sector; /* code of the NIS2 sector table */
	char *entity_subsector;
	char *entity_member_state; /* ISO 3166-1 alpha-2 */
	char *entity_time_zone;	   /* IANA zone */
	bool entity_trust_service;
	bool entity_manufacturer; /* CRA Art. 14 applies */
	/* keystore (trust/keystore.h) */
	char *ks_backend;   /* file|pkcs11 */
	char *ks_algorithm; /* ed25519|ecdsa-p256, for a new key */
	char *ks_key_file;  /* relative to the node directory */
	char *ks_passphrase_file;
	char *ks_passphrase_env;
	char *ks_module;
	char *ks_token;
	char *ks_key_label;
	char *ks_key_id;
	char *ks_pin_file;
	char *ks_pin_env;
	/* ledger (ledger/log.h) */
	char *ledger_dir; /* relative to the node directory */
	char *ledger_origin;
	/* share (share/) */
	char *share_policy;	/* relative to the node directory */
	char *share_circle_key; /* relative to the node directory */
	char *share_listen;	/* host:port, or "" */
	char *share_url;
	char *share_country;
	char *share_tlp;
	int64_t share_pull_interval; /* seconds */
	int64_t share_batch_limit;
	int64_t share_retention; /* days; 0: every version kept */
	char *taxii_listen;	 /* host:port, or "" */
	/* store */
	char *store_path; /* relative to the node directory */
	int64_t busy_timeout_ms;

	/* not from the file */
	char *home; /* the node directory, absolute */
	char *path; /* the configuration file read, or NULL for defaults */
};

enum ky_config_type {
	KY_CT_STRING,
	KY_CT_INT,
	KY_CT_BOOL,
	KY_CT_ENUM,
	KY_CT_STRLIST,
	KY_CT_MAPRULES,
	KY_CT_PATTERNS,
	KY_CT_PLACEHOLDERS, /* map of name -> list of strings */
};

struct ky_config_key {
	const char *key; /* dotted: "serve.syslog_udp" */
	enum ky_config_type type;
	size_t offset;	     /* into struct ky_config */
	const char *def;     /* default as text ("" for lists) */
	int64_t min, max;    /* KY_CT_INT bounds */
	const char *choices; /* KY_CT_ENUM: "a|b|c" */
	const char *help;
};

/* The table, terminated by an entry with key == NULL. */
extern const struct ky_config_key ky_config_keys[];

/* Fills cfg with defaults.  Returns 0 or KY_E_NOMEM. */
int ky_config_defaults(struct ky_config *cfg);
/* Reads path over the defaults; on error cfg is left with defaults freed
 * and err names "path:line:col". */
int ky_config_load(struct ky_config *cfg, const char *path, struct ky_err *err);
/* Same, from memory (name is used in messages). */
int ky_config_load_mem(struct ky_config *cfg, const char *name,
		       const char *text, size_t len, struct ky_err *err);
void ky_config_free(struct ky_config *cfg);

/* The effective configuration as YAML (`kyklos config show`). */
int ky_config_show(const struct ky_config *cfg, struct ky_buf *out);
/* The commented default file written by `kyklos init`. */
int ky_config_write_default(struct ky_buf *out);
/* docs/configuration.md. */
int ky_config_write_markdown(struct ky_buf *out);

/* The placeholders as a hash table name -> struct ky_strlist * (borrowing
 * cfg's lists), for ky_ruleset_opts.placeholders (detect/ruleset.h); NULL
 * (and 0) when there are none.  Free with ky_hash_free. */
int ky_config_placeholder_table(const struct ky_config *cfg,
				struct ky_hash **out);

/* Finds the node directory: --home, else $KYKLOS_HOME, else the current
 * directory; it must contain kyklos.yaml.  On success *home is malloc'd. */
int ky_config_find_home(const char *opt_home, char **home, struct ky_err *err);

#endif
