/* Scores CVSS vectors read one per line on stdin and prints one line per
 * vector: "base temporal environmental" for v3.x, "score nomenclature
 * macrovector unrounded" for v4.0, or "error <message>"; used by
 * tests/integration/test_cvss_npm.py to compare with other implementations. */
#include "intel/cvss.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[KY_CVSS_VECTOR_MAX + 2];

	while (fgets(line, sizeof line, stdin) != NULL) {
		struct ky_err err = {0};
		size_t n = strcspn(line, "\r\n");

		line[n] = '\0';
		if (strncmp(line, "CVSS:4.0/", 9) == 0) {
			struct ky_cvss4_result r;

			if (ky_cvss40_result(line, &r, &err) == 0)
				printf("%.1f %s %s %.9f\n", r.score,
				       r.nomenclature, r.macrovector,
				       r.unrounded);
			else
				printf("error %s\n", err.msg);
		} else {
			struct ky_cvss3_scores s;

			if (ky_cvss3_scores(line, &s, &err) == 0)
				printf("%.1f %.1f %.1f\n", s.base, s.temporal,
				       s.environmental);
			else
				printf("error %s\n", err.msg);
		}
	}
	return 0;
}
