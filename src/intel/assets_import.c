/* Importers of the asset inventory (CSV per RFC 4180, the JSON form, and
 * CycloneDX 1.4-1.6 SBOMs) and its JSON serialisation.  A bad record is
 * reported with file, line or record, and field, then skipped. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/log.h"
#include "intel/assets.h"
#include "intel/assets_int.h"

#define CSV_COLS_MAX 64
#define CDX_DEPTH_MAX 32

static const char *in_name(const struct ky_assets_import *imp)
{
	return imp->name ? imp->name : "input";
}

/* A record refused: counted, kept as first_error, handed on. */
static void report(struct ky_assets_import *imp, const struct ky_err *e)
{
	imp->skipped++;
	if (imp->first_error.status == 0)
		imp->first_error = *e;
	if (imp->on_error)
		imp->on_error(imp->ud, e);
	else
		KY_WARN("%s", e->msg);
}

/* Merges rec; reports a refusal (prefixed with where) itself.  Returns
 * KY_E_NOMEM only, which ends the import. */
static int put_rec(struct ky_assets *a, struct ky_asset_rec *rec,
		   struct ky_assets_import *imp, const char *where)
{
	struct ky_err e = {0};
	bool added;
	int r;

	if ((r = ky_assets_put(a, rec, &added, NULL, &e)) != 0) {
		ky_asset_rec_clear(rec);
		if (r == KY_E_NOMEM)
			return r;
		ky_err_prefix(&e, "%s", where);
		report(imp, &e);
		return 0;
	}
	if (added)
		imp->added++;
	else
		imp->updated++;
	return 0;
}

/* Explicit ids seen in this input: a second record with the same id is an
 * error, not a merge (a merge is for re-imports). */
static int dup_id(struct ky_hash *seen, const struct ky_asset_rec *rec,
		  size_t pos, size_t *first)
{
	void *v;

	if (!(rec->present & KY_AF_ID))
		return 0;
	if ((v = ky_hash_get(seen, rec->a.id, strlen(rec->a.id))) != NULL) {
		*first = (size_t)(uintptr_t)v;
		return 1;
	}
	if (ky_hash_put(seen, rec->a.id, strlen(rec->a.id),
			(void *)(uintptr_t)pos, NULL) != 0)
		return KY_E_NOMEM;
	return 0;
}

/* ---- JSON form ---- */

static const char *opt_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int ky__asset_set_owner(struct ky_asset_rec *r, const char *s, size_t n,
			struct ky_err *err)
{
	return ky_asset_rec_set_str(r, KY_AF_OWNER, s, n, err);
}

int ky__asset_set_location(struct ky_asset_rec *r, const char *s, size_t n,
			   struct ky_err *err)
{
	return ky_asset_rec_set_str(r, KY_AF_LOCATION, s, n, err);
}

static json_t *load_json(const char *data, size_t len,
			 const struct ky_assets_import *imp, struct ky_err *err)
{
	json_error_t je;
	json_t *root;

	if (len > KY_ASSETS_INPUT_MAX) {
		ky_err_set(err, KY_E_TOOBIG, "%s: %zu bytes, limit %u",
			   in_name(imp), len, KY_ASSETS_INPUT_MAX);
		return NULL;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		ky_err_set(err, KY_E_PARSE, "%s:%d:%d: %s", in_name(imp),
			   je.line, je.column, je.text);
	return root;
}

int ky_assets_import_json(struct ky_assets *a, const char *data, size_t len,
			  struct ky_assets_import *imp, struct ky_err *err)
{
	json_t *root = NULL;
	const json_t *v;
	struct ky_hash *seen = NULL;
	struct ky_asset_rec rec;
	struct ky_err e;
	char where[256], show[80];
	size_t i, first;
	int r;

	ky_asset_rec_init(&rec);
	if ((root = load_json(data, len, imp, err)) == NULL) {
		r = err ? err->status : KY_E_PARSE;
		goto out;
	}
	if (!json_is_array(root)) {
		r = ky_err_set(err, KY_E_PARSE,
			       "%s: not a JSON array of asset objects",
			       in_name(imp));
		goto out;
	}
	if ((seen = ky_hash_new(0)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(root, i, v)
	{
		const char *id = opt_str(v, "id");

		imp->records++;
		snprintf(where, sizeof(where), "%s: record %zu%s%s%s",
			 in_name(imp), i + 1, id ? " (id '" : "",
			 id ? ky__asset_show(id, strlen(id), show) : "",
			 id ? "')" : "");
		ky_err_clear(&e);
		if ((r = ky_asset_rec_from_json(v, &rec, &e)) == 0 &&
		    (r = dup_id(seen, &rec, i + 1, &first)) == 1)
			r = ky_err_set(&e, KY_E_EXISTS,
				       "field id: duplicate of record %zu",
				       first);
		if (r == KY_E_NOMEM)
			goto nomem;
		if (r != 0) {
			ky_asset_rec_clear(&rec);
			ky_err_prefix(&e, "%s", where);
			report(imp, &e);
			continue;
		}
		imp->software += rec.a.nsoftware;
		if ((r = put_rec(a, &rec, imp, where)) != 0)
			goto nomem;
	}
	r = 0;
	goto out;
nomem:
	r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", in_name(imp));
out:
	ky_asset_rec_clear(&rec);
	ky_hash_free(seen, NULL);
	json_decref(root);
	return r;
}

/* ---- CycloneDX ---- */

/* supplier.name, else publisher, else manufacturer.name, else author. */
static const char *cdx_supplier(const json_t *c)
{
	const char *s;

	if ((s = opt_str(json_object_get(c, "supplier"), "name")) != NULL ||
	    (s = opt_str(c, "publisher")) != NULL ||
	    (s = opt_str(json_object_get(c, "manufacturer"), "name")) != NULL)
		return s;
	return opt_str(c, "author");
}

struct cdx {
	struct ky_asset_rec *rec;
	struct ky_assets_import *imp;
	char path[512];
};

/* Flattens components[] and their nested components into rec. */
static int cdx_walk(struct cdx *x, const json_t *arr, size_t plen,
		    unsigned depth)
{
	const json_t *c, *kids;
	struct ky_err e;
	size_t i, n;
	int r;

	json_array_foreach(arr, i, c)
	{
		struct ky_software sw = {0};

		n = plen +
		    (size_t)snprintf(x->path + plen, sizeof(x->path) - plen,
				     "%scomponents[%zu]", plen ? "." : "", i);
		if (n >= sizeof(x->path))
			n = sizeof(x->path) - 1;
		ky_err_clear(&e);
		if (!json_is_object(c)) {
			ky_err_set(&e, KY_E_PARSE, "%s: %s: not an object",
				   in_name(x->imp), x->path);
			report(x->imp, &e);
			continue;
		}
		sw.name = (char *)opt_str(c, "name");
		sw.version = (char *)opt_str(c, "version");
		sw.cpe = (char *)opt_str(c, "cpe");
		sw.purl = (char *)opt_str(c, "purl");
		sw.supplier = (char *)cdx_supplier(c);
		r = ky_asset_rec_add_software(x->rec, &sw, &e);
		if (r == KY_E_NOMEM)
			return r;
		if (r != 0) {
			ky_err_prefix(&e, "%s: %s: field %s", in_name(x->imp),
				      x->path, sw.name ? "software" : "name");
			report(x->imp, &e);
		}
		kids = json_object_get(c, "components");
		if (!json_is_array(kids))
			continue;
		if (depth + 1 >= CDX_DEPTH_MAX) {
			ky_err_set(&e, KY_E_TOOBIG,
				   "%s: %s: components nested deeper than %d",
				   in_name(x->imp), x->path, CDX_DEPTH_MAX);
			report(x->imp, &e);
			continue;
		}
		if ((r = cdx_walk(x, kids, n, depth + 1)) != 0)
			return r;
	}
	return 0;
}

/* metadata.component types that describe a host rather than a program. */
static bool cdx_host_type(const char *t)
{
	static const char *const ok[] = {"device", "platform",
					 "operating-system", "container",
					 "firmware"};
	size_t i;

	for (i = 0; t && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(t, ok[i]) == 0)
			return true;
	return false;
}

int ky_assets_import_cyclonedx(struct ky_assets *a, const char *data,
			       size_t len, struct ky_assets_import *imp,
			       struct ky_err *err)
{
	json_t *root = NULL;
	const json_t *mc, *comps;
	const char *fmt, *spec, *type, *name;
	struct ky_asset_rec rec;
	struct cdx x;
	char show[80], where[300];
	int r;

	ky_asset_rec_init(&rec);
	if ((root = load_json(data, len, imp, err)) == NULL) {
		r = err ? err->status : KY_E_PARSE;
		goto out;
	}
	fmt = opt_str(root, "bomFormat");
	spec = opt_str(root, "specVersion");
	if (fmt == NULL || strcmp(fmt, "CycloneDX") != 0) {
		r = ky_err_set(err, KY_E_PARSE,
			       "%s: not a CycloneDX BOM (bomFormat)",
			       in_name(imp));
		goto out;
	}
	if (spec == NULL ||
	    (strcmp(spec, "1.4") != 0 && strcmp(spec, "1.5") != 0 &&
	     strcmp(spec, "1.6") != 0)) {
		r = ky_err_set(err, KY_E_UNSUPPORTED,
			       "%s: specVersion '%s' is not 1.4, 1.5 or 1.6",
			       in_name(imp),
			       spec ? ky__asset_show(spec, strlen(spec), show)
				    : "(none)");
		goto out;
	}
	imp->records++;
	mc = json_object_get(json_object_get(root, "metadata"), "component");
	type = opt_str(mc, "type");
	name = opt_str(mc, "name");
	if (imp->asset_id) {
		r = ky_asset_rec_set_id(&rec, imp->asset_id,
					strlen(imp->asset_id), err);
	} else if (name == NULL || !cdx_host_type(type)) {
		r = ky_err_set(err, KY_E_INVAL,
			       "%s: metadata.component is %s%s%s, not a host "
			       "(device, platform, operating-system, "
			       "container, firmware): give the asset id",
			       in_name(imp), name ? "'" : "missing",
			       name ? ky__asset_show(name, strlen(name), show)
				    : "",
			       name ? "'" : "");
	} else {
		r = ky_asset_rec_add_host(&rec, name, strlen(name), err);
		if (r != 0)
			ky_err_prefix(err, "%s: metadata.component.name",
				      in_name(imp));
	}
	if (r != 0)
		goto out;
	/* An SBOM is the whole software of its asset: even an empty one
	 * replaces the list. */
	rec.present |= KY_AF_SOFTWARE;
	x.rec = &rec;
	x.imp = imp;
	x.path[0] = '\0';
	comps = json_object_get(root, "components");
	if (json_is_array(comps) && (r = cdx_walk(&x, comps, 0, 0)) != 0) {
		r = ky_err_set(err, r, "%s: out of memory", in_name(imp));
		goto out;
	}
	imp->software += rec.a.nsoftware;
	snprintf(where, sizeof(where), "%s", in_name(imp));
	if ((r = put_rec(a, &rec, imp, where)) != 0)
		r = ky_err_set(err, r, "%s: out of memory", in_name(imp));
out:
	ky_asset_rec_clear(&rec);
	json_decref(root);
	return r;
}

/* ---- CSV ---- */

/* Columns of the two CSV forms.  A header with an "asset" column is the
 * software form: one row per software item of an existing asset. */
enum col {
	C_IGNORE = 0,
	C_ID,
	C_HOST,
	C_ADDR,
	C_OWNER,
	C_CRIT,
	C_LOCATION,
	C_COUNTRY,
	C_TAGS,
	C_ASSET,
	C_NAME,
	C_VERSION,
	C_CPE,
	C_PURL,
	C_SUPPLIER,
};

static const struct {
	const char *name;
	enum col col;
} csv_cols[] = {
	{"id", C_ID},
	{"hostname", C_HOST},
	{"hostnames", C_HOST},
	{"host", C_HOST},
	{"fqdn", C_HOST},
	{"address", C_ADDR},
	{"addresses", C_ADDR},
	{"ip", C_ADDR},
	{"owner", C_OWNER},
	{"criticality", C_CRIT},
	{"location", C_LOCATION},
	{"country", C_COUNTRY},
	{"tags", C_TAGS},
	{"asset", C_ASSET},
	{"name", C_NAME},
	{"version", C_VERSION},
	{"cpe", C_CPE},
	{"purl", C_PURL},
	{"supplier", C_SUPPLIER},
};

struct csv {
	const char *p, *end;
	size_t line;	 /* physical line of p, 1-based */
	size_t rec_line; /* where the last record began */
	struct ky_buf buf;
	size_t off[CSV_COLS_MAX], len[CSV_COLS_MAX];
	size_t nf;  /* fields of the record (may pass the cap) */
	size_t big; /* 1 + index of a field past the limit */
	size_t big_len;
	size_t ncols; /* of the header */
	enum col cols[CSV_COLS_MAX];
	char names[CSV_COLS_MAX][80];
};

static int csv_add(struct csv *c, const char *s, size_t n, size_t *flen)
{
	size_t room = *flen < KY_ASSET_FIELD_MAX + 1
			      ? KY_ASSET_FIELD_MAX + 1 - *flen
			      : 0;

	*flen += n;
	if (c->nf >= CSV_COLS_MAX)
		return 0;
	return ky_buf_add(&c->buf, s, n < room ? n : room);
}

/* Reads one record (RFC 4180: quoted fields, "" for a quote, CRLF or LF).
 * Returns 1, 0 at the end, or KY_E_PARSE/KY_E_NOMEM with e set; after a
 * parse error the cursor is past the bad record. */
static int csv_record(struct csv *c, struct ky_err *e)
{
	const char *s;
	size_t flen, qline;
	int r;

	ky_buf_reset(&c->buf);
	c->nf = c->big = 0;
	if (c->p >= c->end)
		return 0;
	c->rec_line = c->line;
	for (;;) {
		flen = 0;
		if (c->nf < CSV_COLS_MAX)
			c->off[c->nf] = c->buf.len;
		if (c->p < c->end && *c->p == '"') {
			qline = c->line;
			for (c->p++;; c->p++) {
				if (c->p >= c->end)
					return ky_err_set(
						e, KY_E_PARSE,
						"quote opened on line %zu is "
						"not closed",
						qline);
				if (*c->p == '"') {
					if (c->p + 1 >= c->end ||
					    c->p[1] != '"')
						break;
					c->p++;
				} else if (*c->p == '\n') {
					c->line++;
				}
				if ((r = csv_add(c, c->p, 1, &flen)) != 0)
					return ky_err_set(e, r, "no memory");
			}
			c->p++;
			if (c->p < c->end && *c->p != ',' && *c->p != '\r' &&
			    *c->p != '\n') {
				while (c->p < c->end && *c->p++ != '\n')
					;
				c->line++;
				return ky_err_set(e, KY_E_PARSE,
						  "column %zu: text after the "
						  "closing quote",
						  c->nf + 1);
			}
		} else {
			s = c->p;
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
			       *c->p != '\r')
				c->p++;
			while (s < c->p && (*s == ' ' || *s == '\t'))
				s++;
			r = (int)(c->p - s);
			while (r > 0 && (s[r - 1] == ' ' || s[r - 1] == '\t'))
				r--;
			if ((r = csv_add(c, s, (size_t)r, &flen)) != 0)
				return ky_err_set(e, r, "no memory");
		}
		if (c->nf < CSV_COLS_MAX) {
			c->len[c->nf] = c->buf.len - c->off[c->nf];
			if ((r = ky_buf_addc(&c->buf, '\0')) != 0)
				return ky_err_set(e, r, "no memory");
		}
		if (flen > KY_ASSET_FIELD_MAX && c->big == 0) {
			c->big = c->nf + 1;
			c->big_len = flen;
		}
		c->nf++;
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		c->line++;
		return 1;
	}
}

static const char *csv_field(const struct csv *c, size_t i, size_t *n)
{
	*n = c->len[i];
	return ky_buf_str(&c->buf) + c->off[i];
}

static int csv_header(struct csv *c, struct ky_assets_import *imp,
		      bool *sw_form, struct ky_err *err)
{
	struct ky_err e = {0};
	unsigned seen = 0;
	size_t i, j, n;
	const char *f;
	char show[80];
	int r;

	while ((r = csv_record(c, &e)) == 1 && c->nf == 1 && c->len[0] == 0)
		; /* blank lines */
	if (r <= 0)
		return ky_err_set(err, r ? r : KY_E_PARSE, "%s:%zu: %s",
				  in_name(imp), c->rec_line,
				  r ? e.msg : "no header row");
	if (c->nf > CSV_COLS_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "%s:1: more than %d columns", in_name(imp),
				  CSV_COLS_MAX);
	*sw_form = false;
	c->ncols = c->nf;
	for (i = 0; i < c->nf; i++) {
		f = csv_field(c, i, &n);
		ky__asset_show(f, n, show);
		snprintf(c->names[i], sizeof(c->names[i]), "%s", show);
		c->cols[i] = C_IGNORE;
		if (n >= 2 && (f[0] == 'x' || f[0] == 'X') &&
		    (f[1] == '-' || f[1] == '_'))
			continue; /* the site's own columns */
		for (j = 0; j < sizeof(csv_cols) / sizeof(csv_cols[0]); j++)
			if (strlen(csv_cols[j].name) == n &&
			    strncasecmp(f, csv_cols[j].name, n) == 0)
				break;
		if (j == sizeof(csv_cols) / sizeof(csv_cols[0]))
			return ky_err_set(err, KY_E_PARSE,
					  "%s:%zu: column %zu: unknown column "
					  "'%s' (prefix x- to ignore it)",
					  in_name(imp), c->rec_line, i + 1,
					  show);
		if (seen & (1u << csv_cols[j].col))
			return ky_err_set(err, KY_E_PARSE,
					  "%s:%zu: column %zu: '%s' appears "
					  "twice",
					  in_name(imp), c->rec_line, i + 1,
					  show);
		seen |= 1u << csv_cols[j].col;
		c->cols[i] = csv_cols[j].col;
		if (c->cols[i] == C_ASSET)
			*sw_form = true;
	}
	if (*sw_form && !(seen & (1u << C_NAME)))
		return ky_err_set(err, KY_E_PARSE,
				  "%s:%zu: software form (column asset) "
				  "without a name column",
				  in_name(imp), c->rec_line);
	if (!*sw_form &&
	    !(seen & ((1u << C_ID) | (1u << C_HOST) | (1u << C_ADDR))))
		return ky_err_set(err, KY_E_PARSE,
				  "%s:%zu: no id, hostname or address column",
				  in_name(imp), c->rec_line);
	return 0;
}

/* Calls fn for each ';'-separated, trimmed, non-empty item of s. */
static int csv_split(const char *s, size_t n, struct ky_asset_rec *rec,
		     str_setter fn, struct ky_err *e)
{
	const char *end = s + n, *q, *b, *t;
	int r;

	for (b = s; b <= end; b = q + 1) {
		if ((q = memchr(b, ';', (size_t)(end - b))) == NULL)
			q = end;
		t = q;
		while (b < t && (*b == ' ' || *b == '\t'))
			b++;
		while (t > b && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if (t > b && (r = fn(rec, b, (size_t)(t - b), e)) != 0)
			return r;
	}
	return 0;
}

static int csv_asset_row(const struct csv *c, struct ky_asset_rec *rec,
			 struct ky_err *e)
{
	/* Setters by column; list columns split on ';'. */
	static const struct {
		str_setter fn;
		bool list;
	} set[] = {
		[C_ID] = {ky_asset_rec_set_id, false},
		[C_HOST] = {ky_asset_rec_add_host, true},
		[C_ADDR] = {ky_asset_rec_add_addr, true},
		[C_OWNER] = {ky__asset_set_owner, false},
		[C_CRIT] = {ky_asset_rec_set_crit, false},
		[C_LOCATION] = {ky__asset_set_location, false},
		[C_COUNTRY] = {ky_asset_rec_set_country, false},
		[C_TAGS] = {ky_asset_rec_add_tag, true},
	};
	const char *f;
	size_t i, n;
	int r = 0;

	for (i = 0; i < c->nf && r == 0; i++) {
		f = csv_field(c, i, &n);
		if (n == 0 || c->cols[i] > C_TAGS || !set[c->cols[i]].fn)
			continue;
		if (set[c->cols[i]].list)
			r = csv_split(f, n, rec, set[c->cols[i]].fn, e);
		else
			r = set[c->cols[i]].fn(rec, f, n, e);
		if (r != 0)
			ky_err_prefix(e, "column %s", c->names[i]);
	}
	return r;
}

/* Software rows gathered per asset: each asset's rows in this file become
 * its software list. */
struct sw_acc {
	struct ky_hash *by_asset; /* asset -> index in recs */
	struct ky_asset_rec *recs;
	size_t n;
};

static int csv_software_row(const struct csv *c, const struct ky_assets *a,
			    struct sw_acc *acc, struct ky_err *e)
{
	struct ky_software sw = {0};
	const struct ky_asset *as[2];
	const char *v[C_SUPPLIER + 1] = {0}, *ref;
	size_t i, n[C_SUPPLIER + 1] = {0}, refn;
	char show[80];
	void *slot;
	int r;

	for (i = 0; i < c->nf; i++)
		v[c->cols[i]] = csv_field(c, i, &n[c->cols[i]]);
	ref = v[C_ASSET];
	refn = n[C_ASSET];
	sw.name = (char *)v[C_NAME];
	sw.version = (char *)v[C_VERSION];
	sw.cpe = (char *)v[C_CPE];
	sw.purl = (char *)v[C_PURL];
	sw.supplier = (char *)v[C_SUPPLIER];
	if (refn == 0)
		return ky_err_set(e, KY_E_PARSE, "column asset: empty");
	if ((as[0] = ky_assets_get(a, ref)) == NULL &&
	    ky_assets_find_host(a, ref, refn, as, 2) != 1)
		return ky_err_set(e, KY_E_NOTFOUND,
				  "column asset: no single asset with id or "
				  "host name '%s'",
				  ky__asset_show(ref, refn, show));
	if ((slot = ky_hash_get(acc->by_asset, &as[0], sizeof(as[0]))) ==
	    NULL) {
		struct ky_asset_rec *nr = acc->recs;

		if ((acc->n & (acc->n - 1)) == 0 &&
		    (nr = ky_reallocarray(acc->recs, acc->n ? 2 * acc->n : 1,
					  sizeof(*nr))) == NULL)
			return ky_err_set(e, KY_E_NOMEM, "no memory");
		acc->recs = nr;
		ky_asset_rec_init(&nr[acc->n]);
		if ((r = ky_asset_rec_set_id(&nr[acc->n], as[0]->id,
					     strlen(as[0]->id), e)) != 0)
			return r;
		acc->n++;
		slot = (void *)(uintptr_t)acc->n;
		if (ky_hash_put(acc->by_asset, &as[0], sizeof(as[0]), slot,
				NULL) != 0)
			return ky_err_set(e, KY_E_NOMEM, "no memory");
	}
	r = ky_asset_rec_add_software(&acc->recs[(uintptr_t)slot - 1], &sw, e);
	if (r != 0 && r != KY_E_NOMEM)
		ky_err_prefix(e, "column %s",
			      sw.name && sw.name[0] ? "software" : "name");
	return r;
}

int ky_assets_import_csv(struct ky_assets *a, const char *data, size_t len,
			 struct ky_assets_import *imp, struct ky_err *err)
{
	struct csv *c = NULL;
	struct ky_hash *seen = NULL;
	struct sw_acc acc = {0};
	struct ky_asset_rec rec;
	struct ky_err e;
	char where[300];
	size_t i, first;
	bool sw_form = false;
	int r;

	ky_asset_rec_init(&rec);
	if (len > KY_ASSETS_INPUT_MAX) {
		r = ky_err_set(err, KY_E_TOOBIG, "%s: %zu bytes, limit %u",
			       in_name(imp), len, KY_ASSETS_INPUT_MAX);
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (seen = ky_hash_new(0)) == NULL ||
	    (acc.by_asset = ky_hash_new(0)) == NULL)
		goto nomem;
	c->p = data;
	c->end = data + len;
	c->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->p += 3;
	ky_buf_init(&c->buf, 0);
	if ((r = csv_header(c, imp, &sw_form, err)) != 0)
		goto out;
	for (;;) {
		ky_err_clear(&e);
		if ((r = csv_record(c, &e)) == 0)
			break;
		if (r == KY_E_NOMEM)
			goto nomem;
		if (r == 1 && c->nf == 1 && c->len[0] == 0 && c->ncols > 1)
			continue; /* a blank line */
		imp->records++;
		snprintf(where, sizeof(where), "%s:%zu", in_name(imp),
			 c->rec_line);
		if (r == 1 && c->nf != c->ncols)
			r = ky_err_set(&e, KY_E_PARSE,
				       "%zu fields, the header has %zu", c->nf,
				       c->ncols);
		else if (r == 1 && c->big > 0)
			r = ky_err_set(&e, KY_E_TOOBIG,
				       "column %s: %zu bytes, more than the "
				       "limit of %d",
				       c->names[c->big - 1], c->big_len,
				       KY_ASSET_FIELD_MAX);
		if (r == 1 && sw_form) {
			r = csv_software_row(c, a, &acc, &e);
		} else if (r == 1 && (r = csv_asset_row(c, &rec, &e)) == 0 &&
			   (r = dup_id(seen, &rec, c->rec_line, &first)) == 1) {
			r = ky_err_set(&e, KY_E_EXISTS,
				       "column id: '%s' already on line %zu",
				       rec.a.id, first);
		}
		if (r == KY_E_NOMEM)
			goto nomem;
		if (r != 0) {
			ky_asset_rec_clear(&rec);
			ky_err_prefix(&e, "%s", where);
			report(imp, &e);
			continue;
		}
		if (!sw_form && put_rec(a, &rec, imp, where) != 0)
			goto nomem;
	}
	for (i = 0; i < acc.n; i++) {
		if (acc.recs[i].a.nsoftware == 0)
			continue; /* all its rows were refused */
		imp->software += acc.recs[i].a.nsoftware;
		if (put_rec(a, &acc.recs[i], imp, in_name(imp)) != 0)
			goto nomem;
	}
	r = 0;
	goto out;
nomem:
	r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", in_name(imp));
out:
	for (i = 0; i < acc.n; i++)
		ky_asset_rec_clear(&acc.recs[i]);
	free(acc.recs);
	ky_hash_free(acc.by_asset, NULL);
	ky_asset_rec_clear(&rec);
	ky_hash_free(seen, NULL);
	if (c)
		ky_buf_free(&c->buf);
	free(c);
	return r;
}

/* ---- auto-detection and files ---- */

int ky_assets_format_parse(const char *s, enum ky_assets_format *out)
{
	static const char *const names[] = {"auto", "csv", "json", "cyclonedx"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum ky_assets_format)i;
			return 0;
		}
	return KY_E_INVAL;
}

int ky_assets_import_data(struct ky_assets *a, enum ky_assets_format fmt,
			  const char *data, size_t len,
			  struct ky_assets_import *imp, struct ky_err *err)
{
	size_t i = 0;

	if (fmt == KY_ASSETS_AUTO) {
		if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
			i = 3;
		while (i < len && (data[i] == ' ' || data[i] == '\t' ||
				   data[i] == '\r' || data[i] == '\n'))
			i++;
		if (i < len && data[i] == '[')
			fmt = KY_ASSETS_JSON;
		else if (i < len && data[i] == '{')
			fmt = KY_ASSETS_CYCLONEDX;
		else
			fmt = KY_ASSETS_CSV;
	}
	switch (fmt) {
	case KY_ASSETS_CSV:
		return ky_assets_import_csv(a, data, len, imp, err);
	case KY_ASSETS_JSON:
		return ky_assets_import_json(a, data, len, imp, err);
	case KY_ASSETS_CYCLONEDX:
		return ky_assets_import_cyclonedx(a, data, len, imp, err);
	default:
		return ky_err_set(err, KY_E_INVAL, "unknown asset format");
	}
}

int ky_assets_import_file(struct ky_assets *a, enum ky_assets_format fmt,
			  const char *path, struct ky_assets_import *imp,
			  struct ky_err *err)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r;

	if (imp->name == NULL)
		imp->name = path;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ky_err_set(err, KY_E_IO, "%s: %s", path,
				  strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		r = ky_err_set(err, KY_E_IO, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > KY_ASSETS_INPUT_MAX) {
		r = ky_err_set(err, KY_E_TOOBIG, "%s: %lld bytes, limit %u",
			       path, (long long)st.st_size,
			       KY_ASSETS_INPUT_MAX);
		goto out;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, data + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ky_err_set(err, KY_E_IO, "%s: %s", path,
				       strerror(errno));
			goto out;
		}
		got += (size_t)n;
	}
	r = ky_assets_import_data(a, fmt, data, got, imp, err);
out:
	free(data);
	close(fd);
	return r;
}
