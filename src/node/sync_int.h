/* Private to node/sync*.c: the engine's state shared by its threads. */
#ifndef KY_NODE_SYNC_INT_H
#define KY_NODE_SYNC_INT_H

#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <event2/event.h>
#include <event2/http.h>

#include "api/taxii.h"
#include "intel/incident.h"
#include "ledger/log.h"
#include "node/sync.h"
#include "share/batch.h"
#include "share/policy.h"
#include "store/share.h"
#include "trust/identity.h"
#include "trust/keystore.h"

#define SYNC_PEERS_MAX 256

struct peer_sched {
	char name[128];
	int64_t due_ns;	    /* next pull */
	int64_t backoff_ns; /* 0 after a success */
	bool notify;	    /* tell it we have news */
};

struct ky_sync {
	const struct ky_config *cfg;
	struct ky_keystore *ks;
	struct ky_signer sg;
	struct ky_share_self self;
	char node_id[KY_NODE_ID_LEN + 1];
	struct ky_policy *pol; /* NULL: no policy, nothing leaves */
	char key_path[4200], crt_path[4200], spki[65];
	char *binding; /* our Kyklos-Binding header value */

	/* the endpoint and the publisher, on their own thread */
	pthread_t srv_th;
	bool srv_started;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp *taxii_http;
	struct ky_taxii *taxii;
	SSL_CTX *sctx, *tctx;
	struct ky_store *sst;
	int64_t inc_cursor_ns; /* incidents published up to */
	int64_t seq_seen;      /* our change log's end last looked at */
	int64_t compact_ns;    /* monotonic time of the last compaction */
	/* what we publish (node/sync_publish.c) */
	enum ky_tlp own_tlp;
	int64_t lists_checked_ns;
	/* our latest signed checkpoint (node/sync_ledger.c) */
	char *cp_note;
	uint64_t cp_size;
	/* correlation across the circle (node/sync_circle.c) */
	json_t *circle_map;	  /* pattern -> shared indicator id */
	json_t *circle_ids;	  /* indicator ids listed in the file */
	int64_t circle_seq;	  /* change log examined up to */
	int64_t circle_export_ns; /* monotonic time of the last export */
	bool circle_dirty;
	int64_t alert_cursor; /* alerts looked at for sightings */

	/* the publisher (its own thread and store connection) */
	pthread_t pub_th;
	bool pub_started;
	pthread_cond_t pub_cv;
	struct ky_store *wst;

	/* the puller */
	pthread_t pull_th;
	bool pull_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	bool news; /* our change log grew: notify peers */
	struct peer_sched sched[SYNC_PEERS_MAX];
	size_t nsched;
	struct ky_store *pst;

	/* the ledger, shared by both threads */
	pthread_mutex_t lmu;
	struct ky_ledger *ledger;
	int64_t ledger_dirty;

	_Atomic uint64_t pulls_ok, pulls_failed, objects_in, objects_out,
		refused, duplicates, served, denied, published, bytes_out,
		bytes_in;
};

/* Ledger record callback (ud: the engine). */
void ky__sync_record(void *ud, const char *kind, const uint8_t sha[32],
		     const char *peer, const char *policy);
/* Marks the peer with this node id due now (a notify arrived). */
void ky__sync_wake(struct ky_sync *s, const char *node_id);
/* Alerts, lists and advisories into the change log. */
void ky__sync_publish_tick(struct ky_sync *s);
/* Checkpoints on the wire (node/sync_ledger.c). */
void ky__sync_origin(const struct ky_sync *s, char *out, size_t cap);
void ky__sync_checkpoint(struct ky_sync *s);
struct evkeyvalq;
void ky__sync_cp_headers(struct ky_sync *s, int64_t cosigned,
			 struct evkeyvalq *h);
int ky__sync_take_cosignature(struct ky_sync *s, const char *peer,
			      const char *peer_node, const char *pubkey,
			      const char *body, size_t n, char *why,
			      size_t cap);
/* asked_from: the size the proof was asked from (the `cosigned` query). */
void ky__sync_witness(struct ky_sync *s, const char *peer, const char *url,
		      const char *pubkey, int64_t asked_from,
		      const char *cp_b64, const char *proof_b64);
/* Each tick: export the circle's indicators, publish sightings. */
void ky__sync_circle_tick(struct ky_sync *s, bool grew);
/* The puller thread. */
void *ky__sync_pull_main(void *arg);

#endif
