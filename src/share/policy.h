/* The sharing policy (docs/policy.md): per peer or group of peers, what may
 * leave this node and in what form.  Applied to every object before it is
 * serialised for a peer, on every path (sync, relay, bundles, TAXII); the
 * same code explains, field by field, what it would do. */
#ifndef KY_SHARE_POLICY_H
#define KY_SHARE_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct ky_policy;

/* Who an object would go to. */
struct ky_peer_info {
	const char *name;    /* local name of the peer */
	const char *node_id; /* its node id */
	const char *country; /* ISO 3166-1 alpha-2 ("EL" for Greece), or NULL */
	const char *groups;  /* comma-separated group names, or NULL */
};

/* Loads a policy file (YAML), or parses text; errors name file:line:col. */
int ky_policy_load(const char *path, struct ky_policy **out,
		   struct ky_err *err);
int ky_policy_parse(const char *text, size_t n, const char *name,
		    struct ky_policy **out, struct ky_err *err);
void ky_policy_free(struct ky_policy *p);

/* The version recorded with everything sent: "<version>:<first 12 hex of
 * the SHA-256 of the file>", so an edit without a version bump still
 * shows. */
const char *ky_policy_version(const struct ky_policy *p);

/* The circle's 32-byte pseudonymisation key (Crypto-PAn and HMAC tokens).
 * Without it, a rule that pseudonymises drops the fields instead. */
int ky_policy_set_key(struct ky_policy *p, const uint8_t key[32],
		      struct ky_err *err);

/* Objects per minute the policy allows towards peer (0: no limit). */
unsigned ky_policy_rate(const struct ky_policy *p,
			const struct ky_peer_info *peer);

/* Applies the policy for peer to obj.  origin_self: this node created the
 * object (RED and AMBER+STRICT are never relayed).  Returns 1 and *out (new
 * reference; *changed tells whether it differs from obj) when the object
 * may leave, 0 when it may not (*why says why), or a negative code.  When
 * explain is an array, one entry per decision is appended:
 * {"field": F, "action": "kept|removed|pseudonymised|dropped", "why": W}. */
int ky_policy_apply(struct ky_policy *p, const struct ky_peer_info *peer,
		    const json_t *obj, bool origin_self, json_t **out,
		    bool *changed, const char **why, json_t *explain,
		    struct ky_err *err);

/* Only the rule, type and marking checks (for deletions, which carry no
 * object): 1 may pass, 0 may not (*why). */
int ky_policy_gate(struct ky_policy *p, const struct ky_peer_info *peer,
		   const char *type, int tlp, bool origin_self,
		   const char **why);

/* The HMAC token of a user, host or e-mail value under key: "u-", "h-" or
 * "e-" and 16 hex digits (e-mail: followed by "@pseudonym.invalid"). */
#define KY_PSEUDONYM_MAX 64
void ky_pseudonym_token(const uint8_t key[32], char kind, const char *value,
			char out[KY_PSEUDONYM_MAX]);

#endif
