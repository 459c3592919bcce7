"""`rpcbench run --fault` on tcp, end to end: every call in exactly one
class, server-kill duplicates nothing and its in-flight calls come out lost
or ambiguous (never ok: no answer without an execution), recovery times are
recorded for every fault, the journal holds exactly the executions the
classes claim, and report.md has the Faults section with its plot."""
import json
import os
import struct
import subprocess
import tempfile

import rbtest

CLASSES = ("ok", "refused", "lost", "ambiguous", "duplicated")


def main():
    ck = rbtest.Checks()
    out = tempfile.mkdtemp(prefix="rb_fault_run_")
    faults = ["server-kill:300ms", "server-stall:200ms"]
    if os.geteuid() == 0:
        faults += ["conn-reset", "partition:300ms"]
    cmd = [rbtest.RPCBENCH, "run", "--transports", "tcp", "--duration", "1.2", "--concurrency", "2",
           "--timeout", "1000",
           "--warmup", "20", "--out", out]
    for f in faults:
        cmd += ["--fault", f]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    ck.eq("run exit status (%s)" % p.stderr[-500:], p.returncode, 0)
    res = json.load(open(os.path.join(out, "results.json")))
    sc = res["scenarios"]
    ck.eq("one scenario per fault", sorted(s["fault"]["kind"] for s in sc),
          sorted(f.split(":")[0] for f in faults))
    executions = 0
    for s in sc:
        f = s["fault"]
        kind = f["kind"]
        ck.eq("%s: every call in exactly one class" % kind, sum(f[c] for c in CLASSES), f["calls"])
        ck.true("%s: calls were made" % kind, f["calls"] > 100, f["calls"])
        ck.eq("%s: nothing duplicated (tcp never retries)" % kind, f["duplicated"], 0)
        r = s["per_round"][0]["fault"]
        ck.true("%s: injected" % kind, r["injected"], r.get("error"))
        ck.eq("%s: no answer without an execution" % kind, r["answered_unexecuted"], 0)
        ck.true("%s: first_ok recorded" % kind, r["recovery_ms"]["first_ok"] is not None, r["recovery_ms"])
        # null when the rate was not back within the window (a busy machine)
        rr = r["recovery_ms"].get("rate_restored", "missing")
        ck.true("%s: rate_restored recorded" % kind, rr is None or rr >= 0, r["recovery_ms"])
        ck.true("%s: timeline across the window" % kind, len(r["timeline"]) >= 10, len(r["timeline"]))
        executions += r["executions"]
        if kind == "server-kill":
            # two threads always have a call in flight: each is lost (not read
            # yet) or ambiguous (executed, reply never came), never ok
            ck.true("server-kill: in-flight calls lost or ambiguous", f["lost"] + f["ambiguous"] >= 1, f)
            ck.true("server-kill: refused while down", f["refused"] >= 1, f)
            ck.true("server-kill: recovery after the down time", r["recovery_ms"]["first_ok"] >= 300,
                    r["recovery_ms"])
        if kind == "server-stall":
            ck.eq("server-stall: nothing lost", f["lost"] + f["refused"], 0)
            ck.true("server-stall: first ok after the stall", r["recovery_ms"]["first_ok"] >= 150,
                    r["recovery_ms"])
    data = open(os.path.join(out, "journal.bin"), "rb").read()
    ck.eq("journal: whole records", len(data) % 8, 0)
    ck.eq("journal: the executions the classes count", len(data) // 8, executions)
    ids = struct.unpack("<%dQ" % (len(data) // 8), data)
    ck.eq("journal: no id twice", len(set(ids)), len(ids))
    md = open(os.path.join(out, "report.md")).read()
    ck.true("report: Faults section", "## Faults" in md)
    ck.true("report: server-kill row", "| server-kill | tcp |" in md)
    ck.true("report: no restart column in a fault run", "survives a server restart" not in md)
    png = os.path.join(out, "plots", "fault_server-kill.png")
    if subprocess.run(["sh", "-c", "command -v gnuplot"], capture_output=True).returncode == 0:
        ck.true("report: timeline plot drawn", os.path.getsize(png) > 1000)
    out2 = subprocess.run(["sh", "-c", "command -v nft >/dev/null && nft list tables"],
                          capture_output=True, text=True).stdout
    ck.true("no partition table left behind", "rpcbench_" not in out2, out2)
    ck.exit()


if __name__ == "__main__":
    main()
