/* kyklos stix: check STIX 2.1 objects from files (a bundle, one object, or
 * JSON lines) the way the node checks what peers send, and print one
 * synthetic object of every type the node emits (for outside validators,
 * tests/integration/test_stix_ajv.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "cli/cli.h"
#include "intel/stix.h"

static int emit(json_t *o, int *bad)
{
	char *s;

	if (o == NULL) {
		(*bad)++;
		return 1;
	}
	s = json_dumps(o, JSON_COMPACT);
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(o);
	return 0;
}

static int examples(void)
{
	/* a fixed node and clock: the output is the same on every run */
	struct ky_stix_ctx c = {"kyexampleexampleexamplex", "Example CSIRT",
				1795000000000000000LL};
	static const struct {
		enum ky_ioc_type t;
		const char *v;
	} iocs[] = {
		{KY_IOC_IP, "203.0.113.7"},
		{KY_IOC_IP, "2001:db8::/32"},
		{KY_IOC_DOMAIN, "c2.example.net"},
		{KY_IOC_DOMAIN, "*.bad.example"},
		{KY_IOC_URL, "http://c2.example.net/a'b"},
		{KY_IOC_EMAIL, "phish@example.org"},
		{KY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{KY_IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{KY_IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb924"
				"27ae41e4649b934ca495991b7852b855"},
	};
	struct ky_err err = {0};
	char ind[KY_STIX_ID_MAX] = "", obs[KY_STIX_ID_MAX] = "";
	const char *refs[2];
	json_t *o, *scos = NULL, *alert, *doc;
	int bad = 0;
	size_t i;

	for (int t = 0; t < KY_TLP_UNSET; t++)
		emit(ky_stix_tlp_marking((enum ky_tlp)t), &bad);
	emit(ky_stix_identity(&c, "EE", "government"), &bad);
	for (i = 0; i < sizeof(iocs) / sizeof(iocs[0]); i++) {
		o = ky_stix_indicator(&c, iocs[i].t, iocs[i].v, 80,
				      KY_TLP_GREEN, c.now_ns - 3600000000000LL,
				      &err);
		if (o != NULL && i == 0)
			snprintf(ind, sizeof(ind), "%s",
				 json_string_value(json_object_get(o, "id")));
		emit(o, &bad);
	}
	alert = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)42,
			  "time_ns", (json_int_t)(c.now_ns - 60000000000LL),
			  "src_ip", "198.51.100.9", "user", "alice", "host",
			  "ws-17");
	o = ky_stix_observed_alert(&c, alert, KY_TLP_AMBER, &scos, &err);
	json_decref(alert);
	if (o != NULL)
		snprintf(obs, sizeof(obs), "%s",
			 json_string_value(json_object_get(o, "id")));
	emit(o, &bad);
	json_array_foreach(scos, i, o) emit(json_incref(o), &bad);
	json_decref(scos);
	emit(ky_stix_sighting(&c, "example", ind, c.now_ns - 120000000000LL,
			      c.now_ns - 60000000000LL, 3, obs, KY_TLP_AMBER,
			      &err),
	     &bad);
	doc = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:[s], s:[s], s:[s], "
			"s:{s:s, s:s}, s:{s:i, s:s}, s:{s:s}, s:[s,s], s:[]}",
			"id", (json_int_t)7, "status", "acknowledged", "title",
			"SSH brute force then login on ws-17", "created_ns",
			(json_int_t)(c.now_ns - 300000000000LL), "last_ns",
			(json_int_t)(c.now_ns - 60000000000LL), "alert_count",
			(json_int_t)12, "hosts", "ws-17", "users", "alice",
			"addresses", "198.51.100.9", "classification", "class",
			"intrusion-attempts", "type", "brute-force", "severity",
			"score", 62, "band", "high", "tlp", "level", "amber",
			"attack", "attack.credential_access",
			"attack.t1110.001", "history");
	emit(ky_stix_incident(&c, doc, &err), &bad);
	json_decref(doc);
	emit(ky_stix_vulnerability(&c, "CVE-2024-3094",
				   "Backdoor in xz-utils 5.6.0 and 5.6.1",
				   KY_TLP_CLEAR, &err),
	     &bad);
	emit(ky_stix_relationship(&c, "indicates", ind,
				  "incident--0b8c2c4e-8f5e-5e53-9d6f-"
				  "3a64b1d3f0c1",
				  KY_TLP_GREEN, &err),
	     &bad);
	refs[0] = ind;
	refs[1] = obs;
	emit(ky_stix_note(&c, "example", "Seen from three hosts at once.", refs,
			  2, KY_TLP_GREEN, &err),
	     &bad);
	emit(ky_stix_report(&c, "example", "Weekly C2 summary", refs, 2,
			    KY_TLP_GREEN, &err),
	     &bad);
	if (bad)
		ky_cli_error("stix examples: %d objects failed: %s", bad,
			     err.msg);
	return bad ? 1 : 0;
}

/* Checks one object; prints the error with where it came from. */
static int check_one(const json_t *o, const char *name, size_t at, int *nbad)
{
	struct ky_err err = {0};

	if (ky_stix_check(o, &err) == 0)
		return 0;
	(*nbad)++;
	printf("%s:%zu: %s\n", name, at, err.msg);
	return 1;
}

static int check_file(const char *path, size_t *nok, int *nbad)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	json_error_t je;
	json_t *j, *objs, *v;
	size_t i;

	if (f == NULL) {
		ky_cli_error("%s: cannot open", path);
		return 1;
	}
	/* a whole document first (bundle or one object) ... */
	j = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (j != NULL) {
		if ((objs = json_object_get(j, "objects")) != NULL &&
		    json_is_array(objs)) {
			json_array_foreach(
				objs, i,
				v) if (!check_one(v, path, i, nbad))(*nok)++;
		} else if (!check_one(j, path, 0, nbad)) {
			(*nok)++;
		}
		json_decref(j);
	} else {
		/* ... else JSON lines, one object per line */
		char *line = NULL;
		size_t cap = 0, ln = 0;

		rewind(f);
		while (getline(&line, &cap, f) > 0) {
			ln++;
			if (line[strspn(line, " \t\r\n")] == '\0')
				continue;
			if ((j = json_loads(line, JSON_REJECT_DUPLICATES,
					    &je)) == NULL) {
				printf("%s:%zu:%d: %s\n", path, ln, je.column,
				       je.text);
				(*nbad)++;
				continue;
			}
			if (!check_one(j, path, ln, nbad))
				(*nok)++;
			json_decref(j);
		}
		free(line);
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

int ky_cmd_stix(struct ky_cli *cli, int argc, char **argv)
{
	size_t nok = 0;
	int nbad = 0, r = 0;

	(void)cli;
	if (argc == 2 && strcmp(argv[1], "examples") == 0)
		return examples();
	if (argc < 3 || strcmp(argv[1], "check") != 0) {
		ky_cli_error("usage: kyklos stix check FILE...|-  or  kyklos "
			     "stix examples");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		r |= check_file(argv[i], &nok, &nbad);
	printf("%zu valid, %d invalid\n", nok, nbad);
	return r || nbad ? 1 : 0;
}
