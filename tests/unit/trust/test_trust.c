/* The trust layer: public keys (text form, fingerprints, verification of
 * both algorithms, ECDSA encodings), node ids, and the keystore's file
 * backend (generation, reopening, passphrases from a file and the
 * environment, refusals of readable, linked, damaged and existing files)
 * signing what ky_pubkey_verify accepts. */
#include <ctype.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "trust/identity.h"
#include "trust/keystore.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ky-trust-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *name)
{
	static char p[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static struct ky_keystore *gen(const char *name, enum ky_key_alg alg,
			       const char *pass_file, const char *pass_env)
{
	struct ky_keystore_opts o = {0};
	struct ky_keystore *ks = NULL;
	struct ky_err err = {0};

	o.backend = KY_KS_FILE;
	o.key_path = path(name);
	o.passphrase_file = pass_file;
	o.passphrase_env = pass_env;
	if (ky_keystore_generate(&o, alg, &ks, &err) != 0)
		fail_msg("generate: %s", err.msg);
	return ks;
}

static int reopen(const char *name, const char *pass_file, const char *pass_env,
		  struct ky_keystore **ks, struct ky_err *err)
{
	struct ky_keystore_opts o = {0};

	o.backend = KY_KS_FILE;
	o.key_path = path(name);
	o.passphrase_file = pass_file;
	o.passphrase_env = pass_env;
	return ky_keystore_open(&o, ks, err);
}

static void sign_and_verify(struct ky_keystore *ks)
{
	static const char msg[] = "checkpoint body\n";
	const struct ky_pubkey *pk = ky_keystore_pubkey(ks);
	uint8_t sig[KY_SIG_MAX];
	struct ky_err err = {0};

	assert_int_equal(ky_keystore_sign(ks, msg, sizeof(msg) - 1, sig, &err),
			 0);
	assert_int_equal(ky_pubkey_verify(pk, msg, sizeof(msg) - 1, sig,
					  KY_SIG_MAX, &err),
			 0);
	/* another message, a flipped bit, a short signature: refused */
	assert_int_equal(ky_pubkey_verify(pk, msg, sizeof(msg) - 2, sig,
					  KY_SIG_MAX, &err),
			 KY_E_VERIFY);
	sig[10] ^= 0x04;
	assert_int_equal(ky_pubkey_verify(pk, msg, sizeof(msg) - 1, sig,
					  KY_SIG_MAX, &err),
			 KY_E_VERIFY);
	assert_int_equal(
		ky_pubkey_verify(pk, msg, sizeof(msg) - 1, sig, 63, &err),
		KY_E_INVAL);
}

static void test_file_keys(void **state)
{
	struct ky_keystore *ks, *again = NULL;
	struct ky_err err = {0};
	struct stat st;

	(void)state;
	for (int a = 0; a < 2; a++) {
		enum ky_key_alg alg = a ? KY_ALG_ECDSA_P256 : KY_ALG_ED25519;
		const char *name = a ? "p256.key" : "ed.key";

		ks = gen(name, alg, NULL, NULL);
		assert_int_equal(ky_keystore_pubkey(ks)->alg, alg);
		assert_int_equal(ky_keystore_pubkey(ks)->len, a ? 65 : 32);
		assert_int_equal(stat(path(name), &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		sign_and_verify(ks);
		/* reopened: the same public key, signatures still verify */
		assert_int_equal(reopen(name, NULL, NULL, &again, &err), 0);
		assert_true(ky_pubkey_equal(ky_keystore_pubkey(ks),
					    ky_keystore_pubkey(again)));
		sign_and_verify(again);
		ky_keystore_close(again);
		ky_keystore_close(ks);
	}
	/* never overwritten */
	struct ky_keystore_opts o = {.backend = KY_KS_FILE,
				     .key_path = path("ed.key")};
	assert_int_equal(ky_keystore_generate(&o, KY_ALG_ED25519, &ks, &err),
			 KY_E_EXISTS);
	assert_null(ks);
	assert_int_equal(reopen("absent.key", NULL, NULL, &ks, &err),
			 KY_E_NOTFOUND);
	o.backend = KY_KS_PKCS11; /* without a module: says what is missing */
	assert_int_equal(ky_keystore_open(&o, &ks, &err), KY_E_CONFIG);
	assert_non_null(strstr(err.msg, "keystore.module"));
}

static void test_passphrase(void **state)
{
	struct ky_keystore *ks, *again = NULL;
	struct ky_err err = {0};
	char text[4096];
	FILE *f;
	size_t n;

	(void)state;
	f = fopen(path("pass"), "w");
	fputs("correct horse battery\n", f);
	fclose(f);
	ks = gen("enc.key", KY_ALG_ED25519, path("pass"), NULL);
	/* the file is encrypted */
	f = fopen(path("enc.key"), "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "ENCRYPTED PRIVATE KEY"));
	/* the same passphrase from the environment opens it */
	setenv("KY_TEST_PASS", "correct horse battery", 1);
	assert_int_equal(reopen("enc.key", NULL, "KY_TEST_PASS", &again, &err),
			 0);
	assert_true(ky_pubkey_equal(ky_keystore_pubkey(ks),
				    ky_keystore_pubkey(again)));
	ky_keystore_close(again);
	setenv("KY_TEST_PASS", "wrong horse", 1);
	assert_int_equal(reopen("enc.key", NULL, "KY_TEST_PASS", &again, &err),
			 KY_E_CRYPTO);
	assert_non_null(strstr(err.msg, "passphrase is wrong"));
	assert_int_equal(reopen("enc.key", NULL, NULL, &again, &err),
			 KY_E_CRYPTO);
	assert_non_null(strstr(err.msg, "none was configured"));
	unsetenv("KY_TEST_PASS");
	assert_int_equal(reopen("enc.key", NULL, "KY_TEST_PASS", &again, &err),
			 KY_E_NOTFOUND);
	ky_keystore_close(ks);
}

static void test_refused_files(void **state)
{
	struct ky_keystore *ks = gen("k.key", KY_ALG_ED25519, NULL, NULL),
			   *again = NULL;
	struct ky_err err = {0};
	FILE *f;

	(void)state;
	ky_keystore_close(ks);
	assert_int_equal(chmod(path("k.key"), 0644), 0);
	assert_int_equal(reopen("k.key", NULL, NULL, &again, &err), KY_E_PERM);
	assert_non_null(strstr(err.msg, "mode 0644"));
	assert_int_equal(chmod(path("k.key"), 0600), 0);
	assert_int_equal(symlink(path("k.key"), path("link.key")), 0);
	assert_int_equal(reopen("link.key", NULL, NULL, &again, &err),
			 KY_E_PERM);
	assert_non_null(strstr(err.msg, "symbolic link"));
	f = fopen(path("junk.key"), "w");
	fputs("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	      f);
	fclose(f);
	assert_int_equal(chmod(path("junk.key"), 0600), 0);
	assert_int_equal(reopen("junk.key", NULL, NULL, &again, &err),
			 KY_E_CRYPTO);
	assert_non_null(strstr(err.msg, "junk.key"));
	assert_null(again);
}

static void test_pubkey_text(void **state)
{
	struct ky_keystore *ks = gen("t.key", KY_ALG_ECDSA_P256, NULL, NULL);
	const struct ky_pubkey *pk = ky_keystore_pubkey(ks);
	struct ky_pubkey back;
	struct ky_err err = {0};
	char text[KY_PUBKEY_TEXT_MAX], id[2 * KY_KEYID_LEN + 1];
	char node[KY_NODE_ID_LEN + 1], fp[KY_FINGERPRINT_TEXT];
	uint8_t f1[32], f2[32];

	(void)state;
	ky_pubkey_format(pk, text);
	assert_true(strncmp(text, "ecdsa-p256:B", 12) == 0);
	assert_int_equal(ky_pubkey_parse(text, &back, &err), 0);
	assert_true(ky_pubkey_equal(pk, &back));
	ky_pubkey_fingerprint(pk, f1);
	ky_pubkey_fingerprint(&back, f2);
	assert_memory_equal(f1, f2, 32);
	ky_pubkey_keyid(pk, id);
	assert_int_equal(strlen(id), 16);
	ky_identity_node_id(pk, node);
	assert_int_equal(strlen(node), KY_NODE_ID_LEN);
	assert_true(strncmp(node, "ky", 2) == 0);
	assert_true(ky_identity_matches(node, &back));
	ky_identity_fingerprint_text(pk, fp);
	assert_int_equal(strlen(fp), 49);
	assert_int_equal(fp[4], ' ');
	/* the same bytes under the other algorithm name: another identity */
	{
		struct ky_pubkey ed;
		char node2[KY_NODE_ID_LEN + 1];

		assert_int_equal(ky_pubkey_set(&ed, KY_ALG_ED25519, pk->key + 1,
					       32, &err),
				 0);
		ky_identity_node_id(&ed, node2);
		assert_string_not_equal(node, node2);
	}
	const char *bad[] = {
		"rsa:AAAA",
		"ed25519:AAAA", /* 3 bytes */
		"ed25519:not base64!",
		"ed25519",
		"ecdsa-p256:"
		"BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAA=", /* not on the curve */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ky_pubkey_parse(bad[i], &back, &err) == 0)
			fail_msg("'%s' accepted", bad[i]);
	ky_keystore_close(ks);
}

/* A pin by fingerprint: the text people read names the node and knows
 * its key when it comes, and nothing else. */
static void test_fingerprint_pin(void **state)
{
	struct ky_keystore *ks = gen("fp.key", KY_ALG_ED25519, NULL, NULL);
	struct ky_keystore *other = gen("fp2.key", KY_ALG_ED25519, NULL, NULL);
	const struct ky_pubkey *pk = ky_keystore_pubkey(ks);
	char text[KY_FINGERPRINT_TEXT], node[KY_NODE_ID_LEN + 1];
	char node2[KY_NODE_ID_LEN + 1], colons[64];
	uint8_t fp[KY_FINGERPRINT_BYTES], fp2[KY_FINGERPRINT_BYTES];
	struct ky_err err = {0};
	size_t o = 0;

	(void)state;
	ky_identity_fingerprint_text(pk, text);
	assert_int_equal(ky_identity_fingerprint_parse(text, fp, &err), 0);
	assert_true(ky_identity_fingerprint_matches(fp, pk));
	assert_false(
		ky_identity_fingerprint_matches(fp, ky_keystore_pubkey(other)));
	ky_identity_node_id(pk, node);
	ky_identity_node_id_of(fp, node2);
	assert_string_equal(node, node2);
	/* upper case, colons instead of spaces: the same fingerprint */
	for (size_t i = 0; text[i]; i++)
		colons[o++] = text[i] == ' ' ? ':' : (char)toupper(text[i]);
	colons[o] = '\0';
	assert_int_equal(ky_identity_fingerprint_parse(colons, fp2, &err), 0);
	assert_memory_equal(fp, fp2, sizeof(fp));
	/* one digit off: parses, and matches no longer */
	colons[0] = colons[0] == '0' ? '1' : '0';
	assert_int_equal(ky_identity_fingerprint_parse(colons, fp2, &err), 0);
	assert_false(ky_identity_fingerprint_matches(fp2, pk));
	/* too short, too long, not hex: refused with the position */
	assert_int_not_equal(
		ky_identity_fingerprint_parse("0dba 21c5", fp2, &err), 0);
	assert_non_null(strstr(err.msg, "got 8"));
	assert_int_not_equal(ky_identity_fingerprint_parse(
				     "0dba 21c5 db2a 0d28 5302 d8a0 cbde b500 "
				     "23fd 093d 00",
				     fp2, &err),
			     0);
	assert_int_not_equal(ky_identity_fingerprint_parse(
				     "0dba 21c5 db2a 0d28 5302 d8a0 cbde b500 "
				     "23fd 093g",
				     fp2, &err),
			     0);
	assert_non_null(strstr(err.msg, "at 49"));
	ky_keystore_close(ks);
	ky_keystore_close(other);
}

static void test_ecdsa_encodings(void **state)
{
	uint8_t raw[64], back[64], der[80];
	struct ky_err err = {0};
	size_t n;

	(void)state;
	for (int i = 0; i < 64; i++)
		raw[i] = (uint8_t)(i * 7 + 1);
	raw[0] = 0x00;	/* leading zero in r: DER drops it */
	raw[32] = 0x80; /* high bit in s: DER pads it */
	assert_int_equal(ky_ecdsa_raw_to_der(raw, der, sizeof(der), &n, &err),
			 0);
	assert_int_equal(ky_ecdsa_der_to_raw(der, n, back, &err), 0);
	assert_memory_equal(raw, back, 64);
	assert_int_not_equal(ky_ecdsa_der_to_raw(der, n - 1, back, &err), 0);
	assert_int_equal(ky_ecdsa_raw_to_der(raw, der, 8, &n, &err),
			 KY_E_TOOBIG);
}

static void test_secret_read(void **state)
{
	struct ky_err err = {0};
	char buf[8];
	size_t n;
	FILE *f;

	(void)state;
	f = fopen(path("pin"), "w");
	fputs("1234\r\nsecond line\n", f);
	fclose(f);
	assert_int_equal(
		ky_secret_read(path("pin"), NULL, buf, sizeof(buf), &n, &err),
		0);
	assert_string_equal(buf, "1234");
	f = fopen(path("long"), "w");
	fputs("0123456789\n", f);
	fclose(f);
	assert_int_equal(
		ky_secret_read(path("long"), NULL, buf, sizeof(buf), &n, &err),
		KY_E_TOOBIG);
	assert_int_equal(buf[0], 0); /* wiped */
	assert_int_equal(ky_secret_read(NULL, NULL, buf, sizeof(buf), &n, &err),
			 KY_E_NOTFOUND);
	memset(buf, 'x', sizeof(buf));
	ky_wipe(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_keys),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_refused_files),
		cmocka_unit_test(test_pubkey_text),
		cmocka_unit_test(test_fingerprint_pin),
		cmocka_unit_test(test_ecdsa_encodings),
		cmocka_unit_test(test_secret_read),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
