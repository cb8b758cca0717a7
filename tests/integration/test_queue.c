/* Unit tests of the daemon's pieces that need no network peer: record
 * batches and the bounded queue (back-pressure callback, close, blocking
 * push), the RFC 6587 framer, address parsing and binding, and the
 * Prometheus exposition. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "node/listen.h"
#include "node/metrics.h"
#include "node/queue.h"

/* ---- batches ---------------------------------------------------------- */

static void test_batch_add(void **state)
{
	struct ky_batch *b = ky_batch_new(3, 64);
	const struct ky_rec *r;

	(void)state;
	assert_non_null(b);
	assert_int_equal(ky_batch_add(b, 1, "src-a", KY_REC_DATA, "hello", 5, 5,
				      1, 0, 42),
			 0);
	assert_int_equal(
		ky_batch_add(b, 1, "src-a", KY_REC_DATA, "x", 1, 1, 2, 6, 43),
		0);
	assert_int_equal(ky_batch_add(b, 2, "src-b", KY_REC_TOOBIG, "pre", 3,
				      99999, 3, 8, 44),
			 0);
	assert_int_equal(b->n, 3);
	/* Third record filled max_recs. */
	assert_true(ky_batch_full(b, 1));
	assert_int_equal(
		ky_batch_add(b, 2, "src-b", KY_REC_DATA, "y", 1, 1, 4, 9, 45),
		KY_E_TOOBIG);
	r = &b->recs[0];
	assert_int_equal(r->len, 5);
	assert_memory_equal(ky_batch_rec_data(b, r), "hello", 5);
	assert_int_equal(ky_batch_rec_data(b, r)[5], '\0');
	assert_string_equal(ky_batch_rec_src(b, r), "src-a");
	/* The same source is stored once. */
	assert_int_equal(b->recs[1].src, b->recs[0].src);
	assert_string_equal(ky_batch_rec_src(b, &b->recs[2]), "src-b");
	assert_int_equal(b->recs[2].kind, KY_REC_TOOBIG);
	assert_int_equal(b->recs[2].size, 99999);
	assert_int_equal(b->recs[2].line, 3);
	assert_int_equal(b->recs[1].offset, 6);
	assert_int_equal(b->recs[1].recv_ns, 43);
	ky_batch_reset(b);
	assert_int_equal(b->n, 0);
	assert_false(ky_batch_full(b, 1000000));
	ky_batch_free(b);
}

static void test_batch_bytes(void **state)
{
	struct ky_batch *b = ky_batch_new(100, 32);
	char big[1000];

	(void)state;
	memset(big, 'a', sizeof(big));
	/* An empty batch takes one record of any size. */
	assert_int_equal(ky_batch_add(b, 1, "s", KY_REC_DATA, big, sizeof(big),
				      sizeof(big), 1, 0, 0),
			 0);
	assert_true(ky_batch_full(b, 1));
	assert_int_equal(
		ky_batch_add(b, 1, "s", KY_REC_DATA, "z", 1, 1, 2, 0, 0),
		KY_E_TOOBIG);
	assert_memory_equal(ky_batch_rec_data(b, &b->recs[0]), big,
			    sizeof(big));
	ky_batch_free(b);
	ky_batch_free(NULL);
}

static void test_batch_pool(void **state)
{
	struct ky_batch_pool *p;
	struct ky_batch *a, *b;

	(void)state;
	assert_int_equal(ky_batch_pool_new(&p), 0);
	a = ky_batch_pool_get(p, 4, 128);
	assert_non_null(a);
	assert_int_equal(
		ky_batch_add(a, 1, "s", KY_REC_DATA, "abc", 3, 3, 1, 0, 0), 0);
	ky_batch_pool_put(p, a);
	b = ky_batch_pool_get(p, 8, 128);
	assert_ptr_equal(a, b); /* recycled */
	assert_int_equal(b->n, 0);
	assert_int_equal(b->max_recs, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ky_batch_add(b, 1, "s", KY_REC_DATA, "q", 1, 1,
					      (uint64_t)i, 0, 0),
				 0);
	ky_batch_pool_put(p, b);
	ky_batch_pool_free(p);
	ky_batch_pool_free(NULL);
}

/* ---- queue ------------------------------------------------------------ */

static int space_calls;

static void on_space(void *ud)
{
	(void)ud;
	space_calls++;
}

static void test_queue_full(void **state)
{
	struct ky_queue *q;
	struct ky_queue_stats st;
	int items[3];

	(void)state;
	space_calls = 0;
	assert_int_equal(ky_queue_new(&q, 2, on_space, NULL), 0);
	assert_int_equal(ky_queue_try_push(q, &items[0], 10), 0);
	assert_int_equal(ky_queue_try_push(q, &items[1], 5), 0);
	assert_int_equal(ky_queue_try_push(q, &items[2], 7), KY_E_AGAIN);
	ky_queue_count_dropped(q, 7);
	ky_queue_stats(q, &st);
	assert_int_equal(st.in, 15);
	assert_int_equal(st.depth, 2);
	assert_int_equal(st.capacity, 2);
	assert_int_equal(st.dropped, 7);
	assert_int_equal(space_calls, 0);
	assert_ptr_equal(ky_queue_pop(q), &items[0]); /* FIFO */
	assert_int_equal(space_calls, 1);	      /* room after a refusal */
	assert_int_equal(ky_queue_try_push(q, &items[2], 7), 0);
	assert_ptr_equal(ky_queue_pop(q), &items[1]);
	assert_int_equal(space_calls, 1); /* no refusal since: no call */
	ky_queue_close(q);
	assert_int_equal(ky_queue_try_push(q, &items[0], 1), KY_E_INVAL);
	assert_int_equal(ky_queue_push(q, &items[0], 1), KY_E_INVAL);
	assert_ptr_equal(ky_queue_pop(q), &items[2]); /* drained after close */
	assert_null(ky_queue_pop(q));
	ky_queue_stats(q, &st);
	assert_int_equal(st.out, 22);
	assert_int_equal(st.depth, 0);
	ky_queue_free(q);
}

struct consumer {
	struct ky_queue *q;
	uint64_t sum;
	size_t n;
};

static void *consume(void *arg)
{
	struct consumer *c = arg;
	void *item;

	while ((item = ky_queue_pop(c->q)) != NULL) {
		c->sum += (uint64_t)(uintptr_t)item;
		c->n++;
		if (c->n % 64 == 0)
			usleep(100); /* let the producer hit a full queue */
	}
	return NULL;
}

static void test_queue_threads(void **state)
{
	struct ky_queue *q;
	struct consumer c[3];
	pthread_t th[3];
	uint64_t want = 0, got = 0;
	size_t n = 0;
	const uintptr_t count = 20000;

	(void)state;
	assert_int_equal(ky_queue_new(&q, 4, NULL, NULL), 0);
	for (int i = 0; i < 3; i++) {
		c[i] = (struct consumer){q, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, consume, &c[i]),
				 0);
	}
	for (uintptr_t i = 1; i <= count; i++) {
		assert_int_equal(ky_queue_push(q, (void *)i, 1), 0);
		want += i;
	}
	ky_queue_close(q);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		got += c[i].sum;
		n += c[i].n;
	}
	assert_int_equal(n, count);
	assert_int_equal(got, want);
	ky_queue_free(q);
}

/* ---- framer ----------------------------------------------------------- */

/* Runs the framer over s, fed in pieces of step bytes as a socket would,
 * and writes "R:rec|" / "B|" / "T:size|" for each frame into out. */
static void frame_all(const char *s, size_t step, size_t max, char *out,
		      size_t outlen)
{
	struct ky_framer f;
	struct ky_frame fr;
	char buf[4096];
	size_t have = 0, fed = 0, len = strlen(s), o = 0;

	ky_framer_init(&f, max);
	out[0] = '\0';
	for (;;) {
		bool eof;
		size_t take = len - fed < step ? len - fed : step;
		memcpy(buf + have, s + fed, take);
		have += take;
		fed += take;
		eof = fed == len;
		for (;;) {
			ky_framer_next(&f, buf, have, eof, &fr);
			if (fr.kind == KY_FRAME_RECORD)
				o += (size_t)snprintf(out + o, outlen - o,
						      "R:%.*s|", (int)fr.len,
						      fr.rec);
			else if (fr.kind == KY_FRAME_TOOBIG)
				/* The size of a line is what was seen when it
				 * passed max, so it depends on the feed. */
				o += (size_t)snprintf(out + o, outlen - o,
						      "B|");
			else if (fr.kind == KY_FRAME_TRUNCATED)
				o += (size_t)snprintf(
					out + o, outlen - o, "T:%llu|",
					(unsigned long long)fr.size);
			memmove(buf, buf + fr.consumed, have - fr.consumed);
			have -= fr.consumed;
			if (fr.kind == KY_FRAME_NONE && fr.consumed == 0)
				break;
		}
		if (eof)
			break;
	}
	assert_int_equal(f.offset, len);
}

static void check_frames(const char *in, size_t max, const char *want)
{
	char out[4096];
	size_t steps[] = {1, 2, 3, 7, 4096};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		frame_all(in, steps[i], max, out, sizeof(out));
		if (strcmp(out, want) != 0)
			print_error("step %zu: got '%s'\n", steps[i], out);
		assert_string_equal(out, want);
	}
}

static void test_framer(void **state)
{
	(void)state;
	/* Octet counting, LF framing and both mixed per frame. */
	check_frames("5 hello3 abc", 100, "R:hello|R:abc|");
	check_frames("<13>a b\n<14>c\n", 100, "R:<13>a b|R:<14>c|");
	check_frames("5 hello<13>x\n10 <1>a\nb c d\n", 100,
		     "R:hello|R:<13>x|R:<1>a\nb c d|");
	/* CRLF, empty lines, a final line without LF. */
	check_frames("\n\r\na\r\n\n\nb", 100, "R:a|R:b|");
	/* A digit run not followed by a space is data. */
	check_frames("123abc\n12345678901 x\n", 100,
		     "R:123abc|R:12345678901 x|");
	check_frames("42", 100, "R:42|");
	/* Oversized: skipped whole, neighbours kept. */
	check_frames("20 aaaaaaaaaaaaaaaaaaaa3 abc", 10, "B|R:abc|");
	check_frames("<1>too long line here\n<2>ok\n", 10, "B|R:<2>ok|");
	/* Exactly max is fine; max + 1 is not. */
	check_frames("10 0123456789", 10, "R:0123456789|");
	check_frames("0123456789\n01234567890\nz\n", 10, "R:0123456789|B|R:z|");
	/* End of stream inside an octet frame. */
	check_frames("3 abc10 short", 100, "R:abc|T:10|");
}

static void test_framer_long_line(void **state)
{
	struct ky_framer f;
	struct ky_frame fr;
	char buf[64];

	(void)state;
	/* A line past max with no LF yet is refused at once, and the rest
	 * is discarded as it arrives: the buffer never has to hold it. */
	ky_framer_init(&f, 16);
	memset(buf, 'x', sizeof(buf));
	ky_framer_next(&f, buf, 20, false, &fr);
	assert_int_equal(fr.kind, KY_FRAME_TOOBIG);
	assert_int_equal(fr.consumed, 20);
	assert_int_equal(fr.line, 1);
	ky_framer_next(&f, buf, sizeof(buf), false, &fr);
	assert_int_equal(fr.kind, KY_FRAME_NONE);
	assert_int_equal(fr.consumed, sizeof(buf));
	memcpy(buf, "yy\nok\n", 6);
	ky_framer_next(&f, buf, 6, false, &fr);
	assert_int_equal(fr.kind, KY_FRAME_NONE);
	assert_int_equal(fr.consumed, 3);
	ky_framer_next(&f, buf + 3, 3, false, &fr);
	assert_int_equal(fr.kind, KY_FRAME_RECORD);
	assert_int_equal(fr.len, 2);
	assert_int_equal(fr.line, 2);
	assert_int_equal(fr.offset, 20 + 64 + 3);
	/* A huge declared length is skipped, not buffered. */
	ky_framer_init(&f, 16);
	ky_framer_next(&f, "9999999999 abc", 14, false, &fr);
	assert_int_equal(fr.kind, KY_FRAME_TOOBIG);
	assert_int_equal(fr.size, 9999999999ULL);
	assert_int_equal(f.skip, 9999999999ULL - 3);
}

/* ---- addresses -------------------------------------------------------- */

static void test_addresses(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct ky_err err = {0};
	char s[80];
	int fd;

	(void)state;
	assert_int_equal(ky_listen_parse("127.0.0.1:5514", &ss, &sl, &err), 0);
	ky_sockaddr_str((struct sockaddr *)&ss, s, sizeof(s));
	assert_string_equal(s, "127.0.0.1:5514");
	assert_int_equal(ky_listen_parse("[::1]:6514", &ss, &sl, &err), 0);
	ky_sockaddr_str((struct sockaddr *)&ss, s, sizeof(s));
	assert_string_equal(s, "[::1]:6514");
	assert_int_equal(ky_listen_parse("*:0", &ss, &sl, &err), 0);
	ky_sockaddr_str((struct sockaddr *)&ss, s, sizeof(s));
	assert_string_equal(s, "0.0.0.0:0");
	assert_int_equal(ky_listen_parse("127.0.0.1", &ss, &sl, &err),
			 KY_E_INVAL);
	assert_non_null(strstr(err.msg, "127.0.0.1"));
	assert_int_equal(ky_listen_parse("127.0.0.1:65536", &ss, &sl, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_listen_parse("127.0.0.1:x1", &ss, &sl, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_listen_parse("::1:5514", &ss, &sl, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_listen_parse("[::1:5514", &ss, &sl, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_listen_parse("999.1.1.1:1", &ss, &sl, &err),
			 KY_E_INVAL);
	/* Port 0: the kernel's choice is reported. */
	assert_int_equal(ky_listen_bind("127.0.0.1:0", SOCK_STREAM, &fd, s,
					sizeof(s), &err),
			 0);
	assert_true(fd >= 0);
	assert_int_equal(strncmp(s, "127.0.0.1:", 10), 0);
	assert_true(strtol(s + 10, NULL, 10) > 0);
	close(fd);
	assert_int_equal(ky_listen_bind("127.0.0.1:0", SOCK_DGRAM, &fd, s,
					sizeof(s), &err),
			 0);
	close(fd);
}

/* ---- metrics ---------------------------------------------------------- */

static void test_metrics(void **state)
{
	struct ky_input_stats a, b;
	struct ky_metrics_input in[2] = {{"syslog_udp", &a},
					 {"we\"ird\\\nname", &b}};
	struct ky_queue_stats qs = {10, 8, 1, 2, 64};
	struct ky_metrics_queue mq = {"parse", &qs};
	struct ky_buf out;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	atomic_store(&a.records, 12);
	atomic_store(&a.accepted, 11);
	atomic_store(&a.rejected, 1);
	atomic_store(&b.bytes, 18446744073709551615ULL);
	ky_buf_init(&out, 1 << 20);
	assert_int_equal(ky_metrics_write_inputs(&out, in, 2), 0);
	assert_int_equal(ky_metrics_write_queues(&out, &mq, 1), 0);
	assert_non_null(
		strstr(ky_buf_str(&out), "# HELP kyklos_input_records_total "));
	assert_non_null(strstr(ky_buf_str(&out),
			       "# TYPE kyklos_input_records_total counter\n"));
	assert_non_null(strstr(
		ky_buf_str(&out),
		"kyklos_input_records_total{input=\"syslog_udp\"} 12\n"));
	assert_non_null(strstr(
		ky_buf_str(&out),
		"kyklos_input_accepted_total{input=\"syslog_udp\"} 11\n"));
	assert_non_null(strstr(ky_buf_str(&out),
			       "kyklos_input_bytes_total{input=\"we\\\"ird\\\\"
			       "\\nname\"} 18446744073709551615\n"));
	assert_non_null(strstr(ky_buf_str(&out),
			       "# TYPE kyklos_input_connections_open gauge\n"));
	assert_non_null(strstr(ky_buf_str(&out),
			       "kyklos_queue_in_total{queue=\"parse\"} 10\n"));
	assert_non_null(strstr(ky_buf_str(&out),
			       "kyklos_queue_depth{queue=\"parse\"} 2\n"));
	assert_non_null(strstr(ky_buf_str(&out),
			       "kyklos_queue_capacity{queue=\"parse\"} 64\n"));
	/* Every sample line is "name{...} number" or "name number". */
	for (const char *l = ky_buf_str(&out); *l != '\0';) {
		const char *nl = strchr(l, '\n');
		assert_non_null(nl);
		if (*l != '#') {
			const char *sp = nl;
			while (sp > l && sp[-1] != ' ')
				sp--;
			assert_true(sp > l);
			assert_true(strspn(sp, "0123456789") ==
				    (size_t)(nl - sp));
		}
		l = nl + 1;
	}
	/* A capped buffer fails cleanly rather than growing. */
	ky_buf_free(&out);
	ky_buf_init(&out, 64);
	assert_int_not_equal(ky_metrics_write_inputs(&out, in, 2), 0);
	ky_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_add),
		cmocka_unit_test(test_batch_bytes),
		cmocka_unit_test(test_batch_pool),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_queue_threads),
		cmocka_unit_test(test_framer),
		cmocka_unit_test(test_framer_long_line),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
