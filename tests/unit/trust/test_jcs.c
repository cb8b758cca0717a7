/* RFC 8785 canonical JSON (trust/jcs.h) with the RFC's own examples:
 * the number serialisations of Appendix B, the member ordering of 3.2.3
 * (UTF-16 code units), the example object of 3.2.2 with its string
 * escapes; refusals; and the signature envelopes of trust/sig.h for both
 * key algorithms, with every member tampered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trust/jcs.h"
#include "trust/keystore.h"
#include "trust/sig.h"

static double from_bits(uint64_t b)
{
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

static void test_numbers(void **state)
{
	static const struct {
		uint64_t bits;
		const char *want;
	} cases[] = {
		{0x0000000000000000ull, "0"},
		{0x8000000000000000ull, "0"},
		{0x0000000000000001ull, "5e-324"},
		{0x8000000000000001ull, "-5e-324"},
		{0x7fefffffffffffffull, "1.7976931348623157e+308"},
		{0xffefffffffffffffull, "-1.7976931348623157e+308"},
		{0x4340000000000000ull, "9007199254740992"},
		{0xc340000000000000ull, "-9007199254740992"},
		{0x4430000000000000ull, "295147905179352830000"},
		{0x44b52d02c7e14af5ull, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6ull, "1e+23"},
		{0x44b52d02c7e14af7ull, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4eull, "999999999999999700000"},
		{0x444b1ae4d6e2ef4full, "999999999999999900000"},
		{0x444b1ae4d6e2ef50ull, "1e+21"},
		{0x3eb0c6f7a0b5ed8cull, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8dull, "0.000001"},
		{0x41b3de4355555553ull, "333333333.3333332"},
		{0x41b3de4355555554ull, "333333333.33333325"},
		{0x41b3de4355555555ull, "333333333.3333333"},
		{0x41b3de4355555556ull, "333333333.3333334"},
		{0x41b3de4355555557ull, "333333333.33333343"},
		{0xbecbf647612f3696ull, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959ull, "1424953923781206.2"},
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(ky_jcs_number(from_bits(cases[i].bits), out) > 0);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%016llx: got %s, want %s",
				 (unsigned long long)cases[i].bits, out,
				 cases[i].want);
	}
	assert_int_equal(ky_jcs_number(from_bits(0x7fffffffffffffffull), out),
			 -1);
	assert_int_equal(ky_jcs_number(from_bits(0x7ff0000000000000ull), out),
			 -1);
	/* every output reads back to its double (a pseudo-random sweep) */
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 200000; i++) {
		double d;

		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		d = from_bits(s);
		if (ky_jcs_number(d, out) < 0)
			continue;
		assert_true(strtod(out, NULL) == d || (d == 0));
	}
}

static void canon(const char *in, const char *want)
{
	struct ky_buf b;
	struct ky_err err = {0};

	ky_buf_init(&b, 0);
	if (ky_jcs_text(in, strlen(in), &b, &err) != 0)
		fail_msg("%s: %s", in, err.msg);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		fail_msg("got %.*s\nwant %s", (int)b.len, b.data, want);
	ky_buf_free(&b);
}

static void test_rfc_examples(void **state)
{
	(void)state;
	/* 3.2.2: the example object, numbers and string escapes */
	canon("{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
	      "0.000000000000000000000000001],\n  \"string\": "
	      "\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
	      "  \"literals\": [null, true, false]\n}",
	      "{\"literals\":[null,true,false],\"numbers\":[333333333."
	      "3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$"
	      "\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
	/* 3.2.3: members sorted by UTF-16 code units, not code points */
	canon("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\","
	      "\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":"
	      "\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\","
	      "\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O "
	      "With Diaeresis\"}",
	      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":"
	      "\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With "
	      "Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":"
	      "\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter "
	      "Dalet With Dagesh\"}");
	/* nested objects sorted too, whitespace gone, idempotent */
	canon("{ \"b\" : [ {\"z\":1, \"a\":2} ], \"a\" : \"x\" }",
	      "{\"a\":\"x\",\"b\":[{\"a\":2,\"z\":1}]}");
	canon("{\"a\":\"x\",\"b\":[{\"a\":2,\"z\":1}]}",
	      "{\"a\":\"x\",\"b\":[{\"a\":2,\"z\":1}]}");
	/* integers beyond 2^53 are doubles, as everywhere in JCS */
	canon("[-0, 1.0, 100e-2]", "[0,1,1]");
	canon("[9007199254740993]", "[9007199254740992]");
}

/* Integers are written by a fast path: it must give what the general
 * number form gives for the same value, at the edges and in between. */
static void test_integers(void **state)
{
	static const long long edge[] = {0,
					 -1,
					 1,
					 9,
					 10,
					 -10,
					 999999999999999LL,
					 1000000000000000LL,
					 9007199254740991LL,
					 9007199254740992LL,
					 -9007199254740992LL};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct ky_buf b;
	struct ky_err err = {0};
	char want[32];

	(void)state;
	ky_buf_init(&b, 0);
	for (int k = 0; k < 20000; k++) {
		long long i;
		json_t *v;

		if (k < (int)(sizeof(edge) / sizeof(edge[0]))) {
			i = edge[k];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* every magnitude up to 2^53, both signs */
			i = (long long)(x >> (11 + x % 53));
			if (x & 1)
				i = -i;
		}
		v = json_integer(i);
		ky_buf_reset(&b);
		assert_int_equal(ky_jcs_value(v, &b, &err), 0);
		assert_true(ky_jcs_number((double)i, want) > 0);
		if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
			fail_msg("%lld: %.*s, the number form says %s", i,
				 (int)b.len, b.data, want);
		json_decref(v);
	}
	ky_buf_free(&b);
}

/* The escaping of strings, which skips plain bytes eight at a time,
 * against the rule written out byte by byte (RFC 8785 3.2.2.2), on
 * strings with the bytes to escape at every offset. */
static void test_string_escapes(void **state)
{
	static const char pool[] = "ab\"\\\x01\x1f\b\f\n\r\t \x7f\xc3\xa9";
	uint64_t x = 0x2545f4914f6cdd1dULL;
	struct ky_buf b;
	struct ky_err err = {0};
	char str[48], want[300];

	(void)state;
	ky_buf_init(&b, 0);
	for (int k = 0; k < 20000; k++) {
		size_t n, w = 0;
		json_t *v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = (size_t)(x % 40);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* mostly plain, so that runs of eight occur */
			str[i] = x % 4 ? "plain-text"[x % 10]
				       : pool[(x >> 8) % (sizeof(pool) - 1)];
		}
		/* the two bytes of é stay together or go */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)str[i] >= 0x80)
				str[i] = 'e';
		want[w++] = '"';
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)str[i];
			static const char *const named[] = {['\b'] = "\\b",
							    ['\f'] = "\\f",
							    ['\n'] = "\\n",
							    ['\r'] = "\\r",
							    ['\t'] = "\\t"};

			if (c == '"' || c == '\\') {
				want[w++] = '\\';
				want[w++] = (char)c;
			} else if (c < 0x20 &&
				   c < sizeof(named) / sizeof(*named) &&
				   named[c] != NULL) {
				memcpy(want + w, named[c], 2);
				w += 2;
			} else if (c < 0x20) {
				w += (size_t)snprintf(want + w, 7, "\\u%04x",
						      c);
			} else {
				want[w++] = (char)c;
			}
		}
		want[w++] = '"';
		v = json_stringn(str, n);
		assert_non_null(v);
		ky_buf_reset(&b);
		assert_int_equal(ky_jcs_value(v, &b, &err), 0);
		if (b.len != w || memcmp(b.data, want, w) != 0)
			fail_msg("%.*s, expected %.*s", (int)b.len, b.data,
				 (int)w, want);
		json_decref(v);
	}
	ky_buf_free(&b);
}

static void test_refused(void **state)
{
	struct ky_buf b;
	struct ky_err err = {0};
	json_t *big;

	(void)state;
	ky_buf_init(&b, 0);
	assert_int_equal(ky_jcs_text("{\"a\":1,\"a\":2}", 13, &b, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(ky_jcs_text("[\"\\ud800\"]", 10, &b, &err),
			 KY_E_PARSE);
	assert_int_equal(ky_jcs_text("[1,", 3, &b, &err), KY_E_PARSE);
	big = json_integer(9007199254740993LL);
	assert_int_equal(ky_jcs_value(big, &b, &err), KY_E_INVAL);
	json_decref(big);
	big = json_real(1.5);
	assert_int_equal(ky_jcs_value(big, &b, &err), 0);
	assert_string_equal(ky_buf_str(&b), "1.5");
	json_decref(big);
	ky_buf_free(&b);
}

/* ---- envelopes ---- */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ky-sig-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tampered(json_t *env, const char *k, json_t *v,
		     const struct ky_pubkey *pk, const json_t *payload,
		     const char *want)
{
	json_t *e = json_deep_copy(env);
	struct ky_err err = {0};

	if (v)
		json_object_set_new(e, k, v);
	else
		json_object_del(e, k);
	assert_int_not_equal(ky_sig_verify_json(e, pk, payload, &err), 0);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: got '%s', want '%s'", k, err.msg, want);
	json_decref(e);
}

static void test_envelopes(void **state)
{
	struct ky_keystore *ks = NULL, *other = NULL;
	struct ky_keystore_opts o = {.backend = KY_KS_FILE};
	struct ky_signer s;
	struct ky_err err = {0};
	char path[128], path2[128];
	json_t *payload, *same, *env;

	(void)state;
	payload = json_pack("{s:s, s:[i, i], s:{s:b}}", "type", "indicator",
			    "n", 1, 2, "x", "ok", 1);
	same = json_loads("{ \"x\": {\"ok\": true}, \"n\": [1, 2.0], "
			  "\"type\": \"indicator\" }",
			  0, NULL);
	for (int a = 0; a < 2; a++) {
		snprintf(path, sizeof(path), "%s/k%d", dir, a);
		snprintf(path2, sizeof(path2), "%s/o%d", dir, a);
		o.key_path = path;
		assert_int_equal(ky_keystore_generate(&o,
						      a ? KY_ALG_ECDSA_P256
							: KY_ALG_ED25519,
						      &ks, &err),
				 0);
		o.key_path = path2;
		assert_int_equal(
			ky_keystore_generate(&o, KY_ALG_ED25519, &other, &err),
			0);
		ky_signer_from_keystore(&s, ks, "kyexamplenode");
		assert_int_equal(ky_sig_sign_json(&s, payload,
						  1767225600000000000LL, &env,
						  &err),
				 0);
		assert_string_equal(
			json_string_value(json_object_get(env, "signed_at")),
			"2026-01-01T00:00:00.000Z");
		assert_int_equal(ky_sig_verify_json(env, ky_keystore_pubkey(ks),
						    payload, &err),
				 0);
		/* the same object written differently verifies */
		assert_int_equal(ky_sig_verify_json(env, ky_keystore_pubkey(ks),
						    same, &err),
				 0);
		assert_int_equal(ky_sig_verify_json(env,
						    ky_keystore_pubkey(other),
						    payload, &err),
				 KY_E_VERIFY);
		tampered(env, "signer", json_string("kyother"),
			 ky_keystore_pubkey(ks), payload, "bad signature");
		tampered(env, "signed_at", json_string("2027-01-01T00:00:00Z"),
			 ky_keystore_pubkey(ks), payload, "bad signature");
		tampered(env, "payload_sha256",
			 json_string("00000000000000000000000000000000000000000"
				     "00000000000000000000000"),
			 ky_keystore_pubkey(ks), payload, "payload hash");
		tampered(env, "key_id", json_string("0011223344556677"),
			 ky_keystore_pubkey(ks), payload, "key id");
		tampered(env, "alg", json_string(a ? "ed25519" : "ecdsa-p256"),
			 ky_keystore_pubkey(ks), payload, "algorithm");
		tampered(env, "type", json_string("other/1"),
			 ky_keystore_pubkey(ks), payload, "type");
		tampered(env, "extra", json_true(), ky_keystore_pubkey(ks),
			 payload, "unknown member");
		tampered(env, "sig", NULL, ky_keystore_pubkey(ks), payload,
			 "\"sig\" missing");
		/* a changed payload */
		json_t *p2 = json_deep_copy(payload);
		json_object_set_new(p2, "type", json_string("sighting"));
		assert_int_equal(ky_sig_verify_json(env, ky_keystore_pubkey(ks),
						    p2, &err),
				 KY_E_VERIFY);
		json_decref(p2);
		json_decref(env);
		/* bytes (a batch) */
		assert_int_equal(
			ky_sig_sign_bytes(&s, "batch\n", 6, 1, &env, &err), 0);
		assert_int_equal(ky_sig_verify_bytes(env,
						     ky_keystore_pubkey(ks),
						     "batch\n", 6, &err),
				 0);
		assert_int_equal(ky_sig_verify_bytes(env,
						     ky_keystore_pubkey(ks),
						     "batch!", 6, &err),
				 KY_E_VERIFY);
		json_decref(env);
		ky_keystore_close(ks);
		ky_keystore_close(other);
	}
	json_decref(payload);
	json_decref(same);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test_setup_teardown(test_envelopes, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
