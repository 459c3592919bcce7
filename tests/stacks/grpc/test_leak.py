"""grpc leak check: server and client stay leak-free and flat over a long run.

usage: test_leak.py SERVE_LSAN LOOP_LSAN LOOP [CALLS] [VALGRIND_CALLS]

1. LeakSanitizer (gcc -fsanitize=leak; near native speed): grpc_serve_lsan
   (the transport's server, 2 threads) and grpc_loop_lsan (one client, CALLS
   verified calls, default 100,000: fib, getObj, sendObj and every 100th a
   fib(93) error). Each process checks its heap at exit and exits 23 on a
   leak. The server's RSS after the run is compared with its RSS after a
   20,000-call warm-up: a leak of even 40 bytes per call would add 4 MiB.
2. valgrind memcheck on the real `rpcbench serve grpc` and on grpc_loop,
   VALGRIND_CALLS calls (default 5,000; valgrind runs gRPC ~50x slower):
   no definite leak and no memory error (invalid read/write, uninitialised
   use) in either. Skipped, and said so, when valgrind is not installed.
"""
import os
import shutil
import subprocess
import sys

from rbtest import RPCBENCH, Checks, Server

serve_lsan, loop_lsan, loop = sys.argv[1:4]
calls = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
vg_calls = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
checks = Checks()
LSAN_LEAK_EXIT = 23


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def run_loop(cmd, what, n):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=540)
    sys.stderr.write(p.stderr[-3000:])
    checks.eq("%s: exit status" % what, p.returncode, 0)
    checks.eq("%s: result line" % what, p.stdout.strip().splitlines()[-1:], ["%d passed, 0 failed" % n])


class Proc(Server):
    """Server() for any command that prints the ready line."""

    def __init__(self, cmd, ready_timeout=120):
        super().__init__(None, cmd=cmd, ready_timeout=ready_timeout, stderr=subprocess.PIPE)

    def stop_and_stderr(self, timeout=60):
        rc = self.stop(timeout=timeout)
        return rc, self.proc.stderr.read().decode(errors="replace")


# --- 1. LeakSanitizer, CALLS calls ---------------------------------------
with Proc([serve_lsan, "127.0.0.1:0", "2"]) as srv:
    run_loop([loop_lsan, srv.endpoint, "20000"], "LSan warm-up, 20000 calls", 20000)
    before = rss_kb(srv.proc.pid)
    run_loop([loop_lsan, srv.endpoint, str(calls)], "LSan client, %d calls" % calls, calls)
    after = rss_kb(srv.proc.pid)
    print("server RSS: %d kB after warm-up, %d kB after %d calls" % (before, after, calls))
    checks.true("server RSS flat over %d calls (grew %d kB)" % (calls, after - before),
                before > 0 and after - before < 4096)
    rc, err = srv.stop_and_stderr()
    sys.stderr.write(err[-3000:])
    checks.true("LSan server: no leak at exit", rc != LSAN_LEAK_EXIT and "LeakSanitizer" not in err)
    checks.eq("LSan server: exit status", rc, 0)

# --- 2. valgrind, VALGRIND_CALLS calls -----------------------------------
valgrind = shutil.which("valgrind")
if not valgrind:
    print("valgrind not installed: valgrind part skipped (LeakSanitizer part ran)")
else:
    vg = [valgrind, "-q", "--leak-check=full", "--show-leak-kinds=definite",
          "--errors-for-leak-kinds=definite", "--error-exitcode=99"]
    with Proc(vg + [RPCBENCH, "serve", "grpc", "--listen", "127.0.0.1:0", "--threads", "2"]) as srv:
        run_loop(vg + [loop, srv.endpoint, str(vg_calls)],
                 "valgrind client, %d calls" % vg_calls, vg_calls)
        rc, err = srv.stop_and_stderr(timeout=120)
        sys.stderr.write(err[-3000:])
        checks.eq("valgrind server: exit status (99: leak or memory error)", rc, 0)

checks.exit()
