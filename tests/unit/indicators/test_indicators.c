/* Unit tests for detect/indicators: normalisation of each type, prefix and
 * subdomain matching, the list and CSV loaders with bad lines, warning
 * lists, field restrictions, matching a hand-built event, and a 1M load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "detect/indicators.h"

static int add(struct ky_ioc_set *s, enum ky_ioc_type t, const char *v,
	       bool warning, const char *fields)
{
	struct ky_ioc ioc = {.type = t,
			     .value = v,
			     .list = "test",
			     .fields = fields,
			     .confidence = 50,
			     .warning = warning};
	struct ky_err e = {0};

	return ky_ioc_add(s, &ioc, strlen(v), &e);
}

static const char *look(struct ky_ioc_set *s, enum ky_ioc_type t, const char *v)
{
	const struct ky_ioc *ioc = ky_ioc_lookup(s, t, v, strlen(v));

	return ioc ? ioc->value : NULL;
}

static void test_types(void **state)
{
	enum ky_ioc_type t;

	(void)state;
	assert_string_equal(ky_ioc_type_name(KY_IOC_SHA256), "sha256");
	assert_int_equal(ky_ioc_type_parse("CIDR", &t), 0);
	assert_int_equal(t, KY_IOC_IP);
	assert_int_equal(ky_ioc_type_parse("hostname", &t), 0);
	assert_int_equal(t, KY_IOC_DOMAIN);
	assert_int_equal(ky_ioc_type_parse("sha512", &t), KY_E_INVAL);
	static const struct {
		const char *v;
		int t;
	} g[] = {
		{"10.0.0.1", KY_IOC_IP},
		{"2001:db8::/32", KY_IOC_IP},
		{"Example.ORG.", KY_IOC_DOMAIN},
		{"*.example.org", KY_IOC_DOMAIN},
		{"https://x.org/a", KY_IOC_URL},
		{"a@b.org", KY_IOC_EMAIL},
		{"d41d8cd98f00b204e9800998ecf8427e", KY_IOC_MD5},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", KY_IOC_SHA1},
		{"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B"
		 "855",
		 KY_IOC_SHA256},
		{"10.0.0.256", -1},
		{"1.2.3", -1},
		{"nodot", -1},
		{"d41d8cd98f00b204e9800998ecf8427", -1},
		{"a b.org", -1},
		{"", -1},
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		int r = ky_ioc_type_guess(g[i].v, strlen(g[i].v), &t);
		if (g[i].t < 0) {
			assert_int_equal(r, KY_E_PARSE);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(t, g[i].t);
		}
	}
}

static void test_ip(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();

	(void)state;
	assert_int_equal(add(s, KY_IOC_IP, "10.0.0.0/8", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "10.1.0.0/16", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "10.1.2.3", false, NULL), 0);
	/* host bits are cleared */
	assert_int_equal(add(s, KY_IOC_IP, "192.168.7.9/24", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "2001:DB8::/32", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "2001:db8::1/128", false, NULL), 0);
	assert_string_equal(look(s, KY_IOC_IP, "10.1.2.3"), "10.1.2.3");
	assert_string_equal(look(s, KY_IOC_IP, "10.1.2.4"), "10.1.0.0/16");
	assert_string_equal(look(s, KY_IOC_IP, "10.2.0.0"), "10.0.0.0/8");
	assert_string_equal(look(s, KY_IOC_IP, "10.255.255.255"), "10.0.0.0/8");
	assert_null(look(s, KY_IOC_IP, "11.0.0.0"));
	assert_null(look(s, KY_IOC_IP, "9.255.255.255"));
	assert_string_equal(look(s, KY_IOC_IP, "192.168.7.200"),
			    "192.168.7.0/24");
	assert_null(look(s, KY_IOC_IP, "192.168.8.0"));
	/* IPv4-mapped IPv6 is the IPv4 address */
	assert_string_equal(look(s, KY_IOC_IP, "::ffff:10.1.2.3"), "10.1.2.3");
	assert_string_equal(look(s, KY_IOC_IP, "::FFFF:0a01:0204"),
			    "10.1.0.0/16");
	assert_string_equal(look(s, KY_IOC_IP, "2001:db8::1"), "2001:db8::1");
	assert_string_equal(look(s, KY_IOC_IP, "2001:db8:0:0::2"),
			    "2001:db8::/32");
	assert_string_equal(look(s, KY_IOC_IP, "fe80::1%eth0") ? "x" : "none",
			    "none");
	assert_null(look(s, KY_IOC_IP, "2001:db9::1"));
	/* a range looked up finds a containing range */
	assert_string_equal(look(s, KY_IOC_IP, "10.1.0.0/20"), "10.1.0.0/16");
	/* /0 per family; /32 and /128 exact */
	assert_null(look(s, KY_IOC_IP, "8.8.8.8"));
	assert_int_equal(add(s, KY_IOC_IP, "0.0.0.0/0", false, NULL), 0);
	assert_string_equal(look(s, KY_IOC_IP, "8.8.8.8"), "0.0.0.0/0");
	assert_null(look(s, KY_IOC_IP, "::2"));
	assert_int_equal(add(s, KY_IOC_IP, "::/0", false, NULL), 0);
	assert_string_equal(look(s, KY_IOC_IP, "::2"), "::/0");
	assert_int_equal(add(s, KY_IOC_IP, "8.8.8.8/32", false, NULL), 0);
	assert_string_equal(look(s, KY_IOC_IP, "8.8.8.8"), "8.8.8.8");
	/* mapped range of length >= 96 becomes IPv4 */
	assert_int_equal(
		add(s, KY_IOC_IP, "::ffff:172.16.0.0/108", false, NULL), 0);
	assert_string_equal(look(s, KY_IOC_IP, "172.16.3.4"), "172.16.0.0/12");
	/* malformed */
	const char *bad[] = {"10.0.0.256", "10.0.0.1/33", "01.2.3.4",
			     "::1/129",	   "10.0.0.1/",	  "10.0.0.1/08",
			     "1.2.3.4.5",  "::g",	  "10.0.0.1/3x",
			     "1.2.3.4 ",   "/8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(add(s, KY_IOC_IP, bad[i], false, NULL),
				 KY_E_PARSE);
	assert_int_equal(ky_ioc_count(s, KY_IOC_IP), 10);
	ky_ioc_set_free(s);
}

static void test_domain(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();

	(void)state;
	assert_int_equal(add(s, KY_IOC_DOMAIN, "Evil.COM.", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "*.Example.org", false, NULL),
			 0);
	assert_string_equal(look(s, KY_IOC_DOMAIN, "EVIL.com"), "evil.com");
	assert_string_equal(look(s, KY_IOC_DOMAIN, "evil.com."), "evil.com");
	assert_null(look(s, KY_IOC_DOMAIN, "www.evil.com"));
	assert_string_equal(look(s, KY_IOC_DOMAIN, "a.b.EXAMPLE.org."),
			    "*.example.org");
	assert_string_equal(look(s, KY_IOC_DOMAIN, "www.example.org"),
			    "*.example.org");
	assert_null(look(s, KY_IOC_DOMAIN, "example.org"));
	assert_null(look(s, KY_IOC_DOMAIN, "badexample.org"));
	assert_null(look(s, KY_IOC_DOMAIN, "example.org.evil"));
	/* IDNA left as given: UTF-8 labels are stored and matched as bytes */
	assert_int_equal(add(s, KY_IOC_DOMAIN,
			     "b\xc3\xbc"
			     "cher.de",
			     false, NULL),
			 0);
	assert_non_null(look(s, KY_IOC_DOMAIN,
			     "B\xc3\xbc"
			     "cher.DE"));
	assert_null(look(s, KY_IOC_DOMAIN, "xn--bcher-kva.de"));
	const char *bad[] = {"a..b",	"-",	    ".",      "a b.com", "*.",
			     "a.*.com", "\xff.com", "x.\xc3", "a/b.com"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(add(s, KY_IOC_DOMAIN, bad[i], false, NULL),
				 i == 1 ? 0 : KY_E_PARSE);
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(add(s, KY_IOC_DOMAIN, big, false, NULL), KY_E_PARSE);
	ky_ioc_set_free(s);
}

static void test_url_email_hash(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct ky_ioc ioc = {.type = KY_IOC_MD5, .value = "x"};
	struct ky_err e = {0};

	(void)state;
	assert_int_equal(
		add(s, KY_IOC_URL, "HTTP://Example.ORG:80", false, NULL), 0);
	assert_string_equal(look(s, KY_IOC_URL, "http://example.org/"),
			    "http://example.org/");
	assert_non_null(look(s, KY_IOC_URL, "http://EXAMPLE.org."));
	assert_null(look(s, KY_IOC_URL, "https://example.org/"));
	assert_int_equal(add(s, KY_IOC_URL, "https://u:P@Host.net:443/A?b#c",
			     false, NULL),
			 0);
	assert_string_equal(look(s, KY_IOC_URL, "HTTPS://u:P@HOST.net/A?b#c"),
			    "https://u:P@host.net/A?b#c");
	assert_null(look(s, KY_IOC_URL, "https://u:P@host.net/a?b#c"));
	assert_int_equal(
		add(s, KY_IOC_URL, "http://[2001:DB8::1]:8080?q", false, NULL),
		0);
	assert_string_equal(look(s, KY_IOC_URL, "http://[2001:db8::1]:8080/?q"),
			    "http://[2001:db8::1]:8080/?q");
	const char *badu[] = {"example.org/x",	 "http://",	 "http://:80/",
			      "http://h:99999/", "http://h:8a/", "1http://x",
			      "http://a b/",	 "http://[::1/"};
	for (size_t i = 0; i < sizeof(badu) / sizeof(badu[0]); i++)
		assert_int_equal(add(s, KY_IOC_URL, badu[i], false, NULL),
				 KY_E_PARSE);

	assert_int_equal(add(s, KY_IOC_EMAIL, "Alice@Example.ORG", false, NULL),
			 0);
	assert_string_equal(look(s, KY_IOC_EMAIL, "alice@example.org"),
			    "alice@example.org");
	assert_non_null(look(s, KY_IOC_EMAIL, "Alice A. <ALICE@example.org>"));
	assert_null(look(s, KY_IOC_EMAIL, "bob@example.org"));
	const char *bade[] = {"a@@b.org",  "@b.org",   "a@",
			      "a b@c.org", "a@b..org", "noat"};
	for (size_t i = 0; i < sizeof(bade) / sizeof(bade[0]); i++)
		assert_int_equal(add(s, KY_IOC_EMAIL, bade[i], false, NULL),
				 KY_E_PARSE);

	assert_int_equal(add(s, KY_IOC_SHA256,
			     "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA"
			     "495991B7852B855",
			     false, NULL),
			 0);
	assert_string_equal(look(s, KY_IOC_SHA256,
				 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
				 "934ca495991b7852b855"),
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
			    "a495991b7852b855");
	assert_int_equal(add(s, KY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e",
			     false, NULL),
			 0);
	/* wrong length for the type, or not hex */
	assert_int_equal(add(s, KY_IOC_SHA1, "d41d8cd98f00b204e9800998ecf8427e",
			     false, NULL),
			 KY_E_PARSE);
	assert_int_equal(add(s, KY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427",
			     false, NULL),
			 KY_E_PARSE);
	assert_int_equal(add(s, KY_IOC_MD5, "g41d8cd98f00b204e9800998ecf8427e",
			     false, NULL),
			 KY_E_PARSE);
	assert_null(look(s, KY_IOC_SHA1, "d41d8cd98f00b204e9800998ecf8427e"));
	/* an error names the value; a NUL byte inside is shown escaped */
	assert_int_equal(ky_ioc_add(s, &ioc, 1, &e), KY_E_PARSE);
	assert_non_null(strstr(e.msg, "md5 'x'"));
	ioc.value = "ab\0cd";
	assert_int_equal(ky_ioc_add(s, &ioc, 5, &e), KY_E_PARSE);
	assert_non_null(strstr(e.msg, "ab\\x00cd"));
	ioc.value = "d41d8cd98f00b204e9800998ecf8427e";
	ioc.confidence = 101;
	assert_int_equal(ky_ioc_add(s, &ioc, 32, &e), KY_E_INVAL);
	assert_int_equal(ky_ioc_count(s, KY_IOC_URL), 3);
	assert_int_equal(ky_ioc_count(s, KY_IOC_MD5), 1);
	ky_ioc_set_free(s);
}

static char *write_tmp(const char *text, size_t n)
{
	char *path = strdup("/tmp/ky_ioc_testXXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

static void test_list(void **state)
{
	static const char text[] = "# a comment\n"
				   "10.0.0.1\n"
				   "\n"
				   "not a value\n"
				   "  Evil.com   # trailing comment\n"
				   "http://x.org/#frag\n"
				   "10.0.0.300\n"
				   "d41d8cd98f00b204e9800998ecf8427e\r\n"
				   "nodot\n"
				   "a@b.org";
	struct ky_ioc_set *s = ky_ioc_set_new();
	char *path = write_tmp(text, sizeof(text) - 1), want[128];
	uint64_t loaded = 0, rejected = 0;
	struct ky_err e = {0};
	const struct ky_ioc *ioc;

	(void)state;
	assert_int_equal(
		ky_ioc_load_list(s, path, -1, false, &loaded, &rejected, &e),
		0);
	assert_int_equal(loaded, 5);
	assert_int_equal(rejected, 3);
	snprintf(want, sizeof(want), "%s:4: ", path);
	assert_memory_equal(e.msg, want, strlen(want));
	assert_non_null(look(s, KY_IOC_URL, "http://x.org/#frag"));
	ioc = ky_ioc_lookup(s, KY_IOC_DOMAIN, "evil.com", 8);
	assert_non_null(ioc);
	assert_int_equal(ioc->line, 5);
	assert_string_equal(ioc->list, path);
	assert_int_equal(ioc->confidence, 50);
	assert_non_null(look(s, KY_IOC_EMAIL, "a@b.org"));
	/* forced type: everything that is not an address is bad */
	assert_int_equal(ky_ioc_load_list(s, path, KY_IOC_IP, false, &loaded,
					  &rejected, &e),
			 0);
	assert_int_equal(loaded, 1);
	assert_int_equal(rejected, 7);
	snprintf(want, sizeof(want), "%s:4: ", path);
	assert_memory_equal(e.msg, want, strlen(want));
	/* a missing file is an error */
	assert_int_equal(ky_ioc_load_list(s, "/nonexistent/x", -1, false,
					  &loaded, &rejected, &e),
			 KY_E_IO);
	unlink(path);
	free(path);
	ky_ioc_set_free(s);
}

static void test_csv(void **state)
{
	static const char text[] =
		"\xef\xbb\xbfValue,Type,fields,confidence,warning,comment\n"
		"10.0.0.1,ip,,80,,c2 server\n"
		"\"evil.org\",domain,\"url.domain,dns.question.name\",,false,"
		"\"multi\nline, \"\"quoted\"\"\"\n"
		"bad\"quote,ip,,,,\n"
		"1.2.3.4,ip,,200,,\n"
		"\n"
		"# comment\n"
		"x.org,md5,,,,\n"
		"8.8.8.8,,,,true,dns\n"
		",ip,,,,\n"
		"\"1.1.1.1\"x,ip,,,,\n"
		"9.9.9.9,unknown,,,,\n"
		"a.org,domain,,,maybe,\n"
		"\"unterminated,ip\n";
	struct ky_ioc_set *s = ky_ioc_set_new();
	char *path = write_tmp(text, sizeof(text) - 1), want[128];
	uint64_t loaded = 0, rejected = 0;
	struct ky_err e = {0};
	const struct ky_ioc *ioc;

	(void)state;
	assert_int_equal(ky_ioc_load_csv(s, path, &loaded, &rejected, &e), 0);
	assert_int_equal(loaded, 3);
	assert_int_equal(rejected, 8);
	snprintf(want, sizeof(want), "%s:5: quote inside", path);
	assert_memory_equal(e.msg, want, strlen(want));
	ioc = ky_ioc_lookup(s, KY_IOC_IP, "10.0.0.1", 8);
	assert_non_null(ioc);
	assert_int_equal(ioc->confidence, 80);
	assert_int_equal(ioc->line, 2);
	assert_null(ioc->fields);
	ioc = ky_ioc_lookup(s, KY_IOC_DOMAIN, "evil.org", 8);
	assert_non_null(ioc);
	assert_string_equal(ioc->fields, "url.domain,dns.question.name");
	assert_int_equal(ioc->line, 3);
	ioc = ky_ioc_lookup(s, KY_IOC_IP, "8.8.8.8", 7);
	assert_non_null(ioc);
	assert_true(ioc->warning);
	assert_int_equal(ioc->line, 10);
	unlink(path);
	free(path);

	/* no header with a value column: nothing loads */
	path = write_tmp("ip,type\n1.2.3.4,ip\n", 19);
	assert_int_equal(ky_ioc_load_csv(s, path, &loaded, &rejected, &e),
			 KY_E_PARSE);
	assert_int_equal(loaded, 0);
	unlink(path);
	free(path);
	path = write_tmp("", 0);
	assert_int_equal(ky_ioc_load_csv(s, path, &loaded, &rejected, &e),
			 KY_E_PARSE);
	unlink(path);
	free(path);
	ky_ioc_set_free(s);
}

struct hits {
	int n;
	const char *value[8];
	char field[8][32];
};

static int on_hit(void *ud, const struct ky_ioc_hit *hit)
{
	struct hits *h = ud;

	if (h->n < 8) {
		h->value[h->n] = hit->ioc->value;
		snprintf(h->field[h->n], sizeof(h->field[0]), "%.*s",
			 (int)hit->field->path_len, hit->field->path);
	}
	h->n++;
	return 0;
}

static int stop_first(void *ud, const struct ky_ioc_hit *hit)
{
	(void)hit;
	(*(int *)ud)++;
	return 1;
}

#define ADD(ev, k, v)                                                          \
	assert_int_equal(ky_event_add_str(ev, k, strlen(k), v, strlen(v)), 0)

static void test_match_event(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_event ev;
	struct hits h = {0};
	int stops = 0;

	(void)state;
	assert_int_equal(ky_event_init(&ev, a, 64), 0);
	assert_int_equal(add(s, KY_IOC_IP, "10.0.0.0/8", false, NULL), 0);
	assert_int_equal(add(s, KY_IOC_IP, "10.1.0.0/16", true, NULL), 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "*.example.org", false, NULL),
			 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "good.example.org", true, NULL),
			 0);
	assert_int_equal(add(s, KY_IOC_SHA256,
			     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca"
			     "495991b7852b855",
			     false, NULL),
			 0);
	assert_int_equal(add(s, KY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e",
			     false, NULL),
			 0);
	/* only on the named field, which is not a default field */
	assert_int_equal(add(s, KY_IOC_IP, "192.0.2.1", false, "x.peer"), 0);
	assert_int_equal(
		add(s, KY_IOC_EMAIL, "a@b.org", false, "email.from.address"),
		0);

	ADD(&ev, "source.ip", "10.1.2.3");	      /* suppressed by /16 */
	ADD(&ev, "destination.ip", "10.2.0.1");	      /* hit */
	ADD(&ev, "related.ip[1]", "::ffff:10.9.9.9"); /* hit */
	ADD(&ev, "message", "10.3.3.3");	      /* not an IOC field */
	ADD(&ev, "dns.question.name", "www.Example.org."); /* hit */
	ADD(&ev, "url.domain", "x.good.example.org");	   /* suppressed */
	ADD(&ev, "QueryName", "badexample.org");	   /* none */
	ADD(&ev, "Hashes",
	    "MD5=D41D8CD98F00B204E9800998ECF8427E,SHA256=E3B0C44298FC1C149AFB"
	    "F4C8996FB92427AE41E4649B934CA495991B7852B855,IMPHASH="
	    "D41D8CD98F00B204E9800998ECF8427E"); /* 2 hits, not IMPHASH */
	ADD(&ev, "source.ip", "192.0.2.1");	 /* restricted to x.peer */
	ADD(&ev, "x.peer", "192.0.2.1");	 /* hit */
	ADD(&ev, "user.email", "a@b.org");	 /* restricted elsewhere */
	ADD(&ev, "email.from.address", "Ann <A@B.org>"); /* hit */
	ADD(&ev, "source.ip", "not an ip");
	assert_int_equal(ky_event_add_int(&ev, "destination.ip", 14, 10), 0);
	assert_int_equal(ky_ioc_match_event(s, &ev, on_hit, &h), 7);
	assert_int_equal(h.n, 7);
	assert_string_equal(h.field[0], "destination.ip");
	assert_string_equal(h.value[0], "10.0.0.0/8");
	assert_string_equal(h.field[1], "related.ip[1]");
	assert_string_equal(h.value[2], "*.example.org");
	assert_string_equal(h.field[3], "Hashes");
	assert_string_equal(h.value[3], "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(h.field[4], "Hashes");
	assert_string_equal(h.field[5], "x.peer");
	assert_string_equal(h.field[6], "email.from.address");
	/* fn returning non-zero stops */
	assert_int_equal(ky_ioc_match_event(s, &ev, stop_first, &stops), 1);
	assert_int_equal(stops, 1);
	/* without a callback the hits are only counted */
	assert_int_equal(ky_ioc_match_event(s, &ev, NULL, NULL), 7);
	/* lookup returns the warning entry when only a warning matches */
	assert_int_equal(add(s, KY_IOC_IP, "172.16.0.0/12", true, NULL), 0);
	assert_true(ky_ioc_lookup(s, KY_IOC_IP, "172.16.0.1", 10)->warning);
	assert_false(ky_ioc_lookup(s, KY_IOC_IP, "10.1.0.1", 8)->warning);
	assert_null(ky_ioc_lookup(s, KY_IOC_IP, "11.1.0.1", 8));
	ky_event_free(&ev);
	ky_arena_free(a);
	ky_ioc_set_free(s);
}

/* The same value on both kinds of list: the warning wins whatever the
 * order of loading; a duplicate replaces metadata only. */
static void test_warning_order(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct ky_arena *a = ky_arena_new(4096, 0);
	struct ky_ioc ioc = {.type = KY_IOC_DOMAIN,
			     .value = "evil.org",
			     .confidence = 90,
			     .line = 7};
	struct ky_event ev;

	(void)state;
	assert_int_equal(ky_event_init(&ev, a, 8), 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "evil.org", true, NULL), 0);
	assert_int_equal(add(s, KY_IOC_DOMAIN, "evil.org", false, NULL), 0);
	assert_int_equal(ky_ioc_add(s, &ioc, 8, NULL), 0);
	assert_int_equal(ky_ioc_count(s, KY_IOC_DOMAIN), 2);
	assert_int_equal(
		ky_ioc_lookup(s, KY_IOC_DOMAIN, "evil.org", 8)->confidence, 90);
	ADD(&ev, "url.domain", "evil.org");
	assert_int_equal(ky_ioc_match_event(s, &ev, NULL, NULL), 0);
	ky_event_free(&ev);
	ky_arena_free(a);
	ky_ioc_set_free(s);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1,000,000 mixed indicators through ky_ioc_add, generated in memory. */
static void test_load_1m(void **state)
{
	struct ky_ioc_set *s = ky_ioc_set_new();
	struct ky_ioc ioc = {.list = "gen", .confidence = 50};
	char v[128];
	double t0 = now(), dt;
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (uint32_t i = 0; i < 1000000; i++) {
		int n;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (i % 10) {
		case 0:
		case 1:
		case 2:
		case 3:
			ioc.type = KY_IOC_IP;
			n = snprintf(v, sizeof(v), "%u.%u.%u.%u", 1 + (i >> 24),
				     (i >> 16) & 255, (i >> 8) & 255, i & 255);
			break;
		case 4:
		case 5:
		case 6:
			ioc.type = KY_IOC_DOMAIN;
			n = snprintf(v, sizeof(v), "h%u.d%llx.example", i,
				     (unsigned long long)(x & 0xffff));
			break;
		case 7:
		case 8:
			ioc.type = KY_IOC_SHA256;
			n = snprintf(
				v, sizeof(v), "%016llx%016llx%016llx%016llx",
				(unsigned long long)x, (unsigned long long)i,
				(unsigned long long)~x, 0ull);
			break;
		default:
			ioc.type = KY_IOC_URL;
			n = snprintf(v, sizeof(v), "http://u%u.example/p?q=%u",
				     i, i);
		}
		ioc.value = v;
		ioc.line = i;
		assert_int_equal(ky_ioc_add(s, &ioc, (size_t)n, NULL), 0);
	}
	dt = now() - t0;
	printf("loaded 1000000 indicators in %.3f s\n", dt);
	assert_int_equal(ky_ioc_count(s, KY_IOC_IP), 400000);
	assert_int_equal(ky_ioc_count(s, KY_IOC_DOMAIN), 300000);
	assert_int_equal(ky_ioc_count(s, KY_IOC_SHA256), 200000);
	assert_int_equal(ky_ioc_count(s, KY_IOC_URL), 100000);
	assert_non_null(look(s, KY_IOC_IP, "1.15.66.34"));
	assert_non_null(look(s, KY_IOC_URL, "http://u9.example/p?q=9"));
	assert_null(look(s, KY_IOC_URL, "http://u8.example/p?q=8"));
	ky_ioc_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_url_email_hash),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_match_event),
		cmocka_unit_test(test_warning_order),
		cmocka_unit_test(test_load_1m),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
