/* The asset inventory as JSON: the records of the JSON import form (also
 * the store's shape) and their serialisation; docs/assets.md shows the
 * shape. */
#include <stdbool.h>
#include <string.h>

#include "base/err.h"
#include "intel/assets.h"
#include "intel/assets_int.h"
#include "store/store.h"

static const char *opt_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A string, or an array of strings, each passed to fn. */
static int json_strs(const json_t *v, struct ky_asset_rec *rec, str_setter fn,
		     struct ky_err *err)
{
	const json_t *x;
	size_t i;
	int r;

	if (json_is_string(v))
		return fn(rec, json_string_value(v), json_string_length(v),
			  err);
	if (!json_is_array(v))
		return ky_err_set(err, KY_E_PARSE,
				  "not a string or an array of strings");
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			return ky_err_set(err, KY_E_PARSE,
					  "element %zu is not a string", i);
		if ((r = fn(rec, json_string_value(x), json_string_length(x),
			    err)) != 0)
			return r;
	}
	return 0;
}

static int json_software(const json_t *v, struct ky_asset_rec *rec,
			 struct ky_err *err)
{
	const json_t *x;
	size_t i;
	int r;

	if (!json_is_array(v))
		return ky_err_set(err, KY_E_PARSE, "not an array");
	rec->present |= KY_AF_SOFTWARE;
	json_array_foreach(v, i, x)
	{
		struct ky_software sw = {0};

		if (!json_is_object(x))
			return ky_err_set(err, KY_E_PARSE,
					  "[%zu]: not an object", i);
		sw.name = (char *)opt_str(x, "name");
		sw.version = (char *)opt_str(x, "version");
		sw.cpe = (char *)opt_str(x, "cpe");
		sw.purl = (char *)opt_str(x, "purl");
		sw.supplier = (char *)opt_str(x, "supplier");
		if ((r = ky_asset_rec_add_software(rec, &sw, err)) != 0) {
			ky_err_prefix(err, "[%zu]", i);
			return r;
		}
	}
	return 0;
}

/* Keys of the JSON form; the CSV header takes the same names. */
static const struct jkey {
	const char *name;
	str_setter fn;
	bool list;
} jkeys[] = {
	{"id", ky_asset_rec_set_id, false},
	{"hostnames", ky_asset_rec_add_host, true},
	{"hostname", ky_asset_rec_add_host, true},
	{"addresses", ky_asset_rec_add_addr, true},
	{"address", ky_asset_rec_add_addr, true},
	{"owner", ky__asset_set_owner, false},
	{"location", ky__asset_set_location, false},
	{"country", ky_asset_rec_set_country, false},
	{"tags", ky_asset_rec_add_tag, true},
};

int ky_asset_rec_from_json(const json_t *obj, struct ky_asset_rec *rec,
			   struct ky_err *err)
{
	const char *k;
	const json_t *v;
	size_t i;
	int r = 0;

	if (!json_is_object(obj))
		return ky_err_set(err, KY_E_PARSE, "not an object");
	json_object_foreach((json_t *)obj, k, v)
	{
		if (json_is_null(v))
			continue;
		if (strcmp(k, "criticality") == 0) {
			char c[2] = {0};

			if (json_is_integer(v) && json_integer_value(v) >= 0 &&
			    json_integer_value(v) <= 9)
				c[0] = (char)('0' + json_integer_value(v));
			if (json_is_string(v))
				r = ky_asset_rec_set_crit(
					rec, json_string_value(v),
					json_string_length(v), err);
			else if (c[0])
				r = ky_asset_rec_set_crit(rec, c, 1, err);
			else
				r = ky_err_set(err, KY_E_PARSE,
					       "not an integer 1-5");
		} else if (strcmp(k, "software") == 0) {
			r = json_software(v, rec, err);
		} else {
			for (i = 0; i < sizeof(jkeys) / sizeof(jkeys[0]); i++)
				if (strcmp(k, jkeys[i].name) == 0)
					break;
			if (i == sizeof(jkeys) / sizeof(jkeys[0]))
				continue; /* other keys: the CMDB's own */
			if (!jkeys[i].list && !json_is_string(v))
				r = ky_err_set(err, KY_E_PARSE, "not a string");
			else
				r = json_strs(v, rec, jkeys[i].fn, err);
		}
		if (r != 0) {
			ky_err_prefix(err, "field %s", k);
			return r;
		}
	}
	return 0;
}

/* ---- JSON serialisation (the import shape, see docs/assets.md) ---- */

/* NULL (key omitted by json_pack's o*) for an empty list. */
static json_t *strv_json(char *const *v, size_t n)
{
	json_t *arr = n ? json_array() : NULL;
	size_t i;

	for (i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_string(v[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

json_t *ky_asset_to_json(const struct ky_asset *as)
{
	json_t *sw = as->nsoftware ? json_array() : NULL;
	const struct ky_software *x;
	size_t i;

	for (i = 0; sw && i < as->nsoftware; i++) {
		x = &as->software[i];
		if (json_array_append_new(
			    sw, json_pack("{s:s, s:s*, s:s*, s:s*, s:s*}",
					  "name", x->name, "version",
					  x->version, "cpe", x->cpe, "purl",
					  x->purl, "supplier", x->supplier)) !=
		    0) {
			json_decref(sw);
			return NULL;
		}
	}
	if (as->nsoftware && sw == NULL)
		return NULL;
	/* o* steals its reference even when packing fails. */
	return json_pack(
		"{s:s, s:o*, s:o*, s:s*, s:o*, s:s*, s:s*, s:o*, s:o*}", "id",
		as->id, "hostnames", strv_json(as->hostnames, as->nhostnames),
		"addresses", strv_json(as->addresses, as->naddresses), "owner",
		as->owner, "criticality",
		as->criticality ? json_integer(as->criticality) : NULL,
		"location", as->location, "country",
		as->country[0] ? as->country : NULL, "tags",
		strv_json(as->tags, as->ntags), "software", sw);
}

json_t *ky_assets_to_json(const struct ky_assets *a)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; arr && i < ky_assets_count(a); i++)
		if ((o = ky_asset_to_json(ky_assets_at(a, i))) == NULL ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

struct loader {
	struct ky_assets *a;
	struct ky_err *err;
};

static int load_one(void *ud, const struct ky_doc_row *row)
{
	struct loader *l = ud;
	struct ky_asset_rec rec;
	json_error_t je;
	json_t *j = json_loadb(row->json, row->json_len, 0, &je);
	int r;

	if (j == NULL)
		return ky_err_set(l->err, KY_E_PARSE, "stored asset %s: %s",
				  row->id, je.text);
	ky_asset_rec_init(&rec);
	r = ky_asset_rec_from_json(j, &rec, l->err);
	if (r == 0)
		r = ky_assets_put(l->a, &rec, NULL, NULL, l->err);
	else
		ky_err_prefix(l->err, "stored asset %s", row->id);
	ky_asset_rec_clear(&rec);
	json_decref(j);
	return r;
}

int ky_assets_load_store(struct ky_assets *a, struct ky_store *st,
			 struct ky_err *err)
{
	struct loader l = {a, err};

	return ky_store_docs(st, "asset", load_one, &l, err);
}
