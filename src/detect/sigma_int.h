/* Private to the Sigma loader: the table look-ups and semantic checks of
 * sigma.c that the YAML walker of sigma_yaml.c calls.  Not part of the
 * library's API. */
#ifndef KY_DETECT_SIGMA_INT_H
#define KY_DETECT_SIGMA_INT_H

#include <stddef.h>

#include "base/buf.h"
#include "detect/sigma.h"

/* Longest timespan accepted, in ns (about 292 years fit int64; a year of
 * days is plenty and keeps every multiplication exact). */
#define KY_SIGMA_TIMESPAN_MAX ((int64_t)366 * 24 * 3600 * 1000000000LL)

/* Bit of the modifier named s[0..n), or -1. */
int ky__sigma_mod_lookup(const char *s, size_t n);
/* 0 and *l, or -1 for an unknown level name. */
int ky__sigma_level_lookup(const char *s, size_t n, enum ky_sigma_level *l);
/* 0 and *t, or -1 for an unknown correlation type. */
int ky__sigma_corr_type_lookup(const char *s, size_t n, enum ky_corr_type *t);
/* "30s", "5m", "1h", "1d", "2w" -> ns; 0, or -1 when malformed, zero or
 * longer than KY_SIGMA_TIMESPAN_MAX. */
int ky__sigma_timespan(const char *s, size_t n, int64_t *ns);
/* Types a plain (unquoted) YAML scalar by the YAML 1.2 core schema: null,
 * bool, int, float, else string.  Sets type and the i/f/b member; leaves
 * s and len to the caller. */
void ky__sigma_type_plain(const char *s, size_t n, struct ky_sigma_value *v);
/* NULL, or why the item cannot be a valid Sigma item (static text). */
const char *ky__sigma_item_check(const struct ky_sigma_item *it);
/* NULL, or why the correlation is incomplete (static text).  Fills the
 * default condition of temporal correlations. */
const char *ky__sigma_corr_check(struct ky_sigma_corr *c);

void ky__sigma_strv_free(char **v, size_t n);
void ky__sigma_search_free(struct ky_sigma_search *s);

#endif
