"""The classic demonstration of coordinated omission: a tcp server stopped
for 200 ms (SIGSTOP, then SIGCONT) once in a 2 s run. At a fixed offered
rate (open loop) every call due during the stall waits for it, so the p99
latency counted from the intended send time reflects the stall (close to
what rate and stall imply); closed loop stops sending while the server is
stopped, so one slow call hides among thousands and its p99 does not.
Asserts the relations, not absolute times."""
import json
import os
import signal
import subprocess
import tempfile
import time

from rbtest import RPCBENCH, Checks, Server

c = Checks()
RATE = 2000          # calls/s offered
DURATION = 2.0       # s
STALL = 0.200        # s
STALL_AT = 1.0       # s after the run starts (its window starts a little later)


def run_with_stall(srv, out, extra):
    """One `rpcbench run` against srv, stopping srv for STALL once."""
    cmd = [RPCBENCH, "run", "--transports", "tcp", "--connect", "tcp=" + srv.endpoint,
           "--methods", "fib", "--duration", str(DURATION), "--concurrency", "1",
           "--warmup", "50", "--rounds", "1", "--out", out] + extra
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(STALL_AT)
        os.kill(srv.proc.pid, signal.SIGSTOP)
        time.sleep(STALL)
    finally:
        os.kill(srv.proc.pid, signal.SIGCONT)
    stdout, stderr = p.communicate(timeout=120)
    c.eq("run %s exit status" % extra, p.returncode, 0)
    if p.returncode:
        print(stdout, stderr)
        return None
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)["scenarios"][0]


with Server("tcp") as srv, tempfile.TemporaryDirectory() as tmp:
    opn = run_with_stall(srv, os.path.join(tmp, "open"), ["--rate", str(RATE)])
    closed = run_with_stall(srv, os.path.join(tmp, "closed"), [])
    if opn and closed:
        op99 = opn["latency_us"]["p99"]
        osvc = opn["service_time_us"]["p99"]
        cp99 = closed["latency_us"]["p99"]
        # 1 % of RATE * DURATION calls lie above p99; they are the calls due
        # in the stall's first 0.01 * DURATION s, each waiting the rest of it.
        implied = (STALL - 0.01 * DURATION) * 1e6
        print("open-loop p99 %.0f us (service time p99 %.0f us), closed-loop p99 %.0f us, "
              "implied by rate and stall %.0f us" % (op99, osvc, cp99, implied))
        c.eq("open loop marked", opn["loop"], "open")
        c.eq("closed loop marked", closed["loop"], "closed")
        for name, s in (("open", opn), ("closed", closed)):
            c.eq(name + " failures", sum(s["failures"].values()), 0)
        c.true("open p99 within a factor 2 of the implied value", implied / 2 <= op99 <= implied * 2,
               (op99, implied))
        c.true("open p99 > 10 x closed p99", op99 > 10 * cp99, (op99, cp99))
        c.true("uncorrected service time hides the stall: < open p99 / 5", osvc < op99 / 5,
               (osvc, op99))
        c.true("the generator kept the rate", opn["rate_cps"]["achieved"] >= 0.99 * RATE,
               opn["rate_cps"])
        # The stall shows in the timeline: one interval's p99 near the stall.
        tl = opn["per_round"][0]["timeline"]
        worst = max((b["p99_us"] or 0) for b in tl)
        c.true("timeline shows the stall", worst > STALL * 1e6 / 2, worst)
        c.eq("timeline offers every call", sum(b["offered"] for b in tl), int(RATE * DURATION))
c.exit()
