/* Sigma rules as data: the YAML of detection, correlation and filter rules
 * (Sigma specification v2) read into plain structures with the position of
 * every item, before any compilation.  The loader checks the shape (keys,
 * types, modifier names); what the engine can run is decided by the
 * compiler (detect/ruleset.h), which reports unsupported constructs with
 * the rule's file, line and reason. */
#ifndef KY_DETECT_SIGMA_H
#define KY_DETECT_SIGMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Value modifiers, one bit each (the Sigma modifiers appendix). */
#define KY_SIGMA_MODIFIERS(X)                                                  \
	X(CONTAINS, "contains")                                                \
	X(STARTSWITH, "startswith")                                            \
	X(ENDSWITH, "endswith")                                                \
	X(ALL, "all")                                                          \
	X(EXISTS, "exists")                                                    \
	X(CASED, "cased")                                                      \
	X(NEQ, "neq")                                                          \
	X(WINDASH, "windash")                                                  \
	X(RE, "re")                                                            \
	X(RE_I, "i")                                                           \
	X(RE_M, "m")                                                           \
	X(RE_S, "s")                                                           \
	X(BASE64, "base64")                                                    \
	X(BASE64OFFSET, "base64offset")                                        \
	X(UTF16LE, "utf16le")                                                  \
	X(WIDE, "wide")                                                        \
	X(UTF16BE, "utf16be")                                                  \
	X(UTF16, "utf16")                                                      \
	X(GT, "gt")                                                            \
	X(GTE, "gte")                                                          \
	X(LT, "lt")                                                            \
	X(LTE, "lte")                                                          \
	X(MINUTE, "minute")                                                    \
	X(HOUR, "hour")                                                        \
	X(DAY, "day")                                                          \
	X(WEEK, "week")                                                        \
	X(MONTH, "month")                                                      \
	X(YEAR, "year")                                                        \
	X(CIDR, "cidr")                                                        \
	X(EXPAND, "expand")                                                    \
	X(FIELDREF, "fieldref")

enum ky_sigma_mod_bit {
#define KY__SIGMA_MOD_BIT(name, text) KY_SIGMA_MODBIT_##name,
	KY_SIGMA_MODIFIERS(KY__SIGMA_MOD_BIT)
#undef KY__SIGMA_MOD_BIT
		KY_SIGMA_NMODS
};

#define KY_SIGMA_MOD(name) ((uint64_t)1 << KY_SIGMA_MODBIT_##name)

/* Name of modifier bit b ("contains"), NULL past the end. */
const char *ky_sigma_mod_name(unsigned b);

enum ky_sigma_vtype {
	KY_SV_STRING = 0, /* s as written (wildcards and escapes intact) */
	KY_SV_INT,
	KY_SV_FLOAT,
	KY_SV_BOOL,
	KY_SV_NULL,
};

struct ky_sigma_value {
	enum ky_sigma_vtype type;
	char *s; /* the text of every type, NUL-terminated */
	size_t len;
	int64_t i;
	double f;
	bool b;
};

/* "field|mod1|mod2: value(s)", or a keyword (field == NULL). */
struct ky_sigma_item {
	char *field;	      /* NULL: keywords, matched against all values */
	uint64_t mods;	      /* KY_SIGMA_MOD() bits, in any order */
	uint8_t modorder[16]; /* bits in the order written (encodings chain) */
	uint8_t nmodorder;
	struct ky_sigma_value *values; /* OR of them, AND with |all */
	size_t nvalues;
	uint32_t line, col;
};

/* AND of items (one YAML map). */
struct ky_sigma_group {
	struct ky_sigma_item *items;
	size_t nitems;
};

/* A search identifier: OR of groups (a list of maps), one group (a map),
 * or one group holding one keyword item (a list of strings). */
struct ky_sigma_search {
	char *name;
	struct ky_sigma_group *groups;
	size_t ngroups;
	uint32_t line, col;
};

enum ky_sigma_kind {
	KY_SIGMA_DETECTION = 0,
	KY_SIGMA_CORRELATION,
	KY_SIGMA_FILTER,
};

enum ky_sigma_level {
	KY_SIGMA_INFORMATIONAL = 0,
	KY_SIGMA_LOW,
	KY_SIGMA_MEDIUM,
	KY_SIGMA_HIGH,
	KY_SIGMA_CRITICAL,
};

const char *ky_sigma_level_name(enum ky_sigma_level l);

enum ky_corr_type {
	KY_CORR_EVENT_COUNT = 0,
	KY_CORR_VALUE_COUNT,
	KY_CORR_TEMPORAL,
	KY_CORR_TEMPORAL_ORDERED,
	KY_CORR_VALUE_SUM,
	KY_CORR_VALUE_AVG,
	KY_CORR_VALUE_PERCENTILE,
};

/* A correlation condition: gt/gte/lt/lte/eq/neq bounds, all that apply. */
struct ky_corr_cond {
	bool has_gt, has_gte, has_lt, has_lte, has_eq, has_neq;
	double gt, gte, lt, lte, eq, neq;
	char *field;	   /* value_count/sum/avg/percentile */
	double percentile; /* value_percentile */
};

struct ky_sigma_alias {
	char *name;   /* the alias field */
	char **rules; /* per referenced rule: rule name/id and its field */
	char **fields;
	size_t n;
};

struct ky_sigma_corr {
	enum ky_corr_type type;
	char **rules; /* referenced rule names or ids, in order */
	size_t nrules;
	char **group_by;
	size_t ngroup_by;
	int64_t timespan_ns;
	struct ky_corr_cond cond;
	struct ky_sigma_alias *aliases;
	size_t naliases;
	bool generate; /* also emit the referenced rules' own alerts */
};

/* A filter (Sigma filters specification): applies its detection as an
 * exclusion to the listed rules. */
struct ky_sigma_filt {
	char **rules; /* rule ids or names */
	size_t nrules;
};

struct ky_sigma_rule {
	enum ky_sigma_kind kind;
	char *path;    /* file it came from */
	uint32_t line; /* of its document */
	char *id, *name, *title, *status, *description, *author, *date;
	char *modified, *license;
	enum ky_sigma_level level;
	char **tags;
	size_t ntags;
	char **falsepositives;
	size_t nfalsepositives;
	char *product, *category, *service; /* logsource (NULL if absent) */
	/* detection (KY_SIGMA_DETECTION and KY_SIGMA_FILTER) */
	struct ky_sigma_search *searches;
	size_t nsearches;
	char **conditions; /* one, or a condition list */
	size_t nconditions;
	uint32_t cond_line, cond_col;
	struct ky_sigma_corr *corr; /* KY_SIGMA_CORRELATION */
	struct ky_sigma_filt *filt; /* KY_SIGMA_FILTER */
};

/* Reads every YAML document of the file (a rule file may hold a
 * correlation and the rules it uses).  Appends the rules to *rules (grown
 * with realloc; *n updated).  A document that is not a valid rule fails
 * with err = "path:line:col: what"; documents before it stay appended.
 * Returns 0, KY_E_PARSE, KY_E_IO or KY_E_NOMEM. */
int ky_sigma_load_file(const char *path, struct ky_sigma_rule ***rules,
		       size_t *n, struct ky_err *err);
int ky_sigma_load_mem(const char *name, const char *text, size_t len,
		      struct ky_sigma_rule ***rules, size_t *n,
		      struct ky_err *err);
void ky_sigma_rule_free(struct ky_sigma_rule *r);

#endif
