#!/usr/bin/env python3
"""Integration test of detection in `kyklos serve`: a node on 127.0.0.1
with a Sigma rule, an event_count correlation over it and an indicator
list.  Checks that alerts of every kind reach the store and the metrics,
that SIGHUP with a changed rule set drops no event while a sender keeps
streaming and carries an open correlation window over to the new rules,
and that correlation windows survive a restart (state in the store).

Needs KYKLOS_BIN (set by meson); python3 stdlib only.  Every wait is
bounded."""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from kytest import FAILURES, check, hostport, scrape, set_keys, wait_for

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")

RULES = """title: SSH failed password
id: 6f1c2a30-0000-4000-8000-000000000001
name: ssh_failed_password
status: test
level: low
author: kyklos tests
logsource:
  product: linux
  service: sshd
detection:
  sel:
    event.action: ssh_login
    event.outcome: failure
  condition: sel
---
title: SSH brute force
id: 6f1c2a30-0000-4000-8000-000000000002
status: test
level: high
author: kyklos tests
correlation:
  type: event_count
  rules:
    - ssh_failed_password
  group-by:
    - source.ip
  timespan: 60s
  condition:
    gte: 5
generate: true
"""

NEW_RULE = """title: SSH accepted login
id: 6f1c2a30-0000-4000-8000-000000000003
status: test
level: medium
author: kyklos tests
logsource:
  product: linux
  service: sshd
detection:
  sel:
    event.action: ssh_login
    event.outcome: success
  condition: sel
"""


def line(sec, ip, ok=False, user="root"):
    """An RFC 3164 sshd line at 12:MM:SS on May 1."""
    return ("<38>May  1 12:%02d:%02d gw1 sshd[%d]: %s password for %s from "
            "%s port 4242 ssh2\n" % (sec // 60 % 60, sec % 60, 1000 + sec,
                                     "Accepted" if ok else "Failed", user,
                                     ip)).encode()


def benign(i):
    return ("<38>May  1 11:00:00 gw1 cron[%d]: job %d done\n"
            % (i, i)).encode()


class Node:
    def __init__(self, home, errlog):
        self.home = home
        self.errlog = errlog
        self.proc = None
        self.ports = None

    def start(self):
        ports_file = os.path.join(self.home, "data", "serve.ports")
        if os.path.exists(ports_file):
            os.unlink(ports_file)
        self.proc = subprocess.Popen([KYKLOS, "--home", self.home, "serve"],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.errlog, "ab"))
        wait_for(lambda: os.path.exists(ports_file) or
                 self.proc.poll() is not None, 60, "serve.ports")
        check(self.proc.poll() is None, "daemon started")
        self.ports = json.load(open(ports_file))

    def metrics(self):
        return scrape(self.ports["metrics"])[0]

    def accepted(self):
        return self.metrics().get(
            'kyklos_input_accepted_total{input="syslog_tcp"}', -1)

    def send(self, data):
        s = socket.create_connection(hostport(self.ports["syslog_tcp"]),
                                     timeout=10)
        s.sendall(data)
        s.close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        check(rc == 0, "daemon stopped cleanly (exit %s)" % rc)


def alerts(db):
    con = sqlite3.connect(db, timeout=10)
    try:
        rows = con.execute("SELECT kind, rule_id, src_ip, json FROM alerts "
                           "ORDER BY id").fetchall()
    finally:
        con.close()
    return rows


def by_kind(rows, kind):
    return [r for r in rows if r[0] == kind]


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-detect-")
    node_dir = os.path.join(tmp, "node")
    errlog = os.path.join(tmp, "serve.stderr")
    node = None
    try:
        subprocess.run([KYKLOS, "init", node_dir], check=True,
                       stdout=subprocess.DEVNULL, timeout=30)
        cfg = os.path.join(node_dir, "kyklos.yaml")
        os.mkdir(os.path.join(node_dir, "rules"))
        with open(os.path.join(node_dir, "rules", "sshd.yml"), "w") as f:
            f.write(RULES)
        with open(os.path.join(node_dir, "ioc.txt"), "w") as f:
            f.write("# test list\n203.0.113.7\n")
        set_keys(cfg, {
            "syslog_udp": '""',
            "syslog_tcp": '"127.0.0.1:0"',
            "json_tcp": '""',
            "metrics": '"127.0.0.1:0"',
            "workers": "2",
            "batch_size": "8",
            "detect.rules": '["rules"]',
            "detect.indicators": '["ioc.txt"]',
            "detect.correlation_lateness": "3600",
            "detect.correlation_save_interval": "1",
        })
        db = os.path.join(node_dir, "data", "kyklos.db")
        node = Node(node_dir, errlog)
        node.start()
        if node.proc.poll() is not None:
            return
        m = node.metrics()
        check(m.get("kyklos_rules", -1) == 2,
              "two rules running (%s)" % m.get("kyklos_rules"))

        # --- alerts of every kind
        data = b""
        sent = 0
        for k in range(5):  # 5 failures in 10 s: a brute force
            data += line(10 + 2 * k, "10.0.0.1")
        for k in range(4):  # 4 failures: not enough
            data += line(10 + 2 * k, "10.0.0.2")
        data += line(30, "203.0.113.7", ok=True)  # indicator
        sent += 10
        node.send(data)
        wait_for(lambda: node.accepted() == sent, 30, "first batch accepted")
        wait_for(lambda: len(alerts(db)) >= 11, 30, "first alerts stored")
        rows = alerts(db)
        corr = by_kind(rows, "correlation")
        check(len(by_kind(rows, "rule")) == 9,
              "9 rule alerts kept (generate: true): %d"
              % len(by_kind(rows, "rule")))
        check(len(corr) == 1 and corr[0][2] == "10.0.0.1",
              "one correlation alert, for 10.0.0.1: %s"
              % [(r[1], r[2]) for r in corr])
        if corr:
            j = json.loads(corr[0][3])
            check(j["correlation"]["group"] == {"source.ip": "10.0.0.1"} and
                  j["correlation"]["events"] == 5,
                  "correlation alert JSON: group and count")
        iocs = by_kind(rows, "indicator")
        check(len(iocs) == 1 and iocs[0][2] == "203.0.113.7",
              "one indicator alert for 203.0.113.7")
        m = node.metrics()
        check(m.get('kyklos_alerts_total{kind="correlation"}') == 1 and
              m.get('kyklos_alerts_total{kind="rule"}') == 9 and
              m.get('kyklos_alerts_total{kind="indicator"}') == 1,
              "alert metrics by kind")

        # --- SIGHUP while a sender streams: no event lost, the open
        # window of 10.0.0.9 carries over to the new rules
        node.send(line(100, "10.0.0.9") + line(101, "10.0.0.9") +
                  line(102, "10.0.0.9"))
        sent += 3
        wait_for(lambda: node.accepted() == sent, 30, "3 failures accepted")
        stop = threading.Event()
        streamed = [0]

        def stream():
            s = socket.create_connection(
                hostport(node.ports["syslog_tcp"]), timeout=10)
            i = 0
            while not stop.is_set() and i < 20000:
                s.sendall(b"".join(benign(i + k) for k in range(20)))
                i += 20
                time.sleep(0.002)
            s.close()
            streamed[0] = i

        th = threading.Thread(target=stream)
        th.start()
        time.sleep(0.3)
        with open(os.path.join(node_dir, "rules", "accepted.yml"), "w") as f:
            f.write(NEW_RULE)
        reloads0 = node.metrics().get(
            'kyklos_config_reloads_total{result="ok"}', 0)
        node.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: node.metrics().get(
            'kyklos_config_reloads_total{result="ok"}', 0) > reloads0, 60,
            "reload applied")
        check(node.metrics().get("kyklos_rules", -1) == 3,
              "three rules after the reload")
        time.sleep(0.3)
        stop.set()
        th.join(timeout=30)
        sent += streamed[0]
        node.send(line(103, "10.0.0.9") + line(104, "10.0.0.9") +
                  line(110, "192.0.2.50", ok=True, user="alice"))
        sent += 3
        wait_for(lambda: node.accepted() == sent, 60,
                 "every streamed event accepted (%d)" % sent)
        m = node.metrics()
        check(m.get('kyklos_input_rejected_total{input="syslog_tcp"}',
                    -1) == 0,
              "nothing rejected across the reload")
        wait_for(lambda: len(by_kind(alerts(db), "correlation")) >= 2, 30,
                 "correlation across the reload")
        rows = alerts(db)
        corr = by_kind(rows, "correlation")
        check([r[2] for r in corr] == ["10.0.0.1", "10.0.0.9"],
              "the window opened before the reload fired after it")
        check(any(r[1] == "6f1c2a30-0000-4000-8000-000000000003"
                  for r in rows), "the new rule fired after the reload")
        print("streamed %d events during the reload" % streamed[0])

        # --- SIGUSR1: the indicator lists read again, the compiled rules
        # (and their correlation engine, open windows and all) kept; a
        # rule file added meanwhile waits for SIGHUP
        node.send(b"".join(line(300 + k, "10.0.0.30") for k in range(3)))
        sent += 3
        wait_for(lambda: node.accepted() == sent, 30, "3 failures accepted")
        with open(os.path.join(node_dir, "ioc.txt"), "a") as f:
            f.write("203.0.113.8\n")
        extra = os.path.join(node_dir, "rules", "extra.yml")
        with open(extra, "w") as f:
            f.write(NEW_RULE.replace("000000000003", "000000000009"))
        reloads0 = node.metrics().get(
            'kyklos_config_reloads_total{result="ok"}', 0)
        node.proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: node.metrics().get(
            'kyklos_config_reloads_total{result="ok"}', 0) > reloads0, 60,
            "lists reload applied")
        log = open(errlog).read()
        check("lists read again: 2 indicators" in log and
              "3 compiled rules kept" in log,
              "SIGUSR1 read the lists again and kept the compiled rules")
        check(node.metrics().get("kyklos_rules", -1) == 3,
              "the rule file added meanwhile is not compiled by SIGUSR1")
        node.send(line(303, "10.0.0.30") + line(304, "10.0.0.30") +
                  line(310, "203.0.113.8", ok=True))
        sent += 3
        wait_for(lambda: node.accepted() == sent, 30, "after SIGUSR1")
        wait_for(lambda: any(r[2] == "10.0.0.30" for r in
                             by_kind(alerts(db), "correlation")), 30,
                 "the window opened before SIGUSR1 fired after it")
        wait_for(lambda: any(r[2] == "203.0.113.8" for r in
                             by_kind(alerts(db), "indicator")), 30,
                 "the indicator added before SIGUSR1 matches")
        os.unlink(extra)

        # --- restart: 4 failures before, 1 after
        node.send(b"".join(line(200 + k, "10.0.0.20") for k in range(4)))
        sent += 4
        wait_for(lambda: node.accepted() == sent, 30, "4 failures accepted")
        node.stop()
        con = sqlite3.connect(db)
        st = con.execute("SELECT length(data) FROM state WHERE name = "
                         "'correlation'").fetchone()
        con.close()
        check(st is not None and st[0] > 0, "correlation state saved")
        node.start()
        node.send(line(205, "10.0.0.20"))
        wait_for(lambda: node.accepted() == 1, 30, "failure after restart")
        wait_for(lambda: len(by_kind(alerts(db), "correlation")) >= 3, 30,
                 "correlation across the restart")
        corr = by_kind(alerts(db), "correlation")
        check(corr[-1][2] == "10.0.0.20",
              "the window survived the restart")
        node.stop()

        # --- kyklos alerts reads them back, newest first
        out = subprocess.run([KYKLOS, "--home", node_dir, "alerts", "--json",
                              "--limit", "2"], capture_output=True,
                             timeout=30)
        lines = out.stdout.decode().splitlines()
        check(out.returncode == 0 and len(lines) == 2 and
              json.loads(lines[0])["correlation"]["group"] ==
              {"source.ip": "10.0.0.20"},
              "kyklos alerts --json --limit 2: newest first")
        total = len(alerts(db))
        check(("2 of %d alerts shown" % total) in out.stderr.decode(),
              "kyklos alerts counts what it shows")
        out = subprocess.run([KYKLOS, "--home", node_dir, "alerts",
                              "--since", "2200-01-01T00:00:00Z"],
                             capture_output=True, timeout=30)
        check(out.returncode == 0 and len(out.stdout.splitlines()) == 1,
              "kyklos alerts --since the future: the header only")
        out = subprocess.run([KYKLOS, "--home", node_dir, "alerts",
                              "--since", "yesterday"], capture_output=True,
                             timeout=30)
        check(out.returncode == 2 and b"yesterday" in out.stderr,
              "a bad --since is named")
    except AssertionError as e:
        print("FAIL " + str(e))
        FAILURES.append(str(e))
    finally:
        if node and node.proc and node.proc.poll() is None:
            node.proc.kill()
            node.proc.wait()
        if FAILURES:
            sys.stdout.write(open(errlog, errors="replace").read()
                             if os.path.exists(errlog) else "")
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d failures" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
