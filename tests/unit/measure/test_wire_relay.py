"""Wire bytes per call against an independent count.

A relay process (tests/lib/relay.py) sits between rpcbench's clients and the
server (tcp) or the broker (amqp), keeps every byte of both directions, and
the test finds the measured calls in those streams by parsing the protocol:
a connection's measured calls are its last k calls (k = calls per thread),
after the connect call and the warm-up and before the close. rpcbench's
`wire_bytes_per_call` x verified calls must equal that count within a few
bytes (a heartbeat at the edge of the window), for:

- tcp through the relay (`--connect tcp=relay`), two methods, 2 clients;
- amqp with `--connect amqp=QUEUE` (server outside, client hop through the
  relay), as in the report;
- amqp with the server started by rpcbench, both hops through the relay:
  client and total (client + broker-to-server hop).

The AMQP cases need RPCBENCH_AMQP_URL (scripts/test starts the broker).
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

import rbtest
from relay import Relay, amqp_frames, amqp_window_bytes, tcp_frames

CALLS, CONC, WARMUP = 400, 2, 20
K = CALLS // CONC
SLACK = 16   # bytes per run: one frame at the window's edge at most

checks = rbtest.Checks()


def run(args, env=None):
    out = tempfile.mkdtemp(prefix="rb-wire-")
    cmd = [rbtest.RPCBENCH, "run", "--calls", str(CALLS), "--concurrency", str(CONC),
           "--warmup", str(WARMUP), "--out", out] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)["scenarios"]


def measured(conn_bytes_fn, conns):
    return sum(conn_bytes_fn(c) for c in conns)


def tcp_window(c):
    up, down = tcp_frames(bytes(c.up)), tcp_frames(bytes(c.down))
    return sum(up[-K:]) + sum(down[-K:])


def amqp_client_window(c):
    # client: basic.publish (60,40) out, basic.deliver (60,60) in
    return (amqp_window_bytes(bytes(c.up), (60, 40), K) +
            amqp_window_bytes(bytes(c.down), (60, 60), K))


def check(what, scenario, want):
    r = scenario["per_round"][0]
    for hop, bytes_want in want.items():
        per_call = r["wire_bytes_per_call"][hop]
        checks.true("%s %s: measured" % (what, hop), per_call is not None, r["wire_bytes_per_call"])
        if per_call is None:
            continue
        got = per_call * r["calls"]
        checks.true("%s %s: %.0f B in the window, the relay counted %d" % (what, hop, got, bytes_want),
                    abs(got - bytes_want) <= SLACK)


def tcp_case():
    with rbtest.Server("tcp") as srv, Relay(srv.port) as relay:
        sc = run(["--transports", "tcp", "--methods", "fib,getObj",
                  "--connect", "tcp=127.0.0.1:%d" % relay.port])
        conns = relay.stop()
    # accept order: the start-up probe, then CONC connections per scenario
    checks.eq("tcp: connections through the relay", len(conns), 1 + CONC * len(sc))
    for i, s in enumerate(sc):
        group = conns[1 + CONC * i:1 + CONC * (i + 1)]
        check("tcp %s" % s["method"], s, {"client": measured(tcp_window, group),
                                          "total": measured(tcp_window, group)})


def broker_port(url):
    return int(re.search(r":(\d+)/", url.split("@")[-1] + "/").group(1))


def amqp_connect_case(url):
    port = broker_port(url)
    queue = "rb-wire-relay-%d" % os.getpid()
    with rbtest.Server("amqp", "--queue", queue, listen=None) as srv, Relay(port) as relay:
        env = dict(os.environ, RPCBENCH_AMQP_URL=url.replace(":%d/" % port, ":%d/" % relay.port))
        sc = run(["--transports", "amqp", "--methods", "fib,sendObj",
                  "--connect", "amqp=" + queue], env=env)
        conns = relay.stop()
    checks.eq("amqp --connect: connections through the relay", len(conns), 1 + CONC * len(sc))
    for i, s in enumerate(sc):
        group = conns[1 + CONC * i:1 + CONC * (i + 1)]
        check("amqp --connect %s" % s["method"], s, {"client": measured(amqp_client_window, group)})


PER_CALL = ((60, 60), (60, 40), (60, 80))   # deliver, publish, ack (or confirm)


def per_call_method(stream):
    """The per-call method a server connection's direction carries most
    (deliveries in, publishes or acks out, confirms in), or None for a
    connection that carries no call (an idle or a clean-up connection)."""
    counts = collections.Counter((f[3], f[4]) for f in amqp_frames(stream))
    best = max(PER_CALL, key=lambda m: counts[m])
    return best if counts[best] else None


def amqp_server_window(c):
    """The broker-to-server hop of one server connection: in each direction
    the bytes from its CALLS-th last per-call frame on (up: its reply
    publishes, each followed by the request's ack)."""
    total = 0
    for stream in (bytes(c.up), bytes(c.down)):
        m = per_call_method(stream)
        if m:
            b = amqp_window_bytes(stream, m, CALLS)
            total += b if b is not None else 10 ** 9   # batched frames: fail loudly
    return total


def amqp_own_case(url):
    port = broker_port(url)
    with Relay(port) as relay:
        env = dict(os.environ, RPCBENCH_AMQP_URL=url.replace(":%d/" % port, ":%d/" % relay.port))
        sc = run(["--transports", "amqp", "--methods", "fib"], env=env)
        conns = relay.stop()
    # clients publish requests and get deliveries on one connection and ack
    # nothing (they consume replies with no-ack); the server's consuming
    # connection publishes the replies and acks the requests. Every other
    # connection is the server's too (a reply connection, its clean-up),
    # whatever their number and order.
    def is_client(c):
        up = bytes(c.up)
        acks = sum(1 for f in amqp_frames(up) if (f[3], f[4]) == (60, 80))
        return (per_call_method(up) == (60, 40) and acks == 0 and
                per_call_method(bytes(c.down)) == (60, 60))
    clients = [c for c in conns if is_client(c)]
    servers = [c for c in conns if not is_client(c)]
    checks.eq("amqp: client connections through the relay (the probe's among them)",
              len(clients) >= CONC, True)
    client = measured(amqp_client_window, clients[-CONC:])
    hop = measured(amqp_server_window, servers)
    check("amqp fib", sc[0], {"client": client, "total": client + hop})


tcp_case()
url = os.environ.get("RPCBENCH_AMQP_URL")
if url:
    amqp_connect_case(url)
    amqp_own_case(url)
else:
    print("amqp cases skipped: RPCBENCH_AMQP_URL is not set", file=sys.stderr)
checks.exit()
