/* The ledger on disk (ledger/log.h): entries round trip, proofs from the
 * stored tree verify, a torn write at the end is cut back at open and
 * reported, damage in the middle is refused, a rewritten entry is caught by
 * verify, lost index and tree files are rebuilt, one writer at a time. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ledger/log.h"

#define T0 1767225600000000000LL

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ky-ledger-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char path_buf[128];

static const char *file(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/log/%s", dir, name);
	return path_buf;
}

static struct ky_ledger *open_log(struct ky_ledger_repair *rep)
{
	char d[96];
	struct ky_ledger *l = NULL;
	struct ky_err err = {0};

	snprintf(d, sizeof(d), "%s/log", dir);
	if (ky_ledger_open(d, KY_LEDGER_CREATE, &l, rep, &err) != 0)
		fail_msg("open: %s", err.msg);
	return l;
}

static void fill(struct ky_ledger *l, uint64_t from, uint64_t to)
{
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	ky_hash256 obj;
	char peer[32];

	for (uint64_t i = from; i < to; i++) {
		memset(obj, (int)(i & 0xff), sizeof(obj));
		snprintf(peer, sizeof(peer), "node-%llu",
			 (unsigned long long)(i % 3));
		assert_int_equal(ky_ledger_entry_set(
					 &e, i % 2 ? "sent" : "received", obj,
					 peer, "p7", T0 + (int64_t)i, &err),
				 0);
		uint64_t idx;
		assert_int_equal(ky_ledger_append(l, &e, &idx, &err), 0);
		assert_int_equal(idx, i);
	}
	assert_int_equal(ky_ledger_sync(l, &err), 0);
}

static void check_proofs(struct ky_ledger *l)
{
	ky_hash256 root, root1, leaf, proof[KY_MERKLE_MAX_PROOF], vr;
	struct ky_err err = {0};
	uint64_t n = ky_ledger_size(l);
	size_t np;

	assert_int_equal(ky_ledger_root(l, n, root, &err), 0);
	assert_int_equal(ky_ledger_verify(l, vr, &err), 0);
	assert_memory_equal(root, vr, KY_HASH_LEN);
	for (uint64_t i = 0; i < n; i += 7) {
		assert_int_equal(ky_ledger_leaf_hash(l, i, leaf, &err), 0);
		assert_int_equal(ky_ledger_inclusion(l, i, n, proof, &np, &err),
				 0);
		assert_int_equal(ky_merkle_verify_inclusion(i, n, leaf, proof,
							    np, root, &err),
				 0);
		if (i == 0)
			continue;
		assert_int_equal(ky_ledger_root(l, i, root1, &err), 0);
		assert_int_equal(
			ky_ledger_consistency(l, i, n, proof, &np, &err), 0);
		assert_int_equal(ky_merkle_verify_consistency(i, n, root1, root,
							      proof, np, &err),
				 0);
	}
}

static void test_round_trip(void **state)
{
	struct ky_ledger_repair rep;
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	struct ky_ledger *l = open_log(&rep);

	(void)state;
	assert_int_equal(rep.entries, 0);
	fill(l, 0, 100);
	check_proofs(l);
	ky_ledger_close(l);
	l = open_log(&rep);
	assert_int_equal(rep.entries, 100);
	assert_int_equal(rep.cut_bytes, 0);
	assert_int_equal(ky_ledger_get(l, 41, &e, &err), 0);
	assert_string_equal(e.kind, "sent");
	assert_string_equal(e.peer, "node-2");
	assert_string_equal(e.policy, "p7");
	assert_int_equal(e.time_ns, T0 + 41);
	assert_int_equal(e.object[5], 41);
	assert_int_equal(ky_ledger_get(l, 100, &e, &err), KY_E_NOTFOUND);
	fill(l, 100, 157); /* appends continue the reopened tree */
	check_proofs(l);
	ky_ledger_close(l);
}

static void test_entry_encoding(void **state)
{
	struct ky_ledger_entry e, d;
	struct ky_err err = {0};
	ky_hash256 obj;
	char line[512];
	size_t n;

	(void)state;
	memset(obj, 0xab, sizeof(obj));
	assert_int_equal(
		ky_ledger_entry_set(&e, "shared", obj, "", "", 5, &err), 0);
	n = ky_ledger_entry_encode(&e, line, sizeof(line));
	assert_true(n > 0);
	assert_int_equal(ky_ledger_entry_decode(line, n, &d, &err), 0);
	assert_string_equal(d.peer, "");
	assert_non_null(strstr(line, " - - 5\n"));
	/* the exact bytes (they are what the leaves hash) */
	assert_int_equal(ky_ledger_entry_set(&e, "sent", obj, "node-2", "p7",
					     1700000000123456789LL, &err),
			 0);
	n = ky_ledger_entry_encode(&e, line, sizeof(line));
	assert_string_equal(line, "kyklos-ledger/1 sent "
				  "abababababababababababababababab"
				  "abababababababababababababababab"
				  " node-2 p7 1700000000123456789\n");
	assert_int_equal(n, strlen(line));
	/* a buffer one byte short of the line and its NUL: nothing */
	assert_int_equal(ky_ledger_entry_encode(&e, line, n), 0);
	assert_int_equal(ky_ledger_entry_encode(&e, line, n + 1), n);
	assert_int_equal(
		ky_ledger_entry_set(&e, "has space", obj, "", "", 5, &err),
		KY_E_INVAL);
	assert_int_equal(ky_ledger_entry_set(&e, "k", obj, "a b", "", 5, &err),
			 KY_E_INVAL);
	assert_int_equal(ky_ledger_entry_set(&e, "k", obj, "", "", 0, &err),
			 KY_E_INVAL);
	/* one encoding per entry: variants refused */
	const char *bad[] = {
		"kyklos-ledger/1 k " /* upper-case hex */
		"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"
		"ABAB - - 5\n",
		"kyklos-ledger/1 k "
		"abababababababababababababababababababababababababababababab"
		"abab - - 05\n",
		"kyklos-ledger/1  k "
		"abababababababababababababababababababababababababababababab"
		"abab - - 5\n",
		"kyklos-ledger/2 k "
		"abababababababababababababababababababababababababababababab"
		"abab - - 5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ky_ledger_entry_decode(bad[i], strlen(bad[i]),
							&d, &err),
				 KY_E_PARSE);
}

static off_t size_of(const char *p)
{
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	return st.st_size;
}

static void test_torn_write(void **state)
{
	struct ky_ledger_repair rep;
	struct ky_ledger *l = open_log(&rep);
	off_t full;
	int fd;

	(void)state;
	fill(l, 0, 20);
	ky_ledger_close(l);
	full = size_of(file("entries"));
	/* a torn append: half a record after the last complete one */
	fd = open(file("entries"), O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x60\0\0\0\x12\x34\x56\x78kyklos-le", 17),
			 17);
	close(fd);
	l = open_log(&rep);
	assert_int_equal(rep.entries, 20);
	assert_int_equal(rep.cut_bytes, 17);
	assert_int_equal(size_of(file("entries")), full);
	check_proofs(l);
	fill(l, 20, 25);
	ky_ledger_close(l);
	/* the last record cut in the middle: that entry goes, no other */
	full = size_of(file("entries"));
	assert_int_equal(truncate(file("entries"), full - 10), 0);
	l = open_log(&rep);
	assert_int_equal(rep.entries, 24);
	assert_true(rep.cut_bytes > 0);
	assert_true(rep.index_fixed >= 1); /* the index pointed at it */
	check_proofs(l);
	ky_ledger_close(l);
}

/* Flips one byte of the entries file at off. */
static void flip(off_t off)
{
	int fd = open(file("entries"), O_RDWR);
	unsigned char c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x01;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

static void test_damage(void **state)
{
	struct ky_ledger_repair rep;
	struct ky_ledger *l = open_log(&rep);
	struct ky_err err = {0};
	char d[96];
	ky_hash256 root;

	(void)state;
	fill(l, 0, 30);
	ky_ledger_close(l);
	/* a byte of an early entry changed: its checksum fails and records
	 * follow it, so it is not a torn write: refused, nothing cut */
	flip(40);
	snprintf(d, sizeof(d), "%s/log", dir);
	l = NULL;
	/* open trusts the index up to its last entry; verify finds it */
	assert_int_equal(ky_ledger_open(d, 0, &l, &rep, &err), 0);
	assert_int_equal(ky_ledger_verify(l, root, &err), KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "entry 0"));
	ky_ledger_close(l);
	flip(40);
	/* damage past the index (the index lost its last entries) is found
	 * while reading them back at open, and refused */
	assert_int_equal(truncate(file("index"), 8 * 10), 0);
	flip(size_of(file("entries")) / 2);
	assert_int_equal(ky_ledger_open(d, 0, &l, &rep, &err), KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "not the last"));
	flip(size_of(file("entries")) / 2);
	l = open_log(&rep);
	assert_int_equal(rep.entries, 30);
	check_proofs(l);
	ky_ledger_close(l);
}

static void test_rewritten_entry(void **state)
{
	struct ky_ledger_repair rep;
	struct ky_ledger *l = open_log(&rep);
	struct ky_ledger_entry e;
	struct ky_err err = {0};
	ky_hash256 root;
	char line[512];
	uint8_t h[8];
	size_t n;
	int fd;

	(void)state;
	fill(l, 0, 10);
	ky_ledger_close(l);
	/* rewrite entry 0 in place with a valid record of the same length:
	 * checksum and encoding fine, so only the tree can tell */
	l = open_log(&rep);
	assert_int_equal(ky_ledger_get(l, 0, &e, &err), 0);
	ky_ledger_close(l);
	e.object[0] ^= 0xff;
	n = ky_ledger_entry_encode(&e, line, sizeof(line));
	fd = open(file("entries"), O_RDWR);
	assert_int_equal(pread(fd, h, 8, 0), 8);
	{
		/* CRC-32C of the new line, computed bit by bit */
		uint32_t c = 0xffffffffu;

		for (size_t i = 0; i < n; i++) {
			c ^= (uint8_t)line[i];
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		}
		c ^= 0xffffffffu;
		for (int k = 0; k < 4; k++)
			h[4 + k] = (uint8_t)(c >> (8 * k));
	}
	assert_int_equal(pwrite(fd, h, 8, 0), 8);
	assert_int_equal(pwrite(fd, line, n, 8), (ssize_t)n);
	close(fd);
	l = open_log(&rep);
	assert_int_equal(ky_ledger_verify(l, root, &err), KY_E_VERIFY);
	assert_non_null(strstr(err.msg, "entry 0"));
	assert_non_null(strstr(err.msg, "leaf hash"));
	ky_ledger_close(l);
}

static void test_rebuild_and_lock(void **state)
{
	struct ky_ledger_repair rep;
	struct ky_ledger *l = open_log(&rep), *l2 = NULL;
	struct ky_err err = {0};
	ky_hash256 before, after;
	char d[96];

	(void)state;
	fill(l, 0, 77);
	assert_int_equal(ky_ledger_root(l, 77, before, &err), 0);
	/* one writer at a time */
	snprintf(d, sizeof(d), "%s/log", dir);
	assert_int_equal(ky_ledger_open(d, 0, &l2, NULL, &err), KY_E_EXISTS);
	ky_ledger_close(l);
	/* derived files lost or damaged: rebuilt from the entries */
	assert_int_equal(unlink(file("index")), 0);
	assert_int_equal(unlink(file("tree.0")), 0);
	assert_int_equal(truncate(file("tree.2"), 5 * 32 + 7), 0);
	l = open_log(&rep);
	assert_int_equal(rep.entries, 77);
	assert_true(rep.index_fixed == 77);
	assert_true(rep.hashes_fixed >= 77);
	assert_int_equal(ky_ledger_root(l, 77, after, &err), 0);
	assert_memory_equal(before, after, KY_HASH_LEN);
	check_proofs(l);
	ky_ledger_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test(test_entry_encoding),
		cmocka_unit_test_setup_teardown(test_torn_write, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_and_lock, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
