"""Interop with stock HTTP code we did not write (Debian's python3):
1. Python's http.client calls `rpcbench serve rest`: every method and every
   error status, several calls on one keep-alive connection;
2. our client (`rpcbench call rest ... --connect`, then `rpcbench run`)
   calls a small http.server implementation of the same endpoints written
   here, including its error statuses and a reply that is not JSON."""
import http.client
import http.server
import json
import os
import subprocess
import tempfile
import threading

from rbtest import RPCBENCH, Checks, Server, call

c = Checks()


def post(conn, path, body, method="POST"):
    conn.request(method, path, body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    try:
        data = json.loads(data)
    except ValueError:
        pass
    return r.status, r.getheader("Content-Type"), data


# ---- 1. http.client -> our server --------------------------------------
with Server("rest", "--max-request", "4096") as srv:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    c.eq("fib", post(conn, "/fib", '{"n": 30}'), (200, "application/json", {"result": 832040}))
    sock = conn.sock
    c.eq("getObj (empty body)", post(conn, "/getObj", ""),
         (200, "application/json", {"result": {"server:%d" % i: i for i in range(100)}}))
    c.eq("getObj ({})", post(conn, "/getObj", "{}")[2]["result"]["server:99"], 99)
    obj = {"a": 1, "b": -2, "\u00e9\u4e2d": 9007199254740993}
    c.eq("sendObj", post(conn, "/sendObj", json.dumps(obj)), (200, "application/json", {"result": 3}))
    c.eq("sendObj {}", post(conn, "/sendObj", "{}")[:3], (200, "application/json", {"result": 0}))
    c.true("one keep-alive connection for all calls", conn.sock is sock and sock is not None)
    for what, path, body, method, status, code in (
            ("fib 93", "/fib", '{"n": 93}', "POST", 400, "EINVAL"),
            ("fib not JSON", "/fib", "thirty", "POST", 400, "EINVAL"),
            ("unknown path", "/sum", "{}", "POST", 404, "ENOMETHOD"),
            ("GET", "/fib", None, "GET", 405, "EPROTO")):
        st, ct, data = post(conn, path, body, method)
        c.eq(what + ": status", st, status)
        c.eq(what + ": content type", ct, "application/json")
        c.eq(what + ": error code", data["error"]["code"] if isinstance(data, dict) else data, code)
    c.eq("fib after the errors, same connection", post(conn, "/fib", '{"n":1}')[2], {"result": 1})
    c.true("the errors kept the connection", conn.sock is sock)
    st, ct, data = post(conn, "/sendObj", json.dumps({"k%d" % i: i for i in range(1000)}))
    c.eq("413 over --max-request", (st, data["error"]["code"]), (413, "ETOOBIG"))
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    c.eq("fib after the 413", post(conn, "/fib", '{"n":92}')[2], {"result": 7540113804746346429})
    conn.close()


# ---- 2. our client -> a Python http.server -----------------------------
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive
    connections = set()

    def log_message(self, *a):
        pass

    def send(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.send(status, {"error": {"code": code, "message": message}})

    def do_POST(self):
        Handler.connections.add(self.client_address)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        try:
            req = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return self.error(400, "EINVAL", "body is not JSON")
        if self.path == "/fib":
            v = req.get("n")
            if v == 77:
                return self.error(500, "ESERVER", "python server: 77 is unlucky")
            if v == 66:
                body = b"<html>not json</html>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return self.wfile.write(body)
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 92:
                return self.error(400, "EINVAL", "python server: n must be 0..92")
            a, b = 0, 1
            for _ in range(v):
                a, b = b, a + b
            return self.send(200, {"result": a})
        if self.path == "/getObj":
            return self.send(200, {"result": {"server:%d" % i: i for i in range(100)}})
        if self.path == "/sendObj":
            if not isinstance(req, dict) or not all(isinstance(x, int) for x in req.values()):
                return self.error(400, "EINVAL", "want string -> int")
            if len(req) > 5000:
                return self.error(413, "ETOOBIG", "python server: too many entries")
            return self.send(200, {"result": len(req)})
        return self.error(404, "ENOMETHOD", "python server: no such method")


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
ep = "127.0.0.1:%d" % httpd.server_address[1]

rc, out, _ = call("rest", "fib", 30, connect=ep)
c.eq("our client -> python: fib(30)", out["result"], 832040)
c.eq("our client -> python: fib body bytes", out["body_bytes"]["request"], 8)
rc, out, _ = call("rest", "getObj", connect=ep)
c.eq("our client -> python: getObj", out["result"], {"server:%d" % i: i for i in range(100)})
rc, out, _ = call("rest", "sendObj", connect=ep)
c.eq("our client -> python: sendObj", out["result"], 100)
for n, code, says in ((93, "EINVAL", "n must be 0..92"), (77, "ESERVER", "77 is unlucky"),
                      (66, "EPROTO", None)):
    rc, out, _ = call("rest", "fib", n, connect=ep, check=False)
    err = (out or {}).get("error", {})
    c.eq("our client -> python: fib(%d) error" % n, (rc, err.get("code")), (1, code))
    if says:
        c.true("our client -> python: fib(%d) message from the server" % n,
               says in err.get("message", ""), err)

# The harness against the Python server: every reply verified, keep-alive.
Handler.connections.clear()
with tempfile.TemporaryDirectory() as d:
    p = subprocess.run([RPCBENCH, "run", "--transports", "rest", "--connect", "rest=" + ep,
                        "--methods", "fib,getObj,sendObj", "--calls", "100", "--warmup", "5",
                        "--out", d], capture_output=True, text=True, timeout=300)
    c.eq("run against python: exit status", p.returncode, 0)
    with open(os.path.join(d, "results.json")) as f:
        sc = json.load(f)["scenarios"]
    for x in sc:
        c.eq("run against python: %s failures" % x["method"], sum(x["failures"].values()), 0)
        c.eq("run against python: %s calls" % x["method"], x["calls"], 100)
c.true("run against python: a few keep-alive connections for 315 calls",
       0 < len(Handler.connections) <= 6, len(Handler.connections))
httpd.shutdown()
c.exit()
