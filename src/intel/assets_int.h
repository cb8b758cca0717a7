/* Internals shared by the asset inventory's files (assets_import.c,
 * assets_json.c).  Not part of the public API. */
#ifndef KY_INTEL_ASSETS_INT_H
#define KY_INTEL_ASSETS_INT_H

#include <stddef.h>

#include "base/err.h"
#include "intel/assets.h"

/* A setter of one string field of a record. */
typedef int (*str_setter)(struct ky_asset_rec *, const char *, size_t,
			  struct ky_err *);

int ky__asset_set_owner(struct ky_asset_rec *r, const char *s, size_t n,
			struct ky_err *err);
int ky__asset_set_location(struct ky_asset_rec *r, const char *s, size_t n,
			   struct ky_err *err);

#endif
