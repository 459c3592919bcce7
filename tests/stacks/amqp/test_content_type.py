"""Bodies by content type: the AMQP server answers each request
in the format its content_type asks for, with pika as the client.

- application/msgpack: the arguments array in, the bare result out, byte for
  byte what python3-msgpack packs (getObj with 100 entries: 1,093 B against
  1,481 B of JSON); errors keep their headers and say it in a MessagePack
  map; a malformed MessagePack body is an EINVAL error reply.
- application/json: answered in JSON, as before.
- no content type and a plain number (RabbitMQ's Python RPC tutorial, which
  sends str(n) and replies str(response)): answered in plain text.
- another content type: an EINVAL error reply that names it.
Every reply's content_type is checked."""
import json

import msgpack

from amqpt import TRANSPORTS, RawClient, connect, queue_name, serve
from rbtest import Checks

checks = Checks()
OBJ100 = {"server:%d" % i: i for i in range(100)}
MP, JS, TX = "application/msgpack", "application/json", "text/plain"


def req(rc_, q, body, typ, ct, what):
    rep = rc_.request(q, body, type=typ, content_type=ct)
    checks.true(what + ": a reply", rep is not None)
    return rep if rep else (None, None)


for t in TRANSPORTS:
    q = queue_name("ct-" + t)
    with serve(t, q, "--entries", "100") as srv:
        rc_ = RawClient()
        # MessagePack round trips, exact bytes.
        for n, want in ((0, 0), (30, 832040), (92, 7540113804746346429)):
            p, b = req(rc_, q, msgpack.packb([n]), "fib", MP, "%s msgpack fib(%d)" % (t, n))
            checks.eq("%s msgpack fib(%d) body bytes" % (t, n), b, msgpack.packb(want))
            checks.eq("%s msgpack fib(%d) content_type" % (t, n), p and p.content_type, MP)
        p, b = req(rc_, q, b"\x90", "getObj", MP, "%s msgpack getObj" % t)
        checks.eq("%s msgpack getObj body bytes" % t, b, msgpack.packb(OBJ100))
        checks.eq("%s msgpack getObj is 1093 B" % t, len(b or b""), 1093)
        checks.eq("%s msgpack getObj content_type" % t, p and p.content_type, MP)
        p, b = req(rc_, q, b"", "getObj", MP, "%s msgpack getObj, empty body" % t)
        checks.eq("%s msgpack getObj, empty body" % t, b, msgpack.packb(OBJ100))
        sent = {"client:%d" % i: i for i in range(100)}
        p, b = req(rc_, q, msgpack.packb([sent]), "sendObj", MP, "%s msgpack sendObj" % t)
        checks.eq("%s msgpack sendObj reply" % t, b, b"\x64")
        p, b = req(rc_, q, msgpack.packb([30]), "fib", "application/msgpack; charset=binary",
                   "%s msgpack with a parameter" % t)
        checks.eq("%s msgpack with a parameter" % t, b, msgpack.packb(832040))

        # MessagePack errors: headers, and the body says it as a map.
        bad = [("truncated", b"\x91", "fib"), ("not an array", msgpack.packb(30), "fib"),
               ("two args", msgpack.packb([1, 2]), "fib"), ("reserved byte", b"\x91\xc1", "fib"),
               ("trailing bytes", b"\x91\x1e\x00", "fib"), ("string arg", msgpack.packb(["30"]), "fib"),
               ("map32 lie", b"\x91\xdf\xff\xff\xff\xff", "sendObj"),
               ("sendObj not a map", msgpack.packb([[1, 2]]), "sendObj"),
               ("getObj with args", msgpack.packb([1]), "getObj"),
               ("fib 93", msgpack.packb([93]), "fib")]
        for what, body, typ in bad:
            p, b = req(rc_, q, body, typ, MP, "%s msgpack %s" % (t, what))
            h = (p.headers or {}) if p else {}
            checks.eq("%s msgpack %s: rpcbench-code" % (t, what), h.get("rpcbench-code"), "EINVAL")
            checks.true("%s msgpack %s: rpcbench-error" % (t, what), h.get("rpcbench-error"), str(h))
            checks.eq("%s msgpack %s: content_type" % (t, what), p and p.content_type, MP)
            try:
                m = msgpack.unpackb(b)
            except Exception:
                m = None
            checks.eq("%s msgpack %s: body code" % (t, what), m.get("code") if isinstance(m, dict) else b, "EINVAL")

        # Many tiny values under the byte limit: refused before msgpack-c
        # allocates them (2 Mi nils, 2 MiB on the wire, ~48 MiB decoded).
        p, b = req(rc_, q, msgpack.packb([[None] * (1 << 21)]), "sendObj", MP,
                   "%s msgpack 2 Mi values" % t)
        h = (p.headers or {}) if p else {}
        checks.eq("%s msgpack 2 Mi values: rpcbench-code" % t, h.get("rpcbench-code"), "ETOOBIG")
        p, b = req(rc_, q, msgpack.packb([30]), "fib", MP, "%s fib after the refused request" % t)
        checks.eq("%s fib after the refused request" % t, b, msgpack.packb(832040))

        # JSON stays JSON.
        p, b = req(rc_, q, b"30", "fib", JS, "%s json fib" % t)
        checks.eq("%s json fib body" % t, b, b"832040")
        checks.eq("%s json fib content_type" % t, p and p.content_type, JS)
        p, b = req(rc_, q, b"", "getObj", JS, "%s json getObj" % t)
        checks.eq("%s json getObj body" % t, b, json.dumps(OBJ100, separators=(",", ":")).encode())
        checks.eq("%s json getObj is 1481 B" % t, len(b or b""), 1481)
        p, b = req(rc_, q, b'{"a":1}', "sendObj", None, "%s sendObj, JSON body, no content type" % t)
        checks.eq("%s sendObj, JSON body, no content type" % t, b, b"1")
        checks.eq("%s sendObj, no content type: JSON" % t, p and p.content_type, JS)
        p, b = req(rc_, q, b"", "getObj", None, "%s getObj, no content type" % t)
        checks.eq("%s getObj, no content type: JSON" % t, p and p.content_type, JS)
        p, b = req(rc_, q, b"7", "getObj", None, "%s getObj, a number, no content type" % t)
        checks.eq("%s getObj, a number, no content type: JSON" % t, p and p.content_type, JS)
        checks.eq("%s getObj, a number, no content type: the object" % t, b,
                  json.dumps(OBJ100, separators=(",", ":")).encode())

        # Plain text, as the tutorial: no content type, str(n).
        p, b = req(rc_, q, b"30", None, None, "%s tutorial fib" % t)
        checks.eq("%s tutorial fib body" % t, b, b"832040")
        checks.eq("%s tutorial fib content_type" % t, p and p.content_type, TX)
        p, b = req(rc_, q, b"93", None, None, "%s tutorial fib(93)" % t)
        checks.eq("%s tutorial fib(93) code" % t, p and (p.headers or {}).get("rpcbench-code"), "EINVAL")
        checks.eq("%s tutorial fib(93) text body" % t, b, b"EINVAL: fib(93): n must be 0..92")
        checks.eq("%s tutorial fib(93) content_type" % t, p and p.content_type, TX)
        p, b = req(rc_, q, b" 12\n", "fib", TX, "%s text/plain fib" % t)
        checks.eq("%s text/plain fib" % t, b, b"144")
        checks.eq("%s text/plain fib content_type" % t, p and p.content_type, TX)
        p, b = req(rc_, q, b"", "getObj", TX, "%s text/plain getObj" % t)
        checks.eq("%s text/plain getObj: EINVAL" % t, p and (p.headers or {}).get("rpcbench-code"), "EINVAL")

        # Another content type: refused, by name.
        p, b = req(rc_, q, b"<i>30</i>", "fib", "application/xml", "%s application/xml" % t)
        h = (p.headers or {}) if p else {}
        checks.eq("%s application/xml: EINVAL" % t, h.get("rpcbench-code"), "EINVAL")
        checks.true("%s application/xml: named" % t, "application/xml" in h.get("rpcbench-error", ""), str(h))
        checks.eq("%s application/xml: answered in JSON" % t, p and p.content_type, JS)
        rc_.close()
        checks.true("%s: alive" % t, srv.alive())
        checks.eq("%s: clean exit" % t, srv.stop(), 0)
    if t == "amqp-durable":
        c = connect()
        c.channel().queue_delete(queue=q)
        c.close()

checks.exit()
