/* Version comparison (generic, semver 2.0.0, Debian) and version ranges
 * (purl-spec vers, CPE version attributes): the parts of the identifiers
 * module the exposure matcher calls per asset, so nothing here allocates
 * after parsing.  See docs/identifiers.md. */
#include "intel/version.h"

#include <string.h>

#include "base/arena.h"

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Digit strings by value, without overflow: leading zeros off, then the
 * longer is larger, then bytewise. */
static int numcmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r;

	while (an > 0 && *a == '0') {
		a++;
		an--;
	}
	while (bn > 0 && *b == '0') {
		b++;
		bn--;
	}
	if (an != bn)
		return an < bn ? -1 : 1;
	r = memcmp(a, b, an);
	return r < 0 ? -1 : r > 0;
}

/* ---- generic ---------------------------------------------------------- */

enum gtok { G_END, G_PRE, G_POST, G_NUM };

struct gscan {
	const char *s;
	size_t n, i;
};

/* Alpha runs that mean "after the release" rather than a pre-release. */
static bool post_word(const char *w, size_t n)
{
	static const char *const words[] = {"post", "patch", "pl",
					    "p",    "sp",    "rev"};

	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		size_t wl = strlen(words[k]);
		size_t j = 0;

		if (wl != n)
			continue;
		while (j < n && lower((unsigned char)w[j]) == words[k][j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

static enum gtok gnext(struct gscan *g, const char **t, size_t *tn)
{
	const unsigned char *s = (const unsigned char *)g->s;
	bool plus = false, glued;
	size_t st;

	while (g->i < g->n && !is_digit(s[g->i]) && !is_alpha(s[g->i])) {
		if (s[g->i] == '+')
			plus = true;
		g->i++;
	}
	if (g->i >= g->n)
		return G_END;
	st = g->i;
	*t = g->s + st;
	if (is_digit(s[st])) {
		while (g->i < g->n && is_digit(s[g->i]))
			g->i++;
		*tn = g->i - st;
		return G_NUM;
	}
	while (g->i < g->n && is_alpha(s[g->i]))
		g->i++;
	*tn = g->i - st;
	glued = st > 0 && is_digit(s[st - 1]);
	/* "1.0.2k" (a letter glued to a number, nothing after) is a later
	 * release, "1.0rc1" an earlier one; "+local" follows its base. */
	if (plus || post_word(*t, *tn) ||
	    (glued && *tn == 1 && (g->i >= g->n || !is_digit(s[g->i]))))
		return G_POST;
	return G_PRE;
}

static size_t skip_v(const char *s, size_t n)
{
	if (n >= 2 && (s[0] == 'v' || s[0] == 'V') &&
	    is_digit((unsigned char)s[1]))
		return 1;
	return 0;
}

static bool all_zero(const char *t, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (t[k] != '0')
			return false;
	return true;
}

static int generic_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct gscan ga = {a, an, skip_v(a, an)};
	struct gscan gb = {b, bn, skip_v(b, bn)};

	for (;;) {
		const char *ta = NULL, *tb = NULL;
		size_t la = 0, lb = 0;
		enum gtok ka = gnext(&ga, &ta, &la);
		enum gtok kb = gnext(&gb, &tb, &lb);
		int r;

		if (ka == G_END && kb == G_END)
			return 0;
		if (ka == G_END || kb == G_END) {
			/* A missing part is a zero: 1.0 == 1.0.0 < 1.0a, and
			 * a pre-release sorts before the bare release. */
			int sign = ka == G_END ? 1 : -1;
			enum gtok k = ka == G_END ? kb : ka;
			const char *t = ka == G_END ? tb : ta;
			size_t l = ka == G_END ? lb : la;

			if (k == G_NUM && all_zero(t, l))
				continue;
			return k == G_PRE ? sign : -sign;
		}
		if (ka != kb)
			return ka < kb ? -1 : 1;
		if (ka == G_NUM) {
			r = numcmp(ta, la, tb, lb);
			if (r != 0)
				return r;
			continue;
		}
		for (size_t k = 0; k < la && k < lb; k++) {
			unsigned char x = lower((unsigned char)ta[k]);
			unsigned char y = lower((unsigned char)tb[k]);

			if (x != y)
				return x < y ? -1 : 1;
		}
		if (la != lb)
			return la < lb ? -1 : 1;
	}
}

/* ---- semver 2.0.0 ----------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t k = 0; k < n; k++)
		if (!is_digit((unsigned char)s[k]))
			return false;
	return true;
}

static bool ident_ok(const char *s, size_t n, bool numeric_no_lead0)
{
	if (n == 0)
		return false;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (!is_digit(c) && !is_alpha(c) && c != '-')
			return false;
	}
	if (numeric_no_lead0 && all_digits(s, n) && n > 1 && s[0] == '0')
		return false;
	return true;
}

/* Splits s[0..n) into dot-separated identifiers validated by ident_ok. */
static bool idents_ok(const char *s, size_t n, bool no_lead0)
{
	size_t st = 0;

	for (size_t k = 0; k <= n; k++) {
		if (k == n || s[k] == '.') {
			if (!ident_ok(s + st, k - st, no_lead0))
				return false;
			st = k + 1;
		}
	}
	return true;
}

bool ky_semver_valid(const char *s, size_t n)
{
	const char *plus = memchr(s, '+', n);
	size_t vn = plus != NULL ? (size_t)(plus - s) : n;
	const char *dash = memchr(s, '-', vn);
	size_t cn = dash != NULL ? (size_t)(dash - s) : vn;
	size_t st = 0, fields = 0;

	for (size_t k = 0; k <= cn; k++) {
		if (k == cn || s[k] == '.') {
			size_t l = k - st;

			if (!all_digits(s + st, l) || (l > 1 && s[st] == '0'))
				return false;
			fields++;
			st = k + 1;
		}
	}
	if (fields != 3)
		return false;
	if (dash != NULL && !idents_ok(dash + 1, vn - cn - 1, true))
		return false;
	if (plus != NULL && !idents_ok(plus + 1, n - vn - 1, false))
		return false;
	return true;
}

struct sv {
	const char *core, *pre;
	size_t coren, pren; /* pre == NULL: no pre-release */
};

/* Core and pre-release of s, build metadata dropped; false when the core
 * is not dot-separated numbers (then the generic rules decide). */
static bool sv_split(const char *s, size_t n, struct sv *v)
{
	const char *plus, *dash;
	size_t sk = skip_v(s, n);

	s += sk;
	n -= sk;
	plus = memchr(s, '+', n);
	if (plus != NULL)
		n = (size_t)(plus - s);
	dash = memchr(s, '-', n);
	v->core = s;
	v->coren = dash != NULL ? (size_t)(dash - s) : n;
	v->pre = dash != NULL ? dash + 1 : NULL;
	v->pren = dash != NULL ? n - v->coren - 1 : 0;
	for (size_t k = 0; k < v->coren; k++)
		if (!is_digit((unsigned char)s[k]) && s[k] != '.')
			return false;
	return v->coren > 0;
}

/* Next dot-separated field of s[*i..n). */
static void field(const char *s, size_t n, size_t *i, const char **f,
		  size_t *fl)
{
	const char *dot = memchr(s + *i, '.', n - *i);
	size_t e = dot != NULL ? (size_t)(dot - s) : n;

	*f = s + *i;
	*fl = e - *i;
	*i = dot != NULL ? e + 1 : n + 1;
}

static int semver_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct sv x, y;
	size_t i = 0, j = 0;

	if (!sv_split(a, an, &x) || !sv_split(b, bn, &y))
		return generic_cmp(a, an, b, bn);
	/* Core: numbers by value; a missing field is 0 (lenient "1.2"). */
	while (i <= x.coren || j <= y.coren) {
		const char *f = "0", *g = "0";
		size_t fl = 1, gl = 1;
		int r;

		if (i <= x.coren)
			field(x.core, x.coren, &i, &f, &fl);
		if (j <= y.coren)
			field(y.core, y.coren, &j, &g, &gl);
		r = numcmp(f, fl, g, gl);
		if (r != 0)
			return r;
	}
	/* A pre-release sorts before its release (semver 11.3). */
	if (x.pre == NULL || y.pre == NULL)
		return x.pre == NULL && y.pre == NULL ? 0
		       : x.pre == NULL		      ? 1
						      : -1;
	i = j = 0;
	for (;;) {
		const char *f, *g;
		size_t fl, gl;
		bool fn, gn;
		int r;
		bool xe = i > x.pren, ye = j > y.pren;

		if (xe || ye)
			return xe && ye ? 0 : xe ? -1 : 1;
		field(x.pre, x.pren, &i, &f, &fl);
		field(y.pre, y.pren, &j, &g, &gl);
		fn = all_digits(f, fl);
		gn = all_digits(g, gl);
		if (fn && gn) {
			r = numcmp(f, fl, g, gl);
		} else if (fn != gn) {
			r = fn ? -1 : 1;
		} else {
			size_t m = fl < gl ? fl : gl;

			r = memcmp(f, g, m);
			r = r < 0 ? -1 : r > 0 ? 1 : fl < gl ? -1 : fl > gl;
		}
		if (r != 0)
			return r;
	}
}

/* ---- Debian ------------------------------------------------------------ */

static int deb_order(const char *s, size_t n, size_t i)
{
	unsigned char c;

	if (i >= n)
		return 0;
	c = (unsigned char)s[i];
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

/* dpkg's verrevcmp: alternating non-digit and digit parts; in non-digit
 * parts '~' sorts before everything, even the end, letters before other
 * bytes. */
static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

	while (i < an || j < bn) {
		int first = 0;

		while ((i < an && !is_digit((unsigned char)a[i])) ||
		       (j < bn && !is_digit((unsigned char)b[j]))) {
			int ac = deb_order(a, an, i), bc = deb_order(b, bn, j);

			if (ac != bc)
				return ac < bc ? -1 : 1;
			i++;
			j++;
		}
		while (i < an && a[i] == '0')
			i++;
		while (j < bn && b[j] == '0')
			j++;
		while (i < an && j < bn && is_digit((unsigned char)a[i]) &&
		       is_digit((unsigned char)b[j])) {
			if (first == 0)
				first = a[i] < b[j] ? -1 : a[i] > b[j];
			i++;
			j++;
		}
		if (i < an && is_digit((unsigned char)a[i]))
			return 1;
		if (j < bn && is_digit((unsigned char)b[j]))
			return -1;
		if (first != 0)
			return first;
	}
	return 0;
}

struct debv {
	const char *epoch, *up, *rev;
	size_t epochn, upn, revn;
};

static void deb_split(const char *s, size_t n, struct debv *v)
{
	const char *colon = memchr(s, ':', n);
	const char *dash = NULL;

	v->epoch = "0";
	v->epochn = 1;
	if (colon != NULL && all_digits(s, (size_t)(colon - s))) {
		v->epoch = s;
		v->epochn = (size_t)(colon - s);
		n -= v->epochn + 1;
		s = colon + 1;
	}
	for (size_t k = n; k > 0; k--) {
		if (s[k - 1] == '-') {
			dash = s + k - 1;
			break;
		}
	}
	v->up = s;
	v->upn = dash != NULL ? (size_t)(dash - s) : n;
	v->rev = dash != NULL ? dash + 1 : "";
	v->revn = dash != NULL ? n - v->upn - 1 : 0;
}

static int deb_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct debv x, y;
	int r;

	deb_split(a, an, &x);
	deb_split(b, bn, &y);
	r = numcmp(x.epoch, x.epochn, y.epoch, y.epochn);
	if (r == 0)
		r = verrevcmp(x.up, x.upn, y.up, y.upn);
	if (r == 0)
		r = verrevcmp(x.rev, x.revn, y.rev, y.revn);
	return r;
}

int ky_version_cmp(enum ky_vscheme s, const char *a, size_t alen, const char *b,
		   size_t blen)
{
	switch (s) {
	case KY_VS_SEMVER:
		return semver_cmp(a, alen, b, blen);
	case KY_VS_DEB:
		return deb_cmp(a, alen, b, blen);
	case KY_VS_GENERIC:
	default:
		return generic_cmp(a, alen, b, blen);
	}
}

static bool name_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

enum ky_vscheme ky_vscheme_for_purl_type(const char *type, size_t n)
{
	if (name_is(type, n, "deb"))
		return KY_VS_DEB;
	if (name_is(type, n, "npm") || name_is(type, n, "cargo") ||
	    name_is(type, n, "golang") || name_is(type, n, "semver"))
		return KY_VS_SEMVER;
	return KY_VS_GENERIC;
}

/* ---- vers ranges ------------------------------------------------------- */

static int hexval(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static const char *op_text(unsigned op)
{
	static const char *const t[] = {"=", "!=", "<", "<=", ">", ">="};

	return op < 6 ? t[op] : "?";
}

static bool is_lesser(unsigned op)
{
	return op == KY_VOP_LT || op == KY_VOP_LE;
}

static bool is_greater(unsigned op)
{
	return op == KY_VOP_GT || op == KY_VOP_GE;
}

/* The sequence rules of the spec on sorted constraints: ignoring "!=",
 * "=" is followed only by "=", ">" or ">="; ignoring "=" and "!=" too,
 * lesser and greater comparators alternate. */
static int vers_check_seq(const struct ky_vcons *c, size_t n, const char *s,
			  struct ky_err *err)
{
	const struct ky_vcons *prev = NULL, *prevr = NULL;

	for (size_t k = 0; k < n; k++) {
		unsigned op = c[k].op;

		if (op == KY_VOP_NE)
			continue;
		if (prev != NULL && prev->op == KY_VOP_EQ && is_lesser(op))
			return ky_err_set(err, KY_E_PARSE,
					  "vers: '=%s' followed by '%s%s': "
					  "invalid constraint sequence",
					  s + prev->v.off, op_text(op),
					  s + c[k].v.off);
		prev = &c[k];
		if (op == KY_VOP_EQ)
			continue;
		if (prevr != NULL && is_lesser(prevr->op) == is_lesser(op))
			return ky_err_set(err, KY_E_PARSE,
					  "vers: '%s%s' followed by '%s%s': "
					  "comparators must alternate",
					  op_text(prevr->op), s + prevr->v.off,
					  op_text(op), s + c[k].v.off);
		prevr = &c[k];
	}
	return 0;
}

static int vers_constraints(const char *str, size_t i, size_t n,
			    struct ky_arena *a, struct ky_vrange *out,
			    struct ky_err *err)
{
	struct ky_vcons tmp[KY_VERS_MAX];
	size_t where[KY_VERS_MAX];
	char *buf = NULL;
	struct ky_vcons *c = NULL;
	size_t nc = 0, bl = 0;
	int r = 0;

	buf = ky_arena_alloc(a, n - i + KY_VERS_MAX + 1);
	if (buf == NULL)
		return ky_err_set(err, KY_E_NOMEM, "vers: out of memory");
	while (i < n) {
		unsigned op = KY_VOP_EQ;
		size_t st = bl;
		size_t at;

		while (i < n &&
		       (str[i] == '|' || str[i] == ' ' || str[i] == '\t'))
			i++;
		if (i >= n)
			break;
		at = i;
		if (nc == KY_VERS_MAX)
			return ky_err_set(err, KY_E_TOOBIG,
					  "offset %zu: more than %d "
					  "constraints",
					  i, KY_VERS_MAX);
		/* Spaces are not significant anywhere, even inside a
		 * comparator ("> = 2"). */
		if (i < n && (str[i] == '<' || str[i] == '>' || str[i] == '=' ||
			      str[i] == '!')) {
			char c1 = str[i++];
			bool eq = false;

			while (i < n && (str[i] == ' ' || str[i] == '\t'))
				i++;
			if (c1 != '=' && i < n && str[i] == '=') {
				eq = true;
				i++;
			}
			if (c1 == '!' && !eq)
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: '!' without '='",
						  at);
			op = c1 == '='	 ? KY_VOP_EQ
			     : c1 == '!' ? KY_VOP_NE
			     : c1 == '<' ? (eq ? KY_VOP_LE : KY_VOP_LT)
					 : (eq ? KY_VOP_GE : KY_VOP_GT);
		}
		while (i < n && str[i] != '|') {
			unsigned char ch = (unsigned char)str[i];

			if (ch == ' ' || ch == '\t') {
				i++;
				continue;
			}
			if (ch < 0x21 || ch > 0x7e)
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: byte 0x%02x not "
						  "allowed in vers",
						  i, ch);
			if (ch == '*' || ch == '<' || ch == '>' || ch == '=' ||
			    ch == '!')
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: '%c' inside a "
						  "version must be "
						  "percent-encoded",
						  i, ch);
			if (ch == '%') {
				int h, l;

				if (i + 2 >= n) {
					h = l = -1;
				} else {
					h = hexval((unsigned char)str[i + 1]);
					l = hexval((unsigned char)str[i + 2]);
				}
				if (h < 0 || l < 0 || (h == 0 && l == 0))
					return ky_err_set(err, KY_E_PARSE,
							  "offset %zu: bad "
							  "percent escape",
							  i);
				buf[bl++] = (char)(h * 16 + l);
				i += 3;
				continue;
			}
			buf[bl++] = (char)ch;
			i++;
		}
		if (bl == st)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: empty version", at);
		buf[bl++] = '\0';
		tmp[nc].v.off = (uint16_t)st;
		tmp[nc].v.len = (uint16_t)(bl - st - 1);
		tmp[nc].op = (uint8_t)op;
		where[nc] = at;
		nc++;
	}
	if (nc == 0)
		return ky_err_set(err, KY_E_PARSE, "offset %zu: no constraints",
				  n);
	/* Canonical order is by version; insertion sort, n is small. */
	for (size_t k = 1; k < nc; k++) {
		struct ky_vcons t = tmp[k];
		size_t w = where[k];
		size_t j = k;

		while (j > 0) {
			int cmp = ky_version_cmp((enum ky_vscheme)out->scheme,
						 buf + t.v.off, t.v.len,
						 buf + tmp[j - 1].v.off,
						 tmp[j - 1].v.len);

			if (cmp == 0)
				return ky_err_set(
					err, KY_E_PARSE,
					"offset %zu: version '%s' "
					"already in the range",
					w > where[j - 1] ? w : where[j - 1],
					buf + t.v.off);
			if (cmp > 0)
				break;
			tmp[j] = tmp[j - 1];
			where[j] = where[j - 1];
			j--;
		}
		tmp[j] = t;
		where[j] = w;
	}
	r = vers_check_seq(tmp, nc, buf, err);
	if (r != 0)
		return r;
	c = ky_arena_alloc(a, nc * sizeof *c);
	if (c == NULL)
		return ky_err_set(err, KY_E_NOMEM, "vers: out of memory");
	memcpy(c, tmp, nc * sizeof *c);
	out->s = buf;
	out->c = c;
	out->n = (uint16_t)nc;
	out->kind = KY_VR_CONSTRAINTS;
	return 0;
}

int ky_vrange_parse(const char *str, size_t n, struct ky_arena *a,
		    struct ky_vrange *out, struct ky_err *err)
{
	size_t i = 0, st, sl = 0, k;
	char scheme[32];

	memset(out, 0, sizeof *out);
	if (n > KY_ID_MAX)
		return ky_err_set(err, KY_E_TOOBIG,
				  "vers: %zu bytes, more than %d", n,
				  KY_ID_MAX);
	while (i < n && (str[i] == ' ' || str[i] == '\t'))
		i++;
	if (n - i < 5 || memcmp(str + i, "vers:", 5) != 0)
		return ky_err_set(err, KY_E_UNSUPPORTED,
				  "offset %zu: not a vers range (\"vers:"
				  "<scheme>/...\"); vls free text such as "
				  "'<= 4.1' is not supported",
				  i);
	i += 5;
	st = i;
	while (i < n && str[i] != '/') {
		unsigned char c = (unsigned char)str[i];

		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' ||
		      c == '-' || c == '+') ||
		    (sl == 0 && is_digit(c)))
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: bad character in "
					  "versioning scheme (lower-case "
					  "letters, digits, . + -)",
					  i);
		if (sl + 1 >= sizeof scheme)
			return ky_err_set(err, KY_E_TOOBIG,
					  "offset %zu: versioning scheme too "
					  "long",
					  st);
		scheme[sl++] = (char)c;
		i++;
	}
	scheme[sl] = '\0';
	if (i >= n || sl == 0)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: expected "
				  "\"vers:<scheme>/<constraints>\"",
				  i >= n ? n : st);
	i++;
	out->scheme = (uint8_t)ky_vscheme_for_purl_type(scheme, sl);
	/* A lone "*" is the whole range; it may not sit beside others. */
	for (k = i; k < n; k++)
		if (str[k] == '*')
			break;
	if (k < n) {
		for (size_t j = i; j < n; j++)
			if (j != k && str[j] != ' ' && str[j] != '\t' &&
			    str[j] != '|')
				return ky_err_set(err, KY_E_PARSE,
						  "offset %zu: '*' must be "
						  "the only constraint",
						  j < k ? k : j);
		out->kind =
			strcmp(scheme, "none") == 0 ? KY_VR_NONE : KY_VR_ALL;
		return 0;
	}
	if (strcmp(scheme, "all") == 0 || strcmp(scheme, "none") == 0)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: scheme '%s' takes only '*'", i,
				  scheme);
	return vers_constraints(str, i, n, a, out, err);
}

void ky_vrange_from_cpe(const struct ky_cpe *c, enum ky_vscheme s,
			struct ky_vrange *out)
{
	static const struct ky_vcons eq = {{0, 0}, KY_VOP_EQ};
	const struct ky_cpe_attr *v = &c->a[KY_CPE_VERSION];

	memset(out, 0, sizeof *out);
	out->scheme = (uint8_t)s;
	out->s = c->s;
	switch (v->kind) {
	case KY_CPE_ANY:
		out->kind = KY_VR_ALL;
		break;
	case KY_CPE_NA:
		out->kind = KY_VR_NONE;
		break;
	case KY_CPE_WILD:
		out->kind = KY_VR_CPE;
		out->wild = *v;
		break;
	default:
		/* One "=" constraint whose span is the CPE's literal: the
		 * span lives in wild, c points at a shared template. */
		out->kind = KY_VR_CONSTRAINTS;
		out->wild = *v;
		out->c = &eq;
		out->n = 1;
		break;
	}
}

static struct ky_span cons_span(const struct ky_vrange *r, size_t k)
{
	struct ky_span sp = r->c[k].v;

	if (r->c[k].v.len == 0) { /* the CPE "=" template */
		sp.off = r->wild.off;
		sp.len = r->wild.len;
	}
	return sp;
}

bool ky_vrange_contains(const struct ky_vrange *r, const char *v, size_t n)
{
	signed char cmp[KY_VERS_MAX];
	size_t first = SIZE_MAX, prev = SIZE_MAX;
	bool any_eq = false;

	if (r->kind == KY_VR_ALL)
		return true;
	if (r->kind == KY_VR_NONE)
		return false;
	if (r->kind == KY_VR_CPE)
		return ky__cpe_wild_match(&r->wild, r->s, v, n);
	for (size_t k = 0; k < r->n && k < KY_VERS_MAX; k++) {
		struct ky_span sp = cons_span(r, k);
		int c = ky_version_cmp((enum ky_vscheme)r->scheme, v, n,
				       r->s + sp.off, sp.len);
		unsigned op = r->c[k].op;

		cmp[k] = (signed char)(c < 0 ? -1 : c > 0);
		if (c == 0 &&
		    (op == KY_VOP_EQ || op == KY_VOP_LE || op == KY_VOP_GE))
			return true;
		if (c == 0 && op == KY_VOP_NE)
			return false;
		if (op == KY_VOP_EQ)
			any_eq = true;
	}
	/* Walk the range constraints pairwise (the "=" and "!=" ones out). */
	for (size_t k = 0; k < r->n && k < KY_VERS_MAX; k++) {
		unsigned op = r->c[k].op;

		if (op == KY_VOP_EQ || op == KY_VOP_NE)
			continue;
		if (first == SIZE_MAX) {
			first = k;
			if (is_lesser(op) && cmp[k] < 0)
				return true;
		}
		if (prev != SIZE_MAX && is_greater(r->c[prev].op) &&
		    is_lesser(op) && cmp[prev] > 0 && cmp[k] < 0)
			return true;
		prev = k;
	}
	if (prev == SIZE_MAX) /* only "=" and "!=": "!=" alone excludes */
		return !any_eq && r->n > 0;
	return is_greater(r->c[prev].op) && cmp[prev] > 0;
}
