#!/usr/bin/env python3
"""Integration test of `kyklos serve`: a fresh node on 127.0.0.1 with
kernel-chosen ports, syslog over UDP, TCP (octet counting and LF framing,
oversized and truncated frames, fragmented writes, a burst against a tiny
queue) and TLS (RFC 5425), JSON lines over TCP with malformed lines,
/metrics, SIGHUP with a changed and with an invalid configuration, and
SIGTERM while a connection still has unread input.  Every record sent must
be counted exactly once, as accepted or rejected, in the metrics, in the
store (data/kyklos.db ingest_stats) and, when rejected, in the dead letter.

Needs KYKLOS_BIN (set by meson) and the openssl command; python3 stdlib
only.  Every wait is bounded."""

import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from kytest import FAILURES, check, hostport, scrape, set_keys, wait_for

KYKLOS = os.environ.get("KYKLOS_BIN", "kyklos")
MAX_LINE = 2048


def metric(m, name, inp):
    return m.get('%s{input="%s"}' % (name, inp), -1)


def octet(msg):
    return b"%d %s" % (len(msg), msg)


def syslog5424(i, tag):
    return (b"<34>1 2024-05-01T12:00:%02d.003Z host%d.example.com sshd 42 "
            b"ID47 - %s message %d" % (i % 60, i % 7, tag, i))


def syslog3164(i, tag):
    return (b"<13>May  1 12:00:%02d web%d sshd[%d]: Failed password for "
            b"root from 10.0.0.%d port 22 ssh2 %s" % (i % 60, i % 3, 100 + i,
                                                     i % 250, tag))


def client_verify_phase(node, cfg, tlsdir, errlog_path):
    """serve.tls_ca set: a client without a certificate gets nothing in,
    one with a certificate from that CA does."""
    set_keys(cfg, {"tls_ca": '"tls/cert.pem"'})
    ports_file = os.path.join(node, "data", "serve.ports")
    os.unlink(ports_file)
    with open(errlog_path, "ab") as errlog:
        proc = subprocess.Popen([KYKLOS, "--home", node, "serve"],
                                stdout=subprocess.DEVNULL, stderr=errlog)
    try:
        wait_for(lambda: os.path.exists(ports_file) or
                 proc.poll() is not None, 20, "serve.ports (tls_ca)")
        ports = json.load(open(ports_file))
        addr = hostport(ports["syslog_tls"])
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(os.path.join(tlsdir, "cert.pem"))
        refused = False
        try:
            raw = socket.create_connection(addr, timeout=10)
            tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            tls.sendall(octet(syslog5424(1, b"nocert")))
            # TLS 1.3 reports the refusal on the first read.
            refused = tls.recv(1) == b""
            tls.close()
        except (ssl.SSLError, OSError):
            refused = True
        check(refused, "tls_ca: client without a certificate refused")
        ctx.load_cert_chain(os.path.join(tlsdir, "cert.pem"),
                            os.path.join(tlsdir, "key.pem"))
        raw = socket.create_connection(addr, timeout=10)
        tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        for i in range(3):
            tls.sendall(octet(syslog5424(i, b"withcert")))
        tls.close()
        m = wait_for(lambda: (lambda v: v if metric(
            v, "kyklos_input_accepted_total", "syslog_tls") == 3 else None)(
                scrape(ports["metrics"])[0]), 20, "3 TLS frames with cert")
        check(metric(m, "kyklos_input_records_total", "syslog_tls") == 3,
              "tls_ca: only the verified client's 3 frames counted")
        proc.send_signal(signal.SIGTERM)
        check(proc.wait(timeout=30) == 0, "tls_ca run exits 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def main():
    tmp = tempfile.mkdtemp(prefix="kyklos-serve-")
    node = os.path.join(tmp, "node")
    proc = None
    errlog_path = os.path.join(tmp, "serve.stderr")
    try:
        subprocess.run([KYKLOS, "init", node], check=True,
                       stdout=subprocess.DEVNULL, timeout=30)
        cfg = os.path.join(node, "kyklos.yaml")
        tlsdir = os.path.join(node, "tls")
        os.mkdir(tlsdir)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", os.path.join(tlsdir, "key.pem"),
                        "-out", os.path.join(tlsdir, "cert.pem"),
                        "-days", "2", "-subj", "/CN=127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
        set_keys(cfg, {
            "syslog_udp": '"127.0.0.1:0"',
            "syslog_tcp": '"127.0.0.1:0"',
            "syslog_tls": '"127.0.0.1:0"',
            "json_tcp": '"127.0.0.1:0"',
            "metrics": '"127.0.0.1:0"',
            "tls_cert": '"tls/cert.pem"',
            "tls_key": '"tls/key.pem"',
            "workers": "2",
            # A tiny queue, so that a TCP burst meets back-pressure.
            "queue_depth": "1",
            "batch_size": "16",
            "max_line": str(MAX_LINE),
            "level": "info",
        })

        errlog = open(errlog_path, "wb")
        proc = subprocess.Popen([KYKLOS, "--home", node, "serve"],
                                stdout=subprocess.DEVNULL, stderr=errlog)
        ports_file = os.path.join(node, "data", "serve.ports")
        wait_for(lambda: os.path.exists(ports_file) or proc.poll() is not None,
                 20, "serve.ports")
        check(proc.poll() is None, "daemon started")
        if proc.poll() is not None:
            return
        ports = json.load(open(ports_file))
        print("ports:", ports)
        for key in ("syslog_udp", "syslog_tcp", "syslog_tls", "json_tcp",
                    "metrics"):
            check(key in ports and hostport(ports[key])[1] > 0,
                  "%s bound to a real port" % key)
        err_text = open(errlog_path, "rb").read().decode(errors="replace")
        for key, addr in ports.items():
            check("kyklos: listening %s %s" % (key, addr) in err_text,
                  "stderr names %s %s" % (key, addr))

        sent = {"syslog_udp": 0, "syslog_tcp": 0, "syslog_tls": 0,
                "json_tcp": 0}
        rejected = {"syslog_udp": 0, "syslog_tcp": 0, "syslog_tls": 0,
                    "json_tcp": 0}

        # --- UDP: few datagrams, paced, so none may be dropped.
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(40):
            msg = syslog5424(i, b"udp") if i % 2 else syslog3164(i, b"udp")
            udp.sendto(msg, hostport(ports["syslog_udp"]))
            sent["syslog_udp"] += 1
            time.sleep(0.002)
        # A blank and an empty datagram hold no event: rejected, and so
        # in the dead letter like every rejected record.
        for msg in (b"   ", b""):
            udp.sendto(msg, hostport(ports["syslog_udp"]))
            sent["syslog_udp"] += 1
            rejected["syslog_udp"] += 1
            time.sleep(0.002)
        udp.close()

        # --- TCP: octet counting and LF framing mixed on one connection,
        # an oversized frame of each kind between good ones.
        t = socket.create_connection(hostport(ports["syslog_tcp"]), timeout=10)
        data = b""
        for i in range(10):
            data += octet(syslog5424(i, b"octet"))
            data += syslog3164(i, b"lf") + b"\n"
            sent["syslog_tcp"] += 2
        data += octet(b"<34>1 - big - - - - " + b"x" * (MAX_LINE + 100))
        data += b"<13>May  1 12:00:00 big app: " + b"y" * (MAX_LINE + 50)
        data += b"\n"
        sent["syslog_tcp"] += 2
        rejected["syslog_tcp"] += 2
        data += octet(syslog5424(99, b"after-big"))
        sent["syslog_tcp"] += 1
        t.sendall(data)
        t.close()

        # Fragmented writes: frames cut at every few bytes.
        t = socket.create_connection(hostport(ports["syslog_tcp"]), timeout=10)
        data = b"".join(octet(syslog5424(i, b"frag")) for i in range(5))
        sent["syslog_tcp"] += 5
        t.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for off in range(0, len(data), 7):
            t.sendall(data[off:off + 7])
            if off % 70 == 0:
                time.sleep(0.001)
        t.close()

        # A burst far larger than the queue (2 batches of 16): reading
        # must pause and resume, losing nothing.
        t = socket.create_connection(hostport(ports["syslog_tcp"]), timeout=30)
        burst = b"".join(syslog3164(i, b"burst") + b"\n" for i in range(5000))
        sent["syslog_tcp"] += 5000
        t.sendall(burst)
        t.close()

        # End of stream inside an octet-counted frame.
        t = socket.create_connection(hostport(ports["syslog_tcp"]), timeout=10)
        t.sendall(b"100 <34>1 - cut short")
        sent["syslog_tcp"] += 1
        rejected["syslog_tcp"] += 1
        t.close()

        # --- TLS (RFC 5425): octet-counted frames over TLS 1.2+.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(os.path.join(tlsdir, "cert.pem"))
        raw = socket.create_connection(hostport(ports["syslog_tls"]),
                                       timeout=10)
        tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        check(tls.version() in ("TLSv1.2", "TLSv1.3"),
              "TLS version %s" % tls.version())
        for i in range(10):
            tls.sendall(octet(syslog5424(i, b"tls")))
            sent["syslog_tls"] += 1
        tls.close()

        # --- JSON lines, with malformed ones among them.
        j = socket.create_connection(hostport(ports["json_tcp"]), timeout=10)
        lines = []
        for i in range(30):
            lines.append(json.dumps({"n": i, "event": {"code": 4625},
                                     "source": {"ip": "10.1.2.%d" % i},
                                     "msg": "line %d" % i}).encode())
        bad = [b"not json", b'{"a":', b'{"a":"\\q"}', b'{"a":1,}',
               b'{"a":"\xff"}', b'{"a":' * 100 + b"1" + b"}" * 100]
        for k, b in enumerate(bad):
            lines.insert(3 + 5 * k, b)
        # No event in them either: a line of blanks, an empty array.
        bad += [b"  \t ", b"[]"]
        lines += bad[-2:]
        j.sendall(b"\n".join(lines) + b"\n")
        sent["json_tcp"] += len(lines)
        rejected["json_tcp"] += len(bad)
        j.close()

        def settled():
            m, _, _ = scrape(ports["metrics"])
            for inp, n in sent.items():
                if metric(m, "kyklos_input_records_total", inp) != n:
                    return None
                done = (metric(m, "kyklos_input_accepted_total", inp) +
                        metric(m, "kyklos_input_rejected_total", inp))
                if done != n:
                    return None
            return m

        try:
            m = wait_for(settled, 30, "all records counted")
        except AssertionError:
            m, _, _ = scrape(ports["metrics"])
            print("metrics:", {k: v for k, v in m.items() if "input" in k})
            raise
        _, body, ctype = scrape(ports["metrics"])
        check(ctype.startswith("text/plain"), "metrics content type")
        check("# TYPE kyklos_input_records_total counter" in body,
              "metrics TYPE line")
        check("# HELP kyklos_queue_depth " in body, "metrics HELP line")
        for inp, n in sent.items():
            acc = metric(m, "kyklos_input_accepted_total", inp)
            rej = metric(m, "kyklos_input_rejected_total", inp)
            check(acc + rej == n and rej == rejected[inp],
                  "%s: %d sent = %d accepted + %d rejected (want %d)" %
                  (inp, n, acc, rej, rejected[inp]))
            check(metric(m, "kyklos_input_dropped_total", inp) == 0,
                  "%s: nothing dropped" % inp)
        check(metric(m, "kyklos_input_backpressure_total", "syslog_tcp") > 0,
              "syslog_tcp: the burst met back-pressure (%d pauses)" %
              metric(m, "kyklos_input_backpressure_total", "syslog_tcp"))
        check(metric(m, "kyklos_input_connections_total", "syslog_tcp") == 4,
              "syslog_tcp: 4 connections")
        check(metric(m, "kyklos_input_connections_total", "syslog_tls") == 1,
              "syslog_tls: 1 connection")
        check(m.get('kyklos_queue_in_total{queue="parse"}') ==
              sum(sent.values()), "queue in = records")
        check(m.get('kyklos_queue_out_total{queue="parse"}') ==
              sum(sent.values()), "queue out = records")
        check(m.get('kyklos_queue_capacity{queue="parse"}') == 2,
              "queue capacity = queue_depth x workers")
        try:
            urllib.request.urlopen("http://%s/other" % ports["metrics"],
                                   timeout=5)
            check(False, "404 for other paths")
        except urllib.error.HTTPError as e:
            check(e.code == 404, "404 for other paths")

        # --- SIGHUP with a changed configuration: a smaller max_line
        # applies to the next frames.
        set_keys(cfg, {"max_line": "512"})
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: scrape(ports["metrics"])[0].get(
            'kyklos_config_reloads_total{result="ok"}') == 1, 10,
            "reload ok")
        t = socket.create_connection(hostport(ports["syslog_tcp"]), timeout=10)
        t.sendall(b"<13>May  1 12:00:00 mid app: " + b"z" * 1000 + b"\n")
        sent["syslog_tcp"] += 1
        rejected["syslog_tcp"] += 1
        t.close()

        # --- SIGHUP with an invalid configuration: logged, old one kept.
        good_cfg = open(cfg).read()
        with open(cfg, "a") as f:
            f.write("\nno_such_section:\n  what: 1\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: scrape(ports["metrics"])[0].get(
            'kyklos_config_reloads_total{result="failed"}') == 1, 10,
            "reload failure counted")
        with open(cfg, "w") as f:
            f.write(good_cfg)
        check(proc.poll() is None, "daemon survives an invalid reload")
        j = socket.create_connection(hostport(ports["json_tcp"]), timeout=10)
        j.sendall(b'{"after":"bad reload"}\n')
        sent["json_tcp"] += 1
        j.close()
        m = wait_for(settled, 20, "records after reloads counted")
        check(metric(m, "kyklos_input_rejected_total", "syslog_tcp") ==
              rejected["syslog_tcp"], "reloaded max_line rejects 1000 bytes")
        err_text = open(errlog_path, "rb").read().decode(errors="replace")
        check("reload: configuration" in err_text, "reload logged")
        check("keeping the running configuration" in err_text,
              "invalid reload logged")

        # --- SIGTERM while a connection is open with input just sent:
        # all of it must be processed before exit.
        j = socket.create_connection(hostport(ports["json_tcp"]), timeout=10)
        j.sendall(b"".join(b'{"drain":%d}\n' % i for i in range(500)))
        sent["json_tcp"] += 500
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait(timeout=10)
            check(False, "daemon stops within 30 s of SIGTERM")
        j.close()
        check(rc == 0, "exit status 0 after SIGTERM (got %s)" % rc)
        err_text = open(errlog_path, "rb").read().decode(errors="replace")
        check("stopped:" in err_text, "summary line logged")

        # --- The store has every record, accepted or rejected.
        db = sqlite3.connect(os.path.join(node, "data", "kyklos.db"))
        rows = db.execute("SELECT input, records, accepted, rejected "
                          "FROM ingest_stats").fetchall()
        print("ingest_stats:", rows)
        for inp, n in sent.items():
            mine = [r for r in rows if r[0].startswith(inp + ":")]
            recs = sum(r[1] for r in mine)
            acc = sum(r[2] for r in mine)
            rej = sum(r[3] for r in mine)
            check(recs == n and acc + rej == n and rej == rejected[inp],
                  "store %s: %d records = %d + %d (sent %d, rejected %d)" %
                  (inp, recs, acc, rej, n, rejected[inp]))
        dl_rows = db.execute("SELECT count(*) FROM deadletter").fetchone()[0]
        db.close()
        dl_dir = os.path.join(node, "deadletter")
        dl_lines = 0
        for name in os.listdir(dl_dir):
            with open(os.path.join(dl_dir, name), "rb") as f:
                dl_lines += sum(1 for _ in f)
        check(dl_lines == sum(rejected.values()),
              "dead-letter file lines %d = rejected %d" %
              (dl_lines, sum(rejected.values())))
        check(dl_rows == sum(rejected.values()),
              "dead-letter rows %d = rejected %d" %
              (dl_rows, sum(rejected.values())))

        client_verify_phase(node, cfg, tlsdir, errlog_path)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if FAILURES or os.environ.get("KYKLOS_KEEP"):
            try:
                print("--- serve stderr (last 40 lines)")
                lines = open(errlog_path, "rb").read().decode(
                    errors="replace").splitlines()
                print("\n".join(lines[-40:]))
            except OSError:
                pass
        if not os.environ.get("KYKLOS_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        FAILURES.append(str(e))
        print("FAIL", e)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")
