/* Fuzz target for the CSAF reader and the mandatory tests: any bytes are
 * parsed, and whatever parses is checked and looked up. */
#include <stddef.h>
#include <stdint.h>

#include "intel/csaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_csaf *doc = NULL;
	struct ky_csaf_findings found = {0};
	struct ky_err err = {0};

	if (ky_csaf_parse((const char *)data, size, "fuzz", &doc, &err) != 0)
		return 0;
	(void)ky_csaf_check(doc, &found, &err);
	for (size_t i = 0; i < doc->nproducts; i++)
		(void)ky_csaf_product_base(doc, &doc->products[i]);
	for (size_t i = 0; i < doc->nvulns; i++)
		for (size_t k = 0; k < doc->nproducts; k++) {
			const char *id = doc->products[k].id;
			(void)ky_csaf_status_of(&doc->vulns[i], id);
			(void)ky_csaf_known_exploited(doc, &doc->vulns[i], id);
		}
	ky_csaf_findings_free(&found);
	ky_csaf_free(doc);
	return 0;
}
