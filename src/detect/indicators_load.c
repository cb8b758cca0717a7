/* Indicator list loaders: plain lists (one value per line, type guessed
 * or forced) and CSV with a header row.  A bad line is counted and
 * reported with path:line, and loading goes on.  Also the names of types
 * and the quoting of values for messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "detect/indicators.h"
#include "detect/indicators_int.h"

/* ---- names and messages ------------------------------------------------ */

/* Copies a value for an error message with unprintable bytes escaped. */
const char *ky__ioc_show(char *buf, size_t cap, const char *v, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
			continue;
		}
		buf[o++] = '\\';
		buf[o++] = 'x';
		buf[o++] = hx[c >> 4];
		buf[o++] = hx[c & 15];
	}
	if (o + 8 >= cap && n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

int ky_ioc_type_parse(const char *s, enum ky_ioc_type *out)
{
	static const struct {
		const char *name;
		enum ky_ioc_type t;
	} names[] = {{"ip", KY_IOC_IP},		  {"ipv4", KY_IOC_IP},
		     {"ipv6", KY_IOC_IP},	  {"cidr", KY_IOC_IP},
		     {"ip-src", KY_IOC_IP},	  {"ip-dst", KY_IOC_IP},
		     {"domain", KY_IOC_DOMAIN},	  {"hostname", KY_IOC_DOMAIN},
		     {"url", KY_IOC_URL},	  {"email", KY_IOC_EMAIL},
		     {"email-src", KY_IOC_EMAIL}, {"email-dst", KY_IOC_EMAIL},
		     {"md5", KY_IOC_MD5},	  {"sha1", KY_IOC_SHA1},
		     {"sha-1", KY_IOC_SHA1},	  {"sha256", KY_IOC_SHA256},
		     {"sha-256", KY_IOC_SHA256}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].t;
			return 0;
		}
	}
	return KY_E_INVAL;
}

int ky__ioc_fields_norm(const char *v, char *out, size_t cap, size_t *on)
{
	size_t o = 0;

	while (*v) {
		size_t n = strcspn(v, ",;| \t");
		if (n) {
			if (o + n + 2 > cap)
				return KY_E_TOOBIG;
			if (o)
				out[o++] = ',';
			memcpy(out + o, v, n);
			o += n;
		}
		v += n;
		if (*v)
			v++;
	}
	out[o] = '\0';
	*on = o;
	return 0;
}

/* ---- loaders ---------------------------------------------------------- */

struct load {
	struct ky_ioc_set *s;
	const char *path;
	uint64_t line, loaded, rejected;
	struct ky_err *err;
};

static void bad(struct load *l, uint64_t line, const char *why)
{
	if (l->rejected++ == 0)
		ky_err_set(l->err, KY_E_PARSE, "%s:%llu: %s", l->path,
			   (unsigned long long)line, why);
	if (l->rejected <= IOC_LOG_BAD)
		KY_WARN("%s:%llu: %s", l->path, (unsigned long long)line, why);
}

static void finish(struct load *l, uint64_t *loaded, uint64_t *rejected)
{
	if (l->rejected > IOC_LOG_BAD)
		KY_WARN("%s: %llu bad lines in all", l->path,
			(unsigned long long)l->rejected);
	if (loaded)
		*loaded = l->loaded;
	if (rejected)
		*rejected = l->rejected;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Adds one value with its type forced (>= 0) or guessed. */
static void add_one(struct load *l, uint64_t line, const char *v, size_t n,
		    int type, const char *fields, int conf, bool warning)
{
	struct ky_ioc ioc = {0};
	struct ky_err e = {0};
	char shown[96], msg[KY_ERR_MSG_MAX + 32];
	enum ky_ioc_type t;

	while (n && blank(*v))
		v++, n--;
	while (n && blank(v[n - 1]))
		n--;
	if (type < 0 && ky_ioc_type_guess(v, n, &t) != 0) {
		snprintf(msg, sizeof(msg), "cannot tell the type of '%s'",
			 ky__ioc_show(shown, sizeof(shown), v, n));
		bad(l, line, msg);
		return;
	}
	ioc.type = type < 0 ? t : (enum ky_ioc_type)type;
	ioc.value = v;
	ioc.list = l->path;
	ioc.fields = fields;
	ioc.confidence = conf;
	ioc.line = line;
	ioc.warning = warning;
	if (ky_ioc_add(l->s, &ioc, n, &e) != 0) {
		bad(l, line, e.msg);
		return;
	}
	l->loaded++;
}

int ky_ioc_load_list(struct ky_ioc_set *s, const char *path, int type,
		     bool warning, uint64_t *loaded, uint64_t *rejected,
		     struct ky_err *err)
{
	struct load l = {s, path, 0, 0, 0, err};
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	FILE *fp = NULL;
	int r = 0;

	if (!s || !path || type >= KY_IOC_TYPES) {
		r = ky_err_set(err, KY_E_INVAL, "bad arguments");
		goto out;
	}
	if (!(fp = fopen(path, "r"))) {
		r = ky_err_set(err, KY_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	while ((got = getline(&line, &cap, fp)) >= 0) {
		size_t n = (size_t)got, b = 0;
		char *hash;
		l.line++;
		if (n > IOC_MAX_LINE) {
			bad(&l, l.line, "line too long");
			continue;
		}
		while (b < n && blank(line[b]))
			b++;
		if (b == n || line[b] == '#')
			continue;
		/* A comment after the value; '#' inside a URL stays. */
		for (hash = line + b;
		     (hash = memchr(hash, '#', n - (size_t)(hash - line)));
		     hash++) {
			if (blank(hash[-1])) {
				n = (size_t)(hash - line);
				break;
			}
		}
		while (n > b && blank(line[n - 1]))
			n--;
		for (size_t i = b; i < n; i++) {
			if (blank(line[i])) {
				bad(&l, l.line, "blank inside the value");
				goto next;
			}
		}
		add_one(&l, l.line, line + b, n - b, type, NULL, 50, warning);
	next:;
	}
	if (ferror(fp))
		r = ky_err_set(err, KY_E_IO, "%s:%llu: %s", path,
			       (unsigned long long)l.line, strerror(errno));
out:
	finish(&l, loaded, rejected);
	free(line);
	if (fp)
		fclose(fp);
	return r;
}

/* Splits one RFC 4180 record in place into cells (quotes removed). */
static int csv_split(char *p, size_t n, char **cells, size_t *lens,
		     size_t *ncells, const char **why)
{
	char *end = p + n;
	size_t c = 0;

	for (;;) {
		char *out = p, *start = p;
		if (c == IOC_CSV_COLS) {
			*why = "too many columns";
			return KY_E_PARSE;
		}
		if (p < end && *p == '"') {
			for (p++;; p++) {
				if (p == end) {
					*why = "unterminated quoted field";
					return KY_E_PARSE;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else
						break;
				}
				*out++ = *p;
			}
			p++;
			if (p < end && *p != ',') {
				*why = "text after a closing quote";
				return KY_E_PARSE;
			}
		} else {
			while (p < end && *p != ',') {
				if (*p == '"') {
					*why = "quote inside an unquoted field";
					return KY_E_PARSE;
				}
				p++;
			}
			out = p;
		}
		cells[c] = start;
		lens[c++] = (size_t)(out - start);
		if (p == end)
			break;
		p++;
	}
	*ncells = c;
	return 0;
}

enum { C_VALUE, C_TYPE, C_FIELDS, C_CONF, C_WARN, C_NCOLS };

/* One data record: columns by the header's indexes (-1 absent). */
static void csv_record(struct load *l, uint64_t line, char **cells,
		       size_t *lens, size_t nc, const int *col)
{
	const char *cell[C_NCOLS] = {0};
	size_t len[C_NCOLS] = {0};
	enum ky_ioc_type t;
	int type = -1, conf = 50;
	bool warn = false;

	for (int k = 0; k < C_NCOLS; k++) {
		if (col[k] >= 0 && (size_t)col[k] < nc) {
			cell[k] = cells[col[k]];
			len[k] = lens[col[k]];
			cells[col[k]][lens[col[k]]] = '\0';
		}
	}
	if (!cell[C_VALUE] || !len[C_VALUE]) {
		bad(l, line, "no value");
		return;
	}
	if (len[C_TYPE] && *cell[C_TYPE]) {
		if (ky_ioc_type_parse(cell[C_TYPE], &t) != 0) {
			bad(l, line, "unknown type");
			return;
		}
		type = (int)t;
	}
	if (len[C_CONF]) {
		char *e;
		long v = strtol(cell[C_CONF], &e, 10);
		if (*e || e == cell[C_CONF] || v < 0 || v > 100) {
			bad(l, line, "confidence not in 0-100");
			return;
		}
		conf = (int)v;
	}
	if (len[C_WARN]) {
		if (!strcasecmp(cell[C_WARN], "true") ||
		    !strcmp(cell[C_WARN], "1") ||
		    !strcasecmp(cell[C_WARN], "yes"))
			warn = true;
		else if (strcasecmp(cell[C_WARN], "false") &&
			 strcmp(cell[C_WARN], "0") &&
			 strcasecmp(cell[C_WARN], "no")) {
			bad(l, line, "warning not true or false");
			return;
		}
	}
	if (len[C_FIELDS] > IOC_MAX_FIELDS) {
		bad(l, line, "fields list too long");
		return;
	}
	add_one(l, line, cell[C_VALUE], len[C_VALUE], type,
		len[C_FIELDS] ? cell[C_FIELDS] : NULL, conf, warn);
}

static int csv_header(char **cells, size_t *lens, size_t nc, int *col)
{
	static const char *const names[C_NCOLS] = {"value", "type", "fields",
						   "confidence", "warning"};

	for (int k = 0; k < C_NCOLS; k++)
		col[k] = -1;
	for (size_t i = 0; i < nc; i++) {
		char *c = cells[i];
		size_t n = lens[i];
		if (i == 0 && n >= 3 && !memcmp(c, "\xef\xbb\xbf", 3))
			c += 3, n -= 3; /* byte-order mark */
		while (n && blank(*c))
			c++, n--;
		while (n && blank(c[n - 1]))
			n--;
		for (int k = 0; k < C_NCOLS; k++)
			if (strlen(names[k]) == n &&
			    !strncasecmp(c, names[k], n))
				col[k] = (int)i;
	}
	return col[C_VALUE] >= 0 ? 0 : KY_E_PARSE;
}

int ky_ioc_load_csv(struct ky_ioc_set *s, const char *path, uint64_t *loaded,
		    uint64_t *rejected, struct ky_err *err)
{
	struct load l = {s, path, 0, 0, 0, err};
	char *line = NULL, *rec = NULL, *cells[IOC_CSV_COLS];
	size_t cap = 0, rn = 0, lens[IOC_CSV_COLS], nc;
	int col[C_NCOLS], r = 0;
	uint64_t start = 0;
	bool inq = false, header = false, fstart = true, closed = false;
	const char *why;
	ssize_t got;
	FILE *fp = NULL;

	if (!s || !path) {
		r = ky_err_set(err, KY_E_INVAL, "bad arguments");
		goto out;
	}
	if (!(fp = fopen(path, "r"))) {
		r = ky_err_set(err, KY_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!(rec = malloc(IOC_MAX_LINE + 1))) {
		r = ky_err_set(err, KY_E_NOMEM, "out of memory");
		goto out;
	}
	/* Physical lines are joined while a quoted field is open. */
	while ((got = getline(&line, &cap, fp)) >= 0) {
		size_t n = (size_t)got;
		l.line++;
		if (rn == 0) {
			start = l.line;
			fstart = true;
			closed = false;
		}
		if (rn + n > IOC_MAX_LINE) {
			bad(&l, start, "record too long");
			rn = 0;
			inq = false;
			continue;
		}
		memcpy(rec + rn, line, n);
		rn += n;
		/* Only a quote opening a field (or doubled inside one)
		 * counts, so a stray quote cannot swallow the file. */
		for (size_t i = 0; i < n; i++) {
			char c = line[i];
			if (inq) {
				if (c == '"')
					inq = false, closed = true;
			} else if (c == '"' && (fstart || closed)) {
				inq = true;
				closed = fstart = false;
			} else {
				closed = false;
				fstart = c == ',' || c == '\n';
			}
		}
		if (inq)
			continue;
		while (rn && (rec[rn - 1] == '\n' || rec[rn - 1] == '\r'))
			rn--;
		n = rn;
		rn = 0;
		if (n == 0 || (header && rec[0] == '#'))
			continue;
		if (csv_split(rec, n, cells, lens, &nc, &why) != 0) {
			if (!header)
				break;
			bad(&l, start, why);
			continue;
		}
		if (!header) {
			if (csv_header(cells, lens, nc, col) != 0)
				break;
			header = true;
			continue;
		}
		csv_record(&l, start, cells, lens, nc, col);
	}
	if (ferror(fp)) {
		r = ky_err_set(err, KY_E_IO, "%s:%llu: %s", path,
			       (unsigned long long)l.line, strerror(errno));
	} else if (!header) {
		r = ky_err_set(
			err, KY_E_PARSE,
			"%s:%llu: header row with a 'value' column needed",
			path, (unsigned long long)(start ? start : 1));
	} else if (rn) {
		bad(&l, start, "unterminated quoted field");
	}
out:
	finish(&l, loaded, rejected);
	free(rec);
	free(line);
	if (fp)
		fclose(fp);
	return r;
}
