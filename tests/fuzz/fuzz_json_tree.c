/* libFuzzer target for ky_json_tree, differential against jansson's
 * json_loadb: the same verdict on every input (the first byte chooses
 * duplicate rejection), and where both accept the same tree dumped to the
 * same bytes.  One exception, by design: jansson's lexer loses a NUL byte
 * that follows a number (its one-character buffer takes the NUL for "no
 * character" after an unget), so it accepts "[5\0]"; we refuse every NUL
 * outside a string.  On input with a NUL byte we must only never accept
 * what jansson refuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;
	json_t *a, *b;
	char *da, *db;

	if (size == 0)
		return 0;
	flags = data[0] & 1 ? KY_JT_REJECT_DUPLICATES : 0;
	data++;
	size--;
	a = json_loadb((const char *)data, size,
		       flags ? JSON_REJECT_DUPLICATES : 0, NULL);
	b = ky_json_tree((const char *)data, size, flags, NULL, NULL);
	if (b != NULL && a == NULL)
		__builtin_trap();
	if (a != NULL && b == NULL && memchr(data, 0, size) == NULL)
		__builtin_trap();
	if (b == NULL) {
		json_decref(a);
		return 0;
	}
	if (a != NULL) {
		da = json_dumps(a, JSON_COMPACT);
		db = json_dumps(b, JSON_COMPACT);
		if (!json_equal(a, b) || da == NULL || db == NULL ||
		    strcmp(da, db) != 0)
			__builtin_trap();
		free(da);
		free(db);
	}
	json_decref(a);
	json_decref(b);
	return 0;
}
