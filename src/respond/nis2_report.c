/* The NIS2 Art. 23 / CRA Art. 14 report of one stage: JSON for machines and
 * Markdown for people, prefilled from the incident, with the list of what the
 * analyst must still fill in for that stage. */
#include "respond/nis2.h"

#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "base/time.h"

#define TEXT_MAX (64 * 1024)
#define LIST_MAX 1024

/* NIS2 Annex I (sectors of high criticality) and Annex II (other critical
 * sectors); codes are those of the MISP nis2 taxonomy. */
static const struct ky_nis2_sector sectors[] = {
	{"energy", "Energy", NULL, 1},
	{"electricity", "Electricity", "energy", 1},
	{"district-heating-and-cooling", "District heating and cooling",
	 "energy", 1},
	{"oil", "Oil", "energy", 1},
	{"gas", "Gas", "energy", 1},
	{"hydrogen", "Hydrogen", "energy", 1},
	{"transport", "Transport", NULL, 1},
	{"air", "Air", "transport", 1},
	{"rail", "Rail", "transport", 1},
	{"water", "Water", "transport", 1},
	{"road", "Road", "transport", 1},
	{"banking", "Banking", NULL, 1},
	{"financial", "Financial market infrastructures", NULL, 1},
	{"health", "Health", NULL, 1},
	{"drinking-water", "Drinking water", NULL, 1},
	{"waste-water", "Waste water", NULL, 1},
	{"digital-infrastructure", "Digital infrastructure", NULL, 1},
	{"ict-services", "ICT service management (business-to-business)", NULL,
	 1},
	{"public-administration", "Public administration", NULL, 1},
	{"space", "Space", NULL, 1},
	{"courier", "Postal and courier services", NULL, 2},
	{"waste-management", "Waste management", NULL, 2},
	{"chemical", "Manufacture, production and distribution of chemicals",
	 NULL, 2},
	{"food", "Production, processing and distribution of food", NULL, 2},
	{"manufacturing", "Manufacturing", NULL, 2},
	{"medical-devices-subsector",
	 "Manufacture of medical devices and in vitro diagnostic medical "
	 "devices",
	 "manufacturing", 2},
	{"electronic-optical-subsector",
	 "Manufacture of computer, electronic and optical products",
	 "manufacturing", 2},
	{"electrical-equipment-subsector",
	 "Manufacture of electrical equipment", "manufacturing", 2},
	{"machine-tool-subsector",
	 "Manufacture of machinery and equipment n.e.c.", "manufacturing", 2},
	{"vehicle-manufacturing-subsector",
	 "Manufacture of motor vehicles, trailers and semi-trailers",
	 "manufacturing", 2},
	{"other-transport-equipment-subsector",
	 "Manufacture of other transport equipment", "manufacturing", 2},
	{"digital-providers", "Digital providers", NULL, 2},
	{"research", "Research", NULL, 2},
	{NULL, NULL, NULL, 0},
};

const struct ky_nis2_sector *ky_nis2_sectors(void)
{
	return sectors;
}

const struct ky_nis2_sector *ky_nis2_sector_find(const char *code)
{
	for (const struct ky_nis2_sector *s = sectors; code && s->code; s++)
		if (strcmp(s->code, code) == 0)
			return s;
	return NULL;
}

/* ---- what each stage needs ------------------------------------------------
 */

static bool has(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Whether the input holds a value for a report field. */
static bool field_present(const struct ky_nis2_input *in, const char *f)
{
	struct {
		const char *name;
		bool present;
	} t[] = {
		{"incident.title", has(in->title)},
		{"entity.name", has(in->entity_name)},
		{"entity.member_state", has(in->member_state)},
		{"entity.sector", has(in->sector)},
		{"entity.subsector", has(in->subsector)},
		{"times.detected", in->detected_ns != 0},
		{"times.aware", in->aware_ns != 0},
		{"times.started", in->started_ns != 0},
		{"times.ended", in->ended_ns != 0},
		{"times.fix_available", in->fix_available_ns != 0},
		{"assessment.suspected_malicious",
		 in->malicious != KY_TRI_UNKNOWN},
		{"assessment.cross_border_impact", true},
		{"assessment.member_states_affected",
		 in->n_cross_border_states > 0},
		{"assessment.severity", has(in->severity)},
		{"assessment.impact", has(in->impact)},
		{"assessment.affected_users", in->affected_users >= 0},
		{"assessment.affected_systems", in->affected_systems >= 0},
		{"assessment.threat_type", has(in->threat_type)},
		{"assessment.root_cause", has(in->root_cause)},
		{"assessment.mitigations", has(in->mitigations)},
		{"assessment.user_measures", has(in->user_measures)},
		{"assessment.product", has(in->product)},
		{"indicators", in->n_indicators > 0},
		{"marking.tlp", has(in->tlp)},
		{"classification.rsit_class", has(in->rsit_class)},
		{"classification.rsit_type", has(in->rsit_type)},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].name, f) == 0) {
			for (size_t k = 0; k < in->n_unknown; k++)
				if (strcmp(in->unknown[k], f) == 0)
					return false;
			return t[i].present;
		}
	return false; /* status_update: always written by the analyst */
}

static bool field_known(const char *f)
{
	static const char *const names[] = {"incident.title",
					    "entity.name",
					    "entity.member_state",
					    "entity.sector",
					    "entity.subsector",
					    "times.detected",
					    "times.aware",
					    "times.started",
					    "times.ended",
					    "times.fix_available",
					    "assessment.suspected_malicious",
					    "assessment.cross_border_impact",
					    "assessment.member_states_affected",
					    "assessment.severity",
					    "assessment.impact",
					    "assessment.affected_users",
					    "assessment.affected_systems",
					    "assessment.threat_type",
					    "assessment.root_cause",
					    "assessment.mitigations",
					    "assessment.user_measures",
					    "assessment.product",
					    "indicators",
					    "marking.tlp",
					    "classification.rsit_class",
					    "classification.rsit_type",
					    "status_update"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], f) == 0)
			return true;
	return false;
}

/* Required and where-available fields of a stage; a '|' joins alternatives
 * of which one suffices (the first is reported).  A leading '?' marks a
 * field required only when cross-border impact is set. */
struct needs {
	enum ky_regime regime;
	enum ky_stage stage;
	const char *req[10];
	const char *opt[8];
};

static const struct needs needs_table[] = {
	{KY_REGIME_NIS2, /* Art. 23(4)(a) */
	 KY_STAGE_EARLY_WARNING,
	 {"entity.name", "entity.member_state", "entity.sector", "times.aware",
	  "assessment.suspected_malicious", "assessment.cross_border_impact",
	  "?assessment.member_states_affected"},
	 {"incident.title", "times.detected", "times.started", "marking.tlp"}},
	{KY_REGIME_NIS2, /* Art. 23(4)(b) */
	 KY_STAGE_NOTIFICATION,
	 {"entity.name", "entity.member_state", "entity.sector", "times.aware",
	  "assessment.suspected_malicious", "assessment.cross_border_impact",
	  "?assessment.member_states_affected", "assessment.severity",
	  "assessment.impact"},
	 {"indicators", "assessment.affected_users",
	  "assessment.affected_systems", "classification.rsit_class",
	  "classification.rsit_type", "marking.tlp"}},
	{KY_REGIME_NIS2, /* Art. 23(4)(c) */
	 KY_STAGE_INTERMEDIATE,
	 {"status_update"},
	 {"assessment.severity", "assessment.impact",
	  "assessment.mitigations"}},
	{KY_REGIME_NIS2, /* Art. 23(4)(e) */
	 KY_STAGE_PROGRESS,
	 {"status_update", "assessment.severity", "assessment.impact",
	  "assessment.mitigations"},
	 {"assessment.root_cause|assessment.threat_type", "indicators"}},
	{KY_REGIME_NIS2, /* Art. 23(4)(d) */
	 KY_STAGE_FINAL,
	 {"assessment.severity", "assessment.impact",
	  "assessment.root_cause|assessment.threat_type",
	  "assessment.mitigations", "?assessment.member_states_affected"},
	 {"times.ended", "indicators", "classification.rsit_class",
	  "classification.rsit_type"}},
	{KY_REGIME_CRA_VULN, /* Art. 14(2)(a) */
	 KY_STAGE_EARLY_WARNING,
	 {"assessment.product", "times.aware"},
	 {"assessment.member_states_affected"}},
	{KY_REGIME_CRA_VULN, /* Art. 14(2)(b) */
	 KY_STAGE_NOTIFICATION,
	 {"assessment.product", "assessment.threat_type",
	  "assessment.mitigations", "assessment.user_measures", "marking.tlp"},
	 {"indicators", "assessment.severity"}},
	{KY_REGIME_CRA_VULN, /* Art. 14(2)(c) */
	 KY_STAGE_FINAL,
	 {"assessment.severity", "assessment.impact", "assessment.mitigations",
	  "times.fix_available"},
	 {"assessment.threat_type"}},
	{KY_REGIME_CRA_INCIDENT, /* Art. 14(4)(a) */
	 KY_STAGE_EARLY_WARNING,
	 {"assessment.suspected_malicious", "times.aware"},
	 {"assessment.member_states_affected"}},
	{KY_REGIME_CRA_INCIDENT, /* Art. 14(4)(b) */
	 KY_STAGE_NOTIFICATION,
	 {"assessment.impact", "assessment.severity", "assessment.mitigations",
	  "assessment.user_measures", "marking.tlp"},
	 {"indicators"}},
	{KY_REGIME_CRA_INCIDENT, /* Art. 14(4)(c) */
	 KY_STAGE_FINAL,
	 {"assessment.severity", "assessment.impact",
	  "assessment.root_cause|assessment.threat_type",
	  "assessment.mitigations"},
	 {"times.ended"}},
};

static const struct needs *stage_needs(enum ky_regime rg, enum ky_stage st)
{
	static const struct needs none;

	for (size_t i = 0; i < sizeof(needs_table) / sizeof(needs_table[0]);
	     i++)
		if (needs_table[i].regime == rg && needs_table[i].stage == st)
			return &needs_table[i];
	return &none;
}

/* Name of the field of spec `f` still missing, or NULL. */
static const char *spec_missing(const struct ky_nis2_input *in, const char *f,
				char *tmp, size_t tmpsz)
{
	if (f[0] == '?') {
		if (!in->cross_border)
			return NULL;
		f++;
	}
	const char *bar = strchr(f, '|');
	if (bar == NULL)
		return field_present(in, f) ? NULL : f;
	size_t n = (size_t)(bar - f);
	if (n >= tmpsz)
		n = tmpsz - 1;
	memcpy(tmp, f, n);
	tmp[n] = '\0';
	if (field_present(in, tmp) || field_present(in, bar + 1))
		return NULL;
	return tmp;
}

/* ---- input checks ----------------------------------------------------------
 */

static int check_text(const char *what, const char *s, struct ky_err *err)
{
	if (s == NULL)
		return 0;
	size_t n = strnlen(s, TEXT_MAX + 1), bad;
	if (n > TEXT_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "%s: longer than %d bytes",
				  what, TEXT_MAX);
	if ((bad = ky_utf8_check(s, n)) != n)
		return ky_err_set(err, KY_E_INVAL,
				  "%s: offset %zu: invalid UTF-8", what, bad);
	return 0;
}

bool ky_nis2_member_state(const char *s)
{
	/* the EU's own codes: EL for Greece, not GR */
	static const char codes[] = "AT BE BG CY CZ DE DK EE EL ES FI FR HR "
				    "HU IE IT LT LU LV MT NL PL PT RO SE SI SK";

	if (s == NULL || strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' ||
	    s[1] < 'A' || s[1] > 'Z')
		return false;
	/* each code is two letters and a separator (the last one the NUL) */
	for (size_t i = 0; i + 2 <= sizeof(codes) - 1; i += 3)
		if (codes[i] == s[0] && codes[i + 1] == s[1])
			return true;
	return false;
}

static int check_input(const struct ky_nis2_input *in, struct ky_err *err)
{
	const struct {
		const char *name, *v;
	} texts[] = {
		{"incident.id", in->incident_id},
		{"incident.title", in->title},
		{"entity.name", in->entity_name},
		{"assessment.severity", in->severity},
		{"assessment.impact", in->impact},
		{"assessment.threat_type", in->threat_type},
		{"assessment.root_cause", in->root_cause},
		{"assessment.mitigations", in->mitigations},
		{"assessment.user_measures", in->user_measures},
		{"assessment.product", in->product},
		{"classification.rsit_class", in->rsit_class},
		{"classification.rsit_type", in->rsit_type},
	};
	const struct ky_nis2_sector *sec = NULL, *sub = NULL;
	size_t i;
	int r;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if ((r = check_text(texts[i].name, texts[i].v, err)) != 0)
			return r;
	if (in->n_indicators > LIST_MAX ||
	    in->n_cross_border_states > LIST_MAX || in->n_unknown > LIST_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "more than %d indicators, member states or "
				  "unknown fields",
				  LIST_MAX);
	for (i = 0; i < in->n_indicators; i++) {
		char what[48];
		snprintf(what, sizeof(what), "indicators[%zu]", i);
		if (in->indicators[i].type == NULL ||
		    in->indicators[i].value == NULL)
			return ky_err_set(err, KY_E_INVAL,
					  "%s: type and value required", what);
		if ((r = check_text(what, in->indicators[i].type, err)) != 0 ||
		    (r = check_text(what, in->indicators[i].value, err)) != 0)
			return r;
	}
	if (has(in->sector) && (sec = ky_nis2_sector_find(in->sector)) == NULL)
		return ky_err_set(err, KY_E_INVAL,
				  "entity.sector \"%.64s\": not a NIS2 Annex I "
				  "or II sector",
				  in->sector);
	if (sec != NULL && sec->parent != NULL)
		return ky_err_set(err, KY_E_INVAL,
				  "entity.sector \"%s\": is a subsector of %s",
				  sec->code, sec->parent);
	if (has(in->subsector)) {
		sub = ky_nis2_sector_find(in->subsector);
		if (sub == NULL || sub->parent == NULL)
			return ky_err_set(err, KY_E_INVAL,
					  "entity.subsector \"%.64s\": not a "
					  "NIS2 subsector",
					  in->subsector);
		if (sec == NULL || strcmp(sub->parent, sec->code) != 0)
			return ky_err_set(err, KY_E_INVAL,
					  "entity.subsector \"%s\": belongs to "
					  "sector %s, not %s",
					  sub->code, sub->parent,
					  sec ? sec->code : "(none)");
	}
	if (has(in->member_state) && !ky_nis2_member_state(in->member_state))
		return ky_err_set(err, KY_E_INVAL,
				  "entity.member_state \"%.16s\": not an EU "
				  "member state code (EL for Greece)",
				  in->member_state);
	for (i = 0; i < in->n_cross_border_states; i++)
		if (!ky_nis2_member_state(in->cross_border_states[i]))
			return ky_err_set(
				err, KY_E_INVAL,
				"assessment.member_states_affected[%zu] "
				"\"%.16s\": not an EU member state code "
				"(EL for Greece)",
				i,
				in->cross_border_states[i]
					? in->cross_border_states[i]
					: "");
	if (has(in->tlp)) {
		static const char *const tlp[] = {
			"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
			"TLP:AMBER+STRICT", "TLP:RED"};
		for (i = 0; i < 5 && strcmp(tlp[i], in->tlp) != 0; i++)
			;
		if (i == 5)
			return ky_err_set(
				err, KY_E_INVAL,
				"marking.tlp \"%.32s\": not a TLP 2.0 "
				"label",
				in->tlp);
	}
	for (i = 0; i < in->n_unknown; i++)
		if (in->unknown[i] == NULL || !field_known(in->unknown[i]))
			return ky_err_set(
				err, KY_E_INVAL,
				"unknown[%zu] \"%.64s\": not a report "
				"field",
				i, in->unknown[i] ? in->unknown[i] : "");
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

/* A small writer with a sticky error, so the document reads top-down. */
struct jw {
	struct ky_buf *b;
	int r;
	int depth;
	bool first[8];
};

static void jw_raw(struct jw *w, const char *s)
{
	if (w->r == 0)
		w->r = ky_buf_adds(w->b, s);
}

static void jw_sep(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		jw_raw(w, ",");
	w->first[w->depth] = false;
	if (key != NULL && w->r == 0) {
		w->r = ky_buf_add_json_str(w->b, key, strlen(key));
		jw_raw(w, ":");
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_sep(w, key);
	jw_raw(w, c == '{' ? "{" : "[");
	if (w->depth + 1 < (int)sizeof(w->first))
		w->first[++w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	jw_raw(w, c == '}' ? "}" : "]");
	w->depth--;
}

static void jw_str(struct jw *w, const char *key, const char *v)
{
	jw_sep(w, key);
	if (!has(v))
		jw_raw(w, "null");
	else if (w->r == 0)
		w->r = ky_buf_add_json_str(w->b, v, strlen(v));
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_sep(w, key);
	jw_raw(w, v ? "true" : "false");
}

static void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_sep(w, key);
	if (v < 0)
		jw_raw(w, "null");
	else if (w->r == 0)
		w->r = ky_buf_addf(w->b, "%lld", (long long)v);
}

/* Local time with its offset, "2026-03-30T14:00:00+02:00". */
static void fmt_local(const struct ky_tz *tz, int64_t ns, char out[48])
{
	int32_t off = ky_tz_offset(tz, ns);
	int64_t s = ns / KY_NS_PER_SEC + off;
	int64_t day = s / 86400, sod = s % 86400;
	char utc[KY_TIME_RFC3339_LEN];
	int32_t a = off < 0 ? -off : off;

	ky_time_format_rfc3339(day * 86400 * KY_NS_PER_SEC, utc);
	snprintf(out, 48, "%.10sT%02d:%02d:%02d%c%02d:%02d", utc,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
		 off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
}

static void jw_time(struct jw *w, const char *key, int64_t ns)
{
	char t[KY_TIME_RFC3339_LEN];

	if (ns == 0) {
		jw_str(w, key, NULL);
		return;
	}
	ky_time_format_rfc3339(ns, t);
	jw_str(w, key, t);
}

static const char *tri_name(enum ky_tristate t)
{
	return t == KY_TRI_YES ? "yes" : t == KY_TRI_NO ? "no" : "unknown";
}

static const char *stage_title(enum ky_regime rg, enum ky_stage st)
{
	static const char *const nis2[] = {
		"early warning", "incident notification", "intermediate report",
		"progress report", "final report"};
	static const char *const cra[] = {"early warning notification",
					  "vulnerability notification", "", "",
					  "final report"};
	static const char *const crai[] = {"early warning notification",
					   "incident notification", "", "",
					   "final report"};

	return rg == KY_REGIME_NIS2	  ? nis2[st]
	       : rg == KY_REGIME_CRA_VULN ? cra[st]
					  : crai[st];
}

struct missing {
	const char *req[16];
	const char *opt[16];
	char tmp[2][16][64];
	size_t n_req, n_opt;
};

static void collect_missing(const struct ky_nis2_input *in, enum ky_stage st,
			    struct missing *m)
{
	const struct needs *nd = stage_needs(in->regime, st);
	const char *f;
	size_t i;

	m->n_req = m->n_opt = 0;
	for (i = 0; i < 10 && nd->req[i]; i++)
		if ((f = spec_missing(in, nd->req[i], m->tmp[0][m->n_req],
				      sizeof(m->tmp[0][0]))) != NULL)
			m->req[m->n_req++] = f;
	for (i = 0; i < 8 && nd->opt[i]; i++)
		if ((f = spec_missing(in, nd->opt[i], m->tmp[1][m->n_opt],
				      sizeof(m->tmp[1][0]))) != NULL)
			m->opt[m->n_opt++] = f;
}

static int write_json(const struct ky_nis2_input *in, enum ky_stage st,
		      const struct ky_stage_info *si, const struct ky_tz *tz,
		      const struct missing *m, struct ky_buf *b)
{
	const struct ky_nis2_sector *sec = ky_nis2_sector_find(in->sector),
				    *sub = ky_nis2_sector_find(in->subsector);
	struct jw w = {.b = b, .first = {true}};
	char loc[48];
	size_t i;

	jw_open(&w, NULL, '{');
	jw_str(&w, "schema", "kyklos-nis2-report/1");
	jw_str(&w, "regime", ky_regime_name(in->regime));
	jw_str(&w, "stage", ky_stage_name(st));
	jw_str(&w, "title", stage_title(in->regime, st));
	jw_str(&w, "legal_basis", si->legal);
	jw_time(&w, "as_of", in->report_time_ns);
	jw_open(&w, "deadline", '{');
	jw_time(&w, "due", si->due_known ? si->due_ns : 0);
	if (si->due_known)
		fmt_local(tz, si->due_ns, loc);
	jw_str(&w, "due_local", si->due_known ? loc : NULL);
	jw_str(&w, "time_zone", has(in->tz) ? in->tz : "UTC");
	jw_bool(&w, "due_known", si->due_known);
	jw_bool(&w, "provisional", si->provisional);
	jw_str(&w, "depends_on", si->depends);
	jw_str(&w, "state", ky_stage_state_name(si->state));
	jw_time(&w, "submitted", si->submitted_ns);
	jw_close(&w, '}');
	jw_open(&w, "incident", '{');
	jw_str(&w, "id", in->incident_id);
	jw_str(&w, "title", in->title);
	jw_bool(&w, "significant", in->significant);
	jw_close(&w, '}');
	jw_open(&w, "entity", '{');
	jw_str(&w, "name", in->entity_name);
	jw_str(&w, "member_state", in->member_state);
	jw_bool(&w, "trust_service_provider", in->trust_service_provider);
	for (int k = 0; k < 2; k++) {
		const struct ky_nis2_sector *s = k ? sub : sec;
		if (s == NULL) {
			jw_str(&w, k ? "subsector" : "sector", NULL);
			continue;
		}
		jw_open(&w, k ? "subsector" : "sector", '{');
		jw_str(&w, "code", s->code);
		jw_str(&w, "name", s->name);
		jw_str(&w, "annex", s->annex == 1 ? "I" : "II");
		jw_close(&w, '}');
	}
	jw_close(&w, '}');
	jw_open(&w, "times", '{');
	jw_time(&w, "detected", in->detected_ns);
	jw_time(&w, "aware", in->aware_ns);
	jw_time(&w, "started", in->started_ns);
	jw_time(&w, "ended", in->ended_ns);
	jw_bool(&w, "ongoing", in->ended_ns == 0);
	jw_time(&w, "fix_available", in->fix_available_ns);
	jw_close(&w, '}');
	jw_open(&w, "assessment", '{');
	jw_str(&w, "suspected_malicious", tri_name(in->malicious));
	jw_bool(&w, "cross_border_impact", in->cross_border);
	jw_open(&w, "member_states_affected", '[');
	for (i = 0; i < in->n_cross_border_states; i++)
		jw_str(&w, NULL, in->cross_border_states[i]);
	jw_close(&w, ']');
	jw_str(&w, "severity", in->severity);
	jw_str(&w, "impact", in->impact);
	jw_int(&w, "affected_users", in->affected_users);
	jw_int(&w, "affected_systems", in->affected_systems);
	jw_str(&w, "threat_type", in->threat_type);
	jw_str(&w, "root_cause", in->root_cause);
	jw_str(&w, "mitigations", in->mitigations);
	jw_str(&w, "user_measures", in->user_measures);
	jw_str(&w, "product", in->product);
	jw_close(&w, '}');
	jw_open(&w, "indicators", '[');
	for (i = 0; i < in->n_indicators; i++) {
		jw_open(&w, NULL, '{');
		jw_str(&w, "type", in->indicators[i].type);
		jw_str(&w, "value", in->indicators[i].value);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_open(&w, "classification", '{');
	jw_str(&w, "rsit_class", in->rsit_class);
	jw_str(&w, "rsit_type", in->rsit_type);
	jw_close(&w, '}');
	jw_open(&w, "marking", '{');
	jw_str(&w, "tlp", in->tlp);
	jw_close(&w, '}');
	jw_open(&w, "missing", '[');
	for (i = 0; i < m->n_req; i++)
		jw_str(&w, NULL, m->req[i]);
	jw_close(&w, ']');
	jw_open(&w, "missing_optional", '[');
	for (i = 0; i < m->n_opt; i++)
		jw_str(&w, NULL, m->opt[i]);
	jw_close(&w, ']');
	jw_close(&w, '}');
	jw_raw(&w, "\n");
	return w.r;
}

/* ---- Markdown --------------------------------------------------------------
 */

/* Text on one line with Markdown's active characters escaped, so an
 * incident title cannot inject headings, links or HTML. */
static int md_text(struct ky_buf *b, const char *s)
{
	int r = 0;

	if (!has(s))
		return ky_buf_adds(b, "_(not known)_");
	for (; *s && r == 0; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\r' || c == '\t')
			r = ky_buf_addc(b, ' ');
		else if (c < 0x20 || c == 0x7f)
			continue;
		else if (strchr("\\`*_[]<>|~", c) != NULL &&
			 (r = ky_buf_addc(b, '\\')) != 0)
			break;
		else
			r = ky_buf_addc(b, (char)c);
	}
	return r;
}

static int md_item(struct ky_buf *b, const char *label, const char *v)
{
	int r;

	if ((r = ky_buf_addf(b, "- **%s:** ", label)) != 0 ||
	    (r = md_text(b, v)) != 0)
		return r;
	return ky_buf_addc(b, '\n');
}

static int md_time(struct ky_buf *b, const struct ky_tz *tz, const char *label,
		   int64_t ns)
{
	char loc[48], utc[KY_TIME_RFC3339_LEN];

	if (ns == 0)
		return md_item(b, label, NULL);
	fmt_local(tz, ns, loc);
	ky_time_format_rfc3339(ns, utc);
	return ky_buf_addf(b, "- **%s:** %s (%s)\n", label, loc, utc);
}

static int write_md(const struct ky_nis2_input *in, enum ky_stage st,
		    const struct ky_stage_info *si, const struct ky_tz *tz,
		    const struct missing *m, struct ky_buf *b)
{
	const struct ky_nis2_sector *sec = ky_nis2_sector_find(in->sector),
				    *sub = ky_nis2_sector_find(in->subsector);
	const char *reg = in->regime == KY_REGIME_NIS2 ? "NIS2" : "CRA";
	char num[32], states[4096];
	size_t i, o = 0;
	int r = 0;

	states[0] = '\0';
	for (i = 0; i < in->n_cross_border_states && o + 5 < sizeof(states);
	     i++)
		o += (size_t)snprintf(states + o, sizeof(states) - o, "%s%s",
				      i ? ", " : "",
				      in->cross_border_states[i]);
#define T(x)                                                                   \
	do {                                                                   \
		if ((r = (x)) != 0)                                            \
			goto out;                                              \
	} while (0)
	T(ky_buf_addf(b, "# %s %s: ", reg, stage_title(in->regime, st)));
	T(md_text(b, in->incident_id));
	T(ky_buf_adds(b, "\n\n"));
	if (has(in->tlp))
		T(ky_buf_addf(b, "**%s**\n\n", in->tlp));
	T(md_item(b, "Title", in->title));
	T(md_item(b, "Legal basis", si->legal));
	T(ky_buf_adds(b, "\n## Deadline\n\n"));
	T(md_time(b, tz, "Due", si->due_known ? si->due_ns : 0));
	T(md_item(b, "Counted from", si->depends));
	if (si->provisional)
		T(ky_buf_adds(b, "- **Provisional:** assumes the earlier stage "
				 "is sent at its own deadline\n"));
	T(md_item(b, "State", ky_stage_state_name(si->state)));
	if (si->submitted_ns)
		T(md_time(b, tz, "Submitted", si->submitted_ns));
	T(ky_buf_adds(b, "\n## Entity\n\n"));
	T(md_item(b, "Name", in->entity_name));
	T(md_item(b, "Member state", in->member_state));
	T(md_item(b, "Sector", sec ? sec->name : NULL));
	T(md_item(b, "Subsector", sub ? sub->name : NULL));
	if (sec)
		T(ky_buf_addf(b, "- **Annex:** %s\n",
			      sec->annex == 1 ? "I" : "II"));
	T(ky_buf_adds(b, "\n## Times\n\n"));
	T(md_time(b, tz, "Detected", in->detected_ns));
	T(md_time(b, tz, "Aware", in->aware_ns));
	T(md_time(b, tz, "Started", in->started_ns));
	T(md_time(b, tz, "Ended", in->ended_ns));
	if (in->regime == KY_REGIME_CRA_VULN)
		T(md_time(b, tz, "Fix available", in->fix_available_ns));
	T(ky_buf_adds(b, "\n## Assessment\n\n"));
	T(md_item(b, "Suspected malicious", tri_name(in->malicious)));
	T(md_item(b, "Cross-border impact", in->cross_border ? "yes" : "no"));
	T(md_item(b, "Member states affected", states));
	T(md_item(b, "Severity", in->severity));
	T(md_item(b, "Impact", in->impact));
	snprintf(num, sizeof(num), "%lld", (long long)in->affected_users);
	T(md_item(b, "Affected users", in->affected_users >= 0 ? num : NULL));
	snprintf(num, sizeof(num), "%lld", (long long)in->affected_systems);
	T(md_item(b, "Affected systems",
		  in->affected_systems >= 0 ? num : NULL));
	T(md_item(b, "Threat type", in->threat_type));
	T(md_item(b, "Root cause", in->root_cause));
	T(md_item(b, "Mitigations", in->mitigations));
	if (in->regime != KY_REGIME_NIS2) {
		T(md_item(b, "Product", in->product));
		T(md_item(b, "Measures for users", in->user_measures));
	}
	T(md_item(b, "RSIT class", in->rsit_class));
	T(md_item(b, "RSIT type", in->rsit_type));
	T(ky_buf_adds(b, "\n## Indicators\n\n"));
	if (in->n_indicators == 0)
		T(ky_buf_adds(b, "_(none)_\n"));
	for (i = 0; i < in->n_indicators; i++) {
		T(ky_buf_adds(b, "- "));
		T(md_text(b, in->indicators[i].type));
		T(ky_buf_adds(b, ": `"));
		for (const char *p = in->indicators[i].value; *p; p++)
			if (*p != '`' && (unsigned char)*p >= 0x20)
				T(ky_buf_addc(b, *p));
		T(ky_buf_adds(b, "`\n"));
	}
	T(ky_buf_adds(b, "\n## Still to fill in\n\n"));
	if (m->n_req == 0)
		T(ky_buf_adds(b, "_(nothing required)_\n"));
	for (i = 0; i < m->n_req; i++)
		T(ky_buf_addf(b, "- [ ] %s (required)\n", m->req[i]));
	for (i = 0; i < m->n_opt; i++)
		T(ky_buf_addf(b, "- [ ] %s (where available)\n", m->opt[i]));
#undef T
out:
	return r;
}

int ky_nis2_report(const struct ky_nis2_input *in, enum ky_stage stage,
		   struct ky_buf *json, struct ky_buf *md, struct ky_err *err)
{
	struct ky_stage_info si[KY_STAGE__COUNT];
	struct ky_tz *tz = NULL;
	struct missing m;
	size_t json_len = json ? json->len : 0, md_len = md ? md->len : 0;
	const char *id = in->incident_id ? in->incident_id : "(no id)";
	int64_t now =
		in->report_time_ns ? in->report_time_ns : ky_time_now_ns();
	int r;

	if ((unsigned)stage >= KY_STAGE__COUNT) {
		r = ky_err_set(err, KY_E_INVAL, "incident %s: stage %d unknown",
			       id, (int)stage);
		goto out;
	}
	if ((r = check_input(in, err)) != 0) {
		ky_err_prefix(err, "incident %.64s", id);
		goto out;
	}
	if ((r = ky_deadlines_compute(in, now, 0, si, err)) != 0)
		goto out;
	if (si[stage].state == KY_SS_NOT_APPLICABLE) {
		r = ky_err_set(err, KY_E_INVAL,
			       "incident %.64s: stage %s does not apply under "
			       "%s: %s (%s)",
			       id, ky_stage_name(stage),
			       ky_regime_name(in->regime), si[stage].depends,
			       si[stage].legal);
		goto out;
	}
	if ((r = ky_tz_load(has(in->tz) ? in->tz : "UTC", &tz, err)) != 0)
		goto out;
	collect_missing(in, stage, &m);
	if (json && (r = write_json(in, stage, &si[stage], tz, &m, json)) != 0)
		goto fail;
	if (md && (r = write_md(in, stage, &si[stage], tz, &m, md)) != 0)
		goto fail;
	goto out;
fail:
	ky_err_set(err, r, "incident %.64s: report of stage %s: %s", id,
		   ky_stage_name(stage), ky_strerror(r));
	if (json && json->data) {
		json->len = json_len;
		json->data[json_len] = '\0';
	}
	if (md && md->data) {
		md->len = md_len;
		md->data[md_len] = '\0';
	}
out:
	ky_tz_free(tz);
	return r;
}
