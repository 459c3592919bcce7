"""Interop: our client (`rpcbench call zmq ...`) calls a zerorpc-protocol
server written with python3-zmq and python3-msgpack from zerorpc's protocol
document (zerorpc_proto.Server). Before each reply that server sends an
event of an unknown channel and a heartbeat on the call's channel: the
client must skip both and take only the reply whose response_to is its
call's message_id."""
from rbtest import Checks, call
from zerorpc_proto import Server

checks = Checks()

srv = Server(entries=7, heartbeat=True, stray=True, slow_fib=(91, 5.7))
try:
    ep = srv.endpoint
    rc, out, _ = call("zmq", "fib", 30, connect=ep, timeout_ms=5000)
    checks.eq("fib(30)", out.get("result"), 832040)
    checks.true("fib body bytes", out["body_bytes"]["request"] > 0 and out["body_bytes"]["reply"] > 0,
                repr(out["body_bytes"]))

    rc, out, _ = call("zmq", "fib", 92, connect=ep)
    checks.eq("fib(92)", out.get("result"), 7540113804746346429)

    rc, out, _ = call("zmq", "getObj", connect=ep)
    checks.eq("getObj", out.get("result"), {"server:%d" % i: i for i in range(7)})

    rc, out, _ = call("zmq", "sendObj", '{"client:0": 0, "client:1": 1}', connect=ep)
    checks.eq("sendObj", out.get("result"), 2)

    rc, out, _ = call("zmq", "sendObj", 1000, connect=ep)
    checks.eq("sendObj(1000 entries)", out.get("result"), 1000)

    # The Python server raises ValueError: our client maps it to EINVAL.
    rc, out, err = call("zmq", "fib", 93, connect=ep, check=False)
    checks.true("fib(93) fails", rc != 0, "exit %d" % rc)
    checks.eq("fib(93) error code", out["error"]["code"], "EINVAL")
    checks.eq("fib(93) error kind", out["error"]["kind"], "server_error")
    checks.true("fib(93) message from the server", "ValueError" in out["error"]["message"]
                and "0..92" in out["error"]["message"], out["error"]["message"])

    # What the server saw: our requests, with the args the protocol wants.
    checks.eq("server saw the calls", [c[0] for c in srv.calls],
              ["fib", "fib", "getObj", "sendObj", "sendObj", "fib"])
    checks.eq("fib args", srv.calls[0][1], [30])
    checks.eq("getObj args", srv.calls[2][1], [])
    checks.eq("sendObj args", srv.calls[3][1], [{"client:0": 0, "client:1": 1}])

    # A call longer than zerorpc's heartbeat interval (5 s): our client
    # sends "_zpc_hb" on the call's channel while it waits, as the
    # protocol asks, and still takes the reply.
    rc, out, _ = call("zmq", "fib", 91, connect=ep, timeout_ms=9000)
    checks.eq("slow fib(91)", out.get("result"), 4660046610375530309)
    checks.eq("heartbeats during the slow call", len(srv.heartbeats), 1)
    if srv.heartbeats:
        hb = srv.heartbeats[0]
        checks.eq("heartbeat v", hb.get("v"), 3)
        checks.eq("heartbeat names the call's channel", hb.get("response_to"), srv.call_ids[-1])
        checks.true("heartbeat has its own message_id",
                    hb.get("message_id") not in (None, hb.get("response_to")), repr(hb))
finally:
    srv.close()

# A server that is gone: a deadline error, not a hang.
rc, out, _ = call("zmq", "fib", 5, connect=ep, timeout_ms=300, check=False)
checks.eq("server gone: code", out["error"]["code"], "ETIMEDOUT")

checks.exit()
