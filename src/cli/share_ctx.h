/* The node as the sharing commands use it (cli/share_ctx.c). */
#ifndef KY_CLI_SHARE_CTX_H
#define KY_CLI_SHARE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "base/config.h"
#include "cli/cli.h"
#include "ledger/log.h"
#include "share/batch.h"
#include "share/policy.h"
#include "store/share.h"
#include "trust/identity.h"
#include "trust/keystore.h"

#define KY_SHARE_WRITE 0x1  /* the store opened for writing */
#define KY_SHARE_POLICY 0x2 /* the policy loaded, with the circle key */
#define KY_SHARE_LEDGER 0x4 /* the ledger opened to record */

struct ky_cli_share {
	struct ky_config cfg;
	bool have_cfg;
	struct ky_store *st;
	struct ky_keystore *ks;
	struct ky_signer signer;
	struct ky_share_self self;
	char node_id[KY_NODE_ID_LEN + 1];
	struct ky_policy *pol;
	struct ky_ledger *ledger;
	bool ledger_failed;
	/* the daemon holds the ledger: entries wait in the store for it */
	bool pending;
	struct ky_pending_entry *pend;
	size_t npend;
	char *pend_text; /* kind/peer/policy strings of pend */
	size_t pend_text_len;
};

/* Opens what `what` asks for; prints the error and returns 1 on failure
 * (ky_cli_share_close must still be called). */
int ky_cli_share_open(struct ky_cli *cli, unsigned what,
		      struct ky_cli_share *s);
/* A ky_batch_record_fn appending to the ledger (ud: the ky_cli_share). */
void ky_cli_share_record(void *ud, const char *kind, const uint8_t sha[32],
			 const char *peer, const char *policy);
/* Syncs the ledger and frees; 1 when recording failed. */
int ky_cli_share_close(struct ky_cli_share *s);
/* share.circle_key: *have false when the file does not exist. */
int ky_cli_circle_key(const struct ky_config *cfg, uint8_t key[32], bool *have);

#endif
