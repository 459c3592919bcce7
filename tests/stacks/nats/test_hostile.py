"""Bad input against the NATS servers (`rpcbench serve nats|nats-js
--max-request 4096`), sent raw over the NATS protocol (natst.Raw):

- garbage bodies in every format get an error reply with Rpcbench-Code and
  the server goes on;
- a body over --max-request is answered ETOOBIG; one over the broker's
  max_payload is refused by the broker (-ERR, the sender's connection
  closed) and never reaches the server;
- a request whose reply subject points elsewhere (the server's own request
  subjects, a wildcard, a JetStream API subject that would delete its
  stream, none at all) is dropped, not answered there: the stream survives
  and nothing arrives on the subject;
- a flood of requests nobody reads the replies of leaves the server alive,
  with its memory bounded and given back;
and after each, a good call through `rpcbench call` is answered."""
import os
import socket

import msgpack

from natst import TRANSPORTS, Msg, Raw, broker, err_code, ncall, queue_name, serve, stream_of
from rbtest import Checks, MemoryWatch

checks = Checks()
LIMIT = 4096
MP = {"Content-Type": "application/msgpack"}
JSON = {"Content-Type": "application/json"}

# (what, method, body, headers, expected Rpcbench-Code)
CASES = [
    ("random bytes as MessagePack", "fib", os.urandom(64) + b"\xc1", MP, "EINVAL"),
    ("truncated MessagePack", "fib", b"\x91", MP, "EINVAL"),
    ("map32 claiming 2^32-1 entries", "sendObj", b"\x91\xdf\xff\xff\xff\xff", MP, "EINVAL"),
    ("array32 claiming 2^32-1 elements", "fib", b"\xdd\xff\xff\xff\xff", MP, "EINVAL"),
    ("fib with two arguments", "fib", msgpack.packb([1, 2]), MP, "EINVAL"),
    ("fib of a string", "fib", msgpack.packb(["30"]), MP, "EINVAL"),
    ("fib 2^64-1", "fib", msgpack.packb([2 ** 64 - 1]), MP, "EINVAL"),
    ("trailing bytes", "fib", msgpack.packb([3]) + b"\x00", MP, "EINVAL"),
    ("sendObj with int keys", "sendObj", msgpack.packb([{1: 2}]), MP, "EINVAL"),
    ("sendObj nested 40 deep", "sendObj", b"\x91" * 40 + b"\x90", MP, "EINVAL"),
    ("getObj with an argument", "getObj", msgpack.packb([1]), MP, "EINVAL"),
    ("not JSON", "fib", b"{", JSON, "EINVAL"),
    ("JSON nested 2000 deep", "sendObj", b"[" * 2000 + b"]" * 2000, JSON, "EINVAL"),
    ("JSON many values", "sendObj", b"[" + b"1," * 2000 + b"1]", JSON, "EINVAL"),
    ("JSON duplicate key", "sendObj", b'{"a":1,"a":2}', JSON, "EINVAL"),
    ("JSON fib 3.0", "fib", b"3.0", JSON, "EINVAL"),
    ("text getObj", "getObj", b"", {"Content-Type": "text/plain"}, "EINVAL"),
    ("odd Content-Type", "fib", b"30", {"Content-Type": "x/\x7f\x01"}, "EINVAL"),
    ("unknown method", "FIB", msgpack.packb([3]), MP, "ENOMETHOD"),
    ("over --max-request", "sendObj",
     msgpack.packb([{"k%d" % i: i for i in range(LIMIT // 4)}]), MP, "ETOOBIG"),
]


def good_call(t, q, what):
    rc, out, err = ncall(t, "fib", 20, queue=q)
    checks.eq("%s after %s: fib(20)" % (t, what), out.get("result") if isinstance(out, dict) else out,
              6765)


def reply_of(raw, t, q, method, body, headers):
    if t == "nats":
        return raw.request("%s.%s" % (q, method), body, headers=headers)
    return raw.js_request(q, method, body, headers=headers)[1]


def garbage(t, q):
    raw = Raw()
    for what, method, body, headers, code in CASES:
        m = reply_of(raw, t, q, method, body, headers)
        checks.eq("%s %s: error code" % (t, what), m and m.headers.get("Rpcbench-Code"), code)
        checks.true("%s %s: error message" % (t, what), m and m.headers.get("Rpcbench-Error"))
    raw.close()
    good_call(t, q, "garbage")


def over_max_payload(t, q):
    raw = Raw()
    big = raw.info["max_payload"] + 1
    checks.true("%s broker max_payload is 64 MiB" % t, big - 1 == 64 << 20, big)
    try:
        raw.pub("%s.sendObj" % q, b"\x00" * big, reply="_INBOX.big")
        got = raw.read(10)
    except (ConnectionError, socket.timeout, BrokenPipeError, ConnectionResetError) as e:
        got = ("closed", str(e))
    checks.true("%s over max_payload: the broker refuses it" % t,
                isinstance(got, tuple) and ("Payload" in got[1] or got[0] == "closed"), got)
    raw.close()
    good_call(t, q, "a body over max_payload")


def reply_elsewhere(t, q, srv):
    raw = Raw()
    targets = ["%s.fib" % q, "%s.sendObj" % q, "foo.*", "foo.>", "a..b", "$JS.API.STREAM.DELETE.%s"
               % stream_of(q), "$SYS.REQ.SERVER.PING", "", "x" * 300]
    sid = raw.sub("foo.>")
    for target in targets:
        body = msgpack.packb([5])
        if t == "nats":
            raw.pub("%s.fib" % q, body, reply=target or None, headers=MP)
        else:
            h = dict(MP)
            if target:
                h["Rpcbench-Reply-To"] = target
            raw.pub("%s.fib" % q, body, headers=h)
    got = raw.ping()
    # the server had time to act on them: one more round trip through it
    good_call(t, q, "replies pointed elsewhere")
    got += raw.ping()
    checks.eq("%s replies pointed elsewhere: nothing published there" % t,
              [m.subject for m in got if isinstance(m, Msg)], [])
    if t == "nats-js":
        info = raw.js_api("STREAM.INFO." + stream_of(q)) or {}
        checks.eq("nats-js stream survives a reply to $JS.API.STREAM.DELETE",
                  info.get("config", {}).get("name"), stream_of(q))
        checks.eq("nats-js dropped requests left the stream (terminated)",
                  info.get("state", {}).get("messages"), 0)
    raw.send(("UNSUB %d\r\n" % sid).encode())
    raw.close()
    checks.eq("%s server alive after replies pointed elsewhere" % t, srv.alive(), True)


def flood(t, q, srv):
    watch = MemoryWatch(srv.proc.pid)
    raw = Raw()
    body = msgpack.packb([{"k%d" % i: i for i in range(200)}])   # ~1.9 KB under the limit
    n = 20000 if t == "nats" else 3000
    inbox = "_INBOX.flood%d" % os.getpid()   # nobody subscribes: replies go nowhere
    for i in range(n):
        if t == "nats":
            raw.pub("%s.sendObj" % q, body, reply=inbox, headers=MP)
        else:
            raw.pub("%s.sendObj" % q, body, headers=dict(MP, **{"Rpcbench-Reply-To": inbox}))
    raw.ping()
    raw.close()
    good_call(t, q, "a flood of %d requests" % n)
    checks.eq("%s server alive after the flood" % t, srv.alive(), True)
    watch.check(checks)


for t in TRANSPORTS:
    q = queue_name("h" + t)
    with serve(t, q, "--max-request", str(LIMIT)) as srv:
        garbage(t, q)
        over_max_payload(t, q)
        reply_elsewhere(t, q, srv)
        flood(t, q, srv)
        checks.eq("%s server exit status after SIGTERM" % t, srv.stop(), 0)

# The client: a broker that is not there, a wrong password, no URL.
env = dict(broker())
url = env["RPCBENCH_NATS_URL"]
bad = dict(env, RPCBENCH_NATS_URL=url.rsplit(":", 1)[0] + ":1")
rc, out, err = ncall("nats", "fib", 3, env=bad, timeout_ms=2000)
checks.eq("no broker: ECONNECT", err_code(out), "ECONNECT")
user, rest = url.split("//", 1)[1].split(":", 1)
wrong = dict(env, RPCBENCH_NATS_URL="nats://%s:wrong%s" % (user, rest[rest.index("@"):]))
rc, out, err = ncall("nats", "fib", 3, env=wrong, timeout_ms=2000)
checks.eq("wrong password: ECONNECT", err_code(out), "ECONNECT")
password = rest[:rest.index("@")]
checks.true("the password is never printed", password not in err + str(out))
none = dict(env)
none.pop("RPCBENCH_NATS_URL")
rc, out, err = ncall("nats-js", "fib", 3, env=none, timeout_ms=2000)
checks.eq("no URL: ECONNECT", err_code(out), "ECONNECT")
checks.true("no URL: says which variable", "RPCBENCH_NATS_URL" in str(out) + err)
checks.exit()
