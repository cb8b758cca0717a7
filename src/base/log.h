/* Logging to stderr: level, file:line, printf-checked, as text or as JSON
 * lines.  When stderr is the journal (JOURNAL_STREAM set), text lines carry
 * sd-daemon "<N>" priority prefixes so journald keeps the level. */
#ifndef KY_BASE_LOG_H
#define KY_BASE_LOG_H

enum ky_level {
	KY_LOG_ERROR = 0,
	KY_LOG_WARN = 1,
	KY_LOG_INFO = 2,
	KY_LOG_DEBUG = 3,
};

enum ky_log_format { KY_LOG_TEXT = 0, KY_LOG_JSON = 1 };

void ky_log_set_level(enum ky_level level);
enum ky_level ky_log_get_level(void);
void ky_log_set_format(enum ky_log_format fmt);
/* Parses "error|warn|info|debug"; returns 0 or KY_E_INVAL. */
int ky_log_level_parse(const char *s, enum ky_level *out);

void ky_log_write(enum ky_level level, const char *file, int line,
		  const char *func, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define ky_log(level, ...)                                                     \
	do {                                                                   \
		if ((level) <= ky_log_get_level())                             \
			ky_log_write((level), __FILE__, __LINE__, __func__,    \
				     __VA_ARGS__);                             \
	} while (0)

#define KY_ERROR(...) ky_log(KY_LOG_ERROR, __VA_ARGS__)
#define KY_WARN(...) ky_log(KY_LOG_WARN, __VA_ARGS__)
#define KY_INFO(...) ky_log(KY_LOG_INFO, __VA_ARGS__)
#define KY_DEBUG(...) ky_log(KY_LOG_DEBUG, __VA_ARGS__)

#endif
