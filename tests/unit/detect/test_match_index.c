/* The matcher's fast paths, which must not change a single alert: trigger
 * bits chosen per rule (`sel and not filter` only wakes on sel), rules
 * that hold with no bit set (only on events of their logsource), field
 * scans skipped when no rule of the event's logsource reads the field,
 * keyword literals apart, and the per-thread cache of recent values
 * (keyed by field and type, never for |fieldref, evicted by its ring).
 * Last, a differential test: random rules and events through one set
 * against each rule in a set of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "detect/ruleset.h"
#include "detect/sigma.h"
#include "event/event.h"

#include "match_fixture.h"

/* Fields as name, value pairs; a value "<null>" is a JSON null and
 * "<int>N" an integer. */
static void event(const char *name, va_list ap)
{
	ky_event_reset(&F.ev);
	for (const char *k = name; k != NULL; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);

		if (strcmp(v, "<null>") == 0)
			assert_int_equal(ky_event_add(&F.ev, k, strlen(k),
						      KY_V_NULL, "null", 4),
					 0);
		else if (strncmp(v, "<int>", 5) == 0)
			assert_int_equal(
				ky_event_add_int(&F.ev, k, strlen(k),
						 strtoll(v + 5, NULL, 10)),
				0);
		else
			assert_int_equal(ky_event_add_str(&F.ev, k, strlen(k),
							  v, strlen(v)),
					 0);
	}
}

/* The alerts' titles for the event, "" for none. */
static const char *match(const char *name, ...)
{
	static struct seen seen;
	va_list ap;
	int r;

	va_start(ap, name);
	event(name, ap);
	va_end(ap);
	memset(&seen, 0, sizeof(seen));
	r = ky_ruleset_match(F.rs, F.s, &F.ev, on_alert, &seen);
	assert_int_equal(r, seen.n);
	return seen.titles;
}

static const char rules_not[] =
	"title: NotEvil\n"
	"logsource: {product: windows, category: process_creation}\n"
	"detection:\n"
	"  sel: {Image|endswith: '\\evil.exe'}\n"
	"  condition: not sel\n"
	"---\n"
	"title: NetNotFilter\n"
	"logsource: {product: windows, category: network_connection}\n"
	"detection:\n"
	"  filter: {DestinationPort: 443}\n"
	"  condition: not filter\n";

/* A rule that holds when none of its bits is set fires on events of its
 * source only. */
static void test_zero_rules_by_logsource(void **state)
{
	(void)state;
	build(rules_not);
	/* process creation, nothing of the rule in it: fires */
	assert_string_equal(match("EventID", "<int>1", "Channel", SYSMON,
				  "Image", "C:\\a\\good.exe", NULL),
			    "NotEvil");
	assert_string_equal(match("EventID", "<int>1", "Channel", SYSMON, NULL),
			    "NotEvil");
	assert_string_equal(match("EventID", "<int>1", "Channel", SYSMON,
				  "Image", "C:\\a\\EVIL.exe", NULL),
			    "");
	/* another source: neither `not` rule of the other source fires */
	assert_string_equal(match("EventID", "<int>3", "Channel", SYSMON,
				  "Image", "C:\\a\\good.exe", NULL),
			    "NetNotFilter");
	assert_string_equal(match("EventID", "<int>3", "Channel", SYSMON,
				  "DestinationPort", "<int>443", NULL),
			    "");
	assert_string_equal(match("EventID", "<int>4624", "Channel", "Security",
				  "Image", "C:\\x.exe", NULL),
			    "");
	assert_string_equal(match("Image", "C:\\x.exe", NULL), "");
	/* the same with the Security shape of process creation */
	assert_string_equal(match("EventID", "<int>4688", "Channel", "Security",
				  "NewProcessName", "C:\\b.exe", NULL),
			    "NotEvil");
	assert_string_equal(match("EventID", "<int>4688", "Channel", "Security",
				  "NewProcessName", "C:\\b\\evil.exe", NULL),
			    "");
}

static const char rules_filter[] =
	"title: SelNotFilter\n"
	"logsource: {product: windows, category: process_creation}\n"
	"detection:\n"
	"  sel: {CommandLine|contains: 'mimikatz'}\n"
	"  filter_main: {Image|endswith: '\\svchost.exe'}\n"
	"  filter_opt: {User|contains: 'SYSTEM'}\n"
	"  condition: sel and not 1 of filter_*\n"
	"---\n"
	"title: OrNot\n"
	"logsource: {product: windows, category: process_creation}\n"
	"detection:\n"
	"  a: {CommandLine|contains: 'alpha'}\n"
	"  b: {CommandLine|contains: 'beta'}\n"
	"  c: {Image|endswith: '\\c.exe'}\n"
	"  condition: (a or not b) and c\n"
	"---\n"
	"title: NegItem\n"
	"logsource: {product: windows, category: process_creation}\n"
	"detection:\n"
	"  sel:\n"
	"    Image|endswith: '\\n.exe'\n"
	"    User|neq: 'admin'\n"
	"  condition: sel\n";

/* Rules woken only by some of their bits still see all of them. */
static void test_trigger_subsets(void **state)
{
	(void)state;
	build(rules_filter);
#define PC "EventID", "<int>1", "Channel", SYSMON
	/* only filter bits: nothing */
	assert_string_equal(match(PC, "Image", "C:\\w\\svchost.exe", "User",
				  "NT AUTHORITY\\SYSTEM", NULL),
			    "");
	assert_string_equal(match(PC, "CommandLine", "x mimikatz y", NULL),
			    "SelNotFilter");
	assert_string_equal(match(PC, "CommandLine", "x mimikatz y", "Image",
				  "C:\\w\\svchost.exe", NULL),
			    "");
	assert_string_equal(match(PC, "CommandLine", "x mimikatz y", "User",
				  "system", NULL),
			    "");
	/* (a or not b) and c: c alone holds (b absent) */
	assert_string_equal(match(PC, "Image", "C:\\c.exe", NULL), "OrNot");
	assert_string_equal(
		match(PC, "Image", "C:\\c.exe", "CommandLine", "beta", NULL),
		"");
	assert_string_equal(match(PC, "Image", "C:\\c.exe", "CommandLine",
				  "beta alpha", NULL),
			    "OrNot");
	assert_string_equal(match(PC, "CommandLine", "alpha", NULL), "");
	/* neq: only the neg item's bits differ from their no-bits value */
	assert_string_equal(
		match(PC, "Image", "C:\\n.exe", "User", "bob", NULL),
		"NegItem");
	assert_string_equal(
		match(PC, "Image", "C:\\n.exe", "User", "admin", NULL), "");
	assert_string_equal(match(PC, "Image", "C:\\n.exe", NULL), "");
	assert_string_equal(match(PC, "User", "bob", NULL), "");
}

/* `all of` over more searches than the trigger analysis enumerates. */
static void test_many_searches(void **state)
{
	struct ky_buf b;
	char all[40];

	(void)state;
	ky_buf_init(&b, 0);
	assert_int_equal(ky_buf_adds(&b, "title: All20\n"
					 "logsource: {product: windows}\n"
					 "detection:\n"),
			 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(ky_buf_addf(&b,
					     "  s%02d: {CommandLine|contains: "
					     "'k%02dz'}\n",
					     i, i),
				 0);
	assert_int_equal(ky_buf_adds(&b, "  condition: all of s*\n"), 0);
	assert_int_equal(ky_buf_addc(&b, '\0'), 0);
	build(b.data);
	ky_buf_reset(&b);
	for (int i = 0; i < 20; i++)
		assert_int_equal(ky_buf_addf(&b, "k%02dz ", i), 0);
	assert_int_equal(ky_buf_addc(&b, '\0'), 0);
	assert_string_equal(match("CommandLine", b.data, NULL), "All20");
	/* any one missing: nothing */
	for (int i = 0; i < 20; i += 7) {
		snprintf(all, sizeof(all), "k%02dz ", i);
		memcpy(strstr(b.data, all), "xxxx", 4);
		assert_string_equal(match("CommandLine", b.data, NULL), "");
		memcpy(strstr(b.data, "xxxx"), all, 4);
	}
	assert_string_equal(match("CommandLine", "k00z", NULL), "");
	ky_buf_free(&b);
}

static const char rules_gate[] =
	"title: PcOnly\n"
	"logsource: {product: windows, category: process_creation}\n"
	"detection:\n"
	"  sel: {OnlyPc|contains: 'hit'}\n"
	"  condition: sel\n"
	"---\n"
	"title: Anywhere\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel: {Shared|contains: 'hit'}\n"
	"  condition: sel\n"
	"---\n"
	"title: NetShared\n"
	"logsource: {product: windows, category: network_connection}\n"
	"detection:\n"
	"  sel: {Shared|startswith: 'hit'}\n"
	"  condition: sel\n"
	"---\n"
	"title: Keyword\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n"
	"  keywords: ['kwlit', 'kw*wild']\n"
	"  condition: keywords\n"
	"---\n"
	"title: Unmapped\n"
	"logsource: {product: nosuch, category: nothing}\n"
	"detection:\n"
	"  sel: {Shared|contains: 'hit'}\n"
	"  condition: sel\n";

/* Field scans are skipped only where no rule of the event's source
 * reads the field; keywords (literals apart) only on their source. */
static void test_gates(void **state)
{
	(void)state;
	build(rules_gate);
	assert_string_equal(match(PC, "OnlyPc", "a hit", NULL), "PcOnly");
	assert_string_equal(match("EventID", "<int>3", "Channel", SYSMON,
				  "OnlyPc", "a hit", NULL),
			    "");
	assert_string_equal(match(PC, "Shared", "hit", NULL), "Anywhere");
	assert_string_equal(match("EventID", "<int>3", "Channel", SYSMON,
				  "Shared", "hit me", NULL),
			    "Anywhere,NetShared");
	assert_string_equal(match("Shared", "hit", NULL), "Anywhere");
	/* keywords: any value, its own source only */
	assert_string_equal(match("EventID", "<int>4624", "Channel", "Security",
				  "X", "a KWLIT b", NULL),
			    "Keyword");
	assert_string_equal(match("EventID", "<int>4624", "Channel", "Security",
				  "X", "a", "Y", "kw and wild", NULL),
			    "Keyword");
	/* a literal split across two values does not count */
	assert_string_equal(match("EventID", "<int>4624", "Channel", "Security",
				  "X", "kw", "Y", "lit", NULL),
			    "");
	assert_string_equal(match(PC, "X", "kwlit", NULL), "");
	/* the logsource fields are the first of their name */
	assert_string_equal(match("Channel", "Security", "EventID", "<int>1",
				  "Channel", SYSMON, "X", "kwlit", NULL),
			    "Keyword");
	assert_string_equal(match("Channel", SYSMON, "EventID", "<int>1",
				  "Channel", "Security", "X", "kwlit", "OnlyPc",
				  "hit", NULL),
			    "PcOnly");
}

static const char rules_cache[] =
	"title: IsNull\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel: {V: null}\n"
	"  here: {V|exists: true}\n"
	"  condition: sel and here\n"
	"---\n"
	"title: Gt4\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel: {V|gt: 4}\n"
	"  condition: sel\n"
	"---\n"
	"title: Ref\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel: {A|fieldref: B}\n"
	"  condition: sel\n"
	"---\n"
	"title: OtherField\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel: {W: 'same'}\n"
	"  condition: sel\n"
	"---\n"
	"title: Many\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel:\n"
	"    M|contains|all: [a1, a2, a3, a4, a5, a6, a7, a8, a9, b1, b2,\n"
	"                     b3, b4, b5, b6, b7, b8, b9]\n"
	"  condition: sel\n"
	"---\n"
	"title: Long\n"
	"logsource: {product: windows}\n"
	"detection:\n"
	"  sel: {L|endswith: 'tail'}\n"
	"  condition: sel\n";

/* The cache of recent values answers as the scan would: per field, per
 * type, not for |fieldref, with many bits, after its ring wrapped. */
static void test_value_cache(void **state)
{
	char v[200];
	uint64_t tested = 0, cached = 0;

	(void)state;
	build(rules_cache);
	for (int round = 0; round < 3; round++) {
		assert_string_equal(match("V", "<null>", NULL), "IsNull");
		assert_string_equal(match("V", "null", NULL), "");
		assert_string_equal(match("V", "<int>5", NULL), "Gt4");
		assert_string_equal(match("V", "5", NULL), "Gt4");
		assert_string_equal(match("V", "<int>4", NULL), "");
		assert_string_equal(match("A", "x", "B", "x", NULL), "Ref");
		assert_string_equal(match("A", "x", "B", "y", NULL), "");
		assert_string_equal(match("W", "same", NULL), "OtherField");
		assert_string_equal(match("V", "same", NULL), "");
		assert_string_equal(match("M",
					  "a1a2a3a4a5a6a7a8a9b1b2b3b4b5b6b7b8"
					  "b9",
					  NULL),
				    "Many");
		assert_string_equal(
			match("M", "a1a2a3a4a5a6a7a8a9b1b2b3b4b5b6b7b8", NULL),
			"");
	}
	ky_match_scratch_stats(F.s, &tested, &cached);
	assert_true(tested > 0);
	assert_true(cached > 0 && cached < tested);
	/* wrap the ring (128 KiB) several times with distinct long values,
	 * checking the outcome of old and new ones all along */
	for (int i = 0; i < 6000; i++) {
		int k = i % 500;

		snprintf(v, sizeof(v), "%0180d%s", k, k % 3 ? "tail" : "head");
		assert_string_equal(match("L", v, NULL), k % 3 ? "Long" : "");
	}
}

/* ---- differential: the rule set against a plain evaluator ---- */

static uint64_t rng = 42;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

#define NF 5
static const char *const fields[NF] = {"Image", "CommandLine", "User",
				       "ParentImage", "Extra"};
static const char *const words[] = {"svchost", "cmd",	 "power", "shell",
				    "admin",   "SYSTEM", "x",	  "evil",
				    "tmp",     "Users"};
#define NW (sizeof(words) / sizeof(words[0]))
enum { M_EXACT, M_CONTAINS, M_STARTS, M_ENDS, M_ALL, NMODS };
static const char *const mods[NMODS] = {"", "|contains", "|startswith",
					"|endswith", "|contains|all"};
enum { C_PROC, C_NET, C_ANY, C_SECURITY };
static const char *const cats[] = {", category: process_creation",
				   ", category: network_connection", "",
				   ", service: security"};
static const char *const ops[] = {" and ", " or ", " and not ", " or not "};

/* What gen_rule wrote, for the plain evaluator. */
struct gitem {
	unsigned field, mod;
	char v[2][32];
};
struct gsearch {
	bool kw;
	unsigned ni;
	struct gitem it[2];
};
struct grule {
	unsigned cat, ns;
	bool neg0;
	unsigned op[3];
	struct gsearch s[3];
};

static void gen_rule(struct ky_buf *b, int i, struct grule *g)
{
	memset(g, 0, sizeof(*g));
	g->cat = (unsigned)i % 4;
	g->ns = 1 + rnd(3);
	ky_buf_addf(b, "title: R%d\nlogsource: {product: windows%s}\n", i,
		    cats[g->cat]);
	ky_buf_adds(b, "detection:\n");
	for (unsigned s = 0; s < g->ns; s++) {
		struct gsearch *se = &g->s[s];

		if (rnd(8) == 0) {
			se->kw = true;
			snprintf(se->it[0].v[0], 32, "%s", words[rnd(NW)]);
			ky_buf_addf(b, "  s%u: ['%s']\n", s, se->it[0].v[0]);
			continue;
		}
		se->ni = 1 + rnd(2);
		ky_buf_addf(b, "  s%u:\n", s);
		for (unsigned k = 0; k < se->ni; k++) {
			struct gitem *it = &se->it[k];

			it->field = (k + s + (unsigned)i) % NF;
			it->mod = rnd(NMODS);
			snprintf(it->v[0], 32, "%s%s",
				 it->mod == M_EXACT ? "C:\\" : "",
				 words[rnd(NW)]);
			snprintf(it->v[1], 32, "%s", words[rnd(NW)]);
			ky_buf_addf(b, "    %s%s: ['%s', '%s']\n",
				    fields[it->field], mods[it->mod], it->v[0],
				    it->v[1]);
		}
	}
	g->neg0 = rnd(4) == 0;
	ky_buf_addf(b, "  condition: %ss0", g->neg0 ? "not " : "");
	for (unsigned s = 1; s < g->ns; s++) {
		g->op[s] = rnd(4);
		ky_buf_addf(b, "%ss%u", ops[g->op[s]], s);
	}
	ky_buf_adds(b, "\n---\n");
}

/* The event of gen_event, for the plain evaluator. */
static struct {
	const char *chan;
	long id;
	const char *val[NF]; /* NULL: absent */
	char buf[NF][64];
} G;

static void gen_event(void)
{
	static const char *const chans[] = {SYSMON, SYSMON, "Security", "x"};
	static const long ids[] = {1, 3, 4624, 4688};

	ky_event_reset(&F.ev);
	G.chan = chans[rnd(4)];
	G.id = ids[rnd(4)];
	assert_int_equal(
		ky_event_add_str(&F.ev, "Channel", 7, G.chan, strlen(G.chan)),
		0);
	assert_int_equal(ky_event_add_int(&F.ev, "EventID", 7, G.id), 0);
	for (unsigned f = 0; f < NF; f++) {
		G.val[f] = NULL;
		if (rnd(4) == 0)
			continue;
		if (rnd(3) == 0)
			snprintf(G.buf[f], sizeof(G.buf[f]), "%s%s",
				 rnd(2) ? "C:\\" : "", words[rnd(NW)]);
		else
			snprintf(G.buf[f], sizeof(G.buf[f]), "%s%s %s%s",
				 rnd(2) ? "C:\\" : "", words[rnd(NW)],
				 words[rnd(NW)], rnd(2) ? "" : words[rnd(NW)]);
		G.val[f] = G.buf[f];
		assert_int_equal(ky_event_add_str(&F.ev, fields[f],
						  strlen(fields[f]), G.val[f],
						  strlen(G.val[f])),
				 0);
	}
}

static bool has_ci(const char *h, const char *n, unsigned mod)
{
	size_t hl = strlen(h), nl = strlen(n);

	if (nl > hl)
		return false;
	switch (mod) {
	case M_EXACT:
		return hl == nl && strcasecmp(h, n) == 0;
	case M_STARTS:
		return strncasecmp(h, n, nl) == 0;
	case M_ENDS:
		return strcasecmp(h + hl - nl, n) == 0;
	default:
		for (size_t i = 0; i + nl <= hl; i++)
			if (strncasecmp(h + i, n, nl) == 0)
				return true;
		return false;
	}
}

static bool plain_search(const struct gsearch *se)
{
	char id[24];

	if (se->kw) {
		snprintf(id, sizeof(id), "%ld", G.id);
		if (has_ci(G.chan, se->it[0].v[0], M_CONTAINS) ||
		    has_ci(id, se->it[0].v[0], M_CONTAINS))
			return true;
		for (unsigned f = 0; f < NF; f++)
			if (G.val[f] &&
			    has_ci(G.val[f], se->it[0].v[0], M_CONTAINS))
				return true;
		return false;
	}
	for (unsigned k = 0; k < se->ni; k++) {
		const struct gitem *it = &se->it[k];
		const char *v = G.val[it->field];
		bool a, b;

		if (v == NULL)
			return false;
		a = has_ci(v, it->v[0],
			   it->mod == M_ALL ? M_CONTAINS : it->mod);
		b = has_ci(v, it->v[1],
			   it->mod == M_ALL ? M_CONTAINS : it->mod);
		if (it->mod == M_ALL ? !(a && b) : !(a || b))
			return false;
	}
	return true;
}

/* Sigma precedence: not, then and, then or. */
static bool plain_rule(const struct grule *g)
{
	bool sysmon = strcasecmp(G.chan, SYSMON) == 0;
	bool sec = strcasecmp(G.chan, "Security") == 0;
	bool any = false, conj;

	switch (g->cat) {
	case C_PROC:
		if (!((sysmon && G.id == 1) || (sec && G.id == 4688)))
			return false;
		break;
	case C_NET:
		if (!(sysmon && G.id == 3))
			return false;
		break;
	case C_SECURITY:
		if (!sec)
			return false;
		break;
	default:
		break;
	}
	conj = plain_search(&g->s[0]) != g->neg0;
	for (unsigned s = 1; s < g->ns; s++) {
		bool lit = plain_search(&g->s[s]) != (g->op[s] >= 2);

		if (g->op[s] % 2 == 0) { /* and, and not */
			conj = conj && lit;
		} else {
			any = any || conj;
			conj = lit;
		}
	}
	return any || conj;
}

static int count_ids(void *ud, const struct ky_alert *a)
{
	uint64_t *h = ud;

	/* order-independent: a sum of per-title values */
	h[0]++;
	h[1] += (uint64_t)strtoul(a->rule->title + 1, NULL, 10) * 2654435761u +
		1;
	return 0;
}

static void test_differential(void **state)
{
	enum { NRULES = 300, NEVENTS = 20000 };
	static struct grule g[NRULES];
	struct ky_buf b;
	uint64_t total = 0;

	(void)state;
	ky_buf_init(&b, 0);
	for (int i = 0; i < NRULES; i++)
		gen_rule(&b, i, &g[i]);
	assert_int_equal(ky_buf_addc(&b, '\0'), 0);
	build(b.data);
	for (int e = 0; e < NEVENTS; e++) {
		uint64_t all[2] = {0, 0}, each[2] = {0, 0};

		gen_event();
		assert_true(ky_ruleset_match(F.rs, F.s, &F.ev, count_ids,
					     all) >= 0);
		for (int i = 0; i < NRULES; i++) {
			if (!plain_rule(&g[i]))
				continue;
			each[0]++;
			each[1] += (uint64_t)i * 2654435761u + 1;
		}
		if (all[0] != each[0] || all[1] != each[1])
			fail_msg(
				"event %d: %llu alerts from the rule set, %llu "
				"from the plain evaluator",
				e, (unsigned long long)all[0],
				(unsigned long long)each[0]);
		total += all[0];
	}
	printf("differential: %d rules, %d events, %llu alerts, equal\n",
	       NRULES, NEVENTS, (unsigned long long)total);
	/* the data must exercise both outcomes */
	assert_true(total > NEVENTS);
	assert_true(total < (uint64_t)NEVENTS * NRULES / 4);
	ky_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zero_rules_by_logsource,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger_subsets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_searches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_differential, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
