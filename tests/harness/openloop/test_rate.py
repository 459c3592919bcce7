"""`rpcbench run --rate` on every transport built, well below saturation
(50 calls/s over 2 connections for 2 s with Poisson arrivals; the durable
AMQP transport takes about 200 calls/s on this loaded 2-core machine), and
tcp at 200 calls/s with uniform arrivals: zero failed calls, the achieved
rate within 1 % of the target, every call offered and verified, and the
open-loop figures in results.json (latency from the intended send time,
service time, send lag, per-round timeline) consistent with each other."""
import csv
import json
import os
import subprocess
import tempfile

from rbtest import RPCBENCH, Checks

c = Checks()

lst = subprocess.run([RPCBENCH, "list"], capture_output=True, text=True, check=True).stdout
names = [l.split()[0] for l in lst.splitlines() if l.strip() and not l.startswith(" ")]
ts = [t for t in names if not t.startswith("amqp") or os.environ.get("RPCBENCH_AMQP_URL")]
c.true("transports to test", ts, names)


def check(tag, out, ts, rate, duration, arrivals):
    with open(os.path.join(out, "results.json")) as f:
        r = json.load(f)
    calls = int(rate * duration)
    c.eq(tag + " parameters.rate_cps", r["environment"]["parameters"]["rate_cps"], [rate])
    c.eq(tag + " scenarios", sorted(s["transport"] for s in r["scenarios"]), sorted(ts))
    for s in r["scenarios"]:
        n = "%s %s" % (tag, s["transport"])
        c.eq(n + " loop", s["loop"], "open")
        c.eq(n + " arrivals", s["arrivals"], arrivals)
        c.eq(n + " failures", sum(s["failures"].values()), 0)
        c.eq(n + " target", s["rate_cps"]["target"], rate)
        c.true(n + " achieved within 1 %", abs(s["rate_cps"]["achieved"] - rate) <= 0.01 * rate,
               s["rate_cps"])
        c.eq(n + " calls", s["calls"], calls)
        c.eq(n + " offered", s["offered"], calls)
        c.eq(n + " unsent", s["unsent"], 0)
        c.eq(n + " schedule_flags", s["schedule_flags"], [])
        lat, svc, lag = s["latency_us"], s["service_time_us"], s["send_lag_us"]
        c.true(n + " latency >= service time", lat["p50"] >= svc["p50"] and lat["max"] >= svc["max"],
               (lat, svc))
        c.true(n + " latency <= service time + send lag (max)",
               lat["max"] <= svc["max"] + lag["max"] + 1, (lat, svc, lag))
        tl = s["per_round"][0]["timeline"]
        c.eq(n + " timeline offered", sum(b["offered"] for b in tl), calls)
        c.eq(n + " timeline calls", sum(b["calls"] for b in tl), calls)
        c.true(n + " timeline is 100 ms buckets", [b["t_ms"] for b in tl[:3]] == [0, 100, 200], tl[:3])
    with open(os.path.join(out, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    c.eq(tag + " csv rate_cps", sorted(float(x["rate_cps"]) for x in rows), [float(rate)] * len(ts))


with tempfile.TemporaryDirectory() as tmp:
    for tag, tlist, rate, duration, conc, arrivals in (
            ("poisson", ts, 50, 2, 2, "poisson"),
            ("uniform", ["tcp"], 200, 1, 1, "uniform")):
        out = os.path.join(tmp, tag)
        p = subprocess.run([RPCBENCH, "run", "--transports", ",".join(tlist), "--methods", "fib",
                            "--rate", str(rate), "--arrivals", arrivals, "--duration", str(duration),
                            "--concurrency", str(conc), "--warmup", "20", "--rounds", "1",
                            "--out", out], capture_output=True, text=True, timeout=600)
        c.eq(tag + " exit status", p.returncode, 0)
        if p.returncode:
            print(p.stdout, p.stderr)
            continue
        c.true(tag + " terminal open-loop table", "open loop (latency from the intended" in p.stdout,
               p.stdout)
        check(tag, out, tlist, rate, duration, arrivals)
        with open(os.path.join(out, "report.md")) as f:
            md = f.read()
        c.true(tag + " report: corrected against uncorrected",
               "### Open loop: corrected against uncorrected latency" in md)
        for t in tlist:
            c.true(tag + " report row " + t, any(l.startswith("| %s | fib |" % t) and l.endswith("| kept |")
                                                  for l in md.splitlines()), t)
        c.true(tag + " report: timeline plot", "plots/load-timeline-fib-r%d.svg" % rate in md)
c.exit()
