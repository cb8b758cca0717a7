/* Built-in extractors: exact values from real-looking lines of each source,
 * negative lines that must extract nothing, program restriction, rollback
 * and limits.  User patterns are in test_extract_user.c. */
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

struct fx {
	struct ky_config cfg;
	struct ky_extractors *x;
	struct ky_extract_scratch *s;
	struct ky_arena *arena;
	struct ky_event ev;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ky_err err = {0};

	assert_non_null(f);
	f->cfg.extract_builtin = true;
	assert_int_equal(ky_extractors_new(&f->x, &f->cfg, &err), 0);
	assert_int_equal(ky_extract_scratch_new(f->x, &f->s), 0);
	f->arena = ky_arena_new(4096, 0);
	assert_non_null(f->arena);
	assert_int_equal(ky_event_init(&f->ev, f->arena, 1024), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ky_event_free(&f->ev);
	ky_arena_free(f->arena);
	ky_extract_scratch_free(f->s);
	ky_extractors_free(f->x);
	free(f);
	return 0;
}

static int run(struct fx *f, const char *prog, const char *msg)
{
	ky_event_reset(&f->ev);
	ky_arena_reset(f->arena);
	f->ev.time_ns = 0;
	return ky_extract(f->x, f->s, prog, prog ? strlen(prog) : 0, msg,
			  strlen(msg), &f->ev);
}

static void str_is(struct fx *f, const char *path, const char *want)
{
	const struct ky_field *fl = ky_event_get(&f->ev, path);

	if (fl == NULL)
		fail_msg("field %s missing (want \"%s\")", path, want);
	if (fl->str_len != strlen(want) ||
	    memcmp(fl->str, want, fl->str_len) != 0)
		fail_msg("field %s = \"%.*s\", want \"%s\"", path,
			 (int)fl->str_len, fl->str, want);
	assert_int_equal(fl->type, KY_V_STR);
}

static void int_is(struct fx *f, const char *path, int64_t want)
{
	const struct ky_field *fl = ky_event_get(&f->ev, path);

	if (fl == NULL)
		fail_msg("field %s missing (want %lld)", path, (long long)want);
	assert_int_equal(fl->type, KY_V_INT);
	assert_int_equal(fl->v.i, want);
}

static void absent(struct fx *f, const char *path)
{
	const struct ky_field *fl = ky_event_get(&f->ev, path);

	if (fl != NULL)
		fail_msg("field %s present: \"%.*s\"", path, (int)fl->str_len,
			 fl->str);
}

static void test_sshd_auth(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, "sshd",
			     "Accepted password for alice from "
			     "192.168.1.10 port 52144 ssh2"),
			 1);
	str_is(f, "event.action", "ssh_login");
	str_is(f, "event.outcome", "success");
	str_is(f, "event.category", "authentication");
	str_is(f, "user.name", "alice");
	str_is(f, "source.ip", "192.168.1.10");
	int_is(f, "source.port", 52144);
	str_is(f, "system.auth.ssh.method", "password");
	absent(f, "event.reason");

	assert_int_equal(run(f, "sshd",
			     "Failed password for invalid user admin from "
			     "203.0.113.5 port 40022 ssh2"),
			 1);
	str_is(f, "event.outcome", "failure");
	str_is(f, "user.name", "admin");
	str_is(f, "event.reason", "invalid user");
	str_is(f, "source.ip", "203.0.113.5");
	int_is(f, "source.port", 40022);

	assert_int_equal(run(f, "sshd-session",
			     "Accepted publickey for bob from 2001:db8::1 port "
			     "22 ssh2: RSA SHA256:AbCdEf0123"),
			 1);
	str_is(f, "source.ip", "2001:db8::1");
	str_is(f, "system.auth.ssh.method", "publickey");
	int_is(f, "source.port", 22);

	/* a user name crafted to look like the address part */
	assert_int_equal(
		run(f, "sshd",
		    "Failed none for invalid user x from 6.6.6.6 port 1 "
		    "from 10.9.8.7 port 2222 ssh2"),
		1);
	str_is(f, "user.name", "x from 6.6.6.6 port 1");
	str_is(f, "source.ip", "10.9.8.7");
	int_is(f, "source.port", 2222);

	assert_int_equal(run(f, "sshd",
			     "Accepted keyboard-interactive/pam for "
			     "carol from gw.example.net port 22 "
			     "ssh2"),
			 1);
	str_is(f, "source.domain", "gw.example.net");
	absent(f, "source.ip");
	str_is(f, "system.auth.ssh.method", "keyboard-interactive/pam");
}

static void test_sshd_other(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, "sshd",
			     "Invalid user test from 198.51.100.7 port 51000"),
			 1);
	str_is(f, "event.action", "ssh_invalid_user");
	str_is(f, "user.name", "test");
	str_is(f, "source.ip", "198.51.100.7");
	int_is(f, "source.port", 51000);
	str_is(f, "event.outcome", "failure");

	assert_int_equal(run(f, "sshd", "Invalid user  from 198.51.100.8"), 1);
	str_is(f, "user.name", "");
	absent(f, "source.port");

	assert_int_equal(run(f, "sshd",
			     "Disconnected from authenticating user root "
			     "203.0.113.9 port 60000 [preauth]"),
			 1);
	str_is(f, "event.action", "ssh_disconnect");
	str_is(f, "user.name", "root");
	str_is(f, "source.ip", "203.0.113.9");
	int_is(f, "source.port", 60000);

	assert_int_equal(
		run(f, "sshd",
		    "Connection closed by invalid user oracle 10.0.0.1 "
		    "port 3333 [preauth]"),
		1);
	str_is(f, "event.action", "ssh_connection_closed");
	str_is(f, "user.name", "oracle");
	str_is(f, "event.reason", "invalid user");
	int_is(f, "source.port", 3333);

	assert_int_equal(run(f, "sshd",
			     "Connection closed by 10.0.0.2 port "
			     "4444 [preauth]"),
			 1);
	absent(f, "user.name");
	str_is(f, "source.ip", "10.0.0.2");
	int_is(f, "source.port", 4444);

	assert_int_equal(run(f, "sshd",
			     "Received disconnect from 10.0.0.3 "
			     "port 5555:11: Bye Bye [preauth]"),
			 1);
	str_is(f, "source.ip", "10.0.0.3");
	int_is(f, "source.port", 5555);

	assert_int_equal(run(f, "sshd",
			     "error: maximum authentication attempts exceeded "
			     "for root from 10.1.1.1 port 2222 ssh2 [preauth]"),
			 1);
	str_is(f, "event.action", "ssh_max_auth_exceeded");
	str_is(f, "event.outcome", "failure");
	str_is(f, "user.name", "root");
	str_is(f, "source.ip", "10.1.1.1");
	int_is(f, "source.port", 2222);

	assert_int_equal(run(f, "sshd",
			     "maximum authentication attempts exceeded for "
			     "invalid user guest from 10.1.1.2 port 3 ssh2"),
			 1);
	str_is(f, "user.name", "guest");
	str_is(f, "event.reason", "invalid user");
}

static void test_pam(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, "sshd",
			     "pam_unix(sshd:auth): authentication failure; "
			     "logname= uid=0 euid=0 tty=ssh ruser= "
			     "rhost=203.0.113.50  user=root"),
			 1);
	str_is(f, "event.action", "authentication_failure");
	str_is(f, "event.outcome", "failure");
	str_is(f, "service.name", "sshd");
	str_is(f, "source.ip", "203.0.113.50");
	str_is(f, "user.name", "root");
	str_is(f, "pam.tty", "ssh");
	str_is(f, "pam.uid", "0");
	absent(f, "pam.logname");
	absent(f, "pam.ruser");

	assert_int_equal(run(f, "sudo",
			     "pam_unix(sudo:auth): authentication failure; "
			     "logname=alice uid=1000 euid=0 tty=/dev/pts/0 "
			     "ruser=alice rhost=  user=alice"),
			 1);
	str_is(f, "service.name", "sudo");
	str_is(f, "pam.logname", "alice");
	str_is(f, "user.name", "alice");
	absent(f, "source.ip");
	absent(f, "source.domain");

	assert_int_equal(run(f, "sshd",
			     "pam_unix(sshd:session): session "
			     "opened for user alice(uid=1000) by "
			     "(uid=0)"),
			 1);
	str_is(f, "event.action", "session_opened");
	str_is(f, "event.category", "session");
	str_is(f, "user.name", "alice");
	str_is(f, "user.id", "1000");
	str_is(f, "service.name", "sshd");
	absent(f, "pam.by");

	assert_int_equal(run(f, "CRON",
			     "pam_unix(cron:session): session "
			     "closed for user root"),
			 1);
	str_is(f, "event.action", "session_closed");
	str_is(f, "user.name", "root");
	absent(f, "user.id");

	assert_int_equal(run(f, "su",
			     "pam_unix(su-l:session): session opened "
			     "for user root by alice(uid=1000)"),
			 1);
	str_is(f, "service.name", "su-l");
	str_is(f, "user.name", "root");
	str_is(f, "pam.by", "alice");
}

static void test_sudo_su(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, "sudo",
			     "   alice : TTY=pts/0 ; PWD=/home/alice ; "
			     "USER=root ; COMMAND=/usr/bin/systemctl restart "
			     "nginx"),
			 1);
	str_is(f, "event.action", "sudo_command");
	str_is(f, "event.outcome", "success");
	str_is(f, "user.name", "alice");
	str_is(f, "user.effective.name", "root");
	str_is(f, "sudo.tty", "pts/0");
	str_is(f, "process.working_directory", "/home/alice");
	str_is(f, "process.command_line", "/usr/bin/systemctl restart nginx");
	str_is(f, "process.executable", "/usr/bin/systemctl");

	assert_int_equal(
		run(f, "sudo",
		    "bob : 3 incorrect password attempts ; TTY=pts/1 ; "
		    "PWD=/home/bob ; USER=root ; COMMAND=/bin/bash"),
		1);
	str_is(f, "event.action", "sudo_auth_failure");
	str_is(f, "event.outcome", "failure");
	str_is(f, "event.reason", "3 incorrect password attempts");
	str_is(f, "process.executable", "/bin/bash");

	assert_int_equal(run(f, NULL,
			     "eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp "
			     "; USER=root ; COMMAND=/bin/cat /etc/shadow ; x"),
			 1);
	str_is(f, "event.action", "sudo_denied");
	str_is(f, "event.reason", "user NOT in sudoers");
	str_is(f, "process.command_line", "/bin/cat /etc/shadow ; x");

	assert_int_equal(run(f, "su", "(to root) alice on pts/0"), 1);
	str_is(f, "event.action", "su");
	str_is(f, "event.outcome", "success");
	str_is(f, "user.name", "alice");
	str_is(f, "user.effective.name", "root");
	str_is(f, "su.tty", "pts/0");

	assert_int_equal(run(f, "su", "FAILED SU (to root) mallory on pts/3"),
			 1);
	str_is(f, "event.outcome", "failure");
	str_is(f, "user.name", "mallory");

	assert_int_equal(run(f, "su", "FAILED su for root by mallory"), 1);
	str_is(f, "event.outcome", "failure");
	str_is(f, "user.name", "mallory");
	str_is(f, "user.effective.name", "root");
	absent(f, "su.tty");

	assert_int_equal(run(f, "su", "Successful su for postgres by root"), 1);
	str_is(f, "event.outcome", "success");
	str_is(f, "user.effective.name", "postgres");
}

static void test_audit(void **state)
{
	struct fx *f = *state;

	assert_int_equal(
		run(f, NULL,
		    "type=USER_LOGIN msg=audit(1700000000.123:456): pid=1234 "
		    "uid=0 auid=4294967295 ses=4294967295 msg='op=login "
		    "acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? "
		    "addr=203.0.113.7 terminal=sshd res=failed'"),
		1);
	assert_int_equal(f->ev.time_ns, 1700000000123000000LL);
	int_is(f, "auditd.sequence", 456);
	str_is(f, "auditd.type", "USER_LOGIN");
	str_is(f, "event.action", "user_login");
	int_is(f, "process.pid", 1234);
	str_is(f, "auditd.pid", "1234");
	str_is(f, "user.id", "0");
	str_is(f, "user.audit.id", "4294967295");
	str_is(f, "auditd.op", "login");
	str_is(f, "user.name", "root");
	str_is(f, "process.executable", "/usr/sbin/sshd");
	str_is(f, "auditd.hostname", "?");
	str_is(f, "source.ip", "203.0.113.7");
	str_is(f, "auditd.terminal", "sshd");
	str_is(f, "event.outcome", "failure");

	assert_int_equal(
		run(f, "audispd",
		    "node=web1 type=SYSCALL msg=audit(1364481363.243:24287): "
		    "arch=c000003e syscall=2 success=no exit=-13 "
		    "a0=7fffd19c5592 a1=0 ppid=2686 pid=3538 auid=1000 "
		    "uid=1000 comm=\"cat\" exe=\"/bin/cat\" key=\"sshd_config\""
		    "\x1dUID=\"alice\""),
		1);
	str_is(f, "auditd.node", "web1");
	str_is(f, "auditd.a0", "7fffd19c5592");
	str_is(f, "event.outcome", "failure");
	str_is(f, "process.name", "cat");
	int_is(f, "process.parent.pid", 2686);
	str_is(f, "auditd.key", "sshd_config");
	str_is(f, "auditd.exit", "-13");
	str_is(f, "auditd.UID", "alice");
	assert_int_equal(f->ev.time_ns, 1364481363243000000LL);

	assert_int_equal(run(f, NULL,
			     "type=PROCTITLE msg=audit(1364481363.243:24288): "
			     "proctitle=2F62696E2F7368002D63006563686F206869"),
			 1);
	str_is(f, "process.title", "/bin/sh -c echo hi");
	str_is(f, "auditd.proctitle", "/bin/sh -c echo hi");

	assert_int_equal(run(f, NULL,
			     "type=EXECVE msg=audit(1.5:1): argc=3 a0=\"ls\" "
			     "a1=2D6C612066 a2=ZZ"),
			 1);
	str_is(f, "auditd.a0", "ls");
	str_is(f, "auditd.a1", "-la f");
	str_is(f, "auditd.a2", "ZZ");
	assert_int_equal(f->ev.time_ns, 1500000000LL);
	/* an unquoted comm that is not hex stays as is */
	assert_int_equal(
		run(f, NULL, "type=SYSCALL msg=audit(2:3): comm=xyz exe=414"),
		1);
	str_is(f, "process.name", "xyz");
	str_is(f, "process.executable", "414");
}

static void test_access(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, NULL,
			     "203.0.113.1 - frank [10/Oct/2000:13:55:36 -0700] "
			     "\"GET /apache_pb.gif HTTP/1.0\" 200 2326 "
			     "\"http://www.example.com/start.html\" "
			     "\"Mozilla/4.08 [en] (Win98; I ;Nav)\""),
			 1);
	assert_int_equal(f->ev.time_ns, 971211336LL * 1000000000LL);
	str_is(f, "source.ip", "203.0.113.1");
	str_is(f, "user.name", "frank");
	str_is(f, "http.request.method", "GET");
	str_is(f, "url.original", "/apache_pb.gif");
	str_is(f, "http.version", "1.0");
	int_is(f, "http.response.status_code", 200);
	int_is(f, "http.response.body.bytes", 2326);
	str_is(f, "http.request.referrer", "http://www.example.com/start.html");
	str_is(f, "user_agent.original", "Mozilla/4.08 [en] (Win98; I ;Nav)");
	str_is(f, "event.outcome", "success");

	assert_int_equal(run(f, "nginx",
			     "10.0.0.5 - - [01/Jan/2024:00:00:00 +0000] \"POST "
			     "/login?next=/a%20b HTTP/1.1\" 401 -"),
			 1);
	assert_int_equal(f->ev.time_ns, 1704067200LL * 1000000000LL);
	absent(f, "user.name");
	absent(f, "http.response.body.bytes");
	absent(f, "user_agent.original");
	str_is(f, "url.original", "/login?next=/a%20b");
	str_is(f, "event.outcome", "failure");

	assert_int_equal(run(f, NULL,
			     "client.example.org - - [01/Jan/2024:01:00:00 "
			     "+0100] \"GET /a\\x22b HTTP/2.0\" 404 10 \"-\" "
			     "\"curl/8.0 \\\"x\\\"\""),
			 1);
	assert_int_equal(f->ev.time_ns, 1704067200LL * 1000000000LL);
	str_is(f, "source.domain", "client.example.org");
	str_is(f, "url.original", "/a\"b");
	absent(f, "http.request.referrer");
	str_is(f, "user_agent.original", "curl/8.0 \"x\"");

	/* a TLS hello sent to a plain-text port */
	assert_int_equal(run(f, NULL,
			     "10.0.0.7 - - [01/Jan/2024:00:00:00 +0000] "
			     "\"\\x16\\x03\\x01\" 400 157 \"-\" \"-\""),
			 1);
	int_is(f, "http.response.status_code", 400);
	absent(f, "http.request.method");
	absent(f, "user_agent.original");
}

static void test_netfilter(void **state)
{
	struct fx *f = *state;

	assert_int_equal(
		run(f, "kernel",
		    "[UFW BLOCK] IN=eth0 OUT= "
		    "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
		    "SRC=198.51.100.23 DST=10.0.0.5 LEN=60 TOS=0x00 "
		    "PREC=0x00 TTL=49 ID=54321 DF PROTO=TCP SPT=51515 DPT=22 "
		    "WINDOW=29200 RES=0x00 SYN URGP=0"),
		1);
	str_is(f, "iptables.prefix", "[UFW BLOCK]");
	str_is(f, "event.action", "blocked");
	str_is(f, "observer.ingress.interface.name", "eth0");
	absent(f, "observer.egress.interface.name");
	str_is(f, "destination.mac", "52-54-00-12-34-56");
	str_is(f, "source.mac", "52-54-00-65-43-21");
	str_is(f, "source.ip", "198.51.100.23");
	str_is(f, "destination.ip", "10.0.0.5");
	str_is(f, "network.type", "ipv4");
	str_is(f, "network.transport", "tcp");
	int_is(f, "source.port", 51515);
	int_is(f, "destination.port", 22);
	int_is(f, "iptables.length", 60);
	int_is(f, "iptables.ttl", 49);
	int_is(f, "iptables.tcp.window", 29200);
	str_is(f, "iptables.id", "54321");
	str_is(f, "iptables.tcp.flags", "SYN");

	assert_int_equal(run(f, NULL,
			     "IN=eth0 OUT=eth1 SRC=2001:db8::1 DST=2001:db8::2 "
			     "LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP "
			     "SPT=53 DPT=33333 LEN=40"),
			 1);
	absent(f, "iptables.prefix");
	str_is(f, "network.type", "ipv6");
	str_is(f, "network.transport", "udp");
	str_is(f, "observer.egress.interface.name", "eth1");
	int_is(f, "iptables.ttl", 64);
	int_is(f, "destination.port", 33333);

	assert_int_equal(run(f, "kernel",
			     "[12345.678901] DROP-IN: IN=eth0 OUT= SRC=1.2.3.4 "
			     "DST=5.6.7.8 LEN=84 PROTO=ICMP TYPE=8 CODE=0 ID=1 "
			     "SEQ=1 ACK PSH"),
			 1);
	str_is(f, "iptables.prefix", "DROP-IN");
	str_is(f, "event.action", "blocked");
	str_is(f, "network.transport", "icmp");
	int_is(f, "iptables.icmp.type", 8);
	int_is(f, "iptables.icmp.code", 0);
	str_is(f, "iptables.tcp.flags", "ACK PSH");
	absent(f, "source.port");
}

static void test_negative(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *prog, *msg;
	} neg[] = {
		/* the program restricts the built-ins */
		{"cron", "Accepted password for alice from 1.2.3.4 port 22"},
		{"sshd", "(to root) alice on pts/0"},
		{"sshd", "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP"},
		{"bash", "alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/x"},
		/* near misses and truncations */
		{"sshd", "Server listening on 0.0.0.0 port 22."},
		{"sshd", "Accepted password for alice"},
		{"sshd", "Failed password for root from"},
		{"sshd", "Accepted  for root from 1.2.3.4 port 22"},
		{"sshd", "Disconnected from user root"},
		{"sshd", "Connection closed by 10.0.0.1"},
		{"sshd", "pam_unix(sshd:auth): check pass; user unknown"},
		{"sshd", "pam_unix(sshd:session): session opened for user "},
		{"sudo", "alice : command not found"},
		{"sudo", "alice : PWD=/ ; USER=root ; COMMAND=/bin/id"},
		{"su", "(to root)"},
		{"su", "FAILED su for root by "},
		{NULL, "type=FOO bar=1"},
		{NULL, "type=FOO msg=audit(garbage): x=1"},
		{NULL, "1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] \"GET / "
		       "HTTP/1.0\" 200 1"},
		{NULL, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / "
		       "HTTP/1.0\" 2000 1"},
		{NULL, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / "
		       "HTTP/1.0 200 1"},
		{NULL, "IN=eth0 OUT= SRC=not-an-ip DST=5.6.7.8"},
		{NULL, "LOGIN=eth0 OUT= SRC=1.2.3.4"},
		{NULL, ""},
		{NULL, "\xff\xfe\xc3\x28 invalid \xa0\xa1 utf-8"},
		{"sshd", "Accepted password for \xff\xfe from \xc3\x28 port 1"},
	};

	for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++) {
		int r = run(f, neg[i].prog, neg[i].msg);
		if (r != 0 || f->ev.nfields != 0 || f->ev.time_ns != 0)
			fail_msg("case %zu (%s) extracted %d fields: %s", i,
				 neg[i].prog ? neg[i].prog : "-",
				 (int)f->ev.nfields, neg[i].msg);
	}
	/* the same sshd line with the program unknown or spelled as a path
	 * with a pid */
	assert_int_equal(run(f, NULL, neg[0].msg), 1);
	assert_int_equal(run(f, "/usr/sbin/sshd[812]:", neg[0].msg), 1);
	assert_int_equal(run(f, "", neg[0].msg), 1);
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	size_t n = 60000;
	char *msg = malloc(n + 64);

	assert_non_null(msg);
	/* a huge user name is a zero-copy slice */
	memcpy(msg, "Invalid user ", 13);
	memset(msg + 13, 'A', n);
	memcpy(msg + 13 + n, " from 1.2.3.4 port 1", 21);
	assert_int_equal(run(f, "sshd", msg), 1);
	const struct ky_field *u = ky_event_get(&f->ev, "user.name");
	assert_non_null(u);
	assert_int_equal(u->str_len, n);
	assert_ptr_equal(u->str, msg + 13);
	free(msg);

	/* past max_fields: an error, and nothing half-added stays */
	f->ev.max_fields = 3;
	assert_int_equal(
		run(f, NULL, "type=SYSCALL msg=audit(1:2): a=1 b=2 c=3 d=4"),
		KY_E_TOOBIG);
	assert_int_equal(f->ev.nfields, 0);
	assert_int_equal(f->ev.time_ns, 0);
	f->ev.max_fields = 1024;
}

static void test_no_builtin(void **state)
{
	struct ky_config cfg;
	struct ky_extractors *x = NULL;
	struct ky_extract_scratch *s = NULL;
	struct ky_err err = {0};
	struct fx *f = *state;
	const char *m = "Accepted password for a from 1.2.3.4 port 2";

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(ky_extractors_new(&x, &cfg, &err), 0);
	assert_int_equal(ky_extractors_count(x), 0);
	assert_int_equal(ky_extract_scratch_new(x, &s), 0);
	ky_event_reset(&f->ev);
	assert_int_equal(ky_extract(x, s, NULL, 0, m, strlen(m), &f->ev), 0);
	assert_int_equal(f->ev.nfields, 0);
	ky_extract_scratch_free(s);
	ky_extractors_free(x);

	/* names for metrics */
	assert_true(ky_extractors_count(f->x) >= 11);
	assert_string_equal(ky_extractor_name(f->x, 0), "sshd_auth");
	assert_null(ky_extractor_name(f->x, ky_extractors_count(f->x)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sshd_auth),
		cmocka_unit_test(test_sshd_other),
		cmocka_unit_test(test_pam),
		cmocka_unit_test(test_sudo_su),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_netfilter),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_no_builtin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
