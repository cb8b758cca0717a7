/* Unit tests of the ingestion pipeline: exact counts, line numbers and
 * offsets with bad lines among good ones, the dead-letter file, over-long
 * lines, pretty-printed JSON documents, arrays, CRLF and a missing final
 * newline. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/time.h"
#include "event/parse.h"
#include "node/ingest.h"

/* Defined in node/ingest.c (not yet in ingest.h). */

#define MAXEV 64

struct got {
	int n;
	char a[MAXEV][32]; /* the field "a", or "" */
	size_t raw_len[MAXEV];
	char raw_head[MAXEV][16];
	int nfields[MAXEV];
	int stop_at; /* sink fails on this event (1-based), 0 = never */
};

static int sink(void *ud, const struct ky_event *ev)
{
	struct got *g = ud;
	const struct ky_field *f = ky_event_get(ev, "a");

	if (g->n >= MAXEV)
		return KY_E_TOOBIG;
	snprintf(g->a[g->n], sizeof(g->a[0]), "%.*s", f ? (int)f->str_len : 0,
		 f ? f->str : "");
	g->raw_len[g->n] = ev->raw_len;
	snprintf(g->raw_head[g->n], sizeof(g->raw_head[0]), "%.*s",
		 (int)(ev->raw_len < 15 ? ev->raw_len : 15), ev->raw);
	g->nfields[g->n] = (int)ev->nfields;
	g->n++;
	if (g->stop_at && g->n == g->stop_at)
		return KY_E_INVAL;
	return 0;
}

struct fx {
	char dir[64];
	char dldir[96];
	struct ky_parser *parser;
	struct ky_deadletter *dl;
	struct ky_ingest *in;
	struct got got;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ky_err err = {0};

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/kyklos-ingest-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->dldir, sizeof(f->dldir), "%s/deadletter", f->dir);
	if (ky_parser_new(&f->parser, NULL, &err) != 0) {
		fprintf(stderr, "parser: %s\n", err.msg);
		return -1;
	}
	if (ky_deadletter_open(&f->dl, f->dldir, 0, NULL, &err) != 0)
		return -1;
	*state = f;
	return 0;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[512];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ky_ingest_free(f->in);
	ky_deadletter_close(f->dl);
	ky_parser_free(f->parser);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static void make_ingest(struct fx *f, enum ky_format fmt)
{
	struct ky_err err = {0};

	ky_ingest_free(f->in);
	f->in = NULL;
	assert_int_equal(ky_ingest_new(&f->in, f->parser, f->dl, fmt, sink,
				       &f->got, &err),
			 0);
}

static int run_mem(struct fx *f, const char *data, size_t n)
{
	struct ky_err err = {0};
	FILE *fp = fmemopen((void *)data, n, "rb");
	int r;

	assert_non_null(fp);
	r = ky_ingest_stream(f->in, "mem", fp, NULL, NULL, &err);
	fclose(fp);
	return r;
}

/* The dead-letter file of today, parsed: a JSON array of its lines. */
static json_t *read_deadletters(struct fx *f)
{
	char when[KY_TIME_RFC3339_LEN], path[256], line[65536];
	json_t *arr = json_array();
	FILE *fp;

	ky_time_format_rfc3339(ky_time_now_ns(), when);
	snprintf(path, sizeof(path), "%s/deadletter-%.4s%.2s%.2s.jsonl",
		 f->dldir, when, when + 5, when + 8);
	fp = fopen(path, "rb");
	if (!fp)
		return arr;
	while (fgets(line, sizeof(line), fp)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);

		assert_non_null(o);
		json_array_append_new(arr, o);
	}
	fclose(fp);
	return arr;
}

static const char *dl_str(json_t *arr, size_t i, const char *key)
{
	json_t *v = json_object_get(json_array_get(arr, i), key);

	return v ? json_string_value(v) : NULL;
}

static json_int_t dl_int(json_t *arr, size_t i, const char *key)
{
	return json_integer_value(json_object_get(json_array_get(arr, i), key));
}

static void test_good_and_bad(void **state)
{
	struct fx *f = *state;
	static const char data[] = "{\"a\":1}\n"	    /* 1 @0 */
				   "{\"a\":2,\n"	    /* 2 @8 */
				   "{\"a\":3}\n"	    /* 3 @16 */
				   "{\"a\":\"\\q\"}\n"	    /* 4 @24 */
				   "\n"			    /* 5 @35 */
				   "{\"a\":4}\n"	    /* 6 @36 */
				   "not json at all\n"	    /* 7 @44 */
				   "{\"a\":\"\xff\xfe\"}\n" /* 8 @60 */
				   "{\"a\":5}\n";	    /* 9 @71 */
	const struct ky_ingest_counts *c;
	json_t *dl;

	make_ingest(f, KY_FMT_JSON);
	assert_int_equal(run_mem(f, data, sizeof(data) - 1), 0);
	c = ky_ingest_counts(f->in);
	assert_int_equal(c->records, 8);
	assert_int_equal(c->accepted, 4);
	assert_int_equal(c->rejected, 4);
	assert_int_equal(c->bytes, sizeof(data) - 1);
	assert_int_equal(f->got.n, 4);
	assert_string_equal(f->got.a[0], "1");
	assert_string_equal(f->got.a[1], "3");
	assert_string_equal(f->got.a[2], "4");
	assert_string_equal(f->got.a[3], "5");
	assert_int_equal(ky_deadletter_written(f->dl), 4);

	dl = read_deadletters(f);
	assert_int_equal(json_array_size(dl), 4);
	assert_int_equal(dl_int(dl, 0, "line"), 2);
	assert_int_equal(dl_int(dl, 0, "offset"), 8);
	assert_string_equal(dl_str(dl, 0, "raw"), "{\"a\":2,");
	assert_string_equal(dl_str(dl, 0, "input"), "mem");
	assert_true(strncmp(dl_str(dl, 0, "reason"), "mem:2: ", 7) == 0);
	assert_int_equal(dl_int(dl, 1, "line"), 4);
	assert_int_equal(dl_int(dl, 1, "offset"), 24);
	assert_true(strncmp(dl_str(dl, 1, "reason"), "mem:4: ", 7) == 0);
	assert_non_null(strstr(dl_str(dl, 1, "reason"), "escape"));
	assert_string_equal(dl_str(dl, 1, "raw"), "{\"a\":\"\\q\"}");
	assert_int_equal(dl_int(dl, 2, "line"), 7);
	assert_int_equal(dl_int(dl, 2, "offset"), 44);
	/* Invalid UTF-8 is kept as base64. */
	assert_int_equal(dl_int(dl, 3, "line"), 8);
	assert_int_equal(dl_int(dl, 3, "offset"), 60);
	assert_null(dl_str(dl, 3, "raw"));
	assert_string_equal(dl_str(dl, 3, "raw_b64"), "eyJhIjoi//4ifQ==");
	assert_non_null(dl_str(dl, 3, "time"));
	json_decref(dl);
}

static void test_overlong_not_split(void **state)
{
	struct fx *f = *state;
	size_t big = 300000; /* larger than the whole stream buffer */
	size_t n = 0;
	char *data = malloc(big + 1000);
	const struct ky_ingest_counts *c;
	json_t *dl;

	assert_non_null(data);
	n += (size_t)snprintf(data + n, 100, "{\"a\":1}\n");
	/* A JSON line of 150 bytes, limit 100: one rejection. */
	n += (size_t)snprintf(data + n, 200, "{\"a\":\"%0140d\"}\n", 7);
	n += (size_t)snprintf(data + n, 100, "{\"a\":2}\n");
	/* A line that holds newline-free JSON-looking fragments throughout:
	 * none of it may come out as an event. */
	size_t long_off = n;
	for (size_t k = 0; k < big / 8; k++) {
		memcpy(data + n, "{\"a\":9}", 7);
		data[n + 7] = ' ';
		n += 8;
	}
	data[n++] = '\n';
	n += (size_t)snprintf(data + n, 100, "{\"a\":3}\n");
	/* An over-long last line without a newline. */
	memset(data + n, 'x', 150);
	n += 150;

	make_ingest(f, KY_FMT_AUTO);
	ky_ingest_set_max_line(f->in, 100);
	assert_int_equal(run_mem(f, data, n), 0);
	c = ky_ingest_counts(f->in);
	assert_int_equal(c->accepted, 3);
	assert_int_equal(c->rejected, 3);
	assert_int_equal(c->records, 6);
	assert_int_equal(c->bytes, n);
	assert_string_equal(f->got.a[0], "1");
	assert_string_equal(f->got.a[1], "2");
	assert_string_equal(f->got.a[2], "3");

	dl = read_deadletters(f);
	assert_int_equal(json_array_size(dl), 3);
	assert_int_equal(dl_int(dl, 0, "line"), 2);
	assert_int_equal(dl_int(dl, 1, "line"), 4);
	assert_int_equal(dl_int(dl, 1, "offset"), (json_int_t)long_off);
	assert_non_null(strstr(dl_str(dl, 1, "reason"), "max_line"));
	/* The evidence is capped at 4096 bytes, and the cut is noted. */
	assert_int_equal(strlen(dl_str(dl, 1, "raw")), 4096);
	assert_true(json_is_true(
		json_object_get(json_array_get(dl, 1), "truncated")));
	assert_int_equal(dl_int(dl, 2, "line"), 6);
	json_decref(dl);
	free(data);
}

static void test_pretty_documents(void **state)
{
	struct fx *f = *state;
	static const char data[] = "{\n"				 /* 1 */
				   "  \"a\": \"doc1\",\n"		 /* 2 */
				   "  \"b\": {\n"			 /* 3 */
				   "    \"c\": [1, 2, {\"d\": \"}\"}]\n" /* 4 */
				   "  }\n"				 /* 5 */
				   "}\n"				 /* 6 */
				   "{\"a\":\"line7\"}\n"		 /* 7 */
				   "{\"a\": \"doc2\",\n"		 /* 8 */
				   "\"b\": 1}\n"			 /* 9 */
				   "[\n"				/* 10 */
				   "  {\"a\": \"el0\"},\n"		/* 11 */
				   "  5,\n"				/* 12 */
				   "  {\"a\": \"el2\"}\n"		/* 13 */
				   "]\n"				/* 14 */
				   "{\n"				/* 15 */
				   "  \"a\": \"bad\\q\"\n"		/* 16 */
				   "}\n"				/* 17 */
				   "<13>May  1 12:00:05 h sshd[1]: x\n" /* 18 */
				   "{\n"				/* 19 */
				   "  \"a\": \"truncated at EOF\",\n";	/* 20 */
	const struct ky_ingest_counts *c;
	json_t *dl;

	make_ingest(f, KY_FMT_AUTO);
	assert_int_equal(run_mem(f, data, sizeof(data) - 1), 0);
	c = ky_ingest_counts(f->in);
	assert_int_equal(f->got.n, 6);
	assert_string_equal(f->got.a[0], "doc1");
	assert_int_equal(f->got.raw_len[0], 59);
	assert_string_equal(f->got.a[1], "line7");
	assert_string_equal(f->got.a[2], "doc2");
	assert_string_equal(f->got.a[3], "el0");
	assert_string_equal(f->got.a[4], "el2");
	assert_string_equal(f->got.a[5], ""); /* the syslog line */
	assert_int_equal(c->accepted, 6);
	assert_int_equal(c->rejected, 3);
	assert_int_equal(c->records, 9);

	dl = read_deadletters(f);
	assert_int_equal(json_array_size(dl), 3);
	assert_int_equal(dl_int(dl, 0, "line"), 12); /* the array's 5 */
	assert_non_null(strstr(dl_str(dl, 0, "reason"), "not an object"));
	assert_int_equal(dl_int(dl, 1, "line"), 15);
	/* The parser's offset is given with the line it falls on. */
	assert_true(strncmp(dl_str(dl, 1, "reason"), "mem:15: ", 8) == 0);
	assert_non_null(strstr(dl_str(dl, 1, "reason"), "(line 16)"));
	assert_int_equal(dl_int(dl, 2, "line"), 19);
	assert_string_equal(dl_str(dl, 2, "raw"),
			    "{\n  \"a\": \"truncated at EOF\",");
	json_decref(dl);
}

static void test_crlf_and_no_final_newline(void **state)
{
	struct fx *f = *state;
	static const char data[] = "{\"a\":1}\r\n"
				   "\r\n"
				   "{\"a\":\r\n"
				   "  2}\r\n"
				   "bad\r\n"
				   "{\"a\":3}";
	const struct ky_ingest_counts *c;
	json_t *dl;

	make_ingest(f, KY_FMT_JSON);
	assert_int_equal(run_mem(f, data, sizeof(data) - 1), 0);
	c = ky_ingest_counts(f->in);
	assert_int_equal(c->records, 4);
	assert_int_equal(c->accepted, 3);
	assert_int_equal(c->rejected, 1);
	assert_int_equal(c->bytes, sizeof(data) - 1);
	assert_string_equal(f->got.a[0], "1");
	assert_int_equal(f->got.raw_len[0], 7); /* no CR in the raw bytes */
	assert_string_equal(f->got.a[1], "2");
	assert_int_equal(f->got.raw_len[1], 11);
	assert_string_equal(f->got.a[2], "3");
	dl = read_deadletters(f);
	assert_int_equal(json_array_size(dl), 1);
	assert_int_equal(dl_int(dl, 0, "line"), 5);
	assert_int_equal(dl_int(dl, 0, "offset"), 24);
	assert_string_equal(dl_str(dl, 0, "raw"), "bad");
	json_decref(dl);
}

static void test_record_api_and_sink_stop(void **state)
{
	struct fx *f = *state;
	static const char data[] = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
	const struct ky_ingest_counts *c;
	struct ky_err err = {0};
	FILE *fp;

	make_ingest(f, KY_FMT_AUTO);
	assert_int_equal(
		ky_ingest_record(f->in, "udp", 0, 0, "{\"a\":1}\n", 8, 1), 0);
	assert_int_equal(ky_ingest_record(f->in, "udp", 0, 8, "{\"a\":", 5, 1),
			 0);
	assert_int_equal(ky_ingest_record(f->in, "udp", 0, 13, "  ", 2, 1), 0);
	assert_int_equal(ky_ingest_record(f->in, "udp", 0, 15,
					  "[{\"a\":7},{\"a\":8}]", 17, 1),
			 0);
	c = ky_ingest_counts(f->in);
	assert_int_equal(c->records, 4);
	assert_int_equal(c->accepted, 3);
	assert_int_equal(c->rejected, 1);
	assert_int_equal(c->bytes, 32);
	assert_string_equal(f->got.a[1], "7");
	assert_string_equal(f->got.a[2], "8");
	ky_ingest_counts_reset(f->in);
	assert_int_equal(ky_ingest_counts(f->in)->records, 0);

	/* A failing sink stops the stream with its status. */
	memset(&f->got, 0, sizeof(f->got));
	f->got.stop_at = 2;
	fp = fmemopen((void *)data, sizeof(data) - 1, "rb");
	assert_int_equal(ky_ingest_stream(f->in, "mem", fp, NULL, NULL, &err),
			 KY_E_INVAL);
	fclose(fp);
	assert_int_equal(f->got.n, 2);
	assert_non_null(strstr(err.msg, "mem:"));
}

/* Top-level documents in a pretty-printed file: lines opening with '{'. */
static uint64_t count_docs(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint64_t n = 0;
	int c, prev = '\n';

	assert_non_null(fp);
	while ((c = getc(fp)) != EOF) {
		if (prev == '\n' && c == '{')
			n++;
		prev = c;
	}
	fclose(fp);
	return n;
}

/* Ingests every .json file under dir, each as one stream: one event per
 * document (some files hold two documents back to back). */
static int ingest_tree(struct fx *f, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];
	int files = 0;

	if (!d)
		return 0;
	while (depth < 12 && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		struct ky_err err = {0};
		struct stat st;
		FILE *fp;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			files += ingest_tree(f, p, depth + 1);
			continue;
		}
		if (l <= 5 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		fp = fopen(p, "rb");
		assert_non_null(fp);
		f->got.n = 0;
		ky_ingest_counts_reset(f->in);
		assert_int_equal(
			ky_ingest_stream(f->in, p, fp, NULL, NULL, &err), 0);
		fclose(fp);
		if (ky_ingest_counts(f->in)->accepted != count_docs(p))
			printf("not one event per document: %s\n", p);
		assert_int_equal(ky_ingest_counts(f->in)->rejected, 0);
		assert_int_equal(ky_ingest_counts(f->in)->accepted,
				 count_docs(p));
		assert_int_equal(f->got.n, count_docs(p));
		assert_int_equal(ky_ingest_counts(f->in)->bytes,
				 (uint64_t)st.st_size);
		assert_true(f->got.nfields[0] > 5);
		assert_int_equal(f->got.raw_head[0][0], '{');
		files++;
	}
	closedir(d);
	return files;
}

/* Every evtx-style regression document of the Sigma repository (pretty
 * printed over many lines) ingests as exactly one event. */
static void test_sigma_regression_documents(void **state)
{
	struct fx *f = *state;
	const char *shared = getenv("KYKLOS_SHARED_DATA");
	char dir[512];
	struct stat st;
	int n;

	snprintf(dir, sizeof(dir), "%s/sigma/regression_data",
		 shared ? shared : "../shared/data");
	if (stat(dir, &st) != 0) {
		printf("skipping: missing folder %s\n", dir);
		skip();
	}
	make_ingest(f, KY_FMT_AUTO);
	n = ingest_tree(f, dir, 0);
	printf("%d regression files ingested, one event per document\n", n);
	assert_true(n > 0);
}

static void test_deadletter_store_and_rotation(void **state)
{
	struct fx *f = *state;
	struct ky_store *s = NULL;
	struct ky_deadletter *dl = NULL;
	struct ky_err err = {0};
	char db[128], name[160];
	char raw[5000];
	uint64_t n = 0;
	struct stat st;

	snprintf(db, sizeof(db), "%s/k.db", f->dir);
	assert_int_equal(ky_store_open(&s, db, 0, 1000, &err), 0);
	snprintf(name, sizeof(name), "%s/rot", f->dir);
	assert_int_equal(ky_deadletter_open(&dl, name, 3000, s, &err), 0);
	memset(raw, 'r', sizeof(raw));
	for (int i = 0; i < 5; i++)
		assert_int_equal(ky_deadletter_add(dl, "in", (uint64_t)i + 1, 0,
						   "why", raw, 1000),
				 0);
	/* Longer than the cap: the row keeps 4096 bytes. */
	assert_int_equal(
		ky_deadletter_add(dl, "in", 6, 0, "why", raw, sizeof(raw)), 0);
	assert_int_equal(ky_deadletter_written(dl), 6);
	assert_int_equal(ky_store_deadletter_count(s, &n, &err), 0);
	assert_int_equal(n, 6);
	ky_deadletter_close(dl);
	/* 1000-byte records in files of 3000 bytes: rotated to .1, .2. */
	char when[KY_TIME_RFC3339_LEN];
	ky_time_format_rfc3339(ky_time_now_ns(), when);
	snprintf(name, sizeof(name), "%s/rot/deadletter-%.4s%.2s%.2s.jsonl.1",
		 f->dir, when, when + 5, when + 8);
	assert_int_equal(stat(name, &st), 0);
	assert_true(st.st_size <= 3000);
	name[strlen(name) - 1] = '2';
	assert_int_equal(stat(name, &st), 0);
	ky_store_close(s);
}

/* A write cut short (disk full, file size limit) must not leave half a
 * line that the next entry would be glued to: every line stays JSON. */
static void test_deadletter_partial_write(void **state)
{
	struct fx *f = *state;
	struct ky_deadletter *dl = NULL;
	struct ky_err err = {0};
	struct rlimit old, lim;
	struct stat st;
	char dir[128], path[200], when[KY_TIME_RFC3339_LEN];
	char raw[1000], line[8192];
	int r, lines = 0;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/pw", f->dir);
	assert_int_equal(ky_deadletter_open(&dl, dir, 0, NULL, &err), 0);
	assert_int_equal(ky_deadletter_add(dl, "in", 1, 0, "first", "a", 1), 0);
	ky_time_format_rfc3339(ky_time_now_ns(), when);
	snprintf(path, sizeof(path), "%s/deadletter-%.4s%.2s%.2s.jsonl", dir,
		 when, when + 5, when + 8);
	assert_int_equal(stat(path, &st), 0);
	memset(raw, 'x', sizeof(raw));
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = ky_deadletter_add(dl, "in", 2, 0, "cut", raw, sizeof(raw));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_not_equal(r, 0);
	assert_int_equal(ky_deadletter_add(dl, "in", 3, 0, "third", "c", 1), 0);
	ky_deadletter_close(dl);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		if (j == NULL)
			print_error("line %d is not JSON: %.60s\n", lines + 1,
				    line);
		assert_non_null(j);
		assert_string_equal(
			json_string_value(json_object_get(j, "reason")),
			lines == 0 ? "first" : "third");
		json_decref(j);
		lines++;
	}
	fclose(fp);
	assert_int_equal(lines, 2);
}

/* With neither a directory nor a store (ingest.deadletter: false) the
 * first rejections are still logged, then only counted. */
static void test_deadletter_nowhere_logs(void **state)
{
	struct ky_deadletter *dl = NULL;
	struct ky_err err = {0};
	char out[8192];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;
	(void)state;

	assert_non_null(tmp);
	assert_int_equal(ky_deadletter_open(&dl, NULL, 0, NULL, &err), 0);
	dup2(fileno(tmp), STDERR_FILENO);
	for (uint64_t i = 1; i <= 12; i++)
		ky_deadletter_add(dl, "in.log", i, 0, "bad record", "x", 1);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	assert_int_equal(ky_deadletter_written(dl), 12);
	assert_non_null(strstr(out, "rejected in.log:1: bad record"));
	assert_non_null(strstr(out, "rejected in.log:10: bad record (further"));
	assert_null(strstr(out, "in.log:11:"));
	ky_deadletter_close(dl);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_good_and_bad),
		T(test_overlong_not_split),
		T(test_pretty_documents),
		T(test_crlf_and_no_final_newline),
		T(test_record_api_and_sink_stop),
		T(test_sigma_regression_documents),
		T(test_deadletter_store_and_rotation),
		T(test_deadletter_partial_write),
		T(test_deadletter_nowhere_logs),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
