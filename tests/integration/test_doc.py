#!/usr/bin/env python3
"""kyklos(1) and the bash completion, both generated from the command
table: every command of `kyklos --help` is in the manual page, which groff
formats without a warning; the completion, sourced into a real bash,
completes command names (after global options), subcommands and options.

Needs KYKLOS_BIN (set by meson); bash; groff (skipped, with a message,
without it)."""

import os
import re
import shutil
import subprocess
import sys

from kytest import FAILURES, check

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")


def complete(script, words, cword):
    """COMPREPLY of _kyklos for COMP_WORDS=words, COMP_CWORD=cword."""
    arr = " ".join("'%s'" % w for w in words)
    prog = ("source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _kyklos; "
            "printf '%%s\\n' \"${COMPREPLY[@]}\"" % (script, arr, cword))
    r = subprocess.run(["bash", "--norc", "-c", prog], capture_output=True,
                       text=True, timeout=30)
    return [w for w in r.stdout.split("\n") if w]


def main():
    helptext = subprocess.run([KYKLOS, "--help"], capture_output=True,
                              text=True, timeout=30).stdout
    cmds = re.findall(r"^  ([a-z]+)", helptext, flags=re.M)
    check(len(cmds) >= 20, "the help lists the commands (%d)" % len(cmds))
    man = subprocess.run([KYKLOS, "man"], capture_output=True, text=True,
                         timeout=30)
    check(man.returncode == 0 and man.stdout.startswith(".TH KYKLOS 1"),
          "kyklos man prints a man(7) page")
    for c in cmds:
        check(".B kyklos %s" % c in man.stdout, "the man page has %s" % c)
    if shutil.which("groff"):
        r = subprocess.run(["groff", "-man", "-ww", "-Tutf8"],
                           input=man.stdout, capture_output=True,
                           text=True, timeout=30)
        check(r.returncode == 0 and r.stderr == "",
              "groff formats it without warnings: %s" % r.stderr[:300])
        plain = re.sub(".\b", "", r.stdout)  # bold is overstrike on a tty
        check("kyklos demo" in plain and "EXIT STATUS" in plain,
              "the formatted page reads right")
    else:
        print("skip: groff not installed, the man page is not formatted")

    script = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                          "kyklos-completion-%d" % os.getpid())
    with open(script, "w") as f:
        f.write(subprocess.run([KYKLOS, "completion", "bash"],
                               capture_output=True, text=True,
                               timeout=30).stdout)
    try:
        got = complete(script, ["kyklos", ""], 1)
        check(sorted(set(cmds)) == sorted(w for w in got
                                          if not w.startswith("-")),
              "every command completes: %s" % got)
        check(complete(script, ["kyklos", "--home", "/x", "pe"], 3) ==
              ["peer"], "a command after --home DIR")
        check(complete(script, ["kyklos", "peer", ""], 2) ==
              ["add", "list", "show", "remove", "pause", "resume"],
              "peer's subcommands")
        check("--country" in complete(script, ["kyklos", "peer", "add",
                                               "x", "--c"], 4),
              "peer add's options")
        check(complete(script, ["kyklos", "demo", "--k"], 2) == ["--keep"],
              "demo --keep")
        check(complete(script, ["kyklos", "--log-level", "d"], 2) ==
              ["debug"], "log levels")
        check(complete(script, ["kyklos", "incidents", "s"], 2) ==
              ["show", "significant", "set"] or
              sorted(complete(script, ["kyklos", "incidents", "s"], 2)) ==
              ["set", "show", "significant"], "incidents s...")
    finally:
        os.unlink(script)
    r = subprocess.run([KYKLOS, "completion", "zsh"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "completion bash" in r.stderr,
          "an unknown shell is a usage error")
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
