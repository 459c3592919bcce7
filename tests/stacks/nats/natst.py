"""Helpers of the NATS tests: the broker (the shared one of scripts/test, or a
private nats-server of the test's own), `rpcbench serve/call` for the NATS
transports, and a raw client speaking the NATS protocol over a socket (so the
tests can send what no stock client would).

broker(): when RPCBENCH_NATS_URL is set (scripts/test sourced .run/broker.env)
the tests use that server; otherwise they start one of their own with
`scripts/broker --broker nats start` in a temporary RPCBENCH_BROKER_DIR on a
free port, and stop it at exit."""
import atexit
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

from rbtest import SOURCE_DIR, Server, call, free_port

TRANSPORTS = ("nats", "nats-js")
_seq = itertools.count()


class PrivateNats:
    """A nats-server of the test's own: scripts/broker --broker nats in its
    own folder, on its own port."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="rb-nats-")
        self.benv = dict(os.environ, RPCBENCH_BROKER_DIR=os.path.join(self.base, "run"),
                         RPCBENCH_NATS_PORT=str(free_port()))
        self.benv.pop("RPCBENCH_NATS_URL", None)

    def ctl(self, *args):
        """scripts/broker --broker nats ARGS; its exit status."""
        p = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "broker"), "--broker", "nats"]
                           + list(args), env=self.benv, capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            print(p.stderr)
        return p.returncode

    def vars(self):
        """The broker.env lines of this server (read again after a restart)."""
        out = {}
        with open(os.path.join(self.benv["RPCBENCH_BROKER_DIR"], "broker.env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                out[k] = v
        return out

    def env(self):
        """Our environment with this server's URL and pid."""
        return dict(os.environ, **self.vars())

    def stop(self):
        self.ctl("stop", "--force")
        shutil.rmtree(self.base, ignore_errors=True)


_shared = None


def broker():
    """The environment the tests' servers and calls run in, with
    RPCBENCH_NATS_URL set: the shared broker's, or a private one started
    now (and stopped when the test exits)."""
    global _shared
    if os.environ.get("RPCBENCH_NATS_URL"):
        return dict(os.environ)
    if _shared is None:
        _shared = PrivateNats()
        if _shared.ctl("start") != 0:
            raise SystemExit("FAIL: could not start a private nats-server")
        atexit.register(_shared.stop)
    return _shared.env()


def queue_name(tag):
    """A queue name (subject prefix) no other test or run uses."""
    return "rbtest-%s-%d-%d" % (tag, os.getpid(), next(_seq))


def stream_of(queue):
    """The JetStream stream nats-js keeps queue's requests in."""
    return "".join("_" if c in ". \t/\\*>" else c for c in queue)


def serve(transport, queue, *args, env=None):
    """`rpcbench serve TRANSPORT --queue QUEUE ARGS`; waits for `ready QUEUE`."""
    srv = Server(transport, "--queue", queue, *args, listen=None, env=env or broker())
    if srv.endpoint != queue:
        srv.stop()
        raise AssertionError("server said ready %r, want %r" % (srv.endpoint, queue))
    return srv


def ncall(transport, method, *args, queue=None, timeout_ms=None, env=None):
    """`rpcbench call` on a NATS transport; returns (status, JSON, stderr)."""
    extra = list(args)
    if queue:
        extra += ["--queue", queue]
    return call(transport, method, *extra, timeout_ms=timeout_ms, check=False,
                env=env or broker())


def err_code(out):
    """The error code of a `call` JSON reply, or None."""
    if isinstance(out, dict) and isinstance(out.get("error"), dict):
        return out["error"].get("code")
    return None


class Msg:
    """A message the raw client received."""

    def __init__(self, subject, reply, headers, status, data):
        self.subject, self.reply, self.headers, self.status, self.data = \
            subject, reply, headers, status, data


class Raw:
    """The NATS client protocol by hand: CONNECT, SUB, PUB/HPUB, PING, and
    MSG/HMSG read back. Headers as "NATS/1.0" blocks (ADR-4)."""

    def __init__(self, env=None, url=None):
        url = urllib.parse.urlparse(url or (env or broker())["RPCBENCH_NATS_URL"])
        self.sock = socket.create_connection((url.hostname, url.port), timeout=10)
        self.buf = b""
        info = self._line()
        assert info.startswith(b"INFO "), info
        self.info = json.loads(info[5:])
        self.send(b"CONNECT " + json.dumps({
            "verbose": False, "pedantic": False, "user": url.username,
            "pass": url.password, "headers": True, "no_responders": True,
            "lang": "python-raw", "version": "0"}).encode() + b"\r\n")
        self.sids = itertools.count(1)
        self.ping()

    def send(self, b):
        self.sock.sendall(b)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("broker closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def ping(self):
        """PING and wait for PONG (everything sent before is processed);
        returns the messages that arrived meanwhile."""
        self.send(b"PING\r\n")
        got = []
        while True:
            m = self.read()
            if m == "PONG":
                return got
            got.append(m)

    def sub(self, subject, queue=None):
        sid = next(self.sids)
        self.send(("SUB %s %s%d\r\n" % (subject, queue + " " if queue else "", sid)).encode())
        return sid

    def pub(self, subject, data, reply=None, headers=None):
        """PUB, or HPUB when headers (a non-empty dict) are given."""
        r = (reply + " ") if reply else ""
        if not headers:
            self.send(("PUB %s %s%d\r\n" % (subject, r, len(data))).encode() + data + b"\r\n")
            return
        h = "NATS/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
        hb = h.encode()
        self.send(("HPUB %s %s%d %d\r\n" % (subject, r, len(hb), len(hb) + len(data))).encode()
                  + hb + data + b"\r\n")

    def read(self, timeout=10):
        """The next MSG/HMSG as a Msg, "PONG", or ("-ERR", text); PINGs are
        answered. Raises socket.timeout after timeout seconds."""
        self.sock.settimeout(timeout)
        while True:
            line = self._line()
            if line == b"PING":
                self.send(b"PONG\r\n")
                continue
            if line == b"PONG":
                return "PONG"
            if line.startswith(b"-ERR"):
                return ("-ERR", line[5:].decode(errors="replace"))
            if line.startswith(b"+OK") or line.startswith(b"INFO"):
                continue
            parts = line.decode().split()
            if parts[0] == "MSG":
                subj, reply = parts[1], parts[3] if len(parts) == 5 else None
                return Msg(subj, reply, {}, None, self._bytes(int(parts[-1])))
            if parts[0] == "HMSG":
                subj, reply = parts[1], parts[3] if len(parts) == 6 else None
                hlen, total = int(parts[-2]), int(parts[-1])
                raw = self._bytes(total)
                head, data = raw[:hlen].decode(errors="replace"), raw[hlen:]
                lines = head.split("\r\n")
                status = lines[0][8:].strip() or None   # "NATS/1.0 503"
                hdrs = {}
                for h in lines[1:]:
                    if ":" in h:
                        k, _, v = h.partition(":")
                        hdrs[k.strip()] = v.strip()
                return Msg(subj, reply, hdrs, status, data)

    def request(self, subject, data, headers=None, timeout=10):
        """One request with a fresh inbox; the reply Msg (or None at the
        timeout)."""
        inbox = "_INBOX.raw%d.%d" % (os.getpid(), next(_seq))
        sid = self.sub(inbox)
        self.pub(subject, data, reply=inbox, headers=headers)
        try:
            while True:
                m = self.read(timeout)
                if isinstance(m, Msg) and m.subject == inbox:
                    return m
        except socket.timeout:
            return None
        finally:
            self.send(("UNSUB %d\r\n" % sid).encode())

    def js_request(self, queue, method, data, headers=None, timeout=10):
        """A nats-js request by hand: published to the stream with the reply
        subject in Rpcbench-Reply-To. Returns (PubAck JSON, reply Msg or
        None)."""
        inbox = "_INBOX.rawjs%d.%d" % (os.getpid(), next(_seq))
        sid = self.sub(inbox + ".*")
        h = dict(headers or {})
        h["Rpcbench-Reply-To"] = inbox + ".r"
        self.pub("%s.%s" % (queue, method), data, reply=inbox + ".a", headers=h)
        ack = rep = None
        deadline = time.monotonic() + timeout
        try:
            while (ack is None or rep is None) and time.monotonic() < deadline:
                m = self.read(max(0.05, deadline - time.monotonic()))
                if isinstance(m, Msg) and m.subject == inbox + ".a":
                    ack = json.loads(m.data) if m.data else {"status": m.status}
                elif isinstance(m, Msg) and m.subject == inbox + ".r":
                    rep = m
        except socket.timeout:
            pass
        finally:
            self.send(("UNSUB %d\r\n" % sid).encode())
        return ack, rep

    def js_api(self, api, body=b""):
        """A JetStream API request ($JS.API.<api>); its JSON answer."""
        m = self.request("$JS.API." + api, body)
        return json.loads(m.data) if m and m.data else None

    def close(self):
        self.sock.close()
