/* libFuzzer target for the JSON scanner: ky_json_to_event and
 * ky_json_validate must agree on every input, and ky_json_value_len must
 * stay inside the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "event/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ky_arena *arena;
static struct ky_event ev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_err e1, e2;
	unsigned depth = 32;
	const char *p;
	char *copy;
	long len;
	int r, v;

	if (!arena) {
		arena = ky_arena_new(1 << 16, 0);
		if (!arena || ky_event_init(&ev, arena, 64) != 0)
			abort();
	}
	/* an exact-size copy so that any over-read is caught */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	p = copy;
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	/* odd sizes exercise the field limit; even ones can never reach it,
	 * since every field takes at least one input byte */
	ev.max_fields = (size & 1) ? 64 : (uint32_t)size + 1;
	r = ky_json_to_event(p, size, &ev, depth, &e1);
	v = ky_json_validate(p, size, depth, &e2);
	/* validate has no field limit: past it, the verdicts may differ */
	if (r == KY_E_TOOBIG && ev.nfields == ev.max_fields) {
		if (size & 1)
			goto split;
		abort();
	}
	if (r != v || (r != 0 && strcmp(e1.msg, e2.msg) != 0))
		abort();
	if (r == 0) {
		for (uint32_t i = 0; i < ev.nfields; i++) {
			const struct ky_field *f = &ev.fields[i];
			/* touch every byte: ASan checks the pointers */
			volatile char sink = 0;
			for (uint32_t k = 0; k < f->path_len; k++)
				sink ^= f->path[k];
			for (uint32_t k = 0; k < f->str_len; k++)
				sink ^= f->str[k];
			(void)sink;
		}
	}
split:
	len = ky_json_value_len(p, size);
	if (len > (long)size)
		abort();
	if (r == 0 && len < 0 && len != KY_E_AGAIN)
		abort(); /* a valid document always splits */
	free(copy);
	return 0;
}
