#!/usr/bin/env python3
"""`kyklos config set`: keys set in the commented file `kyklos init`
wrote (commented lines uncommented, set ones replaced, the rest of the file
untouched), values checked before anything is written, unknown keys and
out-of-range values refused naming them with the file unchanged.

Needs KYKLOS_BIN (set by meson); python3 stdlib only."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from kytest import FAILURES, check

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-config-")
    try:
        node = os.path.join(tmp, "n")
        subprocess.run([KYKLOS, "init", node], check=True,
                       capture_output=True, timeout=60)
        path = os.path.join(node, "kyklos.yaml")

        def run(*args):
            return subprocess.run([KYKLOS, "--home", node] + list(args),
                                  capture_output=True, text=True, timeout=60)
        before = open(path).read()
        r = run("config", "set", "share.listen", "127.0.0.1:7443",
                "share.country", "EE", "detect.rules", "[a.yml, b.yml]",
                "node.name", "csirt")
        check(r.returncode == 0, "four keys set: %s" % r.stderr)
        shown = json.loads(run("config", "show", "--json").stdout)
        check(shown["share"]["listen"] == "127.0.0.1:7443" and
              shown["share"]["country"] == "EE" and
              shown["detect"]["rules"] == ["a.yml", "b.yml"] and
              shown["node"]["name"] == "csirt",
              "config show has the new values")
        after = open(path).read()
        changed = [(a, b) for a, b in zip(before.splitlines(),
                                          after.splitlines()) if a != b]
        check(len(before.splitlines()) == len(after.splitlines()) and
              len(changed) == 4,
              "only the four lines changed: %s" % changed)
        check(all(b.startswith("  ") and not b.startswith("  #")
                  for _, b in changed), "the lines are uncommented")
        # the fieldmap section has a rules key too: detect.rules set the
        # detect one only
        check(shown["fieldmap"]["rules"] == [], "fieldmap.rules untouched")
        r = run("config", "set", "serve.syslog_tcp", "*:5514",
                "node.name", 'a "quoted" name')
        shown = json.loads(run("config", "show", "--json").stdout)
        check(r.returncode == 0 and shown["serve"]["syslog_tcp"] ==
              "*:5514" and shown["node"]["name"] == 'a "quoted" name',
              "string values are quoted for YAML (*:5514 is not an "
              "alias): %s" % r.stderr)
        r = run("config", "set", "share.listen", "127.0.0.1:7444")
        check(r.returncode == 0 and 'listen: "127.0.0.1:7444"' in
              open(path).read() and
              "listen: 127.0.0.1:7443" not in open(path).read(),
              "a set key is replaced")
        keep = open(path).read()
        r = run("config", "set", "node.name", "x", "share.pull_interval",
                "0")
        check(r.returncode == 1 and "pull_interval" in r.stderr and
              "out of range" in r.stderr and ":" in r.stderr,
              "an out-of-range value is refused naming key and line: %s"
              % r.stderr.strip())
        check(open(path).read() == keep,
              "nothing of a refused set is written, not even node.name")
        r = run("config", "set", "share.nope", "1")
        check(r.returncode == 1 and "share.nope: no such key" in r.stderr,
              "an unknown key is named: %s" % r.stderr.strip())
        r = run("config", "set", "share.listen")
        check(r.returncode == 2, "a key without a value is a usage error")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
