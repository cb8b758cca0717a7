"""Sharing between real nodes (issue 6): separate `kyklos serve` processes
on 127.0.0.1, each with its own store, key and policy, syncing over mutual
TLS; an offline node fed by bundles.

  a (EE) --> b (DE) --> c (US)        x: pins b with a wrong key
  a ==bundles==> d (offline)

Checks: an object created on a reaches b and c (c only through b) within a
second; what a policy holds back is in no byte of the receiving store; a
node killed with SIGKILL mid-sync loses and duplicates nothing; a peer that
was down catches up; a wrong key is refused both ways; tampered, replayed
and out-of-order bundles are refused with clear errors."""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kytest import FAILURES, check, scrape, set_keys, wait_for  # noqa: E402

K = os.environ["KYKLOS_BIN"]
TMP = tempfile.mkdtemp(prefix="kyklos-share-")
CIRCLE_KEY = "5c" * 32
PII = ["198.51.100.9", "alice.smith", "ws-17.corp.example"]


def run(*args, home=None, ok=True):
    cmd = [K] + (["--home", home] if home else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if ok and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s" %
                             (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Node:
    def __init__(self, name, country, serve=True):
        self.name, self.country = name, country
        self.home = os.path.join(TMP, name)
        run("init", self.home)
        self.port = free_port()
        keys = {"serve.syslog_udp": "127.0.0.1:0",
                "serve.syslog_tcp": "127.0.0.1:0",
                "serve.json_tcp": "127.0.0.1:0",
                "serve.metrics": "127.0.0.1:0",
                "share.pull_interval": "2",
                "share.country": country}
        if serve:
            keys["share.listen"] = "127.0.0.1:%d" % self.port
        set_keys(os.path.join(self.home, "kyklos.yaml"), keys)
        ident = json.loads(run("identity", "show", "--json",
                               home=self.home).stdout)
        self.key, self.node_id = ident["public_key"], ident["node_id"]
        self.fingerprint = ident["fingerprint"]
        path = os.path.join(self.home, "keys", "circle.key")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (CIRCLE_KEY + "\n").encode())
        os.close(fd)
        self.proc = None
        self.url = "https://127.0.0.1:%d" % self.port

    def policy(self, text):
        with open(os.path.join(self.home, "policy.yaml"), "w") as f:
            f.write(text)

    def pin(self, other, url=True, key=None):
        args = ["peer", "add", other.name]
        if url:
            args.append(other.url)
        args += ["--key", key or other.key, "--country", other.country]
        run(*args, home=self.home)

    def start(self):
        ports = os.path.join(self.home, "data", "serve.ports")
        if os.path.exists(ports):
            os.unlink(ports)
        self.log = open(os.path.join(TMP, self.name + ".log"), "a")
        self.proc = subprocess.Popen([K, "--home", self.home, "serve"],
                                     stderr=self.log)
        wait_for(lambda: os.path.exists(ports), 15, "%s started" % self.name)
        self.metrics = json.load(open(ports))["metrics"]

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
            self.proc = None

    def db(self):
        return os.path.join(self.home, "data", "kyklos.db")

    def query(self, sql, args=()):
        c = sqlite3.connect("file:%s?mode=ro" % self.db(), uri=True,
                            timeout=10)
        try:
            return c.execute(sql, args).fetchall()
        finally:
            c.close()

    def has(self, oid):
        try:
            return bool(self.query("SELECT 1 FROM objects WHERE id = ? "
                                   "AND op = 0", (oid,)))
        except sqlite3.OperationalError:
            return False

    def store_bytes(self):
        """Every byte of the store, WAL included."""
        out = b""
        for suffix in ("", "-wal"):
            p = self.db() + suffix
            if os.path.exists(p):
                out += open(p, "rb").read()
        return out


def wait_for_quiet(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def stamp(t=None):
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03dZ" % (int(t * 1000) % 1000)


TLP = {"clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
       "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
       "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
       "amber+strict":
           "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
       "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}


def indicator(value, tlp="green", conf=80):
    now = stamp()
    return {"type": "indicator", "spec_version": "2.1",
            "id": "indicator--%s" % uuid.uuid4(), "created": now,
            "modified": now, "name": value,
            "pattern": "[domain-name:value = '%s']" % value,
            "pattern_type": "stix", "valid_from": now, "confidence": conf,
            "object_marking_refs": [TLP[tlp]]}


def incident(tlp="amber"):
    now = stamp()
    return {"type": "incident", "spec_version": "2.1",
            "id": "incident--%s" % uuid.uuid4(), "created": now,
            "modified": now, "name": "Brute force on a jump host",
            "description": "internal notes: ticket 4711",
            "object_marking_refs": [TLP[tlp]],
            "x_kyklos_addresses": [PII[0]], "x_kyklos_users": [PII[1]],
            "x_kyklos_hosts": [PII[2]]}


def publish(node, objs):
    path = os.path.join(TMP, "pub-%s.json" % uuid.uuid4())
    with open(path, "w") as f:
        json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                   "objects": objs}, f)
    run("share", "publish", path, home=node.home)


def main():
    a, b, c = Node("a", "EE"), Node("b", "DE"), Node("c", "US")
    x = Node("x", "DE")
    d = Node("d", "EE", serve=False)
    a.pin(b)
    a.pin(d, url=False)
    b.pin(a)
    b.pin(c)
    b.pin(x)
    c.pin(b)
    c.pin(a, url=False)  # knows a's key: verifies a's seals through b
    x.pin(b, key=c.key)  # wrong key for b
    d.pin(a, url=False)
    a.policy("version: 1\n"
             "rules:\n"
             "  - match: [b]\n"
             "    tlp_max: amber\n"
             "    redact: [description]\n"
             "    pseudonymise: {addresses: cryptopan, users: hmac, "
             "hosts: hmac}\n"
             "  - match: [d]\n"
             "    tlp_max: green\n"
             "    types: [indicator]\n")
    b.policy("version: 1\n"
             "rules:\n"
             "  - match: [a, c, x]\n"
             "    tlp_max: amber\n")
    c.policy("version: 1\nrules: []\n")
    x.policy("version: 1\nrules: []\n")
    # a's own indicator list: published as a's STIX indicators
    with open(os.path.join(a.home, "iocs.csv"), "w") as f:
        f.write("value,type,confidence\nlisted.example,domain,65\n")
    set_keys(os.path.join(a.home, "kyklos.yaml"),
             {"detect.indicators": "[iocs.csv]", "share.tlp": "green"})
    for n in (a, b, c, x):
        n.start()

    # -- relay a -> b -> c, within a second ------------------------------
    # The latency itself is the benchmark's (bench/sync.py, p50/p99 on an
    # idle machine). Here CI runs this test beside others on two cores,
    # where one relay once took 1.04 s: the test asks that the relay be
    # able to make it within one second (the release build; sanitizers,
    # several times slower, get four), in the best of three tries.
    limit = 1.0 if os.environ.get("KYKLOS_SANITIZE", "none") in ("", "none") \
        else 4.0
    best = None
    for attempt in range(3):
        one = indicator("c2.relay.example" if attempt == 0 else
                        "c2.relay%d.example" % attempt)
        t0 = time.time()
        publish(a, [one])
        wait_for(lambda: b.has(one["id"]), 5, "b has a's indicator")
        tb = time.time() - t0
        wait_for(lambda: c.has(one["id"]), 5, "c has it through b")
        tc = time.time() - t0
        print("a -> b %.3f s, a -> b -> c %.3f s" % (tb, tc))
        if attempt == 0:
            ind = one
        best = tc if best is None else min(best, tc)
        if best < limit:
            break
    check(best < limit, "a -> b -> c within %.0f s (best %.3f s)" %
          (limit, best))
    row = c.query("SELECT origin, via, hops, seal FROM changes WHERE id = ?",
                  (ind["id"],))[0]
    check(row[0] == a.node_id, "c records a as the origin")
    check(row[1] == b.node_id, "c received it from b")
    check(b.node_id in json.loads(row[2]), "the path names b")
    check(row[3] > 0, "c verified a's seal with a's pinned key")

    # -- what a node publishes from its own records ----------------------
    def listed():
        try:
            return b.query("SELECT c.object FROM objects o JOIN changes c "
                           "ON c.seq = o.seq WHERE c.object LIKE "
                           "'%listed.example%' AND c.origin = ?",
                           (a.node_id,))
        except sqlite3.OperationalError:
            return []
    wait_for(listed, 15, "b has the indicator of a's list")
    lo = json.loads(listed()[0][0])
    check(lo["confidence"] == 65 and lo["object_marking_refs"] ==
          [TLP["green"]], "a's list indicator: its confidence, share.tlp")

    # -- correlation across the circle ------------------------------------
    # b matches what a shared; a hit is one level more urgent and goes
    # back to a as a sighting of a's indicator
    circle = os.path.join(b.home, "data", "circle-indicators.csv")
    wait_for(lambda: os.path.exists(circle) and
             "c2.relay.example" in open(circle).read(), 45,
             "b writes a's indicator where its detector loads it")
    time.sleep(1.5)  # the detector reloads on SIGHUP

    def hit():
        ports = json.load(open(os.path.join(b.home, "data",
                                            "serve.ports")))
        host, port = ports["json_tcp"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as so:
            so.sendall(json.dumps({"@timestamp": stamp(),
                                   "destination": {"domain":
                                                   "c2.relay.example"},
                                   "host": {"name": "ws-9"}}).encode() +
                       b"\n")

    def b_alert():
        try:
            return b.query("SELECT level FROM alerts WHERE rule_id LIKE "
                           "'%circle-indicators.csv:c2.relay.example'")
        except sqlite3.OperationalError:
            return []
    for _ in range(40):
        hit()
        if wait_for_quiet(b_alert, 0.5):
            break
    rows = b_alert()
    check(bool(rows), "b alerts on a's indicator")
    check(bool(rows) and rows[0][0] == 4,
          "the circle's hit is critical (high by confidence, +1): %s" % rows)

    def a_sighting():
        try:
            return a.query("SELECT c.object FROM objects o JOIN changes c "
                           "ON c.seq = o.seq WHERE c.type = 'sighting' AND "
                           "c.origin = ?", (b.node_id,))
        except sqlite3.OperationalError:
            return []
    wait_for(a_sighting, 10, "a receives b's sighting")
    sg = json.loads(a_sighting()[0][0])
    check(sg["sighting_of_ref"] == ind["id"],
          "the sighting is of a's indicator")

    # -- checkpoints travel with the sync and are cosigned ----------------
    cos = os.path.join(a.home, "data", "ledger", "cosignatures", "b.note")
    wait_for(lambda: os.path.exists(cos), 15,
             "a holds b's cosignature of its checkpoint")
    ver_a = run("ledger", "checkpoint", "--verifier", home=a.home).stdout
    ver_b = run("ledger", "checkpoint", "--verifier", home=b.home).stdout
    log_key = [ln.split()[1] for ln in ver_a.splitlines()
               if ln.startswith("log ")][0]
    wit_key = [ln.split()[1] for ln in ver_b.splitlines()
               if ln.startswith("witness ")][0]
    p = run("ledger", "verify-checkpoint", cos, "--key", log_key,
            "--witness", wit_key, home=a.home, ok=False)
    check(p.returncode == 0 and "cosigned by" in p.stdout,
          "a's checkpoint verifies with a's key and b's cosignature: " +
          (p.stdout + p.stderr).strip()[:200])

    # -- adversarial policy --------------------------------------------
    red = indicator("red.example", tlp="red")
    strict = indicator("strict.example", tlp="amber+strict")
    low = indicator("amber.example", tlp="amber")
    inc = incident()
    publish(a, [red, strict, low, inc])
    wait_for(lambda: b.has(inc["id"]) and b.has(low["id"]), 5,
             "b has the incident and the amber indicator")
    wait_for(lambda: c.has(inc["id"]), 5, "c has the incident")
    time.sleep(0.5)
    for n in (b, c):
        check(not n.has(red["id"]), "%s: no TLP:RED object" % n.name)
        check(not n.has(strict["id"]),
              "%s: no TLP:AMBER+STRICT object" % n.name)
        blob = n.store_bytes()
        for secret in PII + ["red.example", "strict.example",
                             "ticket 4711"]:
            check(secret.encode() not in blob,
                  "%s: no byte of %r in its store" % (n.name, secret))
    got = json.loads(b.query("SELECT c.object FROM objects o JOIN changes c "
                             "ON c.seq = o.seq WHERE o.id = ?",
                             (inc["id"],))[0][0])
    check("description" not in got, "b: description redacted")
    check(got["x_kyklos_users"][0].startswith("u-"),
          "b: user name pseudonymised")
    check(got["x_kyklos_addresses"][0].count(".") == 3,
          "b: address pseudonymised into an address")
    got = json.loads(c.query("SELECT c.object FROM objects o JOIN changes c "
                             "ON c.seq = o.seq WHERE o.id = ?",
                             (inc["id"],))[0][0])
    for f in ("x_kyklos_users", "x_kyklos_addresses", "x_kyklos_hosts"):
        check(f not in got, "c (US): %s removed by b's jurisdiction rule" % f)
    p = run("policy", "explain", "b", red["id"], home=a.home)
    check("dropped" in p.stdout and "TLP:red is above" in p.stdout,
          "policy explain says why RED stays")

    # -- wrong key, both ways -------------------------------------------
    wait_for(lambda: "not signed by the pinned key" in
             open(os.path.join(TMP, "x.log")).read(), 10,
             "x refuses b's binding (wrong pinned key)")
    check(not x.has(ind["id"]), "x received nothing")
    y = Node("y", "DE")  # not pinned by b at all
    y.pin(b)
    y.policy("version: 1\nrules: []\n")
    y.start()
    wait_for(lambda: scrape(b.metrics)[0].get(
        'kyklos_sync_requests_total{result="denied"}', 0) >= 1, 10,
        "b denies an unpinned node")
    check(not y.has(ind["id"]), "y received nothing")
    y.stop()

    # -- SIGKILL mid-sync, restart: nothing lost, nothing twice ----------
    many = [indicator("bulk-%05d.example" % i) for i in range(20000)]
    publish(a, many)
    wait_for(lambda: b.query("SELECT count(*) FROM changes WHERE via = ?",
                             (a.node_id,))[0][0] > 10, 60,
             "b started receiving the bulk")
    b.stop(signal.SIGKILL)
    have = b.query("SELECT count(*) FROM objects")[0][0]
    b.start()
    ids = [o["id"] for o in many]

    def all_there():
        got = b.query("SELECT count(*) FROM objects WHERE id LIKE "
                      "'indicator--%' AND op = 0")[0][0]
        return got >= len(ids) + 2  # the bulk, ind and low
    wait_for(all_there, 120, "b has every bulk object after the restart")
    dup = b.query("SELECT count(*) - count(DISTINCT id) FROM changes")[0][0]
    check(dup == 0, "b holds no version twice")
    print("b had %d objects when killed; all %d after restart" %
          (have, len(ids)))
    check(all(b.has(i) for i in ids[:50] + ids[-50:]),
          "first and last bulk objects present")

    # -- a peer down for a while catches up -----------------------------
    c.stop()
    late = indicator("late.example")
    publish(a, [late])
    wait_for(lambda: b.has(late["id"]), 10, "b has the late indicator")
    c.start()
    wait_for(lambda: c.has(late["id"]), 30, "c catches up after its restart")

    # -- a crash between witnessing a checkpoint and recording it --------
    # b's record of what it cosigned lags what it witnessed: the proof a
    # sends from the recorded size cannot decide anything, and must not be
    # taken for a fork
    def cosigned(node, peer):
        r = node.query("SELECT value FROM peer_state WHERE peer = ? AND "
                       "key = 'cosigned'", (peer,))
        return r[0][0] if r else 0

    def forks(node):
        return node.query("SELECT count(*) FROM alerts WHERE rule_id = "
                          "'kyklos-ledger-fork'")[0][0]
    b.stop()
    seen = cosigned(b, "a")
    check(seen > 1, "b recorded the size of a's ledger it cosigned (%d)"
          % seen)
    w = sqlite3.connect(b.db())
    w.execute("UPDATE peer_state SET value = 1 WHERE peer = 'a' AND "
              "key = 'cosigned'")
    w.commit()
    w.close()
    f = Node("f", "DE")  # for the fork below
    f.pin(b)
    f.pin(x)  # so that f answers x, and x must judge f's key
    f.policy("version: 1\nrules:\n  - match: [b]\n    tlp_max: amber\n")
    # b pins f by the fingerprint people read out, not the key
    p = run("peer", "add", "f", f.url, "--key", f.fingerprint, "--country",
            "DE", home=b.home)
    check("by fingerprint" in p.stdout and f.node_id in p.stdout,
          "b pins f by fingerprint, naming f's node id: " + p.stdout.strip())
    wrong = list(f.fingerprint)
    wrong[0] = "0" if wrong[0] != "0" else "1"
    p = run("peer", "add", "f2", f.url, "--key", "".join(wrong),
            "--country", "DE", home=x.home)
    b.start()
    f.start()
    after = indicator("after-crash.example")
    publish(a, [after])
    wait_for(lambda: b.has(after["id"]), 10, "b has a's next indicator")
    wait_for(lambda: cosigned(b, "a") > seen, 15,
             "b cosigns a's ledger again from where it was")
    check(forks(b) == 0, "no fork alert for a lagging record")
    check(b.query("SELECT paused FROM peers WHERE name = 'a'")[0][0] == 0,
          "a is not paused")

    # -- a real fork between live nodes ----------------------------------
    # f rewrites its history: its ledger is thrown away and a different
    # one grows past the size b witnessed
    first = [indicator("f-%d.example" % i) for i in range(3)]
    publish(f, first)
    wait_for(lambda: all(b.has(o["id"]) for o in first), 10,
             "b has f's first indicators")
    wait_for(lambda: cosigned(b, "f") > 0, 10, "b witnessed f's ledger")
    check(b.query("SELECT pubkey FROM peers WHERE name = 'f'")[0][0] ==
          f.key, "b took f's key from its binding (its fingerprint matched)")
    # x (still running) pinned f by a fingerprint one digit off
    wait_for(lambda: "does not have the pinned fingerprint" in
             open(os.path.join(TMP, "x.log")).read(), 10,
             "x refuses f: its key lacks the pinned fingerprint")
    check(x.query("SELECT pubkey FROM peers WHERE name = 'f2'")[0][0]
          .startswith("fp:"), "x learned no key for f2")
    check(not any(x.has(o["id"]) for o in first), "x got nothing from f")
    f.stop()
    shutil.rmtree(os.path.join(f.home, "data", "ledger"))
    f.start()
    publish(f, [indicator("f-other-%d.example" % i) for i in range(12)])
    wait_for(lambda: forks(b) == 1, 20, "b raises a fork alert for f")
    wait_for(lambda: b.query("SELECT paused FROM peers WHERE name = "
                             "'f'")[0][0] == 1, 5, "b pauses f")
    ev = os.path.join(b.home, "data", "ledger", "witness", "forks")
    check(os.path.isdir(ev) and len(os.listdir(ev)) >= 1,
          "b keeps both checkpoints of f as evidence")
    f.stop()

    # -- ledger ----------------------------------------------------------
    for n in (a, b, c):
        n.stop()
    led = run("ledger", "show", "--last", "5", home=b.home).stdout
    check("received" in led or "sent" in led, "b's ledger records sync")
    run("ledger", "verify", home=a.home)

    # -- bundles to the offline node -------------------------------------
    out1 = os.path.join(TMP, "d1.kyb")
    p = run("bundle", "export", "--peer", "d", "-o", out1, home=a.home)
    check("bundle 1 for d" in p.stdout, "first bundle numbered 1")
    data = open(out1, "rb").read()
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0x40
    open(os.path.join(TMP, "bad.kyb"), "wb").write(bytes(bad))
    p = run("bundle", "import", os.path.join(TMP, "bad.kyb"), home=d.home,
            ok=False)
    check(p.returncode != 0 and "bad.kyb" in p.stderr,
          "a tampered bundle is refused naming it: " + p.stderr.strip())
    check(not d.has(ind["id"]), "nothing of the tampered bundle applied")
    p = run("bundle", "import", out1, home=d.home)
    check("bundle 1 from a" in p.stdout, "the bundle applies")
    check(d.has(ind["id"]) and not d.has(low["id"]) and not d.has(inc["id"]),
          "d got indicators up to GREEN only")
    p = run("bundle", "import", out1, home=d.home, ok=False)
    check(p.returncode != 0 and "replay" in p.stderr,
          "a replayed bundle is refused: " + p.stderr.strip())
    publish(a, [indicator("second.example")])
    out2 = os.path.join(TMP, "d2.kyb")
    out3 = os.path.join(TMP, "d3.kyb")
    run("bundle", "export", "--peer", "d", "-o", out2, home=a.home)
    publish(a, [indicator("third.example")])
    run("bundle", "export", "--peer", "d", "-o", out3, home=a.home)
    p = run("bundle", "import", out3, home=d.home, ok=False)
    check(p.returncode != 0 and "gap" in p.stderr and "bundle 2" in p.stderr,
          "an out-of-order bundle is refused: " + p.stderr.strip())
    run("bundle", "import", out2, home=d.home)
    run("bundle", "import", out3, home=d.home)

    # -- compaction: superseded versions go, every current object stays
    newer = dict(ind, modified=stamp(time.time() + 1), confidence=95)
    publish(a, [newer])
    cur = a.query("SELECT count(*) FROM objects")[0][0]
    versions = a.query("SELECT count(*) FROM changes")[0][0]
    p = run("share", "compact", "--older-than", "0", home=a.home)
    gone = versions - a.query("SELECT count(*) FROM changes")[0][0]
    check(("%d superseded versions" % gone) in p.stdout and gone > 0,
          "share compact removes superseded versions: " + p.stdout.strip())
    check(a.query("SELECT count(*) FROM objects")[0][0] == cur and
          a.query("SELECT count(*) FROM objects o JOIN changes c ON "
                  "c.seq = o.seq")[0][0] == cur,
          "every current version is still in the change log")
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


def dump_logs():
    for f in sorted(os.listdir(TMP)):
        if f.endswith(".log"):
            lines = open(os.path.join(TMP, f), errors="replace").readlines()
            print("---- %s (last 25 lines)" % f)
            print("".join(lines[-25:]))


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        dump_logs()
        raise
    finally:
        for p in subprocess.run(["pgrep", "-f", "kyklos --home " + TMP],
                                capture_output=True, text=True
                                ).stdout.split():
            os.kill(int(p), signal.SIGKILL)
        if os.environ.get("KYKLOS_KEEP_TMP") is None:
            shutil.rmtree(TMP, ignore_errors=True)
