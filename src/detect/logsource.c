/* Log sources: the built-in Windows/Linux map (a C table equivalent to
 * SigmaHQ's tests/thor.yml, on the field names of docs/fieldmap.md), the
 * loader of thor.yml-style files, and the resolution of a rule's
 * (product, category, service) into the event conditions it implies. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libfyaml.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/hash.h"
#include "base/text.h"
#include "detect/logsource.h"

struct ls_entry {
	const char *product, *category, *service; /* NULL: not named */
	const char *rw_product, *rw_service;	  /* rewrite: (loader only) */
	struct ky_ls_cond *conds;
	size_t nconds;
	struct ky_ls_alt alt;
};

/* The alternatives of one resolved (product, category, service). */
struct resolved {
	size_t n;
	const struct ky_ls_alt *alts[];
};

struct ky_logsources {
	struct ky_arena *arena; /* every string and array of the entries */
	struct ls_entry *entries;
	size_t n, cap;
	/* resolution cache: resolve is called once per rule, and SigmaHQ's
	 * 3,000 rules use about 150 distinct logsources */
	pthread_mutex_t lock;
	struct ky_hash *cache;
};

/* The built-in map.  conds: "Field=v1|v2;Field=v" (values compared as
 * text, case-insensitively); renames: "RuleField=EventField;...".  Each
 * category of thor.yml is combined with the Channel of the service its
 * "rewrite" names, so EventID 1 means Sysmon's EventID 1 only (events of
 * every channel arrive mixed here, not one log file at a time). */
struct builtin {
	const char *name, *product, *category, *service;
	const char *conds, *renames;
};

#define SYSMON ";Channel=Microsoft-Windows-Sysmon/Operational"
#define PS_OP                                                                  \
	";Channel=Microsoft-Windows-PowerShell/Operational|"                   \
	"PowerShellCore/Operational"
#define PS_CLASSIC ";Channel=Windows PowerShell"
#define DEFENDER ";Channel=Microsoft-Windows-Windows Defender/Operational"
/* Defender's event data names have spaces ("Threat Name"); Sigma rules
 * write them without (ThreatName), as SigmaHQ's regression checker
 * reads them. */
#define DEFENDER_NAMES                                                         \
	";ThreatName=Threat Name;SourceName=Source Name;"                      \
	"ProcessName=Process Name;ThreatID=Threat ID;"                         \
	"SeverityName=Severity Name;SeverityID=Severity ID;"                   \
	"CategoryName=Category Name;CategoryID=Category ID;"                   \
	"DetectionUser=Detection User;DetectionTime=Detection Time;"           \
	"DetectionID=Detection ID;ProductName=Product Name;"                   \
	"ProductVersion=Product Version;ActionName=Action Name;"               \
	"ActionID=Action ID;ErrorCode=Error Code;"                             \
	"ErrorDescription=Error Description;OriginName=Origin Name;"           \
	"ExecutionName=Execution Name;TypeName=Type Name;"                     \
	"SourceID=Source ID;OriginID=Origin ID;ExecutionID=Execution ID;"      \
	"TypeID=Type ID;StatusCode=Status Code;"                               \
	"StatusDescription=Status Description;EngineVersion=Engine Version;"   \
	"RemediationUser=Remediation User;PostCleanStatus=Post Clean Status;"  \
	"PreExecutionStatus=Pre Execution Status;"                             \
	"AdditionalActionsID=Additional Actions ID;"                           \
	"AdditionalActionsString=Additional Actions String;"                   \
	"SecurityintelligenceVersion=Security intelligence Version;"           \
	"NewValue=New Value;OldValue=Old Value"
#define LSYSMON ";Channel=Linux-Sysmon/Operational"
#define W "windows"

static const struct builtin builtin_map[] = {
	/* Sysmon categories (thor.yml, rewrite service: sysmon) */
	{"process_creation_1", W, "process_creation", NULL, "EventID=1" SYSMON,
	 NULL},
	{"process_creation_2", W, "process_creation", NULL,
	 "EventID=4688;Channel=Security",
	 "Image=NewProcessName;ParentImage=ParentProcessName"},
	{"file_change", W, "file_change", NULL, "EventID=2" SYSMON, NULL},
	{"network_connection", W, "network_connection", NULL,
	 "EventID=3" SYSMON, NULL},
	{"sysmon_status", W, "sysmon_status", NULL, "EventID=4|16" SYSMON,
	 NULL},
	{"process_terminated", W, "process_termination", NULL,
	 "EventID=5" SYSMON, NULL},
	{"driver_loaded", W, "driver_load", NULL, "EventID=6" SYSMON, NULL},
	{"image_loaded", W, "image_load", NULL, "EventID=7" SYSMON, NULL},
	{"create_remote_thread", W, "create_remote_thread", NULL,
	 "EventID=8" SYSMON, NULL},
	{"raw_access_thread", W, "raw_access_thread", NULL, "EventID=9" SYSMON,
	 NULL},
	{"process_access", W, "process_access", NULL, "EventID=10" SYSMON,
	 NULL},
	{"file_creation", W, "file_event", NULL, "EventID=11" SYSMON, NULL},
	{"registry_event", W, "registry_event", NULL, "EventID=12|13|14" SYSMON,
	 NULL},
	{"registry_add", W, "registry_add", NULL,
	 "EventID=12;EventType=CreateKey" SYSMON, NULL},
	{"registry_delete", W, "registry_delete", NULL,
	 "EventID=12;EventType=DeleteKey|DeleteValue" SYSMON, NULL},
	{"registry_set", W, "registry_set", NULL, "EventID=13" SYSMON, NULL},
	{"registry_rename", W, "registry_rename", NULL, "EventID=14" SYSMON,
	 NULL},
	{"create_stream_hash", W, "create_stream_hash", NULL,
	 "EventID=15" SYSMON, NULL},
	{"pipe_created", W, "pipe_created", NULL, "EventID=17|18" SYSMON, NULL},
	{"wmi_event", W, "wmi_event", NULL, "EventID=19|20|21" SYSMON, NULL},
	{"dns_query", W, "dns_query", NULL, "EventID=22" SYSMON, NULL},
	{"file_delete", W, "file_delete", NULL, "EventID=23" SYSMON, NULL},
	{"clipboard_change", W, "clipboard_change", NULL, "EventID=24" SYSMON,
	 NULL},
	{"process_tampering", W, "process_tampering", NULL, "EventID=25" SYSMON,
	 NULL},
	{"file_delete_detected", W, "file_delete_detected", NULL,
	 "EventID=26" SYSMON, NULL},
	{"file_block_executable", W, "file_block_executable", NULL,
	 "EventID=27" SYSMON, NULL},
	{"file_block_shredding", W, "file_block_shredding", NULL,
	 "EventID=28" SYSMON, NULL},
	{"file_executable_detected", W, "file_executable_detected", NULL,
	 "EventID=29" SYSMON, NULL},
	{"sysmon_error", W, "sysmon_error", NULL, "EventID=255" SYSMON, NULL},
	/* PowerShell */
	{"ps_module", W, "ps_module", NULL, "EventID=4103" PS_OP, NULL},
	{"ps_script", W, "ps_script", NULL, "EventID=4104" PS_OP, NULL},
	{"ps_classic_start", W, "ps_classic_start", NULL,
	 "EventID=400" PS_CLASSIC, NULL},
	{"ps_classic_provider_start", W, "ps_classic_provider_start", NULL,
	 "EventID=600" PS_CLASSIC, NULL},
	{"ps_classic_script", W, "ps_classic_script", NULL,
	 "EventID=800" PS_CLASSIC, NULL},
	/* Defender (thor.yml names no product for this one) */
	{"windows-defender-antivirus-mapping", NULL, "antivirus", NULL,
	 "EventID=1006|1007|1008|1009|1010|1011|1012|1017|1018|1019|1115|"
	 "1116" DEFENDER,
	 "Signature=Threat Name;Filename=Path" DEFENDER_NAMES},
	/* Windows services: the channel of each */
	{"windows-application", W, NULL, "application", "Channel=Application",
	 NULL},
	{"windows-security", W, NULL, "security", "Channel=Security", NULL},
	{"windows-system", W, NULL, "system", "Channel=System", NULL},
	{"windows-ntlm", W, NULL, "ntlm",
	 "Channel=Microsoft-Windows-NTLM/Operational", NULL},
	{"windows-sysmon", W, NULL, "sysmon",
	 "Channel=Microsoft-Windows-Sysmon/Operational", NULL},
	{"windows-powershell", W, NULL, "powershell", &(PS_OP)[1], NULL},
	{"windows-classicpowershell", W, NULL, "powershell-classic",
	 &(PS_CLASSIC)[1], NULL},
	{"windows-taskscheduler", W, NULL, "taskscheduler",
	 "Channel=Microsoft-Windows-TaskScheduler/Operational", NULL},
	{"windows-wmi", W, NULL, "wmi",
	 "Channel=Microsoft-Windows-WMI-Activity/Operational", NULL},
	{"windows-dhcp", W, NULL, "dhcp",
	 "Channel=Microsoft-Windows-DHCP-Server/Operational", NULL},
	{"windows-printservice-admin", W, NULL, "printservice-admin",
	 "Channel=Microsoft-Windows-PrintService/Admin", NULL},
	{"windows-smbclient-security", W, NULL, "smbclient-security",
	 "Channel=Microsoft-Windows-SmbClient/Security", NULL},
	{"windows-smbclient-connectivity", W, NULL, "smbclient-connectivity",
	 "Channel=Microsoft-Windows-SmbClient/Connectivity", NULL},
	{"windows-smbserver-connectivity", W, NULL, "smbserver-connectivity",
	 "Channel=Microsoft-Windows-SMBServer/Connectivity", NULL},
	{"windows-printservice-operational", W, NULL,
	 "printservice-operational",
	 "Channel=Microsoft-Windows-PrintService/Operational", NULL},
	{"windows-terminalservices-localsessionmanager-operational", W, NULL,
	 "terminalservices-localsessionmanager",
	 "Channel=Microsoft-Windows-TerminalServices-LocalSessionManager/"
	 "Operational",
	 NULL},
	{"windows-codeintegrity-operational", W, NULL,
	 "codeintegrity-operational",
	 "Channel=Microsoft-Windows-CodeIntegrity/Operational", NULL},
	{"windows-applocker", W, NULL, "applocker",
	 "Channel=Microsoft-Windows-AppLocker/MSI and Script|"
	 "Microsoft-Windows-AppLocker/EXE and DLL|"
	 "Microsoft-Windows-AppLocker/Packaged app-Deployment|"
	 "Microsoft-Windows-AppLocker/Packaged app-Execution",
	 NULL},
	{"windows-msexchange-management", W, NULL, "msexchange-management",
	 "Channel=MSExchange Management", NULL},
	{"windows-defender", W, NULL, "windefend", &(DEFENDER)[1],
	 &(DEFENDER_NAMES)[1]},
	{"windows-firewall-advanced-security", W, NULL, "firewall-as",
	 "Channel=Microsoft-Windows-Windows Firewall With Advanced "
	 "Security/Firewall",
	 NULL},
	{"windows-bits-client", W, NULL, "bits-client",
	 "Channel=Microsoft-Windows-Bits-Client/Operational", NULL},
	{"windows-security-mitigations", W, NULL, "security-mitigations",
	 "Channel=Microsoft-Windows-Security-Mitigations/Kernel Mode|"
	 "Microsoft-Windows-Security-Mitigations/User Mode",
	 NULL},
	{"windows-diagnosis", W, NULL, "diagnosis-scripted",
	 "Channel=Microsoft-Windows-Diagnosis-Scripted/Operational", NULL},
	{"windows-shell-core", W, NULL, "shell-core",
	 "Channel=Microsoft-Windows-Shell-Core/Operational", NULL},
	{"windows-openssh", W, NULL, "openssh", "Channel=OpenSSH/Operational",
	 NULL},
	{"windows-ldap-debug", W, NULL, "ldap",
	 "Channel=Microsoft-Windows-LDAP-Client/Debug", NULL},
	{"windows-bitlocker", W, NULL, "bitlocker",
	 "Channel=Microsoft-Windows-BitLocker/BitLocker Management", NULL},
	{"windows-vhdmp", W, NULL, "vhdmp",
	 "Channel=Microsoft-Windows-VHDMP/Operational", NULL},
	{"windows-appxdeployment-server", W, NULL, "appxdeployment-server",
	 "Channel=Microsoft-Windows-AppXDeploymentServer/Operational", NULL},
	{"windows-lsa-server", W, NULL, "lsa-server",
	 "Channel=Microsoft-Windows-LSA/Operational", NULL},
	{"windows-appxpackaging-om", W, NULL, "appxpackaging-om",
	 "Channel=Microsoft-Windows-AppxPackaging/Operational", NULL},
	{"windows-dns-client", W, NULL, "dns-client",
	 "Channel=Microsoft-Windows-DNS Client Events/Operational", NULL},
	{"windows-appmodel-runtime", W, NULL, "appmodel-runtime",
	 "Channel=Microsoft-Windows-AppModel-Runtime/Admin", NULL},
	{"windows-capi2", W, NULL, "capi2",
	 "Channel=Microsoft-Windows-CAPI2/Operational", NULL},
	{"windows-certificateservicesclient-lifecycle", W, NULL,
	 "certificateservicesclient-lifecycle-system",
	 "Channel=Microsoft-Windows-CertificateServicesClient-Lifecycle-"
	 "System/Operational",
	 NULL},
	{"windows-kernel-shimengine", W, NULL, "kernel-shimengine",
	 "Channel=Microsoft-Windows-Kernel-ShimEngine/Operational|"
	 "Microsoft-Windows-Kernel-ShimEngine/Diagnostic",
	 NULL},
	{"windows-application-experience", W, NULL, "application-experience",
	 "Channel=Microsoft-Windows-Application-Experience/Program-Telemetry|"
	 "Microsoft-Windows-Application-Experience/"
	 "Program-Compatibility-Assistant",
	 NULL},
	{"windows-ntfs", W, NULL, "ntfs",
	 "Channel=Microsoft-Windows-Ntfs/Operational", NULL},
	{"windows-hyper-v-worker", W, NULL, "hyper-v-worker",
	 "Channel=Microsoft-Windows-Hyper-V-Worker", NULL},
	{"windows-kernel-event-tracing", W, NULL, "kernel-event-tracing",
	 "Channel=Microsoft-Windows-Kernel-EventTracing", NULL},
	{"windows-sense", W, NULL, "sense",
	 "Channel=Microsoft-Windows-SENSE/Operational", NULL},
	{"windows-servicebus", W, NULL, "servicebus-client",
	 "Channel=Microsoft-ServiceBus-Client/Admin|"
	 "Microsoft-ServiceBus-Client/Operational",
	 NULL},
	{"windows-iis-configuration", W, NULL, "iis-configuration",
	 "Channel=Microsoft-IIS-Configuration/Operational", NULL},
	/* not in thor.yml: services SigmaHQ rules use, pySigma's channels */
	{"windows-dns-server", W, NULL, "dns-server", "Channel=DNS Server",
	 NULL},
	{"windows-driver-framework", W, NULL, "driver-framework",
	 "Channel=Microsoft-Windows-DriverFrameworks-UserMode/Operational",
	 NULL},
	{"windows-servicebus-client", W, NULL, "microsoft-servicebus-client",
	 "Channel=Microsoft-ServiceBus-Client/Admin|"
	 "Microsoft-ServiceBus-Client/Operational",
	 NULL},
	/* Linux: Sysmon for Linux, and syslog events (docs/events.md) */
	{"linux-process_creation", "linux", "process_creation", NULL,
	 "EventID=1" LSYSMON, NULL},
	{"linux-network_connection", "linux", "network_connection", NULL,
	 "EventID=3" LSYSMON, NULL},
	{"linux-process_termination", "linux", "process_termination", NULL,
	 "EventID=5" LSYSMON, NULL},
	{"linux-file_event", "linux", "file_event", NULL, "EventID=11" LSYSMON,
	 NULL},
	{"linux-file_delete", "linux", "file_delete", NULL,
	 "EventID=23" LSYSMON, NULL},
	{"linux-auth", "linux", NULL, "auth", "log.syslog.facility.code=4|10",
	 NULL},
	{"linux-syslog", "linux", NULL, "syslog",
	 "log.syslog.facility.code=0|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|"
	 "17|18|19|20|21|22|23",
	 NULL},
	{"linux-sshd", "linux", NULL, "sshd", "process.name=sshd|sshd-session",
	 NULL},
	{"linux-sudo", "linux", NULL, "sudo", "process.name=sudo", NULL},
	{"linux-cron", "linux", NULL, "cron", "process.name=cron|crond", NULL},
	{"linux-vsftpd", "linux", NULL, "vsftpd", "process.name=vsftpd", NULL},
	{"linux-clamav", "linux", NULL, "clamav",
	 "process.name=clamd|freshclam|clamscan", NULL},
};

#undef W

static struct ky_logsources *ls_new(void)
{
	struct ky_logsources *ls = calloc(1, sizeof(*ls));

	if (!ls)
		return NULL;
	if (!(ls->arena = ky_arena_new(16384, 0)) ||
	    !(ls->cache = ky_hash_new(0)) ||
	    pthread_mutex_init(&ls->lock, NULL) != 0) {
		ky_arena_free(ls->arena);
		ky_hash_free(ls->cache, NULL);
		free(ls);
		return NULL;
	}
	return ls;
}

void ky_logsources_free(struct ky_logsources *ls)
{
	if (!ls)
		return;
	ky_hash_free(ls->cache, free);
	pthread_mutex_destroy(&ls->lock);
	ky_arena_free(ls->arena);
	free(ls->entries);
	free(ls);
}

static struct ls_entry *add_entry(struct ky_logsources *ls)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 64;
		struct ls_entry *e =
			realloc(ls->entries, cap * sizeof(*ls->entries));

		if (!e)
			return NULL;
		ls->entries = e;
		ls->cap = cap;
	}
	memset(&ls->entries[ls->n], 0, sizeof(ls->entries[0]));
	return &ls->entries[ls->n++];
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Splits s at sep into arena copies. */
static const char **split(struct ky_arena *a, const char *s, char sep,
			  size_t *n)
{
	size_t cap = count_char(s, sep) + 1, k = 0;
	const char **v = ky_arena_alloc(a, cap * sizeof(*v));

	if (!v)
		return NULL;
	for (;;) {
		const char *e = strchr(s, sep);
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (!(v[k++] = ky_arena_strndup(a, s, len)))
			return NULL;
		if (!e)
			break;
		s = e + 1;
	}
	*n = k;
	return v;
}

static int builtin_entry(struct ky_logsources *ls, const struct builtin *b)
{
	struct ls_entry *e = add_entry(ls);
	const char **parts;
	size_t nparts;

	if (!e)
		return KY_E_NOMEM;
	e->product = b->product;
	e->category = b->category;
	e->service = b->service;
	e->alt.name = b->name;
	if (!(parts = split(ls->arena, b->conds, ';', &nparts)))
		return KY_E_NOMEM;
	e->conds = ky_arena_alloc(ls->arena, nparts * sizeof(*e->conds));
	if (!e->conds)
		return KY_E_NOMEM;
	for (size_t i = 0; i < nparts; i++) {
		char *eq = strchr(parts[i], '=');
		struct ky_ls_cond *c = &e->conds[i];

		if (!eq)
			return KY_E_INTERNAL;
		*eq = '\0';
		c->field = parts[i];
		if (!(c->values = split(ls->arena, eq + 1, '|', &c->nvalues)))
			return KY_E_NOMEM;
	}
	e->nconds = nparts;
	if (b->renames) {
		const char **r = split(ls->arena, b->renames, ';', &nparts);
		const char **pairs;

		if (!r || !(pairs = ky_arena_alloc(
				    ls->arena, 2 * nparts * sizeof(*pairs))))
			return KY_E_NOMEM;
		for (size_t i = 0; i < nparts; i++) {
			char *eq = strchr(r[i], '=');

			if (!eq)
				return KY_E_INTERNAL;
			*eq = '\0';
			pairs[2 * i] = r[i];
			pairs[2 * i + 1] = eq + 1;
		}
		e->alt.renames = pairs;
		e->alt.nrenames = nparts;
	}
	return 0;
}

/* The alt's pointers are set once the entry array stops moving. */
static void fix_alts(struct ky_logsources *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		ls->entries[i].alt.conds = ls->entries[i].conds;
		ls->entries[i].alt.nconds = ls->entries[i].nconds;
	}
}

struct ky_logsources *ky_logsources_builtin(void)
{
	struct ky_logsources *ls = ls_new();

	if (!ls)
		return NULL;
	for (size_t i = 0; i < sizeof(builtin_map) / sizeof(builtin_map[0]);
	     i++) {
		if (builtin_entry(ls, &builtin_map[i]) != 0) {
			ky_logsources_free(ls);
			return NULL;
		}
	}
	fix_alts(ls);
	return ls;
}

static bool key_eq(const char *entry, const char *rule)
{
	return rule && strcasecmp(entry, rule) == 0;
}

static bool entry_applies(const struct ls_entry *e, const char *product,
			  const char *category, const char *service)
{
	if (!e->product && !e->category && !e->service)
		return false;
	return (!e->product || key_eq(e->product, product)) &&
	       (!e->category || key_eq(e->category, category)) &&
	       (!e->service || key_eq(e->service, service));
}

static int add_lower(struct ky_buf *b, const char *s)
{
	int r = 0;

	/* '\x1f' separates the keys; a missing key differs from "" */
	if (!s)
		return ky_buf_addc(b, '\x1e');
	for (; *s && r == 0; s++)
		r = ky_buf_addc(b, (char)tolower((unsigned char)*s));
	return r ? r : ky_buf_addc(b, '\x1f');
}

static int resolve_new(const struct ky_logsources *ls, const char *product,
		       const char *category, const char *service,
		       struct resolved **out)
{
	struct resolved *res;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < ls->n; i++)
		n += entry_applies(&ls->entries[i], product, category, service);
	res = malloc(sizeof(*res) + n * sizeof(res->alts[0]));
	if (!res)
		return KY_E_NOMEM;
	for (size_t i = 0; i < ls->n; i++)
		if (entry_applies(&ls->entries[i], product, category, service))
			res->alts[k++] = &ls->entries[i].alt;
	res->n = n;
	*out = res;
	return 0;
}

int ky_logsources_resolve(const struct ky_logsources *ls, const char *product,
			  const char *category, const char *service,
			  const struct ky_ls_alt *const **alts, size_t *nalts)
{
	struct ky_buf key;
	struct resolved *res = NULL;
	int r;

	*alts = NULL;
	*nalts = 0;
	ky_buf_init(&key, 4096);
	if ((r = add_lower(&key, product)) != 0 ||
	    (r = add_lower(&key, category)) != 0 ||
	    (r = add_lower(&key, service)) != 0)
		goto out;
	/* the cache is behind a pointer: resolving does not change the map */
	pthread_mutex_lock((pthread_mutex_t *)&ls->lock);
	res = ky_hash_get(ls->cache, key.data, key.len);
	if (!res &&
	    (r = resolve_new(ls, product, category, service, &res)) == 0 &&
	    (r = ky_hash_put(ls->cache, key.data, key.len, res, NULL)) != 0) {
		free(res);
		res = NULL;
	}
	pthread_mutex_unlock((pthread_mutex_t *)&ls->lock);
	if (res) {
		*alts = res->alts;
		*nalts = res->n;
	}
out:
	ky_buf_free(&key);
	return r;
}

bool ky_ls_cond_match(const struct ky_ls_cond *c, const struct ky_field *f)
{
	if (!f || !f->str)
		return false;
	for (size_t k = 0; k < c->nvalues; k++)
		if (strlen(c->values[k]) == f->str_len &&
		    strncasecmp(c->values[k], f->str, f->str_len) == 0)
			return true;
	return false;
}

bool ky_ls_alt_match(const struct ky_ls_alt *alt, const struct ky_event *ev)
{
	for (size_t i = 0; i < alt->nconds; i++)
		if (!ky_ls_cond_match(&alt->conds[i],
				      ky_event_get(ev, alt->conds[i].field)))
			return false;
	return true;
}

/* ---- thor.yml-style files ---- */

struct loader {
	const char *path;
	struct ky_logsources *ls;
	struct ky_err *err;
};

static void node_pos(struct fy_node *n, int *line, int *col)
{
	struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

	*line = m ? m->line + 1 : 1;
	*col = m ? m->column + 1 : 1;
}

static int fail(struct loader *ld, struct fy_node *at, const char *what,
		const char *name)
{
	int line, col;

	node_pos(at, &line, &col);
	return ky_err_set(ld->err, KY_E_CONFIG, "%s:%d:%d: %s%s%s", ld->path,
			  line, col, what, name ? " " : "", name ? name : "");
}

/* An arena copy of a scalar's text, or NULL (not a scalar, or no memory:
 * *r tells). */
static const char *scalar(struct loader *ld, struct fy_node *n, int *r)
{
	const char *s;
	size_t len;
	char *c;

	*r = 0;
	if (!n || !fy_node_is_scalar(n) || !(s = fy_node_get_scalar(n, &len)))
		return NULL;
	if (!(c = ky_arena_strndup(ld->ls->arena, s, len)))
		*r = KY_E_NOMEM;
	return c;
}

static int want_scalar(struct loader *ld, struct fy_node *key,
		       struct fy_node *v, const char **out)
{
	int r;

	*out = scalar(ld, v, &r);
	if (r)
		return ky_err_set(ld->err, r, "%s: out of memory", ld->path);
	if (!*out)
		return fail(ld, key, "expected a text value for",
			    fy_node_get_scalar(key, NULL) ? "this key" : NULL);
	return 0;
}

static struct ky_ls_cond *grow_conds(struct loader *ld, struct ls_entry *e,
				     size_t more)
{
	struct ky_ls_cond *c =
		ky_arena_alloc(ld->ls->arena, (e->nconds + more) * sizeof(*c));

	if (!c)
		return NULL;
	if (e->nconds)
		memcpy(c, e->conds, e->nconds * sizeof(*c));
	e->conds = c;
	return c;
}

/* conditions: {Field: value or [values]} */
static int load_conditions(struct loader *ld, struct ls_entry *e,
			   struct fy_node *key, struct fy_node *map)
{
	struct fy_node_pair *p;
	void *it = NULL;
	int r;

	if (!fy_node_is_mapping(map))
		return fail(ld, key, "conditions must be a mapping", NULL);
	while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p);
		struct fy_node *v = fy_node_pair_value(p);
		struct ky_ls_cond *c;
		const char **vals;
		size_t n = 1;

		if (!grow_conds(ld, e, 1))
			goto nomem;
		c = &e->conds[e->nconds];
		if ((r = want_scalar(ld, k, k, &c->field)) != 0)
			return r;
		if (v && fy_node_is_sequence(v))
			n = (size_t)fy_node_sequence_item_count(v);
		if (n == 0)
			return fail(ld, k, "empty list of values for",
				    c->field);
		if (!(vals = ky_arena_alloc(ld->ls->arena, n * sizeof(*vals))))
			goto nomem;
		if (v && fy_node_is_sequence(v)) {
			void *it2 = NULL;
			struct fy_node *item;
			size_t i = 0;

			while ((item = fy_node_sequence_iterate(v, &it2)))
				if ((r = want_scalar(ld, k, item,
						     &vals[i++])) != 0)
					return r;
		} else if ((r = want_scalar(ld, k, v, &vals[0])) != 0) {
			return r;
		}
		c->values = vals;
		c->nvalues = n;
		e->nconds++;
	}
	return 0;
nomem:
	return ky_err_set(ld->err, KY_E_NOMEM, "%s: out of memory", ld->path);
}

/* sources: ["WinEventLog:Security", "File:/var/log/x"]: the first kind
 * becomes a Channel condition; files name no event field and are left
 * out. */
static int load_sources(struct loader *ld, struct ls_entry *e,
			struct fy_node *key, struct fy_node *seq)
{
	static const char pfx[] = "WinEventLog:";
	struct fy_node *item;
	struct ky_ls_cond *c;
	const char **vals;
	void *it = NULL;
	size_t n = 0;
	int r;

	if (!fy_node_is_sequence(seq))
		return fail(ld, key, "sources must be a list", NULL);
	vals = ky_arena_alloc(ld->ls->arena,
			      ((size_t)fy_node_sequence_item_count(seq) + 1) *
				      sizeof(*vals));
	if (!vals)
		goto nomem;
	while ((item = fy_node_sequence_iterate(seq, &it))) {
		const char *s;

		if ((r = want_scalar(ld, key, item, &s)) != 0)
			return r;
		if (strncmp(s, pfx, sizeof(pfx) - 1) == 0)
			vals[n++] = s + sizeof(pfx) - 1;
	}
	if (n == 0)
		return 0;
	if (!grow_conds(ld, e, 1))
		goto nomem;
	c = &e->conds[e->nconds++];
	c->field = "Channel";
	c->values = vals;
	c->nvalues = n;
	return 0;
nomem:
	return ky_err_set(ld->err, KY_E_NOMEM, "%s: out of memory", ld->path);
}

/* fieldmappings: {RuleField: EventField} */
static int load_renames(struct loader *ld, struct ls_entry *e,
			struct fy_node *key, struct fy_node *map)
{
	struct fy_node_pair *p;
	const char **pairs;
	void *it = NULL;
	size_t n = 0;
	int r;

	if (!fy_node_is_mapping(map))
		return fail(ld, key, "fieldmappings must be a mapping", NULL);
	pairs = ky_arena_alloc(
		ld->ls->arena,
		2 * ((size_t)fy_node_mapping_item_count(map) + 1) *
			sizeof(*pairs));
	if (!pairs)
		return ky_err_set(ld->err, KY_E_NOMEM, "%s: out of memory",
				  ld->path);
	while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p);
		struct fy_node *v = fy_node_pair_value(p);

		if ((r = want_scalar(ld, k, k, &pairs[2 * n])) != 0)
			return r;
		if (v && fy_node_is_sequence(v))
			return fail(ld, k,
				    "a field maps to one event field, not a "
				    "list:",
				    pairs[2 * n]);
		if ((r = want_scalar(ld, k, v, &pairs[2 * n + 1])) != 0)
			return r;
		n++;
	}
	e->alt.renames = pairs;
	e->alt.nrenames = n;
	return 0;
}

static int load_rewrite(struct loader *ld, struct ls_entry *e,
			struct fy_node *key, struct fy_node *map)
{
	struct fy_node *v;
	int r = 0;

	if (!fy_node_is_mapping(map))
		return fail(ld, key, "rewrite must be a mapping", NULL);
	if ((v = fy_node_mapping_lookup_by_string(map, "product", 7)) &&
	    (r = want_scalar(ld, key, v, &e->rw_product)) != 0)
		return r;
	if ((v = fy_node_mapping_lookup_by_string(map, "service", 7)) &&
	    (r = want_scalar(ld, key, v, &e->rw_service)) != 0)
		return r;
	return 0;
}

static int load_entry(struct loader *ld, struct fy_node *name,
		      struct fy_node *map)
{
	struct fy_node_pair *p;
	struct ls_entry *e;
	void *it = NULL;
	int r = 0;

	if (!fy_node_is_mapping(map))
		return fail(ld, name, "a logsource must be a mapping:",
			    fy_node_get_scalar0(name));
	if (!(e = add_entry(ld->ls)))
		return ky_err_set(ld->err, KY_E_NOMEM, "%s: out of memory",
				  ld->path);
	if ((r = want_scalar(ld, name, name, &e->alt.name)) != 0)
		return r;
	while (r == 0 && (p = fy_node_mapping_iterate(map, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p);
		struct fy_node *v = fy_node_pair_value(p);
		const char *ks = fy_node_get_scalar0(k);

		if (!ks)
			r = fail(ld, k, "keys must be text", NULL);
		else if (strcmp(ks, "product") == 0)
			r = want_scalar(ld, k, v, &e->product);
		else if (strcmp(ks, "category") == 0)
			r = want_scalar(ld, k, v, &e->category);
		else if (strcmp(ks, "service") == 0)
			r = want_scalar(ld, k, v, &e->service);
		else if (strcmp(ks, "conditions") == 0)
			r = load_conditions(ld, e, k, v);
		else if (strcmp(ks, "sources") == 0)
			r = load_sources(ld, e, k, v);
		else if (strcmp(ks, "fieldmappings") == 0)
			r = load_renames(ld, e, k, v);
		else if (strcmp(ks, "rewrite") == 0)
			r = load_rewrite(ld, e, k, v);
		/* other keys (index, ...) are for other backends */
	}
	return r;
}

static bool has_cond(const struct ls_entry *e, const char *field)
{
	for (size_t i = 0; i < e->nconds; i++)
		if (strcmp(e->conds[i].field, field) == 0)
			return true;
	return false;
}

/* A category entry with "rewrite: {product, service}" lives in that
 * service's log: it takes the conditions of the service's entry (its
 * Channel), which THOR, reading one log file at a time, gets for free. */
static int apply_rewrites(struct loader *ld)
{
	struct ky_logsources *ls = ld->ls;

	for (size_t i = 0; i < ls->n; i++) {
		struct ls_entry *e = &ls->entries[i];

		if (!e->rw_service)
			continue;
		for (size_t j = 0; j < ls->n; j++) {
			const struct ls_entry *s = &ls->entries[j];

			if (j == i || s->category || !s->service ||
			    strcasecmp(s->service, e->rw_service) != 0 ||
			    (e->rw_product && s->product &&
			     strcasecmp(s->product, e->rw_product) != 0))
				continue;
			for (size_t k = 0; k < s->nconds; k++) {
				if (has_cond(e, s->conds[k].field))
					continue;
				if (!grow_conds(ld, e, 1))
					return ky_err_set(ld->err, KY_E_NOMEM,
							  "%s: out of memory",
							  ld->path);
				e->conds[e->nconds++] = s->conds[k];
			}
			break;
		}
	}
	return 0;
}

static void diag_sink(struct fy_diag *diag, void *user, const char *buf,
		      size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

static int syntax_error(struct loader *ld, struct fy_diag *diag)
{
	struct fy_diag_error *de;
	void *it = NULL;

	while ((de = fy_diag_errors_iterate(diag, &it)) != NULL) {
		if (de->type < FYET_ERROR)
			continue;
		return ky_err_set(ld->err, KY_E_PARSE,
				  "%s:%d:%d: YAML syntax error: %s", ld->path,
				  de->line > 0 ? de->line : 1,
				  de->column > 0 ? de->column : 1,
				  de->msg ? de->msg : "?");
	}
	return ky_err_set(ld->err, KY_E_IO, "%s: cannot read or parse",
			  ld->path);
}

/* A logsource file is small: read it whole so it can be checked before
 * libfyaml sees it (base/text.h says why). */
#define LS_FILE_MAX (4 << 20)
#define LS_BLANK_MAX 1000

static int read_text(const char *path, char **text, size_t *len,
		     struct ky_err *err)
{
	struct ky_buf b;
	char chunk[65536];
	size_t n;
	FILE *fp;
	int r = 0;

	ky_buf_init(&b, LS_FILE_MAX);
	if ((fp = fopen(path, "rb")) == NULL)
		return ky_err_set(err, KY_E_IO, "%s: %s", path,
				  strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && r == 0)
		r = ky_buf_add(&b, chunk, n);
	if (r == 0 && ferror(fp))
		r = ky_err_set(err, KY_E_IO, "%s: read error", path);
	else if (r == KY_E_TOOBIG)
		r = ky_err_set(err, KY_E_TOOBIG, "%s: larger than %d bytes",
			       path, LS_FILE_MAX);
	else if (r != 0)
		r = ky_err_set(err, r, "%s: out of memory", path);
	fclose(fp);
	if (r != 0) {
		ky_buf_free(&b);
		return r;
	}
	*text = ky_buf_steal(&b, len);
	return 0;
}

int ky_logsources_load(struct ky_logsources **out, const char *path,
		       struct ky_err *err)
{
	struct loader ld = {path, NULL, err};
	struct fy_diag *diag = NULL;
	struct fy_document *doc = NULL;
	struct fy_diag_cfg dc;
	struct fy_parse_cfg pc;
	struct fy_node *root, *srcs;
	struct fy_node_pair *p;
	const char *what = NULL;
	unsigned line, col;
	char *text = NULL;
	size_t tlen = 0;
	void *it = NULL;
	int r = KY_E_NOMEM;

	*out = NULL;
	if (!(ld.ls = ls_new()))
		goto nomem;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_sink;
	dc.colorize = false;
	if (!(diag = fy_diag_create(&dc)))
		goto nomem;
	fy_diag_set_collect_errors(diag, true);
	memset(&pc, 0, sizeof(pc));
	pc.flags = FYPCF_QUIET;
	pc.diag = diag;
	if ((r = read_text(path, &text, &tlen, err)) != 0)
		goto out;
	r = ky_yaml_precheck(text, tlen, LS_BLANK_MAX, &line, &col, &what);
	if (r != 0) {
		r = ky_err_set(
			err, KY_E_CONFIG, "%s:%u:%u: %s", path, line, col,
			r == KY_E_TOOBIG ? "too many blank lines in a row"
					 : what);
		goto out;
	}
	if (!(doc = fy_document_build_from_string(&pc, text, tlen))) {
		r = syntax_error(&ld, diag);
		goto out;
	}
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		r = ky_err_set(err, KY_E_CONFIG, "%s:1:1: expected a mapping",
			       path);
		goto out;
	}
	srcs = fy_node_mapping_lookup_by_string(root, "logsources", 10);
	if (!srcs || !fy_node_is_mapping(srcs)) {
		r = ky_err_set(err, KY_E_CONFIG,
			       "%s:1:1: no 'logsources' mapping", path);
		goto out;
	}
	r = 0;
	while (r == 0 && (p = fy_node_mapping_iterate(srcs, &it)) != NULL)
		r = load_entry(&ld, fy_node_pair_key(p), fy_node_pair_value(p));
	if (r == 0 && (r = apply_rewrites(&ld)) == 0) {
		fix_alts(ld.ls);
		*out = ld.ls;
		ld.ls = NULL;
	}
	goto out;
nomem:
	r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", path);
out:
	if (doc)
		fy_document_destroy(doc);
	if (diag)
		fy_diag_destroy(diag);
	free(text);
	ky_logsources_free(ld.ls);
	return r;
}
