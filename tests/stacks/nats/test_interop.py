"""Interop of the NATS transports with the stock Node client of NATS (npm
`nats`, run by Debian's nodejs; scripts/deps installs it into node_modules/
beside this file):

- node_client.js calls our `rpcbench serve nats` (request-reply) and
  `rpcbench serve nats-js` (a JetStream publish with Rpcbench-Reply-To):
  MessagePack, JSON and plain-text bodies, error headers;
- our `rpcbench call nats` calls node_responder.js, a queue-group responder
  answering in JSON: every method, and an error reply.

Skips, saying why, when node or the package is missing."""
import json
import os
import shutil
import subprocess
import sys

import msgpack

from natst import TRANSPORTS, broker, err_code, ncall, queue_name, serve
from rbtest import Checks, Server

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = shutil.which("node")
if not NODE:
    print("SKIP: node is not installed (scripts/deps installs nodejs)")
    sys.exit(0)
if not os.path.isdir(os.path.join(HERE, "node_modules", "nats")):
    print("SKIP: the npm package nats is not in %s/node_modules (scripts/deps installs it)" % HERE)
    sys.exit(0)

checks = Checks()
env = broker()
OBJ = {"server:%d" % i: i for i in range(100)}

# The stock client calls our servers.
for t in TRANSPORTS:
    q = queue_name("i" + t)
    with serve(t, q, env=env):
        p = subprocess.run([NODE, os.path.join(HERE, "node_client.js"), q, t], env=env,
                           capture_output=True, text=True, timeout=60)
        checks.eq("%s node client exit status (%s)" % (t, p.stderr.strip()), p.returncode, 0)
        got = {}
        for line in p.stdout.splitlines():
            r = json.loads(line)
            got[r["what"]] = r
        m = got.get("fib msgpack", {})
        checks.eq("%s node: MessagePack fib(30)" % t,
                  msgpack.unpackb(bytes.fromhex(m.get("body", "mp:")[3:])) if m else None, 832040)
        checks.eq("%s node: JSON fib(30)" % t, got.get("fib json", {}).get("body"), "832040")
        checks.eq("%s node: JSON reply type" % t, got.get("fib json", {}).get("ct"), "application/json")
        checks.eq("%s node: text fib(30)" % t, got.get("fib text", {}).get("body"), "832040")
        checks.eq("%s node: JSON getObj" % t, json.loads(got.get("getObj json", {}).get("body", "{}")), OBJ)
        checks.eq("%s node: JSON sendObj" % t, got.get("sendObj json", {}).get("body"), "3")
        checks.eq("%s node: fib(93) error code" % t, got.get("fib 93 json", {}).get("code"), "EINVAL")
        checks.eq("%s node: fib(93) error body" % t,
                  json.loads(got.get("fib 93 json", {}).get("body", "{}")).get("code"), "EINVAL")
        checks.eq("%s node: unknown method" % t, got.get("unknown method", {}).get("code"), "ENOMETHOD")

# Our client calls the stock client's responder.
q = queue_name("resp")
with Server(None, cmd=[NODE, os.path.join(HERE, "node_responder.js"), q], env=env) as srv:
    checks.eq("node responder ready", srv.endpoint, q)
    for n, want in ((0, 0), (30, 832040), (92, 7540113804746346429)):
        rc, out, err = ncall("nats", "fib", n, queue=q, env=env)
        checks.eq("nats -> node fib(%d)" % n, out.get("result") if isinstance(out, dict) else out, want)
    rc, out, err = ncall("nats", "getObj", queue=q, env=env)
    checks.eq("nats -> node getObj", out.get("result") if isinstance(out, dict) else out, OBJ)
    rc, out, err = ncall("nats", "sendObj", 50, queue=q, env=env)
    checks.eq("nats -> node sendObj 50", out.get("result") if isinstance(out, dict) else out, 50)
    rc, out, err = ncall("nats", "fib", 93, queue=q, env=env)
    checks.eq("nats -> node fib(93): EINVAL", err_code(out), "EINVAL")
    checks.true("nats -> node fib(93): the responder's message", "0..92" in str(out), out)
    checks.eq("node responder alive", srv.alive(), True)
checks.exit()
