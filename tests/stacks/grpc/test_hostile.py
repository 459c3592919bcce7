"""Hostile input against `rpcbench serve grpc` (memory, compression,
connections),
with Debian's python3-grpcio and hand-made HTTP/2 where grpcio cannot send
what an attacker sends.

2. Memory: requests just under the 16 MiB limit made of millions of tiny
   fields (empty map entries, unknown fields, an entry stuffed with fields)
   are refused with RESOURCE_EXHAUSTED before protobuf-c unpacks them; four
   at once do not balloon the server and the memory is given back; a large
   valid sendObj under the budget still works.
3. Compression: a gzip-compressed call is refused with a status, and a 1 MiB
   gzip message that inflates to 1 GiB leaves the server's peak RSS far below
   what inflating it would cost.
4. Connections: 1,000 idle connections, then 1,000 connections dribbling the
   HTTP/2 preface, do not stop a new client's call with a 5 s deadline.
After each, a good call on the same server succeeds.
"""
import socket
import struct
import threading
import time
import zlib

import grpc

from rbhostile import hold, proc_status, raise_nofile
from rbtest import Checks, Server, call

c = Checks()
MIB = 1 << 20
SEND_OBJ = "/rpcbench.Bench/SendObj"
FIB = "/rpcbench.Bench/Fib"


def wait_idle(pid, limit=90):
    """Wait until the process has used no CPU for a second (or limit s)."""
    def cpu():
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    last, deadline = cpu(), time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu()
        if now == last:
            return
        last = now


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([v & 0x7f | 0x80])
        v >>= 7
    return out + bytes([v])


def entry(key, value):
    kb = key.encode()
    e = b"\x0a" + varint(len(kb)) + kb + b"\x10" + varint(value)
    return b"\x0a" + varint(len(e)) + e


def raw_call(ch, path, body, timeout=60, compression=None):
    """(status code, details) of a unary call sending body as is."""
    fn = ch.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    try:
        fn(body, timeout=timeout, compression=compression)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as e:
        return e.code(), e.details()


def channel(ep):
    return grpc.insecure_channel(ep, options=[("grpc.max_send_message_length", -1),
                                              ("grpc.max_receive_message_length", -1)])


def good_call(srv, what):
    rc, out, err = call("grpc", "fib", 30, connect=srv.endpoint, timeout_ms=5000, check=False)
    c.eq(what + ": good call after it", (out or {}).get("result"), 832040)
    c.true(what + ": server alive", srv.alive())


def check_memory():
    empty_entries = b"\x0a\x00" * ((16 * MIB - 64) // 2)       # 8 million empty entries
    unknown = b"\x78\x00" * ((16 * MIB - 64) // 2)             # 8 million unknown varints
    stuffed = b"\x0a" + varint(16 * MIB - 64) + b"\x18\x00" * ((16 * MIB - 64) // 2)
    with Server("grpc", "--threads", "4") as srv, channel(srv.endpoint) as ch:
        pid = srv.proc.pid
        base = proc_status(pid, "VmRSS")
        for name, path, body in [("sendObj of 8M empty entries", SEND_OBJ, empty_entries),
                                 ("fib with 8M unknown fields", FIB, unknown),
                                 ("one entry stuffed with 8M fields", SEND_OBJ, stuffed)]:
            code, details = raw_call(ch, path, body)
            c.eq(name + ": status", code, grpc.StatusCode.RESOURCE_EXHAUSTED)
            c.true(name + ": names the field budget", "fields" in details, details)
            good_call(srv, name)
        codes = [None] * 4

        def one(i):
            codes[i] = raw_call(ch, SEND_OBJ, empty_entries)[0]
        th = [threading.Thread(target=one, args=(i,)) for i in range(4)]
        for t in th:
            t.start()
        for t in th:
            t.join()
        c.eq("4 x 16 MiB of empty entries at once", codes, [grpc.StatusCode.RESOURCE_EXHAUSTED] * 4)
        peak = proc_status(pid, "VmHWM") - base
        sent_kb = 4 * len(empty_entries) // 1024
        # The server trims its heap after each big call's reply batch has
        # completed, which can be just after the client saw the status:
        # "held after" is the RSS once that is done (polled for up to 5 s,
        # the first value under the bound ends the wait).
        after = proc_status(pid, "VmRSS") - base
        until = time.monotonic() + 5
        while after >= sent_kb and time.monotonic() < until:
            time.sleep(0.05)
            after = proc_status(pid, "VmRSS") - base
        print("4 x 16 MiB of empty entries at once: peak growth %d KiB, held after %d KiB"
              % (peak, after))
        # main: 0.9 GiB peak, 0.7 GiB still held
        c.true("4 x 16 MiB at once: peak growth under 3x the bytes received",
               peak < 3 * sent_kb, "%d KiB" % peak)
        c.true("4 x 16 MiB at once: growth still held under the bytes received",
               after < sent_kb, "%d KiB" % after)
        # a valid request under the budget: 300,000 entries (900,000 fields)
        big = b"".join(entry("k%d" % i, i) for i in range(300000))
        fn = ch.unary_unary(SEND_OBJ, request_serializer=lambda b: b,
                            response_deserializer=lambda b: b)
        ack = fn(big, timeout=60)
        c.eq("sendObj of 300,000 entries: ack", ack, b"\x08" + varint(300000))
        good_call(srv, "4 x 16 MiB")


def gz_bomb(size):
    """A gzip member of `size` zero bytes, ~size/1000 long, built in about a
    second: after the first MiB, every MiB of zeros deflates (with a sync
    flush) to the same bytes, so the body repeats them."""
    zero = bytes(MIB)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(zero) + co.flush(zlib.Z_SYNC_FLUSH)
    rep = co.compress(zero) + co.flush(zlib.Z_SYNC_FLUSH)
    body = first + rep * (size // MIB - 2) + co.compress(zero) + co.flush()
    crc = 0
    for _ in range(size // MIB):
        crc = zlib.crc32(zero, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body
            + struct.pack("<II", crc, size & 0xffffffff))


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    """HPACK literal header field without indexing, new name, no Huffman."""
    n, v = name.encode(), value.encode()
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


def send_compressed(ep, path, gz):
    """One gRPC call by hand: HEADERS with grpc-encoding: gzip, then the
    compressed message in DATA frames (within the server's windows).
    Returns the type of the frame that ended the call (1 trailers, 3
    RST_STREAM, 7 GOAWAY), None when the connection closed without it."""
    host, port = ep.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    hdr = b"".join(literal(k, v) for k, v in [
        (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "x"),
        ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-encoding", "gzip")])
    msg = b"\x01" + struct.pack(">I", len(gz)) + gz
    s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
    # flow control: wait for the server's SETTINGS (stream window) and its
    # WINDOW_UPDATE of the connection window before sending 1 MiB
    buf, window = b"", False
    s.settimeout(5)
    while not window:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        while len(buf) >= 9 and len(buf) >= 9 + int.from_bytes(buf[:3], "big"):
            n = int.from_bytes(buf[:3], "big")
            if buf[3] == 4 and not buf[4] & 1:
                s.sendall(frame(4, 1, 0, b""))
            window = window or (buf[3] == 8 and int.from_bytes(buf[5:9], "big") == 0)
            buf = buf[9 + n:]
    s.sendall(frame(1, 4, 1, hdr))
    sent = 0
    try:
        while sent < len(msg):
            n = min(16384, len(msg) - sent)
            s.sendall(frame(0, 1 if sent + n == len(msg) else 0, 1, msg[sent:sent + n]))
            sent += n
    except OSError:
        pass
    # read frames until the call ends: trailers (HEADERS with END_STREAM),
    # RST_STREAM or GOAWAY; the server may take its time inflating
    buf, ended = b"", None
    s.settimeout(120)
    try:
        while ended is None:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            while len(buf) >= 9:
                n = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + n:
                    break
                ftype, flags, sid = buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7fffffff
                if (ftype == 1 and flags & 1 and sid == 1) or (ftype == 3 and sid == 1) or ftype == 7:
                    ended = ftype
                buf = buf[9 + n:]
    except OSError:
        pass
    s.close()
    return ended


def check_compression():
    with Server("grpc") as srv, channel(srv.endpoint) as ch:
        pid = srv.proc.pid
        base = proc_status(pid, "VmHWM")
        # grpcio compresses a normal request itself
        code, details = raw_call(ch, FIB, b"\x08\x1e", compression=grpc.Compression.Gzip)
        c.true("gzip-compressed fib: refused with a status",
               code in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INTERNAL), (code, details))
        good_call(srv, "gzip-compressed fib")
        gz = gz_bomb(1 << 30)
        c.true("the bomb is about 1 MiB", len(gz) < 2 * MIB, len(gz))
        ended = send_compressed(srv.endpoint, SEND_OBJ, gz)
        c.true("1 MiB gzip of 1 GiB: the call ends (trailers, reset or goaway)", ended is not None)
        wait_idle(pid)  # main inflates on a library thread, past the call's end
        peak = proc_status(pid, "VmHWM")
        print("gzip bomb: server peak RSS %d KiB" % peak)
        # main inflates it all: 1.1 GiB
        c.true("1 MiB gzip of 1 GiB: peak RSS under 200 MiB", peak < 200 * 1024,
               "%d KiB (before: %d KiB)" % (peak, base))
        good_call(srv, "gzip bomb")


def check_connections():
    raise_nofile()
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    with Server("grpc") as srv:
        idle = hold(srv.endpoint, 1000)
        good_call(srv, "1,000 idle connections held")
        for s in idle:
            s.close()
        slow = hold(srv.endpoint, 1000)
        stop = threading.Event()

        def dribble():
            k = 0
            while not stop.is_set() and k < len(preface):
                for s in slow:
                    try:
                        s.send(preface[k:k + 1])
                    except OSError:
                        pass
                k += 1
                stop.wait(0.5)
        th = threading.Thread(target=dribble, daemon=True)
        th.start()
        time.sleep(2)
        good_call(srv, "1,000 connections dribbling the preface")
        stop.set()
        th.join()
        for s in slow:
            s.close()
        c.eq("server exit status", srv.stop(), 0)


check_memory()
check_compression()
check_connections()
c.exit()
