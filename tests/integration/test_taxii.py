"""The TAXII 2.1 server of a real node, tested from the specification with
Python's standard library as the client (HTTPS, the node's certificate
pinned): discovery, API root, collections, objects with added_after /
limit / next (exact when every object shares one date added), match[id],
match[type], match[version], manifest, versions, adding objects and the
status resource; media types (406, 415), size (413), authentication
(401, 403), and the sharing policy of each client applied to what it
reads."""

import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kytest import FAILURES, check, set_keys, wait_for  # noqa: E402

K = os.environ["KYKLOS_BIN"]
TMP = tempfile.mkdtemp(prefix="kyklos-taxii-")
MEDIA = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


def run(*args, home=None):
    cmd = [K] + (["--home", home] if home else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("%s: %s %s" % (cmd, p.stdout, p.stderr))
    return p.stdout


def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03dZ" % (int(t * 1000) % 1000)


def indicator(name, marking=GREEN, when=None, created=None):
    now = stamp(when or time.time())
    return {"type": "indicator", "spec_version": "2.1",
            "id": "indicator--%s" % uuid.uuid4(),
            "created": created or now, "modified": now, "name": name,
            "pattern": "[domain-name:value = '%s']" % name,
            "pattern_type": "stix", "valid_from": created or now,
            "object_marking_refs": [marking]}


class Client:
    def __init__(self, base, ctx, user=None, token=None, bearer=False):
        self.base, self.ctx = base, ctx
        self.auth = None
        if token and bearer:
            self.auth = "Bearer " + token
        elif token:
            self.auth = "Basic " + base64.b64encode(
                ("%s:%s" % (user, token)).encode()).decode()

    def call(self, path, method="GET", body=None, accept=MEDIA,
             ctype=MEDIA, query=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        req = urllib.request.Request(url, data=body, method=method)
        if accept is not None:
            req.add_header("Accept", accept)
        if body is not None and ctype is not None:
            req.add_header("Content-Type", ctype)
        if self.auth:
            req.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(req, context=self.ctx,
                                        timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, path, **kw):
        st, hdr, body = self.call(path, **kw)
        return st, hdr, (json.loads(body) if body else None)


def main():
    home = os.path.join(TMP, "n")
    run("init", home)
    set_keys(os.path.join(home, "kyklos.yaml"), {
        "serve.syslog_udp": "127.0.0.1:0", "serve.syslog_tcp": "127.0.0.1:0",
        "serve.json_tcp": "127.0.0.1:0", "serve.metrics": "127.0.0.1:0",
        "taxii.listen": "127.0.0.1:0", "share.country": "EE"})
    with open(os.path.join(home, "policy.yaml"), "w") as f:
        f.write("version: 1\nrules:\n"
                "  - match: [reader, writer]\n    tlp_max: amber\n"
                "    redact: [description]\n")
    tokens = {}
    for name, extra in (("reader", ["--country", "DE"]),
                        ("writer", ["--country", "DE", "--write"]),
                        ("outsider", ["--country", "DE"])):
        out = run("taxii", "client", "add", name, *extra, home=home)
        tokens[name] = out.split("token ")[1].split()[0]
    # 25 objects published at once share one date added; a RED one and
    # an AMBER one with a description to redact
    many = [indicator("p%02d.example" % i) for i in range(25)]
    red = indicator("red.example", marking=RED)
    amber = indicator("amber.example", marking=AMBER)
    amber["description"] = "internal: case 99"
    old = indicator("versioned.example", when=time.time() - 60)
    path = os.path.join(TMP, "objs.json")
    with open(path, "w") as f:
        json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                   "objects": many + [red, amber, old]}, f)
    run("share", "publish", path, home=home)
    newer = dict(old, modified=stamp(time.time()), name="versioned v2")
    with open(path, "w") as f:
        json.dump(newer, f)
    run("share", "publish", path, home=home)

    ports = os.path.join(home, "data", "serve.ports")
    proc = subprocess.Popen([K, "--home", home, "serve"],
                            stderr=open(os.path.join(TMP, "log"), "w"))
    try:
        wait_for(lambda: os.path.exists(ports), 15, "node started")
        addr = json.load(open(ports))["taxii"]
        ctx = ssl.create_default_context(
            cafile=os.path.join(home, "keys", "tls.crt"))
        ctx.check_hostname = False  # the certificate itself is pinned
        base = "https://" + addr
        anon = Client(base, ctx)
        reader = Client(base, ctx, "reader", tokens["reader"])
        bearer = Client(base, ctx, token=tokens["reader"], bearer=True)
        writer = Client(base, ctx, "writer", tokens["writer"])
        outsider = Client(base, ctx, "outsider", tokens["outsider"])
        wrong = Client(base, ctx, "reader", tokens["writer"])

        st, hdr, _ = anon.call("/taxii2/")
        check(st == 401 and "Basic" in hdr.get("WWW-Authenticate", ""),
              "no credentials: 401 with WWW-Authenticate")
        st, _, _ = wrong.call("/taxii2/")
        check(st == 401, "another client's token: 401")
        st, hdr, d = reader.json("/taxii2/")
        check(st == 200 and hdr["Content-Type"] == MEDIA,
              "discovery: 200 in " + MEDIA)
        check(d["default"] == base + "/kyklos/" and
              d["api_roots"] == [base + "/kyklos/"], "discovery names the "
              "API root")
        st, _, d = bearer.json("/kyklos/")
        check(st == 200 and d["versions"] == [MEDIA] and
              d["max_content_length"] > 0, "API root (bearer token)")
        st, _, _ = reader.call("/kyklos/", accept="application/json")
        check(st == 406, "Accept: application/json -> 406")
        st, _, _ = reader.call(
            "/kyklos/", accept="application/taxii+json;version=2.0")
        check(st == 406, "Accept: TAXII 2.0 -> 406")
        st, _, _ = reader.call("/kyklos/", accept="application/taxii+json")
        check(st == 200, "Accept: application/taxii+json (no version) -> 200")
        st, _, d = reader.json("/kyklos/collections/")
        check(st == 200 and len(d["collections"]) == 1, "one collection")
        coll = d["collections"][0]
        check(coll["can_read"] and not coll["can_write"],
              "reader: can_read, not can_write")
        cpath = "/kyklos/collections/%s/" % coll["id"]
        st, _, d = writer.json(cpath)
        check(st == 200 and d["can_write"], "writer: can_write")
        st, _, _ = reader.call("/kyklos/collections/%s/" % uuid.uuid4())
        check(st == 404, "unknown collection: 404")

        # paging: all objects share a date added, next must be exact
        seen, pages, nxt, more = [], 0, None, True
        while more and pages < 50:
            q = {"limit": "7"}
            if nxt:
                q["next"] = nxt
            st, hdr, d = reader.json(cpath + "objects/", query=q)
            check(st == 200, "objects page %d: 200" % pages)
            objs = d.get("objects", [])
            check(len(objs) <= 7, "page within limit")
            if objs:
                check("X-TAXII-Date-Added-First" in hdr and
                      "X-TAXII-Date-Added-Last" in hdr,
                      "date-added headers on a page")
            seen += [o["id"] for o in objs]
            more, nxt = d["more"], d.get("next")
            pages += 1
        want = {o["id"] for o in many} | {amber["id"], old["id"]}
        check(len(seen) == len(set(seen)), "no object twice across pages")
        check(set(seen) == want, "exactly the allowed objects across %d "
              "pages (%d)" % (pages, len(seen)))
        check(red["id"] not in seen, "RED not served")
        st, _, d = reader.json(cpath + "objects/%s/" % amber["id"])
        check(st == 200 and "description" not in d["objects"][0],
              "description redacted for the reader")
        st, _, d = outsider.json(cpath + "objects/")
        check(st == 200 and d == {"more": False},
              "no rule for outsider: an empty envelope")
        st, _, d = reader.json(cpath + "objects/",
                               query={"match[id]": red["id"]})
        check(st == 200 and "objects" not in d,
              "match[id] of a RED object: nothing")
        st, _, d = reader.json(cpath + "objects/",
                               query={"match[type]": "malware"})
        check(st == 200 and "objects" not in d, "match[type]=malware: none")
        st, _, d = reader.json(cpath + "objects/%s/" % old["id"])
        check(st == 200 and len(d["objects"]) == 1 and
              d["objects"][0]["name"] == "versioned v2",
              "one object: its latest version by default")
        st, _, d = reader.json(cpath + "objects/%s/" % old["id"],
                               query={"match[version]": "all"})
        check(st == 200 and len(d["objects"]) == 2,
              "match[version]=all: both versions")
        st, _, d = reader.json(cpath + "objects/%s/" % old["id"],
                               query={"match[version]": "first"})
        check(st == 200 and len(d.get("objects", [])) == 1 and
              d["objects"][0]["name"] == "versioned.example",
              "match[version]=first: the first version")
        st, _, d = reader.json(cpath + "objects/%s/versions/" % old["id"])
        check(st == 200 and d["versions"] == [old["modified"],
                                              newer["modified"]],
              "versions endpoint lists both, oldest first")
        st, _, d = reader.json(cpath + "manifest/", query={"limit": "100"})
        check(st == 200 and {m["id"] for m in d["objects"]} == want,
              "manifest lists the same objects")
        m0 = d["objects"][0]
        check(set(m0) == {"id", "date_added", "version", "media_type"} and
              m0["media_type"] == "application/stix+json;version=2.1",
              "manifest entries")
        last_added = max(m["date_added"] for m in d["objects"])
        st, _, d = reader.json(cpath + "objects/%s/" % uuid.uuid4())
        check(st == 404, "unknown object: 404")
        st, _, _ = reader.call(cpath + "objects/", query={"limit": "0"})
        check(st == 400, "limit=0: 400")
        st, _, _ = reader.call(cpath + "objects/",
                               query={"added_after": "yesterday"})
        check(st == 400, "added_after not a timestamp: 400")

        # adding objects
        env = json.dumps({"objects": [indicator("posted.example"),
                                      {"type": "indicator",
                                       "id": "indicator--bad"}]}).encode()
        st, _, _ = reader.call(cpath + "objects/", method="POST", body=env)
        check(st == 403, "reader may not add objects: 403")
        st, _, _ = writer.call(cpath + "objects/", method="POST", body=env,
                               ctype="application/json")
        check(st == 415, "POST as application/json: 415")
        big = b"{\"objects\":[" + b" " * (11 << 20) + b"]}"
        st, _, _ = writer.call(cpath + "objects/", method="POST", body=big)
        check(st == 413, "POST over max_content_length: 413")
        time.sleep(0.01)
        st, _, d = writer.json(cpath + "objects/", method="POST", body=env)
        check(st == 202 and d["status"] == "complete" and
              d["success_count"] == 1 and d["failure_count"] == 1,
              "POST: 202, one success and one failure")
        check("indicator--bad" in json.dumps(d.get("failures")),
              "the failure names the object")
        st, _, d2 = writer.json("/kyklos/status/%s/" % d["id"])
        check(st == 200 and d2["id"] == d["id"], "status resource")
        st, _, _ = reader.call("/kyklos/status/%s/" % d["id"])
        check(st == 404, "another client's status: 404")
        st, _, d = reader.json(cpath + "objects/",
                               query={"added_after": last_added})
        names = [o["name"] for o in d.get("objects", [])]
        check(names == ["posted.example"],
              "added_after: only what came later (%s)" % names)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
