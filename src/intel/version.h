/* Product identifiers and versions for matching advisories to assets: CPE
 * 2.3 names (NISTIR 7695/7696), package URLs (purl), version comparison
 * (generic, semver 2.0.0, Debian) and version ranges (vers, CPE).  Parse
 * once into compact structs; comparisons allocate nothing.  See
 * docs/identifiers.md. */
#ifndef KY_INTEL_VERSION_H
#define KY_INTEL_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ky_arena;

/* Longest CPE, purl or vers string accepted (bytes); longer is
 * KY_E_TOOBIG. */
#define KY_ID_MAX 4096
#define KY_VERS_MAX 64	/* constraints of one vers range */
#define KY_PURL_QMAX 32 /* qualifiers of one purl */

/* ---- versions ---------------------------------------------------------- */

enum ky_vscheme {
	KY_VS_GENERIC = 0, /* numeric runs by value, alpha runs lexically */
	KY_VS_SEMVER,	   /* semver 2.0.0 precedence (npm, cargo, golang) */
	KY_VS_DEB	   /* Debian policy 5.6.12: epoch:upstream-revision */
};

/* <0, 0 or >0 as version a sorts before, with or after b under scheme s.
 * Never fails: text a scheme cannot read is compared with the generic
 * rules.  Allocates nothing. */
int ky_version_cmp(enum ky_vscheme s, const char *a, size_t alen, const char *b,
		   size_t blen);

/* Scheme for a purl type ("deb" -> Debian, "npm"/"cargo"/"golang" ->
 * semver, anything else generic); type is lower case, n bytes. */
enum ky_vscheme ky_vscheme_for_purl_type(const char *type, size_t n);

/* True when s is a valid semver 2.0.0 version (no leading "v"). */
bool ky_semver_valid(const char *s, size_t n);

/* ---- CPE 2.3 ----------------------------------------------------------- */

enum ky_cpe_field {
	KY_CPE_PART,
	KY_CPE_VENDOR,
	KY_CPE_PRODUCT,
	KY_CPE_VERSION,
	KY_CPE_UPDATE,
	KY_CPE_EDITION,
	KY_CPE_LANGUAGE,
	KY_CPE_SW_EDITION,
	KY_CPE_TARGET_SW,
	KY_CPE_TARGET_HW,
	KY_CPE_OTHER,
	KY_CPE_NFIELDS
};

enum ky_cpe_kind {
	KY_CPE_ANY,   /* "*": any value */
	KY_CPE_NA,    /* "-": not applicable */
	KY_CPE_VALUE, /* a literal */
	KY_CPE_WILD   /* a literal with leading/trailing '*' or '?'s */
};

#define KY_CPE_STAR_BEGIN 0x1
#define KY_CPE_STAR_END 0x2

/* One attribute: the literal (unescaped, lower case, without its
 * wildcards) is s + off of the owning struct, len bytes, NUL-terminated.
 * q_begin/q_end count the '?' wildcards at each end. */
struct ky_cpe_attr {
	uint16_t off;
	uint16_t len;
	uint8_t kind;
	uint8_t flags;
	uint8_t q_begin;
	uint8_t q_end;
};

/* A parsed CPE name (WFN).  s is storage in the arena given to the parser;
 * attributes are laid out in order, each followed by a NUL. */
struct ky_cpe {
	const char *s;
	struct ky_cpe_attr a[KY_CPE_NFIELDS];
};

/* Parses a CPE 2.3 formatted string ("cpe:2.3:a:vendor:product:...", 11
 * attributes, NISTIR 7695 6.2) or a CPE 2.2 URI ("cpe:/a:vendor:product",
 * converted per NISTIR 7695 6.1.3).  Strings go to arena a; out is valid
 * as long as the arena.  Returns 0, KY_E_PARSE, KY_E_TOOBIG or KY_E_NOMEM,
 * err naming the byte offset ("offset 12: bad escape"). */
int ky_cpe_parse(const char *str, size_t n, struct ky_arena *a,
		 struct ky_cpe *out, struct ky_err *err);

/* Literal of attribute f (NUL-terminated, *len bytes), or NULL when the
 * attribute is ANY or NA. */
const char *ky_cpe_value(const struct ky_cpe *c, enum ky_cpe_field f,
			 size_t *len);

/* Name relations of NISTIR 7696 6.2, source against target. */
enum ky_cpe_rel {
	KY_CPE_DISJOINT,
	KY_CPE_SUBSET,	 /* source is a subset of target */
	KY_CPE_SUPERSET, /* source is a superset of target */
	KY_CPE_EQUAL,
	KY_CPE_UNDEFINED /* mixed, or a target with wildcards */
};

/* Compares source with target attribute by attribute (NISTIR 7696 table
 * 6-2); attributes whose bit (1u << field) is in skip are left out, e.g.
 * (1u << KY_CPE_VERSION) when a version range decides the version. */
enum ky_cpe_rel ky_cpe_compare(const struct ky_cpe *src,
			       const struct ky_cpe *tgt, unsigned skip);

/* True when the advisory's CPE names the asset's CPE: SUPERSET or EQUAL. */
bool ky_cpe_applies(const struct ky_cpe *adv, const struct ky_cpe *asset,
		    unsigned skip);

/* Key for a hash index: "part\0vendor\0product" (*len bytes), or NULL
 * when one of the three is not a literal (ANY, NA or wildcards). */
const char *ky_cpe_key(const struct ky_cpe *c, size_t *len);

/* Writes the CPE 2.3 formatted string into buf (cap bytes, NUL included).
 * Returns the length, or KY_E_TOOBIG when it does not fit. */
int ky_cpe_format(const struct ky_cpe *c, char *buf, size_t cap);

/* ---- purl -------------------------------------------------------------- */

struct ky_span {
	uint16_t off;
	uint16_t len;
};

struct ky_purl_qual {
	struct ky_span key;
	struct ky_span value;
};

/* A parsed package URL.  Components are decoded and normalised, at s + off
 * (len bytes, each NUL-terminated); an absent one has len 0.  type,
 * namespace and name are stored contiguously as "type\0ns\0name" so that
 * ky_purl_key needs no copy.  Qualifiers are sorted by key. */
struct ky_purl {
	const char *s;
	struct ky_span type;
	struct ky_span ns;
	struct ky_span name;
	struct ky_span version;
	struct ky_span subpath;
	const struct ky_purl_qual *q;
	uint16_t nq;
	uint8_t scheme; /* enum ky_vscheme for the type */
};

/* Parses "pkg:type/namespace/name@version?qualifiers#subpath" (purl spec,
 * "How to parse"): percent-decoding, lower-case type and qualifier keys,
 * the per-type name rules (npm, pypi, github, bitbucket, deb, ...).  Storage
 * from arena a.  Returns 0, KY_E_PARSE, KY_E_TOOBIG or KY_E_NOMEM, err
 * naming the byte offset ("offset 12: bad percent escape"). */
int ky_purl_parse(const char *str, size_t n, struct ky_arena *a,
		  struct ky_purl *out, struct ky_err *err);

/* Value of qualifier key (lower case), or NULL; *len gets its length. */
const char *ky_purl_qualifier(const struct ky_purl *p, const char *key,
			      size_t *len);

/* Package identity, version left out: same type, namespace and name, and
 * for each identity qualifier (arch, classifier, distro) the advisory
 * gives, the asset has the same value or none. */
bool ky_purl_same_package(const struct ky_purl *adv,
			  const struct ky_purl *asset);

/* Hash key "type\0namespace\0name", *len bytes. */
const char *ky_purl_key(const struct ky_purl *p, size_t *len);

/* ---- version ranges ---------------------------------------------------- */

enum ky_vop {
	KY_VOP_EQ,
	KY_VOP_NE,
	KY_VOP_LT,
	KY_VOP_LE,
	KY_VOP_GT,
	KY_VOP_GE
};

struct ky_vcons {
	struct ky_span v;
	uint8_t op; /* enum ky_vop */
};

enum ky_vrange_kind {
	KY_VR_CONSTRAINTS, /* vers constraints in c[0..n) */
	KY_VR_ALL,	   /* "*", "vers:all/" + "*", CPE ANY */
	KY_VR_NONE,	   /* "vers:none/" + "*", CPE NA */
	KY_VR_CPE	   /* CPE version with wildcards in wild */
};

/* A parsed range.  Constraints are sorted by version (vers "canonical
 * order"); versions are decoded at s + off. */
struct ky_vrange {
	const char *s;
	const struct ky_vcons *c;
	uint16_t n;
	uint8_t kind;	/* enum ky_vrange_kind */
	uint8_t scheme; /* enum ky_vscheme */
	struct ky_cpe_attr wild;
};

/* Parses a vers range "vers:<scheme>/<constraints>" (purl-spec
 * VERSION-RANGE-SPEC): spaces ignored, '|'-separated constraints with
 * =, !=, <, <=, >, >= or a lone "*", versions percent-decoded, sorted;
 * duplicate versions and constraint sequences the spec calls invalid are
 * refused.  Anything not starting "vers:" (a CSAF product_version_range in
 * "vls" free text such as "<= 4.1") is KY_E_UNSUPPORTED.  Storage from
 * arena a.  Returns 0 or KY_E_PARSE/KY_E_UNSUPPORTED/KY_E_TOOBIG/
 * KY_E_NOMEM with the byte offset in err. */
int ky_vrange_parse(const char *str, size_t n, struct ky_arena *a,
		    struct ky_vrange *out, struct ky_err *err);

/* The range a CPE version attribute stands for: ANY -> all, NA -> none, a
 * literal -> "=" under scheme s, wildcards -> matched as NISTIR 7696
 * wildcard strings.  out borrows the CPE's storage. */
void ky_vrange_from_cpe(const struct ky_cpe *c, enum ky_vscheme s,
			struct ky_vrange *out);

/* True when version v (n bytes) is in range r (vers "checking if a version
 * is contained within a range").  Allocates nothing. */
bool ky_vrange_contains(const struct ky_vrange *r, const char *v, size_t n);

/* Internal to the identifiers module: NISTIR 7696 wildcard match of
 * pattern attribute p (literal at base + p->off) against s[0..n). */
bool ky__cpe_wild_match(const struct ky_cpe_attr *p, const char *base,
			const char *s, size_t n);

#endif
