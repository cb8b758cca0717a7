/* Shared by the per-parser fuzz targets: one warm event and arena, reset
 * per input, and a pass over every byte of every field so that ASan sees a
 * field that points outside the input or the arena. */
#ifndef KY_FUZZ_EVENT_H
#define KY_FUZZ_EVENT_H

#include <stdint.h>
#include <stdlib.h>

#include "base/arena.h"
#include "event/event.h"

/* The event, empty, with max_fields fields; created on the first call. */
static inline struct ky_event *fuzz_event(uint32_t max_fields)
{
	static struct ky_arena *arena;
	static struct ky_event ev;

	if (arena == NULL) {
		arena = ky_arena_new(65536, 64u << 20);
		if (arena == NULL || ky_event_init(&ev, arena, max_fields) != 0)
			abort();
	}
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	return &ev;
}

static inline void fuzz_touch(const struct ky_event *e)
{
	volatile unsigned sink;
	unsigned s = 0;

	for (uint32_t i = 0; i < e->nfields; i++) {
		const struct ky_field *f = &e->fields[i];
		for (uint32_t k = 0; k < f->path_len; k++)
			s += (unsigned char)f->path[k];
		for (uint32_t k = 0; k < f->str_len; k++)
			s += (unsigned char)f->str[k];
	}
	sink = s;
	(void)sink;
}

#endif
