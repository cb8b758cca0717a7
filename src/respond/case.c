/* The reporting file of an incident (JSON, validated member by member),
 * its setters with history, and the NIS2/CRA report input built from it
 * and the incident. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "respond/case.h"

#define DOC_KIND "report"
#define TEXT_MAX 65536
#define LIST_MAX 1024
#define HISTORY_MAX 10000

enum ftype { F_BOOL, F_TIME, F_TRI, F_TEXT, F_INT, F_STATES, F_NAMES };

static const struct field {
	const char *name; /* JSON member, CLI name with '_' for '-' */
	enum ftype type;
} fields[] = {
	{"significant", F_BOOL},
	{"cra_incident", F_BOOL},
	{"cra_vulnerability", F_BOOL},
	{"detected", F_TIME},
	{"aware", F_TIME},
	{"started", F_TIME},
	{"ended", F_TIME},
	{"fix_available", F_TIME},
	{"intermediate_requested", F_TIME},
	{"intermediate_due", F_TIME},
	{"malicious", F_TRI},
	{"cross_border", F_STATES},
	{"affected_users", F_INT},
	{"affected_systems", F_INT},
	{"severity", F_TEXT},
	{"impact", F_TEXT},
	{"threat_type", F_TEXT},
	{"root_cause", F_TEXT},
	{"mitigations", F_TEXT},
	{"user_measures", F_TEXT},
	{"product", F_TEXT},
	{"cve", F_TEXT},
	{"unknown", F_NAMES},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct field *field_find(const char *name)
{
	char n[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(n) - 1; i++)
		n[i] = name[i] == '-' ? '_' : name[i];
	n[i] = '\0';
	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, n) == 0)
			return &fields[i];
	return NULL;
}

json_t *ky_case_new(int64_t incident_id)
{
	return json_pack("{s:I, s:{}, s:[]}", "incident",
			 (json_int_t)incident_id, "submitted", "history");
}

/* ---- checking ---- */

static bool cc_valid(const char *s)
{
	return ky_nis2_member_state(s);
}

static int check_value(const struct field *f, const json_t *v,
		       struct ky_err *err)
{
	size_t i;
	const json_t *x;

	switch (f->type) {
	case F_BOOL:
		if (json_is_boolean(v))
			return 0;
		break;
	case F_TIME:
	case F_INT:
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			return 0;
		break;
	case F_TRI:
		if (json_is_string(v) &&
		    (strcmp(json_string_value(v), "yes") == 0 ||
		     strcmp(json_string_value(v), "no") == 0 ||
		     strcmp(json_string_value(v), "unknown") == 0))
			return 0;
		break;
	case F_TEXT:
		if (json_is_string(v) && json_string_length(v) <= TEXT_MAX)
			return 0;
		break;
	case F_STATES:
	case F_NAMES:
		if (!json_is_array(v) || json_array_size(v) > LIST_MAX)
			break;
		json_array_foreach(v, i, x)
		{
			if (!json_is_string(x) ||
			    (f->type == F_STATES &&
			     !cc_valid(json_string_value(x))))
				return ky_err_set(err, KY_E_INVAL,
						  "$.%s[%zu]: not a %s",
						  f->name, i,
						  f->type == F_STATES
							  ? "member state code"
							  : "field name");
		}
		return 0;
	}
	return ky_err_set(err, KY_E_INVAL, "$.%s: wrong type or range",
			  f->name);
}

static int check_submitted(const json_t *s, struct ky_err *err)
{
	const char *rk, *sk;
	const json_t *rv, *sv;

	if (!json_is_object(s))
		return ky_err_set(err, KY_E_INVAL,
				  "$.submitted: not an object");
	json_object_foreach((json_t *)s, rk, rv)
	{
		if (strcmp(rk, "nis2") != 0 &&
		    strcmp(rk, "cra-incident") != 0 &&
		    strcmp(rk, "cra-vulnerability") != 0)
			return ky_err_set(err, KY_E_INVAL,
					  "$.submitted.%s: not a regime", rk);
		if (!json_is_object(rv))
			return ky_err_set(err, KY_E_INVAL,
					  "$.submitted.%s: not an object", rk);
		json_object_foreach((json_t *)rv, sk, sv)
		{
			enum ky_stage st;
			struct ky_err e = {0};

			if (ky_stage_parse(sk, &st, &e) != 0 ||
			    !json_is_integer(sv) || json_integer_value(sv) <= 0)
				return ky_err_set(err, KY_E_INVAL,
						  "$.submitted.%s.%s: not a "
						  "stage with a time",
						  rk, sk);
		}
	}
	return 0;
}

int ky_case_check(const json_t *c, struct ky_err *err)
{
	const char *k;
	const json_t *v;
	int r;

	if (!json_is_object(c))
		return ky_err_set(err, KY_E_INVAL, "$: not an object");
	if (!json_is_integer(json_object_get(c, "incident")) ||
	    json_integer_value(json_object_get(c, "incident")) < 1)
		return ky_err_set(err, KY_E_INVAL,
				  "$.incident: expected an id");
	if (!json_is_array(json_object_get(c, "history")) ||
	    json_array_size(json_object_get(c, "history")) > HISTORY_MAX)
		return ky_err_set(err, KY_E_INVAL,
				  "$.history: expected an array");
	json_object_foreach((json_t *)c, k, v)
	{
		const struct field *f;

		if (strcmp(k, "incident") == 0 || strcmp(k, "history") == 0)
			continue;
		if (strcmp(k, "submitted") == 0) {
			if ((r = check_submitted(v, err)) != 0)
				return r;
			continue;
		}
		if ((f = field_find(k)) == NULL || strcmp(f->name, k) != 0)
			return ky_err_set(err, KY_E_INVAL,
					  "$.%s: unknown member", k);
		if ((r = check_value(f, v, err)) != 0)
			return r;
	}
	return 0;
}

/* ---- setting ---- */

static int parse_time(const char *v, int64_t now_ns, int64_t *out)
{
	if (strcmp(v, "now") == 0) {
		*out = now_ns;
		return 0;
	}
	return ky_time_parse_rfc3339(v, strlen(v), out) == (int)strlen(v) &&
			       *out > 0
		       ? 0
		       : -1;
}

/* A comma-separated list into a new array; each item checked by ok. */
static json_t *split_list(const char *v, bool (*ok)(const char *))
{
	json_t *a = json_array();
	const char *p = v;

	while (a && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char item[128];

		while (n && isspace((unsigned char)*p))
			p++, n--;
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0 || n >= sizeof(item) ||
		    json_array_size(a) >= LIST_MAX) {
			json_decref(a);
			return NULL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (!ok(item) || json_array_append_new(a, json_string(item))) {
			json_decref(a);
			return NULL;
		}
		p = e ? e + 1 : p + n;
	}
	return a;
}

static bool name_ok(const char *s)
{
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || *s == '.' || *s == '_'))
			return false;
	return true;
}

static json_t *parse_value(const struct field *f, const char *v, int64_t now_ns,
			   bool *clear)
{
	long long n;
	char *end;
	int64_t t;

	*clear = false;
	if ((f->type == F_TIME || f->type == F_INT || f->type == F_TEXT ||
	     f->type == F_NAMES) &&
	    (v[0] == '\0' || (f->type == F_TIME && strcmp(v, "none") == 0))) {
		*clear = true;
		return NULL;
	}
	switch (f->type) {
	case F_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			return json_true();
		if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			return json_false();
		return NULL;
	case F_TIME:
		return parse_time(v, now_ns, &t) == 0 ? json_integer(t) : NULL;
	case F_INT:
		n = strtoll(v, &end, 10);
		return *end == '\0' && n >= 0 && isdigit((unsigned char)v[0])
			       ? json_integer(n)
			       : NULL;
	case F_TRI:
		return strcmp(v, "yes") == 0 || strcmp(v, "no") == 0 ||
				       strcmp(v, "unknown") == 0
			       ? json_string(v)
			       : NULL;
	case F_TEXT:
		return strlen(v) <= TEXT_MAX ? json_string(v) : NULL;
	case F_STATES:
		if (strcmp(v, "no") == 0)
			return json_array();
		return split_list(v, cc_valid);
	case F_NAMES:
		return split_list(v, name_ok);
	}
	return NULL;
}

int ky_case_set(json_t *c, const char *field, const char *value,
		const char *who, int64_t now_ns, struct ky_err *err)
{
	const struct field *f = field_find(field);
	json_t *v, *h;
	bool clear;

	if (f == NULL)
		return ky_err_set(err, KY_E_INVAL,
				  "unknown report field '%s' (see kyklos "
				  "incidents set --help)",
				  field);
	if (who == NULL || *who == '\0')
		return ky_err_set(err, KY_E_INVAL, "%s: who is required",
				  field);
	if (json_array_size(json_object_get(c, "history")) >= HISTORY_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "history is full");
	v = parse_value(f, value, now_ns, &clear);
	if (v == NULL && !clear)
		return ky_err_set(err, KY_E_INVAL,
				  "%s: '%.80s' is not a valid value", field,
				  value);
	if (clear)
		json_object_del(c, f->name);
	else if (json_object_set_new(c, f->name, v) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	h = json_pack("{s:s, s:s, s:s, s:I}", "field", f->name, "value", value,
		      "who", who, "when_ns", (json_int_t)now_ns);
	if (h == NULL ||
	    json_array_append_new(json_object_get(c, "history"), h) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

int ky_case_submit(json_t *c, enum ky_regime reg, enum ky_stage stage,
		   const char *who, int64_t when_ns, struct ky_err *err)
{
	json_t *sub = json_object_get(c, "submitted"), *r, *h;
	const char *rn = ky_regime_name(reg), *sn = ky_stage_name(stage);
	char val[64];

	if (who == NULL || *who == '\0' || when_ns <= 0)
		return ky_err_set(err, KY_E_INVAL,
				  "submission needs who and a time");
	if ((r = json_object_get(sub, rn)) == NULL) {
		if (json_object_set_new(sub, rn, json_object()) != 0)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		r = json_object_get(sub, rn);
	}
	/* the regime in the value; when it was recorded in when_ns, like
	 * every entry, and the submission's own time in at_ns */
	snprintf(val, sizeof(val), "%s %s", rn, sn);
	h = json_pack("{s:s, s:s, s:s, s:I, s:I}", "field", "submitted",
		      "value", val, "who", who, "when_ns",
		      (json_int_t)ky_time_now_ns(), "at_ns",
		      (json_int_t)when_ns);
	if (json_object_set_new(r, sn, json_integer(when_ns)) != 0 ||
	    h == NULL ||
	    json_array_append_new(json_object_get(c, "history"), h) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

bool ky_case_applies(const json_t *c, enum ky_regime reg)
{
	const char *k = reg == KY_REGIME_NIS2		? "significant"
			: reg == KY_REGIME_CRA_INCIDENT ? "cra_incident"
							: "cra_vulnerability";

	return c && json_is_true(json_object_get(c, k));
}

/* ---- the report input ---- */

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

const char *ky_case_indicator_type(const char *v)
{
	unsigned char buf[16];
	size_t n = strlen(v);

	if (inet_pton(AF_INET, v, buf) == 1)
		return "ipv4-addr";
	if (inet_pton(AF_INET6, v, buf) == 1)
		return "ipv6-addr";
	if (strchr(v, '/') && strchr(v, ':') == NULL && strchr(v, '.'))
		return strstr(v, "://") ? "url" : "ipv4-addr";
	if (strstr(v, "://"))
		return "url";
	if (strchr(v, '@'))
		return "email-addr";
	if (n == 32 && all_hex(v, n))
		return "file:hashes.MD5";
	if (n == 40 && all_hex(v, n))
		return "file:hashes.SHA-1";
	if (n == 64 && all_hex(v, n))
		return "file:hashes.SHA-256";
	return "domain-name";
}

static const char *str_of(const json_t *c, const char *k)
{
	const char *s = json_string_value(json_object_get(c, k));

	return s && *s ? s : NULL;
}

static int64_t time_of(const json_t *c, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(c, k));
}

static int64_t count_of(const json_t *c, const char *k, int64_t def)
{
	const json_t *v = json_object_get(c, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

static size_t add_strs(const json_t *arr, const char **v, size_t at)
{
	size_t i;
	const json_t *x;

	json_array_foreach(arr, i, x) v[at++] = json_string_value(x);
	return at;
}

int ky_case_input(struct ky_case_input *x, const json_t *c,
		  const struct ky_incident *inc, const struct ky_entity *ent,
		  enum ky_regime reg, int64_t now_ns, struct ky_err *err)
{
	struct ky_nis2_input *in = &x->in;
	const json_t *states = json_object_get(c, "cross_border");
	const json_t *unknown = json_object_get(c, "unknown");
	const json_t *iocs, *sub, *v;
	const char *tri, *sk;
	size_t ns, nu, i;

	memset(x, 0, sizeof(*x));
	ky_nis2_input_init(in);
	if ((x->inc_json = ky_incident_to_json(inc)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	ns = json_array_size(states);
	nu = json_array_size(unknown);
	iocs = json_object_get(x->inc_json, "indicators");
	x->strs = calloc(ns + nu + 2, sizeof(*x->strs));
	x->iocs = calloc(json_array_size(iocs) + 1, sizeof(*x->iocs));
	if (x->strs == NULL || x->iocs == NULL) {
		ky_case_input_clear(x);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	snprintf(x->id, sizeof(x->id), "INC-%lld",
		 (long long)ky_incident_id(inc));
	snprintf(x->tlp, sizeof(x->tlp), "TLP:%s",
		 ky_tlp_name(ky_incident_tlp(inc)));
	for (char *p = x->tlp; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	in->regime = reg;
	in->incident_id = x->id;
	in->title = ky_incident_title(inc);
	in->entity_name = ent->name;
	in->sector = ent->sector;
	in->subsector = ent->subsector;
	in->member_state = ent->member_state;
	in->tz = ent->tz;
	in->trust_service_provider = ent->trust_service_provider;
	in->significant =
		reg == KY_REGIME_NIS2 ? ky_case_applies(c, reg) : true;
	in->detected_ns = time_of(c, "detected");
	if (in->detected_ns == 0)
		in->detected_ns = ky_incident_created_ns(inc);
	in->aware_ns = time_of(c, "aware");
	in->started_ns = time_of(c, "started");
	if (in->started_ns == 0)
		in->started_ns = ky_incident_first_ns(inc);
	in->ended_ns = time_of(c, "ended");
	in->fix_available_ns = time_of(c, "fix_available");
	in->intermediate_requested_ns = time_of(c, "intermediate_requested");
	in->intermediate_due_ns = time_of(c, "intermediate_due");
	sub = json_object_get(json_object_get(c, "submitted"),
			      ky_regime_name(reg));
	json_object_foreach((json_t *)sub, sk, v)
	{
		enum ky_stage st;
		struct ky_err e = {0};

		if (ky_stage_parse(sk, &st, &e) == 0)
			in->submitted_ns[st] = (int64_t)json_integer_value(v);
	}
	in->report_time_ns = now_ns;
	tri = json_string_value(json_object_get(c, "malicious"));
	in->malicious = tri == NULL		  ? KY_TRI_UNKNOWN
			: strcmp(tri, "yes") == 0 ? KY_TRI_YES
			: strcmp(tri, "no") == 0  ? KY_TRI_NO
						  : KY_TRI_UNKNOWN;
	in->cross_border = ns > 0;
	in->cross_border_states = x->strs;
	in->n_cross_border_states = add_strs(states, x->strs, 0);
	in->unknown = x->strs + ns;
	in->n_unknown = add_strs(unknown, x->strs, ns) - ns;
	/* "no" is an answer ([]), an absent member is not: the report must
	 * still ask for it */
	if (states == NULL)
		x->strs[ns + in->n_unknown++] =
			"assessment.cross_border_impact";
	in->severity = str_of(c, "severity");
	if (in->severity == NULL)
		in->severity = ky_sev_band_name(ky_incident_band(inc));
	in->impact = str_of(c, "impact");
	in->affected_users = count_of(c, "affected_users", -1);
	in->affected_systems = count_of(c, "affected_systems",
					(int64_t)ky_incident_host_count(inc));
	json_array_foreach(iocs, i, v)
	{
		const char *val =
			json_string_value(json_object_get(v, "value"));

		if (val == NULL)
			continue;
		x->iocs[in->n_indicators].type = ky_case_indicator_type(val);
		x->iocs[in->n_indicators++].value = val;
	}
	in->indicators = x->iocs;
	in->threat_type = str_of(c, "threat_type");
	in->root_cause = str_of(c, "root_cause");
	in->mitigations = str_of(c, "mitigations");
	in->user_measures = str_of(c, "user_measures");
	in->product = str_of(c, "product");
	in->tlp = x->tlp;
	in->rsit_class = ky_incident_rsit(inc)->cls;
	in->rsit_type = ky_incident_rsit(inc)->type;
	return 0;
}

void ky_case_input_clear(struct ky_case_input *x)
{
	json_decref(x->inc_json);
	free(x->strs);
	free(x->iocs);
	memset(x, 0, sizeof(*x));
}

/* ---- storage ---- */

struct loadctx {
	json_t **out;
	struct ky_err *err;
};

static int load_doc(void *ud, const struct ky_doc_row *row)
{
	struct loadctx *l = ud;
	json_error_t je;
	int r;

	*l->out = json_loadb(row->json, row->json_len, JSON_REJECT_DUPLICATES,
			     &je);
	if (*l->out == NULL)
		return ky_err_set(l->err, KY_E_PARSE,
				  "stored report file %s: %s", row->id,
				  je.text);
	if ((r = ky_case_check(*l->out, l->err)) != 0) {
		json_decref(*l->out);
		*l->out = NULL;
		ky_err_prefix(l->err, "stored report file %s", row->id);
	}
	return r;
}

int ky_case_load(struct ky_store *st, int64_t incident_id, json_t **out,
		 struct ky_err *err)
{
	struct loadctx l = {out, err};
	char key[24];

	*out = NULL;
	snprintf(key, sizeof(key), "%012lld", (long long)incident_id);
	return ky_store_get_doc(st, DOC_KIND, key, load_doc, &l, err);
}

int ky_case_save(struct ky_store *st, const json_t *c, int64_t now_ns,
		 struct ky_err *err)
{
	char key[24], *text;
	int r;

	if ((r = ky_case_check(c, err)) != 0)
		return r;
	snprintf(key, sizeof(key), "%012lld",
		 (long long)json_integer_value(json_object_get(c, "incident")));
	if ((text = json_dumps(c, JSON_COMPACT)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	r = ky_store_put_doc(st, DOC_KIND, key, text, strlen(text), now_ns,
			     err);
	free(text);
	return r;
}
