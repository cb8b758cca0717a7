#!/usr/bin/env python3
"""Instructions per object of the sync paths, which a loaded machine does
not move (issue 6).  A publishes N indicators; `kyklos bundle export
--peer d` (the sender's path: read the change log, apply the policy, write
and sign the batch lines, record each object in the ledger) and `kyklos
bundle import` on D (the receiver's path: parse each line, check the
STIX object and the seals, store it, record it) run under callgrind; a
bundle is a sync batch in a file, so these are the paths of a pull
without the TLS.  The floor, in the same run: `zstd -d` of the same
bundle (the decompression alone) under callgrind.

With --policy pseudonymise A's rule replaces every object's host names by
keyed tokens, so A canonicalises, hashes and seals each derived version
and B cannot keep the bytes as received (as bench/sync.py's default).

--keep DIR keeps the callgrind files (exp.cg, imp.cg) there for
callgrind_annotate.

Usage: bench/bundle_instr.py KYKLOS_BIN [-n N] [--policy plain|pseudonymise]
       [--keep DIR]   (needs valgrind)"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile

from bundle import pair, publish  # the same two nodes and objects


def instructions(cmd, out):
    """Runs cmd under callgrind; returns its instruction count."""
    r = subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=" + out] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        raise SystemExit("bench: %s failed:\n%s" % (cmd, r.stderr[-2000:]))
    m = re.search(r"refs:\s+([\d,]+)", r.stderr)
    return int(m.group(1).replace(",", ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kyklos")
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--policy", choices=["plain", "pseudonymise"],
                    default="plain")
    ap.add_argument("--keep", help="a folder for the callgrind files")
    o = ap.parse_args()
    for tool in ("valgrind", "zstd"):
        if not shutil.which(tool):
            raise SystemExit("bench: %s is not installed "
                             "(scripts/install-bench-deps.sh)" % tool)
    k, n = o.kyklos, o.n
    tmp = tempfile.mkdtemp(prefix="kyklos-bench-instr-")
    try:
        a, d = os.path.join(tmp, "a"), os.path.join(tmp, "d")
        pair(k, a, d, "    pseudonymise: {hosts: hmac}\n"
             if o.policy == "pseudonymise" else "")
        publish(k, a, n, tmp, hosts=True)
        kyb = os.path.join(tmp, "a-to-d.kyb")
        exp = instructions([k, "--home", a, "bundle", "export", "--peer",
                            "d", "-o", kyb], os.path.join(tmp, "exp.cg"))
        imp = instructions([k, "--home", d, "bundle", "import", kyb],
                           os.path.join(tmp, "imp.cg"))
        zst = instructions(["zstd", "-d", "-q", "-f", kyb, "-o",
                            os.path.join(tmp, "plain")],
                           os.path.join(tmp, "zstd.cg"))
        held = subprocess.run(
            [k, "--home", d, "share", "objects", "--type", "indicator"],
            capture_output=True, text=True).stdout.count("\n")
        print("%d objects (policy %s), bundle %d bytes; instructions per "
              "object (callgrind, whole process):" %
              (n, o.policy, os.path.getsize(kyb)))
        print("  export (sender path)    %8d" % (exp // n))
        print("  import (receiver path)  %8d" % (imp // n))
        print("  floor: zstd -d          %8d" % (zst // n))
        print("  D holds %d of %d indicators" % (held, n))
        if held != n:
            raise SystemExit("bench: D is missing objects")
        if o.keep:
            os.makedirs(o.keep, exist_ok=True)
            for f in ("exp.cg", "imp.cg"):
                shutil.copy(os.path.join(tmp, f), os.path.join(o.keep, f))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
