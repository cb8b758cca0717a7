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


def witness(tmp, run):
    """A second node witnesses the first: cosigns a consistent growth,
    refuses growth without a proof, and catches a fork."""
    wnode = os.path.join(tmp, "witness")
    ecnode = os.path.join(tmp, "ec")
    subprocess.run([KYKLOS, "init", wnode], check=True, capture_output=True,
                   timeout=60)

    def wrun(*args):
        return subprocess.run([KYKLOS, "--home", wnode] + list(args),
                              capture_output=True, timeout=60)

    keys = run("ledger", "checkpoint", "--verifier").stdout.decode()
    logkey = [x.split(" ", 1)[1] for x in keys.splitlines()
              if x.startswith("log ")][0]
    wkey = [x.split(" ", 1)[1] for x in
            wrun("ledger", "checkpoint", "--verifier").stdout.decode()
            .splitlines() if x.startswith("witness ")][0]
    cp1 = os.path.join(tmp, "cp1")
    with open(cp1, "wb") as f:
        f.write(run("ledger", "checkpoint").stdout)
    size1 = int(open(cp1).read().splitlines()[1])
    r = wrun("ledger", "cosign", cp1, "--key", logkey)
    check(r.returncode == 0 and b"first" in r.stderr, "first checkpoint "
          "cosigned: %s" % r.stderr)
    run("ledger", "append", "--kind", "k", "--data", "more")
    cp2 = os.path.join(tmp, "cp2")
    with open(cp2, "wb") as f:
        f.write(run("ledger", "checkpoint").stdout)
    size2 = int(open(cp2).read().splitlines()[1])
    r = wrun("ledger", "cosign", cp2, "--key", logkey)
    check(r.returncode == 1 and b"consistency proof is needed" in r.stderr,
          "growth without a proof refused")
    proof = os.path.join(tmp, "proof")
    run("ledger", "prove", "--consistency", str(size1), str(size2),
        "-o", proof)
    r = wrun("ledger", "cosign", cp2, "--key", logkey, "--proof", proof)
    check(r.returncode == 0 and b"consistent" in r.stderr,
          "consistent growth cosigned")
    cosigned = os.path.join(tmp, "cp2c")
    with open(cosigned, "wb") as f:
        f.write(r.stdout)
    r = run("ledger", "verify-checkpoint", cosigned, "--key", logkey,
            "--witness", wkey)
    check(r.returncode == 0 and b"cosigned by" in r.stdout,
          "the log key and the witness cosignature verify: %s" % r.stderr)
    r = run("ledger", "verify-checkpoint", cp2, "--key", logkey,
            "--witness", wkey)
    check(r.returncode == 1 and b"no cosignature" in r.stderr,
          "a missing cosignature is reported")
    # a fork: the same node rewrites its history and signs it
    ldir = os.path.join(tmp, "node", "data", "ledger")
    shutil.move(ldir, ldir + ".old")
    for i in range(size2 + 1):
        run("ledger", "append", "--kind", "forged", "--data", str(i))
    cp3 = os.path.join(tmp, "cp3")
    with open(cp3, "wb") as f:
        f.write(run("ledger", "checkpoint").stdout)
    run("ledger", "prove", "--consistency", str(size2), str(size2 + 1),
        "-o", proof)
    r = wrun("ledger", "cosign", cp3, "--key", logkey, "--proof", proof)
    check(r.returncode == 1 and b"FORK" in r.stderr and
          b"evidence kept" in r.stderr, "the fork is caught: %s" % r.stderr)
    forks = os.path.join(wnode, "data", "ledger", "witness", "forks")
    ev = os.listdir(forks) if os.path.isdir(forks) else []
    check(len(ev) == 1 and open(os.path.join(forks, ev[0])).read()
          .count("\u2014 ") == 2, "both signed notes kept as evidence")
    lst = subprocess.run([KYKLOS, "--home", wnode, "--json", "incidents",
                          "list"], capture_output=True, timeout=60)
    incs = json.loads(lst.stdout or b"[]")
    check(any(x["band"] == "critical" and "fork" in x["title"].lower()
              for x in incs), "the fork became a critical incident: %s"
          % incs)
    # an ECDSA P-256 node's checkpoints verify with its DER SPKI key
    subprocess.run([KYKLOS, "init", ecnode, "--algorithm", "ecdsa-p256"],
                   check=True, capture_output=True, timeout=60)

    def erun(*args):
        return subprocess.run([KYKLOS, "--home", ecnode] + list(args),
                              capture_output=True, timeout=60)
    erun("ledger", "append", "--kind", "k", "--data", "x")
    eckey = [x.split(" ", 1)[1] for x in
             erun("ledger", "checkpoint", "--verifier").stdout.decode()
             .splitlines() if x.startswith("log ")][0]
    cpe = os.path.join(tmp, "cpe")
    with open(cpe, "wb") as f:
        f.write(erun("ledger", "checkpoint").stdout)
    r = wrun("ledger", "verify-checkpoint", cpe, "--key", eckey)
    check(r.returncode == 0, "a P-256 checkpoint verifies: %s" % r.stderr)
    r = wrun("ledger", "verify-checkpoint", cpe, "--key", logkey)
    check(r.returncode == 1, "not with another node's key")


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
        witness(tmp, run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
