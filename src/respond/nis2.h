/* NIS2 Art. 23 and CRA Art. 14 reporting: the legal stages of a report, their
 * deadlines in the entity's time zone (calendar months from the system tz
 * database, read without touching TZ), and the report document per stage. */
#ifndef KY_RESPOND_NIS2_H
#define KY_RESPOND_NIS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* ---- time zones --------------------------------------------------------- */

/* A zone loaded from the tz database (TZif file plus its POSIX footer rule).
 * Thread-safe to use once loaded; never reads or sets the TZ variable. */
struct ky_tz;

#define KY_TZ_NAME_MAX 64

/* Loads an IANA zone ("Europe/Berlin", "UTC") from $TZDIR or
 * /usr/share/zoneinfo.  Unknown or malformed names fail with KY_E_NOTFOUND /
 * KY_E_INVAL / KY_E_PARSE.  The caller frees *out with ky_tz_free. */
int ky_tz_load(const char *name, struct ky_tz **out, struct ky_err *err);
void ky_tz_free(struct ky_tz *tz);
/* The same from the bytes of a TZif file (name is used in messages). */
int ky_tz_parse(const void *data, size_t n, const char *name,
		struct ky_tz **out, struct ky_err *err);
/* Seconds east of UTC in force at t_ns (e.g. 7200 for CEST). */
int32_t ky_tz_offset(const struct ky_tz *tz, int64_t t_ns);
/* t_ns plus `months` calendar months at the same local wall-clock time; a day
 * past the end of the target month is clamped to its last day (31 Jan + 1 =
 * 28/29 Feb).  A wall time in a DST gap maps to the first instant after the
 * gap; an ambiguous one (DST end) to its first occurrence. */
int64_t ky_tz_add_months(const struct ky_tz *tz, int64_t t_ns, int months);

/* ---- stages and deadlines ----------------------------------------------- */

enum ky_regime {
	KY_REGIME_NIS2,		/* NIS2 Art. 23: significant incident */
	KY_REGIME_CRA_VULN,	/* CRA Art. 14(2): actively exploited vuln. */
	KY_REGIME_CRA_INCIDENT, /* CRA Art. 14(4): severe incident */
};

enum ky_stage {
	KY_STAGE_EARLY_WARNING,
	KY_STAGE_NOTIFICATION,
	KY_STAGE_INTERMEDIATE, /* on request of the CSIRT / authority */
	KY_STAGE_PROGRESS,     /* NIS2 Art. 23(4)(e): still ongoing */
	KY_STAGE_FINAL,
	KY_STAGE__COUNT
};

enum ky_stage_state {
	KY_SS_PENDING,
	KY_SS_DUE_SOON,
	KY_SS_OVERDUE,
	KY_SS_SUBMITTED,
	KY_SS_NOT_APPLICABLE,
};

/* "early-warning", "notification", "intermediate", "progress", "final". */
const char *ky_stage_name(enum ky_stage s);
/* Parses a stage name; 0 or KY_E_INVAL naming the text. */
int ky_stage_parse(const char *s, enum ky_stage *out, struct ky_err *err);
const char *ky_stage_state_name(enum ky_stage_state s);
/* "nis2", "cra-vulnerability", "cra-incident". */
const char *ky_regime_name(enum ky_regime r);

struct ky_stage_info {
	enum ky_stage stage;
	enum ky_stage_state state;
	bool due_known;	  /* false: waits for an event (fix, end of handling) */
	bool provisional; /* due assumes an earlier stage is sent at its own due
			   */
	bool late;	  /* submitted after due */
	int64_t due_ns;	  /* valid when due_known */
	int64_t submitted_ns; /* 0 if not submitted */
	const char *legal;    /* "NIS2 Art. 23(4)(a)" */
	const char
		*depends; /* what the due time is counted from, static text */
};

/* ---- the report input -----------------------------------------------------
 */

enum ky_tristate { KY_TRI_UNKNOWN, KY_TRI_NO, KY_TRI_YES };

struct ky_nis2_indicator {
	const char
		*type; /* "ipv4-addr", "domain-name", "file:hashes.SHA-256" */
	const char *value;
};

/* Everything a report is prefilled from.  Strings are borrowed (NULL or ""
 * means not known); times are ns since the epoch, 0 meaning not known. */
struct ky_nis2_input {
	enum ky_regime regime;
	const char *incident_id;
	const char *title;
	const char *entity_name;
	const char *sector;	  /* code of the sector table, e.g. "energy" */
	const char *subsector;	  /* e.g. "electricity" */
	const char *member_state; /* ISO 3166-1 alpha-2 of the entity, "DE" */
	const char *tz;		  /* IANA zone of the entity, "Europe/Berlin" */
	bool trust_service_provider; /* Art. 23(4) 2nd subpara.: 24 h notif. */

	int64_t detected_ns;
	int64_t aware_ns; /* starts every clock; required */
	int64_t started_ns;
	int64_t ended_ns;		   /* 0 while the incident is ongoing */
	int64_t fix_available_ns;	   /* CRA vuln.: corrective measure */
	int64_t intermediate_requested_ns; /* 0: no request received */
	int64_t intermediate_due_ns;	   /* set by the requester */
	int64_t submitted_ns[KY_STAGE__COUNT];
	int64_t report_time_ns; /* "as of" time of a report; 0: now */

	bool significant;
	enum ky_tristate malicious;
	bool cross_border;
	const char *const *cross_border_states; /* alpha-2 codes */
	size_t n_cross_border_states;

	const char *severity; /* free text or "high"/"medium"/"low" */
	const char *impact;
	int64_t affected_users;	  /* -1 unknown */
	int64_t affected_systems; /* -1 unknown */
	const struct ky_nis2_indicator *indicators;
	size_t n_indicators;
	const char *threat_type; /* type of threat, or root cause */
	const char *root_cause;
	const char *mitigations;   /* applied and ongoing, or corrective */
	const char *user_measures; /* CRA: what users can do */
	const char *product; /* CRA: product with digital elements, version */
	const char *tlp;     /* "TLP:AMBER+STRICT" */
	const char *rsit_class;
	const char *rsit_type;
	/* Fields the analyst marked as not known yet (field names as in the
	 * JSON report); they are listed as missing whenever a stage needs
	 * them, even if a value is present. */
	const char *const *unknown;
	size_t n_unknown;
};

/* Sets *in to the empty input: counts -1, everything else zero. */
void ky_nis2_input_init(struct ky_nis2_input *in);

/* Computes every stage of in->regime (KY_STAGE__COUNT entries, indexed by
 * stage; inapplicable ones have state KY_SS_NOT_APPLICABLE) and their state
 * at now_ns: overdue when now > due, due-soon when due - window <= now <=
 * due, submitted when submitted_ns is set.  Fails with KY_E_INVAL (no
 * awareness time) or the time zone's error. */
int ky_deadlines_compute(const struct ky_nis2_input *in, int64_t now_ns,
			 int64_t window_ns,
			 struct ky_stage_info out[KY_STAGE__COUNT],
			 struct ky_err *err);

/* Copies the due-soon and overdue stages of `in` at now_ns into out (up to
 * cap) and sets *n to how many there are (possibly more than cap). */
int ky_deadlines_due(const struct ky_nis2_input *in, int64_t now_ns,
		     int64_t window_ns, struct ky_stage_info *out, size_t cap,
		     size_t *n, struct ky_err *err);

/* ---- sectors (NIS2 Annex I and II) ----------------------------------------
 */

struct ky_nis2_sector {
	const char *code;   /* taxonomy code (MISP nis2 machinetag) */
	const char *name;   /* as in the Annex */
	const char *parent; /* sector code of a subsector, NULL for a sector */
	int annex;	    /* 1 (Annex I) or 2 (Annex II) */
};

/* True for the ISO 3166-1 alpha-2 code of an EU member state as the EU
 * writes it (EL for Greece). */
bool ky_nis2_member_state(const char *code);

/* The table, terminated by an entry with code NULL. */
const struct ky_nis2_sector *ky_nis2_sectors(void);
const struct ky_nis2_sector *ky_nis2_sector_find(const char *code);

/* ---- the report ------------------------------------------------------------
 */

/* Appends the report of `stage` as a JSON object to json and as a Markdown
 * document to md (either may be NULL).  Fails with KY_E_INVAL when the stage
 * does not apply to the regime or the input (intermediate without a
 * request, progress once the incident ended in time), with an unknown
 * sector or subsector, or with the time zone's error.  The JSON fields are
 * documented in docs/reporting.md. */
int ky_nis2_report(const struct ky_nis2_input *in, enum ky_stage stage,
		   struct ky_buf *json, struct ky_buf *md, struct ky_err *err);

#endif
