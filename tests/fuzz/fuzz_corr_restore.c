/* libFuzzer target for the correlation state blob: any input either
 * restores or fails with KY_E_PARSE "offset N: ..." leaving the engine
 * empty; a restored state runs, and saves and restores again to the same
 * bytes.  The input also drives a stream of alerts whose saved state must
 * survive the round trip byte for byte, and every cut of it must fail
 * cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/time.h"
#include "detect/correlate.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char yaml[] =
	"title: d\nname: d\nlogsource:\n  product: t\ndetection:\n"
	"  sel:\n    a: x\n  condition: sel\n---\n"
	"title: c1\nname: c1\ncorrelation:\n  type: event_count\n"
	"  rules: [d]\n  group-by: [g, h]\n  timespan: 10s\n"
	"  condition:\n    gte: 3\n---\n"
	"title: c2\ncorrelation:\n  type: value_count\n  rules: [d]\n"
	"  group-by: [g]\n  timespan: 10s\n  condition:\n    field: v\n"
	"    gte: 2\n---\n"
	"title: c3\ncorrelation:\n  type: temporal_ordered\n"
	"  rules: [c1, d]\n  group-by: [g]\n  timespan: 20s\n---\n"
	"title: c4\ncorrelation:\n  type: value_percentile\n  rules: [d]\n"
	"  group-by: [h]\n  timespan: 10s\n  condition:\n    field: v\n"
	"    percentile: 90\n    lt: 5\n";

static struct ky_ruleset *rs;
static struct ky_corr *c1, *c2;
static struct ky_arena *arena;
static struct ky_event ev;

static void init(void)
{
	struct ky_sigma_rule **rules = NULL;
	struct ky_corr_opts o = {64, 2 * KY_NS_PER_SEC, 16};
	struct ky_err err;
	size_t n = 0;

	if (ky_ruleset_new(&rs, NULL, &err) != 0 ||
	    ky_sigma_load_mem("fuzz", yaml, sizeof(yaml) - 1, &rules, &n,
			      &err) != 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (ky_ruleset_add(rs, rules[i], &err) != 0)
			abort();
	free(rules);
	if (ky_ruleset_finalize(rs, &err) != 0 ||
	    ky_corr_new(&c1, rs, &o, NULL, NULL, NULL, &err) != 0 ||
	    ky_corr_new(&c2, rs, &o, NULL, NULL, NULL, &err) != 0)
		abort();
	arena = ky_arena_new(4096, 0);
	if (arena == NULL || ky_event_init(&ev, arena, 16) != 0)
		abort();
}

static int sink(void *ud, const struct ky_corr_alert *a)
{
	struct ky_buf b;

	(void)ud;
	ky_buf_init(&b, 0);
	if (ky_corr_alert_to_json(a, &b) != 0)
		abort();
	ky_buf_free(&b);
	return 0;
}

static void save(struct ky_corr *c, struct ky_buf *b)
{
	ky_buf_init(b, 0);
	if (ky_corr_save(c, b) != 0)
		abort();
}

/* Restores into c2 and checks what the header promises. */
static void restore(const void *p, size_t n, bool must)
{
	struct ky_corr_stats st;
	struct ky_err err;
	int r = ky_corr_restore(c2, p, n, &err);

	ky_corr_stats(c2, &st);
	if (r != 0 && (r != KY_E_PARSE || strncmp(err.msg, "offset ", 7) != 0 ||
		       st.groups != 0 || must))
		abort();
}

/* Alerts of rule d from the input: 4 bytes each (g, h, v, time step). */
static void stream(const uint8_t *data, size_t size)
{
	const struct ky_sigma_rule *d = ky_ruleset_rule(rs, 0);
	struct ky_alert a = {d, &ev, NULL, 0};
	int64_t t = KY_NS_PER_SEC;
	char s[2] = {0, 0};

	for (size_t i = 0; i + 4 <= size && i < 4096; i += 4) {
		ky_event_reset(&ev);
		ky_arena_reset(arena);
		s[0] = (char)('a' + data[i] % 4);
		ky_event_add_copy(&ev, "g", s, 1);
		s[0] = (char)('a' + data[i + 1] % 3);
		if (data[i + 1] & 0x80)
			ky_event_add_copy(&ev, "h", s, 1);
		s[0] = (char)('0' + data[i + 2] % 10);
		ky_event_add_copy(&ev, "v", s, 1);
		/* steps back now and then, within and past the lateness */
		t += ((int64_t)(int8_t)data[i + 3]) * KY_NS_PER_SEC / 16;
		ev.time_ns = t;
		if (ky_corr_feed(c1, &a, sink, NULL) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_buf b1, b2;

	if (rs == NULL)
		init();
	/* the input as a blob */
	restore(data, size, false);
	ky_corr_flush(c2, 30 * KY_NS_PER_SEC, sink, NULL);
	/* the input as alerts: their state survives save and restore */
	restore("", 0, false);
	ky_corr_restore(c1, "", 0, NULL);
	stream(data, size);
	save(c1, &b1);
	restore(b1.data, b1.len, true);
	save(c2, &b2);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		abort();
	for (size_t n = b1.len; n-- > 0 && n + 64 > b1.len;)
		restore(b1.data, n, false);
	ky_buf_free(&b1);
	ky_buf_free(&b2);
	return 0;
}
