"""Integration: `rpcbench serve rest` in its own process on an ephemeral port,
called by `rpcbench call rest` (every method, exact body bytes, errors), then
`rpcbench run --transports rest,tcp` with every reply verified and zero
failures, then a clean stop on SIGTERM."""
import json
import os
import signal
import subprocess
import tempfile
import time

from rbtest import RPCBENCH, Checks, Server, call

c = Checks()


def compact(v):
    return len(json.dumps(v, separators=(",", ":")))


with Server("rest") as s:
    c.true("ready line names an ephemeral port", s.port > 0, s.endpoint)
    ep = s.endpoint

    rc, out, _ = call("rest", "fib", 30, connect=ep)
    c.eq("fib(30)", out["result"], 832040)
    # {"n":30} and {"result":832040}
    c.eq("fib body bytes", out["body_bytes"], {"request": 8, "reply": 17})

    rc, out, _ = call("rest", "fib", 92, connect=ep)
    c.eq("fib(92)", out["result"], 7540113804746346429)

    rc, out, _ = call("rest", "getObj", connect=ep)
    want = {"server:%d" % i: i for i in range(100)}
    c.eq("getObj", out["result"], want)
    c.eq("getObj body bytes", out["body_bytes"], {"request": 0, "reply": compact({"result": want})})

    rc, out, _ = call("rest", "sendObj", connect=ep)
    sent = {"client:%d" % i: i for i in range(100)}
    c.eq("sendObj ack", out["result"], 100)
    c.eq("sendObj body bytes", out["body_bytes"], {"request": compact(sent), "reply": 14})

    for n, kind in ((93, "EINVAL"), (-1, "EINVAL")):
        rc, out, _ = call("rest", "fib", "--", n, connect=ep, check=False)
        c.eq("fib(%d) exit status" % n, rc, 1)
        c.eq("fib(%d) error" % n, (out or {}).get("error", {}).get("code"), kind)
    rc, out, _ = call("rest", "fib", 30, connect=ep)
    c.eq("fib(30) after the errors", out["result"], 832040)

with Server("rest", "--entries", "7") as s:
    rc, out, _ = call("rest", "getObj", connect=s.endpoint)
    c.eq("getObj with --entries 7", out["result"], {"server:%d" % i: i for i in range(7)})

# IPv6 loopback, when the machine has it
try:
    with Server("rest", listen="[::1]:0") as s:
        c.true("ready line keeps IPv6 brackets", s.endpoint.startswith("[::1]:"), s.endpoint)
        rc, out, _ = call("rest", "fib", 10, connect=s.endpoint)
        c.eq("fib(10) over IPv6", out["result"], 55)
except RuntimeError as e:
    print("IPv6 loopback unavailable, skipped:", e)

# No server: a connect error of the right kind, not a hang.
rc, out, _ = call("rest", "fib", 30, connect="127.0.0.1:1", timeout_ms=2000, check=False)
c.eq("no server: exit status", rc, 1)
c.eq("no server: ECONNECT", (out or {}).get("error", {}).get("code"), "ECONNECT")

# The harness: rest and the floor, every method, every reply verified.
with tempfile.TemporaryDirectory() as d:
    p = subprocess.run([RPCBENCH, "run", "--transports", "rest,tcp", "--methods",
                        "fib,getObj,sendObj", "--calls", "200", "--warmup", "20", "--out", d],
                       capture_output=True, text=True, timeout=300)
    c.eq("run exit status", p.returncode, 0)
    with open(os.path.join(d, "results.json")) as f:
        r = json.load(f)
    rest = [x for x in r["scenarios"] if x["transport"] == "rest"]
    c.eq("rest scenarios", sorted(x["method"] for x in rest), ["fib", "getObj", "sendObj"])
    for x in rest:
        name = "run rest " + x["method"]
        c.eq(name + " failures", x["failures"],
             {"connect": 0, "timeout": 0, "protocol": 0, "server_error": 0, "wrong_reply": 0})
        c.eq(name + " calls", x["calls"], 200)
        b, w = x["body_bytes"], x["wire_bytes_per_call"]
        # HTTP headers come on top of the JSON bodies, both ways
        c.true(name + " wire > bodies + request line",
               w["client"] > b["request"] + b["reply"] + 60, (w, b))
        c.eq(name + " stale replies", x["stale_replies"], 0)
    fib = [x for x in rest if x["method"] == "fib"][0]
    c.eq("run fib body bytes", fib["body_bytes"], {"request": 8, "reply": 17})

# SIGTERM: the server stops on its own, promptly, with status 0.
s = Server("rest")
rc, out, _ = call("rest", "fib", 30, connect=s.endpoint)
t0 = time.monotonic()
s.proc.send_signal(signal.SIGTERM)
try:
    status = s.proc.wait(10)
except subprocess.TimeoutExpired:
    status = None
took = time.monotonic() - t0
s.stop()
c.eq("exit status after SIGTERM", status, 0)
print("stopped %.0f ms after SIGTERM" % (took * 1000))
c.exit()
