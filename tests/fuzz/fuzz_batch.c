/* libFuzzer target for what peers send: the input is a sync batch (lines
 * fed to ky_batch_in, staged in a real store and rolled back) or, when the
 * first byte is 'Z', an offline bundle (a zstd stream through
 * ky_bundle_import).  Nothing may crash, leak or be committed without a
 * verified trailer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/bundle.h"
#include "trust/identity.h"
#include "trust/keystore.h"

static struct ky_store *st;
static struct ky_keystore *ks;
static struct ky_signer sg;
static struct ky_share_self self;
static char node_id[KY_NODE_ID_LEN + 1], pk[KY_PUBKEY_TEXT_MAX];

static void init(void)
{
	char dir[] = "/tmp/kyklos-fuzz-batch-XXXXXX", path[128];
	struct ky_keystore_opts o = {0};
	struct ky_peer_row row = {0};
	struct ky_err err = {0};

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/k.key", dir);
	o.backend = KY_KS_FILE;
	o.key_path = path;
	if (ky_keystore_generate(&o, KY_ALG_ED25519, &ks, &err) != 0)
		abort();
	ky_identity_node_id(ky_keystore_pubkey(ks), node_id);
	ky_pubkey_format(ky_keystore_pubkey(ks), pk);
	ky_signer_from_keystore(&sg, ks, node_id);
	self.node_id = node_id;
	self.signer = &sg;
	snprintf(path, sizeof(path), "%s/s.db", dir);
	if (ky_store_open(&st, path, 0, 1000, &err) != 0)
		abort();
	/* the node is its own pinned peer: batches "from" it verify with
	 * the key the fuzzer cannot sign with */
	row.name = "self";
	row.node_id = "kyfuzzpeerfuzzpeerfuzzpee";
	row.pubkey = pk;
	row.added_ns = 1;
	if (ky_peers_put(st, &row, &err) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_peer_row sender = {.name = "self",
				     .node_id = "kyfuzzpeerfuzzpeerfuzzpee"};
	struct ky_batch_result res;
	struct ky_batch_in *b = NULL;
	struct ky_err err = {0};
	const char *p = (const char *)data, *end = p + size;
	int r;

	if (st == NULL)
		init();
	sender.pubkey = pk;
	if (size > 0 && data[0] == 'Z') {
		struct ky_bundle_stats bs;
		FILE *f = fmemopen((void *)(data + 1), size - 1, "rb");

		if (f != NULL) {
			ky_bundle_import(st, &self, f, "fuzz", NULL, NULL, &bs,
					 &err);
			fclose(f);
		}
		return 0;
	}
	if (ky_store_begin(st, &err) != 0)
		abort();
	r = ky_batch_in_new(st, &self, &sender, &b, &err);
	while (r == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		r = ky_batch_in_line(b, p, n, &err);
		p += n;
	}
	/* no valid signature can be forged here: finish must refuse */
	if (r == 0 && ky_batch_in_finish(b, &res, &err) == 0)
		__builtin_trap();
	ky_batch_in_free(b);
	ky_store_rollback(st);
	return 0;
}
