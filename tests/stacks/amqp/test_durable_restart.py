"""What amqp-durable buys: requests survive a broker restart.

On a second private node of its own (scripts/broker with RPCBENCH_BROKER_DIR,
_NODE, _PORT, _DIST_PORT: the suite's shared node is not touched), with no
server consuming a durable queue:
  - `rpcbench call amqp-durable fib 20` publishes a persistent request, gets
    the broker's confirm, and ends at its deadline (no reply);
  - `rpcbench call amqp fib 21` publishes a transient request to the same
    queue;
then the node is stopped and started again: the persistent request is still
in the queue, the transient one is gone, and a server started afterwards
drains it and serves the next call."""
import os
import shutil

import msgpack
import pika

from amqpt import acall, err_code, serve
from rbtest import Checks, PrivateNode

checks = Checks()
node = PrivateNode("rbtest")
base = node.base


Q = "rbtest-restart"
try:
    checks.eq("second node starts", node.ctl("start"), 0)
    env = node.env()
    with serve("amqp-durable", Q, env=env) as srv:
        rc, out, err = acall("amqp-durable", "fib", 10, queue=Q, env=env)
        checks.eq("durable call before the restart", out.get("result") if isinstance(out, dict) else err, 55)
    rc, out, err = acall("amqp-durable", "fib", 20, queue=Q, timeout_ms=1500, env=env)
    checks.eq("persistent request, no server: deadline", err_code(out), "ETIMEDOUT")
    checks.true("it was confirmed (waited for the reply)", "no reply" in err, err)
    rc, out, err = acall("amqp", "fib", 21, queue=Q, timeout_ms=500, env=env)
    checks.eq("transient request, no server: deadline", err_code(out), "ETIMEDOUT")

    conn = pika.BlockingConnection(pika.URLParameters(env["RPCBENCH_AMQP_URL"]))
    ok = conn.channel().queue_declare(queue=Q, passive=True)
    checks.eq("two requests queued before the restart", ok.method.message_count, 2)
    conn.close()

    checks.eq("node stops", node.ctl("stop", "--force"), 0)
    checks.eq("node starts again", node.ctl("start"), 0)
    env = node.env()   # a new password and pid

    conn = pika.BlockingConnection(pika.URLParameters(env["RPCBENCH_AMQP_URL"]))
    ch = conn.channel()
    ok = ch.queue_declare(queue=Q, passive=True)
    checks.eq("after the restart: only the persistent request", ok.method.message_count, 1)
    method, props, body = ch.basic_get(queue=Q, auto_ack=False)
    checks.eq("kept request body", body, msgpack.packb([20]))
    checks.eq("kept request is persistent", props.delivery_mode if props else None, 2)
    if method:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
    conn.close()

    with serve("amqp-durable", Q, env=env) as srv:
        rc, out, err = acall("amqp-durable", "fib", 30, queue=Q, env=env)
        checks.eq("durable call after the restart", out.get("result") if isinstance(out, dict) else err, 832040)
        conn = pika.BlockingConnection(pika.URLParameters(env["RPCBENCH_AMQP_URL"]))
        ok = conn.channel().queue_declare(queue=Q, passive=True)
        checks.eq("the server drained the kept request", ok.method.message_count, 0)
        conn.close()
        checks.eq("server exit", srv.stop(), 0)
finally:
    node.ctl("stop", "--force")
    shutil.rmtree(base, ignore_errors=True)

checks.exit()
