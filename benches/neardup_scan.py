"""Retrieval check of `pairproof scan` on the near-duplicate benchmark's dev split.

compare-batch (the official runner) scores the labelled pairs it is given; a scan has to *find*
them. This script reads `pairproof scan --format json` over the whole corpus folder and asks,
for every labelled pair: are both images in the same group? A positive in one group is found
(directly or through other copies); a negative in one group is a false positive of the scan
(grouping is transitive, so this is stricter than pair FPR).

    python benches/neardup_scan.py /tmp/neardup scan.json
"""
import json
import os
import sys
from collections import defaultdict

root, scan_path = sys.argv[1], sys.argv[2]
man = json.load(open(os.path.join(root, "manifest_dev.json")))
scan = json.load(open(scan_path))
path_of = {i["id"]: os.path.realpath(os.path.join(root, i["path"])) for i in man["images"]}
group_of = defaultdict(set)  # an image can be in several groups (a collage: one per product)
for g in scan["groups"]:
    for m in g["members"]:
        group_of[m["path"]].add(g["id"])
direct = set()
for g in scan["groups"]:
    for p in g["pairs"]:
        direct.add((p["a"], p["b"]))
        direct.add((p["b"], p["a"]))

rows = defaultdict(lambda: [0, 0, 0])  # total, same group, direct pair
for p in man["pairs"]:
    a, b = path_of[p["a"]], path_of[p["b"]]
    key = p["transform"] if p["label"] == 1 else ("~neg_hard" if "hard" in p.get("type", "") else "~neg")
    r = rows[key]
    r[0] += 1
    if group_of.get(a, set()) & group_of.get(b, set()):
        r[1] += 1
    if (a, b) in direct:
        r[2] += 1
pos = [0, 0, 0]
print(f"| transform | pairs | same group % | scored pair % |")
print(f"|---|---|---|---|")
for k in sorted(rows):
    t, s, d = rows[k]
    if not k.startswith("~"):
        pos = [pos[0] + t, pos[1] + s, pos[2] + d]
    print(f"| {k} | {t} | {100 * s / t:.1f} | {100 * d / t:.1f} |")
print(f"| **all positives** | {pos[0]} | {100 * pos[1] / pos[0]:.1f} | {100 * pos[2] / pos[0]:.1f} |")
st = scan["stats"]
print(f"\nimages {st['images']}, groups {len(scan['groups'])}, candidate pairs {st['candidate_pairs']}, duplicate pairs {st['duplicate_pairs']}")
