/* The ingestion pipeline: frames a stream into records (newline-delimited,
 * pretty-printed JSON documents assembled across lines), parses each into an
 * event for the sink, and sends rejected records to the dead letter with
 * their input name, line and byte offset.  See docs/ingest.md. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/time.h"
#include "event/json.h"
#include "event/parse.h"
#include "node/ingest.h"

#define READ_CHUNK 65536
#define LOG_REJECTS 10
/* What the dead letter keeps of a record, plus one byte so that it notes
 * the cut. */
#define HEAD_MAX 4097

struct reader {
	FILE *fp;
	size_t len;	 /* valid bytes in buf */
	size_t pos;	 /* start of the next line */
	size_t scan;	 /* memchr resumes here (>= pos) */
	uint64_t base;	 /* stream offset of buf[0] */
	uint64_t lineno; /* number of the line at pos */
	int64_t recv_ns;
	bool eof;
	int read_errno;
	bool read_error;
};

/* One framed line: [start, end) without its "\n" or "\r\n". */
struct line {
	size_t start, end;
	uint64_t lineno;
	bool overlong;
};

enum get_status { GL_LINE, GL_END, GL_OVERLONG, GL_ERROR };

struct ky_ingest {
	struct ky_parse_ctx *ctx;
	struct ky_deadletter *dl;
	enum ky_format fmt;
	ky_event_sink sink;
	void *sink_ud;
	struct ky_ingest_counts counts;
	size_t max_line;
	char *buf; /* the stream buffer, reused across streams */
	size_t cap;
	struct reader rd;
	void (*progress)(void *ud, const struct ky_ingest_counts *c);
	void *progress_ud;
	uint64_t bytes0; /* counts.bytes when the stream began */
	char head[HEAD_MAX];
	unsigned logged; /* rejections logged (no dead letter) */
	struct ky_err perr;
	char reason[KY_ERR_MSG_MAX + 1024];
};

int ky_ingest_new(struct ky_ingest **out, const struct ky_parser *parser,
		  struct ky_deadletter *dl, enum ky_format fmt,
		  ky_event_sink sink, void *sink_ud, struct ky_err *err)
{
	static const struct ky_event_limits lim = KY_EVENT_LIMITS_DEFAULT;
	struct ky_ingest *in;
	int r;

	*out = NULL;
	if (!(in = calloc(1, sizeof(*in))))
		return ky_err_set(err, KY_E_NOMEM, "ingest: out of memory");
	if ((r = ky_parse_ctx_new(parser, &in->ctx)) != 0) {
		free(in);
		return ky_err_set(err, r, "ingest: parser context: %s",
				  ky_strerror(r));
	}
	in->dl = dl;
	in->fmt = fmt;
	in->sink = sink;
	in->sink_ud = sink_ud;
	in->max_line = lim.max_line;
	*out = in;
	return 0;
}

void ky_ingest_free(struct ky_ingest *in)
{
	if (!in)
		return;
	ky_parse_ctx_free(in->ctx);
	free(in->buf);
	free(in);
}

void ky_ingest_set_max_line(struct ky_ingest *in, size_t max_line)
{
	if (max_line > 0 && max_line < SIZE_MAX / 4)
		in->max_line = max_line;
}

const struct ky_ingest_counts *ky_ingest_counts(const struct ky_ingest *in)
{
	return &in->counts;
}

void ky_ingest_counts_reset(struct ky_ingest *in)
{
	memset(&in->counts, 0, sizeof(in->counts));
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool all_ws(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(p[i]))
			return false;
	return true;
}

static uint64_t count_nl(const char *p, size_t n)
{
	uint64_t k = 0;
	const char *e = p + n;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* Counts the record as rejected and writes the dead letter.  The reason
 * is "INPUT:LINE: why" (or "INPUT: byte OFFSET: why" without lines). */
static void reject(struct ky_ingest *in, const char *input, uint64_t line,
		   uint64_t offset, const char *rec, size_t n, const char *why)
{
	in->counts.rejected++;
	if (line)
		snprintf(in->reason, sizeof(in->reason), "%s:%llu: %s", input,
			 (unsigned long long)line, why);
	else
		snprintf(in->reason, sizeof(in->reason), "%s: byte %llu: %s",
			 input, (unsigned long long)offset, why);
	if (in->dl) {
		ky_deadletter_add(in->dl, input, line, offset, in->reason, rec,
				  n > HEAD_MAX ? HEAD_MAX : n);
	} else if (in->logged < LOG_REJECTS) {
		/* Without a dead letter the reasons would be lost: show the
		 * first few. */
		KY_WARN("rejected %s", in->reason);
		if (++in->logged == LOG_REJECTS)
			KY_WARN("further rejections are counted, not shown");
	}
}

/* For a record spanning lines, the parser's "offset N: ..." is more use
 * with the line it falls on. */
static const char *with_line(struct ky_ingest *in, const char *rec, size_t n,
			     uint64_t line, char *out, size_t outn)
{
	const char *msg = in->perr.msg;
	const char *at = strstr(msg, "offset ");
	unsigned long long off;
	char *end;

	if (!at)
		return msg;
	errno = 0;
	off = strtoull(at + 7, &end, 10);
	if (errno || end == at + 7 || off > n)
		return msg;
	snprintf(out, outn, "%s (line %llu)", msg,
		 (unsigned long long)(line + count_nl(rec, (size_t)off)));
	return out;
}

static int parse_one(struct ky_ingest *in, const char *input, uint64_t line,
		     uint64_t offset, const char *rec, size_t n,
		     enum ky_format fmt, int64_t recv_ns)
{
	struct ky_event *ev = NULL;
	char why[KY_ERR_MSG_MAX + 64];
	int r;

	in->counts.records++;
	ky_err_clear(&in->perr);
	r = ky_parse_record(in->ctx, fmt, rec, n, recv_ns, &ev, &in->perr);
	if (r != 0 || !ev) {
		if (!in->perr.msg[0])
			snprintf(in->perr.msg, sizeof(in->perr.msg), "%s",
				 ky_strerror(r ? r : KY_E_PARSE));
		reject(in, input, line, offset, rec, n,
		       memchr(rec, '\n', n)
			       ? with_line(in, rec, n, line, why, sizeof(why))
			       : in->perr.msg);
		return 0;
	}
	in->counts.accepted++;
	return in->sink ? in->sink(in->sink_ud, ev) : 0;
}

/* A top-level JSON array: each element is one event (objects only). */
static int split_array(struct ky_ingest *in, const char *input, uint64_t line,
		       uint64_t offset, const char *rec, size_t n,
		       int64_t recv_ns)
{
	char why[128];
	size_t pos = 1;
	unsigned idx = 0;
	int r = 0;

	for (;;) {
		while (pos < n && is_ws(rec[pos]))
			pos++;
		if (pos < n && rec[pos] == ']' && idx == 0)
			break; /* [] holds no events */
		uint64_t eline = line + count_nl(rec, pos);
		long len = ky_json_value_len(rec + pos, n - pos);

		if (len <= 0) {
			in->counts.records++;
			snprintf(why, sizeof(why),
				 "offset %zu: array element %u is not JSON",
				 pos, idx);
			reject(in, input, eline, offset + pos, rec + pos,
			       n - pos, why);
			break;
		}
		if (rec[pos] != '{') {
			in->counts.records++;
			snprintf(why, sizeof(why),
				 "offset %zu: array element %u is not an "
				 "object",
				 pos, idx);
			reject(in, input, eline, offset + pos, rec + pos,
			       (size_t)len, why);
		} else if ((r = parse_one(in, input, eline, offset + pos,
					  rec + pos, (size_t)len, KY_FMT_JSON,
					  recv_ns)) != 0) {
			break;
		}
		pos += (size_t)len;
		idx++;
		while (pos < n && is_ws(rec[pos]))
			pos++;
		if (pos < n && rec[pos] == ',') {
			pos++;
			continue;
		}
		if (pos < n && rec[pos] == ']')
			break;
		in->counts.records++;
		snprintf(why, sizeof(why),
			 "offset %zu: expected ',' or ']' after array element "
			 "%u",
			 pos, idx - 1);
		reject(in, input, line + count_nl(rec, pos), offset + pos,
		       rec + pos, n - pos, why);
		break;
	}
	return r;
}

static int process(struct ky_ingest *in, const char *input, uint64_t line,
		   uint64_t offset, const char *rec, size_t n,
		   enum ky_format fmt, int64_t recv_ns)
{
	if ((fmt == KY_FMT_JSON || fmt == KY_FMT_AUTO) && n > 0 &&
	    rec[0] == '[') {
		long len = ky_json_value_len(rec, n);

		if (len > 0 && all_ws(rec + len, n - (size_t)len))
			return split_array(in, input, line, offset, rec,
					   (size_t)len, recv_ns);
	}
	return parse_one(in, input, line, offset, rec, n, fmt, recv_ns);
}

int ky_ingest_record(struct ky_ingest *in, const char *input, uint64_t line,
		     uint64_t offset, const char *rec, size_t n,
		     int64_t recv_ns)
{
	char why[128];

	in->counts.bytes += n;
	while (n > 0 && (rec[n - 1] == '\n' || rec[n - 1] == '\r'))
		n--;
	if (all_ws(rec, n))
		return 0;
	if (n > in->max_line) {
		in->counts.records++;
		snprintf(why, sizeof(why),
			 "record longer than max_line (%zu > %zu bytes)", n,
			 in->max_line);
		reject(in, input, line, offset, rec, n, why);
		return 0;
	}
	return process(in, input, line, offset, rec, n, in->fmt, recv_ns);
}

/* ---- stream framing ---- */

static uint64_t rd_off(const struct ky_ingest *in, size_t idx)
{
	return in->rd.base + idx;
}

static void rd_rewind(struct ky_ingest *in, size_t idx, uint64_t lineno)
{
	in->rd.pos = idx;
	in->rd.scan = idx;
	in->rd.lineno = lineno;
}

static void report_progress(struct ky_ingest *in)
{
	in->counts.bytes = in->bytes0 + rd_off(in, in->rd.pos);
	if (in->progress)
		in->progress(in->progress_ud, &in->counts);
}

/* Reads more, first dropping what lies before keep (an index). */
static int rd_fill(struct ky_ingest *in, size_t keep)
{
	struct reader *rd = &in->rd;
	size_t n, want;

	if (keep > 0) {
		memmove(in->buf, in->buf + keep, rd->len - keep);
		rd->len -= keep;
		rd->pos -= keep;
		rd->scan -= keep;
		rd->base += keep;
	}
	want = in->cap - rd->len;
	if (want > READ_CHUNK)
		want = READ_CHUNK;
	if (want == 0)
		return GL_OVERLONG; /* cannot happen with cap > 2 lines */
	n = fread(in->buf + rd->len, 1, want, rd->fp);
	rd->recv_ns = ky_time_now_ns();
	if (n == 0) {
		if (ferror(rd->fp)) {
			rd->read_error = true;
			rd->read_errno = errno;
			return GL_ERROR;
		}
		rd->eof = true;
	}
	rd->len += n;
	report_progress(in);
	return GL_LINE;
}

/* Frames the next line, keeping bytes from index keep on.  Advances past
 * the line.  GL_OVERLONG: the line at pos has no newline within max_line
 * bytes (it is left unread). */
static int rd_line(struct ky_ingest *in, size_t keep, struct line *l)
{
	struct reader *rd = &in->rd;
	const char *nl;
	size_t end, next;
	int r;

	for (;;) {
		nl = rd->scan < rd->len ? memchr(in->buf + rd->scan, '\n',
						 rd->len - rd->scan)
					: NULL;
		if (nl) {
			end = (size_t)(nl - in->buf);
			next = end + 1;
			break;
		}
		rd->scan = rd->len;
		if (rd->len - rd->pos >= in->max_line + 2)
			return GL_OVERLONG;
		if (rd->eof) {
			if (rd->len == rd->pos)
				return GL_END;
			end = next = rd->len;
			break;
		}
		if ((r = rd_fill(in, keep)) != GL_LINE)
			return r;
		keep = 0; /* rd_fill moved the kept bytes to the front */
	}
	if (end > rd->pos && in->buf[end - 1] == '\r')
		end--;
	l->start = rd->pos;
	l->end = end;
	l->lineno = rd->lineno;
	l->overlong = end - rd->pos > in->max_line;
	rd->pos = next;
	rd->scan = next;
	rd->lineno++;
	return GL_LINE;
}

/* Consumes a line with no newline within max_line bytes, without holding
 * it: its first HEAD_MAX bytes are kept for the dead letter. */
static int rd_skip_overlong(struct ky_ingest *in, uint64_t *start,
			    uint64_t *lineno, size_t *head_len, uint64_t *total)
{
	struct reader *rd = &in->rd;
	size_t h = rd->len - rd->pos;
	const char *nl;
	int r;

	if (h > HEAD_MAX)
		h = HEAD_MAX;
	memcpy(in->head, in->buf + rd->pos, h);
	*head_len = h;
	*start = rd_off(in, rd->pos);
	*lineno = rd->lineno;
	for (;;) {
		nl = memchr(in->buf + rd->pos, '\n', rd->len - rd->pos);
		if (nl) {
			size_t end = (size_t)(nl - in->buf);

			*total = rd_off(in, end) - *start;
			rd_rewind(in, end + 1, rd->lineno + 1);
			return GL_LINE;
		}
		/* Drop everything read so far: nothing before pos is kept. */
		rd->base += rd->len;
		rd->len = rd->pos = rd->scan = 0;
		if (rd->eof) {
			*total = rd->base - *start;
			rd->lineno++;
			return GL_LINE;
		}
		if ((r = rd_fill(in, 0)) != GL_LINE)
			return r;
	}
}

/* A line that can continue a pretty-printed JSON value: indented, a
 * closing bracket, a key or a separator.  A line starting anything else
 * (a new JSON line, a syslog header) ends the value, so a truncated JSON
 * line never swallows its neighbours. */
static bool continues_json(const char *p, size_t n)
{
	return n == 0 || strchr(" \t}]\",:", p[0]) != NULL;
}

static int rd_fail(struct ky_ingest *in, const char *input, struct ky_err *err)
{
	return ky_err_set(err, KY_E_IO, "%s: read error at byte %llu: %s",
			  input, (unsigned long long)rd_off(in, in->rd.len),
			  strerror(in->rd.read_errno));
}

/* After a too-long document: skips its remaining continuation lines up to
 * and including a closing bracket in column 0. */
static int skip_document(struct ky_ingest *in)
{
	struct line l;
	uint64_t save_line;
	int g;

	for (;;) {
		save_line = in->rd.lineno;
		g = rd_line(in, in->rd.pos, &l);
		if (g == GL_ERROR)
			return KY_E_IO;
		if (g != GL_LINE)
			return 0; /* end, or an over-long line for the caller */
		if (l.overlong ||
		    !continues_json(in->buf + l.start, l.end - l.start)) {
			rd_rewind(in, l.start, save_line);
			return 0;
		}
		if (l.end > l.start &&
		    (in->buf[l.start] == '}' || in->buf[l.start] == ']'))
			return 0;
	}
}

/* The JSON value starting at index rs (line rline) does not end on its
 * line: gathers the following lines until it does.  Checks the value
 * length at closing brackets in column 0, at most each time the record
 * doubled, so that assembling stays linear. */
static int assemble(struct ky_ingest *in, const char *input, size_t rs,
		    uint64_t rline, size_t first_end)
{
	uint64_t rec_off = rd_off(in, rs);
	uint64_t end_off = rd_off(in, first_end);
	uint64_t checked = end_off - rec_off;
	uint64_t save_off, save_line;
	bool toolong = false, have_v = false;
	long v = KY_E_AGAIN;
	struct line l;
	const char *p;
	size_t n;
	char why[160];
	int g, r;

	for (;;) {
		save_off = rd_off(in, in->rd.pos);
		save_line = in->rd.lineno;
		g = rd_line(in, (size_t)(rec_off - in->rd.base), &l);
		if (g == GL_ERROR)
			return KY_E_IO;
		if (g == GL_END)
			break;
		if (g == GL_OVERLONG || l.overlong ||
		    !continues_json(in->buf + l.start, l.end - l.start)) {
			rd_rewind(in, (size_t)(save_off - in->rd.base),
				  save_line);
			break;
		}
		if (rd_off(in, l.end) - rec_off > in->max_line) {
			rd_rewind(in, (size_t)(save_off - in->rd.base),
				  save_line);
			toolong = true;
			break;
		}
		end_off = rd_off(in, l.end);
		if (l.end > l.start &&
		    (in->buf[l.start] == '}' || in->buf[l.start] == ']') &&
		    end_off - rec_off >= 2 * checked) {
			checked = end_off - rec_off;
			v = ky_json_value_len(in->buf + (rec_off - in->rd.base),
					      (size_t)checked);
			have_v = true;
			if (v != KY_E_AGAIN)
				break;
		}
	}
	p = in->buf + (rec_off - in->rd.base);
	n = (size_t)(end_off - rec_off);
	if (toolong) {
		in->counts.records++;
		snprintf(why, sizeof(why),
			 "JSON value spanning lines longer than max_line (%zu "
			 "bytes)",
			 in->max_line);
		reject(in, input, rline, rec_off, p, n, why);
		return skip_document(in);
	}
	if (!have_v || checked != n)
		v = ky_json_value_len(p, n);
	if (v > 0 && (size_t)v < n) {
		/* The value ended before the last line read: the record runs
		 * to the end of its line, what follows is read again. */
		const char *nl = memchr(p + v, '\n', n - (size_t)v);

		if (nl) {
			size_t rn = (size_t)(nl - p);

			rd_rewind(in, (size_t)(rec_off - in->rd.base) + rn + 1,
				  rline + count_nl(p, rn + 1));
			n = rn;
			if (n > 0 && p[n - 1] == '\r')
				n--;
		}
	}
	r = process(in, input, rline, rec_off, p, n, KY_FMT_JSON,
		    in->rd.recv_ns);
	return r;
}

int ky_ingest_stream(struct ky_ingest *in, const char *input, FILE *fp,
		     void (*progress)(void *ud,
				      const struct ky_ingest_counts *c),
		     void *progress_ud, struct ky_err *err)
{
	size_t need = 2 * in->max_line + 2 + READ_CHUNK;
	uint64_t start = 0, lineno = 0, total = 0;
	size_t hl = 0, n;
	struct line l;
	const char *p;
	char why[160];
	int g, r = 0;

	if (in->cap < need) {
		char *nb = realloc(in->buf, need);

		if (!nb)
			return ky_err_set(err, KY_E_NOMEM, "%s: out of memory",
					  input);
		in->buf = nb;
		in->cap = need;
	}
	memset(&in->rd, 0, sizeof(in->rd));
	in->rd.fp = fp;
	in->rd.lineno = 1;
	in->rd.recv_ns = ky_time_now_ns();
	in->bytes0 = in->counts.bytes;
	in->progress = progress;
	in->progress_ud = progress_ud;
	for (;;) {
		g = rd_line(in, in->rd.pos, &l);
		if (g == GL_END)
			break;
		if (g == GL_ERROR) {
			r = rd_fail(in, input, err);
			goto out;
		}
		if (g == GL_OVERLONG) {
			if ((g = rd_skip_overlong(in, &start, &lineno, &hl,
						  &total)) == GL_ERROR) {
				r = rd_fail(in, input, err);
				goto out;
			}
			in->counts.records++;
			snprintf(why, sizeof(why),
				 "line longer than max_line (%llu > %zu "
				 "bytes)",
				 (unsigned long long)total, in->max_line);
			reject(in, input, lineno, start, in->head, hl, why);
			continue;
		}
		p = in->buf + l.start;
		n = l.end - l.start;
		if (l.overlong) {
			in->counts.records++;
			snprintf(why, sizeof(why),
				 "line longer than max_line (%zu > %zu bytes)",
				 n, in->max_line);
			reject(in, input, l.lineno, rd_off(in, l.start), p, n,
			       why);
			continue;
		}
		if (rd_off(in, l.start) == 0 && n >= 3 &&
		    memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3; /* a UTF-8 byte order mark is not content */
			n -= 3;
		}
		if (all_ws(p, n))
			continue;
		if ((in->fmt == KY_FMT_JSON || in->fmt == KY_FMT_AUTO) &&
		    (p[0] == '{' || p[0] == '[')) {
			size_t k = n;

			while (k > 0 && is_ws(p[k - 1]))
				k--;
			if (p[k - 1] != '}' && p[k - 1] != ']' &&
			    ky_json_value_len(p, n) == KY_E_AGAIN) {
				r = assemble(in, input, (size_t)(p - in->buf),
					     l.lineno, l.end);
				if (r != 0 && in->rd.read_error) {
					r = rd_fail(in, input, err);
					goto out;
				}
				if (r != 0)
					goto sink_failed;
				continue;
			}
		}
		r = process(in, input, l.lineno,
			    rd_off(in, (size_t)(p - in->buf)), p, n, in->fmt,
			    in->rd.recv_ns);
		if (r != 0)
			goto sink_failed;
	}
	goto out;
sink_failed:
	ky_err_set(err, r, "%s:%llu: event sink failed: %s", input,
		   (unsigned long long)in->rd.lineno, ky_strerror(r));
out:
	in->counts.bytes = in->bytes0 + rd_off(in, in->rd.pos);
	if (progress)
		progress(progress_ud, &in->counts);
	in->progress = NULL;
	return r;
}
