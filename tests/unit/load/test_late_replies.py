"""A reply after the call's deadline is a timeout, never a sample.

A relay in front of a real server holds every reply 2.2 ms; `rpcbench run
--timeout 2` must then count every measured call as a `timeout` failure and
keep no latency sample at all (a sample above 2000 µs would be a late reply
counted as a success). Before the call wrappers checked the deadline, grpc
counted a few per cent of such calls (the replies that came in before the
library's own deadline timer fired) as successes, with latencies of 2.3 to
6 ms; 100 calls make missing all of them unlikely (< 0.1 %). tcp is the
control.
"""
import json
import os
import subprocess
import tempfile

import rbtest
from relay import Relay

CALLS = 100
# Replies are held, not a connection's handshake: a gRPC channel is ready only
# once the server's HTTP/2 preface arrived (SETTINGS 33 B, WINDOW_UPDATE 13 B,
# SETTINGS ack 9 B), which must happen within the 2 ms.
HANDSHAKE = {"tcp": 0, "grpc": 55}
DELAY_MS = 2.2
checks = rbtest.Checks()


def late(transport):
    with rbtest.Server(transport) as srv, Relay(srv.port, delay_ms=DELAY_MS, delay_after=HANDSHAKE[transport]) as relay:
        out = tempfile.mkdtemp(prefix="rb-late-")
        p = subprocess.run([rbtest.RPCBENCH, "run", "--transports", transport, "--methods", "fib",
                            "--calls", str(CALLS), "--warmup", "0", "--timeout", "2",
                            "--connect", "%s=127.0.0.1:%d" % (transport, relay.port),
                            "--out", out], capture_output=True, text=True, timeout=300)
    path = os.path.join(out, "results.json")
    checks.true("%s: results written (exit %d: %s)" % (transport, p.returncode, p.stderr.strip()),
                os.path.exists(path))
    if not os.path.exists(path):
        return
    with open(path) as f:
        s = json.load(f)["scenarios"][0]
    r = s["per_round"][0]
    lat_max = (r.get("latency_us") or {}).get("max")
    checks.eq("%s: verified calls" % transport, r["calls"], 0)
    checks.true("%s: no sample above the 2000 µs deadline" % transport,
                lat_max is None or lat_max <= 2000, lat_max)
    # Connecting through the relay within the same 2 ms deadline can fail now
    # and then (a `connect` failure, then a new attempt): every call that had
    # a connection is a timeout.
    f = r["failures"]
    checks.eq("%s: every call with a connection a timeout" % transport,
              f["timeout"] + f["connect"], CALLS)
    checks.true("%s: mostly timeouts" % transport, f["timeout"] >= CALLS // 2, f)
    other = {k: v for k, v in f.items() if k not in ("timeout", "connect") and v}
    checks.eq("%s: no other failure" % transport, other, {})


for t in ("tcp", "grpc"):
    late(t)
checks.exit()
