/* The Sigma regression data (evtx_dump JSON of real Windows events) through
 * the record parser and the built-in field map: every document parses, and
 * the names Sigma rules use (EventID, Channel, the EventData/UserData names)
 * are top-level fields with the values jansson reads from the same bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <jansson.h>

#include "base/time.h"
#include "event/event.h"
#include "event/json.h"
#include "event/parse.h"

static struct ky_parser *parser;
static struct ky_parse_ctx *ctx;
static size_t nfiles, ndocs, nchecked;

/* True if some field called name holds the JSON scalar v. */
static bool has_value(const struct ky_event *ev, const char *name,
		      const json_t *v)
{
	size_t len = strlen(name);
	uint32_t i;

	for (i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];

		if (f->path_len != len || memcmp(f->path, name, len) != 0)
			continue;
		if (json_is_string(v) && f->type == KY_V_STR &&
		    f->str_len == json_string_length(v) &&
		    memcmp(f->str, json_string_value(v), f->str_len) == 0)
			return true;
		if (json_is_integer(v) && f->type == KY_V_INT &&
		    f->v.i == json_integer_value(v))
			return true;
		if (json_is_null(v) && f->type == KY_V_NULL)
			return true;
		if (json_is_boolean(v) && f->type == KY_V_BOOL &&
		    f->v.b == json_is_true(v))
			return true;
		if (json_is_real(v) && f->type == KY_V_FLOAT)
			return true;
	}
	return false;
}

/* The members of an EventData/UserData element as Sigma names them. */
static void check_members(const char *file, const struct ky_event *ev,
			  const json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		if (key[0] == '#')
			continue;
		if (json_is_object(v) || json_is_array(v))
			continue;
		if (!has_value(ev, key, v))
			fail_msg("%s: field %s missing or wrong after mapping",
				 file, key);
		nchecked++;
	}
}

static void check_doc(const char *file, const char *p, size_t n)
{
	struct ky_event *ev = NULL;
	struct ky_err err;
	json_error_t jerr;
	json_t *doc, *sys, *v, *ud;
	const char *k;
	int64_t ns;
	uint32_t i;
	int rc;

	rc = ky_parse_record(ctx, KY_FMT_AUTO, p, n, 1, &ev, &err);
	if (rc != 0)
		fail_msg("%s: %s", file, err.msg);
	assert_int_equal(ev->format, KY_FMT_JSON);
	doc = json_loadb(p, n, 0, &jerr);
	if (doc == NULL)
		fail_msg("%s: jansson: %s", file, jerr.text);
	sys = json_object_get(json_object_get(doc, "Event"), "System");
	assert_non_null(sys);

	if (!has_value(ev, "EventID", json_object_get(sys, "EventID")))
		fail_msg("%s: EventID missing after mapping", file);
	if (!has_value(ev, "Channel", json_object_get(sys, "Channel")))
		fail_msg("%s: Channel missing after mapping", file);
	v = json_object_get(json_object_get(sys, "Provider"), "#attributes");
	if (!has_value(ev, "Provider_Name", json_object_get(v, "Name")))
		fail_msg("%s: Provider_Name missing after mapping", file);

	v = json_object_get(json_object_get(sys, "TimeCreated"), "#attributes");
	v = json_object_get(v, "SystemTime");
	assert_non_null(v);
	assert_true(ky_time_parse_rfc3339(json_string_value(v),
					  json_string_length(v), &ns) > 0);
	if (ev->time_ns != ns)
		fail_msg("%s: time %lld, expected %lld", file,
			 (long long)ev->time_ns, (long long)ns);

	v = json_object_get(json_object_get(doc, "Event"), "EventData");
	if (json_is_object(v))
		check_members(file, ev, v);
	ud = json_object_get(json_object_get(doc, "Event"), "UserData");
	if (json_is_object(ud)) {
		json_object_foreach(ud, k, v)
		{
			if (json_is_object(v))
				check_members(file, ev, v);
		}
	}
	/* nothing evtx-shaped is left behind */
	for (i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];

		assert_true(f->path_len > 0);
		if (memmem(f->path, f->path_len, "Event.System.", 13) ||
		    memmem(f->path, f->path_len, "#attributes", 11) ||
		    memmem(f->path, f->path_len, "#text", 5))
			fail_msg("%s: unmapped path %.*s", file,
				 (int)f->path_len, f->path);
	}
	json_decref(doc);
	ndocs++;
}

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	size_t len = strlen(path), n, off = 0;
	char *buf;
	FILE *fp;
	long l;

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < 5 || strcmp(path + len - 5, ".json") != 0)
		return 0;
	fp = fopen(path, "rb");
	assert_non_null(fp);
	buf = malloc((size_t)st->st_size + 1);
	assert_non_null(buf);
	n = fread(buf, 1, (size_t)st->st_size, fp);
	fclose(fp);
	assert_int_equal(n, (size_t)st->st_size);
	/* Most files hold one pretty-printed document, some several. */
	while (off < n) {
		l = ky_json_value_len(buf + off, n - off);
		if (l == 0)
			break;
		if (l < 0)
			fail_msg("%s: offset %zu: cannot split: %ld", path, off,
				 l);
		check_doc(path, buf + off, (size_t)l);
		off += (size_t)l;
	}
	free(buf);
	nfiles++;
	return 0;
}

static void test_regression_data(void **state)
{
	const char *root = getenv("KYKLOS_SHARED_DATA");
	char dir[4096];
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sigma/regression_data",
		 root ? root : "../shared/data");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("SKIP: folder %s is absent\n", dir);
		skip();
	}
	assert_int_equal(ky_parser_new(&parser, NULL, NULL), 0);
	assert_int_equal(ky_parse_ctx_new(parser, &ctx), 0);
	assert_int_equal(nftw(dir, visit, 16, FTW_PHYS), 0);
	printf("regression data: %zu files, %zu events, %zu EventData/"
	       "UserData values checked\n",
	       nfiles, ndocs, nchecked);
	assert_true(nfiles > 0);
	assert_true(ndocs >= nfiles);
	ky_parse_ctx_free(ctx);
	ky_parser_free(parser);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regression_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
