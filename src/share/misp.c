/* MISP core format in and out (share/misp.h).  MISP writes numbers and
 * booleans as strings as often as not ("to_ids": "1", "timestamp":
 * "1700000000"): both are read. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "base/time.h"
#include "intel/stix.h"
#include "share/misp.h"

#define NS 1000000000LL
#define FEED_FILE_MAX (256 << 20)

/* MISP attribute type -> our kind; the part of a composite value ("a|b")
 * that is the indicator (0 first, 1 second, -1 whole). */
static const struct {
	const char *type;
	enum ky_ioc_type kind;
	int part;
} types[] = {
	{"ip-src", KY_IOC_IP, -1},
	{"ip-dst", KY_IOC_IP, -1},
	{"ip-src|port", KY_IOC_IP, 0},
	{"ip-dst|port", KY_IOC_IP, 0},
	{"domain", KY_IOC_DOMAIN, -1},
	{"hostname", KY_IOC_DOMAIN, -1},
	{"domain|ip", KY_IOC_DOMAIN, 0},
	{"hostname|port", KY_IOC_DOMAIN, 0},
	{"url", KY_IOC_URL, -1},
	{"email", KY_IOC_EMAIL, -1},
	{"email-src", KY_IOC_EMAIL, -1},
	{"email-dst", KY_IOC_EMAIL, -1},
	{"md5", KY_IOC_MD5, -1},
	{"sha1", KY_IOC_SHA1, -1},
	{"sha256", KY_IOC_SHA256, -1},
	{"filename|md5", KY_IOC_MD5, 1},
	{"filename|sha1", KY_IOC_SHA1, 1},
	{"filename|sha256", KY_IOC_SHA256, 1},
};

struct rd {
	const char *name;
	int (*fn)(void *ud, const struct ky_misp_attr *a);
	void *ud;
	void (*warn)(void *ud, const char *msg);
	struct ky_misp_stats *st;
	struct ky_err *err;
	char *norm;
};

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* "1", 1, true -> true; MISP uses all three. */
static bool truthy(const json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return json_is_string(v) &&
	       (strcmp(json_string_value(v), "1") == 0 ||
		strcasecmp(json_string_value(v), "true") == 0);
}

static int64_t secs(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v)) {
		char *end;
		long long s = strtoll(json_string_value(v), &end, 10);

		if (*end == '\0')
			return s;
	}
	return 0;
}

/* The most restrictive tlp: tag of a Tag list, or UNSET. */
static enum ky_tlp tlp_of(const json_t *tags)
{
	enum ky_tlp best = KY_TLP_UNSET;
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t)
	{
		const char *n = str(t, "name");
		int v;

		if (n == NULL || strncasecmp(n, "tlp:", 4) != 0)
			continue;
		v = strcasecmp(n + 4, "white") == 0 ? KY_TLP_CLEAR
						    : ky_tlp_parse(n);
		if (v >= 0 && v < KY_TLP_UNSET &&
		    (best == KY_TLP_UNSET || v > (int)best))
			best = (enum ky_tlp)v;
	}
	return best;
}

static void warn(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct rd *r, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	r->st->rejected++;
	if (r->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->warn(r->ud, msg);
}

static int attribute(struct rd *r, const json_t *ev, enum ky_tlp evtlp,
		     const json_t *a, const char *where)
{
	const char *type = str(a, "type"), *value = str(a, "value");
	struct ky_misp_attr m = {0};
	const json_t *s;
	const char *why = NULL;
	char part[8192];
	size_t i;
	int k = -1;

	r->st->attributes++;
	for (i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].type, type) == 0)
			k = (int)i;
	if (k < 0 || value == NULL) {
		r->st->unsupported++;
		return 0;
	}
	if (types[k].part >= 0) {
		const char *bar = strchr(value, '|');

		if (bar == NULL) {
			warn(r, "%s: event %s %s: %s value without '|'",
			     r->name, str(ev, "uuid"), where, type);
			return 0;
		}
		if (types[k].part == 0)
			snprintf(part, sizeof(part), "%.*s", (int)(bar - value),
				 value);
		else
			snprintf(part, sizeof(part), "%s", bar + 1);
		value = part;
	}
	if (ky_ioc_normalise(types[k].kind, value, strlen(value), r->norm,
			     KY_IOC_VALUE_MAX + 8, &why) != 0) {
		warn(r, "%s: event %s %s: %s '%.80s': %s", r->name,
		     str(ev, "uuid"), where, type, value, why);
		return 0;
	}
	m.event_uuid = str(ev, "uuid");
	m.event_info = str(ev, "info");
	m.uuid = str(a, "uuid");
	m.type = type;
	m.category = str(a, "category");
	m.comment = str(a, "comment");
	m.value = r->norm;
	m.kind = types[k].kind;
	m.to_ids = truthy(json_object_get(a, "to_ids"));
	m.time_ns = secs(json_object_get(a, "timestamp")) * NS;
	m.tlp = tlp_of(json_object_get(a, "Tag"));
	if (m.tlp == KY_TLP_UNSET)
		m.tlp = evtlp;
	json_array_foreach(json_object_get(a, "Sighting"), i, s)
	{
		int64_t t = secs(json_object_get(s, "date_sighting")) * NS;

		if (secs(json_object_get(s, "type")) == 1) {
			r->st->false_positives++;
			continue;
		}
		if (secs(json_object_get(s, "type")) != 0)
			continue;
		m.sightings++;
		if (m.first_seen_ns == 0 || t < m.first_seen_ns)
			m.first_seen_ns = t;
		if (t > m.last_seen_ns)
			m.last_seen_ns = t;
	}
	r->st->accepted++;
	return r->fn(r->ud, &m);
}

static int event(struct rd *r, const json_t *ev)
{
	enum ky_tlp evtlp;
	const json_t *a, *o;
	size_t i, j;
	char where[64];
	int rc;

	if (!json_is_object(ev))
		return ky_err_set(r->err, KY_E_PARSE,
				  "%s: an Event is not an object", r->name);
	r->st->events++;
	evtlp = tlp_of(json_object_get(ev, "Tag"));
	json_array_foreach(json_object_get(ev, "Attribute"), i, a)
	{
		snprintf(where, sizeof(where), "Attribute[%zu]", i);
		if ((rc = attribute(r, ev, evtlp, a, where)) != 0)
			return rc;
	}
	json_array_foreach(json_object_get(ev, "Object"), i, o)
		json_array_foreach(json_object_get(o, "Attribute"), j, a)
	{
		snprintf(where, sizeof(where), "Object[%zu].Attribute[%zu]", i,
			 j);
		if ((rc = attribute(r, ev, evtlp, a, where)) != 0)
			return rc;
	}
	return 0;
}

static int any(struct rd *r, const json_t *j, int depth)
{
	const json_t *x;
	size_t i;
	int rc;

	if (depth > 2)
		return ky_err_set(r->err, KY_E_PARSE,
				  "%s: not MISP JSON (nested too deeply)",
				  r->name);
	if (json_is_array(j)) {
		json_array_foreach(
			j, i, x) if ((rc = any(r, x, depth + 1))) return rc;
		return 0;
	}
	if ((x = json_object_get(j, "Event")) != NULL)
		return event(r, x);
	if ((x = json_object_get(j, "response")) != NULL)
		return any(r, x, depth + 1);
	if (json_is_object(j) &&
	    (json_object_get(j, "Attribute") || json_object_get(j, "info")))
		return event(r, j);
	return ky_err_set(r->err, KY_E_PARSE,
			  "%s: not MISP JSON (no Event, response or "
			  "Attribute)",
			  r->name);
}

int ky_misp_parse(const char *text, size_t n, const char *name,
		  int (*fn)(void *ud, const struct ky_misp_attr *a), void *ud,
		  void (*warnfn)(void *ud, const char *msg),
		  struct ky_misp_stats *st, struct ky_err *err)
{
	struct rd r = {name, fn, ud, warnfn, st, err, NULL};
	json_error_t je;
	json_t *j = json_loadb(text, n, 0, &je);
	int rc;

	if (j == NULL)
		return ky_err_set(err, KY_E_PARSE, "%s:%d:%d: %s", name,
				  je.line, je.column, je.text);
	if ((r.norm = malloc(KY_IOC_VALUE_MAX + 8)) == NULL) {
		json_decref(j);
		return ky_err_set(err, KY_E_NOMEM, "%s: out of memory", name);
	}
	rc = any(&r, j, 0);
	free(r.norm);
	json_decref(j);
	return rc;
}

int ky_misp_feed(const char *dir,
		 int (*fn)(void *ud, const struct ky_misp_attr *a), void *ud,
		 void (*warnfn)(void *ud, const char *msg),
		 struct ky_misp_stats *st, struct ky_err *err)
{
	char path[4200];
	json_error_t je;
	json_t *man;
	const char *uuid;
	json_t *meta;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((man = json_load_file(path, 0, &je)) == NULL)
		return ky_err_set(err, KY_E_PARSE, "%s:%d:%d: %s", path,
				  je.line, je.column, je.text);
	if (!json_is_object(man)) {
		json_decref(man);
		return ky_err_set(err, KY_E_PARSE,
				  "%s: not a MISP feed manifest", path);
	}
	json_object_foreach(man, uuid, meta)
	{
		FILE *f;
		char *buf;
		size_t len;

		(void)meta;
		/* the key names a file: nothing but a uuid may */
		if (strspn(uuid, "0123456789abcdefABCDEF-") != strlen(uuid) ||
		    strlen(uuid) != 36) {
			rc = ky_err_set(err, KY_E_PARSE,
					"%s: '%.40s' is not an event uuid",
					path, uuid);
			break;
		}
		snprintf(path, sizeof(path), "%s/%s.json", dir, uuid);
		if ((f = fopen(path, "rb")) == NULL) {
			rc = ky_err_set(err, KY_E_IO,
					"%s: listed in the "
					"manifest, cannot open",
					path);
			break;
		}
		buf = malloc(FEED_FILE_MAX);
		len = buf ? fread(buf, 1, FEED_FILE_MAX, f) : 0;
		fclose(f);
		if (buf == NULL) {
			rc = ky_err_set(err, KY_E_NOMEM, "out of memory");
			break;
		}
		rc = ky_misp_parse(buf, len, path, fn, ud, warnfn, st, err);
		free(buf);
		if (rc != 0)
			break;
	}
	json_decref(man);
	return rc;
}

/* ---- export ------------------------------------------------------------- */

static const char *misp_type(enum ky_ioc_type t, const char *v,
			     const char **cat)
{
	*cat = t >= KY_IOC_MD5 ? "Payload delivery" : "Network activity";
	switch (t) {
	case KY_IOC_IP:
		return "ip-dst";
	case KY_IOC_DOMAIN:
		return strncmp(v, "*.", 2) == 0 ? NULL : "domain";
	case KY_IOC_URL:
		return "url";
	case KY_IOC_EMAIL:
		*cat = "Payload delivery";
		return "email-src";
	case KY_IOC_MD5:
		return "md5";
	case KY_IOC_SHA1:
		return "sha1";
	case KY_IOC_SHA256:
		return "sha256";
	default:
		return NULL;
	}
}

json_t *ky_misp_export(const json_t *indicators, const char *info,
		       const char *org, int64_t now_ns, size_t *skipped,
		       struct ky_err *err)
{
	char date[KY_TIME_RFC3339_LEN], ts[24], uuid[37];
	enum ky_tlp evtlp = KY_TLP_UNSET;
	json_t *attrs = json_array(), *ev, *o;
	unsigned char rnd[16];
	size_t i;

	*skipped = 0;
	json_array_foreach(indicators, i, o)
	{
		const char *pat = str(o, "pattern"), *id = str(o, "id"), *cat;
		const char *mt;
		enum ky_ioc_type t;
		enum ky_tlp tlp = ky_stix_tlp_of(o);
		char *v = NULL, ats[24];
		int64_t m = 0;
		json_t *a;

		if (pat == NULL || id == NULL || strlen(id) < 36 ||
		    ky_stix_pattern_ioc(pat, &t, &v, NULL) != 0 ||
		    (mt = misp_type(t, v, &cat)) == NULL) {
			free(v);
			(*skipped)++;
			continue;
		}
		ky_time_parse_rfc3339(ky_stix_modified(o),
				      strlen(ky_stix_modified(o)), &m);
		snprintf(ats, sizeof(ats), "%lld", (long long)(m / NS));
		/* the attribute keeps the indicator's UUID: exporting again
		 * updates it in MISP instead of adding a copy */
		a = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "uuid",
			      id + strlen(id) - 36, "type", mt, "category", cat,
			      "value", v, "to_ids", true, "timestamp", ats,
			      "comment", str(o, "name") ? str(o, "name") : "");
		free(v);
		if (a == NULL)
			continue;
		if (tlp != KY_TLP_UNSET) {
			char tag[32];

			snprintf(tag, sizeof(tag), "tlp:%s", ky_tlp_name(tlp));
			json_object_set_new(a, "Tag",
					    json_pack("[{s:s}]", "name", tag));
			if (evtlp == KY_TLP_UNSET || tlp > evtlp)
				evtlp = tlp;
		}
		json_array_append_new(attrs, a);
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 7, sizeof(rnd));
	rnd[6] = (unsigned char)((rnd[6] & 0x0f) | 0x40);
	rnd[8] = (unsigned char)((rnd[8] & 0x3f) | 0x80);
	snprintf(uuid, sizeof(uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7],
		 rnd[8], rnd[9], rnd[10], rnd[11], rnd[12], rnd[13], rnd[14],
		 rnd[15]);
	ky_time_format_rfc3339(now_ns, date);
	date[10] = '\0';
	snprintf(ts, sizeof(ts), "%lld", (long long)(now_ns / NS));
	ev = json_pack("{s:{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:{s:s}, "
		       "s:o}}",
		       "Event", "uuid", uuid, "info", info, "date", date,
		       "timestamp", ts, "published", false, "analysis", "2",
		       "threat_level_id", "2", "distribution", "0", "Orgc",
		       "name", org, "Attribute", attrs);
	if (ev == NULL) {
		ky_err_set(err, KY_E_NOMEM, "misp: out of memory");
		return NULL;
	}
	if (evtlp != KY_TLP_UNSET) {
		char tag[32];

		snprintf(tag, sizeof(tag), "tlp:%s", ky_tlp_name(evtlp));
		json_object_set_new(json_object_get(ev, "Event"), "Tag",
				    json_pack("[{s:s}]", "name", tag));
	}
	return ev;
}
