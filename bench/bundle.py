#!/usr/bin/env python3
"""Offline bundle benchmark (issue 6: "bundles of 10^6 objects stream
without loading into memory").

A publishes N indicators (in chunks of 100,000; publishing is setup, not
measured), then `kyklos bundle export --peer d` writes one signed zstd
bundle under A's policy and `kyklos bundle import` applies it on D.  For
both the wall time, the objects per second and the peak resident memory
of the process (getrusage of the child) are printed, at N and at N/10, so
that memory that grew with N would show.  The floor, in the same run:
`zstd -d` of the same bundle to /dev/null (the decompression alone) and
its peak memory.

Usage: bench/bundle.py KYKLOS_BIN [-n N]"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid


def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03dZ" % (int(t * 1000) % 1000)


GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def measure(cmd):
    """Runs cmd in a fresh Python child so that its peak RSS is its own."""
    prog = ("import resource, subprocess, sys, time\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.PIPE)\n"
            "dt = time.monotonic() - t\n"
            "if p.returncode: sys.stderr.write(p.stderr.decode()[-800:]); "
            "sys.exit(1)\n"
            "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN)"
            ".ru_maxrss / 1024.0)\n")
    p = subprocess.run([sys.executable, "-c", prog] + cmd,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s: %s" % (" ".join(cmd), p.stderr))
    dt, rss = p.stdout.split()
    return float(dt), float(rss)


def pair(k, a, d, rule=""):
    """Two nodes a and d that pin each other; a's policy lets d have
    indicators up to TLP:AMBER, with rule's extra lines."""
    for h in (a, d):
        subprocess.run([k, "init", h], check=True, capture_output=True)
    ident = {}
    for h in (a, d):
        ident[h] = json.loads(subprocess.run(
            [k, "--home", h, "identity", "show", "--json"], check=True,
            capture_output=True, text=True).stdout)["public_key"]
    subprocess.run([k, "--home", a, "peer", "add", "d", "--key", ident[d],
                    "--country", "DE"], check=True, capture_output=True)
    subprocess.run([k, "--home", d, "peer", "add", "a", "--key", ident[a],
                    "--country", "DE"], check=True, capture_output=True)
    with open(os.path.join(a, "policy.yaml"), "w") as f:
        f.write("version: 1\nrules:\n  - match: [d]\n    tlp_max: amber\n"
                + rule)


def publish(k, a, n, tmp, hosts=False):
    """n indicators published on a, 100,000 per bundle; with hosts each
    names a host (what a pseudonymising rule changes)."""
    now = stamp(time.time())
    chunk = 100000
    for base in range(0, n, chunk):
        objs = [{"type": "indicator", "spec_version": "2.1",
                 "id": "indicator--%s" % uuid.uuid4(), "created": now,
                 "modified": now, "name": "bundle bench %d" % i,
                 "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" %
                 ((i >> 16) & 255, (i >> 8) & 255, i & 255),
                 "pattern_type": "stix", "valid_from": now,
                 "confidence": 70, "object_marking_refs": [GREEN]}
                for i in range(base, min(n, base + chunk))]
        if hosts:
            for i, o in enumerate(objs):
                o["x_kyklos_hosts"] = ["host-%d.example" % ((base + i) % 100)]
        path = os.path.join(tmp, "objs.json")
        with open(path, "w") as f:
            json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                       "objects": objs}, f)
        subprocess.run([k, "--home", a, "share", "publish", path],
                       check=True, capture_output=True)
        os.unlink(path)


def one(k, n, tmp):
    a, d = os.path.join(tmp, "a%d" % n), os.path.join(tmp, "d%d" % n)
    pair(k, a, d)
    publish(k, a, n, tmp)
    out = os.path.join(tmp, "a-to-d-%d.kyb" % n)
    te, re_ = measure([k, "--home", a, "bundle", "export", "--peer", "d",
                       "-o", out])
    size = os.path.getsize(out)
    ti, ri = measure([k, "--home", d, "bundle", "import", out])
    tz, rz = measure(["zstd", "-d", "-q", "-c", out])
    held = subprocess.run(
        [k, "--home", d, "share", "objects", "--type", "indicator"],
        capture_output=True, text=True).stdout.count("\n")
    print("%8d objects: bundle %.1f MB (zstd)" % (n, size / 1e6))
    print("  export  %6.1f s  %8.0f objects/s  peak RSS %6.1f MiB" %
          (te, n / te, re_))
    print("  import  %6.1f s  %8.0f objects/s  peak RSS %6.1f MiB" %
          (ti, n / ti, ri))
    print("  floor: zstd -d of the bundle %.2f s, peak RSS %.1f MiB" %
          (tz, rz))
    print("  D holds %d indicators (%s)" % (held, "all" if held == n else
                                             "MISSING SOME"))
    for h in (a, d):
        shutil.rmtree(h, ignore_errors=True)
    os.unlink(out)
    return re_, ri, held == n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kyklos")
    ap.add_argument("-n", type=int, default=1000000)
    o = ap.parse_args()
    if not shutil.which("zstd"):
        raise SystemExit("bench: zstd (the floor) is not installed")
    tmp = tempfile.mkdtemp(prefix="kyklos-bench-bundle-")
    try:
        small = one(o.kyklos, max(1, o.n // 10), tmp)
        big = one(o.kyklos, o.n, tmp)
        grow_e = big[0] / small[0] if small[0] else 0
        grow_i = big[1] / small[1] if small[1] else 0
        print("peak RSS at %d / at %d objects: export %.2fx, import %.2fx "
              "(streamed: ~1x; loaded whole: ~10x)" %
              (o.n, o.n // 10, grow_e, grow_i))
        print("goal: bundles stream without loading into memory: %s" %
              ("met" if grow_e < 2 and grow_i < 2 and big[2] else
               "NOT met"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
