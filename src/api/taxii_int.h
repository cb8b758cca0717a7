/* Private to api/taxii*.c. */
#ifndef KY_API_TAXII_INT_H
#define KY_API_TAXII_INT_H

#include <jansson.h>

#include "api/taxii.h"

struct ky_taxii {
	struct ky_taxii_conf c;
	char node_id[64], title[256], base[512];
	char coll[37];
	struct ky_store *st;
	struct ky_policy *pol;
	const struct ky_share_self *self;
};

/* The authenticated client. */
struct client {
	char name[128], country[8], groups[256];
	bool can_write;
	bool found;
};

/* The query parameters of a listing. */
struct query {
	int64_t added_after_ns;		/* -1: none */
	size_t limit;			/* 0: nothing can match */
	int64_t next;			/* change-log cursor */
	json_t *ids, *types, *versions; /* arrays of strings, or NULL */
	const char *bad;		/* why the query is refused */
};

void ky__taxii_reply(struct ky_taxii_resp *r, int status, json_t *j);
void ky__taxii_error(struct ky_taxii_resp *r, int status, const char *title,
		     const char *desc);
bool ky__taxii_media_ok(const char *s, size_t n, bool allow_wild);
void ky__taxii_query(struct ky_taxii *t, const char *qs, struct query *q);
void ky__taxii_query_free(struct query *q);
bool ky__taxii_in(const json_t *list, const char *s);

/* taxii_objects.c: GET objects, one object, versions, manifest; POST. */
enum { LIST_OBJECTS, LIST_MANIFEST, LIST_VERSIONS };
void ky__taxii_list(struct ky_taxii *t, const struct client *cl,
		    const struct ky_taxii_req *req, const char *oid, int what,
		    struct ky_taxii_resp *r);
void ky__taxii_post(struct ky_taxii *t, const struct client *cl,
		    const struct ky_taxii_req *req, struct ky_taxii_resp *r);
void ky__taxii_status(struct ky_taxii *t, const struct client *cl,
		      const char *sid, struct ky_taxii_resp *r);

#endif
