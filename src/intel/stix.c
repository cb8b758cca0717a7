/* STIX 2.1 builders: ids, TLP 2.0 markings, patterns, and the objects a
 * node emits from its own records (docs/stix.md).  Ids are deterministic
 * (UUIDv5 of the node id and the local key) so that emitting the same
 * record twice gives the same (id, modified) and receivers deduplicate. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "intel/stix.h"
#include "trust/jcs.h"

/* Our namespace for SDO ids (a random v4 UUID fixed once). */
static const char kyklos_ns[37] = "6f1c2a7e-5b3d-4e8a-9c21-0d4b7f3e9a56";
/* STIX 2.1 section 2.9: the namespace of deterministic SCO ids. */
static const char sco_ns[37] = "00abedb4-aa42-466c-9c01-fed23315a9b7";

#define TLP_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define INCIDENT_EXT                                                           \
	"extension-definition--ef765651-680c-498d-9894-99799f2fa126"

static const char *const tlp_ids[] = {
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};
static const char *const tlp_upper[] = {"CLEAR", "GREEN", "AMBER",
					"AMBER+STRICT", "RED"};
/* restrictiveness order; the enum is already in it */

const char *ky_stix_tlp_id(enum ky_tlp t)
{
	return (unsigned)t < KY_TLP_UNSET ? tlp_ids[t] : NULL;
}

json_t *ky_stix_tlp_marking(enum ky_tlp t)
{
	char name[32];

	if ((unsigned)t >= KY_TLP_UNSET)
		return NULL;
	snprintf(name, sizeof(name), "TLP:%s", tlp_upper[t]);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
			 "marking-definition", "spec_version", "2.1", "id",
			 tlp_ids[t], "created", "2022-10-01T00:00:00.000Z",
			 "name", name, "extensions", TLP_EXT, "extension_type",
			 "property-extension", "tlp_2_0", ky_tlp_name(t));
}

enum ky_tlp ky_stix_tlp_of(const json_t *obj)
{
	const json_t *refs = json_object_get(obj, "object_marking_refs");
	enum ky_tlp best = KY_TLP_UNSET;
	size_t i;
	json_t *v;

	json_array_foreach(refs, i, v)
	{
		const char *s = json_string_value(v);

		for (int t = 0; s != NULL && t < KY_TLP_UNSET; t++)
			if (strcmp(s, tlp_ids[t]) == 0 &&
			    (best == KY_TLP_UNSET || t > (int)best))
				best = (enum ky_tlp)t;
	}
	return best;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

void ky_stix_uuid5(const char ns[37], const void *name, size_t n, char out[37])
{
	unsigned char bin[16], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	size_t j = 0;

	for (size_t i = 0; i < 36 && j < 16; i++) {
		if (ns[i] == '-')
			continue;
		bin[j++] =
			(unsigned char)(hexval(ns[i]) << 4 | hexval(ns[i + 1]));
		i++;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, bin, 16) != 1 ||
	    EVP_DigestUpdate(ctx, name, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		abort(); /* only allocation can fail here */
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8],
		 md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
}

void ky_stix_id(const char *type, const char *node_id, const char *key,
		char out[KY_STIX_ID_MAX])
{
	char name[1024], u[37];
	int n = snprintf(name, sizeof(name), "%s/%s/%s", node_id, type, key);

	if (n < 0 || (size_t)n >= sizeof(name))
		n = (int)sizeof(name) - 1; /* keys are short; never cut */
	ky_stix_uuid5(kyklos_ns, name, (size_t)n, u);
	snprintf(out, KY_STIX_ID_MAX, "%s--%s", type, u);
}

int ky_stix_sco_id(const char *type, const char *value,
		   char out[KY_STIX_ID_MAX])
{
	json_t *o = json_pack("{s:s}", "value", value);
	struct ky_buf b;
	char u[37];
	int r;

	if (o == NULL)
		return KY_E_NOMEM;
	ky_buf_init(&b, 0);
	r = ky_jcs_value(o, &b, NULL);
	json_decref(o);
	if (r == 0) {
		ky_stix_uuid5(sco_ns, b.data, b.len, u);
		snprintf(out, KY_STIX_ID_MAX, "%s--%s", type, u);
	}
	ky_buf_free(&b);
	return r;
}

void ky_stix_node_identity_id(const char *node_id, char out[KY_STIX_ID_MAX])
{
	ky_stix_id("identity", node_id, "node", out);
}

/* ---- common properties ------------------------------------------------ */

static void ts(int64_t ns, char out[KY_TIME_RFC3339_LEN])
{
	ky_time_format_rfc3339(ns, out);
}

/* type, spec_version, id, created, modified, created_by_ref, marking. */
static json_t *sdo(const struct ky_stix_ctx *c, const char *type,
		   const char *id, int64_t created_ns, int64_t modified_ns,
		   enum ky_tlp tlp)
{
	char cr[KY_TIME_RFC3339_LEN], mo[KY_TIME_RFC3339_LEN];
	char me[KY_STIX_ID_MAX];
	json_t *o;

	if (modified_ns < created_ns)
		modified_ns = created_ns;
	ts(created_ns, cr);
	ts(modified_ns, mo);
	ky_stix_node_identity_id(c->node_id, me);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "spec_version",
		      "2.1", "id", id, "created", cr, "modified", mo);
	if (o == NULL)
		return NULL;
	if (strcmp(type, "identity") != 0 &&
	    json_object_set_new(o, "created_by_ref", json_string(me)) != 0)
		goto fail;
	if (tlp != KY_TLP_UNSET &&
	    json_object_set_new(o, "object_marking_refs",
				json_pack("[s]", tlp_ids[tlp])) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *set(json_t *o, const char *k, json_t *v)
{
	if (o != NULL && (v == NULL || json_object_set_new(o, k, v) != 0)) {
		json_decref(o);
		return NULL;
	}
	if (o == NULL)
		json_decref(v);
	return o;
}

json_t *ky_stix_identity(const struct ky_stix_ctx *c, const char *country,
			 const char *sector)
{
	char id[KY_STIX_ID_MAX];
	json_t *o;

	ky_stix_node_identity_id(c->node_id, id);
	/* the identity of a node is created once: its time is the epoch so
	 * that every node derives the same version of it */
	o = sdo(c, "identity", id, 0, 0, KY_TLP_UNSET);
	o = set(o, "name",
		json_string(c->node_name ? c->node_name : c->node_id));
	o = set(o, "identity_class", json_string("organization"));
	if (sector != NULL && *sector)
		o = set(o, "sectors", json_pack("[s]", sector));
	if (country != NULL && *country)
		o = set(o, "x_kyklos_country", json_string(country));
	return set(o, "x_kyklos_node", json_string(c->node_id));
}

/* ---- patterns --------------------------------------------------------- */

static int quoted(struct ky_buf *b, const char *v)
{
	int r = ky_buf_addc(b, '\'');

	for (; r == 0 && *v; v++) {
		if (*v == '\'' || *v == '\\')
			r = ky_buf_addc(b, '\\');
		r = r ? r : ky_buf_addc(b, *v);
	}
	return r ? r : ky_buf_addc(b, '\'');
}

int ky_stix_pattern(enum ky_ioc_type t, const char *value, struct ky_buf *out,
		    struct ky_err *err)
{
	static const char *const hash_path[] = {"MD5", "'SHA-1'", "'SHA-256'"};
	char *norm = malloc(KY_IOC_VALUE_MAX + 8);
	const char *why = NULL, *v;
	int r;

	if (norm == NULL)
		return ky_err_set(err, KY_E_NOMEM, "pattern: out of memory");
	if (ky_ioc_normalise(t, value, strlen(value), norm,
			     KY_IOC_VALUE_MAX + 8, &why) != 0) {
		r = ky_err_set(err, KY_E_INVAL, "indicator %s '%.64s': %s",
			       ky_ioc_type_name(t), value, why);
		goto out;
	}
	v = norm;
	switch (t) {
	case KY_IOC_IP:
		r = ky_buf_adds(out, strchr(v, ':') ? "[ipv6-addr:value "
						    : "[ipv4-addr:value ");
		r = r ? r
		      : ky_buf_adds(out, strchr(v, '/') ? "ISSUBSET " : "= ");
		break;
	case KY_IOC_DOMAIN:
		if (v[0] == '*' && v[1] == '.') {
			/* our "*.b.example" is STIX's LIKE '%.b.example' */
			norm[0] = '%';
			r = ky_buf_adds(out, "[domain-name:value LIKE ");
			break;
		}
		r = ky_buf_adds(out, "[domain-name:value = ");
		break;
	case KY_IOC_URL:
		r = ky_buf_adds(out, "[url:value = ");
		break;
	case KY_IOC_EMAIL:
		r = ky_buf_adds(out, "[email-addr:value = ");
		break;
	default:
		r = ky_buf_addf(
			out, "[file:hashes.%s = ", hash_path[t - KY_IOC_MD5]);
		break;
	}
	r = r ? r : quoted(out, v);
	r = r ? r : ky_buf_addc(out, ']');
	if (r != 0)
		r = ky_err_set(err, r, "pattern: out of memory");
out:
	free(norm);
	return r;
}

/* Reads a quoted pattern string at *p into a malloc'd value. */
static char *unquote(const char **p)
{
	const char *s = *p;
	struct ky_buf b;

	if (*s != '\'')
		return NULL;
	ky_buf_init(&b, KY_IOC_VALUE_MAX);
	for (s++; *s && *s != '\''; s++) {
		if (*s == '\\') {
			if (s[1] != '\'' && s[1] != '\\')
				break;
			s++;
		}
		if (ky_buf_addc(&b, *s) != 0)
			break;
	}
	if (*s != '\'') {
		ky_buf_free(&b);
		return NULL;
	}
	*p = s + 1;
	if (b.data == NULL && ky_buf_adds(&b, "") != 0)
		return NULL;
	return ky_buf_steal(&b, NULL);
}

int ky_stix_pattern_ioc(const char *pattern, enum ky_ioc_type *t, char **value,
			struct ky_err *err)
{
	static const struct {
		const char *head;
		enum ky_ioc_type t;
		bool like;
	} forms[] = {
		{"[ipv4-addr:value = ", KY_IOC_IP, false},
		{"[ipv4-addr:value ISSUBSET ", KY_IOC_IP, false},
		{"[ipv6-addr:value = ", KY_IOC_IP, false},
		{"[ipv6-addr:value ISSUBSET ", KY_IOC_IP, false},
		{"[domain-name:value = ", KY_IOC_DOMAIN, false},
		{"[domain-name:value LIKE ", KY_IOC_DOMAIN, true},
		{"[url:value = ", KY_IOC_URL, false},
		{"[email-addr:value = ", KY_IOC_EMAIL, false},
		{"[file:hashes.MD5 = ", KY_IOC_MD5, false},
		{"[file:hashes.'MD5' = ", KY_IOC_MD5, false},
		{"[file:hashes.'SHA-1' = ", KY_IOC_SHA1, false},
		{"[file:hashes.'SHA-256' = ", KY_IOC_SHA256, false},
	};
	const char *why = NULL;
	char *v = NULL, *norm = NULL;

	*value = NULL;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t hl = strlen(forms[i].head);
		const char *p = pattern + hl;

		if (strncmp(pattern, forms[i].head, hl) != 0)
			continue;
		if ((v = unquote(&p)) == NULL || strcmp(p, "]") != 0)
			break;
		if (forms[i].like) {
			/* only "%.rest" (any subdomain) has a meaning here */
			if (v[0] != '%' || v[1] != '.' ||
			    strpbrk(v + 1, "%_") != NULL)
				break;
			v[0] = '*';
		}
		if ((norm = malloc(KY_IOC_VALUE_MAX + 8)) == NULL) {
			free(v);
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		}
		if (ky_ioc_normalise(forms[i].t, v, strlen(v), norm,
				     KY_IOC_VALUE_MAX + 8, &why) != 0) {
			free(v);
			free(norm);
			return ky_err_set(err, KY_E_INVAL, "pattern %.80s: %s",
					  pattern, why);
		}
		free(v);
		*t = forms[i].t;
		*value = norm;
		return 0;
	}
	free(v);
	return ky_err_set(err, KY_E_UNSUPPORTED,
			  "pattern %.80s: not a single indicator comparison",
			  pattern);
}

/* ---- objects ---------------------------------------------------------- */

json_t *ky_stix_indicator(const struct ky_stix_ctx *c, enum ky_ioc_type t,
			  const char *value, int confidence, enum ky_tlp tlp,
			  int64_t valid_from_ns, struct ky_err *err)
{
	char id[KY_STIX_ID_MAX], vf[KY_TIME_RFC3339_LEN], *key;
	struct ky_buf pat;
	json_t *o = NULL;
	size_t kn;

	ky_buf_init(&pat, 0);
	if (confidence < 0 || confidence > 100) {
		ky_err_set(err, KY_E_INVAL,
			   "indicator %s: confidence %d outside 0-100", value,
			   confidence);
		goto out;
	}
	if (ky_stix_pattern(t, value, &pat, err) != 0)
		goto out;
	kn = pat.len + 1;
	if ((key = malloc(kn)) == NULL)
		goto out;
	memcpy(key, pat.data, kn);
	/* the id follows the pattern, not the raw value: "A.example" and
	 * "a.example" are one indicator */
	ky_stix_id("indicator", c->node_id, key, id);
	free(key);
	ts(valid_from_ns, vf);
	o = sdo(c, "indicator", id, valid_from_ns, c->now_ns, tlp);
	o = set(o, "name",
		json_sprintf("%s %.200s", ky_ioc_type_name(t), value));
	o = set(o, "indicator_types", json_pack("[s]", "malicious-activity"));
	o = set(o, "pattern", json_string(pat.data));
	o = set(o, "pattern_type", json_string("stix"));
	o = set(o, "pattern_version", json_string("2.1"));
	o = set(o, "valid_from", json_string(vf));
	o = set(o, "confidence", json_integer(confidence));
	if (o == NULL)
		ky_err_set(err, KY_E_NOMEM, "indicator: out of memory");
out:
	ky_buf_free(&pat);
	return o;
}

json_t *ky_stix_sighting(const struct ky_stix_ctx *c, const char *key,
			 const char *sighting_of, int64_t first_ns,
			 int64_t last_ns, uint64_t count, const char *observed,
			 enum ky_tlp tlp, struct ky_err *err)
{
	char id[KY_STIX_ID_MAX], me[KY_STIX_ID_MAX];
	char f[KY_TIME_RFC3339_LEN], l[KY_TIME_RFC3339_LEN];
	json_t *o;

	if (sighting_of == NULL || strchr(sighting_of, '-') == NULL ||
	    strstr(sighting_of, "--") == NULL) {
		ky_err_set(err, KY_E_INVAL, "sighting %s: bad sighting_of_ref",
			   key);
		return NULL;
	}
	if (last_ns < first_ns || count == 0 || count > 999999999) {
		ky_err_set(err, KY_E_INVAL,
			   "sighting %s: times out of order or count %llu "
			   "outside 1-999999999",
			   key, (unsigned long long)count);
		return NULL;
	}
	ky_stix_id("sighting", c->node_id, key, id);
	ky_stix_node_identity_id(c->node_id, me);
	ts(first_ns, f);
	ts(last_ns, l);
	o = sdo(c, "sighting", id, first_ns, c->now_ns, tlp);
	o = set(o, "sighting_of_ref", json_string(sighting_of));
	o = set(o, "first_seen", json_string(f));
	o = set(o, "last_seen", json_string(l));
	o = set(o, "count", json_integer((json_int_t)count));
	o = set(o, "where_sighted_refs", json_pack("[s]", me));
	if (observed != NULL)
		o = set(o, "observed_data_refs", json_pack("[s]", observed));
	if (o == NULL)
		ky_err_set(err, KY_E_NOMEM, "sighting: out of memory");
	return o;
}

json_t *ky_stix_observed_alert(const struct ky_stix_ctx *c, const json_t *alert,
			       enum ky_tlp tlp, json_t **scos,
			       struct ky_err *err)
{
	const char *ip = json_string_value(json_object_get(alert, "src_ip"));
	const char *user = json_string_value(json_object_get(alert, "user"));
	json_int_t aid = json_integer_value(json_object_get(alert, "id"));
	int64_t t = json_integer_value(json_object_get(alert, "time_ns"));
	char id[KY_STIX_ID_MAX], key[32], tt[KY_TIME_RFC3339_LEN];
	json_t *refs = json_array(), *o = NULL;

	*scos = json_array();
	if (refs == NULL || *scos == NULL)
		goto nomem;
	if (ip != NULL && *ip) {
		const char *type = strchr(ip, ':') ? "ipv6-addr" : "ipv4-addr";

		if (ky_stix_sco_id(type, ip, id) != 0 ||
		    json_array_append_new(*scos, json_pack("{s:s, s:s, s:s}",
							   "type", type, "id",
							   id, "value", ip)) ||
		    json_array_append_new(refs, json_string(id)))
			goto nomem;
	}
	if (user != NULL && *user) {
		/* user-account's id-contributing properties are several; we
		 * key it on user_id only, as the spec allows for partial
		 * knowledge */
		json_t *k = json_pack("{s:s}", "user_id", user);
		struct ky_buf b;
		char u[37];

		ky_buf_init(&b, 0);
		if (k == NULL || ky_jcs_value(k, &b, NULL) != 0) {
			json_decref(k);
			ky_buf_free(&b);
			goto nomem;
		}
		json_decref(k);
		ky_stix_uuid5(sco_ns, b.data, b.len, u);
		ky_buf_free(&b);
		snprintf(id, sizeof(id), "user-account--%s", u);
		if (json_array_append_new(*scos,
					  json_pack("{s:s, s:s, s:s}", "type",
						    "user-account", "id", id,
						    "user_id", user)) ||
		    json_array_append_new(refs, json_string(id)))
			goto nomem;
	}
	if (json_array_size(refs) == 0) {
		json_decref(refs);
		json_decref(*scos);
		*scos = NULL;
		ky_err_set(err, KY_E_NOTFOUND,
			   "alert %lld: nothing observable to share",
			   (long long)aid);
		return NULL;
	}
	snprintf(key, sizeof(key), "alert/%lld", (long long)aid);
	ky_stix_id("observed-data", c->node_id, key, id);
	ts(t, tt);
	o = sdo(c, "observed-data", id, t, t, tlp);
	o = set(o, "first_observed", json_string(tt));
	o = set(o, "last_observed", json_string(tt));
	o = set(o, "number_observed", json_integer(1));
	o = set(o, "object_refs", refs);
	refs = NULL;
	if (o != NULL)
		return o;
nomem:
	json_decref(refs);
	json_decref(*scos);
	*scos = NULL;
	ky_err_set(err, KY_E_NOMEM, "observed-data: out of memory");
	return NULL;
}

json_t *ky_stix_vulnerability(const struct ky_stix_ctx *c, const char *cve,
			      const char *description, enum ky_tlp tlp,
			      struct ky_err *err)
{
	char id[KY_STIX_ID_MAX];
	json_t *o;

	if (cve == NULL || strncmp(cve, "CVE-", 4) != 0 || strlen(cve) > 32) {
		ky_err_set(err, KY_E_INVAL, "vulnerability: bad CVE id '%.40s'",
			   cve ? cve : "");
		return NULL;
	}
	/* a CVE is the same vulnerability whoever describes it, but each
	 * node's object is its own statement about it */
	ky_stix_id("vulnerability", c->node_id, cve, id);
	o = sdo(c, "vulnerability", id, c->now_ns, c->now_ns, tlp);
	o = set(o, "name", json_string(cve));
	if (description != NULL && *description)
		o = set(o, "description", json_string(description));
	o = set(o, "external_references",
		json_pack("[{s:s, s:s}]", "source_name", "cve", "external_id",
			  cve));
	if (o == NULL)
		ky_err_set(err, KY_E_NOMEM, "vulnerability: out of memory");
	return o;
}

json_t *ky_stix_relationship(const struct ky_stix_ctx *c, const char *rel,
			     const char *src, const char *dst, enum ky_tlp tlp,
			     struct ky_err *err)
{
	char id[KY_STIX_ID_MAX], key[256];
	json_t *o;

	if (rel == NULL || src == NULL || dst == NULL || !*rel ||
	    strstr(src, "--") == NULL || strstr(dst, "--") == NULL) {
		ky_err_set(err, KY_E_INVAL, "relationship: bad arguments");
		return NULL;
	}
	snprintf(key, sizeof(key), "%s/%s/%s", src, rel, dst);
	ky_stix_id("relationship", c->node_id, key, id);
	o = sdo(c, "relationship", id, c->now_ns, c->now_ns, tlp);
	o = set(o, "relationship_type", json_string(rel));
	o = set(o, "source_ref", json_string(src));
	o = set(o, "target_ref", json_string(dst));
	if (o == NULL)
		ky_err_set(err, KY_E_NOMEM, "relationship: out of memory");
	return o;
}

static json_t *ref_list(const char *const *refs, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(refs[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

json_t *ky_stix_note(const struct ky_stix_ctx *c, const char *key,
		     const char *content, const char *const *refs, size_t nrefs,
		     enum ky_tlp tlp, struct ky_err *err)
{
	char id[KY_STIX_ID_MAX];
	json_t *o;

	if (nrefs == 0 || content == NULL || !*content) {
		ky_err_set(err, KY_E_INVAL,
			   "note %s: needs content and an object to refer to",
			   key);
		return NULL;
	}
	ky_stix_id("note", c->node_id, key, id);
	o = sdo(c, "note", id, c->now_ns, c->now_ns, tlp);
	o = set(o, "content", json_string(content));
	o = set(o, "object_refs", ref_list(refs, nrefs));
	if (o == NULL)
		ky_err_set(err, KY_E_NOMEM, "note: out of memory");
	return o;
}

json_t *ky_stix_report(const struct ky_stix_ctx *c, const char *key,
		       const char *name, const char *const *refs, size_t nrefs,
		       enum ky_tlp tlp, struct ky_err *err)
{
	char id[KY_STIX_ID_MAX], pub[KY_TIME_RFC3339_LEN];
	json_t *o;

	if (nrefs == 0 || name == NULL || !*name) {
		ky_err_set(err, KY_E_INVAL,
			   "report %s: needs a name and an object to refer to",
			   key);
		return NULL;
	}
	ky_stix_id("report", c->node_id, key, id);
	ts(c->now_ns, pub);
	o = sdo(c, "report", id, c->now_ns, c->now_ns, tlp);
	o = set(o, "name", json_string(name));
	o = set(o, "report_types", json_pack("[s]", "threat-report"));
	o = set(o, "published", json_string(pub));
	o = set(o, "object_refs", ref_list(refs, nrefs));
	if (o == NULL)
		ky_err_set(err, KY_E_NOMEM, "report: out of memory");
	return o;
}

const char *ky_stix_modified(const json_t *obj)
{
	const char *m = json_string_value(json_object_get(obj, "modified"));

	if (m == NULL)
		m = json_string_value(json_object_get(obj, "created"));
	return m ? m : "";
}
