"""Interop with stock AMQP code we did not write (Debian's python3-pika):

1. The RabbitMQ tutorial 6 RPC client (FibonacciRpcClient, as published,
   with only the connection parameters and a time limit changed) calls
   `rpcbench serve` of each AMQP transport on the tutorial's `rpc_queue`
   (in a vhost of the test's own): fib(30) = 832040.
2. Our client (`rpcbench call amqp* ...`) calls an RPC server written with
   pika from the tutorial's rpc_server.py, extended to the three methods
   and to bodies by content type (MessagePack with python3-msgpack, JSON):
   every method, the error reply, and the request properties our client
   sends, seen from the pika side; and the same against the pika server
   when it answers JSON only (our client reads the reply's content_type)."""
import json
import os
import subprocess
import threading
import time
import urllib.parse
import uuid

import msgpack
import pika

import amqpt
from amqpt import TRANSPORTS, URL, acall, connect, err_code, queue_name, serve
from rbtest import SOURCE_DIR, Checks

checks = Checks()


def broker(*args):
    """rabbitmqctl against the suite's private node (scripts/broker ctl)."""
    subprocess.run([os.path.join(SOURCE_DIR, "scripts", "broker"), "ctl"] + list(args),
                   check=True, capture_output=True, timeout=120)


# --- 1. the tutorial's client (rpc_client.py of RabbitMQ tutorial six) -----
class FibonacciRpcClient(object):

    def __init__(self):
        self.connection = pika.BlockingConnection(pika.URLParameters(URL))  # was: host='localhost'
        self.channel = self.connection.channel()
        result = self.channel.queue_declare(queue='', exclusive=True)
        self.callback_queue = result.method.queue
        self.channel.basic_consume(
            queue=self.callback_queue,
            on_message_callback=self.on_response,
            auto_ack=True)
        self.response = None
        self.corr_id = None

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key='rpc_queue',
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=self.corr_id,
            ),
            body=str(n))
        deadline = time.monotonic() + 10   # added: a test must not hang
        while self.response is None and time.monotonic() < deadline:
            self.connection.process_data_events(time_limit=0.1)
        return int(self.response) if self.response is not None else None


# The tutorial's queue name is fixed (rpc_queue): a vhost of this test's own
# keeps it apart from any other user of the broker.
user = urllib.parse.unquote(URL.split("//", 1)[1].split(":", 1)[0])
vhost = "rbtest-interop-%d" % os.getpid()
broker("add_vhost", vhost)
broker("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
vhost_env = dict(os.environ, RPCBENCH_AMQP_URL=URL.rsplit("/", 1)[0] + "/" + vhost)
URL = vhost_env["RPCBENCH_AMQP_URL"]
try:
    for t in TRANSPORTS:
        with serve(t, "rpc_queue", env=vhost_env) as srv:
            client = FibonacciRpcClient()
            checks.eq("tutorial client -> %s: fib(30)" % t, client.call(30), 832040)
            checks.eq("tutorial client -> %s: fib(92)" % t, client.call(92), 7540113804746346429)
            client.connection.close()
        if t == "amqp-durable":   # the durable rpc_queue outlives its server
            c = pika.BlockingConnection(pika.URLParameters(URL))
            c.channel().queue_delete(queue="rpc_queue")
            c.close()
finally:
    broker("delete_vhost", vhost)
    URL = amqpt.URL


# --- 2. a pika RPC server (the tutorial's rpc_server.py, three methods) ----
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


class PikaServer(threading.Thread):
    def __init__(self, queue, durable, entries=10, json_only=False):
        super().__init__(daemon=True)
        self.queue, self.durable, self.entries = queue, durable, entries
        self.json_only = json_only   # answer JSON whatever the request
        self.seen = []        # (properties, body) of every request
        self.stop = False
        self.ready = threading.Event()

    def decode(self, props, body):
        """The argument: MessagePack args array or JSON value."""
        if props.content_type == "application/msgpack":
            args = msgpack.unpackb(body) if body else []
            return args[0] if args else None
        return json.loads(body) if body else None

    def on_request(self, ch, method, props, body):
        self.seen.append((props, body))
        headers = None
        try:
            if props.type in (None, "fib"):
                n = self.decode(props, body)
                if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 92:
                    raise ValueError("fib(%s): n must be 0..92" % n)
                response = fib(n)
            elif props.type == "getObj":
                response = {"server:%d" % i: i for i in range(self.entries)}
            elif props.type == "sendObj":
                obj = self.decode(props, body)
                if not isinstance(obj, dict) or not all(isinstance(v, int) for v in obj.values()):
                    raise ValueError("sendObj: not a map of string -> integer")
                response = len(obj)
            else:
                raise LookupError("unknown method %r" % props.type)
        except LookupError as e:
            headers = {"rpcbench-error": str(e), "rpcbench-code": "ENOMETHOD"}
            response = {"error": str(e), "code": "ENOMETHOD"}
        except ValueError as e:
            headers = {"rpcbench-error": str(e), "rpcbench-code": "EINVAL"}
            response = {"error": str(e), "code": "EINVAL"}
        if props.content_type == "application/msgpack" and not self.json_only:
            ct, out = "application/msgpack", msgpack.packb(response)
        else:
            ct, out = "application/json", json.dumps(response, separators=(",", ":"))
        ch.basic_publish(exchange='',
                         routing_key=props.reply_to,
                         properties=pika.BasicProperties(
                             correlation_id=props.correlation_id,
                             content_type=ct, headers=headers),
                         body=out)
        ch.basic_ack(delivery_tag=method.delivery_tag)

    def run(self):
        connection = pika.BlockingConnection(pika.URLParameters(URL))
        channel = connection.channel()
        channel.queue_declare(queue=self.queue, durable=self.durable, auto_delete=not self.durable)
        channel.basic_qos(prefetch_count=1)
        channel.basic_consume(queue=self.queue, on_message_callback=self.on_request)
        self.ready.set()
        while not self.stop:
            connection.process_data_events(time_limit=0.05)
        if self.durable:
            channel.queue_delete(queue=self.queue)
        connection.close()


def fib_and_get_obj(t, q, label):
    """fib(30) and getObj through our client; returns getObj's call JSON."""
    rc, out, err = acall(t, "fib", 30, queue=q)
    checks.eq("%s -> %s: fib(30)" % (t, label), out.get("result") if isinstance(out, dict) else (out, err), 832040)
    rc, out, err = acall(t, "getObj", queue=q)
    checks.eq("%s -> %s: getObj" % (t, label), out.get("result") if isinstance(out, dict) else (out, err),
              {"server:%d" % i: i for i in range(10)})
    return out if isinstance(out, dict) else {}


for t in TRANSPORTS:
    q = queue_name("pika-" + t)
    srv = PikaServer(q, durable=(t == "amqp-durable"))
    srv.start()
    checks.true("pika server %s ready" % t, srv.ready.wait(10))
    try:
        fib_and_get_obj(t, q, "pika")
        rc, out, err = acall(t, "sendObj", 25, queue=q)
        checks.eq("%s -> pika: sendObj 25" % t, out.get("result") if isinstance(out, dict) else (out, err), 25)
        rc, out, err = acall(t, "fib", 93, queue=q)
        checks.eq("%s -> pika: fib(93) is EINVAL" % t, err_code(out), "EINVAL")
        checks.true("%s -> pika: fib(93) message" % t, "0..92" in json.dumps(out), str(out))

        # What our client put on the wire, as pika decoded it.
        checks.eq("%s: requests seen by pika" % t, len(srv.seen), 4)
        types = [p.type for p, b in srv.seen]
        checks.eq("%s: type properties" % t, types, ["fib", "getObj", "sendObj", "fib"])
        bodies = [b for p, b in srv.seen]
        checks.eq("%s: fib body" % t, bodies[0], b"\x91\x1e")
        checks.eq("%s: getObj body" % t, bodies[1], b"\x90")
        checks.eq("%s: sendObj body" % t, msgpack.unpackb(bodies[2]), [{"client:%d" % i: i for i in range(25)}])
        p0 = srv.seen[0][0]
        checks.eq("%s: content_type" % t, [p.content_type for p, b in srv.seen], ["application/msgpack"] * 4)
        checks.true("%s: correlation_id set" % t, bool(p0.correlation_id))
        prefix = "amq.rabbitmq.reply-to." if t == "amqp" else "amq.gen-"
        checks.true("%s: reply_to %r starts with %s" % (t, p0.reply_to, prefix),
                    (p0.reply_to or "").startswith(prefix))
        checks.eq("%s: delivery_mode" % t, p0.delivery_mode, 2 if t == "amqp-durable" else None)
    finally:
        srv.stop = True
        srv.join(10)

# Against a server that answers JSON whatever we send: our client reads the
# reply by its content_type.
for t in TRANSPORTS:
    q = queue_name("pika-json-" + t)
    srv = PikaServer(q, durable=(t == "amqp-durable"), json_only=True)
    srv.start()
    checks.true("JSON-only pika server %s ready" % t, srv.ready.wait(10))
    try:
        out = fib_and_get_obj(t, q, "JSON-only pika")
        checks.eq("%s -> JSON-only pika: getObj reply bytes" % t, out.get("body_bytes", {}).get("reply"),
                  len(json.dumps({"server:%d" % i: i for i in range(10)}, separators=(",", ":"))))
    finally:
        srv.stop = True
        srv.join(10)

checks.exit()
