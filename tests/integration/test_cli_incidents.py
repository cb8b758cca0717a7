#!/usr/bin/env python3
"""`kyklos incidents` and `kyklos report` end to end on JSON events:
alerts stored by `kyklos detect --store -r RULES` grouped by rule and host
(window, duplicates folded, counts), asset criticality raising severity,
the lifecycle with who/why and its refusals, classification and TLP, the
NIS2 stages (deadlines in Europe/Berlin, the final report counted from the
notification's submission, a month clamped to February, a late
submission), CRA refused until marked, and `kyklos serve` grouping alerts
received as JSON lines over TCP while an analyst acknowledges from the
command line.

Needs KYKLOS_BIN (set by meson); python3 stdlib only; every wait bounded.
All events and rules are generated here."""

import calendar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from kytest import FAILURES, check, hostport, scrape, set_keys, wait_for

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")

R_LOGIN = "0c1d2e3f-0000-4000-8000-0000000000a1"
R_CONF = "0c1d2e3f-0000-4000-8000-0000000000a2"

# Product-only logsources: such a rule sees every event (docs/detection.md).
RULES = {
    "login.yml": """title: Admin console login failure
id: %s
status: test
level: high
tags:
  - attack.initial-access
logsource:
  product: kytest
detection:
  sel:
    event.action: admin_login
    event.outcome: failure
  condition: sel
""" % R_LOGIN,
    "conf.yml": """title: Unexpected configuration change
id: %s
status: test
level: medium
logsource:
  product: kytest
detection:
  sel:
    event.action: config_change
  condition: sel
""" % R_CONF,
}


def ev(ts, host, action="admin_login", outcome="failure", user="root",
       ip="192.0.2.9"):
    return json.dumps({"@timestamp": ts, "host": {"name": host},
                       "event": {"action": action, "outcome": outcome},
                       "user": {"name": user}, "source": {"ip": ip}}) + "\n"


def ns(rfc3339):
    """Whole-second RFC 3339 UTC time to ns."""
    t = time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ")
    return calendar.timegm(t) * 1000000000


class Run:
    def __init__(self, node, user="ana"):
        self.node = node
        self.user = user

    def __call__(self, *args, env=None, pre=()):
        e = dict(os.environ)
        e["KYKLOS_USER"] = self.user
        if env:
            e.update(env)
        return subprocess.run([KYKLOS, "--home", self.node] + list(pre) +
                              list(args), capture_output=True, timeout=30,
                              env=e)

    def json(self, *args, pre=()):
        r = self(*args, pre=pre)
        if r.returncode != 0:
            check(False, "%s: exit %d: %s" % (" ".join(args), r.returncode,
                                              r.stderr.decode()[-300:]))
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            check(False, "%s: not JSON: %r" % (" ".join(args),
                                               r.stdout[:200]))
            return None


def err(r):
    return r.stderr.decode(errors="replace").strip()


def init_node(path, rules_dir):
    subprocess.run([KYKLOS, "init", path], check=True, capture_output=True,
                   timeout=60)
    set_keys(os.path.join(path, "kyklos.yaml"),
             {"detect.rules": json.dumps([rules_dir])})


# ---- 1. offline: detect --store, grouping, assets, lifecycle ----

def offline(tmp, run, rules):
    events = os.path.join(tmp, "events.jsonl")
    dup = ev("2026-01-10T07:00:00Z", "srv1")
    with open(events, "w") as f:
        f.write(dup)
        f.write(ev("2026-01-10T07:00:01Z", "srv1"))
        f.write(ev("2026-01-10T07:00:02Z", "srv1"))
        f.write(dup)  # the same event again: same hash, folded
        f.write(ev("2026-01-10T07:00:03Z", "srv1", outcome="success"))
        f.write(ev("2026-01-10T07:00:10Z", "ws2", ip="198.51.100.4"))
        f.write(ev("2026-01-10T07:00:11Z", "ws2", ip="198.51.100.4"))
        f.write(ev("2026-01-10T07:05:00Z", "srv1", action="config_change",
                   outcome="success"))
        # another user 20 min later: a new entry of the same incident
        f.write(ev("2026-01-10T07:20:00Z", "srv1", user="svc"))
        # 2 h 40 min after the last alert: past the 1 h window
        f.write(ev("2026-01-10T10:00:00Z", "srv1"))
    r = run("detect", "--store", "-r", rules, events)
    check(r.returncode == 0 and b"9 alerts kept in the store" in r.stderr,
          "detect --store: exit %d, %s" % (r.returncode,
                                            err(r).splitlines()[-1:]))

    lst = run.json("incidents", "list", "--json")
    if lst is None:
        return None
    check(len(lst) == 4 and all(x["status"] == "new" for x in lst),
          "four new incidents: %s" % [(x["id"], x["alerts"]) for x in lst])
    again = run.json("incidents", "list", "--json")
    check(again == lst, "a second list groups nothing again")
    incs = {}
    for x in lst:
        full = run.json("incidents", "show", str(x["id"]), "--json")
        if not full:
            continue
        inc = full["incident"]
        incs[(inc["key"].get("rule"), inc["key"].get("host"),
              inc["first_ns"])] = (x, inc)
    a = incs.get((R_LOGIN, "srv1", ns("2026-01-10T07:00:00Z")))
    b = incs.get((R_LOGIN, "ws2", ns("2026-01-10T07:00:10Z")))
    c = incs.get((R_CONF, "srv1", ns("2026-01-10T07:05:00Z")))
    d = incs.get((R_LOGIN, "srv1", ns("2026-01-10T10:00:00Z")))
    check(None not in (a, b, c, d),
          "grouped by rule and host, split by the window: %s"
          % sorted((k[0][-2:], k[1], k[2]) for k in incs))
    if None in (a, b, c, d):
        return None
    check(a[0]["alerts"] == 5 and a[1]["alert_count"] == 5 and
          b[0]["alerts"] == 2 and c[0]["alerts"] == 1 and
          d[0]["alerts"] == 1,
          "alert counts 5, 2, 1, 1: %s"
          % [x[0]["alerts"] for x in (a, b, c, d)])
    total = sum(x[0]["alerts"] for x in (a, b, c, d))
    stored = run("alerts", "--limit", "0", "--json")
    check(stored.returncode == 0 and
          len(stored.stdout.splitlines()) == total == 9,
          "every stored alert in exactly one incident (%d of %d)"
          % (total, len(stored.stdout.splitlines())))
    ents = sorted((e["user"], e["count"]) for e in a[1]["alerts"])
    check(ents == [("root", 4), ("svc", 1)],
          "duplicates folded into one entry, another user kept apart: %s"
          % ents)
    check(sorted(a[1]["alert_ids"]) == a[1]["alert_ids"] and
          len(set(a[1]["alert_ids"])) == 5,
          "folded alerts keep their ids: %s" % a[1]["alert_ids"])
    check(a[1]["last_ns"] == ns("2026-01-10T07:20:00Z") and
          a[1]["users"] == ["root", "svc"] and a[1]["hosts"] == ["srv1"],
          "span, users and hosts of the incident")
    check(a[1]["rules"][0]["count"] == 5 and
          a[1]["rules"][0]["title"] == "Admin console login failure",
          "per-rule count and title")
    check(a[1]["classification"] == {"class": "intrusion-attempts",
                                     "type": "exploit", "source": "tactic",
                                     "tag": "attack.initial-access"},
          "RSIT from the tactic: %s" % a[1]["classification"])
    check(a[1]["severity"]["score"] == 65 == b[1]["severity"]["score"] and
          a[1]["severity"]["asset_criticality"] == 3,
          "high rule on unknown assets: 65")
    check(c[1]["severity"]["score"] == 45 and c[0]["band"] == "medium",
          "medium rule: 45, medium")

    inv = os.path.join(tmp, "assets.csv")
    with open(inv, "w") as f:
        f.write("hostname,address,owner,criticality,country\n"
                "srv1,10.1.0.1,ops,5,DE\n")
    r = run("assets", "import", inv)
    check(r.returncode == 0, "assets import: %s" % err(r)[-200:])
    sa = run.json("incidents", "show", str(a[0]["id"]), "--json") or {}
    sb = run.json("incidents", "show", str(b[0]["id"]), "--json") or {}
    sev_a = sa.get("incident", {}).get("severity", {})
    sev_b = sb.get("incident", {}).get("severity", {})
    check(sev_a.get("asset_criticality") == 5 and
          sev_a.get("score") == 75 and sev_b.get("score") == 65 and
          sev_a.get("score", 0) > sev_b.get("score", 100),
          "criticality 5 raises the same rule's severity above the "
          "unknown host's: %s vs %s" % (sev_a, sev_b))
    check([(x.get("asset"), x.get("via")) for x in sa.get("assets", [])]
          == [("srv1", "host")] and sb.get("assets") == [],
          "srv1's incident linked to its asset, ws2's to none: %s"
          % sa.get("assets"))
    return a[0]["id"], b[0]["id"], c[0]["id"], d[0]["id"]


def lifecycle(run, iid):
    i = str(iid)
    r = run("incidents", "ack", "INC-%d" % iid, pre=("--json",))
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check(out.get("status") == "acknowledged" and out.get("id") == iid,
          "ack INC-N, --json summary: %s" % out)
    r = run("incidents", "contain", i, "--by", "bob")
    check(r.returncode == 0 and b"contained" in r.stdout, "contain --by")
    r = run("incidents", "resolve", i, "--why", "account locked, patched")
    check(r.returncode == 0, "resolve")
    r = run("incidents", "contain", i)
    check(r.returncode == 1 and
          "illegal transition resolved -> contained" in err(r),
          "contain after resolve refused naming the transition: %d %s"
          % (r.returncode, err(r)))
    r = run("incidents", "close", i)
    check(r.returncode != 0 and r.returncode in (1, 2) and
          ("why" in err(r) or "reason" in err(r)),
          "close without --why refused: %d %s" % (r.returncode, err(r)))
    r = run("incidents", "close", i, "--why", "root cause removed",
            env={"KYKLOS_USER": "carol"})
    check(r.returncode == 0, "close --why (who from KYKLOS_USER)")
    inc = (run.json("incidents", "show", i, "--json") or {}).get(
        "incident", {})
    hist = [(h["field"], h["from"], h["to"], h["who"], h["why"])
            for h in inc.get("history", [])]
    check(hist == [
        ("status", "new", "acknowledged", "ana", None),
        ("status", "acknowledged", "contained", "bob", None),
        ("status", "contained", "resolved", "ana",
         "account locked, patched"),
        ("status", "resolved", "closed", "carol", "root cause removed")],
        "history with who and why, refusals not recorded: %s" % hist)
    whens = [h["when_ns"] for h in inc.get("history", [])]
    check(whens == sorted(whens) and
          all(w > ns("2026-01-01T00:00:00Z") for w in whens),
          "history times are recording times, in order")
    r = run("incidents", "reopen", i, "--why", "again")
    check(r.returncode == 1, "closed is final: reopen refused")
    ids = [x["id"] for x in run.json("incidents", "list", "--json") or []]
    check(iid not in ids and len(ids) == 3, "closed: not listed as open")
    ids = [x["id"] for x in
           run.json("incidents", "list", "--status", "closed", "--json")
           or []]
    check(ids == [iid], "listed with --status closed")
    r = run("incidents", "ack", "999")
    check(r.returncode == 1 and "999" in err(r),
          "an unknown incident: exit 1 naming it: %s" % err(r))
    r = run("incidents", "ack", "INC-x")
    check(r.returncode == 2, "a malformed id is a usage error")


def classify(run, iid):
    i = str(iid)
    r = run("incidents", "classify", i, "intrusions/system-compromise",
            "--tlp", "amber+strict", env={"KYKLOS_USER": "dora"})
    check(r.returncode == 0 and b"TLP:amber+strict" in r.stdout,
          "classify with TLP: %s" % r.stdout)
    for bad in ("intrusions/no-such-type", "no-such-class/exploit",
                "system-compromise"):
        r = run("incidents", "classify", i, bad)
        check(r.returncode in (1, 2) and bad in err(r),
              "bad class %s refused (%d): %s" % (bad, r.returncode,
                                                 err(r).strip()))
    r = run("incidents", "classify", i, "--tlp", "purple")
    check(r.returncode in (1, 2) and "purple" in err(r),
          "bad TLP refused: %s" % err(r).strip())
    inc = (run.json("incidents", "show", i, "--json") or {}).get(
        "incident", {})
    check(inc.get("classification", {}).get("source") == "analyst" and
          inc["classification"]["class"] == "intrusions" and
          inc["classification"]["type"] == "system-compromise" and
          inc.get("tlp") == {"level": "amber+strict", "manual": True},
          "analyst classification and manual TLP: %s %s"
          % (inc.get("classification"), inc.get("tlp")))
    hist = [(h["field"], h["to"], h["who"]) for h in inc.get("history", [])]
    check(hist == [("classification", "intrusions/system-compromise",
                    "dora"), ("tlp", "amber+strict", "dora")],
          "classification history: %s" % hist)


# ---- 2. reporting ----

def reporting(tmp, run, node, iid):
    i = str(iid)
    set_keys(os.path.join(node, "kyklos.yaml"), {
        "entity.name": '"Stadtwerke Kyklos Test GmbH"',
        "entity.sector": "energy",
        "entity.subsector": "electricity",
        "entity.member_state": "DE",
        "entity.time_zone": "Europe/Berlin",
    })
    r = run("report", "nis2", i, "--stage", "early-warning", "--json")
    check(r.returncode == 1 and b"significant" in r.stderr,
          "no NIS2 report before significant: %s" % err(r).strip())
    r = run("incidents", "significant", i, "--aware",
            "2026-01-10T08:00:00Z")
    check(r.returncode == 0, "significant --aware: %s" % err(r))
    rep = run.json("report", "nis2", i, "--stage", "early-warning",
                   "--json") or {}
    check(sorted(rep.get("missing", [])) ==
          ["assessment.cross_border_impact",
           "assessment.suspected_malicious"],
          "early warning lists what is missing: %s" % rep.get("missing"))
    r = run("incidents", "set", i, "malicious", "yes", "cross-border",
            "DE,AT", "impact", "SCADA operator consoles locked out")
    check(r.returncode == 0, "set facts: %s" % err(r))
    # XX and US are two capital letters but no member state
    for bad in ("DE,XX", "US"):
        r = run("incidents", "set", i, "cross-border", bad)
        check(r.returncode != 0 and bad.split(",")[-1] in err(r),
              "cross-border %s: not a member state, refused (exit %d)"
              % (bad, r.returncode))
    # Greece is EL in EU usage (docs/reporting.md): GR refused or made EL
    r = run("incidents", "set", i, "cross-border", "GR")
    rep = run.json("report", "nis2", i, "--stage", "early-warning",
                   "--json") if r.returncode == 0 else {}
    check(r.returncode != 0 or (rep or {}).get("assessment", {}).get(
        "member_states_affected") == ["EL"],
          "cross-border GR: refused or reported as EL (exit %d, %s)"
          % (r.returncode, (rep or {}).get("assessment", {}).get(
              "member_states_affected")))
    # whatever the above did, back to the analyst's real answer
    check(run("incidents", "set", i, "cross-border", "DE,AT").returncode
          == 0, "cross-border DE,AT")

    r = run("incidents", "due", "--json", "--within", "100000")
    check(r.returncode == 2 and "100000" in err(r),
          "a window over 366 days is refused (exit %d)" % r.returncode)
    due = run.json("incidents", "due", "--json", "--within", "8784") or []
    st = {(x["incident"], x["regime"], x["stage"]): x for x in due}
    ew = st.get((iid, "nis2", "early-warning"), {})
    nt = st.get((iid, "nis2", "notification"), {})
    pg = st.get((iid, "nis2", "progress"), {})
    check(ew.get("due") == "2026-01-11T08:00:00.000Z" and
          ew.get("state") == "overdue" and
          ew.get("legal") == "NIS2 Art. 23(4)(a)",
          "early warning 24 h after awareness, overdue: %s" % ew)
    check(nt.get("due") == "2026-01-13T08:00:00.000Z" and
          nt.get("legal") == "NIS2 Art. 23(4)(b)",
          "notification 72 h after awareness: %s" % nt)
    check(pg.get("due") == "2026-02-13T08:00:00.000Z",
          "ongoing past the month: a progress report is due: %s" % pg)
    check(all(x["incident"] == iid for x in due),
          "only the significant incident is due: %s"
          % sorted({x["incident"] for x in due}))

    rep = run.json("report", "nis2", i, "--stage", "early-warning",
                   "--json") or {}
    ent = rep.get("entity", {})
    check(ent.get("name") == "Stadtwerke Kyklos Test GmbH" and
          ent.get("member_state") == "DE" and
          ent.get("sector", {}).get("code") == "energy" and
          ent.get("subsector", {}).get("code") == "electricity" and
          ent.get("sector", {}).get("annex") == "I",
          "entity and sector from entity.*: %s" % ent)
    dl = rep.get("deadline", {})
    check(dl.get("due") == "2026-01-11T08:00:00.000Z" and
          dl.get("due_local") == "2026-01-11T09:00:00+01:00" and
          dl.get("time_zone") == "Europe/Berlin" and
          dl.get("state") == "overdue", "deadline: %s" % dl)
    asm = rep.get("assessment", {})
    check(asm.get("suspected_malicious") == "yes" and
          asm.get("cross_border_impact") is True and
          sorted(asm.get("member_states_affected") or []) == ["AT", "DE"]
          and asm.get("impact") == "SCADA operator consoles locked out"
          and asm.get("severity") == "high" and
          asm.get("affected_systems") == 1,
          "assessment set and prefilled: %s" % asm)
    check(rep.get("marking", {}).get("tlp") == "TLP:AMBER+STRICT" and
          rep.get("classification") == {"rsit_class": "intrusions",
                                        "rsit_type": "system-compromise"},
          "marking and classification: %s %s"
          % (rep.get("marking"), rep.get("classification")))
    check(rep.get("missing") == [] and
          rep.get("times", {}).get("aware") == "2026-01-10T08:00:00.000Z"
          and rep.get("incident", {}).get("id") == "INC-%d" % iid,
          "nothing missing for the early warning: %s" % rep.get("missing"))

    # still ongoing a month after the notification's due: the final's
    # due is unknown until handling ends
    fin = run.json("report", "nis2", i, "--stage", "final", "--json") or {}
    check(fin.get("deadline", {}).get("due_known") is False and
          fin["deadline"].get("due") is None,
          "ongoing: the final's due is not known: %s"
          % fin.get("deadline"))
    check(run("incidents", "set", i, "ended",
              "2026-01-20T08:00:00Z").returncode == 0, "set ended")
    prefix = os.path.join(tmp, "out", "inc-final")
    os.mkdir(os.path.join(tmp, "out"))
    r = run("report", "nis2", i, "--stage", "final", "-o", prefix)
    check(r.returncode == 0 and os.path.isfile(prefix + ".json") and
          os.path.isfile(prefix + ".md"),
          "final report written to PREFIX.json and PREFIX.md: %s" % err(r))
    check("assessment.root_cause" in err(r),
          "what is missing also on stderr")
    md = open(prefix + ".md").read() if os.path.isfile(prefix + ".md") \
        else ""
    fin = json.load(open(prefix + ".json")) \
        if os.path.isfile(prefix + ".json") else {}
    check(md.startswith("# NIS2 final report: INC-%d\n" % iid) and
          "**TLP:AMBER+STRICT**" in md,
          "Markdown heading and marking: %r" % md[:80])
    todo = md.split("Still to fill in", 1)[1] if "Still to fill in" in md \
        else ""
    check("- [ ] assessment.root_cause (required)" in todo and
          "- [ ] assessment.mitigations (required)" in todo,
          "'Still to fill in' lists root cause and mitigations")
    check("assessment.root_cause" in fin.get("missing", []) and
          fin.get("deadline", {}).get("provisional") is True and
          fin["deadline"].get("due") == "2026-02-13T08:00:00.000Z",
          "final due provisional (from the notification's due): %s"
          % fin.get("deadline"))

    r = run("report", "submit", i, "--stage", "notification", "--at",
            "2026-01-12T08:00:00Z")
    check(r.returncode == 0, "notification submission recorded")
    fin = run.json("report", "nis2", i, "--stage", "final", "--json") or {}
    dl = fin.get("deadline", {})
    check(dl.get("due") == "2026-02-12T08:00:00.000Z" and
          dl.get("due_local") == "2026-02-12T09:00:00+01:00" and
          dl.get("provisional") is False,
          "final due one calendar month after the submission: %s" % dl)
    show = run.json("incidents", "show", i, "--json") or {}
    nst = {x["stage"]: x for x in show.get("deadlines", {}).get("nis2", [])}
    check(nst.get("notification", {}).get("state") == "submitted" and
          nst["notification"].get("late") is False and
          nst["notification"].get("submitted") ==
          "2026-01-12T08:00:00.000Z" and "progress" not in nst,
          "show: notification submitted in time, no progress report: %s"
          % nst.get("notification"))

    r = run("report", "cra-incident", i, "--stage", "early-warning")
    check(r.returncode == 1 and b"cra-incident" in r.stderr,
          "CRA report refused until marked: %s" % err(r).strip())
    check(run("incidents", "set", i, "cra-incident", "yes").returncode == 0,
          "mark as a CRA severe incident")
    cra = run.json("report", "cra-incident", i, "--stage", "early-warning",
                   "--json") or {}
    check(cra.get("regime") == "cra-incident" and
          cra.get("legal_basis") == "CRA Art. 14(4)(a)" and
          cra.get("deadline", {}).get("due") == "2026-01-11T08:00:00.000Z",
          "CRA early warning: %s" % {k: cra.get(k) for k in
                                      ("regime", "legal_basis")})
    r = run("report", "submit", i, "--stage", "notification", "--regime",
            "cra-incident", "--at", "2026-01-12T09:00:00Z")
    check(r.returncode == 0, "CRA notification submission recorded")
    cra = run.json("report", "cra-incident", i, "--stage", "final",
                   "--json") or {}
    check(cra.get("deadline", {}).get("due") == "2026-02-12T09:00:00.000Z"
          and cra["deadline"].get("provisional") is False,
          "CRA final counted from its own submission: %s"
          % cra.get("deadline"))
    hist = (run.json("incidents", "show", i, "--json") or {}).get(
        "report", {}).get("history", [])
    subs = [h for h in hist if h.get("field") == "submitted"]
    check(len(subs) == 2 and any("cra-incident" in json.dumps(h)
                                 for h in subs) and
          any("nis2" in json.dumps(h) for h in subs),
          "the reporting file's history says which regime each "
          "submission was for: %s" % subs)


def month_end(run, iid):
    """A notification submitted late on 31 January: the final is due on
    the last day of February at the same Berlin time."""
    i = str(iid)
    check(run("incidents", "significant", i, "--aware",
              "2026-01-27T08:00:00Z").returncode == 0, "significant (2)")
    check(run("incidents", "set", i, "ended",
              "2026-02-01T12:00:00Z").returncode == 0, "ended (2)")
    check(run("report", "submit", i, "--stage", "notification", "--at",
              "2026-01-31T07:30:00Z", "--by", "erik").returncode == 0,
          "late submission recorded")
    fin = run.json("report", "nis2", i, "--stage", "final", "--json") or {}
    check(fin.get("deadline", {}).get("due") == "2026-02-28T07:30:00.000Z"
          and fin["deadline"].get("due_local") ==
          "2026-02-28T08:30:00+01:00",
          "31 January + 1 month = 28 February, same local time: %s"
          % fin.get("deadline"))
    show = run.json("incidents", "show", i, "--json") or {}
    nst = {x["stage"]: x for x in show.get("deadlines", {}).get("nis2", [])}
    check(nst.get("notification", {}).get("late") is True and
          nst["notification"].get("due") == "2026-01-30T08:00:00.000Z",
          "submitted after its due: late: %s" % nst.get("notification"))
    subs = [h for h in show.get("report", {}).get("history", [])
            if h.get("field") == "submitted"]
    check(len(subs) == 1 and subs[0].get("who") == "erik",
          "the submission is in the reporting file's history by erik: %s"
          % subs)


# ---- 3. the daemon grouping live alerts ----

def live(tmp, rules):
    node = os.path.join(tmp, "live")
    init_node(node, rules)
    set_keys(os.path.join(node, "kyklos.yaml"), {
        "syslog_udp": '""',
        "syslog_tcp": '""',
        "json_tcp": '"127.0.0.1:0"',
        "metrics": '"127.0.0.1:0"',
        "workers": "2",
        "batch_size": "2",
    })
    run = Run(node, user="dora")
    ports_file = os.path.join(node, "data", "serve.ports")
    errlog = os.path.join(tmp, "serve.err")
    proc = subprocess.Popen([KYKLOS, "--home", node, "serve"],
                            stdout=subprocess.DEVNULL,
                            stderr=open(errlog, "ab"))
    try:
        wait_for(lambda: os.path.exists(ports_file) or
                 proc.poll() is not None, 20, "serve.ports")
        if proc.poll() is not None:
            check(False, "daemon started: %s" % open(errlog).read()[-500:])
            return
        ports = json.load(open(ports_file))
        check(ports.get("json_tcp", "").startswith("127.0.0.1:") and
              not ports["json_tcp"].endswith(":0"),
              "json_tcp bound to a free port: %s" % ports.get("json_tcp"))

        def send(lines):
            s = socket.create_connection(hostport(ports["json_tcp"]),
                                         timeout=10)
            s.sendall("".join(lines).encode())
            s.close()

        def find(host, alerts):
            """The incident of host once it has `alerts` alerts."""
            for x in run.json("incidents", "list", "--json") or []:
                if x["alerts"] != alerts:
                    continue
                inc = run.json("incidents", "show", str(x["id"]), "--json")
                if inc and inc["incident"]["hosts"] == [host]:
                    return inc["incident"]
            return None

        send([ev("2026-03-02T10:00:%02dZ" % s, "gw3", ip="203.0.113.5")
              for s in range(3)] +
             [ev("2026-03-02T10:00:05Z", "gw3", outcome="success")])
        inc = wait_for(lambda: find("gw3", 3), 20,
                       "the daemon grouped three live alerts")
        iid = inc["id"]
        check(inc["status"] == "new" and inc["key"] ==
              {"rule": R_LOGIN, "host": "gw3"}, "live incident keyed")
        r = run("incidents", "ack", str(iid), "--why", "looking")
        check(r.returncode == 0, "ack from the CLI while the daemon runs: %s"
              % err(r))
        send([ev("2026-03-02T10:01:%02dZ" % s, "gw3", ip="203.0.113.5")
              for s in range(2)] +
             [ev("2026-03-02T10:01:30Z", "gw4", ip="203.0.113.6")])
        inc = wait_for(lambda: find("gw3", 5), 20,
                       "later alerts joined the acknowledged incident")
        check(inc["id"] == iid and inc["status"] == "acknowledged",
              "the daemon kept the analyst's change: %s" % inc["status"])
        check([(h["to"], h["who"], h["why"]) for h in inc["history"]] ==
              [("acknowledged", "dora", "looking")],
              "and its history: %s" % inc["history"])
        other = wait_for(lambda: find("gw4", 1), 20, "gw4's incident")
        check(other["id"] != iid and other["status"] == "new",
              "another host: another incident")
        m = wait_for(lambda: (lambda v: v if v.get(
            "kyklos_incidents_opened_total", 0) >= 2 else None)(
            scrape(ports["metrics"])[0]), 10, "incident metrics")
        check(m.get("kyklos_incidents_opened_total") == 2 and
              m.get("kyklos_incident_errors_total") == 0,
              "kyklos_incidents_opened_total == 2, no errors: %s"
              % {k: v for k, v in m.items() if "incident" in k})
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait(timeout=10)
        check(rc == 0, "daemon stopped cleanly on SIGTERM (exit %s)" % rc)
    # after the daemon: the CLI sees the same state, nothing regrouped
    lst = run.json("incidents", "list", "--json") or []
    check(sorted(x["alerts"] for x in lst) == [1, 5],
          "after shutdown: %s" % [(x["id"], x["alerts"]) for x in lst])


def main():
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="kyklos-cli-incidents-")
    try:
        rules = os.path.join(tmp, "rules")
        os.mkdir(rules)
        for name, text in RULES.items():
            with open(os.path.join(rules, name), "w") as f:
                f.write(text)
        node = os.path.join(tmp, "node")
        init_node(node, rules)
        run = Run(node)
        ids = offline(tmp, run, rules)
        if ids:
            lifecycle(run, ids[0])
            classify(run, ids[1])
            reporting(tmp, run, node, ids[1])
            month_end(run, ids[2])
        live(tmp, rules)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%.1f s" % (time.monotonic() - t0))
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
