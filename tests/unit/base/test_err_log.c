/* Error names and messages; log lines in text and JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/log.h"

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(ky_strerror(KY_OK), "success");
	assert_string_equal(ky_strerror(KY_E_PARSE), "parse error");
	assert_string_equal(ky_strerror(KY_E_TOOBIG), "limit exceeded");
	assert_string_equal(ky_strerror(12345), "unknown error");
	/* Every code has its own text. */
	for (int a = 0; a >= KY_E_PERM; a--)
		for (int b = a - 1; b >= KY_E_PERM; b--)
			assert_string_not_equal(ky_strerror(a), ky_strerror(b));
}

static void test_err_set_prefix(void **state)
{
	struct ky_err err;
	(void)state;

	assert_int_equal(ky_err_set(&err, KY_E_PARSE, "offset %d: bad", 7),
			 KY_E_PARSE);
	assert_int_equal(err.status, KY_E_PARSE);
	assert_string_equal(err.msg, "offset 7: bad");
	ky_err_prefix(&err, "%s:%d", "in.log", 3);
	assert_string_equal(err.msg, "in.log:3: offset 7: bad");
	assert_int_equal(ky_err_set(NULL, KY_E_IO, "x"), KY_E_IO);
	ky_err_clear(&err);
	assert_int_equal(err.status, 0);
	assert_string_equal(err.msg, "");
}

/* Runs fn with stderr sent to a temporary file and returns its text. */
static char *capture(void (*fn)(void))
{
	static char out[8192];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void log_some(void)
{
	KY_INFO("hello %s", "world");
	KY_DEBUG("not shown at info");
	KY_ERROR("quote \" and newline \n end");
}

static void test_log_text_and_json(void **state)
{
	enum ky_level lv;
	char *s;
	(void)state;

	unsetenv("JOURNAL_STREAM");
	ky_log_set_level(KY_LOG_INFO);
	ky_log_set_format(KY_LOG_TEXT);
	s = capture(log_some);
	assert_non_null(strstr(s, "info: hello world (test_err_log.c:"));
	assert_null(strstr(s, "not shown"));
	assert_non_null(strstr(s, "error: quote"));

	ky_log_set_format(KY_LOG_JSON);
	s = capture(log_some);
	assert_non_null(strstr(s, "\"level\":\"info\""));
	assert_non_null(strstr(s, "\"msg\":\"hello world\""));
	assert_non_null(
		strstr(s, "\"msg\":\"quote \\\" and newline \\n end\""));
	/* Two lines, each a complete object. */
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_int_equal(s[strlen(s) - 2], '}');

	ky_log_set_format(KY_LOG_TEXT);
	setenv("JOURNAL_STREAM", "8:1234", 1);
	s = capture(log_some);
	assert_int_equal(strncmp(s, "<6>info: hello world", 20), 0);
	unsetenv("JOURNAL_STREAM");

	assert_int_equal(ky_log_level_parse("debug", &lv), 0);
	assert_int_equal(lv, KY_LOG_DEBUG);
	assert_int_equal(ky_log_level_parse("loud", &lv), KY_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_err_set_prefix),
		cmocka_unit_test(test_log_text_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
