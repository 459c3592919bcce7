"""grpc interop with a stock implementation we did not write: Debian's
python3-grpcio, with stubs generated now, into a temporary folder, from
services/rpcbench.proto by protoc and grpc_python_plugin.

1. grpcio's client calls `rpcbench serve grpc`: every method, INVALID_ARGUMENT
   for fib(93) and for malformed protobuf bytes (a generic unary call with raw
   bytes), UNIMPLEMENTED for unknown methods, RESOURCE_EXHAUSTED over the
   request size limit, and good calls after each.
2. `rpcbench call grpc` calls a grpcio server implementing the same service.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent import futures

from rbtest import SOURCE_DIR, Checks, Server, call

checks = Checks()
tmp = tempfile.mkdtemp(prefix="rb-grpc-interop-")
try:
    proto_dir = os.path.join(SOURCE_DIR, "services")
    plugin = shutil.which("grpc_python_plugin") or "/usr/bin/grpc_python_plugin"
    subprocess.run(["protoc", "-I", proto_dir, "--python_out", tmp, "--grpc_out", tmp,
                    "--plugin=protoc-gen-grpc=" + plugin,
                    os.path.join(proto_dir, "rpcbench.proto")], check=True)
    sys.path.insert(0, tmp)
    import grpc
    import rpcbench_pb2 as pb
    import rpcbench_pb2_grpc as pbg

    def status_of(fn, *args, **kw):
        try:
            fn(*args, timeout=10, **kw)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            return e.code(), e.details()

    def raw_call(ch, path, data):
        """A generic unary call: data goes on the wire as the message."""
        f = ch.unary_unary(path, request_serializer=None, response_deserializer=None)
        return status_of(f, data)

    # --- 1. grpcio client -> our server ------------------------------------
    with Server("grpc", "--entries", "50", "--max-request", "4096", "--threads", "2") as srv:
        with grpc.insecure_channel(srv.endpoint) as ch:
            stub = pbg.BenchStub(ch)
            for n, want in [(0, 0), (1, 1), (30, 832040), (92, 7540113804746346429)]:
                checks.eq("py Fib(%d)" % n, stub.Fib(pb.FibRequest(n=n), timeout=10).value, want)
            got = stub.GetObj(pb.GetObjRequest(), timeout=10)
            checks.eq("py GetObj entries", dict(got.entries), {"server:%d" % i: i for i in range(50)})
            sent = pb.Obj(entries={"client:%d" % i: i for i in range(100)})
            checks.eq("py SendObj ack", stub.SendObj(sent, timeout=10).count, 100)
            checks.eq("py SendObj empty ack", stub.SendObj(pb.Obj(), timeout=10).count, 0)
            checks.eq("py SendObj negative values ack",
                      stub.SendObj(pb.Obj(entries={"x": -1, "y": -(2 ** 63)}), timeout=10).count, 2)

            code, det = status_of(stub.Fib, pb.FibRequest(n=93))
            checks.eq("py Fib(93) status", code, grpc.StatusCode.INVALID_ARGUMENT)
            checks.true("py Fib(93) details name n", "n=93" in det, det)
            code, _ = status_of(stub.Fib, pb.FibRequest(n=-5))
            checks.eq("py Fib(-5) status", code, grpc.StatusCode.INVALID_ARGUMENT)

            # Malformed protobuf inside valid HTTP/2: a truncated varint, a
            # length running past the end, a field of wire type 7.
            for name, path, data in [
                    ("truncated varint", "/rpcbench.Bench/Fib", b"\x08\xff"),
                    ("length past end", "/rpcbench.Bench/SendObj", b"\x0a\x64\x01"),
                    ("bad wire type", "/rpcbench.Bench/GetObj", b"\x0f\x00"),
                    ("map entry cut", "/rpcbench.Bench/SendObj", b"\x0a\x05\x0a\x03ab")]:
                code, det = raw_call(ch, path, data)
                checks.eq("malformed protobuf (%s) status" % name, code, grpc.StatusCode.INVALID_ARGUMENT)
            # Raw bytes that are a valid FibRequest{n=10} reach the method as usual.
            code, _ = raw_call(ch, "/rpcbench.Bench/Fib", b"\x08\x0a")
            checks.eq("raw FibRequest{n=10}", code, grpc.StatusCode.OK)

            for path in ("/rpcbench.Bench/Nope", "/other.Service/Fib", "/rpcbench.Bench/fib"):
                code, det = raw_call(ch, path, b"")
                checks.eq("unknown method %s" % path, code, grpc.StatusCode.UNIMPLEMENTED)

            big = pb.Obj(entries={"client:%d" % i: i for i in range(1000)})
            code, _ = status_of(stub.SendObj, big)
            checks.eq("py SendObj over --max-request", code, grpc.StatusCode.RESOURCE_EXHAUSTED)

            # The server goes on serving, on this channel too.
            checks.eq("py Fib(50) after errors", stub.Fib(pb.FibRequest(n=50), timeout=10).value,
                      12586269025)
            checks.eq("py SendObj after errors", stub.SendObj(sent, timeout=10).count, 100)
        checks.true("our server alive after the interop calls", srv.alive())

        # Our body bytes against grpcio's encoding of the same message: equal
        # but for map entries whose value is 0, where Python's protobuf writes
        # the default value (2 bytes: tag, 0) and protobuf-c omits it, as
        # proto3 allows. The patterns hold exactly one such entry ("x:0").
        rc, out, _ = call("grpc", "getObj", connect=srv.endpoint)
        checks.eq("getObj reply bytes == grpcio ByteSize - 2", out["body_bytes"]["reply"],
                  got.ByteSize() - 2)
        rc, out, _ = call("grpc", "sendObj", 25, connect=srv.endpoint)
        want = pb.Obj(entries={"client:%d" % i: i for i in range(25)}).ByteSize() - 2
        checks.eq("sendObj request bytes == grpcio ByteSize - 2", out["body_bytes"]["request"], want)
        checks.eq("server exit status", srv.stop(), 0)

    # --- 2. our client -> grpcio server ------------------------------------
    class Bench(pbg.BenchServicer):
        def Fib(self, request, context):
            n = request.n
            if n < 0 or n > 92:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "n=%d outside 0..92" % n)
            a, b = 0, 1
            for _ in range(n):
                a, b = b, a + b
            return pb.FibReply(value=a)

        def GetObj(self, request, context):
            return pb.Obj(entries={"server:%d" % i: i for i in range(100)})

        def SendObj(self, request, context):
            return pb.Ack(count=len(request.entries))

    pysrv = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    pbg.add_BenchServicer_to_server(Bench(), pysrv)
    port = pysrv.add_insecure_port("127.0.0.1:0")
    pysrv.start()
    try:
        ep = "127.0.0.1:%d" % port
        rc, out, _ = call("grpc", "fib", 30, connect=ep)
        checks.eq("our fib(30) from grpcio server", out.get("result"), 832040)
        rc, out, _ = call("grpc", "fib", 92, connect=ep)
        checks.eq("our fib(92) from grpcio server", out.get("result"), 7540113804746346429)
        rc, out, _ = call("grpc", "getObj", connect=ep)
        checks.eq("our getObj from grpcio server", out.get("result"),
                  {"server:%d" % i: i for i in range(100)})
        rc, out, _ = call("grpc", "sendObj", 7, connect=ep)
        checks.eq("our sendObj to grpcio server", out.get("result"), 7)
        rc, out, _ = call("grpc", "fib", 93, connect=ep, check=False)
        checks.eq("our fib(93) against grpcio: exit status", rc, 1)
        checks.eq("our fib(93) against grpcio: error",
                  (out or {}).get("error", {}).get("code"), "EINVAL")
    finally:
        pysrv.stop(None).wait(5)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

checks.exit()
