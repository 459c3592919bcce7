"""Integration: `rpcbench run` against the tcp floor, servers in their own
processes. Asserts zero failures, verified replies, and figures that make
sense together in results.json, results.csv and the hgrm files."""
import csv
import json
import os
import subprocess
import tempfile

from rbtest import RPCBENCH, Checks, Server

c = Checks()
CALLS = 3000


def run(out, *extra):
    p = subprocess.run([RPCBENCH, "run", "--transports", "tcp", "--calls", str(CALLS),
                        "--warmup", "50", "--concurrency", "1,2", "--entries", "100",
                        "--rounds", "2", "--out", out] + list(extra),
                       capture_output=True, text=True, timeout=300)
    c.eq("run exit status", p.returncode, 0)
    if p.returncode:
        print(p.stdout, p.stderr)
    return p


def check_results(out, spawned):
    with open(os.path.join(out, "results.json")) as f:
        r = json.load(f)
    c.eq("schema", r["schema"], 3)
    env = r["environment"]
    for k in ("cpu", "cores", "kernel", "compiler", "started_utc", "libraries", "parameters"):
        c.true("environment has " + k, k in env)
    c.eq("parameters.calls", env["parameters"]["calls"], CALLS)
    sc = r["scenarios"]
    c.eq("scenarios: 3 methods x 2 concurrency", len(sc), 6)
    for s in sc:
        name = "%s c=%d" % (s["method"], s["concurrency"])
        c.eq(name + " failures", s["failures"],
             {"connect": 0, "timeout": 0, "protocol": 0, "server_error": 0, "wrong_reply": 0})
        c.eq(name + " calls (verified, both rounds)", s["calls"], 2 * CALLS)
        c.eq(name + " stale replies", s["stale_replies"], 0)
        c.eq(name + " entries", s["entries"], None if s["method"] == "fib" else 100)
        lat = s["latency_us"]
        c.true(name + " 0 < min <= p50 <= p90 <= p99 <= p99.9 <= max",
               0 < lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"], lat)
        c.true(name + " throughput > 0", s["throughput_cps"] > 0)
        c.true(name + " connect_us > 0", s["connect_us"] > 0)
        b = s["body_bytes"]
        # [id, "getObj", []]: 1..5 + 7 + 1 bytes; the getObj reply holds 100 entries
        if s["method"] == "getObj":
            c.true(name + " reply body > 100 entries of keys", b["reply"] > 100 * 10, b)
        if s["method"] == "sendObj":
            c.true(name + " request body > 100 entries of keys", b["request"] > 100 * 10, b)
        if s["method"] == "fib":
            c.true(name + " small fib bodies", 5 <= b["request"] <= 16 and 5 <= b["reply"] <= 20, b)
        w = s["wire_bytes_per_call"]
        # TCP payload = both bodies + 4-byte length prefixes, exactly
        c.true(name + " wire = body + 8 framing bytes",
               abs(w["client"] - (b["request"] + b["reply"] + 8)) < 1.0, (w, b))
        c.eq(name + " wire total == client (no broker)", w["total"], w["client"])
        cpu = s["cpu_us_per_call"]
        c.true(name + " client cpu measured", cpu["client"] is not None and cpu["client"] > 0)
        c.eq(name + " broker cpu null", cpu["broker"], None)
        if spawned:
            c.true(name + " server cpu measured", cpu["server"] is not None and cpu["server"] >= 0)
            c.true(name + " server rss measured", (s["server_max_rss_kb"] or 0) > 100)
        else:
            c.eq(name + " server cpu unknown for --connect", cpu["server"], None)
        c.eq(name + " rounds", len(s["per_round"]), 2)
        c.eq(name + " ratio_to_floor null for tcp", s["ratio_to_floor"], None)
        lo, hi = s["spread"]["p50_us"]
        c.true(name + " spread holds the median", lo <= lat["p50"] <= hi, (lo, hi, lat["p50"]))
        with open(os.path.join(out, s["hgrm"])) as f:
            rows = [l.split() for l in f if l.strip() and not l.startswith("#")][1:]
        c.eq(name + " hgrm total count", int(rows[-1][2]), 2 * CALLS)
        c.eq(name + " hgrm last percentile", float(rows[-1][1]), 1.0)
    with open(os.path.join(out, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    c.eq("csv rows", len(rows), 6)
    c.eq("csv calls", {r["calls"] for r in rows}, {str(2 * CALLS)})


with tempfile.TemporaryDirectory() as d:
    # 1. the harness starts its own server
    out = os.path.join(d, "spawned")
    p = run(out)
    c.true("table printed", "transport" in p.stdout and "tcp" in p.stdout, p.stdout[:200])
    check_results(out, spawned=True)
    # 2. a server we started, given with --connect
    with Server("tcp") as srv:
        out = os.path.join(d, "connect")
        run(out, "--connect", "tcp=" + srv.endpoint)
        check_results(out, spawned=False)
        c.true("server still up after the run", srv.alive())
        c.eq("server exits 0 on SIGTERM", srv.stop(), 0)
c.exit()
