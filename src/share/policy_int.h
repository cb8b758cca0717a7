/* Private to share/policy*.c: the loaded form of a policy. */
#ifndef KY_SHARE_POLICY_INT_H
#define KY_SHARE_POLICY_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "share/cryptopan.h"
#include "share/policy.h"

enum pd_class { PD_ADDR, PD_USER, PD_HOST, PD_EMAIL, PD_N };
enum pd_mode { PD_KEEP, PD_PSEUDO, PD_REMOVE };

extern const char *const ky__pd_names[PD_N];

struct rule {
	json_t *match;	 /* array of strings */
	int tlp_max;	 /* enum ky_tlp */
	json_t *types;	 /* array of strings, or NULL: every type */
	int min_conf;	 /* 0-100 */
	json_t *redact;	 /* array of property names, or NULL */
	int pd[PD_N];	 /* enum pd_mode */
	unsigned rate;	 /* objects per minute, 0 unlimited */
	char where[300]; /* file:line:col of the rule, for explain */
};

struct ky_policy {
	char version[64];
	int default_tlp;
	json_t *pd_countries; /* expanded to codes */
	struct rule *rules;
	size_t nrules;
	struct ky_cryptopan *cp;
	uint8_t hkey[32];
	char sco_ns[37]; /* namespace of pseudonymised SCO ids */
	bool keyed;
};

/* HMAC-SHA-256(key, label NUL value). */
void ky__policy_hmac(const uint8_t key[32], const char *label, const char *v,
		     unsigned char out[32]);

#endif
