/* Fuzzes the three asset importers (CSV, JSON form, CycloneDX) on the same
 * bytes, then a lookup and the JSON serialisation of what was kept. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "intel/assets.h"

static void quiet(void *ud, const struct ky_err *e)
{
	(void)ud;
	(void)e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ky_assets_format fmts[] = {
		KY_ASSETS_CSV, KY_ASSETS_JSON, KY_ASSETS_CYCLONEDX,
		KY_ASSETS_AUTO};
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err;
	const struct ky_asset *found[4];
	struct ky_asset_match m[4];
	json_t *j;
	size_t i;

	if (a == NULL)
		return 0;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		imp = (struct ky_assets_import){
			.on_error = quiet, .asset_id = i == 3 ? "fz" : NULL};
		ky_assets_import_data(a, fmts[i], (const char *)data, size,
				      &imp, &err);
	}
	ky_assets_find_host(a, (const char *)data, size < 300 ? size : 300,
			    found, 4);
	ky_assets_find_addr(a, (const char *)data, size < 60 ? size : 60, found,
			    4);
	ky_assets_link(a, "h", "192.0.2.1", "2001:db8::1", m, 4);
	if ((j = ky_assets_to_json(a)) != NULL)
		json_decref(j);
	ky_assets_free(a);
	return 0;
}
