"""Hostile input against the tcp server (memory and connections).

Memory: requests just under the 16 MiB byte limit made of many tiny
MessagePack values (nils, empty maps and arrays, empty-map entries) must not
make the server's memory balloon: with 4 such requests at once its peak RSS
(VmHWM) stays within a bound of its baseline, each request is refused with
"too large" (RB_ETOOBIG), memory is given back afterwards, and a good call
still works.

Connections: 1,000 idle connections and slowloris connections (a partial frame
dribbled slowly) held open must not lock a new client out nor cost a thread
each: a good call is answered within its 5 s deadline, the server's thread
count stays bounded, and the slowest connections are the ones shed.
"""
import socket
import struct
import threading
import time

from rbtest import Checks, MemoryWatch, Server, call, proc_status_kb
from tcp_frames import frame, read_reply

c = Checks()
LIMIT = 16 << 20           # the server's default request limit, bytes
RB_ETOOBIG = -2


def tiny_elements_request(kind):
    """[1, "sendObj", [X]] just under LIMIT bytes, X of ~16 M one-byte values."""
    head = b"\x93\x01\xa7sendObj\x91"
    if kind == "array":
        # array32 of nil, {}, [] in turn
        n = LIMIT - len(head) - 5 - 16
        body = head + b"\xdd" + struct.pack(">I", n) + (b"\xc0\x80\x90" * (n // 3 + 1))[:n]
    else:
        # map32 of nil -> {} entries (two bytes an entry)
        n = (LIMIT - len(head) - 5 - 16) // 2
        body = head + b"\xdf" + struct.pack(">I", n) + b"\xc0\x80" * n
    assert len(body) <= LIMIT
    return frame(body)


def good_call(srv, what, timeout_ms=5000):
    t0 = time.monotonic()
    rc, out, _ = call("tcp", "fib", 30, connect=srv.endpoint, timeout_ms=timeout_ms, check=False)
    took = time.monotonic() - t0
    c.eq("fib(30) after " + what, (rc, out and out.get("result")), (0, 832040))
    return took


# ---- memory amplification -----------------------------------------------------

with Server("tcp") as srv:
    pid = srv.proc.pid
    good_call(srv, "start")
    mem = MemoryWatch(pid)
    replies = [None] * 4
    reqs = [tiny_elements_request("array" if i % 2 == 0 else "map") for i in range(4)]

    def send_one(i):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=60)
        try:
            s.sendall(reqs[i])
            replies[i] = read_reply(s)
        except OSError as e:
            replies[i] = e
        finally:
            s.close()

    ts = [threading.Thread(target=send_one, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    for i, r in enumerate(replies):
        ok = isinstance(r, list) and r[0] == 1 and r[1] == RB_ETOOBIG and isinstance(r[2], str)
        c.true("many-tiny-element request %d refused with 'too large', id named" % i, ok, r)
    # 4 requests' bytes are 64 MiB; decoding them as msgpack-c would is ~1.6 GiB
    mem.check(c)
    c.true("server alive after the requests", srv.alive())
    good_call(srv, "many-tiny-element requests")

# ---- idle and slow connections -------------------------------------------------

with Server("tcp") as srv:
    pid = srv.proc.pid
    slow = []
    for _ in range(10):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(struct.pack(">I", 1000) + b"\x93")   # a frame that never completes
        slow.append(s)
    idle = []
    for _ in range(1000):
        idle.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
    for s in slow:                                      # dribble one more byte
        try:
            s.sendall(b"\x01")
        except OSError:
            pass
    time.sleep(0.5)
    threads = proc_status_kb(pid, "Threads")
    c.true("server threads bounded with 1,010 connections held (%d)" % threads, threads <= 300)
    took = good_call(srv, "1,000 idle and 10 slowloris connections")
    c.true("good call answered within its 5 s deadline (%.2f s)" % took, took < 5)
    shed = 0
    for s in slow:
        s.settimeout(2)
        try:
            shed += s.recv(1) == b""
        except ConnectionResetError:
            shed += 1
        except OSError:
            pass
    c.eq("slowloris connections shed first", shed, len(slow))
    for s in slow + idle:
        s.close()
    good_call(srv, "the held connections closed")
    c.true("server alive", srv.alive())

c.exit()
