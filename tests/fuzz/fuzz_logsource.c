/* libFuzzer target for the thor.yml-style logsource map loader.  The
 * loader reads a file, so each input is written to a memfd first; when it
 * loads, a few resolutions and matches exercise the built structures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "detect/logsource.h"
#include "event/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[][3] = {
		{"windows", "process_creation", NULL},
		{"windows", NULL, "security"},
		{"linux", NULL, "auth"},
		{NULL, NULL, NULL},
	};
	struct ky_logsources *ls = NULL;
	struct ky_err err;
	char path[64];
	int fd;

	ky_log_set_level(KY_LOG_ERROR);
	fd = memfd_create("logsources", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ky_logsources_load(&ls, path, &err) == 0) {
		struct ky_arena *a = ky_arena_new(4096, 0);
		struct ky_event ev;

		if (a != NULL && ky_event_init(&ev, a, 16) == 0) {
			ky_event_add_str(&ev, "EventID", 7, "1", 1);
			ky_event_add_str(&ev, "Channel", 7, "Security", 8);
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]);
			     k++) {
				const struct ky_ls_alt *const *alts = NULL;
				size_t n = 0;

				if (ky_logsources_resolve(
					    ls, keys[k][0], keys[k][1],
					    keys[k][2], &alts, &n) != 0)
					continue;
				for (size_t i = 0; i < n; i++)
					(void)ky_ls_alt_match(alts[i], &ev);
			}
			ky_event_free(&ev);
		}
		ky_arena_free(a);
		ky_logsources_free(ls);
	}
	close(fd);
	return 0;
}
