/* The demo's processes, waits and timeline (cli/demo.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/time.h"
#include "cli/demo.h"

extern char **environ;

#define ARGS_MAX 48

/* environ plus the demo's own variables (the SoftHSM2 configuration and
 * the token PIN) for every child */
static char **child_env(struct demo *d)
{
	static char conf[4300], *env[512];
	size_t n = 0;

	for (char **e = environ; *e && n < 500; e++)
		if (strncmp(*e, "SOFTHSM2_CONF=", 14) != 0 &&
		    strncmp(*e, "KYKLOS_DEMO_PIN=", 16) != 0)
			env[n++] = *e;
	if (d->softhsm_conf[0]) {
		snprintf(conf, sizeof(conf), "SOFTHSM2_CONF=%s",
			 d->softhsm_conf);
		env[n++] = conf;
		env[n++] = "KYKLOS_DEMO_PIN=4711";
	}
	env[n] = NULL;
	return env;
}

/* Runs a child to its end: its standard output into out, then its
 * standard error after it (a file in between: on one pipe, a message on
 * stderr could land inside a line of JSON that stdout flushed in two
 * parts). */
static int spawn_wait(struct demo *d, const char *path, bool search,
		      char *const *argv, struct ky_buf *out)
{
	posix_spawn_file_actions_t fa;
	char errpath[3200];
	int p[2], efd, status = 0;
	pid_t pid;
	ssize_t k;
	char buf[8192];

	snprintf(errpath, sizeof(errpath), "%s/.stderr", d->dir);
	if ((efd = open(errpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
			0600)) < 0)
		return -1;
	if (pipe(p) != 0) {
		close(efd);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	if ((search ? posix_spawnp : posix_spawn)(&pid, path, &fa, NULL, argv,
						  child_env(d)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		close(efd);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while ((k = read(p[0], buf, sizeof(buf))) > 0 ||
	       (k < 0 && errno == EINTR))
		if (k > 0 && out != NULL)
			(void)ky_buf_add(out, buf, (size_t)k);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out != NULL && lseek(efd, 0, SEEK_SET) == 0)
		while ((k = read(efd, buf, sizeof(buf))) > 0)
			(void)ky_buf_add(out, buf, (size_t)k);
	close(efd);
	unlink(errpath);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int demo_run(struct demo *d, const struct demo_node *node,
	     const char *const *args, struct ky_buf *out)
{
	const char *argv[ARGS_MAX];
	size_t n = 0;

	argv[n++] = "kyklos";
	if (node != NULL) {
		argv[n++] = "--home";
		argv[n++] = node->home;
	}
	for (size_t i = 0; args[i] && n < ARGS_MAX - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return spawn_wait(d, d->self, false, (char *const *)argv, out);
}

int demo_run_prog(struct demo *d, const char *const *argv, struct ky_buf *out)
{
	return spawn_wait(d, argv[0], true, (char *const *)argv, out);
}

json_t *demo_json(struct demo *d, const struct demo_node *node,
		  const char *const *args)
{
	struct ky_buf out;
	json_t *j = NULL;

	ky_buf_init(&out, 64 << 20);
	if (demo_run(d, node, args, &out) == 0 && out.len > 0) {
		/* stderr comes after: the JSON is the first line that
		 * starts with [ or { */
		const char *p = out.data;

		while (p && *p != '{' && *p != '[')
			p = (p = strchr(p, '\n')) ? p + 1 : NULL;
		if (p)
			j = json_loads(p, JSON_DISABLE_EOF_CHECK, NULL);
	}
	ky_buf_free(&out);
	return j;
}

json_t *demo_json_lines(struct demo *d, const struct demo_node *node,
			const char *const *args)
{
	struct ky_buf out;
	json_t *all = json_array();

	ky_buf_init(&out, 64 << 20);
	if (all != NULL && demo_run(d, node, args, &out) == 0 && out.len) {
		for (char *p = out.data, *e; p && *p; p = e ? e + 1 : NULL) {
			json_t *j;

			if ((e = strchr(p, '\n')) != NULL)
				*e = '\0';
			if (*p == '{' && (j = json_loads(p, 0, NULL)) != NULL)
				json_array_append_new(all, j);
		}
	}
	ky_buf_free(&out);
	return all;
}

static bool ports_ready(struct demo_node *node)
{
	char path[4200];
	json_t *j;

	snprintf(path, sizeof(path), "%s/data/serve.ports", node->home);
	if ((j = json_load_file(path, 0, NULL)) == NULL)
		return false;
	snprintf(node->json_tcp, sizeof(node->json_tcp), "%s",
		 json_string_value(json_object_get(j, "json_tcp")) ?: "");
	snprintf(node->syslog_tcp, sizeof(node->syslog_tcp), "%s",
		 json_string_value(json_object_get(j, "syslog_tcp")) ?: "");
	snprintf(node->metrics, sizeof(node->metrics), "%s",
		 json_string_value(json_object_get(j, "metrics")) ?: "");
	json_decref(j);
	return true;
}

int demo_start(struct demo *d, struct demo_node *node)
{
	posix_spawn_file_actions_t fa;
	char log[4200], ports[4200];
	const char *argv[] = {"kyklos", "--home", node->home, "serve", NULL};
	int fd;

	snprintf(log, sizeof(log), "%s/%s.log", d->dir, node->name);
	snprintf(ports, sizeof(ports), "%s/data/serve.ports", node->home);
	unlink(ports);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) <
	    0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	if (posix_spawn(&node->pid, d->self, &fa, NULL, (char *const *)argv,
			child_env(d)) != 0) {
		node->pid = 0;
		posix_spawn_file_actions_destroy(&fa);
		close(fd);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
	for (int i = 0; i < 300; i++) { /* 30 s */
		int st;

		if (ports_ready(node))
			return 0;
		if (waitpid(node->pid, &st, WNOHANG) == node->pid) {
			node->pid = 0;
			return -1;
		}
		usleep(100000);
	}
	return -1;
}

void demo_stop(struct demo *d, struct demo_node *node)
{
	int st;

	(void)d;
	if (node->pid <= 0)
		return;
	kill(node->pid, SIGTERM);
	for (int i = 0; i < 300; i++) { /* 30 s, then no more manners */
		if (waitpid(node->pid, &st, WNOHANG) == node->pid) {
			node->pid = 0;
			return;
		}
		usleep(100000);
	}
	kill(node->pid, SIGKILL);
	waitpid(node->pid, &st, 0);
	node->pid = 0;
}

int demo_send(const char *addr, const char *text, size_t n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *colon = strrchr(addr, ':');
	char host[64];
	int fd, r = -1;

	if (colon == NULL || (size_t)(colon - addr) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	sa.sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		size_t off = 0;

		while (off < n) {
			ssize_t k = write(fd, text + off, n - off);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			off += (size_t)k;
		}
		r = off == n ? 0 : -1;
	}
	close(fd);
	return r;
}

int demo_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

double demo_elapsed(const struct demo *d)
{
	return (double)(ky_time_mono_ns() - d->t0) / 1e9;
}

int demo_write(const char *path, const char *text, bool secret)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      secret ? 0600 : 0644);
	size_t n = strlen(text), off = 0;

	if (fd < 0)
		return -1;
	while (off < n) {
		ssize_t k = write(fd, text + off, n - off);

		if (k <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)k;
	}
	return close(fd);
}

bool demo_wait(struct demo *d, double timeout_s, bool (*pred)(void *ud),
	       void *ud)
{
	int64_t end = ky_time_mono_ns() + (int64_t)(timeout_s * 1e9);

	(void)d;
	do {
		if (pred(ud))
			return true;
		usleep(100000);
	} while (ky_time_mono_ns() < end);
	return pred(ud);
}

void demo_say(struct demo *d, const char *who, const char *fmt, ...)
{
	va_list ap;

	printf("%6.1f s  %-6s ", demo_elapsed(d), who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

bool demo_step(struct demo *d, bool ok, const char *what, const char *why)
{
	if (ok) {
		if (d->check)
			printf("%6.1f s  check  ok: %s\n", demo_elapsed(d),
			       what);
	} else {
		d->failed++;
		printf("%6.1f s  check  FAILED: %s%s%s\n", demo_elapsed(d),
		       what, why && *why ? ": " : "", why ? why : "");
	}
	fflush(stdout);
	return ok;
}
