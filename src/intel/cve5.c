/* CVE JSON 5 records to CSAF 2.0 documents (docs/cve5.md): the record's
 * affected products become a product tree (vendor / product / version or
 * vers range, with purl and CPE helpers), their statuses the product status
 * lists, its CVSS v3 metrics scores (recomputed from the vector), an active
 * exploitation flag of the CISA ADP container a threat.  The document is
 * built to pass the CSAF schema and the mandatory tests, so it is stored
 * and matched like any advisory. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/time.h"
#include "intel/cve5.h"
#include "intel/cvss.h"
#include "intel/version.h"

#define MAX_AFFECTED 1000 /* affected[] entries */
#define MAX_VERSIONS 1000 /* versions[] per entry */
#define MAX_TEXT 4096	  /* bytes of a name or version kept */

bool ky_cve5_is_record(const json_t *j)
{
	const char *t = json_string_value(json_object_get(j, "dataType"));
	const char *v = json_string_value(json_object_get(j, "dataVersion"));

	return t && v && strcmp(t, "CVE_RECORD") == 0 &&
	       strncmp(v, "5.", 2) == 0;
}

struct ctx {
	const char *cve;
	json_t *branches; /* product_tree.branches */
	json_t *status;	  /* product_status lists */
	json_t *affected; /* product ids of known_affected */
	json_t *fixes;	  /* remediations */
	unsigned nprod;
	struct ky_err *err;
	char path[160];
};

static int bad(struct ctx *c, const char *what)
{
	return ky_err_set(c->err, KY_E_PARSE, "%s: %s", c->path, what);
}

/* An optional string member (NULL when absent); a wrong type fails. */
static int opt_str(struct ctx *c, const json_t *o, const char *key,
		   const char **out)
{
	const json_t *v = json_object_get(o, key);
	char base[160];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > MAX_TEXT) {
		snprintf(base, sizeof(base), "%s", c->path);
		snprintf(c->path, sizeof(c->path), "%.100s.%.40s", base, key);
		return bad(c, json_is_string(v) ? "longer than 4096 bytes"
						: "expected a string");
	}
	*out = json_string_value(v);
	return 0;
}

/* ---- purl from the package name and collection URL ---- */

static const struct {
	const char *prefix, *type;
} collections[] = {
	{"https://registry.npmjs.org", "npm"},
	{"https://www.npmjs.com", "npm"},
	{"https://pypi.org", "pypi"},
	{"https://pypi.python.org", "pypi"},
	{"https://repo.maven.apache.org/maven2", "maven"},
	{"https://repo1.maven.org/maven2", "maven"},
	{"https://crates.io", "cargo"},
	{"https://rubygems.org", "gem"},
	{"https://packagist.org", "composer"},
	{"https://www.nuget.org", "nuget"},
	{"https://api.nuget.org", "nuget"},
	{"https://proxy.golang.org", "golang"},
	{"https://pkg.go.dev", "golang"},
	{"https://hex.pm", "hex"},
	{"https://pub.dev", "pub"},
};

/* Characters a purl name or namespace segment may hold as they are; the
 * rest would need percent-encoding, which we do not guess: no purl. */
static bool purl_safe(const char *s)
{
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr(".-_~", *s)))
			return false;
	return true;
}

static bool make_purl(const char *coll, const char *pkg, char *out, size_t cap,
		      const char **type)
{
	size_t i;

	*type = NULL;
	if (coll == NULL || pkg == NULL || *pkg == '\0')
		return false;
	for (i = 0; i < sizeof(collections) / sizeof(collections[0]); i++)
		if (strncmp(coll, collections[i].prefix,
			    strlen(collections[i].prefix)) == 0)
			break;
	if (i == sizeof(collections) / sizeof(collections[0]))
		return false;
	*type = collections[i].type;
	if (strcmp(*type, "maven") == 0) {
		/* "group:artifact" */
		char g[256];
		const char *colon = strchr(pkg, ':');

		if (colon == NULL || (size_t)(colon - pkg) >= sizeof(g))
			return false;
		memcpy(g, pkg, (size_t)(colon - pkg));
		g[colon - pkg] = '\0';
		if (!purl_safe(g) || !purl_safe(colon + 1))
			return false;
		snprintf(out, cap, "pkg:maven/%s/%s", g, colon + 1);
	} else if (strcmp(*type, "npm") == 0 && pkg[0] == '@') {
		/* "@scope/name": the scope is the namespace, '@' encoded */
		char s[256];
		const char *slash = strchr(pkg, '/');

		if (slash == NULL || (size_t)(slash - pkg) >= sizeof(s))
			return false;
		memcpy(s, pkg + 1, (size_t)(slash - pkg - 1));
		s[slash - pkg - 1] = '\0';
		if (!purl_safe(s) || !purl_safe(slash + 1))
			return false;
		snprintf(out, cap, "pkg:npm/%%40%s/%s", s, slash + 1);
	} else if (strcmp(*type, "golang") == 0 ||
		   strcmp(*type, "composer") == 0) {
		/* module paths / vendor/package keep their slashes */
		for (const char *p = pkg; *p; p++)
			if (!(isalnum((unsigned char)*p) ||
			      strchr(".-_~/", *p)))
				return false;
		snprintf(out, cap, "pkg:%s/%s", *type, pkg);
	} else {
		if (!purl_safe(pkg))
			return false;
		snprintf(out, cap, "pkg:%s/%s", *type, pkg);
		if (strcmp(*type, "pypi") == 0) /* names are lower case */
			for (char *p = out + 9; *p; p++)
				*p = (char)tolower((unsigned char)*p);
	}
	return true;
}

/* ---- versions ---- */

/* The vers scheme: the purl type when there is one, else the record's
 * versionType when it names a known scheme, else generic. */
static const char *vers_scheme(const char *ptype, const char *vtype)
{
	static const char *const known[] = {
		"semver", "npm",   "pypi",   "maven", "deb",	 "rpm",
		"gem",	  "cargo", "golang", "nuget", "composer"};

	if (ptype != NULL)
		return ptype;
	if (vtype != NULL) {
		if (strcmp(vtype, "python") == 0)
			return "pypi";
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(vtype, known[i]) == 0)
				return known[i];
	}
	return "generic";
}

/* A version usable in a vers constraint and as a product_version name:
 * no characters vers reserves, no words CSAF 6.1.31 reads as a range. */
static bool version_ok(const char *v)
{
	static const char *const words[] = {"after",   "all",	"before",
					    "earlier", "later", "prior",
					    "versions"};
	char low[MAX_TEXT + 1];
	size_t n = strlen(v);

	if (n == 0 || n > 200)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch <= ' ' || strchr("<>=!*|%,", ch) || ch >= 0x7f)
			return false;
		low[i] = (char)tolower(ch);
	}
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return false;
	return true;
}

static bool is_open_lower(const char *v)
{
	return v == NULL || strcmp(v, "0") == 0 || strcmp(v, "*") == 0 ||
	       strcmp(v, "") == 0;
}

/* ---- products ---- */

static json_t *add_branch(json_t *arr, const char *category, const char *name)
{
	json_t *b;
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
	{
		const char *c =
			json_string_value(json_object_get(x, "category"));
		const char *nm = json_string_value(json_object_get(x, "name"));

		if (c && nm && strcmp(c, category) == 0 &&
		    strcmp(nm, name) == 0) {
			json_t *sub = json_object_get(x, "branches");

			if (sub == NULL) {
				sub = json_array();
				json_object_set_new(x, "branches", sub);
			}
			return sub;
		}
	}
	b = json_pack("{s:s, s:s, s:[]}", "category", category, "name", name,
		      "branches");
	if (b == NULL || json_array_append_new(arr, b) != 0)
		return NULL;
	return json_object_get(b, "branches");
}

/* Adds a leaf product under vendor/product[/version-branch] and lists it
 * under status; returns its id (static storage per call) or NULL. */
static const char *add_product(struct ctx *c, const char *vendor,
			       const char *product, const char *vcat,
			       const char *vname, const char *purl,
			       const char *cpe, const char *status)
{
	static char id[64];
	char name[700];
	json_t *prods, *leaf, *pih = NULL, *list;

	snprintf(id, sizeof(id), "%s-P%u", c->cve, ++c->nprod);
	snprintf(name, sizeof(name), "%.200s %.200s%s%.200s", vendor, product,
		 vname ? " " : "", vname ? vname : "");
	if ((prods = add_branch(c->branches, "vendor", vendor)) == NULL ||
	    (prods = add_branch(prods, "product_name", product)) == NULL)
		return NULL;
	if (purl || cpe) {
		pih = json_object();
		if (purl)
			json_object_set_new(pih, "purl", json_string(purl));
		if (cpe)
			json_object_set_new(pih, "cpe", json_string(cpe));
	}
	leaf = json_pack("{s:s, s:s}", "product_id", id, "name", name);
	if (leaf && pih)
		json_object_set_new(leaf, "product_identification_helper", pih);
	else
		json_decref(pih);
	if (leaf == NULL)
		return NULL;
	if (vcat == NULL) {
		/* no version given: every version, as a range */
		if (json_array_append_new(
			    prods, json_pack("{s:s, s:s, s:o}", "category",
					     "product_version_range", "name",
					     "vers:all/*", "product", leaf)) !=
		    0)
			return NULL;
	} else if (json_array_append_new(
			   prods, json_pack("{s:s, s:s, s:o}", "category", vcat,
					    "name", vname, "product", leaf)) !=
		   0) {
		return NULL;
	}
	list = json_object_get(c->status, status);
	if (list == NULL) {
		list = json_array();
		json_object_set_new(c->status, status, list);
	}
	json_array_append_new(list, json_string(id));
	if (strcmp(status, "known_affected") == 0)
		json_array_append_new(c->affected, json_string(id));
	return id;
}

static const char *status_list(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strcmp(s, "affected") == 0)
		return "known_affected";
	if (strcmp(s, "unaffected") == 0)
		return "known_not_affected";
	if (strcmp(s, "unknown") == 0)
		return "under_investigation";
	return NULL;
}

static int add_fix(struct ctx *c, const char *id, const char *upper,
		   bool inclusive)
{
	char text[300];
	json_t *m;

	snprintf(text, sizeof(text), "Update to a version %s %.200s.",
		 inclusive ? "later than" : "equal to or later than", upper);
	m = json_pack("{s:s, s:s, s:[s]}", "category", "vendor_fix", "details",
		      text, "product_ids", id);
	return m && json_array_append_new(c->fixes, m) == 0 ? 0 : KY_E_NOMEM;
}

/* One versions[] entry of an affected[] entry. */
static int one_version(struct ctx *c, const json_t *v, const char *vendor,
		       const char *product, const char *purl, const char *ptype,
		       const char *cpe)
{
	const char *ver, *lt, *le, *st, *vt, *list, *id;
	char range[600];
	int r;

	if (!json_is_object(v))
		return bad(c, "expected an object");
	if ((r = opt_str(c, v, "version", &ver)) != 0 ||
	    (r = opt_str(c, v, "lessThan", &lt)) != 0 ||
	    (r = opt_str(c, v, "lessThanOrEqual", &le)) != 0 ||
	    (r = opt_str(c, v, "status", &st)) != 0 ||
	    (r = opt_str(c, v, "versionType", &vt)) != 0)
		return r;
	if (ver == NULL)
		return bad(c, "no version");
	if ((list = status_list(st)) == NULL)
		return bad(c, "status is not affected, unaffected or unknown");
	if (vt != NULL && strcmp(vt, "git") == 0)
		return 0; /* commit ids order nothing we can match */
	if (lt || le) {
		const char *up = lt ? lt : le;

		if (strcmp(up, "*") == 0) {
			if (is_open_lower(ver))
				snprintf(range, sizeof(range), "vers:%s/*",
					 vers_scheme(ptype, vt));
			else if (version_ok(ver))
				snprintf(range, sizeof(range), "vers:%s/>=%s",
					 vers_scheme(ptype, vt), ver);
			else
				return 0;
		} else if (!version_ok(up) ||
			   (!is_open_lower(ver) && !version_ok(ver))) {
			return 0; /* not expressible: left out, documented */
		} else if (is_open_lower(ver)) {
			snprintf(range, sizeof(range), "vers:%s/%s%s",
				 vers_scheme(ptype, vt), lt ? "<" : "<=", up);
		} else {
			snprintf(range, sizeof(range), "vers:%s/>=%s|%s%s",
				 vers_scheme(ptype, vt), ver,
				 lt ? "<" : "<=", up);
		}
		id = add_product(c, vendor, product, "product_version_range",
				 range, purl, cpe, list);
		if (id == NULL)
			return ky_err_set(c->err, KY_E_NOMEM, "out of memory");
		if (strcmp(list, "known_affected") == 0 && strcmp(up, "*") != 0)
			return add_fix(c, id, up, le != NULL);
		return 0;
	}
	if (!version_ok(ver))
		return 0;
	id = add_product(c, vendor, product, "product_version", ver, purl, cpe,
			 list);
	return id ? 0 : ky_err_set(c->err, KY_E_NOMEM, "out of memory");
}

static bool cpe_ok(const char *s)
{
	struct ky_arena *a = ky_arena_new(1024, 1u << 16);
	struct ky_cpe cp;
	struct ky_err e = {0};
	bool ok = a != NULL && strncmp(s, "cpe:2.3:", 8) == 0 &&
		  ky_cpe_parse(s, strlen(s), a, &cp, &e) == 0;

	ky_arena_free(a);
	return ok;
}

static int one_affected(struct ctx *c, const json_t *af, size_t i)
{
	const char *vendor, *product, *pkg, *coll, *def, *ptype = NULL,
							 *cpe = NULL;
	char purl[600], base[160];
	const json_t *vers, *cpes, *x;
	bool have_purl;
	size_t k;
	int r;

	snprintf(c->path, sizeof(c->path), "$.containers.cna.affected[%zu]", i);
	if (!json_is_object(af))
		return bad(c, "expected an object");
	if ((r = opt_str(c, af, "vendor", &vendor)) != 0 ||
	    (r = opt_str(c, af, "product", &product)) != 0 ||
	    (r = opt_str(c, af, "packageName", &pkg)) != 0 ||
	    (r = opt_str(c, af, "collectionURL", &coll)) != 0 ||
	    (r = opt_str(c, af, "defaultStatus", &def)) != 0)
		return r;
	if (product == NULL || *product == '\0')
		product = pkg;
	if (product == NULL || *product == '\0')
		return bad(c, "neither product nor packageName");
	if (vendor == NULL || *vendor == '\0' || strcmp(vendor, "n/a") == 0)
		vendor = "unknown vendor";
	have_purl = make_purl(coll, pkg, purl, sizeof(purl), &ptype);
	if (!have_purl)
		ptype = NULL;
	cpes = json_object_get(af, "cpes");
	if (cpes != NULL && !json_is_array(cpes)) {
		snprintf(base, sizeof(base), "%.140s.cpes", c->path);
		snprintf(c->path, sizeof(c->path), "%s", base);
		return bad(c, "expected an array");
	}
	json_array_foreach(cpes, k, x)
	{
		if (json_is_string(x) && cpe_ok(json_string_value(x))) {
			cpe = json_string_value(x);
			break;
		}
	}
	vers = json_object_get(af, "versions");
	if (vers != NULL && !json_is_array(vers)) {
		snprintf(base, sizeof(base), "%.140s.versions", c->path);
		snprintf(c->path, sizeof(c->path), "%s", base);
		return bad(c, "expected an array");
	}
	if (json_array_size(vers) > MAX_VERSIONS)
		return bad(c, "more than 1000 versions");
	if (json_array_size(vers) == 0) {
		const char *list = status_list(def);

		if (list == NULL)
			return 0; /* nothing said about any version */
		return add_product(c, vendor, product, NULL, NULL,
				   have_purl ? purl : NULL, cpe, list)
			       ? 0
			       : ky_err_set(c->err, KY_E_NOMEM,
					    "out of memory");
	}
	json_array_foreach(vers, k, x)
	{
		snprintf(c->path, sizeof(c->path),
			 "$.containers.cna.affected[%zu].versions[%zu]", i, k);
		if ((r = one_version(c, x, vendor, product,
				     have_purl ? purl : NULL, ptype, cpe)) != 0)
			return r;
	}
	return 0;
}

/* ---- metrics and exploitation ---- */

static json_t *score_of(const json_t *metrics, json_t *products)
{
	size_t i;
	const json_t *m;

	json_array_foreach(metrics, i, m)
	{
		static const char *const keys[] = {"cvssV3_1", "cvssV3_0"};

		for (size_t k = 0; k < 2; k++) {
			const json_t *cv = json_object_get(m, keys[k]);
			const char *vec = json_string_value(
				json_object_get(cv, "vectorString"));
			struct ky_err e = {0};
			char sev[16];
			double base;

			if (vec == NULL || ky_cvss31_score(vec, &base, &e) != 0)
				continue;
			snprintf(sev, sizeof(sev), "%s",
				 ky_cvss_severity(base));
			for (char *p = sev; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			return json_pack(
				"{s:{s:s, s:s, s:f, s:s}, s:O}", "cvss_v3",
				"version",
				strncmp(vec, "CVSS:3.0/", 9) == 0 ? "3.0"
								  : "3.1",
				"vectorString", vec, "baseScore", base,
				"baseSeverity", sev, "products", products);
		}
	}
	return NULL;
}

/* "kev" or SSVC "Exploitation: active" in any ADP container. */
static const char *exploited(const json_t *containers)
{
	const json_t *adp = json_object_get(containers, "adp"), *a, *m;
	size_t i, k, o;

	json_array_foreach(adp, i, a)
		json_array_foreach(json_object_get(a, "metrics"), k, m)
	{
		const json_t *other = json_object_get(m, "other");
		const char *type =
			json_string_value(json_object_get(other, "type"));
		const json_t *content = json_object_get(other, "content"), *x;

		if (type == NULL)
			continue;
		if (strcmp(type, "kev") == 0)
			return "Actively exploited: listed in the CISA Known "
			       "Exploited Vulnerabilities catalogue.";
		if (strcmp(type, "ssvc") != 0)
			continue;
		json_array_foreach(json_object_get(content, "options"), o, x)
		{
			const char *e = json_string_value(
				json_object_get(x, "Exploitation"));

			if (e && strcmp(e, "active") == 0)
				return "Actively exploited: SSVC decision "
				       "point Exploitation is active.";
		}
	}
	return NULL;
}

static const char *english(const json_t *descs)
{
	size_t i;
	const json_t *d;
	const char *first = NULL;

	json_array_foreach(descs, i, d)
	{
		const char *lang =
			json_string_value(json_object_get(d, "lang"));
		const char *v = json_string_value(json_object_get(d, "value"));

		if (v == NULL)
			continue;
		if (first == NULL)
			first = v;
		if (lang && strncmp(lang, "en", 2) == 0)
			return v;
	}
	return first;
}

/* RFC 3339 with Z from a CVE date (zone optional there). */
static int cve_date(const char *s, char out[KY_TIME_RFC3339_LEN])
{
	int64_t ns;

	if (s == NULL ||
	    ky_time_parse_rfc3339(s, strlen(s), &ns) != (int)strlen(s))
		return -1;
	ky_time_format_rfc3339(ns, out);
	return 0;
}

static bool cve_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n < 13 || n > 30 || strncmp(s, "CVE-", 4) != 0 || s[8] != '-')
		return false;
	for (i = 4; i < n; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int ky_cve5_to_csaf(const json_t *record, json_t **out, struct ky_err *err)
{
	const json_t *meta, *cna, *affected, *x;
	const char *state, *pub, *upd, *title, *desc, *assigner, *ke;
	char d1[KY_TIME_RFC3339_LEN], d2[KY_TIME_RFC3339_LEN];
	struct ctx c = {0};
	json_t *doc = NULL, *vuln = NULL, *score, *scores;
	size_t i;
	int r = 0;

	*out = NULL;
	c.err = err;
	snprintf(c.path, sizeof(c.path), "$");
	if (!ky_cve5_is_record(record))
		return bad(&c, "not a CVE JSON 5 record (dataType CVE_RECORD, "
			       "dataVersion 5.x)");
	meta = json_object_get(record, "cveMetadata");
	snprintf(c.path, sizeof(c.path), "$.cveMetadata");
	if (!json_is_object(meta))
		return bad(&c, "expected an object");
	if ((r = opt_str(&c, meta, "cveId", &c.cve)) != 0 ||
	    (r = opt_str(&c, meta, "state", &state)) != 0 ||
	    (r = opt_str(&c, meta, "datePublished", &pub)) != 0 ||
	    (r = opt_str(&c, meta, "dateUpdated", &upd)) != 0 ||
	    (r = opt_str(&c, meta, "assignerShortName", &assigner)) != 0)
		return r;
	if (!cve_id_ok(c.cve)) {
		snprintf(c.path, sizeof(c.path), "$.cveMetadata.cveId");
		return bad(&c, "expected CVE-YYYY-NNNN");
	}
	if (state && strcmp(state, "REJECTED") == 0)
		return ky_err_set(err, KY_E_INVAL,
				  "%s is REJECTED: nothing to import", c.cve);
	if (cve_date(pub ? pub : upd, d1) != 0 ||
	    cve_date(upd ? upd : pub, d2) != 0) {
		snprintf(c.path, sizeof(c.path), "$.cveMetadata.datePublished");
		return bad(&c, "no usable publication date");
	}
	if (strcmp(d2, d1) < 0)
		memcpy(d2, d1, sizeof(d2));
	cna = json_object_get(json_object_get(record, "containers"), "cna");
	snprintf(c.path, sizeof(c.path), "$.containers.cna");
	if (!json_is_object(cna))
		return bad(&c, "expected an object");
	if ((r = opt_str(&c, cna, "title", &title)) != 0)
		return r;
	desc = english(json_object_get(cna, "descriptions"));
	affected = json_object_get(cna, "affected");
	snprintf(c.path, sizeof(c.path), "$.containers.cna.affected");
	if (!json_is_array(affected))
		return bad(&c, "expected an array");
	if (json_array_size(affected) > MAX_AFFECTED)
		return bad(&c, "more than 1000 entries");
	c.branches = json_array();
	c.status = json_object();
	c.affected = json_array();
	c.fixes = json_array();
	if (!c.branches || !c.status || !c.affected || !c.fixes) {
		r = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(affected, i,
			   x) if ((r = one_affected(&c, x, i)) != 0) goto out;
	if (c.nprod == 0) {
		r = ky_err_set(err, KY_E_INVAL,
			       "%s: no affected product with a version we can "
			       "express",
			       c.cve);
		goto out;
	}
	vuln = json_pack("{s:s, s:O}", "cve", c.cve, "product_status",
			 c.status);
	if (vuln && desc)
		json_object_set_new(vuln, "notes",
				    json_pack("[{s:s, s:s, s:s}]", "category",
					      "description", "title",
					      "Description", "text", desc));
	if (vuln && json_array_size(c.affected) > 0) {
		const json_t *adp = json_object_get(
				     json_object_get(record, "containers"),
				     "adp"),
			     *a;

		score = score_of(json_object_get(cna, "metrics"), c.affected);
		json_array_foreach(adp, i, a) if (score == NULL) score =
			score_of(json_object_get(a, "metrics"), c.affected);
		if (score && (scores = json_array()) != NULL) {
			json_array_append_new(scores, score);
			json_object_set_new(vuln, "scores", scores);
		}
		if ((ke = exploited(json_object_get(record, "containers"))))
			json_object_set_new(
				vuln, "threats",
				json_pack("[{s:s, s:s, s:O}]", "category",
					  "exploit_status", "details", ke,
					  "product_ids", c.affected));
		if (json_array_size(c.fixes) > 0)
			json_object_set(vuln, "remediations", c.fixes);
	}
	doc = json_pack(
		"{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, "
		"s:s, s:s, s:[{s:s, s:s, s:s}]}}, s:{s:O}, s:[o]}",
		"document", "category", "csaf_base", "csaf_version", "2.0",
		"lang", "en", "title", title ? title : c.cve, "publisher",
		"category", "other", "name",
		assigner ? assigner : "CVE Program", "namespace",
		"https://www.cve.org", "tracking", "id", c.cve, "version", "1",
		"status", "final", "initial_release_date", d1,
		"current_release_date", d2, "revision_history", "date", d1,
		"number", "1", "summary", "Imported from a CVE JSON 5 record.",
		"product_tree", "branches", c.branches, "vulnerabilities",
		vuln);
	vuln = NULL; /* taken by json_pack, even when it fails */
	if (doc == NULL)
		r = ky_err_set(err, KY_E_NOMEM, "out of memory");
out:
	json_decref(vuln);
	json_decref(c.branches);
	json_decref(c.status);
	json_decref(c.affected);
	json_decref(c.fixes);
	*out = doc;
	return r;
}
