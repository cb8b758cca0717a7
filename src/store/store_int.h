/* Private to src/store/: what the query files other than store.c share
 * with it (the connection, the error form, a statement cache). */
#ifndef KY_STORE_STORE_INT_H
#define KY_STORE_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

/* Slots of the extension statement cache, one range per file. */
#define KY__STORE_EXT_MAX 64
#define KY__STORE_EXT_SHARE 0  /* store/share.c: 0-39 */
#define KY__STORE_EXT_TAXII 40 /* store/taxii.c: 40-59 */

/* The cached prepared statement of slot (prepared from sql on first use). */
sqlite3_stmt *ky__store_stmt(struct ky_store *s, int slot, const char *sql,
			     struct ky_err *err);
int ky__store_error(struct ky_store *s, struct ky_err *err, const char *what);
sqlite3 *ky__store_db(struct ky_store *s);

/* The columns of a change, for ky__store_change_row (store/share.c). */
#define KY__CHANGE_COLS                                                        \
	"c.seq, c.id, c.modified, c.modified_ns, c.type, c.op, c.origin,"      \
	" c.object, c.sha256, c.seal, c.via, c.hops, c.tlp, c.recv_ns"
struct ky_change;
void ky__store_change_row(sqlite3_stmt *st, struct ky_change *c);

#endif
