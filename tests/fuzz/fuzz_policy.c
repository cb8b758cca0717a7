/* libFuzzer target for sharing policies (YAML read into a tree with
 * positions, then checked): any input loads or is refused with a message;
 * a policy that loads is applied to a fixed object for a fixed peer, and
 * what it lets through is still a valid STIX object. */
#include <stdint.h>
#include <string.h>

#include "intel/stix.h"
#include "share/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = {7};
	struct ky_stix_ctx c = {"kyfuzzfuzzfuzzfuzzfuzzfu", "F",
				1795000000000000000LL};
	struct ky_peer_info pi = {"peer", "kynode", "DE", "national"};
	struct ky_policy *p = NULL;
	struct ky_err err = {0};
	json_t *o, *out = NULL, *ex;
	const char *why;
	bool changed;

	if (ky_policy_parse((const char *)data, size, "fuzz.yaml", &p, &err) !=
	    0) {
		if (err.msg[0] == '\0')
			__builtin_trap();
		return 0;
	}
	ky_policy_set_key(p, key, &err);
	o = ky_stix_indicator(&c, KY_IOC_IP, "192.0.2.1", 60, KY_TLP_AMBER,
			      c.now_ns, &err);
	json_object_set_new(o, "x_kyklos_users", json_pack("[s]", "bob"));
	ex = json_array();
	if (ky_policy_apply(p, &pi, o, false, &out, &changed, &why, ex, &err) ==
		    1 &&
	    ky_stix_check(out, &err) != 0)
		__builtin_trap();
	json_decref(out);
	json_decref(ex);
	json_decref(o);
	ky_policy_free(p);
	return 0;
}
