/* The STIX incident of one of our incidents: the core SDO with the Incident
 * Core extension (determination, investigation status, criticality), the
 * ATT&CK tags as kill-chain phases and external references, and what the
 * policy may redact or pseudonymise as x_kyklos_ properties. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/time.h"
#include "intel/stix.h"

#define INCIDENT_EXT                                                           \
	"extension-definition--ef765651-680c-498d-9894-99799f2fa126"

static int64_t jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

/* Custom list properties: STIX forbids empty lists, so none is omitted. */
static int put_list(json_t *o, const char *k, const json_t *src)
{
	if (!json_is_array(src) || json_array_size(src) == 0)
		return 0;
	return json_object_set_new(o, k, json_deep_copy(src));
}

/* "attack.credential_access" -> phase "credential-access";
 * "attack.t1110.001" -> external id "T1110.001" (also groups and
 * software, "attack.g0007", "attack.s0002"). */
static int attack_tags(json_t *o, const json_t *tags)
{
	json_t *phases = json_array(), *refs = json_array(), *v;
	int r = phases && refs ? 0 : -1;
	size_t i;

	json_array_foreach(tags, i, v)
	{
		const char *t = json_string_value(v);
		char buf[64];
		size_t n;

		if (r != 0 || t == NULL || strncmp(t, "attack.", 7) != 0 ||
		    (n = strlen(t + 7)) == 0 || n >= sizeof(buf))
			continue;
		memcpy(buf, t + 7, n + 1);
		if (strchr("tgs", buf[0]) && isdigit((unsigned char)buf[1])) {
			for (size_t k = 0; k < n; k++)
				buf[k] = (char)toupper((unsigned char)buf[k]);
			r = json_array_append_new(
				refs,
				json_pack("{s:s, s:s}", "source_name",
					  "mitre-attack", "external_id", buf));
			continue;
		}
		for (size_t k = 0; k < n; k++)
			if (buf[k] == '_')
				buf[k] = '-';
		r = json_array_append_new(
			phases, json_pack("{s:s, s:s}", "kill_chain_name",
					  "mitre-attack", "phase_name", buf));
	}
	if (r == 0 && json_array_size(phases))
		r = json_object_set(o, "kill_chain_phases", phases);
	if (r == 0 && json_array_size(refs))
		r = json_object_set(o, "external_references", refs);
	json_decref(phases);
	json_decref(refs);
	return r;
}

json_t *ky_stix_incident(const struct ky_stix_ctx *c, const json_t *doc,
			 struct ky_err *err)
{
	const char *status = json_string_value(json_object_get(doc, "status"));
	const char *title = json_string_value(json_object_get(doc, "title"));
	const json_t *cls = json_object_get(doc, "classification");
	const json_t *sev = json_object_get(doc, "severity");
	const json_t *hist = json_object_get(doc, "history"), *h;
	const char *tlpname = json_string_value(
		json_object_get(json_object_get(doc, "tlp"), "level"));
	int tlp = tlpname ? ky_tlp_parse(tlpname) : -1;
	int64_t id = jint(doc, "id"), created = jint(doc, "created_ns");
	int64_t modified = jint(doc, "last_ns"), score;
	char sid[KY_STIX_ID_MAX], key[40], me[KY_STIX_ID_MAX];
	char cr[KY_TIME_RFC3339_LEN], mo[KY_TIME_RFC3339_LEN];
	const char *det, *inv;
	json_t *o = NULL, *ext;
	size_t i;

	if (id <= 0 || status == NULL || title == NULL || tlp < 0) {
		ky_err_set(err, KY_E_PARSE,
			   "incident %lld: not an incident document (id, "
			   "status, title, tlp)",
			   (long long)id);
		return NULL;
	}
	/* the version changes with every alert and every analyst action */
	json_array_foreach(hist, i, h) if (jint(h, "when_ns") > modified)
		modified = jint(h, "when_ns");
	if (modified < created)
		modified = created;
	inv = strcmp(status, "new") == 0 ? "new"
	      : strcmp(status, "acknowledged") == 0 ||
			      strcmp(status, "contained") == 0
		      ? "open"
		      : "closed";
	det = strcmp(status, "false-positive") == 0 ? "false-positive"
	      : strcmp(status, "contained") == 0 ||
			      strcmp(status, "resolved") == 0 ||
			      strcmp(status, "closed") == 0
		      ? "confirmed"
		      : "suspected";
	score = jint(sev, "score");
	score = score < 0 ? 0 : score > 100 ? 100 : score;
	snprintf(key, sizeof(key), "incident/%lld", (long long)id);
	ky_stix_id("incident", c->node_id, key, sid);
	ky_stix_node_identity_id(c->node_id, me);
	ky_time_format_rfc3339(created, cr);
	ky_time_format_rfc3339(modified, mo);
	ext = json_pack("{s:{s:s, s:s, s:s, s:I}}", INCIDENT_EXT,
			"extension_type", "property-extension", "determination",
			det, "investigation_status", inv, "criticality",
			(json_int_t)score);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:o}", "type",
		      "incident", "spec_version", "2.1", "id", sid, "created",
		      cr, "modified", mo, "created_by_ref", me, "name", title,
		      "object_marking_refs", ky_stix_tlp_id((enum ky_tlp)tlp),
		      "extensions", ext);
	if (o == NULL)
		goto nomem;
	if (json_object_set_new(
		    o, "description",
		    json_sprintf(
			    "%lld alerts; RSIT %s/%s; severity %s (%lld)",
			    (long long)jint(doc, "alert_count"),
			    json_string_value(json_object_get(cls, "class")),
			    json_string_value(json_object_get(cls, "type")),
			    json_string_value(json_object_get(sev, "band")),
			    (long long)score)) ||
	    json_object_set_new(
		    o, "labels",
		    json_pack("[s+++]", "rsit:",
			      json_string_value(json_object_get(cls, "class")),
			      "/",
			      json_string_value(json_object_get(cls, "type")))))
		goto nomem;
	if (attack_tags(o, json_object_get(doc, "attack")) != 0 ||
	    put_list(o, "x_kyklos_hosts", json_object_get(doc, "hosts")) ||
	    put_list(o, "x_kyklos_users", json_object_get(doc, "users")) ||
	    put_list(o, "x_kyklos_addresses",
		     json_object_get(doc, "addresses")) ||
	    json_object_set_new(o, "x_kyklos_alert_count",
				json_integer(jint(doc, "alert_count"))))
		goto nomem;
	return o;
nomem:
	json_decref(o);
	ky_err_set(err, KY_E_NOMEM, "incident %lld: out of memory",
		   (long long)id);
	return NULL;
}
