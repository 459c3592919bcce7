#!/usr/bin/env python3
"""check_structure.py - the layering rules of docs/architecture.md, checked.

Usage: check_structure.py [REPO]   (default: the repository holding this file)

Reads the C sources as text (nothing is built or run) and prints one line per
breach of a rule, then "structure: N breaches"; exits 1 when there is any,
0 otherwise. The rules:

  cycle      no cycle between modules (a module is a .c file and the .h of
             the same name in the same folder, or either alone). Module A
             depends on B when A includes B's header, or uses a function that
             B defines through a header A includes: an "internal" header
             shared by files that call each other does not hide their cycle
  layer      no cycle between the layers of bench/ (its folders): module A
             of bench/x/ including a header of bench/y/ makes x depend on y,
             and data flows one way (docs/architecture.md's order)
  upward     no include from services/ into transports/, brokers/ or bench/;
             none from transports/ or brokers/ into bench/
  file-size  no file of the harness (bench/, brokers/) over 600 lines
  func-size  no function over 80 lines (bench/, brokers/, services/,
             transports/)
  folder     no folder of the harness with more than 20 source files
  json       json_object_get only in the results reader (bench/results/)
  json-type  no json_t and no #include <jansson.h> in bench/ outside
             bench/results/: results.json is built and parsed there only,
             everyone else hands over or reads the typed model. The one
             exception is bench/cli/call_cmd.c: `rpcbench call` parses its
             --obj argument as JSON and prints the reply as JSON to the
             terminal, which is no part of results.json
  broker     no broker product named in bench/'s code or comments: what
             bench/ needs to know about a broker comes through brokers/broker.h
  transport  no transport's name as a string in bench/: what bench/ needs to
             know about a stack comes from its table
"""
import os
import re
import sys

MAX_FILE_LINES = 600
MAX_FUNC_LINES = 80
MAX_FOLDER_FILES = 20
BROKER_PRODUCTS = re.compile(r"rabbit|\bnats\b|kafka|mosquitto|activemq", re.I)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SRC_TOPS = ("bench", "brokers", "services", "transports")
JANSSON_INCLUDE = re.compile(r"^\s*#\s*include\s*<jansson\.h>", re.M)
JSON_TYPE = re.compile(r"\bjson_t\b")
# bench/ files that may use jansson though they are not bench/results/: a
# command printing a reply as JSON on the terminal
JSON_TERMINAL = {os.path.join("bench", "cli", "call_cmd.c")}


def sources(repo):
    """Every .c/.h below the source folders, as paths relative to repo."""
    out = []
    for top in SRC_TOPS:
        for root, dirs, files in os.walk(os.path.join(repo, top)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(root, f), repo))
    return out


def module_of(path):
    return os.path.splitext(path)[0]


def resolve(inc, src, by_name, repo):
    """The repository file an #include "inc" in src names, or None (a header
    outside the tree, or a generated one)."""
    here = os.path.normpath(os.path.join(os.path.dirname(src), inc))
    if os.path.exists(os.path.join(repo, here)):
        return here
    cands = by_name.get(os.path.basename(inc), [])
    return cands[0] if len(cands) == 1 else (sorted(cands)[0] if cands else None)


PROTO = re.compile(r"^(?!static\b|typedef\b|#|extern\s+\w+\s+\w+\s*;)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(", re.M)


def declared(text):
    """Names of the functions a header declares (not its static inlines)."""
    code = strip_comments_and_strings(text)
    return {m.group(1) for m in PROTO.finditer(code)} - {"if", "while", "for", "switch", "return", "sizeof"}


def defined(text):
    """Names of the non-static functions a .c file defines."""
    lines = text.split("\n")
    out = set()
    for start, _ in long_functions(text):
        sig = " ".join(lines[start - 1:start + 3])
        if sig.startswith("static") or sig.startswith("#"):
            continue
        m = re.match(r"[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(", sig)
        if m:
            out.add(m.group(1))
    return out


def include_graph(repo, files):
    texts = {}
    for f in files:
        with open(os.path.join(repo, f), encoding="utf-8", errors="replace") as fh:
            texts[f] = fh.read()
    definer = {}
    for f in files:
        if f.endswith(".c"):
            for name in defined(texts[f]):
                definer.setdefault(name, module_of(f))
    decls = {f: {n for n in declared(texts[f]) if n in definer}
             for f in files if f.endswith(".h")}
    used = {f: set(re.findall(r"\b([A-Za-z_]\w*)\b", strip_comments_and_strings(texts[f])))
            for f in files}
    by_name = {}
    for f in files:
        if f.endswith(".h"):
            by_name.setdefault(os.path.basename(f), []).append(f)
    edges = {}
    incs = []
    for f in files:
        with open(os.path.join(repo, f), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                tgt = resolve(m.group(1), f, by_name, repo)
                if tgt is None:
                    continue
                incs.append((f, n, tgt))
                a, b = module_of(f), module_of(tgt)
                calls = {definer[n] for n in decls.get(tgt, ()) if n in used[f]}
                for c in {b} | calls:
                    if a != c:
                        edges.setdefault(a, set()).add(c)
    return edges, incs


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def top(path):
    return path.split(os.sep)[0]


FUNC_OPEN = re.compile(r"^\{\s*$|^[A-Za-z_][^;=]*\)\s*\{\s*$")


def long_functions(text):
    """(first line, length) of each function body opened by a '{' at column 0
    (or a signature ending in ') {') and closed by a '}' at column 0."""
    lines = text.split("\n")
    out = []
    start = None
    for i, line in enumerate(lines):
        if start is None and FUNC_OPEN.match(line):
            # the signature starts after the previous blank line or ';'/'}'
            s = i
            while s > 0 and lines[s - 1].strip() and not lines[s - 1].rstrip().endswith((";", "}", "*/")) \
                    and not lines[s - 1].startswith("#"):
                s -= 1
            start = s
        elif start is not None and line.startswith("}"):
            out.append((start + 1, i - start + 1))
            start = None
    return out


def strip_comments_and_strings(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    files = sources(repo)
    breaches = []
    edges, incs = include_graph(repo, files)

    for comp in cycles(edges):
        breaches.append("cycle: " + " -> ".join(comp))

    layers = {}
    for f, n, tgt in incs:
        a, b = f.split(os.sep), tgt.split(os.sep)
        if a[0] == b[0] == "bench" and len(a) > 2 and len(b) > 2 and a[1] != b[1]:
            layers.setdefault(a[1], set()).add(b[1])
    for comp in cycles(layers):
        breaches.append("layer: bench/ folders include each other: " + " -> ".join(comp))

    order = {"services": 0, "transports": 1, "brokers": 1, "bench": 2}
    for f, n, tgt in incs:
        if order[top(tgt)] > order[top(f)]:
            breaches.append(f"upward: {f}:{n} includes {tgt}")

    transports = sorted(d for d in os.listdir(os.path.join(repo, "transports"))
                        if os.path.isdir(os.path.join(repo, "transports", d)))
    tname = re.compile(r'"(%s)(-[a-z]+)?"' % "|".join(map(re.escape, transports))) if transports else None

    folder_count = {}
    for f in files:
        with open(os.path.join(repo, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        harness = top(f) in ("bench", "brokers")
        nlines = text.count("\n")
        if harness and nlines > MAX_FILE_LINES:
            breaches.append(f"file-size: {f} has {nlines} lines (> {MAX_FILE_LINES})")
        if harness:
            folder_count.setdefault(os.path.dirname(f), []).append(f)
        for line, length in long_functions(text):
            if length > MAX_FUNC_LINES:
                breaches.append(f"func-size: {f}:{line} is a function of {length} lines (> {MAX_FUNC_LINES})")
        if top(f) == "bench":
            code = strip_comments_and_strings(text)
            if "json_object_get" in code and not f.startswith(os.path.join("bench", "results") + os.sep):
                n = code.count("json_object_get")
                breaches.append(f"json: {f} calls json_object_get {n} times (only bench/results/ reads results.json)")
            if not f.startswith(os.path.join("bench", "results") + os.sep) and f not in JSON_TERMINAL:
                uses = len(JSON_TYPE.findall(code))
                if uses or JANSSON_INCLUDE.search(code):
                    breaches.append(f"json-type: {f} includes jansson.h or uses json_t ({uses} times): "
                                    "only bench/results/ builds or parses results.json")
            for n, line in enumerate(text.split("\n"), 1):
                if BROKER_PRODUCTS.search(line):
                    breaches.append(f"broker: {f}:{n} names a broker product: {line.strip()[:80]}")
                if tname and tname.search(line):
                    breaches.append(f"transport: {f}:{n} names a transport: {line.strip()[:80]}")
    for d, fs in sorted(folder_count.items()):
        if len(fs) > MAX_FOLDER_FILES:
            breaches.append(f"folder: {d} holds {len(fs)} source files (> {MAX_FOLDER_FILES})")

    for b in breaches:
        print(b)
    print(f"structure: {len(breaches)} breaches in {len(files)} files")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
