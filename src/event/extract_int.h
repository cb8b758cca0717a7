/* Private to extract.c (framework and built-in extractors) and
 * extract_user.c (user-defined pattern grammar): the extractor record and
 * the small scanners both halves use. */
#ifndef KY_EVENT_EXTRACT_INT_H
#define KY_EVENT_EXTRACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "event/event.h"

struct ky__xtr;
struct ky__upat;

/* Returns 1 when the message was parsed (fields added), 0 when it does not
 * fit (fields added so far are rolled back by the caller), or a negative
 * status (KY_E_TOOBIG past max_fields, KY_E_NOMEM from the arena). */
typedef int (*ky__parse_fn)(const struct ky__xtr *x, const char *msg, size_t n,
			    struct ky_event *ev);

struct ky__xtr {
	const char *name;
	const char *programs; /* '|'-separated program names, NULL = any */
	/* literals, '\n' between alternatives; NULL = always a candidate */
	const char *prefilter;
	/* bytes a message the parser accepts can begin with; NULL = any.
	 * Lets ky_extract pass over a candidate without calling it. */
	const char *first;
	/* first as a bit set of bytes (all ones when NULL), filled by
	 * ky_extractors_new: the test is made for every candidate. */
	uint64_t first_set[4];
	ky__parse_fn parse;
	struct ky__upat *upat; /* user patterns only */
	char *owned_name;      /* user patterns: malloc'd name/program/regex */
	char *owned_program;
	char *owned_prefilter;
};

/* The built-in extractors of extract.c, in priority order. */
extern const struct ky__xtr ky__builtins[];
extern const size_t ky__nbuiltins;

/* Compiles one user pattern; on success *prefilter is a malloc'd literal
 * of it (or NULL when the pattern has no literal text to look for).  Errors
 * name the pattern and the 1-based column. */
int ky__upat_compile(const char *name, const char *pattern,
		     struct ky__upat **out, char **prefilter,
		     struct ky_err *err);
void ky__upat_free(struct ky__upat *u);
/* The ky__parse_fn of user patterns (x->upat). */
int ky__upat_parse(const struct ky__xtr *x, const char *msg, size_t n,
		   struct ky_event *ev);

/* Length of the IPv4 / IPv6 / either address at the start of p[0..n), 0 if
 * there is none.  The address is not checked to end at a delimiter. */
size_t ky__scan_ipv4(const char *p, size_t n);
size_t ky__scan_ipv6(const char *p, size_t n);
size_t ky__scan_ip(const char *p, size_t n);
/* True when the whole of p[0..n) is one IP address. */
bool ky__is_ip(const char *p, size_t n);

/* Parses an optionally signed decimal integer that fills p[0..n). */
bool ky__parse_int(const char *p, size_t n, int64_t *out);
/* Adds an INT field whose text is the slice itself (zero copy). */
static inline int ky__add_int(struct ky_event *ev, const char *path,
			      size_t path_len, const char *p, size_t n,
			      int64_t v)
{
	return ky_event_add_int_lit(ev, path, path_len, p, n, v);
}
/* The built-in extractors' way to add a field: path is a string literal
 * (the "" makes anything else fail to compile), so the field says so
 * (KY_FIELD_CONST_PATH). */
#define ADD(ev, path, s, n)                                                    \
	ky_event_add_const((ev), "" path, sizeof(path) - 1, KY_V_STR, s, n)
#define ADDL(ev, path, lit) ADD(ev, path, lit, sizeof(lit) - 1)
#define ADDI(ev, path, s, n, v)                                                \
	ky_event_add_int_const(ev, "" path, sizeof(path) - 1, s, n, v)
/* Unescapes a quoted value's inside (\" \\ \xHH) into the arena when it
 * holds a backslash; otherwise returns the slice as is.  NULL on NOMEM. */
const char *ky__unescape(struct ky_event *ev, const char *p, size_t n,
			 size_t *out_len);

#endif
