#!/usr/bin/env python3
"""Integration test of incidents and NIS2 reporting through the real
binary: alerts stored by `kyklos detect --store` grouped into incidents
(grouping, duplicates, the correlation joining its rule's incident), asset
criticality raising severity, the lifecycle with its refusals and history,
classification, a significant incident's deadlines and reports (JSON and
Markdown, submissions moving the final deadline), and `kyklos serve`
grouping live alerts while an analyst acknowledges from the command line
(the daemon must not overwrite the change).

Needs KYKLOS_BIN (set by meson); python3 stdlib only; every wait bounded."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

from kytest import FAILURES, check, hostport, scrape, set_keys, wait_for

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")

RULES = """title: SSH failed password
id: 7a2d1c40-0000-4000-8000-000000000001
name: ssh_failed_password
status: test
level: medium
tags:
  - attack.credential-access
  - attack.t1110.001
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
id: 7a2d1c40-0000-4000-8000-000000000002
status: test
level: high
correlation:
  type: event_count
  rules:
    - ssh_failed_password
  group-by:
    - host.name
  timespan: 60s
  condition:
    gte: 5
  generate: true
"""


def line(host, minute, sec, ip, user="root"):
    """An RFC 3164 sshd failure on May 1."""
    return ("<38>May  1 12:%02d:%02d %s sshd[%d]: Failed password for %s "
            "from %s port 4242 ssh2\n" % (minute, sec, host, 1000 + sec,
                                          user, ip))


class Run:
    def __init__(self, node):
        self.node = node

    def __call__(self, *args, env=None):
        e = dict(os.environ)
        e["KYKLOS_USER"] = "ana"
        if env:
            e.update(env)
        return subprocess.run([KYKLOS, "--home", self.node] + list(args),
                              capture_output=True, timeout=60, env=e)

    def json(self, *args):
        r = self(*args)
        if r.returncode != 0:
            check(False, "%s: exit %d: %s" % (" ".join(args), r.returncode,
                                              r.stderr.decode()[-300:]))
            return None
        return json.loads(r.stdout)


def offline(tmp, run, node):
    events = os.path.join(tmp, "auth.log")
    with open(events, "w") as f:
        for s in range(6):  # six failures on srv1 within a minute
            f.write(line("srv1", 0, 2 * s, "198.51.100.7"))
        for s in range(2):  # two on ws2
            f.write(line("ws2", 0, 30 + s, "198.51.100.8"))
    r = run("detect", "--store", events)
    check(r.returncode == 0, "detect --store ran (%s)" % r.stderr[-200:])

    lst = run.json("incidents", "list", "--json")
    if lst is None:
        return None
    by_host = {}
    for inc in lst:
        full = run.json("incidents", "show", str(inc["id"]), "--json")
        hosts = full["incident"]["hosts"]
        by_host[hosts[0] if hosts else ""] = full
    check(sorted(by_host) == ["srv1", "ws2"],
          "one incident per host: %s" % sorted(by_host))
    srv = by_host.get("srv1", {}).get("incident", {})
    ws = by_host.get("ws2", {}).get("incident", {})
    rules = {r["id"]: r["count"] for r in srv.get("rules", [])}
    check(rules.get("7a2d1c40-0000-4000-8000-000000000001") == 6 and
          rules.get("7a2d1c40-0000-4000-8000-000000000002") == 1,
          "the correlation joined the incident of its rule: %s" % rules)
    check(srv.get("alert_count") == 7 and ws.get("alert_count") == 2,
          "alert counts 7 and 2: %s %s" % (srv.get("alert_count"),
                                           ws.get("alert_count")))
    check(srv.get("classification", {}).get("type") == "brute-force",
          "RSIT class from the ATT&CK tag: %s"
          % srv.get("classification"))
    r = run("incidents", "list")
    check(r.returncode == 0 and b"INC-" in r.stdout, "a table by default")

    # asset criticality: srv1 is critical, ws2 unknown; rerun grouping of
    # severity by importing the inventory
    before = srv["severity"]["score"]
    inv = os.path.join(tmp, "assets.csv")
    with open(inv, "w") as f:
        f.write("hostname,address,owner,criticality,country\n"
                "srv1,10.1.0.1,ops,5,DE\n")
    r = run("assets", "import", inv)
    check(r.returncode == 0, "assets import")
    srv = run.json("incidents", "show", str(srv["id"]), "--json")
    check(srv["incident"]["severity"]["score"] > before and
          srv["incident"]["severity"]["asset_criticality"] == 5,
          "a critical asset raises the severity (%d -> %d)"
          % (before, srv["incident"]["severity"]["score"]))
    check([a["asset"] for a in srv["assets"]] == ["srv1"] and
          srv["assets"][0]["via"] == "host",
          "the incident is linked to its asset: %s" % srv["assets"])
    return srv["incident"]["id"], ws["id"]


def lifecycle(run, iid):
    i = str(iid)
    r = run("incidents", "ack", i)
    check(r.returncode == 0 and b"acknowledged" in r.stdout, "ack")
    check(run("incidents", "contain", i).returncode == 0, "contain")
    check(run("incidents", "resolve", i, "--why", "fixed").returncode == 0,
          "resolve")
    r = run("incidents", "contain", i)
    check(r.returncode == 1 and b"illegal transition resolved -> contained"
          in r.stderr, "contain after resolve refused: %s" % r.stderr)
    r = run("incidents", "close", i)
    check(r.returncode == 1, "close without a reason refused")
    r = run("incidents", "close", i, "--why", "root cause removed",
            "--by", "bob")
    check(r.returncode == 0, "close with a reason")
    inc = run.json("incidents", "show", i, "--json")["incident"]
    hist = [(h["to"], h["who"]) for h in inc["history"]]
    check(hist == [("acknowledged", "ana"), ("contained", "ana"),
                   ("resolved", "ana"), ("closed", "bob")],
          "history with who: %s" % hist)
    check(inc["history"][-1]["why"] == "root cause removed", "and why")
    lst = run.json("incidents", "list", "--json")
    check(all(x["id"] != iid for x in lst), "closed: not listed as open")
    lst = run.json("incidents", "list", "--all", "--json")
    check(any(x["id"] == iid for x in lst), "but listed with --all")


def reporting(run, node, wid, tmp):
    i = str(wid)
    set_keys(os.path.join(node, "kyklos.yaml"), {
        "entity.name": '"Stadtwerke Beispiel GmbH"',
        "entity.sector": "energy",
        "entity.subsector": "electricity",
        "entity.member_state": "DE",
        "entity.time_zone": "Europe/Berlin",
    })
    r = run("incidents", "classify", i, "intrusions/system-compromise",
            "--tlp", "amber+strict", "--why", "confirmed")
    check(r.returncode == 0, "classify")
    r = run("incidents", "classify", i, "intrusions/not-a-type")
    check(r.returncode != 0, "an unknown RSIT type is refused")
    inc = run.json("incidents", "show", i, "--json")["incident"]
    check(inc["classification"]["source"] == "analyst" and
          inc["tlp"]["level"] == "amber+strict",
          "analyst classification and TLP kept")
    r = run("report", "nis2", i, "--stage", "early-warning", "--json")
    check(r.returncode == 1, "no report before the incident is significant")
    check(run("incidents", "significant", i, "--aware",
              "2026-01-10T08:00:00Z").returncode == 0, "significant")
    check(run("incidents", "set", i, "malicious", "yes", "cross-border",
              "DE,AT", "impact", "control room workstation").returncode == 0,
          "set facts")
    r = run("incidents", "set", i, "malicious", "sometimes")
    check(r.returncode != 0 and b"malicious" in r.stderr,
          "a bad value is refused naming the field")
    r = run("incidents", "due", "--within", "100000")
    check(r.returncode == 2, "a window past a year is refused")
    due = run.json("incidents", "due", "--json", "--within", "48") or []
    stages = {(d["incident"], d["stage"]): d for d in due}
    ew = stages.get((wid, "early-warning"), {})
    nt = stages.get((wid, "notification"), {})
    check(ew.get("due") == "2026-01-11T08:00:00.000Z" and
          ew.get("state") == "overdue",
          "early warning due 24 h after awareness, overdue: %s" % ew)
    check(nt.get("due") == "2026-01-13T08:00:00.000Z" and
          nt.get("legal") == "NIS2 Art. 23(4)(b)",
          "notification due after 72 h: %s" % nt)
    rep = run.json("report", "nis2", i, "--stage", "early-warning", "--json")
    if rep:
        check(rep["entity"]["name"] == "Stadtwerke Beispiel GmbH" and
              rep["entity"]["sector"]["code"] == "energy" and
              rep["deadline"]["due"] == "2026-01-11T08:00:00.000Z" and
              rep["assessment"]["suspected_malicious"] == "yes" and
              sorted(rep["assessment"]["member_states_affected"]) ==
              ["AT", "DE"] and rep["marking"]["tlp"] == "TLP:AMBER+STRICT"
              and rep["classification"]["rsit_type"] == "system-compromise"
              and rep["missing"] == [],
              "early warning prefilled: %s" % json.dumps(rep)[:300])
    # handled within the month: no progress report, the final is due one
    # month after the notification
    check(run("incidents", "set", i, "ended",
              "2026-01-20T08:00:00Z").returncode == 0, "set ended")
    prefix = os.path.join(tmp, "final")
    r = run("report", "nis2", i, "--stage", "final", "-o", prefix)
    check(r.returncode == 0 and os.path.exists(prefix + ".json") and
          os.path.exists(prefix + ".md"), "final report written to files")
    md = open(prefix + ".md").read() if os.path.exists(prefix + ".md") else ""
    final = json.load(open(prefix + ".json")) if md else {}
    check(md.startswith("# NIS2 final report") and "Still to fill in" in md
          and "assessment.mitigations" in md,
          "Markdown lists what is missing")
    check(final.get("deadline", {}).get("provisional") is True and
          final["deadline"]["due"] == "2026-02-13T08:00:00.000Z",
          "final due provisional before the notification is submitted: %s"
          % final.get("deadline"))
    check(b"still to fill in" in r.stderr, "missing fields on stderr")
    check(run("report", "submit", i, "--stage", "notification", "--at",
              "2026-01-12T08:00:00Z").returncode == 0, "submission recorded")
    final = run.json("report", "nis2", i, "--stage", "final", "--json")
    if final:
        check(final["deadline"]["due"] == "2026-02-12T08:00:00.000Z" and
              final["deadline"]["provisional"] is False,
              "final due one calendar month after the submission: %s"
              % final["deadline"])
    r = run("report", "cra-incident", i, "--stage", "early-warning")
    check(r.returncode == 1, "CRA report refused until marked")
    check(run("incidents", "set", i, "cra-incident", "yes").returncode == 0,
          "mark CRA severe incident")
    r = run("report", "cra-incident", i, "--stage", "early-warning",
            "--json")
    check(r.returncode == 0 and
          json.loads(r.stdout)["regime"] == "cra-incident",
          "CRA early warning")


def live(tmp, node):
    run = Run(node)
    set_keys(os.path.join(node, "kyklos.yaml"), {
        "syslog_udp": '""',
        "syslog_tcp": '"127.0.0.1:0"',
        "json_tcp": '""',
        "metrics": '"127.0.0.1:0"',
        "workers": "2",
        "batch_size": "4",
        "detect.rules": '["rules"]',
        "detect.correlation_lateness": "3600",
    })
    ports_file = os.path.join(node, "data", "serve.ports")
    proc = subprocess.Popen([KYKLOS, "--home", node, "serve"],
                            stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(tmp, "serve.err"), "ab"))
    try:
        wait_for(lambda: os.path.exists(ports_file) or
                 proc.poll() is not None, 60, "serve.ports")
        if proc.poll() is not None:
            check(False, "daemon started")
            return
        ports = json.load(open(ports_file))

        def send(text):
            s = socket.create_connection(hostport(ports["syslog_tcp"]),
                                         timeout=10)
            s.sendall(text.encode())
            s.close()

        def gw3():
            for x in run.json("incidents", "list", "--json") or []:
                inc = run.json("incidents", "show", str(x["id"]), "--json")
                if inc and inc["incident"]["hosts"] == ["gw3"]:
                    return inc["incident"]
            return None

        send("".join(line("gw3", 30, s, "192.0.2.50") for s in range(2)))
        inc = wait_for(lambda: (lambda i: i if i and i["alert_count"] == 2
                                else None)(gw3()), 30,
                       "the daemon grouped the live alerts")
        iid = str(inc["id"])
        check(run("incidents", "ack", iid).returncode == 0,
              "ack while the daemon runs")
        send("".join(line("gw3", 30, 10 + s, "192.0.2.50")
                     for s in range(2)))
        inc = wait_for(lambda: (lambda i: i if i and i["alert_count"] == 4
                                else None)(gw3()), 30,
                       "later alerts joined the incident")
        check(inc["status"] == "acknowledged",
              "the daemon kept the analyst's change: %s" % inc["status"])
        m = scrape(ports["metrics"])[0]
        check(m.get("kyklos_incidents_opened_total", 0) >= 1 and
              m.get("kyklos_incident_errors_total", -1) == 0,
              "incident metrics")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        check(rc == 0, "daemon stopped cleanly (exit %s)" % rc)


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-incidents-")
    node = os.path.join(tmp, "node")
    try:
        subprocess.run([KYKLOS, "init", node], check=True,
                       capture_output=True, timeout=60)
        os.mkdir(os.path.join(node, "rules"))
        with open(os.path.join(node, "rules", "sshd.yml"), "w") as f:
            f.write(RULES)
        set_keys(os.path.join(node, "kyklos.yaml"),
                 {"detect.rules": '["rules"]',
                  "detect.correlation_lateness": "3600"})
        run = Run(node)
        ids = offline(tmp, run, node)
        if ids:
            lifecycle(run, ids[0])
            reporting(run, node, ids[1], tmp)
        live(tmp, node)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
