"""A minimal zerorpc (protocol v3) client and server for interop tests.

Written from zerorpc-python's doc/protocol.md with Debian's python3-zmq and
python3-msgpack only (not from rpcbench's C code):

- every event is a msgpack array [header, name, args];
- header = {"message_id": <unique, UUID-shaped>, "v": 3}; each later event
  of a channel carries "response_to" = the channel's first message_id;
- a reply is "OK" with args (result,), or "ERR" with args
  (error name, human message, traceback text);
- "_zpc_hb" is the heartbeat of a channel (args null), never a call;
- the server is a ROUTER socket, the client a DEALER. zerorpc-python's
  DEALER puts an empty delimiter frame before the event; the document only
  says "ZMQ + msgpack", so the client can send either form.
"""
import threading
import time
import uuid

import msgpack
import zmq


def new_id():
    return str(uuid.uuid4())


def pack_event(name, args, response_to=None, message_id=None, version=3):
    header = {"message_id": message_id or new_id(), "v": version}
    if response_to is not None:
        header["response_to"] = response_to
    return msgpack.packb([header, name, args], use_bin_type=True)


def unpack_event(blob):
    header, name, args = msgpack.unpackb(blob, raw=False)
    return header, name, args


class RemoteError(Exception):
    def __init__(self, name, msg, tb):
        super().__init__("%s: %s" % (name, msg))
        self.name, self.msg, self.traceback = name, msg, tb


class Client:
    """DEALER client. delimiter=True sends ["", event] like zerorpc-python."""

    def __init__(self, endpoint, timeout=5.0, delimiter=True, ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.timeout = timeout
        self.delimiter = delimiter
        self.last_request_header = None
        self.last_reply_header = None
        self.skipped = []          # events received on the socket that were not our reply

    def send_raw(self, blob, delimiter=None):
        d = self.delimiter if delimiter is None else delimiter
        self.sock.send_multipart([b"", blob] if d else [blob])

    def recv_raw(self, timeout=None):
        """The last frame of the next message, or None at the timeout."""
        t = self.timeout if timeout is None else timeout
        if not self.sock.poll(int(t * 1000)):
            return None
        return self.sock.recv_multipart()[-1]

    def call(self, method, *args):
        mid = new_id()
        blob = pack_event(method, list(args), message_id=mid)
        self.last_request_header = {"message_id": mid, "v": 3}
        self.send_raw(blob)
        while True:
            raw = self.recv_raw()
            if raw is None:
                raise TimeoutError("no reply to %s within %.1fs" % (method, self.timeout))
            header, name, rargs = unpack_event(raw)
            if header.get("response_to") != mid or name == "_zpc_hb":
                self.skipped.append((header, name, rargs))
                continue
            self.last_reply_header = header
            if name == "OK":
                return rargs[0]
            if name == "ERR":
                raise RemoteError(*rargs)
            raise RuntimeError("unexpected event %r" % name)

    def close(self):
        self.sock.close(0)


class Server:
    """ROUTER server in a thread, with fib/getObj/sendObj as the contract
    says. With heartbeat=True it sends a "_zpc_hb" on the channel before
    each reply, and with stray=True an event of an unknown channel, to show
    that clients skip both."""

    def __init__(self, entries=100, heartbeat=True, stray=True, slow_fib=None, ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = "127.0.0.1:%d" % self.port
        self.entries = entries
        self.heartbeat = heartbeat
        self.stray = stray
        self.calls = []            # (name, args) of each call served
        self.call_ids = []         # message_id of each call served
        self.heartbeats = []       # headers of the "_zpc_hb" events received
        self.slow_fib = slow_fib   # (n, seconds): fib(n) answers that late
        self._pending = []         # (due time, envelope, reply) of slow calls
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _method(self, name, args):
        if name == "fib":
            if len(args) != 1 or not isinstance(args[0], int) or isinstance(args[0], bool):
                raise TypeError("fib takes one integer")
            n = args[0]
            if not 0 <= n <= 92:
                raise ValueError("n must be in 0..92")
            a, b = 0, 1
            for _ in range(n):
                a, b = b, a + b
            return a
        if name == "getObj":
            return {"server:%d" % i: i for i in range(self.entries)}
        if name == "sendObj":
            obj = args[0]
            if not isinstance(obj, dict):
                raise TypeError("sendObj takes a map")
            return len(obj)
        raise NameError(name)

    def _run(self):
        while not self._stop.is_set():
            now = time.monotonic()
            for p in [p for p in self._pending if p[0] <= now]:
                self._pending.remove(p)
                self.sock.send_multipart(p[1] + [p[2]])
            if not self.sock.poll(20):
                continue
            frames = self.sock.recv_multipart()
            envelope, blob = frames[:-1], frames[-1]
            try:
                header, name, args = unpack_event(blob)
            except Exception:
                continue
            if name == "_zpc_hb":
                self.heartbeats.append(header)
                continue
            if "response_to" in header:
                continue
            chan = header["message_id"]
            self.calls.append((name, args))
            self.call_ids.append(chan)
            if self.stray:
                self.sock.send_multipart(envelope + [pack_event("OK", [-1], response_to=new_id())])
            if self.heartbeat:
                self.sock.send_multipart(envelope + [pack_event("_zpc_hb", None, response_to=chan)])
            try:
                reply = pack_event("OK", [self._method(name, args)], response_to=chan)
            except Exception as e:
                reply = pack_event("ERR", [type(e).__name__, str(e), "Traceback: %r" % e],
                                   response_to=chan)
            if self.slow_fib and name == "fib" and args == [self.slow_fib[0]]:
                self._pending.append((time.monotonic() + self.slow_fib[1], envelope, reply))
            else:
                self.sock.send_multipart(envelope + [reply])

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close(0)
