"""Hostile input against `rpcbench serve zmq` (memory and connections).

Memory: events just under the 16 MiB byte limit made of many tiny
MessagePack values (nils, empty maps and arrays, empty-map entries), 4 at
once from 4 clients, must not make the server's memory balloon: its peak RSS
(VmHWM) stays within a bound of its baseline, each event is refused with an
ERR "RequestTooLarge" on its own channel, memory is given back, and a good
call works afterwards.

Connections: 1,000 idle connections and slow ones (a ZMTP greeting cut short and
dribbled) held open must not lock a new client out: a good call is answered
within its 5 s deadline, and the connections that never finish their
handshake are shed (closed by the server) within seconds, not kept.
"""
import os
import select
import socket
import struct
import threading
import time

import msgpack

from rbtest import Checks, MemoryWatch, Server, call
from zerorpc_proto import Client, new_id, unpack_event

c = Checks()
LIMIT = 16 << 20


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def tiny_elements_event(mid, kind):
    """[header, "sendObj", [X]] just under LIMIT bytes, X of ~16 M one-byte values."""
    head = b"\x93" + msgpack.packb({"message_id": mid, "v": 3}) + msgpack.packb("sendObj") + b"\x91"
    room = LIMIT - len(head) - 5 - 64
    if kind == "array":
        return head + b"\xdd" + struct.pack(">I", room) + (b"\xc0\x80\x90" * (room // 3 + 1))[:room]
    n = room // 2   # map32 of nil -> {} entries
    return head + b"\xdf" + struct.pack(">I", n) + b"\xc0\x80" * n


def closed_by_peer(s, deadline):
    """True when the server closes s before deadline (its greeting bytes,
    which libzmq sends first, are read and dropped)."""
    while True:
        s.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            if s.recv(4096) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except OSError:
            return False


def good_call(srv, what):
    """fib(30) with a 5 s deadline; returns the call's latency in s as
    rpcbench measured it (the deadline's clock, not this process's start)."""
    rc, out, _ = call("zmq", "fib", 30, connect=srv.endpoint, timeout_ms=5000, check=False)
    c.eq("fib(30) after " + what, (rc, isinstance(out, dict) and out.get("result")), (0, 832040))
    return (out.get("latency_us") or 0) / 1e6 if isinstance(out, dict) else float("inf")


def connect_accepted(host, port, n, deadline):
    """n connections, opened in batches the server's listen backlog holds
    (libzmq's is 100), each batch only once the server has accepted every
    connection of the one before: libzmq sends its greeting's first bytes on
    accept, so a byte received is an accepted connection. Without batches a
    full backlog drops SYNs and the client retries them seconds later, while
    the server already sheds the first connections. Returns (sockets, how
    many were accepted)."""
    socks, accepted = [], 0
    while len(socks) < n:
        batch = [socket.create_connection((host, port), timeout=5)
                 for _ in range(min(50, n - len(socks)))]
        waiting = list(batch)
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(waiting, [], [], max(deadline - time.monotonic(), 0.01))
            for s in ready:
                try:
                    if s.recv(64):
                        accepted += 1
                except OSError:
                    pass
                waiting.remove(s)
        socks += batch
    return socks, accepted


def wait_until(cond, deadline):
    """Polls cond() until it holds or deadline (time.monotonic()) passes;
    returns its last value."""
    while True:
        v = cond()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(0.05)


# ---- memory amplification -----------------------------------------------------

with Server("zmq") as srv:
    pid = srv.proc.pid
    ep = "tcp://" + srv.endpoint
    good_call(srv, "start")
    mem = MemoryWatch(pid)
    mids = [new_id() for _ in range(4)]
    events = [tiny_elements_event(mids[i], "array" if i % 2 == 0 else "map") for i in range(4)]
    clients = [Client(ep, timeout=60.0) for _ in range(4)]
    replies = [None] * 4

    def send_one(i):
        clients[i].send_raw(events[i])
        replies[i] = clients[i].recv_raw()

    ts = [threading.Thread(target=send_one, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    for i, raw in enumerate(replies):
        got = unpack_event(raw) if raw else None
        ok = got is not None and got[1] == "ERR" and got[2][0] == "RequestTooLarge" \
            and got[0].get("response_to") == mids[i]
        c.true("many-tiny-element event %d: ERR RequestTooLarge on its channel" % i, ok,
               got and (got[0], got[1], got[2][:2]))
    for cl in clients:
        cl.close()
    # 4 events' bytes are 64 MiB; decoding one as msgpack-c would is ~0.4 GiB
    mem.check(c)
    good_call(srv, "many-tiny-element events")

# ---- idle and slow connections -------------------------------------------------

with Server("zmq") as srv:
    pid = srv.proc.pid
    host, port = srv.endpoint.rsplit(":", 1)
    base_fds = fds(pid)
    # Every connection accepted first: what the server holds is then counted,
    # not raced against its 5 s handshake limit (which sheds them).
    held, accepted = connect_accepted(host, int(port), 1000, time.monotonic() + 60)
    slow = []
    for _ in range(10):
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(b"\xff\x00\x00\x00")      # the first bytes of a ZMTP greeting
        slow.append(s)
    c.eq("the server accepted every idle connection", accepted, 1000)
    n = fds(pid)
    c.true("server holds the connections meanwhile (%d fds)" % n, n >= base_fds + 500)
    time.sleep(0.5)
    for s in slow:
        s.sendall(b"\x00")                  # ... dribbled
    took = good_call(srv, "1,000 idle and 10 slow connections")
    c.true("good call answered within its 5 s deadline (%.2f s)" % took, took < 5)
    # Connections that never finish the handshake are closed by the server.
    deadline = time.monotonic() + 9
    closed = sum(closed_by_peer(s, deadline) for s in slow + held[:50])
    c.eq("idle and slow connections shed within 9 s", closed, 60)
    wait_until(lambda: fds(pid) < base_fds + 100, time.monotonic() + 10)
    n = fds(pid)
    c.true("descriptors given back (%d, baseline %d)" % (n, base_fds), n < base_fds + 100)
    for s in slow + held:
        s.close()
    good_call(srv, "the held connections closed")
    c.true("server alive", srv.alive())

c.exit()
