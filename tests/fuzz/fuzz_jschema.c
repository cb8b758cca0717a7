/* Fuzzes the JSON schema validator: input is a JSON document validated
 * against a small built-in schema using every keyword, and against the
 * CSAF 2.0 schema when $KYKLOS_SHARED_DATA holds it; input starting with
 * '!' is compiled as a schema instead, then used on a fixed instance. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "intel/jschema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMALL_ID "https://fuzz.example/s.json"

static const char small_schema[] =
	"{\"$id\":\"" SMALL_ID "\",\"$defs\":{\"n\":{\"type\":\"object\","
	"\"properties\":{\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":"
	"\"#/$defs/n\"},\"uniqueItems\":true,\"maxItems\":8}},"
	"\"patternProperties\":{\"^x-\":{\"type\":[\"string\",\"null\"]}},"
	"\"dependentRequired\":{\"a\":[\"b\"]}}},"
	"\"type\":\"object\",\"required\":[\"id\"],\"properties\":{"
	"\"id\":{\"type\":\"string\",\"pattern\":\"^[a-z]+(-[0-9]{1,4})*$\","
	"\"minLength\":1,\"maxLength\":32},"
	"\"when\":{\"format\":\"date-time\"},\"uri\":{\"format\":\"uri\"},"
	"\"mail\":{\"format\":\"email\"},"
	"\"score\":{\"type\":\"number\",\"minimum\":0,\"maximum\":10,"
	"\"multipleOf\":0.1},"
	"\"kind\":{\"enum\":[\"a\",\"b\",1,null]},\"v\":{\"const\":[1,{}]},"
	"\"tree\":{\"$ref\":\"#/$defs/n\"},"
	"\"alt\":{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\","
	"\"minLength\":2}],\"not\":{\"const\":\"zz\"}},"
	"\"any\":{\"anyOf\":[{\"prefixItems\":[{\"type\":\"boolean\"}]},"
	"{\"contains\":{\"const\":3}}]},"
	"\"cond\":{\"if\":{\"required\":[\"k\"]},\"then\":{\"minProperties\":"
	"2},\"else\":{\"maxProperties\":1},\"propertyNames\":{\"maxLength\":"
	"4}}},\"additionalProperties\":{\"allOf\":[{\"type\":\"boolean\"}]}}";

static struct ky_jschema *small, *csaf;
static int ready;

static void init(void)
{
	struct ky_err err;
	json_t *j = json_loads(small_schema, 0, NULL);
	const char *d = getenv("KYKLOS_SHARED_DATA");
	char dir[1024];

	ready = 1;
	if (j == NULL || ky_jschema_new(&small) != 0 ||
	    ky_jschema_add(small, j, NULL, &err) != 0)
		abort(); /* the built-in schema must compile */
	json_decref(j);
	if (ky_jschema_new(&csaf) != 0)
		abort();
	snprintf(dir, sizeof(dir), "%s/csaf/csaf_2.0",
		 d ? d : "../shared/data");
	if (ky_jschema_load_csaf(csaf, dir, true, &err) != 0) {
		ky_jschema_free(csaf);
		csaf = NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_err err;
	json_t *j;

	if (!ready)
		init();
	if (size > 0 && data[0] == '!') {
		struct ky_jschema *s = NULL;
		json_t *inst =
			json_loads("{\"a\":[1,\"x\",{\"b\":null}]}", 0, NULL);
		j = json_loadb((const char *)data + 1, size - 1,
			       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
		if (j && inst && ky_jschema_new(&s) == 0 &&
		    ky_jschema_add(s, j, "https://fuzz.example/in.json",
				   &err) == 0)
			(void)ky_jschema_validate(
				s, "https://fuzz.example/in.json", inst, &err);
		ky_jschema_free(s);
		json_decref(j);
		json_decref(inst);
		return 0;
	}
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		return 0;
	(void)ky_jschema_validate(small, SMALL_ID, j, &err);
	if (csaf)
		(void)ky_jschema_validate(csaf, KY_JSCHEMA_CSAF_ID, j, &err);
	json_decref(j);
	return 0;
}
