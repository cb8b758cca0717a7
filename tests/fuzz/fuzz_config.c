/* libFuzzer target for kyklos.yaml parsing: any input either fails with a
 * positioned message or loads, and a loaded configuration must survive
 * `config show` and load back equal (checked on a few fields). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_lists(const struct ky_config *a, const struct ky_config *b)
{
	size_t i;

	if (a->time_fields.n != b->time_fields.n ||
	    a->nmaprules != b->nmaprules || a->npatterns != b->npatterns)
		return 0;
	for (i = 0; i < a->time_fields.n; i++) {
		if (strcmp(a->time_fields.v[i], b->time_fields.v[i]) != 0)
			return 0;
	}
	for (i = 0; i < a->npatterns; i++) {
		if (strcmp(a->patterns[i].pattern, b->patterns[i].pattern) != 0)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_config cfg, back;
	struct ky_err err;
	struct ky_buf b;

	if (ky_config_load_mem(&cfg, "fuzz", (const char *)data, size, &err) !=
	    0) {
		/* Every error names the input and a position. */
		if (strncmp(err.msg, "fuzz", 4) != 0)
			abort();
		return 0;
	}
	ky_buf_init(&b, 0);
	if (ky_config_show(&cfg, &b) != 0)
		abort();
	if (ky_config_load_mem(&back, "show", ky_buf_str(&b), b.len, &err) != 0)
		abort();
	if (strcmp(cfg.node_name, back.node_name) != 0 ||
	    cfg.max_line != back.max_line || !same_lists(&cfg, &back))
		abort();
	ky_config_free(&back);
	ky_config_free(&cfg);
	ky_buf_free(&b);
	return 0;
}
