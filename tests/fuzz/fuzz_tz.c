/* libFuzzer target for the TZif reader of respond/deadline.c (the system
 * tz database is outside input too: a damaged file must fail cleanly), and
 * the calendar arithmetic on what it accepts. */
#include <stdint.h>
#include <string.h>

#include "respond/nis2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_err err = {0};
	struct ky_tz *tz = NULL;
	static const int64_t at[] = {
		0,
		1774746000000000000,  /* 2026-03-29, the spring change in EU */
		1792976400000000000,  /* 2026-10-25, the autumn change */
		-2208988800000000000, /* 1900 */
		4102444800000000000,  /* 2100, past most transition tables */
	};

	if (ky_tz_parse(data, size, "fuzz", &tz, &err) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		int32_t off = ky_tz_offset(tz, at[i]);
		int64_t t = ky_tz_add_months(tz, at[i], 1);

		if (off < -26 * 3600 || off > 26 * 3600)
			__builtin_trap();
		(void)t;
		(void)ky_tz_add_months(tz, at[i], -13);
	}
	ky_tz_free(tz);
	return 0;
}
