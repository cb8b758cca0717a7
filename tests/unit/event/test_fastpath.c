/* Tests for the shortcuts of the record path: the field map's first-byte
 * reject (paths that almost match a rule), the fixed-position RFC 3339
 * reader against a digit-by-digit reference, the compact-JSON shortcuts
 * against the same documents with whitespace, the inline field append, the
 * sshd extractor's reverse search and port reader, and the hash tail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/time.h"
#include "event/event.h"
#include "event/fieldmap.h"
#include "event/json.h"
#include "event/parse.h"

/* 2024-05-01T00:00:00Z */
#define RECV_NS (1714521600LL * 1000000000LL)

/* ---- field map: near misses of the built-in rules ---- */

static const char *mapped(struct ky_fieldmap *m, const char *path)
{
	static char out[256];
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_event ev;

	assert_non_null(a);
	assert_int_equal(ky_event_init(&ev, a, 16), 0);
	ev.format = KY_FMT_JSON;
	assert_int_equal(ky_event_add_str(&ev, path, strlen(path), "v", 1), 0);
	assert_int_equal(ky_fieldmap_apply(m, &ev), 0);
	assert_int_equal(ev.nfields, 1);
	snprintf(out, sizeof(out), "%.*s", (int)ev.fields[0].path_len,
		 ev.fields[0].path);
	ky_event_free(&ev);
	ky_arena_free(a);
	return out;
}

static void test_map_near_misses(void **state)
{
	struct ky_fieldmap *m = ky_fieldmap_new();

	(void)state;
	assert_non_null(m);
	assert_int_equal(ky_fieldmap_add_builtin(m), 0);
	/* the rules themselves */
	assert_string_equal(mapped(m, "winlog.event_id"), "EventID");
	assert_string_equal(mapped(m, "event_data.User"), "User");
	assert_string_equal(mapped(m, "Event.System.Computer"), "Computer");
	assert_string_equal(mapped(m, "Event.UserData.X.Y"), "Y");
	assert_string_equal(mapped(m, "SourceName"), "Provider_Name");
	/* one byte away: same first byte, same length, same last byte */
	assert_string_equal(mapped(m, "winlog.event_iD"), "winlog.event_iD");
	assert_string_equal(mapped(m, "winlog.event_idd"), "winlog.event_idd");
	assert_string_equal(mapped(m, "xwinlog.event_id"), "xwinlog.event_id");
	assert_string_equal(mapped(m, "event_datX.User"), "event_datX.User");
	assert_string_equal(mapped(m, "event.data.User"), "event.data.User");
	assert_string_equal(mapped(m, "event_data."), "event_data.");
	assert_string_equal(mapped(m, "Event.System"), "Event.System");
	assert_string_equal(mapped(m, "Event.UserData..Y"),
			    "Event.UserData..Y");
	assert_string_equal(mapped(m, "sourceName"), "sourceName");
	/* first bytes no rule starts with pass untouched */
	assert_string_equal(mapped(m, "host.name"), "host.name");
	assert_string_equal(mapped(m, "x"), "x");
	assert_string_equal(mapped(m, "\xff"), "\xff");
	ky_fieldmap_free(m);
}

static void test_map_configured_first_bytes(void **state)
{
	struct ky_fieldmap *m = ky_fieldmap_new();
	struct ky_err err;

	(void)state;
	assert_non_null(m);
	/* a rule on a byte no built-in rule uses, and a leading wildcard
	 * that applies to every path whatever its first byte */
	assert_int_equal(ky_fieldmap_add_rule(m, "host.name", "Computer", &err),
			 0);
	assert_string_equal(mapped(m, "host.name"), "Computer");
	assert_string_equal(mapped(m, "host.names"), "host.names");
	assert_string_equal(mapped(m, "zhost.name"), "zhost.name");
	assert_int_equal(ky_fieldmap_add_rule(m, "*.inner.", "", &err), 0);
	assert_string_equal(mapped(m, "q.inner.v"), "v");
	assert_string_equal(mapped(m, "Q.inner.v"), "v");
	assert_string_equal(mapped(m, "q.outer.v"), "q.outer.v");
	ky_fieldmap_free(m);
}

/* The time field is found by its first byte too: a configured list
 * replaces the built-in one, so "@timestamp" no longer counts. */
static void test_map_time_fields(void **state)
{
	struct ky_fieldmap *m = ky_fieldmap_new();
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_event ev;

	(void)state;
	assert_non_null(m);
	assert_non_null(a);
	assert_int_equal(ky_fieldmap_add_time_field(m, "zeit"), 0);
	assert_int_equal(ky_event_init(&ev, a, 16), 0);
	ev.format = KY_FMT_JSON;
	assert_int_equal(ky_event_add_str(&ev, "@timestamp", 10,
					  "2024-01-01T00:00:00Z", 20),
			 0);
	assert_int_equal(ky_fieldmap_apply(m, &ev), 0);
	assert_true(ev.time_ns == 0);
	assert_int_equal(
		ky_event_add_str(&ev, "zeit", 4, "2024-01-02T00:00:00Z", 20),
		0);
	assert_int_equal(ky_fieldmap_apply(m, &ev), 0);
	assert_true(ev.time_ns == 1704153600LL * KY_NS_PER_SEC);
	ky_event_free(&ev);
	ky_arena_free(a);
	ky_fieldmap_free(m);
}

/* ---- RFC 3339: fixed positions against the digit-by-digit reader ---- */

static int ref_digits(const char *s, size_t n, size_t *i, unsigned k)
{
	int v = 0;

	if (n - *i < k)
		return -1;
	for (unsigned j = 0; j < k; j++) {
		char c = s[*i + j];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += k;
	return v;
}

/* The header of the former reader: 0 when it would have gone on. */
static int ref_header(const char *s, size_t n)
{
	size_t i = 0;

	if (ref_digits(s, n, &i, 4) < 0 || i >= n || s[i++] != '-' ||
	    ref_digits(s, n, &i, 2) < 0 || i >= n || s[i++] != '-' ||
	    ref_digits(s, n, &i, 2) < 0 || i >= n)
		return -1;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return -1;
	i++;
	if (ref_digits(s, n, &i, 2) < 0 || i >= n || s[i++] != ':' ||
	    ref_digits(s, n, &i, 2) < 0 || i >= n || s[i++] != ':' ||
	    ref_digits(s, n, &i, 2) < 0)
		return -1;
	return 0;
}

static void test_rfc3339_positions(void **state)
{
	static const char good[] = "2024-02-29T23:59:60.123456789+01:30";
	static const char subst[] = "0/:T -Zx\xff";
	char s[64];
	int64_t ns, ns2;
	size_t n = sizeof(good) - 1;

	(void)state;
	assert_int_equal(ky_time_parse_rfc3339(good, n, &ns), (int)n);
	/* every prefix, and every byte of the header replaced by others */
	for (size_t k = 0; k <= n; k++) {
		int r = ky_time_parse_rfc3339(good, k, &ns2);
		if (k < 19)
			assert_int_equal(r, KY_E_PARSE);
		else
			assert_true(r > 0 || ref_header(good, k) != 0 ||
				    r == KY_E_PARSE);
	}
	for (size_t p = 0; p < 19; p++) {
		for (size_t j = 0; j < sizeof(subst) - 1; j++) {
			memcpy(s, good, n);
			s[p] = subst[j];
			int r = ky_time_parse_rfc3339(s, n, &ns2);
			if (ref_header(s, n) != 0)
				assert_int_equal(r, KY_E_PARSE);
			else if (r > 0)
				assert_true(ns2 != 0);
		}
	}
	/* known values, from the day cache and around it */
	assert_true(ky_time_parse_rfc3339("1970-01-01T00:00:00Z", 20, &ns) > 0);
	assert_true(ns == 0);
	assert_true(ky_time_parse_rfc3339("2024-05-01 00:00:01", 19, &ns) > 0);
	assert_true(ns == RECV_NS + KY_NS_PER_SEC);
	assert_true(ky_time_parse_rfc3339("2024-04-30t23:59:59", 19, &ns) > 0);
	assert_true(ns == RECV_NS - KY_NS_PER_SEC);
	assert_true(ky_time_parse_rfc3339("2024-05-01T00:00:01", 19, &ns) > 0);
	assert_true(ns == RECV_NS + KY_NS_PER_SEC);
	assert_int_equal(ky_time_parse_rfc3339("2023-02-29T00:00:00", 19, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_rfc3339("2024-05-01T24:00:00", 19, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_rfc3339("+024-05-01T00:00:00", 19, &ns),
			 KY_E_PARSE);
	/* the ends of int64 nanoseconds; outside them, not a time */
	assert_int_equal(ky_time_parse_rfc3339("2262-04-11T23:47:16Z", 20, &ns),
			 20);
	assert_true(ns == 9223372036LL * KY_NS_PER_SEC);
	assert_int_equal(ky_time_parse_rfc3339("2262-04-11T23:47:17Z", 20, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_rfc3339("1677-09-21T00:12:44Z", 20, &ns),
			 20);
	assert_true(ns == -9223372036LL * KY_NS_PER_SEC);
	assert_int_equal(ky_time_parse_rfc3339("1677-09-21T00:12:43Z", 20, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_rfc3339("0001-01-01T00:00:00Z", 20, &ns),
			 KY_E_PARSE);
	assert_int_equal(ky_time_parse_rfc3339("9999-12-31T23:59:59Z", 20, &ns),
			 KY_E_PARSE);
	assert_int_equal(
		ky_time_parse_rfc3339("2262-04-11T23:47:16.9Z", 22, &ns),
		KY_E_PARSE);
	assert_int_equal(
		ky_time_parse_rfc3339("2262-04-12T00:47:16+01:00", 25, &ns),
		25);
}

/* 3164 times resolve their year from the receive time, whose day is kept
 * between calls: a change of receive day must be seen. */
static void test_3164_receive_day(void **state)
{
	int64_t ns;

	(void)state;
	assert_int_equal(
		ky_time_parse_3164("Apr 30 23:59:59", 15, RECV_NS, &ns), 15);
	assert_true(ns == RECV_NS - KY_NS_PER_SEC);
	/* received in January: December is last year */
	assert_int_equal(ky_time_parse_3164("Dec 31 00:00:00", 15,
					    1704067200LL * KY_NS_PER_SEC, &ns),
			 15);
	assert_true(ns == (1704067200LL - 86400) * KY_NS_PER_SEC);
	assert_int_equal(
		ky_time_parse_3164("Dec 31 00:00:00", 15, RECV_NS, &ns), 15);
	assert_true(ns == 1703980800LL * KY_NS_PER_SEC);
}

/* ---- JSON: compact shortcuts give what the spaced form gives ---- */

static char *to_json(const char *doc, int *rc, char *msg, size_t msz)
{
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_event ev;
	struct ky_buf b;
	struct ky_err err;
	char *out;

	assert_non_null(a);
	assert_int_equal(ky_event_init(&ev, a, 64), 0);
	ky_buf_init(&b, 1 << 20);
	*rc = ky_json_to_event(doc, strlen(doc), &ev, 8, &err);
	if (*rc == 0) {
		assert_int_equal(ky_event_to_json(&ev, &b), 0);
		out = strndup(b.data, b.len);
	} else {
		snprintf(msg, msz, "%s", err.msg);
		out = NULL;
	}
	ky_buf_free(&b);
	ky_event_free(&ev);
	ky_arena_free(a);
	return out;
}

static void test_json_compact_equals_spaced(void **state)
{
	static const char *const pairs[][2] = {
		{"{\"a\":1,\"b\":{\"c\":\"x\",\"d\":[1,{\"e\":null}]},\"f\":"
		 "true}",
		 "{ \"a\" : 1 , \"b\" :{\"c\"\t:\"x\",\n\"d\": [ 1 , { \"e\" "
		 ": null } ] } ,\"f\":true }"},
		{"{\"k\":\"v\",\"k\":\"w\"}", "{\"k\" :\"v\", \"k\": \"w\"}"},
		{"[{\"a\":1,\"b\":2},{\"a\":3}]",
		 "[ {\"a\":1 ,\"b\":2} , {\"a\" : 3} ]"},
		{"{\"a\\u0041\":{\"b\\n\":1,\"c\":-2.5e3}}",
		 "{\"a\\u0041\" : {\"b\\n\" : 1 , \"c\" : -2.5e3}}"},
	};
	char m1[KY_ERR_MSG_MAX], m2[KY_ERR_MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int r1, r2;
		char *x = to_json(pairs[i][0], &r1, m1, sizeof(m1));
		char *y = to_json(pairs[i][1], &r2, m2, sizeof(m2));

		assert_int_equal(r1, 0);
		assert_int_equal(r2, 0);
		assert_string_equal(x, y);
		free(x);
		free(y);
	}
}

static void test_json_compact_errors(void **state)
{
	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{"{\"a\":}", "offset 5: unexpected '}', expected a value"},
		{"{\"a\":,", "offset 5: unexpected ',', expected a value"},
		{"{\"a\":1,\"b\"}", "offset 10: unexpected '}', expected ':' "
				    "after key"},
		{"{\"a\":1,}", "offset 7: trailing comma"},
		{"{\"a\":1,\"", "offset 8: unexpected end of input in string"},
		{"{\"a\":", "offset 5: unexpected end of input, expected a "
			    "value"},
		{"{\"a\":\x01}", "offset 5: unexpected byte 0x01, expected a "
				 "value"},
		{"[1,\"a\":2]",
		 "offset 6: unexpected ':', expected ',' or ']'"},
		{"{\"a\":1,\"b\":2,\"c\"",
		 "offset 16: unexpected end of input, "
		 "expected ':' after key"},
	};
	char msg[KY_ERR_MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r;
		char *x = to_json(bad[i].doc, &r, msg, sizeof(msg));

		assert_null(x);
		assert_int_equal(r, KY_E_PARSE);
		assert_string_equal(msg, bad[i].msg);
	}
}

/* ---- inline field append: growth and the limit ---- */

static void test_event_add_growth_and_limit(void **state)
{
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_event ev;

	(void)state;
	assert_non_null(a);
	assert_int_equal(ky_event_init(&ev, a, 200), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(ky_event_add_str(&ev, "p", 1, "v", 1), 0);
	assert_int_equal(ky_event_add_str(&ev, "p", 1, "v", 1), KY_E_TOOBIG);
	assert_int_equal(ev.nfields, 200);
	assert_true(ev.cap == 200);
	ky_event_reset(&ev);
	assert_int_equal(ky_event_add_int_lit(&ev, "n", 1, "42", 2, 42), 0);
	assert_true(ev.fields[0].v.i == 42 && ev.fields[0].type == KY_V_INT);
	assert_int_equal(ky_event_add(&ev, "s", 1, KY_V_STR, "x",
				      (size_t)UINT32_MAX + 1),
			 KY_E_TOOBIG);
	assert_int_equal(ev.nfields, 1);
	ky_event_free(&ev);
	ky_arena_free(a);
}

/* ---- sshd extraction: the last " from ", ports ---- */

static const char *get(const struct ky_event *ev, const char *name)
{
	static char out[256];
	const struct ky_field *f = ky_event_get(ev, name);

	if (f == NULL)
		return NULL;
	snprintf(out, sizeof(out), "%.*s", (int)f->str_len, f->str);
	return out;
}

static void test_sshd_extract_edges(void **state)
{
	struct ky_parser *p = NULL;
	struct ky_parse_ctx *c = NULL;
	struct ky_event *ev;
	struct ky_err err;
	const char *s;

	(void)state;
	assert_int_equal(ky_parser_new(&p, NULL, &err), 0);
	assert_int_equal(ky_parse_ctx_new(p, &c), 0);

	/* the user name holds " from ": the address is after the last one */
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for a from b "
	    "from 10.0.0.1 port 22 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_string_equal(get(ev, "user.name"), "a from b");
	assert_string_equal(get(ev, "source.ip"), "10.0.0.1");
	assert_string_equal(get(ev, "source.port"), "22");

	/* " from " at the very end: nothing after it, no extraction */
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for a from ";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_null(get(ev, "user.name"));

	/* leading zeros are a port, 65536 and a 25-digit number are not */
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "10.0.0.1 port 000022 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_true(ky_event_get(ev, "source.port")->v.i == 22);
	assert_string_equal(get(ev, "source.port"), "000022");
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "10.0.0.1 port 65535 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_true(ky_event_get(ev, "source.port")->v.i == 65535);
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "10.0.0.1 port 65536 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_null(ky_event_get(ev, "source.port"));
	assert_string_equal(get(ev, "source.ip"), "10.0.0.1");
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "10.0.0.1 port 0000000000000000000000022 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_true(ky_event_get(ev, "source.port")->v.i == 22);
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "10.0.0.1 port 1000000000000000000000022 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_null(ky_event_get(ev, "source.port"));

	/* host characters: '%' (IPv6 zone) is a host, '/' is not */
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "fe80::1%eth0 port 22 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_string_equal(get(ev, "source.domain"), "fe80::1%eth0");
	s = "<38>Apr  8 20:41:15 h sshd[7]: Failed password for u from "
	    "a/b port 22 ssh2";
	assert_int_equal(ky_parse_record(c, KY_FMT_AUTO, s, strlen(s), RECV_NS,
					 &ev, &err),
			 0);
	assert_null(get(ev, "source.domain"));
	assert_null(get(ev, "user.name"));

	ky_parse_ctx_free(c);
	ky_parser_free(p);
}

/* ---- hash: every byte of a short tail counts, alignment does not ---- */

static void test_hash_tail(void **state)
{
	unsigned char buf[64], other[80];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= 24; n++) {
		uint64_t h = ky_hash_bytes(buf, n);

		for (size_t off = 1; off < 8; off++) {
			memset(other, 0xa5, sizeof(other));
			memcpy(other + off, buf, n);
			assert_true(ky_hash_bytes(other + off, n) == h);
		}
		for (size_t k = 0; k < n; k++) {
			buf[k] ^= 0x40;
			assert_true(ky_hash_bytes(buf, n) != h);
			buf[k] ^= 0x40;
		}
		if (n > 0)
			assert_true(ky_hash_bytes(buf, n - 1) != h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_near_misses),
		cmocka_unit_test(test_map_configured_first_bytes),
		cmocka_unit_test(test_map_time_fields),
		cmocka_unit_test(test_rfc3339_positions),
		cmocka_unit_test(test_3164_receive_day),
		cmocka_unit_test(test_json_compact_equals_spaced),
		cmocka_unit_test(test_json_compact_errors),
		cmocka_unit_test(test_event_add_growth_and_limit),
		cmocka_unit_test(test_sshd_extract_edges),
		cmocka_unit_test(test_hash_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
