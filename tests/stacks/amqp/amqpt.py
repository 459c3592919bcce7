"""Helpers of the AMQP tests: the private broker's URL, unique queue names,
`rpcbench serve/call` for broker transports, and raw requests via pika.

The broker is the private node of scripts/broker; the test runner (scripts/test)
starts it and exports RPCBENCH_AMQP_URL. Without it the tests FAIL, they do not
skip: a missing broker is a broken setup, not a passed test."""
import itertools
import json
import os
import sys
import time
import uuid

import pika

from rbtest import Server, call

URL = os.environ.get("RPCBENCH_AMQP_URL", "")
if not URL:
    print("FAIL: RPCBENCH_AMQP_URL is not set: run `scripts/broker start` and "
          "`set -a; . .run/broker.env; set +a` first (scripts/test does this)",
          file=sys.stderr)
    sys.exit(1)

TRANSPORTS = ("amqp", "amqp-queue", "amqp-durable")
_seq = itertools.count()


def queue_name(tag):
    """A queue name no other test or run uses."""
    return "rbtest-%s-%d-%d" % (tag, os.getpid(), next(_seq))


def serve(transport, queue, *args, env=None):
    """`rpcbench serve TRANSPORT --queue QUEUE ARGS`; waits for `ready QUEUE`."""
    srv = Server(transport, "--queue", queue, *args, listen=None, env=env)
    if srv.endpoint != queue:
        srv.stop()
        raise AssertionError("server said ready %r, want %r" % (srv.endpoint, queue))
    return srv


def acall(transport, method, *args, queue=None, timeout_ms=None, env=None):
    """`rpcbench call` on a broker transport; returns (status, JSON, stderr).
    env: the environment of the call (default: ours)."""
    extra = list(args)
    if queue:
        extra += ["--queue", queue]
    return call(transport, method, *extra, timeout_ms=timeout_ms, check=False, env=env)


def err_code(out):
    """The error code of a `call` JSON reply, or None."""
    if isinstance(out, dict) and isinstance(out.get("error"), dict):
        return out["error"].get("code")
    return None


def connect():
    """A pika BlockingConnection to the private broker."""
    return pika.BlockingConnection(pika.URLParameters(URL))


class RawClient:
    """Publishes arbitrary requests to a queue and reads the replies on an
    exclusive callback queue: the RabbitMQ tutorial's client, made raw."""

    def __init__(self, direct=False):
        """direct: replies by direct reply-to instead of a callback queue."""
        self.conn = connect()
        self.ch = self.conn.channel()
        if direct:
            self.cb = "amq.rabbitmq.reply-to"
        else:
            self.cb = self.ch.queue_declare(queue="", exclusive=True).method.queue
        self.replies = {}
        self.ch.basic_consume(queue=self.cb, on_message_callback=self._on, auto_ack=True)

    def _on(self, ch, method, props, body):
        self.replies[props.correlation_id] = (props, body)

    def request(self, queue, body, type=None, reply_to=True, headers=None,
                content_type="application/json", wait=5.0, corr=None):
        """Publish body; returns (properties, body) of the reply or None."""
        corr = corr or str(uuid.uuid4())
        props = pika.BasicProperties(
            reply_to=self.cb if reply_to is True else (reply_to or None),
            correlation_id=corr, type=type, headers=headers,
            content_type=content_type)
        self.ch.basic_publish(exchange="", routing_key=queue, body=body, properties=props)
        if not wait:
            return None
        deadline = time.monotonic() + wait
        while corr not in self.replies and time.monotonic() < deadline:
            self.conn.process_data_events(time_limit=0.05)
        return self.replies.pop(corr, None)

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass
