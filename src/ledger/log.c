/* The append-only ledger on disk (docs/ledger.md): DIR/entries holds the
 * records ([u32 length][u32 CRC-32C][entry line], little-endian), DIR/index
 * one u64 offset per entry, DIR/tree.L the hashes of the complete subtrees
 * of level L in index order.  The entries are the truth; the index and the
 * tree files are derived and repaired from them at open. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/text.h"
#include "ledger/log.h"

#define REC_MAX 1024 /* bytes of one entry line */
#define LEVELS 64
#define TAG "kyklos-ledger/1"

struct wbuf {
	int fd;
	char *b;
	size_t n, cap;
	uint64_t size; /* file size including what is buffered */
};

struct ky_ledger {
	char dir[4096];
	bool ro;
	int lockfd;
	struct wbuf entries, index, tree[LEVELS];
	unsigned nlevels; /* tree files open */
	struct ky_merkle_range range;
	uint64_t n;
	struct ky_err *cb_err; /* set while appending */
	int cb_status;
};

/* ---- CRC-32C (Castagnoli), table-driven ---- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32c(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffffu;

	if (crc_table[1] == 0)
		crc_init();
	while (n--)
		c = crc_table[(c ^ *b++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- entries ---- */

static bool token_ok(const char *s, size_t max, bool empty_ok)
{
	size_t n = strlen(s);

	if (n > max || (n == 0 && !empty_ok))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("._:@/+=-", *s)))
			return false;
	return true;
}

int ky_ledger_entry_set(struct ky_ledger_entry *e, const char *kind,
			const ky_hash256 object, const char *peer,
			const char *policy, int64_t time_ns, struct ky_err *err)
{
	memset(e, 0, sizeof(*e));
	if (kind == NULL || !token_ok(kind, KY_LEDGER_KIND_MAX, false))
		return ky_err_set(err, KY_E_INVAL,
				  "entry kind '%.40s': 1-%d characters of "
				  "[A-Za-z0-9._:@/+=-]",
				  kind ? kind : "", KY_LEDGER_KIND_MAX);
	if (peer && !token_ok(peer, KY_LEDGER_PEER_MAX, true))
		return ky_err_set(err, KY_E_INVAL,
				  "entry peer '%.40s': up to %d characters of "
				  "[A-Za-z0-9._:@/+=-]",
				  peer, KY_LEDGER_PEER_MAX);
	if (policy && !token_ok(policy, KY_LEDGER_POLICY_MAX, true))
		return ky_err_set(err, KY_E_INVAL,
				  "entry policy '%.40s': up to %d characters "
				  "of [A-Za-z0-9._:@/+=-]",
				  policy, KY_LEDGER_POLICY_MAX);
	if (time_ns <= 0)
		return ky_err_set(err, KY_E_INVAL, "entry time must be > 0");
	/* the lengths were checked against the fields (token_ok); the
	 * memset left their NULs */
	memcpy(e->kind, kind, strlen(kind));
	memcpy(e->object, object, KY_HASH_LEN);
	if (peer)
		memcpy(e->peer, peer, strlen(peer));
	if (policy)
		memcpy(e->policy, policy, strlen(policy));
	e->time_ns = time_ns;
	return 0;
}

/* Appends s[0..n) at out + *k when it fits cap (with room for a NUL). */
static bool put_bytes(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
	if (*k + n >= cap)
		return false;
	memcpy(out + *k, s, n);
	*k += n;
	return true;
}

static bool put_word(char *out, size_t cap, size_t *k, const char *s)
{
	return put_bytes(out, cap, k, " ", 1) &&
	       put_bytes(out, cap, k, s[0] ? s : "-", s[0] ? strlen(s) : 1);
}

size_t ky_ledger_entry_encode(const struct ky_ledger_entry *e, char *out,
			      size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * KY_HASH_LEN + 1], num[KY_I64_DEC_MAX];
	size_t k = 0, d = ky_i64_dec(e->time_ns, num);

	for (size_t i = 0; i < KY_HASH_LEN; i++) {
		hex[2 * i] = digits[e->object[i] >> 4];
		hex[2 * i + 1] = digits[e->object[i] & 15];
	}
	hex[2 * KY_HASH_LEN] = '\0';
	/* TAG kind hex peer|- policy|- time\n, written without printf (it
	 * was most of an append's formatting) */
	if (!put_bytes(out, cap, &k, TAG " ", sizeof(TAG)) ||
	    !put_bytes(out, cap, &k, e->kind, strlen(e->kind)) ||
	    !put_word(out, cap, &k, hex) || !put_word(out, cap, &k, e->peer) ||
	    !put_word(out, cap, &k, e->policy) ||
	    !put_bytes(out, cap, &k, " ", 1) ||
	    !put_bytes(out, cap, &k, num, d) ||
	    !put_bytes(out, cap, &k, "\n", 1))
		return 0;
	out[k] = '\0';
	return k;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

int ky_ledger_entry_decode(const char *s, size_t n, struct ky_ledger_entry *e,
			   struct ky_err *err)
{
	char buf[REC_MAX + 1], *f[7], *save = NULL, *p;
	ky_hash256 obj;
	char *end;
	long long t;
	size_t nf = 0;
	char back[REC_MAX + 1];

	if (n == 0 || n > REC_MAX || s[n - 1] != '\n')
		return ky_err_set(err, KY_E_PARSE,
				  "entry: not one line of at most %d bytes",
				  REC_MAX);
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	for (p = strtok_r(buf, " ", &save); p && nf < 7;
	     p = strtok_r(NULL, " ", &save))
		f[nf++] = p;
	if (nf != 6 || p != NULL || strcmp(f[0], TAG) != 0 ||
	    strlen(f[2]) != 2 * KY_HASH_LEN)
		return ky_err_set(err, KY_E_PARSE,
				  "entry: expected '" TAG
				  " KIND HASH PEER POLICY TIME'");
	for (size_t i = 0; i < KY_HASH_LEN; i++) {
		int hi = hexval(f[2][2 * i]), lo = hexval(f[2][2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ky_err_set(
				err, KY_E_PARSE,
				"entry: object hash is not lower-case "
				"hex");
		obj[i] = (uint8_t)(hi << 4 | lo);
	}
	errno = 0;
	t = strtoll(f[5], &end, 10);
	if (*end != '\0' || errno != 0 || f[5][0] == '0' || f[5][0] == '+')
		return ky_err_set(err, KY_E_PARSE, "entry: bad time '%.24s'",
				  f[5]);
	if (ky_ledger_entry_set(e, f[1], obj, strcmp(f[3], "-") ? f[3] : "",
				strcmp(f[4], "-") ? f[4] : "", t, err) != 0)
		return KY_E_PARSE;
	/* one encoding per entry: what we would write must be what we read */
	if (ky_ledger_entry_encode(e, back, sizeof(back)) != n ||
	    memcmp(back, s, n) != 0)
		return ky_err_set(err, KY_E_PARSE, "entry: not canonical");
	return 0;
}

/* ---- buffered files ---- */

static int wb_open(struct wbuf *w, const char *dir, const char *name, bool ro,
		   bool create, size_t cap, struct ky_err *err)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	w->fd = open(path,
		     (ro ? O_RDONLY : O_RDWR) | (create && !ro ? O_CREAT : 0) |
			     O_CLOEXEC,
		     0600);
	if (w->fd < 0 || fstat(w->fd, &st) != 0)
		return ky_err_set(err,
				  errno == ENOENT ? KY_E_NOTFOUND : KY_E_IO,
				  "%s: %s", path, strerror(errno));
	w->size = (uint64_t)st.st_size;
	w->n = 0;
	w->cap = ro ? 0 : cap;
	w->b = ro ? NULL : malloc(cap);
	if (!ro && w->b == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	return 0;
}

static int wb_flush(struct wbuf *w, struct ky_err *err)
{
	size_t off = 0;

	while (off < w->n) {
		ssize_t k = pwrite(w->fd, w->b + off, w->n - off,
				   (off_t)(w->size - w->n + off));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ky_err_set(err, KY_E_IO, "ledger write: %s",
					  strerror(errno));
		off += (size_t)k;
	}
	w->n = 0;
	return 0;
}

static int wb_add(struct wbuf *w, const void *p, size_t n, struct ky_err *err)
{
	int r;

	if (w->n + n > w->cap && (r = wb_flush(w, err)) != 0)
		return r;
	memcpy(w->b + w->n, p, n);
	w->n += n;
	w->size += n;
	return 0;
}

static void wb_close(struct wbuf *w)
{
	if (w->fd > 0)
		close(w->fd);
	free(w->b);
	memset(w, 0, sizeof(*w));
}

/* Reads n bytes at off (flushing what is buffered first). */
static int wb_read(struct wbuf *w, uint64_t off, void *p, size_t n,
		   struct ky_err *err)
{
	ssize_t k;
	int r;

	if (w->n > 0 && (r = wb_flush(w, err)) != 0)
		return r;
	if (off + n > w->size)
		return ky_err_set(err, KY_E_INVAL,
				  "ledger read past the end (%" PRIu64 ")",
				  off);
	k = pread(w->fd, p, n, (off_t)off);
	if (k != (ssize_t)n)
		return ky_err_set(err, KY_E_IO, "ledger read: %s",
				  k < 0 ? strerror(errno) : "short read");
	return 0;
}

static int wb_truncate(struct wbuf *w, uint64_t size, struct ky_err *err)
{
	int r;

	if ((r = wb_flush(w, err)) != 0)
		return r;
	if (ftruncate(w->fd, (off_t)size) != 0)
		return ky_err_set(err, KY_E_IO, "ledger truncate: %s",
				  strerror(errno));
	w->size = size;
	return 0;
}

/* ---- the tree ---- */

static int tree_open(struct ky_ledger *l, unsigned level, struct ky_err *err)
{
	char name[16];

	while (l->nlevels <= level) {
		snprintf(name, sizeof(name), "tree.%u", l->nlevels);
		int r = wb_open(&l->tree[l->nlevels], l->dir, name, l->ro, true,
				1u << 16, err);
		if (r != 0)
			return r;
		l->nlevels++;
	}
	return 0;
}

static int node_get(void *ud, unsigned level, uint64_t index, ky_hash256 out)
{
	struct ky_ledger *l = ud;
	struct ky_err e = {0};

	if (level >= LEVELS || tree_open(l, level, &e) != 0)
		return KY_E_IO;
	return wb_read(&l->tree[level], index * KY_HASH_LEN, out, KY_HASH_LEN,
		       &e);
}

static void node_put(void *ud, unsigned level, uint64_t index,
		     const ky_hash256 h)
{
	struct ky_ledger *l = ud;

	if (l->cb_status != 0)
		return;
	if ((l->cb_status = tree_open(l, level, l->cb_err)) != 0)
		return;
	if (l->tree[level].size != index * KY_HASH_LEN) {
		l->cb_status = ky_err_set(l->cb_err, KY_E_INTERNAL,
					  "tree level %u out of step", level);
		return;
	}
	l->cb_status = wb_add(&l->tree[level], h, KY_HASH_LEN, l->cb_err);
}

/* The compact range of the first n leaves from the stored subtrees. */
static int range_load(struct ky_ledger *l, struct ky_err *err)
{
	uint64_t start = 0;
	int r;

	ky_merkle_range_init(&l->range);
	for (int b = 63; b >= 0; b--) {
		if (!(l->n >> b & 1))
			continue;
		r = node_get(l, (unsigned)b, start >> b,
			     l->range.h[l->range.n]);
		if (r != 0)
			return ky_err_set(err, r, "reading tree level %d", b);
		l->range.n++;
		start += 1ull << b;
	}
	l->range.size = l->n;
	return 0;
}

/* ---- open and repair ---- */

static int read_record(struct ky_ledger *l, uint64_t off, char *line,
		       size_t *len, uint64_t *next, bool *torn,
		       struct ky_err *err)
{
	uint8_t h[8];
	uint32_t n;

	*torn = false;
	if (off + 8 > l->entries.size) {
		*torn = true;
		return ky_err_set(err, KY_E_PARSE,
				  "offset %" PRIu64 ": torn record header",
				  off);
	}
	if (wb_read(&l->entries, off, h, 8, err) != 0)
		return KY_E_IO;
	n = get32(h);
	if (n == 0 || n > REC_MAX)
		return ky_err_set(err, KY_E_PARSE,
				  "offset %" PRIu64 ": bad record length %u",
				  off, n);
	if (off + 8 + n > l->entries.size) {
		*torn = true;
		return ky_err_set(err, KY_E_PARSE,
				  "offset %" PRIu64 ": torn record", off);
	}
	if (wb_read(&l->entries, off + 8, line, n, err) != 0)
		return KY_E_IO;
	if (crc32c(line, n) != get32(h + 4))
		return ky_err_set(err, KY_E_PARSE,
				  "offset %" PRIu64 ": checksum mismatch", off);
	*len = n;
	*next = off + 8 + n;
	return 0;
}

static int repair(struct ky_ledger *l, struct ky_ledger_repair *rep,
		  struct ky_err *err)
{
	uint64_t nidx = l->index.size / 8, off = 0, next;
	char line[REC_MAX];
	struct ky_ledger_entry e;
	size_t len;
	bool torn;
	int r;

	/* the last index entry that points at a good record */
	while (nidx > 0) {
		uint8_t b[8];

		if ((r = wb_read(&l->index, (nidx - 1) * 8, b, 8, err)) != 0)
			return r;
		off = get64(b);
		if (read_record(l, off, line, &len, &next, &torn, err) == 0 &&
		    ky_ledger_entry_decode(line, len, &e, err) == 0)
			break;
		nidx--;
		rep->index_fixed++;
	}
	if (nidx == 0)
		next = 0;
	if (!l->ro && l->index.size != nidx * 8 &&
	    (r = wb_truncate(&l->index, nidx * 8, err)) != 0)
		return r;
	/* records past the index */
	for (off = next; off < l->entries.size; off = next) {
		uint8_t b[8];

		r = read_record(l, off, line, &len, &next, &torn, err);
		if (r == 0)
			r = ky_ledger_entry_decode(line, len, &e, err);
		if (r != 0)
			break;
		if (l->ro) {
			nidx++;
			continue;
		}
		put64(b, off);
		if ((r = wb_add(&l->index, b, 8, err)) != 0)
			return r;
		nidx++;
		rep->index_fixed++;
	}
	if (off < l->entries.size) {
		/* A bad record is a torn append only when it is the last thing
		 * in the file: its length runs to or past the end, or what
		 * remains could not hold another record.  Anything else is
		 * damage or tampering, and cutting would lose good entries. */
		uint8_t h[8];
		uint64_t rest = l->entries.size - off, end = UINT64_MAX;

		if (rest >= 8 && wb_read(&l->entries, off, h, 8, err) == 0 &&
		    get32(h) > 0 && get32(h) <= REC_MAX)
			end = off + 8 + get32(h);
		if (end < l->entries.size ||
		    (end == UINT64_MAX && rest > 8 + REC_MAX))
			return ky_err_set(err, KY_E_VERIFY,
					  "ledger %s: entry %" PRIu64
					  " at offset %" PRIu64
					  " is damaged and is not the last: "
					  "run kyklos ledger verify",
					  l->dir, nidx, off);
		rep->cut_bytes = rest;
		if (!l->ro) {
			KY_WARN("ledger %s: cut %" PRIu64
				" bytes of a torn entry at offset %" PRIu64,
				l->dir, rep->cut_bytes, off);
			if ((r = wb_truncate(&l->entries, off, err)) != 0)
				return r;
		}
	}
	ky_err_clear(err);
	l->n = nidx;
	return 0;
}

static int leaf_of(struct ky_ledger *l, uint64_t i, ky_hash256 out,
		   struct ky_err *err)
{
	uint8_t b[8];
	char line[REC_MAX];
	uint64_t next;
	size_t len;
	bool torn;
	int r;

	if ((r = wb_read(&l->index, i * 8, b, 8, err)) != 0 ||
	    (r = read_record(l, get64(b), line, &len, &next, &torn, err)) != 0)
		return r;
	ky_merkle_leaf_hash(line, len, out);
	return 0;
}

/* Brings tree.L in line with n entries: cut extra hashes, compute missing
 * ones from the level below. */
static int repair_tree(struct ky_ledger *l, struct ky_ledger_repair *rep,
		       struct ky_err *err)
{
	for (unsigned lv = 0; lv < LEVELS && (l->n >> lv) > 0; lv++) {
		uint64_t want = l->n >> lv, have;
		int r;

		if ((r = tree_open(l, lv, err)) != 0)
			return r;
		have = l->tree[lv].size / KY_HASH_LEN;
		if (have > want || l->tree[lv].size % KY_HASH_LEN) {
			if (have > want)
				have = want;
			if ((r = wb_truncate(&l->tree[lv], have * KY_HASH_LEN,
					     err)) != 0)
				return r;
		}
		for (uint64_t i = have; i < want; i++) {
			ky_hash256 h, a, b;

			if (lv == 0) {
				r = leaf_of(l, i, h, err);
			} else {
				r = node_get(l, lv - 1, 2 * i, a);
				r = r ? r : node_get(l, lv - 1, 2 * i + 1, b);
				if (r == 0)
					ky_merkle_node_hash(a, b, h);
			}
			if (r == 0)
				r = wb_add(&l->tree[lv], h, KY_HASH_LEN, err);
			if (r != 0)
				return ky_err_set(
					err, r, "rebuilding tree level %u", lv);
			rep->hashes_fixed++;
		}
	}
	return 0;
}

int ky_ledger_open(const char *dir, unsigned flags, struct ky_ledger **out,
		   struct ky_ledger_repair *rep, struct ky_err *err)
{
	struct ky_ledger *l = calloc(1, sizeof(*l));
	struct ky_ledger_repair dummy;
	bool create = flags & KY_LEDGER_CREATE;
	char path[4200];
	int r;

	*out = NULL;
	if (rep == NULL)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	if (l == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	l->ro = flags & KY_LEDGER_READONLY;
	l->lockfd = -1;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	if (create && !l->ro && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		r = ky_err_set(err, KY_E_IO, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	if (!l->ro) {
		l->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (l->lockfd < 0) {
			r = ky_err_set(
				err, errno == ENOENT ? KY_E_NOTFOUND : KY_E_IO,
				"ledger %s: %s", dir, strerror(errno));
			goto fail;
		}
		if (flock(l->lockfd, LOCK_EX | LOCK_NB) != 0) {
			r = ky_err_set(err, KY_E_EXISTS,
				       "ledger %s is in use by another process",
				       dir);
			goto fail;
		}
	}
	if ((r = wb_open(&l->entries, dir, "entries", l->ro, create, 1u << 20,
			 err)) != 0 ||
	    (r = wb_open(&l->index, dir, "index", l->ro, true, 1u << 16,
			 err)) != 0)
		goto fail;
	if ((r = repair(l, rep, err)) != 0 ||
	    (!l->ro && (r = repair_tree(l, rep, err)) != 0) ||
	    (r = range_load(l, err)) != 0)
		goto fail;
	rep->entries = l->n;
	*out = l;
	return 0;
fail:
	ky_ledger_close(l);
	return r;
}

void ky_ledger_close(struct ky_ledger *l)
{
	struct ky_err e = {0};

	if (l == NULL)
		return;
	if (!l->ro)
		(void)ky_ledger_sync(l, &e);
	wb_close(&l->entries);
	wb_close(&l->index);
	for (unsigned i = 0; i < l->nlevels; i++)
		wb_close(&l->tree[i]);
	if (l->lockfd >= 0)
		close(l->lockfd);
	free(l);
}

uint64_t ky_ledger_size(const struct ky_ledger *l)
{
	return l->n;
}

/* ---- appending ---- */

int ky_ledger_append(struct ky_ledger *l, const struct ky_ledger_entry *e,
		     uint64_t *index, struct ky_err *err)
{
	char line[REC_MAX];
	uint8_t h[8], ib[8];
	ky_hash256 leaf;
	size_t n;
	int r;

	if (l->ro)
		return ky_err_set(err, KY_E_INVAL, "ledger opened read-only");
	if ((n = ky_ledger_entry_encode(e, line, sizeof(line))) == 0)
		return ky_err_set(err, KY_E_INVAL, "entry too long");
	put32(h, (uint32_t)n);
	put32(h + 4, crc32c(line, n));
	put64(ib, l->entries.size);
	if ((r = wb_add(&l->entries, h, 8, err)) != 0 ||
	    (r = wb_add(&l->entries, line, n, err)) != 0 ||
	    (r = wb_add(&l->index, ib, 8, err)) != 0)
		return r;
	ky_merkle_leaf_hash(line, n, leaf);
	l->cb_err = err;
	l->cb_status = 0;
	ky_merkle_range_append(&l->range, leaf, node_put, l);
	if (l->cb_status != 0)
		return l->cb_status;
	if (index)
		*index = l->n;
	l->n++;
	return 0;
}

int ky_ledger_sync(struct ky_ledger *l, struct ky_err *err)
{
	int r;

	if (l->ro)
		return 0;
	/* the entries first: the index and tree are rebuilt from them */
	if ((r = wb_flush(&l->entries, err)) != 0)
		return r;
	if (fdatasync(l->entries.fd) != 0)
		return ky_err_set(err, KY_E_IO, "ledger sync: %s",
				  strerror(errno));
	if ((r = wb_flush(&l->index, err)) != 0)
		return r;
	for (unsigned i = 0; i < l->nlevels; i++)
		if ((r = wb_flush(&l->tree[i], err)) != 0)
			return r;
	return 0;
}

/* ---- reading ---- */

int ky_ledger_get(struct ky_ledger *l, uint64_t index,
		  struct ky_ledger_entry *e, struct ky_err *err)
{
	uint8_t b[8];
	char line[REC_MAX];
	uint64_t next;
	size_t len;
	bool torn;
	int r;

	if (index >= l->n)
		return ky_err_set(err, KY_E_NOTFOUND,
				  "entry %" PRIu64 " not in a log of %" PRIu64,
				  index, l->n);
	if ((r = wb_read(&l->index, index * 8, b, 8, err)) != 0 ||
	    (r = read_record(l, get64(b), line, &len, &next, &torn, err)) !=
		    0 ||
	    (r = ky_ledger_entry_decode(line, len, e, err)) != 0)
		ky_err_prefix(err, "entry %" PRIu64, index);
	return r;
}

int ky_ledger_leaf_hash(struct ky_ledger *l, uint64_t index, ky_hash256 out,
			struct ky_err *err)
{
	if (index >= l->n)
		return ky_err_set(err, KY_E_NOTFOUND,
				  "entry %" PRIu64 " not in a log of %" PRIu64,
				  index, l->n);
	return node_get(l, 0, index, out) == 0
		       ? 0
		       : ky_err_set(err, KY_E_IO, "reading leaf %" PRIu64,
				    index);
}

static int check_size(const struct ky_ledger *l, uint64_t size,
		      struct ky_err *err)
{
	return size > l->n ? ky_err_set(err, KY_E_INVAL,
					"size %" PRIu64
					" is past the log's %" PRIu64,
					size, l->n)
			   : 0;
}

int ky_ledger_root(struct ky_ledger *l, uint64_t size, ky_hash256 out,
		   struct ky_err *err)
{
	int r = check_size(l, size, err);

	if (r == 0 && size == l->n) {
		ky_merkle_range_root(&l->range, out);
		return 0;
	}
	return r ? r : ky_merkle_root(node_get, l, size, out, err);
}

int ky_ledger_inclusion(struct ky_ledger *l, uint64_t index, uint64_t size,
			ky_hash256 proof[KY_MERKLE_MAX_PROOF], size_t *n,
			struct ky_err *err)
{
	int r = check_size(l, size, err);

	return r ? r
		 : ky_merkle_inclusion_proof(node_get, l, index, size, proof, n,
					     err);
}

int ky_ledger_consistency(struct ky_ledger *l, uint64_t size1, uint64_t size2,
			  ky_hash256 proof[KY_MERKLE_MAX_PROOF], size_t *n,
			  struct ky_err *err)
{
	int r = check_size(l, size2, err);

	return r ? r
		 : ky_merkle_consistency_proof(node_get, l, size1, size2, proof,
					       n, err);
}

int ky_ledger_verify(struct ky_ledger *l, ky_hash256 root, struct ky_err *err)
{
	struct ky_merkle_range rg;
	uint64_t off = 0, next;
	char line[REC_MAX];
	struct ky_ledger_entry e;
	size_t len;
	bool torn;
	int r;

	ky_merkle_range_init(&rg);
	for (uint64_t i = 0; i < l->n; i++, off = next) {
		uint8_t b[8];
		ky_hash256 leaf, stored;

		if ((r = wb_read(&l->index, i * 8, b, 8, err)) != 0)
			return r;
		if (get64(b) != off)
			return ky_err_set(err, KY_E_VERIFY,
					  "entry %" PRIu64
					  ": index says offset "
					  "%" PRIu64 ", the log %" PRIu64,
					  i, get64(b), off);
		if ((r = read_record(l, off, line, &len, &next, &torn, err)) !=
			    0 ||
		    (r = ky_ledger_entry_decode(line, len, &e, err)) != 0) {
			ky_err_prefix(err, "entry %" PRIu64, i);
			return KY_E_VERIFY;
		}
		ky_merkle_leaf_hash(line, len, leaf);
		if (node_get(l, 0, i, stored) != 0 ||
		    memcmp(stored, leaf, KY_HASH_LEN) != 0)
			return ky_err_set(err, KY_E_VERIFY,
					  "entry %" PRIu64 " (offset %" PRIu64
					  "): its leaf hash differs from the "
					  "tree's",
					  i, off);
		ky_merkle_range_append(&rg, leaf, NULL, NULL);
	}
	if (off != l->entries.size)
		return ky_err_set(err, KY_E_VERIFY,
				  "%" PRIu64 " bytes after the last entry",
				  l->entries.size - off);
	/* every stored interior hash against its children */
	for (unsigned lv = 1; lv < LEVELS && (l->n >> lv) > 0; lv++)
		for (uint64_t i = 0; i < (l->n >> lv); i++) {
			ky_hash256 a, b, h, stored;

			if (node_get(l, lv - 1, 2 * i, a) != 0 ||
			    node_get(l, lv - 1, 2 * i + 1, b) != 0 ||
			    node_get(l, lv, i, stored) != 0)
				return ky_err_set(err, KY_E_VERIFY,
						  "tree level %u incomplete",
						  lv);
			ky_merkle_node_hash(a, b, h);
			if (memcmp(h, stored, KY_HASH_LEN) != 0)
				return ky_err_set(err, KY_E_VERIFY,
						  "tree level %u hash %" PRIu64
						  " differs from its children",
						  lv, i);
		}
	ky_merkle_range_root(&rg, root);
	return 0;
}
