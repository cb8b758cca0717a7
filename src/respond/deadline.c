/* Reporting deadlines of NIS2 Art. 23(4) and CRA Art. 14(2)/(4), and the
 * small TZif reader they need: calendar months are counted in the entity's
 * zone without setenv("TZ"), which would race with every other thread. */
#include "respond/nis2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"

#define TZ_FILE_MAX (256 * 1024)
#define TZ_TRANS_MAX 4096
#define TZ_TYPES_MAX 256
#define DAY_S 86400LL
#define HOUR_NS (3600LL * KY_NS_PER_SEC)
/* 2200-01-01T00:00:00Z: int64 ns end in 2262; this keeps sums safe. */
#define TIME_MAX_NS (7258118400LL * KY_NS_PER_SEC)

/* A POSIX TZ rule date: Jn (julian, no Feb 29), n (0-based, with Feb 29)
 * or Mm.w.d. */
struct tz_date {
	char kind; /* 'J', 'N', 'M' */
	int n, m, w, d;
	int32_t secs; /* local time of day of the change */
};

struct ky_tz {
	size_t n_trans, n_types;
	int64_t *trans; /* seconds, ascending */
	uint8_t *idx;
	int32_t utoff[TZ_TYPES_MAX];
	uint8_t isdst[TZ_TYPES_MAX];
	bool has_rule, rule_dst;
	int32_t std_off, dst_off; /* seconds east of UTC */
	struct tz_date start, end;
};

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe =
		(doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[12] = {31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- POSIX TZ footer ---------------------------------------------------- */

static const char *posix_name(const char *p)
{
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p == '>' ? p + 1 : NULL;
	}
	const char *s = p;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 extension). */
static const char *posix_hms(const char *p, int32_t *out)
{
	int sign = 1, part[3] = {0, 0, 0}, i;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return NULL;
		int v = 0, digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 3) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		part[i] = v;
		if (*p != ':')
			break;
		p++;
	}
	if (part[0] > 167 || part[1] > 59 || part[2] > 59)
		return NULL;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return p;
}

static const char *posix_num(const char *p, int *out, int lo, int hi)
{
	int v = 0, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 4) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

static const char *posix_date(const char *p, struct tz_date *dt)
{
	memset(dt, 0, sizeof(*dt));
	if (*p == 'M') {
		dt->kind = 'M';
		if ((p = posix_num(p + 1, &dt->m, 1, 12)) == NULL || *p != '.')
			return NULL;
		if ((p = posix_num(p + 1, &dt->w, 1, 5)) == NULL || *p != '.')
			return NULL;
		if ((p = posix_num(p + 1, &dt->d, 0, 6)) == NULL)
			return NULL;
	} else if (*p == 'J') {
		dt->kind = 'J';
		if ((p = posix_num(p + 1, &dt->n, 1, 365)) == NULL)
			return NULL;
	} else {
		dt->kind = 'N';
		if ((p = posix_num(p, &dt->n, 0, 365)) == NULL)
			return NULL;
	}
	dt->secs = 7200;
	if (*p == '/' && (p = posix_hms(p + 1, &dt->secs)) == NULL)
		return NULL;
	return p;
}

/* A UTC offset as TZif bounds them (POSIX allows 0-24 h for the offset;
 * the 167 h of RFC 8536 is for transition times only). */
static bool offset_ok(int32_t off)
{
	return off >= -26 * 3600 && off <= 26 * 3600;
}

/* Parses "CET-1CEST,M3.5.0,M10.5.0/3".  A zone without DST ("<+03>-3")
 * gives a fixed offset; DST without a rule is left to the transitions. */
static bool posix_parse(const char *p, struct ky_tz *tz)
{
	int32_t off;

	if ((p = posix_name(p)) == NULL || (p = posix_hms(p, &off)) == NULL)
		return false;
	tz->std_off = -off;
	tz->dst_off = tz->std_off;
	if (!offset_ok(tz->std_off))
		return false;
	if (*p == '\0') {
		tz->has_rule = true;
		return true;
	}
	if ((p = posix_name(p)) == NULL)
		return false;
	tz->dst_off = tz->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = posix_hms(p, &off)) == NULL)
			return false;
		tz->dst_off = -off;
	}
	if (*p != ',')
		return false;
	if ((p = posix_date(p + 1, &tz->start)) == NULL || *p != ',')
		return false;
	if ((p = posix_date(p + 1, &tz->end)) == NULL || *p != '\0')
		return false;
	tz->has_rule = tz->rule_dst = true;
	return offset_ok(tz->std_off) && offset_ok(tz->dst_off);
}

/* Day number (since the epoch) of a rule date in year y. */
static int64_t rule_day(const struct tz_date *dt, int64_t y)
{
	int64_t jan1 = ky_days_from_civil(y, 1, 1);

	if (dt->kind == 'J')
		return jan1 + dt->n - 1 + (is_leap(y) && dt->n >= 60);
	if (dt->kind == 'N')
		return jan1 + dt->n;
	int64_t first = ky_days_from_civil(y, (unsigned)dt->m, 1);
	int dow = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01: Thursday */
	int day = 1 + (dt->d - dow + 7) % 7 + (dt->w - 1) * 7;
	while (day > (int)days_in_month(y, (unsigned)dt->m))
		day -= 7;
	return first + day - 1;
}

static int32_t rule_offset(const struct ky_tz *tz, int64_t t)
{
	if (!tz->rule_dst)
		return tz->std_off;
	int64_t y;
	unsigned m, d;
	civil_from_days(floor_div(t + tz->std_off, DAY_S), &y, &m, &d);
	int64_t s =
		rule_day(&tz->start, y) * DAY_S + tz->start.secs - tz->std_off;
	int64_t e = rule_day(&tz->end, y) * DAY_S + tz->end.secs - tz->dst_off;
	bool dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
	return dst ? tz->dst_off : tz->std_off;
}

/* ---- TZif ---------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parses the TZif data of `name` (RFC 8536): the 64-bit block when the
 * file has one, then the footer rule for times past the last transition. */
static int tzif_parse(const unsigned char *b, size_t n, const char *name,
		      struct ky_tz *tz, struct ky_err *err)
{
	size_t off = 0, i, tsize = 4;
	uint32_t c[6];

	for (int pass = 0; pass < 2; pass++) {
		if (n - off < 44 || memcmp(b + off, "TZif", 4) != 0)
			return ky_err_set(err, KY_E_PARSE,
					  "zone %s: offset %zu: no TZif header",
					  name, off);
		char version = (char)b[off + 4];
		for (i = 0; i < 6; i++)
			c[i] = be32(b + off + 20 + 4 * i);
		/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
		if (c[3] > TZ_TRANS_MAX || c[4] == 0 || c[4] > TZ_TYPES_MAX)
			return ky_err_set(err, KY_E_PARSE,
					  "zone %s: %u transitions, %u types",
					  name, c[3], c[4]);
		size_t body = c[3] * tsize + c[3] + c[4] * 6 + c[5] +
			      c[2] * (tsize + 4) + c[1] + c[0];
		off += 44;
		if (n - off < body)
			return ky_err_set(err, KY_E_PARSE,
					  "zone %s: offset %zu: truncated",
					  name, off);
		if (pass == 0 && version >= '2') {
			off += body;
			tsize = 8;
			continue;
		}
		const unsigned char *p = b + off;
		tz->n_trans = c[3];
		tz->n_types = c[4];
		tz->trans = calloc(c[3] + 1, sizeof(*tz->trans));
		tz->idx = calloc(c[3] + 1, 1);
		if (tz->trans == NULL || tz->idx == NULL)
			return ky_err_set(err, KY_E_NOMEM, "zone %s", name);
		for (i = 0; i < c[3]; i++, p += tsize)
			tz->trans[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
		for (i = 0; i < c[3]; i++, p++) {
			if (*p >= c[4])
				return ky_err_set(err, KY_E_PARSE,
						  "zone %s: bad type index",
						  name);
			tz->idx[i] = *p;
		}
		for (i = 0; i < c[4]; i++, p += 6) {
			tz->utoff[i] = (int32_t)be32(p);
			tz->isdst[i] = p[4];
			if (tz->utoff[i] < -26 * 3600 ||
			    tz->utoff[i] > 26 * 3600)
				return ky_err_set(err, KY_E_PARSE,
						  "zone %s: bad offset", name);
		}
		off += body;
		break;
	}
	/* Footer: "\n<POSIX TZ>\n" (version 2 and later). */
	if (tsize == 8 && off < n && b[off] == '\n') {
		char rule[128];
		size_t j = off + 1, k = 0;
		while (j < n && b[j] != '\n' && k + 1 < sizeof(rule))
			rule[k++] = (char)b[j++];
		rule[k] = '\0';
		if (k > 0 && !posix_parse(rule, tz))
			return ky_err_set(err, KY_E_PARSE,
					  "zone %s: bad footer rule \"%s\"",
					  name, rule);
	}
	return 0;
}

static bool zone_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= KY_TZ_NAME_MAX || name[0] == '/' || name[0] == '.')
		return false;
	if (strstr(name, "..") != NULL || strstr(name, "//") != NULL)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		      *p == '-' || *p == '+'))
			return false;
	return true;
}

int ky_tz_load(const char *name, struct ky_tz **out, struct ky_err *err)
{
	const char *dir = getenv("TZDIR");
	unsigned char *data = NULL;
	struct ky_tz *tz = NULL;
	char path[512];
	FILE *f = NULL;
	size_t n;
	int r = 0;

	*out = NULL;
	if (name == NULL || !zone_name_ok(name)) {
		r = ky_err_set(err, KY_E_INVAL,
			       "time zone \"%s\": not an IANA zone name",
			       name ? name : "(null)");
		goto out;
	}
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		r = ky_err_set(err, KY_E_INVAL, "time zone %s: path too long",
			       name);
		goto out;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		r = ky_err_set(err, KY_E_NOTFOUND,
			       "time zone \"%s\": unknown (%s: %s)", name, path,
			       strerror(errno));
		goto out;
	}
	if ((data = malloc(TZ_FILE_MAX)) == NULL ||
	    (tz = calloc(1, sizeof(*tz))) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "time zone %s", name);
		goto out;
	}
	n = fread(data, 1, TZ_FILE_MAX, f);
	if (n == TZ_FILE_MAX || ferror(f)) {
		r = ky_err_set(err, KY_E_PARSE,
			       "time zone %s: %s is not a TZif file", name,
			       path);
		goto out;
	}
	if ((r = tzif_parse(data, n, name, tz, err)) != 0)
		goto out;
	*out = tz;
	tz = NULL; /* transferred */
out:
	if (f != NULL)
		fclose(f);
	free(data);
	ky_tz_free(tz);
	return r;
}

int ky_tz_parse(const void *data, size_t n, const char *name,
		struct ky_tz **out, struct ky_err *err)
{
	struct ky_tz *tz = calloc(1, sizeof(*tz));
	int r;

	*out = NULL;
	if (tz == NULL)
		return ky_err_set(err, KY_E_NOMEM, "time zone %s", name);
	if (n >= TZ_FILE_MAX)
		r = ky_err_set(err, KY_E_PARSE, "time zone %s: too large",
			       name);
	else
		r = tzif_parse(data, n, name, tz, err);
	if (r != 0)
		ky_tz_free(tz);
	else
		*out = tz;
	return r;
}

void ky_tz_free(struct ky_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->trans);
	free(tz->idx);
	free(tz);
}

static int32_t offset_s(const struct ky_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n_trans;

	if (tz->n_trans == 0 || t < tz->trans[0]) {
		if (tz->n_trans == 0 && tz->has_rule)
			return rule_offset(tz, t);
		/* Before the first transition: the first standard type. */
		for (size_t i = 0; i < tz->n_types; i++)
			if (!tz->isdst[i])
				return tz->utoff[i];
		return tz->utoff[0];
	}
	if (t >= tz->trans[tz->n_trans - 1] && tz->has_rule)
		return rule_offset(tz, t);
	while (hi - lo > 1) { /* last transition <= t */
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->utoff[tz->idx[lo]];
}

int32_t ky_tz_offset(const struct ky_tz *tz, int64_t t_ns)
{
	return offset_s(tz, floor_div(t_ns, KY_NS_PER_SEC));
}

/* First instant whose local wall-clock time is >= wall (seconds of local
 * time since the epoch): the earlier of two occurrences at the end of DST,
 * the end of the gap at its start. */
static int64_t local_to_utc(const struct ky_tz *tz, int64_t wall)
{
	int32_t ob = offset_s(tz, wall - DAY_S),
		oa = offset_s(tz, wall + DAY_S);
	int64_t tb = wall - ob, ta = wall - oa, best = INT64_MAX;

	if (offset_s(tz, tb) == ob)
		best = tb;
	if (offset_s(tz, ta) == oa && ta < best)
		best = ta;
	if (best != INT64_MAX)
		return best;
	/* In a gap: the transition lies in [min, max] of the candidates. */
	int64_t lo = ta < tb ? ta : tb, hi = ta < tb ? tb : ta;
	int32_t o0 = offset_s(tz, lo);
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (offset_s(tz, mid) == o0)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* Calendar arithmetic at the same local time of day. */
static int64_t add_calendar(const struct ky_tz *tz, int64_t t_ns, int months,
			    int days)
{
	int64_t s = floor_div(t_ns, KY_NS_PER_SEC), y;
	int64_t frac = t_ns - s * KY_NS_PER_SEC;
	int64_t local = s + offset_s(tz, s);
	int64_t day = floor_div(local, DAY_S), sod = local - day * DAY_S;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	int64_t mi = (int64_t)m - 1 + months;
	y += floor_div(mi, 12);
	m = (unsigned)(mi - floor_div(mi, 12) * 12) + 1;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	day = ky_days_from_civil(y, m, d) + days;
	return local_to_utc(tz, day * DAY_S + sod) * KY_NS_PER_SEC + frac;
}

int64_t ky_tz_add_months(const struct ky_tz *tz, int64_t t_ns, int months)
{
	return add_calendar(tz, t_ns, months, 0);
}

/* ---- names ------------------------------------------------------------- */

static const char *const stage_names[KY_STAGE__COUNT] = {
	"early-warning", "notification", "intermediate", "progress", "final"};

const char *ky_stage_name(enum ky_stage s)
{
	return (unsigned)s < KY_STAGE__COUNT ? stage_names[s] : "unknown";
}

int ky_stage_parse(const char *s, enum ky_stage *out, struct ky_err *err)
{
	for (int i = 0; i < KY_STAGE__COUNT; i++)
		if (s != NULL && strcmp(s, stage_names[i]) == 0) {
			*out = (enum ky_stage)i;
			return 0;
		}
	return ky_err_set(err, KY_E_INVAL,
			  "stage \"%s\": expected early-warning, notification, "
			  "intermediate, progress or final",
			  s ? s : "(null)");
}

const char *ky_stage_state_name(enum ky_stage_state s)
{
	static const char *const names[] = {"pending", "due-soon", "overdue",
					    "submitted", "not-applicable"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s]
							      : "unknown";
}

const char *ky_regime_name(enum ky_regime r)
{
	switch (r) {
	case KY_REGIME_NIS2:
		return "nis2";
	case KY_REGIME_CRA_VULN:
		return "cra-vulnerability";
	case KY_REGIME_CRA_INCIDENT:
		return "cra-incident";
	}
	return "unknown";
}

void ky_nis2_input_init(struct ky_nis2_input *in)
{
	memset(in, 0, sizeof(*in));
	in->affected_users = -1;
	in->affected_systems = -1;
}

/* ---- stages -------------------------------------------------------------- */

static void set_due(struct ky_stage_info *si, int64_t due, const char *legal,
		    const char *depends)
{
	si->due_known = true;
	si->due_ns = due;
	si->legal = legal;
	si->depends = depends;
}

static void set_state(struct ky_stage_info *si, int64_t sub, int64_t now,
		      int64_t window)
{
	si->submitted_ns = sub;
	if (si->state == KY_SS_NOT_APPLICABLE)
		return;
	if (sub != 0) {
		si->state = KY_SS_SUBMITTED;
		si->late = si->due_known && sub > si->due_ns;
	} else if (!si->due_known) {
		si->state = KY_SS_PENDING;
	} else if (now > si->due_ns) {
		si->state = KY_SS_OVERDUE;
	} else if (now >= si->due_ns - window) {
		si->state = KY_SS_DUE_SOON;
	} else {
		si->state = KY_SS_PENDING;
	}
}

/* NIS2 Art. 23(4)(d)/(e): final one month after the notification; a
 * progress report then if the incident is still being handled, and the
 * final one month after handling ends. */
static void nis2_final(const struct ky_nis2_input *in, const struct ky_tz *tz,
		       int64_t now, const struct ky_stage_info *notif,
		       struct ky_stage_info *prog, struct ky_stage_info *fin)
{
	const int64_t *sub = in->submitted_ns;
	bool prov = sub[KY_STAGE_NOTIFICATION] == 0;
	int64_t anchor = prov ? notif->due_ns : sub[KY_STAGE_NOTIFICATION];
	int64_t m1 = ky_tz_add_months(tz, anchor, 1);
	const char *legal_d = "NIS2 Art. 23(4)(d)",
		   *legal_e = "NIS2 Art. 23(4)(e)";

	set_due(prog, m1, legal_e,
		"one month after the incident notification, if the incident is "
		"still ongoing then");
	prog->provisional = prov;
	if (in->ended_ns != 0 && in->ended_ns <= m1) {
		prog->state = KY_SS_NOT_APPLICABLE;
		set_due(fin, m1, legal_d,
			"one month after the incident notification");
		fin->provisional = prov;
	} else if (in->ended_ns != 0) {
		set_due(fin, ky_tz_add_months(tz, in->ended_ns, 1), legal_e,
			"one month after the end of incident handling");
	} else if (now <= m1) {
		set_due(fin, m1, legal_d,
			"one month after the incident notification; if still "
			"ongoing then, one month after handling ends");
		fin->provisional = prov;
	} else {
		fin->legal = legal_e;
		fin->depends = "one month after the end of incident handling "
			       "(incident still ongoing)";
	}
	if (sub[KY_STAGE_FINAL] != 0 && sub[KY_STAGE_FINAL] <= m1 &&
	    sub[KY_STAGE_PROGRESS] == 0)
		prog->state = KY_SS_NOT_APPLICABLE;
}

int ky_deadlines_compute(const struct ky_nis2_input *in, int64_t now_ns,
			 int64_t window_ns,
			 struct ky_stage_info out[KY_STAGE__COUNT],
			 struct ky_err *err)
{
	struct ky_tz *tz = NULL;
	const int64_t *sub = in->submitted_ns;
	int r = 0, i;

	for (i = 0; i < KY_STAGE__COUNT; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].stage = (enum ky_stage)i;
		out[i].state = KY_SS_PENDING;
		out[i].legal = "";
		out[i].depends = "";
	}
	/* not significant: nothing applies, awareness or not */
	if (in->regime == KY_REGIME_NIS2 && !in->significant) {
		for (i = 0; i < KY_STAGE__COUNT; i++) {
			out[i].state = KY_SS_NOT_APPLICABLE;
			out[i].legal = "NIS2 Art. 23(3)";
			out[i].depends = "incident not marked significant";
		}
		goto out;
	}
	if (in->aware_ns == 0) {
		r = ky_err_set(err, KY_E_INVAL,
			       "incident %s: no time of awareness: every "
			       "reporting deadline counts from it",
			       in->incident_id ? in->incident_id : "(no id)");
		goto out;
	}
	const int64_t times[] = {in->aware_ns, in->ended_ns,
				 in->fix_available_ns, in->intermediate_due_ns,
				 sub[KY_STAGE_NOTIFICATION]};
	for (size_t k = 0; k < sizeof(times) / sizeof(times[0]); k++)
		if (times[k] < 0 || times[k] > TIME_MAX_NS) {
			r = ky_err_set(err, KY_E_INVAL,
				       "incident %s: time %lld out of range "
				       "(1970 to 2199)",
				       in->incident_id ? in->incident_id
						       : "(no id)",
				       (long long)times[k]);
			goto out;
		}
	if ((r = ky_tz_load(in->tz ? in->tz : "UTC", &tz, err)) != 0) {
		ky_err_prefix(err, "incident %s",
			      in->incident_id ? in->incident_id : "(no id)");
		goto out;
	}
	struct ky_stage_info *ew = &out[KY_STAGE_EARLY_WARNING],
			     *nt = &out[KY_STAGE_NOTIFICATION],
			     *im = &out[KY_STAGE_INTERMEDIATE],
			     *pr = &out[KY_STAGE_PROGRESS],
			     *fi = &out[KY_STAGE_FINAL];
	switch (in->regime) {
	case KY_REGIME_NIS2:
		if (!in->significant) {
			for (i = 0; i < KY_STAGE__COUNT; i++) {
				out[i].state = KY_SS_NOT_APPLICABLE;
				out[i].legal = "NIS2 Art. 23(3)";
				out[i].depends = "incident not marked "
						 "significant";
			}
			break;
		}
		set_due(ew, in->aware_ns + 24 * HOUR_NS, "NIS2 Art. 23(4)(a)",
			"24 hours after becoming aware");
		if (in->trust_service_provider)
			set_due(nt, in->aware_ns + 24 * HOUR_NS,
				"NIS2 Art. 23(4)(b), second subparagraph",
				"24 hours after becoming aware (trust service "
				"provider)");
		else
			set_due(nt, in->aware_ns + 72 * HOUR_NS,
				"NIS2 Art. 23(4)(b)",
				"72 hours after becoming aware");
		im->legal = "NIS2 Art. 23(4)(c)";
		im->depends = "on request of the CSIRT or competent authority";
		if (in->intermediate_requested_ns == 0 &&
		    sub[KY_STAGE_INTERMEDIATE] == 0)
			im->state = KY_SS_NOT_APPLICABLE;
		else if (in->intermediate_due_ns != 0)
			set_due(im, in->intermediate_due_ns, im->legal,
				im->depends);
		nis2_final(in, tz, now_ns, nt, pr, fi);
		break;
	case KY_REGIME_CRA_VULN:
	case KY_REGIME_CRA_INCIDENT: {
		bool v = in->regime == KY_REGIME_CRA_VULN;
		set_due(ew, in->aware_ns + 24 * HOUR_NS,
			v ? "CRA Art. 14(2)(a)" : "CRA Art. 14(4)(a)",
			"24 hours after becoming aware");
		set_due(nt, in->aware_ns + 72 * HOUR_NS,
			v ? "CRA Art. 14(2)(b)" : "CRA Art. 14(4)(b)",
			"72 hours after becoming aware");
		im->state = pr->state = KY_SS_NOT_APPLICABLE;
		im->legal = pr->legal = v ? "CRA Art. 14(2)" : "CRA Art. 14(4)";
		im->depends = pr->depends = "no such stage under CRA Art. 14";
		if (v && in->fix_available_ns != 0) {
			set_due(fi,
				add_calendar(tz, in->fix_available_ns, 0, 14),
				"CRA Art. 14(2)(c)",
				"14 days after a corrective or mitigating "
				"measure is available");
		} else if (v) {
			fi->legal = "CRA Art. 14(2)(c)";
			fi->depends =
				"14 days after a corrective or mitigating "
				"measure is available (none yet)";
		} else {
			bool prov = sub[KY_STAGE_NOTIFICATION] == 0;
			set_due(fi,
				ky_tz_add_months(
					tz,
					prov ? nt->due_ns
					     : sub[KY_STAGE_NOTIFICATION],
					1),
				"CRA Art. 14(4)(c)",
				"one month after the incident notification");
			fi->provisional = prov;
		}
		break;
	}
	default:
		r = ky_err_set(err, KY_E_INVAL,
			       "incident %s: unknown regime %d",
			       in->incident_id ? in->incident_id : "(no id)",
			       (int)in->regime);
		goto out;
	}
	for (i = 0; i < KY_STAGE__COUNT; i++)
		set_state(&out[i], sub[i], now_ns, window_ns);
out:
	ky_tz_free(tz);
	return r;
}

int ky_deadlines_due(const struct ky_nis2_input *in, int64_t now_ns,
		     int64_t window_ns, struct ky_stage_info *out, size_t cap,
		     size_t *n, struct ky_err *err)
{
	struct ky_stage_info all[KY_STAGE__COUNT];
	int r;

	*n = 0;
	if ((r = ky_deadlines_compute(in, now_ns, window_ns, all, err)) != 0)
		return r;
	for (int i = 0; i < KY_STAGE__COUNT; i++) {
		if (all[i].state != KY_SS_DUE_SOON &&
		    all[i].state != KY_SS_OVERDUE)
			continue;
		if (*n < cap)
			out[*n] = all[i];
		(*n)++;
	}
	return 0;
}
