"""amqp-quorum loses no accepted request when the node leading its quorum
queue is killed: `rpcbench run --transports amqp-quorum --fault
broker-node-kill:1s` starts the 3-node cluster itself, kills the leader
mid-window, starts it again, and stops the cluster. Every call the broker
confirmed was executed (lost == 0); every call is in one class; recovery is
recorded.

Starting a 3-node cluster takes about 30 s here (the whole test 50 s); on a
machine that cannot afford it, RB_CLUSTER_TESTS=0 skips the test (it says
so):
  RB_CLUSTER_TESTS=0 scripts/test"""
import json
import os
import subprocess
import sys
import tempfile

import rbtest

CLASSES = ("ok", "refused", "lost", "ambiguous", "duplicated")


def main():
    if os.environ.get("RB_CLUSTER_TESTS") == "0":
        print("skipped: RB_CLUSTER_TESTS=0 (this test starts a 3-node cluster)")
        return 0
    ck = rbtest.Checks()
    out = tempfile.mkdtemp(prefix="rb_quorum_")
    env = {k: v for k, v in os.environ.items() if k != "RPCBENCH_AMQP_CLUSTER_URL"}
    cmd = [rbtest.RPCBENCH, "run", "--transports", "amqp-quorum", "--fault", "broker-node-kill:1s",
           "--duration", "3", "--timeout", "2000", "--concurrency", "2", "--warmup", "20", "--out", out]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env)
    ck.eq("run exit status (%s)" % p.stderr[-800:], p.returncode, 0)
    f = json.load(open(os.path.join(out, "results.json")))["scenarios"][0]["fault"]
    r = json.load(open(os.path.join(out, "results.json")))["scenarios"][0]["per_round"][0]["fault"]
    ck.true("the leader was killed", r["injected"] and not r.get("error"), r.get("error"))
    ck.eq("every call in one class", sum(f[c] for c in CLASSES), f["calls"])
    ck.eq("no confirmed request lost", f["lost"], 0)
    ck.true("calls went on", f["ok"] > 100, f)
    ck.true("first_ok recorded", r["recovery_ms"]["first_ok"] is not None, r["recovery_ms"])
    st = subprocess.run([os.path.join(rbtest.SOURCE_DIR, "scripts", "broker"), "--nodes", "3",
                         "status"], capture_output=True, text=True)
    ck.true("the cluster was stopped with the run", st.returncode != 0, st.stdout)
    ck.exit()


if __name__ == "__main__":
    sys.exit(main())
