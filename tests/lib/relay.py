"""A TCP relay for tests: counts every byte it forwards and can delay replies.

    relay = Relay(target_port)          # listens on 127.0.0.1:<relay.port>
    ... point a client at relay.port ...
    conns = relay.stop()                # [Conn], in accept order

Each Conn keeps the whole byte stream of both directions (`up`: client to
target, `down`: target to client), so a test can count bytes independently of
the kernel counters rpcbench reads, and parse the protocol to find the
measured calls. With delay_ms, every chunk from the target is held that long
before it is forwarded (a slow link on the reply path: loopback has no netem),
except a connection's first delay_after bytes (a handshake that should pass).

The relay runs in its own process (multiprocessing), so it never competes
with the test's own threads for the GIL; it sends its log back when stopped.
"""
import multiprocessing
import os
import selectors
import signal
import socket
import time


class Conn:
    def __init__(self, index):
        self.index = index
        self.up = bytearray()     # client -> target
        self.down = bytearray()   # target -> client

    def total(self):
        return len(self.up) + len(self.down)


def _serve(listener, target_port, delay_ms, delay_after, pipe):
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *a: stop.__setitem__(0, True))
    sel = selectors.DefaultSelector()
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ, None)
    conns = []
    pending = []   # (due monotonic s, socket, bytes) held by the delay
    peers = {}     # socket -> (peer socket, Conn, "up"|"down")
    while not stop[0]:
        timeout = 0.05
        if pending:
            timeout = max(0.0, min(timeout, pending[0][0] - time.monotonic()))
        for key, _ in sel.select(timeout):
            s = key.fileobj
            if s is listener:
                try:
                    c, _ = listener.accept()
                except BlockingIOError:
                    continue
                t = socket.create_connection(("127.0.0.1", target_port))
                for x in (c, t):
                    x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    x.setblocking(True)
                conn = Conn(len(conns))
                conns.append(conn)
                peers[c] = (t, conn, "up")
                peers[t] = (c, conn, "down")
                sel.register(c, selectors.EVENT_READ, None)
                sel.register(t, selectors.EVENT_READ, None)
                continue
            if s not in peers:   # closed with its peer earlier in this batch
                continue
            peer, conn, way = peers[s]
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                for x in (s, peer):
                    if x in peers:
                        sel.unregister(x)
                        del peers[x]
                        try:
                            x.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        x.close()
                continue
            passed = len(conn.down)
            getattr(conn, way).extend(data)
            if way == "down" and delay_ms:
                # only the handshake's bytes pass at once, even when a busy
                # relay reads the handshake and a reply in one chunk
                free = max(0, delay_after - passed)
                if len(data) > free:
                    pending.append((time.monotonic() + delay_ms / 1000.0, peer, data[free:]))
                    data = data[:free]
                if not data:
                    continue
            try:
                peer.sendall(data)
            except OSError:
                pass
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, peer, data = pending.pop(0)
            try:
                if peer in peers:
                    peer.sendall(data)
            except OSError:
                pass
    pipe.send([(bytes(c.up), bytes(c.down)) for c in conns])
    pipe.close()


class Relay:
    def __init__(self, target_port, delay_ms=0, delay_after=0):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self._rx, tx = multiprocessing.Pipe(duplex=False)
        self.proc = multiprocessing.Process(target=_serve,
                                            args=(self.listener, target_port, delay_ms, delay_after, tx))
        self.proc.start()
        tx.close()
        self.listener.close()

    def stop(self):
        """Stop the relay; returns its connections ([Conn], accept order)."""
        os.kill(self.proc.pid, signal.SIGTERM)
        streams = self._rx.recv() if self._rx.poll(30) else []
        self.proc.join(10)
        conns = []
        for i, (up, down) in enumerate(streams):
            c = Conn(i)
            c.up.extend(up)
            c.down.extend(down)
            conns.append(c)
        return conns

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.is_alive():
            self.stop()


# ---- protocol parsers: where the measured calls are in a stream ------------

def tcp_frames(stream):
    """rpcbench tcp framing: 4-byte big-endian length, then the body.
    Returns the frame sizes on the wire (4 + body), in order."""
    out, i = [], 0
    while i + 4 <= len(stream):
        n = int.from_bytes(stream[i:i + 4], "big")
        out.append(4 + n)
        i += 4 + n
    return out


def amqp_frames(stream):
    """AMQP 0-9-1 frames of one direction: [(offset, size, type, class_id,
    method_id)], after the 8-byte protocol header if the stream starts with
    one. class/method are None for non-method frames."""
    out, i = [], 0
    if stream[:4] == b"AMQP":
        i = 8
    while i + 7 <= len(stream):
        ftype = stream[i]
        size = int.from_bytes(stream[i + 3:i + 7], "big")
        cls = meth = None
        if ftype == 1 and size >= 4:
            cls = int.from_bytes(stream[i + 7:i + 9], "big")
            meth = int.from_bytes(stream[i + 9:i + 11], "big")
        out.append((i, 8 + size, ftype, cls, meth))
        i += 8 + size
    return out


def amqp_window_bytes(stream, start_method, k, stop_methods=((20, 40), (10, 50), (20, 41), (10, 51))):
    """Bytes of one direction from the k-th last frame that is method
    start_method ((class, method), e.g. (60, 40) basic.publish) up to the
    first close frame after it (or the end): the part of a connection that
    carried its last k calls."""
    frames = amqp_frames(stream)
    starts = [f for f in frames if (f[3], f[4]) == start_method]
    if len(starts) < k or k <= 0:
        return None
    first = starts[-k][0]
    end = len(stream)
    for f in frames:
        if f[0] > first and (f[3], f[4]) in stop_methods:
            end = f[0]
            break
    return end - first
