/* `kyklos incidents show|significant|set|due` and `kyklos report`: an
 * incident with its evidence, assets and reporting file; the NIS2/CRA
 * deadlines of every incident that has to be reported; and the report of
 * one stage (respond/nis2.h) prefilled from the incident, as JSON and as
 * Markdown, with the list of what is still to fill in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/time.h"
#include "cli/cli.h"
#include "cli/cmd_incidents.h"
#include "intel/assets.h"
#include "intel/csaf.h"
#include "intel/exposure.h"

static const enum ky_regime regimes[] = {KY_REGIME_NIS2, KY_REGIME_CRA_INCIDENT,
					 KY_REGIME_CRA_VULN};

static int regime_parse(const char *s, enum ky_regime *r)
{
	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, ky_regime_name(regimes[i])) == 0) {
			*r = regimes[i];
			return 0;
		}
	ky_cli_error("'%s' is not a regime (nis2, cra-incident, "
		     "cra-vulnerability)",
		     s);
	return 2;
}

/* The stages of one regime as JSON, or NULL with err set. */
static json_t *stages_json(const struct ky_case_input *ci, int64_t now,
			   int64_t window, struct ky_err *err)
{
	struct ky_stage_info info[KY_STAGE__COUNT];
	char t[KY_TIME_RFC3339_LEN];
	json_t *a;

	if (ky_deadlines_compute(&ci->in, now, window, info, err) != 0)
		return NULL;
	if ((a = json_array()) == NULL)
		return NULL;
	for (int s = 0; s < KY_STAGE__COUNT; s++) {
		const struct ky_stage_info *x = &info[s];
		json_t *o;

		if (x->state == KY_SS_NOT_APPLICABLE)
			continue;
		o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "stage",
			      ky_stage_name(x->stage), "state",
			      ky_stage_state_name(x->state), "legal", x->legal,
			      "due_known", x->due_known, "provisional",
			      x->provisional, "depends_on",
			      x->depends ? x->depends : "");
		if (o && x->due_known) {
			ky_time_format_rfc3339(x->due_ns, t);
			json_object_set_new(o, "due", json_string(t));
		}
		if (o && x->submitted_ns) {
			ky_time_format_rfc3339(x->submitted_ns, t);
			json_object_set_new(o, "submitted", json_string(t));
			json_object_set_new(o, "late", json_boolean(x->late));
		}
		json_array_append_new(a, o);
	}
	return a;
}

/* {"nis2":[stages...], ...} for the regimes the file makes apply. */
static json_t *deadlines_json(struct ky__inc_sess *x, const json_t *c,
			      const struct ky_incident *inc, int64_t now,
			      struct ky_err *err)
{
	json_t *o = json_object();
	int64_t window = x->cfg.inc_due_soon * 3600 * KY_NS_PER_SEC;

	for (size_t i = 0; o && i < 3; i++) {
		struct ky_case_input ci;
		json_t *a;

		if (!ky_case_applies(c, regimes[i]))
			continue;
		if (ky_case_input(&ci, c, inc, &x->entity, regimes[i], now,
				  err) != 0) {
			json_decref(o);
			return NULL;
		}
		a = stages_json(&ci, now, window, err);
		ky_case_input_clear(&ci);
		if (a == NULL) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, ky_regime_name(regimes[i]), a);
	}
	return o;
}

/* ---- show ---- */

/* Copies an asset into a (the small inventory of one incident). */
static void keep_asset(struct ky_assets *mine, const struct ky_asset *as)
{
	struct ky_asset_rec rec;
	struct ky_err err = {0};
	json_t *j;

	if (ky_assets_get(mine, as->id) != NULL ||
	    (j = ky_asset_to_json(as)) == NULL)
		return;
	ky_asset_rec_init(&rec);
	if (ky_asset_rec_from_json(j, &rec, &err) == 0)
		(void)ky_assets_put(mine, &rec, NULL, NULL, &err);
	ky_asset_rec_clear(&rec);
	json_decref(j);
}

/* The assets the incident's hosts and addresses name, each with how. */
static json_t *linked_assets(struct ky_store *st, const json_t *ij,
			     struct ky_assets *mine)
{
	struct ky_assets *a = ky_assets_new();
	struct ky_err err = {0};
	json_t *out = json_array(), *v;
	const char *lists[] = {"hosts", "addresses"};
	size_t i;

	if (a == NULL || out == NULL || ky_assets_load_store(a, st, &err)) {
		ky_assets_free(a);
		return out;
	}
	for (size_t l = 0; l < 2; l++)
		json_array_foreach(json_object_get(ij, lists[l]), i, v)
		{
			const struct ky_asset *m[8];
			const char *s = json_string_value(v);
			size_t n = l == 0 ? ky_assets_find_host(a, s, strlen(s),
								m, 8)
					  : ky_assets_find_addr(a, s, strlen(s),
								m, 8);

			for (size_t k = 0; k < n && k < 8; k++) {
				keep_asset(mine, m[k]);
				json_array_append_new(
					out,
					json_pack("{s:s, s:s, s:s, s:i, s:s?, "
						  "s:s}",
						  "asset", m[k]->id, "via",
						  l == 0 ? "host" : "address",
						  "value", s, "criticality",
						  m[k]->criticality, "owner",
						  m[k]->owner, "country",
						  m[k]->country));
			}
		}
	ky_assets_free(a);
	return out;
}

static int keep_exposure(void *ud, const struct ky_exposure *e)
{
	json_t *o = json_pack(
		"{s:s, s:s?, s:s?, s:s, s:s, s:s, s:b, s:s?}", "asset",
		e->asset->id, "software", e->sw->name, "version",
		e->sw->version, "advisory", e->advisory, "cve", e->cve, "state",
		e->state == KY_EXP_AFFECTED ? "affected"
					    : "under_investigation",
		"known_exploited", e->known_exploited, "fix", e->fix);

	if (o && e->score >= 0)
		json_object_set_new(o, "score", json_real(e->score));
	return o ? json_array_append_new(ud, o) : KY_E_NOMEM;
}

struct expctx {
	const struct ky_exposure_index *ix;
	json_t *out;
};

static int expose_doc(void *ud, const struct ky_doc_row *row)
{
	struct expctx *x = ud;
	struct ky_csaf *doc = NULL;
	struct ky_err err = {0};
	int r;

	if (ky_csaf_parse(row->json, row->json_len, row->id, &doc, &err) != 0)
		return 0; /* `kyklos vulns list` reports unreadable ones */
	r = ky_exposures(x->ix, doc, keep_exposure, x->out, &err);
	ky_csaf_free(doc);
	return r;
}

/* The exposures of the incident's assets to the stored advisories, known
 * exploited first: what makes the incident worse than its alerts say. */
static json_t *asset_exposures(struct ky_store *st,
			       const struct ky_assets *mine)
{
	struct expctx x = {NULL, json_array()};
	struct ky_exposure_index *ix = NULL;
	struct ky_err err = {0};
	size_t i;
	json_t *v, *ke;

	if (x.out == NULL || ky_assets_count(mine) == 0 ||
	    ky_exposure_index_new(mine, &ix, NULL, &err) != 0)
		return x.out;
	x.ix = ix;
	(void)ky_store_docs(st, "advisory", expose_doc, &x, &err);
	ky_exposure_index_free(ix);
	/* stable partition: known exploited first */
	if ((ke = json_array()) == NULL)
		return x.out;
	json_array_foreach(x.out, i, v) if (json_is_true(json_object_get(
						    v, "known_exploited")))
		json_array_append(ke, v);
	json_array_foreach(x.out, i, v) if (!json_is_true(json_object_get(
						    v, "known_exploited")))
		json_array_append(ke, v);
	json_decref(x.out);
	return ke;
}

static void print_strs(const char *label, const json_t *a)
{
	size_t i;
	const json_t *v;

	if (json_array_size(a) == 0)
		return;
	printf("%-12s", label);
	json_array_foreach(a, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	putchar('\n');
}

static void print_show(const json_t *j)
{
	const json_t *inc = json_object_get(j, "incident"), *v, *w;
	const json_t *sev = json_object_get(inc, "severity");
	const json_t *cls = json_object_get(inc, "classification");
	const char *k;
	char t1[40], t2[40];
	size_t i;

	printf("INC-%lld  %s  severity %lld (%s)  TLP:%s  PAP:%s\n",
	       (long long)json_integer_value(json_object_get(inc, "id")),
	       json_string_value(json_object_get(inc, "status")),
	       (long long)json_integer_value(json_object_get(sev, "score")),
	       json_string_value(json_object_get(sev, "band")),
	       json_string_value(
		       json_object_get(json_object_get(inc, "tlp"), "level")),
	       json_string_value(
		       json_object_get(json_object_get(inc, "pap"), "level")));
	printf("%s\n", json_string_value(json_object_get(inc, "title")));
	printf("%-12s%s/%s (from %s%s%s)\n", "class",
	       json_string_value(json_object_get(cls, "class")),
	       json_string_value(json_object_get(cls, "type")),
	       json_string_value(json_object_get(cls, "source")),
	       json_is_string(json_object_get(cls, "tag")) ? " " : "",
	       json_is_string(json_object_get(cls, "tag"))
		       ? json_string_value(json_object_get(cls, "tag"))
		       : "");
	ky_cli_fmt_time(json_integer_value(json_object_get(inc, "first_ns")),
			t1);
	ky_cli_fmt_time(json_integer_value(json_object_get(inc, "last_ns")),
			t2);
	printf("%-12s%s .. %s\n", "events", t1, t2);
	printf("%-12s%lld (%zu entries after deduplication)\n", "alerts",
	       (long long)json_integer_value(
		       json_object_get(inc, "alert_count")),
	       json_array_size(json_object_get(inc, "alerts")));
	print_strs("hosts", json_object_get(inc, "hosts"));
	print_strs("users", json_object_get(inc, "users"));
	print_strs("addresses", json_object_get(inc, "addresses"));
	json_array_foreach(json_object_get(inc, "rules"), i, v) printf(
		"%-12s%s  %s (%s, %lld alerts)\n", i ? "" : "rules",
		json_string_value(json_object_get(v, "id")),
		json_string_value(json_object_get(v, "title")),
		json_string_value(json_object_get(v, "level")),
		(long long)json_integer_value(json_object_get(v, "count")));
	json_array_foreach(json_object_get(inc, "indicators"), i, v) printf(
		"%-12s%s (confidence %lld, %lld hits)\n", i ? "" : "indicators",
		json_string_value(json_object_get(v, "value")),
		(long long)json_integer_value(json_object_get(v, "confidence")),
		(long long)json_integer_value(json_object_get(v, "count")));
	json_array_foreach(json_object_get(j, "assets"), i, v) printf(
		"%-12s%s (criticality %lld, owner %s, %s) via %s %s\n",
		i ? "" : "assets",
		json_string_value(json_object_get(v, "asset")),
		(long long)json_integer_value(
			json_object_get(v, "criticality")),
		json_is_string(json_object_get(v, "owner"))
			? json_string_value(json_object_get(v, "owner"))
			: "-",
		json_string_value(json_object_get(v, "country"))[0]
			? json_string_value(json_object_get(v, "country"))
			: "-",
		json_string_value(json_object_get(v, "via")),
		json_string_value(json_object_get(v, "value")));
	json_array_foreach(json_object_get(j, "exposures"), i, v) printf(
		"%-12s%s %s %s: %s %s%s%s%.60s\n", i ? "" : "exposures",
		json_string_value(json_object_get(v, "asset")),
		json_is_string(json_object_get(v, "software"))
			? json_string_value(json_object_get(v, "software"))
			: "?",
		json_is_string(json_object_get(v, "version"))
			? json_string_value(json_object_get(v, "version"))
			: "",
		json_string_value(json_object_get(v, "cve")),
		json_string_value(json_object_get(v, "state")),
		json_is_true(json_object_get(v, "known_exploited"))
			? ", KNOWN EXPLOITED"
			: "",
		json_is_string(json_object_get(v, "fix")) ? ", fix: " : "",
		json_is_string(json_object_get(v, "fix"))
			? json_string_value(json_object_get(v, "fix"))
			: "");
	json_object_foreach((json_t *)json_object_get(j, "deadlines"), k,
			    v) json_array_foreach(v, i, w)
		printf("%-12s%s %-14s %-10s due %s%s\n", i ? "" : "deadlines",
		       k, json_string_value(json_object_get(w, "stage")),
		       json_string_value(json_object_get(w, "state")),
		       json_is_string(json_object_get(w, "due"))
			       ? json_string_value(json_object_get(w, "due"))
			       : "when known",
		       json_is_true(json_object_get(w, "provisional"))
			       ? " (provisional)"
			       : "");
	json_array_foreach(json_object_get(inc, "history"), i, v)
	{
		ky_cli_fmt_time(
			json_integer_value(json_object_get(v, "when_ns")), t1);
		printf("%-12s%s %s: %s %s -> %s%s%s\n", i ? "" : "history", t1,
		       json_string_value(json_object_get(v, "who")),
		       json_string_value(json_object_get(v, "field")),
		       json_is_string(json_object_get(v, "from"))
			       ? json_string_value(json_object_get(v, "from"))
			       : "-",
		       json_is_string(json_object_get(v, "to"))
			       ? json_string_value(json_object_get(v, "to"))
			       : "-",
		       json_is_string(json_object_get(v, "why")) ? ": " : "",
		       json_is_string(json_object_get(v, "why"))
			       ? json_string_value(json_object_get(v, "why"))
			       : "");
	}
}

int ky__inc_show(struct ky_cli *cli, int argc, char **argv)
{
	struct ky__inc_sess x;
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	json_t *j = NULL, *c = NULL, *d;
	struct ky_assets *mine = NULL;
	int64_t id, now = ky_time_now_ns();
	bool owned = false, json = cli->json;
	int r = 1;

	for (int i = 3; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = true;
	if (argc < 3 || ky_incident_id_parse(argv[2], &id, &err) != 0) {
		ky_cli_error("usage: kyklos incidents show ID [--json]%s%s",
			     err.msg[0] ? ": " : "", err.msg);
		return 2;
	}
	if (ky__inc_open(cli, &x) != 0)
		return 1;
	if (ky_incstore_find(x.b, x.st, id, &inc, &owned, &err) != 0)
		goto out;
	if (ky_case_load(x.st, id, &c, &err) != 0) {
		if (err.status != KY_E_NOTFOUND)
			goto out;
		ky_err_clear(&err);
	}
	j = json_pack("{s:o, s:O?}", "incident", ky_incident_to_json(inc),
		      "report", c);
	if (j == NULL || (d = deadlines_json(&x, c, inc, now, &err)) == NULL)
		goto out;
	json_object_set_new(j, "deadlines", d);
	if ((mine = ky_assets_new()) == NULL)
		goto out;
	json_object_set_new(
		j, "assets",
		linked_assets(x.st, json_object_get(j, "incident"), mine));
	json_object_set_new(j, "exposures", asset_exposures(x.st, mine));
	if (json) {
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_show(j);
	}
	r = 0;
out:
	if (r != 0)
		ky_cli_error("%s", err.msg[0] ? err.msg : "out of memory");
	json_decref(j);
	json_decref(c);
	ky_assets_free(mine);
	if (owned)
		ky_incident_free(inc);
	if (ky__inc_close(&x, r == 0) != 0)
		r = 1;
	return r;
}

/* ---- set / significant ---- */

int ky__inc_set(struct ky_cli *cli, int argc, char **argv)
{
	bool sig = strcmp(argv[1], "significant") == 0, no = false;
	const char *by = NULL, *aware = NULL;
	struct ky__inc_sess x;
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	char **pairs = calloc((size_t)argc + 1, sizeof(*pairs));
	size_t np = 0;
	int64_t id = 0, now = ky_time_now_ns();
	bool owned = false;
	json_t *c = NULL;
	int r = 2;

	if (pairs == NULL)
		return 1;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (sig && strcmp(argv[i], "--aware") == 0 && i + 1 < argc)
			aware = argv[++i];
		else if (sig && strcmp(argv[i], "--no") == 0)
			no = true;
		else if (id == 0) {
			if (ky_incident_id_parse(argv[i], &id, &err) != 0) {
				ky_cli_error("incidents %s: %s", argv[1],
					     err.msg);
				goto usage;
			}
		} else
			pairs[np++] = argv[i];
	}
	if (id == 0 || (sig ? np != 0 : np == 0 || np % 2 != 0))
		goto usage;
	r = 1;
	if (ky__inc_open(cli, &x) != 0) {
		free(pairs);
		return 1;
	}
	if (ky_incstore_find(x.b, x.st, id, &inc, &owned, &err) != 0)
		goto out;
	if (ky_case_load(x.st, id, &c, &err) != 0) {
		if (err.status != KY_E_NOTFOUND)
			goto out;
		ky_err_clear(&err);
		if ((c = ky_case_new(id)) == NULL)
			goto out;
	}
	if (sig) {
		const char *who = ky_cli_who(by);

		if (ky_case_set(c, "significant", no ? "no" : "yes", who, now,
				&err) != 0)
			goto out;
		if (!no && (aware || json_object_get(c, "aware") == NULL) &&
		    ky_case_set(c, "aware", aware ? aware : "now", who, now,
				&err) != 0)
			goto out;
	}
	for (size_t i = 0; i + 1 < np; i += 2)
		if (ky_case_set(c, pairs[i], pairs[i + 1], ky_cli_who(by), now,
				&err) != 0)
			goto out;
	if (ky_case_save(x.st, c, now, &err) != 0)
		goto out;
	r = 0;
out:
	if (r == 0 && !cli->json) {
		json_t *d = deadlines_json(&x, c, inc, now, &err);
		const char *k;
		json_t *v, *w;
		size_t i;

		printf("INC-%lld: reporting file updated\n", (long long)id);
		json_object_foreach(d, k, v) json_array_foreach(v, i, w) printf(
			"  %s %-14s %-10s due %s\n", k,
			json_string_value(json_object_get(w, "stage")),
			json_string_value(json_object_get(w, "state")),
			json_is_string(json_object_get(w, "due"))
				? json_string_value(json_object_get(w, "due"))
				: "when known");
		json_decref(d);
	} else if (r == 0) {
		json_dumpf(c, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		ky_cli_error("%s", err.msg[0] ? err.msg : "out of memory");
	}
	json_decref(c);
	if (owned)
		ky_incident_free(inc);
	free(pairs);
	if (ky__inc_close(&x, r == 0) != 0)
		r = 1;
	return r;
usage:
	free(pairs);
	ky_cli_error("usage: kyklos incidents significant ID [--aware "
		     "TIME|now] [--no] [--by WHO] | set ID FIELD VALUE "
		     "[FIELD VALUE...] [--by WHO] (fields in "
		     "docs/reporting.md)");
	return 2;
}

/* ---- due ---- */

struct due {
	struct ky__inc_sess *x;
	int64_t now, window;
	json_t *rows;
	struct ky_err *err;
};

static int due_one(void *ud, const struct ky_doc_row *row)
{
	struct due *d = ud;
	struct ky_incident *inc = NULL;
	json_error_t je;
	json_t *c = json_loadb(row->json, row->json_len, 0, &je);
	int64_t id;
	int r = 0;

	if (c == NULL || ky_case_check(c, d->err) != 0) {
		json_decref(c);
		return ky_err_set(d->err, KY_E_PARSE,
				  "stored report file %s is damaged", row->id);
	}
	id = (int64_t)json_integer_value(json_object_get(c, "incident"));
	if ((r = ky_incstore_get(d->x->st, id, &inc, d->err)) != 0) {
		json_decref(c);
		return r;
	}
	for (size_t i = 0; r == 0 && i < 3; i++) {
		struct ky_stage_info info[KY_STAGE__COUNT];
		struct ky_case_input ci;
		char t[KY_TIME_RFC3339_LEN];
		size_t n = 0;

		if (!ky_case_applies(c, regimes[i]))
			continue;
		if ((r = ky_case_input(&ci, c, inc, &d->x->entity, regimes[i],
				       d->now, d->err)) != 0)
			break;
		r = ky_deadlines_due(&ci.in, d->now, d->window, info,
				     KY_STAGE__COUNT, &n, d->err);
		for (size_t k = 0; r == 0 && k < n && k < KY_STAGE__COUNT;
		     k++) {
			ky_time_format_rfc3339(info[k].due_ns, t);
			json_array_append_new(
				d->rows,
				json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, "
					  "s:s, s:b}",
					  "incident", (json_int_t)id, "title",
					  ky_incident_title(inc)
						  ? ky_incident_title(inc)
						  : "",
					  "regime", ky_regime_name(regimes[i]),
					  "stage", ky_stage_name(info[k].stage),
					  "state",
					  ky_stage_state_name(info[k].state),
					  "due", t, "legal", info[k].legal,
					  "provisional", info[k].provisional));
		}
		if (r != 0)
			ky_err_prefix(d->err, "INC-%lld", (long long)id);
		ky_case_input_clear(&ci);
	}
	ky_incident_free(inc);
	json_decref(c);
	return r;
}

int ky__inc_due(struct ky_cli *cli, int argc, char **argv)
{
	struct ky__inc_sess x;
	struct ky_err err = {0};
	struct due d = {&x, ky_time_now_ns(), -1, json_array(), &err};
	bool json = cli->json;
	size_t i;
	json_t *v;
	int r;

	for (int k = 2; k < argc; k++) {
		char *end;

		if (strcmp(argv[k], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[k], "--within") == 0 && k + 1 < argc) {
			long h = strtol(argv[++k], &end, 10);

			if (*end || h < 0 || h > 24 * 366) {
				ky_cli_error("incidents due: --within takes "
					     "hours, not '%s'",
					     argv[k]);
				json_decref(d.rows);
				return 2;
			}
			d.window = h * 3600 * KY_NS_PER_SEC;
		} else {
			ky_cli_error("usage: kyklos incidents due [--within "
				     "HOURS] [--json]");
			json_decref(d.rows);
			return 2;
		}
	}
	if (d.rows == NULL || ky__inc_open(cli, &x) != 0) {
		json_decref(d.rows);
		return 1;
	}
	if (d.window < 0)
		d.window = x.cfg.inc_due_soon * 3600 * KY_NS_PER_SEC;
	r = ky_store_docs(x.st, "report", due_one, &d, &err);
	if (r != 0) {
		ky_cli_error("%s", err.msg);
	} else if (json) {
		json_dumpf(d.rows, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		printf("%-9s %-17s %-14s %-9s %-21s %s\n", "ID", "REGIME",
		       "STAGE", "STATE", "DUE (UTC)", "TITLE");
		json_array_foreach(d.rows, i, v)
			printf("INC-%-5lld %-17s %-14s %-9s %-21s %s%s\n",
			       (long long)json_integer_value(
				       json_object_get(v, "incident")),
			       json_string_value(json_object_get(v, "regime")),
			       json_string_value(json_object_get(v, "stage")),
			       json_string_value(json_object_get(v, "state")),
			       json_string_value(json_object_get(v, "due")),
			       json_string_value(json_object_get(v, "title")),
			       json_is_true(json_object_get(v, "provisional"))
				       ? " (provisional)"
				       : "");
		fprintf(stderr,
			"kyklos: %zu stages overdue or due within %lld h\n",
			json_array_size(d.rows),
			(long long)(d.window / (3600 * KY_NS_PER_SEC)));
	}
	json_decref(d.rows);
	if (ky__inc_close(&x, r == 0) != 0)
		r = 1;
	return r == 0 ? 0 : 1;
}

/* ---- report ---- */

static int write_file(const char *path, const struct ky_buf *b)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len)
		r = 1;
	if (f != NULL && fclose(f) != 0)
		r = 1;
	if (r)
		ky_cli_error("%s: cannot write", path);
	return r;
}

static void print_missing(const struct ky_buf *json, int64_t id)
{
	json_t *j = json_loadb(json->data, json->len, 0, NULL), *v;
	const json_t *m = json_object_get(j, "missing");
	size_t i;

	if (json_array_size(m) > 0) {
		fprintf(stderr,
			"kyklos: INC-%lld: still to fill in:", (long long)id);
		json_array_foreach(m, i, v) fprintf(
			stderr, "%s %s", i ? "," : "", json_string_value(v));
		fprintf(stderr,
			"\n  (entity.* in kyklos.yaml; the others with "
			"kyklos incidents set %lld FIELD VALUE)\n",
			(long long)id);
	}
	json_decref(j);
}

static int submit(struct ky_cli *cli, int argc, char **argv)
{
	const char *by = NULL, *at = "now", *rs = "nis2", *ss = NULL;
	struct ky__inc_sess x;
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	enum ky_regime reg;
	enum ky_stage stage;
	int64_t id = 0, when, now = ky_time_now_ns();
	bool owned = false;
	json_t *c = NULL;
	int r = 1;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
			at = argv[++i];
		else if (strcmp(argv[i], "--regime") == 0 && i + 1 < argc)
			rs = argv[++i];
		else if (strcmp(argv[i], "--stage") == 0 && i + 1 < argc)
			ss = argv[++i];
		else if (id == 0 &&
			 ky_incident_id_parse(argv[i], &id, &err) == 0)
			continue;
		else
			id = -1;
	}
	if (id <= 0 || ss == NULL) {
		ky_cli_error("usage: kyklos report submit ID --stage STAGE "
			     "[--regime nis2|cra-incident|cra-vulnerability] "
			     "[--at TIME] [--by WHO]");
		return 2;
	}
	if (regime_parse(rs, &reg) != 0)
		return 2;
	if (ky_stage_parse(ss, &stage, &err) != 0) {
		ky_cli_error("report submit: %s", err.msg);
		return 2;
	}
	if (ky_cli_time("--at", at, &when) != 0)
		return 2;
	if (ky__inc_open(cli, &x) != 0)
		return 1;
	if (ky_incstore_find(x.b, x.st, id, &inc, &owned, &err) != 0 ||
	    ky_case_load(x.st, id, &c, &err) != 0)
		goto out;
	if (!ky_case_applies(c, reg)) {
		ky_err_set(&err, KY_E_INVAL,
			   "INC-%lld is not marked for %s reporting",
			   (long long)id, ky_regime_name(reg));
		goto out;
	}
	if (ky_case_submit(c, reg, stage, ky_cli_who(by), when, &err) != 0 ||
	    ky_case_save(x.st, c, now, &err) != 0)
		goto out;
	printf("INC-%lld: %s %s recorded as submitted\n", (long long)id,
	       ky_regime_name(reg), ky_stage_name(stage));
	r = 0;
out:
	if (r != 0)
		ky_cli_error("%s",
			     err.status == KY_E_NOTFOUND && c == NULL &&
					     inc != NULL
				     ? "no reporting file: mark the incident "
				       "first (kyklos incidents significant ID)"
				     : err.msg);
	json_decref(c);
	if (owned)
		ky_incident_free(inc);
	if (ky__inc_close(&x, r == 0) != 0)
		r = 1;
	return r;
}

/* report nis2|cra-incident|cra-vulnerability ID --stage S [--json]
 * [--markdown] [-o PREFIX] */
int ky_cmd_report(struct ky_cli *cli, int argc, char **argv)
{
	const char *ss = NULL, *prefix = NULL;
	bool json = cli->json, md = false;
	struct ky__inc_sess x;
	struct ky_incident *inc = NULL;
	struct ky_case_input ci = {0};
	struct ky_err err = {0};
	struct ky_buf jb, mb;
	enum ky_regime reg;
	enum ky_stage stage;
	int64_t id = 0, now = ky_time_now_ns();
	bool owned = false, have_ci = false;
	json_t *c = NULL;
	int r = 1;

	if (argc >= 2 && strcmp(argv[1], "submit") == 0)
		return submit(cli, argc, argv);
	if (argc < 3 || regime_parse(argv[1], &reg) != 0)
		goto usage;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--stage") == 0 && i + 1 < argc)
			ss = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--markdown") == 0)
			md = true;
		else if (id == 0 &&
			 ky_incident_id_parse(argv[i], &id, &err) == 0)
			continue;
		else
			goto usage;
	}
	if (id == 0 || ss == NULL)
		goto usage;
	if (ky_stage_parse(ss, &stage, &err) != 0) {
		ky_cli_error("report: %s", err.msg);
		return 2;
	}
	if (ky__inc_open(cli, &x) != 0)
		return 1;
	ky_buf_init(&jb, 0);
	ky_buf_init(&mb, 0);
	if (ky_incstore_find(x.b, x.st, id, &inc, &owned, &err) != 0)
		goto out;
	if (ky_case_load(x.st, id, &c, &err) != 0) {
		if (err.status != KY_E_NOTFOUND)
			goto out;
		ky_err_clear(&err);
	}
	if (reg != KY_REGIME_NIS2 && !x.entity.manufacturer)
		fprintf(stderr, "kyklos: note: entity.manufacturer is false: "
				"CRA Art. 14 binds manufacturers\n");
	if (reg != KY_REGIME_NIS2 && !ky_case_applies(c, reg)) {
		ky_err_set(&err, KY_E_INVAL,
			   "INC-%lld is not marked for %s reporting (kyklos "
			   "incidents set %lld %s yes)",
			   (long long)id, ky_regime_name(reg), (long long)id,
			   ky_regime_name(reg));
		goto out;
	}
	if (ky_case_input(&ci, c, inc, &x.entity, reg, now, &err) != 0)
		goto out;
	have_ci = true;
	if (ky_nis2_report(&ci.in, stage, &jb, &mb, &err) != 0)
		goto out;
	r = 0;
	if (prefix != NULL) {
		char path[4096];

		snprintf(path, sizeof(path), "%s.json", prefix);
		r |= write_file(path, &jb);
		snprintf(path, sizeof(path), "%s.md", prefix);
		r |= write_file(path, &mb);
		if (r == 0)
			fprintf(stderr, "kyklos: wrote %s.json and %s.md\n",
				prefix, prefix);
	}
	if (prefix == NULL || json || md) {
		const struct ky_buf *b = json && !md ? &jb : &mb;

		fwrite(b->data, 1, b->len, stdout);
		if (b->len && b->data[b->len - 1] != '\n')
			putchar('\n');
	}
	print_missing(&jb, id);
out:
	if (r != 0 && err.msg[0])
		ky_cli_error("%s", err.msg);
	if (have_ci)
		ky_case_input_clear(&ci);
	json_decref(c);
	if (owned)
		ky_incident_free(inc);
	ky_buf_free(&jb);
	ky_buf_free(&mb);
	if (ky__inc_close(&x, r == 0) != 0)
		r = 1;
	return r;
usage:
	ky_cli_error("usage: kyklos report nis2|cra-incident|"
		     "cra-vulnerability ID --stage early-warning|notification|"
		     "intermediate|progress|final [--json|--markdown] [-o "
		     "PREFIX] | report submit ID --stage S [--regime R] [--at "
		     "TIME]");
	return 2;
}
