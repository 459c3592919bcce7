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
import subprocess
import tempfile

import msgpack
import pika

from amqpt import acall, err_code, serve
from rbtest import SOURCE_DIR, Checks, free_port

checks = Checks()
BROKER = os.path.join(SOURCE_DIR, "scripts", "broker")
base = tempfile.mkdtemp(prefix="rb-amqp-restart-")
benv = dict(os.environ,
            RPCBENCH_BROKER_DIR=os.path.join(base, "run"),
            RPCBENCH_BROKER_NODE="rbtest%d@localhost" % os.getpid(),
            RPCBENCH_BROKER_PORT=str(free_port()),
            RPCBENCH_BROKER_DIST_PORT=str(free_port()))


def broker(cmd, *args):
    p = subprocess.run([BROKER, cmd] + list(args), env=benv, capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        print(p.stderr)
    return p.returncode


def node_env():
    """Our environment with the second node's URL and pid."""
    env = dict(os.environ)
    with open(os.path.join(benv["RPCBENCH_BROKER_DIR"], "broker.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v
    return env


Q = "rbtest-restart"
try:
    checks.eq("second node starts", broker("start"), 0)
    env = node_env()
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

    checks.eq("node stops", broker("stop", "--force"), 0)
    checks.eq("node starts again", broker("start"), 0)
    env = node_env()   # a new password and pid

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
    broker("stop", "--force")
    shutil.rmtree(base, ignore_errors=True)

checks.exit()
