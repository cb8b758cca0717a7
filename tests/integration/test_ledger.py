#!/usr/bin/env python3
"""Integration test of `kyklos ledger`: entries appended and shown, an
inclusion and a consistency proof printed and verified, the whole log
verified, a torn write at the end cut back at the next command, and a
changed entry caught by `ledger verify`.

Needs KYKLOS_BIN (set by meson); python3 stdlib only."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from kytest import FAILURES, check

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-ledger-")
    node = os.path.join(tmp, "node")

    def run(*args):
        return subprocess.run([KYKLOS, "--home", node] + list(args),
                              capture_output=True, timeout=60)

    try:
        subprocess.run([KYKLOS, "init", node], check=True,
                       capture_output=True, timeout=60)
        for i in range(12):
            r = run("--json", "ledger", "append", "--kind",
                    "sent" if i % 2 else "received", "--data",
                    "object %d" % i, "--peer", "csirt-de", "--policy", "v3")
            if i == 0:
                j = json.loads(r.stdout)
                check(r.returncode == 0 and j["index"] == 0 and
                      j["size"] == 1, "first entry appended: %s" % j)
        r = run("ledger", "append", "--kind", "bad kind", "--data", "x")
        check(r.returncode == 2 and b"entry kind" in r.stderr,
              "a bad kind is refused")
        r = run("ledger", "show", "--json")
        rows = [json.loads(x) for x in r.stdout.splitlines()]
        check(len(rows) == 12 and rows[5]["kind"] == "sent" and
              rows[5]["peer"] == "csirt-de" and rows[5]["policy"] == "v3",
              "entries shown")
        import hashlib
        check(rows[3]["object"] ==
              hashlib.sha256(b"object 3").hexdigest(),
              "the object is the SHA-256 of the data")
        r = run("ledger", "prove", "5")
        out = r.stdout.decode()
        check(r.returncode == 0 and out.endswith("verified\n") and
              "inclusion proof (4 hashes)" in out,
              "inclusion proof of entry 5 in 12: %s" % out)
        r = run("ledger", "prove", "--consistency", "7", "12")
        check(r.returncode == 0 and r.stdout.endswith(b"verified\n"),
              "consistency proof 7 -> 12")
        r = run("ledger", "verify")
        check(r.returncode == 0 and b"12 entries verified" in r.stdout,
              "the whole log verifies")
        entries = os.path.join(node, "data", "ledger", "entries")
        size = os.path.getsize(entries)
        with open(entries, "ab") as f:  # a torn append
            f.write(b"\x50\x00\x00\x00garbage")
        r = run("ledger", "show", "--last", "1")
        check(r.returncode == 0 and b"11 bytes of a torn entry" in r.stderr
              and b"12 entries" in r.stderr,
              "a reader sees the torn write and ignores it: %s" % r.stderr)
        r = run("ledger", "append", "--kind", "x", "--data", "y")
        check(r.returncode == 0 and b"cut 11 bytes" in r.stderr and
              b"entry 12:" in r.stdout, "the next append cuts it back")
        with open(entries, "rb") as f:
            data = f.read()
        check(b"garbage" not in data and len(data) > size,
              "only complete entries remain")
        with open(entries, "r+b") as f:  # change a byte of entry 0
            data = bytearray(f.read())
            pos = data.index(b"received") + 2
            data[pos] ^= 0x01
            f.seek(0)
            f.write(data)
        r = run("ledger", "verify")
        check(r.returncode == 1 and b"entry 0" in r.stderr,
              "a changed entry is found: %s" % r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
