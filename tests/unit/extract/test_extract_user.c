/* User-defined extraction patterns: every capture type, lazy data with
 * backtracking, precedence over the built-ins, program restriction, and
 * bad patterns failing with the pattern name and column. */
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
#include "event/event.h"
#include "event/extract.h"

struct fx {
	struct ky_extractors *x;
	struct ky_extract_scratch *s;
	struct ky_arena *arena;
	struct ky_event ev;
};

static void fx_open(struct fx *f, bool builtin,
		    const struct ky_config_pattern *p, size_t n)
{
	struct ky_config cfg;
	struct ky_err err = {0};

	memset(&cfg, 0, sizeof(cfg));
	memset(f, 0, sizeof(*f));
	cfg.extract_builtin = builtin;
	cfg.patterns = (struct ky_config_pattern *)p;
	cfg.npatterns = n;
	if (ky_extractors_new(&f->x, &cfg, &err) != 0)
		fail_msg("ky_extractors_new: %s", err.msg);
	assert_int_equal(ky_extract_scratch_new(f->x, &f->s), 0);
	f->arena = ky_arena_new(4096, 0);
	assert_non_null(f->arena);
	assert_int_equal(ky_event_init(&f->ev, f->arena, 256), 0);
}

static void fx_close(struct fx *f)
{
	ky_event_free(&f->ev);
	ky_arena_free(f->arena);
	ky_extract_scratch_free(f->s);
	ky_extractors_free(f->x);
}

static int run(struct fx *f, const char *prog, const char *msg)
{
	ky_event_reset(&f->ev);
	ky_arena_reset(f->arena);
	return ky_extract(f->x, f->s, prog, prog ? strlen(prog) : 0, msg,
			  strlen(msg), &f->ev);
}

static void str_is(struct fx *f, const char *path, const char *want)
{
	const struct ky_field *fl = ky_event_get(&f->ev, path);

	if (fl == NULL)
		fail_msg("field %s missing (want \"%s\")", path, want);
	if (fl->str_len != strlen(want) ||
	    memcmp(fl->str, want, fl->str_len) != 0)
		fail_msg("field %s = \"%.*s\", want \"%s\"", path,
			 (int)fl->str_len, fl->str, want);
}

static void int_is(struct fx *f, const char *path, int64_t want)
{
	const struct ky_field *fl = ky_event_get(&f->ev, path);

	if (fl == NULL)
		fail_msg("field %s missing", path);
	assert_int_equal(fl->type, KY_V_INT);
	assert_int_equal(fl->v.i, want);
}

static void test_precedence_and_program(void **state)
{
	static const struct ky_config_pattern p[] = {
		{"my_ssh", "sshd",
		 "Accepted %{word:auth} for %{word:user.name} from "
		 "%{ip:source.ip} port %{int:source.port}"},
		{"app_login", "myapp", "login ok user=%{word:user.name}"},
	};
	struct fx f;

	(void)state;
	fx_open(&f, true, p, 2);
	assert_int_equal(ky_extractors_count(f.x), 2 + 11);
	assert_string_equal(ky_extractor_name(f.x, 0), "my_ssh");
	assert_string_equal(ky_extractor_name(f.x, 1), "app_login");

	/* the user pattern wins over the built-in, trailing text ignored */
	assert_int_equal(run(&f, "sshd",
			     "Accepted password for root from "
			     "10.0.0.1 port 22 ssh2"),
			 1);
	str_is(&f, "auth", "password");
	str_is(&f, "user.name", "root");
	str_is(&f, "source.ip", "10.0.0.1");
	int_is(&f, "source.port", 22);
	assert_null(ky_event_get(&f.ev, "event.action"));
	assert_int_equal(f.ev.nfields, 4);

	/* the user pattern does not fit: the built-in still applies */
	assert_int_equal(run(&f, "sshd",
			     "Accepted password for root from "
			     "gw.example port 22 ssh2"),
			 1);
	str_is(&f, "event.action", "ssh_login");
	str_is(&f, "source.domain", "gw.example");

	assert_int_equal(run(&f, "myapp", "login ok user=alice"), 1);
	str_is(&f, "user.name", "alice");
	assert_int_equal(run(&f, NULL, "login ok user=alice"), 1);
	assert_int_equal(run(&f, "otherapp", "login ok user=alice"), 0);
	assert_int_equal(f.ev.nfields, 0);
	/* anchored at the start of the message */
	assert_int_equal(run(&f, "myapp", "x login ok user=alice"), 0);
	fx_close(&f);
}

/* A configured program is normalised like the messages' tags: a path or
 * a "[pid]:" suffix in the configuration still names the program. */
static void test_program_normalised(void **state)
{
	static const struct ky_config_pattern p[] = {
		{"by_path", "/usr/local/bin/myapp", "hello %{word:user.name}"},
		{"by_tag", "otherd[12]:", "bye %{word:user.name}"},
	};
	static const struct ky_config_pattern bad[] = {
		{"empty", "[1]:", "x %{word:a}"},
	};
	struct ky_extractors *x = NULL;
	struct ky_config cfg;
	struct ky_err err = {0};
	struct fx f;

	(void)state;
	fx_open(&f, false, p, 2);
	assert_int_equal(run(&f, "myapp", "hello alice"), 1);
	str_is(&f, "user.name", "alice");
	assert_int_equal(run(&f, "/usr/bin/myapp[7]:", "hello bob"), 1);
	str_is(&f, "user.name", "bob");
	assert_int_equal(run(&f, "otherd", "bye carol"), 1);
	assert_int_equal(run(&f, "myapp", "bye carol"), 0);
	fx_close(&f);

	memset(&cfg, 0, sizeof(cfg));
	cfg.patterns = (struct ky_config_pattern *)bad;
	cfg.npatterns = 1;
	assert_int_equal(ky_extractors_new(&x, &cfg, &err), KY_E_CONFIG);
	assert_null(x);
	assert_string_equal(err.msg,
			    "pattern 'empty': program '[1]:' names no program");
}

static void test_types(void **state)
{
	static const struct ky_config_pattern p[] = {
		{"all", NULL,
		 "t=%{word:w} n=%{notspace:ns} i=%{int:i} ip=%{ip:ip} "
		 "v4=%{ipv4:v4} v6=%{ipv6:v6} h=%{host:h} q=%{quoted:q} "
		 "x=%{hex:x} d=%{data:d}; r=%{rest:r}"},
		{"back", NULL, "B %{data:a}:%{int:b}!"},
		{"unnamed", NULL, "U %{data}user=%{word:user.name}"},
		{"pct", NULL, "100%% of %{int:n}"},
		{"hostport", NULL, "H %{ip:a}:%{int:p} [%{ipv6:b}]:%{int:q}"},
		{"word_stop", NULL, "W %{word:k}=%{word:v},%{word:z}"},
		{"norest", NULL, "%{rest:all}"},
	};
	struct fx f;

	(void)state;
	fx_open(&f, false, p, sizeof(p) / sizeof(p[0]));
	assert_int_equal(run(&f, NULL,
			     "t=ab n=a=b,c i=-42 ip=::1 v4=10.1.2.3 v6=fe80::1 "
			     "h=db-1.example.org q=\"say \\\"hi\\\"\" "
			     "x=deadBEEF d=some data; here; r=the rest"),
			 1);
	str_is(&f, "w", "ab");
	str_is(&f, "ns", "a=b,c");
	int_is(&f, "i", -42);
	str_is(&f, "ip", "::1");
	str_is(&f, "v4", "10.1.2.3");
	str_is(&f, "v6", "fe80::1");
	str_is(&f, "h", "db-1.example.org");
	str_is(&f, "q", "say \"hi\"");
	str_is(&f, "x", "deadBEEF");
	str_is(&f, "d", "some data; here");
	str_is(&f, "r", "the rest");

	/* lazy data tries the next ':' when the int after the first fails */
	assert_int_equal(run(&f, NULL, "B x:y:12!"), 1);
	str_is(&f, "a", "x:y");
	int_is(&f, "b", 12);

	assert_int_equal(run(&f, NULL, "U foo bar user=alice x"), 1);
	assert_int_equal(f.ev.nfields, 1);
	str_is(&f, "user.name", "alice");

	assert_int_equal(run(&f, NULL, "100% of 5"), 1);
	int_is(&f, "n", 5);

	assert_int_equal(run(&f, NULL, "H 10.0.0.1:8080 [fe80::1]:22"), 1);
	str_is(&f, "a", "10.0.0.1");
	int_is(&f, "p", 8080);
	str_is(&f, "b", "fe80::1");
	int_is(&f, "q", 22);

	assert_int_equal(run(&f, NULL, "W key=val,zz"), 1);
	str_is(&f, "k", "key");
	str_is(&f, "v", "val");
	str_is(&f, "z", "zz");

	/* with no literal the pattern is always a candidate */
	assert_int_equal(run(&f, NULL, "anything at all"), 1);
	str_is(&f, "all", "anything at all");
	fx_close(&f);
}

static void test_type_mismatch(void **state)
{
	static const struct ky_config_pattern p[] = {
		{"ip", NULL, "ip=%{ip:a} ."},
		{"v4", NULL, "v4=%{ipv4:a} ."},
		{"v6", NULL, "v6=%{ipv6:a} ."},
		{"int", NULL, "int=%{int:a} ."},
		{"hex", NULL, "hex=%{hex:a} ."},
		{"q", NULL, "q=%{quoted:a} ."},
		{"word", NULL, "word=%{word:a} ."},
		{"host", NULL, "host=%{host:a} ."},
	};
	static const char *const bad[] = {
		"ip=1.2.3 .",
		"ip=1.2.3.4.5 .",
		"ip=300.1.1.1 .",
		"v4=::1 .",
		"v4=1.2.3.4x .",
		"v6=1.2.3.4 .",
		"v6=fe80::g .",
		"int=12a .",
		"int= .",
		"int=99999999999999999999 .",
		"hex=xyz .",
		"q=\"unterminated .",
		"q=noquote .",
		"word= .",
		"host=/bad .",
		"ip=1.2.3.4",
		"",
	};
	struct fx f;

	(void)state;
	fx_open(&f, false, p, sizeof(p) / sizeof(p[0]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run(&f, NULL, bad[i]) != 0 || f.ev.nfields != 0)
			fail_msg("case %zu matched: %s", i, bad[i]);
	}
	assert_int_equal(run(&f, NULL, "int=-9223372036854775808 ."), 1);
	int_is(&f, "a", INT64_MIN);
	fx_close(&f);
}

static void expect_bad(const char *name, const char *pattern, const char *want)
{
	struct ky_config_pattern p = {(char *)name, NULL, (char *)pattern};
	struct ky_config cfg;
	struct ky_extractors *x = NULL;
	struct ky_err err = {0};

	memset(&cfg, 0, sizeof(cfg));
	cfg.extract_builtin = true;
	cfg.patterns = &p;
	cfg.npatterns = 1;
	assert_int_equal(ky_extractors_new(&x, &cfg, &err), KY_E_CONFIG);
	assert_null(x);
	if (strstr(err.msg, want) == NULL)
		fail_msg("pattern \"%s\": error \"%s\", want \"%s\"",
			 pattern ? pattern : "(null)", err.msg, want);
}

static void test_bad_patterns(void **state)
{
	char big[400];

	(void)state;
	expect_bad("p1", "foo %{word:x",
		   "pattern 'p1': column 5: unterminated");
	expect_bad("p2", "foo %{wrd:x}",
		   "pattern 'p2': column 7: unknown "
		   "type 'wrd'");
	expect_bad("p3", "a %{word:}", "column 10: empty field name");
	expect_bad("p4", "%{word:a b}", "column 9: bad character");
	expect_bad("p5", "%{word:a}%{int:b}", "column 10: captures must be");
	expect_bad("p6", "%{rest:a} tail", "column 1: %{rest} must be");
	expect_bad("p7", "", "column 1: empty pattern");
	expect_bad("p8", NULL, "column 1: empty pattern");
	expect_bad("p9", "x %{}", "column 5: unknown type ''");
	expect_bad("", "x", "#1: missing name");
	/* 50 literals and 50 captures: 100 tokens */
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i < 50; i++)
		memcpy(big + i * 7, "-%{hex}", 7);
	expect_bad("p10", big, "too many tokens");

	/* duplicate names */
	struct ky_config_pattern p[2] = {{"dup", NULL, "a"},
					 {"dup", NULL, "b"}};
	struct ky_config cfg;
	struct ky_extractors *x = NULL;
	struct ky_err err = {0};
	memset(&cfg, 0, sizeof(cfg));
	cfg.patterns = p;
	cfg.npatterns = 2;
	assert_int_equal(ky_extractors_new(&x, &cfg, &err), KY_E_CONFIG);
	assert_non_null(strstr(err.msg, "'dup': duplicate name"));
}

static void test_hostile_backtracking(void **state)
{
	static const struct ky_config_pattern p[] = {
		{"bt", NULL, "%{data:a}a%{data:b}b%{data:c}c%{int:d}"},
	};
	size_t n = 20000;
	char *msg = malloc(n + 1);
	struct fx f;

	(void)state;
	assert_non_null(msg);
	for (size_t i = 0; i < n; i++)
		msg[i] = "abc"[i % 3];
	msg[n] = '\0';
	fx_open(&f, false, p, 1);
	/* bounded work: no int after any 'c', so no match */
	assert_int_equal(run(&f, NULL, msg), 0);
	assert_int_equal(run(&f, NULL, "xaybzc42"), 1);
	int_is(&f, "d", 42);
	str_is(&f, "a", "x");
	fx_close(&f);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence_and_program),
		cmocka_unit_test(test_program_normalised),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_type_mismatch),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_hostile_backtracking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
