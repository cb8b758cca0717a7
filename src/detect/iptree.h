/* Address prefix table for indicator sets: IPv4 and IPv6 addresses and CIDR
 * ranges as keys [prefix length][masked address bytes] in one base/hash.h
 * table, with the prefix lengths present listed so that a longest-prefix
 * lookup probes only lengths that some entry has, each through a filter
 * that answers most misses without touching the table. */
#ifndef KY_DETECT_IPTREE_H
#define KY_DETECT_IPTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KY_IP_KEY_MAX 17 /* 5 bytes for IPv4, 17 for IPv6 */

/* Parses "a.b.c.d", an IPv6 address (zone "%x" ignored) or either with
 * "/len"; host bits past len are cleared.  IPv4-mapped IPv6
 * (::ffff:a.b.c.d, and ranges of length >= 96) becomes IPv4.  Fills key
 * and *klen; returns 0 or KY_E_PARSE with *why set. */
int ky_ip_parse(const char *v, size_t n, uint8_t key[KY_IP_KEY_MAX],
		size_t *klen, const char **why);
/* Canonical text of a key ("10.0.0.0/8", "2001:db8::1"); its length, 0 on
 * failure.  cap >= 64 always suffices. */
size_t ky_ip_text(const uint8_t *key, size_t klen, char *out, size_t cap);

struct ky_iptree;

struct ky_iptree *ky_iptree_new(void);
void ky_iptree_free(struct ky_iptree *t);
/* Inserts or replaces; key is borrowed and must outlive the tree.
 * Returns 0 or KY_E_NOMEM. */
int ky_iptree_put(struct ky_iptree *t, const uint8_t *key, size_t klen,
		  void *value);
/* The value stored under exactly this key, or NULL. */
void *ky_iptree_get(const struct ky_iptree *t, const uint8_t *key, size_t klen);
/* false when no entry can contain the address written v[0..n) (as
 * ky_ip_parse reads it, without "/len"): a plain IPv4 or IPv6 address is
 * parsed to integers and each prefix length present probed in a filter,
 * without hashing into the table; true for anything else (mapped IPv6,
 * zones, ranges, bad text), which the caller then looks up in full. */
bool ky_iptree_maybe(const struct ky_iptree *t, const char *v, size_t n);
/* Longest prefix first: the first value whose range contains key (or
 * equals it) and that ok (may be NULL) accepts; NULL when none. */
void *ky_iptree_find(const struct ky_iptree *t, const uint8_t *key, size_t klen,
		     bool (*ok)(const void *ud, const void *value),
		     const void *ud);

#endif
