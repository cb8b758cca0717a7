/* TAXII 2.1 over the change log (api/taxii.h).  One API root, /kyklos/,
 * with one collection: what the node holds, as the authenticated client's
 * policy lets it leave.  Pages are cursors into the change log, so `next`
 * is exact even when thousands of objects share one date added. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "api/taxii.h"
#include "base/time.h"
#include "intel/stix.h"
#include "store/taxii.h"

#define ROOT "/kyklos/"

#include "api/taxii_int.h"

void ky_taxii_collection_id(const char *node_id, char out[37])
{
	char name[160];

	snprintf(name, sizeof(name), "%s/taxii/collection", node_id);
	ky_stix_uuid5("6f1c2a7e-5b3d-4e8a-9c21-0d4b7f3e9a56", name,
		      strlen(name), out);
}

int ky_taxii_new(struct ky_taxii **out, const struct ky_taxii_conf *c,
		 struct ky_store *st, struct ky_policy *pol,
		 const struct ky_share_self *self, struct ky_err *err)
{
	struct ky_taxii *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return ky_err_set(err, KY_E_NOMEM, "taxii: out of memory");
	t->c = *c;
	snprintf(t->node_id, sizeof(t->node_id), "%s", c->node_id);
	snprintf(t->title, sizeof(t->title), "%s",
		 c->title && *c->title ? c->title : c->node_id);
	snprintf(t->base, sizeof(t->base), "%s",
		 c->base_url ? c->base_url : "");
	t->c.node_id = t->node_id;
	t->c.title = t->title;
	t->c.base_url = t->base;
	if (t->c.page == 0)
		t->c.page = 1000;
	if (t->c.max_content_length == 0)
		t->c.max_content_length = 10u << 20;
	ky_taxii_collection_id(t->node_id, t->coll);
	t->st = st;
	t->pol = pol;
	t->self = self;
	*out = t;
	return 0;
}

void ky_taxii_free(struct ky_taxii *t)
{
	free(t);
}

/* ---- responses ---------------------------------------------------------- */

void ky__taxii_reply(struct ky_taxii_resp *r, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	r->status = s ? status : 500;
	r->content_type = KY_TAXII_MEDIA;
	ky_buf_reset(&r->body);
	ky_buf_adds(&r->body, s ? s : "{\"title\":\"out of memory\"}");
	free(s);
	json_decref(j);
}

void ky__taxii_error(struct ky_taxii_resp *r, int status, const char *title,
		     const char *desc)
{
	char code[8];

	snprintf(code, sizeof(code), "%d", status);
	ky__taxii_reply(r, status,
			json_pack("{s:s, s:s, s:s}", "title", title,
				  "description", desc, "http_status", code));
}

/* ---- authentication ----------------------------------------------------- */

static int client_cb(void *ud, const struct ky_taxii_client *c)
{
	struct client *cl = ud;

	snprintf(cl->name, sizeof(cl->name), "%s", c->name);
	snprintf(cl->country, sizeof(cl->country), "%s",
		 c->country ? c->country : "");
	snprintf(cl->groups, sizeof(cl->groups), "%s",
		 c->groups ? c->groups : "");
	cl->can_write = c->can_write;
	cl->found = true;
	return 0;
}

struct tokcmp {
	uint8_t want[32];
	bool equal;
	struct client *cl;
};

static int token_cb(void *ud, const struct ky_taxii_client *c)
{
	struct tokcmp *t = ud;

	t->equal = CRYPTO_memcmp(t->want, c->token, 32) == 0;
	return t->equal ? client_cb(t->cl, c) : 0;
}

static int authenticate(struct ky_taxii *t, const char *auth, struct client *cl)
{
	struct tokcmp tc = {.cl = cl};
	unsigned int n = 0;

	memset(cl, 0, sizeof(*cl));
	if (auth == NULL)
		return -1;
	if (strncasecmp(auth, "Bearer ", 7) == 0) {
		const char *tok = auth + 7;

		EVP_Digest(tok, strlen(tok), tc.want, &n, EVP_sha256(), NULL);
		ky_taxii_client_get(t->st, NULL, tc.want, token_cb, &tc, NULL);
		return tc.equal ? 0 : -1;
	}
	if (strncasecmp(auth, "Basic ", 6) == 0) {
		const char *b64 = auth + 6;
		size_t bl = strlen(b64);
		unsigned char dec[1024];
		char *colon;
		int dl;

		if (bl == 0 || bl % 4 || bl >= sizeof(dec) * 4 / 3)
			return -1;
		dl = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)bl);
		while (dl > 0 && dec[dl - 1] == '\0')
			dl--;
		if (dl <= 0)
			return -1;
		dec[dl] = '\0';
		if ((colon = strchr((char *)dec, ':')) == NULL)
			return -1;
		*colon = '\0';
		EVP_Digest(colon + 1, strlen(colon + 1), tc.want, &n,
			   EVP_sha256(), NULL);
		OPENSSL_cleanse(colon + 1, strlen(colon + 1));
		ky_taxii_client_get(t->st, (char *)dec, NULL, token_cb, &tc,
				    NULL);
		return tc.equal ? 0 : -1;
	}
	return -1;
}

/* ---- media types -------------------------------------------------------- */

/* Is this one media range acceptable: TAXII 2.1 (version absent or 2.1),
 * or a wildcard covering it? */
bool ky__taxii_media_ok(const char *s, size_t n, bool allow_wild)
{
	char m[160];
	char *p, *ver;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 0 || n >= sizeof(m))
		return false;
	memcpy(m, s, n);
	m[n] = '\0';
	for (p = m; *p; p++)
		if (*p == ' ' || *p == '\t')
			memmove(p, p + 1, strlen(p)), p--;
	if (allow_wild && (strncasecmp(m, "*/*", 3) == 0 ||
			   strncasecmp(m, "application/*", 13) == 0))
		return true;
	if (strncasecmp(m, "application/taxii+json", 22) != 0 ||
	    (m[22] != '\0' && m[22] != ';'))
		return false;
	ver = strcasestr(m, "version=");
	return ver == NULL || strncmp(ver + 8, "2.1", 3) == 0;
}

static bool accept_ok(const char *accept)
{
	const char *p = accept;

	if (accept == NULL || *accept == '\0')
		return true; /* no Accept: anything is acceptable (RFC 9110) */
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (ky__taxii_media_ok(p, n, true))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* ---- query -------------------------------------------------------------- */

static int hexv(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Percent-decodes s (n bytes) into out; false on a bad escape. */
static bool unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (j + 1 >= cap)
			return false;
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= n || hexv(s[i + 1]) < 0 ||
			    hexv(s[i + 2]) < 0)
				return false;
			c = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
		}
		out[j++] = c;
	}
	out[j] = '\0';
	return true;
}

static json_t *split(const char *v)
{
	json_t *a = json_array();

	for (const char *p = v; a && p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	return a;
}

void ky__taxii_query_free(struct query *q)
{
	json_decref(q->ids);
	json_decref(q->types);
	json_decref(q->versions);
}

void ky__taxii_query(struct ky_taxii *t, const char *qs, struct query *q)
{
	memset(q, 0, sizeof(*q));
	q->limit = t->c.page;
	q->added_after_ns = -1;
	for (const char *p = qs; p && *p;) {
		const char *e = strchr(p, '&');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		char key[64], val[4096], *end;

		if (eq == NULL || (size_t)(eq - p) >= sizeof(key) ||
		    !unescape(p, (size_t)(eq - p), key, sizeof(key)) ||
		    !unescape(eq + 1, n - (size_t)(eq - p) - 1, val,
			      sizeof(val))) {
			q->bad = "malformed query string";
			return;
		}
		if (strcmp(key, "added_after") == 0) {
			if (ky_time_parse_rfc3339(val, strlen(val),
						  &q->added_after_ns) !=
			    (int)strlen(val)) {
				q->bad = "added_after is not a timestamp";
				return;
			}
			/* dates added are shown to the millisecond: "after"
			 * means in a later millisecond */
			q->added_after_ns =
				q->added_after_ns / 1000000 * 1000000 + 999999;
		} else if (strcmp(key, "limit") == 0) {
			long long l = strtoll(val, &end, 10);

			if (*val == '\0' || *end != '\0' || l < 1) {
				q->bad = "limit must be a positive integer";
				return;
			}
			q->limit = l > KY_TAXII_PAGE_MAX ? KY_TAXII_PAGE_MAX
							 : (size_t)l;
		} else if (strcmp(key, "next") == 0) {
			q->next = strtoll(val, &end, 10);
			if (*val == '\0' || *end != '\0' || q->next < 0) {
				q->bad = "next is not a value this server gave";
				return;
			}
		} else if (strcmp(key, "match[id]") == 0) {
			json_decref(q->ids);
			q->ids = split(val);
		} else if (strcmp(key, "match[type]") == 0) {
			json_decref(q->types);
			q->types = split(val);
		} else if (strcmp(key, "match[version]") == 0) {
			json_decref(q->versions);
			q->versions = split(val);
		} else if (strcmp(key, "match[spec_version]") == 0) {
			json_t *sv = split(val);
			bool has21 = false;
			size_t i;
			json_t *x;

			json_array_foreach(sv, i, x) has21 |=
				strcmp(json_string_value(x), "2.1") == 0;
			json_decref(sv);
			if (!has21)
				q->limit = 0; /* we hold 2.1 objects only */
		}
		p = e ? e + 1 : NULL;
	}
}

bool ky__taxii_in(const json_t *list, const char *s)
{
	size_t i;
	json_t *x;

	if (list == NULL)
		return true;
	json_array_foreach(list, i, x) if (strcmp(json_string_value(x), s) ==
					   0) return true;
	return false;
}

/* ---- routing ------------------------------------------------------------ */

static json_t *collection(struct ky_taxii *t, const struct client *cl)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", t->coll,
			 "title", "Shared by this node", "description",
			 "What this node holds, as its sharing policy lets it "
			 "leave for you",
			 "can_read", true, "can_write", cl->can_write,
			 "media_types", "application/stix+json;version=2.1");
}

/* path relative to the collection: "" (the collection), "objects/",
 * "objects/ID/", "objects/ID/versions/", "manifest/"; id gets the ID. */
static const char *sub(const char *p, char *id, size_t cap)
{
	const char *s;
	size_t n;

	id[0] = '\0';
	if (strncmp(p, "objects/", 8) != 0 || p[8] == '\0')
		return p;
	s = strchr(p + 8, '/');
	n = s ? (size_t)(s - (p + 8)) : strlen(p + 8);
	if (n == 0 || n >= cap)
		return "bad";
	memcpy(id, p + 8, n);
	id[n] = '\0';
	if (s == NULL || s[1] == '\0')
		return "objects/ID/";
	if (strcmp(s, "/versions/") == 0 || strcmp(s, "/versions") == 0)
		return "objects/ID/versions/";
	return "bad";
}

void ky_taxii_handle(struct ky_taxii *t, const struct ky_taxii_req *req,
		     struct ky_taxii_resp *resp)
{
	const char *path = req->path ? req->path : "";
	bool get = strcmp(req->method, "GET") == 0;
	bool post = strcmp(req->method, "POST") == 0;
	char id[300], slashed[1024];
	struct client cl;
	const char *rest;

	memset(resp, 0, sizeof(*resp));
	ky_buf_init(&resp->body, 64u << 20);
	if (authenticate(t, req->authorization, &cl) != 0) {
		ky__taxii_error(resp, 401, "Unauthorized",
				"HTTP Basic (client name and token) or a "
				"bearer token is required");
		return;
	}
	if (t->pol == NULL) {
		ky__taxii_error(resp, 503, "Service Unavailable",
				"this node has no sharing policy: nothing "
				"leaves it");
		return;
	}
	if (!accept_ok(req->accept)) {
		ky__taxii_error(resp, 406, "Not Acceptable",
				"this server answers in "
				"application/taxii+json;version=2.1");
		return;
	}
	/* every TAXII URL ends with a slash; accept one missing */
	snprintf(slashed, sizeof(slashed), "%s%s", path,
		 path[0] && path[strlen(path) - 1] == '/' ? "" : "/");
	path = slashed;
	if (!get && !post) {
		ky__taxii_error(resp, 405, "Method Not Allowed",
				"GET, and POST to a collection's objects");
		return;
	}
	if (strcmp(path, "/taxii2/") == 0 && get) {
		char root[600];

		snprintf(root, sizeof(root), "%s%s", t->base, ROOT);
		ky__taxii_reply(resp, 200,
				json_pack("{s:s, s:s, s:s, s:[s]}", "title",
					  t->title, "description",
					  "kyklos node: the circle's shared "
					  "intelligence as this node's policy "
					  "lets it leave",
					  "default", root, "api_roots", root));
		return;
	}
	if (strncmp(path, ROOT, strlen(ROOT)) != 0) {
		ky__taxii_error(resp, 404, "Not found", "no such API root");
		return;
	}
	rest = path + strlen(ROOT);
	if (*rest == '\0' && get) {
		ky__taxii_reply(resp, 200,
				json_pack("{s:s, s:[s], s:I}", "title",
					  t->title, "versions", KY_TAXII_MEDIA,
					  "max_content_length",
					  (json_int_t)t->c.max_content_length));
		return;
	}
	if (strncmp(rest, "status/", 7) == 0 && get) {
		char sid[64];
		size_t n = strcspn(rest + 7, "/");

		if (n == 0 || n >= sizeof(sid)) {
			ky__taxii_error(resp, 404, "Not found",
					"no such status");
			return;
		}
		memcpy(sid, rest + 7, n);
		sid[n] = '\0';
		ky__taxii_status(t, &cl, sid, resp);
		return;
	}
	if (strcmp(rest, "collections/") == 0 && get) {
		ky__taxii_reply(resp, 200,
				json_pack("{s:[o]}", "collections",
					  collection(t, &cl)));
		return;
	}
	if (strncmp(rest, "collections/", 12) != 0 ||
	    strncmp(rest + 12, t->coll, 36) != 0 || rest[48] != '/') {
		ky__taxii_error(resp, 404, "Not found", "no such collection");
		return;
	}
	rest = sub(rest + 49, id, sizeof(id));
	if (*rest == '\0' && get)
		ky__taxii_reply(resp, 200, collection(t, &cl));
	else if (strcmp(rest, "objects/") == 0 && get)
		ky__taxii_list(t, &cl, req, NULL, LIST_OBJECTS, resp);
	else if (strcmp(rest, "objects/") == 0 && post)
		ky__taxii_post(t, &cl, req, resp);
	else if (strcmp(rest, "manifest/") == 0 && get)
		ky__taxii_list(t, &cl, req, NULL, LIST_MANIFEST, resp);
	else if (strcmp(rest, "objects/ID/") == 0 && get)
		ky__taxii_list(t, &cl, req, id, LIST_OBJECTS, resp);
	else if (strcmp(rest, "objects/ID/versions/") == 0 && get)
		ky__taxii_list(t, &cl, req, id, LIST_VERSIONS, resp);
	else if (strcmp(rest, "bad") == 0 || !get)
		ky__taxii_error(resp, strcmp(rest, "bad") == 0 ? 404 : 405,
				strcmp(rest, "bad") == 0 ? "Not found"
							 : "Method Not Allowed",
				"not a TAXII endpoint of this collection");
	else
		ky__taxii_error(resp, 404, "Not found",
				"not a TAXII endpoint of this collection");
}
