/* What the sharing commands need of the node: its configuration, store,
 * key (and node id), policy with the circle key, and the ledger that
 * records every object sent or received. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/time.h"
#include "cli/share_ctx.h"
#include "trust/identity.h"

static void node_path(const struct ky_config *cfg, const char *p, char *out,
		      size_t cap)
{
	if (p[0] == '/')
		snprintf(out, cap, "%s", p);
	else
		snprintf(out, cap, "%s/%s", cfg->home, p);
}

/* The circle key: 64 hex digits in a file only its owner may read. */
int ky_cli_circle_key(const struct ky_config *cfg, uint8_t key[32], bool *have)
{
	char path[4096], text[80];
	struct stat sb;
	size_t n;
	FILE *f;

	*have = false;
	node_path(cfg, cfg->share_circle_key, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT
			       ? 0
			       : (ky_cli_error("%s: cannot open", path), 1);
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0) {
		fclose(f);
		ky_cli_error("%s is readable by others (mode %04o): chmod 600 "
			     "it",
			     path, (unsigned)(sb.st_mode & 07777));
		return 1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	if (n != 64) {
		ky_cli_error("%s: expected 64 hex digits", path);
		return 1;
	}
	for (size_t i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(text + 2 * i, "%2x", &v) != 1) {
			ky_cli_error("%s: expected 64 hex digits", path);
			return 1;
		}
		key[i] = (uint8_t)v;
	}
	memset(text, 0, sizeof(text));
	*have = true;
	return 0;
}

int ky_cli_share_open(struct ky_cli *cli, unsigned what, struct ky_cli_share *s)
{
	struct ky_err err = {0};
	char path[4096];
	int r;

	memset(s, 0, sizeof(*s));
	r = ky_cli_open_node_store(cli, (what & KY_SHARE_WRITE) == 0, &s->st,
				   &s->cfg);
	if (r != 0) {
		if (r < 0)
			ky_cli_error("no store yet: start the node or import "
				     "something first");
		return 1;
	}
	s->have_cfg = true;
	if (ky_cli_open_keystore(&s->cfg, &s->ks) != 0)
		return 1;
	ky_identity_node_id(ky_keystore_pubkey(s->ks), s->node_id);
	ky_signer_from_keystore(&s->signer, s->ks, s->node_id);
	s->self.node_id = s->node_id;
	s->self.signer = &s->signer;
	if (what & KY_SHARE_POLICY) {
		uint8_t key[32];
		bool have;

		node_path(&s->cfg, s->cfg.share_policy, path, sizeof(path));
		if (ky_policy_load(path, &s->pol, &err) != 0) {
			ky_cli_error("%s", err.msg);
			return 1;
		}
		if (ky_cli_circle_key(&s->cfg, key, &have) != 0)
			return 1;
		if (have && ky_policy_set_key(s->pol, key, &err) != 0) {
			ky_cli_error("%s", err.msg);
			return 1;
		}
		memset(key, 0, sizeof(key));
	}
	if (what & KY_SHARE_LEDGER) {
		struct ky_ledger_repair rep;

		node_path(&s->cfg, s->cfg.ledger_dir, path, sizeof(path));
		r = ky_ledger_open(path, KY_LEDGER_CREATE, &s->ledger, &rep,
				   &err);
		if (r == KY_E_EXISTS && (what & KY_SHARE_WRITE)) {
			/* kyklos serve holds it: it appends what we leave
			 * in the store */
			s->pending = true;
		} else if (r != 0) {
			ky_cli_error("ledger: %s", err.msg);
			return 1;
		}
	}
	return 0;
}

#define PEND_FLUSH 10000

static int flush_pending(struct ky_cli_share *s)
{
	struct ky_err err = {0};
	int r;

	if (s->npend == 0)
		return 0;
	r = ky_store_begin(s->st, &err);
	for (size_t i = 0; r == 0 && i < s->npend; i++)
		r = ky_ledger_pending_add(s->st, &s->pend[i], &err);
	r = r ? r : ky_store_commit(s->st, &err);
	if (r != 0) {
		ky_store_rollback(s->st);
		ky_cli_error("ledger entries for the daemon: %s", err.msg);
	}
	for (size_t i = 0; i < s->npend; i++) {
		free((char *)s->pend[i].kind);
		free((char *)s->pend[i].peer);
		free((char *)s->pend[i].policy);
	}
	s->npend = 0;
	return r;
}

void ky_cli_share_record(void *ud, const char *kind, const uint8_t sha[32],
			 const char *peer, const char *policy)
{
	struct ky_cli_share *s = ud;
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	uint64_t idx;

	if (s->ledger_failed)
		return;
	if (s->pending) {
		struct ky_pending_entry *pe;

		if (s->pend == NULL &&
		    (s->pend = calloc(PEND_FLUSH, sizeof(*s->pend))) == NULL) {
			s->ledger_failed = true;
			return;
		}
		pe = &s->pend[s->npend++];
		pe->kind = strdup(kind);
		pe->peer = strdup(peer ? peer : "");
		pe->policy = strdup(policy ? policy : "");
		memcpy(pe->sha256, sha, 32);
		pe->time_ns = ky_time_now_ns();
		if (!pe->kind || !pe->peer || !pe->policy ||
		    (s->npend == PEND_FLUSH && flush_pending(s) != 0))
			s->ledger_failed = true;
		return;
	}
	if (s->ledger == NULL)
		return;
	if (ky_ledger_entry_set(&e, kind, sha, peer, policy, ky_time_now_ns(),
				&err) != 0 ||
	    ky_ledger_append(s->ledger, &e, &idx, &err) != 0) {
		ky_cli_error("ledger: %s", err.msg);
		s->ledger_failed = true;
	}
}

int ky_cli_share_close(struct ky_cli_share *s)
{
	struct ky_err err = {0};
	int r = s->ledger_failed ? 1 : 0;

	if (s->pending && flush_pending(s) != 0)
		r = 1;
	free(s->pend);
	if (s->ledger != NULL && ky_ledger_sync(s->ledger, &err) != 0) {
		ky_cli_error("ledger: %s", err.msg);
		r = 1;
	}
	ky_ledger_close(s->ledger);
	ky_policy_free(s->pol);
	ky_keystore_close(s->ks);
	ky_store_close(s->st);
	if (s->have_cfg)
		ky_config_free(&s->cfg);
	memset(s, 0, sizeof(*s));
	return r;
}
