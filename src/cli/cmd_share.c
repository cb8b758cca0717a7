/* kyklos bundle: offline bundles for disconnected peers; kyklos share:
 * publish STIX objects as this node's, list what the node holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "cli/share_ctx.h"
#include "intel/stix.h"
#include "share/bundle.h"

struct peer_full {
	char name[128], node_id[64], pubkey[160], country[8], groups[256];
	char url[512];
};

static int copy_full(void *ud, const struct ky_peer_row *p)
{
	struct peer_full *c = ud;

	snprintf(c->name, sizeof(c->name), "%s", p->name);
	snprintf(c->node_id, sizeof(c->node_id), "%s", p->node_id);
	snprintf(c->pubkey, sizeof(c->pubkey), "%s", p->pubkey);
	snprintf(c->country, sizeof(c->country), "%s",
		 p->country ? p->country : "");
	snprintf(c->groups, sizeof(c->groups), "%s",
		 p->groups ? p->groups : "");
	snprintf(c->url, sizeof(c->url), "%s", p->url ? p->url : "");
	return 0;
}

static int bundle_export(struct ky_cli_share *s, const char *peer,
			 const char *since, const char *outp)
{
	struct ky_bundle_stats st;
	struct ky_peer_row row = {0};
	struct peer_full pf;
	struct ky_err err = {0};
	int64_t seq = 0, after = 0;
	char tmp[4200];
	FILE *f;
	int r;

	if (ky_peers_get(s->st, peer, copy_full, &pf, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	if (ky_peer_state_get(s->st, pf.name, "bundle_out", &seq, &err) != 0 ||
	    ky_peer_state_get(s->st, pf.name, "bundle_cursor", &after, &err)) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	if (since != NULL) {
		char *end;

		after = strtoll(since, &end, 10);
		if (*since == '\0' || *end != '\0' || after < 0) {
			ky_cli_error("--since %s: expected a change number",
				     since);
			return 2;
		}
	}
	row.name = pf.name;
	row.node_id = pf.node_id;
	row.pubkey = pf.pubkey;
	row.country = pf.country[0] ? pf.country : NULL;
	row.groups = pf.groups[0] ? pf.groups : NULL;
	/* written beside the target and renamed: a bundle file is either
	 * whole or absent */
	snprintf(tmp, sizeof(tmp), "%s.part", outp);
	if ((f = fopen(tmp, "wb")) == NULL) {
		ky_cli_error("%s: cannot create", tmp);
		return 1;
	}
	r = ky_bundle_export(s->st, s->pol, &s->self, &row, after, seq + 1,
			     (size_t)s->cfg.share_batch_limit, f,
			     ky_cli_share_record, s, &st, &err);
	if (fclose(f) != 0 && r == 0)
		r = ky_err_set(&err, KY_E_IO, "%s: write failed", tmp);
	if (r == 0 && rename(tmp, outp) != 0)
		r = ky_err_set(&err, KY_E_IO, "%s: cannot rename", outp);
	if (r != 0) {
		remove(tmp);
		ky_cli_error("%s", err.msg);
		return 1;
	}
	if (ky_store_begin(s->st, &err) != 0 ||
	    ky_peer_state_put(s->st, pf.name, "bundle_out", seq + 1, &err) ||
	    ky_peer_state_put(s->st, pf.name, "bundle_cursor", st.last, &err) ||
	    ky_store_commit(s->st, &err) != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	printf("bundle %lld for %s: %zu objects (%zu held back by policy "
	       "%s), changes %lld-%lld, %zu bytes -> %s\n",
	       (long long)(seq + 1), pf.name, st.sent, st.dropped,
	       ky_policy_version(s->pol), (long long)after + 1,
	       (long long)st.last, st.bytes, outp);
	return 0;
}

static int bundle_import(struct ky_cli_share *s, const char *path)
{
	struct ky_bundle_stats st;
	struct ky_err err = {0};
	FILE *f = fopen(path, "rb");
	int r;

	if (f == NULL) {
		ky_cli_error("%s: cannot open", path);
		return 1;
	}
	r = ky_bundle_import(s->st, &s->self, f, path, ky_cli_share_record, s,
			     &st, &err);
	fclose(f);
	if (r != 0) {
		ky_cli_error("%s", err.msg);
		return 1;
	}
	printf("bundle %lld from %s: %zu added, %zu already held, %zu "
	       "older than held, %zu refused\n",
	       (long long)st.seq, st.peer, st.sent, st.duplicate, st.stale,
	       st.refused);
	return 0;
}

int ky_cmd_bundle(struct ky_cli *cli, int argc, char **argv)
{
	const char *peer = NULL, *since = NULL, *out = NULL;
	struct ky_cli_share s;
	int r;

	if (argc == 3 && strcmp(argv[1], "import") == 0) {
		if (ky_cli_share_open(cli, KY_SHARE_WRITE | KY_SHARE_LEDGER,
				      &s) != 0) {
			ky_cli_share_close(&s);
			return 1;
		}
		r = bundle_import(&s, argv[2]);
		return ky_cli_share_close(&s) || r;
	}
	for (int i = 2; argc > 1 && strcmp(argv[1], "export") == 0 && i < argc;
	     i++) {
		if (strcmp(argv[i], "--peer") == 0 && i + 1 < argc)
			peer = argv[++i];
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			since = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else
			peer = out = NULL, i = argc;
	}
	if (peer == NULL || out == NULL) {
		ky_cli_error("usage: kyklos bundle export --peer NAME [--since "
			     "CHANGE] -o FILE | import FILE");
		return 2;
	}
	if (ky_cli_share_open(
		    cli, KY_SHARE_WRITE | KY_SHARE_POLICY | KY_SHARE_LEDGER,
		    &s) != 0) {
		ky_cli_share_close(&s);
		return 1;
	}
	r = bundle_export(&s, peer, since, out);
	return ky_cli_share_close(&s) || r;
}

/* ---- share publish / objects ------------------------------------------- */

static int publish_file(struct ky_cli_share *s, const char *path, size_t *added,
			size_t *total)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *list;
	struct ky_err err = {0};
	json_t **objs;
	size_t n, i, a = 0;
	int r;

	if (j == NULL) {
		ky_cli_error("%s:%d:%d: %s", path, je.line, je.column, je.text);
		return 1;
	}
	list = json_is_array(json_object_get(j, "objects"))
		       ? json_object_get(j, "objects")
		       : NULL;
	n = list ? json_array_size(list) : 1;
	if ((objs = calloc(n ? n : 1, sizeof(*objs))) == NULL) {
		json_decref(j);
		return 1;
	}
	for (i = 0; i < n; i++) {
		objs[i] = list ? json_array_get(list, i) : j;
		if (ky_stix_check(objs[i], &err) != 0) {
			ky_cli_error("%s: object %zu: %s", path, i, err.msg);
			free(objs);
			json_decref(j);
			return 1;
		}
	}
	r = ky_store_begin(s->st, &err);
	r = r ? r
	      : ky_share_publish(s->st, &s->self, objs, n, ky_time_now_ns(), &a,
				 &err);
	r = r ? r : ky_store_commit(s->st, &err);
	if (r != 0) {
		ky_store_rollback(s->st);
		ky_cli_error("%s: %s", path, err.msg);
	}
	*added += a;
	*total += n;
	free(objs);
	json_decref(j);
	return r != 0;
}

static int list_obj(void *ud, const struct ky_change *c)
{
	bool json = *(bool *)ud;

	if (json)
		printf("%.*s\n", (int)c->object_len, c->object);
	else
		printf("%-6lld %-62s %-25s %s\n", (long long)c->seq, c->id,
		       c->modified[0] ? c->modified : "-", c->origin);
	return 0;
}

/* `share compact [--older-than DAYS]`: what the daemon does every hour
 * with share.retention, now (0 days: every superseded version). */
static int share_compact(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_cli_share s;
	struct ky_err err = {0};
	int64_t days = -1;
	size_t total = 0;
	char *end;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--older-than") == 0 && i + 1 < argc) {
			days = strtoll(argv[++i], &end, 10);
			if (*end || days < 0 || days > 36500) {
				ky_cli_error("--older-than %s: days, 0 to "
					     "36500",
					     argv[i]);
				return 2;
			}
		} else {
			ky_cli_error("usage: kyklos share compact "
				     "[--older-than DAYS]");
			return 2;
		}
	}
	if (ky_cli_share_open(cli, KY_SHARE_WRITE, &s) != 0) {
		ky_cli_share_close(&s);
		return 1;
	}
	if (days < 0)
		days = s.cfg.share_retention;
	if (ky_changes_compact_all(
		    s.st, ky_time_now_ns() - days * 86400 * 1000000000LL,
		    &total, &err) != 0) {
		ky_cli_error("%s", err.msg);
		ky_cli_share_close(&s);
		return 1;
	}
	printf("%zu superseded versions older than %lld days removed from "
	       "the change log\n",
	       total, (long long)days);
	return ky_cli_share_close(&s);
}

int ky_cmd_share(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_cli_share s;
	struct ky_err err = {0};
	bool json = cli->json;
	const char *type = NULL;
	size_t added = 0, total = 0;
	int r = 0;

	if (argc < 2 ||
	    (strcmp(argv[1], "publish") && strcmp(argv[1], "objects") &&
	     strcmp(argv[1], "compact")) ||
	    (strcmp(argv[1], "publish") == 0 && argc < 3)) {
		ky_cli_error("usage: kyklos share publish FILE... | objects "
			     "[--type T] [--json] | compact [--older-than "
			     "DAYS]");
		return 2;
	}
	if (strcmp(argv[1], "compact") == 0)
		return share_compact(cli, argc, argv);
	if (ky_cli_share_open(
		    cli, strcmp(argv[1], "publish") == 0 ? KY_SHARE_WRITE : 0,
		    &s) != 0) {
		ky_cli_share_close(&s);
		return 1;
	}
	if (strcmp(argv[1], "publish") == 0) {
		for (int i = 2; i < argc && r == 0; i++)
			r = publish_file(&s, argv[i], &added, &total);
		if (r == 0)
			printf("%zu objects published (%zu new versions)\n",
			       total, added);
	} else {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--json") == 0)
				json = true;
			else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc)
				type = argv[++i];
		if (ky_changes_objects(s.st, type, list_obj, &json, &err) !=
		    0) {
			ky_cli_error("%s", err.msg);
			r = 1;
		}
	}
	return ky_cli_share_close(&s) || r;
}
