/* `kyklos incidents list|show|ack|contain|resolve|close|false-positive|
 * reopen|classify|significant|set|due`: the incidents of the node's store.
 * Every command first groups the alerts stored since the last grouping
 * (the daemon does it as alerts arrive; `kyklos detect --store` leaves it
 * to the next reader), then reads or changes incidents in one transaction
 * (intel/incstore.h), so edits never race the daemon's writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/time.h"
#include "cli/cli.h"
#include "cli/cmd_incidents.h"
#include "intel/assets.h"
#include "intel/incstore.h"
#include "respond/case.h"

int ky__inc_open(struct ky_cli *cli, struct ky__inc_sess *x)
{
	struct ky_incident_config ic;
	struct ky_err err = {0};
	int r;

	memset(x, 0, sizeof(*x));
	if ((r = ky_cli_open_node_store(cli, false, &x->st, &x->cfg)) != 0)
		return 1;
	x->have_cfg = true;
	if (ky_incstore_config(&x->cfg, &ic, &err) != 0 ||
	    ky_incstore_new(&x->b, &ic, &err) != 0 ||
	    ky_store_begin(x->st, &err) != 0) {
		ky_cli_error("%s", err.msg);
		ky__inc_close(x, false);
		return 1;
	}
	x->in_tx = true;
	if (ky_incstore_sync(x->b, x->st, ky_time_now_ns(), 0, &x->counts,
			     &err) != 0) {
		ky_cli_error("grouping alerts into incidents: %s", err.msg);
		ky__inc_close(x, false);
		return 1;
	}
	x->entity.name = x->cfg.entity_name;
	x->entity.sector = x->cfg.entity_sector;
	x->entity.subsector = x->cfg.entity_subsector;
	x->entity.member_state = x->cfg.entity_member_state;
	x->entity.tz = x->cfg.entity_time_zone;
	x->entity.trust_service_provider = x->cfg.entity_trust_service;
	x->entity.manufacturer = x->cfg.entity_manufacturer;
	return 0;
}

int ky__inc_close(struct ky__inc_sess *x, bool commit)
{
	struct ky_err err = {0};
	int r = 0;

	if (x->in_tx) {
		if (commit && ky_store_commit(x->st, &err) != 0) {
			ky_cli_error("%s", err.msg);
			r = 1;
		}
		if (!commit || r != 0)
			ky_store_rollback(x->st);
	}
	ky_incstore_free(x->b);
	ky_store_close(x->st);
	if (x->have_cfg)
		ky_config_free(&x->cfg);
	memset(x, 0, sizeof(*x));
	return r;
}

/* ---- list ---- */

struct lister {
	bool all, json;
	int status; /* -1: by open/all */
	json_t *arr;
	size_t shown, hidden;
};

static json_t *summary(const struct ky_incident *inc)
{
	const struct ky_rsit_class *c = ky_incident_rsit(inc);

	return json_pack(
		"{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
		"id", (json_int_t)ky_incident_id(inc), "status",
		ky_incident_status_name(ky_incident_status(inc)), "title",
		ky_incident_title(inc) ? ky_incident_title(inc) : "", "score",
		ky_incident_score(inc), "band",
		ky_sev_band_name(ky_incident_band(inc)), "class", c->cls,
		"type", c->type, "tlp", ky_tlp_name(ky_incident_tlp(inc)),
		"alerts", (json_int_t)ky_incident_alert_count(inc), "hosts",
		(json_int_t)ky_incident_host_count(inc), "first_ns",
		(json_int_t)ky_incident_first_ns(inc), "last_ns",
		(json_int_t)ky_incident_last_ns(inc));
}

static int list_one(void *ud, const struct ky_incident *inc)
{
	struct lister *l = ud;
	enum ky_incident_status s = ky_incident_status(inc);
	const struct ky_rsit_class *c = ky_incident_rsit(inc);
	char t[40], ct[80];

	if (l->status >= 0 ? (int)s != l->status
			   : !l->all && !ky_incident_status_open(s)) {
		l->hidden++;
		return 0;
	}
	l->shown++;
	if (l->json)
		return json_array_append_new(l->arr, summary(inc)) ? KY_E_NOMEM
								   : 0;
	ky_cli_fmt_time(ky_incident_last_ns(inc), t);
	snprintf(ct, sizeof(ct), "%s/%s", c->cls, c->type);
	printf("INC-%-5lld %-14s %3d %-8s %-40.40s %6llu %5zu  %-25s %s\n",
	       (long long)ky_incident_id(inc), ky_incident_status_name(s),
	       ky_incident_score(inc), ky_sev_band_name(ky_incident_band(inc)),
	       ct, (unsigned long long)ky_incident_alert_count(inc),
	       ky_incident_host_count(inc), t,
	       ky_incident_title(inc) ? ky_incident_title(inc) : "");
	return 0;
}

static int list(struct ky_cli *cli, int argc, char **argv)
{
	struct lister l = {.status = -1, .json = cli->json};
	struct ky__inc_sess x;
	struct ky_err err = {0};
	int r;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0) {
			l.all = true;
		} else if (strcmp(argv[i], "--json") == 0) {
			l.json = true;
		} else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
			if ((l.status = ky_incident_status_parse(argv[++i])) <
			    0) {
				ky_cli_error("incidents list: unknown status "
					     "'%s'",
					     argv[i]);
				return 2;
			}
		} else {
			ky_cli_error("incidents list: unknown argument '%s'",
				     argv[i]);
			return 2;
		}
	}
	if (ky__inc_open(cli, &x) != 0)
		return 1;
	if (l.json && (l.arr = json_array()) == NULL) {
		ky__inc_close(&x, false);
		return 1;
	}
	if (!l.json)
		printf("%-9s %-14s %3s %-8s %-40s %6s %5s  %-25s %s\n", "ID",
		       "STATUS", "SEV", "BAND", "CLASS/TYPE", "ALERTS", "HOSTS",
		       "LAST", "TITLE");
	r = ky_incstore_each(x.st, list_one, &l, &err);
	if (r != 0)
		ky_cli_error("%s", err.msg);
	if (r == 0 && l.json) {
		json_dumpf(l.arr, stdout, JSON_COMPACT);
		putchar('\n');
	} else if (r == 0) {
		fprintf(stderr,
			"kyklos: %zu incidents shown, %zu %s (--all shows "
			"every one); %llu alerts grouped now\n",
			l.shown, l.hidden,
			l.status >= 0 ? "of other statuses" : "not open",
			(unsigned long long)x.counts.alerts);
	}
	json_decref(l.arr);
	return ky__inc_close(&x, r == 0) || r != 0;
}

/* ---- changes ---- */

struct change_opts {
	const char *by, *why;
	int64_t id;
	char **rest; /* positional arguments after the id */
	int nrest;
};

/* ID [--by WHO] [--why TEXT] [positional...] */
static int parse_change(const char *cmd, int argc, char **argv,
			struct change_opts *o, char **opts, size_t nopts,
			const char **vals)
{
	struct ky_err err = {0};
	bool have_id = false;

	memset(o, 0, sizeof(*o));
	o->rest = calloc((size_t)argc + 1, sizeof(*o->rest));
	if (o->rest == NULL)
		return 1;
	for (int i = 2; i < argc; i++) {
		size_t k;

		if (strcmp(argv[i], "--by") == 0 && i + 1 < argc) {
			o->by = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--why") == 0 && i + 1 < argc) {
			o->why = argv[++i];
			continue;
		}
		for (k = 0; k < nopts; k++)
			if (strcmp(argv[i], opts[k]) == 0 && i + 1 < argc)
				break;
		if (k < nopts) {
			vals[k] = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			ky_cli_error("incidents %s: unknown option '%s'", cmd,
				     argv[i]);
			return 2;
		}
		if (!have_id) {
			if (ky_incident_id_parse(argv[i], &o->id, &err) != 0) {
				ky_cli_error("incidents %s: %s", cmd, err.msg);
				return 2;
			}
			have_id = true;
		} else {
			o->rest[o->nrest++] = argv[i];
		}
	}
	if (!have_id) {
		ky_cli_error("incidents %s: an incident id is needed", cmd);
		return 2;
	}
	return 0;
}

static const struct {
	const char *cmd;
	enum ky_incident_status to;
} transitions[] = {
	{"ack", KY_INC_ACKNOWLEDGED},
	{"contain", KY_INC_CONTAINED},
	{"resolve", KY_INC_RESOLVED},
	{"close", KY_INC_CLOSED},
	{"false-positive", KY_INC_FALSE_POSITIVE},
	{"reopen", KY_INC_ACKNOWLEDGED},
};

/* Runs fn on the incident inside a session and saves it. */
static int with_incident(struct ky_cli *cli, const struct change_opts *o,
			 int (*fn)(void *ud, struct ky_incident *inc,
				   const char *who, int64_t now,
				   struct ky_err *err),
			 void *ud)
{
	struct ky__inc_sess x;
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	int64_t now = ky_time_now_ns();
	bool owned = false;
	int r;

	if (ky__inc_open(cli, &x) != 0)
		return 1;
	r = ky_incstore_find(x.b, x.st, o->id, &inc, &owned, &err);
	if (r == 0)
		r = fn(ud, inc, ky_cli_who(o->by), now, &err);
	if (r == 0)
		r = ky_incstore_save(x.b, x.st, inc, now, &err);
	if (r != 0)
		ky_cli_error("%s", err.msg);
	else if (!cli->json)
		printf("INC-%lld: %s, severity %d (%s), %s/%s, TLP:%s\n",
		       (long long)o->id,
		       ky_incident_status_name(ky_incident_status(inc)),
		       ky_incident_score(inc),
		       ky_sev_band_name(ky_incident_band(inc)),
		       ky_incident_rsit(inc)->cls, ky_incident_rsit(inc)->type,
		       ky_tlp_name(ky_incident_tlp(inc)));
	if (r == 0 && cli->json) {
		json_t *j = summary(inc);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	}
	if (owned)
		ky_incident_free(inc);
	if (ky__inc_close(&x, r == 0) != 0)
		return 1;
	return r == 0 ? 0 : 1;
}

struct trans {
	enum ky_incident_status to;
	const char *why;
};

static int do_transition(void *ud, struct ky_incident *inc, const char *who,
			 int64_t now, struct ky_err *err)
{
	struct trans *t = ud;

	return ky_incident_transition(inc, t->to, who, now, t->why, err);
}

static int transition(struct ky_cli *cli, int argc, char **argv, size_t ti)
{
	struct change_opts o;
	struct trans t;
	int r = parse_change(argv[1], argc, argv, &o, NULL, 0, NULL);

	if (r == 0 && o.nrest > 0) {
		ky_cli_error("incidents %s: unexpected '%s' (the reason goes "
			     "in --why)",
			     argv[1], o.rest[0]);
		r = 2;
	}
	if (r == 0) {
		t.to = transitions[ti].to;
		t.why = o.why;
		r = with_incident(cli, &o, do_transition, &t);
	}
	free(o.rest);
	return r;
}

struct classify {
	const char *cls, *type, *tlp, *pap, *why;
	bool automatic;
};

static int do_classify(void *ud, struct ky_incident *inc, const char *who,
		       int64_t now, struct ky_err *err)
{
	struct classify *c = ud;
	int r = 0, v;

	if (c->cls || c->automatic)
		r = ky_incident_classify(inc, c->automatic ? NULL : c->cls,
					 c->type, who, now, c->why, err);
	if (r == 0 && c->tlp) {
		if ((v = ky_tlp_parse(c->tlp)) < 0 &&
		    strcmp(c->tlp, "auto") != 0)
			return ky_err_set(err, KY_E_INVAL,
					  "--tlp: '%s' is not a TLP 2.0 level",
					  c->tlp);
		r = ky_incident_set_tlp(inc,
					v < 0 ? KY_TLP_UNSET : (enum ky_tlp)v,
					who, now, c->why, err);
	}
	if (r == 0 && c->pap) {
		if ((v = ky_pap_parse(c->pap)) < 0 &&
		    strcmp(c->pap, "auto") != 0)
			return ky_err_set(err, KY_E_INVAL,
					  "--pap: '%s' is not a PAP level",
					  c->pap);
		r = ky_incident_set_pap(inc,
					v < 0 ? KY_PAP_UNSET : (enum ky_pap)v,
					who, now, c->why, err);
	}
	return r;
}

/* classify ID [CLASS/TYPE | auto] [--tlp L|auto] [--pap P|auto] */
static int classify(struct ky_cli *cli, int argc, char **argv)
{
	char *opts[] = {"--tlp", "--pap"};
	const char *vals[2] = {NULL, NULL};
	struct change_opts o;
	struct classify c = {0};
	char buf[128];
	int r = parse_change("classify", argc, argv, &o, opts, 2, vals);

	c.tlp = vals[0];
	c.pap = vals[1];
	c.why = o.why;
	if (r == 0 && o.nrest == 1) {
		char *slash;

		snprintf(buf, sizeof(buf), "%s", o.rest[0]);
		if (strcmp(buf, "auto") == 0) {
			c.automatic = true;
		} else if ((slash = strchr(buf, '/')) != NULL) {
			*slash = '\0';
			c.cls = buf;
			c.type = slash + 1;
		} else {
			ky_cli_error("incidents classify: '%s' is not "
				     "CLASS/TYPE of RSIT (e.g. "
				     "intrusions/system-compromise) or auto",
				     o.rest[0]);
			r = 2;
		}
	} else if (r == 0 && (o.nrest > 1 || (!c.tlp && !c.pap))) {
		ky_cli_error("usage: kyklos incidents classify ID "
			     "[CLASS/TYPE|auto] [--tlp LEVEL|auto] [--pap "
			     "LEVEL|auto] [--why TEXT]");
		r = 2;
	}
	if (r == 0)
		r = with_incident(cli, &o, do_classify, &c);
	free(o.rest);
	return r;
}

int ky_cmd_incidents(struct ky_cli *cli, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";

	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]);
	     i++)
		if (strcmp(sub, transitions[i].cmd) == 0)
			return transition(cli, argc, argv, i);
	if (strcmp(sub, "list") == 0)
		return list(cli, argc, argv);
	if (strcmp(sub, "show") == 0)
		return ky__inc_show(cli, argc, argv);
	if (strcmp(sub, "classify") == 0)
		return classify(cli, argc, argv);
	if (strcmp(sub, "significant") == 0 || strcmp(sub, "set") == 0)
		return ky__inc_set(cli, argc, argv);
	if (strcmp(sub, "due") == 0)
		return ky__inc_due(cli, argc, argv);
	ky_cli_error("usage: kyklos incidents list [--all] [--status S] | "
		     "show ID | ack|contain|resolve|close|false-positive|"
		     "reopen ID [--why TEXT] [--by WHO] | classify ID "
		     "[CLASS/TYPE|auto] [--tlp L] [--pap P] | significant ID "
		     "[--aware TIME] [--no] | set ID FIELD VALUE... | due "
		     "[--within HOURS]");
	return 2;
}
