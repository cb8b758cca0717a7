/* Tests of the asset importers: CSV (RFC 4180 quoting, BOM, CRLF, bad
 * columns and values), the JSON form, CycloneDX SBOMs with nested
 * components, merge on re-import, and the speed of a 10,000-asset import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/buf.h"
#include "intel/assets.h"

/* Collected record errors, joined by newlines. */
static char errs[8192];

static void on_error(void *ud, const struct ky_err *e)
{
	size_t n = strlen(errs);

	(void)ud;
	snprintf(errs + n, sizeof(errs) - n, "%s\n", e->msg);
}

static int imp_csv(struct ky_assets *a, const char *s,
		   struct ky_assets_import *imp, struct ky_err *err)
{
	memset(imp, 0, sizeof(*imp));
	imp->name = "assets.csv";
	imp->on_error = on_error;
	errs[0] = '\0';
	return ky_assets_import_csv(a, s, strlen(s), imp, err);
}

static void test_csv_good(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err = {0};
	const struct ky_asset *x;
	const char *csv =
		"\xef\xbb\xbfid,Hostnames,addresses,owner,criticality,location,"
		"country,tags,x-cmdb-ref\r\n"
		"a1, web01.example.org;WEB01 ,192.0.2.1; 2001:db8::1,"
		"\"Ops, Team \"\"Blue\"\"\",4,\"DC 1\r\nrow 3\",de,dmz;web,"
		"77\r\n"
		"\r\n"
		"a2,db01,,,,,,,\n";

	(void)state;
	assert_int_equal(imp_csv(a, csv, &imp, &err), 0);
	assert_string_equal(errs, "");
	assert_int_equal(imp.records, 2);
	assert_int_equal(imp.added, 2);
	assert_int_equal(imp.skipped, 0);
	x = ky_assets_get(a, "a1");
	assert_non_null(x);
	assert_int_equal(x->nhostnames, 2);
	assert_string_equal(x->hostnames[0], "web01.example.org");
	assert_string_equal(x->hostnames[1], "web01");
	assert_int_equal(x->naddresses, 2);
	assert_string_equal(x->addresses[1], "2001:db8::1");
	assert_string_equal(x->owner, "Ops, Team \"Blue\"");
	assert_string_equal(x->location, "DC 1\r\nrow 3");
	assert_int_equal(x->criticality, 4);
	assert_string_equal(x->country, "DE");
	assert_int_equal(x->ntags, 2);
	x = ky_assets_get(a, "a2");
	assert_non_null(x);
	assert_null(x->owner);
	assert_int_equal(x->criticality, 0);
	ky_assets_free(a);
}

static void test_csv_bad(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err = {0};
	struct ky_buf b;
	size_t i;
	const char *csv = "id,hostname,criticality,country,owner\n"
			  "a1,h1,3,FR,x\n"		   /* 2 ok */
			  "a2,h2,7,FR,x\n"		   /* 3 */
			  "a3,h3,2,ZZ,x\n"		   /* 4 */
			  "a1,h4,2,FR,x\n"		   /* 5 dup */
			  "a5,h5,2\n"			   /* 6 */
			  "a6,\"h6\"x,2,FR,x\n"		   /* 7 */
			  "a7,h7,2,FR,\"o\xc3\x28\"\n"	   /* 8 */
			  "a8,bad host!,2,FR,x\n"	   /* 9 */
			  "a9,h9,1,se,\"multi\nline\"\n"   /* 10-11 */
			  "a10,h10,1,se,\"never closed\n"; /* 12 */

	(void)state;
	assert_int_equal(imp_csv(a, csv, &imp, &err), 0);
	assert_int_equal(imp.records, 10);
	assert_int_equal(imp.added, 2);
	assert_int_equal(imp.skipped, 8);
	assert_non_null(strstr(errs, "assets.csv:3: column criticality: "
				     "'7' is not 1-5\n"));
	assert_non_null(strstr(errs, "assets.csv:4: column country: 'ZZ' is "
				     "not an ISO 3166-1 alpha-2 code\n"));
	assert_non_null(strstr(errs, "assets.csv:5: column id: 'a1' already "
				     "on line 2\n"));
	assert_non_null(strstr(errs, "assets.csv:6: 3 fields, the header "
				     "has 5\n"));
	assert_non_null(strstr(errs, "assets.csv:7: column 2: text after the "
				     "closing quote\n"));
	assert_non_null(strstr(errs, "assets.csv:8: column owner: invalid "
				     "UTF-8"));
	assert_non_null(strstr(errs, "assets.csv:9: column hostname: 'bad "
				     "host!' is not a host name"));
	assert_non_null(strstr(errs, "assets.csv:12: quote opened on line 12 "
				     "is not closed\n"));
	assert_string_equal(imp.first_error.msg,
			    "assets.csv:3: column criticality: '7' is not 1-5");
	assert_non_null(ky_assets_get(a, "a9"));
	assert_null(ky_assets_get(a, "a2"));
	assert_string_equal(ky_assets_get(a, "a1")->hostnames[0], "h1");

	/* A huge field: that record only. */
	ky_buf_init(&b, 0);
	ky_buf_adds(&b, "id,owner\nb1,");
	for (i = 0; i < 100000; i++)
		ky_buf_addc(&b, 'x');
	ky_buf_adds(&b, "\nb2,ok\n");
	assert_int_equal(imp_csv(a, ky_buf_str(&b), &imp, &err), 0);
	assert_int_equal(imp.skipped, 1);
	assert_int_equal(imp.added, 1);
	assert_non_null(strstr(errs, "assets.csv:2: column owner: 100000 "
				     "bytes, more than the limit of 4096"));
	assert_non_null(ky_assets_get(a, "b2"));
	ky_buf_free(&b);

	/* Whole-file refusals. */
	assert_int_equal(imp_csv(a, "id,critcality\na,1\n", &imp, &err),
			 KY_E_PARSE);
	assert_string_equal(err.msg, "assets.csv:1: column 2: unknown column "
				     "'critcality' (prefix x- to ignore it)");
	assert_int_equal(imp_csv(a, "owner,location\nx,y\n", &imp, &err),
			 KY_E_PARSE);
	assert_non_null(strstr(err.msg, "no id, hostname or address column"));
	assert_int_equal(imp_csv(a, "id,ID\n", &imp, &err), KY_E_PARSE);
	assert_int_equal(imp_csv(a, "", &imp, &err), KY_E_PARSE);
	assert_non_null(strstr(err.msg, "no header row"));
	/* A record without id, host or address. */
	assert_int_equal(imp_csv(a, "id,owner\n,someone\n", &imp, &err), 0);
	assert_int_equal(imp.skipped, 1);
	assert_non_null(strstr(errs, "assets.csv:2: no id, host name or "
				     "address"));
	ky_assets_free(a);
}

static void test_csv_software_and_merge(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err = {0};
	const struct ky_asset *x;

	(void)state;
	assert_int_equal(imp_csv(a,
				 "hostname,address,criticality\n"
				 "web01.example.org,192.0.2.1,2\n"
				 "db01.example.org,192.0.2.2,5\n",
				 &imp, &err),
			 0);
	assert_int_equal(imp.added, 2);
	assert_int_equal(
		imp_csv(a,
			"asset,name,version,cpe,purl,supplier\n"
			"web01,nginx,1.24.0,"
			"cpe:2.3:a:f5:nginx:1.24.0:*:*:*:*:*:*:*,,F5\n"
			"web01.example.org,openssl,3.0.11,,"
			"pkg:deb/debian/openssl@3.0.11,Debian\n"
			"web01,openssl,3.0.11,,pkg:deb/debian/openssl@3.0.11,\n"
			"nosuch,x,1,,,\n"
			"db01,,1,,,\n",
			&imp, &err),
		0);
	assert_int_equal(imp.updated, 1);
	assert_int_equal(imp.software, 2);
	assert_int_equal(imp.skipped, 2);
	assert_non_null(strstr(errs, "assets.csv:5: column asset: no single "
				     "asset with id or host name 'nosuch'"));
	assert_non_null(strstr(errs, "assets.csv:6: column name: software "
				     "without a name"));
	x = ky_assets_get(a, "web01.example.org");
	assert_int_equal(x->nsoftware, 2);
	assert_string_equal(x->software[0].supplier, "F5");
	assert_null(x->software[0].purl);
	/* Re-import: updates, no duplicates; absent cells keep values. */
	assert_int_equal(imp_csv(a,
				 "hostname,owner,criticality\n"
				 "Web01.Example.org,Web team,\n",
				 &imp, &err),
			 0);
	assert_int_equal(imp.updated, 1);
	assert_int_equal(imp.added, 0);
	assert_int_equal(ky_assets_count(a), 2);
	assert_string_equal(x->owner, "Web team");
	assert_int_equal(x->criticality, 2);
	assert_int_equal(x->nsoftware, 2);
	assert_int_equal(x->naddresses, 1);
	ky_assets_free(a);
}

static int imp_json(struct ky_assets *a, const char *s, bool cdx,
		    const char *asset_id, struct ky_assets_import *imp,
		    struct ky_err *err)
{
	memset(imp, 0, sizeof(*imp));
	imp->name = cdx ? "bom.json" : "assets.json";
	imp->asset_id = asset_id;
	imp->on_error = on_error;
	errs[0] = '\0';
	if (cdx)
		return ky_assets_import_cyclonedx(a, s, strlen(s), imp, err);
	return ky_assets_import_json(a, s, strlen(s), imp, err);
}

static void test_json(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err = {0};
	const struct ky_asset *x;

	(void)state;
	assert_int_equal(
		imp_json(
			a,
			"[{\"id\":\"a1\",\"hostname\":\"web01\","
			"\"addresses\":[\"192.0.2.1\",\"::FFFF:192.0.2.2\"],"
			"\"criticality\":3,\"country\":\"nl\",\"cmdb\":{},"
			"\"software\":[{\"name\":\"bash\",\"version\":\"5.2\","
			"\"purl\":\"pkg:deb/debian/bash@5.2\"}]},"
			"{\"id\":\"a2\",\"hostname\":\"h2\",\"criticality\":7},"
			"{\"id\":\"a3\",\"hostname\":[\"h3\",5]},"
			"{\"id\":\"a1\",\"hostname\":\"dup\"},"
			"{\"id\":\"a4\",\"country\":\"XX\"},"
			"{\"id\":\"a5\",\"software\":[{\"version\":\"1\"}]},"
			"17,"
			"{\"id\":\"a6\",\"criticality\":\"5\"}]",
			false, NULL, &imp, &err),
		0);
	assert_int_equal(imp.records, 8);
	assert_int_equal(imp.added, 2);
	assert_int_equal(imp.skipped, 6);
	assert_int_equal(imp.software, 1);
	assert_non_null(strstr(errs, "assets.json: record 2 (id 'a2'): field "
				     "criticality: '7' is not 1-5\n"));
	assert_non_null(strstr(errs, "assets.json: record 3 (id 'a3'): field "
				     "hostname: element 1 is not a string\n"));
	assert_non_null(strstr(errs, "assets.json: record 4 (id 'a1'): field "
				     "id: duplicate of record 1\n"));
	assert_non_null(strstr(errs, "record 5 (id 'a4'): field country: "));
	assert_non_null(strstr(errs, "record 6 (id 'a5'): field software: "
				     "[0]: software without a name"));
	assert_non_null(strstr(errs, "record 7: not an object"));
	x = ky_assets_get(a, "a1");
	assert_int_equal(x->naddresses, 2);
	assert_string_equal(x->addresses[1], "192.0.2.2");
	assert_string_equal(x->country, "NL");
	assert_int_equal(ky_assets_get(a, "a6")->criticality, 5);

	assert_int_equal(
		imp_json(a, "[{\"id\":\"a1\",", false, NULL, &imp, &err),
		KY_E_PARSE);
	assert_non_null(strstr(err.msg, "assets.json:1:"));
	assert_int_equal(
		imp_json(a, "{\"id\":\"a1\"}", false, NULL, &imp, &err),
		KY_E_PARSE);
	assert_non_null(strstr(err.msg, "not a JSON array"));
	/* Invalid UTF-8 and duplicate keys are refused by the parser. */
	assert_int_equal(
		imp_json(a, "[{\"id\":\"\xff\"}]", false, NULL, &imp, &err),
		KY_E_PARSE);
	assert_int_equal(imp_json(a, "[{\"id\":\"a\",\"id\":\"b\"}]", false,
				  NULL, &imp, &err),
			 KY_E_PARSE);
	ky_assets_free(a);
}

static const char bom[] =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
	"\"metadata\":{\"component\":{\"type\":\"device\","
	"\"name\":\"PLC-7.plant.example\"}},"
	"\"components\":["
	"{\"type\":\"firmware\",\"name\":\"fw\",\"version\":\"2.1\","
	"\"supplier\":{\"name\":\"Vendor AG\"},"
	"\"cpe\":\"cpe:2.3:o:vendor:fw:2.1:*:*:*:*:*:*:*\","
	"\"components\":[{\"type\":\"library\",\"name\":\"openssl\","
	"\"version\":\"1.1.1w\",\"purl\":\"pkg:generic/openssl@1.1.1w\","
	"\"components\":[{\"name\":\"zlib\",\"version\":\"1.3\","
	"\"publisher\":\"zlib\"},{\"version\":\"9\"}]}]},"
	"{\"type\":\"library\",\"name\":\"busybox\",\"version\":\"1.36\","
	"\"purl\":\"pkg:generic/busybox@1.36\"},"
	"{\"name\":\"busybox\",\"purl\":\"pkg:generic/busybox@1.36\"}]}";

static void test_cyclonedx(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err = {0};
	const struct ky_asset *x;
	char buf[2048];

	(void)state;
	assert_int_equal(imp_json(a, bom, true, NULL, &imp, &err), 0);
	assert_int_equal(imp.added, 1);
	assert_int_equal(imp.software, 4);
	assert_int_equal(imp.skipped, 1);
	assert_non_null(strstr(errs, "bom.json: components[0].components[0]."
				     "components[1]: field name: software "
				     "without a name"));
	x = ky_assets_get(a, "plc-7.plant.example");
	assert_non_null(x);
	assert_int_equal(x->nsoftware, 4);
	assert_string_equal(x->software[0].supplier, "Vendor AG");
	assert_string_equal(x->software[1].name, "openssl");
	assert_string_equal(x->software[2].name, "zlib");
	assert_string_equal(x->software[2].supplier, "zlib");
	assert_string_equal(x->software[3].purl, "pkg:generic/busybox@1.36");
	/* Re-import of the same SBOM: no duplicates, same asset. */
	assert_int_equal(imp_json(a, bom, true, NULL, &imp, &err), 0);
	assert_int_equal(imp.updated, 1);
	assert_int_equal(ky_assets_count(a), 1);
	assert_int_equal(x->nsoftware, 4);
	/* An application SBOM needs the asset id. */
	snprintf(buf, sizeof(buf),
		 "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
		 "\"metadata\":{\"component\":{\"type\":\"application\","
		 "\"name\":\"shop\"}},\"components\":[{\"name\":\"log4j-core\","
		 "\"version\":\"2.14.1\",\"purl\":"
		 "\"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\"}]}");
	assert_int_equal(imp_json(a, buf, true, NULL, &imp, &err), KY_E_INVAL);
	assert_non_null(strstr(err.msg, "give the asset id"));
	assert_int_equal(
		imp_json(a, buf, true, "plc-7.plant.example", &imp, &err), 0);
	assert_int_equal(x->nsoftware, 1);
	assert_string_equal(x->software[0].name, "log4j-core");
	assert_int_equal(imp_json(a,
				  "{\"bomFormat\":\"CycloneDX\","
				  "\"specVersion\":\"1.3\"}",
				  true, NULL, &imp, &err),
			 KY_E_UNSUPPORTED);
	assert_int_equal(
		imp_json(a, "{\"bomFormat\":\"SPDX\"}", true, NULL, &imp, &err),
		KY_E_PARSE);
	/* Auto-detection picks the SBOM importer. */
	memset(&imp, 0, sizeof(imp));
	imp.on_error = on_error;
	assert_int_equal(ky_assets_import_data(a, KY_ASSETS_AUTO, bom,
					       strlen(bom), &imp, &err),
			 0);
	assert_int_equal(x->nsoftware, 4);
	ky_assets_free(a);
}

static void test_speed(void **state)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_assets_import imp;
	struct ky_err err = {0};
	struct ky_buf b, s;
	const struct ky_asset *found[2];
	struct timespec t0, t1, t2;
	size_t i, j;
	double d1, d2;

	(void)state;
	ky_buf_init(&b, 0);
	ky_buf_init(&s, 0);
	ky_buf_adds(&b, "id,hostname,address,owner,criticality,country\n");
	ky_buf_adds(&s, "asset,name,version,cpe,purl,supplier\n");
	for (i = 0; i < 10000; i++) {
		ky_buf_addf(&b,
			    "as%zu,h%zu.site%zu.example,10.%zu.%zu.%zu;"
			    "2001:db8::%zx,team%zu,%zu,DE\n",
			    i, i, i % 7, i >> 16, (i >> 8) & 255, i & 255, i,
			    i % 13, 1 + i % 5);
		for (j = 0; j < 20; j++)
			ky_buf_addf(&s,
				    "as%zu,pkg%zu,1.%zu.%zu,"
				    "cpe:2.3:a:vendor%zu:pkg%zu:1.%zu:*:*:*:*:"
				    "*:*:*,pkg:generic/pkg%zu@1.%zu.%zu,"
				    "Vendor %zu\n",
				    i, j, j, i % 10, j, j, j, j, j, i % 10, j);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(imp_csv(a, ky_buf_str(&b), &imp, &err), 0);
	assert_int_equal(imp.added, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(imp_csv(a, ky_buf_str(&s), &imp, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	assert_int_equal(imp.skipped, 0);
	assert_int_equal(imp.software, 200000);
	d1 = (double)(t1.tv_sec - t0.tv_sec) +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	d2 = (double)(t2.tv_sec - t1.tv_sec) +
	     (double)(t2.tv_nsec - t1.tv_nsec) / 1e9;
	printf("assets import: 10000 assets (%zu bytes) in %.3f s, 200000 "
	       "software rows (%zu bytes) in %.3f s\n",
	       b.len, d1, s.len, d2);
	assert_true(d1 + d2 < 10.0);
	assert_int_equal(ky_assets_find_addr(a, "2001:db8::270f", 14, found, 2),
			 1);
	assert_string_equal(found[0]->id, "as9999");
	assert_int_equal(found[0]->nsoftware, 20);
	ky_buf_free(&b);
	ky_buf_free(&s);
	ky_assets_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad),
		cmocka_unit_test(test_csv_software_and_merge),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cyclonedx),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
