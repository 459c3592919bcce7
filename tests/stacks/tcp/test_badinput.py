"""Robustness of the tcp server: bad arguments, garbage, oversized and
hostile frames each get an error (or that connection closed) and the server
goes on serving the next call. Also: a client never waits forever."""
import socket
import struct
import time

import msgpack

from rbtest import Checks, Server, call, serve_on_busy_port, free_port
from tcp_frames import frame, read_reply

c = Checks()


def raw(srv):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    return s


def good_call(srv, what):
    rc, out, _ = call("tcp", "fib", 30, connect=srv.endpoint, check=False)
    c.eq("fib(30) after " + what, (rc, out and out.get("result")), (0, 832040))


with Server("tcp", "--max-request", "4096") as srv:
    # fib outside 0..92: invalid argument from the server, with a message
    for n in (-1, 93):
        rc, out, _ = call("tcp", "fib", n, connect=srv.endpoint, check=False)
        c.eq("fib(%d) exit status" % n, rc, 1)
        c.eq("fib(%d) error code" % n, out["error"]["code"], "EINVAL")
        c.eq("fib(%d) error kind" % n, out["error"]["kind"], "server_error")
        c.true("fib(%d) message names the range" % n, "0..92" in out["error"]["message"])
    good_call(srv, "fib out of range")

    # a request from a stock MessagePack library, by hand: [id, method, args]
    s = raw(srv)
    s.sendall(frame(msgpack.packb([7, "fib", [10]])))
    c.eq("hand-made fib(10)", read_reply(s), [7, 0, 55])
    s.sendall(frame(msgpack.packb([8, "nope", []])))
    r = read_reply(s)
    c.eq("unknown method: id and code", r[:2], [8, -8])
    s.sendall(frame(msgpack.packb([9, "fib", ["x"]])))
    c.eq("fib('x'): invalid argument", read_reply(s)[:2], [9, -1])
    s.sendall(frame(msgpack.packb([10, "sendObj", [{"a": "b"}]])))
    c.eq("sendObj({'a': 'b'}): invalid argument", read_reply(s)[:2], [10, -1])
    s.sendall(frame(msgpack.packb([11, "sendObj", [{"a": 1, "b": 2}]])))
    c.eq("sendObj({'a': 1, 'b': 2}) acks 2", read_reply(s), [11, 0, 2])

    # garbage frames: protocol error, connection stays usable
    for name, body in [("garbage bytes", b"\xc1\xc1\xc1garbage"),
                       ("truncated value", b"\x93\x01"),
                       ("map32 claiming 2^32-1 entries", b"\xdf\xff\xff\xff\xff"),
                       ("trailing bytes", msgpack.packb([1, "fib", [1]]) + b"\x00"),
                       ("not an array", msgpack.packb({"a": 1})),
                       ("empty frame", b"")]:
        s.sendall(frame(body))
        r = read_reply(s)
        c.eq(name + ": protocol error with id nil", r and r[:2], [None, -6])
    s.sendall(frame(msgpack.packb([12, "fib", [20]])))
    c.eq("same connection works after garbage", read_reply(s), [12, 0, 6765])

    # an oversized frame: too large, then that connection is closed
    s.sendall(struct.pack(">I", 5000))
    r = read_reply(s)
    c.eq("oversized frame: ETOOBIG", r and r[:2], [None, -2])
    c.true("oversized frame: message gives the limit", r and "4096" in r[2])
    c.eq("oversized frame: connection closed", read_reply(s), None)
    s.close()
    good_call(srv, "oversized frame")

    # a frame that never completes, then the client goes away
    s = raw(srv)
    s.sendall(struct.pack(">I", 100) + b"\x93")
    s.close()
    good_call(srv, "abandoned half frame")

    # many connections that connect and vanish
    for _ in range(50):
        raw(srv).close()
    good_call(srv, "50 dropped connections")
    c.true("server alive", srv.alive())

# A server that is not there: a connection error, not a hang.
port = free_port()
t0 = time.monotonic()
rc, out, _ = call("tcp", "fib", 1, connect="127.0.0.1:%d" % port, timeout_ms=1000, check=False)
c.eq("no server: exit status", rc, 1)
c.eq("no server: connect error", out["error"]["kind"], "connect")

# A server that accepts but never answers: the call's deadline.
lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen(1)
t0 = time.monotonic()
rc, out, _ = call("tcp", "fib", 1, connect="127.0.0.1:%d" % lst.getsockname()[1],
                  timeout_ms=300, check=False)
c.eq("silent server: deadline exceeded", out["error"]["code"], "ETIMEDOUT")
c.eq("silent server: kind timeout", out["error"]["kind"], "timeout")
lst.close()
# `serve` on a port in use: an error that says it cannot listen, with the
# address, and a non-zero exit at once (no ready line).
rc, out, err, addr = serve_on_busy_port("tcp")
c.true("port in use: exit status non-zero", rc != 0, rc)
c.true("port in use: says it cannot listen on the address", "cannot listen on " + addr in err, err)
c.true("port in use: no ready line", "ready" not in out, out)
c.exit()
