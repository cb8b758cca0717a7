/* Classification and scoring of incidents: the RSIT
 * vocabulary with a severity weight per type, the ATT&CK tactic and
 * technique mappings onto it, TLP 2.0 and PAP names, and the severity
 * formula.  docs/incidents.md explains every choice. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/time.h"
#include "intel/incident_int.h"

struct rsit_type {
	const char *cls, *type;
	int weight; /* ranks proposals: the more harmful type wins */
};

/* The RSIT machinetag (taxonomies/rsit, version 1003), in its order. */
static const struct rsit_type vocab[] = {
	{"abusive-content", "spam", 5},
	{"abusive-content", "harmful-speech", 10},
	{"abusive-content", "violence", 15},
	{"malicious-code", "infected-system", 75},
	{"malicious-code", "c2-server", 70},
	{"malicious-code", "malware-distribution", 60},
	{"malicious-code", "malware-configuration", 50},
	{"information-gathering", "scanner", 20},
	{"information-gathering", "sniffing", 30},
	{"information-gathering", "social-engineering", 25},
	{"intrusion-attempts", "ids-alert", 35},
	{"intrusion-attempts", "brute-force", 40},
	{"intrusion-attempts", "exploit", 45},
	{"intrusions", "privileged-account-compromise", 85},
	{"intrusions", "unprivileged-account-compromise", 70},
	{"intrusions", "application-compromise", 75},
	{"intrusions", "system-compromise", 80},
	{"intrusions", "burglary", 60},
	{"availability", "dos", 55},
	{"availability", "ddos", 60},
	{"availability", "misconfiguration", 20},
	{"availability", "sabotage", 90},
	{"availability", "outage", 50},
	{"information-content-security", "unauthorised-information-access", 65},
	{"information-content-security",
	 "unauthorised-information-modification", 70},
	{"information-content-security", "data-loss", 60},
	{"information-content-security", "data-leak", 85},
	{"fraud", "unauthorised-use-of-resources", 40},
	{"fraud", "copyright", 10},
	{"fraud", "masquerade", 45},
	{"fraud", "phishing", 45},
	{"vulnerable", "weak-crypto", 10},
	{"vulnerable", "ddos-amplifier", 15},
	{"vulnerable", "potentially-unwanted-accessible", 15},
	{"vulnerable", "information-disclosure", 20},
	{"vulnerable", "vulnerable-system", 25},
	{"other", "other", 5},
	{"other", "undetermined", 1},
	{"test", "test", 0},
};
#define NVOCAB (sizeof(vocab) / sizeof(vocab[0]))

static const char *const classes[] = {
	"abusive-content",
	"malicious-code",
	"information-gathering",
	"intrusion-attempts",
	"intrusions",
	"availability",
	"information-content-security",
	"fraud",
	"vulnerable",
	"other",
	"test",
};

/* Short names for the mapping tables. */
#define IG_SCAN "information-gathering", "scanner"
#define IG_SNIFF "information-gathering", "sniffing"
#define IA_EXPLOIT "intrusion-attempts", "exploit"
#define IA_BRUTE "intrusion-attempts", "brute-force"
#define IN_SYS "intrusions", "system-compromise"
#define IN_PRIV "intrusions", "privileged-account-compromise"
#define IN_UNPRIV "intrusions", "unprivileged-account-compromise"
#define IN_APP "intrusions", "application-compromise"
#define MC_INF "malicious-code", "infected-system"
#define MC_DIST "malicious-code", "malware-distribution"
#define ICS_ACCESS                                                             \
	"information-content-security", "unauthorised-information-access"
#define ICS_MOD                                                                \
	"information-content-security", "unauthorised-information-"            \
					"modification"
#define ICS_LEAK "information-content-security", "data-leak"
#define AV_SAB "availability", "sabotage"
#define FR_PHISH "fraud", "phishing"

struct attack_map {
	const char *tag; /* lower case, as Sigma writes it */
	const char *cls, *type;
};

/* Every ATT&CK Enterprise tactic (v18 names stealth and
 * defense-impairment, and the older defense-evasion) and the two ICS
 * tactics that have no Enterprise equivalent. */
static const struct attack_map tactics[] = {
	{"attack.reconnaissance", IG_SCAN},
	{"attack.resource-development", "other", "undetermined"},
	{"attack.initial-access", IA_EXPLOIT},
	{"attack.execution", IN_SYS},
	{"attack.persistence", IN_SYS},
	{"attack.privilege-escalation", IN_PRIV},
	{"attack.defense-evasion", IN_SYS},
	{"attack.stealth", IN_SYS},
	{"attack.defense-impairment", IN_SYS},
	{"attack.credential-access", IN_SYS},
	{"attack.discovery", IG_SCAN},
	{"attack.lateral-movement", IN_SYS},
	{"attack.collection", ICS_ACCESS},
	{"attack.command-and-control", MC_INF},
	{"attack.exfiltration", ICS_LEAK},
	{"attack.impact", AV_SAB},
	{"attack.inhibit-response-function", AV_SAB},
	{"attack.impair-process-control", AV_SAB},
};
#define NTACTICS (sizeof(tactics) / sizeof(tactics[0]))

/* The techniques most used by the SigmaHQ rules, and those whose meaning
 * differs from their tactic's.  Sub-techniques fall back to these. */
static const struct attack_map techniques[] = {
	{"attack.t1595", IG_SCAN},    /* active scanning */
	{"attack.t1046", IG_SCAN},    /* network service discovery */
	{"attack.t1018", IG_SCAN},    /* remote system discovery */
	{"attack.t1040", IG_SNIFF},   /* network sniffing */
	{"attack.t1557", IG_SNIFF},   /* adversary-in-the-middle */
	{"attack.t1598", FR_PHISH},   /* phishing for information */
	{"attack.t1566", FR_PHISH},   /* phishing */
	{"attack.t1190", IA_EXPLOIT}, /* exploit public-facing application */
	{"attack.t1203", IA_EXPLOIT}, /* exploitation for client execution */
	{"attack.t1210", IA_EXPLOIT}, /* exploitation of remote services */
	{"attack.t1110", IA_BRUTE},   /* brute force */
	{"attack.t1068", IN_PRIV},   /* exploitation for privilege escalation */
	{"attack.t1003", IN_PRIV},   /* OS credential dumping */
	{"attack.t1558", IN_PRIV},   /* steal or forge Kerberos tickets */
	{"attack.t1098", IN_PRIV},   /* account manipulation */
	{"attack.t1136", IN_PRIV},   /* create account */
	{"attack.t1548", IN_PRIV},   /* abuse elevation control mechanism */
	{"attack.t1078", IN_UNPRIV}, /* valid accounts */
	{"attack.t1133", IN_UNPRIV}, /* external remote services */
	{"attack.t1552", ICS_ACCESS}, /* unsecured credentials */
	{"attack.t1555", ICS_ACCESS}, /* credentials from password stores */
	{"attack.t1005", ICS_ACCESS}, /* data from local system */
	{"attack.t1114", ICS_ACCESS}, /* email collection */
	{"attack.t1560", ICS_ACCESS}, /* archive collected data */
	{"attack.t1059", IN_SYS},     /* command and scripting interpreter */
	{"attack.t1047", IN_SYS},     /* WMI */
	{"attack.t1053", IN_SYS},     /* scheduled task/job */
	{"attack.t1543", IN_SYS},     /* create or modify system process */
	{"attack.t1547", IN_SYS},     /* boot or logon autostart execution */
	{"attack.t1574", IN_SYS},     /* hijack execution flow */
	{"attack.t1569", IN_SYS},     /* system services */
	{"attack.t1218", IN_SYS},     /* system binary proxy execution */
	{"attack.t1202", IN_SYS},     /* indirect command execution */
	{"attack.t1127", IN_SYS},     /* trusted developer utilities */
	{"attack.t1197", IN_SYS},     /* BITS jobs */
	{"attack.t1112", IN_SYS},     /* modify registry */
	{"attack.t1070", IN_SYS},     /* indicator removal */
	{"attack.t1564", IN_SYS},     /* hide artifacts */
	{"attack.t1562", IN_SYS},     /* impair defenses */
	{"attack.t1685", IN_SYS},     /* disable or modify tools (v18) */
	{"attack.t1686", IN_SYS},     /* disable or modify firewall (v18) */
	{"attack.t1021", IN_SYS},     /* remote services */
	{"attack.t1219", IN_SYS},     /* remote access software */
	{"attack.t1505", IN_APP},   /* server software component (web shell) */
	{"attack.t1195", IN_APP},   /* supply chain compromise */
	{"attack.t1055", MC_INF},   /* process injection */
	{"attack.t1204", MC_INF},   /* user execution */
	{"attack.t1027", MC_INF},   /* obfuscated files or information */
	{"attack.t1140", MC_INF},   /* deobfuscate/decode */
	{"attack.t1036", MC_INF},   /* masquerading (of files) */
	{"attack.t1105", MC_INF},   /* ingress tool transfer */
	{"attack.t1071", MC_INF},   /* application layer protocol */
	{"attack.t1090", MC_INF},   /* proxy */
	{"attack.t1572", MC_INF},   /* protocol tunneling */
	{"attack.t1189", MC_DIST},  /* drive-by compromise */
	{"attack.t1041", ICS_LEAK}, /* exfiltration over C2 channel */
	{"attack.t1048", ICS_LEAK}, /* exfiltration over other protocol */
	{"attack.t1567", ICS_LEAK}, /* exfiltration over web service */
	{"attack.t1565", ICS_MOD},  /* data manipulation */
	{"attack.t1491", ICS_MOD},  /* defacement */
	{"attack.t1486", AV_SAB},   /* data encrypted for impact */
	{"attack.t1490", AV_SAB},   /* inhibit system recovery */
	{"attack.t1485", AV_SAB},   /* data destruction */
	{"attack.t1489", AV_SAB},   /* service stop */
	{"attack.t1498", "availability", "ddos"}, /* network DoS */
	{"attack.t1499", "availability", "dos"},  /* endpoint DoS */
	{"attack.t1496", "fraud", "unauthorised-use-of-resources"},
};
#define NTECHNIQUES (sizeof(techniques) / sizeof(techniques[0]))

bool ky_rsit_pair(size_t i, const char **cls, const char **type)
{
	if (i >= NVOCAB)
		return false;
	*cls = vocab[i].cls;
	*type = vocab[i].type;
	return true;
}

static const struct rsit_type *find(const char *cls, size_t clen,
				    const char *type, size_t tlen)
{
	for (size_t i = 0; i < NVOCAB; i++) {
		const struct rsit_type *v = &vocab[i];

		if (strlen(v->cls) == clen &&
		    strncasecmp(v->cls, cls, clen) == 0 &&
		    strlen(v->type) == tlen &&
		    strncasecmp(v->type, type, tlen) == 0)
			return v;
	}
	return NULL;
}

bool ky_rsit_valid(const char *cls, const char *type)
{
	if (cls == NULL)
		return false;
	if (type == NULL)
		return ky_rsit_class_index(cls) >= 0;
	return find(cls, strlen(cls), type, strlen(type)) != NULL;
}

int ky_rsit_class_index(const char *cls)
{
	for (size_t i = 0; cls && i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcasecmp(classes[i], cls) == 0)
			return (int)i;
	return -1;
}

const char *ky_rsit_source_name(enum ky_rsit_source s)
{
	static const char *const n[] = {"default", "tactic", "technique",
					"rule", "analyst"};

	return (unsigned)s < 5 ? n[s] : "default";
}

bool ky_rsit_attack_entry(size_t i, const char **attack, const char **cls,
			  const char **type)
{
	const struct attack_map *m;

	if (i < NTACTICS)
		m = &tactics[i];
	else if (i < NTACTICS + NTECHNIQUES)
		m = &techniques[i - NTACTICS];
	else
		return false;
	*attack = m->tag;
	*cls = m->cls;
	*type = m->type;
	return true;
}

static void set(struct ky_rsit_class *out, const struct rsit_type *v,
		enum ky_rsit_source src, const char *tag)
{
	out->cls = v->cls;
	out->type = v->type;
	out->source = src;
	out->tag = tag;
	out->weight = v->weight;
}

/* "rsit.<class>.<type>" or the machinetag form rsit:<class>="<type>". */
static const struct rsit_type *rule_tag(const char *t)
{
	const char *c, *sep, *ty, *end;

	if (strncasecmp(t, "rsit", 4) != 0 || (t[4] != '.' && t[4] != ':'))
		return NULL;
	c = t + 5;
	if (t[4] == '.') {
		sep = strchr(c, '.');
		if (sep == NULL)
			return NULL;
		ty = sep + 1;
		end = ty + strlen(ty);
	} else {
		sep = strchr(c, '=');
		if (sep == NULL || sep[1] != '"')
			return NULL;
		ty = sep + 2;
		end = strchr(ty, '"');
		if (end == NULL || end[1] != '\0')
			return NULL;
	}
	return find(c, (size_t)(sep - c), ty, (size_t)(end - ty));
}

static const struct attack_map *lookup(const struct attack_map *tab, size_t n,
				       const char *t, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].tag) == len &&
		    strncasecmp(tab[i].tag, t, len) == 0)
			return &tab[i];
	return NULL;
}

static const struct attack_map *technique(const char *t)
{
	const struct attack_map *m;
	const char *dot;
	size_t len = strlen(t);

	if ((m = lookup(techniques, NTECHNIQUES, t, len)) != NULL)
		return m;
	/* attack.t1110.001 -> attack.t1110 */
	dot = strrchr(t, '.');
	if (dot && dot - t > 7 && (t[7] == 't' || t[7] == 'T'))
		return lookup(techniques, NTECHNIQUES, t, (size_t)(dot - t));
	return NULL;
}

void ky_rsit_from_tags(const char *const *tags, size_t ntags,
		       struct ky_rsit_class *out)
{
	struct ky_rsit_class best, c;
	const struct rsit_type *v;
	const struct attack_map *m;

	set(&best, find("other", 5, "undetermined", 12), KY_RSIT_SRC_DEFAULT,
	    NULL);
	for (size_t i = 0; i < ntags; i++) {
		const char *t = tags[i];
		enum ky_rsit_source src = KY_RSIT_SRC_TACTIC;

		if (t == NULL)
			continue;
		if ((v = rule_tag(t)) != NULL) {
			set(&c, v, KY_RSIT_SRC_RULE, NULL);
		} else if (strncasecmp(t, "attack.", 7) != 0) {
			continue;
		} else {
			m = technique(t);
			if (m)
				src = KY_RSIT_SRC_TECHNIQUE;
			else
				m = lookup(tactics, NTACTICS, t, strlen(t));
			if (m == NULL)
				continue;
			v = find(m->cls, strlen(m->cls), m->type,
				 strlen(m->type));
			set(&c, v, src, m->tag);
		}
		/* within one rule the more specific source wins outright */
		if (c.source > best.source ||
		    (c.source == best.source && c.weight > best.weight))
			best = c;
	}
	*out = best;
}

bool ky_rsit_better(const struct ky_rsit_class *a,
		    const struct ky_rsit_class *b)
{
	bool ra = a->source >= KY_RSIT_SRC_RULE,
	     rb = b->source >= KY_RSIT_SRC_RULE;

	if (b->source == KY_RSIT_SRC_ANALYST)
		return false;
	if (a->source == KY_RSIT_SRC_ANALYST)
		return true;
	if (ra != rb)
		return ra;
	if (a->source == KY_RSIT_SRC_DEFAULT ||
	    b->source == KY_RSIT_SRC_DEFAULT)
		return b->source == KY_RSIT_SRC_DEFAULT &&
		       a->source != KY_RSIT_SRC_DEFAULT;
	return a->weight > b->weight;
}

/* ---- markings ---- */

static const char *const tlp_names[] = {"clear", "green", "amber",
					"amber+strict", "red"};
static const char *const pap_names[] = {"clear", "green", "amber", "red"};

const char *ky_tlp_name(enum ky_tlp t)
{
	return (unsigned)t < 5 ? tlp_names[t] : "unset";
}

const char *ky_pap_name(enum ky_pap p)
{
	return (unsigned)p < 4 ? pap_names[p] : "unset";
}

static int parse_name(const char *s, const char *prefix,
		      const char *const *names, int n)
{
	size_t pl = strlen(prefix);

	if (s == NULL)
		return -1;
	if (strncasecmp(s, prefix, pl) == 0)
		s += pl;
	for (int i = 0; i < n; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	/* TLP 1.0 "white" is TLP 2.0 "clear" (FIRST TLP 2.0, section 3) */
	if (strcasecmp(s, "white") == 0)
		return 0;
	return -1;
}

int ky_tlp_parse(const char *s)
{
	return parse_name(s, "tlp:", tlp_names, 5);
}

int ky_pap_parse(const char *s)
{
	return parse_name(s, "pap:", pap_names, 4);
}

/* ---- severity ---- */

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int ky_severity_score(int level, int criticality, int confidence, size_t hosts)
{
	static const int base[] = {10, 25, 45, 65, 80};
	int spread, s;

	level = clamp(level, 0, 4);
	criticality = clamp(criticality, 1, 5);
	confidence = clamp(confidence, 0, 100);
	spread = hosts > 4 ? 10 : hosts > 1 ? 3 * (int)(hosts - 1) : 0;
	s = base[level] + 5 * (criticality - 3) + (confidence + 5) / 10 +
	    spread;
	return clamp(s, 0, 100);
}

enum ky_sev_band ky_severity_band(int score)
{
	if (score >= 80)
		return KY_SEV_CRITICAL;
	if (score >= 60)
		return KY_SEV_HIGH;
	if (score >= 40)
		return KY_SEV_MEDIUM;
	return KY_SEV_LOW;
}

const char *ky_sev_band_name(enum ky_sev_band b)
{
	static const char *const n[] = {"low", "medium", "high", "critical"};

	return (unsigned)b < 4 ? n[b] : "low";
}

/* ---- an incident's class and markings ---- */

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* ---- derived state: severity, class, markings ---- */

void ky__inc_derive_class(struct ky_incident *inc)
{
	struct ky_rsit_class best;

	if (inc->rsit.source == KY_RSIT_SRC_ANALYST)
		return;
	ky_rsit_from_tags(NULL, 0, &best);
	for (size_t i = 0; i < inc->rules.n; i++)
		if (ky_rsit_better(&inc->rev[i].prop, &best))
			best = inc->rev[i].prop;
	inc->rsit = best;
}

void ky__inc_apply_policy(struct ky_incident *inc,
			  const struct ky_incident_config *cfg)
{
	enum ky_sev_band band;
	int ci;

	inc->score = ky_severity_score(inc->level_max, inc->crit, inc->conf_max,
				       inc->hosts.n);
	if (cfg == NULL)
		return;
	band = ky_severity_band(inc->score);
	ci = ky_rsit_class_index(inc->rsit.cls);
	if (!inc->tlp_manual)
		inc->tlp = ci >= 0 && ci < 16 &&
					   cfg->tlp_by_class[ci] != KY_TLP_UNSET
				   ? cfg->tlp_by_class[ci]
				   : cfg->tlp_by_band[band];
	if (!inc->pap_manual)
		inc->pap = ci >= 0 && ci < 16 &&
					   cfg->pap_by_class[ci] != KY_PAP_UNSET
				   ? cfg->pap_by_class[ci]
				   : cfg->pap_by_band[band];
}

/* ---- analyst overrides ---- */

int ky_incident_classify(struct ky_incident *inc, const char *cls,
			 const char *type, const char *who, int64_t when_ns,
			 const char *why, struct ky_err *err)
{
	char from[160], to[160];
	struct ky_rsit_class c;
	int r;

	if ((r = ky__inc_check_actor(inc, who, when_ns, err)) != 0)
		return r;
	if (cls && !ky_rsit_valid(cls, type))
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64
				  ": '%s/%s' is not an RSIT class/type",
				  inc->id, cls, type ? type : "");
	snprintf(from, sizeof(from), "%s/%s", inc->rsit.cls, inc->rsit.type);
	c = inc->rsit;
	if (cls) {
		for (size_t i = 0; ky_rsit_pair(i, &c.cls, &c.type); i++)
			if (strcasecmp(c.cls, cls) == 0 &&
			    strcasecmp(c.type, type) == 0)
				break;
		c.source = KY_RSIT_SRC_ANALYST;
		c.tag = NULL;
	} else {
		c.source = KY_RSIT_SRC_DEFAULT;
	}
	inc->rsit = c;
	ky__inc_derive_class(inc);
	snprintf(to, sizeof(to), "%s/%s", inc->rsit.cls, inc->rsit.type);
	if (ky__inc_hist_add(inc, "classification", from, to, who, when_ns,
			     nz(why)))
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

int ky_incident_set_tlp(struct ky_incident *inc, enum ky_tlp tlp,
			const char *who, int64_t when_ns, const char *why,
			struct ky_err *err)
{
	int r;

	if ((r = ky__inc_check_actor(inc, who, when_ns, err)) != 0)
		return r;
	if ((unsigned)tlp > KY_TLP_UNSET)
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64 ": bad TLP %d", inc->id,
				  (int)tlp);
	if (ky__inc_hist_add(inc, "tlp", ky_tlp_name(inc->tlp),
			     ky_tlp_name(tlp), who, when_ns, nz(why)))
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	inc->tlp_manual = tlp != KY_TLP_UNSET;
	if (inc->tlp_manual)
		inc->tlp = tlp;
	return 0;
}

int ky_incident_set_pap(struct ky_incident *inc, enum ky_pap pap,
			const char *who, int64_t when_ns, const char *why,
			struct ky_err *err)
{
	int r;

	if ((r = ky__inc_check_actor(inc, who, when_ns, err)) != 0)
		return r;
	if ((unsigned)pap > KY_PAP_UNSET)
		return ky_err_set(err, KY_E_INVAL,
				  "incident %" PRId64 ": bad PAP %d", inc->id,
				  (int)pap);
	if (ky__inc_hist_add(inc, "pap", ky_pap_name(inc->pap),
			     ky_pap_name(pap), who, when_ns, nz(why)))
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	inc->pap_manual = pap != KY_PAP_UNSET;
	if (inc->pap_manual)
		inc->pap = pap;
	return 0;
}

/* Grouping and policy defaults (docs/incidents.md, "Configuration"). */
void ky_incident_config_default(struct ky_incident_config *cfg)
{
	static const enum ky_tlp tlp[4] = {KY_TLP_GREEN, KY_TLP_AMBER,
					   KY_TLP_AMBER, KY_TLP_AMBER_STRICT};
	static const enum ky_pap pap[4] = {KY_PAP_GREEN, KY_PAP_AMBER,
					   KY_PAP_AMBER, KY_PAP_RED};

	memset(cfg, 0, sizeof(*cfg));
	cfg->keys = KY_INCIDENT_KEY_RULE | KY_INCIDENT_KEY_HOST;
	cfg->window_ns = 3600 * KY_NS_PER_SEC;
	cfg->dedup_ns = 60 * KY_NS_PER_SEC;
	cfg->max_alert_ids = 100000;
	cfg->max_distinct = 1024;
	cfg->max_incidents = 100000;
	cfg->default_criticality = 3;
	memcpy(cfg->tlp_by_band, tlp, sizeof(tlp));
	memcpy(cfg->pap_by_band, pap, sizeof(pap));
	for (int i = 0; i < 16; i++) {
		cfg->tlp_by_class[i] = KY_TLP_UNSET;
		cfg->pap_by_class[i] = KY_PAP_UNSET;
	}
}
