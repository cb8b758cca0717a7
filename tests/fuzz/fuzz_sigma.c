/* libFuzzer target for the Sigma loader: any input either loads into rules
 * or fails with a message naming the input and a position; everything
 * loaded is freed (ASan checks for leaks). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_sigma_rule **rules = NULL;
	struct ky_err err;
	size_t n = 0, i;

	if (ky_sigma_load_mem("fuzz", (const char *)data, size, &rules, &n,
			      &err) != 0 &&
	    strncmp(err.msg, "fuzz", 4) != 0)
		abort();
	for (i = 0; i < n; i++) {
		/* Every loaded rule is complete enough to compile. */
		if (rules[i]->kind != KY_SIGMA_CORRELATION &&
		    (rules[i]->nsearches == 0 || rules[i]->nconditions == 0))
			abort();
		ky_sigma_rule_free(rules[i]);
	}
	free(rules);
	return 0;
}
