/* The two ways ky_extract finds candidates must agree: a message of a
 * program some extractor names goes straight to that program's list, any
 * other message through the Vectorscan prefilter.  Both are compared with
 * a reference written here (program filter, memmem of the prefilter
 * literals, priority order) on many generated and mutated lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "event/event.h"
#include "event/extract.h"
#include "event/extract_int.h"

#define NLINES 40000
#define MAXLINE 512

static struct ky_config_pattern upats[] = {
	{"app_login", "myapp", "login %{word:user.name} from %{ip:source.ip}"},
	{"ssh_conn", "sshd", "Connection from %{ip:source.ip} port %{int:p}"},
	{"any_kv", NULL, "kv %{word:k}=%{quoted:v}"},
};

struct fx {
	struct ky_config cfg;
	struct ky_extractors *x;
	struct ky_extract_scratch *s;
	struct ky_arena *arena[2];
	struct ky_event ev[2];
	/* the reference: user patterns, then built-ins */
	struct ky__xtr ref[16];
	size_t nref;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ky_err err = {0};
	size_t nu = sizeof(upats) / sizeof(upats[0]);

	assert_non_null(f);
	f->cfg.extract_builtin = true;
	f->cfg.patterns = upats;
	f->cfg.npatterns = nu;
	assert_int_equal(ky_extractors_new(&f->x, &f->cfg, &err), 0);
	assert_int_equal(ky_extract_scratch_new(f->x, &f->s), 0);
	for (int i = 0; i < 2; i++) {
		f->arena[i] = ky_arena_new(4096, 0);
		assert_non_null(f->arena[i]);
		assert_int_equal(ky_event_init(&f->ev[i], f->arena[i], 1024),
				 0);
	}
	for (size_t i = 0; i < nu; i++) {
		struct ky__xtr *e = &f->ref[f->nref++];
		char *pre = NULL;

		assert_int_equal(ky__upat_compile(upats[i].name,
						  upats[i].pattern, &e->upat,
						  &pre, &err),
				 0);
		e->name = upats[i].name;
		e->programs = upats[i].program;
		e->prefilter = e->owned_prefilter = pre;
		e->parse = ky__upat_parse;
	}
	assert_true(f->nref + ky__nbuiltins <= 16);
	for (size_t i = 0; i < ky__nbuiltins; i++)
		f->ref[f->nref++] = ky__builtins[i];
	assert_int_equal(ky_extractors_count(f->x), f->nref);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < f->nref; i++) {
		ky__upat_free(f->ref[i].upat);
		free(f->ref[i].owned_prefilter);
	}
	for (int i = 0; i < 2; i++) {
		ky_event_free(&f->ev[i]);
		ky_arena_free(f->arena[i]);
	}
	ky_extract_scratch_free(f->s);
	ky_extractors_free(f->x);
	free(f);
	return 0;
}

static bool in_list(const char *list, const char *prog)
{
	size_t pl = strlen(prog);

	if (list == NULL)
		return true;
	for (const char *p = list;;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == pl && memcmp(p, prog, pl) == 0)
			return true;
		if (bar == NULL)
			return false;
		p = bar + 1;
	}
}

static bool prefilter_hits(const char *pre, const char *msg, size_t n)
{
	if (pre == NULL)
		return true;
	for (const char *p = pre; p != NULL;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (memmem(msg, n, p, l) != NULL)
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* What the prefilter path means: every extractor of the program whose
 * literal occurs, in priority order; the first that accepts wins. */
static int reference(struct fx *f, const char *prog, const char *msg, size_t n,
		     struct ky_event *ev)
{
	for (size_t i = 0; i < f->nref; i++) {
		const struct ky__xtr *e = &f->ref[i];
		uint32_t saved = ev->nfields;
		int r;

		if ((prog != NULL && !in_list(e->programs, prog)) ||
		    !prefilter_hits(e->prefilter, msg, n))
			continue;
		r = e->parse(e, msg, n, ev);
		if (r == 1)
			return 1;
		ev->nfields = saved;
		ev->time_ns = 0;
		if (r < 0)
			return r;
	}
	return 0;
}

static void same_event(const struct ky_event *a, const struct ky_event *b,
		       const char *prog, const char *msg, size_t n)
{
	bool same = a->nfields == b->nfields && a->time_ns == b->time_ns;

	for (uint32_t i = 0; same && i < a->nfields; i++) {
		const struct ky_field *x = &a->fields[i], *y = &b->fields[i];
		same = x->type == y->type && x->path_len == y->path_len &&
		       memcmp(x->path, y->path, x->path_len) == 0 &&
		       x->str_len == y->str_len &&
		       memcmp(x->str, y->str, x->str_len) == 0;
	}
	if (!same) {
		print_message("program %s, message \"%.*s\"\n",
			      prog ? prog : "(none)", (int)n, msg);
		print_message("ky_extract: %u fields, reference: %u fields\n",
			      a->nfields, b->nfields);
		for (uint32_t i = 0; i < a->nfields; i++)
			print_message("  got %.*s\n",
				      (int)a->fields[i].path_len,
				      a->fields[i].path);
		for (uint32_t i = 0; i < b->nfields; i++)
			print_message("  ref %.*s\n",
				      (int)b->fields[i].path_len,
				      b->fields[i].path);
		fail_msg("candidate paths disagree");
	}
}

static void check(struct fx *f, const char *prog, const char *msg, size_t n)
{
	int r[2];

	for (int i = 0; i < 2; i++) {
		ky_event_reset(&f->ev[i]);
		ky_arena_reset(f->arena[i]);
		f->ev[i].time_ns = 0;
	}
	r[0] = ky_extract(f->x, f->s, prog, prog ? strlen(prog) : 0, msg, n,
			  &f->ev[0]);
	r[1] = reference(f, prog, msg, n, &f->ev[1]);
	if (r[0] != r[1])
		fail_msg("program %s, message \"%.*s\": ky_extract %d, "
			 "reference %d",
			 prog ? prog : "(none)", (int)n, msg, r[0], r[1]);
	same_event(&f->ev[0], &f->ev[1], prog, msg, n);
}

static const char *const templates[] = {
	"Accepted publickey for alice from 192.0.2.1 port 50022 ssh2",
	"Failed password for invalid user admin from 2001:db8::1 port 22 ssh2",
	"Invalid user oracle from 198.51.100.9 port 41000",
	"Disconnected from authenticating user root 192.0.2.7 port 2222 "
	"[preauth]",
	"Connection closed by 192.0.2.8 port 50000 [preauth]",
	"Received disconnect from 192.0.2.9 port 1234:11: Bye Bye",
	"error: maximum authentication attempts exceeded for root from "
	"192.0.2.1 port 22 ssh2",
	"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
	"tty=ssh ruser= rhost=203.0.113.5  user=bob",
	"pam_unix(sudo:session): session opened for user root(uid=0) by "
	"alice(uid=1000)",
	"alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls "
	"-l",
	"bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/ ; USER=root "
	"; COMMAND=/bin/sh",
	"(to root) alice on pts/2",
	"FAILED su for root by mallory",
	"type=USER_LOGIN msg=audit(1700000000.123:456): pid=1 uid=0 "
	"msg='op=login acct=\"root\" addr=203.0.113.7 res=failed'",
	"node=h type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e "
	"comm=\"cat\"\x1dUID=\"alice\"",
	"203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif "
	"HTTP/1.0\" 200 2326 \"http://x/\" \"Mozilla/4.08\"",
	"[12345.678901] DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:"
	"aa:bb:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=60 PROTO=TCP SPT=1 "
	"DPT=22 SYN",
	"login carol from 192.0.2.44",
	"Connection from 192.0.2.45 port 6000",
	"kv key=\"va\\\"lue\"",
};

/* Text that moves a message from one extractor to another, or hides the
 * literal a prefilter looks for. */
static const char *const pieces[] = {
	"msg=audit(1.2:3):",
	" msg=audit(9:9)",
	"\x1d",
	"\"",
	"'",
	" ",
	"IN=",
	" IN=eth0 SRC=10.0.0.1",
	"TTY=",
	" ; ",
	"] \"",
	"(to ",
	" su for ",
	" from ",
	" port ",
	"Accepted ",
	":auth): authentication failure;",
	":session): session ",
	"=",
	":",
	"Invalid user ",
	"type=X ",
	"node=n ",
	"[1/Jan/2020:00:00:00 +0000]",
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static size_t mutate(char *buf, size_t n)
{
	int k = (int)rnd(4);

	for (int i = 0; i < k; i++) {
		size_t at = n ? rnd((uint32_t)n + 1) : 0;
		const char *pc = pieces[rnd(sizeof(pieces) / sizeof(*pieces))];
		size_t pl = strlen(pc);

		switch (rnd(4)) {
		case 0: /* insert a piece */
			if (n + pl < MAXLINE) {
				memmove(buf + at + pl, buf + at, n - at);
				memcpy(buf + at, pc, pl);
				n += pl;
			}
			break;
		case 1: /* delete a few bytes */
			if (at < n) {
				size_t d = 1 + rnd(8);
				d = d > n - at ? n - at : d;
				memmove(buf + at, buf + at + d, n - at - d);
				n -= d;
			}
			break;
		case 2: /* one byte from a piece */
			if (at < n)
				buf[at] = pc[0];
			break;
		default: /* cut */
			n = at;
			break;
		}
	}
	return n;
}

static const char *const progs[] = {
	NULL,	  "sshd",  "sshd-session", "sudo", "su",
	"kernel", "ulogd", "myapp",	   "cron", /* not indexed */
};

static void test_paths_agree(void **state)
{
	struct fx *f = *state;
	char buf[MAXLINE];

	for (size_t t = 0; t < sizeof(templates) / sizeof(*templates); t++)
		for (size_t p = 0; p < sizeof(progs) / sizeof(*progs); p++)
			check(f, progs[p], templates[t], strlen(templates[t]));
	for (int i = 0; i < NLINES; i++) {
		const char *t =
			templates[rnd(sizeof(templates) / sizeof(*templates))];
		size_t n = strlen(t);

		memcpy(buf, t, n);
		n = mutate(buf, n);
		for (size_t p = 0; p < sizeof(progs) / sizeof(*progs); p++)
			check(f, progs[p], buf, n);
	}
}

/* The cases the random search is after, kept so they always run: a
 * program-indexed message must not reach a parser whose literal it
 * lacks. */
static void test_paths_fixed(void **state)
{
	struct fx *f = *state;
	static const char *const lines[] = {
		"type=USER_LOGIN x=\"1\"msg=audit(1.2:3): res=success",
		"type=USER_LOGIN\x1dmsg=audit(1.2:3): res=success",
		"node=a\x1dtype=B\x1dmsg=audit(4:5):",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		for (size_t p = 0; p < sizeof(progs) / sizeof(*progs); p++)
			check(f, progs[p], lines[i], strlen(lines[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paths_fixed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_paths_agree, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
