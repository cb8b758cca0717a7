/* libFuzzer target for the signed-note, checkpoint and verifier-key
 * parsers: any input must parse or fail cleanly; a parsed note verified
 * against a fixed key must fail cleanly (nobody holds its private key). */
#include <stdint.h>
#include <string.h>

#include "ledger/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct ky_note_verifier v;
	struct ky_checkpoint cp;
	struct ky_pubkey pk;
	struct ky_note n;
	struct ky_err err = {0};

	if (ky_note_parse((const char *)data, size, &n, &err) == 0) {
		/* a key named like the first signer, with its key ID */
		if (ky_pubkey_set(&pk, KY_ALG_ED25519, key, 32, &err) == 0 &&
		    ky_note_verifier_make(n.sigs[0].name, &pk,
					  KY_NOTE_TYPE_ED25519, &v,
					  &err) == 0) {
			v.id = n.sigs[0].id;
			if (ky_note_verify(&n, &v, 1, NULL, &err) == 0)
				__builtin_trap();
			v.type = KY_NOTE_TYPE_COSIGNATURE;
			(void)ky_cosign_verify(&n, &v, NULL, &err);
		}
		if (ky_checkpoint_parse(n.text, n.text_len, &cp, &err) == 0)
			ky_checkpoint_free(&cp);
		ky_note_free(&n);
	}
	if (ky_checkpoint_parse((const char *)data, size, &cp, &err) == 0)
		ky_checkpoint_free(&cp);
	(void)ky_note_verifier_parse((const char *)data, size, &v, &err);
	return 0;
}
