#!/usr/bin/env python3
"""`kyklos detect` and `kyklos rules` against a node: the node's
detect.placeholders resolve |expand, its detect.rules and
detect.indicators are used when no -r/-i is given, --store keeps the
alerts, a correlation decided at window close fires at the end of the
input, and bad arguments are named.  Needs KYKLOS_BIN; python3 stdlib."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from kytest import FAILURES, check

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")

EXPAND = """title: Admin workstation logon
id: 11111111-2222-4333-8444-555555555555
logsource: {product: windows, service: security}
detection:
  sel:
    EventID: 4624
    WorkstationName|expand: '%Admins_Workstations%'
  condition: sel
"""

# A source that logged in fewer than 2 times in an hour: decided only when
# the window closes, which the end of the input does.
RARE = """title: Logon
name: logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624}
  condition: sel
---
title: Rare logon source
id: 11111111-2222-4333-8444-666666666666
correlation:
  type: event_count
  rules: [logon]
  group-by: [IpAddress]
  timespan: 1h
  condition: {lt: 2}
"""


def run(*args, stdin=None):
    return subprocess.run([KYKLOS] + list(args), capture_output=True,
                          input=stdin, timeout=60)


def event(ip, ws, minute):
    return json.dumps({"EventID": 4624, "Channel": "Security",
                       "WorkstationName": ws, "IpAddress": ip,
                       "TimeCreated": "2026-05-01T12:%02d:00Z" % minute})


WHOAMI = "11111111-1111-4111-8111-111111111111"
FILTERED = """title: Whoami
id: 11111111-1111-4111-8111-111111111111
logsource:
  product: windows
  category: process_creation
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
level: low
---
title: Filter admins
id: 22222222-2222-4222-8222-222222222222
logsource:
  product: windows
  category: process_creation
filter:
  rules:
    - 11111111-1111-4111-8111-111111111111
  selection:
    User|startswith: 'adm_'
  condition: selection
"""


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-cli-detect-")
    try:
        node = os.path.join(tmp, "node")
        run("init", node)
        cfg = os.path.join(node, "kyklos.yaml")
        text = open(cfg).read()
        text, n = re.subn(r"^  #placeholders: .*$",
                          "  placeholders: {Admins_Workstations: [ws1, ws2]}",
                          text, flags=re.M)
        assert n == 1
        text, n = re.subn(r"^(detect:\n(?:.*\n)*?)  #rules: \[\]$",
                          r'\1  rules: ["rules"]', text, flags=re.M)
        assert n == 1
        open(cfg, "w").write(text)
        rules = os.path.join(node, "rules")
        os.mkdir(rules)
        open(os.path.join(rules, "expand.yml"), "w").write(EXPAND)
        open(os.path.join(rules, "rare.yml"), "w").write(RARE)
        events = os.path.join(tmp, "events.jsonl")
        open(events, "w").write("\n".join([
            event("10.1.1.1", "WS2", 0),    # admin workstation
            event("10.1.1.1", "ws3", 5),
            event("10.2.2.2", "ws3", 10),   # the only one from there
        ]) + "\n")

        # without the node the placeholder is unresolved
        r = run("rules", "check", rules)
        check(r.returncode == 0 and
              b"unresolved placeholder %Admins_Workstations%" in r.stdout,
              "rules check: unresolved placeholder named without a node")
        r = run("--home", node, "rules", "check", rules)
        check(r.returncode == 0 and b"3 compiled" in r.stdout and
              b"0 unsupported" in r.stdout,
              "rules check: the node's placeholders resolve it")

        # the node's rules, stored
        r = run("--home", node, "detect", "--store", events)
        lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
        ids = [x["rule"]["id"] for x in lines]
        check(r.returncode == 0, "detect with the node's detect.rules")
        check(ids.count("11111111-2222-4333-8444-555555555555") == 1,
              "expand matched WS2 (case-insensitive), not ws3")
        rare = [x for x in lines if "correlation" in x]
        check(len(rare) == 1 and
              rare[0]["correlation"]["group"] == {"IpAddress": "10.2.2.2"}
              and rare[0]["event"] is None,
              "lt correlation fired at the end of the input, for 10.2.2.2")
        check(not any(x["rule"].get("title") == "Logon" for x in lines),
              "the rule feeding the correlation does not alert by itself")
        con = sqlite3.connect(os.path.join(node, "data", "kyklos.db"))
        kinds = sorted(k for (k,) in con.execute("SELECT kind FROM alerts"))
        con.close()
        check(kinds == ["correlation", "rule"],
              "--store kept both alerts: %s" % kinds)
        check(b"1 alerts kept in the store" not in r.stderr and
              b"2 alerts kept in the store" in r.stderr,
              "detect reports what it stored")

        # a filter suppresses the events its own condition selects; rules
        # list names each rule's kind and what filters and correlations
        # are over
        fdir = os.path.join(tmp, "filtered")
        os.mkdir(fdir)
        open(os.path.join(fdir, "f.yml"), "w").write(FILTERED)
        r = run("rules", "list", "--json", fdir)
        listed = {x["id"]: x for x in map(json.loads,
                                          r.stdout.decode().splitlines())}
        check(r.returncode == 0 and
              listed.get(WHOAMI, {}).get("kind") == "detection" and
              listed.get(WHOAMI, {}).get("level") == "low",
              "rules list: the detection rule, its kind and level")
        flt = listed.get("22222222-2222-4222-8222-222222222222", {})
        check(flt.get("kind") == "filter" and "level" not in flt and
              flt.get("rules") == [WHOAMI],
              "rules list: the filter, no level, the rule it suppresses")
        r = run("rules", "list", fdir)
        check(b"filter       -" in r.stdout and
              ("(suppresses: %s)" % WHOAMI).encode() in r.stdout,
              "rules list as text names the filter's rules")
        fev = os.path.join(tmp, "whoami.jsonl")
        open(fev, "w").write("\n".join(
            json.dumps({"EventID": 1, "Channel":
                        "Microsoft-Windows-Sysmon/Operational",
                        "Image": "C:\\Windows\\System32\\whoami.exe",
                        "User": u}) for u in ("adm_eve", "bob")) + "\n")
        r = run("detect", "-r", fdir, fev)
        users = [json.loads(x["event"])["User"] for x in
                 map(json.loads, r.stdout.decode().splitlines())]
        check(r.returncode == 0 and users == ["bob"],
              "the filter suppressed adm_eve's match, not bob's: %s" % users)

        # errors are named
        r = run("detect", "--store", "-r", rules, events)
        check(r.returncode == 2 and b"--store needs a node" in r.stderr,
              "--store without a node is refused")
        r = run("detect", events)
        check(r.returncode == 2 and b"usage" in r.stderr,
              "detect without rules or a node: usage")
        r = run("detect", "-r", os.path.join(tmp, "missing"), events)
        check(b"missing" in r.stderr, "a missing rule path is named")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d failures" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
