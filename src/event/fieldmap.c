/* Field mapping: exact renames through the project hash table, prefix strips
 * through a first-byte index, the evtx_dump XML conventions (#attributes,
 * #text, <Data Name=...> pairs) and the choice of the event time.  Rules and
 * semantics are described in docs/fieldmap.md. */
#include "event/fieldmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/config.h"
#include "base/hash.h"
#include "base/time.h"

#define FM_MAX_TIME_FIELDS 32
/* How far apart (in pending Data fields) a Name and its #text may be. */
#define FM_PAIR_WINDOW 8
#define FM_CONSUMED 0x80000000u

struct fm_rename {
	char *to;
	uint32_t to_len;
};

struct fm_prefix {
	char *from;
	size_t from_len;
	char *to; /* "" for a strip */
	size_t to_len;
	bool wild;	/* has a "*" component */
	size_t lit_len; /* bytes before the first '*' */
};

struct fm_name {
	char *s;
	size_t len;
};

struct ky_fieldmap {
	struct ky_hash *renames; /* from -> struct fm_rename * */
	uint64_t ren_sig[64];	 /* sig() of rename keys */

	struct fm_prefix *pfx;
	size_t npfx, cap_pfx;
	/* pfx indexes grouped by first byte, longest first; a leading "*"
	 * sits in the bucket of '*' and is tried for every path. */
	uint32_t *order;
	uint32_t start[257];

	uint32_t nwild; /* prefixes starting with "*" */
	bool xml;	/* evtx_dump conventions, with the built-in rules */
	/* Rules added, and how many of them are built-in.  The built-in
	 * ones describe JSON shapes: events of other formats, whose parsers
	 * already write ECS names, skip the map unless configured rules
	 * exist (the syslog hot path pays nothing for Windows JSON). */
	uint32_t nrules, nbuiltin;

	struct fm_name time[FM_MAX_TIME_FIELDS];
	size_t ntime;
	uint64_t time_sig[64];
	/* By first byte of a path: can a rule (FB_MAP) or a time field
	 * (FB_TIME) start with it?  Most paths of an event start with a
	 * byte no rule starts with and cost one load. */
	uint8_t first[256];
};

#define FB_MAP 1u
#define FB_TIME 2u

/* A 12-bit signature of a name from its ends and length: most paths of
 * an event are rejected by one bit test, before any hashing or compare. */
static inline unsigned sig(const char *p, size_t n)
{
	return ((unsigned char)p[0] * 31u + (unsigned char)p[n - 1] * 7u +
		(unsigned)n) &
	       4095u;
}

static inline bool bit_get(const uint64_t *set, unsigned b)
{
	return (set[b >> 6] >> (b & 63)) & 1u;
}

static inline void bit_set(uint64_t *set, unsigned b)
{
	set[b >> 6] |= (uint64_t)1 << (b & 63);
}

struct ky_fieldmap *ky_fieldmap_new(void)
{
	struct ky_fieldmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->renames = ky_hash_new(0);
	if (m->renames == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static void free_rename(void *v)
{
	struct fm_rename *r = v;

	if (r != NULL)
		free(r->to);
	free(r);
}

void ky_fieldmap_free(struct ky_fieldmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	ky_hash_free(m->renames, free_rename);
	for (i = 0; i < m->npfx; i++) {
		free(m->pfx[i].from);
		free(m->pfx[i].to);
	}
	free(m->pfx);
	free(m->order);
	for (i = 0; i < m->ntime; i++)
		free(m->time[i].s);
	free(m);
}

static bool prefix_before(const struct fm_prefix *x, const struct fm_prefix *y)
{
	unsigned char cx = (unsigned char)x->from[0];
	unsigned char cy = (unsigned char)y->from[0];

	if (cx != cy)
		return cx < cy;
	return x->from_len > y->from_len;
}

/* Rules are few and added at start-up: rebuilding the whole index on each
 * addition keeps the lookup structure trivial. */
static int reindex(struct ky_fieldmap *m)
{
	uint32_t *order;
	size_t i;
	unsigned c;

	order = ky_reallocarray(m->order, m->npfx, sizeof(*order));
	if (order == NULL)
		return KY_E_NOMEM;
	m->order = order;
	for (i = 0; i < m->npfx; i++) {
		uint32_t v = (uint32_t)i;
		size_t j = i;

		while (j > 0 &&
		       prefix_before(&m->pfx[v], &m->pfx[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
	memset(m->start, 0, sizeof(m->start));
	for (i = 0; i < m->npfx; i++)
		m->start[(unsigned char)m->pfx[order[i]].from[0] + 1]++;
	for (c = 1; c < 257; c++)
		m->start[c] += m->start[c - 1];
	m->nwild = m->start['*' + 1] - m->start['*'];
	return 0;
}

/* A "*" must be a whole component ("a.*.b."). */
static bool valid_wild(const char *s, size_t n, bool *wild)
{
	size_t i;

	*wild = false;
	for (i = 0; i < n; i++) {
		if (s[i] != '*')
			continue;
		if ((i > 0 && s[i - 1] != '.') || i + 1 >= n || s[i + 1] != '.')
			return false;
		*wild = true;
	}
	return true;
}

static int add_prefix(struct ky_fieldmap *m, const char *from, size_t flen,
		      const char *to, struct ky_err *err)
{
	struct fm_prefix *p = NULL;
	bool wild;
	size_t i;

	if (!valid_wild(from, flen, &wild))
		return ky_err_set(err, KY_E_INVAL,
				  "fieldmap rule '%s': '*' must be a whole "
				  "path component",
				  from);
	for (i = 0; i < m->npfx; i++) {
		if (m->pfx[i].from_len == flen &&
		    memcmp(m->pfx[i].from, from, flen) == 0) {
			p = &m->pfx[i];
			break;
		}
	}
	if (p != NULL) {
		char *t = strdup(to);

		if (t == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		free(p->to);
		p->to = t;
		p->to_len = strlen(t);
		return 0;
	}
	if (m->npfx == m->cap_pfx) {
		size_t cap = m->cap_pfx ? m->cap_pfx * 2 : 16;
		struct fm_prefix *v =
			ky_reallocarray(m->pfx, cap, sizeof(*m->pfx));

		if (v == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		m->pfx = v;
		m->cap_pfx = cap;
	}
	p = &m->pfx[m->npfx];
	p->from = ky_strndup(from, flen);
	p->to = strdup(to);
	if (p->from == NULL || p->to == NULL) {
		free(p->from);
		free(p->to);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	p->from_len = flen;
	p->to_len = strlen(to);
	p->wild = wild;
	p->lit_len = wild ? (size_t)(strchr(p->from, '*') - p->from) : flen;
	m->first[(unsigned char)from[0]] |= FB_MAP;
	m->npfx++;
	if (reindex(m) != 0)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

static int add_rename(struct ky_fieldmap *m, const char *from, size_t flen,
		      const char *to, struct ky_err *err)
{
	struct fm_rename *r = NULL;
	void *old = NULL;
	size_t tlen = strlen(to);
	int rc;

	if (tlen > UINT32_MAX)
		return ky_err_set(err, KY_E_INVAL,
				  "fieldmap rule '%s': "
				  "target too long",
				  from);
	r = malloc(sizeof(*r));
	if (r == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	r->to = strdup(to);
	r->to_len = (uint32_t)tlen;
	if (r->to == NULL) {
		free(r);
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	}
	rc = ky_hash_put(m->renames, from, flen, r, &old);
	if (rc != 0) {
		free_rename(r);
		return ky_err_set(err, rc, "out of memory");
	}
	free_rename(old);
	bit_set(m->ren_sig, sig(from, flen));
	m->first[(unsigned char)from[0]] |= FB_MAP;
	return 0;
}

int ky_fieldmap_add_rule(struct ky_fieldmap *m, const char *from,
			 const char *to, struct ky_err *err)
{
	size_t flen;

	if (m == NULL || from == NULL || to == NULL)
		return ky_err_set(err, KY_E_INVAL,
				  "fieldmap rule: missing "
				  "from or to");
	m->nrules++;
	flen = strlen(from);
	if (flen == 0)
		return ky_err_set(err, KY_E_INVAL,
				  "fieldmap rule: empty 'from' path");
	if (from[flen - 1] == '.')
		return add_prefix(m, from, flen, to, err);
	if (*to == '\0')
		return ky_err_set(err, KY_E_INVAL,
				  "fieldmap rule '%s': empty 'to' needs a "
				  "prefix ending in '.'",
				  from);
	if (memchr(from, '*', flen) != NULL)
		return ky_err_set(err, KY_E_INVAL,
				  "fieldmap rule '%s': '*' is only allowed in "
				  "prefixes",
				  from);
	return add_rename(m, from, flen, to, err);
}

int ky_fieldmap_add_time_field(struct ky_fieldmap *m, const char *name)
{
	size_t i, len;

	if (m == NULL || name == NULL || *name == '\0')
		return KY_E_INVAL;
	len = strlen(name);
	for (i = 0; i < m->ntime; i++)
		if (m->time[i].len == len &&
		    memcmp(m->time[i].s, name, len) == 0)
			return 0;
	if (m->ntime == FM_MAX_TIME_FIELDS)
		return KY_E_TOOBIG;
	m->time[m->ntime].s = strdup(name);
	if (m->time[m->ntime].s == NULL)
		return KY_E_NOMEM;
	m->time[m->ntime].len = len;
	m->ntime++;
	bit_set(m->time_sig, sig(name, len));
	m->first[(unsigned char)name[0]] |= FB_TIME;
	return 0;
}

static void clear_time_fields(struct ky_fieldmap *m)
{
	size_t i;

	for (i = 0; i < m->ntime; i++)
		free(m->time[i].s);
	m->ntime = 0;
	memset(m->time_sig, 0, sizeof(m->time_sig));
	for (i = 0; i < 256; i++)
		m->first[i] &= (uint8_t)~FB_TIME;
}

/* The table of docs/fieldmap.md: keep both in step. */
static const struct {
	const char *from, *to;
} builtin_rules[] = {
	/* evtx_dump / EvtxECmd-style JSON of the Windows event XML */
	{"Event.System.", ""},
	{"Event.EventData.", ""},
	{"Event.UserData.*.", ""},
	/* Winlogbeat 7 and 8 */
	{"winlog.event_data.", ""},
	{"winlog.user_data.", ""},
	{"winlog.event_id", "EventID"},
	{"winlog.channel", "Channel"},
	{"winlog.provider_name", "Provider_Name"},
	{"winlog.provider_guid", "Provider_Guid"},
	{"winlog.computer_name", "Computer"},
	{"winlog.record_id", "EventRecordID"},
	{"winlog.version", "Version"},
	{"winlog.process.pid", "Execution_ProcessID"},
	{"winlog.process.thread.id", "Execution_ThreadID"},
	{"winlog.user.identifier", "Security_UserID"},
	{"winlog.activity_id", "Correlation_ActivityID"},
	{"winlog.related_activity_id", "Correlation_RelatedActivityID"},
	/* Winlogbeat 6 */
	{"event_data.", ""},
	{"user_data.", ""},
	{"event_id", "EventID"},
	{"log_name", "Channel"},
	{"source_name", "Provider_Name"},
	{"computer_name", "Computer"},
	{"record_number", "EventRecordID"},
	/* NXLog im_msvistalog (EventID, Channel and EventData already flat) */
	{"SourceName", "Provider_Name"},
	{"ProviderGuid", "Provider_Guid"},
	{"RecordNumber", "EventRecordID"},
};

static const char *const builtin_time[] = {
	"@timestamp", "timestamp",     "time",	    "TimeCreated_SystemTime",
	"UtcTime",    "event.created", "EventTime",
};

int ky_fieldmap_add_builtin(struct ky_fieldmap *m)
{
	struct ky_err err;
	size_t i;
	int rc;

	if (m == NULL)
		return KY_E_INVAL;
	for (i = 0; i < sizeof(builtin_rules) / sizeof(builtin_rules[0]); i++) {
		rc = ky_fieldmap_add_rule(m, builtin_rules[i].from,
					  builtin_rules[i].to, &err);
		if (rc != 0)
			return rc;
	}
	m->nbuiltin +=
		(uint32_t)(sizeof(builtin_rules) / sizeof(builtin_rules[0]));
	for (i = 0; i < sizeof(builtin_time) / sizeof(builtin_time[0]); i++) {
		rc = ky_fieldmap_add_time_field(m, builtin_time[i]);
		if (rc != 0)
			return rc;
	}
	m->xml = true;
	return 0;
}

int ky_fieldmap_from_config(struct ky_fieldmap **out,
			    const struct ky_config *cfg, struct ky_err *err)
{
	struct ky_fieldmap *m = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	m = ky_fieldmap_new();
	if (m == NULL) {
		rc = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	if (cfg->fieldmap_builtin && (rc = ky_fieldmap_add_builtin(m)) != 0) {
		ky_err_set(err, rc, "fieldmap: built-in rules: %s",
			   ky_strerror(rc));
		goto out;
	}
	for (i = 0; i < cfg->nmaprules; i++) {
		rc = ky_fieldmap_add_rule(m, cfg->maprules[i].from,
					  cfg->maprules[i].to, err);
		if (rc != 0) {
			if (err != NULL)
				ky_err_prefix(err, "fieldmap.rules[%zu]", i);
			goto out;
		}
	}
	/* A configured list replaces the built-in one: the operator says which
	 * field is the event time, in which order. */
	if (cfg->time_fields.n > 0)
		clear_time_fields(m);
	for (i = 0; i < cfg->time_fields.n; i++) {
		rc = ky_fieldmap_add_time_field(m, cfg->time_fields.v[i]);
		if (rc != 0) {
			ky_err_set(err, rc == KY_E_NOMEM ? rc : KY_E_CONFIG,
				   "fieldmap.time_fields[%zu]: %s", i,
				   rc == KY_E_TOOBIG ? "more than 32 fields"
						     : ky_strerror(rc));
			rc = rc == KY_E_NOMEM ? rc : KY_E_CONFIG;
			goto out;
		}
	}
	*out = m;
	m = NULL; /* transferred */
out:
	ky_fieldmap_free(m);
	return rc;
}

static const struct fm_rename *rename_get(const struct ky_fieldmap *m,
					  const char *p, size_t n)
{
	if (!bit_get(m->ren_sig, sig(p, n)))
		return NULL;
	return ky_hash_get(m->renames, p, n);
}

/* Length of path matched by r, 0 when it does not match or nothing of the
 * path would remain. */
static size_t prefix_match(const struct fm_prefix *r, const char *p, size_t n)
{
	size_t i = 0, j = 0, s;

	/* The prefix's final '.' and second byte reject most paths before
	 * the compare (the first byte is equal by construction). */
	if (!r->wild)
		return n > r->from_len && p[r->from_len - 1] == '.' &&
				       (r->from_len < 2 ||
					p[1] == r->from[1]) &&
				       memcmp(p, r->from, r->from_len) == 0
			       ? r->from_len
			       : 0;
	if (n <= r->lit_len ||
	    (r->lit_len > 1 &&
	     (p[r->lit_len - 1] != '.' || p[1] != r->from[1])) ||
	    memcmp(p, r->from, r->lit_len) != 0)
		return 0;
	i = j = r->lit_len;
	while (j < r->from_len) {
		if (r->from[j] == '*') {
			s = i;
			while (i < n && p[i] != '.')
				i++;
			if (i == s)
				return 0;
			j++;
			continue;
		}
		if (i >= n || p[i] != r->from[j])
			return 0;
		i++;
		j++;
	}
	return i < n ? i : 0;
}

/* Whether some prefix of the path's first-byte bucket may match: the
 * tests prefix_match starts with, inline, so that the many paths that
 * share a first byte with a prefix ("event.action" and "event_data.")
 * do not pay for map_path. */
static inline bool prefix_may(const struct ky_fieldmap *m, const char *p,
			      size_t n)
{
	unsigned char c = (unsigned char)p[0];

	for (uint32_t k = m->start[c]; k < m->start[c + 1]; k++) {
		const struct fm_prefix *r = &m->pfx[m->order[k]];
		size_t l = r->wild ? r->lit_len : r->from_len;

		if (n > l && (l < 2 || (p[l - 1] == '.' && p[1] == r->from[1])))
			return true;
	}
	return false;
}

static const struct fm_prefix *
prefix_find(const struct ky_fieldmap *m, const char *p, size_t n, size_t *mlen)
{
	unsigned char c = (unsigned char)p[0];
	uint32_t k;
	size_t l;

	/* Longest first within a bucket, so the first match wins. */
	for (k = m->start[c]; k < m->start[c + 1]; k++) {
		l = prefix_match(&m->pfx[m->order[k]], p, n);
		if (l > 0) {
			*mlen = l;
			return &m->pfx[m->order[k]];
		}
	}
	for (k = m->start['*']; k < m->start['*' + 1] && c != '*'; k++) {
		l = prefix_match(&m->pfx[m->order[k]], p, n);
		if (l > 0) {
			*mlen = l;
			return &m->pfx[m->order[k]];
		}
	}
	return NULL;
}

static bool component_at(const char *p, size_t n, size_t i, const char *w,
			 size_t wl)
{
	return (i == 0 || p[i - 1] == '.') && n - i >= wl &&
	       memcmp(p + i, w, wl) == 0;
}

/* evtx_dump writes XML attributes as "#attributes" and element text as
 * "#text": "Provider.#attributes.Name" becomes "Provider_Name" (the name
 * Sigma uses) and "EventID.#text" becomes "EventID". */
static int xml_normalise(struct ky_arena *a, const char **pp, size_t *pn)
{
	const char *p = *pp;
	size_t n = *pn, i = 0, o = 0;
	char *out;

	out = ky_arena_alloc(a, n + 1);
	if (out == NULL)
		return KY_E_NOMEM;
	while (i < n) {
		const char *h = memchr(p + i, '#', n - i);
		size_t j = h != NULL ? (size_t)(h - p) : n;

		memcpy(out + o, p + i, j - i);
		o += j - i;
		i = j;
		if (i == n)
			break;
		if (component_at(p, n, i, "#attributes.", 12)) {
			if (o > 0)
				out[o - 1] = '_';
			i += 12;
		} else if (component_at(p, n, i, "#text", 5) &&
			   (i + 5 == n || p[i + 5] == '.')) {
			if (o > 0)
				o--; /* the '.' before it */
			else if (i + 5 < n)
				i++; /* the '.' after a leading #text */
			i += 5;
		} else {
			out[o++] = p[i++];
		}
	}
	if (o > 0) {
		out[o] = '\0';
		*pp = out;
		*pn = o;
	}
	return 0;
}

/* hash: the path contains '#' (the caller has looked already). */
static int map_path(const struct ky_fieldmap *m, struct ky_arena *a,
		    struct ky_field *f, bool hash)
{
	const char *p = f->path;
	size_t n = f->path_len, ml = 0;
	const struct fm_rename *r;
	const struct fm_prefix *x;
	int rc;

	if (n == 0)
		return 0;
	r = rename_get(m, p, n);
	if (r != NULL) {
		f->path = r->to;
		f->path_len = r->to_len;
		f->flags &= (uint8_t)~KY_FIELD_CONST_PATH;
		return 0;
	}
	if (m->npfx > 0 && (x = prefix_find(m, p, n, &ml)) != NULL) {
		if (x->to_len == 0) {
			p += ml; /* zero copy */
			n -= ml;
		} else {
			char *s = ky_arena_alloc(a, x->to_len + n - ml + 1);

			if (s == NULL)
				return KY_E_NOMEM;
			memcpy(s, x->to, x->to_len);
			memcpy(s + x->to_len, p + ml, n - ml);
			s[x->to_len + n - ml] = '\0';
			p = s;
			n = x->to_len + n - ml;
			hash = memchr(p, '#', n) != NULL;
		}
	}
	if (hash && m->xml && memchr(p, '#', n) != NULL &&
	    (rc = xml_normalise(a, &p, &n)) != 0)
		return rc;
	/* a strip keeps a constant name constant (the tail of its bytes);
	 * a name built in the arena is not */
	if ((uintptr_t)p < (uintptr_t)f->path ||
	    (uintptr_t)p + n > (uintptr_t)f->path + f->path_len)
		f->flags &= (uint8_t)~KY_FIELD_CONST_PATH;
	f->path = p;
	f->path_len = (uint32_t)n;
	return 0;
}

enum { DATA_NONE, DATA_NAME, DATA_TEXT };

/* Is p an evtx <Data> element's Name attribute or text ("...Data[3].#text",
 * "...Data.#attributes.Name")?  *elen is the length of the element prefix
 * including its trailing '.'. */
static int data_kind(const char *p, size_t n, size_t *elen)
{
	size_t e, i;
	int kind;

	if (n > 17 && memcmp(p + n - 17, ".#attributes.Name", 17) == 0) {
		kind = DATA_NAME;
		e = n - 16;
	} else if (n > 6 && memcmp(p + n - 6, ".#text", 6) == 0) {
		kind = DATA_TEXT;
		e = n - 5;
	} else {
		return DATA_NONE;
	}
	/* p[0..e) ends with '.'; skip an optional "[digits]" */
	i = e - 1;
	if (i > 0 && p[i - 1] == ']') {
		i--;
		while (i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')
			i--;
		if (i == 0 || p[i - 1] != '[')
			return DATA_NONE;
		i--;
	}
	if (i < 4 || memcmp(p + i - 4, "Data", 4) != 0 ||
	    (i > 4 && p[i - 5] != '.'))
		return DATA_NONE;
	*elen = e;
	return kind;
}

static bool same_elem(const struct ky_field *a, const struct ky_field *b)
{
	size_t ea = 0, eb = 0;

	data_kind(a->path, a->path_len, &ea);
	data_kind(b->path, b->path_len, &eb);
	return ea == eb && memcmp(a->path, b->path, ea) == 0;
}

/* evtx_dump renders <Data Name="X">v</Data> as {"#attributes":{"Name":"X"},
 * "#text":"v"}: the pair becomes the field X = v, an element without text
 * the field X = "". */
static int pair_data(const struct ky_fieldmap *m, struct ky_event *ev,
		     uint32_t *pend, uint32_t npend)
{
	uint32_t k, d, j, i;
	struct ky_field *nf, *tf;
	size_t el;
	int rc;

	for (k = 0; k < npend; k++) {
		if (pend[k] & FM_CONSUMED)
			continue; /* a #text taken by an earlier Name */
		i = pend[k];
		nf = &ev->fields[i];
		if (data_kind(nf->path, nf->path_len, &el) != DATA_NAME)
			continue;
		if (nf->type != KY_V_STR || nf->str_len == 0)
			continue; /* mapped as an ordinary path below */
		tf = NULL;
		for (d = 1; d <= FM_PAIR_WINDOW && tf == NULL; d++) {
			if (k + d < npend && !(pend[k + d] & FM_CONSUMED)) {
				j = pend[k + d];
				if (data_kind(ev->fields[j].path,
					      ev->fields[j].path_len,
					      &el) == DATA_TEXT &&
				    same_elem(nf, &ev->fields[j])) {
					tf = &ev->fields[j];
					pend[k + d] |= FM_CONSUMED;
				}
			}
			if (tf == NULL && k >= d &&
			    !(pend[k - d] & FM_CONSUMED)) {
				j = pend[k - d];
				if (data_kind(ev->fields[j].path,
					      ev->fields[j].path_len,
					      &el) == DATA_TEXT &&
				    same_elem(nf, &ev->fields[j])) {
					tf = &ev->fields[j];
					pend[k - d] |= FM_CONSUMED;
				}
			}
		}
		pend[k] |= FM_CONSUMED;
		if (tf != NULL) {
			tf->path = nf->str;
			tf->path_len = nf->str_len;
			tf->flags &= (uint8_t)~KY_FIELD_CONST_PATH;
			nf->path = NULL; /* dropped by the caller */
		} else {
			nf->path = nf->str;
			nf->path_len = nf->str_len;
			nf->flags &= (uint8_t)~KY_FIELD_CONST_PATH;
			nf->str = "";
			nf->str_len = 0;
		}
	}
	for (k = 0; k < npend; k++) {
		if (pend[k] & FM_CONSUMED)
			continue;
		rc = map_path(m, ev->arena, &ev->fields[pend[k]], true);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool time_from_field(const struct ky_field *f, int64_t *ns)
{
	int64_t v;

	switch (f->type) {
	case KY_V_STR:
		return f->str_len > 0 &&
		       ky_time_parse_rfc3339(f->str, f->str_len, ns) > 0;
	case KY_V_INT:
		/* Epoch numbers: the magnitude tells the unit. */
		v = f->v.i;
		if (v <= 0)
			return false;
		if (v < 5000000000LL)
			*ns = v * KY_NS_PER_SEC;
		else if (v < 5000000000000LL)
			*ns = v * 1000000;
		else if (v < 5000000000000000LL)
			*ns = v * 1000;
		else
			*ns = v;
		return true;
	case KY_V_FLOAT:
		if (!(f->v.f > 0 && f->v.f < 5e9))
			return false;
		*ns = (int64_t)(f->v.f * 1e9);
		return true;
	default:
		return false;
	}
}

/* Rank of a mapped path in the time field list, or -1. */
static int time_rank(const struct ky_fieldmap *m, const char *p, size_t n,
		     unsigned sg)
{
	size_t t;

	if (!bit_get(m->time_sig, sg))
		return -1;
	for (t = 0; t < m->ntime; t++)
		if (m->time[t].len == n && memcmp(m->time[t].s, p, n) == 0)
			return (int)t;
	return -1;
}

/* cand[t] is valid where bit t of seen is set. */
static void pick_time(const struct ky_fieldmap *m, struct ky_event *ev,
		      const uint32_t *cand, uint32_t seen)
{
	size_t t;
	int64_t ns;

	for (t = 0; t < m->ntime && seen != 0; t++) {
		if (!(seen & (1u << t)))
			continue;
		seen &= ~(1u << t);
		if (time_from_field(&ev->fields[cand[t]], &ns)) {
			ev->time_ns = ns;
			return;
		}
	}
}

/* Fills cand/seen from every field of ev (when the paths are final). */
static uint32_t scan_times(const struct ky_fieldmap *m,
			   const struct ky_event *ev, uint32_t *cand)
{
	uint32_t i, seen = 0;
	int t;

	for (i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];

		if (f->path_len > 0 &&
		    (t = time_rank(m, f->path, f->path_len,
				   sig(f->path, f->path_len))) >= 0 &&
		    !(seen & (1u << t))) {
			cand[t] = i;
			seen |= 1u << t;
		}
	}
	return seen;
}

int ky_fieldmap_apply(const struct ky_fieldmap *m, struct ky_event *ev)
{
	uint32_t cand[FM_MAX_TIME_FIELDS], seen = 0;
	uint32_t *pend = NULL, npend = 0, i, o;
	bool want_time = ev->time_ns == 0 && m->ntime > 0;
	struct ky_field *f;
	unsigned char c;
	unsigned sg;
	size_t el;
	bool hash, json;
	int rc = 0, t;

	/* A format of AUTO is an event built by hand: everything applies. */
	json = ev->format == KY_FMT_JSON || ev->format == KY_FMT_AUTO;
	if (!json && m->nrules == m->nbuiltin) {
		/* No rule applies, but a time field still does: a user
		 * pattern may extract "@timestamp" from a raw line.  Events
		 * whose parser set the time skip even this. */
		if (want_time)
			pick_time(m, ev, cand, scan_times(m, ev, cand));
		return 0;
	}
	for (i = 0; i < ev->nfields; i++) {
		f = &ev->fields[i];
		if (f->path_len == 0)
			continue;
		c = (unsigned char)f->path[0];
		/* evtx_dump's #attributes/#text live under its "Event" root:
		 * the first byte spares the search on every other path. */
		hash = m->xml && json && c == 'E' &&
		       memchr(f->path, '#', f->path_len) != NULL;
		if (!hash && m->first[c] == 0 && m->nwild == 0)
			continue; /* no rule, no time field starts so */
		sg = sig(f->path, f->path_len);
		if (hash && data_kind(f->path, f->path_len, &el) != DATA_NONE) {
			if (pend == NULL) {
				pend = ky_arena_alloc(
					ev->arena, ev->nfields * sizeof(*pend));
				if (pend == NULL)
					return KY_E_NOMEM;
			}
			pend[npend++] = i;
			continue;
		}
		/* Most paths meet no rule: three bit tests and out. */
		if (hash ||
		    ((m->first[c] & FB_MAP) &&
		     (bit_get(m->ren_sig, sg) ||
		      prefix_may(m, f->path, f->path_len))) ||
		    m->nwild > 0) {
			const char *before = f->path;

			rc = map_path(m, ev->arena, f, hash);
			if (rc != 0)
				return rc;
			if (f->path != before && f->path_len > 0)
				sg = sig(f->path, f->path_len);
		}
		if (want_time && f->path_len > 0 &&
		    (t = time_rank(m, f->path, f->path_len, sg)) >= 0 &&
		    !(seen & (1u << t))) {
			cand[t] = i;
			seen |= 1u << t;
		}
	}
	if (npend > 0) {
		rc = pair_data(m, ev, pend, npend);
		if (rc != 0)
			return rc;
		for (i = 0, o = 0; i < ev->nfields; i++)
			if (ev->fields[i].path != NULL)
				ev->fields[o++] = ev->fields[i];
		ev->nfields = o;
		/* Indexes moved and pairs got new names: look again. */
		seen = want_time ? scan_times(m, ev, cand) : 0;
	}
	if (want_time)
		pick_time(m, ev, cand, seen);
	return rc;
}
