/* Offline bundles (share/bundle.h): batch segments through zstd streaming
 * in both directions. */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "base/buf.h"
#include "share/bundle.h"

#define IN_CHUNK (1 << 17)

/* ---- export ------------------------------------------------------------- */

struct zout {
	ZSTD_CCtx *cz;
	FILE *f;
	uint8_t *buf;
	size_t cap;
	size_t bytes;
	int failed;
};

static int zwrite(struct zout *z, const void *p, size_t n, ZSTD_EndDirective e)
{
	ZSTD_inBuffer in = {p, n, 0};
	size_t left;

	do {
		ZSTD_outBuffer out = {z->buf, z->cap, 0};

		left = ZSTD_compressStream2(z->cz, &out, &in, e);
		if (ZSTD_isError(left) ||
		    fwrite(z->buf, 1, out.pos, z->f) != out.pos) {
			z->failed = 1;
			return -1;
		}
		z->bytes += out.pos;
	} while (e == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int write_cb(void *ud, const void *p, size_t n)
{
	return zwrite(ud, p, n, ZSTD_e_continue);
}

int ky_bundle_export(struct ky_store *st, struct ky_policy *pol,
		     const struct ky_share_self *self,
		     const struct ky_peer_row *peer, int64_t after, int64_t seq,
		     size_t batch_limit, FILE *out, ky_batch_record_fn rec,
		     void *rud, struct ky_bundle_stats *stats,
		     struct ky_err *err)
{
	struct zout z = {0};
	struct ky_batch_opts o = {0};
	struct ky_batch_stats bs;
	int r = 0;

	memset(stats, 0, sizeof(*stats));
	stats->seq = seq;
	stats->after = stats->last = after;
	z.f = out;
	z.cap = ZSTD_CStreamOutSize();
	if ((z.cz = ZSTD_createCCtx()) == NULL ||
	    (z.buf = malloc(z.cap)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "bundle: out of memory");
		goto out;
	}
	ZSTD_CCtx_setParameter(z.cz, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(z.cz, ZSTD_c_checksumFlag, 1);
	o.limit = batch_limit;
	o.bundle_seq = seq;
	/* segments until the change log is exhausted: each a whole batch,
	 * each starting where the previous one ended */
	do {
		o.after = stats->last;
		r = ky_batch_write(st, pol, self, peer, &o, write_cb, &z, rec,
				   rud, &bs, err);
		if (r == 0 && z.failed)
			r = ky_err_set(err, KY_E_IO, "bundle: write failed");
		if (r != 0)
			goto out;
		stats->batches++;
		stats->sent += bs.sent;
		stats->dropped += bs.dropped;
		stats->last = bs.last;
	} while (bs.more);
	if (zwrite(&z, NULL, 0, ZSTD_e_end) != 0 || fflush(out) != 0) {
		r = ky_err_set(err, KY_E_IO, "bundle: write failed");
		goto out;
	}
	stats->bytes = z.bytes;
out:
	ZSTD_freeCCtx(z.cz);
	free(z.buf);
	return r;
}

/* ---- import ------------------------------------------------------------- */

struct sender {
	char *name, *node_id, *pubkey, *country;
};

static int sender_cb(void *ud, const struct ky_peer_row *row)
{
	struct sender *s = ud;

	s->name = strdup(row->name);
	s->node_id = strdup(row->node_id);
	s->pubkey = strdup(row->pubkey);
	s->country = row->country ? strdup(row->country) : NULL;
	return s->name && s->node_id && s->pubkey ? 0 : KY_E_NOMEM;
}

static void sender_free(struct sender *s)
{
	free(s->name);
	free(s->node_id);
	free(s->pubkey);
	free(s->country);
}

struct imp {
	struct ky_store *st;
	const struct ky_share_self *self;
	const char *name;
	ky_batch_record_fn rec;
	void *rud;
	struct ky_bundle_stats *stats;
	struct ky_err *err;
	struct sender snd;
	struct ky_batch_in *b; /* the open segment, in a transaction */
	bool have_sender;
	int64_t expect_after; /* the previous segment's last */
	size_t segment_lines;
};

/* What the first header says, before anything is applied. */
static int first_header(struct imp *x, const char *line, size_t n)
{
	struct ky_err *err = x->err;
	json_t *j = json_loadb(line, n, 0, NULL);
	const char *from = json_string_value(json_object_get(j, "from"));
	int64_t seq = json_integer_value(json_object_get(j, "bundle_seq"));
	int64_t have = 0;
	int r;

	if (j == NULL || from == NULL || seq <= 0) {
		json_decref(j);
		return ky_err_set(err, KY_E_PARSE,
				  "%s: not a kyklos bundle (no header with a "
				  "sender and a bundle number)",
				  x->name);
	}
	snprintf(x->stats->from, sizeof(x->stats->from), "%s", from);
	x->stats->seq = seq;
	x->stats->after = x->expect_after =
		json_integer_value(json_object_get(j, "after"));
	r = ky_peers_get(x->st, from, sender_cb, &x->snd, err);
	json_decref(j);
	if (r == KY_E_NOTFOUND)
		return ky_err_set(err, KY_E_VERIFY,
				  "%s: from node %s, which is not a pinned "
				  "peer: refused",
				  x->name, x->stats->from);
	if (r != 0)
		return r;
	x->have_sender = true;
	snprintf(x->stats->peer, sizeof(x->stats->peer), "%s", x->snd.name);
	if ((r = ky_peer_state_get(x->st, x->snd.name, "bundle_in", &have,
				   err)) != 0)
		return r;
	if (seq <= have)
		return ky_err_set(err, KY_E_VERIFY,
				  "%s: bundle %lld from %s was already "
				  "applied (replay): refused",
				  x->name, (long long)seq, x->snd.name);
	if (seq > have + 1) {
		char missing[64];

		if (seq == have + 2)
			snprintf(missing, sizeof(missing), "bundle %lld",
				 (long long)have + 1);
		else
			snprintf(missing, sizeof(missing), "bundles %lld-%lld",
				 (long long)have + 1, (long long)seq - 1);
		return ky_err_set(err, KY_E_VERIFY,
				  "%s: bundle %lld from %s arrives before %s "
				  "(a gap): import those first",
				  x->name, (long long)seq, x->snd.name,
				  missing);
	}
	return 0;
}

static int start_segment(struct imp *x)
{
	struct ky_peer_row row = {.name = x->snd.name,
				  .node_id = x->snd.node_id,
				  .pubkey = x->snd.pubkey,
				  .country = x->snd.country};
	int r;

	if ((r = ky_store_begin(x->st, x->err)) != 0)
		return r;
	if ((r = ky_batch_in_new(x->st, x->self, &row, &x->b, x->err)) != 0)
		ky_store_rollback(x->st);
	return r;
}

static int end_segment(struct imp *x)
{
	struct ky_batch_result res;
	int r = ky_batch_in_finish(x->b, &res, x->err);

	if (r == 0 && res.bundle_seq != x->stats->seq)
		r = ky_err_set(x->err, KY_E_VERIFY,
			       "%s: a segment numbered %lld inside bundle %lld",
			       x->name, (long long)res.bundle_seq,
			       (long long)x->stats->seq);
	if (r == 0 && res.after != x->expect_after)
		r = ky_err_set(x->err, KY_E_VERIFY,
			       "%s: segment starts at %lld, the previous ended "
			       "at %lld (segments missing or reordered)",
			       x->name, (long long)res.after,
			       (long long)x->expect_after);
	if (r == 0) {
		x->stats->batches++;
		x->stats->sent += res.added;
		x->stats->duplicate += res.duplicate;
		x->stats->stale += res.stale;
		x->stats->refused += res.refused;
		x->stats->last = x->expect_after = res.last;
		r = ky_store_commit(x->st, x->err);
	}
	if (r == 0 && x->rec)
		ky_batch_in_record(x->b, x->rec, x->rud);
	if (r != 0)
		ky_store_rollback(x->st);
	free(res.checkpoint);
	ky_batch_in_free(x->b);
	x->b = NULL;
	return r;
}

static int line(struct imp *x, const char *p, size_t n)
{
	int r;

	if (!x->have_sender && (r = first_header(x, p, n)) != 0)
		return r;
	if (x->b == NULL && (r = start_segment(x)) != 0)
		return r;
	if ((r = ky_batch_in_line(x->b, p, n, x->err)) != 0) {
		ky_err_prefix(x->err, "%s: segment %zu", x->name,
			      x->stats->batches + 1);
		return r;
	}
	/* the trailer ends a segment */
	if (ky_batch_in_done(x->b))
		return end_segment(x);
	return 0;
}

int ky_bundle_import(struct ky_store *st, const struct ky_share_self *self,
		     FILE *in, const char *name, ky_batch_record_fn rec,
		     void *rud, struct ky_bundle_stats *stats,
		     struct ky_err *err)
{
	struct imp x = {.st = st,
			.self = self,
			.name = name,
			.rec = rec,
			.rud = rud,
			.stats = stats,
			.err = err};
	ZSTD_DCtx *dz = ZSTD_createDCtx();
	uint8_t *ibuf = malloc(IN_CHUNK), *obuf = NULL;
	size_t ocap = ZSTD_DStreamOutSize(), got, zr = 1;
	struct ky_buf ln;
	int r = 0;

	memset(stats, 0, sizeof(*stats));
	ky_buf_init(&ln, KY_BATCH_LINE_MAX);
	if (dz == NULL || ibuf == NULL || (obuf = malloc(ocap)) == NULL) {
		r = ky_err_set(err, KY_E_NOMEM, "bundle: out of memory");
		goto out;
	}
	while (r == 0 && (got = fread(ibuf, 1, IN_CHUNK, in)) > 0) {
		ZSTD_inBuffer zi = {ibuf, got, 0};

		stats->bytes += got;
		while (r == 0 && zi.pos < zi.size) {
			ZSTD_outBuffer zo = {obuf, ocap, 0};

			zr = ZSTD_decompressStream(dz, &zo, &zi);
			if (ZSTD_isError(zr)) {
				r = ky_err_set(err, KY_E_PARSE,
					       "%s: not a valid zstd stream "
					       "(%s) at compressed byte %zu",
					       name, ZSTD_getErrorName(zr),
					       stats->bytes - got + zi.pos);
				break;
			}
			/* whole runs up to each newline, not byte by byte */
			for (size_t i = 0; r == 0 && i < zo.pos;) {
				const unsigned char *nl =
					memchr(obuf + i, '\n', zo.pos - i);
				size_t k = nl ? (size_t)(nl - obuf) + 1 - i
					      : zo.pos - i;

				if (ky_buf_add(&ln, obuf + i, k) != 0) {
					r = ky_err_set(err, KY_E_TOOBIG,
						       "%s: a line longer than "
						       "%d bytes",
						       name, KY_BATCH_LINE_MAX);
					break;
				}
				i += k;
				if (nl != NULL) {
					r = line(&x, ln.data, ln.len);
					ky_buf_reset(&ln);
				}
			}
		}
	}
	if (r == 0 && ferror(in))
		r = ky_err_set(err, KY_E_IO, "%s: read error", name);
	if (r == 0 && zr != 0)
		r = ky_err_set(err, KY_E_PARSE,
			       "%s: the zstd stream is cut short", name);
	if (r == 0 && (ln.len > 0 || x.b != NULL))
		r = ky_err_set(err, KY_E_VERIFY,
			       "%s: ends inside a segment (cut short): that "
			       "segment is not applied",
			       name);
	if (r == 0 && !x.have_sender)
		r = ky_err_set(err, KY_E_PARSE, "%s: empty bundle", name);
	if (r == 0 && (r = ky_peer_state_put(st, x.snd.name, "bundle_in",
					     stats->seq, err)) == 0)
		r = ky_peer_state_put(st, x.snd.name, "bundle_in_cursor",
				      stats->last, err);
out:
	if (x.b != NULL) {
		ky_batch_in_free(x.b);
		ky_store_rollback(st);
	}
	sender_free(&x.snd);
	ky_buf_free(&ln);
	ZSTD_freeDCtx(dz);
	free(ibuf);
	free(obuf);
	return r;
}
