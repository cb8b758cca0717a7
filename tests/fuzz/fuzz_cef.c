/* libFuzzer target for the CEF parser.  The input is parsed as given and
 * again behind "CEF:0|" so that the fuzzer reaches the extension parser
 * without having to discover the header first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/cef.h"

#include "fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *p, size_t n)
{
	struct ky_event *ev = fuzz_event(128);
	struct ky_err err;
	int r;

	ev->recv_ns = 1732492800000000000LL;
	r = ky_cef_parse(p, n, ev, &err);
	if (r != 0 && r != KY_E_PARSE && r != KY_E_TOOBIG)
		abort();
	fuzz_touch(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "CEF:0|";
	char *buf;

	run((const char *)data, size);
	/* Exactly sized so that an overread past the end is caught. */
	buf = malloc(sizeof(pre) - 1 + size);
	if (buf == NULL)
		abort();
	memcpy(buf, pre, sizeof(pre) - 1);
	if (size)
		memcpy(buf + sizeof(pre) - 1, data, size);
	run(buf, sizeof(pre) - 1 + size);
	free(buf);
	return 0;
}
