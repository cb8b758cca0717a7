"""Cross-checks kyklos's CVSS scores with two outside implementations from
npm: `cvss` (v3.0 base and temporal scores) and `cvss4` (v3.0/v3.1 base,
temporal and environmental scores, v4.0 scores). Random valid vectors from
a fixed seed are scored by tests/unit/cvss/cvss_score (the build's helper)
and by node; every score must be identical. The npm packages are installed
from tests/npm/cvss/package.json into the build directory; without npm or
the registry the test is skipped (exit 77) with a message saying so."""

import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "..", "npm", "cvss", "package.json")
COUNT = int(os.environ.get("KYKLOS_CVSS_COUNT", "2000"))
SEED = 20240401
SKIP = 77

V3_BASE = [("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"),
           ("S", "UC"), ("C", "HLN"), ("I", "HLN"), ("A", "HLN")]
V3_TEMPORAL = [("E", "XUPFH"), ("RL", "XOTWU"), ("RC", "XURC")]
V3_ENV = [("CR", "XLMH"), ("IR", "XLMH"), ("AR", "XLMH"),
          ("MAV", "XNALP"), ("MAC", "XLH"), ("MPR", "XNLH"), ("MUI", "XNR"),
          ("MS", "XUC"), ("MC", "XNLH"), ("MI", "XNLH"), ("MA", "XNLH")]

V4 = [("AV", "NALP", True), ("AC", "LH", True), ("AT", "NP", True),
      ("PR", "NLH", True), ("UI", "NPA", True), ("VC", "HLN", True),
      ("VI", "HLN", True), ("VA", "HLN", True), ("SC", "HLN", True),
      ("SI", "HLN", True), ("SA", "HLN", True),
      ("E", "XAPU", False), ("CR", "XHML", False), ("IR", "XHML", False),
      ("AR", "XHML", False), ("MAV", "XNALP", False), ("MAC", "XLH", False),
      ("MAT", "XNP", False), ("MPR", "XNLH", False), ("MUI", "XNPA", False),
      ("MVC", "XHLN", False), ("MVI", "XHLN", False), ("MVA", "XHLN", False),
      ("MSC", "XHLN", False), ("MSI", "XSHLN", False),
      ("MSA", "XSHLN", False), ("S", "XNP", False), ("AU", "XNY", False),
      ("R", "XAUI", False), ("V", "XDC", False), ("RE", "XLMH", False),
      ("U", ["X", "Clear", "Green", "Amber", "Red"], False)]

NODE_SCRIPT = r"""
const cvss = require('cvss');
const cvss4 = require('cvss4');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
const out = [];
for (const v of lines) {
  const r = {};
  const call = (k, f) => { try { r[k] = f(); } catch (e) { r[k] = 'error ' + e.message; } };
  if (v.startsWith('CVSS:4.0/')) {
    call('score', () => cvss4.calculateBaseScoreV4(v));
  } else {
    call('base', () => cvss4.calculateBaseScore(v));
    call('temporal', () => cvss4.calculateTemporalScore(v));
    call('environmental', () => cvss4.calculateEnvironmentalScore(v));
    if (v.startsWith('CVSS:3.0/')) {
      call('cvss_base', () => cvss.getBaseScore(v, {throw: true}));
      call('cvss_temporal', () => cvss.getTemporalScore(v, {throw: true}));
    }
  }
  out.push(r);
}
const table = {};
for (const [k, s] of Object.entries(cvss4.cvssLookup_globalV4)) table[k] = s;
process.stdout.write(JSON.stringify({results: out, table: table}));
"""


def is_tie(fields, other):
    """Our value is an exact half (x.x5 up to float noise), we rounded it
    up as the specification's one-decimal rounding does, and cvss4 rounded
    it down: JavaScript's Math.round of 49.49999999999999."""
    if not isinstance(other, (int, float)) or len(fields) < 4:
        return False
    raw = float(fields[3]) * 10
    half = abs(raw - int(raw) - 0.5) < 1e-6
    return half and abs(float(fields[0]) - other - 0.1) < 1e-9


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(SKIP)


def v3_vector(rng, minor):
    parts = ["CVSS:3.%d" % minor]
    parts += ["%s:%s" % (m, rng.choice(vals)) for m, vals in V3_BASE]
    if rng.random() < 0.5:
        parts += ["%s:%s" % (m, rng.choice(vals)) for m, vals in V3_TEMPORAL]
    if rng.random() < 0.5:
        # The cvss package needs every environmental metric spelled out.
        parts += ["%s:%s" % (m, rng.choice(vals)) for m, vals in V3_ENV]
    return "/".join(parts)


ENV4 = ("CR", "IR", "AR") + tuple(m for m, _, _ in V4 if m.startswith("M"))


def v4_vector(rng, env):
    """A CVSS-B or -BT vector (with supplemental metrics) when env is
    false, else one with environmental metrics (CVSS-BE or -BTE)."""
    parts = ["CVSS:4.0"]
    dense = rng.random() < 0.5
    for m, vals, base in V4:
        if m in ENV4 and not env:
            continue
        if base or (dense and rng.random() < 0.7) or rng.random() < 0.1:
            parts.append("%s:%s" % (m, rng.choice(vals)))
    if env and not any(p.split(":")[0] in ENV4 and not p.endswith(":X")
                       for p in parts):
        m = rng.choice(("CR", "IR", "AR"))
        parts = [p for p in parts if p.split(":")[0] != m]
        parts.append("%s:%s" % (m, rng.choice("HML")))
        parts = [parts[0]] + sorted(parts[1:], key=order4)
    return "/".join(parts)


def order4(part):
    return [m for m, _, _ in V4].index(part.split(":")[0])


def table_vectors():
    """(macrovector, vector at distance 0 from it) for all 270."""
    eq1 = ["AV:N/AC:%s/AT:%s/PR:N/UI:N", "AV:A/AC:%s/AT:%s/PR:N/UI:N",
           "AV:P/AC:%s/AT:%s/PR:N/UI:N"]
    eq2 = [("L", "N"), ("H", "N")]
    eq36 = {"00": ("H", "H", "H", "H", "H", "H"),
            "01": ("H", "H", "L", "M", "M", "H"),
            "10": ("L", "H", "H", "H", "H", "H"),
            "11": ("L", "H", "L", "H", "M", "H"),
            "21": ("L", "L", "L", "H", "H", "H")}
    eq4 = [("H", "H", "H", "/MSI:S/MSA:S"), ("H", "H", "H", ""),
           ("L", "L", "L", "")]
    eq5 = "APU"
    out = []
    for i1 in range(3):
        for i2 in range(2):
            for k36, (vc, vi, va, cr, ir, ar) in sorted(eq36.items()):
                for i4 in range(3):
                    for i5 in range(3):
                        sc, si, sa, mod = eq4[i4]
                        vec = ("CVSS:4.0/" + eq1[i1] % eq2[i2] +
                               "/VC:%s/VI:%s/VA:%s/SC:%s/SI:%s/SA:%s"
                               "/E:%s/CR:%s/IR:%s/AR:%s%s" %
                               (vc, vi, va, sc, si, sa, eq5[i5], cr, ir, ar,
                                mod))
                        key = "%d%d%s%d%d%s" % (i1, i2, k36[0], i4, i5,
                                                k36[1])
                        out.append((key, vec))
    return out


def install(build_dir):
    """node_modules with cvss and cvss4, installed once per build dir."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        skip("node or npm not found on PATH: install Debian's nodejs and npm")
    prefix = os.path.join(build_dir, "npm-cvss")
    mods = os.path.join(prefix, "node_modules")
    if all(os.path.isdir(os.path.join(mods, p)) for p in ("cvss", "cvss4")):
        return mods
    os.makedirs(prefix, exist_ok=True)
    shutil.copy(MANIFEST, os.path.join(prefix, "package.json"))
    cmd = ["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
           "--no-package-lock", "--loglevel=error"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        skip("npm install of cvss and cvss4 timed out (no registry?)")
    if p.returncode != 0:
        skip("npm install of cvss and cvss4 failed (no registry?): " +
             p.stderr.strip()[-400:])
    return mods


def main():
    build_dir = os.environ.get("KYKLOS_BUILD_DIR")
    if not build_dir:
        print("FAIL KYKLOS_BUILD_DIR is not set")
        return 1
    helper = os.path.join(build_dir, "tests", "unit", "cvss", "cvss_score")
    if not os.access(helper, os.X_OK):
        print("FAIL helper %s not built" % helper)
        return 1
    mods = install(build_dir)

    rng = random.Random(SEED)
    vectors = [v3_vector(rng, 0) for _ in range(COUNT)]
    vectors += [v3_vector(rng, 1) for _ in range(COUNT)]
    vectors += [v4_vector(rng, False) for _ in range(COUNT)]
    vectors += [v4_vector(rng, True) for _ in range(COUNT)]
    text = "\n".join(vectors) + "\n"

    ours = subprocess.run([helper], input=text, capture_output=True,
                          text=True, check=True).stdout.splitlines()
    env = dict(os.environ, NODE_PATH=mods)
    p = subprocess.run(["node", "-e", NODE_SCRIPT], input=text,
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print("FAIL node: " + p.stderr[-2000:])
        return 1
    theirs = json.loads(p.stdout)
    if len(ours) != len(vectors) or len(theirs["results"]) != len(vectors):
        print("FAIL %d vectors, %d scored here, %d by node" %
              (len(vectors), len(ours), len(theirs["results"])))
        return 1

    checks = {}
    failures = []
    info = {}
    ties = []

    def compare(name, vec, mine, other):
        ok, bad = checks.get(name, (0, 0))
        if isinstance(other, (int, float)) and mine == "%.1f" % other:
            checks[name] = (ok + 1, bad)
            return
        checks[name] = (ok, bad + 1)
        if len(failures) < 20:
            failures.append("%s %s: ours %s, npm %s" % (name, vec, mine, other))

    for vec, line, r in zip(vectors, ours, theirs["results"]):
        if line.startswith("error"):
            failures.append("%s: we refused a valid vector: %s" % (vec, line))
            continue
        f = line.split()
        if vec.startswith("CVSS:4.0/"):
            if f[1] in ("CVSS-BE", "CVSS-BTE"):
                # cvss4 1.0.7 departs from the specification here (see
                # docs/cvss.md): counted and shown, not required.
                ok, bad = info.get(f[1], (0, 0))
                same = "%.1f" % r["score"] == f[0]
                info[f[1]] = (ok + same, bad + (not same))
                continue
            if is_tie(f, r["score"]):
                ties.append("%s: ours %s, cvss4 %s (unrounded %s)" %
                            (vec, f[0], r["score"], f[3]))
                continue
            compare("v4.0 %s score vs cvss4" % f[1], vec, f[0], r["score"])
            continue
        ver = vec[5:8]
        compare("v%s base vs cvss4" % ver, vec, f[0], r["base"])
        compare("v%s temporal vs cvss4" % ver, vec, f[1], r["temporal"])
        compare("v%s environmental vs cvss4" % ver, vec, f[2],
                r["environmental"])
        if ver == "3.0":
            compare("v3.0 base vs cvss", vec, f[0], r["cvss_base"])
            compare("v3.0 temporal vs cvss", vec, f[1], r["cvss_temporal"])

    # The published macrovector table, entry by entry: the first
    # highest-severity vector of a macrovector is at distance 0, so its
    # score is the table's number. cvss4 exports its copy of the table.
    table = theirs["table"]
    tv = table_vectors()
    tout = subprocess.run([helper], input="\n".join(v for _, v in tv) + "\n",
                          capture_output=True, text=True,
                          check=True).stdout.splitlines()
    for (key, vec), line in zip(tv, tout):
        f = line.split()
        if len(f) != 4 or f[2] != key:
            checks.setdefault("v4.0 table entries", (0, 0))
            ok, bad = checks["v4.0 table entries"]
            checks["v4.0 table entries"] = (ok, bad + 1)
            failures.append("%s: expected macrovector %s, got %s" %
                            (vec, key, line))
            continue
        compare("v4.0 table entries", vec, f[0], table.get(key))
    if len(table) != 270 or len(tv) != 270:
        failures.append("macrovector tables: cvss4 has %d entries, we made "
                        "%d vectors, expected 270" % (len(table), len(tv)))

    total_ok = sum(ok for ok, _ in checks.values())
    total_bad = sum(bad for _, bad in checks.values())
    for name in sorted(checks):
        ok, bad = checks[name]
        print("%-32s %5d identical, %d different" % (name, ok, bad))
    for name in sorted(info):
        ok, bad = info[name]
        print("%-32s %5d identical, %d different (cvss4 1.0.7 departs from"
              " the specification; not required)" % (
                  "v4.0 %s score vs cvss4" % name, ok, bad))
    print("v4.0 halves that cvss4 rounds down (float noise): %d" % len(ties))
    for t in ties[:5]:
        print("     " + t)
    for f in failures:
        print("FAIL " + f)
    print("%d passed, %d failed" % (total_ok, total_bad + (
        len(failures) if total_bad == 0 else 0)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
