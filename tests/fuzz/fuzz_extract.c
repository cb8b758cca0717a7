/* Fuzzes field extraction: random program + message through the built-in
 * extractors and a few user patterns; with the top bit of the first byte
 * set, the input is instead a user pattern to compile and run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "event/event.h"
#include "event/extract.h"
#include "event/extract_int.h"

static struct ky_extractors *xs;
static struct ky_extract_scratch *scr;
static struct ky_arena *arena;
static struct ky_event ev;

static void init(void)
{
	static struct ky_config_pattern pats[] = {
		{"f_ssh", "sshd",
		 "Accepted %{word:auth} for %{word:user.name} from "
		 "%{ip:source.ip} port %{int:source.port}"},
		{"f_kv", NULL,
		 "%{data:a}=%{quoted:b} %{hex:c}:%{host:d} %{rest:e}"},
		{"f_app", "app",
		 "x %{ipv6:a}|%{ipv4:b}|%{notspace:c}|%{data:d}|%{int:e}"},
	};
	struct ky_config cfg;
	struct ky_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.extract_builtin = true;
	cfg.patterns = pats;
	cfg.npatterns = sizeof(pats) / sizeof(pats[0]);
	if (ky_extractors_new(&xs, &cfg, &err) != 0 ||
	    ky_extract_scratch_new(xs, &scr) != 0 ||
	    (arena = ky_arena_new(4096, 1 << 24)) == NULL ||
	    ky_event_init(&ev, arena, 1024) != 0)
		abort();
}

static void run_pattern(const char *pat, size_t n)
{
	static const char *const msgs[] = {
		"Accepted password for root from 1.2.3.4 port 22 ssh2",
		"a=\"b\\\"c\" dead:host.example rest of it",
		"x ::1|10.0.0.1|ab|cd|-5",
	};
	struct ky__xtr x;
	struct ky__upat *u = NULL;
	char *pre = NULL;
	struct ky_err err;

	memset(&x, 0, sizeof(x));
	if (ky__upat_compile("fuzz", pat, &u, &pre, &err) != 0)
		return;
	x.upat = u;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		ky_event_reset(&ev);
		ky__upat_parse(&x, msgs[i], strlen(msgs[i]), &ev);
	}
	ky_event_reset(&ev);
	ky__upat_parse(&x, pat, n, &ev);
	ky__upat_free(u);
	free(pre);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const progs[] = {NULL,     "sshd", "sudo", "su",
					    "kernel", "app",  "CRON", ""};
	const char *prog;
	char *msg;

	if (xs == NULL)
		init();
	if (size == 0)
		return 0;
	/* an exact-size copy so reads past the end are caught */
	if ((msg = malloc(size)) == NULL)
		return 0;
	memcpy(msg, data + 1, size - 1);
	msg[size - 1] = '\0';
	ky_arena_reset(arena);
	if (data[0] & 0x80) {
		run_pattern(msg, size - 1);
	} else {
		prog = progs[data[0] % (sizeof(progs) / sizeof(progs[0]))];
		ky_event_reset(&ev);
		ev.time_ns = 0;
		ky_extract(xs, scr, prog, prog ? strlen(prog) : 0, msg,
			   size - 1, &ev);
	}
	free(msg);
	return 0;
}
