#!/usr/bin/env python3
"""`kyklos assets` and `kyklos vulns` against a node: an inventory imported
from CSV (a bad record skipped and named, the others kept), JSON and a
CycloneDX SBOM, merged on re-import, listed, shown and found by host name
or address; CSAF advisories refused with the failing test and path, the
valid ones stored by tracking id and listed.  Needs KYKLOS_BIN and, for
the CSAF part, $KYKLOS_SHARED_DATA/csaf (skipped with a message when
absent); python3 stdlib."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

from kytest import FAILURES, check

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")
SHARED = os.environ.get("KYKLOS_SHARED_DATA",
                        os.path.join(os.path.dirname(__file__), "..", "..",
                                     "..", "shared", "data"))

CSV = """id,hostnames,addresses,owner,criticality,location,country
web-01,web-01.example.org;web-01,192.0.2.10;2001:db8::10,ops,4,Berlin,DE
db-01,db-01.example.org,192.0.2.20,dba,5,Lisbon,PT
bad,bad.example.org,192.0.2.30,x,7,Paris,FR
"""

JSON_ASSETS = [{"id": "db-01", "owner": "dba-team", "tags": ["pci"]},
               {"hostnames": ["plc-07.ot.example.org"],
                "addresses": ["10.7.0.7"], "criticality": 5,
                "country": "AT"}]

SBOM = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "device", "name": "web-01"}},
        "components": [
            {"type": "library", "name": "openssl", "version": "3.0.11",
             "purl": "pkg:deb/debian/openssl@3.0.11-1"},
            {"type": "application", "name": "nginx", "version": "1.22.1",
             "cpe": "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*",
             "components": [{"type": "library", "name": "pcre2",
                             "version": "10.42"}]}]}


# A generated advisory on the SBOM's software: openssl below 3.0.13-1
# affected and exploited; nginx 1.22.0-1.22.1 known not affected (VEX).
ADV = {
    "document": {
        "category": "csaf_base", "csaf_version": "2.0", "lang": "en",
        "title": "OpenSSL in Debian",
        "publisher": {"category": "vendor", "name": "Example CERT",
                      "namespace": "https://cert.example"},
        "tracking": {
            "id": "EX-2026-0001", "version": "1", "status": "final",
            "initial_release_date": "2026-11-01T00:00:00.000Z",
            "current_release_date": "2026-11-01T00:00:00.000Z",
            "revision_history": [{"number": "1", "summary": "Initial",
                                  "date": "2026-11-01T00:00:00.000Z"}]}},
    "product_tree": {"branches": [{
        "category": "vendor", "name": "Debian", "branches": [
            {"category": "product_name", "name": "openssl", "branches": [
                {"category": "product_version_range",
                 "name": "vers:deb/<3.0.13-1",
                 "product": {"product_id": "OSSL-OLD",
                             "name": "openssl < 3.0.13-1",
                             "product_identification_helper": {
                                 "purl": "pkg:deb/debian/openssl"}}}]},
            {"category": "product_name", "name": "nginx", "branches": [
                {"category": "product_version_range",
                 "name": "vers:generic/>=1.22.0|<1.22.2",
                 "product": {"product_id": "NGX-122",
                             "name": "nginx 1.22.0-1.22.1",
                             "product_identification_helper": {
                                 "cpe": "cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*"
                             }}}]}]}]},
    "vulnerabilities": [{
        "cve": "CVE-2026-1111",
        "product_status": {"known_affected": ["OSSL-OLD"],
                           "known_not_affected": ["NGX-122"]},
        "flags": [{"label": "component_not_present",
                   "product_ids": ["NGX-122"]}],
        "threats": [{"category": "exploit_status",
                     "details": "Actively exploited in the wild",
                     "product_ids": ["OSSL-OLD"]}],
        "remediations": [{"category": "vendor_fix",
                          "details": "upgrade to 3.0.13-1",
                          "product_ids": ["OSSL-OLD"]}]}]}

# A generated CVE JSON 5 record: nginx before 1.22.2, named by CPE.
CVE = {"dataType": "CVE_RECORD", "dataVersion": "5.1",
       "cveMetadata": {"cveId": "CVE-2026-2222", "state": "PUBLISHED",
                       "assignerShortName": "example",
                       "datePublished": "2026-10-01T00:00:00"},
       "containers": {"cna": {
           "descriptions": [{"lang": "en", "value": "Request smuggling."}],
           "affected": [{"vendor": "f5", "product": "nginx",
                         "cpes": ["cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*"],
                         "versions": [{"version": "1.20.0",
                                       "lessThan": "1.22.2",
                                       "status": "affected",
                                       "versionType": "custom"}]}],
           "metrics": [{"cvssV3_1": {
               "version": "3.1", "baseScore": 7.5,
               "baseSeverity": "HIGH",
               "vectorString":
                   "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"}}]}}}


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-intel-")
    node = os.path.join(tmp, "node")

    def run(*args):
        return subprocess.run([KYKLOS, "--home", node] + list(args),
                              capture_output=True, timeout=60)

    try:
        subprocess.run([KYKLOS, "init", node], check=True,
                       capture_output=True, timeout=60)
        r = run("assets", "list")
        check(r.returncode == 0, "an empty node lists no assets")

        path = os.path.join(tmp, "assets.csv")
        with open(path, "w") as f:
            f.write(CSV)
        r = run("assets", "import", path)
        check(r.returncode == 1, "a skipped record makes the import fail")
        check(b"assets.csv:4: column criticality: '7' is not 1-5" in
              r.stderr, "the bad record is named with line and column")
        check(b"2 assets added" in r.stdout, "the good records are kept")

        path = os.path.join(tmp, "more.json")
        with open(path, "w") as f:
            json.dump(JSON_ASSETS, f)
        r = run("assets", "import", path)
        check(r.returncode == 0 and b"1 assets added, 1 updated" in
              r.stdout, "JSON import merges by id and adds the new one")
        path = os.path.join(tmp, "web.cdx.json")
        with open(path, "w") as f:
            json.dump(SBOM, f)
        r = run("assets", "import", path)
        check(r.returncode == 0 and b"3 software items" in r.stdout,
              "CycloneDX: nested components flattened: %s" % r.stdout)

        r = run("assets", "list", "--json")
        rows = [json.loads(x) for x in r.stdout.splitlines()]
        ids = sorted(x["id"] for x in rows)
        check(ids == ["db-01", "plc-07.ot.example.org", "web-01"],
              "three assets after the merges: %s" % ids)
        db = [x for x in rows if x["id"] == "db-01"][0]
        check(db.get("owner") == "dba-team" and db.get("tags") == ["pci"]
              and db.get("criticality") == 5,
              "re-import replaces given fields, keeps the others: %s" % db)
        web = [x for x in rows if x["id"] == "web-01"][0]
        names = sorted(s["name"] for s in web.get("software", []))
        check(names == ["nginx", "openssl", "pcre2"],
              "the SBOM's software on web-01: %s" % names)

        r = run("assets", "link", "2001:DB8:0::10", "--json")
        check(r.returncode == 0 and
              json.loads(r.stdout.splitlines()[0])["id"] == "web-01",
              "an IPv6 address in another spelling finds its asset")
        r = run("assets", "link", "PLC-07", "--json")
        check(r.returncode == 0 and b"plc-07.ot.example.org" in r.stdout,
              "a short host name finds the FQDN asset")
        r = run("assets", "show", "nope")
        check(r.returncode == 1 and b"no asset 'nope'" in r.stderr,
              "an unknown asset is named")

        # exposures of the inventory to a generated advisory
        path = os.path.join(tmp, "adv.json")
        with open(path, "w") as f:
            json.dump(ADV, f)
        r = run("vulns", "import", path)
        check(r.returncode == 0, "the generated advisory is stored: %s"
              % r.stderr)
        r = run("vulns", "exposures", "--json")
        rows = [json.loads(x) for x in r.stdout.splitlines()]
        check(r.returncode == 0 and len(rows) == 1,
              "one exposure (nginx is known not affected): %s" % rows)
        if rows:
            x = rows[0]
            check(x["asset"] == "web-01" and x["cve"] == "CVE-2026-1111"
                  and x["state"] == "affected" and x["known_exploited"]
                  and x["fix"] == "upgrade to 3.0.13-1" and
                  x["software"] == "openssl 3.0.11",
                  "the exposure: asset, version, exploited, fix: %s" % x)

        # a CVE JSON 5 record: translated, checked, stored, matched by CPE
        path = os.path.join(tmp, "cve.json")
        with open(path, "w") as f:
            json.dump(CVE, f)
        r = run("vulns", "import", path)
        check(r.returncode == 0 and b"translated to CSAF" in r.stderr,
              "a CVE JSON 5 record is imported: %s" % r.stderr)
        r = run("vulns", "exposures", "--json")
        rows = [json.loads(x) for x in r.stdout.splitlines()]
        cve = [x for x in rows if x["cve"] == "CVE-2026-2222"]
        check(len(cve) == 1 and cve[0]["software"] == "nginx 1.22.1" and
              cve[0]["score"] == 7.5,
              "the record's exposure (nginx < 1.22.2 by CPE): %s" % cve)
        bad = json.loads(json.dumps(CVE))
        bad["cveMetadata"]["state"] = "REJECTED"
        with open(path, "w") as f:
            json.dump(bad, f)
        r = run("vulns", "import", path)
        check(r.returncode == 1 and b"REJECTED" in r.stderr,
              "a rejected record is refused")

        csaf = os.path.join(SHARED, "csaf", "csaf_2.0")
        if not os.path.isdir(csaf):
            print("SKIP CSAF part: folder %s is absent" % csaf)
        else:
            good = sorted(glob.glob(os.path.join(csaf, "examples", "csaf",
                                                 "*.json")))
            bad = os.path.join(csaf, "test", "validator", "data",
                               "mandatory",
                               "oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json")
            r = run("vulns", "check", bad)
            check(r.returncode == 1 and
                  b"6.1.1 /product_tree/product_groups/0/product_ids/0"
                  in r.stderr, "an invalid advisory names test and path")
            r = run("vulns", "import", *good)
            check(r.returncode == 0 and
                  ("%d advisories stored" % len(good)).encode() in r.stdout,
                  "the %d example advisories are stored" % len(good))
            r = run("vulns", "import", good[0], bad)
            check(r.returncode == 1, "an import with a bad file fails")
            check(b"mandatory tests only" in r.stderr,
                  "without a schema folder the import says so")
            # 6.1.8: a CVSS object the FIRST schema refuses; the schema
            # names the failing path
            cvss = os.path.join(csaf, "test", "validator", "data",
                                "mandatory",
                                "oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json")
            r = run("vulns", "check", "--schema", csaf, cvss)
            check(r.returncode == 1 and b"schema: /vulnerabilities/0/scores"
                  in r.stderr, "schema validation names the path: %s"
                  % r.stderr[:300])
            r = run("vulns", "check", "--schema", csaf, *good)
            check(r.returncode == 0 and b"mandatory tests only" not in
                  r.stderr, "the examples pass schema and mandatory tests")
            r = run("vulns", "check", "--schema",
                    os.path.join(tmp, "nowhere"), good[0])
            check(r.returncode == 1 and b"CSAF schema in" in r.stderr,
                  "a missing schema folder is named")
            r = run("vulns", "list")
            check(r.returncode == 0 and b"BSI-2022-0001" in r.stdout and
                  b"RHSA-2021:5186" in r.stdout,
                  "advisories listed by tracking id")
            check(r.stdout.count(b"\n") == len(good) + 3,
                  "re-importing replaces, no duplicates")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d failures" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
