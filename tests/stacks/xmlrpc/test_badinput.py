"""Bad input against `rpcbench serve xmlrpc --max-request 65536`: every case
gets a fault (or an HTTP error), and a good call right after it succeeds on
the same server. Sent as raw HTTP (http.client) so nothing cleans it up.
Then the client side: a server that is not there, and one that accepts but
never answers, each a clear error of the right kind."""
import http.client
import socket
import threading
import xmlrpc.client

from rbtest import Checks, Server, call, free_port

c = Checks()
LIMIT = 65536


def req(method, params=""):
    return ("<?xml version='1.0'?><methodCall><methodName>%s</methodName><params>%s</params>"
            "</methodCall>" % (method, params)).encode()


def p(value):
    return "<param><value>%s</value></param>" % value


def fault_of(body):
    """(faultCode, faultString) of a fault answer, or None."""
    try:
        xmlrpc.client.loads(body)
    except xmlrpc.client.Fault as f:
        return f.faultCode, f.faultString
    except Exception:
        return None
    return None


GOOD = req("fib", p("<int>30</int>"))

# name -> (body, expected fault code or HTTP status)
CASES = [
    ("unknown method", req("noSuchMethod"), -506),
    ("wrong type: fib('x')", req("fib", p("<string>x</string>")), -32602),
    ("wrong type: fib(1.5)", req("fib", p("<double>1.5</double>")), -32602),
    ("wrong arity: fib()", req("fib"), -32602),
    ("fib out of range: 93", req("fib", p("<int>93</int>")), -32602),
    ("fib out of range: -1", req("fib", p("<i8>-1</i8>")), -32602),
    ("sendObj of a non-struct", req("sendObj", p("<array><data></data></array>")), -32602),
    ("sendObj with a string value",
     req("sendObj", p("<struct><member><name>a</name><value><string>b</string></value>"
                      "</member></struct>")), -32602),
    ("malformed XML: unclosed", req("fib", p("<int>30</int>"))[:-20], -503),
    ("malformed XML: garbage", b"\x00\x01 not xml <<<", -503),
    ("not a methodCall", b"<?xml version='1.0'?><methodResponse/>", -503),
    ("int overflow", req("fib", p("<int>99999999999</int>")), -503),
    # xmlrpc-c 1.33 crashes on these: the screen answers them
    ("invalid <i8>: letters", req("fib", p("<i8>abc</i8>")), -32602),
    ("invalid <i8>: overflow", req("fib", p("<i8>9223372036854775808</i8>")), -32602),
    ("invalid <i8>: spaces", req("fib", p("<i8>1 2</i8>")), -32602),
    ("invalid <i8>: char reference", req("fib", p("<i8>&#57;9999999999999999999</i8>")), -32602),
    ("deep value nesting (40 arrays)",
     req("fib", p("<array><data><value>" * 40 + "<int>1</int>" + "</value></data></array>" * 40)),
     -503),
    ("deep XML nesting (20000 elements)",
     req("fib", p("<a>" * 20000 + "</a>" * 20000)), -509),
    ("DOCTYPE with entities (billion laughs)",
     b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'>"
     b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
     b"<methodCall><methodName>fib</methodName></methodCall>", -32602),
    ("invalid UTF-8 in a string", req("fib", p("<string>x</string>")).replace(b"x<", b"\xc3\x28<"), -503),
    ("invalid UTF-8 in a name",
     req("sendObj", p("<struct><member><name>NAME</name><value><int>1</int></value>"
                      "</member></struct>")).replace(b"NAME", b"a\xff\xfeb"), -503),
    ("body over the limit", req("sendObj", p("<string>" + "x" * (LIMIT + 10) + "</string>")), -509),
    ("body far over the limit (1 MiB)", req("sendObj", p("<string>" + "x" * (1 << 20) + "</string>")), -509),
]


def post(conn, body, path="/RPC2", method="POST"):
    conn.request(method, path, body, {"Content-Type": "text/xml"})
    r = conn.getresponse()
    return r.status, r.read()


with Server("xmlrpc", "--max-request", str(LIMIT)) as srv:
    host, port = srv.endpoint.rsplit(":", 1)
    for name, body, want in CASES:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            status, data = post(conn, body)
            c.eq(name + ": HTTP status", status, 200)
            f = fault_of(data)
            c.eq(name + ": fault code", f and f[0], want)
            # the same connection carries on
            status, data = post(conn, GOOD)
            c.eq(name + ": next call on the same connection", (status, b"<i8>832040</i8>" in data),
                 (200, True))
        except (OSError, http.client.HTTPException) as e:
            c.true(name + ": answered", False, repr(e))
        finally:
            conn.close()
        c.true(name + ": server alive", srv.alive())

    # HTTP-level junk: other paths and methods, then raw bytes that are not HTTP
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    c.eq("POST /other", post(conn, GOOD, path="/other")[0], 404)
    c.eq("GET /RPC2", post(conn, None, method="GET")[0] in (404, 405), True)
    conn.close()
    # A refused request's body is read before the answer: closing with it
    # unread makes the kernel reset the connection, losing the answer (a
    # server answering unread lost most of these). 20 tries, each must answer.
    for method, path, want in (("POST", "/other", 404), ("PUT", "/RPC2", 405)):
        got = []
        for _ in range(20):
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                got.append(post(conn, b"x" * (LIMIT - 5000), path=path, method=method)[0])
            except (OSError, http.client.HTTPException) as e:
                got.append(repr(e))
            finally:
                conn.close()
        c.eq("%s %s with a %d-byte body: every answer arrives" % (method, path, LIMIT - 5000),
             got, [want] * 20)
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
    try:
        junk = s.recv(4096)
    except OSError:
        junk = b""
    s.close()
    c.true("non-HTTP bytes: an HTTP error or a close", junk == b"" or junk.startswith(b"HTTP/1.1 4"), junk[:40])

    # Our own client: the server's faults as error codes, then a good call.
    for args, code in (((93,), "EINVAL"), ((-5,), "EINVAL")):
        rc, out, _ = call("xmlrpc", "fib", *args, connect=srv.endpoint, check=False)
        c.eq("rpcbench call fib%r exit" % (args,), rc, 1)
        c.eq("rpcbench call fib%r error" % (args,), (out or {}).get("error", {}).get("code"), code)
    rc, out, _ = call("xmlrpc", "sendObj", "5000", connect=srv.endpoint, check=False)
    c.eq("sendObj over the limit: error", (out or {}).get("error", {}).get("code"), "ETOOBIG")
    rc, out, _ = call("xmlrpc", "fib", 30, connect=srv.endpoint)
    c.eq("good call after all of it", out["result"], 832040)
    c.true("server still alive", srv.alive())
    c.eq("server exit status", srv.stop(), 0)

# A server that is not there: a connect error (kind "connect"), for both clients.
gone = "127.0.0.1:%d" % free_port()
for t in ("xmlrpc", "xmlrpc-close"):
    rc, out, err = call(t, "fib", 30, connect=gone, timeout_ms=2000, check=False)
    c.eq(t + " no server: exit", rc, 1)
    e = (out or {}).get("error", {})
    c.eq(t + " no server: code", e.get("code"), "ECONNECT")
    c.eq(t + " no server: kind", e.get("kind"), "connect")

# A server that accepts and never answers: the deadline ends the call.
hole = socket.socket()
hole.bind(("127.0.0.1", 0))
hole.listen(8)
held, stop = [], threading.Event()


def accept_and_hold():
    hole.settimeout(0.1)
    while not stop.is_set():
        try:
            held.append(hole.accept()[0])
        except OSError:
            pass


th = threading.Thread(target=accept_and_hold, daemon=True)
th.start()
try:
    for t in ("xmlrpc", "xmlrpc-close"):
        rc, out, err = call(t, "fib", 30, connect="127.0.0.1:%d" % hole.getsockname()[1],
                            timeout_ms=300, check=False)
        e = (out or {}).get("error", {})
        c.eq(t + " silent server: code", e.get("code"), "ETIMEDOUT")
        c.true(t + " silent server: message names the deadline", "300 ms" in e.get("message", ""), e)
finally:
    stop.set()
    th.join()
    for s in held:
        s.close()
    hole.close()

c.exit()
