/* Logging to stderr as text or JSON lines.  One write(2) per line so lines
 * from several threads do not interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/time.h"

static enum ky_level log_level = KY_LOG_INFO;
static enum ky_log_format log_format = KY_LOG_TEXT;

static const char *const level_names[] = {"error", "warn", "info", "debug"};
/* sd-daemon(3) priorities: err, warning, info, debug. */
static const int level_prio[] = {3, 4, 6, 7};

void ky_log_set_level(enum ky_level level)
{
	log_level = level;
}

enum ky_level ky_log_get_level(void)
{
	return log_level;
}

void ky_log_set_format(enum ky_log_format fmt)
{
	log_format = fmt;
}

int ky_log_level_parse(const char *s, enum ky_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum ky_level)i;
			return 0;
		}
	}
	return KY_E_INVAL;
}

void ky_log_write(enum ky_level level, const char *file, int line,
		  const char *func, const char *fmt, ...)
{
	char msg[2048], ts[KY_TIME_RFC3339_LEN];
	char line_buf[4096];
	const char *base;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	base = strrchr(file, '/');
	base = base ? base + 1 : file;

	if (log_format == KY_LOG_JSON) {
		struct ky_buf b;

		ky_time_format_rfc3339(ky_time_now_ns(), ts);
		ky_buf_init(&b, 8192);
		if (ky_buf_addf(&b, "{\"time\":\"%s\",\"level\":\"%s\",", ts,
				level_names[level]) == 0 &&
		    ky_buf_addf(&b, "\"src\":\"%s:%d\",\"func\":\"%s\",", base,
				line, func) == 0 &&
		    ky_buf_adds(&b, "\"msg\":") == 0 &&
		    ky_buf_add_json_str(&b, msg, strlen(msg)) == 0 &&
		    ky_buf_adds(&b, "}\n") == 0) {
			if (write(STDERR_FILENO, b.data, b.len) < 0) {
				/* Nowhere left to report it. */
			}
		}
		ky_buf_free(&b);
		return;
	}
	if (getenv("JOURNAL_STREAM") != NULL) {
		/* journald reads the priority prefix and adds its own time. */
		n = snprintf(line_buf, sizeof(line_buf), "<%d>%s: %s (%s:%d)\n",
			     level_prio[level], level_names[level], msg, base,
			     line);
	} else {
		ky_time_format_rfc3339(ky_time_now_ns(), ts);
		n = snprintf(line_buf, sizeof(line_buf), "%s %s: %s (%s:%d)\n",
			     ts, level_names[level], msg, base, line);
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line_buf)) {
		n = (int)sizeof(line_buf) - 1;
		line_buf[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line_buf, (size_t)n) < 0) {
		/* Nowhere left to report it. */
	}
}
