/* Assertions on event fields and parser errors shared by the parser unit
 * tests (include after <cmocka.h>).  Each names the field it checks. */
#ifndef KY_TEST_FIELD_ASSERT_H
#define KY_TEST_FIELD_ASSERT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "event/event.h"

/* Nanoseconds of a UTC civil time. */
static inline int64_t ta_utc(int y, unsigned mo, unsigned d, int h, int mi,
			     int s)
{
	return ((ky_days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 +
		s) *
	       KY_NS_PER_SEC;
}

/* path is a string field equal to want. */
static inline void ta_str(const struct ky_event *ev, const char *path,
			  const char *want)
{
	const struct ky_field *f = ky_event_get(ev, path);

	if (f == NULL)
		fail_msg("field %s missing", path);
	if (f->type != KY_V_STR || f->str_len != strlen(want) ||
	    memcmp(f->str, want, f->str_len) != 0)
		fail_msg("%s: got type %d \"%.*s\", want \"%s\"", path, f->type,
			 (int)f->str_len, f->str, want);
}

/* path is an integer field of value want, its text the decimal literal. */
static inline void ta_int(const struct ky_event *ev, const char *path,
			  int64_t want)
{
	const struct ky_field *f = ky_event_get(ev, path);
	char lit[32];

	if (f == NULL)
		fail_msg("field %s missing", path);
	assert_int_equal(f->type, KY_V_INT);
	assert_int_equal(f->v.i, want);
	snprintf(lit, sizeof(lit), "%lld", (long long)want);
	assert_int_equal(f->str_len, strlen(lit));
	assert_memory_equal(f->str, lit, f->str_len);
}

static inline void ta_absent(const struct ky_event *ev, const char *path)
{
	if (ky_event_get(ev, path) != NULL)
		fail_msg("field %s present", path);
}

/* r is a parse error whose message starts with an offset and holds
 * needle. */
static inline void ta_err(const struct ky_err *err, int r, const char *needle)
{
	assert_int_equal(r, KY_E_PARSE);
	assert_int_equal(strncmp(err->msg, "offset ", 7), 0);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err->msg, needle);
}

#endif
