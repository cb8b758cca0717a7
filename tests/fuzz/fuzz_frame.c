/* libFuzzer target for the RFC 6587 framer of the TCP/TLS inputs.  The
 * first input byte picks the read size, so the same stream is cut at
 * different places; every record must lie inside the input, and the bytes
 * consumed must add up to the stream. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_framer f;
	struct ky_frame fr;
	const char *p;
	size_t chunk, have = 0, pos = 0, total = 0, guard = 0;
	char *buf;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	p = (const char *)data + 1;
	size--;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	ky_framer_init(&f, 200);
	/* buf[pos..have) holds stream bytes received and not consumed. */
	while (guard++ < 4 * size + 64) {
		size_t add;
		bool eof;

		if (have < size) {
			add = size - have < chunk ? size - have : chunk;
			memcpy(buf + have, p + have, add);
			have += add;
		}
		eof = have == size;
		ky_framer_next(&f, buf + pos, have - pos, eof, &fr);
		if (fr.consumed > have - pos)
			abort();
		if (fr.kind == KY_FRAME_RECORD || fr.kind == KY_FRAME_TOOBIG ||
		    fr.kind == KY_FRAME_TRUNCATED) {
			if (fr.len > 0 && (fr.rec < buf + pos ||
					   fr.rec + fr.len > buf + have))
				abort();
			if (fr.kind == KY_FRAME_RECORD && fr.len > 200)
				abort();
		}
		pos += fr.consumed;
		total += fr.consumed;
		if (fr.kind == KY_FRAME_NONE && fr.consumed == 0 && eof)
			break;
	}
	if (total != size || f.offset != size)
		abort();
	free(buf);
	return 0;
}
