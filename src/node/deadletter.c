/* The dead letter: every rejected record with where it came from and why,
 * as JSON lines in DIR/deadletter-YYYYMMDD.jsonl (rotated past a size) and,
 * when a store is given, as rows of its deadletter table. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/time.h"
#include "node/ingest.h"

/* Bytes of the rejected record kept as evidence; the rest is noted as cut. */
#define DL_RAW_MAX 4096
/* Cap on one JSON line: raw (base64 worst case) plus input and reason. */
#define DL_LINE_MAX (4 * DL_RAW_MAX + 16384)

/* Rejections logged when there is neither a file nor a store. */
#define DL_LOG_MAX 10

struct ky_deadletter {
	pthread_mutex_t mu;
	char *dir;
	size_t max_bytes;
	struct ky_store *store;
	int fd;	       /* the day's file, or -1 */
	char day[9];   /* YYYYMMDD of the open file */
	uint64_t size; /* bytes in the open file */
	uint64_t written;
	struct ky_buf line;
	bool warned;
};

int ky_deadletter_open(struct ky_deadletter **out, const char *dir,
		       size_t max_bytes, struct ky_store *store,
		       struct ky_err *err)
{
	struct ky_deadletter *d = NULL;
	int r = 0;

	*out = NULL;
	if (dir && mkdir(dir, 0750) != 0 && errno != EEXIST) {
		r = ky_err_set(err, KY_E_IO, "%s: cannot create: %s", dir,
			       strerror(errno));
		goto out;
	}
	if (!(d = calloc(1, sizeof(*d))) || (dir && !(d->dir = strdup(dir)))) {
		r = ky_err_set(err, KY_E_NOMEM, "dead letter: out of memory");
		goto out;
	}
	pthread_mutex_init(&d->mu, NULL);
	d->fd = -1;
	d->max_bytes = max_bytes;
	d->store = store;
	ky_buf_init(&d->line, DL_LINE_MAX);
	*out = d;
	d = NULL; /* transferred */
out:
	if (d) {
		free(d->dir);
		free(d);
	}
	return r;
}

void ky_deadletter_close(struct ky_deadletter *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	ky_buf_free(&d->line);
	pthread_mutex_destroy(&d->mu);
	free(d->dir);
	free(d);
}

uint64_t ky_deadletter_written(const struct ky_deadletter *d)
{
	uint64_t n;

	pthread_mutex_lock((pthread_mutex_t *)&d->mu);
	n = d->written;
	pthread_mutex_unlock((pthread_mutex_t *)&d->mu);
	return n;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Length of s[0..n) without a UTF-8 sequence cut at the end, so that a
 * capped valid string stays valid. */
static size_t utf8_trim_cut(const unsigned char *s, size_t n)
{
	for (size_t back = 1; back <= 4 && back <= n; back++) {
		unsigned c = s[n - back];
		size_t need;

		if ((c & 0xc0) == 0x80)
			continue; /* continuation: look further back */
		if (c < 0x80)
			return n;
		need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
		return need > back ? n - back : n;
	}
	return n;
}

static int add_base64(struct ky_buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		r = ky_buf_add(b, q, 4);
	}
	return r;
}

static int format_line(struct ky_deadletter *d, const char *when,
		       const char *input, uint64_t line, uint64_t offset,
		       const char *reason, const char *raw, size_t raw_len,
		       size_t keep)
{
	struct ky_buf *b = &d->line;
	const unsigned char *u = (const unsigned char *)raw;
	bool text = utf8_valid(u, keep);
	int r = 0;

	ky_buf_reset(b);
	r |= ky_buf_addf(b, "{\"time\":\"%s\",\"input\":", when);
	r |= ky_buf_add_json_str(b, input, strlen(input));
	r |= ky_buf_addf(b, ",\"line\":%llu,\"offset\":%llu,\"reason\":",
			 (unsigned long long)line, (unsigned long long)offset);
	r |= ky_buf_add_json_str(b, reason, strlen(reason));
	if (text) {
		r |= ky_buf_adds(b, ",\"raw\":");
		r |= ky_buf_add_json_str(b, raw, keep);
	} else {
		r |= ky_buf_adds(b, ",\"raw_b64\":\"");
		r |= add_base64(b, u, keep);
		r |= ky_buf_addc(b, '"');
	}
	if (keep < raw_len)
		r |= ky_buf_adds(b, ",\"truncated\":true");
	r |= ky_buf_adds(b, "}\n");
	return r ? KY_E_TOOBIG : 0;
}

static void close_file(struct ky_deadletter *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Moves the day's file aside to the first free NAME.K (K = 1, 2, ...): a
 * higher suffix is a newer file.  No-replace renaming, so that two
 * processes rotating at once never overwrite each other's file. */
static int rotate(struct ky_deadletter *d, const char *name)
{
	char to[4096];

	close_file(d);
	for (unsigned k = 1; k < 100000; k++) {
		int w = snprintf(to, sizeof(to), "%s.%u", name, k);

		if (w < 0 || (size_t)w >= sizeof(to))
			return KY_E_IO;
		if (renameat2(AT_FDCWD, name, AT_FDCWD, to, RENAME_NOREPLACE) ==
		    0)
			return 0;
		if (errno == EEXIST)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return KY_E_IO;
		/* No RENAME_NOREPLACE on this file system: check first. */
		struct stat st;
		if (stat(to, &st) != 0 && errno == ENOENT)
			return rename(name, to) == 0 ? 0 : KY_E_IO;
	}
	return KY_E_IO;
}

/* Appends the whole line or nothing: a short write (disk full, file size
 * limit) is cut off again, so that the next line does not continue it.
 * Another process may append to the same file (kyklos ingest while the
 * daemon runs): the size is taken from the file, and a cut is made only
 * when nobody wrote after us. */
static int append_line(struct ky_deadletter *d)
{
	const char *p = d->line.data;
	size_t left = d->line.len, done = 0;
	struct stat st;
	uint64_t start = d->size;
	int e;

	if (fstat(d->fd, &st) == 0)
		start = (uint64_t)st.st_size;
	while (left > 0) {
		ssize_t w = write(d->fd, p + done, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			if (done > 0 && (fstat(d->fd, &st) != 0 ||
					 (uint64_t)st.st_size != start + done ||
					 ftruncate(d->fd, (off_t)start) != 0))
				close_file(d); /* reopened next time */
			errno = e;
			return KY_E_IO;
		}
		done += (size_t)w;
		left -= (size_t)w;
	}
	d->size = start + done;
	return 0;
}

static int write_file(struct ky_deadletter *d, const char *day)
{
	char name[4096];
	struct stat st;

	int w = snprintf(name, sizeof(name), "%s/deadletter-%s.jsonl", d->dir,
			 day);

	if (w < 0 || (size_t)w >= sizeof(name))
		return KY_E_IO;
	if (d->fd >= 0 && strcmp(d->day, day) != 0)
		close_file(d); /* a new day, a new file */
	if (d->fd >= 0 && d->max_bytes && d->size > 0 &&
	    d->size + d->line.len > d->max_bytes && rotate(d, name) != 0)
		return KY_E_IO;
	if (d->fd < 0) {
		d->fd = open(name,
			     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
				     O_NOFOLLOW,
			     0640);
		if (d->fd < 0)
			return KY_E_IO;
		if (fstat(d->fd, &st) != 0) {
			close_file(d);
			return KY_E_IO;
		}
		d->size = (uint64_t)st.st_size;
		memcpy(d->day, day, sizeof(d->day));
		if (d->max_bytes && d->size > 0 &&
		    d->size + d->line.len > d->max_bytes)
			return write_file(d, day); /* rotate what we found */
	}
	return append_line(d);
}

int ky_deadletter_add(struct ky_deadletter *d, const char *input, uint64_t line,
		      uint64_t offset, const char *reason, const char *raw,
		      size_t raw_len)
{
	char when[KY_TIME_RFC3339_LEN];
	char day[9];
	int64_t now = ky_time_now_ns();
	size_t keep = raw_len;
	struct ky_err err = {0};
	int r = 0;

	if (!input)
		input = "";
	if (!reason)
		reason = "";
	if (!raw)
		raw = "", raw_len = 0, keep = 0;
	if (keep > DL_RAW_MAX)
		keep = utf8_trim_cut((const unsigned char *)raw, DL_RAW_MAX);
	ky_time_format_rfc3339(now, when);
	memcpy(day, when, 4);
	memcpy(day + 4, when + 5, 2);
	memcpy(day + 6, when + 8, 2);
	day[8] = '\0';

	pthread_mutex_lock(&d->mu);
	d->written++;
	if (!d->dir && !d->store && d->written <= DL_LOG_MAX) {
		/* ingest.deadletter: false keeps nothing: say at least what
		 * the first rejections were. */
		KY_WARN("rejected %s:%" PRIu64 ": %s%s", input, line, reason,
			d->written == DL_LOG_MAX ? " (further rejections are "
						   "counted, not logged)"
						 : "");
	}
	if (d->dir) {
		r = format_line(d, when, input, line, offset, reason, raw,
				raw_len, keep);
		if (r == 0)
			r = write_file(d, day);
		if (r != 0 && !d->warned) {
			KY_WARN("%s: cannot write dead letter: %s", d->dir,
				r == KY_E_IO ? strerror(errno)
					     : ky_strerror(r));
			d->warned = true;
		}
	}
	if (d->store) {
		struct ky_deadletter_row row = {
			.time_ns = now,
			.input = input,
			.line = line,
			.offset = offset,
			.reason = reason,
			.raw = raw,
			.raw_len = keep,
		};
		int sr = ky_store_add_deadletter(d->store, &row, &err);

		if (sr != 0) {
			if (!d->warned)
				KY_WARN("%s", err.msg);
			d->warned = true;
			r = sr;
		}
	}
	pthread_mutex_unlock(&d->mu);
	return r;
}
