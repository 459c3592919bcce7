"""Interop with stock XML-RPC code we did not write (Python's standard library):

1. xmlrpc.client.ServerProxy calls `rpcbench serve xmlrpc`: fib, getObj,
   sendObj, system.listMethods / methodHelp, faults for bad calls, many calls
   over one proxy.
2. Our clients (`rpcbench call xmlrpc` and `xmlrpc-close`, and `rpcbench run
   --connect`) call xmlrpc.server.SimpleXMLRPCServer exposing the same three
   methods.
"""
import json
import os
import subprocess
import tempfile
import threading
import xmlrpc.client
import xmlrpc.server

from rbtest import RPCBENCH, Checks, Server, call

c = Checks()
F92 = 7540113804746346429

# ---- 1. ServerProxy -> rpcbench serve xmlrpc --------------------------------
with Server("xmlrpc") as srv:
    proxy = xmlrpc.client.ServerProxy("http://%s/RPC2" % srv.endpoint)
    c.eq("fib(30)", proxy.fib(30), 832040)
    c.eq("fib(92) as <i8>", proxy.fib(92), F92)
    c.eq("fib(0)", proxy.fib(0), 0)
    obj = proxy.getObj()
    c.eq("getObj()", obj, {"server:%d" % i: i for i in range(100)})
    data = {"client:%d" % i: i for i in range(250)}
    c.eq("sendObj(data)", proxy.sendObj(data), 250)
    c.eq("sendObj({})", proxy.sendObj({}), 0)
    c.eq("sendObj(unicode names)", proxy.sendObj({"é": 1, "日本": 2}), 2)
    methods = proxy.system.listMethods()
    for m in ("fib", "getObj", "sendObj", "system.listMethods"):
        c.true("listMethods has " + m, m in methods, methods)
    c.true("methodHelp(fib)", "Fibonacci" in proxy.system.methodHelp("fib"))
    for what, fn, code in (
            ("fib(93)", lambda: proxy.fib(93), -32602),
            ("fib(-1)", lambda: proxy.fib(-1), -32602),
            ("fib('x')", lambda: proxy.fib("x"), -32602),
            ("fib()", lambda: proxy.fib(), -32602),
            ("fib(1.5)", lambda: proxy.fib(1.5), -32602),
            ("sendObj([1])", lambda: proxy.sendObj([1]), -32602),
            ("sendObj({'a': 'b'})", lambda: proxy.sendObj({"a": "b"}), -32602),
            ("noSuchMethod()", lambda: proxy.noSuchMethod(), -506)):
        try:
            fn()
            c.true(what + " raises a Fault", False)
        except xmlrpc.client.Fault as f:
            c.eq(what + " faultCode", f.faultCode, code)
            c.true(what + " faultString says why", len(f.faultString) > 5, f.faultString)
    # one proxy, many calls (Python keeps the HTTP/1.1 connection alive)
    fibs = [0, 1]
    for _ in range(91):
        fibs.append(fibs[-1] + fibs[-2])
    c.eq("200 calls over one proxy", [proxy.fib(n % 93) for n in range(200)],
         [fibs[n % 93] for n in range(200)])
    # a MultiCall (system.multicall) is xmlrpc-c's too
    mc = xmlrpc.client.MultiCall(proxy)
    mc.fib(10)
    mc.getObj()
    r = list(mc())
    c.eq("multicall fib(10)", r[0], 55)
    c.eq("multicall getObj entries", len(r[1]), 100)
    c.true("server alive", srv.alive())


# ---- 2. our client -> SimpleXMLRPCServer ------------------------------------
class I8Marshaller(xmlrpc.client.Marshaller):
    """Python's marshaller refuses ints outside 32 bits; XML-RPC's common
    <i8> extension (which Python's own unmarshaller reads) carries them."""
    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_long(self, value, write):
        if -2**31 <= value < 2**31:
            write("<value><int>%d</int></value>\n" % value)
        else:
            write("<value><i8>%d</i8></value>\n" % value)
    dispatch[int] = dump_long


xmlrpc.client.Marshaller = I8Marshaller

ENTRIES = 9


def fib(n):
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 92:
        raise xmlrpc.client.Fault(-32602, "fib(n): n must be an integer 0..92")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def getObj():
    return {"server:%d" % i: i for i in range(ENTRIES)}


def sendObj(obj):
    if not isinstance(obj, dict) or not all(isinstance(v, int) for v in obj.values()):
        raise xmlrpc.client.Fault(-32602, "sendObj(obj): a struct of name -> integer")
    return len(obj)


class Quiet(xmlrpc.server.SimpleXMLRPCRequestHandler):
    def log_message(self, *a):
        pass


py = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=Quiet,
                                      logRequests=False, allow_none=False)
py.register_function(fib, "fib")
py.register_function(getObj, "getObj")
py.register_function(sendObj, "sendObj")
th = threading.Thread(target=py.serve_forever, daemon=True)
th.start()
ep = "127.0.0.1:%d" % py.server_address[1]
try:
    for t in ("xmlrpc", "xmlrpc-close"):
        rc, out, _ = call(t, "fib", 30, connect=ep)
        c.eq(t + " -> Python fib(30)", out["result"], 832040)
        rc, out, _ = call(t, "fib", 92, connect=ep)
        c.eq(t + " -> Python fib(92) (<i8>)", out["result"], F92)
        rc, out, _ = call(t, "getObj", connect=ep)
        c.eq(t + " -> Python getObj", out["result"], getObj())
        rc, out, _ = call(t, "sendObj", connect=ep)
        c.eq(t + " -> Python sendObj(100 entries)", out["result"], 100)
        c.true(t + " -> Python body bytes counted",
               out["body_bytes"]["request"] > 100 * 20 and out["body_bytes"]["reply"] > 50,
               out["body_bytes"])
        rc, out, _ = call(t, "fib", 93, connect=ep, check=False)
        c.eq(t + " -> Python fib(93) exit", rc, 1)
        c.eq(t + " -> Python fib(93) error", (out or {}).get("error", {}).get("code"), "EINVAL")

    # The harness against the stock server: every reply verified.
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([RPCBENCH, "run", "--transports", "xmlrpc", "--connect", "xmlrpc=" + ep,
                            "--calls", "200", "--warmup", "10", "--concurrency", "1",
                            "--entries", str(ENTRIES), "--out", out],
                           capture_output=True, text=True, timeout=300)
        c.eq("run against SimpleXMLRPCServer exit", p.returncode, 0)
        if p.returncode == 0:
            with open(os.path.join(out, "results.json")) as f:
                sc = json.load(f)["scenarios"]
            c.eq("run scenarios", len(sc), 3)
            for s in sc:
                c.eq("Python server %s failures" % s["method"], sum(s["failures"].values()), 0)
                c.true("Python server %s calls" % s["method"], s["calls"] >= 200, s["calls"])
        else:
            print(p.stdout, p.stderr)
finally:
    py.shutdown()
    py.server_close()

c.exit()
