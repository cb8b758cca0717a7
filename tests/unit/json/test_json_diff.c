/* Differential test of the JSON scanner against jansson: seeded random valid
 * and mutated documents plus the shared Sigma/STIX JSON files must get the
 * same verdict, and every scalar of jansson's tree must be in our event. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/arena.h"
#include "event/json.h"

#define NDOCS 5000
#define MAX_DEPTH 1000 /* ours; jansson's fixed limit is 2048 */

struct gbuf {
	char *p;
	size_t n, cap;
};

static void put(struct gbuf *b, const void *s, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void puts_(struct gbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void ws(struct gbuf *b)
{
	static const char *const w[] = {" ", "\n", "\t", "\r\n", "  "};

	if (rnd(6) == 0)
		puts_(b, w[rnd(5)]);
}

/* key: no \u0000, which jansson cannot hold in a key */
static void gen_string(struct gbuf *b, int key)
{
	static const char *const esc[] = {"\\\"", "\\\\", "\\/", "\\b",
					  "\\f",  "\\n",  "\\r", "\\t"};
	static const char *const utf[] = {"\xc3\xa9",	      "\xe2\x82\xac",
					  "\xf0\x9f\x98\x80", "\xed\x9f\xbf",
					  "\xf4\x8f\xbf\xbf", "\x7f"};
	uint32_t len = rnd(4) == 0 ? rnd(80) : rnd(12);
	char tmp[16];

	puts_(b, "\"");
	for (uint32_t i = 0; i < len; i++) {
		uint32_t k = rnd(20), cp;
		if (k < 12) {
			tmp[0] = (char)(" -_.:/aAbBzZ09"[rnd(14)]);
			put(b, tmp, 1);
		} else if (k < 14) {
			puts_(b, esc[rnd(8)]);
		} else if (k < 16) {
			do
				cp = rnd(0x10000);
			while ((cp >= 0xd800 && cp <= 0xdfff) || (key && !cp));
			snprintf(tmp, sizeof(tmp), "\\u%04X", cp);
			puts_(b, tmp);
		} else if (k < 17) {
			snprintf(tmp, sizeof(tmp), "\\u%04x\\u%04x",
				 0xd800 + rnd(0x400), 0xdc00 + rnd(0x400));
			puts_(b, tmp);
		} else if (k < 19) {
			puts_(b, utf[rnd(6)]);
		} else if (!key && rnd(4) == 0) {
			puts_(b, "\\u0000");
		}
	}
	puts_(b, "\"");
}

static void gen_number(struct gbuf *b)
{
	char tmp[64];
	int64_t v;

	switch (rnd(6)) {
	case 0:
		snprintf(tmp, sizeof(tmp), "%d", (int)rnd(1000) - 500);
		break;
	case 1:
		v = (int64_t)(rng >> 1);
		snprintf(tmp, sizeof(tmp), "%s%lld", rnd(2) ? "-" : "",
			 (long long)v);
		break;
	case 2:
		snprintf(tmp, sizeof(tmp), "%u.%u", rnd(100000), rnd(1000));
		break;
	case 3:
		snprintf(tmp, sizeof(tmp), "-%u.%05ue%s%u", rnd(10), rnd(99999),
			 rnd(2) ? "-" : "+", rnd(300));
		break;
	case 4:
		snprintf(tmp, sizeof(tmp), "%uE%u", rnd(1000), rnd(20));
		break;
	default:
		snprintf(tmp, sizeof(tmp), "%s", rnd(2) ? "0" : "-0");
		break;
	}
	puts_(b, tmp);
}

/* Appends a random value; returns the number of scalars (fields) in it. */
static size_t gen_value(struct gbuf *b, int depth)
{
	uint32_t k = rnd(depth < 6 ? 10 : 6);
	size_t n = 0, m;

	switch (k) {
	case 0:
	case 1:
		gen_string(b, 0);
		return 1;
	case 2:
	case 3:
		gen_number(b);
		return 1;
	case 4:
		puts_(b, rnd(2) ? "true" : "false");
		return 1;
	case 5:
		puts_(b, "null");
		return 1;
	case 6:
	case 7:
	case 8:
		puts_(b, "{");
		m = rnd(7);
		for (size_t i = 0; i < m; i++) {
			ws(b);
			if (i)
				puts_(b, ",");
			ws(b);
			gen_string(b, 1);
			ws(b);
			puts_(b, ":");
			ws(b);
			n += gen_value(b, depth + 1);
		}
		ws(b);
		puts_(b, "}");
		return n;
	default:
		puts_(b, "[");
		m = rnd(6);
		for (size_t i = 0; i < m; i++) {
			ws(b);
			if (i)
				puts_(b, ",");
			n += gen_value(b, depth + 1);
		}
		puts_(b, "]");
		return n;
	}
}

static void mutate(struct gbuf *b)
{
	static const char pick[] = "{}[],:\"\\0123-+.eE tfnu\x00\x01\x1f\x7f"
				   "\x80\xbf\xc0\xc2\xe0\xed\xf0\xf4\xf5\xff";
	uint32_t times = 1 + rnd(3);

	for (uint32_t t = 0; t < times && b->n > 0; t++) {
		size_t at = rnd((uint32_t)b->n);
		char c = pick[rnd(sizeof(pick) - 1)];
		switch (rnd(5)) {
		case 0: /* delete */
			memmove(b->p + at, b->p + at + 1, b->n - at - 1);
			b->n--;
			break;
		case 1: /* insert */
			put(b, "", 1);
			memmove(b->p + at + 1, b->p + at, b->n - at - 1);
			b->p[at] = c;
			break;
		case 2: /* replace */
			b->p[at] = c;
			break;
		case 3: /* truncate */
			b->n = at;
			break;
		default: { /* swap */
			size_t o = rnd((uint32_t)b->n);
			char x = b->p[at];
			b->p[at] = b->p[o];
			b->p[o] = x;
			break;
		}
		}
	}
}

struct ctx {
	struct ky_arena *arena;
	struct ky_event ev;
	char path[8192];
	size_t scalars, divergent, both_reject, accepted;
};

static int same_scalar(const struct ky_field *f, json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_STRING:
		return f->type == KY_V_STR &&
		       f->str_len == json_string_length(j) &&
		       memcmp(f->str, json_string_value(j), f->str_len) == 0;
	case JSON_INTEGER:
		return f->type == KY_V_INT && f->v.i == json_integer_value(j);
	case JSON_REAL:
		return f->type == KY_V_FLOAT && f->v.f == json_real_value(j);
	case JSON_TRUE:
	case JSON_FALSE:
		return f->type == KY_V_BOOL && f->v.b == json_is_true(j);
	case JSON_NULL:
		return f->type == KY_V_NULL;
	default:
		return 0;
	}
}

/* Every scalar under j (at path[0..plen)) must be a field of the event. */
static void walk(struct ctx *c, json_t *j, size_t plen, int top)
{
	const char *key;
	json_t *v;
	size_t i;
	int n;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
		{
			size_t kl = strlen(key), at = plen;
			assert_true(plen + kl + 2 < sizeof(c->path));
			if (!top)
				c->path[at++] = '.';
			memcpy(c->path + at, key, kl);
			walk(c, v, at + kl, 0);
		}
		return;
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			n = snprintf(c->path + plen, sizeof(c->path) - plen,
				     "[%zu]", i);
			assert_true(n > 0 &&
				    plen + (size_t)n < sizeof(c->path));
			walk(c, v, plen + (size_t)n, 0);
		}
		return;
	}
	c->scalars++;
	for (uint32_t k = 0; k < c->ev.nfields; k++) {
		const struct ky_field *f = &c->ev.fields[k];
		if (f->path_len == plen &&
		    memcmp(f->path, c->path, plen) == 0 && same_scalar(f, j))
			return;
	}
	fail_msg("jansson scalar at '%.*s' (type %d) missing from event",
		 (int)plen, c->path, (int)json_typeof(j));
}

/* Errors where jansson is stricter than RFC 8259 asks (see the design
 * doc): we accept these on purpose. */
static int known_divergence(const char *text)
{
	return strstr(text, "too big integer") ||
	       strstr(text, "too big negative integer") ||
	       strstr(text, "real number overflow") ||
	       strstr(text, "NUL byte in object key");
}

/* Compares verdicts and values for one document; returns our status. */
static int compare(struct ctx *c, const char *doc, size_t n, const char *what)
{
	struct ky_err err = {0}, verr = {0};
	json_error_t jerr;
	json_t *j;
	size_t off;
	int r, v;

	ky_event_reset(&c->ev);
	ky_arena_reset(c->arena);
	r = ky_json_to_event(doc, n, &c->ev, MAX_DEPTH, &err);
	v = ky_json_validate(doc, n, MAX_DEPTH, &verr);
	assert_int_equal(r, v);
	j = json_loadb(doc, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (j && r != 0 && sscanf(err.msg, "offset %zu", &off) == 1 &&
	    off < n && doc[off] == '\0') {
		/* jansson ends a number at a raw NUL and then ignores the
		 * rest of the buffer ("[1\0]" is accepted); RFC 8259 and we
		 * reject it */
		json_decref(j);
		c->divergent++;
		return r;
	}
	if (j && r != 0)
		fail_msg("%s: we reject what jansson accepts: %s\n%.*s", what,
			 err.msg, (int)(n > 2000 ? 2000 : n), doc);
	if (!j && r == 0) {
		if (!known_divergence(jerr.text))
			fail_msg(
				"%s: we accept what jansson rejects (%s)\n%.*s",
				what, jerr.text, (int)(n > 2000 ? 2000 : n),
				doc);
		c->divergent++;
		return r;
	}
	if (!j) {
		c->both_reject++;
		return r;
	}
	c->accepted++;
	c->scalars = 0;
	walk(c, j, 0, 1);
	/* duplicate keys collapse in jansson, never in the event */
	assert_true(c->ev.nfields >= c->scalars);
	json_decref(j);
	return r;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || !(c->arena = ky_arena_new(65536, 0)) ||
	    ky_event_init(&c->ev, c->arena, 1000000) != 0)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	ky_event_free(&c->ev);
	ky_arena_free(c->arena);
	free(c);
	return 0;
}

static void test_generated(void **state)
{
	struct ctx *c = *state;
	struct gbuf b = {0};
	size_t want;

	rng = 0x5eed1234abcdULL;
	for (int i = 0; i < NDOCS; i++) {
		b.n = 0;
		ws(&b);
		want = gen_value(&b, i % 3 == 0 ? 6 : 0);
		ws(&b);
		assert_int_equal(compare(c, b.p, b.n, "generated"), 0);
		/* exactly one field per generated scalar */
		assert_int_equal(c->ev.nfields, want);
	}
	print_message("json_diff: %d valid documents, %zu accepted by both, "
		      "%zu known divergences\n",
		      NDOCS, c->accepted, c->divergent);
	free(b.p);
}

static void test_mutated(void **state)
{
	struct ctx *c = *state;
	struct gbuf b = {0};

	rng = 0xfeedbeef4321ULL;
	for (int i = 0; i < NDOCS; i++) {
		b.n = 0;
		gen_value(&b, i % 2 ? 3 : 0);
		mutate(&b);
		compare(c, b.p, b.n, "mutated");
	}
	print_message("json_diff: %d mutated documents: %zu rejected by both, "
		      "%zu accepted by both, %zu known divergences\n",
		      NDOCS, c->both_reject, c->accepted, c->divergent);
	assert_true(c->both_reject > NDOCS / 4); /* mutations do bite */
	free(b.p);
}

static void test_divergences(void **state)
{
	static const char *const docs[] = {"[9223372036854775808]",
					   "-9223372036854775809", "1e400",
					   "{\"a\\u0000b\":1}"};
	struct ctx *c = *state;

	for (size_t i = 0; i < 4; i++)
		assert_int_equal(compare(c, docs[i], strlen(docs[i]), "fixed"),
				 0);
	assert_int_equal(c->divergent, 4);
	/* jansson's fixed depth limit: 2048 nested values */
	char *deep = malloc(2 * 3000);
	assert_non_null(deep);
	memset(deep, '[', 3000);
	memset(deep + 3000, ']', 3000);
	assert_null(json_loadb(deep, 6000, JSON_DECODE_ANY, NULL));
	assert_int_equal(ky_json_validate(deep, 6000, 4000, NULL), 0);
	assert_int_equal(ky_json_validate(deep, 6000, 64, NULL), KY_E_TOOBIG);
	free(deep);
}

static size_t run_dir(struct ctx *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t files = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char p[4096];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			files += run_dir(c, p);
			continue;
		}
		size_t nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 5, ".json") != 0)
			continue;
		FILE *fp = fopen(p, "rb");
		assert_non_null(fp);
		char *buf = malloc((size_t)st.st_size + 1);
		assert_non_null(buf);
		size_t n = fread(buf, 1, (size_t)st.st_size, fp);
		fclose(fp);
		/* a file may hold several documents: split like the ingester */
		size_t off = 0;
		long len;
		while ((len = ky_json_value_len(buf + off, n - off)) > 0) {
			compare(c, buf + off, (size_t)len, p);
			off += (size_t)len;
		}
		if (len < 0) /* the rest cannot be split: still one verdict */
			compare(c, buf + off, n - off, p);
		compare(c, buf, n, p); /* and the file as a whole */
		free(buf);
		files++;
	}
	closedir(d);
	return files;
}

static void test_shared_data(void **state)
{
	static const char *const sub[] = {"sigma/regression_data",
					  "stix/examples"};
	struct ctx *c = *state;
	const char *root = getenv("KYKLOS_SHARED_DATA");
	char dir[4096];
	size_t found = 0;

	for (size_t i = 0; i < 2; i++) {
		size_t n;
		snprintf(dir, sizeof(dir), "%s/%s", root ? root : "", sub[i]);
		if (!root || (n = run_dir(c, dir)) == 0) {
			print_message("json_diff: SKIP %s: folder absent or "
				      "without .json files\n",
				      dir);
			continue;
		}
		print_message("json_diff: %zu files under %s agree\n", n, dir);
		found += n;
	}
	if (!found)
		skip();
	assert_true(c->accepted > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mutated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_divergences, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shared_data, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
