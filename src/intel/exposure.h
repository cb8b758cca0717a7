/* Exposures: which software of the asset inventory a CSAF advisory says is
 * affected.  The inventory's software is indexed once by package (purl
 * type/namespace/name) and by CPE part:vendor:product; each product an
 * advisory's vulnerabilities name is then looked up there and its version
 * (purl version, product_version, product_version_range or the CPE's)
 * compared, so the cost grows with the products and the matches, not with
 * their product.  VEX statuses decide: known_not_affected removes an
 * exposure and fixed/first_fixed end it (docs/exposures.md). */
#ifndef KY_INTEL_EXPOSURE_H
#define KY_INTEL_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "intel/assets.h"
#include "intel/csaf.h"

enum ky_exposure_state {
	KY_EXP_AFFECTED = 0,	    /* known/first/last affected */
	KY_EXP_UNDER_INVESTIGATION, /* only under_investigation */
};

/* One exposure: software sw of asset is affected by a vulnerability of
 * the advisory.  Strings belong to the inventory and the document. */
struct ky_exposure {
	const struct ky_asset *asset;
	const struct ky_software *sw;
	const char *advisory; /* tracking id */
	const char *cve;      /* or the first id's text, or "" */
	const char *product;  /* the advisory's product id that matched */
	enum ky_exposure_state state;
	double score; /* highest CVSS v3 base for the product; -1 none */
	bool known_exploited; /* an exploit_status threat says so */
	const char *fix;      /* a vendor_fix remediation's details, or NULL */
};

struct ky_exposure_index;

/* Indexes the software of a (the inventory must outlive the index).
 * Software whose purl or CPE does not parse is counted in *unparsed
 * (may be NULL) and left out. */
int ky_exposure_index_new(const struct ky_assets *a,
			  struct ky_exposure_index **out, size_t *unparsed,
			  struct ky_err *err);
void ky_exposure_index_free(struct ky_exposure_index *ix);

/* Calls fn for every exposure the document gives (one per software item
 * and vulnerability); stops when fn returns non-zero and returns that. */
int ky_exposures(const struct ky_exposure_index *ix, const struct ky_csaf *doc,
		 int (*fn)(void *ud, const struct ky_exposure *e), void *ud,
		 struct ky_err *err);

#endif
