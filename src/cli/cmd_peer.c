/* kyklos peer: the peers this node shares with, each pinned by its public
 * key; and kyklos policy: check the sharing policy, explain what it does
 * to one object for one peer, field by field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "cli/share_ctx.h"
#include "intel/stix.h"

static const char peer_usage[] =
	"usage: kyklos peer add NAME [URL] --key KEY|FINGERPRINT [--country "
	"CC] "
	"[--groups G1,G2]\n"
	"       kyklos peer list [--json] | show NAME [--json] | remove NAME | "
	"pause NAME | resume NAME";

static int print_peer(void *ud, const struct ky_peer_row *p)
{
	struct ky_cli_share *s = ud;
	int64_t pulled = 0, bout = 0, bin = 0;

	ky_peer_state_get(s->st, p->name, "pulled", &pulled, NULL);
	ky_peer_state_get(s->st, p->name, "bundle_out", &bout, NULL);
	ky_peer_state_get(s->st, p->name, "bundle_in", &bin, NULL);
	printf("%-16s %-26s %-3s %-7s %-30s pulled %lld, bundles out %lld, "
	       "in %lld\n",
	       p->name, p->node_id, p->country ? p->country : "-",
	       p->paused ? "paused" : "active", p->url ? p->url : "(offline)",
	       (long long)pulled, (long long)bout, (long long)bin);
	return 0;
}

static int json_peer(void *ud, const struct ky_peer_row *p)
{
	struct ky_cli_share *s = ud;
	int64_t pulled = 0, bout = 0, bin = 0;
	json_t *o;
	char *t;

	ky_peer_state_get(s->st, p->name, "pulled", &pulled, NULL);
	ky_peer_state_get(s->st, p->name, "bundle_out", &bout, NULL);
	ky_peer_state_get(s->st, p->name, "bundle_in", &bin, NULL);
	o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:I, s:I, s:I}",
		      "name", p->name, "node_id", p->node_id, "key", p->pubkey,
		      "url", p->url, "country", p->country, "groups", p->groups,
		      "paused", p->paused, "pulled", (json_int_t)pulled,
		      "bundles_out", (json_int_t)bout, "bundles_in",
		      (json_int_t)bin);
	t = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (t)
		puts(t);
	free(t);
	json_decref(o);
	return 0;
}

static int peer_add(struct ky_cli_share *s, int argc, char **argv)
{
	const char *name = NULL, *url = NULL, *key = NULL, *country = NULL;
	const char *groups = NULL;
	struct ky_peer_row row = {0};
	struct ky_pubkey pk;
	struct ky_err err = {0};
	char id[KY_NODE_ID_LEN + 1], fpkey[4 + 2 * KY_FINGERPRINT_BYTES];

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strcmp(argv[i], "--country") == 0 && i + 1 < argc)
			country = argv[++i];
		else if (strcmp(argv[i], "--groups") == 0 && i + 1 < argc)
			groups = argv[++i];
		else if (argv[i][0] == '-') {
			ky_cli_error("%s", peer_usage);
			return 2;
		} else if (name == NULL)
			name = argv[i];
		else if (url == NULL)
			url = argv[i];
		else {
			ky_cli_error("%s", peer_usage);
			return 2;
		}
	}
	if (name == NULL || key == NULL) {
		ky_cli_error("%s", peer_usage);
		return 2;
	}
	if (ky_pubkey_parse(key, &pk, &err) == 0) {
		ky_identity_node_id(&pk, id);
		row.pubkey = key;
	} else if (strchr(key, ':') == NULL ||
		   strspn(key, "0123456789abcdefABCDEF :-") == strlen(key)) {
		/* the fingerprint people compare: the key itself is taken
		 * from the peer's binding at the first sync, if it has this
		 * fingerprint */
		uint8_t fp[KY_FINGERPRINT_BYTES];
		struct ky_err e2 = {0};
		size_t o = 3;

		if (ky_identity_fingerprint_parse(key, fp, &e2) != 0) {
			ky_cli_error("--key: neither a public key (%s) nor a "
				     "fingerprint (%s)",
				     err.msg, e2.msg);
			return 1;
		}
		memcpy(fpkey, "fp:", 3);
		for (size_t i = 0; i < KY_FINGERPRINT_BYTES; i++, o += 2)
			snprintf(fpkey + o, sizeof(fpkey) - o, "%02x", fp[i]);
		ky_identity_node_id_of(fp, id);
		row.pubkey = fpkey;
	} else {
		ky_cli_error("--key: %s (give the peer's public key or its "
			     "fingerprint as `kyklos identity show` prints "
			     "them there)",
			     err.msg);
		return 1;
	}
	if (url && strncmp(url, "https://", 8) != 0) {
		ky_cli_error("%s: peers are reached over https:// only", url);
		return 1;
	}
	if (country &&
	    (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' ||
	     country[1] < 'A' || country[1] > 'Z')) {
		ky_cli_error("--country %s: expected a two-letter code such as "
			     "DE (EL for Greece)",
			     country);
		return 1;
	}
	if (strcmp(id, s->node_id) == 0) {
		ky_cli_error("that is this node's own key");
		return 1;
	}
	row.name = name;
	row.node_id = id;
	row.url = url;
	row.country = country;
	row.groups = groups;
	row.added_ns = ky_time_now_ns();
	if (ky_peers_put(s->st, &row, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	printf("peer %s pinned%s: node %s%s%s\n", name,
	       row.pubkey == fpkey ? " by fingerprint (its key is taken at "
				     "the first sync)"
				   : "",
	       id, url ? " at " : "", url ? url : " (offline: bundles only)");
	return 0;
}

int ky_cmd_peer(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_cli_share s;
	struct ky_err err = {0};
	bool json = cli->json;
	const char *sub = argc > 1 ? argv[1] : "";
	int r = 0;

	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = true;
	if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "show") &&
	    strcmp(sub, "remove") && strcmp(sub, "pause") &&
	    strcmp(sub, "resume")) {
		ky_cli_error("%s", peer_usage);
		return 2;
	}
	if (strcmp(sub, "list") && strcmp(sub, "add") &&
	    (argc < 3 || argv[2][0] == '-')) {
		ky_cli_error("%s", peer_usage);
		return 2;
	}
	if (ky_cli_share_open(cli, KY_SHARE_WRITE, &s) != 0) {
		ky_cli_share_close(&s);
		return 1;
	}
	if (strcmp(sub, "add") == 0)
		r = peer_add(&s, argc, argv);
	else if (strcmp(sub, "list") == 0)
		r = ky_peers_list(s.st, json ? json_peer : print_peer, &s,
				  &err) != 0;
	else if (strcmp(sub, "show") == 0)
		r = ky_peers_get(s.st, argv[2], json ? json_peer : print_peer,
				 &s, &err) != 0;
	else if (strcmp(sub, "remove") == 0)
		r = ky_peers_del(s.st, argv[2], &err) != 0;
	else
		r = ky_peers_pause(s.st, argv[2], strcmp(sub, "pause") == 0,
				   &err) != 0;
	if (r == 1 && err.msg[0])
		ky_cli_error("%s", err.msg);
	else if (r == 0 && (!strcmp(sub, "remove") || !strcmp(sub, "pause") ||
			    !strcmp(sub, "resume")))
		printf("peer %s %s\n", argv[2],
		       !strcmp(sub, "remove")  ? "removed"
		       : !strcmp(sub, "pause") ? "paused"
					       : "resumed");
	return ky_cli_share_close(&s) || r ? (r ? r : 1) : 0;
}

/* ---- policy ------------------------------------------------------------- */

struct peer_copy {
	char name[128], node_id[64], country[8], groups[256];
};

static int copy_peer(void *ud, const struct ky_peer_row *p)
{
	struct peer_copy *c = ud;

	snprintf(c->name, sizeof(c->name), "%s", p->name);
	snprintf(c->node_id, sizeof(c->node_id), "%s", p->node_id);
	snprintf(c->country, sizeof(c->country), "%s",
		 p->country ? p->country : "");
	snprintf(c->groups, sizeof(c->groups), "%s",
		 p->groups ? p->groups : "");
	return 0;
}

struct obj_copy {
	json_t *obj;
	char origin[64];
};

static int copy_obj(void *ud, const struct ky_change *c)
{
	struct obj_copy *o = ud;

	if (c->object)
		o->obj = json_loadb(c->object, c->object_len, 0, NULL);
	snprintf(o->origin, sizeof(o->origin), "%s", c->origin);
	return 0;
}

static int explain(struct ky_cli_share *s, const char *peer, const char *what,
		   bool json)
{
	struct peer_copy pc;
	struct obj_copy oc = {0};
	struct ky_peer_info pi;
	struct ky_err err = {0};
	json_t *ex = json_array(), *out = NULL, *e;
	const char *why = NULL;
	bool changed = false;
	int v;
	size_t i;

	if (ky_peers_get(s->st, peer, copy_peer, &pc, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	if (ky_changes_current(s->st, what, copy_obj, &oc, NULL) != 0 ||
	    oc.obj == NULL) {
		json_error_t je;

		/* not an id we hold: a file with one object */
		if ((oc.obj = json_load_file(what, 0, &je)) == NULL) {
			ky_cli_error("%s: neither an object held here nor a "
				     "readable JSON file (%s)",
				     what, je.text);
			json_decref(ex);
			return 1;
		}
		snprintf(oc.origin, sizeof(oc.origin), "%s", s->node_id);
	}
	pi.name = pc.name;
	pi.node_id = pc.node_id;
	pi.country = pc.country[0] ? pc.country : NULL;
	pi.groups = pc.groups[0] ? pc.groups : NULL;
	v = ky_policy_apply(s->pol, &pi, oc.obj,
			    strcmp(oc.origin, s->node_id) == 0, &out, &changed,
			    &why, ex, &err);
	if (v < 0) {
		ky_cli_error("%s", err.msg);
	} else if (json) {
		json_t *r =
			json_pack("{s:s, s:s, s:s, s:b, s:O, s:O?}", "peer",
				  pc.name, "policy", ky_policy_version(s->pol),
				  "verdict", v ? "sent" : "dropped", "changed",
				  changed, "fields", ex, "as_sent", out);
		char *t = r ? json_dumps(r, JSON_COMPACT) : NULL;

		if (t)
			puts(t);
		free(t);
		json_decref(r);
	} else {
		printf("object  %s\npeer    %s (%s, country %s)\npolicy  "
		       "%s\n",
		       json_string_value(json_object_get(oc.obj, "id")),
		       pc.name, pc.node_id, pc.country[0] ? pc.country : "?",
		       ky_policy_version(s->pol));
		json_array_foreach(ex, i, e)
			printf("%-24s %-14s %s\n",
			       json_string_value(json_object_get(e, "field")),
			       json_string_value(json_object_get(e, "action")),
			       json_string_value(json_object_get(e, "why")));
	}
	json_decref(out);
	json_decref(ex);
	json_decref(oc.obj);
	return v < 0 ? 1 : 0;
}

int ky_cmd_policy(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_cli_share s;
	int r;

	if (argc >= 2 && strcmp(argv[1], "check") == 0) {
		struct ky_policy *p = NULL;
		struct ky_err err = {0};
		char path[4096];
		struct ky_config cfg;

		if (argc >= 3) {
			snprintf(path, sizeof(path), "%s", argv[2]);
		} else {
			if (ky_cli_load_node(cli, &cfg) != 0)
				return 1;
			snprintf(path, sizeof(path), "%s%s%s",
				 cfg.share_policy[0] == '/' ? "" : cfg.home,
				 cfg.share_policy[0] == '/' ? "" : "/",
				 cfg.share_policy);
			ky_config_free(&cfg);
		}
		if (ky_policy_load(path, &p, &err) != 0) {
			ky_cli_error("%s", err.msg);
			return 1;
		}
		printf("%s: policy version %s\n", path, ky_policy_version(p));
		ky_policy_free(p);
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "explain") != 0) {
		ky_cli_error("usage: kyklos policy check [FILE] | explain PEER "
			     "OBJECT-ID|FILE [--json]");
		return 2;
	}
	if (ky_cli_share_open(cli, KY_SHARE_POLICY, &s) != 0) {
		ky_cli_share_close(&s);
		return 1;
	}
	r = explain(&s, argv[2], argv[3],
		    cli->json || (argc > 4 && strcmp(argv[4], "--json") == 0));
	ky_cli_share_close(&s);
	return r;
}
