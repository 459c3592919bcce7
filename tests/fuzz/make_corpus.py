#!/usr/bin/python3
"""Write the seed corpus of the fuzz targets: tests/fuzz/corpus/<target>/.

Small valid and invalid examples of what each decoder reads from the
network; libFuzzer mutates from there. Run again after changing it (the
files are committed; the names are stable, so git shows what changed).
Uses Debian's python3-msgpack only."""
import os
import struct
import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def obj(prefix, n):
    return {"%s:%d" % (prefix, i): i for i in range(n)}


p = msgpack.packb
# --- MessagePack values: args and results ---------------------------------
mp = {
    "args_fib": p([30]), "args_fib_max": p([92]), "args_fib_neg": p([-1]),
    "args_getobj": p([]), "args_sendobj": p([obj("client", 5)]),
    "res_int": p(832040), "res_big": p(7540113804746346429), "res_obj": p(obj("server", 3)),
    "u64_max": p(2**64 - 1), "nested": p([[[[{"a": [1, 2, {"b": None}]}]]]]),
    "bin_key": p({b"k": 1}, use_bin_type=True), "float": p([1.5]),
    "ext": p(msgpack.ExtType(1, b"abcd")), "str8": p("x" * 40),
    "map32_lie": b"\xdf\xff\xff\xff\xff", "array32_lie": b"\xdd\xff\xff\xff\xff\x01",
    "truncated": p(obj("server", 3))[:-3], "trailing": p([30]) + b"\x00",
    "reserved": b"\xc1", "empty": b"",
}
for k, v in mp.items():
    write("fuzz_msgpack", k, v)

# --- tcp frames: 4-byte big-endian length + [id, method, args] -------------
def frame(body):
    return struct.pack(">I", len(body)) + body

tcp = {
    "fib": frame(p([1, "fib", [30]])),
    "getobj": frame(p([2, "getObj", []])),
    "sendobj": frame(p([3, "sendObj", [obj("client", 4)]])),
    "two_frames": frame(p([1, "fib", [10]])) + frame(p([2, "getObj", []])),
    "reply_ok": frame(p([1, 0, 832040])),
    "reply_err": frame(p([1, -1, "fib: n must be in 0..92"])),
    "id_map": frame(p([{"x": [1, 2]}, "fib", [1]])),
    "unknown": frame(p([1, "nope", []])),
    "bad_body": frame(b"\xc1\x00"), "huge_len": b"\xff\xff\xff\xff",
    "short": b"\x00\x00\x00\x10\x93", "zero": frame(b""),
}
for k, v in tcp.items():
    write("fuzz_tcp_frame", k, v)

# --- zerorpc events ---------------------------------------------------------
ID = "0000002a-9b1f-4c3d-8e7f-0123456789ab"
CUR = "a" * 36
def ev(header, name, args):
    return p([header, name, args])

zr = {
    "fib": ev({"message_id": ID, "v": 3}, "fib", [30]),
    "getobj": ev({"message_id": ID, "v": 3}, "getObj", []),
    "sendobj": ev({"message_id": ID, "v": 3}, "sendObj", [obj("client", 3)]),
    "hb": ev({"message_id": ID, "v": 3, "response_to": ID}, "_zpc_hb", None),
    "inspect": ev({"message_id": ID, "v": 3}, "_zerorpc_inspect", []),
    "v2": ev({"message_id": ID, "v": 2}, "fib", [1]),
    "bin_id": p([{"message_id": b"\x01\x02", "v": 3}, "fib", [1]], use_bin_type=True),
    "reply_ok": ev({"message_id": ID, "v": 3, "response_to": CUR}, "OK", [obj("server", 2)]),
    "reply_err": ev({"message_id": ID, "v": 3, "response_to": CUR}, "ERR",
                    ["ValueError", "fib: n", "ValueError: fib: n"]),
    "no_id": ev({"v": 3}, "fib", [1]), "int_key": p([{1: 2}, "fib", [1]]),
    "not_array": p({"a": 1}),
}
for k, v in zr.items():
    write("fuzz_zerorpc", k, v)

# --- AMQP bodies: selector byte (0 json int, 1 json obj, 2 mp int, 3 mp obj) + body
import json
am = {
    "json_int": b"\x00" + b"30", "json_neg": b"\x00-5", "json_big": b"\x00" + b"99999999999999999999",
    "json_float": b"\x00" + b"1.5", "json_obj": b"\x01" + json.dumps(obj("client", 4), separators=(",", ":")).encode(),
    "json_dup": b"\x01" + b'{"a":1,"a":2}', "json_nested": b"\x01" + b'{"a":{"b":[1]}}',
    "json_nul": b"\x01" + b'{"a\\u0000b":1}', "json_utf8": b"\x01" + '{"\u00e9":1}'.encode(),
    "json_bad": b"\x01" + b'{"a":', "mp_int": b"\x02" + p(30), "mp_obj": b"\x03" + p(obj("server", 3)),
}
for k, v in am.items():
    write("fuzz_amqp_body", k, v)

# --- XML-RPC requests and responses ----------------------------------------
def call(method, params):
    ps = "".join("<param><value>%s</value></param>" % x for x in params)
    return ('<?xml version="1.0"?><methodCall><methodName>%s</methodName><params>%s</params></methodCall>'
            % (method, ps)).encode()

def struct_xml(o, tag="int"):
    return "<struct>%s</struct>" % "".join(
        "<member><name>%s</name><value><%s>%d</%s></value></member>" % (k, tag, v, tag) for k, v in o.items())

def response(value):
    return ('<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value>%s</value>'
            '</param></params></methodResponse>' % value).encode()

xr = {
    "fib_int": call("fib", ["<int>30</int>"]), "fib_i8": call("fib", ["<i8>92</i8>"]),
    "fib_ns_i8": call("fib", ["<ex:i8 xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'>5</ex:i8>"]),
    "getobj": call("getObj", []), "sendobj": call("sendObj", [struct_xml(obj("client", 3))]),
    "sendobj_i8": call("sendObj", [struct_xml(obj("client", 2), "i8")]),
    "types": call("x", ["<string>a&amp;b</string>", "<boolean>1</boolean>", "<double>1.5</double>",
                        "<base64>YWJj</base64>", "<dateTime.iso8601>20240101T00:00:00</dateTime.iso8601>",
                        "<array><data><value>1</value></data></array>", "<nil/>"]),
    "bad_i8": call("fib", ["<i8>abc</i8>"]), "doctype": b'<!DOCTYPE x [<!ENTITY a "b">]>' + call("fib", ["<int>1</int>"]),
    "cdata": call("fib", ["<string><![CDATA[<i8>]]></string>"]),
    "comment": call("fib", ["<!-- <i8>x</i8> --><int>1</int>"]),
    "utf16_bom": b"\xff\xfe" + call("fib", ["<int>1</int>"]).decode().encode("utf-16-le"),
    "enc_latin1": call("fib", ["<int>1</int>"]).replace(b'version="1.0"', b'version="1.0" encoding="ISO-8859-1"'),
    "resp_int": response("<i8>832040</i8>"), "resp_struct": response(struct_xml(obj("server", 3))),
    "resp_fault": b'<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name>'
                  b'<value><int>-32602</int></value></member><member><name>faultString</name><value>'
                  b'<string>bad</string></value></member></struct></value></fault></methodResponse>',
    "truncated": call("fib", ["<int>30</int>"])[:60],
}
for k, v in xr.items():
    write("fuzz_xmlrpc", k, v)

# --- protobuf messages (hand-encoded wire format) ---------------------------
def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def ld(field, data):
    return varint(field << 3 | 2) + varint(len(data)) + data

def vi(field, v):
    return varint(field << 3) + varint(v)

def entry(k, v):
    return ld(1, ld(1, k.encode()) + vi(2, v))

pb = {
    "fib_req": vi(1, 30), "fib_reply": vi(1, 832040), "neg": vi(1, -1), "empty": b"",
    "obj": b"".join(entry(k, v) for k, v in obj("server", 3).items()),
    "obj_dup": entry("a", 1) + entry("a", 2), "obj_nokey": ld(1, vi(2, 5)),
    "obj_nul": ld(1, ld(1, b"a\x00b") + vi(2, 1)), "unknown_field": vi(7, 1) + ld(9, b"xyz"),
    "fixed": bytes([0x0D]) + b"\x01\x02\x03\x04" + bytes([0x11]) + b"\x01" * 8,
    "bad_len": bytes([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), "bad_varint": b"\x08" + b"\xff" * 11,
    "group": bytes([0x0B, 0x0C]), "packed": ld(1, varint(1) + varint(2)),
}
for k, v in pb.items():
    write("fuzz_protobuf", k, v)
