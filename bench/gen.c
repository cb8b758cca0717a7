/* Generators for bench_ingest (see gen.h): string building through ky_buf
 * with snprintf-style formats; speed does not matter here, the data is made
 * once before any timing. */
#include <inttypes.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <stdbool.h>

#include "base/hash.h"
#include "gen.h"

const char *const bench_kind_names[K_NKINDS] = {
	"Failed password",	  "Failed password invalid user",
	"Accepted publickey",	  "Accepted password",
	"Invalid user",		  "Disconnected from user",
	"Disconnected auth user", "Connection closed preauth",
	"pam_unix session",	  "kex_exchange_identification",
};

uint64_t bench_rng_state;

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t rnd(void)
{
	uint64_t z = (bench_rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

void bench_die(const char *what)
{
	fprintf(stderr, "bench_ingest: %s\n", what);
	exit(2);
}

static void addf(struct ky_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void addf(struct ky_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (ky_buf_vaddf(b, fmt, ap) != 0)
		bench_die("out of memory generating data");
	va_end(ap);
}

void bench_corpus_init(struct bench_corpus *c, size_t n, size_t avg)
{
	ky_buf_init(&c->b, 0);
	if (ky_buf_reserve(&c->b, n * avg) != 0)
		bench_die("out of memory");
	c->off = malloc(n * sizeof(*c->off));
	c->len = malloc(n * sizeof(*c->len));
	if (c->off == NULL || c->len == NULL)
		bench_die("out of memory");
	c->n = 0;
	c->cap = n;
}

static void corpus_end_record(struct bench_corpus *c, size_t start)
{
	c->off[c->n] = start;
	c->len[c->n] = (uint32_t)(c->b.len - start);
	c->n++;
	if (ky_buf_addc(&c->b, '\n') != 0)
		bench_die("out of memory");
}

void bench_corpus_free(struct bench_corpus *c)
{
	ky_buf_free(&c->b);
	free(c->off);
	free(c->len);
}

static const char *const users[] = {
	"root",	   "admin", "alice",  "bob",	 "carol",   "dave",
	"oracle",  "git",   "ubuntu", "deploy",	 "backup",  "postgres",
	"jenkins", "test",  "guest",  "svc_web", "mallory", "ftpuser",
};
#define NUSERS (sizeof(users) / sizeof(users[0]))

static const char *const hosts[] = {
	"web-01", "web-02", "db-01", "bastion", "mail", "vpn-gw", "ci-runner",
};
#define NHOSTS (sizeof(hosts) / sizeof(hosts[0]))

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* An address as sshd prints it: mostly IPv4, one in ten IPv6. */
static void gen_ip(struct ky_buf *b)
{
	if (rndn(10) == 0)
		addf(b, "2001:db8:%x::%x", rndn(0x10000), 1 + rndn(0xfffe));
	else
		addf(b, "%u.%u.%u.%u", 1 + rndn(223), rndn(256), rndn(256),
		     1 + rndn(254));
}

void bench_gen_sshd(struct bench_corpus *c, struct bench_sshd_truth *t)
{
	struct ky_buf *b = &c->b;
	size_t start = b->len;
	unsigned r = rndn(100);
	enum sshd_kind k;
	const char *user = users[rndn(NUSERS)];
	unsigned port = 1024 + rndn(64000);
	size_t ip_at = 0, ip_end = 0, user_at = 0;

	/* Brute force dominates real sshd logs. */
	if (r < 35)
		k = K_FAILED_PW;
	else if (r < 45)
		k = K_FAILED_INVALID;
	else if (r < 55)
		k = K_ACCEPTED_KEY;
	else if (r < 60)
		k = K_ACCEPTED_PW;
	else if (r < 72)
		k = K_INVALID_USER;
	else if (r < 78)
		k = K_DISCONNECTED;
	else if (r < 84)
		k = K_DISCONNECTED_AUTH;
	else if (r < 90)
		k = K_CLOSED_PREAUTH;
	else if (r < 97)
		k = K_PAM_SESSION;
	else
		k = K_KEX_ERROR;

	/* auth (4) * 8 + info (6) = 38, some authpriv (10) * 8 + 6 = 86 */
	addf(b, "<%u>%s %2u %02u:%02u:%02u %s sshd[%u]: ",
	     rndn(4) == 0 ? 86u : 38u, months[3], 1 + rndn(30), rndn(24),
	     rndn(60), rndn(60), hosts[rndn(NHOSTS)], 300 + rndn(60000));

#define USER()                                                                 \
	do {                                                                   \
		user_at = b->len;                                              \
		addf(b, "%s", user);                                           \
	} while (0)
#define IP()                                                                   \
	do {                                                                   \
		ip_at = b->len;                                                \
		gen_ip(b);                                                     \
		ip_end = b->len;                                               \
	} while (0)

	switch (k) {
	case K_FAILED_PW:
		addf(b, "Failed password for ");
		USER();
		addf(b, " from ");
		IP();
		addf(b, " port %u ssh2", port);
		break;
	case K_FAILED_INVALID:
		addf(b, "Failed password for invalid user ");
		USER();
		addf(b, " from ");
		IP();
		addf(b, " port %u ssh2", port);
		break;
	case K_ACCEPTED_KEY:
		addf(b, "Accepted publickey for ");
		USER();
		addf(b, " from ");
		IP();
		addf(b,
		     " port %u ssh2: ED25519 SHA256:%016" PRIx64 "%016" PRIx64,
		     port, rnd(), rnd());
		break;
	case K_ACCEPTED_PW:
		addf(b, "Accepted password for ");
		USER();
		addf(b, " from ");
		IP();
		addf(b, " port %u ssh2", port);
		break;
	case K_INVALID_USER:
		addf(b, "Invalid user ");
		USER();
		addf(b, " from ");
		IP();
		addf(b, " port %u", port);
		break;
	case K_DISCONNECTED:
		addf(b, "Disconnected from user ");
		USER();
		addf(b, " ");
		IP();
		addf(b, " port %u", port);
		break;
	case K_DISCONNECTED_AUTH:
		addf(b, "Disconnected from authenticating user ");
		USER();
		addf(b, " ");
		IP();
		addf(b, " port %u [preauth]", port);
		break;
	case K_CLOSED_PREAUTH:
		addf(b, "Connection closed by ");
		IP();
		addf(b, " port %u [preauth]", port);
		break;
	case K_PAM_SESSION:
		addf(b, "pam_unix(sshd:session): session opened for user ");
		USER();
		addf(b, "(uid=%u) by (uid=0)", 1000 + rndn(100));
		break;
	case K_KEX_ERROR:
		addf(b, "error: kex_exchange_identification: Connection "
			"closed by remote host");
		break;
	default:
		break;
	}
#undef USER
#undef IP
	memset(t, 0, sizeof(*t));
	t->kind = (uint8_t)k;
	if (ip_end > ip_at) {
		t->ip_off = (uint16_t)(ip_at - start);
		t->ip_len = (uint8_t)(ip_end - ip_at);
		t->port = (uint16_t)port;
	}
	if (user_at) {
		t->user_off = (uint16_t)(user_at - start);
		t->user_len = (uint8_t)strlen(user);
	}
	corpus_end_record(c, start);
}

static const char *const actions[] = {
	"logon-failed",	      "logon",	      "process-started",
	"network-connection", "file-created", "registry-set",
};
static const char *const procs[] = {
	"powershell.exe", "cmd.exe", "rundll32.exe", "svchost.exe",
	"bash",		  "python3", "curl",	     "sshd",
};

/* A command line with the escapes real events carry: quotes and
 * backslashes, sometimes a tab or a non-ASCII name (\u00e9). */
static void gen_cmdline(struct ky_buf *b, const char *proc)
{
	switch (rndn(4)) {
	case 0:
		addf(b,
		     "\"%s -nop -w hidden -c \\\"IEX (New-Object "
		     "Net.WebClient)\\\"\"",
		     proc);
		break;
	case 1:
		addf(b,
		     "\"C:\\\\Windows\\\\System32\\\\%s /c dir "
		     "C:\\\\Users\\\\Ren\\u00e9\"",
		     proc);
		break;
	case 2:
		addf(b,
		     "\"/usr/bin/%s -s\\t-o /tmp/.x%u https://%u.example/p\"",
		     proc, rndn(1000), rndn(100));
		break;
	default:
		addf(b, "\"%s --id=%" PRIu64 "\"", proc, rnd() % 1000000);
		break;
	}
}

/* One ECS-like security event of ~430 bytes: nested objects, arrays,
 * integers, floats, booleans, null, escapes.  Every event has event.action
 * and user.name (the record-path check relies on it). */
void bench_gen_json(struct bench_corpus *c)
{
	struct ky_buf *b = &c->b;
	size_t start = b->len;
	unsigned a = rndn(sizeof(actions) / sizeof(actions[0]));
	const char *proc = procs[rndn(sizeof(procs) / sizeof(procs[0]))];

	addf(b,
	     "{\"@timestamp\":\"2024-04-%02uT%02u:%02u:%02u.%03uZ\","
	     "\"event\":{\"category\":[\"%s\"],"
	     "\"action\":\"%s\",\"outcome\":\"%s\",\"code\":%u,"
	     "\"risk_score\":%u.%u},",
	     1 + rndn(30), rndn(24), rndn(60), rndn(60), rndn(1000),
	     a < 2 ? "authentication" : "process", actions[a],
	     a == 0 ? "failure" : "success", 4624 + rndn(20), rndn(100),
	     rndn(10));
	addf(b, "\"host\":{\"name\":\"%s\",\"os\":{\"family\":\"%s\"}},",
	     hosts[rndn(NHOSTS)], rndn(2) ? "windows" : "linux");
	addf(b, "\"source\":{\"ip\":\"");
	gen_ip(b);
	addf(b, "\",\"port\":%u},", 1024 + rndn(64000));
	addf(b, "\"user\":{\"name\":\"%s\",\"domain\":%s},",
	     users[rndn(NUSERS)], rndn(3) ? "\"CORP\"" : "null");
	addf(b, "\"process\":{\"pid\":%u,\"name\":\"%s\",\"command_line\":",
	     1 + rndn(65535), proc);
	gen_cmdline(b, proc);
	addf(b, "},\"tags\":[\"edr\",\"%s\"],\"sampled\":%s}",
	     rndn(2) ? "prod" : "lab", rndn(2) ? "true" : "false");
	corpus_end_record(c, start);
}

/* ---- bench_ioc: indicators and events (see gen.h) ---- */

/* Shares in 1/1000 of the set: 40% addresses, 40% names, 20% hashes. */
static const unsigned gshare[G_KINDS] = {300, 80, 8, 2, 10, 360, 40, 200};
const char *const bench_gkind_names[G_KINDS] = {
	"IPv4",	    "IPv6",   "IPv4 /24", "IPv4 /16",
	"IPv6 /64", "domain", "*.zone",	  "SHA-256"};
static const char *const tlds[] = {"com", "net", "org", "info", "biz",
				   "ru",  "top", "xyz", "io",	"cn"};

static void ioc_label(char *out, size_t lo, size_t hi)
{
	size_t n = lo + rndn((unsigned)(hi - lo + 1));

	for (size_t i = 0; i < n; i++)
		out[i] = (char)('a' + rndn(26));
	out[n] = '\0';
}

static void hex64(char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (int i = 0; i < 64; i++)
		out[i] = hx[rndn(16)];
	out[64] = '\0';
}

static void gen_value(enum bench_gkind k, char *v, size_t cap)
{
	char a[20], b[20];

	switch (k) {
	case G_IP4:
		snprintf(v, cap, "%u.%u.%u.%u", 100 + rndn(70), rndn(256),
			 rndn(256), 1 + rndn(254));
		break;
	case G_IP6:
		snprintf(v, cap, "2001:db8:a:%x:%x::%x", 1 + rndn(0xfffe),
			 1 + rndn(0xfffe), 1 + rndn(0xfffe));
		break;
	case G_NET24:
		snprintf(v, cap, "%u.%u.%u.0/24", 200 + rndn(24), rndn(256),
			 rndn(256));
		break;
	case G_NET16:
		snprintf(v, cap, "%u.%u.0.0/16", 200 + rndn(24), rndn(256));
		break;
	case G_NET64:
		snprintf(v, cap, "2001:db8:c:%x::/64", 1 + rndn(0xfffe));
		break;
	case G_DOM:
		ioc_label(a, 6, 12);
		if (rndn(4) == 0) {
			ioc_label(b, 3, 8);
			snprintf(v, cap, "%s.%s.%s", b, a,
				 tlds[rndn(sizeof(tlds) / sizeof(tlds[0]))]);
		} else {
			snprintf(v, cap, "%s.%s", a,
				 tlds[rndn(sizeof(tlds) / sizeof(tlds[0]))]);
		}
		break;
	case G_WILD:
		ioc_label(a, 13, 16);
		snprintf(v, cap, "*.%s.%s", a,
			 tlds[rndn(sizeof(tlds) / sizeof(tlds[0]))]);
		break;
	case G_SHA:
	case G_KINDS:
		hex64(v);
		break;
	}
}

void bench_iocs_gen(struct bench_iocs *s, size_t n)
{
	char v[128];
	size_t done = 0;

	memset(s, 0, sizeof(*s));
	bench_corpus_init(&s->c, n, 32);
	s->kind = malloc(n);
	s->seen = ky_hash_new(0);
	if (s->kind == NULL || s->seen == NULL)
		bench_die("out of memory");
	for (int k = 0; k < G_KINDS; k++) {
		size_t want =
			k == G_KINDS - 1 ? n - done : n * gshare[k] / 1000;

		s->first[k] = done;
		s->count[k] = want;
		for (size_t i = 0; i < want; i++) {
			size_t start = s->c.b.len;

			do
				gen_value((enum bench_gkind)k, v, sizeof(v));
			while (ky_hash_get(s->seen, v, strlen(v)));
			if (ky_hash_put(s->seen, v, strlen(v), s, NULL) != 0 ||
			    ky_buf_adds(&s->c.b, v) != 0)
				bench_die("out of memory");
			s->kind[done++] = (uint8_t)k;
			s->c.off[s->c.n] = start;
			s->c.len[s->c.n] = (uint32_t)(s->c.b.len - start);
			s->c.n++;
			if (ky_buf_addc(&s->c.b, '\n') != 0)
				bench_die("out of memory");
		}
	}
}

void bench_iocs_free(struct bench_iocs *s)
{
	bench_corpus_free(&s->c);
	free(s->kind);
	ky_hash_free(s->seen, NULL);
}

enum slot { S_SRC, S_DST, S_KV };
enum ekind { E_DNS, E_HTTP, E_FILE };

const char *const bench_decoy_names[BENCH_DECOYS] = {
	"indicator in message", "indicator in process.command_line",
	"superstring in a matched field", "*.zone apex or changed hash",
	"indicator in event.reason"};

/* An indicator's value as an event would carry it, for slot kinds of type
 * ip / domain / sha256; sometimes in a form that only a normalising
 * matcher recognises (case, trailing dot, expanded or mapped IPv6). */
static void hit_value(const struct bench_iocs *s, int type, char *v, size_t cap,
		      struct bench_ioc_truth *t)
{
	static const enum bench_gkind ipk[] = {G_IP4,	G_IP4,	G_IP4, G_IP4,
					       G_IP4,	G_IP4,	G_IP6, G_NET24,
					       G_NET16, G_NET64};
	enum bench_gkind k = type == 0	 ? ipk[rndn(10)]
			     : type == 1 ? (rndn(5) ? G_DOM : G_WILD)
					 : G_SHA;
	size_t n, i = s->first[k] + rndn((unsigned)s->count[k]);
	const char *p = bench_ioc_val(s, i, &n);
	char w[20];
	unsigned char a6[16];

	snprintf(v, cap, "%.*s", (int)n, p);
	switch (k) {
	case G_IP4:
		if (rndn(20) == 0) {
			snprintf(v, cap, "::ffff:%.*s", (int)n, p);
			t->variants++;
		}
		break;
	case G_IP6:
		if (rndn(3) == 0 && inet_pton(AF_INET6, v, a6) == 1) {
			size_t o = 0;
			for (int j = 0; j < 16; j += 2)
				o += (size_t)snprintf(
					v + o, cap - o, "%s%02x%02x",
					j ? ":" : "", a6[j], a6[j + 1]);
			t->variants++;
		}
		break;
	case G_NET24:
		snprintf(v, cap, "%.*s%u", (int)(n - 4), p, 1 + rndn(254));
		break;
	case G_NET16:
		snprintf(v, cap, "%.*s%u.%u", (int)(n - 6), p, rndn(256),
			 1 + rndn(254));
		break;
	case G_NET64:
		snprintf(v, cap, "%.*s%x", (int)(n - 3), p, 1 + rndn(0xfffe));
		break;
	case G_DOM:
	case G_WILD:
		if (k == G_WILD) {
			ioc_label(w, 2, 8);
			snprintf(v, cap, "%s.%.*s", w, (int)(n - 2), p + 2);
		}
		if (rndn(10) == 0) {
			for (char *c = v; *c; c++)
				if (*c >= 'a' && *c <= 'z' && rndn(2))
					*c = (char)(*c - 32);
			t->variants++;
		} else if (rndn(20) == 0) {
			snprintf(v + strlen(v), cap - strlen(v), ".");
			t->variants++;
		}
		break;
	case G_SHA:
		if (rndn(10) == 0) {
			for (char *c = v; *c; c++)
				if (*c >= 'a' && *c <= 'f')
					*c = (char)(*c - 32);
			t->variants++;
		}
		break;
	case G_KINDS:
		break;
	}
}

/* A value that looks like an indicator to a substring matcher but is none:
 * false when none could be made for this slot. */
static bool near_miss(const struct bench_iocs *s, int type, int how, char *out,
		      size_t cap)
{
	char v[128];
	size_t n, i;
	const char *p;

	if (type == 0) { /* "100.1.2.3" -> "100.1.2.30" */
		i = s->first[G_IP4] + rndn((unsigned)s->count[G_IP4]);
		p = bench_ioc_val(s, i, &n);
		const char *dot = memrchr(p, '.', n);
		if (dot == NULL || n - (size_t)(dot + 1 - p) > 2 ||
		    strtoul(dot + 1, NULL, 10) > 25)
			return false;
		snprintf(v, sizeof(v), "%.*s0", (int)n, p);
	} else if (type == 1 && how == 0) { /* "x" + name */
		i = s->first[G_DOM] + rndn((unsigned)s->count[G_DOM]);
		p = bench_ioc_val(s, i, &n);
		snprintf(v, sizeof(v), "x%.*s", (int)n, p);
	} else if (type == 1) { /* the apex of a "*." zone */
		i = s->first[G_WILD] + rndn((unsigned)s->count[G_WILD]);
		p = bench_ioc_val(s, i, &n);
		snprintf(out, cap, "%.*s", (int)(n - 2), p + 2);
		return true;
	} else { /* one hex digit changed */
		i = s->first[G_SHA] + rndn((unsigned)s->count[G_SHA]);
		p = bench_ioc_val(s, i, &n);
		snprintf(v, sizeof(v), "%.*s", (int)n, p);
		v[63] = v[63] == '0' ? '1' : '0';
	}
	if (ky_hash_get(s->seen, v, strlen(v)))
		return false;
	snprintf(out, cap, "%s", v);
	return true;
}

static void bg_ip(char *v, size_t cap, bool internal)
{
	unsigned r = rndn(10);

	if (internal && r < 6)
		snprintf(v, cap, "10.%u.%u.%u", rndn(256), rndn(256),
			 1 + rndn(254));
	else if (internal && r < 9)
		snprintf(v, cap, "192.168.%u.%u", rndn(256), 1 + rndn(254));
	else if (internal)
		snprintf(v, cap, "fe80::%x:%x", 1 + rndn(0xfffe),
			 1 + rndn(0xfffe));
	else if (r < 9) {
		unsigned a = 1 + rndn(98);
		snprintf(v, cap, "%u.%u.%u.%u", a == 10 ? 99 : a, rndn(256),
			 rndn(256), 1 + rndn(254));
	} else
		snprintf(v, cap, "2001:db8:b:%x::%x", 1 + rndn(0xfffe),
			 1 + rndn(0xfffe));
}

static const char *const words[] = {"api",    "cdn",	"mail", "www",
				    "update", "static", "auth", "files"};
static const char *const zones[] = {"corp.example", "svc.internal",
				    "cdn.example", "partner.example"};
static const char *const ioc_users[] = {"alice", "bob",	    "carol", "dave",
					"erin",	 "svc_web", "root",  "backup"};

static void bg_name(char *v, size_t cap)
{
	snprintf(v, cap, "%s%u.%s", words[rndn(8)], rndn(10000),
		 zones[rndn(4)]);
}

void bench_gen_ioc_event(struct bench_corpus *c, const struct bench_iocs *s,
			 struct bench_ioc_truth *t)
{
	struct ky_buf *b = &c->b;
	size_t start = b->len;
	enum ekind ek = rndn(10) < 4 ? E_DNS : rndn(2) ? E_HTTP : E_FILE;
	int kvtype = ek == E_FILE ? 2 : 1; /* hit_value type of S_KV */
	char val[3][128], msg[160] = "", cmd[160] = "", reason[160] = "";
	char junk[128];
	unsigned h = 0, r = rndn(1000);
	const char *user = ioc_users[rndn(8)];

	bg_ip(val[S_SRC], sizeof(val[0]), true);
	bg_ip(val[S_DST], sizeof(val[0]), false);
	if (kvtype == 2)
		hex64(val[S_KV]);
	else
		bg_name(val[S_KV], sizeof(val[0]));
	if (r < 10) { /* 1%: one field holds an indicator, sometimes two */
		int sl = (int)rndn(3);
		hit_value(s, sl == S_KV ? kvtype : 0, val[sl], sizeof(val[0]),
			  t);
		t->by_slot[sl]++;
		h = 1;
		if (rndn(10) == 0) {
			sl = (sl + 1 + (int)rndn(2)) % 3;
			hit_value(s, sl == S_KV ? kvtype : 0, val[sl],
				  sizeof(val[0]), t);
			t->by_slot[sl]++;
			h = 2;
		}
	} else if (r < 40) { /* 3%: indicator text where it must not match */
		int d = (int)rndn(BENCH_DECOYS);
		int ty = (int)rndn(3);
		int sl = ty == 0 ? (int)rndn(2) : S_KV;

		if ((d == 2 || d == 3) && ty != 0 && ty != kvtype)
			ty = kvtype; /* the slot decides the type */
		if (d == 2 && !near_miss(s, ty, 0, val[sl], sizeof(val[0])))
			d = 0;
		else if (d == 3 && !near_miss(s, ty == 0 ? kvtype : ty, 1,
					      val[S_KV], sizeof(val[0])))
			d = 0;
		if (d == 0 || d == 1 || d == 4) {
			struct bench_ioc_truth dummy = {0};
			hit_value(s, ty, junk, sizeof(junk), &dummy);
			snprintf(d == 0	  ? msg
				 : d == 1 ? cmd
					  : reason,
				 sizeof(msg), "%s%s",
				 d == 1 ? "curl -s -m 5 " : "matched by ",
				 junk);
		}
		t->decoys[d]++;
	}
	addf(b,
	     "{\"@timestamp\":\"2024-05-01T%02u:%02u:%02u.%03uZ\","
	     "\"event\":{\"category\":\"%s\","
	     "\"dataset\":\"%s\"",
	     rndn(24), rndn(60), rndn(60), rndn(1000),
	     ek == E_FILE ? "file" : "network",
	     ek == E_DNS    ? "zeek.dns"
	     : ek == E_HTTP ? "zeek.http"
			    : "endpoint.file");
	if (reason[0])
		addf(b, ",\"reason\":\"%s\"", reason);
	addf(b,
	     "},\"host\":{\"name\":\"ws-%04u\"},"
	     "\"source\":{\"ip\":\"%s\",\"port\":%u},"
	     "\"destination\":{\"ip\":\"%s\",\"port\":%u},",
	     rndn(5000), val[S_SRC], 1024 + rndn(60000), val[S_DST],
	     ek == E_DNS ? 53u : 443u);
	if (ek == E_DNS)
		addf(b,
		     "\"network\":{\"transport\":\"udp\",\"bytes\":%u},"
		     "\"dns\":{\"question\":{\"name\":\"%s\"}},",
		     60 + rndn(400), val[S_KV]);
	else if (ek == E_HTTP)
		addf(b,
		     "\"network\":{\"transport\":\"tcp\",\"bytes\":%u},"
		     "\"url\":{\"domain\":\"%s\",\"path\":\"/%s/%u\"},",
		     200 + rndn(90000), val[S_KV], words[rndn(8)],
		     rndn(100000));
	else
		addf(b,
		     "\"file\":{\"path\":\"C:\\\\Users\\\\%s\\\\"
		     "setup%u.exe\",\"size\":%u,\"hash\":{\"sha256\":\"%s\"}},",
		     user, rndn(1000), 10000 + rndn(9000000), val[S_KV]);
	addf(b,
	     "\"process\":{\"name\":\"%s\",\"command_line\":\"%s\"},"
	     "\"user\":{\"name\":\"%s\"},",
	     ek == E_FILE ? "explorer.exe" : "chrome.exe",
	     cmd[0] ? cmd : "chrome.exe", user);
	if (msg[0])
		addf(b, "\"message\":\"%s\"}", msg);
	else
		addf(b, "\"message\":\"%s %s from %s\"}",
		     ek == E_DNS    ? "query"
		     : ek == E_HTTP ? "GET"
				    : "created",
		     ek == E_FILE ? "file" : val[S_KV], val[S_SRC]);
	t->hits[c->n] = (uint8_t)h;
	if (h) {
		t->events++;
		t->total += h;
		addf(&t->lines, "%zu\n", c->n + 1);
	}
	c->off[c->n] = start;
	c->len[c->n] = (uint32_t)(b->len - start);
	c->n++;
	if (ky_buf_addc(b, '\n') != 0)
		bench_die("out of memory");
}

static double ts_sec(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct bench_times bench_now(void)
{
	struct bench_times t = {ts_sec(CLOCK_THREAD_CPUTIME_ID),
				ts_sec(CLOCK_MONOTONIC)};
	return t;
}

struct bench_times bench_since(struct bench_times t0)
{
	struct bench_times t = bench_now();

	t.cpu -= t0.cpu;
	t.wall -= t0.wall;
	return t;
}

bool bench_parse_num(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}
