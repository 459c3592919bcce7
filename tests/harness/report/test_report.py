#!/usr/bin/python3
"""`rpcbench report` and `rpcbench compare` on the fixtures (make_fixtures.py:
every figure is known) and on a short real run of the tcp floor.

Checks: report.md's tables and notes hold the fixture's values, every plot
is produced and well-formed (SVG parses as XML, PNG has its signature and
size), the plot data follow the hgrm files, the HdrHistogram text (fixture
and runner's) parses, gnuplot missing is reported, compare's ratios and
verdicts, exit codes.
"""
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from rbtest import RPCBENCH, Checks

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIG = b"\x89PNG\r\n\x1a\n"

checks = Checks()


def run(*args, env=None, timeout=120):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([RPCBENCH] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=e)


def parse_hgrm(path):
    """HdrHistogram percentile text -> (rows [(value, pct, count, inv)], summary dict)."""
    rows, summary, header = [], {}, False
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s:
                continue
            if s.startswith("#["):
                for k, v in re.findall(r"(Mean|StdDeviation|Max|Total count)\s*=\s*([0-9.]+)", s):
                    summary[k] = float(v)
                continue
            if s.startswith("Value"):
                header = True
                continue
            if not header:
                raise ValueError("row before header: %r" % s)
            parts = s.split()
            value, pct, count = float(parts[0]), float(parts[1]), int(parts[2])
            inv = float(parts[3]) if len(parts) > 3 and pct < 1 else math.inf
            rows.append((value, pct, count, inv))
    return rows, summary


def check_hgrm(what, path):
    rows, summary = parse_hgrm(path)
    checks.true(what + ": has rows", len(rows) >= 2, path)
    checks.true(what + ": percentiles and values non-decreasing",
                all(b[1] >= a[1] and b[0] >= a[0] for a, b in zip(rows, rows[1:])))
    checks.eq(what + ": last percentile", rows[-1][1], 1.0)
    checks.eq(what + ": total count closes", rows[-1][2], int(summary.get("Total count", -1)))
    checks.true(what + ": max closes", abs(rows[-1][0] - summary.get("Max", -1)) < 1e-3)
    return rows


def md_table(md, heading):
    """The first markdown table after `heading`, as a list of dicts."""
    i = md.index(heading + "\n")
    lines = md[i:].split("\n")
    start = next(k for k, l in enumerate(lines) if l.startswith("|"))
    hdr = [c.strip() for c in lines[start].strip("|").split("|")]
    out = []
    for l in lines[start + 2:]:
        if not l.startswith("|"):
            break
        out.append(dict(zip(hdr, [c.strip() for c in l.strip("|").split("|")])))
    return out


def plot_links(md):
    return re.findall(r"!\[[^\]]*\]\(plots/([A-Za-z0-9._-]+)\.svg\)", md)


def check_plots(what, d, expected):
    md = open(os.path.join(d, "report.md")).read()
    # load-*: the "Under load" section's plots (timelines), tested in tests/harness/openloop
    links = [l for l in plot_links(md) if not l.startswith("load-")]
    checks.eq(what + ": plots linked", sorted(links), sorted(expected))
    for name in expected:
        svg = os.path.join(d, "plots", name + ".svg")
        png = os.path.join(d, "plots", name + ".png")
        try:
            root = ET.parse(svg).getroot()
            checks.eq(what + ": %s.svg root" % name, root.tag, SVG_NS + "svg")
            checks.true(what + ": %s.svg draws paths" % name, len(root.findall(".//" + SVG_NS + "path")) > 5)
        except (ET.ParseError, OSError) as e:
            checks.true(what + ": %s.svg parses" % name, False, str(e))
        try:
            with open(png, "rb") as f:
                head = f.read(24)
            checks.eq(what + ": %s.png signature" % name, head[:8], PNG_SIG)
            checks.eq(what + ": %s.png size" % name, struct.unpack(">II", head[16:24]), (900, 540))
        except OSError as e:
            checks.true(what + ": %s.png exists" % name, False, str(e))
        checks.true(what + ": link " + name, "[PNG](plots/%s.png)" % name in md)
    checks.true(what + ": gnuplot script kept", os.path.exists(os.path.join(d, "plots", "plots.gp")))
    return md


def read_dat_blocks(path):
    """gnuplot data: blocks separated by blank lines, each named by the
    comment line just before it."""
    blocks, cur, name = [], None, None
    for line in open(path):
        s = line.strip()
        if s.startswith("#"):
            name = s[1:].strip()
            continue
        if not s:
            if cur is not None:
                blocks.append(cur)
                cur = None
            continue
        if cur is None:
            cur = {"name": name, "rows": []}
        cur["rows"].append([math.nan if x == "n/a" else float(x) for x in s.split()])
    if cur is not None:
        blocks.append(cur)
    return blocks


def test_small(tmp):
    d = os.path.join(tmp, "small")
    shutil.copytree(os.path.join(FIX, "small"), d)
    p = run("report", d)
    checks.eq("report small: exit", p.returncode, 0)
    checks.eq("report small: prints report path", p.stdout.strip(), d + "/report.md")
    checks.eq("report small: quiet stderr", p.stderr, "")
    md = check_plots("small", d, ["latency-fib-c1", "latency-fib-c4", "latency-getObj-c1",
                                  "latency-getObj-c4", "bytes", "cpu", "throughput-fib",
                                  "throughput-getObj"])
    fib = md_table(md, "### fib")
    checks.eq("fib rows", [(r["transport"], r["clients"]) for r in fib],
              [("tcp", "1"), ("zmq", "1"), ("grpc", "1"), ("tcp", "4"), ("zmq", "4"), ("grpc", "4")])
    zmq = fib[1]
    checks.eq("fib zmq p50", zmq["p50 µs"], "45.0 (42.8–48.1)")
    checks.eq("fib zmq calls/s", zmq["calls/s"], "22222 (20768–23392)")
    checks.eq("fib zmq body", zmq["body B req/rep"], "30 / 40")
    checks.eq("fib zmq wire", zmq["wire B/call"], "130")
    checks.eq("fib zmq cpu", zmq["CPU µs/call client/server/broker"], "9.00 / 7.00 / –")
    checks.eq("fib zmq ratio", zmq["p50 × tcp"], "2.14× (2.10–2.53)")
    checks.eq("fib tcp ratio", fib[0]["p50 × tcp"], "–")
    checks.eq("fib ranks c1", [r["p50 rank"] for r in fib[:3]], ["1", "2", "3"])
    get = md_table(md, "### getObj")
    checks.eq("getObj entries column", get[0]["entries"], "100")
    checks.eq("getObj grpc c4 p50", get[5]["p50 µs"], "104 (98.8–111)")
    checks.eq("getObj c4 ranks: zmq and grpc overlap, same rank", [r["p50 rank"] for r in get[3:]],
              ["1", "2", "2"])
    checks.true("overlap note", "p50 spreads overlap, so these are not ranked against each other: "
                "zmq (95.0–107 µs) and grpc (98.8–111 µs)." in md)
    checks.eq("one p50 overlap note only (fib spreads are disjoint)", md.count("p50 spreads overlap"), 1)
    pay = md_table(md, "## Payload: body bytes per call")
    checks.eq("payload table", [(r["transport"], r["100 entries"]) for r in pay],
              [("tcp", "9 / 1303"), ("zmq", "9 / 1303"), ("grpc", "9 / 1602")])
    checks.true("pick fastest fib", "- Fastest (p50): **zmq**, 45.0 µs, p99 172 µs, "
                "2.14× (2.10–2.53) the tcp floor.\n" in md)
    checks.true("pick smallest wire getObj", "- Smallest on the wire: **zmq**, 1372 bytes per call" in md)
    checks.true("pick cpu", "- Cheapest in CPU: **zmq**, 16.0 µs per call (client 9.00 + server 7.00)." in md)
    checks.true("pick concurrency getObj with tie",
                "- Best under concurrency: **zmq**, 40000 calls/s with 4 clients (2.40× its throughput "
                "with 1); not distinguishable from grpc (the rounds' spreads overlap)." in md)
    props = md_table(md, "### What the numbers do not show")
    # The fixture predates the descriptors in results.json: the rows come
    # from this build's tables, one per transport of the run.
    checks.eq("properties rows", [r["transport"] for r in props], ["tcp", "zmq", "grpc"])
    checks.eq("properties: broker", [r["needs a broker"] for r in props], ["no", "no", "no"])
    checks.eq("properties: grpc schema", props[2]["schema"], "yes (.proto)")
    checks.true("environment manifest", "| git_commit | 1111111 |" in md and "| cores | 2 |" in md)
    checks.true("libraries listed", "| grpc | 1.51.1-3+b1 |" in md and "| rabbitmq-server | n/a |" in md)
    checks.true("parameters listed", "| concurrency | 1, 4 |" in md)
    # The spectrum data follow the hgrm file: x = 1/(1-p), y = value.
    rows = check_hgrm("fixture hgrm", os.path.join(d, "hgrm", "tcp-fib-e0-c1.hgrm"))
    blocks = read_dat_blocks(os.path.join(d, "plots", "latency-fib-c1.dat"))
    checks.eq("spectrum blocks", [b["name"] for b in blocks], ["tcp", "zmq", "grpc"])
    want = [(r[3], r[0]) for r in rows if r[1] < 1]
    got = [(x[0], x[1]) for x in blocks[0]["rows"]]
    checks.eq("spectrum tcp points", len(got), len(want))
    checks.true("spectrum tcp values", all(abs(a[0] - b[0]) <= 1e-3 * b[0] and abs(a[1] - b[1]) < 1e-3
                                           for a, b in zip(got, want)))


def gp_block(d, name):
    """The commands plots.gp draws one chart with (its SVG copy)."""
    gp = open(os.path.join(d, "plots", "plots.gp")).read()
    block = gp.split("\n# --- %s\n" % name)[1].split("\n# --- ")[0]
    return block.split("unset output")[0]


def test_bytes_dat(tmp):
    d = os.path.join(tmp, "small")
    path = os.path.join(d, "plots", "bytes.dat")
    text = open(path).read()
    rows = [l.split() for l in text.splitlines() if l and not l.startswith("#")]
    checks.eq("bytes.dat fib rows", rows[:3], [["tcp", "15", "8"], ["zmq", "70", "60"],
                                               ["grpc", "11", "120"]])
    # One panel per method, each on its own scale, titled with its slice;
    # labels rotated so they do not overlap.
    for chart in ("bytes", "cpu"):
        gp = gp_block(d, chart)
        checks.true(chart + ": a panel per method", "set multiplot layout 1,2" in gp, gp)
        checks.true(chart + ": panels name their slice",
                    "set title 'fib, 1 client'" in gp and "set title 'getObj, 100 entries, 1 client'" in gp, gp)
        checks.true(chart + ": labels rotated", "set xtics rotate by 35" in gp, gp)
    checks.true("bytes.dat names the slice", "# getObj, 100 entries, 1 client" in text, text)
    checks.true("spectrum says it pools the rounds", "every call of all 3 rounds pooled; tables: median round"
                in gp_block(d, "latency-fib-c1"))
    tp = gp_block(d, "throughput-fib")
    checks.true("throughput on log axes", "set logscale y" in tp and "set yrange [0:*]" not in tp, tp)
    # A transport keeps its colour from chart to chart.
    colours = [re.findall(r"lc rgb '(#[0-9a-f]+)' title '(\w+)'", gp_block(d, c))
               for c in ("latency-fib-c1", "throughput-fib", "latency-getObj-c4")]
    checks.eq("colours per transport", {t: c for c, t in colours[0]}, {t: c for c, t in colours[1]})
    checks.eq("colours differ", len(set(c for c, t in colours[0])), len(colours[0]))


def test_sweep(tmp):
    d = os.path.join(tmp, "sweep")
    shutil.copytree(os.path.join(FIX, "sweep"), d)
    p = run("report", os.path.join(d, "results.json"))
    checks.eq("report sweep (results.json path): exit", p.returncode, 0)
    md = check_plots("sweep", d, ["latency-getObj-c1", "latency-getObj-c2", "latency-getObj-c4",
                                  "bytes", "cpu", "p50-entries-getObj", "bytes-entries-getObj",
                                  "throughput-getObj"])
    fails = md_table(md, "## Failed calls")
    checks.eq("failures table", [(r["transport"], r["entries"], r["clients"], r["timeout"], r["wrong_reply"])
                                 for r in fails], [("xmlrpc", "100", "4", "3", "1")])
    checks.true("failures: last error escaped in markdown", "| deadline exceeded \\| after 5000 ms |" in md)
    rows = md_table(md, "### getObj")
    nowire = [r for r in rows if (r["entries"], r["transport"], r["clients"]) == ("1", "xmlrpc", "2")][0]
    checks.eq("null wire shown as n/a", nowire["wire B/call"], "n/a")
    checks.true("n/a explained", "n/a: not measured (wire bytes cannot be counted" in md)
    checks.true("fallback note", "1 latency curve is drawn from the summary percentiles" in md)
    amqp = [r for r in md_table(md, "### getObj") if r["transport"] == "amqp"][0]
    checks.eq("amqp wire: total with the client hop", amqp["wire B/call"], "442 (client hop 221)")
    checks.eq("amqp cpu with broker", amqp["CPU µs/call client/server/broker"], "11.0 / 9.00 / 30.0")
    pay = md_table(md, "## Payload: body bytes per call")
    checks.eq("payload sweep xmlrpc", [pay[2][k] for k in ("1 entry", "100 entries", "1000 entries")],
              ["140 / 194", "140 / 7520", "140 / 74120"])
    props = md_table(md, "### What the numbers do not show")
    checks.eq("sweep properties: amqp needs RabbitMQ",
              [r["needs a broker"] for r in props if r["transport"] == "amqp"], ["yes (RabbitMQ)"])
    checks.true("pick: failing xmlrpc left out at 4 clients",
                "- Best under concurrency: **amqp**, 10796 calls/s with 4 clients" in md)
    blocks = read_dat_blocks(os.path.join(d, "plots", "entries-getObj.dat"))
    checks.eq("entries data: tcp x", [r[0] for r in blocks[0]["rows"]], [1.0, 100.0, 1000.0])
    checks.eq("entries data: tcp body", [r[2] for r in blocks[0]["rows"]], [25.0, 1312.0, 13012.0])


def test_null_wire_plots(tmp):
    """A transport whose wire bytes are null (xmlrpc-close: a connection per
    call) is n/a in the bar chart's data and labelled so, never a bar of its
    body alone; it keeps its body line (and its key) against entries. The
    AMQP bars stack the broker-to-server hop."""
    d = os.path.join(tmp, "sweep-close")
    shutil.copytree(os.path.join(FIX, "sweep"), d)
    path = os.path.join(d, "results.json")
    doc = json.load(open(path))
    extra = []
    for sc in doc["scenarios"]:
        if sc["transport"] == "xmlrpc":
            c = json.loads(json.dumps(sc))
            c["transport"] = "xmlrpc-close"
            c["wire_bytes_per_call"] = {"client": None, "total": None}
            for r in c["per_round"]:
                r["wire_bytes_per_call"] = {"client": None, "total": None}
            extra.append(c)
    doc["scenarios"] += extra
    json.dump(doc, open(path, "w"))
    p = run("report", d)
    checks.eq("null wire: report exit", p.returncode, 0)
    rows = {r[0]: r for r in (l.split() for l in open(os.path.join(d, "plots", "bytes.dat"))
                              if l.strip() and not l.startswith("#"))}
    checks.eq("bytes.dat: xmlrpc-close is n/a, not its body", rows["xmlrpc-close"][1:3], ["n/a", "n/a"])
    amqp = [x["wire_bytes_per_call"] for x in doc["scenarios"] if x["transport"] == "amqp"
            and x["entries"] == 100 and x["concurrency"] == 1][0]
    checks.eq("bytes.dat: amqp stacks the broker-server hop (total - client)",
              float(rows["amqp"][3]), amqp["total"] - amqp["client"])
    checks.true("bytes.dat: the hop is not 0", amqp["total"] - amqp["client"] > 0)
    checks.eq("bytes.dat: a direct transport has no second hop", rows["tcp"][3], "0")
    gp = gp_block(d, "bytes")
    checks.true("bytes: n/a written over the bar", "set label 'wire n/a' at first 3," in gp, gp)
    checks.true("bytes: both hops in the key", "title 'broker-server hop'" in gp, gp)
    ent = gp_block(d, "bytes-entries-getObj")
    checks.true("bytes-entries: xmlrpc-close drawn with a key",
                "title 'xmlrpc-close (wire n/a: body only)'" in ent, ent)
    checks.true("bytes-entries: the dashed body lines are in the key", "title 'dashed: body'" in ent, ent)
    for t in ("tcp", "amqp", "xmlrpc"):
        m = re.search(r"lc rgb '(#[0-9a-f]+)' title '%s', '' index \d+ using 1:3 with lines lw 1.5 dt 2 "
                      r"lc rgb '(#[0-9a-f]+)'" % t, ent)
        checks.true("bytes-entries: %s's body line in its colour" % t, m and m.group(1) == m.group(2), ent)
    check_plots("sweep-close", d, ["latency-getObj-c1", "latency-getObj-c2", "latency-getObj-c4",
                                   "bytes", "cpu", "p50-entries-getObj", "bytes-entries-getObj",
                                   "throughput-getObj"])


def test_descriptors(tmp):
    """What a run recorded about its transports (environment.transports)
    wins over this build's tables: order, floor, broker, properties."""
    d = os.path.join(tmp, "desc")
    shutil.copytree(os.path.join(FIX, "small"), d)
    path = os.path.join(d, "results.json")
    doc = json.load(open(path))
    props = {"human_readable": "h-zmq", "schema": "s-zmq", "streaming": "st-zmq",
             "stdlib": "lib-zmq", "restart": "r-zmq"}
    doc["environment"]["transports"] = {
        "zmq": {"order": 1, "is_floor": False, "broker": "rabbitmq", "wire": "w",
                "properties": props, "packages": {"czmq": "libczmq4"}},
        "grpc": {"order": 2, "is_floor": True, "broker": "none", "properties": {}},
        "tcp": {"order": 3, "is_floor": False, "broker": "none"},
    }
    json.dump(doc, open(path, "w"))
    p = run("report", d, env={"RPCBENCH_GNUPLOT": ""})
    checks.eq("descriptors: exit", p.returncode, 0)
    md = open(os.path.join(d, "report.md")).read()
    rows = md_table(md, "### What the numbers do not show")
    checks.eq("descriptors: order from results.json",
              [r["transport"] for r in rows], ["zmq", "grpc", "tcp"])
    checks.eq("descriptors: zmq's recorded properties",
              [rows[0][k] for k in ("needs a broker", "survives a server restart", "schema")],
              ["yes (RabbitMQ)", "r-zmq", "s-zmq"])
    checks.eq("descriptors: missing properties are n/a", rows[1]["schema"], "n/a")
    checks.true("descriptors: the recorded floor names the ratio columns",
                "| p50 × grpc |" in md and "`grpc` is the floor" in md, md[:2000])
    fib = md_table(md, "### fib")
    checks.eq("descriptors: table order", [r["transport"] for r in fib][:3], ["zmq", "grpc", "tcp"])


def test_no_gnuplot(tmp):
    d = os.path.join(tmp, "nognuplot")
    shutil.copytree(os.path.join(FIX, "small"), d)
    p = run("report", d, env={"RPCBENCH_GNUPLOT": ""})
    checks.eq("no gnuplot: exit 0", p.returncode, 0)
    checks.true("no gnuplot: said on stderr", "gnuplot not found" in p.stderr, p.stderr)
    md = open(os.path.join(d, "report.md")).read()
    checks.true("no gnuplot: note in report", "gnuplot was not found, so no plot was drawn" in md)
    checks.eq("no gnuplot: no plot linked", plot_links(md), [])
    checks.true("no gnuplot: tables still there", "| tcp | 1 | 20.0 (19.0–21.4) |" in md)
    checks.eq("no gnuplot: no svg", [f for f in os.listdir(os.path.join(d, "plots")) if f.endswith(".svg")], [])
    # gnuplot failing (here: /bin/false) is reported too
    p = run("report", d, env={"RPCBENCH_GNUPLOT": "/bin/false"})
    checks.eq("failing gnuplot: exit 0", p.returncode, 0)
    md = open(os.path.join(d, "report.md")).read()
    checks.true("failing gnuplot: note", "gnuplot failed (exit status 1)" in md)


def test_errors(tmp):
    p = run("report")
    checks.eq("report without DIR: usage", p.returncode, 2)
    # Numbers are parsed whole (args.c): trailing text is a usage error that
    # echoes the value, never a silent 1.
    for opt, val in (("--duration", "1s"), ("--rounds", "3x"), ("--calls", "1e3")):
        p = run("run", opt, val, "--out", os.path.join(tmp, "never"))
        checks.eq("run %s %s: usage error" % (opt, val), p.returncode, 2)
        checks.true("run %s %s: echoes the value" % (opt, val), "got '%s'" % val in p.stderr, p.stderr)
    checks.true("run with bad numbers: no folder", not os.path.exists(os.path.join(tmp, "never")))
    p = run("report", os.path.join(tmp, "does-not-exist"))
    checks.eq("report missing folder: exit 1", p.returncode, 1)
    checks.true("report missing folder: says so", "cannot read" in p.stderr, p.stderr)
    bad = os.path.join(tmp, "bad")
    os.mkdir(bad)
    with open(os.path.join(bad, "results.json"), "w") as f:
        f.write('{"schema": 7, "scenarios": []}')
    p = run("report", bad)
    checks.eq("report schema 7: exit 1", p.returncode, 1)
    checks.true("report schema 7: says so", "schema 1" in p.stderr, p.stderr)
    checks.true("report schema 7: no report.md", not os.path.exists(os.path.join(bad, "report.md")))
    p = run("compare", FIX + "/small")
    checks.eq("compare with one run: usage", p.returncode, 2)
    p = run("compare", FIX + "/small", bad)
    checks.eq("compare with a bad run: exit 1", p.returncode, 1)


def compare_rows(out):
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+ \S+(?: e\d+)? c\d+)\s+(.*)$", line)
        if not m:
            continue
        cells = re.findall(r"(n/a|\d+\.\d+ (?:better|worse|~|\?))", m.group(2))
        rows[m.group(1)] = cells
    return rows


def test_compare(tmp):
    p = run("compare", FIX + "/small", FIX + "/small-b/results.json")
    checks.eq("compare: exit", p.returncode, 0)
    rows = compare_rows(p.stdout)
    checks.eq("compare: common scenarios", len(rows), 11)
    checks.eq("compare: zmq fib c1 (40 % faster, 5 B more)", rows.get("zmq fib c1"),
              ["0.600 better", "0.600 better", "1.667 better", "1.038 worse"])
    checks.eq("compare: grpc getObj c4 (4 % slower, overlapping)", rows.get("grpc getObj e100 c4"),
              ["1.038 ~", "1.038 ~", "0.963 ~", "1.000 ~"])
    checks.eq("compare: tcp unchanged", rows.get("tcp fib c1"), ["1.000 ~"] * 4)
    checks.true("compare: dropped scenario absent", "grpc fib c4" not in rows)
    checks.true("compare: summary", "11 scenarios in both, 1 only in A, 1 only in B; 4 real changes "
                "(3 better, 1 worse)." in p.stdout, p.stdout)
    # Swapped: the same change seen from the other side.
    p = run("compare", FIX + "/small-b", FIX + "/small")
    rows = compare_rows(p.stdout)
    checks.eq("compare swapped: zmq fib c1", rows.get("zmq fib c1"),
              ["1.667 worse", "1.667 worse", "0.600 worse", "0.963 better"])
    # One round: no spread, so nothing is called real.
    one = os.path.join(tmp, "one-round")
    os.mkdir(one)
    doc = json.load(open(os.path.join(FIX, "small-b", "results.json")))
    for s in doc["scenarios"]:
        s["rounds"] = 1
        s["per_round"] = s["per_round"][:1]
    json.dump(doc, open(os.path.join(one, "results.json"), "w"))
    p = run("compare", FIX + "/small", one)
    rows = compare_rows(p.stdout)
    checks.eq("compare one round: zmq fib c1", rows.get("zmq fib c1"),
              ["0.600 ?", "0.600 ?", "1.667 ?", "1.038 ?"])
    checks.true("compare one round: 0 real", "; 0 real changes" in p.stdout, p.stdout)
    # Nothing in common.
    other = os.path.join(tmp, "other")
    os.mkdir(other)
    json.dump({"schema": 1, "environment": {}, "scenarios": [
        {"transport": "grpc", "method": "sendObj", "entries": 5, "concurrency": 9}]},
        open(os.path.join(other, "results.json"), "w"))
    p = run("compare", FIX + "/small", other)
    checks.eq("compare nothing in common: exit 1", p.returncode, 1)


def test_real_run(tmp):
    """A short real run of the tcp floor: the runner's results.json and hgrm
    files feed the report as the fixtures do."""
    lst = run("list")
    if lst.returncode != 0 or not re.search(r"^\s*tcp\b", lst.stdout, re.M):
        print("skip real run: tcp not built (%s)" % lst.stdout.strip())
        return
    d = os.path.join(tmp, "real")
    p = run("run", "--transports", "tcp", "--methods", "fib,getObj", "--duration", "0.2",
            "--rounds", "2", "--concurrency", "1,2", "--out", d, timeout=300)
    checks.eq("real run: exit", p.returncode, 0)
    if p.returncode != 0:
        print(p.stdout, p.stderr, file=sys.stderr)
        return
    p = run("report", d)
    checks.eq("real report: exit", p.returncode, 0)
    doc = json.load(open(os.path.join(d, "results.json")))
    for s in doc["scenarios"]:
        check_hgrm("runner hgrm " + s["hgrm"], os.path.join(d, s["hgrm"]))
    md = check_plots("real", d, ["latency-fib-c1", "latency-fib-c2", "latency-getObj-c1",
                                 "latency-getObj-c2", "bytes", "cpu", "throughput-fib",
                                 "throughput-getObj"])
    fib = md_table(md, "### fib")
    checks.eq("real fib rows", [(r["transport"], r["clients"]) for r in fib], [("tcp", "1"), ("tcp", "2")])
    s = [x for x in doc["scenarios"] if x["method"] == "fib" and x["concurrency"] == 1][0]
    checks.true("real fib failed 0", fib[0]["failed"] == "0" and sum(s["failures"].values()) == 0)
    checks.true("real: only the floor was run", "only the tcp floor was run" in md)
    env = doc["environment"]
    checks.eq("real: descriptors recorded", sorted(env["transports"]), ["tcp"])
    tcp = env["transports"]["tcp"]
    checks.eq("real: tcp descriptor", (tcp["order"], tcp["is_floor"], tcp["broker"], tcp["packages"]),
              (10, True, "none", {"msgpack-c": "libmsgpackc2"}))
    checks.eq("real: libraries of the run's transports and the harness",
              sorted(env["libraries"]), ["jansson", "msgpack-c"])


def main():
    tmp = tempfile.mkdtemp(prefix="rb-report-")
    try:
        test_small(tmp)
        test_bytes_dat(tmp)
        test_sweep(tmp)
        test_descriptors(tmp)
        test_null_wire_plots(tmp)
        test_no_gnuplot(tmp)
        test_errors(tmp)
        test_compare(tmp)
        test_real_run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    checks.exit()


if __name__ == "__main__":
    main()
