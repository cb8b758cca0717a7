/* libFuzzer target for MISP JSON: any input is read as events or refused
 * with a message; every attribute handed over has a value valid for its
 * kind (it re-normalises to itself). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "share/misp.h"

static int on_attr(void *ud, const struct ky_misp_attr *a)
{
	char *again = malloc(KY_IOC_VALUE_MAX + 8);
	const char *why;

	(void)ud;
	if (again == NULL)
		return 0;
	if (ky_ioc_normalise(a->kind, a->value, strlen(a->value), again,
			     KY_IOC_VALUE_MAX + 8, &why) != 0 ||
	    strcmp(again, a->value) != 0)
		__builtin_trap();
	free(again);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_misp_stats st = {0};
	struct ky_err err = {0};

	if (ky_misp_parse((const char *)data, size, "fuzz", on_attr, NULL, NULL,
			  &st, &err) != 0 &&
	    err.msg[0] == '\0')
		__builtin_trap();
	return 0;
}
