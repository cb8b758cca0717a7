/* Loading kyklos.yaml: defaults from the key table, then a walk over the
 * libfyaml event stream that maps each "section.key" to the table.  Every
 * error names file:line:column; libfyaml's own diagnostics are collected,
 * never printed. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libfyaml.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"
#include "base/text.h"

/* Entries per list key: far above any real use, bounds hostile input. */
#define CONFIG_LIST_MAX 4096
/* Consecutive blank lines accepted (see check_text). */
#define CONFIG_BLANK_MAX 1000

struct loader {
	struct fy_parser *fyp;
	struct fy_diag *diag;
	struct fy_event *ev; /* current event, freed by the next advance */
	const char *name;
	struct ky_config *cfg;
	struct ky_err *err;
	bool *seen; /* per table entry: duplicate detection */
	char sections[16][32];
	size_t nsections;
	int line, col;	   /* 1-based position of the current event */
	const char *input; /* the whole text, for single-quoted scalars */
	size_t len;
	struct ky_buf sq; /* their unquoted value */
};

static void *field(struct ky_config *cfg, const struct ky_config_key *k)
{
	return (char *)cfg + k->offset;
}

static void strlist_free(struct ky_strlist *sl)
{
	size_t i;

	for (i = 0; i < sl->n; i++)
		free(sl->v[i]);
	free(sl->v);
	sl->v = NULL;
	sl->n = 0;
}

void ky_config_free(struct ky_config *cfg)
{
	const struct ky_config_key *k;
	size_t i;

	if (cfg == NULL)
		return;
	for (k = ky_config_keys; k->key != NULL; k++) {
		if (k->type == KY_CT_STRING || k->type == KY_CT_ENUM)
			free(*(char **)field(cfg, k));
		else if (k->type == KY_CT_STRLIST)
			strlist_free(field(cfg, k));
	}
	for (i = 0; i < cfg->nmaprules; i++) {
		free(cfg->maprules[i].from);
		free(cfg->maprules[i].to);
	}
	free(cfg->maprules);
	for (i = 0; i < cfg->npatterns; i++) {
		free(cfg->patterns[i].name);
		free(cfg->patterns[i].program);
		free(cfg->patterns[i].pattern);
	}
	free(cfg->patterns);
	for (i = 0; i < cfg->nplaceholders; i++) {
		free(cfg->placeholders[i].name);
		strlist_free(&cfg->placeholders[i].values);
	}
	free(cfg->placeholders);
	free(cfg->home);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

/* Decimal integer with an optional binary size suffix. */
static bool parse_int(const char *s, size_t n, int64_t *out)
{
	static const struct {
		const char *sfx;
		int shift;
	} sfx[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
	uint64_t v = 0, lim = (uint64_t)INT64_MAX;
	bool neg = false;
	size_t i = 0, d, j;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		neg = s[i++] == '-';
	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned dig = (unsigned)(s[i] - '0');
		if (v > (lim - dig) / 10)
			return false;
		v = v * 10 + dig;
	}
	if (i == d)
		return false;
	if (i < n) {
		for (j = 0; j < sizeof(sfx) / sizeof(sfx[0]); j++) {
			if (n - i == 3 && memcmp(s + i, sfx[j].sfx, 3) == 0)
				break;
		}
		if (j == sizeof(sfx) / sizeof(sfx[0]) ||
		    v > (lim >> sfx[j].shift))
			return false;
		v <<= sfx[j].shift;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static int parse_bool(const char *s, size_t n, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (n == strlen(yes[i]) && strncasecmp(s, yes[i], n) == 0) {
			*out = true;
			return 0;
		}
		if (n == strlen(no[i]) && strncasecmp(s, no[i], n) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static bool enum_ok(const char *choices, const char *s, size_t n)
{
	const char *p = choices, *q;

	for (;;) {
		q = strchr(p, '|');
		if (q == NULL)
			q = p + strlen(p);
		if ((size_t)(q - p) == n && memcmp(p, s, n) == 0)
			return true;
		if (*q == '\0')
			return false;
		p = q + 1;
	}
}

/* A value quoted for a message: bounded, control bytes replaced. */
static const char *snip(const char *s, size_t n, char *dst, size_t cap)
{
	size_t i, m = n < cap - 4 ? n : cap - 4;

	for (i = 0; i < m; i++)
		dst[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	if (m < n)
		memcpy(dst + m, "...", 3), m += 3;
	dst[m] = '\0';
	return dst;
}

/* Sets a scalar key from text.  Messages are without position; the caller
 * adds it. */
static int set_scalar(struct ky_config *cfg, const struct ky_config_key *k,
		      const char *s, size_t n, struct ky_err *err)
{
	char tmp[48];
	int64_t v;
	bool b;
	char *dup;

	switch (k->type) {
	case KY_CT_INT:
		if (!parse_int(s, n, &v))
			return ky_err_set(err, KY_E_CONFIG,
					  "%s: expected an integer, got '%s'",
					  k->key, snip(s, n, tmp, sizeof(tmp)));
		if (v < k->min || v > k->max)
			return ky_err_set(err, KY_E_CONFIG,
					  "%s: %lld is out of range %lld to "
					  "%lld",
					  k->key, (long long)v,
					  (long long)k->min, (long long)k->max);
		*(int64_t *)field(cfg, k) = v;
		return 0;
	case KY_CT_BOOL:
		if (parse_bool(s, n, &b) != 0)
			return ky_err_set(
				err, KY_E_CONFIG,
				"%s: expected true or false, got '%s'", k->key,
				snip(s, n, tmp, sizeof(tmp)));
		*(bool *)field(cfg, k) = b;
		return 0;
	case KY_CT_ENUM:
		if (!enum_ok(k->choices, s, n))
			return ky_err_set(err, KY_E_CONFIG,
					  "%s: expected one of %s, got '%s'",
					  k->key, k->choices,
					  snip(s, n, tmp, sizeof(tmp)));
		/* fall through */
	case KY_CT_STRING:
		if (memchr(s, '\0', n) != NULL)
			return ky_err_set(err, KY_E_CONFIG,
					  "%s: string contains a NUL byte",
					  k->key);
		if ((dup = ky_strndup(s, n)) == NULL)
			return ky_err_set(err, KY_E_NOMEM, "out of memory");
		free(*(char **)field(cfg, k));
		*(char **)field(cfg, k) = dup;
		return 0;
	default:
		return ky_err_set(err, KY_E_INTERNAL, "%s: not a scalar key",
				  k->key);
	}
}

int ky_config_defaults(struct ky_config *cfg)
{
	const struct ky_config_key *k;
	struct ky_err err;
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (k = ky_config_keys; k->key != NULL && r == 0; k++) {
		if (k->type < KY_CT_STRLIST)
			r = set_scalar(cfg, k, k->def, strlen(k->def), &err);
	}
	if (r != 0)
		ky_config_free(cfg);
	return r;
}

/* ---- the event walk ---------------------------------------------------- */

static int fail(struct loader *ld, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct loader *ld, int status, const char *fmt, ...)
{
	char msg[KY_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ky_err_set(ld->err, status, "%s:%d:%d: %s", ld->name, ld->line,
			  ld->col, msg);
}

/* The parser stopped: report its first collected error. */
static int syntax_error(struct loader *ld)
{
	struct fy_diag_error *de;
	void *it = NULL;

	while ((de = fy_diag_errors_iterate(ld->diag, &it)) != NULL) {
		if (de->type < FYET_ERROR)
			continue;
		if (de->line > 0) {
			ld->line = de->line;
			ld->col = de->column;
		}
		return fail(ld, KY_E_PARSE, "YAML syntax error: %s",
			    de->msg ? de->msg : "?");
	}
	return fail(ld, KY_E_PARSE, "YAML syntax error");
}

static int advance(struct loader *ld)
{
	const struct fy_mark *m;

	if (ld->ev != NULL)
		fy_parser_event_free(ld->fyp, ld->ev);
	ld->ev = fy_parser_parse(ld->fyp);
	if (ld->ev == NULL)
		return syntax_error(ld);
	/* Implicit nulls have no mark: keep the key's position then. */
	m = fy_event_start_mark(ld->ev);
	if (m != NULL && m->line >= 0) {
		ld->line = m->line + 1;
		ld->col = m->column + 1;
	}
	/* Quoted scalars are marked after the quote: point at the quote. */
	if (ld->ev->type == FYET_SCALAR && ld->col > 1 &&
	    (fy_token_scalar_style(ld->ev->scalar.value) ==
		     FYSS_SINGLE_QUOTED ||
	     fy_token_scalar_style(ld->ev->scalar.value) == FYSS_DOUBLE_QUOTED))
		ld->col--;
	if (ld->ev->type == FYET_ALIAS) {
		/* The mark is on the name: point at the '*' instead. */
		if (ld->col > 1)
			ld->col--;
		return fail(ld, KY_E_CONFIG, "aliases are not supported");
	}
	return 0;
}

static enum fy_event_type cur(const struct loader *ld)
{
	return ld->ev->type;
}

/* The current scalar's value; valid until the next call.  NULL only when
 * memory runs out. */
static const char *text(struct loader *ld, size_t *n)
{
	const struct fy_mark *a, *b;
	const char *s;

	if (fy_token_scalar_style(ld->ev->scalar.value) == FYSS_SINGLE_QUOTED) {
		a = fy_event_start_mark(ld->ev);
		b = fy_event_end_mark(ld->ev);
		if (a == NULL || b == NULL || a->input_pos > b->input_pos ||
		    b->input_pos > ld->len)
			goto lib;
		if (ky_yaml_unquote_single(ld->input + a->input_pos,
					   b->input_pos - a->input_pos,
					   &ld->sq) != 0)
			return NULL;
		*n = ld->sq.len;
		return ky_buf_str(&ld->sq);
	}
lib:
	s = fy_token_get_text(ld->ev->scalar.value, n);
	if (s == NULL) {
		*n = 0;
		s = "";
	}
	return s;
}

/* `key:` with nothing, `~` or `null`: an empty section or list. */
static bool is_null(struct loader *ld)
{
	size_t n;
	const char *s;

	if (cur(ld) != FYET_SCALAR ||
	    fy_token_scalar_style(ld->ev->scalar.value) != FYSS_PLAIN)
		return false;
	if ((s = text(ld, &n)) == NULL)
		return false;
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 &&
		(memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
		 memcmp(s, "NULL", 4) == 0));
}

static int scalar_value(struct loader *ld, const struct ky_config_key *k)
{
	struct ky_err e;
	const char *s;
	bool null;
	size_t n;
	int r;

	if (cur(ld) != FYET_SCALAR)
		return fail(ld, KY_E_CONFIG, "%s: expected a scalar value",
			    k->key);
	/* A bare `name:` clears a string instead of storing "null". */
	null = k->type == KY_CT_STRING && is_null(ld);
	if ((s = text(ld, &n)) == NULL)
		return fail(ld, KY_E_NOMEM, "out of memory");
	if (null)
		n = 0;
	if ((r = set_scalar(ld->cfg, k, s, n, &e)) != 0)
		return fail(ld, r, "%s", e.msg);
	return 0;
}

/* Copies the current scalar into *dst; the name is for messages. */
static int take_string(struct loader *ld, const char *what, char **dst)
{
	const char *s;
	size_t n;

	if (cur(ld) != FYET_SCALAR)
		return fail(ld, KY_E_CONFIG, "%s: expected a string", what);
	if ((s = text(ld, &n)) == NULL)
		return fail(ld, KY_E_NOMEM, "out of memory");
	if (memchr(s, '\0', n) != NULL)
		return fail(ld, KY_E_CONFIG, "%s: string contains a NUL byte",
			    what);
	free(*dst);
	if ((*dst = ky_strndup(s, n)) == NULL)
		return fail(ld, KY_E_NOMEM, "out of memory");
	return 0;
}

/* Grows a list of elem-sized entries by one zeroed entry. */
static int list_push(struct loader *ld, const char *key, void **v, size_t *n,
		     size_t elem)
{
	void *nv;

	if (*n >= CONFIG_LIST_MAX)
		return fail(ld, KY_E_TOOBIG, "%s: more than %d entries", key,
			    CONFIG_LIST_MAX);
	if ((nv = ky_reallocarray(*v, *n + 1, elem)) == NULL)
		return fail(ld, KY_E_NOMEM, "out of memory");
	memset((char *)nv + *n * elem, 0, elem);
	*v = nv;
	(*n)++;
	return 0;
}

/* One {from, to} or {name, program, pattern} map of a list. */
static int map_item(struct loader *ld, const struct ky_config_key *k,
		    size_t idx)
{
	static const char *const rule_keys[] = {"from", "to", NULL};
	static const char *const pat_keys[] = {"name", "program", "pattern",
					       NULL};
	bool rules = k->type == KY_CT_MAPRULES;
	const char *const *names = rules ? rule_keys : pat_keys;
	char **slots[3] = {NULL, NULL, NULL}, what[96];
	bool seen[3] = {false, false, false};
	int line = ld->line, col = ld->col, r;
	size_t n, i;
	const char *s;

	if (rules) {
		slots[0] = &ld->cfg->maprules[idx].from;
		slots[1] = &ld->cfg->maprules[idx].to;
	} else {
		slots[0] = &ld->cfg->patterns[idx].name;
		slots[1] = &ld->cfg->patterns[idx].program;
		slots[2] = &ld->cfg->patterns[idx].pattern;
	}
	if (cur(ld) != FYET_MAPPING_START)
		return fail(ld, KY_E_CONFIG, "%s[%zu]: expected a map of %s",
			    k->key, idx,
			    rules ? "{from, to}" : "{name, program, pattern}");
	for (;;) {
		if ((r = advance(ld)) != 0)
			return r;
		if (cur(ld) == FYET_MAPPING_END)
			break;
		if (cur(ld) != FYET_SCALAR)
			return fail(ld, KY_E_CONFIG, "%s[%zu]: expected a key",
				    k->key, idx);
		if ((s = text(ld, &n)) == NULL)
			return fail(ld, KY_E_NOMEM, "out of memory");
		for (i = 0; names[i] != NULL; i++) {
			if (strlen(names[i]) == n &&
			    memcmp(names[i], s, n) == 0)
				break;
		}
		if (names[i] == NULL)
			return fail(ld, KY_E_CONFIG, "unknown key '%s[%zu].%s'",
				    k->key, idx, snip(s, n, what, 40));
		if (seen[i])
			return fail(ld, KY_E_CONFIG,
				    "duplicate key '%s[%zu].%s'", k->key, idx,
				    names[i]);
		seen[i] = true;
		snprintf(what, sizeof(what), "%s[%zu].%s", k->key, idx,
			 names[i]);
		if ((r = advance(ld)) != 0 ||
		    (r = take_string(ld, what, slots[i])) != 0)
			return r;
	}
	/* Report a missing key at the start of its map. */
	ld->line = line;
	ld->col = col;
	if (!seen[0] || (rules ? !seen[1] : !seen[2]))
		return fail(ld, KY_E_CONFIG, "%s[%zu]: '%s' is required",
			    k->key, idx,
			    !seen[0] ? names[0] : names[rules ? 1 : 2]);
	if (**slots[0] == '\0')
		return fail(ld, KY_E_CONFIG, "%s[%zu]: '%s' is empty", k->key,
			    idx, names[0]);
	if (!rules) {
		for (i = 0; i < idx; i++) {
			if (strcmp(ld->cfg->patterns[i].name, *slots[0]) == 0)
				return fail(ld, KY_E_CONFIG,
					    "%s[%zu]: pattern name '%s' is "
					    "already used",
					    k->key, idx,
					    snip(*slots[0], strlen(*slots[0]),
						 what, 40));
		}
	}
	return 0;
}

static int list_value(struct loader *ld, const struct ky_config_key *k)
{
	struct ky_config *cfg = ld->cfg;
	struct ky_strlist *sl = field(cfg, k);
	void **v;
	size_t *n, elem;
	int r;

	if (k->type == KY_CT_STRLIST) {
		v = (void **)&sl->v;
		n = &sl->n;
		elem = sizeof(char *);
	} else if (k->type == KY_CT_MAPRULES) {
		v = (void **)&cfg->maprules;
		n = &cfg->nmaprules;
		elem = sizeof(struct ky_config_maprule);
	} else {
		v = (void **)&cfg->patterns;
		n = &cfg->npatterns;
		elem = sizeof(struct ky_config_pattern);
	}
	if (is_null(ld))
		return 0;
	if (cur(ld) != FYET_SEQUENCE_START)
		return fail(ld, KY_E_CONFIG, "%s: expected a list", k->key);
	for (;;) {
		if ((r = advance(ld)) != 0)
			return r;
		if (cur(ld) == FYET_SEQUENCE_END)
			return 0;
		if ((r = list_push(ld, k->key, v, n, elem)) != 0)
			return r;
		if (k->type == KY_CT_STRLIST)
			r = take_string(ld, k->key, &sl->v[*n - 1]);
		else
			r = map_item(ld, k, *n - 1);
		if (r != 0)
			return r;
	}
}

/* The values of one placeholder: a list of strings, or one string (a
 * number or boolean counts as its text); a bare `name:` is an empty list. */
static int placeholder_values(struct loader *ld, const char *what,
			      struct ky_strlist *sl)
{
	int r;

	if (is_null(ld))
		return 0;
	if (cur(ld) == FYET_SCALAR) {
		if ((r = list_push(ld, what, (void **)&sl->v, &sl->n,
				   sizeof(char *))) != 0)
			return r;
		return take_string(ld, what, &sl->v[0]);
	}
	if (cur(ld) != FYET_SEQUENCE_START)
		return fail(ld, KY_E_CONFIG,
			    "%s: expected a string or a list of strings", what);
	for (;;) {
		if ((r = advance(ld)) != 0)
			return r;
		if (cur(ld) == FYET_SEQUENCE_END)
			return 0;
		if ((r = list_push(ld, what, (void **)&sl->v, &sl->n,
				   sizeof(char *))) != 0 ||
		    (r = take_string(ld, what, &sl->v[sl->n - 1])) != 0)
			return r;
	}
}

/* detect.placeholders: a map of name -> values.  Names are what a rule
 * writes between % signs, so they cannot hold one. */
static int placeholders_value(struct loader *ld, const struct ky_config_key *k)
{
	struct ky_config *cfg = ld->cfg;
	struct ky_config_placeholder *p;
	char what[128], tmp[64];
	const char *s;
	size_t n, i;
	int r;

	if (is_null(ld))
		return 0;
	if (cur(ld) != FYET_MAPPING_START)
		return fail(ld, KY_E_CONFIG,
			    "%s: expected a map of name: [values]", k->key);
	for (;;) {
		if ((r = advance(ld)) != 0)
			return r;
		if (cur(ld) == FYET_MAPPING_END)
			return 0;
		if (cur(ld) != FYET_SCALAR)
			return fail(ld, KY_E_CONFIG,
				    "%s: expected a placeholder name", k->key);
		if ((s = text(ld, &n)) == NULL)
			return fail(ld, KY_E_NOMEM, "out of memory");
		snip(s, n, tmp, sizeof(tmp));
		if (n == 0)
			return fail(ld, KY_E_CONFIG,
				    "%s: empty placeholder name", k->key);
		if (memchr(s, '%', n) != NULL)
			return fail(ld, KY_E_CONFIG,
				    "%s: placeholder name '%s' contains '%%'",
				    k->key, tmp);
		if (memchr(s, '\0', n) != NULL)
			return fail(ld, KY_E_CONFIG,
				    "%s: placeholder name contains a NUL byte",
				    k->key);
		for (i = 0; i < cfg->nplaceholders; i++) {
			const char *o = cfg->placeholders[i].name;
			if (strlen(o) == n && memcmp(o, s, n) == 0)
				return fail(ld, KY_E_CONFIG,
					    "duplicate key '%s.%s'", k->key,
					    tmp);
		}
		if ((r = list_push(ld, k->key, (void **)&cfg->placeholders,
				   &cfg->nplaceholders, sizeof(*p))) != 0)
			return r;
		p = &cfg->placeholders[cfg->nplaceholders - 1];
		if ((p->name = ky_strndup(s, n)) == NULL)
			return fail(ld, KY_E_NOMEM, "out of memory");
		snprintf(what, sizeof(what), "%s.%s", k->key, tmp);
		if ((r = advance(ld)) != 0 ||
		    (r = placeholder_values(ld, what, &p->values)) != 0)
			return r;
	}
}

static const struct ky_config_key *find_key(const char *sec, size_t slen,
					    const char *s, size_t n)
{
	const struct ky_config_key *k;

	for (k = ky_config_keys; k->key != NULL; k++) {
		if (strncmp(k->key, sec, slen) == 0 && k->key[slen] == '.' &&
		    strlen(k->key + slen + 1) == n &&
		    memcmp(k->key + slen + 1, s, n) == 0)
			return k;
	}
	return NULL;
}

static int section(struct loader *ld, const char *sec)
{
	const struct ky_config_key *k;
	size_t slen = strlen(sec), n;
	char tmp[48];
	const char *s;
	int r;

	if (is_null(ld))
		return 0;
	if (cur(ld) != FYET_MAPPING_START)
		return fail(ld, KY_E_CONFIG, "%s: expected a map of keys", sec);
	for (;;) {
		if ((r = advance(ld)) != 0)
			return r;
		if (cur(ld) == FYET_MAPPING_END)
			return 0;
		if (cur(ld) != FYET_SCALAR)
			return fail(ld, KY_E_CONFIG, "%s: expected a key", sec);
		if ((s = text(ld, &n)) == NULL)
			return fail(ld, KY_E_NOMEM, "out of memory");
		if ((k = find_key(sec, slen, s, n)) == NULL)
			return fail(ld, KY_E_CONFIG, "unknown key '%s.%s'", sec,
				    snip(s, n, tmp, sizeof(tmp)));
		if (ld->seen[k - ky_config_keys])
			return fail(ld, KY_E_CONFIG, "duplicate key '%s'",
				    k->key);
		ld->seen[k - ky_config_keys] = true;
		if ((r = advance(ld)) != 0)
			return r;
		if (k->type == KY_CT_PLACEHOLDERS)
			r = placeholders_value(ld, k);
		else if (k->type >= KY_CT_STRLIST)
			r = list_value(ld, k);
		else
			r = scalar_value(ld, k);
		if (r != 0)
			return r;
	}
}

/* The top-level map: section name -> map of keys. */
static int top(struct loader *ld)
{
	const struct ky_config_key *k;
	char sec[32], tmp[48];
	const char *s;
	size_t n, i;
	int r;

	for (;;) {
		if ((r = advance(ld)) != 0)
			return r;
		if (cur(ld) == FYET_MAPPING_END)
			return 0;
		if (cur(ld) != FYET_SCALAR)
			return fail(ld, KY_E_CONFIG, "expected a section name");
		if ((s = text(ld, &n)) == NULL)
			return fail(ld, KY_E_NOMEM, "out of memory");
		for (k = ky_config_keys; k->key != NULL; k++) {
			if (strncmp(k->key, s, n) == 0 && k->key[n] == '.' &&
			    memchr(s, '.', n) == NULL)
				break;
		}
		if (k->key == NULL || n >= sizeof(sec))
			return fail(ld, KY_E_CONFIG, "unknown key '%s'",
				    snip(s, n, tmp, sizeof(tmp)));
		memcpy(sec, s, n);
		sec[n] = '\0';
		for (i = 0; i < ld->nsections; i++) {
			if (strcmp(ld->sections[i], sec) == 0)
				return fail(ld, KY_E_CONFIG,
					    "duplicate key '%s'", sec);
		}
		if (ld->nsections < sizeof(ld->sections) / sizeof(sec))
			memcpy(ld->sections[ld->nsections++], sec, n + 1);
		if ((r = advance(ld)) != 0 || (r = section(ld, sec)) != 0)
			return r;
	}
}

static int expect(struct loader *ld, enum fy_event_type t, const char *what)
{
	int r;

	if ((r = advance(ld)) != 0)
		return r;
	if (cur(ld) != t)
		return fail(ld, KY_E_CONFIG, "%s", what);
	return 0;
}

static int walk(struct loader *ld)
{
	int r;

	if ((r = expect(ld, FYET_STREAM_START, "bad stream")) != 0 ||
	    (r = advance(ld)) != 0)
		return r;
	if (cur(ld) == FYET_STREAM_END)
		return 0; /* an empty file: all defaults */
	if (cur(ld) != FYET_DOCUMENT_START)
		return fail(ld, KY_E_CONFIG, "expected a document");
	if ((r = advance(ld)) != 0)
		return r;
	if (cur(ld) == FYET_MAPPING_START)
		r = top(ld);
	else if (!is_null(ld))
		r = fail(ld, KY_E_CONFIG,
			 "expected a map of sections at the top level");
	if (r == 0)
		r = expect(ld, FYET_DOCUMENT_END, "expected the document end");
	if (r == 0)
		r = expect(ld, FYET_STREAM_END,
			   "only one YAML document is allowed");
	return r;
}

/* libfyaml passes some invalid bytes through silently, and its time to
 * fold a scalar grows with the square of the blank lines in it (0.7.12:
 * 50,000 take seconds): reject both first, with their position. */
static int check_text(struct loader *ld, const char *text, size_t len)
{
	const char *what = NULL;
	unsigned line, col;
	int r = ky_yaml_precheck(text, len, CONFIG_BLANK_MAX, &line, &col,
				 &what);

	if (r == 0)
		return 0;
	ld->line = (int)line;
	ld->col = (int)col;
	if (r == KY_E_TOOBIG)
		return fail(ld, KY_E_TOOBIG,
			    "more than %d blank lines in a row",
			    CONFIG_BLANK_MAX);
	return fail(ld, KY_E_PARSE, "%s", what);
}

static void diag_sink(struct fy_diag *diag, void *user, const char *buf,
		      size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

int ky_config_load_mem(struct ky_config *cfg, const char *name,
		       const char *text_, size_t len, struct ky_err *err)
{
	struct loader ld;
	struct fy_diag_cfg dc;
	struct fy_parse_cfg pc;
	size_t nkeys = 0;
	int r;

	memset(&ld, 0, sizeof(ld));
	ld.name = name;
	ld.cfg = cfg;
	ld.err = err;
	ld.line = 1;
	ld.col = 1;
	ld.input = text_;
	ld.len = len;
	ky_buf_init(&ld.sq, 0);
	if ((r = ky_config_defaults(cfg)) != 0) {
		ky_err_set(err, r, "%s: cannot set defaults", name);
		return r;
	}
	while (ky_config_keys[nkeys].key != NULL)
		nkeys++;
	r = KY_E_NOMEM;
	if ((ld.seen = calloc(nkeys, sizeof(bool))) == NULL)
		goto nomem;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_sink;
	dc.colorize = false;
	if ((ld.diag = fy_diag_create(&dc)) == NULL)
		goto nomem;
	fy_diag_set_collect_errors(ld.diag, true);
	memset(&pc, 0, sizeof(pc));
	pc.flags = FYPCF_QUIET;
	pc.diag = ld.diag;
	if ((ld.fyp = fy_parser_create(&pc)) == NULL)
		goto nomem;
	if (fy_parser_set_string(ld.fyp, len ? text_ : "", len) != 0)
		goto nomem;
	if ((r = check_text(&ld, text_, len)) == 0)
		r = walk(&ld);
	goto out;
nomem:
	ky_err_set(err, r, "%s: out of memory", name);
out:
	if (ld.ev != NULL)
		fy_parser_event_free(ld.fyp, ld.ev);
	if (ld.fyp != NULL)
		fy_parser_destroy(ld.fyp);
	if (ld.diag != NULL)
		fy_diag_destroy(ld.diag);
	free(ld.seen);
	ky_buf_free(&ld.sq);
	if (r != 0)
		ky_config_free(cfg);
	return r;
}

int ky_config_placeholder_table(const struct ky_config *cfg,
				struct ky_hash **out)
{
	const struct ky_config_placeholder *p;
	struct ky_hash *h = NULL;
	size_t i;
	int r = 0;

	*out = NULL;
	if (cfg->nplaceholders == 0)
		return 0;
	/* Names and lists stay in cfg, which outlives the rule set. */
	if ((h = ky_hash_new(KY_HASH_BORROW_KEYS)) == NULL)
		return KY_E_NOMEM;
	for (i = 0; i < cfg->nplaceholders && r == 0; i++) {
		p = &cfg->placeholders[i];
		r = ky_hash_put(h, p->name, strlen(p->name), (void *)&p->values,
				NULL);
	}
	if (r != 0) {
		ky_hash_free(h, NULL);
		return r;
	}
	*out = h;
	return 0;
}
