"""Interop: a zerorpc-protocol client written with python3-zmq and
python3-msgpack from zerorpc's protocol document (zerorpc_proto.py) calls
`rpcbench serve zmq`: every method, the ERR cases, headers as the protocol
says, heartbeats never answered as calls, both DEALER framings."""
import uuid

from rbtest import Checks, Server
from zerorpc_proto import Client, RemoteError, pack_event, unpack_event

checks = Checks()


def expect_err(what, fn, name, text=None):
    try:
        got = fn()
    except RemoteError as e:
        checks.eq(what + ": error name", e.name, name)
        checks.true(what + ": message", e.msg, repr(e.msg))
        checks.true(what + ": traceback text", isinstance(e.traceback, str) and e.traceback, repr(e.traceback))
        if text is not None:
            checks.true(what + ": message mentions " + text, text in e.msg, e.msg)
        return
    checks.true(what + ": ERR expected", False, "got %r" % (got,))


with Server("zmq", "--entries", "100") as srv:
    ep = "tcp://" + srv.endpoint
    for delimiter in (True, False):
        tag = "delim" if delimiter else "bare"
        c = Client(ep, timeout=5.0, delimiter=delimiter)

        checks.eq(tag + " fib(0)", c.call("fib", 0), 0)
        checks.eq(tag + " fib(1)", c.call("fib", 1), 1)
        checks.eq(tag + " fib(30)", c.call("fib", 30), 832040)
        checks.eq(tag + " fib(92)", c.call("fib", 92), 7540113804746346429)

        # Headers: v 3, a fresh UUID-shaped message_id, response_to = ours.
        rep = c.last_reply_header
        checks.eq(tag + " reply v", rep.get("v"), 3)
        checks.eq(tag + " reply response_to", rep.get("response_to"),
                  c.last_request_header["message_id"])
        checks.true(tag + " reply has its own message_id",
                    rep.get("message_id") not in (None, c.last_request_header["message_id"]))
        mid = rep.get("message_id")
        checks.true(tag + " reply message_id is UUID-shaped",
                    isinstance(mid, str) and len(mid) == 36 and uuid.UUID(mid) is not None, repr(mid))

        obj = c.call("getObj")
        checks.eq(tag + " getObj", obj, {"server:%d" % i: i for i in range(100)})
        checks.eq(tag + " sendObj(3)", c.call("sendObj", {"client:0": 0, "client:1": 1, "client:2": 2}), 3)
        checks.eq(tag + " sendObj({})", c.call("sendObj", {}), 0)
        big = {"client:%d" % i: i for i in range(5000)}
        checks.eq(tag + " sendObj(5000)", c.call("sendObj", big), 5000)

        expect_err(tag + " fib(93)", lambda: c.call("fib", 93), "ValueError", "0..92")
        expect_err(tag + " fib(-1)", lambda: c.call("fib", -1), "ValueError", "0..92")
        expect_err(tag + " fib('x')", lambda: c.call("fib", "x"), "ValueError")
        expect_err(tag + " fib()", lambda: c.call("fib"), "ValueError")
        expect_err(tag + " unknown method", lambda: c.call("nosuch", 1), "NameError", "nosuch")
        expect_err(tag + " sendObj(list)", lambda: c.call("sendObj", [1, 2]), "ValueError")
        expect_err(tag + " sendObj(str values)", lambda: c.call("sendObj", {"a": "b"}), "ValueError")
        expect_err(tag + " getObj(1)", lambda: c.call("getObj", 1), "ValueError")

        # A heartbeat on a channel is not a call: no reply to it; the next
        # event we get answers the next call.
        c.send_raw(pack_event("_zpc_hb", None, response_to=c.last_request_header["message_id"]))
        c.send_raw(pack_event("_zpc_more", [10], response_to=c.last_request_header["message_id"]))
        checks.eq(tag + " call after heartbeat", c.call("fib", 10), 55)
        checks.eq(tag + " nothing answered the heartbeat", c.skipped, [])
        checks.eq(tag + " nothing more queued", c.recv_raw(timeout=0.2), None)

        # zerorpc's built-in introspection (the `zerorpc` command line lists
        # a server's methods with _zerorpc_inspect).
        checks.eq(tag + " _zerorpc_ping", c.call("_zerorpc_ping"), ["pong", "rpcbench"])
        checks.eq(tag + " _zerorpc_name", c.call("_zerorpc_name"), "rpcbench")
        checks.eq(tag + " _zerorpc_list", c.call("_zerorpc_list"), ["fib", "getObj", "sendObj"])
        ins = c.call("_zerorpc_inspect")
        checks.eq(tag + " _zerorpc_inspect name", ins.get("name"), "rpcbench")
        checks.eq(tag + " _zerorpc_inspect args",
                  {m: d["args"] for m, d in ins.get("methods", {}).items()},
                  {"fib": [{"name": "n"}], "getObj": [], "sendObj": [{"name": "obj"}]})
        checks.true(tag + " _zerorpc_inspect docs",
                    all(isinstance(d.get("doc"), str) and d["doc"] for d in ins["methods"].values()))
        expect_err(tag + " unknown built-in", lambda: c.call("_zerorpc_nosuch"), "NameError", "_zerorpc_nosuch")
        c.close()

    # Several clients at once, interleaved, each gets its own answers.
    clients = [Client(ep) for _ in range(4)]
    ids = []
    for i, cl in enumerate(clients):
        mid = str(uuid.uuid4())
        ids.append(mid)
        cl.send_raw(pack_event("fib", [20 + i], message_id=mid))
    for i, cl in enumerate(clients):
        h, name, args = unpack_event(cl.recv_raw())
        checks.eq("concurrent client %d response_to" % i, h.get("response_to"), ids[i])
        checks.eq("concurrent client %d result" % i, (name, args), ("OK", [[6765, 10946, 17711, 28657][i]]))
        cl.close()

    checks.true("server alive", srv.alive())
    checks.eq("server exit status", srv.stop(), 0)

checks.exit()
