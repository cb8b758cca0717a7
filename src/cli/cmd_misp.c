/* kyklos misp: MISP events and feeds in (as indicators and sightings of
 * this node, published into the change log), our indicators out as a
 * MISP event (under the policy of a peer when one is named). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/time.h"
#include "cli/share_ctx.h"
#include "intel/stix.h"
#include "share/misp.h"

#define CHUNK 10000

struct imp {
	struct ky_cli_share *s;
	struct ky_stix_ctx c;
	enum ky_tlp deftlp;
	json_t **objs;
	size_t n;
	size_t added, total, sightings;
	int rc;
};

static int flush(struct imp *x)
{
	struct ky_err err = {0};
	size_t added = 0;
	int r;

	if (x->n == 0)
		return 0;
	r = ky_store_begin(x->s->st, &err);
	r = r ? r
	      : ky_share_publish(x->s->st, &x->s->self, x->objs, x->n,
				 x->c.now_ns, &added, &err);
	r = r ? r : ky_store_commit(x->s->st, &err);
	if (r != 0) {
		ky_store_rollback(x->s->st);
		ky_cli_error("%s", err.msg);
	}
	for (size_t i = 0; i < x->n; i++)
		json_decref(x->objs[i]);
	x->added += added;
	x->total += x->n;
	x->n = 0;
	return r;
}

static int push(struct imp *x, json_t *o)
{
	if (o == NULL)
		return 0;
	x->objs[x->n++] = o;
	return x->n == CHUNK ? flush(x) : 0;
}

static int on_attr(void *ud, const struct ky_misp_attr *a)
{
	struct imp *x = ud;
	enum ky_tlp tlp = a->tlp == KY_TLP_UNSET ? x->deftlp : a->tlp;
	int64_t t = a->time_ns > 0 ? a->time_ns : x->c.now_ns;
	struct ky_err err = {0};
	json_t *ind, *ref;
	char id[KY_STIX_ID_MAX];
	int r;

	ind = ky_stix_indicator(&x->c, a->kind, a->value, a->to_ids ? 75 : 30,
				tlp, t, &err);
	if (ind == NULL)
		return 0;
	/* where it came from, so an analyst can go back to the event */
	ref = json_pack("{s:s, s:s?, s:s?}", "source_name", "misp",
			"external_id", a->uuid, "description", a->event_info);
	if (ref != NULL)
		json_object_set_new(ind, "external_references",
				    json_pack("[o]", ref));
	snprintf(id, sizeof(id), "%s",
		 json_string_value(json_object_get(ind, "id")));
	if ((r = push(x, ind)) != 0)
		return r;
	if (a->sightings > 0 && a->uuid != NULL) {
		char key[128];

		snprintf(key, sizeof(key), "misp/%s", a->uuid);
		x->sightings++;
		return push(x,
			    ky_stix_sighting(&x->c, key, id, a->first_seen_ns,
					     a->last_seen_ns, a->sightings,
					     NULL, tlp, &err));
	}
	return 0;
}

static void on_warn(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "kyklos: %s\n", msg);
}

static int import(struct ky_cli_share *s, int argc, char **argv)
{
	struct imp x = {.s = s, .deftlp = KY_TLP_AMBER};
	struct ky_misp_stats st = {0};
	struct ky_err err = {0};
	int r = 0;

	x.c.node_id = s->node_id;
	x.c.node_name = s->cfg.node_name;
	x.c.now_ns = ky_time_now_ns();
	if ((x.objs = calloc(CHUNK, sizeof(*x.objs))) == NULL)
		return 1;
	for (int i = 2; i < argc && r == 0; i++) {
		struct stat sb;

		if (strcmp(argv[i], "--tlp") == 0 && i + 1 < argc) {
			int t = ky_tlp_parse(argv[++i]);

			if (t < 0 || t >= KY_TLP_UNSET) {
				ky_cli_error("--tlp %s: clear, green, amber, "
					     "amber+strict or red",
					     argv[i]);
				r = 2;
			}
			x.deftlp = (enum ky_tlp)t;
			continue;
		}
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			r = ky_misp_feed(argv[i], on_attr, &x, on_warn, &st,
					 &err);
		} else {
			FILE *f = fopen(argv[i], "rb");
			char *buf = f ? malloc(256u << 20) : NULL;
			size_t n = buf ? fread(buf, 1, 256u << 20, f) : 0;

			if (f)
				fclose(f);
			if (buf == NULL) {
				ky_cli_error("%s: cannot read", argv[i]);
				r = 1;
				continue;
			}
			r = ky_misp_parse(buf, n, argv[i], on_attr, &x, on_warn,
					  &st, &err);
			free(buf);
		}
		if (r != 0 && err.msg[0])
			ky_cli_error("%s", err.msg);
	}
	if (r == 0)
		r = flush(&x);
	else
		for (size_t i = 0; i < x.n; i++)
			json_decref(x.objs[i]);
	free(x.objs);
	if (r == 0)
		printf("MISP: %llu events, %llu attributes: %llu indicators "
		       "(%zu new versions published), %zu sightings, %llu "
		       "attributes of other types, %llu rejected, %llu false-"
		       "positive sightings left out\n",
		       (unsigned long long)st.events,
		       (unsigned long long)st.attributes,
		       (unsigned long long)st.accepted, x.added, x.sightings,
		       (unsigned long long)st.unsupported,
		       (unsigned long long)st.rejected,
		       (unsigned long long)st.false_positives);
	return r;
}

struct exp {
	struct ky_cli_share *s;
	struct ky_peer_info pi;
	bool peer;
	json_t *list;
	size_t held_back;
};

static int exp_cb(void *ud, const struct ky_change *c)
{
	struct exp *x = ud;
	json_t *o = json_loadb(c->object, c->object_len, 0, NULL), *out = NULL;
	struct ky_err err = {0};
	const char *why;
	bool changed;

	if (o == NULL)
		return 0;
	if (!x->peer) {
		json_array_append_new(x->list, o);
		return 0;
	}
	if (ky_policy_apply(x->s->pol, &x->pi, o,
			    strcmp(c->origin, x->s->node_id) == 0, &out,
			    &changed, &why, NULL, &err) == 1)
		json_array_append_new(x->list, out);
	else
		x->held_back++;
	json_decref(o);
	return 0;
}

struct pc {
	char name[128], node_id[64], country[8], groups[256];
};

static int pc_cb(void *ud, const struct ky_peer_row *p)
{
	struct pc *c = ud;

	snprintf(c->name, sizeof(c->name), "%s", p->name);
	snprintf(c->node_id, sizeof(c->node_id), "%s", p->node_id);
	snprintf(c->country, sizeof(c->country), "%s",
		 p->country ? p->country : "");
	snprintf(c->groups, sizeof(c->groups), "%s",
		 p->groups ? p->groups : "");
	return 0;
}

static int export(struct ky_cli_share *s, const char *peer, const char *info,
		  const char *outp)
{
	struct exp x = {.s = s, .list = json_array()};
	struct ky_err err = {0};
	struct pc pc;
	size_t skipped = 0;
	json_t *ev;
	int r;

	if (peer != NULL) {
		if (ky_peers_get(s->st, peer, pc_cb, &pc, &err) != 0) {
			ky_cli_error("%s", err.msg);
			json_decref(x.list);
			return 1;
		}
		x.peer = true;
		x.pi.name = pc.name;
		x.pi.node_id = pc.node_id;
		x.pi.country = pc.country[0] ? pc.country : NULL;
		x.pi.groups = pc.groups[0] ? pc.groups : NULL;
	}
	if (ky_changes_objects(s->st, "indicator", exp_cb, &x, &err) != 0) {
		ky_cli_error("%s", err.msg);
		json_decref(x.list);
		return 1;
	}
	ev = ky_misp_export(x.list, info,
			    s->cfg.node_name && *s->cfg.node_name
				    ? s->cfg.node_name
				    : s->node_id,
			    ky_time_now_ns(), &skipped, &err);
	r = ev == NULL || json_dump_file(ev, outp, JSON_INDENT(1)) != 0;
	if (r)
		ky_cli_error("%s: cannot write", outp);
	else
		printf("MISP event -> %s: %zu attributes (%zu indicators with "
		       "patterns MISP has no type for, %zu held back by the "
		       "policy)\n",
		       outp,
		       json_array_size(json_object_get(
			       json_object_get(ev, "Event"), "Attribute")),
		       skipped, x.held_back);
	json_decref(ev);
	json_decref(x.list);
	return r;
}

int ky_cmd_misp(struct ky_cli *cli, int argc, char **argv)
{
	const char *peer = NULL, *info = "Indicators shared by kyklos";
	const char *out = NULL;
	struct ky_cli_share s;
	int r;

	if (argc >= 3 && strcmp(argv[1], "import") == 0) {
		if (ky_cli_share_open(cli, KY_SHARE_WRITE, &s) != 0) {
			ky_cli_share_close(&s);
			return 1;
		}
		r = import(&s, argc, argv);
		return ky_cli_share_close(&s) || r;
	}
	for (int i = 2; argc > 1 && strcmp(argv[1], "export") == 0 && i < argc;
	     i++) {
		if (strcmp(argv[i], "--peer") == 0 && i + 1 < argc)
			peer = argv[++i];
		else if (strcmp(argv[i], "--info") == 0 && i + 1 < argc)
			info = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else
			out = NULL, i = argc;
	}
	if (out == NULL) {
		ky_cli_error(
			"usage: kyklos misp import FILE|FEED-DIR... [--tlp "
			"L] | export [--peer NAME] [--info TEXT] -o FILE");
		return 2;
	}
	if (ky_cli_share_open(cli, peer ? KY_SHARE_POLICY : 0, &s) != 0) {
		ky_cli_share_close(&s);
		return 1;
	}
	r = export(&s, peer, info, out);
	return ky_cli_share_close(&s) || r;
}
