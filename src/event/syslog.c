/* Syslog parsers: RFC 5424 with a strict header grammar, and RFC 3164 as
 * real senders write it.  Values point into the input (zero copy); only
 * unescaped structured-data values and "sd.*" paths go to ev->arena. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/time.h"
#include "event/syslog.h"

#define LIT(s) "" s, sizeof(s) - 1

/* RFC 5424 section 6 field limits. */
#define HOSTNAME_MAX 255
#define APPNAME_MAX 48
#define PROCID_MAX 128
#define MSGID_MAX 32
#define SDNAME_MAX 32
#define TIMESTAMP_MAX 64
/* Longest 3164 tag we believe; longer words are message text. */
#define TAG_MAX 64
#define PID_MAX 32

/* Literals for facility (0..23) and severity (0..7) so that these integer
 * fields need no arena copy. */
static const char *const small_num[24] = {
	"0",  "1",  "2",  "3",	"4",  "5",  "6",  "7",	"8",  "9",  "10", "11",
	"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23"};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* PRINTUSASCII of RFC 5424: %d33-126. */
static int is_print(char c)
{
	return (unsigned char)c >= 33 && (unsigned char)c <= 126;
}

static size_t strip_trailer(const char *p, size_t n)
{
	while (n > 0 &&
	       (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\0'))
		n--;
	return n;
}

/* Turns a failed ky_event_add into the "offset N: ..." message. */
static int add_failed(struct ky_err *err, int r, size_t off,
		      const struct ky_event *ev)
{
	if (r == KY_E_TOOBIG)
		return ky_err_set(err, r, "offset %zu: more than %u fields",
				  off, ev->max_fields);
	return ky_err_set(err, r, "offset %zu: %s", off, ky_strerror(r));
}

/* An integer field whose literal is already at hand: no arena copy.
 * Every caller names its path with LIT(): KY_FIELD_CONST_PATH. */
static inline int add_int_lit(struct ky_event *ev, const char *path,
			      size_t plen, const char *lit, size_t llen,
			      int64_t v)
{
	return ky_event_add_int_const(ev, path, plen, lit, llen, v);
}

/* A string field under a path named with LIT(). */
static inline int add_str_c(struct ky_event *ev, const char *path, size_t plen,
			    const char *s, size_t n)
{
	return ky_event_add_const(ev, path, plen, KY_V_STR, s, n);
}

/* Room for k more fields without growing the array or passing
 * max_fields: the caller then writes them with put() instead of k checked
 * ky_event_add calls; otherwise it takes the checked path, whose errors
 * are the ones reported. */
static inline struct ky_field *room(struct ky_event *ev, uint32_t k)
{
	if (ev->nfields + k > ev->cap || ev->nfields + k > ev->max_fields)
		return NULL;
	ev->nfields += k;
	return &ev->fields[ev->nfields - k];
}

/* What ky_event_add stores; lengths are known to fit 32 bits. */
static inline void put(struct ky_field *f, const char *path, size_t plen,
		       enum ky_vtype type, const char *s, size_t n, int64_t v)
{
	f->path = path;
	f->path_len = (uint32_t)plen;
	f->type = (uint8_t)type;
	f->flags = KY_FIELD_CONST_PATH; /* every caller names a literal */
	f->str = s;
	f->str_len = (uint32_t)n;
	f->v.i = v;
}

/* process.pid is an integer when the sender wrote digits, else a string
 * (PROCID may legally be any printable word in RFC 5424). */
static int add_pid(struct ky_event *ev, const char *s, size_t n)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 18 && is_digit(s[i]); i++)
		v = v * 10 + (s[i] - '0');
	if (i == n)
		return add_int_lit(ev, LIT("process.pid"), s, n, v);
	return add_str_c(ev, LIT("process.pid"), s, n);
}

/* "<N>" at p[0] == '<', N of 1-3 digits and at most 191.  Sets *end to
 * the byte after '>'. */
static int parse_pri(const char *p, size_t n, size_t *end, struct ky_event *ev,
		     struct ky_err *err)
{
	size_t i = 1, lead, lim = n < 4 ? n : 4;
	struct ky_field *f;
	int v = 0, r;
	unsigned c;

	while (i < lim && (c = (unsigned)(unsigned char)p[i] - '0') <= 9) {
		v = v * 10 + (int)c;
		i++;
	}
	if (i == 1)
		return ky_err_set(err, KY_E_PARSE,
				  "offset 1: PRI: expected a digit after '<'");
	if (i >= n || p[i] != '>')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: PRI: expected '>' after at most "
				  "3 digits",
				  i);
	if (v > 191)
		return ky_err_set(err, KY_E_PARSE,
				  "offset 1: PRI %d out of range 0-191", v);
	/* The literal keeps no leading zeros so that it reads as v. */
	for (lead = 1; lead + 1 < i && p[lead] == '0'; lead++)
		;
	*end = i + 1;
	if ((f = room(ev, 3)) != NULL) {
		put(f, LIT("log.syslog.priority"), KY_V_INT, p + lead, i - lead,
		    v);
		put(f + 1, LIT("log.syslog.facility.code"), KY_V_INT,
		    small_num[v >> 3], (v >> 3) < 10 ? 1 : 2, v >> 3);
		put(f + 2, LIT("log.syslog.severity.code"), KY_V_INT,
		    small_num[v & 7], 1, v & 7);
		return 0;
	}
	if ((r = add_int_lit(ev, LIT("log.syslog.priority"), p + lead, i - lead,
			     v)) != 0 ||
	    (r = add_int_lit(ev, LIT("log.syslog.facility.code"),
			     small_num[v >> 3], (v >> 3) < 10 ? 1 : 2,
			     v >> 3)) != 0 ||
	    (r = add_int_lit(ev, LIT("log.syslog.severity.code"),
			     small_num[v & 7], 1, v & 7)) != 0)
		return add_failed(err, r, 0, ev);
	return 0;
}

/* ---- RFC 5424 ---- */

/* One header word: 1*max PRINTUSASCII then SP.  *i moves past the SP. */
static int header_word(const char *p, size_t n, size_t *i, size_t max,
		       const char *what, const char **w, size_t *wl,
		       struct ky_err *err)
{
	size_t s = *i, j = s;

	while (j < n && is_print(p[j]))
		j++;
	if (j == s)
		return ky_err_set(err, KY_E_PARSE, "offset %zu: %s: %s", s,
				  what, s < n ? "empty" : "missing");
	if (j - s > max)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: %s: longer than %zu bytes", s,
				  what, max);
	if (j >= n)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: record ends after %s", j, what);
	if (p[j] != ' ')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: %s: unexpected byte 0x%02x", j,
				  what, (unsigned char)p[j]);
	*w = p + s;
	*wl = j - s;
	*i = j + 1;
	return 0;
}

static int is_nil(const char *w, size_t wl)
{
	return wl == 1 && w[0] == '-';
}

/* TIMESTAMP = NILVALUE / FULL-DATE "T" FULL-TIME with a mandatory zone. */
static int parse_5424_time(const char *w, size_t wl, size_t off,
			   struct ky_event *ev, struct ky_err *err)
{
	int64_t ns;
	char z;

	if (is_nil(w, wl))
		return 0;
	z = w[wl - 1];
	if (wl < 20 || (w[10] != 'T' && w[10] != 't') ||
	    ky_time_parse_rfc3339(w, wl, &ns) != (int)wl ||
	    (z != 'Z' && z != 'z' && w[wl - 6] != '+' && w[wl - 6] != '-'))
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: TIMESTAMP: not an RFC 3339 "
				  "date-time with zone: \"%.*s\"",
				  off, (int)(wl > 40 ? 40 : wl), w);
	ev->time_ns = ns;
	return 0;
}

/* SD-NAME = 1*32 PRINTUSASCII except '=', SP, ']', '"'. */
static int sd_name(const char *p, size_t n, size_t *i, const char *what,
		   struct ky_err *err)
{
	size_t s = *i, j = s;

	while (j < n && is_print(p[j]) && p[j] != '=' && p[j] != ']' &&
	       p[j] != '"')
		j++;
	if (j == s)
		return ky_err_set(err, KY_E_PARSE, "offset %zu: %s: %s", s,
				  what, s < n ? "empty" : "missing");
	if (j - s > SDNAME_MAX)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: %s: longer than %d bytes", s,
				  what, SDNAME_MAX);
	*i = j;
	return 0;
}

/* PARAM-VALUE escapes: \" \\ \] lose their backslash; any other backslash
 * is kept as written (RFC 5424 section 6.3.3). */
static char *sd_unescape(struct ky_arena *a, const char *s, size_t n,
			 size_t *outl)
{
	char *o = ky_arena_alloc(a, n + 1);
	size_t j = 0;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n &&
		    (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']'))
			i++;
		o[j++] = s[i];
	}
	o[j] = '\0';
	*outl = j;
	return o;
}

static int sd_param(const char *p, size_t n, size_t *i, const char *id,
		    size_t idl, struct ky_event *ev, struct ky_err *err)
{
	size_t ns = *i, nl, vs, j, vl, pl;
	const char *v;
	char *path;
	int r, esc = 0;

	if ((r = sd_name(p, n, i, "PARAM-NAME", err)) != 0)
		return r;
	nl = *i - ns;
	if (*i >= n || p[*i] != '=')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: SD-PARAM: expected '='", *i);
	if (*i + 1 >= n || p[*i + 1] != '"')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: SD-PARAM: expected '\"'",
				  *i + 1);
	vs = j = *i + 2;
	while (j < n && p[j] != '"') {
		if (p[j] == '\\' && j + 1 < n) {
			esc = 1;
			j++;
		}
		j++;
	}
	if (j >= n)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: PARAM-VALUE: no closing '\"'",
				  vs - 1);
	v = p + vs;
	vl = j - vs;
	if (esc && (v = sd_unescape(ev->arena, v, vl, &vl)) == NULL)
		return add_failed(err, KY_E_NOMEM, vs, ev);
	pl = 3 + idl + 1 + nl;
	if ((path = ky_arena_alloc(ev->arena, pl + 1)) == NULL)
		return add_failed(err, KY_E_NOMEM, ns, ev);
	memcpy(path, "sd.", 3);
	memcpy(path + 3, id, idl);
	path[3 + idl] = '.';
	memcpy(path + 4 + idl, p + ns, nl);
	path[pl] = '\0';
	if ((r = ky_event_add_str(ev, path, pl, v, vl)) != 0)
		return add_failed(err, r, ns, ev);
	*i = j + 1;
	return 0;
}

/* SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"; *i is at '['. */
static int sd_element(const char *p, size_t n, size_t *i, struct ky_event *ev,
		      struct ky_err *err)
{
	size_t ids = ++*i, idl;
	int r;

	if ((r = sd_name(p, n, i, "SD-ID", err)) != 0)
		return r;
	idl = *i - ids;
	for (;;) {
		if (*i >= n)
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: SD-ELEMENT: no closing "
					  "']'",
					  ids - 1);
		if (p[*i] == ']')
			break;
		if (p[*i] != ' ')
			return ky_err_set(err, KY_E_PARSE,
					  "offset %zu: SD-ELEMENT: expected "
					  "SP or ']'",
					  *i);
		++*i;
		if ((r = sd_param(p, n, i, p + ids, idl, ev, err)) != 0)
			return r;
	}
	++*i;
	return 0;
}

int ky_syslog5424_parse(const char *p, size_t n, struct ky_event *ev,
			struct ky_err *err)
{
	size_t i = 0, wl, v0;
	const char *w;
	int r;

	n = strip_trailer(p, n);
	if (n == 0)
		return ky_err_set(err, KY_E_PARSE, "offset 0: empty record");
	if (p[0] != '<')
		return ky_err_set(err, KY_E_PARSE,
				  "offset 0: expected '<' (PRI)");
	if ((r = parse_pri(p, n, &i, ev, err)) != 0)
		return r;
	v0 = i;
	if (i >= n || p[i] < '1' || p[i] > '9')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: VERSION: expected a digit 1-9",
				  i);
	while (i < n && is_digit(p[i]) && i - v0 < 3)
		i++;
	if (i >= n || p[i] != ' ')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: expected SP after VERSION", i);
	i++;
	if ((r = header_word(p, n, &i, TIMESTAMP_MAX, "TIMESTAMP", &w, &wl,
			     err)) != 0 ||
	    (r = parse_5424_time(w, wl, (size_t)(w - p), ev, err)) != 0)
		return r;
	if ((r = header_word(p, n, &i, HOSTNAME_MAX, "HOSTNAME", &w, &wl,
			     err)) != 0)
		return r;
	if (!is_nil(w, wl) &&
	    (r = add_str_c(ev, LIT("host.hostname"), w, wl)) != 0)
		return add_failed(err, r, (size_t)(w - p), ev);
	if ((r = header_word(p, n, &i, APPNAME_MAX, "APP-NAME", &w, &wl,
			     err)) != 0)
		return r;
	if (!is_nil(w, wl) &&
	    (r = add_str_c(ev, LIT("process.name"), w, wl)) != 0)
		return add_failed(err, r, (size_t)(w - p), ev);
	if ((r = header_word(p, n, &i, PROCID_MAX, "PROCID", &w, &wl, err)) !=
	    0)
		return r;
	if (!is_nil(w, wl) && (r = add_pid(ev, w, wl)) != 0)
		return add_failed(err, r, (size_t)(w - p), ev);
	if ((r = header_word(p, n, &i, MSGID_MAX, "MSGID", &w, &wl, err)) != 0)
		return r;
	if (!is_nil(w, wl) &&
	    (r = add_str_c(ev, LIT("event.code"), w, wl)) != 0)
		return add_failed(err, r, (size_t)(w - p), ev);

	if (i < n && p[i] == '-') {
		i++;
	} else if (i < n && p[i] == '[') {
		while (i < n && p[i] == '[')
			if ((r = sd_element(p, n, &i, ev, err)) != 0)
				return r;
	} else {
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: STRUCTURED-DATA: expected '-' "
				  "or '['",
				  i);
	}
	if (i == n)
		return 0;
	if (p[i] != ' ')
		return ky_err_set(err, KY_E_PARSE,
				  "offset %zu: expected SP after "
				  "STRUCTURED-DATA",
				  i);
	i++;
	if (n - i >= 3 && memcmp(p + i, "\xEF\xBB\xBF", 3) == 0)
		i += 3;
	if (i < n && (r = add_str_c(ev, LIT("message"), p + i, n - i)) != 0)
		return add_failed(err, r, i, ev);
	return 0;
}

/* ---- RFC 3164 ---- */

/* Characters a relay would put in a HOSTNAME: names, IPv4 and IPv6. */
static const unsigned char host_char[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1, ['.'] = 1, ['-'] = 1, ['_'] = 1, [':'] = 1,
};

/* Bytes that end a tag's program name: controls, SP, '[', ':', ']'. */
static const unsigned char tag_stop[256] = {
	[0] = 1,  [1] = 1,  [2] = 1,   [3] = 1,	  [4] = 1,   [5] = 1,
	[6] = 1,  [7] = 1,  [8] = 1,   [9] = 1,	  [10] = 1,  [11] = 1,
	[12] = 1, [13] = 1, [14] = 1,  [15] = 1,  [16] = 1,  [17] = 1,
	[18] = 1, [19] = 1, [20] = 1,  [21] = 1,  [22] = 1,  [23] = 1,
	[24] = 1, [25] = 1, [26] = 1,  [27] = 1,  [28] = 1,  [29] = 1,
	[30] = 1, [31] = 1, [' '] = 1, ['['] = 1, [':'] = 1, [']'] = 1,
};

/* Timestamp at p[*i]: "Mmm dd hh:mm:ss[.frac]" or RFC 3339, followed by
 * SP, ": " (Cisco) or the end.  Leaves *i alone when there is none. */
static int parse_3164_time(const char *p, size_t n, size_t *i, int64_t recv_ns,
			   int64_t *ns)
{
	size_t s = *i;
	int c = -1;

	if (n - s >= 15 && p[s] >= 'A' && p[s] <= 'Z' && p[s + 3] == ' ') {
		if (recv_ns == 0)
			recv_ns = ky_time_now_ns();
		c = ky_time_parse_3164(p + s, n - s, recv_ns, ns);
	} else if (n - s >= 19 && is_digit(p[s]) && p[s + 4] == '-') {
		c = ky_time_parse_rfc3339(p + s, n - s, ns);
	}
	if (c <= 0)
		return 0;
	s += (size_t)c;
	if (s < n && p[s] == ':' && (s + 1 == n || p[s + 1] == ' '))
		s++;
	if (s < n && p[s] != ' ')
		return 0;
	while (s < n && p[s] == ' ')
		s++;
	*i = s;
	return 1;
}

/* TAG as written in practice: "prog[pid]:", "prog:", "prog[pid]" followed
 * by SP or the end.  On success *i moves past the tag and one SP. */
static int parse_tag(const char *p, size_t n, size_t *i, struct ky_event *ev,
		     struct ky_err *err)
{
	size_t s = *i, j = s, k, ps = 0, pl = 0, lim;
	struct ky_field *f;
	uint64_t v = 0;
	unsigned c;
	bool digits = true;
	int r;

	lim = n - s > TAG_MAX + 1 ? s + TAG_MAX + 1 : n;
	while (j < lim && !tag_stop[(unsigned char)p[j]])
		j++;
	if (j == s || j >= n || j - s > TAG_MAX)
		return 0;
	k = j;
	if (p[k] == '[') {
		ps = ++k;
		lim = n - ps > PID_MAX ? ps + PID_MAX : n;
		/* The pid's value is read on the way (add_pid's rule: an
		 * integer when all digits, at most 18). */
		while (k < lim && p[k] != ']' && (unsigned char)p[k] > ' ') {
			c = (unsigned)(unsigned char)p[k] - '0';
			if (c > 9)
				digits = false;
			v = v * 10 + c;
			k++;
		}
		if (k >= n || p[k] != ']')
			return 0;
		pl = k - ps;
		k++;
		if (k < n && p[k] == ':')
			k++;
	} else if (p[k] == ':') {
		k++;
	} else {
		return 0;
	}
	if (k < n && p[k] != ' ')
		return 0;
	*i = k < n ? k + 1 : k;
	if (pl > 0 && (f = room(ev, 2)) != NULL) {
		put(f, LIT("process.name"), KY_V_STR, p + s, j - s, 0);
		if (digits && pl <= 18)
			put(f + 1, LIT("process.pid"), KY_V_INT, p + ps, pl,
			    (int64_t)v);
		else
			put(f + 1, LIT("process.pid"), KY_V_STR, p + ps, pl, 0);
		return 0;
	}
	if ((r = add_str_c(ev, LIT("process.name"), p + s, j - s)) != 0)
		return add_failed(err, r, s, ev);
	if (pl > 0) {
		if (digits && pl <= 18)
			r = add_int_lit(ev, LIT("process.pid"), p + ps, pl,
					(int64_t)v);
		else
			r = add_str_c(ev, LIT("process.pid"), p + ps, pl);
		if (r != 0)
			return add_failed(err, r, ps, ev);
	}
	return 0;
}

int ky_syslog3164_parse(const char *p, size_t n, int64_t recv_ns,
			struct ky_event *ev, struct ky_err *err)
{
	size_t i = 0, j;
	int64_t ns;
	int r;

	n = strip_trailer(p, n);
	if (n == 0)
		return ky_err_set(err, KY_E_PARSE, "offset 0: empty record");
	if (p[0] == '<' && (r = parse_pri(p, n, &i, ev, err)) != 0)
		return r;
	if (parse_3164_time(p, n, &i, recv_ns, &ns)) {
		ev->time_ns = ns;
		/* The word after the time is the host unless it is already
		 * the tag ("sshd[1]:", "kernel:") or not a host name. */
		for (j = i; j < n && host_char[(unsigned char)p[j]]; j++)
			;
		if (j > i && j < n && p[j] == ' ' && p[j - 1] != ':') {
			if (!(j - i == 1 && p[i] == '-') &&
			    (r = add_str_c(ev, LIT("host.hostname"), p + i,
					   j - i)) != 0)
				return add_failed(err, r, i, ev);
			for (i = j; i < n && p[i] == ' '; i++)
				;
		}
	}
	if ((r = parse_tag(p, n, &i, ev, err)) != 0)
		return r;
	if (i < n && (r = add_str_c(ev, LIT("message"), p + i, n - i)) != 0)
		return add_failed(err, r, i, ev);
	return 0;
}
