/* Internals of the compiled rule set, shared by ruleset.c (rule storage,
 * finalize), compile.c (values to predicates, pattern databases) and
 * match.c (the per-event matcher).  Not part of the public API. */
#ifndef KY_DETECT_RULESET_INT_H
#define KY_DETECT_RULESET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "detect/ruleset.h"

struct ky_logsources;
struct ky_ls_alt;
struct ky_cond;

#define KY__NONE UINT32_MAX

/* What a predicate tests; its bit is its index in ky_ruleset.preds. */
enum ky__pk {
	KY__PK_HS = 0, /* pattern in the field's Vectorscan database */
	KY__PK_PCRE,   /* regex Vectorscan rejects, run directly */
	KY__PK_ANY,    /* any non-null value (the pattern "*") */
	KY__PK_EMPTY,  /* the empty string */
	KY__PK_NULL,   /* a JSON null */
	KY__PK_NUM,    /* numeric comparison */
	KY__PK_CIDR,
	KY__PK_TIME,	 /* part of the value read as a timestamp */
	KY__PK_FIELDREF, /* equal to another field's value */
	KY__PK_PRESENT,	 /* the field is in the event */
};

#define KY__ANCHOR_START 1
#define KY__ANCHOR_END 2

enum ky__op { KY__OP_EQ = 0, KY__OP_GT, KY__OP_GTE, KY__OP_LT, KY__OP_LTE };

enum ky__tpart {
	KY__T_MINUTE = 0,
	KY__T_HOUR,
	KY__T_DAY,
	KY__T_WEEK,
	KY__T_MONTH,
	KY__T_YEAR,
};

/* A literal alternative of a string predicate (KY__PK_HS with nlits > 0):
 * the predicate holds when one of them occurs where anchor says, caseless
 * (ASCII) unless the predicate is cased. */
struct ky__lit {
	char *b;
	uint32_t len;
	uint8_t anchor; /* KY__ANCHOR_* */
};

struct ky__pred {
	uint8_t kind; /* enum ky__pk */
	uint8_t op;   /* enum ky__op: NUM, TIME */
	uint8_t tpart;
	uint8_t cased;	 /* FIELDREF */
	uint8_t family;	 /* CIDR: 4 or 6 */
	uint8_t prefix;	 /* CIDR */
	uint32_t fdb;	 /* owning field database */
	char *pattern;	 /* HS/PCRE: the expression */
	char *fwd;	 /* anchored literal: its regex, for a PCRE2 fallback */
	uint8_t anchor;	 /* KY__ANCHOR_*: checked in the match callback */
	uint32_t litlen; /* anchored literal: its length in bytes */
	unsigned hsflags; /* HS flags; PCRE derives its options from them */
	pcre2_code *re;	  /* PCRE */
	double num;	  /* NUM, TIME */
	uint8_t addr[16]; /* CIDR, masked */
	char *ref;	  /* FIELDREF: the other field */
	char *key;	  /* dedup key in ky_ruleset.predkeys */
	size_t keylen;
	struct ky__lit *lits; /* HS: its literals, when it is only that */
	uint32_t nlits;
	/* HS: answered by its field's equality table and literal database
	 * (litdb.c), not by the regex database */
	bool inlit;
	/* HS literals that trigger no rule: in no database, tested by the
	 * matcher only when a rule reading it is evaluated (match.c). */
	bool lazy;
	uint32_t lazyidx; /* among the lazy predicates */
};

/* A literal of a field's literal database: its id is the index. */
struct ky__lent {
	uint32_t pred;
	uint32_t len;
	uint8_t anchor;
};

/* Whole-value literals up to this length go to the equality table. */
#define KY__EQ_MAX 256

/* Every predicate on one event field (or on all values: the keyword
 * database), and the Vectorscan database of its string patterns. */
struct ky__fdb {
	char *name;
	hs_database_t *db; /* the regular expressions */
	/* Literals (contains, startswith, endswith, keywords, windash and
	 * encoded forms): hs_compile_lit_multi, ids index lents. */
	hs_database_t *lit;
	struct ky__lent *lents;
	uint32_t nlents;
	/* Whole-value literals, matched without Vectorscan: key (0,
	 * ASCII-lowered value) or (1, value: cased) -> index + 1 in eqv, a
	 * run (count, bits...). */
	struct ky_hash *eq;
	uint32_t *eqv;
	uint32_t neqv;
	uint32_t eqmax; /* longest key value */
	bool eqcased;
	uint32_t present_bit; /* KY__NONE until an item needs it */
	uint32_t *direct;     /* non-HS predicates, tested per value */
	uint32_t ndirect, capdirect;
	uint32_t nhs; /* HS predicates (known after finalize) */
	/* Scanned only when this gate is open on the event (the logsources
	 * of the rules reading the field); KY__NONE: always. */
	uint32_t gate;
	uint32_t lsf; /* index among the logsource fields, or KY__NONE */
	/* Its outcome is a function of the value alone (no |fieldref),
	 * so the matcher may remember it (struct ky__vcache). */
	bool cacheable;
	/* Nothing to test (a logsource field no rule reads): the field loop
	 * skips it before its gate (set at finalize, after the databases). */
	bool idle;
};

/* What a value set on one field database, remembered per thread: events
 * repeat most of their values (Image, User, Company, Hashes...), and a
 * hit saves the Vectorscan scan and the direct tests.  Direct-mapped
 * slots; the values themselves are kept in a ring (a slot whose value
 * the ring has overwritten since is a miss).  Values longer than
 * KY__VC_VLEN or setting more than KY__VC_BITS bits are not kept. */
#define KY__VC_SLOTS 2048
#define KY__VC_BITS 14
#define KY__VC_VLEN 512
#define KY__VC_RING (128u * 1024u)
struct ky__vcache {
	uint64_t h;
	uint64_t pos;  /* of the value in the ring (absolute) */
	uint32_t fdb1; /* fdb + 1; 0: empty */
	uint16_t len;
	uint8_t type, nbits;
	uint32_t bits[KY__VC_BITS];
};

/* A keyword value whose literal scan is deferred: the keyword literals
 * are scanned once over all of an event's values (joined), and what each
 * value set is remembered for it as for any field. */
struct ky__kwv {
	uint32_t fi;	      /* event field */
	uint32_t off, len;    /* in the joined buffer */
	struct ky__vcache *e; /* its cache slot; NULL: not cached */
	uint64_t h;
	uint8_t nrec;
	bool over;
	uint32_t rec[KY__VC_BITS];
};

/* A set of logsource alternatives (gatealts[first..first+n)), open on an
 * event when any of them holds; n == 0: never open. */
struct ky__gate {
	uint32_t first, n;
};

/* An item: its value predicates OR'ed (AND with |all), optionally
 * negated; when the field is absent the item is absent_val instead (if
 * present_bit is set).  alt: another item OR'ed with this one (the same
 * item on a field renamed by the logsource). */
struct ky__item {
	uint8_t all, neg, absent_val;
	uint32_t present_bit;
	uint32_t first, n; /* in ky_ruleset.pidx */
	uint32_t fdb;	   /* for alert fields; KY__NONE for keywords */
	uint32_t alt;
};

#define KY__FBLOOM 4096

/* The bit of a non-empty name in ky_ruleset.fbloom. */
static inline uint32_t ky__fbloom_bit(const char *p, size_t n)
{
	uint32_t x = (uint32_t)n * 0x9e3779b1u ^
		     (uint32_t)(unsigned char)p[0] * 0x85ebca6bu ^
		     (uint32_t)(unsigned char)p[n - 1] * 0xc2b2ae35u;

	return (x ^ (x >> 15)) & (KY__FBLOOM - 1);
}

struct ky__fname {
	uint64_t h;
	uint64_t a, b;	  /* ky__fname_words of the name */
	const char *name; /* NULL: empty slot */
	uint32_t len;
	uint32_t fdb;
};

/* The first and last 8 bytes of a name (4 when shorter than 8, all of
 * it when shorter than 4): the whole name when it is at most 16 bytes
 * long, so that two such names are equal when their words are. */
static inline void ky__fname_words(const char *p, size_t n, uint64_t *a,
				   uint64_t *b)
{
	uint32_t x = 0, y = 0;

	*a = 0;
	*b = 0;
	if (n >= 8) {
		memcpy(a, p, 8);
		memcpy(b, p + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&x, p, 4);
		memcpy(&y, p + n - 4, 4);
		*a = x;
		*b = y;
	} else {
		for (size_t i = 0; i < n; i++)
			*a |= (uint64_t)(unsigned char)p[i] << (8 * i);
	}
}

static inline uint64_t ky__fname_hash(uint64_t a, uint64_t b, size_t n)
{
	uint64_t x =
		(a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL) ^ n;

	return x ^ (x >> 29);
}

struct ky__group {
	uint32_t first, n; /* in ky_ruleset.items */
};

struct ky__search {
	uint32_t first, n; /* in ky_ruleset.groups */
};

struct ky__rule {
	struct ky_sigma_rule *rule;
	struct ky_cond *cond;
	uint32_t search0, nsearch; /* in ky_ruleset.searches */
	const struct ky_ls_alt *const *alts;
	size_t nalts;
	uint32_t *altidx;  /* into ky_ruleset.alts, per alternative */
	uint32_t *filters; /* indexes of filter rules applying to this one */
	uint32_t nfilters;
	uint32_t nfields; /* upper bound of distinct alert fields */
	/* The rule names a category or service that no map entry covers:
	 * it runs on no event (running it on every event would fire keyword
	 * rules of other products on unrelated events). */
	bool unmapped;
	uint32_t gate; /* when the rule is a candidate; KY__NONE: always */
};

struct ky_ruleset {
	struct ky_logsources *own_ls; /* the built-in map when opts had none */
	const struct ky_logsources *ls;
	const struct ky_hash *placeholders;
	bool finalized;

	struct ky__rule *rules; /* in add order: detections, filters, corr. */
	size_t nrules, caprules;
	size_t ncorr, nfilt;
	size_t nunmapped;

	struct ky__pred *preds;
	uint32_t npreds, cappreds;
	struct ky_hash *predkeys; /* dedup key -> pred index + 1 */

	struct ky__fdb *fdbs;
	uint32_t nfdbs, capfdbs;
	struct ky_hash *fdbnames; /* field name -> fdb index + 1 */
	uint32_t kwfdb; /* keyword database; KY__NONE if no keywords */

	uint32_t *pidx;
	uint32_t npidx, cappidx;
	struct ky__item *items;
	uint32_t nitems, capitems;
	struct ky__group *groups;
	uint32_t ngroups, capgroups;
	struct ky__search *searches;
	uint32_t nsearches, capsearches;

	const struct ky_ls_alt **alts; /* distinct alternatives in use */
	uint32_t nalts, capalts;

	uint32_t maxsearch; /* most searches in one rule */
	uint32_t maxfields; /* most alert fields of one rule */

	/* A detection is evaluated only when one of its trigger bits is set
	 * (trig: bit -> rules, offsets trig_off[bit]..trig_off[bit+1]) or
	 * when it holds on an event that sets none of its bits (zero).  The
	 * trigger bits are a subset of the bits it reads, chosen so that the
	 * rule cannot hold when none is set (match.c, ky__build_index). */
	uint32_t *trig_off, *trig;
	uint32_t *zero;
	uint32_t nzero;
	/* The lazy predicates: a bit per predicate, and how many. */
	uint64_t *lazymask;
	uint32_t nlazy;

	/* Logsource gates: rules and fields point at one (deduplicated). */
	struct ky__gate *gates;
	uint32_t ngates, capgates;
	uint32_t *gatealts;
	uint32_t ngatealts, capgatealts;
	/* The fields logsource conditions read (Channel, EventID...): the
	 * event's are picked up while its fields are looked up, and each
	 * condition of alternative a reads altcond[altcond_off[a] + i]. */
	uint32_t nlsf;
	uint32_t *altcond, *altcond_off;
	/* A filter of the field names the set knows, on (length, first
	 * byte, last byte): most event fields no rule reads are skipped
	 * without hashing. */
	uint64_t fbloom[KY__FBLOOM / 64];
	/* Field name -> database, for the matcher: open addressing on a
	 * hash of the name's first and last 8 bytes (cheaper than the
	 * generic table for the short names of event fields). */
	struct ky__fname *ftab;
	uint32_t ftabmask;
};

/* A lookup remembered by the address of a constant path
 * (KY_FIELD_CONST_PATH): the parsers' own field names cost a load and a
 * compare instead of a hash. */
#define KY__PC_SLOTS 256
struct ky__pcache {
	const char *path; /* NULL: empty */
	uint32_t len;
	uint32_t fdb; /* lookup's result */
	bool exact;
};

struct ky_match_scratch {
	hs_scratch_t *hs;
	pcre2_match_data *md;
	uint64_t *bits; /* predicate bits */
	uint32_t *touched;
	uint32_t ntouched;
	uint64_t *sbits; /* search bits of the rule being evaluated */
	/* per distinct alternative and per gate: gen << 2 | 1 (no) or 2
	 * (yes) once known for this event */
	uint32_t *altok;
	struct ky_alert_field *afields;
	uint32_t nbits_words;
	uint64_t *rmark; /* rules to evaluate for this event */
	uint32_t *gateok;
	const struct ky_field **lsval; /* per logsource field: the event's */
	uint32_t *fdi; /* pairs (event field, its fdb) to test: 2 * capfdi */
	uint64_t *fvh; /* per event field: hash of its value, 0: not yet */
	uint32_t capfdi;
	struct ky__vcache *vc;
	char *ring;		   /* KY__VC_RING bytes */
	uint64_t rtotal;	   /* bytes the ring has been written */
	uint32_t rec[KY__VC_BITS]; /* bits set by the value being tested */
	uint8_t nrec;
	bool recording, rec_over;
	uint64_t nscan, nhit; /* values tested, of which remembered */
	/* per lazy predicate: the event (gen) it was last tested on */
	uint32_t *lazygen;
	uint32_t gen;
	/* the joined keyword values of the event */
	char *kwbuf;
	size_t capkwbuf;
	struct ky__kwv *kwv;
	uint32_t nkwv;
	/* per field database: its first field in the event (+ 1; valid
	 * when fgen is gen), and per event field the next one */
	uint32_t *fhead, *fgen, *fnext;
	struct ky__pcache *pc;	      /* KY__PC_SLOTS */
	const struct ky_ruleset *rs;  /* for the match callback */
	const struct ky__lent *lents; /* of the field being scanned */
	unsigned long long vlen;      /* length of the value being scanned */
};

/* Grows *p (an array of *cap elements of size sz) to hold need. */
int ky__grow(void *p, uint32_t *cap, uint32_t need, size_t sz);

/* compile.c: compiles rule's searches into items and predicates,
 * appending to rs; the caller rolls back on failure. */
int ky__compile_rule(struct ky_ruleset *rs, struct ky__rule *cr,
		     struct ky_err *err);
/* Undoes predicates, items, groups and searches past the marks. */
void ky__rollback(struct ky_ruleset *rs, uint32_t npreds, uint32_t npidx,
		  uint32_t nitems, uint32_t ngroups, uint32_t nsearches);
/* A rejection: "path:line:col: reason" (the item's position). */
int ky__unsup(struct ky_err *err, const struct ky__rule *cr,
	      const struct ky_sigma_item *it, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* expand.c: |expand, every %name% replaced by each value of the
 * placeholder list (a product for several); *out: *nout strings. */
int ky__expand(const struct ky_ruleset *rs, const struct ky__rule *cr,
	       const struct ky_sigma_item *it, const char *s, size_t n,
	       char ***out, size_t *nout, struct ky_err *err);
/* litdb.c: the equality tables, literal databases and Vectorscan regex
 * databases (moving what Vectorscan rejects to PCRE2). */
int ky__build_dbs(struct ky_ruleset *rs, struct ky_err *err);
/* Frees what ky__build_dbs made for fdb f. */
void ky__fdb_free_dbs(struct ky__fdb *f);
void ky__pred_free(struct ky__pred *p);
/* Compiles p->pattern with PCRE2 (bytes, no UTF: event values may be
 * invalid UTF-8) and makes p a KY__PK_PCRE; 0, or msg says why. */
int ky__pcre_compile(struct ky__pred *p, char *msg, size_t msglen);

/* ruleset.c: the predicate table.  The database of field name (created
 * on first use; *r = 0 or an error). */
uint32_t ky__get_fdb(struct ky_ruleset *rs, const char *name, int *r);
/* Finds or adds the predicate *tmpl (its pointers are taken over, or
 * freed when an equal predicate exists); *bit = its index. */
int ky__add_pred(struct ky_ruleset *rs, struct ky__pred *tmpl, uint32_t *bit);
/* The bit telling that field database fdb's field is in the event. */
int ky__present_bit(struct ky_ruleset *rs, uint32_t fdb, uint32_t *bit);
/* "10.0.0.0/8", "fd00::/8", a bare address: p->family/addr/prefix. */
int ky__cidr_parse(const char *s, struct ky__pred *p);

/* A growing array of indexes, for the finalize-time indexes. */
struct ky__u32v {
	uint32_t *v;
	uint32_t n, cap;
};
int ky__u32v_push(struct ky__u32v *a, uint32_t x);
/* Sorts a->v[from..) and removes duplicates. */
void ky__u32v_unique(struct ky__u32v *a, uint32_t from);
/* The logsource fields (ky__fdb.lsf, altcond) and the gates of rules and
 * fields (ky__rule.gate, ky__fdb.gate). */
int ky__build_gates(struct ky_ruleset *rs);

/* match_index.c */
/* Every predicate bit rule cr reads (values and presence; repeats). */
int ky__rule_bits(const struct ky_ruleset *rs, const struct ky__rule *cr,
		  struct ky__u32v *out);
/* Before the databases: the gates (ky__build_gates), the trigger index
 * and the zero rules; the databases leave out the literals no rule
 * triggers on (ky__pred.lazy). */
int ky__build_triggers(struct ky_ruleset *rs, struct ky_err *err);
/* After the databases: the rules' lazy predicates, the value cache's
 * cacheable fields and the field-name length mask. */
int ky__build_index(struct ky_ruleset *rs, struct ky_err *err);
/* Whether predicate b triggers some rule. */
bool ky__is_trigger(const struct ky_ruleset *rs, uint32_t b);

/* match.c */
/* The event being matched, for the lazy predicates an evaluation reads:
 * each is tested the first time it is read (bits is then s->bits).
 * NULL: the bits as they are (finalize). */
struct ky__lazy {
	struct ky_match_scratch *s;
	const struct ky_event *ev;
};
bool ky__item_eval(const struct ky_ruleset *rs, const struct ky__item *it,
		   const uint64_t *bits, const struct ky__lazy *lz);
/* match_lazy.c: tests lazy bit b on lz's event, once per event. */
void ky__lazy_bit(const struct ky_ruleset *rs, const struct ky__lazy *lz,
		  uint32_t b);

static inline void ky__set_bit(struct ky_match_scratch *s, uint32_t b)
{
	uint64_t *w = &s->bits[b >> 6];

	if (*w == 0)
		s->touched[s->ntouched++] = b >> 6;
	*w |= (uint64_t)1 << (b & 63);
}
/* Item i or any of its renamed alternatives; a search (OR of groups). */
bool ky__item_chain(const struct ky_ruleset *rs, uint32_t i,
		    const uint64_t *bits, const struct ky__lazy *lz);
bool ky__search_eval(const struct ky_ruleset *rs, const struct ky__search *se,
		     const uint64_t *bits, const struct ky__lazy *lz);
/* The rule's condition over predicate bits; sbits is scratch for the
 * search bits (maxsearch bits). */
bool ky__rule_eval(const struct ky_ruleset *rs, const struct ky__rule *cr,
		   const uint64_t *bits, uint64_t *sbits,
		   const struct ky__lazy *lz);

#endif
