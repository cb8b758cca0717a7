#!/usr/bin/python3
"""Benchmark task A (issue 3): fail2ban's jail over a log, on the log's time.

fail2ban-server compares log dates with the wall clock (lines older than
findtime are dropped when it starts), so it cannot judge a day of history;
fail2ban-regex matches lines but never counts them against maxretry.  This
runs fail2ban's own code for a jail instead: JailsReader reads jail.conf and
the filter from this directory, the commands it produces configure a
fail2ban Filter (date detection, failregex, FailManager with findtime and
maxretry), and every line goes through Filter.processLineAndAdd, as the
server's log poller does, with fail2ban's clock (MyTime) following the
log's dates as in fail2ban's own test suite.  Prints "FLAGGED <address>"
for every ban fail2ban decides.
Usage: f2b_replay.py CONFDIR LOGFILE [JAIL]
"""

import sys

from fail2ban.client.jailsreader import JailsReader
from fail2ban.server.filter import Filter
from fail2ban.server.mytime import MyTime


class Jail:
    """What Filter needs of a jail: a name and somewhere to put bans."""

    def __init__(self, name, out):
        self.name = name
        self.out = out
        self.bans = 0

    def putFailTicket(self, ticket):
        self.bans += 1
        self.out.write("FLAGGED %s\n" % ticket.getID())


SETTERS = {
    "usedns": lambda f, v: f.setUseDns(v),
    "prefregex": lambda f, v: setattr(f, "prefRegex", v),
    "addfailregex": lambda f, v: f.addFailRegex(v),
    "addignoreregex": lambda f, v: f.addIgnoreRegex(v),
    "datepattern": lambda f, v: f.setDatePattern(v),
    "logtimezone": lambda f, v: f.setLogTimeZone(v),
    "maxlines": lambda f, v: f.setMaxLines(int(v)),
    "findtime": lambda f, v: f.setFindTime(v),
    "maxretry": lambda f, v: f.setMaxRetry(int(v)),
    "maxmatches": lambda f, v: setattr(f.failManager, "maxMatches", int(v)),
    "ignoreself": lambda f, v: setattr(f, "ignoreSelf", str(v).lower() == "true"),
    "addignoreip": lambda f, v: f.addIgnoreIP(v),
}


def build(confdir, jailname, out):
    reader = JailsReader(basedir=confdir, force_enable=True)
    if not reader.read() or not reader.getOptions(jailname):
        sys.exit("f2b_replay: cannot read jail %s from %s" % (jailname,
                                                               confdir))
    jail = Jail(jailname, out)
    flt = Filter(jail)
    applied = []
    for cmd in reader.convert(allow_no_files=True):
        if cmd[0] not in ("set", "multi-set") or cmd[1] != jailname:
            continue
        key, val = cmd[2], cmd[3]
        if key not in SETTERS:
            continue  # actions, log paths, ban times: not the decision
        for v in val if cmd[0] == "multi-set" else [val]:
            SETTERS[key](flt, v)
        applied.append(key)
    # the date check is for live logs only (fail2ban-regex turns it off too)
    flt.checkFindTime = False
    return jail, flt, applied


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.rsplit("\n", 2)[-2])
    confdir, logfile = sys.argv[1], sys.argv[2]
    jailname = sys.argv[3] if len(sys.argv) > 3 else "sshd-bench"
    out = sys.stdout
    jail, flt, applied = build(confdir, jailname, out)
    lines = 0
    with open(logfile, encoding="utf-8", errors="replace") as f:
        for line in f:
            flt.processLineAndAdd(line.rstrip("\n"))
            last = flt._Filter__lastDate
            if last is not None:
                MyTime.setTime(last)
            lines += 1
    out.flush()
    sys.stderr.write("f2b_replay: %d lines, %d bans, findtime %s, maxretry %d"
                     " (%s)\n" % (lines, jail.bans, flt.getFindTime(),
                                  flt.failManager.getMaxRetry(),
                                  " ".join(applied)))


if __name__ == "__main__":
    main()
