"""Integration: `rpcbench serve zmq` in its own process, called by our own
client through `rpcbench call` and `rpcbench run`: every method, verified
replies, zero failures, body bytes as encoded; both server designs
(single-threaded, and --threads N workers behind the ROUTER)."""
import json
import os
import subprocess
import tempfile

from rbtest import RPCBENCH, Checks, Server, call

checks = Checks()

# zerorpc events as our client and server encode them (see zerorpc.h):
#   request [{"message_id": <36>, "v": 3}, name, args]
#   reply   [{"message_id": <36>, "v": 3, "response_to": <36>}, "OK", [result]]
REQ_HEAD = 1 + 1 + 11 + 38 + 2 + 1      # array, map, key, id (str8), "v", 3
REP_HEAD = REQ_HEAD + 12 + 38           # + "response_to" and its id
FIB_REQ = REQ_HEAD + 4 + 1 + 1          # "fib", [30]
FIB_REP = REP_HEAD + 3 + 1 + 5          # "OK", [832040 (uint32)]


def check_calls(tag, ep, entries):
    rc, out, _ = call("zmq", "fib", 30, connect=ep)
    checks.eq(tag + " fib(30)", out.get("result"), 832040)
    checks.eq(tag + " fib body bytes", out.get("body_bytes"), {"request": FIB_REQ, "reply": FIB_REP})
    rc, out, _ = call("zmq", "fib", 0, connect=ep)
    checks.eq(tag + " fib(0)", out.get("result"), 0)
    rc, out, _ = call("zmq", "fib", 92, connect=ep)
    checks.eq(tag + " fib(92)", out.get("result"), 7540113804746346429)
    rc, out, _ = call("zmq", "getObj", connect=ep)
    checks.eq(tag + " getObj", out.get("result"), {"server:%d" % i: i for i in range(entries)})
    rc, out, _ = call("zmq", "sendObj", 250, connect=ep)
    checks.eq(tag + " sendObj(250)", out.get("result"), 250)
    rc, out, _ = call("zmq", "sendObj", '{"a": -1, "b": 9223372036854775807}', connect=ep)
    checks.eq(tag + " sendObj(2)", out.get("result"), 2)
    rc, out, _ = call("zmq", "fib", 93, connect=ep, check=False)
    checks.eq(tag + " fib(93) code", (out or {}).get("error", {}).get("code"), "EINVAL")
    checks.true(tag + " fib(93) message", "0..92" in out["error"]["message"], out["error"]["message"])


def run_bench(tag, ep, conc, calls):
    with tempfile.TemporaryDirectory() as d:
        cmd = [RPCBENCH, "run", "--transports", "zmq", "--connect", "zmq=" + ep,
               "--calls", str(calls), "--warmup", "20", "--concurrency", conc,
               "--entries", "100", "--out", d]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        checks.eq(tag + " run exit status", p.returncode, 0)
        if p.returncode != 0:
            print(p.stdout, p.stderr)
            return
        res = json.load(open(os.path.join(d, "results.json")))
        for s in res["scenarios"]:
            what = "%s run %s c=%s" % (tag, s["method"], s["concurrency"])
            checks.eq(what + " calls", s["calls"], calls)
            checks.eq(what + " failures", s["failures"],
                      {"connect": 0, "timeout": 0, "protocol": 0, "server_error": 0, "wrong_reply": 0})
            checks.eq(what + " stale replies", s.get("stale_replies"), 0)
            checks.true(what + " wire bytes over body bytes",
                        s["wire_bytes_per_call"]["client"] is not None and
                        s["wire_bytes_per_call"]["client"] > s["body_bytes"]["request"] + s["body_bytes"]["reply"],
                        repr((s["wire_bytes_per_call"], s["body_bytes"])))
        checks.eq(tag + " scenarios", sorted((s["method"], s["concurrency"]) for s in res["scenarios"]),
                  sorted((m, c) for m in ("fib", "getObj", "sendObj") for c in map(int, conc.split(","))))


with Server("zmq") as srv:
    check_calls("1 thread", srv.endpoint, 100)
    run_bench("1 thread", srv.endpoint, "1,3", 600)
    checks.true("1 thread: server alive", srv.alive())
    checks.eq("1 thread: exit status", srv.stop(), 0)

with Server("zmq", "--threads", "3", "--entries", "17") as srv:
    check_calls("3 threads", srv.endpoint, 17)
    checks.true("3 threads: server alive", srv.alive())
    checks.eq("3 threads: exit status", srv.stop(), 0)

with Server("zmq", "--threads", "3") as srv:
    run_bench("3 threads", srv.endpoint, "4", 800)
    checks.eq("3 threads: exit status after run", srv.stop(), 0)

checks.exit()
