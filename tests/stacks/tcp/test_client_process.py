"""Each round's clients run in a process forked for the round (loadgen.h):
single-threaded with one connection, a thread per connection with more, and
rpcbench's own process never starts a thread, even with gRPC in the run. ^C (SIGINT to rpcbench
alone) ends the round in the client process too, and no client process
outlives the run. Real processes, read from /proc while the round runs."""
import os
import signal
import subprocess
import tempfile
import time

from rbtest import RPCBENCH, Checks, Server

c = Checks()


def children(pid):
    """The pids whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after ')'
        if int(st.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d))
    return out


def threads(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def start_run(endpoint, out, concurrency, duration):
    return subprocess.Popen([RPCBENCH, "run", "--transports", "tcp", "--methods", "fib",
                             "--concurrency", str(concurrency), "--duration", str(duration),
                             "--warmup", "10", "--connect", "tcp=" + endpoint, "--out", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def client_of(run):
    """The client process of the running round, with its thread count once
    its workers are up (the count read twice, the same)."""
    for _ in range(400):
        kids = [k for k in children(run.pid) if threads(k)]
        if kids:
            n = threads(kids[0])
            time.sleep(0.3)
            if n and threads(kids[0]) == n:
                return kids[0], n
        time.sleep(0.05)
    return None, None


with Server("tcp") as srv:
    for conc, want in ((1, 1), (3, 4)):   # 3 connections: 3 workers + the waiting main
        with tempfile.TemporaryDirectory() as out:
            run = start_run(srv.endpoint, out, conc, 3)
            kid, n = client_of(run)
            c.true("c=%d: a client process under rpcbench" % conc, kid is not None)
            c.eq("c=%d: client process threads" % conc, n, want)
            c.eq("c=%d: rpcbench's own threads while the round runs" % conc, threads(run.pid), 1)
            _, err = run.communicate(timeout=120)
            c.eq("c=%d: exit status" % conc, run.returncode, 0)
            c.true("c=%d: results written" % conc, os.path.exists(os.path.join(out, "results.json")),
                   err)
            c.true("c=%d: the client process is gone" % conc, kid is None or threads(kid) is None)

    # A run with a stack whose library starts threads when initialised
    # (gRPC): rpcbench initialises and probes it in child processes too, so
    # its own process stays at one thread for the whole run.
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.Popen([RPCBENCH, "run", "--transports", "tcp,grpc", "--methods", "fib",
                                "--concurrency", "1", "--duration", "1", "--rounds", "2",
                                "--warmup", "10", "--out", out],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        most, seen = 0, 0
        while run.poll() is None:
            n = threads(run.pid)
            most = max(most, n or 0)
            seen += 1
            time.sleep(0.02)
        _, err = run.communicate()
        c.eq("tcp,grpc: exit status", run.returncode, 0)
        c.true("tcp,grpc: sampled while running", seen > 10, seen)
        c.eq("tcp,grpc: rpcbench's own threads, most seen", most, 1)

    # ^C to rpcbench alone, in a 60 s round: the client process ends its
    # round too, and the run ends long before the round would have.
    with tempfile.TemporaryDirectory() as out:
        run = start_run(srv.endpoint, out, 1, 60)
        kid, _ = client_of(run)
        c.true("interrupt: a client process", kid is not None)
        run.send_signal(signal.SIGINT)
        try:
            run.communicate(timeout=30)
            ended = True
        except subprocess.TimeoutExpired:
            run.kill()
            run.communicate()
            ended = False
        c.true("interrupt: rpcbench ended before the 60 s round would have", ended)
        c.true("interrupt: the client process is gone", kid is None or threads(kid) is None)

c.exit()
