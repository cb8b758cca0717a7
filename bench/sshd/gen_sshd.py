#!/usr/bin/env python3
"""Generates the sshd log of benchmark task A (issue 3) and its ground truth.

RFC 3164 lines as sshd writes them through syslog (sessions, scanners,
password-guessing bursts, near misses), timestamps increasing with jitter,
and the set of source addresses with >= 5 "Failed password" lines within a
60 s window (inclusive, on the printed whole seconds).  No span of 5
failures of one source is exactly 60 s: that is the only span on which
"< 60" and "<= 60" windows disagree, so every tool can agree on the truth.
Deterministic for a given --seed and --start.
"""

import argparse
import calendar
import datetime
import ipaddress
import random
import sys
import time

HOSTS = ["bastion-01", "bastion-02", "web-01", "web-02", "db-01", "git-01",
         "mail-01", "vpn-gw"]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor",
         "walter", "deploy", "backup", "ansible", "jenkins"]
GUESSES = ["admin", "test", "user", "oracle", "postgres", "ubuntu", "guest",
           "ftpuser", "support", "git", "pi", "debian", "centos", "hadoop",
           "nagios", "mysql", "tomcat", "www", "ec2-user", "123456", "dev",
           "minecraft", "steam", "teamspeak", "ts3", "odoo", "sol", "ali"]
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
AUTH = 38      # auth.info: sshd's own lines
AUTHPRIV = 86  # authpriv.info: pam_unix inside sshd
AUTHPRIV_NOTICE = 85


class Gen:
    def __init__(self, rng, start, span):
        self.rng = rng
        self.start = start
        self.span = span
        self.recs = []          # (float time, pri, host, pid, msg)
        self.used = set()
        self.fail_lines = 0

    # ---- addresses: unique per role where failures could add up
    def new_ip(self):
        r = self.rng
        while True:
            if r.random() < 0.1:
                a = ipaddress.IPv6Address(
                    (0x2001 << 112) | (r.getrandbits(16) << 96) |
                    r.getrandbits(24))
            else:
                a = ipaddress.IPv4Address(
                    (r.randint(1, 223) << 24) | r.getrandbits(24))
                if a.is_private or a.is_loopback or a.is_multicast or \
                        a.is_reserved or a.is_link_local:
                    continue
            s = str(a)
            if s not in self.used:
                self.used.add(s)
                return s

    def emit(self, t, pri, host, pid, msg):
        self.recs.append((t, pri, host, pid, msg))

    def port(self):
        return self.rng.randint(1024, 65535)

    def pid(self):
        return self.rng.randint(300, 4194303)

    def host(self):
        return self.rng.choice(HOSTS)

    def fp(self):
        return "".join(self.rng.choice(B64) for _ in range(43))

    # ---- one failed password attempt on its own connection
    def attempt(self, t, ip, host, user=None, invalid=None):
        r = self.rng
        pid, p = self.pid(), self.port()
        if invalid is None:
            invalid = r.random() < 0.7
        if user is None:
            user = r.choice(GUESSES) if invalid else "root"
        if invalid:
            self.emit(t, AUTH, host, pid,
                      f"Invalid user {user} from {ip} port {p}")
            t += r.uniform(0.001, 0.05)
            self.emit(t, AUTHPRIV_NOTICE, host, pid,
                      "pam_unix(sshd:auth): check pass; user unknown")
            self.emit(t, AUTHPRIV_NOTICE, host, pid,
                      "pam_unix(sshd:auth): authentication failure; "
                      "logname= uid=0 euid=0 tty=ssh ruser= "
                      f"rhost={ip}")
            t += r.uniform(1.0, 2.5)
            self.emit(t, AUTH, host, pid, f"Failed password for invalid user "
                      f"{user} from {ip} port {p} ssh2")
            t += r.uniform(0.05, 0.5)
            self.emit(t, AUTH, host, pid, f"Connection closed by invalid user "
                      f"{user} {ip} port {p} [preauth]")
        else:
            self.emit(t, AUTHPRIV_NOTICE, host, pid,
                      "pam_unix(sshd:auth): authentication failure; "
                      "logname= uid=0 euid=0 tty=ssh ruser= "
                      f"rhost={ip}  user={user}")
            t += r.uniform(1.0, 2.5)
            self.emit(t, AUTH, host, pid, f"Failed password for {user} from "
                      f"{ip} port {p} ssh2")
            t += r.uniform(0.05, 0.5)
            if r.random() < 0.5:
                self.emit(t, AUTH, host, pid, f"Received disconnect from {ip} "
                          f"port {p}:11: Bye Bye [preauth]")
            self.emit(t, AUTH, host, pid, "Disconnected from authenticating "
                      f"user {user} {ip} port {p} [preauth]")
        self.fail_lines += 1

    # ---- several failed passwords on one connection, then the cut-off
    def multi_attempt(self, t, ip, host, n):
        r = self.rng
        pid, p = self.pid(), self.port()
        user = "root"
        times = []
        for i in range(n):
            t += r.uniform(1.5, 3.0)
            self.emit(t, AUTH, host, pid, f"Failed password for {user} from "
                      f"{ip} port {p} ssh2")
            times.append(t)
            self.fail_lines += 1
        if n >= 6:
            self.emit(t + 0.01, AUTH, host, pid, "error: maximum "
                      f"authentication attempts exceeded for {user} from "
                      f"{ip} port {p} ssh2 [preauth]")
            self.emit(t + 0.02, AUTH, host, pid, "Disconnecting "
                      f"authenticating user {user} {ip} port {p}: Too many "
                      "authentication failures [preauth]")
        else:
            self.emit(t + 0.2, AUTH, host, pid, "Connection closed by "
                      f"authenticating user {user} {ip} port {p} [preauth]")
        return times

    # failure instants of a burst whose every 5 consecutive real times span
    # at most `hi` seconds (gaps drawn in [lo_gap, hi_gap])
    def burst(self, t0, n, lo_gap, hi_gap):
        out, t = [], t0
        for i in range(n):
            out.append(t)
            t += self.rng.uniform(lo_gap, hi_gap)
        return out

    def place(self, nb, need):
        """nb burst start times at least 10 minutes apart, room for need s."""
        r = self.rng
        for _ in range(100):
            ts = sorted(r.uniform(0, self.span - need) for _ in range(nb))
            if all(b - a > 600 + need for a, b in zip(ts, ts[1:])):
                return ts
        return ts[:1]

    def attacker(self):
        r, ip = self.rng, self.new_ip()
        for t0 in self.place(r.choice([1, 1, 1, 2, 3]), 400):
            host = self.host()
            n = r.choice([5, 5, 6, 7, 8, 10, 12, 15, 20, 30, 40])
            if r.random() < 0.15:
                # one connection, up to 6 tries (MaxAuthTries), then more
                # connections: gaps of 1.5-3 s keep 5 tries within 15 s
                t = t0
                while n > 0:
                    k = min(n, 6)
                    t = self.multi_attempt(t, ip, host, k)[-1] + 0.5
                    n -= k
            else:
                # 5 consecutive tries within 4 gaps of at most 12 s + the
                # per-attempt delay (< 2.5 s): real span < 51 s
                for t in self.burst(t0, n, 0.2, 9.5):
                    self.attempt(t, ip, host)
        return ip

    def near_miss_4(self):
        """4 failures within 60 s, 1-3 times, hours apart."""
        r, ip = self.rng, self.new_ip()
        for t0 in self.place(r.choice([1, 1, 2, 3]), 200):
            host = self.host()
            for t in self.burst(t0, 4, 0.5, 14.0):
                self.attempt(t, ip, host)
        return ip

    def near_miss_spread(self):
        """5-8 failures, every 5 consecutive ones spread over > 61 s."""
        r, ip = self.rng, self.new_ip()
        t0 = self.place(1, 300)[0]
        host = self.host()
        # gaps of 16.2-22 s between attempt starts; the attempt's own delay
        # (1.0-2.5 s) can shrink a 4-gap span by at most 1.5 s: > 63 s
        for t in self.burst(t0, r.randint(5, 8), 16.2, 22.0):
            self.attempt(t, ip, host)
        return ip

    # ---- benign traffic (the bulk of the lines)
    def session(self, t, ip, user, typos):
        r = self.rng
        host, pid, p = self.host(), self.pid(), self.port()
        uid = 1000 + USERS.index(user)
        for _ in range(typos):
            self.emit(t, AUTHPRIV_NOTICE, host, pid,
                      "pam_unix(sshd:auth): authentication failure; "
                      "logname= uid=0 euid=0 tty=ssh ruser= "
                      f"rhost={ip}  user={user}")
            t += r.uniform(1.5, 3.0)
            self.emit(t, AUTH, host, pid, f"Failed password for {user} from "
                      f"{ip} port {p} ssh2")
            self.fail_lines += 1
            t += r.uniform(2.0, 8.0)
        if typos or r.random() < 0.1:
            self.emit(t, AUTH, host, pid, f"Accepted password for {user} from "
                      f"{ip} port {p} ssh2")
        else:
            self.emit(t, AUTH, host, pid, f"Accepted publickey for {user} from "
                      f"{ip} port {p} ssh2: ED25519 SHA256:{self.fp()}")
        t += r.uniform(0.001, 0.02)
        self.emit(t, AUTHPRIV, host, pid, "pam_unix(sshd:session): session "
                  f"opened for user {user}(uid={uid}) by (uid=0)")
        t += r.expovariate(1 / 600.0)
        if t >= self.span:
            return
        self.emit(t, AUTH, host, pid, f"Received disconnect from {ip} port "
                  f"{p}:11: disconnected by user")
        self.emit(t, AUTH, host, pid, f"Disconnected from user {user} {ip} "
                  f"port {p}")
        self.emit(t + 0.003, AUTHPRIV, host, pid,
                  f"pam_unix(sshd:session): session closed for user {user}")

    def scanner(self, t, ip):
        """Probes that fail without a password: never counted."""
        r = self.rng
        host, pid, p = self.host(), self.pid(), self.port()
        k = r.random()
        if k < 0.35:
            self.emit(t, AUTH, host, pid,
                      f"Connection closed by {ip} port {p} [preauth]")
        elif k < 0.55:
            self.emit(t, AUTH, host, pid, f"Received disconnect from {ip} "
                      f"port {p}:11: Bye Bye [preauth]")
            self.emit(t, AUTH, host, pid,
                      f"Disconnected from {ip} port {p} [preauth]")
        elif k < 0.75:
            u = r.choice(GUESSES)
            self.emit(t, AUTH, host, pid, f"Invalid user {u} from {ip} "
                      f"port {p}")
            self.emit(t + 0.3, AUTH, host, pid, f"Connection closed by "
                      f"invalid user {u} {ip} port {p} [preauth]")
        elif k < 0.85:
            # "Failed" but not a password: must not count
            self.emit(t, AUTH, host, pid, f"Failed publickey for root from "
                      f"{ip} port {p} ssh2: RSA SHA256:{self.fp()}")
            self.emit(t + 0.1, AUTH, host, pid, f"Connection closed by "
                      f"authenticating user root {ip} port {p} [preauth]")
        elif k < 0.93:
            u = r.choice(GUESSES)
            self.emit(t, AUTH, host, pid, f"Failed none for invalid user {u} "
                      f"from {ip} port {p} ssh2")
            self.emit(t + 0.1, AUTH, host, pid, f"Connection closed by "
                      f"invalid user {u} {ip} port {p} [preauth]")
        else:
            self.emit(t, AUTH, host, pid, "error: kex_exchange_identification:"
                      " Connection closed by remote host")
            self.emit(t, AUTH, host, pid, f"Connection closed by {ip} port "
                      f"{p}")


def stamp(epoch):
    tm = time.gmtime(epoch)
    return "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday,
                                      tm.tm_hour, tm.tm_min, tm.tm_sec)


def default_start():
    d = datetime.datetime.now(datetime.timezone.utc).date() - \
        datetime.timedelta(days=3)
    if d.month == 12 and d.day >= 30:
        d -= datetime.timedelta(days=3)  # the data must not cross a new year
    return d.isoformat()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000000, help="lines")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--start", default=None,
                    help="UTC day YYYY-MM-DD (default: 3 days ago)")
    ap.add_argument("--hours", type=float, default=26.0)
    ap.add_argument("-o", "--out", required=True, help="log file")
    ap.add_argument("--truth", required=True, help="flagged sources file")
    ap.add_argument("--stats", help="key=value summary file")
    a = ap.parse_args()

    start = calendar.timegm(time.strptime(a.start or default_start(),
                                          "%Y-%m-%d"))
    span = a.hours * 3600 * min(1.0, a.n / 1e6) ** 0.5
    g = Gen(random.Random(a.seed), start, span)
    r = g.rng
    scale = a.n / 1e6
    attackers = max(3, int(1200 * scale))
    near4 = max(3, int(1500 * scale))
    spread = max(3, int(1000 * scale))
    for _ in range(attackers):
        g.attacker()
    for _ in range(near4):
        g.near_miss_4()
    for _ in range(spread):
        g.near_miss_spread()
    regular = [(g.new_ip(), r.choice(USERS)) for _ in range(max(20, int(
        3000 * scale)))]
    scanners = [g.new_ip() for _ in range(max(20, int(20000 * scale)))]
    # fill with benign traffic until the line count is reached
    while len(g.recs) < a.n * 1.02:
        t = r.uniform(0, span)
        k = r.random()
        if k < 0.45:
            ip, u = r.choice(regular)
            g.session(t, ip, u, 0)
        elif k < 0.52:
            # a typo or two from an address that never fails again
            g.session(t, g.new_ip(), r.choice(USERS), r.choice([1, 1, 2]))
        else:
            g.scanner(t, r.choice(scanners))

    g.recs.sort(key=lambda x: x[0])
    del g.recs[a.n:]

    fails = {}
    with open(a.out, "w", encoding="ascii", newline="\n") as f:
        w = f.write
        for t, pri, host, pid, msg in g.recs:
            sec = int(start + t)
            w(f"<{pri}>{stamp(sec)} {host} sshd[{pid}]: {msg}\n")
            if msg.startswith("Failed password for "):
                ip = msg.rsplit(" from ", 1)[1].split(" ", 1)[0]
                fails.setdefault(ip, []).append(sec)

    flagged, ties, near4_seen, spread_seen = [], [], 0, 0
    for ip, ts in fails.items():
        hit = False
        for i in range(len(ts) - 4):
            d = ts[i + 4] - ts[i]
            if d == 60:
                ties.append(ip)
            if d <= 60:
                hit = True
        if hit:
            flagged.append(ip)
            continue
        if any(ts[i + 3] - ts[i] <= 60 for i in range(len(ts) - 3)):
            near4_seen += 1
        if any(ts[i + 4] - ts[i] <= 90 for i in range(len(ts) - 4)):
            spread_seen += 1
    if ties:
        print(f"gen_sshd: {len(ties)} sources with 5 failures exactly 60 s "
              f"apart (e.g. {ties[0]}): change --seed", file=sys.stderr)
        return 1
    with open(a.truth, "w", encoding="ascii") as f:
        for ip in sorted(flagged):
            f.write(ip + "\n")
    nfail = sum(len(v) for v in fails.values())
    summary = {
        "lines": len(g.recs),
        "first": stamp(int(start + g.recs[0][0])),
        "last": stamp(int(start + g.recs[-1][0])),
        "failed_password": nfail,
        "sources_failing": len(fails),
        "flagged": len(flagged),
        "near_miss_4_in_60s": near4_seen,
        "near_miss_5_in_61_to_90s": spread_seen,
        "addresses": len(g.used),
    }
    text = "".join(f"{k}={v}\n" for k, v in summary.items())
    if a.stats:
        with open(a.stats, "w", encoding="ascii") as f:
            f.write(text)
    sys.stderr.write("gen_sshd: " + " ".join(
        f"{k}={v}" for k, v in summary.items()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
