/* The sharing policy (share/policy.h, docs/policy.md).  The first rule that
 * matches a peer decides; no rule, nothing leaves.  The object is copied,
 * never changed in place, and the result is checked again as a STIX object
 * so that a redaction can never send something malformed. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/yaml_json.h"
#include "intel/stix.h"
#include "share/cryptopan.h"
#include "share/policy.h"

#define POLICY_FILE_MAX (1 << 20)

#include "share/policy_int.h"

const char *const ky__pd_names[PD_N] = {"addresses", "users", "hosts",
					"emails"};

static const char *const eu[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK",
				 "EE", "EL", "ES", "FI", "FR", "HR", "HU",
				 "IE", "IT", "LT", "LU", "LV", "MT", "NL",
				 "PL", "PT", "RO", "SE", "SI", "SK"};

/* ---- loading ---------------------------------------------------------- */

struct load {
	const char *name;
	const json_t *pos;
	struct ky_err *err;
};

static int bad(struct load *l, const char *ptr, const char *what)
{
	char where[300];

	ky_yaml_where(l->pos, l->name, ptr, where, sizeof(where));
	return ky_err_set(l->err, KY_E_CONFIG, "%s: %s", where, what);
}

static int str_list(struct load *l, const json_t *v, const char *ptr,
		    json_t **out)
{
	const json_t *x;
	size_t i;

	*out = NULL;
	if (json_is_string(v))
		v = json_pack("[O]", v); /* a single value stands for a list */
	else if (json_is_array(v))
		json_incref((json_t *)v);
	else
		return bad(l, ptr, "expected a list of text values");
	json_array_foreach(v, i,
			   x) if (!json_is_string(x) || !json_string_length(x))
	{
		json_decref((json_t *)v);
		return bad(l, ptr, "expected a list of text values");
	}
	*out = (json_t *)v;
	return 0;
}

static int tlp_value(struct load *l, const json_t *v, const char *ptr, int *out)
{
	int t = json_is_string(v) ? ky_tlp_parse(json_string_value(v)) : -1;

	if (t < 0 || t >= KY_TLP_UNSET)
		return bad(l, ptr,
			   "expected a TLP level: clear, green, amber, "
			   "amber+strict or red");
	*out = t;
	return 0;
}

static int countries(struct load *l, const json_t *v, json_t **out)
{
	json_t *list = NULL, *x;
	size_t i;
	int r;

	if ((r = str_list(l, v, "/personal_data_countries", &list)) != 0)
		return r;
	if ((*out = json_array()) == NULL) {
		json_decref(list);
		return KY_E_NOMEM;
	}
	json_array_foreach(list, i, x)
	{
		const char *c = json_string_value(x);
		bool eea = strcmp(c, "EEA") == 0;

		if (strcmp(c, "EU") == 0 || eea) {
			for (size_t k = 0; k < sizeof(eu) / sizeof(eu[0]); k++)
				json_array_append_new(*out, json_string(eu[k]));
			if (eea) {
				json_array_append_new(*out, json_string("IS"));
				json_array_append_new(*out, json_string("LI"));
				json_array_append_new(*out, json_string("NO"));
			}
			continue;
		}
		if (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' ||
		    c[1] > 'Z') {
			char ptr[64];

			snprintf(ptr, sizeof(ptr),
				 "/personal_data_countries/%zu", i);
			json_decref(list);
			return bad(l, ptr,
				   "expected EU, EEA or a two-letter country "
				   "code (EL for Greece)");
		}
		json_array_append(*out, x);
	}
	json_decref(list);
	return 0;
}

static int load_rule(struct load *l, const json_t *j, size_t i, struct rule *ru)
{
	static const char *const keys[] = {
		"match",  "tlp_max",	  "types", "min_confidence",
		"redact", "pseudonymise", "rate",  NULL};
	char ptr[96];
	const char *k;
	json_t *v;
	int r;

	ru->tlp_max = KY_TLP_GREEN;
	snprintf(ptr, sizeof(ptr), "/rules/%zu", i);
	ky_yaml_where(l->pos, l->name, ptr, ru->where, sizeof(ru->where));
	if (!json_is_object(j))
		return bad(l, ptr, "a rule is a mapping");
	json_object_foreach((json_t *)j, k, v)
	{
		bool known = false;

		for (int n = 0; keys[n]; n++)
			known |= strcmp(keys[n], k) == 0;
		snprintf(ptr, sizeof(ptr), "/rules/%zu/%s", i, k);
		if (!known)
			return bad(l, ptr, "unknown key in a rule");
		if (strcmp(k, "match") == 0)
			r = str_list(l, v, ptr, &ru->match);
		else if (strcmp(k, "tlp_max") == 0)
			r = tlp_value(l, v, ptr, &ru->tlp_max);
		else if (strcmp(k, "types") == 0)
			r = str_list(l, v, ptr, &ru->types);
		else if (strcmp(k, "redact") == 0)
			r = str_list(l, v, ptr, &ru->redact);
		else if (strcmp(k, "min_confidence") == 0) {
			r = json_is_integer(v) && json_integer_value(v) >= 0 &&
					    json_integer_value(v) <= 100
				    ? 0
				    : bad(l, ptr, "expected 0-100");
			ru->min_conf = (int)json_integer_value(v);
		} else if (strcmp(k, "rate") == 0) {
			r = json_is_integer(v) && json_integer_value(v) >= 0 &&
					    json_integer_value(v) <= 100000000
				    ? 0
				    : bad(l, ptr,
					  "expected objects per minute (0: no "
					  "limit)");
			ru->rate = (unsigned)json_integer_value(v);
		} else {
			const char *pk;
			json_t *pv;

			r = json_is_object(v) ? 0
					      : bad(l, ptr,
						    "expected a mapping of "
						    "addresses/users/hosts/"
						    "emails to a method");
			json_object_foreach(r ? NULL : v, pk, pv)
			{
				const char *m = json_string_value(pv);
				int c = -1;

				for (int n = 0; n < PD_N; n++)
					if (strcmp(ky__pd_names[n], pk) == 0)
						c = n;
				snprintf(ptr, sizeof(ptr),
					 "/rules/%zu/pseudonymise/%s", i, pk);
				if (c < 0)
					return bad(l, ptr,
						   "expected addresses, users, "
						   "hosts or emails");
				if (m && strcmp(m, "remove") == 0)
					ru->pd[c] = PD_REMOVE;
				else if (m && strcmp(m, "keep") == 0)
					ru->pd[c] = PD_KEEP;
				else if (m && ((c == PD_ADDR &&
						strcmp(m, "cryptopan") == 0) ||
					       (c != PD_ADDR &&
						strcmp(m, "hmac") == 0)))
					ru->pd[c] = PD_PSEUDO;
				else
					return bad(
						l, ptr,
						c == PD_ADDR
							? "expected cryptopan, "
							  "remove or keep"
							: "expected hmac, "
							  "remove or keep");
			}
		}
		if (r != 0)
			return r;
	}
	if (ru->match == NULL) {
		snprintf(ptr, sizeof(ptr), "/rules/%zu", i);
		return bad(l, ptr,
			   "a rule needs 'match' (peer names, "
			   "group:NAME, country:CC or *)");
	}
	return 0;
}

static void version_of(struct ky_policy *p, json_int_t v, const char *text,
		       size_t n)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(text, n, md, &mdlen, EVP_sha256(), NULL);
	snprintf(p->version, sizeof(p->version),
		 "%lld:%02x%02x%02x%02x%02x%02x", (long long)v, md[0], md[1],
		 md[2], md[3], md[4], md[5]);
}

int ky_policy_parse(const char *text, size_t n, const char *name,
		    struct ky_policy **out, struct ky_err *err)
{
	static const char *const top[] = {"version", "default_tlp",
					  "personal_data_countries", "rules",
					  NULL};
	struct ky_policy *p = NULL;
	json_t *j = NULL, *pos = NULL, *v, *dflt = NULL;
	struct load l = {name, NULL, err};
	const char *k;
	int r;

	*out = NULL;
	if (n > POLICY_FILE_MAX)
		return ky_err_set(err, KY_E_TOOBIG, "%s: larger than %d bytes",
				  name, POLICY_FILE_MAX);
	if ((r = ky_yaml_json(text, n, name, &j, &pos, err)) != 0)
		return r;
	l.pos = pos;
	if ((dflt = json_string("EEA")) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", name);
		goto out;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", name);
		goto out;
	}
	p->default_tlp = KY_TLP_AMBER;
	if (!json_is_object(j)) {
		r = bad(&l, "", "expected a mapping (version, rules, ...)");
		goto out;
	}
	json_object_foreach(j, k, v)
	{
		bool known = false;
		char ptr[300];

		for (int i = 0; top[i]; i++)
			known |= strcmp(top[i], k) == 0;
		snprintf(ptr, sizeof(ptr), "/%s", k);
		if (!known) {
			r = bad(&l, ptr, "unknown key");
			goto out;
		}
	}
	v = json_object_get(j, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		r = bad(&l, v ? "/version" : "",
			"'version' must be a whole number >= 1 (raise it with "
			"every change)");
		goto out;
	}
	version_of(p, json_integer_value(v), text, n);
	if ((v = json_object_get(j, "default_tlp")) != NULL &&
	    (r = tlp_value(&l, v, "/default_tlp", &p->default_tlp)) != 0)
		goto out;
	/* personal data stays in the EU/EEA unless the policy says more */
	if ((v = json_object_get(j, "personal_data_countries")) == NULL)
		v = dflt;
	if ((r = countries(&l, v, &p->pd_countries)) != 0)
		goto out;
	v = json_object_get(j, "rules");
	if (!json_is_array(v)) {
		r = bad(&l, v ? "/rules" : "",
			"'rules' must be a list (an empty list sends nothing)");
		goto out;
	}
	if ((p->rules = calloc(json_array_size(v) + 1, sizeof(*p->rules))) ==
	    NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "%s: out of memory", name);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(v); i++, p->nrules++)
		if ((r = load_rule(&l, json_array_get(v, i), i,
				   &p->rules[i])) != 0) {
			p->nrules++;
			goto out;
		}
	*out = p;
	p = NULL;
out:
	ky_policy_free(p);
	json_decref(j);
	json_decref(pos);
	json_decref(dflt);
	return r;
}

int ky_policy_load(const char *path, struct ky_policy **out, struct ky_err *err)
{
	char *text = NULL;
	size_t n = 0, cap = 0;
	FILE *f = fopen(path, "rb");
	int r;

	*out = NULL;
	if (f == NULL)
		return ky_err_set(err, KY_E_IO, "%s: cannot open", path);
	for (;;) {
		char *t;

		if (n == cap) {
			if (cap > POLICY_FILE_MAX) {
				fclose(f);
				free(text);
				return ky_err_set(err, KY_E_TOOBIG,
						  "%s: larger than %d bytes",
						  path, POLICY_FILE_MAX);
			}
			cap = cap ? cap * 2 : 4096;
			if ((t = realloc(text, cap)) == NULL) {
				fclose(f);
				free(text);
				return ky_err_set(err, KY_E_NOMEM,
						  "%s: out of memory", path);
			}
			text = t;
		}
		size_t got = fread(text + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	r = ferror(f) ? ky_err_set(err, KY_E_IO, "%s: read error", path)
		      : ky_policy_parse(text ? text : "", n, path, out, err);
	fclose(f);
	free(text);
	return r;
}

void ky_policy_free(struct ky_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		json_decref(p->rules[i].match);
		json_decref(p->rules[i].types);
		json_decref(p->rules[i].redact);
	}
	free(p->rules);
	json_decref(p->pd_countries);
	ky_cryptopan_free(p->cp);
	OPENSSL_cleanse(p->hkey, sizeof(p->hkey));
	free(p);
}

const char *ky_policy_version(const struct ky_policy *p)
{
	return p->version;
}

/* HMAC-SHA-256(key, label NUL value): one key, several uses. */
void ky__policy_hmac(const uint8_t key[32], const char *label, const char *v,
		     unsigned char out[32])
{
	unsigned char buf[1024];
	size_t ll = strlen(label), vl = strlen(v);
	unsigned int n = 0;

	if (ll + 1 + vl > sizeof(buf))
		vl = sizeof(buf) - ll - 1;
	memcpy(buf, label, ll);
	buf[ll] = 0;
	memcpy(buf + ll + 1, v, vl);
	HMAC(EVP_sha256(), key, 32, buf, ll + 1 + vl, out, &n);
	OPENSSL_cleanse(buf, sizeof(buf));
}

int ky_policy_set_key(struct ky_policy *p, const uint8_t key[32],
		      struct ky_err *err)
{
	unsigned char d[32];
	int r;

	ky_cryptopan_free(p->cp);
	p->cp = NULL;
	if ((r = ky_cryptopan_new(key, &p->cp, err)) != 0)
		return r;
	/* the HMAC key is derived, so one circle secret serves both */
	ky__policy_hmac(key, "kyklos-pseudonym-hmac", "", p->hkey);
	ky__policy_hmac(p->hkey, "kyklos-sco-namespace", "", d);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x40);
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	snprintf(p->sco_ns, sizeof(p->sco_ns),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
		 d[10], d[11], d[12], d[13], d[14], d[15]);
	p->keyed = true;
	return 0;
}

void ky_pseudonym_token(const uint8_t key[32], char kind, const char *value,
			char out[KY_PSEUDONYM_MAX])
{
	char label[16], low[512];
	unsigned char md[32];
	size_t i;

	/* case does not make a different person, host or mailbox */
	for (i = 0; value[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)((value[i] >= 'A' && value[i] <= 'Z')
					? value[i] + 32
					: value[i]);
	low[i] = '\0';
	snprintf(label, sizeof(label), "kyklos-%c", kind);
	ky__policy_hmac(key, label, low, md);
	snprintf(out, KY_PSEUDONYM_MAX, "%c-%02x%02x%02x%02x%02x%02x%02x%02x%s",
		 kind, md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7],
		 kind == 'e' ? "@pseudonym.invalid" : "");
	OPENSSL_cleanse(low, sizeof(low));
}
