"""`rpcbench serve TRANSPORT` as a command, for
any transport that listens on HOST:PORT: a port in use is "cannot listen"
with the address, the ready line of an IPv6 listener keeps its brackets and
is callable, and every executed request spends the configured --work-us
(rb_service_work) while a refused one does not.

usage: serve_cli.py TRANSPORT"""
import socket
import subprocess
import sys
import tempfile

from rbtest import RPCBENCH, Checks, Server, call

T = sys.argv[1]
c = Checks()

busy = socket.socket()
busy.bind(("127.0.0.1", 0))
busy.listen(1)
addr = "127.0.0.1:%d" % busy.getsockname()[1]
p = subprocess.run([RPCBENCH, "serve", T, "--listen", addr], capture_output=True, text=True,
                   timeout=30)
busy.close()
c.eq("port in use: exit status", p.returncode, 1)
c.true("port in use: says it cannot listen, with the address",
       "cannot listen on " + addr in p.stderr, p.stderr)
c.true("port in use: never 'cannot connect'", "cannot connect" not in p.stderr, p.stderr)
last = (p.stderr.strip().splitlines() or [""])[-1]
c.eq("port in use: the last line says cannot listen", last,
     "rpcbench serve %s: %s" % (T, "cannot listen (address in use, not local, or refused)"))

with Server(T, listen="[::1]:0") as srv:
    c.true("IPv6 ready line in brackets", srv.endpoint.startswith("[::1]:"), srv.endpoint)
    rc, out, _ = call(T, "fib", 10, connect=srv.endpoint)
    c.eq("call to the IPv6 endpoint", out["result"], 55)

# SIGTERM while clients keep the server busy: it stops by itself (the
# contract: within 100 ms; here, before the harness would kill it after 10 s)
with Server(T) as srv:
    load = subprocess.Popen([RPCBENCH, "run", "--transports", T, "--connect", T + "=" + srv.endpoint,
                             "--methods", "fib", "--duration", "30", "--concurrency", "2",
                             "--out", tempfile.mkdtemp(prefix="rb_serve_cli_")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # busy: a call of ours waits behind the load's, and the load is running
        rc, out, _ = call(T, "fib", 10, connect=srv.endpoint)
        c.eq("a call while the load runs", out["result"], 55)
        c.true("the load is running", load.poll() is None)
        c.eq("SIGTERM under load: the server exits by itself, status 0", srv.stop(timeout=10), 0)
    finally:
        load.kill()
        load.wait()

# 300 ms of sleep per executed request: every good call takes at least that
# long (a lower bound the sleep guarantees, whatever the machine's load).
with Server(T, "--work-us", "300000", "--work", "sleep") as srv:
    for args in (("fib", 20), ("getObj",), ("sendObj", 3)):
        rc, out, _ = call(T, *args, connect=srv.endpoint)
        c.true("%s spends --work-us" % args[0], out["latency_us"] >= 300000, out["latency_us"])
c.exit()
