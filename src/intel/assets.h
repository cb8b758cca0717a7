/* Asset inventory: hosts with their names, addresses, owner, criticality,
 * location and installed software (CPE 2.3 and purl kept as strings), the
 * importers (CSV, JSON, CycloneDX SBOM) and the hash-indexed lookups that
 * link alerts to assets by address or host name.  See docs/assets.md. */
#ifndef KY_INTEL_ASSETS_H
#define KY_INTEL_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

struct ky_event;

/* Limits on outside input; a record past one is reported and skipped. */
#define KY_ASSET_FIELD_MAX 4096		 /* bytes of one string field */
#define KY_ASSET_HOST_MAX 253		 /* bytes of a host name (RFC 1035) */
#define KY_ASSET_LIST_MAX 256		 /* host names, addresses, tags */
#define KY_ASSET_SOFTWARE_MAX 100000	 /* software items of one asset */
#define KY_ASSETS_INPUT_MAX (512u << 20) /* bytes of one import file */
#define KY_ASSET_ADDR_TEXT 46		 /* INET6_ADDRSTRLEN */

/* One installed software item.  Strings are NULL when absent; name is
 * always set.  cpe and purl are kept as given (the exposure matcher parses
 * them). */
struct ky_software {
	char *name;
	char *version;
	char *cpe; /* CPE 2.3 formatted string */
	char *purl;
	char *supplier;
};

/* An asset.  Owned by its inventory; read the fields, change them only
 * through the inventory.  Pointers stay valid until ky_assets_free. */
struct ky_asset {
	char *id;	  /* stable: given, or the first host name/address */
	char **hostnames; /* lower case, no trailing dot */
	size_t nhostnames;
	char **addresses; /* canonical text: 192.0.2.1, 2001:db8::1 */
	size_t naddresses;
	char *owner;	 /* NULL when unknown */
	char *location;	 /* NULL when unknown */
	int criticality; /* 1 (lowest) .. 5 (highest); 0 when unknown */
	char country[3]; /* ISO 3166-1 alpha-2, upper case; "" when unknown */
	char **tags;
	size_t ntags;
	struct ky_software *software;
	size_t nsoftware;
};

/* Fields of a record being imported: a field present in the record replaces
 * the stored one on merge, an absent one keeps it. */
enum ky_asset_field {
	KY_AF_ID = 1u << 0,
	KY_AF_HOSTNAMES = 1u << 1,
	KY_AF_ADDRESSES = 1u << 2,
	KY_AF_OWNER = 1u << 3,
	KY_AF_CRITICALITY = 1u << 4,
	KY_AF_LOCATION = 1u << 5,
	KY_AF_COUNTRY = 1u << 6,
	KY_AF_TAGS = 1u << 7,
	KY_AF_SOFTWARE = 1u << 8,
};

struct ky_hash;

struct ky_asset_rec {
	struct ky_asset a;
	unsigned present;     /* enum ky_asset_field bits */
	struct ky_hash *seen; /* software keys, for dropping duplicates */
};

/* ---- validation and normalisation (no allocation) ---- */

/* IPv4 or IPv6 text (IPv4-mapped IPv6 becomes IPv4, a %zone is refused) to
 * its canonical text in out.  0 or KY_E_PARSE with a message. */
int ky_asset_norm_addr(const char *s, size_t n, char out[KY_ASSET_ADDR_TEXT],
		       struct ky_err *err);
/* Host name to lower case without a trailing dot, checked against RFC 1123
 * letters, digits, '-' and '_' in labels of 1-63 bytes, at most 253 bytes;
 * out has KY_ASSET_HOST_MAX + 1 bytes.  0 or KY_E_PARSE. */
int ky_asset_norm_host(const char *s, size_t n, char *out, struct ky_err *err);
/* Whether cc (two letters, any case) is an ISO 3166-1 alpha-2 code. */
bool ky_asset_country_valid(const char *cc, size_t n);

/* ---- records: what the importers fill ---- */

void ky_asset_rec_init(struct ky_asset_rec *r);
/* Frees what the record holds and re-initialises it. */
void ky_asset_rec_clear(struct ky_asset_rec *r);
/* Setters: the value is copied and checked; an error message names the
 * value and the rule ("'7' is not 1-5") and the caller prefixes the
 * position.  Return 0, KY_E_PARSE, KY_E_TOOBIG or KY_E_NOMEM. */
int ky_asset_rec_set_id(struct ky_asset_rec *r, const char *s, size_t n,
			struct ky_err *err);
int ky_asset_rec_add_host(struct ky_asset_rec *r, const char *s, size_t n,
			  struct ky_err *err);
int ky_asset_rec_add_addr(struct ky_asset_rec *r, const char *s, size_t n,
			  struct ky_err *err);
int ky_asset_rec_add_tag(struct ky_asset_rec *r, const char *s, size_t n,
			 struct ky_err *err);
/* field is KY_AF_OWNER or KY_AF_LOCATION. */
int ky_asset_rec_set_str(struct ky_asset_rec *r, enum ky_asset_field field,
			 const char *s, size_t n, struct ky_err *err);
/* Text "1".."5". */
int ky_asset_rec_set_crit(struct ky_asset_rec *r, const char *s, size_t n,
			  struct ky_err *err);
int ky_asset_rec_set_country(struct ky_asset_rec *r, const char *s, size_t n,
			     struct ky_err *err);
/* Marks the software list present (an empty list then replaces the stored
 * one) and appends sw, whose strings are copied (NULL or "" for absent;
 * name required).  An item equal to one already in the record (same purl,
 * else cpe, else name and version) is dropped. */
int ky_asset_rec_add_software(struct ky_asset_rec *r,
			      const struct ky_software *sw, struct ky_err *err);

/* ---- the inventory ---- */

struct ky_assets;

/* NULL on exhaustion. */
struct ky_assets *ky_assets_new(void);
void ky_assets_free(struct ky_assets *a);
size_t ky_assets_count(const struct ky_assets *a);
/* The i-th asset in insertion order (i < count). */
const struct ky_asset *ky_assets_at(const struct ky_assets *a, size_t i);
const struct ky_asset *ky_assets_get(const struct ky_assets *a, const char *id);

/* Merges rec into the inventory and takes what it holds (rec is left
 * empty).  The target is the asset with rec's id; without an id, the one
 * holding one of rec's host names (the first such), else a new asset whose
 * id is rec's first host name, else its first address.  A record with no
 * id, host name or address is refused.  *added (may be NULL) is set to
 * true for a new asset, *out (may be NULL) to the asset.  Returns 0,
 * KY_E_INVAL or KY_E_NOMEM. */
int ky_assets_put(struct ky_assets *a, struct ky_asset_rec *rec, bool *added,
		  const struct ky_asset **out, struct ky_err *err);

/* Assets holding the address (any valid text form).  Writes up to max
 * pointers to out and returns how many assets matched.  No allocation. */
size_t ky_assets_find_addr(const struct ky_assets *a, const char *s, size_t n,
			   const struct ky_asset **out, size_t max);
/* Assets named host (case-insensitive, trailing dot ignored).  An exact
 * name wins; otherwise a short name matches the first label of an FQDN in
 * the inventory, and an FQDN matches an inventory short name equal to its
 * first label, each only when exactly one asset fits (ambiguous: 0). */
size_t ky_assets_find_host(const struct ky_assets *a, const char *s, size_t n,
			   const struct ky_asset **out, size_t max);

/* An asset linked to an alert and what linked it. */
struct ky_asset_match {
	const struct ky_asset *asset;
	const char *via; /* "host", "destination", "source" or the event
			    field name; static storage */
};

/* Assets for an alert's host name and source/destination addresses (each
 * may be NULL), in the order host, destination, source, each asset once.
 * Returns the number of distinct assets (entries written: at most max). */
size_t ky_assets_link(const struct ky_assets *a, const char *host,
		      const char *src, const char *dst,
		      struct ky_asset_match *out, size_t max);
/* The same from an event's fields: host.name, host.hostname, Computer,
 * hostname, then host.ip, destination.ip, DestinationIp, server.ip, then
 * source.ip, SourceIp, IpAddress, client.ip (array elements included). */
size_t ky_assets_link_event(const struct ky_assets *a,
			    const struct ky_event *ev,
			    struct ky_asset_match *out, size_t max);

/* ---- JSON (the import shape and the store's serialisation) ---- */

/* New reference, or NULL on exhaustion. */
json_t *ky_asset_to_json(const struct ky_asset *as);
/* The whole inventory as an array, in insertion order. */
json_t *ky_assets_to_json(const struct ky_assets *a);
/* Fills rec from one object; the message names the field ("field
 * criticality: 7 is not 1-5").  rec must be initialised; on error it may
 * hold part of the record (clear it). */
int ky_asset_rec_from_json(const json_t *obj, struct ky_asset_rec *rec,
			   struct ky_err *err);
/* Adds every asset kept in the store (documents of kind "asset"); a
 * stored record that does not read fails naming its id. */
struct ky_store;
int ky_assets_load_store(struct ky_assets *a, struct ky_store *st,
			 struct ky_err *err);

/* ---- importers ---- */

enum ky_assets_format {
	KY_ASSETS_AUTO = 0,
	KY_ASSETS_CSV,
	KY_ASSETS_JSON,
	KY_ASSETS_CYCLONEDX,
};

/* "auto|csv|json|cyclonedx"; 0 or KY_E_INVAL. */
int ky_assets_format_parse(const char *s, enum ky_assets_format *out);

/* Options in, counts out.  A bad record is passed to on_error (or logged as
 * a warning when on_error is NULL) and skipped; the records before and
 * after it are kept. */
struct ky_assets_import {
	const char *name;     /* input name in messages; NULL: "input" */
	const char *asset_id; /* CycloneDX: the asset the SBOM describes
				 (created when missing), instead of
				 metadata.component */
	void (*on_error)(void *ud, const struct ky_err *e);
	void *ud;
	/* results */
	size_t records;		   /* records read */
	size_t added;		   /* new assets */
	size_t updated;		   /* assets merged into */
	size_t skipped;		   /* records (or SBOM components) refused */
	size_t software;	   /* software items imported */
	struct ky_err first_error; /* the first record error, if any */
};

/* Each returns 0 when the input could be read (records may have been
 * skipped: see imp), or a negative status when the input as a whole is
 * refused (not JSON, bad CSV header, not a CycloneDX BOM, too large),
 * with err naming the input. */
int ky_assets_import_csv(struct ky_assets *a, const char *data, size_t len,
			 struct ky_assets_import *imp, struct ky_err *err);
int ky_assets_import_json(struct ky_assets *a, const char *data, size_t len,
			  struct ky_assets_import *imp, struct ky_err *err);
int ky_assets_import_cyclonedx(struct ky_assets *a, const char *data,
			       size_t len, struct ky_assets_import *imp,
			       struct ky_err *err);
/* AUTO: a JSON object with "bomFormat": "CycloneDX" is an SBOM, a JSON
 * array the JSON form, anything else CSV. */
int ky_assets_import_data(struct ky_assets *a, enum ky_assets_format fmt,
			  const char *data, size_t len,
			  struct ky_assets_import *imp, struct ky_err *err);
/* Reads path (at most KY_ASSETS_INPUT_MAX bytes); imp->name defaults to
 * path. */
int ky_assets_import_file(struct ky_assets *a, enum ky_assets_format fmt,
			  const char *path, struct ky_assets_import *imp,
			  struct ky_err *err);

/* Internal, shared by assets.c and assets_import.c: a value made safe for
 * a message (at most 60 bytes, control and non-ASCII bytes as '?'). */
const char *ky__asset_show(const char *s, size_t n, char out[80]);

#endif
