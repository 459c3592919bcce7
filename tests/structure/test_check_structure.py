#!/usr/bin/env python3
"""The structure checker finds each rule's breach in a small tree made for it,
and nothing in the same tree without them."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_structure.py")

CLEAN = {
    "services/rb_obj.h": "int rb_obj_len(void);\n",
    "services/rb_obj.c": '#include "rb_obj.h"\n\nint rb_obj_len(void)\n{\n    return 0;\n}\n',
    "transports/tcp/tcp.c": '#include "rb_obj.h"\n\nint rb_tcp_x(void)\n{\n    return rb_obj_len();\n}\n',
    "bench/measure/stats.h": "int rb_stats_n(void);\n",
    "bench/measure/stats.c": '#include "measure/stats.h"\n\nint rb_stats_n(void)\n{\n    return 1;\n}\n',
    "bench/results/read.c": '#include <jansson.h>\n\nint rb_read(json_t *o)\n{\n    return json_object_get(o, "a") != 0;\n}\n',
    "bench/run/run.c": '#include "measure/stats.h"\n\nint rb_run_x(void)\n{\n    return rb_stats_n();\n}\n',
    # the one command that prints a reply as JSON on the terminal
    "bench/cli/call_cmd.c": '#include <jansson.h>\n\nint rb_call_print(json_t *o)\n{\n    return o != 0;\n}\n',
}


def body(n):
    return "int f(void)\n{\n" + "    x++;\n" * n + "}\n"


BREACHES = {
    # a cycle hidden behind an "internal" header: a.c and b.c call each other
    "cycle": {
        "bench/load/int.h": "int rb_a(void);\nint rb_b(void);\n",
        "bench/load/a.c": '#include "load/int.h"\n\nint rb_a(void)\n{\n    return rb_b();\n}\n',
        "bench/load/b.c": '#include "load/int.h"\n\nint rb_b(void)\n{\n    return rb_a();\n}\n',
    },
    # two layers that include each other, though no module cycle
    "layer": {
        "bench/load/gen.h": "int rb_gen(void);\n",
        "bench/load/gen.c": '#include "load/gen.h"\n#include "fault/acct.h"\n',
        "bench/fault/acct.h": "int rb_acct(void);\n",
        "bench/fault/acct.c": '#include "fault/acct.h"\n\nint rb_acct(void)\n{\n    return 0;\n}\n',
        "bench/fault/other.c": '#include "load/gen.h"\n',
    },
    "upward": {"services/rb_bad.c": '#include "tcp/tcp.h"\n', "transports/tcp/tcp.h": "int rb_tcp_x(void);\n"},
    "file-size": {"bench/run/big.c": "int x;\n" * 601},
    "func-size": {"bench/run/long.c": body(85)},
    "folder": {"bench/report/f%d.c" % i: "int v%d;\n" % i for i in range(21)},
    "json": {"bench/report/md.c": 'int rb_md(void *o)\n{\n    return json_object_get(o, "b") != 0;\n}\n'},
    # JSON built outside bench/results/: the type alone, and the include alone
    "json-type": {"bench/run/slo.c": 'int rb_slo_j(json_t *o)\n{\n    return o != 0;\n}\n',
                  "bench/fault/f.h": '#include <jansson.h>\n'},
    "broker": {"bench/run/b.c": "/* start the RabbitMQ node */\nint y;\n"},
    "transport": {"bench/run/t.c": 'static const char *n = "tcp";\n'},
}


def make(tree, files):
    for path, text in files.items():
        full = os.path.join(tree, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def run(tree):
    p = subprocess.run([sys.executable, CHECK, tree], capture_output=True, text=True)
    return p.returncode, p.stdout


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, "clean")
        make(clean, CLEAN)
        rc, out = run(clean)
        ok = rc == 0 and "structure: 0 breaches" in out
        print(("ok  " if ok else "FAIL") + " clean tree: rc %d, %s" % (rc, out.strip().splitlines()[-1]))
        failed += not ok
        for rule, files in BREACHES.items():
            tree = os.path.join(tmp, rule)
            make(tree, CLEAN)
            make(tree, files)
            rc, out = run(tree)
            rules = {line.split(":", 1)[0] for line in out.splitlines()[:-1]}
            ok = rc == 1 and rules == {rule}
            print(("ok  " if ok else "FAIL") + " %s: rc %d, rules reported %s" % (rule, rc, sorted(rules)))
            if not ok:
                print(out)
            failed += not ok
    n = len(BREACHES) + 1
    print("%d passed, %d failed" % (n - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
