"""Integration of the three AMQP transports through the private RabbitMQ
node: every method on amqp, amqp-queue and amqp-durable, replies verified
against the contract, body byte counts checked against the MessagePack we
expect (python3-msgpack packs the same bytes),
error replies for fib out of range, and what each flavour declares (auto-delete
queue vs durable queue with persistent requests)."""
import json
import os
import shutil
import subprocess
import tempfile

import msgpack
import pika

from amqpt import TRANSPORTS, acall, connect, err_code, queue_name, serve
from rbtest import RPCBENCH, Checks

checks = Checks()
FIB = {0: 0, 1: 1, 2: 1, 30: 832040, 92: 7540113804746346429}


def mp(v):
    """Size of v as MessagePack."""
    return len(msgpack.packb(v))


for t in TRANSPORTS:
    q = queue_name(t)
    with serve(t, q) as srv:
        for n, want in FIB.items():
            rc, out, err = acall(t, "fib", n, queue=q)
            checks.eq("%s fib(%d) status" % (t, n), rc, 0)
            checks.eq("%s fib(%d)" % (t, n), out.get("result") if isinstance(out, dict) else out, want)
            if isinstance(out, dict):
                checks.eq("%s fib(%d) request body bytes" % (t, n), out["body_bytes"]["request"], mp([n]))
                checks.eq("%s fib(%d) reply body bytes" % (t, n), out["body_bytes"]["reply"], mp(want))

        want_obj = {"server:%d" % i: i for i in range(100)}
        rc, out, err = acall(t, "getObj", queue=q)
        checks.eq("%s getObj status" % t, rc, 0)
        checks.eq("%s getObj result" % t, out.get("result") if isinstance(out, dict) else out, want_obj)
        if isinstance(out, dict):
            checks.eq("%s getObj request body bytes" % t, out["body_bytes"]["request"], 1)
            checks.eq("%s getObj reply body bytes" % t, out["body_bytes"]["reply"], mp(want_obj))

        rc, out, err = acall(t, "sendObj", 50, queue=q)
        checks.eq("%s sendObj 50 status" % t, rc, 0)
        checks.eq("%s sendObj 50 ack" % t, out.get("result") if isinstance(out, dict) else out, 50)
        if isinstance(out, dict):
            sent = {"client:%d" % i: i for i in range(50)}
            checks.eq("%s sendObj request body bytes" % t, out["body_bytes"]["request"], mp([sent]))
            checks.eq("%s sendObj reply body bytes" % t, out["body_bytes"]["reply"], 1)

        rc, out, err = acall(t, "sendObj", '{"a":1,"b":-2,"c":9223372036854775807}', queue=q)
        checks.eq("%s sendObj JSON object ack" % t, out.get("result") if isinstance(out, dict) else out, 3)

        for n in (93, -1):
            rc, out, err = acall(t, "fib", n, queue=q)
            checks.true("%s fib(%d) fails" % (t, n), rc != 0, str(out))
            checks.eq("%s fib(%d) error code" % (t, n), err_code(out), "EINVAL")
            checks.true("%s fib(%d) error names the range" % (t, n), "0..92" in str(out), str(out))

        # What the server declared.
        conn = connect()
        ch = conn.channel()
        ok = ch.queue_declare(queue=q, passive=True)
        checks.eq("%s queue has one consumer" % t, ok.method.consumer_count, 1)
        try:
            # Redeclaring with the other durability is refused (406): this
            # proves which one the server chose.
            ch.queue_declare(queue=q, durable=(t != "amqp-durable"), auto_delete=(t == "amqp-durable"))
            checks.true("%s queue durability as designed" % t, False, "redeclare accepted")
        except pika.exceptions.ChannelClosedByBroker as e:
            checks.eq("%s queue durability as designed (406)" % t, e.reply_code, 406)
        conn.close()
        checks.eq("%s server alive" % t, srv.alive(), True)
        status = srv.stop()
        checks.eq("%s server exit status after SIGTERM" % t, status, 0)

    # After the server: amqp/amqp-queue queues were deleted -> no server
    # at once; the durable queue keeps the request (persistent) -> deadline.
    rc, out, err = acall(t, "fib", 10, queue=q, timeout_ms=500)
    if t == "amqp-durable":
        checks.eq("%s after stop: deadline" % t, err_code(out), "ETIMEDOUT")
        conn = connect()
        ch = conn.channel()
        method, props, body = ch.basic_get(queue=q, auto_ack=True)
        checks.eq("%s kept request body" % t, body, msgpack.packb([10]))
        checks.eq("%s kept request content_type" % t, props.content_type if props else None,
                  "application/msgpack")
        checks.eq("%s kept request is persistent" % t, props.delivery_mode if props else None, 2)
        checks.eq("%s kept request type" % t, props.type if props else None, "fib")
        ch.queue_delete(queue=q)
        conn.close()
    else:
        checks.eq("%s after stop: no server" % t, err_code(out), "ENOSERVER")

# --entries and --threads: each consumer on its own connection.
for t in TRANSPORTS:
    q = queue_name(t + "-mt")
    with serve(t, q, "--entries", "7", "--threads", "3", "--prefetch", "4") as srv:
        conn = connect()
        ok = conn.channel().queue_declare(queue=q, passive=True)
        checks.eq("%s --threads 3: consumers" % t, ok.method.consumer_count, 3)
        conn.close()
        rc, out, err = acall(t, "getObj", queue=q)
        checks.eq("%s --entries 7 getObj" % t, out.get("result") if isinstance(out, dict) else out,
                  {"server:%d" % i: i for i in range(7)})
        for n in range(10):
            rc, out, err = acall(t, "fib", n + 80, queue=q)
            checks.eq("%s --threads 3 fib(%d)" % (t, n + 80), rc, 0)
    if t == "amqp-durable":
        c = connect()
        c.channel().queue_delete(queue=q)
        c.close()

# The harness end to end: every method on the three transports, two client
# threads, zero failures, and wire bytes for both hops (total = client<->broker
# plus broker<->server, so it is more than the client's hop).
out_dir = tempfile.mkdtemp(prefix="rb-amqp-run-")
try:
    p = subprocess.Popen([RPCBENCH, "run", "--transports", ",".join(TRANSPORTS),
                          "--methods", "fib,getObj,sendObj", "--calls", "60", "--warmup", "5",
                          "--concurrency", "2", "--entries", "20", "--out", out_dir],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run_pid = p.pid
    p.communicate(timeout=300)
    checks.eq("rpcbench run status", p.returncode, 0)
    with open(os.path.join(out_dir, "results.json")) as f:
        res = json.load(f)
    seen = set()
    for s in res["scenarios"]:
        what = "run %s %s" % (s["transport"], s["method"])
        seen.add((s["transport"], s["method"]))
        checks.eq(what + ": calls", s["calls"], 60)
        checks.eq(what + ": failures", sum(s["failures"].values()), 0)
        w = s["wire_bytes_per_call"]
        checks.true(what + ": client wire bytes measured", (w["client"] or 0) > 0, str(w))
        checks.true(what + ": both hops (total > client)", (w["total"] or 0) > (w["client"] or 0), str(w))
        want_req = {"fib": mp([30]), "getObj": 1, "sendObj": mp([{"client:%d" % i: i for i in range(20)}])}
        checks.eq(what + ": request body bytes", s["body_bytes"]["request"], want_req[s["method"]])
    checks.eq("run covered every transport and method", len(seen), 9)
finally:
    shutil.rmtree(out_dir, ignore_errors=True)
    # The run's durable request queue outlives it (the runner names it
    # rpcbench-<its pid>-<transport>-e<entries>).
    c = connect()
    c.channel().queue_delete(queue="rpcbench-%d-amqp-durable-e20" % run_pid)
    c.close()

checks.exit()
