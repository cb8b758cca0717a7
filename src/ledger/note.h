/* C2SP signed notes (signed-note.md), transparency log checkpoints
 * (tlog-checkpoint.md) and witness cosignatures (tlog-cosignature.md):
 * parsing with precise errors, verification against known keys, and
 * signing through a ky_signer (trust/sig.h).  docs/ledger.md. */
#ifndef KY_LEDGER_NOTE_H
#define KY_LEDGER_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "ledger/merkle.h"
#include "trust/pubkey.h"
#include "trust/signer.h"

#define KY_NOTE_MAX (1u << 20) /* bytes of a note */
#define KY_NOTE_MAX_SIGS 100   /* signature lines kept */
#define KY_NOTE_NAME_MAX 256   /* bytes of a key name */

/* Signature type bytes (signed-note.md); ECDSA P-256 as docs/signed-note.md
 * says. */
#define KY_NOTE_TYPE_ED25519 0x01
#define KY_NOTE_TYPE_ECDSA_P256 0x02
#define KY_NOTE_TYPE_COSIGNATURE 0x04

/* A verifier: key name, signature type byte (per signed-note.md: Ed25519
 * 0x01, the timestamped Ed25519 cosignature 0x04, and the type the spec
 * gives ECDSA P-256 keys), key hash (4 bytes) and public key. */
struct ky_note_verifier {
	char name[KY_NOTE_NAME_MAX];
	uint8_t type;
	uint32_t id; /* the key hash, big-endian as on the wire */
	struct ky_pubkey pub;
};

/* The verifier key text "<name>+<hex id>+<base64(type || key)>". */
int ky_note_verifier_parse(const char *s, size_t n,
			   struct ky_note_verifier *out, struct ky_err *err);
int ky_note_verifier_format(const struct ky_note_verifier *v,
			    struct ky_buf *out);
/* The verifier of a signing key under a name (computes the key hash). */
int ky_note_verifier_make(const char *name, const struct ky_pubkey *pub,
			  uint8_t type, struct ky_note_verifier *out,
			  struct ky_err *err);

struct ky_note_sig {
	char name[KY_NOTE_NAME_MAX];
	uint32_t id;
	uint8_t sig[80]; /* without the 4-byte key hash */
	size_t len;
};

struct ky_note {
	char *text; /* the signed text, ending in a newline */
	size_t text_len;
	struct ky_note_sig *sigs;
	size_t nsigs;
};

/* Parses a signed note; errors name the line and what is wrong (control
 * characters, no blank line before the signatures, a signature line
 * without the em dash, bad base64, a signature shorter than its key hash).
 * The caller frees with ky_note_free. */
int ky_note_parse(const char *s, size_t n, struct ky_note *out,
		  struct ky_err *err);
void ky_note_free(struct ky_note *note);

/* Verifies the note's signatures by the given keys: *verified (may be
 * NULL) gets a bit per verifier whose signature is present and valid.
 * Fails with KY_E_VERIFY when a signature with a known name and key hash
 * does not verify, or when none of the keys signed.  Unknown signatures
 * are ignored (signed-note.md). */
int ky_note_verify(const struct ky_note *note,
		   const struct ky_note_verifier *keys, size_t nkeys,
		   uint64_t *verified, struct ky_err *err);

/* Signs text (must end in a newline, no control characters) and appends
 * the signature line; with an existing note text, adds a line. */
int ky_note_sign(const char *text, size_t n, const struct ky_signer *s,
		 const char *key_name, struct ky_buf *out, struct ky_err *err);

/* ---- checkpoints (tlog-checkpoint.md) ---- */

struct ky_checkpoint {
	char origin[KY_NOTE_NAME_MAX];
	uint64_t size;
	ky_hash256 root;
	/* extension lines after the root are kept, not interpreted */
	char *extensions;
	size_t ext_len;
};

/* Body: "<origin>\n<size>\n<base64 root>\n[extension lines]". */
int ky_checkpoint_parse(const char *text, size_t n, struct ky_checkpoint *out,
			struct ky_err *err);
int ky_checkpoint_format(const struct ky_checkpoint *c, struct ky_buf *out);
void ky_checkpoint_free(struct ky_checkpoint *c);

/* ---- cosignatures (tlog-cosignature.md) ---- */

/* A witness's timestamped cosignature line over a checkpoint body
 * ("cosignature/v1\ntime <t>\n" || body), Ed25519 only as the spec says;
 * appends the signature line to out. */
int ky_cosign(const char *body, size_t n, const struct ky_signer *s,
	      const char *witness_name, uint64_t time_s, struct ky_buf *out,
	      struct ky_err *err);
/* Verifies a cosignature of the note by the witness key; *time_s gets its
 * timestamp. */
int ky_cosign_verify(const struct ky_note *note,
		     const struct ky_note_verifier *witness, uint64_t *time_s,
		     struct ky_err *err);

#endif
