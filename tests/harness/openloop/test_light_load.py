"""The generator adds no tail of its own. At a light offered load on one
connection, the load generator's own process is stopped for 300 ms (SIGSTOP,
then SIGCONT) in the middle of an open-loop run: every call due meanwhile is
sent late, but a call is charged only its wait behind earlier calls on its
connection, never the generator's lateness, so the open-loop p99 stays with
the service time while the generator's lag (generator_lag_us) shows the
stop. The stall test (test_stall.py) is the other half: a stopped *server*
does show in the open-loop p99. Asserts relations, not absolute times."""
import json
import os
import platform
import signal
import subprocess
import tempfile
import time

from rbtest import RPCBENCH, Checks, Server

c = Checks()
RATE = 200           # calls/s: one call every 5 ms on average
DURATION = 2.0       # s
STALL = 0.300        # s: 60 calls due meanwhile, 15 % of the window's
STALL_AT = 1.2       # s after the run starts


# x86_64 system call numbers of a sleeping generator: clock_nanosleep, and
# restart_syscall (a sleep resumed after a signal)
SLEEPING = {"230", "219"}


def stop_while_sleeping(pid, tries=200):
    """SIGSTOP pid at a moment it sleeps until a call is due (not inside a
    call: a call stopped halfway would carry the stop in its service time,
    which is the stack's). Returns True once it is stopped so."""
    for _ in range(tries):
        os.kill(pid, signal.SIGSTOP)
        for _ in range(1000):
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "T":
                    break
            time.sleep(0.0005)
        with open("/proc/%d/syscall" % pid) as f:
            if f.read().split()[0] in SLEEPING or platform.machine() != "x86_64":
                return True
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.002)
    return False


def children(pid):
    """The pids of pid's child processes."""
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


with Server("tcp") as srv, tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "run")
    cmd = [RPCBENCH, "run", "--transports", "tcp", "--connect", "tcp=" + srv.endpoint,
           "--methods", "fib", "--duration", str(DURATION), "--concurrency", "1",
           "--warmup", "50", "--rounds", "1", "--rate", str(RATE), "--out", out]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = []
    try:
        time.sleep(STALL_AT)
        # the round's client process: rpcbench's child (the server is ours)
        stopped = [pid for pid in children(p.pid) if stop_while_sleeping(pid)]
        time.sleep(STALL)
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    stdout, stderr = p.communicate(timeout=120)
    c.eq("run exit status", p.returncode, 0)
    c.true("the generator's process was found and stopped while it slept", len(stopped) >= 1)
    if p.returncode == 0:
        with open(os.path.join(out, "results.json")) as f:
            s = json.load(f)["scenarios"][0]
        lat, svc = s["latency_us"], s["service_time_us"]
        gen, lag = s["generator_lag_us"], s["send_lag_us"]
        print("latency p50/p99 %.1f/%.1f us, service time %.1f/%.1f, send lag p99/max %.1f/%.1f, "
              "generator lag p50/p99/max %.1f/%.1f/%.1f" % (
                  lat["p50"], lat["p99"], svc["p50"], svc["p99"], lag["p99"], lag["max"],
                  gen["p50"], gen["p99"], gen["max"]))
        c.eq("no failed call", sum(s["failures"].values()), 0)
        c.eq("every offered call made", s["calls"], s["offered"])
        c.true("the stop shows in the generator's lag (max >= half the stop)",
               gen["max"] >= 0.5 * STALL * 1e6)
        c.true("and in the send lag", lag["max"] >= 0.5 * STALL * 1e6)
        c.true("not in the latency: open-loop p99 below a quarter of the generator's lag",
               lat["p99"] <= 0.25 * gen["max"])
        c.true("latency never below the service time (p50)", lat["p50"] >= svc["p50"])
        c.true("generator lag <= send lag (p99)", gen["p99"] <= lag["p99"] + 1e-9)
        c.true("the round has its generator lag",
               isinstance(s["per_round"][0]["generator_lag_us"]["p99"], (int, float)))
        with open(os.path.join(out, "report.md")) as f:
            c.true("report.md shows the generator lag", "generator lag p50 / p99" in f.read())
    else:
        print(stdout, stderr)
c.exit()
