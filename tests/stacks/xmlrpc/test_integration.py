"""Integration of `xmlrpc` and `xmlrpc-close`: `rpcbench serve xmlrpc` in its
own process, every method through `rpcbench call` and `rpcbench run` with
both clients, replies verified, zero failures, body and wire bytes that add
up; the keep-alive cap lifted (checked on the wire with http.client); a clean
SIGTERM shutdown with an idle keep-alive connection open."""
import http.client
import json
import os
import socket
import subprocess
import tempfile

from rbtest import RPCBENCH, Checks, Server, call

c = Checks()
FIB = {0: 0, 1: 1, 2: 1, 30: 832040, 92: 7540113804746346429}

# Request and reply bodies of xmlrpc-c 1.33's serialization, bytes: fib(30)
# is <int>30</int> in, <i8>832040</i8> out (measured once, fixed by the
# library's formatting; a change here means the wire format changed).
FIB30_BODY = {"request": 163, "reply": 145}

with Server("xmlrpc", "--entries", "7") as srv:
    ep = srv.endpoint
    c.true("ready line has a real port", srv.port > 0, ep)
    for t in ("xmlrpc", "xmlrpc-close"):
        for n, want in FIB.items():
            rc, out, err = call(t, "fib", n, connect=ep)
            c.eq("%s fib(%d)" % (t, n), out["result"], want)
        rc, out, _ = call(t, "fib", 30, connect=ep)
        c.eq(t + " fib(30) body bytes", out["body_bytes"], FIB30_BODY)
        rc, out, _ = call(t, "getObj", connect=ep)
        c.eq(t + " getObj", out["result"], {"server:%d" % i: i for i in range(7)})
        c.true(t + " getObj reply body holds 7 members",
               out["body_bytes"]["reply"] > 7 * len("<member><name>server:0</name>"), out["body_bytes"])
        rc, out, _ = call(t, "sendObj", connect=ep)
        c.eq(t + " sendObj (100 entries) ack", out["result"], 100)
        rc, out, _ = call(t, "sendObj", '{"a": 1, "b": -5, "big": 9000000000000000000}', connect=ep)
        c.eq(t + " sendObj mixed ints ack", out["result"], 3)
        rc, out, _ = call(t, "sendObj", "0", connect=ep)
        c.eq(t + " sendObj empty ack", out["result"], 0)
        rc, out, err = call(t, "fib", -1, connect=ep, check=False)
        c.eq(t + " fib(-1) exit status", rc, 1)
        c.eq(t + " fib(-1) error", (out or {}).get("error", {}).get("code"), "EINVAL")

    # The keep-alive cap: 100 requests on one connection, none told to close.
    host, port = ep.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    body = (b"<?xml version='1.0'?><methodCall><methodName>fib</methodName><params>"
            b"<param><value><int>10</int></value></param></params></methodCall>")
    closes, statuses, sock = 0, set(), None
    for i in range(100):
        conn.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
        r = conn.getresponse()
        data = r.read()
        statuses.add(r.status)
        if sock is None:
            sock = conn.sock
        c.true("request %d answered on the first connection" % i, conn.sock is sock)
        if (r.getheader("Connection") or "").lower() == "close":
            closes += 1
    c.eq("keep-alive statuses", statuses, {200})
    c.eq("keep-alive: no 'Connection: close' in 100 answers", closes, 0)
    c.true("fib(10) answer", b"<i8>55</i8>" in data, data)
    conn.request("GET", "/etc/passwd")
    r = conn.getresponse()
    r.read()
    c.eq("GET /etc/passwd", r.status, 404)

    # Connections are served independently (one Abyss thread each): while
    # connection A sits in the middle of its request body, connection B's
    # call is answered. A server that serves connections one at a time would
    # leave B waiting for A (Abyss's read timeout is 15 s; ours is 10 s).
    stalled = socket.create_connection((host, int(port)), timeout=10)
    stalled.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body[:40])
    other = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        other.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
        r = other.getresponse()
        c.eq("B answered while A is stalled mid-body", (r.status, b"<i8>55</i8>" in r.read()),
             (200, True))
    except OSError as e:
        c.true("B answered while A is stalled mid-body", False, repr(e))
    other.close()
    stalled.sendall(body[40:])
    answer = b""
    while b"</methodResponse>" not in answer:
        chunk = stalled.recv(4096)  # Abyss sends the answer in pieces
        if not chunk:
            break
        answer += chunk
    c.true("A answered once its body is complete", b"<i8>55</i8>" in answer, answer)
    stalled.close()

    # rpcbench run: both clients, every method, concurrency 1 and 3.
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([RPCBENCH, "run", "--transports", "xmlrpc,xmlrpc-close",
                            "--connect", "xmlrpc=" + ep, "--connect", "xmlrpc-close=" + ep,
                            "--calls", "300", "--warmup", "20", "--concurrency", "1,3",
                            "--entries", "7", "--out", out],
                           capture_output=True, text=True, timeout=300)
        c.eq("run exit status", p.returncode, 0)
        if p.returncode:
            print(p.stdout, p.stderr)
        else:
            with open(os.path.join(out, "results.json")) as f:
                res = json.load(f)
            sc = res["scenarios"]
            c.eq("scenarios: 2 transports x 3 methods x 2 concurrency", len(sc), 12)
            for s in sc:
                name = "%s %s c=%d" % (s["transport"], s["method"], s["concurrency"])
                c.eq(name + " failures", sum(s["failures"].values()), 0)
                c.true(name + " calls", s["calls"] >= 300, s["calls"])
                c.eq(name + " stale replies", s["stale_replies"], 0)
                b, w = s["body_bytes"], s["wire_bytes_per_call"]
                if s["method"] == "fib":
                    c.eq(name + " fib body bytes", b, FIB30_BODY)
                if s["transport"] == "xmlrpc":
                    # HTTP headers come on top of the two XML bodies
                    c.true(name + " wire bytes > bodies + headers",
                           w["client"] is not None and
                           w["client"] > b["request"] + b["reply"] + 200, (w, b))
                else:
                    # connections close inside the window: not measurable
                    c.eq(name + " wire bytes null", w["client"], None)

    # A clean stop with an idle keep-alive connection still open.
    idle = http.client.HTTPConnection(host, int(port), timeout=10)
    idle.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
    idle.getresponse().read()
    c.eq("SIGTERM exit status with an idle connection", srv.stop(), 0)
    idle.close()

c.exit()
