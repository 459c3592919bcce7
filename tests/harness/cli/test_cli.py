"""The command line as a new user meets it: help and version, error
messages that echo the value, exit statuses, Ctrl-C, the process title, and
the figures' definitions in results.json / results.csv / report.md.

Each check names the defect it guards; they fail on the code before these checks
(help printed the global usage, `run` exited 0 with every call failed,
Ctrl-C wrote nothing, argv was cut in place, max was a median of maxima,
per-call figures of a scenario without a verified call were numbers...).
"""
import csv
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time

import rbtest
from relay import Relay

B = rbtest.RPCBENCH
COMMANDS = ["list", "serve", "call", "run", "report", "compare", "codecs"]
checks = rbtest.Checks()


def rb(*args, timeout=300, env=None):
    p = subprocess.run([B] + list(args), capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def tmpdir(name):
    return os.path.join(tempfile.mkdtemp(prefix="rb-cli-"), name)


def load(out):
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


# ---- help and version -------------------------------------------------------

def help_and_version():
    for c in COMMANDS:
        for args in ([c, "--help"], ["help", c]):
            rc, out, err = rb(*args)
            checks.eq("%s: exit" % " ".join(args), rc, 0)
            checks.true("%s: its own usage on stdout" % " ".join(args),
                        out.startswith("usage: rpcbench " + c), out[:60])
            checks.eq("%s: nothing on stderr" % " ".join(args), err, "")
    # The overview comes from the command table: each command once, on one
    # line, its options only in its own usage.
    rc, over, err = rb("help")
    checks.eq("help: exit", rc, 0)
    for c in COMMANDS:
        lines = [l for l in over.splitlines() if l.split()[:1] == [c]]
        checks.eq("overview names %s on one line" % c, len(lines), 1)
    checks.true("overview leaves the options to each command's usage",
                "--listen" not in over and "--transports" not in over, over)
    rc, _, err = rb()
    checks.eq("no command: exit 2", rc, 2)
    checks.eq("no command: the overview on stderr", err, over)
    rc, _, err = rb("nosuch")
    checks.eq("unknown command: exit 2", rc, 2)
    checks.true("unknown command: says so", "unknown command 'nosuch'" in err, err[:80])
    rc, out, _ = rb("--version")
    checks.eq("--version: exit", rc, 0)
    checks.true("--version: rpcbench's version first", out.startswith("rpcbench "), out[:40])
    _, listing, _ = rb("list")
    for line in listing.splitlines():
        name = line.split()[0]
        checks.true("--version names %s with its library" % name, ("  %s " % name) in out)


# ---- list --brokers ---------------------------------------------------------

# The broker each broker transport goes through, and its URL variable
# (brokers/rabbitmq/rabbitmq.c); a transport not named here is direct.
BROKER_OF = {"amqp": "rabbitmq", "amqp-queue": "rabbitmq", "amqp-durable": "rabbitmq",
             "amqp-quorum": "rabbitmq-cluster", "nats": "nats", "nats-js": "nats"}
URL_ENV = {"rabbitmq": "RPCBENCH_AMQP_URL", "rabbitmq-cluster": "RPCBENCH_AMQP_CLUSTER_URL",
           "nats": "RPCBENCH_NATS_URL"}


def brokers_listed():
    """`list --brokers`: the brokers the built transports need, each once, in
    the transports' order, one name a line (scripts/lib.sh greps it); the
    overview names each one's URL variable."""
    _, listing, _ = rb("list")
    built = [l.split()[0] for l in listing.splitlines()]
    want = []
    for t in built:
        b = BROKER_OF.get(t)
        if b and b not in want:
            want.append(b)
    rc, out, err = rb("list", "--brokers")
    checks.eq("list --brokers: exit", rc, 0)
    checks.eq("list --brokers: nothing on stderr", err, "")
    checks.eq("list --brokers: the built transports' brokers, one a line", out.splitlines(), want)
    checks.eq("list --brokers: ends with a newline or is empty", out == "" or out.endswith("\n"), True)
    rc, over, _ = rb("help")
    for b in want:
        checks.true("overview names %s's URL variable" % b, ("  %s " % URL_ENV[b]) in over, over)
    checks.eq("overview: no broker text without broker transports",
              "Broker transports" in over, bool(want))
    checks.true("overview: no product-specific sentence", "AMQP transports read" not in over, over)
    for args, text in ((["list", "--brokers", "x"], "'x'"), (["list", "--nosuch"], "'--nosuch'")):
        rc, out, err = rb(*args)
        checks.eq("%s: exit" % " ".join(args), rc, 2)
        checks.true("%s: says what was wrong" % " ".join(args), text in err, err)
        checks.eq("%s: nothing on stdout" % " ".join(args), out, "")


# ---- messages ---------------------------------------------------------------

def messages():
    cases = [
        (["call", "tcp", "fib", "3", "--connect", "127.0.0.1"], 2, "127.0.0.1"),
        (["call", "fib"], 2, "missing TRANSPORT"),
        (["call", "tcp"], 2, "missing METHOD"),
        (["call", "tcp", "fib"], 2, "fib needs its argument"),
        (["run", "--duration", "abc"], 2, "'abc'"),
        (["run", "--duration", "2x"], 2, "'2x'"),
        (["run", "--concurrency", "1,x"], 2, "'x'"),
        (["run", "--pin", "0"], 2, "'0'"),
        (["run", "--transports", "tcp", "--connect", "nosuch=1"], 2, "'nosuch=1'"),
        (["serve"], 2, "missing TRANSPORT"),
        (["serve", "tcp", "--threads", "0"], 2, "'0'"),
        (["codecs", "--fib-n", "93"], 2, "'93'"),
        # the argument is checked before connecting: a usage error, not a
        # refused connection
        (["call", "tcp", "sendObj", '{"a":"x"}', "--connect", "127.0.0.1:1"], 2,
         "must be integers"),
        (["call", "tcp", "sendObj", "12x", "--connect", "127.0.0.1:1"], 2, "'12x'"),
    ]
    for args, want_rc, want_text in cases:
        rc, _, err = rb(*args)
        checks.eq("%s: exit" % " ".join(args), rc, want_rc)
        checks.true("%s: says %r" % (" ".join(args), want_text), want_text in err, err.strip())
    d = tempfile.mkdtemp(prefix="rb-cli-empty-")
    rc, _, err = rb("report", d)
    checks.eq("report DIR without results.json: exit", rc, 1)
    checks.true("report DIR without results.json names DIR", d in err, err.strip())


# ---- exit statuses ------------------------------------------------------------

def all_good():
    out = tmpdir("good")
    rc, table, err = rb("run", "--transports", "tcp", "--methods", "fib", "--calls", "300",
                        "--rounds", "2", "--out", out)
    checks.eq("all calls good: exit 0", rc, 0)
    checks.eq("all calls good: nothing on stderr (not a terminal: no progress)", err, "")
    d = load(out)
    checks.eq("complete", d.get("complete"), True)
    checks.true("aggregation says how max is summarised",
                "largest" in d.get("aggregation", {}).get("latency_us.max", ""))
    s = d["scenarios"][0]
    rounds = s["per_round"]
    checks.eq("max is the largest sample of any round", s["latency_us"]["max"],
              max(r["latency_us"]["max"] for r in rounds))
    checks.eq("min is the smallest sample of any round", s["latency_us"]["min"],
              min(r["latency_us"]["min"] for r in rounds))
    checks.eq("calls are summed over rounds", s["calls"], sum(r["calls"] for r in rounds))
    checks.true("validity recorded", isinstance(s.get("validity", {}).get("flags"), list))
    for r in rounds:
        v = r["validity"]
        n = r["calls"]
        checks.eq("tail: samples behind p99", v["tail"]["p99"]["samples_behind"],
                  n - math.ceil(0.99 * n - 1e-9))
        checks.true("stationarity halves", sum(v["stationarity"]["samples"]) == r["calls"])
        checks.true("machine state per round", r["machine"] is not None and
                    "steal_fraction" in r["machine"])
        checks.true("server CPU method recorded", r["cpu_method"]["server"] is not None)
        checks.true("server CPU at ns resolution",
                    r["cpu_method"]["server"]["resolution_ns"] == 1, r["cpu_method"])
    with open(os.path.join(out, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    for col in ("entries", "concurrency", "rounds", "calls", "failures_timeout",
                "stale_replies", "server_max_rss_kb"):
        checks.true("results.csv %s is a whole number" % col, rows[0][col].isdigit(), rows[0][col])
    for col in ("min_us", "p50_us_lo", "p50_us_hi", "ratio_to_tcp_p50", "stale_replies"):
        checks.true("results.csv has %s" % col, col in rows[0])
    checks.eq("results.csv: tcp's ratio to itself", rows[0]["ratio_to_tcp_p50"], "1.000")
    with open(os.path.join(out, "report.md")) as f:
        md = f.read()
    checks.true("report.md has a Validity section", "## Validity" in md)
    checks.true("report.md states the ratio's definition", "median of the per-round ratios" in md)
    checks.true("report.md gives the 1-client evidence it has", "with 1 client has p50" in md)


def some_failed():
    """tcp fine, grpc behind a relay that holds replies past the deadline."""
    out = tmpdir("some")
    with rbtest.Server("grpc") as srv, Relay(srv.port, delay_ms=30, delay_after=55) as relay:
        rc, table, err = rb("run", "--transports", "tcp,grpc", "--methods", "fib", "--calls", "20",
                            "--warmup", "0", "--timeout", "20",
                            "--connect", "grpc=127.0.0.1:%d" % relay.port, "--out", out)
    checks.eq("some calls failed: exit 3", rc, 3)
    last = err.strip().splitlines()[-1] if err.strip() else ""
    checks.true("last stderr line names the failed scenario", "grpc fib" in last and "tcp" not in last,
                last)
    d = load(out)
    g = [s for s in d["scenarios"] if s["transport"] == "grpc"][0]
    checks.eq("grpc: no verified call", g["calls"], 0)
    checks.eq("grpc: per-call wire bytes null without a verified call",
              g["wire_bytes_per_call"]["client"], None)
    checks.eq("grpc: per-call CPU null without a verified call", g["cpu_us_per_call"]["client"], None)


def nothing_measured():
    out = tmpdir("nothing")
    rc, _, err = rb("run", "--transports", "tcp", "--methods", "fib", "--duration", "0.2",
                    "--connect", "tcp=127.0.0.1:1", "--out", out)
    checks.eq("nothing measured: exit 1", rc, 1)
    checks.true("connection refused is said so", "refused" in err.lower(), err.strip())
    checks.true("nothing measured: no results folder", not os.path.exists(out))


def nothing_measured_fault():
    """A fault run whose server refuses every connection measures nothing:
    no folder left, not even one holding the fault's journal (the folder
    used to stay behind with journal.bin in it)."""
    base = tempfile.mkdtemp(prefix="rb-cli-fault0-")
    out = os.path.join(base, "a", "b")
    rc, _, err = rb("run", "--transports", "tcp", "--duration", "0.5", "--fault", "conn-reset",
                    "--connect", "tcp=127.0.0.1:1", "--out", out)
    if rc == 2 and "CAP_NET_ADMIN" in err:
        print("skip: nothing_measured_fault needs CAP_NET_ADMIN (conn-reset)")
        return
    checks.eq("fault run, nothing measured: exit 1", rc, 1)
    checks.true("fault run, nothing measured: said so", "nothing was measured" in err, err.strip())
    checks.true("fault run, nothing measured: no results folder", not os.path.exists(out),
                os.listdir(out) if os.path.isdir(out) else "")
    checks.true("fault run, nothing measured: no folder created above it either",
                not os.path.exists(os.path.join(base, "a")))
    # A folder that was there before is left as it was, files and all.
    keep = tempfile.mkdtemp(prefix="rb-cli-keep-")
    with open(os.path.join(keep, "mine.txt"), "w") as f:
        f.write("x")
    rc, _, _ = rb("run", "--transports", "tcp", "--methods", "fib", "--duration", "0.2",
                  "--connect", "tcp=127.0.0.1:1", "--out", keep)
    checks.eq("existing folder, nothing measured: exit 1", rc, 1)
    checks.eq("existing folder, nothing measured: left as it was", os.listdir(keep), ["mine.txt"])


def interrupted():
    out = tmpdir("int")
    p = subprocess.Popen([B, "run", "--transports", "tcp", "--methods", "fib,getObj",
                          "--duration", "2", "--out", out],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The process title keeps its commas: argv is never cut in place.
    time.sleep(0.5)
    with open("/proc/%d/cmdline" % p.pid, "rb") as f:
        title = f.read().split(b"\0")
    checks.true("process title intact", b"fib,getObj" in title, title)
    # The server's CPU meter (a cgroup named after the run, when root) shows
    # when measuring starts; fib's window ends 2 s later: interrupt during
    # getObj's.
    group = "/sys/fs/cgroup/cpuacct/rpcbench-%d" % p.pid
    deadline = time.monotonic() + 30
    while os.path.isdir("/sys/fs/cgroup/cpuacct") and os.getuid() == 0 and \
            time.monotonic() < deadline and not os.path.isdir(group):
        time.sleep(0.05)
    time.sleep(3.2)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    checks.eq("Ctrl-C: exit 130", p.returncode, 130)
    if not os.path.exists(os.path.join(out, "results.json")):
        checks.true("Ctrl-C: the finished scenario is written", False, err)
        return
    d = load(out)
    checks.eq("Ctrl-C: complete is false", d.get("complete"), False)
    checks.eq("Ctrl-C: the finished scenario only", [s["method"] for s in d["scenarios"]], ["fib"])
    with open(os.path.join(out, "report.md")) as f:
        checks.true("report.md says so at the top", "Incomplete run" in f.read()[:400])
    # Interrupted before anything finished: no folder.
    out2 = tmpdir("int0")
    p = subprocess.Popen([B, "run", "--transports", "tcp", "--methods", "fib", "--duration", "5",
                          "--out", out2], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=60)
    checks.eq("Ctrl-C before anything finished: exit 130", p.returncode, 130)
    checks.true("Ctrl-C before anything finished: no folder", not os.path.exists(out2))


def amqp_connect_wire(url):
    """--connect amqp=QUEUE: the client hop is shown (marked), not '-'."""
    queue = "rb-cli-%d" % os.getpid()
    with rbtest.Server("amqp", "--queue", queue, listen=None):
        rc, table, err = rb("run", "--transports", "amqp", "--methods", "fib", "--calls", "200",
                            "--connect", "amqp=" + queue, "--out", tmpdir("amqpc"))
    checks.eq("amqp --connect: exit", rc, 0)
    row = [l for l in table.splitlines() if l.startswith("amqp")]
    cells = row[0].split() if row else []
    checks.true("amqp --connect: the terminal shows the client hop, marked *",
                len(cells) > 11 and cells[11].endswith("*") and cells[11][:-1].isdigit(), row)


help_and_version()
brokers_listed()
messages()
all_good()
some_failed()
nothing_measured()
nothing_measured_fault()
interrupted()
if os.environ.get("RPCBENCH_AMQP_URL"):
    amqp_connect_wire(os.environ["RPCBENCH_AMQP_URL"])
else:
    print("amqp case skipped: RPCBENCH_AMQP_URL is not set", file=sys.stderr)
checks.exit()
