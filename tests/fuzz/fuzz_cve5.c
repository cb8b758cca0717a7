/* libFuzzer target for CVE JSON 5 records: whatever ky_cve5_to_csaf
 * accepts must be a CSAF document our parser reads and the mandatory tests
 * accept (the import path stores only such documents). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/csaf.h"
#include "intel/cve5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_csaf_findings f = {0};
	struct ky_err err = {0};
	struct ky_csaf *doc = NULL;
	json_t *rec = json_loadb((const char *)data, size, 0, NULL),
	       *out = NULL;
	char *text;

	if (rec == NULL)
		return 0;
	if (ky_cve5_to_csaf(rec, &out, &err) != 0) {
		json_decref(rec);
		return 0;
	}
	json_decref(rec);
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (text == NULL)
		return 0;
	if (ky_csaf_parse(text, strlen(text), "fuzz", &doc, &err) != 0 ||
	    ky_csaf_check(doc, &f, &err) != 0)
		__builtin_trap();
	ky_csaf_findings_free(&f);
	ky_csaf_free(doc);
	free(text);
	return 0;
}
