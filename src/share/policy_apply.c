/* Applying the sharing policy to one object for one peer (share/policy.h):
 * the rule, the type, TLP, confidence, redaction, and personal data by
 * jurisdiction and pseudonymisation.  Every decision can be explained. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/stix.h"
#include "share/policy_int.h"

struct ctx {
	struct ky_policy *p;
	const struct rule *ru;
	const struct ky_peer_info *peer;
	json_t *notes; /* field -> [action, why] */
	const char *why;
	char whybuf[400];
	int mode[PD_N];
	const char *pd_why[PD_N];
};

static bool in_list(const json_t *list, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (strcmp(json_string_value(v), s) ==
					   0) return true;
	return false;
}

static bool in_csv(const char *csv, const char *s, size_t n)
{
	for (const char *p = csv; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool matches(const struct rule *ru, const struct ky_peer_info *peer)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ru->match, i, v)
	{
		const char *m = json_string_value(v);

		if (strcmp(m, "*") == 0 ||
		    (peer->name && strcmp(m, peer->name) == 0) ||
		    (peer->node_id && strcmp(m, peer->node_id) == 0) ||
		    (strncmp(m, "group:", 6) == 0 &&
		     in_csv(peer->groups, m + 6, strlen(m + 6))) ||
		    (strncmp(m, "country:", 8) == 0 && peer->country &&
		     strcmp(m + 8, peer->country) == 0))
			return true;
	}
	return false;
}

static const struct rule *find_rule(const struct ky_policy *p,
				    const struct ky_peer_info *peer)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (matches(&p->rules[i], peer))
			return &p->rules[i];
	return NULL;
}

unsigned ky_policy_rate(const struct ky_policy *p,
			const struct ky_peer_info *peer)
{
	const struct rule *ru = find_rule(p, peer);

	return ru ? ru->rate : 0;
}

static void note(struct ctx *c, const char *field, const char *action,
		 const char *why)
{
	if (c->notes != NULL)
		json_object_set_new(c->notes, field,
				    json_pack("[s,s]", action, why));
}

static int drop(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int drop(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->whybuf, sizeof(c->whybuf), fmt, ap);
	va_end(ap);
	c->why = c->whybuf;
	return 0;
}

/* SCO types that are personal data, the class and the properties. */
static const struct {
	const char *type;
	int cls;
	const char *props[3];
} pd_scos[] = {
	{"ipv4-addr", PD_ADDR, {"value"}},
	{"ipv6-addr", PD_ADDR, {"value"}},
	{"user-account", PD_USER, {"user_id", "account_login", "display_name"}},
	{"email-addr", PD_EMAIL, {"value", "display_name"}},
};
/* top-level properties of ours that are personal data */
static const struct {
	const char *prop;
	int cls;
} pd_props[] = {
	{"x_kyklos_addresses", PD_ADDR},
	{"x_kyklos_users", PD_USER},
	{"x_kyklos_hosts", PD_HOST},
};

static int sco_class(const char *type, size_t n)
{
	for (size_t i = 0; i < sizeof(pd_scos) / sizeof(pd_scos[0]); i++)
		if (strlen(pd_scos[i].type) == n &&
		    strncmp(pd_scos[i].type, type, n) == 0)
			return (int)i;
	return -1;
}

/* A pseudonym for one value of class cls; NULL when it has none (an
 * address that is not one).  Returns a new JSON string. */
static json_t *pseudonym(struct ctx *c, int cls, const char *v)
{
	char out[KY_PSEUDONYM_MAX > KY_ADDR_TEXT + 8 ? KY_PSEUDONYM_MAX
						     : KY_ADDR_TEXT + 8];
	static const char kinds[PD_N] = {'a', 'u', 'h', 'e'};

	if (cls == PD_ADDR) {
		char addr[KY_ADDR_TEXT], pa[KY_ADDR_TEXT];
		const char *slash = strchr(v, '/');
		size_t n = slash ? (size_t)(slash - v) : strlen(v);

		/* a range keeps its length: prefix preservation makes the
		 * pseudonymised range the image of the range */
		if (n >= sizeof(addr))
			return NULL;
		memcpy(addr, v, n);
		addr[n] = '\0';
		if (ky_cryptopan_text(c->p->cp, addr, pa, NULL) != 0)
			return NULL;
		snprintf(out, sizeof(out), "%s%s", pa, slash ? slash : "");
		return json_string(out);
	}
	ky_pseudonym_token(c->p->hkey, kinds[cls], v, out);
	return json_string(out);
}

/* The id a pseudonymised SCO gets: keyed, so the receiver cannot test
 * guesses against it (the STIX-deterministic id of a value can be). */
static json_t *pseudo_id(struct ctx *c, const char *id)
{
	const char *sep = strstr(id, "--");
	char u[37], out[KY_STIX_ID_MAX + 200];

	ky_stix_uuid5(c->p->sco_ns, id, strlen(id), u);
	snprintf(out, sizeof(out), "%.*s--%s", (int)(sep - id), id, u);
	return json_string(out);
}

/* Personal-data SCO: removed, pseudonymised or kept whole. */
static int apply_sco(struct ctx *c, json_t *o, int k)
{
	int cls = pd_scos[k].cls;

	if (c->mode[cls] == PD_REMOVE)
		return drop(c, "personal data (%s): %s", ky__pd_names[cls],
			    c->pd_why[cls]);
	if (c->mode[cls] == PD_KEEP)
		return 1;
	for (int i = 0; i < 3 && pd_scos[k].props[i]; i++) {
		const char *f = pd_scos[k].props[i];
		const char *v = json_string_value(json_object_get(o, f));
		json_t *ps;

		if (v == NULL)
			continue;
		if ((ps = pseudonym(c, cls, v)) == NULL) {
			json_object_del(o, f);
			note(c, f, "removed",
			     "not an address: cannot be "
			     "pseudonymised");
			continue;
		}
		json_object_set_new(o, f, ps);
		note(c, f, "pseudonymised",
		     cls == PD_ADDR ? "Crypto-PAn (prefix-preserving)"
				    : "HMAC token");
	}
	json_object_set_new(
		o, "id",
		pseudo_id(c, json_string_value(json_object_get(o, "id"))));
	note(c, "id", "pseudonymised", "keyed id of the pseudonymised value");
	return 1;
}

static void apply_props(struct ctx *c, json_t *o)
{
	for (size_t i = 0; i < sizeof(pd_props) / sizeof(pd_props[0]); i++) {
		const char *f = pd_props[i].prop;
		int cls = pd_props[i].cls;
		json_t *a = json_object_get(o, f), *na, *v;
		size_t k;

		if (a == NULL || c->mode[cls] == PD_KEEP)
			continue;
		if (c->mode[cls] == PD_REMOVE || !json_is_array(a)) {
			json_object_del(o, f);
			note(c, f, "removed", c->pd_why[cls]);
			continue;
		}
		na = json_array();
		json_array_foreach(a, k, v)
		{
			json_t *ps = json_is_string(v)
					     ? pseudonym(c, cls,
							 json_string_value(v))
					     : NULL;

			if (ps != NULL)
				json_array_append_new(na, ps);
		}
		if (json_array_size(na) == 0) {
			json_decref(na);
			json_object_del(o, f);
			note(c, f, "removed", "nothing could be pseudonymised");
			continue;
		}
		json_object_set_new(o, f, na);
		note(c, f, "pseudonymised",
		     cls == PD_ADDR ? "Crypto-PAn (prefix-preserving)"
				    : "HMAC tokens");
	}
}

/* References to personal-data SCOs follow what happened to them. */
static int apply_refs(struct ctx *c, json_t *o, const char *f)
{
	json_t *a = json_object_get(o, f), *na, *v;
	bool touched = false;
	size_t i;

	if (!json_is_array(a))
		return 1;
	na = json_array();
	json_array_foreach(a, i, v)
	{
		const char *id = json_string_value(v);
		const char *sep = id ? strstr(id, "--") : NULL;
		int k = sep ? sco_class(id, (size_t)(sep - id)) : -1;
		int mode = k >= 0 ? c->mode[pd_scos[k].cls] : PD_KEEP;

		if (mode == PD_KEEP)
			json_array_append(na, v);
		else if (mode == PD_PSEUDO)
			json_array_append_new(na, pseudo_id(c, id));
		touched |= mode != PD_KEEP;
	}
	if (touched)
		note(c, f, "pseudonymised",
		     "references to personal data follow it");
	if (json_array_size(na) == 0) {
		json_decref(na);
		return drop(c,
			    "%s: every reference is to personal data this "
			    "peer may not receive",
			    f);
	}
	json_object_set_new(o, f, na);
	return 1;
}

static bool required(const char *type, const char *f)
{
	static const char *const core[] = {"type", "id", "spec_version",
					   "created", "modified"};
	bool req = false;

	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		if (strcmp(core[i], f) == 0)
			return true;
	/* what ky_stix_check requires is what the object cannot lose */
	{
		static const char *const per[][2] = {
			{"indicator", "pattern"},
			{"indicator", "pattern_type"},
			{"indicator", "valid_from"},
			{"sighting", "sighting_of_ref"},
			{"observed-data", "first_observed"},
			{"observed-data", "last_observed"},
			{"observed-data", "number_observed"},
			{"observed-data", "object_refs"},
			{"relationship", "relationship_type"},
			{"relationship", "source_ref"},
			{"relationship", "target_ref"},
			{"note", "content"},
			{"note", "object_refs"},
			{"report", "name"},
			{"report", "published"},
			{"report", "object_refs"},
			{"incident", "name"},
			{"vulnerability", "name"},
			{"identity", "name"},
		};
		for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++)
			if (strcmp(per[i][0], type) == 0 &&
			    strcmp(per[i][1], f) == 0)
				req = true;
	}
	return req;
}

static void explain_out(struct ctx *c, const json_t *obj, json_t *explain,
			int verdict)
{
	const char *k;
	json_t *v;

	if (explain == NULL)
		return;
	json_array_append_new(
		explain,
		json_pack("{s:s, s:s, s:s}", "field", "*", "action",
			  verdict ? "sent" : "dropped", "why",
			  verdict ? (c->ru ? c->ru->where : "") : c->why));
	if (!verdict)
		return;
	json_object_foreach((json_t *)obj, k, v)
	{
		json_t *n = json_object_get(c->notes, k);

		json_array_append_new(
			explain,
			json_pack("{s:s, s:s, s:s}", "field", k, "action",
				  n ? json_string_value(json_array_get(n, 0))
				    : "kept",
				  "why",
				  n ? json_string_value(json_array_get(n, 1))
				    : "allowed by the rule"));
	}
}

/* The checks that need only the type, the marking and the confidence. */
static int gate(struct ctx *c, const char *type, const json_t *obj,
		bool origin_self)
{
	struct ky_policy *p = c->p;
	const struct ky_peer_info *peer = c->peer;
	const json_t *conf = json_object_get(obj, "confidence");
	int tlp;

	if ((c->ru = find_rule(p, peer)) == NULL)
		return drop(c,
			    "no rule of the policy matches peer %s "
			    "(nothing leaves without one)",
			    peer->name);
	if (c->ru->types && strcmp(type, "marking-definition") != 0 &&
	    !in_list(c->ru->types, type) &&
	    !(sco_class(type, strlen(type)) >= 0 &&
	      in_list(c->ru->types, "observed-data")))
		return drop(c, "type %s is not in the types of the rule at %s",
			    type, c->ru->where);
	tlp = (int)ky_stix_tlp_of(obj);
	if (tlp == KY_TLP_UNSET)
		tlp = p->default_tlp;
	if (tlp > c->ru->tlp_max)
		return drop(c,
			    "TLP:%s is above what the rule at %s allows "
			    "(TLP:%s)",
			    ky_tlp_name((enum ky_tlp)tlp), c->ru->where,
			    ky_tlp_name((enum ky_tlp)c->ru->tlp_max));
	if ((tlp == KY_TLP_RED || tlp == KY_TLP_AMBER_STRICT) && !origin_self)
		return drop(c,
			    "TLP:%s is never relayed: only its origin "
			    "gives it to named recipients",
			    ky_tlp_name((enum ky_tlp)tlp));
	if (json_is_integer(conf) && json_integer_value(conf) < c->ru->min_conf)
		return drop(c, "confidence %lld below the rule's minimum %d",
			    (long long)json_integer_value(conf),
			    c->ru->min_conf);
	return 1;
}

int ky_policy_apply(struct ky_policy *p, const struct ky_peer_info *peer,
		    const json_t *obj, bool origin_self, json_t **out,
		    bool *changed, const char **why, json_t *explain,
		    struct ky_err *err)
{
	struct ctx c = {.p = p, .peer = peer};
	const char *type = json_string_value(json_object_get(obj, "type"));
	const json_t *v;
	json_t *o = NULL;
	struct ky_err cerr;
	int verdict = 0, k;
	bool pd_ok;
	size_t i;

	*out = NULL;
	*changed = false;
	c.notes = explain ? json_object() : NULL;
	if (type == NULL) {
		verdict = drop(&c, "not a STIX object");
		goto done;
	}
	if (gate(&c, type, obj, origin_self) == 0)
		goto done;
	pd_ok = peer->country && in_list(p->pd_countries, peer->country);
	for (k = 0; k < PD_N; k++) {
		c.mode[k] = c.ru->pd[k];
		c.pd_why[k] = "redacted by the rule";
		if (!pd_ok) {
			c.mode[k] = PD_REMOVE;
			c.pd_why[k] =
				peer->country
					? "personal data does not go to "
					  "this peer's country"
					: "personal data does not go to a "
					  "peer of unknown country";
		} else if (c.mode[k] == PD_PSEUDO && !p->keyed) {
			c.mode[k] = PD_REMOVE;
			c.pd_why[k] = "no circle key to pseudonymise with";
		}
	}
	if ((o = json_deep_copy(obj)) == NULL)
		return ky_err_set(err, KY_E_NOMEM, "policy: out of memory");
	json_array_foreach(c.ru->redact, i, v)
	{
		const char *f = json_string_value(v);

		if (json_object_get(o, f) == NULL)
			continue;
		if (required(type, f)) {
			verdict = drop(&c,
				       "the rule at %s redacts %s, which a "
				       "%s cannot lose",
				       c.ru->where, f, type);
			goto done;
		}
		json_object_del(o, f);
		note(&c, f, "removed", "redacted by the rule");
	}
	if ((k = sco_class(type, strlen(type))) >= 0 &&
	    apply_sco(&c, o, k) == 0)
		goto done;
	apply_props(&c, o);
	if (apply_refs(&c, o, "object_refs") == 0)
		goto done;
	/* an object the rule left as it was is as valid as when it was
	 * stored (every way into the change log checks it, and receivers
	 * check again): only a changed one is checked here */
	*changed = !json_equal((json_t *)obj, o);
	if (*changed && ky_stix_check(o, &cerr) != 0) {
		*changed = false;
		verdict = drop(&c, "the result would not be valid STIX: %s",
			       cerr.msg);
		goto done;
	}
	verdict = 1;
	*out = o;
	o = NULL;
done:
	explain_out(&c, obj, explain, verdict);
	json_decref(c.notes);
	json_decref(o);
	*why = verdict ? NULL : (c.why ? c.why : "dropped");
	if (!verdict && why) {
		/* the reason must outlive c: keep it in a thread-local */
		static __thread char keep[400];

		snprintf(keep, sizeof(keep), "%s", *why);
		*why = keep;
	}
	return verdict;
}

int ky_policy_gate(struct ky_policy *p, const struct ky_peer_info *peer,
		   const char *type, int tlp, bool origin_self,
		   const char **why)
{
	struct ctx c = {.p = p, .peer = peer};
	json_t *stub = json_pack("{s:s}", "type", type);
	int v;

	if (stub == NULL)
		return KY_E_NOMEM;
	if (tlp >= 0 && tlp < KY_TLP_UNSET)
		json_object_set_new(stub, "object_marking_refs",
				    json_pack("[s]", ky_stix_tlp_id(tlp)));
	v = gate(&c, type, stub, origin_self);
	json_decref(stub);
	if (v == 0) {
		static __thread char keep[400];

		snprintf(keep, sizeof(keep), "%s", c.why ? c.why : "dropped");
		*why = keep;
	}
	return v;
}
