/* The check of a STIX 2.1 object received from outside (a peer, a bundle, a
 * TAXII client): enough of the specification's MUSTs that what we store
 * and relay is well formed, with a message naming the object and the
 * property.  The full JSON schemas are checked in the tests (ajv). */
#include <string.h>

#include "base/time.h"
#include "intel/stix.h"

enum kind { SDO, SRO, SCO, META };

static const struct type {
	const char *name;
	enum kind kind;
	const char *required[4];
} types[] = {
	{"attack-pattern", SDO, {"name"}},
	{"campaign", SDO, {"name"}},
	{"course-of-action", SDO, {"name"}},
	{"grouping", SDO, {"context", "object_refs"}},
	{"identity", SDO, {"name"}},
	{"incident", SDO, {"name"}},
	{"indicator", SDO, {"pattern", "pattern_type", "valid_from"}},
	{"infrastructure", SDO, {"name"}},
	{"intrusion-set", SDO, {"name"}},
	{"location", SDO, {NULL}},
	{"malware", SDO, {"is_family"}},
	{"malware-analysis", SDO, {"product"}},
	{"note", SDO, {"content", "object_refs"}},
	{"observed-data",
	 SDO,
	 {"first_observed", "last_observed", "number_observed"}},
	{"opinion", SDO, {"opinion", "object_refs"}},
	{"report", SDO, {"name", "published", "object_refs"}},
	{"threat-actor", SDO, {"name"}},
	{"tool", SDO, {"name"}},
	{"vulnerability", SDO, {"name"}},
	{"relationship",
	 SRO,
	 {"relationship_type", "source_ref", "target_ref"}},
	{"sighting", SRO, {"sighting_of_ref"}},
	{"marking-definition", META, {"created"}},
	{"artifact", SCO, {NULL}},
	{"autonomous-system", SCO, {"number"}},
	{"directory", SCO, {"path"}},
	{"domain-name", SCO, {"value"}},
	{"email-addr", SCO, {"value"}},
	{"email-message", SCO, {"is_multipart"}},
	{"file", SCO, {NULL}},
	{"ipv4-addr", SCO, {"value"}},
	{"ipv6-addr", SCO, {"value"}},
	{"mac-addr", SCO, {"value"}},
	{"mutex", SCO, {"name"}},
	{"network-traffic", SCO, {"protocols"}},
	{"process", SCO, {NULL}},
	{"software", SCO, {"name"}},
	{"url", SCO, {"value"}},
	{"user-account", SCO, {NULL}},
	{"windows-registry-key", SCO, {NULL}},
	{"x509-certificate", SCO, {NULL}},
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool uuid_ok(const char *u)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !is_hex(u[i]))
			return false;
	}
	return u[36] == '\0';
}

/* "type--uuid" with type any STIX type name when want is NULL. */
static bool id_ok(const char *id, const char *want)
{
	const char *sep = id ? strstr(id, "--") : NULL;
	size_t n;

	if (sep == NULL || (n = (size_t)(sep - id)) < 3 || n > 250)
		return false;
	if (want != NULL && (strlen(want) != n || strncmp(id, want, n) != 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
			return false;
	return uuid_ok(sep + 2);
}

static bool type_name_ok(const char *t)
{
	size_t n = strlen(t);

	if (n < 3 || n > 250)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-'))
			return false;
	return true;
}

static int bad(struct ky_err *err, const char *id, const char *prop,
	       const char *why)
{
	return ky_err_set(err, KY_E_PARSE, "object %.100s: %s: %s",
			  id ? id : "(no id)", prop, why);
}

static int time_prop(const json_t *o, const char *id, const char *k,
		     bool required, int64_t *ns, struct ky_err *err)
{
	const json_t *v = json_object_get(o, k);
	const char *s = json_string_value(v);

	*ns = 0;
	if (v == NULL)
		return required ? bad(err, id, k, "missing") : 0;
	/* the whole string, in UTC with a 'T' as STIX requires */
	if (s == NULL || strlen(s) < 20 || s[10] != 'T' ||
	    s[strlen(s) - 1] != 'Z' ||
	    ky_time_parse_rfc3339(s, strlen(s), ns) != (int)strlen(s))
		return bad(err, id, k, "not an RFC 3339 UTC timestamp");
	return 0;
}

static int ref_prop(const json_t *v, const char *id, const char *k,
		    const char *want, struct ky_err *err)
{
	if (!id_ok(json_string_value(v), want))
		return bad(err, id, k,
			   want ? "not an identifier of the right type"
				: "not a STIX identifier");
	return 0;
}

static int ref_list(const json_t *o, const char *id, const char *k,
		    const char *want, struct ky_err *err)
{
	const json_t *a = json_object_get(o, k), *v;
	size_t i;
	int r;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return bad(err, id, k, "not a non-empty list");
	json_array_foreach(a, i,
			   v) if ((r = ref_prop(v, id, k, want, err))) return r;
	return 0;
}

static int common(const json_t *o, const struct type *t, const char *id,
		  struct ky_err *err)
{
	const json_t *v;
	int64_t cr = 0, mo = 0;
	int r;

	if (t == NULL || t->kind != SCO) {
		v = json_object_get(o, "spec_version");
		if (json_string_value(v) == NULL ||
		    strcmp(json_string_value(v), "2.1") != 0)
			return bad(err, id, "spec_version", "must be \"2.1\"");
		if ((r = time_prop(o, id, "created", true, &cr, err)) ||
		    (r = time_prop(o, id, "modified",
				   t == NULL || t->kind != META, &mo, err)))
			return r;
		if (json_object_get(o, "modified") != NULL && mo < cr)
			return bad(err, id, "modified", "before created");
	}
	if ((v = json_object_get(o, "created_by_ref")) != NULL &&
	    (r = ref_prop(v, id, "created_by_ref", "identity", err)))
		return r;
	if ((r = ref_list(o, id, "object_marking_refs", "marking-definition",
			  err)))
		return r;
	if ((v = json_object_get(o, "confidence")) != NULL &&
	    (!json_is_integer(v) || json_integer_value(v) < 0 ||
	     json_integer_value(v) > 100))
		return bad(err, id, "confidence", "not an integer 0-100");
	if ((v = json_object_get(o, "revoked")) != NULL && !json_is_boolean(v))
		return bad(err, id, "revoked", "not a boolean");
	if ((v = json_object_get(o, "labels")) != NULL) {
		const json_t *x;
		size_t i;

		if (!json_is_array(v) || json_array_size(v) == 0)
			return bad(err, id, "labels", "not a non-empty list");
		json_array_foreach(v, i, x) if (!json_is_string(x)) return bad(
			err, id, "labels", "not a list of strings");
	}
	return 0;
}

static int per_type(const json_t *o, const char *type, const char *id,
		    struct ky_err *err)
{
	int64_t a, b;
	int r;

	if (strcmp(type, "indicator") == 0) {
		if ((r = time_prop(o, id, "valid_from", true, &a, err)) ||
		    (r = time_prop(o, id, "valid_until", false, &b, err)))
			return r;
		if (json_object_get(o, "valid_until") && b <= a)
			return bad(err, id, "valid_until",
				   "not after valid_from");
		if (!json_is_string(json_object_get(o, "pattern")))
			return bad(err, id, "pattern", "not a string");
	} else if (strcmp(type, "sighting") == 0) {
		const json_t *c = json_object_get(o, "count");

		if ((r = ref_prop(json_object_get(o, "sighting_of_ref"), id,
				  "sighting_of_ref", NULL, err)) ||
		    (r = ref_list(o, id, "where_sighted_refs", NULL, err)) ||
		    (r = ref_list(o, id, "observed_data_refs", "observed-data",
				  err)))
			return r;
		if (c != NULL &&
		    (!json_is_integer(c) || json_integer_value(c) < 0 ||
		     json_integer_value(c) > 999999999))
			return bad(err, id, "count",
				   "not an integer 0-999999999");
		if ((r = time_prop(o, id, "first_seen", false, &a, err)) ||
		    (r = time_prop(o, id, "last_seen", false, &b, err)))
			return r;
		if (json_object_get(o, "first_seen") &&
		    json_object_get(o, "last_seen") && b < a)
			return bad(err, id, "last_seen", "before first_seen");
	} else if (strcmp(type, "observed-data") == 0) {
		const json_t *n = json_object_get(o, "number_observed");

		if ((r = time_prop(o, id, "first_observed", true, &a, err)) ||
		    (r = time_prop(o, id, "last_observed", true, &b, err)))
			return r;
		if (b < a)
			return bad(err, id, "last_observed",
				   "before first_observed");
		if (!json_is_integer(n) || json_integer_value(n) < 1 ||
		    json_integer_value(n) > 999999999)
			return bad(err, id, "number_observed",
				   "not an integer 1-999999999");
		if (json_object_get(o, "object_refs") == NULL &&
		    json_object_get(o, "objects") == NULL)
			return bad(err, id, "object_refs", "missing");
		if ((r = ref_list(o, id, "object_refs", NULL, err)))
			return r;
	} else if (strcmp(type, "relationship") == 0) {
		if ((r = ref_prop(json_object_get(o, "source_ref"), id,
				  "source_ref", NULL, err)) ||
		    (r = ref_prop(json_object_get(o, "target_ref"), id,
				  "target_ref", NULL, err)))
			return r;
	} else if (strcmp(type, "note") == 0 || strcmp(type, "report") == 0 ||
		   strcmp(type, "opinion") == 0 ||
		   strcmp(type, "grouping") == 0) {
		if ((r = ref_list(o, id, "object_refs", NULL, err)))
			return r;
		if (strcmp(type, "report") == 0 &&
		    (r = time_prop(o, id, "published", true, &a, err)))
			return r;
	}
	return 0;
}

int ky_stix_check(const json_t *obj, struct ky_err *err)
{
	const char *type, *id;
	const struct type *t = NULL;
	int r;

	if (!json_is_object(obj))
		return ky_err_set(err, KY_E_PARSE, "object: not a JSON object");
	type = json_string_value(json_object_get(obj, "type"));
	id = json_string_value(json_object_get(obj, "id"));
	if (type == NULL || !type_name_ok(type))
		return bad(err, id, "type", "missing or not a STIX type name");
	if (!id_ok(id, type))
		return bad(err, id, "id", "not \"<type>--<UUID>\" of its type");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, type) == 0)
			t = &types[i];
	if (t == NULL && strncmp(type, "x-", 2) != 0)
		return bad(err, id, "type", "unknown (custom types start x-)");
	if ((r = common(obj, t, id, err)) != 0)
		return r;
	for (int i = 0; t != NULL && i < 4 && t->required[i]; i++)
		if (json_object_get(obj, t->required[i]) == NULL)
			return bad(err, id, t->required[i], "missing");
	return per_type(obj, type, id, err);
}
