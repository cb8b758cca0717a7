/* libFuzzer target for the RFC 5424 parser: any bytes, never a crash, and
 * every field must point at readable memory of its stated length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "event/event.h"
#include "event/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ky_arena *arena;
static struct ky_event ev;

/* Reads every byte of every field so that ASan sees a bad pointer. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_err err;
	volatile unsigned sink;
	int r;

	if (arena == NULL) {
		arena = ky_arena_new(65536, 64u << 20);
		if (arena == NULL || ky_event_init(&ev, arena, 64) != 0)
			abort();
	}
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	r = ky_syslog5424_parse((const char *)data, size, &ev, &err);
	if (r != 0 && (r != KY_E_PARSE && r != KY_E_TOOBIG))
		abort();
	/* A record that parses has at least its PRI fields. */
	if (r == 0 && ev.nfields < 3)
		abort();
	sink = touch(&ev);
	(void)sink;
	return 0;
}
