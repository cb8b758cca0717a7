/* Fuzz target for the CVSS v3.x and v4.0 vector parsers: the input, made
 * a C string, goes through both, then again behind each prefix so that the
 * fuzzer need not discover the prefixes before reaching the metrics. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/cvss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *s)
{
	struct ky_cvss3_scores s3 = {0};
	struct ky_cvss4_result r4 = {0};
	struct ky_err err;

	if (ky_cvss3_scores(s, &s3, &err) == 0 &&
	    (s3.base < 0 || s3.base > 10 || s3.temporal > s3.base ||
	     s3.environmental < 0 || s3.environmental > 10))
		abort();
	if (ky_cvss40_result(s, &r4, &err) == 0 &&
	    (r4.score < 0 || r4.score > 10))
		abort();
	(void)ky_cvss_severity(s3.base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 2 * KY_CVSS_VECTOR_MAX)
		return 0;
	s = malloc(size + 10);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	run(s);
	memcpy(s, "CVSS:4.0/", 9);
	memcpy(s + 9, data, size);
	s[size + 9] = '\0';
	run(s);
	memcpy(s, "CVSS:3.1/", 9);
	run(s);
	free(s);
	return 0;
}
