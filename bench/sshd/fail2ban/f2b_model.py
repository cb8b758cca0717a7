#!/usr/bin/env python3
"""Benchmark task A (issue 3): what fail2ban's counting rule flags, in 60 lines.

fail2ban does not keep a sliding window: a failure ticket per address holds
a count and a first time, and a failure more than findtime after the first
time rescales the count to the rate seen so far
(round(count / elapsed * findtime), FailTicket.adjustTime in fail2ban 1.0)
before adding one; tickets whose last failure is findtime old are dropped
by a cleanup that runs every 100 lines, at most every 5 s of its clock.
This replays that rule on the "Failed password" lines (with the schedule of
f2b_replay.py: the clock is the previous line's date) and prints
"FLAGGED <address>" for every ban, so scripts/bench_sshd.sh can show that
fail2ban's extra sources come from this rule and not from its filter.
Usage: f2b_model.py LOG [FINDTIME [MAXRETRY]]
"""

import calendar
import re
import sys
import time

LINE = re.compile(r"^<\d+>(\w{3} +\d+ \d\d:\d\d:\d\d) \S+ sshd\[\d+\]: "
                  r"(?:Failed password for (?:invalid user )?.* from (\S+) "
                  r"port \d+ ssh2$)?")


def main():
    log = sys.argv[1]
    findtime = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    maxretry = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    year = time.gmtime().tm_year
    tickets = {}  # ip -> [first, last, retry]
    clock, next_svc, lines = None, -(1 << 63), 0
    days = {}  # "Mon DD" -> its midnight

    def stamp(s):
        d = days.get(s[:6])
        if d is None:
            d = days[s[:6]] = calendar.timegm(time.strptime(
                "%d %s" % (year, s[:6]), "%Y %b %d"))
        return d + int(s[7:9]) * 3600 + int(s[10:12]) * 60 + int(s[13:15])

    def cleanup(now):
        nonlocal next_svc
        if clock is not None and now >= next_svc:
            next_svc = now + 5
            for ip in [k for k, v in tickets.items()
                       if v[1] <= now - findtime]:
                del tickets[ip]

    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            t = None
            if m:
                t = stamp(m.group(1))
            if m and m.group(2):
                ip = m.group(2)
                tk = tickets.get(ip)
                if tk is None:
                    tk = tickets[ip] = [t, t, 1]
                else:
                    if t > tk[1]:
                        if tk[0] < t - findtime:
                            tk[2] = int(round(tk[2] / float(t - tk[0]) *
                                              findtime))
                            tk[0] = t - findtime
                        tk[1] = t
                    tk[2] += 1
                if tk[2] >= maxretry:
                    del tickets[ip]
                    print("FLAGGED " + ip)
                    cleanup(clock)
            lines += 1
            if lines % 100 == 0:
                cleanup(clock)
            if t is not None:
                clock = t


if __name__ == "__main__":
    main()
