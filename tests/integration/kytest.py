"""Helpers shared by the python3 integration drivers (stdlib only):
checks that record failures, bounded waits, editing the commented
configuration `kyklos init` writes, addresses, and /metrics."""

import re
import time
import urllib.request

FAILURES = []


def check(cond, what):
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        FAILURES.append(what)


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def set_keys(path, keys):
    """Uncomments or replaces `  key: value` lines of the commented
    default configuration written by `kyklos init`; "section.key" looks
    only in that section, a bare key must be unique in the file."""
    text = open(path).read()
    for key, value in keys.items():
        section, _, name = key.rpartition(".")
        start, end = 0, len(text)
        if section:
            m = re.search(r"^%s:$" % re.escape(section), text, flags=re.M)
            assert m, "section %s not found in %s" % (section, path)
            start = m.end()
            nxt = re.search(r"^\S", text[start:], flags=re.M)
            end = start + nxt.start() if nxt else len(text)
        part, n = re.subn(r"^  #?%s: .*$" % re.escape(name),
                          "  %s: %s" % (name, value), text[start:end],
                          flags=re.M)
        assert n == 1, "key %s not found in %s" % (key, path)
        text = text[:start] + part + text[end:]
    with open(path, "w") as f:
        f.write(text)


def hostport(addr):
    host, port = addr.rsplit(":", 1)
    return host.strip("[]"), int(port)


def scrape(addr):
    """The metrics as {name{labels}: value}, the body and content type."""
    with urllib.request.urlopen("http://%s/metrics" % addr, timeout=5) as r:
        body = r.read().decode()
        ctype = r.headers.get("Content-Type", "")
    values = {}
    for line in body.splitlines():
        if line.startswith("#") or not line:
            continue
        name, value = line.rsplit(" ", 1)
        values[name] = int(value)
    return values, body, ctype
