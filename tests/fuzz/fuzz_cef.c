/* libFuzzer target for the CEF parser.  The input is parsed as given and
 * again behind "CEF:0|" so that the fuzzer reaches the extension parser
 * without having to discover the header first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "event/cef.h"
#include "event/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ky_arena *arena;
static struct ky_event ev;

static unsigned touch(const struct ky_event *e)
{
	unsigned s = 0;

	for (uint32_t i = 0; i < e->nfields; i++) {
		const struct ky_field *f = &e->fields[i];
		for (uint32_t k = 0; k < f->path_len; k++)
			s += (unsigned char)f->path[k];
		for (uint32_t k = 0; k < f->str_len; k++)
			s += (unsigned char)f->str[k];
	}
	return s;
}

static void run(const char *p, size_t n)
{
	struct ky_err err;
	volatile unsigned sink;
	int r;

	ky_event_reset(&ev);
	ky_arena_reset(arena);
	ev.recv_ns = 1732492800000000000LL;
	r = ky_cef_parse(p, n, &ev, &err);
	if (r != 0 && r != KY_E_PARSE && r != KY_E_TOOBIG)
		abort();
	sink = touch(&ev);
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "CEF:0|";
	char *buf;

	if (arena == NULL) {
		arena = ky_arena_new(65536, 64u << 20);
		if (arena == NULL || ky_event_init(&ev, arena, 128) != 0)
			abort();
	}
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
