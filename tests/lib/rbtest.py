"""Shared helpers of rpcbench's Python tests.

Servers run as their own processes: `rpcbench serve T --listen 127.0.0.1:0`
binds an ephemeral port and prints `ready <endpoint>` on stdout once it
accepts calls (broker transports print `ready <queue>`). Tests talk to
loopback only. The rpcbench binary comes from $RPCBENCH (set by CTest).
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

RPCBENCH = os.environ.get("RPCBENCH", "rpcbench")
SOURCE_DIR = os.environ.get("RB_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


class Server:
    """A `rpcbench serve` child process. Use as a context manager."""

    def __init__(self, transport, *args, listen="127.0.0.1:0", ready_timeout=60, env=None,
                 cmd=None, stderr=None):
        """cmd: run this command line instead of `rpcbench serve ...` (e.g.
        under valgrind); it must print the same ready line."""
        if cmd is None:
            cmd = [RPCBENCH, "serve", transport]
            if listen is not None:
                cmd += ["--listen", listen]
            cmd += list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, env=env)
        self.endpoint = None
        deadline = time.monotonic() + ready_timeout
        buf = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                for line in buf.decode(errors="replace").splitlines():
                    if line.startswith("ready "):
                        self.endpoint = line.split(" ", 1)[1].strip()
                        return
            elif self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError("server %s did not print 'ready' (exit %s, output %r)"
                           % (cmd[0] if transport is None else transport, self.proc.returncode, buf))

    @property
    def port(self):
        return int(self.endpoint.rsplit(":", 1)[1])

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stop the server; returns its exit status (killed after timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def call(transport, method, *args, connect=None, timeout_ms=None, check=True, env=None):
    """`rpcbench call`; returns (exit status, parsed JSON of stdout or None, stderr).
    env: the environment of the call (default: ours)."""
    cmd = [RPCBENCH, "call", transport, method] + [str(a) for a in args]
    if connect:
        cmd += ["--connect", connect]
    if timeout_ms is not None:
        cmd += ["--timeout", str(timeout_ms)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    out = None
    if p.stdout.strip():
        try:
            out = json.loads(p.stdout)
        except ValueError:
            out = p.stdout
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p.returncode, out, p.stderr


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Checks:
    """Counts checks like a test runner; exit() prints 'N passed, N failed'."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: got %r, want %r" % (what, got, want), file=sys.stderr)

    def true(self, what, cond, detail=""):
        self.eq(what + (" (%r)" % (detail,) if detail else ""), bool(cond), True)

    def exit(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed or not self.passed else 0)


def proc_status_kb(pid, field):
    """A /proc/PID/status field in KiB (or a count: "Threads"), 0 when absent."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class MemoryWatch:
    """A server's memory before hostile input (taken at construction), and
    the checks after it: its peak stayed bounded and it gave memory back."""

    def __init__(self, pid):
        self.pid = pid
        self.hwm = proc_status_kb(pid, "VmHWM")   # KiB
        self.rss = proc_status_kb(pid, "VmRSS")   # KiB

    def check(self, c, peak_mib=160, back_mib=32, settle_s=0.3):
        """On Checks c: peak RSS (VmHWM) within the baseline + peak_mib MiB;
        after settle_s seconds, RSS within the baseline + back_mib MiB."""
        hwm = proc_status_kb(self.pid, "VmHWM")
        c.true("peak RSS within baseline + %d MiB (baseline %d KiB, peak %d KiB)"
               % (peak_mib, self.hwm, hwm), hwm < self.hwm + peak_mib * 1024)
        time.sleep(settle_s)
        rss = proc_status_kb(self.pid, "VmRSS")
        c.true("memory given back: RSS %d KiB within baseline %d KiB + %d MiB"
               % (rss, self.rss, back_mib), rss < self.rss + back_mib * 1024)


def serve_on_busy_port(transport):
    """`rpcbench serve TRANSPORT` on a port another socket listens on.
    Returns (exit status, stdout, stderr, "127.0.0.1:PORT")."""
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    addr = "127.0.0.1:%d" % busy.getsockname()[1]
    try:
        p = subprocess.run([RPCBENCH, "serve", transport, "--listen", addr],
                           capture_output=True, text=True, timeout=30)
    finally:
        busy.close()
    return p.returncode, p.stdout, p.stderr, addr


class PrivateNode:
    """A RabbitMQ node of the test's own, apart from the shared one:
    scripts/broker with its own folder (under `base`, a new temporary
    folder the test may also use), node name and ports."""

    def __init__(self, tag):
        self.base = tempfile.mkdtemp(prefix="rb-%s-" % tag)
        self.benv = dict(os.environ,
                         RPCBENCH_BROKER_DIR=os.path.join(self.base, "run"),
                         RPCBENCH_BROKER_NODE="%s%d@localhost" % (tag, os.getpid()),
                         RPCBENCH_BROKER_PORT=str(free_port()),
                         RPCBENCH_BROKER_DIST_PORT=str(free_port()))

    def ctl(self, *args):
        """scripts/broker ARGS against this node; its exit status (stderr
        printed on failure)."""
        p = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "broker")] + list(args),
                           env=self.benv, capture_output=True, text=True, timeout=400)
        if p.returncode != 0:
            print(p.stderr)
        return p.returncode

    def env(self):
        """Our environment with the node's broker.env (URL, pid) added:
        read again after each start (a new password and pid)."""
        env = dict(os.environ)
        with open(os.path.join(self.benv["RPCBENCH_BROKER_DIR"], "broker.env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                env[k] = v
        return env
