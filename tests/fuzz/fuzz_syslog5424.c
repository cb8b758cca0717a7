/* libFuzzer target for the RFC 5424 parser: any bytes, never a crash, and
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

	r = ky_syslog5424_parse((const char *)data, size, ev, &err);
	if (r != 0 && (r != KY_E_PARSE && r != KY_E_TOOBIG))
		abort();
	/* A record that parses has at least its PRI fields. */
	if (r == 0 && ev->nfields < 3)
		abort();
	fuzz_touch(ev);
	return 0;
}
