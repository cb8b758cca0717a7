/* Tests of the asset inventory: validation, merge on re-import, lookups by
 * address and host name, alert linking and the JSON round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "event/event.h"
#include "intel/assets.h"

/* Adds an asset from a compact description; fails the test on error. */
static const struct ky_asset *add(struct ky_assets *a, const char *id,
				  const char *hosts, const char *addrs,
				  bool *added)
{
	struct ky_asset_rec rec;
	struct ky_err err = {0};
	const struct ky_asset *out = NULL;
	char buf[256], *save = NULL, *t;

	ky_asset_rec_init(&rec);
	if (id)
		assert_int_equal(
			ky_asset_rec_set_id(&rec, id, strlen(id), &err), 0);
	if (hosts) {
		snprintf(buf, sizeof(buf), "%s", hosts);
		for (t = strtok_r(buf, " ", &save); t;
		     t = strtok_r(NULL, " ", &save))
			assert_int_equal(
				ky_asset_rec_add_host(&rec, t, strlen(t), &err),
				0);
	}
	if (addrs) {
		snprintf(buf, sizeof(buf), "%s", addrs);
		for (t = strtok_r(buf, " ", &save); t;
		     t = strtok_r(NULL, " ", &save))
			assert_int_equal(
				ky_asset_rec_add_addr(&rec, t, strlen(t), &err),
				0);
	}
	assert_int_equal(ky_assets_put(a, &rec, added, &out, &err), 0);
	assert_non_null(out);
	return out;
}

static void test_norm_addr(void **state)
{
	char out[KY_ASSET_ADDR_TEXT];
	struct ky_err err = {0};

	(void)state;
	assert_int_equal(
		ky_asset_norm_addr("2001:DB8:0:0:0:0:0:1", 20, out, &err), 0);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(ky_asset_norm_addr("::ffff:192.0.2.7", 16, out, &err),
			 0);
	assert_string_equal(out, "192.0.2.7");
	assert_int_equal(ky_asset_norm_addr("[2001:db8::2]", 13, out, &err), 0);
	assert_string_equal(out, "2001:db8::2");
	assert_int_equal(ky_asset_norm_addr("192.0.2.256", 11, out, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "'192.0.2.256'"));
	assert_int_equal(ky_asset_norm_addr("fe80::1%eth0", 12, out, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "zone"));
	assert_int_equal(ky_asset_norm_addr("", 0, out, &err), KY_E_PARSE);
}

static void test_norm_host_country(void **state)
{
	char out[KY_ASSET_HOST_MAX + 1], big[300];
	struct ky_err err = {0};
	struct ky_asset_rec rec;

	(void)state;
	assert_int_equal(
		ky_asset_norm_host("Web01.Example.ORG.", 18, out, &err), 0);
	assert_string_equal(out, "web01.example.org");
	assert_int_equal(ky_asset_norm_host("-bad.example", 12, out, &err),
			 KY_E_PARSE);
	assert_int_equal(ky_asset_norm_host("a..b", 4, out, &err), KY_E_PARSE);
	assert_int_equal(ky_asset_norm_host("h\xc3\xa9te", 5, out, &err),
			 KY_E_PARSE);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ky_asset_norm_host(big, 64, out, &err), KY_E_PARSE);
	assert_int_equal(ky_asset_norm_host(big, 63, out, &err), 0);
	assert_int_equal(ky_asset_norm_host(big, 254, out, &err), KY_E_PARSE);

	assert_true(ky_asset_country_valid("de", 2));
	assert_true(ky_asset_country_valid("GR", 2));
	assert_true(ky_asset_country_valid("XK", 2));
	assert_false(ky_asset_country_valid("EL", 2));
	assert_false(ky_asset_country_valid("UK", 2));
	assert_false(ky_asset_country_valid("DEU", 3));
	assert_false(ky_asset_country_valid("D1", 2));
	ky_asset_rec_init(&rec);
	assert_int_equal(ky_asset_rec_set_country(&rec, "EL", 2, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "Greece is GR"));
	assert_int_equal(ky_asset_rec_set_country(&rec, "fr", 2, &err), 0);
	assert_string_equal(rec.a.country, "FR");
	assert_int_equal(ky_asset_rec_set_crit(&rec, "7", 1, &err), KY_E_PARSE);
	assert_string_equal(err.msg, "'7' is not 1-5");
	assert_int_equal(ky_asset_rec_set_crit(&rec, "0", 1, &err), KY_E_PARSE);
	assert_int_equal(ky_asset_rec_set_crit(&rec, "5", 1, &err), 0);
	assert_int_equal(rec.a.criticality, 5);
	/* A host name that is an address goes to the addresses. */
	assert_int_equal(ky_asset_rec_add_host(&rec, "10.0.0.1", 8, &err), 0);
	assert_int_equal(rec.a.naddresses, 1);
	assert_int_equal(rec.a.nhostnames, 0);
	assert_int_equal(
		ky_asset_rec_set_str(&rec, KY_AF_OWNER, "o\xff", 2, &err),
		KY_E_PARSE);
	assert_non_null(strstr(err.msg, "UTF-8"));
	ky_asset_rec_clear(&rec);
}

static void test_software_dedup(void **state)
{
	struct ky_asset_rec rec;
	struct ky_err err = {0};
	struct ky_software sw = {.name = "openssl",
				 .version = "3.0.11",
				 .purl = "pkg:deb/debian/openssl@3.0.11"};
	struct ky_software s2 = {.name = "zlib", .version = "1.2"};
	struct ky_software bad = {.name = "x", .cpe = "cpe-2.3:a"};

	(void)state;
	ky_asset_rec_init(&rec);
	assert_int_equal(ky_asset_rec_add_software(&rec, &sw, &err), 0);
	assert_int_equal(ky_asset_rec_add_software(&rec, &sw, &err), 0);
	assert_int_equal(ky_asset_rec_add_software(&rec, &s2, &err), 0);
	assert_int_equal(ky_asset_rec_add_software(&rec, &s2, &err), 0);
	s2.version = "1.3";
	assert_int_equal(ky_asset_rec_add_software(&rec, &s2, &err), 0);
	assert_int_equal(rec.a.nsoftware, 3);
	assert_int_equal(ky_asset_rec_add_software(&rec, &bad, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "not a CPE"));
	bad.cpe = NULL;
	bad.name = "";
	assert_int_equal(ky_asset_rec_add_software(&rec, &bad, &err),
			 KY_E_PARSE);
	assert_int_equal(rec.a.nsoftware, 3);
	ky_asset_rec_clear(&rec);
}

static void test_merge(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_asset_rec rec;
	struct ky_err err = {0};
	const struct ky_asset *x, *y, *found[4];
	bool added;

	(void)state;
	x = add(a, NULL, "web01.example.org", "192.0.2.10", &added);
	assert_true(added);
	assert_string_equal(x->id, "web01.example.org");
	/* Same host name, different case: an update, new address. */
	y = add(a, NULL, "WEB01.example.org", "192.0.2.11", &added);
	assert_false(added);
	assert_ptr_equal(x, y);
	assert_int_equal(ky_assets_count(a), 1);
	assert_int_equal(x->naddresses, 1);
	assert_string_equal(x->addresses[0], "192.0.2.11");
	/* The old address no longer links. */
	assert_int_equal(ky_assets_find_addr(a, "192.0.2.10", 10, found, 4), 0);
	assert_int_equal(ky_assets_find_addr(a, "192.0.2.11", 10, found, 4), 1);
	/* Same id: update; absent fields kept. */
	x = add(a, "srv-1", "db01", "2001:db8::5", &added);
	assert_true(added);
	ky_asset_rec_init(&rec);
	assert_int_equal(ky_asset_rec_set_id(&rec, "srv-1", 5, &err), 0);
	assert_int_equal(ky_asset_rec_set_crit(&rec, "4", 1, &err), 0);
	assert_int_equal(ky_assets_put(a, &rec, &added, &y, &err), 0);
	assert_false(added);
	assert_ptr_equal(x, y);
	assert_int_equal(y->criticality, 4);
	assert_int_equal(y->nhostnames, 1);
	assert_string_equal(y->hostnames[0], "db01");
	assert_int_equal(ky_assets_count(a), 2);
	/* Address only: id derived from the address, stable on re-import. */
	x = add(a, NULL, NULL, "10.1.1.1", &added);
	assert_true(added);
	assert_string_equal(x->id, "10.1.1.1");
	y = add(a, NULL, NULL, "10.1.1.1", &added);
	assert_false(added);
	assert_ptr_equal(x, y);
	assert_ptr_equal(ky_assets_get(a, "srv-1"), ky_assets_at(a, 1));
	/* Nothing to identify it: refused. */
	ky_asset_rec_init(&rec);
	assert_int_equal(ky_asset_rec_set_crit(&rec, "4", 1, &err), 0);
	assert_int_equal(ky_assets_put(a, &rec, NULL, NULL, &err), KY_E_INVAL);
	ky_asset_rec_clear(&rec);
	assert_int_equal(ky_assets_count(a), 3);
	ky_assets_free(a);
}

static void test_lookup(void **state)
{
	struct ky_assets *a = ky_assets_new();
	const struct ky_asset *x, *y, *z, *s, *found[4];

	(void)state;
	x = add(a, "a1", "web01.corp.example", "2001:db8::1 192.0.2.1", NULL);
	y = add(a, "a2", "app.corp.example app.dmz.example", NULL, NULL);
	z = add(a, "a3", "app.lab.example", "192.0.2.1", NULL);
	s = add(a, "a4", "printer7", NULL, NULL);
	/* IPv6 in another spelling, IPv4-mapped, zone in the query. */
	assert_int_equal(
		ky_assets_find_addr(a, "2001:0db8:0::0001", 17, found, 4), 1);
	assert_ptr_equal(found[0], x);
	assert_int_equal(
		ky_assets_find_addr(a, "::ffff:192.0.2.1", 16, found, 4), 2);
	assert_ptr_equal(found[0], x);
	assert_ptr_equal(found[1], z);
	assert_int_equal(
		ky_assets_find_addr(a, "2001:db8::1%eth0", 16, found, 4), 1);
	assert_int_equal(ky_assets_find_addr(a, "2001:db8::2", 11, found, 4),
			 0);
	assert_int_equal(ky_assets_find_addr(a, "nonsense", 8, found, 4), 0);
	/* max smaller than the matches: count still right. */
	assert_int_equal(ky_assets_find_addr(a, "192.0.2.1", 9, found, 1), 2);
	/* Case, trailing dot, short names. */
	assert_int_equal(
		ky_assets_find_host(a, "WEB01.Corp.Example.", 19, found, 4), 1);
	assert_ptr_equal(found[0], x);
	assert_int_equal(ky_assets_find_host(a, "web01", 5, found, 4), 1);
	assert_ptr_equal(found[0], x);
	assert_int_equal(ky_assets_find_host(a, "Web01", 5, found, 4), 1);
	/* "app" is the first label of assets a2 (twice) and a3: ambiguous. */
	assert_int_equal(ky_assets_find_host(a, "app", 3, found, 4), 0);
	assert_int_equal(
		ky_assets_find_host(a, "app.dmz.example", 15, found, 4), 1);
	assert_ptr_equal(found[0], y);
	/* An FQDN in the alert, the short name in the inventory. */
	assert_int_equal(
		ky_assets_find_host(a, "printer7.corp.example", 21, found, 4),
		1);
	assert_ptr_equal(found[0], s);
	assert_int_equal(ky_assets_find_host(a, "web02", 5, found, 4), 0);
	assert_int_equal(ky_assets_find_host(a, "", 0, found, 4), 0);
	ky_assets_free(a);
}

static void test_link(void **state)
{
	struct ky_assets *a = ky_assets_new();
	const struct ky_asset *x, *y;
	struct ky_asset_match m[4];
	struct ky_arena *arena = ky_arena_new(4096, 0);
	struct ky_event ev;

	(void)state;
	x = add(a, "a1", "web01.corp.example", "192.0.2.10", NULL);
	y = add(a, "a2", "db01.corp.example", "2001:db8::20", NULL);
	assert_int_equal(
		ky_assets_link(a, "web01", "2001:db8::20", "192.0.2.10", m, 4),
		2);
	assert_ptr_equal(m[0].asset, x);
	assert_string_equal(m[0].via, "host");
	assert_ptr_equal(m[1].asset, y);
	assert_string_equal(m[1].via, "source");
	assert_int_equal(ky_assets_link(a, NULL, "198.51.100.1", NULL, m, 4),
			 0);
	assert_int_equal(ky_assets_link(a, NULL, NULL, "192.0.2.10", m, 1), 1);

	assert_non_null(arena);
	assert_int_equal(ky_event_init(&ev, arena, 64), 0);
	assert_int_equal(
		ky_event_add_str(&ev, "source.ip", 9, "192.0.2.10", 10), 0);
	assert_int_equal(
		ky_event_add_str(&ev, "host.ip[1]", 10, "2001:DB8::20", 12), 0);
	assert_int_equal(ky_event_add_str(&ev, "host.ipx", 8, "192.0.2.10", 10),
			 0);
	assert_int_equal(ky_assets_link_event(a, &ev, m, 4), 2);
	assert_ptr_equal(m[0].asset, y);
	assert_string_equal(m[0].via, "host.ip");
	assert_ptr_equal(m[1].asset, x);
	assert_string_equal(m[1].via, "source.ip");
	ky_event_reset(&ev);
	assert_int_equal(ky_event_add_str(&ev, "Computer", 8, "DB01", 4), 0);
	assert_int_equal(ky_assets_link_event(a, &ev, m, 4), 1);
	assert_ptr_equal(m[0].asset, y);
	ky_event_free(&ev);
	ky_arena_free(arena);
	ky_assets_free(a);
}

static void test_json_roundtrip(void **state)
{
	struct ky_assets *a = ky_assets_new(), *b = ky_assets_new();
	struct ky_asset_rec rec;
	struct ky_err err = {0};
	struct ky_software sw = {
		.name = "nginx",
		.version = "1.24.0",
		.cpe = "cpe:2.3:a:f5:nginx:1.24.0:*:*:*:*:*:*:*",
		.purl = "pkg:deb/debian/nginx@1.24.0",
		.supplier = "Debian"};
	json_t *j1, *j2;
	char *s1, *s2;
	size_t i;

	(void)state;
	ky_asset_rec_init(&rec);
	assert_int_equal(ky_asset_rec_set_id(&rec, "a1", 2, &err), 0);
	assert_int_equal(ky_asset_rec_add_host(&rec, "web01.example", 13, &err),
			 0);
	assert_int_equal(ky_asset_rec_add_addr(&rec, "2001:db8::1", 11, &err),
			 0);
	assert_int_equal(
		ky_asset_rec_set_str(&rec, KY_AF_OWNER, "Ops", 3, &err), 0);
	assert_int_equal(
		ky_asset_rec_set_str(&rec, KY_AF_LOCATION, "DC 1", 4, &err), 0);
	assert_int_equal(ky_asset_rec_set_crit(&rec, "4", 1, &err), 0);
	assert_int_equal(ky_asset_rec_set_country(&rec, "at", 2, &err), 0);
	assert_int_equal(ky_asset_rec_add_tag(&rec, "dmz", 3, &err), 0);
	assert_int_equal(ky_asset_rec_add_software(&rec, &sw, &err), 0);
	assert_int_equal(ky_assets_put(a, &rec, NULL, NULL, &err), 0);
	add(a, NULL, NULL, "192.0.2.9", NULL);

	j1 = ky_assets_to_json(a);
	assert_non_null(j1);
	assert_int_equal(json_array_size(j1), 2);
	for (i = 0; i < json_array_size(j1); i++) {
		ky_asset_rec_init(&rec);
		assert_int_equal(ky_asset_rec_from_json(json_array_get(j1, i),
							&rec, &err),
				 0);
		assert_int_equal(ky_assets_put(b, &rec, NULL, NULL, &err), 0);
	}
	j2 = ky_assets_to_json(b);
	s1 = json_dumps(j1, JSON_SORT_KEYS | JSON_COMPACT);
	s2 = json_dumps(j2, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s1, s2);
	assert_non_null(strstr(s1, "\"country\":\"AT\""));
	assert_non_null(strstr(s1, "\"criticality\":4"));
	assert_non_null(strstr(s1, "\"supplier\":\"Debian\""));
	free(s1);
	free(s2);
	json_decref(j1);
	json_decref(j2);
	ky_assets_free(a);
	ky_assets_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_norm_addr),
		cmocka_unit_test(test_norm_host_country),
		cmocka_unit_test(test_software_dedup),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_json_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
