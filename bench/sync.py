#!/usr/bin/env python3
"""Sync benchmark (issue 6): two `kyklos serve` nodes on 127.0.0.1.

1. Throughput: N indicators are published on A (sealed, into its change
   log); then B starts and pulls them over mutual TLS 1.3 with bindings,
   A applying its policy (with pseudonymisation rules) per object and B
   verifying seals and trailers and storing every object.  Objects per
   second = N / (time from B's start until B holds all N).
2. The floor, in the same run: the same number of bytes (what A actually
   sent, from its kyklos_sync_bytes_total metric) copied over plain TLS 1.3
   on loopback (OpenSSL through Python's ssl module, both ends).
3. Latency: one object at a time published on A (the CLI's own start is
   excluded: the clock starts when `kyklos share publish` returns) until B
   has stored it; p50 and p99 over M objects.

Usage: bench/sync.py KYKLOS_BIN [-n N] [-m M]
Environment: BENCH_SYNC_LOG (daemons' log level), BENCH_SYNC_KEEP (keep
the temporary directory), BENCH_SYNC_WRAP (command put before each
daemon, NAME replaced by a or b), BENCH_SYNC_PERF=FILE (perf record both
daemons during the throughput phase)."""

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from kytest import scrape, set_keys, wait_for  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03dZ" % (int(t * 1000) % 1000)


GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def indicators(n, tag):
    now = stamp(time.time())
    return [{"type": "indicator", "spec_version": "2.1",
             "id": "indicator--%s" % uuid.uuid4(), "created": now,
             "modified": now, "name": "bench %s %d" % (tag, i),
             "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" %
             ((i >> 16) & 255, (i >> 8) & 255, i & 255),
             "pattern_type": "stix", "valid_from": now, "confidence": 70,
             "object_marking_refs": [GREEN],
             "x_kyklos_hosts": ["host-%d.example" % (i % 100)]}
            for i in range(n)]


class Node:
    def __init__(self, k, tmp, name):
        self.k, self.name = k, name
        self.home = os.path.join(tmp, name)
        self.port = free_port()
        self.run("init", self.home, home=False)
        set_keys(os.path.join(self.home, "kyklos.yaml"), {
            "serve.syslog_udp": "127.0.0.1:0",
            "serve.syslog_tcp": "127.0.0.1:0",
            "serve.json_tcp": "127.0.0.1:0",
            "serve.metrics": "127.0.0.1:0",
            "share.listen": "127.0.0.1:%d" % self.port,
            "share.country": "DE",
            "log.level": os.environ.get("BENCH_SYNC_LOG", "warn")})
        ident = json.loads(self.run("identity", "show", "--json").stdout)
        self.key = ident["public_key"]
        self.url = "https://127.0.0.1:%d" % self.port
        self.proc = None
        with open(os.path.join(self.home, "keys", "circle.key"), "w") as f:
            f.write("ab" * 32 + "\n")
        os.chmod(os.path.join(self.home, "keys", "circle.key"), 0o600)

    def run(self, *args, home=True):
        cmd = [self.k] + (["--home", self.home] if home else []) + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("%s: %s %s" % (" ".join(cmd), p.stdout,
                                             p.stderr))
        return p

    def start(self):
        ports = os.path.join(self.home, "data", "serve.ports")
        if os.path.exists(ports):
            os.unlink(ports)
        pre = os.environ.get("BENCH_SYNC_WRAP", "").split()
        pre = [w.replace("NAME", self.name) for w in pre]
        self.proc = subprocess.Popen(pre + [self.k, "--home", self.home,
                                            "serve"],
                                     stderr=open(os.path.join(
                                         os.path.dirname(self.home),
                                         self.name + ".log"), "a"))
        wait_for(lambda: os.path.exists(ports), 30, self.name + " started")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=60)
            self.proc = None

    def count(self, sql="SELECT count(*) FROM objects", args=()):
        try:
            c = sqlite3.connect("file:%s?mode=ro" % os.path.join(
                self.home, "data", "kyklos.db"), uri=True, timeout=10)
            try:
                return c.execute(sql, args).fetchone()[0]
            finally:
                c.close()
        except sqlite3.OperationalError:
            return 0


def thread_cpu(proc):
    """CPU seconds per thread name of a running process (Linux /proc)."""
    out = {}
    if proc is None:
        return out
    tick = os.sysconf("SC_CLK_TCK")
    base = "/proc/%d/task" % proc.pid
    for tid in os.listdir(base):
        try:
            name = open("%s/%s/comm" % (base, tid)).read().strip()
            st = open("%s/%s/stat" % (base, tid)).read()
        except OSError:
            continue
        f = st[st.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + (int(f[11]) + int(f[12])) / tick
    return out


def cpu_report(label, before, after, n):
    names = sorted(set(before) | set(after))
    parts = []
    total = 0
    for k in names:
        d = after.get(k, 0) - before.get(k, 0)
        total += d
        if d >= 0.01:
            parts.append("%s %.2f s" % (k, d))
    print("  cpu on %s: %.2f s = %.1f us/object (%s)" %
          (label, total, total / n * 1e6, ", ".join(parts)))


def tls_floor(nbytes, tmp, crt, key):
    """Seconds to copy nbytes over TLS 1.3 on loopback: Python's ssl
    module (OpenSSL underneath, 1 MiB writes and reads) on both ends."""
    import ssl
    import threading
    srv_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    srv_ctx.load_cert_chain(crt, key)
    cli_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cli_ctx.check_hostname = False
    cli_ctx.verify_mode = ssl.CERT_NONE
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    chunk = os.urandom(1 << 20)

    def serve():
        conn, _ = lsock.accept()
        with srv_ctx.wrap_socket(conn, server_side=True) as c:
            left = nbytes
            while left > 0:
                n = min(left, len(chunk))
                c.sendall(chunk[:n])
                left -= n
    th = threading.Thread(target=serve)
    th.start()
    t0 = time.monotonic()
    got = 0
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with cli_ctx.wrap_socket(raw) as c:
            while got < nbytes:
                d = c.recv(1 << 20)
                if not d:
                    break
                got += len(d)
    dt = time.monotonic() - t0
    th.join(timeout=60)
    lsock.close()
    return dt, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kyklos")
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("-m", type=int, default=200)
    ap.add_argument("--policy", choices=["pseudonymise", "plain"],
                    default="pseudonymise",
                    help="A's rule for B: pseudonymise host names (every "
                    "object changed, sealed by A per batch) or let objects "
                    "through unchanged (the origin's seal travels)")
    o = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kyklos-bench-sync-")
    try:
        a, b = Node(o.kyklos, tmp, "a"), Node(o.kyklos, tmp, "b")
        a.run("peer", "add", "b", b.url, "--key", b.key, "--country", "DE")
        b.run("peer", "add", "a", a.url, "--key", a.key, "--country", "DE")
        with open(os.path.join(a.home, "policy.yaml"), "w") as f:
            f.write("version: 1\nrules:\n  - match: [b]\n    tlp_max: amber\n"
                    + ("    pseudonymise: {hosts: hmac}\n"
                       if o.policy == "pseudonymise" else ""))
        with open(os.path.join(b.home, "policy.yaml"), "w") as f:
            f.write("version: 1\nrules: []\n")
        objs = indicators(o.n, "t")
        path = os.path.join(tmp, "objs.json")
        with open(path, "w") as f:
            json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                       "objects": objs}, f)
        t0 = time.monotonic()
        a.run("share", "publish", path)
        tp = time.monotonic() - t0
        print("publish on A: %d objects sealed into the change log in "
              "%.2f s (%.0f objects/s)" % (o.n, tp, o.n / tp))
        a.start()
        ca0 = thread_cpu(a.proc)
        t0 = time.monotonic()
        b.start()
        prof = None
        if os.environ.get("BENCH_SYNC_PERF"):
            # a profile of both daemons while they sync, for perf report
            prof = subprocess.Popen(
                ["perf", "record", "-F", "2000"] + os.environ.get("BENCH_SYNC_PERF_ARGS", "").split() + ["-o",
                 os.environ["BENCH_SYNC_PERF"], "-p",
                 "%d,%d" % (a.proc.pid, b.proc.pid)],
                stderr=subprocess.DEVNULL)
        wait_for(lambda: b.count() >= o.n, 900, "B holds all objects")
        dt = time.monotonic() - t0
        if prof:
            prof.send_signal(2)
            prof.wait()
        ca1, cb1 = thread_cpu(a.proc), thread_cpu(b.proc)
        rate = o.n / dt
        print("sync A->B over mTLS, policy (%s), "
              "seals and trailers verified, stored: %d objects in %.2f s = "
              "%.0f objects/s" % ("pseudonymised host names"
                                  if o.policy == "pseudonymise" else
                                  "objects unchanged", o.n, dt, rate))
        cpu_report("A (sender)", ca0, ca1, o.n)
        cpu_report("B (receiver, from its start)", {}, cb1, o.n)
        nbytes = int(scrape(metrics_of(a))[0].get(
            'kyklos_sync_bytes_total{direction="out"}', 0))
        b.stop()
        a.stop()
        fdt, got = tls_floor(nbytes, tmp, os.path.join(a.home, "keys",
                                                       "tls.crt"),
                             os.path.join(a.home, "keys", "tls.key"))
        frate = o.n * (got / nbytes) / fdt if nbytes else 0
        print("floor: plain TLS 1.3 copy of the same %d bytes on loopback "
              "(OpenSSL through Python's ssl): %.2f s = %.0f objects/s "
              "equivalent" % (nbytes, fdt, frate))
        print("ratio kyklos/floor: %.3f" % (rate / frate if frate else 0))
        # latency, one object at a time
        a.start()
        b.start()
        lat = []
        for i in range(o.m):
            obj = indicators(1, "lat%d" % i)[0]
            p = os.path.join(tmp, "one.json")
            with open(p, "w") as f:
                json.dump(obj, f)
            a.run("share", "publish", p)
            t1 = time.monotonic()
            wait_for(lambda: b.count("SELECT count(*) FROM objects WHERE "
                                     "id = ?", (obj["id"],)) > 0, 30,
                     "B has the object")
            lat.append(time.monotonic() - t1)
        lat.sort()
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print("latency publish on A -> stored on B, %d objects: p50 %.3f s, "
              "p99 %.3f s, max %.3f s" % (o.m, p50, p99, lat[-1]))
        print("goal >= 50000 objects/s: %s (%.0f)" %
              ("met" if rate >= 50000 else "NOT met", rate))
        print("goal p99 < 1 s: %s (%.3f s)" %
              ("met" if p99 < 1 else "NOT met", p99))
        a.stop()
        b.stop()
    finally:
        if not os.environ.get("BENCH_SYNC_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


def metrics_of(node):
    ports = os.path.join(node.home, "data", "serve.ports")
    return json.load(open(ports))["metrics"]


if __name__ == "__main__":
    main()
