/* libFuzzer target for the RFC 3164 parser: any bytes, never a crash, and
 * every field must point at readable memory of its stated length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/syslog.h"

#include "fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_event *ev = fuzz_event(64);
	struct ky_err err;
	int r;

	/* 2024-11-25T00:00:00Z, so runs are reproducible. */
	r = ky_syslog3164_parse((const char *)data, size, 1732492800000000000LL,
				ev, &err);
	if (r != 0 && (r != KY_E_PARSE && r != KY_E_TOOBIG))
		abort();
	if (r == 0 && size > 0 && memchr(data, '<', 1) == NULL &&
	    ev->nfields == 0 && ev->time_ns == 0) {
		/* A non-empty line always gives at least a message, unless it
		 * was only CR/LF/NUL. */
		size_t n = size;
		while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r' ||
				 data[n - 1] == '\0'))
			n--;
		if (n > 0)
			abort();
	}
	fuzz_touch(ev);
	return 0;
}
