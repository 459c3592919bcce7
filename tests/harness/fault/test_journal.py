"""The execution journal on every server built: a sendObj whose object
carries "rpcbench:call" -> id is recorded once per execution (8 bytes,
little-endian) in $RPCBENCH_JOURNAL, the record survives the server's
SIGKILL, the ack counts every entry (the id entry too: nothing on the wire
changes), and a server without the variable writes nothing. AMQP servers
are included when RPCBENCH_AMQP_URL is set, NATS servers when
RPCBENCH_NATS_URL is (scripts/test starts both brokers)."""
import json
import os
import signal
import struct
import subprocess
import tempfile

import rbtest

KEY = "rpcbench:call"


def transports():
    out = subprocess.run([rbtest.RPCBENCH, "list"], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    # test side only: bench/ never does this
    url = {"amqp": "RPCBENCH_AMQP_URL", "nats": "RPCBENCH_NATS_URL"}
    broker = [n for n in names if n.split("-")[0] in url]
    direct = [n for n in names if n not in broker]
    broker = [n for n in broker if n != "amqp-quorum"]    # the cluster's: test_quorum
    return direct, [n for n in broker if os.environ.get(url[n.split("-")[0]])]


def records(path):
    if not os.path.exists(path):
        return None
    data = open(path, "rb").read()
    return sorted(struct.unpack("<%dQ" % (len(data) // 8), data[: len(data) // 8 * 8]))


def main():
    ck = rbtest.Checks()
    tmp = tempfile.mkdtemp(prefix="rb_journal_")
    direct, broker = transports()
    for t in direct + broker:
        path = os.path.join(tmp, t + ".bin")
        env = dict(os.environ, RPCBENCH_JOURNAL=path)
        args = ["--queue", "rb-journal-%d-%s" % (os.getpid(), t)] if t in broker else []
        listen = None if t in broker else "127.0.0.1:0"
        with rbtest.Server(t, *args, listen=listen, env=env) as s:
            where = {"connect": s.endpoint} if t not in broker else {}
            qargs = ["--queue", s.endpoint] if t in broker else []
            for cid in (11, 11, 1 << 40):
                obj = json.dumps({KEY: cid, "client:0": 0, "client:1": 1})
                rc, out, err = rbtest.call(t, "sendObj", obj, *qargs, **where)
                ck.eq("%s sendObj ack counts the id entry" % t, out.get("result"), 3)
            rbtest.call(t, "sendObj", json.dumps({"client:0": 0}), *qargs, **where)  # no id
            rbtest.call(t, "fib", 10, *qargs, **where)
            s.stop(signal.SIGKILL)
        ck.eq("%s journal after SIGKILL" % t, records(path), [11, 11, 1 << 40])
    # without the variable: no journal, calls served
    env = {k: v for k, v in os.environ.items() if k != "RPCBENCH_JOURNAL"}
    before = set(os.listdir(tmp))
    with rbtest.Server("tcp", env=env) as s:
        rc, out, err = rbtest.call("tcp", "sendObj", json.dumps({KEY: 5}), connect=s.endpoint)
        ck.eq("tcp without journal: ack", out.get("result"), 1)
    ck.eq("no file without RPCBENCH_JOURNAL", set(os.listdir(tmp)), before)
    # an unwritable journal: the server says so once and serves anyway
    bad = dict(os.environ, RPCBENCH_JOURNAL=os.path.join(tmp, "no", "such", "dir", "j.bin"))
    with rbtest.Server("tcp", env=bad, stderr=subprocess.PIPE) as s:
        rc, out, err = rbtest.call("tcp", "sendObj", json.dumps({KEY: 5}), connect=s.endpoint)
        ck.eq("tcp with an unwritable journal: ack", out.get("result"), 1)
        s.stop()
        ck.true("the server named the journal it could not open",
                b"journal" in s.proc.stderr.read())
    ck.exit()


if __name__ == "__main__":
    main()
