/* One record to one event: detects the format from the first bytes, runs
 * that format's parser, extracts fields from the message of syslog and raw
 * lines, applies the field map.  Detection rules: docs/events.md. */
#include "event/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "event/cef.h"
#include "event/extract.h"
#include "event/fieldmap.h"
#include "event/json.h"
#include "event/syslog.h"

#define ARENA_BLOCK (64 * 1024)
/* How far into a syslog line "CEF:" is looked for. */
#define CEF_SCAN 1024

struct ky_parser {
	struct ky_fieldmap *map;
	struct ky_extractors *ext;
	struct ky_event_limits lim;
	size_t arena_max;
};

struct ky_parse_ctx {
	const struct ky_parser *p;
	struct ky_arena *arena;
	struct ky_event ev;
	struct ky_extract_scratch *scratch;
};

static size_t limit_or(int64_t v, size_t def, size_t max)
{
	if (v <= 0)
		return def;
	return (uint64_t)v > max ? max : (size_t)v;
}

int ky_parser_new(struct ky_parser **out, const struct ky_config *cfg,
		  struct ky_err *err)
{
	const struct ky_event_limits def = KY_EVENT_LIMITS_DEFAULT;
	struct ky_config dcfg;
	struct ky_parser *p = NULL;
	int rc;

	*out = NULL;
	if (cfg == NULL) {
		/* Library users and tests get the documented defaults. */
		memset(&dcfg, 0, sizeof(dcfg));
		dcfg.fieldmap_builtin = true;
		dcfg.extract_builtin = true;
		cfg = &dcfg;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	p->lim.max_line = limit_or(cfg->max_line, def.max_line, SIZE_MAX / 64);
	p->lim.max_fields =
		(uint32_t)limit_or(cfg->max_fields, def.max_fields, UINT32_MAX);
	p->lim.max_depth =
		(uint32_t)limit_or(cfg->max_depth, def.max_depth, 100000);
	/* Unescaped strings, flattened paths and mapped names of one record
	 * all fit in a small multiple of the record itself. */
	p->arena_max = 16 * p->lim.max_line + 1024 * 1024;
	if ((rc = ky_fieldmap_from_config(&p->map, cfg, err)) != 0)
		goto out;
	if ((rc = ky_extractors_new(&p->ext, cfg, err)) != 0) {
		ky_err_prefix(err, "extract");
		goto out;
	}
	*out = p;
	p = NULL; /* transferred */
out:
	ky_parser_free(p);
	return rc;
}

void ky_parser_free(struct ky_parser *p)
{
	if (p == NULL)
		return;
	ky_fieldmap_free(p->map);
	ky_extractors_free(p->ext);
	free(p);
}

int ky_parse_ctx_new(const struct ky_parser *p, struct ky_parse_ctx **out)
{
	struct ky_parse_ctx *c = NULL;
	int rc = KY_E_NOMEM;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto out;
	c->p = p;
	c->arena = ky_arena_new(ARENA_BLOCK, p->arena_max);
	if (c->arena == NULL)
		goto out;
	if ((rc = ky_event_init(&c->ev, c->arena, p->lim.max_fields)) != 0)
		goto out;
	if (p->ext != NULL &&
	    (rc = ky_extract_scratch_new(p->ext, &c->scratch)) != 0)
		goto out;
	*out = c;
	c = NULL; /* transferred */
	rc = 0;
out:
	ky_parse_ctx_free(c);
	return rc;
}

void ky_parse_ctx_free(struct ky_parse_ctx *c)
{
	if (c == NULL)
		return;
	ky_extract_scratch_free(c->scratch);
	ky_event_free(&c->ev);
	ky_arena_free(c->arena);
	free(c);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "<N>" with 1-3 digits; returns the length or 0. */
static size_t pri_len(const char *p, size_t n)
{
	size_t i = 1, lim = n < 4 ? n : 4;

	if (n < 3 || p[0] != '<')
		return 0;
	while (i < lim && is_digit(p[i]))
		i++;
	if (i == 1 || i >= n || p[i] != '>')
		return 0;
	return i + 1;
}

/* "Mmm dd hh:mm:ss" with a space-padded day allowed. */
static bool bsd_time(const char *p, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t m;

	if (n < 15 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':')
		return false;
	for (m = 0; m < 36; m += 3)
		if (memcmp(p, months + m, 3) == 0)
			break;
	if (m == 36)
		return false;
	return (p[4] == ' ' || is_digit(p[4])) && is_digit(p[5]) &&
	       is_digit(p[7]) && is_digit(p[8]) && is_digit(p[10]) &&
	       is_digit(p[11]) && is_digit(p[13]) && is_digit(p[14]);
}

/* "YYYY-MM-DDThh:mm:ss" as rsyslog writes files by default. */
static bool iso_time(const char *p, size_t n)
{
	return n >= 20 && is_digit(p[0]) && is_digit(p[3]) && p[4] == '-' &&
	       is_digit(p[5]) && p[7] == '-' &&
	       (p[10] == 'T' || p[10] == ' ') && p[13] == ':' && p[16] == ':';
}

/* "CEF:" after a syslog header, at the start of a word. */
static bool cef_after_header(const char *p, size_t n)
{
	size_t lim = n < CEF_SCAN ? n : CEF_SCAN;
	const char *q = p + 1, *e = p + lim;

	/* memchr is vectorised and 'C' is rare in syslog text; glibc's
	 * memmem is not, and this runs on every syslog line. */
	while (q + 4 <= e &&
	       (q = memchr(q, 'C', (size_t)(e - q - 3))) != NULL) {
		if (q[-1] == ' ' && memcmp(q, "CEF:", 4) == 0)
			return true;
		q++;
	}
	return false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* p[0] is '{' or '[': is what follows a JSON member or value?  Keeps
 * "[Mon Jan 01 ...] [error]" (Apache) and "{tag} text" out of JSON. */
static bool json_start(const char *p, size_t n)
{
	size_t i = 1;
	char c;

	while (i < n && is_blank(p[i]))
		i++;
	if (i == n)
		return true; /* truncated: the JSON parser says so */
	c = p[i];
	if (p[0] == '{')
		return c == '"' || c == '}';
	if (c == '{' || c == '[' || c == '"' || c == ']' || c == '-' ||
	    is_digit(c))
		return true;
	return (n - i >= 4 && (memcmp(p + i, "true", 4) == 0 ||
			       memcmp(p + i, "null", 4) == 0)) ||
	       (n - i >= 5 && memcmp(p + i, "false", 5) == 0);
}

enum ky_format ky_format_detect(const char *p, size_t n)
{
	enum ky_format sys = KY_FMT_RAW;
	size_t i = 0, h;

	while (i < n &&
	       (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	p += i;
	n -= i;
	if (n == 0)
		return KY_FMT_RAW;
	if ((p[0] == '{' || p[0] == '[') && json_start(p, n))
		return KY_FMT_JSON;
	if (n >= 4 && memcmp(p, "CEF:", 4) == 0)
		return KY_FMT_CEF;
	if ((h = pri_len(p, n)) > 0) {
		sys = n - h >= 2 && p[h] == '1' && p[h + 1] == ' '
			      ? KY_FMT_SYSLOG5424
			      : KY_FMT_SYSLOG3164;
	} else if (bsd_time(p, n) || iso_time(p, n)) {
		sys = KY_FMT_SYSLOG3164;
	}
	if (sys != KY_FMT_RAW && cef_after_header(p, n))
		return KY_FMT_CEF;
	return sys;
}

static const struct ky_field *
field_n(const struct ky_event *ev, const char *name, size_t len, uint32_t *idx)
{
	uint32_t i;

	for (i = 0; i < ev->nfields; i++) {
		if (ev->fields[i].path_len == len &&
		    memcmp(ev->fields[i].path, name, len) == 0) {
			*idx = i;
			return &ev->fields[i];
		}
	}
	return NULL;
}

/* field_n for a path a syslog or raw event holds at most once ("message",
 * "process.name"): searched from the end, where the parsers add them. */
static const struct ky_field *last_field_n(const struct ky_event *ev,
					   const char *name, size_t len)
{
	for (uint32_t i = ev->nfields; i-- > 0;)
		if (ev->fields[i].path_len == len &&
		    memcmp(ev->fields[i].path, name, len) == 0)
			return &ev->fields[i];
	return NULL;
}

static void drop_field(struct ky_event *ev, uint32_t idx)
{
	memmove(&ev->fields[idx], &ev->fields[idx + 1],
		(ev->nfields - idx - 1) * sizeof(ev->fields[0]));
	ev->nfields--;
}

static int parse_syslog(struct ky_parse_ctx *c, enum ky_format f,
			const char *rec, size_t n, int64_t recv_ns,
			struct ky_err *err)
{
	size_t i = 0;
	int rc;

	/* Detection looks past leading blanks, so the parser must too or
	 * " <13>1 ..." is called 5424 and then fails at its first byte. */
	while (i < n && (rec[i] == ' ' || rec[i] == '\t'))
		i++;
	if (f == KY_FMT_SYSLOG5424)
		rc = ky_syslog5424_parse(rec + i, n - i, &c->ev, err);
	else
		rc = ky_syslog3164_parse(rec + i, n - i, recv_ns, &c->ev, err);
	if (rc != 0 && i > 0)
		ky_err_prefix(err, "after %zu leading blanks", i);
	return rc;
}

/* CEF alone, or a syslog header whose message is CEF.  A syslog line that
 * only seemed to carry CEF is kept as syslog: *got says which it was. */
static int parse_cef(struct ky_parse_ctx *c, const char *rec, size_t n,
		     int64_t recv_ns, bool forced, enum ky_format *got,
		     struct ky_err *err)
{
	enum ky_format sys;
	const struct ky_field *msg;
	size_t i = 0, h;
	uint32_t idx = 0;
	const char *m;
	size_t ml;
	int rc;

	while (i < n && (rec[i] == ' ' || rec[i] == '\t'))
		i++;
	if (n - i >= 4 && memcmp(rec + i, "CEF:", 4) == 0) {
		rc = ky_cef_parse(rec + i, n - i, &c->ev, err);
		if (rc != 0 && i > 0)
			ky_err_prefix(err, "offset %zu", i);
		return rc;
	}
	h = pri_len(rec + i, n - i);
	sys = h > 0 && n - i - h >= 2 && rec[i + h] == '1' &&
			      rec[i + h + 1] == ' '
		      ? KY_FMT_SYSLOG5424
		      : KY_FMT_SYSLOG3164;
	if ((rc = parse_syslog(c, sys, rec, n, recv_ns, err)) != 0)
		return rc;
	msg = field_n(&c->ev, "message", 7, &idx);
	if (msg == NULL || msg->str_len < 4 || memcmp(msg->str, "CEF:", 4)) {
		if (!forced) {
			*got = sys;
			return 0;
		}
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: no \"CEF:\" after the syslog "
				  "header");
	}
	m = msg->str;
	ml = msg->str_len;
	/* The CEF fields replace the message they came from; the record
	 * itself stays in ev->raw. */
	drop_field(&c->ev, idx);
	rc = ky_cef_parse(m, ml, &c->ev, err);
	if (rc != 0 && m >= rec && m < rec + n)
		ky_err_prefix(err, "after syslog header at offset %zu",
			      (size_t)(m - rec));
	return rc;
}

static int extract(struct ky_parse_ctx *c, struct ky_err *err)
{
	const struct ky_field *msg, *prog;
	int rc;

	if (c->p->ext == NULL || c->scratch == NULL)
		return 0;
	msg = last_field_n(&c->ev, "message", 7);
	if (msg == NULL || msg->str_len == 0)
		return 0;
	prog = last_field_n(&c->ev, "process.name", 12);
	rc = ky_extract(c->p->ext, c->scratch, prog ? prog->str : NULL,
			prog ? prog->str_len : 0, msg->str, msg->str_len,
			&c->ev);
	if (rc >= 0)
		return 0;
	if (rc == KY_E_TOOBIG)
		return ky_err_set(err, rc,
				  "offset 0: more than %u fields after "
				  "extraction",
				  c->ev.max_fields);
	return ky_err_set(err, rc, "offset 0: extraction: %s", ky_strerror(rc));
}

int ky_parse_record(struct ky_parse_ctx *c, enum ky_format fmt, const char *rec,
		    size_t n, int64_t recv_ns, struct ky_event **ev,
		    struct ky_err *err)
{
	struct ky_event *e = &c->ev;
	enum ky_format f;
	int rc;

	*ev = NULL;
	while (n > 0 && (rec[n - 1] == '\n' || rec[n - 1] == '\r'))
		n--;
	ky_event_reset(e);
	ky_arena_reset(c->arena);
	if (n > c->p->lim.max_line) {
		rc = ky_err_set(err, KY_E_TOOBIG,
				"record of %zu bytes exceeds limits.max_line "
				"%zu",
				n, c->p->lim.max_line);
		goto out;
	}
	if (n == 0) {
		rc = ky_err_set(err, KY_E_PARSE, "offset 0: empty record");
		goto out;
	}
	f = fmt == KY_FMT_AUTO ? ky_format_detect(rec, n) : fmt;
	e->format = f;
	/* Before the parser: CEF's rt without a year is resolved from it. */
	e->recv_ns = recv_ns;
	switch (f) {
	case KY_FMT_JSON:
		rc = ky_json_to_event(rec, n, e, c->p->lim.max_depth, err);
		break;
	case KY_FMT_SYSLOG5424:
	case KY_FMT_SYSLOG3164:
		rc = parse_syslog(c, f, rec, n, recv_ns, err);
		break;
	case KY_FMT_CEF:
		rc = parse_cef(c, rec, n, recv_ns, fmt == KY_FMT_CEF,
			       &e->format, err);
		break;
	case KY_FMT_RAW:
		rc = ky_event_add_str(e, "message", 7, rec, n);
		break;
	default:
		rc = ky_err_set(err, KY_E_INVAL, "unknown format %d", (int)f);
		goto out;
	}
	if (rc != 0) {
		if (rc == KY_E_NOMEM &&
		    ky_arena_used(c->arena) + ARENA_BLOCK >= c->p->arena_max)
			rc = ky_err_set(err, KY_E_TOOBIG,
					"record needs more than %zu bytes of "
					"working memory",
					c->p->arena_max);
		if (fmt != KY_FMT_AUTO)
			ky_err_prefix(err, "expected %s", ky_format_name(fmt));
		else
			ky_err_prefix(err, "%s", ky_format_name(f));
		goto out;
	}
	if (e->format == KY_FMT_SYSLOG5424 || e->format == KY_FMT_SYSLOG3164 ||
	    e->format == KY_FMT_RAW) {
		if ((rc = extract(c, err)) != 0)
			goto out;
	}
	if ((rc = ky_fieldmap_apply(c->p->map, e)) != 0) {
		ky_err_set(err, rc, "offset 0: field mapping: %s",
			   ky_strerror(rc));
		goto out;
	}
	e->raw = rec;
	e->raw_len = n;
	*ev = e;
out:
	return rc;
}
