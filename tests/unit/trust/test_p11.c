/* The keystore's PKCS#11 backend against a real token: SoftHSM2, set up by
 * the test in a temporary directory (its own softhsm2.conf, a token made
 * with softhsm2-util).  Ed25519 (CKM_EDDSA) and P-256 (CKM_ECDSA) keys
 * generated on the token, found again by label and by id, signing what
 * ky_pubkey_verify accepts; a wrong PIN, an unknown token or label, a
 * missing module and a duplicate label refused with clear errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trust/keystore.h"

#define MODULE "/usr/lib/softhsm/libsofthsm2.so"

static char dir[64], pin_path[128], bad_pin_path[128];

static int setup(void **state)
{
	char conf[128], cmd[512];
	FILE *f;

	(void)state;
	if (access(MODULE, R_OK) != 0)
		return 0; /* each test skips, naming the module */
	snprintf(dir, sizeof(dir), "/tmp/ky-p11-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fprintf(f,
		"directories.tokendir = %s\nobjectstore.backend = file\n"
		"log.level = ERROR\n",
		dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	snprintf(cmd, sizeof(cmd),
		 "softhsm2-util --init-token --free --label kyklos-unit "
		 "--so-pin 1234 --pin 5678 >/dev/null");
	if (system(cmd) != 0)
		return -1;
	snprintf(pin_path, sizeof(pin_path), "%s/pin", dir);
	snprintf(bad_pin_path, sizeof(bad_pin_path), "%s/badpin", dir);
	if ((f = fopen(pin_path, "w")) == NULL)
		return -1;
	fputs("5678\n", f);
	fclose(f);
	if ((f = fopen(bad_pin_path, "w")) == NULL)
		return -1;
	fputs("0000\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (dir[0] == '\0')
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void need_module(void)
{
	if (dir[0] == '\0') {
		printf("SKIP: %s is missing (Debian package softhsm2)\n",
		       MODULE);
		skip();
	}
}

static struct ky_keystore_opts opts(const char *label, const char *id)
{
	struct ky_keystore_opts o = {0};

	o.backend = KY_KS_PKCS11;
	o.module = MODULE;
	o.token_label = "kyklos-unit";
	o.key_label = label;
	o.key_id_hex = id;
	o.pin_file = pin_path;
	return o;
}

static void sign_verify(struct ky_keystore *ks)
{
	static const char msg[] = "kyklos/node\n1\nYWJj\n";
	uint8_t sig[KY_SIG_MAX];
	struct ky_err err = {0};

	assert_int_equal(ky_keystore_sign(ks, msg, sizeof(msg) - 1, sig, &err),
			 0);
	assert_int_equal(ky_pubkey_verify(ky_keystore_pubkey(ks), msg,
					  sizeof(msg) - 1, sig, KY_SIG_MAX,
					  &err),
			 0);
	sig[5] ^= 1;
	assert_int_equal(ky_pubkey_verify(ky_keystore_pubkey(ks), msg,
					  sizeof(msg) - 1, sig, KY_SIG_MAX,
					  &err),
			 KY_E_VERIFY);
}

static void test_generate_open_sign(void **state)
{
	struct ky_keystore *ks = NULL, *again = NULL;
	struct ky_err err = {0};

	(void)state;
	need_module();
	for (int a = 0; a < 2; a++) {
		enum ky_key_alg alg = a ? KY_ALG_ECDSA_P256 : KY_ALG_ED25519;
		struct ky_keystore_opts o =
			opts(a ? "node-ec" : "node-ed", a ? "0b0c" : "0a0b");

		if (ky_keystore_generate(&o, alg, &ks, &err) != 0)
			fail_msg("generate: %s", err.msg);
		assert_int_equal(ky_keystore_backend(ks), KY_KS_PKCS11);
		assert_int_equal(ky_keystore_pubkey(ks)->alg, alg);
		sign_verify(ks);
		/* found again by label alone, and by id alone */
		o.key_id_hex = NULL;
		assert_int_equal(ky_keystore_open(&o, &again, &err), 0);
		assert_true(ky_pubkey_equal(ky_keystore_pubkey(ks),
					    ky_keystore_pubkey(again)));
		sign_verify(again);
		ky_keystore_close(again);
		o.key_label = NULL;
		o.key_id_hex = a ? "0b0c" : "0a0b";
		assert_int_equal(ky_keystore_open(&o, &again, &err), 0);
		assert_true(ky_pubkey_equal(ky_keystore_pubkey(ks),
					    ky_keystore_pubkey(again)));
		ky_keystore_close(again);
		ky_keystore_close(ks);
	}
	/* a second key with a label in use is refused */
	struct ky_keystore_opts o = opts("node-ed", NULL);
	assert_int_equal(ky_keystore_generate(&o, KY_ALG_ED25519, &ks, &err),
			 KY_E_EXISTS);
}

static void test_refusals(void **state)
{
	struct ky_keystore *ks = NULL;
	struct ky_err err = {0};
	struct ky_keystore_opts o;

	(void)state;
	need_module();
	o = opts("node-ed", NULL);
	o.pin_file = bad_pin_path;
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_PERM);
	assert_non_null(strstr(err.msg, "PIN refused"));
	o = opts("node-ed", NULL);
	o.pin_file = NULL;
	setenv("KY_TEST_PIN", "5678", 1);
	o.pin_env = "KY_TEST_PIN";
	/* the PIN from the environment works as well (key made above, or
	 * made now when this test runs alone) */
	if (ky_keystore_open(&o, &ks, &err) == KY_E_NOTFOUND)
		assert_int_equal(
			ky_keystore_generate(&o, KY_ALG_ED25519, &ks, &err), 0);
	else
		assert_non_null(ks);
	ky_keystore_close(ks);
	ks = NULL;
	unsetenv("KY_TEST_PIN");
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_CONFIG);
	o = opts("no-such-key", NULL);
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "no-such-key"));
	o = opts("node-ed", NULL);
	o.token_label = "other-token";
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "other-token"));
	o = opts("node-ed", NULL);
	o.module = "/nonexistent/libp11.so";
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_NOTFOUND);
	o = opts(NULL, NULL);
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_CONFIG);
	o = opts("x", "abc");
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_INVAL);
	assert_null(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_open_sign),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
