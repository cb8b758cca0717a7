/* TAXII 2.1 (OASIS, 2021): the read side and the write side for
 * authorised clients, over the node's change log, with the policy of the
 * authenticated client applied to every object before it is serialised
 * (docs/taxii.md).  Transport-free: the caller hands a parsed request and
 * sends the response (node/sync.c does it over HTTPS). */
#ifndef KY_API_TAXII_H
#define KY_API_TAXII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "share/batch.h"
#include "share/policy.h"
#include "store/store.h"

#define KY_TAXII_MEDIA "application/taxii+json;version=2.1"
#define KY_TAXII_PAGE_MAX 10000

struct ky_taxii_req {
	const char *method; /* GET, POST, DELETE, ... */
	const char *path;   /* decoded path, e.g. /taxii2/ */
	const char *query;  /* raw query string, or NULL */
	const char *accept, *content_type, *authorization;
	const char *body;
	size_t body_len;
};

struct ky_taxii_resp {
	int status;
	const char *content_type;
	struct ky_buf body;
	char date_first[32], date_last[32]; /* X-TAXII-Date-Added-* */
};

struct ky_taxii_conf {
	const char *node_id, *title;
	const char *base_url;	   /* how clients reach us, for discovery */
	size_t max_content_length; /* of a POST body */
	size_t page;		   /* default limit */
	/* every object served or added, for the ledger (may be NULL) */
	ky_batch_record_fn rec;
	void *rud;
};

struct ky_taxii;

/* st: a connection the handler may write (POSTed objects, status). */
int ky_taxii_new(struct ky_taxii **out, const struct ky_taxii_conf *c,
		 struct ky_store *st, struct ky_policy *pol,
		 const struct ky_share_self *self, struct ky_err *err);
void ky_taxii_free(struct ky_taxii *t);

/* Fills resp (body initialised by the call; free it with ky_buf_free). */
void ky_taxii_handle(struct ky_taxii *t, const struct ky_taxii_req *req,
		     struct ky_taxii_resp *resp);

/* The id of the node's collection (a UUID derived from the node id). */
void ky_taxii_collection_id(const char *node_id, char out[37]);

#endif
