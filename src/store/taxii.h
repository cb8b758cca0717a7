/* The store's queries for the TAXII server (api/taxii.h): its clients,
 * status resources, and the change log read in the orders TAXII pages
 * through. */
#ifndef KY_STORE_TAXII_H
#define KY_STORE_TAXII_H

#include "store/share.h"

struct ky_taxii_client {
	const char *name, *country, *groups;
	uint8_t token[32]; /* SHA-256 of the secret */
	bool can_write;
	int64_t added_ns;
};

int ky_taxii_client_put(struct ky_store *s, const struct ky_taxii_client *c,
			struct ky_err *err);
/* By name, or (name NULL) by token hash; KY_E_NOTFOUND when none. */
int ky_taxii_client_get(struct ky_store *s, const char *name,
			const uint8_t token[32],
			int (*fn)(void *ud, const struct ky_taxii_client *c),
			void *ud, struct ky_err *err);
int ky_taxii_client_list(struct ky_store *s,
			 int (*fn)(void *ud, const struct ky_taxii_client *c),
			 void *ud, struct ky_err *err);
int ky_taxii_client_del(struct ky_store *s, const char *name,
			struct ky_err *err);

int ky_taxii_status_put(struct ky_store *s, const char *id, const char *client,
			const char *json, int64_t now_ns, struct ky_err *err);
/* The status document of id if it belongs to client; KY_E_NOTFOUND. */
int ky_taxii_status_get(struct ky_store *s, const char *id, const char *client,
			char **json, struct ky_err *err);

/* Current versions (not deleted) with seq > after and recv_ns >
 * added_after_ns, in seq order; fn returns non-zero to stop. */
int ky_changes_current_after(struct ky_store *s, int64_t after,
			     int64_t added_after_ns,
			     int (*fn)(void *ud, const struct ky_change *c),
			     void *ud, struct ky_err *err);
/* Every version of one object (puts only), oldest first, seq > after. */
int ky_changes_versions(struct ky_store *s, const char *id, int64_t after,
			int (*fn)(void *ud, const struct ky_change *c),
			void *ud, struct ky_err *err);

#endif
