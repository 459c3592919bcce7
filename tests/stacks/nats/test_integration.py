"""Integration of the NATS transports through a real nats-server: every
method on nats and nats-js with replies verified against the contract and
body byte counts against the MessagePack we expect (python3-msgpack packs
the same bytes); error replies (headers and body) for fib out of range and
an unknown method; the JSON and plain-text bodies of README.md; no server
-> ENOSERVER at once; what nats-js declares (a work-queue stream on file, a
durable consumer), and a request stored while no server ran answered once
one starts, across a restart of the broker too."""
import json
import time

import msgpack

from natst import (TRANSPORTS, PrivateNats, Raw, broker, err_code, ncall, queue_name,
                   serve, stream_of)
from rbtest import Checks

checks = Checks()
FIB = {0: 0, 1: 1, 2: 1, 30: 832040, 92: 7540113804746346429}
MP = {"Content-Type": "application/msgpack"}


def mp(v):
    return len(msgpack.packb(v))


def result(out):
    return out.get("result") if isinstance(out, dict) else out


def every_method(t, q):
    for n, want in FIB.items():
        rc, out, err = ncall(t, "fib", n, queue=q)
        checks.eq("%s fib(%d) status" % (t, n), rc, 0)
        checks.eq("%s fib(%d)" % (t, n), result(out), want)
        if isinstance(out, dict):
            checks.eq("%s fib(%d) request body bytes" % (t, n), out["body_bytes"]["request"], mp([n]))
            checks.eq("%s fib(%d) reply body bytes" % (t, n), out["body_bytes"]["reply"], mp(want))
    want_obj = {"server:%d" % i: i for i in range(100)}
    rc, out, err = ncall(t, "getObj", queue=q)
    checks.eq("%s getObj status" % t, rc, 0)
    checks.eq("%s getObj result" % t, result(out), want_obj)
    if isinstance(out, dict):
        checks.eq("%s getObj reply body bytes" % t, out["body_bytes"]["reply"], mp(want_obj))
    rc, out, err = ncall(t, "sendObj", 50, queue=q)
    checks.eq("%s sendObj 50 ack" % t, result(out), 50)
    if isinstance(out, dict):
        sent = {"client:%d" % i: i for i in range(50)}
        checks.eq("%s sendObj request body bytes" % t, out["body_bytes"]["request"], mp([sent]))
    rc, out, err = ncall(t, "sendObj", '{"a":1,"b":-2,"c":9223372036854775807}', queue=q)
    checks.eq("%s sendObj JSON object ack" % t, result(out), 3)
    for n in (93, -1):
        rc, out, err = ncall(t, "fib", n, queue=q)
        checks.true("%s fib(%d) fails" % (t, n), rc != 0, str(out))
        checks.eq("%s fib(%d) error code" % (t, n), err_code(out), "EINVAL")
        checks.true("%s fib(%d) error names the range" % (t, n), "0..92" in str(out), str(out))


def raw_reply(raw, t, q, method, data, headers):
    """A request by hand on either flavour; the reply Msg (or None)."""
    if t == "nats":
        return raw.request("%s.%s" % (q, method), data, headers=headers)
    ack, rep = raw.js_request(q, method, data, headers=headers)
    checks.true("%s %s stored (PubAck)" % (t, method), ack and ack.get("stream") == stream_of(q), ack)
    return rep


def wire_conventions(t, q):
    raw = Raw()
    m = raw_reply(raw, t, q, "fib", msgpack.packb([30]), MP)
    checks.eq("%s raw MessagePack fib" % t, m and msgpack.unpackb(m.data), 832040)
    checks.eq("%s raw reply Content-Type" % t, m and m.headers.get("Content-Type"), "application/msgpack")
    # what rpcbench's client sends: no Content-Type, known by the array's
    # first byte; the result then comes without headers (MSG)
    m = raw_reply(raw, t, q, "fib", msgpack.packb([30]), None)
    checks.eq("%s untyped MessagePack fib" % t, m and msgpack.unpackb(m.data), 832040)
    checks.eq("%s untyped MessagePack reply has no headers" % t, m and (m.headers, m.status), ({}, None))
    m = raw_reply(raw, t, q, "getObj", msgpack.packb([]), None)
    checks.eq("%s untyped MessagePack getObj" % t, m and len(msgpack.unpackb(m.data)), 100)
    m = raw_reply(raw, t, q, "fib", msgpack.packb([93]), None)
    checks.eq("%s untyped MessagePack error: headers" % t, m and m.headers.get("Rpcbench-Code"), "EINVAL")
    m = raw_reply(raw, t, q, "fib", msgpack.packb([93]), MP)
    checks.eq("%s error header code" % t, m and m.headers.get("Rpcbench-Code"), "EINVAL")
    checks.true("%s error header message" % t, m and "0..92" in m.headers.get("Rpcbench-Error", ""))
    checks.eq("%s error body" % t, m and msgpack.unpackb(m.data).get("code"), "EINVAL")
    m = raw_reply(raw, t, q, "nope", msgpack.packb([]), MP)
    checks.eq("%s unknown method" % t, m and m.headers.get("Rpcbench-Code"), "ENOMETHOD")
    m = raw_reply(raw, t, q, "fib", b"30", None)
    checks.eq("%s text fib (no Content-Type)" % t, m and m.data, b"832040")
    checks.eq("%s text reply type" % t, m and m.headers.get("Content-Type"), "text/plain")
    m = raw_reply(raw, t, q, "sendObj", b'{"x":1,"y":2}', {"Content-Type": "application/json"})
    checks.eq("%s JSON sendObj" % t, m and m.data, b"2")
    m = raw_reply(raw, t, q, "getObj", b"", {"Content-Type": "application/json"})
    checks.eq("%s JSON getObj" % t, m and len(json.loads(m.data)), 100)
    m = raw_reply(raw, t, q, "fib", b"30", {"Content-Type": "application/xml"})
    checks.eq("%s unknown Content-Type" % t, m and m.headers.get("Rpcbench-Code"), "EINVAL")
    raw.close()


for t in TRANSPORTS:
    q = queue_name(t)
    with serve(t, q) as srv:
        every_method(t, q)
        wire_conventions(t, q)
        checks.eq("%s server alive" % t, srv.alive(), True)
        checks.eq("%s server exit status after SIGTERM" % t, srv.stop(), 0)

# No server: core NATS answers "no responders" at once; nats-js with no
# stream for the subject too.
for t in TRANSPORTS:
    t0 = time.monotonic()
    rc, out, err = ncall(t, "fib", 5, queue=queue_name("none"), timeout_ms=4000)
    checks.eq("%s without a server: ENOSERVER" % t, err_code(out), "ENOSERVER")
    checks.true("%s without a server: at once" % t, time.monotonic() - t0 < 3.5)

# What nats-js declares, and a request stored while its server is away.
q = queue_name("js")
with serve("nats-js", q) as srv:
    raw = Raw()
    info = raw.js_api("STREAM.INFO." + stream_of(q))
    cfg = (info or {}).get("config", {})
    checks.eq("nats-js stream retention", cfg.get("retention"), "workqueue")
    checks.eq("nats-js stream storage", cfg.get("storage"), "file")
    checks.eq("nats-js stream subjects", cfg.get("subjects"), [q + ".*"])
    ci = raw.js_api("CONSUMER.INFO.%s.workers" % stream_of(q)) or {}
    checks.eq("nats-js durable consumer", ci.get("config", {}).get("durable_name"), "workers")
    checks.eq("nats-js explicit acks", ci.get("config", {}).get("ack_policy"), "explicit")
    raw.close()
    checks.eq("nats-js server exit status", srv.stop(), 0)
raw = Raw()
inbox = "_INBOX.stored%d" % time.time_ns()
raw.sub(inbox + ".*")
raw.pub(q + ".fib", msgpack.packb([20]), reply=inbox + ".a",
        headers=dict(MP, **{"Rpcbench-Reply-To": inbox + ".r"}))
ack = raw.read(5)
checks.true("nats-js stored with no server running", ack != "PONG" and b'"seq"' in ack.data, ack)
info = raw.js_api("STREAM.INFO." + stream_of(q)) or {}
checks.eq("nats-js one request waiting", info.get("state", {}).get("messages"), 1)
with serve("nats-js", q):
    m = raw.read(10)
    checks.eq("nats-js stored request answered by the next server",
              m.subject == inbox + ".r" and msgpack.unpackb(m.data), 6765)
    raw.ping()
    info = raw.js_api("STREAM.INFO." + stream_of(q)) or {}
    checks.eq("nats-js acked request left the stream", info.get("state", {}).get("messages"), 0)
raw.close()

# Across a broker restart (a server of our own): stored on file.
node = PrivateNats()
try:
    checks.eq("private nats-server starts", node.ctl("start"), 0)
    env = node.env()
    q = queue_name("jsr")
    with serve("nats-js", q, env=env):
        pass   # the stream and its consumer exist now
    raw = Raw(env=env)
    inbox = "_INBOX.restart%d" % time.time_ns()
    raw.sub(inbox + ".*")
    raw.pub(q + ".fib", msgpack.packb([10]), reply=inbox + ".a",
            headers=dict(MP, **{"Rpcbench-Reply-To": inbox + ".r"}))
    raw.read(5)
    raw.close()
    pid = env["RPCBENCH_NATS_PID"]
    checks.eq("private nats-server restarts", node.ctl("restart"), 0)
    env = node.env()
    checks.true("restart changed the pid", env["RPCBENCH_NATS_PID"] != pid)
    raw = Raw(env=env)
    raw.sub(inbox + ".*")
    raw.ping()
    with serve("nats-js", q, env=env):
        m = raw.read(10)
        checks.eq("request stored before a broker restart answered after it",
                  m.subject == inbox + ".r" and msgpack.unpackb(m.data), 55)
    raw.close()
    checks.eq("status after stop", (node.ctl("stop"), node.ctl("status")), (0, 1))
finally:
    node.stop()

checks.exit()
