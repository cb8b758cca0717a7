/* Deadline arithmetic of NIS2 Art. 23(4) and CRA Art. 14: exact hours across
 * the 2026 EU DST changes, calendar months at month ends in the entity's
 * zone, stage states at their boundaries, and the tz reader against glibc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/time.h"
#include "respond/nis2.h"

#define H (3600LL * KY_NS_PER_SEC)
#define MIN (60LL * KY_NS_PER_SEC)

static int64_t utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return (ky_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) *
	       KY_NS_PER_SEC;
}

static void eq_time(int64_t got, int64_t want, const char *what)
{
	char g[KY_TIME_RFC3339_LEN], w[KY_TIME_RFC3339_LEN];

	if (got == want)
		return;
	ky_time_format_rfc3339(got, g);
	ky_time_format_rfc3339(want, w);
	fail_msg("%s: got %s, want %s", what, g, w);
}

static struct ky_tz *load(const char *name)
{
	struct ky_tz *tz = NULL;
	struct ky_err err = {0};

	if (ky_tz_load(name, &tz, &err) != 0)
		fail_msg("load %s: %s", name, err.msg);
	return tz;
}

static void base_input(struct ky_nis2_input *in, const char *tz, int64_t aware)
{
	ky_nis2_input_init(in);
	in->regime = KY_REGIME_NIS2;
	in->incident_id = "INC-1";
	in->tz = tz;
	in->aware_ns = aware;
	in->significant = true;
}

static void compute(const struct ky_nis2_input *in, int64_t now, int64_t window,
		    struct ky_stage_info *si)
{
	struct ky_err err = {0};

	if (ky_deadlines_compute(in, now, window, si, &err) != 0)
		fail_msg("compute: %s", err.msg);
}

/* 24 h and 72 h are elapsed hours: across the spring change in Berlin the
 * wall clock shows 25 h more, across the autumn change in Lisbon 71 h. */
static void test_hours_across_dst(void **state)
{
	struct ky_nis2_input in;
	struct ky_stage_info si[KY_STAGE__COUNT];
	struct ky_tz *ber = load("Europe/Berlin"), *lis = load("Europe/Lisbon");

	(void)state;
	/* Berlin: aware 28 March 2026 13:00 CET; 29 March 02:00 -> 03:00. */
	base_input(&in, "Europe/Berlin", utc(2026, 3, 28, 12, 0));
	compute(&in, in.aware_ns, 0, si);
	eq_time(si[KY_STAGE_EARLY_WARNING].due_ns, utc(2026, 3, 29, 12, 0),
		"early warning");
	assert_int_equal(ky_tz_offset(ber, in.aware_ns), 3600);
	assert_int_equal(ky_tz_offset(ber, si[0].due_ns), 7200);
	eq_time(si[KY_STAGE_NOTIFICATION].due_ns, utc(2026, 3, 31, 12, 0),
		"notification");
	assert_string_equal(si[KY_STAGE_EARLY_WARNING].legal,
			    "NIS2 Art. 23(4)(a)");
	/* Lisbon: aware 24 Oct 2026 11:00 WEST; 25 Oct 02:00 -> 01:00. */
	base_input(&in, "Europe/Lisbon", utc(2026, 10, 24, 10, 0));
	compute(&in, in.aware_ns, 0, si);
	eq_time(si[KY_STAGE_NOTIFICATION].due_ns, utc(2026, 10, 27, 10, 0),
		"notification");
	assert_int_equal(ky_tz_offset(lis, in.aware_ns), 3600);
	assert_int_equal(ky_tz_offset(lis, si[1].due_ns), 0);
	/* Berlin autumn: 24 h from 24 Oct 12:30 CEST is 11:30 CET. */
	base_input(&in, "Europe/Berlin", utc(2026, 10, 24, 10, 30));
	compute(&in, in.aware_ns, 0, si);
	eq_time(si[0].due_ns, utc(2026, 10, 25, 10, 30), "early warning");
	assert_int_equal(ky_tz_offset(ber, si[0].due_ns), 3600);
	ky_tz_free(ber);
	ky_tz_free(lis);
}

/* Months keep the local wall-clock time, so elapsed time differs by the
 * DST shift; the last day of a month clamps. */
static void test_months(void **state)
{
	struct ky_tz *ber = load("Europe/Berlin"), *lis = load("Europe/Lisbon");
	struct ky_tz *utz = load("UTC");

	(void)state;
	/* 10 March 09:00 CET -> 10 April 09:00 CEST. */
	eq_time(ky_tz_add_months(ber, utc(2026, 3, 10, 8, 0), 1),
		utc(2026, 4, 10, 7, 0), "Berlin across spring");
	/* 20 Oct 09:30 WEST -> 20 Nov 09:30 WET. */
	eq_time(ky_tz_add_months(lis, utc(2026, 10, 20, 8, 30), 1),
		utc(2026, 11, 20, 9, 30), "Lisbon across autumn");
	/* 31 Jan 10:00 CET -> 28 Feb 2026, 29 Feb 2028. */
	eq_time(ky_tz_add_months(ber, utc(2026, 1, 31, 9, 0), 1),
		utc(2026, 2, 28, 9, 0), "31 Jan 2026");
	eq_time(ky_tz_add_months(ber, utc(2028, 1, 31, 9, 0), 1),
		utc(2028, 2, 29, 9, 0), "31 Jan 2028");
	/* 29 Feb 2028 12:00 CET -> 29 March 2028 12:00 CEST (DST 26 March). */
	eq_time(ky_tz_add_months(ber, utc(2028, 2, 29, 11, 0), 1),
		utc(2028, 3, 29, 10, 0), "29 Feb 2028");
	/* 31 Dec 23:30 CET -> 31 Jan next year. */
	eq_time(ky_tz_add_months(ber, utc(2026, 12, 31, 22, 30), 1),
		utc(2027, 1, 31, 22, 30), "31 Dec");
	/* 31 March 00:30 CEST is 30 March in UTC: the local date counts. */
	eq_time(ky_tz_add_months(ber, utc(2026, 3, 30, 22, 30), 1),
		utc(2026, 4, 29, 22, 30), "local date, Berlin");
	eq_time(ky_tz_add_months(utz, utc(2026, 3, 30, 22, 30), 1),
		utc(2026, 4, 30, 22, 30), "same instant, UTC");
	/* 31 Aug 2026 + 1 month in Lisbon: 30 Sep. */
	eq_time(ky_tz_add_months(lis, utc(2026, 8, 31, 23, 0), 1),
		utc(2026, 9, 30, 23, 0), "31 Aug Lisbon (1 Sep local!)");
	/* 29 Jan 02:30 CET + 2 months = 29 March 02:30, which does not exist:
	 * the first instant after the gap, 03:00 CEST. */
	eq_time(ky_tz_add_months(ber, utc(2026, 1, 29, 1, 30), 2),
		utc(2026, 3, 29, 1, 0), "gap");
	/* 25 Sep 02:30 CEST -> 25 Oct 02:30 happens twice: the first. */
	eq_time(ky_tz_add_months(ber, utc(2026, 9, 25, 0, 30), 1),
		utc(2026, 10, 25, 0, 30), "ambiguous");
	/* Nanoseconds are kept. */
	eq_time(ky_tz_add_months(utz, utc(2026, 5, 1, 0, 0) + 123456789, 1),
		utc(2026, 6, 1, 0, 0) + 123456789, "fraction");
	ky_tz_free(ber);
	ky_tz_free(lis);
	ky_tz_free(utz);
}

/* Exactly at the deadline a stage is due-soon (the last legal instant), one
 * nanosecond later overdue; the window boundary is inclusive. */
static void test_state_boundaries(void **state)
{
	struct ky_nis2_input in;
	struct ky_stage_info si[KY_STAGE__COUNT], due[KY_STAGE__COUNT];
	struct ky_err err = {0};
	int64_t a = utc(2026, 3, 28, 12, 0), ew = a + 24 * H;
	size_t n = 99;

	(void)state;
	base_input(&in, "Europe/Berlin", a);
	compute(&in, ew, 2 * H, si);
	assert_int_equal(si[KY_STAGE_EARLY_WARNING].state, KY_SS_DUE_SOON);
	compute(&in, ew + 1, 2 * H, si);
	assert_int_equal(si[KY_STAGE_EARLY_WARNING].state, KY_SS_OVERDUE);
	compute(&in, ew - 2 * H, 2 * H, si);
	assert_int_equal(si[KY_STAGE_EARLY_WARNING].state, KY_SS_DUE_SOON);
	compute(&in, ew - 2 * H - 1, 2 * H, si);
	assert_int_equal(si[KY_STAGE_EARLY_WARNING].state, KY_SS_PENDING);
	assert_int_equal(si[KY_STAGE_NOTIFICATION].state, KY_SS_PENDING);
	assert_int_equal(si[KY_STAGE_INTERMEDIATE].state, KY_SS_NOT_APPLICABLE);
	assert_string_equal(ky_stage_state_name(si[0].state), "pending");

	/* At 30 h with a 48 h window: early warning overdue, notification
	 * due soon; nothing else. */
	assert_int_equal(
		ky_deadlines_due(&in, a + 30 * H, 48 * H, due, 5, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(due[0].stage, KY_STAGE_EARLY_WARNING);
	assert_int_equal(due[0].state, KY_SS_OVERDUE);
	assert_int_equal(due[1].stage, KY_STAGE_NOTIFICATION);
	assert_int_equal(due[1].state, KY_SS_DUE_SOON);
	/* A cap smaller than the count still reports the count. */
	assert_int_equal(
		ky_deadlines_due(&in, a + 30 * H, 48 * H, due, 1, &n, &err), 0);
	assert_int_equal(n, 2);

	/* Submitted: on time at the deadline, late one second after. */
	in.submitted_ns[KY_STAGE_EARLY_WARNING] = ew;
	in.submitted_ns[KY_STAGE_NOTIFICATION] = a + 72 * H + KY_NS_PER_SEC;
	compute(&in, a + 100 * H, 0, si);
	assert_int_equal(si[0].state, KY_SS_SUBMITTED);
	assert_false(si[0].late);
	assert_int_equal(si[1].state, KY_SS_SUBMITTED);
	assert_true(si[1].late);
	assert_int_equal(
		ky_deadlines_due(&in, a + 100 * H, 0, due, 5, &n, &err), 0);
	assert_int_equal(n, 0);
}

/* Art. 23(4)(d)/(e): final one month after the notification; progress
 * report then if still ongoing, final one month after handling ends. */
static void test_final_and_progress(void **state)
{
	struct ky_nis2_input in;
	struct ky_stage_info si[KY_STAGE__COUNT];
	int64_t a = utc(2026, 3, 27, 9, 0); /* 10:00 CET */
	int64_t sent = utc(2026, 3, 29, 8, 0), m1 = utc(2026, 4, 29, 8, 0);

	(void)state;
	base_input(&in, "Europe/Berlin", a);
	/* Notification not yet sent: provisional, counted from its due. */
	compute(&in, a, 0, si);
	assert_true(si[KY_STAGE_FINAL].provisional);
	eq_time(si[KY_STAGE_FINAL].due_ns, utc(2026, 4, 30, 9, 0),
		"provisional final (30 March 11:00 CEST + 1 month)");
	/* Sent 29 March 10:00 CEST: final 29 April 10:00 CEST. */
	in.submitted_ns[KY_STAGE_NOTIFICATION] = sent;
	compute(&in, a, 0, si);
	assert_false(si[KY_STAGE_FINAL].provisional);
	eq_time(si[KY_STAGE_FINAL].due_ns, m1, "final");
	assert_int_equal(si[KY_STAGE_PROGRESS].state, KY_SS_PENDING);
	eq_time(si[KY_STAGE_PROGRESS].due_ns, m1, "progress");
	/* Ended before the month is up: no progress report. */
	in.ended_ns = utc(2026, 4, 2, 12, 0);
	compute(&in, a, 0, si);
	assert_int_equal(si[KY_STAGE_PROGRESS].state, KY_SS_NOT_APPLICABLE);
	eq_time(si[KY_STAGE_FINAL].due_ns, m1, "final, ended early");
	assert_string_equal(si[KY_STAGE_FINAL].legal, "NIS2 Art. 23(4)(d)");
	/* Ended 31 May: progress at m1, final 30 June (clamped). */
	in.ended_ns = utc(2026, 5, 31, 10, 0);
	compute(&in, utc(2026, 5, 1, 0, 0), 0, si);
	assert_int_equal(si[KY_STAGE_PROGRESS].state, KY_SS_OVERDUE);
	eq_time(si[KY_STAGE_FINAL].due_ns, utc(2026, 6, 30, 10, 0),
		"final after handling");
	assert_string_equal(si[KY_STAGE_FINAL].legal, "NIS2 Art. 23(4)(e)");
	/* Still ongoing after m1: final waits for the end of handling. */
	in.ended_ns = 0;
	compute(&in, m1 + 1, 0, si);
	assert_false(si[KY_STAGE_FINAL].due_known);
	assert_int_equal(si[KY_STAGE_FINAL].state, KY_SS_PENDING);
	assert_int_equal(si[KY_STAGE_PROGRESS].state, KY_SS_OVERDUE);
	/* Trust service provider: notification within 24 h. */
	in.trust_service_provider = true;
	compute(&in, a, 0, si);
	eq_time(si[KY_STAGE_NOTIFICATION].due_ns, a + 24 * H, "TSP");
	/* Intermediate: only on request, due as requested. */
	in.intermediate_requested_ns = a + 48 * H;
	in.intermediate_due_ns = a + 96 * H;
	compute(&in, a + 97 * H, 0, si);
	assert_int_equal(si[KY_STAGE_INTERMEDIATE].state, KY_SS_OVERDUE);
	/* Not significant: nothing to report. */
	in.significant = false;
	compute(&in, a, 0, si);
	for (int i = 0; i < KY_STAGE__COUNT; i++)
		assert_int_equal(si[i].state, KY_SS_NOT_APPLICABLE);
}

static void test_cra(void **state)
{
	struct ky_nis2_input in;
	struct ky_stage_info si[KY_STAGE__COUNT];
	int64_t a = utc(2026, 9, 14, 6, 0);

	(void)state;
	base_input(&in, "Europe/Berlin", a);
	in.regime = KY_REGIME_CRA_VULN;
	compute(&in, a, 0, si);
	eq_time(si[KY_STAGE_EARLY_WARNING].due_ns, a + 24 * H, "CRA ew");
	eq_time(si[KY_STAGE_NOTIFICATION].due_ns, a + 72 * H, "CRA notif");
	assert_string_equal(si[KY_STAGE_NOTIFICATION].legal,
			    "CRA Art. 14(2)(b)");
	assert_false(si[KY_STAGE_FINAL].due_known);
	assert_int_equal(si[KY_STAGE_INTERMEDIATE].state, KY_SS_NOT_APPLICABLE);
	assert_int_equal(si[KY_STAGE_PROGRESS].state, KY_SS_NOT_APPLICABLE);
	/* Fix 20 Oct 12:00 CEST: 14 calendar days -> 3 Nov 12:00 CET. */
	in.fix_available_ns = utc(2026, 10, 20, 10, 0);
	compute(&in, a, 0, si);
	eq_time(si[KY_STAGE_FINAL].due_ns, utc(2026, 11, 3, 11, 0),
		"CRA final 14 days");
	assert_string_equal(si[KY_STAGE_FINAL].legal, "CRA Art. 14(2)(c)");
	/* Severe incident: final one month after the notification. */
	in.regime = KY_REGIME_CRA_INCIDENT;
	in.submitted_ns[KY_STAGE_NOTIFICATION] = utc(2026, 10, 31, 11, 0);
	compute(&in, a, 0, si);
	eq_time(si[KY_STAGE_FINAL].due_ns, utc(2026, 11, 30, 11, 0),
		"CRA incident final");
	assert_string_equal(si[KY_STAGE_FINAL].legal, "CRA Art. 14(4)(c)");
}

static void test_bad_input(void **state)
{
	struct ky_nis2_input in;
	struct ky_stage_info si[KY_STAGE__COUNT];
	struct ky_err err = {0};
	struct ky_tz *tz = NULL;
	enum ky_stage st;

	(void)state;
	assert_int_equal(ky_tz_load("Europe/Atlantis", &tz, &err),
			 KY_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "Europe/Atlantis"));
	assert_null(tz);
	assert_int_equal(ky_tz_load("../../etc/passwd", &tz, &err), KY_E_INVAL);
	assert_int_equal(ky_tz_load("", &tz, &err), KY_E_INVAL);
	assert_int_equal(ky_tz_load("Europe/Berlin\n", &tz, &err), KY_E_INVAL);

	base_input(&in, "Mars/Olympus_Mons", utc(2026, 1, 1, 0, 0));
	assert_int_equal(ky_deadlines_compute(&in, 0, 0, si, &err),
			 KY_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "INC-1"));
	assert_non_null(strstr(err.msg, "Mars/Olympus_Mons"));
	base_input(&in, "Europe/Berlin", 0);
	assert_int_equal(ky_deadlines_compute(&in, 0, 0, si, &err), KY_E_INVAL);
	assert_non_null(strstr(err.msg, "awareness"));
	base_input(&in, "Europe/Berlin", INT64_MAX - 1);
	assert_int_equal(ky_deadlines_compute(&in, 0, 0, si, &err), KY_E_INVAL);
	base_input(&in, "Europe/Berlin", 1);
	in.regime = (enum ky_regime)7;
	assert_int_equal(ky_deadlines_compute(&in, 0, 0, si, &err), KY_E_INVAL);

	assert_int_equal(ky_stage_parse("final", &st, &err), 0);
	assert_int_equal(st, KY_STAGE_FINAL);
	assert_int_equal(ky_stage_parse("Final", &st, &err), KY_E_INVAL);
	assert_non_null(strstr(err.msg, "Final"));
}

/* Malformed TZif files from a private TZDIR: truncated, junk, and a v2
 * file with only a footer rule (southern hemisphere DST). */
static void test_tzif_files(void **state)
{
	char dir[] = "/tmp/nis2tzXXXXXX", path[256];
	struct ky_err err = {0};
	struct ky_tz *tz = NULL;
	unsigned char b[200];
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("TZDIR", dir, 1);
	snprintf(path, sizeof(path), "%s/Junk", dir);
	f = fopen(path, "wb");
	fputs("not a zone file at all, not at all, not at all, no", f);
	fclose(f);
	assert_int_equal(ky_tz_load("Junk", &tz, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "TZif"));

	/* Footer-only v2: header v1 (0 transitions, 1 type), header v2. */
	memset(b, 0, sizeof(b));
	for (int pass = 0; pass < 2; pass++) {
		memcpy(b + n, "TZif2", 5);
		b[n + 20 + 4 * 4 + 3] = 1; /* typecnt */
		b[n + 20 + 5 * 4 + 3] = 4; /* charcnt */
		n += 44;
		b[n + 0] = 0, b[n + 1] = 0, b[n + 2] = 0x8c, b[n + 3] = 0xa0;
		n += 6; /* utoff 36000, isdst 0, idx 0 */
		memcpy(b + n, "AES", 4);
		n += 4;
	}
	const char *rule = "\nAEST-10AEDT,M10.1.0,M4.1.0/3\n";
	memcpy(b + n, rule, strlen(rule));
	n += strlen(rule);
	snprintf(path, sizeof(path), "%s/South", dir);
	f = fopen(path, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	assert_int_equal(ky_tz_load("South", &tz, &err), 0);
	assert_int_equal(ky_tz_offset(tz, utc(2026, 1, 15, 0, 0)), 39600);
	assert_int_equal(ky_tz_offset(tz, utc(2026, 7, 15, 0, 0)), 36000);
	/* 5 April 2026 03:00 AEDT = 4 April 16:00 UTC. */
	assert_int_equal(ky_tz_offset(tz, utc(2026, 4, 4, 16, 0) - 1), 39600);
	assert_int_equal(ky_tz_offset(tz, utc(2026, 4, 4, 16, 0)), 36000);
	ky_tz_free(tz);
	tz = NULL;

	/* The same file cut short. */
	f = fopen(path, "wb");
	fwrite(b, 1, 50, f);
	fclose(f);
	assert_int_equal(ky_tz_load("South", &tz, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "truncated"));
	/* A bad footer rule. */
	memcpy(b + n - strlen(rule), "\nAEST-10AEDT,M13.1.0,M4.1.0/3\n",
	       strlen(rule));
	f = fopen(path, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	assert_int_equal(ky_tz_load("South", &tz, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "footer"));

	unlink(path);
	snprintf(path, sizeof(path), "%s/Junk", dir);
	unlink(path);
	rmdir(dir);
	unsetenv("TZDIR");
}

/* Our reader agrees with glibc's localtime_r every 5 h 7 min from 1970 to
 * 2100 (this test is single-threaded, so setting TZ here is safe). */
/* ky_tz_parse on a real file, and on the same file with its footer rule
 * replaced: an offset past 26 h (the fuzzer's first find) is refused. */
static void test_tz_parse_footer(void **state)
{
	static const char bad[] = "\nAEST-84AEDT,M10.1.0,M4.1.0/3\n";
	static const char good[] = "\nXYZ-5\n";
	unsigned char buf[65536], alt[65536 + 64];
	struct ky_err err = {0};
	struct ky_tz *tz = NULL;
	FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
	size_t n, foot;

	(void)state;
	if (f == NULL) {
		printf("/usr/share/zoneinfo/Europe/Berlin missing: skipped\n");
		skip();
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 100 && buf[n - 1] == '\n');
	for (foot = n - 2; foot > 0 && buf[foot] != '\n'; foot--)
		;
	assert_int_equal(ky_tz_parse(buf, n, "Europe/Berlin", &tz, &err), 0);
	/* 2100-01-15 and 2100-07-15, past the transitions: the footer rule */
	assert_int_equal(ky_tz_offset(tz, 4103654400LL * 1000000000LL), 3600);
	assert_int_equal(ky_tz_offset(tz, 4119292800LL * 1000000000LL), 7200);
	ky_tz_free(tz);
	memcpy(alt, buf, foot);
	memcpy(alt + foot, bad, sizeof(bad) - 1);
	assert_int_equal(
		ky_tz_parse(alt, foot + sizeof(bad) - 1, "x", &tz, &err),
		KY_E_PARSE);
	assert_null(tz);
	assert_non_null(strstr(err.msg, "footer"));
	memcpy(alt + foot, good, sizeof(good) - 1);
	assert_int_equal(
		ky_tz_parse(alt, foot + sizeof(good) - 1, "x", &tz, &err), 0);
	assert_int_equal(ky_tz_offset(tz, 4119292800LL * 1000000000LL),
			 5 * 3600);
	ky_tz_free(tz);
	/* truncated anywhere: refused, never read past the end */
	for (size_t k = 0; k < 60; k++) {
		assert_int_not_equal(ky_tz_parse(buf, k, "x", &tz, &err), 0);
		assert_null(tz);
	}
}

static void test_against_glibc(void **state)
{
	static const char *const zones[] = {
		"Europe/Berlin",     "Europe/Lisbon",	    "America/New_York",
		"Australia/Sydney",  "Australia/Lord_Howe", "Asia/Kolkata",
		"America/Sao_Paulo", "Pacific/Chatham",	    "Europe/Dublin",
		"America/St_Johns",  "Africa/Casablanca",   "UTC"};
	size_t checked = 0;

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct ky_tz *tz = load(zones[z]);
		setenv("TZ", zones[z], 1);
		tzset();
		for (int64_t t = 0; t < 4102444800LL; t += 5 * 3600 + 7 * 60) {
			struct tm tm;
			time_t tt = (time_t)t;
			localtime_r(&tt, &tm);
			int32_t got = ky_tz_offset(tz, t * KY_NS_PER_SEC);
			if (got != tm.tm_gmtoff)
				fail_msg("%s at %lld: got %d, glibc %ld",
					 zones[z], (long long)t, got,
					 tm.tm_gmtoff);
			checked++;
		}
		ky_tz_free(tz);
	}
	unsetenv("TZ");
	print_message("tz offsets checked against glibc: %zu\n", checked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hours_across_dst),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_state_boundaries),
		cmocka_unit_test(test_final_and_progress),
		cmocka_unit_test(test_cra),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_tzif_files),
		cmocka_unit_test(test_tz_parse_footer),
		cmocka_unit_test(test_against_glibc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
