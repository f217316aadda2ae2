#!/usr/bin/env python3
"""Score `pairproof scan` on the everyday-edits benchmark (benches/edits/gen.py).

    pairproof scan DIR/store --format json > scan.json
    python3 benches/edits/score.py DIR scan.json [--markdown]

Per edit: copies, found (the copy is in the same group as its original) and direct (the scan
scored the copy/original pair itself at or above its threshold). Then the false joins: groups
holding images of two or more sources (a copy of source S counts as S, a negative as its own
`source`). Copies may legitimately share pixels with other sources (collage fill-ins, scene
backgrounds; the manifest's `contains`), so the joins are also split into *explained* (every
member is linked to the rest through shared content) and *unexplained*. Negatives are never
made from originals or fill-ins: any negative grouped with an original or a copy is a false
positive. Standard library only; exits 0.
"""
import argparse
import json
import os
import sys
from collections import defaultdict


def components(members, contains):
    """Connected components of members, two members linked when they share a source."""
    parent = {m: m for m in members}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_source = defaultdict(list)
    for m in members:
        for s in contains[m]:
            by_source[s].append(m)
    for ms in by_source.values():
        for m in ms[1:]:
            parent[find(m)] = find(ms[0])
    comp = defaultdict(list)
    for m in members:
        comp[find(m)].append(m)
    return list(comp.values())


def pct(n, d):
    return 100.0 * n / d if d else 0.0


def main():
    ap = argparse.ArgumentParser(description="Score pairproof scan on the everyday-edits benchmark.")
    ap.add_argument("dir", help="benchmark folder (with manifest.json and store/)")
    ap.add_argument("scan", help="output of `pairproof scan DIR/store --format json`")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--show", type=int, default=5, help="offending groups to list (default 5)")
    a = ap.parse_args()

    man = json.load(open(os.path.join(a.dir, "manifest.json"), encoding="utf-8"))
    scan = json.load(open(a.scan, encoding="utf-8"))
    if man.get("schema") != "pairproof.edits-bench/1":
        print("warning: manifest schema %r" % man.get("schema"), file=sys.stderr)
    if scan.get("schema") not in ("pairproof.scan/2", "pairproof.scan/3"):
        print("warning: scan schema %r" % scan.get("schema"), file=sys.stderr)

    def real(rel):
        return os.path.realpath(os.path.join(a.dir, rel))

    rec = {real(i["path"]): i for i in man["images"]}
    rel_of = {p: i["path"] for p, i in rec.items()}
    contains = {p: set(i.get("contains") or [i["source"]]) for p, i in rec.items()}

    # An image can be in several groups (a collage: one per product it holds).
    group_of, unknown = defaultdict(set), 0
    for g in scan.get("groups", []):
        for m in g["members"]:
            p = os.path.realpath(m["path"])
            group_of[p].add(g["id"])
            unknown += p not in rec
    direct = set()
    for g in scan.get("groups", []):
        for pr in g.get("pairs", []):
            a_, b_ = os.path.realpath(pr["a"]), os.path.realpath(pr["b"])
            direct.add((a_, b_))
            direct.add((b_, a_))

    # ---- recall per edit
    edits = man.get("edits") or sorted({p["edit"] for p in man["pairs"]})
    rows = {e: [0, 0, 0] for e in edits}
    for pr in man["pairs"]:
        c, o = real(pr["copy"]), real(pr["original"])
        r = rows.setdefault(pr["edit"], [0, 0, 0])
        r[0] += 1
        r[1] += bool(group_of.get(c, set()) & group_of.get(o, set()))
        r[2] += (c, o) in direct
    tot = [sum(r[k] for r in rows.values()) for k in range(3)]

    # ---- false joins
    joins, unexplained = [], []
    neg_grouped = neg_with_pos = neg_unrelated = 0
    n_neg = sum(1 for i in man["images"] if i["role"] == "negative")
    for g in scan.get("groups", []):
        ms = sorted({os.path.realpath(m["path"]) for m in g["members"]} & rec.keys())
        if len({rec[m]["source"] for m in ms}) >= 2:
            joins.append((g["id"], ms))
            if len(components(ms, contains)) > 1:
                unexplained.append((g["id"], ms))
        for m in ms:
            if rec[m]["role"] != "negative" or len(ms) < 2:
                continue
            neg_grouped += 1
            others = [x for x in ms if x != m]
            neg_with_pos += any(rec[x]["role"] != "negative" for x in others)
            neg_unrelated += any(not (contains[x] & contains[m]) for x in others)

    # ---- print
    if a.markdown:
        print("| edit | copies | found | found % | direct | direct % |")
        print("|---|---:|---:|---:|---:|---:|")
        for e, (n, f, d) in rows.items():
            print("| %s | %d | %d | %.1f | %d | %.1f |" % (e, n, f, pct(f, n), d, pct(d, n)))
        print("| **all copies** | %d | %d | %.1f | %d | %.1f |" % (tot[0], tot[1], pct(tot[1], tot[0]), tot[2],
                                                                   pct(tot[2], tot[0])))
        print()
        print("| false joins | count |")
        print("|---|---:|")
        print("| groups | %d |" % len(scan.get("groups", [])))
        print("| groups joining >= 2 sources | %d |" % len(joins))
        print("| of which unexplained by shared content | %d |" % len(unexplained))
        print("| negatives grouped with anything (of %d) | %d |" % (n_neg, neg_grouped))
        print("| negatives grouped with an original/copy | %d |" % neg_with_pos)
        print("| negatives grouped with an image sharing no content | %d |" % neg_unrelated)
    else:
        print("%-20s %6s %6s %7s %6s %8s" % ("edit", "copies", "found", "found%", "direct", "direct%"))
        for e, (n, f, d) in rows.items():
            print("%-20s %6d %6d %6.1f%% %6d %7.1f%%" % (e, n, f, pct(f, n), d, pct(d, n)))
        print("%-20s %6d %6d %6.1f%% %6d %7.1f%%" % ("ALL", tot[0], tot[1], pct(tot[1], tot[0]), tot[2],
                                                    pct(tot[2], tot[0])))
        print()
        print("groups: %d; joining >= 2 sources: %d (unexplained by shared content: %d)" % (
            len(scan.get("groups", [])), len(joins), len(unexplained)))
        print("negatives (%d): grouped with anything %d, with an original/copy %d, with an image "
              "sharing no content %d" % (n_neg, neg_grouped, neg_with_pos, neg_unrelated))
    if unknown:
        print("\nnote: %d scanned paths are not in the manifest" % unknown)
    if scan.get("problems"):
        print("note: %d files the scan could not use" % len(scan["problems"]))
    bad = {gid for gid, _ in unexplained}
    shown = sorted(joins, key=lambda j: j[0] not in bad)[: a.show]
    if shown:
        print("\ngroups joining sources (first %d, unexplained first):" % len(shown))
        for gid, ms in shown:
            print("%sgroup %s (%s): %s" % ("- " if a.markdown else "  ", gid,
                                          "unexplained" if gid in bad else "shared content",
                                          ", ".join("%s [%s]" % (rel_of[m], rec[m]["source"]) for m in ms[:8])
                                          + (" ..." if len(ms) > 8 else "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
