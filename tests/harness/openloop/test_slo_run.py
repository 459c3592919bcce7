"""`rpcbench run --slo`: the SLO search against a tcp server yields a
top-level "slo" entry (transport, method, entries, percentile, bound,
max_rate_cps with its spread, every step, the confirming run), the table on
the terminal and the "Under load" section of report.md."""
import json
import os
import subprocess
import tempfile

from rbtest import RPCBENCH, Checks

c = Checks()

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "slo")
    p = subprocess.run([RPCBENCH, "run", "--transports", "tcp", "--methods", "fib",
                        "--concurrency", "2", "--duration", "0.5", "--warmup", "20", "--rounds", "2",
                        "--slo", "p99=100ms", "--slo-step", "0.2", "--out", out],
                       capture_output=True, text=True, timeout=600)
    c.eq("exit status", p.returncode, 0)
    print(p.stdout[-3000:])
    if p.returncode:
        print(p.stderr)
    c.true("terminal shows the SLO table", "max calls/s" in p.stdout, p.stdout[-2000:])
    with open(os.path.join(out, "results.json")) as f:
        r = json.load(f)
    c.eq("parameters.slo", r["environment"]["parameters"]["slo"], "p99=100ms")
    slo = r["slo"]
    c.eq("one slo entry", len(slo), 1)
    e = slo[0]
    for k, v in (("transport", "tcp"), ("method", "fib"), ("entries", None), ("percentile", "p99"),
                 ("bound_us", 100000), ("concurrency", 2), ("rounds", 2)):
        c.eq("slo " + k, e[k], v)
    mr = e["max_rate_cps"]
    c.true("max rate found", mr["median"] > 0 and mr["lo"] <= mr["median"] <= mr["hi"], mr)
    c.eq("per_round", len(e["per_round"]), 2)
    for i, pr in enumerate(e["per_round"]):
        steps = pr["steps"]
        c.true("round %d steps" % i, len(steps) >= 2, steps)
        passed = [s["rate_cps"] for s in steps if s["pass"]]
        c.eq("round %d searched rate = highest passing step" % i, pr["searched_cps"],
             max(passed or [0]))
        for s in steps:
            c.eq("round %d step pass rule" % i, s["pass"],
                 s["failures"] == 0 and s["p99_us"] is not None and s["p99_us"] <= 100000
                 and s["achieved_cps"] >= 0.99 * s["rate_cps"])
        failed = [s["rate_cps"] for s in steps if not s["pass"] and s["rate_cps"] > pr["searched_cps"]]
        if failed and pr["searched_cps"] > 0 and not pr["capped"]:
            c.true("round %d bracket within 5 %%" % i, min(failed) <= pr["searched_cps"] * 1.05 + 1e-6,
                   (failed, pr["searched_cps"]))
        cf = pr["confirm"]
        c.eq("round %d confirmed iff a rate passed" % i, cf is not None, pr["searched_cps"] > 0)
        if cf is not None:
            # the last confirming run: at the searched rate, or stepped down
            # by 20 % per miss before it (3 runs at most)
            tries = pr["confirm_tries"]
            c.true("round %d confirm tries" % i, 1 <= tries <= 3, tries)
            c.true("round %d confirm rate" % i,
                   abs(cf["rate_cps"]["target"] - pr["searched_cps"] * 0.8 ** (tries - 1)) < 1e-3,
                   (cf["rate_cps"]["target"], pr["searched_cps"], tries))
            c.eq("round %d answer: the rate a full run held, else the steps'" % i,
                 pr["max_rate_cps"], cf["rate_cps"]["target"] if cf["pass"] else pr["searched_cps"])
            c.true("round %d stepped down only after misses" % i, cf["pass"] or tries == 3,
                   (cf["pass"], tries))
            c.true("round %d confirm has timeline" % i, len(cf["timeline"]) >= 5, len(cf["timeline"]))
            c.true("round %d confirm latency" % i, cf["latency_us"]["p99"] > 0, cf["latency_us"])
            c.eq("round %d confirm pass rule" % i, cf["pass"],
                 cf["failures"] == 0 and cf["value_us"] <= 100000
                 and cf["rate_cps"]["achieved"] >= 0.99 * cf["rate_cps"]["target"])
    with open(os.path.join(out, "report.md")) as f:
        md = f.read()
    c.true("report has Under load", "## Under load" in md)
    c.true("report has the SLO table", "Highest rate within the SLO" in md)
    after = md.split("### Highest rate within the SLO")[1].splitlines()
    start = next(k for k, l in enumerate(after) if l.startswith("|"))
    table = []
    for l in after[start:]:
        if not l.startswith("|"):
            break
        table.append(l)
    rows = [l.split("|")[1:-1] for l in table if l.startswith("| tcp ")]
    c.eq("SLO table: one tcp row", len(rows), 1)
    if rows:
        cells = [x.strip() for x in rows[0]]
        c.eq("SLO table: bound", cells[4], "p99 ≤ 100000 µs")
        want = "%.0f" % mr["median"] if mr["median"] > 0 else "none"
        c.true("SLO table: max rate is the median", cells[5].startswith(want), (cells[5], want))
        c.eq("SLO table: closed-loop calls/s beside it", cells[11],
             "%.0f" % r["scenarios"][0]["throughput_cps"])
        steps = sum(len(pr["steps"]) for pr in e["per_round"])
        again = sum(1 for pr in e["per_round"] for st in pr["steps"] if st["tries"] > 1)
        held = sum(1 for pr in e["per_round"] for st in pr["steps"] if st["tries"] > 1 and st["pass"])
        c.eq("SLO table: steps / measured again / held", cells[7], "%d/%d/%d" % (steps, again, held))
    for pr in e["per_round"]:
        for st in pr["steps"]:
            c.true("a step is measured 1 to 3 times", 1 <= st["tries"] <= 3, st)
            c.true("held <= tries", 0 <= st["held"] <= st["tries"], st)
            c.true("a failing first try was measured again", st["pass"] or st["tries"] >= 2, st)
    c.true("the load curve's sweep is recorded", len(e["sweep"]) >= 2, e["sweep"])
    rates = [st["rate_cps"] for st in e["sweep"]]
    c.eq("the sweep ascends", rates, sorted(rates))
    c.true("report links the curve", "plots/load-curve-fib.svg" in md, md[-2000:])
    if any(pr["confirm"] for pr in e["per_round"]):
        c.true("report links the confirming runs' timeline", "plots/load-timeline-fib-slo.svg" in md)
        with open(os.path.join(out, "plots", "load-timeline-fib-slo.png"), "rb") as f:
            c.eq("timeline png", f.read(8), b"\x89PNG\r\n\x1a\n")
c.exit()
