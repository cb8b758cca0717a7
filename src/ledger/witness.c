/* Witness state: DIR/<origin key>.note holds the last checkpoint seen from
 * an origin (replaced atomically by rename), DIR/forks/ the evidence of
 * contradicting checkpoints, both signed notes as received. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "ledger/witness.h"

const char *ky_witness_verdict_name(enum ky_witness_verdict v)
{
	static const char *const names[] = {"first", "same", "consistent",
					    "stale", "fork"};

	return (unsigned)v < 5 ? names[v] : "unknown";
}

/* A file name for an origin: hex of SHA-256(origin), so any origin text
 * is safe on disk. */
static void origin_file(const char *dir, const char *origin, const char *ext,
			char *out, size_t cap)
{
	unsigned char h[32];
	unsigned int hl = 32;
	char hex[33];

	EVP_Digest(origin, strlen(origin), h, &hl, EVP_sha256(), NULL);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	snprintf(out, cap, "%s/%s%s", dir, hex, ext);
}

static int write_atomic(const char *path, const char *a, size_t an,
			const char *b, size_t bn, struct ky_err *err)
{
	char tmp[4300];
	int fd;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return ky_err_set(err, KY_E_IO, "%s: %s", tmp, strerror(errno));
	ok = write(fd, a, an) == (ssize_t)an &&
	     (b == NULL || write(fd, b, bn) == (ssize_t)bn) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return ky_err_set(err, KY_E_IO, "%s: %s", path,
				  strerror(errno));
	}
	return 0;
}

static int read_file(const char *path, char **out, size_t *n,
		     struct ky_err *err)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long len;

	*out = NULL;
	if (f == NULL)
		return ky_err_set(err,
				  errno == ENOENT ? KY_E_NOTFOUND : KY_E_IO,
				  "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    len > (long)KY_NOTE_MAX || fseek(f, 0, SEEK_SET) != 0 ||
	    (b = malloc((size_t)len + 1)) == NULL ||
	    fread(b, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(b);
		return ky_err_set(err, KY_E_IO, "%s: cannot read", path);
	}
	fclose(f);
	b[len] = '\0';
	*out = b;
	*n = (size_t)len;
	return 0;
}

int ky_witness_last(const char *state_dir, const char *origin, char **note,
		    size_t *n, struct ky_err *err)
{
	char path[4200];

	origin_file(state_dir, origin, ".note", path, sizeof(path));
	return read_file(path, note, n, err);
}

/* Parses and verifies a note and its checkpoint body. */
static int open_note(const char *text, size_t n,
		     const struct ky_note_verifier *key, struct ky_note *note,
		     struct ky_checkpoint *cp, struct ky_err *err)
{
	int r;

	memset(note, 0, sizeof(*note));
	memset(cp, 0, sizeof(*cp));
	if ((r = ky_note_parse(text, n, note, err)) != 0)
		return r;
	if ((r = ky_note_verify(note, key, 1, NULL, err)) != 0 ||
	    (r = ky_checkpoint_parse(note->text, note->text_len, cp, err)) !=
		    0) {
		ky_note_free(note);
		return r;
	}
	return 0;
}

static int keep_evidence(const char *dir, const char *origin, const char *prev,
			 size_t pn, const char *cur, size_t cn,
			 struct ky_witness_result *res, struct ky_err *err)
{
	char fdir[4200], base[4300];
	struct timespec ts;

	snprintf(fdir, sizeof(fdir), "%s/forks", dir);
	if (mkdir(fdir, 0700) != 0 && errno != EEXIST)
		return ky_err_set(err, KY_E_IO, "%s: %s", fdir,
				  strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	origin_file(fdir, origin, "", base, sizeof(base));
	snprintf(res->evidence, sizeof(res->evidence), "%.4150s-%lld.txt", base,
		 (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	/* the two notes as received, one after the other */
	return write_atomic(res->evidence, prev, pn, cur, cn, err);
}

int ky_witness_check(const char *state_dir, const struct ky_note_verifier *key,
		     const char *note, size_t n, const ky_hash256 *proof,
		     size_t nproof, struct ky_witness_result *res,
		     struct ky_err *err)
{
	struct ky_note cur_note, prev_note;
	struct ky_checkpoint cur, prev;
	char path[4200], *prev_text = NULL;
	size_t prev_n = 0;
	struct ky_err e2 = {0};
	bool have_prev = false;
	int r;

	memset(res, 0, sizeof(*res));
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
		return ky_err_set(err, KY_E_IO, "%s: %s", state_dir,
				  strerror(errno));
	if ((r = open_note(note, n, key, &cur_note, &cur, err)) != 0)
		return r;
	res->size = cur.size;
	origin_file(state_dir, cur.origin, ".note", path, sizeof(path));
	r = read_file(path, &prev_text, &prev_n, &e2);
	if (r == 0) {
		/* what we stored was verified when stored: still check it */
		if ((r = open_note(prev_text, prev_n, key, &prev_note, &prev,
				   err)) != 0) {
			ky_err_prefix(err, "stored checkpoint %s", path);
			goto out;
		}
		have_prev = true;
		res->prev_size = prev.size;
	} else if (r != KY_E_NOTFOUND) {
		*err = e2;
		goto out;
	}
	r = 0;
	if (!have_prev) {
		res->verdict = KY_WIT_FIRST;
	} else if (cur.size == prev.size) {
		if (memcmp(cur.root, prev.root, KY_HASH_LEN) == 0) {
			res->verdict = KY_WIT_SAME;
		} else {
			res->verdict = KY_WIT_FORK;
			snprintf(res->reason, sizeof(res->reason),
				 "two roots for size %llu",
				 (unsigned long long)cur.size);
		}
	} else if (cur.size < prev.size) {
		res->verdict = KY_WIT_STALE;
	} else if (prev.size == 0) {
		res->verdict = KY_WIT_CONSISTENT; /* every tree extends it */
	} else if (proof == NULL) {
		r = ky_err_set(err, KY_E_INVAL,
			       "checkpoint of %s grows from %llu to %llu: a "
			       "consistency proof is needed",
			       cur.origin, (unsigned long long)prev.size,
			       (unsigned long long)cur.size);
		goto out;
	} else if (ky_merkle_verify_consistency(prev.size, cur.size, prev.root,
						cur.root, proof, nproof,
						&e2) == 0) {
		res->verdict = KY_WIT_CONSISTENT;
	} else {
		res->verdict = KY_WIT_FORK;
		snprintf(res->reason, sizeof(res->reason),
			 "not consistent with size %llu: %.160s",
			 (unsigned long long)prev.size, e2.msg);
	}
	if (res->verdict == KY_WIT_FORK)
		r = keep_evidence(state_dir, cur.origin, prev_text, prev_n,
				  note, n, res, err);
	else if (res->verdict != KY_WIT_STALE && res->verdict != KY_WIT_SAME)
		r = write_atomic(path, note, n, NULL, 0, err);
out:
	if (have_prev) {
		ky_note_free(&prev_note);
		ky_checkpoint_free(&prev);
	}
	ky_note_free(&cur_note);
	ky_checkpoint_free(&cur);
	free(prev_text);
	return r;
}

char *ky_witness_fork_json(const char *origin,
			   const struct ky_witness_result *res)
{
	json_t *j = json_pack(
		"{s:{s:s, s:s, s:s, s:[s, s]}, s:{s:s, s:I, s:I, s:s, s:s}}",
		"rule", "id", "kyklos-ledger-fork", "title",
		"Ledger fork of a peer", "level", "critical", "tags",
		"attack.t1565",
		"rsit.information-content-security."
		"unauthorised-information-modification",
		"fork", "origin", origin, "seen_size",
		(json_int_t)res->prev_size, "new_size", (json_int_t)res->size,
		"reason", res->reason, "evidence", res->evidence);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return text;
}
