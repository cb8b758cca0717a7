/* The event record: adding fields, the field cap, lookup, JSON output,
 * format names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "event/event.h"

static void test_fields(void **state)
{
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_event ev;
	struct ky_buf b;
	char path[32];
	(void)state;

	assert_int_equal(ky_event_init(&ev, a, 200), 0);
	assert_int_equal(ky_event_add_str(&ev, "user.name", 9, "alice", 5), 0);
	assert_int_equal(ky_event_add_int(&ev, "source.port", 11, -42), 0);
	assert_int_equal(ky_event_add_copy(&ev, "msg", "a\"b", 3), 0);
	const struct ky_field *f = ky_event_get(&ev, "source.port");
	assert_non_null(f);
	assert_int_equal(f->type, KY_V_INT);
	assert_int_equal(f->v.i, -42);
	assert_memory_equal(f->str, "-42", 3);
	assert_null(ky_event_get(&ev, "source"));
	assert_non_null(ky_event_getn(&ev, "user.namexx", 9));

	ky_buf_init(&b, 0);
	ev.recv_ns = 0;
	ev.format = KY_FMT_JSON;
	assert_int_equal(ky_event_to_json(&ev, &b), 0);
	assert_string_equal(b.data,
			    "{\"@recv\":\"1970-01-01T00:00:00.000Z\","
			    "\"@format\":\"json\",\"user.name\":\"alice\","
			    "\"source.port\":-42,\"msg\":\"a\\\"b\"}");
	ky_buf_free(&b);

	/* The cap: 200 fields, then KY_E_TOOBIG, growth on the way. */
	ky_event_reset(&ev);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		assert_int_equal(ky_event_add_copy(&ev, path, "v", 1), 0);
	}
	assert_int_equal(ky_event_add_str(&ev, "x", 1, "y", 1), KY_E_TOOBIG);
	assert_int_equal(ev.nfields, 200);
	assert_non_null(ky_event_get(&ev, "f199"));
	ky_event_free(&ev);
	ky_arena_free(a);
}

static void test_formats(void **state)
{
	enum ky_format f;
	(void)state;

	assert_int_equal(ky_format_parse("rfc5424", &f), 0);
	assert_int_equal(f, KY_FMT_SYSLOG5424);
	assert_int_equal(ky_format_parse("cef", &f), 0);
	assert_int_equal(f, KY_FMT_CEF);
	assert_string_equal(ky_format_name(KY_FMT_SYSLOG3164), "syslog3164");
	assert_int_equal(ky_format_parse("xml", &f), KY_E_INVAL);
	assert_string_equal(ky_format_name((enum ky_format)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
