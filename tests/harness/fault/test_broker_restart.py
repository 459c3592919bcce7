"""The known case of broker faults: with the servers stopped and requests waiting in
their queues, a broker restart loses every waiting request on amqp (a
transient, auto-delete queue) and none on amqp-durable (durable queue,
persistent messages, confirms, manual acks).

On a second private node of its own (the suite's node is not touched): an
amqp and an amqp-durable server journal their executions; both are stopped
(SIGSTOP); four sendObj calls with ids go to each and end at their
deadline; the node restarts (scripts/broker restart); the servers continue.
Requests the stopped server had already taken (its prefetch window) are not
waiting in the queue: the test counts the waiting ones before the restart."""
import json
import os
import shutil
import signal
import struct
import time

import pika

from rbtest import Checks, PrivateNode, Server, call

checks = Checks()
node = PrivateNode("rbfault")
base = node.base
N = 4


def journal(path):
    data = open(path, "rb").read() if os.path.exists(path) else b""
    return list(struct.unpack("<%dQ" % (len(data) // 8), data[: len(data) // 8 * 8]))


def waiting(env, q):
    conn = pika.BlockingConnection(pika.URLParameters(env["RPCBENCH_AMQP_URL"]))
    n = conn.channel().queue_declare(queue=q, passive=True).method.message_count
    conn.close()
    return n


servers = {}
try:
    checks.eq("second node starts", node.ctl("start"), 0)
    env = node.env()
    ids, q, waits = {}, {}, {}
    for k, t in enumerate(("amqp", "amqp-durable")):
        q[t] = "rbfault-%d-%s" % (os.getpid(), t)
        senv = dict(env, RPCBENCH_JOURNAL=os.path.join(base, t + ".bin"))
        servers[t] = Server(t, "--queue", q[t], listen=None, env=senv)
        os.kill(servers[t].proc.pid, signal.SIGSTOP)
        ids[t] = [1000 * (k + 1) + i for i in range(N)]
        for cid in ids[t]:
            rc, out, err = call(t, "sendObj", json.dumps({"rpcbench:call": cid, "client:0": 0}),
                                "--queue", q[t], timeout_ms=500, check=False, env=env)
            checks.eq("%s call %d to a stopped server: deadline" % (t, cid),
                      (out or {}).get("error", {}).get("code"), "ETIMEDOUT")
        waits[t] = waiting(env, q[t])
        # the rest went to the stopped server (its prefetch window), unacked
        checks.true("%s: requests wait in the queue" % t, 1 <= waits[t] <= N, waits[t])
    checks.eq("node restarts", node.ctl("restart"), 0)
    for t in servers:
        os.kill(servers[t].proc.pid, signal.SIGCONT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if set(ids["amqp-durable"]) <= set(journal(os.path.join(base, "amqp-durable.bin"))):
            break
        time.sleep(0.5)
    time.sleep(3)   # for amqp too, would it ever execute them
    for t in servers:
        done = journal(os.path.join(base, t + ".bin"))
        lost = [i for i in ids[t] if i not in done]
        if t == "amqp":
            # every request that waited in the queue vanished with it; of
            # the ones the stopped server held (its prefetch), those it reads
            # before a write to the dead connection fails run (reply and ack
            # go on that connection), the others are lost too
            checks.true("amqp: every waiting request lost", len(lost) >= waits[t],
                        (len(lost), waits[t]))
        else:
            checks.eq("amqp-durable: no request lost", lost, [])
        checks.true("%s: server alive after the restart" % t, servers[t].alive())
finally:
    for s in servers.values():
        try:
            os.kill(s.proc.pid, signal.SIGCONT)
        except OSError:
            pass
        s.stop(signal.SIGKILL)
    node.ctl("stop", "--force")
    shutil.rmtree(base, ignore_errors=True)

checks.exit()
