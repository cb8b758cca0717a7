/* libFuzzer target for RFC 8785 canonicalisation: any input canonicalises
 * or fails cleanly; a canonical form is valid JSON and its own canonical
 * form (idempotent). */
#include <stdint.h>
#include <string.h>

#include "trust/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_buf a, b;
	struct ky_err err = {0};

	ky_buf_init(&a, 0);
	ky_buf_init(&b, 0);
	if (ky_jcs_text((const char *)data, size, &a, &err) == 0) {
		if (ky_jcs_text(a.data, a.len, &b, &err) != 0 ||
		    a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			__builtin_trap();
	}
	ky_buf_free(&a);
	ky_buf_free(&b);
	return 0;
}
