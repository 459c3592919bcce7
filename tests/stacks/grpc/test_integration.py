"""grpc transport end to end: `rpcbench serve grpc` in its own process,
called with `rpcbench call grpc`: every method with verified replies and body
bytes, the error statuses, hostile bytes on the socket, the size limit, a
missing server, a port in use, and a clean shutdown."""
import socket
import struct

from rbtest import Checks, Server, call, free_port

checks = Checks()


def err_code(out):
    return out.get("error", {}).get("code") if isinstance(out, dict) else None


def obj_size(d):
    """Encoded size of rpcbench.Obj{entries: d}, computed by hand (proto3)."""
    def varint_len(v):
        v &= (1 << 64) - 1
        n = 1
        while v >= 0x80:
            v >>= 7
            n += 1
        return n
    total = 0
    for k, v in d.items():
        kb = k.encode()
        entry = 1 + varint_len(len(kb)) + len(kb) if kb else 0
        entry += 1 + varint_len(v) if v else 0
        total += 1 + varint_len(entry) + entry
    return total


with Server("grpc", "--entries", "7", "--threads", "2") as srv:
    ep = srv.endpoint
    checks.true("ready line has a real port", srv.port > 0, ep)

    for n, want in [(0, 0), (1, 1), (30, 832040), (92, 7540113804746346429)]:
        rc, out, _ = call("grpc", "fib", n, connect=ep)
        checks.eq("fib(%d)" % n, out.get("result"), want)
    rc, out, _ = call("grpc", "fib", 30, connect=ep)
    checks.eq("fib(30) request body bytes", out["body_bytes"]["request"], 2)
    checks.eq("fib(30) reply body bytes", out["body_bytes"]["reply"], 4)

    want_obj = {"server:%d" % i: i for i in range(7)}
    rc, out, _ = call("grpc", "getObj", connect=ep)
    checks.eq("getObj reply", out.get("result"), want_obj)
    checks.eq("getObj request body bytes", out["body_bytes"]["request"], 0)
    checks.eq("getObj reply body bytes", out["body_bytes"]["reply"], obj_size(want_obj))

    rc, out, _ = call("grpc", "sendObj", 3, connect=ep)
    checks.eq("sendObj(3 entries) ack", out.get("result"), 3)
    checks.eq("sendObj(3) request body bytes", out["body_bytes"]["request"],
              obj_size({"client:%d" % i: i for i in range(3)}))
    rc, out, _ = call("grpc", "sendObj", '{"a": 1, "b": -5, "c": 9223372036854775807}', connect=ep)
    checks.eq("sendObj(JSON object) ack", out.get("result"), 3)

    for n in (93, -1, 2147483647):
        rc, out, _ = call("grpc", "fib", n, connect=ep, check=False)
        checks.eq("fib(%d) exit status" % n, rc, 1)
        checks.eq("fib(%d) error" % n, err_code(out), "EINVAL")
        checks.true("fib(%d) says INVALID_ARGUMENT" % n,
                    "INVALID_ARGUMENT" in out["error"]["message"], out["error"]["message"])

    # Hostile bytes: HTTP/1.1 instead of HTTP/2, a valid preface followed by
    # a HEADERS frame of HPACK garbage, a frame claiming 16 MiB, and a
    # connection cut mid-frame. Each may close its connection; none may hurt
    # the server.
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    settings = struct.pack(">I", 0)[1:] + b"\x04\x00" + struct.pack(">I", 0)
    junk_headers = struct.pack(">I", 16)[1:] + b"\x01\x05" + struct.pack(">I", 1) + b"\xff" * 16
    huge = struct.pack(">I", 0xffffff)[1:] + b"\x00\x00" + struct.pack(">I", 1) + b"x" * 100
    host, port = ep.rsplit(":", 1)
    for name, data in [("HTTP/1.1 request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                       ("HPACK garbage", preface + settings + junk_headers),
                       ("oversized DATA frame", preface + settings + huge),
                       ("cut preface", preface[:10])]:
        s = socket.create_connection((host, int(port)), timeout=5)
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(5)
            try:
                while s.recv(4096):
                    pass
                closed = True
            except socket.timeout:
                closed = False
        finally:
            s.close()
        checks.true("server closes the connection after %s" % name, closed)
        rc, out, _ = call("grpc", "fib", 20, connect=ep)
        checks.eq("fib(20) after %s" % name, out.get("result"), 6765)
    checks.true("server alive after hostile input", srv.alive())

    # A second server on the same port must fail, not share it (SO_REUSEPORT).
    try:
        with Server("grpc", listen=ep, ready_timeout=10) as dup:
            checks.true("second server on a port in use fails", False, dup.endpoint)
    except RuntimeError:
        checks.true("second server on a port in use fails", True)

    # Clean shutdown while a client connection is open.
    idle = socket.create_connection((host, int(port)), timeout=5)
    idle.sendall(preface + settings)
    checks.eq("server exit status on SIGTERM", srv.stop(), 0)
    idle.close()

# The request size limit: over it RESOURCE_EXHAUSTED (ETOOBIG), then service goes on.
with Server("grpc", "--max-request", "1024") as srv:
    rc, out, _ = call("grpc", "sendObj", 200, connect=srv.endpoint, check=False)
    checks.eq("sendObj over --max-request: error", err_code(out), "ETOOBIG")
    checks.true("says RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED" in (out or {}).get("error", {}).get("message", ""))
    rc, out, _ = call("grpc", "sendObj", 20, connect=srv.endpoint)
    checks.eq("sendObj under the limit after it", out.get("result"), 20)

# No server: a connect error (ECONNECT), not a hang until the deadline
# (which would be ETIMEDOUT).
dead = "127.0.0.1:%d" % free_port()
rc, out, _ = call("grpc", "fib", 5, connect=dead, timeout_ms=3000, check=False)
checks.eq("no server: exit status", rc, 1)
checks.eq("no server: error", err_code(out), "ECONNECT")
checks.eq("no server: failure kind", (out or {}).get("error", {}).get("kind"), "connect")

checks.exit()
