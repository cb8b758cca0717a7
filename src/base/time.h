/* Timestamps: nanoseconds since the Unix epoch (UTC) in an int64_t, parsed
 * from RFC 3339 and from the syslog forms, and formatted back. */
#ifndef KY_BASE_TIME_H
#define KY_BASE_TIME_H

#include <stddef.h>
#include <stdint.h>

#define KY_NS_PER_SEC 1000000000LL

int64_t ky_time_now_ns(void);
int64_t ky_time_mono_ns(void);

/* RFC 3339 / ISO 8601 date-time: "2024-05-01T12:00:00.123Z",
 * "2024-05-01T12:00:00+02:00"; also accepts a space instead of 'T' and a
 * missing zone (taken as UTC), as Windows and many collectors write.
 * Returns the number of bytes consumed (>0) or KY_E_PARSE. */
int ky_time_parse_rfc3339(const char *s, size_t n, int64_t *ns);

/* BSD syslog (RFC 3164) "Mmm dd hh:mm:ss" (day may be space-padded), with
 * no year: the year is chosen so that the time is not more than a month in
 * the future of `ref_ns` (the receive time).  Returns bytes consumed or
 * KY_E_PARSE. */
int ky_time_parse_3164(const char *s, size_t n, int64_t ref_ns, int64_t *ns);

/* Writes "YYYY-MM-DDThh:mm:ss.mmmZ" (24 bytes + NUL) into out. */
#define KY_TIME_RFC3339_LEN 25
void ky_time_format_rfc3339(int64_t ns, char out[KY_TIME_RFC3339_LEN]);
/* Common Log Format time, "10/Oct/2000:13:55:36 -0700" (exactly 26
 * bytes); 0 or KY_E_PARSE. */
int ky_time_parse_clf(const char *s, size_t n, int64_t *ns);

/* Days since epoch for a civil date (proleptic Gregorian). */
int64_t ky_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
