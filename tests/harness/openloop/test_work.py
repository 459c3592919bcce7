"""`rpcbench run --work-us N --work busy|sleep`: every server the run starts
spends N µs per call (rpcbench serve --work-us), so no verified call is
faster than N µs, and results.json records the parameters."""
import json
import os
import subprocess
import tempfile

from rbtest import RPCBENCH, Checks

c = Checks()
WORK_US = 3000

with tempfile.TemporaryDirectory() as tmp:
    for kind in ("sleep", "busy"):
        out = os.path.join(tmp, kind)
        p = subprocess.run([RPCBENCH, "run", "--transports", "tcp", "--methods", "fib",
                            "--calls", "40", "--warmup", "2", "--work-us", str(WORK_US),
                            "--work", kind, "--out", out], capture_output=True, text=True, timeout=300)
        c.eq(kind + " exit status", p.returncode, 0)
        if p.returncode:
            print(p.stdout, p.stderr)
            continue
        with open(os.path.join(out, "results.json")) as f:
            r = json.load(f)
        par = r["environment"]["parameters"]
        c.eq(kind + " parameters.work_us", par["work_us"], WORK_US)
        c.eq(kind + " parameters.work", par["work"], kind)
        s = r["scenarios"][0]
        c.eq(kind + " calls", s["calls"], 40)
        c.true(kind + " no call faster than the work", s["latency_us"]["min"] >= WORK_US,
               s["latency_us"])
c.exit()
