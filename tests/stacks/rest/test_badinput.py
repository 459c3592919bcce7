"""Bad input against `rpcbench serve rest --max-request 262144`, sent as raw
bytes so nothing cleans it up. Every case gets its HTTP error status with a
JSON error body (or, for bytes that are not HTTP, an error or a closed
connection), and a good call right after it, on a NEW connection, is
answered correctly. Then what must not lock out a good client: slowloris
headers, 1,000 idle connections. Then the client side: a server that accepts
and never answers is a timeout within the deadline."""
import http.client
import itertools
import json
import resource
import socket
import string
import time

from rbtest import Checks, Server, call

c = Checks()
LIMIT = 262144


def raw_exchange(port, data, wait=3.0, close_write=False, until=None):
    """Send data on a new connection; return (status or None, headers, body bytes, closed).
    Reads until the first response is complete, or, with until, until the
    bytes received end with it (a second response on the same connection)."""
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(data)
    except OSError:
        pass
    if close_write:
        s.shutdown(socket.SHUT_WR)
    s.settimeout(wait)
    buf = b""
    closed = False
    try:
        while True:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            buf += d
            if until is not None:
                if buf.endswith(until):
                    break
                continue
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                hdrs = head.decode("latin-1").split("\r\n")
                cl = [h for h in hdrs if h.lower().startswith("content-length:")]
                if cl and len(rest) >= int(cl[0].split(":")[1]):
                    break
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/1.1 ") else None
    return status, lines[1:], body, closed


def http_req(path, body, method="POST"):
    return (b"%s %s HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (method.encode(), path.encode(), len(body))) + body


def good_call(port, what):
    """POST /fib {"n":30} on a new connection: 200 {"result":832040}."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/fib", b'{"n":30}', {"Content-Type": "application/json"})
        r = conn.getresponse()
        got = (r.status, json.loads(r.read()))
    except Exception as e:
        got = repr(e)
    conn.close()
    c.eq("good call after " + what, got, (200, {"result": 832040}))


def expect(port, what, data, status, code, says=None):
    """says: a phrase the error message must hold (which check refused it)."""
    st, hdrs, body, _ = raw_exchange(port, data)
    c.eq(what + ": status", st, status)
    try:
        err = json.loads(body)["error"]
    except Exception:
        err = {}
    c.eq(what + ": error code", err.get("code"), code)
    c.true(what + ": error message", err.get("message"), body[:200])
    if says:
        c.true(what + ": message says " + says, says in (err.get("message") or ""), err)
    c.true(what + ": JSON content type",
           "content-type: application/json" in [h.lower() for h in hdrs], hdrs)
    good_call(port, what)


# 30,000 members of 8 bytes ("abc":0,): over the 4096 + len/12 the server allows
members = b"{" + b",".join(b'"%s":0' % "".join(k).encode()
                           for k in itertools.islice(itertools.product(string.ascii_letters, repeat=3), 30000)) + b"}"
CASES = [
    ("invalid JSON", "/fib", b'{"n":', 400, "EINVAL"),
    ("not JSON at all", "/fib", b"n=30", 400, "EINVAL"),
    ("deep nesting: 100000 [", "/fib", b"[" * 100000, 400, "EINVAL", "deeper than 32"),
    ("deep nesting: 33 objects", "/sendObj", b'{"a":' * 33 + b"1" + b"}" * 33, 400, "EINVAL",
     "deeper than 32"),
    ("huge integer", "/fib", b'{"n":99999999999999999999999}', 400, "EINVAL"),
    ("huge real", "/fib", b'{"n":1e99999}', 400, "EINVAL"),
    ("fib -1", "/fib", b'{"n":-1}', 400, "EINVAL"),
    ("fib 93", "/fib", b'{"n":93}', 400, "EINVAL"),
    ('fib "x"', "/fib", b'{"n":"x"}', 400, "EINVAL"),
    ("fib 1.5", "/fib", b'{"n":1.5}', 400, "EINVAL"),
    ("fib without n", "/fib", b"{}", 400, "EINVAL"),
    ("fib with an extra key", "/fib", b'{"n":1,"m":2}', 400, "EINVAL"),
    ("fib as a bare number", "/fib", b"30", 400, "EINVAL"),
    ("fib as an array", "/fib", b"[30]", 400, "EINVAL"),
    ("fib with trailing bytes", "/fib", b'{"n":30} {"n":1}', 400, "EINVAL"),
    ("getObj with arguments", "/getObj", b'{"x":1}', 400, "EINVAL"),
    ("sendObj of an array", "/sendObj", b"[1,2]", 400, "EINVAL"),
    ("sendObj with a string value", "/sendObj", b'{"a":"b"}', 400, "EINVAL"),
    ("sendObj with a real value", "/sendObj", b'{"a":0.5}', 400, "EINVAL"),
    ("sendObj with duplicate keys", "/sendObj", b'{"a":1,"a":2}', 400, "EINVAL"),
    ("sendObj with invalid UTF-8", "/sendObj", b'{"a\xff\xfe":1}', 400, "EINVAL"),
    ("sendObj with NUL in a key", "/sendObj", b'{"a\\u0000b":1}', 400, "EINVAL"),
    ("sendObj with 30000 tiny members", "/sendObj", members, 400, "EINVAL", "object members"),
    ("unknown path", "/nope", b"{}", 404, "ENOMETHOD"),
    ("path with a query", "/fib/x", b'{"n":30}', 404, "ENOMETHOD"),
    ("body over --max-request", "/sendObj", b'{"a":"' + b"x" * (LIMIT + 10) + b'"}', 413, "ETOOBIG",
     "over the limit of %d bytes" % LIMIT),
    ("body far over (1 MiB)", "/sendObj", b'{"a":"' + b"x" * (1 << 20) + b'"}', 413, "ETOOBIG"),
]

old = resource.getrlimit(resource.RLIMIT_NOFILE)
if old[0] < 1200:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, old[1]), old[1]))

with Server("rest", "--max-request", str(LIMIT)) as srv:
    port = srv.port
    good_call(port, "start")
    for what, path, body, status, code, *says in CASES:
        expect(port, what, http_req(path, body), status, code, *says)

    for m in ("GET", "PUT", "DELETE"):
        expect(port, m + " instead of POST", http_req("/fib", b'{"n":30}', m), 405, "EPROTO")
    st, hdrs, _, _ = raw_exchange(port, http_req("/fib", b"", "GET"))
    c.true("405 names POST in Allow", "allow: post" in [h.lower() for h in hdrs], hdrs)

    # A declared length far over the limit is refused before any body byte.
    expect(port, "Content-Length 10^15",
           b"POST /sendObj HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000000000\r\n\r\n",
           413, "ETOOBIG")

    # A chunked body that grows past the limit: 413, and the same keep-alive
    # connection then serves the next request.
    chunk = b"x" * 4096
    chunked = (b"POST /sendObj HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
               b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // 4096 + 2)) +
               b"0\r\n\r\n")
    st, _, body, _ = raw_exchange(port, chunked + http_req("/fib", b'{"n":30}'),
                                  until=b'{"result":832040}')
    c.eq("chunked over the limit: 413", st, 413)
    c.true("chunked over the limit: the next request on that connection is answered",
           body.endswith(b'{"result":832040}'), body[-120:])
    good_call(port, "chunked over the limit")
    # A chunked body within the limit is a normal call.
    st, _, body, _ = raw_exchange(port, b"POST /fib HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked"
                                  b"\r\n\r\n4\r\n{\"n\"\r\n4\r\n:30}\r\n0\r\n\r\n")
    c.eq("chunked within the limit", (st, body), (200, b'{"result":832040}'))

    # Bytes that are not HTTP: an error status or a closed connection, never a hang of others.
    for what, data in (("garbage bytes", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc" + bytes(range(256)) * 8),
                       ("text that is not HTTP", b"hello, this is not HTTP\r\n\r\n"),
                       ("a bad header line", b"POST /fib HTTP/1.1\r\nno colon here\r\n\r\n"),
                       ("headers over 32 KiB", b"POST /fib HTTP/1.1\r\nX: " + b"a" * 40000 + b"\r\n\r\n")):
        st, _, _, closed = raw_exchange(port, data, wait=2.0)
        c.true(what + ": an error status or closed", (st is not None and st >= 400) or closed, (st, closed))
        good_call(port, what)

    # A truncated body: the client gives up half way.
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /fib HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"n\":")
    time.sleep(0.1)
    s.close()
    good_call(port, "a truncated body")

    # Slowloris: 50 connections dribbling header bytes while a good client calls.
    slow = []
    for i in range(50):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /fib HTTP/1.1\r\nHost: t\r\n")
        slow.append(s)
    for rnd in range(3):
        for s in slow:
            s.sendall(b"X-Slow-%d: 1\r\n" % rnd)
        rc, out, err = call("rest", "fib", 30, connect=srv.endpoint, timeout_ms=2000, check=False)
        c.eq("good client during slowloris, round %d" % rnd, (rc, (out or {}).get("result")), (0, 832040))
    for s in slow:
        s.close()

    # 1,000 idle connections held open while a good client is served in its deadline.
    idle = []
    for i in range(1000):
        idle.append(socket.create_connection(("127.0.0.1", port)))
    rc, out, err = call("rest", "getObj", connect=srv.endpoint, timeout_ms=2000, check=False)
    c.eq("good client with 1000 idle connections", (rc, len((out or {}).get("result") or {})), (0, 100))
    good_call(port, "1000 idle connections")
    for s in idle:
        s.close()

    c.true("server alive after all cases", srv.alive())
    with open("/proc/%d/status" % srv.proc.pid) as f:
        rss = [l for l in f if l.startswith("VmHWM")][0]
    print("server peak RSS:", rss.strip())
    rc, out, _ = call("rest", "fib", 30, connect=srv.endpoint)
    c.eq("rpcbench call after all cases", out["result"], 832040)

# Client side: a server that accepts and never answers is a timeout, on time.
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(8)
rc, out, _ = call("rest", "fib", 30, connect="127.0.0.1:%d" % ls.getsockname()[1],
                  timeout_ms=300, check=False)
c.eq("mute server: ETIMEDOUT", (out or {}).get("error", {}).get("code"), "ETIMEDOUT")
took = (out or {}).get("latency_us") or 0
c.true("mute server: the call waited about its deadline", took >= 250000, took)
print("mute server: the call returned after %.1f ms (deadline 300 ms)" % (took / 1000))
ls.close()
c.exit()
