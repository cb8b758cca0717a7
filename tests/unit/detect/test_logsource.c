/* Log sources: the built-in map resolves SigmaHQ's logsources to event
 * conditions on mapped field names (evtx_dump and Winlogbeat shapes alike),
 * SigmaHQ's own tests/thor.yml loads into the same resolutions, and bad
 * files fail with file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "detect/logsource.h"
#include "event/event.h"
#include "event/parse.h"

static struct ky_arena *arena;

static int setup(void **state)
{
	(void)state;
	arena = ky_arena_new(4096, 0);
	return arena ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ky_arena_free(arena);
	return 0;
}

/* An event of "k=v" pairs; values of digits become integers. */
static void make_event(struct ky_event *ev, const char *const *kv, size_t n)
{
	assert_int_equal(ky_event_init(ev, arena, 64), 0);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char *path;

		assert_non_null(eq);
		path = ky_arena_strndup(arena, kv[i], (size_t)(eq - kv[i]));
		assert_non_null(path);
		if (eq[1] >= '0' && eq[1] <= '9' &&
		    strspn(eq + 1, "0123456789") == strlen(eq + 1))
			assert_int_equal(
				ky_event_add_int(ev, path, strlen(path),
						 strtoll(eq + 1, NULL, 10)),
				0);
		else
			assert_int_equal(ky_event_add_copy(ev, path, eq + 1,
							   strlen(eq + 1)),
					 0);
	}
}

static const struct ky_ls_alt *find_alt(const struct ky_ls_alt *const *alts,
					size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(alts[i]->name, name) == 0)
			return alts[i];
	return NULL;
}

static const char *rename_of(const struct ky_ls_alt *a, const char *field)
{
	for (size_t i = 0; i < a->nrenames; i++)
		if (strcmp(a->renames[2 * i], field) == 0)
			return a->renames[2 * i + 1];
	return NULL;
}

static bool any_match(const struct ky_ls_alt *const *alts, size_t n,
		      const struct ky_event *ev)
{
	for (size_t i = 0; i < n; i++)
		if (ky_ls_alt_match(alts[i], ev))
			return true;
	return false;
}

#define SYSMON "Channel=Microsoft-Windows-Sysmon/Operational"
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_process_creation(const struct ky_logsources *ls)
{
	const struct ky_ls_alt *const *alts, *const *again;
	const struct ky_ls_alt *a;
	struct ky_event ev;
	size_t n, n2;
	static const char *const sysmon1[] = {"EventID=1", SYSMON,
					      "Image=C:\\x.exe"};
	static const char *const sysmon1_other[] = {
		"EventID=1", "Channel=Microsoft-Windows-Other/Operational"};
	static const char *const sec4688[] = {
		"EventID=4688", "Channel=Security", "NewProcessName=C:\\x.exe"};
	static const char *const sysmon2[] = {"EventID=2", SYSMON};
	static const char *const nochannel[] = {"EventID=1"};

	assert_int_equal(ky_logsources_resolve(ls, "windows",
					       "process_creation", NULL, &alts,
					       &n),
			 0);
	assert_int_equal(n, 2);
	a = find_alt(alts, n, "process_creation_2");
	assert_non_null(a);
	assert_string_equal(rename_of(a, "Image"), "NewProcessName");
	assert_string_equal(rename_of(a, "ParentImage"), "ParentProcessName");
	assert_null(rename_of(a, "CommandLine"));
	a = find_alt(alts, n, "process_creation_1");
	assert_non_null(a);
	assert_int_equal(a->nrenames, 0);

	/* cached: same array, and keys compare case-insensitively */
	assert_int_equal(ky_logsources_resolve(ls, "Windows",
					       "PROCESS_CREATION", NULL, &again,
					       &n2),
			 0);
	assert_int_equal(n2, 2);
	assert_ptr_equal(again, alts);

	make_event(&ev, sysmon1, N(sysmon1));
	assert_true(
		ky_ls_alt_match(find_alt(alts, n, "process_creation_1"), &ev));
	assert_false(
		ky_ls_alt_match(find_alt(alts, n, "process_creation_2"), &ev));
	ky_event_free(&ev);
	make_event(&ev, sec4688, N(sec4688));
	assert_true(
		ky_ls_alt_match(find_alt(alts, n, "process_creation_2"), &ev));
	ky_event_free(&ev);
	/* near misses: another channel, another EventID, no channel */
	make_event(&ev, sysmon1_other, N(sysmon1_other));
	assert_false(any_match(alts, n, &ev));
	ky_event_free(&ev);
	make_event(&ev, sysmon2, N(sysmon2));
	assert_false(any_match(alts, n, &ev));
	ky_event_free(&ev);
	make_event(&ev, nochannel, N(nochannel));
	assert_false(any_match(alts, n, &ev));
	ky_event_free(&ev);
}

static void check_services(const struct ky_logsources *ls)
{
	const struct ky_ls_alt *const *alts;
	struct ky_event ev;
	size_t n;
	static const char *const sec[] = {"EventID=4624", "Channel=security"};
	static const char *const sys[] = {"EventID=7045", "Channel=System"};
	static const char *const ps[] = {
		"EventID=4104",
		"Channel=Microsoft-Windows-PowerShell/Operational"};
	static const char *const ps_core[] = {
		"EventID=4104", "Channel=PowerShellCore/Operational"};
	static const char *const ps_4103[] = {
		"EventID=4103", "Channel=PowerShellCore/Operational"};

	/* a service is its channel (case-insensitive, as Windows has it) */
	assert_int_equal(ky_logsources_resolve(ls, "windows", NULL, "security",
					       &alts, &n),
			 0);
	assert_int_equal(n, 1);
	make_event(&ev, sec, N(sec));
	assert_true(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);
	make_event(&ev, sys, N(sys));
	assert_false(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);

	/* ps_script: EventID 4104 on either PowerShell channel */
	assert_int_equal(ky_logsources_resolve(ls, "windows", "ps_script", NULL,
					       &alts, &n),
			 0);
	assert_int_equal(n, 1);
	make_event(&ev, ps, N(ps));
	assert_true(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);
	make_event(&ev, ps_core, N(ps_core));
	assert_true(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);
	make_event(&ev, ps_4103, N(ps_4103));
	assert_false(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);

	/* a product with no entry constrains nothing */
	assert_int_equal(
		ky_logsources_resolve(ls, "aws", NULL, "cloudtrail", &alts, &n),
		0);
	assert_int_equal(n, 0);
	/* a category entry naming a product does not apply to another */
	assert_int_equal(ky_logsources_resolve(ls, "macos", "process_creation",
					       NULL, &alts, &n),
			 0);
	assert_int_equal(n, 0);
	/* a rule naming a service no entry names is not given the
	 * category's entries either: (windows, process_creation, foo)
	 * still resolves through the category */
	assert_int_equal(ky_logsources_resolve(ls, "windows",
					       "process_creation", "foo", &alts,
					       &n),
			 0);
	assert_int_equal(n, 2);
}

static void check_registry_and_av(const struct ky_logsources *ls)
{
	const struct ky_ls_alt *const *alts;
	struct ky_event ev;
	size_t n;
	static const char *const del[] = {"EventID=12", SYSMON,
					  "EventType=DeleteValue"};
	static const char *const add[] = {"EventID=12", SYSMON,
					  "EventType=CreateKey"};
	static const char *const av[] = {
		"EventID=1116",
		"Channel=Microsoft-Windows-Windows Defender/Operational"};
	static const char *const av_other[] = {
		"EventID=1120",
		"Channel=Microsoft-Windows-Windows Defender/Operational"};

	assert_int_equal(ky_logsources_resolve(ls, "windows", "registry_delete",
					       NULL, &alts, &n),
			 0);
	assert_true(n >= 1);
	make_event(&ev, del, N(del));
	assert_true(any_match(alts, n, &ev));
	ky_event_free(&ev);
	make_event(&ev, add, N(add));
	assert_false(any_match(alts, n, &ev));
	ky_event_free(&ev);
	/* registry_event: 12, 13 and 14 */
	assert_int_equal(ky_logsources_resolve(ls, "windows", "registry_event",
					       NULL, &alts, &n),
			 0);
	make_event(&ev, add, N(add));
	assert_true(any_match(alts, n, &ev));
	ky_event_free(&ev);

	/* antivirus names no product in thor.yml: any product fits */
	assert_int_equal(
		ky_logsources_resolve(ls, NULL, "antivirus", NULL, &alts, &n),
		0);
	assert_int_equal(n, 1);
	/* thor.yml: ThreatName; built in: the event's own "Threat Name" */
	assert_true(
		strcmp(rename_of(alts[0], "Signature"), "ThreatName") == 0 ||
		strcmp(rename_of(alts[0], "Signature"), "Threat Name") == 0);
	assert_string_equal(rename_of(alts[0], "Filename"), "Path");
	make_event(&ev, av, N(av));
	assert_true(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);
	make_event(&ev, av_other, N(av_other));
	assert_false(ky_ls_alt_match(alts[0], &ev));
	ky_event_free(&ev);
}

static void test_builtin(void **state)
{
	struct ky_logsources *ls = ky_logsources_builtin();

	(void)state;
	assert_non_null(ls);
	check_process_creation(ls);
	check_services(ls);
	check_registry_and_av(ls);
	/* Defender's names with spaces, for rules that write none */
	{
		const struct ky_ls_alt *const *alts;
		size_t n;

		assert_int_equal(ky_logsources_resolve(ls, "windows", NULL,
						       "windefend", &alts, &n),
				 0);
		assert_int_equal(n, 1);
		assert_string_equal(rename_of(alts[0], "ThreatName"),
				    "Threat Name");
		assert_string_equal(rename_of(alts[0], "ProcessName"),
				    "Process Name");
		assert_null(rename_of(alts[0], "Path"));
	}
	ky_logsources_free(ls);
	ky_logsources_free(NULL);
}

/* Both Windows shapes, through the real parser and field map, satisfy the
 * built-in conditions: Winlogbeat 8 writes event_id as a string. */
static void test_shapes(void **state)
{
	static const char evtx[] =
		"{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{"
		"\"Name\":\"Microsoft-Windows-Sysmon\"}},\"EventID\":1,"
		"\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"},"
		"\"EventData\":{\"Image\":\"C:\\\\a.exe\"}}}";
	static const char wlb8[] =
		"{\"winlog\":{\"event_id\":\"4688\",\"channel\":\"Security\","
		"\"provider_name\":\"Microsoft-Windows-Security-Auditing\","
		"\"event_data\":{\"NewProcessName\":\"C:\\\\a.exe\"}}}";
	static const char wlb6[] =
		"{\"event_id\":1,\"log_name\":\"Microsoft-Windows-Sysmon/"
		"Operational\",\"event_data\":{\"Image\":\"C:\\\\a.exe\"}}";
	static const char ecs[] =
		"{\"event\":{\"code\":\"1\"},\"process\":{\"executable\":"
		"\"C:\\\\a.exe\"}}";
	struct ky_logsources *ls = ky_logsources_builtin();
	const struct ky_ls_alt *const *alts;
	struct ky_parser *p = NULL;
	struct ky_parse_ctx *c = NULL;
	struct ky_event *ev;
	struct ky_err err;
	size_t n;

	(void)state;
	assert_non_null(ls);
	assert_int_equal(ky_parser_new(&p, NULL, &err), 0);
	assert_int_equal(ky_parse_ctx_new(p, &c), 0);
	assert_int_equal(ky_logsources_resolve(ls, "windows",
					       "process_creation", NULL, &alts,
					       &n),
			 0);
	assert_int_equal(ky_parse_record(c, KY_FMT_JSON, evtx, sizeof(evtx) - 1,
					 1, &ev, &err),
			 0);
	assert_true(
		ky_ls_alt_match(find_alt(alts, n, "process_creation_1"), ev));
	assert_int_equal(ky_parse_record(c, KY_FMT_JSON, wlb8, sizeof(wlb8) - 1,
					 1, &ev, &err),
			 0);
	assert_true(
		ky_ls_alt_match(find_alt(alts, n, "process_creation_2"), ev));
	assert_false(
		ky_ls_alt_match(find_alt(alts, n, "process_creation_1"), ev));
	assert_int_equal(ky_parse_record(c, KY_FMT_JSON, wlb6, sizeof(wlb6) - 1,
					 1, &ev, &err),
			 0);
	assert_true(any_match(alts, n, ev));
	/* ECS alone carries no channel: not a Windows process creation */
	assert_int_equal(ky_parse_record(c, KY_FMT_JSON, ecs, sizeof(ecs) - 1,
					 1, &ev, &err),
			 0);
	assert_false(any_match(alts, n, ev));
	ky_parse_ctx_free(c);
	ky_parser_free(p);
	ky_logsources_free(ls);
}

static void test_thor_yml(void **state)
{
	const char *root = getenv("KYKLOS_SHARED_DATA");
	const struct ky_ls_alt *const *alts;
	struct ky_logsources *ls = NULL;
	struct ky_err err = {0};
	char path[4096];
	struct stat st;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/sigma/tests/thor.yml",
		 root ? root : "../shared/data");
	if (stat(path, &st) != 0) {
		printf("SKIP: %s is absent (folder sigma/tests)\n", path);
		skip();
	}
	if (ky_logsources_load(&ls, path, &err) != 0)
		fail_msg("%s", err.msg);
	/* the same resolutions as the built-in map */
	check_process_creation(ls);
	check_services(ls);
	check_registry_and_av(ls);
	/* thor.yml splits registry_delete in two entries, one per EventType */
	assert_int_equal(ky_logsources_resolve(ls, "windows", "registry_delete",
					       NULL, &alts, &n),
			 0);
	assert_int_equal(n, 2);
	/* File: sources give no condition: the entry matches any event */
	assert_int_equal(
		ky_logsources_resolve(ls, "linux", NULL, "auth", &alts, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(alts[0]->nconds, 0);
	ky_logsources_free(ls);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void expect_error(const char *text, int status, const char *where,
			 const char *what)
{
	char path[] = "/tmp/test_logsource_XXXXXX";
	struct ky_logsources *ls = (struct ky_logsources *)1;
	struct ky_err err = {0};
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, text);
	assert_int_equal(ky_logsources_load(&ls, path, &err), status);
	assert_null(ls);
	if (!strstr(err.msg, where) || !strstr(err.msg, what))
		fail_msg("expected '%s' and '%s' in: %s", where, what, err.msg);
	assert_ptr_equal(strstr(err.msg, path), err.msg);
	unlink(path);
}

static void test_bad_files(void **state)
{
	struct ky_logsources *ls = NULL;
	struct ky_err err = {0};
	char big[70000];

	(void)state;
	expect_error("logsources:\n  a: {category: x\n", KY_E_PARSE, ":",
		     "YAML syntax error");
	expect_error("- a\n- b\n", KY_E_CONFIG, ":1:1:", "expected a mapping");
	expect_error("title: x\n", KY_E_CONFIG, ":1:1:", "logsources");
	expect_error("logsources:\n  a:\n    category: x\n    conditions:\n"
		     "      - EventID\n",
		     KY_E_CONFIG, ":4:5:", "conditions must be a mapping");
	expect_error("logsources:\n  a:\n    category: x\n    conditions:\n"
		     "      EventID: []\n",
		     KY_E_CONFIG, ":5:7:", "empty list");
	expect_error("logsources:\n  a:\n    category: x\n    conditions:\n"
		     "      EventID: {a: 1}\n",
		     KY_E_CONFIG, ":5:7:", "expected a text value");
	expect_error("logsources:\n  a:\n    category: x\n    fieldmappings:\n"
		     "      Image: [a, b]\n",
		     KY_E_CONFIG, ":5:7:", "not a list");
	expect_error("logsources:\n  a:\n    sources: File:/x\n", KY_E_CONFIG,
		     ":3:5:", "sources must be a list");
	expect_error("logsources:\n  a: 3\n", KY_E_CONFIG,
		     ":2:3:", "must be a mapping");
	/* a huge value and invalid UTF-8 do not upset the loader */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char path[] = "/tmp/test_logsource_XXXXXX";
		int fd = mkstemp(path);
		FILE *fp;
		const struct ky_ls_alt *const *alts;
		size_t n;

		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		assert_non_null(fp);
		fprintf(fp,
			"logsources:\n  big:\n    category: big\n"
			"    conditions:\n      F: %s\n",
			big);
		fclose(fp);
		if (ky_logsources_load(&ls, path, &err) != 0)
			fail_msg("%s", err.msg);
		assert_int_equal(
			ky_logsources_resolve(ls, NULL, "big", NULL, &alts, &n),
			0);
		assert_int_equal(n, 1);
		assert_int_equal(strlen(alts[0]->conds[0].values[0]),
				 sizeof(big) - 1);
		ky_logsources_free(ls);
		ls = NULL;
		write_file(path, "logsources:\n  a:\n    category: \xff\xfe\n");
		/* libfyaml does not check UTF-8: the loader does, first */
		assert_int_equal(ky_logsources_load(&ls, path, &err),
				 KY_E_CONFIG);
		assert_null(ls);
		assert_non_null(strstr(err.msg, ":3:15: invalid UTF-8"));
		/* found by fuzz_logsource: libfyaml 0.7.12 loops forever on
		 * an invalid byte in a directive; it must never see it */
		write_file(path, "%\xa6");
		assert_int_equal(ky_logsources_load(&ls, path, &err),
				 KY_E_CONFIG);
		assert_non_null(strstr(err.msg, ":1:2: invalid UTF-8"));
		ls = NULL;
		unlink(path);
	}
	assert_int_equal(ky_logsources_load(&ls, "/nonexistent/thor.yml", &err),
			 KY_E_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/thor.yml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_thor_yml),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
