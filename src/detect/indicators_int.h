/* Private to the indicator sets: limits shared by the store and the
 * loaders, and the helper that quotes a value for a message. */
#ifndef KY_DETECT_INDICATORS_INT_H
#define KY_DETECT_INDICATORS_INT_H

#include <stddef.h>

#define IOC_MAX_VALUE 8192  /* longest value, normalised or not */
#define IOC_MAX_LINE 16384  /* longest list line or CSV record */
#define IOC_MAX_FIELDS 1024 /* longest `fields` list */
#define IOC_CSV_COLS 64
#define IOC_LOG_BAD 10 /* bad lines logged per file */

/* v[0..n) printable for a message: non-ASCII and control bytes as \xNN,
 * cut with "..." to fit cap.  Returns buf. */
const char *ky__ioc_show(char *buf, size_t cap, const char *v, size_t n);

#endif
