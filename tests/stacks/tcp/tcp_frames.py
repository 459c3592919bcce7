"""The tcp transport's framing for hand-made requests in tests: a 4-byte
big-endian length, then one MessagePack value."""
import struct

import msgpack


def frame(body):
    """body (bytes) as one frame."""
    return struct.pack(">I", len(body)) + body


def read_reply(s):
    """The next frame's value from socket s, decoded; None at EOF."""
    hdr = b""
    while len(hdr) < 4:
        chunk = s.recv(4 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    (n,) = struct.unpack(">I", hdr)
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            return None
        body += chunk
    return msgpack.unpackb(body, raw=False)
