/* libFuzzer target for the reporting file of an incident (respond/case.c):
 * a stored document read back is checked, then fields set from the input's
 * text as the CLI would; whatever is accepted must check again. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "respond/case.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = {
		"significant",	    "aware",
		"cross-border",	    "malicious",
		"unknown",	    "impact",
		"affected-users",   "intermediate-due",
		"cra-vulnerability"};
	struct ky_err err = {0};
	json_t *c = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			       NULL);
	char *text;

	if (c != NULL && ky_case_check(c, &err) != 0) {
		json_decref(c);
		c = NULL;
	}
	if (c == NULL && (c = ky_case_new(1)) == NULL)
		return 0;
	if ((text = malloc(size + 1)) == NULL) {
		json_decref(c);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		(void)ky_case_set(c, fields[i], text, "fuzz", 1, &err);
	if (ky_case_check(c, &err) != 0)
		__builtin_trap();
	free(text);
	json_decref(c);
	return 0;
}
