/* Unit tests for the field map: renames, strips, evtx Data pairs, #attributes
 * and #text, time field choice, rules from configuration, and that ECS
 * names pass through untouched.  Events are built by hand here so the map is
 * tested apart from the parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/time.h"
#include "event/event.h"
#include "event/fieldmap.h"

struct fx {
	struct ky_arena *arena;
	struct ky_event ev;
	struct ky_fieldmap *map;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->arena = ky_arena_new(4096, 0);
	assert_non_null(f->arena);
	assert_int_equal(ky_event_init(&f->ev, f->arena, 256), 0);
	f->map = ky_fieldmap_new();
	assert_non_null(f->map);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ky_fieldmap_free(f->map);
	ky_event_free(&f->ev);
	ky_arena_free(f->arena);
	free(f);
	return 0;
}

static void add(struct ky_event *ev, const char *path, const char *val)
{
	assert_int_equal(
		ky_event_add_str(ev, path, strlen(path), val, strlen(val)), 0);
}

/* A field whose name is a constant of the program, as the parsers add. */
static void add_const(struct ky_event *ev, const char *path, const char *val)
{
	assert_int_equal(ky_event_add_const(ev, path, strlen(path), KY_V_STR,
					    val, strlen(val)),
			 0);
	assert_int_equal(ev->fields[ev->nfields - 1].flags,
			 KY_FIELD_CONST_PATH);
}

static void add_int(struct ky_event *ev, const char *path, int64_t v)
{
	assert_int_equal(ky_event_add_int(ev, path, strlen(path), v), 0);
}

/* Asserts that exactly one field is called name and returns its value. */
static const struct ky_field *expect(const struct ky_event *ev,
				     const char *name)
{
	const struct ky_field *found = NULL;
	size_t len = strlen(name);
	uint32_t i;

	for (i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];

		if (f->path_len == len && memcmp(f->path, name, len) == 0) {
			if (found != NULL)
				fail_msg("field %s present twice", name);
			found = f;
		}
	}
	if (found == NULL)
		fail_msg("field %s missing", name);
	return found;
}

static void expect_str(const struct ky_event *ev, const char *name,
		       const char *val)
{
	const struct ky_field *f = expect(ev, name);

	if (f->str_len != strlen(val) || memcmp(f->str, val, f->str_len) != 0)
		fail_msg("field %s = '%.*s', expected '%s'", name,
			 (int)f->str_len, f->str, val);
}

static void expect_absent(const struct ky_event *ev, const char *name)
{
	if (ky_event_get(ev, name) != NULL)
		fail_msg("field %s should be gone", name);
}

static int64_t ts(const char *s)
{
	int64_t ns = 0;

	assert_true(ky_time_parse_rfc3339(s, strlen(s), &ns) > 0);
	return ns;
}

static void test_evtx_flat(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;
	const char *img = "Event.EventData.Image";

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	add(ev, "Event.#attributes.xmlns", "http://schemas.microsoft.com/x");
	add(ev, "Event.System.Provider.#attributes.Name",
	    "Microsoft-Windows-Sysmon");
	add_int(ev, "Event.System.EventID", 1);
	add(ev, "Event.System.TimeCreated.#attributes.SystemTime",
	    "2025-11-27T07:40:10.165324Z");
	add(ev, "Event.System.Channel", "Microsoft-Windows-Sysmon/Operational");
	add_int(ev, "Event.System.Execution.#attributes.ProcessID", 3544);
	add(ev, "Event.EventData.UtcTime", "2025-11-27 07:40:10.132");
	assert_int_equal(ky_event_add_str(ev, img, strlen(img),
					  "C:\\Windows\\x.exe", 16),
			 0);
	add(ev, "Event.EventData.Hashes", "SHA1=AB");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);

	assert_int_equal(expect(ev, "EventID")->v.i, 1);
	assert_int_equal(expect(ev, "EventID")->type, KY_V_INT);
	expect_str(ev, "Channel", "Microsoft-Windows-Sysmon/Operational");
	expect_str(ev, "Provider_Name", "Microsoft-Windows-Sysmon");
	expect_str(ev, "TimeCreated_SystemTime", "2025-11-27T07:40:10.165324Z");
	assert_int_equal(expect(ev, "Execution_ProcessID")->v.i, 3544);
	expect_str(ev, "Image", "C:\\Windows\\x.exe");
	expect_str(ev, "Hashes", "SHA1=AB");
	expect_str(ev, "Event_xmlns", "http://schemas.microsoft.com/x");
	/* a strip only advances the path pointer */
	assert_ptr_equal(expect(ev, "Image")->path, img + 16);
	/* SystemTime outranks UtcTime */
	assert_true(ev->time_ns == ts("2025-11-27T07:40:10.165324Z"));
	assert_int_equal(ev->nfields, 9);
}

static void test_evtx_data_pairs(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	add_int(ev, "Event.System.EventID.#attributes.Qualifiers", 0);
	add_int(ev, "Event.System.EventID.#text", 4625);
	add(ev, "Event.EventData.Data[0].#attributes.Name", "SubjectUserName");
	add(ev, "Event.EventData.Data[0].#text", "bob");
	/* <Data Name="Empty"/>: no text */
	add(ev, "Event.EventData.Data[1].#attributes.Name", "Empty");
	/* #text before the attributes */
	add(ev, "Event.EventData.Data[2].#text", "4");
	add(ev, "Event.EventData.Data[2].#attributes.Name", "LogonType");
	/* unnamed data */
	add(ev, "Event.EventData.Data[3].#text", "orphan");
	/* a Name that is not a string is an ordinary attribute */
	add_int(ev, "Event.EventData.Data[4].#attributes.Name", 7);
	/* not a <Data> element: ordinary attribute, not a pair */
	add(ev, "Event.EventData.Other.#attributes.Name", "n");
	add(ev, "Event.EventData.Other.#text", "t");
	add(ev, "Event.EventData.MyData[0].#attributes.Name", "n2");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);

	assert_int_equal(expect(ev, "EventID")->v.i, 4625);
	assert_int_equal(expect(ev, "EventID_Qualifiers")->v.i, 0);
	expect_str(ev, "SubjectUserName", "bob");
	expect_str(ev, "Empty", "");
	expect_str(ev, "LogonType", "4");
	expect_str(ev, "Data[3]", "orphan");
	assert_int_equal(expect(ev, "Data[4]_Name")->v.i, 7);
	expect_str(ev, "Other_Name", "n");
	expect_str(ev, "Other", "t");
	expect_str(ev, "MyData[0]_Name", "n2");
	/* the Name fields of the pairs are gone */
	assert_int_equal(ev->nfields, 10);
	expect_absent(ev, "Data[0]_Name");
}

static void test_evtx_single_data_and_userdata(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	add(ev, "Event.EventData.Data.#attributes.Name", "param1");
	add(ev, "Event.EventData.Data.#text", "v1");
	add(ev, "Event.UserData.Operation_ClientFailure.#attributes.xmlns",
	    "http://manifests");
	add(ev, "Event.UserData.Operation_ClientFailure.Operation", "Start");
	add_int(ev, "Event.UserData.Operation_ClientFailure.ClientProcessId",
		25920);
	add(ev, "Event.UserData.x", "too short for the wildcard");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	expect_str(ev, "param1", "v1");
	expect_str(ev, "Operation", "Start");
	assert_int_equal(expect(ev, "ClientProcessId")->v.i, 25920);
	expect_str(ev, "xmlns", "http://manifests");
	expect_str(ev, "Event.UserData.x", "too short for the wildcard");
	assert_int_equal(ev->time_ns, 0);
}

static void test_winlogbeat(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	add(ev, "@timestamp", "2024-05-01T12:00:00.5Z");
	add_int(ev, "winlog.event_id", 4688);
	add(ev, "winlog.channel", "Security");
	add(ev, "winlog.provider_name", "Microsoft-Windows-Security-Auditing");
	add(ev, "winlog.computer_name", "dc01");
	add_int(ev, "winlog.process.pid", 4);
	add(ev, "winlog.event_data.NewProcessName", "C:\\a.exe");
	add(ev, "winlog.event_data.CommandLine", "a.exe /x");
	add(ev, "winlog.task", "Process Creation");
	add(ev, "event.code", "4688");
	add(ev, "host.name", "dc01");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_int_equal(expect(ev, "EventID")->v.i, 4688);
	expect_str(ev, "Channel", "Security");
	expect_str(ev, "Provider_Name", "Microsoft-Windows-Security-Auditing");
	expect_str(ev, "Computer", "dc01");
	assert_int_equal(expect(ev, "Execution_ProcessID")->v.i, 4);
	expect_str(ev, "NewProcessName", "C:\\a.exe");
	expect_str(ev, "CommandLine", "a.exe /x");
	expect_str(ev, "winlog.task", "Process Creation");
	expect_str(ev, "event.code", "4688");
	expect_str(ev, "host.name", "dc01");
	assert_true(ev->time_ns == ts("2024-05-01T12:00:00.5Z"));
}

static void test_nxlog_flat(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	add_int(ev, "EventID", 1);
	add(ev, "Channel", "Microsoft-Windows-Sysmon/Operational");
	add(ev, "SourceName", "Microsoft-Windows-Sysmon");
	add(ev, "Image", "C:\\b.exe");
	add(ev, "EventTime", "2024-05-01 10:00:00");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_int_equal(expect(ev, "EventID")->v.i, 1);
	expect_str(ev, "Channel", "Microsoft-Windows-Sysmon/Operational");
	expect_str(ev, "Provider_Name", "Microsoft-Windows-Sysmon");
	expect_str(ev, "Image", "C:\\b.exe");
	assert_true(ev->time_ns == ts("2024-05-01T10:00:00Z"));
}

static void test_ecs_untouched(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;
	static const char *const paths[] = {
		"source.ip",
		"source.port",
		"user.name",
		"process.name",
		"process.command_line",
		"event.outcome",
		"tags[0]",
		"a.b[2].c",
		"host.hostname",
		"message",
		"file.path",
		"winlog.keywords[0]",
	};
	const char *before[sizeof(paths) / sizeof(paths[0])];
	size_t i;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		add(ev, paths[i], "v");
	for (i = 0; i < ev->nfields; i++)
		before[i] = ev->fields[i].path;
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_int_equal(ev->nfields, sizeof(paths) / sizeof(paths[0]));
	for (i = 0; i < ev->nfields; i++) {
		assert_ptr_equal(ev->fields[i].path, before[i]);
		assert_int_equal(ev->fields[i].path_len, strlen(paths[i]));
	}
	assert_int_equal(ev->time_ns, 0);
	/* and nothing was allocated for them */
	assert_int_equal(ky_arena_used(f->arena), 0);
}

static void test_time_selection(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	/* rank, not position, decides */
	add(ev, "time", "2020-01-01T00:00:00Z");
	add(ev, "@timestamp", "2021-01-01T00:00:00Z");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_true(ev->time_ns == ts("2021-01-01T00:00:00Z"));

	/* an unparsable first choice falls back to the next */
	ky_event_reset(ev);
	add(ev, "@timestamp", "yesterday");
	add(ev, "timestamp", "2022-02-02T02:02:02+02:00");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_true(ev->time_ns == ts("2022-02-02T00:02:02Z"));

	/* a time already set by the parser is kept */
	ky_event_reset(ev);
	ev->time_ns = 42;
	add(ev, "@timestamp", "2021-01-01T00:00:00Z");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_int_equal(ev->time_ns, 42);

	/* epoch numbers in seconds and milliseconds */
	ky_event_reset(ev);
	add_int(ev, "time", 1700000000);
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_true(ev->time_ns == 1700000000LL * KY_NS_PER_SEC);
	ky_event_reset(ev);
	add_int(ev, "time", 1700000000123LL);
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_true(ev->time_ns == 1700000000123LL * 1000000);

	/* garbage everywhere: no time */
	ky_event_reset(ev);
	add(ev, "@timestamp", "");
	add(ev, "UtcTime", "2024-13-45 99:99:99");
	add_int(ev, "time", -5);
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_int_equal(ev->time_ns, 0);
}

static void test_rules_by_hand(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;
	struct ky_err err;

	assert_int_equal(ky_fieldmap_add_rule(f->map, "a.", "", &err), 0);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "a.b.", "", &err), 0);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "old.", "new.", &err), 0);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "x.*.y.", "", &err), 0);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "a.keep", "kept", &err),
			 0);
	assert_int_equal(ky_fieldmap_add_time_field(f->map, "when"), 0);
	add(ev, "a.b.c", "1");	 /* longest prefix wins */
	add(ev, "a.d", "2");	 /* shorter one */
	add(ev, "a.keep", "3");	 /* exact rename beats strip */
	add(ev, "old.z.w", "4"); /* prefix replaced */
	add(ev, "x.q.y.z", "5"); /* wildcard component */
	add(ev, "x.q.r.z", "6"); /* wildcard, no match */
	add(ev, "a.", "7");	 /* nothing would remain */
	add(ev, "b.#text", "8"); /* no builtin: # left alone */
	add(ev, "when", "2023-03-03T03:03:03Z");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	expect_str(ev, "c", "1");
	expect_str(ev, "d", "2");
	expect_str(ev, "kept", "3");
	expect_str(ev, "new.z.w", "4");
	expect_str(ev, "z", "5");
	expect_str(ev, "x.q.r.z", "6");
	expect_str(ev, "a.", "7");
	expect_str(ev, "b.#text", "8");
	assert_true(ev->time_ns == ts("2023-03-03T03:03:03Z"));
	assert_int_equal(ev->nfields, 9);

	/* replacing a rule */
	assert_int_equal(ky_fieldmap_add_rule(f->map, "a.keep", "other", &err),
			 0);
	ky_event_reset(ev);
	add(ev, "a.keep", "3");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	expect_str(ev, "other", "3");

	/* a constant name stays constant when stripped or left alone, not
	 * when renamed or rebuilt in the arena */
	ky_event_reset(ev);
	add_const(ev, "a.keep", "3");	  /* renamed: other */
	add_const(ev, "a.b.c", "1");	  /* stripped: c */
	add_const(ev, "old.z.w", "4");	  /* rebuilt: new.z.w */
	add_const(ev, "plain.name", "9"); /* untouched */
	add(ev, "x.q.y.z", "5");	  /* not constant: stays so */
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	assert_int_equal(expect(ev, "other")->flags, 0);
	assert_int_equal(expect(ev, "c")->flags, KY_FIELD_CONST_PATH);
	assert_int_equal(expect(ev, "new.z.w")->flags, 0);
	assert_int_equal(expect(ev, "plain.name")->flags, KY_FIELD_CONST_PATH);
	assert_int_equal(expect(ev, "z")->flags, 0);
}

static void test_bad_rules(void **state)
{
	struct fx *f = *state;
	struct ky_err err;
	char name[16];
	int i;

	assert_int_equal(ky_fieldmap_add_rule(f->map, "", "x", &err),
			 KY_E_INVAL);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "abc", "", &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "abc"));
	assert_int_equal(ky_fieldmap_add_rule(f->map, "a*.", "", &err),
			 KY_E_INVAL);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "a.*", "x", &err),
			 KY_E_INVAL);
	assert_int_equal(ky_fieldmap_add_rule(f->map, "a.*b.", "", &err),
			 KY_E_INVAL);
	assert_int_equal(ky_fieldmap_add_time_field(f->map, ""), KY_E_INVAL);
	for (i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		assert_int_equal(ky_fieldmap_add_time_field(f->map, name), 0);
	}
	assert_int_equal(ky_fieldmap_add_time_field(f->map, "t99"),
			 KY_E_TOOBIG);
	/* a duplicate is not an error */
	assert_int_equal(ky_fieldmap_add_time_field(f->map, "t3"), 0);
}

static void test_from_config(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;
	struct ky_config cfg;
	struct ky_config_maprule rules[3] = {
		{(char *)"winlog.channel", (char *)"chan"},
		{(char *)"my.", (char *)""},
		{(char *)"src", (char *)"source.ip"},
	};
	char *times[] = {(char *)"seen"};
	struct ky_fieldmap *m = NULL;
	struct ky_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fieldmap_builtin = true;
	cfg.maprules = rules;
	cfg.nmaprules = 3;
	cfg.time_fields.v = times;
	cfg.time_fields.n = 1;
	assert_int_equal(ky_fieldmap_from_config(&m, &cfg, &err), 0);
	add(ev, "winlog.channel", "Security");
	add(ev, "winlog.event_id", "4624");
	add(ev, "my.thing", "t");
	add(ev, "src", "10.0.0.1");
	add(ev, "@timestamp", "2020-01-01T00:00:00Z");
	add(ev, "seen", "2021-06-01T00:00:00Z");
	assert_int_equal(ky_fieldmap_apply(m, ev), 0);
	expect_str(ev, "chan", "Security");
	expect_str(ev, "EventID", "4624");
	expect_str(ev, "thing", "t");
	expect_str(ev, "source.ip", "10.0.0.1");
	/* the configured time list replaces the built-in one */
	assert_true(ev->time_ns == ts("2021-06-01T00:00:00Z"));
	ky_fieldmap_free(m);

	/* without the built-in rules, evtx paths stay as they are */
	m = NULL;
	cfg.fieldmap_builtin = false;
	cfg.nmaprules = 0;
	cfg.time_fields.n = 0;
	assert_int_equal(ky_fieldmap_from_config(&m, &cfg, &err), 0);
	ky_event_reset(ev);
	add(ev, "Event.System.Channel", "Security");
	add(ev, "@timestamp", "2020-01-01T00:00:00Z");
	assert_int_equal(ky_fieldmap_apply(m, ev), 0);
	expect_str(ev, "Event.System.Channel", "Security");
	assert_int_equal(ev->time_ns, 0);
	ky_fieldmap_free(m);

	/* a bad rule names its index */
	m = NULL;
	rules[1].from = (char *)"bad";
	rules[1].to = (char *)"";
	cfg.nmaprules = 3;
	assert_int_equal(ky_fieldmap_from_config(&m, &cfg, &err), KY_E_INVAL);
	assert_null(m);
	assert_non_null(strstr(err.msg, "[1]"));
}

/* Odd paths from hostile input: nothing crashes, no path becomes empty. */
static void test_odd_paths(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;
	static const char *const parts[] = {
		"#text", "#attributes", "Name", "Data",	     "Data[0]", "[1]",
		"Event", "System",	"",	"EventData", "*",	"#",
	};
	const size_t np = sizeof(parts) / sizeof(parts[0]);
	char *buf;
	uint32_t seed = 12345, i, k, len;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	for (k = 0; k < 2000; k++) {
		ky_event_reset(ev);
		ky_arena_reset(f->arena);
		for (i = 0; i < 8; i++) {
			uint32_t nparts, j;

			buf = ky_arena_alloc(f->arena, 128);
			assert_non_null(buf);
			len = 0;
			seed = seed * 1103515245u + 12345u;
			nparts = 1 + (seed >> 16) % 5;
			for (j = 0; j < nparts; j++) {
				const char *p;

				seed = seed * 1103515245u + 12345u;
				p = parts[(seed >> 16) % np];
				if (j > 0)
					buf[len++] = '.';
				memcpy(buf + len, p, strlen(p));
				len += (uint32_t)strlen(p);
			}
			if (len == 0)
				continue;
			assert_int_equal(ky_event_add_str(ev, buf, len,
							  (seed & 1) ? "x" : "",
							  (seed & 1) ? 1 : 0),
					 0);
		}
		assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
		for (i = 0; i < ev->nfields; i++) {
			assert_non_null(ev->fields[i].path);
			assert_true(ev->fields[i].path_len > 0);
		}
	}
}

/* Built-in rules describe JSON shapes: a syslog event keeps its names
 * (and pays nothing), until a configured rule exists. */
static void test_builtin_json_only(void **state)
{
	struct fx *f = *state;
	struct ky_event *ev = &f->ev;
	struct ky_err err;

	assert_int_equal(ky_fieldmap_add_builtin(f->map), 0);
	ev->format = KY_FMT_SYSLOG3164;
	add(ev, "event_id", "7");
	add(ev, "Event.System.Channel", "x");
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	expect_str(ev, "event_id", "7");
	expect_str(ev, "Event.System.Channel", "x");

	ev->format = KY_FMT_JSON;
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	expect_str(ev, "EventID", "7");
	expect_str(ev, "Channel", "x");

	ky_event_reset(ev);
	ev->format = KY_FMT_CEF;
	add(ev, "cef.ext.cs1", "v");
	assert_int_equal(
		ky_fieldmap_add_rule(f->map, "cef.ext.cs1", "rule", &err), 0);
	assert_int_equal(ky_fieldmap_apply(f->map, ev), 0);
	expect_str(ev, "rule", "v");
	expect_absent(ev, "cef.ext.cs1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtin_json_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_evtx_flat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_evtx_data_pairs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_evtx_single_data_and_userdata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_winlogbeat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nxlog_flat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ecs_untouched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_time_selection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rules_by_hand, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_from_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odd_paths, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
