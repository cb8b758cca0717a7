/* Deterministic test data for bench_ingest: ECS-like JSON events and sshd
 * syslog lines generated in memory from a seeded PRNG, with what was put
 * into each sshd line so that the extraction can be checked. */
#ifndef KY_BENCH_GEN_H
#define KY_BENCH_GEN_H

#include <stdbool.h>
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

/* Thread CPU time (the per-core figure) and monotonic wall time. */
struct bench_times {
	double cpu, wall;
};
struct bench_times bench_now(void);
/* Time since t0. */
struct bench_times bench_since(struct bench_times t0);
/* A decimal count from the command line; false when it is not one. */
bool bench_parse_num(const char *s, unsigned long *out);

/* Room for n records of about avg bytes. */
void bench_corpus_init(struct bench_corpus *c, size_t n, size_t avg);
void bench_corpus_free(struct bench_corpus *c);
/* Append one record to c. */
void bench_gen_json(struct bench_corpus *c);
void bench_gen_sshd(struct bench_corpus *c, struct bench_sshd_truth *t);

/* ---- bench_ioc: indicators and the events matched against them ---- */

/* Kinds of generated indicators, each from its own part of the value
 * space so that no background value of an event can match by chance:
 * hosts 100-169.x.x.x and 2001:db8:a::/48, ranges 200-223.x.x.x and
 * 2001:db8:c::/64s, names under common tlds with labels of at most 12
 * letters, zones with one label of 13-16 letters; events' own addresses
 * are 1-99.x.x.x, 10/8, 192.168/16, 2001:db8:b::/48 and fe80::/64, their
 * names end in ".example" or ".internal". */
enum bench_gkind {
	G_IP4,
	G_IP6,
	G_NET24,
	G_NET16,
	G_NET64,
	G_DOM,
	G_WILD,
	G_SHA,
	G_KINDS,
};

extern const char *const bench_gkind_names[G_KINDS];

struct ky_hash;

struct bench_iocs {
	struct bench_corpus c; /* one value per line: the list file */
	uint8_t *kind;	       /* enum bench_gkind per value */
	size_t first[G_KINDS], count[G_KINDS];
	struct ky_hash *seen; /* every value, to keep them unique */
};

/* Ways an event holds indicator text where it must not match. */
#define BENCH_DECOYS 5
extern const char *const bench_decoy_names[BENCH_DECOYS];

/* What the generator put into the events. */
struct bench_ioc_truth {
	uint8_t *hits; /* per event: fields that must match (0-2) */
	size_t events, total;
	size_t by_slot[3]; /* source.ip, destination.ip, name or hash */
	size_t variants;   /* hits written in a form needing normalisation */
	size_t decoys[BENCH_DECOYS];
	struct ky_buf lines; /* 1-based numbers of events that must match */
};

/* n unique indicators: 40% addresses and ranges, 40% names and zones, 20%
 * SHA-256, in blocks of one kind (first/count). */
void bench_iocs_gen(struct bench_iocs *s, size_t n);
void bench_iocs_free(struct bench_iocs *s);

static inline const char *bench_ioc_val(const struct bench_iocs *s, size_t i,
					size_t *n)
{
	*n = s->c.len[i];
	return s->c.b.data + s->c.off[i];
}

/* Appends one ECS-like JSON event of about 400 bytes: 1% hold an
 * indicator in a field that must match (a tenth of those in two fields),
 * 3% hold indicator text where it must not (t->decoys).  t->hits must have
 * room for c->cap events. */
void bench_gen_ioc_event(struct bench_corpus *c, const struct bench_iocs *s,
			 struct bench_ioc_truth *t);

#endif
