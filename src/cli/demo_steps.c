/* The demo's timeline (cli/demo.h): each step waits, bounded, for its
 * outcome in the nodes' state, read through the commands an analyst
 * would type, says what it saw and records its verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/demo.h"

#define WAIT_S 45.0
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

enum { CSIRT, SOC, OT };

struct times {
	double events, alert, incident, partner, sighting, bundle;
	char inc_stix[128]; /* the SOC's incident as a STIX object */
};

/* ---- reading the nodes ------------------------------------------------ */

struct look {
	struct demo *d;
	struct demo_node *node;
	const char *type, *needle; /* an object of type whose text has it */
	json_t *found;		   /* the first found */
};

static bool has_object(void *ud)
{
	struct look *l = ud;
	json_t *all = demo_json_lines(
		l->d, l->node,
		ARGS("share", "objects", "--type", l->type, "--json"));
	size_t i;
	json_t *o;

	json_array_foreach(all, i, o)
	{
		char *t = json_dumps(o, JSON_COMPACT);

		if (t && l->found == NULL &&
		    (l->needle == NULL || strstr(t, l->needle)))
			l->found = json_incref(o);
		free(t);
	}
	json_decref(all);
	return l->found != NULL;
}

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static char *file_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct ky_buf b;
	char chunk[65536];
	size_t k;

	if (f == NULL)
		return NULL;
	ky_buf_init(&b, 1u << 30);
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (ky_buf_add(&b, chunk, k) != 0)
			break;
	fclose(f);
	*len = b.len;
	if (b.data == NULL)
		return calloc(1, 1);
	return ky_buf_steal(&b, NULL);
}

static char *file_text(const char *path)
{
	size_t n;

	return file_bytes(path, &n);
}

/* Does one of the node's store files hold text?  (A leak would.) */
static bool store_has(const struct demo_node *n, const char *text)
{
	static const char *const files[] = {"data/kyklos.db",
					    "data/kyklos.db-wal"};
	bool found = false;

	for (size_t i = 0; i < 2 && !found; i++) {
		char path[4300], *t;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", n->home, files[i]);
		if ((t = file_bytes(path, &len)) == NULL)
			continue;
		/* the files are binary: memmem, not strstr */
		found = memmem(t, len, text, strlen(text)) != NULL;
		free(t);
	}
	return found;
}

/* The SOC's detector reloaded after the circle's indicators came: the log
 * says "circle: ..." and later "reload: configuration ... applied". */
static bool circle_loaded(void *ud)
{
	struct demo *d = ud;
	char path[4300], *t, *c;
	bool ok;

	snprintf(path, sizeof(path), "%s/soc.log", d->dir);
	if ((t = file_text(path)) == NULL)
		return false;
	c = strstr(t, "circle: ");
	ok = c != NULL && strstr(c, "reload: configuration") != NULL;
	free(t);
	return ok;
}

struct alerts_seen {
	struct demo *d;
	json_t *titles; /* each title once */
	bool corr, process, ioc, sigmahq;
	double first;
	int phase; /* 1: the SSH part is in; 2: all of it */
};

static bool alerts_in(void *ud)
{
	struct alerts_seen *a = ud;
	json_t *all =
		demo_json_lines(a->d, &a->d->n[SOC],
				ARGS("alerts", "--limit", "200", "--json"));
	size_t i;
	json_t *o;

	json_array_foreach(all, i, o)
	{
		json_t *rule = json_object_get(o, "rule");
		json_t *ind = json_object_get(o, "indicator");
		const char *title = str(rule, "title"), *level;
		char label[300];

		level = str(rule, "level");
		if (!*title && ind != NULL) {
			snprintf(label, sizeof(label),
				 "indicator hit: %s from the circle's list",
				 str(ind, "value"));
			title = label;
			level = str(o, "level");
			a->ioc = a->ioc || strstr(label, DEMO_C2) != NULL;
		}
		if (!*title || json_object_get(a->titles, title))
			continue;
		json_object_set_new(a->titles, title, json_true());
		if (a->first == 0)
			a->first = demo_elapsed(a->d);
		if (strcmp(str(rule, "author"), "kyklos demo") != 0 &&
		    *str(rule, "author")) {
			/* a SigmaHQ rule: its author stays with the alert (the
			 * Detection Rule License) */
			demo_say(a->d, "soc", "ALERT %-8s %s (SigmaHQ, by %s)",
				 level, title, str(rule, "author"));
			a->sigmahq = true;
		} else {
			demo_say(a->d, "soc", "ALERT %-8s %s", level, title);
		}
		if (strstr(title, "after a brute force"))
			a->corr = true;
		if (strstr(title, "Certutil"))
			a->process = true;
	}
	json_decref(all);
	if (a->phase == 1)
		return a->corr;
	return a->corr && a->process && a->ioc &&
	       (a->sigmahq || !a->d->sigmahq[0]);
}

struct inc_seen {
	struct demo *d;
	json_t *best; /* the highest score */
};

static bool incident_in(void *ud)
{
	struct inc_seen *x = ud;
	json_t *all = demo_json(x->d, &x->d->n[SOC],
				ARGS("incidents", "list", "--json"));
	size_t i;
	json_t *o;

	json_array_foreach(all, i, o)
	{
		if (x->best == NULL ||
		    json_integer_value(json_object_get(o, "score")) >
			    json_integer_value(
				    json_object_get(x->best, "score"))) {
			json_decref(x->best);
			x->best = json_incref(o);
		}
	}
	json_decref(all);
	return x->best != NULL;
}

static bool file_exists(void *ud)
{
	FILE *f = fopen(ud, "r");

	if (f != NULL)
		fclose(f);
	return f != NULL;
}

/* ---- the steps -------------------------------------------------------- */

/* The header of `policy explain` and the fields the policy changed. */
static void show_changed(struct demo *d, const char *text)
{
	int line = 0;

	for (const char *p = text; p && *p; line++) {
		const char *e = strchr(p, '\n');
		int n = e ? (int)(e - p) : (int)strlen(p);

		if (line < 3 || memmem(p, (size_t)n, "removed", 7) ||
		    memmem(p, (size_t)n, "pseudonymised", 13))
			demo_say(d, "soc", "  | %.*s", n, p);
		p = e ? e + 1 : NULL;
	}
	demo_say(d, "soc", "  | (every other field: kept)");
}

/* A command's output on one line: its last line, without the newline. */
static const char *one_line(struct ky_buf *b)
{
	while (b->len && (b->data[b->len - 1] == '\n'))
		b->data[--b->len] = '\0';
	return ky_buf_str(b);
}

static void intel_in(struct demo *d, json_t **c2)
{
	struct look l = {d, &d->n[SOC], "indicator", DEMO_C2, NULL};
	json_t *ex;
	size_t i;
	json_t *o;
	bool exposed = false;

	demo_step(d, demo_wait(d, WAIT_S, has_object, &l),
		  "the CSIRT's C2 indicator reached the SOC over mutual TLS",
		  NULL);
	if (l.found) {
		demo_say(d, "csirt", "-> soc  indicator %s (confidence %lld)",
			 str(l.found, "pattern"),
			 json_integer_value(
				 json_object_get(l.found, "confidence")));
		*c2 = l.found;
	}
	demo_step(d, demo_wait(d, WAIT_S, circle_loaded, d),
		  "the SOC's detector loaded the circle's indicators", NULL);
	ex = demo_json_lines(d, &d->n[SOC],
			     ARGS("vulns", "exposures", "--json"));
	json_array_foreach(ex, i, o)
	{
		if (strcmp(str(o, "cve"), DEMO_CVE) != 0)
			continue;
		exposed = strcmp(str(o, "asset"), DEMO_HOST) == 0;
		demo_say(d, "soc", "EXPOSED %s: %s %s, %s%s; fix: %s",
			 str(o, "asset"), str(o, "software"), str(o, "cve"),
			 str(o, "state"),
			 json_is_true(json_object_get(o, "known_exploited"))
				 ? ", known exploited"
				 : "",
			 str(o, "fix"));
	}
	json_decref(ex);
	demo_step(d, exposed,
		  "the CSAF advisory matched jump01's OpenSSH (exposure)",
		  NULL);
}

/* The attack in two acts, as it would come: the SSH brute force and the
 * login (syslog), and once the SOC has seen them, what the intruder does
 * on the host (JSON). */
static void attack(struct demo *d, struct times *t, struct alerts_seen *a)
{
	struct ky_buf sys, js;
	bool ok;

	ky_buf_init(&sys, 0);
	ky_buf_init(&js, 0);
	demo_events(&sys, &js);
	t->events = demo_elapsed(d);
	ok = demo_send(d->n[SOC].syslog_tcp, sys.data, sys.len) == 0;
	demo_say(d, "attack",
		 "into soc: 6 failed sshd logins from %s, then an accepted "
		 "one (syslog over TCP)",
		 DEMO_ATTACKER);
	demo_step(d, ok, "the SOC accepted the sshd lines", NULL);
	a->phase = 1;
	demo_step(d, demo_wait(d, WAIT_S, alerts_in, a),
		  "the brute force followed by a login (a Sigma temporal "
		  "correlation over an event_count one)",
		  NULL);
	ok = demo_send(d->n[SOC].json_tcp, js.data, js.len) == 0;
	demo_say(d, "attack",
		 "into soc: certutil fetching a file from %s (Sysmon, "
		 "evtx JSON), a connection to %s (JSON)",
		 DEMO_C2, DEMO_C2);
	demo_step(d, ok, "the SOC accepted the host's events", NULL);
	a->phase = 2;
	demo_step(
		d, demo_wait(d, WAIT_S, alerts_in, a),
		d->sigmahq[0]
			? "alerts: the certutil download (a process creation; "
			  "SigmaHQ's rules too), the C2 from the CSIRT's "
			  "list (a circle indicator)"
			: "alerts: the certutil download (a process "
			  "creation), the C2 from the CSIRT's list (a circle "
			  "indicator)",
		NULL);
	ky_buf_free(&sys);
	ky_buf_free(&js);
}

static json_t *incident(struct demo *d, struct times *t, struct alerts_seen *a)
{
	struct inc_seen x = {d, NULL};
	json_t *due;
	size_t i;
	json_t *o;
	char id[32];

	t->alert = a->first;
	if (!demo_step(d, demo_wait(d, WAIT_S, incident_in, &x),
		       "an incident was opened", NULL))
		return NULL;
	t->incident = demo_elapsed(d);
	snprintf(id, sizeof(id), "%lld",
		 (long long)json_integer_value(json_object_get(x.best, "id")));
	demo_say(d, "soc",
		 "INCIDENT %s \"%s\": RSIT %s / %s, severity %lld (%s), "
		 "TLP:%s, %lld alerts",
		 id, str(x.best, "title"), str(x.best, "class"),
		 str(x.best, "type"),
		 json_integer_value(json_object_get(x.best, "score")),
		 str(x.best, "band"), str(x.best, "tlp"),
		 json_integer_value(json_object_get(x.best, "alerts")));
	/* an energy operator: significant under NIS2 Art. 23 */
	demo_run(d, &d->n[SOC],
		 ARGS("incidents", "significant", id, "--aware", "now"), NULL);
	due = demo_json(d, &d->n[SOC],
			ARGS("incidents", "due", "--json", "--within", "2000"));
	{
		int stages = 0;

		json_array_foreach(due, i, o)
		{
			if (json_integer_value(
				    json_object_get(o, "incident")) !=
			    json_integer_value(json_object_get(x.best, "id")))
				continue;
			stages++;
			demo_say(d, "soc", "NIS2 %-14s due %s", str(o, "stage"),
				 str(o, "due"));
		}
		demo_step(d, stages >= 2,
			  "NIS2 deadlines set (early warning 24 h, "
			  "notification 72 h)",
			  NULL);
	}
	json_decref(due);
	return x.best;
}

static void shared(struct demo *d, struct times *t, const json_t *inc,
		   const json_t *c2)
{
	struct look li = {d, &d->n[CSIRT], "incident", NULL, NULL};
	struct look lo = {d, &d->n[CSIRT], "observed-data", NULL, NULL};
	struct look ls = {d, &d->n[CSIRT], "sighting", NULL, NULL};
	struct ky_buf out;
	json_t *ips;
	size_t i;
	json_t *o;

	demo_step(d,
		  demo_wait(d, WAIT_S, has_object, &li) &&
			  demo_wait(d, WAIT_S, has_object, &lo),
		  "the CSIRT holds the SOC's incident and observed data", NULL);
	t->partner = demo_elapsed(d);
	if (li.found)
		demo_say(d, "csirt", "<- soc  %s \"%s\"", str(li.found, "id"),
			 str(li.found, "name"));
	ips = demo_json_lines(
		d, &d->n[CSIRT],
		ARGS("share", "objects", "--type", "ipv4-addr", "--json"));
	json_array_foreach(ips, i, o)
		demo_say(d, "csirt",
			 "<- soc  ipv4-addr %s (an address of the attack, "
			 "pseudonymised: Crypto-PAn, prefix-preserving)",
			 str(o, "value"));
	json_decref(ips);
	if (inc != NULL) {
		/* what the SOC's policy did to its incident, field by field */
		struct look mine = {d, &d->n[SOC], "incident", NULL, NULL};

		if (has_object(&mine)) {
			snprintf(t->inc_stix, sizeof(t->inc_stix), "%s",
				 str(mine.found, "id"));
			ky_buf_init(&out, 1 << 20);
			demo_run(d, &d->n[SOC],
				 ARGS("policy", "explain", "csirt",
				      str(mine.found, "id")),
				 &out);
			demo_say(d, "soc", "policy explain csirt %s:",
				 str(mine.found, "id"));
			show_changed(d, ky_buf_str(&out));
			ky_buf_free(&out);
			json_decref(mine.found);
		}
	}
	/* the probe below finds what is there (a control), then what must
	 * not be */
	demo_step(d, store_has(&d->n[SOC], DEMO_ATTACKER),
		  "the store probe finds the attacker's address at the SOC",
		  NULL);
	demo_step(d, !store_has(&d->n[CSIRT], DEMO_ATTACKER),
		  "the attacker's address never reached the CSIRT in clear",
		  NULL);
	demo_step(d, !store_has(&d->n[CSIRT], DEMO_USER),
		  "the user name never reached the CSIRT in clear", NULL);
	ls.needle = c2 ? str(c2, "id") : NULL;
	demo_step(d, c2 != NULL && demo_wait(d, WAIT_S, has_object, &ls),
		  "the SOC's sighting of the CSIRT's indicator came back to "
		  "the CSIRT",
		  NULL);
	t->sighting = demo_elapsed(d);
	if (ls.found)
		demo_say(
			d, "csirt", "<- soc  sighting of %s, count %lld",
			str(ls.found, "sighting_of_ref"),
			json_integer_value(json_object_get(ls.found, "count")));
	json_decref(li.found);
	json_decref(lo.found);
	json_decref(ls.found);
}

static void bundle(struct demo *d, struct times *t)
{
	char file[4300];
	struct ky_buf out;
	json_t *all;
	size_t i, ind = 0, other = 0;
	json_t *o;
	int st;

	snprintf(file, sizeof(file), "%s/soc-to-ot-1.kyb", d->dir);
	ky_buf_init(&out, 1 << 20);
	st = demo_run(d, &d->n[SOC],
		      ARGS("bundle", "export", "--peer", "ot", "-o", file),
		      &out);
	demo_step(d, st == 0,
		  "the SOC wrote a signed bundle for the OT "
		  "gateway",
		  ky_buf_str(&out));
	demo_say(d, "soc", "%s", one_line(&out));
	ky_buf_reset(&out);
	st = demo_run(d, &d->n[OT], ARGS("bundle", "import", file), &out);
	demo_step(d, st == 0,
		  "the OT gateway verified and applied it (carried by hand)",
		  ky_buf_str(&out));
	t->bundle = demo_elapsed(d);
	demo_say(d, "ot", "%s", one_line(&out));
	ky_buf_free(&out);
	all = demo_json_lines(d, &d->n[OT], ARGS("share", "objects", "--json"));
	json_array_foreach(all, i, o)
	{
		if (strcmp(str(o, "type"), "indicator") == 0)
			ind++;
		else
			other++;
	}
	json_decref(all);
	demo_say(d, "ot", "holds %zu indicators and %zu other objects", ind,
		 other);
	demo_step(d, ind >= 1 && other == 0,
		  "the OT gateway received indicators, and nothing else", NULL);
}

/* A cosigned checkpoint: origin, size and root, then who signed it. */
static void show_note(struct demo *d, char *t)
{
	char *line[3] = {NULL, NULL, NULL}, *p, *e;
	int n = 0;

	for (p = t; p && *p; p = e ? e + 1 : NULL) {
		if ((e = strchr(p, '\n')) != NULL)
			*e = '\0';
		if (n < 3) {
			line[n++] = p;
			if (n == 3)
				demo_say(
					d, "soc",
					"checkpoint %s: size %s, root %s (C2SP "
					"signed note)",
					line[0], line[1], line[2]);
			continue;
		}
		/* "<em dash> name signature" */
		if (strncmp(p, "\xe2\x80\x94 ", 4) == 0) {
			const char *who = "?";
			char name[128];

			snprintf(name, sizeof(name), "%s", p + 4);
			if (strchr(name, ' '))
				*strchr(name, ' ') = '\0';
			for (int i = 0; i < 3; i++)
				if (strstr(name, d->n[i].node_id))
					who = d->n[i].name;
			demo_say(d, "soc", "  signed by %s (%s)", name, who);
		}
	}
}

static void ledger(struct demo *d)
{
	char a[4400], b[4400], *t;
	struct ky_buf out;
	int st;

	snprintf(a, sizeof(a), "%s/data/ledger/cosignatures/csirt.note",
		 d->n[SOC].home);
	snprintf(b, sizeof(b), "%s/data/ledger/cosignatures/soc.note",
		 d->n[CSIRT].home);
	demo_step(d,
		  demo_wait(d, WAIT_S, file_exists, a) &&
			  demo_wait(d, WAIT_S, file_exists, b),
		  "each sharing node's ledger checkpoint is cosigned by the "
		  "other",
		  NULL);
	if ((t = file_text(a)) != NULL) {
		show_note(d, t);
		free(t);
	}
	ky_buf_init(&out, 1 << 20);
	st = demo_run(d, &d->n[SOC], ARGS("ledger", "verify"), &out);
	demo_step(d, st == 0, "the SOC's ledger verifies end to end",
		  ky_buf_str(&out));
	ky_buf_free(&out);
}

int demo_timeline(struct demo *d)
{
	struct times t = {0};
	struct alerts_seen a = {.d = d, .titles = json_object()};
	json_t *c2 = NULL, *inc;

	intel_in(d, &c2);
	attack(d, &t, &a);
	inc = incident(d, &t, &a);
	json_decref(a.titles);
	shared(d, &t, inc, c2);
	bundle(d, &t);
	ledger(d);
	printf("\nTimings (from the attack's events reaching the SOC):\n");
	printf("  first alert                %6.2f s\n", t.alert - t.events);
	printf("  incident opened            %6.2f s\n", t.incident - t.events);
	printf("  CSIRT holds it             %6.2f s\n", t.partner - t.events);
	printf("  sighting back at the CSIRT %6.2f s\n", t.sighting - t.events);
	printf("\nExplore (the stores stay in %s):\n", d->dir);
	if (inc != NULL)
		printf("  kyklos --home %s incidents show %lld\n",
		       d->n[SOC].home,
		       (long long)json_integer_value(
			       json_object_get(inc, "id")));
	printf("  kyklos --home %s policy explain csirt %s\n", d->n[SOC].home,
	       t.inc_stix[0] ? t.inc_stix : "OBJECT-ID");
	printf("  kyklos --home %s ledger verify\n", d->n[SOC].home);
	printf("  kyklos --home %s share objects\n", d->n[CSIRT].home);
	if (inc != NULL)
		printf("  kyklos --home %s report nis2 %lld --stage "
		       "early-warning\n",
		       d->n[SOC].home,
		       (long long)json_integer_value(
			       json_object_get(inc, "id")));
	json_decref(inc);
	json_decref(c2);
	return d->failed ? 1 : 0;
}
