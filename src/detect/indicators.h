/* Indicator sets: known-bad values matched by exact lookup on event fields,
 * never by substring scanning.  Addresses and CIDR ranges live in a prefix
 * tree (longest match), domains in a hash with any-subdomain entries,
 * URLs, e-mail addresses and hashes in hashes of their normalised form.
 * Warning lists (known-benign values) are sets of the same kind whose hits
 * suppress indicator matches. */
#ifndef KY_DETECT_INDICATORS_H
#define KY_DETECT_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "event/event.h"

enum ky_ioc_type {
	KY_IOC_IP = 0, /* IPv4 or IPv6 address, or CIDR range */
	KY_IOC_DOMAIN, /* exact name; "*.example.org" = any subdomain */
	KY_IOC_URL,    /* normalised: lower-case scheme and host */
	KY_IOC_EMAIL,  /* lower-case */
	KY_IOC_MD5,    /* hashes: lower-case hex */
	KY_IOC_SHA1,
	KY_IOC_SHA256,
	KY_IOC_TYPES
};

const char *ky_ioc_type_name(enum ky_ioc_type t);
/* "ip|ipv4|ipv6|cidr|domain|url|email|md5|sha1|sha256"; 0 or KY_E_INVAL */
int ky_ioc_type_parse(const char *s, enum ky_ioc_type *out);
/* The value v of type t as an indicator set holds it (lower-case hashes,
 * e-mail and host names, canonical addresses and ranges) into out (cap
 * bytes, NUL-terminated).  KY_E_PARSE with *why on a bad value. */
#define KY_IOC_VALUE_MAX 8192
int ky_ioc_normalise(enum ky_ioc_type t, const char *v, size_t n, char *out,
		     size_t cap, const char **why);
/* Guesses the type of a value (for plain lists); KY_E_PARSE when none. */
int ky_ioc_type_guess(const char *v, size_t n, enum ky_ioc_type *out);

/* What an indicator carries besides its value. */
struct ky_ioc {
	enum ky_ioc_type type;
	const char *value;  /* as normalised and stored */
	const char *list;   /* the list or file it came from */
	const char *fields; /* comma-separated fields it applies to, or
			       NULL for the defaults of its type */
	int confidence;	    /* 0-100, 50 when not given */
	uint64_t line;	    /* line in its list */
	bool warning;	    /* from a warning list: suppresses matches */
};

struct ky_ioc_set;

struct ky_ioc_set *ky_ioc_set_new(void);
void ky_ioc_set_free(struct ky_ioc_set *s);

/* Adds one indicator (value copied and normalised).  A bad value fails
 * with err naming it; a duplicate replaces the older entry's metadata. */
int ky_ioc_add(struct ky_ioc_set *s, const struct ky_ioc *ioc, size_t vlen,
	       struct ky_err *err);

/* Plain list: one value per line, '#' comments, blank lines skipped, type
 * guessed per line unless forced (type >= 0).  Bad lines are reported
 * (first few in err, all counted in *rejected) and loading goes on.
 * warning: the list is a warning list. */
int ky_ioc_load_list(struct ky_ioc_set *s, const char *path, int type,
		     bool warning, uint64_t *loaded, uint64_t *rejected,
		     struct ky_err *err);

/* CSV (RFC 4180, header row required): columns value (required), type,
 * fields, confidence, warning; others ignored.  Same reporting. */
int ky_ioc_load_csv(struct ky_ioc_set *s, const char *path, uint64_t *loaded,
		    uint64_t *rejected, struct ky_err *err);

/* Exact lookup of one value of a type (IP: longest prefix; domain: exact,
 * then each parent for "*." entries).  Returns the indicator or NULL;
 * warning entries are returned too (the caller checks ->warning). */
const struct ky_ioc *ky_ioc_lookup(const struct ky_ioc_set *s,
				   enum ky_ioc_type type, const char *v,
				   size_t n);

/* A hit of ky_ioc_match_event. */
struct ky_ioc_hit {
	const struct ky_ioc *ioc;
	const struct ky_field *field; /* the event field that matched */
};

/* Looks up every event field that can hold an indicator (source.ip,
 * destination.ip, url.original, dns.question.name, file.hash.sha256,
 * Sysmon Hashes "SHA256=...,MD5=...", DestinationIp, QueryName, ...: the
 * table is in docs/indicators.md) and calls fn for each match that no
 * warning entry suppresses; fn returning non-zero stops.  Returns the
 * number of hits or a negative status.  No allocation. */
int ky_ioc_match_event(const struct ky_ioc_set *s, const struct ky_event *ev,
		       int (*fn)(void *ud, const struct ky_ioc_hit *hit),
		       void *ud);

size_t ky_ioc_count(const struct ky_ioc_set *s, enum ky_ioc_type t);

#endif
