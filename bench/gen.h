/* Deterministic test data for bench_ingest: ECS-like JSON events and sshd
 * syslog lines generated in memory from a seeded PRNG, with what was put
 * into each sshd line so that the extraction can be checked. */
#ifndef KY_BENCH_GEN_H
#define KY_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Records stored back to back, each followed by '\n' (so the buffer can be
 * written out as is); off/len exclude the newline. */
struct bench_corpus {
	struct ky_buf b;
	size_t *off;
	uint32_t *len;
	size_t n, cap;
};

/* What the generator put into an sshd line, to check the extraction. */
enum sshd_kind {
	K_FAILED_PW,
	K_FAILED_INVALID,
	K_ACCEPTED_KEY,
	K_ACCEPTED_PW,
	K_INVALID_USER,
	K_DISCONNECTED,
	K_DISCONNECTED_AUTH,
	K_CLOSED_PREAUTH,
	K_PAM_SESSION,
	K_KEX_ERROR,
	K_NKINDS,
};

/* Names of the kinds, for the check messages. */
extern const char *const bench_kind_names[K_NKINDS];

struct bench_sshd_truth {
	uint8_t kind;
	uint8_t ip_len;
	uint8_t user_len;
	uint16_t ip_off; /* within the line; ip_len 0 = no address */
	uint16_t user_off;
	uint16_t port;
};

/* Scalar values in every generated event (what the flattening scanner
 * emits as fields); verify_json checks it against jansson. */
#define JSON_LEAVES 18

/* The PRNG state; set it (the seed) before generating. */
extern uint64_t bench_rng_state;

/* Prints what and exits 2: only for set-up failures (out of memory). */
void bench_die(const char *what) __attribute__((noreturn));

/* Room for n records of about avg bytes. */
void bench_corpus_init(struct bench_corpus *c, size_t n, size_t avg);
void bench_corpus_free(struct bench_corpus *c);
/* Append one record to c. */
void bench_gen_json(struct bench_corpus *c);
void bench_gen_sshd(struct bench_corpus *c, struct bench_sshd_truth *t);

#endif
