#!/usr/bin/python3
"""Write the report/compare test fixtures (results.json + hgrm files).

Deterministic: every figure follows from the tables below, so the tests know
the answers. Run it from anywhere; it rewrites tests/harness/report/fixtures/.

  small    tcp, zmq, grpc x fib, getObj (100 entries) x 1 and 4 clients, 3 rounds
  small-b  small with: zmq fib c1 40 % faster (spreads disjoint) and 5 B more on
           the wire, grpc getObj c4 4 % slower (spreads overlap), no grpc fib c4,
           an extra zmq sendObj c1
  sweep    tcp, amqp, xmlrpc x getObj x 1/100/1000 entries x 1/2/4 clients,
           3 rounds; xmlrpc e100 c4 has failures (round 1: a last_error), amqp
           e100 c2 has no hgrm file, xmlrpc e1 c2 no wire bytes (null)
"""
import copy
import json
import math
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")

# Each transport's per-round factors: rounds are interleaved, so each round
# has its own drift; the median factor is 1.0, so median p50 == base.
ROUND_F = {
    "tcp": [0.95, 1.00, 1.07],
    "zmq": [1.07, 0.95, 1.00],
    "grpc": [1.00, 1.07, 0.95],
    "amqp": [0.95, 1.07, 1.00],
    "xmlrpc": [1.00, 0.95, 1.07],
}
P99_F = [0.90, 1.00, 1.15]          # p99 factor per round (all transports)
LIBS = {"rabbitmq-c": "0.11.0-1+deb12u3", "xmlrpc-c": "1.33.14-11", "czmq": "4.2.1-1",
        "libzmq": "4.3.4-6", "msgpack-c": "4.0.0-3", "protobuf-c": "1.4.1-1+b1",
        "grpc": "1.51.1-3+b1", "rabbitmq-server": None}


def value_at(p50, p):
    """The latency (us) at percentile p of a scenario whose median is p50."""
    return p50 * (0.5 + 0.5 * math.log2(1 / (1 - p)))


def percentiles(total):
    """HdrHistogram-like percentile ticks, 5 per halving distance."""
    ps, j = [], 0
    while True:
        p = 1 - 0.5 ** (j / 5)
        if (1 - p) * total < 1:
            break
        ps.append(p)
        j += 1
    return ps


def write_hgrm(path, p50, total):
    rows = []
    for p in percentiles(total):
        rows.append("%12.3f %2.12f %10d %14.2f" % (value_at(p50, p), p, round(p * total), 1 / (1 - p)))
    mx = value_at(p50, 1 - 1 / (2 * total))
    rows.append("%12.3f %2.12f %10d" % (mx, 1.0, total))
    with open(path, "w") as f:
        f.write("       Value     Percentile TotalCount 1/(1-Percentile)\n\n")
        f.write("\n".join(rows) + "\n")
        f.write("#[Mean    = %12.3f, StdDeviation   = %12.3f]\n" % (p50 * 1.1, p50 * 0.3))
        f.write("#[Max     = %12.3f, Total count    = %12d]\n" % (mx, total))
        f.write("#[Buckets = %12d, SubBuckets     = %12d]\n" % (22, 2048))


def body(transport, method, entries):
    """(request, reply) body bytes of each encoding."""
    e = entries or 0
    obj = {"tcp": 13 * e + 3, "zmq": 13 * e + 3, "grpc": 16 * e + 2,
           "amqp": 19 * e + 2, "xmlrpc": 74 * e + 120}[transport]
    small = {"tcp": 9, "zmq": 9, "grpc": 9, "amqp": 20, "xmlrpc": 140}[transport]
    if method == "fib":
        return {"tcp": (6, 9), "zmq": (30, 40), "grpc": (2, 9), "amqp": (22, 19),
                "xmlrpc": (150, 160)}[transport]
    if method == "getObj":
        return small, obj
    return obj, small  # sendObj


OVERHEAD = {"tcp": 8, "zmq": 60, "grpc": 120, "amqp": 180, "xmlrpc": 300}
CPU = {"tcp": (4.0, 3.0, None), "zmq": (9.0, 7.0, None), "grpc": (20.0, 14.0, None),
       "amqp": (11.0, 9.0, 30.0), "xmlrpc": (35.0, 25.0, None)}


def median(v):
    return sorted(v)[len(v) // 2]


def scenario(t, m, entries, conc, p50, tcp_p50, pos, failures=None, hgrm=True, wire_extra=0,
             last_error=None, wire=True):
    rounds = 3
    f = ROUND_F[t]
    tf = ROUND_F["tcp"]
    p50s = [p50 * x for x in f]
    p99s = [value_at(p50, 0.99) * x for x in P99_F]
    tputs = [conc * 1e6 / x for x in p50s]
    tcp_p50s = [tcp_p50 * x for x in tf]
    tcp_p99s = [value_at(tcp_p50, 0.99) * x for x in P99_F]
    req, rep = body(t, m, entries)
    wc = req + rep + OVERHEAD[t] + wire_extra
    wt = 2 * wc if t == "amqp" else wc
    cc, cs, cb = CPU[t]
    fails = failures or {"connect": 0, "timeout": 0, "protocol": 0, "server_error": 0, "wrong_reply": 0}
    calls_r = [int(x * 1.0) for x in tputs]

    def lat(p):
        return {"min": round(p * 0.5, 3), "p50": round(p, 3), "p90": round(value_at(p, 0.9), 3),
                "p99": round(value_at(p, 0.99), 3), "p99_9": round(value_at(p, 0.999), 3),
                "max": round(value_at(p, 1 - 1 / 300000), 3), "mean": round(p * 1.1, 3), "stddev": round(p * 0.3, 3)}

    def ratio(a, b):
        q = [x / y for x, y in zip(a, b)]
        return {"median": round(median(q), 4), "lo": round(min(q), 4), "hi": round(max(q), 4)}

    s = {
        "transport": t, "method": m, "entries": entries if m != "fib" else None, "concurrency": conc,
        "rounds": rounds, "calls": sum(calls_r), "failures": fails, "stale_replies": 0,
        "duration_s": 3.0, "throughput_cps": round(median(tputs), 1),
        "latency_us": lat(p50) | {"p99": round(median(p99s), 3)},
        "connect_us": 250.0,
        "body_bytes": {"request": req, "reply": rep},
        "wire_bytes_per_call": {"client": float(wc), "total": float(wt)},
        "cpu_us_per_call": {"client": cc, "server": cs, "broker": cb},
        "server_max_rss_kb": 4000,
        "spread": {"p50_us": [round(min(p50s), 3), round(max(p50s), 3)],
                   "p99_us": [round(min(p99s), 3), round(max(p99s), 3)],
                   "throughput_cps": [round(min(tputs), 1), round(max(tputs), 1)]},
        "ratio_to_tcp": None if t == "tcp" else {
            "p50": ratio(p50s, tcp_p50s), "p99": ratio(p99s, tcp_p99s),
            "throughput": ratio(tputs, [conc * 1e6 / x for x in tcp_p50s])},
        "per_round": [
            {"round": r, "position": (pos + r) % 3, "calls": calls_r[r], "duration_s": 1.0,
             "throughput_cps": round(tputs[r], 1), "latency_us": lat(p50s[r]) | {"p99": round(p99s[r], 3)},
             "wire_bytes_per_call": {"client": float(wc), "total": float(wt)},
             "cpu_us_per_call": {"client": cc, "server": cs, "broker": cb},
             "failures": fails, "last_error": last_error if r == 1 else None}
            for r in range(rounds)],
        "hgrm": None,
    }
    if not wire:
        s["wire_bytes_per_call"] = {"client": None, "total": None}
        for x in s["per_round"]:
            x["wire_bytes_per_call"] = {"client": None, "total": None}
    if hgrm:
        s["hgrm"] = "hgrm/%s-%s-e%d-c%d.hgrm" % (t, m, entries if m != "fib" else 0, conc)
    s["_p50"] = p50
    return s


def environment(transports, methods, conc, entries, started, commit):
    return {"cpu": "Intel(R) Xeon(R) CPU @ 2.20GHz", "cores": 2, "kernel": "6.1.0-27-amd64",
            "compiler": "gcc 12.2.0", "git_commit": commit, "started_utc": started,
            "host": "fixture-vm", "libraries": LIBS,
            "parameters": {"transports": transports, "methods": methods, "calls": None,
                           "duration_s": 1.0, "warmup": 100, "concurrency": conc,
                           "entries": entries, "rounds": 3, "timeout_ms": 5000, "fib_n": 30,
                           "pinned": False}}


def write(name, env, scenarios):
    d = os.path.join(FIX, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "hgrm"))
    for s in scenarios:
        if s["hgrm"]:
            write_hgrm(os.path.join(d, s["hgrm"]), s["_p50"], int(s["calls"]))
        del s["_p50"]
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"schema": 1, "environment": env, "scenarios": scenarios}, f, indent=1)
        f.write("\n")


# p50 (us) per transport, method, clients
SMALL = {
    ("tcp", "fib", 1): 20.0, ("zmq", "fib", 1): 45.0, ("grpc", "fib", 1): 90.0,
    ("tcp", "fib", 4): 40.0, ("zmq", "fib", 4): 80.0, ("grpc", "fib", 4): 150.0,
    ("tcp", "getObj", 1): 30.0, ("zmq", "getObj", 1): 60.0, ("grpc", "getObj", 1): 110.0,
    ("tcp", "getObj", 4): 50.0, ("zmq", "getObj", 4): 100.0, ("grpc", "getObj", 4): 104.0,
}


def small(variant_b=False):
    sc = []
    pos = 0
    for m in ("fib", "getObj"):
        for c in (1, 4):
            for t in ("tcp", "zmq", "grpc"):
                p = SMALL[(t, m, c)]
                extra = 0
                if variant_b and (t, m, c) == ("zmq", "fib", 1):
                    p, extra = p * 0.6, 5
                if variant_b and (t, m, c) == ("grpc", "getObj", 4):
                    p = 108.0
                if variant_b and (t, m, c) == ("grpc", "fib", 4):
                    continue
                sc.append(scenario(t, m, 100, c, p, SMALL[("tcp", m, c)], pos, wire_extra=extra))
                pos += 1
    if variant_b:
        sc.append(scenario("zmq", "sendObj", 100, 1, 70.0, 30.0, 0))
    return sc


def sweep():
    sc = []
    base = {"tcp": 20.0, "amqp": 130.0, "xmlrpc": 160.0}
    pos = 0
    for e in (1, 100, 1000):
        for c in (1, 2, 4):
            for t in ("tcp", "amqp", "xmlrpc"):
                p = base[t] * (1 + e / 200) * (1 + (c - 1) * 0.3)
                tcp = base["tcp"] * (1 + e / 200) * (1 + (c - 1) * 0.3)
                fails = None
                if (t, e, c) == ("xmlrpc", 100, 4):
                    fails = {"connect": 0, "timeout": 3, "protocol": 0, "server_error": 0, "wrong_reply": 1}
                sc.append(scenario(t, "getObj", e, c, p, tcp, pos, failures=fails,
                                   hgrm=(t, e, c) != ("amqp", 100, 2),
                                   last_error="deadline exceeded | after 5000 ms" if fails else None,
                                   wire=(t, e, c) != ("xmlrpc", 1, 2)))
                pos += 1
    return sc


def main():
    write("small", environment(["tcp", "zmq", "grpc"], ["fib", "getObj"], [1, 4], [100],
                               "2026-11-21T17:00:00Z", "1111111"), small())
    write("small-b", environment(["tcp", "zmq", "grpc"], ["fib", "getObj", "sendObj"], [1, 4], [100],
                                 "2026-11-21T18:00:00Z", "2222222"), small(True))
    write("sweep", environment(["tcp", "amqp", "xmlrpc"], ["getObj"], [1, 2, 4], [1, 100, 1000],
                               "2026-11-21T17:30:00Z", "3333333"), sweep())


if __name__ == "__main__":
    main()
