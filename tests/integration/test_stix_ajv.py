"""Every STIX object kyklos emits validates against the OASIS STIX 2.1 JSON
schemas (../shared/data/stix/schemas), checked by an outside validator:
ajv from npm (Ajv2020, unicodeRegExp false), each object against the schema
of its own type.  The objects come from `kyklos stix examples`: one of
every type the node emits, built by the same functions as the node's
own objects.

The harness checks itself first: every object of the official example
bundles must pass, and mutated copies of them (a required property
removed, a wrong spec_version, a broken id, confidence 101) must fail —
otherwise a validator that accepts anything would make this test pass.

Skipped (exit 77, with a message) without node/npm or the registry, or
when the schema folder is absent; never skipped when `stix examples`
fails."""

import copy
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "..", "npm", "stix", "package.json")
SCRIPT = os.path.join(HERE, "stix_validate.js")
SKIP = 77
WANT = ["indicator", "sighting", "observed-data", "incident",
        "vulnerability", "identity", "relationship", "note", "report",
        "marking-definition"]


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(SKIP)


def install(build_dir):
    if shutil.which("node") is None or shutil.which("npm") is None:
        skip("node or npm not found on PATH: install Debian's nodejs and npm")
    prefix = os.path.join(build_dir, "npm-stix")
    mods = os.path.join(prefix, "node_modules")
    if all(os.path.isdir(os.path.join(mods, p))
           for p in ("ajv", "ajv-formats")):
        return mods
    os.makedirs(prefix, exist_ok=True)
    shutil.copy(MANIFEST, os.path.join(prefix, "package.json"))
    cmd = ["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
           "--no-package-lock", "--loglevel=error"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        skip("npm install of ajv timed out (no registry?)")
    if p.returncode != 0:
        skip("npm install of ajv failed (no registry?): " +
             p.stderr.strip()[-400:])
    return mods


def validate(mods, schemas, objs):
    env = dict(os.environ, NODE_PATH=mods)
    text = "".join(json.dumps(o) + "\n" for o in objs)
    p = subprocess.run(["node", SCRIPT, schemas], input=text,
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print("FAIL node: " + p.stderr[-2000:])
        sys.exit(1)
    return [json.loads(line) for line in p.stdout.splitlines()]


def mutants(objs):
    """Copies that the schemas must refuse, with what was done."""
    out = []
    for o in objs:
        t = o.get("type")
        if t == "indicator":
            m = copy.deepcopy(o)
            del m["pattern"]
            out.append(("indicator without pattern", m))
            m = copy.deepcopy(o)
            m["confidence"] = 101
            out.append(("confidence 101", m))
        if t in ("indicator", "malware", "threat-actor", "campaign",
                 "relationship", "report", "identity"):
            m = copy.deepcopy(o)
            m["spec_version"] = "9.9"
            out.append(("spec_version 9.9 on a " + t, m))
            m = copy.deepcopy(o)
            m["id"] = t + "--not-a-uuid"
            out.append(("broken id on a " + t, m))
            m = copy.deepcopy(o)
            del m["created"]
            out.append(("no created on a " + t, m))
    return out


def main():
    build_dir = os.environ.get("KYKLOS_BUILD_DIR")
    kyklos = os.environ.get("KYKLOS_BIN")
    data = os.environ.get("KYKLOS_SHARED_DATA",
                          os.path.join(HERE, "..", "..", "..", "shared",
                                       "data"))
    schemas = os.path.join(data, "stix", "schemas")
    if not build_dir or not kyklos:
        print("FAIL KYKLOS_BUILD_DIR and KYKLOS_BIN must be set")
        return 1
    if not os.path.isdir(schemas):
        skip("folder %s is missing (the STIX 2.1 schemas)" % schemas)
    mods = install(build_dir)

    # the harness itself: official examples pass, mutants fail
    examples = []
    for f in sorted(glob.glob(os.path.join(data, "stix", "examples",
                                           "*.json")) +
                    glob.glob(os.path.join(data, "stix", "examples",
                                           "threat-reports", "*.json"))):
        examples += json.load(open(f)).get("objects", [])
    res = validate(mods, schemas, examples)
    bad = [r for r in res if not r["ok"]]
    if bad or len(res) != len(examples) or not examples:
        print("FAIL harness: %d of %d official example objects refused: %s"
              % (len(bad), len(examples), bad[:3]))
        return 1
    muts = mutants(examples)
    res = validate(mods, schemas, [m for _, m in muts])
    passed = [muts[i][0] for i, r in enumerate(res) if r["ok"]]
    if passed or len(muts) < 10:
        print("FAIL harness: mutants accepted: %s" % passed[:5])
        return 1
    print("ok   harness: %d official objects valid, %d mutants refused" %
          (len(examples), len(muts)))

    # what kyklos emits
    p = subprocess.run([kyklos, "stix", "examples"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        print("FAIL kyklos stix examples: " + p.stderr)
        return 1
    objs = [json.loads(line) for line in p.stdout.splitlines()]
    types = {o["type"] for o in objs}
    missing = [t for t in WANT if t not in types]
    if missing:
        print("FAIL kyklos stix examples lacks %s" % missing)
        return 1
    tlp = [o for o in objs if o["type"] == "marking-definition"]
    if len(tlp) != 5:
        print("FAIL expected the five TLP 2.0 markings, got %d" % len(tlp))
        return 1
    res = validate(mods, schemas, objs)
    failed = 0
    for r in res:
        if r["ok"]:
            print("ok   %s %s" % (r["type"], r["id"]))
        else:
            failed += 1
            print("FAIL %s %s: %s" % (r.get("type"), r.get("id"),
                                       r["errors"]))
    if len(res) != len(objs):
        print("FAIL %d objects, %d results" % (len(objs), len(res)))
        return 1
    if failed:
        print("%d of %d objects invalid" % (failed, len(objs)))
        return 1
    print("all %d objects valid" % len(objs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
