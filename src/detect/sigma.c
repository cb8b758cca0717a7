/* Sigma rules as data, the parts that do not touch libfyaml: the names of
 * modifiers, levels and correlation types, scalar typing and unquoting, the
 * semantic checks of items and correlations, freeing, reading a rule file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "detect/sigma.h"
#include "detect/sigma_int.h"

/* A rule file larger than this is not a rule (SigmaHQ's largest is ~40 kB). */
#define SIGMA_FILE_MAX (16u << 20)

static const char *const mod_names[] = {
#define KY__SIGMA_MOD_NAME(name, text) text,
	KY_SIGMA_MODIFIERS(KY__SIGMA_MOD_NAME)
#undef KY__SIGMA_MOD_NAME
};

static const char *const level_names[] = {
	"informational", "low", "medium", "high", "critical",
};

static const char *const corr_names[] = {
	"event_count", "value_count", "temporal",	  "temporal_ordered",
	"value_sum",   "value_avg",   "value_percentile",
};

const char *ky_sigma_mod_name(unsigned b)
{
	return b < KY_SIGMA_NMODS ? mod_names[b] : NULL;
}

const char *ky_sigma_level_name(enum ky_sigma_level l)
{
	return (unsigned)l < sizeof(level_names) / sizeof(level_names[0])
		       ? level_names[l]
		       : "?";
}

static int lookup(const char *const *tab, size_t ntab, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ntab; i++) {
		if (strlen(tab[i]) == n && memcmp(tab[i], s, n) == 0)
			return (int)i;
	}
	return -1;
}

int ky__sigma_mod_lookup(const char *s, size_t n)
{
	return lookup(mod_names, KY_SIGMA_NMODS, s, n);
}

int ky__sigma_level_lookup(const char *s, size_t n, enum ky_sigma_level *l)
{
	int i = lookup(level_names, 5, s, n);

	if (i < 0)
		return -1;
	*l = (enum ky_sigma_level)i;
	return 0;
}

int ky__sigma_corr_type_lookup(const char *s, size_t n, enum ky_corr_type *t)
{
	int i = lookup(corr_names, 7, s, n);

	if (i < 0)
		return -1;
	*t = (enum ky_corr_type)i;
	return 0;
}

int ky__sigma_timespan(const char *s, size_t n, int64_t *ns)
{
	int64_t v = 0, unit;
	size_t i;

	if (n < 2 || n > 16)
		return -1;
	for (i = 0; i + 1 < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0'); /* at most 15 digits: no overflow */
	}
	switch (s[n - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (v == 0 || v > KY_SIGMA_TIMESPAN_MAX / 1000000000LL / unit)
		return -1;
	*ns = v * unit * 1000000000LL;
	return 0;
}

static bool is_lit(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	}
	return true;
}

/* [-+]? ( . digits | digits ( . digits? )? ) ( [eE] [-+]? digits )? */
static bool is_float(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d++;
	}
	if (d == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		d = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d++;
		if (d == 0)
			return false;
	}
	return i == n;
}

/* Parses s[0..n) whole as an integer of the given base. */
static bool to_int(const char *s, size_t n, int base, int64_t *out)
{
	char tmp[32], *end;
	long long v;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

void ky__sigma_type_plain(const char *s, size_t n, struct ky_sigma_value *v)
{
	char tmp[64], *end;
	size_t sign = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;

	v->type = KY_SV_STRING;
	if (n == 0 || is_lit(s, n, "~") || is_lit(s, n, "null") ||
	    is_lit(s, n, "Null") || is_lit(s, n, "NULL")) {
		v->type = KY_SV_NULL;
	} else if (is_lit(s, n, "true") || is_lit(s, n, "True") ||
		   is_lit(s, n, "TRUE")) {
		v->type = KY_SV_BOOL;
		v->b = true;
	} else if (is_lit(s, n, "false") || is_lit(s, n, "False") ||
		   is_lit(s, n, "FALSE")) {
		v->type = KY_SV_BOOL;
		v->b = false;
	} else if (all_in(s + sign, n - sign, "0123456789")) {
		/* Too large for int64: stays a string, compared as text. */
		if (to_int(s, n, 10, &v->i))
			v->type = KY_SV_INT;
	} else if (n > 2 && s[0] == '0' && s[1] == 'x' &&
		   all_in(s + 2, n - 2, "0123456789abcdefABCDEF")) {
		if (to_int(s + 2, n - 2, 16, &v->i))
			v->type = KY_SV_INT;
	} else if (n > 2 && s[0] == '0' && s[1] == 'o' &&
		   all_in(s + 2, n - 2, "01234567")) {
		if (to_int(s + 2, n - 2, 8, &v->i))
			v->type = KY_SV_INT;
	} else if (is_float(s, n) && n < sizeof(tmp)) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		v->f = strtod(tmp, &end);
		if (*end == '\0' && isfinite(v->f))
			v->type = KY_SV_FLOAT;
	}
}

const char *ky__sigma_item_check(const struct ky_sigma_item *it)
{
	const uint64_t reflags =
		KY_SIGMA_MOD(RE_I) | KY_SIGMA_MOD(RE_M) | KY_SIGMA_MOD(RE_S);
	size_t i;

	if ((it->mods & reflags) && !(it->mods & KY_SIGMA_MOD(RE)))
		return "modifiers i, m and s apply to re only";
	if (it->mods & KY_SIGMA_MOD(EXISTS)) {
		if (it->field == NULL)
			return "exists needs a field";
		for (i = 0; i < it->nvalues; i++) {
			if (it->values[i].type != KY_SV_BOOL)
				return "exists takes true or false";
		}
	}
	return NULL;
}

const char *ky__sigma_corr_check(struct ky_sigma_corr *c)
{
	struct ky_corr_cond *k = &c->cond;
	bool bound = k->has_gt || k->has_gte || k->has_lt || k->has_lte ||
		     k->has_eq || k->has_neq;
	bool valued = c->type == KY_CORR_VALUE_COUNT ||
		      c->type == KY_CORR_VALUE_SUM ||
		      c->type == KY_CORR_VALUE_AVG ||
		      c->type == KY_CORR_VALUE_PERCENTILE;

	if (c->nrules == 0)
		return "correlation has no rules";
	if (c->timespan_ns <= 0)
		return "correlation has no timespan";
	if (!bound && (c->type == KY_CORR_TEMPORAL ||
		       c->type == KY_CORR_TEMPORAL_ORDERED)) {
		/* Without a condition every referenced rule must match. */
		k->has_gte = true;
		k->gte = (double)c->nrules;
		bound = true;
	}
	if (!bound)
		return "correlation condition needs gt, gte, lt, lte, eq or "
		       "neq";
	if (valued && k->field == NULL)
		return "correlation condition needs a field for this type";
	if (!valued && k->field != NULL)
		return "correlation condition field only applies to value_* "
		       "types";
	if (c->type == KY_CORR_VALUE_PERCENTILE &&
	    (k->percentile < 0 || k->percentile > 100))
		return "percentile must be between 0 and 100";
	return NULL;
}

void ky__sigma_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void item_free(struct ky_sigma_item *it)
{
	size_t i;

	free(it->field);
	for (i = 0; i < it->nvalues; i++)
		free(it->values[i].s);
	free(it->values);
}

void ky__sigma_search_free(struct ky_sigma_search *s)
{
	size_t g, i;

	free(s->name);
	for (g = 0; g < s->ngroups; g++) {
		for (i = 0; i < s->groups[g].nitems; i++)
			item_free(&s->groups[g].items[i]);
		free(s->groups[g].items);
	}
	free(s->groups);
}

static void corr_free(struct ky_sigma_corr *c)
{
	size_t i;

	if (c == NULL)
		return;
	ky__sigma_strv_free(c->rules, c->nrules);
	ky__sigma_strv_free(c->group_by, c->ngroup_by);
	free(c->cond.field);
	for (i = 0; i < c->naliases; i++) {
		free(c->aliases[i].name);
		ky__sigma_strv_free(c->aliases[i].rules, c->aliases[i].n);
		ky__sigma_strv_free(c->aliases[i].fields, c->aliases[i].n);
	}
	free(c->aliases);
	free(c);
}

void ky_sigma_rule_free(struct ky_sigma_rule *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->path);
	free(r->id);
	free(r->name);
	free(r->title);
	free(r->status);
	free(r->description);
	free(r->author);
	free(r->date);
	free(r->modified);
	free(r->license);
	ky__sigma_strv_free(r->tags, r->ntags);
	ky__sigma_strv_free(r->falsepositives, r->nfalsepositives);
	free(r->product);
	free(r->category);
	free(r->service);
	for (i = 0; i < r->nsearches; i++)
		ky__sigma_search_free(&r->searches[i]);
	free(r->searches);
	ky__sigma_strv_free(r->conditions, r->nconditions);
	corr_free(r->corr);
	if (r->filt != NULL)
		ky__sigma_strv_free(r->filt->rules, r->filt->nrules);
	free(r->filt);
	free(r);
}

int ky_sigma_load_file(const char *path, struct ky_sigma_rule ***rules,
		       size_t *n, struct ky_err *err)
{
	char chunk[8192];
	struct ky_buf data;
	FILE *f;
	size_t got;
	int r = 0;

	ky_buf_init(&data, SIGMA_FILE_MAX);
	if ((f = fopen(path, "rb")) == NULL)
		return ky_err_set(err, KY_E_IO, "%s: %s", path,
				  strerror(errno));
	while (r == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((r = ky_buf_add(&data, chunk, got)) == KY_E_TOOBIG)
			ky_err_set(err, r, "%s: larger than %u bytes", path,
				   SIGMA_FILE_MAX);
		else if (r != 0)
			ky_err_set(err, r, "%s: out of memory", path);
	}
	if (r == 0 && ferror(f))
		r = ky_err_set(err, KY_E_IO, "%s: read error", path);
	fclose(f);
	if (r == 0)
		r = ky_sigma_load_mem(path, ky_buf_str(&data), data.len, rules,
				      n, err);
	ky_buf_free(&data);
	return r;
}
