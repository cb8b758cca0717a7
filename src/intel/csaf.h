/* CSAF 2.0 advisories (OASIS CSAF v2.0): a compact, read-only model of a
 * document (security_advisory and VEX profiles and the others), product
 * lookup, and the mandatory tests of section 6.1 that decide whether a
 * document is accepted.  docs/csaf.md describes the model and the rules. */
#ifndef KY_INTEL_CSAF_H
#define KY_INTEL_CSAF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Limits on outside input; documented defaults in docs/csaf.md. */
#define KY_CSAF_MAX_BYTES (64u * 1024u * 1024u)
#define KY_CSAF_MAX_BRANCH_DEPTH 64u
#define KY_CSAF_MAX_FINDINGS 1000u

/* Product status lists of a vulnerability (CSAF 3.2.3.9). */
enum ky_csaf_status {
	KY_CSAF_FIRST_AFFECTED,
	KY_CSAF_FIRST_FIXED,
	KY_CSAF_FIXED,
	KY_CSAF_KNOWN_AFFECTED,
	KY_CSAF_KNOWN_NOT_AFFECTED,
	KY_CSAF_LAST_AFFECTED,
	KY_CSAF_RECOMMENDED,
	KY_CSAF_UNDER_INVESTIGATION,
	KY_CSAF_STATUS_COUNT
};

/* JSON member name of a status ("known_not_affected"); NULL if out of
 * range. */
const char *ky_csaf_status_name(enum ky_csaf_status s);

/* A list of borrowed strings (product or group ids). */
struct ky_csaf_strs {
	const char **v;
	size_t n;
};

struct ky_csaf_branch {
	const char *category; /* "vendor", "product_name", "product_version" */
	const char *name;
};

struct ky_csaf_file_hash {
	const char *filename;
	const char *algorithm;
	const char *value;
};

enum ky_csaf_origin {
	KY_CSAF_FROM_BRANCH,
	KY_CSAF_FROM_FULL_NAME,
	KY_CSAF_FROM_RELATIONSHIP
};

/* A Full Product Name wherever it was defined.  For a product from the
 * branches, path holds the branch steps from the root to the leaf; for one
 * from a relationship, rel_* hold the relationship. */
struct ky_csaf_product {
	const char *id;
	const char *name;
	const char *cpe;  /* NULL when absent */
	const char *purl; /* NULL when absent */
	const struct ky_csaf_file_hash *hashes;
	size_t nhashes;
	const struct ky_csaf_branch *path;
	size_t npath;
	enum ky_csaf_origin origin;
	const char *rel_category;   /* "installed_on", "default_component_of" */
	const char *rel_product;    /* product_reference */
	const char *rel_relates_to; /* relates_to_product_reference */
	const char *where;	    /* JSON pointer of the definition */
};

struct ky_csaf_group {
	const char *id;
	const char *summary;
	struct ky_csaf_strs products;
};

struct ky_csaf_revision {
	const char *number;
	const char *date;
	const char *summary;
};

struct ky_csaf_note {
	const char *category;
	const char *title; /* NULL when absent */
};

struct ky_csaf_vuln_id {
	const char *system_name;
	const char *text;
};

/* Remediations, threats and flags apply to products and groups; an empty
 * pair means "not said" (mandatory test 6.1.29/6.1.32 rejects that for
 * remediations and flags). */
struct ky_csaf_remediation {
	const char *category; /* mitigation, no_fix_planned, vendor_fix, ... */
	const char *details;
	const char *url;  /* NULL when absent */
	const char *date; /* NULL when absent */
	struct ky_csaf_strs products, groups;
};

struct ky_csaf_score {
	struct ky_csaf_strs products;
	bool has_v3, has_v2;	/* cvss_v3 / cvss_v2 present */
	const char *v3_version; /* "3.0"/"3.1" */
	const char *v3_vector;
	double v3_base;
	const char *v3_severity;
	const char *v2_vector;
	double v2_base;
};

struct ky_csaf_threat {
	const char *category; /* exploit_status, impact, target */
	const char *details;
	const char *date;
	struct ky_csaf_strs products, groups;
};

struct ky_csaf_flag {
	const char *label; /* VEX justification code */
	const char *date;
	struct ky_csaf_strs products, groups;
};

struct ky_csaf_involvement {
	const char *party;
	const char *status;
	const char *date;
	const char *summary;
};

struct ky_csaf_vuln {
	const char *cve;   /* NULL when absent */
	const char *title; /* NULL when absent */
	const char *cwe_id;
	const char *cwe_name;
	const char *discovery_date;
	const char *release_date;
	const struct ky_csaf_vuln_id *ids;
	size_t nids;
	const struct ky_csaf_note *notes;
	size_t nnotes;
	struct ky_csaf_strs status[KY_CSAF_STATUS_COUNT];
	const struct ky_csaf_remediation *remediations;
	size_t nremediations;
	const struct ky_csaf_score *scores;
	size_t nscores;
	const struct ky_csaf_threat *threats;
	size_t nthreats;
	const struct ky_csaf_flag *flags;
	size_t nflags;
	const struct ky_csaf_involvement *involvements;
	size_t ninvolvements;
};

struct ky_csaf__priv;

/* The whole document.  Every string and array belongs to the model and
 * lives until ky_csaf_free; callers never free what they read here. */
struct ky_csaf {
	const char *category; /* csaf_security_advisory, csaf_vex, ... */
	const char *csaf_version;
	const char *title;
	const char *lang;	 /* NULL when absent */
	const char *source_lang; /* NULL when absent */
	const char *publisher_category;
	const char *publisher_name;
	const char *publisher_namespace;
	const char *tracking_id;
	const char *tracking_version;
	const char *tracking_status; /* draft, interim, final */
	const char *initial_release_date;
	const char *current_release_date;
	const struct ky_csaf_revision *revisions;
	size_t nrevisions;
	const char *tlp_label; /* NULL when absent */
	const char *tlp_url;
	const char *distribution_text;
	const struct ky_csaf_note *notes;
	size_t nnotes;
	bool has_product_tree;
	const struct ky_csaf_product *products; /* every definition, in order */
	size_t nproducts;
	const struct ky_csaf_group *groups;
	size_t ngroups;
	bool has_vulnerabilities;
	const struct ky_csaf_vuln *vulns;
	size_t nvulns;
	struct ky_csaf__priv *priv;
};

/* Parses a CSAF 2.0 document of len bytes (name is used in messages) into
 * *out, which the caller frees with ky_csaf_free.  Fails with KY_E_PARSE
 * and the JSON pointer of the element when the text is not JSON, a member
 * the model reads has the wrong type, or a member the schema requires for
 * the model (document, category, csaf_version 2.0, publisher, title,
 * tracking, product_id and name of products) is missing; KY_E_TOOBIG past
 * KY_CSAF_MAX_BYTES or KY_CSAF_MAX_BRANCH_DEPTH.  Parsing does not run the
 * mandatory tests: call ky_csaf_check. */
int ky_csaf_parse(const char *json, size_t len, const char *name,
		  struct ky_csaf **out, struct ky_err *err);

/* Reads and parses a file. */
int ky_csaf_load(const char *path, struct ky_csaf **out, struct ky_err *err);

/* Accepts NULL. */
void ky_csaf_free(struct ky_csaf *doc);

/* The product with this id (first definition when defined twice), or
 * NULL.  The pointer lives as long as doc. */
const struct ky_csaf_product *ky_csaf_product(const struct ky_csaf *doc,
					      const char *id);

/* The product group with this id, or NULL. */
const struct ky_csaf_group *ky_csaf_group(const struct ky_csaf *doc,
					  const char *id);

/* For a product from a relationship, the product it is built from
 * (product_reference, followed through nested relationships); for any
 * other product itself.  NULL when a reference is not defined or circular. */
const struct ky_csaf_product *
ky_csaf_product_base(const struct ky_csaf *doc,
		     const struct ky_csaf_product *p);

/* Whether a product/group reference pair names the product, directly or
 * through one of the groups. */
bool ky_csaf_refers_to(const struct ky_csaf *doc,
		       const struct ky_csaf_strs *products,
		       const struct ky_csaf_strs *groups, const char *id);

/* Bit (1u << status) set for each status list of v that holds id. */
unsigned ky_csaf_status_of(const struct ky_csaf_vuln *v, const char *id);

/* Whether a threat of category exploit_status says that the vulnerability
 * is exploited (details mention "known exploited", "actively exploited"
 * or "exploited in the wild", case-insensitively) for this product;
 * a threat without product references applies to every product. */
bool ky_csaf_known_exploited(const struct ky_csaf *doc,
			     const struct ky_csaf_vuln *v, const char *id);

/* One failed mandatory test: the test id ("6.1.27.9"), the JSON pointer of
 * the failing element and a message; both strings owned by the list. */
struct ky_csaf_finding {
	char test[12];
	char *path;
	char *msg;
};

struct ky_csaf_findings {
	struct ky_csaf_finding *v;
	size_t n;
	size_t cap;
	size_t dropped; /* past KY_CSAF_MAX_FINDINGS */
};

/* Frees the entries; the list may be reused afterwards.  Accepts NULL. */
void ky_csaf_findings_free(struct ky_csaf_findings *f);

/* Runs every mandatory test of CSAF 2.0 section 6.1 (6.1.1 to 6.1.33 with
 * the profile tests 6.1.27.1 to 6.1.27.11).  Returns 0 when all pass,
 * KY_E_PARSE when one fails (err says "6.1.1 /vulnerabilities/0/product_
 * status/fixed/2: product id X is not defined" for the first failure) or
 * KY_E_NOMEM.  Every failure is appended to found when it is not NULL
 * (the caller owns found and frees it with ky_csaf_findings_free). */
int ky_csaf_check(const struct ky_csaf *doc, struct ky_csaf_findings *found,
		  struct ky_err *err);

/* ---- internal to csaf*.c ---------------------------------------------- */

struct ky__csaf_ctx;

/* The parsed JSON tree the model was built from (a json_t *). */
const void *ky__csaf_json(const struct ky_csaf *doc);
/* Records a failure; returns 0 or KY_E_NOMEM. */
int ky__csaf_fail(struct ky__csaf_ctx *c, const char *test, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The document the checks run on. */
const struct ky_csaf *ky__csaf_doc(const struct ky__csaf_ctx *c);
/* Tests 6.1.9 and 6.1.14 to 6.1.33 (csaf_check2.c). */
int ky__csaf_check2(struct ky__csaf_ctx *c);

#endif
