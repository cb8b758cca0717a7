/* libFuzzer target for received STIX objects: any JSON either passes
 * ky_stix_check or is refused with a message; a string is read as a
 * pattern, and a pattern read back as an indicator is written again to
 * the same indicator (the round trip is exact). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_err err = {0};
	enum ky_ioc_type t, t2;
	char *v = NULL, *v2 = NULL, *s;
	struct ky_buf b;
	json_t *j;

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (j != NULL) {
		if (ky_stix_check(j, &err) != 0 && err.msg[0] == '\0')
			__builtin_trap();
		(void)ky_stix_tlp_of(j);
		json_decref(j);
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ky_buf_init(&b, 0);
	if (ky_stix_pattern_ioc(s, &t, &v, &err) == 0) {
		if (ky_stix_pattern(t, v, &b, &err) != 0 ||
		    ky_stix_pattern_ioc(b.data, &t2, &v2, &err) != 0 ||
		    t2 != t || strcmp(v, v2) != 0)
			__builtin_trap();
	}
	free(v);
	free(v2);
	free(s);
	ky_buf_free(&b);
	return 0;
}
