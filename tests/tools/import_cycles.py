#!/usr/bin/env python3
"""Import cycles between source files of the library (issue 16: "no import cycle between files").

    python3 tests/tools/import_cycles.py [src]

Each file is a module (`src/a/b.rs` and `src/a/b/mod.rs` are `crate::a::b`). An edge A -> B is
any path in A that names B's module or an item in it: `crate::…`, `super::…` and `self::…` paths,
in `use` declarations or inline. Edges between a module and its own ancestors are left out (a
parent declares and re-exports its children; a child uses what its parent defines): a cycle
here is two modules that are not nested in each other and each need the other, directly or
around a loop. Prints every strongly connected group of two or more files and exits 1 if any.
Only the standard library.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "src")
ROOT = os.path.normpath(ROOT)


def module_of(path):
    rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    if rel in (["lib"], ["main"]):
        return ()
    return tuple(rel)


files = {}
for d, _, fs in os.walk(ROOT):
    for f in fs:
        if f.endswith(".rs") and f != "main.rs" and not d.startswith(os.path.join(ROOT, "cli")):
            p = os.path.join(d, f)
            files[module_of(p)] = p
mods = set(files)

PATH = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*?)\}\s*;", re.S)


def strip_comments(src):
    src = re.sub(r"//[^\n]*", "", src)
    return re.sub(r"/\*.*?\*/", "", src, flags=re.S)


def resolve(cur, parts):
    """Absolute module path of the longest module prefix of `parts` (from `cur`)."""
    base = list(cur)
    if parts[0] == "crate":
        base, rest = [], parts[1:]
    else:
        rest = list(parts)
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    best = tuple(base) if tuple(base) in mods else None
    for i in range(1, len(rest) + 1):
        cand = tuple(base + rest[:i])
        if cand in mods:
            best = cand
    return best


def expand_groups(src):
    """`use a::{b::c, d}` -> the paths a::b::c and a::d (one level of nesting is enough here)."""
    out = []
    for m in GROUP.finditer(src):
        head = m.group(1)
        body = re.sub(r"\{[^{}]*\}", "", m.group(2))
        for item in body.split(","):
            item = item.strip().split(" as ")[0].strip()
            if item and item != "self":
                out.append(head + "::" + item)
            elif item == "self":
                out.append(head)
    return out


edges = {m: set() for m in mods}
for m, p in files.items():
    src = strip_comments(open(p, encoding="utf-8").read())
    paths = PATH.findall(src) + expand_groups(src)
    for path in paths:
        t = resolve(m, path.split("::"))
        if t is None or t == m:
            continue
        if t[: len(m)] == m or m[: len(t)] == t:  # nested in each other
            continue
        edges[m].add(t)

# Tarjan's strongly connected components
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
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
            sccs.append(sorted(comp))


for v in sorted(mods):
    if v not in index:
        visit(v)
name = lambda m: "::".join(m) or "crate"
for c in sorted(sccs):
    print("cycle: " + "  ".join(name(m) for m in c))
    for a in c:
        for b in sorted(edges[a]):
            if b in c:
                print("    %s -> %s" % (name(a), name(b)))
print("%d files, %d cycles" % (len(mods), len(sccs)))
sys.exit(1 if sccs else 0)
