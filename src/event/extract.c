/* Built-in extractors: anchored parsers for sshd, PAM, sudo, su, Linux
 * audit, nginx/Apache access logs and netfilter, each with the Vectorscan
 * prefilter that selects it (the set itself is in extract_user.c). */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/time.h"
#include "event/extract_int.h"

#define TRY(e)                                                                 \
	do {                                                                   \
		int r_ = (e);                                                  \
		if (r_ != 0)                                                   \
			return r_;                                             \
	} while (0)

/* A cursor over the message. */
struct cur {
	const char *p, *e;
};

static size_t left(const struct cur *c)
{
	return (size_t)(c->e - c->p);
}

static bool eat(struct cur *c, const char *s, size_t n)
{
	if (left(c) < n || (n > 0 && c->p[0] != s[0]) ||
	    memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}
#define EAT(c, lit) eat(c, lit, sizeof(lit) - 1)

/* Consumes bytes up to (not including) the first of stop or the end. */
static size_t upto(struct cur *c, char stop, const char **s)
{
	const char *q = memchr(c->p, stop, left(c));

	*s = c->p;
	c->p = q ? q : c->e;
	return (size_t)(c->p - *s);
}

static void skip_spaces(struct cur *c)
{
	while (c->p < c->e && *c->p == ' ')
		c->p++;
}

/* Last occurrence of nd in p[0..n).  memrchr (vectorised) jumps from one
 * candidate first byte to the previous one instead of testing every byte:
 * the needles here start with a space, a few per message. */
static const char *rfind(const char *p, size_t n, const char *nd, size_t nl)
{
	const char *q;

	if (n < nl)
		return NULL;
	n -= nl - 1; /* candidate starts: p[0..n) */
	while (n > 0 && (q = memrchr(p, nd[0], n)) != NULL) {
		if ((nl < 2 || q[1] == nd[1]) && memcmp(q, nd, nl) == 0)
			return q;
		n = (size_t)(q - p);
	}
	return NULL;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Bytes of an address or host name: letters, digits, ". - _ : %". */
static const unsigned char host_chars[256] = {
	['.'] = 1, ['-'] = 1, ['_'] = 1, [':'] = 1, ['%'] = 1, ['0'] = 1,
	['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
	['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
	['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1,
	['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 1,
	['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
	['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
	['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1,
	['Z'] = 1,
};

/* An address or a host name: what a log line may name as its peer. */
static bool host_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!host_chars[(unsigned char)s[i]])
			return false;
	return n > 0;
}

/* source.ip when the text is an address, source.domain otherwise (sshd
 * with UseDNS, access logs with HostnameLookups). */
static int add_source(struct ky_event *ev, const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '-') || (n == 1 && s[0] == '?'))
		return 0;
	if (ky__is_ip(s, n))
		return ADD(ev, "source.ip", s, n);
	return ADD(ev, "source.domain", s, n);
}

/* Consumes a decimal port and adds it. */
static int add_port(struct ky_event *ev, struct cur *c, bool dst)
{
	const char *s = c->p, *q = s, *e = c->e;
	int64_t v = 0;

	/* One pass: the value saturates above 65535, which is rejected
	 * whatever the digits that follow (leading zeros are allowed). */
	for (unsigned d; q < e && (d = (unsigned char)*q - '0') <= 9; q++)
		v = v * 10 + d > 65535 ? 65536 : v * 10 + d;
	c->p = q;
	if (q == s || v > 65535)
		return 0;
	if (dst)
		return ADDI(ev, "destination.port", s, (size_t)(q - s), v);
	return ADDI(ev, "source.port", s, (size_t)(q - s), v);
}

/* host_ok() and add_source(), an address checked once: 1, 0 or < 0. */
static int add_host(struct ky_event *ev, const char *s, size_t n)
{
	bool ip = ky__is_ip(s, n);
	int r;

	if (!ip && !host_ok(s, n))
		return 0;
	r = ip ? ADD(ev, "source.ip", s, n) : add_source(ev, s, n);
	return r < 0 ? r : 1;
}

static int add_outcome(struct ky_event *ev, bool ok)
{
	if (ok)
		return ADDL(ev, "event.outcome", "success");
	return ADDL(ev, "event.outcome", "failure");
}

/* ---- sshd ---- */

/* "[invalid user ]U from HOST[ port P]...": U may hold spaces (it is what
 * the client sent), so it ends at the last " from ". */
static int ssh_user_from(struct cur *c, struct ky_event *ev, bool invalid)
{
	const char *f, *h;
	size_t hn;
	int r = 0;

	if (EAT(c, "invalid user "))
		invalid = true;
	if ((f = rfind(c->p, left(c), " from ", 6)) == NULL)
		return 0;
	TRY(ADD(ev, "user.name", c->p, (size_t)(f - c->p)));
	c->p = f + 6;
	if ((hn = upto(c, ' ', &h)) == 0 || (r = add_host(ev, h, hn)) <= 0)
		return r;
	if (EAT(c, " port "))
		TRY(add_port(ev, c, false));
	if (invalid)
		TRY(ADDL(ev, "event.reason", "invalid user"));
	return 1;
}

static int p_ssh_auth(const struct ky__xtr *x, const char *msg, size_t n,
		      struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *m;
	size_t mn;
	bool ok = EAT(&c, "Accepted ");

	(void)x;
	if (!ok && !EAT(&c, "Failed "))
		return 0;
	if ((mn = upto(&c, ' ', &m)) == 0 || !EAT(&c, " for "))
		return 0;
	TRY(ADDL(ev, "event.category", "authentication"));
	TRY(ADDL(ev, "event.action", "ssh_login"));
	TRY(add_outcome(ev, ok));
	TRY(ADD(ev, "system.auth.ssh.method", m, mn));
	return ssh_user_from(&c, ev, false);
}

static int p_ssh_invalid(const struct ky__xtr *x, const char *msg, size_t n,
			 struct ky_event *ev)
{
	struct cur c = {msg, msg + n};

	(void)x;
	if (!EAT(&c, "Invalid user "))
		return 0;
	TRY(ADDL(ev, "event.category", "authentication"));
	TRY(ADDL(ev, "event.action", "ssh_invalid_user"));
	TRY(add_outcome(ev, false));
	return ssh_user_from(&c, ev, true);
}

static int p_ssh_maxauth(const struct ky__xtr *x, const char *msg, size_t n,
			 struct ky_event *ev)
{
	static const char k[] = "maximum authentication attempts exceeded for ";
	struct cur c = {msg, msg + n};

	(void)x;
	EAT(&c, "error: ");
	if (!eat(&c, k, sizeof(k) - 1))
		return 0;
	TRY(ADDL(ev, "event.category", "authentication"));
	TRY(ADDL(ev, "event.action", "ssh_max_auth_exceeded"));
	TRY(add_outcome(ev, false));
	return ssh_user_from(&c, ev, false);
}

/* "Disconnected from [authenticating |invalid ]user U IP port P",
 * "Connection closed by ... ", "Received disconnect from IP port P:11: ..."*/
static int p_ssh_disconnect(const struct ky__xtr *x, const char *msg, size_t n,
			    struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *h, *pp, *u;
	bool closed = false, invalid = false, user;
	int r;

	(void)x;
	if (EAT(&c, "Connection closed by "))
		closed = true;
	else if (!EAT(&c, "Disconnected from ") &&
		 !EAT(&c, "Received disconnect from "))
		return 0;
	if (EAT(&c, "invalid user "))
		invalid = user = true;
	else
		user = EAT(&c, "authenticating user ") || EAT(&c, "user ");
	u = c.p;
	if (user) {
		if ((pp = rfind(c.p, left(&c), " port ", 6)) == NULL)
			return 0;
		for (h = pp; h > u && h[-1] != ' ';)
			h--;
		if (h == u)
			return 0;
		TRY(ADD(ev, "user.name", u, (size_t)(h - 1 - u)));
	} else {
		h = c.p;
		if ((pp = memchr(h, ' ', left(&c))) == NULL ||
		    (size_t)(c.e - pp) < 6 || memcmp(pp, " port ", 6) != 0)
			return 0;
	}
	if ((r = add_host(ev, h, (size_t)(pp - h))) <= 0)
		return r;
	c.p = pp + 6;
	TRY(add_port(ev, &c, false));
	TRY(ADDL(ev, "event.category", "network"));
	if (closed)
		TRY(ADDL(ev, "event.action", "ssh_connection_closed"));
	else
		TRY(ADDL(ev, "event.action", "ssh_disconnect"));
	if (invalid)
		TRY(ADDL(ev, "event.reason", "invalid user"));
	return 1;
}

/* ---- PAM ---- */

/* "pam_MOD(SVC:KIND): " -> service name; c is left after the prefix. */
static bool pam_prefix(struct cur *c, const char *kind, size_t kn,
		       const char **svc, size_t *sn)
{
	const char *mod;

	if (!EAT(c, "pam_") || upto(c, '(', &mod) == 0 || !EAT(c, "("))
		return false;
	if ((*sn = upto(c, ':', svc)) == 0 || !EAT(c, ":"))
		return false;
	return eat(c, kind, kn) && EAT(c, "): ");
}

#define K(k, p)                                                                \
	{                                                                      \
		k, sizeof(k) - 1, p, sizeof(p) - 1                             \
	}

static const struct {
	const char *key;
	size_t kn;
	const char *path;
	size_t pn;
} pam_keys[] = {
	K("logname", "pam.logname"), K("uid", "pam.uid"),
	K("euid", "pam.euid"),	     K("tty", "pam.tty"),
	K("ruser", "pam.ruser"),     K("rhost", "pam.rhost"),
	K("user", "user.name"),
};

#undef K

static int p_pam_auth(const struct ky__xtr *x, const char *msg, size_t n,
		      struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *svc, *k, *v;
	size_t sn, kn, vn;

	(void)x;
	if (!pam_prefix(&c, "auth", 4, &svc, &sn) ||
	    !EAT(&c, "authentication failure;"))
		return 0;
	TRY(ADDL(ev, "event.category", "authentication"));
	TRY(ADDL(ev, "event.action", "authentication_failure"));
	TRY(add_outcome(ev, false));
	TRY(ADD(ev, "service.name", svc, sn));
	for (skip_spaces(&c); c.p < c.e; skip_spaces(&c)) {
		kn = upto(&c, '=', &k);
		if (!EAT(&c, "="))
			break;
		/* user= comes last and its value may hold spaces */
		if (kn == 4 && memcmp(k, "user", 4) == 0) {
			v = c.p;
			vn = left(&c);
			while (vn > 0 && v[vn - 1] == ' ')
				vn--;
			c.p = c.e;
		} else {
			vn = upto(&c, ' ', &v);
		}
		for (size_t i = 0;
		     vn > 0 && i < sizeof(pam_keys) / sizeof(pam_keys[0]);
		     i++) {
			if (pam_keys[i].kn != kn ||
			    memcmp(pam_keys[i].key, k, kn) != 0)
				continue;
			TRY(ky_event_add_str(ev, pam_keys[i].path,
					     pam_keys[i].pn, v, vn));
			if (kn == 5 && k[0] == 'r' && k[1] == 'h' &&
			    host_ok(v, vn))
				TRY(add_source(ev, v, vn));
		}
	}
	return 1;
}

/* "session opened for user U[(uid=N)] by [V](uid=M)", "session closed for
 * user U" */
static int p_pam_session(const struct ky__xtr *x, const char *msg, size_t n,
			 struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *svc, *u, *v;
	size_t sn, un, vn;
	bool opened;

	(void)x;
	if (!pam_prefix(&c, "session", 7, &svc, &sn) || !EAT(&c, "session "))
		return 0;
	opened = EAT(&c, "opened");
	if (!opened && !EAT(&c, "closed"))
		return 0;
	if (!EAT(&c, " for user "))
		return 0;
	for (u = c.p; c.p < c.e && *c.p != ' ' && *c.p != '(';)
		c.p++;
	if ((un = (size_t)(c.p - u)) == 0)
		return 0;
	TRY(ADDL(ev, "event.category", "session"));
	if (opened)
		TRY(ADDL(ev, "event.action", "session_opened"));
	else
		TRY(ADDL(ev, "event.action", "session_closed"));
	TRY(add_outcome(ev, true));
	TRY(ADD(ev, "service.name", svc, sn));
	TRY(ADD(ev, "user.name", u, un));
	if (EAT(&c, "(uid=")) {
		vn = upto(&c, ')', &v);
		if (all_digits(v, vn))
			TRY(ADD(ev, "user.id", v, vn));
		EAT(&c, ")");
	}
	if (EAT(&c, " by ")) {
		for (v = c.p; c.p < c.e && *c.p != ' ' && *c.p != '(';)
			c.p++;
		if ((vn = (size_t)(c.p - v)) > 0)
			TRY(ADD(ev, "pam.by", v, vn));
	}
	return 1;
}

/* ---- sudo, su ---- */

static const struct {
	const char *key, *path;
} sudo_keys[] = {
	{"TTY=", "sudo.tty"},
	{"PWD=", "process.working_directory"},
	{"USER=", "user.effective.name"},
	{"GROUP=", "user.effective.group.name"},
	{"TSID=", "sudo.tsid"},
	{"ENV=", "sudo.env"},
};

/* "U : [REASON ; ]TTY=t ; PWD=d ; USER=root ; COMMAND=cmd" */
static int p_sudo(const struct ky__xtr *x, const char *msg, size_t n,
		  struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *u, *seg, *end, *reason = NULL;
	size_t un, sl = 0;
	bool tty = false;

	(void)x;
	skip_spaces(&c);
	if ((un = upto(&c, ' ', &u)) == 0 || !EAT(&c, " : "))
		return 0;
	TRY(ADD(ev, "user.name", u, un));
	for (bool first = true; c.p < c.e; first = false) {
		seg = c.p;
		if (EAT(&c, "COMMAND=")) {
			const char *sp = memchr(c.p, ' ', left(&c));
			TRY(ADD(ev, "process.command_line", c.p, left(&c)));
			TRY(ADD(ev, "process.executable", c.p,
				(size_t)((sp ? sp : c.e) - c.p)));
			break;
		}
		end = memmem(c.p, left(&c), " ; ", 3);
		c.p = end ? end + 3 : c.e;
		size_t i, len = (size_t)((end ? end : c.e) - seg);
		for (i = 0; i < sizeof(sudo_keys) / sizeof(sudo_keys[0]); i++) {
			size_t kl = strlen(sudo_keys[i].key);
			if (len >= kl && memcmp(seg, sudo_keys[i].key, kl) == 0)
				break;
		}
		if (i < sizeof(sudo_keys) / sizeof(sudo_keys[0])) {
			size_t kl = strlen(sudo_keys[i].key);
			tty |= i == 0;
			TRY(ky_event_add_str(ev, sudo_keys[i].path,
					     strlen(sudo_keys[i].path),
					     seg + kl, len - kl));
		} else if (first) {
			reason = seg;
			sl = len;
		}
	}
	if (!tty)
		return 0;
	TRY(ADDL(ev, "event.category", "process"));
	if (reason == NULL) {
		TRY(ADDL(ev, "event.action", "sudo_command"));
	} else {
		TRY(ADD(ev, "event.reason", reason, sl));
		if (memmem(reason, sl, "incorrect password", 18) ||
		    memmem(reason, sl, "authentication failure", 22))
			TRY(ADDL(ev, "event.action", "sudo_auth_failure"));
		else
			TRY(ADDL(ev, "event.action", "sudo_denied"));
	}
	TRY(add_outcome(ev, reason == NULL));
	return 1;
}

/* util-linux "[FAILED SU ](to T) U on TTY" and shadow "FAILED su for T by
 * U" / "Successful su for T by U". */
static int p_su(const struct ky__xtr *x, const char *msg, size_t n,
		struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *t, *u, *tty = NULL;
	size_t tn, un, ttyn = 0;
	bool ok;

	(void)x;
	if (EAT(&c, "FAILED su for ") || EAT(&c, "Successful su for ")) {
		ok = msg[0] == 'S';
		if ((tn = upto(&c, ' ', &t)) == 0 || !EAT(&c, " by "))
			return 0;
		un = upto(&c, ' ', &u);
	} else {
		ok = !EAT(&c, "FAILED SU ");
		if (!EAT(&c, "(to ") || (tn = upto(&c, ')', &t)) == 0 ||
		    !EAT(&c, ") "))
			return 0;
		un = upto(&c, ' ', &u);
		if (EAT(&c, " on "))
			ttyn = upto(&c, ' ', &tty);
	}
	if (un == 0)
		return 0;
	TRY(ADDL(ev, "event.category", "authentication"));
	TRY(ADDL(ev, "event.action", "su"));
	TRY(add_outcome(ev, ok));
	TRY(ADD(ev, "user.name", u, un));
	TRY(ADD(ev, "user.effective.name", t, tn));
	if (ttyn > 0)
		TRY(ADD(ev, "su.tty", tty, ttyn));
	return 1;
}

/* Lower-case copy into the arena (audit record types, PROTO=TCP). */
static const char *lower(struct ky_event *ev, const char *s, size_t n)
{
	char *d;

	if (ev->arena == NULL || (d = ky_arena_alloc(ev->arena, n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	d[n] = '\0';
	return d;
}

/* ---- Linux audit ---- */

/* Keys whose values auditd writes hex-encoded when unquoted. */
static bool audit_encoded(const char *k, size_t kn, bool execve)
{
	static const char *const keys[] = {
		"acct", "cmd",	    "comm",	"cwd",	    "data",	 "dir",
		"exe",	"file",	    "grp",	"key",	    "name",	 "new",
		"old",	"path",	    "ocomm",	"watch",    "proctitle", "vm",
		"sw",	"root_dir", "new-disk", "old-disk",
	};

	if (execve && kn >= 2 && k[0] == 'a' && all_digits(k + 1, kn - 1))
		return true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == kn && memcmp(keys[i], k, kn) == 0)
			return true;
	return false;
}

static bool is_hexstr(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
		      (c >= 'a' && c <= 'f')))
			return false;
	}
	return n >= 2 && n % 2 == 0;
}

/* Hex to bytes in the arena; NULs (argv separators in proctitle) become
 * spaces and trailing ones are dropped. */
static const char *unhex(struct ky_event *ev, const char *s, size_t n,
			 size_t *out)
{
	char *d;
	size_t j = 0;

	if (ev->arena == NULL ||
	    (d = ky_arena_alloc(ev->arena, n / 2 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned hi = (unsigned)(s[i] <= '9' ? s[i] - '0'
						     : (s[i] | 32) - 'a' + 10);
		unsigned lo = (unsigned)(s[i + 1] <= '9'
						 ? s[i + 1] - '0'
						 : (s[i + 1] | 32) - 'a' + 10);
		d[j++] = (char)(hi * 16 + lo);
		if (d[j - 1] == '\0')
			d[j - 1] = ' ';
	}
	while (j > 0 && d[j - 1] == ' ')
		j--;
	d[j] = '\0';
	*out = j;
	return d;
}

static const struct {
	const char *key, *path;
	bool isint;
} audit_map[] = {
	{"pid", "process.pid", true},
	{"ppid", "process.parent.pid", true},
	{"uid", "user.id", false},
	{"auid", "user.audit.id", false},
	{"euid", "user.effective.id", false},
	{"gid", "user.group.id", false},
	{"comm", "process.name", false},
	{"exe", "process.executable", false},
	{"proctitle", "process.title", false},
	{"cwd", "process.working_directory", false},
	{"acct", "user.name", false},
};

/* "audit(1364481363.243:24287):" -> event time and auditd.sequence */
static int audit_stamp(struct ky_event *ev, const char *v, size_t vn)
{
	struct cur c = {v, v + vn};
	const char *s, *f = NULL, *q;
	size_t sn, fn = 0, qn;
	int64_t sec, frac = 0, seq;

	if (!EAT(&c, "audit("))
		return 0;
	for (s = c.p; c.p < c.e && *c.p >= '0' && *c.p <= '9';)
		c.p++;
	sn = (size_t)(c.p - s);
	if (EAT(&c, "."))
		for (f = c.p; c.p < c.e && *c.p >= '0' && *c.p <= '9';)
			fn = (size_t)(++c.p - f);
	if (!EAT(&c, ":") || (qn = upto(&c, ')', &q)) == 0)
		return 0;
	if (!ky__parse_int(s, sn, &sec) || sn > 10 ||
	    sec > INT64_MAX / KY_NS_PER_SEC - 1 || fn > 9 ||
	    (fn > 0 && !ky__parse_int(f, fn, &frac)) ||
	    !ky__parse_int(q, qn, &seq))
		return 0;
	for (size_t i = fn; i < 9; i++)
		frac *= 10;
	ev->time_ns = sec * KY_NS_PER_SEC + frac;
	TRY(ADDI(ev, "auditd.sequence", q, qn, seq));
	return 1;
}

static int audit_field(struct ky_event *ev, const char *k, size_t kn,
		       const char *v, size_t vn)
{
	char *path;

	if (kn > 64 || ev->arena == NULL ||
	    (path = ky_arena_alloc(ev->arena, kn + 7)) == NULL)
		return kn > 64 ? 0 : KY_E_NOMEM;
	memcpy(path, "auditd.", 7);
	memcpy(path + 7, k, kn);
	TRY(ky_event_add_str(ev, path, kn + 7, v, vn));
	if ((vn == 1 && v[0] == '?') || (vn == 6 && !memcmp(v, "(null)", 6)))
		return 0;
	if ((kn == 3 && !memcmp(k, "res", 3)) ||
	    (kn == 7 && !memcmp(k, "success", 7))) {
		bool ok = (vn == 7 && !memcmp(v, "success", 7)) ||
			  (vn == 3 && !memcmp(v, "yes", 3));
		return add_outcome(ev, ok);
	}
	if (kn == 4 && !memcmp(k, "addr", 4) && ky__is_ip(v, vn))
		return ADD(ev, "source.ip", v, vn);
	for (size_t i = 0; i < sizeof(audit_map) / sizeof(audit_map[0]); i++) {
		const char *p = audit_map[i].path;
		int64_t iv;
		if (strlen(audit_map[i].key) != kn ||
		    memcmp(audit_map[i].key, k, kn) != 0)
			continue;
		if (!audit_map[i].isint)
			return ky_event_add_str(ev, p, strlen(p), v, vn);
		if (ky__parse_int(v, vn, &iv))
			return ky__add_int(ev, p, strlen(p), v, vn, iv);
	}
	return 0;
}

/* key=value pairs; depth 1 is the quoted msg='...' of user-space records. */
static int audit_pairs(struct ky_event *ev, const char *p, size_t n,
		       bool *execve, int depth, bool *stamp)
{
	struct cur c = {p, p + n};
	const char *k, *v;
	size_t kn, vn;

	while (c.p < c.e) {
		char q = 0;

		while (c.p < c.e && (*c.p == ' ' || *c.p == 0x1d))
			c.p++;
		for (k = c.p; c.p < c.e && *c.p != '=' && *c.p != ' ';)
			c.p++;
		kn = (size_t)(c.p - k);
		if (!EAT(&c, "=") || kn == 0)
			continue;
		if (c.p < c.e && (*c.p == '"' || *c.p == '\'')) {
			q = *c.p++;
			vn = upto(&c, q, &v);
			c.p += c.p < c.e;
		} else {
			for (v = c.p; c.p < c.e && *c.p != ' ' && *c.p != 0x1d;)
				c.p++;
			vn = (size_t)(c.p - v);
		}
		if (depth == 0 && kn == 3 && !memcmp(k, "msg", 3)) {
			if (q == '\'') {
				TRY(audit_pairs(ev, v, vn, execve, 1, stamp));
				continue;
			}
			/* Only an unquoted stamp: the prefilter looks for
			 * "msg=audit(" and a program-indexed message skips
			 * the prefilter, so both must accept the same. */
			if (!*stamp && q == 0) {
				int r = audit_stamp(ev, v, vn);
				if (r < 0)
					return r;
				*stamp = r == 1;
				continue;
			}
		}
		if (depth == 0 && kn == 4 && !memcmp(k, "type", 4)) {
			const char *a = lower(ev, v, vn);
			if (a == NULL)
				return KY_E_NOMEM;
			*execve = vn == 6 && !memcmp(v, "EXECVE", 6);
			TRY(ADD(ev, "event.action", a, vn));
		}
		if (q == 0 && audit_encoded(k, kn, *execve) &&
		    is_hexstr(v, vn) && (v = unhex(ev, v, vn, &vn)) == NULL)
			return KY_E_NOMEM;
		TRY(audit_field(ev, k, kn, v, vn));
	}
	return 0;
}

static int p_audit(const struct ky__xtr *x, const char *msg, size_t n,
		   struct ky_event *ev)
{
	bool execve = false, stamp = false;

	(void)x;
	if (!(n > 5 && !memcmp(msg, "type=", 5)) &&
	    !(n > 5 && !memcmp(msg, "node=", 5)))
		return 0;
	TRY(audit_pairs(ev, msg, n, &execve, 0, &stamp));
	return stamp ? 1 : 0;
}

/* ---- access logs (common / combined) ---- */

/* After an opening quote: the inside up to the closing quote, skipping
 * backslash escapes; c is left after the closing quote. */
static bool quoted(struct cur *c, const char **s, size_t *n)
{
	const char *p;

	for (p = c->p; p < c->e && *p != '"'; p++)
		if (*p == '\\')
			p++;
	if (p >= c->e)
		return false;
	*s = c->p;
	*n = (size_t)(p - c->p);
	c->p = p + 1;
	return true;
}

static int add_quoted(struct ky_event *ev, const char *path, size_t pl,
		      const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '-'))
		return 0;
	if ((s = ky__unescape(ev, s, n, &n)) == NULL)
		return KY_E_NOMEM;
	return ky_event_add_str(ev, path, pl, s, n);
}

static int p_access(const struct ky__xtr *x, const char *msg, size_t n,
		    struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *h, *u, *t, *rq, *st, *b, *s;
	size_t hn, un, tn, rn, bn, sn;
	int64_t ns, status, bytes;

	(void)x;
	/* The host first: on other programs' messages it fails soonest. */
	if ((hn = upto(&c, ' ', &h)) == 0 ||
	    !(host_ok(h, hn) || (hn == 1 && h[0] == '-')) || !EAT(&c, " ") ||
	    upto(&c, ' ', &u) == 0 || !EAT(&c, " ") ||
	    (un = upto(&c, ' ', &u)) == 0 || !EAT(&c, " [") ||
	    (tn = upto(&c, ']', &t)) == 0 || !EAT(&c, "] \"") ||
	    ky_time_parse_clf(t, tn, &ns) != 0 || !quoted(&c, &rq, &rn) ||
	    !EAT(&c, " "))
		return 0;
	st = c.p;
	if (left(&c) < 3 || !all_digits(st, 3) ||
	    !ky__parse_int(st, 3, &status))
		return 0;
	c.p += 3;
	if (!EAT(&c, " ") || (bn = upto(&c, ' ', &b)) == 0 ||
	    (!(bn == 1 && b[0] == '-') && !all_digits(b, bn)))
		return 0;
	ev->time_ns = ns;
	TRY(ADDL(ev, "event.category", "web"));
	TRY(add_source(ev, h, hn));
	if (!(un == 1 && u[0] == '-'))
		TRY(ADD(ev, "user.name", u, un));
	if ((rq = ky__unescape(ev, rq, rn, &rn)) == NULL)
		return KY_E_NOMEM;
	const char *sp1 = memchr(rq, ' ', rn);
	const char *sp2 = rfind(rq, rn, " HTTP/", 6);
	if (sp1 != NULL && sp2 != NULL && sp2 > sp1) {
		TRY(ADD(ev, "http.request.method", rq, (size_t)(sp1 - rq)));
		TRY(ADD(ev, "url.original", sp1 + 1, (size_t)(sp2 - sp1 - 1)));
		TRY(ADD(ev, "http.version", sp2 + 6,
			(size_t)(rq + rn - sp2 - 6)));
	}
	TRY(ADDI(ev, "http.response.status_code", st, 3, status));
	if (ky__parse_int(b, bn, &bytes))
		TRY(ADDI(ev, "http.response.body.bytes", b, bn, bytes));
	TRY(add_outcome(ev, status < 400));
	if (EAT(&c, " \"") && quoted(&c, &s, &sn)) {
		TRY(add_quoted(ev, "http.request.referrer", 21, s, sn));
		if (EAT(&c, " \"") && quoted(&c, &s, &sn))
			TRY(add_quoted(ev, "user_agent.original", 19, s, sn));
	}
	return 1;
}

/* ---- netfilter ---- */

static const struct {
	const char *key, *path;
	bool isint;
	bool ip_header; /* only before PROTO=: later it is the transport's */
} nf_keys[] = {
	{"IN", "observer.ingress.interface.name", false, false},
	{"OUT", "observer.egress.interface.name", false, false},
	{"SRC", "source.ip", false, true},
	{"DST", "destination.ip", false, true},
	{"LEN", "iptables.length", true, true},
	{"TTL", "iptables.ttl", true, true},
	{"HOPLIMIT", "iptables.ttl", true, true},
	{"ID", "iptables.id", false, true},
	{"WINDOW", "iptables.tcp.window", true, false},
	{"TYPE", "iptables.icmp.type", true, false},
	{"CODE", "iptables.icmp.code", true, false},
	{"MARK", "iptables.mark", false, false},
};

/* MAC=dst(17):src(17):type -> ECS form "AA-BB-..." */
static int nf_mac(struct ky_event *ev, const char *v, size_t vn)
{
	char *d;

	if (vn < 35 || v[17] != ':' || ev->arena == NULL)
		return 0;
	if ((d = ky_arena_alloc(ev->arena, 34)) == NULL)
		return KY_E_NOMEM;
	for (size_t i = 0; i < 35; i++) {
		char ch = v[i];
		if (i == 17)
			continue;
		ch = ch == ':' ? '-' : ch;
		d[i < 17 ? i : i - 1] =
			(char)(ch >= 'a' && ch <= 'f' ? ch - 32 : ch);
	}
	TRY(ADD(ev, "destination.mac", d, 17));
	return ADD(ev, "source.mac", d + 17, 17);
}

static int nf_prefix(struct ky_event *ev, const char *p, size_t n)
{
	/* kernel ring-buffer stamp "[12345.678901] " when logged raw */
	if (n > 0 && p[0] == '[' && n > 1 && p[1] >= ' ' && p[1] <= '9') {
		const char *e = memchr(p, ']', n);
		if (e != NULL &&
		    (p[1] == ' ' || (p[1] >= '0' && p[1] <= '9'))) {
			n -= (size_t)(e + 1 - p);
			p = e + 1;
		}
	}
	while (n > 0 && p[0] == ' ')
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == ':'))
		n--;
	if (n == 0 || p == NULL) /* p != NULL: tells gcc's -Wnonnull */
		return 0;
	TRY(ADD(ev, "iptables.prefix", p, n));
	if (memmem(p, n, "BLOCK", 5) || memmem(p, n, "DROP", 4) ||
	    memmem(p, n, "REJECT", 6) || memmem(p, n, "DENY", 4))
		return ADDL(ev, "event.action", "blocked");
	if (memmem(p, n, "ALLOW", 5) || memmem(p, n, "ACCEPT", 6))
		return ADDL(ev, "event.action", "allowed");
	return 0;
}

static int p_netfilter(const struct ky__xtr *x, const char *msg, size_t n,
		       struct ky_event *ev)
{
	struct cur c = {msg, msg + n};
	const char *in = NULL, *t, *fl = NULL, *fe = NULL;
	size_t tn;
	bool src = false, proto = false;
	uint32_t seen = 0; /* nf_keys met: the first of each counts */

	(void)x;
	for (const char *q = msg;
	     (q = memmem(q, n - (size_t)(q - msg), "IN=", 3)) != NULL; q++) {
		if (q == msg || q[-1] == ' ') {
			in = q;
			break;
		}
	}
	if (in == NULL)
		return 0;
	TRY(ADDL(ev, "event.category", "network"));
	TRY(nf_prefix(ev, msg, (size_t)(in - msg)));
	for (c.p = in; c.p < c.e; skip_spaces(&c)) {
		const char *eq;
		tn = upto(&c, ' ', &t);
		if ((eq = memchr(t, '=', tn)) == NULL) {
			if (!(tn == 2 &&
			      (!memcmp(t, "DF", 2) || !memcmp(t, "MF", 2) ||
			       !memcmp(t, "CE", 2)))) {
				fl = fl && fe + 1 == t ? fl : t;
				fe = t + tn;
			}
			continue;
		}
		size_t kn = (size_t)(eq - t), vn = tn - kn - 1;
		const char *v = eq + 1;
		if (kn == 3 && (!memcmp(t, "SPT", 3) || !memcmp(t, "DPT", 3))) {
			struct cur pc = {v, v + vn};
			TRY(add_port(ev, &pc, t[0] == 'D'));
		} else if (kn == 5 && !memcmp(t, "PROTO", 5) && vn > 0) {
			if ((v = lower(ev, v, vn)) == NULL)
				return KY_E_NOMEM;
			TRY(ADD(ev, "network.transport", v, vn));
			/* What follows is the transport header: its LEN (UDP)
			 * and ID (ICMP echo) are not the IP header's. */
			proto = true;
		} else if (kn == 3 && !memcmp(t, "MAC", 3)) {
			TRY(nf_mac(ev, v, vn));
		}
		for (size_t i = 0;
		     vn > 0 && i < sizeof(nf_keys) / sizeof(nf_keys[0]); i++) {
			const char *p = nf_keys[i].path;
			int64_t iv;
			if (strlen(nf_keys[i].key) != kn ||
			    memcmp(nf_keys[i].key, t, kn) != 0)
				continue;
			if ((proto && nf_keys[i].ip_header) ||
			    (seen & (1u << i)))
				break;
			seen |= 1u << i;
			if (i == 2 && ky__is_ip(v, vn)) {
				src = true;
				TRY(ADD(ev, "network.type",
					memchr(v, ':', vn) ? "ipv6" : "ipv4",
					4));
			}
			if (nf_keys[i].isint && ky__parse_int(v, vn, &iv))
				TRY(ky__add_int(ev, p, strlen(p), v, vn, iv));
			else if (!nf_keys[i].isint)
				TRY(ky_event_add_str(ev, p, strlen(p), v, vn));
			break;
		}
	}
	if (fl != NULL)
		TRY(ADD(ev, "iptables.tcp.flags", fl, (size_t)(fe - fl)));
	return src ? 1 : 0;
}

/* ---- the extractor set ---- */

#define SSHD "sshd|sshd-session|sshd-auth"

/* Prefilters are literals ('\n' between alternatives), not regexes: a
 * literal set scans several times faster, and the parsers check the rest. */
#define X(n, progs, lits, fst, fn)                                             \
	{                                                                      \
		.name = n, .programs = progs, .prefilter = lits, .first = fst, \
		.parse = fn                                                    \
	}

const struct ky__xtr ky__builtins[] = {
	X("sshd_auth", SSHD, "Accepted \nFailed ", "AF", p_ssh_auth),
	X("sshd_invalid_user", SSHD, "Invalid user ", "I", p_ssh_invalid),
	X("sshd_disconnect", SSHD,
	  "Disconnected from \nConnection closed by \nReceived disconnect "
	  "from ",
	  "CDR", p_ssh_disconnect),
	X("sshd_max_auth", SSHD, "maximum authentication attempts exceeded",
	  "em", p_ssh_maxauth),
	X("pam_auth_failure", NULL, ":auth): authentication failure;", "p",
	  p_pam_auth),
	X("pam_session", NULL, ":session): session ", "p", p_pam_session),
	X("sudo", "sudo", "TTY=", NULL, p_sudo),
	X("su", "su", "(to \n su for ", "FS(", p_su),
	/* no leading space: 0x1d or a closing quote may stand before msg= */
	X("audit", NULL, "msg=audit(", "tn", p_audit),
	X("access_log", NULL, "] \"", NULL, p_access),
	X("netfilter", "kernel|ulogd", "IN=", NULL, p_netfilter),
};

#undef X

const size_t ky__nbuiltins = sizeof(ky__builtins) / sizeof(ky__builtins[0]);
