"""Hostile input against `rpcbench serve xmlrpc` (encodings, memory,
connections).

1. Encodings: every document in another encoding than UTF-8/US-ASCII (a
   UTF-16/32 byte-order mark, an encoding declaration in any spelling, a NUL,
   bytes that are not UTF-8) gets a fault before xmlrpc-c parses it; the
   <i8> crash and the entity bomb dressed in UTF-16 among them; UTF-8 and
   US-ASCII declarations still work. Struct members over the limit: a fault.
2. Memory: four requests at once just under 16 MiB made of tiny elements
   are refused without ballooning; four at once of the largest accepted
   element count cost at most about two of them (the decoding budget), and
   the memory is given back afterwards.
4. Connections: with 1,000 idle connections held, and then 1,000 slowloris
   connections dribbling a request header, a new client's call with a 5 s
   deadline is answered.
After each case the same server answers a good call.
"""
import http.client
import sys
import threading
import time
import xmlrpc.client

from rbhostile import hold, proc_status, raise_nofile
from rbtest import Checks, Server, call

c = Checks()
GOOD = (b"<?xml version='1.0'?><methodCall><methodName>fib</methodName><params><param>"
        b"<value><int>30</int></value></param></params></methodCall>")


def req(method, params="", decl="<?xml version='1.0'?>"):
    return ("%s<methodCall><methodName>%s</methodName><params>%s</params></methodCall>"
            % (decl, method, params))


def p(value):
    return "<param><value>%s</value></param>" % value


def post(ep, body, timeout=60):
    host, port = ep.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def fault_of(body):
    try:
        xmlrpc.client.loads(body)
    except xmlrpc.client.Fault as f:
        return f.faultCode
    except Exception:
        return None
    return None


def good_call(srv, what):
    try:
        st, data = post(srv.endpoint, GOOD, timeout=10)
        c.eq(what + ": good call after it", (st, b"<i8>832040</i8>" in data), (200, True))
    except OSError as e:
        c.true(what + ": good call after it", False, repr(e))
    c.true(what + ": server alive", srv.alive())


BOMB = ("<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE m [<!ENTITY a 'aaaaaaaaaa'>"
        + "".join("<!ENTITY %s '%s'>" % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10) for i in range(8))
        + "]><methodCall><methodName>fib</methodName><params><param><value><string>&i;"
        "</string></value></param></params></methodCall>")
I8 = req("fib", p("<i8>abc</i8>"), decl="<?xml version='1.0' encoding='UTF-16'?>")
# name -> (body bytes, fault code)
ENCODING_CASES = [
    ("UTF-16LE with BOM, invalid <i8> (crashed xmlrpc-c)", I8.encode("utf-16"), -32701),
    ("UTF-16BE with BOM", b"\xfe\xff" + I8.encode("utf-16-be"), -32701),
    ("UTF-16LE without BOM (NUL bytes)", I8.encode("utf-16-le"), -503),
    ("UTF-32 with BOM", I8.encode("utf-32"), -32701),
    ("UTF-16 entity bomb", BOMB.encode("utf-16"), -32701),
    ("encoding='UTF-16' declared, ASCII bytes",
     req("fib", p("<i8>abc</i8>"), decl="<?xml version='1.0' encoding='UTF-16'?>").encode(), -32701),
    ("encoding = \"ISO-8859-1\" with spaces",
     req("fib", p("<int>30</int>"), decl='<?xml version="1.0" encoding = "ISO-8859-1" ?>').encode(),
     -32701),
    ("ENCODING='utf-7' upper-case name",
     req("fib", p("<int>30</int>"), decl="<?xml version='1.0' ENCODING='utf-7'?>").encode(), -32701),
    ("encoding without quotes",
     req("fib", p("<int>30</int>"), decl="<?xml version='1.0' encoding=UTF-16?>").encode(), -32701),
    ("Latin-1 byte under a Latin-1 declaration",
     req("fib", p("<string>\xe9</string>"),
         decl="<?xml version='1.0' encoding='ISO-8859-1'?>").encode("latin-1"), -503),
    ("NUL byte inside", req("fib", p("<int>30</int>")).encode().replace(b"30", b"3\x000"), -503),
    ("overlong UTF-8", req("fib", p("<string>\xc0\xbc</string>")).encode("latin-1"), -503),
    ("UTF-8 surrogate", req("fib", p("<string>x</string>")).encode().replace(b"x", b"\xed\xa0\x80"),
     -503),
    # xmlrpc-c's parser refuses a UTF-8 byte-order mark itself
    ("UTF-8 BOM", ("\ufeff" + req("fib", p("<int>30</int>"))).encode(), -503),
    ("struct of 40,000 members (quadratic in xmlrpc-c)",
     req("sendObj", p("<struct>%s</struct>" % "".join(
         "<member><name>k%d</name><value><int>1</int></value></member>" % i
         for i in range(40000)))).encode(), -509),
]
# bodies that must still work: name -> body
ACCEPTED = [
    ("UTF-8 declared", req("fib", p("<int>30</int>"), decl="<?xml version='1.0' encoding='UTF-8'?>")),
    ("utf-8 declared, double quotes",
     req("fib", p("<int>30</int>"), decl='<?xml version="1.0" encoding="utf-8"?>')),
    ("US-ASCII declared", req("fib", p("<int>30</int>"), decl="<?xml version='1.0' encoding='US-ASCII'?>")),
]


def check_encodings(srv):
    for name, body, want in ENCODING_CASES:
        try:
            st, data = post(srv.endpoint, body)
            c.eq(name + ": HTTP status", st, 200)
            c.eq(name + ": fault code", fault_of(data), want)
        except OSError as e:
            c.true(name + ": answered", False, repr(e))
        good_call(srv, name)
    for name, body in ACCEPTED:
        try:
            st, data = post(srv.endpoint, body.encode("utf-8"))
            c.eq(name + ": answered F(30)", (st, b"<i8>832040</i8>" in data), (200, True))
        except OSError as e:
            c.true(name + ": answered", False, repr(e))
    rc, out, _ = call("xmlrpc", "fib", 30, connect=srv.endpoint, check=False)
    c.eq("rpcbench call after all of it", (out or {}).get("result"), 832040)


def values_body(n):
    return req("sendObj", p("<array><data>%s</data></array>" % ("<value/>" * n))).encode()


def at_once(ep, body, n):
    """n POSTs of body at once; returns their fault codes."""
    codes = [None] * n

    def one(i):
        try:
            codes[i] = fault_of(post(ep, body, timeout=120)[1])
        except OSError as e:
            codes[i] = repr(e)
    th = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    return codes


def check_memory():
    # just under 16 MiB of empty values: 2,000,000 elements, refused
    big = values_body(2000000)
    with Server("xmlrpc") as srv:
        base = proc_status(srv.proc.pid, "VmRSS")
        codes = at_once(srv.endpoint, big, 4)
        c.eq("4 x 16 MiB of <value/>: faults", codes, [-509] * 4)
        grown = proc_status(srv.proc.pid, "VmHWM") - base
        print("4 x 16 MiB of <value/>: peak growth %d KiB" % grown)
        # the bodies themselves are 4 x 16 MiB; decoding them took 3.5 GiB
        c.true("4 x 16 MiB of <value/>: peak growth under 3x the bytes received",
               grown < 3 * 4 * len(big) // 1024, "%d KiB" % grown)
        good_call(srv, "4 x 16 MiB of <value/>")
    # the largest element count the screen lets through, decoded
    body = values_body(131000)
    with Server("xmlrpc") as srv:
        pid = srv.proc.pid
        base = proc_status(pid, "VmRSS")
        c.eq("one maximal request: fault", at_once(srv.endpoint, body, 1), [-32602])
        one = proc_status(pid, "VmHWM") - base
        c.eq("4 maximal requests at once: faults", at_once(srv.endpoint, body, 4), [-32602] * 4)
        four = proc_status(pid, "VmHWM") - base
        after = proc_status(pid, "VmRSS") - base
        print("maximal requests: one %d KiB, four at once %d KiB, held after %d KiB"
              % (one, four, after))
        c.true("4 maximal requests at once: peak growth <= 2.5x one request's",
               four <= 2.5 * one, "one %d KiB, four %d KiB" % (one, four))
        c.true("memory given back: RSS growth after < half a request's peak",
               after < one / 2, "one %d KiB, after %d KiB" % (one, after))
        good_call(srv, "4 maximal requests")


def slowloris(socks, stop):
    """Each connection sends a request line, then one header byte per 0.5 s."""
    sent = [False] * len(socks)
    while not stop.is_set():
        for i, s in enumerate(socks):
            try:
                if not sent[i]:
                    s.send(b"POST /RPC2 HTTP/1.1\r\nX-Slow: ")
                    sent[i] = True
                else:
                    s.send(b"x")
            except OSError:
                pass
        stop.wait(0.5)


def check_connections():
    raise_nofile()
    with Server("xmlrpc") as srv:
        idle = hold(srv.endpoint, 1000)
        rc, out, err = call("xmlrpc", "fib", 30, connect=srv.endpoint, timeout_ms=5000, check=False)
        c.eq("1,000 idle connections held: a new client's call", (out or {}).get("result"), 832040)
        for s in idle:
            s.close()
        stop = threading.Event()
        slow = hold(srv.endpoint, 1000)
        th = threading.Thread(target=slowloris, args=(slow, stop), daemon=True)
        th.start()
        time.sleep(3)
        rc, out, err = call("xmlrpc", "fib", 30, connect=srv.endpoint, timeout_ms=5000, check=False)
        c.eq("1,000 slowloris connections: a new client's call", (out or {}).get("result"), 832040)
        stop.set()
        th.join()
        for s in slow:
            s.close()
        good_call(srv, "connections")
        c.eq("server exit status", srv.stop(), 0)


# usage: test_hostile.py [encodings] [memory] [connections] (default: all)
parts = sys.argv[1:] or ["encodings", "memory", "connections"]
if "encodings" in parts:
    with Server("xmlrpc") as srv:
        check_encodings(srv)
        c.eq("server exit status", srv.stop(), 0)
if "memory" in parts:
    check_memory()
if "connections" in parts:
    check_connections()
c.exit()
