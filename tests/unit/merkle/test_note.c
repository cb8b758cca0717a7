/* Signed notes, checkpoints and cosignatures (ledger/note.h): the C2SP
 * example verified from $KYKLOS_SHARED_DATA/signed-note and refused when
 * altered, notes signed with Ed25519 and ECDSA P-256 keys of the keystore,
 * unknown signers ignored, bad signatures refused, malformed notes refused
 * with their line, checkpoints and timestamped cosignatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ledger/note.h"
#include "trust/keystore.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ky-note-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ky_keystore *key(const char *name, enum ky_key_alg alg)
{
	struct ky_keystore_opts o = {0};
	struct ky_keystore *ks = NULL;
	struct ky_err err = {0};
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o.backend = KY_KS_FILE;
	o.key_path = path;
	if (ky_keystore_generate(&o, alg, &ks, &err) != 0)
		fail_msg("key: %s", err.msg);
	return ks;
}

static void test_spec_example(void **state)
{
	const char *d = getenv("KYKLOS_SHARED_DATA");
	char path[1024], buf[4096], vkey[512] = "", note[2048] = "";
	struct ky_note_verifier v;
	struct ky_note n;
	struct ky_err err = {0};
	bool in = false;
	uint64_t bits;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/signed-note/example.txt",
		 d ? d : "../shared/data");
	if ((f = fopen(path, "r")) == NULL) {
		printf("SKIP: %s is missing\n", path);
		skip();
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (strncmp(buf, "-----BEGIN NOTE-----", 20) == 0)
			in = true;
		else if (strncmp(buf, "-----END NOTE-----", 18) == 0)
			in = false;
		else if (in)
			strncat(note, buf, sizeof(note) - strlen(note) - 1);
		else if (buf[0] != '#' && vkey[0] == '\0' && strchr(buf, '+'))
			snprintf(vkey, sizeof(vkey), "%.*s",
				 (int)strcspn(buf, "\r\n"), buf);
	}
	fclose(f);
	assert_true(vkey[0] && note[0]);
	assert_int_equal(ky_note_verifier_parse(vkey, strlen(vkey), &v, &err),
			 0);
	assert_int_equal(ky_note_parse(note, strlen(note), &n, &err), 0);
	assert_int_equal(ky_note_verify(&n, &v, 1, &bits, &err), 0);
	assert_int_equal(bits, 1);
	ky_note_free(&n);
	/* every byte of the text and of the signature matters */
	for (size_t i = 0; i < strlen(note); i++) {
		char alt[2048];

		if (note[i] == '\n' || note[i] == ' ' ||
		    (unsigned char)note[i] >= 0x80)
			continue;
		memcpy(alt, note, strlen(note) + 1);
		alt[i] = alt[i] == 'A' ? 'B' : 'A';
		if (ky_note_parse(alt, strlen(alt), &n, &err) == 0) {
			assert_int_not_equal(
				ky_note_verify(&n, &v, 1, NULL, &err), 0);
			ky_note_free(&n);
		}
	}
	/* a key ID that does not match its key is refused */
	vkey[strchr(vkey, '+') - vkey + 1] ^= 1;
	assert_int_equal(ky_note_verifier_parse(vkey, strlen(vkey), &v, &err),
			 KY_E_PARSE);
}

static void test_sign_verify(void **state)
{
	static const char text[] = "kyklos/test\n42\nYWJj\n";
	struct ky_keystore *ed = key("ed.key", KY_ALG_ED25519),
			   *ec = key("ec.key", KY_ALG_ECDSA_P256),
			   *other = key("o.key", KY_ALG_ED25519);
	struct ky_signer se, sc, so;
	struct ky_note_verifier v[3];
	struct ky_buf b, vb;
	struct ky_note n;
	struct ky_err err = {0};
	uint64_t bits;

	(void)state;
	ky_signer_from_keystore(&se, ed, "a");
	ky_signer_from_keystore(&sc, ec, "b");
	ky_signer_from_keystore(&so, other, "c");
	ky_buf_init(&b, 0);
	ky_buf_init(&vb, 0);
	assert_int_equal(ky_note_verifier_make("log.example/a", &se.pub,
					       KY_NOTE_TYPE_ED25519, &v[0],
					       &err),
			 0);
	assert_int_equal(ky_note_verifier_make("log.example/b", &sc.pub,
					       KY_NOTE_TYPE_ECDSA_P256, &v[1],
					       &err),
			 0);
	assert_int_equal(ky_note_verifier_make("log.example/c", &so.pub,
					       KY_NOTE_TYPE_ED25519, &v[2],
					       &err),
			 0);
	/* verifier keys survive their text form, P-256 as DER SPKI */
	for (int i = 0; i < 3; i++) {
		struct ky_note_verifier back;

		ky_buf_reset(&vb);
		assert_int_equal(ky_note_verifier_format(&v[i], &vb), 0);
		assert_int_equal(
			ky_note_verifier_parse(vb.data, vb.len, &back, &err),
			0);
		assert_int_equal(back.id, v[i].id);
		assert_true(ky_pubkey_equal(&back.pub, &v[i].pub));
	}
	assert_int_equal(ky_note_sign(text, strlen(text), &se, "log.example/a",
				      &b, &err),
			 0);
	/* a second signature line by the P-256 key over the same text */
	{
		struct ky_buf b2;

		ky_buf_init(&b2, 0);
		assert_int_equal(ky_note_sign(text, strlen(text), &sc,
					      "log.example/b", &b2, &err),
				 0);
		ky_buf_add(&b, b2.data + strlen(text) + 1,
			   b2.len - strlen(text) - 1);
		ky_buf_free(&b2);
	}
	assert_int_equal(ky_note_parse(b.data, b.len, &n, &err), 0);
	assert_int_equal(n.nsigs, 2);
	assert_int_equal(n.text_len, strlen(text));
	assert_int_equal(ky_note_verify(&n, v, 3, &bits, &err), 0);
	assert_int_equal(bits, 3); /* c did not sign: ignored */
	/* only c known: nothing verifies */
	assert_int_equal(ky_note_verify(&n, &v[2], 1, &bits, &err),
			 KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "no signature by a known key"));
	/* a known name and ID whose signature is bad: the note is refused */
	n.sigs[0].sig[3] ^= 1;
	assert_int_equal(ky_note_verify(&n, v, 3, &bits, &err), KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "log.example/a"));
	ky_note_free(&n);
	ky_buf_free(&b);
	ky_buf_free(&vb);
	ky_keystore_close(ed);
	ky_keystore_close(ec);
	ky_keystore_close(other);
}

static void bad_note(const char *s, const char *want)
{
	struct ky_note n;
	struct ky_err err = {0};

	assert_int_equal(ky_note_parse(s, strlen(s), &n, &err), KY_E_PARSE);
	if (strstr(err.msg, want) == NULL)
		fail_msg("'%s': got '%s', want '%s'", s, err.msg, want);
}

static void test_malformed(void **state)
{
	(void)state;
	bad_note("text\n\xe2\x80\x94 k AAAAAAA=\n", "no empty line");
	bad_note("text\n\n\xe2\x80\x94 k AAAAAAA=", "newline");
	bad_note("te\txt\n\n\xe2\x80\x94 k AAAAAAA=\n", "line 1: control");
	bad_note("text\n\n- k AAAAAAA=\n", "line 3: a signature line");
	bad_note("text\n\n\xe2\x80\x94 k+1 AAAAAAA=\n", "line 3: bad key");
	bad_note("text\n\n\xe2\x80\x94 k AAAA\n", "line 3: the signature");
	bad_note("text\n\n\xe2\x80\x94 k !!!!\n", "line 3: the signature");
	bad_note("a\n\nb\xff\n\n\xe2\x80\x94 k AAAAAAA=\n",
		 "line 3: invalid UTF-8");
	bad_note("text\n\n", "no signature");
}

static void test_checkpoint(void **state)
{
	static const char body[] =
		"example.com/log\n20852163\n"
		"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
		"\nextension one\n";
	struct ky_checkpoint c;
	struct ky_err err = {0};
	struct ky_buf b;

	(void)state;
	ky_buf_init(&b, 0);
	assert_int_equal(ky_checkpoint_parse(body, strlen(body), &c, &err), 0);
	assert_string_equal(c.origin, "example.com/log");
	assert_int_equal(c.size, 20852163);
	assert_int_equal(c.root[0], 0x0a);
	assert_string_equal(c.extensions, "extension one\n");
	assert_int_equal(ky_checkpoint_format(&c, &b), 0);
	assert_int_equal(b.len, strlen(body));
	assert_memory_equal(b.data, body, b.len);
	ky_checkpoint_free(&c);
	const char *bad[] = {
		"o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n18446744073709551616\n"
		"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n5\nYWJj\n",
		"\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
		"o\n5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ky_checkpoint_parse(bad[i], strlen(bad[i]), &c, &err) !=
		    KY_E_PARSE)
			fail_msg("accepted: %s", bad[i]);
		ky_checkpoint_free(&c);
	}
	{
		static const char max[] =
			"o\n18446744073709551615\n"
			"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

		assert_int_equal(
			ky_checkpoint_parse(max, strlen(max), &c, &err), 0);
	}
	assert_true(c.size == UINT64_MAX);
	ky_buf_free(&b);
}

static void test_cosignature(void **state)
{
	static const char body[] =
		"example.com/log\n5\n"
		"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
		"\n";
	struct ky_keystore *log = key("log.key", KY_ALG_ED25519),
			   *wit = key("w.key", KY_ALG_ED25519),
			   *ec = key("wec.key", KY_ALG_ECDSA_P256);
	struct ky_signer sl, sw, se;
	struct ky_note_verifier vw;
	struct ky_buf note, line;
	struct ky_note n;
	struct ky_err err = {0};
	uint64_t t = 0;

	(void)state;
	ky_signer_from_keystore(&sl, log, "l");
	ky_signer_from_keystore(&sw, wit, "w");
	ky_signer_from_keystore(&se, ec, "e");
	ky_buf_init(&note, 0);
	ky_buf_init(&line, 0);
	assert_int_equal(ky_note_sign(body, strlen(body), &sl,
				      "example.com/log", &note, &err),
			 0);
	assert_int_equal(ky_cosign(body, strlen(body), &sw, "witness.example/w",
				   1700000000, &line, &err),
			 0);
	ky_buf_add(&note, line.data, line.len);
	assert_int_equal(ky_note_verifier_make("witness.example/w", &sw.pub,
					       KY_NOTE_TYPE_COSIGNATURE, &vw,
					       &err),
			 0);
	assert_int_equal(ky_note_parse(note.data, note.len, &n, &err), 0);
	assert_int_equal(ky_cosign_verify(&n, &vw, &t, &err), 0);
	assert_int_equal(t, 1700000000);
	/* the timestamp is signed */
	n.sigs[1].sig[7] ^= 1;
	assert_int_equal(ky_cosign_verify(&n, &vw, &t, &err), KY_E_VERIFY);
	ky_note_free(&n);
	/* the same key as a log key (type 0x01) is another key ID */
	{
		struct ky_note_verifier v1;

		assert_int_equal(
			ky_note_verifier_make("witness.example/w", &sw.pub,
					      KY_NOTE_TYPE_ED25519, &v1, &err),
			0);
		assert_int_not_equal(v1.id, vw.id);
	}
	assert_int_equal(
		ky_cosign(body, strlen(body), &se, "w2", 1, &line, &err),
		KY_E_UNSUPPORTED);
	ky_buf_free(&note);
	ky_buf_free(&line);
	ky_keystore_close(log);
	ky_keystore_close(wit);
	ky_keystore_close(ec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test_setup_teardown(test_sign_verify, setup,
						teardown),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test_setup_teardown(test_cosignature, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
