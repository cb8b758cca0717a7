#!/usr/bin/env python3
"""Runs end-to-end ingestion cases (tests/cases/ingest/NNNN-name/) against
the kyklos binary, in the manner of curl's tests/data/testNNNN: each case is
data (input, args, expected.jsonl, rejected.txt), this is the one driver.

usage: run_ingest_cases.py [--show] CASE_DIR...
  KYKLOS_BIN  the kyklos executable (default: kyklos on PATH)
  --show      print what kyklos produced (events without "@recv", then the
              rejections in rejected.txt form) instead of comparing; for
              writing a new case, whose values must then be checked by hand

A case directory holds:
  input           the records, any formats
  args            optional: extra `kyklos ingest` arguments, whitespace
                  separated (e.g. `--format cef`)
  config          optional: the node's kyklos.yaml (default: `kyklos init`'s)
  expected.jsonl  the events `ingest --print` must write, one JSON object a
                  line, in order; compared as ordered (key, value) lists so
                  field order and duplicate paths count; "@recv" is removed
                  from what kyklos printed; an expected "@time" of "*" means
                  present with any value (RFC 3164 stamps have no year)
  rejected.txt    one line per rejected record, in order:
                  `LINE: substring of the dead-letter reason`; empty file =
                  nothing rejected

The case runs in a fresh node (`kyklos init`) with --no-store, so every
rejection is read back, with its line number, from deadletter/*.jsonl
(stderr only shows the first ten without a node).
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile


class Num:
    """A JSON number kept as written: kyklos prints a number's literal as
    it was in the input (1.5e3 stays 1.5e3), and a case checks that."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Num) and other.text == self.text

    def __repr__(self):
        return self.text


def pairs(text):
    return json.loads(text, object_pairs_hook=lambda kv: kv,
                      parse_int=Num, parse_float=Num, parse_constant=Num)


def fmt(v):
    if isinstance(v, Num):
        return v.text
    return json.dumps(v, ensure_ascii=False)


def run_case(kyklos, case):
    """Runs kyklos on the case; returns (events, rejections, error)."""
    tmp = tempfile.mkdtemp(prefix="kyklos-case-")
    try:
        node = os.path.join(tmp, "node")
        env = dict(os.environ)
        env.pop("KYKLOS_HOME", None)
        r = subprocess.run([kyklos, "init", node], cwd=tmp, env=env,
                           capture_output=True)
        if r.returncode != 0:
            return None, None, "kyklos init failed: " + r.stderr.decode(
                errors="replace")
        cfg = os.path.join(case, "config")
        if os.path.exists(cfg):
            shutil.copyfile(cfg, os.path.join(node, "kyklos.yaml"))
        # The input is copied so that reasons name it "input", whatever
        # the case's path.
        shutil.copyfile(os.path.join(case, "input"),
                        os.path.join(tmp, "input"))
        args = []
        apath = os.path.join(case, "args")
        if os.path.exists(apath):
            with open(apath, encoding="utf-8") as f:
                args = f.read().split()
        cmd = [kyklos, "--home", node, "ingest", "--print", "--no-store"]
        cmd += args + ["input"]
        r = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True,
                           timeout=60)
        if r.returncode != 0:
            return None, None, "%s exited with %d:\n%s" % (
                " ".join(cmd), r.returncode,
                r.stderr.decode(errors="replace"))
        try:
            text = r.stdout.decode("utf-8")
        except UnicodeDecodeError as e:
            # JSON is UTF-8 (RFC 8259): invalid bytes in what kyklos
            # printed are a failure of the output, not of the case.
            ctx = r.stdout[max(0, e.start - 40):e.end + 20]
            return None, None, "stdout is not valid UTF-8 at byte %d: %r" % (
                e.start, ctx)
        events = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                ev = pairs(line)
            except ValueError as e:
                return None, None, "stdout line %d is not JSON (%s): %r" % (
                    n, e, line)
            events.append([kv for kv in ev if kv[0] != "@recv"])
        rejections = []
        for path in sorted(glob.glob(os.path.join(node, "deadletter",
                                                  "*.jsonl*"))):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    rejections.append((d.get("line"), d.get("reason", "")))
        return events, rejections, None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def show_event(ev):
    return "{" + ",".join("%s:%s" % (fmt(k), fmt(v)) for k, v in ev) + "}"


def read_expected(case):
    events = []
    with open(os.path.join(case, "expected.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    events.append(pairs(line))
                except ValueError as e:
                    raise SystemExit("%s/expected.jsonl:%d: %s" % (case, n, e))
    rejected = []
    with open(os.path.join(case, "rejected.txt"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            num, sep, sub = line.partition(":")
            if not sep or not num.strip().isdigit():
                raise SystemExit("%s/rejected.txt:%d: want 'LINE: reason'" %
                                 (case, n))
            rejected.append((int(num), sub.strip()))
    return events, rejected


def same(want, got):
    # Numbers are Num, so true never equals 1; 1 == 1.0 is False too.
    return type(want) is type(got) and want == got


def compare_event(name, i, want, got, out):
    ok = True
    for j in range(max(len(want), len(got))):
        w = want[j] if j < len(want) else None
        g = got[j] if j < len(got) else None
        if w and g and w[0] == g[0] and (
                same(w[1], g[1]) or (w[0] == "@time" and w[1] == "*")):
            continue
        ok = False
        out.append("%s: event %d, field %d: expected %s, got %s" % (
            name, i + 1, j + 1,
            "%s = %s" % (w[0], fmt(w[1])) if w else "(nothing)",
            "%s = %s" % (g[0], fmt(g[1])) if g else "(nothing)"))
    return ok


def check(kyklos, case):
    name = os.path.basename(os.path.normpath(case))
    want_ev, want_rej = read_expected(case)
    got_ev, got_rej, err = run_case(kyklos, case)
    if err:
        print("%s: %s" % (name, err))
        return False
    out = []
    for i in range(max(len(want_ev), len(got_ev))):
        if i >= len(got_ev):
            out.append("%s: event %d missing: expected %s" % (
                name, i + 1, show_event(want_ev[i])))
        elif i >= len(want_ev):
            out.append("%s: event %d unexpected: got %s" % (
                name, i + 1, show_event(got_ev[i])))
        else:
            compare_event(name, i, want_ev[i], got_ev[i], out)
    for i in range(max(len(want_rej), len(got_rej))):
        w = want_rej[i] if i < len(want_rej) else None
        g = got_rej[i] if i < len(got_rej) else None
        if w and g and w[0] == g[0] and w[1] in g[1]:
            continue
        out.append("%s: rejection %d: expected %s, got %s" % (
            name, i + 1, "line %d: ...%s..." % w if w else "(none)",
            "line %s: %s" % g if g else "(none)"))
    for line in out:
        print(line)
    print("%s: %s (%d events, %d rejected)" % (
        name, "FAIL" if out else "ok", len(got_ev), len(got_rej)))
    return not out


def show(kyklos, case):
    events, rejections, err = run_case(kyklos, case)
    if err:
        print(err, file=sys.stderr)
        return False
    for ev in events:
        print(show_event(ev))
    print("--- rejected.txt")
    for line, reason in rejections:
        print("%s: %s" % (line, reason))
    return True


def main(argv):
    kyklos = os.environ.get("KYKLOS_BIN") or shutil.which("kyklos")
    if not kyklos:
        print("KYKLOS_BIN is not set and kyklos is not on PATH")
        return 2
    if os.sep in kyklos:
        kyklos = os.path.abspath(kyklos)  # the cases run in another cwd
    showing = argv[:1] == ["--show"]
    cases = argv[1:] if showing else argv
    if not cases:
        print(__doc__.split("\n\n")[1])
        return 2
    ok = True
    for case in cases:
        ok = (show if showing else check)(kyklos, case) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
