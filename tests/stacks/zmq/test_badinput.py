"""Bad input to `rpcbench serve zmq`: every malformed or hostile request
gets an ERR event (or, over the size limit, the peer is disconnected by
ZeroMQ), and the next good call on the same server succeeds."""
import msgpack

from rbtest import Checks, Server, call, serve_on_busy_port
from zerorpc_proto import Client, pack_event, unpack_event, new_id

checks = Checks()
LIMIT = 4096

P = lambda v: msgpack.packb(v, use_bin_type=True)
H = lambda **kw: dict({"message_id": new_id(), "v": 3}, **kw)

# (what, raw event bytes, expected ERR name, expected response_to or None)
mid = new_id()
cases = [
    ("reserved byte 0xc1", b"\xc1", "ProtocolError", None),
    ("truncated array", b"\x93\x81", "ProtocolError", None),
    ("trailing bytes", P([H(), "fib", [1]]) + b"\x00", "ProtocolError", None),
    ("map32 claiming 2^32-1 entries", b"\xdf\xff\xff\xff\xff", "ProtocolError", None),
    ("array32 claiming 2^32-1 elements", b"\x93\xdd\xff\xff\xff\xff", "ProtocolError", None),
    ("str32 longer than the frame", b"\xdb\x00\x10\x00\x00abc", "ProtocolError", None),
    ("nesting 1000 deep", b"\x91" * 1000 + b"\xc0", "ProtocolError", None),
    ("empty frame", b"", "ProtocolError", None),
    ("event not an array", P(42), "ProtocolError", None),
    ("event a map", P({"message_id": "x", "v": 3}), "ProtocolError", None),
    ("event of 2 elements", P([H(), "fib"]), "ProtocolError", None),
    ("event of 4 elements", P([H(message_id=mid), "fib", [1], 0]), "ProtocolError", None),
    ("header not a map", P(["hdr", "fib", [1]]), "ProtocolError", None),
    ("header without message_id", P([{"v": 3}, "fib", [1]]), "ProtocolError", None),
    ("header with an int key", P([{1: 2, "message_id": mid, "v": 3}, "fib", [1]]), "ProtocolError", None),
    ("header v 2", P([{"message_id": mid, "v": 2}, "fib", [1]]), "ProtocolError", mid),
    ("header without v", P([{"message_id": mid}, "fib", [1]]), "ProtocolError", mid),
    ("name not a string", P([{"message_id": mid, "v": 3}, 7, [1]]), "ProtocolError", mid),
    ("call on a closed channel", P([{"message_id": new_id(), "v": 3, "response_to": mid}, "fib", [1]]),
     "ProtocolError", mid),
    ("unknown method", P([{"message_id": mid, "v": 3}, "nosuch", []]), "NameError", mid),
    ("args not an array", P([{"message_id": mid, "v": 3}, "fib", 5]), "ValueError", mid),
    ("args nil", P([{"message_id": mid, "v": 3}, "getObj", None]), "ValueError", mid),
    ("fib string", P([{"message_id": mid, "v": 3}, "fib", ["30"]]), "ValueError", mid),
    ("fib float", P([{"message_id": mid, "v": 3}, "fib", [3.0]]), "ValueError", mid),
    ("fib two args", P([{"message_id": mid, "v": 3}, "fib", [1, 2]]), "ValueError", mid),
    ("fib -1", P([{"message_id": mid, "v": 3}, "fib", [-1]]), "ValueError", mid),
    ("fib 93", P([{"message_id": mid, "v": 3}, "fib", [93]]), "ValueError", mid),
    ("fib 2^64-1", P([{"message_id": mid, "v": 3}, "fib", [2**64 - 1]]), "ValueError", mid),
    ("sendObj list", P([{"message_id": mid, "v": 3}, "sendObj", [[1, 2]]]), "ValueError", mid),
    ("sendObj str value", P([{"message_id": mid, "v": 3}, "sendObj", [{"a": "b"}]]), "ValueError", mid),
    ("sendObj int key", P([{"message_id": mid, "v": 3}, "sendObj", [{1: 2}]]), "ValueError", mid),
    ("sendObj key with NUL", P([{"message_id": mid, "v": 3}, "sendObj", [{"a\x00b": 1}]]), "ValueError", mid),
    ("sendObj no args", P([{"message_id": mid, "v": 3}, "sendObj", []]), "ValueError", mid),
    ("getObj with an arg", P([{"message_id": mid, "v": 3}, "getObj", [1]]), "ValueError", mid),
]

with Server("zmq", "--max-request", str(LIMIT)) as srv:
    ep = "tcp://" + srv.endpoint
    c = Client(ep, timeout=5.0)
    for what, blob, want_name, want_rt in cases:
        c.send_raw(blob)
        raw = c.recv_raw()
        if raw is None:
            checks.true(what + ": an ERR reply", False, "no reply")
            continue
        header, name, args = unpack_event(raw)
        checks.eq(what + ": event", name, "ERR")
        checks.eq(what + ": error name", args[0] if isinstance(args, list) and args else None, want_name)
        checks.true(what + ": message", isinstance(args, list) and len(args) == 3
                    and isinstance(args[1], str) and args[1], repr(args))
        checks.eq(what + ": v", header.get("v"), 3)
        checks.eq(what + ": response_to", header.get("response_to"), want_rt)
        # The same connection goes on working.
        checks.eq(what + ": next call", c.call("fib", 20), 6765)

    # A message with more frames than zerorpc's envelope is dropped, and
    # the server goes on.
    c.sock.send_multipart([b""] * 12 + [pack_event("fib", [3])])
    checks.eq("12-frame message: no reply", c.recv_raw(timeout=0.3), None)
    checks.eq("after 12 frames: next call", c.call("fib", 21), 10946)

    # Over the request limit: ZeroMQ disconnects that peer, no reply; other
    # clients and new connections keep being served.
    other = Client(ep, timeout=5.0)
    checks.eq("other client before", other.call("fib", 5), 5)
    c.send_raw(pack_event("sendObj", [{"client:%d" % i: i for i in range(1000)}]))
    checks.eq("over the limit: no reply", c.recv_raw(timeout=0.5), None)
    checks.eq("other client after", other.call("fib", 6), 8)
    c.close()
    other.close()

    # Not ZeroMQ at all on the port: an HTTP request, random bytes, a
    # greeting cut short and left hanging. libzmq drops those connections;
    # the server goes on serving.
    import os, socket
    host, port = srv.endpoint.rsplit(":", 1)
    raw_socks = []
    for junk in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(4096), b"\xff\x00\x00\x00"):
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(junk)
        raw_socks.append(s)
    fresh = Client(ep, timeout=5.0)
    checks.eq("after raw TCP junk: fib(22)", fresh.call("fib", 22), 17711)
    fresh.close()
    for s in raw_socks:
        s.close()

    # Our own client over the limit: a deadline error (not a hang), then
    # the next call works.
    rc, out, _ = call("zmq", "sendObj", 1000, connect=srv.endpoint, timeout_ms=500, check=False)
    checks.eq("C client over the limit: code", out and out.get("error", {}).get("code"), "ETIMEDOUT")
    rc, out, _ = call("zmq", "fib", 30, connect=srv.endpoint)
    checks.eq("C client after: fib(30)", out.get("result"), 832040)
    rc, out, _ = call("zmq", "sendObj", 100, connect=srv.endpoint)
    checks.eq("C client under the limit: sendObj(100)", out.get("result"), 100)

    checks.true("server alive", srv.alive())
    checks.eq("server exit status", srv.stop(), 0)

# `serve` on a port in use: an error that says it cannot listen, with the
# address, and a non-zero exit at once (no ready line).
rc, out, err, addr = serve_on_busy_port("zmq")
checks.true("port in use: exit status non-zero", rc != 0, rc)
checks.true("port in use: says it cannot listen on the address", "cannot listen on " + addr in err, err)
checks.true("port in use: no ready line", "ready" not in out, out)
checks.exit()
