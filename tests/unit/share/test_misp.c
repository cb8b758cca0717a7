/* MISP in and out (share/misp.h) on events written here: attributes and
 * object attributes of every mapped type, composite values, TLP tags on
 * the attribute or inherited from the event, sightings (false positives
 * left out), a bad value rejected with its position while the rest is
 * kept, a feed directory, and export read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "intel/stix.h"
#include "share/misp.h"

static const char event[] =
	"{\"Event\":{\"uuid\":\"5f1c2a7e-5b3d-4e8a-9c21-0d4b7f3e9a01\","
	"\"info\":\"phishing wave\",\"Tag\":[{\"name\":\"tlp:green\"}],"
	"\"Attribute\":["
	"{\"uuid\":\"a1\",\"type\":\"ip-dst\",\"category\":\"Network "
	"activity\",\"value\":\"203.0.113.7\",\"to_ids\":true,"
	"\"timestamp\":\"1700000000\",\"Tag\":[{\"name\":\"tlp:amber\"}],"
	"\"Sighting\":[{\"type\":\"0\",\"date_sighting\":\"1700000100\"},"
	"{\"type\":\"0\",\"date_sighting\":\"1700000050\"},"
	"{\"type\":\"1\",\"date_sighting\":\"1700000200\"}]},"
	"{\"uuid\":\"a2\",\"type\":\"domain|ip\",\"value\":\"Evil.Example|"
	"198.51.100.1\",\"to_ids\":\"0\"},"
	"{\"uuid\":\"a3\",\"type\":\"filename|sha256\",\"value\":\"x.exe|"
	"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"},"
	"{\"uuid\":\"a4\",\"type\":\"ip-src\",\"value\":\"300.1.1.1\"},"
	"{\"uuid\":\"a5\",\"type\":\"text\",\"value\":\"just a note\"},"
	"{\"uuid\":\"a6\",\"type\":\"email-src\",\"value\":\"Boss@Example."
	"ORG\",\"Tag\":[{\"name\":\"tlp:white\"}]}],"
	"\"Object\":[{\"name\":\"file\",\"Attribute\":["
	"{\"uuid\":\"a7\",\"type\":\"md5\",\"value\":"
	"\"d41d8cd98f00b204e9800998ecf8427e\"}]}]}}";

struct got {
	char values[16][128];
	int kinds[16], tlps[16];
	uint64_t sightings[16];
	int64_t first[16], last[16];
	bool ids[16];
	int n;
	char warn[1024];
};

static int on_attr(void *ud, const struct ky_misp_attr *a)
{
	struct got *g = ud;

	if (g->n < 16) {
		snprintf(g->values[g->n], 128, "%s", a->value);
		g->kinds[g->n] = a->kind;
		g->tlps[g->n] = a->tlp;
		g->sightings[g->n] = a->sightings;
		g->first[g->n] = a->first_seen_ns;
		g->last[g->n] = a->last_seen_ns;
		g->ids[g->n] = a->to_ids;
	}
	g->n++;
	return 0;
}

static void on_warn(void *ud, const char *msg)
{
	struct got *g = ud;

	snprintf(g->warn + strlen(g->warn), sizeof(g->warn) - strlen(g->warn),
		 "%s\n", msg);
}

static void test_import(void **state)
{
	struct ky_misp_stats st = {0};
	struct ky_err err = {0};
	struct got g = {0};

	(void)state;
	assert_int_equal(ky_misp_parse(event, strlen(event), "e.json", on_attr,
				       &g, on_warn, &st, &err),
			 0);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.values[0], "203.0.113.7");
	assert_int_equal(g.kinds[0], KY_IOC_IP);
	assert_int_equal(g.tlps[0], KY_TLP_AMBER); /* the attribute's own */
	assert_true(g.ids[0]);
	assert_int_equal(g.sightings[0], 2); /* the false positive not */
	assert_int_equal(g.first[0], 1700000050LL * 1000000000LL);
	assert_int_equal(g.last[0], 1700000100LL * 1000000000LL);
	assert_string_equal(g.values[1], "evil.example"); /* normalised */
	assert_int_equal(g.tlps[1], KY_TLP_GREEN);	  /* from the event */
	assert_false(g.ids[1]);				  /* "0" */
	assert_int_equal(g.kinds[2], KY_IOC_SHA256);
	assert_string_equal(g.values[2], "e3b0c44298fc1c149afbf4c8996fb924"
					 "27ae41e4649b934ca495991b7852b855");
	assert_string_equal(g.values[3], "boss@example.org");
	assert_int_equal(g.tlps[3], KY_TLP_CLEAR); /* tlp:white */
	assert_int_equal(g.kinds[4], KY_IOC_MD5);  /* from an object */
	assert_int_equal(st.events, 1);
	assert_int_equal(st.attributes, 7);
	assert_int_equal(st.accepted, 5);
	assert_int_equal(st.unsupported, 1);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.false_positives, 1);
	assert_non_null(strstr(g.warn, "Attribute[3]"));
	assert_non_null(strstr(g.warn, "300.1.1.1"));
	/* not MISP */
	assert_int_equal(ky_misp_parse("{\"a\":1}", 7, "x.json", on_attr, &g,
				       on_warn, &st, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "x.json: not MISP JSON"));
	assert_int_equal(ky_misp_parse("{\"Event\":", 9, "y.json", on_attr, &g,
				       on_warn, &st, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "y.json:1:"));
}

static void test_feed(void **state)
{
	char dir[] = "/tmp/kyklos-misp-feed-XXXXXX", path[128], cmd[160];
	struct ky_misp_stats st = {0};
	struct ky_err err = {0};
	struct got g = {0};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	f = fopen(path, "w");
	fputs("{\"5f1c2a7e-5b3d-4e8a-9c21-0d4b7f3e9a01\":{\"info\":\"x\"}}", f);
	fclose(f);
	snprintf(path, sizeof(path),
		 "%s/5f1c2a7e-5b3d-4e8a-9c21-0d4b7f3e9a01.json", dir);
	f = fopen(path, "w");
	fputs(event, f);
	fclose(f);
	assert_int_equal(ky_misp_feed(dir, on_attr, &g, NULL, &st, &err), 0);
	assert_int_equal(g.n, 5);
	/* a manifest key that is not a uuid must not name a file */
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	f = fopen(path, "w");
	fputs("{\"../../etc/passwd\":{}}", f);
	fclose(f);
	assert_int_equal(ky_misp_feed(dir, on_attr, &g, NULL, &st, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "not an event uuid"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_export(void **state)
{
	struct ky_stix_ctx c = {"kyexampleexampleexamplex", "Ex",
				1795000000000000000LL};
	struct ky_misp_stats st = {0};
	struct ky_err err = {0};
	struct got g = {0};
	json_t *list = json_array(), *ev, *other;
	size_t skipped;
	char *txt;

	(void)state;
	json_array_append_new(list,
			      ky_stix_indicator(&c, KY_IOC_IP, "192.0.2.5", 70,
						KY_TLP_GREEN, c.now_ns, &err));
	json_array_append_new(list, ky_stix_indicator(&c, KY_IOC_SHA1,
						      "da39a3ee5e6b4b0d3255bfef"
						      "95601890afd80709",
						      70, KY_TLP_AMBER,
						      c.now_ns, &err));
	json_array_append_new(
		list, ky_stix_indicator(&c, KY_IOC_DOMAIN, "*.wild.example", 70,
					KY_TLP_GREEN, c.now_ns, &err));
	other = ky_stix_indicator(&c, KY_IOC_IP, "192.0.2.6", 70, KY_TLP_GREEN,
				  c.now_ns, &err);
	json_object_set_new(other, "pattern",
			    json_string("[x:y = 'z' AND a:b = 'c']"));
	json_array_append_new(list, other);
	ev = ky_misp_export(list, "weekly", "Example CSIRT", c.now_ns, &skipped,
			    &err);
	assert_non_null(ev);
	assert_int_equal(skipped, 2); /* a wildcard domain, a compound */
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(
				json_object_get(json_object_get(ev, "Event"),
						"Tag"),
				0),
			"name")),
		"tlp:amber");
	txt = json_dumps(ev, 0);
	assert_int_equal(ky_misp_parse(txt, strlen(txt), "round", on_attr, &g,
				       NULL, &st, &err),
			 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.values[0], "192.0.2.5");
	assert_int_equal(g.tlps[0], KY_TLP_GREEN);
	assert_int_equal(g.kinds[1], KY_IOC_SHA1);
	assert_true(g.ids[1]);
	free(txt);
	json_decref(ev);
	json_decref(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_export),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
