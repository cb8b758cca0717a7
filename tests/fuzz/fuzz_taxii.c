/* libFuzzer target for TAXII 2.1 requests: the input is split at newlines
 * into method, path, query, Accept, Content-Type, Authorization and body,
 * and handed to the server's handler over a real store holding one client
 * ("c", token "t") and a few objects.  Any request gets a status and a
 * JSON body; nothing crashes or leaks. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/taxii.h"
#include "intel/stix.h"
#include "store/taxii.h"
#include "trust/identity.h"
#include "trust/keystore.h"

static struct ky_store *st;
static struct ky_keystore *ks;
static struct ky_signer sg;
static struct ky_share_self self;
static struct ky_policy *pol;
static struct ky_taxii *tx;
static char node_id[KY_NODE_ID_LEN + 1];

static void init(void)
{
	static const char policy[] = "version: 1\nrules:\n  - match: [c]\n"
				     "    tlp_max: amber\n";
	char dir[] = "/tmp/kyklos-fuzz-taxii-XXXXXX", path[128];
	struct ky_keystore_opts o = {0};
	struct ky_taxii_client c = {0};
	struct ky_taxii_conf tc = {0};
	struct ky_err err = {0};
	struct ky_stix_ctx sc;
	json_t *objs[3];
	unsigned int n = 0;
	size_t added;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/k.key", dir);
	o.backend = KY_KS_FILE;
	o.key_path = path;
	if (ky_keystore_generate(&o, KY_ALG_ED25519, &ks, &err) != 0)
		abort();
	ky_identity_node_id(ky_keystore_pubkey(ks), node_id);
	ky_signer_from_keystore(&sg, ks, node_id);
	self.node_id = node_id;
	self.signer = &sg;
	snprintf(path, sizeof(path), "%s/s.db", dir);
	if (ky_store_open(&st, path, 0, 1000, &err) != 0 ||
	    ky_policy_parse(policy, strlen(policy), "p", &pol, &err) != 0)
		abort();
	c.name = "c";
	c.can_write = true;
	EVP_Digest("t", 1, c.token, &n, EVP_sha256(), NULL);
	sc.node_id = node_id;
	sc.node_name = "f";
	sc.now_ns = 1795000000000000000LL;
	objs[0] = ky_stix_indicator(&sc, KY_IOC_IP, "192.0.2.1", 50,
				    KY_TLP_GREEN, sc.now_ns, &err);
	objs[1] = ky_stix_indicator(&sc, KY_IOC_DOMAIN, "a.example", 50,
				    KY_TLP_RED, sc.now_ns, &err);
	objs[2] = ky_stix_vulnerability(&sc, "CVE-2024-1", "x", KY_TLP_CLEAR,
					&err);
	if (ky_taxii_client_put(st, &c, &err) != 0 ||
	    ky_store_begin(st, &err) != 0 ||
	    ky_share_publish(st, &self, objs, 3, sc.now_ns, &added, &err) ||
	    ky_store_commit(st, &err) != 0)
		abort();
	for (int i = 0; i < 3; i++)
		json_decref(objs[i]);
	tc.node_id = node_id;
	tc.base_url = "https://127.0.0.1:1";
	tc.max_content_length = 1 << 16;
	if (ky_taxii_new(&tx, &tc, st, pol, &self, &err) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *f[7] = {NULL}, *p;
	struct ky_taxii_req req = {0};
	struct ky_taxii_resp resp;
	int nf = 0;

	if (buf == NULL)
		return 0;
	if (st == NULL)
		init();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; nf < 6 && p; nf++) {
		f[nf] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	f[6] = p;
	req.method = f[0] ? f[0] : "GET";
	req.path = f[1];
	req.query = f[2];
	req.accept = f[3];
	req.content_type = f[4];
	/* a valid login most of the time, so the handler gets past it */
	req.authorization = f[5] && *f[5] ? f[5] : "Basic Yzp0";
	req.body = f[6];
	req.body_len = f[6] ? strlen(f[6]) : 0;
	ky_taxii_handle(tx, &req, &resp);
	if (resp.status < 200 || resp.status > 599 || resp.body.len == 0)
		__builtin_trap();
	ky_buf_free(&resp.body);
	free(buf);
	return 0;
}
