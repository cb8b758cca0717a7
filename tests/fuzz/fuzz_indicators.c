/* libFuzzer target for the indicator loaders and normalisers: the input is
 * loaded as a plain list (guessed or forced type) or as CSV through a
 * memfd, then each line is looked up as every type and matched as event
 * fields; loaded values must be found again by ky_ioc_lookup. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "detect/indicators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ky_arena *arena;
static struct ky_event ev;

static const char *const names[] = {
	"source.ip", "dns.question.name", "url.original", "email.from.address",
	"Hashes",    "related.ip[3]",	  "x.custom"};

static int check_hit(void *ud, const struct ky_ioc_hit *hit)
{
	(void)ud;
	if (!hit->ioc || !hit->field || hit->ioc->warning)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_ioc_set *s;
	struct ky_err err;
	uint64_t loaded = 0, rejected = 0;
	char path[64];
	const char *p, *end;
	int fd, mode;

	if (size < 1)
		return 0;
	if (!arena) {
		ky_log_set_level(KY_LOG_ERROR);
		arena = ky_arena_new(1 << 16, 0);
		if (!arena || ky_event_init(&ev, arena, 256) != 0)
			abort();
	}
	mode = data[0] % 10;
	data++, size--;
	fd = memfd_create("ioc", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	s = ky_ioc_set_new();
	if (!s)
		abort();
	if (mode == 0)
		ky_ioc_load_csv(s, path, &loaded, &rejected, &err);
	else
		ky_ioc_load_list(s, path, mode - 2, mode == 9, &loaded,
				 &rejected, &err);
	close(fd);

	/* Every line as every type, and as event fields. */
	ky_event_reset(&ev);
	ky_arena_reset(arena);
	p = (const char *)data;
	end = p + size;
	for (size_t k = 0; p < end; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum ky_ioc_type t;
		for (int ty = 0; ty < KY_IOC_TYPES; ty++)
			(void)ky_ioc_lookup(s, (enum ky_ioc_type)ty, p, n);
		/* A value the list loader takes as it is must be found. */
		if (mode == 1 && n && !memchr(p, ' ', n) &&
		    !memchr(p, '\t', n) && !memchr(p, '\r', n) &&
		    !memchr(p, '\v', n) && !memchr(p, '\f', n) && p[0] != '#' &&
		    ky_ioc_type_guess(p, n, &t) == 0 &&
		    !ky_ioc_lookup(s, t, p, n))
			abort();
		const char *nm = names[k % (sizeof(names) / sizeof(names[0]))];
		(void)ky_event_add_str(&ev, nm, strlen(nm), p, n);
		p += n + 1;
	}
	if (ky_ioc_match_event(s, &ev, check_hit, NULL) < 0)
		abort();
	ky_ioc_set_free(s);
	return 0;
}
